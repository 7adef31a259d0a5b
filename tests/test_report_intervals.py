"""The report's uncertainty: bootstrap intervals in every index table (en and nl),
error bars on the charts, "rising"/"falling" only when the change's interval excludes
zero, byte-identical reruns with a seed, intervals under disclosure control, the CLI."""

from __future__ import annotations

import html
import re
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from segspatial import report as rp
from segspatial.report._interpret import change_direction

N_BOOT = 60
CI = re.compile(r'<span class="ci">\(([^<]*)\)</span>')


@pytest.fixture(scope="module")
def demo():
    from segspatial.demo import demo_pupils, demo_schools
    from segspatial.demo_maps import demo_boundaries
    from segspatial.pupils import pupil_segregation

    schools = demo_schools()
    result = pupil_segregation(demo_pupils(years=(2016, 2017, 2018)), "school",
                               area="municipality", year="year", ethnicity="ethnicity",
                               income="income", education="education")
    return result, schools, demo_boundaries(schools)


def _data(demo, **kw):
    result, schools, boundaries = demo
    kw.setdefault("only", ["GM9001", "GM9002"])
    kw.setdefault("n_boot", N_BOOT)
    return rp.report_data(result, schools, unit="school", x="x", y="y", crs="EPSG:28992",
                          name="school_name", boundaries=boundaries, area_code="statcode",
                          permutations=9, **kw)


@pytest.fixture(scope="module")
def data(demo):
    return _data(demo, rng=5)


@pytest.fixture(scope="module")
def pages(data):
    return {lang: dict(rp.render_report(data, lang=lang)) for lang in ("en", "nl")}


def _number(text: str, lang: str) -> float:
    text = text.replace("−", "-")
    return float(text.replace(".", "").replace(",", ".") if lang == "nl" else
                 text.replace(",", ""))


def _bounds(text: str, lang: str) -> tuple[float, float]:
    low, high = re.fullmatch(r"(−?[\d.,]+)–(−?[\d.,]+)", text).groups()
    return _number(low, lang), _number(high, lang)


# --------------------------------------------------------------------------- the data


def test_intervals_come_from_one_call_for_all_areas_and_match_the_engine(demo, data):
    """The report's intervals are the engine's (the same seed, all areas at once)."""
    from segspatial.inference import infer

    result, _, _ = demo
    table = data.table
    shown = table[table["index"].isin(rp.REPORT_INDICES) & table["value"].notna()]
    assert shown["ci_low"].notna().all() and shown["ci_high"].notna().all()
    assert (shown["ci_low"] <= shown["ci_high"]).all()
    keep = result.table["area"].isin(["GM9001", "GM9002"]).to_numpy()
    alone = infer(replace(result, table=result.table[keep].reset_index(drop=True),
                          counts=result.counts[result.counts["area"].isin(
                              ["GM9001", "GM9002"])]),
                  n_boot=N_BOOT, indices=list(rp.REPORT_INDICES), rng=5).result.table
    merged = shown.merge(alone, on=["area", "year", "comparison", "index"],
                         suffixes=("", "_engine"))
    assert len(merged) == len(shown)
    np.testing.assert_array_equal(merged["ci_low"], merged["ci_low_engine"])
    # the spatial D and H at every bandwidth and the lead profile have intervals too
    spatial = data.spatial[data.spatial["index"].isin(["spatial_dissimilarity",
                                                       "spatial_theil_h"])]
    assert spatial["ci_low"].notna().all()
    assert (spatial["ci_low"] >= 0).all() and (spatial["ci_high"] <= 1).all()  # in range
    lead = next(iter(data.comparisons))
    profile = data.profile[data.profile["comparison"] == lead]
    assert profile["ci_low"].notna().all()
    # the change from the first to the latest year of every index and comparison
    changes = data.changes
    assert set(changes["statistic"]) == {"difference"}
    assert set(changes["from_year"]) == {2016} and set(changes["to_year"]) == {2018}
    assert len(changes) == 2 * len(data.comparisons) * len(rp.REPORT_INDICES)


def test_without_replicates_there_are_no_intervals(demo, pages):
    data = _data(demo, n_boot=0)
    assert data.changes.empty and data.table["ci_low"].isna().all()
    page = dict(rp.render_report(data))["GM9001.html"]
    assert 'class="ci"' not in page and "errorbar" not in page
    assert "without confidence intervals (none were computed" in page
    assert "Intervals: none (--bootstrap 0)." in page  # the settings list names the flag
    assert "--bootstrap 0" not in pages["en"]["GM9001.html"]


