"""Spatial statistics through the command line: units outside the comparison, Morrill's
D by either area route, and coordinates that cannot be right for their CRS."""

from __future__ import annotations

import io
import json
import re
import warnings

import numpy as np
import pandas as pd
import pytest

from segspatial.cli import main
from segspatial.geo import GeometryWarning, read_boundaries

CRS = "EPSG:28992"

FIVE_SCHOOLS = """school,area,a,b,pupils,x,y
s1,X,60,10,70,100000,400000
s2,X,50,20,70,100300,400000
s3,X,20,50,70,101000,400000
s4,X,10,60,70,101300,400000
s5,X,0,0,200,100150,400100
"""


def _indices(path, *extra, capsys):
    status = main(["indices", str(path), "--unit", "school", "--group-a", "a", "--group-b",
                   "b", "--area", "area", "--total", "pupils", "--x", "x", "--y", "y",
                   "--crs", CRS, "--min-area-size", "0", *extra])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    return pd.read_csv(io.StringIO(captured.out)), captured.err


def test_units_outside_the_comparison_are_left_out_of_every_spatial_statistic(
        tmp_path, capsys):
    """The issue's five schools: s5 has 200 pupils, none in A or B (share 0/0). Left
    out of Moran's I and Morrill's D (and counted), they are +0.882 (esda on the same
    weights) and 0.333."""
    import esda
    from libpysal.weights import W

    path = tmp_path / "five.csv"
    path.write_text(FIVE_SCHOOLS)
    excl = tmp_path / "excl.csv"
    table, err = _indices(path, "--bandwidth", "500", "--kernel", "boxcar",
                          "--permutations", "0", "--exclusions-output", str(excl),
                          capsys=capsys)
    value = table.set_index("index")["value"]
    # s1-s2 and s3-s4 are 300 m apart, s2-s3 700 m: each school has one neighbour
    share = np.array([60, 50, 20, 10]) / 70
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = esda.Moran(share, W({0: [1], 1: [0], 2: [3], 3: [2]}), transformation="r",
                            permutations=0).I
    assert value["morans_i"] == pytest.approx(theirs, rel=1e-12)
    assert value["morans_i"] == pytest.approx(0.882, abs=5e-4)
    # collinear: s1-s2, s2-s3, s3-s4 contiguous; D = 80/140, mean |p_i - p_j| = 5/21
    assert value["morrill_d"] == pytest.approx(80 / 140 - (10 + 30 + 10) / 70 / 3, rel=1e-12)
    assert value["morrill_d"] == pytest.approx(1 / 3, rel=1e-12)
    spatial = table[table["index"].isin(["morans_i", "morrill_d", "spatial_dissimilarity"])]
    assert (spatial["n_units"] == 4).all() and (spatial["n_pupils"] == 280).all()
    aspatial = table[table["index"] == "dissimilarity"]
    assert aspatial["n_units"].item() == 5  # the aspatial D keeps s5 (it adds 0)
    left_out = pd.read_csv(excl).set_index("reason")
    assert left_out.loc["unit_outside_comparison", "n_units"] == 1
    assert left_out.loc["unit_outside_comparison", "n_pupils"] == 0  # counted below
    assert left_out.loc["not_in_comparison", "n_pupils"] == 200
    assert "unit_outside_comparison: 1 area-year, 1 unit" in err
    # local measures: s5 is neither listed nor a neighbour, and counted
    out = tmp_path / "local.csv"
    assert main(["local", str(path), "--unit", "school", "--group-a", "a", "--group-b",
                 "b", "--area", "area", "--total", "pupils", "--x", "x", "--y", "y",
                 "--crs", CRS, "--min-area-size", "0", "--bandwidth", "500", "--kernel",
                 "boxcar", "-o", str(out), "--exclusions-output", str(excl)]) == 0
    local = pd.read_csv(out)
    assert local["school"].tolist() == ["s1", "s2", "s3", "s4"]
    np.testing.assert_allclose(local["p_local"], [55 / 70, 55 / 70, 15 / 70, 15 / 70],
                               rtol=1e-12)
    assert "unit_outside_comparison" in set(pd.read_csv(excl)["reason"])


def _areas_grid(tmp_path):
    import geopandas as gpd
    import shapely

    x0, y0 = 100_000.0, 400_000.0
    polygons = gpd.GeoDataFrame(
        {"code": ["W", "E"]},
        geometry=[shapely.box(x0 - 500, y0 - 500, x0 + 2000, y0 + 4000),
                  shapely.box(x0 + 2000, y0 - 500, x0 + 4500, y0 + 4000)], crs=CRS)
    path = tmp_path / "areas.gpkg"
    polygons.to_file(path)
    rng = np.random.default_rng(6)
    n = 50
    frame = pd.DataFrame({"school": [f"s{i:02d}" for i in range(n)],
                          "x": x0 + rng.uniform(0, 4000, n), "y": y0 + rng.uniform(0, 3500, n),
                          "a": rng.integers(0, 80, n), "b": rng.integers(0, 80, n)})
    frame["area"] = np.where(frame["x"] < x0 + 2000, "W", "E")
    counts = tmp_path / "counts.csv"
    frame.to_csv(counts, index=False)
    return path, counts


