"""Several groups at once: the multigroup results table, decompositions and local scores.

The K-group counterpart of :mod:`segspatial.compute`: validated counts (one column per
group, :func:`segspatial.counts.prepare_multigroup_counts`) or pupil rows by theme go
in, one tidy table in the schema of :mod:`segspatial.schema` comes out, with every
area-year computed at once by the kernels of :mod:`segspatial.multigroup`.

* :func:`multigroup_segregation` — M, H, multigroup D, normalised exposure and the
  entropy for every area-year; with ``within=COLUMN`` also the exact between/within
  decomposition of M and H over a grouping of the units (districts, school boards,
  denominations).
* :func:`~segspatial.multigroup_local.within_components` and
  :func:`~segspatial.multigroup_local.local_scores` (per cluster and per school, for
  reports and maps) are in :mod:`segspatial.multigroup_local`.
* :func:`pupil_multigroup_segregation` — the same from pupil rows, one block per theme:
  dutch/western/nonwestern together, income in K groups of the national per-year ranks
  (quintiles by default), parental education low/middle/high.

Rows: ``groups`` holds the group names joined by ``|``, ``group_a``/``group_b``/``n_a``/
``n_b`` are null; decomposition rows (``mutual_information_between``, ...) name the
grouping column in ``within``. M-type values are in nats unless ``base`` is given, in
which case their index name says so (``mutual_information_base2``).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from segspatial._reasons import reason as _reason
from segspatial.compute import SegregationResult
from segspatial.counts import (
    _REASONS,
    Counts,
    MultiCounts,
    apply_filters,
    empty_exclusions,
    prepare_multigroup_counts,
)
from segspatial.indices import IndexSpec, resolve_indices
from segspatial.multigroup import (
    MultiGroupedCounts,
    check_base,
    decomposition_kernel,
)
from segspatial.schema import conform_results, empty_results, join_groups

__all__ = [
    "DECOMPOSITION_INDICES",
    "LOCAL_SCORE_COLUMNS",
    "income_group_names",
    "multigroup_segregation",
    "pupil_multigroup_segregation",
]

#: The rows a between/within decomposition adds (``within=``).
DECOMPOSITION_INDICES: tuple[str, ...] = (
    "mutual_information_between", "mutual_information_within",
    "multigroup_theil_h_between", "multigroup_theil_h_within",
)
_INFORMATION_DECOMPOSITION = {"mutual_information_between", "mutual_information_within"}

#: Per-unit columns of :func:`local_scores` after the keys.
LOCAL_SCORE_COLUMNS: tuple[str, ...] = ("pupils", "p", "ls", "entropy", "m_contribution",
                                        "h_contribution")


def _index_name(name: str, information: bool, base: float) -> str:
    if not information or base == math.e:
        return name
    return f"{name}_base{base:g}"


def _cluster_codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of a grouping column (-1 = missing; blank text counts as missing),
    in the order of the values as text: the clusters of an area-year are summed in the
    same order whatever other areas or rows are in the call (bit-identical values for
    an area alone, in batches of areas or with the whole country)."""
    from segspatial.pupils import _factorize

    codes, uniques = _factorize(values)
    order = np.argsort(np.array([str(u) for u in uniques], dtype=object), kind="stable")
    rank = np.empty(len(uniques), dtype=np.int64)
    rank[order] = np.arange(len(uniques))
    codes = np.where(codes >= 0, rank[np.maximum(codes, 0)], -1) if len(uniques) else codes
    return codes, uniques[order]


def _decomposition(c: MultiGroupedCounts, cluster: np.ndarray
                   ) -> tuple[dict[str, np.ndarray], MultiGroupedCounts, np.ndarray]:
    """M and H between/within clusters for the units with a cluster, per area-year."""
    used = cluster >= 0
    sub = c if used.all() else MultiGroupedCounts(counts=c.counts[used], group=c.group[used],
                                                  n_groups=c.n_groups)
    between, within = decomposition_kernel(sub, cluster[used])
    with np.errstate(divide="ignore", invalid="ignore"):
        out = {"mutual_information_between": between, "mutual_information_within": within,
               "multigroup_theil_h_between": between / sub.entropy,
               "multigroup_theil_h_within": within / sub.entropy}
    return out, sub, used


