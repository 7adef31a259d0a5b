"""``segspatial schools``: a school map (circles by pupils, coloured by share of A)."""

from __future__ import annotations

import argparse

from segspatial.cli._common import CommandError, read_options
from segspatial.cli._console import console_of
from segspatial.cli._figures import (
    HTML_SUFFIXES,
    STATIC_SUFFIXES,
    add_figure_words,
    add_map_output,
    output_kind,
    save_figure,
    save_map,
    web_options,
)
from segspatial.cli._lazy import read_table
from segspatial.cli._location import (
    X_COLUMN,
    Y_COLUMN,
    area_code,
    area_column,
    locate_units,
    location_columns,
    read_area_boundaries,
)
from segspatial.cli._options import add_group


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "schools",
        help="map schools: circles sized by pupils, coloured by their share of group A",
        description="Draw one row per school as a circle sized by its pupils and "
        "coloured by its share of group A, on a diverging scale centred on its area's "
        "share. Interactive (.html, with tooltips and popups) or static. Schools are "
        "located as in `segspatial indices` (coordinates, postcodes, or both). With "
        "--min-cell N (.html and static output) no school shows a group count: its share "
        "is a band of 10 percentage points, its pupils are rounded, a school with fewer "
        "than N pupils in either group is grey, the area's share is in whole percents "
        "and local measures are not shown. Name the groups with --label-a/--label-b "
        "(noun phrases) for the title and legend.",
    )
    p.add_argument("input", metavar="INPUT", help="counts file (.csv or .parquet)")
    add_group(p, "columns", required=("unit", "group_a", "group_b"))
    add_group(p, "select", only=("only", "in_year"))
    p.add_argument("--measures", nargs="+", metavar="COL",
                   help="per-school columns for the popups (default: p, p_local, gap, "
                   "d_contribution, spatial_d_contribution when present)")
    add_group(p, "location")
    add_group(p, "areas")
    add_group(p, "boundaries", skip=("area_name",))
    add_figure_words(p)
    add_map_output(p)
    p.set_defaults(handler=run)


def _select_year(args: argparse.Namespace, data):
    if args.in_year and not args.year:
        raise CommandError("--in-year needs --year (the year column)")
    if not args.year:
        return data, None
    import numpy as np

    from segspatial._columns import _year_column

    # the counts gate's year check (whole years, none missing), as in `indices`: a text
    # year such as 'twenty' must not win "the latest year" as a string
    years = _year_column(data, args.year)
    if args.in_year is None:
        wanted = int(years.max()) if years.size else None
    else:
        try:
            wanted = int(str(args.in_year).strip())
        except ValueError:
            raise CommandError(f"--in-year must be a whole year such as 2019, got "
                               f"{args.in_year!r}") from None
    mask = years == wanted
    if not mask.any():
        from segspatial._mapdata import _sorted_values

        available = _sorted_values(np.unique(years).tolist())
        raise ValueError(f"--in-year {wanted} is not in column {args.year!r} of "
                         f"{args.input!r}; " + (f"available: {available!r}" if available
                                                else "the column is empty"))
    distinct = np.unique(np.asarray(years)[~np.isnan(np.asarray(years, dtype=float))]).size
    if args.in_year is None and distinct > 1:  # review2 #37: say which year is shown
        from segspatial._format import Formatter
        from segspatial.text import t

        words = Formatter(args.lang)
        console_of(args).note(t(args.lang, "figures2.latest_year", year=words.year(wanted),
                                column=args.year))
    return data[mask], wanted


def _place(args: argparse.Namespace, data, area: str | None, boundaries) -> str | None:
    """The name of the area a school map shows (the --only areas, at most three, or
    the data's one area), from the boundaries' names when they have them, for the
    title; None for a map of many areas."""
    if not area:
        return None
    codes = (list(dict.fromkeys(args.only)) if args.only
             else list(data[area].dropna().astype(str).unique()))
    if not codes or len(codes) > (3 if args.only else 1):
        return None
    names: dict = {}
    if boundaries is not None:
        from segspatial._mapdata import guess_name_column

        column = guess_name_column(boundaries, getattr(args, "area_name", None))
        if column is not None:
            names = dict(zip(boundaries[area_code(args)].astype(str),
                             boundaries[column].astype(str), strict=True))
    return ", ".join(names.get(code, code) for code in codes)


def run(args: argparse.Namespace) -> int:
    kind = output_kind(args.output, HTML_SUFFIXES + STATIC_SUFFIXES)
    options = web_options(args, kind)
    area = area_column(args)
    if args.only and not (args.area or args.areas_from):
        raise CommandError("--only needs --area (the column with the area codes) or "
                           "--areas-from")
    if not (args.x or args.postcode):
        raise CommandError("a school map needs school locations: give --x/--y/--crs or "
                           "--postcode/--postcode-table (or both)")
    columns = [c for c in (args.unit, args.group_a, args.group_b, args.area, args.year,
                           args.total, args.name) if c]
    located, text = location_columns(args)
    data = read_table(args.input, text_columns=[c for c in (args.unit, args.area,
                                                            args.name) if c] + text,
                      **read_options(args))
    missing = [c for c in dict.fromkeys(columns + located + (args.measures or []))
               if c not in data.columns]
    if missing:
        raise ValueError(f"{args.input!r} has no column(s) {missing!r}; it has "
                         f"{list(map(str, data.columns))!r}")
    data, year = _select_year(args, data)
    data, _ = locate_units(args, data)  # units left out are named in the notes
    if args.only:
        codes = data[area].astype(str)
        unknown = sorted(set(args.only) - set(codes))
        if unknown:
            raise ValueError(f"--only {unknown!r} not found in the area codes; e.g. "
                             f"{sorted(codes.unique())[:5]!r}")
        data = data[codes.isin(args.only)]
    boundaries = None
    outline = args.boundaries or args.areas_from
    if outline:
        boundaries = read_area_boundaries(args, outline)
        code = area_code(args)
        if area:
            boundaries = boundaries[boundaries[code].astype(str).isin(
                set(data[area].astype(str)))]
    common = dict(x=X_COLUMN, y=Y_COLUMN, crs=data.attrs["location_crs"], name=args.name,
                  area=area, total=args.total, boundaries=boundaries)
    if kind == "html":
        from segspatial.webmap import school_webmap

        labels = {c: v for c, v in ((args.group_a, args.label_a),
                                    (args.group_b, args.label_b)) if v}
        m = school_webmap(data, args.unit, args.group_a, args.group_b, **common,
                          measures=args.measures, group_labels=labels, lang=args.lang,
                          title=args.title, boundary_code=area_code(args), **options)
        path = save_map(m, args.output)
    else:
        from segspatial.plot import school_map

        ax = school_map(data, args.unit, args.group_a, args.group_b, **common,
                        min_cell=args.min_cell, lang=args.lang, title=args.title,
                        label_a=args.label_a, area_name=_place(args, data, area, boundaries),
                        year=year)
        path = save_figure(ax.figure, args.output)
    console_of(args).wrote(path, "school map")
    return 0


__all__ = ["register", "run"]
