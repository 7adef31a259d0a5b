"""Censored counts: exact bounds for totals and shares, ranges of D, H, E[D] and D*.

A censored cell (DUO's ``"<5"``) is an interval of whole numbers ``[low, high]``
(default ``[1, 4]``). Sums of cells are intervals too, and every whole number in a
sum's interval is attained by some fill, so after summing to units (programmes) each
unit has independent integer intervals ``a_j ∈ [la_j, ha_j]`` (women) and
``b_j ∈ [lb_j, hb_j]`` (men). A *feasible fill* picks one whole number in each.

Totals and shares
-----------------
``A ∈ [Σ la, Σ ha]``; the share ``s = A / (A + B)`` increases with A and decreases
with B, so ``s ∈ [La / (La + Hb), Ha / (Ha + Lb)]``, both ends attained: the bounds
of :func:`share_bounds` are exact.

D, H, E[D] and D* across units
------------------------------
The point value is computed by segspatial's engine on the counts of a stated
:data:`point rule <POINT_RULES>`. The range over all feasible fills comes from
:func:`segregation_bounds`, area-year by area-year, and says how it was found
(``*_method``):

========================  ==========  ==========  ==========
index                     few fills   otherwise   otherwise
========================  ==========  ==========  ==========
D (dissimilarity)         exact       monotone    bound
H (Theil)                 exact       monotone    bound
E[D] (expected D)         exact       --          bound
D* (Carrington-Troske)    exact       --          bound
========================  ==========  ==========  ==========

``exact`` and ``monotone`` ranges are the true minimum and maximum over the feasible
fills (both ends attained); a ``bound`` contains that range and may be wider.

``exact``
    When an area-year has at most ``exact_limit`` feasible fills (``Π (w + 1)`` over
    its varying intervals of width ``w``; with ``[1, 4]`` that is 4 per censored
    unit-group, so up to 6 censored cells at the default 4,096), every fill is
    evaluated with the engine's own kernels (one ``GroupedCounts`` whose groups are
    the fills, vectorised over all fills of all such area-years; D, H, the exact
    hypergeometric E[D] and D*) and the minimum and maximum are taken. The indices
    are not monotone in the counts (a censored unit can make D smallest anywhere
    inside its interval), so nothing less than all fills is exact for the minimum.
``monotone``
    Otherwise, when every varying count moves the index one way over the whole box of
    fills, the extremes are at the two fills that push each count its way, and the
    range is exact again. For D this is the case when each censored unit is above (or
    below) the area's share in every fill: ``∂D/∂a_j = ½ (s_j − Σ_i s_i a_i/A) / A``
    has the sign ``s_j`` of the unit (and ``∂D/∂b_j`` the opposite one). For H,
    ``∂H/∂a_j`` has the sign of ``(1 − H) ln(T/A) − ln(t_j/a_j)``, decided over the
    box with the enclosure below. A few censored women in a large programme of men
    (the usual case in techniek) are of this kind.
``bound``
    Otherwise a proven enclosure, the intersection of:

    * **D, term by term.** Unit j's share of A lies in
      ``[la_j / (la_j + Ha − ha_j), ha_j / (ha_j + La − la_j)]`` (increasing in its own
      count, decreasing in the others'), likewise for B; interval arithmetic on
      ``½ Σ |a_j/A − b_j/B|``.
    * **D, Lipschitz.** ``|∂D/∂a_j| ≤ 1/A`` (``∂D/∂a_j = ½ (s_j − Σ_i s_i a_i/A) / A``
      with signs ``s_i = ±1``), so ``D ∈ D(m) ± Σ_a (w/2)/La + Σ_b (w/2)/Lb`` around
      the midpoint fill m (continuous, the engine's D on fractional counts).
    * **D, one split.** ``D = max_S (a(S)/A − b(S)/B)`` over sets S of units; for the
      set S where the midpoint fill has ``a_j/A > b_j/B`` every fill has
      ``D ≥ la(S) / (la(S) + ha(S')) − hb(S) / (hb(S) + lb(S'))`` (S' the other units).
    * **H, ratio.** ``H = 1 − C / G`` with ``C = Σ g(a_j, b_j)``, ``G = g(A, B)`` and
      ``g(a, b) = t ln t − a ln a − b ln b`` increasing in a and b
      (``∂g/∂a = ln(t/a) ≥ 0``), so ``H ∈ [1 − C(h)/G(l), 1 − C(l)/G(h)]`` with l and h
      the low and high fills.
    * **H, mean value.** ``∂H/∂a_j = ((1 − H) ln(T/A) − ln(t_j/a_j)) / G``; with
      ``0 ≤ H ≤ 1`` its size is at most ``max(ln(1 + Hb/La), ln(1 + hb_j/la_j)) / G(l)``
      on the whole box (symmetrically for b_j), so H lies within the sum of these times
      ``w/2`` of its midpoint value (not used when a varying interval starts at 0).

    * **E[D], coupling.** One more person of A in unit j moves E[D] by at most
      ``2/(A+1) + 1/(T+1)`` (see :func:`_expected_bound`), so E[D] lies within the
      sum of these steps from the integer midpoint fill.
    * **D*, monotone in D and E[D].** D* increases with D and decreases with E[D], so
      ``D* ∈ [D*(D_low, E_high), D*(D_high, E_low)]`` with the ranges above.

    Each piece of D and H holds for every point of the continuous box, so for every
    feasible fill; the enclosure is within a few thousandths of the exact range when the area
    is large compared with its censored cells (the national and regional case) and
    wider for a small area with many censored cells. The E[D] bound is of the order
    of (censored people) / A: wide compared with E[D] itself in a small region.

Every method is checked in the tests against all fills of random small cases
(hypothesis), and with no censored cell the range collapses to the engine's value.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.special import xlogy

from segspatial.indices import (
    GroupedCounts,
    _dissimilarity_kernel,
    _expected_dissimilarity_kernel,
    _standardised_dissimilarity_kernel,
    _theil_h_kernel,
)

__all__ = [
    "DEFAULT_EXACT_LIMIT",
    "INDICES",
    "POINT_RULES",
    "point_counts",
    "segregation_bounds",
    "share_bounds",
]

#: The indices whose range over the fills :func:`segregation_bounds` gives (the
#: engine's names), in the order of its columns.
INDICES = ("dissimilarity", "theil_h", "dissimilarity_expected", "dissimilarity_standardised")
#: Most feasible fills per area-year evaluated exactly (more: the proven bound).
DEFAULT_EXACT_LIMIT = 4096
#: Rows (units × fills) evaluated at once in the exact method (bounds the memory).
_BLOCK_ROWS = 2_000_000

#: The point rules: which count a censored cell stands for in point values.
POINT_RULES = {
    "midpoint": "the middle of the interval, rounded down to a whole count ([1, 4] -> 2)",
    "low": "the lowest count of the interval ([1, 4] -> 1)",
    "high": "the highest count of the interval ([1, 4] -> 4)",
    "exclude": "censored cells left out (counted as 0, as DUO's own totals; not a "
    "feasible fill when the interval starts above 0)",
}


def _check_rule(rule: str) -> str:
    if rule not in POINT_RULES:
        raise ValueError(f"point rule must be one of {', '.join(POINT_RULES)}, got {rule!r}")
    return rule


def point_counts(low: Any, high: Any, censored: Any, rule: str = "midpoint") -> np.ndarray:
    """The count each cell stands for under a point rule (exact cells: their count).

    Parameters
    ----------
    low, high : array_like of int
        The cells' intervals (equal for exact counts).
    censored : array_like of bool
        Which cells are censored.
    rule : str
        One of :data:`POINT_RULES`.

    Returns
    -------
    numpy.ndarray of int64

    Examples
    --------
    >>> point_counts([7, 1], [7, 4], [False, True]).tolist()
    [7, 2]
    >>> point_counts([7, 1], [7, 4], [False, True], "exclude").tolist()
    [7, 0]
    """
    _check_rule(rule)
    low = np.asarray(low, dtype=np.int64)
    high = np.asarray(high, dtype=np.int64)
    censored = np.asarray(censored, dtype=bool)
    value = {"midpoint": (low + high) // 2, "low": low, "high": high,
             "exclude": np.zeros_like(low)}[rule]
    return np.where(censored, value, low)


def share_bounds(a_low: Any, a_high: Any, b_low: Any, b_high: Any
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Exact bounds of the share ``A / (A + B)`` for ``A ∈ [a_low, a_high]``,
    ``B ∈ [b_low, b_high]``.

    The share increases with A and decreases with B, so the bounds are
    ``a_low / (a_low + b_high)`` and ``a_high / (a_high + b_low)``, both attained.
    NaN where the denominator can be 0 at that end.

    Examples
    --------
    >>> lo, hi = share_bounds([23709], [23976], [68677], [68707])
    >>> round(float(lo[0]), 5), round(float(hi[0]), 5)
    (0.25655, 0.25877)
    """
    a_low, a_high, b_low, b_high = (np.asarray(v, dtype=np.float64)
                                    for v in (a_low, a_high, b_low, b_high))
    with np.errstate(divide="ignore", invalid="ignore"):
        low = a_low / (a_low + b_high)
        high = a_high / (a_high + b_low)
    return low, high


