"""Outputs: the same bytes on every run, the format the name says, one type per column.

Review 2 of issue 11, section C: a GeoPackage differed on every rerun (its time
stamp), ``-o results.csv.gz`` wrote plain CSV and ``-o results.tsv`` commas, and the
Arrow types of results Parquet files depended on their content (``null``), so files of
different paths did not concatenate.
"""

from __future__ import annotations

import gzip
import os
import sqlite3
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import shapely
from _towns import write_files

from segspatial._formats import GEO_SUFFIXES, table_format, writable_table_suffixes
from segspatial.cli import main
from segspatial.geo import write_geo
from segspatial.io import read_table, write_table
from segspatial.schema import FILE_DTYPES, RESULT_COLUMNS, RESULT_DTYPES

SMALL = ["--min-unit-size", "0", "--min-area-size", "0"]
TWO = ["--unit", "school", "--group-a", "a", "--group-b", "b", "--area", "municipality"]
WRITABLE = [".csv", ".tsv", ".parquet", ".pq", ".csv.gz", ".tsv.gz"]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_files(tmp_path_factory.mktemp("towns"))


def _indices(files, output: Path, *extra: str, counts: Path | None = None) -> None:
    argv = ["indices", str(counts or files["counts"]), *TWO, *SMALL, "-q", "-o",
            str(output), *extra]
    assert main(argv) == 0, argv


def _join(results: Path, files, output: Path) -> None:
    assert main(["join", str(results), str(files["towns"]), "--area-code", "statcode",
                 "-q", "-o", str(output)]) == 0


def _gdal_date() -> str | None:
    import pyogrio

    return pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")


# --------------------------------------------------------------------------- same bytes


def test_the_writable_suffixes_are_the_documented_ones():
    assert writable_table_suffixes() == WRITABLE
    assert set(GEO_SUFFIXES) == {".gpkg", ".geojson", ".json", ".parquet", ".geoparquet"}


def test_every_format_of_every_writer_gives_the_same_bytes_on_every_run(files, tmp_path):
    """Write everything twice, more than a second apart (GeoPackage time stamps have
    milliseconds, gzip headers seconds): the files are byte-identical."""
    rounds = []
    for run in ("one", "two"):
        folder = tmp_path / run
        folder.mkdir()
        for suffix in WRITABLE:
            _indices(files, folder / f"results{suffix}")
        for suffix in GEO_SUFFIXES:
            _join(folder / "results.csv", files, folder / f"joined{suffix}")
        rounds.append(folder)
        if run == "one":
            time.sleep(1.1)
    names = sorted(p.name for p in rounds[0].iterdir())
    assert len(names) == len(WRITABLE) + len(GEO_SUFFIXES)
    assert sorted(p.name for p in rounds[1].iterdir()) == names
    differ = [n for n in names
              if (rounds[0] / n).read_bytes() != (rounds[1] / n).read_bytes()]
    assert differ == []
    assert _gdal_date() is None  # the fixed date was set for the writes only


def test_geopackage_has_a_fixed_date_and_layer_name(files, tmp_path):
    _indices(files, tmp_path / "r.csv")
    _join(tmp_path / "r.csv", files, tmp_path / "any name-2019.gpkg")
    with sqlite3.connect(tmp_path / "any name-2019.gpkg") as db:
        contents = db.execute("SELECT table_name, identifier, last_change "
                              "FROM gpkg_contents").fetchall()
    assert contents == [("results", "results", "2000-01-01T00:00:00Z")]
    # a layer asked for by name keeps it (cleaned for GeoPackage)
    frame = gpd.read_file(tmp_path / "any name-2019.gpkg")
    write_geo(frame, tmp_path / "named.gpkg", layer="my layer")
    assert gpd.list_layers(tmp_path / "named.gpkg")["name"].tolist() == ["my_layer"]


def test_the_gdal_date_is_put_back_also_when_the_write_fails(tmp_path, monkeypatch):
    import pyogrio

    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": "1999-12-31T00:00:00Z"})
    try:
        frame = gpd.GeoDataFrame({"area": ["A"]}, geometry=[shapely.box(0, 0, 1, 1)],
                                 crs="EPSG:28992")
        write_geo(frame, tmp_path / "ok.gpkg")
        assert _gdal_date() == "1999-12-31T00:00:00Z"
        old = (tmp_path / "ok.gpkg").read_bytes()

        def broken(self, path, **kwargs):
            Path(path).write_bytes(b"half a file")
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(gpd.GeoDataFrame, "to_file", broken)
        with pytest.raises(OSError, match="cannot write .*ok.gpkg.*No space left"):
            write_geo(frame.assign(area=["B"]), tmp_path / "ok.gpkg")
        assert _gdal_date() == "1999-12-31T00:00:00Z"
        # the existing output is untouched, and nothing is left beside it
        assert (tmp_path / "ok.gpkg").read_bytes() == old
        assert sorted(p.name for p in tmp_path.iterdir()) == ["ok.gpkg"]
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": None})


