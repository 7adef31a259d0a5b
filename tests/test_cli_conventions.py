"""Command-line conventions: shared option groups, one parse per flag, messages.

Every sub-command takes the shared options from the groups of
:mod:`segspatial.cli._options`; a flag parses the same way in every command; errors
and notes name flags, not Python arguments; warnings arrive as ``note:`` lines; ``-q``
leaves errors only.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from _towns import SCHOOLS, write_files

from segspatial.cli import build_parser, main
from segspatial.cli._console import Console, cli_text
from segspatial.cli._options import GROUPS, add_group, leaf_parsers

_DEFAULT = re.compile(r" ?\(default: [^()]*(?:\([^()]*\)[^()]*)*\)")


def _leaves() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    return {leaf.prog.removeprefix("segspatial "): leaf for leaf in leaf_parsers(parser)
            if leaf is not parser}


def _sections(parser: argparse.ArgumentParser) -> dict[str, str]:
    """long flag -> the title of the --help section it is listed under."""
    return {s: group.title for group in parser._action_groups
            for action in group._group_actions for s in action.option_strings
            if s.startswith("--")}


def _visible(parser: argparse.ArgumentParser) -> dict[str, argparse.Action]:
    return {s: a for a in parser._actions for s in a.option_strings
            if s.startswith("--") and a.help != argparse.SUPPRESS}


# `boundaries fetch --year 2019` is the year of the regional division (there is no data
# table there, so no year column): the one flag with another meaning, kept because it
# reads naturally
OTHER_MEANING = {("boundaries fetch", "--year")}

COMMANDS = ("indices", "local", "demo", "list-indices", "map", "heatmap", "schools",
            "boundaries fetch", "boundaries info", "join", "report", "monitor", "change",
            "qgis-plugin")


def test_every_subcommand_is_checked():
    assert set(_leaves()) == set(COMMANDS)


def test_shared_options_are_listed_identically_under_their_group():
    """A registry option has the same section, help, syntax and choices everywhere
    (per command only its default, --output's wording and whether it is required)."""
    titles: dict[str, set[str]] = {}
    for group in GROUPS.values():
        for opt in group.options:
            titles.setdefault(opt.flags[0], set()).add(group.title)
    registry = {f: name for name, group in GROUPS.items() for opt in group.options
                for f in opt.flags if f.startswith("--")}
    seen: dict[str, tuple[str, tuple]] = {}
    used = set()
    for command, parser in _leaves().items():
        sections = _sections(parser)
        for flag, action in _visible(parser).items():
            if flag not in registry or (command, flag) in OTHER_MEANING:
                continue
            used |= {n for n, g in GROUPS.items() if g.title == sections[flag]}
            if sections[flag] not in titles[flag]:
                pytest.fail(f"{command}: {flag} is listed under {sections[flag]!r}, not "
                            f"{sorted(titles[flag])!r}")
            help_text = "" if flag == "--output" else _DEFAULT.sub("", action.help)
            key = (type(action).__name__, action.nargs, action.type, action.choices,
                   action.metavar if flag != "--output" else None, help_text)
            if flag == "--bandwidth":  # the spatial and select groups share its syntax
                key = key[:5]
            first = seen.setdefault(flag, (command, key))
            assert key == first[1], f"{flag}: {command} differs from {first[0]}"
    assert used == set(GROUPS)  # every group is used by some command


@pytest.mark.parametrize("command", COMMANDS)
def test_help_lists_the_groups_and_quiet(command, capsys):
    with pytest.raises(SystemExit):
        main([*command.split(), "--help"])
    text = capsys.readouterr().out
    parser = _leaves()[command]
    titles = {GROUPS[name].title for name in GROUPS} & set(_sections(parser).values())
    for title in titles:
        assert f"\n{title}:\n" in text, title
    assert "--quiet, -q" in text and "no notes, summaries or 'wrote' lines" in text


# minimal command lines, to parse an option in every command that has it
MINIMAL = {
    "indices": ["indices", "in.csv"],
    "local": ["local", "in.csv"],
    "demo": ["demo"],
    "list-indices": ["list-indices"],
    "map": ["map", "r.csv", "b.geojson", "--index", "dissimilarity", "-o", "m.png"],
    "heatmap": ["heatmap", "r.csv", "--index", "dissimilarity", "-o", "g.png"],
    "schools": ["schools", "in.csv", "-o", "s.html"],
    "boundaries fetch": ["boundaries", "fetch", "--level", "gemeente"],
    "boundaries info": ["boundaries", "info", "b.geojson"],
    "join": ["join", "r.csv", "b.geojson", "-o", "j.gpkg"],
    "report": ["report", "in.csv", "-o", "out"],
    "monitor": ["monitor", "in.json", "-o", "out"],
    "change": ["change", "in.csv"],
    "qgis-plugin": ["qgis-plugin"],
}
# the flags a command needs besides MINIMAL, with a value
NEEDED = {"--unit": "u", "--group-a": "a", "--group-b": "b", "--year": "2019"}


def _sample(action: argparse.Action) -> list[str]:
    if action.nargs == 0:
        return []
    value = action.choices[-1] if action.choices else "X"
    if not action.choices and action.type not in (None, str):
        for candidate in ("3", "0.5"):      # a number the option's own type accepts
            try:
                action.type(candidate)
            except (argparse.ArgumentTypeError, ValueError):
                continue
            value = candidate
            break
    return [value, value] if action.nargs in ("+", "*") else [value]


def _parse(command: str, *extra: str) -> argparse.Namespace:
    parser = build_parser()
    argv = list(MINIMAL[command])
    for flag, value in NEEDED.items():
        if flag not in extra and flag in _visible(_leaves()[command]) and \
                _visible(_leaves()[command])[flag].required:
            argv += [flag, value]
    return parser.parse_args([*argv, *extra])


def test_the_same_flag_parses_the_same_way_everywhere():
    leaves = _leaves()
    commands_of: dict[str, list[str]] = {}
    for command, parser in leaves.items():
        for flag in _visible(parser):
            commands_of.setdefault(flag, []).append(command)
    shared = {f: c for f, c in commands_of.items() if len(c) > 1 and f != "--help"}
    assert {"--bandwidth", "--seed", "--area-code", "--area-name", "--boundaries-crs",
            "--boundaries-layer", "--min-cell", "--offline", "--quiet", "--sep",
            "--unit", "--name", "--only", "--in-year", "--comparison"} <= set(shared)
    for flag, commands in shared.items():
        commands = [c for c in commands if (c, flag) not in OTHER_MEANING]
        parsed = {}
        for command in commands:
            action = _visible(leaves[command])[flag]
            args = _parse(command, flag, *_sample(action))
            parsed[command] = getattr(args, action.dest)
        assert len({json.dumps(v) for v in parsed.values()}) == 1, (flag, parsed)


@pytest.mark.parametrize("command", ["indices", "local", "report", "map", "heatmap"])
def test_bandwidth_takes_several_values_or_repeats(command):
    one = _parse(command, "--bandwidth", "500", "1000").bandwidth
    two = _parse(command, "--bandwidth", "500", "--bandwidth", "1000").bandwidth
    assert one == two == [500.0, 1000.0]
    assert _parse(command).bandwidth is None  # the command's documented default


def test_defaults_are_the_same_everywhere():
    for command in ("indices", "report"):
        args = _parse(command)
        assert args.seed == 0  # reproducible by default
        assert args.permutations == 999 and args.distance_crs == "EPSG:28992"
    assert _parse("demo").seed == 20091001  # the demo's data, documented in its help
    for command in ("indices", "local", "report"):
        args = _parse(command)
        assert (args.min_unit_size, args.min_area_size) == (50, 10000)
    assert (_parse("monitor").min_unit_size, _parse("monitor").min_area_size) == (0, 0)


def test_deprecated_spellings_still_work_with_a_note(tmp_path, capsys):
    args = _parse("map", "--crs", "EPSG:4326", "--layer", "L", "--name-column", "n",
                  "--k", "7", "--year", "2018")
    assert (args.boundaries_crs, args.boundaries_layer, args.area_name, args.classes,
            args.in_year) == ("EPSG:4326", "L", "n", 7, "2018")
    assert args._deprecated == [  # (old, new): a note in the run's language
        ("--crs", "--boundaries-crs"), ("--layer", "--boundaries-layer"),
        ("--name-column", "--area-name"), ("--k", "--classes"), ("--year", "--in-year")]
    help_text = _leaves()["map"].format_help()
    assert "--name-column" not in help_text and "--layer " not in help_text
    assert main(["list-indices"]) == 0  # no note without an old spelling
    assert "note" not in capsys.readouterr().err
    files = write_files(tmp_path)
    assert main(["boundaries", "info", str(files["towns"]), "--layer", "towns"]) == 0
    assert ("segspatial boundaries info: note: --layer is deprecated and will be removed; "
            "use --boundaries-layer") in capsys.readouterr().err
    assert _parse("monitor", "--name", "bouw", "--unit", "programme_institution") \
        .segregation_unit == "programme_institution"


def test_registry_refuses_unknown_options():
    parser = argparse.ArgumentParser()
    with pytest.raises(KeyError, match=r"has no option\(s\) \['bandwith'\]"):
        add_group(parser, "spatial", skip=("bandwith",))


# --------------------------------------------------------------------- messages


@pytest.mark.parametrize(("message", "flags", "expected"), [
    ("min_unit_size must be a finite number >= 0, got -3.0",
     {"min_unit_size": "--min-unit-size"},
     "--min-unit-size must be a finite number >= 0, got -3.0"),
    ("the results hold several values of 'bandwidth': [500, 1000]; choose one with "
     "bandwidth=", {"bandwidth": "--bandwidth"},
     "the results hold several values of 'bandwidth': [500, 1000]; choose one with "
     "--bandwidth"),
    ("only: area code(s) ['GM1'] have no results (['GM1'] were left out as small areas: "
     "lower min_area_size)", {"only": "--only", "min_area_size": "--min-area-size"},
     "--only: area code(s) ['GM1'] have no results (['GM1'] were left out as small "
     "areas: lower --min-area-size)"),
    ("x and y are required", {"x": "--x", "y": "--y"}, "--x and --y are required"),
    ("k must be an int of at least 2, got 1", {"k": "--classes"},
     "--classes must be an int of at least 2, got 1"),
    ("rng must be an int, got 1.5", {"rng": "--seed"}, "--seed must be an int, got 1.5"),
    ("year=1999 is not in the results", {"year": "--in-year"},
     "--in-year 1999 is not in the results"),
    # quoted values, prose and plural words stay as they are
    ("missing columns: group_b='unit'; the data has ['unit', 'group_a']",
     {"group_b": "--group-b", "unit": "--unit", "group_a": "--group-a"},
     "missing columns: --group-b 'unit'; the data has ['unit', 'group_a']"),
    ("at least two units are needed; Moran's I needs x", {"unit": "--unit", "x": "--x"},
     "at least two units are needed; Moran's I needs x"),
    ("features of 'b.geojson' have no 'code' (area_code / --area-code; features 3)",
     {"area_code": "--area-code"},
     "features of 'b.geojson' have no 'code' (--area-code; features 3)"),
])
def test_cli_text_names_flags(message, flags, expected):
    assert cli_text(message, flags) == expected


def test_flag_names_of_a_command():
    flags = _leaves()["indices"].get_default("_flags")
    assert flags["min_area_size"] == "--min-area-size" and flags["rng"] == "--seed"
    assert flags["layer"] == "--boundaries-layer" and flags["group_a"] == "--group-a"
    assert "pupils" not in flags and "quiet" not in flags  # switches name no value
    assert _leaves()["map"].get_default("_flags")["k"] == "--classes"
    assert _leaves()["join"].get_default("_flags")["crs"] == "--boundaries-crs"


def test_errors_name_flags_end_to_end(tmp_path, capsys):
    files = write_files(tmp_path)
    results = tmp_path / "r.csv"
    pd.DataFrame({"area": ["GM0001", "GM0001", "GM0002", "GM0002"],
                  "index": "spatial_dissimilarity", "bandwidth": [500.0, 1000.0] * 2,
                  "kernel": "gaussian", "value": [0.2, 0.1, 0.3, 0.2]}).to_csv(results,
                                                                                index=False)
    base = ["map", str(results), str(files["towns"]), "--index", "spatial_dissimilarity"]
    assert main([*base, "-o", str(tmp_path / "m.png")]) == 2
    assert "choose one with --bandwidth" in capsys.readouterr().err
    assert main([*base, "--bandwidth", "500", "1000", "-o", str(tmp_path / "m.png")]) == 2
    assert "--bandwidth: a map shows one; got 2 (500 1000)" in capsys.readouterr().err
    assert main([*base, "--bandwidth", "500", "--scheme", "quantiles", "--classes", "1",
                 "-o", str(tmp_path / "m.png")]) == 2
    assert "--classes must be an int of at least 2, got 1" in capsys.readouterr().err
    report = ["report", str(files["counts"]), "--unit", "school", "--group-a", "a",
              "--group-b", "b", "--total", "pupils", "--area", "municipality", "--x", "x",
              "--y", "y", "--crs", "EPSG:28992", "--postcode", "postcode",
              "--postcode-table", str(files["postcodes"]), "--boundaries",
              str(files["towns"]), "-o", str(tmp_path / "r")]
    totals = SCHOOLS.groupby("municipality")["pupils"].sum().sort_values()
    between = str(totals.mean())  # the smaller town is left out, the larger one is not
    assert main([*report, "--min-area-size", between, "--only", totals.index[0]]) == 2
    err = capsys.readouterr().err
    assert "were left out as small areas: lower --min-area-size)" in err
    assert "min_area_size" not in err
    assert main(report) == 2  # the default 10,000 pupils leaves both towns out
    err = capsys.readouterr().err
    assert "error: nothing to report: every area was left out (" in err \
        and ": 2 area-years" in err and "[small_area]" in err \
        and "lower --min-area-size or --min-unit-size" in err


def _map(tmp_path, areas: list[str], output: str) -> int:
    """``segspatial map`` of D = 0.2, 0.3, ... for ``areas`` on the two towns."""
    files = write_files(tmp_path)
    results = tmp_path / "r.csv"
    pd.DataFrame({"area": areas, "index": "dissimilarity",
                  "value": [0.2 + i / 10 for i in range(len(areas))]}).to_csv(results,
                                                                              index=False)
    return main(["map", str(results), str(files["towns"]), "--index", "dissimilarity",
                 "-o", str(tmp_path / output)])


def test_map_whose_codes_match_no_feature_is_an_error(tmp_path, capsys):
    assert _map(tmp_path, ["0001", "0002"], "m.html") == 2
    err = capsys.readouterr().err
    assert ("the results have e.g. ['0001', '0002'], the boundaries ['GM0001', 'GM0002']"
            in err) and "--area-code 'statcode'" in err
    assert not (tmp_path / "m.html").exists()


def test_warnings_arrive_as_tidy_notes(tmp_path, capsys):
    assert _map(tmp_path, ["GM0001", "GM0009"], "m.png") == 0
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "segspatial map: note: 1 area of the results has no boundary feature and is "
        "not drawn: 'GM0009'",
        f"wrote map to {tmp_path / 'm.png'}"]
    assert "Warning" not in err and ".py:" not in err  # never a raw warning


