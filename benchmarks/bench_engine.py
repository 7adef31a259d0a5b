"""Benchmark: the aspatial engine near the numpy floor, against PySAL ``segregation``.

Panels of school counts at three sizes (issue 17): the national panel of the real 2019
case (355 municipalities x 10 years = 62,950 school-years; ``../shared/data``, or a
synthetic country of the same shape when the data is absent), and 24 and 95 copies of
it as separate countries (1,510,800 and 5,980,250 rows). Each school's size and share
of group A drift from year to year.

Measured in the same run, per size (``--repeats`` runs, each version in a fresh
subprocess so that every version starts alike; within it the floor, D+H+V and the
full table are timed back to back in every repeat, so that a change of load on a
shared machine falls on all three alike, and a ratio is the median of the ratios
within one repeat; wall time, and CPU time of the process, which leaves out the time
it waits for a core):

* **floor**: the least any implementation must do: factorise the area-year keys
  (``pd.factorize`` on municipality and year, included) and compute D, H and V with
  ``np.bincount``, no validation, no table;
* **segspatial D+H+V**: ``segregation(..., indices=[D, H, V])``, filters off: the
  validation gate, the tidy table and its checks included;
* **segspatial full**: all five indices (exact E[D] and D* included);
* **PySAL** ``segregation`` (Dissim, Entropy, CorrelationR) looping over the
  area-years: all of them at the smallest size, a random sample of ``--pysal-sample``
  area-years at the larger ones, extrapolated per area-year (it is the same loop);
* optionally **a baseline** version of segspatial (``--baseline DIR``: a source tree,
  e.g. ``git archive <commit> segspatial | tar -x -C DIR``), timed the same way.

Every phase's values are checked: the floor and PySAL against segspatial (largest
absolute difference printed). Targets (issue 17): D+H+V within 3x of the floor and the
full table within 6x, at every size.

Last run (README, Performance; load average 12-16 on 2 cores, the test suite beside
it): D+H+V at 2.97x, 3.45x and 1.91x the floor in wall time, 2.55x, 2.73x and 1.96x in
CPU time (before this round 3.19x/3.15x, 3.36x/3.53x and 1.91x/1.86x in the same run);
the full table at 4.05x, 5.46x and 3.53x (CPU 3.64x, 4.67x, 2.75x).

Run: ``python benchmarks/bench_engine.py [--sizes 1 24 95] [--repeats 5]
[--baseline DIR]``. The machine may be shared: compare the ratios, which are measured
in the same run, rather than absolute seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

D_H_V = ["dissimilarity", "theil_h", "correlation"]


def national_panel(years: int = 10, copies: int = 1, seed: int = 2019) -> pd.DataFrame:
    """``copies`` countries of 355 municipalities x ``years`` years of school counts."""
    from segspatial.datasets import find_data_dir, real_2019_case

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
    school = base["school"].astype(str).to_numpy(dtype=object)
    town = base["municipality"].astype(str).to_numpy(dtype=object)
    parts = []
    for copy in range(copies):
        drift = rng.normal(0, 0.08, (years, n)).cumsum(axis=0)
        size = np.maximum(1, np.round(base["pupils"].to_numpy() * np.exp(
            rng.normal(0, 0.04, (years, n)).cumsum(axis=0)))).astype(np.int64)
        a = rng.binomial(size, 1 / (1 + np.exp(-(logit + drift))))
        suffix = "" if copy == 0 else f"-{copy}"
        parts.append(pd.DataFrame({
            "school": np.tile(school + suffix, years),
            "municipality": np.tile(town + suffix, years),
            "year": np.repeat(np.arange(2009, 2009 + years), n),
            "a": a.ravel(),
            "b": (size - a).ravel(),
        }))
    panel = pd.concat(parts, ignore_index=True) if copies > 1 else parts[0]
    panel.attrs["source"] = source
    return panel


# ------------------------------------------------------------------------------ floor


def floor(panel: pd.DataFrame) -> pd.DataFrame:
    """D, H and V per area-year with nothing but factorisation and ``np.bincount``."""
    town, towns = pd.factorize(panel["municipality"])
    year, years = pd.factorize(panel["year"])
    key = town.astype(np.int64) * len(years) + year
    g, keys = pd.factorize(key)
    n = len(keys)
    a = panel["a"].to_numpy(dtype=np.float64)
    b = panel["b"].to_numpy(dtype=np.float64)
    t = a + b
    big_a = np.bincount(g, a, n)
    big_b = np.bincount(g, b, n)
    big_t = big_a + big_b
    d = 0.5 * np.bincount(g, np.abs(a / big_a[g] - b / big_b[g]), n)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(t > 0, a / t, 0.0)
        q = np.where(t > 0, b / t, 0.0)
        e_unit = -(np.where(p > 0, p * np.log(p), 0.0) + np.where(q > 0, q * np.log(q), 0.0))
    pa, pb = big_a / big_t, big_b / big_t
    e_area = -(pa * np.log(pa) + pb * np.log(pb))
    h = np.bincount(g, t * (e_area[g] - e_unit), n) / (big_t * e_area)
    dev = p - pa[g]
    v = np.bincount(g, t * dev * dev, n) * big_t / (big_a * big_b)
    return pd.DataFrame({"area": towns[keys // len(years)], "year": years[keys % len(years)],
                         "dissimilarity": d, "theil_h": h, "correlation": v})


# ------------------------------------------------------------------------------ PySAL


def run_pysal(panel: pd.DataFrame, sample: int | None, seed: int = 1) -> tuple[pd.DataFrame,
                                                                              int, int]:
    """D, H and V per area-year with PySAL, as a user of PySAL would loop.

    Returns the values, the area-years computed and the area-years in the panel.
    """
    groups = panel.groupby(["municipality", "year"], sort=True).indices
    keys = list(groups)
    if sample is not None and sample < len(keys):
        pick = np.random.default_rng(seed).choice(len(keys), sample, replace=False)
        keys = [keys[i] for i in np.sort(pick)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from segregation.singlegroup import CorrelationR, Dissim, Entropy

        rows = []
        a_all = panel["a"].to_numpy(float)
        t_all = (panel["a"] + panel["b"]).to_numpy(float)
        for area, year in keys:
            idx = groups[(area, year)]
            if len(idx) < 2:
                continue
            df = pd.DataFrame({"a": a_all[idx], "t": t_all[idx]})
            rows.append((area, year, Dissim(df, "a", "t").statistic,
                         Entropy(df, "a", "t").statistic,
                         CorrelationR(df, "a", "t").statistic))
    out = pd.DataFrame(rows, columns=["area", "year", *D_H_V])
    return out, len(keys), len(groups)


# ------------------------------------------------------------------------------ phases


def _gap(mine: pd.DataFrame, theirs: pd.DataFrame) -> float:
    """Largest |difference| of D, H, V between a results table and a wide frame."""
    wide = mine[mine["index"].isin(D_H_V)].pivot_table(index=["area", "year"],
                                                       columns="index", values="value")
    theirs = theirs.set_index(["area", "year"])[D_H_V]
    common = theirs.index.intersection(wide.index)
    return float(np.nanmax(np.abs(wide.loc[common, D_H_V].to_numpy()
                                  - theirs.loc[common].to_numpy())))


def phase(copies: int, repeats: int, pysal_sample: int | None, with_floor: bool) -> dict:
    """Time one version of segspatial (whichever ``import segspatial`` finds)."""
    import segspatial
    from segspatial import segregation

    panel = national_panel(copies=copies)
    out = {"rows": len(panel), "version_path": str(Path(segspatial.__file__).parent),
           "source": panel.attrs["source"]}

    def same_work():
        return segregation(panel, "school", "a", "b", area="municipality", year="year",
                           indices=D_H_V, min_unit_size=0, min_area_size=0)

    def full():
        return segregation(panel, "school", "a", "b", area="municipality", year="year",
                           min_unit_size=0, min_area_size=0)

    same_work()  # warm up (imports, caches) outside the timings
    full()
    if with_floor:
        floor(panel)
    # Interleaved: each repeat times the floor, D+H+V and the full table back to back,
    # so a change of load on a shared machine falls on all three alike; the ratios are
    # the medians of the ratios within one repeat. Wall time and CPU time of the process
    # (less sensitive to other work: it leaves out the time the process waits for a core).
    runs: dict[str, list[tuple[float, float]]] = {"dhv": [], "full": [], "floor": []}
    same = result = values = None
    for _ in range(repeats):
        for key, func in (("floor", (lambda: floor(panel)) if with_floor else None),
                          ("dhv", same_work), ("full", full)):
            if func is None:
                continue
            wall, cpu = time.perf_counter(), time.process_time()
            got = func()
            runs[key].append((time.perf_counter() - wall, time.process_time() - cpu))
            same, result, values = ((got, result, values) if key == "dhv" else
                                    (same, got, values) if key == "full" else
                                    (same, result, got))
    for key, times in runs.items():
        if times:
            out[key] = statistics.median(w for w, _ in times)
            out[f"{key}_cpu"] = statistics.median(c for _, c in times)
    out["area_years"] = int(len(result.table) // 5)
    if with_floor:
        for key in ("dhv", "full"):
            pairs = list(zip(runs[key], runs["floor"], strict=True))
            out[f"{key}_ratio"] = statistics.median(w / f for (w, _), (f, _) in pairs)
            out[f"{key}_cpu_ratio"] = statistics.median(c / g for (_, c), (_, g) in pairs)
        out["floor_gap"] = _gap(same.table, values)
    if pysal_sample is not None:
        sample = None if pysal_sample == 0 else pysal_sample
        start = time.perf_counter()
        values, done, total = run_pysal(panel, sample)
        seconds = time.perf_counter() - start
        out["pysal"] = seconds * total / done
        out["pysal_measured"] = seconds
        out["pysal_area_years"] = done
        out["pysal_gap"] = _gap(same.table, values)
    return out


def _run(copies: int, repeats: int, pysal: int | None, floor_too: bool,
         source: str | None) -> dict:
    env = dict(os.environ)
    from segspatial.datasets import find_data_dir

    data = find_data_dir()  # the same data for every version, wherever its source is
    if data is not None:
        env["SEGSPATIAL_SHARED_DATA"] = str(data.resolve())
    if source is not None:
        env["PYTHONPATH"] = os.pathsep.join([source, env.get("PYTHONPATH", "")])
    args = [sys.executable, __file__, "--phase", "--copies", str(copies), "--repeats",
            str(repeats)] + (["--pysal", str(pysal)] if pysal is not None else []) \
        + (["--floor"] if floor_too else [])
    done = subprocess.run(args, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"phase failed ({source or 'this checkout'}):\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 24, 95],
                        help="copies of the national panel (default: 1 24 95)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--pysal-sample", type=int, default=355,
                        help="area-years PySAL loops over at the larger sizes (all at the "
                        "smallest); 0 = all")
    parser.add_argument("--skip-pysal", action="store_true")
    parser.add_argument("--baseline", metavar="DIR",
                        help="a source tree of an older segspatial to time the same way")
    parser.add_argument("--phase", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--copies", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--floor", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--pysal", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(phase(args.copies, args.repeats, args.pysal, args.floor)))
        return

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine: {os.cpu_count()} CPUs, load average {load:.2f} at the start; "
          f"medians of {args.repeats} runs; PySAL extrapolated per area-year from a "
          f"sample of {args.pysal_sample} above the smallest size")
    rows = []
    for i, copies in enumerate(args.sizes):
        pysal = None if args.skip_pysal else (0 if i == 0 else args.pysal_sample)
        now = _run(copies, args.repeats, pysal, True, None)
        base = (_run(copies, args.repeats, None, True, args.baseline)
                if args.baseline else None)
        rows.append((now, base))
        print(f"\n{now['rows']:,} rows ({now['area_years']:,} area-years, "
              f"{now['source']}):")
        if base is not None:
            print(f"  baseline: {base['version_path']}")
        print(f"  floor (factorise + bincount, D+H+V) {now['floor']:8.3f} s  "
              f"(max |diff| to segspatial {now['floor_gap']:.1e})")
        for label, r in (("segspatial", now), ("baseline", base)):
            if r is None:
                continue
            print(f"  {label:<10} D+H+V {r['dhv']:8.3f} s = {r['dhv_ratio']:5.2f}x its floor "
                  f"(CPU {r['dhv_cpu_ratio']:.2f}x)   full {r['full']:8.3f} s = "
                  f"{r['full_ratio']:5.2f}x (CPU {r['full_cpu_ratio']:.2f}x)")
        if "pysal" in now:
            print(f"  PySAL loop D+H+V {now['pysal']:8.1f} s "
                  f"({now['pysal_area_years']:,} area-years in {now['pysal_measured']:.1f} s"
                  f"; max |diff| {now['pysal_gap']:.1e}) = "
                  f"{now['pysal'] / now['dhv']:,.0f}x segspatial")
    print("\n| rows | floor s | D+H+V s (x floor; CPU x) | full s (x floor; CPU x) |"
          + (" baseline D+H+V (x; CPU x) | baseline full (x; CPU x) |" if args.baseline
             else "")
          + (" PySAL s |" if not args.skip_pysal else ""))
    print("|---|---|---|---|" + ("---|---|" if args.baseline else "")
          + ("---|" if not args.skip_pysal else ""))
    met = True

    def cell(r: dict, key: str) -> str:
        return (f"{r[key]:.4f} ({r[key + '_ratio']:.2f}x; CPU "
                f"{r[key + '_cpu_ratio']:.2f}x)")

    for now, base in rows:
        cells = [f"{now['rows']:,}", f"{now['floor']:.4f}", cell(now, "dhv"),
                 cell(now, "full")]
        if base is not None:
            cells += [cell(base, "dhv"), cell(base, "full")]
        if "pysal" in now:
            cells.append(f"{now['pysal']:.1f}")
        print("| " + " | ".join(cells) + " |")
        met &= now["dhv_ratio"] <= 3 and now["full_ratio"] <= 6
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\ntargets (D+H+V <= 3x floor, full <= 6x floor at every size): "
          f"{'met' if met else 'NOT met'}; load average {load:.2f} at the end")


if __name__ == "__main__":
    main()
