"""Local environments: neighbour search, kernel weights and the spatial D and H."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.spatial import cKDTree

from segspatial.indices import GroupedCounts, _binary_entropy
from segspatial.spatial._args import _require_projected, _resolve_scales, _Scale

__all__ = ["spatial_weights"]


def _block_tree(x: np.ndarray, y: np.ndarray, block: np.ndarray,
                reach: float) -> tuple[cKDTree, float]:
    """A KD-tree in which units of different blocks are further apart than ``reach``.

    Each block is lifted to its own height ``block * sep`` on a third axis, with ``sep``
    beyond both the extent of the data and ``reach``: one tree answers every block.
    """
    x0, y0 = x - x.min(), y - y.min()
    extent = float(np.hypot(x0.max(), y0.max()))
    sep = 2.0 * (extent + (reach if np.isfinite(reach) else 0.0)) + 1.0
    return cKDTree(np.column_stack([x0, y0, block.astype(np.float64) * sep])), extent


def _pairs_within(x: np.ndarray, y: np.ndarray, block: np.ndarray,
                  radius: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All ordered pairs (i, j), i != j, of the same block closer than ``radius``."""
    if radius <= 0 or x.size < 2:
        empty = np.empty(0, dtype=np.intp)
        return empty, empty, np.empty(0)
    tree, _ = _block_tree(x, y, block, radius)
    ij = tree.query_pairs(radius, output_type="ndarray")
    i, j = ij[:, 0], ij[:, 1]
    d = np.hypot(x[i] - x[j], y[i] - y[j])
    keep = (d < radius) & (block[i] == block[j])
    i, j, d = i[keep], j[keep], d[keep]
    return np.concatenate([i, j]), np.concatenate([j, i]), np.concatenate([d, d])


