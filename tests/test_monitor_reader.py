"""Reading DUO enrolment files: both layouts, JSON and CSV, censoring kept, clear errors."""

from __future__ import annotations

import json

import numpy as np
import pytest

from segspatial.monitor.reader import CELL_COLUMNS, read_enrolments, tidy_counts

HEADER = ("PROVINCIE;GEMEENTENUMMER;GEMEENTENAAM;SOORT INSTELLING;TYPE HOGER ONDERWIJS;"
          "INSTELLINGSCODE ACTUEEL;INSTELLINGSNAAM ACTUEEL;CROHO ONDERDEEL;"
          "CROHO SUBONDERDEEL;OPLEIDINGSCODE ACTUEEL;OPLEIDINGSNAAM ACTUEEL;OPLEIDINGSVORM;"
          "GESLACHT;2023;2024")
ROWS = [
    "Noord-Holland;0363;Amsterdam;reguliere inst.;bachelor;21QA;Hogeschool van Amsterdam;"
    "techniek;n.v.t. (techniek);34267;B Elektrotechniek;voltijd onderwijs;man;120;110",
    "Noord-Holland;0363;Amsterdam;reguliere inst.;bachelor;21QA;Hogeschool van Amsterdam;"
    "techniek;n.v.t. (techniek);34267;B Elektrotechniek;voltijd onderwijs;vrouw;<5;7",
    "Noord-Holland; 363;Amsterdam;reguliere inst.;bachelor;21QA;Hogeschool van Amsterdam;"
    "techniek;n.v.t. (techniek);34267;B Elektrotechniek;voltijd onderwijs;onbekend;0;<5",
    "Friesland;0080;Leeuwarden;reguliere inst.;master;31FR;NHL Stenden Hogeschool;"
    "onderwijs;leraar;44135;M Leren en Innoveren;deeltijd onderwijs;vrouw;30;28",
    "Friesland;80;Leeuwarden;reguliere inst.;master;31FR;NHL Stenden Hogeschool;"
    "onderwijs;leraar;44135;M Leren en Innoveren;deeltijd onderwijs;man;<5;<5",
]


def duo_csv(tmp_path, rows=ROWS, header=HEADER, name="hbo.csv"):
    """A small file in DUO's own CSV layout: ';', Windows-1252, one column per year."""
    path = tmp_path / name
    path.write_bytes(("\n".join([header, *rows]) + "\n").encode("cp1252"))
    return path


def duo_json(tmp_path, records, name="hbo.json"):
    path = tmp_path / name
    path.write_text(json.dumps(records), encoding="utf-8")
    return path


def record(**overrides):
    base = {"2023": 10, "2024": "<5", "PROVINCIE": "Utrecht", "GEMEENTENUMMER": "0344",
            "GEMEENTENAAM": "Utrecht", "TYPE HOGER ONDERWIJS": "bachelor",
            "INSTELLINGSCODE ACTUEEL": "22OJ", "INSTELLINGSNAAM ACTUEEL": "HU",
            "ONDERDEEL": "techniek", "OPLEIDINGSCODE ACTUEEL": 34267,
            "OPLEIDINGSNAAM ACTUEEL": "B Elektrotechniek", "OPLEIDINGSVORM": "voltijd onderwijs",
            "GESLACHT": "vrouw"}
    base.update(overrides)
    return base


def test_duo_csv_layout(tmp_path):
    enr = read_enrolments(duo_csv(tmp_path))
    cells = enr.cells
    assert list(cells.columns) == CELL_COLUMNS
    assert len(cells) == 10  # 5 records x 2 years
    assert set(cells["area"]) == {"GM0363", "GM0080"}  # " 363", "80" and "0080" all read
    assert enr.source["format"] == "csv" and enr.source["layout"] == "year_columns"
    assert enr.source["years"] == [2023, 2024]
    women = cells[(cells["programme"] == "34267") & (cells["sex"] == "women")]
    assert women[["year", "low", "high", "censored"]].values.tolist() == [
        [2023, 1, 4, True], [2024, 7, 7, False]]
    # line numbers count the header as line 1
    assert cells.loc[cells["sex"] == "unknown", "record"].unique().tolist() == [4]
    assert cells.loc[0, "programme_name"] == "B Elektrotechniek"
    assert cells.loc[0, "sector"] == "techniek"  # from "CROHO ONDERDEEL"
    assert enr.exclusions.empty


