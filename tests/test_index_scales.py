"""Each index drawn on its own scale and classes, and named in words (review2 #52, #53)."""

from __future__ import annotations

import geopandas as gpd
import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from segspatial import plot
from segspatial._format import Formatter
from segspatial._grid import ranking_chart, report_grid
from segspatial._scales import INDEX_SCALES, index_scale
from segspatial.indices import available_indices
from segspatial.rankorder import _INDEX, _INDEX_INTEGRAL
from segspatial.spatial._args import RO_NAMES, SPATIAL_INDICES
from segspatial.text import LANGUAGES, lookup

mpl.use("Agg")


@pytest.fixture
def squares():
    return gpd.GeoDataFrame(
        {"statcode": ["GM0001", "GM0002", "GM0003", "GM0004"]},
        geometry=[box(i * 1000, 0, i * 1000 + 1000, 1000) for i in range(4)],
        crs="EPSG:28992")


def _results(index: str, values) -> pd.DataFrame:
    return pd.DataFrame({"area": ["GM0001", "GM0002", "GM0003", "GM0004"], "year": 2019,
                         "index": index, "value": values, "n_units": 5,
                         "n_pupils": [400, 300, 200, 100]})


def _faces(ax):
    return ax.collections[0].get_facecolors()


def _legend(ax):
    legend = ax.get_legend()
    return [t.get_text() for t in legend.get_texts()] if legend else []


def test_exposure_is_a_share_on_a_neutral_zero_to_one_scale(squares):
    # aPb 0.93 (very mixed) was drawn "above 0.8" purple; 0.5 was in the red half
    ax = plot.choropleth(_results("exposure_ab", [0.93, 0.5, 0.0, 1.0]), squares,
                         area_code="statcode", index="exposure_ab")
    viridis = mpl.colormaps["viridis"]
    assert np.allclose(_faces(ax)[0], viridis(0.93))
    assert np.allclose(_faces(ax)[1], viridis(0.5))
    assert np.allclose(_faces(ax)[3], viridis(1.0))
    assert _legend(ax) == []  # nothing out of scale
    bar = next(a for a in ax.figure.axes if a is not ax)
    assert bar.get_xlim() == (0.0, 1.0)


def test_morans_i_is_diverging_and_centred_on_zero(squares):
    ax = plot.choropleth(_results("morans_i", [-0.5, 0.0, 0.5, -1.0]), squares,
                         area_code="statcode", index="morans_i")
    rdbu = mpl.colormaps["RdBu_r"]
    assert np.allclose(_faces(ax)[0], rdbu(0.25))  # -0.5 on -1..1
    assert np.allclose(_faces(ax)[1], rdbu(0.5))  # 0: the neutral middle
    assert np.allclose(_faces(ax)[2], rdbu(0.75))
    assert "below" not in " ".join(_legend(ax))  # a negative I is no out-of-scale value


def test_dissimilarity_keeps_the_report_scale(squares):
    ax = plot.choropleth(_results("dissimilarity", [0.0, 0.4, 0.8, 0.9]), squares,
                         area_code="statcode", index="dissimilarity")
    assert np.allclose(_faces(ax)[1], mpl.colormaps["RdYlGn_r"](0.5))
    assert _legend(ax) == ["above 0.8"]


def test_negative_d_star_is_more_even_than_random(squares):
    ax = plot.choropleth(_results("dissimilarity_standardised", [-0.1, 0.4, 0.7, 0.2]),
                         squares, area_code="statcode", index="dissimilarity_standardised")
    assert _legend(ax) == ["below 0: more even than random"]
    _, bins = plot.classify([-0.1, 0.4], "massey_denton", index="dissimilarity_standardised",
                            lang="nl")
    assert bins[-1][2] == "onder 0: gelijkmatiger dan bij toeval"


@pytest.mark.parametrize("index", ["exposure_ab", "isolation_a", "morans_i", "morans_i_p",
                                   "theil_h", "spatial_exposure_ab_ro"])
