"""Helpers shared by the sub-commands: reading and writing tables, the exclusion summary.

The shared options themselves are in :mod:`segspatial.cli._options`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from segspatial.cli._console import Console, cli_text
from segspatial.cli._lazy import exclusions_summary, write_table

if TYPE_CHECKING:  # for annotations only: imported when a command runs
    import pandas as pd


class CommandError(Exception):
    """A user error detected by the CLI itself (printed without a traceback)."""


#: The options whose value is a table file (``--output`` only for the commands below).
TABLE_OUTPUTS = ("exclusions_output", "counts_output", "local_output", "within_output",
                 "profile_output", "results_output")
_TABLE_COMMANDS = ("indices", "local", "change")


def check_table_outputs(args: argparse.Namespace) -> None:
    """Refuse, before the work, a table output whose name is not a writable format
    (:func:`segspatial._formats.table_format`); the message names the flag."""
    from segspatial._formats import table_format

    dests = [*TABLE_OUTPUTS, *(("output",) if getattr(args, "command", None)
                                in _TABLE_COMMANDS else ())]
    flags = getattr(args, "_defaults", None) or {}
    for dest in dests:
        value = getattr(args, dest, None)
        if not isinstance(value, str) or value == "-":
            continue
        try:
            table_format(value, writing=True)
        except ValueError as exc:
            flag = flags[dest][1] if dest in flags else "--" + dest.replace("_", "-")
            raise CommandError(f"{flag}: {exc}") from None


def read_options(args: argparse.Namespace) -> dict[str, Any]:
    """The reading options (group ``reading``) as keyword arguments of :func:`read_table`."""
    return {k: getattr(args, k, None) for k in ("sep", "encoding", "decimal", "thousands")}


def describe_units(args: argparse.Namespace, data: pd.DataFrame, labels: Any, *,
                   limit: int = 5) -> str:
    """Where rows of the input are, for messages: file lines and unit ids.

    ``data`` is (a subset of) a frame :func:`read_table` read, so its index labels
    are record numbers; gives e.g. ``"line 5 (unit '00AP00'), line 9 (unit '01BB00')
    and 3 more of 'counts.csv'"`` (see :func:`segspatial.io.describe_rows`).
    """
    from segspatial.io import describe_rows

    return describe_rows(data, list(labels), unit=getattr(args, "unit", None), limit=limit)


def _is_csv(path: str | Path) -> bool:
    return Path(path).suffix.lower() not in (".parquet", ".pq", ".sav", ".zsav")


def by_file_line(frame: pd.DataFrame, path: str | Path) -> pd.DataFrame:
    """``frame`` (as :func:`read_table` read ``path``) labelled by its file lines
    (``line``, the header is line 1) or, for Parquet and SPSS, rows counted from 1:
    the library's messages then name rows as the user sees them."""
    import pandas as pd  # when a command runs (``--help`` stays quick)

    frame = frame.copy()
    first = 2 if _is_csv(path) else 1
    frame.index = pd.RangeIndex(first, first + len(frame),
                                name="line" if _is_csv(path) else "row")
    return frame


def one_value(args: argparse.Namespace, dest: str, what: str) -> Any:
    """The one value of an option that takes several elsewhere (``--bandwidth 500``)."""
    values = getattr(args, dest)
    if values is None:
        return None
    if len(values) > 1:
        shown = " ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in values)
        raise CommandError(f"--{dest.replace('_', '-')}: {what} shows one; got "
                           f"{len(values)} ({shown})")
    return values[0]


