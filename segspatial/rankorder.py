"""Income as a continuum: the rank-order information theory index H^R (Reardon 2011).

Dividing income into two groups at a percentile p (pupils at or below p against those
above) gives a two-group Theil's H for every p: the *profile* H(p). The rank-order
information theory index averages it over all thresholds, weighted by the entropy of
the split, which is largest at the median:

    H^R = 2 ln 2 ∫_0^1 E_2(p) H(p) dp = 2 ∫_0^1 E(p) H(p) dp,

with E_2 the binary entropy in bits and E in nats (∫ E = 1/2). H^R depends on the
incomes only through their ranks, so it is unchanged by any increasing transformation
of income (inflation, logarithms, equivalence scales applied to everyone).

**Estimator (Reardon 2011; Reardon & Bischoff 2011, appendix).** H(p) is computed at a
set of thresholds, fitted by a polynomial of order M (default 4) by weighted least
squares with weights E(p)², and the fit is integrated analytically:
H^R = Σ_m β_m δ_m with

    δ_m = 2 ∫_0^1 E(p) p^m dp = 2 / (m + 2)² + 2 Σ_{n=0}^{m} (−1)^{m−n} C(m, n) / (m − n + 2)²

(:func:`rank_order_weights`). With pupil-level incomes segspatial also integrates the
*exact* step function H(p) of the data (one step per distinct income in the area):
``rank_order_theil_h_integral``, the numerical check of the polynomial estimator.

**Which percentiles.** Incomes are ranked over the whole input per year (the national
ranks of :func:`segspatial.assign_groups`: r = rank / n, average ranks for ties), so the
thresholds mean the same in every municipality and match the report's income bands
(``ranks="national"``). H(p) is a function of the area's own share of pupils at or below
the threshold, ``p``: the fit and the integral use that share, which is Reardon's
definition (thresholds at the area's own percentiles) whatever the ranking.
``ranks="area"`` puts the thresholds at the area's own percentiles instead, which
spreads the fitted points evenly in areas whose income distribution is far from the
national one.

References
----------
Reardon, S. F. (2011). Measures of income segregation. CEPA Working Paper, Stanford
    Center for Education Policy Analysis.
Reardon, S. F. & Bischoff, K. (2011). Income inequality and income segregation.
    *American Journal of Sociology* 116(4), 1092-1153 (appendix A).
Reardon, S. F. & Firebaugh, G. (2002). Measures of multigroup segregation.
    *Sociological Methodology* 32, 33-67.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd

from segspatial._kernels import GroupedCounts, _binary_entropy, _theil_h_kernel
from segspatial._reasons import reason as _reason
from segspatial.compute import SegregationResult
from segspatial.counts import MultiCounts
from segspatial.schema import conform_results, empty_results

__all__ = [
    "DEFAULT_THRESHOLDS",
    "PROFILE_COLUMNS",
    "RankOrderResult",
    "fit_rank_order",
    "rank_order_segregation",
    "rank_order_weights",
]

#: Income percentile thresholds of the profile: 0.05, 0.10, ..., 0.95.
DEFAULT_THRESHOLDS: tuple[float, ...] = tuple(i / 20 for i in range(1, 20))

#: Columns of the H(p) profile table.
PROFILE_COLUMNS: tuple[str, ...] = (
    "area", "year", "threshold", "p", "theil_h", "fitted", "entropy", "weight",
    "n_below", "n_above", "n_units", "reason",
)

_INDEX = "rank_order_theil_h"
_INDEX_INTEGRAL = "rank_order_theil_h_integral"


def rank_order_weights(order: int) -> np.ndarray:
    """δ_m = 2 ∫_0^1 E(p) p^m dp for m = 0 .. order (E in nats), in closed form.

    ∫ p^(m+1) ln p dp = −1/(m+2)² and ∫ (1−p) ln(1−p) p^m dp = −Σ_n C(m,n)(−1)^n/(n+2)²
    give δ_m = 2/(m+2)² + 2 Σ_{n=0}^{m} (−1)^(m−n) C(m,n)/(m−n+2)² (Reardon 2011).

    Parameters
    ----------
    order : int
        The polynomial order M (>= 0).

    Returns
    -------
    numpy.ndarray
        Shape (order + 1,); δ_0 = 1 (a constant profile H(p) = h gives H^R = h).

    Examples
    --------
    >>> rank_order_weights(2).round(6).tolist()
    [1.0, 0.5, 0.305556]
    """
    order = _check_order(order)
    out = np.empty(order + 1)
    for m in range(order + 1):  # M + 1 exact rational sums, not a data loop
        # in exact rationals: the alternating binomial sum cancels (in floating point it
        # loses about one digit per order above 10)
        s = sum(Fraction((-1) ** (m - n) * math.comb(m, n), (m - n + 2) ** 2)
                for n in range(m + 1))
        out[m] = float(2 * Fraction(1, (m + 2) ** 2) + 2 * s)
    return out


def _check_order(order: Any) -> int:
    if isinstance(order, bool) or not isinstance(order, int | np.integer):
        raise TypeError(f"order must be an int (the polynomial order M), got {order!r}")
    if order < 0:
        raise ValueError(f"order must be >= 0, got {order!r}")
    return int(order)


def fit_rank_order(p: np.ndarray, h: np.ndarray, *, order: int = 4
                   ) -> tuple[np.ndarray, np.ndarray]:
    """H^R from H(p) at thresholds, for many areas at once (Reardon's estimator).

    Each row is fitted by a polynomial of order ``order`` in p, by weighted least
    squares with weights E(p)² (points near the median count most, as in the index),
    and the fit is integrated against 2 E(p) analytically (:func:`rank_order_weights`).

    Parameters
    ----------
    p : numpy.ndarray
        Shape (n_areas, n_thresholds): the area's share of pupils at or below each
        threshold.
    h : numpy.ndarray
        Same shape: H(p); NaN where undefined (nobody, or everybody, below).
    order : int, default 4
        The polynomial order M.

    Returns
    -------
    hr : numpy.ndarray
        Shape (n_areas,): H^R, NaN where fewer than ``order + 1`` thresholds with pupils
        on both sides fall on distinct values of p (tied incomes put several
        thresholds on one p).
    coefficients : numpy.ndarray
        Shape (n_areas, order + 1): β_0 .. β_M of the fitted polynomial (NaN rows where
        undefined).

    Examples
    --------
    A profile that is a polynomial is recovered exactly: H(p) = 0.3 + 0.2 p gives
    H^R = 0.3 δ_0 + 0.2 δ_1 = 0.4.

    >>> p = np.linspace(0.05, 0.95, 19)[None, :]
    >>> hr, beta = fit_rank_order(p, 0.3 + 0.2 * p, order=2)
    >>> round(float(hr[0]), 12), (beta.round(12) + 0.0).tolist()  # + 0.0: no -0.0
    (0.4, [[0.3, 0.2, 0.0]])
    """
    order = _check_order(order)
    p = np.atleast_2d(np.asarray(p, dtype=np.float64))
    h = np.atleast_2d(np.asarray(h, dtype=np.float64))
    if p.shape != h.shape:
        raise ValueError(f"p and h must have the same shape, got {p.shape} and {h.shape}")
    valid = np.isfinite(h) & np.isfinite(p) & (p > 0) & (p < 1)
    # thresholds that fall on the same p (tied incomes: every pupil between them has
    # one income) are one point of the profile: the fit needs order + 1 distinct ones
    enough = distinct_points(p, valid) >= order + 1
    sqrt_w = np.where(valid, _binary_entropy(np.where(valid, p, 0.5)), 0.0)
    x = np.where(valid, p, 0.0)[..., None] ** np.arange(order + 1)  # (n, k, M + 1)
    xw = x * sqrt_w[..., None]
    yw = np.where(valid, h, 0.0) * sqrt_w
    beta = np.full((p.shape[0], order + 1), np.nan)
    if enough.any():
        q, r = np.linalg.qr(xw[enough])
        rhs = np.einsum("nkm,nk->nm", q, yw[enough])
        beta[enough] = np.linalg.solve(r, rhs[..., None])[..., 0]
    return beta @ rank_order_weights(order), beta


def distinct_points(p: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Per row, the number of distinct values of ``p`` where ``valid`` (shape (n, k))."""
    ordered = np.sort(np.where(valid, p, np.nan), axis=1)  # NaN last
    n = valid.sum(axis=1)
    new = np.ones(ordered.shape, dtype=bool)
    new[:, 1:] = ordered[:, 1:] - ordered[:, :-1] > 1e-12
    return (new & (np.arange(p.shape[1]) < n[:, None])).sum(axis=1)


def _entropy_integral(p: np.ndarray) -> np.ndarray:
    """G(p) = ∫_0^p E(x) dx (nats): −(p²/2) ln p + p²/4 + ((1−p)²/2) ln(1−p) − (1−p)²/4
    + 1/4, so that G(0) = 0 and G(1) = 1/2."""
    from scipy.special import xlogy

    q = 1.0 - p
    return -0.5 * xlogy(p * p, p) + 0.25 * p * p + 0.5 * xlogy(q * q, q) - 0.25 * q * q \
        + 0.25


def _step_integral(ay: np.ndarray, unit: np.ndarray, rank: np.ndarray, n_ay: int,
                   t_unit: np.ndarray) -> np.ndarray:
    """2 ∫ E(p) H(p) dp of the exact step function H(p) of the data, per area-year.

    The area's pupils sorted by rank define cuts (one per distinct rank); at cut c a
    share p_c of the area and F_jc of unit j's pupils are at or below it, and H is
    constant (H_c) until the next cut. With ΔG_c the integral of E over the step,
    ∫ E H = Σ_c ΔG_c − Σ_j t_j Σ_c (ΔG_c / (T E(p_c))) E(F_jc / t_j) = 1/2 − S, and the
    inner sum runs over each unit's own steps (its F_jc changes only at its pupils):
    O(n log n) over all pupils at once. Below the first cut H is taken as H_1.
    """
    order = np.lexsort((rank, ay))
    ay_s, r_s, u_s = ay[order], rank[order], unit[order]
    n = len(order)
    new_cut = np.ones(n, dtype=bool)
    new_cut[1:] = (ay_s[1:] != ay_s[:-1]) | (r_s[1:] != r_s[:-1])
    cut = np.cumsum(new_cut) - 1
    n_cuts = int(cut[-1]) + 1 if n else 0
    cut_ay = ay_s[new_cut]
    size = np.bincount(cut, minlength=n_cuts).astype(np.float64)
    total = np.bincount(ay, minlength=n_ay).astype(np.float64)
    cum = np.cumsum(size)
    first = np.ones(n_cuts, dtype=bool)
    first[1:] = cut_ay[1:] != cut_ay[:-1]
    last = np.ones(n_cuts, dtype=bool)
    last[:-1] = cut_ay[1:] != cut_ay[:-1]
    start = np.maximum.accumulate(np.where(first, np.arange(n_cuts), 0))
    before = np.where(start > 0, cum[start - 1], 0.0)
    p = (cum - before) / total[cut_ay]
    g = _entropy_integral(p)
    g_next = np.append(g[1:], 0.0)
    delta = np.where(last, 0.0, g_next - g) + np.where(first & ~last, g, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.where(last, 0.0, delta / (total[cut_ay] * _binary_entropy(p)))
    big_w = np.concatenate(([0.0], np.cumsum(w)))  # big_w[c] = Σ_{c' < c} w
    # per unit and cut: pupils at that cut; F = cumulative count within the unit
    pair_key = u_s.astype(np.int64) * n_cuts + cut
    pairs, pair_n = np.unique(pair_key, return_counts=True)
    p_unit = pairs // n_cuts
    p_cut = pairs % n_cuts
    new_unit = np.ones(len(pairs), dtype=bool)
    new_unit[1:] = p_unit[1:] != p_unit[:-1]
    cum_n = np.cumsum(pair_n).astype(np.float64)
    unit_start = np.maximum.accumulate(np.where(new_unit, np.arange(len(pairs)), 0))
    f = cum_n - np.where(unit_start > 0, cum_n[unit_start - 1], 0.0)
    # the unit's next step, or the end of its area-year (one past its last cut)
    area_end = np.empty(n_cuts, dtype=np.int64)
    ends = np.flatnonzero(last)
    area_end[:] = np.repeat(ends + 1, np.diff(np.concatenate(([0], ends + 1))))
    next_cut = np.append(p_cut[1:], 0)
    last_of_unit = np.append(new_unit[1:], True)
    next_cut = np.where(last_of_unit, area_end[p_cut], next_cut)
    span = big_w[next_cut] - big_w[p_cut]
    t = t_unit[p_unit]
    contrib = t * _binary_entropy(f / t) * span
    s = np.bincount(cut_ay[p_cut], weights=contrib, minlength=n_ay)
    # one distinct income: no threshold splits the pupils, H(p) is nowhere defined
    steps = np.bincount(cut_ay, minlength=n_ay)
    return np.where(steps >= 2, 1.0 - 2.0 * s, np.nan)


def _area_ranks(ay: np.ndarray, rank: np.ndarray) -> np.ndarray:
    """Average-rank percentiles r = rank / n within each area-year."""
    order = np.lexsort((rank, ay))
    ay_s, r_s = ay[order], rank[order]
    n = len(order)
    new_run = np.ones(n, dtype=bool)
    new_run[1:] = (ay_s[1:] != ay_s[:-1]) | (r_s[1:] != r_s[:-1])
    run = np.cumsum(new_run) - 1
    pos = np.arange(1, n + 1, dtype=np.float64)
    group_start = np.ones(n, dtype=bool)
    group_start[1:] = ay_s[1:] != ay_s[:-1]
    offset = np.maximum.accumulate(np.where(group_start, np.arange(n), 0)).astype(float)
    first = np.bincount(run, weights=pos - offset) / np.bincount(run)  # run's mean rank
    size = np.bincount(ay, minlength=int(ay.max()) + 1 if n else 0)
    out = np.empty(n)
    out[order] = first[run] / size[ay_s]
    return out


def _check_thresholds(thresholds: Any) -> np.ndarray:
    try:
        arr = np.asarray(list(thresholds), dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"thresholds must be numbers in (0, 1), got {thresholds!r}") from None
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError("thresholds must be a non-empty list of percentiles in (0, 1)")
    if not np.all((arr > 0) & (arr < 1)):
        raise ValueError(f"thresholds must lie strictly between 0 and 1, got "
                         f"{arr[~((arr > 0) & (arr < 1))].tolist()!r}")
    if np.any(np.diff(arr) <= 0):
        raise ValueError("thresholds must be increasing and distinct")
    return arr


@dataclass(frozen=True)
class RankOrderResult(SegregationResult):
    """:class:`segspatial.compute.SegregationResult` plus the H(p) ``profile``.

    Attributes
    ----------
    profile : pandas.DataFrame
        One row per area-year and threshold (:data:`PROFILE_COLUMNS`): ``threshold``
        (percentile rank), ``p`` (the area's share of pupils at or below it),
        ``theil_h`` (H(p)), ``fitted`` (the polynomial fit at p), ``entropy`` (E(p),
        nats), ``weight`` (E(p)², the fit's weight), ``n_below``, ``n_above``,
        ``n_units`` and ``reason`` (why H(p) is undefined).
    """

    profile: pd.DataFrame = field(default_factory=pd.DataFrame)


def rank_order_segregation(
    pupils: pd.DataFrame,
    unit: str,
    *,
    income: str,
    area: str | None = None,
    year: str | None = None,
    income_missing: Iterable[float] = (),
    thresholds: Sequence[float] = DEFAULT_THRESHOLDS,
    order: int = 4,
    ranks: str = "national",
    min_unit_size: float = 50,
    min_area_size: float = 10000,
) -> RankOrderResult:
    """Income segregation as a continuum: the H(p) profile and H^R (Reardon 2011).

    Parameters
    ----------
    pupils : pandas.DataFrame
        One row per pupil (per year). It is not modified.
    unit : str
        Column identifying the unit (school).
    income : str
        Household income column (numbers; see :func:`segspatial.assign_groups`).
    area, year : str, optional
        Area (municipality) and year columns.
    income_missing : iterable of float
        Income values meaning "unknown".
    thresholds : sequence of float
        Percentile ranks in (0, 1) for the profile and the fit (default 0.05 .. 0.95).
    order : int, default 4
        Order M of the polynomial fitted to H(p) (Reardon uses 4). A fit whose H^R
        falls outside [0, 1] (high orders swing between and beyond the thresholds) is
        NaN with a reason.
    ranks : {"national", "area"}
        Thresholds on the national per-year ranks (default; the report's bands) or on
        each area's own ranks.
    min_unit_size, min_area_size : float
        The report's filters (all pupils count; 0 disables). Incomes are ranked before
        any filter.

    Returns
    -------
    RankOrderResult
        ``table`` (schema rows ``rank_order_theil_h``, the polynomial estimator, and
        ``rank_order_theil_h_integral``, the exact integral of the data's step profile;
        ``comparison`` = ``"income"``), ``profile``, ``exclusions`` (rows that cannot
        be placed, pupils without a valid income, filtered units and areas),
        ``counts`` (pupils with an income per unit-year) and ``parameters``.

    Raises
    ------
    TypeError, ValueError
        As :func:`segspatial.aggregate_pupils`; also for bad ``thresholds``, ``order``
        or ``ranks``.

    Examples
    --------
    >>> from segspatial.demo import demo_pupils
    >>> res = rank_order_segregation(demo_pupils(years=(2018,)), "school",
    ...                              income="income", area="municipality", year="year")
    >>> sorted(res.table["index"].unique())
    ['rank_order_theil_h', 'rank_order_theil_h_integral']
    >>> len(res.profile) == 19 * res.table["area"].nunique()
    True
    """
    from segspatial.multigroup_table import (
        filter_units,
        national_ranks,
        pupil_exclusions,
        pupil_rows,
    )
    from segspatial.pupils import _finish_exclusions, aggregate_pupils

    thr = _check_thresholds(thresholds)
    order = _check_order(order)
    if ranks not in ("national", "area"):
        raise ValueError(f"ranks must be 'national' or 'area', got {ranks!r}")
    pc = aggregate_pupils(pupils, unit, area=area, year=year, income=income,
                          income_missing=income_missing)
    counts, no_group = pc.counts, pc.no_group
    for key in ("year", "area"):
        if key not in counts.columns:
            counts = counts.assign(**{key: 0})
            no_group = no_group.assign(**{key: 0})
    no_group = no_group[no_group["reason"] != "between_bands"]  # ranked: in the profile
    rank, _ = national_ranks(pupils, year=year, income=income, income_missing=income_missing)
    rows = pupil_rows(pupils, unit, area, year, counts)
    kept, filtered, kept_rows = filter_units(
        MultiCounts(frame=counts, unit=unit, groups=("total",), area=area, year=year,
                    total="total"), min_unit_size, min_area_size, report_outside=False)
    keep_row = np.full(len(counts), -1, dtype=np.int64)
    keep_row[kept_rows] = np.arange(len(kept))
    exclusions = _finish_exclusions(pupil_exclusions(pc, kept, filtered, no_group))
    used = (rows >= 0) & ~np.isnan(rank)
    used[used] = keep_row[rows[used]] >= 0
    row = keep_row[rows[used]]
    r = rank[used]
    grouped = kept.groupby(["area", "year"], sort=True)
    row_ay = grouped.ngroup().to_numpy()
    key_frame = grouped.size().reset_index()[["area", "year"]]
    n_ay = len(key_frame)
    ay = row_ay[row]
    if ranks == "area" and r.size:
        r = _area_ranks(ay, r)
    k = len(thr)
    n_rows = len(kept)
    hist = np.bincount(row * (k + 1) + np.searchsorted(thr, r, side="left"),
                       minlength=n_rows * (k + 1)).reshape(n_rows, k + 1)
    t_unit = hist.sum(axis=1).astype(np.float64)
    below = np.cumsum(hist, axis=1)[:, :k].astype(np.float64)
    c = GroupedCounts(a=below.ravel(), b=(t_unit[:, None] - below).ravel(),
                      group=(row_ay[:, None] * k + np.arange(k)).ravel(), n_groups=n_ay * k)
    h = _theil_h_kernel(c).reshape(n_ay, k)
    p = c.P.reshape(n_ay, k)
    n_units = np.bincount(row_ay[t_unit > 0], minlength=n_ay)
    hr, beta = fit_rank_order(p, np.where(n_units[:, None] >= 2, h, np.nan), order=order)
    integral = (_step_integral(ay, row, r, n_ay, t_unit) if r.size
                else np.full(n_ay, np.nan))
    few = n_units < 2
    fitted = (p[..., None] ** np.arange(order + 1) * beta[:, None, :]).sum(axis=2)

    profile = key_frame.loc[np.repeat(np.arange(n_ay), k)].reset_index(drop=True)
    profile["threshold"] = np.tile(thr, n_ay)
    profile["p"] = p.ravel()
    defined = (~few[:, None] & (p > 0) & (p < 1)).ravel()
    profile["theil_h"] = np.where(defined, h.ravel(), np.nan)
    profile["fitted"] = fitted.ravel()
    profile["entropy"] = _binary_entropy(p).ravel()
    profile["weight"] = profile["entropy"] ** 2
    profile["n_below"] = c.A
    profile["n_above"] = c.B
    profile["n_units"] = np.repeat(n_units, k)
    reason = np.full(n_ay * k, None, dtype=object)
    reason[(c.A == 0) | (c.B == 0)] = _reason("threshold_side_empty",
                                              "nobody on one side of the threshold")
    reason[np.repeat(few, k)] = _reason("fewer_than_2_units", "fewer than 2 units")
    profile["reason"] = pd.Series(reason, dtype=object)

    n_pupils = np.bincount(ay, minlength=n_ay).astype(np.float64)
    table = key_frame.loc[np.repeat(np.arange(n_ay), 2)].reset_index(drop=True)
    table.insert(2, "comparison", "income")
    table["index"] = np.tile([_INDEX, _INDEX_INTEGRAL], n_ay)
    why = np.full(n_ay, None, dtype=object)
    n_valid = distinct_points(p, np.isfinite(np.where(few[:, None], np.nan, h))
                              & (p > 0) & (p < 1))
    why[n_valid < order + 1] = _reason(
        "too_few_thresholds", f"fewer than {order + 1} distinct income percentiles with "
        f"pupils on both sides (polynomial order {order}; tied incomes put several "
        "thresholds on one percentile)")
    # H^R lies in [0, 1]; a fit beyond it (a high order swinging between and beyond the
    # thresholds) is no estimate of it
    wild = (why == None) & ~((hr >= -1e-12) & (hr <= 1 + 1e-12))  # noqa: E711
    why[wild] = [_reason("fit_out_of_range",
                         f"the order-{order} polynomial fit gives H^R = {v:.3g}, outside "
                         "[0, 1]; use a lower polynomial order") for v in hr[wild]]
    why_integral = np.full(n_ay, None, dtype=object)
    why_integral[~few & ~np.isfinite(integral)] = _reason("same_income",
                                                          "every pupil has the same income")
    why[few] = why_integral[few] = _reason("fewer_than_2_units", "fewer than 2 units")
    table["value"] = np.column_stack([np.where(why == None, hr, np.nan),  # noqa: E711
                                      np.where(why_integral == None, integral,  # noqa: E711
                                               np.nan)]).ravel()
    table["reason"] = pd.Series(np.column_stack([why, why_integral]).ravel(), dtype=object)
    table["n_units"] = np.repeat(n_units, 2)
    table["n_pupils"] = np.repeat(n_pupils, 2)
    keys = [kk for kk, given in (("area", area), ("year", year)) if given is not None]
    drop = [kk for kk in ("area", "year") if kk not in keys]
    table = conform_results(table) if n_ay else empty_results()
    table[drop] = None
    profile = profile.drop(columns=drop)
    counts_used = kept[["area", "year", "unit", "total"]].drop(columns=drop).assign(
        pupils_with_income=t_unit)
    parameters = {
        "unit": unit, "area": area, "year": year, "income": income,
        "income_missing": [float(v) for v in income_missing],
        "thresholds": thr.tolist(), "order": order, "ranks": ranks,
        "min_unit_size": min_unit_size, "min_area_size": min_area_size,
        "n_rows": pc.n_rows,
    }
    return RankOrderResult(
        table=table, exclusions=exclusions.drop(columns=drop).reset_index(drop=True),
        counts=counts_used.reset_index(drop=True), parameters=parameters,
        profile=profile.reset_index(drop=True))
