"""The environment indices of a spatial result (spatial D, H, exposure, isolation) as
environment operators for the inference.

A result of :func:`segspatial.spatial.spatial_segregation` holds its units' coordinates
(``result.counts``) and, in its parameters, the bandwidths, kernel and definition. The
local environments depend on where the schools are, not on their pupils, so the
environment operator of each bandwidth is fixed per area-year: every bootstrap replicate
or random allocation is a count matrix ``(n_units, R)`` and the spatial indices of all
its replicates are one sparse-times-dense product ``K @ A`` (``A`` the replicates)
followed by the formula (:func:`segspatial.spatial.spatial_dissimilarity_theil`).
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from segspatial.compute import SegregationResult
from segspatial.inference._engine import EnvironmentIndex

__all__ = ["spatial_environments"]

_BASE = ("spatial_dissimilarity", "spatial_theil_h", "spatial_isolation_a",
         "spatial_exposure_ab", "spatial_isolation_b", "spatial_exposure_ba")
#: Row names per definition -> (family, key): D and H from one function, the
#: exposure and isolation from another.
_NAMES = {
    definition: {
        (name if definition == "dispersal" else f"{name}_ro"):
            (("dh", i) if i < 2 else ("exposure", name.removeprefix("spatial_")))
        for i, name in enumerate(_BASE)
    }
    for definition in ("dispersal", "reardon_osullivan")
}


class _SpatialStatistics:
    """The spatial indices of one operator, each family computed once per draw block.

    The engine asks for the indices one after another with the same operator block and
    the same count arrays; the last answer of each family is kept (with the arguments
    it was for, so ids are never reused while it is held) and given to the next index
    of that family. Threads each keep their own. ``compute(family, operator, a, b,
    group, **extra)`` gives a family's values (default: the square operators'
    :func:`segspatial.spatial.spatial_dissimilarity_theil` and
    :func:`segspatial.spatial.spatial_exposure_isolation`).
    """

    def __init__(self, definition: str, compute: Any = None):
        self.definition = definition
        self.compute = compute or self._square
        self.last = threading.local()

    def _square(self, family: str, operator: Any, a: np.ndarray, b: np.ndarray,
                group: np.ndarray, multiplicity: np.ndarray | None = None) -> Any:
        from segspatial.spatial import spatial_dissimilarity_theil, spatial_exposure_isolation

        compute = (spatial_dissimilarity_theil if family == "dh"
                   else spatial_exposure_isolation)
        return compute(operator, a, b, group=group, definition=self.definition,
                       multiplicity=multiplicity)

    def __call__(self, family: str, key: Any, operator: Any, a: np.ndarray, b: np.ndarray,
                 group: np.ndarray, n_groups: int, **extra: Any) -> np.ndarray:
        arguments = (operator, a, b, *extra.values())
        held = getattr(self.last, family, None)
        if held is None or not (len(held[0]) == len(arguments) and all(
                x is y for x, y in zip(held[0], arguments, strict=True))):
            held = (arguments, self.compute(family, operator, a, b, group, **extra))
            setattr(self.last, family, held)
        return held[1][key]


def _statistic(shared: _SpatialStatistics, family: str, key: Any):
    def statistic(operator: Any, a: np.ndarray, b: np.ndarray, group: np.ndarray,
                  n_groups: int, **extra: Any) -> np.ndarray:
        return shared(family, key, operator, a, b, group, n_groups, **extra)

    return statistic


def _context_all(family: str, operator: Any, a: np.ndarray, b: np.ndarray,
                 group: np.ndarray, environment_group: np.ndarray) -> Any:
    """Spatial D, H, exposure and isolation of ``context="all"`` environments: the rows
    of ``operator`` are the environments (units of any area of the year) that an
    area-year's own pupils reach; ``environment_group`` their area-year."""
    from segspatial.spatial.formulas import _dispersal_dh, _exposure, _group_sum

    n_groups = int(group.max()) + 1 if group.size else 0
    a_env, b_env = np.asarray(operator @ a), np.asarray(operator @ b)
    if family == "dh":
        return _dispersal_dh(a_env, b_env, environment_group,
                             _group_sum(a, group, n_groups), _group_sum(b, group, n_groups),
                             n_groups)
    return _exposure(a_env, b_env, a_env, b_env, environment_group, n_groups, "dispersal")


def _scale(bandwidth: float, kernel: str) -> dict[str, Any]:
    return ({"k": int(bandwidth)} if kernel == "knn"
            else {"bandwidth": float(bandwidth), "kernel": kernel})


def _blocks(counts: pd.DataFrame) -> np.ndarray:
    """The area-year of every unit of ``counts`` (sorted keys, as the designs)."""
    keys = [k for k in ("area", "year") if k in counts.columns]
    return (counts.groupby(keys, sort=True, dropna=False).ngroup().to_numpy() if keys
            else np.zeros(len(counts), dtype=np.intp))