def test_morrill_is_the_same_by_area_column_and_by_polygons(tmp_path, capsys):
    """Identical school assignments, two routes (--area, --areas-from): identical
    Morrill's D, because the default contiguity has no frame; clipping is asked for."""
    bounds, counts = _areas_grid(tmp_path)
    common = ["--unit", "school", "--group-a", "a", "--group-b", "b", "--x", "x", "--y",
              "y", "--crs", CRS, "--min-area-size", "0", "--min-unit-size", "0",
              "--spatial-indices", "morrill_d", "--indices", "dissimilarity"]
    assert main(["indices", str(counts), *common, "--area", "area"]) == 0
    by_column = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert main(["indices", str(counts), *common, "--areas-from", str(bounds),
                 "--area-code", "code"]) == 0
    by_polygons = pd.read_csv(io.StringIO(capsys.readouterr().out))
    one = by_column[by_column["index"] == "morrill_d"].set_index("area")["value"]
    two = by_polygons[by_polygons["index"] == "morrill_d"].set_index("area")["value"]
    assert one.sort_index().tolist() == two.sort_index().tolist()
    assert set(by_polygons["kernel"].dropna()) == {"delaunay"}
    assert main(["indices", str(counts), *common, "--areas-from", str(bounds),
                 "--area-code", "code", "--morrill-clip"]) == 0
    clipped = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert set(clipped["kernel"].dropna()) == {"voronoi_clipped"}
    assert main(["indices", str(counts), *common, "--area", "area", "--morrill-clip"]) == 2
    assert "--morrill-clip clips to the --areas-from polygons" in capsys.readouterr().err


# ------------------------------------------------------------------ CRS checks


def test_lonlat_declared_as_rd_stops_naming_file_crs_and_option(tmp_path, capsys):
    path = tmp_path / "schools.csv"
    pd.DataFrame({"school": ["s1", "s2"], "a": [10, 20], "b": [30, 5],
                  "x": [4.9041, 5.1214], "y": [52.3676, 52.0907]}).to_csv(path, index=False)
    status = main(["indices", str(path), "--unit", "school", "--group-a", "a", "--group-b",
                   "b", "--x", "x", "--y", "y", "--crs", CRS, "--bandwidth", "1000",
                   "--min-unit-size", "0", "--min-area-size", "0"])
    err = capsys.readouterr().err
    assert status == 2
    assert "schools.csv" in err and "EPSG:28992" in err and "--crs" in err
    assert "2 of 2 points lie outside the area of use" in err
    assert "look like lon/lat degrees: declare EPSG:4326 with --crs" in err
    assert "Traceback" not in err
    # the same numbers declared as lon/lat work
    assert main(["indices", str(path), "--unit", "school", "--group-a", "a", "--group-b",
                 "b", "--x", "x", "--y", "y", "--crs", "EPSG:4326", "--bandwidth", "1000",
                 "--min-unit-size", "0", "--min-area-size", "0", "--quiet"]) == 0


def test_python_api_stops_on_lonlat_declared_as_rd():
    from segspatial.spatial import spatial_segregation

    data = pd.DataFrame({"school": ["s1", "s2"], "a": [10, 20], "b": [30, 5],
                         "x": [4.9041, 5.1214], "y": [52.3676, 52.0907]})
    with pytest.raises(ValueError, match=r"coordinate columns x='x', y='y': 2 of 2 points "
                                         r"lie outside the area of use of EPSG:28992.*crs="):
        spatial_segregation(data, "school", "a", "b", x="x", y="y", crs=CRS,
                            min_unit_size=0, min_area_size=0)


#: The issue's five schools with s2 in lon/lat on line 3 (the header is line 1).
LONLAT_ON_LINE_3 = FIVE_SCHOOLS.replace("s2,X,50,20,70,100300,400000",
                                        "s2,X,50,20,70,4.9,52.3")
_SPATIAL = ["--unit", "school", "--group-a", "a", "--group-b", "b", "--area", "area",
            "--total", "pupils", "--x", "x", "--y", "y", "--bandwidth", "500", "--kernel",
            "boxcar", "--min-area-size", "0", "--permutations", "0"]


@pytest.mark.parametrize(("text", "where"), [
    (LONLAT_ON_LINE_3, "line 3 (unit 's2') (4.9, 52.3)"),
    # a blank line and a quoted line break before s2 move it to line 5
    (LONLAT_ON_LINE_3.replace("s1,X", '\n"s1\nx",X'), "line 5 (unit 's2') (4.9, 52.3)"),
])
def test_bad_coordinate_is_named_by_file_line_and_unit(tmp_path, capsys, text, where):
    path = tmp_path / "schools.csv"
    path.write_text(text)
    assert main(["indices", str(path), *_SPATIAL, "--crs", CRS]) == 2
    err = capsys.readouterr().err
    assert "1 of 5 points lie outside the area of use of EPSG:28992" in err
    assert f"e.g. {where}; they look like lon/lat degrees: declare EPSG:4326 with --crs" in err
    assert "row" not in err and "Traceback" not in err


