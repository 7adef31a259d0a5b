"""Static figures and web-map labels: margins, drawn text, default titles, classes.

The examples are review findings on issue 11 (figures fit to print): titles cut at the
top edge, control characters drawn as missing glyphs, default titles without the
groups, the area or the year, ranking bands short of the axis, a one-row heatmap, a
quantile class straddling 0 painted in the "below 0" colour and web popups saying
"share of a".
"""

from __future__ import annotations

import io
import json
import re
import warnings
from html import unescape

import geopandas as gpd
import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgba
from shapely.geometry import box

from segspatial import plot
from segspatial._figure import BELOW_COLOR, PAD_INCHES, figure_bytes

mpl.use("Agg")

RD = "EPSG:28992"


def _pixels(figure, dpi: int = 150) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(figure_bytes(figure, "png", dpi=dpi))).convert("L"))


def _blank_margin(image: np.ndarray, rows: int) -> bool:
    """Whether the outer ``rows`` pixels on every side are white."""
    return bool((image[:rows] >= 250).all() and (image[-rows:] >= 250).all()
                and (image[:, :rows] >= 250).all() and (image[:, -rows:] >= 250).all())


def _svg_texts(figure) -> list[str]:
    import html

    svg = figure_bytes(figure, "svg").decode()
    return [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]


@pytest.fixture
def squares():
    return gpd.GeoDataFrame(
        {"statcode": ["GM0001", "GM0002", "GM0003"], "statnaam": ["Alfa", "Bravo", "Charlie"]},
        geometry=[box(i * 1000, 0, i * 1000 + 1000, 1000) for i in range(3)], crs=RD)


@pytest.fixture
def plain():
    """Plain two-column counts' results (group columns a, b), two years."""
    rows = [{"area": f"GM000{i}", "year": year, "group_a": "a", "group_b": "b",
             "index": "dissimilarity", "value": 0.1 * i + 0.01 * (year - 2018),
             "n_pupils": 1000 * i} for i in (1, 2, 3) for year in (2018, 2019)]
    return pd.DataFrame(rows)


@pytest.fixture
def schools():
    return pd.DataFrame({"school": ["s1", "s2", "s3", "s4"],
                         "area": ["GM0001"] * 2 + ["GM0002"] * 2,
                         "a": [10, 40, 25, 5], "b": [30, 10, 25, 45],
                         "x": [200.0, 700.0, 1200.0, 1800.0],
                         "y": [300.0, 600.0, 500.0, 400.0]})


# --------------------------------------------------------------------------- margins


@pytest.fixture(scope="module")
def national(boundaries):
    """A spatial index for every real 2019 municipality (the clipped-title case)."""
    codes = boundaries["statcode"].astype(str)
    return pd.DataFrame({"area": codes, "index": "spatial_dissimilarity", "bandwidth": 1000.0,
                         "kernel": "gaussian", "value": np.linspace(0, 0.6, len(codes))})


def test_national_map_title_inside_the_image(national, boundaries):
    ax = plot.choropleth(national, boundaries, index="spatial_dissimilarity")
    assert ax.get_title() == "Spatial D at 1\u00a0km (Gaussian kernel)"
    image = _pixels(ax.figure)
    pad = int(PAD_INCHES * 150)  # 15 px of white on every side
    assert _blank_margin(image, pad - 3)
    assert (image[pad + 2:pad + 30] < 128).any()  # the title's ink, right under the margin


def test_school_map_and_grids_keep_a_blank_margin(real_2019, boundaries, plain):
    located = real_2019[real_2019["x"].notna()]
    ax = plot.school_map(located, "school", "a", "b", x="x", y="y", crs=RD,
                         area="municipality", boundaries=boundaries)
    figures = [ax.figure, *plot.grid_pages(plain), *plot.grid_pages(plain[plain.year == 2019])]
    for figure in figures:
        assert _blank_margin(_pixels(figure, dpi=90), int(PAD_INCHES * 90) - 3)


# --------------------------------------------------------------------------- drawn text


