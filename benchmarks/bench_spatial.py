"""Benchmark: the spatial indices on all 6,295 schools of the real 2019 case.

Measured in the same run (filters off, so every school and all 355 municipalities
count; median of several runs, each in a fresh process for the memory peak; the
libraries are imported before the clock starts):

* per-municipality context, four gaussian bandwidths (500, 1000, 2000, 4000 m):
  spatial D and H only, and the full table (aspatial indices, spatial D and H,
  Moran's I with 999 permutations, Morrill's adjusted D on Voronoi catchments);
* ``context="all"``: national neighbours (sparse radius queries, 5h cut-off, up to
  20 km), spatial D and H, with the peak memory of the process;
* PySAL ``segregation``'s distance-based ``Dissim(..., distance=h)`` (kernel local
  environments) looping over the municipalities, for the same four bandwidths (one
  run: it is slow), and the ratio to segspatial's spatial D and H.

Targets (issue 5): under 3 s per municipality, under 10 s and 2 GB with national
neighbours. Run: ``python benchmarks/bench_spatial.py [--repeats 5]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
import warnings

BANDWIDTHS = [500.0, 1000.0, 2000.0, 4000.0]

_CHILD = r"""
import json, resource, sys, time
from segspatial.datasets import real_2019_case
import segspatial.geo, shapely  # noqa: F401  (imports are not what is timed)
from segspatial.spatial import spatial_segregation
data = real_2019_case()
opts = json.loads(sys.argv[1])
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
res = spatial_segregation(data, "school", "a", "b", x="x", y="y", crs="EPSG:28992",
                          area="municipality", total="pupils", min_unit_size=0,
                          min_area_size=0, rng=1, **opts)
elapsed = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": elapsed, "peak_mb": peak / 1024, "loaded_mb": base / 1024,
                  "rows": len(res.table)}))
"""


def run_child(options: dict) -> dict:
    done = subprocess.run([sys.executable, "-c", _CHILD, json.dumps(options)],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(label: str, options: dict, repeats: int) -> float:
    runs = [run_child(options) for _ in range(repeats)]
    seconds = statistics.median(r["seconds"] for r in runs)
    peak = max(r["peak_mb"] for r in runs)
    print(f"{label:<58s} {seconds:7.3f} s  (peak RSS {peak:,.0f} MB, after loading "
          f"{runs[0]['loaded_mb']:,.0f} MB; {runs[0]['rows']:,} rows)")
    return seconds


def pysal_per_municipality() -> float:
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
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    from segspatial.datasets import find_data_dir

    if find_data_dir() is None:
        sys.exit("the real 2019 case needs ../shared/data (or $SEGSPATIAL_SHARED_DATA)")
    d_h = {"bandwidth": BANDWIDTHS, "indices": "dissimilarity",
           "spatial_indices": ["spatial_dissimilarity", "spatial_theil_h"]}
    print("6,295 schools, 355 municipalities, bandwidths", BANDWIDTHS, "m (gaussian)")
    ours = measure("segspatial, per municipality, spatial D and H", d_h, args.repeats)
    measure("segspatial, per municipality, full table (Moran 999 perm.)",
            {"bandwidth": BANDWIDTHS}, args.repeats)
    measure("segspatial, context='all' (national), spatial D and H",
            {**d_h, "context": "all"}, args.repeats)
    measure("segspatial, context='all', full table (Moran 999 perm.)",
            {"bandwidth": BANDWIDTHS, "context": "all"}, args.repeats)
    theirs = pysal_per_municipality()
    print(f"{'PySAL Dissim(distance=h) per municipality, 4 bandwidths':<58s} {theirs:7.3f} s"
          "  (one run; D only, its own rounded local environments)")
    print(f"ratio PySAL / segspatial (spatial D and H): {theirs / ours:,.0f}x")


if __name__ == "__main__":
    main()
