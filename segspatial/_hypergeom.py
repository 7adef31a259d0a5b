"""Fast, accurate hypergeometric probabilities for many parameter sets at once.

``scipy.stats.hypergeom.pmf`` is accurate but costs microseconds per value, and the
naive ``exp(lgamma ...)`` formula is fast but loses about ten digits to cancellation
for populations of tens of thousands. This module vectorises Catherine Loader's
saddle-point algorithm (the one behind R's ``dbinom`` and ``dhyper``), which writes the
binomial probability through the Stirling-formula error ``stirlerr`` and the deviance
term ``bd0``, both computed without cancellation: accurate to a few ulps, and as
fast as a handful of numpy operations.

References
----------
Loader, C. (2000). Fast and accurate computation of binomial probabilities.
    Technical report, Bell Labs.
"""

from __future__ import annotations

import math
from decimal import Decimal, localcontext

import numpy as np

__all__ = ["hypergeom_pmf", "pmf_inner"]

_S0, _S1, _S2, _S3, _S4 = 1 / 12, 1 / 360, 1 / 1260, 1 / 1680, 1 / 1188
_PI = Decimal("3.14159265358979323846264338327950288419716939937510")


def _stirlerr_exact(n: int) -> float:
    """ln n! - ln(sqrt(2 pi n) (n/e)^n) in 50-digit decimal arithmetic (n >= 1)."""
    with localcontext() as ctx:
        ctx.prec = 50
        d = Decimal(n)
        value = (Decimal(math.factorial(n)).ln() - (d + Decimal("0.5")) * d.ln() + d
                 - (2 * _PI).ln() / 2)
    return float(value)


# Stirling errors for n = 0..15 (the series below is used above 15), exact to the ulp.
_STIRLERR_TABLE = np.array([0.0] + [_stirlerr_exact(n) for n in range(1, 16)])

def _stirlerr(n: np.ndarray) -> np.ndarray:
    """ln n! - ln(sqrt(2 pi n) (n/e)^n) for whole n >= 0 (the Stirling error).

    Above 15 the asymptotic series with five terms, which is accurate to the ulp from
    n = 16 on (R cuts it shorter for large n only to save flops: here one formula for
    all avoids evaluating, and masking, four branches); the exact table below.
    """
    n = np.asarray(n, dtype=np.float64)
    if n.ndim == 0:
        return _stirlerr(n.reshape(1))[0]
    inv = 1.0 / np.maximum(n, 16.0)
    r = inv * inv
    out = (_S0 - r * (_S1 - r * (_S2 - r * (_S3 - r * _S4)))) * inv
    small = n <= 15
    if small.any():
        out[small] = _STIRLERR_TABLE[n[small].astype(np.intp)]
    return out


_SMALL = 1 << 16
_small_table: np.ndarray | None = None


def _stirlerr_small(n: np.ndarray) -> np.ndarray:
    """:func:`_stirlerr` by table lookup for whole n < 65,536 (school sizes)."""
    global _small_table
    if _small_table is None:
        _small_table = _stirlerr(np.arange(_SMALL, dtype=np.float64))
    return _small_table[n.astype(np.intp)]


def _stirlerr_any(n: np.ndarray) -> np.ndarray:
    """:func:`_stirlerr`, by lookup when every value is below 65,536."""
    return _stirlerr_small(n) if n.size and n.max() < _SMALL else _stirlerr(n)


