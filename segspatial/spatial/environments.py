"""Local environments: kernel weights between units, in bounded memory, and the
environment operator K (the indices computed from them are in
:mod:`segspatial.spatial.formulas`).

Two definitions of a unit's local environment (see :func:`environment_operator`):

* **dispersal** (the default): the kernel weights are normalised per *source* unit,
  ``K_jk = w_jk / Σ_i w_ik``, so each unit's pupils are spread over the environments
  of the units around it (itself included) and every pupil counts once:
  ``ã = K a``, ``b̃ = K b``, ``Σ ã = A``, ``Σ b̃ = B``;
* **reardon_osullivan**: the unnormalised weights ``W`` (self-weight 1),
  ``ã = W a``; the local share ``p̃_j = ã_j / t̃_j`` is weighted by the unit's own
  pupils (Reardon & O'Sullivan 2004).

Why our own code (and not libpysal's graph builders): the spatial environments are
the core of segspatial, and they must run in bounded memory for hundreds of thousands
of units. Pairs are never all materialised: the units are bucketed into a grid of cells
at least one search radius wide, and the weights are computed as dense blocks (the
units of a cell against those of its 3 x 3 neighbouring cells, a few hundred thousand
pairs at a time), reduced at once (``ã``, ``b̃``, row sums) and dropped. Small areas
are batched into one block. Memory is O(units + block), time O(pairs).

The weights agree with :func:`spatial_weights`, a :class:`libpysal.graph.Graph` of
the same kernel (tested against ``Graph.build_kernel``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.spatial import cKDTree
from scipy.spatial.distance import cdist

from segspatial.spatial._args import (
    _check_definition,
    _require_projected,
    _resolve_scales,
    _Scale,
)
from segspatial.spatial.kernels import KERNELS

__all__ = ["environment_operator", "spatial_weights"]

#: Elements of one dense block of pair weights (float64: 4 MB per array).
_BLOCK = 1 << 19
#: Small area-years are batched into one block of up to this many elements (or four
#: times the pairs they hold on their own, if more).
_SMALL = 16384
#: Blocks kept in memory for reuse (Moran's permutations) up to this many elements.
_CACHE = 1 << 23


@contextmanager
def _one_blas_thread(n_units: int, wide: bool = False) -> Iterator[None]:
    """Run the block products on one BLAS thread (for ``n_units`` or more units, or
    ``wide`` products: many columns at once, as for permutations).

    The products are thin (a few columns) and many: threaded BLAS gains nothing on
    them and loses a lot when the cores are busy (measured 5-8x slower on a loaded
    2-core machine). The limit is lifted on exit (threadpoolctl). Below
    :data:`_ONE_THREAD_FROM` units the blocks are too small for BLAS to thread, and
    finding the BLAS libraries (tens of milliseconds) would cost more than it saves.
    """
    global _CONTROLLER
    if n_units < _ONE_THREAD_FROM and not wide:
        yield
        return
    if _CONTROLLER is None:  # looking up the loaded BLAS libraries once is enough
        from threadpoolctl import ThreadpoolController

        _CONTROLLER = ThreadpoolController()
    with _CONTROLLER.limit(limits=1, user_api="blas"):
        yield


_CONTROLLER: Any = None
#: Units from which the block products run on one BLAS thread.
_ONE_THREAD_FROM = 20_000


# --------------------------------------------------------------------------- the pool


class _Pool:
    """Units that can be neighbours: coordinates and a block label per unit.

    Only units of the same block (an area-year, or a year) are neighbours. Blocks are
    kept as index ranges of the units sorted by block.
    """

    def __init__(self, x: np.ndarray, y: np.ndarray, block: np.ndarray):
        self.x = np.ascontiguousarray(x, dtype=np.float64)
        self.y = np.ascontiguousarray(y, dtype=np.float64)
        self.block = np.asarray(block, dtype=np.intp)
        self.n = self.x.size
        self.order = np.argsort(self.block, kind="stable")
        n_blocks = int(self.block.max()) + 1 if self.n else 0
        self.bounds = np.searchsorted(self.block[self.order], np.arange(n_blocks + 1))
        self._grids: dict[tuple[int, float], _Grid] = {}
        self._by_x: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._tree: cKDTree | None = None

    def members(self, b: int) -> np.ndarray:
        return self.order[self.bounds[b]:self.bounds[b + 1]]

    def grid(self, b: int, radius: float) -> _Grid:
        key = (b, radius)
        if key not in self._grids:
            if len(self._grids) > 4:  # one block at a time is the usual pattern
                self._grids.clear()
            self._grids[key] = _Grid(self, self.members(b), radius)
        return self._grids[key]

    def near(self, b: int, rows: np.ndarray, radius: float) -> np.ndarray:
        """The units of block ``b`` within the bounding box of ``rows`` widened by
        ``radius`` (a superset of the rows' neighbours)."""
        if b not in self._by_x:
            if len(self._by_x) > 4:
                self._by_x.clear()
            members = self.members(b)
            order = np.argsort(self.x[members], kind="stable")
            self._by_x[b] = (members[order], self.x[members[order]])
        members, xs = self._by_x[b]
        x, y = self.x[rows], self.y[rows]
        lo = np.searchsorted(xs, x.min() - radius, side="left")
        hi = np.searchsorted(xs, x.max() + radius, side="right")
        near = members[lo:hi]
        ny = self.y[near]
        return near[(ny >= y.min() - radius) & (ny <= y.max() + radius)]

    def lifted_tree(self) -> cKDTree:
        """A KD-tree in which units of different blocks are further apart than any two
        units of one block: each block is lifted to its own height on a third axis."""
        if self._tree is None:
            x0, y0 = self.x - self.x.min(), self.y - self.y.min()
            sep = 4.0 * float(np.hypot(x0.max(), y0.max())) + 1.0
            self._tree = cKDTree(np.column_stack([x0, y0, self.block * sep]))
        return self._tree


class _Grid:
    """The units of one block bucketed into square cells at least ``radius`` wide, so
    that all neighbours of a unit lie in its own and the 8 surrounding cells."""

    def __init__(self, pool: _Pool, members: np.ndarray, radius: float):
        x, y = pool.x[members], pool.y[members]
        self.x0, self.y0 = float(x.min()), float(y.min())
        area = max(float(x.max() - self.x0) * float(y.max() - self.y0), 1.0)
        self.cell = max(radius, float(np.sqrt(area / members.size)))
        self.ny = int(np.floor((float(y.max()) - self.y0) / self.cell)) + 3
        key = self.cells(x, y)
        order = np.argsort(key, kind="stable")
        self.members = members[order]
        self.keys, self.starts = np.unique(key[order], return_index=True)
        self.ends = np.append(self.starts[1:], members.size)

    def cells(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        gx = np.floor((x - self.x0) / self.cell).astype(np.int64) + 1
        gy = np.floor((y - self.y0) / self.cell).astype(np.int64) + 1
        return gx * self.ny + gy

    def around(self, keys: np.ndarray) -> list[np.ndarray]:
        """The members in the 3 x 3 cells around each cell key (one array per key)."""
        offsets = np.array([dx * self.ny + dy for dx in (-1, 0, 1) for dy in (-1, 0, 1)])
        wanted = keys[:, None] + offsets[None, :]
        pos = np.minimum(np.searchsorted(self.keys, wanted), self.keys.size - 1)
        found = self.keys[pos] == wanted
        out = []
        for p, ok in zip(pos, found, strict=True):
            p = p[ok]
            out.append(self.members[_ranges(self.starts[p], self.ends[p])])
        return out


def _ranges(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """``concatenate([arange(s, e) for s, e in zip(starts, ends)])``, vectorised."""
    lengths = ends - starts
    shift = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
    return shift + np.arange(int(lengths.sum()))


# --------------------------------------------------------------------------- blocks


@dataclass
class _Chunk:
    """Weights ``w[r, c] = W[rows[r], cols[c]]`` of some rows against all their columns.

    ``w`` is a dense array (distance kernels) or a CSR matrix (nearest neighbours,
    self-weights only). Every row asked for appears in exactly one chunk, with all its
    non-zero weights; ``cols`` are unique within a chunk.
    """

    rows: np.ndarray
    cols: np.ndarray
    w: Any
    label: int = -1

    def row_sums(self) -> np.ndarray:
        return np.asarray(self.w.sum(axis=1)).ravel()

    def dot(self, values: np.ndarray) -> np.ndarray:
        """``w @ values`` (values: one row per column of the chunk)."""
        return np.asarray(self.w @ values)

    def tdot(self, values: np.ndarray) -> np.ndarray:
        """``w.T @ values`` (values: one row per row of the chunk)."""
        return np.asarray(self.w.T @ values)

    @property
    def size(self) -> int:
        return int(self.w.size if isinstance(self.w, np.ndarray) else self.w.nnz)


@dataclass
class _BlockChunk(_Chunk):
    """Small area-years batched into one chunk: ``w`` is block-diagonal, one dense block
    (``spans``: row and column ranges) per area-year.

    Sums and products run block by block, each on its block alone, exactly as for the
    area-year in a chunk of its own: an area's values are bit-identical computed alone,
    in batches of areas or with the whole country (one product over the whole batch
    associates each row's terms with the other areas' zeros differently: 1-ulp
    differences). A ``w`` made sparse (:class:`_Reusable`) sums its nonzeros in order,
    which is as invariant.
    """

    spans: tuple[tuple[int, int, int, int], ...] = ()

    def _blocks(self) -> Iterator[tuple[int, int, int, int, np.ndarray]]:
        for r0, r1, c0, c1 in self.spans:
            yield r0, r1, c0, c1, np.ascontiguousarray(self.w[r0:r1, c0:c1])

    def row_sums(self) -> np.ndarray:
        if not isinstance(self.w, np.ndarray):
            return super().row_sums()
        out = np.zeros(self.rows.size)
        for r0, r1, _, _, block in self._blocks():
            out[r0:r1] = block.sum(axis=1)
        return out

    def dot(self, values: np.ndarray) -> np.ndarray:
        if not isinstance(self.w, np.ndarray):
            return super().dot(values)
        out = np.zeros((self.rows.size, *values.shape[1:]))
        for r0, r1, c0, c1, block in self._blocks():
            out[r0:r1] = block @ values[c0:c1]
        return out

    def tdot(self, values: np.ndarray) -> np.ndarray:
        if not isinstance(self.w, np.ndarray):
            return super().tdot(values)
        out = np.zeros((self.cols.size, *values.shape[1:]))
        for r0, r1, c0, c1, block in self._blocks():
            out[c0:c1] = block.T @ values[r0:r1]
        return out


def _dense(pool: _Pool, rows: np.ndarray, cols: np.ndarray, scale: _Scale,
           mixed: bool) -> np.ndarray:
    """Dense kernel weights of ``rows`` against ``cols`` (zero from the radius on and,
    when ``mixed``, between different blocks)."""
    d2 = cdist(np.column_stack([pool.x[rows], pool.y[rows]]),
               np.column_stack([pool.x[cols], pool.y[cols]]), "sqeuclidean")
    kernel = KERNELS[scale.kernel]
    # below 1e-150 m a bandwidth only pools units at one location: keep h² normal
    h = max(scale.bandwidth, 1e-150)
    near = d2 < (kernel.support * h) ** 2
    if mixed:
        near &= pool.block[rows][:, None] == pool.block[cols][None, :]
    d2 *= 1.0 / (h * h)
    np.minimum(d2, kernel.support ** 2, out=d2)  # the kernel sees only its support
    w = kernel.function(d2)  # may work in place
    np.multiply(w, near, out=w)
    return w


def _segments(pool: _Pool, rows: np.ndarray,
              split: np.ndarray | None) -> Iterator[tuple[np.ndarray, int, int]]:
    """The rows in runs of one label (``split``, or their block), with the block."""
    label = pool.block[rows] if split is None else np.asarray(split, dtype=np.intp)
    order = np.lexsort((pool.block[rows], label))
    rows, label = rows[order], label[order]
    cuts = np.flatnonzero(np.diff(label)) + 1
    for lo, hi in zip(np.r_[0, cuts], np.r_[cuts, rows.size], strict=True):
        yield rows[lo:hi], int(label[lo]), int(pool.block[rows[lo]])


def _distance_chunks(pool: _Pool, rows: np.ndarray, scale: _Scale,
                     split: np.ndarray | None, budget: int) -> Iterator[_Chunk]:
    """Dense kernel blocks. A segment (the rows of one area-year, or of one label)
    whose block is small is done at once, and small segments are batched (as long as
    the batch wastes at most a few times the pairs it holds); larger ones go through
    the block's grid, cells of rows against the union of their 3 x 3 neighbourhoods."""
    batch_rows: list[np.ndarray] = []
    batch_cols: list[np.ndarray] = []
    held = 0  # elements of the batched segments on their own

    def flush() -> Iterator[_Chunk]:
        nonlocal held
        if batch_rows:
            r, c = np.concatenate(batch_rows), np.concatenate(batch_cols)
            r_end = np.cumsum([x.size for x in batch_rows])
            c_end = np.cumsum([x.size for x in batch_cols])
            spans = tuple(zip((r_end - [x.size for x in batch_rows]).tolist(),
                              r_end.tolist(),
                              (c_end - [x.size for x in batch_cols]).tolist(),
                              c_end.tolist(), strict=True))
            yield _BlockChunk(r, c, _dense(pool, r, c, scale, mixed=len(batch_rows) > 1),
                              spans=spans)
        batch_rows.clear()
        batch_cols.clear()
        held = 0

    for seg_rows, label, b in _segments(pool, rows, split):
        cols = pool.members(b)
        own = seg_rows.size * cols.size
        if split is not None or own > budget or cols.size > 4 * seg_rows.size + 256:
            # a large block: the units near the segment's rows, if they are few
            near = pool.near(b, seg_rows, scale.radius)
            if seg_rows.size * near.size <= budget:
                yield from flush()
                yield _Chunk(seg_rows, near, _dense(pool, seg_rows, near, scale, False),
                             label)
                continue
        else:  # the block at once, small blocks batched
            n_r = sum(r.size for r in batch_rows) + seg_rows.size
            n_c = sum(c.size for c in batch_cols) + cols.size
            if n_r * n_c > min(budget, max(2 * (held + own), _SMALL)):
                yield from flush()
            batch_rows.append(seg_rows)
            batch_cols.append(cols)
            held += own
            continue
        yield from flush()
        yield from _grid_chunks(pool, seg_rows, b, label, scale, budget)
    yield from flush()


def _grid_chunks(pool: _Pool, rows: np.ndarray, b: int, label: int, scale: _Scale,
                 budget: int) -> Iterator[_Chunk]:
    """The rows of block ``b`` by grid cell against their 3 x 3 neighbourhood; sparse
    consecutive cells together while the block stays small (:data:`_SMALL`: merging
    cells compares each row with the union of their neighbourhoods, so it only pays
    where the per-block overhead dominates), dense cells in slices of ``budget``."""
    grid = pool.grid(b, scale.radius)
    keys = grid.cells(pool.x[rows], pool.y[rows])
    order = np.argsort(keys, kind="stable")
    rows, keys = rows[order], keys[order]
    ukeys, starts = np.unique(keys, return_index=True)
    ends = np.append(starts[1:], keys.size)
    part_rows: list[np.ndarray] = []
    part_cols: list[np.ndarray] = []
    n_r = n_c = 0
    for cols, s, e in zip(grid.around(ukeys), starts, ends, strict=True):
        r = rows[s:e]
        if part_rows and (n_r + r.size) * (n_c + cols.size) > min(budget, _SMALL):
            yield _merged(pool, part_rows, part_cols, scale, label)
            part_rows, part_cols, n_r, n_c = [], [], 0, 0
        if r.size * cols.size > budget:  # a dense cell: its rows in slices
            step = max(1, budget // cols.size)
            for lo in range(0, r.size, step):
                piece = r[lo:lo + step]
                yield _Chunk(piece, cols, _dense(pool, piece, cols, scale, False), label)
            continue
        part_rows.append(r)
        part_cols.append(cols)
        n_r += r.size
        n_c += cols.size
    if part_rows:
        yield _merged(pool, part_rows, part_cols, scale, label)


def _merged(pool: _Pool, rows: list[np.ndarray], cols: list[np.ndarray], scale: _Scale,
            label: int) -> _Chunk:
    r = np.concatenate(rows)
    c = cols[0] if len(cols) == 1 else np.unique(np.concatenate(cols))
    return _Chunk(r, c, _dense(pool, r, c, scale, False), label)


def _knn_chunks(pool: _Pool, rows: np.ndarray, scale: _Scale,
                split: np.ndarray | None, budget: int) -> Iterator[_Chunk]:
    """Each row's ``k`` nearest other units of its block (weight 1), and itself.

    Ties at equal distance are broken by the KD-tree's order; a unit sharing its
    location with others may not come first, so the surplus is dropped by rank.
    """
    k = int(scale.bandwidth)
    tree = pool.lifted_tree()
    m = min(k + 1, pool.n)
    step = max(1, budget // m)
    for seg_rows, label, _ in _segments(pool, rows, split):
        for lo in range(0, seg_rows.size, step):
            r = seg_rows[lo:lo + step]
            dist, idx = tree.query(tree.data[r], k=m)
            dist, idx = dist.reshape(r.size, m), idx.reshape(r.size, m)
            local = np.broadcast_to(np.arange(r.size)[:, None], idx.shape)
            other = idx != r[:, None]
            rank = np.cumsum(other, axis=1) - 1
            ok = other & (rank < k) & np.isfinite(dist)
            i, j = local[ok], idx[ok]
            same = pool.block[r[i]] == pool.block[j]
            i = np.concatenate([np.arange(r.size), i[same]])
            j = np.concatenate([r, j[same]])
            cols, jj = np.unique(j, return_inverse=True)
            w = sparse.csr_array((np.ones(i.size), (i, jj.ravel())), shape=(r.size, cols.size))
            yield _Chunk(r, cols, w, label)


def _self_chunks(pool: _Pool, rows: np.ndarray,
                 split: np.ndarray | None) -> Iterator[_Chunk]:
    for seg_rows, label, _ in _segments(pool, rows, split):
        yield _Chunk(seg_rows, seg_rows, sparse.identity(seg_rows.size, format="csr"), label)


def _without_self(chunk: _Chunk) -> _Chunk:
    """The chunk with each row's own weight removed (weights to *other* units only)."""
    order = np.argsort(chunk.cols, kind="stable")
    at = np.minimum(np.searchsorted(chunk.cols, chunk.rows, sorter=order),
                    chunk.cols.size - 1)
    col = order[at]
    has = chunk.cols[col] == chunk.rows
    if isinstance(chunk.w, np.ndarray):
        chunk.w[np.flatnonzero(has), col[has]] = 0.0
    else:
        w = chunk.w.tocoo()
        keep = chunk.cols[w.col] != chunk.rows[w.row]
        chunk.w = sparse.csr_array((w.data[keep], (w.row[keep], w.col[keep])),
                                   shape=w.shape)
    return chunk


def _chunks(pool: _Pool, rows: np.ndarray, scale: _Scale, *, split: np.ndarray | None = None,
            budget: int | None = None, drop_self: bool = False) -> Iterator[_Chunk]:
    """The weights of ``rows`` (pool indices) against the pool, in bounded blocks.

    With ``split`` (a label per row), a chunk holds rows of one label only and all
    rows of a label come in consecutive chunks (each label's rows must lie in one
    block). Otherwise small blocks are batched into one chunk. ``drop_self`` removes
    each row's own weight.
    """
    rows = np.asarray(rows, dtype=np.intp)
    budget = _BLOCK if budget is None else budget
    if rows.size == 0:
        return
    if scale.bandwidth <= 0:
        chunks = _self_chunks(pool, rows, split)
    elif scale.kernel == "knn":
        chunks = _knn_chunks(pool, rows, scale, split, budget)
    else:
        chunks = _distance_chunks(pool, rows, scale, split, budget)
    for chunk in chunks:
        yield _without_self(chunk) if drop_self else chunk


class _Reusable:
    """The chunks of one neighbourhood, kept in memory while they are small (up to
    :data:`_CACHE` elements), else recomputed on every pass."""

    def __init__(self, pool: _Pool, rows: np.ndarray, scale: _Scale, *,
                 drop_self: bool = False):
        self._args = (pool, rows, scale)
        self._drop_self = drop_self
        kept: list[_Chunk] | None = []
        size = 0
        for chunk in _chunks(pool, rows, scale, drop_self=drop_self):
            if isinstance(chunk.w, np.ndarray) and not isinstance(chunk, _BlockChunk) and (
                    np.count_nonzero(chunk.w) < 0.5 * chunk.w.size):
                chunk.w = sparse.csr_array(chunk.w)  # reused many times: nonzeros only
            size += chunk.size
            if size > _CACHE:
                kept = None
                break
            kept.append(chunk)
        self._kept = kept

    def __iter__(self) -> Iterator[_Chunk]:
        if self._kept is not None:
            return iter(self._kept)
        return _chunks(*self._args, drop_self=self._drop_self)


# --------------------------------------------------------------------------- smoothing


def _disperse(pool: _Pool, rows: np.ndarray, values: np.ndarray, scale: _Scale
              ) -> np.ndarray:
    """``K @ values``: the pupils of the source units ``rows`` spread over the pool.

    ``values`` has one row per pool unit (only the sources' rows are used); returns
    one row per pool unit.
    """
    out = np.zeros((pool.n, values.shape[1]))
    for chunk in _chunks(pool, rows, scale):
        spread = values[chunk.rows] / chunk.row_sums()[:, None]
        out[chunk.cols] += chunk.tdot(spread)
    return out


def _disperse_by_label(pool: _Pool, rows: np.ndarray, label: np.ndarray,
                       values: np.ndarray, scale: _Scale
                       ) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
    """Per label (area-year) of the sources, ``K[:, sources of the label] @ values``.

    Yields the label, the pool units reached (sorted) and their environment counts;
    memory O(pool + block).
    """
    acc = np.zeros((pool.n, values.shape[1]))
    seen = np.zeros(pool.n, dtype=bool)
    reached: list[np.ndarray] = []
    current = None

    def take() -> tuple[int, np.ndarray, np.ndarray]:
        where = np.sort(np.concatenate(reached))
        counts = acc[where].copy()
        acc[where] = 0.0
        seen[where] = False
        reached.clear()
        return current, where, counts

    for chunk in _chunks(pool, rows, scale, split=label):
        if chunk.label != current and reached:
            yield take()
        current = chunk.label
        spread = values[chunk.rows] / chunk.row_sums()[:, None]
        acc[chunk.cols] += chunk.tdot(spread)
        new = chunk.cols[~seen[chunk.cols]]
        seen[new] = True
        reached.append(new)
    if reached:
        yield take()


def _smooth(pool: _Pool, rows: np.ndarray, values: np.ndarray, scale: _Scale, *,
            chunks: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """``W[rows] @ values`` and the row sums of ``W[rows]`` (self-weights included):
    the Reardon & O'Sullivan environments. One row per entry of ``rows``."""
    position = np.full(pool.n, -1, dtype=np.intp)
    position[rows] = np.arange(rows.size)
    out = np.zeros((rows.size, values.shape[1]))
    sums = np.zeros(rows.size)
    for chunk in (chunks if chunks is not None else _chunks(pool, rows, scale)):
        at = position[chunk.rows]
        out[at] = chunk.dot(values[chunk.cols])
        sums[at] = chunk.row_sums()
    return out, sums


# --------------------------------------------------------------------------- public


def _points(x: Any, y: Any, block: Any, crs: Any) -> _Pool:
    from segspatial.geo import check_area_of_use

    _require_projected(crs)
    xs, ys = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if xs.shape != ys.shape or xs.ndim != 1:
        raise ValueError(f"x and y must be 1-d of the same length, got {xs.shape} and "
                         f"{ys.shape}")
    if not (np.isfinite(xs).all() and np.isfinite(ys).all()):
        raise ValueError("x and y must be finite coordinates")
    check_area_of_use(xs, ys, crs, what="x, y", option="crs=")
    if block is None:
        return _Pool(xs, ys, np.zeros(xs.size, dtype=np.intp))
    labels = pd.factorize(np.asarray(block), sort=True)[0]
    if labels.shape != xs.shape:
        raise ValueError(f"block must have one label per unit ({xs.size}), got "
                         f"{labels.size}")
    if (labels < 0).any():
        raise ValueError("block must not contain missing labels")
    return _Pool(xs, ys, labels)


def _one_scale(bandwidth: Any, kernel: Any, k: Any) -> _Scale:
    if bandwidth is None and k is None:
        raise ValueError("give bandwidth (metres) or k (nearest neighbours)")
    scales = _resolve_scales(bandwidth, kernel, k)
    if len(scales) != 1:
        raise ValueError(f"give one bandwidth (or one k), got "
                         f"{[s.bandwidth for s in scales]}")
    return scales[0]


def _matrix(pool: _Pool, scale: _Scale, definition: str) -> sparse.csr_array:
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for chunk in _chunks(pool, np.arange(pool.n), scale):
        w = chunk.w if isinstance(chunk.w, np.ndarray) else chunk.w.toarray()
        i, j = np.nonzero(w)
        if definition == "dispersal":
            parts.append((chunk.cols[j], chunk.rows[i], w[i, j] / chunk.row_sums()[i]))
        else:
            parts.append((chunk.rows[i], chunk.cols[j], w[i, j]))
    r, c, v = (np.concatenate(p) for p in zip(*parts, strict=True)) if parts else (
        np.empty(0, dtype=np.intp), np.empty(0, dtype=np.intp), np.empty(0))
    return sparse.csr_array((v, (r, c)), shape=(pool.n, pool.n))


def environment_operator(
    x: Any,
    y: Any,
    *,
    crs: Any,
    bandwidth: float | None = None,
    kernel: str | None = None,
    k: int | None = None,
    block: Sequence[Any] | None = None,
    definition: str = "dispersal",
) -> sparse.csr_array:
    """The local-environment operator as a sparse matrix, built once.

    With ``definition="dispersal"`` (the default of the spatial indices) this is the
    Markov kernel ``K`` (column-stochastic: every column sums to 1),
    ``K_jk = w_jk / Σ_i w_ik``: column k spreads unit k's pupils over the environments
    of the units around it. With ``"reardon_osullivan"`` it is the weight matrix ``W``
    (self-weight 1 on the diagonal), whose row j gives unit j's environment.

    Apply it to many count vectors at once (e.g. ``(n, R)`` bootstrap replicates)
    with :func:`segspatial.spatial.spatial_dissimilarity_theil`. Build it on the units
    the spatial statistics use: those with pupils in group A or B (as
    :func:`spatial_segregation` does; a unit without either is no destination
    either). Building it materialises the pairs (about 16 bytes each), which is small
    for one area-year; the table functions
    (:func:`segspatial.spatial.spatial_segregation`) never build it: they stream
    bounded blocks.

    Parameters
    ----------
    x, y : array_like, shape (n,)
        Coordinates in ``crs`` (metres).
    crs : str or pyproj.CRS
        A projected CRS in metres.
    bandwidth : float, optional
        Bandwidth in metres (one of ``bandwidth`` and ``k``); 0 gives the identity.
    kernel : str, optional
        A name in :data:`segspatial.spatial.KERNELS` (default ``"gaussian"``).
    k : int, optional
        The ``k`` nearest units of the same block (weight 1 each) instead of a kernel.
    block : sequence, optional, shape (n,)
        A label per unit (e.g. the area-year); only units with the same label are
        neighbours, so the operator is block-diagonal.
    definition : {"dispersal", "reardon_osullivan"}

    Returns
    -------
    scipy.sparse.csr_array, shape (n, n)

    Raises
    ------
    ValueError
        For a geographic CRS, coordinates outside its area of use, a bad bandwidth or
        definition.

    Examples
    --------
    >>> K = environment_operator([120_000, 120_100, 121_000], [480_000] * 3,
    ...                          crs="EPSG:28992", bandwidth=150, kernel="boxcar")
    >>> K.toarray().tolist()
    [[0.5, 0.5, 0.0], [0.5, 0.5, 0.0], [0.0, 0.0, 1.0]]
    """
    definition = _check_definition(definition)
    scale = _one_scale(bandwidth, kernel, k)
    return _matrix(_points(x, y, block, crs), scale, definition)


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
    """The kernel weights of the local environments as a :class:`libpysal.graph.Graph`.

    Self-weight 1 on the diagonal plus the kernel (or k-nearest-neighbour) weights of
    the other units of the same block: the matrix ``W`` of the Reardon & O'Sullivan
    environments; normalised per column it is the dispersal operator ``K`` (see
    :func:`environment_operator`).

    Parameters
    ----------
    x, y : array_like
        Coordinates in ``crs`` (metres).
    crs : str or pyproj.CRS
        A projected CRS in metres; a geographic CRS is refused.
    bandwidth : float, optional
        Bandwidth in metres (exactly one of ``bandwidth`` and ``k``).
    kernel : str, optional
        A name in :data:`segspatial.spatial.KERNELS`; default ``"gaussian"``.
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
    >>> g = spatial_weights([120_000, 120_100, 121_000], [480_000] * 3, crs="EPSG:28992",
    ...                     bandwidth=150, kernel="boxcar", ids=["a", "b", "c"])
    >>> g.sparse.toarray().tolist()
    [[1.0, 1.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    """
    from libpysal.graph import Graph

    scale = _one_scale(bandwidth, kernel, k)
    matrix = _matrix(_points(x, y, block, crs), scale, "reardon_osullivan")
    return Graph.from_sparse(matrix, ids=None if ids is None else np.asarray(ids))
