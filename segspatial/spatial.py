"""Spatial segregation indices: local environments, multi-scale profiles and the
checkerboard diagnostics.

The aspatial indices cannot tell a *checkerboard* (segregated schools side by side:
local sorting by school choice) from a city split into two *halves* (segregation that
follows where people live). This module measures where segregation happens:

* **Local environments** (Reardon & O'Sullivan 2004): each unit's local environment is
  the kernel-weighted sum of the counts of the units around it, itself included with
  weight 1: ``ã_j = Σ_k w_jk a_k``. All units of all area-years are smoothed with one
  sparse product ``W @ [a, b]``; nothing is rounded. Kernels (``z = d / h``, bandwidth
  ``h`` in metres): ``gaussian`` ``exp(-z²/2)`` (cut off at ``d >= 5h``, where the
  weight is below 4e-6), ``biweight`` ``(1 - z²)²`` for ``z < 1``, ``boxcar`` 1 for
  ``z < 1``; or the ``k`` nearest neighbours (weight 1 each). Bandwidth 0 (or k = 0)
  leaves only the self-weights: the aspatial index.
* **Spatial indices** (weights = each unit's own pupils ``t_j``, ``p̃_j = ã_j / t̃_j``,
  ``P`` and ``E(P)`` of the area): ``spatial_dissimilarity`` = Σ t_j |p̃_j − P| /
  (2 T P (1 − P)) and ``spatial_theil_h`` = 1 − Σ t_j E(p̃_j) / (T E(P)). With
  self-weights only they are the aspatial D and H. A checkerboard town's local
  environments are mixed, so its spatial indices fall quickly with the bandwidth;
  a two-halves town keeps them high.
* **Between / within districts** (Theil's H is exactly decomposable):
  H = ``theil_h_between`` + ``theil_h_within``.
* **Checkerboard diagnostics**: Moran's I of the units' shares of A (positive: like
  sits next to like; negative: a checkerboard), with a permutation p-value, and
  Morrill's adjusted D on the units' Voronoi catchments.
* **Local measures** per unit, for maps: p_j, p̃_j, the gap p_j − p̃_j (how unlike its
  surroundings a school is) and the unit's contribution to D.

Context: by default only units of the same area and year are neighbours
(``context="area"``); ``context="all"`` lets units of the same year across area borders
count (the indices are still reported per area).

References
----------
Reardon, S. F. & O'Sullivan, D. (2004). Measures of spatial segregation.
    *Sociological Methodology* 34, 121-162.
Reardon, S. F. & Firebaugh, G. (2002). Measures of multigroup segregation.
    *Sociological Methodology* 32, 33-67.
Morrill, R. L. (1991). On the measure of geographic segregation. *Geography Research
    Forum* 11, 25-36.
Moran, P. A. P. (1950). Notes on continuous stochastic phenomena. *Biometrika* 37,
    17-23.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from numbers import Integral, Real
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.spatial import cKDTree

from segspatial.compute import SegregationResult, compute_indices
from segspatial.counts import (
    _REASONS,
    apply_filters,
    count_once,
    empty_exclusions,
    prepare_counts,
)
from segspatial.indices import (
    GroupedCounts,
    _binary_entropy,
    _unit_share_a,
    resolve_indices,
    undefined_reasons,
)
from segspatial.schema import conform_results, empty_results

__all__ = [
    "DEFAULT_BANDWIDTHS",
    "GAUSSIAN_CUTOFF",
    "KERNELS",
    "PROFILE_BANDWIDTHS",
    "SPATIAL_INDICES",
    "local_measures",
    "multiscale_profile",
    "spatial_segregation",
    "spatial_weights",
]

#: Distance kernels for the local environments (``knn`` is chosen with ``k``).
KERNELS = ("gaussian", "biweight", "boxcar")
#: The gaussian kernel is cut off at this many bandwidths (weight exp(-12.5) < 4e-6).
GAUSSIAN_CUTOFF = 5.0
#: Bandwidths (metres) used when none are given.
DEFAULT_BANDWIDTHS = (500.0, 1000.0, 2000.0, 4000.0)
#: Bandwidths (metres) of :func:`multiscale_profile` when none are given (0 = aspatial).
PROFILE_BANDWIDTHS = (0.0, 250.0, 500.0, 1000.0, 2000.0, 4000.0, 8000.0, 16000.0)
#: Index names this module adds to results tables.
SPATIAL_INDICES = ("spatial_dissimilarity", "spatial_theil_h", "morans_i", "morans_i_p",
                   "morrill_d", "theil_h_between", "theil_h_within")
_CONTEXTS = ("area", "all")
_DEFAULT_SPATIAL = ("spatial_dissimilarity", "spatial_theil_h", "morans_i", "morans_i_p",
                    "morrill_d")
_PERMUTATION_BATCH = 128

_REASONS.setdefault(
    "outside_districts",
    "units farther than `snap` from every district: left out of the between/within "
    "decomposition of Theil's H",
)


# --------------------------------------------------------------------------- arguments


@dataclass(frozen=True)
class _Scale:
    """One neighbourhood definition: a kernel and its bandwidth (or k for knn)."""

    kernel: str
    bandwidth: float

    @property
    def radius(self) -> float:
        """The largest distance with a non-zero weight (exclusive)."""
        if self.kernel == "gaussian":
            return GAUSSIAN_CUTOFF * self.bandwidth
        return self.bandwidth


def _resolve_scales(bandwidth: Any, kernel: str | None, k: Any,
                    default: Sequence[float] = DEFAULT_BANDWIDTHS) -> list[_Scale]:
    """Validate ``bandwidth`` / ``kernel`` / ``k`` into a list of scales."""
    if kernel is not None and not isinstance(kernel, str):
        raise TypeError(f"kernel must be a string, got {kernel!r}")
    if k is not None:
        if bandwidth is not None:
            raise ValueError(
                f"give either bandwidth (metres) or k (nearest neighbours), not both; got "
                f"bandwidth={bandwidth!r} and k={k!r}"
            )
        if kernel not in (None, "knn"):
            raise ValueError(
                f"kernel={kernel!r} cannot be combined with k: the k nearest neighbours "
                "all weigh 1 (kernel 'knn'); leave kernel out"
            )
        values = [k] if isinstance(k, Integral | Real) else list(k)
        if not values:
            raise ValueError("k must name at least one number of neighbours, got []")
        for v in values:
            if isinstance(v, bool) or not isinstance(v, Integral) or v < 0:
                raise ValueError(f"k must hold whole numbers >= 0, got {v!r}")
        return [_Scale("knn", float(v)) for v in dict.fromkeys(int(v) for v in values)]
    if kernel == "knn":
        raise ValueError("kernel='knn' needs k, the number of nearest neighbours")
    kernel = "gaussian" if kernel is None else kernel
    if kernel not in KERNELS:
        raise ValueError(
            f"kernel must be one of {', '.join(KERNELS)} (or give k for nearest "
            f"neighbours), got {kernel!r}"
        )
    if bandwidth is None:
        values = list(default)
    elif isinstance(bandwidth, Real) and not isinstance(bandwidth, bool):
        values = [bandwidth]
    elif isinstance(bandwidth, str | bytes) or not isinstance(bandwidth, Iterable):
        raise TypeError(f"bandwidth must be a number of metres or a list of them, got "
                        f"{bandwidth!r}")
    else:
        values = list(bandwidth)
    if not values:
        raise ValueError("bandwidth must hold at least one number of metres, got []")
    for v in values:
        if isinstance(v, bool) or not isinstance(v, Real) or not np.isfinite(v) or v < 0:
            raise ValueError(
                f"bandwidth must hold finite numbers of metres >= 0 (0 = the unit alone), "
                f"got {v!r}"
            )
    return [_Scale(kernel, float(v)) for v in dict.fromkeys(float(v) for v in values)]


def _check_context(context: Any) -> str:
    if context not in _CONTEXTS:
        raise ValueError(f"context must be 'area' (neighbours in the same area and year) or "
                         f"'all' (any unit of the same year), got {context!r}")
    return context


def _require_projected(crs: Any, argument: str = "crs") -> Any:
    """The CRS as a :class:`pyproj.CRS`, refusing geographic or non-metre ones."""
    from segspatial.geo import require_projected

    return require_projected(crs, argument)


def _check_coordinates(frame: pd.DataFrame, columns: dict[str, str]) -> tuple[np.ndarray,
                                                                               np.ndarray]:
    out = []
    for name, column in columns.items():
        s = pd.to_numeric(frame[name], errors="coerce")
        values = s.to_numpy(dtype=np.float64, na_value=np.nan)
        bad = ~np.isfinite(values)
        if bad.any():
            examples = frame.loc[bad, "unit"].astype(str).unique()[:5].tolist()
            raise ValueError(
                f"{name}: column {column!r} has {int(bad.sum())} missing or non-numeric "
                f"coordinates (units {examples!r}); every unit needs a location "
                "(geocode it, e.g. by postcode, or drop it)"
            )
        out.append(values)
    return out[0], out[1]


def _check_positive_int(value: Any, argument: str) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 0:
        raise ValueError(f"{argument} must be a whole number >= 0, got {value!r}")
    return int(value)


def _check_spatial_indices(names: Any, *, districts: bool) -> list[str]:
    if names is None:
        chosen = list(_DEFAULT_SPATIAL)
        if districts:
            chosen += ["theil_h_between", "theil_h_within"]
        return chosen
    names = [names] if isinstance(names, str) else list(names)
    bad = [n for n in names if n not in SPATIAL_INDICES]
    if bad:
        raise ValueError(f"spatial_indices: unknown {bad!r}; available: "
                         f"{', '.join(SPATIAL_INDICES)}")
    if not districts and {"theil_h_between", "theil_h_within"} & set(names):
        raise ValueError("spatial_indices: theil_h_between / theil_h_within need districts "
                         "(a GeoDataFrame or file of district polygons) and district_code")
    return list(dict.fromkeys(names))


# --------------------------------------------------------------------------- neighbours


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


def _moran(c: GroupedCounts, share: np.ndarray, i: np.ndarray, j: np.ndarray, w: np.ndarray,
           permutations: int, draws: list[np.ndarray]
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Moran's I of ``share`` per group with row-standardised weights, and p-values.

    ``draws`` are within-group permutations (arrays of shape (m, n)), shared between
    scales. Returns I, the pseudo p-value, and masks of groups without neighbours and
    without variation.
    """
    n, g = c.a.size, c.group
    row_sum = np.bincount(i, weights=w, minlength=n)
    w_rs = w / row_sum[i]
    s0 = c.sum((row_sum > 0).astype(np.float64))
    mean = c.sum(share) / c.n_units
    z = share - mean[g]
    den = c.sum(z * z)
    matrix = sparse.csr_matrix((w_rs, (i, j)), shape=(n, n))
    num = c.sum(z * (matrix @ z))
    no_neighbours = s0 == 0
    flat = den <= 1e-30 * np.maximum(c.sum(share * share), 1e-300)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = c.n_units / s0 / den
        stat = scale * num
    p_value = np.full(c.n_groups, np.nan)
    if permutations:
        indicator = sparse.csr_matrix((np.ones(n), (g, np.arange(n))), shape=(c.n_groups, n))
        larger = np.zeros(c.n_groups)
        for order in draws:
            zp = z[order].T  # (n, m): permuted within groups
            with np.errstate(invalid="ignore"):  # groups without neighbours: NaN
                sims = scale[:, None] * np.asarray(indicator @ (zp * (matrix @ zp)))
            larger += (sims >= stat[:, None]).sum(axis=1)
        larger = np.minimum(larger, permutations - larger)
        p_value = (larger + 1.0) / (permutations + 1.0)
    return stat, p_value, no_neighbours, flat


