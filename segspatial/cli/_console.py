"""What a sub-command tells the user: errors, notes, summaries, 'wrote' lines.

One :class:`Console` per run (``args.console``, made by :func:`segspatial.cli.main`):

- ``error`` always prints ``segspatial CMD: error: ...`` (standard error);
- ``note`` prints ``segspatial CMD: note: ...``; every Python warning raised while the
  command runs arrives here too (:meth:`Console.capture_warnings`), once per message,
  never as a raw warning with a source line;
- ``say`` (summaries) and ``wrote`` (``wrote WHAT to PATH``) print to standard error;
- with ``-q`` only errors print (data a command writes to standard output by request,
  such as a CSV without ``--output``, is not a message and still prints).

Summaries, "wrote" lines and the command line's own notes take their words from the
text catalogue (:mod:`segspatial.text`, the ``[cli]`` table) in the language of
``--lang`` for the commands that have it (``report``, ``monitor``, ``demo``, ``map``,
``schools``, ``heatmap``), else English (:attr:`Console.lang`, :meth:`Console.t`).
segspatial's warnings are notes in that language too (each carries its catalogue
key and values, :class:`segspatial._exceptions.CatalogueWarning`); another
library's warning (pandas, pyogrio, numpy) is one tidy line ``library warns: message`` in its
own words. Error messages stay English: they name flags, columns and values.

Every line is printed through :func:`terminal_text`: control characters and invisible
format characters (ANSI/OSC escape sequences, bidi overrides) from input text, such
as a school or area name in a summary, are shown escaped (``\\x1b``, ``\\u202e``),
never sent to the terminal, which would run them (colours, cleared screens, window
titles, clipboard writes) or reorder the line.

Errors and notes pass through :func:`cli_text` (:func:`segspatial._messages.in_names`,
shared with the QGIS provider), which turns the Python argument names of library
messages into the command's flags (``bandwidth=`` -> ``--bandwidth``,
``min_area_size`` -> ``--min-area-size``, ``rng`` -> ``--seed``).
"""

from __future__ import annotations

import argparse
import re
import sys
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from segspatial._messages import in_names as cli_text

__all__ = ["Console", "cli_text", "console_of", "lang_of", "terminal_text"]

# C0 and C1 controls but newline and tab, DEL, and the invisible format characters
# that reorder or hide text (Unicode bidi controls, zero-width characters, BOM)
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e"
                     "\u2060-\u2069\ufeff]")


def terminal_text(text: str) -> str:
    """``text`` as it may reach a terminal: control and invisible format characters
    escaped as Python writes them (``\\x1b``, ``\\u202e``), newlines and tabs kept.

    >>> terminal_text("De Regenboog\\x1b[2J\\u202e")
    'De Regenboog\\\\x1b[2J\\\\u202e'
    """
    return _UNSAFE.sub(lambda m: repr(m.group())[1:-1], text)