def test_censored_interval_is_configurable(tmp_path):
    enr = read_enrolments(duo_csv(tmp_path), censored={"<5": (0, 4)})
    c = enr.cells[enr.cells["censored"]]
    assert (c["low"] == 0).all() and (c["high"] == 4).all()
    with pytest.raises(ValueError, match=r"0 <= low <= high"):
        read_enrolments(duo_csv(tmp_path), censored={"<5": (4, 1)})
    with pytest.raises(ValueError, match="looks like a count|must not look like a count"):
        read_enrolments(duo_csv(tmp_path), censored={"4": (1, 4)})


def test_year_and_sex_columns_layout(tmp_path):
    header = ("GEMEENTENUMMER;OPLEIDINGSCODE ACTUEEL;CROHO ONDERDEEL;2015 MAN;2015 VROUW;"
              "2016 MAN;2016 VROUW")
    path = duo_csv(tmp_path, rows=["0363;34267;techniek;100;<5;90;12"], header=header)
    enr = read_enrolments(path)
    assert enr.source["layout"] == "year_sex_columns"
    got = enr.cells[["year", "sex", "low", "high"]].values.tolist()
    assert got == [[2015, "men", 100, 100], [2015, "women", 1, 4],
                   [2016, "men", 90, 90], [2016, "women", 12, 12]]


def test_json_like_the_real_file(tmp_path):
    path = duo_json(tmp_path, [record(), record(GESLACHT="man", GEMEENTENUMMER=344,
                                                **{"2024": 30})])
    enr = read_enrolments(path)
    assert enr.source["format"] == "json"
    assert set(enr.cells["area"]) == {"GM0344"}
    assert enr.cells["record"].tolist() == [1, 1, 2, 2]
    assert enr.cells["programme"].tolist() == ["34267"] * 4  # integer code as text


@pytest.mark.parametrize(("change", "match"), [
    ({"2023": "abc"}, r"record 2, column '2023': 'abc' is not allowed; allowed: a whole "
                      r"number from 0 to 2\*\*53 \(9007199254740992\) or a censored token "
                      r"\('<5'\)"),
    ({"2023": -3}, r"record 2, column '2023': -3 is not allowed"),
    ({"2023": 2.5}, r"record 2, column '2023': 2\.5 is not allowed"),
    ({"2023": True}, r"record 2, column '2023': true is not allowed"),
    ({"2023": None}, r"record 2, column '2023': null is not allowed"),
    ({"GEMEENTENUMMER": "Amsterdam"}, r"record 2, column 'GEMEENTENUMMER': 'Amsterdam' is not "
                                      r"allowed; allowed: a municipality number of 1-4 digits"),
    ({"GESLACHT": "x"}, r"record 2, column 'GESLACHT': 'x' is not allowed; allowed: man, "
                        r"vrouw or onbekend"),
    ({"OPLEIDINGSCODE ACTUEEL": None}, r"record 2, column 'OPLEIDINGSCODE ACTUEEL': null"),
    # counts beyond any real count: int64 wrapped 10**30 to a negative count
    ({"2023": 10**30}, r"record 2, column '2023': 10{30} is not allowed; allowed: a "
                       r"whole number from 0 to 2\*\*53"),
    ({"2023": 1e300}, r"record 2, column '2023': 1e\+300 is not allowed"),
    ({"2023": "9" * 25}, r"record 2, column '2023': '9{25}' is not allowed"),
    # a JSON object or array is no code or name
    ({"OPLEIDINGSCODE ACTUEEL": {"a": 1}}, r"record 2, column 'OPLEIDINGSCODE ACTUEEL': "
                                           r'\{"a": 1\} is not allowed; allowed: text or '
                                           r"a number"),
    ({"OPLEIDINGSNAAM ACTUEEL": ["B", "x"]}, r"column 'OPLEIDINGSNAAM ACTUEEL': \["
                                              r'"B", "x"\] is not allowed'),
    ({"GEMEENTENUMMER": [363]}, r"column 'GEMEENTENUMMER': \[363\] is not allowed"),
])
def test_bad_values_name_file_record_column_value(tmp_path, change, match):
    path = duo_json(tmp_path, [record(GESLACHT="man"), record(**change)])
    with pytest.raises(ValueError, match=match) as info:
        read_enrolments(path)
    assert "hbo.json" in str(info.value)


