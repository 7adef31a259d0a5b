"""Inference for Moran's I, Morrill's D, the spatial rows with ``context="all"`` and the
spatial multigroup M and H: exact checks (the operators reproduce the table; the school
bootstrap's copies equal rebuilding on them; at bandwidth 0 spatial = aspatial in every
draw), reproducibility and chunking, and statistical checks with tolerances derived
from the number of simulations.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from segspatial.cli import main
from segspatial.inference import infer, randomisation_test, spatial_environments
from segspatial.inference._design import designs
from segspatial.inference._diagnostics import (
    missing_inference,
    moran_statistic,
    morrill_statistic,
)
from segspatial.inference._infer import _reorder
from segspatial.inference._summary import bootstrap_summary
from segspatial.spatial import spatial_multigroup_segregation, spatial_segregation
from tests.test_inference_spatial import CRS, X0, Y0, compute, spatial_towns

NO_FILTER = {"min_unit_size": 0, "min_area_size": 0}
DIAGNOSTICS = ["morans_i", "morrill_d"]


@pytest.fixture(scope="module")
def small():
    return spatial_towns(5, 9, seed=1, size=(30, 90), years=(2017, 2018))


def _engine_values(res, env) -> np.ndarray:
    """The statistic of ``env`` on the observed counts, through the engine's reordering."""
    cd = designs(res)[0]
    op, starts = _reorder(env, cd)
    design = cd.design
    extra = {}
    if starts is not None:
        extra["environment_group"] = np.repeat(np.arange(design.n_groups), np.diff(starts))
    if env.multigroup:
        return env.statistic(op, design.counts.T[:, :, None], design.group, design.n_groups,
                             **extra)[:, 0]
    return env.statistic(op, design.counts[:, :1], design.counts[:, 1:2], design.group,
                         design.n_groups, **extra)[:, 0]


def _table_values(res, env) -> np.ndarray:
    t = res.table
    same_bandwidth = (t["bandwidth"].isna() if np.isnan(env.bandwidth)
                      else t["bandwidth"] == env.bandwidth)
    return t.loc[(t["index"] == env.name) & same_bandwidth & (t["kernel"] == env.kernel),
                 "value"].to_numpy()


@pytest.mark.parametrize("options", [
    {"spatial_indices": [*DIAGNOSTICS, "spatial_dissimilarity"]},
    {"spatial_indices": DIAGNOSTICS, "bandwidth": None, "kernel": None, "k": [2, 4]},
    {"spatial_indices": DIAGNOSTICS, "kernel": "boxcar", "bandwidth": [700, 2500]},
    {"spatial_indices": ["spatial_dissimilarity", "spatial_theil_h", "spatial_exposure_ab",
                         "spatial_isolation_b"], "context": "all"},
])
def test_operators_reproduce_the_point_estimates(small, options):
    frame = small.copy()
    frame.loc[3, ["a", "b"]] = 0  # no pupils: neither source nor destination
    res = compute(frame, **options)
    envs = spatial_environments(res)
    assert {e.name for e in envs} >= set(options["spatial_indices"])
    for env in envs:
        np.testing.assert_allclose(_engine_values(res, env), _table_values(res, env),
                                   rtol=1e-12, atol=1e-14, err_msg=f"{env.name}")


def test_context_all_reaches_units_of_dropped_areas():
    """With context="all" the neighbours include units of areas the area filter drops;
    the operator keeps them as destinations (their places are in the parameters)."""
    frame = spatial_towns(3, 8, seed=4, size=(100, 150))
    frame.loc[frame["area"] == "T0002", ["a", "b"]] //= 10  # a small area, dropped
    options = {"bandwidth": [1500], "spatial_indices": ["spatial_dissimilarity"],
               "indices": "dissimilarity", "context": "all", "min_unit_size": 0,
               "min_area_size": 500}
    res = spatial_segregation(frame, "school", "a", "b", x="x", y="y", crs=CRS,
                              area="area", year="year", **options)
    assert len(res.parameters["context_pool"]["x"]) == 8
    (env,) = spatial_environments(res)
    np.testing.assert_allclose(_engine_values(res, env), _table_values(res, env),
                               rtol=1e-12)
    # without the dropped area's places, the values would differ
    bare = spatial_segregation(frame[frame["area"] != "T0002"], "school", "a", "b", x="x",
                               y="y", crs=CRS, area="area", year="year", **options)
    assert not np.allclose(_table_values(bare, env), _table_values(res, env))


