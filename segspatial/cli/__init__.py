"""The ``segspatial`` command line: thin wiring over the Python API.

Each sub-command lives in its own module with ``register(subparsers)``; the
modules are listed in :data:`COMMAND_MODULES`. Nothing here computes anything the
Python API cannot.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from segspatial import __version__
from segspatial.cli._common import CommandError

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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 2 bad input, 1 failure)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except (CommandError, ValueError, TypeError, FileNotFoundError, KeyError,
            ImportError) as exc:  # ImportError: a missing optional extra, e.g. spss
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        print(f"segspatial {args.command}: error: {message}", file=sys.stderr)
        return 2
    except OSError as exc:  # e.g. no permission to write the output, a full disk
        print(f"segspatial {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
