"""The text catalogue (segspatial.text): every key and field in every language, plain
text, literal filling, a third language from one file, and the pages' wording."""

from __future__ import annotations

import json
import re
import tomllib
from importlib import resources

import pytest

from segspatial import text
from segspatial.text import LANGUAGES, catalogue, fields, markup, t


def test_every_key_and_every_field_in_every_language():
    # every shipped language is registered (a new one is one file plus BUILTIN), and
    # has the keys and fields of the first, with the plural variants of its own locale
    assert tuple(LANGUAGES) == text.BUILTIN and {"en", "nl"} <= set(LANGUAGES)
    for lang in LANGUAGES:
        text._check_complete(lang)
    variants = text._variants(catalogue("en"))
    for key, pattern in catalogue("en").items():
        if key not in variants:
            assert fields(catalogue("nl")[key]) == fields(pattern), key


def test_every_text_is_plain_text():
    for lang in LANGUAGES:
        for key, pattern in catalogue(lang).items():
            assert not re.search(r"<[a-zA-Z/]|&[#\w]+;", pattern), (lang, key, pattern)
            assert pattern == pattern.strip() or key == "when_year", (lang, key)


def test_t_fills_fields_literally_and_escapes_nothing():
    hostile = "{{7*7}} <b>x</b> $a & ${b}"
    assert t("en", "fig_share_of", a=hostile) == f"Share of {hostile}"
    assert t("nl", "fig_share_of", a=hostile) == f"Aandeel {hostile}"
    assert str(markup("en", "fig_share_of", a=hostile)) == (  # braces as entities too
        "Share of &#123;&#123;7*7&#125;&#125; &lt;b&gt;x&lt;/b&gt; $a &amp; $&#123;b&#125;")
    assert str(markup("en", "def_theil")) == (
        "Theil&#39;s information index H (Reardon &amp; Firebaugh 2002).")
    with pytest.raises(KeyError, match="no key 'nope'"):
        t("en", "nope")
    with pytest.raises(KeyError, match="a"):
        t("en", "fig_share_of")
    with pytest.raises(ValueError, match="lang must be one of 'en', 'nl'.*, got 'x-none'"):
        t("x-none", "in_short")  # a code no catalogue can have


def test_language_metadata_and_tables():
    assert text.language("nl").locale == "nl_NL" and text.language("en").name == "English"
    assert t("nl", "index_name.dissimilarity") == "Dissimilariteitsindex D"
    assert text.lookup("en", "group_noun.nonwestern") == "non-western pupils"
    assert text.lookup("en", "group_noun.somebody") is None


def test_the_command_line_offers_the_registry(monkeypatch):
    from segspatial.cli import _options

    lang = next(o for o in _options.GROUPS["pages"].options if "--lang" in o.flags)
    assert tuple(lang.kwargs["choices"]) == tuple(LANGUAGES)
    labels = " ".join(o.help for o in _options.GROUPS["labels"].options)
    assert "noun phrase" in labels and "achterstandsleerlingen" in labels


def _fake_catalogue(tmp_path, *, drop: str | None = None, extra_field: bool = False,
                    locale: str = "de_DE", categories: tuple[str, ...] = ()):
    """English in brackets, with German numbers: a third language in one file
    (``categories``: plural variants to add beside every ``_one``, e.g. Polish's)."""
    source = tomllib.loads((resources.files("segspatial.text") / "en.toml")
                           .read_text(encoding="utf-8"))
    lines = ["[language]", 'name = "Testish"', f'locale = "{locale}"']
    for table, entries in source.items():
        if table == "language":
            continue
        lines.append(f"[{table}]")
        for key, value in entries.items():
            if key == drop:
                continue
            if extra_field and key == "in_short":
                value += " $extra"
            lines.append(f"{json.dumps(key)} = "
                         f"{json.dumps('⟦' + value + '⟧', ensure_ascii=False)}")
            if key.endswith("_one") and key[:-4] in entries:
                for category in categories:
                    lines.append(f"{json.dumps(key[:-4] + '_' + category)} = " + json.dumps(
                        f"⟦{category}: {entries[key[:-4]]}⟧", ensure_ascii=False))
    path = tmp_path / "xx.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def third_language(tmp_path):
    path = _fake_catalogue(tmp_path)
    yield text.register_language("xx", path)
    del text.LANGUAGES["xx"]
    text._LOADED.pop("xx", None)