def test_control_characters_in_every_drawn_string(squares, plain, schools):
    title, label = "T $x$ {{7*7}} \x07 <i>\nend", "pupils\x01 of A"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ax = plot.choropleth(plain, squares, title=title, label_a=label, legend=True)
        texts = _svg_texts(ax.figure)
        map_ = plot.school_map(schools, "school", "a", "b", x="x", y="y", crs=RD,
                               area="area", title=title, label_a=label)
        school_texts = _svg_texts(map_.figure)
        grid = plot.grid_pages(plain, title=title, label_a=label)[0]
        grid_texts = _svg_texts(grid)
        loose = plot.choropleth(plain, squares, label_a=label)
        loose.text(0, 0, "stray \x1b[31m text\tend")  # drawn without segspatial's helpers
        loose_texts = _svg_texts(loose.figure)
    assert not [str(w.message) for w in caught if "Glyph" in str(w.message)]
    drawn = "T $x$ {{7*7}} \ufffd <i> end"
    assert drawn in texts and drawn in school_texts and drawn in grid_texts
    assert "Share of pupils\ufffd of A (white: each area's own share)" in school_texts
    assert "Dissimilarity index D — pupils\ufffd of A vs group B, 2019" in [
        t.replace("\n", " ") for t in loose_texts]
    assert "stray \ufffd[31m text\ufffdend" in loose_texts


# --------------------------------------------------------------------------- titles


def test_default_titles_name_index_groups_and_year(squares, plain, schools):
    ax = plot.choropleth(plain, squares)
    assert ax.get_title() == "Dissimilarity index D — group A vs group B, 2019"
    nl = plot.choropleth(plain, squares, lang="nl")
    assert nl.get_title() == "Dissimilariteitsindex D — groep A vs groep B, 2019"
    grid = plot.grid_pages(plain)[0]
    assert grid.get_suptitle() == "Dissimilarity index D — group A vs group B, 2018–2019"
    ranking = plot.grid_pages(plain[plain["year"] == 2018])[0]
    assert ranking.get_suptitle() == "Dissimilarity index D — group A vs group B, 2018"
    town = plot.school_map(schools, "school", "a", "b", x="x", y="y", crs=RD, area="area",
                           area_name="Alfa", year=np.int64(2019))
    assert town.get_title() == "Alfa: Share of group A per school, 2019"
    assert plot.school_map(schools, "school", "a", "b", x="x", y="y",
                           crs=RD).get_title() == "Share of group A per school"


def test_schools_command_title_names_the_only_area_and_year(tmp_path, squares, schools):
    from segspatial.cli import main

    counts = tmp_path / "schools.csv"
    schools = schools.assign(x=schools["x"] + 120_000, y=schools["y"] + 480_000)  # in NL
    pd.concat([schools.assign(year=2018), schools.assign(year=2019)]).to_csv(counts,
                                                                            index=False)
    squares.translate(120_000, 480_000).to_frame("geometry").assign(
        statcode=squares["statcode"], statnaam=squares["statnaam"]).to_file(
        tmp_path / "b.geojson", driver="GeoJSON")
    out = tmp_path / "map.svg"
    assert main(["schools", str(counts), "--unit", "school", "--group-a", "a", "--group-b",
                 "b", "--x", "x", "--y", "y", "--crs", RD, "--area", "area", "--year",
                 "year", "--only", "GM0002", "--boundaries", str(tmp_path / "b.geojson"),
                 "-q", "-o", str(out)]) == 0
    assert ">Bravo: Share of group A per school, 2019<" in out.read_text()


# --------------------------------------------------------------------------- ranking, one row


def test_ranking_bands_reach_the_axis_limit(plain):
    ax = plot.ranking_chart(plain, year=2019)
    right = ax.get_xlim()[1]
    ends = sorted(p.get_x() + p.get_width() for p in ax.patches)
    assert right == pytest.approx(0.8 + 2.5 * 0.06 * 0.8)  # the scale 0-0.8 and its room
    assert ends == pytest.approx([0.3, 0.6, right])  # high (0.6-1) shaded to the axis end


