"""``segspatial schools``: a school map (circles by pupils, coloured by share of A)."""

from __future__ import annotations

import argparse
import sys

from segspatial.cli._common import CommandError, add_read_options
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
        "schools",
        help="map schools: circles sized by pupils, coloured by their share of group A",
        description="Draw one row per school as a circle sized by its pupils and "
        "coloured by its share of group A, on a diverging scale centred on its area's "
        "share. Interactive (.html, with tooltips and popups) or static. With "
        "--min-cell N (.html and static output) no school shows a group count: its share "
        "is a band of 10 percentage points, its pupils are rounded, a school with fewer "
        "than N pupils in either group is grey, the area's share is in whole percents "
        "and local measures are not shown.",
    )
    p.add_argument("counts", metavar="COUNTS", help="counts file (.csv or .parquet)")
    p.add_argument("--unit", required=True, metavar="COL", help="school id column")
    p.add_argument("--group-a", required=True, metavar="COL", help="group A count column")
    p.add_argument("--group-b", required=True, metavar="COL", help="group B count column")
    p.add_argument("--x", required=True, metavar="COL", help="x (easting/longitude) column")
    p.add_argument("--y", required=True, metavar="COL", help="y (northing/latitude) column")
    p.add_argument("--crs", required=True, metavar="CRS",
                   help="CRS of x and y, e.g. EPSG:28992 (RD New) or EPSG:4326")
    p.add_argument("--name", metavar="COL", help="school name column")
    p.add_argument("--total", metavar="COL", help="pupils column for circle sizes")
    p.add_argument("--area", metavar="COL", help="area (municipality) column")
    p.add_argument("--only", nargs="+", metavar="CODE",
                   help="only these areas (needs --area)")
    p.add_argument("--year", metavar="COL", help="year column (one year is drawn)")
    p.add_argument("--in-year", metavar="Y", help="the year to draw (default: the latest)")
    p.add_argument("--measures", nargs="+", metavar="COL",
                   help="per-school columns for the popups (default: p, p_local, gap, "
                   "d_contribution, spatial_d_contribution when present)")
    p.add_argument("--boundaries", metavar="FILE", help="area polygons for the outline")
    p.add_argument("--area-code", metavar="COL",
                   help="boundaries column with the area codes (default: statcode)")
    p.add_argument("--output", "-o", required=True, metavar="FILE",
                   help="output: .html (interactive), .png, .svg or .pdf")
    add_web_options(p)
    add_read_options(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    kind = output_kind(args.output, HTML_SUFFIXES + STATIC_SUFFIXES)
    options = web_options(args, kind)
    if args.only and not args.area:
        raise CommandError("--only needs --area (the column with the area codes)")
    if args.in_year and not args.year:
        raise CommandError("--in-year needs --year (the year column)")
    text = [c for c in (args.unit, args.area, args.name) if c]
    data = read_table(args.counts, text_columns=text, sep=args.sep, encoding=args.encoding)
    if args.only:
        codes = data[args.area].astype(str)
        unknown = sorted(set(args.only) - set(codes))
        if unknown:
            raise ValueError(f"--only {unknown!r} not found in column {args.area!r}; e.g. "
                             f"{sorted(codes.unique())[:5]!r}")
        data = data[codes.isin(args.only)]
    if args.year:
        if args.year not in data.columns:
            raise ValueError(f"--year {args.year!r} is not a column of {args.counts!r}")
        years = data[args.year]
        wanted = years.max() if args.in_year is None else args.in_year
        mask = years.astype(str) == str(wanted)
        if not mask.any():
            raise ValueError(f"--in-year {wanted!r} not in column {args.year!r}; available: "
                             f"{sorted(years.dropna().unique().tolist())!r}")
        data = data[mask]
    boundaries = None
    if args.boundaries:
        from segspatial.geo import read_boundaries

        boundaries = read_boundaries(args.boundaries)
        code = args.area_code or "statcode"
        if code not in boundaries.columns:
            raise ValueError(f"--area-code {code!r} is not a column of {args.boundaries!r}; "
                             f"it has {list(map(str, boundaries.columns))!r}")
        if args.area:
            boundaries = boundaries[boundaries[code].astype(str).isin(
                set(data[args.area].astype(str)))]
    common = dict(x=args.x, y=args.y, crs=args.crs, name=args.name, area=args.area,
                  total=args.total, boundaries=boundaries)
    if kind == "html":
        from segspatial.webmap import school_webmap

        m = school_webmap(data, args.unit, args.group_a, args.group_b, **common,
                          measures=args.measures, **options)
        path = save_map(m, args.output)
    else:
        from segspatial.plot import school_map

        ax = school_map(data, args.unit, args.group_a, args.group_b, **common,
                        min_cell=args.min_cell)
        path = save_figure(ax.figure, args.output)
    print(f"wrote school map to {path}", file=sys.stderr)
    return 0


__all__ = ["register", "run"]