def test_morrill_school_bootstrap_equals_the_copies_formula(small):
    """Copies of a school sit at its place: contiguous with each other and with its
    neighbours' copies (the original schools' contiguity is kept, as the k nearest
    neighbours of the spatial D: a school not drawn does not re-tessellate the area).
    The multiplicity formula equals Morrill's D computed on the expanded copies by
    brute force."""
    res = compute(small, spatial_indices=["morrill_d"])
    (env,) = spatial_environments(res)
    counts = res.counts
    one = (counts["area"] == "T0001").to_numpy() & (counts["year"] == 2018).to_numpy()
    n = int(one.sum())
    contiguous = env.operator[one][:, one].toarray() > 0
    a, b = counts["a"].to_numpy(float)[one], counts["b"].to_numpy(float)[one]
    times = np.random.default_rng(3).multinomial(n, np.full(n, 1 / n), size=6).T
    for r in range(times.shape[1]):
        origin = np.repeat(np.arange(n), times[:, r])
        ca, cb = a[origin], b[origin]
        d = 0.5 * np.abs(ca / ca.sum() - cb / cb.sum()).sum()
        share = ca / (ca + cb)
        linked = contiguous[np.ix_(origin, origin)] | (origin[:, None] == origin[None, :])
        np.fill_diagonal(linked, False)
        gap = np.abs(share[:, None] - share[None, :])[linked].mean()
        got = morrill_statistic(env.operator[one][:, one], a[:, None], b[:, None],
                                np.zeros(n, dtype=np.intp), 1,
                                multiplicity=times[:, r:r + 1].astype(float))
        assert got[0, 0] == pytest.approx(d - gap, rel=1e-12, abs=1e-14)


def test_diagnostics_and_context_all_fill_every_row(small):
    res = compute(small, spatial_indices=[*DIAGNOSTICS, "spatial_dissimilarity"],
                  permutations=99)
    inf = infer(res, n_boot=40, null_draws=40, rng=2).result
    t = inf.table
    rows = t["index"].isin(DIAGNOSTICS) & t["value"].notna()
    assert rows.sum() == 20  # Moran's I at 1 km, Morrill's D: ten area-years each
    assert t.loc[rows, ["se", "ci_low", "ci_high", "bias_corrected"]].notna().all().all()
    assert t.loc[t["index"] == "morrill_d", ["p_value", "null_mean"]].notna().all().all()
    assert t.loc[t["index"] == "morans_i", "p_value"].isna().all()
    assert missing_inference(inf) == {
        "Moran's I (its test is the permutation p-value, morans_i_p)": 10}
    # the school bootstrap: Morrill's D yes, Moran's I no (said why)
    inf = infer(res, n_boot=40, cluster=True, rng=2).result
    t = inf.table
    assert t.loc[t["index"] == "morrill_d", "se"].notna().all()
    assert t.loc[t["index"] == "morans_i", "se"].isna().all()
    assert missing_inference(inf) == {
        "Moran's I under --cluster (copies at one place have no kernel weight)": 10}
    # context all under the school bootstrap: no interval, said why
    inf = infer(compute(small, context="all", bandwidth=[1000]), n_boot=20, cluster=True,
                rng=2).result
    assert inf.table.loc[inf.table["bandwidth"].notna(), "se"].isna().all()
    assert list(missing_inference(inf)) == [
        "spatial indices with --context all under --cluster (a drawn copy would change "
        "other areas' environments)"]


@pytest.mark.parametrize("options", [
    {"spatial_indices": DIAGNOSTICS},
    {"spatial_indices": ["spatial_dissimilarity", "spatial_exposure_ab"], "context": "all"},
])
def test_seed_chunking_threads_and_other_areas(small, options):
    res = compute(small, **options)
    kw = {"n_boot": 30, "null_draws": 30, "rng": 9}
    base = infer(res, **kw).result.table
    for other in ({"chunk_rows": 37}, {"n_jobs": 2, "chunk_rows": 200}):
        pd.testing.assert_frame_equal(infer(res, **kw, **other).result.table, base)
    if options.get("context") == "all":  # other areas are neighbours: values differ
        return
    alone = compute(small[small["area"] == "T0003"], **options)
    t = infer(alone, **kw).result.table
    mine = base[base["area"] == "T0003"].reset_index(drop=True)
    columns = ["index", "bandwidth", "value", "se", "ci_low", "p_value"]
    pd.testing.assert_frame_equal(t[columns], mine[columns])


