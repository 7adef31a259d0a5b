"""Helpers shared by the sub-commands: common options, output, the exclusion summary."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

import pandas as pd

from segspatial.counts import exclusions_summary
from segspatial.io import write_table


class CommandError(Exception):
    """A user error detected by the CLI itself (printed without a traceback)."""


def add_read_options(parser: argparse.ArgumentParser) -> None:
    """``--sep`` and ``--encoding`` for CSV input."""
    group = parser.add_argument_group("reading CSV")
    group.add_argument("--sep", default=None,
                       help="CSV separator (default: guessed from the header)")
    group.add_argument("--encoding", default=None,
                       help="CSV encoding (default: UTF-8, else Windows-1252)")


def add_filter_options(parser: argparse.ArgumentParser, *, unit: float = 50,
                       area: float = 10000, people: str = "pupils") -> None:
    """The report's filters, ``--min-unit-size`` and ``--min-area-size``."""
    group = parser.add_argument_group("filters (0 disables)")
    group.add_argument("--min-unit-size", type=float, default=unit, metavar="N",
                       help=f"drop units with fewer {people} (default: {unit:g})")
    group.add_argument("--min-area-size", type=float, default=area, metavar="N",
                       help=f"drop areas with fewer mean {people} per year (default: "
                       f"{area:g})")


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


def add_seed_option(parser: argparse.ArgumentParser | argparse._ArgumentGroup, *,
                    what: str = "the random draws") -> None:
    """``--seed``: one seed for every random draw of a command (default: fresh entropy)."""
    parser.add_argument("--seed", type=whole_number(0), metavar="N",
                        help=f"random seed for {what}; the same seed gives the same "
                        "output (default: fresh entropy, printed in the summary)")


#: The one help text of ``--min-cell``, the same for every sub-command.
DISCLOSURE_HELP = (
    "disclosure control: nothing this command writes lets anyone work out a count below "
    "N of pupils of any group, in any school or municipality (counts rounded to "
    "multiples of 5, no school's group counts, shares in bands or whole percents, "
    "indices to 2 decimals, every municipality-year audited; see the README, "
    "'Disclosure control')")


def add_disclosure_option(parser: argparse.ArgumentParser, note: str = "", *,
                          audited: bool = True) -> None:
    """``--min-cell N``: the disclosure guarantee (one definition for every command).

    ``audited=False`` for a command whose output is protected by its own rules, not
    (yet) by :mod:`segspatial.disclosure`'s audit; ``note`` says what it does.
    """
    group = parser.add_argument_group("disclosure control")
    text = DISCLOSURE_HELP if audited else "disclosure control: counts below N withheld"
    group.add_argument("--min-cell", type=int, default=None, metavar="N",
                       help=text + (f"; {note}" if note else ""))


def require_protected(results: pd.DataFrame, min_cell: int | None, path: str) -> None:
    """With ``--min-cell N``, a results table must have been written under disclosure
    control with at least N (:func:`segspatial.disclosure.check_published`)."""
    from segspatial.disclosure import check_published

    try:
        check_published(results, min_cell, what=repr(path))
    except ValueError as exc:
        raise CommandError(f"--min-cell {min_cell}: " + str(exc).split(": ", 1)[1]
                           .replace("(or segspatial.disclosure.protect_results) ", "")
                           ) from None


def write_or_print(frame: pd.DataFrame, output: str | None, *, what: str,
                   stream: TextIO | None = None) -> None:
    """Write ``frame`` to ``output`` (CSV/Parquet), or as CSV to standard output."""
    if output is None or output == "-":
        frame.to_csv(stream or sys.stdout, index=False, lineterminator="\n")
        return
    path = write_table(frame, output)
    print(f"wrote {what} to {path}", file=sys.stderr)


def format_exclusions(exclusions: pd.DataFrame, min_cell: int | None = None) -> str:
    """Human-readable lines: what was left out, per reason, with counts.

    With ``min_cell`` (the exclusions as :func:`segspatial.disclosure.protect_exclusions`
    publishes them) each number of pupils adds up the published, rounded rows only.
    """
    summary = exclusions_summary(exclusions)
    if summary.empty:
        return "Nothing was left out."
    if min_cell is not None:
        published = exclusions.groupby(
            [k for k in ("reason", "theme", "comparison") if k in exclusions.columns],
            sort=False, dropna=False)["n_pupils"].sum(min_count=1)
        summary = summary.merge(published.rename("_published").reset_index(),
                                how="left")
        summary["n_pupils"] = summary.pop("_published")
    head = "Left out (reason: area-years, units, pupils):"
    if min_cell is not None:
        head = ("Left out (reason: area-years, units, pupils: rounded, rows below "
                f"{min_cell} and pupils without a group not counted):")
    lines = [head]
    for row in summary.itertuples(index=False):
        extra = "".join(f" [{getattr(row, k)}]" for k in ("theme", "comparison")
                        if k in summary.columns and pd.notna(getattr(row, k)))
        pupils = ("not shown" if not pd.notna(row.n_pupils) else
                  f"{row.n_pupils:,.0f}")
        lines.append(
            f"  {row.reason}{extra}: {row.area_years:,} area-years, {int(row.n_units):,} "
            f"units, {pupils} pupils ({row.description})"
        )
    return "\n".join(lines)


def ensure_dir(path: str | Path) -> Path:
    """Create an output folder (and parents) and return it."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise CommandError(f"--output {str(path)!r} exists and is not a folder")
    path.mkdir(parents=True, exist_ok=True)
    return path
