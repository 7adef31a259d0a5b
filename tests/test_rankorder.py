"""The rank-order information theory index H^R (Reardon 2011) and the H(p) profile.

Synthetic incomes where H(p) and H^R are known analytically, the closed-form weights
against numerical quadrature, invariance to monotone transformations of income, and
the national ranking.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.integrate import quad

from segspatial import segregation
from segspatial._kernels import _binary_entropy as entropy
from segspatial.demo import demo_pupils
from segspatial.pupils import assign_groups
from segspatial.rankorder import (
    DEFAULT_THRESHOLDS,
    PROFILE_COLUMNS,
    fit_rank_order,
    rank_order_segregation,
    rank_order_weights,
)

NO_FILTERS = {"min_unit_size": 0, "min_area_size": 0}


def _bands(schools: int, n: int) -> pd.DataFrame:
    """``schools`` equal schools, each holding one contiguous band of incomes."""
    return pd.DataFrame({"school": np.repeat([f"s{i:02d}" for i in range(schools)], n),
                         "income": np.arange(schools * n, dtype=float)})


def _two_slopes(n: int) -> pd.DataFrame:
    """Two equal schools with rank densities 2(1 - r) and 2r (the area is uniform):
    F_1(p) = 2p - p², F_2(p) = p², so H(p) = 1 - (E(2p - p²) + E(p²)) / (2 E(p))."""
    u = (np.arange(n) + 0.5) / n
    return pd.DataFrame({"school": ["A"] * n + ["B"] * n,
                         "income": np.concatenate([1 - np.sqrt(1 - u), np.sqrt(u)])})


def _h_two_slopes(p):
    return 1 - (entropy(2 * p - p * p) + entropy(p * p)) / (2 * entropy(p))


def _values(res) -> dict[str, float]:
    return dict(zip(res.table["index"], res.table["value"], strict=True))


# --------------------------------------------------------------------------- weights, fit


@pytest.mark.parametrize("m", range(9))
def test_closed_form_weights_equal_quadrature(m):
    numeric = 2 * quad(lambda p: entropy(p) * p ** m, 0, 1, epsabs=1e-14, epsrel=1e-13)[0]
    assert rank_order_weights(8)[m] == pytest.approx(numeric, rel=1e-11, abs=1e-14)


def test_weights_in_bits_match_reardons_definition():
    # Reardon: H^R = 2 ln 2 ∫ E_2(p) H(p) dp with E_2 in bits; a constant H gives H
    assert 2 * math.log(2) * quad(lambda p: entropy(p) / math.log(2), 0, 1)[0] == \
        pytest.approx(1.0, rel=1e-12)
    assert rank_order_weights(0).tolist() == [1.0]


def test_fit_recovers_polynomial_profiles():
    p = np.linspace(0.05, 0.95, 19)
    beta = np.array([0.1, 0.8, -1.2, 0.9, -0.4])
    h = np.polynomial.polynomial.polyval(p, beta)
    hr, fitted = fit_rank_order(np.vstack([p, p]), np.vstack([h, np.full(19, 0.25)]))
    np.testing.assert_allclose(fitted[0], beta, atol=1e-9)
    exact = 2 * quad(lambda x: entropy(x) * np.polynomial.polynomial.polyval(x, beta),
                     0, 1, epsabs=1e-14)[0]
    assert hr[0] == pytest.approx(exact, abs=1e-10)
    assert hr[1] == pytest.approx(0.25, abs=1e-12)


def test_fit_skips_undefined_points_and_needs_enough_of_them():
    p = np.linspace(0.05, 0.95, 19)
    h = 0.3 + 0.1 * p
    holes = h.copy()
    holes[[0, 5, 18]] = np.nan
    hr, _ = fit_rank_order(p[None], holes[None], order=2)
    assert hr[0] == pytest.approx(0.3 + 0.1 * 0.5, abs=1e-12)
    few = np.full(19, np.nan)
    few[:3] = h[:3]
    hr, beta = fit_rank_order(p[None], few[None], order=4)
    assert np.isnan(hr[0]) and np.isnan(beta).all()
    with pytest.raises(ValueError, match="order must be >= 0"):
        fit_rank_order(p[None], h[None], order=-1)
    with pytest.raises(TypeError, match="order must be an int"):
        fit_rank_order(p[None], h[None], order=2.0)


# --------------------------------------------------------------------------- analytic


@pytest.mark.parametrize("schools", [2, 5, 10])
def test_contiguous_bands(schools):
    """S schools each holding a band of ranks: H(k/S) = 1 and H^R = 1 - 1/S."""
    n = 20_000
    res = rank_order_segregation(_bands(schools, n), "school", income="income",
                                 thresholds=[i / 40 for i in range(1, 40)], **NO_FILTERS)
    values = _values(res)
    assert values["rank_order_theil_h_integral"] == pytest.approx(1 - 1 / schools, abs=1e-7)
    # the polynomial cannot follow the kinks at the band limits: close, not equal
    assert values["rank_order_theil_h"] == pytest.approx(1 - 1 / schools, abs=0.04)
    prof = res.profile
    p = prof["threshold"].to_numpy()
    u = (p * schools) % 1.0  # the share of the band below p
    at_limit = np.isclose(u, 0) | np.isclose(u, 1)
    expected = np.where(at_limit, 1.0, 1 - entropy(u) / (schools * entropy(p)))
    np.testing.assert_allclose(prof["theil_h"], expected, atol=1e-12)
    np.testing.assert_allclose(prof["p"], p, atol=1e-15)


def test_two_slopes_profile_and_index():
    res = rank_order_segregation(_two_slopes(100_000), "school", income="income",
                                 **NO_FILTERS)
    prof = res.profile
    np.testing.assert_allclose(prof["theil_h"], _h_two_slopes(prof["threshold"]),
                               atol=1e-12)
    exact = 2 * quad(lambda p: entropy(p) * _h_two_slopes(p), 0, 1, limit=200)[0]
    values = _values(res)
    assert values["rank_order_theil_h_integral"] == pytest.approx(exact, abs=1e-8)
    assert values["rank_order_theil_h"] == pytest.approx(exact, abs=5e-4)   # M = 4 fit
    # the fit with more thresholds and a higher order gets closer
    fine = rank_order_segregation(_two_slopes(100_000), "school", income="income",
                                  thresholds=[i / 100 for i in range(1, 100)], order=8,
                                  **NO_FILTERS)
    assert abs(_values(fine)["rank_order_theil_h"] - exact) < \
        abs(values["rank_order_theil_h"] - exact)
    assert list(prof.columns) == [c for c in PROFILE_COLUMNS if c not in ("area", "year")]


def test_integral_equals_quadrature_of_the_exact_step_profile():
    """The integral row is ∫ 2E(p)H(p)dp of the data's own step function H(p)."""
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"school": rng.choice(list("PQRS"), 400),
                       "income": rng.integers(0, 60, 400).astype(float)})  # many ties
    value = _values(rank_order_segregation(df, "school", income="income", **NO_FILTERS))
    incomes = np.sort(df["income"].unique())
    total = len(df)
    cuts = [(df["income"] <= v).mean() for v in incomes]
    h = []
    for v in incomes[:-1]:
        below = (df["income"] <= v).groupby(df["school"]).sum()
        size = df.groupby("school").size()
        h.append(segregation(pd.DataFrame({"s": below.index, "a": below.to_numpy(),
                                           "b": (size - below).to_numpy()}), "s", "a",
                             "b", indices="theil_h", **NO_FILTERS).table["value"].iloc[0])
    # H(p) = H_c on [p_c, p_c+1), and H_1 below the first cut
    integral = sum(2 * quad(entropy, lo, hi)[0] * hc
                   for lo, hi, hc in zip(cuts[:-1], cuts[1:], h, strict=True))
    integral += 2 * quad(entropy, 0, cuts[0])[0] * h[0]
    assert total == 400 and len(h) == len(incomes) - 1
    assert value["rank_order_theil_h_integral"] == pytest.approx(integral, abs=1e-10)


