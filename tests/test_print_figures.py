"""Figures fit to print (issue 11): human labels in English and Dutch, legends that never
cover the map, values beyond the colour scale shown as such, a readable one-year grid,
pages for many areas, a metric scale bar; same bytes on every run."""

from __future__ import annotations

import re

import geopandas as gpd
import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgba
from matplotlib.legend import Legend
from matplotlib.text import Text
from shapely.geometry import box

from segspatial import plot, webmap
from segspatial._figure import ABOVE_COLOR, BELOW_COLOR
from segspatial._format import Formatter

mpl.use("Agg")

#: Internal names that must never reach a figure: snake_case identifiers (index,
#: comparison and kernel names), "share of a" and the old bandwidth wording.
INTERNAL = re.compile(r"\b[a-z]+_[a-z_]+\b|share of a\b|\(bandwidth ")
#: English words that must not appear in a Dutch figure.
ENGLISH = ("no data", "Share", "share", "pupils", "below", "above", "Municipality",
           "page", "Bandwidth", "Dissimilarity", "group A", "Pupils")
LABEL_A = "pupils with a disadvantage background"
LABEL_B = "other pupils"


def _texts(figure) -> list[str]:
    """Every text drawn in the figure (titles, labels, ticks, legends, cells)."""
    figure.canvas.draw()
    return [t.get_text() for t in figure.findobj(Text) if t.get_visible() and t.get_text()]


def _no_internal_names(figure) -> list[str]:
    texts = _texts(figure)
    bad = [t for t in texts if INTERNAL.search(t)]
    assert bad == [], bad
    return texts


def _legends(figure) -> list[Legend]:
    return [a for a in figure.findobj(Legend)]


def _legend_texts(figure) -> list[str]:
    return [t.get_text() for legend in _legends(figure) for t in legend.get_texts()]


#: RD New coordinates inside the Netherlands (the CRS's area of use is checked)
X0, Y0 = 120000.0, 480000.0


@pytest.fixture
def squares():
    return gpd.GeoDataFrame(
        {"statcode": [f"GM000{i}" for i in range(1, 6)],
         "statnaam": ["Alfa", "Bravo", "Charlie", "Delta", "Echo"]},
        geometry=[box(X0 + i * 1000, Y0, X0 + i * 1000 + 1000, Y0 + 1000)
                  for i in range(5)],
        crs="EPSG:28992")


@pytest.fixture
def pupils_results():
    """The report's tidy table for one comparison of pupil data, aspatial and spatial;
    one area below the scale (D* < 0), one above it, one without a value."""
    values = {"GM0001": -0.08, "GM0002": 0.25, "GM0003": 0.55, "GM0004": 0.92,
              "GM0005": np.nan}
    rows = []
    for year in (2017, 2018):
        for area, value in values.items():
            for index, bandwidth, kernel in (("dissimilarity", np.nan, None),
                                             ("dissimilarity_standardised", np.nan, None),
                                             ("spatial_dissimilarity", 1000.0, "gaussian")):
                rows.append({"area": area, "year": year, "comparison": "dutch_vs_nonwestern",
                             "group_a": "dutch", "group_b": "nonwestern", "index": index,
                             "bandwidth": bandwidth, "kernel": kernel, "value": value,
                             "n_units": 5, "n_pupils": 1000 + int(area[-1]) * 100})
    return pd.DataFrame(rows)


@pytest.fixture
def schools():
    return pd.DataFrame({
        "school": ["s1", "s2", "s3", "s4"], "a": [10, 30, 20, 3], "b": [90, 70, 980, 50],
        "x": X0 + np.array([0.0, 1000.0, 2000.0, 3000.0]),
        "y": Y0 + np.array([0.0, 500.0, 0.0, 500.0])})


# --------------------------------------------------------------------------- labels


