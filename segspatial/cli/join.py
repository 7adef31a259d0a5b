"""``segspatial join``: results on polygons, one column per index, for maps and GIS."""

from __future__ import annotations

import argparse
import sys

from segspatial.cli._common import add_disclosure_option, require_protected
from segspatial.cli._location import geometry_notes
from segspatial.io import read_table


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "join",
        help="join a results table to area boundaries (GeoPackage/GeoJSON/GeoParquet)",
        description="Join the tidy results of `segspatial indices` to area polygons: one "
        "feature per area (per year and comparison), one column per index. Every "
        "boundary feature is kept (areas without results get empty values); results "
        "for areas without a polygon are reported.",
    )
    p.add_argument("results", metavar="RESULTS", help="results table (.csv or .parquet)")
    p.add_argument("boundaries", metavar="BOUNDARIES",
                   help="boundary file (GeoJSON, TopoJSON, GeoPackage, Shapefile, "
                   "GeoParquet); a path with {year} joins each year to its own boundaries")
    p.add_argument("--area-code", required=True, metavar="COL",
                   help="area code column of the boundaries (e.g. statcode)")
    p.add_argument("--area", default="area", metavar="COL",
                   help="area column of the results (default: area)")
    p.add_argument("--output", "-o", required=True, metavar="FILE",
                   help="output file: .gpkg, .geojson or .parquet (GeoParquet)")
    p.add_argument("--boundaries-crs", metavar="CRS",
                   help="CRS of the boundary file when it has none")
    p.add_argument("--quiet", "-q", action="store_true", help="do not print the summary")
    p.add_argument("--sep", default=None, help="CSV separator of RESULTS (default: guessed)")
    add_disclosure_option(p, "RESULTS must come from `segspatial indices --min-cell N`")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from segspatial.geo import join_areas, write_geo

    results = read_table(args.results, text_columns=[args.area], sep=args.sep)
    require_protected(results, args.min_cell, args.results)
    with geometry_notes("join"):
        joined = join_areas(results, args.boundaries, args.area_code, area=args.area,
                            crs=args.boundaries_crs)
    path = write_geo(joined, args.output)
    if not args.quiet:
        attrs = joined.attrs
        n_columns = len(attrs["index_columns"])
        lines = [
            f"wrote {len(joined):,} features with {n_columns} index columns "
            f"({', '.join(attrs['index_columns'])}) to {path}",
            f"{attrs['n_areas_without_results']:,} features have no results (empty values).",
        ]
        if attrs["unmatched_areas"]:
            lines.append(f"{len(attrs['unmatched_areas']):,} areas in the results have no "
                         f"polygon ({attrs['n_unmatched_rows']:,} results rows): "
                         + ", ".join(map(str, attrs["unmatched_areas"][:10]))
                         + (" ..." if len(attrs["unmatched_areas"]) > 10 else ""))
        print("\n".join(lines), file=sys.stderr)
    return 0


__all__ = ["register", "run"]
