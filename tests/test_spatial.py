"""Spatial indices: local environments, profiles, decomposition, checkerboard diagnostics."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from segspatial import dissimilarity, segregation, theil_h
from segspatial.demo import demo_counts
from segspatial.schema import RESULT_COLUMNS
from segspatial.spatial import (
    local_measures,
    multiscale_profile,
    spatial_segregation,
    spatial_weights,
)

CRS = "EPSG:28992"
NO_FILTERS = {"min_unit_size": 0, "min_area_size": 0}
#: An origin inside RD New's area of use: toy towns are laid out from here.
X0, Y0 = 100_000.0, 400_000.0


def _town(pattern: str, side: int = 8, spacing: float = 500.0, code: str = "T",
          x0: float = 100_000.0, y0: float = 400_000.0) -> pd.DataFrame:
    """A side x side grid of schools of 100 pupils: 80/20 or 20/80 by ``pattern``."""
    gx, gy = np.meshgrid(np.arange(side), np.arange(side))
    gx, gy = gx.ravel(), gy.ravel()
    if pattern == "halves":
        mostly_a = gx < side // 2
    else:
        mostly_a = (gx + gy) % 2 == 0
    return pd.DataFrame({
        "area": code,
        "school": [f"{code}{i:03d}" for i in range(gx.size)],
        "a": np.where(mostly_a, 80, 20),
        "b": np.where(mostly_a, 20, 80),
        "x": x0 + gx * spacing,
        "y": y0 + gy * spacing,
    })


def _two_towns() -> pd.DataFrame:
    return pd.concat([_town("halves", code="H"),
                      _town("checkerboard", code="C", x0=200_000.0)], ignore_index=True)


def _run(data: pd.DataFrame, **kwargs) -> pd.DataFrame:
    options = {"x": "x", "y": "y", "crs": CRS, **NO_FILTERS}
    options.update(kwargs)
    return spatial_segregation(data, "school", "a", "b", **options).table


def _value(table: pd.DataFrame, index: str, bandwidth: float | None = None,
           area: str | None = None) -> float:
    sel = table["index"] == index
    if bandwidth is not None:
        sel &= table["bandwidth"] == bandwidth
    if area is not None:
        sel &= table["area"] == area
    values = table.loc[sel, "value"]
    assert len(values) == 1, table.loc[sel]
    return float(values.iloc[0])


@pytest.fixture(scope="module")
def demo():
    return demo_counts()


# ------------------------------------------------------------------ identities


@pytest.mark.parametrize("options", [
    {"bandwidth": 0.0},
    {"bandwidth": 1.0, "kernel": "boxcar"},       # closer than any two schools
    {"bandwidth": 0.1, "kernel": "gaussian"},     # cut off at 5h = 0.5 m
    {"bandwidth": 1.0, "kernel": "biweight"},
    {"k": 0},
])
def test_self_weights_only_give_the_aspatial_indices(demo, options):
    table = spatial_segregation(
        demo, "school", "a", "b", x="x", y="y", crs=CRS, area="municipality", year="year",
        total="total", indices=["dissimilarity", "theil_h"],
        spatial_indices=["spatial_dissimilarity", "spatial_theil_h"], **options,
    ).table
    key = ["area", "year"]
    wide = table.pivot_table(index=key, columns="index", values="value")
    assert len(wide) == 40  # 4 towns x 10 years (Rivierwoude is below min_area_size)
    np.testing.assert_allclose(wide["spatial_dissimilarity"], wide["dissimilarity"],
                               rtol=0, atol=1e-12)
    np.testing.assert_allclose(wide["spatial_theil_h"], wide["theil_h"], rtol=0, atol=1e-12)


def test_aspatial_rows_are_those_of_segregation(demo):
    opts = {"area": "municipality", "year": "year", "total": "total"}
    plain = segregation(demo, "school", "a", "b", **opts).table
    spatial = spatial_segregation(demo, "school", "a", "b", x="x", y="y", crs=CRS,
                                  bandwidth=1000, spatial_indices="spatial_dissimilarity",
                                  **opts).table
    aspatial = spatial[spatial["bandwidth"].isna()]
    pd.testing.assert_frame_equal(aspatial.reset_index(drop=True), plain)
    assert list(spatial.columns) == list(plain.columns) == RESULT_COLUMNS


def test_bandwidth_beyond_the_area_makes_every_local_share_p(demo):
    table = spatial_segregation(
        demo, "school", "a", "b", x="x", y="y", crs=CRS, area="municipality", year="year",
        total="total", bandwidth=[1e7], kernel="boxcar",
        spatial_indices=["spatial_dissimilarity", "spatial_theil_h"]).table
    spatial = table[table["bandwidth"] == 1e7]
    assert len(spatial) == 80
    np.testing.assert_allclose(spatial["value"], 0.0, atol=1e-12)
    # the gaussian never quite gets there, but comes close
    gauss = spatial_segregation(
        demo, "school", "a", "b", x="x", y="y", crs=CRS, area="municipality", year="year",
        bandwidth=1e6, spatial_indices="spatial_dissimilarity").table
    assert gauss.loc[gauss["bandwidth"] == 1e6, "value"].abs().max() < 1e-3


# ------------------------------------------------------------------ hand-computed


def _entropy(q: np.ndarray) -> np.ndarray:
    q = np.asarray(q, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.nan_to_num(-q * np.log(q) - (1 - q) * np.log(1 - q))


_HAND = pd.DataFrame({"school": ["P", "Q", "R"], "a": [30, 10, 20], "b": [10, 30, 40],
                      "x": [X0, X0 + 400.0, X0 + 1500.0], "y": [Y0] * 3})
# gaussian h = 400: P-Q at 1 h, Q-R at 2.75 h, P-R at 3.75 h (all below 5 h)
_GAUSS = np.exp(-0.5 * (np.array([[0, 400, 1500], [400, 0, 1100], [1500, 1100, 0]]) / 400) ** 2)
# biweight h = 1200: P-Q and Q-R (1100 < 1200), not P-R
_BIWEIGHT = np.array([[1, (1 - (400 / 1200) ** 2) ** 2, 0],
                      [(1 - (400 / 1200) ** 2) ** 2, 1, (1 - (1100 / 1200) ** 2) ** 2],
                      [0, (1 - (1100 / 1200) ** 2) ** 2, 1]])


@pytest.mark.parametrize(("kernel", "h", "w"), [("gaussian", 400.0, _GAUSS),
                                                ("biweight", 1200.0, _BIWEIGHT)])
def test_hand_computed_dispersal(kernel, h, w):
    a, b = _HAND["a"].to_numpy(float), _HAND["b"].to_numpy(float)
    k = w / w.sum(axis=0, keepdims=True)  # each school's pupils spread over its surroundings
    la, lb = k @ a, k @ b
    big_a, big_b = a.sum(), b.sum()
    d = 0.5 * np.abs(la / big_a - lb / big_b).sum()
    big_p = big_a / (big_a + big_b)
    hh = 1 - ((la + lb) * _entropy(la / (la + lb))).sum() / ((big_a + big_b) * _entropy(big_p))
    table = _run(_HAND, bandwidth=h, kernel=kernel, indices="dissimilarity",
                 spatial_indices=["spatial_dissimilarity", "spatial_theil_h"])
    assert _value(table, "spatial_dissimilarity") == pytest.approx(d, rel=1e-12)
    assert _value(table, "spatial_theil_h") == pytest.approx(hh, rel=1e-12)
    np.testing.assert_allclose(la.sum(), big_a, rtol=1e-14)  # every pupil counted once


@pytest.mark.parametrize(("kernel", "h", "w"), [("gaussian", 400.0, _GAUSS),
                                                ("biweight", 1200.0, _BIWEIGHT)])
def test_hand_computed_reardon_osullivan(kernel, h, w):
    a, b = _HAND["a"].to_numpy(float), _HAND["b"].to_numpy(float)
    t, big_p = a + b, 60.0 / 140.0
    la, lb = w @ a, w @ b
    p = la / (la + lb)
    d = sum(t * abs(p - big_p)) / (2 * 140 * big_p * (1 - big_p))
    hh = 1 - (t * _entropy(p)).sum() / (140 * _entropy(big_p))
    table = _run(_HAND, bandwidth=h, kernel=kernel, indices="dissimilarity",
                 definition="reardon_osullivan",
                 spatial_indices=["spatial_dissimilarity", "spatial_theil_h"])
    assert set(table["index"]) == {"dissimilarity", "spatial_dissimilarity_ro",
                                   "spatial_theil_h_ro"}
    assert _value(table, "spatial_dissimilarity_ro") == pytest.approx(d, rel=1e-12)
    assert _value(table, "spatial_theil_h_ro") == pytest.approx(hh, rel=1e-12)


def test_reardon_osullivan_can_be_negative_dispersal_cannot():
    """The own-weight form's edge effect: the only A pupils sit in the middle school,
    whose local share is then the highest while the outer schools' local shares are
    pulled up too; weighted by the schools' own pupils H̃ drops below 0. The dispersal
    H stays between 0 and H."""
    data = pd.DataFrame({"school": ["p", "q", "r"], "a": [0, 10, 0], "b": [60, 30, 80],
                         "x": [X0 + 400.0, X0 + 700.0, X0 + 900.0], "y": [Y0] * 3})
    options = {"bandwidth": 400, "kernel": "boxcar", "indices": "theil_h",
               "spatial_indices": "spatial_theil_h"}
    ro = _value(_run(data, definition="reardon_osullivan", **options), "spatial_theil_h_ro")
    w = np.array([[1, 1, 0], [1, 1, 1], [0, 1, 1]], dtype=float)
    a, b = data["a"].to_numpy(float), data["b"].to_numpy(float)
    p_local = (w @ a) / (w @ (a + b))
    big_p = a.sum() / (a + b).sum()
    expected = 1 - ((a + b) * _entropy(p_local)).sum() / ((a + b).sum() * _entropy(big_p))
    assert ro == pytest.approx(expected, rel=1e-12)
    assert ro < -0.3
    dispersal = _run(data, **options)
    assert 0 <= _value(dispersal, "spatial_theil_h") <= _value(dispersal, "theil_h")


def test_gaussian_cut_off_at_five_bandwidths():
    g = spatial_weights([X0, X0 + 499, X0 + 501], [Y0] * 3, crs=CRS, bandwidth=100)
    m = g.sparse.toarray()
    assert m[0, 1] == pytest.approx(math.exp(-0.5 * 4.99 ** 2), rel=1e-12)
    assert m[0, 2] == 0.0 and m[0, 0] == 1.0


def test_knn_weights_and_blocks():
    x = [X0 + v for v in (0, 100, 250, 1000, 1100)]
    g = spatial_weights(x, [Y0] * 5, crs=CRS, k=1, ids=list("abcde"),
                        block=[1, 1, 1, 2, 2])
    m = g.sparse.toarray()
    np.testing.assert_array_equal(m, [[1, 1, 0, 0, 0], [1, 1, 0, 0, 0], [0, 1, 1, 0, 0],
                                      [0, 0, 0, 1, 1], [0, 0, 0, 1, 1]])
    assert list(g.unique_ids) == list("abcde")
    # k beyond the block size: only the block's own units
    m2 = spatial_weights(x, [Y0] * 5, crs=CRS, k=10, block=[1, 1, 1, 2, 2]).sparse.toarray()
    assert m2[:3, 3:].sum() == 0 and m2[3:, :3].sum() == 0 and m2[:3, :3].min() == 1


def test_boxcar_matches_libpysal_graph():
    from libpysal.graph import Graph

    rng = np.random.default_rng(3)
    x, y = X0 + rng.uniform(0, 3000, 40), Y0 + rng.uniform(0, 3000, 40)
    import geopandas as gpd

    # distances do not change under translation; libpysal gets centred coordinates
    # (its distances lose ~1e-8 of relative precision at RD New's 1e5 m offsets)
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x - X0, y - Y0), crs=CRS)
    for ours_kernel, theirs_kernel, factor in (("boxcar", "boxcar", 1.0),
                                               ("biweight", "bisquare", 16 / 15)):
        ours = spatial_weights(x, y, crs=CRS, bandwidth=800, kernel=ours_kernel).sparse
        theirs = Graph.build_kernel(points, kernel=theirs_kernel, bandwidth=800).sparse
        expected = theirs.toarray() * factor + np.eye(40)
        np.testing.assert_allclose(ours.toarray(), expected, rtol=1e-12, atol=1e-15)


# ------------------------------------------------------------------ halves vs checkerboard


def test_halves_and_checkerboard_same_aspatial_different_spatial():
    table = _run(_two_towns(), area="area", bandwidth=[500, 1000], rng=7, permutations=199,
                 spatial_indices=["spatial_dissimilarity", "spatial_theil_h"])
    for index in ("dissimilarity", "theil_h", "correlation"):
        assert _value(table, index, area="H") == pytest.approx(_value(table, index, area="C"),
                                                               rel=1e-12)
    assert _value(table, "dissimilarity", area="H") == pytest.approx(0.6, rel=1e-12)
    for h in (500, 1000):
        halves = _value(table, "spatial_theil_h", h, "H")
        checker = _value(table, "spatial_theil_h", h, "C")
        assert halves > 5 * max(checker, 1e-3), (h, halves, checker)
        assert _value(table, "spatial_dissimilarity", h, "H") > 3 * _value(
            table, "spatial_dissimilarity", h, "C")


def test_morans_i_positive_for_halves_negative_for_checkerboard():
    table = _run(_two_towns(), area="area", k=4, rng=11, permutations=499,
                 spatial_indices=["morans_i", "morans_i_p"])
    assert _value(table, "morans_i", 4, "H") > 0.5
    assert _value(table, "morans_i", 4, "C") < -0.5
    assert _value(table, "morans_i_p", 4, "H") <= 2 / 500
    assert _value(table, "morans_i_p", 4, "C") <= 2 / 500
    # interior of a perfect checkerboard with rook neighbours: I = -1 exactly
    small = _town("checkerboard", side=2)
    t = _run(small, k=2, spatial_indices="morans_i")
    assert _value(t, "morans_i") == pytest.approx(-1.0, rel=1e-12)


def test_morans_i_matches_esda():
    import esda
    from libpysal.weights import WSP

    data = demo_counts().query("municipality == 'GM9001' and year == 2015")
    for options in ({"bandwidth": 800.0}, {"k": 6}):
        table = _run(data, spatial_indices="morans_i", **options)
        g = spatial_weights(data["x"], data["y"], crs=CRS, **options).sparse.tolil()
        g.setdiag(0)
        w = WSP(g.tocsr()).to_W(silence_warnings=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            share = (data["a"] / (data["a"] + data["b"])).to_numpy()
            theirs = esda.Moran(share, w, transformation="r", permutations=0).I
        assert _value(table, "morans_i") == pytest.approx(theirs, rel=1e-12)


def test_permutation_p_value_is_reproducible_and_sensible():
    data = _two_towns()
    one = _run(data, area="area", bandwidth=700, rng=5, spatial_indices="morans_i_p",
               permutations=99)
    two = _run(data, area="area", bandwidth=700, rng=np.random.default_rng(5),
               spatial_indices="morans_i_p", permutations=99)
    pd.testing.assert_frame_equal(one, two)
    p = one.loc[one["index"] == "morans_i_p", "value"].to_numpy()
    assert ((p >= 1 / 100) & (p <= 1)).all()
    # random shares: the p-value is not small
    rng = np.random.default_rng(1)
    noise = _town("halves", side=10)
    noise["a"] = rng.permutation(noise["a"].to_numpy())
    noise["b"] = 100 - noise["a"]
    p_noise = _value(_run(noise, bandwidth=700, rng=2, spatial_indices="morans_i_p",
                          permutations=199), "morans_i_p")
    assert p_noise > 0.01


def test_values_and_permutations_do_not_depend_on_the_other_areas_or_the_row_order(
        monkeypatch):
    """Each area-year draws Moran's permutations from its own stream keyed by area and
    year, over its units in id order, and sums over its own weights only: an area
    computed alone, with other areas, from shuffled rows or in other permutation
    batches gets bit-identical values and p-values (QGIS computes areas in batches and
    must give the command line's numbers)."""
    from segspatial.spatial import diagnostics

    panel = demo_counts()
    options = dict(area="municipality", year="year", total="total", rng=7,
                   permutations=199, bandwidth=[500.0, 1000.0])
    keys = ["area", "year", "index", "bandwidth"]

    def run(data):
        return _run(data, **options).sort_values(keys).reset_index(drop=True)

    whole = run(panel)
    assert whole["index"].eq("morans_i_p").sum() == 5 * 10 * 2
    assert whole.loc[whole["index"].eq("morans_i_p"), "value"].nunique() > 20
    one = panel[panel["municipality"] == "GM9002"]
    alone = run(one)
    mine = whole[whole["area"] == "GM9002"].reset_index(drop=True)
    pd.testing.assert_frame_equal(mine, alone, rtol=0, atol=0)
    shuffled = panel.sample(frac=1.0, random_state=3)
    pd.testing.assert_frame_equal(whole, run(shuffled), rtol=0, atol=0)
    monkeypatch.setattr(diagnostics, "_PERMUTATION_BATCH", 7)
    pd.testing.assert_frame_equal(whole, run(panel), rtol=0, atol=0)
    other = _run(panel, **{**options, "rng": 8})
    assert not np.array_equal(
        other.loc[other["index"].eq("morans_i_p"), "value"].to_numpy(),
        _run(panel, **options).query("index == 'morans_i_p'")["value"].to_numpy(),
        equal_nan=True)


def test_demo_havenstad_and_polderdam_are_told_apart(demo):
    table = spatial_segregation(
        demo, "school", "a", "b", x="x", y="y", crs=CRS, area="municipality_name",
        year="year", total="total", bandwidth=1000, permutations=99, rng=3,
    ).table
    t = table[table["year"] == 2018]
    haven, polder = "Havenstad", "Polderdam"
    assert abs(_value(t, "dissimilarity", area=haven)
               - _value(t, "dissimilarity", area=polder)) < 0.05
    assert _value(t, "spatial_dissimilarity", 1000, haven) > 4 * _value(
        t, "spatial_dissimilarity", 1000, polder)
    assert _value(t, "spatial_theil_h", 1000, haven) > 0.1 > _value(
        t, "spatial_theil_h", 1000, polder)
    assert _value(t, "morans_i", 1000, haven) > 0 > _value(t, "morans_i", 1000, polder)
    assert _value(t, "morrill_d", area=haven) > 2 * _value(t, "morrill_d", area=polder)


def test_readme_demo_numbers(demo):
    """The numbers the README quotes for Havenstad and Polderdam (2018)."""
    table = spatial_segregation(
        demo, "school", "a", "b", x="x", y="y", crs=CRS, area="municipality_name",
        year="year", total="total", bandwidth=[500, 1000], permutations=0).table
    t = table[table["year"] == 2018]

    def r(index, area, bandwidth=None, digits=2):
        return round(_value(t, index, bandwidth, area), digits)

    assert (r("dissimilarity", "Havenstad"), r("dissimilarity", "Polderdam")) == (0.62, 0.62)
    assert r("spatial_dissimilarity", "Havenstad", 1000) == 0.52
    assert r("spatial_dissimilarity", "Polderdam", 1000) == 0.06
    keep = {area: _value(t, "spatial_theil_h", 1000, area) / _value(t, "theil_h", area=area)
            for area in ("Havenstad", "Polderdam")}
    assert (round(keep["Havenstad"], 2), round(keep["Polderdam"], 2)) == (0.71, 0.02)
    assert (r("morans_i", "Havenstad", 500), r("morans_i", "Polderdam", 500)) == (0.84, -0.43)
    assert (r("morrill_d", "Havenstad"), r("morrill_d", "Polderdam")) == (0.51, 0.20)


# ------------------------------------------------------------------ decomposition


def _halves_districts(x0: float, side: int = 8, spacing: float = 500.0):
    import geopandas as gpd
    from shapely.geometry import box

    y0 = 400_000.0
    mid = x0 + (side // 2 - 0.5) * spacing
    return gpd.GeoDataFrame(
        {"code": ["W", "E"]},
        geometry=[box(x0 - 300, y0 - 300, mid, y0 + side * spacing),
                  box(mid, y0 - 300, x0 + side * spacing, y0 + side * spacing)],
        crs=CRS,
    )


def test_between_plus_within_is_theil_h():
    data = _town("halves", code="H")
    districts = _halves_districts(100_000.0)
    t = _run(data, districts=districts, district_code="code", bandwidth=500,
             spatial_indices=["theil_h_between", "theil_h_within"])
    h = _value(t, "theil_h")
    assert _value(t, "theil_h_between") == pytest.approx(h, rel=1e-12)  # halves: all between
    assert _value(t, "theil_h_within") == pytest.approx(0.0, abs=1e-12)
    checker = _town("checkerboard", code="C")
    t = _run(checker, districts=districts, district_code="code",
             spatial_indices=["theil_h_between", "theil_h_within"])
    assert _value(t, "theil_h_between") == pytest.approx(0.0, abs=1e-12)
    assert _value(t, "theil_h_within") == pytest.approx(_value(t, "theil_h"), rel=1e-12)


def test_between_plus_within_on_the_demo(demo):
    import geopandas as gpd
    from shapely.geometry import box

    # a 2 km grid of square districts over all demo towns
    xs, ys = np.arange(80_000, 200_000, 2000), np.arange(380_000, 490_000, 2000)
    cells = [box(x, y, x + 2000, y + 2000) for x in xs for y in ys]
    grid = gpd.GeoDataFrame({"cell": np.arange(len(cells))}, geometry=cells, crs=CRS)
    t = spatial_segregation(
        demo, "school", "a", "b", x="x", y="y", crs=CRS, area="municipality", year="year",
        total="total", districts=grid, district_code="cell", bandwidth=1000,
        spatial_indices=["theil_h_between", "theil_h_within"]).table
    wide = t.pivot_table(index=["area", "year"], columns="index", values="value")
    np.testing.assert_allclose(wide["theil_h_between"] + wide["theil_h_within"],
                               wide["theil_h"], rtol=1e-12, atol=1e-15)
    assert (wide["theil_h_between"] > 0).all() and (wide["theil_h_within"] > 0).all()


def test_units_outside_every_district_are_counted():
    import geopandas as gpd
    from shapely.geometry import box

    data = _town("halves", side=4)
    # a district covering only the first two columns; snap 0 leaves the others out
    districts = gpd.GeoDataFrame({"code": ["W"]}, geometry=[box(99_000, 399_000, 100_700,
                                                                  402_000)], crs=CRS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = spatial_segregation(data, "school", "a", "b", x="x", y="y", crs=CRS,
                                  districts=districts, district_code="code", snap=0,
                                  spatial_indices=["theil_h_between", "theil_h_within"],
                                  **NO_FILTERS)
    out = res.exclusions[res.exclusions["reason"] == "outside_districts"]
    assert int(out["n_units"].sum()) == 8 and float(out["n_pupils"].sum()) == 800
    # the 8 units in the district are all mostly A: nothing between, nothing within
    assert _value(res.table, "theil_h_between") == pytest.approx(0.0, abs=1e-12)
    # with snapping every unit joins the district
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = spatial_segregation(data, "school", "a", "b", x="x", y="y", crs=CRS,
                                  districts=districts, district_code="code", snap=5000,
                                  spatial_indices=["theil_h_between", "theil_h_within"],
                                  **NO_FILTERS)
    assert "outside_districts" not in set(res.exclusions["reason"])
    assert _value(res.table, "theil_h_within") == pytest.approx(
        _value(res.table, "theil_h"), rel=1e-12)


# ------------------------------------------------------------------ Morrill


def _pysal_morrill(data: pd.DataFrame, w) -> float:
    """PySAL's SpatialDissim (Morrill's D) with binary weights ``w``."""
    import geopandas as gpd
    from segregation.singlegroup import SpatialDissim

    frame = gpd.GeoDataFrame({"a": data["a"].to_numpy(),
                              "t": (data["a"] + data["b"]).to_numpy()},
                             geometry=gpd.points_from_xy(data["x"], data["y"]), crs=CRS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return SpatialDissim(frame, "a", "t", w=w).statistic


def _voronoi_rook(xy: np.ndarray):
    """Rook contiguity of the unbounded Voronoi cells, from scipy's Voronoi ridges:
    a ridge to infinity or of positive length (independent of our Delaunay code)."""
    from libpysal.weights import W
    from scipy.spatial import Voronoi

    vor = Voronoi(xy)
    neighbours: dict[int, list[int]] = {i: [] for i in range(len(xy))}
    for (p, q), ridge in zip(vor.ridge_points, vor.ridge_vertices, strict=True):
        if -1 in ridge or np.hypot(*(vor.vertices[ridge[0]] - vor.vertices[ridge[1]])) > 1e-6:
            neighbours[int(p)].append(int(q))
            neighbours[int(q)].append(int(p))
    return W(neighbours, silence_warnings=True)


@pytest.mark.parametrize("where", ["demo", "grid"])
def test_morrill_matches_pysal_on_unbounded_voronoi_contiguity(where):
    """Frame-free contiguity = the unbounded Voronoi diagram's rook contiguity (scipy),
    also on a square grid, where diagonal neighbours touch at a point only; and in
    general position the Delaunay graph of libpysal."""
    from libpysal.graph import Graph

    if where == "demo":
        data = demo_counts().query("municipality == 'GM9002' and year == 2012")
    else:
        data = _town("checkerboard", side=5)
        data["a"] = np.random.default_rng(2).integers(0, 100, len(data))
    table = _run(data, spatial_indices="morrill_d")
    coords = np.column_stack([data["x"], data["y"]]).astype(float)
    theirs = _pysal_morrill(data, _voronoi_rook(coords))
    assert _value(table, "morrill_d") == pytest.approx(theirs, rel=1e-12)
    assert set(table.loc[table["index"] == "morrill_d", "kernel"]) == {"delaunay"}
    if where == "demo":  # general position: every Delaunay edge is a Voronoi edge
        delaunay = Graph.build_triangulation(coords, method="delaunay").to_W()
        assert _value(table, "morrill_d") == pytest.approx(
            _pysal_morrill(data, delaunay), rel=1e-12)
    else:  # the grid's rook neighbours: 2 * 5 * 4 links
        assert _voronoi_rook(coords).s0 == 80


def test_morrill_has_no_hidden_frame():
    """The same schools give the same Morrill's D wherever the others are: adding a
    far-away area (which changed the old Voronoi frame) changes nothing."""
    town = _town("halves", side=4, code="T")
    town["a"] = np.random.default_rng(5).integers(0, 100, len(town))
    alone = _value(_run(town, area="area", spatial_indices="morrill_d"), "morrill_d", area="T")
    far = _town("halves", side=2, code="F", x0=X0 + 60_000)
    both = _run(pd.concat([town, far]), area="area", spatial_indices="morrill_d")
    assert _value(both, "morrill_d", area="T") == alone
    # and scaling the layout (the frame grew with it before) changes nothing either
    wide = town.assign(x=X0 + (town["x"] - X0) * 3, y=Y0 + (town["y"] - Y0) * 3)
    assert _value(_run(wide, spatial_indices="morrill_d"), "morrill_d") == pytest.approx(
        alone, rel=1e-12)


def test_morrill_hand_case_and_clipping():
    import geopandas as gpd
    from shapely.geometry import MultiPolygon, box

    data = pd.DataFrame({"school": ["P", "Q", "R"], "area": "A", "a": [8, 2, 5],
                         "b": [2, 8, 5], "x": [X0, X0 + 10.0, X0 + 20.0], "y": [Y0] * 3})
    t = _run(data, area="area", spatial_indices="morrill_d")
    d = dissimilarity(data["a"], data["b"])
    # collinear: P-Q and Q-R are contiguous, mean |p_i - p_j| = (0.6 + 0.3) / 2
    assert _value(t, "morrill_d") == pytest.approx(d - 0.45, rel=1e-12)
    # an area in two pieces cuts the P-Q catchment border: only Q-R remain contiguous
    area = gpd.GeoDataFrame({"code": ["A"]}, geometry=[MultiPolygon(
        [box(X0 - 5, Y0 - 5, X0 + 4, Y0 + 5), box(X0 + 6, Y0 - 5, X0 + 25, Y0 + 5)])],
        crs=CRS)
    t = _run(data, area="area", boundaries=area, area_code="code",
             morrill_contiguity="voronoi_clipped", spatial_indices="morrill_d")
    assert _value(t, "morrill_d") == pytest.approx(d - 0.3, rel=1e-12)
    assert set(t.loc[t["index"] == "morrill_d", "kernel"]) == {"voronoi_clipped"}
    # boundaries without asking for clipping: refused, not silently used or ignored
    with pytest.raises(ValueError, match="morrill_contiguity='voronoi_clipped'"):
        _run(data, area="area", boundaries=area, area_code="code")
    # co-located units share a catchment
    same = data.assign(x=[X0, X0, X0 + 50.0])
    t = _run(same, area="area", spatial_indices="morrill_d")
    assert _value(t, "morrill_d") == pytest.approx(d - (0.6 + 0.3 + 0.3) / 3, rel=1e-12)


# ------------------------------------------------------------------ context, PySAL


def test_context_all_lets_neighbours_cross_the_border():
    """P and Q (area X) are 600 m apart, R (area Y) 300 m from both. Within X nobody is
    within 500 m: the aspatial D. With national context X's pupils also spread to R's
    location, where P's and Q's pupils meet: D halves."""
    data = pd.DataFrame({"school": ["P", "Q", "R", "S"], "area": ["X", "X", "Y", "Y"],
                         "a": [80, 20, 50, 30], "b": [20, 80, 50, 70],
                         "x": [X0, X0 + 600.0, X0 + 300.0, X0 + 9000.0], "y": [Y0] * 4})
    common = {"area": "area", "bandwidth": 500, "kernel": "boxcar", "indices": "dissimilarity",
              "spatial_indices": "spatial_dissimilarity"}
    inside = _run(data, **common)
    across = _run(data, context="all", **common)
    assert _value(inside, "spatial_dissimilarity", 500, "X") == pytest.approx(0.6)
    # P: 40/10 stay, 40/10 to R; Q: 10/40 stay, 10/40 to R -> R holds 50/50 of X's pupils
    assert _value(across, "spatial_dissimilarity", 500, "X") == pytest.approx(0.3)
    # the Reardon & O'Sullivan form mixes R's own pupils into P's and Q's environments:
    # p̃_P = 130/200, p̃_Q = 70/200, P = 0.5: D̃ = (100 * 0.15 * 2) / (2 * 200 * 0.25)
    ro = _run(data, context="all", definition="reardon_osullivan", **common)
    assert _value(ro, "spatial_dissimilarity_ro", 500, "X") == pytest.approx(0.3)


def test_context_all_counts_units_of_small_areas_as_neighbours():
    """A school of a small area (dropped by the area filter) between an A school and a
    B school of the big area is where their pupils meet with national context."""
    big = _town("halves", side=4, code="B")  # columns 0-1 mostly A, 2-3 mostly B
    small = pd.DataFrame({"area": "S", "school": ["S1"], "a": [0], "b": [900],
                          "x": [X0 + 750.0], "y": [Y0]})
    data = pd.concat([big, small], ignore_index=True)
    options = {"area": "area", "bandwidth": 400, "kernel": "boxcar",
               "spatial_indices": "spatial_dissimilarity", "min_area_size": 1000,
               "min_unit_size": 0}
    res = spatial_segregation(data, "school", "a", "b", x="x", y="y", crs=CRS,
                              context="all", **options)
    assert set(res.table["area"]) == {"B"}
    inside = spatial_segregation(data, "school", "a", "b", x="x", y="y", crs=CRS,
                                 **options)
    assert _value(inside.table, "spatial_dissimilarity", 400) == pytest.approx(0.6)
    # the two schools beside S1 (80/20 and 20/80, 250 m away) each send half their
    # pupils there, where they mix 50/50: 14 schools at ½ 60/800, two at ½ 30/800, S1 0
    assert _value(res.table, "spatial_dissimilarity", 400) == pytest.approx(
        14 * 0.5 * 60 / 800 + 2 * 0.5 * 30 / 800, rel=1e-12)


def test_pysal_local_environment_dissim_reproduced():
    """PySAL's Dissim(distance=h, function='uniform') = D of its rounded local
    environments (neighbours weigh 0.5). With even counts nothing is rounded, so our
    local environments reproduce it exactly."""
    import geopandas as gpd
    from segregation.singlegroup import Dissim

    rng = np.random.default_rng(4)
    n = 30
    x, y = X0 + rng.uniform(0, 4000, n), Y0 + rng.uniform(0, 4000, n)
    a = 2 * rng.integers(0, 60, n)
    b = 2 * rng.integers(0, 60, n)
    h = 900.0
    frame = gpd.GeoDataFrame({"a": a, "t": a + b}, geometry=gpd.points_from_xy(x, y), crs=CRS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = Dissim(frame, "a", "t", distance=h, function="uniform").statistic
    box = spatial_weights(x, y, crs=CRS, bandwidth=h, kernel="boxcar").sparse
    local = box @ np.column_stack([a, b]).astype(float)
    la, lb = (local[:, 0] + a) / 2, (local[:, 1] + b) / 2  # neighbours at weight 0.5
    assert dissimilarity(la, lb) == pytest.approx(theirs, rel=1e-12)
    # ... which is not our spatial D: PySAL weights by smoothed totals
    ours = _value(_run(pd.DataFrame({"school": range(n), "a": a, "b": b, "x": x, "y": y}),
                       bandwidth=h, kernel="boxcar", spatial_indices="spatial_dissimilarity"),
                  "spatial_dissimilarity")
    assert ours != pytest.approx(theirs, rel=1e-3)


# ------------------------------------------------------------------ local, profile


def test_local_measures_add_up(demo):
    opts = {"x": "x", "y": "y", "crs": CRS, "area": "municipality", "year": "year",
            "total": "total"}
    local = local_measures(demo, "school", "a", "b", bandwidth=[500, 2000], **opts)
    table = spatial_segregation(demo, "school", "a", "b", bandwidth=[500, 2000],
                                spatial_indices="spatial_dissimilarity", **opts).table
    for h in (500, 2000):
        part = local[local["bandwidth"] == h]
        sums = part.groupby(["area", "year"])[["d_contribution",
                                               "spatial_d_contribution"]].sum()
        d = table[table["index"] == "dissimilarity"].set_index(["area", "year"])["value"]
        sd = table[(table["index"] == "spatial_dissimilarity")
                   & (table["bandwidth"] == h)].set_index(["area", "year"])["value"]
        np.testing.assert_allclose(sums["d_contribution"], d.loc[sums.index], rtol=1e-12)
        np.testing.assert_allclose(sums["spatial_d_contribution"], sd.loc[sums.index],
                                   rtol=1e-12)
        np.testing.assert_allclose(part["gap"], part["p"] - part["p_local"], rtol=0)
    assert {"x", "y", "unit", "p", "p_local", "gap"} <= set(local.columns)
    assert len(local) == 2 * len(table.drop_duplicates(["area", "year"]).merge(
        local[["area", "year", "unit"]].drop_duplicates(), on=["area", "year"]))


def test_local_measures_hand_case():
    data = pd.DataFrame({"school": ["P", "Q", "R"], "a": [30, 10, 20], "b": [10, 30, 20],
                         "x": [X0, X0 + 500.0, X0 + 5000.0], "y": [Y0] * 3})
    m = local_measures(data, "school", "a", "b", x="x", y="y", crs=CRS, bandwidth=1000,
                       kernel="boxcar", **NO_FILTERS)
    np.testing.assert_allclose(m["p"], [0.75, 0.25, 0.5])
    np.testing.assert_allclose(m["p_local"], [0.5, 0.5, 0.5])
    np.testing.assert_allclose(m["d_contribution"], [1 / 6, 1 / 6, 0.0])
    np.testing.assert_allclose(m["spatial_d_contribution"], 0.0, atol=1e-15)


def test_multiscale_profile():
    data = _two_towns()
    profile = multiscale_profile(data, "school", "a", "b", x="x", y="y", crs=CRS,
                                 area="area", **NO_FILTERS)
    assert list(profile.columns) == RESULT_COLUMNS
    assert set(profile["index"]) == {"spatial_dissimilarity", "spatial_theil_h"}
    d0 = profile.query("index == 'spatial_dissimilarity' and bandwidth == 0")
    np.testing.assert_allclose(d0["value"], 0.6, rtol=1e-12)
    halves = profile.query("area == 'H' and index == 'spatial_theil_h'")["value"].to_numpy()
    assert (np.diff(halves) <= 1e-12).all()  # segregation fades with the scale
    mid = profile.query("bandwidth == 500 and index == 'spatial_dissimilarity'")
    mid = mid.set_index("area")["value"]
    assert mid["H"] > 3 * mid["C"]


# ------------------------------------------------------------------ real data


def test_real_2019_case(real_2019):
    res = spatial_segregation(
        real_2019, "school", "a", "b", x="x", y="y", crs=CRS, area="municipality",
        total="pupils", bandwidth=[0, 1000, 4000], permutations=0,
        spatial_indices=["spatial_dissimilarity", "spatial_theil_h", "morans_i"],
        min_area_size=0, min_unit_size=0)
    t = res.table
    assert t["area"].nunique() == 355
    wide = t.pivot_table(index="area", columns=["index", "bandwidth"], values="value",
                         dropna=False)
    d = t[t["index"] == "dissimilarity"].set_index("area")["value"]
    np.testing.assert_allclose(wide[("spatial_dissimilarity", 0.0)], d.loc[wide.index],
                               rtol=0, atol=1e-12)
    ams = wide.loc["GM0363"]
    assert d["GM0363"] == pytest.approx(0.59, abs=0.02)
    assert 0 < ams[("spatial_dissimilarity", 4000.0)] < ams[("spatial_dissimilarity", 1000.0)]
    assert ams[("spatial_dissimilarity", 1000.0)] < d["GM0363"]
    assert ams[("morans_i", 1000.0)] > 0  # disadvantage clusters in parts of the city
    both = spatial_segregation(
        real_2019, "school", "a", "b", x="x", y="y", crs=CRS, area="municipality",
        total="pupils", bandwidth=1000, context="all", permutations=0,
        spatial_indices="spatial_dissimilarity")
    big = real_2019.groupby("municipality")["pupils"].sum() >= 10_000
    assert set(both.table["area"]) == set(big.index[big])  # the report's filter
    assert both.table["value"].notna().all()


# ------------------------------------------------------------------ errors


@pytest.mark.parametrize(("options", "error", "match"), [
    ({"crs": "EPSG:4326"}, ValueError, "projected CRS in metres"),
    ({"kernel": "triangle"}, ValueError, "kernel must be one of gaussian, biweight, boxcar"),
    ({"kernel": 3}, TypeError, "kernel must be a string"),
    ({"bandwidth": -5}, ValueError, "bandwidth must hold finite numbers of metres >= 0"),
    ({"bandwidth": []}, ValueError, "at least one"),
    ({"bandwidth": "500"}, TypeError, "bandwidth must be a number"),
    ({"bandwidth": 500, "k": 4}, ValueError, "either bandwidth .* or k"),
    ({"k": 2.5}, ValueError, "k must hold whole numbers"),
    ({"k": 4, "kernel": "gaussian"}, ValueError, "cannot be combined with k"),
    ({"kernel": "knn"}, ValueError, "kernel='knn' needs k"),
    ({"context": "nation"}, ValueError, "context must be 'area'"),
    ({"permutations": -1}, ValueError, "permutations must be a whole number"),
    ({"rng": "seed"}, TypeError, "rng must be a numpy Generator"),
    ({"spatial_indices": ["moran"]}, ValueError, "spatial_indices: unknown"),
    ({"spatial_indices": ["theil_h_within"]}, ValueError, "need districts"),
    ({"district_code": "code"}, ValueError, "district_code was given without districts"),
    ({"area_code": "code"}, ValueError, "area_code was given without boundaries"),
    ({"snap": -1}, ValueError, "snap must be a distance"),
    ({"x": 1}, TypeError, "x must be a column name"),
    ({"x": "lon"}, ValueError, "missing columns: x='lon'"),
    ({"districts": 5, "district_code": "code"}, TypeError,
     "districts must be a GeoDataFrame or a file path"),
])
def test_errors(options, error, match):
    with pytest.raises(error, match=match):
        _run(_town("halves", side=3), **options)


def test_error_missing_coordinates_and_bad_columns():
    data = _town("halves", side=3)
    data.loc[4, "y"] = np.nan
    with pytest.raises(ValueError, match=r"y: column 'y' has 1 missing .*'T004'"):
        _run(data)
    data = _town("halves", side=3)
    with pytest.raises(ValueError, match="district_code: column 'nope' not in the districts"):
        _run(data, districts=_halves_districts(100_000.0, side=3), district_code="nope")
    with pytest.raises(ValueError, match=r"boundaries need area"):
        _run(data, boundaries=_halves_districts(100_000.0, side=3), area_code="code",
             morrill_contiguity="voronoi_clipped")
    data["area"] = "Z"
    with pytest.raises(ValueError, match=r"boundaries: no polygon for 1 areas, e.g. \['Z'\]"):
        _run(data, area="area", boundaries=_halves_districts(100_000.0, side=3),
             area_code="code", morrill_contiguity="voronoi_clipped")
    with pytest.raises(ValueError, match="give bandwidth"):
        spatial_weights([0, 1], [0, 1], crs=CRS)


def test_undefined_values_carry_a_reason():
    data = _town("halves", side=3)
    data["a"] = 50
    data["b"] = 50
    t = _run(data, bandwidth=[0, 600], permutations=9, rng=1)
    moran = t[(t["index"] == "morans_i")]
    assert moran.loc[moran["bandwidth"] == 0, "reason"].item() == (
        "no unit has a neighbour at this bandwidth")
    assert moran.loc[moran["bandwidth"] == 600, "reason"].item() == (
        "every unit has the same share of A")
    one = _town("halves", side=1)
    t = _run(one, bandwidth=500)
    assert t["value"].isna().all()
    assert set(t["reason"]) == {
        "fewer than 2 units with pupils in the comparison (1 of 1 units)"}


def test_inputs_are_not_modified(demo):
    before = demo.copy()
    spatial_segregation(demo, "school", "a", "b", x="x", y="y", crs=CRS,
                        area="municipality", year="year", bandwidth=1000, permutations=9,
                        rng=0)
    pd.testing.assert_frame_equal(demo, before)


def test_theil_h_scalar_agrees():
    data = _town("checkerboard", side=4)
    t = _run(data, bandwidth=0, spatial_indices="spatial_theil_h")
    assert _value(t, "spatial_theil_h", 0) == pytest.approx(theil_h(data["a"], data["b"]),
                                                            rel=1e-12)


# ------------------------------------------------------------------ CLI


@pytest.fixture()
def demo_csv(tmp_path, demo):
    path = tmp_path / "counts.csv"
    demo.query("year >= 2017").to_csv(path, index=False)
    return path


_COUNTS = ["--unit", "school", "--group-a", "a", "--group-b", "b", "--area",
           "municipality", "--year", "year", "--total", "total"]
_XY = ["--x", "x", "--y", "y", "--crs", "EPSG:28992"]


def test_cli_indices_adds_spatial_rows(demo_csv, tmp_path, demo):
    from segspatial.cli import main

    out = tmp_path / "results.csv"
    status = main(["indices", str(demo_csv), *_COUNTS, *_XY, "--bandwidth", "500",
                   "--bandwidth", "2000", "--kernel", "biweight", "--seed", "3",
                   "--permutations", "19", "--output", str(out), "--quiet"])
    assert status == 0
    table = pd.read_csv(out, dtype={"area": str})
    expected = spatial_segregation(
        demo.query("year >= 2017"), "school", "a", "b", x="x", y="y", crs=CRS,
        area="municipality", year="year", total="total", bandwidth=[500, 2000],
        kernel="biweight", permutations=19, rng=3).table
    assert len(table) == len(expected)
    np.testing.assert_allclose(table["value"], expected["value"], rtol=1e-12)
    assert set(table["kernel"].dropna()) == {"biweight", "delaunay"}


def test_cli_knn_context_and_districts(demo_csv, tmp_path):
    import geopandas as gpd
    from shapely.geometry import box

    from segspatial.cli import main

    grid = gpd.GeoDataFrame({"code": ["W", "E"]}, geometry=[
        box(0, 300_000, 120_000, 600_000), box(120_000, 300_000, 300_000, 600_000)], crs=CRS)
    districts = tmp_path / "districts.geojson"
    grid.to_file(districts)
    out = tmp_path / "results.csv"
    assert main(["indices", str(demo_csv), *_COUNTS, *_XY, "--k", "4", "--context", "all",
                 "--districts", str(districts), "--district-code", "code",
                 "--spatial-indices", "spatial_dissimilarity", "theil_h_between",
                 "theil_h_within", "--output", str(out), "--quiet"]) == 0
    table = pd.read_csv(out)
    assert set(table["index"]) >= {"spatial_dissimilarity", "theil_h_between",
                                   "theil_h_within"}
    assert set(table.loc[table["index"] == "spatial_dissimilarity", "kernel"]) == {"knn"}
    wide = table.pivot_table(index=["area", "year"], columns="index", values="value")
    np.testing.assert_allclose(wide["theil_h_between"] + wide["theil_h_within"],
                               wide["theil_h"], rtol=1e-12)


def test_cli_local(demo_csv, tmp_path, capsys):
    from segspatial.cli import main

    out = tmp_path / "local.csv"
    assert main(["local", str(demo_csv), *_COUNTS, *_XY, "--bandwidth", "750",
                 "--output", str(out)]) == 0
    table = pd.read_csv(out)
    # the unit, area and year columns keep the input's names
    assert {"school", "municipality", "year", "x", "y", "p", "p_local", "gap",
            "d_contribution"} <= set(table.columns)
    assert not {"unit", "area"} & set(table.columns)
    assert (table["bandwidth"] == 750).all()
    assert "Local measures for" in capsys.readouterr().err


@pytest.mark.parametrize(("argv", "match"), [
    (["indices", "{csv}", *_COUNTS, "--bandwidth", "500"], "need unit locations"),
    (["indices", "{csv}", *_COUNTS, *_XY, "--bandwidth", "500", "--k", "3"],
     "either --bandwidth"),
    (["indices", "{csv}", *_COUNTS, *_XY, "--districts", "d.geojson"],
     "--districts and --district-code go together"),
    (["local", "{csv}", *_COUNTS], "local measures need unit locations"),
    (["indices", "{csv}", *_COUNTS, "--x", "x", "--y", "y", "--crs", "EPSG:4326",
      "--distance-crs", "EPSG:4326", "--bandwidth", "500"], "projected CRS"),
])
def test_cli_errors(demo_csv, capsys, argv, match):
    from segspatial.cli import main

    argv = [str(demo_csv) if a == "{csv}" else a for a in argv]
    assert main(argv) == 2
    assert match in capsys.readouterr().err


def test_extra_columns_cannot_clash():
    from segspatial.counts import prepare_counts

    data = _town("halves", side=2)
    with pytest.raises(ValueError, match=r"extra: names \['a'\] clash"):
        prepare_counts(data, "school", "a", "b", extra={"a": "x"})
    frame = prepare_counts(data, "school", "a", "b", extra={"px": "x"}).frame
    np.testing.assert_array_equal(frame["px"], data["x"])


def test_cli_local_counts_what_it_leaves_out(tmp_path, capsys):
    from segspatial.cli import main

    frame = pd.DataFrame({
        "school": ["s1", "s2", "s3", "s4"], "gm": ["G"] * 4,
        "a": [40, 10, 30, 2], "b": [20, 50, 30, 3],
        "x": [X0, X0 + 800.0, X0 + 1600.0, X0 + 2400.0], "y": [Y0] * 4,
    })
    path = tmp_path / "c.csv"
    frame.to_csv(path, index=False)
    excl = tmp_path / "excl.csv"
    assert main(["local", str(path), "--unit", "school", "--group-a", "a", "--group-b", "b",
                 "--area", "gm", "--x", "x", "--y", "y", "--crs", "EPSG:28992",
                 "--bandwidth", "1000", "--min-area-size", "0", "-o",
                 str(tmp_path / "local.csv"), "--exclusions-output", str(excl)]) == 0
    assert len(pd.read_csv(tmp_path / "local.csv")) == 3  # s4 (5 pupils) is too small
    left_out = pd.read_csv(excl)
    assert left_out.loc[left_out["reason"] == "small_unit", "n_units"].sum() == 1
    assert left_out.loc[left_out["reason"] == "small_unit", "n_pupils"].sum() == 5
    assert ": 1 area-year, 1 unit, 5 pupils [small_unit]" in capsys.readouterr().err
