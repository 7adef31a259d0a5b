"""What a municipality page reads from its numbers (review of issue 11: #1, #1b, #2,
#3, #10, #13, #16, #23, #26): no "where segregation happens" without a pattern, few
schools said first, withheld is not "could not be computed", one- and two-school pages
in one sentence, one interval per value, group A/B without labels."""

from __future__ import annotations

import html
import re

import pandas as pd
import pytest

import segspatial as ss
from segspatial import report as rp
from segspatial.cli import main
from segspatial.report._context import _Ctx
from segspatial.report._interpret import interpretation


def _text(sentences) -> str:
    return html.unescape(" ".join(re.sub(r"<[^>]+>", "", str(s)) for s in sentences)
                         ).replace("\u00a0", " ")


# --------------------------------------------------------------------------- the rules


def test_few_schools_caveat_comes_first():
    out = interpretation(0.2, {500: 0.19, 4000: 0.05}, n_schools=3)
    assert "With only 3 schools" in str(out[0])
    assert "between parts" in _text(out[1:])


def test_no_where_reading_when_not_above_random():
    """The review's Renswoude: D = 0.048, D* = -0.22, H = 0.001, spatial H 7% of H at
    500 m was read as 'mostly between neighbouring schools'."""
    out = interpretation(0.001, {500: 0.00007, 4000: 0.0}, dstar=-0.22, n_schools=2,
                         morans_i=float("nan"))
    text = _text(out)
    assert "no pattern" in text and "-0.22" in text.replace("−", "-")
    assert "neighbouring schools" not in text and "between parts" not in text
    for dstar in (0.0, 0.05):
        assert "no pattern" in _text(interpretation(0.2, {500: 0.05}, dstar=dstar))
    assert "between neighbouring" in _text(interpretation(0.2, {500: 0.05}, dstar=0.06))
    # H printed as 0 (disclosure rounding): nothing to locate, never "could not be computed"
    zero = _text(interpretation(0.0, {500: 0.0}, digits=2))
    assert "no segregation to locate" in zero and "could not" not in zero
    assert "geen patroon" in _text(interpretation(0.2, {500: 0.05}, dstar=0.0, lang="nl"))


def test_bandwidth_without_neighbours_is_its_own_case():
    """The review's Terschelling: at 500 m no school has a neighbour, so spatial H = H
    and 'neighbouring schools are alike' was read from it."""
    out = _text(interpretation(0.032, {500: 0.032, 1000: 0.01, 2000: 0.005},
                               lonely=[500], dstar=0.3))
    assert "At 500 m no school has another school near enough" in out
    assert "starts at 1 km" in out
    assert "within about 1 km" in out and "Neighbouring schools are alike" not in out
    alone = _text(interpretation(0.032, {500: 0.032, 1000: 0.032}, lonely=[500, 1000],
                                 dstar=0.3))
    assert "At none of the bandwidths" in alone
    assert "Segregation is" not in alone


def test_morans_sentence_names_its_bandwidth():
    out = _text(interpretation(0.2, {500: 0.19}, morans_i=0.3, morans_p=0.01,
                               moran_bandwidth=1000, dstar=0.3))
    assert "At 1 km, schools with many A tend to lie near each other" in out
    nl = _text(interpretation(0.2, {500: 0.19}, morans_i=-0.3, morans_p=0.01,
                              moran_bandwidth=500, dstar=0.3, lang="nl"))
    assert "Op 500 m verschillen naburige scholen" in nl


def test_withheld_is_not_could_not_be_computed():
    hidden = _text(interpretation(float("nan"), {}, h_withheld=True))
    assert "not shown" in hidden and "could not" not in hidden
    part = _text(interpretation(0.2, {500: 0.19}, dstar=0.3, withheld=["Moran's I"]))
    assert "Not shown here (disclosure control): Moran's I." in part
    assert "could not be computed" in _text(interpretation(float("nan"), {}))


