"""Attacks on the monitor's disclosure control (``min_cell``).

An attacker has every table the monitor writes and the region mapping. Every published
count is a sum of counts per municipality (and programme), so any linear combination
of published counts is known too: the national total minus the shown regions, a region
minus its shown municipalities, a region minus its shown programmes, a total minus
women and men (the unknown sex). These tests solve that linear system (independently
of the suppression code) and check that no withheld count is determined by it, and
that no count below N is written anywhere.
"""

from __future__ import annotations

import json
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from segspatial.monitor import compute_monitor, read_enrolments, region_mapping
from segspatial.monitor.disclose import disclose_result
from segspatial.monitor.pages import render_pages

N = 10
_FILES: dict = {}  # the fixture's input files, for the command line


def rec(gm, prog, sex, y1, y2, sector="techniek"):
    return {"GEMEENTENUMMER": gm, "OPLEIDINGSCODE ACTUEEL": prog, "GESLACHT": sex,
            "ONDERDEEL": sector, "OPLEIDINGSNAAM ACTUEEL": f"B Programme {prog}",
            "GEMEENTENAAM": f"Town {gm}", "2023": y1, "2024": y2}


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    """Five municipalities; labour-market regions and provinces do not nest:
    AM01 = {1, 2}, AM02 = {3, 4, 5}; PV01 = {1, 2, 5}, PV02 = {3, 4}."""
    folder = tmp_path_factory.mktemp("disclosure")
    records = [
        rec("0001", 1, "vrouw", 30, 35), rec("0001", 1, "man", 90, 85),
        rec("0001", 1, "onbekend", 2, 12),
        rec("0001", 2, "vrouw", 20, 22), rec("0001", 2, "man", 40, 41),
        rec("0002", 1, "vrouw", 25, 26), rec("0002", 1, "man", 45, 45),
        rec("0003", 1, "vrouw", 3, 4), rec("0003", 1, "man", 30, 30),
        rec("0003", 2, "vrouw", 12, 13), rec("0003", 2, "man", 15, 16),
        rec("0004", 1, "vrouw", 40, 44), rec("0004", 1, "man", 61, 60),
        rec("0004", 1, "onbekend", 12, 3),
        rec("0005", 2, "vrouw", 50, 51), rec("0005", 2, "man", 70, 72),
        # another sector: in D and H over all programmes, not in the selection
        rec("0002", 9, "vrouw", 300, 310, "economie"), rec("0002", 9, "man", 200, 210,
                                                             "economie"),
        rec("0005", 9, "vrouw", 5, 4, "economie"), rec("0005", 9, "man", 80, 81,
                                                        "economie"),
    ]
    data = folder / "hbo.json"
    data.write_text(json.dumps(records))
    codes = [f"GM000{i}" for i in range(1, 6)]
    squares = [box(i * 1e4, 0, (i + 1) * 1e4, 1e4) for i in range(5)]
    muni = gpd.GeoDataFrame({"statcode": codes, "statnaam": codes}, geometry=squares,
                            crs="EPSG:28992")
    am = gpd.GeoDataFrame({"statcode": ["AM01", "AM02"], "statnaam": ["West", "East"]},
                          geometry=[box(0, 0, 2e4, 1e4), box(2e4, 0, 5e4, 1e4)],
                          crs="EPSG:28992")
    pv = gpd.GeoDataFrame({"statcode": ["PV01", "PV02"], "statnaam": ["P1", "P2"]},
                          geometry=[box(0, 0, 2e4, 1e4).union(box(4e4, 0, 5e4, 1e4)),
                                    box(2e4, 0, 4e4, 1e4)], crs="EPSG:28992")
    mapping = region_mapping(muni, {"arbeidsmarktregio": am, "provincie": pv})
    result = compute_monitor(read_enrolments(data), mapping)
    mapping_file = folder / "mapping.csv"
    mapping.table.to_csv(mapping_file, index=False)
    _FILES.update(data=data, mapping=mapping_file)
    return result, mapping


def _members(mapping, level, area, municipalities):
    if level == "national":
        return set(municipalities)
    if level == "municipality":
        return {area}
    lookup = mapping.lookup(level)["region"]
    return set(lookup.index[lookup == area])


