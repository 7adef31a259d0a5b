"""TopoJSON decoding (arcs delta-decoded with numpy), keeping null geometries that
GDAL's TopoJSON driver drops."""

from __future__ import annotations

import json
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from segspatial.geo._common import _choose_layer


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
    layer = _choose_layer(list(objects), layer, path, "TopoJSON object")
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
