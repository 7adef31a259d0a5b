"""Hostile text through every input: input is data, never code or markup.

A catalogue of hostile strings (Jinja2 expressions, statements, comments, raw blocks
and code execution; HTML and JavaScript; mathtext; format strings; bidi override,
control characters, a 10,000-character name, non-ASCII) is fed through every text
input of every command (school ids and names, area codes, area names in boundary
files, group column names, --label-a/--label-b, index and comparison names, file
names) and through the public functions that return or write output. Every run
asserts: nothing created (the code payloads would make a folder in the working
directory), no crash, every text shown literally (decoded from the escaped HTML, as
``<text>`` in SVG), and in headless Chromium no script runs (no dialog, no flag set
by a payload, no console error).

The command-level runs put all the strings into one data set at once (one area per
string, three schools each; the group columns, labels and file names hold them all
joined); the cheap functions are run per string class.
"""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from segspatial import plot, webmap
from segspatial.cli import main

# DejaVu Sans has no emoji or CJK glyphs, and a 100-character row label leaves the
# grid no room: matplotlib warns, and draws; the texts are checked below.
pytestmark = [pytest.mark.filterwarnings("ignore:Glyph .* missing from font"),
              pytest.mark.filterwarnings("ignore:constrained_layout not applied")]

#: The payloads of "jinja_code*" make this folder in the working directory if run.
PWNED = ("PWNED", "PWNED2")

HOSTILE = {
    "jinja_expression": "De {{7*7}} School",
    "jinja_statement": "{% for x in range(3) %}x{% endfor %}",
    "jinja_comment": "Com{# c #}ment",
    "jinja_raw": "{% raw %}R{% endraw %} {% endraw %}",
    "jinja_unbalanced": "De {{Regenboog",
    "jinja_code": "{{ cycler.__init__.__globals__.os.mkdir(dict(PWNED=1)|first) }}",
    "jinja_code_quoted": "{{ lipsum.__globals__['os'].mkdir('PWNED2') }}",
    "html_img": "<img src=x onerror=alert(1)>",
    "html_script": "<script>alert(1)</script>",
    "html_flag": "<img src=x onerror=window.__pwned=1>",
    "close_script": "</script><script>window.__pwned=2</script>",
    "attribute_break": "\"'><svg onload=alert(1)>",
    "js_template": "`${alert(1)}` back`tick \\`",
    "mathtext_macro": "$\\foo$",
    "mathtext_power": "$x^2$ and $\\frac{1}{2}$",
    "format": "%s %(x)s {0} {}",
    "rtl_override": "abc\u202edef",
    "control": "a\x01b\x07c\x1bd\x7fe",
    "id_lookalike": "x_0123456789abcdef0123456789abcdef",
    "long": "Lange naam " * 909 + "!",  # 10,000 characters
    "non_ascii": "Basisschool ë ĳ Ö 🏫 中文",
}
CLASSES = list(HOSTILE)
assert len(HOSTILE["long"]) == 10_000


def shown_in_figures(text: str) -> str:
    """How a static figure must draw ``text`` (written out here, independently of the
    code): control characters as U+FFFD, at most 100 characters."""
    text = re.sub(r"[\x00-\x1f\x7f-\x9f]", "\ufffd", text)
    return text if len(text) <= 100 else text[:99] + "…"


def joined(suffix: str) -> str:
    """All short strings in one (for inputs that exist once per run: group columns,
    labels)."""
    return " | ".join(v for k, v in HOSTILE.items() if k != "long") + f" {suffix}"


GROUP_A, GROUP_B, MEASURE = joined("A"), joined("B"), joined("M")
LABEL_A, LABEL_B = joined("label A"), joined("label B")
INDEX, COMPARISON = joined("index"), joined("comparison")
#: A file name holding what a file name can hold (no "/", < 255 bytes)
FILE_STEM = "{{7*7}} {% raw %} <img src=x onerror=alert(1)> $x^2$ %s `${1}` ë \u202e"


# --------------------------------------------------------------------------- helpers


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """Run in an empty folder; afterwards nothing may have been created by a payload."""
    monkeypatch.chdir(tmp_path)
    yield tmp_path
    for name in PWNED:
        assert not (tmp_path / name).exists(), "a template payload ran"
        assert not (Path.cwd() / name).exists()


def _run(capsys, *argv) -> str:
    """Run the command in this process; it must succeed. Returns standard error."""
    status = main([str(a) for a in argv])
    err = capsys.readouterr().err
    assert status == 0, err
    assert "Traceback" not in err
    return err


