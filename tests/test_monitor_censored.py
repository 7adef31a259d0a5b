"""Censored counts: share bounds, and the range of D and H over every feasible fill."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from segspatial import (
    SegregationWarning,
    dissimilarity,
    expected_dissimilarity,
    standardised_dissimilarity,
    theil_h,
)
from segspatial.monitor.censored import (
    INDICES,
    POINT_RULES,
    point_counts,
    segregation_bounds,
    share_bounds,
)

TOL = 1e-12


def values(a, b):
    """D and H of one fill with the public scalar API (NaN where undefined)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SegregationWarning)
        return dissimilarity(a, b), theil_h(a, b)


def expected_values(a, b):
    """E[D] and D* of one fill with the public scalar API (NaN where undefined)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SegregationWarning)
        return expected_dissimilarity(a, b), standardised_dissimilarity(a, b)


def expected_d_by_enumeration(a, b):
    """E[D] by summing over every allocation's unit counts (scipy's hypergeometric pmf,
    independent of the engine's closed form): a_j ~ Hypergeom(T, A, t_j) and
    |a_j/A - b_j/B| = T/(AB) |a_j - t_j A/T|."""
    from scipy.stats import hypergeom

    a, b = np.asarray(a), np.asarray(b)
    big_a, big_b = a.sum(), b.sum()
    big_t, t = big_a + big_b, a + b
    total = 0.0
    for tj in t:
        x = np.arange(0, tj + 1)
        total += np.sum(np.abs(x - tj * big_a / big_t) * hypergeom.pmf(x, big_t, big_a, tj))
    return big_t / (2.0 * big_a * big_b) * total


@st.composite
def censored_area(draw, max_units=5, max_width=3):
    """Units with exact or censored counts of two groups (intervals of whole numbers)."""
    n = draw(st.integers(2, max_units))
    lows = draw(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)),
                         min_size=n, max_size=n))
    widths = draw(st.lists(st.tuples(st.integers(0, max_width), st.integers(0, max_width)),
                           min_size=n, max_size=n))
    al = np.array([x for x, _ in lows])
    bl = np.array([y for _, y in lows])
    ah = al + np.array([w for w, _ in widths])
    bh = bl + np.array([w for _, w in widths])
    return al, ah, bl, bh


def all_fills(al, ah, bl, bh):
    ranges = [range(lo, hi + 1) for lo, hi in zip(np.r_[al, bl], np.r_[ah, bh], strict=True)]
    n = len(al)
    for fill in itertools.product(*ranges):
        yield np.array(fill[:n]), np.array(fill[n:])


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(area=censored_area(), data=st.data())
def test_any_feasible_fill_lies_within_the_bounds(area, data):
    al, ah, bl, bh = area
    a = np.array([data.draw(st.integers(lo, hi)) for lo, hi in zip(al, ah, strict=True)])
    b = np.array([data.draw(st.integers(lo, hi)) for lo, hi in zip(bl, bh, strict=True)])
    got = dict(zip(INDICES, (*values(a, b), *expected_values(a, b)), strict=True))
    for limit in (4096, 0):  # the exact method and the proven enclosure
        row = segregation_bounds(al, ah, bl, bh, exact_limit=limit).iloc[0]
        for index, value in got.items():
            if np.isfinite(value):
                assert row[f"{index}_low"] - TOL <= value <= row[f"{index}_high"] + TOL


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(area=censored_area(max_units=4, max_width=2))
def test_exact_method_is_the_min_and_max_over_all_fills(area):
    al, ah, bl, bh = area
    got = np.array([values(a, b) for a, b in all_fills(al, ah, bl, bh)])
    row = segregation_bounds(al, ah, bl, bh).iloc[0]
    if row["dissimilarity_method"] == "none":
        assert len(got) == 1
    else:
        assert row["dissimilarity_method"] == row["theil_h_method"] == "exact"
        assert row["n_fills"] == len(got)
    if np.isfinite(got[:, 0]).any():
        assert row["dissimilarity_low"] == pytest.approx(np.nanmin(got[:, 0]), abs=TOL)
        assert row["dissimilarity_high"] == pytest.approx(np.nanmax(got[:, 0]), abs=TOL)
        assert row["theil_h_low"] == pytest.approx(np.nanmin(got[:, 1]), abs=TOL)
        assert row["theil_h_high"] == pytest.approx(np.nanmax(got[:, 1]), abs=TOL)
    # the enclosure contains the exact range
    enclosure = segregation_bounds(al, ah, bl, bh, exact_limit=0).iloc[0]
    for index in ("dissimilarity", "theil_h"):
        if np.isfinite(row[f"{index}_low"]):
            assert enclosure[f"{index}_low"] <= row[f"{index}_low"] + TOL
            assert enclosure[f"{index}_high"] >= row[f"{index}_high"] - TOL


@settings(max_examples=80)
@given(counts=st.lists(st.tuples(st.integers(0, 500), st.integers(0, 500)), min_size=2,
                       max_size=12))
def test_without_censoring_the_bounds_collapse_to_the_value(counts):
    a = np.array([x for x, _ in counts])
    b = np.array([y for _, y in counts])
    got = list(zip(INDICES, (*values(a, b), *expected_values(a, b)), strict=True))
    for limit in (4096, 0):
        row = segregation_bounds(a, a, b, b, exact_limit=limit).iloc[0]
        assert {row[f"{i}_method"] for i in INDICES} == {"none"}
        assert row["n_free"] == 0
        for index, value in got:
            if np.isfinite(value):
                assert row[f"{index}_low"] == value == row[f"{index}_high"]
            else:
                assert np.isnan(row[f"{index}_low"]) and np.isnan(row[f"{index}_high"])


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(area=censored_area(max_units=3, max_width=2))
def test_expected_d_and_d_star_ranges_are_the_min_and_max_over_all_fills(area):
    al, ah, bl, bh = area
    got = np.array([expected_values(a, b) for a, b in all_fills(al, ah, bl, bh)])
    row = segregation_bounds(al, ah, bl, bh).iloc[0]
    enclosure = segregation_bounds(al, ah, bl, bh, exact_limit=0).iloc[0]
    censored = row["n_free"] > 0
    for k, index in enumerate(("dissimilarity_expected", "dissimilarity_standardised")):
        assert row[f"{index}_method"] == ("exact" if censored else "none")
        assert enclosure[f"{index}_method"] == ("bound" if censored else "none")
        if not np.isfinite(got[:, k]).any():
            continue
        lo, hi = np.nanmin(got[:, k]), np.nanmax(got[:, k])
        assert row[f"{index}_low"] == pytest.approx(lo, abs=TOL)
        assert row[f"{index}_high"] == pytest.approx(hi, abs=TOL)
        assert enclosure[f"{index}_low"] <= lo + TOL
        assert enclosure[f"{index}_high"] >= hi - TOL


def test_expected_d_range_by_hand_and_by_scipy():
    # one censored count of women ([1, 4]) beside two exact programmes: the exact range
    # of E[D] is the min and max of four E[D]s, each summed over every allocation
    al, ah, bl, bh = [1, 10, 6], [4, 10, 6], [5, 25, 3], [5, 25, 3]
    row = segregation_bounds(al, ah, bl, bh).iloc[0]
    fills = [expected_d_by_enumeration([x, 10, 6], bl) for x in range(1, 5)]
    assert row["dissimilarity_expected_low"] == pytest.approx(min(fills), rel=1e-12)
    assert row["dissimilarity_expected_high"] == pytest.approx(max(fills), rel=1e-12)
    ds = [(dissimilarity([x, 10, 6], bl) - e) / ((1 - e) if dissimilarity([x, 10, 6], bl) >= e
                                                 else e)
          for x, e in zip(range(1, 5), fills, strict=True)]
    assert row["dissimilarity_standardised_low"] == pytest.approx(min(ds), rel=1e-12)
    assert row["dissimilarity_standardised_high"] == pytest.approx(max(ds), rel=1e-12)


def test_large_area_gets_a_proven_bound_of_expected_d_and_d_star():
    rng = np.random.default_rng(5)
    n = 40
    al = rng.integers(20, 600, n)
    bl = rng.integers(20, 900, n)
    cens_a, cens_b = rng.choice(n, 20, replace=False), rng.choice(n, 10, replace=False)
    al[cens_a], bl[cens_b] = 1, 1
    ah, bh = al.copy(), bl.copy()
    ah[cens_a], bh[cens_b] = 4, 4
    row = segregation_bounds(al, ah, bl, bh).iloc[0]
    assert row["dissimilarity_expected_method"] == "bound"
    assert row["dissimilarity_standardised_method"] == "bound"
    # the radius: 30 censored counts at most 2 people from the midpoint fill (2 of
    # [1, 4]), each person moving E[D] by at most 2/(A+1) + 1/(T+1)
    big_a, big_b = al.sum(), bl.sum()
    step = 1 / (big_a + big_b + 1)
    radius = 20 * 2 * (2 / (big_a + 1) + step) + 10 * 2 * (2 / (big_b + 1) + step)
    width = row["dissimilarity_expected_high"] - row["dissimilarity_expected_low"]
    assert width == pytest.approx(2 * radius, rel=1e-9)
    for _ in range(100):
        a, b = rng.integers(al, ah + 1), rng.integers(bl, bh + 1)
        e, ds = expected_values(a, b)
        assert row["dissimilarity_expected_low"] <= e <= row["dissimilarity_expected_high"]
        assert row["dissimilarity_standardised_low"] <= ds <= \
            row["dissimilarity_standardised_high"]


def test_minimum_can_be_inside_the_interval():
    # women in programme 1 are "<5"; D is 0 at 2 women (2/12 = 5/30), not at 1 or 4
    row = segregation_bounds([1, 10], [4, 10], [5, 25], [5, 25]).iloc[0]
    assert row["dissimilarity_low"] == 0.0
    assert row["dissimilarity_high"] == pytest.approx(dissimilarity([4, 10], [5, 25]))
    assert row["theil_h_low"] == pytest.approx(0.0, abs=1e-15)


def test_many_areas_at_once_equal_one_at_a_time():
    rng = np.random.default_rng(7)
    n = 60
    group = rng.integers(0, 9, n)
    al = rng.integers(0, 40, n)
    bl = rng.integers(0, 40, n)
    ah = al + rng.integers(0, 4, n) * (rng.random(n) < 0.2)
    bh = bl + rng.integers(0, 4, n) * (rng.random(n) < 0.2)
    for limit in (4096, 0):
        together = segregation_bounds(al, ah, bl, bh, group=group, exact_limit=limit)
        for g in range(9):
            m = group == g
            alone = segregation_bounds(al[m], ah[m], bl[m], bh[m], exact_limit=limit).iloc[0]
            for col in ("dissimilarity_method", "theil_h_method", "n_units", "n_free"):
                assert together.loc[g, col] == alone[col]
            for col in ("dissimilarity_low", "dissimilarity_high", "theil_h_low",
                        "theil_h_high"):
                assert together.loc[g, col] == pytest.approx(alone[col], abs=1e-12)


def test_large_area_gets_a_tight_proven_bound():
    # 40 programmes with hundreds of students and 30 censored cells: too many fills for
    # the exact method; the enclosure is narrow and contains random fills
    rng = np.random.default_rng(3)
    n = 40
    al = rng.integers(20, 600, n)
    bl = rng.integers(20, 900, n)
    censored_a = rng.choice(n, 20, replace=False)
    censored_b = rng.choice(n, 10, replace=False)
    al[censored_a] = 1
    bl[censored_b] = 1
    ah, bh = al.copy(), bl.copy()
    ah[censored_a] = 4
    bh[censored_b] = 4
    row = segregation_bounds(al, ah, bl, bh).iloc[0]
    assert row["n_free"] == 30 and row["n_fills"] > 1e17
    assert row["dissimilarity_method"] == row["theil_h_method"] == "bound"
    assert row["dissimilarity_high"] - row["dissimilarity_low"] < 0.011
    assert row["theil_h_high"] - row["theil_h_low"] < 0.03
    for _ in range(200):
        a, b = rng.integers(al, ah + 1), rng.integers(bl, bh + 1)
        d, h = values(a, b)
        assert row["dissimilarity_low"] <= d <= row["dissimilarity_high"]
        assert row["theil_h_low"] <= h <= row["theil_h_high"]


def test_monotone_cases_are_exact_without_enumeration():
    # censored women in large male programmes (and vice versa): every censored count
    # moves D and H one way, so the extremes are at two fills, found exactly
    rng = np.random.default_rng(11)
    al = np.r_[np.full(12, 1), rng.integers(200, 400, 8), np.full(4, 300)]
    bl = np.r_[rng.integers(300, 900, 12), rng.integers(50, 100, 8), np.full(4, 1)]
    ah = al + np.r_[np.full(12, 3), np.zeros(12, int)]
    bh = bl + np.r_[np.zeros(20, int), np.full(4, 3)]
    row = segregation_bounds(al, ah, bl, bh, exact_limit=0).iloc[0]
    assert row["dissimilarity_method"] == row["theil_h_method"] == "monotone"
    # each censored count at one end of its interval: the extremes are attained fills
    corners = [dissimilarity(a, b) for a in (al, ah) for b in (bl, bh)]
    assert row["dissimilarity_low"] == min(corners)
    assert row["dissimilarity_high"] == max(corners)
    for _ in range(300):
        a, b = rng.integers(al, ah + 1), rng.integers(bl, bh + 1)
        d, h = values(a, b)
        assert row["dissimilarity_low"] - TOL <= d <= row["dissimilarity_high"] + TOL
        assert row["theil_h_low"] - TOL <= h <= row["theil_h_high"] + TOL


@settings(max_examples=100)
@given(st.integers(0, 50), st.integers(0, 5), st.integers(0, 50), st.integers(0, 5),
       st.data())
def test_share_bounds_are_exact(a_lo, a_w, b_lo, b_w, data):
    lo, hi = share_bounds([a_lo], [a_lo + a_w], [b_lo], [b_lo + b_w])
    a = data.draw(st.integers(a_lo, a_lo + a_w))
    b = data.draw(st.integers(b_lo, b_lo + b_w))
    if a + b:
        share = a / (a + b)
        if np.isfinite(lo[0]):
            assert lo[0] <= share
        if np.isfinite(hi[0]):
            assert share <= hi[0]
    if a_lo + b_lo + b_w:  # both ends attained
        assert lo[0] == a_lo / (a_lo + b_lo + b_w)


def test_point_rules():
    low, high, cens = [5, 1, 0], [5, 4, 4], [False, True, True]
    assert point_counts(low, high, cens, "midpoint").tolist() == [5, 2, 2]
    assert point_counts(low, high, cens, "low").tolist() == [5, 1, 0]
    assert point_counts(low, high, cens, "high").tolist() == [5, 4, 4]
    assert point_counts(low, high, cens, "exclude").tolist() == [5, 0, 0]
    assert set(POINT_RULES) == {"midpoint", "low", "high", "exclude"}
    with pytest.raises(ValueError, match="point rule must be one of midpoint, low"):
        point_counts(low, high, cens, "mean")


def test_bad_intervals_are_refused():
    with pytest.raises(ValueError, match=r"a_low must not exceed a_high \(unit 1: 5 > 4\)"):
        segregation_bounds([1, 5], [2, 4], [0, 0], [0, 0])
    with pytest.raises(TypeError, match="whole counts"):
        segregation_bounds([1.5, 2], [2, 3], [0, 1], [0, 1])
    with pytest.raises(ValueError, match="must be >= 0"):
        segregation_bounds([-1, 2], [2, 3], [0, 1], [0, 1])
    with pytest.raises(ValueError, match="exact_limit"):
        segregation_bounds([1, 2], [2, 3], [0, 1], [0, 1], exact_limit=-1)
