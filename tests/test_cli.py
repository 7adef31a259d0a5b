"""The command line: the issue's contract form, summaries, exit codes."""

from __future__ import annotations

import re
import subprocess
import sys

import pandas as pd
import pytest

from segspatial import segregation
from segspatial.cli import main
from segspatial.demo import demo_counts
from segspatial.schema import RESULT_DESCRIPTIONS


@pytest.fixture(scope="module")
def counts_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "counts.csv"
    frame = demo_counts()
    frame["school"] = "0" + frame["school"]  # leading zeros must survive
    frame.to_csv(path, index=False)
    return path


def test_indices_contract_form(counts_csv, tmp_path, capsys):
    out = tmp_path / "results.parquet"
    status = main([
        "indices", str(counts_csv), "--unit", "school", "--group-a", "a", "--group-b", "b",
        "--area", "municipality", "--year", "year", "--total", "total",
        "--min-unit-size", "50", "--min-area-size", "10000", "--output", str(out),
    ])
    assert status == 0
    table = pd.read_parquet(out)
    # the file's text columns are typed (str, NaN for null); the table's are object/None
    text = [c for c, (kind, _) in RESULT_DESCRIPTIONS.items() if kind == "text"]
    table[text] = table[text].astype(object).where(table[text].notna(), None)
    frame = pd.read_csv(counts_csv, dtype={"school": str, "municipality": str})
    expected = segregation(frame, "school", "a", "b", area="municipality", year="year",
                           total="total").table
    pd.testing.assert_frame_equal(table, expected, check_dtype=False,
                                  check_column_type=False)
    err = capsys.readouterr().err
    assert "Computed 5 indices for 40 area-years" in err
    assert ": 10 area-years, 220 units" in err and "[small_area]" in err
    assert "[small_unit]" in err and "[not_in_comparison]" in err


def test_indices_to_stdout_and_exclusions_file(counts_csv, tmp_path, capsys):
    excl = tmp_path / "excl.csv"
    status = main(["indices", str(counts_csv), "--unit", "school", "--group-a", "a",
                   "--group-b", "b", "--area", "municipality", "--year", "year",
                   "--indices", "dissimilarity", "--exclusions-output", str(excl), "-q"])
    assert status == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("area,year,comparison,group_a,group_b,index,bandwidth,"
                                    "kernel,value")
    # without --total the area filter counts A + B only: Bergveld (GM9004) drops out too
    assert captured.out.count("\n") == 1 + 30
    assert "GM9004" not in captured.out
    assert captured.err == ""  # -q: no "wrote" line, no summary
    assert set(pd.read_csv(excl)["reason"]) >= {"small_area", "small_unit"}


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--group-b", "a"], "--group-a and --group-b must be different columns"),
        (["--group-b", "zz"], r"has no column\(s\) \['zz'\]"),
        (["--group-b", "b", "--indices", "gini"], "unknown index 'gini'"),
        (["--group-b", "b", "--min-unit-size", "-3"],
         "--min-unit-size must be a finite number"),
    ],
)
def test_bad_input_exits_2_with_message(counts_csv, capsys, extra, message):
    status = main(["indices", str(counts_csv), "--unit", "school", "--area", "municipality",
                   "--year", "year", "--group-a", "a", *extra])
    assert status == 2
    err = capsys.readouterr().err
    assert err.startswith("segspatial indices: error:")
    assert re.search(message, err)


def test_missing_input_file(capsys):
    assert main(["indices", "nope.csv", "--unit", "u", "--group-a", "a", "--group-b",
                 "b"]) == 2
    assert "input file not found: 'nope.csv'" in capsys.readouterr().err


def test_console_script_runs_demo(tmp_path):
    done = subprocess.run([sys.executable, "-m", "segspatial.cli", "demo", "--output",
                           str(tmp_path / "demo")], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
    results = pd.read_csv(tmp_path / "demo" / "results.csv")
    assert {"dissimilarity", "theil_h", "correlation"} <= set(results["index"])
    assert "Left out" in done.stdout


def test_demo_is_deterministic(tmp_path, capsys):
    assert main(["demo", "--output", str(tmp_path / "one")]) == 0
    capsys.readouterr()
    assert main(["demo", "--output", str(tmp_path / "two"), "-q"]) == 0
    assert capsys.readouterr() == ("", "")  # -q: nothing but errors
    for name in ("results.csv", "exclusions.csv"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


def test_version():
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0


def test_output_to_a_closed_pipe_is_no_traceback(tmp_path):
    # `segspatial indices ... | head -1`: the reader leaves early; no traceback
    n = 4000  # areas: a table far larger than the pipe's buffer
    big = pd.DataFrame({"school": [f"s{i}" for i in range(2 * n)],
                        "municipality": [f"GM{i // 2}" for i in range(2 * n)],
                        "year": 2019, "a": [10, 30] * n, "b": [30, 10] * n})
    path = tmp_path / "big.csv"
    big.to_csv(path, index=False)
    proc = subprocess.run(
        f"{sys.executable} -m segspatial.cli indices {path} --unit school "
        "--group-a a --group-b b --area municipality --year year --min-unit-size 0 "
        "--min-area-size 0 -q | head -1", shell=True, capture_output=True, text=True,
        timeout=120)
    assert proc.stdout.startswith("area,")
    assert proc.stderr == ""  # no traceback, no "error: Broken pipe" (-q: no summary)