def test_console_prints_each_note_once_and_marks_foreign_warnings(capsys):
    import warnings

    console = Console(prog="segspatial x", flags={"min_cell": "--min-cell"})
    with console.capture_warnings():
        for _ in range(3):
            warnings.warn("lower min_cell", UserWarning, stacklevel=1)
        warnings.warn("overflow", RuntimeWarning, stacklevel=1)
    assert capsys.readouterr().err.splitlines() == [
        "segspatial x: note: lower --min-cell",
        "segspatial x: note: overflow (RuntimeWarning)"]
    quiet = Console(prog="segspatial x", quiet=True)
    with quiet.capture_warnings():
        warnings.warn("hidden", UserWarning, stacklevel=1)
    quiet.error("shown")
    assert capsys.readouterr().err == "segspatial x: error: shown\n"


def _runs(files, tmp_path) -> dict[str, list[str]]:
    """Command lines that print notes, summaries and 'wrote' lines without -q."""
    results = tmp_path / "results.csv"
    counts = str(files["counts"])
    located = ["--x", "x", "--y", "y", "--crs", "EPSG:28992", "--postcode", "postcode",
               "--postcode-table", str(files["postcodes"])]
    columns = ["--unit", "school", "--group-a", "a", "--group-b", "b"]
    small = ["--min-unit-size", "0", "--min-area-size", "0"]
    return {
        "indices": ["indices", counts, *columns, "--area", "municipality", *located, *small,
                    "-o", str(results)],
        "local": ["local", counts, *columns, "--area", "municipality", *located, *small,
                  "-o", str(tmp_path / "local.csv")],
        "map": ["map", str(results), str(files["towns"]), "--index", "dissimilarity",
                "-o", str(tmp_path / "m.png")],
        "heatmap": ["heatmap", str(results), "--index", "dissimilarity", "--boundaries",
                    str(files["towns"]), "-o", str(tmp_path / "g.png")],
        "schools": ["schools", counts, *columns, *located, "-o", str(tmp_path / "s.png")],
        "join": ["join", str(results), str(files["towns"]), "-o", str(tmp_path / "j.gpkg")],
        "report": ["report", counts, *columns, "--area", "municipality", *located, *small,
                   "--boundaries", str(files["towns"]), "--permutations", "0",
                   "-o", str(tmp_path / "report")],
        "boundaries info": ["boundaries", "info", str(files["towns"])],
        "list-indices": ["list-indices"],
    }


