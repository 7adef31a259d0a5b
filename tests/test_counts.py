"""The validation gate: every bad input gets a clear error naming what is wrong."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from segspatial import apply_filters, prepare_counts


def _frame(**overrides):
    data = {
        "gm": ["G1", "G1", "G1", "G2", "G2", "G2"],
        "yr": [2019] * 6,
        "school": ["s1", "s2", "s3", "s4", "s5", "s6"],
        "a": [10, 20, 30, 5, 5, 5],
        "b": [30, 20, 10, 50, 60, 70],
        "all": [45, 40, 40, 60, 70, 80],
    }
    data.update(overrides)
    return pd.DataFrame(data)


def _prepare(df, **kw):
    args = {"area": "gm", "year": "yr", "total": "all"} | kw
    return prepare_counts(df, "school", "a", "b", **args)


def test_valid_input_is_standardised_and_not_mutated():
    df = _frame()
    before = df.copy()
    counts = _prepare(df)
    pd.testing.assert_frame_equal(df, before)
    assert list(counts.frame.columns) == ["area", "year", "unit", "a", "b", "total"]
    assert counts.frame["a"].dtype == np.float64
    assert counts.frame["year"].dtype == np.int64
    assert counts.area == "gm" and counts.total == "all"


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"area": "gemeente", "year": "jaar"}, ValueError,
         r"missing columns: area='gemeente', year='jaar'; the columns of the data are "
         r"\[.gm., .yr."),
        ({"area": 3}, TypeError, r"area must be a column name \(str\), got 3"),
        ({"total": "a"}, ValueError, r"'a' is used as group_a and total"),
    ],
)
def test_argument_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        _prepare(_frame(), **kwargs)


def test_not_a_dataframe():
    with pytest.raises(TypeError, match="data must be a pandas DataFrame, got dict"):
        prepare_counts({"a": [1]}, "school", "a", "b")


def test_same_group_twice():
    with pytest.raises(ValueError, match="group_a and group_b must be different columns, "
                                         "both are 'a'"):
        prepare_counts(_frame(), "school", "a", "a")


def test_empty():
    with pytest.raises(ValueError, match="data is empty"):
        _prepare(_frame().iloc[:0])


@pytest.mark.parametrize(
    ("column", "value", "match"),
    [
        ("a", "many", r"group_a: column 'a' must hold numeric counts; found 1 non-numeric "
                      r"value such as \['many'\] \(rows 2\)"),
        ("b", np.nan, r"group_b: column 'b' has 1 missing \(NaN\) count \(rows 2\)"),
        ("b", np.inf, r"group_b: column 'b' has 1 infinite count"),
        ("a", -4, r"group_a: column 'a' has 1 negative count, e.g. -4 \(rows 2\)"),
        ("all", -1, r"total: column 'all' has 1 negative count"),
    ],
)
def test_bad_counts(column, value, match):
    df = _frame()
    df[column] = df[column].astype(object)
    df.loc[2, column] = value
    with pytest.raises(ValueError, match=match):
        _prepare(df)


def test_numeric_strings_are_accepted():
    df = _frame(a=["10", "20", "30", "5", "5", "5"])
    assert _prepare(df).frame["a"].sum() == 75


def test_total_below_a_plus_b():
    with pytest.raises(ValueError, match=r"total: column 'all' is below 'a' \+ 'b' in 1 rows "
                                         r"\(rows 0\), e.g. 39 < 10 \+ 30"):
        _prepare(_frame(all=[39, 40, 40, 60, 70, 80]))


def test_duplicate_unit_in_area_year():
    df = _frame(school=["s1", "s1", "s3", "s4", "s5", "s6"])
    with pytest.raises(ValueError, match=r"2 rows repeat a unit within one area-year, e.g. "
                                         r"unit 's1' in gm 'G1' and yr 2019 \(rows 0, 1\)"):
        _prepare(df)


def test_unit_in_two_areas_in_one_year():
    df = _frame(school=["s1", "s2", "s3", "s1", "s5", "s6"])
    with pytest.raises(ValueError, match=r"1 units lie in more than one area in the same "
                                         r"year, e.g. unit 's1' in year 2019 in areas "
                                         r"\['G1', 'G2'\]"):
        _prepare(df)


def test_same_unit_in_other_area_in_another_year_is_fine():
    df = pd.concat([_frame(), _frame(yr=[2020] * 6, gm=["G2"] * 3 + ["G1"] * 3)])
    assert len(_prepare(df.reset_index(drop=True)).frame) == 12


@pytest.mark.parametrize(
    ("column", "value", "match"),
    [
        ("school", None, r"unit: column 'school' has 1 missing value \(rows 1\)"),
        ("gm", None, r"area: column 'gm' has 1 missing value"),
        ("yr", 2019.5, r"year: column 'yr' must hold whole years; found \['2019.5'\]"),
        ("yr", "last", r"year: column 'yr' must hold whole years; found \['last'\]"),
    ],
)
def test_bad_keys(column, value, match):
    df = _frame()
    df[column] = df[column].astype(object)
    df.loc[1, column] = value
    with pytest.raises(ValueError, match=match):
        _prepare(df)


def test_error_lists_at_most_five_rows():
    df = _frame(a=[-1] * 6)
    with pytest.raises(ValueError, match=r"rows 0, 1, 2, 3, 4 and 1 more"):
        _prepare(df)


# ------------------------------------------------------------------------------- filters


def test_filters_count_everything_they_drop():
    df = _frame()
    counts = _prepare(df)
    # G1: 125 pupils, G2: 210 pupils (one year each); units: s1 45, s2 40, ...
    kept, excl = apply_filters(counts, min_unit_size=42, min_area_size=130)
    assert sorted(kept["unit"]) == ["s4", "s5", "s6"]
    by_reason = excl.set_index("reason")
    assert by_reason.loc["small_area", "n_units"] == 3
    assert by_reason.loc["small_area", "n_pupils"] == 125
    assert by_reason.loc["small_area", "area"] == "G1"
    # not_in_comparison: 60-55, 70-65, 80-75 pupils of kept units are in neither group
    assert by_reason.loc["not_in_comparison", "n_pupils"] == 15
    assert by_reason.loc["not_in_comparison", "n_units"] == 0
    # pupils in = pupils kept + pupils dropped
    total_in = df["all"].sum()
    dropped = excl.loc[excl["reason"].isin(["small_area", "small_unit"]), "n_pupils"].sum()
    assert kept["total"].sum() + dropped == total_in


def test_small_unit_filter_uses_total_not_a_plus_b():
    df = _frame(all=[60, 40, 40, 60, 70, 80])  # s1 has 40 in groups but 60 in all
    kept, excl = apply_filters(_prepare(df), min_unit_size=50, min_area_size=0)
    assert "s1" in set(kept["unit"])
    assert set(kept["unit"]) == {"s1", "s4", "s5", "s6"}
    small = excl[excl["reason"] == "small_unit"]
    assert small["n_units"].sum() == 2 and small["n_pupils"].sum() == 80


def test_area_filter_uses_mean_over_years_present_before_unit_filter():
    two_years = pd.concat([_frame(), _frame(yr=[2020] * 6)], ignore_index=True)
    # G1 has 125 pupils in each of two years: mean 125 (not 250)
    kept, excl = apply_filters(_prepare(two_years), min_unit_size=0, min_area_size=126)
    assert set(kept["area"]) == {"G2"}
    # the small unit s2 (40 pupils) still counts for its area's size
    kept, _ = apply_filters(_prepare(two_years), min_unit_size=45, min_area_size=125)
    assert "G1" in set(kept["area"])


def test_zero_disables_filters():
    counts = _prepare(_frame())
    kept, excl = apply_filters(counts, min_unit_size=0, min_area_size=0)
    assert len(kept) == 6
    assert set(excl["reason"]) == {"not_in_comparison"}


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"min_unit_size": -1}, ValueError, r"min_unit_size must be a finite number >= 0 "
                                            r"\(0 disables\), got -1"),
        ({"min_area_size": "big"}, TypeError, "min_area_size must be a number of pupils"),
        ({"min_unit_size": True}, TypeError, "min_unit_size must be a number of pupils"),
        ({"min_area_size": float("nan")}, ValueError, "min_area_size must be a finite"),
    ],
)
def test_bad_filter_sizes(kwargs, error, match):
    with pytest.raises(error, match=match):
        apply_filters(_prepare(_frame()), **kwargs)


# ----------------------------------------------------------------- the gate on codes

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@given(st.lists(st.tuples(st.sampled_from(["G2", "G1", "G10", "g0"]), st.integers(2017, 2019),
                          st.integers(0, 30), st.integers(0, 9), st.integers(0, 9)),
                min_size=1, max_size=40))
def test_gate_order_and_key_rules_match_pandas(rows):
    df = pd.DataFrame(rows, columns=["gm", "yr", "school", "a", "b"])
    df["school"] = "s" + df["school"].astype(str)
    dup = df.duplicated(["gm", "yr", "school"]).any()
    split = (df.drop_duplicates(["gm", "yr", "school"])
             .groupby(["yr", "school"])["gm"].nunique() > 1).any()
    if dup or split:
        word = "repeat a unit" if dup else "more than one area"
        with pytest.raises(ValueError, match=word):
            _prepare(df, total=None)
        return
    frame = _prepare(df, total=None).frame
    expected = df.sort_values(["gm", "yr", "school"]).reset_index(drop=True)
    assert frame["area"].astype(str).tolist() == expected["gm"].tolist()
    assert frame["year"].tolist() == expected["yr"].tolist()
    assert frame["unit"].astype(str).tolist() == expected["school"].tolist()
    np.testing.assert_array_equal(frame["a"], expected["a"].astype(float))
    assert frame["total"].tolist() == (expected["a"] + expected["b"]).astype(float).tolist()


def test_mixed_type_keys_keep_a_fixed_order():
    df = pd.DataFrame({"school": [7, "07", 3], "a": [1, 2, 3], "b": [1, 1, 1]})
    df["school"] = df["school"].astype(object)
    frame = prepare_counts(df, "school", "a", "b").frame
    assert list(frame["unit"]) == [3, 7, "07"]  # numbers first, then text: a fixed order
    assert frame["a"].tolist() == [3.0, 1.0, 2.0]
