"""Checkerboard diagnostics: Moran's I of the units' shares and Morrill's adjusted D.

Moran's I streams its permutations in blocks (memory O(units x block)); the weight
blocks are those of the local environments (:mod:`segspatial.spatial.environments`),
without the self-weights. Morrill's D uses frame-free contiguity: Delaunay neighbours
whose Voronoi cells share an edge of positive length.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import sparse

from segspatial._kernels import GroupedCounts, _unit_share_a
from segspatial.spatial import environments
from segspatial.spatial._args import _Scale
from segspatial.spatial.environments import _Pool, _Reusable, _smooth
from segspatial.spatial.formulas import _group_sum

#: Most permutations drawn at once (fewer for many units: at most ``_BLOCK`` draws).
_PERMUTATION_BATCH = 128
#: Fewest units with a neighbour for Moran's I: with 2 linked units I is -1 (or the
#: n / S0 factor pushes it outside [-1, 1]) whatever the shares, so it says nothing.
MORAN_MIN_LINKED = 3
#: Moran's I equal within this (absolute) tolerance counts as a tie: a permutation
#: that gives the observed I counts on both sides of the folded test.
_TIE = 1e-10


def _folded_p(ge: np.ndarray, le: np.ndarray, draws: int, *, exact: bool) -> np.ndarray:
    """The folded (two-sided in the observed direction) permutation p-value with ties
    counted on both sides: ``(min(ge, le) + 1) / (draws + 1)`` for random draws
    (Davison & Hinkley 1997, the observed value counted as one draw), ``min(ge, le) /
    draws`` for an exact enumeration (the observed order is one of the draws). When
    every draw ties, p is 1."""
    tail = np.minimum(ge, le)
    return tail / draws if exact else (tail + 1.0) / (draws + 1.0)


def _moran(c: GroupedCounts, share: np.ndarray, pool: _Pool, scales: list[_Scale],
           permutations: int, streams: list[np.random.Generator] | None = None,
           order: np.ndarray | None = None) -> list[tuple[np.ndarray, ...]]:
    """Moran's I of ``share`` per area-year with row-standardised weights, and p-values,
    for each scale.

    ``pool`` holds the units (sorted by area-year, one block per area-year). The
    permutations come from ``streams``, one generator per area-year keyed by its
    content (see :mod:`segspatial._streams`), in the units' canonical ``order`` (a
    permutation of the units keeping the area-year blocks, e.g. by unit id): an
    area-year gets the same permutations whatever other areas are in the call and
    however its rows were ordered. They are streamed in batches (at most ``_BLOCK``
    draws in memory; each area-year's stream continues from batch to batch, so the
    batch size does not change the draws), and every scale is evaluated on each batch
    before the next is drawn. A draw that ties with the observed I counts on both sides
    (:func:`_folded_p`): with all draws tied p is 1, never the smallest p possible. An
    area-year with at most ``n`` units where ``n! <= permutations`` gets its exact p
    from all ``n!`` orders instead (:func:`_exact_moran_p`). Returns, per scale, I, the
    p-value, and masks of groups without neighbours, without variation, and with
    fewer than :data:`MORAN_MIN_LINKED` units or units with a neighbour (I undefined).
    """
    n, g = c.a.size, c.group
    rows = np.arange(n)
    mean = c.sum(share) / c.n_units
    z = share - mean[g]
    den = c.sum(z * z)
    flat = den <= 1e-30 * np.maximum(c.sum(share * share), 1e-300)
    states = []
    for scale in scales:
        chunks = _Reusable(pool, rows, scale, drop_self=True)
        lag, row_sum = _smooth(pool, rows, z[:, None], scale, chunks=chunks)
        linked = row_sum > 0
        inverse = np.where(linked, 1.0 / np.where(linked, row_sum, 1.0), 0.0)
        s0 = c.sum(linked.astype(np.float64))
        with np.errstate(divide="ignore", invalid="ignore"):
            factor = c.n_units / s0 / den
            stat = factor * c.sum(z * lag[:, 0] * inverse)
        states.append((scale, chunks, inverse, factor, stat, s0 == 0))
    few = c.n_units < MORAN_MIN_LINKED
    larger = np.zeros((len(scales), c.n_groups))
    smaller = np.zeros((len(scales), c.n_groups))
    drawn = bool(permutations) and streams is not None
    if drawn:
        order = np.arange(n) if order is None else np.asarray(order)
        starts = np.concatenate([[0], np.cumsum(np.bincount(g, minlength=c.n_groups))])
        present = np.flatnonzero(np.diff(starts))
        z_canonical, group_canonical = z[order], g[order][None, :]
        step = int(np.clip(environments._BLOCK // max(n, 1), 1, _PERMUTATION_BATCH))
        keys = np.empty((step, n))
        for done in range(0, permutations, step):
            m = min(step, permutations - done)
            # each area-year's next m rows of U(0, 1) keys, in canonical unit order;
            # + group, so sorting shuffles each area-year's block in place
            for k in present:
                lo, hi = starts[k], starts[k + 1]
                keys[:m, lo:hi] = streams[k].random((m, hi - lo))
            block = keys[:m] + group_canonical
            zp = np.empty((n, m))
            zp[order] = z_canonical[np.argsort(block, axis=1)].T  # permuted within groups
            for k, (scale, chunks, inverse, factor, stat, _) in enumerate(states):
                lag_p, _ = _smooth(pool, rows, zp, scale, chunks=chunks)
                with np.errstate(invalid="ignore"):  # groups without neighbours: NaN
                    sims = factor[:, None] * _group_sum(zp * lag_p * inverse[:, None], g,
                                                        c.n_groups)
                larger[k] += (sims >= stat[:, None] - _TIE).sum(axis=1)
                smaller[k] += (sims <= stat[:, None] + _TIE).sum(axis=1)
    out = []
    for k, (scale, chunks, inverse, factor, stat, lonely) in enumerate(states):
        p_value = np.full(c.n_groups, np.nan)
        if drawn:
            p_value = _folded_p(larger[k], smaller[k], permutations, exact=False)
            _exact_moran_p(c, z, pool, rows, scale, chunks, inverse, factor, stat,
                           permutations, p_value)
        linked = c.sum((inverse > 0).astype(np.float64))
        out.append((stat, p_value, lonely, flat, few | (~lonely & (linked < MORAN_MIN_LINKED))))
    return out


def _exact_moran_p(c: GroupedCounts, z: np.ndarray, pool: _Pool, rows: np.ndarray,
                   scale: _Scale, chunks: Any, inverse: np.ndarray, factor: np.ndarray,
                   stat: np.ndarray, permutations: int, p_value: np.ndarray) -> None:
    """Exact folded p-values (in place) of the area-years whose ``n!`` orders are no
    more than ``permutations``: I of every order of the shares over the locations,
    vectorised per size ``n`` (at most 6 for 999 permutations, so at most 720 orders),
    instead of a sample of orders that repeats most of them."""
    from itertools import permutations as orders
    from math import factorial

    sizes = c.n_units.astype(np.intp)
    largest = 0
    while largest + 1 <= sizes.max(initial=0) and factorial(largest + 1) <= permutations:
        largest += 1
    small = np.flatnonzero((sizes >= MORAN_MIN_LINKED) & (sizes <= largest))
    if small.size == 0:
        return
    g = c.group
    # position of each unit in its area-year block; the weights W[i, j-th unit of i's
    # block] are the lags of the indicator columns of the block positions
    starts = np.concatenate([[0], np.cumsum(np.bincount(g, minlength=c.n_groups))])
    position = np.arange(g.size) - starts[g]
    keep = np.isin(g, small)
    indicator = np.zeros((g.size, largest))
    indicator[np.flatnonzero(keep), position[keep]] = 1.0
    weights, _ = _smooth(pool, rows, indicator, scale, chunks=chunks)
    for n in range(MORAN_MIN_LINKED, largest + 1):
        groups = small[sizes[small] == n]
        if groups.size == 0:
            continue
        members = starts[groups][:, None] + np.arange(n)  # (G, n) rows in block order
        w = weights[members][:, :, :n]  # (G, n, n)
        zg, inv = z[members], inverse[members]  # (G, n)
        table = np.array(list(orders(range(n))))  # (n!, n)
        zp = zg[:, table]  # (G, n!, n)
        lag = np.einsum("gij,gpj->gpi", w, zp)
        with np.errstate(invalid="ignore"):
            sims = factor[groups][:, None] * (zp * lag * inv[:, None, :]).sum(axis=2)
        obs = stat[groups][:, None]
        ge = (sims >= obs - _TIE).sum(axis=1)
        le = (sims <= obs + _TIE).sum(axis=1)
        p_value[groups] = _folded_p(ge, le, table.shape[0], exact=True)


def _delaunay_edges(xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Edges (u < v) between distinct points whose unbounded Voronoi cells share an
    edge of positive length: the Delaunay edges, less those between co-circular
    points whose cells touch at a point only (the two triangles on either side have
    the same circumcentre). Collinear points link in order along their line."""
    from scipy.spatial import Delaunay, QhullError

    m = xy.shape[0]
    if m < 2:
        return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.intp)
    centred = xy - xy.mean(axis=0)
    scale = float(np.abs(centred).max())
    singular = np.linalg.svd(centred / scale, compute_uv=False)
    flat = m == 2 or singular[1] <= 1e-12 * singular[0]
    tri = None
    if not flat:
        try:
            tri = Delaunay(xy)
        except QhullError:  # pragma: no cover - qhull refuses a near-degenerate set
            flat = True
    if flat:  # on one line: each point's Voronoi cell borders the next one's
        _, _, axes = np.linalg.svd(centred, full_matrices=False)
        order = np.argsort(centred @ axes[0], kind="stable")
        u, v = order[:-1], order[1:]
        return np.minimum(u, v), np.maximum(u, v)
    simplices, neighbours = tri.simplices, tri.neighbors
    a, b, c = (xy[simplices[:, k]] for k in range(3))
    centre = _circumcentres(a, b, c)
    s, k = np.nonzero(np.ones_like(simplices, dtype=bool))  # each triangle side
    other = neighbours[s, k]
    u = simplices[s, (k + 1) % 3]
    v = simplices[s, (k + 2) % 3]
    touch = np.zeros(u.size, dtype=bool)
    inner = other >= 0
    gap = np.hypot(*(centre[s[inner]] - centre[other[inner]]).T)
    touch[inner] = gap <= 1e-9 * scale
    u, v = u[~touch], v[~touch]
    edges = np.unique(np.column_stack([np.minimum(u, v), np.maximum(u, v)]), axis=0)
    if len(tri.coplanar):  # points qhull left out (almost on another): link them to it
        p, nearest = tri.coplanar[:, 0], tri.coplanar[:, 2]
        extra = np.column_stack([np.minimum(p, nearest), np.maximum(p, nearest)])
        edges = np.unique(np.vstack([edges, extra]), axis=0)
    return edges[:, 0], edges[:, 1]