def test_results_without_area_give_one_row_and_no_warning():
    # what `indices` writes without --area: the area column is empty
    results = pd.DataFrame({"area": [np.nan, np.nan], "group_a": "a", "group_b": "b",
                            "index": ["dissimilarity", "theil_h"],
                            "value": [0.4487179487179488, 0.1]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pages = plot.grid_pages(results)
        figure_bytes(pages[0], "png")
    ax = pages[0].axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["1. all units"]
    assert "0.45" in [t.get_text() for t in ax.texts]
    one = pd.DataFrame({"area": ["GM0001"], "index": ["dissimilarity"], "value": [0.3]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        figure_bytes(plot.grid_pages(one, lang="nl")[0], "png")


# --------------------------------------------------------------------------- classes


def test_classes_split_at_the_scale_ends():
    values = [-0.5, -0.1, 0.0, 0.1, 0.2, 0.5, 0.7, 0.9, np.nan]
    classes, bins = plot.classify(values, "quantiles", k=2, vmin=0, vmax=0.8)
    labels = [label for _, _, label in bins]
    assert labels == ["below 0", "0 to 0.15", "0.15 to 0.8", "above 0.8"]  # median 0.15
    assert classes.tolist() == [0, 0, 1, 1, 2, 2, 2, 3, -1]
    _, nl = plot.classify(values, "quantiles", k=2, lang="nl", vmin=0, vmax=0.8)
    assert [label for _, _, label in nl] == ["onder 0", "0 tot 0,15", "0,15 tot 0,8",
                                             "boven 0,8"]


def test_quantile_map_of_real_d_star_never_paints_positive_values_below_zero(
        real_2019, boundaries):
    import segspatial as ss

    table = ss.segregation(real_2019, "school", "a", "b", area="municipality",
                           min_area_size=0).table
    d_star = table[table["index"] == "dissimilarity_standardised"]
    values = d_star.set_index("area")["value"]
    assert (values < 0).sum() == 6  # the review's first quantile class: 6 of 71 below 0
    ax = plot.choropleth(d_star, boundaries, index="dissimilarity_standardised",
                         scheme="quantiles", k=5)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[:2] == ["below 0: more even than random", "0 to 0.173"]  # D*'s own words
    assert labels[-1] == "no data"
    faces = ax.collections[0].get_facecolors()
    codes = boundaries["statcode"].astype(str).to_numpy()
    shown = values.reindex(codes).to_numpy()
    blue = np.all(np.isclose(faces, to_rgba(BELOW_COLOR), atol=0.01), axis=1)
    assert blue.sum() == 6 and (shown[blue] < 0).all()
    first = (shown >= 0) & (shown <= 0.17286555)
    assert first.sum() == 65 and not blue[first].any()
    # the classes on the scale rise along the colour ramp (green to red)
    patches = ax.get_legend().get_patches()[1:-1]
    ramp = mpl.colormaps["RdYlGn_r"]
    positions = [np.argmin(np.abs(ramp(np.linspace(0, 1, 256))[:, :3]
                                  - np.array(p.get_facecolor()[:3])).sum(axis=1))
                 for p in patches]
    assert positions == sorted(positions) and len(set(positions)) == len(positions)


# --------------------------------------------------------------------------- web labels


def test_web_school_popups_use_the_default_group_labels_and_area_names(squares, schools):
    from segspatial.webmap import school_webmap, to_html

    for lang, group, share, area_share in (
            ("en", "group A", "share of group A", "area's share of group A"),
            ("nl", "groep A", "aandeel groep A", "aandeel groep A in het gebied")):
        html = to_html(school_webmap(schools, "school", "a", "b", x="x", y="y", crs=RD,
                                     area="area", boundaries=squares, lang=lang))
        aliases = max((json.loads(found) for found in
                       re.findall(r"let aliases = (\[.*?\]);", html)), key=len)  # popup
        assert [unescape(a) for a in aliases[3:]] == [
            {"en": "pupils", "nl": "leerlingen"}[lang], group, group.replace("A", "B"),
            share, area_share]
        # each school's area by its name (two schools and the outline in Alfa)
        assert html.count('"area": "Alfa"') == 3 and '"area": "GM0001"' not in html
