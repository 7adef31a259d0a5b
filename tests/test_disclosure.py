"""The disclosure attack suite: ``--min-cell N`` is a guarantee.

Four attacks (issue 10) read only what the commands wrote, plus what anyone knows
anyway (each school's pupils, from DUO), and look for counts below N that only one
value fits (see ``tests/_attacks.py``):

1. index inversion: school totals, what the map shows per school, which schools are
   grey, the area's share of A and D, H, V at the precision published; solved
   exhaustively where the combinations are few enough, elsewhere every small count
   must have a second solution that fits everything published;
2. share x size: a share times a number of pupils (one- and few-school areas);
3. differencing: the total left out on the index page minus the municipality pages;
4. the third group: pupils minus the pupils in the two groups.

They run against the demo, the real 2019 case and the files every command writes;
none may recover a single count. Self-tests show that the same attackers do recover
counts from a publication like the one before the fix (on that code the report of the
real 2019 case gave 356 of 1,367 small counts to attack 1 alone), and the audit's
certificates are checked end to end: data with a count changed as a certificate says
give byte-identical pages.

The results files of ``indices`` with the spatial exposure and isolation (and spatial
D and H, under both definitions) get the same attacks: index inversion with every
published number recomputed by the attacker from the public school locations (small
areas exhaustively, a twin for every other small count), differencing (the third
group; the spatial rows, which count only schools with pupils in A or B, against the
aspatial ones) and twin comparison (a certified twin's numbers, rounded, are the
published ones), on the demo by neighbourhood and the real 2019 case, with and
without ``--min-cell``.
"""

from __future__ import annotations

import argparse
import json
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _attacks import (
    EXPOSURE,
    attack_differencing,
    attack_inversion,
    attack_results,
    attack_share_size,
    attack_share_size_map,
    attack_third_group,
    attack_third_group_table,
    attack_unit_differencing,
    features,
    read_report,
    weak_report,
)

import segspatial as ss
from segspatial import disclosure as dc
from segspatial import report as rp

N = 10


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def demo():
    """The demo's pupils (two years, every town and school: no size filter)."""
    from segspatial.demo import demo_pupils, demo_schools
    from segspatial.pupils import pupil_segregation

    result = pupil_segregation(demo_pupils(years=(2017, 2018)), "school",
                               area="municipality", year="year", ethnicity="ethnicity",
                               income="income", education="education", min_unit_size=0,
                               min_area_size=0)
    return rp.demo_report_data(result, demo_schools(), permutations=19)


@pytest.fixture(scope="module")
def demo_pages(demo):
    return dict(rp.render_report(demo, min_cell=N))


def _latest(data, a: str, b: str) -> pd.DataFrame:
    counts = data.counts
    latest = counts[counts["year"] == counts.groupby("area")["year"].transform("max")]
    return latest.rename(columns={a: "a_", b: "b_"}).rename(
        columns={"a_": "a", "b_": "b"})[["unit", "area", "a", "b", "total"]]


@pytest.fixture(scope="module")
def real_result(real_2019):
    """The real 2019 case as the issue's ``report --min-cell 10`` computed it."""
    return ss.segregation(real_2019, "school", "a", "b", area="municipality",
                          total="pupils", min_unit_size=50, min_area_size=0)


@pytest.fixture(scope="module")
def real(real_result, real_2019, boundaries):
    """Every second municipality (by code) of the real 2019 case, to keep the suite
    quick: small, middle and large ones alike."""
    only = sorted(real_result.table["area"].unique())[::2]
    return rp.report_data(real_result, real_2019, unit="school", x="x", y="y",
                          crs="EPSG:28992", name="school_name", boundaries=boundaries,
                          only=only, permutations=19)


@pytest.fixture(scope="module")
def real_pages(real):
    return dict(rp.render_report(real, min_cell=N))


def _exclusion_truth(data) -> dict[str, dict[str, int]]:
    from segspatial.counts import _REASONS
    from segspatial.text import lookup

    truth: dict[str, dict[str, int]] = {}
    for (reason, area), rows in data.exclusions.groupby(["reason", "area"]):
        text = lookup("en", f"exclusion_reason.{reason}") or _REASONS.get(reason, reason)
        truth.setdefault(text, {})[area] = int(rows["n_pupils"].sum())
    return truth


# --------------------------------------------------------------------------- attack 1


def test_index_inversion_recovers_nothing_on_the_real_case(real, real_pages):
    report = read_report(real_pages)
    assert report.base == 5 and report.min_cell == N  # read from the method note
    with_d = [p for p in report.pages.values() if p.index_row.get("D")]
    assert len(with_d) > 150  # the attacker does see the published indices ...
    assert all(p.index_row["D"][1] - p.index_row["D"][0] > 0.0099 for p in with_d)  # 2 dec.
    outcome = attack_inversion(report, _latest(real, "a", "b"), two_groups=True)
    assert outcome.attacked > 600  # every suppressed school's small count was attacked
    assert not outcome.wrong, outcome.wrong[:5]
    assert not outcome.recovered and not outcome.unresolved, str(outcome)


@pytest.mark.parametrize("attack", [attack_inversion, attack_share_size])
def test_inversion_and_share_times_size_recover_nothing_on_the_demo(attack, demo,
                                                                     demo_pages):
    outcome = attack(read_report(demo_pages), _latest(demo, "dutch", "nonwestern"),
                     two_groups=False)
    assert outcome.attacked > 5
    assert not outcome.wrong, outcome.wrong[:5]
    assert not outcome.recovered and not outcome.unresolved, str(outcome)


# --------------------------------------------------------------------------- attack 2


def test_share_times_size_recovers_nothing_on_the_real_case(real, real_pages):
    outcome = attack_share_size(read_report(real_pages), _latest(real, "a", "b"),
                                two_groups=True)
    assert outcome.attacked > 600
    assert not outcome.wrong and not outcome.recovered, str(outcome)


def test_school_map_of_the_whole_country_gives_no_count_away(real_2019):
    """The issue: `segspatial schools` alone gave 4 counts (one-school municipalities,
    the area's share x its pupils, e.g. GM0277 with 212 pupils at 4.2%)."""
    from segspatial.webmap import school_webmap

    located = real_2019[real_2019["location_source"] != "missing"]
    m = school_webmap(located, "school", "a", "b", x="x", y="y", crs="EPSG:28992",
                      area="municipality", total="pupils", min_cell=N)
    props = [p for p in features(m.get_root().render()) if "school" in p]
    assert len(props) == len(located) and not any("group_a" in p for p in props)
    truth = located.rename(columns={"school": "unit", "municipality": "area",
                                    "pupils": "total"})
    outcome = attack_share_size_map(props, truth, min_cell=N)
    assert outcome.attacked > 1000
    assert not outcome.wrong and not outcome.recovered, str(outcome)
    one = [p for p in props if p["school"] == "04HX00"]  # GM0277's one school
    assert one and one[0]["share_a"] == f"suppressed (a group < {N})"


# --------------------------------------------------------------------------- attack 3


