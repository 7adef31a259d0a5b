"""The location options, the same for indices, local, schools and report.

Coordinates (projected or lon/lat, projected with --distance-crs), 4-digit postcode
centroids, and both: coordinates where present, the postcode's centroid for schools
without them (the recipe of the real 2019 case). Small in-code towns, then the real
2019 case from ../shared/data.
"""

from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd
import pytest
from _towns import RD, expected_locations, write_files
from pyproj import Transformer

from segspatial import segregation
from segspatial.cli import main


@pytest.fixture
def files(tmp_path):
    return write_files(tmp_path)


COUNTS = ["--unit", "school", "--group-a", "a", "--group-b", "b", "--total", "pupils"]
FILTERS = ["--min-unit-size", "0", "--min-area-size", "0"]


def _located(files) -> list[str]:
    return ["--x", "x", "--y", "y", "--crs", RD, "--postcode", "postcode",
            "--postcode-table", str(files["postcodes"])]


def test_postcode_fallback_places_units_without_coordinates(files, capsys):
    status = main(["local", str(files["counts"]), *COUNTS, "--area", "municipality",
                   "--name", "school_name", *_located(files), *FILTERS, "--bandwidth", "1000"])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    assert ("local: note: 3 units without coordinates are placed at their 4-digit "
            "postcode's centroid (--postcode)") in captured.err
    table = pd.read_csv(io.StringIO(captured.out), dtype={"school": str})
    expected = expected_locations().set_index("school").loc[table["school"]]
    np.testing.assert_allclose(table["x"], expected["x"], rtol=0, atol=1e-6)
    np.testing.assert_allclose(table["y"], expected["y"], rtol=0, atol=1e-6)
    # local keeps the input's unit, area and name columns, in input names
    assert list(table.columns[:4]) == ["municipality", "school", "school_name", "x"]
    assert table["school_name"].tolist() == expected["school_name"].tolist()


def test_indices_with_fallback_equal_the_recipe_by_hand(files, capsys):
    status = main(["indices", str(files["counts"]), *COUNTS, *_located(files),
                   "--areas-from", str(files["towns"]), *FILTERS, "--bandwidth", "1000",
                   "--spatial-indices", "spatial_dissimilarity"])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    table = pd.read_csv(io.StringIO(captured.out))
    from segspatial.spatial import spatial_segregation

    expected = spatial_segregation(
        expected_locations(), "school", "a", "b", x="x", y="y", crs=RD,
        area="municipality", total="pupils", bandwidth=1000,
        spatial_indices=["spatial_dissimilarity"], min_unit_size=0, min_area_size=0).table
    assert table["area"].tolist() == expected["area"].tolist()
    np.testing.assert_allclose(table["value"], expected["value"], rtol=1e-12)


def test_lonlat_input_is_projected_with_distance_crs(files, capsys):
    frame = pd.read_csv(files["counts"], dtype={"school": str})
    to_lonlat = Transformer.from_crs(RD, "EPSG:4326", always_xy=True)
    lon, lat = to_lonlat.transform(frame["x"], frame["y"])
    frame["lon"] = np.where(frame["x"].isna(), np.nan, lon)  # pyproj turns NaN into inf
    frame["lat"] = np.where(frame["x"].isna(), np.nan, lat)
    path = files["dir"] / "lonlat.csv"
    frame.drop(columns=["x", "y"]).to_csv(path, index=False)
    status = main(["local", str(path), *COUNTS, "--area", "municipality", "--x", "lon",
                   "--y", "lat", "--crs", "EPSG:4326", "--postcode", "postcode",
                   "--postcode-table", str(files["postcodes"]), *FILTERS])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    table = pd.read_csv(io.StringIO(captured.out), dtype={"school": str})
    expected = expected_locations().set_index("school").loc[table["school"]]
    np.testing.assert_allclose(table["x"], expected["x"], atol=1e-3)  # RD New, metres
    assert "x, y in EPSG:28992" in captured.err