def test_quiet_leaves_errors_only_on_every_command(tmp_path, capsys):
    files = write_files(tmp_path)
    runs = _runs(files, tmp_path)
    for name, argv in runs.items():
        assert main(argv) == 0, (name, capsys.readouterr().err)
        loud = capsys.readouterr()
        assert main([*argv, "-q"]) == 0, name
        quiet = capsys.readouterr()
        assert quiet.err == "", (name, quiet.err)
        assert quiet.out == loud.out, name  # data on standard output is not a message
        if name not in ("boundaries info", "list-indices"):
            assert loud.err, name
        if name in ("indices", "local", "schools", "report"):
            assert "note: 3 units without coordinates are placed" in loud.err, name
    # errors still print with -q
    assert main([*runs["map"][:-2], "-o", str(tmp_path / "m.txt"), "-q"]) == 2
    assert capsys.readouterr().err.startswith("segspatial map: error: --output")


def test_a_failure_to_write_names_the_flag_and_the_output(tmp_path, capsys):
    """Exit 1 and ``--FLAG 'path': cannot write it: why`` for every command's outputs
    (was the staging folder's random name, exit 2 for some causes, "File exists")."""
    files = write_files(tmp_path)
    runs = _runs(files, tmp_path)
    assert main(runs["indices"]) == 0
    capsys.readouterr()
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where a folder is needed")
    runs["demo"] = ["demo", "-o", "OUT"]
    runs["qgis-plugin"] = ["qgis-plugin", "-o", "OUT.zip"]
    for name, argv in runs.items():
        if "-o" not in argv:
            continue
        where = argv.index("-o") + 1
        target = blocked / Path(argv[where]).name
        argv = [*argv[:where], str(target), *argv[where + 1:]]
        assert main(argv) == 1, (name, capsys.readouterr().err)
        err = capsys.readouterr().err.splitlines()[-1]
        assert err == (f"segspatial {name}: error: --output {str(target)!r}: cannot write "
                       f"it: {str(blocked)!r} is a file, not a folder"), err
    argv = [*runs["indices"][:-2], "-o", str(tmp_path / "ok.csv"), "--exclusions-output",
            str(blocked / "left.csv")]
    assert main(argv) == 1
    assert f"error: --exclusions-output {str(blocked / 'left.csv')!r}: cannot write it" \
        in capsys.readouterr().err