def _context_all_operator(result: SegregationResult, inside: np.ndarray, block: np.ndarray,
                          scale: dict[str, Any]) -> tuple[sparse.csr_array, np.ndarray]:
    """The ``context="all"`` operator ``(n_environments, n_units)`` and its ``row_unit``.

    The pool of a year is every unit of that year that passed the unit filter (the
    result's units with pupils, and those of areas the area filter dropped, kept in
    ``parameters["context_pool"]``); column k of the year's dispersal operator spreads
    unit k's pupils over the pool. An environment is a (area-year, pool unit) pair
    reached by the area-year's units.
    """
    from segspatial.spatial import environment_operator

    counts, parameters = result.counts, result.parameters
    extra = parameters.get("context_pool") or {"x": [], "y": [], "year": []}
    n_in = inside.size
    years = (counts["year"].to_numpy(dtype=object)[inside].tolist()
             if "year" in counts.columns else [None] * n_in)
    px = np.concatenate([counts["x"].to_numpy(dtype=np.float64)[inside],
                         np.asarray(extra["x"], dtype=np.float64)])
    py = np.concatenate([counts["y"].to_numpy(dtype=np.float64)[inside],
                         np.asarray(extra["y"], dtype=np.float64)])
    year_block = pd.factorize(pd.Series([*years, *extra["year"]], dtype=object),
                              use_na_sentinel=False)[0]
    big = environment_operator(px, py, crs=parameters["crs"], block=year_block,
                               definition="dispersal", **scale)
    sources = big[:, :n_in].tocoo()  # rows: pool units reached; columns: the sources
    pool_n = px.size
    key = block[inside][sources.col].astype(np.int64) * pool_n + sources.row
    env, _ = pd.factorize(key, sort=True)  # sorted by area-year, then pool unit
    n_env = int(env.max()) + 1 if env.size else 0
    operator = sparse.csr_array((sources.data, (env, inside[sources.col])),
                                shape=(n_env, len(counts)))
    row_unit = np.zeros(n_env, dtype=np.intp)
    row_unit[env] = inside[sources.col]
    return operator, row_unit


def spatial_environments(result: SegregationResult) -> list[EnvironmentIndex]:
    """The spatial rows of a spatial result that get intervals, as
    :class:`EnvironmentIndex`.

    * spatial D, H, exposure and isolation (:func:`segspatial.spatial.
      spatial_segregation`): one operator per bandwidth (or k), built on the units of
      ``result.counts`` with pupils in group A or B (units without either are neither
      source nor destination, as in the table), block-diagonal by area-year, with the
      result's kernel and definition; the statistics are
      :func:`segspatial.spatial.spatial_dissimilarity_theil` and
      :func:`segspatial.spatial.spatial_exposure_isolation`, which also take the
      multiplicities of a school bootstrap. With ``context="all"`` (dispersal) an
      area-year's pupils spread over the units of every area of the year: its operator
      has one row per unit reached (fixed, as the neighbours' locations are; only the
      area-year's own pupils are redrawn). No school bootstrap there (a drawn copy
      would change the other areas' environments too), and none for the Reardon &
      O'Sullivan form with ``context="all"`` (its local shares hold the pupils of
      other areas, whose own draws are independent: no per-area-year resampling
      describes them);
    * Moran's I and Morrill's D (:mod:`._diagnostics`);
    * the spatial multigroup M and H (:func:`segspatial.spatial.
      spatial_multigroup_segregation`).

    Parameters
    ----------
    result : SegregationResult
        Any result.

    Returns
    -------
    list of EnvironmentIndex
        Empty for results without spatial rows.
    """
    from segspatial.inference._diagnostics import diagnostic_environments, multigroup_environments

    if not isinstance(result, SegregationResult):
        return []  # infer names the type
    parameters = result.parameters
    counts, table = result.counts, result.table
    if parameters.get("groups") and {"x", "y"} <= set(counts.columns):
        return multigroup_environments(result)
    definition = parameters.get("definition")
    if definition not in _NAMES or not {"x", "y", "a", "b"} <= set(counts.columns):
        return []
    context = parameters.get("context", "area")
    names = _NAMES[definition]
    rows = table.loc[table["index"].isin(list(names)) & table["value"].notna(),
                     ["index", "bandwidth", "kernel"]].drop_duplicates()
    out = diagnostic_environments(result)
    if rows.empty or (context == "all" and definition != "dispersal"):
        return out
    from segspatial.spatial import environment_operator

    n = len(counts)
    block = _blocks(counts)
    inside = np.flatnonzero((counts["a"].to_numpy(dtype=np.float64)
                             + counts["b"].to_numpy(dtype=np.float64)) > 0)
    x = counts["x"].to_numpy(dtype=np.float64)[inside]
    y = counts["y"].to_numpy(dtype=np.float64)[inside]
    for (bandwidth, kernel), which in rows.groupby(["bandwidth", "kernel"], sort=False):
        row_unit = None
        if context == "all":
            operator, row_unit = _context_all_operator(result, inside, block,
                                                       _scale(bandwidth, kernel))
            shared = _SpatialStatistics(definition, _context_all)
        else:
            small = environment_operator(x, y, crs=parameters["crs"], block=block[inside],
                                         definition=definition,
                                         **_scale(bandwidth, kernel)).tocoo()
            operator = sparse.csr_array((small.data, (inside[small.row], inside[small.col])),
                                        shape=(n, n))
            shared = _SpatialStatistics(definition)
        for name in which["index"]:
            out.append(EnvironmentIndex(name, float(bandwidth), kernel, operator,
                                        _statistic(shared, *names[name]),
                                        multiplicity=row_unit is None, row_unit=row_unit))
    return out
