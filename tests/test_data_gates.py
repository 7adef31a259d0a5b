"""Data gates of the commands (review2 findings): every file goes through one validation
gate, and its messages name the file, the 1-based line, the column, the bad value and
what is allowed."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from _towns import write_files

from segspatial.cli import main
from segspatial.io import read_results

STRVAL = "area,index,value\nGM0001,dissimilarity,abc\nGM0002,dissimilarity,0.3\n"


def test_read_results_refuses_a_non_numeric_value_naming_file_line_column(tmp_path):
    """Review2 #27: ``value`` 'abc' was read as text (a grey area, a text field)."""
    path = tmp_path / "r.csv"
    path.write_text(STRVAL)
    with pytest.raises(ValueError) as exc:
        read_results(path)
    assert str(exc.value).startswith(
        f"{str(path)!r}, line 2, column 'value': 'abc' is not a number; column 'value' of "
        "a segspatial results table holds numbers (decimal point; empty when undefined)")


@pytest.mark.parametrize("column, bad, word", [
    ("bandwidth", "1km", "a number"), ("se", "high", "a number"),
    ("n_units", "2.5", "a whole number"), ("year", "2019/20", "a whole number")])
def test_read_results_checks_every_numeric_schema_column(tmp_path, column, bad, word):
    path = tmp_path / "r.csv"
    frame = pd.DataFrame({"area": ["GM0001", "GM0002", "GM0003"],
                          "index": "dissimilarity", "value": [0.1, 0.2, 0.3],
                          column: ["1", "", bad]})
    frame.to_csv(path, index=False)
    with pytest.raises(ValueError, match=rf"line 4, column '{column}': '?{bad}'? is not "
                                         rf"{word}"):
        read_results(path)