def test_exit_status_of_a_failure_to_write_is_1(tmp_path, capsys):
    files = write_files(tmp_path)
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where a folder is needed")
    status = main(["indices", str(files["counts"]), "--unit", "school", "--group-a", "a",
                   "--group-b", "b", "--area", "municipality", "--min-area-size", "0",
                   "-o", str(blocked / "results.csv")])
    assert status == 1
    assert capsys.readouterr().err.startswith("segspatial indices: error: ")


def test_bad_sep_and_encoding_name_the_flag_in_every_command(tmp_path, capsys):
    """Every command that reads CSV refuses an unknown --encoding or a --sep that is not
    one character with a message naming the flag (never a LookupError traceback)."""
    files = write_files(tmp_path)
    runs = _runs(files, tmp_path)
    assert main(runs["indices"]) == 0
    capsys.readouterr()
    runs["change"] = ["change", str(tmp_path / "results.csv")]
    runs["monitor"] = ["monitor", str(files["counts"]), "-o", str(tmp_path / "mon")]
    checked = set()
    for name, argv in runs.items():
        flags = {s for a in _leaves()[name]._actions for s in a.option_strings}
        if "--encoding" not in flags:
            continue
        checked.add(name)
        for bad, flag in ((["--encoding", "no-such-codec"], "--encoding 'no-such-codec'"),
                          (["--sep", ""], "--sep ''")):
            assert main([*argv, *bad]) == 2, (name, bad)
            err = capsys.readouterr().err
            assert err.startswith(f"segspatial {name}: error: {flag} is not a"), (name, err)
    assert checked == {"indices", "change", "local", "map", "heatmap", "schools", "join",
                       "report", "monitor"}


