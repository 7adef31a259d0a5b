"""From replicates to standard errors, intervals and p-values (vectorised over rows)."""

from __future__ import annotations

import re

import numpy as np

__all__ = ["INTERVALS", "ALTERNATIVES", "MARGIN_ONLY", "bootstrap_summary",
           "clip_to_range", "index_range", "null_summary", "summarise_rows",
           "without_null_test", "zero_p_value"]

#: How a bootstrap interval is formed from the replicates θ*_r of an estimate θ̂.
INTERVALS = ("bias_corrected", "percentile")
#: Alternatives of the randomisation test.
ALTERNATIVES = ("greater", "less", "two-sided")


#: Indices that are functions of the margins alone (unit sizes and group totals), which
#: random allocation holds fixed: a randomisation test of them tests nothing, so their
#: rows get no p-value and no null columns.
MARGIN_ONLY = frozenset({"dissimilarity_expected", "entropy"})

#: The range of each index (by name, after dropping a ``_base{b}`` or ``_ro`` suffix):
#: bootstrap intervals and bias-corrected estimates are clipped to it.
_UNIT_INTERVAL = frozenset({
    "dissimilarity", "dissimilarity_expected", "theil_h", "correlation", "isolation_a",
    "isolation_b", "exposure_ab", "exposure_ba", "multigroup_theil_h",
    "multigroup_theil_h_between", "multigroup_theil_h_within", "multigroup_dissimilarity",
    "normalised_exposure", "rank_order_theil_h", "rank_order_theil_h_integral",
    "spatial_dissimilarity", "spatial_theil_h", "spatial_isolation_a",
    "spatial_isolation_b", "spatial_exposure_ab", "spatial_exposure_ba",
    "spatial_multigroup_theil_h",
})
_NON_NEGATIVE = frozenset({
    "mutual_information", "mutual_information_between", "mutual_information_within",
    "entropy", "spatial_mutual_information",
})
_SUFFIX = re.compile(r"(_base[0-9.e+-]+|_ro)+$")


def index_range(name: str) -> tuple[float, float]:
    """The values an index can take: ``(0, 1)`` for D, H, V, exposure ..., ``(-1, 1)`` for
    D*, ``(0, inf)`` for M and the entropy, ``(-inf, inf)`` for the rest (Moran's I,
    Morrill's D, plug-ins)."""
    base = _SUFFIX.sub("", str(name))
    if base in _UNIT_INTERVAL:
        return 0.0, 1.0
    if base == "dissimilarity_standardised":
        return -1.0, 1.0
    if base in _NON_NEGATIVE:
        return 0.0, np.inf
    return -np.inf, np.inf


def clip_to_range(summary: dict[str, np.ndarray], estimate: np.ndarray,
                  names: np.ndarray) -> dict[str, np.ndarray]:
    """Bootstrap intervals and bias-corrected estimates clipped to each index's range.

    The bias-corrected (basic) interval 2θ̂ − q can leave the range the index can take
    (D's interval [0.5, 1.5] in a small area); the truth lies in the range, so clipping
    keeps the coverage and removes impossible bounds. The range is widened to the
    estimate itself, so a row is never clipped away from its own value.
    """
    lo = np.empty(estimate.shape)
    hi = np.empty(estimate.shape)
    for name in set(names.tolist()):
        mine = names == name
        lo[mine], hi[mine] = index_range(name)
    with np.errstate(invalid="ignore"):
        lo = np.fmin(lo, estimate)
        hi = np.fmax(hi, estimate)
    out = dict(summary)
    for key in ("ci_low", "ci_high", "bias_corrected"):
        if key in out:
            out[key] = np.clip(out[key], lo, hi)
    return out


def without_null_test(summary: dict[str, np.ndarray],
                      names: np.ndarray) -> dict[str, np.ndarray]:
    """The randomisation-test columns emptied for indices of the margins alone."""
    margin = np.isin(np.array([_SUFFIX.sub("", str(n)) for n in names.tolist()],
                              dtype=object), list(MARGIN_ONLY))
    out = dict(summary)
    for key in ("p_value", "null_mean", "null_se", "n_null"):
        if key in out:
            out[key] = np.where(margin, np.nan, out[key])
    return out