@pytest.mark.parametrize("suffix", WRITABLE)
def test_a_failed_table_write_keeps_the_existing_output(tmp_path, suffix, monkeypatch):
    """A write that fails half-way (a full disk) leaves the old file as it was."""
    path = tmp_path / f"results{suffix}"
    write_table(pd.DataFrame({"area": ["A"], "value": [0.5]}), path)
    old = path.read_bytes()

    def half(where, *args, **kwargs):
        with open(where, "wb") as fh:
            fh.write(b"half a file")
        raise OSError(28, "No space left on device")

    if suffix in (".parquet", ".pq"):
        monkeypatch.setattr(pq, "write_table", lambda table, where, **kw: half(where))
    else:
        monkeypatch.setattr(Path, "write_bytes", half)
    with pytest.raises(OSError, match=r"cannot write .*results.* No space left"):
        write_table(pd.DataFrame({"area": ["B"], "value": [0.25]}), path)
    assert path.read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


# --------------------------------------------------------------------------- the suffix


def test_the_suffix_decides_the_format(files, tmp_path):
    for suffix in WRITABLE:
        _indices(files, tmp_path / f"r{suffix}")
    plain = (tmp_path / "r.csv").read_bytes()
    tabbed = (tmp_path / "r.tsv").read_bytes()
    assert tabbed.split(b"\n", 1)[0] == b"\t".join(c.encode() for c in RESULT_COLUMNS)
    assert b"," not in tabbed.split(b"\n", 1)[0]
    assert gzip.decompress((tmp_path / "r.csv.gz").read_bytes()) == plain
    assert gzip.decompress((tmp_path / "r.tsv.gz").read_bytes()) == tabbed
    assert (tmp_path / "r.csv.gz").read_bytes()[:2] == b"\x1f\x8b"
    for suffix in (".parquet", ".pq"):
        assert (tmp_path / f"r{suffix}").read_bytes()[:4] == b"PAR1"
    reference = read_table(tmp_path / "r.csv")
    for suffix in WRITABLE:
        back = read_table(tmp_path / f"r{suffix}")
        assert list(back.columns) == RESULT_COLUMNS
        pd.testing.assert_frame_equal(
            back.astype(object).where(back.notna(), None).reset_index(drop=True),
            reference.astype(object).where(reference.notna(), None), check_dtype=False)


@pytest.mark.parametrize("suffix", [".tsv", ".csv.gz", ".tsv.gz", ".parquet"])
def test_every_command_that_reads_results_reads_every_format(files, tmp_path, suffix):
    """map, heatmap and join draw and write the same from every format as from CSV."""
    for s in (".csv", suffix):
        _indices(files, tmp_path / f"r{s}")
    outputs = {}
    for s in (".csv", suffix):
        results = str(tmp_path / f"r{s}")
        tag = s.replace(".", "_")
        runs = [["map", results, str(files["towns"]), "--area-code", "statcode",
                 "--index", "dissimilarity", "-o", str(tmp_path / f"m{tag}.png")],
                ["heatmap", results, "--index", "dissimilarity",
                 "-o", str(tmp_path / f"h{tag}.png")],
                ["join", results, str(files["towns"]), "--area-code", "statcode",
                 "-o", str(tmp_path / f"j{tag}.geojson")]]
        for argv in runs:
            assert main([*argv, "-q"]) == 0, argv
        outputs[s] = [(tmp_path / f"{k}{tag}.{e}").read_bytes()
                      for k, e in (("m", "png"), ("h", "png"), ("j", "geojson"))]
    assert outputs[suffix] == outputs[".csv"]


@pytest.mark.parametrize("name", ["out.sav", "out.zsav", "out.txt", "out.parquet.gz",
                                  "out.xlsx", "out"])