def test_massey_denton_bands_are_refused_where_undefined(squares, index):
    with pytest.raises(ValueError, match="omit --scheme") as info:
        plot.choropleth(_results(index, [0.1, 0.2, 0.3, 0.4]), squares, area_code="statcode",
                        index=index, scheme="massey_denton")
    assert index not in str(info.value)  # named in words


@pytest.mark.parametrize("index", ["dissimilarity", "spatial_dissimilarity", "morrill_d",
                                   "spatial_dissimilarity_ro", "dissimilarity_standardised"])
def test_massey_denton_bands_for_d_like_indices(index):
    assert index_scale(index).bands is not None
    classes, _ = plot.classify([0.1, 0.5, 0.7], "massey_denton", index=index)
    assert classes.tolist() == [0, 1, 2]


def test_ranking_chart_shades_bands_only_for_d_like_indices():
    exposure = ranking_chart(_results("exposure_ab", [0.93, 0.5, 0.2, 0.1]),
                             index="exposure_ab")
    labels = [t.get_text() for t in exposure.figure.legends[0].get_texts()] \
        if exposure.figure.legends else _legend(exposure)
    assert not any("high" in label or "moderate" in label for label in labels)
    assert not exposure.patches  # no band shading behind aPb
    d = ranking_chart(_results("dissimilarity", [0.7, 0.5, 0.2, 0.1]), index="dissimilarity")
    assert len(d.patches) == 3


def test_report_grid_uses_the_index_scale():
    frame = pd.concat([_results("morans_i", [-0.5, 0.0, 0.5, 1.0]).assign(year=y)
                       for y in (2018, 2019)])
    ax = report_grid(frame, index="morans_i")
    image = ax.get_images()[0]
    assert image.norm.vmin == -1.0 and image.norm.vmax == 1.0
    assert image.get_cmap().name == "RdBu_r"


def test_every_index_has_a_scale_or_the_neutral_fallback():
    names = (set(available_indices()) | set(SPATIAL_INDICES) | set(RO_NAMES.values())
             | {_INDEX, _INDEX_INTEGRAL})
    for name in names:
        scale = index_scale(name)
        assert scale.cmap
        if name in INDEX_SCALES:
            assert scale.vmin is not None and scale.vmax > scale.vmin
    assert index_scale("spatial_exposure_ab_ro") is INDEX_SCALES["spatial_exposure_ab"]
    assert index_scale("no_such_plugin").vmin is None  # values' own range


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_index_the_engine_can_produce_has_a_name(lang):
    # spatial_dissimilarity_ro was titled by its internal name (review2 #52)
    words = Formatter(lang)
    names = (set(available_indices()) | set(SPATIAL_INDICES) | set(RO_NAMES.values())
             | {_INDEX, _INDEX_INTEGRAL})
    for name in sorted(names):
        title = words.index_title(name)
        assert "_" not in title, (lang, name, title)
        base = name.removesuffix("_ro")
        assert lookup(lang, f"index_name.{base}") is not None, (lang, name)
    assert Formatter("en").index_title("spatial_dissimilarity_ro") == \
        "Spatial D (Reardon & O'Sullivan)"


def test_ro_index_map_title_is_in_words(squares):
    ax = plot.choropleth(_results("spatial_dissimilarity_ro", [0.1, 0.2, 0.3, 0.4])
                         .assign(bandwidth=1000.0, kernel="gaussian"), squares,
                         area_code="statcode", index="spatial_dissimilarity_ro")
    bar = next(a for a in ax.figure.axes if a is not ax)
    assert "_ro" not in ax.get_title() and "_ro" not in bar.get_xlabel()
    assert bar.get_xlabel() == (f"Spatial D (Reardon & O'Sullivan) at "
                                f"{Formatter('en').distance(1000)} (Gaussian kernel)")