@pytest.mark.parametrize("command", COMMANDS)
def test_unrecognized_arguments_are_named_by_the_subcommand(command, capsys):
    """``segspatial CMD: error: unrecognized arguments: ...`` (was ``segspatial:``)."""
    leaf = _leaves()[command]
    needed = [v for a in leaf._actions if a.required
              for v in ([] if not a.option_strings else [a.option_strings[-1]])
              + ([str(next(iter(a.choices or ["1"])))] if a.nargs != 0 else [])]
    with pytest.raises(SystemExit) as exc:
        main([*command.split(), *needed, "--no-such-flag=1", "--extra"])
    assert exc.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"segspatial {command}: error: unrecognized arguments: --no-such-flag=1 --extra")


def test_report_refuses_its_output_before_computing(tmp_path, capsys, monkeypatch):
    """`report` checks --output (a new or empty folder, or an earlier report) before it
    reads the input and computes the indices (issue 11: it used to say so only after
    all the work); the folder is left as it was."""
    import segspatial.cli.report as cli_report

    files = write_files(tmp_path)
    argv = _runs(files, tmp_path)["report"]
    taken = tmp_path / "notes"
    taken.mkdir()
    (taken / "mine.txt").write_text("not a report")
    argv = [*argv[:argv.index("-o") + 1], str(taken), *argv[argv.index("-o") + 2:]]

    def no_work(args):
        raise AssertionError("computed before checking --output")

    monkeypatch.setattr(cli_report, "_compute", no_work)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert f"output {str(taken)!r} is a non-empty folder that is not a segspatial report" \
        in err, err
    assert sorted(p.name for p in taken.iterdir()) == ["mine.txt"]
