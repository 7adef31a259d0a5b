"""The real 2019 case, end to end: indices, spatial indices, a map and a report.

Builds the reference case from the public data in ``../shared/data`` (6,295 regular
primary schools, 355 municipalities; group A = pupils with an educational-
disadvantage background, a proxy for the report's low-parental-education group),
then:

1. computes the report's indices per municipality (filters: schools >= 50 pupils,
   municipalities >= 10,000 pupils) and the spatial indices at 1 and 4 km;
2. prints the most and least segregated municipalities, with what the spatial
   indices say about *where* the segregation is;
3. joins the results to the 2019 municipality boundaries and draws a choropleth on
   the report's fixed scale (PNG) and an offline interactive map (HTML);
4. writes the HTML report for Amsterdam and Rotterdam.

Run: ``python examples/real_2019_case.py [--data ../shared/data] [--output out]``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import segspatial as ss
from segspatial.datasets import find_data_dir, real_2019_case
from segspatial.report import report_data, write_report
from segspatial.spatial import spatial_segregation


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=None, help="folder like ../shared/data")
    parser.add_argument("--output", default="real-2019-output")
    args = parser.parse_args(argv)
    data_dir = find_data_dir(args.data)
    if data_dir is None:
        raise SystemExit("public data not found: pass --data PATH (a folder like "
                         "../shared/data) or set SEGSPATIAL_SHARED_DATA")
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)

    schools = real_2019_case(data_dir)
    print(f"{len(schools):,} schools, {schools['pupils'].sum():,} pupils, "
          f"{schools['municipality'].nunique()} municipalities")

    # 1. aspatial + spatial indices, one tidy table
    result = spatial_segregation(
        schools, "school", "a", "b", x="x", y="y", crs=ss.datasets.REAL_2019_CRS,
        area="municipality", total="pupils", bandwidth=[1000, 4000], rng=2019,
    )
    table = result.table
    names = schools.drop_duplicates("municipality").set_index("municipality")
    d = table[table["index"] == "dissimilarity"].set_index("area")["value"]
    left_out = ss.exclusions_summary(result.exclusions)
    print(f"\n{len(d)} municipalities pass the report's filters; left out:")
    for row in left_out.itertuples():
        print(f"  {row.reason}: {int(row.n_units):,} schools, {row.n_pupils:,.0f} pupils")

    # 2. where is the segregation? High spatial D at 4 km: between parts of the town;
    # spatial D falling fast with distance and a low Moran's I: between neighbours.
    print(f"\n{'municipality':<22}{'D':>7}{'D*':>7}{'spatial D 1 km':>16}"
          f"{'4 km':>7}{'Moran I':>9}")
    for code in d.sort_values(ascending=False).index:
        print(f"{names.loc[code, 'municipality_name'][:21]:<22}{d[code]:7.3f}"
              f"{_value(table, code, 'dissimilarity_standardised'):7.3f}"
              f"{_value(table, code, 'spatial_dissimilarity', 1000):16.3f}"
              f"{_value(table, code, 'spatial_dissimilarity', 4000):7.3f}"
              f"{_value(table, code, 'morans_i', 1000):9.3f}")

    # 3. on the map
    boundaries = ss.read_boundaries(data_dir / "boundaries" / "nl_maps_rd_gemeente_2019.geojson")
    from segspatial import plot, webmap
    from segspatial.geo import write_geo

    ax = plot.choropleth(table, boundaries, area_code="statcode", index="dissimilarity")
    ax.figure.savefig(out / "dissimilarity_2019.png", dpi=120)
    webmap.choropleth_map(table, boundaries, area_code="statcode", index="dissimilarity",
                          offline=True).save(str(out / "dissimilarity_2019.html"))
    write_geo(ss.join_areas(table, boundaries, "statcode"), out / "results_2019.gpkg")

    # 4. a report for two municipalities
    aspatial = ss.segregation(schools, "school", "a", "b", area="municipality",
                              total="pupils")
    pages = report_data(aspatial, schools, unit="school", x="x", y="y",
                        crs=ss.datasets.REAL_2019_CRS, name="school_name",
                        boundaries=boundaries, area_code="statcode", area_name="statnaam",
                        only=["GM0363", "GM0599"],
                        group_labels={"a": "disadvantaged", "b": "other"})
    index = write_report(pages, out / "report", offline=True, min_cell=10)
    print(f"\nwrote {out / 'dissimilarity_2019.png'}, {out / 'dissimilarity_2019.html'}, "
          f"{out / 'results_2019.gpkg'} and the report {index}")


def _value(table, area: str, index: str, bandwidth: float | None = None) -> float:
    rows = table[(table["area"] == area) & (table["index"] == index)]
    if bandwidth is not None:
        rows = rows[rows["bandwidth"] == bandwidth]
    return float(rows["value"].iloc[0]) if len(rows) else float("nan")


if __name__ == "__main__":
    main()
