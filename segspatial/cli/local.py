"""``segspatial local``: per-unit local measures (p, local p, gap, part in D) for maps."""

from __future__ import annotations

import argparse
import sys

import pandas as pd

from segspatial.cli._common import (
    CommandError,
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
    add_read_options(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from segspatial.spatial import local_measures
    from segspatial.spatial._engine import outside_comparison_exclusions

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
    kept, filtered = apply_filters(counts, min_unit_size=args.min_unit_size,
                                   min_area_size=args.min_area_size)
    neither = ((kept["a"] + kept["b"]) == 0).to_numpy()  # left out of the local measures
    outside = outside_comparison_exclusions(kept, neither)
    parts = [e for e in (location_exclusions, filtered, outside) if not e.empty]
    exclusions = pd.concat(parts, ignore_index=True) if parts else filtered
    write_or_print(table, args.output, what="local measures")
    if args.exclusions_output:
        write_or_print(exclusions, args.exclusions_output, what="exclusions")
    if not args.quiet:
        print(f"Local measures for {len(table):,} unit rows "
              f"(bandwidths {sorted(table['bandwidth'].unique().tolist())}, kernel "
              f"{table['kernel'].iloc[0] if len(table) else '-'}; x, y in "
              f"{options['crs']}).", file=sys.stderr)
        print(format_exclusions(exclusions), file=sys.stderr)
    return 0
