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
    of that family. Threads each keep their own.
    """

    def __init__(self, definition: str):
        self.definition = definition
        self.last = threading.local()

    def __call__(self, family: str, key: Any, operator: Any, a: np.ndarray, b: np.ndarray,
                 group: np.ndarray, n_groups: int,
                 multiplicity: np.ndarray | None = None) -> np.ndarray:
        from segspatial.spatial import spatial_dissimilarity_theil, spatial_exposure_isolation

        arguments = (operator, a, b, multiplicity)
        held = getattr(self.last, family, None)
        if held is None or not all(x is y for x, y in zip(held[0], arguments, strict=True)):
            compute = (spatial_dissimilarity_theil if family == "dh"
                       else spatial_exposure_isolation)
            held = (arguments, compute(operator, a, b, group=group,
                                       definition=self.definition,
                                       multiplicity=multiplicity))
            setattr(self.last, family, held)
        return held[1][key]


def _statistic(shared: _SpatialStatistics, family: str, key: Any):
    def statistic(operator: Any, a: np.ndarray, b: np.ndarray, group: np.ndarray,
                  n_groups: int, multiplicity: np.ndarray | None = None) -> np.ndarray:
        return shared(family, key, operator, a, b, group, n_groups, multiplicity)

    return statistic


def spatial_environments(result: SegregationResult) -> list[EnvironmentIndex]:
    """The spatial D, H, exposure and isolation rows of a spatial result, as
    :class:`EnvironmentIndex`.

    One operator per bandwidth (or k), built on the units of ``result.counts`` with
    pupils in group A or B (units without either are neither source nor destination,
    as in the table), block-diagonal by area-year, with the result's kernel and
    definition; the statistics are :func:`segspatial.spatial.spatial_dissimilarity_theil`
    and :func:`segspatial.spatial.spatial_exposure_isolation`, which also take the
    multiplicities of a school bootstrap.

    Parameters
    ----------
    result : SegregationResult
        Any result; only one of :func:`segspatial.spatial.spatial_segregation` with
        neighbours in the same area (``context="area"``, the default) gives
        environments. With ``context="all"`` an area's pupils spread over the units of
        other areas too, so no per-area-year operator exists: those rows get no
        intervals (the summary counts them).

    Returns
    -------
    list of EnvironmentIndex
        Empty for other results.
    """
    from segspatial.spatial import environment_operator

    if not isinstance(result, SegregationResult):
        return []  # infer names the type
    parameters = result.parameters
    counts, table = result.counts, result.table
    definition = parameters.get("definition")
    if (definition not in _NAMES or parameters.get("context", "area") != "area"
            or not {"x", "y", "a", "b"} <= set(counts.columns)):
        return []
    names = _NAMES[definition]
    rows = table.loc[table["index"].isin(list(names)) & table["value"].notna(),
                     ["index", "bandwidth", "kernel"]].drop_duplicates()
    if rows.empty:
        return []
    n = len(counts)
    keys = [k for k in ("area", "year") if k in counts.columns]
    block = (counts.groupby(keys, sort=True, dropna=False).ngroup().to_numpy() if keys
             else np.zeros(n, dtype=np.intp))
    inside = np.flatnonzero((counts["a"].to_numpy(dtype=np.float64)
                             + counts["b"].to_numpy(dtype=np.float64)) > 0)
    x = counts["x"].to_numpy(dtype=np.float64)[inside]
    y = counts["y"].to_numpy(dtype=np.float64)[inside]
    out = []
    for (bandwidth, kernel), which in rows.groupby(["bandwidth", "kernel"], sort=False):
        scale = ({"k": int(bandwidth)} if kernel == "knn"
                 else {"bandwidth": float(bandwidth), "kernel": kernel})
        small = environment_operator(x, y, crs=parameters["crs"], block=block[inside],
                                     definition=definition, **scale).tocoo()
        operator = sparse.csr_array((small.data, (inside[small.row], inside[small.col])),
                                    shape=(n, n))
        shared = _SpatialStatistics(definition)
        for name in which["index"]:
            out.append(EnvironmentIndex(name, float(bandwidth), kernel, operator,
                                        _statistic(shared, *names[name]), multiplicity=True))
    return out
