"""Static maps (matplotlib, Agg): choropleth, report grid, school map, profile plot."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import geopandas as gpd
import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgba
from shapely.geometry import box

from segspatial import SegregationWarning, plot
from segspatial._mapdata import relative_share, select_values

mpl.use("Agg")

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts"
GREY = to_rgba("#c8c8c8")


@pytest.fixture
def squares():
    """Four 1 km squares in a row, EPSG:28992, CBS-like columns."""
    return gpd.GeoDataFrame(
        {"statcode": ["GM0001", "GM0002", "GM0003", "GM0004"],
         "statnaam": ["Alfa", "Bravo", "Charlie", "Delta"]},
        geometry=[box(i * 1000, 0, i * 1000 + 1000, 1000) for i in range(4)],
        crs="EPSG:28992")


@pytest.fixture
def results():
    """Two years, two comparisons; GM0004 has no results; GM0003 NaN in 2019."""
    rows = []
    values = {"GM0001": 0.0, "GM0002": 0.8, "GM0003": np.nan}
    pupils = {"GM0001": 5000, "GM0002": 20000, "GM0003": 12000}
    for year in (2018, 2019):
        for comparison in ("x_vs_y", "u_vs_v"):
            for area, value in values.items():
                v = value if year == 2019 else 0.45
                for index in ("dissimilarity", "theil_h"):
                    rows.append({"area": area, "year": year, "comparison": comparison,
                                 "index": index, "value": v, "n_units": 10,
                                 "n_pupils": pupils[area] + year, "n_a": 100, "n_b": 200})
    return pd.DataFrame(rows)


def _png_std(figure) -> float:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=60)
    buffer.seek(0)
    return float(mpl.image.imread(buffer, format="png")[..., :3].std())


def test_choropleth_continuous_colours_no_data_and_title(squares, results):
    ax = plot.choropleth(results, squares, index="dissimilarity", area_code="statcode",
                         comparison="x_vs_y", year=2019)
    assert len(ax.collections) == 1
    collection = ax.collections[0]
    assert len(collection.get_paths()) == 4  # every boundary feature is drawn
    faces = collection.get_facecolors()
    assert np.allclose(faces[0], mpl.colormaps["RdYlGn_r"](0.0))  # D = 0: dark green
    assert np.allclose(faces[1], mpl.colormaps["RdYlGn_r"](1.0))  # D = 0.8: dark red
    assert np.allclose(faces[2], GREY) and np.allclose(faces[3], GREY)  # NaN, no results
    colorbar_axes = [a for a in ax.figure.axes if a is not ax]
    assert colorbar_axes[0].get_xlabel() == "Dissimilarity index D"
    assert ax.get_title() == "Dissimilarity index D — x_vs_y, 2019"  # an unknown comparison
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["no data"]
    assert _png_std(ax.figure) > 0.05


def test_choropleth_defaults_to_the_latest_year(squares, results):
    ax = plot.choropleth(results, squares, index="theil_h", area_code="statcode",
                         comparison="u_vs_v")
    assert ax.get_title() == "Theil's information index H — u_vs_v, 2019"


def test_choropleth_massey_denton_bands(squares, results):
    ax = plot.choropleth(results, squares, area_code="statcode", comparison="x_vs_y",
                         year=2018, scheme="massey_denton")
    legend = ax.get_legend()
    assert legend.get_title().get_text() == "Dissimilarity index D"
    assert ax.get_title() == "Dissimilarity index D — x_vs_y, 2018"
    assert [t.get_text() for t in legend.get_texts()] == [
        "low (0–0.3)", "moderate (0.3–0.6)", "high (0.6–1)", "no data"]
    faces = ax.collections[0].get_facecolors()
    # 2018: three areas at 0.45 (moderate), coloured by the scale at the band middle
    moderate = mpl.colormaps["RdYlGn_r"](0.45 / 0.8)
    assert all(np.allclose(faces[i], moderate, atol=0.01) for i in range(3))
    assert np.allclose(faces[3], GREY)


def test_choropleth_mapclassify_scheme(squares, results):
    frame = pd.concat([results, results[results["area"] == "GM0001"].assign(area="GM0004",
                                                                        value=0.3)])
    ax = plot.choropleth(frame, squares, area_code="statcode", comparison="x_vs_y",
                         scheme="Quantiles", k=2)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert len(labels) == 3 and labels[-1] == "no data"


def test_choropleth_draws_on_the_given_axes_without_pyplot(squares, results):
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    before = plt.get_fignums()
    ax = Figure().add_subplot()
    out = plot.choropleth(results, squares, area_code="statcode", comparison="x_vs_y",
                          legend=False)
    assert out is not ax and plt.get_fignums() == before
    assert plot.choropleth(results, squares, area_code="statcode", comparison="x_vs_y",
                           ax=ax) is ax


def test_choropleth_accepts_results_joined_to_geometry(squares, results):
    from segspatial.geo import join_areas

    joined = join_areas(results, squares, "statcode")
    ax = plot.choropleth(joined, index="dissimilarity", area_code="statcode",
                         comparison="x_vs_y", year=2019)
    faces = ax.collections[0].get_facecolors()
    assert len(faces) == 4
    assert np.allclose(faces[1], mpl.colormaps["RdYlGn_r"](1.0))
    assert np.allclose(faces[3], GREY)


def test_choropleth_errors(squares, results):
    with pytest.raises(ValueError, match=r"index='nope' is not in the results; available: "
                                         r"\['dissimilarity', 'theil_h'\]"):
        plot.choropleth(results, squares, index="nope", area_code="statcode")
    with pytest.raises(ValueError, match=r"several values of 'comparison'.*comparison="):
        plot.choropleth(results, squares, area_code="statcode")
    with pytest.raises(ValueError, match=r"year=2030 is not in the results; available: "
                                         r"\[2018, 2019\]"):
        plot.choropleth(results, squares, area_code="statcode", comparison="x_vs_y",
                        year=2030)
    with pytest.raises(ValueError, match=r"scheme='bogus' is not known"):
        plot.choropleth(results, squares, area_code="statcode", comparison="x_vs_y",
                        scheme="bogus")
    with pytest.raises(ValueError, match=r"vmin < vmax, got vmin=1, vmax=0"):
        plot.choropleth(results, squares, area_code="statcode", vmin=1, vmax=0)
    with pytest.raises(ValueError, match=r"boundaries has no column\(s\) \['code'\]"):
        plot.choropleth(results, squares, area_code="code", comparison="x_vs_y")
    with pytest.raises(TypeError, match=r"boundaries must be a geopandas GeoDataFrame"):
        plot.choropleth(results, pd.DataFrame(squares), area_code="statcode",
                        comparison="x_vs_y")
    with pytest.raises(TypeError, match=r"ax must be a matplotlib Axes or None, got str"):
        plot.choropleth(results, squares, area_code="statcode", comparison="x_vs_y",
                        ax="here")
    with pytest.raises(ValueError, match=r"bandwidth=500 was given but index "):
        plot.choropleth(results, squares, area_code="statcode", comparison="x_vs_y",
                        bandwidth=500)
    with pytest.raises(ValueError, match=r"cmap='nocmap' is not a matplotlib colour map"):
        plot.choropleth(results, squares, area_code="statcode", comparison="x_vs_y",
                        cmap="nocmap")


def test_results_without_a_polygon_are_reported(squares, results):
    extra = results.iloc[:1].assign(area="GM9999")
    with pytest.warns(SegregationWarning, match=r"1 area .* not drawn: 'GM9999'"):
        plot.choropleth(pd.concat([results, extra]), squares, area_code="statcode",
                        comparison="x_vs_y", year=2018)


def test_selection_needs_one_row_per_area(results):
    one = results[results["index"] == "dissimilarity"]
    spatial = pd.concat([one.assign(index="spatial_d", bandwidth=b, kernel=k)
                         for b in (500.0, 1000.0) for k in ("gaussian", "box")])
    with pytest.raises(ValueError, match=r"several values of 'bandwidth'"):
        select_values(spatial, index="spatial_d", comparison="x_vs_y")
    with pytest.raises(ValueError, match=r"they differ in \['kernel'\]"):
        select_values(spatial, index="spatial_d", comparison="x_vs_y", bandwidth=500)
    chosen = select_values(spatial[spatial["kernel"] == "box"], index="spatial_d",
                           comparison="x_vs_y", bandwidth="1000", year="2018")
    assert chosen.bandwidth == 1000.0 and chosen.year == 2018
    assert chosen.describe() == {"comparison": "x_vs_y", "year": 2018, "bandwidth": 1000.0,
                                 "kernel": "box", "group_a": None, "group_b": None}
    assert chosen.frame["value"].tolist() == [0.45, 0.45, 0.45]


def test_classify_bands_and_schemes():
    classes, bins = plot.classify([0.0, 0.29, 0.3, 0.6, 0.95, np.nan], "massey_denton")
    assert classes.tolist() == [0, 0, 1, 2, 2, -1]
    classes, bins = plot.classify(np.arange(10) / 10, "equal_interval", k=2)
    assert classes.tolist() == [0] * 5 + [1] * 5 and len(bins) == 2
    with pytest.raises(ValueError, match=r"k must be an int of at least 2, got 1"):
        plot.classify([0.1, 0.2], "quantiles", k=1)


def test_report_grid_rows_by_pupils_values_printed(results):
    ax = plot.report_grid(results, comparison="x_vs_y", names={"GM0002": "Bravo"})
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["Bravo", "GM0003", "GM0001"]  # 20000, 12000, 5000 pupils
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2018", "2019"]
    texts = sorted(t.get_text() for t in ax.texts)
    assert texts == sorted(["0.45"] * 3 + ["0.80", "0.00"])  # NaN cell left blank
    image = ax.get_images()[0].get_array()
    assert image.shape == (3, 2) and bool(image.mask[1, 1])
    assert ax.figure.get_suptitle() == "Dissimilarity index D — x_vs_y, 2018–2019"
    assert _png_std(ax.figure) > 0.05


def test_report_grids_side_by_side_and_wrapped(results):
    axes = plot.report_grids(results, index="theil_h")
    assert len(axes) == 2 and [a.get_title() for a in axes] == ["x_vs_y", "u_vs_v"]
    assert [t.get_text() for t in axes[1].get_yticklabels()] == [""] * 3
    axes = plot.report_grids(results, comparisons=["u_vs_v", "x_vs_y"], ncols=1)
    assert [a.get_yticklabels()[0].get_text() for a in axes] == ["GM0002"] * 2
    with pytest.raises(ValueError, match=r"axes must hold one Axes per comparison \(2\)"):
        plot.report_grids(results, axes=[axes[0]])
    with pytest.raises(ValueError, match=r"ncols must be a positive int, got 0"):
        plot.report_grids(results, ncols=0)


def test_report_grid_errors(results):
    with pytest.raises(ValueError, match=r"several values of 'comparison'"):
        plot.report_grid(results)
    with pytest.raises(ValueError, match=r"results has no column\(s\) \['index'\]"):
        plot.report_grid(results.drop(columns="index"))
    with pytest.raises(ValueError, match=r"several 'dissimilarity' values per area and "):
        plot.report_grid(pd.concat([results, results]), comparison="x_vs_y")


@pytest.fixture
def schools():
    return pd.DataFrame({
        "school": ["s1", "s2", "s3", "s4"], "name": ["A", "B", "C", "D"],
        "a": [10, 30, 20, 0], "b": [90, 70, 80, 50],
        "x": [0.0, 100.0, 200.0, 300.0], "y": [0.0, 50.0, 0.0, 50.0],
        "muni": ["GM1", "GM1", "GM2", "GM2"]})


def test_relative_share_is_centred():
    rel = relative_share(np.array([0.0, 0.1, 0.2, 0.6, 1.0]), np.full(5, 0.2))
    assert np.allclose(rel, [0.0, 0.25, 0.5, 0.75, 1.0], rtol=0, atol=1e-12)


def test_school_map_sizes_colours_legend(schools):
    ax = plot.school_map(schools, "school", "a", "b", x="x", y="y",
                         boundaries=box(-50, -50, 350, 100))
    scatter = [c for c in ax.collections if len(c.get_offsets()) == 4][0]
    sizes = dict(zip(map(tuple, scatter.get_offsets()), scatter.get_sizes(), strict=True))
    assert sizes[(0.0, 0.0)] == pytest.approx(250.0) and sizes[(300.0, 50.0)] == \
        pytest.approx(125.0)
    legend = ax.get_legend()
    assert legend.get_title().get_text() == "Pupils per school"
    bar_axes = [a for a in ax.figure.axes if a is not ax][0]
    assert bar_axes.get_xlabel() == "Share of group A (white: the area's 17.1%)"
    assert ax.get_title() == "Share of group A per school"
    assert len(ax.lines) + len(ax.collections) >= 2  # the outline and the schools
    assert _png_std(ax.figure) > 0.02


def test_school_map_centres_on_each_area(schools):
    ax = plot.school_map(schools, "school", "a", "b", x="x", y="y", area="muni")
    assert len(ax.collections) == 1  # the schools, nothing else
    scatter = ax.collections[0]
    # GM1: shares 0.1 and 0.3 around 0.2; GM2: 0.2 and 0 around 0.2/1.5
    values = dict(zip(map(tuple, scatter.get_offsets()), scatter.get_array(), strict=True))
    assert values[(0.0, 0.0)] == pytest.approx(0.25)
    assert values[(100.0, 50.0)] == pytest.approx(0.5 + 0.5 * 0.1 / 0.8)
    assert values[(300.0, 50.0)] == pytest.approx(0.0)
    bar_axes = [a for a in ax.figure.axes if a is not ax][0]
    assert bar_axes.get_xlabel() == "Share of group A (white: each area's own share)"


def _school_colours(ax) -> dict[tuple, tuple]:
    """Each school's drawn fill colour (RGBA), by its position, after drawing."""
    ax.figure.savefig(io.BytesIO(), format="png", dpi=30)
    scatter = ax.collections[-1]
    return {tuple(xy): tuple(c) for xy, c in zip(scatter.get_offsets().tolist(),
                                                scatter.get_facecolors(), strict=True)}


