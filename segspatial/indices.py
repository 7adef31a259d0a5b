"""Aspatial segregation indices for two groups, vectorised over many areas at once.

Every index has a private *kernel* that takes a :class:`GroupedCounts` (the counts of
all units of all area-years, with a group label per unit) and returns one value per
group in a single pass of :func:`numpy.bincount`; there is no Python loop over
area-years. The public functions (:func:`dissimilarity`, ...) validate two count
vectors for one area and call the same kernels, so the table engine and the scalar
API can never disagree.

Notation (one area-year): unit *j* has counts ``a_j`` and ``b_j``,
``t_j = a_j + b_j``, ``A = Σ a_j``, ``B = Σ b_j``, ``T = A + B`` and ``P = A / T``.

The registry also holds the multigroup indices of :mod:`segspatial.multigroup`
(``IndexSpec.multigroup``): their kernels take a
:class:`~segspatial.multigroup.MultiGroupedCounts` with K >= 2 groups, and the two-group
engine computes them with K = 2 (where they equal the two-group values).

References
----------
Duncan, O. D. & Duncan, B. (1955). A methodological analysis of segregation indexes.
    *American Sociological Review* 20(2), 210-217.
Carrington, W. J. & Troske, K. R. (1997). On measuring segregation in samples with
    small units. *Journal of Business & Economic Statistics* 15(4), 402-409.
Reardon, S. F. & Firebaugh, G. (2002). Measures of multigroup segregation.
    *Sociological Methodology* 32, 33-67.
Massey, D. S. & Denton, N. A. (1988). The dimensions of residential segregation.
    *Social Forces* 67(2), 281-315.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property
from importlib import metadata
from typing import Any

import numpy as np

from segspatial._exceptions import SegregationWarning
from segspatial._hypergeom import _stirlerr, hypergeom_pmf, pmf_inner
from segspatial.multigroup import (
    MultiGroupedCounts,
    _entropy_kernel,
    _multigroup_dissimilarity_kernel,
    _multigroup_theil_h_kernel,
    _mutual_information_kernel,
    _normalised_exposure_kernel,
)

__all__ = [
    "DEFAULT_INDICES",
    "DEFAULT_MULTIGROUP_INDICES",
    "GroupedCounts",
    "IndexSpec",
    "available_indices",
    "correlation",
    "dissimilarity",
    "expected_dissimilarity",
    "exposure",
    "exposure_isolation",
    "get_index",
    "isolation",
    "register_index",
    "standardised_dissimilarity",
    "theil_h",
    "undefined_reasons",
]

ENTRY_POINT_GROUP = "segspatial.indices"


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
        return np.bincount(self.group, weights=self.t > 0,
                           minlength=self.n_groups).astype(np.int64)

    @cached_property
    def integer(self) -> np.ndarray:
        """Whether every count of the group is a whole number."""
        whole = (self.a == np.floor(self.a)) & (self.b == np.floor(self.b))
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


def _dissimilarity_kernel(c: GroupedCounts) -> np.ndarray:
    def compute() -> np.ndarray:
        sa, sb = _shares(c)
        return 0.5 * c.sum(np.abs(sa - sb))

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


#: Units per block of the exact E[D]: its ~100 array operations per unit run on
#: arrays that stay in the CPU's cache (values do not depend on the block size).
_BLOCK = 1 << 15


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
        c.explain("dissimilarity_expected", too_big,
                  "more than 2**53 pupils: whole counts are not exact in float64, so the "
                  "exact E[D] cannot be computed")
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
        return np.where(ok_group, expected, np.nan)

    return c.memo("dissimilarity_expected", compute)


def _standardised_dissimilarity_kernel(c: GroupedCounts) -> np.ndarray:
    """D* = (D - E) / (1 - E) if D >= E, else (D - E) / E, guarded against cancellation.

    Rounding-error bounds: D, a sum of n shares, to (n + 4) eps; E[D] to (n + 64) eps
    relative (Loader's pmf is good to a few ulps per unit). Where the error bound of D*
    propagated through the ratio exceeds :data:`RATIO_TOLERANCE` (a denominator within
    rounding of 0: E[D] = 1 - 2e-16, or D = E[D] = 1, the 0/0 of one pupil per unit),
    D* is NaN with a reason instead of a number made of rounding errors.
    """
    d = _dissimilarity_kernel(c)
    e = _expected_dissimilarity_kernel(c)
    n = c.n_units.astype(np.float64)
    err_d = (n + 4.0) * _EPS
    err_e = np.abs(e) * (n + 64.0) * _EPS
    above = d >= e
    den = np.where(above, 1.0 - e, e)
    err_den = np.where(above, err_e + _EPS, err_e)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = (d - e) / den
        error = (err_d + err_e + err_den) / np.abs(den)
    lost = np.isfinite(e) & ~(error <= RATIO_TOLERANCE)
    if lost.any():
        text = np.full(c.n_groups, None, dtype=object)
        for i in np.flatnonzero(lost):  # only the undefined area-years
            which = "1 - E[D]" if above[i] else "E[D]"
            text[i] = (f"D* is 0/0 within rounding: D = {float(d[i])!r}, E[D] = "
                       f"{float(e[i])!r}, so "
                       f"{which} = {den[i]:.3g} is not larger than its rounding error")
        c.explain("dissimilarity_standardised", lost, text)
    return np.where(lost, np.nan, value)


def _theil_h_kernel(c: GroupedCounts) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        e_area = _binary_entropy(c.A / c.T, c.B / c.T)
        tt = np.where(c.t > 0, c.t, 1.0)
        e_unit = np.where(c.t > 0, _binary_entropy(c.a / tt, c.b / tt), 0.0)
        return c.sum(c.t * (e_area[c.group] - e_unit)) / (c.T * e_area)


def _correlation_kernel(c: GroupedCounts) -> np.ndarray:
    """V = Σ t_j (p_j - P)^2 / (T P Q): eta squared, = (xPx - P) / (1 - P).

    The sum of squares has no cancellation and T P Q = A B / T needs no 1 - P, so V
    keeps its digits when one group is tiny (xPx - P and 1 - P both lose them).
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        dev = _unit_share_a(c) - c.A[c.group] / c.T[c.group]
        return c.sum(c.t * dev * dev) * c.T / (c.A * c.B)


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
    reason[a_absent & b_absent] = f"groups {name_a} and {name_b} are both absent"
    reason[a_absent & ~b_absent] = f"group {name_a} is absent"
    reason[b_absent & ~a_absent] = f"group {name_b} is absent"
    few = c.n_active < 2
    if few.any():
        reason[few] = np.array(
            [f"fewer than 2 units with pupils in the comparison ({k} of {n} units)"
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


# --------------------------------------------------------------------------- registry


@dataclass(frozen=True)
class IndexSpec:
    """A named segregation index that the table engine can compute.

    Parameters
    ----------
    name : str
        The value of the ``index`` column in results tables.
    kernel : callable
        ``kernel(counts: GroupedCounts) -> numpy.ndarray`` of length
        ``counts.n_groups``: the index for every area-year at once.
    description : str
        One line for ``segspatial list-indices``.
    requires_integer : bool
        Whether the index needs whole-number counts; area-years with fractional
        counts get NaN with a reason instead.
    multigroup : bool
        Whether ``kernel`` takes a :class:`~segspatial.multigroup.MultiGroupedCounts`
        (K >= 2 groups) instead of a :class:`GroupedCounts`. Multigroup indices are
        computed by :func:`segspatial.multigroup_segregation` for any K and by the
        two-group engine with K = 2.
    information : bool
        Whether the value is an amount of information (nats), rescaled by 1 / ln(base)
        and named ``{name}_base{base}`` when a logarithm base other than e is chosen.
    """

    name: str
    kernel: Callable[[Any], np.ndarray]
    description: str = ""
    requires_integer: bool = False
    multigroup: bool = False
    information: bool = False


def _per_area(name: str, func: Callable[[np.ndarray, np.ndarray], float]) -> IndexSpec:
    """Wrap a plug-in ``func(a, b) -> float`` for one area into a kernel."""

    def kernel(c: GroupedCounts) -> np.ndarray:
        order = np.argsort(c.group, kind="stable")
        bounds = np.searchsorted(c.group[order], np.arange(c.n_groups + 1))
        out = np.full(c.n_groups, np.nan)
        for i in range(c.n_groups):  # plug-ins are opaque: one call per area-year
            sel = order[bounds[i] : bounds[i + 1]]
            out[i] = float(func(c.a[sel], c.b[sel]))
        return out

    doc = (func.__doc__ or "").strip().splitlines()
    return IndexSpec(name=name, kernel=kernel, description=doc[0] if doc else "plug-in")


_BUILTIN: dict[str, IndexSpec] = {
    spec.name: spec
    for spec in (
        IndexSpec(
            "dissimilarity",
            _dissimilarity_kernel,
            "Dissimilarity index D (Duncan & Duncan 1955)",
        ),
        IndexSpec(
            "dissimilarity_expected",
            _expected_dissimilarity_kernel,
            "Exact expected D under random allocation (hypergeometric)",
            requires_integer=True,
        ),
        IndexSpec(
            "dissimilarity_standardised",
            _standardised_dissimilarity_kernel,
            "Standardised dissimilarity D* (Carrington & Troske 1997)",
            requires_integer=True,
        ),
        IndexSpec("theil_h", _theil_h_kernel, "Theil's information index H"),
        IndexSpec(
            "correlation",
            _correlation_kernel,
            "Correlation index V, eta squared (Massey & Denton 1988)",
        ),
    )
}

#: The indices :func:`segspatial.segregation_table` computes when none are named.
DEFAULT_INDICES: tuple[str, ...] = tuple(_BUILTIN)

_BUILTIN.update({
    spec.name: spec
    for spec in (
        IndexSpec("isolation_a", _exposure_part("isolation_a"),
                  "Isolation aPa of group A (Massey & Denton 1988)"),
        IndexSpec("exposure_ab", _exposure_part("exposure_ab"),
                  "Exposure aPb of group A to group B (Massey & Denton 1988)"),
        IndexSpec("isolation_b", _exposure_part("isolation_b"),
                  "Isolation bPb of group B (Massey & Denton 1988)"),
        IndexSpec("exposure_ba", _exposure_part("exposure_ba"),
                  "Exposure bPa of group B to group A (Massey & Denton 1988)"),
        IndexSpec("mutual_information", _mutual_information_kernel,
                  "Mutual information index M, nats (Theil 1971; Mora & Ruiz-Castillo "
                  "2011)", multigroup=True, information=True),
        IndexSpec("multigroup_theil_h", _multigroup_theil_h_kernel,
                  "Theil's information index H = M / E for K groups (Reardon & Firebaugh "
                  "2002)", multigroup=True),
        IndexSpec("multigroup_dissimilarity", _multigroup_dissimilarity_kernel,
                  "Multigroup dissimilarity D (Reardon & Firebaugh 2002; Sakoda 1981)",
                  multigroup=True),
        IndexSpec("normalised_exposure", _normalised_exposure_kernel,
                  "Normalised exposure P for K groups (Reardon & Firebaugh 2002; PySAL "
                  "MultiNormExposure)", multigroup=True),
        IndexSpec("entropy", _entropy_kernel,
                  "Entropy E of the area's group shares (diversity), nats",
                  multigroup=True, information=True),
    )
})

#: The indices :func:`segspatial.multigroup_segregation` computes when none are named.
DEFAULT_MULTIGROUP_INDICES: tuple[str, ...] = (
    "mutual_information", "multigroup_theil_h", "multigroup_dissimilarity",
    "normalised_exposure", "entropy",
)

_registry: dict[str, IndexSpec] = dict(_BUILTIN)
_entry_points_loaded = False


def register_index(spec: IndexSpec, *, replace: bool = False) -> None:
    """Add an index to the registry so that tables and the CLI can compute it.

    Parameters
    ----------
    spec : IndexSpec
        The index.
    replace : bool, default False
        Allow replacing an index of the same name (never a built-in one).

    Raises
    ------
    TypeError
        If ``spec`` is not an :class:`IndexSpec`.
    ValueError
        If the name is taken and ``replace`` is false, or names a built-in index.
    """
    if not isinstance(spec, IndexSpec):
        raise TypeError(f"spec must be an IndexSpec, got {type(spec).__name__}")
    if spec.name in _BUILTIN:
        raise ValueError(f"index {spec.name!r} is built in and cannot be replaced")
    if spec.name in _registry and not replace:
        raise ValueError(f"index {spec.name!r} is already registered; pass replace=True")
    _registry[spec.name] = spec


def _load_entry_points() -> None:
    """Register the indices that installed packages offer under ``segspatial.indices``.

    An entry point may name an :class:`IndexSpec` or a function ``f(a, b) -> float``
    computing the index for one area (called once per area-year).
    """
    global _entry_points_loaded
    if _entry_points_loaded:
        return
    _entry_points_loaded = True
    for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
        try:
            obj = ep.load()
        except Exception as exc:  # a broken plug-in must not break the core
            warnings.warn(
                f"could not load segregation index plug-in {ep.name!r} ({ep.value}): {exc}",
                SegregationWarning,
                stacklevel=2,
            )
            continue
        if isinstance(obj, IndexSpec):
            spec = obj if obj.name == ep.name else replace(obj, name=ep.name)
        elif callable(obj):
            spec = _per_area(ep.name, obj)
        else:
            warnings.warn(
                f"plug-in {ep.name!r} ({ep.value}) is neither an IndexSpec nor callable; "
                "ignored",
                SegregationWarning,
                stacklevel=2,
            )
            continue
        if spec.name not in _registry:
            _registry[spec.name] = spec


def available_indices() -> dict[str, IndexSpec]:
    """All registered indices, built-in first, then plug-ins, by name."""
    _load_entry_points()
    return dict(_registry)


def get_index(name: str) -> IndexSpec:
    """The registered index called ``name``.

    Raises
    ------
    ValueError
        If no index has that name; the message lists the available ones.
    """
    registry = available_indices()
    if name not in registry:
        raise ValueError(
            f"unknown index {name!r}; available: {', '.join(registry)}"
        )
    return registry[name]


def resolve_indices(indices: str | Iterable[str] | None, *,
                    multigroup: bool = False) -> list[IndexSpec]:
    """Turn the ``indices`` argument into a list of specs.

    Parameters
    ----------
    indices : str, iterable of str or None
        Index names; None gives :data:`DEFAULT_INDICES` (or
        :data:`DEFAULT_MULTIGROUP_INDICES` with ``multigroup``).
    multigroup : bool
        Whether the engine has K groups: then every index must be a multigroup one
        (two-group indices such as D* need exactly two groups A and B).

    Raises
    ------
    TypeError, ValueError
        For names that are not strings, unknown names, an empty list, or a two-group
        index in a multigroup run.
    """
    if indices is None:
        names = DEFAULT_MULTIGROUP_INDICES if multigroup else DEFAULT_INDICES
        return [_BUILTIN[name] for name in names]
    if isinstance(indices, str):
        indices = [indices]
    names = list(indices)
    if not names:
        raise ValueError("indices must name at least one index, got an empty list")
    bad = [n for n in names if not isinstance(n, str)]
    if bad:
        raise TypeError(f"indices must be names (str), got {bad!r}")
    seen: dict[str, IndexSpec] = {}
    for name in names:
        seen.setdefault(name, get_index(name))
    if multigroup:
        two = [n for n, spec in seen.items() if not spec.multigroup]
        if two:
            allowed = [n for n, spec in available_indices().items() if spec.multigroup]
            raise ValueError(
                f"indices: {', '.join(map(repr, two))} compare two groups A and B; with "
                f"several groups the indices are: {', '.join(allowed)}"
            )
    return list(seen.values())


# --------------------------------------------------------------------------- scalar API


def _as_counts(x: Any, name: str) -> np.ndarray:
    arr = np.asarray(x)
    if arr.dtype == object or not (
        np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.bool_)
    ):
        raise TypeError(f"{name} must be numeric counts, got dtype {arr.dtype}")
    arr = arr.astype(np.float64)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite, got {int((~np.isfinite(arr)).sum())} NaN/inf")
    if np.any(arr < 0):
        raise ValueError(f"{name} must be non-negative, got minimum {arr.min()}")
    return arr


def _scalar(name: str, a: Any, b: Any) -> float:
    """One built-in index for one area, by the same rules as the table engine."""
    av, bv = _as_counts(a, "a"), _as_counts(b, "b")
    if av.shape != bv.shape:
        raise ValueError(f"a and b must have the same length, got {av.size} and {bv.size}")
    if av.size == 0:
        raise ValueError("a and b hold no units; at least two units are needed")
    spec = _BUILTIN[name]
    c = GroupedCounts.single(av, bv)
    reason = undefined_reasons(c)[0]
    if reason is None and spec.requires_integer and not c.integer[0]:
        reason = INTEGER_REASON
    value = float("nan")
    if reason is None:
        value = float(spec.kernel(c)[0])
        recorded = c.reasons(name)
        if recorded is not None and recorded[0] is not None:
            reason = recorded[0]
        elif not np.isfinite(value):
            reason = "undefined for these counts"
    if reason is not None:
        warnings.warn(f"index undefined: {reason}; returning NaN", SegregationWarning,
                      stacklevel=3)
        return float("nan")
    return value


#: Why the exact E[D] (and D*) is undefined for fractional counts.
INTEGER_REASON = "counts are not whole numbers; the exact E[D] needs whole pupils"


def dissimilarity(a: Any, b: Any) -> float:
    """Dissimilarity index D = ½ Σ_j |a_j/A − b_j/B|.

    The share of either group that would have to change unit for every unit to
    mirror the area (Duncan & Duncan 1955). 0 = even, 1 = complete segregation.

    Parameters
    ----------
    a, b : array_like
        Counts of group A and group B per unit (non-negative, finite).

    Returns
    -------
    float
        D, or NaN with a :class:`SegregationWarning` saying why when it is undefined:
        fewer than two units with pupils of A or B (empty units do not count), or a
        group absent (the rule of the results table, see :func:`undefined_reasons`).

    Raises
    ------
    TypeError, ValueError
        For non-numeric, negative, non-finite, not one-dimensional or empty counts, or
        ``a`` and ``b`` of different lengths.

    Examples
    --------
    The worked example of the report's appendix:

    >>> round(dissimilarity([2, 13], [6, 3]), 6)
    0.533333
    """
    return _scalar("dissimilarity", a, b)


def expected_dissimilarity(a: Any, b: Any) -> float:
    """Exact expected D when the pupils are dealt to the units at random.

    Unit sizes t_j = a_j + b_j and the totals A and B are held fixed; each a_j is
    then hypergeometric and E[D] follows in closed form (no simulation), see
    Carrington & Troske (1997).

    Parameters
    ----------
    a, b : array_like
        Whole-number counts of group A and group B per unit.

    Returns
    -------
    float
        E[D], or NaN with a :class:`SegregationWarning` when counts are not whole
        numbers, the total exceeds 2**53 pupils, or as for :func:`dissimilarity`.
        Exact (Loader's pmf, a few ulps) for every total up to 2**53.

    Examples
    --------
    >>> round(expected_dissimilarity([1, 1], [1, 1]), 6)  # P(a_1 = 1) = 4/6, else D = 1
    0.333333
    """
    return _scalar("dissimilarity_expected", a, b)


def standardised_dissimilarity(a: Any, b: Any) -> float:
    """Carrington & Troske's standardised dissimilarity D*.

    D* = (D − E[D]) / (1 − E[D]) if D ≥ E[D], else (D − E[D]) / E[D]; the distance
    from random allocation rather than from evenness, in [−1, 1]. Uses the exact E[D]
    of :func:`expected_dissimilarity`.

    Parameters
    ----------
    a, b : array_like
        Whole-number counts of group A and group B per unit.

    Returns
    -------
    float
        D*, or NaN with a :class:`SegregationWarning` (see
        :func:`expected_dissimilarity`), also where the ratio is 0/0 within rounding
        (D = E[D] = 1, e.g. one pupil per unit): a denominator that is not larger than
        its rounding error gives NaN, never a number made of rounding errors.

    Examples
    --------
    >>> round(standardised_dissimilarity([10, 0], [0, 10]), 6)
    1.0
    """
    return _scalar("dissimilarity_standardised", a, b)


def theil_h(a: Any, b: Any) -> float:
    """Theil's information index H (Reardon & Firebaugh 2002).

    H = Σ_j t_j (E(P) − E(p_j)) / (T E(P)) with the binary entropy
    E(p) = −p ln p − (1−p) ln(1−p) and p_j = a_j / t_j.

    Parameters
    ----------
    a, b : array_like
        Counts of group A and group B per unit.

    Returns
    -------
    float
        H in [0, 1], or NaN with a :class:`SegregationWarning` when undefined (see
        :func:`dissimilarity`).

    Examples
    --------
    >>> round(theil_h([2, 13], [6, 3]), 6)
    0.230363
    """
    return _scalar("theil_h", a, b)


def correlation(a: Any, b: Any) -> float:
    """Correlation index V (eta², Massey & Denton 1988).

    V = (xPx − P) / (1 − P) with the isolation index xPx = Σ_j (a_j/A)(a_j/t_j).
    Symmetric in A and B.

    Parameters
    ----------
    a, b : array_like
        Counts of group A and group B per unit.

    Returns
    -------
    float
        V in [0, 1], or NaN with a :class:`SegregationWarning` when undefined (see
        :func:`dissimilarity`).

    Examples
    --------
    >>> round(correlation([2, 13], [6, 3]), 6)
    0.3
    """
    return _scalar("correlation", a, b)


def isolation(a: Any, b: Any) -> float:
    """Isolation index aPa of group A (Massey & Denton 1988).

    aPa = Σ_j (a_j/A)(a_j/t_j): the share of A in the unit of the average pupil of A.

    Parameters
    ----------
    a, b : array_like
        Counts of group A and group B per unit.

    Returns
    -------
    float
        aPa in [0, 1], or NaN with a :class:`SegregationWarning` when a group is absent.
        Swap the arguments for bPb.

    Examples
    --------
    >>> round(isolation([2, 13], [6, 3]), 6)   # (2/15)(2/8) + (13/15)(13/16)
    0.7375
    """
    return _scalar("isolation_a", a, b)


def exposure(a: Any, b: Any) -> float:
    """Exposure index aPb of group A to group B (Massey & Denton 1988).

    aPb = Σ_j (a_j/A)(b_j/t_j) = 1 − aPa: the share of B in the unit of the average
    pupil of A.

    Parameters
    ----------
    a, b : array_like
        Counts of group A and group B per unit.

    Returns
    -------
    float
        aPb in [0, 1], or NaN with a :class:`SegregationWarning` when a group is absent.
        Swap the arguments for bPa.

    Examples
    --------
    >>> round(exposure([2, 13], [6, 3]), 6)
    0.2625
    """
    return _scalar("exposure_ab", a, b)
