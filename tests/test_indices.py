"""The four report indices and the exact E[D]: hand values, identities, properties."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import hypergeom

from segspatial import (
    SegregationWarning,
    correlation,
    dissimilarity,
    expected_dissimilarity,
    standardised_dissimilarity,
    theil_h,
)
from segspatial.indices import GroupedCounts, _expected_dissimilarity_kernel

EXACT = {"rel": 1e-12, "abs": 1e-15}  # pytest.approx
CLOSE = {"rtol": 1e-12, "atol": 1e-15}  # numpy.testing
INDICES = [dissimilarity, theil_h, correlation]

# --------------------------------------------------------------------- hand-computed values


def test_report_appendix_example():
    # school I: 2 A, 6 B; school II: 13 A, 3 B (the report's appendix)
    d = dissimilarity([2, 13], [6, 3])
    assert d == pytest.approx(0.5 * (abs(2 / 15 - 6 / 9) + abs(13 / 15 - 3 / 9)), **EXACT)
    assert d == pytest.approx(8 / 15, **EXACT)
    # 8 A pupils moving from II to I, or 4.8 B pupils, evens the schools
    assert d * 15 == pytest.approx(8, **EXACT)
    assert d * 9 == pytest.approx(4.8, **EXACT)


def test_theil_and_correlation_by_hand():
    a, b = np.array([2.0, 13.0]), np.array([6.0, 3.0])
    t, big_p = a + b, a.sum() / (a + b).sum()

    def ent(p):
        return -(p * math.log(p) + (1 - p) * math.log(1 - p))

    h = sum(tj * (ent(big_p) - ent(aj / tj)) for aj, tj in zip(a, t, strict=True)) / (
        t.sum() * ent(big_p))
    assert theil_h(a, b) == pytest.approx(h, **EXACT)
    xpx = sum((aj / a.sum()) * (aj / tj) for aj, tj in zip(a, t, strict=True))
    assert correlation(a, b) == pytest.approx((xpx - big_p) / (1 - big_p), **EXACT)


@pytest.mark.parametrize("func", INDICES)
def test_even_distribution_is_zero(func):
    assert func([10, 20, 30], [5, 10, 15]) == pytest.approx(0, abs=1e-15)


@pytest.mark.parametrize("func", INDICES)
def test_complete_segregation_is_one(func):
    assert func([10, 0, 7], [0, 25, 0]) == pytest.approx(1, **EXACT)


def test_empty_units_do_not_count():
    base = [dissimilarity([2, 13], [6, 3]), theil_h([2, 13], [6, 3]),
            correlation([2, 13], [6, 3])]
    padded = [dissimilarity([2, 0, 13], [6, 0, 3]), theil_h([2, 0, 13], [6, 0, 3]),
              correlation([2, 0, 13], [6, 0, 3])]
    np.testing.assert_allclose(padded, base, **CLOSE)


# --------------------------------------------------------------------- exact E[D]


def _enumerated_expected_d(a, b):
    """E[D] by enumerating every allocation (multivariate hypergeometric), tiny cases."""
    t = np.asarray(a) + np.asarray(b)
    big_a, big_b = int(np.sum(a)), int(np.sum(b))
    total = big_a + big_b
    expected = 0.0
    denominator = math.comb(total, big_a)
    for alloc in itertools.product(*(range(int(tj) + 1) for tj in t)):
        if sum(alloc) != big_a:
            continue
        ways = math.prod(math.comb(int(tj), aj) for tj, aj in zip(t, alloc, strict=True))
        d = 0.5 * sum(abs(aj / big_a - (tj - aj) / big_b) for aj, tj in zip(alloc, t,
                                                                            strict=True))
        expected += ways / denominator * d
    return expected


@pytest.mark.parametrize(
    ("a", "b"),
    [([2, 13], [6, 3]), ([1, 1], [1, 1]), ([3, 0, 2, 5], [1, 4, 2, 0]), ([0, 7], [5, 1]),
     ([4, 4, 4], [1, 1, 9])],
)
def test_expected_d_equals_enumeration(a, b):
    assert expected_dissimilarity(a, b) == pytest.approx(_enumerated_expected_d(a, b),
                                                         rel=1e-12)


def test_expected_d_closed_form_matches_pmf_sum():
    # E|X - mu| for hypergeometric X, summed over the pmf, for many (N, K, n)
    rng = np.random.default_rng(7)
    for _ in range(300):
        n_pop = int(rng.integers(2, 400))
        k_succ = int(rng.integers(1, n_pop))
        a = rng.multinomial(k_succ, np.ones(4) / 4)
        b = rng.multinomial(n_pop - k_succ, np.ones(4) / 4)
        t = a + b
        direct = 0.0
        for tj in t:
            x = np.arange(tj + 1)
            direct += np.sum(np.abs(x - tj * k_succ / n_pop) * hypergeom.pmf(x, n_pop,
                                                                             k_succ, tj))
        expected = n_pop / (2 * k_succ * (n_pop - k_succ)) * direct
        if (t > 0).sum() < 2:  # one school with pupils: undefined, like in the table
            with pytest.warns(SegregationWarning, match="fewer than 2 units with pupils"):
                assert math.isnan(expected_dissimilarity(a, b))
            continue
        assert expected_dissimilarity(a, b) == pytest.approx(expected, rel=1e-10)


def test_expected_d_agrees_with_monte_carlo_within_4_standard_errors():
    rng = np.random.default_rng(20240611)
    t = rng.integers(50, 400, size=40)
    a = rng.binomial(t, 0.3)
    b = t - a
    draws = 20_000
    sims = rng.multivariate_hypergeometric(t, int(a.sum()), size=draws)  # a_j per draw
    d = 0.5 * np.abs(sims / a.sum() - (t - sims) / b.sum()).sum(axis=1)
    se = d.std(ddof=1) / math.sqrt(draws)
    exact = expected_dissimilarity(a, b)
    assert abs(d.mean() - exact) < 4 * se
    assert se < 0.01 * exact  # the check has teeth: the tolerance is tight


def test_standardised_d_branches():
    a, b = [2, 13], [6, 3]
    d, e = dissimilarity(a, b), expected_dissimilarity(a, b)
    assert d > e
    assert standardised_dissimilarity(a, b) == pytest.approx((d - e) / (1 - e), **EXACT)
    # a perfectly even split of small units: D = 0 < E[D] -> (D - E) / E = -1
    assert standardised_dissimilarity([1, 1, 1], [1, 1, 1]) == pytest.approx(-1, **EXACT)


def test_grouped_expected_d_matches_scalar_per_group():
    rng = np.random.default_rng(3)
    sizes = rng.integers(2, 30, size=12)
    group = np.repeat(np.arange(12), sizes)
    t = rng.integers(1, 200, size=group.size)
    a = rng.binomial(t, 0.25).astype(float)
    b = t - a
    c = GroupedCounts(a=a, b=b.astype(float), group=group, n_groups=12)
    grouped = _expected_dissimilarity_kernel(c)
    scalar = [expected_dissimilarity(a[group == g], b[group == g]) for g in range(12)]
    np.testing.assert_allclose(grouped, scalar, **CLOSE)


def test_expected_d_large_numbers_stay_finite():
    # Amsterdam-sized: 60,000 pupils over 200 schools
    rng = np.random.default_rng(11)
    t = rng.integers(100, 500, size=200)
    a = rng.binomial(t, 0.4)
    e = expected_dissimilarity(a, t - a)
    assert 0 < e < 0.1 and math.isfinite(e)


# --------------------------------------------------------------------- identities


counts = st.lists(
    st.tuples(st.integers(0, 500), st.integers(0, 500)), min_size=2, max_size=25
).filter(lambda rows: sum(r[0] for r in rows) > 0 and sum(r[1] for r in rows) > 0)


@given(counts, st.integers(2, 9))
def test_scaling_counts_leaves_d_h_v_unchanged(rows, k):
    a, b = np.array(rows, dtype=float).T
    for func in INDICES:
        assert func(a * k, b * k) == pytest.approx(func(a, b), rel=1e-9, abs=1e-12)


@given(counts, st.randoms(use_true_random=False))
def test_relabelling_units_changes_nothing(rows, random):
    a, b = np.array(rows, dtype=float).T
    order = list(range(len(rows)))
    random.shuffle(order)
    for func in [*INDICES, expected_dissimilarity, standardised_dissimilarity]:
        # NaN (one school with pupils) on both sides counts as the same
        assert func(a[order], b[order]) == pytest.approx(func(a, b), rel=1e-9, abs=1e-12,
                                                         nan_ok=True)


@given(counts)
def test_swapping_groups_where_symmetric(rows):
    a, b = np.array(rows, dtype=float).T
    for func in [*INDICES, expected_dissimilarity, standardised_dissimilarity]:
        assert func(b, a) == pytest.approx(func(a, b), rel=1e-9, abs=1e-12)


@given(counts)
def test_ranges(rows):
    a, b = np.array(rows, dtype=float).T
    eps = 1e-12
    for func in INDICES:
        assert -eps <= func(a, b) <= 1 + eps
    assert 0 <= expected_dissimilarity(a, b) <= 1 + eps
    assert -1 - eps <= standardised_dissimilarity(a, b) <= 1 + eps


@given(counts)
def test_sign_of_d_star_follows_d_minus_expected_d(rows):
    a, b = np.array(rows, dtype=float).T
    e = expected_dissimilarity(a, b)
    d = dissimilarity(a, b)
    ds = standardised_dissimilarity(a, b)
    assert np.sign(ds) == np.sign(round(d - e, 13)) or abs(d - e) < 1e-12


# --------------------------------------------------------------------- undefined and errors


@pytest.mark.parametrize("func", [*INDICES, expected_dissimilarity,
                                  standardised_dissimilarity])
def test_absent_group_is_nan_with_warning(func):
    with pytest.warns(SegregationWarning, match="group B is absent"):
        assert math.isnan(func([3, 4], [0, 0]))


@pytest.mark.parametrize("func", [expected_dissimilarity, standardised_dissimilarity])
def test_expected_d_needs_whole_pupils(func):
    with pytest.warns(SegregationWarning, match="not whole numbers"):
        assert math.isnan(func([2.5, 13], [6, 3]))


def test_fractional_counts_fine_for_d():
    assert dissimilarity([2.5, 13], [6, 3]) == pytest.approx(
        0.5 * (abs(2.5 / 15.5 - 6 / 9) + abs(13 / 15.5 - 3 / 9)), **EXACT)


@pytest.mark.parametrize(
    ("a", "b", "error", "match"),
    [
        ([1, 2], [1], ValueError, "same length, got 2 and 1"),
        ([], [], ValueError, "a and b hold no units; at least two units are needed"),
        ([1, -2], [1, 1], ValueError, "a must be non-negative, got minimum -2"),
        ([1, 2], [1, np.nan], ValueError, "b must be finite, got 1 NaN/inf"),
        ([1, 2], [1, np.inf], ValueError, "b must be finite"),
        (["x", "y"], [1, 1], TypeError, "a must be numeric counts"),
        ([[1, 2]], [[1, 2]], ValueError, "one-dimensional"),
    ],
)
def test_bad_vectors(a, b, error, match):
    with pytest.raises(error, match=match):
        dissimilarity(a, b)