def test_an_unwritable_suffix_is_refused_listing_only_writable_ones(files, tmp_path,
                                                                   capsys, name):
    output = tmp_path / name
    output.write_text("keep me")
    assert main(["indices", str(files["counts"]), *TWO, *SMALL, "-o", str(output)]) == 2
    err = capsys.readouterr().err
    allowed = err.split("use a file ending in ", 1)[1].strip()
    assert allowed == ", ".join(WRITABLE)
    assert repr(str(output)) in err and "Traceback" not in err
    assert output.read_text() == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]
    with pytest.raises(ValueError, match="use a file ending in .csv, .tsv, .parquet"):
        table_format(output, writing=True)
    # refused before the work: a missing input is not even looked at
    assert main(["indices", str(tmp_path / "missing.csv"), *TWO, "-o", str(output)]) == 2
    assert "--output: cannot write a table named" in capsys.readouterr().err


def test_stdout_gets_the_same_csv_as_a_file(files, tmp_path, capsys):
    _indices(files, tmp_path / "r.csv")
    assert main(["indices", str(files["counts"]), *TWO, *SMALL, "-q"]) == 0
    assert capsys.readouterr().out == (tmp_path / "r.csv").read_text()


def test_a_gz_name_on_a_plain_file_is_a_clear_error(tmp_path, capsys):
    fake = tmp_path / "results.csv.gz"
    fake.write_text("area,index,value\nA,dissimilarity,0.5\n")
    assert main(["heatmap", str(fake), "--index", "dissimilarity", "-o",
                 str(tmp_path / "h.png")]) == 2
    err = capsys.readouterr().err
    assert "results.csv.gz' ends in .gz but is not gzip-compressed" in err
    assert not (tmp_path / "h.png").exists()


def test_reading_a_tsv_takes_the_tab_even_with_commas_in_the_header(tmp_path):
    path = tmp_path / "t.tsv"
    path.write_text("name, with comma\tvalue\nx, y\t1\n")
    frame = read_table(path)
    assert list(frame.columns) == ["name, with comma", "value"]
    assert frame["value"].tolist() == [1]


# --------------------------------------------------------------------------- one schema


def _counts_with_three_groups(files, tmp_path) -> Path:
    frame = pd.read_csv(files["counts"], dtype={"school": str, "postcode": str})
    frame["c"] = frame["pupils"] - frame["a"] - frame["b"]
    frame["den"] = np.where(frame["school"].str[-1].astype(int) % 2 == 0, "pc", "rk")
    path = tmp_path / "three.csv"
    frame.to_csv(path, index=False)
    return path


def _pupils_file(tmp_path) -> Path:
    from segspatial.demo import demo_pupils

    pupils = demo_pupils(years=(2018,))
    pupils = pupils[pupils["municipality"] == "GM9001"]
    path = tmp_path / "pupils.parquet"
    pupils.to_parquet(path, index=False)
    return path


def test_results_parquet_of_every_path_have_one_arrow_schema(files, tmp_path):
    """Two-group, multigroup (with a between/within split), spatial and pupil-level
    results: the same Arrow schema whatever the rows hold, so the files concatenate
    and DuckDB sees typed columns."""
    three = _counts_with_three_groups(files, tmp_path)
    located = ["--x", "x", "--y", "y", "--crs", "EPSG:28992", "--postcode", "postcode",
               "--postcode-table", str(files["postcodes"])]
    paths = {name: tmp_path / f"{name}.parquet"
             for name in ("two", "multi", "spatial", "pupils")}
    _indices(files, paths["two"])
    assert main(["indices", str(three), "--unit", "school", "--groups", "a", "b", "c",
                 "--within", "den", "--area", "municipality", *SMALL, "-q",
                 "-o", str(paths["multi"])]) == 0
    _indices(files, paths["spatial"], *located, "--bandwidth", "1000")
    assert main(["indices", str(_pupils_file(tmp_path)), "--pupils", "--unit", "school",
                 "--area", "municipality", "--year", "year", "--ethnicity", "ethnicity",
                 "--education", "education", *SMALL, "-q",
                 "-o", str(paths["pupils"])]) == 0
    tables = {name: pq.read_table(path) for name, path in paths.items()}
    # each path leaves other columns null: the ones that made Arrow's null type
    frames = {name: t.to_pandas() for name, t in tables.items()}
    assert frames["two"]["year"].isna().all() and frames["two"]["kernel"].isna().all()
    assert frames["multi"]["group_a"].isna().all()
    assert frames["multi"]["groups"].notna().any() and frames["two"]["groups"].isna().all()
    assert frames["spatial"]["kernel"].notna().any()
    assert frames["pupils"]["year"].notna().all()
    assert frames["pupils"]["comparison"].notna().all()
    schemas = {name: t.schema for name, t in tables.items()}
    first = schemas["two"]
    for name, schema in schemas.items():
        assert schema.names == RESULT_COLUMNS, name
        assert schema.equals(first, check_metadata=True), (name, schema, first)
    arrow = {"string": pa.string(), "Int64": pa.int64(), "float64": pa.float64()}
    assert {f.name: f.type for f in first} == {c: arrow[t] for c, t in RESULT_DTYPES.items()}
    assert not any(pa.types.is_null(f.type) or pa.types.is_large_string(f.type)
                   for f in first)
    together = pa.concat_tables(list(tables.values()))
    assert together.num_rows == sum(t.num_rows for t in tables.values())

    import duckdb

    files_sql = "[" + ", ".join(f"'{p}'" for p in paths.values()) + "]"
    types = duckdb.sql(f"SELECT DISTINCT typeof(year), typeof(kernel), typeof(n_units), "
                       f"typeof(value) FROM read_parquet({files_sql})").fetchall()
    assert types == [("BIGINT", "VARCHAR", "BIGINT", "DOUBLE")]