def test_titles_and_labels_in_words(squares, pupils_results):
    ax = plot.choropleth(pupils_results, squares, index="dissimilarity", year=2018)
    assert ax.get_title() == "Dissimilarity index D — Dutch vs non-western pupils, 2018"
    _no_internal_names(ax.figure)
    ax = plot.choropleth(pupils_results, squares, index="spatial_dissimilarity")
    # a long title may break after its " — " (never inside a name)
    assert ax.get_title().replace("\n", " ") == (
        "Spatial D at 1\u00a0km (Gaussian kernel) — Dutch vs non-western pupils, 2018")
    _no_internal_names(ax.figure)
    ax = plot.choropleth(pupils_results, squares, year=2017, scheme="massey_denton",
                         label_a=LABEL_A, label_b=LABEL_B, title=None)
    assert LABEL_A in ax.get_title() and LABEL_B in ax.get_title()
    assert ax.get_legend().get_title().get_text() == "Dissimilarity index D"
    _no_internal_names(ax.figure)
    assert plot.choropleth(pupils_results, squares, title="Mine").get_title() == "Mine"


def test_every_figure_has_a_title_and_no_internal_name(pupils_results, schools):
    from segspatial.multigroup_plot import profile_chart

    figures = {
        "grid": plot.report_grid(pupils_results, index="dissimilarity").figure,
        "grids": plot.report_grids(pd.concat([
            pupils_results, pupils_results.assign(comparison="high_vs_low_income",
                                                  group_a="high_income",
                                                  group_b="low_income")]))[0].figure,
        "ranking": plot.ranking_chart(pupils_results, year=2018).figure,
        "schools": plot.school_map(schools, "school", "a", "b", x="x", y="y",
                                   label_a=LABEL_A, min_cell=5).figure,
        "profile": plot.profile_plot(pupils_results[pupils_results["bandwidth"].notna()]
                                     .assign(bandwidth=lambda f: f["year"] - 2016.0)
                                     .assign(year=2018)).figure,
        "hp": profile_chart(pd.DataFrame({"threshold": [0.25, 0.5, 0.75],
                                          "theil_h": [0.01, 0.02, 0.01]})).figure,
    }
    for name, figure in figures.items():
        texts = _no_internal_names(figure)
        titles = [t.get_text() for t in figure.findobj(Text)
                  if t is figure._suptitle or any(t is a.title for a in figure.axes)]
        assert any(titles), name
        assert texts, name
    assert figures["schools"].axes[0].get_title() == f"Share of {LABEL_A} per school"
    assert figures["grid"].get_suptitle() == (
        "Dissimilarity index D — Dutch vs non-western pupils, 2017–2018")
    assert [a.get_title() for a in figures["grids"].axes[:2]] == [
        "Dutch vs non-western pupils", "Pupils from high- vs low-income families"]


def test_dutch_figures_use_dutch_words_and_decimal_commas(squares, pupils_results, schools):
    ax = plot.choropleth(pupils_results, squares, index="dissimilarity", year=2018,
                         lang="nl")
    assert ax.get_title() == ("Dissimilariteitsindex D — Nederlandse vs niet-westerse "
                              "leerlingen, 2018")
    texts = _texts(ax.figure)
    bar = [a for a in ax.figure.axes if a is not ax][0]
    ticks = [t.get_text() for t in bar.get_xticklabels() if t.get_text()]
    assert "0,2" in ticks and "0.2" not in ticks
    assert {"onder 0", "boven 0,8", "geen gegevens"} <= set(_legend_texts(ax.figure))
    grid = plot.report_grid(pupils_results, index="dissimilarity", lang="nl").figure
    cells = [t.get_text() for t in grid.axes[0].texts]
    assert "0,55" in cells and "−0,08" in cells and "0.55" not in cells
    classes = plot.choropleth(pupils_results, squares, scheme="massey_denton", lang="nl")
    assert "laag (0–0,3)" in _legend_texts(classes.figure)
    school = plot.school_map(schools, "school", "a", "b", x="x", y="y", lang="nl",
                             label_a="achterstandsleerlingen", min_cell=5)
    assert school.get_title() == "Aandeel achterstandsleerlingen per school"
    assert school.get_legend().get_title().get_text() == "Leerlingen per school"
    assert "1.000" in _legend_texts(school.figure)  # the size key: 1.000 pupils
    ranking = plot.ranking_chart(pupils_results, year=2018, lang="nl").figure
    for figure in (ax.figure, grid, classes.figure, school.figure, ranking):
        texts = _texts(figure)
        english = [t for t in texts for word in ENGLISH if word in t]
        assert english == [], english
        assert not any(re.fullmatch(r"−?\d+\.\d{1,2}", t) for t in texts)  # decimal comma


