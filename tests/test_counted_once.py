"""Each pupil is left out once, under one reason: for every comparison, the pupils used
plus every exclusion of the comparison, of its theme and without a theme add up to the
input rows (review defect 2: missing_value/between_bands pupils were also counted as
not_in_comparison, so "left out" could exceed the input)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import segspatial as ss
from segspatial._groups import _THEME_OF_COLUMN
from segspatial.demo import demo_pupils

UNDEFINED = ("too_few_units", "group_absent", "too_few_groups")


def _of(exclusions: pd.DataFrame, comparison: str, theme: str) -> pd.DataFrame:
    """The exclusions that concern one comparison: its own, its theme's, the shared."""
    shared = exclusions["comparison"].isna() & (exclusions["theme"].isna()
                                                | (exclusions["theme"] == theme))
    return exclusions[(exclusions["comparison"] == comparison) | shared]


def _undefined_keys(exc: pd.DataFrame) -> set:
    undefined = exc[exc["reason"].isin(UNDEFINED)]
    keys = [k for k in ("area", "year") if k in exc.columns]
    return set(map(tuple, undefined[keys].to_numpy().tolist()))


def _used(table: pd.DataFrame, undefined: set) -> float:
    """n_a + n_b of the area-years whose indices are defined (one index row each)."""
    one = table[table["index"] == table["index"].iloc[0]]
    keys = [k for k in ("area", "year") if one[k].notna().any()]
    rows = list(map(tuple, one[keys].to_numpy().tolist()))
    defined = np.array([r not in undefined for r in rows], dtype=bool)
    return float((one["n_a"].to_numpy() + one["n_b"].to_numpy())[defined].sum())


def assert_counted_once(result, n_rows: int) -> dict[str, dict[str, float]]:
    """The invariant for every comparison of a pupil_segregation result; returns the
    exclusions per comparison and reason (for hand-computed checks)."""
    out = {}
    assert result.parameters["n_rows"] == n_rows
    for name, (ga, _) in result.parameters["comparisons"].items():
        exc = _of(result.exclusions, name, _THEME_OF_COLUMN[ga])
        table = result.table[result.table["comparison"] == name]
        used = _used(table, _undefined_keys(exc)) if len(table) else 0.0
        assert used + exc["n_pupils"].sum() == n_rows, name
        assert exc["n_pupils"].sum() <= n_rows
        out[name] = {"used": used, **exc.groupby("reason")["n_pupils"].sum().to_dict()}
    return out


def assert_multigroup_counted_once(result, n_rows: int) -> None:
    """The same invariant for the several-groups-at-once table, per theme."""
    counts, exclusions = result.counts, result.exclusions
    keys = [k for k in ("area", "year") if k in counts.columns]
    for theme, columns in result.parameters["themes"].items():
        exc = _of(exclusions, theme, theme)
        undefined = _undefined_keys(exc)
        rows = list(map(tuple, counts[keys].to_numpy().tolist()))
        defined = np.array([r not in undefined for r in rows], dtype=bool)
        used = counts[list(columns)].to_numpy()[defined].sum()
        assert used + exc["n_pupils"].sum() == n_rows, theme


# ----------------------------------------------------------------- hand-computed cases


def test_reviewer_case_missing_value_is_not_also_not_in_comparison():
    # 2 schools x (6 dutch, 3 nonwestern, 2 western, 1 missing) = 24 pupils
    rows = []
    for school in ("I", "II"):
        rows += ([(school, "dutch")] * 6 + [(school, "nonwestern")] * 3
                 + [(school, "western")] * 2 + [(school, None)])
    pupils = pd.DataFrame(rows, columns=["school", "eth"])
    res = ss.pupil_segregation(pupils, "school", ethnicity="eth", min_unit_size=0,
                               min_area_size=0, indices="dissimilarity")
    got = assert_counted_once(res, 24)
    # used = A + B; not_in_comparison = the third ethnic group only; 2 missing once
    assert got["dutch_vs_nonwestern"] == {"used": 18, "not_in_comparison": 4,
                                          "missing_value": 2}
    assert got["dutch_vs_western"] == {"used": 16, "not_in_comparison": 6,
                                       "missing_value": 2}
    assert got["western_vs_nonwestern"] == {"used": 10, "not_in_comparison": 12,
                                            "missing_value": 2}
    summary = res.exclusions_summary()
    assert summary["n_pupils"].max() <= 24


