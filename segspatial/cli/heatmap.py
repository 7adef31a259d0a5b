"""``segspatial heatmap``: the report's grid of areas x years (figures 1-7)."""

from __future__ import annotations

import argparse
from pathlib import Path

from segspatial.cli._common import CommandError, one_value, read_options, require_protected
from segspatial.cli._console import console_of
from segspatial.cli._figures import (
    STATIC_SUFFIXES,
    add_figure_words,
    figure_options,
    output_kind,
    save_pages,
)
from segspatial.cli._lazy import read_table
from segspatial.cli._location import read_area_boundaries
from segspatial.cli._options import add_group, deprecated_alias

_GEO_SUFFIXES = (".geojson", ".json", ".topojson", ".gpkg", ".shp", ".zip", ".geoparquet")


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
        "(grid-1.png, grid-2.png, ...). Rows are labelled with the area names of "
        "--boundaries FILE (codes and names from --area-code and --area-name), which "
        "may also be a table (CSV/Parquet) with columns 'area' and 'area_name'. With "
        "--min-cell N, RESULTS must come from `segspatial indices --min-cell N`.",
    )
    p.add_argument("results", metavar="RESULTS", help="results table (.csv or .parquet)")
    add_group(p, "select", only=("index", "comparison", "bandwidth"), required=("index",),
              one=("bandwidth",), default_text={"comparison": "all, one grid each"})
    add_group(p, "boundaries", default_text={
        "boundaries": "none: rows are labelled by area code"})
    deprecated_alias(p, "--names", "--boundaries")
    p.add_argument("--rows-per-page", type=int, default=50, metavar="N",
                   help="areas per page (default: 50, about an A4 page; 0: all on one page)")
    add_figure_words(p)
    add_group(p, "output", only=("output", "quiet"), required=("output",),
              output_help="output: .png, .svg or .pdf")
    add_group(p, "disclosure")
    add_group(p, "reading")
    p.set_defaults(handler=run)


def _names(args: argparse.Namespace) -> dict[str, str]:
    path = args.boundaries
    if Path(path).suffix.lower() in _GEO_SUFFIXES:
        from segspatial._mapdata import area_geometries

        geo = area_geometries(read_area_boundaries(args, path), args.area_code,
                              args.area_name)
        return dict(zip(geo["code"], geo["name"], strict=True))
    table = read_table(path, text_columns=["area"], **read_options(args))
    code, name = args.area_code or "area", args.area_name or "area_name"
    missing = [c for c in (code, name) if c not in table.columns]
    if missing:
        raise ValueError(f"--boundaries {path!r} has no column(s) {missing!r}; it has "
                         f"{list(map(str, table.columns))!r}")
    return dict(zip(table[code].astype(str), table[name].astype(str), strict=True))


def run(args: argparse.Namespace) -> int:
    from segspatial.plot import grid_pages

    output_kind(args.output, STATIC_SUFFIXES)
    if args.rows_per_page < 0:
        raise CommandError(f"--rows-per-page must be 0 (all on one page) or more, got "
                           f"{args.rows_per_page}")
    results = read_table(args.results, text_columns=["area", "comparison"],
                         **read_options(args))
    require_protected(results, args.min_cell, args.results)
    names = _names(args) if args.boundaries else None
    pages = grid_pages(results, index=args.index, comparisons=args.comparison,
                       bandwidth=one_value(args, "bandwidth", "a grid"), names=names,
                       rows_per_page=args.rows_per_page or None, **figure_options(args))
    paths = save_pages(pages, args.output)
    if len(paths) == 1:
        console_of(args).wrote(paths[0], "grid" if len(pages) == 1 else "grid_pages",
                               pages=len(pages))
    for number, path in enumerate(paths if len(paths) > 1 else [], start=1):
        console_of(args).wrote(path, "grid_page", number=number, pages=len(paths))
    return 0


__all__ = ["register", "run"]