def test_differencing_exclusions_recovers_nothing(real_result, real_2019, boundaries):
    """GM0050 left 13 pupils out in a small school, GM0457 7 (shown "< 10"): the index
    page's total minus GM0050's page gave the 7 back."""
    data = rp.report_data(real_result, real_2019, unit="school", x="x", y="y",
                          crs="EPSG:28992", name="school_name", boundaries=boundaries,
                          only=["GM0050", "GM0457"], permutations=9)
    pages = dict(rp.render_report(data, min_cell=N))
    outcome = attack_differencing(read_report(pages), _exclusion_truth(data))
    assert outcome.attacked == 1  # GM0457's 7 pupils in a small school
    assert not outcome.wrong and not outcome.recovered, str(outcome)
    assert "leaving out those below 10" in pages["index.html"]


@pytest.fixture(scope="module")
def demo_small_schools():
    """Two demo towns (2018) with one small school each, left out by
    ``min_unit_size=50``: 13 pupils in Polderdam (GM9002), 7 in GM9005, as in the
    issue's GM0050 / GM0457."""
    from segspatial.demo import demo_counts, demo_schools
    from segspatial.demo_maps import demo_boundaries

    counts = demo_counts(years=(2018,))
    counts = counts[counts["municipality"].isin(["GM9002", "GM9005"])
                    & (counts["total"] >= 50)].reset_index(drop=True)
    for town, (a, b) in (("GM9002", (6, 7)), ("GM9005", (4, 3))):
        first = counts.index[counts["municipality"] == town][0]
        counts.loc[first, ["a", "b", "total"]] = [a, b, a + b]
    result = ss.segregation(counts, "school", "a", "b", area="municipality", year="year",
                            total="total", min_unit_size=50, min_area_size=0)
    data = rp.report_data(result, counts, unit="school", x="x", y="y", crs="EPSG:28992",
                          name="school_name", boundaries=demo_boundaries(demo_schools()),
                          area_code="statcode", permutations=9)
    return data


def test_differencing_exclusions_recovers_nothing_on_the_demo(demo_small_schools):
    data = demo_small_schools
    truth = _exclusion_truth(data)
    plain = attack_differencing(read_report(dict(rp.render_report(data))), truth)
    assert [value for _, value in plain.recovered] == [7]  # the attack works
    pages = dict(rp.render_report(data, min_cell=N))
    outcome = attack_differencing(read_report(pages), truth)
    assert outcome.attacked == 1  # GM9005's 7 pupils in a small school
    assert not outcome.wrong and not outcome.recovered, str(outcome)


# --------------------------------------------------------------------------- attack 4


def test_third_group_recovers_nothing_on_the_demo(demo, demo_pages):
    outcome = attack_third_group(read_report(demo_pages), _latest(demo, "dutch",
                                                                   "nonwestern"))
    assert not outcome.wrong and not outcome.recovered, str(outcome)
    # and the header no longer says "< 10 pupils" next to a total it can be taken from
    for page in demo_pages.values():
        assert '"group_a"' not in page and '"group_b"' not in page


def test_third_group_recovers_nothing_on_the_real_case(real, real_pages):
    """In the real 2019 case every pupil is in group A or B: the third group is 0
    everywhere, and the pages must not pin even that (pupils and the pupils in the two
    groups are rounded alike)."""
    report = read_report(real_pages)
    outcome = attack_third_group(report, _latest(real, "a", "b"))
    assert outcome.attacked > 150  # every municipality's header and table
    assert not outcome.wrong and not outcome.recovered, str(outcome)


# --------------------------------------------------------------------------- the attackers work


def test_attackers_recover_counts_from_the_old_publication(real, real_result, demo):
    """The same attackers against what the code published before this policy (exact
    counts of the other schools, 0.1% shares, 12-decimal sort keys, exact totals):
    they recover counts, so the suite can fail."""
    truth = _latest(real, "a", "b")
    old = weak_report(truth, N, table=real_result.table)
    one = attack_inversion(old, truth, two_groups=True, twins=False)
    assert len(one.recovered) > 100 and not one.wrong, str(one)
    two = attack_share_size(old, truth, two_groups=True)
    assert ((("GM0277", "04HX00", "a"), 9) in two.recovered  # the 212 at 4.2%
            or "GM0277" not in old.pages) and not two.wrong
    assert len(two.recovered) >= 1
    # the third group: exact pupils minus exact counts of the two groups
    demo_truth = _latest(demo, "dutch", "nonwestern")
    four = attack_third_group(weak_report(demo_truth, N, table=demo.table.assign(
        value=0.0)), demo_truth)
    assert len(four.recovered) > 20 and not four.wrong, str(four)
    # differencing: an exact total minus exact parts, one part shown as "< 10"
    three = attack_differencing(replace(
        old, pages={"X": replace(old.pages[next(iter(old.pages))], code="X",
                                 exclusions=[("small", (13, 13))]),
                    "Y": replace(old.pages[next(iter(old.pages))], code="Y",
                                 exclusions=[("small", (0, 9))])},
        index_exclusions=[("small", (20, 20))]), {"small": {"Y": 7}})
    assert three.recovered == [(("small", "Y"), 7)]


@pytest.fixture(scope="module")
def real_few(real_result, real_2019, boundaries):
    """A few municipalities of the real 2019 case, among them the issue's GM0050,
    GM0457 (small schools left out) and GM0277 (one school)."""
    return rp.report_data(real_result, real_2019, unit="school", x="x", y="y",
                          crs="EPSG:28992", name="school_name", boundaries=boundaries,
                          only=["GM0050", "GM0277", "GM0457", "GM0003", "GM0010"],
                          permutations=9)


@pytest.mark.parametrize("case", ["demo", "real"])
def test_attackers_recover_counts_from_unprotected_pages(case, request):
    """The four attackers against the very pages the report writes without
    ``min_cell``: each recovers small counts (all of them right), so every attack of
    this suite can fail; with ``min_cell`` the same attackers recover nothing."""
    data = request.getfixturevalue("demo" if case == "demo" else "real_few")
    a, b, two = ("dutch", "nonwestern", False) if case == "demo" else ("a", "b", True)
    truth = _latest(data, a, b)
    found = {}
    for protected in (False, True):
        report = read_report(dict(rp.render_report(data, min_cell=N if protected else None)))
        found[protected] = {
            "inversion": attack_inversion(report, truth, two_groups=two),
            "share x size": attack_share_size(report, truth, two_groups=two),
            "third group": attack_third_group(report, truth),
            "differencing": attack_differencing(report, _exclusion_truth(data)),
        }
    for name, outcome in found[False].items():
        assert not outcome.wrong, (name, outcome.wrong[:5])
        if name != "differencing" or case == "real":  # the demo leaves no school out
            assert len(outcome.recovered) > 0, (name, str(outcome))
    for name, outcome in found[True].items():
        assert not outcome.wrong and not outcome.recovered, (name, str(outcome))


# --------------------------------------------------------------------------- the audit


