"""``segspatial report``: HTML pages per municipality and an index page with a map."""

from __future__ import annotations

import argparse
from datetime import UTC

from segspatial.cli._common import (
    CommandError,
    format_exclusions,
    read_options,
    require_rows,
)
from segspatial.cli._console import console_of
from segspatial.cli._lazy import read_table
from segspatial.cli._location import (
    X_COLUMN,
    Y_COLUMN,
    add_exclusions,
    area_code,
    area_column,
    locate_units,
    location_columns,
    read_area_boundaries,
)
from segspatial.cli._options import add_group
from segspatial.cli._pupils import check_counts_mode, compute_pupils

__all__ = ["register", "run"]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report",
        help="write HTML reports: one page per municipality and an index page",
        description="Compute the indices (aspatial and spatial) and write a folder of "
        "self-contained HTML pages: index.html with a national map and a sortable table, "
        "and one page per municipality (named after its code) with the indices per "
        "comparison, trends, school maps, the spatial analysis with a plain-words "
        "interpretation, what was left out, and the method. Schools are located as in "
        "`segspatial indices` (coordinates, postcodes, or both).",
    )
    p.add_argument("input", metavar="INPUT",
                   help="counts file (one row per school per year) or, with --pupils, "
                   "pupil-level file (.csv, .parquet)")
    add_group(p, "columns", required=("unit",))
    add_group(p, "labels")
    add_group(p, "filters")
    add_group(p, "pupils")
    add_group(p, "location")
    p.add_argument_group("locations from another file").add_argument(
        "--locations", metavar="FILE",
        help="file with the schools' --unit and location columns (and --name), read "
        "with the options above (default: INPUT; needed for pupil-level input)")
    add_group(p, "areas")
    add_group(p, "boundaries")
    add_group(p, "select", only=("only",))
    add_group(p, "spatial", skip=("k", "context", "spatial_indices", "definition",
                                  "morrill_clip"),
              default_text={"bandwidth": "500 1000 2000 4000"})
    add_group(p, "random")
    add_group(p, "pages")
    add_group(p, "web", skip=("tiles",))
    add_group(p, "disclosure")
    add_group(p, "output", skip=("exclusions_output",), required=("output",),
              metavar={"output": "DIR"},
              output_help="report folder (replaced atomically when it holds a report)")
    add_group(p, "reading")
    p.set_defaults(handler=run)


def _check(args: argparse.Namespace) -> None:
    if not (args.x or args.postcode):
        raise CommandError("a report needs school locations: give --x/--y/--crs or "
                           "--postcode/--postcode-table (or both)")
    if not (args.area or args.areas_from):
        raise CommandError("a report needs areas: give --area (the area code column) or "
                           "--areas-from (area polygons)")
    if not (args.boundaries or args.areas_from):
        raise CommandError("--boundaries is required: the area polygons of the pages "
                           "(or --areas-from)")
    if args.areas_from and (args.pupils or args.locations):
        raise CommandError("--areas-from assigns the schools of a counts INPUT to areas; "
                           "with --pupils or --locations give the schools' area with --area")
    if args.pupils and args.locations is None:
        raise CommandError("--pupils needs --locations: a file with the schools' "
                           f"{args.unit!r} and location columns")
    if args.district_code and not args.districts:
        raise CommandError("--district-code is used with --districts")
    if args.districts and not args.district_code:
        raise CommandError("--districts needs --district-code: the districts' code column")
    if (args.label_a or args.label_b) and args.pupils:
        raise CommandError("--label-a/--label-b are for counts input; pupil groups have "
                           "their own labels")


def _compute(args: argparse.Namespace):
    """The results and the located schools (None: locate --locations later)."""
    from segspatial.compute import segregation

    if args.pupils:
        return compute_pupils(args), None
    check_counts_mode(args)
    columns = [c for c in (args.unit, args.group_a, args.group_b, args.area, args.year,
                           args.total) if c]
    located, text = location_columns(args)
    if args.locations is None:
        columns += [c for c in (*located, args.name) if c]
    data = read_table(args.input, columns=list(dict.fromkeys(columns)),
                      text_columns=[c for c in (args.unit, args.area, args.name) if c] + text,
                      **read_options(args))
    if args.locations is not None:
        return segregation(data, args.unit, args.group_a, args.group_b, area=args.area,
                           year=args.year, total=args.total, min_unit_size=args.min_unit_size,
                           min_area_size=args.min_area_size), None
    data, left_out = locate_units(args, data)
    result = segregation(data, args.unit, args.group_a, args.group_b,
                         area=area_column(args), year=args.year, total=args.total,
                         min_unit_size=args.min_unit_size, min_area_size=args.min_area_size)
    return add_exclusions(result, left_out), data


def _locations(args: argparse.Namespace):
    """The schools of --locations, located (units not found there get no_location)."""
    located, text = location_columns(args)
    columns = list(dict.fromkeys(c for c in (args.unit, *located, args.name) if c))
    data = read_table(args.locations, columns=columns,
                      text_columns=[c for c in (args.unit, args.name) if c] + text,
                      **read_options(args))
    data, _ = locate_units(args, data, source=args.locations)
    return data


def run(args: argparse.Namespace) -> int:
    from segspatial.report import check_output, report_data, write_report

    _check(args)
    check_output(args.output)  # before the work, not after it
    result, located = _compute(args)
    require_rows(result, "report", describe=lambda e: _summary(e, args.min_cell))
    if located is None:
        located = _locations(args)
    labels = {k: v for k, v in (("a", args.label_a), ("b", args.label_b)) if v}
    boundaries_file = args.boundaries or args.areas_from
    inputs = [args.input] + ([args.locations] if args.locations else []) + [boundaries_file]
    report = report_data(
        result, located, unit=args.unit, x=X_COLUMN, y=Y_COLUMN,
        crs=located.attrs["location_crs"], name=args.name,
        boundaries=read_area_boundaries(args, boundaries_file), area_code=area_code(args),
        area_name=args.area_name, only=args.only, group_labels=labels,
        bandwidth=args.bandwidth, kernel=args.kernel, districts=args.districts,
        district_code=args.district_code, district_size=args.district_size,
        permutations=args.permutations, rng=args.seed, inputs=inputs)
    stamp = None
    if args.stamp:
        from datetime import datetime

        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    console = console_of(args)
    progress = not args.quiet and console.interactive
    index = write_report(report, args.output, lang=args.lang, offline=args.offline,
                         min_cell=args.min_cell, stamp=stamp, progress=progress)
    pages = len(list(index.parent.glob("*.html")))
    console.say(f"wrote {pages} pages to {index.parent}; open {index}")
    console.say(_summary(report.exclusions, args.min_cell))
    return 0


def _summary(exclusions, min_cell: int | None) -> str:
    """What was left out, as the index page adds it up (per area, rounded, with
    ``--min-cell``)."""
    if min_cell is None:
        return format_exclusions(exclusions)
    from segspatial.disclosure import policy, protect_exclusions

    keys = [c for c in ("reason", "comparison", "theme", "area", "description")
            if c in exclusions.columns]
    per_area = exclusions.groupby(keys, sort=False, dropna=False, as_index=False)[
        ["n_units", "n_pupils"]].sum()
    return format_exclusions(protect_exclusions(per_area, policy(min_cell)), min_cell)