def test_missing_coordinates_without_fallback_name_lines_and_units(files, capsys):
    status = main(["indices", str(files["counts"]), *COUNTS, "--area", "municipality",
                   "--x", "x", "--y", "y", "--crs", RD])
    err = capsys.readouterr().err
    assert status == 2
    # CSV lines count from 1 with the header: record 2 is on line 4
    assert ("segspatial indices: error: --x/--y: 3 units have no coordinates (line 4 "
            "(unit '002'), line 17 (unit '105'), line 21 (unit '109') of ") in err
    assert "give --postcode COL --postcode-table FILE" in err


def test_text_in_a_coordinate_column_is_an_error(files, capsys):
    frame = pd.read_csv(files["counts"], dtype={"school": str})
    frame["x"] = frame["x"].astype(object)
    frame.loc[4, "x"] = "12,5 km"
    frame.to_csv(files["counts"], index=False)
    status = main(["indices", str(files["counts"]), *COUNTS, *_located(files)])
    err = capsys.readouterr().err
    assert status == 2
    assert "--x: column 'x' has 1 values that are no coordinates, e.g. ['12,5 km'] (line 6 " \
        "(unit '004')" in err


@pytest.mark.parametrize("output", ["map.html", "map.png"])
def test_schools_map_with_postcode_fallback(files, capsys, output):
    out = files["dir"] / output
    status = main(["schools", str(files["counts"]), *COUNTS, "--name", "school_name",
                   *_located(files), "--areas-from", str(files["towns"]), "--only",
                   "GM0002", "--output", str(out)])
    err = capsys.readouterr().err
    assert status == 0, err
    assert "note: 3 units without coordinates are placed" in err
    assert f"wrote school map to {out}" in err
    if output.endswith(".html"):
        text = out.read_text(encoding="utf-8")
        # the ten schools of Oostdorp, two of them placed at their postcode, + its outline
        assert text.count("School 1-") == 10
        assert text.count('"type": "Feature"') == 10 + 1


def test_report_with_postcode_fallback_and_areas_from(files, capsys):
    out = files["dir"] / "report"
    status = main(["report", str(files["counts"]), *COUNTS, "--name", "school_name",
                   *_located(files), "--areas-from", str(files["towns"]), *FILTERS,
                   "--bandwidth", "1000", "--permutations", "9", "--output", str(out)])
    err = capsys.readouterr().err
    assert status == 0, err
    assert "note: 3 units without coordinates are placed" in err
    assert {p.name for p in out.glob("*.html")} == {"index.html", "GM0001.html",
                                                    "GM0002.html"}
    page = (out / "GM0002.html").read_text(encoding="utf-8")
    assert "Oostdorp" in page and "School 1-5" in page  # a school placed by postcode
    expected = segregation(expected_locations(), "school", "a", "b", area="municipality",
                           total="pupils", min_unit_size=0, min_area_size=0).table
    d = expected.query("area == 'GM0002' and index == 'dissimilarity'")["value"].item()
    assert f"{d:.2f}" in page


def test_report_needs_locations_and_areas(files, capsys):
    base = ["report", str(files["counts"]), *COUNTS, "--output", str(files["dir"] / "r")]
    assert main([*base, "--area", "municipality", "--boundaries", str(files["towns"])]) == 2
    assert "a report needs school locations: give --x/--y/--crs or --postcode" in \
        capsys.readouterr().err
    assert main([*base, *_located(files), "--boundaries", str(files["towns"])]) == 2
    assert "a report needs areas: give --area" in capsys.readouterr().err
    assert main([*base, *_located(files), "--area", "municipality"]) == 2
    assert "--boundaries is required" in capsys.readouterr().err


def test_report_codes_matching_no_boundary_feature_is_an_error(files, capsys):
    frame = pd.read_csv(files["counts"], dtype={"school": str})
    frame["municipality"] = frame["municipality"].str[2:]  # "0001", not "GM0001"
    frame.to_csv(files["counts"], index=False)
    status = main(["report", str(files["counts"]), *COUNTS, *_located(files),
                   "--area", "municipality", "--boundaries", str(files["towns"]),
                   *FILTERS, "--output", str(files["dir"] / "r")])
    err = capsys.readouterr().err
    assert status == 2
    assert ("none of the 2 area codes of the results is a code of the boundaries "
            "(--area-code 'statcode', 2 features): the results have e.g. ['0001', "
            "'0002'], the boundaries ['GM0001', 'GM0002']") in err
    assert not (files["dir"] / "r").exists()