#: Values (rows x replicates) summarised at once by :func:`summarise_rows`.
SUMMARY_CHUNK = 1 << 21


def summarise_rows(summary, estimate: np.ndarray, reps: np.ndarray, group: np.ndarray,
                   stat: np.ndarray, *args) -> dict[str, np.ndarray]:
    """``summary(estimate, reps[group, stat, :], *args)`` in blocks of rows.

    The replicate store ``reps`` ``(n_groups, n_stats, R)`` is read a block of rows at a
    time, so the summary's temporaries (sorted copies, deviations) stay small next to
    the store instead of several times its size.
    """
    step = max(1, SUMMARY_CHUNK // max(reps.shape[-1], 1))
    parts = [summary(estimate[i:i + step], reps[group[i:i + step], stat[i:i + step], :],
                     *args) for i in range(0, estimate.size, step)]
    if not parts:
        return summary(estimate, reps[group, stat, :], *args)
    return {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}


def _valid(reps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    ok = np.isfinite(reps)
    return ok, ok.sum(axis=1)


def _mean_sd(values: np.ndarray, ok: np.ndarray, n: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray]:
    """Row mean and standard deviation (ddof 1) of the valid values.

    Shifted by each row's first valid value, so constant rows get exactly 0.
    """
    first = np.argmax(ok, axis=1)
    shift = np.where(n > 0, values[np.arange(values.shape[0]), first], 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        d = np.where(ok, values - shift[:, None], 0.0)
        m = d.sum(axis=1) / n
        dev = np.where(ok, d - m[:, None], 0.0)
        sd = np.sqrt((dev * dev).sum(axis=1) / (n - 1))
    return shift + m, sd


def _quantiles(values: np.ndarray, probs: tuple[float, float]
               ) -> tuple[np.ndarray, np.ndarray]:
    """Row quantiles ignoring NaN, numpy's default ("linear", R type 7), vectorised.

    ``np.nanquantile`` falls back to a Python loop over rows when some hold NaN; here
    NaN sorts last and each row interpolates between its own valid order statistics.
    """
    m = values.shape[0]
    if m == 0:
        return np.empty(0), np.empty(0)
    ordered = np.sort(values, axis=1)  # NaN last
    n = np.isfinite(ordered).sum(axis=1)
    rows = np.arange(m)
    out = []
    for q in probs:
        h = (np.maximum(n, 1) - 1) * q
        lo = np.floor(h).astype(np.intp)
        hi = np.minimum(lo + 1, np.maximum(n - 1, 0))
        frac = h - lo
        a, b = ordered[rows, lo], ordered[rows, hi]
        # numpy's lerp: a + (b - a) * t, computed from the nearer end (exact at t = 0, 1)
        value = np.where(frac >= 0.5, b - (b - a) * (1 - frac), a + (b - a) * frac)
        out.append(np.where(n > 0, value, np.nan))
    return out[0], out[1]


def bootstrap_summary(estimate: np.ndarray, reps: np.ndarray, level: float,
                      interval: str) -> dict[str, np.ndarray]:
    """Standard error, interval and bias-corrected estimate of each row.

    Parameters
    ----------
    estimate : numpy.ndarray
        ``(m,)`` the estimates θ̂.
    reps : numpy.ndarray
        ``(m, R)`` replicates (NaN = undefined replicate, left out).
    level : float
        Confidence level, e.g. 0.95.
    interval : {"bias_corrected", "percentile"}
        ``percentile``: [q_(α/2), q_(1-α/2)] of θ*. ``bias_corrected``: the same
        percentiles of the bias-corrected replicates 2θ̂ − θ*_r, i.e.
        [2θ̂ − q_(1-α/2), 2θ̂ − q_(α/2)] (what R ``segregation`` reports; also called the
        basic bootstrap interval). It removes the first-order bias that the percentile
        interval doubles (see :mod:`segspatial.inference`).

    Returns
    -------
    dict
        ``se``, ``ci_low``, ``ci_high``, ``bias_corrected``, ``n_boot`` (valid
        replicates); NaN where fewer than two replicates are valid.
    """
    ok, n = _valid(reps)
    mean, se = _mean_sd(reps, ok, n)
    alpha = 1.0 - level
    lo, hi = _quantiles(reps, (alpha / 2, 1 - alpha / 2))
    if interval == "bias_corrected":
        lo, hi = 2 * estimate - hi, 2 * estimate - lo
    enough = (n >= 2) & np.isfinite(estimate)
    nan = np.full(estimate.shape, np.nan)
    return {
        "se": np.where(enough, se, nan),
        "ci_low": np.where(enough, lo, nan),
        "ci_high": np.where(enough, hi, nan),
        "bias_corrected": np.where(enough, 2 * estimate - mean, nan),
        "n_boot": np.where(np.isfinite(estimate), n, nan),
    }


def _tolerance(x: np.ndarray) -> np.ndarray:
    """Ties within a few ulps count as ties (the same allocation, summed in another order)."""
    return 1e-12 * np.maximum(1.0, np.abs(x))


def null_summary(observed: np.ndarray, null: np.ndarray,
                 alternative: str) -> dict[str, np.ndarray]:
    """Randomisation p-values with the (k + 1) / (n + 1) convention.

    Parameters
    ----------
    observed : numpy.ndarray
        ``(m,)`` observed values.
    null : numpy.ndarray
        ``(m, R)`` values under random allocation (NaN left out).
    alternative : {"greater", "less", "two-sided"}
        ``greater``: k = draws at least as large as the observed value (more
        segregated than random allocation); ``less``: at most as large; ``two-sided``:
        twice the smaller one-sided p-value, at most 1.

    Returns
    -------
    dict
        ``p_value``, ``null_mean``, ``null_se`` (standard deviation of the draws),
        ``n_null`` (valid draws). When the statistic does not vary under random
        allocation (every allocation of the area gives the same value, e.g. one pupil
        of each group in two schools), p = (k + 1) / (n + 1) = 1 for the observed
        value: no evidence of segregation. Indices of the margins alone get no test
        at all (:data:`MARGIN_ONLY`, :func:`without_null_test`).
    """
    ok, n = _valid(null)
    tol = _tolerance(observed)[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        ge = (ok & (null >= observed[:, None] - tol)).sum(axis=1)
        le = (ok & (null <= observed[:, None] + tol)).sum(axis=1)
        p_greater = (ge + 1.0) / (n + 1.0)
        p_less = (le + 1.0) / (n + 1.0)
    mean, sd = _mean_sd(null, ok, n)
    p = {"greater": p_greater, "less": p_less,
         "two-sided": np.minimum(1.0, 2.0 * np.minimum(p_greater, p_less))}[alternative]
    defined = np.isfinite(observed) & (n >= 2)
    nan = np.full(observed.shape, np.nan)
    return {
        "p_value": np.where(defined, p, nan),
        "null_mean": np.where(defined, mean, nan),
        "null_se": np.where(defined, sd, nan),
        "n_null": np.where(np.isfinite(observed), n, nan),
    }


def zero_p_value(estimate: np.ndarray, dist: np.ndarray) -> np.ndarray:
    """Two-sided bootstrap p-value of "no change" from the interval's distribution.

    ``dist`` ``(m, R)`` holds the distribution whose percentiles form the interval
    (θ*_r for ``percentile``, 2θ̂ − θ*_r for ``bias_corrected``); p = twice the smaller
    share, (k + 1) / (R + 1), of its values on either side of zero, at most 1. So
    p < 1 − level exactly when the interval (nearly) excludes zero.
    """
    ok, n = _valid(dist)
    below = (ok & (dist <= 0)).sum(axis=1)
    above = (ok & (dist >= 0)).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.minimum(1.0, 2.0 * np.minimum(below + 1.0, above + 1.0) / (n + 1.0))
    return np.where(np.isfinite(estimate) & (n >= 2), p, np.nan)
