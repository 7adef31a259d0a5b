"""Moran's I, Morrill's D and the spatial multigroup M and H as environment operators.

Like the spatial D and H (:mod:`._spatial`), these rows depend on where the schools are
(fixed per area-year) and on who attends them (redrawn), so each is a fixed sparse
operator per area-year and a formula applied to all replicates of a block at once:

* **Moran's I** of the units' shares of A: the operator is the kernel weight matrix
  ``W`` of the table (the Reardon & O'Sullivan weights of the bandwidth, without the
  self-weights), row-standardised per replicate. A unit that a replicate leaves
  without pupils (possible for small schools) has no share: it drops out of that
  replicate, as a unit without pupils drops out of the table. Moran's I keeps its own
  test (the permutation p-value of ``morans_i_p``): it gets bootstrap intervals, and
  no randomisation test (random allocation tests "no segregation", a different
  hypothesis from "no spatial pattern in the shares"). No school bootstrap (a drawn
  copy sits at distance 0 of its original, a weight the table never has).
* **Morrill's D** (``morrill_d``, frame-free Delaunay contiguity): the operator is
  the contiguity ``C`` (0/1, symmetric), the formula ``D − Σ c_ij |p_i − p_j| /
  Σ c_ij``. Bootstrap (individual and school) and randomisation test. The contiguity
  is that of the observed schools, kept in every draw (as the k-nearest-neighbour sets
  of the spatial D): copies of a school sit at its place, so they are contiguous with
  each other and with its neighbours' copies (the table's rule "units at one location
  are contiguous"): ``Σ c_ij m_i m_j |p_i − p_j| / (Σ c_ij m_i m_j + Σ m_i (m_i −
  1))``; a school that a draw leaves out (no copy, or no pupils) drops its links
  without re-tessellating the area. With ``morrill_contiguity="voronoi_clipped"``
  the catchments depend on the area polygons, which the result does not hold: no
  intervals there.
* **Spatial multigroup M and H** (:func:`segspatial.spatial.
  spatial_multigroup_segregation`): the dispersal operator of each bandwidth applied
  to the K group counts of every replicate (individual bootstrap, random allocation
  of the K groups, and the school bootstrap with the copies' operator as for the
  two-group spatial D and H).
"""

from __future__ import annotations

import math
import threading
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from segspatial.compute import SegregationResult
from segspatial.inference._engine import EnvironmentIndex
from segspatial.inference._summary import _SUFFIX, MARGIN_ONLY

__all__ = ["diagnostic_environments", "multigroup_environments"]


def _group_sum(x: np.ndarray, group: np.ndarray, n_groups: int) -> np.ndarray:
    from segspatial.spatial.formulas import _group_sum as group_sum

    return group_sum(x, group, n_groups)


def _inside(counts: pd.DataFrame, columns: list[str]) -> np.ndarray:
    cells = counts[columns].to_numpy(dtype=np.float64)
    return np.flatnonzero(cells.sum(axis=1) > 0)


def _embed(small: Any, inside: np.ndarray, n: int) -> sparse.csr_array:
    small = small.tocoo()
    return sparse.csr_array((small.data, (inside[small.row], inside[small.col])),
                            shape=(n, n))


# --------------------------------------------------------------------------- Moran's I


def moran_statistic(operator: Any, a: np.ndarray, b: np.ndarray, group: np.ndarray,
                    n_groups: int) -> np.ndarray:
    """Moran's I of the shares ``a / (a + b)`` per area-year and count vector.

    ``operator`` holds the weights without self-weights (``(S, S)``), ``a``, ``b``
    ``(S, R)``; units without pupils in a column drop out of it. Returns
    ``(n_groups, R)``; NaN where fewer than 3 units have a neighbour (as the table,
    :data:`segspatial.spatial.diagnostics.MORAN_MIN_LINKED`) or the shares do not vary.
    """
    from segspatial.spatial.diagnostics import MORAN_MIN_LINKED

    t = a + b
    present = (t > 0).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(t > 0, a / np.where(t > 0, t, 1.0), 0.0)
        n = _group_sum(present, group, n_groups)
        mean = _group_sum(share, group, n_groups) / n
        z = np.where(t > 0, share - mean[group], 0.0)
        row_sum = np.asarray(operator @ present)
        lag = np.asarray(operator @ z)
        linked = (row_sum > 0) & (t > 0)
        s0 = _group_sum(linked.astype(np.float64), group, n_groups)
        numerator = _group_sum(np.where(linked, z * lag / np.where(linked, row_sum, 1.0),
                                        0.0), group, n_groups)
        denominator = _group_sum(z * z, group, n_groups)
        spread = _group_sum(share * share, group, n_groups)
        value = n / s0 * numerator / denominator
    flat = denominator <= 1e-30 * np.maximum(spread, 1e-300)  # as the table
    return np.where(flat | (s0 < MORAN_MIN_LINKED), np.nan, value)