def test_json_nulls_read_as_json_with_the_line_of_the_record(tmp_path):
    """JSON's null is "null" (never Python's None), with the line the record starts on;
    an empty CSV cell is "an empty cell"; exclusions keep the same words."""
    path = tmp_path / "hbo.json"
    path.write_text(json.dumps([record(GESLACHT="man"), record(**{"2023": None})], indent=1),
                    encoding="utf-8")
    lines = path.read_text(encoding="utf-8").splitlines()
    start = lines.index(" {", 2) + 1  # the second record's first line (1-based)
    with pytest.raises(ValueError, match=rf"record 2 \(line {start}\), column '2023': "
                                         r"null is not allowed") as info:
        read_enrolments(path)
    assert "None" not in str(info.value)
    excluded = read_enrolments(path, errors="exclude").exclusions
    assert excluded.loc[excluded["column"] == "2023", "value"].tolist() == ["null"]
    rows = [*ROWS[:2], ROWS[2].replace(";0;<5", ";;<5")]
    with pytest.raises(ValueError, match=r"line 4, column '2023': an empty cell is not "):
        read_enrolments(duo_csv(tmp_path, rows=rows))


def test_bad_csv_value_names_the_line(tmp_path):
    rows = [*ROWS[:2], ROWS[2].replace(";0;<5", ";zero;<5")]
    with pytest.raises(ValueError, match=r"line 4, column '2023': 'zero' is not allowed"):
        read_enrolments(duo_csv(tmp_path, rows=rows))


def test_duplicate_record_is_an_error_or_counted(tmp_path):
    path = duo_json(tmp_path, [record(), record(GESLACHT="man"), record()])
    with pytest.raises(ValueError, match=r"record 3 repeats record 1"):
        read_enrolments(path)
    enr = read_enrolments(path, errors="exclude")
    assert enr.cells["record"].unique().tolist() == [1, 2]
    summary = enr.exclusions_summary().set_index("reason")
    assert summary.loc["duplicate_record", "rows"] == 2  # two year cells
    assert summary.loc["duplicate_record", "low"] == 10 + 1
    assert summary.loc["duplicate_record", "high"] == 10 + 4


def test_exclude_counts_every_left_out_cell(tmp_path):
    records = [record(), record(GESLACHT="man", **{"2023": "n/a"}),
               record(GESLACHT="onbekend", GEMEENTENUMMER="??", **{"2024": 3}),
               record(OPLEIDINGSCODE_ACTUEEL=1, GESLACHT="?")]
    enr = read_enrolments(duo_json(tmp_path, records), errors="exclude")
    ex = enr.exclusions
    assert sorted(ex["reason"].unique()) == ["bad_count", "bad_municipality", "bad_sex"]
    bad = ex[ex["reason"] == "bad_count"].iloc[0]
    assert (bad["record"], bad["year"], bad["column"], bad["value"]) == (2, 2023, "2023",
                                                                       "'n/a'")
    muni = ex[ex["reason"] == "bad_municipality"]
    assert muni["record"].tolist() == [3, 3] and muni["value"].tolist() == ["'??'", "'??'"]
    assert muni["low"].sum() == 10 + 3  # the people of the left-out record are counted
    # every cell is either read or excluded, exactly once
    assert len(enr.cells) + len(ex) == len(records) * 2


def test_missing_columns_are_listed(tmp_path):
    path = duo_csv(tmp_path, rows=["1;2"], header="A;2020")
    with pytest.raises(ValueError, match=r"no column for municipality: 'GEMEENTENUMMER'; "
                                         r"programme: 'OPLEIDINGSCODE ACTUEEL'"):
        read_enrolments(path)
    path = duo_csv(tmp_path, rows=["0363;1;man"], header="GEMEENTENUMMER;OPLEIDINGSCODE;GESLACHT",
                   name="noyears.csv")
    with pytest.raises(ValueError, match="has no year columns"):
        read_enrolments(path)
    path = duo_csv(tmp_path, rows=["0363;1;5"], header="GEMEENTENUMMER;OPLEIDINGSCODE;2020",
                   name="nosex.csv")
    with pytest.raises(ValueError, match="no sex column"):
        read_enrolments(path)


def test_columns_can_be_named(tmp_path):
    path = duo_csv(tmp_path, rows=["0363;1;v;5"], header="gm;prog;sexe;2020")
    enr = read_enrolments(path, columns={"municipality": "gm", "programme": "prog",
                                         "sex": "sexe"})
    assert enr.cells[["area", "programme", "sex", "low"]].values.tolist() == [
        ["GM0363", "1", "women", 5]]
    with pytest.raises(ValueError, match="unknown role 'gemeente'"):
        read_enrolments(path, columns={"gemeente": "gm"})


