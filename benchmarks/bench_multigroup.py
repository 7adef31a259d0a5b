"""Benchmark: several groups at once on a national panel, against PySAL ``segregation``.

The panel of ``bench_engine.py`` (355 municipalities x 10 years, about 63,000
school-years, from the real 2019 case when ``../shared/data`` is there) with

* three groups: group A split by the CBS funding threshold (``a_above``, ``a_below``)
  drifting over the years, and group B;
* five income groups: each school's quintile shares drawn around a school-specific
  income level (Dirichlet), pupils dealt multinomially.

Measured in the same run (medians; the machine may be shared, so compare ratios):

* segspatial, the full multigroup table: M, H, multigroup D, normalised exposure and
  the entropy for every area-year (target < 1 s), and with a between/within
  decomposition over a school-board column;
* the numpy floor: H alone, straight numpy on the count matrix (one bincount pass);
* PySAL ``MultiInfoTheory``, ``MultiDissim`` and ``MultiNormExposure`` looping over
  the area-years (one run each: it is slow), and the ratio, plus the largest
  difference between the two.

Run: ``python benchmarks/bench_multigroup.py [--repeats 7] [--skip-pysal]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import xlogy

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_engine import _time, national_panel

from segspatial.multigroup_table import multigroup_segregation

THREE = ["a_above", "a_below", "b"]
FIVE = [f"income_q{i}" for i in range(1, 6)]
PYSAL = {"multigroup_theil_h": "MultiInfoTheory", "multigroup_dissimilarity": "MultiDissim",
         "normalised_exposure": "MultiNormExposure"}


def panels(seed: int = 2024) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The engine panel with three groups, and with five income groups."""
    rng = np.random.default_rng(seed)
    panel = national_panel()
    n = len(panel)
    a = panel["a"].to_numpy()
    above_share = rng.beta(2, 2, n)
    three = panel.assign(a_above=rng.binomial(a, above_share))
    three["a_below"] = a - three["a_above"]
    pupils = (panel["a"] + panel["b"]).to_numpy()
    schools = panel["school"].to_numpy()
    level = pd.Series(rng.normal(0, 1.0, len(np.unique(schools))),
                      index=np.unique(schools))[schools].to_numpy()
    alpha = np.exp(np.outer(level, np.linspace(-1, 1, 5))) * 2.0
    shares = rng.gamma(alpha)
    shares /= shares.sum(axis=1, keepdims=True)
    counts = rng.multinomial(pupils, shares)
    five = panel[["school", "municipality", "year"]].copy()
    five[FIVE] = counts
    five["board"] = three["board"] = pd.Series(
        rng.integers(0, 900, len(np.unique(schools))), index=np.unique(schools)
    )[schools].to_numpy()
    return three, five


def numpy_floor_h(panel: pd.DataFrame, groups: list[str]) -> np.ndarray:
    """H per area-year in plain numpy: the least work the table can do."""
    g = panel.groupby(["municipality", "year"], sort=True).ngroup().to_numpy()
    c = panel[groups].to_numpy(dtype=np.float64)
    k, n_g = c.shape[1], int(g.max()) + 1
    totals = np.bincount((g[:, None] * k + np.arange(k)).ravel(), weights=c.ravel(),
                         minlength=n_g * k).reshape(n_g, k)
    t = c.sum(axis=1)
    p = c / np.where(t > 0, t, 1)[:, None]
    big_t = totals.sum(axis=1)
    big_p = totals / big_t[:, None]
    kl = (xlogy(p, p) - xlogy(p, big_p[g])).sum(axis=1)
    m = np.bincount(g, weights=t * kl, minlength=n_g) / big_t
    return m / -(xlogy(big_p, big_p).sum(axis=1))


def run_pysal(panel: pd.DataFrame, groups: list[str]) -> pd.DataFrame:
    """The three PySAL multigroup indices per area-year, as a user would loop."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import segregation.multigroup as mg

        rows = []
        for (area, year), frame in panel.groupby(["municipality", "year"], sort=True):
            if len(frame) < 2:
                continue
            present = [g for g in groups if frame[g].sum() > 0]  # PySAL: NaN otherwise
            df = frame[present].astype(float).reset_index(drop=True)
            rows.append((area, year, *(getattr(mg, cls)(df, present).statistic
                                       for cls in PYSAL.values())))
    return pd.DataFrame(rows, columns=["area", "year", *PYSAL])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--skip-pysal", action="store_true")
    args = parser.parse_args()

    load = os.getloadavg()
    print(f"load average (1, 5, 15 min): {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on "
          f"{os.cpu_count()} CPUs")
    three, five = panels()
    print(f"panel: {len(three):,} school-years, {three['municipality'].nunique()} "
          f"municipalities x {three['year'].nunique()} years "
          f"({three.attrs.get('source', 'real 2019 case')})")
    for label, panel, groups in (("three groups", three, THREE),
                                 ("five income groups", five, FIVE)):
        print(f"\n== {label}: {', '.join(groups)}")

        def full(panel=panel, groups=groups):
            return multigroup_segregation(panel, "school", groups, area="municipality",
                                          year="year", min_unit_size=0, min_area_size=0)

        def with_within(panel=panel, groups=groups):
            return multigroup_segregation(panel, "school", groups, area="municipality",
                                          year="year", within="board", min_unit_size=0,
                                          min_area_size=0)

        t_full, result = _time(full, args.repeats)
        t_within, _ = _time(with_within, args.repeats)
        t_floor, _ = _time(lambda panel=panel, groups=groups: numpy_floor_h(panel, groups),
                           args.repeats)
        print(f"segspatial, full multigroup table (5 indices): median {t_full:.3f} s "
              f"({len(result.table):,} rows)  [target < 1 s]")
        print(f"segspatial, + decomposition by board:        median {t_within:.3f} s")
        print(f"numpy floor, H alone:                        median {t_floor:.3f} s "
              f"(table / floor {t_full / t_floor:.1f}x)")
        if args.skip_pysal:
            continue
        start = time.perf_counter()
        pysal = run_pysal(panel, groups)
        t_pysal = time.perf_counter() - start
        print(f"PySAL loop, MultiInfoTheory + MultiDissim + MultiNormExposure: "
              f"{t_pysal:.2f} s ({len(pysal):,} area-years, one run)")
        print(f"ratio PySAL / segspatial full table:         {t_pysal / t_full:,.0f}x")
        mine = result.table.pivot_table(index=["area", "year"], columns="index",
                                        values="value")
        theirs = pysal.set_index(["area", "year"])
        gap = np.nanmax(np.abs(mine.loc[theirs.index, theirs.columns].to_numpy()
                               - theirs.to_numpy()))
        print(f"largest difference to PySAL:                 {gap:.2e}")
    load = os.getloadavg()
    print(f"\nload average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
