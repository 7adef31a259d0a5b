"""segspatial's warnings come from the text catalogue: English ``str()`` for the Python
API, a ``note:`` in the language of ``--lang`` on the command line; other libraries'
warnings are one tidy line; ``-q`` silences them all (issue 11)."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pandas as pd
import pytest

from segspatial._exceptions import CatalogueWarning, SegregationWarning
from segspatial._warn import Examples, Features, Joined, Text, render, warn
from segspatial.cli import main
from segspatial.cli._console import Console
from segspatial.geo import GeometryWarning
from segspatial.text import LANGUAGES, lookup, plural

PACKAGE = Path(__file__).resolve().parents[1] / "segspatial"


def _sources() -> dict[Path, str]:
    return {p: p.read_text("utf-8") for p in PACKAGE.rglob("*.py")}


def test_every_warning_of_the_package_has_a_catalogue_key():
    """No bare ``warnings.warn(...)`` with an English f-string: every warning segspatial
    raises goes through ``_warn.warn`` with a key of the ``[warning]`` table."""
    bare = [f"{p.relative_to(PACKAGE)}:{s[:m.start()].count(chr(10)) + 1}"
            for p, s in _sources().items() if p.name != "_warn.py"
            for m in re.finditer(r"warnings\.warn\(", s)]
    assert bare == []
    keys = set()
    for source in _sources().values():
        keys |= set(re.findall(r"\bwarn\(\s*\w+Warning,\s*\"(\w+)\"", source))
        keys |= set(re.findall(r"\bText\(\s*\"(\w+)\"", source))
    assert len(keys) >= 25
    for lang in LANGUAGES:
        missing = sorted(k for k in keys if lookup(lang, f"warning.{k}") is None)
        assert missing == [], lang


@pytest.mark.parametrize(("n", "en", "nl"), [
    (1, "1 area of the results has no boundary feature and is not drawn: 'GM1'",
     "1 gebied van de resultaten heeft geen grensobject en wordt niet getekend: 'GM1'"),
    (1234, "1,234 areas of the results have no boundary feature and are not drawn: 'GM1'",
     "1.234 gebieden van de resultaten hebben geen grensobject en worden niet getekend: "
     "'GM1'")])
def test_a_warning_is_english_for_the_api_and_translated_for_a_reader(n, en, nl):
    w = SegregationWarning(key="areas_not_drawn", params={"n": n,
                                                          "examples": Examples(["GM1"])})
    assert str(w) == en and w.text("en") == en and w.text("nl") == nl
    assert isinstance(w, CatalogueWarning) and w.key == "areas_not_drawn"
    plain = SegregationWarning("a plug-in's own words")  # still works without a key
    assert str(plain) == plain.text("nl") == "a plug-in's own words"


def test_values_are_written_the_way_of_the_language():
    parts = Joined([Text("size_filters_part", units=Text("n_units", n=1),
                         pupils=Text("n_pupils", n=1), reason="small_unit"),
                    Text("size_filters_part", units=Text("n_units", n=12),
                         pupils=Text("n_pupils", n=3500), reason="small_area")])
    params = {"min_unit_size": "5", "min_area_size": "0", "parts": parts}
    assert render("en", "size_filters", params) == (
        "the size filters (min_unit_size=5, min_area_size=0) left out 1 unit with 1 "
        "pupil (small_unit); 12 units with 3,500 pupils (small_area); pass 0 to keep them")
    assert "1 school met 1 leerling (small_unit); 12 scholen met 3.500 leerlingen" in \
        render("nl", "size_filters", params)
    many = Examples([f"s{i}" for i in range(8)])
    assert render("nl", "schools_without_location", {"n": 8, "examples": many}).endswith(
        "'s0', 's1', 's2', 's3', 's4' en nog 3")
    assert render("en", "repaired", {"name": "b", "n": 2, "features": Features([0, 4])}) \
        == "boundaries b: repaired 2 invalid geometries (shapely.make_valid; features 1, 5)"
    assert render("nl", "repaired", {"name": "b", "n": 1, "features": Features([0])}) \
        == "grenzen b: 1 ongeldige geometrie hersteld (shapely.make_valid; object 1)"


def test_plural_variants_for_zero_and_one():
    assert [plural("en", "warning.multigroup_few_groups", k, n=str(k)).split(", ")[0]
            for k in (0, 1, 2)] == ["index undefined: no group has pupils",
                                    "index undefined: 1 group with pupils",
                                    "index undefined: 2 groups with pupils"]
    assert plural("nl", "warning.n_pupils", 1, n="1") == "1 leerling"


def _map(tmp_path, lang: str, *extra: str) -> int:
    from tests.test_cli_conventions import write_files

    files = write_files(tmp_path)
    results = tmp_path / "r.csv"
    pd.DataFrame({"area": ["GM0001", "GM0009"], "index": "dissimilarity",
                  "value": [0.2, 0.3]}).to_csv(results, index=False)
    return main(["map", str(results), str(files["towns"]), "--index", "dissimilarity",
                 "--lang", lang, "-o", str(tmp_path / "m.png"), *extra])


def test_the_command_line_shows_library_warnings_in_its_language(tmp_path, capsys):
    assert _map(tmp_path, "nl") == 0
    err = capsys.readouterr().err.splitlines()
    assert err[0] == ("segspatial map: note: 1 gebied van de resultaten heeft geen "
                      "grensobject en wordt niet getekend: 'GM0009'")
    assert _map(tmp_path, "en") == 0
    assert capsys.readouterr().err.splitlines()[0] == (
        "segspatial map: note: 1 area of the results has no boundary feature and is not "
        "drawn: 'GM0009'")
    assert _map(tmp_path, "nl", "-q") == 0
    assert capsys.readouterr().err == ""


def test_a_warning_names_flags_in_every_language(capsys):
    console = Console(prog="segspatial x", lang="nl", flags={"snap": "--snap"})
    with console.capture_warnings():
        warn(GeometryWarning, "snapped", n=3, snap="50", farthest="12")
    assert capsys.readouterr().err == (
        "segspatial x: note: 3 scholen liggen buiten elk gebiedsvlak en zijn toegewezen "
        "aan het dichtstbijzijnde binnen --snap 50 m (de verste op 12 m)\n")


def test_other_libraries_warnings_are_one_tidy_line(capsys):
    """A pandas or pyogrio warning keeps its own words (they cannot be translated) but
    arrives as one note line naming the library: no source line, no line breaks."""
    console = Console(prog="segspatial x", lang="nl")
    with console.capture_warnings():
        warnings.warn_explicit("Columns (3) have\n  mixed types.", pd.errors.DtypeWarning,
                               "/venv/lib/python3.11/site-packages/pandas/io/parsers.py", 9)
        warnings.warn_explicit("Measured (M) geometry types are not supported.",
                               UserWarning,
                               "/venv/lib/python3.11/site-packages/pyogrio/raw.py", 198)
        warnings.warn("invalid value encountered in divide", RuntimeWarning, stacklevel=1)
    assert capsys.readouterr().err.splitlines() == [
        "segspatial x: note: pandas waarschuwt: Columns (3) have mixed types. "
        "(DtypeWarning)",
        "segspatial x: note: pyogrio waarschuwt: Measured (M) geometry types are not "
        "supported.",
        "segspatial x: note: invalid value encountered in divide (RuntimeWarning)"]