@pytest.mark.parametrize(("name", "content", "error", "match"), [
    ("missing.json", None, FileNotFoundError, "input file not found"),
    ("x.xlsx", b"x", ValueError, "cannot tell the format"),
    ("x.json", b"{\"a\": 1}", ValueError, "must hold a JSON array of records"),
    ("x.json", b"[1, 2]", ValueError, "record 1 is not a JSON object"),
    ("x.json", b"[{\"a\": ", ValueError, "is not valid JSON"),
    ("x.json", b"[]", ValueError, "holds no records"),
    ("x.csv", b"", ValueError, "is empty"),
])
def test_unreadable_files(tmp_path, name, content, error, match):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(error, match=match):
        read_enrolments(path)


def test_tidy_counts_sum_intervals(tmp_path):
    rows = [*ROWS, ROWS[1].replace("voltijd onderwijs", "deeltijd onderwijs")]
    enr = read_enrolments(duo_csv(tmp_path, rows=rows))
    counts = tidy_counts(enr.cells)
    row = counts[(counts["area"] == "GM0363") & (counts["year"] == 2023)].iloc[0]
    assert row["unit"] == "34267" and row["unit_name"] == "B Elektrotechniek"
    assert (row["women_low"], row["women_high"], row["women_censored"]) == (2, 8, 2)
    assert (row["men_low"], row["men_high"], row["men_censored"]) == (120, 120, 0)
    by_inst = tidy_counts(enr.cells, unit="programme_institution")
    assert by_inst["unit"].iloc[0] == "44135@31FR"


def test_real_file(shared_data):
    enr = read_enrolments(shared_data / "duo" / "ingeschrevenen-hbo-2020-2024.json")
    cells = enr.cells
    assert enr.source["records"] == 4430 and enr.source["years"] == [2020, 2021, 2022, 2023,
                                                                    2024]
    assert len(cells) == 4430 * 5 and enr.exclusions.empty
    assert cells["area"].nunique() == 43
    assert cells["area"].str.fullmatch(r"GM\d{4}").all()
    assert int(cells.loc[cells["year"] == 2024, "censored"].sum()) == 383
    tech = cells[(cells["year"] == 2024) & (cells["sector"] == "techniek")]
    assert int(tech["censored"].sum()) == 108
    exact = tech[~tech["censored"]].groupby("sex")["low"].sum()
    assert exact["women"] / (exact["women"] + exact["men"]) == pytest.approx(0.2559, abs=5e-5)
    assert np.array_equal(cells["low"] <= cells["high"], np.ones(len(cells), bool))


# --------------------------------------------------------------------------- flagged cells

FLAG_HEADER = ("GEMEENTENUMMER;OPLEIDINGSCODE ACTUEEL;CROHO ONDERDEEL;GESLACHT;2023;"
               "2023 AFGESCHERMD;2024;2024 AFGESCHERMD")


def test_count_of_4_with_a_suppression_flag_is_censored_like_the_token(tmp_path):
    # DUO's two forms of the same suppression: "<5", and 4 marked in a flag column
    rows = ["0363;34267;techniek;man;120;0;4;1",
            "0363;34267;techniek;vrouw;4;J;<5;",
            "0363;34268;techniek;vrouw;4;;7;nee"]
    enr = read_enrolments(duo_csv(tmp_path, rows=rows, header=FLAG_HEADER))
    got = enr.cells[["record", "year", "low", "high", "censored"]].values.tolist()
    assert got == [[2, 2023, 120, 120, False], [2, 2024, 1, 4, True],
                   [3, 2023, 1, 4, True], [3, 2024, 1, 4, True],
                   # an unflagged 4 is an exact count of 4
                   [4, 2023, 4, 4, False], [4, 2024, 7, 7, False]]
    assert enr.source["flags"] == {"2023": "2023 AFGESCHERMD", "2024": "2024 AFGESCHERMD"}
    assert enr.source["flagged"] == [1, 4]
    assert enr.exclusions.empty
    # the same cells read from the token form give the same intervals
    token_rows = ["0363;34267;techniek;man;120;<5", "0363;34267;techniek;vrouw;<5;<5",
                  "0363;34268;techniek;vrouw;4;7"]
    token = read_enrolments(duo_csv(
        tmp_path, rows=token_rows, name="token.csv",
        header="GEMEENTENUMMER;OPLEIDINGSCODE ACTUEEL;CROHO ONDERDEEL;GESLACHT;2023;2024"))
    cols = ["year", "programme", "sex", "low", "high", "censored"]
    assert enr.cells[cols].values.tolist() == token.cells[cols].values.tolist()


