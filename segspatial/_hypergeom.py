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

__all__ = ["hypergeom_pmf"]

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
    """ln n! - ln(sqrt(2 pi n) (n/e)^n) for whole n >= 0 (the Stirling error)."""
    n = np.asarray(n, dtype=np.float64)
    out = np.empty_like(n)
    small = n <= 15
    out[small] = _STIRLERR_TABLE[n[small].astype(np.intp)]
    big = ~small
    m = n[big]
    nn = m * m
    out[big] = np.select(
        [m > 500, m > 80, m > 35],
        [
            (_S0 - _S1 / nn) / m,
            (_S0 - (_S1 - _S2 / nn) / nn) / m,
            (_S0 - (_S1 - (_S2 - _S3 / nn) / nn) / nn) / m,
        ],
        (_S0 - (_S1 - (_S2 - (_S3 - _S4 / nn) / nn) / nn) / nn) / m,
    )
    return out


def _bd0(x: np.ndarray, npq: np.ndarray) -> np.ndarray:
    """x ln(x / npq) + npq - x, without cancellation when x is close to npq."""
    x = np.asarray(x, dtype=np.float64)
    npq = np.asarray(npq, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = x * np.log(x / npq) + npq - x
    out = np.where(x == 0, npq, out)
    near = np.abs(x - npq) < 0.1 * (x + npq)
    if near.any():
        xs, ms = x[near], npq[near]
        v = (xs - ms) / (xs + ms)
        s = (xs - ms) * v
        ej = 2 * xs * v
        v2 = v * v
        # |v| < 1/21, so each term shrinks by at least 441x: 8 terms reach 1e-21
        for j in range(1, 9):
            ej = ej * v2
            s = s + ej / (2 * j + 1)
        out[near] = s
    return out


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
    xs, ns, ks, fs, tot = (v[support] for v in (x, n, big_k, failures, big_n))
    p = ns / tot
    q = (tot - ns) / tot
    p1 = _dbinom_raw(xs, ks, p, q)
    p2 = _dbinom_raw(ns - xs, fs, p, q)
    p3 = _dbinom_raw(ns, tot, p, q)
    out[support] = p1 * p2 / p3
    return out