def test_school_map_min_cell_draws_suppressed_schools_grey():
    from matplotlib.legend import Legend

    from segspatial._mapdata import SUPPRESSED_COLOR

    data = pd.DataFrame({"school": ["L", "M", "N", "S"], "a": [3, 40, 120, 2],
                         "b": [200, 100, 30, 3], "x": [0.0, 100.0, 200.0, 300.0],
                         "y": [0.0, 50.0, 0.0, 50.0]})
    grey = to_rgba(SUPPRESSED_COLOR)
    ax = plot.school_map(data, "school", "a", "b", x="x", y="y", min_cell=10)
    colours = _school_colours(ax)
    assert colours[(0.0, 0.0)] == grey and colours[(300.0, 50.0)] == grey  # L (a=3), S
    plain = plot.school_map(data, "school", "a", "b", x="x", y="y")
    plain_colours = _school_colours(plain)
    assert plain_colours[(0.0, 0.0)] != grey  # without min_cell L has its share's colour
    assert colours[(100.0, 50.0)] != grey and colours[(200.0, 0.0)] != grey
    assert grey not in {tuple(c) for c in mpl.colormaps["RdBu_r"](np.linspace(0, 1, 256))}
    # the array behind the colours holds no share for the suppressed schools, and for
    # the others only the middle of their 10-point band against the area's share in
    # whole percents (165 of 498 = 33%): M 40/140 -> 20-30%, N 120/150 -> 80-90%
    values = dict(zip(map(tuple, ax.collections[-1].get_offsets().tolist()),
                      np.ma.filled(ax.collections[-1].get_array(), np.nan), strict=True))
    assert np.isnan(values[(0.0, 0.0)]) and np.isnan(values[(300.0, 50.0)])
    assert values[(100.0, 50.0)] == pytest.approx(0.5 * 0.25 / 0.33)
    assert values[(200.0, 0.0)] == pytest.approx(0.5 + 0.5 * (0.85 - 0.33) / 0.67)
    # a legend entry says why; the size legend stays the axes' legend
    texts = [t.get_text() for legend in ax.findobj(Legend)
             for t in legend.get_texts()]
    assert "share not shown: a group has fewer than 10 pupils" in texts
    assert ax.get_legend().get_title().get_text() == "Pupils per school"
    assert not any("share not shown" in t.get_text() for legend in
                   plain.findobj(Legend) for t in legend.get_texts())
    # sizes from the rounded pupils (L 203 -> 205); S has 5, shown as "< 10": its
    # marker is drawn as for 10 pupils
    sizes = dict(zip(map(tuple, ax.collections[-1].get_offsets().tolist()),
                     ax.collections[-1].get_sizes(), strict=True))
    assert sizes[(300.0, 50.0)] == pytest.approx(250.0 * 10 / 205)
    assert sizes[(200.0, 0.0)] == pytest.approx(250.0 * 150 / 205)
    with pytest.raises(ValueError, match=r"min_cell must be at least 1, got 0"):
        plot.school_map(data, "school", "a", "b", x="x", y="y", min_cell=0)
    with pytest.raises(TypeError, match=r"min_cell must be an int or None, got 2.5"):
        plot.school_map(data, "school", "a", "b", x="x", y="y", min_cell=2.5)


