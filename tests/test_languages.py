"""Every visible word in one language: the demo and real-case reports in headless Chromium.

Each page of a report (``--offline``) is opened in Chromium and its visible text is
collected: the page itself, the interactive maps in their frames (legends, scale bar),
every tooltip and popup of every map (opened through Leaflet, the way a mouse does),
the tooltips of the chart dots (SVG ``<title>``) and the ``title``/``alt`` attributes.
Text from the data (school and municipality names, codes, group labels, file names,
the version) is taken out; what is left must contain no word of the other language:
the words of the other language's catalogue that are not in this one, plus a list
picked by hand. Numbers must be written the way of the page's language.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

#: Group labels as noun phrases, as a user would give them (--label-a/--label-b).
LABELS = {"nl": ("achterstandsleerlingen", "overige leerlingen"),
          "en": ("pupils with a disadvantage background", "other pupils")}

#: Words and phrases no page of the language may show (besides the other catalogue's).
FORBIDDEN = {
    "nl": ["share", "pupils", "pupil", "schools", "no data", "not shown", "miles", "mi",
           "ft", "dissimilarity", "left out", "fewer than", "circle area", "area's",
           "suppressed", "name", "area", "value", "municipality", "kernel", "bandwidth",
           "the", "and", "with", "of the"],
    "en": ["leerlingen", "leerling", "aandeel", "geen gegevens", "scholen", "gemeente",
           "gemeenten", "naam", "niet getoond", "weggelaten", "wijken", "kern",
           "bandbreedte", "dissimilariteit", "het", "een", "van", "niet", "minder dan",
           "oppervlak", "onderdrukt"],
}
#: Never a group label with the group noun put before or after it.
DOUBLED = {"nl": ["leerlingen achterstandsleerlingen", "leerlingen overige leerlingen",
                  "achterstandsleerlingen leerlingen"],
           "en": ["pupils pupils", "background pupils", "other pupils pupils"]}
#: A number the other language's way: "0.62" on a Dutch page, "0,62" on an English one.
WRONG_NUMBER = {"nl": re.compile(r"(?<![\d.,])\d+\.\d{1,2}(?![\d])|(?<![\d.,])0\.\d"),
                "en": re.compile(r"(?<![\d.,])\d+,\d{1,2}(?![\d])|(?<![\d.,])0,\d")}
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
#: A count of one with a plural noun: "1 scholen", "1 area-years" (the catalogue has
#: ``_one`` variants for these).
ONE_PLURAL = {
    "nl": re.compile(r"(?<![\d.,−-])1 (?:scholen|gemeenten|leerlingen|gebied-jaren|rijen|"
                     r"groepen|gebieden|grensobjecten|objecten|personen|postcodes)\b"),
    "en": re.compile(r"(?<![\d.,−-])1 (?:schools|municipalities|pupils|units|area-years|"
                     r"rows|groups|areas|features|people|postcodes)\b")}


def _words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text) if len(w) > 2}


def _catalogue_words(lang: str) -> set[str]:
    from segspatial.text import catalogue

    texts = catalogue(lang).values()
    words: set[str] = set()
    for text in texts:
        words |= _words(re.sub(r"\$\w+|\$\{\w+\}|<[^>]*>|&\w+;", " ", text))
    return words


def forbidden_words(lang: str) -> tuple[set[str], list[str]]:
    """The other languages' distinctive words, and the hand-picked phrases."""
    from segspatial.text import LANGUAGES

    mine = _catalogue_words(lang)
    others: set[str] = set()
    for other in LANGUAGES:
        if other != lang:
            others |= _catalogue_words(other)
    return others - mine, FORBIDDEN[lang]


# --------------------------------------------------------------------------- the browser

