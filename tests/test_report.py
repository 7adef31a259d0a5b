"""HTML reports: content on the real 2019 case, escaping, disclosure control,
determinism, Dutch labels, atomic writing, the CLI, and every demo page in Chromium."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import segspatial as ss
from segspatial import report as rp

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts"
SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
SRCDOC = re.compile(r'srcdoc="([^"]*)"')


def _frames(page: str) -> list[str]:
    """The documents embedded in the page's iframes, unescaped."""
    return [html.unescape(m) for m in SRCDOC.findall(page)]


def _pupil_values(document: str) -> list[str]:
    """Pupil counts in the embedded GeoJSON (tooltips and popups)."""
    values = re.findall(r'"(?:pupils|group_a|group_b)": "([^"]*)"', document)
    return [v.replace("\\u003c", "<") for v in values if v != "no data"]


def _school_features(document: str) -> list[dict]:
    """The school markers' properties as the browser receives them."""
    return [f["properties"] for data in re.findall(r"_add\((\{.*\})\);", document)
            for f in json.loads(data)["features"] if "school" in f["properties"]]


def _cells(page: str, cls: str) -> list[str]:
    return [html.unescape(re.sub("<[^>]+>", "", c)) for c in
            re.findall(rf'<(?:td|span)[^>]*class="?[^">]*\b{cls}\b[^>]*>(.*?)</(?:td|span)>',
                       page)]


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def real_result(real_2019):
    return ss.segregation(real_2019, "school", "a", "b", area="municipality",
                          total="pupils", min_area_size=0)


@pytest.fixture(scope="module")
def real_data(real_result, real_2019, boundaries):
    return rp.report_data(real_result, real_2019, unit="school", x="x", y="y",
                          crs="EPSG:28992", name="school_name", boundaries=boundaries,
                          only=["GM0363", "GM0034"], permutations=99,
                          group_labels={"a": "disadvantaged", "b": "other"})


@pytest.fixture(scope="module")
def real_pages(real_data):
    return dict(rp.render_report(real_data))


@pytest.fixture(scope="module")
def demo():
    from segspatial.demo import demo_pupils, demo_schools
    from segspatial.demo_maps import demo_boundaries
    from segspatial.pupils import pupil_segregation

    schools = demo_schools()
    pupils = demo_pupils(years=(2016, 2017, 2018))
    result = pupil_segregation(pupils, "school", area="municipality", year="year",
                               ethnicity="ethnicity", income="income",
                               education="education")
    return result, schools, demo_boundaries(schools)


def _demo_data(demo, *, schools=None, boundaries=None, **kw):
    result, demo_schools, demo_bounds = demo
    kw.setdefault("only", ["GM9001", "GM9002"])
    return rp.report_data(result, demo_schools if schools is None else schools,
                          unit="school", x="x", y="y", crs="EPSG:28992",
                          name="school_name",
                          boundaries=demo_bounds if boundaries is None else boundaries,
                          area_code="statcode", permutations=19, **kw)


@pytest.fixture(scope="module")
def demo_data(demo):
    return _demo_data(demo)


# --------------------------------------------------------------------------- the real case


def test_each_page_shows_its_own_d(real_pages, real_result):
    table = real_result.table
    assert sorted(real_pages) == ["GM0034.html", "GM0363.html", "index.html"]
    d = table[table["index"] == "dissimilarity"].set_index("area")["value"]
    dstar = table[table["index"] == "dissimilarity_standardised"].set_index("area")["value"]
    assert d["GM0363"] == pytest.approx(0.59, abs=0.01)
    assert d["GM0034"] == pytest.approx(0.35, abs=0.01)
    for code, name in (("GM0363", "Amsterdam"), ("GM0034", "Almere")):
        page = real_pages[f"{code}.html"]
        assert f"<h1>{name}<span class=\"code\">{code}</span></h1>" in page
        assert f"<td>{d[code]:.3f}</td>" in page  # the table of the latest year
        assert f"<td>{dstar[code]:.3f}</td>" in page  # D* next to D
        assert f" is {d[code]:.2f}: <strong>" in page  # the summary in words
        other = "GM0034" if code == "GM0363" else "GM0363"
        assert f"<td>{d[other]:.3f}</td>" not in page
        assert 'href="index.html"' in page
        n_schools = int(table.query("area == @code")["n_units"].iloc[0])
        assert f'<span class="v">{n_schools}</span>' in page
        assert "What these numbers cannot tell" in page and "school choice" in page
    assert "moderate segregation" in real_pages["GM0363.html"]
    assert "moderate segregation" in real_pages["GM0034.html"]  # 0.35 is 0.3-0.6