def _indices(capsys, counts: Path, output: Path, *extra) -> str:
    """``segspatial indices`` on the hostile counts (no filters)."""
    return _run(capsys, "indices", counts, "--unit", "school", "--group-a", GROUP_A,
                "--group-b", GROUP_B, "--area", "gm", "--min-unit-size", "0",
                "--min-area-size", "0", "--output", output, *extra)


def _collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _texts(document: str) -> str:
    """What a page shows as text: tags removed, entities decoded (escaped data holds
    no ``<``, so dropping tags cannot cut it)."""
    document = re.sub(r"<(script|style)\b.*?</\1>", " ", document, flags=re.S)
    return html.unescape(re.sub(r"<[^>]*>", " ", document))


def _features(document: str) -> list[dict]:
    """Properties of every GeoJSON feature embedded in a folium map, decoded as the
    browser decodes them (JSON, then HTML entities in tooltips and popups)."""
    out = []
    for data in re.findall(r"_add\((\{.*\})\);", document):
        for feature in json.loads(data)["features"]:
            out.append({k: html.unescape(v) if isinstance(v, str) else v
                        for k, v in feature["properties"].items()})
    return out


def _aliases(document: str) -> list[str]:
    return [html.unescape(a) for block in re.findall(r"let aliases = (\[.*\]);", document)
            for a in json.loads(block)]


def _svg_texts(data: bytes) -> list[str]:
    """The SVG's texts, and the lines of a text wrapped between words (up to four
    consecutive lines) joined again with spaces: a long label reads the same."""
    root = ET.fromstring(data)  # well-formed XML, whatever the names hold
    lines = ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]
    return lines + [" ".join(lines[i:i + n]) for n in (2, 3, 4)
                    for i in range(len(lines) - n + 1)]


def _frames(page: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(r'srcdoc="([^"]*)"', page)]


def _assert_inert(document: str) -> None:
    """No markup from the data: none of the HTML payloads appears unescaped."""
    for name in ("html_img", "html_script", "html_flag", "attribute_break"):
        assert HOSTILE[name] not in document, name
    assert "<svg onload" not in document and "<img src=x" not in document
    assert "De 49 School" not in _texts(document)


# --------------------------------------------------------------------------- data