@pytest.fixture(scope="module")
def demo_counts_report():
    """Counts input with a third group (pupils in neither group): two demo towns."""
    from segspatial.demo import demo_counts, demo_schools
    from segspatial.demo_maps import demo_boundaries

    counts = demo_counts(years=(2017, 2018))
    counts = counts[counts["municipality"].isin(["GM9002", "GM9005"])]
    bounds = demo_boundaries(demo_schools())

    def build(frame):
        result = ss.segregation(frame, "school", "a", "b", area="municipality", year="year",
                                total="total", min_unit_size=0, min_area_size=0)
        return rp.report_data(result, frame, unit="school", x="x", y="y",
                              crs="EPSG:28992", name="school_name", boundaries=bounds,
                              area_code="statcode", permutations=19)

    return counts, build


def _twin(counts: pd.DataFrame, certificate: pd.Series) -> pd.DataFrame:
    """The counts with one pupil moved as a certificate says."""
    twin = counts.copy()
    for unit, sign in ((certificate["moved_in"], 1), (certificate["moved_back_in"], -1)):
        if unit is None:
            continue
        row = ((twin["municipality"] == certificate["area"])
               & (twin["year"] == certificate["year"]) & (twin["school"] == unit))
        assert row.sum() == 1
        for group, step in ((certificate["moved_from"], -sign),
                            (certificate["moved_to"], sign)):
            if not group.startswith("("):  # "(none of a, b)": the third group
                twin.loc[row, group] += step
    return twin


def test_certified_twins_publish_byte_identical_pages(demo_counts_report):
    """For every kind of small count the audit names a twin; rendering the twin's
    data gives the very same pages, so the pages cannot tell the two counts apart."""
    counts, build = demo_counts_report
    data = build(counts)
    _, protected = rp._protected(data, N)
    certificates = protected.audit.certificates
    assert len(certificates) == protected.audit.cells > 20  # every small count has one
    kinds = certificates.groupby("count", sort=True).head(2)
    assert set(kinds["count"]) >= {"a", "(none of a, b)", "(neither group of a_vs_b)"}
    pages = dict(rp.render_report(data, min_cell=N))
    for _, certificate in kinds.iterrows():
        twin = _twin(counts, certificate)
        assert not twin.equals(counts)
        assert dict(rp.render_report(build(twin), min_cell=N)) == pages, \
            certificate.to_dict()


def test_audit_withholds_what_would_pin_a_count():
    """Two schools, one with 4 pupils of A: D = |4/56 - 96/1100| = 0.016 shows as 0.02,
    and every one-pupil twin moves it (3/56 - 97/1100: 0.03; 5/56 - 95/1100: 0.00), so
    the audit withholds D, and only D: H and V (0.00 either way) and the share of A in
    whole percents (56 of 1,156 = 4.8%: 5%) stay."""
    counts = pd.DataFrame({"area": "X", "year": 0, "unit": ["p", "q"], "a": [4, 52],
                           "b": [96, 1004], "total": [100, 1056]})
    design = dc.Design(comparisons={"c": ("a", "b")}, shares=("share_a",),
                       schools="latest", maps=("c",))
    audit = dc.audit(counts, design, dc.Policy(N))
    values = audit.values.set_index("index")["value"]
    assert np.isnan(values["dissimilarity"])
    assert values["theil_h"] == 0.0 and values["correlation"] == 0.0
    assert audit.levels["level"].tolist() == [1]
    assert audit.shares.set_index("key")["value"]["share_a:c"] == 0.05
    assert len(audit.certificates) == audit.cells
    # a city-sized area keeps its indices: one pupil moves them by far less than 0.005
    big = pd.DataFrame({"area": "X", "year": 0, "unit": [f"u{i}" for i in range(40)],
                        "a": [4] + [60 + 5 * i for i in range(39)],
                        "b": [200] + [300 - 3 * i for i in range(39)]})
    big["total"] = big["a"] + big["b"]
    audit = dc.audit(big, design, dc.Policy(N))
    assert audit.values["value"].notna().all()
    assert (audit.levels["level"] == 0).all() and audit.certified == audit.cells


def test_audit_recomputes_the_published_numbers_exactly(demo):
    """The audit's own values (from which the pages are filled) are the report's
    values rounded: its recomputation of the spatial indices is the engine's."""
    _, protected = rp._protected(demo, N)
    audited = protected.audit.values.dropna(subset=["value"])
    for name, table in (("table", demo.table), ("spatial", demo.spatial),
                        ("profile", demo.profile)):
        keys = ["area", "year", "comparison", "index"] + (
            ["bandwidth"] if "bandwidth" in table.columns else [])
        right = table.assign(exact=table["value"])[keys + ["exact"]]
        left = audited if "bandwidth" in keys else audited[audited["bandwidth"].isna()]
        both = left.merge(right, on=keys)
        assert len(both) > 20, name
        np.testing.assert_allclose(both["value"], np.round(both["exact"], 2), atol=1e-12,
                                   err_msg=name)


# --------------------------------------------------------------------------- every command


def _run(*argv) -> None:
    from segspatial.cli import main

    assert main([str(a) for a in argv]) == 0, argv


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """Every command that writes output, with --min-cell 10, on the demo's counts (two
    years, a third group, every school)."""
    from segspatial.demo import demo_counts, demo_schools
    from segspatial.demo_maps import demo_boundaries

    out = tmp_path_factory.mktemp("written")
    counts = demo_counts(years=(2017, 2018))
    counts.to_csv(out / "counts.csv", index=False)
    demo_boundaries(demo_schools()).to_file(out / "towns.geojson")
    base = ["--unit", "school", "--group-a", "a", "--group-b", "b", "--year", "year",
            "--min-cell", N]
    located = ["--x", "x", "--y", "y", "--crs", "EPSG:28992"]
    _run("indices", out / "counts.csv", *base, "--area", "municipality", "--total", "total",
         "--min-unit-size", 0, "--min-area-size", 0, "-o", out / "results.csv",
         "--exclusions-output", out / "exclusions.csv", "-q")
    _run("indices", out / "counts.csv", *base, "--area", "municipality", "--total", "total",
         *located, "--bandwidth", 500, "--bandwidth", 1000, "--permutations", 19,
         "--seed", 1, "--min-unit-size", 0, "--min-area-size", 0,
         "-o", out / "spatial.parquet", "-q")
    _run("local", out / "counts.csv", *base, "--area", "municipality", *located,
         "--min-unit-size", 0, "--min-area-size", 0, "-o", out / "local.csv", "-q")
    for suffix in ("html", "svg"):
        _run("map", out / "results.csv", out / "towns.geojson", "--area-code", "statcode",
             "--index", "dissimilarity", "--min-cell", N, "-o", out / f"map.{suffix}")
        _run("schools", out / "counts.csv", "--unit", "school", "--group-a", "a",
             "--group-b", "b", "--year", "year", "--area", "municipality", "--total",
             "total", "--name", "school_name", *located, "--min-cell", N,
             "-o", out / f"schools.{suffix}")
    _run("heatmap", out / "results.csv", "--index", "dissimilarity", "--min-cell", N,
         "-o", out / "grid.svg")
    _run("join", out / "results.csv", out / "towns.geojson", "--area-code", "statcode",
         "--min-cell", N, "-o", out / "joined.geojson", "-q")
    _run("report", out / "counts.csv", *base, "--area", "municipality", "--total", "total",
         *located, "--boundaries", out / "towns.geojson", "--min-area-size", 0,
         "--permutations", 19, "--offline", "-o", out / "report", "-q")
    return out, counts


