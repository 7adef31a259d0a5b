"""Geometry: reading boundaries, unit points, postcodes, point-in-polygon areas, joins."""

from __future__ import annotations

import io
import json
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from segspatial.cli import main
from segspatial.geo import (
    GeometryWarning,
    assign_areas,
    geocode_postcodes,
    join_areas,
    read_boundaries,
    repair_boundaries,
    require_projected,
    to_projected,
    unit_exclusions,
    unit_points,
    write_geo,
)

RD = "EPSG:28992"
#: Toy geometries are laid out from this point, inside RD New's area of use (the
#: coordinates are checked against it); positions in the tests are relative to it.
GX, GY = 100_000.0, 400_000.0


def grid(codes=("A", "B", "C", "D"), size=1000.0, crs=RD) -> gpd.GeoDataFrame:
    """A 2 x 2 grid of squares: A bottom-left, B bottom-right, C top-left, D top-right."""
    origin = {"A": (0, 0), "B": (1, 0), "C": (0, 1), "D": (1, 1)}
    geoms = [shapely.box(GX + origin[c][0] * size, GY + origin[c][1] * size,
                         GX + (origin[c][0] + 1) * size, GY + (origin[c][1] + 1) * size)
             for c in codes]
    return gpd.GeoDataFrame({"code": list(codes), "name": [f"area {c}" for c in codes]},
                            geometry=geoms, crs=crs)


def points(xy, crs=RD, **columns) -> gpd.GeoDataFrame:
    """Unit points at ``xy``, relative to (GX, GY) in RD New."""
    xy = np.asarray(xy, dtype=float) + ([GX, GY] if crs == RD else [0.0, 0.0])
    frame = pd.DataFrame({"school": [f"s{i}" for i in range(len(xy))], "x": xy[:, 0],
                          "y": xy[:, 1], **columns})
    return unit_points(frame, x="x", y="y", crs=crs, unit="school")