def test_school_map_reports_and_rejects_bad_rows(schools):
    bad = schools.assign(x=[0.0, np.nan, 200.0, 300.0])
    with pytest.warns(SegregationWarning, match=r"1 school without coordinates .*'s2'"):
        ax = plot.school_map(bad, "school", "a", "b", x="x", y="y")
    assert len(ax.collections[0].get_offsets()) == 3
    with pytest.raises(ValueError, match=r"group_a: column 'a' has 1 negative count"):
        plot.school_map(schools.assign(a=[-1, 0, 0, 0]), "school", "a", "b", x="x", y="y")
    with pytest.raises(ValueError, match=r"several rows for unit\(s\) \['s1'\]"):
        plot.school_map(pd.concat([schools, schools.iloc[:1]]), "school", "a", "b",
                        x="x", y="y")
    with pytest.raises(ValueError, match=r"data has no column\(s\) \['xx'\]"):
        plot.school_map(schools, "school", "a", "b", x="xx", y="y")
    with pytest.raises(ValueError, match=r"x and y are required"):
        plot.school_map(schools, "school", "a", "b")
    with pytest.raises(TypeError, match=r"boundaries must be a GeoDataFrame, GeoSeries"):
        plot.school_map(schools, "school", "a", "b", x="x", y="y", boundaries="GM1")