def test_value_outside_its_interval_is_marked():
    ctx = _Ctx(lang="en", min_cell=None, offline=False, stamp=None, labels={})
    assert "†" in str(ctx.interval(0.097, 0.142, 3, value=0.145))
    assert "†" not in str(ctx.interval(0.097, 0.142, 3, value=0.120))
    assert "†" not in str(ctx.interval(0.097, 0.142, 3))


def test_header_lists_each_theme_in_its_natural_order():
    from types import SimpleNamespace

    from segspatial._groups import COMPARISONS, GROUP_COLUMNS
    from segspatial.report._sections import _share_lines

    ctx = _Ctx(lang="en", min_cell=None, offline=False, stamp=None, labels={})
    columns = [c for cols in GROUP_COLUMNS.values() for c in cols]
    current = pd.DataFrame({c: [1] for c in columns})
    lines = _share_lines(ctx, SimpleNamespace(comparisons=dict(COMPARISONS)), current)
    assert lines == [(t, list(cols)) for t, cols in GROUP_COLUMNS.items()]


# --------------------------------------------------------------------------- pages


@pytest.fixture(scope="module")
def small_towns():
    """Demo GM9002 as it is, GM9005 with one school, GM9003 with two; group columns
    with names that are not groups the catalogue knows (``a_above``, ``rest``)."""
    from segspatial.demo import demo_counts, demo_schools
    from segspatial.demo_maps import demo_boundaries

    counts = demo_counts(years=(2018,)).rename(columns={"a": "a_above", "b": "rest"})
    keep = (counts["municipality"] == "GM9002") | counts.index.isin(
        list(counts[counts["municipality"] == "GM9005"].index[:1])
        + list(counts[counts["municipality"] == "GM9003"].index[:2]))
    counts = counts[keep].copy()
    result = ss.segregation(counts, "school", "a_above", "rest", area="municipality",
                            year="year", total="total", min_unit_size=0, min_area_size=0)
    data = rp.report_data(result, counts, unit="school", x="x", y="y", crs="EPSG:28992",
                          name="school_name", boundaries=demo_boundaries(demo_schools()),
                          area_code="statcode", permutations=19, n_boot=50)
    return dict(rp.render_report(data)) | {"_data": data}


def _page(pages, code):
    """A municipality's page (non-breaking spaces as spaces)."""
    return next(t for n, t in pages.items() if n not in ("index.html", "_data")
                and f">{code}<" in t).replace("\u00a0", " ")


def _section(page: str, heading: str) -> str:
    start = page.index(heading)
    return page[start:page.find("<section", start)]


def test_one_school_page_says_so_in_one_sentence(small_towns):
    page = html.unescape(_page(small_towns, "GM9005"))
    assert page.count("has one school: segregation between schools cannot occur here") == 3
    assert "of the 1 schools" not in page
    spatial = _section(page, "Between neighbouring schools, or between parts")
    assert "<table" not in spatial and "Gaussian kernel" not in spatial
    latest = _section(page, "<h2>Segregation")
    assert "<table" not in latest


def test_two_school_page_replaces_the_spatial_section(small_towns):
    page = html.unescape(_page(small_towns, "GM9003"))
    spatial = _section(page, "Between neighbouring schools, or between parts")
    assert "has two schools" in spatial and "<table" not in spatial
    assert "Moran" not in spatial


def test_groups_without_labels_are_group_a_and_b(small_towns):
    page = html.unescape(_page(small_towns, "GM9002"))
    body = page[:page.index("Method and provenance")]
    assert "group A" in body and "group a_above" not in body and "a_above" not in body
    method = page[page.index("Method and provenance"):]
    assert "group A: the column a_above of the input." in method
    assert "group B: the column rest of the input." in method
    assert "--bootstrap" not in body


