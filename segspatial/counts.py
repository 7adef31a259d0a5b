"""The validation gate: any counts input becomes one checked unit × group table.

Everything after this module assumes clean input. Everything this module (or the
filters) leaves out is counted in an *exclusions* table with a reason, so that no
unit, pupil or area is lost silently.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from numbers import Real
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "EXCLUSION_COLUMNS",
    "Counts",
    "MultiCounts",
    "apply_filters",
    "exclusions_summary",
    "prepare_counts",
    "prepare_multigroup_counts",
]

#: Columns of every exclusions table (extra columns such as ``comparison`` may follow).
EXCLUSION_COLUMNS = ["reason", "area", "year", "n_units", "n_pupils", "description"]

_REASONS = {
    "small_area": "area below the minimum mean pupils per year (min_area_size)",
    "small_unit": "unit below the minimum pupils (min_unit_size)",
    "not_in_comparison": "pupils in neither group A nor group B",
    "too_few_units": "area-year with fewer than 2 units left: indices undefined",
    "group_absent": "area-year where group A or B has no pupils: indices undefined",
    # pupil-level input (segspatial.pupils)
    "missing_unit": "pupil rows without a unit (school)",
    "missing_area": "pupil rows without an area (municipality)",
    "missing_year": "pupil rows without a year",
    "missing_value": "pupils whose value for the theme is missing: no group of the theme",
    "unknown_code": "pupils whose code is not in the theme's mapping: no group of the theme",
    "invalid_value": "pupils with an invalid value (non-numeric or infinite income): no group",
    "between_bands": "income rank between the bands (0.2 < r <= 0.4 or 0.6 < r <= 0.8): "
    "no income group",
    # several groups at once (segspatial.multigroup_table)
    "not_in_groups": "pupils in none of the groups compared",
    "too_few_groups": "area-year where fewer than 2 of the groups have pupils: indices "
    "undefined",
    "missing_within": "units without a value in the within column: left out of the "
    "between/within decomposition",
}

_MAX_EXAMPLES = 5


@dataclass(frozen=True)
class Counts:
    """A validated unit × group count table.

    Attributes
    ----------
    frame : pandas.DataFrame
        Columns ``area``, ``year``, ``unit``, ``a``, ``b``, ``total`` (float64 counts;
        ``area`` and ``year`` hold a single placeholder when not given), sorted by
        area, year and unit.
    unit, group_a, group_b : str
        The caller's column names.
    area, year, total : str or None
        The caller's column names, or None when not given.
    """

    frame: pd.DataFrame
    unit: Hashable
    group_a: Hashable
    group_b: Hashable
    area: Hashable | None = None
    year: Hashable | None = None
    total: Hashable | None = None


def _py(value: Any) -> Any:
    """A numpy scalar as the Python value, so messages read ``2019``, not ``np.int64(2019)``."""
    return value.item() if isinstance(value, np.generic) else value


def _examples(index: Sequence[Any]) -> str:
    shown = ", ".join(repr(_py(i)) for i in list(index)[:_MAX_EXAMPLES])
    more = len(index) - _MAX_EXAMPLES
    return shown + (f" and {more} more" if more > 0 else "")


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
    return given


def _numeric_column(data: pd.DataFrame, column: str, argument: str) -> np.ndarray:
    """A finite, non-negative float64 array from a count column, or a clear error."""
    s = data[column]
    if pd.api.types.is_bool_dtype(s) or not pd.api.types.is_numeric_dtype(s):
        converted = pd.to_numeric(s, errors="coerce")
        bad = converted.isna() & s.notna()
        if bad.any():
            values = s[bad].astype(str).unique()[:_MAX_EXAMPLES]
            raise ValueError(
                f"{argument}: column {column!r} must hold numeric counts; found "
                f"{int(bad.sum())} non-numeric values such as {list(values)!r} "
                f"(rows {_examples(s.index[bad])})"
            )
        s = converted
    values = s.to_numpy(dtype=np.float64, na_value=np.nan)
    nan = np.isnan(values)
    if nan.any():
        raise ValueError(
            f"{argument}: column {column!r} has {int(nan.sum())} missing (NaN) counts "
            f"(rows {_examples(s.index[nan])}); counts must be finite numbers >= 0"
        )
    inf = np.isinf(values)
    if inf.any():
        raise ValueError(
            f"{argument}: column {column!r} has {int(inf.sum())} infinite counts "
            f"(rows {_examples(s.index[inf])}); counts must be finite numbers >= 0"
        )
    neg = values < 0
    if neg.any():
        raise ValueError(
            f"{argument}: column {column!r} has {int(neg.sum())} negative counts, e.g. "
            f"{values[neg][0]:g} (rows {_examples(s.index[neg])}); counts must be >= 0"
        )
    return values


def _key_column(data: pd.DataFrame, column: str, argument: str) -> pd.Series:
    s = data[column]
    missing = s.isna()
    if missing.any():
        raise ValueError(
            f"{argument}: column {column!r} has {int(missing.sum())} missing values "
            f"(rows {_examples(s.index[missing])}); every row needs a {argument}"
        )
    return s


def _year_column(data: pd.DataFrame, column: str) -> np.ndarray:
    s = _key_column(data, column, "year")
    numeric = pd.to_numeric(s, errors="coerce")
    values = numeric.to_numpy(dtype=np.float64, na_value=np.nan)
    bad = ~np.isfinite(values) | (values != np.round(values))
    if bad.any():
        raise ValueError(
            f"year: column {column!r} must hold whole years; found "
            f"{list(s[bad].astype(str).unique()[:_MAX_EXAMPLES])!r} "
            f"(rows {_examples(s.index[bad])})"
        )
    return values.astype(np.int64)


def prepare_counts(
    data: pd.DataFrame,
    unit: str,
    group_a: str,
    group_b: str,
    *,
    area: str | None = None,
    year: str | None = None,
    total: str | None = None,
    extra: dict[str, str] | None = None,
) -> Counts:
    """Validate a counts table: one row per unit (and area and year), a column per group.

    Parameters
    ----------
    data : pandas.DataFrame
        The counts. It is not modified.
    unit : str
        Column identifying the unit (school).
    group_a, group_b : str
        Columns with the counts of the two groups compared.
    area : str, optional
        Column identifying the area (municipality); without it all units form one area.
    year : str, optional
        Column with the year; without it all rows form one year.
    total : str, optional
        Column with all pupils of the unit, including pupils in neither group. Used for
        the size filters; must be at least ``group_a + group_b``.
    extra : dict, optional
        Further columns to carry through unchecked, ``{name in frame: column in data}``
        (e.g. ``{"x": "x_rd", "y": "y_rd"}`` for the spatial indices); the names must
        not clash with the frame's own columns.

    Returns
    -------
    Counts
        The validated table.

    Raises
    ------
    TypeError
        If ``data`` is not a DataFrame or a column argument is not a string.
    ValueError
        For missing columns (all of them are listed), an empty table, non-numeric,
        missing, infinite or negative counts, ``group_a == group_b``, a unit listed twice
        in one area-year, a unit in two areas in the same year, or a total below A + B.
    """
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    roles = {"unit": unit, "group_a": group_a, "group_b": group_b, "area": area,
             "year": year, "total": total}
    for role in ("unit", "group_a", "group_b"):
        _check_name(roles[role], role)
    if group_a == group_b:
        raise ValueError(
            f"group_a and group_b must be different columns, both are {group_a!r}"
        )
    extra = dict(extra or {})
    clash = sorted(set(extra) & {"area", "year", "unit", "a", "b", "total"})
    if clash:
        raise ValueError(f"extra: names {clash!r} clash with the columns of the counts frame")
    check_columns(data, roles, required=("unit", "group_a", "group_b"), what="the data",
                  extra=extra)
    if len(data) == 0:
        raise ValueError("data is empty: at least one row of counts is needed")

    a = _numeric_column(data, group_a, "group_a")
    b = _numeric_column(data, group_b, "group_b")
    if total is not None:
        t = _numeric_column(data, total, "total")
        # allow for rounding in upstream aggregation of fractional counts
        short = t < (a + b) * (1 - 1e-12) - 1e-9
        if short.any():
            rows = data.index[short]
            raise ValueError(
                f"total: column {total!r} is below {group_a!r} + {group_b!r} in "
                f"{int(short.sum())} rows ({_examples(rows)}); the total must count every "
                "pupil of the unit, including those in neither group"
            )
    else:
        t = a + b

    frame = pd.DataFrame(
        {
            "area": (_key_column(data, area, "area").to_numpy()
                     if area is not None else np.zeros(len(data), dtype=np.int64)),
            "year": (_year_column(data, year) if year is not None
                     else np.zeros(len(data), dtype=np.int64)),
            "unit": _key_column(data, unit, "unit").to_numpy(),
            "a": a,
            "b": b,
            "total": t,
        },
        index=data.index,
    )
    for name, column in extra.items():
        frame[name] = data[column].to_numpy()
    dup = frame.duplicated(["area", "year", "unit"], keep=False)
    if dup.any():
        first = frame.loc[dup].iloc[0]
        where = " and ".join(
            f"{name} {_py(first[key])!r}" for name, key in ((area, "area"), (year, "year"))
            if name is not None
        )
        raise ValueError(
            f"unit: {int(dup.sum())} rows repeat a unit within one area-year, e.g. unit "
            f"{_py(first['unit'])!r}" + (f" in {where}" if where else "")
            + f" (rows {_examples(frame.index[dup])}); aggregate them to one row per unit"
        )
    if area is not None:
        n_areas = frame.groupby(["year", "unit"], sort=False)["area"].nunique()
        split = n_areas[n_areas > 1]
        if len(split):
            y, u = split.index[0]
            areas = sorted(map(str, frame.loc[(frame["year"] == y) & (frame["unit"] == u),
                                              "area"].unique()))
            when = f" in year {_py(y)}" if year is not None else ""
            raise ValueError(
                f"area: {len(split)} units lie in more than one area in the same year, e.g. "
                f"unit {_py(u)!r}{when} in areas {areas!r}; a unit belongs to one area per year"
            )
    frame = frame.sort_values(["area", "year", "unit"], kind="stable").reset_index(drop=True)
    return Counts(frame=frame, unit=unit, group_a=group_a, group_b=group_b,
                  area=area, year=year, total=total)


@dataclass(frozen=True)
class MultiCounts:
    """A validated unit x K-group count table (several groups at once).

    Attributes
    ----------
    frame : pandas.DataFrame
        Columns ``area``, ``year``, ``unit``, one float64 count column per group (named
        as the caller's columns, in the order given), ``total`` and any ``extra``
        columns; sorted by area, year and unit. ``area`` and ``year`` hold a single
        placeholder when not given.
    unit : str
        The caller's unit column.
    groups : tuple of str
        The group columns, in order.
    area, year, total : str or None
        The caller's column names, or None when not given.
    """

    frame: pd.DataFrame
    unit: Hashable
    groups: tuple[str, ...]
    area: Hashable | None = None
    year: Hashable | None = None
    total: Hashable | None = None

    @property
    def matrix(self) -> np.ndarray:
        """The counts, shape (n_units, K), float64."""
        return self.frame[list(self.groups)].to_numpy(dtype=np.float64)


def _check_groups(groups: Any) -> tuple[str, ...]:
    if isinstance(groups, str) or not isinstance(groups, Sequence):
        raise TypeError(f"groups must be a list of column names, got {groups!r}")
    groups = tuple(groups)
    for i, g in enumerate(groups):
        _check_name(g, f"groups[{i}]")
    if len(groups) < 2:
        raise ValueError(f"groups must name at least two count columns, got {list(groups)!r}")
    from segspatial.schema import join_groups

    join_groups(groups)  # refuses names with the separator of the `groups` column
    return groups


def prepare_multigroup_counts(
    data: pd.DataFrame,
    unit: str,
    groups: Sequence[str],
    *,
    area: str | None = None,
    year: str | None = None,
    total: str | None = None,
    extra: dict[str, str] | None = None,
) -> MultiCounts:
    """Validate a counts table with K >= 2 group columns (the multigroup gate).

    The same checks as :func:`prepare_counts` (which it uses for the unit, area and
    year keys), for every group column.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per unit (and area and year). It is not modified.
    unit : str
        Column identifying the unit (school).
    groups : sequence of str
        Two or more columns with the counts of the groups, in the order of the results.
    area, year, total : str, optional
        As for :func:`prepare_counts`; ``total`` must be at least the sum of the groups.
    extra : dict, optional
        Further columns to carry through, ``{name in frame: column in data}``.

    Returns
    -------
    MultiCounts

    Raises
    ------
    TypeError
        If ``data`` is not a DataFrame or a column argument is not a string.
    ValueError
        For fewer than two groups, a column named twice or in two roles, missing columns
        (all are listed), an empty table, non-numeric, missing, infinite or negative
        counts, a unit listed twice in one area-year or in two areas in one year, a
        total below the sum of the groups, a group name containing ``|``, or a group
        named like a column of the frame (area, year, unit, total or an extra).
    """
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    _check_name(unit, "unit")
    groups = _check_groups(groups)
    extra = dict(extra or {})
    reserved = {"area", "year", "unit", "total", *extra}
    clash = [g for g in groups if g in reserved]
    if clash:
        raise ValueError(
            f"groups: {clash!r} would clash with the columns of the counts frame "
            f"({sorted(reserved)!r}); rename those count columns"
        )
    roles = {"unit": unit, "area": area, "year": year, "total": total,
             **{f"groups[{i}]": g for i, g in enumerate(groups)}}
    check_columns(data, roles, required=("unit", *(f"groups[{i}]" for i in
                                                   range(len(groups)))),
                  what="the data", extra=extra)
    if len(data) == 0:
        raise ValueError("data is empty: at least one row of counts is needed")
    values = {g: _numeric_column(data, g, f"groups[{i}]") for i, g in enumerate(groups)}
    summed = np.sum(list(values.values()), axis=0)
    if total is not None:
        t = _numeric_column(data, total, "total")
        short = t < summed * (1 - 1e-12) - 1e-9
        if short.any():
            raise ValueError(
                f"total: column {total!r} is below the sum of the groups "
                f"{list(groups)!r} in {int(short.sum())} rows ({_examples(data.index[short])}); "
                "the total must count every pupil of the unit, including those in no group"
            )
    else:
        t = summed
    # the key checks of the two-group gate, on the validated counts
    keys = {c: data[c] for c in (unit, area, year) if c is not None}
    checked = pd.DataFrame({**keys, **values, **{c: data[c] for c in extra.values()}},
                           index=data.index)
    taken = set(checked.columns) | set(extra)
    private = [n for n in (f"_segspatial_{i}" for i in range(len(groups) + len(taken)))
               if n not in taken]  # helper column names the caller does not use
    checked[private[0]] = t
    rest = {private[i]: g for i, g in enumerate(groups[2:], start=1)}
    checked = checked.rename(columns={g: p for p, g in rest.items()}) if rest else checked
    two = prepare_counts(checked, unit, groups[0], groups[1], area=area, year=year,
                         total=private[0], extra={**extra, **{p: p for p in rest}})
    frame = two.frame.rename(columns={"a": groups[0], "b": groups[1], **rest})
    frame = frame[["area", "year", "unit", *groups, "total", *extra]]
    return MultiCounts(frame=frame, unit=unit, groups=groups, area=area, year=year,
                       total=total)


def _check_size(value: Any, argument: str) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{argument} must be a number of pupils, got {value!r}")
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{argument} must be a finite number >= 0 (0 disables), got {value!r}")
    return float(value)


def _exclusion_rows(frame: pd.DataFrame, mask: np.ndarray, reason: str,
                    pupils: np.ndarray | None = None) -> pd.DataFrame:
    """Count the masked rows per area-year as exclusions with ``reason``."""
    sub = frame.loc[mask, ["area", "year"]].copy()
    sub["n_units"] = 1
    sub["n_pupils"] = frame.loc[mask, "total"].to_numpy() if pupils is None else pupils[mask]
    out = sub.groupby(["area", "year"], sort=True, as_index=False)[["n_units", "n_pupils"]].sum()
    out.insert(0, "reason", reason)
    out["description"] = _REASONS[reason]
    return out


def empty_exclusions() -> pd.DataFrame:
    """An exclusions table without rows."""
    return pd.DataFrame({c: pd.Series(dtype=object if c in ("reason", "area", "description")
                                      else "int64" if c in ("year", "n_units") else "float64")
                         for c in EXCLUSION_COLUMNS})


def apply_filters(
    counts: Counts, *, min_unit_size: float = 50, min_area_size: float = 10000
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Drop small areas, then small units, counting everything dropped.

    Parameters
    ----------
    counts : Counts
        Output of :func:`prepare_counts`.
    min_unit_size : float, default 50
        Units with fewer pupils (the total column if given, else A + B) are dropped.
        0 disables the filter.
    min_area_size : float, default 10000
        Areas whose mean pupils per year (over the years in which the area appears,
        all units counted before the unit filter) is below this are dropped.
        0 disables the filter.

    Returns
    -------
    kept : pandas.DataFrame
        The rows of ``counts.frame`` that pass both filters.
    exclusions : pandas.DataFrame
        One row per area-year and reason (``small_area``, ``small_unit``,
        ``not_in_comparison``) with the units and pupils concerned.
    """
    min_unit = _check_size(min_unit_size, "min_unit_size")
    min_area = _check_size(min_area_size, "min_area_size")
    frame = counts.frame
    parts = []

    per_area = frame.groupby("area", sort=False).agg(
        pupils=("total", "sum"), years=("year", "nunique")
    )
    mean_pupils = per_area["pupils"] / per_area["years"]
    small_areas = mean_pupils.index[mean_pupils < min_area]
    small_area = frame["area"].isin(small_areas).to_numpy()
    if small_area.any():
        parts.append(_exclusion_rows(frame, small_area, "small_area"))

    small_unit = ~small_area & (frame["total"].to_numpy() < min_unit)
    if small_unit.any():
        parts.append(_exclusion_rows(frame, small_unit, "small_unit"))

    keep = ~(small_area | small_unit)
    neither = frame["total"].to_numpy() - frame["a"].to_numpy() - frame["b"].to_numpy()
    outside = keep & (neither > 0)
    if outside.any():
        part = _exclusion_rows(frame, outside, "not_in_comparison", pupils=neither)
        part["n_units"] = 0  # the units stay in; only their other pupils are left out
        parts.append(part)
    exclusions = (pd.concat(parts, ignore_index=True) if parts else empty_exclusions())
    return frame.loc[keep].reset_index(drop=True), exclusions


def exclusions_summary(exclusions: pd.DataFrame) -> pd.DataFrame:
    """Totals per reason: area-years touched, units and pupils left out.

    Parameters
    ----------
    exclusions : pandas.DataFrame
        An exclusions table (see :data:`EXCLUSION_COLUMNS`).

    Returns
    -------
    pandas.DataFrame
        One row per reason (in order of first appearance), with ``area_years``,
        ``n_units``, ``n_pupils`` and ``description``.
    """
    keys = ["reason"] + [c for c in ("comparison", "theme") if c in exclusions.columns]
    if exclusions.empty:
        return pd.DataFrame(columns=[*keys, "area_years", "n_units", "n_pupils",
                                     "description"])
    return (
        exclusions.groupby(keys, sort=False, dropna=False)
        .agg(area_years=("reason", "size"), n_units=("n_units", "sum"),
             n_pupils=("n_pupils", "sum"), description=("description", "first"))
        .reset_index()
    )