#: Opens every tooltip and popup of every Leaflet layer of a map frame and returns their
#: text, with the map's own visible text (legend, scale bar, attribution).
_MAP_TEXT = """() => {
  const out = [document.body.innerText];
  const maps = Object.keys(window).filter(k => /^map_/.test(k)).map(k => window[k]);
  for (const map of maps) {
    const layers = [];
    map.eachLayer(l => { if (l.feature) layers.push(l); });
    for (const layer of layers) {
      const at = layer.getLatLng ? layer.getLatLng() : layer.getBounds().getCenter();
      layer.fire('mouseover', {latlng: at, originalEvent: {}}, true);
      document.querySelectorAll('.leaflet-tooltip').forEach(t => out.push(t.innerText));
      layer.fire('mouseout', {latlng: at, originalEvent: {}}, true);
      layer.fire('click', {latlng: at, originalEvent: {}}, true);
      document.querySelectorAll('.leaflet-popup-content').forEach(p => out.push(p.innerText));
      map.closePopup();
    }
  }
  out.push(Array.from(document.querySelectorAll('.leaflet-control-scale-line'))
             .map(s => s.innerText).join('\\n'));
  return out;
}"""

#: Text a reader sees without a click: titles of chart dots (SVG <title>), title and
#: alt attributes, aria labels.
_PAGE_EXTRA = """() => [
  ...Array.from(document.querySelectorAll('svg title, svg text')).map(t => t.textContent),
  ...Array.from(document.querySelectorAll('[title]')).map(e => e.getAttribute('title')),
  ...Array.from(document.querySelectorAll('[alt]')).map(e => e.getAttribute('alt')),
  ...Array.from(document.querySelectorAll('[aria-label]'))
       .map(e => e.getAttribute('aria-label')),
]"""


def visible_text(browser, path: Path) -> dict[str, list[str]]:
    """What a reader of ``path`` can see: ``{"page": [...], "maps": [...]}``."""
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    seen = {"page": [page.locator("body").inner_text(), *page.evaluate(_PAGE_EXTRA)],
            "maps": [], "scales": []}
    for frame in page.frames[1:]:
        frame.wait_for_selector(".leaflet-container")
        *texts, scale = frame.evaluate(_MAP_TEXT)
        seen["maps"] += texts
        seen["scales"].append(scale)
    page.close()
    assert errors == [], errors
    return seen


def check_language(lang: str, texts: list[str], data: list[str]) -> dict[str, str]:
    """The problems of ``texts`` for a ``lang`` page: words of another language, doubled
    group nouns, numbers written the other way (``data`` strings are taken out first),
    each with the first text it was found in."""
    words, phrases = forbidden_words(lang)
    problems: dict[str, str] = {}
    for text in texts:
        low = " ".join(text.lower().split())
        bad = [p for p in DOUBLED[lang] if p in low]  # before the labels are taken out
        clean = text
        for value in sorted(data, key=len, reverse=True):
            if value:
                clean = clean.replace(value, " ")
        low = " ".join(clean.lower().split())
        bad += sorted(_words(low) & words)
        bad += [p for p in phrases if re.search(rf"(?<![\w']){re.escape(p)}(?![\w'])", low)]
        bad += [f"number {n!r}" for n in WRONG_NUMBER[lang].findall(clean)[:1]]
        bad += [f"one {n!r}" for n in ONE_PLURAL[lang].findall(clean)[:1]]
        for word in bad:
            key = ("a number written the other way" if word.startswith("number ")
                   else "a count of one in the plural" if word.startswith("one ")
                   else word)
            problems.setdefault(key, " ".join(text.split())[:200])
    return problems


def _check_scale(seen: dict[str, list[str]]) -> list[str]:
    scales = seen["scales"]
    bad = [t for t in scales if re.search(r"\b(mi|ft)\b", t) or not re.search(r"\bk?m\b", t)]
    return [f"scale bar not metric only: {bad or 'no scale bar'}"] if bad or not scales else []


def _data_strings(*frames_and_columns) -> list[str]:
    from segspatial import __version__

    values = {__version__}
    for frame, columns in frames_and_columns:
        for column in columns:
            if column in frame:
                values |= {str(v) for v in frame[column].dropna().unique()}
    return sorted(values)


def check_report(browser, folder: Path, lang: str, data: list[str]) -> list[str]:
    pages = sorted(folder.glob("*.html"))
    assert len(pages) >= 2
    problems = []
    for path in pages:
        seen = visible_text(browser, path)
        assert seen["maps"], f"{path.name}: no interactive map was read"
        found = check_language(lang, seen["page"] + seen["maps"], data + list(LABELS[lang]))
        problems += [f"{path.name}: {word!r} in {text!r}" for word, text in found.items()]
        problems += [f"{path.name}: {p}" for p in _check_scale(seen)]
    return problems