def test_profile_plot_lines_per_area():
    profile = pd.DataFrame({
        "area": ["GM1"] * 3 + ["GM2"] * 3, "index": "spatial_dissimilarity",
        "bandwidth": [500.0, 1000.0, 2000.0] * 2, "kernel": "gaussian",
        "value": [0.5, 0.4, 0.3, 0.5, 0.5, 0.49]})
    ax = plot.profile_plot(profile, names={"GM1": "Havenstad"})
    assert [line.get_label() for line in ax.lines] == ["Havenstad", "GM2"]
    assert ax.lines[0].get_xdata().tolist() == [500.0, 1000.0, 2000.0]
    assert ax.get_xlabel() == "Bandwidth: radius of each school's surroundings"
    assert ax.get_ylabel() == "Spatial D"
    assert ax.get_title() == "Multi-scale profile: Spatial D by bandwidth (Gaussian kernel)"
    assert ax.get_legend().get_title().get_text() == "Municipality"
    ax = plot.profile_plot(profile, area="GM2", names={"GM2": "Polderdam"})
    assert len(ax.lines) == 1
    assert ax.get_title().startswith("Polderdam: Multi-scale profile: Spatial D")
    with pytest.raises(ValueError, match=r"area=\['GM7'\] not in profile"):
        plot.profile_plot(profile, area="GM7")
    with pytest.raises(ValueError, match=r"profile has no rows with a bandwidth"):
        plot.profile_plot(profile.assign(bandwidth=np.nan))


