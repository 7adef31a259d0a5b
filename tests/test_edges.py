"""Right at the edges (issue 17, part 1): 0/0, empty units, huge counts, each pupil once.

Every example of the issue is a test with its right value; the kind is covered by
property tests (table and scalar API agree; left out + analysed = input).
"""

from __future__ import annotations

import math
import warnings
from fractions import Fraction

import mpmath
import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import segspatial as ss
from segspatial import SegregationWarning
from segspatial.indices import (
    MAX_EXACT_COUNT,
    GroupedCounts,
    _standardised_dissimilarity_kernel,
    undefined_reasons,
)

SCALAR = {
    "dissimilarity": ss.dissimilarity,
    "dissimilarity_expected": ss.expected_dissimilarity,
    "dissimilarity_standardised": ss.standardised_dissimilarity,
    "theil_h": ss.theil_h,
    "correlation": ss.correlation,
}


def _table(rows, **kwargs):
    """segregation() on (area, a, b[, total]) rows, filters off, indexed by area/index."""
    frame = pd.DataFrame(rows, columns=["gm", "a", "b", "t"][:len(rows[0])])
    frame.insert(1, "school", [f"s{i}" for i in range(len(frame))])
    result = ss.segregation(frame, "school", "a", "b", area="gm", min_unit_size=0,
                            min_area_size=0, total="t" if "t" in frame else None, **kwargs)
    return result, result.table.set_index(["area", "index"])


def _scalar_with_reason(func, a, b):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value = func(a, b)
    messages = [str(w.message) for w in caught if issubclass(w.category, SegregationWarning)]
    return value, messages


# ------------------------------------------------------------------------ D* of 0/0


def test_d_star_of_one_pupil_per_school_is_nan_with_a_reason():
    # area X: schools (1, 0) and (0, 1): D = E[D] = 1, so D* = 0/0
    value, messages = _scalar_with_reason(ss.standardised_dissimilarity, [1, 0], [0, 1])
    assert math.isnan(value)
    assert len(messages) == 1 and "D* is 0/0 within rounding" in messages[0]
    assert ss.expected_dissimilarity([1, 0], [0, 1]) == pytest.approx(1, rel=1e-15)
    _, t = _table([("X", 1, 0), ("X", 0, 1), ("Y", 1, 0), ("Y", 1, 0), ("Y", 0, 1)])
    for area in ("X", "Y"):  # Y: (1,0),(1,0),(0,1) is the same 0/0
        assert math.isnan(t.loc[(area, "dissimilarity_standardised"), "value"])
        assert "0/0 within rounding" in t.loc[(area, "dissimilarity_standardised"),
                                              "reason"]
        assert t.loc[(area, "dissimilarity"), "value"] == 1.0
        assert t.loc[(area, "dissimilarity_expected"), "value"] == pytest.approx(1, rel=1e-15)


def _d_star(d: float, e: float, n_units: int = 2) -> tuple[float, str | None]:
    """The D* kernel on given D and E[D] (a GroupedCounts with both memoised)."""
    c = GroupedCounts.single(np.ones(n_units), np.ones(n_units))
    c._memo["dissimilarity"] = np.array([d])
    c._memo["dissimilarity_expected"] = np.array([e])
    value = float(_standardised_dissimilarity_kernel(c)[0])
    reasons = c.reasons("dissimilarity_standardised")
    return value, None if reasons is None else reasons[0]


@pytest.mark.parametrize(
    ("d", "e"),
    [
        (1.0, 1 - 1e-16),              # E[D] = 1 - 1e-16 (rounds to 1 - 1.1e-16)
        (1.0, 1.0),                    # exact 0/0
        (1 - 2.2e-16, 1 - 1.1e-16),    # D ~ E[D] ~ 1, D below E[D] within rounding:
                                       # the branch is unknown and 1 - E[D] ~ 0: 0/0
        (1.0, 1 - 1e-14),              # still within the rounding error of E[D]
        (0.0, 1e-300),                 # E[D] ~ 0 and D below it: (D - E) / E is noise
    ],
)
def test_d_star_cancellation_is_nan_with_a_reason(d, e):
    value, reason = _d_star(d, e)
    assert math.isnan(value)
    assert reason is not None and "0/0 within rounding" in reason


@pytest.mark.parametrize(("d", "e", "right"), [
    (0.5, 0.25, (0.5 - 0.25) / 0.75),
    (0.1, 0.2, -0.5),
    (1.0, 1 - 1e-6, 1.0),          # a small but real 1 - E[D]: defined
    (8.3e-6, 8.14e-6, (8.3e-6 - 8.14e-6) / (1 - 8.14e-6)),
])
def test_d_star_away_from_cancellation_is_the_plain_ratio(d, e, right):
    value, reason = _d_star(d, e)
    assert reason is None
    assert value == pytest.approx(right, rel=1e-9)


