"""Reading QGIS layers for the API and writing its tables back (imports QGIS).

Layers are read feature by feature through the QGIS API (any provider, selections,
filters): this is I/O, not computation; the API computes vectorised. Values cross as
plain Python values (NULL <-> None/NaN), field names are used as they are (they are
data: never parsed, evaluated or formatted into markup).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from qgis.core import (
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsFeature,
    QgsFeatureRequest,
    QgsField,
    QgsFields,
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QVariant

from segspatial._exceptions import CatalogueWarning
from segspatial.qgis import _wiring as w
from segspatial.qgis._texts import language, text

__all__ = ["Units", "attribute_value", "crs_text", "free_name", "layer_files", "qgis_field",
           "qgis_value", "read_points", "read_polygons", "ui_language", "ui_text",
           "warnings_to", "without_fid"]


def ui_language() -> str:
    """The catalogue language of QGIS's user interface (``en`` or ``nl``)."""
    return language(QgsApplication.locale())


def ui_text(key: str, **values: Any) -> str:
    """The text for ``key`` in QGIS's language (see :func:`segspatial.qgis._texts.text`)."""
    return text(key, ui_language(), **values)


# --------------------------------------------------------------------------- layers


def crs_text(crs: QgsCoordinateReferenceSystem, what: str) -> str:
    """A QGIS CRS as text pyproj reads (its authority id, else WKT2)."""
    if not crs.isValid():
        raise QgsProcessingException(ui_text("msg.no_crs", name=what))
    return crs.authid() or crs.toWkt(QgsCoordinateReferenceSystem.WKT_PREFERRED)


def attribute_value(value: Any) -> Any:
    """A QGIS attribute as a Python value (NULL -> None)."""
    if value is None or (isinstance(value, QVariant) and value.isNull()):
        return None
    return value


def qgis_value(value: Any) -> Any:
    """A pandas/numpy value as a QGIS attribute (NaN -> NULL)."""
    if value is None:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def free_name(base: str, taken: set[str]) -> str:
    """``base``, or ``base_2``, ``base_3``, ... whichever is not in ``taken`` (added)."""
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}_{n}"
    taken.add(name)
    return name


def layer_files(algorithm: QgsProcessingAlgorithm, parameters: dict, context: Any,
                names: list[str]) -> list[str]:
    """The local files behind layer parameters (for the report's method section)."""
    files = []
    for name in names:
        layer = algorithm.parameterAsVectorLayer(parameters, name, context)
        if layer is None:
            continue
        path = Path(layer.source().split("|")[0])
        if path.is_file() and str(path) not in files:
            files.append(str(path))
    return files


@dataclass
class Units:
    """The schools as the API takes them, and what was left out while locating them."""

    frame: pd.DataFrame          # index: feature id; the fields read + x, y (projected)
    unit: str
    group_a: str | None          # two groups (None with ``groups``)
    group_b: str | None
    total: str | None
    year: str | None
    area: str
    x: str
    y: str
    name: str | None
    crs: Any                     # pyproj CRS of x / y (the distance CRS)
    by_location: bool
    bounds: Any = None           # GeoDataFrame: code, name, _fid, geometry (or None)
    polygons: dict = field(default_factory=dict)  # fid -> QgsFeature
    polygon_fields: QgsFields | None = None
    polygon_wkb: int = QgsWkbTypes.NoGeometry
    polygon_crs: QgsCoordinateReferenceSystem | None = None
    exclusions: list = field(default_factory=list)
    groups: list[str] | None = None  # K >= 2 group fields (the multigroup algorithm)

    @property
    def pupils(self) -> list[str]:
        if self.total:
            return [self.total]
        return list(self.groups) if self.groups else [self.group_a, self.group_b]

    @property
    def roles(self) -> dict[str, Any]:
        return {"area": self.area, "year": self.year, "total": self.total}


