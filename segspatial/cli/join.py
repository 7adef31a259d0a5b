"""``segspatial join``: results on polygons, one column per index, for maps and GIS."""

from __future__ import annotations

import argparse

from segspatial.cli._common import read_options, require_protected
from segspatial.cli._console import console_of
from segspatial.cli._lazy import read_table
from segspatial.cli._location import (
    add_boundaries_argument,
    area_code,
    boundary_file,
    read_area_boundaries,
)
from segspatial.cli._options import add_group, python_names

_SHOWN = 10


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "join",
        help="join a results table to area boundaries (GeoPackage/GeoJSON/GeoParquet)",
        description="Join the tidy results of `segspatial indices` to area polygons: one "
        "feature per area (per year and comparison), one column per index. Every "
        "boundary feature is kept (areas without results get empty values) and named; "
        "results for areas without a polygon are named too. With --min-cell N, RESULTS "
        "must come from `segspatial indices --min-cell N`.",
    )
    p.add_argument("results", metavar="RESULTS", help="results table (.csv or .parquet)")
    add_boundaries_argument(p, "area polygons (GeoJSON, TopoJSON, GeoPackage, "
                            "Shapefile, GeoParquet); a path with {year} joins each year "
                            "to its own boundaries")
    add_group(p, "columns", only=("area",), defaults={"area": "area"},
              default_text={"area": "area, the column `segspatial indices` writes"})
    add_group(p, "boundaries", default_text={"boundaries": "the BOUNDARIES argument"})
    add_group(p, "output", skip=("exclusions_output",), required=("output",),
              output_help="output file: .gpkg, .geojson or .parquet (GeoParquet)")
    add_group(p, "disclosure")
    add_group(p, "reading")
    python_names(p, crs="--boundaries-crs")
    p.set_defaults(handler=run)


def _named(codes: list, names: dict[str, str]) -> str:
    shown = [f"{c} ({names[c]})" if names.get(c) not in (None, c) else str(c)
             for c in codes[:_SHOWN]]
    return ", ".join(shown) + (f" and {len(codes) - _SHOWN:,} more" if len(codes) > _SHOWN
                               else "")


def run(args: argparse.Namespace) -> int:
    from segspatial._mapdata import guess_name_column
    from segspatial.geo import join_areas, write_geo

    code = area_code(args)
    boundaries = boundary_file(args)
    results = read_table(args.results, text_columns=[args.area], **read_options(args))
    require_protected(results, args.min_cell, args.results)
    if "{year}" in boundaries:  # one file per year: join_areas reads each
        joined = join_areas(results, boundaries, code, area=args.area,
                            crs=args.boundaries_crs, layer=args.boundaries_layer)
    else:  # read here: a wrong --area-code/--area-name names the flag and the file
        joined = join_areas(results, read_area_boundaries(args, boundaries), code,
                            area=args.area)
    path = write_geo(joined, args.output)
    attrs = joined.attrs
    name = guess_name_column(joined, args.area_name)
    names = ({} if name is None else dict(zip(joined[code].astype(str),
                                              joined[name].astype(str), strict=True)))
    lines = [f"wrote {len(joined):,} features with {len(attrs['index_columns'])} index "
             f"columns ({', '.join(attrs['index_columns'])}) to {path}"]
    missing = attrs["areas_without_results"]
    if missing:
        lines.append((f"{len(missing):,} boundary features have no results (empty values): "
                      if len(missing) != 1 else
                      "1 boundary feature has no results (empty values): ")
                     + _named(missing, names))
    else:
        lines.append("every boundary feature has results")
    console_of(args).say("\n".join(lines))
    return 0


__all__ = ["register", "run"]
