"""Benchmark: the disclosure audit (``--min-cell 10``) on the real 2019 case.

Two parts, each timing the audit against the computation it recomputes, in the same
run (the machine is shared: quote the ratios, not the seconds):

1. **indices** (``segspatial indices ... --x x --y y --bandwidth 500 1000 2000 4000
   --min-unit-size 50 --min-area-size 0 --min-cell 10``): the spatial indices of every
   municipality (:func:`segspatial.spatial.spatial_segregation`, the peer), then their
   audit and publication (:func:`segspatial.disclosure.protect_results`, which
   recomputes every published number for a twin of every count below 10). Twice:
   with spatial D and H only, and with spatial D, H, exposure and isolation
   (``--spatial-indices`` the six environment indices); the ratio audit / spatial
   indices of each, and what the audit publishes and withholds per index.
2. **report** (``segspatial report ... --min-unit-size 50 --min-area-size 0
   --min-cell 10``, the README's figures): the report's spatial indices and profiles
   (:func:`segspatial.report.report_data`), then its audit
   (:func:`segspatial.report._protected`): counts below 10, how many are proven safe
   with everything published, and how many published values are withheld.

Run: ``python benchmarks/bench_disclosure.py [--part indices|report|all] [--repeats 1]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import numpy as np
import pandas as pd

import segspatial as ss
from segspatial.datasets import find_data_dir, real_2019_case
from segspatial.disclosure import Policy, protect_results
from segspatial.spatial import spatial_segregation

BANDWIDTHS = [500.0, 1000.0, 2000.0, 4000.0]
DH = ["spatial_dissimilarity", "spatial_theil_h"]
EXPOSURE = ["spatial_isolation_a", "spatial_exposure_ab", "spatial_isolation_b",
            "spatial_exposure_ba"]
N = 10


def _withheld(exact: pd.DataFrame, published: pd.DataFrame) -> pd.DataFrame:
    """Per index: values defined (groups of at least N), published and withheld."""
    keys = ["area", "year", "index", "bandwidth"]
    both = exact[keys + ["value", "n_a", "n_b"]].merge(
        published[keys + ["value"]], on=keys, suffixes=("", "_published"))
    defined = (np.isfinite(both["value"]) & (both["n_a"] >= N) & (both["n_b"] >= N))
    both = both[defined]
    gone = both["value_published"].isna()
    return pd.DataFrame({"defined": both.groupby("index").size(),
                         "withheld": gone.groupby(both["index"]).sum(),
                         "areas": both[gone].groupby("index")["area"].nunique()}
                        ).fillna(0).astype(int)


def part_indices(schools: pd.DataFrame, repeats: int) -> None:
    print("indices --min-cell 10 (bandwidths 500-4000 m, gaussian, per municipality):")
    for label, names in (("spatial D and H", DH),
                         ("spatial D, H, exposure and isolation", DH + EXPOSURE)):
        compute, audit = [], []
        for _ in range(repeats):
            t0 = time.perf_counter()
            result = spatial_segregation(
                schools, "school", "a", "b", area="municipality", total="pupils", x="x",
                y="y", crs="EPSG:28992", bandwidth=BANDWIDTHS, spatial_indices=names,
                min_unit_size=50, min_area_size=0)
            t1 = time.perf_counter()
            table, _, found = protect_results(result, Policy(N))
            t2 = time.perf_counter()
            compute.append(t1 - t0)
            audit.append(t2 - t1)
        med = statistics.median
        print(f"  {label}:")
        print(f"    spatial indices (peer): {med(compute):6.2f} s")
        print(f"    audit and publication:  {med(audit):6.2f} s ({med(audit) / med(compute):.1f}x "
              f"the spatial indices; {found.cells:,} counts below {N}, "
              f"{found.certified:,} proven safe with everything published, "
              f"{found.twins:,} twins)")
        summary = _withheld(result.table, table)
        spatial = summary.loc[[i for i in summary.index if i.startswith("spatial_")]]
        shown = int((spatial["defined"] - spatial["withheld"]).sum())
        print(f"    spatial values published {shown:,} of {int(spatial['defined'].sum()):,} "
              "defined")
        for index, row in summary.iterrows():
            print(f"      {index:28s} withheld {row['withheld']:5,} of {row['defined']:6,} "
                  f"({row['areas']} municipalities)")


def part_report(schools: pd.DataFrame, repeats: int) -> None:
    from segspatial.geo import read_boundaries
    from segspatial.report import _protected, report_data

    boundaries = read_boundaries(find_data_dir() / "boundaries"
                                 / "nl_maps_rd_gemeente_2019.geojson")
    compute, audit = [], []
    for _ in range(repeats):
        result = ss.segregation(schools, "school", "a", "b", area="municipality",
                                total="pupils", min_unit_size=50, min_area_size=0)
        t0 = time.perf_counter()
        data = report_data(result, schools, unit="school", x="x", y="y", crs="EPSG:28992",
                           name="school_name", boundaries=boundaries)
        t1 = time.perf_counter()
        _, protected = _protected(data, N)
        t2 = time.perf_counter()
        compute.append(t1 - t0)
        audit.append(t2 - t1)
    found = protected.audit
    med = statistics.median
    values = found.values
    n_areas = values["area"].nunique()
    print(f"report --min-unit-size 50 --min-area-size 0 --min-cell 10 ({n_areas} "
          "municipalities):")
    print(f"  spatial indices and profiles (peer): {med(compute):6.2f} s")
    print(f"  disclosure audit:                    {med(audit):6.2f} s "
          f"({med(audit) / med(compute):.1f}x the spatial indices and profiles)")
    print(f"  {found.cells:,} counts below {N}; {found.certified:,} "
          f"({100 * found.certified / max(found.cells, 1):.0f}%) proven safe with everything "
          f"published; {found.twins:,} twins")
    keys = ["area", "year", "comparison", "index", "bandwidth"]
    exact = pd.concat([data.table, data.spatial, data.profile], ignore_index=True)
    exact = exact[exact["index"].isin(values["index"].unique())]
    exact = exact.assign(bandwidth=exact["bandwidth"].astype(float).fillna(-1.0))
    exact = exact.drop_duplicates(keys)
    audited = values.assign(bandwidth=values["bandwidth"].astype(float).fillna(-1.0))
    both = audited.merge(exact[keys + ["value", "n_a", "n_b"]], on=keys, how="left",
                         suffixes=("", "_exact"))
    defined = (np.isfinite(both["value_exact"]) & (both["n_a"] >= N) & (both["n_b"] >= N))
    gone = defined & both["value"].isna()
    profile = both["bandwidth"].isin(data.profile["bandwidth"].astype(float).unique()) & (
        both["index"].str.startswith("spatial_"))
    print(f"  published values: {len(both):,} ({len(both) / n_areas:.0f} per municipality), "
          f"{int(defined.sum()):,} defined; withheld by the audit: {int(gone.sum()):,} "
          f"({100 * gone.sum() / max(defined.sum(), 1):.0f}% of the defined), of which "
          f"{int((gone & profile).sum()):,} spatial D or H at a bandwidth")
    for index in ("dissimilarity", "theil_h", "correlation", "dissimilarity_standardised",
                  "spatial_dissimilarity", "spatial_theil_h", "theil_h_between"):
        rows = gone & (both["index"] == index)
        print(f"    {index:28s} withheld {int(rows.sum()):4,} "
              f"in {both.loc[rows, 'area'].nunique()} municipalities")
    print(f"  pages left out: {len(protected.dropped)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("indices", "report", "all"), default="all")
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    if find_data_dir() is None:
        print("the real public data (../shared/data) is needed for this benchmark",
              file=sys.stderr)
        return 1
    schools = real_2019_case()
    print(f"real 2019 case: {len(schools):,} schools")
    if args.part in ("indices", "all"):
        part_indices(schools, args.repeats)
    if args.part in ("report", "all"):
        part_report(schools, args.repeats)
    return 0


if __name__ == "__main__":
    sys.exit(main())
