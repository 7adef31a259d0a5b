"""Local measures per unit, for maps: own share, local share, gap, part in D."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from segspatial._kernels import _unit_share_a
from segspatial.spatial._args import _check_context, _check_definition, _resolve_scales
from segspatial.spatial._engine import _prepare, _Prepared
from segspatial.spatial.environments import (
    _disperse,
    _disperse_by_label,
    _one_blas_thread,
    _smooth,
)

__all__ = ["local_measures"]


def local_measures(
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
    min_unit_size: float = 50,
    min_area_size: float = 10000,
) -> pd.DataFrame:
    """Per unit: its share of A, that of its surroundings, and its part in D.

    Parameters
    ----------
    data, unit, group_a, group_b, x, y, crs, area, year, total, bandwidth, kernel, k
        As for :func:`spatial_segregation` (default bandwidth 1000 m).
    context, definition
        As for :func:`spatial_segregation`.
    min_unit_size, min_area_size : float
        The report's filters (0 disables); units left out are not listed.

    Returns
    -------
    pandas.DataFrame
        One row per unit (and bandwidth): ``area``, ``year`` (when given), ``unit``,
        ``x``, ``y``, ``a``, ``b``, ``bandwidth``, ``kernel``, ``p`` (p_j = a_j / t_j),
        ``p_local`` (p̃_j = ã_j / t̃_j, the share of A among the pupils in the unit's
        local environment), ``gap`` (p_j − p̃_j: how unlike its surroundings the unit
        is), ``p_area`` (P), ``d_contribution`` (½ |a_j/A − b_j/B|; they add up to D)
        and ``spatial_d_contribution`` (dispersal: ½ |ã_j/A − b̃_j/B| of the area's
        own pupils; Reardon & O'Sullivan: t_j |p̃_j − P| / (2 T P (1 − P))). With
        ``context="area"`` they add up to the spatial D; with ``"all"`` the
        environments hold pupils of every area, and the part of an area's spatial D
        that lies at units of other areas is not listed.

        Units with pupils but none in group A or B (share 0/0) are left out, as they
        are of every spatial statistic; they are neither neighbours nor listed.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"school": ["P", "Q", "R"], "a": [30, 10, 20],
    ...                    "b": [10, 30, 20], "x": [100_000, 100_500, 105_000],
    ...                    "y": [400_000] * 3})
    >>> m = local_measures(df, "school", "a", "b", x="x", y="y", crs="EPSG:28992",
    ...                    bandwidth=1000, kernel="boxcar", min_unit_size=0,
    ...                    min_area_size=0)
    >>> m[["unit", "p", "p_local", "gap", "d_contribution"]].round(4)
      unit     p  p_local   gap  d_contribution
    0    P  0.75      0.5  0.25          0.1667
    1    Q  0.25      0.5 -0.25          0.1667
    2    R  0.50      0.5  0.00          0.0000
    """
    if bandwidth is None and k is None:
        bandwidth = 1000.0
    scales = _resolve_scales(bandwidth, kernel, k)
    context = _check_context(context)
    definition = _check_definition(definition)
    prep = _prepare(data, unit, group_a, group_b, x=x, y=y, crs=crs, area=area, year=year,
                    total=total, context=context, min_unit_size=min_unit_size,
                    min_area_size=min_area_size)
    c = prep.c
    keys = [k_ for k_, given in (("area", area), ("year", year)) if given is not None]
    base = prep.units[[*keys, "unit"]].copy()
    base["x"], base["y"] = prep.x, prep.y
    base["a"], base["b"] = c.a, c.b
    P = c.P[c.group]
    with np.errstate(divide="ignore", invalid="ignore"):
        d_part = 0.5 * np.abs(c.a / c.A[c.group] - c.b / c.B[c.group])
    parts = []
    for scale in scales:
        with _one_blas_thread(prep.pool.n):
            a_env, b_env, contribution = _local(prep, scale, definition)
        with np.errstate(divide="ignore", invalid="ignore"):
            p_loc = a_env / (a_env + b_env)
        frame = base.copy()
        frame["bandwidth"] = scale.bandwidth
        frame["kernel"] = scale.kernel
        frame["p"] = _unit_share_a(c)
        frame["p_local"] = p_loc
        frame["gap"] = frame["p"] - p_loc
        frame["p_area"] = P
        frame["d_contribution"] = d_part
        frame["spatial_d_contribution"] = contribution
        parts.append(frame)
    return pd.concat(parts, ignore_index=True)


def _local(prep: _Prepared, scale: Any, definition: str
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each unit's environment counts (A, B) and its part in the spatial D."""
    c = prep.c
    if definition == "reardon_osullivan":
        local, _ = _smooth(prep.pool, prep.sources, prep.pool_counts, scale)
        a_env, b_env = local[:, 0], local[:, 1]
        P = c.P[c.group]
        with np.errstate(divide="ignore", invalid="ignore"):
            p_env = a_env / (a_env + b_env)
            norm = (2.0 * c.T * c.P * (1.0 - c.P))[c.group]
            return a_env, b_env, c.t * np.abs(p_env - P) / norm
    if prep.context == "area":
        env = _disperse(prep.pool, prep.sources, prep.pool_counts, scale)[prep.sources]
        own = env
    else:  # every pupil of the year around the unit; its area's own pupils for D
        every = np.arange(prep.pool.n)
        env = _disperse(prep.pool, every, prep.pool_counts, scale)[prep.sources]
        own = np.zeros_like(env)
        bounds = np.searchsorted(c.group, np.arange(c.n_groups + 1))
        for g, where, counts in _disperse_by_label(prep.pool, prep.sources, c.group,
                                                   prep.pool_counts, scale):
            units = np.arange(bounds[g], bounds[g + 1])
            own[units] = counts[np.searchsorted(where, prep.sources[units])]
    with np.errstate(divide="ignore", invalid="ignore"):
        part = 0.5 * np.abs(own[:, 0] / c.A[c.group] - own[:, 1] / c.B[c.group])
    return env[:, 0], env[:, 1], part
