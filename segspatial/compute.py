"""The table engine: validated counts in, one tidy long results table out.

All area-years are computed together: each index kernel runs once over the units of
every area-year (see :mod:`segspatial.indices`), and the long table is assembled with
array operations.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from segspatial._lazy import Deferred, LazyField
from segspatial.counts import (
    _REASONS,
    Counts,
    GateColumns,
    _combine_codes,
    _filter,
    count_once,
    empty_exclusions,
    exclusions_summary,
    key_codes,
    prepare_counts,
)
from segspatial.indices import (
    INTEGER_REASON,
    UNDEFINED_REASON,
    GroupedCounts,
    IndexSpec,
    resolve_indices,
    undefined_reasons,
)
from segspatial.schema import RESULT_COLUMNS, empty_results, results_frame

__all__ = ["RESULT_COLUMNS", "SegregationResult", "segregation", "segregation_table"]


@dataclass(frozen=True)
class SegregationResult:
    """What :func:`segregation` returns.

    Attributes
    ----------
    table : pandas.DataFrame
        The tidy long results, one row per area, year and index, in the one schema of
        :data:`segspatial.schema.RESULT_COLUMNS` (columns that do not apply are null).
        Values are never rounded; an undefined value is NaN with its ``reason``.
    exclusions : pandas.DataFrame
        Every area, unit and pupil left out, per area-year and reason.
    counts : pandas.DataFrame
        The validated counts that were used (after the filters), with columns
        ``area``, ``year``, ``unit``, ``a``, ``b``, ``total`` (built on first use).
    parameters : dict
        The arguments of the run, for provenance.
    """

    table: pd.DataFrame
    exclusions: pd.DataFrame
    counts: pd.DataFrame = LazyField()
    parameters: dict[str, Any] = field(default_factory=dict)

    def exclusions_summary(self) -> pd.DataFrame:
        """Exclusions totalled per reason (see :func:`segspatial.exclusions_summary`)."""
        return exclusions_summary(self.exclusions)


def compute_indices(
    frame: pd.DataFrame,
    specs: list[IndexSpec],
    *,
    group_a: str = "a",
    group_b: str = "b",
    keys: tuple[str, ...] = ("area", "year"),
    area_years: tuple[np.ndarray, pd.DataFrame] | None = None,
    columns: GateColumns | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every index for every area-year of a validated, filtered count frame.

    Parameters
    ----------
    frame : pandas.DataFrame
        Columns ``keys`` plus ``a``, ``b``, ``total``; one row per unit.
    specs : list of IndexSpec
        The indices, in output order.
    group_a, group_b : str
        Labels written to the ``group_a`` / ``group_b`` columns and used in reasons.
    keys : tuple of str
        The columns that define one area-year.
    area_years : tuple, optional
        The area-year of every row and the keys of each, as :func:`group_codes`
        returns them, when they are known already (the gate records them).
    columns : GateColumns, optional
        ``a``, ``b`` and ``total`` of ``frame`` as float64 arrays, when known already
        (then ``frame`` is not read, and may be None if ``area_years`` is given).

    Returns
    -------
    table : pandas.DataFrame
        Long results in the one schema (:data:`RESULT_COLUMNS`): ``keys``,
        ``group_a``, ``group_b``, ``index``, ``value``, ``n_units``, ``n_pupils``,
        ``n_a``, ``n_b`` and ``reason`` filled, the other columns null.
    undefined : pandas.DataFrame
        Exclusions for area-years whose indices are undefined (too few units,
        absent group).
    """
    keys = list(keys)
    g, key_frame = group_codes(frame, keys) if area_years is None else area_years
    n_groups = len(key_frame)
    if columns is None:
        columns = GateColumns(a=frame["a"].to_numpy(dtype=np.float64),
                              b=frame["b"].to_numpy(dtype=np.float64),
                              total=frame["total"].to_numpy(dtype=np.float64))
    c = GroupedCounts(a=columns.a, b=columns.b, group=g, n_groups=n_groups,
                      wanted=frozenset(spec.name for spec in specs))
    if columns.total_is_sum:  # the same a + b, computed once
        c.__dict__["t"] = columns.total
    n_pupils = c.sum(columns.total)

    reason = undefined_reasons(c, group_a, group_b)
    few = c.n_active < 2
    a_absent, b_absent = c.A == 0, c.B == 0

    n_idx = len(specs)
    values = np.empty((n_groups, n_idx))
    reasons = np.empty((n_groups, n_idx), dtype=object)
    undefined_all = reason != None  # noqa: E711 (elementwise)
    for i, spec in enumerate(specs):
        v = np.asarray(spec.kernel(c.as_multigroup() if spec.multigroup else c),
                       dtype=np.float64)
        if v.shape != (n_groups,):
            raise RuntimeError(
                f"index {spec.name!r} returned shape {v.shape}, expected ({n_groups},)"
            )
        r, bad = reason, undefined_all
        recorded = c.reasons(spec.name)
        for why, mask in (
            (INTEGER_REASON, ~c.integer if spec.requires_integer else None),
            (recorded, None if recorded is None else recorded != None),  # noqa: E711
            (UNDEFINED_REASON, np.isnan(v)),
        ):
            if mask is None:
                continue
            new = mask & ~bad
            if new.any():
                r = r.copy() if r is reason else r
                r[new] = why[new] if isinstance(why, np.ndarray) else why
                bad = bad | new
        values[:, i] = np.where(bad, np.nan, v)
        reasons[:, i] = r

    n_rows = n_groups * n_idx
    rows = np.repeat(np.arange(n_groups), n_idx)
    names = np.array([s.name for s in specs], dtype=object)
    key_arrays = {k: _values(key_frame[k]) for k in key_frame.columns}
    table = results_frame({
        **{k: key_arrays[k].take(rows) for k in keys},
        "group_a": np.full(n_rows, group_a, dtype=object),
        "group_b": np.full(n_rows, group_b, dtype=object),
        "index": np.tile(names, n_groups),
        "value": values.ravel(),
        "n_units": np.repeat(c.n_units, n_idx),
        "n_pupils": np.repeat(n_pupils, n_idx),
        "n_a": np.repeat(c.A, n_idx),
        "n_b": np.repeat(c.B, n_idx),
        "reason": reasons.ravel(),
    }, n_rows)

    gone = few | a_absent | b_absent
    if gone.any():  # one constructor: adding columns one by one costs more
        few_at, absent_at = np.flatnonzero(few), np.flatnonzero(~few & gone)
        at = np.concatenate([few_at, absent_at])
        code = np.repeat(np.array(["too_few_units", "group_absent"], dtype=object),
                         [len(few_at), len(absent_at)])
        undefined = pd.DataFrame({
            "reason": code,
            **{k: column.take(at) for k, column in key_arrays.items()},
            "n_units": c.n_units[at], "n_pupils": n_pupils[at],
            "description": np.where(code == "too_few_units", _REASONS["too_few_units"],
                                    _REASONS["group_absent"]).astype(object)},
            index=pd.RangeIndex(len(at)))
    else:
        undefined = empty_exclusions()
    return table, undefined


