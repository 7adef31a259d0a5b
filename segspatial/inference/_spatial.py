"""The spatial D and H of a spatial result as environment operators for the inference.

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

#: Spatial index names (per definition) and their position in (D, H).
_NAMES = {
    "dispersal": {"spatial_dissimilarity": 0, "spatial_theil_h": 1},
    "reardon_osullivan": {"spatial_dissimilarity_ro": 0, "spatial_theil_h_ro": 1},
}


class _SpatialDH:
    """Spatial D and H of one operator, computed once for both indices.

    The engine asks for D and then H with the same operator block and the same count
    arrays; the last answer is kept (with the arguments it was for, so ids are never
    reused while it is held) and given to the second. Threads each keep their own.
    """

    def __init__(self, definition: str):
        self.definition = definition
        self.last = threading.local()

    def __call__(self, which: int, operator: Any, a: np.ndarray, b: np.ndarray,
                 group: np.ndarray, n_groups: int,
                 multiplicity: np.ndarray | None = None) -> np.ndarray:
        from segspatial.spatial import spatial_dissimilarity_theil

        key = (operator, a, b, multiplicity)
        held = getattr(self.last, "entry", None)
        if held is not None and all(x is y for x, y in zip(held[0], key, strict=True)):
            return held[1][which]
        values = spatial_dissimilarity_theil(operator, a, b, group=group,
                                             definition=self.definition,
                                             multiplicity=multiplicity)
        self.last.entry = (key, values)
        return values[which]


def _statistic(shared: _SpatialDH, which: int):
    def statistic(operator: Any, a: np.ndarray, b: np.ndarray, group: np.ndarray,
                  n_groups: int, multiplicity: np.ndarray | None = None) -> np.ndarray:
        return shared(which, operator, a, b, group, n_groups, multiplicity)

    return statistic


def spatial_environments(result: SegregationResult) -> list[EnvironmentIndex]:
    """The spatial D and H rows of a spatial result, as :class:`EnvironmentIndex`.

    One operator per bandwidth (or k), built on the units of ``result.counts`` with
    pupils in group A or B (units without either are neither source nor destination,
    as in the table), block-diagonal by area-year, with the result's kernel and
    definition; the statistic is
    :func:`segspatial.spatial.spatial_dissimilarity_theil`, which also takes the
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
        shared = _SpatialDH(definition)
        for name in which["index"]:
            out.append(EnvironmentIndex(name, float(bandwidth), kernel, operator,
                                        _statistic(shared, names[name]), multiplicity=True))
    return out
