"""Several groups at once from pupil rows: themes, income groups of national ranks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from segspatial.demo import demo_pupils
from segspatial.multigroup_table import (
    income_group_names,
    income_quantile_codes,
    multigroup_segregation,
    national_ranks,
    pupil_multigroup_segregation,
    pupil_rows,
)
from segspatial.pupils import GROUP_COLUMNS, aggregate_pupils, pupil_segregation

THEMES = {"ethnicity": "ethnicity", "income": "income", "education": "education"}


@pytest.fixture(scope="module")
def pupils() -> pd.DataFrame:
    return demo_pupils(years=(2017, 2018))


@pytest.fixture(scope="module")
def result(pupils):
    return pupil_multigroup_segregation(pupils, "school", area="municipality", year="year",
                                        **THEMES)


def test_quintile_codes_exact_at_the_band_limits():
    # ten distinct incomes: r = 0.1 .. 1.0; quintile q holds q/5 < r <= (q+1)/5
    df = pd.DataFrame({"inc": np.arange(10.0)})
    rank, twice_n = national_ranks(df, year=None, income="inc")
    assert rank.tolist() == pytest.approx([0.1 * i for i in range(1, 11)])
    assert income_quantile_codes(twice_n, 5).tolist() == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]
    assert income_quantile_codes(twice_n, 3).tolist() == [0, 0, 0, 1, 1, 1, 2, 2, 2, 2]
    # ties share an average rank: 4 equal incomes at ranks 1..4 of 5 get r = 0.5
    tied = pd.DataFrame({"inc": [1.0, 1.0, 1.0, 1.0, 9.0]})
    _, twice_n = national_ranks(tied, year=None, income="inc")
    assert income_quantile_codes(twice_n, 2).tolist() == [0, 0, 0, 0, 1]
    assert income_quantile_codes(np.array([[0, 0]]), 5).tolist() == [-1]


def test_quintiles_agree_with_the_report_bands(pupils, result):
    """income_q1, q3, q5 are exactly the report's low, middle and high income."""
    two = pupil_segregation(pupils, "school", area="municipality", year="year",
                            income="income", comparisons="high_vs_low_income",
                            indices="dissimilarity")
    counts = result.counts.merge(two.counts, on=["area", "year", "unit"])
    for mine, theirs in (("income_q1", "low_income"), ("income_q3", "middle_income"),
                         ("income_q5", "high_income")):
        np.testing.assert_array_equal(counts[mine], counts[theirs])


def test_table_equals_counts_engine(result):
    """The pupil path gives what multigroup_segregation gives on its counts."""
    for theme, groups in result.parameters["themes"].items():
        expected = multigroup_segregation(result.counts, "unit", groups, area="area",
                                          year="year", total="total", min_unit_size=0,
                                          min_area_size=0).table
        mine = result.table[result.table["comparison"] == theme].drop(columns="comparison")
        pd.testing.assert_frame_equal(mine.reset_index(drop=True),
                                      expected.drop(columns="comparison"), rtol=1e-14)
    assert result.table["groups"].unique().tolist() == [
        "dutch|western|nonwestern",
        "income_q1|income_q2|income_q3|income_q4|income_q5",
        "low_education|middle_education|high_education"]


def test_every_pupil_counted_once_per_theme(pupils, result):
    exc = result.exclusions
    filtered = exc.loc[exc["reason"].isin(["small_area", "small_unit"]), "n_pupils"].sum()
    assert filtered > 0
    assert result.counts["total"].sum() + filtered == len(pupils)
    themes = {**{t: GROUP_COLUMNS[t] for t in ("ethnicity", "education")},
              "income": income_group_names(5)}
    for theme, columns in themes.items():
        in_groups = result.counts[list(columns)].to_numpy().sum()
        no_group = exc.loc[(exc["theme"] == theme) & exc["comparison"].isna(), "n_pupils"]
        assert in_groups + no_group.sum() + filtered == len(pupils), theme
    assert "between_bands" not in set(exc["reason"])


