"""Dispersal environments: 0 <= spatial <= aspatial by construction, the operator API
for resampling, bounded-memory streaming, and what is (not) true across bandwidths."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from segspatial.demo import demo_counts
from segspatial.spatial import (
    KERNELS,
    environment_operator,
    local_measures,
    register_kernel,
    spatial_dissimilarity_theil,
    spatial_segregation,
    spatial_weights,
)
from segspatial.spatial import environments as env

CRS = "EPSG:28992"
NO_FILTERS = {"min_unit_size": 0, "min_area_size": 0}
X0, Y0 = 100_000.0, 400_000.0
DH = ["spatial_dissimilarity", "spatial_theil_h"]


def _entropy(q):
    q = np.asarray(q, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.nan_to_num(-q * np.log(q) - (1 - q) * np.log(1 - q))


def _reference(x, y, a, b, h, kernel):
    """Dense numpy dispersal D and H, written from the formulas."""
    d = np.hypot(np.subtract.outer(x, x), np.subtract.outer(y, y))
    if kernel == "boxcar":
        w = (d < h).astype(float)
    elif kernel == "gaussian":
        w = np.exp(-0.5 * (d / h) ** 2) * (d < 5 * h)
    else:
        w = np.where(d < h, (1 - (d / h) ** 2) ** 2, 0.0)
    k = w / w.sum(axis=0, keepdims=True)
    la, lb = k @ a, k @ b
    big_a, big_b = a.sum(), b.sum()
    dd = 0.5 * np.abs(la / big_a - lb / big_b).sum()
    tt = la + lb
    hh = 1 - (tt * _entropy(la / tt)).sum() / ((big_a + big_b) * _entropy(big_a / (big_a + big_b)))
    return dd, hh


def _wide(table: pd.DataFrame) -> pd.DataFrame:
    return table.pivot_table(index="area", columns=["index", "bandwidth"], values="value")


# ------------------------------------------------------------------ bounds (theorem)


@st.composite
def _towns(draw):
    n = draw(st.integers(2, 18))
    n_areas = draw(st.integers(1, 3))
    xs = draw(st.lists(st.floats(0, 6000), min_size=n, max_size=n))
    ys = draw(st.lists(st.floats(0, 6000), min_size=n, max_size=n))
    a = draw(st.lists(st.integers(0, 120), min_size=n, max_size=n))
    b = draw(st.lists(st.integers(0, 120), min_size=n, max_size=n))
    area = draw(st.lists(st.integers(0, n_areas - 1), min_size=n, max_size=n))
    return pd.DataFrame({"school": [f"s{i}" for i in range(n)],
                         "area": [f"A{v}" for v in area],
                         "x": X0 + np.round(xs), "y": Y0 + np.round(ys),
                         "a": a, "b": b, "total": np.add(a, b) + 1})


_SCALES = st.one_of(
    st.builds(lambda k, h: {"kernel": k, "bandwidth": h},
              st.sampled_from(["gaussian", "biweight", "boxcar"]),
              st.floats(0, 8000)),
    st.builds(lambda k: {"k": k}, st.integers(0, 6)),
)


@settings(max_examples=50)
@given(town=_towns(), scale=_SCALES, context=st.sampled_from(["area", "all"]))
def test_spatial_d_and_h_lie_between_zero_and_the_aspatial_value(town, scale, context):
    table = spatial_segregation(
        town, "school", "a", "b", x="x", y="y", crs=CRS, area="area", total="total",
        indices=["dissimilarity", "theil_h"], spatial_indices=DH, context=context,
        permutations=0, **scale, **NO_FILTERS).table
    wide = table.pivot(index="area", columns="index", values="value").dropna()
    tol = 1e-12
    assert (wide["spatial_dissimilarity"] >= -tol).all()
    assert (wide["spatial_theil_h"] >= -tol).all()
    assert (wide["spatial_dissimilarity"] <= wide["dissimilarity"] + tol).all()
    assert (wide["spatial_theil_h"] <= wide["theil_h"] + tol).all()


@settings(max_examples=40)
@given(town=_towns(), seed=st.integers(0, 2**32 - 1),
       kernel=st.sampled_from(["gaussian", "boxcar"]), h=st.floats(100, 5000))
def test_a_further_markov_step_never_raises_segregation(town, seed, kernel, h):
    """What is true across scales: an environment that is a further dispersal of
    another (K2 = M K1, M column-stochastic) has no more segregation."""
    town = town[(town["a"] + town["b"]) > 0]
    if town["a"].sum() == 0 or town["b"].sum() == 0:
        return
    k1 = environment_operator(town["x"], town["y"], crs=CRS, bandwidth=h, kernel=kernel)
    m = np.random.default_rng(seed).random((len(town), len(town)))
    m /= m.sum(axis=0, keepdims=True)
    d1, h1 = spatial_dissimilarity_theil(k1, town["a"], town["b"])
    d2, h2 = spatial_dissimilarity_theil(m @ k1.toarray(), town["a"], town["b"])
    assert d2[0] <= d1[0] + 1e-12 and h2[0] <= h1[0] + 1e-12


# ------------------------------------------------------------------ across bandwidths


def test_not_monotone_in_the_bandwidth_boxcar():
    """A wider boxcar is not a further Markov step of a narrower one: here the spatial
    D and H rise from 600 m to 1100 m (the school at 400 m joins the mixed pair and
    pulls the all-B pupils of the school at 1300 m away from the A school at 1700 m)."""
    x = X0 + np.array([1300.0, 1700.0, 400.0])
    y = np.full(3, Y0)
    a, b = np.array([0.0, 90.0, 0.0]), np.array([70.0, 20.0, 10.0])
    data = pd.DataFrame({"school": ["p", "q", "r"], "a": a, "b": b, "x": x, "y": y})
    table = spatial_segregation(data, "school", "a", "b", x="x", y="y", crs=CRS,
                                bandwidth=[600, 1100], kernel="boxcar", spatial_indices=DH,
                                **NO_FILTERS).table
    for h in (600, 1100):
        d, hh = _reference(x, y, a, b, h, "boxcar")
        row = table[table["bandwidth"] == h].set_index("index")["value"]
        assert row["spatial_dissimilarity"] == pytest.approx(d, rel=1e-12)
        assert row["spatial_theil_h"] == pytest.approx(hh, rel=1e-12)
    d600, h600 = _reference(x, y, a, b, 600, "boxcar")
    d1100, h1100 = _reference(x, y, a, b, 1100, "boxcar")
    assert d1100 > d600 + 0.1 and h1100 > h600 + 0.05
    # ... and both stay below the aspatial values (the theorem)
    aspatial = table[table["bandwidth"].isna()].set_index("index")["value"]
    assert d1100 <= aspatial["dissimilarity"] and h1100 <= aspatial["theil_h"]


def test_not_monotone_in_the_bandwidth_gaussian_d():
    """Rare and small for the gaussian, but possible: D rises from 300 m to 600 m."""
    x = X0 + np.array([300.0, 700.0, 1000.0, 200.0])
    y = Y0 + np.array([200.0, 1900.0, 1300.0, 100.0])
    a, b = np.array([70.0, 10.0, 60.0, 20.0]), np.array([0.0, 0.0, 30.0, 60.0])
    data = pd.DataFrame({"school": list("pqrs"), "a": a, "b": b, "x": x, "y": y})
    table = spatial_segregation(data, "school", "a", "b", x="x", y="y", crs=CRS,
                                bandwidth=[300, 600], spatial_indices=DH,
                                **NO_FILTERS).table
    d = table[table["index"] == "spatial_dissimilarity"].set_index("bandwidth")["value"]
    assert d[300] == pytest.approx(_reference(x, y, a, b, 300, "gaussian")[0], rel=1e-12)
    assert d[600] == pytest.approx(_reference(x, y, a, b, 600, "gaussian")[0], rel=1e-12)
    assert d[600] > d[300] + 1e-3


def test_self_weights_and_full_reach():
    """h = 0 (or k = 0): the aspatial values; a boxcar wider than the area: 0."""
    demo = demo_counts().query("year == 2018")
    opts = {"area": "municipality", "total": "total", "indices": ["dissimilarity", "theil_h"],
            "spatial_indices": DH, "permutations": 0}
    t = spatial_segregation(demo, "school", "a", "b", x="x", y="y", crs=CRS,
                            bandwidth=[0, 1e6], kernel="boxcar", **opts).table
    w = _wide(t[t["bandwidth"].notna()])
    for name, base in (("spatial_dissimilarity", "dissimilarity"),
                       ("spatial_theil_h", "theil_h")):
        aspatial = t[t["index"] == base].set_index("area")["value"].loc[w.index]
        np.testing.assert_allclose(w[(name, 0.0)], aspatial, rtol=0, atol=1e-12)
    np.testing.assert_allclose(w[("spatial_dissimilarity", 1e6)], 0.0, atol=1e-12)
    np.testing.assert_allclose(w[("spatial_theil_h", 1e6)], 0.0, atol=1e-12)


# ------------------------------------------------------------------ operator API


def test_environment_operator_is_column_stochastic_and_block_diagonal():
    demo = demo_counts().query("year == 2018")
    block = demo["municipality"].to_numpy()
    k = environment_operator(demo["x"], demo["y"], crs=CRS, bandwidth=1500, block=block)
    np.testing.assert_allclose(np.asarray(k.sum(axis=0)).ravel(), 1.0, rtol=1e-14)
    dense = k.toarray()
    assert (dense[np.not_equal.outer(block, block)] == 0).all()
    w = spatial_weights(demo["x"], demo["y"], crs=CRS, bandwidth=1500,
                        block=block).sparse.toarray()
    np.testing.assert_allclose(dense, w / w.sum(axis=0, keepdims=True), rtol=1e-14)
    ro = environment_operator(demo["x"], demo["y"], crs=CRS, bandwidth=1500, block=block,
                              definition="reardon_osullivan")
    np.testing.assert_array_equal(ro.toarray(), w)


@pytest.mark.parametrize("definition", ["dispersal", "reardon_osullivan"])
def test_operator_applied_to_replicates_equals_the_table(definition):
    demo = demo_counts().query("year >= 2017")
    table = spatial_segregation(demo, "school", "a", "b", x="x", y="y", crs=CRS,
                                area="municipality", year="year", bandwidth=1000,
                                spatial_indices=DH, definition=definition, permutations=0,
                                **NO_FILTERS).table
    block = demo["municipality"] + "/" + demo["year"].astype(str)
    k = environment_operator(demo["x"], demo["y"], crs=CRS, bandwidth=1000, block=block,
                             definition=definition)
    d, h = spatial_dissimilarity_theil(k, demo["a"], demo["b"], group=block,
                                       definition=definition)
    suffix = "_ro" if definition == "reardon_osullivan" else ""
    ours = table[table["index"] == f"spatial_dissimilarity{suffix}"]
    ours = ours.set_index(ours["area"] + "/" + ours["year"].astype(str))["value"]
    np.testing.assert_allclose(d, ours.sort_index().to_numpy(), rtol=1e-12)
    # many count vectors at once (e.g. bootstrap replicates): one column each
    rng = np.random.default_rng(0)
    reps_a = rng.poisson(demo["a"].to_numpy()[:, None] + 0.5, size=(len(demo), 7))
    reps_b = rng.poisson(demo["b"].to_numpy()[:, None] + 0.5, size=(len(demo), 7))
    d_r, h_r = spatial_dissimilarity_theil(k, reps_a, reps_b, group=block,
                                           definition=definition)
    assert d_r.shape == (block.nunique(), 7)
    for r in (0, 6):
        d1, h1 = spatial_dissimilarity_theil(k, reps_a[:, r], reps_b[:, r], group=block,
                                             definition=definition)
        np.testing.assert_allclose(d_r[:, r], d1, rtol=1e-13)
        np.testing.assert_allclose(h_r[:, r], h1, rtol=1e-13)


def test_operator_errors():
    k = environment_operator([X0, X0 + 10], [Y0, Y0], crs=CRS, bandwidth=100)
    with pytest.raises(ValueError, match=r"operator must be \(3, 3\)"):
        spatial_dissimilarity_theil(k, [1, 2, 3], [1, 2, 3])
    with pytest.raises(ValueError, match="same shape"):
        spatial_dissimilarity_theil(k, [1, 2], [1, 2, 3])
    with pytest.raises(ValueError, match="definition must be 'dispersal'"):
        environment_operator([X0], [Y0], crs=CRS, bandwidth=1, definition="ro")
    with pytest.raises(ValueError, match="give one bandwidth"):
        environment_operator([X0], [Y0], crs=CRS, bandwidth=[1, 2])
    with pytest.raises(ValueError, match="outside the area of use"):
        environment_operator([4.9], [52.4], crs=CRS, bandwidth=1)


# ------------------------------------------------------------------ kernels registry


def test_registered_kernel_is_used_everywhere():
    register_kernel("triangular_test", lambda z2: 1.0 - np.sqrt(z2), 1.0)
    try:
        x, y = X0 + np.array([0.0, 300.0, 900.0]), np.full(3, Y0)
        w = spatial_weights(x, y, crs=CRS, bandwidth=600, kernel="triangular_test")
        np.testing.assert_allclose(w.sparse.toarray(),
                                   [[1, 0.5, 0], [0.5, 1, 0], [0, 0, 1]], rtol=1e-14)
        data = pd.DataFrame({"school": list("pqr"), "a": [10, 0, 5], "b": [0, 10, 5],
                             "x": x, "y": y})
        t = spatial_segregation(data, "school", "a", "b", x="x", y="y", crs=CRS,
                                bandwidth=600, kernel="triangular_test",
                                spatial_indices=DH, **NO_FILTERS).table
        assert set(t["kernel"].dropna()) == {"triangular_test"}
    finally:
        del KERNELS["triangular_test"]
    with pytest.raises(ValueError, match="f\\(0\\) must be 1"):
        register_kernel("bad_test", lambda z2: 0.5 + 0 * z2, 1.0)
    with pytest.raises(ValueError, match="new, non-empty string"):
        register_kernel("gaussian", lambda z2: 1.0 + 0 * z2, 1.0)


# ------------------------------------------------------------------ bounded memory


def _tiny_blocks(monkeypatch):
    monkeypatch.setattr(env, "_BLOCK", 60)
    monkeypatch.setattr(env, "_SMALL", 16)
    monkeypatch.setattr(env, "_CACHE", 200)


@pytest.mark.parametrize("options", [
    {"bandwidth": [0, 700, 3000]},
    {"bandwidth": [700, 3000], "context": "all"},
    {"bandwidth": [900], "kernel": "biweight", "definition": "reardon_osullivan"},
    {"k": [3, 6]},
    {"k": [4], "context": "all"},
])
def test_tiny_blocks_give_the_same_table(monkeypatch, options):
    """Whatever the block budget (grid cells, sliced cells, batched areas, recomputed
    Moran blocks), the numbers are the same, p-values included."""
    demo = demo_counts().query("year >= 2017")
    opts = {"area": "municipality", "year": "year", "total": "total", "permutations": 49,
            "rng": 4, **options}
    big = spatial_segregation(demo, "school", "a", "b", x="x", y="y", crs=CRS, **opts)
    local_big = local_measures(demo, "school", "a", "b", x="x", y="y", crs=CRS,
                               **{k: v for k, v in opts.items()
                                  if k not in ("permutations", "rng")})
    _tiny_blocks(monkeypatch)
    small = spatial_segregation(demo, "school", "a", "b", x="x", y="y", crs=CRS, **opts)
    pd.testing.assert_frame_equal(big.table, small.table, rtol=1e-12, atol=1e-15)
    local_small = local_measures(demo, "school", "a", "b", x="x", y="y", crs=CRS,
                                 **{k: v for k, v in opts.items()
                                    if k not in ("permutations", "rng")})
    pd.testing.assert_frame_equal(local_big, local_small, rtol=1e-12, atol=1e-15)


def test_context_all_matches_a_dense_reference():
    """With national context each area's pupils spread over every unit of the year
    (the normalisation counts neighbours in other areas); checked against numpy."""
    rng = np.random.default_rng(8)
    n = 40
    data = pd.DataFrame({"school": [f"s{i}" for i in range(n)],
                         "area": rng.choice(["X", "Y", "Z"], n),
                         "x": X0 + rng.uniform(0, 6000, n), "y": Y0 + rng.uniform(0, 6000, n),
                         "a": rng.integers(0, 80, n), "b": rng.integers(0, 80, n)})
    h = 1200.0
    table = spatial_segregation(data, "school", "a", "b", x="x", y="y", crs=CRS,
                                area="area", bandwidth=h, context="all", spatial_indices=DH,
                                **NO_FILTERS).table
    x, y = data["x"].to_numpy(), data["y"].to_numpy()
    d = np.hypot(np.subtract.outer(x, x), np.subtract.outer(y, y))
    w = np.exp(-0.5 * (d / h) ** 2) * (d < 5 * h)
    k = w / w.sum(axis=0, keepdims=True)
    for area in ("X", "Y", "Z"):
        mine = (data["area"] == area).to_numpy()
        a = np.where(mine, data["a"], 0).astype(float)
        b = np.where(mine, data["b"], 0).astype(float)
        la, lb = k @ a, k @ b
        dd = 0.5 * np.abs(la / a.sum() - lb / b.sum()).sum()
        tt = la + lb
        ok = tt > 0
        big_p = a.sum() / (a.sum() + b.sum())
        hh = 1 - (tt[ok] * _entropy(la[ok] / tt[ok])).sum() / (
            (a.sum() + b.sum()) * _entropy(big_p))
        row = table[table["area"] == area].set_index("index")["value"]
        assert row["spatial_dissimilarity"] == pytest.approx(dd, rel=1e-12)
        assert row["spatial_theil_h"] == pytest.approx(hh, rel=1e-12)


# ------------------------------------------------------------------ the real 2019 case


def test_real_2019_case_every_value_between_zero_and_aspatial(real_2019):
    bandwidths = [250, 500, 1000, 2000, 4000, 8000]
    table = spatial_segregation(
        real_2019, "school", "a", "b", x="x", y="y", crs=CRS, area="municipality",
        total="pupils", bandwidth=bandwidths, indices=["dissimilarity", "theil_h"],
        spatial_indices=DH, permutations=0, **NO_FILTERS).table
    aspatial = table[table["bandwidth"].isna()].pivot(index="area", columns="index",
                                                      values="value")
    spatial = table[table["bandwidth"].notna()]
    checked = 0
    for name, base in (("spatial_dissimilarity", "dissimilarity"),
                       ("spatial_theil_h", "theil_h")):
        part = spatial[spatial["index"] == name].dropna(subset=["value"])
        ref = aspatial.loc[part["area"], base].to_numpy()
        assert (part["value"].to_numpy() >= -1e-12).all()
        assert (part["value"].to_numpy() <= ref + 1e-12).all()
        assert len(part) == 6 * 352  # every municipality with two schools or more
        checked += len(part)
        # not a theorem (see the counterexamples above), but true of this case: every
        # municipality's spatial D and H fall with the bandwidth
        wide = part.pivot(index="area", columns="bandwidth", values="value")
        assert (np.diff(wide.to_numpy(), axis=1) <= 1e-12).all()
    assert checked == 2 * 2112
