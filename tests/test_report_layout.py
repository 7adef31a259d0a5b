"""What a reader sees of a report's layout, in headless Chromium: charts whose every text
lies inside the chart, a key for every chart of several lines, web-map legends inside
their map and clear of Leaflet's attribution, numbers tied to their units, tables that
fit a 1,400-px window, printed pages without (nearly) blank pages, and no year tile or
Year column for input without years (issue 11, review 1 findings 4, 4b, 6, 7, 8, 9, 11).
Screenshots and PDFs go to ``test-artifacts/layout/``.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from segspatial import report as rp

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts" / "layout"
NBSP = "\u00a0"

#: Every ``svg text`` whose box leaves its SVG's viewBox (a title or tick cut off).
_CLIPPED = """() => {
  const out = [];
  for (const svg of document.querySelectorAll('svg')) {
    const vb = svg.viewBox && svg.viewBox.baseVal;
    if (!vb || !vb.width) continue;
    for (const t of svg.querySelectorAll('text')) {
      const b = t.getBBox();
      if (b.x < vb.x - 0.5 || b.y < vb.y - 0.5 || b.x + b.width > vb.x + vb.width + 0.5
          || b.y + b.height > vb.y + vb.height + 0.5)
        out.push(`${t.textContent}: x ${b.x.toFixed(1)}, width ${b.width.toFixed(1)} ` +
                 `of ${vb.width}; y ${b.y.toFixed(1)}, height ${b.height.toFixed(1)} of ` +
                 `${vb.height}`);
    }
  }
  return out;
}"""

#: Each chart: its width and its title's, whether its title wraps, and the key of its
#: lines (its own, or the one shared by the charts of its group).
_CHARTS = """() => Array.from(document.querySelectorAll('.chart')).map(c => {
  const svg = c.querySelector('svg');
  const styles = new Set(Array.from(svg.querySelectorAll('polyline')).map(
    p => p.getAttribute('stroke') + (p.getAttribute('stroke-dasharray') || '')));
  const group = c.closest('.charts');
  const shared = group && group.previousElementSibling &&
    group.previousElementSibling.matches('.chart-key') ? group.previousElementSibling : null;
  const key = c.querySelector('.chart-key') || shared;
  const title = c.querySelector('.chart-title');
  return {lines: styles.size, width: c.getBoundingClientRect().width,
          overflow: c.scrollWidth - c.clientWidth,
          title: title ? title.textContent : '',
          titleLines: title ? Math.round(title.getBoundingClientRect().height /
                                         parseFloat(getComputedStyle(title).lineHeight)) : 0,
          key: key ? Array.from(key.querySelectorAll('li')).map(li => ({
            text: li.textContent,
            dashed: li.querySelector('.line').matches('.dash')})) : []};
})"""

#: The legend, attribution and colour-bar ticks of the web map in a frame.
_LEGEND = """() => {
  const box = e => { const r = e.getBoundingClientRect();
    return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; };
  const legend = document.querySelector('.segspatial-legend');
  return {map: box(document.querySelector('.leaflet-container')), legend: box(legend),
          attribution: box(document.querySelector('.leaflet-control-attribution')),
          ticks: Array.from(legend.querySelectorAll('span'))
            .filter(s => s.style.position === 'absolute').map(box),
          title: document.title,
          legendTitle: legend.firstElementChild.textContent};
}"""

#: Each table's right edge and how much of it its container hides (a scroll bar).
_TABLES = """() => Array.from(document.querySelectorAll('table')).map(t => {
  const wrap = t.closest('.scroll') || t.parentElement;
  return {right: t.getBoundingClientRect().right, window: window.innerWidth,
          container: wrap.getBoundingClientRect().right,
          hidden: wrap.scrollWidth - wrap.clientWidth,
          head: t.tHead ? t.tHead.rows[0].cells.length : 0};
})"""


def _inside(inner: dict, outer: dict, slack: float = 0.5) -> bool:
    return (inner["left"] >= outer["left"] - slack and inner["right"] <= outer["right"] + slack
            and inner["top"] >= outer["top"] - slack
            and inner["bottom"] <= outer["bottom"] + slack)


def _apart(a: dict, b: dict) -> bool:
    return a["right"] <= b["left"] or b["right"] <= a["left"] or \
        a["bottom"] <= b["top"] or b["bottom"] <= a["top"]


def _open(chromium, path: Path, width: int = 1400):
    page = chromium.new_page(viewport={"width": width, "height": 900})
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def demo():
    """The demo pupils of two years with the report's seven comparisons, several groups
    at once split by a denomination of the schools, income as a continuum and bootstrap
    intervals (the widest index table: review 1, finding 11)."""
    from segspatial.demo import demo_pupils, demo_schools
    from segspatial.demo_maps import demo_boundaries
    from segspatial.multigroup_table import pupil_multigroup_segregation
    from segspatial.pupils import pupil_segregation
    from segspatial.rankorder import rank_order_segregation

    schools = demo_schools()
    pupils = demo_pupils(years=(2017, 2018))
    kinds = ["openbaar", "rooms-katholiek", "islamitisch"]
    pupils["denomination"] = pupils["school"].map(
        dict(zip(schools["school"], kinds * len(schools), strict=False)))
    result = pupil_segregation(pupils, "school", area="municipality", year="year",
                               ethnicity="ethnicity", income="income",
                               education="education")
    several = pupil_multigroup_segregation(
        pupils, "school", area="municipality", year="year", ethnicity="ethnicity",
        income="income", income_groups=4, within="denomination")
    ranked = rank_order_segregation(pupils, "school", income="income",
                                    area="municipality", year="year")
    return rp.report_data(result, schools, unit="school", x="x", y="y",
                          crs="EPSG:28992", name="school_name",
                          boundaries=demo_boundaries(schools), area_code="statcode",
                          only=["GM9001", "GM9002"], permutations=19, n_boot=20,
                          multigroup=several, rank_order=ranked)


@pytest.fixture(scope="module")
def demo_pages(demo, tmp_path_factory):
    """The pages in English and Dutch: {lang: folder}."""
    root = tmp_path_factory.mktemp("layout")
    return {lang: rp.write_report(demo, root / lang, lang=lang, offline=True).parent
            for lang in ("en", "nl")}


# --------------------------------------------------------------------------- charts


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_every_chart_text_lies_inside_its_chart(chromium, demo_pages, lang):
    """Review 1, 4/4b: the multigroup chart's title ran 539 px into a 360-px SVG, the
    H(p) chart's "100%" and the trend chart's title past the right edge. Titles are HTML
    now (they wrap); every SVG text lies inside its viewBox and no chart is wider than
    its box."""
    for path in sorted(demo_pages[lang].glob("*.html")):
        page = _open(chromium, path)
        assert page.evaluate(_CLIPPED) == [], path.name
        for chart in page.evaluate(_CHARTS):
            assert chart["overflow"] <= 0, (path.name, chart)
        page.close()


def test_every_chart_of_several_lines_has_a_key(chromium, demo_pages):
    """Review 1, 4(b): the multigroup chart drew H of all groups (solid) and H between
    denominations (dashed) with no key. A chart of more than one line has a key (its
    own, or one for a group of charts of the same lines) with a line of each style."""
    for lang, folder in demo_pages.items():
        page = _open(chromium, folder / "GM9001.html")
        charts = page.evaluate(_CHARTS)
        several = [c for c in charts if c["lines"] > 1]
        assert len(several) >= 4, charts  # trends, profile, multigroup, H(p)
        for chart in several:
            assert len(chart["key"]) == chart["lines"], chart
            assert [k["dashed"] for k in chart["key"]] == [False, True], chart
        section = page.locator("section.multigroup").first
        key = section.locator(".chart-key").first.inner_text()
        words = {"en": ("H (several groups)", "H between denominations"),
                 "nl": ("H (meerdere groepen)", "H tussen denominaties")}[lang]
        assert all(w in key for w in words), key
        title = section.locator(".chart-title").first.inner_text()
        assert title == {"en": "H (several groups) per year",
                         "nl": "H (meerdere groepen) per jaar"}[lang]
        page.close()


def test_a_long_chart_title_wraps_inside_the_chart(chromium, real_2019, boundaries,
                                                   tmp_path):
    """A trend chart's title is the comparison's name, from the user's labels: a long
    one wraps over lines inside the chart's width instead of being cut off."""
    import pandas as pd

    import segspatial as ss

    rows = real_2019[real_2019["municipality"] == "GM0363"]
    years = pd.concat([rows.assign(year=2018), rows.assign(year=2019)])
    result = ss.segregation(years, "school", "a", "b", area="municipality", year="year",
                            total="pupils", min_area_size=0)
    long = "pupils whose parents both left school before the age of sixteen"
    data = rp.report_data(result, years, unit="school", x="x", y="y", crs="EPSG:28992",
                          name="school_name", boundaries=boundaries, permutations=0,
                          group_labels={"a": long, "b": "all the other pupils"})
    folder = rp.write_report(data, tmp_path / "long", offline=True).parent
    page = _open(chromium, folder / "GM0363.html")
    assert page.evaluate(_CLIPPED) == []
    charts = page.evaluate(_CHARTS)
    trend = next(c for c in charts if long in c["title"])
    assert trend["titleLines"] >= 2 and trend["overflow"] <= 0, trend
    page.close()


