"""Unit locations for the sub-commands: coordinates, postcodes, areas from polygons.

Reusable by any sub-command that needs where the units (schools) are:

- :func:`add_location_options` adds ``--x/--y/--crs``, ``--postcode/--postcode-table``,
  ``--distance-crs`` and ``--areas-from/--area-code/--snap/--boundaries-crs``;
- :func:`location_columns` lists the input columns those options need (to read them);
- :func:`locate_units` adds the projected coordinates (:data:`X_COLUMN`,
  :data:`Y_COLUMN`, in ``--distance-crs``, metres) and, with ``--areas-from``, the area
  of each unit (:data:`AREA_COLUMN`), and counts the units it leaves out;
- :func:`area_column` is the area column to compute on (``--area`` or
  :data:`AREA_COLUMN`);
- :func:`add_exclusions` merges the location exclusions into a result's exclusions.

geopandas is imported only when a location option is used.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pandas as pd

from segspatial.cli._common import CommandError

__all__ = [
    "AREA_COLUMN",
    "X_COLUMN",
    "Y_COLUMN",
    "add_exclusions",
    "add_location_options",
    "area_column",
    "geometry_notes",
    "locate_units",
    "location_columns",
    "uses_location",
]

#: Columns :func:`locate_units` adds: unit coordinates in ``--distance-crs`` (metres)
#: and the area code from ``--areas-from``.
X_COLUMN = "location_x"
Y_COLUMN = "location_y"
AREA_COLUMN = "location_area"

DEFAULT_DISTANCE_CRS = "EPSG:28992"


def add_location_options(parser: argparse.ArgumentParser, *, areas: bool = True) -> None:
    """Add the unit-location options (and, with ``areas``, the areas-from-polygons ones)."""
    group = parser.add_argument_group(
        "unit locations", "where the units are: coordinate columns, or 4-digit postcodes")
    group.add_argument("--x", metavar="COL", help="unit x (easting, or longitude) column")
    group.add_argument("--y", metavar="COL", help="unit y (northing, or latitude) column")
    group.add_argument("--crs", metavar="CRS",
                       help="CRS of --x/--y, e.g. EPSG:28992 (RD New) or EPSG:4326 (lon/lat)")
    group.add_argument("--postcode", metavar="COL",
                       help="unit postcode column ('1011 AB', '1011AB' or 1011): locate each "
                       "unit at its 4-digit postcode centroid")
    group.add_argument("--postcode-table", metavar="FILE",
                       help="4-digit postcode centroids (CSV/Parquet with postcode, x_rd, "
                       "y_rd), e.g. CBS postcode areas; unmatched units are left out, counted")
    group.add_argument("--distance-crs", default=DEFAULT_DISTANCE_CRS, metavar="CRS",
                       help="projected CRS in metres for all distances (default: "
                       f"{DEFAULT_DISTANCE_CRS}, RD New); geographic CRSs are refused")
    if not areas:
        return
    group = parser.add_argument_group(
        "areas from polygons",
        "assign every unit to the polygon that contains it (replaces --area), e.g. a "
        "2009-2018 panel on one year's municipalities")
    group.add_argument("--areas-from", metavar="BOUNDARIES",
                       help="boundary file (GeoJSON, TopoJSON, GeoPackage, Shapefile, "
                       "GeoParquet); see `segspatial boundaries fetch`")
    group.add_argument("--area-code", metavar="COL",
                       help="area code column of the boundaries (e.g. statcode)")
    group.add_argument("--snap", type=float, default=5000, metavar="M",
                       help="units outside every polygon go to the nearest one within M "
                       "metres, else they are left out (default: 5000; 0 disables)")
    group.add_argument("--boundaries-crs", metavar="CRS",
                       help="CRS of the boundary file when it has none (TopoJSON: "
                       "EPSG:4326 is assumed for lon/lat coordinates)")
    group.add_argument("--boundaries-layer", metavar="NAME",
                       help="layer of a multi-layer boundary file (GeoPackage, TopoJSON)")


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


def _check(args: argparse.Namespace) -> None:
    x, y = getattr(args, "x", None), getattr(args, "y", None)
    postcode = getattr(args, "postcode", None)
    table = getattr(args, "postcode_table", None)
    areas_from = getattr(args, "areas_from", None)
    if bool(x) != bool(y):
        raise CommandError("--x and --y go together: give both coordinate columns")
    if x and postcode:
        raise CommandError("give either --x/--y or --postcode, not both")
    if x and not getattr(args, "crs", None):
        raise CommandError("--x/--y need --crs: the CRS of the coordinates, e.g. EPSG:28992 "
                           "(RD New metres) or EPSG:4326 (lon/lat)")
    if bool(postcode) != bool(table):
        raise CommandError("--postcode and --postcode-table go together")
    if areas_from:
        if not (x or postcode):
            raise CommandError("--areas-from needs unit locations: --x/--y/--crs or "
                               "--postcode/--postcode-table")
        if not getattr(args, "area_code", None):
            raise CommandError("--areas-from needs --area-code: the boundaries' area code "
                               "column (e.g. statcode)")
        if getattr(args, "area", None):
            raise CommandError("--areas-from replaces --area: give one of them")
    elif getattr(args, "area_code", None):
        raise CommandError("--area-code is used with --areas-from")


@contextmanager
def geometry_notes(command: str, stream: Any = None) -> Iterator[None]:
    """Print :class:`segspatial.geo.GeometryWarning` messages as ``note:`` lines."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        finally:
            out = stream or sys.stderr
            for w in caught:
                if type(w.message).__name__ == "GeometryWarning":
                    print(f"segspatial {command}: note: {w.message}", file=out)
                else:
                    warnings.showwarning(w.message, w.category, w.filename, w.lineno)


