"""``segspatial indices --pupils``: the report's comparisons from a pupil-level file.

The options are the group ``pupils`` of :mod:`segspatial.cli._options`.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from segspatial.cli._common import (
    CommandError,
    format_exclusions,
    read_options,
    write_or_print,
)
from segspatial.cli._console import console_of
from segspatial.cli._lazy import has_values, pupil_segregation, read_table

if TYPE_CHECKING:  # for annotations only: imported when a command runs

    from segspatial.compute import SegregationResult

__all__ = ["check_counts_mode", "compute_pupils", "read_mapping", "run_pupils"]

_PUPIL_ONLY = ("ethnicity", "income", "education", "comparisons", "ethnicity_map",
               "education_map", "income_missing", "counts_output", "scheduler",
               "memory_limit")


def check_counts_mode(args: argparse.Namespace) -> None:
    """In counts mode, both group columns are needed and pupil options make no sense."""
    given = [f"--{name.replace('_', '-')}" for name in _PUPIL_ONLY
             if getattr(args, name, None) is not None]
    if getattr(args, "engine", "pandas") not in (None, "pandas"):
        given.append("--engine")
    if given:
        verb = "needs" if len(given) == 1 else "need"
        raise CommandError(f"{', '.join(given)} {verb} --pupils (pupil-level input)")
    if not (args.group_a and args.group_b):
        missing = [o for o, v in (("--group-a", args.group_a), ("--group-b", args.group_b))
                   if not v]
        raise CommandError(
            f"{' and '.join(missing)} required for a counts file (one row per unit, a "
            "column per group), or --groups COL COL ... for several groups at once; for "
            "pupil-level data pass --pupils"
        )


def read_mapping(path: str, option: str) -> dict[str, str | None]:
    """A two-column CSV (code, group) as a dict; an empty group means 'unknown'."""
    import pandas as pd

    header = read_table(path)
    if header.shape[1] != 2:
        raise CommandError(
            f"{option} {path!r} must have two columns (code, group); it has "
            f"{header.shape[1]}: {list(map(str, header.columns))!r}"
        )
    frame = read_table(path, text_columns=list(header.columns))
    codes, groups = frame.iloc[:, 0], frame.iloc[:, 1]
    if codes.isna().any():
        raise CommandError(f"{option} {path!r} has rows without a code")
    return {str(c): (None if pd.isna(g) else str(g)) for c, g in zip(codes, groups,
                                                                      strict=True)}


def _comparisons(values: list[str] | None) -> list[str | tuple[str, str]] | None:
    if values is None:
        return None
    out: list[str | tuple[str, str]] = []
    for v in values:
        if ":" in v:
            a, _, b = v.partition(":")
            out.append((a, b))
        else:
            out.append(v)
    return out


def describe_pupils(result: SegregationResult, min_cell: int | None = None) -> str:
    """What was computed from the pupils, and what was left out."""
    table = result.table
    parts = [f"Read {result.parameters['n_rows']:,} pupil rows; computed "
             f"{table['index'].nunique() if len(table) else 0} indices for "
             f"{len(result.parameters['comparisons'])} comparisons from "
             f"{len(result.counts):,} unit rows."]
    if has_values(table, "area") and len(table):
        parts.append(f"Areas: {table['area'].nunique():,}.")
    if has_values(table, "year") and len(table):
        parts.append(f"Years: {table['year'].min()}-{table['year'].max()}.")
    undefined = int(table["value"].isna().sum()) if len(table) else 0
    if undefined:
        parts.append(f"{undefined:,} values are undefined (NaN, see the reason column).")
    return " ".join(parts) + "\n" + format_exclusions(result.exclusions, min_cell)


def compute_pupils(args: argparse.Namespace) -> SegregationResult:
    """Check the pupil options, read the pupil rows and compute the comparisons.

    Shared by ``segspatial indices --pupils`` and ``segspatial report --pupils``.
    """
    used = [f"--{o}" for o, v in (("group-a", args.group_a), ("group-b", args.group_b),
                                  ("total", args.total)) if v]
    if used:
        raise CommandError(
            f"{', '.join(used)} cannot be used with --pupils: groups come from "
            "--ethnicity, --income and --education"
        )
    themes = {"ethnicity": args.ethnicity, "income": args.income,
              "education": args.education}
    if not any(themes.values()):
        raise CommandError("--pupils needs at least one of --ethnicity, --income, "
                           "--education")
    columns = [c for c in (args.unit, args.area, args.year, *themes.values()) if c]
    text = [c for c in (args.unit, args.area, args.ethnicity, args.education) if c]
    ethnicity_map = (read_mapping(args.ethnicity_map, "--ethnicity-map")
                     if args.ethnicity_map else None)
    education_map = (read_mapping(args.education_map, "--education-map")
                     if args.education_map else None)
    engine = getattr(args, "engine", None) or "pandas"
    options = {}
    if getattr(args, "scheduler", None):
        if engine != "dask":
            raise CommandError("--scheduler is for --engine dask")
        options["scheduler"] = args.scheduler
    if getattr(args, "memory_limit", None):
        if engine != "duckdb":
            raise CommandError("--memory-limit is for --engine duckdb")
        options["memory_limit"] = args.memory_limit
    if engine == "pandas":
        pupils = read_table(args.input, columns=columns, text_columns=text,
                            **read_options(args))
    else:
        given = [f"--{k}" for k, v in read_options(args).items() if v is not None]
        if given:
            raise CommandError(f"{', '.join(given)} cannot be used with --engine {engine} "
                               "(it reads UTF-8 CSV with a detected separator, or Parquet); "
                               "use --engine pandas")
        pupils = args.input
    return pupil_segregation(
        pupils, args.unit, area=args.area, year=args.year, **themes,
        engine=engine, engine_options=options or None,
        comparisons=_comparisons(args.comparisons), ethnicity_map=ethnicity_map,
        education_map=education_map, income_missing=args.income_missing or (),
        indices=getattr(args, "indices", None), min_unit_size=args.min_unit_size,
        min_area_size=args.min_area_size,
    )


def run_pupils(args: argparse.Namespace, protect=None) -> int:
    """Read pupil rows, compute the comparisons, write the results (``protect``: the
    ``--min-cell`` step of :mod:`segspatial.cli.indices`)."""
    from segspatial.cli._location import uses_location

    if getattr(args, "min_cell", None) is not None and args.counts_output:
        raise CommandError("--counts-output writes every school's group counts: it cannot "
                           "be combined with --min-cell")
    if uses_location(args):
        raise CommandError(
            "the location options (--x/--y, --postcode, --areas-from) cannot be used with "
            "--pupils; give the school's municipality with --area, or write the counts "
            "with --counts-output and run `segspatial indices` on them"
        )
    from segspatial.cli._inference import apply_inference, describe_inference

    console = console_of(args)
    result = apply_inference(args, compute_pupils(args))
    counts = result.counts
    if protect is not None:
        result = protect(args, result)
    write_or_print(result.table, args.output, what="results", console=console)
    if args.exclusions_output:
        write_or_print(result.exclusions, args.exclusions_output, what="exclusions",
                       console=console)
    if args.counts_output:
        write_or_print(counts, args.counts_output, what="counts", console=console)
    console.say(describe_pupils(result, getattr(args, "min_cell", None)))
    if describe_inference(result):
        console.say(describe_inference(result))
    return 0
