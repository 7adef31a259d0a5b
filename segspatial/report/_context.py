"""How a page says things: the text lookups and number formats of one rendering.

:class:`_Ctx` holds the language, the disclosure settings and the group labels of
one :func:`~segspatial.report.render_report` call. Its helpers return plain text
(escaped by the templates' autoescaping) except :meth:`_Ctx.t`, which returns
:class:`markupsafe.Markup` from :func:`segspatial.text.markup` (the pattern and every
value escaped, Markup values kept).
Texts come from the text catalogue (:mod:`segspatial.text`, one file per language).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from segspatial._format import Formatter
from segspatial.text import lookup, markup


def band(value: float) -> str | None:
    """The Massey & Denton (1993) band of an index value: low, moderate or high.

    0-0.3 low, 0.3-0.6 moderate, 0.6 and above high; None for NaN.

    Examples
    --------
    >>> band(0.25), band(0.3), band(0.59), band(0.6), band(float("nan"))
    ('low', 'moderate', 'moderate', 'high', None)
    """
    value = float(value)
    if not math.isfinite(value):
        return None
    return "low" if value < 0.3 else "moderate" if value < 0.6 else "high"


@dataclass(frozen=True)
class _Ctx:
    lang: str
    min_cell: int | None
    offline: bool
    stamp: Any  # None, a text, or a datetime written in the page's locale
    labels: dict[str, str]
    disclosure: Any = None  # segspatial.disclosure.Protected in disclosure mode

    columns: dict[str, str] = field(default_factory=dict)  # "a" -> the input's column
    canvas: Any = None  # _canvas.MapCanvas: one figure for the pages' static school maps
    title: str | None = None  # the report's name (report --title): the index heading

    def t(self, key: str, **values: Any) -> Markup:
        """A catalogue text with ``values`` filled in, each escaped (Markup kept)."""
        return markup(self.lang, key, **values)

    def tn(self, key: str, count: Any, **values: Any) -> Markup:
        """:meth:`t` of the variant of ``key`` for ``count`` (``<key>_single``, ``<key>_one``,
        ``<key>_none`` where the catalogue has them; see
        :func:`segspatial.text.plural_key`)."""
        from segspatial.text import plural_key

        return markup(self.lang, plural_key(self.lang, key, count), **values)

    @property
    def words(self) -> Formatter:
        return Formatter(self.lang)

    def num(self, value: Any, digits: int = 2) -> str:
        if self.disclosure is not None:  # values are rounded: no false precision
            digits = min(digits, self.disclosure.policy.digits)
        return self.words.number(value, digits)

    def interval(self, low: Any, high: Any, digits: int = 3,
                 value: Any = float("nan")) -> Markup | str:
        """A confidence interval as a table shows it after the value: ``(0.38–0.46)``
        (``(0,38–0,46)`` in Dutch); empty when a bound is missing.

        The intervals are bias-corrected (basic bootstrap), so with a strong upward bias
        of a small sample the printed ``value`` can lie outside its own interval; such an
        interval is marked (``report_fix.outside_mark``, explained by the tables'
        footnote, :func:`outside_note`), as statistical packages flag a bias-corrected
        interval that excludes the estimate rather than move the estimate."""
        if not (math.isfinite(float(low)) and math.isfinite(float(high))):
            return ""
        if self.disclosure is not None:
            digits = min(digits, self.disclosure.policy.digits)
        # "-0.000" would say a sign the printed digits do not have
        low, high = (round(float(v), digits) + 0.0 for v in (low, high))
        text = self.t("inference.interval", low=self.num(low, digits),
                      high=self.num(high, digits))
        shown = round(float(value), digits) if math.isfinite(float(value)) else float("nan")
        if math.isfinite(shown) and not low <= shown <= high:
            text = Markup("{}<sup class=\"outside\" title=\"{}\">{}</sup>").format(
                text, self.t("report_fix.outside_title"), self.t("report_fix.outside_mark"))
        return text

    def signed(self, value: Any, digits: int = 3) -> str:
        """A change with its sign: ``+0.041``, ``-0.020``, ``0.000``."""
        text = self.num(value, digits)
        return f"+{text}" if math.isfinite(float(value)) and text.strip("0.,") and \
            float(value) > 0 else text

    def pct(self, value: Any, digits: int = 0) -> str:
        return self.words.percent(value, digits)

    def count(self, value: Any) -> str:
        """A pupil count, ``< N`` below min_cell."""
        from segspatial._mapdata import disclose

        return disclose(float(value), self.min_cell, lang=self.lang)

    def plain_count(self, value: Any) -> str:
        """A public count (schools), never hidden."""
        return self.words.count(value)

    def count_key(self, value: Any) -> str:
        """The sort key of a pupil count: the count as published, empty when hidden."""
        if self.hidden(value):
            return ""
        if self.disclosure is not None:
            return f"{float(self.disclosure.policy.counts(value)):.0f}"
        return f"{float(value):.0f}"

    def shown(self, area: Any, key: str) -> float:
        """A share or count of an area's latest year as disclosure mode publishes it."""
        return self.disclosure.share(area, key)

    def hidden(self, value: Any) -> bool:
        return self.min_cell is not None and math.isfinite(float(value)) and \
            float(value) < self.min_cell

    def distance(self, metres: float) -> str:
        return self.words.distance(metres)

    def comparison(self, name: str, pair: tuple[str, str], *, start: bool = False) -> str:
        """Who is compared, as one noun phrase (the catalogue's ``comparison_name``, else
        the two groups' names); ``start``: with a capital, to begin a title or cell."""
        known = lookup(self.lang, f"comparison_name.{name}")
        if known is None:
            known = self.words.text("fig_versus", a=self.group(pair[0]),
                                    b=self.group(pair[1]))
        return Formatter.capital(known) if start else known

    def group(self, column: str) -> str:
        """The group's name as a noun phrase (plain text): the user's label
        (``--label-a``), a known group's name (``non-western pupils``), else
        ``group <column>``."""
        label = self.labels.get(column)
        if label:
            return str(label)
        side = column if column in ("a", "b") and column in self.columns else None
        column = self.columns.get(column, column)
        known = lookup(self.lang, f"group_noun.{column}")
        if known is not None:
            return known
        if side is not None:  # "group A": the column is named once, in the method
            return self.words.text(f"report_fix.group_{side}")
        return self.words.text("group_column", column=column)

    def generic_groups(self) -> list[tuple[str, str]]:
        """``(name, column)`` of group A and B when the page calls them "group A" and
        "group B" (no label, no known name): the method section says which column
        each is."""
        return [(self.group(side), self.columns[side]) for side in ("a", "b")
                if side in self.columns and not self.labels.get(side)
                and lookup(self.lang, f"group_noun.{self.columns[side]}") is None]

    def index(self, name: str) -> str:
        return lookup(self.lang, f"index_symbol.{name}") or str(name)

    def kernel(self, name: Any) -> str:
        return self.words.kernel(name)

    def theme(self, name: Any) -> str:
        return lookup(self.lang, f"theme_name.{name}") or str(name)

    def reason(self, code: str, description: Any) -> str:
        text = lookup(self.lang, f"exclusion_reason.{code}")
        if text is None:
            text = description if isinstance(description, str) and description else code
        return text

    def undefined(self, code: str | None, n_units: Any, pair: tuple[str, str]) -> Markup:
        """Why an index is undefined, in the page's language, from the results table's
        ``reason_code`` (the catalogue's ``undefined_reason`` table) and the row's
        number of units; never from the English ``reason`` text."""
        key = f"undefined_reason.{code}"
        if code is None or lookup(self.lang, key) is None:
            key = "undefined_reason.other"
        group = {"group_a_absent": pair[0], "group_b_absent": pair[1]}.get(str(code))
        from segspatial.text import plural_key

        return self.t(plural_key(self.lang, key, n_units), n=self.plain_count(n_units),
                      group=self.group(group) if group is not None else "")

    def band(self, value: Any) -> dict[str, Any] | None:
        """The band of a value for the ``band`` macro: its name, its word before a noun
        (``label``: "hoge segregatie") and on its own in a table cell (``short``:
        "hoog")."""
        name = band(value)
        return {"name": name, "label": self.t(f"band_{name}"),
                "short": self.t(f"wording.band_cell_{name}")} if name else None

    def year_text(self, has_years: bool, year: Any) -> Markup | str:
        """`` in 2018`` (to follow a noun), or nothing when the input has no years."""
        return self.t("when_year", year=year) if has_years else ""

    def years(self, has_years: bool, first: Any, last: Any) -> str:
        """A range of years (``2016–2018``, ``2018``) or nothing without years."""
        if not has_years:
            return ""
        return str(first) if first == last else f"{first}–{last}"
