"""The table engine: validated units, their neighbours and every spatial row."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from numbers import Real
from typing import Any

import numpy as np
import pandas as pd

from segspatial._kernels import _unit_share_a
from segspatial._reasons import reason as _reason
from segspatial._streams import canonical_key, check_rng, root_seed, stream
from segspatial.compute import SegregationResult, compute_indices
from segspatial.counts import (
    _REASONS,
    apply_filters,
    count_once,
    empty_exclusions,
    prepare_counts,
)
from segspatial.indices import (
    UNDEFINED_REASON,
    GroupedCounts,
    resolve_indices,
    undefined_reasons,
)
from segspatial.schema import conform_results, empty_results
from segspatial.spatial._args import (
    ENVIRONMENT_INDICES,
    RO_NAMES,
    _check_context,
    _check_contiguity,
    _check_definition,
    _check_locations,
    _check_positive_int,
    _check_spatial_indices,
    _coordinates,
    _require_projected,
    _resolve_scales,
    _Scale,
)
from segspatial.spatial.decomposition import (
    _area_polygons,
    _assign_districts,
    _theil_decomposition,
)
from segspatial.spatial.diagnostics import _moran, _morrill
from segspatial.spatial.environments import (
    _disperse,
    _disperse_by_label,
    _one_blas_thread,
    _Pool,
    _smooth,
)
from segspatial.spatial.formulas import EXPOSURE_NAMES, _dispersal_dh, _exposure, _ro_dh

__all__ = ["outside_comparison_exclusions", "spatial_segregation"]

# --------------------------------------------------------------------------- engine

_REASONS.setdefault(
    "unit_outside_comparison",
    "units with pupils but none in group A or B (share 0/0): left out of every spatial "
    "statistic of this comparison (their pupils are counted under not_in_comparison)",
)


@dataclass
class _Prepared:
    """Validated, filtered units, ready for the spatial statistics.

    ``kept`` holds every unit that passes the filters (the aspatial rows use them);
    ``units`` / ``c`` only those with pupils in group A or B, sorted by area-year (the
    spatial statistics use them). ``pool`` holds the units that can be neighbours:
    ``units`` themselves (``context="area"``, blocks = area-years) or every unit of
    the year that passes the unit filter (``context="all"``, blocks = years); the
    units are the pool's rows ``sources``. ``area_pool`` is ``units`` by area-year
    (Moran's I).
    """

    kept: pd.DataFrame
    excluded: pd.DataFrame
    units: pd.DataFrame
    c: GroupedCounts
    key_frame: pd.DataFrame
    n_pupils: np.ndarray
    base_reason: np.ndarray
    x: np.ndarray
    y: np.ndarray
    context: str
    pool: _Pool
    sources: np.ndarray
    pool_counts: np.ndarray
    area_pool: _Pool
    context_pool: dict[str, list] | None = None


def outside_comparison_exclusions(frame: pd.DataFrame, mask: np.ndarray) -> pd.DataFrame:
    """Exclusion rows (``unit_outside_comparison``) for the units ``mask`` of a filtered
    counts frame: pupils, but none in group A or B. Their pupils are already counted
    under ``not_in_comparison``, so only the units are counted here."""
    part = frame.loc[mask, ["area", "year"]].assign(n_units=1, n_pupils=0.0)
    part = part.groupby(["area", "year"], sort=True, as_index=False)[
        ["n_units", "n_pupils"]].sum()
    part.insert(0, "reason", "unit_outside_comparison")
    part["description"] = _REASONS["unit_outside_comparison"]
    return part


def _prepare(data: pd.DataFrame, unit: str, group_a: str, group_b: str, *, x: str, y: str,
             crs: Any, area: str | None, year: str | None, total: str | None,
             context: str, min_unit_size: float, min_area_size: float) -> _Prepared:
    _require_projected(crs)
    for value, argument in ((x, "x"), (y, "y")):
        if not isinstance(value, str):
            raise TypeError(f"{argument} must be a column name (str), got {value!r}")
    counts = prepare_counts(data, unit, group_a, group_b, area=area, year=year, total=total,
                            extra={"x": x, "y": y})
    _check_locations(data, unit, crs, x=x, y=y)
    counts = dataclasses.replace(counts, frame=counts.frame.assign(
        _pos=np.arange(len(counts.frame))))
    kept, excluded = apply_filters(counts, min_unit_size=min_unit_size,
                                   min_area_size=min_area_size)
    by_group = kept.groupby(["area", "year"], sort=True)
    key_frame = by_group.size().reset_index()[["area", "year"]]
    n_groups = len(key_frame)
    inside = (kept["a"].to_numpy(dtype=np.float64) + kept["b"].to_numpy(dtype=np.float64)) > 0
    if (~inside).any():
        excluded = pd.concat([e for e in (excluded, outside_comparison_exclusions(kept, ~inside))
                              if not e.empty], ignore_index=True)
    units = kept.loc[inside].reset_index(drop=True)
    # kept is sorted by area, year (prepare_counts): the groups are contiguous
    group = by_group.ngroup().to_numpy(dtype=np.intp)[inside]
    ux, uy = _coordinates(units)
    c = GroupedCounts(a=units["a"].to_numpy(dtype=np.float64),
                      b=units["b"].to_numpy(dtype=np.float64), group=group, n_groups=n_groups)
    reason = undefined_reasons(c, group_a, group_b)  # the rule of the aspatial table
    area_pool = _Pool(ux, uy, group)
    context_pool = None
    if context == "area":
        pool, sources = area_pool, np.arange(c.a.size)
        pool_counts = np.column_stack([c.a, c.b])
    else:  # every unit of the same year that passes the unit filter, in any area
        every, _ = apply_filters(counts, min_unit_size=min_unit_size, min_area_size=0)
        every = every.loc[(every["a"] + every["b"]).to_numpy() > 0].reset_index(drop=True)
        px, py = _coordinates(every)
        pool = _Pool(px, py, pd.factorize(every["year"], sort=True)[0])
        sources = np.searchsorted(every["_pos"].to_numpy(), units["_pos"].to_numpy())
        pool_counts = every[["a", "b"]].to_numpy(dtype=np.float64)
        # the neighbours that are not units of the result (areas the area filter
        # dropped): their places, for the inference's environment operators
        outside = every.loc[~every["_pos"].isin(units["_pos"])]
        context_pool = {"year": outside["year"].astype(object).tolist(),
                        "x": px[outside.index.to_numpy()].tolist(),
                        "y": py[outside.index.to_numpy()].tolist()}
    return _Prepared(
        kept=kept.drop(columns="_pos"), excluded=excluded, units=units.drop(columns="_pos"),
        c=c, key_frame=key_frame,
        n_pupils=c.sum(units["total"].to_numpy(dtype=np.float64)), base_reason=reason,
        x=ux, y=uy, context=context, pool=pool, sources=sources, pool_counts=pool_counts,
        area_pool=area_pool, context_pool=context_pool,
    )


def _rows(prep: _Prepared, name: str, values: np.ndarray, reasons: np.ndarray,
          bandwidth: float, kernel: str | None, group_a: str, group_b: str) -> pd.DataFrame:
    c = prep.c
    reasons = np.where(prep.base_reason == None, reasons, prep.base_reason)  # noqa: E711
    undefined = (reasons == None) & ~np.isfinite(values)  # noqa: E711
    reasons = np.where(undefined, UNDEFINED_REASON, reasons)
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


def _environment_counts(prep: _Prepared, scale: _Scale, definition: str
                        ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(ã, b̃, area-year of each environment)`` at one scale, in bounded memory."""
    c = prep.c
    if definition == "reardon_osullivan":
        local, _ = _smooth(prep.pool, prep.sources, prep.pool_counts, scale)
        return local[:, 0], local[:, 1], c.group
    if prep.context == "area":
        env = _disperse(prep.pool, prep.sources, prep.pool_counts, scale)
        return env[:, 0], env[:, 1], c.group
    # national context: each area-year's pupils spread over every unit of the year
    labels, envs = [], []
    for g, _, env in _disperse_by_label(prep.pool, prep.sources, c.group,
                                        prep.pool_counts, scale):
        labels.append(np.full(env.shape[0], g, dtype=np.intp))
        envs.append(env)
    env = np.concatenate(envs) if envs else np.zeros((0, 2))
    group = np.concatenate(labels) if labels else np.zeros(0, dtype=np.intp)
    return env[:, 0], env[:, 1], group


def _environment_values(prep: _Prepared, scale: _Scale, definition: str,
                        names: list[str]) -> dict[str, np.ndarray]:
    """The spatial D, H, exposure and isolation asked for, per area-year, at one scale
    (one pass over the environments for all of them)."""
    c = prep.c
    a_env, b_env, group = _environment_counts(prep, scale, definition)
    out: dict[str, np.ndarray] = {}
    if {"spatial_dissimilarity", "spatial_theil_h"} & set(names):
        if definition == "reardon_osullivan":
            d, h = _ro_dh(a_env, b_env, c.a, c.b, c.group, c.n_groups)
        else:
            d, h = _dispersal_dh(a_env, b_env, group, c.A, c.B, c.n_groups)
        out.update(spatial_dissimilarity=d, spatial_theil_h=h)
    if {f"spatial_{n}" for n in EXPOSURE_NAMES} & set(names):
        exposure = _exposure(c.a, c.b, a_env, b_env, group, c.n_groups, definition)
        out.update({f"spatial_{n}": v for n, v in exposure.items()})
    return out


def _spatial_rows(prep: _Prepared, scales: list[_Scale], names: list[str], *,
                  definition: str, group_a: str, group_b: str, permutations: int,
                  rng: np.random.Generator | int | None) -> list[pd.DataFrame]:
    c = prep.c
    out = []
    share = _unit_share_a(c)
    streams = order = None
    if permutations and "morans_i_p" in names:
        # one stream per area-year, keyed by its area and year (not by its place in the
        # call): batches of areas, or one area alone, get the permutations of one call
        # over all areas. Every scale sees the same permutations.
        root = root_seed(rng)
        streams = [stream(root, "moran", canonical_key(key)) for key in
                   prep.key_frame[["area", "year"]].itertuples(index=False, name=None)]
        # units in the order of their ids as text within each area-year (as inference
        # draws), so the permutations do not depend on the order of the input rows
        order = np.lexsort((prep.units["unit"].astype(str).to_numpy(), c.group))
    for scale in scales:
        if set(ENVIRONMENT_INDICES) & set(names):
            values = _environment_values(prep, scale, definition, names)
            for name in ENVIRONMENT_INDICES:
                if name in names:
                    label = RO_NAMES[name] if definition == "reardon_osullivan" else name
                    out.append(_rows(prep, label, values[name], _no_reason(prep),
                                     scale.bandwidth, scale.kernel, group_a, group_b))
    if {"morans_i", "morans_i_p"} & set(names):
        morans = _moran(c, share, prep.area_pool, scales,
                        permutations if "morans_i_p" in names else 0, streams, order)
        for scale, (stat, p_value, lonely, flat, few) in zip(scales, morans, strict=True):
            reason = _no_reason(prep)
            reason[few] = _reason("too_few_linked_units",
                                  "fewer than 3 units with a neighbour at this bandwidth "
                                  "(Moran's I needs 3)")
            reason[flat] = _reason("same_share_everywhere", "every unit has the same share of A")
            reason[lonely] = _reason("no_neighbours", "no unit has a neighbour at this bandwidth")
            for name, value in (("morans_i", stat), ("morans_i_p", p_value)):
                if name in names and (name == "morans_i" or permutations):
                    out.append(_rows(prep, name, value, reason, scale.bandwidth,
                                     scale.kernel, group_a, group_b))
    return out


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
    definition: str = "dispersal",
    indices: str | Iterable[str] | None = None,
    spatial_indices: str | Iterable[str] | None = None,
    districts: Any = None,
    district_code: str | None = None,
    boundaries: Any = None,
    area_code: str | None = None,
    morrill_contiguity: str = "delaunay",
    snap: float = 5000.0,
    permutations: int = 999,
    min_unit_size: float = 50,
    min_area_size: float = 10000,
    rng: np.random.Generator | int | None = None,
) -> SegregationResult:
    """Aspatial and spatial segregation indices in one tidy table.

    The aspatial rows are those of :func:`segspatial.segregation`; the spatial rows add
    the spatial D and H of the units' local environments for every bandwidth, Moran's I
    of the units' shares of A, Morrill's adjusted D and (with districts) the
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
        The CRS of ``x`` / ``y``; must be projected in metres (e.g. ``"EPSG:28992"``),
        and the coordinates must lie in its area of use.
    area, year, total : str, optional
        As for :func:`segspatial.segregation`.
    bandwidth : float or sequence of float, optional
        Kernel bandwidths in metres (default :data:`DEFAULT_BANDWIDTHS`); 0 leaves
        only the self-weights (the aspatial index).
    kernel : str, optional
        A name in :data:`KERNELS` (``"gaussian"``, the default, ``"biweight"``,
        ``"boxcar"``, or one added with :func:`register_kernel`).
    k : int or sequence of int, optional
        Use the ``k`` nearest neighbours (weight 1) instead of a kernel; the rows then
        have ``kernel == "knn"`` and the ``bandwidth`` column holds k.
    context : {"area", "all"}
        ``"area"``: only units of the same area and year are neighbours. ``"all"``:
        any unit of the same year that passes the unit filter, in any area (including
        areas dropped by the area filter), is a neighbour; the indices are still per
        area (see Notes).
    definition : {"dispersal", "reardon_osullivan"}
        The local environments of the spatial D, H, exposure and isolation (see
        Notes). The rows of the Reardon & O'Sullivan form carry the suffix ``_ro``
        (``spatial_dissimilarity_ro``, ``spatial_theil_h_ro``,
        ``spatial_exposure_ab_ro``, ...).
    indices : str or iterable of str, optional
        The aspatial indices (default: the five built-in ones).
    spatial_indices : str or iterable of str, optional
        Any of :data:`SPATIAL_INDICES`; default ``spatial_dissimilarity``,
        ``spatial_theil_h``, ``morans_i``, ``morans_i_p`` (if ``permutations``),
        ``morrill_d``, plus ``theil_h_between`` and ``theil_h_within`` when districts
        are given. On request: the spatial exposure and isolation
        ``spatial_isolation_a`` (aPa), ``spatial_exposure_ab`` (aPb),
        ``spatial_isolation_b`` (bPb) and ``spatial_exposure_ba`` (bPa) of the same
        environments (see Notes).
    districts : geopandas.GeoDataFrame or path, optional
        District polygons for the between/within decomposition of Theil's H (e.g. the
        CBS wijken). Units are joined to the district containing them, else to the
        nearest district within ``snap`` metres; units further away are left out of
        the decomposition and counted in the exclusions (``outside_districts``).
    district_code : str, optional
        The column of district codes in ``districts``.
    boundaries : geopandas.GeoDataFrame or path, optional
        Area polygons for ``morrill_contiguity="voronoi_clipped"``.
    area_code : str, optional
        The column of ``boundaries`` matching the ``area`` values.
    morrill_contiguity : {"delaunay", "voronoi_clipped"}
        Which units are contiguous for Morrill's D: ``"delaunay"`` (default,
        frame-free), or Voronoi catchments clipped to the area's polygon in
        ``boundaries``.
    snap : float, default 5000
        Largest distance (metres) from a unit to its nearest district.
    permutations : int, default 999
        Random permutations for Moran's I p-value (0: no p-value rows).
    min_unit_size, min_area_size : float
        The report's filters (0 disables).
    rng : numpy.random.Generator or int, optional
        Randomness for the permutations; None draws fresh entropy. Each area-year
        draws from its own stream keyed by its area and year (as
        :mod:`segspatial.inference` does), so with an int seed an area's p-values are
        the same computed alone, in batches of areas or with the whole country, and
        whatever the order of the rows.

    Returns
    -------
    SegregationResult
        ``table`` in the one results schema (:data:`segspatial.schema.RESULT_COLUMNS`);
        ``bandwidth`` and ``kernel`` are null on aspatial rows and the decomposition,
        ``kernel`` is the contiguity on ``morrill_d`` rows. Units with pupils but none
        in group A or B are left out of every spatial row (their share is 0/0) and
        counted in ``exclusions`` (``unit_outside_comparison``); the spatial rows'
        ``n_units`` and ``n_pupils`` count the units used.

    Raises
    ------
    ValueError
        For bad arguments, a geographic CRS, or coordinates outside the area of use
        of ``crs`` (e.g. lon/lat declared as ``EPSG:28992``).

    Notes
    -----
    *Dispersal environments (default).* With kernel weights ``w_jk = f(d_jk / h)``
    (``w_jj = 1``) between units of the same area-year, ``K_jk = w_jk / Σ_i w_ik``
    spreads the pupils of unit k over the environments of the units around it, every
    pupil counted once: ``ã = K a``, ``b̃ = K b``, ``t̃ = ã + b̃`` (``Σ ã = A``,
    ``Σ b̃ = B``). Then ``spatial_dissimilarity`` = ½ Σ_j |ã_j/A − b̃_j/B| and
    ``spatial_theil_h`` = 1 − Σ_j t̃_j E(ã_j/t̃_j) / (T E(P)), E the binary entropy.
    With self-weights only (bandwidth 0, ``k=0``, or no unit within reach) K is the
    identity and they are the aspatial D and H.

    *Why 0 <= spatial <= aspatial, always.* K is column-stochastic (a Markov kernel).
    For D: with ``v_k = a_k/A − b_k/B``, spatial D = ½ Σ_j |Σ_k K_jk v_k| <=
    ½ Σ_j Σ_k K_jk |v_k| = ½ Σ_k |v_k| = D (the triangle inequality; Σ_j K_jk = 1):
    an L1 contraction; D is the total-variation distance between where A pupils and
    where B pupils are, and no Markov kernel increases it. For H: draw a pupil at
    random; let G be its group and L its unit, so P(G = A, L = k) = a_k / T. Theil's H
    = I(G; L) / H(G), the mutual information of group and unit over the entropy of
    the group (Theil & Finizza 1971; Mora & Ruiz-Castillo 2011). Spreading each pupil
    from its unit k to environment j with probability K_jk gives L̃ with
    P(G = A, L̃ = j) = ã_j / T and spatial H = I(G; L̃) / H(G). G → L → L̃ is a Markov
    chain (the spreading does not look at the group), so the data-processing
    inequality (Cover & Thomas 2006, Thm. 2.8.1) gives 0 <= I(G; L̃) <= I(G; L):
    0 <= spatial H <= H. With ``context="all"`` the same holds: an area's pupils are
    spread over every unit of the year (columns still sum to 1).

    *Not monotone in the bandwidth in general.* A wider bandwidth need not be a
    further Markov step of a narrower one (``K(h2) = M K(h1)`` has no Markov solution
    ``M`` in general), so on a discrete set of units the spatial D and H can rise
    slightly with h (boxcar often, e.g. when a widening reach pulls a unit's pupils
    back towards like units; biweight and gaussian rarely and by little). They are
    the aspatial values at h = 0 and reach 0 once every unit reaches every other with
    equal weight (boxcar wider than the area).

    *Spatial exposure and isolation* (Massey & Denton 1988 on the dispersal
    environments): aPb = Σ_j (ã_j/A)(b̃_j/t̃_j) and aPa = Σ_j (ã_j/A)(ã_j/t̃_j), the share
    of B (of A) around the average pupil of A within about h; aPa + aPb = 1, A·aPb =
    B·bPa, the aspatial values at h = 0, and P <= spatial aPa <= aPa (the correlation
    ratio V is a chi-square mutual information, which K cannot increase; see
    :func:`segspatial.spatial.spatial_exposure_isolation`).

    *Reardon & O'Sullivan form* (``definition="reardon_osullivan"``). Local shares
    ``p̃_j = (W a)_j / (W t)_j`` weighted by each unit's own pupils:
    D̃ = Σ t_j |p̃_j − P| / (2 T P (1 − P)) and H̃ = 1 − Σ t_j E(p̃_j) / (T E(P)). The
    t-weighted mean of p̃_j need not equal P (edge effects), so H̃ can be negative
    and either can exceed the aspatial value; kept for comparison with the
    literature. PySAL ``segregation`` (``Dissim(..., distance=h)``) instead rounds
    the smoothed counts and weights units by their smoothed totals.

    *Moran's I* uses the same kernel weights, restricted to the area-year, without
    the self-weights and row-standardised (as ``esda.Moran``'s default
    ``transformation="r"``); the pseudo p-value is the folded one-sided
    ``(min(#{I_perm >= I}, m - #{I_perm >= I}) + 1) / (m + 1)`` of esda, with the
    shares permuted within each area-year, in blocks of permutations (memory
    O(units x block), never all m x n draws at once).

    *Morrill's adjusted D* = D − Σ_ij c_ij |p_i − p_j| / Σ_ij c_ij, c_ij = 1 for
    contiguous units: by default Delaunay neighbours whose Voronoi cells share an
    edge of positive length (the unbounded Voronoi diagram: no frame, so the same
    units give the same value whatever the route; co-circular neighbours touching
    at a point only are not contiguous; collinear units link in order along their
    line); with ``morrill_contiguity="voronoi_clipped"``, Voronoi catchments clipped
    to the area's polygon. Units at one location are contiguous.

    *Decomposition.* ``theil_h_between`` = Σ_d T_d (E − E_d) / (T E) and
    ``theil_h_within`` = Σ_j t_j (E_d(j) − E_j) / (T E); they add up to ``theil_h``
    exactly when every unit lies in (or within ``snap`` of) a district.

    References
    ----------
    Reardon, S. F. & O'Sullivan, D. (2004). Measures of spatial segregation.
    *Sociological Methodology* 34, 121-162.
    Theil, H. & Finizza, A. J. (1971). A note on the measurement of racial integration
    of schools by means of informational concepts. *Journal of Mathematical Sociology*
    1, 187-193.
    Mora, R. & Ruiz-Castillo, J. (2011). Entropy-based segregation indices.
    *Sociological Methodology* 41, 159-194.
    Cover, T. M. & Thomas, J. A. (2006). *Elements of Information Theory*, 2nd ed.
    Wiley (Theorem 2.8.1, the data-processing inequality).
    Morrill, R. L. (1991). On the measure of geographic segregation. *Geography
    Research Forum* 11, 25-36.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"school": list("PQRS"), "a": [90, 10, 90, 10],
    ...                    "b": [10, 90, 10, 90], "x": [100_000, 100_400, 105_000, 105_400],
    ...                    "y": [400_000] * 4})
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
    definition = _check_definition(definition)
    permutations = _check_positive_int(permutations, "permutations")
    if isinstance(snap, bool) or not isinstance(snap, Real) or not snap >= 0:
        raise ValueError(f"snap must be a distance in metres >= 0, got {snap!r}")
    names = _check_spatial_indices(spatial_indices, districts=districts is not None)
    if districts is None and district_code is not None:
        raise ValueError("district_code was given without districts")
    clipped = _check_contiguity(morrill_contiguity, boundaries=boundaries,
                                area_code=area_code, area=area)
    specs = resolve_indices(indices)
    check_rng(rng)
    prep = _prepare(data, unit, group_a, group_b, x=x, y=y, crs=crs, area=area, year=year,
                    total=total, context=context, min_unit_size=min_unit_size,
                    min_area_size=min_area_size)
    keys = [k_ for k_, given in (("area", area), ("year", year)) if given is not None]
    drop = [k_ for k_ in ("area", "year") if k_ not in keys]
    exclusion_parts = [prep.excluded]
    if prep.kept.empty:
        table = empty_results()
    else:
        aspatial, undefined = compute_indices(prep.kept, specs, group_a=group_a,
                                              group_b=group_b)
        exclusion_parts = [count_once(prep.excluded, undefined), undefined]
        parts = [aspatial]
        wide = bool(permutations) and "morans_i_p" in names  # permutation blocks
        with _one_blas_thread(prep.pool.n, wide=wide):
            parts += _spatial_rows(prep, scales, names, definition=definition,
                                   group_a=group_a, group_b=group_b,
                                   permutations=permutations, rng=rng)
        if "morrill_d" in names:
            areas = prep.units["area"].to_numpy()
            polygons = (_area_polygons(boundaries, area_code, crs, areas) if clipped
                        else None)
            value, lonely = _morrill(prep.c, prep.x, prep.y, areas, polygons)
            reason = _no_reason(prep)
            reason[lonely] = _reason("no_contiguous_units", "no two units are contiguous")
            parts.append(_rows(prep, "morrill_d", value, reason, np.nan,
                               "voronoi_clipped" if clipped else "delaunay",
                               group_a, group_b))
        if {"theil_h_between", "theil_h_within"} & set(names):
            district = _assign_districts(prep.x, prep.y, crs, districts, district_code,
                                         float(snap))
            used = ~pd.isna(district)
            if (~used).any():
                outside = prep.units.loc[~used, ["area", "year"]].copy()
                outside["n_units"] = 1
                outside["n_pupils"] = prep.units.loc[~used, "total"].to_numpy()
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
        "context": context, "definition": definition,
        "morrill_contiguity": morrill_contiguity, "permutations": permutations,
        "snap": snap, "min_unit_size": min_unit_size, "min_area_size": min_area_size,
    }
    if prep.context_pool is not None:  # context="all": neighbours outside the result
        parameters["context_pool"] = prep.context_pool
    table = conform_results(table)
    table[drop] = None
    return SegregationResult(table=table,
                             exclusions=exclusions.drop(columns=drop, errors="ignore"),
                             counts=counts_used, parameters=parameters)