# --------------------------------------------------------------------------- D and H


def _as_intervals(a_low, a_high, b_low, b_high) -> list[np.ndarray]:
    arrays = [np.asarray(v) for v in (a_low, a_high, b_low, b_high)]
    names = ("a_low", "a_high", "b_low", "b_high")
    n = arrays[0].shape
    out = []
    for name, arr in zip(names, arrays, strict=True):
        if arr.ndim != 1 or arr.shape != n:
            raise ValueError(f"{name} must be one-dimensional with the length of a_low "
                             f"({n[0] if n else 0}), got shape {arr.shape}")
        if not (np.issubdtype(arr.dtype, np.integer)
                or (np.issubdtype(arr.dtype, np.floating) and np.all(arr == np.floor(arr)))):
            raise TypeError(f"{name} must hold whole counts, got dtype {arr.dtype}")
        arr = arr.astype(np.int64)
        if (arr < 0).any():
            raise ValueError(f"{name} must be >= 0, got minimum {arr.min()}")
        out.append(arr)
    for lo, hi, name in ((out[0], out[1], "a"), (out[2], out[3], "b")):
        if (lo > hi).any():
            i = int(np.flatnonzero(lo > hi)[0])
            raise ValueError(f"{name}_low must not exceed {name}_high (unit {i}: "
                             f"{lo[i]} > {hi[i]})")
    return out