def test_a_third_language_is_one_file(third_language, tmp_path):
    import html

    from segspatial.demo import demo_pupils, demo_schools
    from segspatial.demo_maps import demo_boundaries
    from segspatial.pupils import pupil_segregation
    from segspatial.report import render_report, report_data

    assert third_language.locale == "de_DE" and "xx" in LANGUAGES
    schools = demo_schools()
    result = pupil_segregation(demo_pupils(years=(2018,)), "school", area="municipality",
                               year="year", ethnicity="ethnicity")
    data = report_data(result, schools, unit="school", x="x", y="y", crs="EPSG:28992",
                       name="school_name", boundaries=demo_boundaries(schools),
                       area_code="statcode", only=["GM9001"], permutations=19)
    pages = dict(render_report(data, lang="xx", offline=True))
    page = pages["GM9001.html"]
    assert '<html lang="xx">' in page
    assert "⟦In short⟧" in page and "⟦What these numbers cannot tell⟧" in page
    d = data.table.query("area == 'GM9001' and index == 'dissimilarity' and "
                         "comparison == 'dutch_vs_nonwestern'")["value"].iloc[0]
    assert f"<td>{d:.3f}</td>".replace(".", ",") in page  # German numbers
    in_frame = html.unescape(html.unescape(page))  # the map's page in the iframe's srcdoc
    assert json.dumps("⟦share of ⟦Dutch pupils⟧⟧")[1:-1] in in_frame  # popups (JSON)
    assert "⟦Dissimilarity index D⟧" in pages["index.html"]  # the index map's legend


def _monitor_result():
    import geopandas as gpd
    from shapely.geometry import box

    from segspatial.monitor import compute_monitor, read_enrolments, region_mapping

    def rec(gm, prog, sex, y1, y2):
        return {"GEMEENTENUMMER": gm, "OPLEIDINGSCODE ACTUEEL": prog, "GESLACHT": sex,
                "ONDERDEEL": "techniek", "OPLEIDINGSNAAM ACTUEEL": "B Elektrotechniek",
                "GEMEENTENAAM": "Gemeente", "2023": y1, "2024": y2}

    records = [rec("0001", 1, "vrouw", 30, 35), rec("0001", 1, "man", 90, 85),
               rec("0001", 2, "vrouw", "<5", 6), rec("0001", 2, "man", 40, 44),
               rec("0002", 1, "vrouw", 1250, 1260), rec("0002", 1, "man", 4500, 4510)]
    muni = gpd.GeoDataFrame({"statcode": ["GM0001", "GM0002"], "statnaam": ["A", "B"]},
                            geometry=[box(x, 4e5, x + 1e4, 4.1e5) for x in (1e5, 1.1e5)],
                            crs="EPSG:28992")
    regions = gpd.GeoDataFrame({"statcode": ["AM01"], "statnaam": ["Noord"]},
                               geometry=[box(1e5, 4e5, 1.2e5, 4.1e5)], crs="EPSG:28992")
    return records, muni, regions, compute_monitor, read_enrolments, region_mapping


