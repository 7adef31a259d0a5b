"""The report's "several groups at once" and income sections: values from the engine,
the split between + within = total, the H(p) chart, edge cases, reruns, disclosure and
the command line."""

from __future__ import annotations

import html
import re

import numpy as np
import pandas as pd
import pytest

from segspatial import report as rp
from segspatial._format import Formatter
from segspatial.cli import main
from segspatial.multigroup_table import multigroup_segregation, pupil_multigroup_segregation
from segspatial.rankorder import rank_order_segregation

DENOMINATIONS = ["openbaar", "rooms-katholiek", "protestants-christelijk", "islamitisch"]


def _section(page: str, cls: str) -> str:
    match = re.search(rf'<section class="{cls}">(.*?)</section>', page, flags=re.S)
    assert match, f"no section {cls}"
    return match[1]


def _text(fragment: str) -> str:
    fragment = re.sub(r'srcdoc="[^"]*"', "", fragment)
    fragment = re.sub(r"<svg.*?</svg>", " ", fragment, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", fragment)))


@pytest.fixture(scope="module")
def demo():
    from segspatial.demo import demo_pupils, demo_schools
    from segspatial.pupils import pupil_segregation

    schools = demo_schools()
    pupils = demo_pupils(years=(2017, 2018))
    denomination = dict(zip(schools["school"], DENOMINATIONS * len(schools), strict=False))
    pupils["denomination"] = pupils["school"].map(denomination)
    result = pupil_segregation(pupils, "school", area="municipality", year="year",
                               ethnicity="ethnicity", income="income")
    several = pupil_multigroup_segregation(pupils, "school", area="municipality",
                                           year="year", ethnicity="ethnicity",
                                           within="denomination")
    ranked = rank_order_segregation(pupils, "school", income="income",
                                    area="municipality", year="year")
    return result, schools, several, ranked


@pytest.fixture(scope="module")
def data(demo):
    result, schools, several, ranked = demo
    return rp.demo_report_data(result, schools, only=["GM9001", "GM9003"], permutations=9,
                               multigroup=several, rank_order=ranked)


@pytest.fixture(scope="module")
def pages(data):
    return {lang: dict(rp.render_report(data, lang=lang, offline=True))
            for lang in ("en", "nl")}


def _engine(several, area, year, index, comparison="ethnicity"):
    t = several.table
    row = t[(t["area"] == area) & (t["year"] == year) & (t["index"] == index)
            & (t["comparison"] == comparison)]
    assert len(row) == 1
    return float(row["value"].iloc[0])


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_section_shows_the_engine_values(pages, demo, lang):
    _, _, several, _ = demo
    words = Formatter(lang)
    for area in ("GM9001", "GM9003"):
        section = _text(_section(pages[lang][f"{area}.html"], "multigroup"))
        for year in (2017, 2018):
            for index in ("multigroup_theil_h", "mutual_information",
                          "multigroup_dissimilarity", "multigroup_theil_h_between",
                          "multigroup_theil_h_within"):
                value = _engine(several, area, year, index)
                assert f" {words.number(value, 3)} " in section, (area, year, index)
        assert ("Several groups at once" if lang == "en"
                else "Meerdere groepen tegelijk") in pages[lang][f"{area}.html"]
        for name in DENOMINATIONS:
            assert name in section


def test_split_between_plus_within_is_the_total(pages, demo, data):
    _, _, several, _ = demo
    page = pages["en"]["GM9001.html"]
    section = _section(page, "multigroup")

    def cell(cls):
        (text,) = re.findall(rf'<td class="{cls}"[^>]*>([^<]*)</td>', section)
        return float(text)

    between = _engine(several, "GM9001", 2018, "mutual_information_between")
    within = _engine(several, "GM9001", 2018, "mutual_information_within")
    total = _engine(several, "GM9001", 2018, "mutual_information")
    assert between + within == pytest.approx(total, abs=1e-12)  # every school has one
    assert cell("m-between") == pytest.approx(between, abs=5e-5)
    assert cell("m-within") == pytest.approx(within, abs=5e-5)
    assert cell("m-total") == pytest.approx(total, abs=5e-5)
    # the per-denomination parts add up to the totals too
    comp = data.multigroup.components
    mine = comp[(comp["area"] == "GM9001") & (comp["year"] == 2018)]
    assert mine["within_contribution"].sum() == pytest.approx(within, abs=1e-12)
    assert mine["between_contribution"].sum() == pytest.approx(between, abs=1e-12)
    shares = re.findall(r"(\d+\.\d)% lies between", _text(section))
    assert float(shares[0]) == pytest.approx(100 * between / total, abs=0.051)


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_income_profile_chart_in_the_page(pages, demo, lang):
    _, _, _, ranked = demo
    page = pages[lang]["GM9001.html"]
    section = _section(page, "income")
    (svg,) = re.findall(r"<svg.*?</svg>", section, flags=re.S)
    assert "<polyline" in svg and "stroke-dasharray" in svg  # H(p) and the fit
    profile = ranked.profile
    mine = profile[(profile["area"] == "GM9001") & (profile["year"] == 2018)]
    assert svg.count("<circle") == int(np.isfinite(mine["theil_h"]).sum())
    words = Formatter(lang)
    for h in mine["theil_h"].dropna():
        assert f": {words.number(h, 3)}</title>" in svg
    hr = ranked.table
    value = hr[(hr["area"] == "GM9001") & (hr["year"] == 2018)
               & (hr["index"] == "rank_order_theil_h")]["value"].iloc[0]
    assert words.number(value, 3) in _text(section)
    if lang == "nl":
        assert re.search(r">0,\d+<", svg) and not re.search(r">0\.\d+<", svg)
    assert ("Income as a continuum" if lang == "en" else "Inkomen als continuüm") in page


def test_local_score_maps_and_index_summary(pages, data):
    page = pages["nl"]["GM9001.html"]
    section = _section(page, "multigroup")
    assert 'src="data:image/png;base64,' in section and "srcdoc=" in section
    document = html.unescape(re.findall(r'srcdoc="([^"]*)"', section)[0])
    assert "Lokale segregatiescore ls" in document  # the web map's legend, in Dutch
    index = _text(_section(pages["nl"]["index.html"], "multigroup"))
    assert "Meerdere groepen tegelijk" in index and "denominaties" in index
    local = data.multigroup.local
    mine = local[(local["area"] == "GM9001") & (local["comparison"] == "ethnicity")]
    table = data.multigroup.table
    m = table[(table["area"] == "GM9001") & (table["year"] == 2018)
              & (table["comparison"] == "ethnicity")
              & (table["index"] == "mutual_information")]["value"].iloc[0]
    assert mine["m_contribution"].sum() == pytest.approx(m, abs=1e-12)


def test_reruns_are_byte_identical(data, pages):
    again = dict(rp.render_report(data, lang="en", offline=True))
    assert again == pages["en"]


def test_min_cell_withholds_every_multigroup_number(data, demo):
    _, _, several, ranked = demo
    pages = dict(rp.render_report(data, min_cell=10, offline=True))
    words = Formatter("en")
    for area in ("GM9001", "GM9003"):
        page = pages[f"{area}.html"]
        for cls in ("multigroup", "income"):
            section = _section(page, cls)
            assert "minimum cell size of 10" in _text(section)
            assert "<svg" not in section and "<img" not in section
            assert "srcdoc" not in section and "<table" not in section
        for index in ("mutual_information_within", "multigroup_theil_h"):
            value = _engine(several, area, 2018, index)
            assert words.number(value, 3) not in _text(_section(page, "multigroup"))
        for name in DENOMINATIONS:  # the split's clusters are not shown either
            assert name not in _section(page, "multigroup")
    index = _section(pages["index.html"], "multigroup")
    assert "<table" not in index and "minimum cell size" in _text(index)
    # without a rank-order result there is no income section, withheld or not
    result, schools, several, _ = demo
    alone = rp.demo_report_data(result, schools, only=["GM9001"], permutations=9,
                                multigroup=several)
    for min_cell in (None, 10):
        page = dict(rp.render_report(alone, min_cell=min_cell))["GM9001.html"]
        assert 'class="multigroup"' in page and 'class="income"' not in page


def _counts(units: int, areas: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    rows = []
    for k in range(areas):
        for i in range(units):
            rows.append({"school": f"S{k}-{i}", "gm": f"GM{k:04d}", "x": 100_000 + 400 * i,
                         "y": 450_000 + 300 * k, "a": int(rng.integers(5, 40)),
                         "b": int(rng.integers(5, 40)), "c": int(rng.integers(0, 30)),
                         "denomination": DENOMINATIONS[i % 3]})
    return pd.DataFrame(rows)


def _boundaries(frame: pd.DataFrame):
    import geopandas as gpd
    from shapely.geometry import box

    codes = sorted(frame["gm"].unique())
    return gpd.GeoDataFrame({"statcode": codes, "statnaam": codes},
                            geometry=[box(99_000, 449_000 + 300 * k, 110_000,
                                          449_300 + 300 * k + 1) for k in range(len(codes))],
                            crs="EPSG:28992")


@pytest.mark.parametrize("groups", [["a", "b"], ["a", "b", "c"]])
def test_two_and_three_groups_from_counts(groups):
    import segspatial as ss

    counts = _counts(6)
    result = ss.segregation(counts, "school", "a", "b", area="gm", min_unit_size=0,
                            min_area_size=0)
    several = multigroup_segregation(counts, "school", groups, area="gm",
                                     within="denomination", min_unit_size=0,
                                     min_area_size=0)
    data = rp.report_data(result, counts, unit="school", x="x", y="y", crs="EPSG:28992",
                          boundaries=_boundaries(counts), permutations=0,
                          multigroup=several)
    page = dict(rp.render_report(data))["GM0000.html"]
    section = _text(_section(page, "multigroup"))
    h = several.table[several.table["index"] == "multigroup_theil_h"]["value"].iloc[0]
    assert f"{h:.3f}" in section
    if groups == ["a", "b"]:  # two groups: multigroup H is the two-group H
        two = result.table[result.table["index"] == "theil_h"]["value"].iloc[0]
        assert h == pytest.approx(two, abs=1e-12)
    assert "group c" in section if "c" in groups else "group c" not in section
    assert "the values of column denomination" not in section
    assert "denominations" in section


def test_one_school_gives_no_empty_chart_or_map():
    import segspatial as ss

    counts = pd.concat([_counts(1, 1), _counts(5, 2).query("gm == 'GM0001'")],
                       ignore_index=True)
    result = ss.segregation(counts, "school", "a", "b", area="gm", min_unit_size=0,
                            min_area_size=0)
    several = multigroup_segregation(counts, "school", ["a", "b", "c"], area="gm",
                                     min_unit_size=0, min_area_size=0)
    data = rp.report_data(result, counts, unit="school", x="x", y="y", crs="EPSG:28992",
                          boundaries=_boundaries(counts), permutations=0,
                          multigroup=several)
    pages = dict(rp.render_report(data))
    section = _section(pages["GM0000.html"], "multigroup")
    assert "<svg" not in section and "<img" not in section and "srcdoc" not in section
    assert "cannot be computed: there is only one school" in _text(section)
    other = _section(pages["GM0001.html"], "multigroup")
    assert "<img" in other  # the municipality with schools has its map


def test_report_without_the_sections_is_unchanged(demo):
    result, schools, _, _ = demo
    data = rp.demo_report_data(result, schools, only=["GM9001"], permutations=9)
    assert data.multigroup is None
    pages = dict(rp.render_report(data))
    assert all('class="multigroup"' not in p and 'class="income"' not in p
               for p in pages.values())


def test_cli_report_with_groups_and_within(tmp_path, capsys):
    counts = _counts(6, 2)
    counts.to_csv(tmp_path / "counts.csv", index=False)
    _boundaries(counts).to_file(tmp_path / "gm.geojson", driver="GeoJSON")
    base = ["report", str(tmp_path / "counts.csv"), "--unit", "school", "--group-a", "a",
            "--group-b", "b", "--area", "gm", "--x", "x", "--y", "y", "--crs",
            "EPSG:28992", "--boundaries", str(tmp_path / "gm.geojson"),
            "--min-unit-size", "0", "--min-area-size", "0", "--permutations", "0",
            "--offline", "--quiet"]
    status = main(base + ["--groups", "a", "b", "c", "--within", "denomination",
                          "--lang", "nl", "--output", str(tmp_path / "out")])
    assert status == 0, capsys.readouterr().err
    page = (tmp_path / "out" / "GM0001.html").read_text(encoding="utf-8")
    text = _text(_section(page, "multigroup"))
    assert "Tussen en binnen denominaties" in text and "groep c" in text
    for argv, message in (
            (["--groups", "a"], "--groups needs two or more"),
            (["--within", "denomination"], "--within splits the multigroup"),
            (["--rank-order-income"], "need --pupils"),
    ):
        assert main(base + argv + ["--output", str(tmp_path / "bad")]) != 0
        assert message in capsys.readouterr().err
    loud = [a for a in base if a != "--quiet"]
    assert main(loud + ["--groups", "a", "b", "c", "--min-cell", "5", "--output",
                        str(tmp_path / "safe")]) == 0
    assert "note: with --min-cell the sections" in capsys.readouterr().err
    page = (tmp_path / "safe" / "GM0001.html").read_text(encoding="utf-8")
    assert "minimum cell size of 5" in _text(_section(page, "multigroup"))
    both = [a for a in base if a not in ("--group-a", "a", "--group-b", "b")]
    assert main(both + ["--groups", "a", "b", "c", "--output", str(tmp_path / "bad")]) != 0
    assert "give --group-a and --group-b as well" in capsys.readouterr().err


def test_cli_report_from_pupils_with_rank_order_income(demo, tmp_path, capsys):
    from segspatial.demo import demo_pupils, demo_schools

    pupils = demo_pupils(years=(2018,))
    pupils[pupils["municipality"].isin(["GM9001", "GM9003"])].to_csv(
        tmp_path / "pupils.csv", index=False)
    schools = demo_schools()
    schools.to_csv(tmp_path / "schools.csv", index=False)
    from segspatial.demo_maps import demo_boundaries

    demo_boundaries(schools).to_file(tmp_path / "gm.geojson", driver="GeoJSON")
    status = main(["report", str(tmp_path / "pupils.csv"), "--pupils", "--unit", "school",
                   "--area", "municipality", "--year", "year", "--ethnicity", "ethnicity",
                   "--income", "income", "--multigroup", "--rank-order-income",
                   "--locations", str(tmp_path / "schools.csv"), "--x", "x", "--y", "y",
                   "--crs", "EPSG:28992", "--boundaries", str(tmp_path / "gm.geojson"),
                   "--area-code", "statcode", "--permutations", "0", "--offline",
                   "--quiet", "--output", str(tmp_path / "out")])
    assert status == 0, capsys.readouterr().err
    page = (tmp_path / "out" / "GM9001.html").read_text(encoding="utf-8")
    assert "<svg" in _section(page, "income")
    section = _text(_section(page, "multigroup"))
    # K income groups in one phrase, not K times the same long noun
    assert re.search(r"pupils in the \d income groups of the national ranks", section)
    assert "pupils in income group 1 of the national ranks" not in section


def test_real_case_three_groups_by_denomination(real_2019, boundaries):
    """The real 2019 case: group A split at CBS's funding threshold (three groups),
    decomposed by the DUO denomination; Vlieland has one school (no chart, no map)."""
    import segspatial as ss

    areas = ["GM0096", "GM0363"]
    result = ss.segregation(real_2019, "school", "a", "b", area="municipality",
                            total="pupils", min_unit_size=0, min_area_size=0)
    several = multigroup_segregation(real_2019, "school", ["a_above", "a_below", "b"],
                                     area="municipality", total="pupils",
                                     within="denomination", min_unit_size=0,
                                     min_area_size=0)
    data = rp.report_data(result, real_2019, unit="school", x="x", y="y",
                          crs="EPSG:28992", name="school_name", boundaries=boundaries,
                          only=areas, permutations=0, multigroup=several)
    pages = dict(rp.render_report(data, lang="nl"))
    table = several.table.set_index(["area", "index"])["value"]
    amsterdam = _section(pages["GM0363.html"], "multigroup")
    words = Formatter("nl")
    for index in ("multigroup_theil_h", "mutual_information", "multigroup_dissimilarity"):
        assert f">{words.number(table[('GM0363', index)], 3)}<" in amsterdam
    between = table[("GM0363", "mutual_information_between")]
    within = table[("GM0363", "mutual_information_within")]
    (total,) = re.findall(r'<td class="m-total"[^>]*>([^<]*)</td>', amsterdam)
    assert total == words.number(between + within, 4)
    for name in ("Openbaar", "Rooms-Katholiek", "Islamitisch"):
        assert f">{name}<" in amsterdam
    vlieland = _section(pages["GM0096.html"], "multigroup")
    assert "<svg" not in vlieland and "<img" not in vlieland and "srcdoc" not in vlieland
    assert "niet te berekenen: er is maar één school" in _text(vlieland)


@pytest.mark.parametrize("missing", ["some", "all"])
def test_the_split_says_which_schools_it_covers(missing):
    # GM0000: one school without a denomination (the split's M is that of the other
    # schools) or none with one (the split cannot be computed, and the page says why)
    import segspatial as ss

    counts = _counts(6, 1)
    counts["denomination"] = counts["denomination"].astype(object)
    if missing == "some":
        counts.loc[0, "denomination"] = None
    else:
        counts["denomination"] = None
    result = ss.segregation(counts, "school", "a", "b", area="gm", min_unit_size=0,
                            min_area_size=0)
    several = multigroup_segregation(counts, "school", ["a", "b", "c"], area="gm",
                                     within="denomination", min_unit_size=0,
                                     min_area_size=0)
    data = rp.report_data(result, counts, unit="school", x="x", y="y", crs="EPSG:28992",
                          boundaries=_boundaries(counts), permutations=0,
                          multigroup=several)
    text = _text(_section(dict(rp.render_report(data))["GM0000.html"], "multigroup"))
    if missing == "some":
        m_all = several.table.query("index == 'mutual_information'")["value"].iloc[0]
        assert ("1 school without a value in column denomination is not part of this "
                f"split, so its M differs from the M of all schools ({m_all:.3f})") in text
        assert "add up to M of the schools in the split" in text
    else:
        assert ("cannot be computed: no school has a value in column denomination"
                in text)


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_year_table_shows_the_bootstrap_intervals_of_infer(demo, pages, lang):
    from segspatial.inference import infer
    from segspatial.report._multigroup import YEAR_INDICES

    result, schools, several, ranked = demo
    with_ci = rp.demo_report_data(result, schools, only=["GM9001", "GM9003"],
                                  permutations=9, multigroup=several, rank_order=ranked,
                                  n_boot=50, rng=11)
    page = dict(rp.render_report(with_ci, lang=lang, offline=True))
    engine = infer(several, n_boot=50, level=0.95, cluster=False, rng=11).result.table
    words = Formatter(lang)

    def shown(v: float) -> str:
        return words.number(round(float(v), 3) + 0.0, 3)

    for area in ("GM9001", "GM9003"):
        section = _section(page[f"{area}.html"], "multigroup")
        rows = dict(re.findall(r"<tr><td>(\d{4})</td>(.*?)</tr>", section))
        assert set(rows) == {"2017", "2018"}
        for year in (2017, 2018):
            cells = [_text(c).strip() for c in re.findall(r"<td>(.*?)</td>", rows[str(year)])]
            assert len(cells) == 6  # H, M, D, then H between, H within, share
            for cell, index in zip(cells, YEAR_INDICES, strict=False):
                row = engine[(engine["area"] == area) & (engine["year"] == year)
                             & (engine["index"] == index)
                             & (engine["comparison"] == "ethnicity")]
                assert len(row) == 1
                low, high = float(row["ci_low"].iloc[0]), float(row["ci_high"].iloc[0])
                assert np.isfinite(low) and np.isfinite(high) and low < high
                value = _engine(several, area, year, index)
                # a value outside its bias-corrected interval is marked (†)
                outside = not round(low, 3) <= round(value, 3) <= round(high, 3)
                assert cell == (f"{shown(value)} ({shown(low)}–{shown(high)})"
                                + (" †" if outside else "")), (area, index)
            assert all("(" not in c for c in cells[3:])  # the split gets no interval
        assert section.count('class="ci"') == 6  # three indices, two years
        if lang == "nl":
            assert "," in cells[0] and "." not in cells[0]
    # without the bootstrap: no intervals at all
    for area in ("GM9001", "GM9003"):
        section = _section(pages[lang][f"{area}.html"], "multigroup")
        assert 'class="ci"' not in section
        rows = re.findall(r"<tr><td>\d{4}</td>(.*?)</tr>", section)
        assert rows and all("(" not in _text(r) for r in rows)


# ------------------------------------------------- labels of the K groups and the split


def _split_head(section: str) -> str:
    match = re.search(r'<table class="split"><thead><tr><th class="text">(.*?)</th>',
                      section)
    assert match, "no split table"
    return html.unescape(match[1])


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_k_groups_and_the_groups_of_schools_have_labels(lang):
    """``group_labels`` names the K group columns, ``within_label`` the groups of
    schools of ``within``; without them the split table's head is a translated word,
    never the raw column name."""
    import segspatial as ss

    counts = _counts(6).rename(columns={"denomination": "sector"})
    result = ss.segregation(counts, "school", "a", "b", area="gm", min_unit_size=0,
                            min_area_size=0)
    several = multigroup_segregation(counts, "school", ["a", "b", "c"], area="gm",
                                     within="sector", min_unit_size=0, min_area_size=0)
    common = dict(unit="school", x="x", y="y", crs="EPSG:28992",
                  boundaries=_boundaries(counts), permutations=0, multigroup=several)
    plain = rp.report_data(result, counts, **common)
    page = dict(rp.render_report(plain, lang=lang))["GM0000.html"]
    section = _section(page, "multigroup")
    head, default = {"en": ("Group of schools", "groups of schools by sector"),
                     "nl": ("Groep van scholen", "groepen van scholen naar sector")}[lang]
    assert _split_head(section) == head
    assert {"en": f"within {default}", "nl": f"binnen {default}"}[lang] in _text(section)
    labels = {"en": ("newcomers", "pupils of <b>C</b>", "school sectors"),
              "nl": ("nieuwkomers", "leerlingen van <b>C</b>", "schoolsectoren")}[lang]
    named = rp.report_data(result, counts, group_labels={"a": labels[0], "c": labels[1]},
                           within_label=labels[2], **common)
    assert named.group_labels == {"a": labels[0], "c": labels[1]}
    page = dict(rp.render_report(named, lang=lang))["GM0000.html"]
    section = _section(page, "multigroup")
    text = _text(section)
    assert labels[0] in text and labels[1] in text  # as noun phrases, escaped once
    assert "&lt;b&gt;C&lt;/b&gt;" in section and "<b>C</b>" not in section
    assert "group a" not in text and "groep a" not in text
    assert "group c" not in text and "groep c" not in text
    assert _split_head(section) == labels[2] and default not in text
    with pytest.raises(ValueError, match="within_label names the groups of schools"):
        rp.report_data(result, counts, within_label="x", **{**common, "multigroup": None})
    with pytest.raises(TypeError, match="a label is text"):
        rp.report_data(result, counts, group_labels={"c": 3}, **common)


def test_known_grouping_columns_have_translated_heads():
    import segspatial as ss

    counts = _counts(6)
    result = ss.segregation(counts, "school", "a", "b", area="gm", min_unit_size=0,
                            min_area_size=0)
    several = multigroup_segregation(counts, "school", ["a", "b", "c"], area="gm",
                                     within="denomination", min_unit_size=0,
                                     min_area_size=0)
    data = rp.report_data(result, counts, unit="school", x="x", y="y", crs="EPSG:28992",
                          boundaries=_boundaries(counts), permutations=0,
                          multigroup=several)
    pages = {lang: dict(rp.render_report(data, lang=lang))["GM0000.html"]
             for lang in ("en", "nl")}
    assert _split_head(_section(pages["en"], "multigroup")) == "Denomination"
    assert _split_head(_section(pages["nl"], "multigroup")) == "Denominatie"


def test_cli_group_label_and_within_label(tmp_path, capsys):
    counts = _counts(6, 2)
    counts.to_csv(tmp_path / "counts.csv", index=False)
    _boundaries(counts).to_file(tmp_path / "gm.geojson", driver="GeoJSON")
    base = ["report", str(tmp_path / "counts.csv"), "--unit", "school", "--group-a", "a",
            "--group-b", "b", "--area", "gm", "--x", "x", "--y", "y", "--crs",
            "EPSG:28992", "--boundaries", str(tmp_path / "gm.geojson"),
            "--min-unit-size", "0", "--min-area-size", "0", "--permutations", "0",
            "--bootstrap", "0", "--offline", "--quiet", "--groups", "a", "b", "c"]
    status = main(base + ["--within", "denomination", "--lang", "nl",
                          "--group-label", "c=nieuwkomers", "--label-a",
                          "achterstandsleerlingen", "--within-label", "richtingen",
                          "--output", str(tmp_path / "out")])
    assert status == 0, capsys.readouterr().err
    section = _section((tmp_path / "out" / "GM0001.html").read_text(encoding="utf-8"),
                       "multigroup")
    text = _text(section)
    assert "achterstandsleerlingen, groep b en nieuwkomers" in text
    assert "Tussen en binnen richtingen" in text and _split_head(section) == "richtingen"
    for argv, message in (
            (["--group-label", "x=y"], "--group-label 'x'=...: not a column of --groups"),
            (["--group-label", "c=y", "--group-label", "c=z"], "given more than once"),
            (["--within-label", "richtingen"], "give --within as well"),
    ):
        assert main(base + argv + ["--output", str(tmp_path / "bad")]) != 0
        assert message in capsys.readouterr().err, argv
    with pytest.raises(SystemExit):  # a usage error, as argparse reports them
        main(base + ["--group-label", "c", "--output", str(tmp_path / "bad")])
    assert "expected COLUMN=LABEL" in capsys.readouterr().err
    for command in ("report", "map", "schools", "heatmap"):  # the report's section only
        with pytest.raises(SystemExit):
            main([command, "--help"])
        assert ("--group-label" in capsys.readouterr().out) == (command == "report")


@pytest.mark.parametrize(("lang", "sentence"), [
    ("en", r"in (GM\w+), Theil's H is \d"), ("nl", r"in (GM\w+) is Theils H \d")])
def test_index_page_of_one_municipality_speaks_in_the_singular(lang, sentence):
    import segspatial as ss

    counts = _counts(6)
    result = ss.segregation(counts, "school", "a", "b", area="gm", min_unit_size=0,
                            min_area_size=0)
    several = multigroup_segregation(counts, "school", ["a", "b", "c"], area="gm",
                                     within="denomination", min_unit_size=0,
                                     min_area_size=0)
    data = rp.report_data(result, counts, unit="school", x="x", y="y", crs="EPSG:28992",
                          boundaries=_boundaries(counts), permutations=0,
                          multigroup=several)
    text = _text(dict(rp.render_report(data, lang=lang))["index.html"])
    # the one municipality by name, not 'a median of one value' (review1 #21)
    assert re.search(sentence, text) and "median" not in text.split("Theil")[1][:80]
    assert not re.search(r"(?<![\d.,])1 (municipalities|gemeenten)\b", text)
