"""Stable codes for why a value of the results table is undefined.

The results table keeps the English ``reason`` text for readers of the CSV and, beside
it, a stable ``reason_code`` (:data:`REASON_CODES`) that pages, maps and the QGIS
provider translate through the text catalogue (``[undefined_reason]`` table,
``t(lang, "undefined_reason.<code>", n=..., group=...)``), never by matching English.

Producers make a reason with :func:`reason` (a :class:`Reason`: the English text as a
``str`` that carries its ``code``); :func:`segspatial.schema.conform_results` and
:func:`segspatial.schema.results_frame` write the codes into ``reason_code``. A reason
without a code (a results CSV from an older segspatial, a plug-in's plain text) gets
one from :func:`code_of`, which recognises the texts segspatial writes, else
``other``.

Examples
--------
>>> r = reason("group_a_absent", "group A (dutch) is absent")
>>> r, r.code
('group A (dutch) is absent', 'group_a_absent')
>>> code_of("fewer than 2 units with pupils in the comparison (1 of 3 units)")
'fewer_than_2_units'
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["REASON_CODES", "Reason", "code_of", "codes_of", "reason", "split_reasons"]

#: Code -> what it means (the English text of the table says it with the numbers).
REASON_CODES: dict[str, str] = {
    "fewer_than_2_units": "fewer than 2 units (schools) with pupils in the comparison",
    "fewer_than_2_groups": "fewer than 2 groups have pupils (multigroup indices)",
    "groups_absent": "neither group A nor group B has pupils",
    "group_a_absent": "group A has no pupils",
    "group_b_absent": "group B has no pupils",
    "threshold_side_empty": "nobody on one side of an income threshold (rank-order)",
    "not_whole_counts": "counts are not whole numbers (the exact E[D] needs whole pupils)",
    "too_many_pupils": "more than 2**53 pupils: the exact E[D] cannot be computed",
    "expected_d_degenerate": "D* is 0/0 within rounding (E[D] or 1 - E[D] is not larger "
                             "than its rounding error)",
    "same_share_everywhere": "every unit has the same share of A (Moran's I)",
    "no_neighbours": "no unit has a neighbour at this bandwidth (Moran's I)",
    "too_few_linked_units": "fewer than 3 units, or fewer than 3 with a neighbour at this "
                            "bandwidth (Moran's I is -1 or outside [-1, 1] whatever the "
                            "shares)",
    "no_contiguous_units": "no two units are contiguous (Morrill's D)",
    "too_few_thresholds": "too few income thresholds with pupils on both sides (H^R)",
    "fit_out_of_range": "the polynomial fit of H^R falls outside [0, 1]",
    "same_income": "every pupil has the same income (H^R)",
    "withheld": "not shown under disclosure control (--min-cell)",
    "undefined_for_counts": "the index is undefined for these counts",
    "other": "another reason (see the reason text)",
}


class Reason(str):
    """An English reason text that carries its stable :data:`code <REASON_CODES>`."""

    code: str

    def __new__(cls, code: str, text: str) -> Reason:
        if code not in REASON_CODES:
            raise ValueError(f"unknown reason code {code!r}")
        obj = super().__new__(cls, text)
        obj.code = code
        return obj

    def __reduce__(self) -> tuple[Any, ...]:
        return (Reason, (self.code, str(self)))


def reason(code: str, text: str) -> Reason:
    """The reason ``text`` (English, for the table) with its ``code``."""
    return Reason(code, text)


# the texts segspatial writes, for reasons that arrive without a code (older CSVs)
_PATTERNS = [(code, re.compile(pattern)) for code, pattern in (
    ("groups_absent", r"are both absent"),
    ("group_a_absent", r"^group A\b.* is absent$"),
    ("group_b_absent", r"^group B\b.* is absent$"),
    ("fewer_than_2_groups", r"^fewer than (?:2|two) groups"),
    ("fewer_than_2_units", r"^fewer than 2 units"),
    ("threshold_side_empty", r"^nobody on one side of the threshold"),
    ("not_whole_counts", r"^counts are not whole numbers"),
    ("too_many_pupils", r"^more than 2\*\*53 pupils"),
    ("expected_d_degenerate", r"^D\* is 0/0"),
    ("same_share_everywhere", r"^every unit has the same share"),
    ("no_neighbours", r"^no unit has a neighbour"),
    ("too_few_linked_units", r"^fewer than 3 units with a neighbour"),
    ("no_contiguous_units", r"^no two units are contiguous"),
    ("too_few_thresholds", r"^fewer than \d+ (?:thresholds|distinct income percentiles)"),
    ("fit_out_of_range", r"polynomial fit gives"),
    ("same_income", r"^every pupil has the same income"),
    ("withheld", r"^not shown \(disclosure control\)"),
    ("undefined_for_counts", r"^undefined for these counts"),
)]


def code_of(text: Any) -> str | None:
    """The code of a reason: its own (a :class:`Reason`), else the code of a text
    segspatial writes, else ``other``; None for no reason (None, NaN, "")."""
    if isinstance(text, Reason):
        return text.code
    if text is None or not isinstance(text, str) or not text:
        return None
    for code, pattern in _PATTERNS:
        if pattern.search(text):
            return code
    return "other"


def codes_of(reasons: Any) -> Any:
    """:func:`code_of` of every reason of a 1-D array (one look-up per distinct text:
    equal texts have equal codes); an object array of codes and None."""
    return split_reasons(reasons)[1]


def split_reasons(reasons: Any) -> tuple[Any, Any]:
    """``(texts, codes)`` of a 1-D array of reasons: the texts as plain ``str`` (a table
    holds no :class:`Reason` objects: files and QGIS fields take plain text) and the
    :func:`code_of` of each (one look-up per distinct text); None where no reason.

    A :class:`Reason` is replaced by its equal plain ``str`` in ``reasons`` itself when
    that array is writeable (the values do not change, only their type; a results
    table is large and its reasons few, so no copy of the column is made).
    """
    import numpy as np
    import pandas as pd

    values = np.asarray(reasons, dtype=object)
    codes = np.full(len(values), None, dtype=object)
    present = np.flatnonzero(pd.notna(values))
    if not present.size:
        return values, codes
    positions, uniques = pd.factorize(values[present])
    codes[present] = np.array([code_of(u) for u in uniques], dtype=object)[positions]
    # every reason, not only the first of each text: an equal plain str may come first
    # and a Reason later (tables concatenated)
    if not values.flags.writeable:
        values = values.copy()
    values[present] = np.array([str(u) if isinstance(u, str) else u
                                for u in uniques], dtype=object)[positions]
    return values, codes
