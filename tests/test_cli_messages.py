"""One command line: the same option and the same message for the same idea in every
command (issue 11's review findings; each example is a test with the right value).

Every test goes through the real entry point (:func:`segspatial.cli.main`) and reads
what a user sees on standard error.
"""

from __future__ import annotations

import argparse

import pandas as pd
import pytest
from _towns import write_files

from segspatial.cli import build_parser, main
from segspatial.cli._options import leaf_parsers

RD = "EPSG:28992"
COLUMNS = ["--unit", "school", "--group-a", "a", "--group-b", "b"]
SMALL = ["--min-unit-size", "0", "--min-area-size", "0"]


def _run(capsys, *argv) -> tuple[int, str]:
    code = main([str(a) for a in argv])
    return code, capsys.readouterr().err


def _results(path, areas=("GM0001", "GM0002"), **columns) -> str:
    frame = pd.DataFrame({"area": list(areas), "index": "dissimilarity",
                          "value": [0.2 + i / 10 for i in range(len(areas))], **columns})
    frame.to_csv(path, index=False)
    return str(path)


# ------------------------------------------------------------ header-only input files


def test_a_header_only_csv_is_named_by_every_command(tmp_path, capsys):
    files = write_files(tmp_path)
    counts = tmp_path / "header.csv"
    counts.write_text("school,a,b,x,y,gm\n")
    results = tmp_path / "reshead.csv"
    results.write_text("area,year,comparison,group_a,group_b,index,value\n")
    located = ["--x", "x", "--y", "y", "--crs", RD, "--area", "gm"]
    runs = {
        "indices": ["indices", counts, *COLUMNS, *located, "-o", tmp_path / "o.csv"],
        "local": ["local", counts, *COLUMNS, *located, "-o", tmp_path / "o.csv"],
        "schools": ["schools", counts, *COLUMNS, *located, "-o", tmp_path / "o.png"],
        "report": ["report", counts, *COLUMNS, *located, "--boundaries", files["towns"],
                   "-o", tmp_path / "rep"],
        "change": ["change", results],
        "join": ["join", results, files["towns"], "-o", tmp_path / "j.geojson"],
        "map": ["map", results, files["towns"], "--index", "dissimilarity",
                "-o", tmp_path / "m.png"],
        "heatmap": ["heatmap", results, "--index", "dissimilarity",
                    "-o", tmp_path / "h.png"],
    }
    for name, argv in runs.items():
        code, err = _run(capsys, *argv)
        path = counts if argv[1] == counts else results
        assert code == 2, name
        assert err.strip() == (f"segspatial {name}: error: {str(path)!r} has a header "
                               "but no data rows"), name
        assert "concatenate" not in err
    assert not (tmp_path / "j.geojson").exists()


# ------------------------------------------------ join: codes that match no feature


def test_join_refuses_results_that_match_no_boundary_feature(tmp_path, capsys):
    files = write_files(tmp_path)
    results = _results(tmp_path / "r.csv", ["GM9001", "GM9002", "GM9003"])
    out = tmp_path / "j.gpkg"
    code, err = _run(capsys, "join", results, files["towns"], "-o", out)
    assert code == 2 and not out.exists()
    assert err.strip() == (
        "segspatial join: error: none of the 3 area codes of the results is a code of the "
        "boundaries (--area-code 'statcode', 2 features): the results have e.g. ['GM9001', "
        "'GM9002', 'GM9003'], the boundaries ['GM0001', 'GM0002']; choose the boundaries' "
        "column with the results' codes (--area-code) or boundaries of the same kind of "
        "areas")


def test_join_names_results_without_a_feature_without_speaking_of_a_map(tmp_path, capsys):
    files = write_files(tmp_path)
    results = _results(tmp_path / "r.csv", ["GM0001", "GM0009"])
    code, err = _run(capsys, "join", results, files["towns"], "-o", tmp_path / "j.gpkg")
    assert code == 0, err
    assert ("join: note: 1 area in the results has no polygon in the boundaries (1 "
            "results row not in the output): 'GM0009'") in err
    assert "1 boundary feature has no results" in err
    assert "map" not in err


