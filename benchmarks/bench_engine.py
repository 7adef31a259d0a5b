"""Benchmark: the aspatial engine on a national panel, against PySAL ``segregation``.

A panel of 355 municipalities x 10 years (about 63,000 school-years) is made from
the real 2019 case (``../shared/data``; a synthetic panel of the same shape when the
data is absent): each school's size and share of group A drift from year to year.

Measured in the same run:

* segspatial, the full table: all five indices (exact E[D] included) for every
  area-year, filters off (median of several runs);
* segspatial on the same work as PySAL: D, H and V only;
* PySAL ``segregation`` (Dissim, Entropy, CorrelationR with total = A + B) looping
  over the area-years (one run: it is slow).

Targets (issue 2): the full table in under 2 s; at least 100x faster than PySAL on
the same work. Run: ``python benchmarks/bench_engine.py [--repeats 7]``.
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings

import numpy as np
import pandas as pd

from segspatial import segregation
from segspatial.datasets import find_data_dir, real_2019_case


def national_panel(years: int = 10, seed: int = 2019) -> pd.DataFrame:
    """355 municipalities x ``years`` years of school counts."""
    rng = np.random.default_rng(seed)
    if find_data_dir() is not None:
        base = real_2019_case()[["school", "municipality", "pupils", "a"]]
        source = "real 2019 case"
    else:
        n = 6295
        base = pd.DataFrame({
            "school": [f"S{i:05d}" for i in range(n)],
            "municipality": [f"GM{i:04d}" for i in rng.integers(0, 355, n)],
            "pupils": rng.lognormal(np.log(200), 0.5, n).round().astype(np.int64) + 10,
        })
        base["a"] = rng.binomial(base["pupils"], rng.beta(1.2, 4, n))
        source = "synthetic (../shared/data not found)"
    n = len(base)
    share = ((base["a"] + 0.5) / (base["pupils"] + 1)).to_numpy()
    logit = np.log(share / (1 - share))
    drift = rng.normal(0, 0.08, (years, n)).cumsum(axis=0)
    size = np.maximum(
        1, np.round(base["pupils"].to_numpy() * np.exp(rng.normal(0, 0.04, (years, n))
                                                      .cumsum(axis=0)))).astype(np.int64)
    a = rng.binomial(size, 1 / (1 + np.exp(-(logit + drift))))
    panel = pd.DataFrame({
        "school": np.tile(base["school"].to_numpy(), years),
        "municipality": np.tile(base["municipality"].to_numpy(), years),
        "year": np.repeat(np.arange(2009, 2009 + years), n),
        "a": a.ravel(),
        "b": (size - a).ravel(),
    })
    panel.attrs["source"] = source
    return panel


def _time(func, repeats: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        out = func()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def run_pysal(panel: pd.DataFrame) -> pd.DataFrame:
    """D, H and V per area-year with PySAL, as a user of PySAL would loop."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from segregation.singlegroup import CorrelationR, Dissim, Entropy

        rows = []
        for (area, year), frame in panel.groupby(["municipality", "year"], sort=True):
            if len(frame) < 2:
                continue
            df = pd.DataFrame({"a": frame["a"].to_numpy(float),
                               "t": (frame["a"] + frame["b"]).to_numpy(float)})
            rows.append((area, year, Dissim(df, "a", "t").statistic,
                         Entropy(df, "a", "t").statistic,
                         CorrelationR(df, "a", "t").statistic))
    return pd.DataFrame(rows, columns=["area", "year", "dissimilarity", "theil_h",
                                       "correlation"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--skip-pysal", action="store_true")
    args = parser.parse_args()

    panel = national_panel()
    print(f"panel: {len(panel):,} school-years, {panel['municipality'].nunique()} "
          f"municipalities x {panel['year'].nunique()} years ({panel.attrs['source']})")

    def full():
        return segregation(panel, "school", "a", "b", area="municipality", year="year",
                           min_unit_size=0, min_area_size=0)

    def same_work():
        return segregation(panel, "school", "a", "b", area="municipality", year="year",
                           indices=["dissimilarity", "theil_h", "correlation"],
                           min_unit_size=0, min_area_size=0)

    t_full, result = _time(full, args.repeats)
    t_same, same = _time(same_work, args.repeats)
    print(f"segspatial, 5 indices incl. exact E[D]: median {t_full:.3f} s over "
          f"{args.repeats} runs ({len(result.table):,} rows)  [target < 2 s]")
    print(f"segspatial, D + H + V:                  median {t_same:.3f} s")
    if args.skip_pysal:
        return
    start = time.perf_counter()
    pysal = run_pysal(panel)
    t_pysal = time.perf_counter() - start
    print(f"PySAL segregation loop, D + H + V:      {t_pysal:.3f} s "
          f"({len(pysal):,} area-years, one run)")
    print(f"ratio PySAL / segspatial (same work):   {t_pysal / t_same:,.0f}x  [target >= 100x]")
    mine = same.table.pivot_table(index=["area", "year"], columns="index", values="value")
    theirs = pysal.set_index(["area", "year"])
    gap = np.nanmax(np.abs(mine.loc[theirs.index, theirs.columns].to_numpy()
                           - theirs.to_numpy()))
    print(f"largest difference to PySAL:            {gap:.2e}")


if __name__ == "__main__":
    main()
