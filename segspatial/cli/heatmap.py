"""``segspatial heatmap``: the report's grid of areas x years (figures 1-7)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from segspatial.cli._common import CommandError, add_read_options
from segspatial.cli._figures import (
    STATIC_SUFFIXES,
    add_figure_options,
    figure_options,
    output_kind,
    save_pages,
)
from segspatial.io import read_table

_GEO_SUFFIXES = (".geojson", ".json", ".topojson", ".gpkg", ".shp", ".zip")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "heatmap",
        help="draw the report's grid: areas (by pupils) x years, cells coloured",
        description="Areas as rows (largest number of pupils on top), years as columns, "
        "each cell coloured on the report's fixed scale with its value printed. With "
        "several comparisons, one grid per comparison side by side. With a single year: "
        "a ranking (areas sorted by value, one dot each), or with several comparisons "
        "one grid with the comparisons as columns. More areas than --rows-per-page "
        "give several pages: one multi-page PDF, or numbered PNG/SVG files "
        "(grid-1.png, grid-2.png, ...).",
    )
    p.add_argument("results", metavar="RESULTS", help="results table (.csv or .parquet)")
    p.add_argument("--index", required=True, metavar="NAME", help="the index to show")
    p.add_argument("--comparison", nargs="+", metavar="C",
                   help="comparison(s) to show side by side (default: all)")
    p.add_argument("--bandwidth", type=float, metavar="M",
                   help="the bandwidth of a spatial index with several")
    p.add_argument("--names", metavar="FILE",
                   help="row labels: a table with columns 'area' and 'area_name', or a "
                   "boundary file with statcode/statnaam")
    p.add_argument("--rows-per-page", type=int, default=50, metavar="N",
                   help="areas per page (default: 50, about an A4 page; 0: all on one page)")
    p.add_argument("--output", "-o", required=True, metavar="FILE",
                   help="output: .png, .svg or .pdf")
    add_figure_options(p)
    add_read_options(p)
    p.set_defaults(handler=run)


def _names(path: str):
    if Path(path).suffix.lower() in _GEO_SUFFIXES:
        from segspatial.geo import read_boundaries

        table = read_boundaries(path)
        code, name = "statcode", "statnaam"
    else:
        table = read_table(path, text_columns=["area"])
        code, name = "area", "area_name"
    missing = [c for c in (code, name) if c not in table.columns]
    if missing:
        raise ValueError(f"--names {path!r} has no column(s) {missing!r}; it has "
                         f"{list(map(str, table.columns))!r}")
    return dict(zip(table[code].astype(str), table[name].astype(str), strict=True))


def run(args: argparse.Namespace) -> int:
    from segspatial.plot import grid_pages

    output_kind(args.output, STATIC_SUFFIXES)
    if args.rows_per_page < 0:
        raise CommandError(f"--rows-per-page must be 0 (all on one page) or more, got "
                           f"{args.rows_per_page}")
    results = read_table(args.results, text_columns=["area", "comparison"], sep=args.sep,
                         encoding=args.encoding)
    names = _names(args.names) if args.names else None
    pages = grid_pages(results, index=args.index, comparisons=args.comparison,
                       bandwidth=args.bandwidth, names=names,
                       rows_per_page=args.rows_per_page or None, **figure_options(args))
    paths = save_pages(pages, args.output)
    if len(paths) == 1:
        what = "grid" if len(pages) == 1 else f"grid ({len(pages)} pages)"
        print(f"wrote {what} to {paths[0]}", file=sys.stderr)
    else:
        print(f"wrote {len(paths)} pages of the grid to {paths[0]} ... {paths[-1]}",
              file=sys.stderr)
    return 0


__all__ = ["register", "run"]