def test_every_written_number_has_the_published_precision(written):
    """Index values to 2 decimals, counts rounded to 5 (or empty below N), shares in
    bands or whole percents, in every file and in every piece of every page."""
    out, _ = written
    for name in ("results.csv", "spatial.parquet"):
        table = ss.read_table(out / name)
        assert (table["min_cell"] == N).all()
        values = table["value"].dropna().to_numpy()
        np.testing.assert_allclose(values, np.round(values, 2), atol=1e-12)
        for column in ("n_pupils", "n_a", "n_b"):
            counts = table[column].dropna().to_numpy()
            assert (counts % 5 == 0).all() and (counts >= 0).all(), column
        assert (table.loc[table["value"].isna() & table["reason"].notna(), "reason"]
                != "group A (a) is absent").all()
    spatial = ss.read_table(out / "spatial.parquet")
    assert spatial.loc[spatial["index"] == "morrill_d", "value"].isna().all()
    assert spatial.loc[spatial["index"] == "morans_i", "value"].notna().any()
    exclusions = ss.read_table(out / "exclusions.csv")
    pupils = exclusions["n_pupils"].dropna().to_numpy()
    assert (pupils % 5 == 0).all() and (pupils >= N).all()
    assert exclusions.loc[exclusions["reason"] == "not_in_comparison", "n_pupils"].isna().all()
    local = ss.read_table(out / "local.csv")
    assert not {"a", "b", "p", "p_local", "gap", "d_contribution"} & set(local.columns)
    assert ((local["pupils"].dropna() % 5) == 0).all()
    bands = local[["share_low", "share_high"]].dropna().to_numpy()
    np.testing.assert_allclose(bands[:, 1] - bands[:, 0], 0.1)
    joined = json.loads((out / "joined.geojson").read_text(encoding="utf-8"))
    for feature in joined["features"]:
        for key, value in feature["properties"].items():
            if key.startswith(("dissimilarity", "theil", "correlation")) and value is not None:
                assert round(value, 2) == value, (key, value)
    for svg in ("grid.svg", "map.svg"):
        for text in re.findall(r"<!-- ([^>]*) -->", (out / svg).read_text(encoding="utf-8")):
            for number in re.findall(r"\d+\.\d+", text):
                assert len(number.split(".")[1]) <= 2, (svg, text)
    for page in [*sorted((out / "report").glob("*.html")), out / "map.html",
                 out / "schools.html"]:
        text = page.read_text(encoding="utf-8")
        for key in re.findall(r'data-v="(-?\d+\.\d+)"', text):
            assert len(key.split(".")[1]) <= 2, (page.name, key)
        for frame in [text, *[m for m in re.findall(r'srcdoc="([^"]*)"', text)]]:
            import html as html_module

            frame = html_module.unescape(frame)
            assert '"group_a"' not in frame and '"group_b"' not in frame, page.name
            for value in re.findall(r'"pupils": "([^"]*)"', frame):
                value = value.replace("\\u003c", "<")
                assert value == f"< {N}" or int(value.replace(",", "")) % 5 == 0, value


def test_attacks_on_the_files_the_commands_wrote(written):
    out, counts = written
    results = ss.read_table(out / "results.csv")
    assert not attack_third_group_table(results, base=5, min_cell=N).recovered
    html = (out / "schools.html").read_text(encoding="utf-8")
    props = [p for p in features(html) if "school" in p]
    latest = counts[counts["year"] == 2018]
    assert len(props) == len(latest)
    truth = latest.rename(columns={"school": "unit", "municipality": "area"})
    truth = truth.assign(total=truth["a"] + truth["b"])  # the attacker's best case
    outcome = attack_share_size_map(props, truth, min_cell=N)
    assert outcome.attacked > 0 and not outcome.recovered, str(outcome)
    pages = {p.name: p.read_text(encoding="utf-8") for p in (out / "report").glob("*.html")}
    report = read_report(pages)
    latest_truth = latest.rename(columns={"school": "unit", "municipality": "area"})
    for attack in (attack_share_size(report, latest_truth, two_groups=False),
                   attack_inversion(report, latest_truth, two_groups=False),
                   attack_third_group(report, latest_truth)):
        assert not attack.recovered and not attack.wrong and not attack.unresolved, \
            str(attack)


def test_the_demo_command_writes_only_what_is_published(tmp_path):
    _run("demo", "--output", tmp_path, "--min-cell", N)
    assert not (tmp_path / "demo_counts.csv").exists()  # every school's group counts
    results = ss.read_table(tmp_path / "results.csv")
    assert (results["min_cell"] == N).all()
    values = results["value"].dropna().to_numpy()
    np.testing.assert_allclose(values, np.round(values, 2), atol=1e-12)
    assert not attack_third_group_table(results, base=5, min_cell=N).recovered
    index = (tmp_path / "report" / "index.html").read_text(encoding="utf-8")
    assert "rounded to multiples of 5" in index


# --------------------------------------------------------------------------- the option


def test_every_command_that_writes_takes_the_same_min_cell():
    from segspatial.cli import build_parser
    from segspatial.cli._options import GROUPS

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    takes = {name for name, p in sub.choices.items()
             if any("--min-cell" in a.option_strings for a in p._actions)}
    # the monitor (DUO's public enrolment counts) shares the option; its rules are its own
    assert takes == {"report", "map", "schools", "heatmap", "indices", "local", "join",
                     "demo", "monitor", "change"}
    definition = GROUPS["disclosure"].get("min_cell")
    for name in takes:
        (option,) = [a for a in sub.choices[name]._actions if "--min-cell" in a.option_strings]
        assert option.help == definition.help and option.default is None, name


def test_map_heatmap_join_refuse_results_not_written_under_min_cell(written, tmp_path,
                                                                   capsys):
    from segspatial.cli import main

    out, _ = written
    plain = ss.read_table(out / "results.csv").drop(columns="min_cell")
    plain.to_csv(tmp_path / "plain.csv", index=False)
    for argv in (["map", tmp_path / "plain.csv", out / "towns.geojson", "--area-code",
                  "statcode", "--index", "dissimilarity", "-o", tmp_path / "m.svg"],
                 ["heatmap", tmp_path / "plain.csv", "--index", "dissimilarity",
                  "-o", tmp_path / "g.svg"],
                 ["join", tmp_path / "plain.csv", out / "towns.geojson", "--area-code",
                  "statcode", "-o", tmp_path / "j.geojson"]):
        assert main([str(a) for a in argv] + ["--min-cell", str(N)]) == 2
        assert "plain.csv': not written under disclosure control" in capsys.readouterr().err
    assert main(["indices", str(out / "counts.csv"), "--pupils", "--unit", "school",
                 "--ethnicity", "e", "--counts-output", str(tmp_path / "c.csv"),
                 "--min-cell", str(N)]) == 2
    assert "cannot be combined with --min-cell" in capsys.readouterr().err


