"""The report's seven comparisons from pupil-level data (synthetic pupils).

Generates the demo's synthetic pupils (fictional municipalities 2009-2018, with
migration background, household income and parental education), computes all
seven comparisons with the five indices, prints the latest year, lists what was
left out and why, and draws the report's municipality x year grids (figures 1-7).
Run: ``python examples/pupils_seven_comparisons.py [--output out]``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import segspatial as ss
from segspatial import plot
from segspatial.demo import demo_pupils


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", default="pupils-output")
    args = parser.parse_args(argv)
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)

    pupils = demo_pupils()  # one row per pupil per year
    print(f"{len(pupils):,} pupil rows, columns {list(pupils.columns)}")
    result = ss.pupil_segregation(
        pupils, "school", area="municipality", year="year",
        ethnicity="ethnicity", income="income", education="education",
    )
    t = result.table
    latest = t[(t["year"] == t["year"].max()) & (t["index"] == "dissimilarity")]
    print(f"\nDissimilarity in {t['year'].max()}:")
    print(latest.pivot(index="comparison", columns="area", values="value")
          .round(3).to_string())
    print("\nLeft out:")
    print(ss.exclusions_summary(result.exclusions)[["reason", "theme", "comparison",
                                                    "n_pupils"]].to_string(index=False))
    axes = plot.report_grids(t, index="dissimilarity")
    figure = axes[0].figure if hasattr(axes, "__len__") else axes.figure
    figure.savefig(out / "report_grids.png", dpi=110)
    print(f"\nwrote {out / 'report_grids.png'}")


if __name__ == "__main__":
    main()