def test_index_links_to_every_page(real_pages, real_result):
    index = real_pages["index.html"]
    for code, name in (("GM0363", "Amsterdam"), ("GM0034", "Almere")):
        assert f'<a href="{code}.html">{name}</a>' in index
    # the interactive map knows where each area's page is (click to open)
    (frame,) = _frames(index)
    assert '"GM0034": "GM0034.html"' in frame and '"GM0363": "GM0363.html"' in frame
    assert "window.top.location.href" in frame
    assert index.count("<tr>") == 1 + 2 + 2  # table head + 2 areas; exclusions head + 1
    assert "table class=\"sortable\"" in index and "<script>" in index
    outside_map = re.sub(r"<iframe.*?</iframe>", "", index, flags=re.S)
    assert "<script src" not in outside_map and "<link" not in outside_map  # all inline


def test_spatial_section_and_interpretation(real_pages, real_data):
    page = real_pages["GM0363.html"]
    spatial = real_data.spatial.query("area == 'GM0363'")
    value = spatial.query("index == 'spatial_dissimilarity' and bandwidth == 1000")["value"]
    assert f"<td>{value.iloc[0]:.3f}</td>" in page
    assert "Multi-scale profile" in page and "<svg" in page
    assert "Of Theil&#39;s H," in page and "Moran&#39;s I = " in page
    assert ("between parts of the municipality" in page
            or "between neighbouring" in page)
    assert "squares of 2,000 m" in page
    assert 'data:image/png;base64,' in page  # the static map, inline


# --------------------------------------------------------------------------- safety


def test_hostile_names_are_escaped_on_every_page(demo):
    result, schools, bounds = demo
    schools = schools.copy()
    schools.loc[schools["municipality"] == "GM9001", "school_name"] = SCRIPT
    schools.loc[schools["municipality"] == "GM9002", "school_name"] = IMG
    bounds = bounds.copy()
    bounds.loc[bounds["statcode"] == "GM9001", "statnaam"] = IMG
    bounds.loc[bounds["statcode"] == "GM9002", "statnaam"] = SCRIPT
    data = _demo_data(demo, schools=schools, boundaries=bounds)
    pages = dict(rp.render_report(data, offline=True))
    assert len(pages) == 3
    for file, page in pages.items():
        for document in [page, *_frames(page)]:
            assert SCRIPT not in document and IMG not in document, file
            assert "<img src=x" not in document
    shown_script = "&lt;script&gt;alert(1)&lt;/script&gt;"  # shown as text
    shown_img = "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"  # in the maps (html.escape)
    page_img = "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;"  # in pages (autoescape)
    index = pages["index.html"]
    assert shown_script in index and page_img in index  # the table's links
    # municipality names in the page, school names in the map's tooltips (escaped once)
    for file, own, schools_name in (("GM9001.html", page_img, shown_script),
                                    ("GM9002.html", shown_script, shown_img)):
        assert f"<h1>{own}<span" in pages[file]
        (map_frame,) = _frames(pages[file])
        assert schools_name in map_frame.replace("\\u0026", "&")  # JSON escapes &


def test_disclosure_control_hides_small_pupil_counts(real_result, real_2019, boundaries):
    result = ss.segregation(real_2019, "school", "a", "b", area="municipality",
                            total="pupils", min_area_size=0, min_unit_size=0)
    data = rp.report_data(result, real_2019, unit="school", x="x", y="y", crs="EPSG:28992",
                          name="school_name", boundaries=boundaries,
                          only=["GM0363", "GM0014"], permutations=9)
    small = (real_2019["municipality"].isin(["GM0363", "GM0014"]) & (real_2019["a"] < 10))
    assert small.sum() > 20  # there is something to hide
    pages = dict(rp.render_report(data, min_cell=10))
    seen = 0
    for file, page in pages.items():
        for document in _frames(page):
            assert '"group_a"' not in document and '"group_b"' not in document
            for value in _pupil_values(document):  # every school's pupils, rounded
                seen += 1
                if value == "not in this report":  # an area left out by only=
                    continue
                assert value == "< 10" or (int(value.replace(",", "")) % 5 == 0
                                           and int(value.replace(",", "")) >= 10), value
        for value in _cells(page, "pupils"):
            assert value in ("< 10", "–", "not shown") or int(value.replace(",", "")) % 5 \
                == 0, (file, value)
        # sort keys of counts are the rounded counts, never the exact ones
        for key in re.findall(r'class=pupils data-v="([^"]*)"', page):
            assert key == "" or (float(key) >= 10 and float(key) % 5 == 0)
        # index values carry two decimals everywhere, sort keys included
        for key in re.findall(r'<td data-v="(-?[0-9.]+)">', page):
            assert round(float(key), 2) == float(key), (file, key)
    assert seen > 200  # every school's pupils
    assert "rounded to multiples of 5" in pages["index.html"]
    # nothing survives a threshold above every count
    pages = dict(rp.render_report(data, min_cell=10**7))
    for file, page in pages.items():
        for document in _frames(page):
            values = _pupil_values(document)
            assert values and set(values) <= {"< 10000000", "not in this report"}, file
        cells = _cells(page, "pupils")
        assert cells and {c.replace(",", "") for c in cells} <= {
            "< 10000000", "–", "not shown"}, file
        assert set(re.findall(r'class=pupils data-v="([^"]*)"', page)) <= {""}
    header = pages["GM0363.html"].split("<header>")[1].split("</header>")[0]
    assert "&lt; 10000000 group A" in header and "%" not in header  # shares hidden too


