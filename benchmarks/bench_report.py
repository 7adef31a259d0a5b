"""Benchmark: HTML reports for all 355 municipalities of the real 2019 case.

Measures, in one run, the whole ``segspatial report`` pipeline on the real 2019 case
(``../shared/data``): the aspatial indices, the spatial indices and profiles
(:func:`segspatial.report.report_data`: bandwidths 500-4000 m, 999 permutations for
Moran's I), the disclosure audit of ``min_cell=10`` (every published number
recomputed for a twin of every count below 10, :mod:`segspatial.disclosure`), and
the 356 pages (:func:`segspatial.report.write_report`, offline, ``min_cell=10``: a
static map, an interactive map and SVG charts per page). The peer measured in the
same run is the aspatial table alone (:func:`segspatial.segregation`), the floor any
report costs; the audit is also given as a ratio to the spatial indices it recomputes.

Target (issue 7): all 355 municipalities in under 60 s.
Run: ``python benchmarks/bench_report.py [--repeats 1] [--output DIR]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import segspatial as ss
from segspatial.datasets import find_data_dir, real_2019_case
from segspatial.geo import read_boundaries
from segspatial.report import _protected, report_data, write_report

TARGET_SECONDS = 60.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--output", default=None, help="report folder (default: a temp dir)")
    args = parser.parse_args()
    data_dir = find_data_dir()
    if data_dir is None:
        print("the real public data (../shared/data) is needed for this benchmark",
              file=sys.stderr)
        return 1
    schools = real_2019_case(data_dir)
    boundaries = read_boundaries(data_dir / "boundaries" / "nl_maps_rd_gemeente_2019.geojson")
    out_root = Path(args.output or tempfile.mkdtemp(prefix="bench-report-"))
    peer, compute, audit, render, total = [], [], [], [], []
    n_pages = 0
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        result = ss.segregation(schools, "school", "a", "b", area="municipality",
                                total="pupils", min_area_size=0)
        t1 = time.perf_counter()
        data = report_data(result, schools, unit="school", x="x", y="y", crs="EPSG:28992",
                           name="school_name", boundaries=boundaries,
                           group_labels={"a": "disadvantaged", "b": "other"})
        t2 = time.perf_counter()
        data, protected = _protected(data, 10)
        t3 = time.perf_counter()
        write_report(data, out_root / "report", offline=True, min_cell=10)
        t4 = time.perf_counter()
        n_pages = len(data.areas) + 1
        peer.append(t1 - t0)
        compute.append(t2 - t1)
        audit.append(t3 - t2)
        render.append(t4 - t3)
        total.append(t4 - t0)
    size = sum(p.stat().st_size for p in (out_root / "report").glob("*.html"))
    med = statistics.median
    print(f"real 2019 case: {len(schools):,} schools, {n_pages - 1} municipality pages + index "
          f"({size / 1e6:.0f} MB) in {out_root / 'report'}")
    print(f"  aspatial table (peer):          {med(peer):7.2f} s")
    print(f"  spatial indices and profiles:   {med(compute):7.2f} s")
    found = protected.audit
    withheld = found.levels[found.levels["level"] > 0]["area"].nunique()
    print(f"  disclosure audit (min_cell=10): {med(audit):7.2f} s "
          f"({med(audit) / med(compute):.1f}x the spatial indices; {found.cells:,} counts "
          f"below 10, {found.certified:,} proven safe with everything published, "
          f"{found.twins:,} twins; some value withheld in {withheld} municipalities, "
          f"{len(protected.dropped)} pages left out)")
    print(f"  pages (maps, charts, writing):  {med(render):7.2f} s "
          f"({1000 * med(render) / n_pages:.0f} ms a page)")
    print(f"  total:                          {med(total):7.2f} s "
          f"(target < {TARGET_SECONDS:.0f} s: {'met' if med(total) < TARGET_SECONDS else 'MISSED'}"
          f"; {med(total) / med(peer):.0f}x the aspatial table alone)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