def test_real_2019_national_choropleth_and_amsterdam(real_2019, shared_data):
    import segspatial as ss
    from segspatial.geo import read_boundaries

    boundaries = read_boundaries(shared_data / "boundaries" /
                                 "nl_maps_rd_gemeente_2019.geojson")
    table = ss.segregation(real_2019, "school", "a", "b", area="municipality",
                           min_unit_size=0, min_area_size=0).table
    with warnings.catch_warnings():
        warnings.simplefilter("error", SegregationWarning)  # every code has a polygon
        ax = plot.choropleth(table, boundaries, area_code="statcode", scheme="massey_denton")
    assert len(ax.collections[0].get_paths()) == 355
    assert _png_std(ax.figure) > 0.05
    ARTIFACTS.mkdir(exist_ok=True)
    ax.figure.savefig(ARTIFACTS / "real_2019_choropleth.png", dpi=70)
    amsterdam = real_2019[real_2019["municipality"] == "GM0363"]
    ax = plot.school_map(amsterdam, "school", "a", "b", x="x", y="y",
                         boundaries=boundaries[boundaries["statcode"] == "GM0363"])
    assert len(ax.collections[-1].get_offsets()) == len(amsterdam) == 210
    ax.figure.savefig(ARTIFACTS / "real_2019_amsterdam_schools.png", dpi=70)


