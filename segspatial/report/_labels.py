"""Who the report compares and what it calls the groups (a step of
:func:`segspatial.report.report_data`): the comparisons over the counts' columns, the
caller's labels of the groups (``group_labels``: group A and B, and the K group
columns of the multigroup section) and of the groups of schools of the multigroup
split (``within_label``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import pandas as pd

from segspatial.compute import SegregationResult
from segspatial.schema import has_values

__all__ = ["resolve_comparisons", "with_within_label"]


def resolve_comparisons(result: SegregationResult,
                         group_labels: Mapping[str, str] | None
                         ) -> tuple[dict[str, tuple[str, str]], dict[str, str], pd.DataFrame]:
    """Comparisons over the counts' columns, caller's labels, and the table with a
    ``comparison`` column."""
    params = result.parameters or {}
    table = result.table
    labels = _check_labels(group_labels)
    if "comparisons" in params and has_values(table, "comparison"):
        comparisons = {str(k): (str(v[0]), str(v[1]))
                       for k, v in dict(params["comparisons"]).items()}
        return comparisons, labels, table
    group_a, group_b = str(params.get("group_a", "a")), str(params.get("group_b", "b"))
    name = f"{group_a}_vs_{group_b}"
    # a label is the caller's noun phrase; without one the page names the group in its
    # own language from the column (``parameters["group_columns"]``)
    pair = {k: v for k, v in (("a", labels.get("a", labels.get(group_a))),
                              ("b", labels.get("b", labels.get(group_b)))) if v}
    # the other labels name the K group columns of the multigroup section
    others = {k: v for k, v in labels.items() if k not in ("a", "b", group_a, group_b)}
    table = table.assign(comparison=name)
    return {name: ("a", "b")}, {**others, **pair}, table


def _check_labels(group_labels: Mapping[str, str] | None) -> dict[str, str]:
    """The caller's labels as text, without empty ones; a TypeError for a label that is
    not text."""
    if group_labels is None:
        return {}
    if not isinstance(group_labels, Mapping):
        raise TypeError(f"group_labels must be a mapping of group column (or 'a'/'b') to "
                        f"a label, got {type(group_labels).__name__}")
    bad = {k: v for k, v in group_labels.items() if v is not None and not isinstance(v, str)}
    if bad:
        raise TypeError(f"group_labels: a label is text (a noun phrase), got {bad!r}")
    return {str(k): v for k, v in group_labels.items() if v}


def with_within_label(several: Any, within_label: str | None) -> Any:
    """The multigroup data with the caller's name of the groups of schools of
    ``within`` (``report_data(within_label=...)``)."""
    if within_label is None:
        return several
    if not isinstance(within_label, str) or not within_label.strip():
        raise TypeError(f"within_label must be a non-empty text, got {within_label!r}")
    if several is None or several.within is None:
        raise ValueError("within_label names the groups of schools of a multigroup "
                         "result computed with within=; this report has none")
    return replace(several, within_label=within_label)