def _bd0(x: np.ndarray, npq: np.ndarray) -> np.ndarray:
    """x ln(x / npq) + npq - x, without cancellation when x is close to npq.

    Far from npq the logarithm; near it (|x - npq| < 0.1 (x + npq)) the series
    2x Σ v^(2j+1)/(2j+1) - (x - npq) = (x - npq) v + 2x v Σ_{j>=1} v^(2j)/(2j+1) with
    v = (x - npq) / (x + npq), by Horner's rule with as many terms as the largest |v|
    needs for 1e-17 (at most 8: |v| < 1/21). At a hypergeometric mode v is tiny, so a
    few terms do.
    """
    x = np.asarray(x, dtype=np.float64)
    npq = np.asarray(npq, dtype=np.float64)
    x, npq = np.broadcast_arrays(x, npq)
    diff = x - npq
    near = np.abs(diff) < 0.1 * (x + npq)
    if near.all():
        return _bd0_series(x, npq, diff)
    out = np.empty(x.shape)
    far = ~near
    xf, mf = x[far], npq[far]
    with np.errstate(divide="ignore", invalid="ignore"):
        out[far] = np.where(xf == 0, mf, xf * np.log(xf / mf) + mf - xf)
    if near.any():
        out[near] = _bd0_series(x[near], npq[near], diff[near])
    return out


def _bd0_series(x: np.ndarray, m: np.ndarray, diff: np.ndarray) -> np.ndarray:
    v = diff / (x + m)
    v2 = v * v
    largest = float(v2.max(initial=0.0))
    if largest == 0.0:
        return diff * v
    terms = min(8, max(2, int(np.ceil(np.log(1e-17) / np.log(largest)))))
    poly = v2 * (1.0 / (2 * terms + 1)) + 1.0 / (2 * terms - 1)
    for j in range(terms - 2, 0, -1):
        poly = poly * v2 + 1.0 / (2 * j + 1)
    return diff * v + 2.0 * x * v * v2 * poly


