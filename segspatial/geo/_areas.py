"""Assigning units to the area polygon that contains them (a harmonised geography),
and counting the units left out while locating them."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from segspatial._warn import Features, Joined, Text, warn
from segspatial.geo._boundaries import _as_boundaries, _check_area_code
from segspatial.geo._common import GeometryWarning, _plain
from segspatial.geo._crs import _distance_crs

#: Reason codes of units left out while locating them (see :func:`unit_exclusions`).
LOCATION_REASONS = {
    "postcode_unmatched": "unit's 4-digit postcode not in the postcode table (or without a "
    "centroid there)",
    "outside_areas": "unit outside every area polygon, beyond the snap distance",
    "area_without_code": "unit in (or snapped to) a boundary feature without an area code",
    "no_location": "unit without a location (missing geometry)",
    "no_coordinates_no_postcode": "unit without coordinates and without a postcode "
    "(--x/--y and --postcode both empty)",
}


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
        warn(GeometryWarning, "features_without_code", n=int(no_code.sum()),
             source=repr(source) if source else Text("unnamed_boundaries"),
             column=repr(area_code), features=Features(bounds.index[no_code]))
    poly_geoms = np.asarray(polys.geometry.array, dtype=object)
    # rank of each feature's code in string order: the tie-break for shared borders
    # (features without a code rank last: a unit on the border of a coded area gets it;
    # a unit in a feature without a code only is left out, counted)
    code_text = np.array(["" if bad else str(v) for v, bad in zip(code_values, no_code,
                                                                   strict=True)],
                         dtype=object)
    _, code_rank = np.unique(code_text, return_inverse=True)
    code_rank = np.where(no_code, len(code_text), code_rank)
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
    codeless = (chosen >= 0) & no_code[np.maximum(chosen, 0)]
    chosen[codeless] = -1
    inside &= ~codeless
    n_within = int(inside.sum())
    snapped = (chosen >= 0) & ~inside
    n_snapped = int(snapped.sum())
    max_snap = float(distance[snapped].max()) if n_snapped else 0.0
    if n_snapped:
        warn(GeometryWarning, "snapped", n=n_snapped, snap=f"{snap:g}",
             farthest=f"{max_snap:.0f}")

    codes = pd.Series(code_values.to_numpy()[np.maximum(chosen, 0)], index=points.index,
                      name=area_code, dtype=code_values.dtype)
    codes[chosen < 0] = None
    excluded = chosen < 0
    frame = points.drop(columns=points.geometry.name) if isinstance(
        points, gpd.GeoDataFrame) else pd.DataFrame(index=points.index)
    exclusions = pd.DataFrame(frame.loc[excluded])
    exclusions["reason"] = np.where(
        codeless[excluded], "area_without_code",
        np.where(located[excluded], "outside_areas", "no_location"))
    exclusions["distance"] = distance[excluded]
    if excluded.any():
        n_missing = int((~located).sum())
        n_codeless = int(codeless.sum())
        far = exclusions.loc[~codeless[excluded], "distance"].dropna()
        n_nowhere = int((located[excluded] & np.isnan(distance[excluded])).sum())
        parts = [Text("left_out_codeless", n=n_codeless, column=repr(area_code))
                 if n_codeless else None,
                 Text("left_out_far", n=len(far), snap=f"{snap:g}",
                      low=f"{far.min():.0f}", high=f"{far.max():.0f}")
                 if len(far) else None,
                 Text("left_out_nowhere", n=n_nowhere, column=repr(area_code))
                 if n_nowhere else None,
                 Text("left_out_no_location", n=n_missing) if n_missing else None]
        warn(GeometryWarning, "units_left_out", n=int(excluded.sum()),
             parts=Joined([p for p in parts if p is not None], ", "))
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
