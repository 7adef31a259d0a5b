"""Benchmark: locating schools in municipalities, joining results, reading TopoJSON.

Measured in the same run (medians of several runs), on the real data in
``../shared/data`` (skipped with a message when absent):

* ``assign_areas``: the 6,295 schools of the real 2019 case on the 2019 (RD) and the
  2014 (WGS84, 403 municipalities, reprojected) boundaries, point in polygon plus
  snapping, against the plain geopandas route (``sjoin(predicate="intersects")`` with
  duplicates dropped, then ``sjoin_nearest(max_distance=5000)`` for the rest);
* the same on a 10-year panel (62,950 school-years), the size of the report's panel;
* ``read_boundaries`` of TopoJSON (our numpy decoder + repair) against GDAL's TopoJSON
  driver (``geopandas.read_file``, no repair, drops null features);
* ``join_areas`` of the full results table to the 2019 municipalities.

Run: ``python benchmarks/bench_geo.py [--repeats 7]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings

import geopandas as gpd
import pandas as pd

from segspatial import segregation
from segspatial.datasets import find_data_dir, real_2019_case
from segspatial.geo import GeometryWarning, assign_areas, join_areas, read_boundaries, unit_points


def median_time(func, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def geopandas_route(points: gpd.GeoDataFrame, bounds: gpd.GeoDataFrame) -> pd.Series:
    """Point in polygon, then nearest within 5 km, with plain geopandas joins."""
    bounds = bounds[["statcode", "geometry"]].to_crs(points.crs)
    inside = gpd.sjoin(points[["geometry"]], bounds, predicate="intersects", how="left")
    inside = inside[~inside.index.duplicated(keep="first")]
    codes = inside["statcode"]
    missing = codes.isna()
    if missing.any():
        near = gpd.sjoin_nearest(points.loc[missing, ["geometry"]], bounds,
                                 max_distance=5000, how="left")
        near = near[~near.index.duplicated(keep="first")]
        codes = codes.copy()
        codes[missing] = near["statcode"]
    return codes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    data_dir = find_data_dir()
    if data_dir is None:
        print("../shared/data not found: this benchmark needs the real boundaries")
        return 0
    warnings.simplefilter("ignore", GeometryWarning)
    folder = data_dir / "boundaries"
    schools = real_2019_case(data_dir)
    points = unit_points(schools, x="x", y="y", crs="EPSG:28992")
    panel = pd.concat([points] * 10, ignore_index=True)
    rows = []
    for name, path in (("2019 rd", "nl_maps_rd_gemeente_2019.geojson"),
                       ("2014 wgs84", "nl_maps_wgs84_gemeente_2014.geojson")):
        bounds = read_boundaries(folder / path)
        for label, pts in (("6,295 schools", points), ("62,950 school-years", panel)):
            ours = median_time(lambda pts=pts, b=bounds: assign_areas(pts, b, "statcode"),
                               args.repeats)
            peer = median_time(lambda pts=pts, b=bounds: geopandas_route(pts, b),
                               args.repeats)
            codes, _ = assign_areas(pts, bounds, "statcode")
            agree = (codes == geopandas_route(pts, bounds)).mean()
            rows.append((f"assign_areas {label} on {name}", ours, "geopandas sjoin", peer,
                         f"same code for {agree:.2%}"))
    for path in ("nl_maps_wgs84_wijk_2014.topojson", "ties_Buurt_2014_layer_q1e3.json"):
        ours = median_time(lambda p=path: read_boundaries(folder / p), args.repeats)
        peer = median_time(lambda p=path: gpd.read_file(f"TopoJSON:{folder / p}"),
                           args.repeats)
        n_ours = len(read_boundaries(folder / path))
        n_gdal = len(gpd.read_file(f"TopoJSON:{folder / path}"))
        rows.append((f"read TopoJSON {path}", ours, "GDAL TopoJSON driver", peer,
                     f"features {n_ours:,} (GDAL {n_gdal:,})"))
    result = segregation(schools, "school", "a", "b", area="municipality", total="pupils",
                         min_area_size=0)
    bounds = read_boundaries(folder / "nl_maps_rd_gemeente_2019.geojson")
    ours = median_time(lambda: join_areas(result.table, bounds, "statcode"), args.repeats)
    rows.append(("join_areas 355 municipalities x 5 indices", ours, "", float("nan"), ""))

    print(f"median of {args.repeats} runs; Python {sys.version.split()[0]}, "
          f"geopandas {gpd.__version__}")
    for what, ours, peer_name, peer, note in rows:
        ratio = f"{peer / ours:5.1f}x vs {peer_name} ({peer * 1e3:8.1f} ms)" if peer_name else ""
        print(f"{what:58s} {ours * 1e3:8.1f} ms  {ratio}  {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
