"""How a page says things: the text lookups and number formats of one rendering.

:class:`_Ctx` holds the language, the disclosure settings and the group labels of
one :func:`~segspatial.report.render_report` call. Its helpers return plain text
(escaped by the templates' autoescaping) except :meth:`_Ctx.t`, which returns
:class:`markupsafe.Markup`: a catalogue text is our own markup, and the values put
into it are escaped there, the report's one escape path besides the templates.
Texts come from :mod:`segspatial._report_text` (``TEXT[lang][key]``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from string import Template
from typing import Any

from markupsafe import Markup, escape

from segspatial._report_text import (
    COMPARISON_LABELS,
    GROUP_LABELS,
    INDEX_LABELS,
    REASON_TEXT,
    TEXT,
)


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
    stamp: str | None
    labels: dict[str, str]
    disclosure: Any = None  # segspatial.disclosure.Protected in disclosure mode

    def t(self, key: str, **values: Any) -> Markup:
        """A catalogue text with ``values`` filled in, each escaped (Markup kept)."""
        # The catalogue's texts are our own markup (e.g. <strong>); every value is
        # escaped here, so nothing from input becomes markup.
        return Markup(Template(TEXT[self.lang][key]).substitute(
            {k: escape(v) for k, v in values.items()}))

    def _local(self, text: str) -> str:
        return text.translate(str.maketrans(",.", ".,")) if self.lang == "nl" else text

    def num(self, value: Any, digits: int = 2) -> str:
        if self.disclosure is not None:  # values are rounded: no false precision
            digits = min(digits, self.disclosure.policy.digits)
        value = float(value)
        if not math.isfinite(value):
            return "–"
        text = f"{value:,.{digits}f}"
        if float(text.replace(",", "")) == 0:
            text = text.lstrip("-")
        return self._local(text).replace("-", "−")

    def pct(self, value: Any, digits: int = 0) -> str:
        value = float(value)
        if not math.isfinite(value):
            return "–"
        return self._local(f"{100 * value:,.{digits}f}") + "%"

    def count(self, value: Any) -> str:
        """A pupil count, ``< N`` below min_cell."""
        from segspatial._mapdata import disclose

        text = disclose(float(value), self.min_cell)
        if text == "no data":
            return str(self.t("no_data"))
        return self._local(text)

    def plain_count(self, value: Any) -> str:
        """A public count (schools), never hidden."""
        return self._local(f"{float(value):,.0f}")

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
        metres = float(metres)
        if metres >= 1000:
            km = metres / 1000
            return self._local(f"{km:g}") + " km"
        return f"{metres:g} m"

    def comparison(self, name: str, pair: tuple[str, str]) -> str:
        known = COMPARISON_LABELS[self.lang].get(name)
        if known is not None:
            return known
        return f"{self.group(pair[0])} vs {self.group(pair[1])}"

    def group(self, column: str) -> str:
        """The group's display name (plain text)."""
        return self.labels.get(column) or GROUP_LABELS[self.lang].get(column) or column

    def index(self, name: str) -> str:
        return INDEX_LABELS[self.lang].get(name, name)

    def reason(self, code: str, description: Any) -> str:
        text = REASON_TEXT.get(self.lang, {}).get(code)
        if text is None:
            text = description if isinstance(description, str) and description else code
        return text

    def band(self, value: Any) -> dict[str, Any] | None:
        """The band of a value for the ``band`` macro: its name and words."""
        name = band(value)
        return {"name": name, "label": self.t(f"band_{name}")} if name else None

    def year_text(self, has_years: bool, year: Any) -> str:
        """`` in 2018`` (to follow a noun), or nothing when the input has no years."""
        return f" in {year}" if has_years else ""

    def years(self, has_years: bool, first: Any, last: Any) -> str:
        """A range of years (``2016–2018``, ``2018``) or nothing without years."""
        if not has_years:
            return ""
        return str(first) if first == last else f"{first}–{last}"