# -------------------------------------------------------------------- empty schools


def test_an_empty_school_does_not_turn_undefined_into_zero():
    # area Y: schools (5, 15) and (0, 0); area X: only (10, 30): both undefined
    _, t = _table([("X", 10, 30), ("Y", 5, 15), ("Y", 0, 0), ("Z", 2, 6), ("Z", 0, 0),
                   ("Z", 13, 3)])
    for area, n in (("X", 1), ("Y", 2)):
        for index in SCALAR:
            row = t.loc[(area, index)]
            assert math.isnan(row["value"]), (area, index)
            assert row["reason"] == (
                f"fewer than 2 units with pupils in the comparison (1 of {n} units)")
    # Z: an empty school next to two real ones changes nothing (the appendix example)
    assert t.loc[("Z", "dissimilarity"), "value"] == pytest.approx(8 / 15, rel=1e-15)


@pytest.mark.parametrize("name", list(SCALAR))
@pytest.mark.parametrize(("a", "b"), [([5, 0], [15, 0]), ([5], [15]), ([0, 5, 0], [0, 15, 0])])
def test_scalar_api_agrees_with_the_table_on_empty_schools(name, a, b):
    value, messages = _scalar_with_reason(SCALAR[name], a, b)
    assert math.isnan(value)
    n = len(a)
    assert messages == [f"index undefined: fewer than 2 units with pupils in the comparison "
                        f"(1 of {n} units); returning NaN"]


@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 30), st.integers(0, 30)),
                min_size=1, max_size=30))
def test_table_and_scalar_api_agree_everywhere(rows):
    # zero rows (empty schools), single schools and absent groups included
    frame = pd.DataFrame(rows, columns=["gm", "a", "b"])
    frame["school"] = np.arange(len(frame))
    table = ss.segregation(frame, "school", "a", "b", area="gm", min_unit_size=0,
                           min_area_size=0).table
    for (area, index), row in table.set_index(["area", "index"]).iterrows():
        sub = frame[frame["gm"] == area]
        value, messages = _scalar_with_reason(SCALAR[index], sub["a"], sub["b"])
        if row["reason"] is None:
            assert not messages
            assert value == pytest.approx(row["value"], rel=1e-12, abs=1e-15)
        else:
            assert math.isnan(value) and math.isnan(row["value"])
            assert len(messages) == 1
            # the same rule and the same words (the table names the group columns)
            assert messages[0].startswith("index undefined: ")
            assert row["reason"].split(" (")[0] in messages[0]


# ------------------------------------------------------------------------ big counts


def _exact_expected_d(a, b, dps=40):
    """E[D] from the closed form with the pmf in 40-digit arithmetic (mpmath)."""
    mpmath.mp.dps = dps
    big_a, big_b = sum(a), sum(b)
    big_n = big_a + big_b
    lg = mpmath.loggamma
    total = mpmath.mpf(0)
    for aj, bj in zip(a, b, strict=True):
        n = aj + bj
        k = n * big_a // big_n  # Python integers: exact
        log_pmf = (lg(big_a + 1) - lg(k + 2) - lg(big_a - k)
                   + lg(big_n - big_a + 1) - lg(n - k) - lg(big_n - big_a - n + k + 2)
                   - lg(big_n + 1) + lg(n + 1) + lg(big_n - n + 1))
        total += 2 * mpmath.mpf(k + 1) * (big_n - big_a - n + k + 1) / big_n * mpmath.exp(
            log_pmf)
    return float(mpmath.mpf(big_n) / (2 * big_a * big_b) * total)


def _normal_expected_d(a, b):
    """E[D] with each a_j normal (mean absolute deviation sigma sqrt(2/pi))."""
    big_a, big_b = sum(a), sum(b)
    big_n = big_a + big_b
    mad = sum(math.sqrt((aj + bj) * big_a * big_b * (big_n - aj - bj)
                        / (big_n**2 * (big_n - 1))) * math.sqrt(2 / math.pi)
              for aj, bj in zip(a, b, strict=True))
    return big_n / (2 * big_a * big_b) * mad


def test_expected_d_with_billions_of_pupils_does_not_overflow():
    a, b = [3_000_000_000, 1_000_000_000], [2_000_000_000, 4_000_000_000]
    value = ss.expected_dissimilarity(a, b)
    exact = _exact_expected_d(a, b)
    assert exact == pytest.approx(8.143375197737e-6, rel=1e-12)
    assert value == pytest.approx(exact, rel=1e-12)
    # independent of the closed form: the normal approximation (sigma ~ 24,000)
    assert value == pytest.approx(_normal_expected_d(a, b), rel=1e-8)


