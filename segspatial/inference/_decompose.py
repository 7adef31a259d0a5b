"""Difference decomposition of Theil's M and H into marginal and structural parts.

Elbers (2021) splits the difference of the mutual information index M between two
school x group tables (two years of one area) into the parts due to changes in the group
composition (``group_marginal``: e.g. more pupils of a group), in the schools' sizes
(``unit_marginal``), in the association of school and group that is left when both
margins are held fixed (``structural``: the segregation proper), and to the schools (and
groups) present in only one year (``additions``, ``removals``). It is the decomposition
of R ``segregation::mutual_difference(method = "shapley")``:

* tables ``XYZ`` have the group margins of year X, the school margins of year Y and the
  association structure of year Z (X, Y, Z in {A = from_year, B = to_year}). ``AAA`` and
  ``BBB`` are the two years restricted to the schools and groups present in both;
  the others are made from them by iterative proportional fitting (IPF, Deming &
  Stephan 1940), which changes the margins and keeps the odds ratios, i.e. the
  structure (cells empty in a year get a tiny count first, as in R, so that every
  margin can be fitted);
* with ``f`` the index (M, or H = M / E of the groups):

  - ``additions = f(B) − f(BBB)``, ``removals = f(AAA) − f(A)``,
  - ``structural = ½ [f(AAB) − f(AAA)] + ½ [f(BBB) − f(BBA)]``,
  - ``group_marginal = ¼ [f(BAA) − f(AAA) + f(BBA) − f(ABA) + f(BBB) − f(ABB)
    + f(BAB) − f(AAB)]``, and ``unit_marginal`` likewise with the roles of the two
    margins swapped (Shapley values of the margins, Deutsch et al. 2009),

  so ``f(B) − f(A) = additions + removals + group_marginal + unit_marginal +
  structural`` exactly (an identity of the eight terms, whatever the IPF precision).
  The result does not change when the years are swapped (every part changes sign) or
  when schools and groups swap roles (the marginal parts swap).

Everything is vectorised: the tables of all areas (and all bootstrap replicates) are
held as one ``(K, R, S)`` array, the units of each area contiguous, and every IPF step
is a sum over the groups and an :func:`numpy.add.reduceat` over the units. IPF is run
to a precision of 1e-12 (shares of the table), far tighter than R's default 1e-3.

References
----------
Elbers, B. (2021). A method for studying differences in segregation across time and
    space. *Sociological Methods & Research* 52(1), 5-42.
Deutsch, J., Flückiger, Y. & Silber, J. (2009). Analyzing changes in occupational
    segregation: the case of Switzerland (1970-2000). *Research on Economic
    Inequality* 17, 171-202.
Karmel, T. & Maclachlan, M. (1988). Occupational sex segregation — increasing or
    decreasing? *Economic Record* 64, 187-195.
Deming, W. E. & Stephan, F. F. (1940). On a least squares adjustment of a sampled
    frequency table when the expected marginal totals are known. *Annals of
    Mathematical Statistics* 11(4), 427-444.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["COMPONENTS", "DECOMPOSABLE", "METHOD", "Decomposition", "Pairs", "decompose_pairs",
           "decompose_tables", "is_decomposable", "match_units"]

#: The parts of the difference, in the order of the change table.
COMPONENTS = ("additions", "removals", "group_marginal", "unit_marginal", "structural")
#: Registered indices the decomposition applies to (M in any base, and H).
DECOMPOSABLE = ("theil_h", "multigroup_theil_h", "mutual_information")
#: The ``decomposition`` value of the change table's rows.
METHOD = "shapley_ipf"

#: IPF stops when every margin is within this share of the table of its target.
IPF_TOLERANCE = 1e-12
#: ... or after this many iterations (the area is then left out, with its reason).
IPF_MAX_ITERATIONS = 10_000
#: The count given to empty cells before IPF (R ``segregation``'s ``fill_na``).
FILL = 1e-10

#: ``index(counts (K, R, S)) -> (n_indices, R, P)``, the units of area p being
#: ``starts[p]:starts[p + 1]``.
IndexFunction = Callable[[np.ndarray], np.ndarray]


def is_decomposable(name: str) -> bool:
    """Is the index ``name`` (as in a results table) one the decomposition applies to?"""
    return name in DECOMPOSABLE or name.startswith("mutual_information_base")


@dataclass(frozen=True)
class Decomposition:
    """The parts of ``f(B) − f(A)`` for every index, replicate and area.

    Attributes
    ----------
    value_from, value_to : numpy.ndarray
        ``(n_indices, R, P)``: f(A) and f(B).
    parts : dict of str to numpy.ndarray
        :data:`COMPONENTS` -> ``(n_indices, R, P)``.
    converged : numpy.ndarray
        ``(R, P)``: did every IPF of the area converge (its parts are NaN if not)?
    n_common : numpy.ndarray
        ``(R, P)``: units with pupils in both years (with fewer than two the indices,
        and so the parts, are undefined).
    """

    value_from: np.ndarray
    value_to: np.ndarray
    parts: dict[str, np.ndarray]
    converged: np.ndarray
    n_common: np.ndarray


def _ratio(target: np.ndarray, current: np.ndarray) -> np.ndarray:
    target, current = np.broadcast_arrays(target, current)
    return np.divide(target, current, out=np.zeros(current.shape), where=current > 0)


class _Areas:
    """Sums over the units of each area (contiguous blocks of the last axis)."""

    def __init__(self, starts: np.ndarray):
        self.starts = np.asarray(starts, dtype=np.intp)
        self.sizes = np.diff(self.starts)
        if (self.sizes <= 0).any():
            raise ValueError("every area needs at least one unit")

    def sum(self, x: np.ndarray) -> np.ndarray:
        """``(..., S) -> (..., P)``."""
        return np.add.reduceat(x, self.starts[:-1], axis=-1)

    def spread(self, x: np.ndarray) -> np.ndarray:
        """``(..., P) -> (..., S)``: each area's value on each of its units."""
        return np.repeat(x, self.sizes, axis=-1)


