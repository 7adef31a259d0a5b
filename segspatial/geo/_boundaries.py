"""Reading and repairing area boundaries (GeoJSON, TopoJSON, GeoPackage, Shapefile,
GeoParquet), with their CRS checked against the coordinates."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from segspatial._warn import Features, warn
from segspatial.geo._common import GeometryWarning, _choose_layer, _features
from segspatial.geo._crs import _as_crs, _crs_name, check_area_of_use
from segspatial.geo._topojson import _is_topojson, _read_topojson


def _looks_lonlat(bounds: np.ndarray) -> bool:
    xmin, ymin, xmax, ymax = bounds
    return bool(np.all(np.isfinite(bounds)) and -180 <= xmin <= xmax <= 180
                and -90 <= ymin <= ymax <= 90)


def _spatial_layers(path: Path) -> list[str]:
    import pyogrio

    try:
        layers = pyogrio.list_layers(path)
    except Exception as exc:  # pyogrio.errors.DataSourceError and friends
        # GDAL's advice on '<DRIVER>:' prefixes is for GDAL users, not ours
        reason = str(exc).split("; It might help to specify the correct driver")[0]
        reason = reason.rstrip(". ").replace(f"{str(path)!r} not recognized as being in a "
                                             "supported file format",
                                             "GDAL does not recognise its format")
        raise ValueError(
            f"boundaries {str(path)!r} cannot be read as a vector file ({reason}): give "
            "a GeoJSON (a FeatureCollection), TopoJSON, GeoPackage, Shapefile or "
            "GeoParquet file") from None
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
        layer = _choose_layer(layers, layer, path, "layer")
        gdf = gpd.read_file(path, layer=layer, engine="pyogrio")
    if len(gdf) == 0:
        raise ValueError(f"boundaries file {str(path)!r} has no features")

    crs_assumed = False
    if declared is not None:
        if gdf.crs is not None and gdf.crs != declared:
            warn(GeometryWarning, "crs_overridden", name=path.name,
                 file_crs=_crs_name(gdf.crs), crs=_crs_name(declared))
        gdf = gdf.set_crs(declared, allow_override=True)
    elif gdf.crs is None:
        if topojson and _looks_lonlat(gdf.total_bounds):
            gdf = gdf.set_crs("EPSG:4326")
            crs_assumed = True
            warn(GeometryWarning, "topojson_lonlat", name=path.name)
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
        warn(GeometryWarning, "repaired", name=name, n=n_repaired,
             features=Features(names), stacklevel=3)
    null = np.asarray(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if null.any():
        warn(GeometryWarning, "null_geometries", name=name, n=int(null.sum()),
             features=Features(gdf.index[null]), stacklevel=3)
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
    labels = np.concatenate([np.asarray([_features([i]) for i in gdf.index[finite]],
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
