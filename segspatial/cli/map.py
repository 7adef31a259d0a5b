"""``segspatial map``: a choropleth of one index per area (PNG/SVG/PDF or HTML)."""

from __future__ import annotations

import argparse

from segspatial.cli._common import one_value, read_options, require_protected
from segspatial.cli._console import console_of
from segspatial.cli._figures import (
    HTML_SUFFIXES,
    STATIC_SUFFIXES,
    add_figure_words,
    add_map_output,
    figure_options,
    output_kind,
    save_figure,
    save_map,
    web_options,
)
from segspatial.cli._lazy import read_table
from segspatial.cli._location import (
    add_boundaries_argument,
    area_code,
    boundary_file,
    read_area_boundaries,
)
from segspatial.cli._options import add_group, deprecated_alias, python_names


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "map",
        help="draw a choropleth of an index per area (static or interactive)",
        description="Join a results table to area boundaries and draw one index for one "
        "year and comparison, on the report's fixed scale (0 dark green to 0.8 dark "
        "red). Areas without a value are grey ('no data'); values below 0 or above 0.8 "
        "have colours of their own. The title and legend say what is shown in words "
        "(--lang nl: in Dutch, with decimal commas); the legend never covers the map. "
        "Results whose area codes match no boundary feature are an error. With "
        "--min-cell N, RESULTS must come from `segspatial indices --min-cell N`.",
    )
    p.add_argument("results", metavar="RESULTS", help="results table (.csv or .parquet)")
    add_boundaries_argument(p, "area polygons (GeoJSON, TopoJSON, GeoPackage, "
                            "Shapefile, GeoParquet)")
    add_group(p, "select", only=("index", "comparison", "bandwidth", "in_year"),
              required=("index",), one=("comparison", "bandwidth"),
              default_text={"comparison": "the only one in the results"})
    p.add_argument("--scheme", metavar="NAME",
                   help="classes: 'massey_denton' (0-0.3-0.6-1) or a mapclassify scheme "
                   "such as quantiles, natural_breaks (default: a continuous scale)")
    p.add_argument("--classes", type=int, default=5, metavar="N",
                   help="number of classes of a mapclassify scheme (default: 5)")
    add_group(p, "boundaries", default_text={"boundaries": "the BOUNDARIES argument"})
    add_figure_words(p)
    add_map_output(p)
    for old, new in (("--crs", "--boundaries-crs"), ("--layer", "--boundaries-layer"),
                     ("--name-column", "--area-name"), ("--k", "--classes"),
                     ("--year", "--in-year")):
        deprecated_alias(p, old, new)
    python_names(p, k="--classes", name="--area-name", crs="--boundaries-crs")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    kind = output_kind(args.output, HTML_SUFFIXES + STATIC_SUFFIXES)
    options = web_options(args, kind)
    results = read_table(args.results, text_columns=["area", "comparison"],
                         **read_options(args))
    require_protected(results, args.min_cell, args.results)
    boundaries = read_area_boundaries(args, boundary_file(args))
    common = dict(index=args.index, area_code=area_code(args), name=args.area_name,
                  comparison=one_value(args, "comparison", "a map"), year=args.in_year,
                  bandwidth=one_value(args, "bandwidth", "a map"), scheme=args.scheme,
                  k=args.classes, **figure_options(args))
    if kind == "html":
        from segspatial.webmap import choropleth_map

        path = save_map(choropleth_map(results, boundaries, **common, **options), args.output)
    else:
        from segspatial.plot import choropleth

        ax = choropleth(results, boundaries, **common)
        path = save_figure(ax.figure, args.output)
    console_of(args).wrote(path, "map")
    return 0


__all__ = ["register", "run"]
