"""The data side of the web maps (segspatial.webmap): points and shapes in longitudes
and latitudes, and their GeoJSON, built straight from arrays (one map's features in well
under a millisecond instead of a GeoDataFrame and its row iterator), and colours as hex.

No text from input becomes markup here: property values are escaped by the caller
(``webmap.escape``) before they reach a GeoJSON property.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

import numpy as np


def _wgs84(crs: Any, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Longitudes and latitudes of points given in ``crs`` (the transformation
    geopandas' ``to_crs`` makes, without building a GeoDataFrame per map)."""
    transform = _transformer(crs) if _hashable(crs) else None
    if transform is None:
        from pyproj import Transformer

        transform = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    lon, lat = transform.transform(np.asarray(x, dtype=np.float64),
                                   np.asarray(y, dtype=np.float64))
    return np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _lonlat_shapes(shapes: Any) -> np.ndarray:
    """The geometries of a GeoSeries in longitudes and latitudes (as its
    ``to_crs("EPSG:4326")``, with the transformer of :func:`_wgs84`); as they are
    without a CRS."""
    geometries = shapes.to_numpy()
    if shapes.crs is None:
        return geometries
    import shapely

    def lonlat(xy: np.ndarray) -> np.ndarray:
        return np.column_stack(_wgs84(shapes.crs, xy[:, 0], xy[:, 1]))

    return shapely.transform(geometries, lonlat)


@cache
def _transformer(crs: Any):
    from pyproj import Transformer

    return Transformer.from_crs(crs, "EPSG:4326", always_xy=True)


def _points_geojson(lon: np.ndarray, lat: np.ndarray,
                    properties: Mapping[str, Any]) -> dict:
    """A GeoJSON FeatureCollection of points, as geopandas' ``__geo_interface__``
    gives it (feature ids ``"0"``, ``"1"`` ..., a ``bbox`` per feature and for the
    whole), built directly from the arrays: one map's schools in well under a
    millisecond instead of a GeoDataFrame and its row iterator."""
    columns = {k: (v.tolist() if isinstance(v, np.ndarray) else list(v))
               for k, v in properties.items()}
    lon_list, lat_list = np.asarray(lon).tolist(), np.asarray(lat).tolist()
    features = [
        {"id": str(i), "type": "Feature",
         "properties": {k: v[i] for k, v in columns.items()},
         "geometry": {"type": "Point", "coordinates": [x, y]},
         "bbox": [x, y, x, y]}
        for i, (x, y) in enumerate(zip(lon_list, lat_list, strict=True))]
    bbox = ([float(np.min(lon)), float(np.min(lat)), float(np.max(lon)), float(np.max(lat))]
            if features else [np.nan] * 4)
    return {"type": "FeatureCollection", "features": features, "bbox": bbox}


def _shapes_geojson(geometries: Sequence[Any], properties: Mapping[str, Sequence]) -> dict:
    """A GeoJSON FeatureCollection of shapely geometries, as geopandas'
    ``__geo_interface__`` gives it (see :func:`_points_geojson`); coordinates as lists."""
    import shapely
    from shapely.geometry import mapping

    features = []
    for i, geometry in enumerate(geometries):
        features.append({
            "id": str(i), "type": "Feature",
            "properties": {k: v[i] for k, v in properties.items()},
            "geometry": (None if geometry is None
                         else json.loads(json.dumps(mapping(geometry)))),
            "bbox": None if geometry is None else list(geometry.bounds)})
    bbox = shapely.total_bounds(np.asarray(geometries, dtype=object)).tolist()
    return {"type": "FeatureCollection", "features": features, "bbox": bbox}


def _each_once(values: Any, text: Any) -> list[str]:
    """``[text(v) for v in values]``, with ``text`` called once per distinct value (a
    large town's schools share many rounded counts and one area share)."""
    found: dict[Any, str] = {}
    out = []
    for value in values:
        key = float(value)
        if key != key:  # NaN: no dict key matches it
            out.append(text(value))
            continue
        if key not in found:
            found[key] = text(value)
        out.append(found[key])
    return out


def _hex(colors: np.ndarray) -> list[str]:
    """RGB(A) colours (floats 0-1, one a row) as ``#rrggbb``: matplotlib's ``to_hex``
    (each channel ``round(v * 255)``, half to even), for all rows at once."""
    channels = np.round(np.asarray(colors, dtype=np.float64).reshape(-1, 4)[:, :3] * 255)
    return ["#{:02x}{:02x}{:02x}".format(*rgb) for rgb in channels.astype(int).tolist()]


__all__: list[str] = []
