"""Joining the tidy results table to area polygons, one column per index."""

from __future__ import annotations

import os
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from segspatial._warn import Examples, Text, warn
from segspatial.geo._boundaries import _as_boundaries, _check_area_code
from segspatial.geo._common import GeometryWarning, _plain, check_codes_match
from segspatial.schema import has_values


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
        from segspatial.io import describe_rows

        first = frame.loc[dup].iloc[0]
        same = ((frame.loc[dup, keys + ["_column"]] == first[keys + ["_column"]])
                | frame.loc[dup, keys + ["_column"]].isna()).all(axis=1)
        raise ValueError(
            f"results: {int(dup.sum())} rows repeat an index for one area, e.g. "
            + ", ".join(f"{k} {_plain(first[k])!r}" for k in keys)
            + f", index {first['_column']!r} "
            f"({describe_rows(results, frame.loc[dup].index[same.to_numpy()])}); one "
            "value per area, year, comparison and index"
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
        ``area_code``, a ``{year}`` pattern with results without a ``year``, or results
        none of whose area codes is a boundary feature's code (the message shows
        examples of both sides; for ``{year}``, per year).
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
            year_rows = results[results["year"] == y]
            check_codes_match(year_rows[area], bounds[area_code].dropna(), area_code)
            if target is None:
                target = bounds.crs
            elif bounds.crs != target:
                bounds = bounds.to_crs(target)
            piece, missing_codes = _join_one(year_rows, bounds, area_code, area)
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
        check_codes_match(results[area], bounds[area_code].dropna(), area_code)
        out, unmatched_codes = _join_one(results, bounds, area_code, area)
        n_rows = int(results[area].astype(str).isin(unmatched_codes).sum())
    if unmatched_codes:
        warn(GeometryWarning, "no_polygon", n=len(unmatched_codes),
             rows=Text("n_result_rows", n=n_rows), examples=Examples(unmatched_codes))
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
