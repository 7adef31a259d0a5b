"""Writing geometries: GeoPackage, GeoJSON (exact floats) and GeoParquet, atomically."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd

from segspatial._write import atomic_file

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
