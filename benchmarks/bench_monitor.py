"""The whole technical-education monitor on the real DUO file.

National + 35 labour-market regions (27 where techniek is given) + 12 provinces + the
municipalities, 5 years: reading (censoring kept), the overlay mapping, the tables
(shares with exact bounds, D/E[D]/D*/H with ranges over the censored cells), maps and
nl pages (offline). Medians of 3 runs; as a same-run reference (absolute times are
noisy on a shared machine) the floor: ``json.load`` plus one pandas ``groupby`` of the
national share without censoring, the least any such tool must do.

    python benchmarks/bench_monitor.py [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
import warnings
from pathlib import Path

import pandas as pd

from segspatial.datasets import find_data_dir
from segspatial.monitor import compute_monitor, read_enrolments, region_mapping, write_monitor


def timed(fn, repeat: int = 3):
    times, value = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), value


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data")
    args = parser.parse_args()
    data = find_data_dir(args.data)
    if data is None:
        raise SystemExit("public data not found: pass --data PATH")
    path = Path(data) / "duo" / "ingeschrevenen-hbo-2020-2024.json"
    b = Path(data) / "boundaries"

    def floor():
        frame = pd.DataFrame(json.loads(path.read_text()))
        tech = frame[frame["ONDERDEEL"] == "techniek"]
        years = [c for c in frame.columns if c.isdigit()]
        counts = tech[years].apply(pd.to_numeric, errors="coerce").fillna(0)
        return counts.groupby(tech["GESLACHT"]).sum()

    def mapping():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return region_mapping(b / "nl_maps_rd_gemeente_2019.geojson",
                                  {"arbeidsmarktregio":
                                   b / "cartomap_wgs84_arbeidsmarktregio_2018.topojson",
                                   "provincie": b / "cartomap_wgs84_provincie_2018.topojson"})

    t_floor, _ = timed(floor)
    t_read, enr = timed(lambda: read_enrolments(path))
    t_map, regions = timed(mapping)
    t_compute, result = timed(lambda: compute_monitor(enr, regions))
    from segspatial.monitor.disclose import disclose_result

    t_disclose, _ = timed(lambda: disclose_result(result, 10))
    with tempfile.TemporaryDirectory() as tmp:
        t_write, folder = timed(lambda: write_monitor(result, Path(tmp) / "m", lang="nl",
                                                      offline=True))
        pages = len(list(Path(folder).glob("*.html")))
        empty = sum("geen van de gekozen opleidingen gegeven" in f.read_text(encoding="utf-8")
                    for f in Path(folder).glob("*.html"))
    total = t_read + t_map + t_compute + t_write
    rep = result.representation
    print(f"regions: {rep.groupby('level')['area'].nunique().to_dict()}, years "
          f"{result.years[0]}-{result.years[-1]}, {pages} html files (index, a page per "
          f"region, {empty} of them regions where no techniek programme is given, and 2 web maps)")
    methods = result.segregation.groupby("index")["bounds"].value_counts().unstack(
        fill_value=0)
    print(f"ranges of the indices over the censored cells (region-years):\n{methods}")
    print(f"read {t_read:.2f} s, mapping {t_map:.2f} s, tables {t_compute:.2f} s, "
          f"maps + pages {t_write:.2f} s: total {total:.2f} s (medians of 3)")
    print(f"disclosure control (--min-cell 10: primary and audited complementary "
          f"suppression over every level and programme) {t_disclose:.2f} s")
    print(f"floor (json + one groupby, no censoring, no regions) {t_floor:.3f} s; "
          f"tables / floor = {t_compute / t_floor:.1f}x, whole monitor / floor = "
          f"{total / t_floor:.0f}x")


if __name__ == "__main__":
    main()
