"""Wording of the pages and the command line (issue 11): counts of one and none read
correctly in every language, and the left-out summary says what it counts."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from segspatial._format import Formatter


@pytest.mark.parametrize(("lang", "n", "text"), [
    ("en", 1, "there is only one school"),
    ("nl", 1, "er is maar één school"),
    ("en", 0, "there is no school with pupils"),
    ("nl", 0, "er is geen school met leerlingen"),
    ("en", 3, "fewer than 2 of the 3 schools have pupils of the two groups"),
    ("nl", 1234, "minder dan 2 van de 1.234 scholen hebben leerlingen van de twee groepen")])
def test_why_undefined_for_one_school_and_none(lang, n, text):
    assert Formatter(lang).undefined("fewer_than_2_units", n) == text


def _demo_counts(tmp_path):
    from segspatial.demo import demo_counts, demo_schools
    from segspatial.demo_maps import demo_boundaries

    counts = demo_counts()
    src = tmp_path / "counts.csv"
    counts.to_csv(src, index=False)
    bounds = tmp_path / "towns.geojson"
    demo_boundaries(demo_schools()).to_file(bounds)
    return counts, src, bounds


def _report(src, bounds, out, *extra: str) -> list[str]:
    return [str(src), "--unit", "school", "--group-a", "a", "--group-b", "b", "--area",
            "municipality", "--year", "year", "--total", "total", "--x", "x", "--y", "y",
            "--crs", "EPSG:28992", "--boundaries", str(bounds), "--bootstrap", "0",
            "--bandwidth", "1000", "--permutations", "9", "--offline",
            "--output", str(out), *extra]


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_report_left_out_summary_counts_area_years_under_min_cell(tmp_path, capsys, lang):
    """``report --min-cell``: the summary adds the exclusions up per area (as the index
    page does) but still counts area-years, not areas; a number of pupils that is not
    shown reads "pupils not shown", never "not shown pupils"."""
    import segspatial as ss
    from segspatial.cli import main

    counts, src, bounds = _demo_counts(tmp_path)
    result = ss.segregation(counts, "school", "a", "b", area="municipality", year="year",
                            total="total")
    # the independent count: area-years of the analysed towns (the fifth is too small)
    # with pupils in neither group (total > a + b)
    kept = counts[counts["municipality"].isin(set(result.table["area"]))]
    neither = kept[kept["total"] > kept["a"] + kept["b"]]
    expected = len(neither[["municipality", "year"]].drop_duplicates())
    assert expected == 40  # 4 towns x 10 years
    excl = result.exclusions
    assert excl.loc[excl["reason"] == "not_in_comparison", ["area", "year"]] \
        .drop_duplicates().shape[0] == expected

    assert main(["report", *_report(src, bounds, tmp_path / "out", "--min-cell", "10",
                                     "--lang", lang)]) == 0
    err = capsys.readouterr().err
    line = next(x for x in err.splitlines() if x.endswith("[not_in_comparison]"))
    if lang == "en":
        assert line.endswith(
            f": {expected} area-years, 0 units, pupils not shown [not_in_comparison]")
    else:
        assert line.startswith("  leerlingen in geen van beide groepen") and line.endswith(
            f": {expected} gebied-jaren, 0 scholen, leerlingen niet getoond "
            "[not_in_comparison]")
    assert "not shown pupils" not in err and "niet getoond leerlingen" not in err
    # without --min-cell the same count, and the number of pupils (every school kept)
    assert main(["report", *_report(src, bounds, tmp_path / "out2", "--min-unit-size",
                                     "0")]) == 0
    err = capsys.readouterr().err
    pupils = int((neither["total"] - neither["a"] - neither["b"]).sum())
    assert f": {expected} area-years, 0 units, {pupils:,} pupils [not_in_comparison]" in err


def test_left_out_lines_say_one_area_year_unit_and_pupil():
    from segspatial.cli._common import format_exclusions

    one = pd.DataFrame({"reason": ["small_unit"], "area": ["GM1"], "year": [2018],
                        "n_units": [1], "n_pupils": [1.0],
                        "description": ["school below the minimum number of pupils"]})
    assert format_exclusions(one).splitlines()[1] == (
        "  school below the minimum number of pupils: 1 area-year, 1 unit, 1 pupil "
        "[small_unit]")
    assert re.match(r"  school onder het minimumaantal leerlingen: 1 gebied-jaar, 1 school, "
                    r"1 leerling \[small_unit\]$",
                    format_exclusions(one, lang="nl").splitlines()[1])


def test_indices_summary_counts_in_the_singular_and_plural():
    from segspatial.cli._common import computed, counted

    assert computed(1, 1, 1, "unit_rows") == "Computed 1 index for 1 area-year from 1 unit row"
    assert computed(5, 40, 1234, "unit_rows") == (
        "Computed 5 indices for 40 area-years from 1,234 unit rows")
    assert computed(5, 40, 1234, "unit_rows", "nl") == (
        "5 indexen berekend voor 40 gebied-jaren uit 1.234 rijen van scholen")
    assert counted("undefined_values", 1).startswith("1 value is undefined")
