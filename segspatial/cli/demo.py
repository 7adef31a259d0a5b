"""``segspatial demo``: the whole pipeline on a synthetic, deterministic data set."""

from __future__ import annotations

import argparse
import sys

from segspatial.cli._common import ensure_dir, format_exclusions
from segspatial.compute import segregation
from segspatial.demo import demo_counts
from segspatial.io import write_table


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "demo",
        help="run the pipeline on a built-in synthetic data set",
        description="Generate a deterministic synthetic data set (fictional "
        "municipalities, 2009-2018) and run the pipeline on it.",
    )
    p.add_argument("--output", "-o", default="segspatial-demo", metavar="DIR",
                   help="output folder (default: ./segspatial-demo)")
    p.add_argument("--seed", type=int, default=None,
                   help="random seed (default: the demo's fixed seed)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    out = ensure_dir(args.output)
    counts = demo_counts(args.seed)
    result = segregation(counts, "school", "a", "b", area="municipality", year="year",
                         total="total")
    written = [
        write_table(counts, out / "demo_counts.csv"),
        write_table(result.table, out / "results.csv"),
        write_table(result.exclusions, out / "exclusions.csv"),
    ]
    d = result.table[result.table["index"] == "dissimilarity"]
    latest = d[d["year"] == d["year"].max()].set_index("area")["value"]
    names = counts.drop_duplicates("municipality").set_index("municipality")
    print(f"Dissimilarity index D in {int(d['year'].max())}:")
    for code, value in latest.sort_values(ascending=False).items():
        print(f"  {names.loc[code, 'municipality_name']:<14} ({code})  D = {value:.3f}")
    print(format_exclusions(result.exclusions))
    print("Wrote:", *(f"  {p}" for p in written), sep="\n")
    print(f"Open {out / 'results.csv'} for the full table.", file=sys.stderr)
    return 0