def test_disclosure_suppresses_schools_with_a_small_group(real_2019, boundaries):
    """A school with a < 10 or b < 10 shows no group count, no share, a grey marker:
    otherwise a = share x pupils or a = pupils - b gives the hidden count back. The
    others show only the band of their share."""
    from segspatial._mapdata import SUPPRESSED_COLOR

    result = ss.segregation(real_2019, "school", "a", "b", area="municipality",
                            total="pupils", min_area_size=0, min_unit_size=0)
    data = rp.report_data(result, real_2019, unit="school", x="x", y="y", crs="EPSG:28992",
                          name="school_name", boundaries=boundaries,
                          only=["GM0014", "GM0034"], permutations=9)
    by_school = real_2019.set_index("school")
    pages = dict(rp.render_report(data, min_cell=10))
    suppressed = shown = 0
    for file in ("GM0014.html", "GM0034.html"):
        page = pages[file]
        (document,) = _frames(page)
        features = _school_features(document)
        assert len(features) == (real_2019["municipality"] == file[:6]).sum()
        for props in features:
            a, b = (float(v) for v in by_school.loc[props["school"], ["a", "b"]])
            assert "group_a" not in props and "group_b" not in props
            if a < 10 or b < 10:
                suppressed += 1
                assert props["share_a"] == "suppressed (a group < 10)"
                assert props["fill"] == SUPPRESSED_COLOR, props["school"]
            elif props["share_a"] != "suppressed (a group < 10)":  # else complementary
                shown += 1
                low, high = (int(v) for v in re.findall(r"\d+", props["share_a"]))
                assert high - low == 10 and low <= 100 * a / (a + b) <= high
                assert props["fill"] != SUPPRESSED_COLOR
            pupils = a + b
            assert props["pupils"] == ("< 10" if pupils < 10 else
                                       f"{5 * np.floor(pupils / 5 + 0.5):,.0f}")
        assert "grey: share not shown, a group has fewer than 10 pupils" in page
        assert "No school shows a group count" in page  # the method section
    assert suppressed > 5 and shown > 50
    # without min_cell nothing is suppressed
    plain = dict(rp.render_report(data))
    (document,) = _frames(plain["GM0014.html"])
    assert all(p["share_a"] != "not shown" and p["fill"] != SUPPRESSED_COLOR
               for p in _school_features(document))
    assert "share not shown" not in plain["GM0014.html"]


def test_report_passes_min_cell_to_the_static_school_map(demo_data, monkeypatch):
    from matplotlib.colors import to_hex

    from segspatial import plot
    from segspatial._mapdata import SUPPRESSED_COLOR

    drawn = []
    real_school_map = plot.school_map

    def recording(*args, **kwargs):
        ax = real_school_map(*args, **kwargs)
        scatter = ax.collections[-1]  # read now: the next page reuses the figure
        scatter.update_scalarmappable()
        drawn.append((args[0], kwargs, {
            tuple(xy): to_hex(c) for xy, c in zip(scatter.get_offsets().tolist(),
                                                  scatter.get_facecolors(), strict=True)}))
        return ax

    monkeypatch.setattr(plot, "school_map", recording)
    pages = dict(rp.render_report(demo_data, min_cell=10))
    assert len(drawn) == 2 and all(kw["min_cell"] == 10 for _, kw, _ in drawn)
    greys = 0
    for town, _, fill in drawn:
        small = (town["dutch"] < 10) | (town["nonwestern"] < 10)
        for row, hidden in zip(town.itertuples(), small, strict=True):
            assert (fill[(row.x, row.y)] == SUPPRESSED_COLOR) == hidden, row.unit
            greys += hidden
    assert greys == 3  # the demo's schools with fewer than 10 pupils of a group
    assert sum("grey: share not shown" in page for page in pages.values()) >= 1


