"""Spatial Theil's M and H for K >= 2 groups at once, in the results table.

The aspatial multigroup rows come from :func:`segspatial.multigroup_segregation`; the
spatial rows apply the same formulas to the dispersal environments of every bandwidth
(``Ñ = K N``, streamed in bounded memory as for the two-group spatial D and H).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from segspatial._reasons import reason as _reason
from segspatial.compute import SegregationResult
from segspatial.multigroup import (
    MultiGroupedCounts,
    _multigroup_theil_h_kernel,
    _mutual_information_kernel,
    check_base,
)
from segspatial.multigroup_table import multigroup_segregation
from segspatial.schema import conform_results, join_groups
from segspatial.spatial._args import _check_locations, _require_projected, _resolve_scales
from segspatial.spatial.environments import _disperse, _one_blas_thread, _Pool

__all__ = ["SPATIAL_MULTIGROUP_INDICES", "spatial_multigroup_segregation"]

#: Index names of the spatial multigroup rows (M in nats unless another base is asked).
SPATIAL_MULTIGROUP_INDICES = ("spatial_mutual_information", "spatial_multigroup_theil_h")


def spatial_multigroup_segregation(
    data: pd.DataFrame,
    unit: str,
    groups: Sequence[str],
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
    indices: str | Iterable[str] | None = None,
    base: float = math.e,
    min_unit_size: float = 50,
    min_area_size: float = 10000,
) -> SegregationResult:
    """Multigroup segregation with its spatial M and H at every bandwidth.

    The rows of :func:`segspatial.multigroup_segregation`, plus
    ``spatial_mutual_information`` (``_base{base}`` for another base) and
    ``spatial_multigroup_theil_h`` per area-year and bandwidth (or k), with
    ``bandwidth`` and ``kernel`` filled: Theil's M and H of the dispersal environments
    (see :func:`segspatial.spatial.spatial_multigroup_theil`); 0 <= spatial <=
    aspatial, the aspatial values at bandwidth 0. Neighbours are the units of the same
    area and year with pupils in the groups.

    Parameters
    ----------
    data, unit, groups, area, year, total, indices, base, min_unit_size, min_area_size
        As for :func:`segspatial.multigroup_segregation`.
    x, y, crs
        Coordinate columns and their projected CRS in metres, checked as in
        :func:`segspatial.spatial.spatial_segregation`.
    bandwidth, kernel, k
        As for :func:`segspatial.spatial.spatial_segregation`.

    Returns
    -------
    SegregationResult
        ``counts`` (the units used) carry ``x`` and ``y``.

    Raises
    ------
    TypeError, ValueError
        As :func:`segspatial.multigroup_segregation`, and for coordinates that are
        missing, not numbers or outside the CRS's area of use (naming the rows), or a
        bad bandwidth, kernel or k.

    Examples
    --------
    >>> df = pd.DataFrame({"school": list("PQR"), "d": [10, 0, 0], "w": [0, 10, 0],
    ...                    "n": [0, 0, 10], "x": [120_000, 120_100, 121_000],
    ...                    "y": [480_000] * 3})
    >>> res = spatial_multigroup_segregation(
    ...     df, "school", ["d", "w", "n"], x="x", y="y", crs="EPSG:28992", bandwidth=150,
    ...     kernel="boxcar", indices="multigroup_theil_h", min_unit_size=0,
    ...     min_area_size=0)
    >>> res.table[["index", "bandwidth", "value"]].round(4)
                            index  bandwidth   value
    0          multigroup_theil_h        NaN  1.0000
    1  spatial_mutual_information      150.0  0.6365
    2  spatial_multigroup_theil_h      150.0  0.5794
    """
    scales = _resolve_scales(bandwidth, kernel, k)
    _require_projected(crs)
    base = check_base(base)
    result = multigroup_segregation(data, unit, groups, area=area, year=year, total=total,
                                    indices=indices, base=base, min_unit_size=min_unit_size,
                                    min_area_size=min_area_size)
    for value, argument in ((x, "x"), (y, "y")):
        if not isinstance(value, str):
            raise TypeError(f"{argument} must be a column name (str), got {value!r}")
    missing = [f"{a}={c!r}" for a, c in (("x", x), ("y", y)) if c not in data.columns]
    if missing:
        raise ValueError(f"missing columns: {', '.join(missing)}; the data has columns "
                         f"{list(map(str, data.columns))!r}")
    _check_locations(data, unit, crs, x=x, y=y)
    counts = result.counts
    keys = [k_ for k_, given in (("area", area), ("year", year)) if given is not None]
    located = data[[unit, *([year] if year is not None else []), x, y]].rename(
        columns={unit: "unit", x: "x", y: "y", **({year: "year"} if year else {})})
    on = ["unit", *(["year"] if year is not None else [])]
    # keys are compared as the caller's values (the counts hold them as categoricals)
    left = counts[on].astype(object)
    coords = left.merge(located.astype({c: object for c in on}), on=on, how="left")
    counts = counts.assign(x=pd.to_numeric(coords["x"]).to_numpy(),
                           y=pd.to_numeric(coords["y"]).to_numpy())
    group_columns = list(result.parameters["groups"])
    matrix = counts[group_columns].to_numpy(dtype=np.float64)
    by = counts.groupby(keys, sort=True, dropna=False) if keys else None
    block = (by.ngroup().to_numpy() if by is not None
             else np.zeros(len(counts), dtype=np.intp))
    key_frame = (by.size().reset_index()[keys] if by is not None
                 else pd.DataFrame(index=range(int(len(counts) > 0))))
    n_blocks = len(key_frame)
    used = matrix.sum(axis=1) > 0
    pool = _Pool(counts["x"].to_numpy(dtype=np.float64)[used],
                 counts["y"].to_numpy(dtype=np.float64)[used], block[used])
    n_units = np.bincount(block[used], minlength=n_blocks)
    n_pupils = np.bincount(block[used], weights=matrix[used].sum(axis=1),
                           minlength=n_blocks)
    suffix = "" if base == math.e else f"_base{base:g}"
    parts = [result.table]
    with _one_blas_thread(pool.n):
        for scale in scales:
            env = (_disperse(pool, np.arange(pool.n), matrix[used], scale) if pool.n
                   else np.zeros((0, matrix.shape[1])))
            c = MultiGroupedCounts(counts=env, group=block[used], n_groups=n_blocks)
            with np.errstate(divide="ignore", invalid="ignore"):
                values = {f"spatial_mutual_information{suffix}":
                          _mutual_information_kernel(c) / math.log(base),
                          "spatial_multigroup_theil_h": _multigroup_theil_h_kernel(c)}
            for name, value in values.items():
                rows = key_frame.copy()
                rows["groups"] = join_groups(group_columns)
                rows["index"] = name
                rows["bandwidth"] = scale.bandwidth
                rows["kernel"] = scale.kernel
                rows["value"] = value
                rows["n_units"] = n_units
                rows["n_pupils"] = n_pupils
                rows["reason"] = np.where(np.isfinite(value), None, _reason(
                    "fewer_than_2_groups", "fewer than two groups with pupils"))
                parts.append(rows)
    table = conform_results(pd.concat(parts, ignore_index=True))
    if keys:
        order = table.groupby(keys, sort=True, dropna=False).ngroup().to_numpy()
        table = table.iloc[np.argsort(order, kind="stable")].reset_index(drop=True)
    parameters = {**result.parameters, "x": x, "y": y, "crs": str(crs),
                  "bandwidth": [s.bandwidth for s in scales], "kernel": scales[0].kernel}
    return SegregationResult(table=table, exclusions=result.exclusions, counts=counts,
                             parameters=parameters)