# --------------------------------------------------------------------------- invariance


def test_monotone_transformations_change_nothing():
    pupils = demo_pupils(years=(2017, 2018))
    kwargs = dict(income="income", area="municipality", year="year")
    base = rank_order_segregation(pupils, "school", **kwargs)
    for transform in (lambda x: 3 * x + 7_000, lambda x: np.exp(x / 20_000),
                      lambda x: np.arcsinh(x)):
        other = rank_order_segregation(pupils.assign(income=transform(pupils["income"])),
                                       "school", **kwargs)
        pd.testing.assert_frame_equal(other.table, base.table)
        pd.testing.assert_frame_equal(other.profile, base.profile)
    shuffled = pupils.sample(frac=1.0, random_state=1)
    again = rank_order_segregation(shuffled, "school", **kwargs)
    pd.testing.assert_frame_equal(again.table, base.table, rtol=1e-12)
    # a decreasing transformation reverses the ranks: H(p) becomes H(1 - p)
    flipped = rank_order_segregation(pupils.assign(income=-pupils["income"]), "school",
                                     **kwargs)
    a = _values_by_area(base)["rank_order_theil_h_integral"]
    b = _values_by_area(flipped)["rank_order_theil_h_integral"]
    np.testing.assert_allclose(a, b, atol=2e-3)  # ties and missing incomes aside