# ------------------------------------------------------- one boundary file option


def test_every_command_with_boundaries_takes_the_boundaries_flag():
    """--boundaries FILE names the boundary file everywhere; indices, local and change take
    theirs as --areas-from (units assigned to polygons), which --area-code reads."""
    without = set()
    for leaf in leaf_parsers(build_parser()):
        flags = {s for a in leaf._actions for s in a.option_strings
                 if a.help != argparse.SUPPRESS}
        assert "--names" not in flags, leaf.prog
        if "--area-code" in flags and "--boundaries" not in flags:
            without.add(leaf.prog.removeprefix("segspatial "))
            assert "--areas-from" in flags, leaf.prog
    assert without == {"indices", "local", "change"}


def test_heatmap_names_is_a_deprecated_spelling_of_boundaries(tmp_path, capsys):
    files = write_files(tmp_path)
    results = _results(tmp_path / "r.csv")
    code, err = _run(capsys, "heatmap", results, "--index", "dissimilarity", "--names",
                     files["towns"], "-o", tmp_path / "h.png")
    assert code == 0, err
    assert "note: --names is deprecated and will be removed; use --boundaries" in err
    code, err = _run(capsys, "heatmap", results, "--index", "dissimilarity",
                     "--boundaries", files["towns"], "-o", tmp_path / "h2.png")
    assert code == 0 and "deprecated" not in err
    assert (tmp_path / "h.png").read_bytes() == (tmp_path / "h2.png").read_bytes()


@pytest.mark.parametrize("command", ["map", "join"])
def test_map_and_join_take_boundaries_as_argument_or_flag(tmp_path, capsys, command):
    files = write_files(tmp_path)
    results = _results(tmp_path / "r.csv")
    extra = ["--index", "dissimilarity"] if command == "map" else []
    suffix = ".png" if command == "map" else ".geojson"
    one, two = tmp_path / f"a{suffix}", tmp_path / f"b{suffix}"
    assert _run(capsys, command, results, files["towns"], *extra, "-o", one)[0] == 0
    assert _run(capsys, command, results, "--boundaries", files["towns"], *extra,
                "-o", two)[0] == 0
    assert one.read_bytes() == two.read_bytes()
    code, err = _run(capsys, command, results, *extra, "-o", one)
    assert code == 2 and ("error: a boundary file is needed: give it as BOUNDARIES after "
                          "RESULTS or with --boundaries FILE") in err
    code, err = _run(capsys, command, results, files["towns"], "--boundaries",
                     tmp_path / "other.geojson", *extra, "-o", one)
    assert code == 2 and "two boundary files" in err


# ------------------------------------------------- flags, files and values in messages


def test_summaries_name_the_filter_flags(tmp_path, capsys):
    files = write_files(tmp_path)
    base = ["indices", files["counts"], *COLUMNS, "--area", "municipality",
            "-o", tmp_path / "r.csv"]
    code, err = _run(capsys, *base, "--min-unit-size", "60", "--min-area-size", "0")
    assert code == 0, err
    assert "unit below the minimum pupils (--min-unit-size): " in err
    code, err = _run(capsys, *base, "--min-unit-size", "0", "--min-area-size", "900")
    assert code == 0, err
    assert "area below the minimum mean pupils per year (--min-area-size): " in err
    assert "min_area_size" not in err and "min_unit_size" not in err


@pytest.mark.parametrize("flag", ["--area-code", "--area-name"])
@pytest.mark.parametrize("command", ["map", "join", "heatmap"])
def test_a_wrong_boundary_column_names_the_flag_and_the_file(tmp_path, capsys, command,
                                                             flag):
    files = write_files(tmp_path)
    results = _results(tmp_path / "r.csv")
    argv = {"map": ["map", results, files["towns"], "--index", "dissimilarity"],
            "join": ["join", results, files["towns"]],
            "heatmap": ["heatmap", results, "--index", "dissimilarity", "--boundaries",
                        files["towns"]]}[command]
    suffix = ".geojson" if command == "join" else ".png"
    code, err = _run(capsys, *argv, flag, "foo", "-o", tmp_path / f"o{suffix}")
    assert code == 2
    assert err.strip() == (f"segspatial {command}: error: {flag} 'foo' is not a column of "
                           f"{str(files['towns'])!r}; it has ['statcode', 'statnaam']")


