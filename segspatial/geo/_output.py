"""Writing geometries: GeoPackage, GeoJSON (exact floats) and GeoParquet, atomically,
with the same bytes for the same frame on every run."""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pandas as pd

from segspatial._formats import geo_format
from segspatial._write import atomic_file

#: The GeoPackage layer name :func:`write_geo` gives by default.
DEFAULT_LAYER = "results"
#: The time stamp a GeoPackage records as its last change (``gpkg_contents.last_change``):
#: fixed, so that the same frame gives the same file on every run.
GPKG_DATE = "2000-01-01T00:00:00Z"


@contextlib.contextmanager
def _gdal_date(value: str) -> Iterator[None]:
    """GDAL's ``OGR_CURRENT_DATE`` set to ``value`` for the duration of one write.

    The option is process-wide in GDAL (pyogrio sets no per-call config options): the
    previous value is put back afterwards, also when the write fails.
    """
    import pyogrio

    before = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": value})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": before})


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

    The same frame gives the same bytes on every run: the GeoPackage records a fixed
    time stamp (:data:`GPKG_DATE`) instead of the time of writing, GeoJSON and
    GeoParquet hold none. Columns of segspatial's tables get their types of
    :data:`segspatial.schema.FILE_DTYPES` (``year`` a whole number, codes text, ...)
    and a column of text that is empty throughout is still a text field.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
    path : str or os.PathLike
        Ending in ``.gpkg``, ``.geojson``/``.json`` or ``.parquet``/``.geoparquet``.
    layer : str, optional
        GeoPackage layer name; default :data:`DEFAULT_LAYER` (``"results"``), the same
        whatever the file is called, so a QGIS project that uses the layer keeps
        working when the file is renamed or written again under another name. Only
        ASCII letters, digits and ``_`` (GeoPackage refuses spaces and special
        characters in layer names; others are replaced by ``_``).

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    ValueError
        For another suffix (the message lists the allowed ones).
    """
    from segspatial.schema import typed

    path = Path(path)
    driver = geo_format(path).driver
    frame = typed(frame)
    frame.attrs = {}
    if driver == "GPKG":
        # GeoPackage reserves an integer "fid" column; keep a text one under another name
        reserved = [c for c in frame.columns if str(c).lower() == "fid"
                    and not pd.api.types.is_integer_dtype(frame[c])]
        frame = frame.rename(columns={c: f"{c}_source" for c in reserved})
    with atomic_file(path) as tmp:
        if driver == "parquet":
            _write_geoparquet(frame, tmp)
        elif driver == "GeoJSON":
            tmp.write_text(_geojson_text(frame), encoding="utf-8")
        else:
            name = re.sub(r"[^A-Za-z0-9_]", "_", layer or DEFAULT_LAYER)[:63] or DEFAULT_LAYER
            with _gdal_date(GPKG_DATE):
                frame.to_file(tmp, driver="GPKG", engine="pyogrio", layer=name)
    return path


def _write_geoparquet(frame: gpd.GeoDataFrame, path: Path) -> None:
    """GeoParquet with the Arrow types of :func:`segspatial.schema.arrow_schema`.

    geopandas writes the file (its ``geo`` metadata); the table is then read back
    from memory and written again with ``string`` for every text column (geopandas
    gives ``large_string`` under pandas' Arrow-backed strings), so the types do not
    depend on the pandas version.
    """
    import io

    import pyarrow.parquet as pq

    from segspatial.schema import arrow_schema

    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    table = pq.read_table(io.BytesIO(buffer.getvalue()))
    pq.write_table(table.cast(arrow_schema(table)), path)