# --------------------------------------------------------------------------- legends


def _overlaps(a, b) -> bool:
    return a.overlaps(b) and a.intersection(a, b).width > 0.5 and \
        a.intersection(a, b).height > 0.5


def _data_box(ax, bounds):
    from matplotlib.transforms import Bbox

    corners = ax.transData.transform([[bounds[0], bounds[1]], [bounds[2], bounds[3]]])
    return Bbox(corners)


def _decorations(figure, ax, renderer) -> list:
    boxes = [legend.get_window_extent(renderer) for legend in _legends(figure)]
    boxes += [a.get_tightbbox(renderer) for a in figure.axes if a is not ax]  # colour bars
    return boxes


def _assert_clear_of(figure, ax, bounds) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    renderer = canvas.get_renderer()
    data = _data_box(ax, bounds)
    boxes = _decorations(figure, ax, renderer)
    assert boxes, "no legend or colour bar drawn"
    for box_ in boxes:
        assert not _overlaps(box_, data), (box_, data)


def test_legends_and_colour_bars_never_cover_the_map(squares, pupils_results, schools):
    from segspatial.multigroup_plot import local_scores_map

    for scheme in (None, "massey_denton", "quantiles"):
        ax = plot.choropleth(pupils_results, squares, scheme=scheme, k=2)
        _assert_clear_of(ax.figure, ax, squares.total_bounds)
    ax = plot.school_map(schools, "school", "a", "b", x="x", y="y", min_cell=5,
                         boundaries=box(-100, -100, 3100, 600))
    assert len(_legends(ax.figure)) == 2  # the size key and the suppressed schools
    _assert_clear_of(ax.figure, ax, (-100, -100, 3100, 600))
    local = pd.DataFrame({"x": schools["x"], "y": schools["y"], "ls": [0.1, 0.7, 0.3, 0.9],
                          "pupils": [100, 100, 1000, 53], "g": [10, 30, 20, 3]})
    ax = local_scores_map(local, groups=["g"], min_cell=5, vmax=0.5)
    _assert_clear_of(ax.figure, ax, (0, 0, 3000, 500))
    assert "above 0.5" in _legend_texts(ax.figure)


def test_massey_denton_legend_leaves_limburg_free(real_2019, shared_data):
    import segspatial as ss
    from segspatial.geo import read_boundaries

    boundaries = read_boundaries(shared_data / "boundaries" /
                                 "nl_maps_rd_gemeente_2019.geojson")
    table = ss.segregation(real_2019, "school", "a", "b", area="municipality",
                           min_unit_size=0, min_area_size=0).table
    limburg = boundaries[boundaries["statcode"].isin(
        ["GM0935", "GM0981", "GM1903", "GM0888", "GM1711"])]  # Maastricht, Vaals, ...
    for scheme in ("massey_denton", None):
        ax = plot.choropleth(table, boundaries, area_code="statcode", scheme=scheme,
                             label_a=LABEL_A, label_b=LABEL_B)
        _assert_clear_of(ax.figure, ax, boundaries.total_bounds)
        _assert_clear_of(ax.figure, ax, limburg.total_bounds)
        _no_internal_names(ax.figure)


# --------------------------------------------------------------------------- beyond the scale


