"""Coordinate reference systems: projected CRSs for distances, the area-of-use check
of coordinates against their CRS, and reprojection."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pyproj

from segspatial.geo._common import DEFAULT_DISTANCE_CRS, _plain


def _as_crs(crs: Any, argument: str, *, projected: bool = False) -> pyproj.CRS:
    """``crs`` as a pyproj CRS; ``argument`` names it in messages (a Python argument,
    or a command-line flag such as ``--distance-crs``); ``projected``: suggest only
    projected CRSs."""
    examples = ("'EPSG:28992' (RD New)" if projected
                else "'EPSG:28992' (RD New) or 'EPSG:4326' (lon/lat)")
    if crs is None:
        raise ValueError(f"{argument} is None: a coordinate reference system is needed, "
                         f"e.g. {examples}")
    if isinstance(crs, pyproj.CRS):
        return crs
    try:
        return pyproj.CRS.from_user_input(crs)
    except pyproj.exceptions.CRSError as exc:
        given = f"{argument} {crs!r}" if argument.startswith("--") else f"{argument}={crs!r}"
        raise ValueError(
            f"{given} is not a coordinate reference system pyproj knows; use e.g. "
            f"{examples} ({exc})"
        ) from None


def _crs_name(crs: pyproj.CRS) -> str:
    epsg = crs.to_epsg()
    return f"EPSG:{epsg} ({crs.name})" if epsg else crs.name


def require_projected(crs: Any, argument: str = "crs") -> pyproj.CRS:
    """Check that a CRS can be used for distances: projected, in metres.

    Distances (snapping, bandwidths, neighbourhoods) are only meaningful in a
    projected CRS. Degrees of longitude shrink towards the poles (at 52° N one degree
    of longitude is about 69 km, one degree of latitude about 111 km), so a
    geographic CRS is refused.

    Parameters
    ----------
    crs : pyproj.CRS, str or int
        Anything :meth:`pyproj.CRS.from_user_input` accepts (``"EPSG:28992"``, 28992,
        a WKT string, ...).
    argument : str
        The argument name used in the error message.

    Returns
    -------
    pyproj.CRS

    Raises
    ------
    ValueError
        If the CRS is missing, unknown, geographic, or not in metres.

    Examples
    --------
    >>> require_projected("EPSG:28992").to_epsg()
    28992
    >>> require_projected("EPSG:4326", "crs")
    Traceback (most recent call last):
    ...
    ValueError: crs: distances need a projected CRS in metres, got EPSG:4326 (WGS 84), a geographic CRS in degrees; reproject first, e.g. to_projected(frame, crs='EPSG:28992') (RD New) for Dutch data
    """  # noqa: E501
    value = _as_crs(crs, argument, projected=True)
    if not value.is_projected:
        fix = (f"use e.g. {argument} {DEFAULT_DISTANCE_CRS}" if argument.startswith("--")
               else f"reproject first, e.g. to_projected(frame, "
               f"crs={DEFAULT_DISTANCE_CRS!r})")
        raise ValueError(
            f"{argument}: distances need a projected CRS in metres, got {_crs_name(value)}, "
            f"a geographic CRS in degrees; {fix} (RD New) for Dutch data"
        )
    units = {(axis.unit_name or "").lower() for axis in value.axis_info}
    if not units <= {"metre", "meter", "m"}:
        raise ValueError(
            f"{argument}: distances are given in metres, but {_crs_name(value)} has axis "
            f"units {sorted(units)!r}; use a projected CRS in metres such as "
            f"{DEFAULT_DISTANCE_CRS!r}"
        )
    return value


#: Margin around a CRS's area of use within which coordinates are still accepted: the
#: larger of this many degrees and :data:`_AREA_MARGIN_SHARE` of the area's extent.
_AREA_MARGIN_DEGREES = 1.0
_AREA_MARGIN_SHARE = 0.25


@functools.lru_cache(maxsize=16)
def _area_of_use_box(crs: pyproj.CRS) -> tuple[tuple[float, float, float, float] | None,
                                                 str]:
    """The CRS's area of use, widened by the margin, in the CRS's own x/y; and its
    description. None when the CRS has no (usable) area of use."""
    area = crs.area_of_use
    if area is None:
        return None, "none known; valid range checked"
    west, south, east, north = area.bounds
    if east < west:  # crosses the antimeridian: check the valid range only
        return None, area.name
    mx = max(_AREA_MARGIN_DEGREES, _AREA_MARGIN_SHARE * (east - west))
    my = max(_AREA_MARGIN_DEGREES, _AREA_MARGIN_SHARE * (north - south))
    west, east = max(west - mx, -180.0), min(east + mx, 180.0)
    south, north = max(south - my, -90.0), min(north + my, 90.0)
    name = re.split(r" - |[.;,:]", area.name, maxsplit=1)[0].strip()[:60]
    described = (f"{name}, lon {area.bounds[0]:g}..{area.bounds[2]:g}, lat "
                 f"{area.bounds[1]:g}..{area.bounds[3]:g}")
    if crs.is_geographic:
        return (west, south, east, north), described
    # the CRS's own lon/lat (no datum shift: metres off, nothing next to the margin),
    # a hundred times quicker to set up than a transformation from WGS 84
    geodetic = crs.geodetic_crs
    if geodetic is None:  # pragma: no cover - engineering CRSs
        return None, described
    try:
        box = pyproj.Transformer.from_crs(geodetic, crs, always_xy=True).transform_bounds(
            west, south, east, north, densify_pts=21)
    except pyproj.exceptions.ProjError:  # pragma: no cover - exotic projections
        return None, described
    if not np.all(np.isfinite(box)):
        return None, described
    return tuple(float(v) for v in box), described


def check_area_of_use(x: Any, y: Any, crs: Any, *, what: str, option: str = "crs=",
                      labels: Sequence[Any] | None = None,
                      describe: Callable[[np.ndarray], Sequence[str]] | None = None,
                      hint: str | None = None,
                      given: tuple[Any, Any, str] | None = None) -> None:
    """Stop when coordinates cannot be right for their CRS.

    Longitude and latitude must lie within -180..180 and -90..90 for a geographic
    CRS, and every point must lie in the CRS's area of use
    (:attr:`pyproj.CRS.area_of_use`, widened by the larger of 1 degree and a quarter
    of its extent, so units just across a border still pass). Lon/lat read as
    ``EPSG:28992`` metres, or RD New metres read as lon/lat (a GeoJSON without
    ``crs`` is read as EPSG:4326), are caught here instead of giving near-zero
    spatial indices or schools drawn in France.

    Parameters
    ----------
    x, y : array_like
        Coordinates (easting/longitude and northing/latitude) in ``crs``.
    crs : pyproj.CRS, str or int
        Their declared CRS.
    what : str
        What the coordinates are, for the message (a file and its columns).
    option : str
        How the user declares the CRS, for the message (``"--crs"``,
        ``"--boundaries-crs"``, ``"crs="``).
    labels : sequence, optional
        A label per point (e.g. unit ids) for the examples in the message.
    describe : callable, optional
        Instead of ``labels``: given the 0-based positions of the points shown as
        examples (at most three), their names, e.g. ``["line 3 (unit 's2')"]`` (see
        :func:`segspatial.io.row_names`). Without either, points are counted from 1.
    hint : str, optional
        What to do, replacing the default advice (declare the right CRS with
        ``option``), e.g. when the coordinates were projected to a distance CRS.
    given : (x, y, crs_name), optional
        When ``x``, ``y`` are a projection of what the user wrote: the coordinates as
        written (same length and order) and the name of their CRS, shown in the
        examples instead of the projected values, which the user never saw.

    Raises
    ------
    ValueError
        Naming ``what``, the CRS, its area of use, how many points lie outside (with
        examples) and ``option``.

    Examples
    --------
    >>> check_area_of_use([121000.0], [487000.0], "EPSG:28992", what="schools.csv")
    >>> check_area_of_use([4.9], [52.37], "EPSG:28992", what="schools.csv",
    ...                   option="--crs")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: schools.csv: 1 of 1 points lie outside the area of use of EPSG:28992 ...
    """
    value = _as_crs(crs, option.rstrip("="))
    xs = np.asarray(x, dtype=np.float64).ravel()
    ys = np.asarray(y, dtype=np.float64).ravel()
    if xs.size == 0:
        return
    finite = np.isfinite(xs) & np.isfinite(ys)
    box, described = _area_of_use_box(value)
    if value.is_geographic:
        bad = finite & ((np.abs(xs) > 180) | (np.abs(ys) > 90))
        if box is not None:
            bad |= finite & ((xs < box[0]) | (xs > box[2]) | (ys < box[1]) | (ys > box[3]))
    elif box is not None:
        bad = finite & ((xs < box[0]) | (xs > box[2]) | (ys < box[1]) | (ys > box[3]))
    else:
        geodetic = value.geodetic_crs or pyproj.CRS.from_epsg(4326)
        lon, lat = pyproj.Transformer.from_crs(value, geodetic,
                                               always_xy=True).transform(xs, ys)
        bad = finite & ~(np.isfinite(lon) & np.isfinite(lat))
    if not bad.any():
        return
    where = np.flatnonzero(bad)
    if describe is not None:
        shown = list(describe(where[:3]))
    elif labels is not None:
        shown = [repr(_plain(n)) for n in np.asarray(labels, dtype=object)[where[:3]]]
    else:
        shown = [f"point {i + 1}" for i in where[:3]]
    if given is None:
        show_x, show_y, suffix = xs, ys, ""
    else:
        show_x = np.asarray(given[0], dtype=np.float64).ravel()
        show_y = np.asarray(given[1], dtype=np.float64).ravel()
        suffix = f" in {given[2]}"
    examples = ", ".join(f"{name} ({show_x[i]:.6g}, {show_y[i]:.6g}){suffix}"
                         for name, i in zip(shown, where[:3], strict=True))
    lonlat = bool(np.all((np.abs(xs[bad]) <= 180) & (np.abs(ys[bad]) <= 90)))
    if hint is None and value.is_geographic:
        hint = (f"are they projected metres? Declare their CRS with {option} (e.g. "
                f"{DEFAULT_DISTANCE_CRS} for RD New)")
    elif hint is None and lonlat:
        hint = (f"they look like lon/lat degrees: declare EPSG:4326 with {option} (they "
                "are projected for distances)")
    elif hint is None:
        hint = f"declare the CRS the coordinates are really in with {option}"
    swapped = _swapped(value, given, xs, ys, bad)
    if swapped:
        hint = swapped + hint
    raise ValueError(
        f"{what}: {int(bad.sum())} of {xs.size} points lie outside the area of use of "
        f"{_crs_name(value)} [{described}], e.g. {examples}; {hint}"
    )


def _swapped(crs: pyproj.CRS, given: Any, xs: np.ndarray, ys: np.ndarray,
             bad: np.ndarray) -> str:
    """A hint when the points outside the area of use would lie inside it with their
    two coordinates swapped (latitude in the x column, longitude in the y column)."""
    area = crs.area_of_use
    if area is None:
        return ""
    if given is not None:
        source = _as_crs(given[2], "crs")
        gx = np.asarray(given[0], dtype=np.float64).ravel()[bad]
        gy = np.asarray(given[1], dtype=np.float64).ravel()[bad]
    else:
        source, gx, gy = crs, xs[bad], ys[bad]
    if not source.is_geographic:
        return ""
    lon, lat = gy, gx  # as they would be, swapped
    inside = ((lon >= area.west) & (lon <= area.east) & (lat >= area.south)
              & (lat <= area.north))
    if not inside.all():
        return ""
    return ("the x values look like latitudes and the y values like longitudes: are "
            "the two coordinate columns swapped? Else ")


def to_projected(frame: gpd.GeoDataFrame | gpd.GeoSeries,
                 crs: Any = DEFAULT_DISTANCE_CRS) -> gpd.GeoDataFrame | gpd.GeoSeries:
    """Reproject a GeoDataFrame (or GeoSeries) to a projected CRS in metres.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame or geopandas.GeoSeries
        With a CRS. Not modified.
    crs : pyproj.CRS, str or int, default "EPSG:28992"
        The target CRS; must be projected and in metres (see :func:`require_projected`).

    Returns
    -------
    geopandas.GeoDataFrame or geopandas.GeoSeries
        A copy in ``crs`` (a copy even when no reprojection is needed).

    Raises
    ------
    TypeError
        If ``frame`` is not a GeoDataFrame or GeoSeries.
    ValueError
        If ``frame`` has no CRS or ``crs`` is not a projected CRS in metres.
    """
    if not isinstance(frame, gpd.GeoDataFrame | gpd.GeoSeries):
        raise TypeError(f"frame must be a geopandas GeoDataFrame or GeoSeries, got "
                        f"{type(frame).__name__}")
    target = require_projected(crs, "crs")
    if frame.crs is None:
        raise ValueError("frame has no CRS: set the CRS of its coordinates first "
                         "(e.g. frame.set_crs('EPSG:4326')) so it can be reprojected")
    if frame.crs == target:
        return frame.copy()
    return frame.to_crs(target)


def _distance_crs(crs: Any, *frames: gpd.GeoDataFrame | gpd.GeoSeries) -> pyproj.CRS:
    """The CRS for distances: ``crs`` if given, else the first projected CRS in metres
    among ``frames``, else EPSG:28992."""
    if crs is not None:
        return require_projected(crs, "crs")
    for frame in frames:
        if frame.crs is not None and frame.crs.is_projected:
            try:
                return require_projected(frame.crs)
            except ValueError:
                continue
    return pyproj.CRS.from_user_input(DEFAULT_DISTANCE_CRS)
