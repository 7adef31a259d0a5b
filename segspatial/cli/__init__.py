"""The ``segspatial`` command line: thin wiring over the Python API.

Each sub-command lives in its own module with ``register(subparsers)``; the
modules are listed in :data:`COMMAND_MODULES`. Shared options come from the option
groups of :mod:`segspatial.cli._options` (each defined once); what a command tells the
user goes through its :class:`~segspatial.cli._console.Console` (``args.console``):
errors and notes in flags, warnings as notes, ``-q`` for quiet. Nothing here computes
anything the Python API cannot.

Exit status: 0 done, 2 bad input or usage (the message says which flag, file, line or
value), 1 a failure writing output (permissions, a full disk), 130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from segspatial import __version__
from segspatial.cli._common import CommandError
from segspatial.cli._console import Console
from segspatial.cli._options import flag_names, leaf_parsers

__all__ = ["COMMAND_MODULES", "build_parser", "main"]

#: Sub-command modules, in the order ``segspatial --help`` lists them.
COMMAND_MODULES = (
    "segspatial.cli.indices",
    "segspatial.cli.change",
    "segspatial.cli.local",
    "segspatial.cli.demo",
    "segspatial.cli.list_indices",
    "segspatial.cli.map",
    "segspatial.cli.heatmap",
    "segspatial.cli.schools",
    "segspatial.cli.boundaries",
    "segspatial.cli.join",
    "segspatial.cli.report",
    "segspatial.cli.monitor",
    "segspatial.cli.qgis_plugin",
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command registered."""
    parser = argparse.ArgumentParser(
        prog="segspatial",
        description="School segregation indices (aspatial and spatial), maps and reports.",
    )
    parser.add_argument("--version", action="version", version=f"segspatial {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    for leaf in leaf_parsers(parser):
        if leaf is not parser:
            leaf.set_defaults(_prog=leaf.prog, _flags=flag_names(leaf))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 2 bad input, 1 failure)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    console = args.console = Console.for_args(args)
    with console.capture_warnings():
        for note in getattr(args, "_deprecated", ()):
            console.note(note)
        try:
            return int(args.handler(args) or 0)
        except (CommandError, ValueError, TypeError, FileNotFoundError, KeyError,
                ImportError) as exc:  # ImportError: a missing optional extra, e.g. spss
            console.error(exc.args[0] if isinstance(exc, KeyError) and exc.args else exc)
            return 2
        except OSError as exc:  # e.g. no permission to write the output, a full disk
            console.error(exc)
            return 1
        except KeyboardInterrupt:
            print("interrupted", file=sys.stderr)
            return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
