"""Benchmark: what the report's confidence intervals cost, with and without, in one run.

The same report is made twice in the same process, alternating, so both see the same
machine load: once without intervals (``n_boot=0``: ``report --bootstrap 0``) and
once with the command line's default (:data:`segspatial._defaults.REPORT_BOOTSTRAP`
replicates per area-year: bootstrap intervals of D, D*, H and V for every area, year
and comparison, of the spatial D and H at every bandwidth and of the profile, and the
change from the first to the latest year; one vectorised call each, never per page).
The ratio of the two is the figure to quote; absolute seconds depend on the load.

Cases: the demo (two towns and a village, three years, seven comparisons of
pupil groups) and, when ``../shared/data`` is present, the real 2019 case (355
municipalities, one year; pages without disclosure control).

Run: ``python benchmarks/bench_report_intervals.py [--repeats 1] [--replicates N]
[--no-real]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from segspatial._defaults import REPORT_BOOTSTRAP
from segspatial.report import report_data, write_report


def _demo():
    from segspatial.demo import demo_pupils, demo_schools
    from segspatial.demo_maps import demo_boundaries
    from segspatial.pupils import pupil_segregation

    schools = demo_schools()
    pupils = demo_pupils(years=(2016, 2017, 2018))
    result = pupil_segregation(pupils, "school", area="municipality", year="year",
                               ethnicity="ethnicity", income="income",
                               education="education")
    return result, dict(locations=schools, unit="school", x="x", y="y", crs="EPSG:28992",
                        name="school_name", boundaries=demo_boundaries(schools),
                        area_code="statcode")


def _real():
    import segspatial as ss
    from segspatial.datasets import find_data_dir, real_2019_case
    from segspatial.geo import read_boundaries

    data_dir = find_data_dir()
    if data_dir is None:
        return None
    schools = real_2019_case(data_dir)
    boundaries = read_boundaries(data_dir / "boundaries" / "nl_maps_rd_gemeente_2019.geojson")
    result = ss.segregation(schools, "school", "a", "b", area="municipality",
                            total="pupils", min_area_size=0)
    return result, dict(locations=schools, unit="school", x="x", y="y", crs="EPSG:28992",
                        name="school_name", boundaries=boundaries,
                        group_labels={"a": "disadvantaged", "b": "other"})


def _time(result, options, n_boot: int, folder: Path) -> tuple[float, float, int]:
    t0 = time.perf_counter()
    data = report_data(result, n_boot=n_boot, **options)
    t1 = time.perf_counter()
    write_report(data, folder, offline=True)
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1, len(data.areas)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--replicates", type=int, default=REPORT_BOOTSTRAP)
    parser.add_argument("--no-real", action="store_true", help="the demo only")
    args = parser.parse_args()
    cases = [("demo", _demo())]
    if not args.no_real:
        real = _real()
        if real is None:
            print("(no ../shared/data: the real 2019 case is skipped)", file=sys.stderr)
        else:
            cases.append(("real 2019 case", real))
    root = Path(tempfile.mkdtemp(prefix="bench-report-intervals-"))
    import segspatial.inference  # noqa: F401  (its import is not a cost of either run)

    med = statistics.median
    for name, (result, options) in cases:
        times: dict[int, list[tuple[float, float]]] = {0: [], args.replicates: []}
        pages = 0
        for _ in range(args.repeats):
            for n_boot in times:  # alternating: both runs see the same load
                data_s, render_s, pages = _time(result, options, n_boot,
                                                root / f"{name}-{n_boot}")
                times[n_boot].append((data_s, render_s))
        off, on = times[0], times[args.replicates]
        total_off = med(d + r for d, r in off)
        total_on = med(d + r for d, r in on)
        print(f"{name}: {pages} municipality pages + index")
        for label, rows in (("without intervals", off),
                            (f"with {args.replicates:,} replicates", on)):
            print(f"  {label:26s} data {med(d for d, _ in rows):7.2f} s, "
                  f"pages {med(r for _, r in rows):7.2f} s, "
                  f"total {med(d + r for d, r in rows):7.2f} s")
        print(f"  ratio with/without: {total_on / total_off:.2f}x "
              f"(+{total_on - total_off:.2f} s, same run)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
