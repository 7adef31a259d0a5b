"""The table engine: validated units, their neighbours and every spatial row."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas as pd

from segspatial.compute import SegregationResult, compute_indices
from segspatial.counts import _REASONS, apply_filters, empty_exclusions, prepare_counts
from segspatial.indices import GroupedCounts, _unit_share_a, resolve_indices
from segspatial.schema import conform_results, empty_results
from segspatial.spatial._args import (
    _check_context,
    _check_coordinates,
    _check_positive_int,
    _check_spatial_indices,
    _require_projected,
    _resolve_scales,
    _Scale,
)
from segspatial.spatial.decomposition import (
    _area_polygons,
    _assign_districts,
    _theil_decomposition,
)
from segspatial.spatial.diagnostics import _moran, _morrill, _permutation_draws
from segspatial.spatial.environments import _local_counts, _Neighbours, _spatial_kernels

__all__ = ["spatial_segregation"]

# --------------------------------------------------------------------------- engine


@dataclass
class _Prepared:
    """Validated, filtered units with their neighbour structure."""

    kept: pd.DataFrame
    excluded: pd.DataFrame
    c: GroupedCounts
    key_frame: pd.DataFrame
    n_pupils: np.ndarray
    base_reason: np.ndarray
    x: np.ndarray
    y: np.ndarray
    pool_counts: np.ndarray
    pool_rows: np.ndarray
    neighbours: _Neighbours
    area_neighbours: _Neighbours | None


def _prepare(data: pd.DataFrame, unit: str, group_a: str, group_b: str, *, x: str, y: str,
             crs: Any, area: str | None, year: str | None, total: str | None,
             scales: list[_Scale], context: str, min_unit_size: float,
             min_area_size: float, need_area_graph: bool) -> _Prepared:
    _require_projected(crs)
    for value, argument in ((x, "x"), (y, "y")):
        if not isinstance(value, str):
            raise TypeError(f"{argument} must be a column name (str), got {value!r}")
    counts = prepare_counts(data, unit, group_a, group_b, area=area, year=year, total=total,
                            extra={"x": x, "y": y})
    _check_coordinates(counts.frame, {"x": x, "y": y})
    kept, excluded = apply_filters(counts, min_unit_size=min_unit_size,
                                   min_area_size=min_area_size)
    kept = kept.copy()
    kx, ky = _check_coordinates(kept, {"x": x, "y": y})
    group = kept.groupby(["area", "year"], sort=True).ngroup().to_numpy()
    key_frame = kept.groupby(["area", "year"], sort=True).size().reset_index()[["area",
                                                                                  "year"]]
    c = GroupedCounts(a=kept["a"].to_numpy(dtype=np.float64),
                      b=kept["b"].to_numpy(dtype=np.float64),
                      group=group, n_groups=len(key_frame))
    reason = np.full(c.n_groups, None, dtype=object)
    a_absent, b_absent = c.A == 0, c.B == 0
    reason[a_absent & b_absent] = f"groups A ({group_a}) and B ({group_b}) are both absent"
    reason[a_absent & ~b_absent] = f"group A ({group_a}) is absent"
    reason[b_absent & ~a_absent] = f"group B ({group_b}) is absent"
    few = c.n_units < 2
    reason[few] = np.array([f"fewer than 2 units (n_units = {n})" for n in c.n_units[few]],
                           dtype=object)
    if context == "area":
        pool_counts = np.column_stack([c.a, c.b])
        pool_rows = np.arange(c.a.size)
        neighbours = area_nb = _Neighbours(kx, ky, group, scales)
    else:  # every unit of the same year that passes the unit filter, in any area
        pool, _ = apply_filters(counts, min_unit_size=min_unit_size, min_area_size=0)
        px, py = _check_coordinates(pool, {"x": x, "y": y})
        pool_counts = pool[["a", "b"]].to_numpy(dtype=np.float64)
        target = pool["area"].isin(pd.unique(kept["area"])).to_numpy()
        pool_rows = np.flatnonzero(target)
        if pool_rows.size != len(kept):  # pragma: no cover - the filters' contract
            raise RuntimeError("the neighbour pool does not contain the kept units")
        neighbours = _Neighbours(px, py, pd.factorize(pool["year"])[0], scales)
        area_nb = _Neighbours(kx, ky, group, scales) if need_area_graph else None
    return _Prepared(
        kept=kept, excluded=excluded, c=c, key_frame=key_frame,
        n_pupils=c.sum(kept["total"].to_numpy(dtype=np.float64)), base_reason=reason,
        x=kx, y=ky, pool_counts=pool_counts, pool_rows=pool_rows, neighbours=neighbours,
        area_neighbours=area_nb,
    )


def _rows(prep: _Prepared, name: str, values: np.ndarray, reasons: np.ndarray,
          bandwidth: float, kernel: str | None, group_a: str, group_b: str) -> pd.DataFrame:
    c = prep.c
    reasons = np.where(prep.base_reason == None, reasons, prep.base_reason)  # noqa: E711
    undefined = (reasons == None) & ~np.isfinite(values)  # noqa: E711
    reasons = np.where(undefined, "undefined for these counts", reasons)
    table = prep.key_frame.copy()
    table["group_a"] = group_a
    table["group_b"] = group_b
    table["index"] = name
    table["bandwidth"] = bandwidth
    table["kernel"] = pd.Series([kernel] * c.n_groups, dtype=object)
    table["value"] = np.where(reasons == None, values, np.nan)  # noqa: E711
    table["n_units"] = c.n_units
    table["n_pupils"] = prep.n_pupils
    table["n_a"] = c.A
    table["n_b"] = c.B
    table["reason"] = pd.Series(reasons, dtype=object)
    return table


def _no_reason(prep: _Prepared) -> np.ndarray:
    return np.full(prep.c.n_groups, None, dtype=object)


def _spatial_rows(prep: _Prepared, scales: list[_Scale], names: list[str], *,
                  group_a: str, group_b: str, permutations: int,
                  rng: np.random.Generator) -> list[pd.DataFrame]:
    c = prep.c
    out = []
    share = _unit_share_a(c)
    draws = (_permutation_draws(c, permutations, rng)
             if "morans_i_p" in names and permutations else [])
    for scale in scales:
        if {"spatial_dissimilarity", "spatial_theil_h"} & set(names):
            local = _local_counts(prep.neighbours, scale, prep.pool_rows, prep.pool_counts)
            d, h = _spatial_kernels(c, local)
            for name, value in (("spatial_dissimilarity", d), ("spatial_theil_h", h)):
                if name in names:
                    out.append(_rows(prep, name, value, _no_reason(prep), scale.bandwidth,
                                     scale.kernel, group_a, group_b))
        if {"morans_i", "morans_i_p"} & set(names):
            i, j, w = prep.area_neighbours.pairs(scale)
            stat, p_value, lonely, flat = _moran(
                c, share, i, j, w, permutations if "morans_i_p" in names else 0, draws)
            reason = _no_reason(prep)
            reason[flat] = "every unit has the same share of A"
            reason[lonely] = "no unit has a neighbour at this bandwidth"
            for name, value in (("morans_i", stat), ("morans_i_p", p_value)):
                if name in names and (name == "morans_i" or permutations):
                    out.append(_rows(prep, name, value, reason, scale.bandwidth,
                                     scale.kernel, group_a, group_b))
    return out


def _check_rng(rng: Any) -> np.random.Generator:
    if rng is None or isinstance(rng, np.random.Generator):
        return np.random.default_rng(rng)
    if isinstance(rng, Integral) and not isinstance(rng, bool):
        return np.random.default_rng(int(rng))
    raise TypeError(f"rng must be a numpy Generator, an int seed or None, got {rng!r}")


def spatial_segregation(
    data: pd.DataFrame,
    unit: str,
    group_a: str,
    group_b: str,
    *,
    x: str,
    y: str,
    crs: Any,
    area: str | None = None,
    year: str | None = None,
    total: str | None = None,
    bandwidth: float | Sequence[float] | None = None,
    kernel: str | None = None,
    k: int | Sequence[int] | None = None,
    context: str = "area",
    indices: str | Iterable[str] | None = None,
    spatial_indices: str | Iterable[str] | None = None,
    districts: Any = None,
    district_code: str | None = None,
    boundaries: Any = None,
    area_code: str | None = None,
    snap: float = 5000.0,
    permutations: int = 999,
    min_unit_size: float = 50,
    min_area_size: float = 10000,
    rng: np.random.Generator | int | None = None,
) -> SegregationResult:
    """Aspatial and spatial segregation indices in one tidy table.

    The aspatial rows are those of :func:`segspatial.segregation`; the spatial rows add
    the local-environment indices of Reardon & O'Sullivan (2004) for every bandwidth,
    Moran's I of the units' shares of A, Morrill's adjusted D and (with districts) the
    between/within-district decomposition of Theil's H.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per unit (school) per year, with a column per group and coordinates.
    unit, group_a, group_b : str
        Unit column and the count columns of the two groups compared.
    x, y : str
        Coordinate columns, in ``crs``.
    crs : str or pyproj.CRS
        The CRS of ``x`` / ``y``; must be projected in metres (e.g. ``"EPSG:28992"``).
    area, year, total : str, optional
        As for :func:`segspatial.segregation`.
    bandwidth : float or sequence of float, optional
        Kernel bandwidths in metres (default :data:`DEFAULT_BANDWIDTHS`); 0 leaves
        only the self-weights (the aspatial index).
    kernel : {"gaussian", "biweight", "boxcar"}, optional
        Distance kernel (default ``"gaussian"``).
    k : int or sequence of int, optional
        Use the ``k`` nearest neighbours (weight 1) instead of a kernel; the rows then
        have ``kernel == "knn"`` and the ``bandwidth`` column holds k.
    context : {"area", "all"}
        ``"area"``: only units of the same area and year are neighbours. ``"all"``:
        any unit of the same year that passes the unit filter, in any area (including
        areas dropped by the area filter), counts; the indices are still per area.
    indices : str or iterable of str, optional
        The aspatial indices (default: the five built-in ones).
    spatial_indices : str or iterable of str, optional
        Any of :data:`SPATIAL_INDICES`; default ``spatial_dissimilarity``,
        ``spatial_theil_h``, ``morans_i``, ``morans_i_p`` (if ``permutations``),
        ``morrill_d``, plus ``theil_h_between`` and ``theil_h_within`` when districts
        are given.
    districts : geopandas.GeoDataFrame or path, optional
        District polygons for the between/within decomposition of Theil's H (e.g. the
        CBS wijken). Units are joined to the district containing them, else to the
        nearest district within ``snap`` metres; units further away are left out of
        the decomposition and counted in the exclusions (``outside_districts``).
    district_code : str, optional
        The column of district codes in ``districts``.
    boundaries : geopandas.GeoDataFrame or path, optional
        Area polygons; Morrill's Voronoi catchments are clipped to them.
    area_code : str, optional
        The column of ``boundaries`` matching the ``area`` values.
    snap : float, default 5000
        Largest distance (metres) from a unit to its nearest district.
    permutations : int, default 999
        Random permutations for Moran's I p-value (0: no p-value rows).
    min_unit_size, min_area_size : float
        The report's filters (0 disables).
    rng : numpy.random.Generator or int, optional
        Randomness for the permutations; None draws fresh entropy.

    Returns
    -------
    SegregationResult
        ``table`` has the results columns plus ``bandwidth`` and ``kernel`` (NaN /
        None on aspatial rows, on ``morrill_d`` and on the decomposition rows).

    Notes
    -----
    *Spatial indices.* With ``p̃_j`` the share of A in unit j's local environment,
    ``spatial_dissimilarity = Σ t_j |p̃_j − P| / (2 T P (1 − P))`` and
    ``spatial_theil_h = 1 − Σ t_j E(p̃_j) / (T E(P))``, weighted by each unit's own
    pupils ``t_j``; nothing is rounded. PySAL ``segregation`` (``Dissim(...,
    distance=h)`` and the other "spatially implicit" indices) instead rounds the
    smoothed counts to whole numbers and computes the aspatial formula on them, which
    weights each unit by its *smoothed* total ``t̃_j`` and compares with the smoothed
    ``P̃``; the two coincide only when the local environments have equal totals.
    Because the weights are the units' own pupils, not the smoothed totals, the
    t-weighted mean of p̃_j need not equal P, so at wide bandwidths the spatial H can
    dip slightly below 0 (and the spatial D need not reach exactly 0 unless every
    p̃_j = P).

    *Moran's I* uses the same weights as the spatial indices, restricted to the area
    and year, without the self-weights and row-standardised (as ``esda.Moran``'s
    default ``transformation="r"``); the pseudo p-value is the folded one-sided
    ``(min(#{I_perm >= I}, m - #{I_perm >= I}) + 1) / (m + 1)`` of esda, with the
    shares permuted within each area-year (all draws vectorised).

    *Morrill's adjusted D* = D − Σ_ij c_ij |p_i − p_j| / Σ_ij c_ij with c_ij = 1 when
    the Voronoi catchments of units i and j share an edge (clipped to the area's
    polygon when ``boundaries`` are given); units at one location share a catchment
    and count as contiguous.

    *Decomposition.* ``theil_h_between`` = Σ_d T_d (E − E_d) / (T E) and
    ``theil_h_within`` = Σ_j t_j (E_d(j) − E_j) / (T E); they add up to ``theil_h``
    exactly when every unit lies in (or within ``snap`` of) a district.

    References
    ----------
    Reardon, S. F. & O'Sullivan, D. (2004). Measures of spatial segregation.
    *Sociological Methodology* 34, 121-162.
    Morrill, R. L. (1991). On the measure of geographic segregation. *Geography
    Research Forum* 11, 25-36.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"school": list("PQRS"), "a": [90, 10, 90, 10],
    ...                    "b": [10, 90, 10, 90], "x": [0, 400, 5000, 5400],
    ...                    "y": [0, 0, 0, 0]})
    >>> res = spatial_segregation(df, "school", "a", "b", x="x", y="y",
    ...                           crs="EPSG:28992", bandwidth=[0, 1000],
    ...                           kernel="boxcar", indices="dissimilarity",
    ...                           spatial_indices="spatial_dissimilarity",
    ...                           min_unit_size=0, min_area_size=0)
    >>> res.table[["index", "bandwidth", "value"]]
                       index  bandwidth  value
    0          dissimilarity        NaN    0.8
    1  spatial_dissimilarity        0.0    0.8
    2  spatial_dissimilarity     1000.0    0.0
    """
    scales = _resolve_scales(bandwidth, kernel, k)
    context = _check_context(context)
    permutations = _check_positive_int(permutations, "permutations")
    if isinstance(snap, bool) or not isinstance(snap, Real) or not snap >= 0:
        raise ValueError(f"snap must be a distance in metres >= 0, got {snap!r}")
    names = _check_spatial_indices(spatial_indices, districts=districts is not None)
    if districts is None and district_code is not None:
        raise ValueError("district_code was given without districts")
    if boundaries is None and area_code is not None:
        raise ValueError("area_code was given without boundaries")
    if boundaries is not None and area is None:
        raise ValueError("boundaries need area: the column whose values match area_code")
    specs = resolve_indices(indices)
    generator = _check_rng(rng)
    prep = _prepare(data, unit, group_a, group_b, x=x, y=y, crs=crs, area=area, year=year,
                    total=total, scales=scales, context=context,
                    min_unit_size=min_unit_size, min_area_size=min_area_size,
                    need_area_graph=bool({"morans_i", "morans_i_p"} & set(names)))
    keys = [k_ for k_, given in (("area", area), ("year", year)) if given is not None]
    drop = [k_ for k_ in ("area", "year") if k_ not in keys]
    exclusion_parts = [prep.excluded]
    if prep.kept.empty:
        table = empty_results()
    else:
        aspatial, undefined = compute_indices(prep.kept, specs, group_a=group_a,
                                              group_b=group_b)
        exclusion_parts.append(undefined)
        parts = [aspatial]
        parts += _spatial_rows(prep, scales, names, group_a=group_a, group_b=group_b,
                               permutations=permutations, rng=generator)
        if "morrill_d" in names:
            polygons = (None if boundaries is None else _area_polygons(
                boundaries, area_code, crs, prep.kept["area"].to_numpy()))
            value, lonely = _morrill(prep.c, prep.x, prep.y, prep.kept["area"].to_numpy(),
                                     polygons)
            reason = _no_reason(prep)
            reason[lonely] = "no two units have contiguous catchments"
            parts.append(_rows(prep, "morrill_d", value, reason, np.nan, "voronoi",
                               group_a, group_b))
        if {"theil_h_between", "theil_h_within"} & set(names):
            district = _assign_districts(prep.x, prep.y, crs, districts, district_code,
                                         float(snap))
            used = ~pd.isna(district)
            if (~used).any():
                outside = prep.kept.loc[~used, ["area", "year"]].copy()
                outside["n_units"] = 1
                outside["n_pupils"] = prep.kept.loc[~used, "total"].to_numpy()
                outside = outside.groupby(["area", "year"], as_index=False)[
                    ["n_units", "n_pupils"]].sum()
                outside.insert(0, "reason", "outside_districts")
                outside["description"] = _REASONS["outside_districts"]
                exclusion_parts.append(outside)
            between, within = _theil_decomposition(prep.c, district, used)
            reason = _no_reason(prep)
            reason[prep.c.sum(used.astype(np.float64)) == 0] = "no unit lies in a district"
            for name, value in (("theil_h_between", between), ("theil_h_within", within)):
                if name in names:
                    parts.append(_rows(prep, name, value, reason, np.nan, None, group_a,
                                       group_b))
        table = pd.concat(parts, ignore_index=True)
        order = table.groupby(["area", "year"], sort=True).ngroup().to_numpy()
        table = table.iloc[np.argsort(order, kind="stable")].reset_index(drop=True)
    exclusion_parts = [e for e in exclusion_parts if not e.empty]
    exclusions = (pd.concat(exclusion_parts, ignore_index=True) if exclusion_parts
                  else empty_exclusions())
    counts_used = prep.kept.drop(columns=drop)
    parameters = {
        "unit": unit, "group_a": group_a, "group_b": group_b, "area": area, "year": year,
        "total": total, "x": x, "y": y, "crs": str(crs),
        "indices": [s.name for s in specs], "spatial_indices": names,
        "bandwidth": [s.bandwidth for s in scales], "kernel": scales[0].kernel,
        "context": context, "permutations": permutations, "snap": snap,
        "min_unit_size": min_unit_size, "min_area_size": min_area_size,
    }
    table = conform_results(table)
    table[drop] = None
    return SegregationResult(table=table,
                             exclusions=exclusions.drop(columns=drop, errors="ignore"),
                             counts=counts_used, parameters=parameters)

