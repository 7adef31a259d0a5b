"""Benchmark: the spatial indices, on the real 2019 case and at national scale.

Every measurement runs in a fresh process (median of ``--repeats`` runs; the peak
resident memory of the process is ``ru_maxrss``; the libraries are imported and the
data built before the clock starts). Three parts:

1. **The real 2019 case** (6,295 schools, 355 municipalities, filters off), spatial D
   and H at four gaussian bandwidths (500 m - 4 km) per municipality and with national
   context, and the full table (aspatial indices, spatial D and H, Moran's I with 999
   permutations, Morrill's D). With ``--today PATH`` (a checkout of main, e.g. from
   ``git archive main | tar -x -C PATH``) the same runs use that code too, in the
   same run, and the ratio is printed; the peer, PySAL ``segregation``'s
   ``Dissim(..., distance=h)`` over the municipalities, is timed once.
2. **Scale**: synthetic national files, each real school replicated k times at a
   random offset (normal, sigma = 500 m; same municipality and counts): 62,950 points
   (k = 10) with national context at 4 km and 629,500 points (k = 100) at 1 km, per
   municipality and national. Reported: time, peak memory, the number of neighbour
   pairs within the gaussian's 5h cut-off (ordered, same block, self included, counted
   with a KD-tree outside the timing) and pairs per second.
3. **Linearity**: time at several sizes (k = 5, 10, 20, 50, 100 at 1 km, national),
   with a least-squares fit time = fixed + pairs / rate: linear in the number of
   pairs when the residuals are small.

Targets (issue 13): 62,950 points national at 4 km and 629,500 points at 1 km complete
under 3 GB; time linear in the pairs; the real case no slower than today.

Run: ``python benchmarks/bench_spatial.py [--repeats 3] [--today PATH] [--quick]``.
``--quick`` skips the 629,500-point runs. The machine's load matters: quote the ratios
of runs made in the same invocation.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

BANDWIDTHS = [500.0, 1000.0, 2000.0, 4000.0]

_CHILD = r"""
import json, resource, sys, time
opts = json.loads(sys.argv[1])
if opts.pop("code", None):
    sys.path.insert(0, opts.pop("path"))
else:
    opts.pop("path", None)
import numpy as np
from segspatial.datasets import real_2019_case
import segspatial.geo, shapely, scipy.spatial  # noqa: F401  (imports are not what is timed)
from segspatial.spatial import spatial_segregation
data = real_2019_case()
k = opts.pop("replicas", 1)
if k > 1:
    rng = np.random.default_rng(2019)
    n = len(data)
    data = data.loc[np.repeat(np.arange(n), k)].reset_index(drop=True)
    data["school"] = data["school"].astype(str) + "_" + np.tile(np.arange(k), n).astype(str)
    data["x"] = data["x"] + rng.normal(0, 500, len(data))
    data["y"] = data["y"] + rng.normal(0, 500, len(data))
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
res = spatial_segregation(data, "school", "a", "b", x="x", y="y", crs="EPSG:28992",
                          area="municipality", total="pupils", min_unit_size=0,
                          min_area_size=0, rng=1, **opts)
elapsed = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": elapsed, "peak_mb": peak / 1024, "loaded_mb": base / 1024,
                  "rows": len(res.table), "units": len(data)}))
"""

_PAIRS = r"""
import json, sys
import numpy as np
from scipy.spatial import cKDTree
from segspatial.datasets import real_2019_case
k, radius, context = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
data = real_2019_case()
n = len(data)
rng = np.random.default_rng(2019)
x = np.repeat(data["x"].to_numpy(float), k)
y = np.repeat(data["y"].to_numpy(float), k)
area = np.repeat(data["municipality"].to_numpy(), k)
if k > 1:
    x = x + rng.normal(0, 500, x.size)
    y = y + rng.normal(0, 500, y.size)
pairs = 0
if context == "all":
    t = cKDTree(np.column_stack([x, y]))
    pairs = int(t.count_neighbors(t, np.nextafter(radius, 0)))
else:
    for a in np.unique(area):
        m = area == a
        t = cKDTree(np.column_stack([x[m], y[m]]))
        pairs += int(t.count_neighbors(t, np.nextafter(radius, 0)))
