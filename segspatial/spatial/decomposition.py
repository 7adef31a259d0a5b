"""Between / within districts decomposition of Theil's H, and the polygons it needs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from segspatial._kernels import GroupedCounts, _binary_entropy, _unit_share_a
from segspatial.counts import _REASONS

_REASONS.setdefault(
    "outside_districts",
    "units farther than `snap` from every district: left out of the between/within "
    "decomposition of Theil's H",
)


def _theil_decomposition(c: GroupedCounts, district: np.ndarray,
                         used: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Theil's H between and within districts, per group (units ``used`` only).

    With E the entropy of the area, E_d of district d and E_j of unit j,
    between = Σ_d T_d (E − E_d) / (T E), within = Σ_j t_j (E_{d(j)} − E_j) / (T E);
    their sum is H of the units used, exactly.
    """
    sub = GroupedCounts(a=c.a[used], b=c.b[used], group=c.group[used], n_groups=c.n_groups)
    key = pd.MultiIndex.from_arrays([sub.group, district[used]])
    d_label, d_keys = pd.factorize(key)
    n_d = len(d_keys)
    d_group = np.asarray(d_keys.get_level_values(0), dtype=np.intp)
    a_d = np.bincount(d_label, weights=sub.a, minlength=n_d)
    t_d = np.bincount(d_label, weights=sub.t, minlength=n_d)
    with np.errstate(divide="ignore", invalid="ignore"):
        e_d = _binary_entropy(np.where(t_d > 0, a_d / np.where(t_d > 0, t_d, 1.0), 0.0))
        e = _binary_entropy(sub.P)
        norm = sub.T * e
        between = np.bincount(d_group, weights=t_d * (e[d_group] - e_d),
                              minlength=c.n_groups) / norm
        within = sub.sum(sub.t * (e_d[d_label] - _binary_entropy(_unit_share_a(sub)))) / norm
    return between, within


def _read_polygons(source: Any, argument: str, crs: Any):
    """A GeoDataFrame of polygons in ``crs`` from a GeoDataFrame or a file."""
    import geopandas as gpd

    from segspatial.geo import read_boundaries

    if isinstance(source, str | Path):
        frame = read_boundaries(source)
    elif isinstance(source, gpd.GeoDataFrame):
        frame = source
    else:
        raise TypeError(f"{argument} must be a GeoDataFrame or a file path, got "
                        f"{type(source).__name__}")
    if frame.crs is None:
        raise ValueError(f"{argument}: the polygons have no CRS; set one with set_crs()")
    return frame.to_crs(crs)


def _assign_districts(x: np.ndarray, y: np.ndarray, crs: Any, districts: Any,
                      district_code: str | None, snap: float) -> np.ndarray:
    """The district code of each point (None beyond ``snap`` metres of every district).

    A point in (or on the border of) a district gets its code, else the nearest
    district within ``snap`` metres (:func:`segspatial.geo.assign_areas`).
    """
    import geopandas as gpd

    from segspatial.geo import assign_areas

    if not isinstance(district_code, str):
        raise TypeError(f"district_code must be the column of district codes (str), got "
                        f"{district_code!r}")
    frame = _read_polygons(districts, "districts", crs)
    if district_code not in frame.columns or district_code == frame.geometry.name:
        raise ValueError(f"district_code: column {district_code!r} not in the districts; "
                         f"they have {[str(c) for c in frame.columns]!r}")
    points = gpd.GeoSeries.from_xy(x, y, crs=crs)
    codes, _ = assign_areas(points, frame, district_code, snap=snap, crs=crs)
    return codes.astype(object).where(codes.notna(), None).to_numpy(dtype=object)


def _area_polygons(boundaries: Any, area_code: str | None, crs: Any,
                   areas: np.ndarray) -> dict[Any, Any]:
    if not isinstance(area_code, str):
        raise TypeError(f"area_code must be the column of area codes in boundaries (str), "
                        f"got {area_code!r}")
    frame = _read_polygons(boundaries, "boundaries", crs)
    if area_code not in frame.columns:
        raise ValueError(f"area_code: column {area_code!r} not in the boundaries; they have "
                         f"{list(map(str, frame.columns))!r}")
    merged = frame.dissolve(by=area_code)
    polygons = dict(zip(merged.index, merged.geometry.to_numpy(), strict=True))
    wanted = pd.unique(areas)
    absent = [a for a in wanted if a not in polygons]
    if absent:
        raise ValueError(f"boundaries: no polygon for {len(absent)} areas, e.g. "
                         f"{absent[:5]!r} (column {area_code!r})")
    return polygons

