"""The vectorised kernels of the two-group indices: every area-year in one pass.

Part of :mod:`segspatial.indices` (which re-exports these names): the counts of all
units of all area-years (:class:`GroupedCounts`) and one private kernel per index,
``kernel(counts) -> one value per area-year``, each a few :func:`numpy.bincount` sums
with no Python loop over area-years. The registry of named indices and the one-area
functions (:func:`segspatial.dissimilarity`, ...) are in :mod:`segspatial.indices`.
See there for the notation and the references.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from segspatial._hypergeom import _stirlerr, hypergeom_pmf, pmf_inner
from segspatial._keys import gather
from segspatial._reasons import reason as _reason
from segspatial.multigroup import MultiGroupedCounts


@dataclass(eq=False)
class GroupedCounts:
    """Counts of two groups for the units of many areas (area-years) at once.

    Parameters
    ----------
    a, b : numpy.ndarray
        Counts of group A and group B per unit (float64, finite, non-negative).
    group : numpy.ndarray
        Integer label ``0 .. n_groups - 1`` of the area-year each unit belongs to.
    n_groups : int
        Number of area-years.

    Notes
    -----
    Derived per-group totals are computed once and cached, and kernels may share
    intermediate results (e.g. the standardised D reuses E[D]) through :meth:`memo`.
    """

    a: np.ndarray
    b: np.ndarray
    group: np.ndarray
    n_groups: int
    _memo: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    _reasons: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    #: The indices a caller will ask for (a hint: D, H and V asked together share
    #: one pass over the units, see :func:`_dhv_kernels`).
    wanted: frozenset[str] = field(default=frozenset(), repr=False)

    def sum(self, x: np.ndarray) -> np.ndarray:
        """Sum a per-unit array within each group."""
        return np.bincount(self.group, weights=x, minlength=self.n_groups)

    def memo(self, key: str, compute: Callable[[], np.ndarray]) -> np.ndarray:
        """Return a cached per-group result, computing it on first use."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def explain(self, index: str, mask: np.ndarray, reason: str | np.ndarray) -> None:
        """Record why ``index`` is undefined (NaN) in the groups of ``mask``.

        Kernels call this for the cases only they can detect (a ratio lost to rounding,
        counts too large for exact arithmetic); the table engine and the scalar API
        report the reason instead of a generic "undefined for these counts".
        """
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        out = self._reasons.setdefault(index, np.full(self.n_groups, None, dtype=object))
        text = np.asarray(reason, dtype=object)
        out[mask & (out == None)] = text[mask] if text.ndim else text  # noqa: E711

    def reasons(self, index: str) -> np.ndarray | None:
        """Reasons recorded with :meth:`explain` for ``index`` (None where defined)."""
        return self._reasons.get(index)

    @cached_property
    def t(self) -> np.ndarray:
        """Pupils of A and B per unit."""
        return self.a + self.b

    @cached_property
    def A(self) -> np.ndarray:
        """Total of group A per group."""
        return self.sum(self.a)

    @cached_property
    def B(self) -> np.ndarray:
        """Total of group B per group."""
        return self.sum(self.b)

    @cached_property
    def T(self) -> np.ndarray:
        """Total of A and B per group."""
        return self.A + self.B

    @cached_property
    def P(self) -> np.ndarray:
        """Share of A per group (NaN for an empty group)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return self.A / self.T

    @cached_property
    def n_units(self) -> np.ndarray:
        """Number of units per group."""
        return np.bincount(self.group, minlength=self.n_groups)

    @cached_property
    def n_active(self) -> np.ndarray:
        """Number of units with pupils in the comparison (t_j > 0) per group.

        Only these take part in an index: a unit without pupils of A or B has weight 0,
        so an area-year needs at least two of them, whatever its empty units.
        """
        t = self.t
        if t.size and t.min() > 0:  # the usual case: every unit has pupils
            return self.n_units.astype(np.int64)
        return np.bincount(self.group, weights=t > 0,
                           minlength=self.n_groups).astype(np.int64)

    @cached_property
    def integer(self) -> np.ndarray:
        """Whether every count of the group is a whole number."""
        whole = (self.a == np.floor(self.a)) & (self.b == np.floor(self.b))
        if whole.all():  # the usual case: whole pupils everywhere
            return np.ones(self.n_groups, dtype=bool)
        return np.bincount(self.group, weights=~whole, minlength=self.n_groups) == 0

    @classmethod
    def single(cls, a: np.ndarray, b: np.ndarray) -> GroupedCounts:
        """One area: every unit in group 0."""
        return cls(a=a, b=b, group=np.zeros(a.shape[0], dtype=np.intp), n_groups=1)

    def as_multigroup(self) -> MultiGroupedCounts:
        """The same counts as K = 2 groups (A, B), for the multigroup kernels."""
        return self.memo("as_multigroup", lambda: MultiGroupedCounts.from_two(
            self.a, self.b, self.group, self.n_groups))


# --------------------------------------------------------------------------- kernels


#: Largest total for which every whole count is exact in float64 (2**53).
MAX_EXACT_COUNT = 2.0**53

#: Rounding-error budget of a reported ratio: an index whose propagated rounding error
#: bound exceeds this (absolute, on a scale of -1..1: six correct decimals) is NaN with
#: a reason instead.
RATIO_TOLERANCE = 1e-6

_EPS = np.finfo(np.float64).eps


def _shares(c: GroupedCounts) -> tuple[np.ndarray, np.ndarray]:
    """Each unit's share of its area's A and of its area's B (NaN where A or B is 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return c.a / c.A[c.group], c.b / c.B[c.group]