def _values(column: pd.Series) -> Any:
    """A column's numpy array, or its pandas array for an extension type."""
    return column.to_numpy() if isinstance(column.dtype, np.dtype) else column.array


def group_codes(frame: pd.DataFrame, keys: list[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """The area-year of every row as 0 .. n-1 in sorted key order, and the keys.

    Equivalent to ``frame.groupby(keys, sort=True).ngroup()`` and its keys, on integer
    codes (the gate's Categorical keys need no hashing): one dense ``bincount`` instead
    of a group-by.
    """
    code, n_code = np.zeros(len(frame), dtype=np.int64), 1
    parts = []
    for key in keys:
        c, values = key_codes(frame[key])
        parts.append((c, values))
        code = _combine_codes(code, n_code, c, len(values))
        n_code = n_code * len(values) if n_code * len(values) < 2**62 else int(code.max()) + 1
    if n_code <= max(4 * len(frame), 1 << 20):
        present = np.bincount(code, minlength=n_code) > 0
        g = (np.cumsum(present) - 1)[code]
        n_groups = int(present.sum())
    else:
        g, uniques = pd.factorize(code, sort=True)
        n_groups = len(uniques)
    first = np.empty(n_groups, dtype=np.int64)
    first[g[::-1]] = np.arange(len(g) - 1, -1, -1)
    key_frame = pd.DataFrame({key: values.take(c[first]) for key, (c, values)
                              in zip(keys, parts, strict=True)})
    return g.astype(np.intp, copy=False), key_frame


def _kept_area_years(area_years: tuple[np.ndarray, pd.DataFrame], keep: np.ndarray
                     ) -> tuple[np.ndarray, pd.DataFrame]:
    """The gate's area-year codes of the rows the filters keep, renumbered 0 .. n - 1."""
    g, keys = area_years
    g = g[keep]
    present = np.bincount(g, minlength=len(keys)) > 0
    if present.all():
        return g, keys
    return (np.cumsum(present) - 1)[g], keys.loc[present].reset_index(drop=True)


def _counts_used(counts: Counts, keep: np.ndarray | None, drop: list[str]
                 ) -> pd.DataFrame:
    """The rows of the gate's frame that the filters keep, without the absent keys."""
    kept = (counts.frame.copy(deep=False) if keep is None
            else counts.frame.loc[keep].reset_index(drop=True))
    return kept.drop(columns=drop) if drop else kept


def _present_keys(area: str | None, year: str | None) -> list[str]:
    return [k for k, given in (("area", area), ("year", year)) if given is not None]


def segregation(
    data: pd.DataFrame,
    unit: str,
    group_a: str,
    group_b: str,
    *,
    area: str | None = None,
    year: str | None = None,
    total: str | None = None,
    indices: str | Iterable[str] | None = None,
    min_unit_size: float = 50,
    min_area_size: float = 10000,
) -> SegregationResult:
    """Segregation indices for every area and year of a counts table, with exclusions.

    The report's pipeline: validate, drop areas with fewer than ``min_area_size``
    pupils a year on average, drop units with fewer than ``min_unit_size`` pupils,
    then compute every index for every area-year at once.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per unit (school) per year, with a column per group.
    unit : str
        Column identifying the unit.
    group_a, group_b : str
        Columns with the counts of the two groups compared (A first).
    area : str, optional
        Column identifying the area (municipality).
    year : str, optional
        Column with the year.
    total : str, optional
        Column with all pupils of the unit (including pupils in neither group); used
        for the size filters. Without it, A + B is used.
    indices : str or iterable of str, optional
        Index names (see :func:`segspatial.available_indices`); default: the five
        built-in indices ``dissimilarity``, ``dissimilarity_expected``,
        ``dissimilarity_standardised``, ``theil_h`` and ``correlation``.
    min_unit_size : float, default 50
        Minimum pupils per unit; 0 disables.
    min_area_size : float, default 10000
        Minimum mean pupils per year per area; 0 disables.

    Returns
    -------
    SegregationResult
        ``table`` (tidy long results), ``exclusions`` (everything left out, with
        reasons), ``counts`` (the counts used) and ``parameters``.

    Raises
    ------
    TypeError, ValueError
        See :func:`segspatial.prepare_counts`; also for an unknown index name or a
        bad filter size.

    References
    ----------
    Carrington, W. J. & Troske, K. R. (1997). On measuring segregation in samples with
    small units. *Journal of Business & Economic Statistics* 15(4), 402-409.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"school": ["I", "II"], "a": [2, 13], "b": [6, 3]})
    >>> res = segregation(df, "school", "a", "b", indices="dissimilarity",
    ...                   min_unit_size=0, min_area_size=0)
    >>> round(float(res.table["value"].iloc[0]), 4)
    0.5333
    """
    specs = resolve_indices(indices)
    counts = prepare_counts(data, unit, group_a, group_b, area=area, year=year, total=total)
    keep, excluded = _filter(counts, min_unit_size, min_area_size)
    every = bool(keep.all())
    keys = _present_keys(area, year)
    drop = [k for k in ("area", "year") if k not in keys]
    # the engine works on the gate's arrays; the counts frame is built if asked for
    columns = counts.count_columns()
    if not every:
        columns = GateColumns(a=columns.a[keep], b=columns.b[keep],
                              total=columns.total[keep], total_is_sum=columns.total_is_sum)
    counts_used = Deferred(_counts_used, counts, None if every else keep, drop)
    if not len(columns.a):
        table = empty_results()
        undefined = empty_exclusions()
    else:
        area_years = counts.area_years
        if area_years is not None and not every:
            area_years = _kept_area_years(area_years, keep)
        table, undefined = compute_indices(
            None if area_years is not None
            else _counts_used(counts, None if every else keep, []), specs,
            group_a=group_a, group_b=group_b, keys=("area", "year"),
            area_years=area_years, columns=columns,
        )
    excluded = count_once(excluded, undefined)
    parts = [e for e in (excluded, undefined) if not e.empty]
    # every part is a new frame with a RangeIndex already (no reset_index needed)
    exclusions = (pd.concat(parts, ignore_index=True) if len(parts) > 1
                  else parts[0] if parts else empty_exclusions())
    if drop:
        table[drop] = None
        exclusions = exclusions.drop(columns=drop)
    parameters = {
        "unit": unit, "group_a": group_a, "group_b": group_b, "area": area, "year": year,
        "total": total, "indices": [s.name for s in specs],
        "min_unit_size": min_unit_size, "min_area_size": min_area_size,
    }
    return SegregationResult(table=table, exclusions=exclusions, counts=counts_used,
                             parameters=parameters)


def segregation_table(
    data: pd.DataFrame,
    unit: str,
    group_a: str,
    group_b: str,
    *,
    area: str | None = None,
    year: str | None = None,
    total: str | None = None,
    indices: str | Iterable[str] | None = None,
    min_unit_size: float = 50,
    min_area_size: float = 10000,
) -> pd.DataFrame:
    """The tidy results table of :func:`segregation` (use that for the exclusions).

    Parameters
    ----------
    data, unit, group_a, group_b, area, year, total, indices, min_unit_size, min_area_size
        As for :func:`segregation`.

    Returns
    -------
    pandas.DataFrame
        The columns of :data:`segspatial.schema.RESULT_COLUMNS`.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"school": ["I", "II"], "a": [2, 13], "b": [6, 3]})
    >>> t = segregation_table(df, "school", "a", "b", min_unit_size=0, min_area_size=0)
    >>> print(t[["index", "value"]].round(4).to_string(index=False))
                         index  value
                 dissimilarity 0.5333
        dissimilarity_expected 0.1524
    dissimilarity_standardised 0.4494
                       theil_h 0.2304
                   correlation 0.3000
    """
    return segregation(
        data, unit, group_a, group_b, area=area, year=year, total=total, indices=indices,
        min_unit_size=min_unit_size, min_area_size=min_area_size,
    ).table