def _determined(rows: list[tuple[np.ndarray, float, bool]]) -> list[float]:
    """Values of withheld rows that the published rows determine (linear algebra)."""
    shown = np.array([v for v, _, hidden in rows if not hidden])
    found = []
    for vector, value, hidden in rows:
        if not hidden:
            continue
        if shown.size == 0:
            continue
        coef, *_ = np.linalg.lstsq(shown.T, vector, rcond=None)
        if np.allclose(shown.T @ coef, vector, atol=1e-9):
            found.append(value)
    return found


def _attack(result, mapping, table: str, columns: dict[str, str], keys=("year",),
            atom_key=None) -> list[tuple]:
    """Withheld counts below N (true values from the undisclosed result) that the
    disclosed table determines; ``columns``: published column -> its true column."""
    shown = disclose_result(result, N)
    true = getattr(result, table)
    published = getattr(shown, table)
    if table == "segregation":
        true = true.drop_duplicates(["level", "area", "year"]).reset_index(drop=True)
        published = published.drop_duplicates(["level", "area", "year"]).reset_index(
            drop=True)
    leaks = []
    for key, part in published.groupby(list(keys), sort=True):
        truth = true.loc[part.index]
        muni = sorted(part.loc[part["level"] == "municipality", "area"].unique())
        atoms = [(m,) for m in muni] if atom_key is None else sorted(
            {(m, u) for m, u in true.loc[true["level"] == "municipality", ["area", atom_key]]
             .itertuples(index=False, name=None) if m in muni})
        for column, true_column in columns.items():
            rows = []
            for i, row in part.iterrows():
                members = _members(mapping, row["level"], row["area"], muni)
                vector = np.array([float(a[0] in members and (atom_key is None
                                                              or a[1] == row[atom_key]))
                                   for a in atoms])
                rows.append((vector, float(truth.loc[i, true_column]),
                             bool(pd.isna(row[column]))))
            leaks += [(key, column, v) for v in _determined(rows) if v < N]
    return leaks


def test_no_count_below_n_is_written(case):
    result, _ = case
    shown = disclose_result(result, N)
    for table in ("representation", "programmes"):
        frame = getattr(shown, table)
        for column in [c for c in frame.columns if c.startswith(("women", "men", "unknown"))
                       and not c.endswith("censored")]:
            values = frame[column].dropna()
            assert (values >= N).all(), (table, column, values[values < N])
    seg = shown.segregation
    for column in ("n_a", "n_b", "n_pupils"):
        assert (seg[column].dropna() >= N).all(), column


def test_unknown_sex_is_not_total_minus_women_and_men(case):
    # n_pupils - n_a - n_b gave the enrolments of unknown sex (2 in GM0001 in 2023)
    result, _ = case
    seg = disclose_result(result, N).segregation
    unknown = seg["n_pupils"] - seg["n_a"] - seg["n_b"]
    assert not ((unknown >= 0) & (unknown < N)).any(), seg[unknown < N]


def test_no_withheld_count_follows_from_the_levels(case):
    # the region total minus its shown municipalities, the nation minus the shown
    # regions, a labour-market region minus a province ... (all linear combinations)
    result, mapping = case
    leaks = _attack(result, mapping, "representation",
                    {"women": "women", "men": "men", "women_low": "women_low",
                     "men_low": "men_low", "unknown": "unknown"})
    assert not leaks, leaks


def test_no_withheld_programme_count_follows_from_the_levels(case):
    result, mapping = case
    leaks = _attack(result, mapping, "programmes", {"women": "women", "men": "men"},
                    keys=("year", "unit"), atom_key=None)
    assert not leaks, leaks


def test_no_withheld_total_follows_from_the_segregation_counts(case):
    result, mapping = case
    leaks = _attack(result, mapping, "segregation", {"n_a": "n_a", "n_b": "n_b",
                                                     "n_pupils": "n_pupils"})
    assert not leaks, leaks


def test_a_region_page_does_not_give_a_municipality_back(case):
    # the page shows the region's women and its municipalities' women: their
    # difference must not be a withheld municipality's count
    result, _ = case
    pages = dict(render_pages(result, lang="en", min_cell=N))
    for name, html in pages.items():
        if name == "index.html":
            continue
        counts = [re.findall(r"<td>([\d,]+|not shown)</td><td>([\d,]+|not shown)</td>",
                             row)
                  for row in html.split("<h2>Municipalities")[1:2]]
        if not counts:
            continue
        assert counts[0], f"{name}: no municipality rows read"
        hidden = sum(w == "not shown" for w, _ in counts[0])
        assert hidden != 1, f"{name}: exactly one municipality withheld next to its total"


