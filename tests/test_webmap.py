"""Interactive maps (folium): rendered HTML, escaping, offline mode, disclosure control."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from segspatial import webmap

EVIL = "<script>alert(1)</script>"
# how an HTML-escaped name appears inside the page's JSON (jinja's tojson escapes & < >)
EVIL_IN_JSON = r"\u0026lt;script\u0026gt;alert(1)\u0026lt;/script\u0026gt;"


@pytest.fixture
def squares():
    return gpd.GeoDataFrame(
        {"statcode": ["GM0001", "GM0002", "GM0003"],
         "statnaam": [EVIL, "Bravo & Zonen", "Charlie"]},
        geometry=[box(100_000 + i * 1000, 450_000, 101_000 + i * 1000, 451_000)
                  for i in range(3)],
        crs="EPSG:28992")


@pytest.fixture
def results():
    return pd.DataFrame({
        "area": ["GM0001", "GM0002"], "year": 2019, "index": "dissimilarity",
        "value": [0.5333333333333333, 0.1], "n_units": [12, 3],
        "n_pupils": [40, 12345], "n_a": [5, 200], "n_b": [35, 12145]})


@pytest.fixture
def schools():
    return pd.DataFrame({
        "school": ["00AA00", "00BB00", "00CC00"],
        "school_name": ["<img src=x onerror=alert(2)>", "De `Klimop` ${x}", "Plain"],
        "a": [3, 40, 120], "b": [60, 100, 30],
        "x": [100_200.0, 100_600.0, 100_900.0], "y": [450_200.0, 450_500.0, 450_800.0],
        "gm": "GM0001", "p_local": [0.2, 0.3, 0.5], "gap": [-0.1, 0.0, 0.4]})


def _html(m) -> str:
    return m.get_root().render()


def _geojson_layers(m) -> list[dict]:
    import folium

    return [child.data for child in m._children.values() if isinstance(child, folium.GeoJson)]


def _external_resources(html: str) -> list[str]:
    scripts = re.findall(r"<script[^>]*\bsrc\s*=\s*[\"']?([^\"' >]+)", html, flags=re.I)
    links = re.findall(r"<link[^>]*\bhref\s*=\s*[\"']?([^\"' >]+)", html, flags=re.I)
    css_urls = re.findall(r"url\(\s*[\"']?(https?:[^)\"']+)", html, flags=re.I)
    return scripts + links + css_urls


def test_choropleth_features_tooltips_and_escaping(squares, results):
    m = webmap.choropleth_map(results, squares, area_code="statcode")
    (layer,) = _geojson_layers(m)
    assert len(layer["features"]) == 3  # every boundary feature, with or without a value
    props = {f["properties"]["code"]: f["properties"] for f in layer["features"]}
    assert props["GM0001"]["name"] == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert props["GM0002"]["name"] == "Bravo &amp; Zonen"  # escaped once, not twice
    assert props["GM0001"]["value"] == "0.533"
    assert props["GM0003"]["value"] == "no data"
    assert props["GM0002"]["schools"] == "3" and props["GM0002"]["pupils"] == "12,345"
    assert set(props["GM0001"]) == {"name", "code", "value", "schools", "pupils", "fill"}
    html = _html(m)
    assert html.count('"type": "Feature"') == 3
    assert EVIL not in html and "alert(1)</" not in html
    assert EVIL_IN_JSON in html
    assert r"\u0026amp;lt;" not in html  # no double escaping
    assert '"fields": ' not in html or "bindTooltip" in html
    for alias in ("name", "code", "D", "schools", "pupils"):
        assert f'"{alias}"' in html
    assert "Dissimilarity index D, 2019" in html  # the legend title, in words


def test_choropleth_min_cell_hides_small_counts(squares, results):
    with pytest.raises(ValueError, match=r"min_cell=50: results: not written under "
                       r"disclosure control with N >= 50 \(it has no 'min_cell' column\)"):
        webmap.choropleth_map(results, squares, area_code="statcode", min_cell=50)
    results = results.assign(min_cell=50)  # as segspatial indices --min-cell 50 writes
    m = webmap.choropleth_map(results, squares, area_code="statcode", min_cell=50)
    props = {f["properties"]["code"]: f["properties"] for f in _geojson_layers(m)[0]["features"]}
    assert props["GM0001"]["pupils"] == "< 50"
    assert props["GM0002"]["pupils"] == "12,345"
    html = _html(m)
    assert r"\u003c 50" in html and '"pupils": "40"' not in html
    assert props["GM0002"]["schools"] == "3"  # school counts are public


def test_offline_map_embeds_leaflet_and_links_nothing(squares, results):
    online = _html(webmap.choropleth_map(results, squares, area_code="statcode"))
    assert any("leaflet" in url for url in _external_resources(online))
    assert "tile.openstreetmap.org" in online  # the default basemap online
    html = _html(webmap.choropleth_map(results, squares, area_code="statcode",
                                       offline=True))
    assert _external_resources(html) == []
    assert "L.tileLayer(" not in html  # no basemap offline by default
    js, css = webmap.leaflet_assets()
    assert js[:200] in html and ".leaflet-container" in html
    assert "url(images/" not in html and "data:image/png;base64," in css
    assert "sourceMappingURL" not in html
    assert "jquery" not in html.lower()
    # folium's own class lists are untouched by an offline map
    import folium

    assert any(name == "jquery" for name, _ in folium.Map.default_js)


def test_tiles_option(squares, results):
    html = _html(webmap.choropleth_map(results, squares, area_code="statcode", tiles=None))
    assert "L.tileLayer(" not in html
    html = _html(webmap.choropleth_map(results, squares, area_code="statcode", tiles="none"))
    assert "L.tileLayer(" not in html
    html = _html(webmap.choropleth_map(results, squares, area_code="statcode",
                                       tiles="OpenStreetMap"))
    assert "tile.openstreetmap.org" in html


def test_classes_legend_and_errors(squares, results):
    html = _html(webmap.choropleth_map(results, squares, area_code="statcode",
                                       scheme="massey_denton"))
    for label in ("low (0–0.3)", "moderate (0.3–0.6)", "no data"):
        assert label in html
    with pytest.raises(ValueError, match=r"min_cell must be at least 1, got 0"):
        webmap.choropleth_map(results, squares, area_code="statcode", min_cell=0)
    with pytest.raises(TypeError, match=r"min_cell must be an int or None, got 2.5"):
        webmap.choropleth_map(results, squares, area_code="statcode", min_cell=2.5)
    with pytest.raises(ValueError, match=r"index='theil_h' is not in the results"):
        webmap.choropleth_map(results, squares, index="theil_h", area_code="statcode")


def test_school_map_popups_measures_escaping_min_cell(schools, squares):
    m = webmap.school_webmap(schools, "school", "a", "b", x="x", y="y", crs="EPSG:28992",
                             name="school_name", area="gm",
                             boundaries=squares.iloc[:1], min_cell=10)
    outline, points = _geojson_layers(m)
    assert len(outline["features"]) == 1 and len(points["features"]) == 3
    props = {f["properties"]["school"]: f["properties"] for f in points["features"]}
    assert props["00AA00"]["name"] == "&lt;img src=x onerror=alert(2)&gt;"
    assert props["00BB00"]["name"] == "De &#96;Klimop&#96; &#36;&#123;x&#125;"
    # disclosure mode publishes no school's group counts at all
    assert not any(k in p for p in props.values() for k in ("group_a", "group_b"))
    # 3 pupils of group A: suppressed (a share would give 3 back); pupils rounded to 5
    assert props["00AA00"]["share_a"] == "suppressed (a group < 10)"
    assert props["00AA00"]["pupils"] == "65"  # 63
    assert props["00AA00"]["area_share_a"] == "46%"  # 163 / 353, whole percents
    # BB: 40 of 140, shown as its band of 10 percentage points
    assert props["00BB00"]["share_a"] == "20–30%" and props["00BB00"]["pupils"] == "140"
    # complementary suppression: with one suppressed school the area's totals would
    # give its counts back, so the school with the smallest group count (CC: 30 of B)
    # is suppressed too
    assert props["00CC00"]["share_a"] == "suppressed (a group < 10)"
    # local measures mix exact counts of the neighbours: never shown with min_cell
    assert {props[s][f"m{i}"] for s in props for i in (0, 1)} == {"not shown"}
    radius = [props[s]["radius"] for s in ("00AA00", "00BB00", "00CC00")]
    assert radius[2] == pytest.approx(14.0) and radius[0] < radius[1] < radius[2]
    assert outline["features"][0]["properties"]["area"] == \
        "&lt;script&gt;alert(1)&lt;/script&gt;"
    html = _html(m)
    assert "<img src=x" not in html and "alert(2)>" not in html
    assert "`Klimop`" not in html and "${x}" not in html
    assert '"p_local"' in html and '"gap"' in html  # the popup's labels
    plain = webmap.school_webmap(schools, "school", "a", "b", x="x", y="y",
                                 crs="EPSG:28992", area="gm")
    plain_props = {f["properties"]["school"]: f["properties"]
                   for f in _geojson_layers(plain)[-1]["features"]}
    assert [plain_props[s]["m0"] for s in ("00AA00", "00BB00", "00CC00")] == \
        ["0.2", "0.3", "0.5"]
    assert plain_props["00BB00"]["group_b"] == "100" and \
        plain_props["00BB00"]["share_a"] == "28.6%"
    lon, lat = points["features"][0]["geometry"]["coordinates"]
    assert 4.0 < lon < 6.0 and 51.5 < lat < 53.0  # reprojected from RD to WGS84


def _school_props(m) -> dict[str, dict]:
    points = _geojson_layers(m)[-1]
    return {f["properties"]["school"]: f["properties"] for f in points["features"]}


def _rendered_features(html: str) -> list[dict]:
    """Every GeoJSON feature as the browser receives it (decoded from the page)."""
    return [f for data in re.findall(r"_add\((\{.*\})\);", html)
            for f in json.loads(data)["features"]]


@pytest.fixture
def leaky():
    """School L has 3 pupils of group A: a school whose counts must not be recoverable."""
    return pd.DataFrame({
        "school": ["L", "M", "N"], "a": [3, 40, 120], "b": [200, 100, 30],
        "x": [100_200.0, 100_600.0, 100_900.0], "y": [450_200.0, 450_500.0, 450_800.0],
        "p": [3 / 203, 40 / 140, 120 / 150], "p_local": [0.2137, 0.33, 0.52],
        "d_contribution": [0.5 * abs(3 / 163 - 200 / 330), 0.01, 0.02]})


def test_school_with_a_small_group_is_suppressed_everywhere(leaky):
    import matplotlib as mpl
    from matplotlib.colors import to_hex

    from segspatial._mapdata import SUPPRESSED_COLOR

    kw = dict(x="x", y="y", crs="EPSG:28992", name="school")
    m = webmap.school_webmap(leaky, "school", "a", "b", min_cell=10, **kw)
    html = _html(m)
    share = f"{3 / 203:.1%}"  # as the popup formats it: "1.5%"
    p, d = f"{3 / 203:.4g}", f"{0.5 * abs(3 / 163 - 200 / 330):.4g}"
    (leak,) = [f["properties"] for f in _rendered_features(html)
               if f["properties"]["school"] == "L"]
    assert leak["share_a"] == "suppressed (a group < 10)" and leak["pupils"] == "205"
    assert {leak["m0"], leak["m1"], leak["m2"]} == {"not shown"}
    assert leak["fill"] == SUPPRESSED_COLOR
    # the exact strings that would leak are nowhere in the page
    for text in (share, p, d, '"group_a": "3"', '"group_b": "200"', "0.2137", '"203"'):
        assert text not in html, text
    assert "share not shown: a group has fewer than 10 pupils" in html  # legend
    # without min_cell they are all there: the assertions above can fail
    plain = _html(webmap.school_webmap(leaky, "school", "a", "b", **kw))
    for text in (share, p, d, '"group_a": "3"', '"group_b": "200"', "0.2137", '"203"'):
        assert text in plain, text
    assert "suppressed" not in plain and "share not shown" not in plain
    # the unsuppressed school shows its band and rounded pupils, nothing exact
    shown, unshown = _school_props(m), _school_props(
        webmap.school_webmap(leaky, "school", "a", "b", **kw))
    assert shown["M"]["share_a"] == "20–30%" and unshown["M"]["share_a"] == "28.6%"
    assert "group_b" not in shown["M"] and unshown["M"]["group_b"] == "100"
    assert {shown["M"][k] for k in ("m0", "m1", "m2")} == {"not shown"}
    # N (smallest group count, 30) is the complementary suppression: with L alone
    # hidden, the area's totals minus M and N would give L's counts back
    assert unshown["N"]["share_a"] == "80.0%" and unshown["N"]["group_b"] == "30"
    assert shown["N"]["share_a"] == "suppressed (a group < 10)"
    assert shown["N"]["fill"] == SUPPRESSED_COLOR
    assert unshown["L"]["fill"] != SUPPRESSED_COLOR
    scale = {to_hex(c) for c in mpl.colormaps["RdBu_r"](np.linspace(0, 1, 256))}
    assert SUPPRESSED_COLOR not in scale  # the grey is no colour of the share scale


def test_school_colours_and_sizes_carry_only_what_is_published(leaky):
    """A marker's colour is its band's middle against the area's whole-percent share,
    its size the rounded pupils: two data sets with the same bands and rounded
    counts give the same map, whatever their exact counts."""
    kw = dict(x="x", y="y", crs="EPSG:28992", min_cell=10)
    one = leaky.assign(a=[3, 40, 121], b=[200, 101, 30])
    two = leaky.assign(a=[4, 41, 119], b=[199, 99, 32])
    props_one = _school_props(webmap.school_webmap(one, "school", "a", "b", **kw))
    props_two = _school_props(webmap.school_webmap(two, "school", "a", "b", **kw))
    assert props_one == props_two
    plain = dict(x="x", y="y", crs="EPSG:28992")
    assert _school_props(webmap.school_webmap(one, "school", "a", "b", **plain)) != \
        _school_props(webmap.school_webmap(two, "school", "a", "b", **plain))


def test_one_school_area_publishes_no_share_that_pins_its_count():
    """A municipality with one school: its share of A is the school's. With 100
    pupils a whole percent is one pupil, so the audit withholds the share and the
    school is grey; with 212 pupils (the issue's GM0277) 4% leaves 8 or 9."""
    one = pd.DataFrame({"school": ["S"], "a": [9], "b": [91], "x": [0.0], "y": [0.0],
                        "gm": ["X"]})
    props = _school_props(webmap.school_webmap(one, "school", "a", "b", x="x", y="y",
                                               crs="EPSG:28992", area="gm", min_cell=10))
    assert props["S"]["area_share_a"] == "not shown"
    assert props["S"]["share_a"] == "suppressed (a group < 10)"
    bigger = one.assign(b=[203])
    props = _school_props(webmap.school_webmap(bigger, "school", "a", "b", x="x", y="y",
                                               crs="EPSG:28992", area="gm", min_cell=10))
    assert props["S"]["area_share_a"] == "4%"  # 9 / 212 = 4.2%: 8/212 and 9/212 both 4%


def test_group_b_below_min_cell_and_small_schools_keep_no_trace(leaky):
    data = leaky.assign(a=[150, 40, 2], b=[7, 100, 3])  # L: B small; N: 5 pupils
    props = _school_props(webmap.school_webmap(data, "school", "a", "b", x="x", y="y",
                                               crs=28992, min_cell=10))
    assert props["L"]["share_a"] == "suppressed (a group < 10)"  # not 150 (157 - 150 = 7)
    assert props["L"]["pupils"] == "155" and props["N"]["pupils"] == "< 10"
    # a marker's area must not give the hidden pupil count back: N is drawn as 10 pupils
    assert props["N"]["radius"] == round(14.0 * np.sqrt(10 / 155), 2)
    assert props["M"]["radius"] == round(14.0 * np.sqrt(140 / 155), 2)
    plain = _school_props(webmap.school_webmap(data, "school", "a", "b", x="x", y="y",
                                               crs=28992))
    assert plain["N"]["radius"] == round(14.0 * np.sqrt(5 / 157), 2)
    with pytest.raises(TypeError, match=r"min_cell must be an int or None, got '10'"):
        webmap.school_webmap(data, "school", "a", "b", x="x", y="y", crs=28992,
                             min_cell="10")


def test_school_map_options_and_errors(schools):
    m = webmap.school_webmap(schools, "school", "a", "b", x="x", y="y", crs="EPSG:28992",
                             measures=["gap"], offline=True)
    props = _geojson_layers(m)[0]["features"][0]["properties"]
    assert props["m0"] == "−0.1" and "m1" not in props
    assert props["name"] == "00AA00"  # no name column: the id
    assert _external_resources(_html(m)) == []
    with pytest.raises(ValueError, match=r"crs is required"):
        webmap.school_webmap(schools, "school", "a", "b", x="x", y="y")
    with pytest.raises(ValueError, match=r"data has no column\(s\) \['nope'\]"):
        webmap.school_webmap(schools, "school", "a", "b", x="x", y="y", crs=28992,
                             measures=["nope"])
    with pytest.raises(ValueError, match=r"max_radius must be a positive number, got 0"):
        webmap.school_webmap(schools, "school", "a", "b", x="x", y="y", crs=28992,
                             max_radius=0)


def test_escape_is_idempotent_in_effect():
    assert webmap.escape("a & b") == "a &amp; b"
    assert webmap.escape(np.int64(5)) == "5"
    assert json.loads(json.dumps(webmap.escape(EVIL))) == "&lt;script&gt;alert(1)&lt;/script&gt;"


# ----------------------------------------------------------------- the CLI sub-commands

def _cli(*argv) -> int:
    from segspatial.cli import main

    return main([str(a) for a in argv])


def test_cli_map_heatmap_schools_write_files(tmp_path, squares, results, schools, capsys):
    squares.to_file(tmp_path / "b.geojson", driver="GeoJSON")
    results.to_csv(tmp_path / "r.csv", index=False)
    schools.to_csv(tmp_path / "s.csv", index=False)
    html = tmp_path / "out" / "m.html"
    # --min-cell needs results written under disclosure control (a min_cell column)
    assert _cli("map", tmp_path / "r.csv", tmp_path / "b.geojson", "--area-code", "statcode",
                "--index", "dissimilarity", "--output", html, "--min-cell", "50") == 2
    assert "r.csv': not written under disclosure control with N >= 50 (it has no " \
        "'min_cell' column)" in capsys.readouterr().err
    results.assign(min_cell=50).to_csv(tmp_path / "r.csv", index=False)
    assert _cli("map", tmp_path / "r.csv", tmp_path / "b.geojson", "--area-code", "statcode",
                "--index", "dissimilarity", "--output", html, "--offline",
                "--min-cell", "50") == 0
    text = html.read_text(encoding="utf-8")
    assert _external_resources(text) == [] and r"\u003c 50" in text
    assert not list((tmp_path / "out").glob(".*tmp*"))  # written atomically
    for suffix in ("png", "svg", "pdf"):
        out = tmp_path / f"m.{suffix}"
        assert _cli("map", tmp_path / "r.csv", tmp_path / "b.geojson", "--area-code",
                    "statcode", "--index", "dissimilarity", "--in-year", "2019",
                    "--scheme", "massey_denton", "--output", out) == 0
        assert out.stat().st_size > 1000
    assert (tmp_path / "m.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "m.pdf").read_bytes()[:4] == b"%PDF"
    assert _cli("heatmap", tmp_path / "r.csv", "--index", "dissimilarity", "--output",
                tmp_path / "g.png") == 0
    assert _cli("schools", tmp_path / "s.csv", "--unit", "school", "--group-a", "a",
                "--group-b", "b", "--x", "x", "--y", "y", "--crs", "EPSG:28992",
                "--area", "gm", "--only", "GM0001", "--name", "school_name",
                "--boundaries", tmp_path / "b.geojson", "--area-code", "statcode",
                "--min-cell", "10", "--output", tmp_path / "s.html") == 0
    text = (tmp_path / "s.html").read_text(encoding="utf-8")
    assert text.count('"type": "Feature"') == 3 + 1 and "<img src=x" not in text
    assert _cli("schools", tmp_path / "s.csv", "--unit", "school", "--group-a", "a",
                "--group-b", "b", "--x", "x", "--y", "y", "--crs", "EPSG:28992",
                "--output", tmp_path / "s.png") == 0
    assert "wrote school map to" in capsys.readouterr().err


def test_cli_map_errors(tmp_path, squares, results, schools, capsys):
    squares.to_file(tmp_path / "b.geojson", driver="GeoJSON")
    results.to_csv(tmp_path / "r.csv", index=False)
    schools.to_csv(tmp_path / "s.csv", index=False)
    base = ["map", tmp_path / "r.csv", tmp_path / "b.geojson", "--area-code", "statcode",
            "--index", "dissimilarity"]
    assert _cli(*base, "--output", tmp_path / "m.txt") == 2
    assert "--output" in capsys.readouterr().err
    assert _cli(*base, "--output", tmp_path / "m.png", "--offline") == 2
    assert "--offline: only for .html output" in capsys.readouterr().err
    assert _cli(*base, "--output", tmp_path / "m.png", "--in-year", "1999") == 2
    assert "--in-year 1999 is not in the results" in capsys.readouterr().err
    assert _cli("heatmap", tmp_path / "r.csv", "--index", "dissimilarity",
                "--output", tmp_path / "g.html") == 2
    assert "must end in one of .png, .svg, .pdf" in capsys.readouterr().err
    school = ["schools", tmp_path / "s.csv", "--unit", "school", "--group-a", "a",
              "--group-b", "b", "--x", "x", "--y", "y", "--crs", "EPSG:28992"]
    assert _cli(*school, "--only", "GM0001", "--output", tmp_path / "s.html") == 2
    assert "--only needs --area" in capsys.readouterr().err
    assert _cli(*school, "--area", "gm", "--only", "GM7", "--output",
                tmp_path / "s.html") == 2
    assert "--only ['GM7'] not found in the area codes" in capsys.readouterr().err
    assert not (tmp_path / "s.html").exists() and not (tmp_path / "m.png").exists()


def test_complementary_suppression_never_leaves_one_school_alone():
    from segspatial._mapdata import suppressed_schools

    rng = np.random.default_rng(12)
    area = rng.integers(0, 40, 2_000)
    a = rng.integers(0, 600, 2_000)  # about one school a group below 10 per area
    b = rng.integers(5, 2_000, 2_000)
    hidden = suppressed_schools(a, b, 10, area=area)
    primary = (a < 10) | (b < 10)
    assert np.all(hidden[primary])  # every primary suppression stays
    per_area = pd.DataFrame({"area": area, "hidden": hidden, "primary": primary}).groupby(
        "area").agg(n=("hidden", "size"), hidden=("hidden", "sum"), primary=("primary", "sum"))
    multi = per_area[per_area["n"] > 1]
    assert not (multi["hidden"] == 1).any()
    # only one complement per area, and only where a single school was suppressed
    assert ((multi["hidden"] - multi["primary"]) == (multi["primary"] == 1)).all()
    assert (multi["primary"] == 1).any()  # the case occurs in this data


def test_complementary_suppression_of_one_area_as_of_many():
    """A single area (a report page) takes a path without grouping: the same schools
    are suppressed as when the area is one of several (ties, NaN counts and no
    candidate included)."""
    from segspatial._mapdata import suppressed_schools

    rng = np.random.default_rng(7)
    for trial in range(300):
        n = int(rng.integers(1, 12))
        a = rng.integers(0, 40, n).astype(float)
        b = rng.integers(0, 40, n).astype(float)
        a[rng.random(n) < 0.1] = np.nan
        alone = suppressed_schools(a, b, 10, area=["X"] * n)
        assert alone.tolist() == suppressed_schools(a, b, 10).tolist()
        # the same schools with a second area beside them: the grouping path
        many = suppressed_schools(np.append(a, 500.0), np.append(b, 500.0), 10,
                                  area=["X"] * n + ["Y"])
        assert alone.tolist() == many[:n].tolist(), trial


def test_group_labels_and_circle_size_for_many_schools(leaky):
    evil = "<b>x</b>"
    m = webmap.school_webmap(leaky, "school", "a", "b", x="x", y="y", crs="EPSG:28992",
                             group_labels={"a": evil, "b": "other"})
    html = _html(m)
    assert "Share of &lt;b&gt;x&lt;/b&gt;" in html  # escaped once, in the legend
    assert "&amp;lt;" not in html and "share of a<" not in html and evil not in html
    # 3 schools: the largest circle has the default 14 px
    radius = max(p["radius"] for p in _school_props(m).values())
    assert radius == pytest.approx(14.0)
    many = pd.DataFrame({"school": [f"s{i}" for i in range(240)], "a": 50, "b": 50,
                         "x": np.arange(240) * 300.0, "y": 0.0})
    radius = max(p["radius"] for p in _school_props(webmap.school_webmap(
        many, "school", "a", "b", x="x", y="y", crs="EPSG:28992")).values())
    assert radius == pytest.approx(7.0)  # 14 * sqrt(60 / 240)
