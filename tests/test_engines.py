"""Pupil aggregation on DuckDB (out of core) and Dask (distributed): the same counts.

Every engine must give exactly what the in-memory path gives: counts, exclusions and
the per-unit no-group table, including the national income ranking with average ranks
for ties (the step that needs all rows at once), on the synthetic pupils of the demo
and on rows built to hit every exclusion.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from segspatial import aggregate_pupils, pupil_segregation
from segspatial.cli import main

pytest.importorskip("duckdb")
distributed = pytest.importorskip("distributed")

THEMES = {"area": "municipality", "year": "year", "ethnicity": "ethnicity",
          "income": "income", "education": "education"}


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory):
    from segspatial.demo import demo_pupils

    pupils = demo_pupils(years=(2016, 2017, 2018))
    folder = tmp_path_factory.mktemp("pupils")
    pupils.to_parquet(folder / "p.parquet", index=False)
    pupils.to_csv(folder / "p.csv", index=False)
    return pupils, folder


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as c:
        yield c


def _same(expected, got):
    pd.testing.assert_frame_equal(got.counts, expected.counts)
    pd.testing.assert_frame_equal(got.exclusions, expected.exclusions)
    pd.testing.assert_frame_equal(got.no_group, expected.no_group)
    assert got.n_rows == expected.n_rows and got.themes == expected.themes


def _edge_pupils(n=4000, seed=3):
    """Pupils with every kind of row: ties, missing keys, blanks, codes, sentinels."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "school": rng.choice(["s1", "s2", "s3", "s4", "s5", " ", None], n,
                             p=[.2, .2, .2, .2, .16, .02, .02]),
        "town": "GM1",
        "year": rng.choice([2019.0, 2020.0, np.nan], n, p=[.5, .49, .01]),
        "bg": rng.choice(["autochtoon", "Westers ", "niet-westers", "?", None, "dutch"],
                         n),
        "inc": np.round(rng.normal(30_000, 15_000, n), -3),  # many ties
        "edu": rng.choice(["laag", "midden", "hoog", "", None], n),
    })
    frame.loc[rng.random(n) < 0.03, "inc"] = np.nan
    frame.loc[rng.random(n) < 0.02, "inc"] = 9_999_999_999.0
    frame.loc[rng.random(n) < 0.01, "inc"] = np.inf
    frame.loc[frame["school"] == "s5", "town"] = "GM2"
    return frame


EDGE = {"area": "town", "year": "year", "ethnicity": "bg", "income": "inc",
        "education": "edu", "income_missing": [9_999_999_999]}


@pytest.mark.parametrize("name", ["p.parquet", "p.csv"])
def test_duckdb_equals_in_memory_on_the_demo_pupils(demo_files, name):
    pupils, folder = demo_files
    expected = aggregate_pupils(pupils, "school", **THEMES)
    # small batches: counts summed across batches, ranks still national
    got = aggregate_pupils(folder / name, "school", engine="duckdb",
                           engine_options={"batch_rows": 50_000, "threads": 2}, **THEMES)
    _same(expected, got)


def test_dask_equals_in_memory_on_the_demo_pupils(demo_files, client):
    pupils, folder = demo_files
    expected = aggregate_pupils(pupils, "school", **THEMES)
    got = aggregate_pupils(folder / "p.parquet", "school", engine="dask",
                           engine_options={"scheduler": client, "blocksize": 2_000_000},
                           **THEMES)
    _same(expected, got)


@pytest.mark.parametrize("engine", ["duckdb", "dask"])
def test_every_exclusion_and_tie_is_the_same(tmp_path, client, engine):
    frame = _edge_pupils()
    path = tmp_path / "edge.parquet"
    frame.to_parquet(path, index=False)
    expected = aggregate_pupils(frame, "school", **EDGE)
    assert set(expected.exclusions["reason"]) >= {
        "missing_unit", "missing_year", "missing_value", "unknown_code", "invalid_value",
        "between_bands"}
    options = ({"batch_rows": 700} if engine == "duckdb"
               else {"scheduler": client, "blocksize": 20_000})
    got = aggregate_pupils(path, "school", engine=engine, engine_options=options, **EDGE)
    _same(expected, got)