def test_policy_rounding_and_bands():
    policy = dc.Policy(N)
    assert policy.counts([0, 9, 10, 12, 13, 1234]).tolist()[2:] == [10.0, 10.0, 15.0, 1235.0]
    assert np.isnan(policy.counts([0, 9])).all()
    assert policy.values([0.5871, 0.005]).tolist() == [0.59, 0.0]
    assert policy.shares([0.042, 0.0449]).tolist() == [0.04, 0.04]
    assert policy.bands([0.0, 0.099, 0.1, 0.95, 1.0]).tolist() == [0, 0, 1, 9, 9]
    assert dc.Policy(1).counts([0]).tolist() == [0.0]  # "< 1" would give the 0 away
    # N not a multiple of 5: a count at or above N never reads as a number below N
    assert dc.Policy(7).counts([7, 8, 12, 13]).tolist() == [10.0, 10.0, 10.0, 15.0]
    assert dc.Policy(12).counts([12, 13, 14, 17, 18]).tolist() == [15.0] * 4 + [20.0]
    assert np.isnan(dc.Policy(7).counts([6, np.nan])).all()
    assert dc.Policy(3).counts([3, 4, 7]).tolist() == [5.0, 5.0, 5.0]
    with pytest.raises(ValueError, match="band must divide 100"):
        dc.Policy(N, band=7)
    with pytest.raises(ValueError, match="min_cell must be at least 1, got 0"):
        dc.policy(0)


def test_a_value_shown_as_zero_keeps_no_sign(tmp_path):
    """A value in (-0.005, 0) is published as 0.00, never as -0.0: a sort key or a file
    holding "-0.0" would tell that it was negative (here D* = -0.0035: D below E[D]),
    a digit beyond the published precision that the audit cannot see (-0.0 == 0.0),
    so its twins would not give the same bytes."""
    policy = dc.Policy(N)
    for rounded in (policy.values([-0.0035, -0.0, 0.003]), policy.shares([-1e-5, -0.0])):
        assert not np.signbit(rounded).any()
    counts = pd.DataFrame({"school": ["s1", "s2", "s3", "t1", "t2", "t3"],
                           "gm": ["X"] * 3 + ["Y"] * 3, "a": [58, 20, 36, 40, 60, 30],
                           "b": [130, 68, 92, 200, 100, 300],
                           "x": [100_000.0, 100_500.0, 101_000.0] * 2,
                           "y": [450_000.0] * 3 + [460_000.0] * 3})
    result = ss.segregation(counts, "school", "a", "b", area="gm", min_unit_size=0,
                            min_area_size=0)
    exact = result.table.set_index(["area", "index"])["value"]
    assert -0.005 < exact["X", "dissimilarity_standardised"] < 0
    counts.to_csv(tmp_path / "counts.csv", index=False)
    _run("indices", tmp_path / "counts.csv", "--unit", "school", "--group-a", "a",
         "--group-b", "b", "--area", "gm", "--min-unit-size", 0, "--min-area-size", 0,
         "--min-cell", N, "-q", "-o", tmp_path / "results.csv")
    text = (tmp_path / "results.csv").read_text(encoding="utf-8")
    assert not re.search(r"(?:^|,)-0(?:\.0*)?(?:,|$)", text, flags=re.M), text
    published = ss.read_table(tmp_path / "results.csv").set_index(["area", "index"])
    assert published.loc[("X", "dissimilarity_standardised"), "value"] == 0.0
    from shapely.geometry import box

    bounds = gpd_frame({"statcode": ["X", "Y"]},
                       [box(99_000, 449_000, 102_000, 451_000),
                        box(99_000, 459_000, 102_000, 461_000)])
    data = rp.report_data(result, counts, unit="school", x="x", y="y", crs="EPSG:28992",
                          boundaries=bounds, area_code="statcode", permutations=9)
    for name, page in rp.render_report(data, min_cell=N):
        assert not re.search(r'data-v="-0(?:\.0*)?"', page), name


def test_spatial_indices_without_a_year_column(tmp_path, capsys):
    """``indices --min-cell`` with spatial indices and no --year (one period): Moran's I
    from the bands is computed as with a year column, not refused with "--year: column
    'year' must hold whole years" (a flag that was not given)."""
    from segspatial.demo import demo_counts

    counts = demo_counts(years=(2018,))
    counts = counts[counts["municipality"].isin(["GM9001", "GM9002"])]
    counts.drop(columns="year").to_csv(tmp_path / "one.csv", index=False)
    counts.to_csv(tmp_path / "years.csv", index=False)
    args = ["--unit", "school", "--group-a", "a", "--group-b", "b", "--area",
            "municipality", "--total", "total", "--x", "x", "--y", "y", "--crs",
            "EPSG:28992", "--bandwidth", 1000, "--permutations", 19, "--min-cell", N, "-q"]
    _run("indices", tmp_path / "one.csv", *args, "-o", tmp_path / "one_out.csv")
    _run("indices", tmp_path / "years.csv", *args, "--year", "year",
         "-o", tmp_path / "years_out.csv")
    one = ss.read_table(tmp_path / "one_out.csv")
    years = ss.read_table(tmp_path / "years_out.csv")
    assert one["year"].isna().all() and one["value"].notna().any()
    assert one.loc[one["index"] == "morans_i", "value"].notna().all()
    pd.testing.assert_frame_equal(one.drop(columns="year"), years.drop(columns="year"))


def test_too_few_units_never_names_schools_without_pupils_of_either_group(tmp_path):
    """Three schools, only s1 with pupils of A or B (50 and 50; s2 and s3 hold 80 and 90
    pupils of neither group): "fewer than 2 units with pupils in the comparison (1 of 3
    units)" and an exclusion row "too_few_units, 3 units" say that s2 and s3 have 0
    pupils of A and of B (with the schools' pupils public: the only school with 100
    pupils holds them all), and the audit's twin (one pupil of s2 moved into A) would
    publish neither. So the reason is "not shown" and the row is not published; a
    municipality of one school (public) keeps both."""
    counts = pd.DataFrame({
        "school": ["s1", "s2", "s3", "t1", "t2", "t3", "u1"],
        "gm": ["X"] * 3 + ["Y"] * 3 + ["Z"], "a": [50, 0, 0, 40, 60, 30, 50],
        "b": [50, 0, 0, 200, 100, 300, 50], "pupils": [100, 80, 90, 240, 160, 330, 100],
        "x": [100_000.0, 100_500.0, 101_000.0] * 2 + [100_000.0],
        "y": [450_000.0] * 3 + [460_000.0] * 3 + [470_000.0]})
    counts.to_csv(tmp_path / "counts.csv", index=False)
    _run("indices", tmp_path / "counts.csv", "--unit", "school", "--group-a", "a",
         "--group-b", "b", "--area", "gm", "--total", "pupils", "--min-unit-size", 0,
         "--min-area-size", 0, "--min-cell", N, "-q", "-o", tmp_path / "results.csv",
         "--exclusions-output", tmp_path / "exclusions.csv")
    results = ss.read_table(tmp_path / "results.csv")
    assert (results.loc[results["area"] == "X", "reason"] == dc.HIDDEN).all()
    assert results.loc[results["area"] == "Z", "reason"].str.contains("1 of 1 units").all()
    exclusions = ss.read_table(tmp_path / "exclusions.csv")
    assert exclusions.loc[exclusions["reason"] == "too_few_units", "area"].tolist() == ["Z"]
    # spatial rows leave such schools out ("1 of 1 units") but give the area's 3 units
    _run("indices", tmp_path / "counts.csv", "--unit", "school", "--group-a", "a",
         "--group-b", "b", "--area", "gm", "--total", "pupils", "--x", "x", "--y", "y",
         "--crs", "EPSG:28992", "--bandwidth", 1000, "--permutations", 9,
         "--min-unit-size", 0, "--min-area-size", 0, "--min-cell", N, "-q",
         "-o", tmp_path / "spatial.csv")
    spatial = ss.read_table(tmp_path / "spatial.csv")
    assert (spatial.loc[spatial["area"] == "X", "reason"] == dc.HIDDEN).all()
    result = ss.segregation(counts, "school", "a", "b", area="gm", total="pupils",
                            min_unit_size=0, min_area_size=0)
    from shapely.geometry import box

    bounds = gpd_frame({"statcode": ["X", "Y", "Z"]},
                       [box(99_000, y - 1_000, 102_000, y + 1_000)
                        for y in (450_000, 460_000, 470_000)])
    data = rp.report_data(result, counts, unit="school", x="x", y="y", crs="EPSG:28992",
                          boundaries=bounds, area_code="statcode", permutations=9)
    pages = dict(rp.render_report(data, min_cell=N))
    assert "of 3 units" not in pages["index.html"]
    assert "fewer than 2 units" not in pages["X.html"]  # neither why nor the row