def _unit_share_a(c: GroupedCounts) -> np.ndarray:
    """p_j = a_j / t_j, with 0 for units without pupils of either group (weight 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(c.t > 0, c.a / np.where(c.t > 0, c.t, 1.0), 0.0)


def _binary_entropy(p: np.ndarray, q: np.ndarray | None = None) -> np.ndarray:
    """E(p) = -p ln p - q ln q with q = 1 - p, and 0 ln 0 = 0 (numpy only, no scipy).

    Pass ``q`` when it is known directly (b / t): 1 - p loses the digits of a small q.
    The logarithm of the larger share is taken as log1p(-smaller), so a share close to
    1 keeps its digits too (ln(1 - 5e-10) from a rounded 1 - 5e-10 is off by 4e-7).
    """
    p = np.asarray(p, dtype=np.float64)
    q = 1.0 - p if q is None else np.asarray(q, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        # each logarithm evaluated once, where it is used (ln 1 = 0 where a share is 0)
        log_p, log_q = np.zeros(p.shape), np.zeros(q.shape)
        for share, other, out in ((p, q, log_p), (q, p, log_q)):
            large = share > 0.5
            np.log1p(-other, out=out, where=large)
            np.log(share, out=out, where=~large & (share > 0))
        return -(np.where(p > 0, p * log_p, 0.0) + np.where(q > 0, q * log_q, 0.0))


def _unit_entropy(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """:func:`_binary_entropy` of shares p, q >= 0, in fewer passes (the same bits).

    ``p ln p`` needs no ``np.where(p > 0, ...)`` here: where p is 0 its logarithm is
    left at 0, and 0 * 0 is the 0 that the mask gives (the sum differs from
    :func:`_binary_entropy` only in the sign of a zero where p = q = -0, a unit
    without pupils, which the caller replaces by 0).
    """
    log_p, log_q = np.zeros(p.shape), np.zeros(q.shape)
    for share, other, out in ((p, q, log_p), (q, p, log_q)):
        large = share > 0.5
        np.log1p(-other, out=out, where=large)
        np.log(share, out=out, where=~large & (share > 0))
    log_p *= p
    log_q *= q
    log_p += log_q
    return np.negative(log_p, out=log_p)


#: Units per block of the per-unit terms of the kernels: their array operations then
#: run on arrays that stay in the CPU's cache, and no temporary array is as long as
#: the panel (each unit's term depends on that unit alone, so the values do not
#: depend on the block size; the sums over units run once, over all of them).
_BLOCK = 1 << 15


def _by_block(n: int, term: Callable[[slice], np.ndarray]) -> np.ndarray:
    """``term(units)`` for the units ``0 .. n - 1``, evaluated in blocks of _BLOCK."""
    if n <= _BLOCK:
        return term(slice(0, n))
    out = np.empty(n)
    for start in range(0, n, _BLOCK):
        block = slice(start, min(start + _BLOCK, n))
        out[block] = term(block)
    return out


_DHV = ("dissimilarity", "theil_h", "correlation")


def _dhv_together(c: GroupedCounts) -> bool:
    """Whether two or more of D, H and V are wanted: then one pass computes all three."""
    return sum(name in c.wanted for name in _DHV) >= 2


def _dhv_kernels(c: GroupedCounts) -> dict[str, np.ndarray]:
    """D, H and V in one pass over the units (memoised).

    The same per-unit terms, in the same order, as :func:`_dissimilarity_kernel`,
    :func:`_theil_h_kernel` and :func:`_correlation_kernel` compute them one by one
    (the same bits), with the unit's area, size and share read once for all three.
    """
    def compute() -> dict[str, np.ndarray]:
        n = c.a.size
        d_term, h_term, v_term = np.empty(n), np.empty(n), np.empty(n)
        with np.errstate(divide="ignore", invalid="ignore"):
            e_area = _binary_entropy(c.A / c.T, c.B / c.T)
            share = c.A / c.T  # = A[g] / T[g] unit by unit, as the V kernel divides
            for start in range(0, n, _BLOCK):
                u = slice(start, min(start + _BLOCK, n))
                g, a, b, t = c.group[u], c.a[u], c.b[u], c.t[u]
                d_term[u] = np.abs(a / gather(c.A, g) - b / gather(c.B, g))
                has = t > 0
                tt = np.where(has, t, 1.0)
                p = a / tt
                e_unit = np.where(has, _unit_entropy(p, b / tt), 0.0)
                h_term[u] = t * (gather(e_area, g) - e_unit)
                dev = np.where(has, p, 0.0) - gather(share, g)
                v_term[u] = t * dev * dev
            return {"dissimilarity": 0.5 * c.sum(d_term),
                    "theil_h": c.sum(h_term) / (c.T * e_area),
                    "correlation": c.sum(v_term) * c.T / (c.A * c.B)}

    return c.memo("dhv", compute)


def _dissimilarity_kernel(c: GroupedCounts) -> np.ndarray:
    if _dhv_together(c):
        return _dhv_kernels(c)["dissimilarity"]

    def term(u: slice) -> np.ndarray:  # |a_j/A - b_j/B|, as _shares gives them
        g = c.group[u]
        return np.abs(c.a[u] / gather(c.A, g) - c.b[u] / gather(c.B, g))

    def compute() -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            # D is in [0, 1]: a rounding error never takes it outside (NaN stays NaN)
            return np.minimum(0.5 * c.sum(_by_block(c.a.size, term)), 1.0)

    return c.memo("dissimilarity", compute)


def _floor_product_ratio(n: np.ndarray, k: np.ndarray, big_n: np.ndarray) -> np.ndarray:
    """floor(n * k / N) exactly, for whole n, k <= N <= 2**53 (int64 arrays).

    int64 arithmetic where n * k < 2**62 (every realistic school); Python's exact
    integers for the few products that would overflow (a loop over those units only).
    """
    out = np.zeros(n.shape, dtype=np.int64)
    small = n.astype(np.float64) * k.astype(np.float64) < 2.0**62
    out[small] = (n[small] * k[small]) // big_n[small]
    for i in np.flatnonzero(~small):
        out[i] = int(n[i]) * int(k[i]) // int(big_n[i])
    return out


def _mean_absolute_deviation(c: GroupedCounts, rows: np.ndarray,
                             st: tuple[np.ndarray, ...] | None,
                             edge: list[np.ndarray] | None,
                             far: list[np.ndarray] | None) -> np.ndarray:
    """E|a_j - mu_j| of the units ``rows`` (with pupils, in areas where E[D] is defined).

    With ``edge`` and ``far`` (lists), a block: the units at the edge of the support and
    those far from the mean get 0 here and their rows are appended to those lists, to
    be evaluated together afterwards: with ``st`` (the per-area Stirling errors) the far
    ones by :func:`pmf_inner`, without it the edges by :func:`hypergeom_pmf`.
    """
    gg = c.group[rows]
    tf, kf = c.T[gg], c.A[gg]  # whole numbers (ok_group), at most 2**53
    nf = c.t[rows]
    prod = nf * kf
    if prod.size and prod.max() >= MAX_EXACT_COUNT:  # n K not exact: integers
        k = _floor_product_ratio(np.rint(nf).astype(np.int64),
                                 np.rint(kf).astype(np.int64),
                                 np.rint(tf).astype(np.int64))
        x = (k + 1).astype(np.float64)
    else:  # floor(fl(nK / N)) = floor(nK / N) when nK < 2**53
        x = np.floor(prod / tf) + 1.0
    ff = tf - kf
    if edge is None and st is None:  # the edges of the support: the general pmf
        pmf = hypergeom_pmf(x, tf, kf, nf)
    elif edge is None:  # the units far from the mean, all of them at once
        pmf = pmf_inner(x, nf, kf, ff, tf, stirlerr_successes=st[0][gg],
                        stirlerr_failures=st[1][gg], stirlerr_population=st[2][gg])
    else:
        y = nf - x
        inner = (x < kf) & (y > 0) & (y < ff) & (nf < tf)  # x > 0 always
        found: list[np.ndarray] = []
        if inner.all():
            pmf = pmf_inner(x, nf, kf, ff, tf, stirlerr_successes=st[0][gg],
                            stirlerr_failures=st[1][gg], stirlerr_population=st[2][gg],
                            far=found)
            away = found[0]
        else:  # a unit at the edge of the support (e.g. one pupil)
            pmf = np.zeros(x.shape)
            i = np.flatnonzero(inner)
            gi = gg[i]
            pmf[i] = pmf_inner(x[i], nf[i], kf[i], ff[i], tf[i],
                               stirlerr_successes=st[0][gi], stirlerr_failures=st[1][gi],
                               stirlerr_population=st[2][gi], far=found)
            away = i[found[0]]
            edge.append(rows[~inner])
        if away.size:
            far.append(rows[away])
    return 2.0 * x * (ff - nf + x) / tf * pmf


def _expected_dissimilarity_kernel(c: GroupedCounts) -> np.ndarray:
    """Exact E[D] under random allocation (Carrington & Troske 1997).

    Under random allocation of the T pupils to units of fixed sizes t_j, a_j is
    hypergeometric (population T, A successes, t_j draws) with mean mu_j = t_j P, and
    |a_j/A - b_j/B| = T/(A B) |a_j - mu_j|, so E[D] = T/(2AB) Σ_j E|a_j - mu_j|. The
    mean absolute deviation of a hypergeometric variable has the closed form

        E|X - mu| = 2 (k+1) (N - K - n + k + 1) / N * f(k + 1),   k = floor(n K / N),

    with f the hypergeometric pmf (the analogue of de Moivre's formula for the
    binomial), so E[D] needs one pmf evaluation per unit: no simulation, no noise. The
    pmf is evaluated with Loader's saddle-point algorithm (see
    :mod:`segspatial._hypergeom`), accurate to a few ulps for any school size. Exact
    for every total up to 2**53 pupils (k in exact integer arithmetic); above that,
    whole numbers are not exact in float64 and the area-year is NaN with a reason.
    """

    def compute() -> np.ndarray:
        too_big = c.T > MAX_EXACT_COUNT
        ok_group = c.integer & (c.A > 0) & (c.B > 0) & ~too_big
        c.explain("dissimilarity_expected", too_big, _reason(
            "too_many_pupils", "more than 2**53 pupils: whole counts are not exact in "
            "float64, so the exact E[D] cannot be computed"))
        ok = ok_group[c.group] & (c.t > 0)  # empty units add nothing (E|X - mu| = 0)
        # Stirling errors of the area totals once per area
        st = tuple(_stirlerr(np.rint(v)) for v in (c.A, c.B, c.T))
        mad = np.zeros(c.a.shape)
        edge: list[np.ndarray] = []
        far: list[np.ndarray] = []
        for start in range(0, mad.size, _BLOCK):  # blocks that stay in the CPU's cache
            block = slice(start, start + _BLOCK)
            rows = np.flatnonzero(ok[block]) + start
            if rows.size:
                mad[rows] = _mean_absolute_deviation(c, rows, st, edge, far)
        for found, pmf in ((edge, None), (far, st)):
            if found:  # evaluated together, as their pmf needs (see pmf_inner)
                rows = np.concatenate(found)
                mad[rows] = _mean_absolute_deviation(c, rows, pmf, None, None)
        with np.errstate(divide="ignore", invalid="ignore"):
            expected = c.T / (2.0 * c.A * c.B) * c.sum(mad)
        # E[D] is in [0, 1] (a mean of D): rounding never takes it outside
        return np.where(ok_group, np.clip(expected, 0.0, 1.0), np.nan)

    return c.memo("dissimilarity_expected", compute)


def _standardised_dissimilarity_kernel(c: GroupedCounts) -> np.ndarray:
    """D* = (D - E) / (1 - E) if D >= E, else (D - E) / E, guarded against cancellation.

    Rounding-error bounds: D, a sum of n shares, to (n + 4) eps; E[D] to (n + 64) eps
    relative (Loader's pmf is good to a few ulps per unit); both are clipped into
    [0, 1]. Where the error bound of D* propagated through the ratio exceeds
    :data:`RATIO_TOLERANCE` (a denominator within rounding of 0: E[D] = 1 - 2e-16, or
    D = E[D] = 1, the 0/0 of one pupil per unit), D* is NaN with a reason instead of a
    number made of rounding errors. Where D = E[D] within their rounding errors the
    branch is unknown, and the smaller denominator is the one checked.
    """
    d = _dissimilarity_kernel(c)  # both in [0, 1] (clipped)
    e = _expected_dissimilarity_kernel(c)
    why_e = c.reasons("dissimilarity_expected")  # D* is undefined where E[D] is, as E[D]
    if why_e is not None:
        c.explain("dissimilarity_standardised", why_e != None, why_e)  # noqa: E711
    n = c.n_units.astype(np.float64)
    err_d = (n + 4.0) * _EPS
    err_e = np.abs(e) * (n + 64.0) * _EPS
    above = d >= e
    # D = E[D] within rounding: the branch is not known, so both denominators must be
    # larger than their rounding error (D = E[D] = 1 with E[D] rounded above D, as for
    # one pupil per unit, is 0/0 too)
    tied = np.abs(d - e) <= err_d + err_e
    small_one = np.where(tied, 1.0 - e <= e, above)  # the denominator checked is 1 - E
    den = np.where(above, 1.0 - e, e)
    checked = np.where(small_one, 1.0 - e, e)
    err_den = np.where(small_one, err_e + _EPS, err_e)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = (d - e) / den
        error = (err_d + err_e + err_den) / np.abs(checked)
    lost = np.isfinite(e) & ~(error <= RATIO_TOLERANCE)
    if lost.any():
        text = np.full(c.n_groups, None, dtype=object)
        for i in np.flatnonzero(lost):  # only the undefined area-years
            which = "1 - E[D]" if small_one[i] else "E[D]"
            text[i] = _reason("expected_d_degenerate",
                              f"D* is 0/0 within rounding: D = {float(d[i])!r}, E[D] = "
                              f"{float(e[i])!r}, so {which} = {checked[i]:.3g} is not "
                              "larger than its rounding error")
        c.explain("dissimilarity_standardised", lost, text)
    return np.where(lost, np.nan, value)


def _theil_h_kernel(c: GroupedCounts) -> np.ndarray:
    if _dhv_together(c):
        return _dhv_kernels(c)["theil_h"]

    def term(u: slice) -> np.ndarray:  # t_j (E(P) - E(p_j))
        t = c.t[u]
        has = t > 0
        tt = np.where(has, t, 1.0)
        e_unit = np.where(has, _unit_entropy(c.a[u] / tt, c.b[u] / tt), 0.0)
        return t * (gather(e_area, c.group[u]) - e_unit)

    with np.errstate(divide="ignore", invalid="ignore"):
        e_area = _binary_entropy(c.A / c.T, c.B / c.T)
        return c.sum(_by_block(c.a.size, term)) / (c.T * e_area)


def _correlation_kernel(c: GroupedCounts) -> np.ndarray:
    """V = Σ t_j (p_j - P)^2 / (T P Q): eta squared, = (xPx - P) / (1 - P).

    The sum of squares has no cancellation and T P Q = A B / T needs no 1 - P, so V
    keeps its digits when one group is tiny (xPx - P and 1 - P both lose them).
    """
    if _dhv_together(c):
        return _dhv_kernels(c)["correlation"]

    def term(u: slice) -> np.ndarray:  # t_j (p_j - P)^2, p_j as _unit_share_a gives it
        t, g = c.t[u], c.group[u]
        dev = np.where(t > 0, c.a[u] / np.where(t > 0, t, 1.0), 0.0) - (gather(c.A, g)
                                                                          / gather(c.T, g))
        return t * dev * dev

    with np.errstate(divide="ignore", invalid="ignore"):
        return c.sum(_by_block(c.a.size, term)) * c.T / (c.A * c.B)


def undefined_reasons(c: GroupedCounts, group_a: str | None = None,
                      group_b: str | None = None) -> np.ndarray:
    """Why every index is undefined in each group (None where the indices are defined).

    The one rule of the table engine and the scalar API: an area-year needs at least
    two units with pupils in the comparison (empty units do not count), and both
    groups present. Fewer than two units takes precedence over an absent group.

    Parameters
    ----------
    c : GroupedCounts
    group_a, group_b : str, optional
        How the reasons name the groups (column or group names), e.g. "group A (dutch)
        is absent"; without them "group A is absent".

    Returns
    -------
    numpy.ndarray
        Object array of length ``c.n_groups``.
    """
    reason = np.full(c.n_groups, None, dtype=object)
    a_absent, b_absent = c.A == 0, c.B == 0
    name_a = f"A ({group_a})" if group_a is not None else "A"
    name_b = f"B ({group_b})" if group_b is not None else "B"
    reason[a_absent & b_absent] = _reason("groups_absent",
                                          f"groups {name_a} and {name_b} are both absent")
    reason[a_absent & ~b_absent] = _reason("group_a_absent", f"group {name_a} is absent")
    reason[b_absent & ~a_absent] = _reason("group_b_absent", f"group {name_b} is absent")
    few = c.n_active < 2
    if few.any():
        reason[few] = np.array(
            [_reason("fewer_than_2_units",
                     f"fewer than 2 units with pupils in the comparison ({k} of {n} units)")
             for k, n in zip(c.n_active[few], c.n_units[few], strict=True)], dtype=object)
    return reason


def exposure_isolation(c: GroupedCounts, env_a: np.ndarray | None = None,
                       env_b: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Exposure and isolation (Massey & Denton 1988) of both groups, per area-year.

    ``isolation_a`` = aPa = Σ_j (a_j/A)(ã_j/t̃_j), ``exposure_ab`` = aPb = Σ_j (a_j/A)
    (b̃_j/t̃_j), and ``isolation_b`` (bPb), ``exposure_ba`` (bPa) likewise: the share of
    each group, or of the other, in the surroundings of the average pupil of a group.
    Aspatially the surroundings are the unit itself (ã = a, b̃ = b, t̃ = t = a + b, so
    aPa + aPb = 1 and A·aPb = B·bPa).

    This is also the extension point for the *spatial* exposure and isolation
    (Reardon & O'Sullivan 2004): pass the local-environment counts ``env_a = K a`` and
    ``env_b = K b`` of an environment operator K (e.g. the bounded dispersal
    environments of :mod:`segspatial.spatial`), one value per unit in the order of
    ``c``; the pupils keep their own units' weights a_j/A.

    Parameters
    ----------
    c : GroupedCounts
        The units of every area-year.
    env_a, env_b : numpy.ndarray, optional
        Counts of A and B in each unit's environment (default: the unit's own).

    Returns
    -------
    dict
        ``isolation_a``, ``exposure_ab``, ``isolation_b``, ``exposure_ba``: arrays of
        length ``c.n_groups`` (NaN where the group is absent).
    """
    ea = c.a if env_a is None else np.asarray(env_a, dtype=np.float64)
    eb = c.b if env_b is None else np.asarray(env_b, dtype=np.float64)
    te = ea + eb
    sa, sb = _shares(c)
    with np.errstate(divide="ignore", invalid="ignore"):
        pa = np.where(te > 0, ea / np.where(te > 0, te, 1.0), 0.0)
        pb = np.where(te > 0, eb / np.where(te > 0, te, 1.0), 0.0)
    # a unit with pupils of A always has an environment with pupils (its own)
    wa = np.where(c.a > 0, sa, 0.0)
    wb = np.where(c.b > 0, sb, 0.0)
    out = {"isolation_a": c.sum(wa * pa), "exposure_ab": c.sum(wa * pb),
           "isolation_b": c.sum(wb * pb), "exposure_ba": c.sum(wb * pa)}
    out["isolation_a"][c.A == 0] = np.nan
    out["exposure_ab"][c.A == 0] = np.nan
    out["isolation_b"][c.B == 0] = np.nan
    out["exposure_ba"][c.B == 0] = np.nan
    return out


def _exposure_part(name: str) -> Callable[[GroupedCounts], np.ndarray]:
    def kernel(c: GroupedCounts) -> np.ndarray:
        return c.memo("exposure_isolation", lambda: exposure_isolation(c))[name]

    kernel.__name__ = f"_{name}_kernel"
    return kernel
