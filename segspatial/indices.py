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

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from importlib import metadata
from typing import Any

import numpy as np

from segspatial._exceptions import SegregationWarning
from segspatial._kernels import (
    MAX_EXACT_COUNT,
    RATIO_TOLERANCE,
    GroupedCounts,
    _correlation_kernel,
    _dissimilarity_kernel,
    _expected_dissimilarity_kernel,
    _exposure_part,
    _standardised_dissimilarity_kernel,
    _theil_h_kernel,
    exposure_isolation,
    undefined_reasons,
)

# The kernels (and the counts they take) live in their own module; these names are
# part of this module's interface.
from segspatial._reasons import reason as _reason
from segspatial._warn import warn
from segspatial.multigroup import (
    _entropy_kernel,
    _multigroup_dissimilarity_kernel,
    _multigroup_theil_h_kernel,
    _mutual_information_kernel,
    _normalised_exposure_kernel,
)

__all__ = [
    "DEFAULT_INDICES",
    "DEFAULT_MULTIGROUP_INDICES",
    "MAX_EXACT_COUNT",
    "RATIO_TOLERANCE",
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
            warn(SegregationWarning, "plugin_failed", name=repr(ep.name), value=ep.value,
                 error=str(exc))
            continue
        if isinstance(obj, IndexSpec):
            spec = obj if obj.name == ep.name else replace(obj, name=ep.name)
        elif callable(obj):
            spec = _per_area(ep.name, obj)
        else:
            warn(SegregationWarning, "plugin_not_index", name=repr(ep.name), value=ep.value)
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
    if arr.dtype.kind not in "iuf" or not isinstance(x, np.ndarray):
        # the table's gate decides (one rule for both); a list is looked at as given,
        # before numpy turns [1, True] into [1, 1]
        from segspatial.counts import refuse_count_types

        refuse_count_types(_as_given(x, arr), name)
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


def _as_given(x: Any, arr: np.ndarray) -> np.ndarray:
    """``x`` as an object array of its own values (a list of numbers and booleans
    stays mixed), or ``arr`` when ``x`` is an array already or not one-dimensional."""
    if isinstance(x, np.ndarray) or arr.ndim != 1 or arr.dtype.kind not in "iufb":
        return arr
    given = np.empty(arr.shape[0], dtype=object)
    given[:] = list(x)
    return given


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
            reason = UNDEFINED_REASON
    if reason is not None:
        warn(SegregationWarning, "index_undefined", reason=str(reason), stacklevel=3)
        return float("nan")
    return value


#: Why the exact E[D] (and D*) is undefined for fractional counts.
UNDEFINED_REASON = _reason("undefined_for_counts", "undefined for these counts")
INTEGER_REASON = _reason("not_whole_counts",
                         "counts are not whole numbers; the exact E[D] needs whole pupils")


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