@pytest.mark.parametrize("scale", [10**6, 10**9, 10**12, 2**50])
def test_expected_d_exact_up_to_2_to_the_53(scale):
    rng = np.random.default_rng(scale % 1000)
    t = (rng.integers(1, 5, size=4) * (scale // 8)).tolist()
    a = [int(x * p) for x, p in zip(t, rng.uniform(0.2, 0.8, size=4), strict=True)]
    b = [x - y for x, y in zip(t, a, strict=True)]
    assert sum(t) <= MAX_EXACT_COUNT
    assert ss.expected_dissimilarity(a, b) == pytest.approx(_exact_expected_d(a, b),
                                                            rel=1e-11)


def test_expected_d_above_2_to_the_53_is_a_clear_nan():
    a, b = [2.0**53, 2.0**52], [2.0**52, 2.0**53]
    value, messages = _scalar_with_reason(ss.expected_dissimilarity, a, b)
    assert math.isnan(value)
    assert messages and "more than 2**53 pupils" in messages[0]
    _, t = _table([("X", 2.0**53, 2.0**52), ("X", 2.0**52, 2.0**53)])
    assert "more than 2**53 pupils" in t.loc[("X", "dissimilarity_expected"), "reason"]
    assert t.loc[("X", "dissimilarity"), "value"] == pytest.approx(1 / 3, rel=1e-15)


def test_correlation_and_theil_keep_their_digits_when_a_group_is_tiny():
    # one pupil of B among two billion: 1 - P and xPx - P lose 9 digits to cancellation
    a, b = [10**9, 10**9], [1, 0]
    big_a, big_b = sum(a), sum(b)
    big_t = big_a + big_b
    p = Fraction(big_a, big_t)
    v_exact = sum(Fraction(aj + bj) * (Fraction(aj, aj + bj) - p) ** 2
                  for aj, bj in zip(a, b, strict=True)) / (big_t * p * (1 - p))
    assert ss.correlation(a, b) == pytest.approx(float(v_exact), rel=1e-12)
    mpmath.mp.dps = 50

    def entropy(x, y):
        s = mpmath.mpf(x) + y
        return -sum(mpmath.mpf(v) / s * mpmath.log(mpmath.mpf(v) / s) for v in (x, y) if v)

    h_exact = 1 - sum((aj + bj) * entropy(aj, bj) for aj, bj in zip(a, b, strict=True)) / (
        big_t * entropy(big_a, big_b))
    assert ss.theil_h(a, b) == pytest.approx(float(h_exact), rel=1e-9)


# ----------------------------------------------------------------- each pupil once


def test_group_absent_area_is_not_also_not_in_comparison():
    # area A: B absent; its 20 pupils (11 in A, 9 in neither) are left out once
    result, _ = _table([("A", 5, 0, 9), ("A", 6, 0, 8), ("A", 0, 0, 3),
                        ("B", 2, 6, 10), ("B", 13, 3, 20)])
    exc = result.exclusions.set_index(["area", "reason"])["n_pupils"]
    assert exc[("A", "group_absent")] == 20
    assert ("A", "not_in_comparison") not in exc.index
    assert exc[("B", "not_in_comparison")] == 6
    summary = result.exclusions_summary().set_index("reason")["n_pupils"]
    assert summary.sum() == 26 <= 9 + 8 + 3 + 10 + 20


@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 20), st.integers(0, 20),
                          st.integers(0, 20)), min_size=1, max_size=40),
       st.sampled_from([0, 15, 30]), st.sampled_from([0, 40, 120]))
def test_left_out_plus_analysed_is_the_input(rows, min_unit, min_area):
    frame = pd.DataFrame(rows, columns=["gm", "a", "b", "extra"])
    frame["t"] = frame["a"] + frame["b"] + frame["extra"]
    frame["school"] = np.arange(len(frame))
    result = ss.segregation(frame, "school", "a", "b", area="gm", total="t",
                            min_unit_size=min_unit, min_area_size=min_area,
                            indices="dissimilarity")
    defined = result.table[result.table["reason"].isna()]
    left_out = result.exclusions["n_pupils"].sum()
    assert left_out <= frame["t"].sum()
    assert defined["n_a"].sum() + defined["n_b"].sum() + left_out == frame["t"].sum()


def test_undefined_reasons_is_the_one_rule():
    c = GroupedCounts(a=np.array([5.0, 0, 1, 0, 3, 0]), b=np.array([15.0, 0, 0, 0, 0, 4]),
                      group=np.array([0, 0, 1, 1, 2, 2]), n_groups=3)
    assert undefined_reasons(c, "x", "y").tolist() == [
        "fewer than 2 units with pupils in the comparison (1 of 2 units)",
        "fewer than 2 units with pupils in the comparison (1 of 2 units)",
        None,
    ]