def _layout(areas: list[str], units: list[str]):
    """Counts (three schools per area) and boundaries (one square per area)."""
    rows, polygons = [], []
    per_area = -(-len(units) // len(areas))
    for k, area in enumerate(areas):
        x0 = 100_000 + 3_000 * k
        polygons.append(box(x0 - 600, 449_400, x0 + 1_400, 451_000))
        for i, unit in enumerate(units[k * per_area:(k + 1) * per_area]):
            a, b = ((30, 60), (60, 30), (45, 45))[i % 3]
            rows.append({"school": unit, "naam": unit.rsplit(" #", 1)[0], "gm": area,
                         "year": 2019, GROUP_A: a, GROUP_B: b, "pupils": a + b + 5,
                         MEASURE: 0.1 * (i + 1), "x": x0 + 350.0 * i,
                         "y": 450_000.0 + 250.0 * (i % 2)})
    counts = pd.DataFrame(rows)
    bounds = gpd.GeoDataFrame({"statcode": areas, "statnaam": areas}, geometry=polygons,
                              crs="EPSG:28992")
    return counts, bounds


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """One data set with every hostile string as area code, area name, school id and
    school name; group and measure columns named with all of them joined."""
    folder = tmp_path_factory.mktemp("hostile")
    units = [f"{HOSTILE[c]} #{i}" for c in CLASSES for i in range(3)]
    counts, bounds = _layout(list(HOSTILE.values()), units)
    paths = {"counts": folder / f"{FILE_STEM} counts.csv",
             "bounds": folder / f"{FILE_STEM} areas.geojson"}
    counts.to_csv(paths["counts"], index=False)
    bounds.to_file(paths["bounds"], driver="GeoJSON")
    return paths, counts, bounds


def _check_map_document(document: str, *, school_map: bool) -> None:
    _assert_inert(document)
    features = _features(document)
    shown = {v for f in features for v in f.values() if isinstance(v, str)}
    for cls, text in HOSTILE.items():
        assert text in shown, cls
        if school_map:
            assert f"{text} #0" in shown, cls  # the school id
    if school_map:
        aliases = _aliases(document)
        assert GROUP_A in aliases and f"share of {GROUP_A}" in aliases
        assert MEASURE in aliases
        assert f"Share of {GROUP_A}" in _collapse(_texts(document))  # the legend


# --------------------------------------------------------------------------- commands


def test_schools_command_html_and_static(files, workdir, capsys):
    paths, counts, _ = files
    html_out = workdir / f"{FILE_STEM} schools.html"
    common = ["schools", paths["counts"], "--unit", "school", "--name", "naam",
              "--group-a", GROUP_A, "--group-b", GROUP_B, "--x", "x", "--y", "y",
              "--crs", "EPSG:28992", "--area", "gm", "--total", "pupils",
              "--label-a", GROUP_A]
    _run(capsys, *common, "--boundaries", paths["bounds"], "--measures", MEASURE,
         "--offline", "--output", html_out)
    document = html_out.read_text(encoding="utf-8")
    _check_map_document(document, school_map=True)
    # the outlines' tooltips: the area names of the boundary file
    outlines = [f["area"] for f in _features(document) if set(f) == {"area"}]
    assert sorted(outlines) == sorted(HOSTILE.values())
    for suffix in ("svg", "pdf", "png"):
        out = workdir / f"{FILE_STEM} schools.{suffix}"
        _run(capsys, *common, "--output", out)
    texts = _svg_texts((workdir / f"{FILE_STEM} schools.svg").read_bytes())
    assert any(shown_in_figures(GROUP_A) in t for t in texts)


def test_map_command_with_hostile_index_and_comparison(files, workdir, capsys):
    paths, counts, _ = files
    results = workdir / "results.csv"
    _indices(capsys, paths["counts"], results, "--year", "year")
    table = pd.read_csv(results, dtype={"area": str}, keep_default_na=False)
    assert set(table["area"]) == set(HOSTILE.values())  # read back literally
    assert set(table["group_a"]) == {GROUP_A} and set(table["group_b"]) == {GROUP_B}
    # a plug-in index and a comparison with hostile names
    extra = table[table["index"] == "dissimilarity"].assign(index=INDEX)
    pd.concat([table, extra]).assign(comparison=COMPARISON).to_csv(results, index=False)
    args = ["map", results, paths["bounds"], "--area-code", "statcode", "--index", INDEX,
            "--comparison", COMPARISON]
    html_out = workdir / f"{FILE_STEM} map.html"
    _run(capsys, *args, "--offline", "--output", html_out)
    document = html_out.read_text(encoding="utf-8")
    _check_map_document(document, school_map=False)
    assert INDEX in _aliases(document)
    title = f"{INDEX} — {COMPARISON}, 2019"  # a plug-in's and a comparison's own names
    assert title in _collapse(_texts(document))  # the legend
    for suffix in ("svg", "pdf", "png"):
        _run(capsys, *args, "--output", workdir / f"m.{suffix}")
        _run(capsys, *args, "--scheme", "massey_denton", "--output", workdir / f"c.{suffix}")
    for name in ("m.svg", "c.svg"):
        # a long title breaks after its " — ", never inside a name
        texts = _svg_texts((workdir / name).read_bytes())
        assert shown_in_figures(INDEX) + " —" in texts, name
        assert shown_in_figures(COMPARISON) + ", 2019" in texts, name


def test_heatmap_command(files, workdir, capsys):
    paths, counts, bounds = files
    results = workdir / "results.csv"
    _indices(capsys, paths["counts"], results, "--year", "year")
    table = pd.read_csv(results, dtype={"area": str}, keep_default_na=False)
    # a year is a whole number in a results table (review2 #27: the results reader checks
    # the schema's types), so a text year such as '$2019$' is refused, never drawn
    table.assign(year="$2019$").to_csv(results, index=False)
    assert main(["heatmap", str(results), "--index", "dissimilarity", "--output",
                 str(workdir / "refused.png")]) == 2
    assert "column 'year': '$2019$' is not a whole number" in capsys.readouterr().err
    two = pd.concat([table.assign(comparison=COMPARISON),
                     table.assign(comparison="plain")])
    two.to_csv(results, index=False)
    names = workdir / f"{FILE_STEM} names.csv"
    pd.DataFrame({"area": bounds["statcode"], "area_name": bounds["statnaam"]}).to_csv(
        names, index=False)
    for suffix in ("svg", "pdf", "png"):
        _run(capsys, "heatmap", results, "--index", "dissimilarity", "--boundaries", names,
             "--output", workdir / f"g.{suffix}")
    texts = _svg_texts((workdir / "g.svg").read_bytes())
    for cls, text in HOSTILE.items():
        assert shown_in_figures(text) in texts, cls  # row labels
    assert shown_in_figures(COMPARISON) in texts


def test_indices_local_join_keep_text_as_it_is(files, workdir, capsys):
    paths, counts, bounds = files
    _run(capsys, "local", paths["counts"], "--unit", "school", "--group-a", GROUP_A,
         "--group-b", GROUP_B, "--area", "gm", "--x", "x", "--y", "y", "--crs",
         "EPSG:28992", "--min-unit-size", "0", "--min-area-size", "0",
         "--output", workdir / "local.csv")
    local = pd.read_csv(workdir / "local.csv", dtype=str, keep_default_na=False)
    assert set(local["school"]) == set(counts["school"])  # the input's column names
    assert set(local["gm"]) == set(HOSTILE.values())
    results = workdir / "results.parquet"
    _indices(capsys, paths["counts"], results, "--exclusions-output", workdir / "left.csv")
    for suffix in ("geojson", "gpkg"):
        out = workdir / f"{FILE_STEM} joined.{suffix}"
        _run(capsys, "join", results, paths["bounds"], "--area-code", "statcode",
             "--output", out)
        joined_back = gpd.read_file(out)
        assert set(joined_back["statnaam"]) == set(HOSTILE.values())
        assert set(joined_back["statcode"]) == set(HOSTILE.values())
        assert joined_back["dissimilarity"].notna().all()


#: Terminal escape sequences: clear the screen, set the window title (OSC 0), write
#: the clipboard (OSC 52), a bidi override; none may reach a terminal as it is.
TERMINAL = "T\x1b[2J\x1b]0;owned\x07\x1b]52;c;cm0gLXJmIH4=\x07\u202eend\x9b31m"


def _inert_in_terminal(text: str) -> None:
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e]", text), repr(text)