def test_min_cell_and_lang_are_checked(demo_data, tmp_path):
    with pytest.raises(ValueError, match="min_cell must be at least 1, got 0"):
        list(rp.render_report(demo_data, min_cell=0))
    with pytest.raises(TypeError, match="min_cell must be an int or None, got 2.5"):
        list(rp.render_report(demo_data, min_cell=2.5))
    with pytest.raises(ValueError, match="lang must be one of 'en', 'nl', got 'de'"):
        list(rp.render_report(demo_data, lang="de"))
    with pytest.raises(TypeError, match="data must be a ReportData"):
        list(rp.render_report({"areas": []}))
    with pytest.raises(ValueError, match="lang must be one of"):
        rp.write_report(demo_data, tmp_path / "r", lang="fr")
    assert not (tmp_path / "r").exists()


# --------------------------------------------------------------------------- determinism


def test_reruns_are_byte_identical(demo, demo_data):
    first = dict(rp.render_report(demo_data, offline=True, min_cell=10))
    again = dict(rp.render_report(_demo_data(demo), offline=True, min_cell=10))
    assert first.keys() == again.keys()
    for file in first:
        assert first[file] == again[file], file
    # folium's random ids are replaced by counters
    assert not re.search(r"_[0-9a-f]{32}", "".join(first.values()))
    stamped = dict(rp.render_report(demo_data, offline=True, min_cell=10,
                                    stamp="2026-01-01 12:00 UTC"))
    assert "Generated 2026-01-01 12:00 UTC." in stamped["GM9001.html"]
    # a moment (what --stamp gives) is written in the page's language (review1 #27)
    from datetime import UTC, datetime

    moment = datetime(2026, 1, 1, 12, 0, 30, tzinfo=UTC)
    dutch = dict(rp.render_report(demo_data, offline=True, lang="nl", stamp=moment))
    assert "Gemaakt op 1 januari 2026, 12:00 UTC." in dutch["GM9001.html"]
    assert "Generated" not in first["GM9001.html"]


def test_a_page_is_the_same_alone_or_after_others(demo_data):
    """The static school maps share one figure per rendering (report._canvas): a page's
    bytes do not depend on the pages drawn before it, and each equals the page drawn on
    a fresh figure (the first page of a rendering)."""
    from dataclasses import replace

    areas = demo_data.areas
    together = dict(rp.render_report(demo_data, offline=True, min_cell=10))
    backwards = dict(rp.render_report(replace(demo_data, areas=areas.iloc[::-1]),
                                      offline=True, min_cell=10))
    for file in areas["file"]:  # (the index lists the areas in the order given)
        assert backwards[file] == together[file], file
    for i, file in enumerate(areas["file"]):
        alone = dict(rp.render_report(replace(demo_data, areas=areas.iloc[[i]]),
                                      offline=True, min_cell=10))
        assert alone[file] == together[file], file
        assert "data:image/png;base64," in alone[file]


def test_map_canvas_puts_back_the_title_it_draws_once():
    """The report's map canvas draws the title once and puts its pixels back on each
    page (report._canvas): a page's PNG has the pixels of the same figure drawn with
    its title, and the map sits right under the title, inside the figure."""
    import base64
    import io

    from PIL import Image

    from segspatial.plot import figure_bytes, school_map
    from segspatial.report._canvas import MapCanvas

    def pixels(data: bytes) -> np.ndarray:
        return np.asarray(Image.open(io.BytesIO(data)).convert("RGBA"))

    canvas = MapCanvas()
    for width in (4_000.0, 12_000.0):  # a square town and a wide one (the second page)
        schools = pd.DataFrame({"school": ["s1", "s2", "s3"], "a": [20, 40, 5],
                                "b": [60, 30, 90], "x": [0.0, width / 2, width],
                                "y": [0.0, 3_000.0, 4_000.0]})
        ax = school_map(schools, "school", "a", "b", x="x", y="y", crs="EPSG:28992",
                        legend=False, ax=canvas.axes())
        page = pixels(base64.b64decode(canvas.png().split(",", 1)[1]))
        drawn = pixels(figure_bytes(ax.figure, "png", dpi=canvas.dpi))
        assert page.shape == drawn.shape
        assert (page == drawn).all()  # the title's pixels are the ones drawn there
        box = ax.get_position()  # drawn: the map's box after its aspect
        assert box.y1 == pytest.approx(ax.get_position(original=True).y1)  # at the top
        assert 0 <= box.x0 and box.x1 <= 1 and 0 <= box.y0


def test_dutch_labels(demo_data):
    pages = dict(rp.render_report(demo_data, lang="nl"))
    assert '<html lang="nl">' in pages["index.html"]
    assert "Schoolsegregatie per gemeente" in pages["index.html"]
    page = pages["GM9001.html"]
    for text in ("Wat deze cijfers niet kunnen zeggen", "Ontwikkeling door de jaren",
                 "Nederlandse vs niet-westerse leerlingen", "Methode en herkomst",
                 "Segregatie in 2018"):
        assert text in page
    assert "What these numbers cannot tell" not in page
    d = demo_data.table.query("area == 'GM9001' and year == 2018 and index == "
                              "'dissimilarity' and comparison == 'dutch_vs_nonwestern'")
    assert f"<td>{d['value'].iloc[0]:.3f}</td>".replace(".", ",") in page  # decimal comma