def test_other_numbers_of_income_groups(pupils, result):
    kwargs = dict(area="municipality", year="year", income="income",
                  indices="multigroup_theil_h")
    halves = pupil_multigroup_segregation(pupils, "school", income_groups=2, **kwargs)
    deciles = pupil_multigroup_segregation(pupils, "school", income_groups=10, **kwargs)
    assert halves.table["groups"].iloc[0] == "income_q1|income_q2"
    # the band limits nest: deciles in pairs are the quintiles, exactly
    d = deciles.counts[list(income_group_names(10))].to_numpy()
    q = result.counts[list(income_group_names(5))].to_numpy()
    np.testing.assert_array_equal(d[:, 0::2] + d[:, 1::2], q)
    # halves: at or below the national median of the year
    rank, _ = national_ranks(pupils, year="year", income="income")
    assert halves.counts["income_q1"].sum() + _filtered_out(halves, pupils, rank) == \
        int((rank <= 0.5).sum())
    for res in (halves, deciles):
        assert res.table["value"].between(0, 1).all()


def _filtered_out(res, pupils, rank) -> int:
    """Pupils at or below the median in the units the filters left out."""
    kept = pd.MultiIndex.from_frame(res.counts[["area", "year", "unit"]])
    keys = pd.MultiIndex.from_arrays([pupils["municipality"], pupils["year"],
                                      pupils["school"]])
    return int(((rank <= 0.5) & ~keys.isin(kept)).sum())


def test_within_a_school_column(pupils):
    boards = {s: f"board{hash(s) % 3}" for s in pupils["school"].unique()}
    data = pupils.assign(board=pupils["school"].map(boards))
    res = pupil_multigroup_segregation(data, "school", area="municipality", year="year",
                                       ethnicity="ethnicity", within="board")
    w = res.table.pivot_table(index=["area", "year"], columns="index", values="value")
    assert np.abs(w["mutual_information_between"] + w["mutual_information_within"]
                  - w["mutual_information"]).max() < 1e-12
    assert (res.table.loc[res.table["index"].str.endswith(("_between", "_within")),
                          "within"] == "board").all()
    bad = data.copy()
    bad.loc[bad.index[:3], "board"] = "elsewhere"
    with pytest.raises(ValueError, match="within: column 'board' differs between the "
                       "pupils of one school"):
        pupil_multigroup_segregation(bad, "school", area="municipality", year="year",
                                     ethnicity="ethnicity", within="board")


def test_pupil_rows_match_the_aggregation():
    df = pd.DataFrame({"school": ["A", "B", "A", None, "B", " "],
                       "town": ["X", "X", "X", "X", "X", "X"],
                       "year": ["2019", 2019, 2019.0, 2019, 2020, 2019]})
    counts = aggregate_pupils(df.assign(bg="dutch"), "school", area="town", year="year",
                              ethnicity="bg").counts
    rows = pupil_rows(df, "school", "town", "year", counts)
    assert rows.tolist() == [0, 1, 0, -1, 2, -1]
    assert counts["dutch"].tolist() == [2, 1, 1]


def test_errors(pupils):
    with pytest.raises(ValueError, match="income_groups must be at least 2"):
        pupil_multigroup_segregation(pupils, "school", income="income", income_groups=1)
    with pytest.raises(TypeError, match="income_groups must be an int"):
        pupil_multigroup_segregation(pupils, "school", income="income", income_groups=2.5)
    with pytest.raises(ValueError, match="no theme column given"):
        pupil_multigroup_segregation(pupils, "school")
    with pytest.raises(ValueError, match="missing columns: within='nope'"):
        pupil_multigroup_segregation(pupils, "school", ethnicity="ethnicity", within="nope")


def test_income_groups_are_bounded_and_built_without_warnings(pupils):
    import warnings

    # 100,000 groups gave a runaway table (K columns per school, inserted one by one)
    with pytest.raises(ValueError, match=r"income_groups must be at most 100.*"
                                         r"rank_order_segregation"):
        pupil_multigroup_segregation(pupils, "school", income="income",
                                     income_groups=100_000)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no pandas PerformanceWarning on 100 groups
        res = pupil_multigroup_segregation(pupils, "school", income="income",
                                           income_groups=100, min_unit_size=0,
                                           min_area_size=0)
    assert res.table["groups"].iloc[0].count("|") == 99