def test_nan_incomes_in_parquet_are_missing_not_ranked(tmp_path):
    # pyarrow keeps NaN (not null) and its statistics do not count NaNs: an engine that
    # trusted them would rank NaN as an income
    import pyarrow as pa
    import pyarrow.parquet as pq

    frame = _edge_pupils(seed=5)
    income = frame["inc"].to_numpy(dtype=np.float64, copy=True)
    income[~np.isfinite(income)] = np.nan  # finite statistics, NaNs not counted in them
    text = {c: pa.array(frame[c].to_numpy(dtype=object), type=pa.string(),
                        from_pandas=True) for c in ("school", "town", "bg", "edu")}
    table = pa.table({**text, "year": pa.array(frame["year"].to_numpy()),
                      "inc": pa.array(income)})  # NaN stays NaN, not null
    assert pa.compute.is_nan(table["inc"]).to_numpy(zero_copy_only=False).any()
    path = tmp_path / "nan.parquet"
    pq.write_table(table, path)
    expected = aggregate_pupils(pd.read_parquet(path), "school", **EDGE)
    got = aggregate_pupils(path, "school", engine="duckdb", **EDGE)
    _same(expected, got)


def test_the_seven_comparisons_are_the_same(demo_files):
    pupils, folder = demo_files
    expected = pupil_segregation(pupils, "school", **THEMES)
    got = pupil_segregation(folder / "p.parquet", "school", engine="duckdb", **THEMES)
    pd.testing.assert_frame_equal(got.table, expected.table)
    pd.testing.assert_frame_equal(got.exclusions, expected.exclusions)
    pd.testing.assert_frame_equal(got.counts, expected.counts)
    assert got.parameters["engine"] == "duckdb"


def test_a_unit_in_two_areas_across_batches_is_the_same_error(tmp_path):
    frame = _edge_pupils()
    frame.loc[frame.index[-5:], "town"] = "GM9"  # s-schools of GM1 also in GM9
    frame = frame[frame["school"].isin(["s1", "s2"])]
    path = tmp_path / "split.parquet"
    frame.to_parquet(path, index=False)
    with pytest.raises(ValueError, match="units lie in more than one area in the same"):
        aggregate_pupils(frame, "school", **EDGE)
    with pytest.raises(ValueError, match="units lie in more than one area in the same"):
        aggregate_pupils(path, "school", engine="duckdb",
                         engine_options={"batch_rows": 100}, **EDGE)


def test_engine_errors(tmp_path, demo_files):
    pupils, folder = demo_files
    with pytest.raises(TypeError, match="reads the pupils from a file"):
        aggregate_pupils(pupils, "school", engine="duckdb", **THEMES)
    with pytest.raises(ValueError, match="engine must be 'pandas', 'duckdb' or 'dask'"):
        aggregate_pupils(pupils, "school", engine="spark", **THEMES)
    text = pupils.head(100).astype({"income": str})
    text.to_parquet(tmp_path / "t.parquet", index=False)
    with pytest.raises(ValueError, match=r"income: column 'income' of .* is VARCHAR, not "
                                         r"numbers; .*engine='pandas'"):
        aggregate_pupils(tmp_path / "t.parquet", "school", engine="duckdb", **THEMES)
    with pytest.raises(ValueError, match=r"has no column\(s\) \['nope'\]"):
        aggregate_pupils(folder / "p.parquet", "school", engine="duckdb", area="nope",
                         ethnicity="ethnicity")


def test_cli_engine_gives_the_same_results(demo_files, tmp_path, capsys):
    _, folder = demo_files
    common = ["indices", str(folder / "p.parquet"), "--pupils", "--unit", "school",
              "--area", "municipality", "--year", "year", "--ethnicity", "ethnicity",
              "--income", "income", "--education", "education", "-q"]
    assert main([*common, "-o", str(tmp_path / "a.csv")]) == 0
    assert main([*common, "--engine", "duckdb", "--memory-limit", "500MB",
                 "-o", str(tmp_path / "b.csv")]) == 0
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    assert main([*common, "--engine", "duckdb", "--sep", ";"]) == 2
    assert "--sep cannot be used with --engine duckdb" in capsys.readouterr().err
    assert main([*common, "--scheduler", "tcp://127.0.0.1:1"]) == 2
    assert "--scheduler is for --engine dask" in capsys.readouterr().err


def test_a_bad_memory_limit_is_an_error_not_a_duckdb_traceback(demo_files, capsys):
    _, folder = demo_files
    common = ["indices", str(folder / "p.parquet"), "--pupils", "--unit", "school",
              "--area", "municipality", "--year", "year", "--income", "income", "-q",
              "--engine", "duckdb", "-o", str(folder / "m.csv")]
    for bad in ("lots", "0", "1GB'; SELECT 1; --"):
        assert main([*common, "--memory-limit", bad]) == 2
        err = capsys.readouterr().err
        assert "--memory-limit must be a size such as '2GB'" in err and "Traceback" not in err
    assert main([*common, "--memory-limit", "1KB"]) == 2
    err = capsys.readouterr().err
    assert "DuckDB ran out of memory" in err and "--memory-limit '1KB'" in err
    with pytest.raises(ValueError, match="memory_limit must be a size"):
        aggregate_pupils(folder / "p.parquet", "school", engine="duckdb",
                         engine_options={"memory_limit": 2}, income="income")