def _moran_environments(result: SegregationResult, inside: np.ndarray,
                        block: np.ndarray) -> list[EnvironmentIndex]:
    from segspatial.inference._spatial import _scale
    from segspatial.spatial import environment_operator

    table, counts = result.table, result.counts
    rows = table.loc[(table["index"] == "morans_i") & table["value"].notna(),
                     ["bandwidth", "kernel"]].drop_duplicates()
    out = []
    x = counts["x"].to_numpy(dtype=np.float64)[inside]
    y = counts["y"].to_numpy(dtype=np.float64)[inside]
    for bandwidth, kernel in rows.itertuples(index=False, name=None):
        w = environment_operator(x, y, crs=result.parameters["crs"], block=block[inside],
                                 definition="reardon_osullivan", **_scale(bandwidth, kernel))
        w = (w - sparse.diags_array(w.diagonal())).tocsr()
        w.eliminate_zeros()
        out.append(EnvironmentIndex("morans_i", float(bandwidth), kernel,
                                    _embed(w, inside, len(counts)), moran_statistic,
                                    null=False))
    return out


# --------------------------------------------------------------------------- Morrill's D


def morrill_statistic(operator: Any, a: np.ndarray, b: np.ndarray, group: np.ndarray,
                      n_groups: int, multiplicity: np.ndarray | None = None) -> np.ndarray:
    """Morrill's adjusted D per area-year and count vector.

    ``operator`` is the contiguity ``C`` (``(S, S)``, 0/1, symmetric, no diagonal);
    ``a``, ``b`` ``(S, R)``, or the observed ``(S, 1)`` with ``multiplicity`` ``(S, R)``
    (school bootstrap: copies at one place are contiguous). Units without pupils in a
    column have no share and no links there. Returns ``(n_groups, R)``.
    """
    from segspatial.spatial.formulas import _dispersal_dh

    pairs = operator.tocoo()
    i, j = pairs.row, pairs.col
    with np.errstate(divide="ignore", invalid="ignore"):
        t = a + b
        share = np.where(t > 0, a / np.where(t > 0, t, 1.0), 0.0)
        weight = (t > 0).astype(np.float64)
        if multiplicity is not None:
            weight = weight * multiplicity
            a, b = multiplicity * a, multiplicity * b
        pair_weight = weight[i] * weight[j]
        gap = _group_sum(pair_weight * np.abs(share[i] - share[j]), group[i], n_groups)
        links = _group_sum(pair_weight, group[i], n_groups)
        if multiplicity is not None:
            links = links + _group_sum(weight * (weight - 1.0), group, n_groups)
        A, B = _group_sum(a, group, n_groups), _group_sum(b, group, n_groups)
        d = _dispersal_dh(a, b, group, A, B, n_groups)[0]  # the identity operator: D
        return np.where(links > 0, d - gap / links, np.nan)


