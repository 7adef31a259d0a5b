"""The validation gate's column checks: names, types, numbers, keys, years; messages
name the file, column and line. Column arguments must be names, one role per column,
all present; count columns hold finite numbers >= 0 (no booleans, complex numbers,
dates or durations); key columns have no missing value; years are whole numbers. Used
by :mod:`segspatial.counts`, which imports these names back for its importers.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from segspatial._keys import _sorted_codes
from segspatial.io import describe_rows, source_of

_MAX_EXAMPLES = 5


def _py(value: Any) -> Any:
    """A numpy scalar as the Python value, so messages read ``2019``, not ``np.int64(2019)``."""
    return value.item() if isinstance(value, np.generic) else value


def _check_name(value: Any, argument: str, *, optional: bool = False) -> None:
    if value is None and optional:
        return
    if not isinstance(value, str):
        raise TypeError(f"{argument} must be a column name (str), got {value!r}")


def check_columns(data: pd.DataFrame, roles: dict[str, Any], *,
                  required: tuple[str, ...] = (), what: str = "data",
                  extra: dict[str, Any] | None = None) -> dict[str, str]:
    """Check column arguments: names (str) or None, one role per column, all present.

    Parameters
    ----------
    data : pandas.DataFrame
        The table the columns must be in.
    roles : dict
        Argument name -> column name (or None when not given).
    required : tuple of str
        Arguments that may not be None.
    what : str
        How messages name the table ("data", "the pupils", ...).
    extra : dict, optional
        More name -> column pairs that must be present (they may share a column).

    Returns
    -------
    dict
        The roles that were given.

    Raises
    ------
    TypeError
        If a column argument is not a string.
    ValueError
        If a column plays two roles, or columns are missing (all are listed).
    """
    for role, column in roles.items():
        _check_name(column, role, optional=role not in required)
    given = {r: c for r, c in roles.items() if c is not None}
    by_column: dict[str, list[str]] = {}
    for role, column in given.items():
        by_column.setdefault(column, []).append(role)
    shared = {c: r for c, r in by_column.items() if len(r) > 1}
    if shared:
        detail = "; ".join(f"{c!r} is used as {' and '.join(r)}" for c, r in shared.items())
        raise ValueError(f"each column can play one role only: {detail}")
    missing = [f"{r}={c!r}" for r, c in {**given, **(extra or {})}.items()
               if c not in data.columns]
    if missing:
        raise ValueError(
            f"missing columns: {', '.join(missing)}; the columns of {what} are "
            f"{list(map(str, data.columns))!r}"
        )
    if not data.columns.is_unique:  # a name given twice: which column is meant?
        for role, column in {**given, **(extra or {})}.items():
            at = np.flatnonzero(data.columns == column)
            if at.size > 1:
                source = source_of(data)
                of = f" of {source.path!r}" if source is not None else ""
                raise ValueError(
                    f"{role}={column!r}: {at.size} columns of {what}{of} are named "
                    f"{column!r} (columns {', '.join(str(i + 1) for i in at)}); which one "
                    "is meant is not clear: rename them"
                )
    return given


def _count(n: int, noun: str) -> str:
    """``1 negative count`` / ``2 negative counts`` (English messages)."""
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def empty_text(data: pd.DataFrame, what: str) -> str:
    """``"data is empty"``, or ``"'c.csv' has a header but no data rows"`` for a frame read
    from a file (messages about an empty table name the file)."""
    source = source_of(data)
    if source is None:
        return f"{what} is empty"
    return f"{what} {source.path!r} has " + ("a header but no data rows" if source.kind == "csv"
                                           else "no rows")


def _column(data: pd.DataFrame, column: str) -> str:
    """``column 'a'``, or ``column 'a' of 'counts.csv'`` for a frame read from a file."""
    source = source_of(data)
    return f"column {column!r}" + (f" of {source.path!r}" if source is not None else "")


def _where(data: pd.DataFrame, labels: Sequence[Any]) -> str:
    """The rows of ``labels`` for a message: file lines when read from a file."""
    return describe_rows(data, list(labels), of_file=False)


def _type_problem(s: pd.Series) -> str | None:
    """What is wrong with the type of a count or year column (None when it is fine)."""
    if pd.api.types.is_bool_dtype(s):
        return "booleans (True/False)"
    if pd.api.types.is_complex_dtype(s):
        return "complex numbers"
    if pd.api.types.is_datetime64_any_dtype(s) or isinstance(s.dtype, pd.PeriodDtype):
        return "dates"
    if pd.api.types.is_timedelta64_dtype(s):
        return "durations (timedelta)"
    return None


def _object_type_problem(s: pd.Series) -> tuple[str, np.ndarray] | None:
    """Booleans, complex numbers or dates among the values of an object column."""
    if s.dtype != object:
        return None
    for kinds, what in (((bool, np.bool_), "booleans (True/False)"),
                        ((complex, np.complexfloating), "complex numbers"),
                        ((datetime.date, np.datetime64, pd.Timestamp), "dates")):
        hit = np.fromiter((isinstance(v, kinds) for v in s.to_numpy()), dtype=bool,
                          count=len(s))
        if hit.any():
            return what, hit
    return None


def refuse_count_types(values: Any, name: str) -> None:
    """The gate's type rule for counts given as arrays (the one-area functions): no
    booleans, complex numbers, dates or durations, as for a column of counts.

    Raises
    ------
    TypeError
        Naming ``name``, what it holds and what is allowed.
    """
    array = np.asarray(values)
    if array.dtype.kind in "iuf":  # the usual case: numbers
        return
    flat = pd.Series(array.ravel()) if array.dtype.kind != "O" else pd.Series(
        array.ravel(), dtype=object)
    problem, hit = _type_problem(flat), None
    if problem is None:
        problem, hit = _object_type_problem(flat) or (None, None)
    if problem is not None:
        shown = [str(v) for v in (flat if hit is None else flat[hit]).dropna()[:3]]
        raise TypeError(f"{name} holds {problem}, e.g. {shown!r}; counts must be numbers "
                        "of pupils (whole or fractional, >= 0)")


def _numeric_column(data: pd.DataFrame, column: str, argument: str) -> np.ndarray:
    """A finite, non-negative float64 array from a count column, or a clear error."""
    s = data[column]
    if isinstance(s.dtype, np.dtype) and s.dtype.kind in "iuf":  # numbers: the usual case
        values = s.to_numpy(dtype=np.float64)  # (NaN is their only missing value)
        if values.size and np.isfinite(values.min()) and values.min() >= 0 and np.isfinite(
                values.max()):
            return values
    where = _column(data, column)
    problem = _type_problem(s)
    if problem is not None:
        shown = [str(v) for v in s.dropna().unique()[:3]]
        raise TypeError(
            f"{argument}: {where} holds {problem}, e.g. {shown!r}; counts must be numbers "
            "of pupils (whole or fractional, >= 0)"
        )
    mixed = _object_type_problem(s)
    if mixed is not None:
        what, hit = mixed
        raise TypeError(
            f"{argument}: {where} holds {what} ({_where(data, s.index[hit])}), e.g. "
            f"{str(s[hit].iloc[0])!r}; counts must be numbers of pupils (>= 0)"
        )
    if not pd.api.types.is_numeric_dtype(s):
        converted = pd.to_numeric(s, errors="coerce")
        bad = converted.isna() & s.notna()
        if bad.any():
            values = s[bad].astype(str).unique()[:_MAX_EXAMPLES]
            raise ValueError(
                f"{argument}: {where} must hold numeric counts; found "
                f"{_count(int(bad.sum()), 'non-numeric value')} such as {list(values)!r} "
                f"({_where(data, s.index[bad])})"
            )
        s = converted
    # a numpy column holds no missing value but NaN (na_value would cost a scan)
    values = (s.to_numpy(dtype=np.float64) if isinstance(s.dtype, np.dtype)
              else s.to_numpy(dtype=np.float64, na_value=np.nan))
    # one pass for the usual case (every count finite and >= 0; NaN fails both tests)
    if values.size and np.isfinite(values.min()) and values.min() >= 0 and np.isfinite(
            values.max()):
        return values
    nan = np.isnan(values)
    if nan.any():
        raise ValueError(
            f"{argument}: {where} has {_count(int(nan.sum()), 'missing (NaN) count')} "
            f"({_where(data, s.index[nan])}); counts must be finite numbers >= 0"
        )
    inf = np.isinf(values)
    if inf.any():
        raise ValueError(
            f"{argument}: {where} has {_count(int(inf.sum()), 'infinite count')} "
            f"({_where(data, s.index[inf])}); counts must be finite numbers >= 0"
        )
    neg = values < 0
    if neg.any():
        raise ValueError(
            f"{argument}: {where} has {_count(int(neg.sum()), 'negative count')}, e.g. "
            f"{values[neg][0]:g} ({_where(data, s.index[neg])}); counts must be >= 0"
        )
    return values


def _key_column(data: pd.DataFrame, column: str, argument: str) -> pd.Series:
    s = data[column]
    missing = s.isna()
    if missing.any():
        raise ValueError(
            f"{argument}: {_column(data, column)} has "
            f"{_count(int(missing.sum()), 'missing value')} "
            f"({_where(data, s.index[missing])}); every row needs one"
        )
    return s


def _checked_codes(data: pd.DataFrame, column: str, argument: str
                   ) -> tuple[np.ndarray, pd.Index]:
    """Sorted codes of a key column; a missing key is an error (as :func:`_key_column`).

    The codes mark missing keys with -1, so no separate scan for them is needed.
    """
    codes, values = _sorted_codes(data[column])
    if codes.size and codes.min() < 0:
        _key_column(data, column, argument)  # raises, naming the rows
    return codes, values


def _year_column(data: pd.DataFrame, column: str) -> np.ndarray:
    s = data[column]
    if isinstance(s.dtype, np.dtype) and s.dtype.kind in "iu":  # no missing value possible
        return s.to_numpy(dtype=np.int64)
    s = _key_column(data, column, "year")
    problem = _type_problem(s) or (_object_type_problem(s) or (None,))[0]
    if problem is not None:
        shown = [str(v) for v in s.unique()[:3]]
        raise TypeError(
            f"year: {_column(data, column)} holds {problem}, e.g. {shown!r}; a year must "
            "be a whole number such as 2019"
        )
    if pd.api.types.is_integer_dtype(s):
        return s.to_numpy(dtype=np.int64)
    numeric = pd.to_numeric(s, errors="coerce")
    values = numeric.to_numpy(dtype=np.float64, na_value=np.nan)
    bad = ~np.isfinite(values) | (values != np.round(values))
    if bad.any():
        raise ValueError(
            f"year: {_column(data, column)} must hold whole years; found "
            f"{list(s[bad].astype(str).unique()[:_MAX_EXAMPLES])!r} "
            f"({_where(data, s.index[bad])})"
        )
    return values.astype(np.int64)
