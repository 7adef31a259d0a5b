"""The replicate engine: draws for every area-year, every index for every replicate at once.

Units of many area-years are held in a :class:`Design` (counts ``(n_units, K)`` sorted by
area-year). For a block of area-years and a chunk of ``R`` replicates the draws fill a
buffer of shape ``(K, R, S)`` (``S`` = units of the block), and the replicates are
*folded into the group axis* of :class:`segspatial.indices.GroupedCounts`: unit ``u`` of
area-year ``g`` in replicate ``r`` gets the group label ``r * G + g``. One call of each
index kernel then computes every index of every area-year of every replicate of the
chunk: no Python loop over replicates, areas or schools. Spatial indices plug in as
:class:`EnvironmentIndex` (a fixed sparse environment operator per design).

Draws (one generator per area-year, see :mod:`._streams`; the draw calls are the only
per-area-year Python calls, each vectorised over the area-year's cells and the chunk's
replicates):

* ``bootstrap`` (individual): the ``T`` pupils are resampled with replacement, i.e. the
  school x group cells are one multinomial draw ``Mult(T, n_jk / T)`` per replicate;
* ``cluster``: the schools are resampled with replacement (``Mult(n, 1/n)`` multiplicities;
  a school drawn twice appears as two units, so the exact E[D] treats them as two schools);
* ``null``: random allocation with school sizes and group totals fixed: group A's pupils
  are a multivariate hypergeometric draw over the schools (numpy's ``marginals`` method:
  sequential conditional hypergeometric draws over the schools, in C); with K > 2
  groups, group after group over the seats left, each by a binary tree of vectorised
  hypergeometric splits (:class:`_NullTree`).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from segspatial.indices import GroupedCounts, IndexSpec
from segspatial.inference._streams import stream
from segspatial.multigroup import MultiGroupedCounts

__all__ = ["Design", "EnvironmentIndex", "IndexEvaluator", "replicate", "replicate_store"]

#: Default bound on the units x replicates held at once (per thread).
DEFAULT_CHUNK_ROWS = 1 << 22
#: Units x replicates given to the index kernels at once (their temporaries stay in
#: the processor's cache; the draws are made in chunks of up to ``chunk_rows``).
EVAL_ROWS = 1 << 16


def _memory_limit() -> int | None:
    """Bytes of physical memory (None where the system does not say)."""
    try:
        return int(os.sysconf("SC_PHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, OSError, ValueError):  # pragma: no cover - e.g. Windows
        return None


def _bytes(n: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if n < 1024 or unit == "TB":
            return f"{n:,.0f} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1024
    return ""  # pragma: no cover


def replicate_store(n_groups: int, n_stats: int, n_rep: int, argument: str) -> np.ndarray:
    """The ``(n_groups, n_stats, n_rep)`` array of replicates, filled with NaN.

    Every replicate of every statistic of every area-year is kept (the intervals are
    their percentiles): 8 bytes each. A request beyond the machine's memory is a
    MemoryError naming ``argument`` and the memory it needs, before any work.
    """
    need = 8 * n_groups * n_stats * n_rep
    limit = _memory_limit()
    message = (f"{argument}={n_rep:,} needs {_bytes(need)} of memory for the replicates "
               f"({n_groups:,} area-years x {n_stats} indices x {n_rep:,} replicates x 8 "
               "bytes){}; use fewer replicates or compute fewer areas at a time")
    if limit is not None and need > limit:
        raise MemoryError(message.format(f", more than this machine has ({_bytes(limit)})"))
    try:
        return np.full((n_groups, n_stats, n_rep), np.nan)
    except MemoryError:
        raise MemoryError(message.format(", more than is free")) from None


@dataclass(eq=False)
class Design:
    """Units of many area-years (sorted by area-year) with one stream key per area-year.

    Attributes
    ----------
    counts : numpy.ndarray
        ``(n_units, K)`` float64 counts of the K groups per unit (K = 2: A and B).
    starts : numpy.ndarray
        ``(n_groups + 1,)`` offsets: the units of area-year ``g`` are
        ``starts[g]:starts[g + 1]``.
    keys : list of tuple of int
        The content hash of each area-year (see :func:`._streams.canonical_key`).
    """

    counts: np.ndarray
    starts: np.ndarray
    keys: list[tuple[int, ...]]
    _cache: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    @property
    def n_groups(self) -> int:
        return self.starts.size - 1

    @property
    def sizes(self) -> np.ndarray:
        """Units per area-year."""
        return np.diff(self.starts)

    @property
    def group(self) -> np.ndarray:
        """Area-year label of every unit."""
        if "group" not in self._cache:
            self._cache["group"] = np.repeat(np.arange(self.n_groups), self.sizes)
        return self._cache["group"]

    @property
    def whole(self) -> np.ndarray:
        """Per area-year: are all counts whole numbers (needed to resample pupils)?"""
        if "whole" not in self._cache:
            frac = np.any(self.counts != np.floor(self.counts), axis=1)
            self._cache["whole"] = np.bincount(self.group, weights=frac,
                                               minlength=self.n_groups) == 0
        return self._cache["whole"]

    def grouped(self) -> GroupedCounts:
        """The observed counts as :class:`GroupedCounts` (two groups)."""
        return GroupedCounts(a=self.counts[:, 0], b=self.counts[:, 1], group=self.group,
                             n_groups=self.n_groups)


class Evaluator(Protocol):
    """Computes statistics for a folded chunk of replicates."""

    names: list[str]
    uses_multiplicity: bool

    def __call__(self, counts: np.ndarray, local: np.ndarray, n_groups: int,
                 block: np.ndarray, fixed: dict[str, np.ndarray],
                 multiplicity: np.ndarray | None = None) -> np.ndarray:
        """``counts`` ``(K, R, S)``, ``local`` ``(S,)`` area-year within the block
        (``0..n_groups-1``), ``block`` the design's area-year ids of the block,
        ``multiplicity`` ``(R, S)`` how often each unit was drawn (school bootstrap,
        for evaluators with ``uses_multiplicity``); returns ``(len(names), R,
        n_groups)``."""


@dataclass(frozen=True)
class IndexEvaluator:
    """Registered indices through their :class:`IndexSpec` kernels.

    Two-group kernels get a :class:`GroupedCounts`, multigroup ones
    (``spec.multigroup``) a :class:`~segspatial.multigroup.MultiGroupedCounts`; with
    more than two groups only multigroup indices apply. ``scales`` multiply the values
    (1 / ln(base) for information indices computed in another logarithm base).
    """

    specs: Sequence[IndexSpec]
    scales: Sequence[float]
    k: int = 2

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.specs]

    uses_multiplicity = False

    def __call__(self, counts: np.ndarray, local: np.ndarray, n_groups: int,
                 block: np.ndarray, fixed: dict[str, np.ndarray],
                 multiplicity: np.ndarray | None = None) -> np.ndarray:
        reps = counts.shape[1]
        label = (np.arange(reps)[:, None] * n_groups + local[None, :]).ravel()
        if self.k == 2:
            c = GroupedCounts(a=counts[0].ravel(), b=counts[1].ravel(), group=label,
                              n_groups=reps * n_groups)
            for key, per_group in fixed.items():  # values the draws cannot change (E[D])
                c.memo(key, lambda v=per_group: np.tile(v[block], reps))
        else:
            c = MultiGroupedCounts(counts=counts.reshape(self.k, -1).T.copy(), group=label,
                                   n_groups=reps * n_groups)
        out = np.empty((len(self.specs), reps, n_groups))
        for i, (spec, scale) in enumerate(zip(self.specs, self.scales, strict=True)):
            arg = c.as_multigroup() if spec.multigroup and self.k == 2 else c
            values = np.asarray(spec.kernel(arg), dtype=np.float64) * scale
            out[i] = values.reshape(reps, n_groups)
        return out


@dataclass(frozen=True)
class EnvironmentIndex:
    """A spatial index that plugs into the bootstrap through its environment operator.

    The individual bootstrap and the randomisation test keep the units (and so their
    locations) fixed, so a spatial index is a fixed linear operator on the counts
    followed by a formula: ``ã = K a``, ``b̃ = K b``, index = ``statistic(...)``. The
    cluster bootstrap draws schools with replacement: a statistic that accepts
    ``multiplicity=`` (``multiplicity=True``) gets the original counts and how often
    each unit was drawn, and adjusts the operator itself (see
    :func:`segspatial.spatial.spatial_dissimilarity_theil`); others cannot be
    bootstrapped by schools.

    Parameters
    ----------
    name : str
        The ``index`` value of the rows it fills (e.g. ``"spatial_dissimilarity"``).
    bandwidth : float
        The ``bandwidth`` value of those rows.
    kernel : str
        The ``kernel`` value of those rows.
    operator : scipy.sparse matrix
        ``(n_units, n_units)``, block-diagonal by area-year, rows and columns in the
        order of ``result.counts`` (the units of the results' area-years).
    statistic : callable
        ``statistic(operator, a, b, group, n_groups) -> values``: the operator of a block
        of area-years (``(S, S)``, a diagonal block of ``operator``), the counts ``a``
        and ``b`` of its units for ``m`` count vectors (``(S, m)``: the replicates) and
        the area-year of each unit (``0..n_groups-1``, every label present); returns
        ``(n_groups, m)``. The signature of the spatial module's
        ``spatial_dissimilarity_theil(operator, a, b, group=...)`` (issue 13), e.g.
        ``lambda k, a, b, g, n: spatial_dissimilarity_theil(k, a, b, group=g)[0]``.
    comparison : str, optional
        Restrict to one comparison (default: every comparison of the result).
    multiplicity : bool, default False
        ``statistic`` also takes ``multiplicity=`` (``(S, m)``: how often each unit is
        in each replicate of a school bootstrap; ``a`` and ``b`` are then the observed
        counts, ``(S, 1)``).
    null : bool, default True
        Also evaluate it under random allocation (the randomisation test). False for
        statistics with a test of their own (Moran's I: its permutation p-value).
    multigroup : bool, default False
        ``statistic(operator, counts, group, n_groups)`` with ``counts`` ``(K, S, m)``
        (every group of a multigroup result) instead of ``a`` and ``b``.
    row_unit : numpy.ndarray, optional
        For an operator with other rows than units (``(n_env, n_units)``, e.g. the
        environments of ``context="all"``, which reach units of other areas): per row,
        the position in ``result.counts`` of a unit of the area-year whose pupils the
        row holds. The statistic then also gets ``environment_group=`` (the area-year
        of each row of its block, ``0..n_groups-1``). Such operators take no
        multiplicity.
    """

    name: str
    bandwidth: float
    kernel: str
    operator: Any
    statistic: Callable[..., np.ndarray]
    comparison: str | None = None
    multiplicity: bool = False
    null: bool = True
    multigroup: bool = False
    row_unit: np.ndarray | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class _EnvironmentEvaluator:
    """Adapter of :class:`EnvironmentIndex` to the folded engine.

    ``row_starts`` per operator: None for a square operator (rows are units), else the
    ``(n_groups + 1,)`` offsets of each area-year's rows (the operator's rows sorted by
    area-year, see :class:`EnvironmentIndex` ``row_unit``).
    """

    environments: Sequence[EnvironmentIndex]
    operators: Sequence[Any]  # in the design's unit order
    starts: np.ndarray
    cells: np.ndarray  # the design's observed counts (for the school bootstrap)
    row_starts: Sequence[np.ndarray | None] = ()
    uses_multiplicity: bool = True

    @property
    def names(self) -> list[str]:
        return [e.name for e in self.environments]

    @property
    def expansion(self) -> float:
        """Environment rows per unit (more than 1 for operators whose rows are the
        environments of ``context="all"``): the engine evaluates fewer replicates at
        once, so the environments of a sub-chunk stay cache-sized."""
        n_units = max(int(self.starts[-1]), 1)
        return max([1.0] + [float(rs[-1]) / n_units for rs in self.row_starts
                            if rs is not None])

    def __call__(self, counts: np.ndarray, local: np.ndarray, n_groups: int,
                 block: np.ndarray, fixed: dict[str, np.ndarray],
                 multiplicity: np.ndarray | None = None) -> np.ndarray:
        reps = counts.shape[1]
        lo, hi = self.starts[block[0]], self.starts[block[-1] + 1]
        extra: dict[str, np.ndarray] = {}
        if multiplicity is None:
            a = np.ascontiguousarray(counts[0].T)  # (S, R)
            b = np.ascontiguousarray(counts[1].T)
        else:  # school bootstrap: the observed units, drawn multiplicity times
            a, b = self.cells[lo:hi, 0:1], self.cells[lo:hi, 1:2]
            extra["multiplicity"] = np.ascontiguousarray(multiplicity.T)
        out = np.empty((len(self.environments), reps, n_groups))
        row_starts = list(self.row_starts) or [None] * len(self.operators)
        blocks: dict[int, Any] = {}  # one slice per operator (D and H share theirs)
        for i, (env, op, rs) in enumerate(zip(self.environments, self.operators, row_starts,
                                              strict=True)):
            own: dict[str, Any] = dict(extra)
            if rs is None:
                if id(op) not in blocks:
                    blocks[id(op)] = op[lo:hi][:, lo:hi]
            else:
                r0, r1 = rs[block[0]], rs[block[-1] + 1]
                if id(op) not in blocks:
                    blocks[id(op)] = op[r0:r1][:, lo:hi]
                own["environment_group"] = np.repeat(np.arange(n_groups),
                                                     np.diff(rs[block[0]:block[-1] + 2]))
            if env.multigroup:
                cells = (counts.transpose(0, 2, 1) if multiplicity is None
                         else self.cells[lo:hi].T[:, :, None])
                values = env.statistic(blocks[id(op)], cells, local, n_groups, **own)
            else:
                values = env.statistic(blocks[id(op)], a, b, local, n_groups, **own)
            out[i] = np.asarray(values, dtype=np.float64).reshape(n_groups, reps).T
        return out


# --------------------------------------------------------------------------- draws


class _Drawer:
    """The draws of one area-year: parameters prepared once, one call per chunk.

    Successive calls continue the area-year's stream, so the draws do not depend on how
    the replicates are chunked.
    """

    def __init__(self, task: str, root: np.random.SeedSequence, key: tuple[int, ...],
                 cells: np.ndarray):
        self.task = task
        self.gen = stream(root, task, key)
        self.n, self.k = cells.shape
        if task == "bootstrap":
            whole = np.rint(cells.T).astype(np.int64).ravel()  # group-major cells
            self.total = int(whole.sum())
            self.pvals = whole / self.total
        elif task == "cluster":
            self.cells = np.ascontiguousarray(cells.T)
            self.pvals = np.full(self.n, 1.0 / self.n)
        elif task == "null":
            whole = np.rint(cells).astype(np.int64)
            self.size = whole.sum(axis=1)
            self.group_totals = whole.sum(axis=0)
            if self.k > 2:
                self.tree = _NullTree(root, key, self.size, self.group_totals)
        else:  # pragma: no cover - internal
            raise ValueError(f"unknown task {task!r}")

    def __call__(self, out: np.ndarray, times_out: np.ndarray | None = None) -> None:
        """Fill ``out`` ``(K, reps, n)`` with the next ``reps`` draws (and, for the
        cluster bootstrap, ``times_out`` ``(reps, n)`` with how often each unit was
        drawn)."""
        reps = out.shape[1]
        if self.task == "bootstrap":
            x = self.gen.multinomial(self.total, self.pvals, size=reps)
            out[...] = x.reshape(reps, self.k, self.n).transpose(1, 0, 2)
        elif self.task == "cluster":
            times = self.gen.multinomial(self.n, self.pvals, size=reps)
            pick = np.repeat(np.tile(np.arange(self.n), reps), times.ravel())
            out[...] = self.cells[:, pick].reshape(self.k, reps, self.n)
            if times_out is not None:
                times_out[...] = times
        elif self.k == 2:
            a = self.gen.multivariate_hypergeometric(self.size, int(self.group_totals[0]),
                                                     size=reps, method="marginals")
            out[0] = a
            np.subtract(self.size, a, out=out[1])
        else:
            out[...] = self.tree.next(reps)


class _NullTree:
    """Random allocation of K > 2 groups: group after group, each dealt to the seats
    left by the groups before it with a binary tree of hypergeometric splits over the
    schools (``ceil(log2 n)`` vectorised draws per group, over replicates and nodes).

    numpy's multivariate hypergeometric takes one set of seats, but after the first group
    the free seats differ per replicate. The tree draws a block of replicates per call,
    so blocks of :data:`_TREE_BLOCK` replicates have their own streams (keyed by the
    block number) and are drawn whole: the draws do not depend on the chunking.
    """

    def __init__(self, root: np.random.SeedSequence, key: tuple[int, ...], size: np.ndarray,
                 group_totals: np.ndarray):
        self.root, self.key = root, key
        self.size, self.group_totals = size, group_totals
        self.block, self.position, self.cache = 0, 0, np.empty((len(group_totals), 0,
                                                                  size.size))

    def _draw_block(self) -> np.ndarray:
        gen = stream(self.root, "null", (*self.key, self.block))
        self.block += 1
        reps, n = _TREE_BLOCK, self.size.size
        free = np.broadcast_to(self.size, (reps, n)).astype(np.int64)
        out = np.empty((len(self.group_totals), reps, n))
        for g, total in enumerate(self.group_totals[:-1]):
            x = _deal(gen, free, int(total))
            out[g] = x
            free = free - x
        out[-1] = free
        return out

    def next(self, reps: int) -> np.ndarray:
        while self.cache.shape[1] < reps:
            self.cache = np.concatenate([self.cache, self._draw_block()], axis=1)
        out, self.cache = self.cache[:, :reps], self.cache[:, reps:]
        return out


#: Replicates per block of the K-group randomisation draws.
_TREE_BLOCK = 64


def _deal(gen: np.random.Generator, free: np.ndarray, total: int) -> np.ndarray:
    """Deal ``total`` pupils at random to the free seats ``free`` ``(reps, n)``.

    A multivariate hypergeometric draw per replicate, as a binary tree: each node's
    pupils are split between its halves with one hypergeometric draw (the seats of the
    left half are the "good" items), all nodes of a level and all replicates at once.
    """
    reps, n = free.shape
    cum = np.zeros((reps, n + 1), dtype=np.int64)
    np.cumsum(free, axis=1, out=cum[:, 1:])
    lo, hi = np.array([0]), np.array([n])
    draws = np.full((reps, 1), total, dtype=np.int64)
    while True:
        split = hi - lo >= 2
        if not split.any():
            break
        mid = (lo + hi) // 2
        left = np.zeros_like(draws)
        seats_left = cum[:, mid[split]] - cum[:, lo[split]]
        seats_right = cum[:, hi[split]] - cum[:, mid[split]]
        left[:, split] = gen.hypergeometric(seats_left, seats_right, draws[:, split])
        left[:, ~split] = draws[:, ~split]
        # children: (lo, mid) in place of each split node (leaves stay), then (mid, hi)
        lo, hi = (np.concatenate([lo, mid[split]]),
                  np.concatenate([np.where(split, mid, hi), hi[split]]))
        draws = np.concatenate([left, draws[:, split] - left[:, split]], axis=1)
    out = np.zeros((reps, n))
    out[:, lo] = draws
    return out


def _blocks(sizes: np.ndarray, active: np.ndarray, target: int) -> list[np.ndarray]:
    """Consecutive active area-years, at most ``target`` units per block (or one)."""
    ids = np.flatnonzero(active)
    if ids.size == 0:
        return []
    cum = np.cumsum(sizes[ids])
    cut = np.flatnonzero(np.diff(cum // max(target, 1)) > 0) + 1
    return [b for b in np.split(ids, cut) if b.size]


def replicate(
    design: Design,
    evaluators: Sequence[Evaluator],
    *,
    task: str,
    n_rep: int,
    root: np.random.SeedSequence,
    active: np.ndarray,
    fixed: dict[str, np.ndarray] | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    n_jobs: int = 1,
    argument: str = "n_rep",
) -> np.ndarray:
    """Replicate values of every statistic for every active area-year.

    Parameters
    ----------
    design : Design
        The units and stream keys.
    evaluators : sequence
        Statistic families (their ``names`` concatenated give the statistic axis).
    task : {"bootstrap", "cluster", "null"}
        What to draw.
    n_rep : int
        Replicates per area-year.
    root : numpy.random.SeedSequence
        The run's root seed.
    active : numpy.ndarray of bool
        ``(n_groups,)``: area-years to draw for (others stay NaN).
    fixed : dict, optional
        Memo key -> per-area-year value that the draws cannot change (e.g. the exact
        E[D] under random allocation), given to the index kernels.
    chunk_rows : int
        Upper bound on units x replicates per chunk (memory).
    n_jobs : int
        Threads; the result does not depend on it.
    argument : str
        The caller's name for ``n_rep`` (for the message when memory is short).

    Returns
    -------
    numpy.ndarray
        ``(n_groups, n_statistics, n_rep)``.

    Raises
    ------
    MemoryError
        When the replicates cannot be held (see :func:`replicate_store`).
    """
    n_stats = sum(len(e.names) for e in evaluators)
    out = replicate_store(design.n_groups, n_stats, n_rep, argument)
    sizes = design.sizes
    total = int(sizes[active].sum())
    target = min(chunk_rows, max(1, math.ceil(total / (4 * n_jobs)))) if n_jobs > 1 \
        else chunk_rows
    blocks = _blocks(sizes, active, target)
    fixed = fixed or {}
    with_times = task == "cluster" and any(ev.uses_multiplicity for ev in evaluators)
    expansion = max([1.0] + [getattr(ev, "expansion", 1.0) for ev in evaluators])

    def run_block(block: np.ndarray, store: np.ndarray | None = None) -> np.ndarray:
        """Fill the rows of ``block`` in ``out`` (or in ``store``, one row per area-year
        of the block: a worker process's own array)."""
        rows = block if store is None else np.arange(block.size)
        store = out if store is None else store
        block_sizes = sizes[block]
        n_units = int(block_sizes.sum())
        offsets = np.concatenate([[0], np.cumsum(block_sizes)])
        local = np.repeat(np.arange(block.size), block_sizes)
        drawers = [_Drawer(task, root, design.keys[g],
                           design.counts[design.starts[g]:design.starts[g + 1]])
                   for g in block]
        step = max(1, min(n_rep, chunk_rows // max(n_units, 1)))
        for r0 in range(0, n_rep, step):
            reps = min(step, n_rep - r0)
            buf = np.empty((design.counts.shape[1], reps, n_units))
            times = np.empty((reps, n_units)) if with_times else None
            for i, draw in enumerate(drawers):  # one vectorised draw per area-year
                draw(buf[:, :, offsets[i]:offsets[i + 1]],
                     None if times is None else times[:, offsets[i]:offsets[i + 1]])
            # the kernels in sub-chunks that fit the processor's cache: their dozens of
            # passes over the units then cost a third of what they cost from memory
            sub = max(1, int(EVAL_ROWS // max(n_units * expansion, 1)))
            for e0 in range(0, reps, sub):
                part = buf[:, e0:e0 + sub]
                part_times = None if times is None else times[e0:e0 + sub]
                s0 = 0
                for ev in evaluators:
                    values = ev(part, local, block.size, block, fixed,
                                part_times if ev.uses_multiplicity else None)  # (n, reps, G)
                    store[rows, s0:s0 + values.shape[0], r0 + e0:r0 + e0 + part.shape[1]] = \
                        values.transpose(2, 0, 1)
                    s0 += values.shape[0]
        return store

    if n_jobs > 1 and len(blocks) > 1 and _processes():
        def in_worker(block: np.ndarray) -> np.ndarray:
            return run_block(block, np.full((block.size, n_stats, n_rep), np.nan))

        for block, values in zip(blocks, _fork_map(in_worker, blocks, n_jobs), strict=True):
            out[block] = values
    elif n_jobs > 1 and len(blocks) > 1:
        with ThreadPoolExecutor(max_workers=n_jobs) as pool:
            list(pool.map(run_block, blocks))
    else:
        for block in blocks:
            run_block(block)
    return out


#: How ``n_jobs > 1`` runs its blocks: "threads" (the default) or "processes" (forked
#: workers where the platform forks and no other thread runs; else threads). The
#: results are identical.
#: ``benchmarks/bench_inference.py --parallel both`` compares them in one run; on the
#: shared 2-core machine the processes were not faster (see the benchmark's notes), so
#: they are not the default (a fork also copies a host application such as QGIS).
PARALLEL = "threads"
#: The function the forked workers run (set by the parent just before forking).
_WORK: Callable[[np.ndarray], np.ndarray] | None = None


def _processes() -> bool:
    if PARALLEL != "processes":
        return False
    import multiprocessing

    return ("fork" in multiprocessing.get_all_start_methods()
            and not multiprocessing.current_process().daemon
            and threading_count() == 1)


def threading_count() -> int:
    """Python threads alive (forking a process that runs other threads is unsafe)."""
    import threading

    return threading.active_count()


def _run_work(block: np.ndarray) -> np.ndarray:
    assert _WORK is not None
    return _WORK(block)


def _fork_map(work: Callable[[np.ndarray], np.ndarray], blocks: list[np.ndarray],
              n_jobs: int):
    """``work`` over ``blocks`` in ``n_jobs`` forked processes, results in order.

    The workers inherit the design and the evaluators (fork: nothing is pickled but
    the block numbers and the replicate arrays sent back), and each block draws from
    its area-years' own streams, so the result is the same as in one process.
    """
    import multiprocessing

    global _WORK
    _WORK = work
    try:
        with multiprocessing.get_context("fork").Pool(min(n_jobs, len(blocks))) as pool:
            yield from pool.imap(_run_work, blocks)
    finally:
        _WORK = None
