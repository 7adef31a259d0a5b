"""Pupil-level input: groups, income ranks, aggregation, comparisons, exclusions, CLI."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from segspatial._groups import _THEME_OF_COLUMN
from segspatial.cli import main
from segspatial.compute import segregation
from segspatial.demo import demo_pupils
from segspatial.io import read_table
from segspatial.pupils import (
    COMPARISONS,
    GROUP_COLUMNS,
    aggregate_pupils,
    assign_groups,
    pupil_segregation,
    resolve_comparisons,
)
from segspatial.schema import RESULT_COLUMNS

THEME_COLUMNS = {"ethnicity": "ethnicity", "income": "income", "education": "education"}


@pytest.fixture(scope="module")
def pupils() -> pd.DataFrame:
    """Two demo years: 145k pupils in five towns (one below the area filter)."""
    return demo_pupils(years=(2017, 2018))


@pytest.fixture(scope="module")
def result(pupils):
    return pupil_segregation(pupils, "school", area="municipality", year="year",
                             **THEME_COLUMNS)


# --------------------------------------------------------------------------- groups


def test_ethnicity_defaults_labels_missing_and_unknown():
    df = pd.DataFrame({"bg": ["dutch", " Autochtoon ", "WESTERS", "niet-westers",
                              "Nonwestern", None, "", "onbekend", "martian", np.nan]})
    g = assign_groups(df, ethnicity="bg")
    assert g.groups["ethnicity"].tolist() == [
        "dutch", "dutch", "western", "nonwestern", "nonwestern",
        np.nan, np.nan, np.nan, np.nan, np.nan]
    assert g.reasons["ethnicity"].tolist()[5:] == [
        "missing_value", "missing_value", "missing_value", "unknown_code", "missing_value"]
    exc = g.exclusions.set_index("reason")["n_pupils"]
    assert exc.to_dict() == {"missing_value": 4, "unknown_code": 1}
    assert g.income_rank is None
    assert list(g.exclusions.columns) == ["theme", "reason", "n_pupils", "description"]


@pytest.mark.parametrize("codes", [[1, 2, 3, 9, 4], [1.0, 2.0, 3.0, 9.0, 4.0],
                                   ["1", "2", "3", "9", "4"]])
def test_user_mapping_of_cbs_like_codes_whatever_their_type(codes):
    df = pd.DataFrame({"herkomst": codes})
    mapping = {1: "dutch", "2": "Western", 3.0: "nonwestern", 9: None}
    g = assign_groups(df, ethnicity="herkomst", ethnicity_map=mapping)
    assert g.groups["ethnicity"].tolist()[:3] == ["dutch", "western", "nonwestern"]
    assert g.reasons["ethnicity"].tolist()[3:] == ["missing_value", "unknown_code"]


def test_user_mapping_wins_over_builtin_labels_and_input_is_not_modified():
    df = pd.DataFrame({"bg": ["westers", "dutch"], "edu": ["hoog", "vmbo"]})
    before = df.copy()
    g = assign_groups(df, ethnicity="bg", education="edu",
                      ethnicity_map={"westers": "nonwestern"},
                      education_map={"VMBO": "low"})
    assert g.groups["ethnicity"].tolist() == ["nonwestern", "dutch"]
    assert g.groups["education"].tolist() == ["high", "low"]
    pd.testing.assert_frame_equal(df, before)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"ethnicity_map": {"x": "asian"}}, ValueError,
         r"ethnicity_map: code 'x' maps to 'asian'.*\['dutch', 'western', 'nonwestern'\]"),
        ({"ethnicity_map": {"A": "dutch", "a ": "western"}}, ValueError,
         "codes 'A' and 'a ' are the same code"),
        ({"ethnicity_map": [("x", "dutch")]}, TypeError, "ethnicity_map must be a mapping"),
        ({"ethnicity_map": {None: "dutch"}}, ValueError, "cannot map a missing code"),
        ({"education_map": {"x": "low"}}, ValueError,
         "education_map is given but education"),
    ],
)
def test_bad_mappings(kwargs, error, message):
    df = pd.DataFrame({"bg": ["dutch"]})
    with pytest.raises(error, match=message):
        assign_groups(df, ethnicity="bg", **kwargs)


def test_income_bands_at_exact_boundaries():
    # 10 distinct incomes: r = 0.1 .. 1.0; r = 0.2 is low, 0.4 not middle, 0.6 middle,
    # 0.8 not high
    df = pd.DataFrame({"inc": [7.0, 1, 2, 3, 4, 5, 6, 8, 9, 10]})
    g = assign_groups(df, income="inc")
    by_income = dict(zip(df["inc"], g.groups["income"], strict=True))
    assert [by_income[v] for v in range(1, 11)] == [
        "low", "low", np.nan, np.nan, "middle", "middle", np.nan, np.nan, "high", "high"]
    assert g.income_rank.tolist()[0] == pytest.approx(0.7, rel=0, abs=0)


def test_income_ties_at_a_quintile_boundary_use_average_ranks():
    # ranks 2 and 3 tie (average 2.5, r = 0.25): both are out of the low band, although
    # position 2 alone would be low; ranks 1 and 2 tying (average 1.5) stay low.
    g = assign_groups(pd.DataFrame({"inc": [1.0, 2, 2, 4, 5, 6, 7, 8, 9, 10]}), income="inc")
    assert g.income_rank.tolist()[:3] == [0.1, 0.25, 0.25]
    assert g.groups["income"].tolist()[:3] == ["low", np.nan, np.nan]
    assert g.reasons["income"].tolist()[1:3] == ["between_bands", "between_bands"]
    g = assign_groups(pd.DataFrame({"inc": [1.0, 1, 3, 4, 5, 6, 7, 8, 9, 10]}), income="inc")
    assert g.groups["income"].tolist()[:2] == ["low", "low"]
    # a tie straddling 0.8: ranks 8 and 9 average 8.5 (r = 0.85): both high
    g = assign_groups(pd.DataFrame({"inc": [1.0, 2, 3, 4, 5, 6, 7, 9, 9, 10]}), income="inc")
    assert g.groups["income"].tolist()[7:] == ["high", "high", "high"]


@given(st.lists(st.tuples(st.integers(0, 2), st.integers(-3, 12)), min_size=1,
                max_size=60))
def test_income_groups_match_pandas_average_percentile_ranks(rows):
    df = pd.DataFrame(rows, columns=["year", "inc"]).astype({"inc": float})
    g = assign_groups(df, year="year", income="inc")
    r = df.groupby("year")["inc"].rank(method="average", pct=True)
    np.testing.assert_allclose(g.income_rank.to_numpy(), r.to_numpy(), rtol=1e-15)
    expected = np.select([r <= 0.2, (r > 0.4) & (r <= 0.6), r > 0.8],
                         ["low", "middle", "high"], default="none")
    got = g.groups["income"].astype(object).fillna("none").to_numpy()
    # r is rank/n rounded once; the bands are decided in exact integer arithmetic, so
    # compare only where r is not within rounding of a band limit
    near = np.isclose(r.to_numpy()[:, None], [0.2, 0.4, 0.6, 0.8], rtol=0,
                      atol=1e-12).any(axis=1)
    assert (got[~near] == expected[~near]).all()


def test_income_invalid_missing_negative_and_sentinels():
    df = pd.DataFrame({"year": [2019] * 8,
                       "inc": ["100", "abc", "", None, "inf", "-50", "9999999999", "200"]})
    g = assign_groups(df, year="year", income="inc", income_missing=[9999999999])
    assert g.reasons["income"].tolist()[1:5] == [
        "invalid_value", "missing_value", "missing_value", "invalid_value"]
    assert g.reasons["income"].tolist()[6] == "missing_value"
    # three valid incomes ranked among themselves: -50 < 100 < 200
    assert g.income_rank.iloc[[5, 0, 7]].tolist() == pytest.approx([1 / 3, 2 / 3, 1.0])
    assert g.groups["income"].iloc[[5, 0, 7]].tolist() == [np.nan, np.nan, "high"]
    assert set(g.exclusions["year"]) == {2019}


def test_income_ranked_per_year_and_missing_year():
    df = pd.DataFrame({"year": [2018, 2018, 2018, 2018, 2018, 2019, 2019, 2019, 2019, 2019,
                                None],
                       "inc": [1.0, 2, 3, 4, 5, 100, 200, 300, 400, 500, 1]})
    g = assign_groups(df, year="year", income="inc")
    assert g.groups["income"].tolist()[:5] == g.groups["income"].tolist()[5:10]
    assert g.reasons["income"].iloc[10] == "missing_year"
    row = g.exclusions[g.exclusions["reason"] == "missing_year"]
    assert row["year"].isna().all() and row["n_pupils"].tolist() == [1]


def test_groups_plus_exclusions_add_up_per_theme(pupils):
    g = assign_groups(pupils, year="year", **THEME_COLUMNS)
    for theme in THEME_COLUMNS:
        in_groups = int(g.groups[theme].notna().sum())
        out = int(g.exclusions.loc[g.exclusions["theme"] == theme, "n_pupils"].sum())
        assert in_groups + out == len(pupils), theme
        assert out == int(g.reasons[theme].notna().sum())


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({}, ValueError, "no theme column given"),
        ({"ethnicity": "bg", "income": "nope", "year": "jaar"}, ValueError,
         r"missing columns: year='jaar', income='nope'"),
        ({"ethnicity": "bg", "income": "bg"}, ValueError, "'bg' is used as ethnicity and income"),
        ({"ethnicity": 3}, TypeError, "ethnicity must be a column name"),
        ({"income": "flag"}, TypeError, "income: column 'flag' holds booleans"),
        ({"income": "inc", "year": "bad_year"}, ValueError,
         r"year: column 'bad_year' must hold whole years; found \['2019.5'\]"),
        ({"income": "inc", "income_missing": "9999"}, TypeError,
         "income_missing must be a list of numbers"),
    ],
)
def test_assign_groups_errors(kwargs, error, message):
    df = pd.DataFrame({"bg": ["dutch"], "inc": [1.0], "flag": [True],
                       "bad_year": [2019.5]})
    with pytest.raises(error, match=message):
        assign_groups(df, **kwargs)


def test_assign_groups_rejects_non_frames_and_empty_frames():
    with pytest.raises(TypeError, match="pupils must be a pandas DataFrame, got list"):
        assign_groups([1, 2], ethnicity="bg")
    with pytest.raises(ValueError, match="pupils is empty"):
        assign_groups(pd.DataFrame({"bg": []}), ethnicity="bg")


# --------------------------------------------------------------------------- counts


def _hand_counts(pupils: pd.DataFrame) -> pd.DataFrame:
    """The wide table built the slow, obvious way: pandas ranks and groupby."""
    df = pupils.copy()
    r = df.groupby("year")["income"].rank(method="average", pct=True)
    flags = {g: df["ethnicity"] == g for g in ("dutch", "western", "nonwestern")}
    flags |= {"low_income": r <= 0.2, "middle_income": (r > 0.4) & (r <= 0.6),
              "high_income": r > 0.8}
    flags |= {f"{e}_education": df["education"] == e for e in ("low", "middle", "high")}
    keys = ["municipality", "year", "school"]
    wide = pd.DataFrame({k: df[k].astype(str) if k != "year" else df[k] for k in keys})
    for name, flag in flags.items():
        wide[name] = flag.fillna(False).astype(np.int64).to_numpy()
    wide["total"] = 1
    return wide.groupby(keys, sort=True).sum().reset_index()


def test_aggregate_equals_hand_aggregation(pupils):
    pc = aggregate_pupils(pupils, "school", area="municipality", year="year",
                          **THEME_COLUMNS)
    hand = _hand_counts(pupils).rename(columns={"municipality": "area", "school": "unit"})
    got = pc.counts.astype({"area": str, "unit": str})
    pd.testing.assert_frame_equal(got, hand, check_dtype=False)
    assert pc.group_columns == [c for cols in GROUP_COLUMNS.values() for c in cols]
    assert pc.n_rows == len(pupils)


def test_pupil_segregation_equals_segregation_on_hand_counts(pupils, result):
    hand = _hand_counts(pupils)
    for name, (ga, gb) in COMPARISONS.items():
        expected = segregation(hand, "school", ga, gb, area="municipality", year="year",
                               total="total")
        got = result.table[result.table["comparison"] == name].drop(columns="comparison")
        got = got.reset_index(drop=True).astype({"area": str})
        pd.testing.assert_frame_equal(got, expected.table.drop(columns="comparison"),
                                      check_exact=False, rtol=1e-12)
        exp_exc = expected.exclusions.set_index(["reason", "area", "year"])
        got_exc = result.exclusions[
            result.exclusions["reason"].isin(["small_area", "small_unit"])
            | (result.exclusions["comparison"] == name)
        ].set_index(["reason", "area", "year"])["n_pupils"].to_dict()
        # the counts engine counts the pupils in no group of the theme among those in
        # neither group; the pupil engine counts them once, under the theme
        exc = result.exclusions
        theme = exc[(exc["theme"] == _THEME_OF_COLUMN[ga]) & exc["comparison"].isna()]
        no_group = theme.groupby(["area", "year"])["n_pupils"].sum().to_dict()
        expected_exc = exp_exc["n_pupils"].to_dict()
        assert set(got_exc) <= set(expected_exc)
        got_plus = {k: got_exc.get(k, 0.0) + (no_group.get(k[1:], 0.0) if k[0] in (
                        "not_in_comparison", "too_few_units", "group_absent") else 0.0)
                    for k in expected_exc}
        assert got_plus == pytest.approx(expected_exc)


def test_result_layout(result):
    assert list(result.table.columns[:6]) == ["area", "year", "comparison", "group_a",
                                              "group_b", "index"]
    assert list(result.table["comparison"].unique()) == list(COMPARISONS)
    assert set(result.table["area"]) == {"GM9001", "GM9002", "GM9003", "GM9004"}
    assert list(result.exclusions.columns) == [
        "reason", "area", "year", "n_units", "n_pupils", "description", "theme",
        "comparison"]
    assert "total" in result.counts.columns and "dutch" in result.counts.columns


def test_exclusions_add_up_per_theme_and_per_comparison(pupils, result):
    exc = result.exclusions
    filtered = exc.loc[exc["reason"].isin(["small_area", "small_unit"]), "n_pupils"].sum()
    assert filtered > 0
    kept_total = result.counts["total"].sum()
    assert kept_total + filtered == len(pupils)
    for theme, columns in GROUP_COLUMNS.items():
        in_groups = result.counts[list(columns)].to_numpy().sum()
        no_group = exc.loc[(exc["theme"] == theme) & exc["comparison"].isna(), "n_pupils"]
        assert in_groups + no_group.sum() + filtered == len(pupils), theme
    d = result.table[result.table["index"] == "dissimilarity"]
    for name in COMPARISONS:
        rows = d[(d["comparison"] == name) & d["reason"].isna()]
        # each pupil once: in A or B of a defined area-year, or under one reason (its
        # theme's reasons for the pupils in no group of the theme)
        theme = _THEME_OF_COLUMN[COMPARISONS[name][0]]
        left_out = exc.loc[(exc["comparison"] == name)
                           | ((exc["theme"] == theme) & exc["comparison"].isna()),
                           "n_pupils"].sum()
        assert rows["n_a"].sum() + rows["n_b"].sum() + left_out == kept_total, name
        assert left_out + filtered <= len(pupils)


def test_income_ranks_are_computed_before_the_filters(pupils):
    kwargs = dict(area="municipality", year="year", income="income",
                  comparisons=["high_vs_low_income"], min_unit_size=0)
    everyone = pupil_segregation(pupils, "school", min_area_size=0, **kwargs)
    filtered = pupil_segregation(pupils, "school", min_area_size=15_000, **kwargs)
    assert set(filtered.counts["area"]) == {"GM9001", "GM9002"}  # others filtered out
    same = everyone.counts[everyone.counts["area"].isin(["GM9001", "GM9002"])]
    pd.testing.assert_frame_equal(filtered.counts, same.reset_index(drop=True))
    # ranking within the subset instead (what the filter must not do) moves the bands
    subset = pupils[pupils["municipality"].isin(["GM9001", "GM9002"])]
    local = pupil_segregation(subset, "school", min_area_size=0, **kwargs)
    assert not local.counts["high_income"].equals(filtered.counts["high_income"])


def test_rows_without_unit_area_or_year_are_counted_and_still_ranked():
    df = pd.DataFrame({
        "school": ["A", "A", "B", "B", None, "B", "A"],
        "town": ["X", "X", "X", "X", "X", " ", "X"],
        "year": [2019, 2019, 2019, 2019, 2019, 2019, None],
        "inc": [1.0, 2, 3, 4, 5, 6, 7],
    })
    pc = aggregate_pupils(df, "school", area="town", year="year", income="inc")
    keys = pc.exclusions[pc.exclusions["theme"].isna()].set_index("reason")["n_pupils"]
    assert keys.to_dict() == {"missing_unit": 1, "missing_area": 1, "missing_year": 1}
    assert pc.counts["total"].sum() == 4
    # six incomes with a year are ranked (r = 1/6 .. 1), including the rows without a
    # school or area (incomes 5 and 6): A has incomes 1 (low) and 2, B has 3 (middle) and
    # 4. Ranking only the four placed rows would give A [0, 1, 0] and B [0, 0, 1].
    assert pc.counts[["low_income", "middle_income", "high_income"]].to_numpy().tolist() \
        == [[1, 0, 0], [0, 1, 0]]
    between = pc.exclusions[pc.exclusions["reason"] == "between_bands"]["n_pupils"].sum()
    assert between == 2


def test_without_area_and_year():
    df = pd.DataFrame({"school": ["I"] * 8 + ["II"] * 16,
                       "bg": ["dutch"] * 2 + ["nonwestern"] * 6 + ["dutch"] * 13
                       + ["nonwestern"] * 3})
    res = pupil_segregation(df, "school", ethnicity="bg", comparisons="dutch_vs_nonwestern",
                            indices="dissimilarity", min_unit_size=0, min_area_size=0)
    assert list(res.table.columns[:5]) == ["area", "year", "comparison", "group_a",
                                           "group_b"]
    assert res.table[["area", "year"]].isna().all().all()
    assert res.table["value"].iloc[0] == pytest.approx(0.5333333333333333, rel=1e-12)
    assert "area" not in res.exclusions.columns and "year" not in res.counts.columns


def test_unit_in_two_areas_is_an_error():
    df = pd.DataFrame({"school": ["A", "A"], "town": ["X", "Y"], "bg": ["dutch"] * 2})
    with pytest.raises(ValueError, match=r"unit 'A' in areas \['X', 'Y'\].*not of the "
                       "pupil's home"):
        aggregate_pupils(df, "school", area="town", ethnicity="bg")


def test_custom_comparisons():
    assert resolve_comparisons([("western", "dutch")], ["ethnicity"]) == {
        "western_vs_dutch": ("western", "dutch")}
    assert resolve_comparisons({"mine": ["low_education", "middle_education"]},
                               ["education"]) == {"mine": ("low_education",
                                                           "middle_education")}
    assert list(resolve_comparisons(None, ["income"])) == [
        "high_vs_low_income", "high_vs_middle_income", "middle_vs_low_income"]


@pytest.mark.parametrize(
    ("comparisons", "error", "message"),
    [
        ("dutch_vs_asian", ValueError, "unknown comparison 'dutch_vs_asian'; known: "),
        ([("dutch", "low_income")], ValueError, "compares groups of two themes"),
        ([("dutch", "dutch")], ValueError, "compares 'dutch' with itself"),
        ([("dutch", "asian")], ValueError, "unknown group 'asian'"),
        (["high_vs_low_income"], ValueError, "needs the income theme"),
        ([], ValueError, "at least one comparison"),
        ([3], TypeError, "must be a comparison name or a pair"),
        (3, TypeError, "comparisons must be names, pairs or a mapping"),
    ],
)
def test_bad_comparisons(comparisons, error, message):
    df = pd.DataFrame({"school": ["A"], "bg": ["dutch"]})
    with pytest.raises(error, match=message):
        pupil_segregation(df, "school", ethnicity="bg", comparisons=comparisons)


def test_pupil_segregation_errors():
    df = pd.DataFrame({"school": ["A"], "bg": ["dutch"]})
    with pytest.raises(ValueError, match="unknown index 'gini'"):
        pupil_segregation(df, "school", ethnicity="bg", indices="gini")
    with pytest.raises(ValueError, match="min_unit_size must be a finite number"):
        pupil_segregation(df, "school", ethnicity="bg", min_unit_size=-1)
    with pytest.raises(TypeError, match="unit must be a column name"):
        pupil_segregation(df, None, ethnicity="bg")
    with pytest.raises(ValueError, match="no theme column given"):
        pupil_segregation(df, "school")


def test_everything_filtered_gives_an_empty_table():
    df = pd.DataFrame({"school": ["A", "B"], "bg": ["dutch", "western"]})
    res = pupil_segregation(df, "school", ethnicity="bg")
    assert res.table.empty and "comparison" in res.table.columns
    assert res.exclusions["reason"].tolist() == ["small_area"]


# --------------------------------------------------------------------------- demo


def test_demo_pupils_is_deterministic_and_segregated(pupils, result):
    again = demo_pupils(years=(2017, 2018))
    assert pupils.equals(again)  # (assert_frame_equal is slow on categoricals)
    assert not pupils.equals(demo_pupils(rng=1, years=(2017, 2018)))
    assert list(pupils.columns) == ["year", "municipality", "school", "ethnicity", "income",
                                    "education"]
    d = result.table[(result.table["index"] == "dissimilarity")
                     & (result.table["year"] == 2018)].set_index(["comparison", "area"])
    for name in COMPARISONS:
        # the halves and checkerboard towns are more segregated than the mixed one
        assert d.loc[(name, "GM9001"), "value"] > d.loc[(name, "GM9004"), "value"], name


# --------------------------------------------------------------------------- files, CLI


@pytest.fixture(scope="module")
def pupil_files(pupils, tmp_path_factory):
    folder = tmp_path_factory.mktemp("pupils")
    labels = pupils.assign(
        ethnicity=pupils["ethnicity"].map({"dutch": "1", "western": "2",
                                           "nonwestern": "3"}).astype(object),
        education=pupils["education"].map({"low": "laag", "middle": "midden",
                                           "high": "hoog"}).astype(object),
        extra=1.5,
    )
    csv = folder / "pupils.csv"
    labels.to_csv(csv, index=False, sep=";")
    parquet = folder / "pupils.parquet"
    labels.to_parquet(parquet)
    mapping = folder / "herkomst.csv"
    mapping.write_text("code,group\n1,dutch\n2,western\n3,nonwestern\n9,\n",
                       encoding="utf-8")
    return {"csv": csv, "parquet": parquet, "map": mapping}


@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_cli_pupils_end_to_end(pupil_files, result, tmp_path, capsys, kind):
    out, counts, excl = (tmp_path / "r.csv", tmp_path / "c.parquet", tmp_path / "e.csv")
    status = main([
        "indices", str(pupil_files[kind]), "--pupils", "--unit", "school",
        "--area", "municipality", "--year", "year", "--ethnicity", "ethnicity",
        "--income", "income", "--education", "education",
        "--ethnicity-map", str(pupil_files["map"]), "--output", str(out),
        "--counts-output", str(counts), "--exclusions-output", str(excl),
    ])
    err = capsys.readouterr().err
    assert status == 0, err
    assert "Read 145,623 pupil rows; computed 5 indices for 7 comparisons" in err
    table = pd.read_csv(out, dtype={"area": str})
    expected = result.table.astype({"area": str})
    null = ["bandwidth", "kernel", "reason", "reason_code", "groups", "within",  # n/a
            *RESULT_COLUMNS[RESULT_COLUMNS.index("se"):]]  # inference: not asked for
    assert list(table.columns) == list(expected.columns)
    assert table[null].isna().all().all() and expected[null].isna().all().all()
    pd.testing.assert_frame_equal(table.drop(columns=null), expected.drop(columns=null),
                                  check_dtype=False, check_column_type=False, rtol=1e-12)
    assert read_table(counts)["total"].sum() == result.counts["total"].sum()
    assert set(pd.read_csv(excl)["reason"]) >= {"small_area", "between_bands"}


def test_cli_pupils_selected_comparisons_to_stdout(pupil_files, capsys):
    status = main([
        "indices", str(pupil_files["parquet"]), "--pupils", "--unit", "school",
        "--area", "municipality", "--year", "year", "--education", "education",
        "--comparisons", "high_vs_low_education", "middle_education:low_education",
        "--indices", "dissimilarity", "--quiet",
    ])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    assert captured.out.startswith("area,year,comparison,group_a,group_b,index,bandwidth,"
                                   "kernel,value")
    lines = captured.out.splitlines()[1:]
    assert len(lines) == 2 * 4 * 2  # two comparisons, four towns, two years
    assert sum("middle_education_vs_low_education" in line for line in lines) == 8


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--pupils"], "--pupils needs at least one of --ethnicity"),
        (["--group-a", "a"], r"--group-b required for a counts file.*pass --pupils"),
        (["--ethnicity", "ethnicity", "--group-a", "a", "--group-b", "b"],
         "--ethnicity needs --pupils"),
        (["--pupils", "--ethnicity", "ethnicity", "--group-a", "a"],
         "--group-a cannot be used with --pupils"),
        (["--pupils", "--ethnicity", "ethnicity", "--comparisons", "high_vs_low_income"],
         "needs the income theme"),
        (["--pupils", "--ethnicity", "nope"], r"has no column\(s\) \['nope'\]"),
        (["--pupils", "--ethnicity", "ethnicity", "--postcode", "pc", "--postcode-table",
          "t.csv"], "location options .* cannot be used with --pupils"),
    ],
)
def test_cli_pupils_errors(pupil_files, capsys, args, message):
    status = main(["indices", str(pupil_files["parquet"]), "--unit", "school", *args])
    assert status == 2
    err = capsys.readouterr().err
    assert err.startswith("segspatial indices: error:")
    assert pytest.importorskip("re").search(message, err), err


def test_cli_bad_mapping_file(pupil_files, tmp_path, capsys):
    bad = tmp_path / "map.csv"
    bad.write_text("code,group,extra\n1,dutch,x\n", encoding="utf-8")
    status = main(["indices", str(pupil_files["parquet"]), "--pupils", "--unit", "school",
                   "--ethnicity", "ethnicity", "--ethnicity-map", str(bad)])
    assert status == 2
    assert "must have two columns (code, group); it has 3" in capsys.readouterr().err
    bad.write_text("code,group\n1,asian\n", encoding="utf-8")
    status = main(["indices", str(pupil_files["parquet"]), "--pupils", "--unit", "school",
                   "--ethnicity", "ethnicity", "--ethnicity-map", str(bad)])
    assert status == 2
    assert "code '1' maps to 'asian'" in capsys.readouterr().err


def test_spss_input_with_column_projection(tmp_path, capsys):
    pyreadstat = pytest.importorskip("pyreadstat")
    df = pd.DataFrame({"brin": [101.0] * 30 + [202.0] * 30 + [np.nan],
                       "herkomst": [1.0] * 25 + [3.0] * 5 + [1.0] * 5 + [3.0] * 25 + [1.0],
                       "unused": ["x"] * 61})
    path = tmp_path / "pupils.sav"
    pyreadstat.write_sav(df, str(path), variable_value_labels={
        "herkomst": {1.0: "autochtoon", 3.0: "niet-westers"}})
    data = read_table(path, columns=["brin", "herkomst"], text_columns=["brin"])
    assert list(data.columns) == ["brin", "herkomst"]
    assert data["brin"].tolist()[:1] == ["101"] and pd.isna(data["brin"].iloc[-1])
    status = main(["indices", str(path), "--pupils", "--unit", "brin", "--ethnicity",
                   "herkomst", "--ethnicity-map", str(_map(tmp_path)),
                   "--min-unit-size", "0", "--min-area-size", "0",
                   "--indices", "dissimilarity"])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    assert captured.out.startswith("area,year,comparison,group_a,group_b,index,bandwidth,"
                                   "kernel,value")
    value = float(captured.out.splitlines()[1].split(",")[8])
    assert value == pytest.approx(abs(25 / 30 - 5 / 30), rel=1e-12)
    assert ": 0 area-years" not in captured.err
    assert "[missing_unit]" in captured.err


def _map(folder):
    path = folder / "map.csv"
    path.write_text("code,group\n1,dutch\n3,nonwestern\n", encoding="utf-8")
    return path


def test_spss_without_the_extra_says_how_to_install(tmp_path, monkeypatch, capsys):
    path = tmp_path / "pupils.sav"
    path.write_bytes(b"$FL2")
    monkeypatch.setitem(sys.modules, "pyreadstat", None)
    with pytest.raises(ImportError, match=r"pip install 'segspatial\[spss\]'"):
        read_table(path)
    assert main(["indices", str(path), "--pupils", "--unit", "s", "--ethnicity", "e"]) == 2
    assert "segspatial[spss]" in capsys.readouterr().err


def test_demo_command_runs_the_seven_comparisons_on_pupils(tmp_path, capsys):
    assert main(["demo", "--output", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    # the comparisons in words (the codes are in results.csv)
    assert "synthetic pupils" in out and "whose parents have high vs low education" in out
    results = pd.read_csv(tmp_path / "results.csv")
    assert list(results["comparison"].unique()) == list(COMPARISONS)
    counts = pd.read_csv(tmp_path / "demo_counts.csv")
    assert {"dutch", "high_income", "low_education", "total", "x", "y"} <= set(counts.columns)
    assert counts[["x", "y"]].notna().all().all()
    exclusions = pd.read_csv(tmp_path / "exclusions.csv")
    assert {"theme", "comparison"} <= set(exclusions.columns)


def test_aggregate_accounting_per_theme_with_unplaceable_rows(pupils):
    df = pupils.head(20_000).astype({"school": object, "municipality": object})
    df.loc[df.index[:7], "school"] = None
    df.loc[df.index[7:10], "municipality"] = "  "
    pc = aggregate_pupils(df, "school", area="municipality", year="year", **THEME_COLUMNS)
    exc = pc.exclusions
    keys = exc.loc[exc["theme"].isna()].set_index("reason")["n_pupils"]
    assert keys.to_dict() == {"missing_unit": 7, "missing_area": 3}
    for theme, columns in GROUP_COLUMNS.items():
        no_group = exc.loc[exc["theme"] == theme, "n_pupils"].sum()
        assert pc.counts[list(columns)].to_numpy().sum() + no_group + 10 == len(df), theme
    per_unit = pc.no_group.groupby("theme")["n_pupils"].sum()
    assert per_unit.to_dict() == exc.groupby("theme")["n_pupils"].sum().to_dict()