def _kernels(a: np.ndarray, b: np.ndarray, group: np.ndarray, n_groups: int):
    c = GroupedCounts(a=a.astype(np.float64), b=b.astype(np.float64), group=group,
                      n_groups=n_groups)
    with np.errstate(divide="ignore", invalid="ignore"):
        return _dissimilarity_kernel(c), _theil_h_kernel(c)


def _expected_kernels(a: np.ndarray, b: np.ndarray, group: np.ndarray, n_groups: int):
    """The engine's exact E[D] and D* (whole counts only)."""
    c = GroupedCounts(a=a.astype(np.float64), b=b.astype(np.float64), group=group,
                      n_groups=n_groups)
    with np.errstate(divide="ignore", invalid="ignore"):
        return _expected_dissimilarity_kernel(c), _standardised_dissimilarity_kernel(c)


def _standardise(d: np.ndarray, e: np.ndarray) -> np.ndarray:
    """Carrington-Troske's D* of given D and E[D] (the engine's formula, no guard)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(d >= e, (d - e) / (1.0 - e), (d - e) / e)


def _segment_cumprod(values: np.ndarray, starts: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Exclusive cumulative product of small positive integers within groups."""
    logs = np.log(values.astype(np.float64))
    csum = np.cumsum(logs) - logs
    return np.rint(np.exp(csum - csum[starts[group]])).astype(np.int64)