def test_bad_coordinate_in_parquet_is_named_by_row_counted_from_1(tmp_path, capsys):
    path = tmp_path / "schools.parquet"
    pd.read_csv(io.StringIO(LONLAT_ON_LINE_3)).to_parquet(path)
    assert main(["indices", str(path), *_SPATIAL, "--crs", CRS]) == 2
    assert "e.g. row 2 (unit 's2') (4.9, 52.3)" in capsys.readouterr().err


def test_unit_outside_the_distance_crs_is_named_with_the_option_to_fix(tmp_path, capsys):
    """Lon/lat is valid anywhere; a school in Paris among Dutch ones lies outside RD New
    (the distance CRS): stop naming its line, unit and --distance-crs, not the internal
    projected columns."""
    path = tmp_path / "schools.csv"
    path.write_text("school,area,a,b,pupils,x,y\ns1,X,60,10,70,5.1,52.1\n"
                    "s2,X,50,20,70,2.35,48.85\ns3,X,20,50,70,5.11,52.1\n"
                    "s4,X,10,60,70,5.12,52.1\n")
    assert main(["indices", str(path), *_SPATIAL, "--crs", "EPSG:4326"]) == 2
    err = capsys.readouterr().err
    assert "schools.csv: units located with --x/--y in EPSG:4326: 1 of 4 points lie " \
        "outside the area of use of EPSG:28992" in err
    assert "e.g. line 3 (unit 's2') (" in err and "--distance-crs" in err
    assert "location_x" not in err and "Traceback" not in err
    # the example shows the coordinates as written on line 3, not their RD projection
    assert "line 3 (unit 's2') (2.35, 48.85) in EPSG:4326" in err


def test_python_api_names_file_lines_of_a_read_table_frame(tmp_path):
    from segspatial.io import read_table
    from segspatial.spatial import spatial_segregation

    path = tmp_path / "schools.csv"
    path.write_text(LONLAT_ON_LINE_3)
    for data, where in ((read_table(path, text_columns=["school"]), "line 3 (unit 's2')"),
                        (pd.read_csv(io.StringIO(LONLAT_ON_LINE_3)), "row 1 (unit 's2')")):
        with pytest.raises(ValueError, match=rf"e\.g\. {re.escape(where)} \(4\.9, 52\.3\)"):
            spatial_segregation(data, "school", "a", "b", x="x", y="y", crs=CRS,
                                bandwidth=500, min_unit_size=0, min_area_size=0)
    missing = read_table(path, text_columns=["school"]).assign(x=lambda f: f["x"].where(
        f["school"] != "s3"))
    with pytest.raises(ValueError, match=r"x: column 'x' has 1 missing or non-numeric "
                                         r"coordinates \(line 4 \(unit 's3'\) of "
                                         r"'.*schools.csv'\)"):
        spatial_segregation(missing, "school", "a", "b", x="x", y="y", crs=CRS,
                            min_unit_size=0, min_area_size=0)


def _rd_geojson_without_crs(tmp_path):
    feature = {"type": "Feature", "properties": {"code": "GM0001"},
               "geometry": {"type": "Polygon", "coordinates": [[
                   [120000, 480000], [125000, 480000], [125000, 486000],
                   [120000, 486000], [120000, 480000]]]}}
    path = tmp_path / "rd_no_crs.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    return path


def test_geojson_in_rd_metres_without_crs_is_not_read_as_lonlat(tmp_path, capsys):
    path = _rd_geojson_without_crs(tmp_path)
    with pytest.raises(ValueError) as info:
        read_boundaries(path)
    message = str(info.value)
    assert "rd_no_crs.geojson" in message and "EPSG:4326" in message
    assert "--boundaries-crs" in message and "without a \"crs\" member" in message
    with pytest.warns(GeometryWarning, match="overrides it with EPSG:28992"):
        assert read_boundaries(path, crs=CRS).crs.to_epsg() == 28992
    # on the command line: a clear error, no GEOSException or empty reason
    counts = tmp_path / "c.csv"
    pd.DataFrame({"school": ["s1", "s2"], "a": [10, 20], "b": [30, 5],
                  "x": [121000.0, 124000.0], "y": [481000.0, 485000.0]}).to_csv(
        counts, index=False)
    argv = ["indices", str(counts), "--unit", "school", "--group-a", "a", "--group-b", "b",
            "--x", "x", "--y", "y", "--crs", CRS, "--areas-from", str(path), "--area-code",
            "code", "--min-unit-size", "0", "--min-area-size", "0"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "rd_no_crs.geojson" in err and "--boundaries-crs" in err and "Traceback" not in err
    assert main([*argv, "--boundaries-crs", CRS, "--quiet"]) == 0
    assert "GM0001" in capsys.readouterr().out
