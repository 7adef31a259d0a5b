"""Benchmark: what the report's "several groups at once" section costs.

On the real 2019 case (``../shared/data``), in one run: the report of N municipalities
(``--areas``, default 40, the largest by pupils) without and with the multigroup
section (three groups ``a_above``/``a_below``/``b`` split by the DUO denomination,
:func:`segspatial.multigroup_table.multigroup_segregation`; the report adds the
decomposition per denomination, the local scores and their two maps per page). The
peer is the same report without the section, measured in the same run: the ratio is
what the section adds. Medians of ``--repeats`` runs; ``min_cell`` off (under it the
section is withheld and costs nothing).

Run: ``python benchmarks/bench_report_multigroup.py [--areas 40] [--repeats 3]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import segspatial as ss
from segspatial.datasets import find_data_dir, real_2019_case
from segspatial.geo import read_boundaries
from segspatial.multigroup_table import multigroup_segregation
from segspatial.report import render_report, report_data


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--areas", type=int, default=40)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    data_dir = find_data_dir()
    if data_dir is None:
        print("skipped: ../shared/data not found", file=sys.stderr)
        return 0
    schools = real_2019_case(data_dir)
    boundaries = read_boundaries(data_dir / "boundaries" / "nl_maps_rd_gemeente_2019.geojson")
    largest = schools.groupby("municipality")["pupils"].sum().nlargest(args.areas).index
    only = sorted(largest)
    common = dict(area="municipality", total="pupils", min_unit_size=0, min_area_size=0)
    result = ss.segregation(schools, "school", "a", "b", **common)

    def run(with_section: bool) -> float:
        start = time.perf_counter()
        several = (multigroup_segregation(schools, "school", ["a_above", "a_below", "b"],
                                          within="denomination", **common)
                   if with_section else None)
        data = report_data(result, schools, unit="school", x="x", y="y", crs="EPSG:28992",
                           name="school_name", boundaries=boundaries, only=only,
                           permutations=99, multigroup=several)
        for _ in render_report(data, offline=True):
            pass
        return time.perf_counter() - start

    times = {False: [], True: []}
    for _ in range(args.repeats):
        for with_section in (False, True):  # interleaved: the same load for both
            times[with_section].append(run(with_section))
    without, with_ = statistics.median(times[False]), statistics.median(times[True])
    print(f"report of {len(only)} municipalities, median of {args.repeats} runs (same run)")
    print(f"  without the multigroup section: {without:7.2f} s")
    print(f"  with the multigroup section:    {with_:7.2f} s")
    print(f"  ratio with / without:           {with_ / without:7.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