def _exact(al, ah, bl, bh, group, order_start, n_units, n_fills, chosen):
    """Min and max of D, H, E[D] and D* over every fill of the chosen groups
    (vectorised): rows D low, D high, H low, H high, E low, E high, D* low, D* high."""
    out = np.full((8, chosen.size), np.nan)
    if chosen.size == 0:
        return out
    # variables in the order a_1, b_1, a_2, b_2, ... ; strides within each group
    in_chosen = np.isin(group, chosen)
    ra = np.where(in_chosen, ah - al + 1, 1)
    rb = np.where(in_chosen, bh - bl + 1, 1)
    both = np.column_stack([ra, rb]).ravel()
    var_group = np.repeat(group, 2)
    var_start = np.searchsorted(var_group, np.arange(group.max() + 1))
    stride = _segment_cumprod(both, var_start, var_group).reshape(-1, 2)
    rows = n_units[chosen] * n_fills[chosen]
    block_edges = [0]
    total = 0
    for i, r in enumerate(rows):  # blocks of area-years, bounded memory
        if total + r > _BLOCK_ROWS and i > block_edges[-1]:
            block_edges.append(i)
            total = 0
        total += r
    block_edges.append(chosen.size)
    for lo, hi in zip(block_edges[:-1], block_edges[1:], strict=True):
        gs = chosen[lo:hi]
        nu, nf = n_units[gs], n_fills[gs]
        r = nu * nf
        start_row = np.repeat(np.cumsum(r) - r, r)
        local = np.arange(r.sum()) - start_row
        nu_rep = np.repeat(nu, r)
        fill_local = local // nu_rep
        unit = np.repeat(order_start[gs], r) + local % nu_rep
        a = al[unit] + (fill_local // stride[unit, 0]) % ra[unit]
        b = bl[unit] + (fill_local // stride[unit, 1]) % rb[unit]
        fill_offset = np.cumsum(nf) - nf
        fill_id = np.repeat(fill_offset, r) + fill_local
        d, h = _kernels(a, b, fill_id, int(nf.sum()))
        e, ds = _expected_kernels(a, b, fill_id, int(nf.sum()))
        for row, v in enumerate((d, h, e, ds)):
            out[2 * row, lo:hi] = np.fmin.reduceat(v, fill_offset)
            out[2 * row + 1, lo:hi] = np.fmax.reduceat(v, fill_offset)
    return out


def _g(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """g(a, b) = t ln t − a ln a − b ln b: t times the binary entropy of a/t."""
    t = a + b
    return xlogy(t, t) - xlogy(a, a) - xlogy(b, b)


def _bound(al, ah, bl, bh, group, n_groups):
    """A proven enclosure of D and H over the continuous box, per group."""
    def total(x):
        return np.bincount(group, weights=x.astype(np.float64), minlength=n_groups)

    La, Ha, Lb, Hb = total(al), total(ah), total(bl), total(bh)
    af, bf = al.astype(np.float64), bl.astype(np.float64)
    ahf, bhf = ah.astype(np.float64), bh.astype(np.float64)
    g = group
    with np.errstate(divide="ignore", invalid="ignore"):
        # D term by term
        x_lo = af / (af + Ha[g] - ahf)
        x_hi = ahf / (ahf + La[g] - af)
        y_lo = bf / (bf + Hb[g] - bhf)
        y_hi = bhf / (bhf + Lb[g] - bf)
        t_lo = np.maximum(0.0, np.maximum(x_lo - y_hi, y_lo - x_hi))
        t_hi = np.maximum(x_hi - y_lo, y_hi - x_lo)
        d_lo = 0.5 * total(t_lo)
        d_hi = 0.5 * total(t_hi)
        # midpoint fill (continuous), with the engine's kernels
        am, bm = (af + ahf) / 2, (bf + bhf) / 2
        d_mid, h_mid = _kernels(am, bm, g, n_groups)
        # D Lipschitz
        lip = total((ahf - af) / 2) / La + total((bhf - bf) / 2) / Lb
        d_lo = np.fmax(d_lo, d_mid - lip)
        d_hi = np.fmin(d_hi, d_mid + lip)
        # D one split: S = units above the area's share at the midpoint fill
        Am, Bm = total(am), total(bm)
        s = am / Am[g] > bm / Bm[g]
        la_s, ha_c = total(np.where(s, af, 0.0)), total(np.where(s, 0.0, ahf))
        hb_s, lb_c = total(np.where(s, bhf, 0.0)), total(np.where(s, 0.0, bf))
        split = la_s / (la_s + ha_c) - hb_s / (hb_s + lb_c)
        d_lo = np.fmax(d_lo, split)
        # H ratio
        g_lo, g_hi = _g(La, Lb), _g(Ha, Hb)
        h_lo = 1.0 - total(_g(ahf, bhf)) / g_lo
        h_hi = 1.0 - total(_g(af, bf)) / g_hi
        # H mean value
        va, vb = ahf > af, bhf > bf
        lnA = np.log1p(Hb / La)[g]
        lnB = np.log1p(Ha / Lb)[g]
        ga = np.where(va, np.maximum(lnA, np.log1p(bhf / af)), 0.0)
        gb = np.where(vb, np.maximum(lnB, np.log1p(ahf / bf)), 0.0)
        radius = total(ga * (ahf - af) / 2 + gb * (bhf - bf) / 2) / g_lo
        open_end = total((va & (af == 0)) | (vb & (bf == 0))) > 0
        radius = np.where(open_end, np.inf, radius)
        h_lo = np.fmax(h_lo, h_mid - radius)
        h_hi = np.fmin(h_hi, h_mid + radius)
    # both indices lie in [0, 1]; where a total can be 0 nothing better is known
    trivial = (La == 0) | (Lb == 0)
    d_lo = np.where(trivial, 0.0, np.clip(np.nan_to_num(d_lo, nan=0.0), 0.0, 1.0))
    d_hi = np.where(trivial, 1.0, np.clip(np.nan_to_num(d_hi, nan=1.0), 0.0, 1.0))
    h_lo = np.where(trivial, 0.0, np.clip(np.nan_to_num(h_lo, nan=0.0), 0.0, 1.0))
    h_hi = np.where(trivial, 1.0, np.clip(np.nan_to_num(h_hi, nan=1.0), 0.0, 1.0))

    # Monotonicity: where every varying count moves D (or H) one way over the whole
    # box, the extremes are at the two fills that push each count its way: exact.
    with np.errstate(divide="ignore", invalid="ignore"):
        above = x_lo > y_hi              # unit above the area's share everywhere: in S
        below = x_hi < y_lo              # below everywhere
        # dD/da_j > 0 for units in S, < 0 outside; dD/db_j the opposite
        d_sure = (total((va | vb) & ~(above | below)) == 0) & ~trivial & ~open_end
        a_up, b_up = np.where(above, ahf, af), np.where(above, bf, bhf)
        a_dn, b_dn = np.where(above, af, ahf), np.where(above, bhf, bf)
        d_max, _ = _kernels(a_up, b_up, g, n_groups)
        d_min, _ = _kernels(a_dn, b_dn, g, n_groups)
        # dH/da_j has the sign of (1 - H) ln(T/A) - ln(t_j/a_j), with 1 - H in [r_lo, r_hi]
        r_lo, r_hi = (1.0 - h_hi)[g], (1.0 - h_lo)[g]
        ln_ta_lo, ln_ta_hi = np.log1p(bf / ahf), np.log1p(bhf / af)
        ln_tb_lo, ln_tb_hi = np.log1p(af / bhf), np.log1p(ahf / bf)
        a_pos = r_lo * np.log1p(Lb / Ha)[g] > ln_ta_hi   # H increasing in a_j
        a_neg = r_hi * lnA < ln_ta_lo                    # H decreasing in a_j
        b_pos = r_lo * np.log1p(La / Hb)[g] > ln_tb_hi
        b_neg = r_hi * lnB < ln_tb_lo
        h_sure = (total((va & ~(a_pos | a_neg)) | (vb & ~(b_pos | b_neg))) == 0) \
            & ~trivial & ~open_end
        _, h_max = _kernels(np.where(a_pos, ahf, af), np.where(b_pos, bhf, bf), g, n_groups)
        _, h_min = _kernels(np.where(a_pos, af, ahf), np.where(b_pos, bf, bhf), g, n_groups)
    d_lo, d_hi = np.where(d_sure, d_min, d_lo), np.where(d_sure, d_max, d_hi)
    h_lo, h_hi = np.where(h_sure, h_min, h_lo), np.where(h_sure, h_max, h_hi)
    return np.vstack([d_lo, d_hi, h_lo, h_hi]), d_sure, h_sure


def _expected_bound(al, ah, bl, bh, group, n_groups, d_lo, d_hi):
    """A proven enclosure of E[D] (coupling) and D* (monotone in D and E[D]).

    E[D] depends on the fill through the unit sizes and the group totals. One more
    person of group A in unit j changes E[D] by at most
    ``1/(A+1) + B/(T+1) (1/(A+1) + 1/B) <= 2/(A+1) + 1/(T+1)`` (A, B, T of the smaller
    system): couple the random allocations by seating the newcomer in the new seat of
    unit j and swapping it with a uniformly random person of the larger system (which
    makes the larger allocation uniform). Seating the newcomer changes every
    ``a(S)/A - b(S)/B`` by at most ``1/(A+1)``, the swap (with a person of B, chance
    ``B/(T+1)``) by at most ``1/(A+1) + 1/B``, and ``D = max_S (a(S)/A - b(S)/B)``
    moves no more than its terms. Summed over the steps from the integer midpoint fill
    m to any fill (A >= La, T >= La + Lb along the way), E[D] lies within that radius
    of E[D](m). D* = (D - E)/(1 - E) (D >= E) or (D - E)/E increases with D and
    decreases with E, so ``D* in [D*(D_lo, E_hi), D*(D_hi, E_lo)]``.
    """
    def total(x):
        return np.bincount(group, weights=x.astype(np.float64), minlength=n_groups)

    La, Lb = total(al), total(bl)
    mid_a, mid_b = (al + ah) // 2, (bl + bh) // 2
    e_mid, _ = _expected_kernels(mid_a, mid_b, group, n_groups)
    lt = La + Lb
    with np.errstate(divide="ignore", invalid="ignore"):
        step_a = 2.0 / (La + 1.0) + 1.0 / (lt + 1.0)
        step_b = 2.0 / (Lb + 1.0) + 1.0 / (lt + 1.0)
        radius = total(ah - mid_a) * step_a + total(bh - mid_b) * step_b
    trivial = (La == 0) | (Lb == 0) | ~np.isfinite(e_mid)
    e_lo = np.where(trivial, 0.0, np.clip(e_mid - radius, 0.0, 1.0))
    e_hi = np.where(trivial, 1.0, np.clip(e_mid + radius, 0.0, 1.0))
    ds_lo = np.clip(np.nan_to_num(_standardise(d_lo, e_hi), nan=-1.0), -1.0, 1.0)
    ds_hi = np.clip(np.nan_to_num(_standardise(d_hi, e_lo), nan=1.0), -1.0, 1.0)
    ds_lo = np.where(trivial, -1.0, ds_lo)
    ds_hi = np.where(trivial, 1.0, ds_hi)
    return np.vstack([e_lo, e_hi, ds_lo, ds_hi])


def segregation_bounds(
    a_low: Any,
    a_high: Any,
    b_low: Any,
    b_high: Any,
    *,
    group: Any = None,
    exact_limit: int = DEFAULT_EXACT_LIMIT,
) -> pd.DataFrame:
    """The range of D, H, E[D] and D* over every feasible fill of censored unit counts.

    Parameters
    ----------
    a_low, a_high : array_like of int, shape (n_units,)
        Interval of group A's count per unit (equal when exact).
    b_low, b_high : array_like of int, shape (n_units,)
        Interval of group B's count per unit.
    group : array_like of int, shape (n_units,), optional
        The area-year ``0 .. n_groups - 1`` of each unit (default: one area).
    exact_limit : int
        Area-years with at most this many feasible fills are evaluated exactly
        (every fill); others get the proven enclosure. 0 forces the enclosure.

    Returns
    -------
    pandas.DataFrame
        One row per group: ``n_units``, ``n_free`` (varying unit-group intervals),
        ``n_fills`` (feasible fills, float: it can be astronomically large), then for
        each of :data:`INDICES` (``dissimilarity``, ``theil_h``,
        ``dissimilarity_expected``, ``dissimilarity_standardised``) ``{index}_method``
        (``"none"`` when nothing is censored, ``"exact"`` (every fill), ``"monotone"``
        (D and H: exact at two fills) or ``"bound"`` (a proven enclosure, possibly
        wider than the range)), ``{index}_low`` and ``{index}_high``. With nothing
        censored low = high = the engine's value. NaN where the index is undefined for
        every fill (a group absent).

    Raises
    ------
    TypeError, ValueError
        For counts that are not whole numbers >= 0, low above high, or mismatched
        lengths.

    Examples
    --------
    One censored count of women ([1, 4]) in a two-programme area: D is smallest (0)
    when the programme has 2 women, which neither end of the interval shows.

    >>> b = segregation_bounds([1, 10], [4, 10], [5, 25], [5, 25])
    >>> row = b.iloc[0]
    >>> row["dissimilarity_method"], int(row["n_fills"])
    ('exact', 4)
    >>> float(round(row["dissimilarity_low"], 4)), float(round(row["dissimilarity_high"], 4))
    (0.0, 0.119)
    """
    al, ah, bl, bh = _as_intervals(a_low, a_high, b_low, b_high)
    n = al.size
    if isinstance(exact_limit, bool) or not isinstance(exact_limit, int | np.integer) \
            or exact_limit < 0:
        raise ValueError(f"exact_limit must be a whole number >= 0, got {exact_limit!r}")
    group = (np.zeros(n, dtype=np.int64) if group is None
             else np.asarray(group, dtype=np.int64))
    if group.shape != (n,):
        raise ValueError(f"group must have one label per unit ({n}), got shape {group.shape}")
    if n and group.min() < 0:
        raise ValueError("group labels must be >= 0")
    n_groups = int(group.max()) + 1 if n else 0
    order = np.argsort(group, kind="stable")
    al, ah, bl, bh, group = al[order], ah[order], bl[order], bh[order], group[order]
    n_units = np.bincount(group, minlength=n_groups)
    start = np.cumsum(n_units) - n_units
    wa, wb = ah - al, bh - bl
    n_free = np.bincount(group, weights=(wa > 0).astype(float) + (wb > 0), minlength=n_groups)
    log_fills = np.bincount(group, weights=np.log(wa + 1.0) + np.log(wb + 1.0),
                            minlength=n_groups)
    n_fills = np.rint(np.exp(log_fills))
    none = n_free == 0
    exact = ~none & (log_fills <= np.log(exact_limit) + 1e-9) if exact_limit > 0 \
        else np.zeros(n_groups, dtype=bool)
    values = np.full((8, n_groups), np.nan)
    d0, h0 = _kernels(al, bl, group, n_groups)
    e0, ds0 = _expected_kernels(al, bl, group, n_groups)
    for row, v in enumerate((d0, h0, e0, ds0)):
        values[2 * row] = values[2 * row + 1] = v
    chosen = np.flatnonzero(exact)
    values[:, chosen] = _exact(al, ah, bl, bh, group, start, n_units,
                               np.where(exact, n_fills, 0).astype(np.int64), chosen)
    rest = ~none & ~exact
    method = np.where(none, "none", np.where(exact, "exact", "bound")).astype(object)
    method_d, method_h = method.copy(), method.copy()
    if rest.any():
        bounded, d_sure, h_sure = _bound(al, ah, bl, bh, group, n_groups)
        values[:4, rest] = bounded[:, rest]
        method_d[rest & d_sure] = "monotone"
        method_h[rest & h_sure] = "monotone"
        values[4:, rest] = _expected_bound(al, ah, bl, bh, group, n_groups,
                                           bounded[0], bounded[1])[:, rest]
    out = {"n_units": n_units, "n_free": n_free.astype(np.int64), "n_fills": n_fills}
    for name, m in zip(INDICES, (method_d, method_h, method, method), strict=True):
        out[f"{name}_method"] = m
    for row, name in enumerate(INDICES):
        out[f"{name}_low"], out[f"{name}_high"] = values[2 * row], values[2 * row + 1]
    return pd.DataFrame(out)
