"""The offline web maps in a real browser (headless Chromium via Playwright).

Checks what a person would see: polygons and school markers drawn, no console or
page errors, no network request, tooltips showing a name with markup as text (and
no script run from it). Screenshots are kept in ``test-artifacts/``.
Runs on the real 2019 case: the national choropleth and Amsterdam's schools.
"""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts"
EVIL = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def browser(chromium):
    return chromium


def _open(browser, path: Path):
    page = browser.new_page(viewport={"width": 1000, "height": 800})
    log = {"errors": [], "requests": [], "dialogs": []}
    page.on("console", lambda m: log["errors"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: log["errors"].append(str(e)))
    page.on("request", lambda r: log["requests"].append(r.url))
    page.on("dialog", lambda d: (log["dialogs"].append(d.message), d.dismiss()))
    page.goto(path.as_uri())
    page.wait_for_selector("path.leaflet-interactive")
    page.wait_for_timeout(300)
    return page, log


def _hover(page, lat: float, lon: float) -> str:
    name = page.evaluate("Object.keys(window).find(k => k.startsWith('map_'))")
    point = page.evaluate(f"window['{name}'].latLngToContainerPoint([{lat}, {lon}])")
    box = page.locator(".leaflet-container").bounding_box()
    page.mouse.move(box["x"] + point["x"], box["y"] + point["y"])
    page.wait_for_selector(".leaflet-tooltip")
    return page.locator(".leaflet-tooltip").inner_text()


def _outside_requests(log) -> list[str]:
    return [u for u in log["requests"] if not u.startswith(("file:", "data:", "about:"))]


def test_offline_national_choropleth_in_chromium(browser, real_2019, boundaries, tmp_path):
    import segspatial as ss
    from segspatial.cli._figures import save_map
    from segspatial.disclosure import policy, protect_results
    from segspatial.webmap import choropleth_map

    result = ss.segregation(real_2019, "school", "a", "b", area="municipality",
                            min_unit_size=0, min_area_size=0)
    table, _, _ = protect_results(result, policy(10))  # as `indices --min-cell 10` writes
    named = boundaries.copy()
    named.loc[named["statcode"] == "GM0363", "statnaam"] = EVIL
    m = choropleth_map(table, named, area_code="statcode", offline=True, min_cell=10)
    ARTIFACTS.mkdir(exist_ok=True)
    path = save_map(m, ARTIFACTS / "real_2019_choropleth.html")
    page, log = _open(browser, path)
    assert page.locator("path.leaflet-interactive").count() == 355
    assert page.locator(".leaflet-tile").count() == 0  # no basemap
    assert page.locator(".segspatial-legend").inner_text().startswith("Dissimilarity index D")
    amsterdam = named[named["statcode"] == "GM0363"].to_crs("EPSG:4326")
    point = amsterdam.geometry.iloc[0].representative_point()
    tooltip = _hover(page, point.y, point.x)
    assert EVIL in tooltip and "GM0363" in tooltip  # markup shown as text
    value = table.query("area == 'GM0363' and index == 'dissimilarity'")["value"].iloc[0]
    assert f"{value:.2f}" in tooltip and f"{value:.3f}" not in tooltip  # 2 decimals
    page.screenshot(path=str(ARTIFACTS / "real_2019_choropleth.png"))
    assert log["errors"] == [] and log["dialogs"] == []
    assert _outside_requests(log) == []
    page.close()


def test_offline_amsterdam_school_map_in_chromium(browser, real_2019, boundaries):
    from segspatial.cli._figures import save_map
    from segspatial.webmap import school_webmap

    amsterdam = real_2019[real_2019["municipality"] == "GM0363"].copy()
    first = amsterdam.index[0]
    amsterdam.loc[first, "school_name"] = "<img src=x onerror=alert(2)>"
    m = school_webmap(amsterdam, "school", "a", "b", x="x", y="y", crs="EPSG:28992",
                      name="school_name", area="municipality",
                      boundaries=boundaries[boundaries["statcode"] == "GM0363"],
                      offline=True, min_cell=10)
    ARTIFACTS.mkdir(exist_ok=True)
    path = save_map(m, ARTIFACTS / "real_2019_amsterdam_schools.html")
    page, log = _open(browser, path)
    # 210 school circles + the municipality outline
    assert page.locator("path.leaflet-interactive").count() == 210 + 1
    page.screenshot(path=str(ARTIFACTS / "real_2019_amsterdam_schools.png"))
    import geopandas as gpd

    school = gpd.GeoSeries(gpd.points_from_xy([amsterdam.loc[first, "x"]],
                                              [amsterdam.loc[first, "y"]]),
                           crs="EPSG:28992").to_crs("EPSG:4326").iloc[0]
    name = page.evaluate("Object.keys(window).find(k => k.startsWith('map_'))")
    page.evaluate(f"window['{name}'].setView([{school.y}, {school.x}], 16)")
    page.wait_for_timeout(300)
    tooltip = _hover(page, school.y, school.x)
    assert "<img src=x onerror=alert(2)>" in tooltip
    page.mouse.click(*_centre(page))
    page.wait_for_selector(".leaflet-popup-content")
    popup = page.locator(".leaflet-popup-content").inner_text()
    assert amsterdam.loc[first, "school"] in popup and "share of group A" in popup
    assert "Amsterdam" in popup and "GM0363" not in popup  # the area by its name
    page.wait_for_timeout(400)  # the popup's fade-in
    page.screenshot(path=str(ARTIFACTS / "real_2019_amsterdam_school_popup.png"))
    assert log["errors"] == [] and log["dialogs"] == []
    assert _outside_requests(log) == []
    page.close()


def _centre(page) -> tuple[float, float]:
    box = page.locator(".leaflet-container").bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def test_report_index_map_opens_a_municipality_page(browser, tmp_path):
    """Clicking a municipality on the index page's web map opens its page (the
    click-through script finds the features with Leaflet's public ``eachLayer``)."""
    from segspatial.demo import demo_pupils, demo_schools
    from segspatial.pupils import pupil_segregation
    from segspatial.report import demo_report_data, write_report

    schools = demo_schools()
    result = pupil_segregation(demo_pupils(years=(2018,)), "school", area="municipality",
                               year="year", ethnicity="ethnicity")
    data = demo_report_data(result, schools, permutations=9)
    index = write_report(data, tmp_path / "report", offline=True)
    page = browser.new_page(viewport={"width": 1200, "height": 1000})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(index.as_uri())
    frame = page.frame_locator("iframe.map")
    frame.locator("path.leaflet-interactive").first.wait_for()
    page.wait_for_timeout(300)
    code = data.areas["code"].iloc[0]
    target = data.areas["file"].iloc[0]
    inner = next(f for f in page.frames if f != page.main_frame)
    name = inner.evaluate("Object.keys(window).find(k => k.startsWith('map_'))")
    area = data.boundaries[data.boundaries["code"] == code].to_crs("EPSG:4326")
    point = area.geometry.iloc[0].representative_point()
    xy = inner.evaluate(f"window['{name}'].latLngToContainerPoint([{point.y}, {point.x}])")
    page.locator("iframe.map").scroll_into_view_if_needed()
    box = inner.locator(".leaflet-container").bounding_box()  # in the page's viewport
    page.mouse.click(box["x"] + xy["x"], box["y"] + xy["y"])
    page.wait_for_url(f"**/{target}")
    assert page.locator("h1").inner_text().endswith(code)
    assert errors == []
    page.close()


_CLEAR_OF_THE_DATA = """() => {
  const map = window[Object.keys(window).find(k => k.startsWith('map_'))];
  const layers = Object.keys(window).filter(k => k.startsWith('geo_json_'))
    .map(k => window[k]).filter(l => l && l.getBounds);
  const bounds = layers.map(l => l.getBounds()).reduce((a, b) => a.extend(b));
  const sw = map.latLngToContainerPoint(bounds.getSouthWest());
  const ne = map.latLngToContainerPoint(bounds.getNorthEast());
  const box = map.getContainer().getBoundingClientRect();
  const place = s => {
    const r = document.querySelector(s).getBoundingClientRect();
    return {left: r.left - box.left, right: r.right - box.left, top: r.top - box.top,
            bottom: r.bottom - box.top};
  };
  return {data: {left: sw.x, right: ne.x, top: ne.y, bottom: sw.y},
          legend: place('.segspatial-legend'), scale: place('.leaflet-control-scale'),
          map: {width: box.width, height: box.height},
          frame: {width: window.innerWidth, height: window.innerHeight}};
}"""


def test_report_maps_fill_their_frame_and_keep_legend_and_scale_clear(browser, tmp_path):
    """In a report page's frame (issue 11): the web map is as large as its frame (the
    index map was taller, its legend and scale bar sat over the data and its bottom
    was cut off) and no area or school lies under the legend or the scale bar.
    Screenshots in ``test-artifacts/``."""
    from segspatial.demo import demo_pupils, demo_schools
    from segspatial.pupils import pupil_segregation
    from segspatial.report import demo_report_data, write_report

    schools = demo_schools()
    result = pupil_segregation(demo_pupils(years=(2018,)), "school", area="municipality",
                               year="year", ethnicity="ethnicity")
    data = demo_report_data(result, schools, permutations=9)
    index = write_report(data, tmp_path / "report", offline=True)
    ARTIFACTS.mkdir(exist_ok=True)
    for file in ["index.html", *data.areas["file"]]:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto((index.parent / file).as_uri())
        page.frame_locator("iframe.map").locator("path.leaflet-interactive").first.wait_for()
        page.wait_for_timeout(300)
        inner = next(f for f in page.frames if f != page.main_frame)
        found = inner.evaluate(_CLEAR_OF_THE_DATA)
        assert found["map"] == found["frame"], (file, found)
        for control in ("legend", "scale"):
            assert _apart(found["data"], found[control]), (file, control, found)
        frame = page.locator("iframe.map")
        frame.scroll_into_view_if_needed()
        frame.screenshot(path=str(ARTIFACTS / f"report_webmap_{file.replace('.html', '')}.png"))
        page.close()


def _apart(a: dict, b: dict) -> bool:
    return a["right"] <= b["left"] or b["right"] <= a["left"] or \
        a["bottom"] <= b["top"] or b["bottom"] <= a["top"]
