"""The monitor's words and numbers: the ``[monitor]`` tables of the text catalogue.

Every visible word of the monitor's pages and maps comes from the text catalogue
(:mod:`segspatial.text`: the ``[monitor]`` table, keys ``monitor.<key>``, and the
``[monitor_rule]`` table for the point rules), one file per language; a third
language is one more catalogue file. Numbers are formatted by
:class:`segspatial._format.Formatter` (Babel, the language's locale: decimal comma and
thousands dot in Dutch, a true minus sign). Patterns are plain text with ``$name``
fields, filled in literally (values are data, never template source) and escaped by the
page templates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from segspatial._format import Formatter as _Numbers
from segspatial.text import catalogue, check_lang, t

__all__ = ["Formatter", "rule_text"]

_TABLE = "monitor."


def rule_text(lang: str, rule: str) -> str:
    """How a point rule (``midpoint``, ``low``, ...) reads in the method text."""
    return t(lang, f"monitor_rule.{rule}")


def _finite(value: Any) -> bool:
    try:
        return value is not None and math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


@dataclass(frozen=True)
class Formatter:
    """Text and numbers of the monitor in one language (see the module docstring)."""

    lang: str
    min_cell: int | None = None
    numbers: _Numbers = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        check_lang(self.lang)
        object.__setattr__(self, "numbers", _Numbers(self.lang))

    @property
    def locale(self) -> str:
        return self.numbers.locale

    def t(self, key: str, **values: Any) -> str:
        """The catalogue text ``monitor.<key>``, fields filled with the values (as data)."""
        return t(self.lang, _TABLE + key, **values)

    def has(self, key: str) -> bool:
        """True when the catalogue has the text ``monitor.<key>``."""
        return _TABLE + key in catalogue(self.lang)

    def pct(self, value: Any, digits: int = 1) -> str:
        """A share as a percentage: ``25.6%`` / ``25,6%``; a dash when missing."""
        return self.numbers.percent(value, digits) if _finite(value) else self.t("no_data")

    def points(self, value: Any) -> str:
        """A change of a share in percentage points, signed: ``+1.5 pp``."""
        if not _finite(value):
            return self.t("no_data")
        return self.t("points", value=self.numbers.signed(100 * float(value), 1))

    def num(self, value: Any, digits: int = 3) -> str:
        """A value with ``digits`` decimals (``0.412`` / ``0,412``); a dash when missing."""
        return self.numbers.number(value, digits) if _finite(value) else self.t("no_data")

    def count(self, value: Any, hidden: bool = False) -> str:
        """A count of people; ``< N`` below the disclosure threshold, "not shown" when
        withheld (a count withheld so that no other count can be derived from it is not
        below N: saying ``< N`` of it would be false)."""
        if hidden:
            return self.t("withheld")
        if self.min_cell is not None and _finite(value) and float(value) < self.min_cell:
            return self.t("hidden", n=self.min_cell)
        return self.numbers.count(value) if _finite(value) else self.t("no_data")

    def share_range(self, low: Any, high: Any) -> str:
        """The range of a share over the censored cells; one dash when withheld."""
        if not (_finite(low) and _finite(high)):
            return self.t("no_data")
        return f"{self.pct(low)}–{self.pct(high)}"

    def gap(self, value: Any, low: Any, high: Any) -> str:
        """"N more women needed" with its range; "target reached" at 0; a dash when
        withheld (the same words on pages and maps)."""
        if not _finite(value):
            return self.t("no_data")
        if float(value) == 0:
            return self.t("gap_none")
        return f"{self.count(value)} ({self.count(low)}–{self.count(high)})"
