"""Number formats of CSV input (review defect 3): every number is checked against the
format declared with --decimal/--thousands (or the default: a decimal point, no
thousands separator) and read in it, never in another one."""

from __future__ import annotations

import pandas as pd
import pytest

from segspatial.cli import main
from segspatial.io import read_table

NL2 = "school;municipality;year;a;b;pupils\n1;M;2019;4.000;7,6;12\n2;M;2019;3;3;6\n"
NL7 = "school;municipality;year;a;b;pupils\n1;M;2019;4.000;7,6;12000\n2;M;2019;3,5;3;60\n"


def _write(tmp_path, text, name="nl.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def _run(capsys, path, *extra):
    code = main(["indices", str(path), "--unit", "school", "--area", "municipality",
                 "--year", "year", "--group-a", "a", "--group-b", "b",
                 "--min-unit-size", "0", "--min-area-size", "0", "-q", *extra])
    return code, capsys.readouterr().err


def test_a_thousands_group_is_not_read_as_a_decimal_under_decimal_comma(tmp_path, capsys):
    # the reviewer's nl2.csv: with --decimal ',' alone, '4.000' used to be read as 4.0
    path = _write(tmp_path, NL2)
    with pytest.raises(ValueError, match=r"nl\.csv' line 2, column 'a': '4\.000' is not "
                                         r"a number in the format given \(decimal ',', "
                                         r"no thousands separator\)"):
        read_table(path, decimal=",")
    code, err = _run(capsys, path, "--decimal", ",")
    assert code == 2 and "'4.000' is not a number" in err and "--thousands" in err
    # told both: 4.000 = 4000 and 7,6 = 7.6
    frame = read_table(path, decimal=",", thousands=".")
    assert frame["a"].tolist() == [4000, 3] and frame["b"].tolist() == [7.6, 3.0]
    out = tmp_path / "r.csv"
    assert _run(capsys, path, "--decimal", ",", "--thousands", ".", "-o", str(out))[0] == 0
    row = pd.read_csv(out).set_index("index").loc["dissimilarity"]
    assert (row["n_a"], row["n_b"]) == (4003, pytest.approx(10.6, rel=1e-15))
    expected = 0.5 * (abs(4000 / 4003 - 7.6 / 10.6) + abs(3 / 4003 - 3 / 10.6))
    assert row["value"] == pytest.approx(expected, rel=1e-14)


def test_the_error_blames_the_value_that_does_not_fit(tmp_path):
    # the reviewer's nl7.csv: '3,5' fits --decimal ','; '4.000' does not
    path = _write(tmp_path, NL7)
    with pytest.raises(ValueError, match=r"line 2, column 'a': '4\.000' is not a number"):
        read_table(path, decimal=",")
    with pytest.raises(ValueError, match=r"line 3, column 'a': '3,5' is not a number in "
                                         r"the format given \(decimal '\.', thousands ','\)"):
        read_table(path, thousands=",")
    frame = read_table(path, decimal=",", thousands=".")
    assert frame["a"].tolist() == [4000.0, 3.5] and frame["pupils"].tolist() == [12000, 60]


@pytest.mark.parametrize(("value", "decimal", "thousands", "expected"), [
    ("1.234.567", None, ".", 1234567),
    ("1.234,5", ",", ".", 1234.5),
    ("-1.234,5", ",", None, None),       # a point, but no thousands separator declared
    ("1,234,567", ".", ",", 1234567),
    ("4,000", ",", None, 4.0),
    ("4,000", None, ",", 4000),
    ("12.34", None, ",", 12.34),
    ("1.23.4", ",", ".", None),          # groups of three only
    ("1.2345", ",", ".", None),
    ("12,5e3", ",", None, 12500.0),
])
def test_each_value_is_read_in_the_declared_format_or_refused(tmp_path, value, decimal,
                                                              thousands, expected):
    path = _write(tmp_path, f"school;a\ns1;{value}\ns2;7\n")
    if expected is None:
        with pytest.raises(ValueError, match=rf"line 2, column 'a': '{value}' is not a "
                                             "number in the format given"):
            read_table(path, decimal=decimal, thousands=thousands)
        return
    frame = read_table(path, decimal=decimal, thousands=thousands)
    assert frame["a"].tolist() == [expected, 7]


def test_default_format_refuses_separators_it_cannot_read(tmp_path):
    # review 14: '4,000' and '1.234.567' were "non-numeric" without naming the options
    cases = {"4,000": r"'4,000' is ambiguous: a thousands separator \(4000\) or a decimal "
                      r"comma\? pass thousands=','",
             "1.234.567": r"'1\.234\.567' has thousands separators; pass thousands='\.'",
             "7,6": r"'7,6' has a decimal comma; pass decimal=','",
             "1,2,3": r"'1,2,3' is not a number in the default format \(decimal '\.', no "
                      r"thousands separator\); pass the separators"}
    for value, message in cases.items():
        path = _write(tmp_path, f"school;a\ns1;{value}\ns2;7\n")
        with pytest.raises(ValueError, match=r"line 2, column 'a': " + message):
            read_table(path)


def test_missing_values_and_text_keep_their_place(tmp_path):
    path = _write(tmp_path, "school;a;b;name\ns1;1.500,5;;Den Haag\ns2;7;x;1,2\n")
    frame = read_table(path, decimal=",", thousands=".")
    assert frame["a"].tolist() == [1500.5, 7.0]
    assert frame["b"].isna().tolist() == [True, False] and frame["b"].iloc[1] == "x"
    # a text column is text, even with a value that looks like a number
    assert frame["name"].tolist() == ["Den Haag", "1,2"]
    assert read_table(path, columns=["school", "name"])["name"].tolist()[1] == "1,2"
    path = _write(tmp_path, "school;a\ns1;1,5\ns2;\n", "gaps.csv")
    assert read_table(path, decimal=",")["a"].tolist()[0] == 1.5
    # text ids stay text (leading zeros) whatever the format
    path = _write(tmp_path, "school;a\n007;1.000\n010;2\n", "ids.csv")
    frame = read_table(path, text_columns=["school"], thousands=".")
    assert frame["school"].tolist() == ["007", "010"] and frame["a"].tolist() == [1000, 2]


@pytest.mark.parametrize("option", ["decimal", "thousands"])
def test_only_points_and_commas_are_separators(tmp_path, capsys, option):
    path = _write(tmp_path, NL2)
    with pytest.raises(ValueError, match=rf"{option}='x' is not a number separator: use "
                                         r"'\.' or ','"):
        read_table(path, **{option: "x"})
    with pytest.raises(SystemExit) as exit_:
        _run(capsys, path, f"--{option}", "x")
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and f"argument --{option}: invalid choice: 'x'" in err
    with pytest.raises(ValueError, match="decimal and thousands must differ"):
        read_table(path, decimal=",", thousands=",")
