"""What the command line says comes from the text catalogue ([cli]): in the language of
--lang where the command has it, else English; errors stay English."""

from __future__ import annotations

import argparse
import io

import pandas as pd

from segspatial.cli._common import format_exclusions
from segspatial.cli._console import Console, lang_of


def _exclusions():
    return pd.DataFrame({"reason": ["small_unit", "small_area"], "area": ["GM1", "GM2"],
                         "year": [2018, 2018], "n_units": [3, 40],
                         "n_pupils": [120.0, 12345.0],
                         "description": ["school below the minimum number of pupils",
                                         "municipality below the minimum"]})


def test_wrote_lines_and_notes_in_the_runs_language():
    out = io.StringIO()
    nl = Console(prog="segspatial report", lang="nl", stream=out)
    nl.wrote("r.csv", "results")
    nl.wrote("g.png", "grid_page", number=2, pages=3)
    nl.wrote("x.html")
    nl.wrote("y.bin", "something else")  # a thing without words: its name
    assert out.getvalue().splitlines() == [
        "resultaten geschreven naar r.csv", "pagina 2 van 3 van het raster geschreven naar "
        "g.png", "x.html geschreven", "something else geschreven naar y.bin"]
    out = io.StringIO()
    Console(stream=out).wrote("r.csv", "results")
    assert out.getvalue() == "wrote results to r.csv\n"
    assert Console(lang="nl").count(12345) == "12.345"


def test_the_language_is_lang_where_the_command_has_it():
    assert lang_of(argparse.Namespace(lang="nl")) == "nl"
    assert lang_of(argparse.Namespace()) == "en"  # e.g. indices: no --lang
    assert lang_of(argparse.Namespace(lang="xx")) == "en"  # not a catalogue language
    assert Console.for_args(argparse.Namespace(lang="nl")).lang == "nl"


def test_exclusion_summary_in_dutch_and_english():
    nl = format_exclusions(_exclusions(), lang="nl")
    lines = nl.splitlines()
    assert lines[0] == "Weggelaten (reden: gebied-jaren, scholen, leerlingen):"
    # the reason in words first, its code last as a search key (review1 #20)
    assert ("  gemeente met gemiddeld minder leerlingen per jaar dan het minimum: 1 "
            "gebied-jaar, 40 scholen, 12.345 leerlingen [small_area]") in lines
    assert ("  school onder het minimumaantal leerlingen: 1 gebied-jaar, 3 scholen, 120 "
            "leerlingen [small_unit]") in lines
    en = format_exclusions(_exclusions())
    assert "  municipality below the minimum: 1 area-year, 40 units, 12,345 pupils " \
        "[small_area]" in en.splitlines()
    with_min_cell = format_exclusions(_exclusions(), 10).splitlines()
    assert with_min_cell[0] == "Left out (reason: area-years, units, pupils; pupils rounded):"
    assert with_min_cell[-1].startswith("  Not counted: counts below 10, pupils without")
    dutch = format_exclusions(_exclusions(), 10, lang="nl").splitlines()
    assert len(dutch[0]) < 80 and dutch[-1].startswith("  Niet geteld: aantallen onder 10")
    assert format_exclusions(_exclusions().iloc[:0], lang="nl") == "Er is niets weggelaten."
    assert "statistische geheimhouding, --min-cell 10" in format_exclusions(
        _exclusions().iloc[:0], 10, lang="nl")


def test_errors_stay_english_under_lang_nl(tmp_path, capsys):
    from segspatial.cli import main

    assert main(["monitor", str(tmp_path / "missing.json"), "--lang", "nl", "--output",
                 str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert "segspatial monitor: error:" in err and "missing.json" in err
    assert "niet" not in err and "bestand" not in err
