"""``segspatial indices`` with several groups at once and income as a continuum.

- counts input: ``--groups COL COL [COL ...]`` (instead of ``--group-a/--group-b``),
  ``--within COL`` (between/within decomposition), ``--log-base B``,
  ``--local-output FILE`` (local scores per school), ``--within-output FILE`` (the
  decomposition per cluster);
- pupil input: ``--pupils --multigroup`` (every group of each theme at once; income in
  ``--income-groups N`` groups of the national ranks) and ``--pupils
  --rank-order-income`` (H^R with the H(p) profile, ``--profile-output FILE``).

The options are the group ``multigroup`` of :mod:`segspatial.cli._options`.
"""

from __future__ import annotations

import argparse
import math
import warnings
from typing import TYPE_CHECKING

from segspatial._exceptions import SegregationWarning
from segspatial.cli._common import (
    CommandError,
    computed,
    counted,
    format_exclusions,
    read_options,
    write_or_print,
)
from segspatial.cli._console import console_of
from segspatial.cli._inference import apply_inference, describe_inference, uses_inference
from segspatial.cli._lazy import read_table

if TYPE_CHECKING:  # for annotations only: imported when a command runs
    import pandas as pd

__all__ = ["run_multigroup", "run_pupil_multigroup", "uses_multigroup",
           "uses_pupil_multigroup"]


def uses_multigroup(args: argparse.Namespace) -> bool:
    """Counts input with ``--groups``."""
    return bool(getattr(args, "groups", None))


def uses_pupil_multigroup(args: argparse.Namespace) -> bool:
    """Pupil input with ``--multigroup`` or ``--rank-order-income``."""
    return bool(getattr(args, "multigroup", False) or getattr(args, "rank_order_income",
                                                                False))


def _base(args: argparse.Namespace) -> float:
    return math.e if args.log_base is None else args.log_base


def run_multigroup(args: argparse.Namespace, *, uses_location: bool,
                   uses_spatial: bool) -> int:
    """Counts with ``--groups``: the multigroup table (and decomposition, local scores)."""
    from segspatial.cli._location import (
        add_exclusions,
        area_column,
        locate_units,
        location_columns,
    )
    from segspatial.multigroup_local import local_scores, within_components
    from segspatial.multigroup_table import multigroup_segregation

    if args.within_output and not args.within:
        raise CommandError("--within-output needs --within COL")
    if uses_spatial:
        _check_spatial(args, uses_location)
    located, located_text = location_columns(args)
    columns = [c for c in (args.unit, *args.groups, args.area, args.year, args.total,
                           args.within, *located) if c]
    text = [c for c in (args.unit, args.area, args.within, *located_text) if c]
    data = read_table(args.input, columns=list(dict.fromkeys(columns)), text_columns=text,
                      **read_options(args))
    data, location_exclusions = locate_units(args, data)  # --x/--y, --areas-from
    common = dict(area=area_column(args), year=args.year, total=args.total,
                  base=_base(args), min_unit_size=args.min_unit_size,
                  min_area_size=args.min_area_size)
    if uses_spatial:
        from segspatial.cli._location import X_COLUMN, Y_COLUMN
        from segspatial.spatial.multigroup import spatial_multigroup_segregation

        result = spatial_multigroup_segregation(
            data, args.unit, args.groups, x=X_COLUMN, y=Y_COLUMN,
            crs=data.attrs.get("location_crs"), bandwidth=args.bandwidth,
            kernel=args.kernel, k=args.k, indices=args.indices, **common)
    else:
        result = multigroup_segregation(data, args.unit, args.groups, within=args.within,
                                        indices=args.indices, **common)
    result = apply_inference(args, add_exclusions(result, location_exclusions))
    console = console_of(args)
    write_or_print(result.table, args.output, what="results", console=console)
    if args.exclusions_output:
        write_or_print(result.exclusions, args.exclusions_output, what="exclusions",
                       console=console)
    if args.local_output:
        with warnings.catch_warnings():  # the filters are in the summary below already
            warnings.simplefilter("ignore", SegregationWarning)
            scores = local_scores(data, args.unit, args.groups, **common)
        write_or_print(scores, args.local_output, what="local scores", console=console)
    if args.within_output:
        write_or_print(within_components(data, args.unit, args.groups, args.within,
                                         **common), args.within_output,
                       what="decomposition per cluster", console=console)
    console.say(_describe(result.table, len(result.counts), "unit_rows") + "\n"
                + format_exclusions(result.exclusions))
    if describe_inference(result):
        console.say(describe_inference(result))
    return 0


