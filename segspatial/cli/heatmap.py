"""``segspatial heatmap``: the report's grid of areas x years (figures 1-7)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from segspatial.cli._common import (
    add_disclosure_option,
    add_read_options,
    require_protected,
)
from segspatial.cli._figures import STATIC_SUFFIXES, output_kind, save_figure
from segspatial.io import read_table
from segspatial.schema import has_values

_GEO_SUFFIXES = (".geojson", ".json", ".topojson", ".gpkg", ".shp", ".zip")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "heatmap",
        help="draw the report's grid: areas (by pupils) x years, cells coloured",
        description="Areas as rows (largest number of pupils on top), years as columns, "
        "each cell coloured on the report's fixed scale with its value printed. With "
        "several comparisons, one grid per comparison side by side.",
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
    p.add_argument("--output", "-o", required=True, metavar="FILE",
                   help="output: .png, .svg or .pdf")
    add_disclosure_option(p, "RESULTS must come from `segspatial indices --min-cell N`")
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
    from segspatial.plot import report_grid, report_grids

    output_kind(args.output, STATIC_SUFFIXES)
    results = read_table(args.results, text_columns=["area", "comparison"], sep=args.sep,
                         encoding=args.encoding)
    require_protected(results, args.min_cell, args.results)
    names = _names(args.names) if args.names else None
    several = (args.comparison is not None and len(args.comparison) > 1) or (
        args.comparison is None and has_values(results, "comparison")
        and results["comparison"].nunique() > 1)
    if several:
        axes = report_grids(results, index=args.index, comparisons=args.comparison,
                            bandwidth=args.bandwidth, names=names)
        figure = axes[0].figure
    else:
        comparison = args.comparison[0] if args.comparison else None
        figure = report_grid(results, index=args.index, comparison=comparison,
                             bandwidth=args.bandwidth, names=names).figure
    path = save_figure(figure, args.output)
    print(f"wrote grid to {path}", file=sys.stderr)
    return 0


__all__ = ["register", "run"]