def _morrill_environments(result: SegregationResult, inside: np.ndarray,
                          block: np.ndarray) -> list[EnvironmentIndex]:
    from segspatial.spatial.diagnostics import _contiguous_pairs

    table, counts = result.table, result.counts
    rows = table.loc[(table["index"] == "morrill_d") & table["value"].notna()]
    if rows.empty or set(rows["kernel"]) != {"delaunay"}:
        return []  # voronoi_clipped: the area polygons are not in the result
    x = counts["x"].to_numpy(dtype=np.float64)[inside]
    y = counts["y"].to_numpy(dtype=np.float64)[inside]
    groups = block[inside]
    bounds = np.flatnonzero(np.diff(groups)) + 1
    starts = np.concatenate([[0], bounds, [groups.size]])
    order = np.argsort(groups, kind="stable")
    if not np.array_equal(order, np.arange(groups.size)):  # pragma: no cover - defensive
        raise ValueError("result.counts is not sorted by area-year")
    pi, pj = [], []
    for lo, hi in zip(starts[:-1], starts[1:], strict=True):  # geometry, once per area-year
        if hi - lo >= 2:
            u, v = _contiguous_pairs(x[lo:hi], y[lo:hi], None)
            pi.append(u + lo)
            pj.append(v + lo)
    u = np.concatenate(pi) if pi else np.empty(0, dtype=np.intp)
    v = np.concatenate(pj) if pj else np.empty(0, dtype=np.intp)
    contiguity = sparse.csr_array((np.ones(u.size), (inside[u], inside[v])),
                                  shape=(len(counts), len(counts)))
    return [EnvironmentIndex("morrill_d", np.nan, "delaunay", contiguity, morrill_statistic,
                             multiplicity=True)]


def diagnostic_environments(result: SegregationResult) -> list[EnvironmentIndex]:
    """Moran's I and Morrill's D rows of a two-group spatial result (see the module)."""
    counts = result.counts
    if not {"x", "y", "a", "b"} <= set(counts.columns):
        return []
    from segspatial.inference._spatial import _blocks

    inside = _inside(counts, ["a", "b"])
    block = _blocks(counts)
    return (_moran_environments(result, inside, block)
            + _morrill_environments(result, inside, block))


# --------------------------------------------------------------------------- multigroup