def quiet(func, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", GeometryWarning)
        return func(*args, **kwargs)


# ------------------------------------------------------------------ reading


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg", ".parquet", ".shp"])
def test_read_boundaries_round_trip(tmp_path, suffix):
    path = tmp_path / f"grid{suffix}"
    g = grid()
    if suffix == ".parquet":
        g.to_parquet(path)
    else:
        g.to_file(path)
    out = read_boundaries(path)
    assert out.crs.to_epsg() == 28992
    assert out["code"].tolist() == ["A", "B", "C", "D"]
    assert out.geometry.name == "geometry"
    assert np.allclose(out.area, 1e6, rtol=1e-12)
    assert out.attrs["repaired"] == 0 and out.attrs["null_geometries"] == 0
    assert out.attrs["crs_assumed"] is False


def test_missing_crs_is_an_error_naming_crs(tmp_path):
    path = tmp_path / "grid.shp"
    grid().to_file(path)
    path.with_suffix(".prj").unlink()
    with pytest.raises(ValueError, match=r"has no coordinate reference system.*pass crs="):
        read_boundaries(path)
    assert read_boundaries(path, crs=RD).crs.to_epsg() == 28992


def test_crs_override_declares_and_warns(tmp_path):
    path = tmp_path / "grid.gpkg"
    grid().to_file(path)
    with pytest.warns(GeometryWarning, match=r"EPSG:28992.*overrides it with EPSG:32631"):
        out = read_boundaries(path, crs="EPSG:32631")
    assert out.crs.to_epsg() == 32631
    # declared, not reprojected
    assert out.total_bounds.tolist() == [GX, GY, GX + 2000, GY + 2000]


def test_empty_file_and_no_features(tmp_path):
    empty = tmp_path / "empty.geojson"
    empty.write_bytes(b"")
    with pytest.raises(ValueError, match=r"is empty \(0 bytes\)"):
        read_boundaries(empty)
    none = tmp_path / "none.geojson"
    none.write_text(json.dumps({"type": "FeatureCollection", "features": []}))
    with pytest.raises(ValueError, match="has no features"):
        read_boundaries(none)
    with pytest.raises(FileNotFoundError, match="boundaries file not found"):
        read_boundaries(tmp_path / "absent.geojson")
    garbage = tmp_path / "garbage.gpkg"
    garbage.write_text("not a geopackage")
    with pytest.raises(ValueError, match="cannot be read as a vector file"):
        read_boundaries(garbage)


def test_invalid_geometries_are_repaired_and_counted(tmp_path):
    bowtie = shapely.Polygon([(GX, GY), (GX + 10, GY + 10), (GX + 10, GY), (GX, GY + 10)])
    g = gpd.GeoDataFrame({"code": ["X", "Y"]},
                         geometry=[bowtie, shapely.box(GX + 20, GY, GX + 30, GY + 10)], crs=RD)
    path = tmp_path / "bowtie.gpkg"
    g.to_file(path)
    with pytest.warns(GeometryWarning, match=r"repaired 1 invalid geometry"):
        out = read_boundaries(path)
    assert out.attrs["repaired"] == 1
    assert out.is_valid.all()
    assert out.geometry.iloc[0].geom_type == "MultiPolygon"
    assert out.geometry.iloc[0].area == pytest.approx(50.0, rel=1e-12)  # two triangles
    assert out.geometry.iloc[1].equals(shapely.box(GX + 20, GY, GX + 30, GY + 10))


def test_boundaries_in_memory_are_repaired_like_files():
    bowtie = shapely.Polygon([(0, 0, 1), (10, 10, 1), (10, 0, 1), (0, 10, 1)])
    g = gpd.GeoDataFrame({"code": ["X", "Y", "Z"]},
                         geometry=[bowtie, shapely.box(20, 0, 30, 10), None], crs=RD)
    g = g.rename_geometry("shape")
    with pytest.warns(GeometryWarning) as record:
        out = repair_boundaries(g, "layer 'gemeenten'")
    messages = [str(r.message) for r in record]
    assert any("boundaries layer 'gemeenten': repaired 1 invalid geometry" in m
               for m in messages)
    assert any("1 feature has no geometry" in m for m in messages)
    assert out.attrs == {"repaired": 1, "null_geometries": 1}
    assert out.geometry.name == "geometry" and out.crs == g.crs
    assert out.geometry.iloc[0].area == pytest.approx(50.0, rel=1e-12)
    assert not out.geometry.iloc[0].has_z
    assert out.geometry.iloc[1].equals(shapely.box(20, 0, 30, 10))
    assert not g.geometry.iloc[0].is_valid and g.geometry.name == "shape"  # not modified


def test_several_layers_need_layer(tmp_path):
    path = tmp_path / "two.gpkg"
    grid().to_file(path, layer="first")
    grid(("A",)).to_file(path, layer="second")
    with pytest.raises(ValueError, match=r"has 2 layers \['first', 'second'\]; choose one"):
        read_boundaries(path)
    assert len(read_boundaries(path, layer="second")) == 1
    with pytest.raises(ValueError, match="layer='third' is not a layer"):
        read_boundaries(path, layer="third")


# ----------------------------------------------------------------- TopoJSON

#: Two unit squares sharing the arc x = 1 (quantised, delta-encoded), a null geometry.
TOPO = {
    "type": "Topology",
    "transform": {"scale": [0.5, 0.25], "translate": [4.0, 52.0]},
    "objects": {"areas": {"type": "GeometryCollection", "geometries": [
        {"type": "Polygon", "arcs": [[0, 1]], "properties": {"code": "L"}, "id": 7},
        {"type": "Polygon", "arcs": [[2, ~0]], "properties": {"code": "R"}},
        {"type": None, "properties": {"code": "N"}},
    ]}},
    "arcs": [
        [[2, 0], [0, 4]],                       # (5, 52) -> (5, 53): the shared border
        [[2, 4], [-2, 0], [0, -4], [2, 0]],     # (5, 53) -> (4, 53) -> (4, 52) -> (5, 52)
        [[2, 0], [2, 0], [0, 4], [-2, 0]],      # (5, 52) -> (6, 52) -> (6, 53) -> (5, 53)
    ],
}


def test_topojson_decoding_exact(tmp_path):
    path = tmp_path / "areas.topojson"
    path.write_text(json.dumps(TOPO))
    with pytest.warns(GeometryWarning) as record:
        out = read_boundaries(path)
    messages = [str(w.message) for w in record]
    assert "TopoJSON has no CRS; the coordinates look like lon/lat, so EPSG:4326 is " \
        "assumed" in messages[0]
    assert "1 feature has no geometry (null, or collapsed to nothing; feature 3)" in messages[1]
    assert out.crs.to_epsg() == 4326 and out.attrs["crs_assumed"] is True
    assert out.attrs["layer"] == "areas"
    assert out["code"].tolist() == ["L", "R", "N"]
    assert out["id"].tolist()[0] == 7
    assert out.geometry.iloc[0].normalize().equals_exact(shapely.box(4, 52, 5, 53).normalize(),
                                                        tolerance=0)
    assert out.geometry.iloc[1].normalize().equals_exact(shapely.box(5, 52, 6, 53).normalize(),
                                                        tolerance=0)
    assert out.geometry.iloc[2] is None  # kept, not dropped like GDAL does
    assert out.attrs["null_geometries"] == 1


def test_topojson_json_suffix_layers_and_crs(tmp_path):
    two = dict(TOPO, objects={"a": TOPO["objects"]["areas"], "b": TOPO["objects"]["areas"]})
    path = tmp_path / "two.json"  # recognised by its "type": "Topology"
    path.write_text(json.dumps(two))
    with pytest.raises(ValueError, match=r"has 2 TopoJSON objects \['a', 'b'\]"):
        read_boundaries(path)
    with pytest.raises(ValueError, match="layer='c' is not a TopoJSON object"):
        read_boundaries(path, layer="c")
    out = quiet(read_boundaries, path, layer="b", crs="EPSG:4326")  # no assumption
    assert out.attrs["crs_assumed"] is False and len(out) == 3
    metres = dict(TOPO, transform={"scale": [10.0, 10.0], "translate": [120000.0, 480000.0]})
    path = tmp_path / "rd.topojson"
    path.write_text(json.dumps(metres))
    with pytest.raises(ValueError, match=r"no coordinate reference system.*--boundaries-crs"):
        read_boundaries(path)
    assert quiet(read_boundaries, path, crs=RD).geometry.iloc[0].area == pytest.approx(800)


def test_topojson_shared_file_matches_gdal(shared_data):
    path = shared_data / "boundaries" / "cartomap_wgs84_provincie_2018.topojson"
    out = quiet(read_boundaries, path)
    assert len(out) == 12 and out.crs.to_epsg() == 4326
    ref = gpd.read_file(path).set_crs(4326)  # GDAL's TopoJSON driver
    assert out["statcode"].tolist() == ref["statcode"].tolist()
    mine = out.to_crs(RD).area.to_numpy()
    gdal = ref.to_crs(RD).make_valid().area.to_numpy()
    np.testing.assert_allclose(mine, gdal, rtol=1e-9)


def test_topojson_keeps_features_without_geometry(shared_data):
    path = shared_data / "boundaries" / "nl_maps_wgs84_wijk_2014.topojson"
    out = quiet(read_boundaries, path)
    declared = json.loads(path.read_text())["objects"]["wijk_2014"]["geometries"]
    assert len(out) == len(declared) == 2746
    assert out["statcode"].tolist() == [g["properties"]["statcode"] for g in declared]
    geoms = out.geometry.array
    present = ~shapely.is_missing(geoms)
    assert shapely.is_valid(geoms[present]).all()
    n_null = sum(g.get("type") is None for g in declared)
    assert out.attrs["null_geometries"] >= n_null > 0


# -------------------------------------------------------------------- CRS


def test_require_projected():
    assert require_projected("EPSG:28992").to_epsg() == 28992
    with pytest.raises(ValueError, match=r"bandwidth_crs: distances need a projected CRS in "
                                         r"metres, got EPSG:4326.*geographic"):
        require_projected("EPSG:4326", "bandwidth_crs")
    with pytest.raises(ValueError, match=r"axis units \['us survey foot'\]"):
        require_projected("EPSG:2227")
    with pytest.raises(ValueError, match=r"crs='EPSG:999999' is not a coordinate reference"):
        require_projected("EPSG:999999")
    with pytest.raises(ValueError, match="crs is None"):
        require_projected(None)


def test_to_projected():
    lonlat = points([[4.9, 52.37]], crs="EPSG:4326")
    rd = to_projected(lonlat)
    assert rd.crs.to_epsg() == 28992
    assert rd.geometry.x.iloc[0] == pytest.approx(121_000, abs=1_000)
    assert lonlat.crs.to_epsg() == 4326  # not modified
    with pytest.raises(ValueError, match="distances need a projected CRS"):
        to_projected(rd, "EPSG:4326")
    with pytest.raises(ValueError, match="frame has no CRS"):
        to_projected(gpd.GeoDataFrame(geometry=[shapely.Point(0, 0)]))
    with pytest.raises(TypeError, match="frame must be a geopandas GeoDataFrame"):
        to_projected(pd.DataFrame())


# ------------------------------------------------------------ unit points


def test_unit_points_keeps_columns_and_index():
    frame = pd.DataFrame({"school": ["a", "b"], "x": [GX + 1.0, GX + 2.0],
                          "y": [GY + 3, GY + 4], "n": [5, 6]}, index=[10, 20])
    pts = unit_points(frame, x="x", y="y", crs=RD)
    assert list(pts.columns) == ["school", "x", "y", "n", "geometry"]
    assert pts.index.tolist() == [10, 20] and pts.crs.to_epsg() == 28992
    assert pts.geometry.x.tolist() == [GX + 1.0, GX + 2.0]
    assert pts.geometry.y.tolist() == [GY + 3.0, GY + 4.0]
    assert "geometry" not in frame.columns


def test_unit_points_errors():
    frame = pd.DataFrame({"school": ["a", None], "x": [1.0, np.nan], "y": ["3", "four"]})
    with pytest.raises(ValueError, match=r"missing columns: x='lon', y='lat'"):
        unit_points(frame, x="lon", y="lat", crs=RD)
    with pytest.raises(ValueError, match=r"x: column 'x' has 1 missing \(NaN\) coordinates "
                                         r"\(rows 1\)"):
        unit_points(frame, x="x", y="x", crs=RD)
    with pytest.raises(ValueError, match=r"y: column 'y' has 1 non-numeric"):
        unit_points(frame.iloc[:1].assign(y=["3"]).pipe(
            lambda f: pd.concat([f, f.assign(y="four")])), x="x", y="y", crs=RD)
    with pytest.raises(ValueError, match=r"unit: column 'school' has 1 missing ids"):
        unit_points(frame.fillna({"x": 0}), x="x", y="x", crs=RD, unit="school")
    with pytest.raises(ValueError, match=r"crs='RD' is not a coordinate reference system"):
        unit_points(frame.iloc[:1], x="x", y="x", crs="RD")
    with pytest.raises(ValueError, match=r"outside the area of use of EPSG:4326 .*"
                                         r"lon -180..180.*projected metres.*EPSG:28992"):
        unit_points(pd.DataFrame({"x": [121000.0], "y": [487000.0]}), x="x", y="y",
                    crs="EPSG:4326")
    with pytest.raises(TypeError, match="x must be a column name"):
        unit_points(frame, x=1, y="y", crs=RD)
    with pytest.raises(TypeError, match="data must be a pandas DataFrame"):
        unit_points([1, 2], x="x", y="y", crs=RD)


# ---------------------------------------------------------------- postcodes

PC_TABLE = pd.DataFrame({"postcode": ["1011", "1012", "9999"],
                         "x_rd": [122197.4, 121552.8, np.nan],
                         "y_rd": [487227.5, 487522.6, 600000.0]})


def test_geocode_postcodes_formats_and_unmatched():
    data = pd.DataFrame({"school": list("abcdef"),
                         "pc": ["1011 AB", "1011AB", 1012, "1012", "2000 XX", "9999 ZZ"],
                         "pupils": [100, 200, 300, 400, 500, 600]})
    with pytest.warns(GeometryWarning) as record:
        pts, unmatched = geocode_postcodes(data, "pc", PC_TABLE)
    messages = " | ".join(str(w.message) for w in record)
    assert "1 postcode has no usable centroid" in messages
    assert "2 units have a postcode not in the postcode table" in messages
    assert pts["school"].tolist() == ["a", "b", "c", "d"]
    assert pts.geometry.x.tolist() == [122197.4, 122197.4, 121552.8, 121552.8]
    assert pts.crs.to_epsg() == 28992
    assert unmatched["school"].tolist() == ["e", "f"]
    assert set(unmatched["reason"]) == {"postcode_unmatched"}
    counted = unit_exclusions(unmatched, pupils="pupils")
    assert counted[["reason", "n_units", "n_pupils"]].values.tolist() == [
        ["postcode_unmatched", 2, 1100.0]]


def test_geocode_postcodes_from_file_and_errors(tmp_path):
    path = tmp_path / "pc4.csv"
    PC_TABLE.iloc[:2].to_csv(path, index=False)
    data = pd.DataFrame({"pc": ["1012 CD"]})
    pts, unmatched = geocode_postcodes(data, "pc", path)
    assert pts.geometry.y.tolist() == [487522.6] and unmatched.empty
    with pytest.raises(ValueError, match="postcode='zip' is not a column of the data"):
        geocode_postcodes(data, "zip", path)
    with pytest.raises(ValueError, match=r"postcode table: missing columns x='lon'"):
        geocode_postcodes(data, "pc", PC_TABLE, x="lon")
    with pytest.raises(ValueError, match=r"postcodes repeat, e.g. '1011'"):
        geocode_postcodes(data, "pc", pd.concat([PC_TABLE, PC_TABLE.iloc[:1]]))
    with pytest.raises(ValueError, match=r"not 4-digit postcodes, e.g. 'AB12'"):
        geocode_postcodes(data, "pc", PC_TABLE.assign(postcode=["AB12", "1012", "1013"]))


# ------------------------------------------------------------------- areas


def test_assign_areas_inside_border_corner_and_outside():
    pts = points([
        [500, 500],      # A
        [1500, 1500],    # D
        [1000, 500],     # on the A|B border -> A (smallest code)
        [1000, 1000],    # the corner of all four -> A
        [1500, 1000],    # on the B|D border -> B
        [2100, 500],     # 100 m east of B -> snapped to B
        [-3000, 500],    # 3 km west of A -> snapped to A with snap=5000
        [9000, 9000],    # far away -> excluded
    ], pupils=[10, 20, 30, 40, 50, 60, 70, 80])
    with pytest.warns(GeometryWarning) as record:
        codes, excluded = assign_areas(pts, grid(), "code")
    messages = " | ".join(str(w.message) for w in record)
    assert "2 units lie outside every area polygon and were assigned" in messages
    assert "1 unit is left out" in messages
    assert codes.tolist()[:7] == ["A", "D", "A", "A", "B", "B", "A"]
    assert pd.isna(codes.iloc[7])
    assert codes.name == "code" and codes.index.equals(pts.index)
    assert codes.attrs == {"n_within": 5, "n_snapped": 2, "n_excluded": 1,
                           "max_snap_distance": 3000.0}
    assert excluded["school"].tolist() == ["s7"]
    assert excluded["reason"].tolist() == ["outside_areas"]
    assert excluded["distance"].iloc[0] == pytest.approx(np.hypot(7000, 7000), rel=1e-12)
    assert "geometry" not in excluded.columns


def test_border_choice_does_not_depend_on_feature_order():
    pts = points([[1000, 500], [1000, 1000], [1500, 1000], [500, 1000]])
    forward, _ = assign_areas(pts, grid(), "code")
    backward, _ = assign_areas(pts, grid(("D", "C", "B", "A")), "code")
    assert forward.tolist() == backward.tolist() == ["A", "A", "B", "A"]


def test_snap_distance_and_disable():
    pts = points([[2100, 500]])
    with pytest.warns(GeometryWarning, match="beyond snap=50 m"):
        codes, excluded = assign_areas(pts, grid(), "code", snap=50)
    assert codes.isna().all() and excluded["distance"].tolist() == [pytest.approx(100)]
    codes, _ = quiet(assign_areas, pts, grid(), "code", snap=100)  # the limit is inclusive
    assert codes.tolist() == ["B"]
    codes, _ = quiet(assign_areas, pts, grid(), "code", snap=0)
    assert codes.isna().all()


def test_assign_areas_mixed_crs_and_dtypes():
    lonlat = to_projected(points([[500, 500], [1500, 500]]), "EPSG:28992").to_crs(4326)
    bounds = grid().astype({"code": "string"})
    codes, excluded = assign_areas(lonlat, bounds, "code")
    assert codes.tolist() == ["A", "B"] and excluded.empty
    assert codes.dtype == bounds["code"].dtype
    numeric = grid().assign(code=[10, 20, 30, 40])
    codes, _ = assign_areas(points([[1500, 1500]]), numeric, "code")
    assert codes.tolist() == [40] and codes.dtype == np.int64


def test_assign_areas_errors(tmp_path):
    pts = points([[500, 500]])
    with pytest.raises(ValueError, match=r"area_code='statcode' is not a column of the "
                                         r"boundaries; they have \['code', 'name'\]"):
        assign_areas(pts, grid(), "statcode")
    with pytest.raises(ValueError, match="crs: distances need a projected CRS"):
        assign_areas(pts, grid(), "code", crs="EPSG:4326")
    with pytest.raises(ValueError, match=r"snap must be a finite distance in metres >= 0"):
        assign_areas(pts, grid(), "code", snap=-1)
    with pytest.raises(TypeError, match="snap must be a distance in metres"):
        assign_areas(pts, grid(), "code", snap=True)
    with pytest.raises(ValueError, match="points have no CRS"):
        assign_areas(gpd.GeoDataFrame(geometry=[shapely.Point(0, 0)]), grid(), "code")
    with pytest.raises(TypeError, match="points must be a GeoDataFrame"):
        assign_areas(pd.DataFrame({"x": [1]}), grid(), "code")
    with pytest.raises(ValueError, match="boundaries have no CRS"):
        assign_areas(pts, grid().set_crs(None, allow_override=True), "code")
    path = tmp_path / "grid.geojson"
    grid().to_file(path)
    codes, _ = assign_areas(pts, path, "code")  # a path works too
    assert codes.tolist() == ["A"]


def test_unit_exclusions_counts_per_reason_area_and_year():
    rows = pd.DataFrame({"reason": ["outside_areas", "outside_areas", "postcode_unmatched"],
                         "gm": ["X", "X", "Y"], "yr": [2019, 2019, 2018],
                         "a": [1, 2, 3], "b": [10, 20, 30]})
    out = unit_exclusions(rows, area="gm", year="yr", pupils=["a", "b"])
    assert out.columns.tolist() == ["reason", "area", "year", "n_units", "n_pupils",
                                    "description"]
    assert out[["reason", "area", "year", "n_units", "n_pupils"]].values.tolist() == [
        ["outside_areas", "X", 2019, 2, 33.0], ["postcode_unmatched", "Y", 2018, 1, 33.0]]
    assert out["description"].str.len().gt(10).all()


# -------------------------------------------------------------------- joins


def results_table() -> pd.DataFrame:
    rows = []
    for year in (2018, 2019):
        for area, d in (("A", 0.1), ("B", 0.2), ("Z", 0.3)):
            for index, value in (("dissimilarity", d), ("theil_h", d / 2)):
                rows.append({"area": area, "year": year, "group_a": "a", "group_b": "b",
                             "index": index, "bandwidth": np.nan, "kernel": None,
                             "value": value + year / 1e5, "n_units": 3, "n_pupils": 100.0,
                             "n_a": 40.0, "n_b": 60.0, "reason": None})
            rows.append({"area": area, "year": year, "group_a": "a", "group_b": "b",
                         "index": "spatial_dissimilarity", "bandwidth": 1000.0,
                         "kernel": "gaussian", "value": np.nan, "n_units": 3,
                         "n_pupils": 100.0, "n_a": 40.0, "n_b": 60.0,
                         "reason": "too few units"})
    return pd.DataFrame(rows)


def test_join_areas_one_column_per_index_every_feature_kept():
    results = results_table()
    with pytest.warns(GeometryWarning, match=r"1 area in the results has no polygon in "
                                             r"the boundaries \(6 results rows.*'Z'"):
        out = join_areas(results, grid(), "code")
    assert isinstance(out, gpd.GeoDataFrame) and out.crs.to_epsg() == 28992
    assert len(out) == 8  # 4 features x 2 years
    assert out[["code", "year"]].values.tolist() == [
        [c, y] for c in "ABCD" for y in (2018, 2019)]
    assert out.attrs["index_columns"] == ["dissimilarity", "theil_h",
                                          "spatial_dissimilarity_gaussian_1000"]
    assert out.attrs["unmatched_areas"] == ["Z"] and out.attrs["n_unmatched_rows"] == 6
    assert out.attrs["n_areas_without_results"] == 4
    assert out.attrs["areas_without_results"] == ["C", "D"]  # named, not just counted
    for column in out.attrs["index_columns"] + ["n_units", "n_pupils"]:
        assert out[column].dtype == np.float64
    a2019 = out[(out["code"] == "A") & (out["year"] == 2019)].iloc[0]
    assert a2019["dissimilarity"] == 0.1 + 2019 / 1e5  # exact, never rounded
    assert a2019["theil_h"] == 0.05 + 2019 / 1e5
    assert np.isnan(a2019["spatial_dissimilarity_gaussian_1000"])
    assert a2019["reason_spatial_dissimilarity_gaussian_1000"] == "too few units"
    assert a2019["name"] == "area A"
    assert out.loc[out["code"].isin(["C", "D"]), "dissimilarity"].isna().all()
    assert out.geometry.iloc[0].equals(grid().geometry.iloc[0])


def test_join_areas_without_years_and_name_clash():
    results = results_table().query("year == 2019").drop(columns="year")
    bounds = grid().assign(n_units=[1, 2, 3, 4])  # a boundary property with a result name
    out = quiet(join_areas, results, bounds, "code")
    assert len(out) == 4 and "year" not in out.columns
    assert out["n_units_boundary"].tolist() == [1, 2, 3, 4]
    assert out["n_units"].tolist()[:2] == [3.0, 3.0] and out["n_units"].isna().sum() == 2


def test_join_areas_per_year_boundaries(tmp_path):
    grid().to_file(tmp_path / "areas_2018.geojson")
    merged = grid(("C", "D"))
    merged = pd.concat([merged, gpd.GeoDataFrame(
        {"code": ["Z"], "name": ["A and B merged"]},
        geometry=[shapely.box(GX, GY, GX + 2000, GY + 1000)], crs=RD)], ignore_index=True)
    merged.to_file(tmp_path / "areas_2019.geojson")
    with pytest.warns(GeometryWarning) as record:
        out = join_areas(results_table(), str(tmp_path / "areas_{year}.geojson"), "code")
    assert "3 areas in the results have no polygon in the boundaries (9 results rows" in str(
        record[0].message)
    assert out.attrs["unmatched_areas"] == ["A", "B", "Z"]  # Z in 2018; A, B in 2019
    per_year = out.groupby("year")["code"].apply(list).to_dict()
    assert per_year == {2018: ["A", "B", "C", "D"], 2019: ["C", "D", "Z"]}
    assert out.attrs["areas_without_results"] == ["C", "D"]  # in no year
    z = out[(out["year"] == 2019) & (out["code"] == "Z")].iloc[0]
    assert z["dissimilarity"] == 0.3 + 2019 / 1e5
    with pytest.raises(FileNotFoundError, match="areas_2018.gpkg"):
        join_areas(results_table(), str(tmp_path / "areas_{year}.gpkg"), "code")
    with pytest.raises(ValueError, match="per-year pattern but the results have no 'year'"):
        join_areas(results_table().drop(columns="year"),
                   str(tmp_path / "areas_{year}.geojson"), "code")


def test_join_areas_reads_a_layer(tmp_path):
    path = tmp_path / "two.gpkg"
    grid().to_file(path, layer="municipalities", driver="GPKG")
    grid(("C", "D")).to_file(path, layer="districts", driver="GPKG")
    out = quiet(join_areas, results_table().replace({"area": {"A": "C"}}), path, "code",
                layer="districts")
    assert out["code"].unique().tolist() == ["C", "D"]
    assert out.attrs["areas_without_results"] == ["D"]
    # results none of whose codes is a feature's: an error with both sides
    with pytest.raises(ValueError, match=r"none of the 3 area codes of the results is a "
                       r"code of the boundaries \(area_code='code', 2 features\): the "
                       r"results have e.g. \['A', 'B', 'Z'\], the boundaries \['C', 'D'\]"):
        join_areas(results_table(), path, "code", layer="districts")
    with pytest.raises(ValueError, match="layer='nope' is not a layer"):
        join_areas(results_table(), path, "code", layer="nope")


def test_join_areas_errors():
    results = results_table()
    with pytest.raises(ValueError, match=r"area_code='statcode' is not a column"):
        join_areas(results, grid(), "statcode")
    with pytest.raises(ValueError, match=r"results have no column\(s\) \['area'\] \(compute"):
        join_areas(results.drop(columns="area"), grid(), "code")
    with pytest.raises(ValueError, match=r"12 rows repeat an index for one area, e.g. area 'A'"):
        join_areas(pd.concat([results, results.query("area == 'A'")]), grid(), "code")
    with pytest.raises(ValueError, match="1 rows have no 'area'"):
        join_areas(results.assign(area=results["area"].where(results.index > 0)), grid(),
                   "code")
    with pytest.raises(TypeError, match="results must be a pandas DataFrame"):
        join_areas(None, grid(), "code")
    with pytest.raises(TypeError, match="area_code must be a column name"):
        join_areas(results, grid(), 3)


@pytest.mark.parametrize("suffix", [".gpkg", ".geojson", ".parquet"])
def test_write_geo_round_trip(tmp_path, suffix):
    out = quiet(join_areas, results_table(), grid().assign(FID=["x"] * 4), "code")
    path = write_geo(out, tmp_path / "sub" / f"joined{suffix}")
    back = read_boundaries(path)
    assert len(back) == 8 and back.crs.to_epsg() == 28992
    np.testing.assert_array_equal(back["dissimilarity"].to_numpy(),
                                  out["dissimilarity"].to_numpy())
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary left
    with pytest.raises(ValueError, match=r"use a file ending in .gpkg, .geojson or .parquet"):
        write_geo(out, tmp_path / "joined.csv")


# ------------------------------------------------------------- real 2019 case


def test_real_2019_on_2019_and_2014_boundaries(real_2019, shared_data):
    pts = unit_points(real_2019, x="x", y="y", crs=RD, unit="school")
    b2019 = read_boundaries(shared_data / "boundaries" / "nl_maps_rd_gemeente_2019.geojson")
    codes, excluded = quiet(assign_areas, pts, b2019, "statcode")
    assert excluded.empty and codes.notna().all() and len(codes) == 6295
    assert codes.attrs["n_snapped"] > 0 and codes.attrs["max_snap_distance"] < 5000
    # the located polygon is the school's registered municipality for almost all schools
    # (the rest are schools near a municipal border located by a postcode centroid)
    assert (codes == real_2019["municipality"]).mean() > 0.99
    b2014 = read_boundaries(shared_data / "boundaries" / "nl_maps_wgs84_gemeente_2014.geojson")
    assert b2014.crs.to_epsg() == 4326 and len(b2014) == 403
    old, excluded = quiet(assign_areas, pts, b2014, "statcode")
    assert excluded.empty and set(old) <= set(b2014["statcode"])
    assert old.nunique() > codes.nunique()  # more, smaller municipalities in 2014
    # Amsterdam did not merge: its schools are the same on both maps, except where the
    # differently generalised borders of the two maps disagree (1 of 209 schools)
    assert (old[codes == "GM0363"] == "GM0363").mean() > 0.99


def test_real_2019_join(real_2019, shared_data):
    from segspatial import segregation

    result = segregation(real_2019, "school", "a", "b", area="municipality", total="pupils",
                         min_area_size=0, min_unit_size=0)
    folder = shared_data / "boundaries"
    joined = join_areas(result.table, folder / "nl_maps_rd_gemeente_2019.geojson", "statcode")
    assert len(joined) == 355 and joined.attrs["unmatched_areas"] == []
    amsterdam = joined[joined["statcode"] == "GM0363"].iloc[0]
    expected = result.table.query("area == 'GM0363' and index == 'dissimilarity'")["value"]
    assert amsterdam["dissimilarity"] == expected.iloc[0]
    assert 0.55 < amsterdam["dissimilarity"] < 0.62
    with pytest.warns(GeometryWarning, match="have no polygon"):
        old = join_areas(result.table, folder / "nl_maps_wgs84_gemeente_2014.geojson",
                         "statcode")
    codes_2014 = {f["properties"]["statcode"] for f in json.loads(
        (folder / "nl_maps_wgs84_gemeente_2014.geojson").read_text())["features"]}
    new_codes = sorted(set(result.table["area"]) - codes_2014)
    assert old.attrs["unmatched_areas"] == new_codes and len(new_codes) > 10
    assert len(old) == 403


# --------------------------------------------------------------------- CLI


@pytest.fixture
def grid_files(tmp_path):
    bounds = tmp_path / "grid.geojson"
    grid().to_file(bounds)
    rng = np.random.default_rng(4)
    n = 40
    xy = np.column_stack([rng.uniform(0, 1000, n) + np.repeat([0, 1000], n // 2),
                          rng.uniform(0, 1000, n)])
    xy[0] = [2050, 500]   # 50 m outside B: snapped
    xy[1] = [9000, 9000]  # far away: left out
    xy += [GX, GY]
    counts = pd.DataFrame({"school": [f"s{i:02d}" for i in range(n)], "x": xy[:, 0],
                           "y": xy[:, 1], "a": rng.integers(0, 60, n),
                           "b": rng.integers(0, 60, n), "pc": "1011 AB"})
    counts.loc[2, "pc"] = "0000"
    path = tmp_path / "counts.csv"
    counts.to_csv(path, index=False)
    pc = tmp_path / "pc4.csv"
    PC_TABLE.iloc[:2].to_csv(pc, index=False)
    return {"counts": path, "bounds": bounds, "frame": counts, "pc": pc, "dir": tmp_path}


def test_cli_indices_areas_from_polygons(grid_files, capsys):
    out = grid_files["dir"] / "results.csv"
    excl = grid_files["dir"] / "exclusions.csv"
    status = main(["indices", str(grid_files["counts"]), "--unit", "school", "--group-a", "a",
                   "--group-b", "b", "--x", "x", "--y", "y", "--crs", RD, "--areas-from",
                   str(grid_files["bounds"]), "--area-code", "code", "--min-unit-size", "0",
                   "--min-area-size", "0", "--indices", "dissimilarity", "--output", str(out),
                   "--exclusions-output", str(excl)])
    err = capsys.readouterr().err
    assert status == 0, err
    assert "note: 1 unit lies outside every area polygon and was assigned" in err
    assert ": 1 area-year, 1 unit" in err and "[outside_areas]" in err
    table = pd.read_csv(out)
    assert table["area"].tolist() == ["A", "B"]
    frame = grid_files["frame"]
    # s00 and s01 were drawn in A: s00 is moved next to B (snapped), s01 far away (left out)
    assert table["n_units"].tolist() == [20 - 2, 20 + 1]
    excluded = pd.read_csv(excl)
    row = excluded[excluded["reason"] == "outside_areas"].iloc[0]
    assert row["n_units"] == 1 and row["n_pupils"] == frame.loc[1, "a"] + frame.loc[1, "b"]


def test_cli_indices_postcodes(grid_files, capsys):
    status = main(["indices", str(grid_files["counts"]), "--unit", "school", "--group-a", "a",
                   "--group-b", "b", "--postcode", "pc", "--postcode-table",
                   str(grid_files["pc"]), "--min-unit-size", "0", "--min-area-size", "0",
                   "--indices", "dissimilarity"])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    assert ": 1 area-year, 1 unit" in captured.err and "[postcode_unmatched]" in captured.err
    assert "1 unit has a postcode not in the postcode table" in captured.err
    table = pd.read_csv(io.StringIO(captured.out))
    assert table["n_units"].tolist() == [39]


@pytest.mark.parametrize(("extra", "match"), [
    (["--areas-from", "B"], "--areas-from needs unit locations"),
    (["--x", "x", "--y", "y", "--crs", RD, "--areas-from", "B"],
     "--area-code 'statcode' (the default) is not a column of '"),
    (["--x", "x", "--y", "y"], "--x/--y need --crs"),
    (["--x", "x"], "--x and --y go together"),
    (["--postcode", "pc"], "--postcode and --postcode-table go together"),
    (["--x", "x", "--y", "y", "--crs", RD, "--areas-from", "B", "--area-code", "code",
      "--area", "pc"], "--areas-from replaces --area"),
    (["--area-code", "code"], "--area-code is used with --areas-from"),
    (["--x", "x", "--y", "y", "--crs", RD, "--distance-crs", "EPSG:4326"],
     "--distance-crs: distances need a projected CRS"),
    (["--x", "x", "--y", "y", "--crs", RD, "--areas-from", "B", "--area-code", "nope"],
     "--area-code 'nope' is not a column of '"),
])
def test_cli_location_errors(grid_files, capsys, extra, match):
    extra = [str(grid_files["bounds"]) if e == "B" else e for e in extra]
    status = main(["indices", str(grid_files["counts"]), "--unit", "school", "--group-a", "a",
                   "--group-b", "b", *extra])
    assert status == 2
    err = capsys.readouterr().err
    assert err.startswith("segspatial indices: error: ") and match in err


def test_cli_join_and_info(grid_files, capsys):
    results = grid_files["dir"] / "results.csv"
    results_table().to_csv(results, index=False)
    out = grid_files["dir"] / "joined.gpkg"
    status = main(["join", str(results), str(grid_files["bounds"]), "--area-code", "code",
                   "--output", str(out)])
    err = capsys.readouterr().err
    assert status == 0, err
    assert "wrote 8 features with 3 index columns" in err
    assert "join: note: 1 area in the results has no polygon in the boundaries (6 results "\
        "rows not in the output): 'Z'" in err
    assert "2 boundary features have no results (empty values): C (area C), D (area D)" in err
    back = read_boundaries(out)
    assert len(back) == 8 and "spatial_dissimilarity_gaussian_1000" in back.columns
    status = main(["join", str(results), str(grid_files["bounds"]), "--area-code", "nope",
                   "--output", str(out)])
    assert status == 2 and "--area-code 'nope' is not a column" in capsys.readouterr().err
    empty = grid_files["dir"] / "empty.geojson"
    empty.write_bytes(b"")
    status = main(["join", str(results), str(empty), "--area-code", "code", "--output",
                   str(out)])
    assert status == 2 and "is empty (0 bytes)" in capsys.readouterr().err
    assert main(["boundaries", "info", str(grid_files["bounds"])]) == 0
    info = capsys.readouterr().out
    assert "features: 4" in info and "crs: EPSG:28992" in info and "columns: code, name" in info


def test_read_zipped_shapefile(tmp_path):
    import zipfile

    grid().to_file(tmp_path / "grid.shp")
    archive = tmp_path / "grid.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for part in tmp_path.glob("grid.*"):
            if part.suffix != ".zip":
                z.write(part, part.name)
    out = read_boundaries(archive)
    assert out["code"].tolist() == ["A", "B", "C", "D"] and out.crs.to_epsg() == 28992


def test_cli_lonlat_coordinates_are_projected_for_areas(grid_files, capsys):
    frame = grid_files["frame"].iloc[2:].copy()  # inside the grid only
    pts = to_projected(unit_points(frame, x="x", y="y", crs=RD), RD).to_crs(4326)
    frame["lon"], frame["lat"] = pts.geometry.x, pts.geometry.y
    path = grid_files["dir"] / "lonlat.csv"
    frame.drop(columns=["x", "y"]).to_csv(path, index=False)
    status = main(["indices", str(path), "--unit", "school", "--group-a", "a", "--group-b",
                   "b", "--x", "lon", "--y", "lat", "--crs", "EPSG:4326", "--areas-from",
                   str(grid_files["bounds"]), "--area-code", "code", "--min-unit-size", "0",
                   "--min-area-size", "0", "--indices", "dissimilarity"])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    table = pd.read_csv(io.StringIO(captured.out))
    assert table["area"].tolist() == ["A", "B"] and table["n_units"].tolist() == [18, 20]
    assert "Nothing was left out." in captured.err


def test_area_of_use_examples_count_points_from_1_or_name_file_lines(tmp_path):
    from segspatial.geo import check_area_of_use
    from segspatial.io import read_table

    with pytest.raises(ValueError, match=r"1 of 2 points .* e\.g\. point 2 \(4\.9, 52\.3\)"):
        check_area_of_use([GX, 4.9], [GY, 52.3], RD, what="x, y")
    path = tmp_path / "schools.csv"
    path.write_text(f"school,x,y\nA,{GX},{GY}\nB,4.9,52.3\n")
    data = read_table(path, text_columns=["school"])
    with pytest.raises(ValueError, match=r"schools\.csv: coordinate columns x='x', y='y': 1 "
                                         r"of 2 points .* e\.g\. line 3 \(unit 'B'\) "):
        unit_points(data, x="x", y="y", crs=RD, unit="school")
    with pytest.raises(ValueError, match=r"e\.g\. line 3 \(4\.9, 52\.3\)"):
        unit_points(data, x="x", y="y", crs=RD)
    with pytest.raises(ValueError, match=r"x: column 'x' has 1 missing \(NaN\) coordinates "
                                         r"\(line 2 \(unit 'A'\) of '.*schools\.csv'\)"):
        unit_points(data.assign(x=[np.nan, GX]), x="x", y="y", crs=RD, unit="school")