def _dbinom_raw(x: np.ndarray, n: np.ndarray, p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Binomial pmf at whole x for whole n, with p + q = 1 given separately."""
    x = np.asarray(x, dtype=np.float64)
    n = np.asarray(n, dtype=np.float64)
    out = np.zeros(np.broadcast(x, n, p).shape)
    x, n, p, q = np.broadcast_arrays(x, n, p, q)
    zero = x == 0
    full = (x == n) & ~zero
    inner = ~zero & ~full & (x > 0) & (x < n)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        # ln q and ln p without cancellation when q or p is close to 1 (log1p, as in R)
        log_q = np.where(p < 0.5, np.log1p(-p), np.log(q))
        log_p = np.where(q < 0.5, np.log1p(-q), np.log(p))
        # n = 0: no draws, probability 1 (avoid 0 * log 0)
        out[zero] = np.where(n[zero] == 0, 1.0, np.exp(n[zero] * log_q[zero]))
        out[full] = np.exp(n[full] * log_p[full])
    xi, ni, pi, qi = x[inner], n[inner], p[inner], q[inner]
    lc = (_stirlerr(ni) - _stirlerr(xi) - _stirlerr(ni - xi)
          - _bd0(xi, ni * pi) - _bd0(ni - xi, ni * qi))
    lf = np.log(2 * np.pi) + np.log(xi) + np.log1p(-xi / ni)
    out[inner] = np.exp(lc - 0.5 * lf)
    return out


def _pair_deviance(x: np.ndarray, d: np.ndarray, m: np.ndarray, total: np.ndarray
                   ) -> np.ndarray:
    """bd0(x, m) + bd0(total - x, total - m) for d = x - m, |d| <= 1, 0 < x < total."""
    return x * np.log1p(d / m) + (total - x) * np.log1p(-d / (total - m))


def pmf_inner(x: np.ndarray, n: np.ndarray, successes: np.ndarray, failures: np.ndarray,
              population: np.ndarray, *, stirlerr_successes: np.ndarray | None = None,
              stirlerr_failures: np.ndarray | None = None,
              stirlerr_population: np.ndarray | None = None,
              far: list[np.ndarray] | None = None) -> np.ndarray:
    """The hypergeometric pmf where 0 < x < K, 0 < n - x < N - K and 0 < n < N.

    Loader's dhyper (three binomial terms) written out with one ``exp``: the deviance
    terms of the third binomial vanish (it sits at its own mean). No checks: float64
    whole numbers inside that region only. The Stirling errors of K, N - K and N may be
    passed precomputed (they are per area in the E[D] kernel).

    Every value depends on its own arguments only, except those more than one pupil
    from the mean (``bd0`` chooses its series length over all of them): a caller that
    evaluates the pmf block by block passes a list as ``far``, receives the positions
    of those values in each block, and evaluates them again together.
    """
    y = n - x
    kp = successes * n / population
    fp = failures * n / population
    lc = ((_stirlerr(successes) if stirlerr_successes is None else stirlerr_successes)
          + (_stirlerr(failures) if stirlerr_failures is None else stirlerr_failures)
          - (_stirlerr(population) if stirlerr_population is None
             else stirlerr_population)
          - _stirlerr_any(x) - _stirlerr(successes - x) - _stirlerr_any(y)
          - _stirlerr(failures - y) + _stirlerr_any(n) + _stirlerr(population - n))
    # The deviance terms in pairs: bd0(x, m) + bd0(K - x, K - m) with d = x - m is
    # x log1p(d/m) + (K - x) log1p(-d/(K - m)) (the -d and +d of the two cancel
    # exactly). Within one pupil of the mean (|d| <= 1: every mode) its absolute error
    # is a few ulps of d, which is what the pmf's relative error is; farther, bd0.
    dk = x - kp
    dy = y - fp
    close = (np.abs(dk) <= 1.0) & (np.abs(dy) <= 1.0)
    if far is not None:
        far.append(np.flatnonzero(~close))
    if close.all():
        lc -= _pair_deviance(x, dk, kp, successes) + _pair_deviance(y, dy, fp, failures)
    else:
        far = ~close
        dev = np.empty(x.shape)
        dev[close] = (_pair_deviance(x[close], dk[close], kp[close], successes[close])
                      + _pair_deviance(y[close], dy[close], fp[close], failures[close]))
        xf, kf, ff, yf, kpf, fpf = (v[far] for v in (x, successes, failures, y, kp, fp))
        dev[far] = (_bd0(xf, kpf) + _bd0(kf - xf, kf - kpf) + _bd0(yf, fpf)
                    + _bd0(ff - yf, ff - fpf))
        lc -= dev
    ratio = ((x * (successes - x) / successes) * (y * (failures - y) / failures)
             / (n * (population - n) / population))
    return np.exp(lc) / np.sqrt(2 * np.pi * ratio)


def hypergeom_pmf(x: np.ndarray, population: np.ndarray, successes: np.ndarray,
                  draws: np.ndarray) -> np.ndarray:
    """P(X = x) for X hypergeometric, elementwise over arrays of whole numbers.

    Parameters
    ----------
    x, population, successes, draws : numpy.ndarray
        Whole numbers (broadcastable): X counts the successes among ``draws`` items
        drawn without replacement from ``population`` items of which ``successes``
        are successes. Out-of-support ``x`` gives 0.

    Returns
    -------
    numpy.ndarray
        The probabilities, accurate to a few ulps.
    """
    x, big_n, big_k, n = (np.asarray(v, dtype=np.float64)
                          for v in np.broadcast_arrays(x, population, successes, draws))
    failures = big_n - big_k
    support = (x >= 0) & (x <= big_k) & (n - x >= 0) & (n - x <= failures)
    out = np.zeros(x.shape)
    out[support & (n == 0)] = 1.0  # no draws (also from an empty population)
    support &= n > 0
    if not support.any():
        return out
    # the usual case: 0 < x < K, 0 < n - x < N - K, 0 < n < N
    inner = support & (x > 0) & (x < big_k) & (n - x > 0) & (n - x < failures) & (n < big_n)
    if inner.any():
        out[inner] = pmf_inner(x[inner], n[inner], big_k[inner], failures[inner],
                               big_n[inner])
        support &= ~inner
        if not support.any():
            return out
    xs, ns, ks, fs, tot = (v[support] for v in (x, n, big_k, failures, big_n))
    p = ns / tot
    q = (tot - ns) / tot
    p1 = _dbinom_raw(xs, ks, p, q)
    p2 = _dbinom_raw(ns - xs, fs, p, q)
    p3 = _dbinom_raw(ns, tot, p, q)
    out[support] = p1 * p2 / p3
    return out
