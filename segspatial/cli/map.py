"""``segspatial map``: a choropleth of one index per area (PNG/SVG/PDF or HTML)."""

from __future__ import annotations

import argparse
import sys

from segspatial.cli._common import add_read_options, require_protected
from segspatial.cli._figures import (
    HTML_SUFFIXES,
    STATIC_SUFFIXES,
    add_web_options,
    output_kind,
    save_figure,
    save_map,
    web_options,
)
from segspatial.io import read_table


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "map",
        help="draw a choropleth of an index per area (static or interactive)",
        description="Join a results table to area boundaries and draw one index for one "
        "year and comparison, on the report's fixed scale (0 dark green to 0.8 dark "
        "red). Areas without a value are grey ('no data').",
    )
    p.add_argument("results", metavar="RESULTS", help="results table (.csv or .parquet)")
    p.add_argument("boundaries", metavar="BOUNDARIES",
                   help="area polygons (GeoJSON, TopoJSON, GeoPackage, Shapefile, ...)")
    p.add_argument("--area-code", required=True, metavar="COL",
                   help="boundaries column with the area codes of the results' 'area'")
    p.add_argument("--index", required=True, metavar="NAME", help="the index to map")
    p.add_argument("--comparison", metavar="C", help="the comparison (pupil data)")
    p.add_argument("--year", metavar="Y", help="the year (default: the latest)")
    p.add_argument("--bandwidth", type=float, metavar="M",
                   help="the bandwidth of a spatial index with several")
    p.add_argument("--name-column", metavar="COL",
                   help="boundaries column with area names (default: statnaam or name)")
    p.add_argument("--scheme", metavar="NAME",
                   help="classes: 'massey_denton' (0-0.3-0.6-1) or a mapclassify scheme "
                   "such as quantiles, natural_breaks (default: a continuous scale)")
    p.add_argument("--k", type=int, default=5, help="number of classes (default: 5)")
    p.add_argument("--crs", metavar="CRS",
                   help="CRS of a boundary file that declares none (e.g. EPSG:4326)")
    p.add_argument("--layer", metavar="NAME", help="layer of a multi-layer boundary file")
    p.add_argument("--output", "-o", required=True, metavar="FILE",
                   help="output: .html (interactive), .png, .svg or .pdf")
    add_web_options(p)
    add_read_options(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from segspatial.geo import read_boundaries

    kind = output_kind(args.output, HTML_SUFFIXES + STATIC_SUFFIXES)
    options = web_options(args, kind)
    results = read_table(args.results, text_columns=["area", "comparison"], sep=args.sep,
                         encoding=args.encoding)
    require_protected(results, args.min_cell, args.results)
    boundaries = read_boundaries(args.boundaries, crs=args.crs, layer=args.layer)
    common = dict(index=args.index, area_code=args.area_code, name=args.name_column,
                  comparison=args.comparison, year=args.year, bandwidth=args.bandwidth,
                  scheme=args.scheme, k=args.k)
    if kind == "html":
        from segspatial.webmap import choropleth_map

        path = save_map(choropleth_map(results, boundaries, **common, **options), args.output)
    else:
        from segspatial.plot import choropleth

        ax = choropleth(results, boundaries, **common)
        path = save_figure(ax.figure, args.output)
    print(f"wrote map to {path}", file=sys.stderr)
    return 0


__all__ = ["register", "run"]
