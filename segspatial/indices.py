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
from scipy.special import xlogy

from segspatial._exceptions import SegregationWarning
from segspatial._hypergeom import hypergeom_pmf
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

    def sum(self, x: np.ndarray) -> np.ndarray:
        """Sum a per-unit array within each group."""
        return np.bincount(self.group, weights=x, minlength=self.n_groups)

    def memo(self, key: str, compute: Callable[[], np.ndarray]) -> np.ndarray:
        """Return a cached per-group result, computing it on first use."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

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


def _shares(c: GroupedCounts) -> tuple[np.ndarray, np.ndarray]:
    """Each unit's share of its area's A and of its area's B (NaN where A or B is 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return c.a / c.A[c.group], c.b / c.B[c.group]


def _unit_share_a(c: GroupedCounts) -> np.ndarray:
    """p_j = a_j / t_j, with 0 for units without pupils of either group (weight 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(c.t > 0, c.a / np.where(c.t > 0, c.t, 1.0), 0.0)


def _binary_entropy(p: np.ndarray) -> np.ndarray:
    """E(p) = -p ln p - (1-p) ln(1-p), with 0 ln 0 = 0."""
    return -(xlogy(p, p) + xlogy(1.0 - p, 1.0 - p))


def _dissimilarity_kernel(c: GroupedCounts) -> np.ndarray:
    def compute() -> np.ndarray:
        sa, sb = _shares(c)
        return 0.5 * c.sum(np.abs(sa - sb))

    return c.memo("dissimilarity", compute)


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
    :mod:`segspatial._hypergeom`), accurate to a few ulps for any school size.
    """

    def compute() -> np.ndarray:
        g = c.group
        ok_group = c.integer & (c.A > 0) & (c.B > 0)
        ok = ok_group[g]
        big_n = np.where(ok, np.rint(c.T[g]), 1).astype(np.int64)
        big_k = np.where(ok, np.rint(c.A[g]), 0).astype(np.int64)
        n = np.where(ok, np.rint(c.t), 0).astype(np.int64)
        k = (n * big_k) // big_n
        pmf = hypergeom_pmf(k + 1, big_n, big_k, n)
        mad = 2.0 * (k + 1) * (big_n - big_k - n + k + 1) / big_n * pmf
        mad = np.where(ok, mad, 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            expected = c.T / (2.0 * c.A * c.B) * c.sum(mad)
        return np.where(ok_group, expected, np.nan)

    return c.memo("dissimilarity_expected", compute)


def _standardised_dissimilarity_kernel(c: GroupedCounts) -> np.ndarray:
    d = _dissimilarity_kernel(c)
    e = _expected_dissimilarity_kernel(c)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(d >= e, (d - e) / (1.0 - e), (d - e) / e)


def _theil_h_kernel(c: GroupedCounts) -> np.ndarray:
    e_area = _binary_entropy(c.P)
    e_unit = _binary_entropy(_unit_share_a(c))
    with np.errstate(divide="ignore", invalid="ignore"):
        return c.sum(c.t * (e_area[c.group] - e_unit)) / (c.T * e_area)


def _correlation_kernel(c: GroupedCounts) -> np.ndarray:
    sa, _ = _shares(c)
    isolation = c.sum(np.where(c.t > 0, sa * _unit_share_a(c), 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        return (isolation - c.P) / (1.0 - c.P)


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


def _scalar(kernel: Callable[[GroupedCounts], np.ndarray], a: Any, b: Any, *,
            integer: bool = False) -> float:
    av, bv = _as_counts(a, "a"), _as_counts(b, "b")
    if av.shape != bv.shape:
        raise ValueError(f"a and b must have the same length, got {av.size} and {bv.size}")
    if av.size < 2:
        raise ValueError(f"at least two units are needed, got {av.size}")
    c = GroupedCounts.single(av, bv)
    reason = None
    if c.A[0] == 0 or c.B[0] == 0:
        reason = "group A is absent" if c.A[0] == 0 else "group B is absent"
    elif integer and not c.integer[0]:
        reason = "counts are not whole numbers; the exact E[D] needs whole pupils"
    if reason:
        warnings.warn(f"index undefined: {reason}; returning NaN", SegregationWarning,
                      stacklevel=3)
        return float("nan")
    return float(kernel(c)[0])


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
        D, or NaN (with a :class:`SegregationWarning`) when a group is absent.

    Examples
    --------
    The worked example of the report's appendix:

    >>> round(dissimilarity([2, 13], [6, 3]), 6)
    0.533333
    """
    return _scalar(_dissimilarity_kernel, a, b)


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
        numbers or a group is absent.

    Examples
    --------
    >>> round(expected_dissimilarity([1, 1], [1, 1]), 6)  # P(a_1 = 1) = 4/6, else D = 1
    0.333333
    """
    return _scalar(_expected_dissimilarity_kernel, a, b, integer=True)


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
        :func:`expected_dissimilarity`).

    Examples
    --------
    >>> round(standardised_dissimilarity([10, 0], [0, 10]), 6)
    1.0
    """
    return _scalar(_standardised_dissimilarity_kernel, a, b, integer=True)


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
        H in [0, 1], or NaN with a :class:`SegregationWarning` when a group is absent.

    Examples
    --------
    >>> round(theil_h([2, 13], [6, 3]), 6)
    0.230363
    """
    return _scalar(_theil_h_kernel, a, b)


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
        V in [0, 1], or NaN with a :class:`SegregationWarning` when a group is absent.

    Examples
    --------
    >>> round(correlation([2, 13], [6, 3]), 6)
    0.3
    """
    return _scalar(_correlation_kernel, a, b)


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
    return _scalar(_exposure_part("isolation_a"), a, b)


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
    return _scalar(_exposure_part("exposure_ab"), a, b)
