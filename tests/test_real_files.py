"""Real files (issue 17, part 2): encodings, Dutch numbers, column types, clear messages.

Every message names the file, the column, the 1-based file line and what is allowed.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from segspatial import segregation
from segspatial.cli import main
from segspatial.io import read_table

BASE = ["school;gm;a;b"] + [f"s{i:05d};GM{i % 3};{i % 7 + 1};{i % 5 + 2}"
                            for i in range(8000)]  # > 64 KiB


def _cli(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.err


def _indices(path, *extra):
    return ["indices", str(path), "--unit", "school", "--group-a", "a", "--group-b", "b",
            "--area", "gm", "--min-unit-size", "0", "--min-area-size", "0", "-q", *extra]


# ------------------------------------------------------------------------- encodings


def test_windows_1252_after_the_first_64_kib_is_read_as_windows_1252(tmp_path):
    path = tmp_path / "late.csv"
    text = "\n".join(BASE) + "\nCafé Ñú;GM0;1;2\n"
    path.write_bytes(text.encode("cp1252"))
    frame = read_table(path, text_columns=["school"])
    assert frame["school"].iloc[-1] == "Café Ñú"
    assert len(frame) == 8001


def test_utf8_after_windows_1252_is_refused_naming_both_lines(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes(("\n".join(BASE[:2]) + "\nCafé;GM0;1;2\n").encode("cp1252")
                     + ("\n".join(BASE[2:]) + "\nCafé;GM1;3;4\n").encode("utf-8"))
    with pytest.raises(ValueError, match=r"mixed\.csv' mixes encodings: line 3 has byte "
                                         r"0xe9, which is not UTF-8 .* but line 8003 has "
                                         r"UTF-8 text \('é'\).*encoding="):
        read_table(path)
    # told what it is, it reads (and the UTF-8 line comes out as Windows-1252 says)
    assert len(read_table(path, encoding="cp1252")) == 8002


def test_a_wrong_explicit_encoding_names_the_line(tmp_path, capsys):
    path = tmp_path / "c.csv"
    path.write_bytes(("\n".join(BASE) + "\nCafú;GM0;1;2\n").encode("cp1252"))
    code, err = _cli(capsys, *_indices(path, "--encoding", "utf-8"))
    assert code == 2
    assert "c.csv' line 8002: byte(s) 0xfa are not valid utf-8" in err
    assert "with --encoding, e.g. utf-8" in err and "Traceback" not in err


def test_unknown_encoding_is_a_clear_error(tmp_path, capsys):
    path = tmp_path / "c.csv"
    path.write_text("\n".join(BASE[:5]) + "\n")
    code, err = _cli(capsys, *_indices(path, "--encoding", "klingon"))
    assert code == 2
    assert "--encoding 'klingon' is not a known text encoding" in err and "use e.g. utf-8" in err


def test_utf8_bom_and_gzip(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + "school;a;b\nÉcole;1;2\n".encode())
    frame = read_table(path)
    assert list(frame.columns) == ["school", "a", "b"]
    assert frame["school"].iloc[0] == "École"


# ---------------------------------------------------------------------- Dutch numbers


def test_thousands_separators_are_refused_then_read_when_told(tmp_path, capsys):
    path = tmp_path / "duo.csv"
    path.write_text("school;gm;a;b\ns1;GM1;4.000;7.600\ns2;GM1;850;1.200\n")
    with pytest.raises(ValueError, match=r"duo\.csv' line 2, column 'a': '4\.000' is "
                                         r"ambiguous: a thousands separator \(4000\) or a "
                                         r"decimal point\?.*thousands='\.'"):
        read_table(path)
    frame = read_table(path, thousands=".")
    assert frame["a"].tolist() == [4000, 850] and frame["b"].tolist() == [7600, 1200]
    assert read_table(path, decimal=".")["a"].tolist() == [4.0, 850.0]
    code, err = _cli(capsys, *_indices(path))
    assert code == 2 and "--thousands '.'" in err
    out = tmp_path / "r.csv"
    assert _cli(capsys, *_indices(path, "--thousands", ".", "-o", str(out)))[0] == 0
    d = pd.read_csv(out).set_index("index").loc["dissimilarity", "value"]
    expected = 0.5 * (abs(4000 / 4850 - 7600 / 8800) + abs(850 / 4850 - 1200 / 8800))
    assert d == pytest.approx(expected, rel=1e-15)


def test_decimal_commas_are_refused_then_read_when_told(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("school;a;b\ns1;7,6;1\ns2;1.234,5;2\n")
    with pytest.raises(ValueError, match=r"c\.csv' line 2, column 'a': '7,6' has a decimal "
                                         r"comma; pass decimal=','"):
        read_table(path)
    frame = read_table(path, decimal=",", thousands=".")
    assert frame["a"].tolist() == [7.6, 1234.5]


def test_real_decimals_are_not_mistaken_for_thousands(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("school,x,a\ns1,155000.25,1.5\ns2,0.125,2.125\n")
    frame = read_table(path)
    assert frame["x"].tolist() == [155000.25, 0.125]


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"decimal": ",,"}, r"decimal=',,' is not a number separator"),
    ({"decimal": ".", "thousands": "."}, "must differ"),
])
def test_bad_number_options(tmp_path, kwargs, match):
    path = tmp_path / "c.csv"
    path.write_text("a\n1\n")
    with pytest.raises(ValueError, match=match):
        read_table(path, **kwargs)


# ----------------------------------------------------------------------- column types


def test_a_datetime_year_is_refused(tmp_path, capsys):
    frame = pd.DataFrame({"school": ["s1", "s2"], "gm": ["G", "G"], "a": [1, 2],
                          "b": [3, 4], "jaar": pd.to_datetime(["2018-10-01", "2018-10-01"])})
    path = tmp_path / "c.parquet"
    frame.to_parquet(path)
    code, err = _cli(capsys, *_indices(path, "--year", "jaar"))
    assert code == 2
    assert ("year: column 'jaar' of '" in err and "holds dates, e.g. ['2018-10-01" in err
            and "a year must be a whole number such as 2019" in err)


@pytest.mark.parametrize(("values", "what"), [
    ([True, False], "booleans"),
    ([1 + 2j, 3 + 0j], "complex numbers"),
    (pd.to_datetime(["2019-01-01", "2019-01-02"]), "dates"),
])
def test_counts_of_the_wrong_type_are_refused(values, what):
    df = pd.DataFrame({"school": ["s1", "s2"], "a": values, "b": [3, 4]})
    with pytest.raises(TypeError, match=rf"group_a: column 'a' holds {what}.*counts must be "
                                        r"numbers of pupils"):
        segregation(df, "school", "a", "b")


def test_booleans_mixed_into_an_object_column_are_refused():
    df = pd.DataFrame({"school": ["s1", "s2", "s3"], "a": [1, True, 2], "b": [3, 4, 5]})
    df["a"] = df["a"].astype(object)
    with pytest.raises(TypeError, match=r"holds booleans \(True/False\) \(rows 1\)"):
        segregation(df, "school", "a", "b")


def test_pupil_years_of_the_wrong_type_are_refused():
    from segspatial import aggregate_pupils

    df = pd.DataFrame({"school": ["s1", "s2"], "bg": ["dutch", "western"],
                       "jaar": pd.to_datetime(["2018-10-01", "2019-10-01"])})
    with pytest.raises(TypeError, match=r"year: column 'jaar' holds dates"):
        aggregate_pupils(df, "school", year="jaar", ethnicity="bg")


# ------------------------------------------------------------- messages name the line


def test_gate_messages_name_the_file_line_not_the_frame_row(tmp_path, capsys):
    path = tmp_path / "c.csv"
    path.write_text("school,gm,a,b\ns1,G,1,2\ns2,G,3,4\ns3,G,-5,6\n")
    code, err = _cli(capsys, *_indices(path))
    assert code == 2
    assert "group-a: column 'a' of '" in err or "group_a: column 'a' of '" in err
    assert "c.csv' has 1 negative count, e.g. -5 (line 4); counts must be >= 0" in err


def test_line_numbers_stay_right_with_blank_lines_and_quoted_line_breaks(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text('school,gm,a,b\ns1,G,1,2\n\n"s\n2",G,3,4\ns3,G,x,6\n')
    with pytest.raises(ValueError, match=r"non-numeric value such as \['x'\] \(line 6\)"):
        segregation(read_table(path), "school", "a", "b", area="gm")


def test_parquet_rows_are_counted_from_1(tmp_path):
    path = tmp_path / "c.parquet"
    pd.DataFrame({"school": ["s1", "s2", "s3"], "a": [1.0, np.nan, 2.0],
                  "b": [1, 2, 3]}).to_parquet(path)
    with pytest.raises(ValueError, match=r"missing \(NaN\) count \(row 2\)"):
        segregation(read_table(path), "school", "a", "b")


def test_a_directory_is_not_a_file(tmp_path, capsys):
    code, err = _cli(capsys, *_indices(tmp_path))
    assert code == 2
    assert f"input {str(tmp_path)!r} is a directory; give a file (.csv" in err


def test_schools_uses_the_gate_total_below_a_plus_b(tmp_path, capsys):
    path = tmp_path / "c.csv"
    path.write_text("school,a,b,t,x,y\ns1,5,5,12,120000,480000\ns2,5,5,8,120100,480000\n")
    code, err = _cli(capsys, "schools", str(path), "--unit", "school", "--group-a", "a",
                     "--group-b", "b", "--total", "t", "--x", "x", "--y", "y", "--crs",
                     "EPSG:28992", "-o", str(tmp_path / "m.html"))
    assert code == 2
    assert "total: column 't' of '" in err and "is below 'a' + 'b' in 1 rows (line 3), " \
        "e.g. 8 < 5 + 5" in err


# ------------------------------------------------------------------------- boundaries


#: RD New coordinates inside the Netherlands (the CRS's area of use is checked)
X0, Y0 = 120000, 480000


def _square(x0, size=1000):
    x0 += X0
    return [[[x0, Y0], [x0 + size, Y0], [x0 + size, Y0 + size], [x0, Y0 + size],
             [x0, Y0]]]


def _boundaries(path, codes):
    features = [{"type": "Feature", "properties": {"statcode": code},
                 "geometry": {"type": "Polygon", "coordinates": _square(i * 1000)}}
                for i, code in enumerate(codes)]
    path.write_text(json.dumps({
        "type": "FeatureCollection", "features": features,
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::28992"}}}))
    return path


def _located(tmp_path):
    rows = ["school,a,b,x,y"] + [f"s{i},{i + 3},{10 - i},{X0 + 100 + i * 200},{Y0 + 500}"
                                 for i in range(10)]
    path = tmp_path / "c.csv"
    path.write_text("\n".join(rows) + "\n")
    return ["indices", str(path), "--unit", "school", "--group-a", "a", "--group-b", "b",
            "--x", "x", "--y", "y", "--crs", "EPSG:28992", "--area-code", "statcode",
            "--snap", "0", "--min-unit-size", "0", "--min-area-size", "0",
            "-o", str(tmp_path / "r.csv")]  # no -q: the notes are what is tested


def test_a_boundary_feature_without_a_code_is_named_and_ignored(tmp_path, capsys):
    bounds = _boundaries(tmp_path / "b.geojson", ["GM1", None])
    code, err = _cli(capsys, *_located(tmp_path), "--areas-from", str(bounds))
    assert code == 0, err
    assert "1 boundary feature of " in err and "'<' not supported" not in err
    # the whole note (the console may shorten long notes)
    from segspatial import geo

    points = geo.unit_points(pd.read_csv(tmp_path / "c.csv"), x="x", y="y",
                             crs="EPSG:28992")
    with pytest.warns(geo.GeometryWarning) as caught:
        codes, _ = geo.assign_areas(points, geo.read_boundaries(bounds), "statcode", snap=0)
    text = " ".join(str(w.message) for w in caught)
    assert ("b.geojson' has no 'statcode' (area_code / --area-code; feature 2): units "
            "in it are left out (reason area_without_code)" in text)
    # the 5 units in the feature without a code: left out with their own reason
    assert ("5 units are left out: 5 lie in (or nearest to) a boundary feature without a "
            "'statcode'") in text
    assert codes.notna().sum() == 5


def test_units_left_out_always_say_why(tmp_path, capsys):
    bounds = _boundaries(tmp_path / "b.geojson", [None, " "])
    code, err = _cli(capsys, *_located(tmp_path), "--areas-from", str(bounds))
    assert code == 2
    assert ("10 units are left out: 10 lie in (or nearest to) a boundary feature "
            "without a 'statcode'") in err
    assert "are left out: \n" not in err and "are left out: (" not in err
    assert "no unit is left after locating them" in err


def test_pupil_files_name_the_line_of_a_bad_year(tmp_path):
    from segspatial import aggregate_pupils

    path = tmp_path / "pupils.csv"
    path.write_text("school,jaar,bg\ns1,2019,dutch\ns2,last,dutch\n")
    with pytest.raises(ValueError, match=r"year: column 'jaar' of '.*pupils\.csv' must hold "
                                         r"whole years; found \['last'\] \(line 3\)"):
        aggregate_pupils(path, "school", year="jaar", ethnicity="bg")
