"""``segspatial boundaries``: download CBS boundaries (cached) and describe boundary files."""

from __future__ import annotations

import argparse
import sys

from segspatial.boundaries import (
    BASE_URL,
    LEVELS,
    PROJECTIONS,
    BoundaryFetchError,
    boundaries_cache_dir,
    fetch_boundaries,
)
from segspatial.cli._common import CommandError
from segspatial.cli._console import terminal_text
from segspatial.cli._location import read_area_boundaries
from segspatial.cli._options import add_group, deprecated_alias


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "boundaries",
        help="download CBS boundaries (municipalities, ...) or describe a boundary file",
        description="Download CBS region boundaries (gebiedsindelingen) from the public "
        "cartomap service into a cache folder, or describe a boundary file.",
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    f = actions.add_parser(
        "fetch", help="download one level and year (cached); prints the file path",
        description=f"Download <base-url>/<projection>/<level>_<year>.geojson (default "
        f"base URL {BASE_URL}) into the cache folder (--cache-dir, else $SEGSPATIAL_DATA/"
        f"boundaries, else {boundaries_cache_dir()}), check it and print its path. "
        "A cached file is not downloaded again.",
    )
    f.add_argument("--level", required=True, choices=LEVELS,
                   help="gemeente (municipalities), wijk (districts), provincie, "
                   "arbeidsmarktregio (labour-market regions)")
    f.add_argument("--year", required=True, type=int, help="year of the regional division")
    f.add_argument("--projection", default="rd", choices=PROJECTIONS,
                   help="rd = EPSG:28992 (RD New, metres; default), wgs84 = EPSG:4326")
    f.add_argument("--cache-dir", metavar="DIR", help="cache folder")
    f.add_argument("--base-url", default=BASE_URL, metavar="URL",
                   help="the service or a mirror (default: %(default)s)")
    f.add_argument("--timeout", type=float, default=60.0, metavar="S",
                   help="seconds to wait for the server (default: 60)")
    f.add_argument("--refresh", action="store_true", help="download even when cached")
    add_group(f, "output", only=("quiet",))
    f.set_defaults(handler=run_fetch)

    i = actions.add_parser(
        "info", help="describe a boundary file: layer, CRS, features, columns, repairs",
        description="Read a boundary file as `--areas-from` and `join` do and describe it.",
    )
    i.add_argument("path", metavar="BOUNDARIES", help="boundary file")
    add_group(i, "boundaries", only=("boundaries_crs", "boundaries_layer"))
    add_group(i, "output", only=("quiet",))
    deprecated_alias(i, "--layer", "--boundaries-layer")
    i.set_defaults(handler=run_info)


def run_fetch(args: argparse.Namespace) -> int:
    try:
        path = fetch_boundaries(args.level, args.year, projection=args.projection,
                                cache_dir=args.cache_dir, base_url=args.base_url,
                                timeout=args.timeout, refresh=args.refresh)
    except BoundaryFetchError as exc:
        raise CommandError(str(exc)) from None
    print(path)
    return 0


def run_info(args: argparse.Namespace) -> int:
    gdf = read_area_boundaries(args, args.path)
    columns = [str(c) for c in gdf.columns if c != gdf.geometry.name]
    kinds = gdf.geom_type.fillna("none").value_counts()
    lines = [
        f"file: {gdf.attrs['source']}",
        f"layer: {gdf.attrs['layer']}",
        f"crs: {gdf.crs.to_string()}" + (" (assumed)" if gdf.attrs["crs_assumed"] else ""),
        f"features: {len(gdf):,}",
        "geometry types: " + ", ".join(f"{k} {v:,}" for k, v in kinds.items()),
        f"repaired geometries: {gdf.attrs['repaired']:,}",
        f"features without geometry: {gdf.attrs['null_geometries']:,}",
        "bounds: " + ", ".join(f"{v:.6g}" for v in gdf.total_bounds),
        f"columns: {', '.join(columns)}",
    ]
    # names from the file (layer, columns) are data: no escape sequence reaches the terminal
    print(terminal_text("\n".join(lines)), file=sys.stdout)
    return 0


__all__ = ["register", "run_fetch", "run_info"]