def test_messages_never_send_escape_sequences_to_the_terminal(workdir, capsys):
    """Names from input files in summaries and notes (a boundary feature without
    results, an area without a polygon) and in ``boundaries info`` (layer and column
    names) are printed with their control characters escaped, as errors already
    print values (``repr``)."""
    counts, bounds = _layout(["A", "B", TERMINAL], [f"s{i}" for i in range(9)])
    bounds.loc[2, "statnaam"] = TERMINAL + " name"
    counts.to_csv(workdir / "counts.csv", index=False)
    bounds[bounds["statcode"] != "B"].rename(columns={"statcode": TERMINAL}).to_file(
        workdir / "areas.gpkg", layer=TERMINAL, driver="GPKG")
    bounds.to_file(workdir / "areas.geojson", driver="GeoJSON")
    _indices(capsys, workdir / "counts.csv", workdir / f"{TERMINAL}.csv")
    results = pd.read_csv(workdir / f"{TERMINAL}.csv", dtype={"area": str})
    results[results["area"] != TERMINAL].to_csv(workdir / "some.csv", index=False)
    results.replace({"area": {"A": TERMINAL + " 2"}}).to_csv(workdir / "other.csv",
                                                             index=False)
    err = _run(capsys, "join", workdir / "some.csv", workdir / "areas.geojson",
               "--area-code", "statcode", "--output", workdir / "j.geojson")
    assert "\\x1b[2J\\x1b]0;owned\\x07" in err  # shown, escaped
    err += _run(capsys, "join", workdir / "other.csv", workdir / "areas.geojson",
                "--area-code", "statcode", "--output", workdir / "k.geojson")
    err += _run(capsys, "map", workdir / "other.csv", workdir / "areas.geojson",
                "--area-code", "statcode", "--index", "dissimilarity",
                "--output", workdir / "m.png")
    assert main(["boundaries", "info", str(workdir / "areas.gpkg")]) == 0
    out, info_err = capsys.readouterr()
    assert "\\u202eend" in out
    for text in (err, out, info_err):
        _inert_in_terminal(text)


@pytest.fixture(scope="module")
def report_folder(files, tmp_path_factory):
    """``segspatial report`` on the hostile counts, with hostile labels."""
    paths, _, _ = files
    out = tmp_path_factory.mktemp("report") / f"{FILE_STEM} report"
    status = main([str(a) for a in (
        "report", paths["counts"], "--unit", "school", "--name", "naam",
        "--group-a", GROUP_A, "--group-b", GROUP_B, "--label-a", LABEL_A, "--label-b",
        LABEL_B, "--area", "gm", "--year", "year", "--total", "pupils", "--x", "x", "--y",
        "y", "--crs", "EPSG:28992", "--boundaries", paths["bounds"], "--area-code",
        "statcode", "--min-unit-size", "0", "--min-area-size", "0", "--bandwidth", "1000",
        "--permutations", "9", "--offline", "--quiet", "--output", out)])
    assert status == 0
    return out