def test_values_beyond_the_scale_get_their_own_colour_and_legend_entry(squares,
                                                                       pupils_results):
    ax = plot.choropleth(pupils_results, squares, index="dissimilarity_standardised")
    faces = ax.collections[0].get_facecolors()
    assert np.allclose(faces[0], to_rgba(BELOW_COLOR))  # -0.08: never the green of 0
    assert np.allclose(faces[3], to_rgba(ABOVE_COLOR))  # 0.92: never the red of 0.8
    assert not np.allclose(faces[0], mpl.colormaps["RdYlGn_r"](0.0))
    # D* below 0: more even than random allocation, said in the legend
    assert _legend_texts(ax.figure) == ["below 0: more even than random", "above 0.8",
                                        "no data"]
    bar = [a for a in ax.figure.axes if a is not ax][0]
    assert bar._colorbar.extend == "both"  # arrows at both ends of the colour bar
    classes = plot.choropleth(pupils_results, squares, scheme="massey_denton")
    assert _legend_texts(classes.figure) == ["below 0", "low (0–0.3)", "moderate (0.3–0.6)",
                                             "high (0.6–1)", "no data"]
    assert np.allclose(classes.collections[0].get_facecolors()[0], to_rgba(BELOW_COLOR))
    # a grid: the cells' colour map has the two colours, and the legend names them
    grid = plot.report_grid(pupils_results).figure
    image = grid.axes[0].get_images()[0]
    assert np.allclose(image.cmap.get_under(), to_rgba(BELOW_COLOR))
    assert np.allclose(image.cmap.get_over(), to_rgba(ABOVE_COLOR))
    assert {"below 0", "above 0.8", "no data"} <= set(_legend_texts(grid))
    ranking = plot.ranking_chart(pupils_results, year=2018).figure
    assert {"below 0", "above 0.8", "no data"} <= set(_legend_texts(ranking))
    # none of it when every value is on the scale
    plain = plot.choropleth(pupils_results.assign(value=0.4), squares)
    assert plain.get_legend() is None or _legend_texts(plain.figure) == []


def test_web_map_legend_names_values_beyond_the_scale(squares, pupils_results):
    html = webmap.to_html(webmap.choropleth_map(pupils_results, squares,
                                                index="dissimilarity_standardised"))
    legend = html[html.index('class="segspatial-legend"'):]
    assert "below 0" in legend and "above 0.8" in legend and "no data" in legend
    assert BELOW_COLOR in legend and ABOVE_COLOR in legend
    assert "Standardised dissimilarity D* — Dutch vs non-western pupils, 2018" in legend
    nl = webmap.to_html(webmap.choropleth_map(pupils_results, squares, lang="nl",
                                              index="dissimilarity_standardised"))
    legend = nl[nl.index('class="segspatial-legend"'):]
    assert "onder 0" in legend and "boven 0,8" in legend and "geen gegevens" in legend
    assert ">0,4<" in legend  # the colour ramp's ticks with a decimal comma


def test_monitor_map_shows_shares_above_the_scale():
    from segspatial.monitor.maps import share_map, share_webmap

    geometries = gpd.GeoDataFrame({"code": ["R1", "R2", "R3"], "name": ["A", "B", "C"]},
                                  geometry=[box(i, 0, i + 1, 1) for i in range(3)],
                                  crs="EPSG:28992")
    rep = pd.DataFrame({"level": "region", "area": ["R1", "R2", "R3"], "year": 2024,
                        "area_name": ["A", "B", "C"], "share": [0.1, 0.2, 0.55],
                        "share_low": [0.1, 0.2, 0.55], "share_high": [0.1, 0.2, 0.55],
                        "target": 0.2, "gap": [10.0, 0.0, 0.0], "gap_low": [10.0, 0.0, 0.0],
                        "gap_high": [10.0, 0.0, 0.0], "suppressed": False})
    ax = share_map(rep, geometries, level="region")
    assert np.allclose(ax.collections[0].get_facecolors()[2], to_rgba(ABOVE_COLOR))
    assert "above 40%" in _legend_texts(ax.figure)
    _assert_clear_of(ax.figure, ax, geometries.total_bounds)
    html = webmap.to_html(share_webmap(rep, geometries.to_crs("EPSG:4326"), level="region",
                                       lang="nl"))
    assert "boven 40%" in html and ABOVE_COLOR in html


# --------------------------------------------------------------------------- the grid