# --------------------------------------------------------------------------- the pages


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_every_index_table_shows_the_interval(data, pages, lang):
    comp = next(iter(data.comparisons))
    row = data.table[(data.table["area"] == "GM9001") & (data.table["year"] == 2018)
                     & (data.table["comparison"] == comp)
                     & (data.table["index"] == "dissimilarity")].iloc[0]
    page = pages[lang]["GM9001.html"]
    # "0.628 (0.620–0.637)" in English, "0,628 (0,620–0,637)" in Dutch
    fmt = (lambda v: f"{v:.3f}") if lang == "en" else (lambda v: f"{v:.3f}".replace(".", ","))
    expected = f'{fmt(row["value"])} <span class="ci">({fmt(row["ci_low"])}–' \
               f'{fmt(row["ci_high"])})</span>'
    assert expected in page
    latest, spatial = (page.split(f"<h2>{h}") for h in (
        "Segregation in" if lang == "en" else "Segregatie in",
        "Between neighbouring" if lang == "en" else "Tussen naburige"))
    intervals = CI.findall(page)
    # latest table: 4 indices x 7 comparisons; spatial table: 2 x 7 x (1 + 4 bandwidths)
    assert len(intervals) == 4 * 7 + 2 * 7 * 5
    for text in intervals:
        low, high = _bounds(html.unescape(text), lang)
        assert low <= high
    assert ("." if lang == "nl" else ",") not in "".join(intervals)
    index = pages[lang]["index.html"]
    # the index page: D, D*, H, V and spatial D of the lead comparison, and a second
    # table of D per comparison (all seven)
    assert len(CI.findall(index)) == 2 * (5 + 7)
    note = ("In brackets: the 95% confidence interval" if lang == "en" else
            "Tussen haakjes: het 95%-betrouwbaarheidsinterval")
    assert note in page and note in index


def test_error_bars_on_the_trend_and_profile_charts(data, pages):
    page = pages["en"]["GM9001.html"]
    charts = re.findall(r"<svg.*?</svg>", page, flags=re.S)
    trends, profile = charts[:len(data.comparisons)], charts[-1]
    for chart in trends:  # D and D* in three years
        bars = re.findall(r'<path class="errorbar" d="M([\d.]+) ([\d.]+)V([\d.]+)', chart)
        assert len(bars) == 2 * 3
        dots = re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)"', chart)
        for x, top, bottom in bars:  # each bar spans its dot
            ys = [float(cy) for cx, cy in dots if cx == x]
            assert any(float(top) - 0.15 <= y <= float(bottom) + 0.15 for y in ys)
        assert re.search(r"<title>D 2018: [\d.]+ \([\d.]+–[\d.]+\)</title>", chart)
    steps = len(data.parameters["profile_bandwidths"])
    assert len(re.findall(r'class="errorbar"', profile)) == 2 * steps
    assert "Vertical bars: 95% confidence intervals." in page
    assert "Verticale strepen: 95%-betrouwbaarheidsintervallen." in pages["nl"]["GM9001.html"]


# --------------------------------------------------------------------------- the words


def test_change_direction_rule():
    assert change_direction(0.001, 0.2) == "rising"
    assert change_direction(-0.2, -0.001) == "falling"
    assert change_direction(-0.001, 0.2) == "no_clear_change"
    assert change_direction(0.0, 0.2) == "no_clear_change"  # zero is in the interval
    assert change_direction(0.0004, 0.2) == "no_clear_change"  # printed as 0.000
    assert change_direction(0.004, 0.2, digits=2) == "no_clear_change"  # printed as 0.00
    assert change_direction(0.006, 0.2, digits=2) == "rising"
    assert change_direction(np.nan, 0.2) is None


WORDS = {"en": {"rising": "rising", "falling": "falling",
                "no_clear_change": "no clear change"},
         "nl": {"rising": "stijgend", "falling": "dalend",
                "no_clear_change": "geen duidelijke verandering"}}
CASES = {"rising": (0.031, 0.004, 0.058), "falling": (-0.031, -0.058, -0.004),
         "no_clear_change": (0.031, -0.002, 0.064)}