def test_trend_charts_use_the_fixed_scale(demo_data):
    page = dict(rp.render_report(demo_data))["GM9002.html"]
    trends = page.split("Trends over the years")[1].split("Where the schools are")[0]
    assert trends.count("<svg") == 7  # one per comparison
    assert trends.count(">0.8</text>") == 7 and trends.count(">0.0</text>") == 7
    assert ">2016</text>" in trends and ">2018</text>" in trends


# --------------------------------------------------------------------------- writing


def test_write_report_is_atomic(demo_data, tmp_path, monkeypatch):
    out = tmp_path / "report"
    index = rp.write_report(demo_data, out)
    assert index == out / "index.html"
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert set(before) == {"index.html", "GM9001.html", "GM9002.html", rp.MARKER}
    calls = []
    real_page = rp._render._area_page

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real_page(*args, **kwargs)

    monkeypatch.setattr(rp._render, "_area_page", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        rp.write_report(demo_data, out, lang="nl")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]  # no temporary left
    monkeypatch.setattr(rp, "_area_page", real_page)
    rp.write_report(demo_data, out, lang="nl")  # a good run replaces it
    assert '<html lang="nl">' in (out / "index.html").read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]


def test_write_report_calls_a_progress_function_and_stops_when_it_raises(demo_data,
                                                                          tmp_path):
    out = tmp_path / "report"
    seen = []
    rp.write_report(demo_data, out, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 2), (2, 2)]  # one call per area page
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def cancel(done, total):
        raise KeyboardInterrupt  # e.g. QGIS's cancel button

    with pytest.raises(KeyboardInterrupt):
        rp.write_report(demo_data, out, lang="nl", progress=cancel)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]


def test_a_killed_report_run_is_repaired_by_the_next(demo_data, tmp_path, monkeypatch):
    """Killed between the two renames of the fallback swap (no renameat2): no folder
    at --output for a moment, the old report aside. The next run puts it back, removes
    every temporary (also partial pages of an older kill) and writes the new one."""
    from segspatial import _write

    class Killed(BaseException):
        pass

    out = tmp_path / "report"
    rp.write_report(demo_data, out)
    partial = tmp_path / ".report.tmp-earlier1"  # pages of a run killed while writing
    partial.mkdir()
    (partial / "index.html").write_text("<html>half")
    real_rename = _write._rename

    def rename_then_die(source, target):
        real_rename(source, target)
        raise Killed

    monkeypatch.setattr(_write, "_exchange", lambda a, b: False)
    monkeypatch.setattr(_write, "_discard", lambda path: None)  # a kill cleans nothing
    monkeypatch.setattr(_write, "_rename", rename_then_die)
    with pytest.raises(Killed):
        rp.write_report(demo_data, out, lang="nl")
    assert not out.exists()
    assert [p.name[:12] for p in sorted(tmp_path.iterdir())] == [
        ".report.old-", ".report.tmp-", ".report.tmp-"]
    monkeypatch.undo()
    rp.write_report(demo_data, out, lang="nl")
    assert '<html lang="nl">' in (out / "index.html").read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]


def test_write_report_refuses_to_replace_other_folders(demo_data, tmp_path):
    other = tmp_path / "documents"
    other.mkdir()
    (other / "thesis.docx").write_text("precious")
    with pytest.raises(ValueError, match="non-empty folder that is not a segspatial report"):
        rp.write_report(demo_data, other)
    assert (other / "thesis.docx").read_text() == "precious"
    (tmp_path / "file").write_text("x")
    with pytest.raises(ValueError, match="exists and is not a folder"):
        rp.write_report(demo_data, tmp_path / "file")


# --------------------------------------------------------------------------- computation


def test_report_data_contents(demo_data):
    assert list(demo_data.areas["file"]) == ["GM9001.html", "GM9002.html"]
    assert list(demo_data.areas["name"]) == ["Havenstad", "Polderdam"]
    assert len(demo_data.comparisons) == 7
    spatial = demo_data.spatial
    assert set(spatial["year"]) == {2018} and set(spatial["area"]) == {"GM9001", "GM9002"}
    assert set(spatial["bandwidth"].dropna()) == {500.0, 1000.0, 2000.0, 4000.0}
    # between + within = H (the default square districts hold every school)
    h = demo_data.table.query("year == 2018 and index == 'theil_h'").set_index(
        ["area", "comparison"])["value"]
    parts = spatial[spatial["index"].isin(["theil_h_between", "theil_h_within"])].groupby(
        ["area", "comparison"])["value"].sum()
    np.testing.assert_allclose(parts.sort_index(), h.sort_index(), rtol=1e-10)
    assert (demo_data.profile["bandwidth"] == 0).any()