def _check_spatial(args: argparse.Namespace, uses_location: bool) -> None:
    """The spatial options that apply to several groups: --bandwidth or --k with
    --kernel, on units located with --x/--y/--crs or --postcode (dispersal
    environments within each area; Theil's M and H)."""
    from segspatial.cli._options import given_flags

    if not uses_location:
        raise CommandError("the spatial indices need unit locations: give --x/--y/--crs "
                           "or --postcode/--postcode-table")
    if not (args.bandwidth or args.k):
        raise CommandError("with --groups, the spatial indices are Theil's M and H of the "
                           "local environments: give --bandwidth M [M ...] or --k N")
    if args.bandwidth and args.k:
        raise CommandError("give either --bandwidth (metres) or --k (nearest units), not both")
    if args.within:
        raise CommandError("--within and the spatial options (--bandwidth, --k) are "
                           "separate tables: run them one at a time")
    other = given_flags(args, ["context", "definition", "districts", "district_code",
                               "spatial_indices", "morrill_clip", "permutations"])
    if other:
        raise CommandError(f"{', '.join(other)} {'applies' if len(other) == 1 else 'apply'} "
                           "only to two groups (--group-a/--group-b); with --groups the "
                           "spatial rows are Theil's M and H of dispersal environments "
                           "within each area")


def _describe(table: pd.DataFrame, n_rows: int, what: str) -> str:
    keys = [k for k in ("area", "year") if table[k].notna().any()] if len(table) else []
    n_area_years = len(table.drop_duplicates(keys)) if keys else int(len(table) > 0)
    groups = sorted(table["groups"].dropna().unique()) if len(table) else []
    parts = [computed(table["index"].nunique() if len(table) else 0, n_area_years, n_rows,
                      what) + (f"; groups: {'; '.join(groups)}." if groups else ".")]
    undefined = int(table["value"].isna().sum()) if len(table) else 0
    if undefined:
        parts.append(counted("undefined_values", undefined))
    return " ".join(parts)


def run_pupil_multigroup(args: argparse.Namespace) -> int:
    """Pupil rows with ``--multigroup`` and/or ``--rank-order-income``."""
    import pandas as pd

    from segspatial.cli._pupils import read_mapping
    from segspatial.multigroup_table import pupil_multigroup_segregation
    from segspatial.rankorder import DEFAULT_THRESHOLDS, rank_order_segregation

    if args.rank_order_income and not args.income:
        raise CommandError("--rank-order-income needs --income COL")
    themes = {"ethnicity": args.ethnicity, "income": args.income,
              "education": args.education}
    if not any(themes.values()):
        raise CommandError("--pupils needs at least one of --ethnicity, --income, "
                           "--education")
    columns = [c for c in (args.unit, args.area, args.year, *themes.values(), args.within)
               if c]
    text = [c for c in (args.unit, args.area, args.ethnicity, args.education, args.within)
            if c]
    maps = {"ethnicity_map": (read_mapping(args.ethnicity_map, "--ethnicity-map")
                              if args.ethnicity_map else None),
            "education_map": (read_mapping(args.education_map, "--education-map")
                              if args.education_map else None)}
    pupils = read_table(args.input, columns=list(dict.fromkeys(columns)), text_columns=text,
                        **read_options(args))
    filters = dict(min_unit_size=args.min_unit_size, min_area_size=args.min_area_size)
    tables, result, ranked = [], None, None
    if args.multigroup:
        result = pupil_multigroup_segregation(
            pupils, args.unit, area=args.area, year=args.year, **themes, **maps,
            income_missing=args.income_missing or (),
            income_groups=5 if args.income_groups is None else args.income_groups,
            within=args.within, indices=args.indices, base=_base(args), **filters)
        result = apply_inference(args, result)
        tables.append(result.table)
    if args.rank_order_income:
        ranked = rank_order_segregation(
            pupils, args.unit, income=args.income, area=args.area, year=args.year,
            income_missing=args.income_missing or (),
            thresholds=args.thresholds or DEFAULT_THRESHOLDS,
            order=4 if args.polynomial_order is None else args.polynomial_order,
            ranks=args.income_ranks or "national", **filters)
        tables.append(ranked.table)
    table = pd.concat(tables, ignore_index=True) if len(tables) > 1 else tables[0]
    main = result if result is not None else ranked
    console = console_of(args)
    write_or_print(table, args.output, what="results", console=console)
    if args.exclusions_output:  # the multigroup run counts every theme's exclusions
        write_or_print(main.exclusions, args.exclusions_output, what="exclusions",
                       console=console)
    if args.counts_output:
        write_or_print(main.counts, args.counts_output, what="counts", console=console)
    if args.profile_output:
        write_or_print(ranked.profile, args.profile_output, what="H(p) profile",
                       console=console)
    console.say(f"Read {main.parameters['n_rows']:,} pupil rows. "
                + _describe(table, len(main.counts), "unit_rows") + "\n"
                + format_exclusions(main.exclusions))
    if result is not None and describe_inference(result):
        console.say(describe_inference(result))
    if ranked is not None and uses_inference(args):
        console.say("The rank-order rows have no intervals or tests.")
    return 0