@pytest.mark.parametrize("lang", ["en", "nl"])
@pytest.mark.parametrize("verdict", list(CASES))
def test_rising_or_falling_only_when_the_interval_excludes_zero(data, lang, verdict):
    """Constructed change tables: the same change is "rising" when its interval lies
    above zero and "no clear change" when it holds zero, on the area page and in the
    index page's lists, in both languages."""
    change, low, high = CASES[verdict]
    changes = data.changes.copy()
    lead = next(iter(data.comparisons))
    d = changes["index"] == "dissimilarity"
    changes.loc[d, ["change", "ci_low", "ci_high"]] = (0.01, -0.02, 0.04)  # no clear change
    target = d & (changes["area"] == "GM9001") & (changes["comparison"] == lead)
    changes.loc[target, ["change", "ci_low", "ci_high", "direction"]] = (
        change, low, high, "ignored: the page applies the rule to the interval")
    pages = dict(rp.render_report(replace(data, changes=changes), lang=lang))
    words = WORDS[lang]
    text = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", pages["GM9001.html"])))
    label = {"en": "Dutch vs non-western pupils",
             "nl": "Nederlandse vs niet-westerse leerlingen"}[lang]
    sentence = re.search(rf"D, {label}, 2016 (?:to|tot) 2018: ([^(]*) \(", text)
    assert sentence and sentence[1] == words[verdict]
    comma = (lambda s: s.replace(".", ",")) if lang == "nl" else (lambda s: s)
    assert comma(f"{low:.3f}".replace("-", "−")) in text
    others = re.findall(r"D, [^,]*, 2016 (?:to|tot) 2018: ([^(]*) \(", text)
    assert len(others) == len(data.comparisons)
    assert others.count(words["no_clear_change"]) == len(others) - (
        verdict != "no_clear_change")
    index = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", pages["index.html"])))
    rising, falling = ("Rising in", "Falling in") if lang == "en" else (
        "Stijgend in", "Dalend in")
    none = ("No clear change in" if lang == "en" else "Geen duidelijke verandering in")
    if verdict == "rising":
        assert f"{rising} Havenstad." in index and falling not in index
        assert ("No clear change in 1 municipality." if lang == "en" else
                "Geen duidelijke verandering in 1 gemeente.") in index
    elif verdict == "falling":
        assert f"{falling} Havenstad." in index and rising not in index
    else:
        assert rising not in index and falling not in index
        assert f"{none} 2 " in index


def test_index_page_lists_name_the_largest_changes_first(data):
    changes = data.changes.copy()
    lead = next(iter(data.comparisons))
    d = (changes["index"] == "dissimilarity") & (changes["comparison"] == lead)
    changes.loc[d & (changes["area"] == "GM9001"), ["change", "ci_low", "ci_high"]] = (
        0.02, 0.01, 0.03)
    changes.loc[d & (changes["area"] == "GM9002"), ["change", "ci_low", "ci_high"]] = (
        0.05, 0.01, 0.09)
    index = dict(rp.render_report(replace(data, changes=changes), lang="nl"))["index.html"]
    assert "Stijgend in Polderdam en Havenstad." in html.unescape(index)


# --------------------------------------------------------------------------- reruns


def test_same_seed_gives_byte_identical_pages(demo, pages):
    again = _data(demo, rng=5)
    assert dict(rp.render_report(again, lang="en")) == pages["en"]
    other = dict(rp.render_report(_data(demo, rng=6), lang="en"))
    assert other["GM9001.html"] != pages["en"]["GM9001.html"]


def test_intervals_do_not_depend_on_the_other_areas_in_the_run(demo, data):
    """All areas are bootstrapped in one call, yet an area's intervals are those it
    gets alone (a stream per area-year)."""
    alone = _data(demo, rng=5, only=["GM9002"])
    keys = ["area", "year", "comparison", "index"]
    both = data.table[data.table["area"] == "GM9002"].merge(alone.table, on=keys)
    assert len(both) == len(alone.table)
    np.testing.assert_array_equal(both["ci_low_x"], both["ci_low_y"])
    np.testing.assert_array_equal(both["ci_high_x"], both["ci_high_y"])
    changes = data.changes[data.changes["area"] == "GM9002"].merge(
        alone.changes, on=["area", "comparison", "index"])
    np.testing.assert_array_equal(changes["ci_low_x"], changes["ci_low_y"])
    spatial = data.spatial[data.spatial["area"] == "GM9002"].merge(
        alone.spatial, on=["area", "year", "comparison", "index", "bandwidth"])
    assert spatial["ci_low_x"].notna().any()
    np.testing.assert_array_equal(spatial["ci_low_x"], spatial["ci_low_y"])