@dataclass
class Console:
    """Messages of one run of a sub-command (see the module docstring)."""

    prog: str = "segspatial"
    quiet: bool = False
    flags: Mapping[str, str] = field(default_factory=dict)
    stream: TextIO | None = None
    lang: str = "en"
    _seen: set[str] = field(default_factory=set)

    @classmethod
    def for_args(cls, args: argparse.Namespace, stream: TextIO | None = None) -> Console:
        return cls(prog=getattr(args, "_prog", "segspatial"),
                   quiet=bool(getattr(args, "quiet", False)),
                   flags=getattr(args, "_flags", None) or {}, stream=stream,
                   lang=lang_of(args))

    @property
    def _out(self) -> TextIO:
        return self.stream or sys.stderr

    @property
    def interactive(self) -> bool:
        """True when messages go to a terminal (progress bars make sense)."""
        return bool(getattr(self._out, "isatty", lambda: False)())

    def t(self, key: str, **values: Any) -> str:
        """The catalogue's ``cli.<key>`` in the run's language, values filled in."""
        from segspatial.text import t

        return t(self.lang, f"cli.{key}", **values)

    def tn(self, key: str, count: Any, **values: Any) -> str:
        """:meth:`t` of the variant of ``cli.<key>`` for ``count`` (``_one``, ``_none``, ...
        where the catalogue has them)."""
        from segspatial.text import plural

        return plural(self.lang, f"cli.{key}", count, **values)

    def count(self, value: Any) -> str:
        """A count the way the run's language writes it (``12,345`` / ``12.345``)."""
        from segspatial._format import Formatter

        return Formatter(self.lang).count(value)

    def text(self, message: Any) -> str:
        """A library message in flags (see :func:`cli_text`)."""
        return cli_text(str(message), self.flags)

    def error(self, message: Any) -> None:
        """Print an error (always)."""
        print(terminal_text(f"{self.prog}: error: {self.text(message)}"), file=self._out)

    def note(self, message: Any) -> None:
        """Print a note once (not with ``-q``)."""
        text = self.text(message)
        if self.quiet or text in self._seen:
            return
        self._seen.add(text)
        print(terminal_text(f"{self.prog}: note: {text}"), file=self._out)

    def say(self, text: str) -> None:
        """Print a summary line or block (not with ``-q``)."""
        if not self.quiet:
            print(terminal_text(text), file=self._out)

    def wrote(self, path: str | Path, what: str | None = None, **values: Any) -> None:
        """``wrote WHAT to PATH`` (not with ``-q``); ``what`` is the name of a thing
        (``results``, ``map``, ``grid_page``): the catalogue's ``cli.what_<name>`` in
        the run's language (with ``values``), else the name as it is."""
        from segspatial.text import lookup

        if not what:
            self.say(self.t("wrote", path=path))
            return
        key = "what_" + what.replace(" ", "_")
        if lookup(self.lang, f"cli.{key}") is not None:
            what = self.t(key, **values)
        self.say(self.t("wrote_what", what=what, path=path))

    def showwarning(self, message: Warning | str, category: type[Warning], filename: str,
                    lineno: int, file: TextIO | None = None, line: str | None = None) -> None:
        """:func:`warnings.showwarning` replacement: the message as a one-line note.

        segspatial's own warnings (:class:`segspatial._exceptions.CatalogueWarning`
        with a key) in the run's language; another library's warning as
        ``library warns: its message`` on one line (its words are its own), with the
        category when it is not a plain :class:`UserWarning`."""
        from segspatial._exceptions import CatalogueWarning

        if isinstance(message, CatalogueWarning) and message.key is not None:
            self.note(message.text(self.lang))
            return
        text = " ".join(str(message).split())
        if not issubclass(category, UserWarning):  # e.g. numpy's RuntimeWarning
            text = f"{text} ({category.__name__})"
        library = _library(category, filename)
        if library is not None:
            from segspatial.text import t

            text = t(self.lang, "warning.library", library=library, message=text)
        self.note(text)

    @contextmanager
    def capture_warnings(self) -> Iterator[None]:
        """Show every warning raised inside as a note (segspatial's own always)."""
        with warnings.catch_warnings():
            warnings.simplefilter("always", UserWarning)
            warnings.showwarning = self.showwarning
            yield


def _library(category: type[Warning], filename: str) -> str | None:
    """The package a warning comes from (``pandas``, ``pyogrio``), None for segspatial's
    own code and Python's built-in categories raised there."""
    parts = Path(str(filename)).parts
    for marker in ("site-packages", "dist-packages"):
        if marker in parts and parts.index(marker) + 1 < len(parts):
            name = parts[parts.index(marker) + 1]
            return None if name.startswith("segspatial") else name.removesuffix(".py")
    module = getattr(category, "__module__", "").split(".")[0]
    return None if module in ("", "builtins", "warnings", "segspatial", "__main__") \
        else module


def lang_of(args: argparse.Namespace) -> str:
    """The run's language: ``--lang`` where the command has it, else English."""
    from segspatial.text import LANGUAGES

    lang = getattr(args, "lang", None)
    return lang if isinstance(lang, str) and lang in LANGUAGES else "en"


def console_of(args: argparse.Namespace) -> Console:
    """The run's console (``args.console``), or one for these options."""
    console = getattr(args, "console", None)
    return console if isinstance(console, Console) else Console.for_args(args)
