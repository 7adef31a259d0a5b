"""The hypergeometric pmf behind the exact E[D]: exact, fast, edge cases."""

from __future__ import annotations

from math import comb

import numpy as np
import pytest
from scipy.stats import hypergeom

from segspatial._hypergeom import _bd0, _stirlerr, _stirlerr_exact, hypergeom_pmf


def _exact(x, big_n, big_k, n):
    if not (0 <= x <= big_k and 0 <= n - x <= big_n - big_k):
        return 0.0
    return comb(big_k, x) * comb(big_n - big_k, n - x) / comb(big_n, n)


def test_exhaustive_small_populations():
    worst = 0.0
    for big_n in range(0, 30):
        cases = np.array([(x, big_k, n) for big_k in range(big_n + 1)
                          for n in range(big_n + 1) for x in range(-1, n + 2)])
        x, big_k, n = cases.T
        exact = np.array([_exact(int(v), big_n, int(k), int(m)) for v, k, m in cases])
        got = hypergeom_pmf(x, big_n, big_k, n)
        assert np.array_equal(got == 0, exact == 0)
        worst = max(worst, np.max(np.abs(got - exact) / np.maximum(exact, 1e-300)))
    assert worst < 5e-14


def test_school_sized_parameters_against_exact_integers():
    rng = np.random.default_rng(8)
    big_n = rng.integers(1_000, 80_000, 60)
    big_k = (big_n * rng.uniform(0.02, 0.7, 60)).astype(np.int64)
    n = rng.integers(1, 900, 60)
    x = (n * big_k) // big_n + rng.integers(-3, 4, 60)
    got = hypergeom_pmf(x, big_n, big_k, n)
    exact = np.array([_exact(*map(int, args)) for args in zip(x, big_n, big_k, n,
                                                               strict=True)])
    np.testing.assert_allclose(got, exact, rtol=2e-14, atol=0)


def test_agrees_with_scipy_on_many_values():
    rng = np.random.default_rng(9)
    big_n = rng.integers(2, 70_000, 20_000)
    big_k = rng.integers(0, big_n + 1)
    n = rng.integers(0, np.minimum(big_n, 1_000) + 1)
    x = (n * big_k) // big_n + 1
    np.testing.assert_allclose(hypergeom_pmf(x, big_n, big_k, n),
                               hypergeom.pmf(x, big_n, big_k, n), rtol=3e-14, atol=1e-300)


def test_stirlerr_and_bd0_pieces():
    from math import log

    # the series (n > 15) against 50-digit decimal arithmetic; lgamma would lose digits
    n = np.array([1.0, 7.0, 15.0, 16.0, 17.0, 35.0, 36.0, 80.0, 81.0, 500.0, 501.0, 5000.0])
    exact = np.array([_stirlerr_exact(int(v)) for v in n])
    # stirlerr enters the log-probability additively: its absolute error is the relative
    # error it causes in the pmf
    np.testing.assert_allclose(_stirlerr(n), exact, rtol=0, atol=2e-16)
    # bd0(x, m) = x log(x/m) + m - x, including the cancellation-free series near x = m
    x = np.array([0.0, 5.0, 100.0, 100.0])
    m = np.array([3.0, 50.0, 100.0, 101.0])
    expected = [3.0, 5 * log(5 / 50) + 45, 0.0, 100 * log(100 / 101) + 1]
    np.testing.assert_allclose(_bd0(x, m), expected, rtol=1e-12, atol=1e-300)


def test_broadcasting_and_degenerate_cases():
    assert hypergeom_pmf(0, 0, 0, 0) == pytest.approx(1.0)
    np.testing.assert_array_equal(hypergeom_pmf(np.array([0, 1, 2]), 5, 0, 2), [1, 0, 0])
    np.testing.assert_array_equal(hypergeom_pmf(np.array([1, 2]), 5, 5, 2), [0, 1])