# --------------------------------------------------------------------------- disclosure


def _towns():
    """Two towns, three years, 12 schools each; every count of Westdorp is at least
    20, Oostdorp has a school with 3 pupils of group a."""
    from tests._towns import TOWNS

    rng = np.random.default_rng(3)
    rows = []
    for t, code in enumerate(("GM0001", "GM0002")):
        for year in (2017, 2018, 2019):
            for i in range(12):
                a, b = int(rng.integers(20, 90)), int(rng.integers(20, 90))
                if t == 1 and i == 0:
                    a = 3
                rows.append({"school": f"{t}{i:02d}", "gm": code, "year": year, "a": a,
                             "b": b, "x": 100_500 + 4000 * t + 250 * i,
                             "y": 400_500 + 250 * (i % 5)})
    return pd.DataFrame(rows), TOWNS


def _towns_data(**kw):
    """The report data of :func:`_towns` with intervals (``kw``: more options)."""
    import segspatial as ss

    counts, towns = _towns()
    result = ss.segregation(counts, "school", "a", "b", area="gm", year="year",
                            min_unit_size=0, min_area_size=0)
    return rp.report_data(result, counts, unit="school", x="x", y="y", crs="EPSG:28992",
                          boundaries=towns, area_code="statcode", bandwidth=1000,
                          permutations=9, n_boot=N_BOOT, rng=1, **kw)


def test_intervals_under_disclosure_control(tmp_path):
    """--min-cell: intervals rounded like the indices, and only for area-years without
    a count below N; elsewhere withheld with the reason, and no verdict on a change."""
    from segspatial.disclosure import Design, policy, small_count_years

    data = _towns_data()
    blocks = small_count_years(data.counts, Design(comparisons=data.comparisons),
                               policy(10))
    assert set(blocks.loc[blocks["small"], "area"]) == {"GM0002"}
    protected, _ = rp._protected(data, 10)
    table = protected.table
    west = table["area"] == "GM0001"
    shown = west & table["value"].notna() & table["index"].isin(rp.REPORT_INDICES)
    assert table.loc[shown, "ci_low"].notna().all()
    bounds = table.loc[west, ["ci_low", "ci_high"]].to_numpy().ravel()
    bounds = bounds[np.isfinite(bounds)]
    np.testing.assert_array_equal(bounds, np.round(bounds, 2))
    assert table.loc[~west, ["ci_low", "ci_high"]].isna().all().all()
    assert table[["se"]].isna().all().all()
    for frame in (protected.spatial, protected.profile):
        assert frame.loc[frame["area"] == "GM0002", "ci_low"].isna().all()
        shown = frame.loc[frame["area"] == "GM0001", "ci_low"].dropna()
        assert len(shown) and np.array_equal(shown, np.round(shown, 2))
    changes = protected.changes
    assert changes.loc[changes["area"] == "GM0002", "withheld"].all()
    assert changes.loc[changes["area"] == "GM0002", ["change", "ci_low"]].isna().all().all()
    assert not changes.loc[changes["area"] == "GM0001", "withheld"].any()
    pages = dict(rp.render_report(data, min_cell=10))
    west_page, east_page = pages["GM0001.html"], pages["GM0002.html"]
    assert CI.findall(west_page) and not CI.findall(east_page)
    assert all(re.fullmatch(r"\d\.\d{2}–\d\.\d{2}", html.unescape(t))
               for t in CI.findall(west_page))
    assert "errorbar" in west_page and "errorbar" not in east_page
    assert "no interval (disclosure control), so no verdict" in east_page
    assert "with disclosure control an interval is shown only for years" in east_page
    assert "No interval in 1 municipalities." in html.unescape(pages["index.html"]) \
        or "No interval in 1 municipality" in html.unescape(pages["index.html"])


