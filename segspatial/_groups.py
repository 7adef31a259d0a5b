"""The report's themes, groups and comparisons (constants only: no pandas, no numpy).

Re-exported by :mod:`segspatial.pupils`, which documents them.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = ["COMPARISONS", "GROUPS", "GROUP_COLUMNS", "THEMES"]

#: The themes, in the order of the report.
THEMES: tuple[str, ...] = ("ethnicity", "income", "education")

#: The groups of each theme (the values of :func:`assign_groups`'s columns).
GROUPS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "ethnicity": ("dutch", "western", "nonwestern"),
    "income": ("low", "middle", "high"),
    "education": ("low", "middle", "high"),
})

#: The column of each group in the wide counts table, per theme.
GROUP_COLUMNS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "ethnicity": ("dutch", "western", "nonwestern"),
    "income": ("low_income", "middle_income", "high_income"),
    "education": ("low_education", "middle_education", "high_education"),
})

_THEME_OF_COLUMN = {c: t for t, cols in GROUP_COLUMNS.items() for c in cols}

#: The report's seven comparisons: name -> (group A column, group B column).
COMPARISONS: Mapping[str, tuple[str, str]] = MappingProxyType({
    "dutch_vs_nonwestern": ("dutch", "nonwestern"),
    "dutch_vs_western": ("dutch", "western"),
    "western_vs_nonwestern": ("western", "nonwestern"),
    "high_vs_low_income": ("high_income", "low_income"),
    "high_vs_middle_income": ("high_income", "middle_income"),
    "middle_vs_low_income": ("middle_income", "low_income"),
    "high_vs_low_education": ("high_education", "low_education"),
})