# ----------------------------------------------------------------- the real 2019 case


@pytest.fixture(scope="module")
def real_files(real_2019, shared_data, tmp_path_factory):
    """The real case as a user has it: lon/lat from Scholen op de kaart where known, a
    postcode for every school; the recipe's fallback is left to the command line."""
    frame = real_2019.copy()
    known = (frame["location_source"] == "scholenopdekaart").to_numpy()
    lon, lat = Transformer.from_crs(RD, "EPSG:4326", always_xy=True).transform(
        frame["x"].to_numpy(), frame["y"].to_numpy())
    frame["lon"] = np.where(known, lon, np.nan)
    frame["lat"] = np.where(known, lat, np.nan)
    path = tmp_path_factory.mktemp("real") / "schools_2019.csv"
    frame[["school", "school_name", "municipality", "postcode", "pupils", "a", "b", "lon",
           "lat"]].to_csv(path, index=False)
    return {"counts": path, "n_fallback": int((~known).sum()),
            "pc4": shared_data / "pc4" / "derived_pc4_centroids_from_certegis.csv",
            "gemeente": shared_data / "boundaries" / "nl_maps_rd_gemeente_2019.geojson"}


def _real_located(real_files) -> list[str]:
    return ["--x", "lon", "--y", "lat", "--crs", "EPSG:4326", "--postcode", "postcode",
            "--postcode-table", str(real_files["pc4"])]


def test_real_2019_case_indices_from_the_command_line(real_2019, real_files, capsys):
    from segspatial.spatial import spatial_segregation

    status = main(["indices", str(real_files["counts"]), "--unit", "school", "--group-a",
                   "a", "--group-b", "b", "--total", "pupils", "--area", "municipality",
                   *_real_located(real_files), "--min-area-size", "0", "--bandwidth",
                   "1000", "--spatial-indices", "spatial_dissimilarity"])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    assert (f"note: {real_files['n_fallback']} units without coordinates are placed at "
            "their 4-digit postcode's centroid") in captured.err
    table = pd.read_csv(io.StringIO(captured.out))
    expected = spatial_segregation(real_2019, "school", "a", "b", x="x", y="y", crs=RD,
                                   area="municipality", total="pupils", bandwidth=1000,
                                   spatial_indices=["spatial_dissimilarity"],
                                   min_area_size=0).table
    assert table["area"].tolist() == expected["area"].tolist()
    spatial = table["bandwidth"].notna().to_numpy()
    np.testing.assert_allclose(table["value"][~spatial], expected["value"][~spatial],
                               rtol=1e-12)
    # RD -> lon/lat -> RD moves a school by at most 0.5 mm (PROJ's datum shift)
    np.testing.assert_allclose(table["value"][spatial], expected["value"][spatial],
                               rtol=1e-6)
    amsterdam = table.query("area == 'GM0363' and index == 'dissimilarity'")["value"].item()
    assert amsterdam == pytest.approx(0.59, abs=0.01)


def test_real_2019_case_report_and_school_map(real_files, tmp_path, capsys):
    out = tmp_path / "report"
    status = main(["report", str(real_files["counts"]), "--unit", "school", "--group-a",
                   "a", "--group-b", "b", "--total", "pupils", "--name", "school_name",
                   *_real_located(real_files), "--areas-from", str(real_files["gemeente"]),
                   "--min-area-size", "0", "--only", "GM0363", "GM0034", "--permutations",
                   "19", "--offline", "-q", "--output", str(out)])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    assert captured.err == ""  # -q
    assert {p.name for p in out.glob("*.html")} == {"index.html", "GM0363.html",
                                                    "GM0034.html"}
    page = (out / "GM0363.html").read_text(encoding="utf-8")
    assert "Amsterdam" in page and re.search(r"0\.5[89]", page)
    html = tmp_path / "almere.html"
    status = main(["schools", str(real_files["counts"]), "--unit", "school", "--group-a",
                   "a", "--group-b", "b", "--total", "pupils", "--name", "school_name",
                   *_real_located(real_files), "--areas-from", str(real_files["gemeente"]),
                   "--only", "GM0034", "--offline", "--output", str(html)])
    assert status == 0, capsys.readouterr().err
    assert html.stat().st_size > 10_000
