"""Locale formatting and human labels for figures, map legends and pages (private).

One place for how a number looks in each language and for the human names of indices,
comparisons, groups and kernels:

* numbers through Babel (decimal comma and thousands dot in Dutch, a true minus sign);
* words from the text catalogue (:mod:`segspatial.text`: the ``fig_*`` keys and the
  ``index_name``, ``index_symbol``, ``group_noun``, ``kernel_name`` and
  ``comparison_name`` tables), never from code.

Static figures (:mod:`segspatial.plot`, :mod:`segspatial.multigroup_plot`) and the
legends of the web maps (:mod:`segspatial.webmap`) use :class:`Formatter`; the report's
pages can use the same one. Text from the input (labels, names, unknown comparison or
index names) is data: it passes through ``Formatter.data`` (the caller's cleaning, e.g.
the static figures' shortening of long names) and is only ever substituted as a value,
never read as a pattern; HTML escaping stays with the caller.

Examples
--------
>>> en, nl = Formatter("en"), Formatter("nl")
>>> en.number(0.6213), nl.number(0.6213), nl.number(-0.05, 2)
('0.62', '0,62', '−0,05')
>>> nl.count(12345), nl.percent(0.347, 1), nl.distance(1500)
('12.345', '34,7%', '1,5\\xa0km')
>>> en.selection_title("spatial_dissimilarity", comparison="dutch_vs_nonwestern",
...                    year=2018, bandwidth=1000, kernel="gaussian")
'Spatial D at 1\\xa0km (Gaussian kernel) — Dutch vs non-western pupils, 2018'
>>> nl.selection_title("dissimilarity", label_a="achterstandsleerlingen",
...                    label_b="overige leerlingen", year=2019)
'Dissimilariteitsindex D — achterstandsleerlingen vs overige leerlingen, 2019'
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

from segspatial.text import check_lang, language, lookup, plural_key, t

__all__ = ["Formatter", "check_lang"]

#: What a number that is not there (NaN, None) is shown as.
MISSING = "–"
#: The no-break space that ties a number to its unit.
NBSP = "\u00a0"
_BASE = re.compile(r"(?P<index>.+)_base(?P<base>[0-9.]+)")


@cache
def _babel(pattern: str, locale: str) -> tuple[Any, Any]:
    """Babel's parsed number ``pattern`` and its ``locale`` (what
    ``babel.numbers.format_decimal`` parses on every call)."""
    from babel import Locale
    from babel.numbers import parse_pattern

    return parse_pattern(pattern), Locale.parse(locale)


@cache
def _percent(locale: str, digits: int) -> tuple[Any, Any]:
    """The locale's percent pattern (Babel, CLDR) with exactly ``digits`` decimals,
    and the locale."""
    from copy import copy

    from babel import Locale

    parsed = Locale.parse(locale)
    pattern = copy(parsed.percent_formats[None])
    pattern.frac_prec = (digits, digits)
    return pattern, parsed


@lru_cache(maxsize=1 << 16)
def _formatted(value: float, pattern: str, locale: str) -> str:
    """``value`` in babel's ``pattern`` for ``locale``, minus signs as "−"; memoised:
    a report formats the same rounded values thousands of times (``-0.0`` is never
    looked up here: it equals ``0.0`` as a key but is written with its sign)."""
    number_pattern, parsed = _babel(pattern, locale)
    return number_pattern.apply(value, parsed).replace("-", "−")


def _apply(value: float, pattern: str, locale: str) -> str:
    if value == 0 and math.copysign(1.0, value) < 0:  # -0.0: not memoised
        number_pattern, parsed = _babel(pattern, locale)
        return number_pattern.apply(value, parsed).replace("-", "−")
    return _formatted(value, pattern, locale)


def _finite(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


@dataclass(frozen=True)
class Formatter:
    """Numbers and labels in one language.

    Parameters
    ----------
    lang : str
        A language of :data:`segspatial.text.LANGUAGES` (``"en"``, ``"nl"``).
    data : callable, optional
        Applied to every text from the input before it is put into a label (names,
        labels, unknown comparison or index names); default :class:`str`.
    """

    lang: str = "en"
    data: Callable[[Any], str] = field(default=str, repr=False)

    def __post_init__(self) -> None:
        check_lang(self.lang)

    @property
    def locale(self) -> str:
        """The Babel locale (``en_GB``, ``nl_NL``), from the language's catalogue."""
        return language(self.lang).locale

    # ------------------------------------------------------------------ catalogue

    def text(self, key: str, **values: Any) -> str:
        """The catalogue's text ``key`` with its ``$names`` filled in (values as data)."""
        return t(self.lang, key, **values)

    # ------------------------------------------------------------------ numbers

    def _decimal(self, value: float, pattern: str) -> str:
        # -0.0 is 0; a small negative value keeps its sign ("−0.00": below zero)
        # (babel's format_decimal, with the parsed pattern and locale kept: a report
        # formats thousands of numbers)
        return _apply(value if value != 0 else 0.0, pattern, self.locale)

    def number(self, value: Any, digits: int = 2) -> str:
        """A value with ``digits`` decimals: ``0.62`` / ``0,62``; a dash when missing."""
        number = _finite(value)
        if number is None:
            return MISSING
        return self._decimal(number, "#,##0." + "0" * digits if digits else "#,##0")

    def decimal(self, value: Any, digits: int = 3) -> str:
        """A value with at most ``digits`` decimals, no trailing zeros (axis ticks)."""
        number = _finite(value)
        if number is None:
            return MISSING
        return self._decimal(number, "#,##0." + "#" * digits if digits else "#,##0")

    def significant(self, value: Any, digits: int = 4) -> str:
        """A value with at most ``digits`` significant digits: ``0.07914`` / ``0,07914``."""
        number = _finite(value)
        if number is None:
            return MISSING
        if number == 0:
            return "0"
        return self._decimal(number, "@" + "#" * (digits - 1))

    def signed(self, value: Any, digits: int = 1) -> str:
        """A change with its sign: ``+1.5`` / ``−1,5``; a dash when missing."""
        number = _finite(value)
        if number is None:
            return MISSING
        digits_pattern = "#,##0." + "0" * digits if digits else "#,##0"
        return self._decimal(number, f"+{digits_pattern};-{digits_pattern}")

    def count(self, value: Any) -> str:
        """A count with thousands separators: ``12,345`` / ``12.345``."""
        number = _finite(value)
        return MISSING if number is None else self._decimal(round(number), "#,##0")

    def percent(self, value: Any, digits: int = 0) -> str:
        """A share as a percentage in the locale's own pattern with ``digits``
        decimals: ``34.7%`` / ``34,7%`` (German ``34,7 %``)."""
        number = _finite(value)
        if number is None:
            return MISSING
        pattern, locale = _percent(self.locale, digits)
        return pattern.apply(number, locale).replace("-", "−")

    def datetime(self, moment: Any) -> str:
        """A moment the way the locale writes it, to the minute, in UTC: ``29 November
        2026, 23:35 UTC`` / ``29 november 2026, 23:35 UTC`` (Babel's long date and short
        time, joined by the locale's pattern)."""
        from datetime import UTC

        from babel import Locale
        from babel.dates import format_date, format_time

        locale = Locale.parse(self.locale)
        moment = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
        joined = locale.datetime_formats["long"]
        joined = getattr(joined, "pattern", joined)
        return joined.replace("{1}", format_date(moment, "long", locale=locale)).replace(
            "{0}", format_time(moment, "HH:mm", tzinfo=UTC, locale=locale)) + " UTC"

    def distance(self, metres: Any) -> str:
        """A distance: ``500 m``, ``1 km``, ``1.5 km`` / ``1,5 km``, with a no-break
        space (U+00A0) between number and unit: a line (a narrow table head) never
        breaks between them."""
        number = _finite(metres)
        if number is None:
            return MISSING
        if abs(number) >= 1000:
            return f"{self.decimal(number / 1000, 2)}{NBSP}km"
        return f"{self.decimal(number, 1)}{NBSP}m"

    def tick_formatter(self, kind: str = "decimal", digits: int = 3):
        """A matplotlib tick formatter writing numbers the way of this language.

        ``kind``: ``"decimal"`` (``0,25``; at most ``digits`` decimals), ``"count"``
        (``2.000``) or ``"percent"`` (a share drawn as ``35%``).
        """
        from matplotlib.ticker import FuncFormatter

        show = {"decimal": lambda v: self.decimal(v, digits), "count": self.count,
                "percent": lambda v: self.percent(v)}[kind]
        return FuncFormatter(lambda value, _pos: show(value))

    # ------------------------------------------------------------------ labels

    def index_title(self, index: Any) -> str:
        """The full name of an index: ``Dissimilarity index D``; a plug-in by its name."""
        known = lookup(self.lang, f"index_name.{index}")
        if known is not None:
            return known
        match = _BASE.fullmatch(str(index))
        base = match and lookup(self.lang, f"index_name.{match['index']}")
        if base:
            return self.text("fig_log_base", index=base, base=match["base"])
        text = str(index)
        if text.endswith("_ro") and lookup(self.lang, f"index_name.{text[:-3]}"):
            return self.text("figures2.reardon_osullivan", index=self.index_title(text[:-3]))
        return self.data(index)

    def index_symbol(self, index: Any) -> str:
        """The short name of an index (``D``, ``D*``, ``spatial D``), else its full name."""
        return lookup(self.lang, f"index_symbol.{index}") or self.index_title(index)

    def kernel(self, kernel: Any) -> str:
        """A spatial kernel's name (``Gaussian``); an unknown one as it is (data)."""
        return lookup(self.lang, f"kernel_name.{kernel}") or self.data(kernel)

    def spatial_title(self, index: Any, bandwidth: Any = None, kernel: Any = None) -> str:
        """``Spatial D at 1 km (Gaussian kernel)``, ``Spatial D, 8 nearest schools``, ..."""
        title = self.index_title(index)
        width = _finite(bandwidth)
        kernel_name = self.kernel(kernel) if kernel is not None else None
        if kernel == "knn" and width is not None:
            return self.text("fig_nearest", index=title, k=self.count(width))
        if kernel == "voronoi":
            return self.text("fig_neighbours", index=title, kernel=kernel_name)
        if width is None:
            return title
        if width == 0:
            return f"{title} ({self.text('fig_aspatial')})"
        if kernel_name is None:
            kernel_name = self.kernel("gaussian")
        return self.text("fig_at_distance", index=title, distance=self.distance(width),
                         kernel=kernel_name)

    def group(self, column: Any = None, label: Any = None, *, which: str = "a") -> str:
        """A group as a noun phrase: ``label`` if given, a known group's catalogue name
        (``non-western pupils``), else ``group A`` / ``group B``."""
        if label is not None and str(label) != "":
            return self.data(label)
        known = lookup(self.lang, f"group_noun.{column}")
        return known if known is not None else self.text(f"fig_group_{which}")

    def comparison(self, comparison: Any = None, group_a: Any = None, group_b: Any = None,
                   label_a: Any = None, label_b: Any = None, *,
                   start: bool = False) -> str | None:
        """Who is compared, as a noun phrase, or None when nothing says so.

        Labels win (``pupils with a disadvantage background vs other pupils``); then a
        known comparison (``Dutch vs non-western pupils``); then known group columns;
        then the comparison's own name (data); then, for plain counts of two named
        columns, the groups by their order (``group A vs group B``, a known column by
        its name). None only when nothing names a group.
        """
        cap = self.capital if start else (lambda text: text)  # catalogue text only
        if label_a or label_b:
            return self.text("fig_versus", a=self.group(group_a, label_a, which="a"),
                             b=self.group(group_b, label_b, which="b"))
        known = lookup(self.lang, f"comparison_name.{comparison}")  # a noun phrase
        if known is not None:
            return cap(known)
        noun_a = lookup(self.lang, f"group_noun.{group_a}")
        noun_b = lookup(self.lang, f"group_noun.{group_b}")
        if noun_a is not None and noun_b is not None:
            return cap(self.text("fig_versus", a=noun_a, b=noun_b))
        if comparison is not None and not _is_missing(comparison):
            return self.data(comparison)
        if any(g is not None and not _is_missing(g) and str(g) != ""
               for g in (group_a, group_b)):
            return cap(self.text("fig_versus", a=self.group(group_a, which="a"),
                                 b=self.group(group_b, which="b")))
        return None

    @staticmethod
    def capital(text: str | None) -> str | None:
        """``text`` with a capital first letter, to start a title, a heading or a table
        cell (``Western vs non-western pupils``); the rest as it is."""
        return text[:1].upper() + text[1:] if text else text

    def title(self, what: str, who: str | None = None, when: Any = None) -> str:
        """``what — who, when`` (the parts that are there)."""
        text = what
        if who:
            text += f" — {who}"
        if when is not None and not _is_missing(when):
            text += f", {self.year(when)}"
        return text

    def year(self, year: Any) -> str:
        """A year as it is written (``2019``, never ``2,019``)."""
        if isinstance(year, float) and year.is_integer():
            year = int(year)
        if hasattr(year, "item"):
            year = year.item()
        return self.data(year)

    def selection_title(self, index: Any, *, comparison: Any = None, year: Any = None,
                        bandwidth: Any = None, kernel: Any = None, group_a: Any = None,
                        group_b: Any = None, label_a: Any = None,
                        label_b: Any = None) -> str:
        """The title of a map or chart of one index: index (at its scale), who, when."""
        return self.title(self.spatial_title(index, bandwidth, kernel),
                          self.comparison(comparison, group_a, group_b, label_a, label_b),
                          year)

    def undefined(self, code: Any, n_units: Any = None, group: Any = None) -> str:
        """Why a value is undefined, from the results table's ``reason_code``
        (``undefined_reason`` table): ``fewer than 2 of the 3 schools have pupils of
        the two groups``; ``group`` names the absent group (a noun phrase)."""
        key = f"undefined_reason.{code}"
        if _is_missing(code) or lookup(self.lang, key) is None:
            key = "undefined_reason.other"
        return self.text(plural_key(self.lang, key, n_units), n=self.count(n_units),
                         group=self.data(group or ""))

    def band(self, name: str, low: float, high: float) -> str:
        """A Massey & Denton band for a legend: ``moderate (0.3–0.6)``."""
        return self.text("fig_band", band=self.text(f"fig_band_{name}"),
                         low=self.decimal(low), high=self.decimal(high))

    def below(self, value: float, *, random: bool = False) -> str:
        """Legend entry of values under the colour scale: ``below 0``; with ``random``
        (D*): ``below 0: more even than random``."""
        if random:
            return self.text("figures2.below_random", value=self.decimal(value))
        return self.text("fig_below_scale", value=self.decimal(value))

    def above(self, value: float) -> str:
        """Legend entry of values over the colour scale: ``above 0.8`` / ``boven 0,8``."""
        return self.text("fig_above_scale", value=self.decimal(value))


def _is_missing(value: Any) -> bool:
    try:
        return bool(value != value)  # NaN, pandas NA
    except (TypeError, ValueError):
        return False