def gpd_frame(columns: dict, geometry: list):
    import geopandas as gpd

    return gpd.GeoDataFrame(columns, geometry=geometry, crs="EPSG:28992")


def test_method_note_states_the_guarantee_in_both_languages(demo):
    from segspatial.text import t

    for lang, words in (("en", ("rounded to multiples of", "bands of", "decimals")),
                        ("nl", ("afgerond op veelvouden", "klassen van", "decimalen"))):
        assert all(w in t(lang, "disclosure", n=N, base=5, band=10, digits=2)
                   for w in words), lang
    page = dict(rp.render_report(demo, min_cell=N, lang="nl"))["index.html"]
    assert "Statistische geheimhouding (N = 10)" in page


def test_readme_states_the_guarantee():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Disclosure control", 1)[1].split("\n## ", 1)[0]
    for words in ("guarantee", "multiples of 5", "2 decimals", "whole percent",
                  "10 percentage points", "audit", "--min-cell"):
        assert words in section, words


def test_units_outside_a_comparison_leave_no_trace():
    """A school with pupils but none in A or B is left out of the spatial statistics
    (``unit_outside_comparison``). Under ``min_cell`` neither that exclusion row nor a
    smaller number of units or pupils on the spatial rows may say that it has none of
    either group (two counts below N); without it both stay as they are."""
    from segspatial.spatial import spatial_segregation

    rng = np.random.default_rng(3)
    n = 12
    data = pd.DataFrame({"school": [f"s{i}" for i in range(n)], "area": "X",
                         "a": rng.integers(20, 80, n), "b": rng.integers(20, 80, n),
                         "x": 120_000 + 400.0 * np.arange(n), "y": 480_000.0})
    data["total"] = data["a"] + data["b"]
    data.loc[0, ["a", "b", "total"]] = [0, 0, 40]  # 40 pupils, none in A or B
    result = spatial_segregation(data, "school", "a", "b", x="x", y="y", crs="EPSG:28992",
                                 area="area", total="total", bandwidth=[500, 1000],
                                 spatial_indices=["spatial_dissimilarity",
                                                  "spatial_theil_h"],
                                 min_unit_size=0, min_area_size=0)
    assert (result.exclusions["reason"] == "unit_outside_comparison").any()
    assert result.table["n_units"].nunique() == 2  # the plain table tells the difference
    spatial = dc.SpatialDesign(crs="EPSG:28992", bandwidths=(500.0, 1000.0), years="all")
    table, exclusions, audit = dc.protect_results(result, dc.Policy(N), spatial=spatial)
    assert not (exclusions["reason"] == "unit_outside_comparison").any()
    assert table["n_units"].nunique() == 1 and table["n_pupils"].nunique() == 1
    assert table.loc[table["index"] == "spatial_dissimilarity", "value"].notna().all()
    assert len(audit.certificates) == audit.cells > 0


def test_summary_never_says_nothing_was_left_out_when_rows_are_withheld(tmp_path, capsys):
    """X: three schools, only s1 with pupils of A or B, so X's 270 pupils are left out
    (too_few_units). The row is not published (it says the other schools have no pupil
    of either group), but neither the command's summary nor X's page may then claim
    that nothing was left out: they say that nothing left out can be shown and where
    such pupils may be (area-years whose indices are not shown)."""
    counts = pd.DataFrame({
        "school": ["s1", "s2", "s3", "t1", "t2", "t3"], "gm": ["X"] * 3 + ["Y"] * 3,
        "a": [50, 0, 0, 40, 60, 30], "b": [50, 0, 0, 200, 100, 300],
        "pupils": [100, 80, 90, 240, 160, 330],
        "x": [100_000.0, 100_500.0, 101_000.0] * 2,
        "y": [450_000.0] * 3 + [460_000.0] * 3})
    counts.to_csv(tmp_path / "counts.csv", index=False)
    capsys.readouterr()
    _run("indices", tmp_path / "counts.csv", "--unit", "school", "--group-a", "a",
         "--group-b", "b", "--area", "gm", "--total", "pupils", "--min-unit-size", 0,
         "--min-area-size", 0, "--min-cell", N, "-o", tmp_path / "results.csv",
         "--exclusions-output", tmp_path / "exclusions.csv")
    err = capsys.readouterr().err
    assert "Nothing was left out" not in err
    assert "Nothing left out can be shown" in err and "'not shown'" in err
    assert "270" not in err and "too_few_units" not in err  # still nothing below N
    result = ss.segregation(counts, "school", "a", "b", area="gm", total="pupils",
                            min_unit_size=0, min_area_size=0)
    from shapely.geometry import box

    bounds = gpd_frame({"statcode": ["X", "Y"]},
                       [box(99_000, y - 1_000, 102_000, y + 1_000)
                        for y in (450_000, 460_000)])
    data = rp.report_data(result, counts, unit="school", x="x", y="y", crs="EPSG:28992",
                          boundaries=bounds, area_code="statcode", permutations=9)
    from segspatial.text import lookup

    for lang in ("en", "nl"):
        pages = dict(rp.render_report(data, min_cell=N, lang=lang))
        x_page = pages["X.html"]
        assert lookup(lang, "exclusions_none") not in x_page
        assert lookup(lang, "exclusions_none_disclosure") in x_page
        assert "fewer than 2 units" not in x_page
    # without disclosure control the row is there, with its count
    pages = dict(rp.render_report(data))
    assert lookup("en", "exclusions_none") not in pages["X.html"]


# --------------------------------------------------------------------------- spatial exposure