def test_csv_writes_whole_numbers_and_empty_nulls(files, tmp_path):
    """CSV has no types, but one text per kind of value: whole years and
    counts without '.0', null as an empty field."""
    _indices(files, tmp_path / "r.csv")
    text = (tmp_path / "r.csv").read_text().splitlines()
    row = dict(zip(text[0].split(","), text[1].split(","), strict=True))
    assert row["year"] == "" and row["kernel"] == ""
    assert row["n_units"].isdigit()


def test_typed_casts_schema_columns_and_keeps_the_rest():
    from segspatial.schema import typed

    frame = pd.DataFrame({"area": [363, 34], "year": [2018.0, np.nan],
                          "n_units": [3.0, 4.0], "value": [1, 2],
                          "kernel": [None, None], "name": ["x", None],
                          "other": [1.5, 2.5]})
    out = typed(frame)
    assert out["area"].tolist() == ["363", "34"]
    assert str(out["year"].dtype) == "Int64" and out["year"].tolist()[0] == 2018
    assert out["year"].isna().tolist() == [False, True]
    assert str(out["n_units"].dtype) == "Int64" and out["value"].dtype == np.float64
    assert pd.api.types.is_string_dtype(out["kernel"]) and out["kernel"].isna().all()
    assert pd.api.types.is_string_dtype(out["name"])
    assert out["other"].dtype == np.float64
    assert frame["area"].tolist() == [363, 34]  # the input is unchanged
    # a column of that name in another kind of table is data: kept, never rounded
    other = typed(pd.DataFrame({"year": [2018.5, np.nan], "n_units": ["2019/20", None]}))
    assert other["year"].tolist()[0] == 2018.5 and other["n_units"].tolist()[0] == "2019/20"
    assert set(FILE_DTYPES.values()) == {"string", "Int64", "float64"}


def test_geo_outputs_keep_types_of_empty_columns(tmp_path):
    frame = gpd.GeoDataFrame(
        {"area": ["A", "B"], "year": [2018.0, np.nan], "kernel": [None, None],
         "reason_dissimilarity": [None, None], "dissimilarity": [0.5, np.nan]},
        geometry=[shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)], crs="EPSG:28992")
    write_geo(frame, tmp_path / "g.parquet")
    schema = pq.read_schema(tmp_path / "g.parquet")
    assert schema.field("year").type == pa.int64()
    for name in ("area", "kernel", "reason_dissimilarity"):
        assert schema.field(name).type == pa.string(), name
    assert gpd.read_parquet(tmp_path / "g.parquet").crs == frame.crs
    write_geo(frame, tmp_path / "g.gpkg")
    with sqlite3.connect(tmp_path / "g.gpkg") as db:
        columns = {r[1]: r[2] for r in db.execute("PRAGMA table_info(results)")}
    assert columns["year"] in ("INTEGER", "BIGINT", "MEDIUMINT")
    assert columns["kernel"] == "TEXT" and columns["area"] == "TEXT"
    write_geo(frame, tmp_path / "g.geojson")
    import json

    props = json.loads((tmp_path / "g.geojson").read_text())["features"][0]["properties"]
    assert props["year"] == 2018 and isinstance(props["year"], int)
    assert props["kernel"] is None
    assert os.path.getsize(tmp_path / "g.geojson") > 0
