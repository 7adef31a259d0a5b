"""Women in technical hbo programmes per region, against the Techniekpact target (20%).

The real DUO file (``../shared/data/duo/ingeschrevenen-hbo-2020-2024.json``): read it
with its censored "<5" cells kept as intervals, assign the 43 municipalities with an
hbo location to labour-market regions and provinces by polygon overlay, compute the
monitor and write tables, maps and Dutch pages (offline).

    python examples/technical_monitor.py --output monitor-example
"""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path

from segspatial.datasets import find_data_dir
from segspatial.monitor import compute_monitor, read_enrolments, region_mapping, write_monitor


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="the shared data folder (default: ../shared/data)")
    parser.add_argument("--output", default="monitor-example", help="output folder")
    args = parser.parse_args()
    data = find_data_dir(args.data)
    if data is None:
        raise SystemExit("public data not found: pass --data PATH (the folder with duo/ and "
                         "boundaries/)")
    b = Path(data) / "boundaries"
    enrolments = read_enrolments(Path(data) / "duo" / "ingeschrevenen-hbo-2020-2024.json")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # TopoJSON without CRS: lon/lat, as the README says
        mapping = region_mapping(b / "nl_maps_rd_gemeente_2019.geojson",
                                 {"arbeidsmarktregio":
                                  b / "cartomap_wgs84_arbeidsmarktregio_2018.topojson",
                                  "provincie": b / "cartomap_wgs84_provincie_2018.topojson"})
    result = compute_monitor(enrolments, mapping, targets=0.20)
    rep = result.representation
    national = rep[rep["level"] == "national"].set_index("year")
    print("National share of women in techniek (without censored cells; point; range):")
    for year, row in national.iterrows():
        print(f"  {year}: {row['share_uncensored']:.1%}; {row['share']:.1%}; "
              f"{row['share_low']:.2%}-{row['share_high']:.2%}")
    latest = rep[(rep["level"] == "labour_market_region") & (rep["year"] == 2024)]
    below = latest[latest["share"] < latest["target"]].sort_values("share")
    print(f"Labour-market regions below 20% in 2024: {len(below)} of {len(latest)}")
    for row in below.itertuples(index=False):
        when = (f"in {int(row.target_year)}" if row.target_status == "on_pace"
                else row.target_status.replace("_", " "))
        print(f"  {row.area_name:<32} {row.share:6.1%}  {int(row.gap):>4} more women needed, "
              f"target {when}")
    seg = result.segregation
    print("Gender segregation across all hbo programmes, 2024 (point value; range over the "
          "censored cells, exact or a proven bound):")
    national = seg.query("level == 'national' and year == 2024").set_index("index")
    for index, label in (("dissimilarity", "D"), ("theil_h", "H"),
                         ("dissimilarity_expected", "E[D]"),
                         ("dissimilarity_standardised", "D*")):
        row = national.loc[index]
        print(f"  {label:<4} = {row['value']:.4f} ({row['low']:.4f}-{row['high']:.4f}, "
              f"{row['bounds']})")
    exact = (seg["bounds"].isin(["exact", "monotone"])).sum()
    print(f"Ranges over the censored cells: {exact} of {int((seg['bounds'] != 'none').sum())} "
          "region-year indices exact, the others proven bounds")
    folder = write_monitor(result, args.output, lang="nl", offline=True)
    print(f"Wrote {folder}/index.html")


if __name__ == "__main__":
    main()
