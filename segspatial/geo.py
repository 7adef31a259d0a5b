"""Geometry: boundaries, unit (school) locations, point-in-polygon areas and map joins.

Everything spatial that is not an index lives here: reading boundary files (GeoJSON,
TopoJSON, GeoPackage, Shapefile, GeoParquet), turning coordinate columns or 4-digit
postcodes into unit points, assigning units to the polygon that contains them (the
"harmonised geography": a whole 2009-2018 panel on one year's municipalities), and
joining the tidy results table to polygons, one column per index.

Distances are always computed in a projected coordinate reference system in metres
(EPSG:28992, RD New, for Dutch data by default); a geographic CRS (degrees) is refused
for distances with a clear error (:func:`require_projected`).

geopandas, shapely and pyproj are imported here, so this module is loaded lazily by
``import segspatial``.
"""

from __future__ import annotations

import functools
import json
import os
import re
import warnings
from collections.abc import Sequence
from numbers import Integral
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from segspatial._write import atomic_file
from segspatial.schema import has_values

__all__ = [
    "DEFAULT_DISTANCE_CRS",
    "GeometryWarning",
    "assign_areas",
    "check_area_of_use",
    "geocode_postcodes",
    "join_areas",
    "read_boundaries",
    "repair_boundaries",
    "require_projected",
    "to_projected",
    "unit_exclusions",
    "unit_points",
    "write_geo",
]

#: The projected CRS used for distances unless another is requested: RD New (metres).
DEFAULT_DISTANCE_CRS = "EPSG:28992"

_MAX_EXAMPLES = 5

#: Reason codes of units left out while locating them (see :func:`unit_exclusions`).
LOCATION_REASONS = {
    "postcode_unmatched": "unit's 4-digit postcode not in the postcode table (or without a "
    "centroid there)",
    "outside_areas": "unit outside every area polygon, beyond the snap distance",
    "no_location": "unit without a location (missing geometry)",
}


class GeometryWarning(UserWarning):
    """Something about geometry that the user should know: a CRS assumed, geometries
    repaired, units snapped to a polygon or left out, results without a polygon.

    The message always gives the count and what was done.
    """


def _examples(values: Sequence[Any]) -> str:
    values = list(values)
    shown = ", ".join(repr(v) for v in values[:_MAX_EXAMPLES])
    more = len(values) - _MAX_EXAMPLES
    return shown + (f" and {more} more" if more > 0 else "")


def _plain(value: Any) -> Any:
    """numpy scalars as plain Python values (for messages)."""
    return value.item() if isinstance(value, np.generic) else value


# --------------------------------------------------------------------------- CRS


def _as_crs(crs: Any, argument: str) -> pyproj.CRS:
    if crs is None:
        raise ValueError(f"{argument} is None: a coordinate reference system is needed, "
                         "e.g. 'EPSG:28992' (RD New) or 'EPSG:4326' (lon/lat)")
    if isinstance(crs, pyproj.CRS):
        return crs
    try:
        return pyproj.CRS.from_user_input(crs)
    except pyproj.exceptions.CRSError as exc:
        raise ValueError(
            f"{argument}={crs!r} is not a coordinate reference system pyproj knows; use e.g. "
            f"'EPSG:28992' (RD New) or 'EPSG:4326' (lon/lat) ({exc})"
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
    value = _as_crs(crs, argument)
    if not value.is_projected:
        raise ValueError(
            f"{argument}: distances need a projected CRS in metres, got {_crs_name(value)}, "
            "a geographic CRS in degrees; reproject first, e.g. "
            f"to_projected(frame, crs={DEFAULT_DISTANCE_CRS!r}) (RD New) for Dutch data"
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
                      labels: Sequence[Any] | None = None) -> None:
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
    if labels is None:
        shown = [f"row {i}" for i in where[:3]]
    else:
        shown = [repr(_plain(n)) for n in np.asarray(labels, dtype=object)[where[:3]]]
    examples = ", ".join(f"{name} ({xs[i]:.6g}, {ys[i]:.6g})"
                         for name, i in zip(shown, where[:3], strict=True))
    lonlat = bool(np.all((np.abs(xs[bad]) <= 180) & (np.abs(ys[bad]) <= 90)))
    if value.is_geographic:
        hint = (f"are they projected metres? Declare their CRS with {option} (e.g. "
                f"{DEFAULT_DISTANCE_CRS} for RD New)")
    elif lonlat:
        hint = (f"they look like lon/lat degrees: declare EPSG:4326 with {option} (they "
                "are projected for distances)")
    else:
        hint = f"declare the CRS the coordinates are really in with {option}"
    raise ValueError(
        f"{what}: {int(bad.sum())} of {xs.size} points lie outside the area of use of "
        f"{_crs_name(value)} [{described}], e.g. {examples}; {hint}"
    )


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


# --------------------------------------------------------------------- boundaries


def _looks_lonlat(bounds: np.ndarray) -> bool:
    xmin, ymin, xmax, ymax = bounds
    return bool(np.all(np.isfinite(bounds)) and -180 <= xmin <= xmax <= 180
                and -90 <= ymin <= ymax <= 90)


def _is_topojson(path: Path) -> bool:
    suffix = path.suffix.lower()
    if suffix == ".topojson":
        return True
    if suffix not in (".json", ".geojson"):
        return False
    size = path.stat().st_size
    with open(path, "rb") as fh:
        head = fh.read(4096)
        if size > 8192:
            fh.seek(size - 4096)
        tail = fh.read(4096)
    pattern = re.compile(rb'"type"\s*:\s*"Topology"')
    return bool(pattern.search(head) or pattern.search(tail))


def _decode_arcs(arcs: list, transform: dict | None) -> tuple[np.ndarray, np.ndarray]:
    """All TopoJSON arcs as one (n, 2) coordinate array and the arc start offsets.

    Quantised arcs (with a ``transform``) are delta-encoded: one cumulative sum over
    every position, minus the running total at each arc's start, then scale and
    translate (TopoJSON specification, section 2.1.2).
    """
    lengths = np.fromiter((len(a) for a in arcs), dtype=np.int64, count=len(arcs))
    try:
        coords = np.array([p for a in arcs for p in a], dtype=np.float64)
        if coords.ndim != 2 or coords.shape[1] < 2:
            raise ValueError
        coords = coords[:, :2]
    except ValueError:  # ragged positions (some with z): keep x and y
        coords = np.array([p[:2] for a in arcs for p in a], dtype=np.float64)
    coords = coords.reshape(-1, 2)
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.int64)
    if transform is not None and len(coords):
        total = np.cumsum(coords, axis=0)
        before = np.zeros((len(arcs), 2))
        nonzero = starts > 0
        before[nonzero] = total[starts[nonzero] - 1]
        coords = total - np.repeat(before, lengths, axis=0)
        coords = coords * np.asarray(transform["scale"], dtype=np.float64) + np.asarray(
            transform["translate"], dtype=np.float64)
    return coords, np.concatenate((starts, [len(coords)]))