def test_read_results_types_numbers_and_keeps_text_and_blanks(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("area,index,value,n_units,year,reason\n0363,dissimilarity,0.25,3,2019,\n"
                    "0034,dissimilarity,,1,2019,fewer than 2 units\n")
    frame = read_results(path)
    assert frame["area"].tolist() == ["0363", "0034"]  # codes keep their zeros
    assert frame["value"].dtype == np.float64
    assert frame["value"].iloc[0] == 0.25 and np.isnan(frame["value"].iloc[1])
    assert frame["n_units"].tolist() == [3.0, 1.0]
    assert frame["year"].tolist() == [2019.0, 2019.0]


def test_several_bad_values_are_counted(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("area,index,value\nA,d,x\nB,d,0.2\nC,d,y\nD,d,z\n")
    with pytest.raises(ValueError, match=r"line 2, column 'value': 'x' is not a number "
                                         r"\(and 2 more: lines 4, 5\); column 'value'"):
        read_results(path)


@pytest.mark.parametrize("command", ["map", "heatmap", "join"])
def test_commands_reading_results_refuse_a_text_value(tmp_path, capsys, command):
    """``map`` and ``heatmap`` painted the area grey; ``join`` wrote 'abc' and '0.3' as
    text properties."""
    files = write_files(tmp_path)
    results = tmp_path / "strval.csv"
    results.write_text(STRVAL)
    out = tmp_path / ("o.geojson" if command == "join" else "o.png")
    argv = {"map": ["map", str(results), str(files["towns"]), "--index", "dissimilarity"],
            "heatmap": ["heatmap", str(results), "--index", "dissimilarity"],
            "join": ["join", str(results), str(files["towns"])]}[command]
    assert main([*argv, "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"{str(results)!r}, line 2, column 'value': 'abc' is not a number" in err, err
    assert "Traceback" not in err
    assert not out.exists()


def test_join_writes_numbers_as_numbers(tmp_path, capsys):
    files = write_files(tmp_path)
    results = tmp_path / "ok.csv"
    results.write_text(STRVAL.replace("abc", "0.25"))
    out = tmp_path / "j.geojson"
    assert main(["join", str(results), str(files["towns"]), "-o", str(out)]) == 0
    values = [f["properties"].get("dissimilarity")
              for f in json.loads(out.read_text())["features"]]
    assert sorted(v for v in values if v is not None) == [0.25, 0.3]


SCHOOLS_YEAR = ("school,a,b,x,y,yr\ns1,5,10,121000,487000,{}\n"
                "s2,5,3,121500,487000,2019\n")


def _schools(tmp_path, year: str, *extra: str) -> list[str]:
    path = tmp_path / "stryear.csv"
    path.write_text(SCHOOLS_YEAR.format(year))
    return ["schools", str(path), "--unit", "school", "--group-a", "a", "--group-b", "b",
            "--x", "x", "--y", "y", "--crs", "EPSG:28992", "--year", "yr", *extra,
            "-o", str(tmp_path / "sy.png")]


def test_schools_checks_the_year_column_as_indices_does(tmp_path, capsys):
    """Review2 #46: a text year 'twenty' won "the latest year" (as text, > '2019')."""
    argv = _schools(tmp_path, "twenty")
    assert main(argv) == 2
    schools_err = capsys.readouterr().err
    assert "column 'yr' of" in schools_err and \
        "must hold whole years; found ['twenty'] (line 2)" in schools_err, schools_err
    assert not (tmp_path / "sy.png").exists()
    indices = ["indices", *argv[1:8], "--year", "yr", "-o", str(tmp_path / "r.csv")]
    assert main(indices) == 2
    assert "must hold whole years; found ['twenty'] (line 2)" in capsys.readouterr().err


def test_schools_in_year_must_be_a_year(tmp_path, capsys):
    assert main(_schools(tmp_path, "2018", "--in-year", "last")) == 2
    assert "--in-year must be a whole year such as 2019, got 'last'" in \
        capsys.readouterr().err
    assert main(_schools(tmp_path, "2018", "--in-year", "2017")) == 2
    assert "--in-year 2017 is not in column 'yr' of " in (err := capsys.readouterr().err)
    assert "; available: [2018, 2019]" in err


def test_count_errors_name_the_line_and_the_unit(tmp_path, capsys):
    """Review2 #30: count errors gave the line but not the unit id (coordinate errors
    gave both)."""
    path = tmp_path / "bad.csv"
    path.write_text("school,a,b,x,y,gm\ns1,5,10,121000,487000,GM0363\n"
                    "s2,abc,10,122000,487500,GM0363\ns3,8,2,123000,488000,GM0363\n")
    for command in (["schools", "--x", "x", "--y", "y", "--crs", "EPSG:28992", "--area",
                     "gm", "-o", str(tmp_path / "o.png")],
                    ["indices", "--area", "gm", "-o", str(tmp_path / "o.csv")]):
        argv = [command[0], str(path), "--unit", "school", "--group-a", "a", "--group-b",
                "b", *command[1:]]
        assert main(argv) == 2
        assert "--group-a: column 'a' of " in (err := capsys.readouterr().err)
        assert "must hold numeric counts; found 1 non-numeric value such as ['abc'] " \
            "(line 3, unit 's2')" in err, err


def test_local_keeps_the_group_column_names(tmp_path):
    """Review2 #39: `local` wrote the counts of --group-a/--group-b as columns a and b."""
    path = tmp_path / "c.csv"
    path.write_text("school,dutch,nonwestern,x,y\ns1,40,10,121000,487000\n"
                    "s2,20,30,121500,487000\ns3,5,45,122000,487300\n")
    out = tmp_path / "loc.csv"
    assert main(["local", str(path), "--unit", "school", "--group-a", "dutch",
                 "--group-b", "nonwestern", "--x", "x", "--y", "y", "--crs", "EPSG:28992",
                 "--min-area-size", "0", "-o", str(out)]) == 0
    table = pd.read_csv(out)
    assert {"school", "dutch", "nonwestern", "p", "p_local"} <= set(table.columns)
    assert not {"a", "b", "unit"} & set(table.columns)
    assert table.set_index("school")["dutch"].to_dict() == {"s1": 40, "s2": 20, "s3": 5}
    assert table.set_index("school")["nonwestern"].to_dict() == {"s1": 10, "s2": 30,
                                                                  "s3": 45}
    assert np.allclose(table["p"], table["dutch"] / (table["dutch"] + table["nonwestern"]))


def test_local_refuses_a_group_name_that_is_a_measure_column(tmp_path, capsys):
    path = tmp_path / "c.csv"
    path.write_text("school,p,b,x,y\ns1,40,10,121000,487000\ns2,20,30,121500,487000\n")
    assert main(["local", str(path), "--unit", "school", "--group-a", "p", "--group-b",
                 "b", "--x", "x", "--y", "y", "--crs", "EPSG:28992", "--min-area-size",
                 "0", "-o", str(tmp_path / "loc.csv")]) == 2
    assert "the input column name(s) ['p'] are also columns of the local measures " \
        "table" in capsys.readouterr().err