def _values_by_area(res) -> pd.DataFrame:
    return res.table.pivot_table(index=["area", "year"], columns="index", values="value")


def test_national_ranks_and_area_ranks():
    pupils = demo_pupils(years=(2018,))
    kwargs = dict(income="income", area="municipality", year="year")
    national = rank_order_segregation(pupils, "school", **kwargs)
    local = rank_order_segregation(pupils, "school", ranks="area", **kwargs)
    # the exact integral depends on the order within the area only
    np.testing.assert_allclose(_values_by_area(national)["rank_order_theil_h_integral"],
                               _values_by_area(local)["rank_order_theil_h_integral"],
                               rtol=1e-12)
    # with area ranks the area's share below each threshold is the threshold
    np.testing.assert_allclose(local.profile["p"], local.profile["threshold"], atol=2e-3)
    # with national ranks H(0.2) is the two-group H of the bottom 20% of the country
    ranks = assign_groups(pupils, year="year", income="income").income_rank
    counts = (pupils.assign(low=ranks <= 0.2, other=ranks > 0.2)
              .groupby(["municipality", "year", "school"])[["low", "other"]].sum()
              .reset_index())
    kept = national.counts[["area", "year", "unit"]].rename(
        columns={"area": "municipality", "unit": "school"})
    counts = counts.merge(kept, on=["municipality", "year", "school"])
    h = segregation(counts, "school", "low", "other", area="municipality", year="year",
                    indices="theil_h", **NO_FILTERS).table.set_index(["area", "year"])
    at = national.profile[np.isclose(national.profile["threshold"], 0.2)].set_index(
        ["area", "year"])
    np.testing.assert_allclose(at["theil_h"], h.loc[at.index, "value"], rtol=1e-12)


def test_exclusions_and_counts_add_up():
    pupils = demo_pupils(years=(2018,))
    res = rank_order_segregation(pupils, "school", income="income", area="municipality",
                                 year="year")
    exc = res.exclusions
    filtered = exc.loc[exc["reason"].isin(["small_area", "small_unit"]), "n_pupils"].sum()
    no_income = exc.loc[exc["theme"] == "income", "n_pupils"].sum()
    assert no_income > 0 and "between_bands" not in set(exc["reason"])
    assert res.counts["pupils_with_income"].sum() + no_income + filtered == len(pupils)
    n = res.table[res.table["index"] == "rank_order_theil_h"]["n_pupils"].sum()
    assert n == res.counts["pupils_with_income"].sum()