def test_bootstrap_mean_of_morans_i_agrees_with_the_estimate():
    """Large schools (3,000-6,000 pupils): the bootstrap bias of Moran's I is far below
    the Monte-Carlo error of 400 replicates, so the replicates' mean agrees with the
    estimate within 4 Monte-Carlo SEs in every town, and on average over 60 towns."""
    frame = spatial_towns(60, 30, seed=8, size=(3000, 6000))
    res = compute(frame, bandwidth=1000, spatial_indices="morans_i", permutations=0)
    inf = infer(res, n_boot=400, rng=4, keep_replicates=True)
    rows, reps = inf.replicates[(None, "bootstrap")]
    t = inf.result.table.loc[rows]
    moran = (t["index"] == "morans_i").to_numpy()
    estimate, reps = t.loc[moran, "value"].to_numpy(), reps[moran]
    mc_se = reps.std(axis=1, ddof=1) / np.sqrt(reps.shape[1])
    z = (reps.mean(axis=1) - estimate) / mc_se
    assert np.abs(z).max() < 4, z
    assert abs(z.mean()) < 4 / np.sqrt(z.size), z.mean()


def _truth(frame: pd.DataFrame, names: list[str]) -> pd.Series:
    t, pi = frame.attrs["t"], frame.attrs["pi"]
    expected = frame.assign(a=(t * pi).ravel(), b=(t * (1 - pi)).ravel())
    res = compute(expected, bandwidth=1000, spatial_indices=names, permutations=0)
    rows = res.table[res.table["index"].isin(names)]
    return rows.set_index(["area", "index"])["value"].rename("truth")


def test_coverage_in_a_simulated_superpopulation():
    """600 towns of 40 schools of 150-400 pupils, Moran's I at 1 km and Morrill's D:
    95% bias-corrected intervals cover Morrill's D of the superpopulation in 93-97% of
    the towns (Monte-Carlo SE 0.9 points). Moran's I is known to fall a little short
    (92.6% in 1,000 towns with 400 replicates; the README): 90-96% here."""
    frame = spatial_towns(600, 40, seed=12)
    res = compute(frame, bandwidth=1000, spatial_indices=DIAGNOSTICS, permutations=0)
    inf = infer(res, n_boot=300, rng=2024, keep_replicates=True)
    rows, reps = inf.replicates[(None, "bootstrap")]
    t = inf.result.table.loc[rows]
    keep = t["index"].isin(DIAGNOSTICS).to_numpy()
    t, reps = t[keep], reps[keep]
    truth = t.join(_truth(frame, DIAGNOSTICS), on=["area", "index"])["truth"].to_numpy()
    s = bootstrap_summary(t["value"].to_numpy(), reps, 0.95, "bias_corrected")
    coverage = pd.Series((s["ci_low"] <= truth) & (truth <= s["ci_high"])).groupby(
        t["index"].to_numpy()).mean()
    assert 0.93 <= coverage["morrill_d"] <= 0.97, coverage.to_dict()
    assert 0.90 <= coverage["morans_i"] <= 0.96, coverage.to_dict()


def test_morrill_p_values_uniform_under_random_allocation():
    rng = np.random.default_rng(21)
    n_towns, n_schools = 400, 15
    size = rng.integers(60, 300, (n_towns, n_schools))
    n_a = rng.binomial(size.sum(axis=1), 0.3)
    a = np.stack([rng.multivariate_hypergeometric(size[i], n_a[i]) for i in range(n_towns)])
    frame = pd.DataFrame({
        "area": np.repeat([f"N{i:04d}" for i in range(n_towns)], n_schools), "year": 2018,
        "school": np.arange(a.size), "a": a.ravel(), "b": (size - a).ravel(),
        "x": X0 + rng.uniform(0, 4000, a.size), "y": Y0 + rng.uniform(0, 4000, a.size)})
    res = compute(frame, bandwidth=1000, spatial_indices="morrill_d", permutations=0)
    p = randomisation_test(res, 399, alternative="two-sided", rng=5).table
    p = p.loc[p["index"] == "morrill_d", "p_value"].to_numpy()
    assert p.size == n_towns
    ks = stats.kstest(p, "uniform")
    assert ks.statistic < 1.63 / np.sqrt(n_towns) + 2 / 400, ks  # KS 1% critical value
    assert abs((p <= 0.05).mean() - 0.05) < 4 * np.sqrt(0.05 * 0.95 / n_towns)


