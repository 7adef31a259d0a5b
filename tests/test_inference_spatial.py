"""Inference for the spatial D and H: bootstrap intervals and randomisation tests at
every bandwidth, through fixed environment operators (one sparse product per replicate
block).

Exact checks (the operators reproduce the table's point estimates; the school bootstrap's
adjusted operator equals rebuilding the environments on the drawn copies; at bandwidth 0
the spatial replicates are the aspatial ones), reproducibility, and statistical checks
with tolerances derived from the number of simulations (coverage in a simulated
superpopulation, uniform p-values under random allocation).
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from segspatial.cli import main
from segspatial.inference import infer, randomisation_test, spatial_environments
from segspatial.inference._summary import bootstrap_summary
from segspatial.spatial import (
    environment_operator,
    spatial_dissimilarity_theil,
    spatial_segregation,
)

CRS = "EPSG:28992"
X0, Y0 = 120_000.0, 480_000.0
NO_FILTER = {"min_unit_size": 0, "min_area_size": 0}
SPATIAL = ["spatial_dissimilarity", "spatial_theil_h"]


def spatial_towns(n_towns: int, n_schools: int, *, seed: int, size=(150, 400),
                  shares=(1.0, 3.0), extent: float = 4000.0, years=(2018,)) -> pd.DataFrame:
    """Towns of schools at random places in a square of ``extent`` metres, each with a
    fixed size and share of A (the superpopulation); pupils drawn binomially. The share
    rises from west to east, so there is spatial segregation to measure."""
    rng = np.random.default_rng(seed)
    t = rng.integers(size[0], size[1], (n_towns, n_schools))
    x = rng.uniform(0, extent, (n_towns, n_schools))
    y = rng.uniform(0, extent, (n_towns, n_schools))
    pi = np.clip(rng.beta(*shares, (n_towns, n_schools)) * (0.5 + x / extent), 0.01, 0.99)
    frames = []
    for year in years:
        a = rng.binomial(t, pi)
        frames.append(pd.DataFrame({
            "area": np.repeat([f"T{i:04d}" for i in range(n_towns)], n_schools),
            "year": year, "school": np.arange(n_towns * n_schools),
            "a": a.ravel(), "b": (t - a).ravel(),
            "x": X0 + x.ravel(), "y": Y0 + y.ravel()}))
    out = pd.concat(frames, ignore_index=True)
    out.attrs["t"], out.attrs["pi"] = t, pi
    return out


def compute(frame: pd.DataFrame, **kw):
    options = {"bandwidth": [0, 1000], "kernel": "gaussian", "indices": ["dissimilarity",
                                                                          "theil_h"],
               "spatial_indices": SPATIAL, **NO_FILTER, **kw}
    return spatial_segregation(frame, "school", "a", "b", x="x", y="y", crs=CRS,
                               area="area", year="year", **options)


@pytest.fixture(scope="module")
def small():
    return spatial_towns(5, 9, seed=1, size=(30, 90), years=(2017, 2018))


@pytest.mark.parametrize("options", [
    {},
    {"definition": "reardon_osullivan"},
    {"bandwidth": None, "kernel": None, "k": [2, 4]},
    {"kernel": "boxcar", "bandwidth": [700, 2500]},
])
def test_operators_reproduce_the_point_estimates(small, options):
    # a school with pupils in neither group is neither source nor destination
    frame = small.copy()
    frame.loc[3, ["a", "b"]] = 0
    res = compute(frame, **options)
    envs = spatial_environments(res)
    spatial = res.table["bandwidth"].notna() & res.table["value"].notna()
    assert len(envs) == spatial.sum() // res.table.loc[spatial, ["area", "year"]
                                                       ].drop_duplicates().shape[0]
    counts = res.counts
    group = counts.groupby(["area", "year"]).ngroup().to_numpy()
    a, b = counts["a"].to_numpy(float), counts["b"].to_numpy(float)
    for env in envs:
        values = env.statistic(env.operator, a[:, None], b[:, None], group, group.max() + 1)
        rows = res.table[(res.table["index"] == env.name)
                         & (res.table["bandwidth"] == env.bandwidth)
                         & (res.table["kernel"] == env.kernel)]
        np.testing.assert_allclose(values[:, 0], rows["value"].to_numpy(), rtol=1e-12,
                                   atol=1e-15, err_msg=f"{env.name} {env.bandwidth}")


def test_every_spatial_d_and_h_row_gets_intervals_and_p_values(small):
    res = compute(small)
    t = infer(res, n_boot=50, null_draws=50, rng=3).result.table
    spatial = t["index"].isin(SPATIAL)
    assert spatial.sum() == 2 * 2 * 10  # two indices, two bandwidths, ten area-years
    filled = ["se", "ci_low", "ci_high", "bias_corrected", "n_boot", "p_value", "null_mean"]
    assert t.loc[spatial, filled].notna().all().all()
    assert (t.loc[spatial, "ci_low"] <= t.loc[spatial, "ci_high"]).all()
    assert set(t.loc[spatial, "bootstrap"]) == {"individual"}


def test_identity_bandwidth_replicates_are_the_aspatial_ones(small):
    """At bandwidth 0 the dispersal operator is the identity: spatial D and H equal D and
    H in every draw, for the individual and the school bootstrap (whose copies the
    operator accounts for by multiplicities) and under random allocation."""
    res = compute(small, bandwidth=0)
    for options, task in (({"n_boot": 40}, "bootstrap"),
                          ({"n_boot": 40, "cluster": True}, "cluster"),
                          ({"null_draws": 40}, "null")):
        inf = infer(res, rng=5, keep_replicates=True, **options)
        rows, reps = inf.replicates[(None, task)]
        t = res.table.loc[rows]
        for plain, spatial in (("dissimilarity", "spatial_dissimilarity"),
                               ("theil_h", "spatial_theil_h")):
            np.testing.assert_allclose(reps[(t["index"] == spatial).to_numpy()],
                                       reps[(t["index"] == plain).to_numpy()],
                                       rtol=1e-12, atol=1e-15, err_msg=f"{task} {spatial}")


@pytest.mark.parametrize("definition", ["dispersal", "reardon_osullivan"])
def test_multiplicity_equals_rebuilding_on_the_drawn_copies(definition):
    rng = np.random.default_rng(0)
    n = 14
    x, y = X0 + rng.uniform(0, 3000, n), Y0 + rng.uniform(0, 3000, n)
    a, b = rng.integers(0, 60, n).astype(float), rng.integers(0, 60, n).astype(float)
    group = np.repeat([0, 1], 7)
    options = {"crs": CRS, "bandwidth": 900.0, "kernel": "gaussian",
               "definition": definition}
    k = environment_operator(x, y, block=group, **options)
    times = np.column_stack([rng.multinomial(7, [1 / 7] * 7, size=2).ravel()
                             for _ in range(3)]).astype(float)
    together = spatial_dissimilarity_theil(k, a, b, group=group, definition=definition,
                                           multiplicity=times)
    for r in range(times.shape[1]):
        pick = np.repeat(np.arange(n), times[:, r].astype(int))
        copies = environment_operator(x[pick], y[pick], block=group[pick], **options)
        expected = spatial_dissimilarity_theil(copies, a[pick], b[pick], group=group[pick],
                                               definition=definition)
        for got, want in zip(together, expected, strict=True):
            np.testing.assert_allclose(got[:, r], want, rtol=1e-12)


def test_seeded_and_independent_of_chunking_and_threads(small):
    res = compute(small)
    one = infer(res, n_boot=30, null_draws=30, rng=11).result.table
    again = infer(res, n_boot=30, null_draws=30, rng=11).result.table
    pd.testing.assert_frame_equal(one, again)
    split = infer(res, n_boot=30, null_draws=30, rng=11, chunk_rows=50, n_jobs=2).result.table
    pd.testing.assert_frame_equal(one, split)
    other = infer(res, n_boot=30, null_draws=30, rng=12).result.table
    spatial = one["index"].isin(SPATIAL)
    assert not np.array_equal(one.loc[spatial, "se"], other.loc[spatial, "se"])
    # an area's values do not depend on the other areas in the run
    alone = compute(small[small["area"] == "T0002"])
    t = infer(alone, n_boot=30, null_draws=30, rng=11).result.table
    mine = one[one["area"] == "T0002"].reset_index(drop=True)
    pd.testing.assert_frame_equal(t[["index", "bandwidth", "se", "p_value"]],
                                  mine[["index", "bandwidth", "se", "p_value"]])


def test_context_all_gets_intervals_but_not_its_reardon_osullivan_form(small):
    res = compute(small, context="all")
    assert len(spatial_environments(res)) == 4  # D and H at two bandwidths
    t = infer(res, n_boot=20, null_draws=20, rng=1).result.table
    assert t.loc[t["index"].isin(SPATIAL) & t["value"].notna(),
                 ["se", "p_value"]].notna().all().all()
    ro = compute(small, context="all", definition="reardon_osullivan")
    assert spatial_environments(ro) == []
    inf = infer(ro, n_boot=20, rng=1).result
    t = inf.table
    assert t.loc[t["bandwidth"].notna(), "se"].isna().all()
    assert t.loc[t["bandwidth"].isna() & t["value"].notna(), "se"].notna().all()
    from segspatial.inference._diagnostics import missing_inference

    assert missing_inference(inf) == {
        "Reardon-O'Sullivan spatial indices with --context all (their local shares hold "
        "other areas' pupils, drawn independently)": int(t["bandwidth"].notna().sum())}


def _truth(frame: pd.DataFrame, bandwidth: float) -> pd.DataFrame:
    """Spatial D and H of the superpopulation: the expected counts."""
    t, pi = frame.attrs["t"], frame.attrs["pi"]
    expected = frame.assign(a=(t * pi).ravel(), b=(t * (1 - pi)).ravel())
    res = compute(expected, bandwidth=bandwidth)
    rows = res.table[res.table["index"].isin(SPATIAL)]
    return rows.set_index(["area", "index"])["value"].rename("truth")


def test_coverage_95_in_a_simulated_superpopulation():
    """1,000 towns of 40 schools of 150-400 pupils at 1 km: 95% bias-corrected intervals
    cover the superpopulation's spatial D and H in 93-97% of the towns (Monte-Carlo SE
    of the coverage 0.7 points)."""
    frame = spatial_towns(1000, 40, seed=12)
    res = compute(frame, bandwidth=1000)
    inf = infer(res, n_boot=400, rng=2024, keep_replicates=True)
    rows, reps = inf.replicates[(None, "bootstrap")]
    t = inf.result.table.loc[rows]
    spatial = t["index"].isin(SPATIAL).to_numpy()
    t, reps = t[spatial], reps[spatial]
    truth = t.join(_truth(frame, 1000), on=["area", "index"])["truth"].to_numpy()
    s = bootstrap_summary(t["value"].to_numpy(), reps, 0.95, "bias_corrected")
    covered = pd.Series((s["ci_low"] <= truth) & (truth <= s["ci_high"]))
    coverage = covered.groupby(t["index"].to_numpy()).mean()
    assert ((coverage >= 0.93) & (coverage <= 0.97)).all(), coverage.to_dict()


def test_p_values_uniform_under_random_allocation():
    rng = np.random.default_rng(21)
    n_towns, n_schools = 500, 15
    size = rng.integers(60, 300, (n_towns, n_schools))
    n_a = rng.binomial(size.sum(axis=1), 0.3)
    a = np.stack([rng.multivariate_hypergeometric(size[i], n_a[i]) for i in range(n_towns)])
    frame = pd.DataFrame({
        "area": np.repeat([f"N{i:04d}" for i in range(n_towns)], n_schools), "year": 2018,
        "school": np.arange(a.size), "a": a.ravel(), "b": (size - a).ravel(),
        "x": X0 + rng.uniform(0, 4000, a.size), "y": Y0 + rng.uniform(0, 4000, a.size)})
    res = compute(frame, bandwidth=1000)
    t = randomisation_test(res, 399, alternative="two-sided", rng=5).table
    for name in SPATIAL:
        p = t.loc[t["index"] == name, "p_value"].to_numpy()
        assert p.size == n_towns
        ks = stats.kstest(p, "uniform")
        assert ks.statistic < 0.061 + 2 / 400, (name, ks)
        assert abs((p <= 0.05).mean() - 0.05) < 4 * np.sqrt(0.05 * 0.95 / n_towns), name


def test_cli_bootstrap_fills_spatial_rows(tmp_path, capsys, small):
    path = tmp_path / "towns.csv"
    small.to_csv(path, index=False)
    argv = ["indices", str(path), "--unit", "school", "--group-a", "a", "--group-b", "b",
            "--area", "area", "--year", "year", "--x", "x", "--y", "y", "--crs", CRS,
            "--bandwidth", "500", "1000", "--kernel", "gaussian", "--min-unit-size", "0",
            "--min-area-size", "0", "--permutations", "0", "--bootstrap", "60",
            "--null-draws", "60", "--seed", "7"]
    assert main(argv) == 0
    captured = capsys.readouterr()
    t = pd.read_csv(io.StringIO(captured.out))
    spatial = t["index"].isin(SPATIAL)
    assert spatial.sum() == 40
    assert t.loc[spatial, ["se", "ci_low", "ci_high", "p_value"]].notna().all().all()
    # Moran's I and Morrill's D have intervals; Moran's I keeps its permutation test,
    # and the summary says so
    for name in ("morans_i", "morrill_d"):
        assert t.loc[t["index"] == name, "se"].notna().all(), name
    assert t.loc[t["index"] == "morrill_d", "p_value"].notna().all()
    assert t.loc[t["index"] == "morans_i", "p_value"].isna().all()
    assert "20 x Moran's I (its test is the permutation p-value, morans_i_p)" \
        in captured.err
    assert main(argv) == 0  # the same seed: the same bytes
    assert capsys.readouterr().out == captured.out
    # the school bootstrap too
    assert main([*argv, "--cluster"]) == 0
    t = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert t.loc[t["index"].isin(SPATIAL), "se"].notna().all()
    assert set(t.loc[t["index"].isin(SPATIAL), "bootstrap"]) == {"cluster"}