def read_points(source: Any, columns: list[str], feedback: Any
                ) -> tuple[pd.DataFrame, list[float], list[float], list[int]]:
    """Attributes of ``columns`` and point coordinates of every feature of ``source``."""
    fields = source.fields()
    indices = [fields.lookupField(c) for c in columns]
    request = QgsFeatureRequest().setSubsetOfAttributes(indices)
    values: list[list[Any]] = [[] for _ in columns]
    fids, xs, ys, multi = [], [], [], []
    total = max(source.featureCount(), 1)
    for n, feature in enumerate(source.getFeatures(request)):
        if n % 1000 == 0:
            if feedback.isCanceled():
                raise w.Cancelled
            feedback.setProgress(10 * n / total)
        attributes = feature.attributes()
        for column, i in zip(values, indices, strict=True):
            column.append(attribute_value(attributes[i]))
        fids.append(feature.id())
        geometry = feature.geometry()
        if geometry.isNull() or geometry.isEmpty():
            xs.append(np.nan)
            ys.append(np.nan)
            continue
        if geometry.isMultipart():
            points = geometry.asMultiPoint()
            if len(points) != 1:
                multi.append(feature.id())
                points = points[:1]
            point = points[0]
        else:
            point = geometry.asPoint()
        xs.append(point.x())
        ys.append(point.y())
    if multi:
        shown = ", ".join(map(str, multi[:5])) + (" ..." if len(multi) > 5 else "")
        raise QgsProcessingException(ui_text("msg.multipoint", fids=shown))
    frame = pd.DataFrame(dict(zip(columns, values, strict=True)), index=pd.Index(fids))
    return frame, xs, ys, fids


def read_polygons(source: Any, code: str | None, name: str | None, crs: str, what: str):
    """The polygons as a GeoDataFrame (``code``, ``name``, ``_fid``), repaired as
    :func:`segspatial.geo.read_boundaries` repairs files, and the features by id.

    Without a code field: ``statcode`` when the layer has one, else the feature id;
    without a name field: a usual one (``statnaam``, ``name``, ...) when present."""
    import geopandas as gpd
    import shapely

    from segspatial._mapdata import guess_name_column
    from segspatial.geo import repair_boundaries

    fields = source.fields()
    names = [f.name() for f in fields]
    if code is None and "statcode" in names:  # CBS boundaries, as `segspatial report`
        code = "statcode"
    if name is None:
        name = guess_name_column(pd.DataFrame(columns=names), None)
    features = {f.id(): QgsFeature(f) for f in source.getFeatures()}
    fids = list(features)
    geoms = shapely.from_wkb([bytes(features[i].geometry().asWkb())
                              if not features[i].geometry().isNull() else None for i in fids])
    frame = {"_fid": fids}

    def column(field_name: str) -> list[Any]:
        i = fields.lookupField(field_name)
        return [attribute_value(features[f].attributes()[i]) for f in fids]

    frame["code"] = column(code) if code else fids
    frame["name"] = column(name) if name else [None] * len(fids)
    polygons = gpd.GeoDataFrame(frame, geometry=list(geoms), crs=crs)
    return repair_boundaries(polygons, what), features


@contextmanager
def warnings_to(feedback: Any, words: Callable[[str], str] = str) -> Iterator[None]:
    """segspatial's warnings (geometry notes, undefined values) as QGIS warnings, in
    QGIS's language (the catalogue's ``[warning]`` sentences) and the algorithm's
    ``words`` (its parameter names)."""
    caught: list[warnings.WarningMessage] = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield
    finally:  # outside the recording (showing a warning inside it records it again)
        for item in caught:
            message = item.message
            if isinstance(message, CatalogueWarning):
                feedback.pushWarning(words(message.text(ui_language())))
            else:
                warnings.showwarning(item.message, item.category, item.filename,
                                     item.lineno)



def qgis_field(name: str, series: pd.Series) -> QgsField:
    """A field for a column: the type of :data:`segspatial.schema.FILE_DTYPES` for the
    columns of segspatial's tables (``year`` whole, codes text, also when a column is
    empty throughout), else from the values."""
    from segspatial.schema import FILE_DTYPES

    schema = {"string": QVariant.String, "Int64": QVariant.LongLong,
              "float64": QVariant.Double}.get(FILE_DTYPES.get(name, ""))
    if schema is not None:
        return QgsField(name, schema)
    if pd.api.types.is_bool_dtype(series) or pd.api.types.is_integer_dtype(series):
        return QgsField(name, QVariant.LongLong)
    if pd.api.types.is_float_dtype(series):
        return QgsField(name, QVariant.Double)
    values = series.dropna()
    if len(values) and all(isinstance(v, int | np.integer) and not isinstance(v, bool)
                           for v in values):
        return QgsField(name, QVariant.LongLong)
    if len(values) and all(isinstance(v, float | np.floating | int | np.integer)
                           for v in values):
        return QgsField(name, QVariant.Double)
    return QgsField(name, QVariant.String)


def without_fid(fields: QgsFields) -> QgsFields:
    """``fields`` with a field called ``fid`` renamed ``fid_source``: a GeoPackage output
    takes a field of that name as its unique feature id, and an output with one
    feature per area and year repeats the areas' values."""
    out = QgsFields(fields)
    for i in range(out.count()):
        if out.at(i).name().lower() == "fid":
            out.rename(i, free_name(f"{out.at(i).name()}_source",
                                     {out.at(j).name() for j in range(out.count())}))
    return out