def _edge_pupils() -> pd.DataFrame:
    rows = []

    def add(area, school, eth, n):
        rows.extend([(area, school, eth)] * n)

    # area A: one school -> too_few_units (8 pupils with a group, 2 missing)
    add("A", "a1", "dutch", 5), add("A", "a1", "nonwestern", 2)
    add("A", "a1", "western", 1), add("A", "a1", None, 2)
    # area B: no nonwestern pupil -> group_absent for dutch_vs_nonwestern
    add("B", "b1", "dutch", 4), add("B", "b1", "western", 1), add("B", "b1", None, 1)
    add("B", "b2", "dutch", 3), add("B", "b2", "western", 2)
    # area C: defined; c2 has a code outside the mapping; c3 is a small unit
    add("C", "c1", "dutch", 3), add("C", "c1", "nonwestern", 3)
    add("C", "c2", "dutch", 1), add("C", "c2", "nonwestern", 4)
    add("C", "c2", "western", 1), add("C", "c2", "martian", 1)
    add("C", "c3", "dutch", 2)
    add("C", None, "dutch", 1)   # missing_unit
    add(None, "c1", "dutch", 1)  # missing_area
    return pd.DataFrame(rows, columns=["gm", "school", "eth"]).assign(year=2020)


def test_undefined_area_years_count_only_pupils_with_a_group():
    pupils = _edge_pupils()
    assert len(pupils) == 38
    res = ss.pupil_segregation(pupils, "school", area="gm", year="year", ethnicity="eth",
                               min_unit_size=3, min_area_size=0, indices="dissimilarity")
    got = assert_counted_once(res, 38)
    shared = {"missing_unit": 1, "missing_area": 1, "small_unit": 2,
              "missing_value": 3, "unknown_code": 1}
    # A: too_few_units 8 (its 2 missing are missing_value); B: group_absent 10 (its 1
    # missing is missing_value); C: 4 dutch + 7 nonwestern used, 1 western outside
    assert got["dutch_vs_nonwestern"] == {"used": 11, "too_few_units": 8,
                                          "group_absent": 10, "not_in_comparison": 1,
                                          **shared}
    # B defined now: 7 dutch + 3 western used; C: 4 + 1 used, 7 nonwestern outside
    assert got["dutch_vs_western"] == {"used": 15, "too_few_units": 8,
                                       "not_in_comparison": 7, **shared}
    exc = res.exclusions.set_index(["area", "reason", "comparison"])
    assert exc.loc[("B", "group_absent", "dutch_vs_nonwestern"), "n_units"] == 2


def test_multigroup_undefined_area_years_count_only_pupils_with_a_group():
    pupils = _edge_pupils()
    res = ss.pupil_multigroup_segregation(
        pupils, "school", area="gm", year="year", ethnicity="eth", min_unit_size=3,
        min_area_size=0, indices="multigroup_theil_h")
    assert_multigroup_counted_once(res, 38)
    exc = res.exclusions
    few = exc[exc["reason"] == "too_few_units"]
    assert few["area"].tolist() == ["A"] and few["n_pupils"].tolist() == [8]


# ----------------------------------------------------------------- the invariant


@pytest.fixture(scope="module")
def demo():
    return demo_pupils()


def test_demo_pupils_every_comparison_adds_up_to_the_input(demo):
    res = ss.pupil_segregation(demo, "school", area="municipality", year="year",
                               ethnicity="ethnicity", income="income",
                               education="education", indices="dissimilarity")
    got = assert_counted_once(res, len(demo))
    assert len(got) == 7
    # the income comparisons: between_bands and missing incomes once, under the theme
    between = got["high_vs_low_income"]["between_bands"]
    assert between > 0 and got["middle_vs_low_income"]["between_bands"] == between


def test_demo_pupils_multigroup_adds_up_to_the_input(demo):
    res = ss.pupil_multigroup_segregation(
        demo, "school", area="municipality", year="year", ethnicity="ethnicity",
        income="income", education="education", indices="multigroup_theil_h")
    assert_multigroup_counted_once(res, len(demo))


_ETH = st.sampled_from(["dutch", "western", "nonwestern", None, "martian"])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["A", "B", None]),
                          st.sampled_from(["s1", "s2", "s3", "s4", None]), _ETH,
                          st.one_of(st.none(), st.integers(-5, 50)),
                          st.sampled_from([2019, 2020, None])),
                min_size=1, max_size=80),
       st.sampled_from([0, 3]), st.sampled_from([0, 6]))
def test_any_pupils_every_comparison_adds_up_to_the_input(rows, min_unit, min_area):
    pupils = pd.DataFrame(rows, columns=["gm", "school", "eth", "income", "year"])
    # a school lies in one area: name it after the area
    pupils["school"] = np.where(pupils["school"].isna(), None,
                                pupils["gm"].astype(str) + pupils["school"].astype(str))
    pupils["income"] = pupils["income"].astype("float64")
    pupils["year"] = pupils["year"].astype("Int64")
    res = ss.pupil_segregation(pupils, "school", area="gm", year="year", ethnicity="eth",
                               income="income", min_unit_size=min_unit,
                               min_area_size=min_area, indices="dissimilarity")
    assert_counted_once(res, len(pupils))
