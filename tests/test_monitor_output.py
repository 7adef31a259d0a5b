"""The monitor's output: pages (escaped, nl/en), maps, disclosure, the CLI, reruns."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import pytest
from shapely.geometry import box

from segspatial.cli import main
from segspatial.monitor import compute_monitor, read_enrolments, region_mapping
from segspatial.monitor.disclose import disclose_result
from segspatial.monitor.pages import render_pages, write_monitor
from segspatial.text import t

HOSTILE = "Hoge {{7*7}}school <script>alert(1)</script> $\\alpha$ `${x}`"


def rec(gm, prog, sex, y1, y2, name="B Elektrotechniek"):
    return {"GEMEENTENUMMER": gm, "OPLEIDINGSCODE ACTUEEL": prog, "GESLACHT": sex,
            "ONDERDEEL": "techniek", "OPLEIDINGSNAAM ACTUEEL": name,
            "GEMEENTENAAM": HOSTILE, "2023": y1, "2024": y2}


@pytest.fixture
def case(tmp_path):
    records = [rec("0001", 1, "vrouw", 30, 35, name=HOSTILE), rec("0001", 1, "man", 90, 85),
               rec("0001", 2, "vrouw", "<5", 6), rec("0001", 2, "man", 40, 44),
               rec("0002", 1, "vrouw", 25, 26), rec("0002", 1, "man", 45, 45),
               rec("0003", 1, "vrouw", 3, 4), rec("0003", 1, "man", 30, 30),
               rec("0004", 1, "vrouw", 12, 14), rec("0004", 1, "man", 60, 61)]
    data = tmp_path / "hbo.json"
    data.write_text(json.dumps(records))
    muni = gpd.GeoDataFrame({"statcode": ["GM0001", "GM0002", "GM0003", "GM0004"],
                             "statnaam": [HOSTILE] * 4},
                            geometry=[box(x, 4e5, x + 1e4, 4.1e5)
                                      for x in (1e5, 1.1e5, 1.2e5, 1.3e5)],
                            crs="EPSG:28992")  # inside RD New's area of use (it is checked)
    regions = gpd.GeoDataFrame({"statcode": ["AM01", "AM02"], "statnaam": [HOSTILE, "Oost"]},
                               geometry=[box(1e5, 4e5, 1.2e5, 4.1e5),
                                         box(1.2e5, 4e5, 1.4e5, 4.1e5)],
                               crs="EPSG:28992")
    muni_path, reg_path = tmp_path / "gm.geojson", tmp_path / "am.geojson"
    muni.to_file(muni_path)
    regions.to_file(reg_path)
    enr = read_enrolments(data)
    mapping = region_mapping(muni, {"arbeidsmarktregio": regions})
    return data, muni_path, reg_path, compute_monitor(enr, mapping)


def test_the_monitor_has_no_text_table_of_its_own():
    """Its words are the catalogue's [monitor] tables (tests/test_text.py checks every
    key in every language)."""
    from segspatial.monitor import _text

    assert not hasattr(_text, "TEXT") and not hasattr(_text, "RULES")
    assert t("nl", "monitor.title") == "Vrouwen in het technisch hoger beroepsonderwijs"
    assert _text.Formatter("nl").points(0.0153) == "+1,5 procentpunt"
    assert _text.Formatter("en").points(-0.0153) == "−1.5 pp"
    assert _text.Formatter("nl").num(-0.05) == "−0,050"


def test_pages_escape_every_name_and_speak_both_languages(case):
    *_, result = case
    for lang, word in (("en", "share of women"), ("nl", "aandeel vrouwen")):
        pages = dict(render_pages(result, lang=lang, offline=True))
        assert set(pages) == {"index.html", "AM01.html", "AM02.html"}
        for html in pages.values():
            assert "Hoge 49school" not in html  # {{7*7}} never evaluated
            assert "<script>alert(1)" not in html
            assert word in html
        assert "Hoge {{7*7}}school &lt;script&gt;" in pages["AM01.html"]
        assert 'lang="' + lang + '"' in pages["index.html"]
    nl = dict(render_pages(result, lang="nl"))["index.html"]
    assert "streefwaarde" in nl and "," in nl


def test_min_cell_hides_small_counts(case):
    *_, result = case
    shown = disclose_result(result, 10)
    rep = shown.representation.set_index(["level", "area", "year"])
    # GM0003 has 3-4 women: suppressed; GM0004 with it (complementary, one per level-year)
    assert rep.loc[("municipality", "GM0003", 2024), "suppressed"]
    assert rep["suppressed"].groupby(["level", "year"]).sum().isin([0, 2, 3, 4]).all()
    assert rep.loc[("municipality", "GM0003", 2024), ["women", "share"]].isna().all()
    for column in ("women", "men", "women_low", "men_low"):
        values = shown.representation[column].dropna()
        assert (values >= 10).all()
    pages = dict(render_pages(result, lang="en", min_cell=10))
    assert "not shown" in pages["AM02.html"]


def test_write_is_atomic_and_byte_identical(case, tmp_path):
    *_, result = case
    a = write_monitor(result, tmp_path / "a", offline=True)
    b = write_monitor(result, tmp_path / "b", offline=True)
    names = sorted(p.name for p in a.iterdir())
    assert {"index.html", "representation.csv", "segregation.csv", "mapping.csv",
            "map_labour_market_region.png", "map_labour_market_region.html"} <= set(names)
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "keep.txt").write_text("x")
    with pytest.raises(ValueError, match="not a segspatial monitor"):
        write_monitor(result, tmp_path / "other")


def test_cli(case, tmp_path, capsys):
    data, muni, regions, _ = case
    out = tmp_path / "out"
    code = main(["monitor", str(data), "--boundaries", str(muni), "--regions",
                 f"arbeidsmarktregio={regions}", "--target", "0.25", "--output", str(out),
                 "--offline", "--lang", "nl", "--write-mapping", str(tmp_path / "m.csv")])
    assert code == 0
    err = capsys.readouterr().err
    # --lang nl: the summary in Dutch, numbers the Dutch way (the catalogue's [cli])
    assert "sector techniek: aandeel vrouwen" in err and "streefwaarde 25%" in err
    assert "0 gelijke overlappingen, 0 zonder regio" in err and "index.html geschreven" in err
    assert "share of women" not in err and "Weggelaten (reden (niveau)" in err
    assert re.search(r"aandeel vrouwen \d+,\d%", err)
    assert (out / "AM01.html").is_file() and (tmp_path / "m.csv").is_file()
    code = main(["monitor", str(data), "--mapping", str(tmp_path / "m.csv"), "--programmes",
                 "2", "--output", str(tmp_path / "out2"), "-q", "--no-pages"])
    assert code == 0 and not (tmp_path / "out2" / "index.html").exists()
    assert capsys.readouterr().err == ""  # -q: errors only
    assert main(["monitor", str(data), "--regions", "x=y", "-o", str(tmp_path / "o3"),
                 "--lang", "nl"]) == 2
    assert "--regions needs --boundaries" in capsys.readouterr().err  # errors: English
    assert main(["monitor", str(data), "--mapping", str(tmp_path / "m.csv"), "--output",
                 str(tmp_path / "out5"), "--offline"]) == 0
    err = capsys.readouterr().err  # without --lang: English
    assert "sector techniek: share of women" in err and "wrote " in err
    assert main(["monitor", str(data), "--sector", "bouw", "-o", str(tmp_path / "o4")]) == 2
    assert "sector 'bouw' is not in the file" in capsys.readouterr().err


def test_page_levels_are_checked_and_take_dutch_names(case, tmp_path):
    *_, result = case
    # an unknown level gave a folder without pages and without maps, silently
    with pytest.raises(ValueError, match=r"page_levels: \['foo'\] .* levels are"):
        write_monitor(result, tmp_path / "a", page_levels=["foo"])
    with pytest.raises(ValueError, match="page_levels: 'national'"):
        write_monitor(result, tmp_path / "a", page_levels=["national"])
    folder = write_monitor(result, tmp_path / "b", page_levels=["arbeidsmarktregio"])
    assert (folder / "AM01.html").is_file()
    assert (folder / "map_labour_market_region.png").is_file()


def test_cli_refuses_a_level_given_twice(case, tmp_path, capsys):
    data, muni, regions, _ = case
    code = main(["monitor", str(data), "--boundaries", str(muni), "--regions",
                 f"arbeidsmarktregio={regions}", f"arbeidsmarktregio={muni}", "-o",
                 str(tmp_path / "o")])
    assert code == 2
    assert "--regions: level 'arbeidsmarktregio' is given twice" in capsys.readouterr().err


@pytest.mark.parametrize("level", ["../../evil", "a/b", "x" * 300, "{{7*7}}", "index"])
def test_level_names_are_data_and_files_stay_inside(case, tmp_path, level):
    # a level names the map files (map_<level>.png): '../../evil' crashed the write
    # and could have escaped the folder; any text is a level, the file name is safe
    data, muni, regions, _ = case
    out = tmp_path / "deep" / "out"
    before = {p for p in tmp_path.rglob("*") if p.is_file()}
    code = main(["monitor", str(data), "--boundaries", str(muni), "--regions",
                 f"{level}={regions}", "-o", str(out), "-q"])
    assert code == 0
    names = sorted(p.name for p in out.iterdir())
    maps = [n for n in names if n.startswith("map_")]
    assert len(maps) == 2 and all(len(n) < 120 for n in maps), names
    new = {p for p in tmp_path.rglob("*") if p.is_file()} - before
    assert new == {p for p in out.rglob("*") if p.is_file()}  # nothing outside the folder
    assert "index.html" in names and len([n for n in names if n.endswith(".html")]) == 4


@pytest.mark.parametrize(("extra", "message"), [
    (["--target", "0.2", "national=0.3"], "--target '0.2': use LEVEL=SHARE, e.g. "
     "arbeidsmarktregio=0.18"),
    (["--censored", "<5", "1", "4", "--censored", "<5", "0", "4"],
     "--censored: token '<5' is given twice"),
    (["--target", "havo"], "--target 'havo': give a share such as 0.20 or one of the "
     "advice's targets (vmbo, mbo, hbo)"),
    (["--flagged", "1", "x"], "--flagged 1 x: LOW and HIGH must be whole numbers"),
    (["--flagged", "4", "1"], "--flagged must satisfy 0 <= low <= high"),
    (["--flag-columns", "2024"], "--flag-columns '2024': use COUNT=FLAG"),
    (["--flag-columns", "2099=x"], "--flag-columns: '2099' is not a count column"),
    (["--flag-columns", "2024=x", "--no-flags"], "--no-flags and --flag-columns: give one"),
])
def test_cli_option_errors(case, tmp_path, capsys, extra, message):
    data, *_ = case
    assert main(["monitor", str(data), "-o", str(tmp_path / "o"), *extra]) == 2
    assert message in capsys.readouterr().err


def test_every_region_gets_its_own_page_whatever_its_code(case, tmp_path):
    import re

    data, muni_path, _, _ = case
    muni = gpd.read_file(muni_path)
    # codes that collide as file names: 'index' (the national page), 'a/b' and 'a_b',
    # 'AM01' and 'am01' (one file on case-insensitive file systems), a code in two levels
    west, east = box(1e5, 4e5, 1.2e5, 4.1e5), box(1.2e5, 4e5, 1.4e5, 4.1e5)
    am = gpd.GeoDataFrame({"statcode": ["index", "a/b"], "statnaam": ["I", "AB"]},
                          geometry=[west, east], crs="EPSG:28992")
    pv = gpd.GeoDataFrame({"statcode": ["a_b", "AM01"], "statnaam": ["A_B", "P1"]},
                          geometry=[west, east], crs="EPSG:28992")
    corop = gpd.GeoDataFrame({"statcode": ["am01", "index"], "statnaam": ["C1", "C2"]},
                             geometry=[west, east], crs="EPSG:28992")
    mapping = region_mapping(muni, {"arbeidsmarktregio": am, "provincie": pv,
                                    "corop": corop})
    result = compute_monitor(read_enrolments(data), mapping)
    pages = dict(render_pages(result, lang="en"))
    assert len(pages) == 1 + 6
    assert len({name.lower() for name in pages}) == len(pages)
    assert "Women in technical higher professional education" in pages["index.html"]
    titles = {re.search(r"<title>([^<]*)", html).group(1) for html in pages.values()}
    assert len(titles) == len(pages)
    # every link of the national page opens the page of that region
    links = re.findall(r'<a href="([^"]+)">([^<]+)</a>', pages["index.html"])
    assert len(links) == 6
    for file, name in links:
        assert f"<title>Women in technical education: {name}" in pages[file]


def test_each_page_lists_its_own_exclusions_in_its_language(case):
    *_, result = case
    pages = dict(render_pages(result, lang="nl"))
    # AM01 (two programmes) lost nothing; AM02 has one programme: D and H undefined
    assert t("nl", "monitor.exclusions_none") in pages["AM01.html"]
    am02 = pages["AM02.html"]
    assert "region-year with fewer than 2 programmes" not in am02  # English on a nl page
    assert t("nl", "monitor.reason_too_few_units") in am02
    # the national page: the national rows only, not every region's summed with it
    national = pages["index.html"]
    assert t("nl", "monitor.exclusions_none") in national
    en = dict(render_pages(result, lang="en"))["AM02.html"]
    assert t("en", "monitor.reason_too_few_units") in en and ">2024<" in en


def test_gap_and_range_read_the_same_on_pages_and_maps(case):
    import re

    from segspatial.monitor.maps import share_webmap

    *_, result = case
    shown = disclose_result(result, 10)
    rep = shown.representation
    geo = result.mapping.geometries["labour_market_region"]
    html = share_webmap(rep, geo, level="labour_market_region", min_cell=10).get_root() \
        .render()
    # AM01 reached the 20% target: not "< 10 more women needed" on the map
    props = {m.group(1): m.group(0) for m in re.finditer(
        r'"code": "(AM0\d)", "fill": "[^"]*", "gap": "[^"]*"', html)}
    assert props["AM01"].endswith('"gap": "target reached"'), props
    pages = dict(render_pages(result, lang="en", min_cell=10))
    # a withheld range is one dash, not three
    assert "–––" not in pages["AM02.html"] and "–––" not in pages["index.html"]


def test_cli_reads_flagged_cells_as_censored(tmp_path, capsys):
    header = ("GEMEENTENUMMER;OPLEIDINGSCODE ACTUEEL;ONDERDEEL;GESLACHT;2024;"
              "2024 AFGESCHERMD")
    rows = ["0363;1;techniek;man;40;0", "0363;1;techniek;vrouw;4;1",
            "0363;2;techniek;man;30;0", "0363;2;techniek;vrouw;10;0"]
    path = tmp_path / "hbo.csv"
    path.write_bytes(("\n".join([header, *rows]) + "\n").encode("cp1252"))
    assert main(["monitor", str(path), "-o", str(tmp_path / "o")]) == 0
    err = capsys.readouterr().err
    # women in [11, 14], men 70: the 4 is censored [1, 4] (midpoint 2: 12 / 82)
    assert "share of women 14.6% in 2024 (range 13.6%–16.7%" in err
    assert main(["monitor", str(path), "-o", str(tmp_path / "o2"), "--no-flags",
                 "--target", "mbo"]) == 0
    err = capsys.readouterr().err
    assert "share of women 16.7% in 2024 (range 16.7%–16.7%" in err and "target 15%" in err
    assert main(["monitor", str(path), "-o", str(tmp_path / "o3"), "--flagged", "2", "4",
                 "--flag-columns", "2024=2024 AFGESCHERMD"]) == 0
    assert "(range 14.6%–16.7%" in capsys.readouterr().err
    page = (tmp_path / "o3" / "index.html").read_text(encoding="utf-8")
    assert ("Cells marked in a suppression flag column (2024 AFGESCHERMD) are censored "
            "alike: the interval [2, 4]") in page


def test_every_region_of_the_level_gets_a_page_and_regions_compare_with_the_nation(
        case, tmp_path):
    data, muni, _, _ = case
    # a third labour-market region where no programme is given (no municipality in it)
    regions = gpd.GeoDataFrame({"statcode": ["AM01", "AM02", "AM03"],
                                "statnaam": ["West", "Oost", "Leeg"]},
                               geometry=[box(1e5, 4e5, 1.2e5, 4.1e5),
                                         box(1.2e5, 4e5, 1.4e5, 4.1e5),
                                         box(1.5e5, 4e5, 1.6e5, 4.1e5)], crs="EPSG:28992")
    mapping = region_mapping(gpd.read_file(muni), {"arbeidsmarktregio": regions})
    result = compute_monitor(read_enrolments(data), mapping)
    assert "AM03" not in set(result.representation["area"])  # no share made of nothing
    pages = dict(render_pages(result, lang="en"))
    assert {"index.html", "AM01.html", "AM02.html", "AM03.html"} <= set(pages)
    assert ("None of the selected programmes is given in this region in 2023-2024"
            in pages["AM03.html"])
    assert "share of women" not in pages["AM03.html"].split("<footer>")[0].split("</h1>")[1]
    # the national page lists it, linked, as a region where none is given
    assert '<a href="AM03.html">Leeg</a>' in pages["index.html"]
    # a region page compares with the nation: a fact and a line on the chart
    rep = result.representation.set_index(["level", "area", "year"])
    nat = rep.loc[("national", "NL", 2024), "share"]
    east = rep.loc[("labour_market_region", "AM02", 2024), "share"]
    page = pages["AM02.html"]
    assert "against the Netherlands" in page and "the Netherlands (grey, dotted)" in page
    diff = f"{100 * (east - nat):+.1f}".replace("-", "\u2212")  # Babel's minus sign
    assert f"{diff} pp against the national {100 * nat:.1f}%" in page
    assert page.count("<polyline") == 2 and pages["index.html"].count("<polyline") == 1
    nl = dict(render_pages(result, lang="nl"))
    assert ("In deze regio wordt in 2023-2024 geen van de gekozen opleidingen gegeven"
            in nl["AM03.html"])


def test_pages_say_which_ranges_are_exact_and_which_are_bounds(case):
    *_, result = case
    page = dict(render_pages(result, lang="en"))["index.html"]
    # the one censored cell of the case (2023): every range is exact (all 4 fills)
    note = re.search(r"censored cells \((.*?); an exact range", page).group(1)
    assert note == ("D: exact, no censored cells; H: exact, no censored cells; "
                    "E[D]: exact, no censored cells; D*: exact, no censored cells")
    forced = compute_monitor(read_enrolments(case[0]), result.mapping, exact_limit=0)
    page = dict(render_pages(forced, lang="en"))["index.html"]
    assert ("E[D]: no censored cells, proven bound; D*: no censored cells, proven bound"
            in page)


def test_withheld_counts_are_not_called_small(case):
    # GM0004's 12-14 women are withheld only so that GM0003's 3-4 cannot be derived
    # (complementary suppression): "< 10" would be false of them
    from segspatial.monitor._text import Formatter

    assert Formatter("en", 10).count(4435, hidden=True) == "not shown"
    assert Formatter("nl", 10).count(4435, hidden=True) == "niet getoond"
    *_, result = case
    rep = disclose_result(result, 10).representation.set_index(["level", "area", "year"])
    assert rep.loc[("municipality", "GM0004", 2024), "suppressed"]
    assert result.representation.set_index(["level", "area", "year"]).loc[
        ("municipality", "GM0004", 2024), "women"] >= 10
    pages = dict(render_pages(result, lang="en", min_cell=10))
    row = re.search(r'<td class="text">GM0004</td>(.*?)</tr>', pages["AM02.html"]).group(1)
    assert "&lt; 10" not in row
    assert row.count("<td>not shown</td>") == 2  # women and men


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_static_map_keeps_its_size_with_the_withheld_legend_entry(case, lang):
    """With --min-cell the legend gained a long "not shown (disclosure control ...)"
    entry on one row; constrained layout then shrank the map of the real monitor to a
    stamp above a blank page ("constrained_layout not applied"). Legends wrap instead."""
    import warnings

    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from segspatial.monitor.maps import share_map

    *_, result = case
    shown = disclose_result(result, 10)
    rep = shown.representation.copy()
    level = rep["level"] == "labour_market_region"
    rep.loc[level & (rep["area"] == "AM02"), "suppressed"] = True  # as on the real file
    geo = result.mapping.geometries["labour_market_region"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ax = share_map(rep, geo, level="labour_market_region", lang=lang, min_cell=10)
        fig = ax.figure
        FigureCanvasAgg(fig).draw()
    box_ = ax.get_position()  # the map is twice as wide as high: its width is the test
    assert box_.width > 0.7, box_
    legend = ax.get_legend()
    renderer = fig.canvas.get_renderer()
    extent = legend.get_window_extent(renderer)
    assert extent.x0 >= 0 and extent.x1 <= fig.bbox.width + 1, (extent, fig.bbox)