def whole_number(minimum: int):
    """An argparse ``type``: a whole number of at least ``minimum`` (messages name the flag)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") \
                from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        return value

    return parse


def write_or_print(frame: pd.DataFrame, output: str | None, *, what: str,
                   console: Console, stream: TextIO | None = None) -> None:
    """Write ``frame`` to ``output`` (CSV/Parquet), or as CSV to standard output."""
    if output is None or output == "-":
        from segspatial.schema import typed  # the same text as write_table's CSV

        typed(frame).to_csv(stream or sys.stdout, index=False, lineterminator="\n")
        return
    console.wrote(write_table(frame, output), what)


def require_protected(results: pd.DataFrame, min_cell: int | None, path: str) -> None:
    """With ``--min-cell N``, a results table must have been written under disclosure
    control with at least N (:func:`segspatial.disclosure.check_published`)."""
    from segspatial.disclosure import check_published

    try:
        check_published(results, min_cell, what=repr(path))
    except ValueError as exc:
        raise CommandError(f"--min-cell {min_cell}: " + str(exc).split(": ", 1)[1]
                           .replace(" (or segspatial.disclosure.protect_results)", "")
                           ) from None


def format_exclusions(exclusions: pd.DataFrame, min_cell: int | None = None,
                      lang: str = "en") -> str:
    """Human-readable lines: what was left out, per reason, with counts.

    With ``min_cell`` (the exclusions as :func:`segspatial.disclosure.protect_exclusions`
    publishes them) each number of pupils adds up the published, rounded rows only.
    Rows that total several area-years (the report's per-area rows) carry their number
    in an ``area_years`` column (see :func:`segspatial.counts.exclusions_summary`).
    Words and numbers in ``lang`` (the ``[cli]`` catalogue table); the reason is its
    code, explained by the exclusions' English ``description`` in English and by the
    catalogue's ``exclusion_reason`` table in other languages.
    """
    import pandas as pd

    from segspatial._format import Formatter
    from segspatial.text import lookup, plural, t

    def say(key: str, **values: object) -> str:
        return t(lang, f"cli.{key}", **values)

    count = Formatter(lang).count

    def counted(key: str, n: object) -> str:  # "3 units", "1 unit"
        return plural(lang, f"cli.{key}", n, n=count(n))

    summary = exclusions_summary(exclusions)
    if summary.empty and min_cell is not None:
        # the published rows leave out area-years undefined because a group or the
        # schools of the comparison are missing (that alone is a count below N): never
        # claim that nothing was left out; say where such pupils may be, which the
        # results already publish (their reason is "not shown")
        return say("nothing_shown", n=min_cell)
    if summary.empty:
        return say("nothing_left_out")
    if min_cell is not None:
        published = exclusions.groupby(
            [k for k in ("reason", "theme", "comparison") if k in exclusions.columns],
            sort=False, dropna=False)["n_pupils"].sum(min_count=1)
        summary = summary.merge(published.rename("_published").reset_index(),
                                how="left")
        summary["n_pupils"] = summary.pop("_published")
    lines = [say("left_out_head") if min_cell is None
             else say("left_out_head_min_cell", n=min_cell)]
    for row in summary.itertuples(index=False):
        # the comparison (else the theme) in words, the reason's code last as a search
        # key
        words = [lookup(lang, f"{table}.{value}") or str(value)
                 for table, value in (("theme_name", getattr(row, "theme", None)),
                                      ("comparison_name", getattr(row, "comparison", None)))
                 if value is not None and pd.notna(value)][-1:]
        pupils = (say("pupils_not_shown") if not pd.notna(row.n_pupils)
                  else counted("n_pupils", row.n_pupils))
        description = row.description
        if lang != "en" or not description:
            description = lookup(lang, f"exclusion_reason.{row.reason}") or description
        # the library's description names its Python arguments ("(min_area_size)")
        description = cli_text(str(description), _filter_flags())
        if words:
            description = t(lang, "wording.left_out_what", description=description,
                            what="; ".join(words))
        lines.append("  " + say("left_out_line", reason=row.reason,
                                area_years=counted("n_area_years", row.area_years),
                                units=counted("n_units", row.n_units), pupils=pupils,
                                description=description))
    if min_cell is not None:
        lines.append("  " + t(lang, "wording.left_out_not_counted", n=min_cell))
    return "\n".join(lines)


def counted(key: str, n: Any, lang: str = "en") -> str:
    """``cli.<key>`` for the count ``n`` ("3 unit rows", "1 unit row"), in ``lang``."""
    from segspatial._format import Formatter
    from segspatial.text import plural

    return plural(lang, f"cli.{key}", n, n=Formatter(lang).count(n))


def computed(indices: int, area_years: int, rows: int, what: str,
             lang: str = "en") -> str:
    """``Computed 5 indices for 40 area-years from 1,234 unit rows`` (without a full
    stop), each count with its noun in the singular or plural; ``what`` is the key of
    the rows' noun (``unit_rows``)."""
    from segspatial.text import t

    return t(lang, "cli.computed", indices=counted("n_indices", indices, lang),
             area_years=counted("n_area_years", area_years, lang),
             rows=counted(f"n_{what}", rows, lang))


def _filter_flags() -> dict[str, str]:
    """``min_area_size -> --min-area-size``: the options of the ``filters`` group."""
    from segspatial.cli._options import GROUPS

    return {opt.dest: opt.flags[0] for opt in GROUPS["filters"].options}


def require_rows(result: Any, what: str,
                 describe: Callable[[pd.DataFrame], str] | None = None) -> None:
    """Refuse to go on with an empty result: every area was left out (say why, with
    ``describe`` of the exclusions: :func:`format_exclusions` by default, the published
    numbers with ``--min-cell``)."""
    if not result.table.empty:
        return
    text = (describe or format_exclusions)(result.exclusions)
    summary = "; ".join(line.strip() for line in text.splitlines()[1:])
    raise CommandError(f"nothing to {what}: every area was left out ({summary}); "
                       "lower --min-area-size or --min-unit-size")


def ensure_dir(path: str | Path) -> Path:
    """Create an output folder (and parents) and return it (OutputError if it cannot
    be: the CLI names the flag that gave it)."""
    from segspatial._write import ensure_folder

    return ensure_folder(path)