class _Topology:
    """Decode the geometries of one TopoJSON topology into shapely objects."""

    def __init__(self, topo: dict) -> None:
        self.transform = topo.get("transform")
        self.coords, self.offsets = _decode_arcs(topo.get("arcs", []), self.transform)
        self.n_arcs = len(self.offsets) - 1

    def _arc(self, ref: int) -> np.ndarray:
        i = ref if ref >= 0 else ~ref
        if not 0 <= i < self.n_arcs:
            raise ValueError(f"TopoJSON arc index {ref} out of range (0..{self.n_arcs - 1})")
        part = self.coords[self.offsets[i]:self.offsets[i + 1]]
        return part if ref >= 0 else part[::-1]

    def _line(self, refs: list[int]) -> np.ndarray:
        parts = [self._arc(r) for r in refs]
        # consecutive arcs share their end/start point: keep it once
        return np.concatenate([parts[0]] + [p[1:] for p in parts[1:]]) if parts else \
            np.empty((0, 2))

    def _position(self, p: list) -> tuple[float, float]:
        x, y = float(p[0]), float(p[1])
        if self.transform is not None:
            (sx, sy), (tx, ty) = self.transform["scale"], self.transform["translate"]
            x, y = x * sx + tx, y * sy + ty
        return x, y

    def _polygon(self, rings: list[list[int]]) -> shapely.Polygon:
        lines = []
        for r in rings:
            line = self._line(r)
            if len(line) and not np.array_equal(line[0], line[-1]):
                line = np.concatenate((line, line[:1]))
            lines.append(line)
        # a ring collapsed by quantisation (fewer than 4 positions) has no area
        if not lines or len(lines[0]) < 4:
            return shapely.Polygon()
        return shapely.Polygon(lines[0], [h for h in lines[1:] if len(h) >= 4])

    def geometry(self, g: dict) -> shapely.Geometry | None:
        kind = g.get("type")
        if kind is None:
            return None
        if kind == "Polygon":
            return self._polygon(g["arcs"])
        if kind == "MultiPolygon":
            parts = [p for p in (self._polygon(p) for p in g["arcs"]) if not p.is_empty]
            return shapely.MultiPolygon(parts) if parts else shapely.MultiPolygon()
        if kind == "LineString":
            return shapely.LineString(self._line(g["arcs"]))
        if kind == "MultiLineString":
            return shapely.MultiLineString([self._line(r) for r in g["arcs"]])
        if kind == "Point":
            return shapely.Point(self._position(g["coordinates"]))
        if kind == "MultiPoint":
            return shapely.MultiPoint([self._position(p) for p in g["coordinates"]])
        if kind == "GeometryCollection":
            return shapely.GeometryCollection(
                [x for x in (self.geometry(m) for m in g.get("geometries", [])) if x])
        raise ValueError(f"unknown TopoJSON geometry type {kind!r}")


def _read_topojson(path: Path, layer: str | None) -> tuple[gpd.GeoDataFrame, str]:
    try:
        topo = json.loads(path.read_text(encoding="utf-8-sig"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"boundaries {str(path)!r} is not valid TopoJSON: {exc}") from None
    objects = topo.get("objects") if isinstance(topo, dict) else None
    if not isinstance(objects, dict) or not objects:
        raise ValueError(f"boundaries {str(path)!r}: the TopoJSON topology has no objects")
    names = list(objects)
    if layer is None:
        if len(names) > 1:
            raise ValueError(f"boundaries {str(path)!r} holds {len(names)} TopoJSON objects "
                             f"{names!r}; choose one with layer=")
        layer = names[0]
    elif layer not in objects:
        raise ValueError(f"layer={layer!r} is not an object of {str(path)!r}; it has "
                         f"{names!r}")
    obj = objects[layer]
    members = obj.get("geometries", []) if obj.get("type") == "GeometryCollection" else [obj]
    decoder = _Topology(topo)
    geoms = [decoder.geometry(g) for g in members]
    records = []
    for g in members:
        props = dict(g.get("properties") or {})
        if "id" in g and "id" not in props:
            props = {"id": g["id"], **props}
        records.append(props)
    frame = pd.DataFrame.from_records(records) if records else pd.DataFrame()
    gdf = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, index=frame.index), crs=None)
    return gdf, layer


