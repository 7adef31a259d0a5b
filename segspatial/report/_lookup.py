"""Fast look-ups of result rows by key, for the pages (one pass over a frame).

A page asks for many single values (an index of a comparison in a year, a spatial
index at a bandwidth). Filtering the frame with boolean masks for each of them cost
most of the report's time; :class:`Values` indexes the rows once instead.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd


class Values:
    """The first row of ``frame`` for each key (and each leading part of a key).

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows with a ``value`` column (and optionally ``reason``).
    keys : sequence of str
        Key columns, most significant first; a look-up may leave out trailing keys
        (the first row that matches the rest, as a filter would give).
    """

    def __init__(self, frame: pd.DataFrame, keys: Sequence[str]) -> None:
        self._frame = frame.reset_index(drop=True)
        self._n = len(keys)
        self._first: dict[tuple, int] = {}
        columns = [self._frame[k].tolist() for k in keys]
        for position, key in enumerate(zip(*columns, strict=True)):
            for size in range(1, self._n + 1):
                self._first.setdefault(key[:size], position)
        self._values = self._frame["value"].to_numpy(dtype=np.float64)
        self._bounds = tuple(
            self._frame[c].to_numpy(dtype=np.float64) if c in self._frame.columns
            else np.full(len(self._frame), np.nan) for c in ("ci_low", "ci_high"))
        self._reasons = (self._frame["reason"].tolist() if "reason" in self._frame.columns
                         else [None] * len(self._frame))
        self._keys = columns
        self._why: tuple[list, list] | None = None

    def get(self, *key: Any) -> tuple[float, Any]:
        """``(value, reason)`` of the first matching row; ``(nan, None)`` for none."""
        position = self._first.get(tuple(key))
        if position is None:
            return float("nan"), None
        reason = self._reasons[position]
        return float(self._values[position]), (None if pd.isna(reason) else reason)

    def why(self, *key: Any) -> tuple[str | None, float]:
        """``(reason_code, n_units)`` of the first matching row (``(None, nan)`` for
        none): the code pages translate (``undefined_reason.<code>``), never the English
        ``reason`` text; a table without codes (an older CSV) gets them from the text."""
        if self._why is None:
            from segspatial._reasons import codes_of

            frame = self._frame
            codes = (frame["reason_code"].to_numpy(dtype=object)
                     if "reason_code" in frame.columns
                     else np.full(len(frame), None, dtype=object))
            if "reason" in frame.columns:
                todo = pd.isna(codes) & frame["reason"].notna().to_numpy()
                codes = codes.copy()
                codes[todo] = codes_of(frame["reason"].to_numpy(dtype=object)[todo])
            units = (frame["n_units"].tolist() if "n_units" in frame.columns
                     else [float("nan")] * len(frame))
            self._why = ([None if pd.isna(c) else c for c in codes], units)
        position = self._first.get(tuple(key))
        if position is None:
            return None, float("nan")
        return self._why[0][position], self._why[1][position]
    def interval(self, *key: Any) -> tuple[float, float]:
        """``(ci_low, ci_high)`` of the first matching row; NaN when it has none."""
        position = self._first.get(tuple(key))
        if position is None:
            return float("nan"), float("nan")
        return float(self._bounds[0][position]), float(self._bounds[1][position])

    def first(self, *key: Any) -> pd.Series | None:
        """The first matching row, or None."""
        position = self._first.get(tuple(key))
        return None if position is None else self._frame.iloc[position]

    def smallest(self, column: str, *key: Any) -> Any:
        """The smallest ``column`` among the rows matching ``key`` that hold a value
        (e.g. the narrowest bandwidth of Moran's I); None when there is none."""
        other = self._frame[column].tolist()
        found = [other[i] for i in range(len(other))
                 if not np.isnan(self._values[i])
                 and all(self._keys[j][i] == k for j, k in enumerate(key))]
        return min(found) if found else None


def sort_value(value: float) -> str:
    """The ``data-v`` sort key of a number in a sortable table (empty when missing)."""
    value = float(value)
    return repr(round(value, 12)) if math.isfinite(value) else ""
