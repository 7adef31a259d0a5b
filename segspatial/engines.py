"""Pupil aggregation beyond one machine's memory: DuckDB (out of core) and Dask.

The only step of segspatial whose cost grows with the population is pupils -> unit x
year x group counts (:func:`segspatial.aggregate_pupils`). Besides the in-memory path
(``engine="pandas"``, the default), two engines read Parquet or CSV files directly:

* ``engine="duckdb"``: out of core on one machine. DuckDB scans the file (only the
  named columns), computes the national income ranks exactly (a ``GROUP BY`` on
  year and income and a window sum over the incomes in order: average ranks for
  ties, in integers) under a memory limit, spilling to disk when needed, and streams
  the rows with their ranks in record batches;
* ``engine="dask"``: distributed with ``dask.dataframe`` on any Dask cluster (a
  ``LocalCluster`` of two worker threads by default, or ``scheduler="tcp://host:8786"`` / a
  ``distributed.Client``): the income ranks from a global count of (year, income)
  over all partitions, then the partitions aggregated where they are.

Both give exactly the counts and exclusions of the in-memory path, by construction:
each batch or partition is put into groups and counted by the same code
(:func:`segspatial.pupils._aggregate`), with the income groups taken from the global
ranks instead of the batch's own; the partial counts are summed and checked (a unit
in two areas in one year) as a whole. Only the income ranking needs all rows at
once, and it is done exactly (integer ranks, no sampling, no approximate quantiles).

Requirements of the file engines: a numeric income column (text incomes need the
pandas engine, whose conversion rules they would otherwise have to guess), and CSV in
UTF-8 for DuckDB (the pandas engine reads Windows-1252 too).
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Hashable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from segspatial._pupil_groups import (
    _BETWEEN,
    _KEY_REASONS,
    _NO_YEAR,
    EDUCATION_LABELS,
    ETHNICITY_LABELS,
    _check_income_missing,
    _coded_theme,
    _income_status,
    _lookup,
    _themes_given,
    _year_codes,
)
from segspatial.pupils import (
    PupilCounts,
    _aggregate,
    _finish_exclusions,
    _no_group_exclusions,
)

__all__ = ["ENGINES", "aggregate_files"]

#: The engines of :func:`segspatial.aggregate_pupils` and ``--engine``.
ENGINES = ("pandas", "duckdb", "dask")

_TWICE, _N_YEAR = "__segspatial_twice", "__segspatial_n"
_BATCH_ROWS = 1_000_000
# pandas' default missing-value strings: the duckdb engine reads CSV as read_table does
_PANDAS_NA = ("", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan",
              "1.#IND", "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan",
              "null")


def _columns(unit: str, area: str | None, year: str | None, ethnicity: str | None,
             income: str | None, education: str | None) -> list[str]:
    return list(dict.fromkeys(c for c in (unit, area, year, ethnicity, income, education)
                              if c is not None))


# ------------------------------------------------------------------ groups of a batch


def _income_codes_from_ranks(x: np.ndarray, status: np.ndarray, ycode: np.ndarray,
                             twice: np.ndarray, n_year: np.ndarray) -> np.ndarray:
    """Income group codes from global ranks: the rule of ``pupils._income_groups``.

    ``twice`` is twice the 1-based average rank of the pupil's income within its year
    (all rows of the input), ``n_year`` the valid incomes of that year.
    """
    codes = status.copy()
    codes[(codes == 0) & (ycode < 0)] = _NO_YEAR
    valid = codes == 0
    if not valid.any():
        return codes
    tw, n = twice[valid], n_year[valid]
    if np.isnan(tw).any() or np.isnan(n).any():  # pragma: no cover - engine contract
        raise RuntimeError("a valid income has no national rank: the engine's ranks do "
                           "not cover the rows")
    group = np.full(tw.shape, _BETWEEN, dtype=np.int8)
    group[5 * tw <= 2 * n] = 0
    group[(5 * tw > 4 * n) & (5 * tw <= 6 * n)] = 1
    group[5 * tw > 8 * n] = 2
    codes[valid] = group
    return codes


def _batch_counts(batch: pd.DataFrame, unit: str, area: str | None, year: str | None,
                  themes: dict[str, str], lookups: dict[str, dict],
                  income_missing: tuple[float, ...]) -> PupilCounts:
    """The in-memory aggregation of one batch, income groups from the global ranks."""
    year_codes = _year_codes(batch[year]) if year is not None else None
    ycode = (year_codes[0] if year_codes is not None
             else np.zeros(len(batch), dtype=np.int64))
    codes: dict[str, np.ndarray] = {}
    for theme, column in themes.items():
        if theme == "income":
            x, status = _income_status(batch[column], income_missing)
            twice = batch[_TWICE].to_numpy(dtype=np.float64, na_value=np.nan)
            n_year = batch[_N_YEAR].to_numpy(dtype=np.float64, na_value=np.nan)
            codes[theme] = _income_codes_from_ranks(x, status, ycode, twice, n_year)
        else:
            codes[theme] = _coded_theme(batch[column], lookups[theme])
    return _aggregate(batch, unit, area, year, codes, year_codes, tuple(themes))


def _combine(parts: list[PupilCounts], themes: tuple[str, ...], area: str | None,
             year: str | None) -> PupilCounts:
    """Sum the batches' counts and exclusions into what one in-memory pass gives."""
    keys = ["area", "year", "unit"]
    counts = pd.concat([p.counts for p in parts], ignore_index=True)
    value_columns = [c for c in counts.columns if c not in keys]
    counts = (counts.groupby(keys, sort=True, dropna=False)[value_columns].sum()
              .reset_index())
    if area is not None and len(counts):
        yu = counts[["year", "unit"]]
        dup = yu.duplicated(keep=False).to_numpy()
        if dup.any():
            first = int(np.flatnonzero(dup)[0])
            u0, y0 = counts["unit"].iloc[first], counts["year"].iloc[first]
            areas = sorted(map(str, counts.loc[dup & (counts["unit"] == u0)
                                               & (counts["year"] == y0), "area"]))
            n_split = int(yu[dup].drop_duplicates().shape[0])
            when = f" in year {y0}" if year is not None else ""
            raise ValueError(
                f"area: {n_split} units lie in more than one area in the same year, e.g. "
                f"unit {u0!r}{when} in areas {areas!r}; the area column must be the "
                "area (municipality) of the school, not of the pupil's home"
            )
    for column in value_columns:
        counts[column] = counts[column].astype(np.int64)

    no_group = pd.concat([p.no_group for p in parts], ignore_index=True)
    if len(no_group):
        no_group = (no_group.groupby([*keys, "theme", "reason"], sort=False, dropna=False)
                    ["n_pupils"].sum().reset_index())
        row_of = pd.Series(np.arange(len(counts)),
                           index=pd.MultiIndex.from_frame(counts[keys]))
        rows = row_of.reindex(pd.MultiIndex.from_frame(no_group[keys])).to_numpy()
        no_group.insert(3, "row", rows.astype(np.int64))
        no_group = no_group.sort_values(["row", "theme", "reason"], kind="stable")
        no_group["n_pupils"] = no_group["n_pupils"].astype(np.int64)
        no_group = no_group.reset_index(drop=True)
    else:
        no_group = parts[0].no_group.iloc[:0]

    key_parts = []
    unplaced = pd.concat([p.exclusions[p.exclusions["theme"].isna()] for p in parts],
                         ignore_index=True)
    for reason in _KEY_REASONS:
        part = unplaced[unplaced["reason"] == reason]
        if part.empty:
            continue
        part = part[["area", "year", "n_pupils"]].copy()
        part["year"] = part["year"].astype("Int64")
        part = (part.groupby(["area", "year"], dropna=False, sort=True)["n_pupils"].sum()
                .reset_index())
        part["n_pupils"] = part["n_pupils"].astype(np.int64)
        part.insert(0, "reason", reason)
        key_parts.append(part)
    exclusions = _finish_exclusions([*key_parts, _no_group_exclusions(no_group)])
    return PupilCounts(counts=counts, exclusions=exclusions, themes=themes,
                       n_rows=int(sum(p.n_rows for p in parts)), no_group=no_group)


