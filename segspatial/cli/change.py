"""``segspatial change``: per area, the change between two years and the trend.

INPUT is either the counts (or with ``--pupils`` the pupils), read with the options of
``segspatial indices`` (then the change is bootstrapped), or a results table written by
``segspatial indices --bootstrap N`` (no ``--unit``: normal approximation from its
``se`` column).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from segspatial._defaults import CHANGE_BOOTSTRAP
from segspatial.cli._common import (
    CommandError,
    by_file_line,
    format_exclusions,
    read_options,
    require_rows,
    write_or_print,
)
from segspatial.cli._console import console_of
from segspatial.cli._inference import check_inference_options, inference_arguments
from segspatial.cli._lazy import read_table
from segspatial.cli._options import add_group, given_flags
from segspatial.cli._pupils import compute_pupils
from segspatial.cli.indices import add_input_options, compute_counts

if TYPE_CHECKING:  # for annotations only: imported when a command runs
    import pandas as pd

__all__ = ["describe_change", "register", "run"]


#: What the change of a results table (no --unit) uses.
_TABLE_OPTIONS = ("from_year", "to_year", "trend", "ci", "sep", "encoding", "output",
                  "quiet")


def _year(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a year such as 2018, got {text!r}") \
            from None


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "change",
        help="change over time per area: difference between two years and trend",
        description="Per area, comparison and index: the difference between two years "
        "(default: the first and the last) and the linear trend over the years, with "
        "bootstrap confidence intervals and p-values, as one tidy table. INPUT is the "
        "counts (options as for `segspatial indices`; the change is bootstrapped) or a "
        "results table of `segspatial indices --bootstrap N` (give no --unit; normal "
        "approximation from its se column). 'rising'/'falling' only when the interval "
        "excludes zero, else 'no_clear_change'.",
    )
    p.add_argument("input", metavar="RESULTS_OR_INPUT",
                   help="counts or pupil file (with --unit), or a results table with se")
    add_input_options(p)
    group = p.add_argument_group("change")
    group.add_argument("--from-year", type=_year, metavar="YEAR",
                       help="first year compared (default: per area, the first year with "
                       "a value)")
    group.add_argument("--to-year", type=_year, metavar="YEAR",
                       help="last year compared (default: the last year with a value)")
    group.add_argument("--no-trend", dest="trend", action="store_false",
                       help="only the difference, no linear trend")
    group.add_argument("--decompose", action="store_true",
                       help="split each difference of Theil's H or M into additions, "
                       "removals, group_marginal, unit_marginal and structural parts "
                       "(Elbers 2021; R segregation::mutual_difference), five more rows "
                       "each; schools are matched across years by --unit (counts input)")
    add_group(p, "inference", skip=("null_draws", "alternative"),
              defaults={"bootstrap": CHANGE_BOOTSTRAP},
              default_text={"bootstrap": f"{CHANGE_BOOTSTRAP:,}: a change is only "
                            "stated with its interval"})
    add_group(p, "random")
    add_group(p, "output", skip=("exclusions_output",),
              output_help="change table (.csv or .parquet; default: CSV on standard output)")
    p.add_argument("--results-output", metavar="FILE",
                   help="also write the results table with its intervals (counts input)")
    add_group(p, "disclosure")
    p.set_defaults(handler=run)


def _check_disclosure(args: argparse.Namespace) -> None:
    """With ``--min-cell``: refuse what the audit does not cover (as ``indices``), and
    the decomposition (its parts come from every school's exact counts)."""
    from segspatial.cli.indices import check_disclosure

    if getattr(args, "min_cell", None) is None:
        return
    if args.decompose:
        raise CommandError("--min-cell cannot be combined with --decompose: its parts come "
                           "from every school's exact counts, which the disclosure audit "
                           "does not cover")
    shaping = given_flags(args, ["bootstrap", "ci", "cluster", "interval", "jobs", "seed"])
    if shaping:
        raise CommandError(f"--min-cell cannot be combined with {', '.join(shaping)}: in "
                           "disclosure mode the change table holds the differences and "
                           "trends of the published values, without intervals (they come "
                           "from the exact counts, which the audit does not cover)")
    bootstrap, null_draws = args.bootstrap, getattr(args, "null_draws", 0)
    try:  # the change's own bootstrap is withheld, not refused
        args.bootstrap, args.null_draws = 0, 0
        check_disclosure(args)
    finally:
        args.bootstrap, args.null_draws = bootstrap, null_draws


def _run_protected(args: argparse.Namespace, result) -> int:
    """The change table of disclosure mode: differences and trends of the published
    (audited, rounded) values; no intervals (see
    :func:`segspatial.disclosure.protect_change`)."""
    from segspatial.cli.indices import protect
    from segspatial.disclosure import policy, protect_change

    published = protect(args, result)
    out = protect_change(published.table, policy(args.min_cell), from_year=args.from_year,
                         to_year=args.to_year, trend=args.trend)
    console = console_of(args)
    write_or_print(out, args.output, what="changes", console=console)
    if args.results_output:
        write_or_print(published.table, args.results_output, what="results",
                       console=console)
    console.say(describe_change(out) + "\n"
                + f"Disclosure control (--min-cell {args.min_cell}): the changes are "
                "differences and trends of the published values (rounded, withheld where "
                "the audit requires); their intervals and p-values are not shown "
                "(interval = withheld).\n"
                + format_exclusions(published.exclusions, args.min_cell))
    return 0


def describe_change(table: pd.DataFrame) -> str:
    """How many changes were computed, and how many are clear."""
    if table.empty:
        return "No changes computed."
    lines = []
    for statistic, part in table.groupby("statistic", sort=False):
        counts = part["direction"].value_counts()
        undefined = int(part["reason"].notna().sum())
        if (part["interval"] == "withheld").any():  # disclosure mode: no directions
            lines.append(f"{statistic}: {len(part):,} series, undefined {undefined:,}; "
                         "no rising/falling without an interval")
            continue
        lines.append(
            f"{statistic}: {len(part):,} series; rising {counts.get('rising', 0):,}, "
            f"falling {counts.get('falling', 0):,}, no clear change "
            f"{counts.get('no_clear_change', 0):,}, undefined {undefined:,}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from segspatial.inference import change, infer

    from_year, to_year, trend = args.from_year, args.to_year, args.trend
    if not args.unit:
        # a results table: only the years, the level of the normal intervals, reading
        # and output apply; every other option would be silently ignored
        used = given_flags(args, besides=_TABLE_OPTIONS)
        if used:
            verb = "needs" if len(used) == 1 else "need"
            raise CommandError(f"{', '.join(used)} {verb} --unit (counts input); without "
                               "--unit RESULTS_OR_INPUT is a results table (its change "
                               "takes --from-year, --to-year, --no-trend and --ci)")
        table = by_file_line(read_table(args.input, text_columns=[
            "area", "comparison", "group_a", "group_b", "index", "kernel"],
            **read_options(args)), args.input)
        try:
            out = change(table, from_year=from_year, to_year=to_year, trend=trend,
                         level=args.ci)
        except ValueError as exc:
            hint = ("; for a counts or pupil file, name its unit column with --unit (the "
                    "change is then bootstrapped)" if "not a results table" in str(exc)
                    else "")
            raise CommandError(f"{args.input!r}: {exc}{hint}") from None
        console = console_of(args)
        write_or_print(out, args.output, what="changes", console=console)
        console.say(describe_change(out))
        return 0
    if args.bootstrap == 0:
        raise CommandError("--bootstrap must be at least 2 to bootstrap the change")
    check_inference_options(args)
    _check_disclosure(args)
    result = compute_pupils(args) if args.pupils else compute_counts(args)
    require_rows(result, "compare")
    if getattr(args, "min_cell", None) is not None:
        return _run_protected(args, result)
    inf = infer(result, change=True, from_year=from_year, to_year=to_year, trend=trend,
                decomposition=args.decompose, **inference_arguments(args))
    console = console_of(args)
    write_or_print(inf.change, args.output, what="changes", console=console)
    if args.results_output:
        write_or_print(inf.result.table, args.results_output, what="results",
                       console=console)
    console.say(describe_change(inf.change) + "\n"
                + f"{args.bootstrap:,} bootstrap replicates per area-year (seed "
                f"{inf.result.parameters['inference']['seed_entropy']}).\n"
                + format_exclusions(inf.result.exclusions))
    return 0
