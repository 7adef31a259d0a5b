"""The one schema of a results table.

Every function that returns segregation results (:func:`segspatial.segregation`,
:func:`segspatial.pupil_segregation`, :func:`segspatial.spatial.spatial_segregation`, ...)
returns a table with exactly these columns, in this order. A column that does not apply
to a row is null (``None`` for text, NaN for numbers), never absent, so downstream code
(joins, maps, reports) never has to inspect provenance to learn what a table holds.

Multigroup rows (:func:`segspatial.multigroup_segregation`: K >= 2 groups at once) have
``group_a``, ``group_b``, ``n_a`` and ``n_b`` null and name their groups in ``groups``:
the group names in order, joined by :data:`GROUPS_SEPARATOR` (``"dutch|western|
nonwestern"``). A plain string survives CSV, Parquet and spreadsheets unchanged (a list
column would not survive CSV); :func:`split_groups` turns it back into a list, and group
names containing the separator are refused when the rows are made. Rows of a
between/within decomposition name the grouping of units (a column such as
``denomination``) in ``within``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["GROUPS_SEPARATOR", "RESULT_COLUMNS", "RESULT_DESCRIPTIONS", "conform_results",
           "empty_results", "has_values", "join_groups", "split_groups"]

#: Separator of the group names in the ``groups`` column.
GROUPS_SEPARATOR = "|"

#: Column name -> (kind, description). The order is the column order of every table.
RESULT_DESCRIPTIONS: dict[str, tuple[str, str]] = {
    "area": ("key", "area (municipality) code; null when no area column was given"),
    "year": ("key", "year; null when no year column was given"),
    "comparison": ("text", "named comparison (e.g. dutch_vs_nonwestern); null for plain "
                           "two-column counts"),
    "group_a": ("text", "group A of the comparison (its column or group name)"),
    "group_b": ("text", "group B of the comparison"),
    "index": ("text", "index name (see segspatial.available_indices())"),
    "bandwidth": ("float", "spatial bandwidth in metres (k for k-nearest-neighbour "
                           "kernels); NaN for aspatial indices"),
    "kernel": ("text", "spatial kernel (gaussian, biweight, boxcar, knn, voronoi); null "
                       "for aspatial indices"),
    "value": ("float", "the index value, never rounded; NaN when undefined (see reason)"),
    "n_units": ("count", "units (schools) in the area-year after the filters"),
    "n_pupils": ("float", "all pupils of those units"),
    "n_a": ("float", "pupils in group A"),
    "n_b": ("float", "pupils in group B"),
    "reason": ("text", "why the value is undefined; null when it is defined"),
    "groups": ("text", "multigroup rows: the K group names in order, joined by '|' "
                       "(group_a, group_b, n_a, n_b are then null); null for two groups"),
    "within": ("text", "between/within decomposition rows: the column grouping the units "
                       "(e.g. denomination); null otherwise"),
}

#: Columns of every results table, in order.
RESULT_COLUMNS: list[str] = list(RESULT_DESCRIPTIONS)

_NUMERIC = {name for name, (kind, _) in RESULT_DESCRIPTIONS.items()
            if kind in ("float", "count")}
_FLOAT = {name for name, (kind, _) in RESULT_DESCRIPTIONS.items() if kind == "float"}


def _null_column(name: str, n: int) -> pd.Series:
    if name in _NUMERIC:
        return pd.Series(np.full(n, np.nan), dtype=np.float64)
    return pd.Series([None] * n, dtype=object)


def empty_results() -> pd.DataFrame:
    """A results table with no rows (every column present, typed)."""
    return pd.DataFrame({name: _null_column(name, 0) for name in RESULT_COLUMNS})


def conform_results(table: pd.DataFrame) -> pd.DataFrame:
    """Return ``table`` with exactly :data:`RESULT_COLUMNS`, in order.

    Missing columns are added as nulls (NaN for numbers, ``None`` for text); present
    float columns become float64, text columns object with ``None`` for missing,
    counts keep their integer type and the keys their own type.

    Parameters
    ----------
    table : pandas.DataFrame
        A results table built by segspatial (possibly without some columns).

    Returns
    -------
    pandas.DataFrame
        A new frame; the input is not modified.

    Raises
    ------
    RuntimeError
        If ``table`` has a column outside the schema (a programming error: every new
        column belongs in :data:`RESULT_DESCRIPTIONS` first).
    """
    extra = [c for c in table.columns if c not in RESULT_DESCRIPTIONS]
    if extra:
        raise RuntimeError(f"results table has columns outside the schema: {extra}")
    n = len(table)
    out = {}
    for name in RESULT_COLUMNS:
        if name in table.columns:
            column = table[name].reset_index(drop=True)
            if name in _FLOAT:
                column = column.astype(np.float64)
            elif name not in _NUMERIC and name not in ("area", "year"):
                # one representation of "not applicable" in text columns: None (object)
                column = column.astype(object).where(column.notna(), None)
            out[name] = column
        else:
            out[name] = _null_column(name, n)
    return pd.DataFrame(out)


def has_values(table: pd.DataFrame, column: str) -> bool:
    """Whether ``column`` exists in ``table`` and holds at least one non-null value.

    Tables read back from files may come from older versions without some columns;
    in the schema, a column that does not apply is present but null.
    """
    return column in table.columns and bool(table[column].notna().any())


def join_groups(names: list[str] | tuple[str, ...]) -> str:
    """The ``groups`` value of K group names: joined by :data:`GROUPS_SEPARATOR`.

    Raises
    ------
    ValueError
        If a name contains the separator (it could not be split back).

    Examples
    --------
    >>> join_groups(["dutch", "western", "nonwestern"])
    'dutch|western|nonwestern'
    """
    bad = [n for n in names if GROUPS_SEPARATOR in str(n)]
    if bad:
        raise ValueError(f"groups: names {bad!r} contain {GROUPS_SEPARATOR!r}, which "
                         "separates the group names in results tables; rename them")
    return GROUPS_SEPARATOR.join(str(n) for n in names)


def split_groups(value: str | None) -> list[str]:
    """The group names of a ``groups`` value (an empty list for null).

    Examples
    --------
    >>> split_groups("dutch|western|nonwestern")
    ['dutch', 'western', 'nonwestern']
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    return str(value).split(GROUPS_SEPARATOR)