def test_undefined_cases_have_reasons():
    one = pd.DataFrame({"school": ["A"] * 5, "income": [1.0, 2, 3, 4, 5]})
    res = rank_order_segregation(one, "school", income="income", **NO_FILTERS)
    assert res.table["value"].isna().all()
    assert (res.table["reason"] == "fewer than 2 units").all()
    same = pd.DataFrame({"school": ["A", "B"] * 5, "income": 7.0})
    res = rank_order_segregation(same, "school", income="income", **NO_FILTERS)
    reasons = dict(zip(res.table["index"], res.table["reason"], strict=True))
    assert reasons["rank_order_theil_h"].startswith("fewer than 5 distinct income percentiles")
    assert reasons["rank_order_theil_h_integral"] == "every pupil has the same income"


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"thresholds": [0.5, 1.0]}, ValueError, "strictly between 0 and 1"),
    ({"thresholds": [0.5, 0.2]}, ValueError, "increasing and distinct"),
    ({"thresholds": []}, ValueError, "non-empty"),
    ({"thresholds": ["x"]}, TypeError, "thresholds must be numbers"),
    ({"ranks": "local"}, ValueError, "ranks must be 'national' or 'area'"),
    ({"order": -2}, ValueError, "order must be >= 0"),
])
def test_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        rank_order_segregation(_bands(2, 10), "school", income="income", **kwargs)


def test_default_thresholds():
    assert DEFAULT_THRESHOLDS[0] == 0.05 and DEFAULT_THRESHOLDS[-1] == 0.95
    assert len(DEFAULT_THRESHOLDS) == 19


def test_a_fit_outside_zero_one_is_undefined_with_a_reason():
    # an interpolating polynomial (order 18 on 19 thresholds) swings far outside [0, 1]
    # between and beyond the thresholds; H^R lies in [0, 1], so such a value is no estimate
    pupils = demo_pupils(years=(2018,))
    res = rank_order_segregation(pupils, "school", income="income", area="municipality",
                                 year="year", order=18)
    rows = res.table[res.table["index"] == "rank_order_theil_h"]
    values = rows["value"].dropna()
    assert ((values >= 0) & (values <= 1)).all()
    outside = rows[rows["reason"].fillna("").str.contains("outside [0, 1]", regex=False)]
    assert len(outside) >= 1 and outside["value"].isna().all()
    assert "lower polynomial order" in outside["reason"].iloc[0]
    # the exact integral of the step profile is unaffected
    integral = res.table[res.table["index"] == "rank_order_theil_h_integral"]["value"]
    assert integral.between(0, 1).all()


@pytest.mark.parametrize("m", [12, 16, 20, 24])
def test_closed_form_weights_are_exact_at_high_orders(m):
    # the alternating binomial sum loses digits in floating point; exact rationals do not
    from fractions import Fraction

    exact = 2 * Fraction(1, (m + 2) ** 2) + 2 * sum(
        Fraction((-1) ** (m - n) * math.comb(m, n), (m - n + 2) ** 2) for n in range(m + 1))
    assert rank_order_weights(m)[m] == pytest.approx(float(exact), rel=1e-15)


def test_tied_incomes_put_thresholds_on_one_percentile():
    # two incomes: every threshold falls on p = 0.5 (one point of the profile), so a
    # polynomial of order 4 cannot be fitted; the exact integral is still defined
    rng = np.random.default_rng(5)
    pupils = pd.DataFrame({"school": np.repeat(list("ABCD"), 50),
                           "income": rng.permutation(np.repeat([1.0, 2.0], 100))})
    res = rank_order_segregation(pupils, "school", income="income", **NO_FILTERS)
    row = res.table.set_index("index")
    assert np.isnan(row.loc["rank_order_theil_h", "value"])
    assert row.loc["rank_order_theil_h", "reason"].startswith(
        "fewer than 5 distinct income percentiles")
    assert np.isfinite(row.loc["rank_order_theil_h_integral", "value"])
    # fit_rank_order counts distinct p: 19 points on 2 values of p are not enough
    p = np.where(np.arange(19) < 10, 0.3, 0.6)[None, :]
    hr, _ = fit_rank_order(p, np.full((1, 19), 0.2), order=4)
    assert np.isnan(hr[0])
    hr, _ = fit_rank_order(p, np.full((1, 19), 0.2), order=1)
    assert hr[0] == pytest.approx(0.2, abs=1e-12)