def test_flagged_interval_and_flag_columns_are_configurable(tmp_path):
    header = "GEMEENTENUMMER;OPLEIDINGSCODE ACTUEEL;GESLACHT;2024;geheim_2024;vlag x"
    rows = ["0363;1;man;4;1;1", "0363;1;vrouw;0;true;0"]
    path = duo_csv(tmp_path, rows=rows, header=header)
    enr = read_enrolments(path, flagged=(0, 4))  # 'geheim_2024' found by name
    assert enr.cells[["low", "high", "censored"]].values.tolist() == [[0, 4, True],
                                                                     [0, 4, True]]
    assert enr.source["flags"] == {"2024": "geheim_2024"}
    off = read_enrolments(path, flags=None)
    assert off.cells[["low", "high", "censored"]].values.tolist() == [[4, 4, False],
                                                                     [0, 0, False]]
    named = read_enrolments(path, flags={"2024": "vlag x"})
    assert named.cells["censored"].tolist() == [True, False]
    with pytest.raises(ValueError, match=r"flags: 'vlag y' \(the flag of '2024'\) is not a "
                                         r"column"):
        read_enrolments(path, flags={"2024": "vlag y"})
    with pytest.raises(ValueError, match=r"flags: '2025' is not a count column"):
        read_enrolments(path, flags={"2025": "vlag x"})
    with pytest.raises(ValueError, match=r"flagged must satisfy 0 <= low <= high"):
        read_enrolments(path, flagged=(4, 1))
    with pytest.raises(TypeError, match=r"flagged must hold whole numbers"):
        read_enrolments(path, flagged=(1, 4.5))
    with pytest.raises(ValueError, match=r"flags must be 'auto', None or a mapping"):
        read_enrolments(path, flags="yes")


def test_flags_in_json_and_the_year_and_sex_layout(tmp_path):
    rec = record(**{"2024": 4, "2024 AFGESCHERMD": True, "2023 AFGESCHERMD": 0})
    enr = read_enrolments(duo_json(tmp_path, [rec]))
    assert enr.cells[["year", "low", "high", "censored"]].values.tolist() == [
        [2023, 10, 10, False], [2024, 1, 4, True]]
    header = "GEMEENTENUMMER;OPLEIDINGSCODE ACTUEEL;2016 MAN;2016 VROUW;2016 VROUW AFGESCHERMD"
    enr = read_enrolments(duo_csv(tmp_path, rows=["0363;1;90;4;1"], header=header))
    assert enr.cells[["sex", "low", "high", "censored"]].values.tolist() == [
        ["men", 90, 90, False], ["women", 1, 4, True]]


@pytest.mark.parametrize(("rows", "match", "reason"), [
    (["0363;1;techniek;man;5;0;4;maybe"],
     r"line 2, column '2024 AFGESCHERMD': 'maybe' is not allowed; allowed: yes \(1, j, ja",
     "bad_flag"),
    (["0363;1;techniek;man;5;0;12;1"],
     r"line 2, column '2024': '12' is not allowed; allowed: a cell flagged in '2024 "
     r"AFGESCHERMD' holds nothing, a censored token or a whole number from 1 to 4",
     "bad_flagged_count"),
])
def test_bad_flags_are_errors_or_counted_exclusions(tmp_path, rows, match, reason):
    path = duo_csv(tmp_path, rows=rows, header=FLAG_HEADER)
    with pytest.raises(ValueError, match=match):
        read_enrolments(path)
    enr = read_enrolments(path, errors="exclude")
    assert enr.exclusions["reason"].tolist() == [reason]
    assert enr.exclusions["year"].tolist() == [2024]
    assert enr.cells[["year", "low"]].values.tolist() == [[2023, 5]]  # the rest is read


def test_a_flag_without_its_count_column_is_an_error(tmp_path):
    header = "GEMEENTENUMMER;OPLEIDINGSCODE ACTUEEL;GESLACHT;2024;2023 AFGESCHERMD"
    with pytest.raises(ValueError, match=r"column '2023 AFGESCHERMD' looks like the "
                                         r"suppression flag of a count column '2023'"):
        read_enrolments(duo_csv(tmp_path, rows=["0363;1;man;5;1"], header=header))