def test_profile_and_local_measures_from_the_spatial_module():
    from segspatial import spatial, webmap
    from segspatial.demo import demo_counts

    counts = demo_counts(None)
    counts = counts[counts["year"] == 2018]
    profile = spatial.multiscale_profile(counts, "school", "a", "b", x="x", y="y",
                                         crs="EPSG:28992", area="municipality",
                                         total="total", bandwidth=[500, 2000])
    ax = plot.profile_plot(profile, index="spatial_dissimilarity")
    assert len(ax.lines) == profile["area"].nunique()
    local = spatial.local_measures(counts[counts["municipality"] == "GM9002"], "school",
                                   "a", "b", x="x", y="y", crs="EPSG:28992", bandwidth=1000)
    m = webmap.school_webmap(local, "unit", "a", "b", x="x", y="y", crs="EPSG:28992")
    html = m.get_root().render()
    for label in ("p_local", "gap", "d_contribution", "spatial_d_contribution"):
        assert f'"{label}"' in html
    # with min_cell, units with a group below it are suppressed; local measures mix the
    # neighbours' counts, so in an area with a suppressed unit no unit shows them
    small = np.minimum(local["a"], local["b"]).to_numpy()
    n = int(np.median(small)) + 1
    hidden = set(local.loc[small < n, "unit"].astype(str))
    assert 0 < len(hidden) < len(local)
    measures = ["p", "p_local", "gap", "d_contribution", "spatial_d_contribution"]
    by_unit = local.assign(unit=local["unit"].astype(str)).set_index("unit")

    def popups(min_cell):
        m = webmap.school_webmap(local, "unit", "a", "b", x="x", y="y", crs="EPSG:28992",
                                 min_cell=min_cell)
        points = [c.data for c in m._children.values() if type(c).__name__ == "GeoJson"][-1]
        return {f["properties"]["school"]: f["properties"] for f in points["features"]}

    for unit, props in popups(n).items():
        assert [props[f"m{i}"] for i in range(len(measures))] == ["not shown"] * 5, unit
        assert (props["share_a"] == f"suppressed (a group < {n})") == (unit in hidden)
    # local measures mix exact counts: never shown with min_cell, even below every count
    for unit, props in popups(int(small.min())).items():
        assert [props[f"m{i}"] for i in range(len(measures))] == ["not shown"] * 5, unit
    # without min_cell every measure is shown exactly
    for unit, props in popups(None).items():
        exact = by_unit.loc[unit, measures].to_numpy(dtype=float)
        assert [props[f"m{i}"] for i in range(len(measures))] == \
            ["" if not np.isfinite(v) else f"{v:.4g}".replace("-", "−") for v in exact]


def test_cli_schools_static_output_takes_min_cell(tmp_path, capsys):
    from segspatial._mapdata import SUPPRESSED_COLOR
    from segspatial.cli import main

    pd.DataFrame({"school": ["L", "M", "N"], "a": [3, 40, 120], "b": [200, 100, 30],
                  "x": [120_000.0, 120_100.0, 120_200.0],  # inside RD New's area of use
                  "y": [480_000.0, 480_050.0, 480_000.0]}).to_csv(
        tmp_path / "s.csv", index=False)
    base = ["schools", str(tmp_path / "s.csv"), "--unit", "school", "--group-a", "a",
            "--group-b", "b", "--x", "x", "--y", "y", "--crs", "EPSG:28992"]
    assert main(base + ["--min-cell", "10", "--output", str(tmp_path / "hidden.svg")]) == 0
    assert main(base + ["--output", str(tmp_path / "plain.svg")]) == 0
    hidden = (tmp_path / "hidden.svg").read_text(encoding="utf-8")
    plain = (tmp_path / "plain.svg").read_text(encoding="utf-8")
    assert f"fill: {SUPPRESSED_COLOR}" in hidden and SUPPRESSED_COLOR not in plain
    assert "share not shown" in hidden and "share not shown" not in plain
    assert main(base + ["--min-cell", "0", "--output", str(tmp_path / "bad.png")]) == 2
    assert "--min-cell must be at least 1, got 0" in capsys.readouterr().err