def _ipf(x: np.ndarray, rows: np.ndarray, cols: np.ndarray, areas: _Areas
         ) -> tuple[np.ndarray, np.ndarray]:
    """Fit ``x`` ``(K, R, S)`` to unit totals ``rows`` ``(R, S)`` and group totals
    ``cols`` ``(K, R, P)`` (both summing to the table's total per replicate and area).

    Each table stops as soon as it has converged, so its result does not depend on the
    other tables fitted with it (byte-identical whatever the chunking). Returns the
    fitted tables and, per ``(R, P)``, whether each converged.
    """
    x = x.copy()
    total = np.maximum(cols.sum(axis=0), np.finfo(float).tiny)
    done = np.zeros(total.shape, dtype=bool)
    for _ in range(IPF_MAX_ITERATIONS):
        going = areas.spread(~done)  # (R, S)
        x *= np.where(going[None], areas.spread(_ratio(cols, areas.sum(x))), 1.0)
        x *= np.where(going, _ratio(rows, x.sum(axis=0)), 1.0)[None]
        # the unit totals are now exact: how far are the group totals?
        done |= np.abs(areas.sum(x) - cols).max(axis=0) / total <= IPF_TOLERANCE
        if done.all():
            break
    return x, done


def decompose_tables(first: np.ndarray, second: np.ndarray, starts: np.ndarray,
                     index: IndexFunction) -> Decomposition:
    """Decompose ``index(second) − index(first)`` for many areas and replicates at once.

    Parameters
    ----------
    first, second : numpy.ndarray
        ``(K, R, S)`` counts of the K groups in the S units (schools) of all areas, in
        the two years, R replicates (1 for the estimate). Each area holds the union of
        its units of both years, ``starts[p]:starts[p + 1]``; a unit absent in a year
        has zero counts there (so does a group absent in a year).
    starts : numpy.ndarray
        ``(P + 1,)`` offsets of the areas' units; every area has at least one unit.
    index : callable
        ``index(counts) -> (n_indices, R, P)`` for counts ``(K, R, S)`` laid out as
        ``first`` (the indices' kernels; M and H are scale-free, so the fitted tables,
        which keep the source year's total, give the index of their shares).

    Returns
    -------
    Decomposition
        f(A), f(B) and the parts of :data:`COMPONENTS`; the parts sum to
        ``f(B) − f(A)`` up to rounding (about 1e-16). Areas with fewer than two
        units with pupils in both years get NaN parts (the indices' own rule).

    Raises
    ------
    ValueError
        When the arrays do not match or an area has no unit.
    """
    first = np.asarray(first, dtype=np.float64)
    second = np.asarray(second, dtype=np.float64)
    if first.shape != second.shape or first.ndim != 3:
        raise ValueError(f"first and second must both be (K, R, S) arrays, got "
                         f"{first.shape} and {second.shape}")
    areas = _Areas(starts)
    if areas.starts[-1] != first.shape[2]:
        raise ValueError(f"starts end at {areas.starts[-1]}, but there are "
                         f"{first.shape[2]} units")
    # schools and groups present in both years (per replicate: a bootstrap replicate
    # can empty a small school)
    unit_in = (first.sum(axis=0) > 0) & (second.sum(axis=0) > 0)  # (R, S)
    group_in = (areas.sum(first) > 0) & (areas.sum(second) > 0)  # (K, R, P)
    common = unit_in[None] & areas.spread(group_in)  # (K, R, S)
    a = np.where(common, first, 0.0)  # AAA
    b = np.where(common, second, 0.0)  # BBB
    # margins of the common tables, scaled to the total of the table fitted
    total_a, total_b = areas.sum(a.sum(axis=0)), areas.sum(b.sum(axis=0))  # (R, P)
    rows_a = _ratio(a.sum(axis=0), areas.spread(total_a))  # unit shares (R, S)
    rows_b = _ratio(b.sum(axis=0), areas.spread(total_b))
    cols_a = _ratio(areas.sum(a), total_a[None])  # group shares (K, R, P)
    cols_b = _ratio(areas.sum(b), total_b[None])
    positive = np.concatenate([first[first > 0], second[second > 0]])
    fill = min(FILL, positive.min() / 1000) if positive.size else FILL
    converged = np.ones(total_a.shape, dtype=bool)

    def fitted(source: np.ndarray, total: np.ndarray, unit_shares: np.ndarray,
               group_shares: np.ndarray) -> np.ndarray:
        seeded = np.where(common & (source == 0), fill, source)
        out, ok = _ipf(seeded, unit_shares * areas.spread(total),
                       group_shares * total[None], areas)
        converged[...] &= ok
        return out

    f = {
        "A": index(first), "B": index(second), "AAA": index(a), "BBB": index(b),
        # group margins, unit margins, structure
        "BBA": index(fitted(a, total_a, rows_b, cols_b)),
        "ABA": index(fitted(a, total_a, rows_b, cols_a)),
        "BAA": index(fitted(a, total_a, rows_a, cols_b)),
        "AAB": index(fitted(b, total_b, rows_a, cols_a)),
        "BAB": index(fitted(b, total_b, rows_a, cols_b)),
        "ABB": index(fitted(b, total_b, rows_b, cols_a)),
    }
    parts = {
        "additions": f["B"] - f["BBB"],
        "removals": f["AAA"] - f["A"],
        "group_marginal": 0.25 * ((f["BAA"] - f["AAA"]) + (f["BBA"] - f["ABA"])
                                  + (f["BBB"] - f["ABB"]) + (f["BAB"] - f["AAB"])),
        "unit_marginal": 0.25 * ((f["ABA"] - f["AAA"]) + (f["BBA"] - f["BAA"])
                                 + (f["BBB"] - f["BAB"]) + (f["ABB"] - f["AAB"])),
        "structural": 0.5 * (f["AAB"] - f["AAA"]) + 0.5 * (f["BBB"] - f["BBA"]),
    }
    # the indices' rule: at least two schools with pupils (in both years, here)
    n_common = areas.sum(unit_in.astype(np.int64))
    usable = converged & (n_common >= 2)
    for name in COMPONENTS:
        parts[name] = np.where(usable[None], parts[name], np.nan)
    return Decomposition(value_from=f["A"], value_to=f["B"], parts=parts,
                         converged=converged, n_common=n_common)