def test_report_command_from_counts(report_folder, files):
    _, counts, _ = files
    pages = {p.name: p.read_text(encoding="utf-8") for p in report_folder.glob("*.html")}
    assert len(pages) == len(HOSTILE) + 1
    assert all(len(name.encode()) < 255 for name in pages)  # the 10,000-char code too
    index = pages.pop("index.html")
    _assert_inert(index)
    shown = _collapse(_texts(index))
    for cls, text in HOSTILE.items():
        assert _collapse(text) in shown, cls  # the table: name and code
    by_code = {}
    for page in pages.values():
        _assert_inert(page)
        for document in _frames(page):
            _assert_inert(document)
        (h1,) = re.findall(r"<h1>(.*?)<span", page)
        by_code[html.unescape(h1)] = page
    assert set(by_code) == set(HOSTILE.values())
    for cls, text in HOSTILE.items():
        page = by_code[text]
        shown = _collapse(_texts(page))
        assert _collapse(LABEL_A) in shown and _collapse(LABEL_B) in shown, cls
        assert FILE_STEM in shown  # the input files in the method section
        features = [f for d in _frames(page) for f in _features(d) if "school" in f]
        assert text in {f["name"] for f in features}, cls
        assert f"{text} #0" in {f["school"] for f in features}, cls


def test_report_multigroup_section_with_hostile_groups_and_denominations(files, workdir,
                                                                        capsys):
    """``report --groups ... --within COL``: hostile group column names, a hostile
    grouping column name and hostile denomination values are shown literally (the
    section's text, the split's table, the local-score maps), never run."""
    paths, counts, _ = files
    # "|" separates group names in the results' ``groups`` field (refused in a name)
    group_a, group_b, group_c = (joined(g).replace("|", "¦") for g in "ABC")
    within = joined("denomination")
    counts = counts.rename(columns={GROUP_A: group_a, GROUP_B: group_b})
    counts = counts.assign(**{group_c: 7 + np.arange(len(counts)) % 5,
                              within: [HOSTILE[CLASSES[i % len(CLASSES)]]
                                       for i in range(len(counts))]})
    counts["pupils"] = counts[[group_a, group_b, group_c]].sum(axis=1)
    areas = list(HOSTILE.values())[:3]
    counts = counts[counts["gm"].isin(areas)]
    counts.to_csv(workdir / "counts.csv", index=False)
    out = workdir / "report"
    _run(capsys, "report", workdir / "counts.csv", "--unit", "school", "--name", "naam",
         "--group-a", group_a, "--group-b", group_b, "--groups", group_a, group_b, group_c,
         "--within", within, "--area", "gm", "--total", "pupils", "--x", "x", "--y", "y",
         "--crs", "EPSG:28992", "--boundaries", paths["bounds"], "--area-code",
         "statcode", "--min-unit-size", "0", "--min-area-size", "0", "--bandwidth", "1000",
         "--permutations", "0", "--offline", "--quiet", "--output", out)
    assert not any(Path(name).exists() for name in PWNED)
    pages = [p.read_text(encoding="utf-8") for p in out.glob("*.html")]
    assert len(pages) == 4
    seen_values = set()
    for page in pages:
        _assert_inert(page)
        for document in _frames(page):
            _assert_inert(document)
        match = re.search(r'<section class="multigroup">(.*?)</section>', page, flags=re.S)
        assert match
        shown = _collapse(_texts(match[1]))
        assert _collapse(group_c) in shown
        if "<h4>" in match[1]:  # a municipality page: the split by the hostile column
            assert _collapse(within) in shown
            seen_values |= {c for c, text in HOSTILE.items() if _collapse(text) in shown}
    assert {"html_script", "jinja_code", "jinja_expression", "attribute_break"} & seen_values
    assert "De 49 School" not in "".join(_texts(p) for p in pages)


def test_report_from_pupils_with_hostile_codes(workdir, capsys):
    """Pupil-level input: hostile unit ids and area codes, school names from
    --locations, unknown ethnicity codes (counted as left out)."""
    areas = [HOSTILE[c] for c in ("jinja_code", "html_script", "long")]
    units = [f"{HOSTILE[c]} #0" for c in CLASSES]
    counts, bounds = _layout(areas, units)
    rng = np.random.default_rng(1)
    pupils = counts.loc[counts.index.repeat(40), ["school", "gm"]].assign(year=2019)
    pupils["herkomst"] = rng.choice(["dutch", "nonwestern"], size=len(pupils))
    pupils.iloc[:len(CLASSES), pupils.columns.get_loc("herkomst")] = list(HOSTILE.values())
    pupils.to_csv(workdir / "pupils.csv", index=False)
    counts[["school", "naam", "x", "y"]].to_csv(workdir / f"{FILE_STEM}.csv", index=False)
    bounds.to_file(workdir / "areas.geojson", driver="GeoJSON")
    _run(capsys, "report", workdir / "pupils.csv", "--pupils", "--unit", "school",
         "--area", "gm", "--year", "year", "--ethnicity", "herkomst", "--locations",
         workdir / f"{FILE_STEM}.csv", "--name", "naam", "--x", "x", "--y", "y", "--crs",
         "EPSG:28992", "--boundaries", workdir / "areas.geojson", "--min-unit-size", "0",
         "--min-area-size", "0", "--bandwidth", "1000", "--permutations", "9", "--quiet",
         "--output", workdir / "report")
    pages = [p.read_text(encoding="utf-8") for p in (workdir / "report").glob("*.html")]
    assert len(pages) == 4
    names = set()
    for page in pages:
        _assert_inert(page)
        for document in _frames(page):
            _assert_inert(document)
            names |= {f.get("name") for f in _features(document)}
    assert set(HOSTILE.values()) <= names


