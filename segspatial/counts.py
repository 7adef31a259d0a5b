"""The validation gate: any counts input becomes one checked unit × group table.

Everything after this module assumes clean input. Everything this module (or the
filters) leaves out is counted in an *exclusions* table with a reason, so that no
unit, pupil or area is lost silently.

Each pupil is counted once, under the first reason that applies (:data:`PRECEDENCE`):
a row that cannot be placed (``missing_unit``, ``missing_area``, ``missing_year``),
then ``small_area``, ``small_unit``, then an area-year whose indices are undefined
(``too_few_units``, ``group_absent``: all its pupils), and only then
``not_in_comparison`` for the pupils of the analysed area-years in neither group. So
the pupils left out plus ``n_a + n_b`` of the defined area-years add up to the input,
and "left out" never exceeds it. (Pupil-level input adds, per theme, the pupils in no
group of the theme, after ``small_unit``: ``missing_value``, ``unknown_code``,
``invalid_value``, ``between_bands``; the reasons after them then count only pupils in
a group of the theme, see :mod:`segspatial.pupils`.)
"""

from __future__ import annotations

import functools
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from numbers import Real
from typing import Any

import numpy as np
import pandas as pd

from segspatial._columns import (
    _check_name,
    _checked_codes,
    _column,
    _key_column,  # noqa: F401 (re-exported)
    _numeric_column,
    _object_type_problem,  # noqa: F401 (re-exported)
    _py,
    _type_problem,  # noqa: F401 (re-exported)
    _where,
    _year_column,
    check_columns,
    empty_text,
    refuse_count_types,  # noqa: F401 (re-exported)
)
from segspatial._keys import _combine_codes, _sorted_codes, gather, key_codes
from segspatial._lazy import Deferred, LazyField

__all__ = [
    "EXCLUSION_COLUMNS",
    "PRECEDENCE",
    "Counts",
    "MultiCounts",
    "apply_filters",
    "check_counts",
    "count_once",
    "exclusions_summary",
    "left_out_of_area",
    "prepare_counts",
    "prepare_multigroup_counts",
]

#: Columns of every exclusions table (extra columns such as ``comparison`` may follow).
EXCLUSION_COLUMNS = ["reason", "area", "year", "n_units", "n_pupils", "description"]