# --------------------------------------------------------------------------- the reports


@pytest.fixture(scope="module")
def demo():
    from segspatial.demo import demo_pupils, demo_schools
    from segspatial.demo_maps import demo_boundaries
    from segspatial.pupils import pupil_segregation

    schools = demo_schools()
    result = pupil_segregation(demo_pupils(years=(2017, 2018)), "school",
                               area="municipality", year="year", ethnicity="ethnicity",
                               income="income", education="education")
    return result, schools, demo_boundaries(schools)


def _demo_report(demo, folder: Path, lang: str) -> Path:
    from segspatial.report import report_data, write_report

    result, schools, boundaries = demo
    data = report_data(result, schools, unit="school", x="x", y="y", crs="EPSG:28992",
                       name="school_name", boundaries=boundaries, area_code="statcode",
                       only=["GM9001", "GM9002"], permutations=19, n_boot=30)
    return write_report(data, folder, lang=lang, offline=True, min_cell=10).parent


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_demo_report_speaks_one_language_in_chromium(chromium, demo, tmp_path, lang):
    result, schools, boundaries = demo
    folder = _demo_report(demo, tmp_path / lang, lang)
    data = _data_strings((schools, ["school", "school_name", "municipality",
                                    "municipality_name"]),
                         (boundaries, ["statcode", "statnaam", "name"]))
    problems = check_report(chromium, folder, lang, data)
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_demo_multigroup_sections_speak_one_language_in_chromium(chromium, demo, tmp_path,
                                                                 lang):
    """The sections "several groups at once" (split by denomination, local-score maps)
    and "income as a continuum" (H(p) chart), published without --min-cell."""
    from segspatial.demo import demo_pupils
    from segspatial.multigroup_table import pupil_multigroup_segregation
    from segspatial.rankorder import rank_order_segregation
    from segspatial.report import report_data, write_report

    result, schools, boundaries = demo
    pupils = demo_pupils(years=(2017, 2018))
    kinds = ["openbaar", "rooms-katholiek", "islamitisch"]
    pupils["denomination"] = pupils["school"].map(
        dict(zip(schools["school"], kinds * len(schools), strict=False)))
    several = pupil_multigroup_segregation(
        pupils, "school", area="municipality", year="year", ethnicity="ethnicity",
        income="income", income_groups=3, within="denomination")
    ranked = rank_order_segregation(pupils, "school", income="income",
                                    area="municipality", year="year")
    data = report_data(result, schools, unit="school", x="x", y="y", crs="EPSG:28992",
                       name="school_name", boundaries=boundaries, area_code="statcode",
                       only=["GM9001", "GM9002"], permutations=19, multigroup=several,
                       rank_order=ranked)
    folder = write_report(data, tmp_path / lang, lang=lang, offline=True).parent
    page = (folder / "GM9001.html").read_text(encoding="utf-8")
    assert 'class="multigroup"' in page and 'class="income"' in page
    strings = _data_strings((schools, ["school", "school_name", "municipality",
                                       "municipality_name"]),
                            (boundaries, ["statcode", "statnaam", "name"])) + kinds
    strings.append("denomination")  # the grouping column's name heads its table
    problems = check_report(chromium, folder, lang, strings)
    assert problems == [], "\n".join(problems)


REAL_AREAS = ["GM0096", "GM0363", "GM0014"]  # Vlieland (one school), Amsterdam, Groningen


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_real_case_report_speaks_one_language_in_chromium(chromium, real_2019, shared_data,
                                                          tmp_path, lang):
    import segspatial as ss
    from segspatial.geo import read_boundaries
    from segspatial.report import report_data, write_report

    label_a, label_b = LABELS[lang]
    result = ss.segregation(real_2019, "school", "a", "b", area="municipality",
                            total="pupils", min_unit_size=0, min_area_size=0)
    file = shared_data / "boundaries" / "nl_maps_rd_gemeente_2019.geojson"
    data = report_data(result, real_2019, unit="school", x="x", y="y", crs="EPSG:28992",
                       name="school_name", boundaries=file, only=REAL_AREAS,
                       permutations=19, group_labels={"a": label_a, "b": label_b})
    folder = write_report(data, tmp_path / lang, lang=lang, offline=True,
                          min_cell=10).parent
    boundaries = read_boundaries(file)
    strings = _data_strings((real_2019, ["school", "school_name", "municipality"]),
                            (boundaries, ["statcode", "statnaam"]))
    strings.append(file.name)
    problems = check_report(chromium, folder, lang, strings)
    assert problems == [], "\n".join(problems)