#: The spatial rows of the exposure suite: spatial D and H, exposure and isolation.
ENVIRONMENT_ROWS = ["spatial_dissimilarity", "spatial_theil_h", "spatial_isolation_a",
                    "spatial_exposure_ab", "spatial_isolation_b", "spatial_exposure_ba"]


def _exposure_results(path: Path, out: Path, *, area: str, total: str, bandwidths,
                      min_cell: int | None, definition: str = "dispersal",
                      year: bool = True, min_unit_size: int = 0) -> pd.DataFrame:
    """``indices`` with the aspatial and the spatial exposure and isolation (and D,
    H, V and the spatial D and H), with or without ``--min-cell``, as written."""
    _run("indices", path, "--unit", "school", "--group-a", "a", "--group-b", "b",
         *(["--year", "year"] if year else []), "--area", area, "--total", total,
         "--x", "x", "--y", "y", "--crs", "EPSG:28992", "--bandwidth", *bandwidths,
         "--definition", definition, "--spatial-indices", *ENVIRONMENT_ROWS,
         "--indices", "dissimilarity", "theil_h", "correlation", "isolation_a",
         "exposure_ab", "isolation_b", "exposure_ba", "--min-unit-size", min_unit_size,
         "--min-area-size", 0, *(["--min-cell", min_cell] if min_cell else []),
         "-o", out, "-q")
    return pd.read_csv(out)


