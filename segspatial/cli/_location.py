"""Unit locations for the sub-commands: coordinates, postcodes, areas from polygons.

The options are the groups ``location`` and ``areas`` (and ``boundaries`` for how to
read polygon files) of :mod:`segspatial.cli._options`; this module does what they say:

- :func:`location_columns` lists the input columns those options need (to read them);
- :func:`locate_units` adds the projected coordinates (:data:`X_COLUMN`,
  :data:`Y_COLUMN`, in ``--distance-crs``, metres) and, with ``--areas-from``, the area
  of each unit (:data:`AREA_COLUMN`), and counts the units it leaves out. With both
  ``--x/--y`` and ``--postcode``, units without coordinates are placed at their
  postcode's centroid (the recipe of the real 2019 case);
- :func:`area_column` is the area column to compute on (``--area`` or
  :data:`AREA_COLUMN`);
- :func:`read_area_boundaries` reads a boundary file as ``--boundaries-crs`` and
  ``--boundaries-layer`` say;
- :func:`add_exclusions` merges the location exclusions into a result's exclusions.

geopandas is imported only when a location option is used.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

import numpy as np

from segspatial.cli._common import CommandError, describe_units
from segspatial.cli._console import console_of

if TYPE_CHECKING:  # for annotations only: imported when a command runs
    import pandas as pd

__all__ = [
    "AREA_COLUMN",
    "X_COLUMN",
    "Y_COLUMN",
    "add_exclusions",
    "area_code",
    "area_column",
    "locate_units",
    "location_columns",
    "read_area_boundaries",
    "add_boundaries_argument",
    "boundary_file",
    "uses_location",
]

#: Columns :func:`locate_units` adds: unit coordinates in ``--distance-crs`` (metres)
#: and the area code from ``--areas-from``.
X_COLUMN = "location_x"
Y_COLUMN = "location_y"
AREA_COLUMN = "location_area"

#: The area code column of CBS boundary files, the default of ``--area-code``.
DEFAULT_AREA_CODE = "statcode"


def uses_location(args: argparse.Namespace) -> bool:
    """True when any location option is given."""
    return any(getattr(args, k, None) for k in ("x", "y", "postcode", "postcode_table",
                                                "areas_from"))


def location_columns(args: argparse.Namespace) -> tuple[list[str], list[str]]:
    """Input columns the location options need, and which of them to read as text."""
    columns = [c for c in (getattr(args, "x", None), getattr(args, "y", None),
                           getattr(args, "postcode", None)) if c]
    text = [args.postcode] if getattr(args, "postcode", None) else []
    return columns, text


def area_column(args: argparse.Namespace) -> str | None:
    """The area column to compute on: :data:`AREA_COLUMN` with ``--areas-from``, else
    ``--area`` (or None)."""
    if getattr(args, "areas_from", None):
        return AREA_COLUMN
    return getattr(args, "area", None)


def area_code(args: argparse.Namespace) -> str:
    """``--area-code``, default :data:`DEFAULT_AREA_CODE`."""
    return getattr(args, "area_code", None) or DEFAULT_AREA_CODE


def add_boundaries_argument(parser: argparse.ArgumentParser, help: str) -> None:
    """The optional second argument BOUNDARIES of ``map`` and ``join`` (their documented
    short form): the same file as ``--boundaries FILE``, which every command takes."""
    parser.add_argument("boundaries_file", nargs="?", metavar="BOUNDARIES",
                        help=help + "; the same as --boundaries FILE")


def boundary_file(args: argparse.Namespace) -> str:
    """The boundary file of ``map``/``join``: BOUNDARIES or ``--boundaries`` (one of
    them; both only when they agree)."""
    given = [v for v in (args.boundaries_file, args.boundaries) if v is not None]
    if not given:
        raise CommandError("a boundary file is needed: give it as BOUNDARIES after "
                           "RESULTS or with --boundaries FILE")
    if len(set(given)) > 1:
        raise CommandError(f"two boundary files: BOUNDARIES {given[0]!r} and --boundaries "
                           f"{given[1]!r}; give one")
    return given[0]


def read_area_boundaries(args: argparse.Namespace, path: Any, *,
                         names: bool = True) -> Any:
    """Read a boundary file with ``--boundaries-crs`` and ``--boundaries-layer``.

    Where the command has ``--area-code`` (and, with ``names``, ``--area-name``), the
    column it names must be one of the file's: the error names the flag and the file.
    """
    from segspatial.geo import read_boundaries

    frame = read_boundaries(path, crs=getattr(args, "boundaries_crs", None),
                            layer=getattr(args, "boundaries_layer", None))
    columns = [str(c) for c in frame.columns if c != frame.geometry.name]
    wanted = [("--area-code", area_code(args) if hasattr(args, "area_code") else None,
               getattr(args, "area_code", None) is None)]
    if names:
        wanted.append(("--area-name", getattr(args, "area_name", None), False))
    for flag, column, default in wanted:
        if column is not None and column not in columns:
            raise CommandError(
                f"{flag} {column!r}{' (the default)' if default else ''} is not a column "
                f"of {str(path)!r}; it has {columns!r}")
    return frame


def _check(args: argparse.Namespace) -> None:
    x, y = getattr(args, "x", None), getattr(args, "y", None)
    postcode = getattr(args, "postcode", None)
    table = getattr(args, "postcode_table", None)
    areas_from = getattr(args, "areas_from", None)
    if bool(x) != bool(y):
        raise CommandError("--x and --y go together: give both coordinate columns")
    if x and not getattr(args, "crs", None):
        raise CommandError("--x/--y need --crs: the CRS of the coordinates, e.g. EPSG:28992 "
                           "(RD New metres) or EPSG:4326 (lon/lat)")
    if bool(postcode) != bool(table):
        raise CommandError("--postcode and --postcode-table go together")
    if areas_from:
        if not (x or postcode):
            raise CommandError("--areas-from needs unit locations: --x/--y/--crs or "
                               "--postcode/--postcode-table")
        if getattr(args, "area", None):
            raise CommandError("--areas-from replaces --area: give one of them")
    elif getattr(args, "area_code", None) and not hasattr(args, "boundaries"):
        raise CommandError("--area-code is used with --areas-from")


def _pupils(args: argparse.Namespace) -> list[str] | None:
    total = getattr(args, "total", None)
    if total:
        return [total]
    groups = [getattr(args, "group_a", None), getattr(args, "group_b", None)]
    return groups if all(groups) else None


def _coordinates(args: argparse.Namespace, data: pd.DataFrame) -> np.ndarray:
    """Which rows have finite coordinates; an error for text that is no number, and
    for units without coordinates when there is no postcode to fall back on."""
    import pandas as pd

    present = np.ones(len(data), dtype=bool)
    for column in (args.x, args.y):
        raw = data[column]
        values = pd.to_numeric(raw, errors="coerce")
        text = (values.isna() & raw.notna()).to_numpy()
        infinite = np.isinf(values.to_numpy(dtype=np.float64, na_value=np.nan))
        bad = text | infinite
        if bad.any():
            flag = "--x" if column == args.x else "--y"
            shown = [str(v) for v in raw[bad].unique()[:3]]
            where = describe_units(args, data, data.index[bad])
            raise CommandError(
                f"{flag}: column {column!r} has {int(bad.sum())} values that are no "
                f"coordinates, e.g. {shown!r} ({where}); coordinates must be numbers (an "
                "empty cell means: no coordinates)")
        present &= values.notna().to_numpy()
    if not present.all() and not getattr(args, "postcode", None):
        where = describe_units(args, data, data.index[~present])
        raise CommandError(
            f"--x/--y: {int((~present).sum())} units have no coordinates ({where}); give "
            "--postcode COL --postcode-table FILE to place them at their postcode's "
            "centroid, or leave them out of the input")
    return present


def _check_in_distance_crs(args: argparse.Namespace, data: pd.DataFrame, points: Any,
                           distance_crs: Any, source: str | None) -> None:
    """Stop when units given in --crs lie outside the area of use of --distance-crs
    (a school in France among Dutch ones, in lon/lat): distances there are wrong."""
    import pandas as pd

    from segspatial.geo import check_area_of_use
    from segspatial.io import row_names

    check_area_of_use(
        points.geometry.x.to_numpy(), points.geometry.y.to_numpy(), distance_crs,
        what=f"{source + ': ' if source else ''}units located with --x/--y in {args.crs}",
        option="--distance-crs",
        describe=lambda at: row_names(data, data.index[at], unit=getattr(args, "unit", None)),
        hint="distances there are not reliable: check their coordinates (and --crs), or "
        "give --distance-crs a projected CRS in metres that covers them",
        given=(pd.to_numeric(data[args.x]).to_numpy(), pd.to_numeric(data[args.y]).to_numpy(),
               str(args.crs)))



def _without_postcode(args: Any, rest: Any) -> tuple[Any, Any]:
    """The units without coordinates split into those with a postcode (to geocode) and
    those without one either (an empty ``--postcode`` cell): left out with their own
    reason (``no_coordinates_no_postcode``) and a note naming --x/--y and --postcode,
    with unit ids and 1-based file lines as examples (never "postcodes nan")."""
    if not len(rest) or not args.postcode or args.postcode not in rest.columns:
        return rest, rest.iloc[:0]
    from segspatial.io import describe_rows
    from segspatial.text import plural_key, t

    cell = rest[args.postcode]
    empty = (cell.isna() | cell.astype(str).str.strip().isin(["", "nan", "None"])).to_numpy()
    if not empty.any():
        return rest, rest.iloc[:0]
    nowhere = rest.loc[empty].assign(reason="no_coordinates_no_postcode")
    unit = getattr(args, "unit", None)
    where = describe_rows(nowhere, list(nowhere.index), limit=3,
                          unit=unit if unit in nowhere.columns else None)
    console = console_of(args)
    n = int(empty.sum())
    console.note(t(console.lang, plural_key(console.lang, "report_fix.no_location", n),
                   n=console.count(n), examples=where))
    return rest.loc[~empty], nowhere


def locate_units(args: argparse.Namespace, data: pd.DataFrame, *,
                 source: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Locate the units of ``data`` as the location options say.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed options of the groups ``location`` and ``areas``; ``unit``, ``area``,
        ``year``, ``total``, ``group_a`` and ``group_b`` are used, when present, to name
        units in messages and to count the units left out per area and year with
        their pupils.
    data : pandas.DataFrame
        One row per unit (per year). Not modified.
    source : str, optional
        The file ``data`` was read from, for messages (default: ``args.input``).

    Returns
    -------
    data : pandas.DataFrame
        Without location options: ``data`` itself. Otherwise a copy without the units
        left out (in input order), with :data:`X_COLUMN`/:data:`Y_COLUMN`
        (``--distance-crs``, metres) and, with ``--areas-from``, :data:`AREA_COLUMN`;
        ``attrs["location_crs"]`` is the distance CRS and ``attrs["n_by_postcode"]``
        the number of units placed at their postcode's centroid.
    exclusions : pandas.DataFrame
        Units left out (``postcode_unmatched``, ``outside_areas``), counted per reason,
        area and year (see :func:`segspatial.geo.unit_exclusions`).
    """
    import pandas as pd

    from segspatial.counts import empty_exclusions

    _check(args)
    if not uses_location(args):
        return data, empty_exclusions()
    from segspatial import geo

    clash = [c for c in (X_COLUMN, Y_COLUMN, AREA_COLUMN) if c in data.columns]
    if clash:
        raise CommandError(f"the input has column(s) {clash!r}, reserved for the located "
                           "units; rename them")
    distance_crs = geo.require_projected(args.distance_crs, "--distance-crs")
    year = getattr(args, "year", None)
    pupils = _pupils(args)
    if not data.index.is_unique:  # rows are put back in input order by their labels
        data = data.reset_index(drop=True)
    parts, pieces, by_postcode = [], [], 0
    by_coordinates = (_coordinates(args, data) if args.x
                      else np.zeros(len(data), dtype=bool))
    if by_coordinates.any():
        named = source or getattr(args, "input", None)
        named = str(named) if named else None
        located = data.loc[by_coordinates]
        unit = getattr(args, "unit", None)
        unit = unit if unit in data.columns and located[unit].notna().all() else None
        points = geo.unit_points(located, x=args.x, y=args.y, crs=args.crs, unit=unit,
                                 source=named, option="--crs")
        projected = geo.to_projected(points, distance_crs)
        _check_in_distance_crs(args, located, projected, distance_crs, named)
        pieces.append(projected)
    rest = data.loc[~by_coordinates]
    rest, nowhere = _without_postcode(args, rest)
    if len(nowhere):
        parts.append(geo.unit_exclusions(nowhere, area=getattr(args, "area", None),
                                         year=year, pupils=pupils))
    if len(rest):
        points, unmatched = geo.geocode_postcodes(rest, args.postcode, args.postcode_table)
        pieces.append(geo.to_projected(points, distance_crs))
        by_postcode = len(points)
        if len(unmatched):
            parts.append(geo.unit_exclusions(unmatched, area=getattr(args, "area", None),
                                             year=year, pupils=pupils))
        if args.x and len(points):
            console = console_of(args)
            console.note(console.tn("postcode_placed", len(points),
                                    n=console.count(len(points))))
    projected = pd.concat(pieces)
    projected = projected.iloc[np.argsort(data.index.get_indexer(projected.index),
                                          kind="stable")]
    out = pd.DataFrame(projected.drop(columns=projected.geometry.name))
    out[X_COLUMN] = projected.geometry.x.to_numpy()
    out[Y_COLUMN] = projected.geometry.y.to_numpy()
    if getattr(args, "areas_from", None):
        boundaries = read_area_boundaries(args, args.areas_from, names=False)
        codes, outside = geo.assign_areas(projected, boundaries, area_code(args),
                                          snap=args.snap, crs=distance_crs)
        out[AREA_COLUMN] = codes.to_numpy()
        if len(outside):
            parts.append(geo.unit_exclusions(outside, year=year, pupils=pupils))
            out = out.loc[codes.notna().to_numpy()]
    if out.empty:
        raise CommandError("no unit is left after locating them (see the notes above): "
                           "check --x/--y/--crs or --postcode, and --areas-from/--snap")
    out.attrs = {**data.attrs, "location_crs": distance_crs.to_string(),
                 "n_by_postcode": by_postcode}
    exclusions = (pd.concat(parts, ignore_index=True) if parts else empty_exclusions())
    return out, exclusions


def add_exclusions(result: Any, exclusions: pd.DataFrame) -> Any:
    """``result`` (a SegregationResult) with the location exclusions put first."""
    import dataclasses

    import pandas as pd

    if exclusions.empty:
        return result
    exclusions = exclusions.drop(columns=[c for c in ("area", "year")
                                          if c not in result.exclusions.columns])
    parts = [exclusions] + ([result.exclusions] if not result.exclusions.empty else [])
    return dataclasses.replace(result, exclusions=pd.concat(parts, ignore_index=True))
