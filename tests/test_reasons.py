"""Reasons for undefined values: a stable reason_code beside the English reason text,
made where the reason is made, kept through CSV, disclosure and every table path."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from segspatial._reasons import REASON_CODES, Reason, code_of, codes_of, reason
from segspatial.schema import RESULT_COLUMNS, conform_results


def _frame():
    # GM1: one school (fewer than 2 units); GM2: no B pupils; GM3: fine;
    # GM4: counts that are not whole numbers (D* needs whole pupils)
    return pd.DataFrame({
        "area": ["GM1", "GM2", "GM2", "GM3", "GM3", "GM4", "GM4"],
        "unit": ["s1", "s2", "s3", "s4", "s5", "s6", "s7"],
        "a": [5, 4, 6, 10, 2, 3.5, 1.0], "b": [5, 0, 0, 3, 9, 2.0, 4.0]})


pytestmark = pytest.mark.filterwarnings("ignore")


def test_the_table_has_a_code_beside_every_english_reason():
    from segspatial.compute import segregation

    table = segregation(_frame(), "unit", "a", "b", area="area", min_unit_size=0,
                        min_area_size=0).table
    assert "reason_code" in RESULT_COLUMNS
    assert RESULT_COLUMNS.index("reason_code") == RESULT_COLUMNS.index("reason") + 1
    by = table.set_index(["area", "index"])
    assert (by.loc["GM1", "reason_code"] == "fewer_than_2_units").all()
    assert by.loc["GM1", "reason"].str.startswith("fewer than 2 units").all()
    assert (by.loc["GM2", "reason_code"] == "group_b_absent").all()
    assert by.loc["GM2", "reason"].iloc[0] == "group B (b) is absent"
    assert by.loc["GM3", "reason_code"].isna().all() and by.loc["GM3", "reason"].isna().all()
    assert by.loc[("GM4", "dissimilarity_standardised"), "reason_code"] == "not_whole_counts"
    assert pd.isna(by.loc[("GM4", "dissimilarity"), "reason_code"])
    # defined exactly where the value is not
    assert (table["reason_code"].isna() == table["value"].notna()).all()


def test_codes_survive_a_csv_and_old_files_get_them_from_the_text(tmp_path):
    from segspatial.compute import segregation

    table = segregation(_frame(), "unit", "a", "b", area="area", min_unit_size=0,
                        min_area_size=0).table
    table.to_csv(tmp_path / "r.csv", index=False)
    back = pd.read_csv(tmp_path / "r.csv")
    assert back["reason_code"].fillna("").tolist() == table["reason_code"].fillna("").tolist()
    old = conform_results(back.drop(columns="reason_code"))  # an older results CSV
    assert old["reason_code"].fillna("").tolist() == table["reason_code"].fillna("").tolist()


def test_spatial_multigroup_and_disclosure_rows_have_codes():
    from segspatial.multigroup_table import multigroup_segregation
    from segspatial.spatial import spatial_segregation

    frame = _frame().iloc[:5].assign(x=[1e5, 1e5, 100500, 1e5, 109000], y=[4e5] * 5)
    spatial = spatial_segregation(frame, "unit", "a", "b", x="x", y="y", crs="EPSG:28992",
                                  area="area", bandwidth=100, min_area_size=0,
                                  min_unit_size=0).table
    codes = set(spatial["reason_code"].dropna())
    assert {"fewer_than_2_units", "group_b_absent"} <= codes, codes
    assert codes <= set(REASON_CODES)
    multi = multigroup_segregation(_frame().assign(c=1).iloc[:5], "unit", ["a", "b", "c"],
                                   area="area", min_area_size=0, min_unit_size=0).table
    assert set(multi["reason_code"].dropna()) == {"fewer_than_2_units"}


def test_withheld_rows_say_withheld_in_the_code_too():
    from segspatial.disclosure import HIDDEN

    assert HIDDEN.code == "withheld" and code_of(str(HIDDEN)) == "withheld"


def test_reason_objects_and_the_fallback():
    r = reason("group_a_absent", "group A (dutch) is absent")
    assert r == "group A (dutch) is absent" and isinstance(r, str) and r.code == "group_a_absent"
    import pickle

    assert pickle.loads(pickle.dumps(r)).code == "group_a_absent"
    with pytest.raises(ValueError, match="unknown reason code"):
        Reason("nope", "x")
    assert code_of("groups A and B are both absent") == "groups_absent"
    assert code_of("group B (western) is absent") == "group_b_absent"
    assert code_of("a plug-in's own words") == "other"
    # the change table's reasons (review2 #39)
    for text, code in (("no defined value in 2016", "no_value_in_year"),
                       ("no year with a defined value", "no_value_in_year"),
                       ("only one year with a defined value", "too_few_years"),
                       ("fewer than 3 years with a defined value (n = 2)", "too_few_years"),
                       ("a year has no standard error", "no_standard_error"),
                       ("fewer than two schools with pupils in both years (n = 1)",
                        "part_undefined"),
                       ("the margins could not be fitted (iterative proportional fitting "
                        "did not converge)", "part_undefined")):
        assert code_of(text) == code, text
    assert code_of(None) is None and code_of(np.nan) is None
    assert codes_of(np.array([None, r, "undefined for these counts"], dtype=object)).tolist() \
        == [None, "group_a_absent", "undefined_for_counts"]


def test_every_code_has_words_in_every_language():
    from segspatial.text import LANGUAGES, lookup

    for lang in LANGUAGES:
        for code in REASON_CODES:
            assert lookup(lang, f"undefined_reason.{code}"), (lang, code)


def test_the_table_holds_plain_text():
    """No Reason objects leave the engine: files, Arrow and QGIS fields take plain str."""
    from segspatial.compute import segregation

    table = segregation(_frame(), "unit", "a", "b", area="area", min_unit_size=0,
                        min_area_size=0).table
    assert {type(r) for r in table["reason"].dropna()} == {str}


def test_pages_and_qgis_translate_the_code_not_the_english_text():
    """The report says why by the code, in its language: an English reason the code
    does not match (a plug-in's words, a changed sentence) never reaches a Dutch page."""
    from dataclasses import replace

    from segspatial._format import Formatter
    from segspatial.demo import demo_pupils, demo_schools
    from segspatial.demo_maps import demo_boundaries
    from segspatial.pupils import pupil_segregation
    from segspatial.report import render_report, report_data

    schools = demo_schools()
    result = pupil_segregation(demo_pupils(years=(2018,)), "school", area="municipality",
                               year="year", ethnicity="ethnicity")
    table = result.table.copy()
    lead = ((table["area"] == "GM9001") & (table["comparison"] == "dutch_vs_nonwestern")
            & (table["index"] == "dissimilarity"))
    table.loc[lead, "value"] = np.nan
    table.loc[lead, "reason"] = "some English words no page may show"
    table.loc[lead, "reason_code"] = "fewer_than_2_units"
    data = report_data(replace(result, table=table), schools, unit="school", x="x", y="y",
                       crs="EPSG:28992", name="school_name",
                       boundaries=demo_boundaries(schools), area_code="statcode",
                       only=["GM9001"], permutations=19)
    n = int(table.loc[lead, "n_units"].iloc[0])
    for lang, words in (("nl", f"minder dan 2 van de {n} scholen hebben leerlingen"),
                        ("en", f"fewer than 2 of the {n} schools have pupils")):
        page = dict(render_report(data, lang=lang, offline=True))["GM9001.html"]
        assert words in page, lang
        assert "some English words" not in page
    nl = Formatter("nl")
    assert nl.undefined("group_b_absent", 4, nl.group("nonwestern")) == (
        "er zijn geen niet-westerse leerlingen")
    assert nl.undefined("no_such_code", 4) == nl.undefined(None) == (
        "de aantallen laten het niet toe")


def test_results_frame_takes_a_null_reason_column_as_a_scalar():
    from segspatial.schema import results_frame

    table = results_frame({"value": np.array([0.1, 0.2]), "reason": None}, 2)
    assert table["reason"].isna().all() and table["reason_code"].isna().all()
    table = results_frame({"value": np.array([np.nan]),
                           "reason": np.array([reason("withheld", "x")], dtype=object)}, 1)
    assert table["reason_code"].tolist() == ["withheld"] and type(table["reason"][0]) is str


def test_no_reason_object_survives_behind_an_equal_plain_text():
    """Concatenated tables: a plain str first, an equal Reason later: both plain."""
    from segspatial.schema import conform_results

    mixed = pd.DataFrame({"value": [np.nan, np.nan],
                          "reason": pd.Series(["no two units are contiguous",
                                               reason("no_contiguous_units",
                                                      "no two units are contiguous")],
                                              dtype=object)})
    table = conform_results(mixed)
    assert [type(r) for r in table["reason"]] == [str, str]
    assert table["reason_code"].tolist() == ["no_contiguous_units"] * 2