def _spatial_layers(path: Path) -> list[str]:
    import pyogrio

    try:
        layers = pyogrio.list_layers(path)
    except Exception as exc:  # pyogrio.errors.DataSourceError and friends
        raise ValueError(f"boundaries {str(path)!r} cannot be read as a vector file: "
                         f"{exc}") from None
    return [str(name) for name, kind in layers if kind is not None]


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """The polygonal parts of a geometry (a MultiPolygon, possibly empty)."""
    parts = shapely.get_parts(geom)
    parts = [p for p in parts if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.MultiPolygon()


def _make_valid(geoms: np.ndarray) -> np.ndarray:
    """Repair geometries: GEOS's "structure" method (keeps polygons polygonal), and
    for the rare input it rejects, the "linework" method keeping the polygonal parts."""
    try:
        return shapely.make_valid(geoms, method="structure", keep_collapsed=False)
    except shapely.errors.GEOSException:
        out = np.empty(len(geoms), dtype=object)
        for i, geom in enumerate(geoms):
            try:
                out[i] = shapely.make_valid(geom, method="structure", keep_collapsed=False)
            except shapely.errors.GEOSException:
                fixed = shapely.make_valid(geom, method="linework")
                polygonal = geom.geom_type in ("Polygon", "MultiPolygon")
                out[i] = _polygonal(fixed) if polygonal else fixed
        return out


def read_boundaries(path: str | os.PathLike, *, crs: Any = None,
                    layer: str | None = None) -> gpd.GeoDataFrame:
    """Read area boundaries (municipalities, districts, ...) from a vector file.

    Reads GeoJSON, TopoJSON, GeoPackage, Shapefile (also zipped) and GeoParquet.
    TopoJSON is decoded here (arcs delta-decoded with numpy), keeping features with a
    null geometry, which GDAL's TopoJSON driver drops. Invalid geometries (self-
    intersections from generalisation or quantisation) are repaired with
    :func:`shapely.make_valid` and counted.

    Parameters
    ----------
    path : str or os.PathLike
        The file. A TopoJSON file is recognised by its ``.topojson`` suffix or by its
        ``"type": "Topology"`` (also when it ends in ``.json``).
    crs : pyproj.CRS, str or int, optional
        The CRS of the file's coordinates, for files that have none (TopoJSON,
        shapefiles without ``.prj``) or a wrong one. It declares the CRS; it does not
        reproject. TopoJSON without ``crs``: EPSG:4326 is assumed when every
        coordinate lies within lon/lat ranges, with a :class:`GeometryWarning`.
    layer : str, optional
        Layer of a multi-layer file (GeoPackage layer, TopoJSON object name). Needed
        only when the file has more than one.

    Returns
    -------
    geopandas.GeoDataFrame
        The features with their properties, in the file's CRS. ``attrs`` records
        ``source``, ``layer``, ``repaired`` (number of geometries repaired),
        ``null_geometries`` and ``crs_assumed`` (True when EPSG:4326 was assumed).

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    ValueError
        If the file is empty or has no features, cannot be read, has several layers
        and no ``layer`` is given, or has no CRS and ``crs`` is not given.

    Warns
    -----
    GeometryWarning
        When a CRS is assumed or overridden, or geometries are repaired.

    References
    ----------
    Bostock, M. TopoJSON Format Specification, version 1.0
    (https://github.com/topojson/topojson-specification).
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"boundaries file not found: {str(path)!r}")
    if path.is_file() and path.stat().st_size == 0:
        raise ValueError(f"boundaries file {str(path)!r} is empty (0 bytes)")
    declared = _as_crs(crs, "crs") if crs is not None else None
    suffix = path.suffix.lower()
    topojson = path.is_file() and _is_topojson(path)
    if topojson:
        gdf, layer = _read_topojson(path, layer)
    elif suffix in (".parquet", ".geoparquet", ".pq"):
        try:
            gdf = gpd.read_parquet(path)
        except (ValueError, OSError) as exc:
            raise ValueError(f"boundaries {str(path)!r} is not a GeoParquet file: "
                             f"{exc}") from None
    else:
        layers = _spatial_layers(path)
        if not layers:
            raise ValueError(f"boundaries {str(path)!r} has no layer with geometries")
        if layer is None:
            if len(layers) > 1:
                raise ValueError(f"boundaries {str(path)!r} has {len(layers)} layers "
                                 f"{layers!r}; choose one with layer=")
            layer = layers[0]
        elif layer not in layers:
            raise ValueError(f"layer={layer!r} is not a layer of {str(path)!r}; it has "
                             f"{layers!r}")
        gdf = gpd.read_file(path, layer=layer, engine="pyogrio")
    if len(gdf) == 0:
        raise ValueError(f"boundaries file {str(path)!r} has no features")

    crs_assumed = False
    if declared is not None:
        if gdf.crs is not None and gdf.crs != declared:
            warnings.warn(
                f"boundaries {path.name}: the file says {_crs_name(gdf.crs)}, crs= "
                f"overrides it with {_crs_name(declared)} (coordinates unchanged)",
                GeometryWarning, stacklevel=2)
        gdf = gdf.set_crs(declared, allow_override=True)
    elif gdf.crs is None:
        if topojson and _looks_lonlat(gdf.total_bounds):
            gdf = gdf.set_crs("EPSG:4326")
            crs_assumed = True
            warnings.warn(
                f"boundaries {path.name}: TopoJSON has no CRS; the coordinates look like "
                "lon/lat, so EPSG:4326 is assumed (pass crs=, or --boundaries-crs, to "
                "override)", GeometryWarning, stacklevel=2)
        else:
            bounds = ", ".join(f"{v:.6g}" for v in gdf.total_bounds)
            raise ValueError(
                f"boundaries {str(path)!r} has no coordinate reference system (bounds "
                f"{bounds}); pass crs= (CLI: --boundaries-crs), e.g. 'EPSG:28992' for "
                "RD New metres or 'EPSG:4326' for lon/lat"
            )

    _check_boundaries_crs(gdf, path, declared is not None, topojson, suffix)
    gdf = repair_boundaries(gdf, path.name)
    gdf.attrs = {"source": str(path), "layer": layer, "repaired": gdf.attrs["repaired"],
                 "null_geometries": gdf.attrs["null_geometries"], "crs_assumed": crs_assumed}
    return gdf


def repair_boundaries(boundaries: gpd.GeoDataFrame, name: str = "boundaries"
                      ) -> gpd.GeoDataFrame:
    """Boundaries as :func:`read_boundaries` returns them, from polygons already in memory.

    Invalid geometries (self-intersections from generalisation or quantisation) are
    repaired with :func:`shapely.make_valid`, Z is dropped and the geometry column is
    called ``geometry``; repairs and features without a geometry are counted and
    reported. The QGIS provider uses it for polygons read from a QGIS layer.

    Parameters
    ----------
    boundaries : geopandas.GeoDataFrame
        The polygons, with a CRS. Not modified.
    name : str
        What the warnings call them (e.g. the file or layer name).

    Returns
    -------
    geopandas.GeoDataFrame
        A copy; ``attrs`` records ``repaired`` and ``null_geometries``.

    Warns
    -----
    GeometryWarning
        When geometries are repaired, or some features have none.
    """
    gdf = boundaries
    geoms = gdf.geometry.array
    null = np.asarray(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if shapely.has_z(geoms).any():
        geoms = shapely.force_2d(geoms)
    invalid = ~null & ~np.asarray(shapely.is_valid(geoms))
    n_repaired = int(invalid.sum())
    if n_repaired:
        fixed = np.asarray(geoms, dtype=object).copy()
        fixed[invalid] = _make_valid(fixed[invalid])
        geoms = fixed
        names = gdf.index[invalid]
        warnings.warn(
            f"boundaries {name}: repaired {n_repaired} invalid "
            f"geometr{'y' if n_repaired == 1 else 'ies'} (shapely.make_valid; rows "
            f"{_examples(list(names))})", GeometryWarning, stacklevel=3)
    null = np.asarray(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if null.any():
        warnings.warn(
            f"boundaries {name}: {int(null.sum())} features have no geometry (null, "
            f"or collapsed to nothing; rows {_examples(list(gdf.index[null]))}); they are "
            "kept but no unit can fall in them", GeometryWarning, stacklevel=3)
    gdf = gdf.set_geometry(gpd.GeoSeries(geoms, index=gdf.index, crs=gdf.crs),
                           crs=gdf.crs)
    if gdf.geometry.name != "geometry":
        gdf = gdf.rename_geometry("geometry")
    gdf.attrs = {"repaired": n_repaired, "null_geometries": int(null.sum())}
    return gdf


def _check_boundaries_crs(gdf: gpd.GeoDataFrame, path: Path, declared: bool,
                          topojson: bool, suffix: str) -> None:
    """Stop when a boundary file's coordinates cannot be in its CRS (checked on the
    corners of every feature's bounding box)."""
    bounds = gdf.geometry.bounds.to_numpy(dtype=np.float64)
    finite = np.isfinite(bounds).all(axis=1)
    if not finite.any():
        return
    bounds = bounds[finite]
    xs = np.concatenate([bounds[:, 0], bounds[:, 2]])
    ys = np.concatenate([bounds[:, 1], bounds[:, 3]])
    labels = np.concatenate([np.asarray([f"feature {i}" for i in gdf.index[finite]],
                                        dtype=object)] * 2)
    try:
        check_area_of_use(xs, ys, gdf.crs, what=f"boundaries {str(path)!r}",
                          option="--boundaries-crs (Python: 'crs=')", labels=labels)
    except ValueError as exc:
        if declared:
            raise ValueError(f"{exc} (the CRS was declared with crs= / --boundaries-crs)"
                             ) from None
        note = ""
        if suffix in (".json", ".geojson") and not topojson and gdf.crs.is_geographic:
            note = (" (a GeoJSON file without a \"crs\" member is read as lon/lat, "
                    "EPSG:4326, as RFC 7946 says)")
        raise ValueError(f"{exc}{note}") from None


def _as_boundaries(boundaries: Any, crs: Any = None, layer: str | None = None
                   ) -> gpd.GeoDataFrame:
    if isinstance(boundaries, gpd.GeoDataFrame):
        if crs is not None:
            return boundaries.set_crs(_as_crs(crs, "crs"), allow_override=True)
        if boundaries.crs is None:
            raise ValueError("boundaries have no CRS: set one (boundaries.set_crs(...)) or "
                             "pass crs=")
        return boundaries
    if isinstance(boundaries, str | os.PathLike):
        return read_boundaries(boundaries, crs=crs, layer=layer)
    raise TypeError(f"boundaries must be a GeoDataFrame or a path, got "
                    f"{type(boundaries).__name__}")


def _check_area_code(boundaries: gpd.GeoDataFrame, area_code: Any) -> None:
    if not isinstance(area_code, str):
        raise TypeError(f"area_code must be a column name (str), got {area_code!r}")
    if area_code not in boundaries.columns or area_code == boundaries.geometry.name:
        columns = [str(c) for c in boundaries.columns if c != boundaries.geometry.name]
        raise ValueError(f"area_code={area_code!r} is not a column of the boundaries; they "
                         f"have {columns!r}")


# ------------------------------------------------------------------ unit points


def _coordinate(data: pd.DataFrame, column: str, argument: str) -> np.ndarray:
    s = data[column]
    values = pd.to_numeric(s, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    bad = ~np.isfinite(values)
    if bad.any():
        non_numeric = bad & s.notna().to_numpy()
        what = ("non-numeric or infinite" if non_numeric.any() else "missing (NaN)")
        raise ValueError(
            f"{argument}: column {column!r} has {int(bad.sum())} {what} coordinates "
            f"(rows {_examples(list(data.index[bad]))}); every unit needs a finite "
            "coordinate; drop or geocode those units first (e.g. geocode_postcodes)"
        )
    return values


def unit_points(data: pd.DataFrame, *, x: str, y: str, crs: Any,
                unit: str | None = None, source: str | None = None,
                option: str = "crs=") -> gpd.GeoDataFrame:
    """Unit (school) points from coordinate columns.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per unit (per year). Not modified; every column is kept.
    x, y : str
        Columns with the coordinates: easting and northing in a projected CRS, or
        longitude and latitude with ``crs="EPSG:4326"``.
    crs : pyproj.CRS, str or int
        The CRS of ``x`` and ``y``.
    unit : str, optional
        The unit id column; checked to be present and complete.
    source : str, optional
        Where the coordinates come from (a file name), for error messages.
    option : str, default "crs="
        How the CRS is declared (``"--crs"`` on the command line), for error messages.

    Returns
    -------
    geopandas.GeoDataFrame
        ``data`` with a point ``geometry`` in ``crs`` (same index).

    Raises
    ------
    TypeError
        If ``data`` is not a DataFrame or a column argument is not a string.
    ValueError
        For missing columns, missing or non-numeric coordinates (units without a
        location are an error here, not a silent loss: drop or geocode them first),
        an unknown CRS, or coordinates that cannot be in ``crs``: lon/lat out of
        range for a geographic CRS, or points outside the CRS's area of use (see
        :func:`check_area_of_use`), e.g. lon/lat declared as ``EPSG:28992``.

    Examples
    --------
    >>> import pandas as pd
    >>> pts = unit_points(pd.DataFrame({"school": ["A"], "x": [121000.0],
    ...                                 "y": [487000.0]}), x="x", y="y", crs="EPSG:28992")
    >>> pts.geometry.iloc[0].wkt, pts.crs.to_epsg()
    ('POINT (121000 487000)', 28992)
    """
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    for value, argument in ((x, "x"), (y, "y")):
        if not isinstance(value, str):
            raise TypeError(f"{argument} must be a column name (str), got {value!r}")
    if unit is not None and not isinstance(unit, str):
        raise TypeError(f"unit must be a column name (str), got {unit!r}")
    given = {"x": x, "y": y, **({"unit": unit} if unit is not None else {})}
    missing = [f"{k}={v!r}" for k, v in given.items() if v not in data.columns]
    if missing:
        raise ValueError(f"missing columns: {', '.join(missing)}; the data has columns "
                         f"{list(map(str, data.columns))!r}")
    value = _as_crs(crs, "crs")
    if unit is not None and data[unit].isna().any():
        rows = list(data.index[data[unit].isna()])
        raise ValueError(f"unit: column {unit!r} has {len(rows)} missing ids (rows "
                         f"{_examples(rows)})")
    xs = _coordinate(data, x, "x")
    ys = _coordinate(data, y, "y")
    what = f"{source + ': ' if source else ''}coordinate columns x={x!r}, y={y!r}"
    check_area_of_use(xs, ys, value, what=what, option=option,
                      labels=data[unit].to_numpy() if unit is not None else None)
    geometry = gpd.GeoSeries(shapely.points(xs, ys), index=data.index, crs=value)
    return gpd.GeoDataFrame(data.copy(), geometry=geometry, crs=value)


def _postcode4(values: pd.Series) -> pd.Series:
    """The 4-digit postcode of each value ("1011 AB", "1011AB", 1011, 1011.0 -> "1011")."""
    text = values.astype("string").str.strip()
    text = text.str.replace(r"\.0+$", "", regex=True)
    return text.str.extract(r"^(\d{4})(?:\s*[A-Za-z]{2})?$", expand=False)


def geocode_postcodes(
    data: pd.DataFrame,
    postcode: str,
    table: pd.DataFrame | str | os.PathLike,
    *,
    table_postcode: str = "postcode",
    x: str = "x_rd",
    y: str = "y_rd",
    crs: Any = DEFAULT_DISTANCE_CRS,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Unit points from 4-digit postcode centroids; unmatched units are left out, counted.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per unit (per year). Not modified; every column is kept.
    postcode : str
        Column with the unit's postcode: ``"1011 AB"``, ``"1011AB"`` or ``1011``; the
        first four digits are used.
    table : pandas.DataFrame or path
        The centroid table (CSV or Parquet), one row per 4-digit postcode, e.g. CBS
        postcode areas ``postcode, x_rd, y_rd, lon, lat``.
    table_postcode, x, y : str
        Columns of ``table``: the postcode and the centroid coordinates.
    crs : pyproj.CRS, str or int, default "EPSG:28992"
        The CRS of the table's ``x`` and ``y`` (``"EPSG:4326"`` with ``x="lon"``,
        ``y="lat"``).

    Returns
    -------
    points : geopandas.GeoDataFrame
        The matched units with a point geometry in ``crs`` (same index as ``data``).
    unmatched : pandas.DataFrame
        The units left out (rows of ``data``) with a ``reason`` column
        (``postcode_unmatched``); see :func:`unit_exclusions` to count them.

    Raises
    ------
    ValueError
        For missing columns, a table with repeated postcodes or missing coordinates.

    Warns
    -----
    GeometryWarning
        When some units are left out (count and examples).
    """
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    if postcode not in data.columns:
        raise ValueError(f"postcode={postcode!r} is not a column of the data; it has "
                         f"{list(map(str, data.columns))!r}")
    table_source = table
    if not isinstance(table, pd.DataFrame):
        from segspatial.io import read_table

        table = read_table(table, columns=[table_postcode, x, y],
                           text_columns=[table_postcode])
    missing = [f"{k}={v!r}" for k, v in (("table_postcode", table_postcode), ("x", x),
                                         ("y", y)) if v not in table.columns]
    if missing:
        raise ValueError(f"postcode table: missing columns {', '.join(missing)}; it has "
                         f"{list(map(str, table.columns))!r}")
    keys = _postcode4(table[table_postcode])
    bad_keys = keys.isna()
    if bad_keys.any():
        raise ValueError(f"postcode table: {int(bad_keys.sum())} values of "
                         f"{table_postcode!r} are not 4-digit postcodes, e.g. "
                         f"{_examples(list(table.loc[bad_keys, table_postcode]))}")
    if keys.duplicated().any():
        raise ValueError(f"postcode table: postcodes repeat, e.g. "
                         f"{_examples(sorted(set(keys[keys.duplicated()])))}; one centroid per "
                         "postcode is needed")
    xs = pd.to_numeric(table[x], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    ys = pd.to_numeric(table[y], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    usable = np.isfinite(xs) & np.isfinite(ys)
    if not usable.all():
        warnings.warn(
            f"postcode table: {int((~usable).sum())} postcodes have no usable centroid "
            f"({x!r}/{y!r} missing or not numeric: "
            f"{_examples(list(keys[~usable]))}); units with them are left out",
            GeometryWarning, stacklevel=2)
    centroids = pd.DataFrame({"x": xs[usable], "y": ys[usable]},
                             index=pd.Index(keys.to_numpy(dtype=object)[usable], name="pc4"))
    codes = _postcode4(data[postcode]).to_numpy(dtype=object)
    position = centroids.index.get_indexer(pd.Index(codes))
    matched = position >= 0
    if not matched.all():
        examples = list(data.loc[~matched, postcode].drop_duplicates())
        warnings.warn(
            f"{int((~matched).sum())} units have a postcode not in the postcode table and "
            f"are left out (postcodes {_examples(examples)})", GeometryWarning, stacklevel=2)
    located = data.loc[matched].copy()
    located["_pc_x"] = centroids["x"].to_numpy()[position[matched]]
    located["_pc_y"] = centroids["y"].to_numpy()[position[matched]]
    source = "postcode table" if isinstance(table_source, pd.DataFrame) else str(table_source)
    check_area_of_use(centroids["x"], centroids["y"], crs,
                      what=f"{source}: centroid columns x={x!r}, y={y!r}",
                      option="crs= of geocode_postcodes (the table's x/y must be in it)",
                      labels=centroids.index)
    points = unit_points(located, x="_pc_x", y="_pc_y", crs=crs).drop(columns=["_pc_x",
                                                                                 "_pc_y"])
    unmatched = data.loc[~matched].copy()
    unmatched["reason"] = "postcode_unmatched"
    return points, unmatched


# ------------------------------------------------------------------------- areas


def _check_snap(snap: Any) -> float:
    if isinstance(snap, bool) or not isinstance(snap, int | float | np.integer | np.floating):
        raise TypeError(f"snap must be a distance in metres (a number), got {snap!r}")
    if not np.isfinite(snap) or snap < 0:
        raise ValueError(f"snap must be a finite distance in metres >= 0 (0 disables "
                         f"snapping), got {_plain(snap)!r}")
    return float(snap)


def assign_areas(
    points: gpd.GeoDataFrame | gpd.GeoSeries,
    boundaries: gpd.GeoDataFrame | str | os.PathLike,
    area_code: str,
    *,
    snap: float = 5000,
    crs: Any = None,
) -> tuple[pd.Series, pd.DataFrame]:
    """The area (polygon) of every unit point: point in polygon, else the nearest polygon.

    A unit inside (or on the border of) a polygon gets that polygon's code. A point
    on a border shared by several areas gets exactly one: the smallest code (string
    order), so the result does not depend on the order of the features. A unit just
    outside every polygon (generalised coastlines, a school on a pier) gets the code
    of the nearest polygon within ``snap`` metres; beyond that it is left out and
    counted. This is how a panel of several years is put on one year's areas (a
    harmonised geography).

    Parameters
    ----------
    points : geopandas.GeoDataFrame or GeoSeries
        Unit points (see :func:`unit_points`), with a CRS.
    boundaries : geopandas.GeoDataFrame or path
        The area polygons (a path is read with :func:`read_boundaries`).
    area_code : str
        Column of ``boundaries`` with the area code (e.g. ``statcode``).
    snap : float, default 5000
        Maximum distance in metres to the nearest polygon for units outside every
        polygon; 0 disables snapping.
    crs : pyproj.CRS, str or int, optional
        Projected CRS (metres) for the distances; default: the boundaries' CRS when it
        is projected, else the points', else EPSG:28992.

    Returns
    -------
    codes : pandas.Series
        The area code per point, indexed like ``points`` and named ``area_code``; NaN
        for units left out. ``codes.attrs`` has ``n_within``, ``n_snapped``,
        ``n_excluded`` and ``max_snap_distance`` (metres).
    exclusions : pandas.DataFrame
        The units left out (rows of ``points`` without geometry) with ``reason``
        (``outside_areas`` or ``no_location``) and ``distance`` to the nearest polygon
        in metres.

    Raises
    ------
    TypeError, ValueError
        For a bad ``area_code`` (unknown column), a missing CRS, a geographic ``crs``
        or a negative ``snap``.

    Warns
    -----
    GeometryWarning
        When units are snapped or left out, or boundary features lack a code.
    """
    snap = _check_snap(snap)
    if not isinstance(points, gpd.GeoDataFrame | gpd.GeoSeries):
        raise TypeError(f"points must be a GeoDataFrame or GeoSeries (see unit_points), got "
                        f"{type(points).__name__}")
    if points.crs is None:
        raise ValueError("points have no CRS: build them with unit_points(..., crs=) or "
                         "set one with points.set_crs(...)")
    bounds = _as_boundaries(boundaries)
    _check_area_code(bounds, area_code)
    target = _distance_crs(crs, bounds, points)
    pts = points if points.crs == target else points.to_crs(target)
    polys = bounds if bounds.crs == target else bounds.to_crs(target)

    code_values = polys[area_code]
    no_code = code_values.isna().to_numpy(dtype=bool, copy=True)
    if code_values.dtype == object or pd.api.types.is_string_dtype(code_values):
        no_code |= code_values.astype(object).map(
            lambda v: isinstance(v, str) and not v.strip()).to_numpy(dtype=bool)
    if no_code.any():
        source = bounds.attrs.get("source")
        where = f" of {source!r}" if source else ""
        features = [int(i) + 1 if isinstance(i, Integral | np.integer) else i
                    for i in bounds.index[no_code]]
        warnings.warn(f"{int(no_code.sum())} boundary feature(s){where} have no "
                      f"{area_code!r} (area_code / --area-code; features "
                      f"{_examples(features)}, counted from 1) and are ignored: no unit is "
                      "assigned to them; every feature needs an area code", GeometryWarning,
                      stacklevel=2)
    poly_geoms = np.asarray(polys.geometry.array, dtype=object).copy()
    poly_geoms[no_code] = None
    # rank of each feature's code in string order: the tie-break for shared borders
    # (features without a code rank first but have no geometry, so never win)
    code_text = np.array(["" if bad else str(v) for v, bad in zip(code_values, no_code,
                                                                   strict=True)],
                         dtype=object)
    _, code_rank = np.unique(code_text, return_inverse=True)
    tree = shapely.STRtree(poly_geoms)

    geoms = np.asarray(pts.geometry.array, dtype=object)
    n = len(geoms)
    located = ~np.asarray(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    # query each distinct location once (a panel repeats every school's point)
    site = np.full(n, -1, dtype=np.int64)
    if (shapely.get_type_id(geoms[located]) == 0).all():
        xy = np.ascontiguousarray(shapely.get_coordinates(geoms[located]))
        inverse, unique_xy = pd.factorize(xy.view(np.complex128).ravel())  # hash, no sort
        site_geoms = shapely.points(unique_xy.real, unique_xy.imag)
        site[located] = inverse
    else:
        site_geoms = geoms[located]
        site[located] = np.arange(int(located.sum()))
    n_sites = len(site_geoms)
    site_chosen = np.full(n_sites, -1, dtype=np.int64)
    site_distance = np.full(n_sites, np.nan)

    def pick(ids: np.ndarray, features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        order = np.lexsort((code_rank[features], ids))
        ids, features = ids[order], features[order]
        first = np.unique(ids, return_index=True)[1]
        return ids[first], features[first]

    inside_ids, inside_features = tree.query(site_geoms, predicate="intersects")
    if len(inside_ids):
        ids, features = pick(inside_ids, inside_features)
        site_chosen[ids] = features
        site_distance[ids] = 0.0
    site_inside = site_chosen >= 0
    outside = np.flatnonzero(~site_inside)
    if len(outside):
        (q, features), dist = tree.query_nearest(site_geoms[outside], return_distance=True,
                                                 all_matches=True)
        ids = outside[q]
        site_distance[ids] = dist
        near = dist <= snap
        if near.any():
            ids_near, features_near = pick(ids[near], features[near])
            site_chosen[ids_near] = features_near

    has_site = site >= 0
    chosen = np.full(n, -1, dtype=np.int64)
    distance = np.full(n, np.nan)
    chosen[has_site] = site_chosen[site[has_site]]
    distance[has_site] = site_distance[site[has_site]]
    inside = np.zeros(n, dtype=bool)
    inside[has_site] = site_inside[site[has_site]]
    n_within = int(inside.sum())
    snapped = (chosen >= 0) & ~inside
    n_snapped = int(snapped.sum())
    max_snap = float(distance[snapped].max()) if n_snapped else 0.0
    if n_snapped:
        warnings.warn(
            f"{n_snapped} units lie outside every area polygon and were assigned to the "
            f"nearest one within snap={snap:g} m (farthest {max_snap:.0f} m)",
            GeometryWarning, stacklevel=2)

    codes = pd.Series(code_values.to_numpy()[np.maximum(chosen, 0)], index=points.index,
                      name=area_code, dtype=code_values.dtype)
    codes[chosen < 0] = None
    excluded = chosen < 0
    frame = points.drop(columns=points.geometry.name) if isinstance(
        points, gpd.GeoDataFrame) else pd.DataFrame(index=points.index)
    exclusions = pd.DataFrame(frame.loc[excluded])
    exclusions["reason"] = np.where(located[excluded], "outside_areas", "no_location")
    exclusions["distance"] = distance[excluded]
    if excluded.any():
        n_missing = int((~located).sum())
        far = exclusions["distance"].dropna()
        n_nowhere = int((located[excluded] & np.isnan(distance[excluded])).sum())
        warnings.warn(
            f"{int(excluded.sum())} units are left out: "
            + ", ".join(filter(None, [
                f"{len(far)} lie outside every area polygon beyond snap={snap:g} m "
                f"(nearest polygon {far.min():.0f}-{far.max():.0f} m away)" if len(far) else "",
                f"{n_nowhere} lie outside every area polygon and no polygon with a "
                f"{area_code!r} is near" if n_nowhere else "",
                f"{n_missing} have no location" if n_missing else ""])),
            GeometryWarning, stacklevel=2)
    codes.attrs = {"n_within": n_within, "n_snapped": n_snapped,
                   "n_excluded": int(excluded.sum()), "max_snap_distance": max_snap}
    return codes, exclusions


def unit_exclusions(
    units: pd.DataFrame,
    *,
    area: str | None = None,
    year: str | None = None,
    pupils: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """Count left-out units as an exclusions table (per reason, area and year).

    Parameters
    ----------
    units : pandas.DataFrame
        Rows of left-out units with a ``reason`` column (as returned by
        :func:`geocode_postcodes` and :func:`assign_areas`).
    area, year : str, optional
        Columns of ``units`` with the area and the year; without them ``area`` (and
        ``year``) is missing in the table.
    pupils : str or sequence of str, optional
        Column(s) whose row sum is the unit's pupils (e.g. ``"pupils"`` or
        ``["a", "b"]``); without it ``n_pupils`` is NaN.

    Returns
    -------
    pandas.DataFrame
        Columns ``reason, area, year, n_units, n_pupils, description`` (see
        :data:`segspatial.counts.EXCLUSION_COLUMNS`).
    """
    from segspatial.counts import EXCLUSION_COLUMNS, empty_exclusions

    if units.empty:
        return empty_exclusions()
    if "reason" not in units.columns:
        raise ValueError("units need a 'reason' column (why each unit is left out)")
    frame = pd.DataFrame({
        "reason": units["reason"].to_numpy(dtype=object),
        "area": (units[area].to_numpy(dtype=object) if area is not None
                 else np.full(len(units), None, dtype=object)),
        "year": (pd.to_numeric(units[year]).to_numpy() if year is not None
                 else np.zeros(len(units), dtype=np.int64)),
        "n_units": np.ones(len(units), dtype=np.int64),
    })
    if pupils is None:
        frame["n_pupils"] = np.nan
    else:
        cols = [pupils] if isinstance(pupils, str) else list(pupils)
        frame["n_pupils"] = units[cols].apply(pd.to_numeric).sum(axis=1).to_numpy(
            dtype=np.float64)
    out = (frame.groupby(["reason", "area", "year"], sort=True, dropna=False)
           .agg(n_units=("n_units", "sum"), n_pupils=("n_pupils", "sum"))
           .reset_index())
    if pupils is None:
        out["n_pupils"] = np.nan
    out["description"] = out["reason"].map(LOCATION_REASONS).fillna("")
    return out[EXCLUSION_COLUMNS]


# -------------------------------------------------------------------------- joins


def _index_column_names(results: pd.DataFrame) -> pd.Series:
    """The output column of each results row: the index name, plus kernel and
    bandwidth for spatial rows (``spatial_dissimilarity_gaussian_1000``) and the
    grouping column for decomposition rows (``mutual_information_between_board``)."""
    names = results["index"].astype(str)
    if has_values(results, "within"):  # decomposition rows: mutual_information_between_board
        within = results["within"]
        names = names.where(within.isna(), names + "_" + within.astype(str))
    if has_values(results, "bandwidth") or has_values(results, "kernel"):
        suffix = pd.Series("", index=results.index, dtype=object)
        if has_values(results, "kernel"):
            kernel = results["kernel"]
            has = kernel.notna()
            suffix[has] = suffix[has] + "_" + kernel[has].astype(str)
        if has_values(results, "bandwidth"):
            bw = pd.to_numeric(results["bandwidth"], errors="coerce")
            has = bw.notna()
            suffix[has] = suffix[has] + "_" + bw[has].map(lambda v: f"{v:g}")
        names = names + suffix.astype(str)
    return names


def _wide_results(results: pd.DataFrame, area: str) -> tuple[pd.DataFrame, list[str]]:
    """One row per area (and year, comparison, groups) with one column per index."""
    keys = [area] + [k for k in ("year", "comparison", "theme", "group_a", "group_b", "groups")
                     if has_values(results, k)]
    frame = results.copy()
    frame["_column"] = _index_column_names(frame)
    dup = frame.duplicated(keys + ["_column"], keep=False)
    if dup.any():
        first = frame.loc[dup].iloc[0]
        raise ValueError(
            f"results: {int(dup.sum())} rows repeat an index for the same "
            + ", ".join(f"{k}={_plain(first[k])!r}" for k in keys)
            + f" (index {first['_column']!r}); one value per area, year, comparison and index"
        )
    # groupby + unstack, not pivot_table(dropna=False): that makes the product of the
    # key levels, and null keys (group_a of multigroup rows, groups of two-group
    # rows) would give rows for combinations that do not exist
    values = (frame.groupby(keys + ["_column"], sort=True, dropna=False, observed=True)
              ["value"].first().unstack("_column"))
    order = list(dict.fromkeys(frame["_column"]))
    values = values.reindex(columns=order)
    values.columns = [str(c) for c in values.columns]
    counts_cols = [c for c in ("n_units", "n_pupils", "n_a", "n_b") if c in frame.columns]
    parts = [values]
    if counts_cols:
        parts.append(frame.groupby(keys, sort=True, dropna=False)[counts_cols].max())
    if "reason" in frame.columns and frame["reason"].notna().any():
        reasons = frame.loc[frame["reason"].notna()].pivot_table(
            index=keys, columns="_column", values="reason", aggfunc="first")
        reasons.columns = [f"reason_{c}" for c in reasons.columns]
        parts.append(reasons)
    wide = pd.concat(parts, axis=1).reset_index()
    return wide, order


def _join_one(results: pd.DataFrame, bounds: gpd.GeoDataFrame, area_code: str,
              area: str) -> tuple[gpd.GeoDataFrame, list]:
    wide, index_columns = _wide_results(results, area)
    keys = [k for k in ("year", "comparison", "theme", "group_a", "group_b", "groups")
            if k in wide.columns]
    code_text = bounds[area_code].astype(str).where(bounds[area_code].notna(), None)
    wide["_code"] = wide[area].astype(str)
    known = set(code_text.dropna())
    unmatched = sorted({c for c in wide["_code"] if c not in known})
    geom_name = bounds.geometry.name
    props = bounds.drop(columns=geom_name)
    clash = [c for c in props.columns if c in wide.columns and c != area_code]
    if clash:
        props = props.rename(columns={c: f"{c}_boundary" for c in clash})
    props = props.assign(_code=code_text.to_numpy(dtype=object), _feature=np.arange(len(props)))
    if keys:
        combos = wide[keys].drop_duplicates().reset_index(drop=True)
        grid = props.merge(combos, how="cross")
    else:
        grid = props
    joined = grid.merge(wide.drop(columns=[area]), on=["_code", *keys], how="left",
                        validate="many_to_one")
    joined = joined.sort_values(["_feature", *keys], kind="stable")
    geometry = bounds.geometry.to_numpy()[joined["_feature"].to_numpy()]
    joined = joined.drop(columns=["_code", "_feature"]).reset_index(drop=True)
    out = gpd.GeoDataFrame(joined, geometry=gpd.GeoSeries(geometry, crs=bounds.crs),
                           crs=bounds.crs)
    out.attrs["index_columns"] = index_columns
    return out, unmatched


def join_areas(
    results: pd.DataFrame,
    boundaries: gpd.GeoDataFrame | str | os.PathLike,
    area_code: str,
    *,
    area: str = "area",
    crs: Any = None,
    layer: str | None = None,
) -> gpd.GeoDataFrame:
    """Join a tidy results table to area polygons: one column per index.

    Every boundary feature is kept (areas without results get NaN), once per year,
    comparison and group pair present in the results; results for an area without a
    polygon are reported (:class:`GeometryWarning`, ``attrs``), not silently dropped.
    Spatial rows with ``bandwidth`` and ``kernel`` get their own column, e.g.
    ``spatial_dissimilarity_gaussian_1000``. Undefined values keep their reason in a
    ``reason_<index>`` column.

    Parameters
    ----------
    results : pandas.DataFrame
        The tidy results (:attr:`segspatial.SegregationResult.table`): ``area``,
        [``year``], [``comparison``], ``group_a``, ``group_b``, ``index``,
        [``bandwidth``, ``kernel``], ``value``, ``n_units``, ...
    boundaries : geopandas.GeoDataFrame or path
        The polygons, or a file path; a path containing ``{year}`` (e.g.
        ``"gemeente_{year}.geojson"``) joins each year's results to that year's
        boundaries (reprojected to the first year's CRS).
    area_code : str
        Column of the boundaries with the area code matching ``results[area]``
        (compared as text).
    area : str, default "area"
        The area column of ``results``.
    crs : pyproj.CRS, str or int, optional
        Declared CRS of boundary files without one (see :func:`read_boundaries`).
    layer : str, optional
        Layer of a multi-layer boundary file (see :func:`read_boundaries`).

    Returns
    -------
    geopandas.GeoDataFrame
        One feature per boundary feature (per year, comparison and group pair), the
        boundary properties, the keys, one column per index, ``n_units``,
        ``n_pupils``, ``n_a``, ``n_b``. ``attrs``: ``index_columns``,
        ``unmatched_areas`` (codes in the results without a polygon),
        ``n_unmatched_rows`` (results rows concerned), ``n_areas_without_results``
        (output features with no value), ``areas_without_results`` (the codes of the
        boundary features without any result, sorted as text).

    Raises
    ------
    TypeError, ValueError
        For a missing ``area``/``index``/``value`` column in the results, an unknown
        ``area_code``, or a ``{year}`` pattern with results without a ``year``.
    FileNotFoundError
        If a boundary file (for some year) does not exist.
    """
    if not isinstance(results, pd.DataFrame):
        raise TypeError(f"results must be a pandas DataFrame, got {type(results).__name__}")
    missing = [c for c in (area, "index", "value") if c not in results.columns]
    if missing:
        hint = (" (compute the indices with area= to get one)" if area in missing else "")
        raise ValueError(f"results have no column(s) {missing!r}{hint}; they have "
                         f"{list(map(str, results.columns))!r}")
    if results[area].isna().any():
        raise ValueError(f"results: {int(results[area].isna().sum())} rows have no "
                         f"{area!r}; every results row needs an area")
    if isinstance(boundaries, str | os.PathLike) and "{year}" in str(boundaries):
        if "year" not in results.columns:
            raise ValueError(f"boundaries {str(boundaries)!r} is a per-year pattern but the "
                             "results have no 'year' column")
        pieces, unmatched, target = [], [], None
        for y in sorted(results["year"].dropna().unique()):
            path = str(boundaries).replace("{year}", str(_plain(y)))
            bounds = _as_boundaries(path, crs, layer)
            _check_area_code(bounds, area_code)
            if target is None:
                target = bounds.crs
            elif bounds.crs != target:
                bounds = bounds.to_crs(target)
            piece, missing_codes = _join_one(results[results["year"] == y], bounds,
                                             area_code, area)
            pieces.append(piece)
            unmatched += [(_plain(y), c) for c in missing_codes]
        out = gpd.GeoDataFrame(pd.concat(pieces, ignore_index=True), crs=target)
        out.attrs["index_columns"] = list(dict.fromkeys(
            c for p in pieces for c in p.attrs["index_columns"]))
        unmatched_codes = sorted({c for _, c in unmatched})
        n_rows = int(sum(((results["year"] == y) & (results[area].astype(str) == c)).sum()
                         for y, c in unmatched))
    else:
        bounds = _as_boundaries(boundaries, crs, layer)
        _check_area_code(bounds, area_code)
        out, unmatched_codes = _join_one(results, bounds, area_code, area)
        n_rows = int(results[area].astype(str).isin(unmatched_codes).sum())
    if unmatched_codes:
        warnings.warn(
            f"{len(unmatched_codes)} areas in the results have no polygon in the boundaries "
            f"({n_rows} results rows not shown on the map): {_examples(unmatched_codes)}; "
            "are the boundaries from the same year as the results?",
            GeometryWarning, stacklevel=2)
    index_columns = out.attrs.get("index_columns", [])
    empty = out[index_columns].isna().all(axis=1) if index_columns else pd.Series(True,
                                                                                 out.index)
    codes = out[area_code]
    has_code = codes.notna().to_numpy()
    no_result = empty[has_code].groupby(codes[has_code].astype(str)).all()
    out.attrs.update({"unmatched_areas": unmatched_codes, "n_unmatched_rows": n_rows,
                      "n_areas_without_results": int(empty.sum()),
                      "areas_without_results": sorted(no_result.index[no_result.to_numpy()])})
    return out


# -------------------------------------------------------------------------- write


_GEO_FORMATS = {".gpkg": "GPKG", ".geojson": "GeoJSON", ".json": "GeoJSON",
                ".parquet": "parquet", ".geoparquet": "parquet", ".shp": "ESRI Shapefile"}


def _geojson_text(frame: gpd.GeoDataFrame) -> str:
    """GeoJSON with every float written exactly (Python's shortest round-trip repr;
    GDAL's writer rounds attributes to 15 significant digits). A CRS other than
    EPSG:4326 is recorded in a ``crs`` member, as GDAL does."""
    data = json.loads(frame.to_json(na="null", show_bbox=False, drop_id=True,
                                    to_wgs84=False))
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        epsg = frame.crs.to_epsg()
        name = f"urn:ogc:def:crs:EPSG::{epsg}" if epsg else frame.crs.to_wkt()
        data = {"type": "FeatureCollection", "crs": {"type": "name",
                                                     "properties": {"name": name}},
                "features": data["features"]}
    return json.dumps(data, allow_nan=False)


def write_geo(frame: gpd.GeoDataFrame, path: str | os.PathLike, *,
              layer: str | None = None) -> Path:
    """Write a GeoDataFrame to GeoPackage, GeoJSON or GeoParquet (by suffix), atomically.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
    path : str or os.PathLike
        Ending in ``.gpkg``, ``.geojson``/``.json`` or ``.parquet``.
    layer : str, optional
        GeoPackage layer name; default: the file's stem with every character other
        than ASCII letters, digits and ``_`` replaced by ``_`` (GeoPackage refuses
        spaces and special characters in layer names).

    Returns
    -------
    pathlib.Path
        The path written.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in _GEO_FORMATS or suffix == ".shp":
        raise ValueError(f"output {str(path)!r}: use a file ending in .gpkg, .geojson or "
                         ".parquet (GeoParquet)")
    frame = frame.copy()
    frame.attrs = {}
    if suffix == ".gpkg":
        # GeoPackage reserves an integer "fid" column; keep a text one under another name
        reserved = [c for c in frame.columns if str(c).lower() == "fid"
                    and not pd.api.types.is_integer_dtype(frame[c])]
        frame = frame.rename(columns={c: f"{c}_source" for c in reserved})
    with atomic_file(path) as tmp:
        if _GEO_FORMATS[suffix] == "parquet":
            frame.to_parquet(tmp, index=False)
        elif _GEO_FORMATS[suffix] == "GeoJSON":
            tmp.write_text(_geojson_text(frame), encoding="utf-8")
        else:
            default = re.sub(r"[^A-Za-z0-9_]", "_", path.stem)[:63] or "layer"
            frame.to_file(tmp, driver="GPKG", engine="pyogrio", layer=layer or default)
    return path