def test_units_without_location_are_counted(demo):
    result, schools, _ = demo
    moved = schools.copy()
    lost = moved.loc[moved["municipality"] == "GM9002", "school"].iloc[:3]
    moved.loc[moved["school"].isin(lost), "x"] = np.nan
    data = _demo_data(demo, schools=moved)
    rows = data.exclusions[data.exclusions["reason"] == "no_location"]
    counts = result.counts[result.counts["unit"].astype(str).isin(lost.astype(str))]
    assert rows["n_units"].sum() == len(counts)
    assert rows["n_pupils"].sum() == counts["total"].sum()
    page = dict(rp.render_report(data))["GM9002.html"]
    assert "schools without coordinates" in page


def test_report_data_errors(demo, real_result):
    result, schools, bounds = demo
    with pytest.raises(TypeError, match="result must be a SegregationResult"):
        rp.report_data(result.table, schools, unit="school", x="x", y="y",
                       crs="EPSG:28992", boundaries=bounds)
    with pytest.raises(ValueError, match=r"only: area code\(s\) \['GM9999'\] have no results"):
        _demo_data(demo, only=["GM9999"])
    with pytest.raises(ValueError, match=r"\['GM9005'\] were left out as small areas"):
        _demo_data(demo, only=["GM9005"])
    with pytest.raises(ValueError, match="bandwidth must be one or more positive distances"):
        _demo_data(demo, bandwidth=[500, -1])
    with pytest.raises(ValueError, match="district_size must be a positive number"):
        _demo_data(demo, district_size=0)
    with pytest.raises(ValueError, match="locations has no column"):
        rp.report_data(result, schools.drop(columns="x"), unit="school", x="x", y="y",
                       crs="EPSG:28992", boundaries=bounds, area_code="statcode")
    with pytest.raises(ValueError, match="geographic"):
        rp.report_data(result, schools, unit="school", x="x", y="y", crs="EPSG:4326",
                       boundaries=bounds, area_code="statcode")
    # codes of another kind: an error with examples of both sides, not an all-grey map
    other_codes = bounds.assign(statcode="X" + bounds["statcode"].str[2:])
    with pytest.raises(ValueError, match=r"none of the \d+ area codes of the results is a "
                       r"code of the boundaries \(area_code='statcode', \d+ features\): the "
                       r"results have e.g. \['GM9001', .*the boundaries \['X9001'"):
        _demo_data(demo, boundaries=other_codes)
    with pytest.warns(UserWarning, match=r"1 area of the results has no boundary"):
        pages = dict(rp.render_report(_demo_data(demo, boundaries=bounds[
            bounds["statcode"] != "GM9002"])))
    assert "GM9002.html" in pages  # a page without a polygon on the index map
    no_area = ss.segregation(schools.assign(a=1, b=2), "school", "a", "b",
                             min_unit_size=0, min_area_size=0)
    with pytest.raises(ValueError, match="result has no 'area' column"):
        rp.report_data(no_area, schools, unit="school", x="x", y="y", crs="EPSG:28992",
                       boundaries=bounds)


# --------------------------------------------------------------------------- interpretation


def test_interpretation_in_plain_words():
    halves = rp.interpretation(0.3, {500: 0.28, 4000: 0.05}, between=0.25, within=0.05,
                               morans_i=0.8, morans_p=0.001, n_schools=100)
    assert "between parts of the municipality" in halves[0] and "93%" in halves[0]
    assert halves[1].startswith("Of Theil&#39;s H, 83% is between districts")
    assert "clustered" in halves[2] and len(halves) == 3
    checker = rp.interpretation(0.3, {500: 0.03, 4000: 0.0}, morans_i=-0.4,
                                morans_p=0.001, n_schools=5)
    assert "With only 5 schools" in checker[0]  # the caveat first
    assert "between neighbouring schools" in checker[1] and "10%" in checker[1]
    assert "checkerboard" in checker[2]
    mixed = rp.interpretation(0.3, {500: 0.15, 2000: 0.05}, morans_i=0.1, morans_p=0.3)
    assert "partly between neighbouring schools" in mixed[0]
    assert "no clear pattern" in mixed[1]
    assert rp.interpretation(float("nan"), {500: 0.1}) == [
        "The spatial indices could not be computed for this comparison."]
    dutch = rp.interpretation(0.3, {500: 0.28}, lang="nl")
    assert "tussen delen van de gemeente" in dutch[0] and "93%" in dutch[0]
    with pytest.raises(ValueError, match="lang must be one of"):
        rp.interpretation(0.3, {500: 0.2}, lang="xx")


