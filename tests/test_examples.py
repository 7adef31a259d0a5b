"""The examples run, and say what their docstrings promise."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _run(name: str, argv: list[str], capsys) -> str:
    old = sys.argv
    sys.argv = [name, *argv]
    try:
        runpy.run_path(str(EXAMPLES / name), run_name="__main__")
    finally:
        sys.argv = old
    return capsys.readouterr().out


def test_checkerboard(capsys):
    out = _run("checkerboard.py", [], capsys)
    assert "Same D (0.600) in both towns" in out
    assert "At 1 km the halves keep 39% of Theil's H, the checkerboard 0%" in out


def test_pupils_seven_comparisons(tmp_path, capsys):
    out = _run("pupils_seven_comparisons.py", ["--output", str(tmp_path)], capsys)
    for comparison in ("dutch_vs_nonwestern", "high_vs_low_income", "high_vs_low_education"):
        assert comparison in out
    assert "between_bands" in out
    assert (tmp_path / "report_grids.png").stat().st_size > 10_000


def test_real_2019_case(shared_data, tmp_path, capsys):
    out = _run("real_2019_case.py", ["--data", str(shared_data), "--output", str(tmp_path)],
               capsys)
    assert "6,295 schools, 1,396,457 pupils, 355 municipalities" in out
    assert "Amsterdam               0.587" in out
    for name in ("dissimilarity_2019.png", "dissimilarity_2019.html", "results_2019.gpkg",
                 "report/index.html", "report/GM0363.html", "report/GM0599.html"):
        assert (tmp_path / name).is_file(), name


def test_real_2019_case_without_data_says_how(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SEGSPATIAL_SHARED_DATA", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    import segspatial.datasets as datasets

    monkeypatch.setattr(datasets, "find_data_dir", lambda data_dir=None: None)
    with pytest.raises(SystemExit, match="public data not found: pass --data PATH"):
        _run("real_2019_case.py", ["--output", str(tmp_path / "o")], capsys)


def test_technical_monitor(shared_data, tmp_path, capsys):
    out = _run("technical_monitor.py", ["--data", str(shared_data), "--output",
                                        str(tmp_path / "m")], capsys)
    assert "  2024: 25.6%;" in out and "  2020: 23.1%;" in out
    assert "Labour-market regions below 20% in 2024:" in out
    assert "  D    = 0.4685 (0.4666-0.4704, bound)" in out
    assert "  E[D] = 0.0160 (0.0093-0.0227, bound)" in out
    assert "  D*   = 0.4599 (0.4542-0.4654, bound)" in out
    # every labour-market region has a page, also the 8 where no techniek programme is given
    assert len(list((tmp_path / "m").glob("AM*.html"))) == 35
    for name in ("index.html", "AM18.html", "PV27.html", "representation.csv",
                 "map_labour_market_region.png"):
        assert (tmp_path / "m" / name).is_file(), name