print(pairs)
"""


def run_child(options: dict) -> dict:
    done = subprocess.run([sys.executable, "-c", _CHILD, json.dumps(options)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["?"])[-1]
        return {"error": last[:120]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def pairs(k: int, radius: float, context: str) -> int:
    done = subprocess.run([sys.executable, "-c", _PAIRS, str(k), str(radius), context],
                          capture_output=True, text=True, check=True)
    return int(done.stdout.strip())


def measure(label: str, options: dict, repeats: int) -> dict:
    runs = [run_child(options) for _ in range(repeats)]
    bad = [r for r in runs if "error" in r]
    if bad:
        print(f"{label:<64s} failed: {bad[0]['error']}", flush=True)
        return {"seconds": float("nan"), "peak_mb": float("nan")}
    out = {"seconds": statistics.median(r["seconds"] for r in runs),
           "peak_mb": max(r["peak_mb"] for r in runs), "units": runs[0]["units"]}
    print(f"{label:<64s} {out['seconds']:8.2f} s  peak {out['peak_mb']:7,.0f} MB "
          f"({runs[0]['units']:,} units, {runs[0]['rows']:,} rows)", flush=True)
    return out


def pysal_per_municipality() -> float:
    """PySAL ``segregation``'s distance-based ``Dissim(..., distance=h)`` looping over the
    municipalities, four bandwidths (its own, rounded local environments; the peer)."""
    import time
    import warnings

    import geopandas as gpd
    from segregation.singlegroup import Dissim

    from segspatial.datasets import real_2019_case

    data = real_2019_case()
    data = data.assign(t=data["a"] + data["b"])
    frame = gpd.GeoDataFrame(data, geometry=gpd.points_from_xy(data["x"], data["y"]),
                             crs="EPSG:28992")
    groups = [g for _, g in frame.groupby("municipality") if len(g) >= 2]
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for h in BANDWIDTHS:
            for g in groups:
                Dissim(g, "a", "t", distance=h, function="gaussian")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--today", metavar="PATH",
                        help="a checkout of main: measure today's code in the same run")
    parser.add_argument("--quick", action="store_true", help="skip the 629,500-point runs")
    args = parser.parse_args()
    from segspatial.datasets import find_data_dir

    if find_data_dir() is None:
        sys.exit("the real 2019 case needs ../shared/data (or $SEGSPATIAL_SHARED_DATA)")
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    d_h = {"bandwidth": BANDWIDTHS, "indices": "dissimilarity",
           "spatial_indices": ["spatial_dissimilarity", "spatial_theil_h"]}
    print("1. The real 2019 case: 6,295 schools, 355 municipalities, gaussian "
          f"{[int(b) for b in BANDWIDTHS]} m")
    cases = [("per municipality, spatial D and H", d_h),
             ("national context, spatial D and H", {**d_h, "context": "all"}),
             ("per municipality, full table (Moran 999 perm.)", {"bandwidth": BANDWIDTHS})]
    for number, (label, options) in enumerate(cases):
        ours = measure(f"  new:   {label}", {**options, "path": here, "code": True},
                       args.repeats)
        if number == 0:
            theirs = pysal_per_municipality()
            print(f"  {'PySAL Dissim(distance=h) per municipality, D only':<62s} "
                  f"{theirs:8.2f} s  (one run) = {theirs / ours['seconds']:,.0f}x new",
                  flush=True)
        if args.today:
            today = measure(f"  today: {label}",
                            {**options, "path": args.today, "code": True}, args.repeats)
            print(f"  {'':<62s} new / today = {ours['seconds'] / today['seconds']:.2f}",
                  flush=True)

    print("\n2. Scale (synthetic: each school replicated k times, sigma 500 m)")
    scale = [(10, 4000.0, "all"), (10, 2000.0, "all")]
    if not args.quick:
        scale += [(100, 1000.0, "area"), (100, 1000.0, "all")]
    for k, h, context in scale:
        n_pairs = pairs(k, 5 * h, context)
        options = {"bandwidth": h, "indices": "dissimilarity", "context": context,
                   "spatial_indices": ["spatial_dissimilarity", "spatial_theil_h"],
                   "replicas": k, "path": here, "code": True}
        repeats = args.repeats if k <= 10 else 1
        out = measure(f"  new: {6295 * k:,} points, {h / 1000:g} km, context={context}",
                      options, repeats)
        print(f"  {'':<62s} {n_pairs:,} pairs, {n_pairs / out['seconds'] / 1e6:.1f} M "
              f"pairs/s", flush=True)
        if args.today and k == 10 and h == 2000.0:
            today = measure(f"  today: {6295 * k:,} points, {h / 1000:g} km, "
                            f"context={context}", {**options, "path": args.today},
                            1)
            if today["seconds"] == today["seconds"]:
                print(f"  {'':<62s} new / today = "
                      f"{out['seconds'] / today['seconds']:.2f}, memory "
                      f"{out['peak_mb'] / today['peak_mb']:.2f}", flush=True)

    print("\n3. Linearity: pairs per second at several sizes (1 km, national context)")
    sizes = [5, 10, 20] + ([] if args.quick else [50, 100])
    points = []
    for k in sizes:
        n_pairs = pairs(k, 5000.0, "all")
        options = {"bandwidth": 1000.0, "indices": "dissimilarity", "context": "all",
                   "spatial_indices": ["spatial_dissimilarity", "spatial_theil_h"],
                   "replicas": k, "path": here, "code": True}
        out = measure(f"  new: {6295 * k:,} points", options, 1 if k > 20 else args.repeats)
        print(f"  {'':<62s} {n_pairs:,} pairs, {n_pairs / out['seconds'] / 1e6:.1f} M "
              f"pairs/s", flush=True)
        points.append((n_pairs, out["seconds"]))
    if len(points) >= 3:  # time = fixed + pairs / rate, least squares
        import numpy as np

        x, y = np.array(points, dtype=float).T
        slope, fixed = np.polyfit(x, y, 1)
        resid = y - (fixed + slope * x)
        print(f"  fit: time = {fixed:.2f} s + pairs / ({1 / slope / 1e6:.1f} M pairs/s); "
              f"largest residual {np.abs(resid).max():.2f} s", flush=True)


if __name__ == "__main__":
    main()