def test_the_word_check_catches_the_other_language():
    """The check itself can fail: English words, English numbers and doubled nouns on a
    Dutch page, Dutch ones on an English page; data strings are not words of a page."""
    dutch_page = ["Aandeel achterstandsleerlingen 0.62: share of pupils, no data",
                  "leerlingen achterstandsleerlingen", "De Regenboog school 12"]
    found = check_language("nl", dutch_page, ["De Regenboog", "achterstandsleerlingen"])
    assert {"share", "pupils", "no data", "a number written the other way",
            "leerlingen achterstandsleerlingen"} <= set(found)
    found = check_language("en", ["Share of other pupils pupils: 0,62 (geen gegevens)",
                                  "aandeel leerlingen"], ["other pupils"])
    assert {"geen gegevens", "aandeel", "leerlingen", "other pupils pupils",
            "a number written the other way"} <= set(found)
    assert check_language("nl", ["Aandeel Regenboog 0,62 per school"], ["Regenboog"]) == {}
    assert "a count of one in the plural" in check_language("nl", ["minder dan 2 van de 1 "
                                                                   "scholen"], [])
    assert "a count of one in the plural" in check_language("en", ["1 area-years"], [])
    assert check_language("en", ["2021 schools, 0.1 pupils, 1 school"], []) == {}
    assert _check_scale({"scales": ["500 m\n1000 ft"]}) and _check_scale({"scales": []})
    assert _check_scale({"scales": ["2 km"]}) == []


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_demo_command_speaks_its_language(chromium, tmp_path, lang, capsys):
    """``segspatial demo --lang nl``: the report pages, the stand-alone web maps and the
    overview it prints are Dutch (and with ``--lang en`` English), numbers included."""
    from segspatial.cli import main
    from segspatial.demo import demo_schools
    from segspatial.demo_maps import demo_boundaries

    out = tmp_path / "demo"
    assert main(["demo", "--lang", lang, "--output", str(out)]) == 0
    printed = capsys.readouterr()
    schools = demo_schools()
    boundaries = demo_boundaries(schools)
    data = _data_strings((schools, ["school", "school_name", "municipality",
                                    "municipality_name"]),
                         (boundaries, ["statcode", "statnaam", "name"]))
    problems = check_report(chromium, out / "report", lang, data)
    for path in sorted(out.glob("*.html")):  # the maps themselves, not in a frame
        page = chromium.new_page(viewport={"width": 1300, "height": 900})
        page.goto(path.as_uri())
        page.wait_for_selector(".leaflet-container")
        *texts, scale = page.evaluate(_MAP_TEXT)
        page.close()
        found = check_language(lang, texts, data)
        problems += [f"{path.name}: {word!r} in {text!r}" for word, text in found.items()]
        problems += [f"{path.name}: {p}" for p in _check_scale({"scales": [scale]})]
    # the overview: reason codes, themes, comparisons and paths are data, not words
    import pandas as pd

    exclusions = pd.read_csv(out / "exclusions.csv")
    codes = {str(v) for c in ("reason", "theme", "comparison") if c in exclusions
             for v in exclusions[c].dropna().unique()}
    results = pd.read_csv(out / "results.csv")
    codes |= set(results["comparison"].dropna().unique())
    lines = (printed.out + printed.err).splitlines()
    paths = [str(p) for p in sorted(out.rglob("*"))]
    found = check_language(lang, lines, [*data, *codes, *paths, "--min-cell", "D"])
    problems += [f"printed: {word!r} in {text!r}" for word, text in found.items()]
    assert ("Geschreven:" in printed.out) == (lang == "nl")
    assert problems == [], "\n".join(problems)