# --------------------------------------------------------------------------- web maps


def test_web_map_legends_inside_the_map_and_clear_of_the_attribution(chromium,
                                                                     demo_pages):
    """Review 1, 4(c) and 7: the local-score map was shorter than its frame, so its
    legend ran below the map under Leaflet's attribution; the colour bar's end ticks
    ("0%", "100%") were centred on the bar's ends, past the legend's box. Every web map
    of a page: legend inside the map, apart from the attribution, its ticks inside it;
    the map's document is titled with the legend's title (review 2, 24)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    seen = frames = 0
    for lang, folder in demo_pages.items():
        for path in sorted(folder.glob("*.html")):
            page = _open(chromium, path)
            page.frame_locator("iframe.map").first.locator(
                "path.leaflet-interactive").first.wait_for()
            page.wait_for_timeout(300)
            frames += page.locator("iframe.map").count()
            for number, frame in enumerate(f for f in page.frames if f != page.main_frame):
                found = frame.evaluate(_LEGEND)
                name = f"{lang}/{path.name}#{number}"
                assert _inside(found["legend"], found["map"]), (name, found)
                assert _apart(found["legend"], found["attribution"]), (name, found)
                assert found["ticks"], name
                for tick in found["ticks"]:
                    assert _inside(tick, found["legend"]), (name, tick, found["legend"])
                assert found["title"] and found["title"] == found["legendTitle"], found
                seen += 1
            page.locator("section.multigroup iframe.map").first.screenshot(
                path=str(ARTIFACTS / f"local_map_{lang}.png")) \
                if path.name == "GM9001.html" else None
            page.close()
    # the index map; per town its schools and a map of local scores per block
    assert seen == frames >= 2 * (1 + 2 * 2), (seen, frames)


def test_standalone_web_maps_have_the_figure_title(squares_result, tmp_path):
    """Review 2, 24: a web map's page had no <title> (the tab showed the file's path).
    The title is the figure's, escaped."""
    from segspatial import webmap

    table, squares = squares_result
    m = webmap.choropleth_map(table, squares, area_code="code", offline=True,
                              title="<b>D</b> {{7*7}} & more")
    html = webmap.to_html(m)
    assert "<title>&lt;b&gt;D&lt;/b&gt; &#123;&#123;7*7&#125;&#125; &amp; more</title>" \
        in html


