"""Reading and writing tables: formats, separators, encodings, projection, errors."""

from __future__ import annotations

import gzip

import pandas as pd
import pytest

from segspatial.io import read_table, write_table


def test_semicolon_cp1252_like_duo(tmp_path):
    path = tmp_path / "duo.csv"
    path.write_bytes("BRIN;NAAM;LEERLINGEN\n00AP;Sint-Jozefschool één;120\n"
                     "00AR;De Hoeksteen;85\n".encode("cp1252"))
    frame = read_table(path, text_columns=["BRIN"])
    assert list(frame.columns) == ["BRIN", "NAAM", "LEERLINGEN"]
    assert frame["BRIN"].tolist() == ["00AP", "00AR"]
    assert frame["LEERLINGEN"].sum() == 205
    assert frame["NAAM"].iloc[0] == "Sint-Jozefschool één"


def test_leading_zeros_kept_and_projection(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("school,gm,a,b,unused\n0001,0363,1,2,x\n0002,0363,3,4,y\n")
    frame = read_table(path, columns=["school", "a"], text_columns=["school"])
    assert list(frame.columns) == ["school", "a"]
    assert frame["school"].tolist() == ["0001", "0002"]


def test_tab_and_gzip(tmp_path):
    path = tmp_path / "c.tsv.gz"
    with gzip.open(path, "wt") as fh:
        fh.write("school\ta\tb\ns1\t1\t2\n")
    assert read_table(path).shape == (1, 3)


def test_parquet_roundtrip_with_projection(tmp_path):
    frame = pd.DataFrame({"school": ["0001", "0002"], "a": [1, 2], "b": [3.5, 4.0]})
    path = write_table(frame, tmp_path / "sub" / "c.parquet")
    pd.testing.assert_frame_equal(read_table(path), frame, check_dtype=False)
    assert list(read_table(path, columns=["b"]).columns) == ["b"]
    with pytest.raises(ValueError, match=r"has no column\(s\) \['zz'\]"):
        read_table(path, columns=["zz"])


def test_csv_write_is_atomic_and_leaves_no_temp(tmp_path):
    path = write_table(pd.DataFrame({"x": [1.0 / 3]}), tmp_path / "r.csv")
    assert path.read_text() == "x\n0.3333333333333333\n"  # never rounded
    assert [p.name for p in tmp_path.iterdir()] == ["r.csv"]


@pytest.mark.parametrize(
    ("name", "content", "error", "match"),
    [
        ("missing.csv", None, FileNotFoundError, "input file not found"),
        ("c.xlsx", b"x", ValueError, r"cannot tell the format of .*c\.xlsx"),
        ("empty.csv", b"", ValueError, "is empty"),
        ("c.csv", b"a;b\n1;2\n", ValueError, r"has no column\(s\) \['school'\].*separator ';'"),
    ],
)
def test_read_errors(tmp_path, name, content, error, match):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(error, match=match):
        read_table(path, columns=["school"])


@pytest.mark.parametrize(("sep", "encoding", "match"), [
    (None, "no-such-codec", r"encoding='no-such-codec' is not a known text encoding"),
    (None, "base64", r"encoding='base64' is not a known text encoding"),  # bytes, not text
    ("", None, r"sep='' is not a CSV separator: give one character"),
    (";;", None, r"sep=';;' is not a CSV separator"),
    (None, "ascii", r"c\.csv' line 3: byte\(s\) 0xc3 are not valid ascii.*encoding="),
])
def test_bad_sep_or_encoding_is_a_clear_error(tmp_path, sep, encoding, match):
    path = tmp_path / "c.csv"
    path.write_bytes("school,a\nS1,1\nSchöol,2\n".encode())
    with pytest.raises(ValueError, match=match):
        read_table(path, sep=sep, encoding=encoding)


def test_a_typed_tab_separator_is_a_tab(tmp_path):
    path = tmp_path / "c.tsv"
    path.write_text("school\ta\nS1\t1\n", encoding="utf-8")
    for sep in ("\\t", "tab", "\t"):
        assert read_table(path, sep=sep).columns.tolist() == ["school", "a"]