_REASONS = {
    "small_area": "area below the minimum mean pupils per year (min_area_size)",
    "small_unit": "unit below the minimum pupils (min_unit_size)",
    "not_in_comparison": "pupils in neither group A nor group B",
    "too_few_units": "area-year with fewer than 2 units with pupils in the comparison: "
    "indices undefined",
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

#: The order in which a pupil's reason is chosen when several apply (first wins).
PRECEDENCE = ("missing_unit", "missing_area", "missing_year", "small_area", "small_unit",
              "missing_value", "unknown_code", "invalid_value", "between_bands",
              "too_few_units", "group_absent", "not_in_comparison")



@dataclass(frozen=True)
class Counts:
    """A validated unit × group count table.

    Attributes
    ----------
    frame : pandas.DataFrame
        Columns ``area``, ``year``, ``unit``, ``a``, ``b``, ``total`` (float64 counts;
        ``area`` and ``year`` hold a single placeholder when not given), sorted by
        area, year and unit. ``area`` and ``unit`` are pandas Categoricals of the
        caller's values (sorted categories): the keys are compared and grouped as
        integer codes, and their text is stored once. Built on first use by the
        gate (the engine works on its arrays, see ``columns``).
    unit, group_a, group_b : str
        The caller's column names.
    area, year, total : str or None
        The caller's column names, or None when not given.
    """

    frame: pd.DataFrame = LazyField()
    unit: Hashable
    group_a: Hashable
    group_b: Hashable
    area: Hashable | None = None
    year: Hashable | None = None
    total: Hashable | None = None
    #: The area-year of every row of ``frame`` (0 .. n - 1 in key order) and the keys of
    #: each, as the gate found them, so the engine does not group the rows again; None
    #: when the gate did not record them (see :func:`segspatial.compute.group_codes`).
    area_years: tuple[np.ndarray, pd.DataFrame] | None = field(default=None, repr=False,
                                                                compare=False)
    #: The count columns of ``frame`` as the gate made them (``a``, ``b``, ``total``,
    #: float64, and the area code of every row), so that filters and engine need not
    #: build the frame; None for a Counts made otherwise (not copied by
    #: :func:`dataclasses.replace`, whose new frame may hold other rows).
    columns: GateColumns | None = field(default=None, init=False, repr=False,
                                        compare=False)

    def count_columns(self) -> GateColumns:
        """``a``, ``b`` and ``total`` of :attr:`frame` as float64 arrays (no copies)."""
        if self.columns is not None:
            return self.columns
        frame = self.frame
        return GateColumns(a=frame["a"].to_numpy(dtype=np.float64),
                           b=frame["b"].to_numpy(dtype=np.float64),
                           total=frame["total"].to_numpy(dtype=np.float64))


@dataclass(frozen=True)
class GateColumns:
    """The gate's arrays of a :class:`Counts` (rows in the order of its frame)."""

    a: np.ndarray
    b: np.ndarray
    total: np.ndarray
    #: Whether ``total`` is ``a + b`` (no total column was given).
    total_is_sum: bool = False
    #: The area code (index into the sorted areas) of each of ``Counts.area_years``,
    #: None when unknown.
    block_area: np.ndarray | None = None


def check_counts(data: pd.DataFrame, group_a: str, group_b: str,
                 total: str | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The count columns of the gate: A, B and the total (A + B without ``total``).

    The one check of count columns for every command (indices, local, schools,
    reports): numbers (not booleans, dates or complex), finite, >= 0, and a total
    of at least A + B.

    Returns
    -------
    a, b, total : numpy.ndarray
        float64 arrays.

    Raises
    ------
    TypeError
        For booleans, dates or complex numbers.
    ValueError
        For non-numeric, missing, infinite or negative counts, or a total below A + B
        (the message names the column, the rows or file lines, and what is allowed).
    """
    a, b, t = _count_columns(data, group_a, group_b, total)
    return a, b, a + b if t is None else t


def _count_columns(data: pd.DataFrame, group_a: str, group_b: str, total: str | None
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """:func:`check_counts`, with None for the total when no column gives it."""
    a = _numeric_column(data, group_a, "group_a")
    b = _numeric_column(data, group_b, "group_b")
    if total is None:
        return a, b, None
    t = _numeric_column(data, total, "total")
    # allow for rounding in upstream aggregation of fractional counts
    short = t < (a + b) * (1 - 1e-12) - 1e-9
    if short.any():
        first = int(np.flatnonzero(short)[0])
        raise ValueError(
            f"total: {_column(data, total)} is below {group_a!r} + {group_b!r} in "
            f"{int(short.sum())} rows ({_where(data, data.index[short])}), e.g. "
            f"{t[first]:g} < {a[first]:g} + {b[first]:g}; the total must count every "
            "pupil of the unit, including those in neither group"
        )
    return a, b, t


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
        raise ValueError(f"{empty_text(data, 'data')}: at least one row of counts is "
                         "needed")

    a, b, t = _count_columns(data, group_a, group_b, total)

    n = len(data)
    if area is not None:
        area_codes, area_values = _checked_codes(data, area, "area")
    else:
        area_codes, area_values = np.zeros(n, dtype=np.int64), None
    years = (_year_column(data, year) if year is not None
             else np.zeros(n, dtype=np.int64))
    year_codes, year_values = _sorted_codes(years)
    unit_codes, unit_values = _checked_codes(data, unit, "unit")
    n_area = len(area_values) if area_values is not None else 1
    n_year, n_unit = len(year_values), len(unit_values)
    # Integer keys only, never the key values themselves: (year, unit) is unique iff no
    # unit repeats within an area-year and no unit lies in two areas in a year. The
    # same dense table gives the (year, unit) order by a scatter (no comparison sort);
    # a stable radix sort on the area codes then gives (area, year, unit) order.
    year_unit = _combine_codes(year_codes, n_year, unit_codes, n_unit)
    n_slots = n_year * n_unit
    dense = n_slots <= max(4 * n, 1 << 20)
    rows = np.arange(n, dtype=np.int32 if n < 2**31 else np.int64)
    if dense:  # each row writes its number into its slot: a repeat overwrites one
        slot = np.full(n_slots, -1, dtype=rows.dtype)
        slot[year_unit] = rows
        clash = not np.array_equal(gather(slot, year_unit), rows)
    else:
        clash = len(np.unique(year_unit)) < n
    if clash:
        _key_clash(data, year_unit, area_codes, area, year, years, area_values,
                   unit_codes, unit_values)
    if dense:
        by_year_unit = slot[slot >= 0]
    else:
        by_year_unit = np.argsort(year_unit, kind="stable")
    if area is not None and n_area > 1:
        small = area_codes.astype(np.uint16) if n_area <= 1 << 16 else area_codes
        codes = gather(small, by_year_unit)  # 16-bit codes: numpy sorts them by radix
        order = gather(by_year_unit, np.argsort(codes, kind="stable"))
    else:
        order = by_year_unit
    if n < 2 or bool(np.all(order[1:] > order[:-1])):
        order = None  # already in order: no gathers

    def take(values: np.ndarray) -> np.ndarray:  # always a fresh array (copy=False below)
        return values.copy() if order is None else gather(values, order)

    # The rows come in blocks of one area-year, in key order: the area and year columns
    # and the engine's area-year codes are the blocks' keys repeated (no gathers).
    n_pair = n_area * n_year
    area_years = block_area = blocks = None
    if n_pair <= max(4 * n, 1 << 20) and (area is None
                                          or area_values.is_monotonic_increasing):
        sizes = np.bincount(area_codes * n_year + year_codes, minlength=n_pair)
        present = np.flatnonzero(sizes)
        block_sizes = sizes[present]
        block_area, block_year = np.divmod(present, n_year)
        block_years = np.asarray(year_values)[block_year].astype(np.int64, copy=False)
        keys = pd.DataFrame({
            "area": (area_values.array.take(block_area) if area is not None
                     else np.zeros(len(present), dtype=np.int64)),
            "year": block_years}, copy=False)
        area_years = (np.repeat(np.arange(len(present), dtype=np.intp), block_sizes), keys)
        blocks = (block_area, block_years, block_sizes)
        years_sorted = None
    else:
        years_sorted = take(years)
    if order is not None and n >= _PACK_ROWS and all(
            data[c].dtype.kind in "iu" for c in (group_a, group_b)) and max(
            a.max(), b.max()) < 2**31:
        a_sorted, b_sorted = _gather_pair(a, b, order)
    else:
        a_sorted, b_sorted = take(a), take(b)
    columns = GateColumns(a=a_sorted, b=b_sorted,
                          total=take(t) if total is not None else a_sorted + b_sorted,
                          total_is_sum=total is None, block_area=block_area)
    # The frame itself is built on first use (the engine needs only the arrays): from
    # the engine's own arrays, never from views of ``data``, which the caller may change.
    frame = Deferred(_gate_frame, area_values if area is not None else None,
                     area_codes, years_sorted, blocks, unit_codes,
                     unit_values, order, columns,
                     {name: take(data[column].to_numpy()) for name, column in extra.items()})
    counts = Counts(frame=frame, unit=unit, group_a=group_a, group_b=group_b,
                    area=area, year=year, total=total, area_years=area_years)
    object.__setattr__(counts, "columns", columns)
    return counts


#: Rows from which the gate gathers whole counts as packed pairs (see _gather_pair).
_PACK_ROWS = 1 << 18


def _gather_pair(a: np.ndarray, b: np.ndarray, order: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray]:
    """``a[order], b[order]`` for whole counts below 2**31, in one gather.

    The gather of a long table is bound by memory latency (one cache miss per row and
    column); packed into one int64 per row, the pair costs one miss. Whole numbers
    below 2**31 are exact in both types, so the values are those of two gathers.
    """
    packed = a.astype(np.int64)
    packed <<= 32
    packed |= b.astype(np.int64)
    packed = gather(packed, order)
    b_sorted = (packed & 0xFFFFFFFF).astype(np.float64)
    packed >>= 32
    return packed.astype(np.float64), b_sorted


def _gate_frame(area_values: pd.Index | None, area_codes: np.ndarray,
                years_sorted: np.ndarray | None,
                blocks: tuple[np.ndarray, np.ndarray, np.ndarray] | None,
                unit_codes: np.ndarray,
                unit_values: pd.Index, order: np.ndarray | None, columns: GateColumns,
                extra: dict[str, np.ndarray]) -> pd.DataFrame:
    """The frame of :func:`prepare_counts` (see :class:`Counts`) from the gate's arrays."""
    n = len(columns.a)

    def categorical(codes: np.ndarray, values: pd.Index, sorted_: bool = False
                    ) -> pd.Categorical:
        small = codes.astype(np.int32) if len(values) < 2**31 - 1 else codes
        return pd.Categorical.from_codes(
            small if sorted_ or order is None else gather(small, order), categories=values,
            validate=False)

    if blocks is not None:  # blocks of one area-year: the keys repeated (no gathers)
        block_area, block_years, block_sizes = blocks
        years_sorted = np.repeat(block_years, block_sizes)
        area_column = (categorical(np.repeat(block_area, block_sizes), area_values, True)
                       if area_values is not None else np.zeros(n, dtype=np.int64))
    else:
        area_column = (categorical(area_codes, area_values) if area_values is not None
                       else np.zeros(n, dtype=np.int64))
    frame = pd.DataFrame(
        {
            "area": area_column,
            "year": years_sorted,
            "unit": categorical(unit_codes, unit_values),
            "a": columns.a,
            "b": columns.b,
            "total": columns.total,
        },
        copy=False,
    )
    for name, values in extra.items():
        frame[name] = values
    return frame


def _key_clash(data: pd.DataFrame, year_unit: np.ndarray, area_codes: np.ndarray,
               area: str | None, year: str | None, years: np.ndarray,
               area_values: pd.Index | None, unit_codes: np.ndarray,
               unit_values: pd.Index) -> None:
    """Raise the error for a (year, unit) seen twice: a repeated unit, or one in two areas."""
    uniq, inverse, counts_of = np.unique(year_unit, return_inverse=True, return_counts=True)
    twice = counts_of[inverse] > 1
    rows = np.flatnonzero(twice)
    triple = pd.DataFrame({"yu": year_unit[rows], "area": area_codes[rows]})
    dup = triple.duplicated(keep=False).to_numpy()
    if dup.any():
        at = rows[dup]
        first_row = int(at[0])
        same = (year_unit[at] == year_unit[first_row]) & (area_codes[at] ==
                                                          area_codes[first_row])
        where = " and ".join(
            f"{name} {_py(value)!r}" for name, value in (
                (area, area_values[area_codes[first_row]] if area is not None else None),
                (year, years[first_row])) if name is not None
        )
        raise ValueError(
            f"unit: {len(at)} rows repeat a unit within one area-year, e.g. unit "
            f"{_py(unit_values[unit_codes[first_row]])!r}" + (f" in {where}" if where else "")
            + f" ({_where(data, data.index[at])}); aggregate them to one row per unit "
            f"({int(same.sum())} rows for this one)"
        )
    split = np.unique(year_unit[rows])
    first = rows[year_unit[rows] == split[0]]
    y, u = years[first[0]], unit_values[unit_codes[first[0]]]
    areas = sorted(map(str, np.unique(np.asarray(area_values)[area_codes[first]])))
    when = f" in year {_py(y)}" if year is not None else ""
    raise ValueError(
        f"area: {len(split)} units lie in more than one area in the same year, e.g. unit "
        f"{_py(u)!r}{when} in areas {areas!r} ({_where(data, data.index[first])}); a unit "
        "belongs to one area per year"
    )


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
        raise ValueError(f"{empty_text(data, 'data')}: at least one row of counts is "
                         "needed")
    values = {g: _numeric_column(data, g, f"groups[{i}]") for i, g in enumerate(groups)}
    summed = np.sum(list(values.values()), axis=0)
    if total is not None:
        t = _numeric_column(data, total, "total")
        short = t < summed * (1 - 1e-12) - 1e-9
        if short.any():
            raise ValueError(
                f"total: column {total!r} is below the sum of the groups "
                f"{list(groups)!r} in {int(short.sum())} rows ({_where(data, data.index[short])}); "
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
    out = sub.groupby(["area", "year"], sort=True, as_index=False,
                      observed=True)[["n_units", "n_pupils"]].sum()
    if isinstance(out["area"].dtype, pd.CategoricalDtype):
        out["area"] = np.asarray(out["area"])
    out.insert(0, "reason", reason)
    out["description"] = _REASONS[reason]
    return out


def empty_exclusions() -> pd.DataFrame:
    """An exclusions table without rows."""
    return _empty_exclusions().copy()


def _no_exclusions() -> pd.DataFrame:
    """The shared exclusions table without rows: only for tables that are not returned
    (a caller gets :func:`empty_exclusions`, a copy of its own)."""
    return _empty_exclusions()


@functools.cache
def _empty_exclusions() -> pd.DataFrame:
    return pd.DataFrame({
        c: pd.Series(dtype=object if c in ("reason", "area", "description")
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
    keep, exclusions = _filter(counts, min_unit_size, min_area_size)
    if exclusions is _no_exclusions():
        exclusions = empty_exclusions()
    frame = counts.frame
    kept = frame.copy(deep=False) if keep.all() else frame.loc[keep].reset_index(drop=True)
    return kept, exclusions


def _filter(counts: Counts, min_unit_size: float, min_area_size: float
            ) -> tuple[np.ndarray, pd.DataFrame]:
    """The rows :func:`apply_filters` keeps (a mask) and its exclusions."""
    min_unit = _check_size(min_unit_size, "min_unit_size")
    min_area = _check_size(min_area_size, "min_area_size")
    columns = counts.count_columns()  # the gate's arrays: no frame unless rows go
    parts = []

    total = columns.total
    small_area = np.zeros(len(total), dtype=bool)
    if min_area > 0:  # mean pupils per year over the years the area appears
        if columns.block_area is not None and counts.area_years is not None:
            # the gate's area-year blocks: an area's years are its blocks
            block_area = columns.block_area
            area_codes = block_area[counts.area_years[0]]
            n_area = int(block_area[-1]) + 1 if len(block_area) else 0
            n_years = np.bincount(block_area, minlength=n_area)
        else:
            frame = counts.frame
            area_codes, areas = key_codes(frame["area"])
            year_codes, years = key_codes(frame["year"])
            n_area, n_year = len(areas), len(years)
            pair = _combine_codes(area_codes, n_area, year_codes, n_year)
            if n_area * n_year <= max(4 * len(frame), 1 << 20):
                present = np.flatnonzero(np.bincount(pair, minlength=n_area * n_year))
            else:
                present = np.unique(pair)
            n_years = np.bincount(present // n_year, minlength=n_area)
        pupils = np.bincount(area_codes, weights=total, minlength=n_area)
        with np.errstate(divide="ignore", invalid="ignore"):
            small_area = (pupils / n_years < min_area)[area_codes]
    if small_area.any():
        parts.append(_exclusion_rows(counts.frame, small_area, "small_area"))

    small_unit = ~small_area & (total < min_unit)
    if small_unit.any():
        parts.append(_exclusion_rows(counts.frame, small_unit, "small_unit"))

    keep = ~(small_area | small_unit)
    neither = total - columns.a - columns.b
    outside = keep & (neither > 0)
    if outside.any():
        part = _exclusion_rows(counts.frame, outside, "not_in_comparison", pupils=neither)
        part["n_units"] = 0  # the units stay in; only their other pupils are left out
        parts.append(part)
    exclusions = (pd.concat(parts, ignore_index=True) if parts else _no_exclusions())
    return keep, exclusions


def count_once(filtered: pd.DataFrame, undefined: pd.DataFrame,
               keys: Sequence[str] = ("area", "year")) -> pd.DataFrame:
    """Drop the ``not_in_comparison`` rows of area-years whose indices are undefined.

    Their pupils are all counted under ``too_few_units`` or ``group_absent`` already
    (see :data:`PRECEDENCE`), so each pupil is left out once, under one reason.

    Parameters
    ----------
    filtered : pandas.DataFrame
        Exclusions from :func:`apply_filters`.
    undefined : pandas.DataFrame
        Exclusions of undefined area-years (``too_few_units``, ``group_absent``).
    keys : sequence of str
        The columns that identify an area-year (and comparison, where there is one).

    Returns
    -------
    pandas.DataFrame
        ``filtered`` without those rows.
    """
    keys = [k for k in keys if k in filtered.columns and k in undefined.columns]
    if filtered.empty or undefined.empty:
        return filtered
    outside = (filtered["reason"] == "not_in_comparison").to_numpy()
    if not outside.any():
        return filtered
    if keys:
        gone = pd.MultiIndex.from_frame(undefined[keys])
        hit = pd.MultiIndex.from_frame(filtered[keys]).isin(gone)
    else:
        hit = np.ones(len(filtered), dtype=bool)
    return filtered.loc[~(outside & hit)].reset_index(drop=True)


#: What to lower when units were left out for a reason of the filters.
_LOWER = {"small_unit": "min_unit_size", "small_area": "min_area_size"}


def left_out_of_area(exclusions: pd.DataFrame, code: str) -> str:
    """Why an area has no results, for messages: ``" ('GM0088': all its units were left
    out: small_unit 1 unit; lower min_unit_size)"``; empty when the exclusions do not
    name it (then the area is not in the data at all)."""
    if not {"area", "reason", "n_units"} <= set(exclusions.columns):
        return ""
    rows = exclusions[exclusions["area"].astype(str) == code]
    if rows.empty:
        return ""
    per_reason = rows.groupby("reason", sort=True)["n_units"].sum()
    reasons = ", ".join(f"{reason} {int(n):,} unit{'s' if int(n) != 1 else ''}"
                        for reason, n in per_reason.items())
    lower = [_LOWER[r] for r in per_reason.index if r in _LOWER]
    return (f" ({code!r}: all its units were left out: {reasons}"
            + (f"; lower {' or '.join(lower)}" if lower else "") + ")")


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
    # one row per area-year and reason, or rows that already total several area-years
    # (an ``area_years`` column, e.g. the report's rows per area)
    area_years = (("area_years", "sum") if "area_years" in exclusions.columns
                  else ("reason", "size"))
    return (
        exclusions.groupby(keys, sort=False, dropna=False)
        .agg(area_years=area_years, n_units=("n_units", "sum"),
             n_pupils=("n_pupils", "sum"), description=("description", "first"))
        .reset_index()
    )
