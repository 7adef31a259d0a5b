"""Spatial exposure and isolation (Massey & Denton's xPy, xPx) on the local environments:
hand-computed values, the aspatial values with self-weights only, identities and bounds
as properties, the Reardon & O'Sullivan form through the extension point, and inference.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from segspatial.cli import main
from segspatial.indices import GroupedCounts, exposure_isolation
from segspatial.inference import infer
from segspatial.spatial import (
    environment_operator,
    spatial_exposure_isolation,
    spatial_segregation,
)

CRS = "EPSG:28992"
X0, Y0 = 120_000.0, 480_000.0
EXPOSURE = ["isolation_a", "exposure_ab", "isolation_b", "exposure_ba"]
SPATIAL = [f"spatial_{n}" for n in EXPOSURE]
NO_FILTER = {"min_unit_size": 0, "min_area_size": 0}

#: Issue 13's five schools: s5 has pupils in neither group (left out of the spatial
#: statistics); at 500 m (boxcar) s1-s2 and s3-s4 are each other's only neighbours.
FIVE = """school,area,a,b,pupils,x,y
s1,X,60,10,70,120000,480000
s2,X,50,20,70,120300,480000
s3,X,20,50,70,121000,480000
s4,X,10,60,70,121300,480000
s5,X,0,0,200,120150,480100
"""


def _table(frame, **kw):
    options = {"bandwidth": [0, 500], "kernel": "boxcar", "indices": EXPOSURE,
               "spatial_indices": SPATIAL, **NO_FILTER, **kw}
    res = spatial_segregation(frame, "school", "a", "b", x="x", y="y", crs=CRS,
                              area="area", **options)
    return res


def test_hand_computed_dispersal_exposure_and_isolation():
    res = _table(pd.read_csv(io.StringIO(FIVE)), total="pupils")
    t = res.table.set_index(["index", "bandwidth"])["value"]
    # 500 m: s1 and s2 each spread half their pupils to the other: both environments
    # hold (60 + 50) / 2 = 55 A and (10 + 20) / 2 = 15 B; s3, s4: 15 A and 55 B.
    # aPa = Σ (ã/A)(ã/t̃) = 2 (55/140)(55/70) + 2 (15/140)(15/70) = 6500 / 9800
    assert t[("spatial_isolation_a", 500.0)] == pytest.approx(6500 / 9800, abs=1e-15)
    assert t[("spatial_exposure_ab", 500.0)] == pytest.approx(3300 / 9800, abs=1e-15)
    assert t[("spatial_isolation_b", 500.0)] == pytest.approx(6500 / 9800, abs=1e-15)
    assert t[("spatial_exposure_ba", 500.0)] == pytest.approx(3300 / 9800, abs=1e-15)
    # aspatial: aPa = (60² + 50²) / (140 · 70) + (20² + 10²) / (140 · 70) = 6600 / 9800
    for name in EXPOSURE:
        aspatial = res.table.loc[res.table["index"] == name, "value"].item()
        assert t[(f"spatial_{name}", 0.0)] == aspatial  # self-weights only: exact
    assert res.table.loc[res.table["index"] == "isolation_a", "value"].item() == \
        pytest.approx(6600 / 9800, abs=1e-15)
    # rows carry the bandwidth and kernel, count the units used (s5 left out)
    rows = res.table[res.table["index"].isin(SPATIAL)]
    assert set(rows["kernel"]) == {"boxcar"} and rows["n_units"].eq(4).all()


def test_unequal_groups_by_hand():
    # three schools on a line, 100 m apart, boxcar 150 m: the middle school reaches both
    # ends, the ends reach only the middle. Columns of K: s1 -> 1/2 s1, 1/2 s2;
    # s2 -> 1/3 each; s3 -> 1/2 s2, 1/2 s3.
    a, b = np.array([30.0, 0.0, 6.0]), np.array([0.0, 12.0, 12.0])
    k = environment_operator(X0 + np.array([0.0, 100.0, 200.0]), np.full(3, Y0), crs=CRS,
                             bandwidth=150, kernel="boxcar")
    np.testing.assert_allclose(k.toarray(), [[1 / 2, 1 / 3, 0], [1 / 2, 1 / 3, 1 / 2],
                                             [0, 1 / 3, 1 / 2]], rtol=1e-15)
    a_env = np.array([15.0, 18.0, 3.0])   # K a
    b_env = np.array([4.0, 10.0, 10.0])   # K b
    t_env = a_env + b_env
    v = spatial_exposure_isolation(k, a, b)
    assert v["isolation_a"][0] == pytest.approx(np.sum(a_env / 36 * a_env / t_env), abs=1e-15)
    assert v["exposure_ab"][0] == pytest.approx(np.sum(a_env / 36 * b_env / t_env), abs=1e-15)
    assert v["isolation_b"][0] == pytest.approx(np.sum(b_env / 24 * b_env / t_env), abs=1e-15)
    assert v["exposure_ba"][0] == pytest.approx(np.sum(b_env / 24 * a_env / t_env), abs=1e-15)
    # (15/36)(15/19) + (18/36)(18/28) + (3/36)(3/13)
    assert v["isolation_a"][0] == pytest.approx(225 / 684 + 324 / 1008 + 9 / 468, abs=1e-15)


def test_reardon_osullivan_form_is_the_extension_point():
    rng = np.random.default_rng(3)
    n = 12
    x, y = X0 + rng.uniform(0, 3000, n), Y0 + rng.uniform(0, 3000, n)
    a, b = rng.integers(0, 50, n).astype(float), rng.integers(1, 50, n).astype(float)
    w = environment_operator(x, y, crs=CRS, bandwidth=800, definition="reardon_osullivan")
    v = spatial_exposure_isolation(w, a, b, definition="reardon_osullivan")
    expected = exposure_isolation(GroupedCounts.single(a, b), w @ a, w @ b)
    for name in EXPOSURE:
        np.testing.assert_allclose(v[name], expected[name], rtol=1e-14)
    frame = pd.DataFrame({"school": range(n), "area": "X", "a": a, "b": b, "x": x, "y": y})
    res = _table(frame, bandwidth=800, kernel="gaussian", definition="reardon_osullivan")
    t = res.table.set_index("index")["value"]
    for name in EXPOSURE:
        assert t[f"spatial_{name}_ro"] == pytest.approx(expected[name][0], rel=1e-12)


towns = st.integers(min_value=0, max_value=2**31 - 1)


@settings(max_examples=40, deadline=None)
@given(seed=towns, bandwidth=st.sampled_from([200.0, 800.0, 2500.0]),
       kernel=st.sampled_from(["gaussian", "biweight", "boxcar"]))
def test_identities_and_bounds(seed, bandwidth, kernel):
    """aPa + aPb = 1, A·aPb = B·bPa, and the group's share P <= spatial aPa <= aPa (the
    correlation ratio is a chi-square mutual information: a Markov kernel cannot raise
    it); the same for B."""
    rng = np.random.default_rng(seed)
    n_towns, n = 3, 10
    frame = pd.DataFrame({
        "school": np.arange(n_towns * n), "area": np.repeat(["P", "Q", "R"], n),
        "a": rng.integers(0, 80, n_towns * n), "b": rng.integers(0, 80, n_towns * n),
        "x": X0 + rng.uniform(0, 4000, n_towns * n),
        "y": Y0 + rng.uniform(0, 4000, n_towns * n)})
    res = _table(frame, bandwidth=bandwidth, kernel=kernel)
    t = res.table.pivot(index="area", columns="index", values="value")
    n_a, n_b = res.table.groupby("area")["n_a"].first(), res.table.groupby("area")["n_b"].first()
    share_a = n_a / (n_a + n_b)
    tol = 1e-12
    np.testing.assert_allclose(t["spatial_isolation_a"] + t["spatial_exposure_ab"], 1.0,
                               rtol=tol)
    np.testing.assert_allclose(n_a * t["spatial_exposure_ab"], n_b * t["spatial_exposure_ba"],
                               rtol=1e-11)
    assert (t["spatial_isolation_a"] >= share_a - tol).all()
    assert (t["spatial_isolation_a"] <= t["isolation_a"] + tol).all()
    assert (t["spatial_isolation_b"] >= 1 - share_a - tol).all()
    assert (t["spatial_isolation_b"] <= t["isolation_b"] + tol).all()


def test_context_all_keeps_the_identities():
    rng = np.random.default_rng(5)
    frame = pd.DataFrame({"school": range(20), "area": np.repeat(["P", "Q"], 10),
                          "a": rng.integers(0, 80, 20), "b": rng.integers(0, 80, 20),
                          "x": X0 + rng.uniform(0, 3000, 20),
                          "y": Y0 + rng.uniform(0, 3000, 20)})
    t = _table(frame, bandwidth=1000, kernel="gaussian", context="all").table
    t = t.pivot(index="area", columns="index", values="value")
    np.testing.assert_allclose(t["spatial_isolation_a"] + t["spatial_exposure_ab"], 1.0,
                               rtol=1e-12)
    assert (t["spatial_isolation_a"] <= t["isolation_a"] + 1e-12).all()


def test_bootstrap_and_test_fill_spatial_exposure_rows():
    rng = np.random.default_rng(8)
    frame = pd.DataFrame({"school": range(30), "area": np.repeat(["P", "Q", "R"], 10),
                          "a": rng.integers(5, 80, 30), "b": rng.integers(5, 80, 30),
                          "x": X0 + rng.uniform(0, 3000, 30),
                          "y": Y0 + rng.uniform(0, 3000, 30)})
    res = _table(frame, bandwidth=[0, 1000], kernel="gaussian")
    inf = infer(res, n_boot=40, null_draws=40, rng=4, keep_replicates=True)
    t = inf.result.table
    spatial = t["index"].isin(SPATIAL)
    assert spatial.sum() == 3 * 4 * 2
    assert t.loc[spatial, ["se", "ci_low", "ci_high", "p_value"]].notna().all().all()
    # at bandwidth 0 every replicate is the aspatial one
    rows, reps = inf.replicates[(None, "bootstrap")]
    sub = t.loc[rows]
    for name in EXPOSURE:
        same = ((sub["index"] == f"spatial_{name}") & (sub["bandwidth"] == 0)).to_numpy()
        np.testing.assert_allclose(reps[same], reps[(sub["index"] == name).to_numpy()],
                                   rtol=1e-12)
    # the school bootstrap adjusts the environments to the drawn copies
    t = infer(res, n_boot=20, cluster=True, rng=4).result.table
    assert t.loc[t["index"].isin(SPATIAL), "se"].notna().all()


# ------------------------------------------------------------------ multigroup M and H


def test_spatial_multigroup_theil_by_hand_and_identities():
    from segspatial.multigroup import multigroup_theil_h, mutual_information
    from segspatial.spatial import spatial_dissimilarity_theil, spatial_multigroup_theil

    x, y = X0 + np.array([0.0, 100.0, 1000.0]), np.full(3, Y0)
    k = environment_operator(x, y, crs=CRS, bandwidth=150, kernel="boxcar")
    counts = np.array([[10.0, 0, 0], [0, 10, 0], [0, 0, 10]])
    m, h = spatial_multigroup_theil(k, counts)
    # schools 1 and 2 are one place of 5 + 5 + 0 twice, school 3 keeps its 10 of group 3:
    # M = ln 3 - (2/3) ln 2, H = M / ln 3
    assert m[0] == pytest.approx(np.log(3) - 2 / 3 * np.log(2), abs=1e-15)
    assert h[0] == pytest.approx(1 - 2 / 3 * np.log(2) / np.log(3), abs=1e-15)
    m2, _ = spatial_multigroup_theil(k, counts, base=2)
    assert m2[0] == pytest.approx(m[0] / np.log(2), rel=1e-14)
    rng = np.random.default_rng(9)
    n = 16
    x, y = X0 + rng.uniform(0, 3000, n), Y0 + rng.uniform(0, 3000, n)
    counts = rng.integers(0, 40, (n, 3)).astype(float)
    group = np.repeat(["P", "Q"], 8)
    # self-weights only: the aspatial multigroup M and H of each area
    identity = environment_operator(x, y, crs=CRS, bandwidth=0, block=group)
    m, h = spatial_multigroup_theil(identity, counts, group=group)
    for i, area in enumerate(["P", "Q"]):
        assert m[i] == pytest.approx(mutual_information(counts[group == area]), rel=1e-13)
        assert h[i] == pytest.approx(multigroup_theil_h(counts[group == area]), rel=1e-13)
    # two groups: the spatial H of spatial_dissimilarity_theil; and 0 <= M~ <= M
    k = environment_operator(x, y, crs=CRS, bandwidth=900, block=group)
    _, h2 = spatial_multigroup_theil(k, counts[:, :2], group=group)
    np.testing.assert_allclose(h2, spatial_dissimilarity_theil(k, counts[:, 0], counts[:, 1],
                                                               group=group)[1], rtol=1e-12)
    m_spatial, _ = spatial_multigroup_theil(k, counts, group=group)
    aspatial = [mutual_information(counts[group == area]) for area in ("P", "Q")]
    assert ((m_spatial >= 0) & (m_spatial <= np.array(aspatial) + 1e-12)).all()
    with pytest.raises(ValueError, match="must be a dispersal operator"):
        spatial_multigroup_theil(environment_operator(x, y, crs=CRS, bandwidth=900,
                                                      definition="reardon_osullivan"), counts)
    with pytest.raises(ValueError, match=r"operator must be \(3, 3\)"):
        spatial_multigroup_theil(k, counts[:3])


def _three_groups(seed: int, n_areas: int = 3, n: int = 12) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    size = n_areas * n
    return pd.DataFrame({"school": [f"s{i}" for i in range(size)],
                         "area": np.repeat([f"A{i}" for i in range(n_areas)], n),
                         "dutch": rng.integers(0, 60, size), "western": rng.integers(0, 30, size),
                         "nonwestern": rng.integers(0, 40, size),
                         "x": X0 + rng.uniform(0, 4000, size),
                         "y": Y0 + rng.uniform(0, 4000, size)})


def test_spatial_multigroup_table_rows():
    from segspatial import multigroup_segregation
    from segspatial.spatial import spatial_multigroup_segregation

    frame = _three_groups(4)
    groups = ["dutch", "western", "nonwestern"]
    res = spatial_multigroup_segregation(frame, "school", groups, x="x", y="y", crs=CRS,
                                         area="area", bandwidth=[0, 1000, 3000],
                                         indices=["mutual_information", "multigroup_theil_h"],
                                         **NO_FILTER)
    t = res.table
    aspatial = multigroup_segregation(frame, "school", groups, area="area",
                                      indices=["mutual_information", "multigroup_theil_h"],
                                      **NO_FILTER).table
    pd.testing.assert_frame_equal(t[t["bandwidth"].isna()].reset_index(drop=True), aspatial)
    wide = t.pivot_table(index=["area", "bandwidth"], columns="index", values="value")
    m0 = aspatial.set_index("area")
    for area in ("A0", "A1", "A2"):
        # self-weights only: the aspatial values exactly; any bandwidth: 0 <= spatial <=
        # aspatial (a Markov kernel cannot raise the mutual information)
        assert wide.loc[(area, 0.0), "spatial_mutual_information"] == \
            pytest.approx(m0.loc[m0["index"] == "mutual_information"].loc[area, "value"],
                          rel=1e-13)
        h = wide.loc[area, "spatial_multigroup_theil_h"]
        assert (h >= 0).all() and (h <= h.loc[0.0] + 1e-12).all(), h
    rows = t[t["index"].str.startswith("spatial_")]
    assert set(rows["kernel"]) == {"gaussian"} and set(rows["groups"]) == {
        "dutch|western|nonwestern"}
    # two groups: the spatial H of the two-group spatial table
    two = spatial_multigroup_segregation(frame, "school", ["dutch", "western"], x="x",
                                         y="y", crs=CRS, area="area", bandwidth=1000,
                                         indices="multigroup_theil_h", **NO_FILTER).table
    spatial_h = spatial_segregation(frame, "school", "dutch", "western", x="x", y="y",
                                    crs=CRS, area="area", bandwidth=1000,
                                    spatial_indices="spatial_theil_h", indices="theil_h",
                                    **NO_FILTER).table
    np.testing.assert_allclose(
        two.loc[two["index"] == "spatial_multigroup_theil_h", "value"].to_numpy(),
        spatial_h.loc[spatial_h["index"] == "spatial_theil_h", "value"].to_numpy(),
        rtol=1e-12)
    # another base: M divided by ln(base), named like the aspatial row
    base2 = spatial_multigroup_segregation(frame, "school", groups, x="x", y="y", crs=CRS,
                                           area="area", bandwidth=1000, base=2,
                                           indices="mutual_information", **NO_FILTER).table
    assert "spatial_mutual_information_base2" in set(base2["index"])


def test_spatial_multigroup_cli(tmp_path, capsys):
    path = tmp_path / "groups.csv"
    frame = _three_groups(6)
    frame.to_csv(path, index=False)
    argv = ["indices", str(path), "--unit", "school", "--groups", "dutch", "western",
            "nonwestern", "--area", "area", "--x", "x", "--y", "y", "--crs", CRS,
            "--bandwidth", "0", "1000", "--min-unit-size", "0", "--min-area-size", "0"]
    assert main(argv) == 0
    t = pd.read_csv(io.StringIO(capsys.readouterr().out))
    spatial = t[t["index"] == "spatial_multigroup_theil_h"]
    assert len(spatial) == 6 and spatial["value"].notna().all()
    at0 = spatial[spatial["bandwidth"] == 0].set_index("area")["value"]
    aspatial = t[t["index"] == "multigroup_theil_h"].set_index("area")["value"]
    np.testing.assert_allclose(at0.sort_index(), aspatial.sort_index(), rtol=1e-13)
    # a bad coordinate on line 4 is named by its line and unit
    frame.loc[2, ["x", "y"]] = [4.9, 52.3]  # lon/lat among RD metres
    frame.to_csv(path, index=False)
    assert main(argv) == 2
    assert "line 4 (unit 's2')" in capsys.readouterr().err


def test_min_cell_publishes_spatial_exposure_audited(tmp_path, capsys):
    """The disclosure audit recomputes the spatial exposure and isolation of every
    twin (tests/test_disclosure.py attacks them): with --min-cell the CLI publishes
    them rounded to 2 decimals, and the library's publication audits them from the
    result's own parameters when no spatial design is given."""
    from segspatial.disclosure import policy, protect_results

    path = tmp_path / "five.csv"
    path.write_text(FIVE)
    out = tmp_path / "out.csv"
    assert main(["indices", str(path), "--unit", "school", "--group-a", "a", "--group-b",
                 "b", "--area", "area", "--total", "pupils", "--x", "x", "--y", "y",
                 "--crs", CRS, "--bandwidth", "500", "--kernel", "boxcar",
                 "--spatial-indices", "spatial_theil_h", "spatial_exposure_ab",
                 "--min-unit-size", "0", "--min-area-size", "0", "--min-cell", "10",
                 "-o", str(out), "-q"]) == 0
    written = pd.read_csv(out).set_index("index")
    assert (written["min_cell"] == 10).all()
    # 3300 / 9800 = 0.3367 (hand-computed above), published as 0.34
    assert written.loc["spatial_exposure_ab", "value"] == 0.34
    res = _table(pd.read_csv(io.StringIO(FIVE)), total="pupils", bandwidth=500)
    table, _, audit = protect_results(res, policy(10))
    rows = table[table["index"].isin(SPATIAL)]
    assert len(rows) == 4 and audit.cells > 0
    exact = res.table.set_index(["index", "bandwidth"])["value"]
    for row in rows.itertuples():
        assert row.value == round(exact[(row.index, row.bandwidth)], 2) or (
            np.isnan(row.value) and row.reason == "not shown (disclosure control)")
    assert rows["value"].notna().any()