def _pairs_knn(x: np.ndarray, y: np.ndarray, block: np.ndarray,
               k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each unit's ``k`` nearest other units of its block, nearest first.

    Returns ``i``, ``j``, the distance and the neighbour's rank (0 = nearest), so that
    the first ``k' <= k`` ranks give the ``k'`` nearest neighbours. Ties at equal
    distance are broken by the KD-tree's order.
    """
    n = x.size
    if k <= 0 or n < 2:
        empty = np.empty(0, dtype=np.intp)
        return empty, empty, np.empty(0), empty
    tree, extent = _block_tree(x, y, block, 0.0)
    m = min(k + 1, n)
    dist, idx = tree.query(tree.data, k=m)
    dist, idx = dist.reshape(n, m), idx.reshape(n, m)
    rows = np.broadcast_to(np.arange(n)[:, None], idx.shape)
    other = idx != rows
    # a unit sharing its location with others may not come first: drop the surplus
    rank = np.cumsum(other, axis=1) - 1
    ok = other & (rank < k) & np.isfinite(dist)
    i, j = rows[ok], idx[ok]
    same = block[i] == block[j]
    i, j, r = i[same], j[same], rank[ok][same]
    return i, j, np.hypot(x[i] - x[j], y[i] - y[j]), r


def _kernel_weights(d: np.ndarray, scale: _Scale) -> np.ndarray:
    """Kernel weights of the distances ``d`` (all below the scale's radius)."""
    if scale.kernel in ("knn", "boxcar"):
        return np.ones_like(d)
    z2 = (d / scale.bandwidth) ** 2
    if scale.kernel == "gaussian":
        return np.exp(-0.5 * z2)
    return (1.0 - z2) ** 2  # biweight


class _Neighbours:
    """Neighbour pairs of a set of units, queried once for several scales."""

    def __init__(self, x: np.ndarray, y: np.ndarray, block: np.ndarray,
                 scales: Sequence[_Scale]):
        self.n = x.size
        distance = [s for s in scales if s.kernel != "knn" and s.bandwidth > 0]
        knn = [s for s in scales if s.kernel == "knn" and s.bandwidth > 0]
        self._radius_pairs = (
            _pairs_within(x, y, block, max(s.radius for s in distance)) if distance else None
        )
        self._knn_pairs = (
            _pairs_knn(x, y, block, int(max(s.bandwidth for s in knn))) if knn else None
        )

    def pairs(self, scale: _Scale) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(i, j, w)``: the off-diagonal weights of ``scale`` (self-weights excluded)."""
        if scale.bandwidth <= 0:
            empty = np.empty(0, dtype=np.intp)
            return empty, empty, np.empty(0)
        if scale.kernel == "knn":
            i, j, d, rank = self._knn_pairs
            keep = rank < scale.bandwidth
        else:
            i, j, d = self._radius_pairs
            keep = d < scale.radius
        i, j, d = i[keep], j[keep], d[keep]
        return i, j, _kernel_weights(d, scale)


def _local_counts(neighbours: _Neighbours, scale: _Scale, rows: np.ndarray,
                  counts: np.ndarray) -> np.ndarray:
    """Local environments of the units ``rows``: ``W[rows] @ counts``, one sparse product.

    ``counts`` is ``(n, g)`` for all units of the neighbour set; the weight matrix has
    the self-weight 1 on its diagonal.
    """
    i, j, w = neighbours.pairs(scale)
    n = neighbours.n
    position = np.full(n, -1, dtype=np.intp)
    position[rows] = np.arange(rows.size)
    keep = position[i] >= 0
    r = np.concatenate([np.arange(rows.size), position[i[keep]]])
    c = np.concatenate([rows, j[keep]])
    v = np.concatenate([np.ones(rows.size), w[keep]])
    weights = sparse.csr_matrix((v, (r, c)), shape=(rows.size, n))
    return np.asarray(weights @ counts)


def spatial_weights(
    x: Any,
    y: Any,
    *,
    crs: Any,
    bandwidth: float | None = None,
    kernel: str | None = None,
    k: int | None = None,
    ids: Sequence[Any] | None = None,
    block: Sequence[Any] | None = None,
):
    """The local-environment weights as a :class:`libpysal.graph.Graph`.

    The same weights the spatial indices use: self-weight 1 on the diagonal plus the
    kernel (or k-nearest-neighbour) weights of the other units of the same block.

    Parameters
    ----------
    x, y : array_like
        Coordinates in ``crs`` (metres).
    crs : str or pyproj.CRS
        A projected CRS in metres; a geographic CRS is refused.
    bandwidth : float, optional
        Bandwidth in metres (exactly one of ``bandwidth`` and ``k``).
    kernel : {"gaussian", "biweight", "boxcar"}, optional
        Default ``"gaussian"``.
    k : int, optional
        Number of nearest neighbours (weight 1 each) instead of a kernel.
    ids : sequence, optional
        Unique unit ids (default 0..n-1).
    block : sequence, optional
        A label per unit; only units with the same label are neighbours (e.g. the
        area-year).

    Returns
    -------
    libpysal.graph.Graph
        Indexed by ``ids``.

    Examples
    --------
    >>> g = spatial_weights([0, 100, 1000], [0, 0, 0], crs="EPSG:28992",
    ...                     bandwidth=150, kernel="boxcar", ids=["a", "b", "c"])
    >>> g.sparse.toarray().tolist()
    [[1.0, 1.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    """
    from libpysal.graph import Graph

    _require_projected(crs)
    if bandwidth is None and k is None:
        raise ValueError("give bandwidth (metres) or k (nearest neighbours)")
    (scale,) = _resolve_scales(bandwidth, kernel, k)
    xs, ys = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if xs.shape != ys.shape or xs.ndim != 1:
        raise ValueError(f"x and y must be 1-d of the same length, got {xs.shape} and "
                         f"{ys.shape}")
    if not (np.isfinite(xs).all() and np.isfinite(ys).all()):
        raise ValueError("x and y must be finite coordinates")
    n = xs.size
    labels = (np.zeros(n, dtype=np.intp) if block is None
              else pd.factorize(np.asarray(block))[0])
    nb = _Neighbours(xs, ys, labels, [scale])
    i, j, w = nb.pairs(scale)
    matrix = sparse.csr_matrix(
        (np.concatenate([np.ones(n), w]),
         (np.concatenate([np.arange(n), i]), np.concatenate([np.arange(n), j]))),
        shape=(n, n),
    )
    return Graph.from_sparse(matrix, ids=None if ids is None else np.asarray(ids))


# --------------------------------------------------------------------------- kernels


def _spatial_kernels(c: GroupedCounts, local: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Spatial D and H for every group from the units' local environments."""
    a_loc, b_loc = local[:, 0], local[:, 1]
    t_loc = a_loc + b_loc
    P = c.P[c.group]
    with np.errstate(divide="ignore", invalid="ignore"):
        p_loc = np.where(t_loc > 0, a_loc / np.where(t_loc > 0, t_loc, 1.0), P)
        d = c.sum(c.t * np.abs(p_loc - P)) / (2.0 * c.T * c.P * (1.0 - c.P))
        e_area = _binary_entropy(c.P)
        h = 1.0 - c.sum(c.t * _binary_entropy(p_loc)) / (c.T * e_area)
    return d, h