@pytest.fixture
def squares_result():
    import geopandas as gpd
    import pandas as pd
    import shapely

    squares = gpd.GeoDataFrame(
        {"code": ["GM1", "GM2"]},
        geometry=[shapely.box(0, 0, 1000, 1000), shapely.box(1000, 0, 2000, 1000)],
        crs="EPSG:28992")
    table = pd.DataFrame({"area": ["GM1", "GM2"], "comparison": "a_vs_b",
                          "index": "dissimilarity", "value": [0.2, 0.5]})
    return table, squares


# --------------------------------------------------------------------------- text


def test_numbers_stay_with_their_units(chromium, demo_pages):
    """Review 1, 8: table heads broke "500 / m", "1 / km" and "Moran's / I". The
    formatter ties number and unit with a no-break space; in a narrow window the heads
    wrap between words but never inside those."""
    from segspatial._format import Formatter

    assert Formatter("nl").distance(1500) == f"1,5{NBSP}km"
    assert Formatter("en").distance(500) == f"500{NBSP}m"
    ties = re.compile(rf"\d{NBSP}k?m\b|Moran's{NBSP}I")
    for lang, folder in demo_pages.items():
        page = _open(chromium, folder / "GM9001.html", width=420)
        heads = page.evaluate("""(pattern) => {
          const re = new RegExp(pattern, 'g'); const out = [];
          for (const th of document.querySelectorAll('th')) {
            const node = th.firstChild;
            if (!node || node.nodeType !== 3) continue;
            for (const m of node.data.matchAll(re)) {
              const range = document.createRange();
              range.setStart(node, m.index); range.setEnd(node, m.index + m[0].length);
              const tops = new Set(Array.from(range.getClientRects()).map(
                r => Math.round(r.top)));
              out.push({text: m[0], lines: tops.size});
            }
          }
          return out;
        }""", ties.pattern)
        assert len(heads) >= 5, heads  # four bandwidths and Moran's I
        assert all(h["lines"] == 1 for h in heads), (lang, heads)
        page.close()