def test_monitor_command(workdir, capsys):
    """``segspatial monitor``: hostile municipality, programme and region names in the
    DUO file and the boundary files, a hostile --label and region level name."""
    records, municipalities, regions = [], [], []
    for k, text in enumerate(HOSTILE.values()):
        gm = f"{k + 1:04d}"
        for programme, (women, men) in ((1, (30, 90)), (2, (12, 40))):
            for sex, n in (("vrouw", women), ("man", men)):
                records.append({"GEMEENTENUMMER": gm, "OPLEIDINGSCODE ACTUEEL": programme,
                                "GESLACHT": sex, "ONDERDEEL": "techniek",
                                "OPLEIDINGSNAAM ACTUEEL": f"{text} #{programme}",
                                "GEMEENTENAAM": text, "2023": n, "2024": n + 1})
        # inside RD New's area of use (boundary files are checked against it)
        square = box(100_000 + 10_000 * k, 400_000, 100_000 + 10_000 * (k + 1), 410_000)
        municipalities.append({"statcode": f"GM{gm}", "statnaam": text, "geometry": square})
        regions.append({"statcode": text, "statnaam": text, "geometry": square})
    data = workdir / f"{FILE_STEM}.json"
    data.write_text(json.dumps(records), encoding="utf-8")
    for name, rows in (("gm.geojson", municipalities), ("regions.geojson", regions)):
        gpd.GeoDataFrame(rows, crs="EPSG:28992").to_file(workdir / name, driver="GeoJSON")
    out = workdir / "monitor"
    _run(capsys, "monitor", data, "--boundaries", workdir / "gm.geojson", "--regions",
         f"{HOSTILE['jinja_expression']}={workdir / 'regions.geojson'}", "--label",
         LABEL_A, "--target", "0.25", "--offline", "--output", out)
    pages = [p.read_text(encoding="utf-8") for p in out.glob("*.html")]
    assert len(pages) > len(HOSTILE)
    shown = ""
    for page in pages:
        _assert_inert(page)
        for document in _frames(page):
            _assert_inert(document)
        shown += _collapse(_texts(page))
    for cls, text in HOSTILE.items():
        assert _collapse(text) in shown, cls
    assert _collapse(LABEL_A) in shown


def test_standalone_outputs_are_byte_identical(files, workdir, capsys):
    """The same input gives the same bytes: HTML maps, SVG, PDF and PNG."""
    paths, _, _ = files
    results = workdir / "results.csv"
    _indices(capsys, paths["counts"], results, "--year", "year")
    commands = {
        "schools": ["schools", paths["counts"], "--unit", "school", "--name", "naam",
                    "--group-a", GROUP_A, "--group-b", GROUP_B, "--x", "x", "--y", "y",
                    "--crs", "EPSG:28992", "--area", "gm", "--boundaries", paths["bounds"]],
        "map": ["map", results, paths["bounds"], "--area-code", "statcode", "--index",
                "dissimilarity"],
        "heatmap": ["heatmap", results, "--index", "dissimilarity"],
    }
    for command, args in commands.items():
        suffixes = ["svg", "pdf", "png"] + ([] if command == "heatmap" else ["html"])
        for suffix in suffixes:
            runs = []
            for attempt in (1, 2):
                out = workdir / f"{command}{attempt}.{suffix}"
                extra = ["--offline"] if suffix == "html" else []
                _run(capsys, *args, *extra, "--output", out)
                runs.append(out.read_bytes())
            assert runs[0] == runs[1], f"{command} .{suffix}"
    document = (workdir / "schools1.html").read_text(encoding="utf-8")
    assert not re.search(r"_[0-9a-f]{32}\b", document.replace(HOSTILE["id_lookalike"], ""))
    assert HOSTILE["id_lookalike"] in {f.get("name") for f in _features(document)}