def test_lon_lat_boundaries_are_projected_before_drawing():
    # review2 #50: a 0.1° x 0.1° square at 52° N is 0.62 as wide as tall on the ground
    lonlat = gpd.GeoDataFrame({"statcode": ["GM0001"]}, geometry=[box(5.0, 52.0, 5.1, 52.1)],
                              crs="EPSG:4326")
    ax = plot.choropleth(_results("dissimilarity", [0.2, 0.3, 0.4, 0.5]).head(1), lonlat,
                         area_code="statcode")
    (x0, y0), (x1, y1) = ax.collections[0].get_datalim(ax.transData).get_points()
    assert (x1 - x0) / (y1 - y0) == pytest.approx(np.cos(np.radians(52.05)), rel=0.02)
    assert x0 > 100_000  # RD New metres, not degrees


def test_group_labels_over_several_comparisons_are_refused():
    # review2 #36: seven panels all titled "XA vs XB"
    frame = pd.concat([_results("dissimilarity", [0.1, 0.2, 0.3, 0.4])
                       .assign(comparison=c, year=y) for c in ("p_vs_q", "r_vs_s")
                       for y in (2018, 2019)])
    from segspatial._grid import grid_pages, report_grids

    for draw in (grid_pages, report_grids):
        with pytest.raises(ValueError, match=r"label_a and label_b name the two groups of "
                                             r"one comparison, but 2 are shown"):
            draw(frame, index="dissimilarity", label_a="XA", label_b="XB")
    one = grid_pages(frame, index="dissimilarity", comparisons=["p_vs_q"], label_a="XA",
                     label_b="XB")
    assert "XA vs XB" in one[0].get_suptitle()


def test_grid_year_labels_are_horizontal_when_they_fit():
    # review2 #40: two years were rotated 90°
    two = pd.concat([_results("dissimilarity", [0.1, 0.2, 0.3, 0.4]).assign(year=y)
                     for y in (2017, 2018)])
    ax = report_grid(two)
    assert {t.get_rotation() for t in ax.get_xticklabels()} == {0.0}
    many = pd.concat([_results("dissimilarity", [0.1, 0.2, 0.3, 0.4]).assign(year=y)
                      for y in range(1990, 2030)])
    ax = report_grid(many)
    assert {t.get_rotation() for t in ax.get_xticklabels()} == {90.0}


def test_a_map_without_any_value_gets_a_note(squares):
    # review2 #42: an all-grey map was written without a word
    from segspatial import SegregationWarning
    from segspatial._grid import grid_pages

    empty = _results("dissimilarity", [np.nan] * 4).assign(reason="fewer than 2 units")
    with pytest.warns(SegregationWarning, match=r"no area has a value of Dissimilarity "
                      r"index D \(why: fewer than 2 units\): every area is drawn as no data"):
        plot.choropleth(empty, squares, area_code="statcode")
    with pytest.warns(SegregationWarning, match="no area has a value of Dissimilarit") as got:
        grid_pages(empty, index="dissimilarity", lang="nl")
    from segspatial._warn import render

    warning = got[0].message  # a reader sees it in the figure's language
    assert render("nl", warning.key, warning.params).startswith(
        "geen enkel gebied heeft een waarde voor Dissimilariteitsindex D (reden: fewer")
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", SegregationWarning)
        plot.choropleth(_results("dissimilarity", [np.nan, 0.2, 0.3, 0.4]), squares,
                        area_code="statcode")


LONG = "leerlingen met een migratieachtergrond van buiten Europa en de westerse wereld"