# --------------------------------------------------------------------------- tables


def test_wide_index_table_fits_a_1400_px_window(chromium, demo_pages):
    """Review 1, 11: with seven comparisons and their intervals the index table had 18
    columns, the last two and a half beyond a 1,400-px window. D per comparison is a
    table of its own now; no table is wider than its container."""
    for lang, folder in demo_pages.items():
        page = _open(chromium, folder / "index.html")
        tables = page.evaluate(_TABLES)
        assert len(tables) >= 3, tables  # the lead comparison, D per comparison, ...
        assert any(t["head"] == 2 + 7 for t in tables), tables  # D of each comparison
        for table in tables:
            assert table["hidden"] <= 1, (lang, table)
            assert table["right"] <= min(table["window"], table["container"]) + 0.5, \
                (lang, table)
        page.close()


def test_input_without_years_has_no_year_tile_or_year_column(real_2019, boundaries):
    """Review 1, 6: without a year column the header said "one period (no year
    column)" and the tables of what was left out had an empty Year column."""
    import segspatial as ss

    result = ss.segregation(real_2019, "school", "a", "b", area="municipality",
                            total="pupils")  # the default minimum leaves areas out
    data = rp.report_data(result, real_2019, unit="school", x="x", y="y",
                          crs="EPSG:28992", name="school_name", boundaries=boundaries,
                          only=["GM0034"], permutations=0)
    assert not data.has_years and len(data.exclusions)
    pages = dict(rp.render_report(data, lang="nl"))
    for name in ("index.html", "GM0034.html"):
        page = pages[name]
        assert "<th>Jaar</th>" not in page and "jaarkolom" not in page, name
        assert re.search(r"<th>Wat</th><th>Scholen</th>", page), name
    assert '<span class="k">Jaren</span>' not in pages["GM0034.html"]


# --------------------------------------------------------------------------- print


def _pdf_pages(chromium, path: Path) -> list[dict]:
    """The page printed on A4 by Chromium: per printed page how far down its ink reaches
    (share of the page's height) and its text."""
    from conftest import _unavailable

    try:
        import pypdfium2 as pdfium
    except ImportError:
        _unavailable("pypdfium2 is not installed (it is in the test extra)")
    page = chromium.new_page()
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    data = page.pdf(format="A4", print_background=True)
    page.close()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{path.parent.name}_{path.stem}.pdf").write_bytes(data)
    out = []
    document = pdfium.PdfDocument(data)
    for printed in document:
        pixels = printed.render(scale=0.5).to_numpy()[..., :3]
        ink = np.nonzero((pixels < 235).any(axis=2).any(axis=1))[0]
        out.append({"reach": (ink.max() + 1) / pixels.shape[0] if ink.size else 0.0,
                    "text": printed.get_textpage().get_text_range()})
    document.close()
    return out


@pytest.mark.parametrize("name", ["index.html", "GM9001.html"])
def test_printed_pages_are_never_nearly_blank(chromium, demo_pages, name):
    """Review 1, 9: the printed index had 7 A4 pages, three (nearly) blank: whole
    sections were kept on one page and a figure's caption was parted from its image.
    Now every printed page but the last is at least half full, the sort hint is not
    printed, and each interval prints on one line, smaller than its value."""
    path = demo_pages["nl"] / name
    printed = _pdf_pages(chromium, path)
    reach = [round(p["reach"], 2) for p in printed]
    assert all(r >= 0.5 for r in reach[:-1]) and reach[-1] > 0.05, reach
    text = "\n".join(p["text"] for p in printed)
    assert "Klik op een kolomkop" not in text
    shown = re.findall(r'<span class="ci">([^<]*)</span>', path.read_text(encoding="utf-8"))
    interval = re.compile(r"\(\d,\d+–\d,\d+\)")  # the table's intervals, whole
    assert len(interval.findall(text)) == len(shown) > 0
    page = chromium.new_page()
    page.goto(path.as_uri())
    page.emulate_media(media="print")
    sizes = page.evaluate("""() => Array.from(document.querySelectorAll('td .ci')).map(
      c => [parseFloat(getComputedStyle(c).fontSize),
            parseFloat(getComputedStyle(c.parentElement).fontSize)])""")
    page.close()
    assert sizes and all(ci < value for ci, value in sizes), sizes[:5]
