"""``segspatial report``: HTML pages per municipality and an index page with a map."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC

from segspatial.cli._common import (
    CommandError,
    add_disclosure_option,
    add_filter_options,
    add_read_options,
    format_exclusions,
)
from segspatial.cli._pupils import add_pupil_options, check_counts_mode, compute_pupils
from segspatial.io import read_table

__all__ = ["register", "run"]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report",
        help="write HTML reports: one page per municipality and an index page",
        description="Compute the indices (aspatial and spatial) and write a folder of "
        "self-contained HTML pages: index.html with a national map and a sortable table, "
        "and one page per municipality (named after its code) with the indices per "
        "comparison, trends, school maps, the spatial analysis with a plain-words "
        "interpretation, what was left out, and the method.",
    )
    p.add_argument("input", metavar="INPUT",
                   help="counts file (one row per school per year) or, with --pupils, "
                   "pupil-level file (.csv, .parquet)")
    p.add_argument("--unit", required=True, metavar="COL", help="unit (school) column")
    p.add_argument("--group-a", metavar="COL", help="group A count column (counts input)")
    p.add_argument("--group-b", metavar="COL", help="group B count column (counts input)")
    p.add_argument("--label-a", metavar="TEXT", help="how to call group A in the pages")
    p.add_argument("--label-b", metavar="TEXT", help="how to call group B in the pages")
    p.add_argument("--area", required=True, metavar="COL",
                   help="area (municipality) code column, matching --area-code")
    p.add_argument("--year", metavar="COL", help="year column")
    p.add_argument("--total", metavar="COL",
                   help="all pupils of the unit, including pupils in neither group")
    add_filter_options(p)
    add_pupil_options(p)
    where = p.add_argument_group("locations and areas")
    where.add_argument("--x", required=True, metavar="COL", help="school x column")
    where.add_argument("--y", required=True, metavar="COL", help="school y column")
    where.add_argument("--crs", required=True, metavar="CRS",
                       help="projected CRS of --x/--y in metres, e.g. EPSG:28992")
    where.add_argument("--name", metavar="COL", help="school name column")
    where.add_argument("--locations", metavar="FILE",
                       help="file with the schools' --unit, --x, --y (and --name) columns "
                       "(default: INPUT; needed for pupil-level input without them)")
    where.add_argument("--boundaries", required=True, metavar="FILE",
                       help="area polygons (GeoJSON, TopoJSON, GeoPackage, ...)")
    where.add_argument("--area-code", default="statcode", metavar="COL",
                       help="boundaries column with the area codes (default: statcode)")
    where.add_argument("--area-name", metavar="COL",
                       help="boundaries column with the area names (default: statnaam)")
    where.add_argument("--only", nargs="+", metavar="CODE",
                       help="pages for these area codes only")
    spatial = p.add_argument_group("spatial indices")
    spatial.add_argument("--bandwidth", nargs="+", type=float, metavar="M",
                         help="bandwidths in metres (default: 500 1000 2000 4000)")
    spatial.add_argument("--kernel", choices=("gaussian", "biweight", "boxcar"),
                         help="distance kernel (default: gaussian)")
    spatial.add_argument("--districts", metavar="FILE",
                         help="district polygons for the between/within split of H "
                         "(default: squares of --district-size metres)")
    spatial.add_argument("--district-code", metavar="COL",
                         help="districts column with their codes (e.g. statcode)")
    spatial.add_argument("--district-size", type=float, default=2000.0, metavar="M",
                         help="side of the default square districts (default: 2000)")
    spatial.add_argument("--permutations", type=int, default=999, metavar="N",
                         help="permutations for Moran's I p-value (default: 999)")
    spatial.add_argument("--seed", type=int, default=0,
                         help="seed of the permutations (default: 0)")
    pages = p.add_argument_group("pages")
    pages.add_argument("--lang", choices=("en", "nl"), default="en",
                       help="language of the pages (default: en)")
    pages.add_argument("--offline", action="store_true",
                       help="embed the map library (Leaflet): pages work without internet")
    pages.add_argument("--stamp", action="store_true",
                       help="show the date and time of writing (pages then differ per run)")
    p.add_argument("--output", "-o", required=True, metavar="DIR",
                   help="report folder (replaced atomically when it holds a report)")
    p.add_argument("--quiet", "-q", action="store_true",
                   help="no progress bar and no summary")
    add_disclosure_option(p)
    add_read_options(p)
    p.set_defaults(handler=run)


def _compute(args: argparse.Namespace):
    from segspatial.compute import segregation

    if args.pupils:
        result = compute_pupils(args)
        return result, None
    check_counts_mode(args)
    columns = [c for c in (args.unit, args.group_a, args.group_b, args.area, args.year,
                           args.total) if c]
    if args.locations is None:
        columns += [c for c in (args.x, args.y, args.name) if c]
    data = read_table(args.input, columns=list(dict.fromkeys(columns)),
                      text_columns=[args.unit, args.area] + ([args.name] if args.name else []),
                      sep=args.sep, encoding=args.encoding)
    result = segregation(data, args.unit, args.group_a, args.group_b, area=args.area,
                         year=args.year, total=args.total, min_unit_size=args.min_unit_size,
                         min_area_size=args.min_area_size)
    return result, data


def run(args: argparse.Namespace) -> int:
    from segspatial.report import report_data, write_report

    if args.pupils and args.locations is None:
        raise CommandError("--pupils needs --locations: a file with the schools' "
                           f"{args.unit!r}, {args.x!r} and {args.y!r} columns")
    if args.district_code and not args.districts:
        raise CommandError("--district-code is used with --districts")
    if args.districts and not args.district_code:
        raise CommandError("--districts needs --district-code: the districts' code column")
    result, data = _compute(args)
    if args.locations is not None:
        columns = [c for c in (args.unit, args.x, args.y, args.name) if c]
        locations = read_table(args.locations, columns=columns,
                               text_columns=[args.unit] + ([args.name] if args.name else []),
                               sep=args.sep, encoding=args.encoding)
    else:
        locations = data
    labels = {k: v for k, v in (("a", args.label_a), ("b", args.label_b)) if v}
    if labels and args.pupils:
        raise CommandError("--label-a/--label-b are for counts input; pupil groups have "
                           "their own labels")
    inputs = [args.input] + ([args.locations] if args.locations else []) + [args.boundaries]
    report = report_data(
        result, locations, unit=args.unit, x=args.x, y=args.y, crs=args.crs, name=args.name,
        boundaries=args.boundaries, area_code=args.area_code, area_name=args.area_name,
        only=args.only, group_labels=labels, bandwidth=args.bandwidth, kernel=args.kernel,
        districts=args.districts, district_code=args.district_code,
        district_size=args.district_size, permutations=args.permutations, rng=args.seed,
        inputs=inputs)
    stamp = None
    if args.stamp:
        from datetime import datetime

        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    progress = not args.quiet and sys.stderr.isatty()
    index = write_report(report, args.output, lang=args.lang, offline=args.offline,
                         min_cell=args.min_cell, stamp=stamp, progress=progress)
    if not args.quiet:
        print(f"Wrote {len(report.areas) + 1} pages; open {index}", file=sys.stderr)
        exclusions = report.exclusions
        if args.min_cell is not None:  # as the index page adds them up: per area
            from segspatial.disclosure import policy, protect_exclusions

            keys = [c for c in ("reason", "comparison", "theme", "area", "description")
                    if c in exclusions.columns]
            per_area = exclusions.groupby(keys, sort=False, dropna=False,
                                          as_index=False)[["n_units", "n_pupils"]].sum()
            exclusions = protect_exclusions(per_area, policy(args.min_cell))
        print(format_exclusions(exclusions, args.min_cell), file=sys.stderr)
    return 0