def _circumcentres(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Circumcentres of the triangles (a, b, c), relative to nothing: absolute."""
    ab, ac = b - a, c - a
    d = 2.0 * (ab[:, 0] * ac[:, 1] - ab[:, 1] * ac[:, 0])
    nb, nc = (ab * ab).sum(axis=1), (ac * ac).sum(axis=1)
    ux = (ac[:, 1] * nb - ab[:, 1] * nc) / d
    uy = (ab[:, 0] * nc - ac[:, 0] * nb) / d
    return a + np.column_stack([ux, uy])


def _contiguous_pairs(x: np.ndarray, y: np.ndarray, polygon: Any) -> tuple[np.ndarray,
                                                                            np.ndarray]:
    """Ordered pairs of contiguous units.

    Without ``polygon``: frame-free Voronoi contiguity (:func:`_delaunay_edges`). With
    one: Voronoi catchments clipped to ``polygon`` that share an edge. Units at the
    same location share one catchment and are contiguous with each other.
    """
    xy = np.column_stack([x, y])
    loc_xy, loc = np.unique(xy, axis=0, return_inverse=True)
    loc = loc.ravel()
    m = loc_xy.shape[0]
    adjacency = sparse.identity(m, format="csr")
    if m >= 2 and polygon is None:
        u, v = _delaunay_edges(loc_xy)
        adjacency = adjacency + sparse.csr_matrix(
            (np.ones(2 * u.size), (np.concatenate([u, v]), np.concatenate([v, u]))),
            shape=(m, m))
    elif m >= 2:
        import shapely

        points = shapely.multipoints(loc_xy)
        lo, hi = loc_xy.min(axis=0), loc_xy.max(axis=0)
        pad = float(max(hi - lo)) + 1.0
        # the frame covers the polygon, so clipping removes every trace of it
        frame = shapely.union(shapely.box(*(lo - pad), *(hi + pad)),
                              shapely.envelope(polygon))
        cells = np.asarray(shapely.get_parts(
            shapely.voronoi_polygons(points, extend_to=frame, ordered=True)))
        if cells.size != m:  # pragma: no cover - GEOS dropped a degenerate cell
            raise RuntimeError(f"Voronoi diagram returned {cells.size} cells for {m} points")
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