def test_moran_statistic_matches_esda():
    esda = pytest.importorskip("esda")
    from libpysal.graph import Graph

    from segspatial.spatial import spatial_weights

    frame = spatial_towns(1, 25, seed=5)
    a, b = frame["a"].to_numpy(float), frame["b"].to_numpy(float)
    g = spatial_weights(frame["x"], frame["y"], crs=CRS, bandwidth=1200, kernel="gaussian")
    w = g.sparse.tolil()
    w.setdiag(0)
    w = w.tocsr()
    w.eliminate_zeros()
    expected = esda.Moran(a / (a + b), Graph.from_sparse(w).transform("r"),
                          permutations=0).I
    got = moran_statistic(w, a[:, None], b[:, None], np.zeros(a.size, dtype=np.intp), 1)
    assert got[0, 0] == pytest.approx(expected, rel=1e-10)


# --------------------------------------------------------------------------- multigroup


def three_groups(n_towns: int, n_schools: int, *, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    size = rng.integers(40, 120, (n_towns, n_schools))
    x = rng.uniform(0, 4000, (n_towns, n_schools))
    p = rng.dirichlet([2, 1, 1], (n_towns, n_schools))
    cells = np.stack([rng.multinomial(s, q) for s, q in zip(size.ravel(), p.reshape(-1, 3),
                                                            strict=True)])
    return pd.DataFrame({
        "area": np.repeat([f"M{i:03d}" for i in range(n_towns)], n_schools), "year": 2019,
        "school": np.arange(size.size), "d": cells[:, 0], "w": cells[:, 1],
        "n": cells[:, 2], "x": X0 + x.ravel(), "y": Y0 + rng.uniform(0, 4000, size.size)})


def multigroup(frame: pd.DataFrame, **kw):
    return spatial_multigroup_segregation(
        frame, "school", ["d", "w", "n"], x="x", y="y", crs=CRS, area="area",
        year="year", **{"bandwidth": [0, 1000], "kernel": "gaussian", **NO_FILTER, **kw})


def test_spatial_multigroup_rows_get_intervals_and_tests():
    res = multigroup(three_groups(4, 8, seed=2))
    envs = spatial_environments(res)
    assert len(envs) == 4
    for env in envs:
        np.testing.assert_allclose(_engine_values(res, env), _table_values(res, env),
                                   rtol=1e-12, atol=1e-14)
    t = infer(res, n_boot=40, null_draws=40, rng=1).result.table
    spatial = t["index"].str.startswith("spatial_")
    assert spatial.sum() == 16
    assert t.loc[spatial, ["se", "ci_low", "ci_high", "p_value"]].notna().all().all()
    t = infer(res, n_boot=40, cluster=True, rng=1).result.table
    assert t.loc[spatial, "se"].notna().all()


def test_spatial_multigroup_at_bandwidth_0_replicates_the_aspatial_ones():
    """The dispersal operator at bandwidth 0 is the identity: spatial M and H equal the
    multigroup M and H in every draw (individual and school bootstrap, K-group random
    allocation), and in another logarithm base."""
    res = multigroup(three_groups(3, 7, seed=6), bandwidth=0, base=2.0)
    for options, task in (({"n_boot": 30}, "bootstrap"),
                          ({"n_boot": 30, "cluster": True}, "cluster"),
                          ({"null_draws": 30}, "null")):
        inf = infer(res, rng=5, keep_replicates=True, **options)
        rows, reps = inf.replicates[(None, task)]
        t = res.table.loc[rows]
        for plain, spatial in (("mutual_information_base2", "spatial_mutual_information_base2"),
                               ("multigroup_theil_h", "spatial_multigroup_theil_h")):
            np.testing.assert_allclose(reps[(t["index"] == spatial).to_numpy()],
                                       reps[(t["index"] == plain).to_numpy()],
                                       rtol=1e-12, atol=1e-15, err_msg=f"{task} {spatial}")


def test_spatial_multigroup_chunking_and_threads():
    res = multigroup(three_groups(4, 8, seed=3))
    kw = {"n_boot": 25, "null_draws": 25, "rng": 4}
    base = infer(res, **kw).result.table
    pd.testing.assert_frame_equal(infer(res, **kw, chunk_rows=50, n_jobs=2).result.table,
                                  base)


def test_cli_context_all_and_multigroup(tmp_path, capsys, small):
    path = tmp_path / "towns.csv"
    small.to_csv(path, index=False)
    common = ["--unit", "school", "--area", "area", "--year", "year", "--x", "x", "--y", "y",
              "--crs", CRS, "--bandwidth", "1000", "--min-unit-size", "0",
              "--min-area-size", "0", "--bootstrap", "30", "--null-draws", "30",
              "--seed", "3"]
    assert main(["indices", str(path), "--group-a", "a", "--group-b", "b", *common,
                 "--context", "all", "--permutations", "0"]) == 0
    t = pd.read_csv(io.StringIO(capsys.readouterr().out))
    spatial = t["index"].isin(["spatial_dissimilarity", "spatial_theil_h"])
    assert spatial.sum() == 20
    assert t.loc[spatial, ["se", "p_value"]].notna().all().all()
    groups = three_groups(3, 6, seed=1)
    path = tmp_path / "groups.csv"
    groups.to_csv(path, index=False)
    assert main(["indices", str(path), "--groups", "d", "w", "n", *common]) == 0
    t = pd.read_csv(io.StringIO(capsys.readouterr().out))
    spatial = t["index"].str.startswith("spatial_")
    assert spatial.sum() == 6
    assert t.loc[spatial, ["se", "ci_low", "ci_high", "p_value"]].notna().all().all()


def test_threads_and_processes_give_identical_tables(small, monkeypatch):
    """``n_jobs`` workers run as threads (default) or forked processes (the engine's
    ``PARALLEL``): the same seed gives the same table either way, and with one worker."""
    import multiprocessing
    import threading

    import segspatial.inference._engine as engine

    res = compute(small, spatial_indices=[*DIAGNOSTICS, "spatial_dissimilarity"])
    kw = {"n_boot": 30, "null_draws": 30, "rng": 2, "chunk_rows": 300}
    tables = [infer(res, **kw).result.table]
    for mode in ("threads", "processes"):
        monkeypatch.setattr(engine, "PARALLEL", mode)
        if (mode == "processes" and "fork" in multiprocessing.get_all_start_methods()
                and threading.active_count() == 1):  # else threads (forking is unsafe)
            assert engine._processes()
        tables.append(infer(res, n_jobs=2, **kw).result.table)
    for table in tables[1:]:
        pd.testing.assert_frame_equal(table, tables[0])


def _ks_uniform(p: np.ndarray, draws: int) -> None:
    ks = stats.kstest(p, "uniform")
    assert ks.statistic < 1.63 / np.sqrt(p.size) + 2 / (draws + 1), ks  # 1% critical


def test_p_values_uniform_under_random_allocation_context_all_and_multigroup():
    """Random allocation within every area: the p-values of the spatial D with
    neighbours in other areas, and of the spatial multigroup H, are uniform (KS at the
    1% level; 200 towns, 99 draws)."""
    rng = np.random.default_rng(33)
    n_towns, n_schools = 200, 10
    size = rng.integers(60, 200, (n_towns, n_schools))
    total = size.sum(axis=1)
    k_groups = np.stack([rng.multinomial(t, [0.5, 0.3, 0.2]) for t in total])
    cells = np.zeros((n_towns, n_schools, 3), dtype=np.int64)
    for i in range(n_towns):  # deal the groups to the seats at random
        free = size[i].copy()
        for g in range(2):
            cells[i, :, g] = rng.multivariate_hypergeometric(free, k_groups[i, g])
            free -= cells[i, :, g]
        cells[i, :, 2] = free
    frame = pd.DataFrame({
        "area": np.repeat([f"R{i:04d}" for i in range(n_towns)], n_schools), "year": 2018,
        "school": np.arange(size.size), "d": cells[..., 0].ravel(),
        "w": cells[..., 1].ravel(), "n": cells[..., 2].ravel(),
        "x": X0 + rng.uniform(0, 20_000, size.size), "y": Y0 + rng.uniform(0, 20_000,
                                                                            size.size)})
    two = frame.assign(a=frame["d"], b=frame["w"] + frame["n"])
    res = compute(two, bandwidth=1500, kernel="boxcar", context="all", indices="dissimilarity",
                  spatial_indices="spatial_dissimilarity", permutations=0)
    t = randomisation_test(res, 99, alternative="two-sided", rng=6).table
    _ks_uniform(t.loc[t["index"] == "spatial_dissimilarity", "p_value"].to_numpy(), 99)
    res = multigroup(frame, bandwidth=[1500], kernel="boxcar", indices="multigroup_theil_h")
    t = randomisation_test(res, 99, alternative="two-sided", rng=6).table
    p = t.loc[t["index"] == "spatial_multigroup_theil_h", "p_value"].to_numpy()
    assert p.size == n_towns
    _ks_uniform(p, 99)
