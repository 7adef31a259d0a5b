"""The command line with several groups at once and the rank-order income index."""

from __future__ import annotations

import pandas as pd
import pytest

from segspatial.cli import main
from segspatial.demo import demo_pupils
from segspatial.multigroup_table import DECOMPOSITION_INDICES, multigroup_segregation
from segspatial.rankorder import rank_order_segregation


@pytest.fixture(scope="module")
def counts_csv(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mg")
    pupils = demo_pupils(years=(2018,))
    boards = {s: f"B{sum(map(ord, s)) % 4}" for s in pupils["school"].unique()}
    counts = (pupils.assign(one=1).pivot_table(index=["municipality", "school"],
                                               columns="ethnicity", values="one",
                                               aggfunc="sum", fill_value=0, observed=True)
              .reset_index())
    counts.columns = [str(c) for c in counts.columns]
    counts["board"] = counts["school"].astype(str).map(boards)
    counts["school"] = "0" + counts["school"].astype(str)
    path = folder / "counts.csv"
    counts.to_csv(path, index=False)
    pupil_path = folder / "pupils.parquet"
    pupils.to_parquet(pupil_path)
    return {"counts": path, "pupils": pupil_path, "frame": counts, "pupil_frame": pupils}


def test_groups_within_local_and_base(counts_csv, tmp_path, capsys):
    out, local, within = tmp_path / "r.parquet", tmp_path / "l.csv", tmp_path / "w.csv"
    status = main(["indices", str(counts_csv["counts"]), "--unit", "school", "--groups",
                   "dutch", "western", "nonwestern", "--area", "municipality",
                   "--within", "board", "--log-base", "2", "--min-area-size", "0",
                   "-o", str(out), "--local-output", str(local),
                   "--within-output", str(within)])
    err = capsys.readouterr().err
    assert status == 0, err
    assert "groups: dutch|western|nonwestern" in err
    table = pd.read_parquet(out)
    # the file's text columns are typed (str, NaN for null); the table's are object/None
    for column in ("comparison", "group_a", "group_b", "kernel", "reason", "reason_code",
                   "within", "bootstrap", "interval", "alternative"):
        table[column] = table[column].astype(object).where(table[column].notna(), None)
    frame = pd.read_csv(counts_csv["counts"], dtype={"school": str})
    expected = multigroup_segregation(frame, "school", ["dutch", "western", "nonwestern"],
                                      area="municipality", within="board", base=2,
                                      min_area_size=0).table
    pd.testing.assert_frame_equal(table, expected, check_dtype=False,
                                  check_column_type=False)
    assert "mutual_information_between_base2" in set(table["index"])
    scores = pd.read_csv(local, dtype={"unit": str})
    assert scores["unit"].str.startswith("0").all()
    assert {"ls", "m_contribution", "entropy"} <= set(scores.columns)
    parts = pd.read_csv(within)
    assert set(parts["cluster"]) <= {"B0", "B1", "B2", "B3"}


@pytest.mark.parametrize(("extra", "message"), [
    (["--group-a", "dutch"], "--group-a cannot be used with --groups"),
    (["--bandwidth", "1000"], "the spatial indices need unit locations: give --x/--y/--crs"),
    (["--x", "x", "--y", "y", "--crs", "EPSG:28992", "--bandwidth", "500", "--context",
      "all"], "--context applies only to two groups (--group-a/--group-b)"),
    (["--x", "x", "--y", "y", "--crs", "EPSG:28992", "--k", "3", "--within", "board"],
     "--within and the spatial options (--bandwidth, --k) are separate tables"),
    (["--within-output", "w.csv"], "--within-output needs --within COL"),
    (["--log-base", "1"], "base must be a finite number > 1"),
    (["--log-base", "0.5"], "base must be a finite number > 1"),
    (["--indices", "dissimilarity"], "compare two groups A and B"),
    (["--multigroup"], "--multigroup needs --pupils"),
    (["--groups", "dutch"], "groups must name at least two count columns"),
])
def test_groups_errors(counts_csv, capsys, extra, message):
    args = ["indices", str(counts_csv["counts"]), "--unit", "school", "--groups", "dutch",
            "western", "--area", "municipality", *extra]
    assert main(args) == 2
    assert message in capsys.readouterr().err


def test_options_that_need_groups(counts_csv, capsys):
    base = ["indices", str(counts_csv["counts"]), "--unit", "school", "--group-a", "dutch",
            "--group-b", "western"]
    for extra, message in ((["--within", "board"], "--within needs --groups"),
                           (["--local-output", "l.csv"], "--local-output needs --groups"),
                           (["--log-base", "2"], "--log-base needs --groups")):
        assert main(base + extra) == 2
        assert message in capsys.readouterr().err
    assert main(["indices", str(counts_csv["counts"]), "--unit", "school"]) == 2
    assert "or --groups COL COL" in capsys.readouterr().err


def test_pupils_multigroup_and_rank_order(counts_csv, tmp_path, capsys):
    out, profile, excl = tmp_path / "r.csv", tmp_path / "p.csv", tmp_path / "e.csv"
    status = main(["indices", str(counts_csv["pupils"]), "--pupils", "--unit", "school",
                   "--area", "municipality", "--year", "year", "--ethnicity", "ethnicity",
                   "--income", "income", "--multigroup", "--income-groups", "4",
                   "--rank-order-income", "--profile-output", str(profile),
                   "--exclusions-output", str(excl), "-o", str(out)])
    err = capsys.readouterr().err
    assert status == 0, err
    table = pd.read_csv(out)
    assert set(table["comparison"]) == {"ethnicity", "income"}
    assert "income_q1|income_q2|income_q3|income_q4" in set(table["groups"])
    assert {"rank_order_theil_h", "rank_order_theil_h_integral"} <= set(table["index"])
    expected = rank_order_segregation(counts_csv["pupil_frame"], "school", income="income",
                                      area="municipality", year="year")
    got = pd.read_csv(profile)
    assert len(got) == len(expected.profile)
    pd.testing.assert_series_equal(got["theil_h"], expected.profile["theil_h"],
                                   check_names=False, rtol=1e-12)
    assert "between_bands" not in set(pd.read_csv(excl)["reason"])


@pytest.mark.parametrize(("extra", "message"), [
    (["--rank-order-income", "--ethnicity", "ethnicity"], "--rank-order-income needs "
     "--income COL"),
    (["--multigroup", "--income", "income", "--thresholds", "0.5"],
     "--thresholds needs --pupils --rank-order-income"),
    (["--multigroup", "--ethnicity", "ethnicity", "--comparisons", "dutch_vs_western"],
     "--comparisons names two-group comparisons"),
    (["--rank-order-income", "--income", "income", "--within", "x"],
     "--within needs --groups (or --pupils --multigroup)"),
    (["--ethnicity", "ethnicity", "--income-groups", "3"], "--income-groups needs "
     "--pupils --multigroup"),
])
def test_pupil_errors(counts_csv, capsys, extra, message):
    args = ["indices", str(counts_csv["pupils"]), "--pupils", "--unit", "school", *extra]
    assert main(args) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(("mode", "extra", "message"), [
    # every option that a mode would not use is refused, never silently ignored
    ("counts", ["--multigroup"], "--multigroup needs --pupils"),
    ("counts", ["--rank-order-income"], "--rank-order-income needs --pupils"),
    ("counts", ["--polynomial-order", "7"], "--polynomial-order needs --pupils "
     "--rank-order-income"),
    ("counts", ["--income-ranks", "area"], "--income-ranks needs --pupils"),
    ("groups", ["--polynomial-order", "7"], "--polynomial-order needs --pupils"),
    ("groups", ["--comparisons", "dutch_vs_western"], "--comparisons needs --pupils"),
    ("groups", ["--ethnicity-map", "m.csv"], "--ethnicity-map needs --pupils"),
    ("groups", ["--counts-output", "c.csv"], "--counts-output needs --pupils"),
    ("pupils", ["--groups", "dutch", "western"], "--groups cannot be used with --pupils"),
    ("pupils", ["--polynomial-order", "7"], "--polynomial-order needs --pupils "
     "--rank-order-income"),
    ("pupils", ["--income-ranks", "area"], "--income-ranks needs --pupils "
     "--rank-order-income"),
    ("pupils", ["--log-base", "2"], "--log-base needs --groups (or --pupils --multigroup)"),
    ("pupils", ["--rank-order-income", "--indices", "theil_h"], "--indices needs"),
    ("pupils", ["--multigroup", "--x", "x", "--y", "y", "--crs", "EPSG:28992"],
     "location options"),
    ("pupils", ["--multigroup", "--local-output", "l.csv"], "--local-output needs --groups"),
])
def test_options_a_mode_does_not_use_are_refused(counts_csv, capsys, mode, extra, message):
    if mode == "pupils":
        base = [str(counts_csv["pupils"]), "--pupils", "--income", "income"]
    elif mode == "groups":
        base = [str(counts_csv["counts"]), "--groups", "dutch", "western"]
    else:
        base = [str(counts_csv["counts"]), "--group-a", "dutch", "--group-b", "western"]
    assert main(["indices", *base, "--unit", "school", *extra]) == 2
    assert message in capsys.readouterr().err


def test_list_indices_shows_multigroup_and_analysis_rows(capsys):
    assert main(["list-indices"]) == 0
    out = capsys.readouterr().out
    for name in ("mutual_information", "multigroup_theil_h", "normalised_exposure",
                 "exposure_ab", "isolation_b", "rank_order_theil_h", *DECOMPOSITION_INDICES):
        assert name in out
    assert "K >= 2" in out