# --------------------------------------------------------------------------- command line


def test_cli_report_on_counts(demo, tmp_path, capsys):
    from segspatial.cli import main
    from segspatial.demo import demo_counts

    counts = demo_counts()
    counts = counts[counts["year"] >= 2017]
    src = tmp_path / "counts.csv"
    counts.to_csv(src, index=False)
    bounds = tmp_path / "towns.geojson"
    demo[2].to_file(bounds)
    args = [str(src), "--unit", "school", "--group-a", "a", "--group-b", "b", "--area",
            "municipality", "--year", "year", "--x", "x", "--y", "y", "--crs",
            "EPSG:28992", "--name", "school_name", "--boundaries", str(bounds),
            "--only", "GM9002", "--bandwidth", "300", "1500", "--permutations", "19",
            "--label-a", "newcomer", "--lang", "nl", "--min-cell", "10", "--offline",
            "--output", str(tmp_path / "out")]
    assert main(["report", *args]) == 0
    err = capsys.readouterr().err
    assert "2 pagina's geschreven naar" in err and "small_unit" in err  # --lang nl
    page = (tmp_path / "out" / "GM9002.html").read_text(encoding="utf-8")
    assert "newcomer vs groep B" in page and "300\u00a0m" in page and "1,5\u00a0km" in page
    assert "counts.csv" in page and "towns.geojson" in page  # provenance
    assert main(["report", *args[:-1], str(tmp_path / "out")]) == 0  # replaced in place


def test_cli_report_errors(tmp_path, capsys):
    from segspatial.cli import main

    src = tmp_path / "p.csv"
    pd.DataFrame({"school": ["s"], "m": ["GM1"], "x": [1.0], "y": [2.0],
                  "eth": ["dutch"]}).to_csv(src, index=False)
    base = [str(src), "--unit", "school", "--area", "m", "--x", "x", "--y", "y", "--crs",
            "EPSG:28992", "--boundaries", str(src), "--output", str(tmp_path / "o")]
    assert main(["report", *base, "--pupils", "--ethnicity", "eth"]) == 2
    assert "--pupils needs --locations" in capsys.readouterr().err
    assert main(["report", *base, "--group-a", "x", "--group-b", "y",
                 "--district-code", "c"]) == 2
    assert "--district-code is used with --districts" in capsys.readouterr().err


# --------------------------------------------------------------------------- in a browser

def test_every_demo_page_in_chromium(tmp_path, chromium):
    """Uses the session's shared browser (conftest): a second Playwright instance in
    the same process fails once the shared one is running."""
    from segspatial.demo import demo_pupils, demo_schools
    from segspatial.pupils import pupil_segregation

    result = pupil_segregation(demo_pupils(), "school", area="municipality", year="year",
                               ethnicity="ethnicity", income="income", education="education")
    index = rp.write_demo_report(tmp_path / "report", result, demo_schools(), min_cell=10)
    pages = sorted(index.parent.glob("*.html"))
    assert len(pages) == 5  # index + the four towns above the area filter
    shots = ARTIFACTS / "report"
    shots.mkdir(parents=True, exist_ok=True)
    grey_markers = 0
    for path in pages:
        page = chromium.new_page(viewport={"width": 1200, "height": 900})
        log = {"errors": [], "requests": [], "dialogs": []}
        page.on("console", lambda m, log=log: log["errors"].append(m.text)
                if m.type == "error" else None)
        page.on("pageerror", lambda e, log=log: log["errors"].append(str(e)))
        page.on("request", lambda r, log=log: log["requests"].append(r.url))
        page.on("dialog", lambda d, log=log: (log["dialogs"].append(d.message),
                                              d.dismiss()))
        page.goto(path.as_uri())
        frame = page.frame_locator("iframe.map")
        frame.locator("path.leaflet-interactive").first.wait_for()
        assert frame.locator("path.leaflet-interactive").count() >= 4
        page.wait_for_timeout(200)
        page.screenshot(path=str(shots / f"{path.stem}.png"), full_page=True)
        # the demo report has min_cell=10: schools with a small group are drawn grey
        grey_markers += frame.locator('path.leaflet-interactive[fill="#9e9e9e"]').count()
        if path.name == "index.html":
            table = page.locator("table.sortable").first  # then D per comparison
            rows = table.locator("tbody tr")
            assert rows.count() == 4
            table.locator("th").nth(4).click()  # D, ascending
            ascending = [float(v) for v in rows.evaluate_all(
                "rs => rs.map(r => r.cells[4].getAttribute('data-v'))")]
            assert ascending == sorted(ascending)
            table.locator("th").nth(4).click()  # descending
            first = rows.first.evaluate("r => r.cells[4].getAttribute('data-v')")
            assert float(first) == max(ascending)
        outside = [u for u in log["requests"]
                   if not u.startswith(("file:", "data:", "about:"))]
        assert log["errors"] == [] and log["dialogs"] == [] and outside == [], path.name
        page.close()
    assert grey_markers >= 1
    assert json.dumps(sorted(p.name for p in shots.glob("*.png")))


