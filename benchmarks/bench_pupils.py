"""Benchmark: the seven comparisons from a national pupil file, in memory and out of core.

A synthetic national pupil file like the report's CBS microdata, by default 10 years x
5 million pupils (50 million rows) in 355 municipalities and about 6,300 schools a year,
with migration background, household income and parental education, written once to
Parquet year by year (in chunks; see :func:`national_pupils`; ``--data FILE`` keeps it
for the next run).

Measured in the same run, each phase in a fresh subprocess (so that its peak memory,
``ru_maxrss``, is its own), median of ``--repeats`` runs, alternating the order:

* **segspatial** (``engine="pandas"``, in memory): ``read_table`` (column projection)
  + ``pupil_segregation``: national income ranks, groups, aggregation with
  ``np.bincount``, filters, all seven comparisons with all five indices;
* **duckdb** (``engine="duckdb"``, out of core): the same call on the file's path;
  DuckDB reads the Parquet file, ranks the incomes nationally and streams batches
  under a 1 GB memory limit;
* optionally **dask** (``engine="dask"`` on a LocalCluster) and **naive** pandas (a
  ``groupby`` per comparison): ``--engines segspatial duckdb dask naive``.

The results of every phase are compared with the in-memory ones (values and
exclusions). Target (issue 17): 50 million rows with DuckDB under 2 GB peak memory and
no slower than in memory. Run: ``python benchmarks/bench_pupils.py [--repeats 3]
[--pupils-per-year 5000000] [--data /tmp/pupils50m.parquet]``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

COLUMNS = ["year", "municipality", "school", "ethnicity", "income", "education"]


def _expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def national_pupils(path: str | Path, *, years: int = 10, pupils_per_year: int = 1_400_000,
                    municipalities: int = 355, schools: int = 6_300,
                    seed: int = 2009) -> Path:
    """Write a synthetic national pupil file (one row per pupil per year) to Parquet.

    Municipality sizes follow a power law (the largest about 4% of the pupils, like
    Amsterdam; the smallest a few hundred); schools are dealt to municipalities in
    proportion and get log-normal sizes. Each school has a share of non-western and
    western pupils (larger in larger municipalities, clustered by school) and a
    neighbourhood status that drives household income, which drives parental
    education. About 1% of the incomes and 2% of the education levels are missing.
    One row group per year, written year by year (vectorised per year).
    """
    rng = np.random.default_rng(seed)
    weight = np.arange(1, municipalities + 1) ** -0.6
    per_town = np.maximum(1, np.round(schools * weight / weight.sum())).astype(np.int64)
    town = np.repeat(np.arange(municipalities), per_town)
    n = town.size
    base = rng.lognormal(np.log(200), 0.5, n)
    base *= pupils_per_year / base.sum()
    urban = np.log(per_town[town]) / np.log(per_town.max())  # 0 small .. 1 largest
    nonwestern = _expit(-3.2 + 2.6 * urban + rng.normal(0, 1.1, n))
    western = (1 - nonwestern) * _expit(-2.2 + rng.normal(0, 0.5, n))
    status = -0.9 * (np.log(nonwestern) - np.log(nonwestern.mean())) + rng.normal(0, 0.5, n)
    status = (status - status.mean()) / status.std()
    town_names = np.array([f"GM{i:04d}" for i in range(1, municipalities + 1)])
    school_names = np.array([f"{i:04d}X{j:02d}" for i, j in
                             zip(rng.permutation(n), rng.integers(0, 100, n), strict=True)])
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = Path(path)
    writer = None
    size = base.copy()
    try:
        for y in range(years):
            size *= np.exp(rng.normal(0, 0.03, n))
            count = rng.poisson(size)
            school = np.repeat(np.arange(n), count)
            m = school.size
            u = rng.random((3, m))
            eth = np.where(u[0] < nonwestern[school], 2,
                           np.where(u[0] < nonwestern[school] + western[school], 1, 0))
            noise = rng.normal(0, 1, (2, m))
            log_income = (10.6 + 0.25 * status[school] - 0.3 * (eth == 2)
                          + 0.55 * noise[0])
            income = np.round(np.exp(log_income), -1)
            income[u[1] < 0.01] = np.nan
            latent = 0.6 * (log_income - 10.6) / 0.6 + 0.15 * status[school] + 0.8 * noise[1]
            edu = np.where(latent < -0.55, 0, np.where(latent > 0.55, 2, 1))
            edu_text = np.array(["low", "middle", "high"], dtype=object)[edu]
            edu_text[u[2] < 0.02] = None
            table = pa.table({
                "year": pa.array(np.full(m, 2009 + y, dtype=np.int16)),
                "municipality": pa.array(town_names[town[school]]),
                "school": pa.array(school_names[school]),
                "ethnicity": pa.array(np.array(["dutch", "western", "nonwestern"])[eth]),
                "income": pa.array(income),
                "education": pa.array(edu_text, type=pa.string()),
            })
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema)
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()
    return path


# --------------------------------------------------------------------------- phases


def _run_pupils(path: str, out: str, min_area_size: float, engine: str) -> dict:
    from segspatial import pupil_segregation, read_table

    t0 = time.perf_counter()
    if engine == "pandas":
        pupils = read_table(path, columns=COLUMNS)
        n_rows = len(pupils)
    else:
        pupils = path  # the engine reads the file itself
    t1 = time.perf_counter()
    options = {"memory_limit": "1GB"} if engine == "duckdb" else None
    res = pupil_segregation(pupils, "school", area="municipality", year="year",
                            ethnicity="ethnicity", income="income", education="education",
                            min_area_size=min_area_size, engine=engine,
                            engine_options=options)
    t2 = time.perf_counter()
    n_rows = res.parameters["n_rows"]
    res.table.to_parquet(out + ".table.parquet")
    res.exclusions.to_parquet(out + ".exclusions.parquet")
    return {"read": t1 - t0, "compute": t2 - t1, "total": t2 - t0, "rows": n_rows,
            "area_years": int(res.table[["area", "year"]].drop_duplicates().shape[0]),
            "units": len(res.counts), "results": len(res.table)}


def phase_segspatial(path: str, out: str, min_area_size: float) -> dict:
    return _run_pupils(path, out, min_area_size, "pandas")


def phase_duckdb(path: str, out: str, min_area_size: float) -> dict:
    return _run_pupils(path, out, min_area_size, "duckdb")


def phase_dask(path: str, out: str, min_area_size: float) -> dict:
    return _run_pupils(path, out, min_area_size, "dask")


def phase_naive(path: str, out: str, min_area_size: float) -> dict:
    import pandas as pd

    from segspatial import segregation
    from segspatial.pupils import COMPARISONS

    t0 = time.perf_counter()
    df = pd.read_parquet(path, columns=COLUMNS)
    t1 = time.perf_counter()
    r = df.groupby("year")["income"].rank(method="average", pct=True)
    flags = {
        "dutch": df["ethnicity"] == "dutch", "western": df["ethnicity"] == "western",
        "nonwestern": df["ethnicity"] == "nonwestern",
        "low_income": r <= 0.2, "middle_income": (r > 0.4) & (r <= 0.6),
        "high_income": r > 0.8,
        "low_education": df["education"] == "low", "high_education": df["education"] == "high",
    }
    keys = ["municipality", "year", "school"]
    tables = []
    for name, (ga, gb) in COMPARISONS.items():
        sub = df[keys].assign(a=flags[ga].fillna(False).astype(np.int64),
                              b=flags[gb].fillna(False).astype(np.int64))
        counts = sub.groupby(keys, sort=True).agg(a=("a", "sum"), b=("b", "sum"),
                                                  total=("a", "size")).reset_index()
        res = segregation(counts, "school", "a", "b", area="municipality", year="year",
                          total="total", min_area_size=min_area_size)
        tables.append(res.table.assign(comparison=name))
    t2 = time.perf_counter()
    table = pd.concat(tables, ignore_index=True)
    table.to_parquet(out + ".table.parquet")
    return {"read": t1 - t0, "compute": t2 - t1, "total": t2 - t0, "rows": len(df),
            "results": len(table)}


PHASES = {"segspatial": phase_segspatial, "duckdb": phase_duckdb, "dask": phase_dask,
          "naive": phase_naive}


def _run_phase(name: str, path: Path, out: Path, min_area_size: float) -> dict:
    done = subprocess.run([sys.executable, __file__, "--phase", name, "--path", str(path),
                           "--out", str(out), "--min-area-size", str(min_area_size)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"phase {name} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _max_difference(out: Path, name: str) -> float:
    import pandas as pd

    ref = pd.read_parquet(f"{out}-segspatial.table.parquet")
    other = pd.read_parquet(f"{out}-{name}.table.parquet")
    keys = ["area", "year", "comparison", "index"]
    merged = ref.merge(other, on=keys, suffixes=("", "_other"))
    if len(merged) != len(ref):
        return float("inf")
    a, b = merged["value"].to_numpy(), merged["value_other"].to_numpy()
    same_nan = np.isnan(a) == np.isnan(b)
    if not same_nan.all():
        return float("inf")
    return float(np.nanmax(np.abs(a - b), initial=0.0))


def _same_exclusions(out: Path, name: str) -> bool:
    import pandas as pd

    try:
        pd.testing.assert_frame_equal(pd.read_parquet(f"{out}-segspatial.exclusions.parquet"),
                                      pd.read_parquet(f"{out}-{name}.exclusions.parquet"))
    except (AssertionError, FileNotFoundError):
        return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--pupils-per-year", type=int, default=5_000_000,
                        help="default 5,000,000: 50 million rows over 10 years")
    parser.add_argument("--engines", nargs="+", default=["segspatial", "duckdb"],
                        choices=list(PHASES),
                        help="phases to time (segspatial = the in-memory pandas engine)")
    parser.add_argument("--data", metavar="FILE",
                        help="reuse (or write once) the synthetic Parquet file here")
    parser.add_argument("--phase", choices=list(PHASES), help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--min-area-size", type=float, default=None,
                        help="default: the report's 10,000, scaled with --pupils-per-year")
    args = parser.parse_args()
    if args.phase:
        stats = PHASES[args.phase](args.path, f"{args.out}-{args.phase}", args.min_area_size)
        # this process and any it waited for (DuckDB runs inside this process)
        self_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
        children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024**2
        stats["peak_rss_gb"] = max(self_gb, children)
        print(json.dumps(stats))
        return

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.data) if args.data else Path(tmp) / "pupils.parquet"
        out = Path(tmp) / "results"
        t = time.perf_counter()
        if not path.exists():
            national_pupils(path, years=args.years, pupils_per_year=args.pupils_per_year)
            print(f"generated in {time.perf_counter() - t:.1f} s (year by year)")
        import pyarrow.parquet as pq

        meta = pq.read_metadata(path)
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(f"national pupil file: {meta.num_rows:,} rows, "
              f"{os.path.getsize(path) / 1e6:,.0f} MB Parquet ({path})")
        print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, load "
              f"average {load:.2f} at the start")
        min_area = (args.min_area_size if args.min_area_size is not None
                    else 10_000 * meta.num_rows / args.years / 1_400_000)
        runs: dict[str, list[dict]] = {name: [] for name in args.engines}
        for i in range(args.repeats):
            # alternate the order, so that no phase always finds a warm page cache
            for name in (list(runs) if i % 2 == 0 else list(runs)[::-1]):
                runs[name].append(_run_phase(name, path, out, min_area))
                r = runs[name][-1]
                print(f"  run {i + 1} {name:<10}: {r['total']:6.1f} s "
                      f"(read {r['read']:.1f} s), peak {r['peak_rss_gb']:.2f} GB")
        med = {name: {k: statistics.median(r[k] for r in rs)
                      for k in ("total", "read", "compute", "peak_rss_gb")}
               for name, rs in runs.items()}
        print(f"\nall seven comparisons x five indices on {meta.num_rows:,} pupil rows")
        print(f"{'median of ' + str(args.repeats):<16}{'total s':>9}{'read s':>8}"
              f"{'compute s':>11}{'peak GB':>9}  same results as in memory")
        for name, m in med.items():
            same = ""
            if name != "segspatial" and "segspatial" in med:
                gap = _max_difference(out, name)
                same = f"max |diff| {gap:.1e}"
                if name != "naive":
                    same += ", exclusions " + ("identical" if _same_exclusions(out, name)
                                               else "DIFFER")
            print(f"{name:<16}{m['total']:>9.2f}{m['read']:>8.2f}{m['compute']:>11.2f}"
                  f"{m['peak_rss_gb']:>9.2f}  {same}")
        if "duckdb" in med and "segspatial" in med:
            d, s = med["duckdb"], med["segspatial"]
            ok = d["peak_rss_gb"] < 2 and d["total"] <= s["total"]
            print(f"duckdb / in memory: time {d['total'] / s['total']:.2f}x, peak memory "
                  f"{d['peak_rss_gb'] / s['peak_rss_gb']:.2f}x; target (< 2 GB, time no "
                  f"worse than in memory): {'met' if ok else 'NOT met'}")
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(f"load average {load:.2f} at the end")


if __name__ == "__main__":
    main()