def _reasons(c: MultiGroupedCounts, what: str = "units with pupils") -> np.ndarray:
    reason = np.full(c.n_groups, None, dtype=object)
    few_groups = c.n_present < 2
    reason[few_groups] = np.array(
        [_reason("fewer_than_2_groups", f"fewer than 2 groups have pupils (groups present: {n})")
         for n in c.n_present[few_groups]], dtype=object)
    few = c.n_units < 2
    reason[few] = np.array([_reason("fewer_than_2_units", f"fewer than 2 {what} (n_units = {n})")
                            for n in c.n_units[few]], dtype=object)
    return reason


def _long_rows(key_frame: pd.DataFrame, names: list[str], values: np.ndarray,
               reasons: np.ndarray, n_units: np.ndarray, n_pupils: np.ndarray
               ) -> pd.DataFrame:
    """Area-years x indices as long rows (values, reasons: (n_groups, n_indices))."""
    n_groups, n_idx = values.shape
    table = key_frame.loc[np.repeat(np.arange(n_groups), n_idx)].reset_index(drop=True)
    table["index"] = np.tile(names, n_groups)
    table["value"] = values.ravel()
    table["n_units"] = n_units.reshape(n_groups, -1).repeat(n_idx, axis=1).ravel() \
        if n_units.ndim == 1 else n_units.ravel()
    table["n_pupils"] = n_pupils.reshape(n_groups, -1).repeat(n_idx, axis=1).ravel() \
        if n_pupils.ndim == 1 else n_pupils.ravel()
    table["reason"] = pd.Series(reasons.ravel(), dtype=object)
    return table


def _kernel_values(c: MultiGroupedCounts, specs: list[IndexSpec], reason: np.ndarray,
                   base: float) -> tuple[np.ndarray, np.ndarray, list[str]]:
    values = np.empty((c.n_groups, len(specs)))
    reasons = np.empty((c.n_groups, len(specs)), dtype=object)
    scale = math.log(base)
    for i, spec in enumerate(specs):
        v = np.asarray(spec.kernel(c), dtype=np.float64)
        if v.shape != (c.n_groups,):
            raise RuntimeError(
                f"index {spec.name!r} returned shape {v.shape}, expected ({c.n_groups},)")
        if spec.information:
            v = v / scale
        r = reason.copy()
        r[(r == None) & np.isnan(v)] = "undefined for these counts"  # noqa: E711
        values[:, i] = np.where(r == None, v, np.nan)  # noqa: E711
        reasons[:, i] = r
    names = [_index_name(s.name, s.information, base) for s in specs]
    return values, reasons, names


