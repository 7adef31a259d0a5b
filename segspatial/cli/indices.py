"""``segspatial indices``: the results table from a counts file."""

from __future__ import annotations

import argparse
import sys

from segspatial.cli._common import (
    CommandError,
    add_disclosure_option,
    add_filter_options,
    add_read_options,
    format_exclusions,
    write_or_print,
)
from segspatial.cli._location import (
    add_exclusions,
    add_location_options,
    area_column,
    geometry_notes,
    locate_units,
    location_columns,
)
from segspatial.cli._pupils import add_pupil_options, check_counts_mode, run_pupils
from segspatial.cli._spatial import (
    add_spatial_options,
    check_spatial_mode,
    spatial_arguments,
    uses_spatial,
)
from segspatial.compute import SegregationResult, segregation
from segspatial.io import read_table


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "indices",
        help="compute segregation indices from a counts file",
        description="Compute the segregation indices for every area and year of a "
        "counts table (one row per unit per year, a column per group) and write one "
        "tidy table. Prints what was left out, and why.",
    )
    p.add_argument("input", metavar="INPUT",
                   help="counts file (.csv or .parquet), or with --pupils a pupil file "
                   "(.csv, .parquet, or .sav with the 'spss' extra)")
    p.add_argument("--unit", required=True, metavar="COL", help="unit (school) column")
    p.add_argument("--group-a", metavar="COL",
                   help="group A count column (required unless --pupils)")
    p.add_argument("--group-b", metavar="COL",
                   help="group B count column (required unless --pupils)")
    p.add_argument("--area", metavar="COL", help="area (municipality) column")
    p.add_argument("--year", metavar="COL", help="year column")
    p.add_argument("--total", metavar="COL",
                   help="all pupils of the unit, including pupils in neither group")
    p.add_argument("--indices", nargs="+", metavar="NAME",
                   help="indices to compute (default: the five built-in ones; see "
                   "`segspatial list-indices`)")
    add_filter_options(p)
    add_pupil_options(p)
    add_location_options(p)
    add_spatial_options(p)
    p.add_argument("--output", "-o", metavar="FILE",
                   help="results file (.csv or .parquet; default: CSV on standard output)")
    p.add_argument("--exclusions-output", metavar="FILE",
                   help="also write the exclusions table (.csv or .parquet)")
    p.add_argument("--quiet", "-q", action="store_true", help="do not print the summary")
    add_disclosure_option(p, "the results and exclusions are written as published (a "
                          "min_cell column marks them); --counts-output is refused")
    add_read_options(p)
    p.set_defaults(handler=run)


def spatial_design(args: argparse.Namespace, options: dict):
    """What the spatial options publish, for the disclosure audit (every year)."""
    from segspatial.disclosure import SpatialDesign
    from segspatial.spatial import DEFAULT_BANDWIDTHS

    if options.get("context", "area") != "area":
        raise CommandError("--min-cell cannot be combined with --context all: a school's "
                           "counts would move the spatial indices of other municipalities")
    bandwidths = options.get("bandwidth") or ([] if options.get("k") else
                                              list(DEFAULT_BANDWIDTHS))
    return SpatialDesign(crs=options["crs"], bandwidths=tuple(float(b) for b in bandwidths),
                         kernel=options.get("kernel"), k=tuple(options.get("k") or ()),
                         districts=options.get("districts"),
                         district_code=options.get("district_code"),
                         snap=float(options.get("snap", 5000.0)), years="all")


def protect(args: argparse.Namespace, result: SegregationResult, options: dict | None = None
            ) -> SegregationResult:
    """The result as ``--min-cell`` publishes it (unchanged without it)."""
    from dataclasses import replace

    from segspatial.disclosure import policy, protect_results

    rules = policy(args.min_cell)
    if rules is None:
        return result
    design = spatial_design(args, options) if options else None
    table, exclusions, _ = protect_results(
        result, rules, spatial=design, permutations=(options or {}).get("permutations", 999),
        seed=(options or {}).get("rng"))
    return replace(result, table=table, exclusions=exclusions)


def describe(result: SegregationResult, min_cell: int | None = None) -> str:
    """A short summary of a result: what was computed, and what was left out."""
    table = result.table
    n_rows = len(table)
    keys = [k for k in ("area", "year") if k in table.columns]
    n_area_years = len(table.drop_duplicates(keys)) if keys else int(n_rows > 0)
    parts = [f"Computed {table['index'].nunique() if n_rows else 0} indices for "
             f"{n_area_years:,} area-years from {len(result.counts):,} unit rows."]
    if "area" in table.columns and n_rows:
        parts.append(f"Areas: {table['area'].nunique():,}.")
    if "year" in table.columns and n_rows:
        parts.append(f"Years: {table['year'].min()}-{table['year'].max()}.")
    undefined = int(table["value"].isna().sum()) if n_rows else 0
    if undefined:
        parts.append(f"{undefined:,} values are undefined (NaN, see the reason column).")
    return " ".join(parts) + "\n" + format_exclusions(result.exclusions, min_cell)


def run(args: argparse.Namespace) -> int:
    check_spatial_mode(args)
    if args.pupils:
        return run_pupils(args, protect=protect)
    check_counts_mode(args)
    keys = [c for c in (args.unit, args.area) if c]
    columns = [c for c in (args.unit, args.group_a, args.group_b, args.area, args.year,
                           args.total) if c]
    located, text = location_columns(args)
    columns = list(dict.fromkeys(columns + located))
    data = read_table(args.input, columns=columns, text_columns=keys + text, sep=args.sep,
                      encoding=args.encoding)
    with geometry_notes("indices"):
        data, location_exclusions = locate_units(args, data)
    compute, extra = segregation, {}
    if uses_spatial(args):  # the spatial rows join the same table
        from segspatial.spatial import spatial_segregation

        compute, extra = spatial_segregation, spatial_arguments(args, data)
    result = compute(
        data, args.unit, args.group_a, args.group_b, area=area_column(args), year=args.year,
        total=args.total, indices=args.indices, min_unit_size=args.min_unit_size,
        min_area_size=args.min_area_size, **extra,
    )
    result = protect(args, add_exclusions(result, location_exclusions), extra)
    write_or_print(result.table, args.output, what="results")
    if args.exclusions_output:
        write_or_print(result.exclusions, args.exclusions_output, what="exclusions")
    if not args.quiet:
        print(describe(result, args.min_cell), file=sys.stderr)
    return 0


__all__ = ["describe", "protect", "register", "run", "spatial_design"]