def _permutation_draws(c: GroupedCounts, permutations: int,
                       rng: np.random.Generator) -> list[np.ndarray]:
    """Random permutations of the units within each group, in batches.

    The units are sorted by group, so sorting ``group + U(0, 1)`` shuffles every group
    in place: one vectorised draw per batch.
    """
    draws = []
    done = 0
    while done < permutations:
        m = min(_PERMUTATION_BATCH, permutations - done)
        keys = c.group[None, :] + rng.random((m, c.a.size))
        draws.append(np.argsort(keys, axis=1, kind="stable"))
        done += m
    return draws


def _theil_decomposition(c: GroupedCounts, district: np.ndarray,
                         used: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Theil's H between and within districts, per group (units ``used`` only).

    With E the entropy of the area, E_d of district d and E_j of unit j,
    between = Σ_d T_d (E − E_d) / (T E), within = Σ_j t_j (E_{d(j)} − E_j) / (T E);
    their sum is H of the units used, exactly.
    """
    sub = GroupedCounts(a=c.a[used], b=c.b[used], group=c.group[used], n_groups=c.n_groups)
    key = pd.MultiIndex.from_arrays([sub.group, district[used]])
    d_label, d_keys = pd.factorize(key)
    n_d = len(d_keys)
    d_group = np.asarray(d_keys.get_level_values(0), dtype=np.intp)
    a_d = np.bincount(d_label, weights=sub.a, minlength=n_d)
    t_d = np.bincount(d_label, weights=sub.t, minlength=n_d)
    with np.errstate(divide="ignore", invalid="ignore"):
        e_d = _binary_entropy(np.where(t_d > 0, a_d / np.where(t_d > 0, t_d, 1.0), 0.0))
        e = _binary_entropy(sub.P)
        norm = sub.T * e
        between = np.bincount(d_group, weights=t_d * (e[d_group] - e_d),
                              minlength=c.n_groups) / norm
        within = sub.sum(sub.t * (e_d[d_label] - _binary_entropy(_unit_share_a(sub)))) / norm
    return between, within


def _contiguous_pairs(x: np.ndarray, y: np.ndarray, polygon: Any) -> tuple[np.ndarray,
                                                                            np.ndarray]:
    """Pairs of units whose Voronoi catchments share an edge (rook contiguity).

    Catchments are clipped to ``polygon`` when given. Units at the same location share
    one catchment and count as contiguous with each other.
    """
    import shapely

    xy = np.column_stack([x, y])
    loc_xy, loc = np.unique(xy, axis=0, return_inverse=True)
    loc = loc.ravel()
    m = loc_xy.shape[0]
    adjacency = sparse.identity(m, format="csr")
    if m >= 2:
        points = shapely.multipoints(loc_xy)
        lo, hi = loc_xy.min(axis=0), loc_xy.max(axis=0)
        pad = float(max(hi - lo)) + 1.0
        frame = shapely.box(*(lo - pad), *(hi + pad))
        if polygon is not None:
            frame = shapely.union(frame, shapely.envelope(polygon))
        cells = np.asarray(shapely.get_parts(
            shapely.voronoi_polygons(points, extend_to=frame, ordered=True)))
        if cells.size != m:  # pragma: no cover - GEOS dropped a degenerate cell
            raise RuntimeError(f"Voronoi diagram returned {cells.size} cells for {m} points")
        if polygon is not None:
            cells = shapely.intersection(cells, polygon)
        tree = shapely.STRtree(cells)
        u, v = tree.query(cells, predicate="intersects")
        keep = u < v
        u, v = u[keep], v[keep]
        shared = shapely.length(shapely.intersection(cells[u], cells[v]))
        edge = shared > 1e-6 * (pad + 1.0)
        u, v = u[edge], v[edge]
        adjacency = adjacency + sparse.csr_matrix(
            (np.ones(2 * u.size), (np.concatenate([u, v]), np.concatenate([v, u]))),
            shape=(m, m))
    member = sparse.csr_matrix((np.ones(loc.size), (np.arange(loc.size), loc)),
                               shape=(loc.size, m))
    contiguity = (member @ adjacency @ member.T).tocoo()
    off = contiguity.row != contiguity.col
    return contiguity.row[off], contiguity.col[off]


def _morrill(c: GroupedCounts, x: np.ndarray, y: np.ndarray, area: np.ndarray,
             polygons: dict[Any, Any] | None) -> tuple[np.ndarray, np.ndarray]:
    """Morrill's adjusted D per group; also the mask of groups without contiguity."""
    from segspatial.indices import _dissimilarity_kernel

    share = _unit_share_a(c)
    bounds = np.searchsorted(c.group, np.arange(c.n_groups + 1))
    pi, pj = [], []
    for gi in range(c.n_groups):  # geometry is per area-year; the sums below are not
        lo, hi = bounds[gi], bounds[gi + 1]
        if hi - lo < 2:
            continue
        polygon = None if polygons is None else polygons[area[lo]]
        i, j = _contiguous_pairs(x[lo:hi], y[lo:hi], polygon)
        pi.append(i + lo)
        pj.append(j + lo)
    i = np.concatenate(pi) if pi else np.empty(0, dtype=np.intp)
    j = np.concatenate(pj) if pj else np.empty(0, dtype=np.intp)
    gap = np.bincount(c.group[i], weights=np.abs(share[i] - share[j]), minlength=c.n_groups)
    links = np.bincount(c.group[i], minlength=c.n_groups).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = _dissimilarity_kernel(c) - gap / links
    return value, links == 0


# --------------------------------------------------------------------------- geometry


def _read_polygons(source: Any, argument: str, crs: Any):
    """A GeoDataFrame of polygons in ``crs`` from a GeoDataFrame or a file."""
    import geopandas as gpd

    from segspatial.geo import read_boundaries

    if isinstance(source, str | Path):
        frame = read_boundaries(source)
    elif isinstance(source, gpd.GeoDataFrame):
        frame = source
    else:
        raise TypeError(f"{argument} must be a GeoDataFrame or a file path, got "
                        f"{type(source).__name__}")
    if frame.crs is None:
        raise ValueError(f"{argument}: the polygons have no CRS; set one with set_crs()")
    return frame.to_crs(crs)


def _assign_districts(x: np.ndarray, y: np.ndarray, crs: Any, districts: Any,
                      district_code: str | None, snap: float) -> np.ndarray:
    """The district code of each point (None beyond ``snap`` metres of every district).

    A point in (or on the border of) a district gets its code, else the nearest
    district within ``snap`` metres (:func:`segspatial.geo.assign_areas`).
    """
    import geopandas as gpd

    from segspatial.geo import assign_areas

    if not isinstance(district_code, str):
        raise TypeError(f"district_code must be the column of district codes (str), got "
                        f"{district_code!r}")
    frame = _read_polygons(districts, "districts", crs)
    if district_code not in frame.columns or district_code == frame.geometry.name:
        raise ValueError(f"district_code: column {district_code!r} not in the districts; "
                         f"they have {[str(c) for c in frame.columns]!r}")
    points = gpd.GeoSeries.from_xy(x, y, crs=crs)
    codes, _ = assign_areas(points, frame, district_code, snap=snap, crs=crs)
    return codes.astype(object).where(codes.notna(), None).to_numpy(dtype=object)


def _area_polygons(boundaries: Any, area_code: str | None, crs: Any,
                   areas: np.ndarray) -> dict[Any, Any]:
    if not isinstance(area_code, str):
        raise TypeError(f"area_code must be the column of area codes in boundaries (str), "
                        f"got {area_code!r}")
    frame = _read_polygons(boundaries, "boundaries", crs)
    if area_code not in frame.columns:
        raise ValueError(f"area_code: column {area_code!r} not in the boundaries; they have "
                         f"{list(map(str, frame.columns))!r}")
    merged = frame.dissolve(by=area_code)
    polygons = dict(zip(merged.index, merged.geometry.to_numpy(), strict=True))
    wanted = pd.unique(areas)
    absent = [a for a in wanted if a not in polygons]
    if absent:
        raise ValueError(f"boundaries: no polygon for {len(absent)} areas, e.g. "
                         f"{absent[:5]!r} (column {area_code!r})")
    return polygons


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
    reason = undefined_reasons(c, group_a, group_b)  # the rule of the aspatial table
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
        exclusion_parts = [count_once(prep.excluded, undefined), undefined]
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


def multiscale_profile(
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
    bandwidth: Sequence[float] | None = None,
    kernel: str | None = None,
    k: Sequence[int] | None = None,
    context: str = "area",
    min_unit_size: float = 50,
    min_area_size: float = 10000,
) -> pd.DataFrame:
    """The spatial indices over a range of bandwidths, per area (and year).

    A segregation profile (Reardon et al. 2008): how D and H fall as the local
    environments widen. A two-halves town keeps its segregation up to the scale of
    its halves; a checkerboard town loses it within a few school spacings.

    Parameters
    ----------
    data, unit, group_a, group_b, x, y, crs, area, year, total, kernel, k, context
        As for :func:`spatial_segregation`.
    bandwidth : sequence of float, optional
        Bandwidths in metres (default :data:`PROFILE_BANDWIDTHS`; 0 = aspatial).
    min_unit_size, min_area_size : float
        The report's filters (0 disables).

    Returns
    -------
    pandas.DataFrame
        A results table (:data:`segspatial.schema.RESULT_COLUMNS`) with the rows of
        ``spatial_dissimilarity`` and ``spatial_theil_h``, sorted by area, year, index
        and bandwidth.

    References
    ----------
    Reardon, S. F., Matthews, S. A., O'Sullivan, D., Lee, B. A., Firebaugh, G.,
    Farrell, C. R. & Bischoff, K. (2008). The geographic scale of metropolitan racial
    segregation. *Demography* 45(3), 489-514.
    """
    if bandwidth is None and k is None:
        bandwidth = PROFILE_BANDWIDTHS
    result = spatial_segregation(
        data, unit, group_a, group_b, x=x, y=y, crs=crs, area=area, year=year,
        total=total, bandwidth=bandwidth, kernel=kernel, k=k, context=context,
        indices="dissimilarity",
        spatial_indices=["spatial_dissimilarity", "spatial_theil_h"], permutations=0,
        min_unit_size=min_unit_size, min_area_size=min_area_size,
    )
    table = result.table
    table = table.loc[table["index"] != "dissimilarity"]
    return table.sort_values(["area", "year", "index", "bandwidth"], kind="stable",
                             na_position="first").reset_index(drop=True)


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
