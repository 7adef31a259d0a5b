"""Several groups at once: multigroup indices, decompositions and local scores.

Hand-computed tables, identities (K = 2 equals the two-group indices; between + within
= total; local scores add up to M; an absent group changes nothing), agreement with
PySAL ``segregation`` on all 355 municipalities of a three-group real case, and the
errors.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import segspatial as ss
from segspatial import SegregationWarning
from segspatial.indices import (
    DEFAULT_MULTIGROUP_INDICES,
    available_indices,
    correlation,
    dissimilarity,
    theil_h,
)
from segspatial.io import read_table, write_table
from segspatial.multigroup import (
    local_segregation,
    multigroup_dissimilarity,
    multigroup_theil_h,
    mutual_information,
    mutual_information_decomposition,
    normalised_exposure,
)
from segspatial.multigroup_local import local_scores, within_components
from segspatial.multigroup_table import DECOMPOSITION_INDICES, multigroup_segregation
from segspatial.schema import RESULT_COLUMNS, split_groups

THREE = ["a_above", "a_below", "b"]


def _entropy(p: np.ndarray) -> float:
    p = np.asarray(p, dtype=float)
    p = p[p > 0]
    return float(-(p * np.log(p)).sum())


def _reference_m(counts: np.ndarray) -> float:
    """M = E - Σ_j (t_j/T) E_j, computed directly (the entropy form)."""
    counts = np.asarray(counts, dtype=float)
    t = counts.sum(axis=1)
    total = t.sum()
    e = _entropy(counts.sum(axis=0) / total)
    return e - sum(tj / total * _entropy(row / tj) for row, tj in zip(counts, t, strict=True)
                   if tj > 0)


def _pysal(frame: pd.DataFrame, groups: list[str]) -> dict[str, float]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from segregation.multigroup import MultiDissim, MultiInfoTheory, MultiNormExposure

        df = frame[groups].astype(float).reset_index(drop=True)
        return {"multigroup_theil_h": MultiInfoTheory(df, groups).statistic,
                "multigroup_dissimilarity": MultiDissim(df, groups).statistic,
                "normalised_exposure": MultiNormExposure(df, groups).statistic}


# --------------------------------------------------------------------------- hand values


def test_complete_segregation_and_evenness():
    apart = [[10, 0, 0], [0, 7, 0], [0, 0, 3]]
    assert multigroup_theil_h(apart) == pytest.approx(1.0, abs=1e-15)
    assert multigroup_dissimilarity(apart) == pytest.approx(1.0, abs=1e-15)
    assert normalised_exposure(apart) == pytest.approx(1.0, abs=1e-15)
    # M of complete segregation is the entropy of the area: -Σ P ln P
    assert mutual_information(apart) == pytest.approx(_entropy([0.5, 0.35, 0.15]), abs=1e-15)
    even = [[2, 4, 6], [1, 2, 3], [5, 10, 15]]
    for f in (multigroup_theil_h, multigroup_dissimilarity, normalised_exposure,
              mutual_information):
        assert f(even) == pytest.approx(0.0, abs=1e-15)


def test_hand_computed_three_groups():
    # two schools: (6, 2, 0) and (0, 2, 6); area shares (3/8, 1/4, 3/8)
    counts = [[6, 2, 0], [0, 2, 6]]
    e = _entropy([3 / 8, 1 / 4, 3 / 8])
    e_j = _entropy([3 / 4, 1 / 4])
    assert mutual_information(counts) == pytest.approx(e - e_j, rel=1e-14)
    assert mutual_information(counts, base=2) == pytest.approx((e - e_j) / math.log(2),
                                                               rel=1e-14)
    assert multigroup_theil_h(counts) == pytest.approx((e - e_j) / e, rel=1e-14)
    # D: Σ_j Σ_k t_j |p_jk - P_k| = 8 (3/8 + 0 + 3/8) x 2 = 12; I = 2 (3/8)(5/8) + (1/4)(3/4)
    interaction = 2 * (3 / 8) * (5 / 8) + (1 / 4) * (3 / 4)
    assert multigroup_dissimilarity(counts) == pytest.approx(12 / (2 * 16 * interaction),
                                                             rel=1e-14)
    # P: Σ_j t_j (p-P)^2/(1-P) = 2 x 8 x [(3/8)^2/(5/8) x 2] / 16
    assert normalised_exposure(counts) == pytest.approx(2 * 8 * 2 * (9 / 64) / (5 / 8) / 16,
                                                        rel=1e-14)


def test_two_groups_report_example():
    counts = [[2, 6], [13, 3]]
    assert multigroup_theil_h(counts) == pytest.approx(theil_h([2, 13], [6, 3]), abs=1e-15)
    assert multigroup_dissimilarity(counts) == pytest.approx(8 / 15, abs=1e-15)
    assert normalised_exposure(counts) == pytest.approx(0.3, abs=1e-15)


# --------------------------------------------------------------------------- identities

counts_strategy = arrays(np.int64, st.tuples(st.integers(2, 12), st.integers(2, 5)),
                         elements=st.integers(0, 400))


@given(arrays(np.int64, st.tuples(st.integers(2, 15), st.just(2)),
              elements=st.integers(0, 10_000)))
def test_two_groups_equal_the_two_group_indices(counts):
    a, b = counts[:, 0], counts[:, 1]
    if a.sum() == 0 or b.sum() == 0:
        return
    with warnings.catch_warnings():  # one unit with pupils: NaN in both, with a warning
        warnings.simplefilter("ignore", SegregationWarning)
        _check_two_groups(counts, a, b)


def _check_two_groups(counts, a, b):
    h = theil_h(a, b)
    assert multigroup_theil_h(counts) == pytest.approx(h, rel=1e-12, abs=1e-12,
                                                        nan_ok=True)
    p = a.sum() / counts.sum()
    e = _entropy([p, 1 - p])
    assert mutual_information(counts) == pytest.approx(h * e, rel=1e-12, abs=1e-12,
                                                             nan_ok=True)
    assert multigroup_dissimilarity(counts) == pytest.approx(dissimilarity(a, b),
                                                             rel=1e-12, abs=1e-12,
                                                             nan_ok=True)
    assert normalised_exposure(counts) == pytest.approx(correlation(a, b), rel=1e-12,
                                                        abs=1e-12, nan_ok=True)


@given(counts_strategy, st.randoms(use_true_random=False))
def test_invariances_and_absent_groups(counts, rnd):
    if (counts.sum(axis=0) > 0).sum() < 2 or (counts.sum(axis=1) > 0).sum() < 2:
        return  # undefined: see test_one_unit_with_pupils_is_undefined
    funcs = (mutual_information, multigroup_theil_h, multigroup_dissimilarity,
             normalised_exposure)
    base = [f(counts) for f in funcs]
    rows = list(range(counts.shape[0]))
    cols = list(range(counts.shape[1]))
    rnd.shuffle(rows)
    rnd.shuffle(cols)
    with_zero = np.column_stack([counts, np.zeros(counts.shape[0], dtype=np.int64)])
    for variant in (counts[rows][:, cols], 3 * counts, with_zero):
        for f, value in zip(funcs, base, strict=True):
            assert f(variant) == pytest.approx(value, rel=1e-10, abs=1e-12)
    # H, D, P in [0, 1]; M in [0, E]
    for value in base[1:]:
        assert -1e-12 <= value <= 1 + 1e-12
    assert base[0] == pytest.approx(_reference_m(counts), rel=1e-9, abs=1e-12)


@given(counts_strategy, st.lists(st.sampled_from("xyz"), min_size=12, max_size=12))
def test_decomposition_and_local_scores_add_up(counts, labels):
    if (counts.sum(axis=0) > 0).sum() < 2 or (counts.sum(axis=1) > 0).sum() < 2:
        return  # undefined: see test_one_unit_with_pupils_is_undefined
    within = labels[: counts.shape[0]]
    d = mutual_information_decomposition(counts, within, base=2)
    assert d["mutual_information_between"] + d["mutual_information_within"] == \
        pytest.approx(d["mutual_information"], abs=1e-12)
    assert d["theil_h_between"] + d["theil_h_within"] == pytest.approx(d["theil_h"],
                                                                       abs=1e-12)
    assert d["mutual_information"] == pytest.approx(_reference_m(counts) / math.log(2),
                                                    rel=1e-9, abs=1e-12)
    # between = the M of the clusters' summed counts
    clustered = pd.DataFrame(counts).groupby(np.asarray(within)).sum().to_numpy()
    expected_between = _reference_m(clustered) / math.log(2) if len(clustered) > 1 else 0.0
    assert d["mutual_information_between"] == pytest.approx(expected_between, abs=1e-12)
    local = local_segregation(counts, base=2)
    assert local["m_contribution"].sum() == pytest.approx(d["mutual_information"], abs=1e-12)
    assert local["h_contribution"].sum() == pytest.approx(d["theil_h"], abs=1e-12)
    assert local["p"].sum() == pytest.approx(1.0, abs=1e-12)


def test_local_scores_hand_computed():
    local = local_segregation([[10, 0, 0], [5, 5, 0], [0, 0, 10]], base=2)
    # area shares (3/5 ... ): P = (15, 5, 10) / 30 = (1/2, 1/6, 1/3)
    assert local.loc[0, "ls"] == pytest.approx(math.log2(2), abs=1e-15)
    assert local.loc[1, "ls"] == pytest.approx(0.5 * math.log2(1) + 0.5 * math.log2(3),
                                               abs=1e-15)
    assert local.loc[2, "ls"] == pytest.approx(math.log2(3), abs=1e-15)
    assert local.loc[1, "entropy"] == pytest.approx(1.0, abs=1e-15)
    assert local.loc[0, "entropy"] == 0.0


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(("counts", "error", "match"), [
    ([[1, 2, 3]], ValueError, "at least two units"),
    ([[1], [2]], ValueError, "at least two groups"),
    ([1, 2, 3], ValueError, "two-dimensional"),
    ([[1, -2], [3, 4]], ValueError, "non-negative"),
    ([[1, np.nan], [3, 4]], ValueError, "finite"),
    ([["a", "b"], ["c", "d"]], TypeError, "numeric counts"),
])
def test_scalar_errors(counts, error, match):
    with pytest.raises(error, match=match):
        multigroup_theil_h(counts)


def test_one_group_present_is_undefined():
    with pytest.warns(SegregationWarning, match="1 group"):
        assert math.isnan(multigroup_theil_h([[3, 0, 0], [5, 0, 0]]))


@pytest.mark.parametrize("base", [0, 1, -2, float("inf"), 0.5])
def test_bad_base(base):
    # a base below 1 turns M and the entropy negative: information in no unit anyone uses
    with pytest.raises(ValueError, match=r"base must be a finite number > 1"):
        mutual_information([[1, 2], [3, 4]], base=base)
    with pytest.raises(TypeError, match="base must be a number"):
        mutual_information([[1, 2], [3, 4]], base="2")


# --------------------------------------------------------------------------- the table


def _panel() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n = 60
    frame = pd.DataFrame({
        "school": [f"S{i:03d}" for i in range(n)] * 2,
        "town": np.tile(np.repeat(["North", "South", "East"], n // 3), 2),
        "year": np.repeat([2018, 2019], n),
        "board": np.tile(rng.choice(["B1", "B2", "B3", "B4"], n), 2),
    })
    shares = rng.dirichlet([1.0, 0.6, 0.8], 2 * n)
    sizes = rng.integers(20, 400, 2 * n)
    counts = np.array([rng.multinomial(s, p) for s, p in zip(sizes, shares, strict=True)])
    frame[["dutch", "western", "nonwestern"]] = counts
    frame["pupils"] = counts.sum(axis=1) + rng.integers(0, 5, 2 * n)
    return frame


def test_table_schema_and_values():
    data = _panel()
    groups = ["dutch", "western", "nonwestern"]
    res = multigroup_segregation(data, "school", groups, area="town", year="year",
                                 total="pupils", within="board", min_unit_size=0,
                                 min_area_size=0)
    table = res.table
    assert list(table.columns) == RESULT_COLUMNS
    assert set(table["index"]) == set(DEFAULT_MULTIGROUP_INDICES) | set(DECOMPOSITION_INDICES)
    assert table["group_a"].isna().all() and table["n_a"].isna().all()
    assert (table["groups"] == "dutch|western|nonwestern").all()
    assert split_groups(table["groups"].iloc[0]) == groups
    assert table.loc[table["index"].isin(DECOMPOSITION_INDICES), "within"].eq("board").all()
    assert table.loc[~table["index"].isin(DECOMPOSITION_INDICES), "within"].isna().all()
    assert len(table) == 6 * 9 and table["reason"].isna().all()
    # every area-year equals the scalar functions; between + within = total
    wide = table.pivot_table(index=["area", "year"], columns="index", values="value")
    for (town, year), frame in data.groupby(["town", "year"]):
        counts = frame[groups].to_numpy()
        row = wide.loc[(town, year)]
        assert row["multigroup_theil_h"] == pytest.approx(multigroup_theil_h(counts),
                                                          rel=1e-13)
        assert row["mutual_information"] == pytest.approx(_reference_m(counts), rel=1e-11)
        d = mutual_information_decomposition(counts, frame["board"].to_numpy())
        assert row["mutual_information_between"] == pytest.approx(
            d["mutual_information_between"], rel=1e-12, abs=1e-15)
    assert np.abs(wide["mutual_information_between"] + wide["mutual_information_within"]
                  - wide["mutual_information"]).max() < 1e-12
    assert np.abs(wide["multigroup_theil_h_between"] + wide["multigroup_theil_h_within"]
                  - wide["multigroup_theil_h"]).max() < 1e-12
    assert set(res.exclusions["reason"]) == {"not_in_groups"}
    assert res.exclusions["n_pupils"].sum() == (data["pupils"] - data[groups].sum(axis=1)).sum()


def test_base_renames_information_indices():
    data = _panel()
    nats = multigroup_segregation(data, "school", ["dutch", "western", "nonwestern"],
                                  area="town", year="year", within="board",
                                  min_unit_size=0, min_area_size=0).table
    bits = multigroup_segregation(data, "school", ["dutch", "western", "nonwestern"],
                                  area="town", year="year", within="board", base=2,
                                  min_unit_size=0, min_area_size=0).table
    assert {"mutual_information_base2", "entropy_base2",
            "mutual_information_between_base2"} <= set(bits["index"])
    n = nats.set_index(["area", "year", "index"])["value"]
    b = bits.set_index(["area", "year", "index"])["value"]
    for name in ("mutual_information", "entropy", "mutual_information_within"):
        got = b.xs(f"{name}_base2", level="index")
        np.testing.assert_allclose(got, n.xs(name, level="index") / math.log(2), rtol=1e-14)
    np.testing.assert_array_equal(b.xs("multigroup_theil_h", level="index"),
                                  n.xs("multigroup_theil_h", level="index"))


def test_undefined_area_years_and_missing_within():
    data = pd.DataFrame({
        "school": ["P", "Q", "R", "S", "T", "U"],
        "town": ["A", "A", "B", "C", "C", "C"],
        "x": [5, 3, 4, 6, 2, 1], "y": [0, 0, 1, 0, 3, 1], "z": [0, 0, 7, 1, 0, 4],
        "board": ["b1", "b2", "b1", "b1", None, "  "],
    })
    res = multigroup_segregation(data, "school", ["x", "y", "z"], area="town",
                                 within="board", min_unit_size=0, min_area_size=0)
    t = res.table.set_index(["area", "index"])
    assert t.loc[("A", "multigroup_theil_h"), "reason"].startswith("fewer than 2 groups")
    assert t.loc[("B", "multigroup_theil_h"), "reason"].startswith("fewer than 2 units")
    assert np.isnan(t.loc[("A", "mutual_information"), "value"])
    # C: two of its three schools have no board (None, blank): one unit left
    assert t.loc[("C", "multigroup_theil_h"), "reason"] is None
    assert t.loc[("C", "mutual_information_between"), "reason"].startswith(
        "fewer than 2 units with a board value")
    assert t.loc[("C", "mutual_information_between"), "n_units"] == 1
    excl = res.exclusions.set_index("reason")
    assert excl.loc["missing_within", "n_units"] == 2
    assert excl.loc["missing_within", "n_pupils"] == (2 + 3 + 0) + (1 + 1 + 4)  # T and U
    assert set(excl.index) == {"too_few_units", "too_few_groups", "missing_within"}


def test_two_group_engine_computes_multigroup_indices():
    data = _panel()
    res = ss.segregation(data, "school", "dutch", "nonwestern", area="town", year="year",
                         indices=["theil_h", "multigroup_theil_h", "mutual_information",
                                  "dissimilarity", "multigroup_dissimilarity",
                                  "correlation", "normalised_exposure"],
                         min_unit_size=0, min_area_size=0)
    w = res.table.pivot_table(index=["area", "year"], columns="index", values="value")
    np.testing.assert_allclose(w["multigroup_theil_h"], w["theil_h"], rtol=1e-12)
    np.testing.assert_allclose(w["multigroup_dissimilarity"], w["dissimilarity"], rtol=1e-12)
    np.testing.assert_allclose(w["normalised_exposure"], w["correlation"], rtol=1e-12)


def test_table_errors():
    data = _panel()
    with pytest.raises(ValueError, match="compare two groups A and B; with several groups"):
        multigroup_segregation(data, "school", ["dutch", "western"], indices="dissimilarity")
    with pytest.raises(ValueError, match="pass within=COLUMN"):
        multigroup_segregation(data, "school", ["dutch", "western"],
                               indices="mutual_information_between")
    with pytest.raises(ValueError, match="within: 'dutch' is a group column"):
        multigroup_segregation(data, "school", ["dutch", "western"], within="dutch")
    with pytest.raises(ValueError, match=r"missing columns: within='nope'|_within='nope'"):
        multigroup_segregation(data, "school", ["dutch", "western"], within="nope")
    with pytest.raises(ValueError, match=r"contain '\|'"):
        multigroup_segregation(data.rename(columns={"dutch": "du|tch"}), "school",
                               ["du|tch", "western"])
    with pytest.raises(ValueError, match="groups: \\['total'\\] would clash"):
        multigroup_segregation(data.rename(columns={"dutch": "total"}), "school",
                               ["total", "western"])
    with pytest.raises(ValueError, match="total: column 'pupils' is below the sum"):
        multigroup_segregation(data.assign(pupils=1), "school", ["dutch", "western"],
                               area="town", year="year", total="pupils")


def test_groups_column_survives_csv_and_parquet(tmp_path):
    table = multigroup_segregation(_panel(), "school", ["dutch", "western", "nonwestern"],
                                   area="town", year="year", min_unit_size=0,
                                   min_area_size=0).table
    for name in ("r.csv", "r.parquet"):
        path = write_table(table, tmp_path / name)
        back = read_table(path)
        assert len(back) == len(table)
        assert all(split_groups(v) == ["dutch", "western", "nonwestern"]
                   for v in back["groups"])


def test_within_components_add_up():
    data = _panel()
    groups = ["dutch", "western", "nonwestern"]
    parts = within_components(data, "school", groups, "board", area="town", year="year",
                              min_unit_size=0, min_area_size=0)
    table = multigroup_segregation(data, "school", groups, area="town", year="year",
                                   within="board", min_unit_size=0, min_area_size=0).table
    wide = table.pivot_table(index=["area", "year"], columns="index", values="value")
    sums = parts.groupby(["area", "year"])[["within_contribution", "between_contribution",
                                            "share"]].sum()
    np.testing.assert_allclose(sums["within_contribution"],
                               wide["mutual_information_within"], rtol=1e-12)
    np.testing.assert_allclose(sums["between_contribution"],
                               wide["mutual_information_between"], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(sums["share"], 1.0, rtol=1e-14)


def test_local_scores_table():
    data = _panel()
    groups = ["dutch", "western", "nonwestern"]
    local = local_scores(data, "school", groups, area="town", year="year",
                         extra=["board"], min_unit_size=0, min_area_size=0)
    assert len(local) == len(data) and "board" in local.columns
    m = multigroup_segregation(data, "school", groups, area="town", year="year",
                               indices="mutual_information", min_unit_size=0,
                               min_area_size=0).table.set_index(["area", "year"])["value"]
    sums = local.groupby(["area", "year"])["m_contribution"].sum()
    np.testing.assert_allclose(sums, m.loc[sums.index], rtol=1e-12)
    expected = [_reference_m(f[groups].to_numpy()) for _, f in data.groupby(["town", "year"])]
    np.testing.assert_allclose(sums.to_numpy(), expected, rtol=1e-10)


# --------------------------------------------------------------------------- real data


@pytest.fixture(scope="module")
def three_groups(real_2019):
    return real_2019


def test_all_355_municipalities_agree_with_pysal(three_groups):
    pytest.importorskip("segregation")
    res = multigroup_segregation(three_groups, "school", THREE, area="municipality",
                                 min_unit_size=0, min_area_size=0)
    table = res.table.pivot(index="area", columns="index", values="value")
    assert len(table) == 355
    compared, dropped, gaps = 0, 0, []
    for code, frame in three_groups.groupby("municipality"):
        if len(frame) < 2:  # one school: undefined here (NaN with a reason)
            assert table.loc[code].isna().all()
            continue
        # PySAL gives NaN when a group is absent (0 log 0 in E); here it drops out, so
        # compare with PySAL on the groups present
        present = [g for g in THREE if frame[g].sum() > 0]
        dropped += len(present) < len(THREE)
        for name, value in _pysal(frame, present).items():
            gaps.append(abs(table.loc[code, name] - value))
            np.testing.assert_allclose(table.loc[code, name], value, rtol=1e-9, atol=1e-12,
                                       err_msg=f"{name} in {code}")
        compared += 1
    assert compared == 355 - int((three_groups.groupby("municipality").size() < 2).sum())
    assert compared > 350 and 0 < dropped < 40
    assert max(gaps) < 1e-12


def test_real_case_two_groups_equal_two_group_table(real_2019):
    two = ss.segregation(real_2019, "school", "a", "b", area="municipality",
                         indices=["theil_h", "dissimilarity", "correlation"],
                         min_unit_size=0, min_area_size=0).table
    multi = multigroup_segregation(real_2019, "school", ["a", "b"], area="municipality",
                                   min_unit_size=0, min_area_size=0).table
    t = two.pivot(index="area", columns="index", values="value")
    m = multi.pivot(index="area", columns="index", values="value")
    for mine, theirs in (("multigroup_theil_h", "theil_h"),
                         ("multigroup_dissimilarity", "dissimilarity"),
                         ("normalised_exposure", "correlation")):
        np.testing.assert_allclose(m[mine], t[theirs], rtol=1e-12, atol=1e-12)


def test_real_case_decomposition_by_denomination(real_2019):
    groups = ["a", "b"]
    data = real_2019.assign(denomination=real_2019["denomination"].fillna("onbekend"))
    res = multigroup_segregation(data, "school", groups, area="municipality",
                                 within="denomination", min_unit_size=0, min_area_size=0)
    w = res.table.pivot(index="area", columns="index", values="value").dropna()
    assert len(w) > 340
    assert np.abs(w["mutual_information_between"] + w["mutual_information_within"]
                  - w["mutual_information"]).max() < 1e-12
    assert np.abs(w["multigroup_theil_h_between"] + w["multigroup_theil_h_within"]
                  - w["multigroup_theil_h"]).max() < 1e-12
    assert (w["mutual_information_between"] >= -1e-15).all()
    # the blank denominations left as they are: two schools counted, not lost
    raw = multigroup_segregation(real_2019, "school", groups, area="municipality",
                                 within="denomination", min_unit_size=0, min_area_size=0)
    missing = raw.exclusions[raw.exclusions["reason"] == "missing_within"]
    assert missing["n_units"].sum() == 2


def test_denomination_between_share_in_amsterdam(real_2019):
    data = real_2019.assign(denomination=real_2019["denomination"].fillna("onbekend"))
    parts = within_components(data[data["municipality"] == "GM0363"], "school", ["a", "b"],
                              "denomination", min_unit_size=0, min_area_size=0)
    counts = data.loc[data["municipality"] == "GM0363", ["a", "b"]].to_numpy()
    total = mutual_information(counts)
    assert parts["within_contribution"].sum() + parts["between_contribution"].sum() == \
        pytest.approx(total, rel=1e-12)
    assert 0 < parts["between_contribution"].sum() < total


def test_registry_lists_multigroup_indices():
    registry = available_indices()
    for name in DEFAULT_MULTIGROUP_INDICES:
        assert registry[name].multigroup
    assert registry["mutual_information"].information
    assert not registry["theil_h"].multigroup


def test_join_areas_gives_one_column_per_index_and_grouping():
    import geopandas as gpd
    from shapely.geometry import box

    data = _panel()
    table = multigroup_segregation(data, "school", ["dutch", "western", "nonwestern"],
                                   area="town", year="year", within="board",
                                   min_unit_size=0, min_area_size=0).table
    two = ss.segregation(data, "school", "dutch", "western", area="town", year="year",
                         indices="dissimilarity", min_unit_size=0, min_area_size=0).table
    bounds = gpd.GeoDataFrame({"code": ["North", "South", "East"]},
                              geometry=[box(0, 0, 1, 1), box(0, 1, 1, 2), box(1, 0, 2, 1)],
                              crs="EPSG:28992")
    joined = ss.join_areas(pd.concat([table, two], ignore_index=True), bounds, "code")
    assert "mutual_information_between_board" in joined.columns
    assert "multigroup_theil_h" in joined.columns and "dissimilarity" in joined.columns
    multi = joined[joined["groups"] == "dutch|western|nonwestern"]
    assert len(multi) == 3 * 2 and multi["multigroup_theil_h"].notna().all()
    expected = table[table["index"] == "multigroup_theil_h"].set_index(["area", "year"])
    got = multi.set_index(["code", "year"])["multigroup_theil_h"]
    np.testing.assert_allclose(got.sort_index(), expected["value"].sort_index(), rtol=1e-15)


def test_readme_decomposition_by_denomination_figures(real_2019):
    # the figures of the README's "Decomposition" paragraph, on the real 2019 case
    # (the two schools without a denomination counted as "onbekend")
    data = real_2019.assign(denomination=real_2019["denomination"].fillna("onbekend"))
    res = multigroup_segregation(data, "school", ["a", "b"], area="municipality",
                                 within="denomination", min_unit_size=0, min_area_size=0)
    w = res.table.pivot(index="area", columns="index", values="value")
    w = w[w["multigroup_theil_h"].notna()]
    assert len(w) == 352
    share = w["multigroup_theil_h_between"] / w["multigroup_theil_h"]
    assert round(w.loc["GM0363", "multigroup_theil_h_between"], 3) == 0.063
    assert round(w.loc["GM0363", "multigroup_theil_h"], 3) == 0.339
    expected = {"GM0363": 18, "GM0599": 8, "GM0518": 16, "GM0344": 11, "GM0034": 27}
    assert {k: round(100 * share[k]) for k in expected} == expected
    assert [round(100 * q) for q in share.quantile([0.25, 0.5, 0.75])] == [10, 23, 42]
    pupils = data.groupby("municipality")["pupils"].sum().reindex(w.index)
    weighted = (w["multigroup_theil_h_between"] * pupils).sum() / \
        (w["multigroup_theil_h"] * pupils).sum()
    assert round(100 * weighted) == 23
    # nationally: between municipalities, between denominations within them, within
    total = mutual_information(data[["a", "b"]].to_numpy(float))
    by_m = mutual_information(data.groupby("municipality")[["a", "b"]].sum().to_numpy(float))
    by_md = mutual_information(data.groupby(["municipality", "denomination"])[["a", "b"]]
                               .sum().to_numpy(float))
    assert [round(100 * v) for v in (by_m / total, (by_md - by_m) / total,
                                     1 - by_md / total)] == [21, 17, 62]


@pytest.mark.parametrize("counts", [[[1, 1], [0, 0]], [[5, 15, 3], [0, 0, 0], [0, 0, 0]]])
def test_one_unit_with_pupils_is_undefined(counts):
    """An empty unit does not count (as in the two-group indices): one unit with pupils
    and any number of empty ones is undefined, NaN with a warning, not 0."""
    a, b = np.asarray(counts)[:, 0], np.asarray(counts)[:, 1]
    with pytest.warns(SegregationWarning, match="fewer than 2 units with pupils"):
        assert np.isnan(theil_h(a, b))
    for f in (mutual_information, multigroup_theil_h, multigroup_dissimilarity,
              normalised_exposure):
        with pytest.warns(SegregationWarning, match="fewer than 2 units with pupils"):
            assert np.isnan(f(counts))


def test_local_scores_say_why_scores_are_missing_and_what_the_filters_left_out():
    frame = pd.DataFrame({"area": ["X", "X", "Y"], "school": ["p", "q", "r"],
                          "a": [10, 2, 7], "b": [5, 9, 3]})
    # the default filters (50 pupils per unit, 10,000 per area) drop this small data
    # entirely: a warning says so instead of a silently empty frame
    with pytest.warns(ss.SegregationWarning, match=r"left out 3 units with 36 pupils"):
        empty = ss.local_scores(frame, "school", ["a", "b"], area="area")
    assert empty.empty
    scores = ss.local_scores(frame, "school", ["a", "b"], area="area",
                             min_unit_size=0, min_area_size=0).set_index("unit")
    assert scores.loc["r", "reason"] == "fewer than 2 units with pupils (n_units = 1)"
    assert np.isnan(scores.loc["r", "ls"])
    assert scores.loc[["p", "q"], "reason"].isna().all()
    assert np.isfinite(scores.loc[["p", "q"], "ls"]).all()