def _text_outside(figure) -> list[str]:
    """What is drawn outside the figure, measured with the renderer: the tight box of
    every drawn artist (texts of hidden axes, e.g. a map's, are not drawn) and each
    title, axis and colour-bar label."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    renderer = canvas.get_renderer()
    box = figure.bbox
    texts = [t for ax in figure.axes if ax.get_visible()
             for t in ((ax.title, ax.xaxis.label, ax.yaxis.label) if ax.axison
                       else (ax.title,)) if t.get_text()]
    texts += list(figure.texts) + ([figure._suptitle] if figure._suptitle else [])
    out = []
    for text in texts:
        extent = text.get_window_extent(renderer)
        if text.get_visible() and (
                extent.x0 < box.x0 - 0.5 or extent.x1 > box.x1 + 0.5
                or extent.y0 < box.y0 - 0.5 or extent.y1 > box.y1 + 0.5):
            out.append(text.get_text())
    tight = figure.get_tightbbox(renderer)  # everything drawn, in inches
    if (tight.x0 < -0.01 or tight.y0 < -0.01 or tight.x1 > figure.get_figwidth() + 0.01
            or tight.y1 > figure.get_figheight() + 0.01):
        out.append(f"drawn extent {tight.bounds}")
    return out


def test_a_78_character_label_stays_inside_every_figure(squares):
    # review2 #55 / review1 #18: the colour-bar label ran off both edges, titles shrank
    assert len(LONG) == 78  # the review1 and review2 kind of label
    results = _results("dissimilarity", [0.1, 0.4, 0.6, 0.7]).assign(
        comparison="x_vs_y", group_a="a", group_b="b")
    ax = plot.choropleth(results, squares, area_code="statcode", label_a=LONG,
                         label_b="all other pupils in primary education")
    assert _text_outside(ax.figure) == []
    assert ax.get_title().count("\n") >= 1  # wrapped, not shrunk below 8 points
    assert ax.title.get_fontsize() >= 8
    schools = pd.DataFrame({"school": ["s1", "s2", "s3"], "a": [10, 20, 30],
                            "b": [30, 20, 10], "x": [121000.0, 122000, 123000],
                            "y": [487000.0, 487500, 488000]})
    ax = plot.school_map(schools, "school", "a", "b", x="x", y="y", crs="EPSG:28992",
                         label_a=LONG)
    assert _text_outside(ax.figure) == []
    bar = next(a for a in ax.figure.axes if a is not ax)
    assert "\n" in bar.get_xlabel()
    grid = report_grid(pd.concat([results.assign(year=y) for y in (2018, 2019)]),
                       label_a=LONG, label_b="all other pupils in primary education")
    assert _text_outside(grid.figure) == []


def test_schools_on_several_years_says_which_year_it_shows(tmp_path, capsys):
    # review2 #37: the latest year was picked without a word
    from segspatial.cli import main

    path = tmp_path / "s.csv"
    path.write_text("school,a,b,x,y,yr\ns1,5,10,121000,487000,2018\ns2,5,3,121500,487000,2018\n"
                    "s1,6,10,121000,487000,2019\ns2,4,3,121500,487000,2019\n")
    assert main(["schools", str(path), "--unit", "school", "--group-a", "a", "--group-b", "b",
                 "--x", "x", "--y", "y", "--crs", "EPSG:28992", "--year", "yr",
                 "-o", str(tmp_path / "m.png")]) == 0
    err = capsys.readouterr().err
    assert "column 'yr' holds several years; the map shows the latest, 2019: choose " \
        "another with --in-year" in err
    assert main(["schools", str(path), "--unit", "school", "--group-a", "a", "--group-b", "b",
                 "--x", "x", "--y", "y", "--crs", "EPSG:28992", "--year", "yr", "--in-year",
                 "2018", "-o", str(tmp_path / "m.png")]) == 0
    assert "latest" not in capsys.readouterr().err


def test_mapclassify_speaks_through_the_catalogue():
    # review2 #41: "Setting k to 1" (its argument) and "use None" (Python) on the CLI
    from segspatial import SegregationWarning

    with pytest.warns(SegregationWarning, match=r"only 1 distinct value: 1 class instead of "
                                                r"k=9"):
        classes, bins = plot.classify([0.4, 0.4], "natural_breaks", k=9)
    assert classes.tolist() == [0, 0] and len(bins) == 1
    with pytest.raises(ValueError, match=r"scheme='nosuch' is not known; leave scheme= out "
                                         r"for a continuous scale, or use one of "
                                         r"massey_denton, box_plot, equal_interval") as info:
        plot.classify([0.4], "nosuch")
    assert "None" not in str(info.value) and "FisherJenks" not in str(info.value)