# ---------------------------------------------------------------------------- DuckDB


def _sql_name(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _duckdb_source(path: Path, columns: list[str], text: list[str]) -> str:
    kind = _file_kind(path)
    if kind == "parquet":
        return f"read_parquet({_sql_text(str(path))})"
    from segspatial.io import _scan, _sniff_sep

    scan = _scan(path, None)
    if scan.encoding not in ("utf-8", "utf-8-sig"):
        raise ValueError(
            f"{str(path)!r} is {scan.encoding}, and the duckdb engine reads CSV in UTF-8 "
            "only: convert it (e.g. iconv -f cp1252 -t utf-8), write Parquet, or use "
            "engine='pandas'"
        )
    sep = _sniff_sep(path, scan.encoding)
    types = ", ".join(f"{_sql_text(c)}: 'VARCHAR'" for c in text)
    nulls = ", ".join(_sql_text(v) for v in _PANDAS_NA)
    return (f"read_csv({_sql_text(str(path))}, header = true, delim = {_sql_text(sep)}, "
            f"types = {{{types}}}, nullstr = [{nulls}])")


def _file_kind(path: Path) -> str:
    from segspatial.io import _check_path, _kind

    _check_path(path)
    kind = _kind(path)
    if kind not in ("csv", "parquet"):
        raise ValueError(f"the duckdb and dask engines read CSV and Parquet files; "
                         f"{str(path)!r} needs engine='pandas'")
    return kind


def _duckdb_batches(path: Path, columns: list[str], text: list[str], year: str | None,
                    income: str | None, income_missing: tuple[float, ...],
                    batch_rows: int, memory_limit: str | None, threads: int | None,
                    ) -> Iterator[pd.DataFrame]:
    import duckdb

    con = duckdb.connect()
    try:
        if memory_limit is not None:
            con.execute(f"SET memory_limit = {_sql_text(memory_limit)}")
        if threads is not None:
            con.execute(f"SET threads = {int(threads)}")
        con.execute("SET preserve_insertion_order = false")
        con.execute("SET enable_progress_bar = false")
        # Parquet statistics written by pyarrow do not count NaNs, and DuckDB's
        # statistics propagation then folds isnan(x) to false: NaN incomes would be
        # ranked as incomes. Without it, every row is looked at.
        con.execute("SET disabled_optimizers = 'statistics_propagation'")
        source = _duckdb_source(path, columns, text)
        described = con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
        schema = {row[0]: row[1] for row in described}
        missing = [c for c in columns if c not in schema]
        if missing:
            raise ValueError(f"{str(path)!r} has no column(s) {missing!r}; it has "
                             f"{list(schema)!r}")
        select = ", ".join(_sql_name(c) for c in columns)
        if income is None:
            query = f"SELECT {select} FROM {source}"
            yield from _stream(con, query, batch_rows)
            return
        kind = str(schema[income]).upper()
        if not any(t in kind for t in ("INT", "DOUBLE", "FLOAT", "DECIMAL", "REAL",
                                       "NUMERIC")):
            raise ValueError(
                f"income: column {income!r} of {str(path)!r} is {kind}, not numbers; the "
                "duckdb and dask engines need a numeric income column (engine='pandas' "
                "converts text)"
            )
        inc = f"CAST({_sql_name(income)} AS DOUBLE)"
        valid = f"{inc} IS NOT NULL AND NOT isnan({inc}) AND NOT isinf({inc})"
        if income_missing:
            valid += f" AND {inc} NOT IN ({', '.join(repr(float(v)) for v in income_missing)})"
        # the year of each distinct raw value, by the in-memory rules (_year_codes)
        if year is not None:
            raw = con.execute(f"SELECT DISTINCT {_sql_name(year)} FROM {source}").df()
            values = raw.iloc[:, 0]
            ycode, years = _year_codes(values.rename(year))
            year_map = pd.DataFrame({
                "raw": values.to_numpy(),  # the column's own type: a typed join
                "y": np.where(ycode >= 0, years[np.maximum(ycode, 0)], np.nan),
            }).dropna(subset=["raw"])
            con.register("__year_map", year_map)
            ycol = "ym.y"
            join_year = f"LEFT JOIN __year_map ym ON s.{_sql_name(year)} = ym.raw"
        else:
            ycol, join_year = "0.0", ""
        query = f"""
            WITH s AS (SELECT {select} FROM {source}),
            v AS (SELECT {ycol} AS y, {inc} + 0.0 AS v FROM s {join_year}
                  WHERE {valid} AND {ycol} IS NOT NULL),
            g AS (SELECT y, v, count(*) AS c FROM v GROUP BY y, v),
            r AS (SELECT y, v, CAST(2 * (sum(c) OVER (PARTITION BY y ORDER BY v
                                       ROWS UNBOUNDED PRECEDING) - c) + c + 1 AS BIGINT)
                         AS twice,
                         CAST(sum(c) OVER (PARTITION BY y) AS BIGINT) AS n
                  FROM g)
            SELECT s.*, r.twice AS {_TWICE}, r.n AS {_N_YEAR}
            FROM s {join_year}
            LEFT JOIN r ON r.y = {ycol} AND r.v = {inc} + 0.0 AND {valid}
        """
        yield from _stream(con, query, batch_rows)
    finally:
        con.close()


def _stream(con: Any, query: str, batch_rows: int) -> Iterator[pd.DataFrame]:
    relation = con.sql(query)
    # DuckDB >= 1.4: to_arrow_reader(batch_size); older: fetch_record_batch(rows)
    reader = (relation.to_arrow_reader(batch_rows) if hasattr(relation, "to_arrow_reader")
              else relation.fetch_record_batch(batch_rows))
    for batch in reader:
        if batch.num_rows:
            yield batch.to_pandas(types_mapper=_text_as_pandas_str)


def _text_as_pandas_str(arrow_type: Any) -> Any:
    """Arrow text stays Arrow (``pd.ArrowDtype``, zero copy), not Python objects:
    factorising it is Arrow's dictionary encoding. Numbers become numpy as usual."""
    import pyarrow as pa

    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type) or (
            hasattr(pa.types, "is_string_view") and pa.types.is_string_view(arrow_type)):
        return pd.ArrowDtype(arrow_type)
    return None