def _neighbourhoods(counts: pd.DataFrame, size: float = 1000.0) -> pd.DataFrame:
    """The demo's schools per square of ``size`` metres within their town: areas of
    one to four schools, where a published index is closest to a school's counts."""
    cell = (counts["x"] // size).astype(int).astype(str) + "-" + (
        counts["y"] // size).astype(int).astype(str)
    return counts.assign(area=counts["municipality"] + "-" + cell)


@pytest.fixture(scope="module", params=["dispersal", "reardon_osullivan"])
def demo_exposure(request, tmp_path_factory):
    """The demo's counts (two years, a third group) by neighbourhood: the results
    file with spatial exposure and isolation at 500 m-2 km, with ``--min-cell`` and
    without."""
    from segspatial.demo import demo_counts

    out = tmp_path_factory.mktemp("exposure")
    counts = _neighbourhoods(demo_counts(years=(2017, 2018)))
    counts.to_csv(out / "counts.csv", index=False)
    options = dict(area="area", total="total", bandwidths=(500, 1000, 2000),
                   definition=request.param)
    tables = {n: _exposure_results(out / "counts.csv", out / f"results-{n}.csv",
                                   min_cell=n, **options) for n in (N, None)}
    truth = counts.rename(columns={"school": "unit"})[
        ["unit", "area", "year", "a", "b", "total", "x", "y"]]
    return counts, truth, tables, out, options


@pytest.fixture(scope="module")
def real_exposure(real_2019, tmp_path_factory):
    """The real 2019 case (located schools, as ``indices --min-unit-size 50``
    analyses them): spatial exposure and isolation at 500 m-4 km per municipality."""
    out = tmp_path_factory.mktemp("real-exposure")
    located = real_2019[real_2019["x"].notna() & real_2019["y"].notna()]
    located.to_csv(out / "counts.csv", index=False)
    options = dict(area="municipality", total="pupils", bandwidths=(500, 1000, 2000, 4000),
                   year=False, min_unit_size=50)
    tables = {n: _exposure_results(out / "counts.csv", out / f"results-{n}.csv",
                                   min_cell=n, **options) for n in (N, None)}
    kept = located[located["pupils"] >= 50]
    truth = kept.rename(columns={"school": "unit", "municipality": "area",
                                 "pupils": "total"})[["unit", "area", "a", "b", "total",
                                                      "x", "y"]]
    return truth, tables


def test_spatial_exposure_is_published_audited_under_min_cell(demo_exposure):
    """--min-cell publishes the spatial exposure and isolation (no longer refused),
    rounded to 2 decimals, and withholds with the reason 'not shown' only what the
    audit cannot prove; the published values are the exact ones rounded."""
    _, _, tables, _, _ = demo_exposure
    shown, exact = tables[N], tables[None]
    rows = shown["index"].str.removesuffix("_ro").isin(ENVIRONMENT_ROWS[2:])
    assert rows.sum() > 500 and (shown["min_cell"] == N).all()
    values = shown.loc[rows, "value"]
    np.testing.assert_allclose(values.dropna(), np.round(values.dropna(), 2), atol=1e-12)
    keys = ["area", "year", "index", "bandwidth"]
    both = shown[rows].merge(exact, on=keys, suffixes=("", "_exact"))
    published = both["value"].notna()
    # of the values defined with both groups of at least N, most are published
    defined = both["value_exact"].notna() & (both["n_a_exact"] >= N) & (
        both["n_b_exact"] >= N)
    assert defined.sum() > 1000 and published[defined].mean() > 0.8, \
        published[defined].mean()
    assert not published[~defined].any()
    np.testing.assert_allclose(both.loc[published, "value"],
                               np.round(both.loc[published, "value_exact"], 2), atol=1e-12)
    gone = both[~published & both["value_exact"].notna()]
    assert (gone["reason"] == dc.HIDDEN).all()
    assert (shown["reason"] == dc.HIDDEN).any()  # the audit does withhold some


def test_spatial_exposure_inversion_recovers_nothing_on_the_demo(demo_exposure):
    """Index inversion on the results file (every published number: counts, D, H, V,
    exposure, isolation, spatial D, H, exposure and isolation at every bandwidth,
    recomputed by the attacker with segspatial's public functions): areas of one or
    two schools exhaustively, the others by a twin for every small count."""
    _, truth, tables, _, _ = demo_exposure
    outcome = attack_results(tables[N], truth, crs="EPSG:28992", min_cell=N, base=5,
                             two_groups=False)
    assert outcome.attacked >= 30, str(outcome)
    assert not outcome.wrong, outcome.wrong[:5]
    assert not outcome.recovered and not outcome.unresolved, str(outcome)


def test_spatial_exposure_attacks_work_without_min_cell_on_the_demo(demo_exposure):
    """The same attacker on the file written without --min-cell: the exposure and
    isolation alone (with the counts every results file has) pin small counts in
    areas of two schools, where the counts alone pin none."""
    _, truth, tables, _, _ = demo_exposure
    counts_only = attack_results(tables[None], truth, crs="EPSG:28992", min_cell=None,
                                 base=1, two_groups=False, use=(), twins=False)
    exposure = attack_results(tables[None], truth, crs="EPSG:28992", min_cell=None,
                              base=1, two_groups=False, use=EXPOSURE,
                              twins=False)
    assert not exposure.wrong and not counts_only.wrong, exposure.wrong[:5]
    single = {w for w, _ in counts_only.recovered}  # one-school areas: a = A
    more = [w for w, _ in exposure.recovered if w not in single]
    assert len(more) >= 5, str(exposure)


def test_third_group_and_unit_differencing_recover_nothing(demo_exposure, tmp_path):
    """Differencing the results file: pupils minus the two groups per area-year, and
    the spatial rows (schools with pupils in A or B only) against the aspatial rows:
    with one school of pupils in neither group, the unprotected file names it (its
    A and B are 0); the protected one does not."""
    counts, truth, tables, _, options = demo_exposure
    assert not attack_third_group_table(tables[N], base=5, min_cell=N).recovered
    empty = counts.copy()
    row = empty.index[(empty["year"] == 2018)
                      & (empty.groupby(["area", "year"])["school"].transform("size") == 4)][0]
    empty.loc[row, ["a", "b"]] = 0
    empty.to_csv(tmp_path / "counts.csv", index=False)
    truth = empty.rename(columns={"school": "unit"})
    found = {}
    for n in (N, None):
        table = _exposure_results(tmp_path / "counts.csv", tmp_path / f"r-{n}.csv",
                                  min_cell=n, **options)
        found[n] = attack_unit_differencing(table, truth, base=5 if n else 1, min_cell=n)
    assert found[None].recovered and not found[None].wrong, str(found[None])
    assert found[N].attacked >= 2 and not found[N].recovered, str(found[N])


def test_certified_twins_publish_the_same_results(demo_exposure, tmp_path):
    """Twin comparison: for counts below N of each kind the audit names a twin (one
    pupil moved, and back in another school of the area). The twin's own numbers, as
    written without --min-cell on the twin's data and rounded as published, are the
    published numbers wherever the data's file publishes one: the two data sets
    cannot be told apart from it. Without --min-cell the two files differ (the
    comparison can fail)."""
    from segspatial.spatial import spatial_segregation

    counts, _, tables, out, options = demo_exposure
    result = spatial_segregation(
        counts, "school", "a", "b", area="area", year="year", total="total", x="x",
        y="y", crs="EPSG:28992", bandwidth=list(options["bandwidths"]),
        definition=options["definition"], spatial_indices=ENVIRONMENT_ROWS,
        indices=["dissimilarity", "theil_h", "correlation", "isolation_a", "exposure_ab",
                 "isolation_b", "exposure_ba"], min_unit_size=0, min_area_size=0)
    _, _, audit = dc.protect_results(result, dc.Policy(N))
    certificates = audit.certificates
    assert len(certificates) == audit.cells > 20
    schools = certificates[certificates["unit"].notna()]
    # spatially relevant twins: the pupil moved back in another school of the area
    kinds = pd.concat([schools[schools["moved_back_in"].notna()].groupby("count").head(2),
                       certificates[certificates["unit"].isna()].head(2)])
    assert set(kinds["count"]) >= {"a", "b"}
    published = tables[N]
    keys = ["area", "year", "index", "bandwidth"]
    policy = dc.Policy(N)
    plain = (out / "results-None.csv").read_bytes()
    for _, certificate in kinds.iterrows():
        twin = counts.copy()
        for unit, sign in ((certificate["moved_in"], 1),
                           (certificate["moved_back_in"], -1)):
            if not isinstance(unit, str):  # no school to move the pupil back in
                continue
            at = ((twin["area"] == certificate["area"]) & (twin["year"] == certificate["year"])
                  & (twin["school"] == unit))
            assert at.sum() == 1
            for group, step in ((certificate["moved_from"], -sign),
                                (certificate["moved_to"], sign)):
                if not group.startswith("("):  # "(none of a, b)": the third group
                    twin.loc[at, group] += step
        assert not twin.equals(counts)
        twin.to_csv(tmp_path / "twin.csv", index=False)
        exact = _exposure_results(tmp_path / "twin.csv", tmp_path / "twin-out.csv",
                                  min_cell=None, **options)
        assert (tmp_path / "twin-out.csv").read_bytes() != plain
        both = published.merge(exact, on=keys, suffixes=("", "_twin"), validate="1:1")
        assert len(both) == len(published)
        shown = both["value"].notna()
        np.testing.assert_array_equal(both.loc[shown, "value"],
                                      policy.values(both.loc[shown, "value_twin"]),
                                      err_msg=str(certificate.to_dict()))
        for column in ("n_a", "n_b"):
            shown = both[column].notna()
            np.testing.assert_array_equal(both.loc[shown, column],
                                          policy.counts(both.loc[shown, f"{column}_twin"]))


def test_spatial_exposure_inversion_recovers_nothing_on_the_real_case(real_exposure):
    truth, tables = real_exposure
    table = tables[N]
    exposure = table[table["index"].isin(ENVIRONMENT_ROWS[2:])]
    assert exposure["value"].notna().sum() > 5000  # the attacker does see them
    outcome = attack_results(table, truth, crs="EPSG:28992", min_cell=N, base=5,
                             two_groups=True)
    assert outcome.attacked > 1000, str(outcome)
    assert not outcome.wrong, outcome.wrong[:5]
    assert not outcome.recovered and not outcome.unresolved, str(outcome)
    assert not attack_third_group_table(table, base=5, min_cell=N).recovered


def test_spatial_exposure_attacks_work_without_min_cell_on_the_real_case(real_exposure):
    truth, tables = real_exposure
    outcome = attack_results(tables[None], truth, crs="EPSG:28992", min_cell=None, base=1,
                             two_groups=True, use=EXPOSURE, twins=False)
    assert not outcome.wrong, outcome.wrong[:5]
    assert len(outcome.recovered) >= 5, str(outcome)


def test_spatial_design_follows_the_result_and_refuses_what_the_audit_cannot_rebuild():
    """protect_results without a design takes the result's own settings
    (spatial_design); neighbours from other areas (context='all') and indices the
    audit does not recompute are refused, never published unaudited."""
    from segspatial.spatial import spatial_segregation

    data = pd.DataFrame({"school": [f"s{i}" for i in range(8)], "area": ["X"] * 4 + ["Y"] * 4,
                         "a": [60, 50, 20, 4, 30, 30, 70, 10],
                         "b": [10, 20, 50, 66, 40, 45, 5, 60],
                         "x": 120_000 + 300.0 * np.arange(8), "y": 480_000.0})
    kw = dict(x="x", y="y", crs="EPSG:28992", area="area", bandwidth=[500, 1000],
              kernel="boxcar", spatial_indices=ENVIRONMENT_ROWS[2:], min_unit_size=0,
              min_area_size=0)
    result = spatial_segregation(data, "school", "a", "b", **kw)
    design = dc.spatial_design(result.parameters)
    assert design.bandwidths == (500.0, 1000.0) and design.kernel == "boxcar"
    assert design.years == "all" and design.definition == "dispersal"
    table, _, audit = dc.protect_results(result, dc.Policy(N))
    rows = table[table["index"].isin(ENVIRONMENT_ROWS[2:])]
    assert len(rows) == 16 and audit.cells > 0
    exact = result.table.set_index(["area", "index", "bandwidth"])["value"]
    for row in rows.itertuples():
        assert np.isnan(row.value) or row.value == round(
            exact[(row.area, row.index, row.bandwidth)], 2)
    everywhere = spatial_segregation(data, "school", "a", "b", context="all", **kw)
    with pytest.raises(ValueError, match="context='all' is not covered"):
        dc.protect_results(everywhere, dc.Policy(N))
    with pytest.raises(ValueError, match="unknown"):
        dc.SpatialDesign(crs="EPSG:28992", indices=("morans_i",))
