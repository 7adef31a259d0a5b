"""Checkerboard diagnostics: Moran's I of the units' shares and Morrill's adjusted D."""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import sparse

from segspatial.indices import GroupedCounts, _unit_share_a

_PERMUTATION_BATCH = 128


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