# --------------------------------------------------------------------------- areas


@dataclass(frozen=True)
class Pairs:
    """The two years of each area compared, on the union of their schools.

    Attributes
    ----------
    first, second : numpy.ndarray
        Area-year (design group) of the two years, ``(P,)``.
    starts : numpy.ndarray
        ``(P + 1,)`` offsets of each pair's union of units.
    slot_first, slot_second : numpy.ndarray
        For the units of ``first[p]`` (in design order, all pairs concatenated), their
        place in the union; likewise for ``second``.
    """

    first: np.ndarray
    second: np.ndarray
    starts: np.ndarray
    slot_first: np.ndarray
    slot_second: np.ndarray

    @property
    def n_units(self) -> int:
        return int(self.starts[-1])


def match_units(design_starts: np.ndarray, unit_ids: np.ndarray, first: np.ndarray,
                second: np.ndarray) -> Pairs:
    """Match the schools of two area-years per pair by their id (vectorised).

    ``unit_ids`` are the ids of the design's units (design order); a school is the same
    in both years when its id is (as text: 8 and "8" are one school).
    """
    import pandas as pd  # once per call, not in a loop

    def units_of(groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        sizes = design_starts[groups + 1] - design_starts[groups]
        pair = np.repeat(np.arange(groups.size), sizes)
        offset = np.repeat(design_starts[groups] - np.cumsum(sizes) + sizes, sizes)
        return pair, np.arange(int(sizes.sum())) + offset

    pair1, pos1 = units_of(first)
    pair2, pos2 = units_of(second)
    ids = np.asarray(unit_ids).astype(str)
    both = pd.DataFrame({"pair": np.concatenate([pair1, pair2]),
                         "unit": np.concatenate([ids[pos1], ids[pos2]])})
    union = both.drop_duplicates().sort_values(["pair", "unit"], kind="stable")
    union["slot"] = np.arange(len(union))
    slot = both.merge(union, on=["pair", "unit"], how="left")["slot"].to_numpy()
    sizes = np.bincount(union["pair"].to_numpy(), minlength=first.size)
    return Pairs(first=first, second=second,
                 starts=np.concatenate([[0], np.cumsum(sizes)]).astype(np.intp),
                 slot_first=slot[:pair1.size], slot_second=slot[pair1.size:])


def _evaluate(evaluator: Any, pairs: Pairs) -> IndexFunction:
    """The index kernels on ``(K, R, S)`` tables of the pairs' unions."""
    local = np.repeat(np.arange(pairs.first.size), np.diff(pairs.starts))
    block = np.arange(pairs.first.size)
    return lambda counts: evaluator(counts, local, pairs.first.size, block, {})


def _tables(design: Any, pairs: Pairs, cells: list[np.ndarray] | None, reps: int
            ) -> tuple[np.ndarray, np.ndarray]:
    """The two years' tables ``(K, reps, S)`` on the unions: the observed counts, or
    (``cells``) one drawn array ``(K, reps, n_g)`` per pair and year, first years first."""
    k = design.counts.shape[1]
    out = []
    for j, (groups, slots) in enumerate(((pairs.first, pairs.slot_first),
                                         (pairs.second, pairs.slot_second))):
        table = np.zeros((k, reps, pairs.n_units))
        if cells is None:
            units = np.concatenate([np.arange(design.starts[g], design.starts[g + 1])
                                    for g in groups]) if groups.size else np.empty(0, int)
            table[:, 0, slots] = design.counts[units].T
        else:
            drawn = cells[j * groups.size:(j + 1) * groups.size]
            table[:, :, slots] = np.concatenate(drawn, axis=2) if drawn else 0.0
        out.append(table)
    return out[0], out[1]


def decompose_pairs(design: Any, unit_ids: np.ndarray, first: np.ndarray,
                    second: np.ndarray, evaluator: Any, *, task: str | None = None,
                    n_rep: int = 0, root: np.random.SeedSequence | None = None,
                    chunk_rows: int = 1 << 20) -> tuple[Decomposition, dict | None]:
    """The decomposition of every pair of area-years, and of their bootstrap replicates.

    Parameters
    ----------
    design : Design
        The units of the comparison (:class:`._engine.Design`).
    unit_ids : numpy.ndarray
        The id of each unit of the design (matches schools across years).
    first, second : numpy.ndarray
        ``(P,)`` the area-years compared (from_year and to_year of each area).
    evaluator : IndexEvaluator
        The decomposable indices.
    task : {"bootstrap"}, optional
        With ``n_rep`` and ``root``: redraw the individual-bootstrap replicates of both
        years from their streams (the very replicates of the yearly values and of the
        difference) and decompose each pair of replicates.
    n_rep, root, chunk_rows
        Replicates, the run's root seed, and the bound on units x replicates at once.

    Returns
    -------
    tuple
        The estimate (a :class:`Decomposition` with R = 1) and, with replicates,
        :data:`COMPONENTS` -> ``(n_indices, P, n_rep)``.
    """
    from segspatial.inference._engine import _Drawer

    pairs = match_units(design.starts, unit_ids, np.asarray(first, dtype=np.intp),
                        np.asarray(second, dtype=np.intp))
    if pairs.first.size == 0:
        empty = np.empty((len(evaluator.names), 1, 0))
        return Decomposition(empty, empty, {c: empty for c in COMPONENTS},
                             np.empty((1, 0), dtype=bool), np.empty((1, 0), int)), None
    index = _evaluate(evaluator, pairs)
    estimate = decompose_tables(*_tables(design, pairs, None, 1), pairs.starts, index)
    if not n_rep or task != "bootstrap" or root is None:
        return estimate, None
    groups = np.concatenate([pairs.first, pairs.second])
    drawers = [_Drawer(task, root, design.keys[g],
                       design.counts[design.starts[g]:design.starts[g + 1]]) for g in groups]
    k = design.counts.shape[1]
    out = {c: np.full((len(evaluator.names), pairs.first.size, n_rep), np.nan)
           for c in COMPONENTS}
    step = max(1, min(n_rep, chunk_rows // max(pairs.n_units, 1)))
    for r0 in range(0, n_rep, step):
        reps = min(step, n_rep - r0)
        cells = []
        for g, draw in zip(groups, drawers, strict=True):
            buf = np.empty((k, reps, design.starts[g + 1] - design.starts[g]))
            draw(buf)
            cells.append(buf)
        parts = decompose_tables(*_tables(design, pairs, cells, reps), pairs.starts,
                                 index).parts
        for c in COMPONENTS:
            out[c][:, :, r0:r0 + reps] = parts[c].transpose(0, 2, 1)
    return estimate, out