def test_a_third_language_reaches_the_monitor_and_qgis(third_language, tmp_path):
    """The monitor's pages and the QGIS provider's texts come from the same catalogue:
    the one new file speaks on them too, numbers in its locale."""
    from segspatial.monitor.pages import render_pages
    from segspatial.qgis._texts import language as qgis_language
    from segspatial.qgis._texts import text as qgis_text

    records, muni, regions, compute, read, mapping = _monitor_result()
    data = tmp_path / "hbo.json"
    data.write_text(json.dumps(records), encoding="utf-8")
    result = compute(read(data), mapping(muni, {"arbeidsmarktregio": regions}))
    pages = dict(render_pages(result, lang="xx"))
    index = pages["index.html"]
    assert '<html lang="xx">' in index
    for key in ("title", "share_women", "method", "exclusions", "segregation"):
        assert f"⟦{t('en', f'monitor.{key}')}⟧" in index, key
    assert "the middle, rounded down" in index and "⟦the middle" in index  # point rule
    # German numbers, and the German percent pattern (a no-break space before %)
    assert "<td>1.301</td>" in index and "<td>21,9\u00a0%</td>" in index
    assert "<td>⟦+0,2 pp⟧</td>" in index
    english = dict(render_pages(result, lang="en"))["index.html"]
    assert "<td>1,301</td>" in english and "⟦" not in english
    assert qgis_language("xx_XX") == "xx"
    assert qgis_language("x1_X1") == "en"  # no catalogue has x1
    assert qgis_text("alg.indices", "xx") == "⟦Segregation indices per area⟧"
    assert qgis_text("msg.wrote", "xx", n=3) == "⟦Wrote 3 features.⟧"
    assert qgis_text("help.report", "xx").startswith("<p>⟦Writes the HTML report")
    assert qgis_text("alg.indices", "x1") == "Segregation indices per area"


def test_plural_variants_follow_the_locale_rules(tmp_path):
    """A language with other plural rules (Polish: one, few, many) needs only its
    catalogue: the variants are picked by Babel's CLDR rules for its locale."""
    assert text.plural_categories("en") == text.plural_categories("nl") == ("one", "other")
    path = _fake_catalogue(tmp_path, locale="pl_PL", categories=("few", "many"))
    try:
        text.register_language("xx", path)
        assert text.plural_categories("xx") == ("one", "few", "many", "other")
        said = {n: text.plural("xx", "cli.n_units", n, n=n) for n in (1, 3, 5, 22, 1.5)}
        assert said == {1: "⟦$n unit⟧".replace("$n", "1"), 3: "⟦few: 3 units⟧",
                        5: "⟦many: 5 units⟧", 22: "⟦few: 22 units⟧", 1.5: "⟦1.5 units⟧"}
        assert t("xx", "cli.n_units", n="22") == "⟦few: 22 units⟧"  # t() picks it too
        # exact sentences come first, in every language
        assert text.plural("xx", "undefined_reason.fewer_than_2_units", 1, n=1) == \
            "⟦there is only one school⟧"
    finally:
        text.LANGUAGES.pop("xx", None)
        text._LOADED.pop("xx", None)
    # Polish without its 'few' forms, and English with a category it does not have
    with pytest.raises(ValueError, match=r"cli\.n_units \(plural variants missing: "
                                         r"cli\.n_units_few"):
        text.register_language("xx", _fake_catalogue(tmp_path, locale="pl_PL",
                                                     categories=("many",)))
    with pytest.raises(ValueError, match=r"'few' is not a plural category of de_DE"):
        text.register_language("xx", _fake_catalogue(tmp_path, categories=("few",)))
    assert "xx" not in LANGUAGES


#: Plural nouns a count of one must not be followed by (review1 #21).
_PLURALS = {"en": "pupils|schools|units|municipalities|area-years|rows|features|postcodes|"
                  "enrolments|people|values|indices|groups|replicates|areas|women|men|"
                  "years|geometries|programmes|pages|regions",
            "nl": "leerlingen|scholen|gemeenten|gebied-jaren|rijen|objecten|postcodes|"
                  "inschrijvingen|personen|waarden|indexen|indices|groepen|trekkingen|"
                  "bootstraptrekkingen|gebieden|vrouwen|mannen|jaren|geometrieën|"
                  "opleidingen|pagina's|regio's|grensobjecten"}