# --------------------------------------------------------------------------- functions


def _squares(text: str):
    return gpd.GeoDataFrame({"statcode": [text, "B"], "statnaam": [text, "Bravo"]},
                            geometry=[box(100_000, 450_000, 101_000, 451_000),
                                      box(101_000, 450_000, 102_000, 451_000)],
                            crs="EPSG:28992")


def _results(text: str) -> pd.DataFrame:
    rows = pd.DataFrame({"area": [text, "B"], "value": [0.5, 0.1], "n_units": [3, 4],
                         "n_pupils": [100, 120]})
    return pd.concat([rows.assign(year=y, value=rows["value"] + 0.01 * i)
                      for i, y in enumerate((2018, 2019))]).assign(index=text,
                                                                    comparison=text)


def _schools(text: str) -> pd.DataFrame:
    return pd.DataFrame({"school": [text, "s2", "s3"], "naam": [text, "Two", "Three"],
                         text: [10, 30, 20], "b": [30, 10, 20], "gm": [text] * 3,
                         "x": [100_200.0, 100_600.0, 100_800.0],
                         "y": [450_200.0, 450_500.0, 450_700.0], "m": [0.1, 0.2, 0.3]})


@pytest.mark.parametrize("cls", CLASSES)
def test_web_maps_show_each_class_literally(cls, workdir):
    text = HOSTILE[cls]
    m = webmap.choropleth_map(_results(text), _squares(text), index=text, comparison=text,
                              area_code="statcode", offline=False, tiles=None)
    document = webmap.to_html(m)
    _assert_inert(document)
    (feature, _) = _features(document)
    assert feature["name"] == text and feature["code"] == text
    assert text in _aliases(document)
    assert f"{text} — {text}, 2019" in _texts(document)  # the legend title
    schools = _schools(text).rename(columns={"m": text + " m"})
    m = webmap.school_webmap(schools, "school", text, "b", x="x", y="y", crs="EPSG:28992",
                             name="naam", area="gm", measures=[text + " m"],
                             boundaries=_squares(text).iloc[:1], boundary_name="statnaam",
                             group_labels={text: text, "b": text + " b"}, tiles=None)
    document = webmap.to_html(m)
    _assert_inert(document)
    features = _features(document)
    assert {"school": text, "name": text, "area": text}.items() <= features[1].items()
    assert features[0] == {"area": text}  # the outline
    assert {text, text + " b", f"share of {text}", text + " m"} <= set(_aliases(document))
    assert f"Share of {text}" in _texts(document)  # the legend title


def test_tiles_with_template_syntax_are_refused():
    with pytest.raises(ValueError, match="template syntax"):
        webmap.choropleth_map(_results("a"), _squares("a"), index="a", area_code="statcode",
                              tiles="https://x/{{7*7}}/{z}/{x}/{y}.png")