def test_a_missing_default_area_code_says_it_is_the_default(tmp_path, capsys):
    files = write_files(tmp_path)
    bounds = tmp_path / "codes.geojson"
    import geopandas as gpd

    gpd.read_file(files["towns"]).rename(columns={"statcode": "code"}).to_file(bounds)
    code, err = _run(capsys, "map", _results(tmp_path / "r.csv"), bounds, "--index",
                     "dissimilarity", "-o", tmp_path / "m.png")
    assert code == 2 and ("--area-code 'statcode' (the default) is not a column of "
                          f"{str(bounds)!r}; it has ['code', 'statnaam']") in err


def test_figures_show_one_bandwidth_in_their_usage_and_values_as_typed(tmp_path, capsys):
    files = write_files(tmp_path)
    results = tmp_path / "r.csv"
    pd.DataFrame({"area": ["GM0001", "GM0001", "GM0002", "GM0002"],
                  "index": "spatial_dissimilarity", "bandwidth": [1000.0, 500.0] * 2,
                  "kernel": "gaussian", "value": [0.2, 0.1, 0.3, 0.2]}).to_csv(
        results, index=False)
    base = ["map", results, files["towns"], "--index", "spatial_dissimilarity",
            "-o", tmp_path / "m.png"]
    code, err = _run(capsys, *base)
    assert code == 2 and ("the results hold several values of 'bandwidth': [500, 1000]; "
                          "choose one with --bandwidth") in err
    code, err = _run(capsys, *base, "--bandwidth", "700")
    assert code == 2 and "--bandwidth 700 is not in the results; available: [500, 1000]" \
        in err
    code, err = _run(capsys, *base, "--bandwidth", "500", "--in-year", "2018")
    assert code == 2 and ("--in-year 2018 was given but the results have no 'year' "
                          "column") in err
    for command in ("map", "heatmap"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        help_text = capsys.readouterr().out
        assert "[--bandwidth M]" in help_text and "M [M ...]" not in help_text
        assert "computed at several\n" not in help_text
        assert "(default: the only one in the results)" in " ".join(help_text.split())


def test_an_empty_year_column_is_said_in_words(tmp_path, capsys):
    files = write_files(tmp_path)
    results = _results(tmp_path / "r.csv", year=[None, None])
    code, err = _run(capsys, "map", results, files["towns"], "--index", "dissimilarity",
                     "--in-year", "2018", "-o", tmp_path / "m.png")
    assert code == 2
    assert ("--in-year 2018 was given but the results have no 'year' values (the column "
            "is empty)") in err and "available: []" not in err


def test_k_is_a_whole_number_of_at_least_one(tmp_path, capsys):
    files = write_files(tmp_path)
    base = ["indices", files["counts"], *COLUMNS, "--x", "x", "--y", "y", "--crs", RD,
            "--postcode", "postcode", "--postcode-table", files["postcodes"], *SMALL]
    for value, words in (("0", "must be a whole number >= 1"),
                         ("2.5", "expected a whole number, got '2.5'")):
        with pytest.raises(SystemExit) as stop:
            main([str(a) for a in [*base, "--k", value]])
        assert stop.value.code == 2
        assert f"error: argument --k: {words}" in capsys.readouterr().err


def test_distance_crs_messages_speak_in_flags(tmp_path, capsys):
    files = write_files(tmp_path)
    base = ["indices", files["counts"], *COLUMNS, "--x", "x", "--y", "y", "--crs", RD,
            "--postcode", "postcode", "--postcode-table", files["postcodes"], *SMALL]
    code, err = _run(capsys, *base, "--distance-crs", "EPSG:4326")
    assert code == 2 and err.strip().endswith(
        "a geographic CRS in degrees; use e.g. --distance-crs EPSG:28992 (RD New) for "
        "Dutch data")
    assert "to_projected" not in err and "(frame" not in err
    code, err = _run(capsys, *base, "--distance-crs", "foo")
    assert code == 2 and ("error: --distance-crs 'foo' is not a coordinate reference "
                          "system pyproj knows; use e.g. 'EPSG:28992' (RD New) (") in err
    assert "4326" not in err and "=" not in err.split("error:")[1].split("(")[0]


def test_swapped_lon_lat_is_diagnosed(tmp_path, capsys):
    path = tmp_path / "swapped.csv"
    path.write_text("school,a,b,lon,lat,gm\ns1,50,100,52.37,4.90,G\n"
                    "s2,30,100,52.36,4.91,G\n")
    code, err = _run(capsys, "indices", path, *COLUMNS, "--x", "lon", "--y", "lat",
                     "--crs", "EPSG:4326", "--area", "gm", *SMALL, "--bandwidth", "500")
    assert code == 2
    assert ("the x values look like latitudes and the y values like longitudes: are the "
            "two coordinate columns swapped?") in err


def test_options_without_their_prerequisite_get_a_note(tmp_path, capsys):
    files = write_files(tmp_path)
    base = ["indices", files["counts"], *COLUMNS, "--area", "municipality", *SMALL,
            "-o", tmp_path / "r.csv"]
    code, err = _run(capsys, *base, "--kernel", "boxcar", "--snap", "100",
                     "--permutations", "9", "--distance-crs", "EPSG:3035")
    assert code == 0, err
    notes = [line.split("note: ", 1)[1] for line in err.splitlines() if "note: " in line]
    assert notes == ["--kernel has no effect without --bandwidth",
                     "--permutations has no effect without --bandwidth or --k",
                     "--snap has no effect without --areas-from",
                     "--distance-crs has no effect without --x or --postcode"]
    code, err = _run(capsys, *base, "--kernel", "boxcar", "--bandwidth", "500", "--x", "x",
                     "--y", "y", "--crs", RD, "--postcode", "postcode",
                     "--postcode-table", files["postcodes"])
    assert code == 0 and "no effect" not in err
    # local always computes at a bandwidth (1000 m by default): --kernel acts there
    code, err = _run(capsys, "local", files["counts"], *COLUMNS, "--area", "municipality",
                     "--x", "x", "--y", "y", "--crs", RD, "--postcode", "postcode",
                     "--postcode-table", files["postcodes"], *SMALL, "--kernel", "boxcar",
                     "-o", tmp_path / "l.csv")
    assert code == 0 and "no effect" not in err


def test_an_unreadable_boundary_file_gets_no_gdal_driver_advice(tmp_path, capsys):
    path = tmp_path / "empty.geojson"
    path.write_text("{}")
    code, err = _run(capsys, "boundaries", "info", path)
    assert code == 2
    assert err.strip() == (
        f"segspatial boundaries info: error: boundaries {str(path)!r} cannot be read as a "
        "vector file (GDAL does not recognise its format): give a GeoJSON (a "
        "FeatureCollection), TopoJSON, GeoPackage, Shapefile or GeoParquet file")


def test_count_messages_count_in_words(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text("school,a,b,gm\ns1,5,6,G\ns2,abc,6,G\ns3,-1,6,\n")
    code, err = _run(capsys, "indices", path, *COLUMNS, "--area", "gm", *SMALL)
    assert code == 2 and "found 1 non-numeric value such as ['abc'] (line 3)" in err
    path.write_text("school,a,b,gm\ns1,5,6,G\ns2,-1,6,G\n")
    code, err = _run(capsys, "indices", path, *COLUMNS, "--area", "gm", *SMALL)
    assert code == 2 and "has 1 negative count, e.g. -1 (line 3)" in err
    path.write_text("school,a,b,gm\ns1,5,6,G\ns2,3,6,\n")
    code, err = _run(capsys, "indices", path, *COLUMNS, "--area", "gm", *SMALL)
    assert code == 2 and "has 1 missing value (line 3); every row needs one" in err
    assert "needs a area" not in err and "needs a --area" not in err


# ------------------------------------------------------------------------ report


def test_report_takes_interval_and_jobs_and_says_what_it_does_not_take(capsys):
    args = build_parser().parse_args(["report", "in.csv", "--unit", "u", "-o", "out",
                                      "--interval", "percentile", "--jobs", "2"])
    assert (args.interval, args.jobs, args.bootstrap) == ("percentile", 2, 1000)
    with pytest.raises(SystemExit):
        main(["report", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert ("not --k, --context, --spatial-indices, --definition, --morrill-clip, "
            "--null-draws, --alternative (no section shows them: compute them with "
            "`segspatial indices`)") in text
    assert "(default: 1,000: every page shows intervals; 1000 or more" in text
    assert "(default: 500 1000 2000 4000: the report's scales)" in text


def test_report_pages_name_percentile_intervals(tmp_path, capsys):
    files = write_files(tmp_path)
    argv = ["report", files["counts"], *COLUMNS, "--total", "pupils", "--area",
            "municipality", "--x", "x", "--y", "y", "--crs", RD, "--postcode", "postcode",
            "--postcode-table", files["postcodes"], *SMALL, "--boundaries", files["towns"],
            "--permutations", "0", "--bandwidth", "1000", "--bootstrap", "20", "-q"]
    assert _run(capsys, *argv, "--interval", "percentile", "--jobs", "2",
                "-o", tmp_path / "p")[0] == 0
    assert _run(capsys, *argv, "--interval", "percentile", "-o", tmp_path / "p1")[0] == 0
    assert _run(capsys, *argv, "-o", tmp_path / "b")[0] == 0
    page = (tmp_path / "p" / "GM0001.html").read_text()
    assert "percentile bootstrap confidence intervals" in page
    assert "not corrected for the upward bias" in page
    assert "bias-corrected bootstrap" in (tmp_path / "b" / "GM0001.html").read_text()
    # threads do not change the pages
    assert page == (tmp_path / "p1" / "GM0001.html").read_text()


def test_only_code_without_results_says_why(tmp_path, capsys):
    files = write_files(tmp_path)
    frame = pd.read_csv(files["counts"], dtype={"school": str, "postcode": str})
    small = frame["municipality"] == "GM0002"
    frame.loc[small, ["a", "b"]] = 5
    frame.loc[small, "pupils"] = 12
    frame.to_csv(files["counts"], index=False)
    code, err = _run(capsys, "report", files["counts"], *COLUMNS, "--total", "pupils",
                     "--area", "municipality", "--x", "x", "--y", "y", "--crs", RD,
                     "--postcode", "postcode", "--postcode-table", files["postcodes"],
                     "--min-area-size", "0", "--boundaries", files["towns"],
                     "--only", "GM0001", "GM0002", "--bootstrap", "0", "-o",
                     tmp_path / "rep")
    assert code == 2
    assert ("--only: area code(s) ['GM0002'] have no results ('GM0002': all its units "
            "were left out: small_unit 10 units; lower --min-unit-size)") in err


def test_flags_are_never_abbreviated(capsys):
    """A prefix is no flag: `--boot 10` is not --bootstrap (map's old --k spelling of
    --classes shows how a prefix could pick the wrong option)."""
    with pytest.raises(SystemExit) as stop:
        main(["indices", "in.csv", "--unit", "u", "--boot", "10"])
    assert stop.value.code == 2
    assert "error: unrecognized arguments: --boot 10" in capsys.readouterr().err
    assert all(not leaf.allow_abbrev for leaf in leaf_parsers(build_parser()))


def test_join_names_the_lines_of_a_repeated_index(tmp_path, capsys):
    files = write_files(tmp_path)
    results = tmp_path / "dup.csv"
    results.write_text("area,index,value\nGM0001,dissimilarity,0.5\nGM0002,dissimilarity,"
                       "0.2\nGM0001,dissimilarity,0.3\n")
    code, err = _run(capsys, "join", results, files["towns"], "-o", tmp_path / "j.gpkg")
    assert code == 2
    assert err.strip() == (
        "segspatial join: error: results: 2 rows repeat an index for one area, e.g. area "
        f"'GM0001', index 'dissimilarity' (lines 2, 4 of {str(results)!r}); one value per "
        "area, year, comparison and index")
