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


def write_or_print(frame: pd.DataFrame, output: str | None, *, what: str,
                   stream: TextIO | None = None) -> None:
    """Write ``frame`` to ``output`` (CSV/Parquet), or as CSV to standard output."""
    if output is None or output == "-":
        frame.to_csv(stream or sys.stdout, index=False, lineterminator="\n")
        return
    path = write_table(frame, output)
    print(f"wrote {what} to {path}", file=sys.stderr)


def format_exclusions(exclusions: pd.DataFrame) -> str:
    """Human-readable lines: what was left out, per reason, with counts."""
    summary = exclusions_summary(exclusions)
    if summary.empty:
        return "Nothing was left out."
    lines = ["Left out (reason: area-years, units, pupils):"]
    for row in summary.itertuples(index=False):
        extra = "".join(f" [{getattr(row, k)}]" for k in ("theme", "comparison")
                        if k in summary.columns and pd.notna(getattr(row, k)))
        lines.append(
            f"  {row.reason}{extra}: {row.area_years:,} area-years, {int(row.n_units):,} "
            f"units, {row.n_pupils:,.0f} pupils ({row.description})"
        )
    return "\n".join(lines)


def ensure_dir(path: str | Path) -> Path:
    """Create an output folder (and parents) and return it."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise CommandError(f"--output {str(path)!r} exists and is not a folder")
    path.mkdir(parents=True, exist_ok=True)
    return path