def test_cli_report_from_pupils(tmp_path, capsys):
    from segspatial.cli import main
    from segspatial.demo import demo_pupils, demo_schools
    from segspatial.demo_maps import demo_boundaries

    schools = demo_schools()
    pupils = demo_pupils()
    pupils = pupils[(pupils["municipality"] == "GM9002") & (pupils["year"] >= 2017)]
    pupils.to_csv(tmp_path / "pupils.csv", index=False)
    schools.to_csv(tmp_path / "schools.csv", index=False)
    demo_boundaries(schools).to_file(tmp_path / "towns.geojson")
    status = main(["report", str(tmp_path / "pupils.csv"), "--pupils", "--unit", "school",
                   "--area", "municipality", "--year", "year", "--ethnicity", "ethnicity",
                   "--income", "income", "--education", "education",
                   "--locations", str(tmp_path / "schools.csv"), "--name", "school_name",
                   "--x", "x", "--y", "y", "--crs", "EPSG:28992",
                   "--boundaries", str(tmp_path / "towns.geojson"),
                   "--area-code", "statcode", "--min-area-size", "0", "--quiet",
                   "--output", str(tmp_path / "report")])
    assert status == 0, capsys.readouterr().err
    page = (tmp_path / "report" / "GM9002.html").read_text(encoding="utf-8")
    for comparison in ("Dutch vs non-western pupils", "pupils from high- vs low-income families",
                       "pupils whose parents have high vs low education"):
        assert comparison in page, comparison
    assert "2017" in page and "2018" in page
    # the out-of-core engine writes the same page, byte for byte
    pytest.importorskip("duckdb")
    status = main(["report", str(tmp_path / "pupils.csv"), "--pupils", "--engine", "duckdb",
                   "--unit", "school", "--area", "municipality", "--year", "year",
                   "--ethnicity", "ethnicity", "--income", "income", "--education",
                   "education", "--locations", str(tmp_path / "schools.csv"), "--name",
                   "school_name", "--x", "x", "--y", "y", "--crs", "EPSG:28992",
                   "--boundaries", str(tmp_path / "towns.geojson"), "--area-code", "statcode",
                   "--min-area-size", "0", "--quiet", "--output", str(tmp_path / "report2")])
    assert status == 0, capsys.readouterr().err
    assert (tmp_path / "report2" / "GM9002.html").read_bytes() == page.encode("utf-8")


def test_templates_and_static_files_are_package_data():
    """Every template and static file of the report ships in the wheel (pyproject's
    package data), and no Python module of the report holds CSS or JavaScript."""
    import fnmatch
    import tomllib

    root = Path(rp.__file__).parent
    patterns = tomllib.loads((root.parents[1] / "pyproject.toml").read_text())[
        "tool"]["setuptools"]["package-data"]["segspatial.report"]
    files = [p.relative_to(root).as_posix() for folder in ("templates", "static")
             for p in (root / folder).rglob("*") if p.is_file()]
    assert {"templates/area.html", "templates/index.html", "static/report.css",
            "static/sort.js"} <= set(files)
    for file in files:
        assert any(fnmatch.fnmatch(file, pattern) for pattern in patterns), file
    for module in root.glob("*.py"):
        text = module.read_text()
        assert "border-collapse" not in text and "addEventListener('click'" not in text


def test_pages_come_from_autoescaping_templates():
    from segspatial.report._env import environment

    env = environment()
    assert env.autoescape is True
    assert {"area.html", "index.html", "chart.svg"} <= set(env.list_templates())


def test_report_package_keeps_its_public_names_and_small_modules():
    import ast

    import segspatial.report as report

    assert {"ReportData", "report_data", "render_report", "write_report", "interpretation",
            "band", "page_name", "demo_report_data", "write_demo_report", "REPORT_INDICES",
            "LANGUAGES"} <= set(report.__all__)
    for name in report.__all__:
        assert hasattr(report, name), name
    root = Path(report.__file__).parent
    defined: dict[str, str] = {}
    for path in sorted(root.glob("*.py")):
        assert path.read_text("utf-8").count("\n") < 600, path.name  # one concern each
        for node in ast.parse(path.read_text("utf-8")).body:
            if isinstance(node, ast.FunctionDef | ast.ClassDef):
                assert node.name not in defined, (node.name, path.name, defined.get(node.name))
                defined[node.name] = path.name