def test_interval_captions_only_where_an_interval_is_shown():
    """--min-cell: a page (or chart) without any interval says they were withheld and
    why, never "In brackets ..." or "Vertical bars ..."; a page with intervals keeps
    both captions (en and nl)."""
    data = _towns_data()
    words = {"en": ("In brackets: the 95% confidence interval",
                    "Vertical bars: 95% confidence intervals.",
                    "No confidence intervals are shown here: with disclosure control an "
                    "interval is shown only for years without any count below 10, so that "
                    "no such count can be derived from it.",
                    "No vertical bars: with disclosure control"),
             "nl": ("Tussen haakjes: het 95%-betrouwbaarheidsinterval",
                    "Verticale strepen: 95%-betrouwbaarheidsintervallen.",
                    "Hier staan geen betrouwbaarheidsintervallen: met statistische geheimhouding",
                    "Geen verticale strepen: met statistische geheimhouding")}
    for lang, (brackets, bars, withheld, no_bars) in words.items():
        pages = {k: html.unescape(v) for k, v in
                 rp.render_report(data, min_cell=10, lang=lang)}
        west, east = pages["GM0001.html"], pages["GM0002.html"]
        assert CI.findall(east) == [] and "errorbar" not in east
        assert brackets not in east and bars not in east
        assert east.count(withheld) == 2  # the latest year's table and the spatial one
        assert east.count(no_bars) == 2  # the trend charts and the profile
        assert brackets in west and bars in west
        assert withheld not in west and no_bars not in west
        assert brackets in pages["index.html"]  # Westdorp's intervals are in its table
    # without disclosure control every page shows intervals and says what they are
    pages = dict(rp.render_report(data))
    assert all("In brackets" in pages[f] and "Vertical bars" in pages[f]
               and "No confidence intervals are shown here" not in pages[f]
               for f in ("GM0001.html", "GM0002.html"))
    # every interval withheld (all towns small): the index page says so once, no brackets
    east_only = _towns_data(only=["GM0002"])
    index = html.unescape(dict(rp.render_report(east_only, min_cell=10))["index.html"])
    assert "In brackets" not in index and index.count(words["en"][2]) == 1


def test_the_change_rule_says_first_and_latest_year_not_a_trend(data, pages):
    for lang, phrase in (("en", "It compares the first and the latest year only, not a "
                                "trend over all the years."),
                         ("nl", "Ze vergelijkt alleen het eerste en het laatste jaar, "
                                "geen trend over alle jaren.")):
        page = html.unescape(pages[lang]["GM9001.html"])
        assert phrase in page  # next to the change sentences
        method = ("Rising or falling compares the first and the latest year only"
                  if lang == "en" else
                  "Stijgend of dalend vergelijkt alleen het eerste en het laatste jaar")
        assert method in page  # and in the method section


# --------------------------------------------------------------------------- the CLI


def _town_files(tmp_path):
    counts, towns = _towns()
    counts.to_csv(tmp_path / "towns.csv", index=False)
    towns.to_file(tmp_path / "towns.geojson", driver="GeoJSON")
    return ["report", str(tmp_path / "towns.csv"), "--unit", "school", "--group-a", "a",
            "--group-b", "b", "--area", "gm", "--year", "year", "--x", "x", "--y", "y",
            "--crs", "EPSG:28992", "--boundaries", str(tmp_path / "towns.geojson"),
            "--area-code", "statcode", "--min-area-size", "0", "--min-unit-size", "0",
            "--bandwidth", "1000", "--permutations", "9"]


def test_cli_report_notes_withheld_intervals_and_few_replicates(tmp_path, capsys):
    from segspatial.cli import main

    base = _town_files(tmp_path)
    capsys.readouterr()
    assert main(base + ["--bootstrap", "20", "--min-cell", "10", "--output",
                        str(tmp_path / "r")]) == 0
    err = capsys.readouterr().err
    assert err.count("segspatial report: note: intervals withheld under --min-cell in 1 "
                     "of 2 municipalities (a year with a count below 10)") == 1
    assert err.count("segspatial report: note: few bootstrap replicates (--bootstrap 20): "
                     "intervals and 'rising/falling' are unstable; use --bootstrap "
                     "1000") == 1
    page = (tmp_path / "r" / "GM0002.html").read_text(encoding="utf-8")
    assert "No confidence intervals are shown here" in page  # the audit ran once, reused
    assert main(base + ["--bootstrap", "20", "--min-cell", "10", "--lang", "nl",
                        "--output", str(tmp_path / "nl")]) == 0
    err = capsys.readouterr().err
    assert "note: intervallen weggelaten onder --min-cell in 1 van 2 gemeenten (een " \
        "jaar met een aantal onder 10)" in err
    assert "note: weinig bootstraptrekkingen (--bootstrap 20): intervallen en " \
        "'stijgend/dalend' zijn onstabiel; gebruik --bootstrap 1000" in err
    # no note without disclosure control, with 0 or enough replicates, or with -q
    for extra in (["--bootstrap", "200", "--min-cell", "3"], ["--bootstrap", "0",
                                                               "--min-cell", "10"],
                  ["--bootstrap", "20", "--min-cell", "10", "--quiet"]):
        assert main(base + extra + ["--output", str(tmp_path / "x")]) == 0
        assert "note:" not in capsys.readouterr().err, extra