class _MultigroupStatistics:
    """Spatial M and H of one operator, computed once per draw block (per thread)."""

    def __init__(self, base: float):
        self.base = base
        self.last = threading.local()

    def __call__(self, key: int, operator: Any, counts: np.ndarray, group: np.ndarray,
                 n_groups: int, multiplicity: np.ndarray | None = None) -> np.ndarray:
        arguments = (operator, counts, multiplicity)
        held = getattr(self.last, "held", None)
        if held is None or not all(x is y for x, y in zip(held[0], arguments, strict=True)):
            held = (arguments, self._compute(operator, counts, group, n_groups,
                                             multiplicity))
            self.last.held = held
        return held[1][key]

    def _compute(self, operator: Any, counts: np.ndarray, group: np.ndarray, n_groups: int,
                 multiplicity: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        from segspatial.multigroup import (
            MultiGroupedCounts,
            _multigroup_theil_h_kernel,
            _mutual_information_kernel,
        )

        k, s, _ = counts.shape
        if multiplicity is None:
            env = np.stack([np.asarray(operator @ counts[g]) for g in range(k)])
        else:  # the copies' operator, as spatial_dissimilarity_theil's multiplicity
            reach = np.asarray(operator.T @ multiplicity)
            with np.errstate(divide="ignore", invalid="ignore"):
                spread = np.where(reach > 0, 1.0 / reach, 0.0)
            env = np.stack([multiplicity * np.asarray(operator @ (spread * multiplicity
                                                                    * counts[g]))
                            for g in range(k)])
        reps = env.shape[2]
        label = (np.arange(reps)[:, None] * n_groups + group[None, :]).ravel()
        c = MultiGroupedCounts(counts=env.transpose(2, 1, 0).reshape(-1, k), group=label,
                               n_groups=reps * n_groups)
        with np.errstate(divide="ignore", invalid="ignore"):
            m = _mutual_information_kernel(c) / math.log(self.base)
            h = _multigroup_theil_h_kernel(c)
        return (np.asarray(m).reshape(reps, n_groups).T,
                np.asarray(h).reshape(reps, n_groups).T)


def _multigroup_statistic(shared: _MultigroupStatistics, key: int):
    def statistic(operator: Any, counts: np.ndarray, group: np.ndarray, n_groups: int,
                  multiplicity: np.ndarray | None = None) -> np.ndarray:
        return shared(key, operator, counts, group, n_groups, multiplicity)

    return statistic


def multigroup_environments(result: SegregationResult) -> list[EnvironmentIndex]:
    """The spatial multigroup M and H rows of
    :func:`segspatial.spatial.spatial_multigroup_segregation` (see the module)."""
    from segspatial.inference._spatial import _blocks, _scale
    from segspatial.spatial import environment_operator

    counts, table, parameters = result.counts, result.table, result.parameters
    base = float(parameters.get("base") or math.e)
    names = {name: i for i, name in enumerate(
        ("spatial_mutual_information" + ("" if base == math.e else f"_base{base:g}"),
         "spatial_multigroup_theil_h"))}
    rows = table.loc[table["index"].isin(list(names)) & table["value"].notna(),
                     ["index", "bandwidth", "kernel"]].drop_duplicates()
    if rows.empty:
        return []
    inside = _inside(counts, list(parameters["groups"]))
    block = _blocks(counts)
    x = counts["x"].to_numpy(dtype=np.float64)[inside]
    y = counts["y"].to_numpy(dtype=np.float64)[inside]
    out = []
    for (bandwidth, kernel), which in rows.groupby(["bandwidth", "kernel"], sort=False):
        small = environment_operator(x, y, crs=parameters["crs"], block=block[inside],
                                     definition="dispersal", **_scale(bandwidth, kernel))
        operator = _embed(small, inside, len(counts))
        shared = _MultigroupStatistics(base)
        for name in which["index"]:
            out.append(EnvironmentIndex(name, float(bandwidth), kernel, operator,
                                        _multigroup_statistic(shared, names[name]),
                                        multiplicity=True, multigroup=True))
    return out


# --------------------------------------------------------------------------- notes


def missing_inference(result: SegregationResult) -> dict[str, int]:
    """Why rows with a value got no interval (or no p-value) that was asked for.

    Returns ``reason -> number of rows``, for the run's summary: never a silent gap.
    """
    options = result.parameters.get("inference") or {}
    table, parameters = result.table, result.parameters
    if table.empty or not options:
        return {}
    index = table["index"].astype(str)
    has_value = table["value"].notna().to_numpy()
    cluster = bool(options.get("cluster"))
    context_all = parameters.get("context") == "all"
    ro = parameters.get("definition") == "reardon_osullivan"
    spatial = (table["bandwidth"].notna() & ~index.isin(["morans_i", "morans_i_p"])
               ).to_numpy()
    reasons = np.full(len(table), "fractional counts or too few pupils to resample",
                      dtype=object)
    rules = [
        (index.str.contains(r"_(?:between|within)(?:_base|$)").to_numpy()
         | index.str.startswith(("theil_h_between", "theil_h_within")).to_numpy()
         | table["within"].notna().to_numpy(),
         "between/within decomposition rows (not resampled)"),
        (index.str.startswith("rank_order").to_numpy(), "rank-order rows"),
        ((index == "morrill_d").to_numpy() & (table["kernel"] != "delaunay").to_numpy(),
         "Morrill's D with clipped catchments (the area polygons are not kept with the "
         "results)"),
        (spatial & context_all & cluster,
         "spatial indices with --context all under --cluster (a drawn copy would change "
         "other areas' environments)"),
        (spatial & context_all & ro,
         "Reardon-O'Sullivan spatial indices with --context all (their local shares hold "
         "other areas' pupils, drawn independently)"),
        ((index == "morans_i").to_numpy() & cluster,
         "Moran's I under --cluster (copies at one place have no kernel weight)"),
    ]
    for mask, reason in reversed(rules):
        reasons[mask] = reason
    out: dict[str, int] = {}
    for column, n, exempt, own in (
            ("se", options.get("n_boot"), np.zeros(len(table), dtype=bool), None),
            ("p_value", options.get("null_draws"), (index == "morans_i_p").to_numpy(),
             "Moran's I (its test is the permutation p-value, morans_i_p)")):
        if not n or column not in table.columns:
            continue
        missing = has_value & table[column].isna().to_numpy() & ~exempt
        if column == "se":
            missing &= ~(index == "morans_i_p").to_numpy()  # a p-value itself
        for i in np.flatnonzero(missing):
            reason = reasons[i]
            if column == "p_value" and index.iat[i] == "morans_i":
                reason = own
            elif column == "p_value" and _SUFFIX.sub("", index.iat[i]) in MARGIN_ONLY:
                reason = ("indices of the margins alone (E[D], entropy: the same in every "
                          "random allocation, nothing to test)")
            out[reason] = out.get(reason, 0) + 1
    return out
