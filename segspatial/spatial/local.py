"""Local measures per unit, for maps: own share, local share, gap, part in D."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from segspatial.indices import _unit_share_a
from segspatial.spatial._args import _check_context, _resolve_scales
from segspatial.spatial._engine import _prepare
from segspatial.spatial.environments import _local_counts

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
    min_unit_size: float = 50,
    min_area_size: float = 10000,
) -> pd.DataFrame:
    """Per unit: its share of A, that of its surroundings, and its part in D.

    Parameters
    ----------
    data, unit, group_a, group_b, x, y, crs, area, year, total, bandwidth, kernel, k, context
        As for :func:`spatial_segregation` (default bandwidth 1000 m).
    min_unit_size, min_area_size : float
        The report's filters (0 disables); units left out are not listed.

    Returns
    -------
    pandas.DataFrame
        One row per unit (and bandwidth): ``area``, ``year`` (when given), ``unit``,
        ``x``, ``y``, ``a``, ``b``, ``bandwidth``, ``kernel``, ``p`` (p_j = a_j / t_j),
        ``p_local`` (p̃_j, the share of A in the local environment), ``gap``
        (p_j − p̃_j: how unlike its surroundings the unit is), ``p_area`` (P),
        ``d_contribution`` (½ |a_j/A − b_j/B|; they add up to D) and
        ``spatial_d_contribution`` (t_j |p̃_j − P| / (2 T P (1 − P)); they add up to the
        spatial D).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"school": ["P", "Q", "R"], "a": [30, 10, 20],
    ...                    "b": [10, 30, 20], "x": [0, 500, 5000], "y": [0, 0, 0]})
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
    prep = _prepare(data, unit, group_a, group_b, x=x, y=y, crs=crs, area=area, year=year,
                    total=total, scales=scales, context=context,
                    min_unit_size=min_unit_size, min_area_size=min_area_size,
                    need_area_graph=False)
    c = prep.c
    keys = [k_ for k_, given in (("area", area), ("year", year)) if given is not None]
    base = prep.kept[[*keys, "unit"]].copy()
    base["x"], base["y"] = prep.x, prep.y
    base["a"], base["b"] = c.a, c.b
    p = _unit_share_a(c)
    P = c.P[c.group]
    with np.errstate(divide="ignore", invalid="ignore"):
        d_part = 0.5 * np.abs(c.a / c.A[c.group] - c.b / c.B[c.group])
        norm = (2.0 * c.T * c.P * (1.0 - c.P))[c.group]
    parts = []
    for scale in scales:
        local = _local_counts(prep.neighbours, scale, prep.pool_rows, prep.pool_counts)
        t_loc = local.sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            p_loc = np.where(t_loc > 0, local[:, 0] / np.where(t_loc > 0, t_loc, 1.0),
                             np.nan)
        frame = base.copy()
        frame["bandwidth"] = scale.bandwidth
        frame["kernel"] = scale.kernel
        frame["p"] = np.where(c.t > 0, p, np.nan)
        frame["p_local"] = p_loc
        frame["gap"] = frame["p"] - p_loc
        frame["p_area"] = P
        frame["d_contribution"] = d_part
        with np.errstate(invalid="ignore"):
            frame["spatial_d_contribution"] = c.t * np.abs(np.where(c.t > 0, p_loc, P) - P
                                                           ) / norm
        parts.append(frame)
    return pd.concat(parts, ignore_index=True)