@pytest.mark.parametrize(("n", "noted"), [(2, True), (199, True), (200, False), (0, False)])
def test_cli_indices_notes_few_replicates(tmp_path, capsys, n, noted):
    from segspatial._defaults import FEW_BOOTSTRAP, REPORT_BOOTSTRAP
    from segspatial.cli import main

    assert FEW_BOOTSTRAP == 200 and REPORT_BOOTSTRAP == 1000
    counts, _ = _towns()
    counts.to_csv(tmp_path / "towns.csv", index=False)
    assert main(["indices", str(tmp_path / "towns.csv"), "--unit", "school", "--group-a",
                 "a", "--group-b", "b", "--area", "gm", "--year", "year",
                 "--min-area-size", "0", "--min-unit-size", "0", "--bootstrap", str(n),
                 "--output", str(tmp_path / "out.csv")]) == 0
    err = capsys.readouterr().err
    line = (f"segspatial indices: note: few bootstrap replicates (--bootstrap {n}): "
            "intervals and 'rising/falling' are unstable; use --bootstrap 1000")
    assert (line in err) is noted


def test_cli_report_intervals_by_default_and_seeded(tmp_path, capsys):
    from segspatial.cli import main
    from tests._towns import write_files

    paths = write_files(tmp_path)
    base = ["report", str(paths["counts"]), "--unit", "school", "--group-a", "a",
            "--group-b", "b", "--total", "pupils", "--area", "municipality", "--x", "x",
            "--y", "y", "--crs", "EPSG:28992", "--postcode", "postcode",
            "--postcode-table", str(paths["postcodes"]), "--boundaries", str(paths["towns"]),
            "--area-code", "statcode", "--min-area-size", "0", "--min-unit-size", "0",
            "--bandwidth", "1000", "--permutations", "9", "--quiet"]
    folders = []
    for name, extra in (("a", ["--bootstrap", "40", "--seed", "3"]),
                        ("b", ["--bootstrap", "40", "--seed", "3"]),
                        ("none", ["--bootstrap", "0"])):
        folders.append(tmp_path / name)
        assert main(base + extra + ["--output", str(folders[-1])]) == 0
    read = [{p.name: p.read_bytes() for p in f.glob("*.html")} for f in folders]
    assert read[0] == read[1]  # the same seed: byte-identical pages
    page = read[0]["GM0001.html"].decode()
    assert CI.findall(page) and "40 bootstrap replicates" in page
    assert "seed 3" in page
    assert not CI.findall(read[2]["GM0001.html"].decode())
    capsys.readouterr()
    assert main(base + ["--bootstrap", "0", "--ci", "0.9", "--output",
                        str(tmp_path / "x")]) == 2
    assert "--ci needs --bootstrap N" in capsys.readouterr().err
    from segspatial._defaults import REPORT_BOOTSTRAP
    from segspatial.cli import build_parser

    args = build_parser().parse_args(base + ["--output", "x"])
    assert args.bootstrap == REPORT_BOOTSTRAP == 1000 and args.ci == 0.95


