"""``segspatial indices``: the results table from a counts file."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from segspatial.cli._common import (
    CommandError,
    computed,
    counted,
    format_exclusions,
    read_options,
    write_or_print,
)
from segspatial.cli._console import console_of
from segspatial.cli._inference import (
    apply_inference,
    check_inference_options,
    describe_inference,
    note_few_replicates,
    uses_inference,
)
from segspatial.cli._lazy import has_values, read_table, segregation
from segspatial.cli._location import (
    add_exclusions,
    area_column,
    locate_units,
    location_columns,
    uses_location,
)
from segspatial.cli._modes import check_mode_options
from segspatial.cli._multigroup import (
    run_multigroup,
    run_pupil_multigroup,
    uses_multigroup,
    uses_pupil_multigroup,
)
from segspatial.cli._options import add_group
from segspatial.cli._pupils import check_counts_mode, run_pupils
from segspatial.cli._spatial import check_spatial_mode, spatial_arguments, uses_spatial

if TYPE_CHECKING:  # for annotations only: imported when a command runs
    from segspatial.compute import SegregationResult


def add_input_options(p: argparse.ArgumentParser) -> None:
    """The option groups that say how to read INPUT and compute the results table.

    Shared by ``segspatial indices`` and ``segspatial change``.
    """
    add_group(p, "columns", skip=("name",))
    p.add_argument("--indices", nargs="+", metavar="NAME",
                   help="indices to compute (default: the five built-in ones, or with "
                   "--groups the multigroup ones; see `segspatial list-indices`)")
    add_group(p, "filters")
    add_group(p, "pupils")
    add_group(p, "multigroup")
    add_group(p, "location")
    add_group(p, "areas")
    add_group(p, "boundaries", only=("area_code", "boundaries_crs", "boundaries_layer"))
    add_group(p, "reading")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "indices",
        help="compute segregation indices from a counts file",
        description="Compute the segregation indices for every area and year of a "
        "counts table (one row per unit per year, a column per group) and write one "
        "tidy table, optionally with bootstrap intervals (--bootstrap) and randomisation "
        "tests (--null-draws). Prints what was left out, and why.",
    )
    p.add_argument("input", metavar="INPUT",
                   help="counts file (.csv or .parquet), or with --pupils a pupil file "
                   "(.csv, .parquet, or .sav with the 'spss' extra)")
    add_input_options(p)
    add_group(p, "spatial", skip=("district_size",))
    add_group(p, "inference")
    add_group(p, "random")
    add_group(p, "output", output_help="results file (.csv or .parquet; default: CSV on "
              "standard output)")
    add_group(p, "disclosure")
    p.set_defaults(handler=run)


def check_disclosure(args: argparse.Namespace) -> None:
    """With ``--min-cell``, refuse what the audit does not cover (yet): multigroup
    indices, bootstrap intervals and randomisation tests (their numbers come from
    exact counts and random draws the audit does not recompute), the neighbours of
    other municipalities (``--context all``). The two-group indices and their spatial
    variants (spatial D, H, exposure and isolation) are audited."""
    if getattr(args, "min_cell", None) is None:
        return
    given = [flag for flag, used in (
        ("--groups/--multigroup", uses_multigroup(args) or uses_pupil_multigroup(args)),
        ("--bootstrap/--null-draws", uses_inference(args)),
        ("--context all", getattr(args, "context", "area") == "all")) if used]
    if given:
        raise CommandError(
            f"--min-cell cannot be combined with {', '.join(given)}: the disclosure audit "
            "covers the two-group indices and their spatial variants; compute those "
            "numbers inside the secure environment only")


def protect(args: argparse.Namespace, result: SegregationResult) -> SegregationResult:
    """The result as ``--min-cell`` publishes it (unchanged without it): audited, with
    the spatial indices of the options (:func:`segspatial.disclosure.protect_results`)."""
    from dataclasses import replace

    from segspatial.disclosure import policy, protect_results, spatial_design

    rules = policy(getattr(args, "min_cell", None))
    if rules is None:
        return result
    params = result.parameters or {}
    design = spatial_design(params, districts=getattr(args, "districts", None),
                            district_code=getattr(args, "district_code", None))
    table, exclusions, _ = protect_results(
        result, rules, spatial=design, permutations=int(params.get("permutations", 999)),
        seed=getattr(args, "seed", None))
    return replace(result, table=table, exclusions=exclusions)


def compute_counts(args: argparse.Namespace) -> SegregationResult:
    """Read a counts file (locating units if asked) and compute the results table."""
    if not args.unit:
        raise CommandError("--unit is required: the unit (school) column")
    check_counts_mode(args)
    keys = [c for c in (args.unit, args.area) if c]
    columns = [c for c in (args.unit, args.group_a, args.group_b, args.area, args.year,
                           args.total) if c]
    located, text = location_columns(args)
    columns = list(dict.fromkeys(columns + located))
    data = read_table(args.input, columns=columns, text_columns=keys + text,
                      **read_options(args))
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
    return add_exclusions(result, location_exclusions)


def describe(result: SegregationResult, min_cell: int | None = None) -> str:
    """A short summary of a result: what was computed, and what was left out."""
    table = result.table
    n_rows = len(table)
    keys = [k for k in ("area", "year") if k in table.columns]
    n_area_years = len(table.drop_duplicates(keys)) if keys else int(n_rows > 0)
    parts = [computed(table["index"].nunique() if n_rows else 0, n_area_years,
                      len(result.counts), "unit_rows") + "."]
    if has_values(table, "area") and n_rows:
        parts.append(f"Areas: {table['area'].nunique():,}.")
    if has_values(table, "year") and n_rows:
        parts.append(f"Years: {table['year'].min()}-{table['year'].max()}.")
    undefined = int(table["value"].isna().sum()) if n_rows else 0
    if undefined:
        parts.append(counted("undefined_values", undefined))
    return " ".join(parts) + "\n" + format_exclusions(result.exclusions, min_cell)


def run(args: argparse.Namespace) -> int:
    check_spatial_mode(args)
    check_inference_options(args)
    if not args.unit:
        raise CommandError("--unit is required: the unit (school) column")
    check_mode_options(args)
    check_disclosure(args)
    note_few_replicates(args)
    if args.pupils or uses_multigroup(args):
        if args.pupils and not uses_pupil_multigroup(args):
            return run_pupils(args, protect=protect)
        if args.pupils:
            return run_pupil_multigroup(args)
        return run_multigroup(args, uses_location=uses_location(args),
                              uses_spatial=uses_spatial(args))
    result = protect(args, apply_inference(args, compute_counts(args)))
    console = console_of(args)
    write_or_print(result.table, args.output, what="results", console=console)
    if args.exclusions_output:
        write_or_print(result.exclusions, args.exclusions_output, what="exclusions",
                       console=console)
    console.say(describe(result, args.min_cell))
    if describe_inference(result):
        console.say(describe_inference(result))
    return 0


__all__ = ["add_input_options", "check_disclosure", "compute_counts", "describe", "protect",
           "register", "run"]