@pytest.mark.parametrize("lang", list(_PLURALS))
def test_every_count_pattern_reads_right_for_one(lang):
    """Every pattern with a count $n, rendered with n = 1 (its plural variant picked by
    t() itself), has no plural noun after the 1: '1 school', 'minder dan 1 leerling'."""
    table = catalogue(lang)
    variants = text._variants(table)
    checked = 0
    for key, pattern in table.items():
        if key in variants or "n" not in fields(pattern):
            continue
        names = set(fields(pattern)).union(*(fields(table[v]) for v, (base, _) in
                                              variants.items() if base == key))
        values = {name: f"<{name}>" for name in names} | {"n": "1"}
        said = t(lang, key, **values).replace("\n", " ")
        assert not re.search(rf"(?<![\d.,])1 (\S+ )?({_PLURALS[lang]})\b", said), (key, said)
        checked += 1
    assert checked > 40


def test_a_catalogue_with_a_missing_key_or_field_is_refused(tmp_path):
    with pytest.raises(ValueError, match=r"xx\.toml.*missing.*in_short"):
        text.register_language("xx", _fake_catalogue(tmp_path, drop="in_short"))
    with pytest.raises(ValueError, match=r"in_short.*fields.*extra"):
        text.register_language("xx", _fake_catalogue(tmp_path, extra_field=True))
    assert "xx" not in LANGUAGES
    bad = tmp_path / "bad.toml"
    bad.write_text('[text]\nin_short = "x"\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"needs a \[language\] table"):
        text.register_language("yy", bad)
    with pytest.raises(ValueError, match="short lower-case tag"):
        text.register_language("../x", bad)
    assert "yy" not in LANGUAGES


# --------------------------------------------------------------------------- the pages' words


@pytest.fixture(scope="module")
def demo():
    from segspatial.demo import demo_pupils, demo_schools
    from segspatial.demo_maps import demo_boundaries
    from segspatial.pupils import pupil_segregation

    schools = demo_schools()
    result = pupil_segregation(demo_pupils(years=(2018,)), "school", area="municipality",
                               year="year", ethnicity="ethnicity", min_unit_size=0,
                               min_area_size=0)
    return result, schools, demo_boundaries(schools)


@pytest.mark.parametrize(("lang", "label_a", "label_b", "never"), [
    ("nl", "achterstandsleerlingen", "overige leerlingen",
     ["leerlingen achterstandsleerlingen", "leerlingen overige leerlingen"]),
    ("en", "pupils with a disadvantage background", "other pupils",
     ["background pupils", "other pupils pupils", "pupils pupils"]),
])
def test_labels_are_noun_phrases_and_a_minimum_of_zero_is_no_minimum(demo, lang, label_a,
                                                                     label_b, never):
    import html

    from segspatial.report import render_report, report_data

    result, schools, boundaries = demo
    data = report_data(result, schools, unit="school", x="x", y="y", crs="EPSG:28992",
                       name="school_name", boundaries=boundaries, area_code="statcode",
                       only=["GM9001"], permutations=19,
                       group_labels={"nonwestern": label_a, "dutch": label_b})
    pages = {k: html.unescape(v) for k, v in render_report(data, lang=lang, offline=True,
                                                          min_cell=10)}
    page = pages["GM9001.html"]
    assert label_a in page and label_b in page
    for text_ in never:
        assert text_ not in page, text_
    minimum = {"nl": ("Geen school is om haar grootte weggelaten.",
                      "Geen gemeente is om haar grootte weggelaten."),
               "en": ("No school is left out for its size.",
                      "No municipality is left out for its size.")}[lang]
    assert all(m in page for m in minimum)
    assert "fewer than 0" not in page and "minder dan 0" not in page


def test_percent_follows_the_locale_pattern(third_language):
    """Percentages take the locale's own CLDR pattern (Babel): German puts a
    (non-breaking) space before the sign; English and Dutch as before."""
    from segspatial._format import Formatter

    assert Formatter("xx").percent(0.347, 1) == "34,7\u00a0%"
    assert Formatter("nl").percent(0.347, 1) == "34,7%"
    assert Formatter("en").percent(0.347) == "35%"
    assert Formatter("nl").percent(-0.012, 1) == "−1,2%"