def test_profile_point_at_0_m_has_the_tables_interval(small_towns):
    page = html.unescape(_page(small_towns, "GM9002"))
    latest = _section(page, "<h2>Segregation")
    d, ci = re.search(r"<td[^>]*>(\d\.\d{3}) <span class=\"ci\">(\([^<]*\))", latest).groups()
    assert f"0 m: {d} {ci}" in page
    assert re.search(r"spatial D 0:", page) is None


def test_units_without_coordinates_and_postcode_have_their_own_reason(tmp_path, capsys):
    path = tmp_path / "pc.csv"
    path.write_text("school,a,b,x,y,pc,gm\ns1,30,40,121000,487000,,GM1\n"
                    "s2,20,50,,,1011,GM1\ns3,10,60,,,,GM1\ns4,15,60,122000,488000,1012,GM1\n")
    table = tmp_path / "pct.csv"
    table.write_text("postcode,x_rd,y_rd\n1011,121500,487500\n1012,122500,487900\n")
    excl = tmp_path / "excl.csv"
    assert main(["indices", str(path), "--unit", "school", "--group-a", "a", "--group-b",
                 "b", "--x", "x", "--y", "y", "--crs", "EPSG:28992", "--postcode", "pc",
                 "--postcode-table", str(table), "--area", "gm", "--min-unit-size", "0",
                 "--min-area-size", "0", "-o", str(tmp_path / "o.csv"),
                 "--exclusions-output", str(excl)]) == 0
    err = capsys.readouterr().err
    assert ("1 unit has neither coordinates (--x/--y) nor a postcode (--postcode) and "
            "is left out: line 4 (unit 's3') of") in err
    assert "nan" not in err
    left = pd.read_csv(excl).set_index("reason")
    assert left.loc["no_coordinates_no_postcode", "n_units"] == 1
    assert "postcode_unmatched" not in left.index


def test_report_title_names_the_index_page(small_towns):
    name, page = next(rp.render_report(small_towns["_data"], title="Scholen <Noord>"))
    assert name == "index.html"
    assert "<h1>Scholen &lt;Noord&gt;</h1>" in page
    assert "<title>Scholen &lt;Noord&gt;</title>" in page
    assert "<h1>School segregation per municipality</h1>" in small_towns["index.html"]


# --------------------------------------------------------------------------- real case


@pytest.fixture(scope="module")
def real_pages(real_2019, boundaries):
    """The pages of the real 2019 case's municipalities with fewer than 12 schools
    (where few schools, no neighbours and no pattern arise), and Amsterdam."""
    result = ss.segregation(real_2019, "school", "a", "b", area="municipality",
                            total="pupils", min_unit_size=50, min_area_size=0)
    sizes = real_2019[real_2019["pupils"] >= 50].groupby("municipality")["school"].nunique()
    only = sorted(set(sizes[sizes < 12].index) | {"GM0363"})
    data = rp.report_data(result, real_2019, unit="school", x="x", y="y",
                          crs="EPSG:28992", name="school_name", boundaries=boundaries,
                          only=only, permutations=99, n_boot=0)
    return dict(rp.render_report(data))


def test_real_case_pages_never_contradict_themselves(real_pages):
    """No page says neighbouring schools are alike and shows a checkerboard; no page
    reads where segregation happens when D* <= 0.05; no Moran's I of fewer than 3
    linked schools (the review's Terschelling: -1.50)."""
    where = ("mostly <strong>between", "partly between neighbouring")
    scanned = 0
    for name, page in real_pages.items():
        if name == "index.html":
            continue
        text = html.unescape(page)
        scanned += 1
        assert not ("Neighbouring schools are alike" in text
                    and "checkerboard pattern" in text), name
        m = re.search(r"the standardised D\*, which measures the distance from random "
                      r"allocation, is (−?\d+\.\d+)", text)
        if m and float(m.group(1).replace("−", "-")) <= 0.05:
            assert not any(w in text for w in where), name
        assert "Moran's I = −1.50" not in text, name
    assert scanned > 100