def _pupils(args: argparse.Namespace) -> list[str] | None:
    total = getattr(args, "total", None)
    if total:
        return [total]
    groups = [getattr(args, "group_a", None), getattr(args, "group_b", None)]
    return groups if all(groups) else None


def locate_units(args: argparse.Namespace,
                 data: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Locate the units of ``data`` as the location options say.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed options from :func:`add_location_options`; ``area``, ``year``,
        ``total``, ``group_a`` and ``group_b`` are used, when present, to count the
        units left out per area and year with their pupils.
    data : pandas.DataFrame
        One row per unit (per year). Not modified.

    Returns
    -------
    data : pandas.DataFrame
        Without location options: ``data`` itself. Otherwise a copy without the units
        left out, with :data:`X_COLUMN`/:data:`Y_COLUMN` (``--distance-crs``, metres)
        and, with ``--areas-from``, :data:`AREA_COLUMN`; ``attrs["location_crs"]`` is
        the distance CRS.
    exclusions : pandas.DataFrame
        Units left out (``postcode_unmatched``, ``outside_areas``), counted per reason,
        area and year (see :func:`segspatial.geo.unit_exclusions`).
    """
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
    parts = []
    if args.x:
        source = getattr(args, "input", None)
        points = geo.unit_points(data, x=args.x, y=args.y, crs=args.crs,
                                 source=str(source) if source else None, option="--crs")
    else:
        points, unmatched = geo.geocode_postcodes(data, args.postcode, args.postcode_table)
        if len(unmatched):
            parts.append(geo.unit_exclusions(unmatched, area=getattr(args, "area", None),
                                             year=year, pupils=pupils))
    projected = geo.to_projected(points, distance_crs)
    out = pd.DataFrame(points.drop(columns=points.geometry.name))
    out[X_COLUMN] = projected.geometry.x.to_numpy()
    out[Y_COLUMN] = projected.geometry.y.to_numpy()
    if getattr(args, "areas_from", None):
        boundaries = geo.read_boundaries(args.areas_from, crs=args.boundaries_crs,
                                         layer=getattr(args, "boundaries_layer", None))
        codes, outside = geo.assign_areas(projected, boundaries, args.area_code,
                                          snap=args.snap, crs=distance_crs)
        out[AREA_COLUMN] = codes.to_numpy()
        if len(outside):
            parts.append(geo.unit_exclusions(outside, year=year, pupils=pupils))
            out = out.loc[codes.notna().to_numpy()]
    out.attrs = {"location_crs": distance_crs.to_string()}
    exclusions = (pd.concat(parts, ignore_index=True) if parts else empty_exclusions())
    return out, exclusions


def add_exclusions(result: Any, exclusions: pd.DataFrame) -> Any:
    """``result`` (a SegregationResult) with the location exclusions put first."""
    import dataclasses

    if exclusions.empty:
        return result
    exclusions = exclusions.drop(columns=[c for c in ("area", "year")
                                          if c not in result.exclusions.columns])
    parts = [exclusions] + ([result.exclusions] if not result.exclusions.empty else [])
    return dataclasses.replace(result, exclusions=pd.concat(parts, ignore_index=True))