def _one_year(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    return pd.DataFrame({"area": [f"GM{i:04d}" for i in range(n)], "year": 2019,
                         "index": "dissimilarity", "value": rng.uniform(0, 0.7, n),
                         "n_pupils": rng.integers(1000, 90000, n).astype(float)})


def test_one_year_is_a_ranking_not_a_column():
    table = _one_year(30)
    (page,) = plot.grid_pages(table)
    ax = page.axes[0]
    assert not ax.get_images()  # dots, not a grid of one column
    labels = [t.get_text() for t in ax.get_yticklabels()]
    order = table.sort_values("value", ascending=False)["area"].tolist()
    assert labels == [f"{i}. {a}" for i, a in enumerate(order, start=1)]
    assert page.get_figheight() < 10  # not a 17,000-pixel strip
    dots = ax.collections[-1].get_offsets()
    assert np.all(np.diff(np.asarray(dots)[:, 0]) <= 0)  # sorted by value


def test_many_areas_come_in_pages():
    table = _one_year(355)
    pages = plot.grid_pages(table, names={"GM0000": "Alfa"})
    assert len(pages) == 8  # 50 a page
    assert all(p.get_figheight() < 14 for p in pages)
    assert pages[1].get_suptitle() == "Dissimilarity index D, 2019 (page 2 of 8)"
    second = [t.get_text() for t in pages[1].axes[0].get_yticklabels()]
    assert second[0].startswith("51. ") and len(second) == 50
    assert len(plot.grid_pages(table, rows_per_page=None)) == 1
    years = pd.concat([table.assign(year=y) for y in range(2009, 2019)])
    pages = plot.grid_pages(years, rows_per_page=60)
    assert len(pages) == 6 and all(p.get_figheight() < 17 for p in pages)
    image = pages[0].axes[0].get_images()[0].get_array()
    assert image.shape == (60, 10)
    with pytest.raises(ValueError, match=r"rows_per_page must be a positive int or None"):
        plot.grid_pages(table, rows_per_page=0)


def test_one_year_several_comparisons_is_one_grid(pupils_results):
    one = pupils_results[(pupils_results["year"] == 2018)
                         & (pupils_results["index"] == "dissimilarity")]
    both = pd.concat([one, one.assign(comparison="high_vs_low_income",
                                      group_a="high_income", group_b="low_income")])
    (page,) = plot.grid_pages(both)
    image = page.axes[0].get_images()[0].get_array()
    assert image.shape == (5, 2)
    heads = [t.get_text() for t in page.axes[0].get_xticklabels()]
    assert heads == ["Dutch vs non-western pupils", "Pupils from high- vs low-income families"]
    _no_internal_names(page)


def test_heatmap_command_pages_and_single_year(tmp_path, capsys):
    from segspatial.cli import main

    results = tmp_path / "results.csv"
    _one_year(120).to_csv(results, index=False)
    assert main(["heatmap", str(results), "--index", "dissimilarity", "--lang", "nl",
                 "--output", str(tmp_path / "grid.pdf")]) == 0
    pdf = (tmp_path / "grid.pdf").read_bytes()
    assert len(re.findall(rb"/Type /Page\b", pdf)) == 3
    assert "raster (3 pagina's) geschreven naar" in capsys.readouterr().err  # --lang nl
    main(["heatmap", str(results), "--index", "dissimilarity", "--lang", "nl",
          "--output", str(tmp_path / "again.pdf")])
    assert (tmp_path / "again.pdf").read_bytes() == pdf  # same bytes on a rerun
    assert main(["heatmap", str(results), "--index", "dissimilarity", "--output",
                 str(tmp_path / "grid.png"), "--title", "Segregation 2019"]) == 0
    assert sorted(p.name for p in tmp_path.glob("grid-*.png")) == [
        "grid-1.png", "grid-2.png", "grid-3.png"]
    assert main(["heatmap", str(results), "--index", "dissimilarity", "--rows-per-page",
                 "0", "--output", str(tmp_path / "one.svg")]) == 0
    svg = (tmp_path / "one.svg").read_text(encoding="utf-8")
    assert "120. " in svg and "(page" not in svg
    assert main(["heatmap", str(results), "--index", "dissimilarity", "--rows-per-page",
                 "-1", "--output", str(tmp_path / "x.png")]) == 2
    assert "--rows-per-page must be 0" in capsys.readouterr().err


def test_map_and_schools_commands_take_title_labels_and_lang(tmp_path, squares,
                                                            pupils_results, schools):
    from segspatial.cli import main

    pupils_results.to_csv(tmp_path / "results.csv", index=False)
    squares.to_file(tmp_path / "areas.geojson")
    schools.to_csv(tmp_path / "schools.csv", index=False)
    assert main(["map", str(tmp_path / "results.csv"), str(tmp_path / "areas.geojson"),
                 "--area-code", "statcode", "--index", "dissimilarity", "--lang", "nl",
                 "--output", str(tmp_path / "map.svg")]) == 0
    svg = (tmp_path / "map.svg").read_text(encoding="utf-8")
    assert "Dissimilariteitsindex D" in svg and "geen gegevens" in svg
    assert main(["map", str(tmp_path / "results.csv"), str(tmp_path / "areas.geojson"),
                 "--area-code", "statcode", "--index", "dissimilarity", "--title",
                 "My $x$ title", "--output", str(tmp_path / "map.html")]) == 0
    assert "My &#36;x&#36; title" in (tmp_path / "map.html").read_text(encoding="utf-8")
    common = ["schools", str(tmp_path / "schools.csv"), "--unit", "school", "--group-a",
              "a", "--group-b", "b", "--x", "x", "--y", "y", "--crs", "EPSG:28992",
              "--label-a", LABEL_A, "--label-b", LABEL_B]
    assert main([*common, "--output", str(tmp_path / "s.svg")]) == 0
    assert f"Share of {LABEL_A} per school" in (tmp_path / "s.svg").read_text(
        encoding="utf-8")
    assert main([*common, "--lang", "nl", "--output", str(tmp_path / "s.html")]) == 0
    html = (tmp_path / "s.html").read_text(encoding="utf-8")
    assert f"Aandeel {LABEL_A}" in html and "oppervlak cirkel: leerlingen" in html


# --------------------------------------------------------------------------- web maps


def test_web_maps_have_a_metric_scale_and_room_for_the_legend(squares, pupils_results,
                                                              schools):
    for m in (webmap.choropleth_map(pupils_results, squares),
              webmap.school_webmap(schools, "school", "a", "b", x="x", y="y",
                                   crs="EPSG:28992")):
        html = webmap.to_html(m)
        assert "L.control.scale({imperial: false, metric: true" in html
        assert "L.control.scale()" not in html  # folium's, with miles
        assert "map.getBoundsZoom(bounds, false, edge.add(below))" in html
        assert "fitBounds" in html and ".segspatial-legend" in html
    # a very long title from the data scrolls inside the legend; the map keeps its room
    html = webmap.to_html(webmap.choropleth_map(pupils_results, squares, title="x " * 3000))
    assert "max-height:180px;overflow:auto" in html


# --------------------------------------------------------------------------- bytes, text


def test_same_figures_same_bytes(pupils_results):
    one = plot.pdf_pages_bytes(plot.grid_pages(pupils_results, rows_per_page=2))
    two = plot.pdf_pages_bytes(plot.grid_pages(pupils_results, rows_per_page=2))
    assert one == two
    first = plot.figure_bytes(plot.ranking_chart(pupils_results, year=2018).figure, "svg")
    assert first == plot.figure_bytes(plot.ranking_chart(pupils_results,
                                                         year=2018).figure, "svg")


def test_names_in_rankings_and_pages_stay_literal():
    name = r"De $\alpha$ school {{7*7}}"
    table = _one_year(3)
    pages = plot.grid_pages(table, names={"GM0000": name}, label_a=r"$x^2$ pupils",
                            label_b="others")
    texts = [t for p in pages for t in p.findobj(Text) if "$" in t.get_text()]
    assert len(texts) >= 2
    assert not any(t.get_parse_math() or t.get_usetex() for t in texts)
    svg = plot.figure_bytes(pages[0], "svg").decode()
    assert r"De $\alpha$ school {{7*7}}" in svg and "$x^2$ pupils vs others" in svg


def test_formatter_numbers_and_languages():
    en, nl = Formatter("en"), Formatter("nl")
    assert (en.number(1234.567, 2), nl.number(1234.567, 2)) == ("1,234.57", "1.234,57")
    assert nl.number(-0.004, 2) == "−0,00" and nl.number(-0.0, 2) == "0,00"
    assert (nl.percent(0.5), nl.count(1e6), nl.distance(250)) == ("50%", "1.000.000",
                                                                 "250\u00a0m")
    assert en.number(float("nan")) == "–"
    assert nl.spatial_title("spatial_theil_h", 8, "knn") == (
        "Ruimtelijke H, 8 dichtstbijzijnde scholen")
    assert en.index_title("mutual_information_base2") == (
        "Mutual information index M (log base 2)")
    assert en.index_title("my_plugin") == "my_plugin"  # a plug-in's own name (data)
    assert en.comparison("a_vs_b", "a", "b") == "a_vs_b"
    assert en.comparison(None, "a", "b") == "group A vs group B"  # the title names them
    assert nl.comparison(None, "nonwestern", "b") == "niet-westerse leerlingen vs groep B"
    assert en.comparison(None, None, None) is None
    assert en.group("a") == "group A" and nl.group("nonwestern") == "niet-westerse leerlingen"
    with pytest.raises(ValueError, match=r"lang must be one of 'en', 'nl', got 'de'"):
        Formatter("de")
    with pytest.raises(ValueError, match=r"lang must be one of 'en', 'nl', got 'fr'"):
        plot.choropleth(pd.DataFrame({"area": ["x"], "index": ["d"], "value": [0.1]}),
                        gpd.GeoDataFrame({"statcode": ["x"]}, geometry=[box(0, 0, 1, 1)],
                                         crs="EPSG:28992"), index="d", lang="fr")


# --------------------------------------------------------------------------- in a browser


_DATA_BOUNDS = """() => {
  const map = window[Object.keys(window).find(k => k.startsWith('map_'))];
  const layers = Object.keys(window).filter(k => k.startsWith('geo_json_'))
    .map(k => window[k]).filter(l => l && l.getBounds);
  const box = layers.map(l => l.getBounds()).reduce((a, b) => a.extend(b));
  const sw = map.latLngToContainerPoint(box.getSouthWest());
  const ne = map.latLngToContainerPoint(box.getNorthEast());
  return {left: sw.x, right: ne.x, top: ne.y, bottom: sw.y};
}"""
_LEGEND_BOX = """() => {
  const map = document.querySelector('.leaflet-container').getBoundingClientRect();
  const r = document.querySelector('.segspatial-legend').getBoundingClientRect();
  return {left: r.left - map.left, right: r.right - map.left, top: r.top - map.top,
          bottom: r.bottom - map.top};
}"""


def _apart(a: dict, b: dict) -> bool:
    return a["right"] <= b["left"] or b["right"] <= a["left"] or \
        a["bottom"] <= b["top"] or b["bottom"] <= a["top"]


def test_web_maps_in_chromium_metric_scale_and_legend_clear_of_the_data(
        chromium, real_2019, shared_data, tmp_path):
    import segspatial as ss
    from segspatial.geo import read_boundaries

    boundaries = read_boundaries(shared_data / "boundaries" /
                                 "nl_maps_rd_gemeente_2019.geojson")
    table = ss.segregation(real_2019, "school", "a", "b", area="municipality",
                           min_unit_size=0, min_area_size=0).table
    amsterdam = real_2019[real_2019["municipality"] == "GM0363"]
    maps = {
        "national": webmap.choropleth_map(table, boundaries, area_code="statcode",
                                          scheme="massey_denton", offline=True,
                                          label_a=LABEL_A, label_b=LABEL_B, lang="nl"),
        "amsterdam": webmap.school_webmap(
            amsterdam, "school", "a", "b", x="x", y="y", crs="EPSG:28992", total="pupils",
            boundaries=boundaries[boundaries["statcode"] == "GM0363"], offline=True,
            min_cell=10, group_labels={"a": LABEL_A}),
        "long title": webmap.choropleth_map(table, boundaries, area_code="statcode",
                                            offline=True, title="Segregatie " * 400),
    }
    for name, m in maps.items():
        path = tmp_path / f"{name}.html"
        path.write_text(webmap.to_html(m), encoding="utf-8")
        for width, height in ((1000, 800), (600, 510)):  # alone, and in a report page
            page = chromium.new_page(viewport={"width": width, "height": height})
            page.goto(path.as_uri())
            page.wait_for_selector("path.leaflet-interactive")
            page.wait_for_timeout(300)
            scale = page.locator(".leaflet-control-scale-line")
            assert scale.count() == 1  # metres / kilometres only: no line in miles
            assert re.fullmatch(r"\d+ k?m", scale.inner_text().strip()), scale.inner_text()
            data, legend = page.evaluate(_DATA_BOUNDS), page.evaluate(_LEGEND_BOX)
            assert _apart(data, legend), (name, width, data, legend)
            page.close()


def _report_pages(real_2019, shared_data, tmp_path, lang: str):
    import segspatial as ss
    from segspatial.report import report_data, write_report

    result = ss.segregation(real_2019, "school", "a", "b", area="municipality",
                            total="pupils", min_unit_size=0, min_area_size=0)
    data = report_data(result, real_2019, unit="school", x="x", y="y", crs="EPSG:28992",
                       name="school_name", boundaries=shared_data / "boundaries" /
                       "nl_maps_rd_gemeente_2019.geojson", only=["GM0096", "GM0363"],
                       permutations=19, group_labels={"a": LABEL_A, "b": LABEL_B})
    return write_report(data, tmp_path / lang, lang=lang, offline=True, min_cell=10).parent


def test_one_school_page_has_no_empty_chart_and_no_stray_rule(real_2019, shared_data,
                                                             tmp_path):
    folder = _report_pages(real_2019, shared_data, tmp_path, "en")
    vlieland = (folder / "GM0096.html").read_text(encoding="utf-8")  # one school
    amsterdam = (folder / "GM0363.html").read_text(encoding="utf-8")
    assert "Multi-scale profile" in amsterdam and "Multi-scale profile" not in vlieland
    assert vlieland.count("<svg") == 0  # no chart without a value to draw
    assert '<h2 style=' not in vlieland and ".summary h2{border:0" in vlieland


def test_wide_tables_fit_the_window_and_print_in_chromium(chromium, real_2019,
                                                          shared_data, tmp_path):
    from segspatial.demo import demo_pupils, demo_schools
    from segspatial.pupils import pupil_segregation
    from segspatial.report import write_demo_report

    result = pupil_segregation(demo_pupils(years=(2017, 2018)), "school",
                               area="municipality", year="year", ethnicity="ethnicity",
                               income="income", education="education")
    demo = write_demo_report(tmp_path / "demo", result, demo_schools()).parent
    real = _report_pages(real_2019, shared_data, tmp_path, "nl")
    pages = [demo / "index.html", demo / "GM9001.html", real / "GM0096.html",
             real / "GM0363.html"]
    check = """() => Array.from(document.querySelectorAll('table')).map(t => {
        const wrap = t.closest('.scroll') || t.parentElement;
        return {right: t.getBoundingClientRect().right, window: window.innerWidth,
                hidden: wrap.scrollWidth - wrap.clientWidth,
                styled: getComputedStyle(document.querySelector('.summary h2') ||
                                         document.body).borderTopWidth};})"""
    for media, width in (("screen", 1400), ("print", 700)):  # 700 px: an A4 page
        for path in pages:
            page = chromium.new_page(viewport={"width": width, "height": 900})
            page.emulate_media(media=media)
            page.goto(path.as_uri())
            page.wait_for_timeout(100)
            tables = page.evaluate(check)
            assert tables, path.name
            for table in tables:
                assert table["right"] <= table["window"] + 0.5, (media, path.name, table)
                assert table["hidden"] <= 1, (media, path.name, table)  # nothing cut off
                assert table["styled"] == "0px", (path.name, table)
            page.close()
