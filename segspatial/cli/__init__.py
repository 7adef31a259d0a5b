"""The ``segspatial`` command line: thin wiring over the Python API.

Each sub-command lives in its own module with ``register(subparsers)``; the
modules are listed in :data:`COMMAND_MODULES`. Shared options come from the option
groups of :mod:`segspatial.cli._options` (each defined once); what a command tells the
user goes through its :class:`~segspatial.cli._console.Console` (``args.console``):
errors and notes in flags, warnings as notes, ``-q`` for quiet. Nothing here computes
anything the Python API cannot.

Exit status: 0 done, 2 bad input or usage (the message says which flag, file, line or
value; also a request for more memory than the machine has), 1 a failure writing
output (permissions, a full disk), 130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from segspatial import __version__
from segspatial._write import OutputError
from segspatial.cli._common import CommandError, check_table_outputs
from segspatial.cli._console import Console
from segspatial.cli._options import (
    flag_names,
    inactive_options,
    leaf_parsers,
    option_defaults,
)

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


class _Formatter(argparse.HelpFormatter):
    """argparse's help, with one value shown for an option a command takes once
    (``--bandwidth M`` in ``map``; see ``one`` of
    :func:`segspatial.cli._options.add_group`)."""

    def _format_args(self, action: argparse.Action, default_metavar: str) -> str:
        if getattr(action, "shows_one", False):
            return self._metavar_formatter(action, default_metavar)(1)[0]
        return super()._format_args(action, default_metavar)


class _Parser(argparse.ArgumentParser):
    """argparse with a short usage on errors: one line and a pointer to ``--help``
    (the full usage of a command runs to 40 lines and hides the error), as mature
    command lines do. ``--help`` shows everything, as before."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        # no prefix matching: `--boot 10` is not `--bootstrap`, and with old spellings
        # around (map's --k is --classes) a prefix could pick the wrong option
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def short_usage(self) -> str:
        positionals = []
        for action in self._actions:
            if action.option_strings or action.help == argparse.SUPPRESS:
                continue
            metavar = action.metavar or action.dest.upper()
            positionals.append(f"{metavar} ..." if isinstance(
                action, argparse._SubParsersAction) else
                f"[{metavar}]" if action.nargs == "?" else str(metavar))
        return " ".join([f"usage: {self.prog} [-h] [OPTIONS]", *positionals])

    def error(self, message: str):  # type: ignore[override]
        self.exit(2, f"{self.short_usage()}  (try '{self.prog} --help' for every "
                     f"option)\n{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command registered."""
    parser = _Parser(
        prog="segspatial",
        description="School segregation indices (aspatial and spatial), maps and reports.",
    )
    parser.add_argument("--version", action="version", version=f"segspatial {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    for leaf in leaf_parsers(parser):
        if leaf is not parser:
            leaf.set_defaults(_prog=leaf.prog, _flags=flag_names(leaf),
                              _defaults=option_defaults(leaf))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 2 bad input, 1 failure)."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:  # named by the sub-command, as its other usage errors are
        leaf = next((p for p in leaf_parsers(parser)
                     if p.prog == getattr(args, "_prog", None)), parser)
        leaf.error(f"unrecognized arguments: {' '.join(extra)}")
    console = args.console = Console.for_args(args)
    with console.capture_warnings():
        for old, new in getattr(args, "_deprecated", ()):
            console.note(console.t("deprecated", old=old, new=new))
        for note in inactive_options(args):
            console.note(note)
        try:
            check_table_outputs(args)  # a name that cannot be written: before the work
            return int(args.handler(args) or 0)
        except BrokenPipeError:  # the reader of standard output left early (`| head`)
            _silence_stdout()
            return 141  # 128 + SIGPIPE, as a shell reports it
        except (CommandError, ValueError, TypeError, FileNotFoundError, KeyError,
                ImportError, MemoryError) as exc:  # ImportError: a missing optional extra
            # MemoryError: more asked for than the machine holds (e.g. --bootstrap 10**9)
            console.error(exc.args[0] if isinstance(exc, KeyError) and exc.args else exc)
            return 2
        except OutputError as exc:  # no permission, a full disk, a file for a folder
            flag = next((flag for dest, (_, flag) in (getattr(args, "_defaults", None)
                                                      or {}).items()
                         if isinstance(getattr(args, dest, None), str)
                         and os.path.abspath(getattr(args, dest)) ==
                         os.path.abspath(exc.path)), None)
            console.error(f"{flag} {exc.path!r}: cannot write it: {exc.reason}" if flag
                          else exc)
            return 1
        except OSError as exc:
            console.error(exc)
            return 1
        except KeyboardInterrupt:
            print("interrupted", file=sys.stderr)
            return 130


def _silence_stdout() -> None:
    """Point standard output at the null device, so that the interpreter's final flush
    does not raise again (Python's documented recipe for SIGPIPE)."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no real file behind sys.stdout
        pass


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
