"""``segspatial local``: per-unit local measures (p, local p, gap, part in D) for maps."""

from __future__ import annotations

import argparse
import sys

import pandas as pd

from segspatial.cli._common import (
    CommandError,
    add_disclosure_option,
    add_filter_options,
    add_read_options,
    format_exclusions,
    write_or_print,
)
from segspatial.cli._location import (
    add_location_options,
    area_column,
    geometry_notes,
    locate_units,
    location_columns,
)
from segspatial.cli._spatial import add_spatial_options, spatial_arguments
from segspatial.counts import apply_filters, prepare_counts
from segspatial.io import read_table

__all__ = ["register", "run"]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "local",
        help="per-unit local measures: share of A around each school, gap, part in D",
        description="For every unit (school): its share of group A (p), the share in its "
        "local environment (p_local, kernel-weighted over the units around it), the gap "
        "p - p_local (how unlike its surroundings it is) and its contribution to D and "
        "to the spatial D, with its coordinates, as one table for maps.",
    )
    p.add_argument("input", metavar="INPUT", help="counts file (.csv or .parquet)")
    p.add_argument("--unit", required=True, metavar="COL", help="unit (school) column")
    p.add_argument("--group-a", required=True, metavar="COL", help="group A count column")
    p.add_argument("--group-b", required=True, metavar="COL", help="group B count column")
    p.add_argument("--area", metavar="COL", help="area (municipality) column")
    p.add_argument("--year", metavar="COL", help="year column")
    p.add_argument("--total", metavar="COL",
                   help="all pupils of the unit, including pupils in neither group")
    add_filter_options(p)
    add_location_options(p)
    add_spatial_options(p, diagnostics=False)
    p.add_argument("--output", "-o", metavar="FILE",
                   help="output file (.csv or .parquet; default: CSV on standard output)")
    p.add_argument("--exclusions-output", metavar="FILE",
                   help="also write what was left out, and why (.csv or .parquet)")
    p.add_argument("--quiet", "-q", action="store_true", help="do not print the summary")
    add_disclosure_option(p, "local measures mix exact counts of neighbouring schools and "
                          "are not written; each school's share band and rounded pupils "
                          "are, as on a school map")
    add_read_options(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from segspatial.spatial import local_measures

    if not (args.x or args.postcode):
        raise CommandError("local measures need unit locations: give --x/--y/--crs or "
                           "--postcode/--postcode-table")
    keys = [c for c in (args.unit, args.area) if c]
    columns = [c for c in (args.unit, args.group_a, args.group_b, args.area, args.year,
                           args.total) if c]
    located, text = location_columns(args)
    data = read_table(args.input, columns=list(dict.fromkeys(columns + located)),
                      text_columns=keys + text, sep=args.sep, encoding=args.encoding)
    with geometry_notes("local"):
        data, location_exclusions = locate_units(args, data)
    options = spatial_arguments(args, data)
    if not (args.bandwidth or args.k):
        options["bandwidth"] = None  # local_measures' default, 1000 m
    table = local_measures(
        data, args.unit, args.group_a, args.group_b, area=area_column(args), year=args.year,
        total=args.total, min_unit_size=args.min_unit_size, min_area_size=args.min_area_size,
        **options,
    )
    # what the size filters left out, counted by the same gate and filters the table used
    counts = prepare_counts(data, args.unit, args.group_a, args.group_b,
                            area=area_column(args), year=args.year, total=args.total)
    _, filtered = apply_filters(counts, min_unit_size=args.min_unit_size,
                                min_area_size=args.min_area_size)
    parts = [e for e in (location_exclusions, filtered) if not e.empty]
    exclusions = pd.concat(parts, ignore_index=True) if parts else filtered
    if args.min_cell is not None:
        table, exclusions = _published(table, exclusions, args.min_cell)
    write_or_print(table, args.output, what="local measures")
    if args.exclusions_output:
        write_or_print(exclusions, args.exclusions_output, what="exclusions")
    if not args.quiet:
        if args.min_cell is None:
            print(f"Local measures for {len(table):,} unit rows "
                  f"(bandwidths {sorted(table['bandwidth'].unique().tolist())}, kernel "
                  f"{table['kernel'].iloc[0] if len(table) else '-'}; x, y in "
                  f"{options['crs']}).", file=sys.stderr)
        else:
            print(f"--min-cell {args.min_cell}: {len(table):,} unit rows with each "
                  "school's share band and rounded pupils, as a school map publishes them; "
                  "the local measures are not written (they mix exact counts of "
                  "neighbouring schools).", file=sys.stderr)
        print(format_exclusions(exclusions, args.min_cell), file=sys.stderr)
    return 0


def _published(table: pd.DataFrame, exclusions: pd.DataFrame, min_cell: int
               ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What ``--min-cell`` lets the command write: per school (once per year) its
    share band, whether it is suppressed, its rounded pupils and its area's share."""
    from segspatial.disclosure import policy, protect_exclusions, publish_schools

    rules = policy(min_cell)
    keys = [c for c in ("area", "year", "unit") if c in table.columns]
    schools = table.drop_duplicates(keys).reset_index(drop=True)
    frame = pd.DataFrame({
        "unit": schools["unit"].to_numpy(),
        "area": schools["area"].to_numpy() if "area" in schools else "",
        "year": schools["year"].to_numpy() if "year" in schools else 0,
        "a": schools["a"].to_numpy(), "b": schools["b"].to_numpy(),
        "total": (schools["total"] if "total" in schools else schools["a"] + schools["b"]
                  ).to_numpy(), "x": schools["x"].to_numpy(),
        "y": schools["y"].to_numpy()})
    shown = publish_schools(frame, rules)
    out = schools[[*keys, "x", "y"]].copy()
    out["pupils"] = shown["pupils"].to_numpy()
    out["suppressed"] = shown["suppressed"].to_numpy()
    out["share_low"] = shown["band_low"].to_numpy()
    out["share_high"] = shown["band_high"].to_numpy()
    out["area_share"] = shown["centre"].to_numpy()
    out["min_cell"] = min_cell
    return out, protect_exclusions(exclusions, rules)
