"""The editor's round (issue 11, review1/review2 wording findings): each example a
test of the rendered text, in both languages."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from segspatial._format import Formatter
from segspatial.report._context import _Ctx
from segspatial.text import catalogue, t


def _ctx(lang: str) -> _Ctx:
    return _Ctx(lang=lang, min_cell=None, offline=True, stamp=None, labels={})


@pytest.mark.parametrize(("lang", "cells", "before_noun"), [
    ("nl", ["laag", "matig", "hoog"], "hoge segregatie"),
    ("en", ["low", "moderate", "high"], "high segregation")])
def test_the_band_in_a_table_cell_is_not_inflected(lang, cells, before_noun):
    """review1 #5: 'laag/matig/hoog' alone in a cell, 'hoge segregatie' before a noun."""
    ctx = _ctx(lang)
    assert [str(ctx.band(v)["short"]) for v in (0.1, 0.4, 0.7)] == cells
    assert t(lang, "lead_verdict", band=str(ctx.band(0.7)["label"])).lower() == before_noun


@pytest.mark.parametrize(("lang", "expected"), [
    ("nl", {"dutch_vs_nonwestern": "Nederlandse vs niet-westerse leerlingen",
            "western_vs_nonwestern": "westerse vs niet-westerse leerlingen",
            "high_vs_low_income": "leerlingen uit gezinnen met een hoog vs laag inkomen",
            "high_vs_low_education": "leerlingen met hoog- vs laagopgeleide ouders"}),
    ("en", {"dutch_vs_nonwestern": "Dutch vs non-western pupils",
            "western_vs_nonwestern": "western vs non-western pupils",
            "high_vs_low_income": "pupils from high- vs low-income families",
            "high_vs_low_education": "pupils whose parents have high vs low education"})])
def test_comparisons_are_one_noun_phrase_everywhere(lang, expected):
    """review1 #12 / review2 #2: one noun phrase per comparison, the same in a figure
    title (after the dash), at the start of a heatmap panel (capitalised) and on the
    pages; never 'leerlingen Nederlands'."""
    words, ctx = Formatter(lang), _ctx(lang)
    for comparison, phrase in expected.items():
        assert words.comparison(comparison) == phrase
        assert ctx.comparison(comparison, ("a", "b")) == phrase
        assert ctx.comparison(comparison, ("a", "b"), start=True) == \
            phrase[0].upper() + phrase[1:]
        assert words.selection_title("dissimilarity", comparison=comparison,
                                     year=2018).endswith(f" — {phrase}, 2018")
    for key, phrase in catalogue(lang).items():
        if key.startswith("comparison_name."):
            assert "leerlingen Nederlands" not in phrase and "pupils pupils" not in phrase
            assert phrase.endswith(("leerlingen", "ouders", "inkomen", "pupils", "families",
                                    "education")), phrase


def test_dutch_disclosure_and_index_words_are_one_each():
    """review1 #15: 'statistische geheimhouding' (as CBS says) and 'indexen', nowhere
    else another word; the CLI's command names stay (``segspatial indices``)."""
    import re

    nl = catalogue("nl")
    text = " ".join(nl.values()).lower()
    assert "onthulling" not in text
    assert "statistische geheimhouding" in text
    plain = re.sub(r"segspatial indices|\$\w+|`[^`]*`", "", text)
    assert not re.search(r"\bindices\b", plain)


def test_one_municipality_is_named_not_a_median_of_one_value():
    """review1 #21: 'In Havenstad is Theils H 0,254', not 'in 1 gemeenten ... mediaan
    van 0,254 (van 0,254 tot 0,254)'."""
    for lang, said in (("nl", "in Havenstad is Theils H 0,254"),
                       ("en", "in Havenstad, Theil's H is 0.254")):
        ctx = _ctx(lang)
        sentence = str(ctx.tn("multigroup.national", 1, groups="x", name="Havenstad",
                              n="1", median=ctx.num(0.254, 3), low="l", high="h"))
        assert said in sentence.replace("&#39;", "'") and "median" not in sentence


def test_districts_are_named_without_the_file_name():
    """review1 #27: the district file's name stays under the input files."""
    from segspatial.report._sections import districts_text

    data = SimpleNamespace(parameters={"districts": {"kind": "file"}})
    assert str(districts_text(_ctx("nl"), data)) == \
        "vlakken uit het wijkenbestand, zie invoerbestanden"
    frame = SimpleNamespace(parameters={"districts": {"kind": "frame"}})
    assert str(districts_text(_ctx("en"), frame)) == "the district polygons given"


def test_the_stamp_is_written_in_the_page_language():
    """review1 #27: --stamp as a date of the page's locale (Babel), not ISO."""
    moment = datetime(2026, 11, 29, 23, 35, 59, tzinfo=UTC)
    assert Formatter("nl").datetime(moment) == "29 november 2026, 23:35 UTC"
    assert Formatter("en").datetime(moment) == "29 November 2026, 23:35 UTC"


def test_wording_nits_of_review1_25():
    """'Gauss-kern' (not 'kern: Gaussische'), en dashes in ranges, no double colon in
    the H(p) caption."""
    words = Formatter("nl")
    assert words.spatial_title("spatial_dissimilarity", 1000, "gaussian") == \
        "Ruimtelijke D bij 1\u00a0km (Gauss-kern)"
    assert t("nl", "def_bands").startswith("Niveaus: 0–0,3 laag, 0,3–0,6 matig")
    assert t("en", "def_bands").startswith("Bands: 0–0.3 low, 0.3–0.6 moderate")
    for lang in ("en", "nl"):
        caption = t(lang, "multigroup.hp_caption", x=t(lang, "fig_hp_x"),
                    y=t(lang, "fig_hp_y"))
        assert ": p:" not in caption and "p: " not in caption
        assert "kern: " not in t(lang, "param_spatial", bandwidths="1 km",
                                 kernel=words.kernel("gaussian"), districts="d",
                                 permutations="9", seed="0", crs="c") or lang == "en"