def compute_multigroup(
    frame: pd.DataFrame,
    groups: Sequence[str],
    specs: list[IndexSpec],
    *,
    keys: tuple[str, ...] = ("area", "year"),
    base: float = math.e,
    within: str | None = None,
    within_label: str | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every multigroup index (and decomposition) for every area-year of a count frame.

    Parameters
    ----------
    frame : pandas.DataFrame
        Columns ``keys``, the ``groups``, ``total`` and (with ``within``) the grouping
        column; one row per unit, validated and filtered.
    groups : sequence of str
        The group columns, in order.
    specs : list of IndexSpec
        Multigroup indices (``spec.multigroup``), in output order.
    keys : tuple of str
        The columns that define one area-year.
    base : float
        Logarithm base of the information indices.
    within : str, optional
        Column of ``frame`` grouping the units for the between/within decomposition.
    within_label : str, optional
        The name written to the ``within`` column (default ``within``).

    Returns
    -------
    table : pandas.DataFrame
        Long results (``keys``, ``index``, ``value``, ``n_units``, ``n_pupils``,
        ``reason``, ``groups``, ``within``).
    exclusions : pandas.DataFrame
        Area-years where the indices are undefined (``too_few_units``,
        ``too_few_groups``) and units left out of the decomposition
        (``missing_within``).
    """
    keys = list(keys)
    grouped = frame.groupby(keys, sort=True)
    g = grouped.ngroup().to_numpy()
    key_frame = grouped.size().reset_index()[keys]
    c = MultiGroupedCounts(counts=frame[list(groups)].to_numpy(dtype=np.float64), group=g,
                           n_groups=len(key_frame))
    total = frame["total"].to_numpy(dtype=np.float64)
    n_pupils = c.sum(total)
    reason = _reasons(c)
    values, reasons, names = _kernel_values(c, specs, reason, base)
    table = _long_rows(key_frame, names, values, reasons, c.n_units, n_pupils)
    table["within"] = None
    parts = [table]
    excl = []
    for code, mask in (("too_few_units", c.n_units < 2),
                       ("too_few_groups", (c.n_units >= 2) & (c.n_present < 2))):
        if mask.any():
            part = key_frame.loc[mask].reset_index(drop=True)
            part.insert(0, "reason", code)
            part["n_units"] = c.n_units[mask]
            part["n_pupils"] = n_pupils[mask]
            part["description"] = _REASONS[code]
            excl.append(part)
    if within is not None:
        label = within if within_label is None else within_label
        codes, _ = _cluster_codes(frame[within])
        dec, sub, used = _decomposition(c, codes)
        sub_reason = _reasons(sub, f"units with a {label} value")
        scale = math.log(base)
        dec_values = np.column_stack([
            dec[n] / (scale if n in _INFORMATION_DECOMPOSITION else 1.0)
            for n in DECOMPOSITION_INDICES])
        dec_reasons = np.repeat(sub_reason[:, None], len(DECOMPOSITION_INDICES), axis=1)
        dec_values = np.where(dec_reasons == None, dec_values, np.nan)  # noqa: E711
        dec_names = [_index_name(n, n in _INFORMATION_DECOMPOSITION, base)
                     for n in DECOMPOSITION_INDICES]
        rows = _long_rows(key_frame, dec_names, dec_values, dec_reasons, sub.n_units,
                          np.bincount(g[used], weights=total[used], minlength=c.n_groups))
        rows["within"] = label
        parts.append(rows)
        if not used.all():
            missing = ~used
            part = (pd.DataFrame({k: frame[k].to_numpy()[missing] for k in keys})
                    .assign(n_units=1, n_pupils=total[missing])
                    .groupby(keys, sort=True, as_index=False)[["n_units", "n_pupils"]].sum())
            part.insert(0, "reason", "missing_within")
            part["description"] = _REASONS["missing_within"]
            excl.append(part)
    out = pd.concat(parts, ignore_index=True)
    out["groups"] = join_groups(list(groups))
    exclusions = pd.concat(excl, ignore_index=True) if excl else empty_exclusions()
    return out, exclusions


def _present_keys(area: str | None, year: str | None) -> list[str]:
    return [k for k, given in (("area", area), ("year", year)) if given is not None]


def _filtered(counts: MultiCounts, min_unit_size: float, min_area_size: float,
              report_outside: bool = True) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The report's filters on K-group counts (all pupils of the unit count)."""
    kept, exclusions, _ = filter_units(counts, min_unit_size, min_area_size,
                                       report_outside=report_outside)
    return kept, exclusions


def filter_units(counts: MultiCounts, min_unit_size: float, min_area_size: float, *,
                 report_outside: bool = True) -> tuple[pd.DataFrame, pd.DataFrame,
                                                       np.ndarray]:
    """The report's filters (:func:`segspatial.apply_filters`) on K-group counts.

    Returns the rows kept, the exclusions (``small_area``, ``small_unit`` and, with
    ``report_outside``, ``not_in_groups``) and the positions of the kept rows in
    ``counts.frame``.
    """
    frame = counts.frame
    summed = frame[list(counts.groups)].to_numpy(dtype=np.float64).sum(axis=1)
    # the two-group filters on the keys only (group columns may be called a or b)
    gate = Counts(frame=frame[["area", "year", "unit", "total"]].assign(
                      a=summed, b=0.0, row=np.arange(len(frame))),
                  unit=counts.unit, group_a="a", group_b="b", area=counts.area,
                  year=counts.year, total=counts.total)
    kept, exclusions = apply_filters(gate, min_unit_size=min_unit_size,
                                     min_area_size=min_area_size)
    rows = kept["row"].to_numpy()
    outside = exclusions["reason"] == "not_in_comparison"
    if report_outside:
        exclusions.loc[outside, "reason"] = "not_in_groups"
        exclusions.loc[outside, "description"] = _REASONS["not_in_groups"]
    else:
        exclusions = exclusions.loc[~outside]
    return frame.iloc[rows].reset_index(drop=True), exclusions.reset_index(drop=True), rows


def pupil_exclusions(pupil_counts: Any, kept: pd.DataFrame, filtered: pd.DataFrame,
                     no_group: pd.DataFrame) -> list[pd.DataFrame]:
    """The parts of a pupil exclusions table: rows that cannot be placed, the filters,
    and the pupils of the units ``kept`` in no group of a theme (``no_group``)."""
    from segspatial.pupils import _no_group_exclusions

    keep_key = pd.MultiIndex.from_frame(kept[["area", "year", "unit"]])
    in_kept = pd.MultiIndex.from_frame(no_group[["area", "year", "unit"]]).isin(keep_key)
    placed = pupil_counts.exclusions
    return [placed[placed["theme"].isna()], filtered,
            _no_group_exclusions(no_group.loc[in_kept])]


def _check_within(within: Any, groups: Sequence[str]) -> str | None:
    if within is None:
        return None
    if not isinstance(within, str):
        raise TypeError(f"within must be a column name (str), got {within!r}")
    if within in groups:
        raise ValueError(f"within: {within!r} is a group column; name the column that "
                         "groups the units (e.g. denomination, board, district)")
    return within


def _specs(indices: Any, within: str | None) -> list[IndexSpec]:
    if indices is not None:
        names = [indices] if isinstance(indices, str) else list(indices)
        asked = [n for n in names if n in DECOMPOSITION_INDICES]
        if asked:
            raise ValueError(
                f"indices: {asked!r} are the rows of a decomposition; pass within=COLUMN "
                "(they are added for it) instead of naming them")
    return resolve_indices(indices, multigroup=True)


def multigroup_segregation(
    data: pd.DataFrame,
    unit: str,
    groups: Sequence[str],
    *,
    area: str | None = None,
    year: str | None = None,
    total: str | None = None,
    within: str | None = None,
    indices: str | Iterable[str] | None = None,
    base: float = math.e,
    min_unit_size: float = 50,
    min_area_size: float = 10000,
) -> SegregationResult:
    """Segregation of K >= 2 groups at once for every area and year of a counts table.

    Validate (:func:`segspatial.counts.prepare_multigroup_counts`), apply the report's
    filters (all pupils of a unit or area count), then compute every multigroup index
    for every area-year at once (:mod:`segspatial.multigroup`).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per unit (school) per year, with one count column per group.
    unit : str
        Column identifying the unit.
    groups : sequence of str
        Two or more group count columns, in the order of the ``groups`` column.
    area, year, total : str, optional
        As for :func:`segspatial.segregation`; ``total`` counts every pupil of the unit
        (used for the filters).
    within : str, optional
        A column grouping the units (e.g. ``denomination``, a school board, a district
        code; constant per unit and year). Adds the exact decomposition rows
        :data:`DECOMPOSITION_INDICES`: M = M_between + M_within and H = H_between +
        H_within over the units with a value; units without one are left out of these
        rows only (counted as ``missing_within``).
    indices : str or iterable of str, optional
        Multigroup index names (default :data:`segspatial.indices.DEFAULT_MULTIGROUP_INDICES`:
        ``mutual_information``, ``multigroup_theil_h``, ``multigroup_dissimilarity``,
        ``normalised_exposure``, ``entropy``).
    base : float, default math.e
        Logarithm base of the information values (M, E and the M decomposition). Other
        than e, their index names get ``_base{base}`` (``mutual_information_base2``).
    min_unit_size, min_area_size : float
        The report's filters (0 disables).

    Returns
    -------
    SegregationResult
        ``table`` in the one schema (``groups`` = the group names joined by ``|``;
        ``group_a``, ``group_b``, ``n_a``, ``n_b`` null; ``within`` on decomposition
        rows), ``exclusions`` (filters, ``not_in_groups``, undefined area-years,
        ``missing_within``), ``counts`` (the counts used) and ``parameters``.

    Raises
    ------
    TypeError, ValueError
        See :func:`segspatial.counts.prepare_multigroup_counts`; also for an unknown or
        two-group index, a bad ``base`` or ``within``.

    References
    ----------
    Reardon & Firebaugh (2002); Mora & Ruiz-Castillo (2011); see
    :mod:`segspatial.multigroup`.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"school": ["P", "Q", "R"], "dutch": [30, 5, 10],
    ...                    "western": [5, 20, 5], "nonwestern": [5, 15, 25]})
    >>> res = multigroup_segregation(df, "school", ["dutch", "western", "nonwestern"],
    ...                              min_unit_size=0, min_area_size=0)
    >>> print(res.table[["index", "value"]].round(4).to_string(index=False))
                       index  value
          mutual_information 0.2121
          multigroup_theil_h 0.1960
    multigroup_dissimilarity 0.4444
         normalised_exposure 0.2250
                     entropy 1.0822
    >>> res.table["groups"].iloc[0]
    'dutch|western|nonwestern'
    """
    base = check_base(base)
    specs = _specs(indices, within)
    groups = list(groups) if not isinstance(groups, str) else groups
    within = _check_within(within, groups if isinstance(groups, list) else [])
    extra = {"_within": within} if within is not None else None
    counts = prepare_multigroup_counts(data, unit, groups, area=area, year=year,
                                       total=total, extra=extra)
    kept, excluded = _filtered(counts, min_unit_size, min_area_size)
    keys = _present_keys(area, year)
    if kept.empty:
        table, undefined = empty_results(), empty_exclusions()
    else:
        table, undefined = compute_multigroup(
            kept, counts.groups, specs, base=base,
            within="_within" if within is not None else None, within_label=within)
        # the rows of each area-year together (decomposition rows after its indices),
        # as the spatial table: the same order for an area computed alone or in batches
        order = table.groupby(["area", "year"], sort=True, dropna=False).ngroup()
        table = table.iloc[np.argsort(order.to_numpy(), kind="stable")].reset_index(
            drop=True)
    parts = [e for e in (excluded, undefined) if not e.empty]
    exclusions = pd.concat(parts, ignore_index=True) if parts else empty_exclusions()
    drop = [k for k in ("area", "year") if k not in keys]
    table = conform_results(table)
    table[drop] = None
    counts_used = kept.drop(columns=drop).rename(columns={"_within": within} if within
                                                 else {})
    parameters = {
        "unit": unit, "groups": list(counts.groups), "area": area, "year": year,
        "total": total, "within": within, "indices": [s.name for s in specs],
        "base": base, "min_unit_size": min_unit_size, "min_area_size": min_area_size,
    }
    return SegregationResult(table=table, exclusions=exclusions.drop(columns=drop),
                             counts=counts_used, parameters=parameters)


# --------------------------------------------------------------------------- pupils


def income_group_names(k: int) -> tuple[str, ...]:
    """The names of K income groups of the national ranks: ``income_q1`` (lowest) ..

    Examples
    --------
    >>> income_group_names(3)
    ('income_q1', 'income_q2', 'income_q3')
    """
    return tuple(f"income_q{i}" for i in range(1, k + 1))


#: The most income groups of :func:`pupil_multigroup_segregation` (percentiles): one
#: column per group and school; finer than that, income is a continuum (H^R).
MAX_INCOME_GROUPS = 100


def _check_income_groups(income_groups: Any) -> int:
    if isinstance(income_groups, bool) or not isinstance(income_groups, int | np.integer):
        raise TypeError(f"income_groups must be an int (e.g. 5 for quintiles), got "
                        f"{income_groups!r}")
    if income_groups < 2:
        raise ValueError(f"income_groups must be at least 2, got {income_groups!r}")
    if income_groups > MAX_INCOME_GROUPS:
        raise ValueError(f"income_groups must be at most {MAX_INCOME_GROUPS} (percentiles), "
                         f"got {income_groups!r}; for income as a continuum use "
                         "rank_order_segregation (--rank-order-income)")
    return int(income_groups)


def pupil_rows(pupils: pd.DataFrame, unit: str, area: str | None, year: str | None,
               counts: pd.DataFrame) -> np.ndarray:
    """Each pupil row's row in a unit-year ``counts`` table (-1 where not placed).

    ``counts`` has the ``area``, ``year``, ``unit`` keys of
    :func:`segspatial.aggregate_pupils` (placeholders 0 where not given); keys are read
    exactly as it reads them (blank text is missing, years are whole numbers).
    """
    from segspatial.pupils import _factorize, _year_codes

    n = len(pupils)
    u, uniq_unit = _factorize(pupils[unit])
    a, uniq_area = (_factorize(pupils[area]) if area is not None
                    else (np.zeros(n, dtype=np.int64), np.array([0], dtype=object)))
    y, years = (_year_codes(pupils[year]) if year is not None
                else (np.zeros(n, dtype=np.int64), np.array([0], dtype=np.int64)))
    ok = (u >= 0) & (a >= 0) & (y >= 0)
    n_unit, n_year = max(len(uniq_unit), 1), max(len(years), 1)
    key = (a[ok].astype(np.int64) * n_year + y[ok]) * n_unit + u[ok]
    uniq, inverse = np.unique(key, return_inverse=True)
    combos = pd.MultiIndex.from_arrays([
        uniq_area[uniq // (n_unit * n_year)], years[(uniq // n_unit) % n_year],
        uniq_unit[uniq % n_unit]])
    target = pd.MultiIndex.from_frame(counts[["area", "year", "unit"]])
    found = target.get_indexer(combos)
    out = np.full(n, -1, dtype=np.int64)
    out[ok] = found[inverse]
    return out


def national_ranks(pupils: pd.DataFrame, *, year: str | None, income: str,
                   income_missing: Iterable[float] = ()) -> tuple[np.ndarray, np.ndarray]:
    """Each pupil's national income rank per year, r = rank / n (average ranks), and
    twice the 1-based average rank as exact integers with n per pupil's year.

    Returns
    -------
    rank : numpy.ndarray
        r in (0, 1], NaN for pupils without a valid income (or year).
    twice_and_n : numpy.ndarray
        Shape (n_pupils, 2) int64: 2 x average rank and the year's n (0 where no rank).
    """
    from segspatial.pupils import _year_codes, assign_groups

    rank = assign_groups(pupils, year=year, income=income,
                         income_missing=income_missing).income_rank.to_numpy()
    valid = ~np.isnan(rank)
    if year is not None:
        ycode, years = _year_codes(pupils[year])
    else:
        ycode, years = np.zeros(len(pupils), dtype=np.int64), np.zeros(1, dtype=np.int64)
    n_year = np.bincount(ycode[valid], minlength=len(years)).astype(np.int64)
    n = np.where(valid, n_year[np.maximum(ycode, 0)], 0)
    twice = np.where(valid, np.rint(np.nan_to_num(rank) * 2 * n), 0).astype(np.int64)
    return rank, np.column_stack([twice, n])


def income_quantile_codes(twice_and_n: np.ndarray, k: int) -> np.ndarray:
    """Group 0..k-1 of each pupil: group q holds q/k < r <= (q+1)/k (-1 without a rank).

    Exact integer arithmetic on twice the average rank, so r = 0.2 is always in the
    lowest quintile, as the report's income bands (low = r <= 0.2, high = r > 0.8).
    """
    twice, n = twice_and_n[:, 0], twice_and_n[:, 1]
    has = n > 0
    safe_n = np.where(has, n, 1)
    q = (k * twice + 2 * safe_n - 1) // (2 * safe_n) - 1  # ceil(k r) - 1
    return np.where(has, np.clip(q, 0, k - 1), -1)


def _unit_constant(codes: np.ndarray, rows: np.ndarray, n_rows: int, column: str
                   ) -> np.ndarray:
    """The code of a pupil column that must be constant per unit-year (-1 = missing)."""
    ok = rows >= 0
    lo = np.full(n_rows, np.iinfo(np.int64).max)
    hi = np.full(n_rows, np.iinfo(np.int64).min)
    np.minimum.at(lo, rows[ok], codes[ok])
    np.maximum.at(hi, rows[ok], codes[ok])
    mixed = (lo != hi) & (hi >= lo)
    if mixed.any():
        raise ValueError(
            f"within: column {column!r} differs between the pupils of one school in one "
            f"year ({int(mixed.sum())} unit-years); it must describe the school (e.g. its "
            "denomination or board)")
    return np.where(hi >= lo, lo, -1)


def pupil_multigroup_segregation(
    pupils: pd.DataFrame,
    unit: str,
    *,
    area: str | None = None,
    year: str | None = None,
    ethnicity: str | None = None,
    income: str | None = None,
    education: str | None = None,
    ethnicity_map: Mapping[Hashable, str | None] | None = None,
    education_map: Mapping[Hashable, str | None] | None = None,
    income_missing: Iterable[float] = (),
    income_groups: int = 5,
    within: str | None = None,
    indices: str | Iterable[str] | None = None,
    base: float = math.e,
    min_unit_size: float = 50,
    min_area_size: float = 10000,
) -> SegregationResult:
    """Every group of a theme at once, from pupil rows (one block of rows per theme).

    * ethnicity: ``dutch``, ``western``, ``nonwestern`` together;
    * income: ``income_groups`` groups of the national per-year percentile ranks
      (``income_q1`` = the lowest, r <= 1/K; quintiles by default, so ``income_q1``,
      ``income_q3``, ``income_q5`` are the report's low, middle and high bands);
    * education: ``low_education``, ``middle_education``, ``high_education``.

    Parameters
    ----------
    pupils, unit, area, year, ethnicity, income, education, ethnicity_map, education_map,
    income_missing
        As for :func:`segspatial.pupil_segregation`.
    income_groups : int, default 5
        Number of income groups (2 to :data:`MAX_INCOME_GROUPS`, 100).
    within : str, optional
        A pupil column describing the school (constant per school and year, e.g. its
        denomination): adds the between/within decomposition rows.
    indices, base, min_unit_size, min_area_size
        As for :func:`multigroup_segregation`; the filters count every pupil.

    Returns
    -------
    SegregationResult
        ``table`` with ``comparison`` = the theme (``ethnicity``, ``income``,
        ``education``) and ``groups`` its group columns; ``exclusions`` as for
        :func:`segspatial.pupil_segregation` (pupils in no group of a theme, per theme;
        for income only pupils without a valid income: every ranked pupil has an income
        group); ``counts`` the unit x year x group table used.

    Examples
    --------
    >>> from segspatial.demo import demo_pupils
    >>> res = pupil_multigroup_segregation(demo_pupils(years=(2018,)), "school",
    ...     area="municipality", year="year", ethnicity="ethnicity", income="income",
    ...     indices="multigroup_theil_h")
    >>> sorted(res.table["groups"].unique())
    ['dutch|western|nonwestern', 'income_q1|income_q2|income_q3|income_q4|income_q5']
    """
    from segspatial.compute import group_codes
    from segspatial.pupils import (
        GROUP_COLUMNS,
        _finish_exclusions,
        _in_theme_pupils,
        aggregate_pupils,
    )

    base = check_base(base)
    k = _check_income_groups(income_groups)
    specs = _specs(indices, within)
    if within is not None and not isinstance(within, str):
        raise TypeError(f"within must be a column name (str), got {within!r}")
    if within is not None and within not in pupils.columns:
        raise ValueError(f"missing columns: within={within!r}; the columns of the pupils "
                         f"are {list(map(str, pupils.columns))!r}")
    pc = aggregate_pupils(pupils, unit, area=area, year=year, ethnicity=ethnicity,
                          income=income, education=education, ethnicity_map=ethnicity_map,
                          education_map=education_map, income_missing=income_missing)
    counts, no_group = pc.counts.copy(), pc.no_group
    for key in ("area", "year"):
        if key not in counts.columns:
            counts.insert(0 if key == "area" else 1, key, 0)
            no_group = no_group.assign(**{key: 0})
    themes: dict[str, tuple[str, ...]] = {}
    rows = None
    if ethnicity is not None:
        themes["ethnicity"] = GROUP_COLUMNS["ethnicity"]
    if income is not None:
        names = income_group_names(k)
        rows = pupil_rows(pupils, unit, area, year, counts)
        _, twice_n = national_ranks(pupils, year=year, income=income,
                                    income_missing=income_missing)
        q = income_quantile_codes(twice_n, k)
        placed = (rows >= 0) & (q >= 0)
        n = np.bincount(rows[placed] * k + q[placed], minlength=len(counts) * k)
        counts = counts.drop(columns=list(GROUP_COLUMNS["income"]))  # the report's bands
        counts = pd.concat([counts, pd.DataFrame(n.reshape(len(counts), k).astype(np.int64),
                                                 columns=names, index=counts.index)],
                           axis=1)
        themes["income"] = names
        # every ranked pupil has an income group here: between_bands is no exclusion
        no_group = no_group[~((no_group["theme"] == "income")
                              & (no_group["reason"] == "between_bands"))]
    if education is not None:
        themes["education"] = GROUP_COLUMNS["education"]
    if within is not None:
        rows = pupil_rows(pupils, unit, area, year, counts) if rows is None else rows
        codes, uniques = _cluster_codes(pupils[within])
        unit_code = _unit_constant(codes, rows, len(counts), within)
        counts["_within"] = pd.Series(
            np.where(unit_code >= 0, uniques[np.maximum(unit_code, 0)], None), dtype=object)
    multi = MultiCounts(frame=counts, unit=unit, groups=tuple(themes[next(iter(themes))]),
                        area=area, year=year, total="total")
    kept, filtered = _filtered(multi, min_unit_size, min_area_size, report_outside=False)
    tables = []
    parts = pupil_exclusions(pc, kept, filtered, no_group)
    for theme, columns in themes.items():
        if kept.empty:
            continue
        table, undefined = compute_multigroup(
            kept, columns, specs, base=base,
            within="_within" if within is not None else None, within_label=within)
        table.insert(2, "comparison", theme)
        tables.append(table)
        # each pupil once: those in no group of the theme are counted under it already
        undefined = _in_theme_pupils(
            undefined, group_codes(kept, ["area", "year"]),
            kept[list(columns)].to_numpy(dtype=np.float64).sum(axis=1))
        if not undefined.empty:
            parts.append(undefined.assign(theme=theme, comparison=theme))
    for part in parts:
        for key in ("area", "year"):
            if key not in part.columns:
                part[key] = 0
    table = conform_results(pd.concat(tables, ignore_index=True)) if tables else \
        empty_results()
    exclusions = _finish_exclusions([p for p in parts if not p.empty])
    keys = _present_keys(area, year)
    drop = [k_ for k_ in ("area", "year") if k_ not in keys]
    table[drop] = None
    counts_used = kept.drop(columns=drop).rename(
        columns={"_within": within} if within is not None else {})
    parameters = {
        "unit": unit, "area": area, "year": year, "ethnicity": ethnicity,
        "income": income, "education": education, "income_groups": k,
        "themes": {t: list(c) for t, c in themes.items()}, "within": within,
        "indices": [s.name for s in specs], "base": base,
        "min_unit_size": min_unit_size, "min_area_size": min_area_size,
        "n_rows": pc.n_rows,
    }
    return SegregationResult(
        table=table, exclusions=exclusions.drop(columns=drop).reset_index(drop=True),
        counts=counts_used.reset_index(drop=True), parameters=parameters)