def _draw_everything(text: str):
    """Every plot function with ``text`` in each of its text inputs: one figure (five
    functions) and the profile plot's own."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(12, 8))  # no layout engine: text placement is not tested
    axes = figure.subplots(2, 3).ravel()
    results = _results(text)
    plot.choropleth(results, _squares(text), index=text, comparison=text,
                    area_code="statcode", ax=axes[0])
    plot.choropleth(results, _squares(text), index=text, comparison=text,
                    area_code="statcode", scheme="massey_denton", ax=axes[1])
    plot.report_grid(results, index=text, names={text: text}, ax=axes[2])
    plot.report_grids(pd.concat([results, results.assign(comparison=text + " 2")]),
                      index=text, axes=axes[3:5])
    plot.school_map(_schools(text), "school", text, "b", x="x", y="y", label_a=text,
                    ax=axes[5])
    profile = plot.profile_plot(
        results.assign(bandwidth=np.where(results["year"] == 2018, 500.0, 1000.0),
                       year=2019), names={text: text})
    return figure, profile.figure


@pytest.mark.parametrize("cls", CLASSES)
def test_static_figures_draw_each_class_literally(cls, workdir):
    """Every plot function, as SVG: the text drawn as it is (no mathtext), never a
    crash. (PDF and PNG draw the same texts: the commands' tests write them with
    every string at once.)"""
    text = HOSTILE[cls]
    drawn = shown_in_figures(text)
    figure, profile = _draw_everything(text)
    texts = _svg_texts(plot.figure_bytes(figure, "svg"))
    assert drawn in texts  # area names on the grid
    # choropleth titles: whole, or broken after their own " — " (never inside a name)
    assert (shown_in_figures(f"{text} — {text}, 2019") in texts
            or {drawn + " —", drawn + ", 2019"} <= set(texts))
    assert shown_in_figures(text + " 2") in texts
    assert any(drawn in t for t in texts if t.startswith("Share of"))  # label_a
    assert drawn in _svg_texts(plot.figure_bytes(profile, "svg"))  # line label, y label


def test_data_text_never_reaches_mathtext_or_latex():
    """Even with ``text.usetex`` on, every text artist holding data is literal."""
    import matplotlib as mpl
    from matplotlib.text import Text

    text = HOSTILE["mathtext_macro"]
    with mpl.rc_context({"text.usetex": True}):
        figures = _draw_everything(text)
    holding = [t for f in figures for t in f.findobj(Text) if text in t.get_text()]
    assert len(holding) >= 10
    assert not any(t.get_usetex() or t.get_parse_math() for t in holding)


@pytest.mark.parametrize("cls", CLASSES)
def test_page_names_are_safe_file_names(cls):
    from segspatial.report import page_name

    name = page_name(HOSTILE[cls])
    assert re.fullmatch(r"[A-Za-z0-9._-]+\.html", name) and len(name) <= 120
    assert not name.startswith(".")


def test_render_report_shows_every_class_literally(files):
    """The Python API: report_data + render_report, with hostile group labels."""
    from segspatial.compute import segregation
    from segspatial.report import render_report, report_data

    _, counts, bounds = files
    result = segregation(counts, "school", GROUP_A, GROUP_B, area="gm", year="year",
                         total="pupils", min_unit_size=0, min_area_size=0)
    data = report_data(result, counts, unit="school", x="x", y="y", crs="EPSG:28992",
                       name="naam", boundaries=bounds, only=list(HOSTILE.values())[:4],
                       group_labels={"a": LABEL_A, "b": LABEL_B}, bandwidth=1000,
                       permutations=9, n_boot=30)  # intervals: names in the change lists
    pages = dict(render_report(data, lang="nl"))
    assert len(pages) == 5
    for page in pages.values():
        _assert_inert(page)
        assert _collapse(LABEL_A) in _collapse(_texts(page))
    shown = _collapse(_texts(pages["index.html"]))
    for text in list(HOSTILE.values())[:4]:
        assert _collapse(text) in shown


# --------------------------------------------------------------------------- in a browser


def test_no_script_runs_in_chromium(files, report_folder, workdir, capsys, chromium):
    """Every page the commands wrote, in headless Chromium: no dialog, no payload's
    flag in any frame, no console error, and the names shown as text."""
    paths, _, _ = files
    schools = workdir / "schools.html"
    _run(capsys, "schools", paths["counts"], "--unit", "school", "--name", "naam",
         "--group-a", GROUP_A, "--group-b", GROUP_B, "--x", "x", "--y", "y", "--crs",
         "EPSG:28992", "--area", "gm", "--boundaries", paths["bounds"], "--offline",
         "--output", schools)
    maps = [schools]
    documents = maps + sorted(report_folder.glob("*.html"))
    for path in documents:
        page = chromium.new_page(viewport={"width": 1100, "height": 800})
        log = {"errors": [], "dialogs": []}
        page.on("console", lambda m, log=log: log["errors"].append(m.text)
                if m.type == "error" else None)
        page.on("pageerror", lambda e, log=log: log["errors"].append(str(e)))
        page.on("dialog", lambda d, log=log: (log["dialogs"].append(d.message),
                                              d.dismiss()))
        page.goto(path.as_uri())
        page.wait_for_load_state("load")
        if path in maps:
            page.wait_for_selector("path.leaflet-interactive")
            popups = page.evaluate("""() => {
                const map = window[Object.keys(window).find(k => k.startsWith('map_'))];
                const texts = [];
                map.eachLayer(l => {
                    if (!(l.feature && 'school' in l.feature.properties)) return;
                    l.fire('click', {latlng: l.getLatLng()}, true);  // as a click does
                    texts.push(document.querySelector('.leaflet-popup-content').innerText);
                });
                return texts; }""")
            shown = _collapse(" ".join(popups))
            for cls, text in HOSTILE.items():
                assert _collapse(text) in shown, cls
        else:
            page.frame_locator("iframe.map").first.locator(
                "path.leaflet-interactive").first.wait_for()
            shown = _collapse(page.locator("body").inner_text())
            assert _collapse(HOSTILE["html_script"]) in shown
        page.wait_for_timeout(100)
        flags = [frame.evaluate("window.__pwned || null") for frame in page.frames]
        assert log["dialogs"] == [] and flags == [None] * len(flags), path.name
        assert log["errors"] == [], (path.name, log["errors"])
        page.close()