def test_without_the_municipality_level_min_cell_is_refused(case, tmp_path):
    result, _ = case
    from dataclasses import replace

    rep = result.representation
    partial = replace(result, representation=rep[rep["level"] != "municipality"])
    with pytest.raises(ValueError, match="municipality level"):
        disclose_result(partial, N)


def test_no_withheld_count_follows_from_regions_and_their_programmes(case):
    # a region's total is the sum of its programmes: a region withheld next to all of
    # its programmes shown (or the other way round) gives it back
    result, mapping = case
    shown = disclose_result(result, N)
    for year in result.years:
        rep_t = result.representation[result.representation["year"] == year]
        prog_t = result.programmes[result.programmes["year"] == year]
        rep_s = shown.representation.loc[rep_t.index]
        prog_s = shown.programmes.loc[prog_t.index]
        muni = sorted(rep_t.loc[rep_t["level"] == "municipality", "area"])
        atoms = sorted({(m, u) for m, u in prog_t.loc[prog_t["level"] == "municipality",
                                                     ["area", "unit"]]
                        .itertuples(index=False, name=None)})
        for column in ("women", "men"):
            rows = []
            for frame, truth, by_unit in ((rep_s, rep_t, False), (prog_s, prog_t, True)):
                for i, row in frame.iterrows():
                    members = _members(mapping, row["level"], row["area"], muni)
                    vector = np.array([float(m in members
                                             and (not by_unit or u == row["unit"]))
                                       for m, u in atoms])
                    rows.append((vector, float(truth.loc[i, column]),
                                 bool(pd.isna(row[column]))))
            leaks = [v for v in _determined(rows) if v < N]
            assert not leaks, (year, column, leaks)


def test_cli_summary_says_what_it_withholds(case, tmp_path, capsys):
    from segspatial.cli import main

    assert main(["monitor", str(_FILES["data"]), "--mapping", str(_FILES["mapping"]),
                 "--min-cell", str(N), "-o", str(tmp_path / "out"), "--no-pages"]) == 0
    err = capsys.readouterr().err
    # unknown sex nationally: 14 in 2023 (shown) and 15 in 2024 (shown); regional rows
    # are withheld: the summary gives the shown total and says rows are withheld
    line = next(x for x in err.splitlines()
                if "(the Netherlands)" in x and "[not_in_comparison]" in x)
    assert "29 people" in line
    # a total over rows of which some are withheld is no "< 10" (it was said of 14)
    assert "< 10 people" not in err
    line = next(x for x in err.splitlines()
                if "(labour-market regions)" in x and "[not_in_comparison]" in x)
    assert "withheld" in line or "people not shown" in line
    for line in err.splitlines():
        assert not re.search(r"(?<![\d,])[1-9] people", line), line


@pytest.mark.parametrize("with_classes", [False, True])
def test_audit_leaves_no_hidden_row_determined(with_classes):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from segspatial.monitor.disclose import audit_suppression

    @settings(max_examples=60, deadline=None)
    @given(st.integers(2, 7), st.integers(0, 2**32 - 1))
    def check(n_atoms, seed):
        rng = np.random.default_rng(seed)
        # a total, the atoms one by one, and two random partitions into groups
        rows = [np.ones(n_atoms), *np.eye(n_atoms)]
        classes = ["total", *["atom"] * n_atoms]
        for name in ("p", "q"):
            labels = rng.integers(0, 3, n_atoms)
            for g in np.unique(labels):
                rows.append((labels == g).astype(float))
                classes.append(name)
        rows = np.array(rows)
        primary = rng.random(len(rows)) < 0.25
        size = rng.integers(1, 100, len(rows)).astype(float)
        hidden = audit_suppression(rows, primary, size,
                                   np.array(classes) if with_classes else None)
        assert (hidden >= primary).all()
        shown = rows[~hidden]
        for i in np.flatnonzero(hidden):
            if shown.size == 0:
                break
            coef, *_ = np.linalg.lstsq(shown.T, rows[i], rcond=None)
            assert not np.allclose(shown.T @ coef, rows[i], atol=1e-9), (rows, hidden, i)

    check()

