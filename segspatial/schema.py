"""The one schema of a results table.

Every function that returns segregation results (:func:`segspatial.segregation`,
:func:`segspatial.pupil_segregation`, :func:`segspatial.spatial.spatial_segregation`, ...)
returns a table with exactly these columns, in this order. A column that does not apply
to a row is null (``None`` for text, NaN for numbers), never absent, so downstream code
(joins, maps, reports) never has to inspect provenance to learn what a table holds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["RESULT_COLUMNS", "RESULT_DESCRIPTIONS", "conform_results", "empty_results",
           "has_values"]

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
    "kernel": ("text", "spatial kernel (gaussian, biweight, boxcar, knn; for morrill_d the "
                       "contiguity: delaunay or voronoi_clipped); null "
                       "for aspatial indices"),
    "value": ("float", "the index value, never rounded; NaN when undefined (see reason)"),
    "n_units": ("count", "units (schools) in the area-year after the filters"),
    "n_pupils": ("float", "all pupils of those units"),
    "n_a": ("float", "pupils in group A"),
    "n_b": ("float", "pupils in group B"),
    "reason": ("text", "why the value is undefined; null when it is defined"),
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