def test_hostile_names_and_labels_stay_literal_in_the_change_words():
    """Area names and group labels from input in the change sentences and the index
    page's lists: escaped text, never markup."""
    import segspatial as ss

    counts, towns = _towns()
    towns = towns.assign(statnaam=['<script>alert("x")</script>', "{{ 7*7 }} & <b>"])
    label_a, label_b = "<img src=x onerror=alert(1)>", "${a} {% raw %}"
    result = ss.segregation(counts, "school", "a", "b", area="gm", year="year",
                            min_unit_size=0, min_area_size=0)
    data = rp.report_data(result, counts, unit="school", x="x", y="y", crs="EPSG:28992",
                          boundaries=towns, area_code="statcode", bandwidth=1000,
                          permutations=9, n_boot=N_BOOT, rng=1,
                          group_labels={"a": label_a, "b": label_b})
    changes = data.changes.copy()
    d = changes["index"] == "dissimilarity"
    changes.loc[d & (changes["area"] == "GM0001"), ["ci_low", "ci_high"]] = (0.01, 0.05)
    changes.loc[d & (changes["area"] == "GM0002"), ["ci_low", "ci_high"]] = (-0.05, -0.01)
    for lang in ("en", "nl"):
        pages = dict(rp.render_report(replace(data, changes=changes), lang=lang))
        for page in pages.values():
            assert "<script>alert" not in page and "<img src=x" not in page
            for section in re.findall(r"<section><h2>[^<]*(?:change|verandering).*?"
                                      r"</section>", page, flags=re.S):
                assert "& <b>" not in section and "{{" not in section
        index = pages["index.html"]
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;." in index
        assert "{{ 7*7 }} &amp; &lt;b&gt;." in index.replace("&#123;", "{").replace(
            "&#125;", "}")
        page = html.unescape(re.sub(r"<[^>]+>", "", pages["GM0001.html"]))
        assert f"{label_a} vs {label_b}, 2017" in page


def test_a_one_school_municipality_between_others_gets_no_interval_and_no_error():
    """Spatial intervals of every area at once, with an area without spatial values
    (one school) between two others (the engine slices its operators by runs of
    area-years: it once failed here on the real 2019 case)."""
    import geopandas as gpd
    import shapely

    import segspatial as ss

    rng = np.random.default_rng(4)
    rows = []
    for t, n in enumerate((8, 1, 8)):
        for i in range(n):
            rows.append({"school": f"{t}{i:02d}", "gm": f"GM000{t + 1}", "year": 2019,
                         "a": int(rng.integers(20, 90)), "b": int(rng.integers(20, 90)),
                         "x": 100_500 + 4000 * t + 300 * i, "y": 400_500 + 300 * (i % 3)})
    counts = pd.DataFrame(rows)
    towns = gpd.GeoDataFrame(
        {"statcode": ["GM0001", "GM0002", "GM0003"], "statnaam": ["A", "B", "C"]},
        geometry=[shapely.box(100_000 + 4000 * t, 400_000, 104_000 + 4000 * t, 404_000)
                  for t in range(3)], crs="EPSG:28992")
    result = ss.segregation(counts, "school", "a", "b", area="gm", year="year",
                            min_unit_size=0, min_area_size=0)
    data = rp.report_data(result, counts, unit="school", x="x", y="y", crs="EPSG:28992",
                          boundaries=towns, area_code="statcode", bandwidth=1000,
                          permutations=9, n_boot=N_BOOT, rng=2)
    spatial = data.spatial[data.spatial["index"] == "spatial_dissimilarity"]
    by_area = spatial.set_index("area")
    assert by_area.loc[["GM0001", "GM0003"], "ci_low"].notna().all()
    assert np.isnan(by_area.loc["GM0002", "ci_low"])
    assert len(dict(rp.render_report(data))) == 4


@pytest.mark.parametrize(("lang", "said", "never"), [
    ("en", "the schools of each municipality-year are drawn again", "multinomial"),
    ("nl", "de scholen van elk gemeentejaar worden vele malen", "multinomiale")])
def test_the_method_describes_the_bootstrap_that_was_run(data, pages, lang, said, never):
    """--cluster resamples schools: the method section says so, as the footnote does
    (review1 #28); the pupil bootstrap keeps its multinomial description."""

    parameters = {**data.parameters,
                  "inference": {**data.parameters["inference"], "cluster": True}}
    def text(page: str) -> str:
        return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", page)))

    cluster = text(dict(rp.render_report(replace(data, parameters=parameters),
                                         lang=lang))["GM9001.html"])
    assert said in cluster and never not in cluster
    pupils = text(pages[lang]["GM9001.html"])
    assert never in pupils and said not in pupils