# ------------------------------------------------------------------------------ Dask


def _client(scheduler: Any):
    """A ``distributed.Client``: given, at an address, or on a new LocalCluster.

    The LocalCluster runs its two workers as threads of this process
    (``processes=False``): worker processes would re-import a script that calls the
    engine without ``if __name__ == "__main__":`` (a storm of "Nanny failed to start"
    tracebacks) and are killed noisily on closing; the counting is numpy and pandas,
    which release the GIL. For worker processes or many machines, pass a scheduler.
    """
    from distributed import Client, LocalCluster

    if scheduler is not None and not isinstance(scheduler, str):
        return scheduler, None
    if isinstance(scheduler, str):
        return Client(scheduler), None
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                           dashboard_address=None)
    return Client(cluster), cluster


@contextlib.contextmanager
def _quiet_dask() -> Iterator[None]:
    """Dask's own logging (INFO/WARNING lines of the scheduler, nanny and workers)
    only from ERROR up while the engine runs: notes are segspatial's to print (and
    ``--quiet`` silences them); failures still surface as exceptions."""
    logger = logging.getLogger("distributed")
    level = logger.level
    logger.setLevel(max(level, logging.ERROR))
    try:
        yield
    finally:
        logger.setLevel(level)


def _years_and_incomes(part: pd.DataFrame, year: str | None, income: str,
                       income_missing: tuple[float, ...]
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row: the whole year (NaN when missing), the income and its status."""
    x, status = _income_status(part[income], income_missing)
    if year is not None:
        ycode, years = _year_codes(part[year])
        y = np.where(ycode >= 0, years[np.maximum(ycode, 0)].astype(np.float64), np.nan)
    else:
        y = np.zeros(len(part))
    return y, x, status


def _rank_counts(part: pd.DataFrame, year: str | None, income: str,
                 income_missing: tuple[float, ...]) -> pd.DataFrame:
    """(year, income) -> number of valid incomes in one partition (numeric years)."""
    y, x, status = _years_and_incomes(part, year, income, income_missing)
    ok = (status == 0) & ~np.isnan(y)
    frame = pd.DataFrame({"y": y[ok], "v": x[ok] + 0.0})
    return frame.groupby(["y", "v"], sort=False).size().rename("c").reset_index()


def _rank_table(counts: pd.DataFrame) -> pd.DataFrame:
    """Twice the average rank of every (year, income), and the incomes per year."""
    counts = counts.groupby(["y", "v"], sort=True)["c"].sum().reset_index()
    before = counts.groupby("y")["c"].cumsum() - counts["c"]
    counts[_TWICE] = 2 * before + counts["c"] + 1
    counts[_N_YEAR] = counts.groupby("y")["c"].transform("sum")
    return counts.drop(columns="c")


def _with_ranks(part: pd.DataFrame, ranks: pd.DataFrame, year: str | None,
                income: str, income_missing: tuple[float, ...]) -> pd.DataFrame:
    y, x, status = _years_and_incomes(part, year, income, income_missing)
    keys = pd.DataFrame({"y": y, "v": np.where(status == 0, x + 0.0, np.nan)})
    found = keys.merge(ranks, on=["y", "v"], how="left")
    out = part.copy()
    out[_TWICE] = found[_TWICE].to_numpy(dtype=np.float64, na_value=np.nan)
    out[_N_YEAR] = found[_N_YEAR].to_numpy(dtype=np.float64, na_value=np.nan)
    return out


def _dask_counts(path: Path, columns: list[str], text: list[str], unit: str,
                 area: str | None, year: str | None, themes: dict[str, str],
                 lookups: dict[str, dict], income_missing: tuple[float, ...],
                 scheduler: Any, blocksize: int | str | None) -> list[PupilCounts]:
    kind = _file_kind(path)
    with _quiet_dask():
        return _dask_run(path, kind, columns, text, unit, area, year, themes, lookups,
                         income_missing, scheduler, blocksize)


def _dask_run(path: Path, kind: str, columns: list[str], text: list[str], unit: str,
              area: str | None, year: str | None, themes: dict[str, str],
              lookups: dict[str, dict], income_missing: tuple[float, ...],
              scheduler: Any, blocksize: int | str | None) -> list[PupilCounts]:
    import dask
    import dask.dataframe as dd

    client, cluster = _client(scheduler)
    try:
        with dask.config.set({"dataframe.convert-string": False}):
            if kind == "parquet":
                frame = dd.read_parquet(str(path), columns=columns,
                                        blocksize=blocksize or "default")
            else:
                from segspatial.io import _scan, _sniff_sep

                scan = _scan(path, None)
                frame = dd.read_csv(str(path), usecols=columns,
                                    sep=_sniff_sep(path, scan.encoding),
                                    encoding=scan.encoding,
                                    dtype={c: str for c in text},
                                    blocksize=blocksize or "64MB")
            income = themes.get("income")
            if income is not None:
                if not pd.api.types.is_numeric_dtype(frame[income].dtype):
                    raise ValueError(
                        f"income: column {income!r} of {str(path)!r} is "
                        f"{frame[income].dtype}, not numbers; the duckdb and dask engines "
                        "need a numeric income column (engine='pandas' converts text)"
                    )
                counts = frame.map_partitions(
                    _rank_counts, year, income, income_missing,
                    meta={"y": "f8", "v": "f8", "c": "i8"}).compute()
                ranks = _rank_table(counts)  # one row per distinct (year, income)
                meta = frame._meta.assign(**{_TWICE: np.float64(0), _N_YEAR: np.float64(0)})
                frame = frame.map_partitions(_with_ranks, ranks, year, income,
                                             income_missing, meta=meta)
            parts = frame.to_delayed()
            tasks = [dask.delayed(_batch_counts)(p, unit, area, year, themes, lookups,
                                                 income_missing) for p in parts]
            return list(dask.compute(*tasks))
    finally:
        if cluster is not None:
            client.close()
            cluster.close()


# ------------------------------------------------------------------------------- API


_MEMORY_UNITS = ("B", "KB", "MB", "GB", "TB", "KiB", "MiB", "GiB", "TiB")
_MEMORY_SIZE = re.compile(r"\s*\d+(\.\d+)?\s*(" + "|".join(_MEMORY_UNITS) + r")\s*",
                          re.IGNORECASE)


def aggregate_files(
    path: str | Path,
    unit: str,
    *,
    area: str | None = None,
    year: str | None = None,
    ethnicity: str | None = None,
    income: str | None = None,
    education: str | None = None,
    ethnicity_map: Mapping[Hashable, str | None] | None = None,
    education_map: Mapping[Hashable, str | None] | None = None,
    income_missing: Iterable[float] = (),
    engine: str = "duckdb",
    scheduler: Any = None,
    memory_limit: str | None = "1GB",
    threads: int | None = None,
    batch_rows: int = _BATCH_ROWS,
    blocksize: int | str | None = None,
) -> PupilCounts:
    """Pupil counts from a Parquet or CSV file with an out-of-core or distributed engine.

    The same result as ``aggregate_pupils(read_table(path), ...)`` (including the
    placeholder columns, see :func:`segspatial.pupils._prepare`), without holding the
    pupils in memory. Use :func:`segspatial.aggregate_pupils` with ``engine=``; this
    is its file path.

    Parameters
    ----------
    path : str or pathlib.Path
        A ``.parquet`` file or a CSV file (``.csv``, ``.tsv``, ``.txt``).
    unit, area, year, ethnicity, income, education, ethnicity_map, education_map,
    income_missing
        As for :func:`segspatial.aggregate_pupils`.
    engine : {"duckdb", "dask"}
    scheduler : str or distributed.Client, optional
        Dask only: the scheduler's address (``"tcp://10.0.0.5:8786"``) or a client;
        default a new ``LocalCluster`` (two worker threads in this process, so a
        script needs no ``if __name__ == "__main__":``) for the call.
    memory_limit : str, optional
        DuckDB only: its memory limit (default ``"1GB"``; it spills to a temporary
        folder beyond it).
    threads : int, optional
        DuckDB only: its threads (default: all cores).
    batch_rows : int
        DuckDB only: rows per streamed batch (bounds Python's memory).
    blocksize : int or str, optional
        Dask only: bytes per partition.

    Returns
    -------
    PupilCounts
        With placeholder ``area``/``year`` columns as in the in-memory ``_prepare``.

    Raises
    ------
    ImportError
        If the engine's package is not installed (``pip install 'segspatial[duckdb]'``
        or ``'segspatial[dask]'``).
    ValueError
        For an unknown engine, a file that is not CSV or Parquet, missing columns, a
        non-numeric income column, and everything :func:`aggregate_pupils` refuses.
    """
    if engine not in ("duckdb", "dask"):
        raise ValueError(f"engine must be one of {ENGINES!r} (the file engines: duckdb, "
                         f"dask), got {engine!r}")
    try:
        __import__(engine)
        if engine == "dask":
            __import__("distributed")
    except ImportError:
        raise ImportError(
            f"engine={engine!r} needs the optional extra: pip install 'segspatial[{engine}]'"
        ) from None
    path = Path(path)
    if memory_limit is not None and (
            not isinstance(memory_limit, str) or not _MEMORY_SIZE.fullmatch(memory_limit)):
        raise ValueError(f"memory_limit must be a size such as '2GB' or '500MiB' (a "
                         f"number and one of {', '.join(_MEMORY_UNITS)}), got "
                         f"{memory_limit!r}")
    income_missing = _check_income_missing(income_missing)
    for value, argument in ((unit, "unit"), (area, "area"), (year, "year"),
                            (ethnicity, "ethnicity"), (income, "income"),
                            (education, "education")):
        if value is not None and not isinstance(value, str):
            raise TypeError(f"{argument} must be a column name (str), got {value!r}")
    _themes_given(ethnicity, income, education)
    themes = {t: c for t, c in (("ethnicity", ethnicity), ("income", income),
                                ("education", education)) if c is not None}
    lookups = {}
    if ethnicity is not None:
        lookups["ethnicity"] = _lookup("ethnicity", ethnicity_map, "ethnicity_map",
                                       ETHNICITY_LABELS)
    elif ethnicity_map is not None:
        raise ValueError("ethnicity_map is given but ethnicity (the column) is not")
    if education is not None:
        lookups["education"] = _lookup("education", education_map, "education_map",
                                       EDUCATION_LABELS)
    elif education_map is not None:
        raise ValueError("education_map is given but education (the column) is not")
    columns = _columns(unit, area, year, ethnicity, income, education)
    text = [c for c in (unit, area, ethnicity, education) if c is not None]
    if engine == "duckdb":
        import duckdb

        try:
            parts = [_batch_counts(batch, unit, area, year, themes, lookups,
                                   income_missing)
                     for batch in _duckdb_batches(path, columns, text, year, income,
                                                  income_missing, batch_rows,
                                                  memory_limit, threads)]
        except duckdb.OutOfMemoryException:
            raise MemoryError(
                f"DuckDB ran out of memory reading {str(path)!r} under "
                f"memory_limit={memory_limit!r}: raise the limit (e.g. '2GB')") from None
    else:
        parts = _dask_counts(path, columns, text, unit, area, year, themes, lookups,
                             income_missing, scheduler, blocksize)
    if not parts:
        raise ValueError(f"{str(path)!r} has no pupil rows: at least one is needed")
    return _combine(parts, tuple(themes), area, year)

