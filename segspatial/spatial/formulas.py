"""The spatial indices from local-environment counts: spatial D and H (dispersal and
Reardon & O'Sullivan), exposure and isolation, and the multigroup M and H, for one
count vector or many at once (``(n, R)``: bootstrap replicates), optionally for units
drawn with replacement (``multiplicity``).

The environments themselves (kernel weights in bounded memory, the operator K) are
built in :mod:`segspatial.spatial.environments`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from segspatial._kernels import _binary_entropy
from segspatial.spatial._args import _check_definition

__all__ = ["EXPOSURE_NAMES", "spatial_dissimilarity_theil", "spatial_exposure_isolation",
           "spatial_multigroup_theil"]


# --------------------------------------------------------------------------- formulas


def _group_sum(x: np.ndarray, group: np.ndarray, n_groups: int) -> np.ndarray:
    if x.ndim == 1:
        return np.bincount(group, weights=x, minlength=n_groups)
    indicator = sparse.csr_array((np.ones(group.size), (group, np.arange(group.size))),
                                 shape=(n_groups, group.size))
    return np.asarray(indicator @ x)


def _dispersal_dh(a_env: np.ndarray, b_env: np.ndarray, group: np.ndarray, A: np.ndarray,
                  B: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """Spatial D and H from dispersal environments.

    ``a_env``, ``b_env``: environment counts (one row per environment, optionally one
    column per count vector); ``group``: the area-year whose pupils they hold; ``A``,
    ``B``: that area-year's totals, ``(n_groups,)`` or ``(n_groups, R)``.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        gap = np.abs(a_env / A[group] - b_env / B[group])
        d = 0.5 * _group_sum(gap, group, n_groups)
        t_env = a_env + b_env
        share = np.where(t_env > 0, a_env / np.where(t_env > 0, t_env, 1.0), 0.0)
        spread = _group_sum(t_env * _binary_entropy(share), group, n_groups)
        total = A + B
        h = 1.0 - spread / (total * _binary_entropy(A / total))
    defined = (A > 0) & (B > 0)
    return np.where(defined, d, np.nan), np.where(defined, h, np.nan)


def _ro_dh(a_env: np.ndarray, b_env: np.ndarray, a: np.ndarray, b: np.ndarray,
           group: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """Spatial D and H of Reardon & O'Sullivan (2004): local shares weighted by each
    unit's own pupils. One row per unit (optionally one column per count vector)."""
    t = a + b
    A, T = _group_sum(a, group, n_groups), _group_sum(t, group, n_groups)
    with np.errstate(divide="ignore", invalid="ignore"):
        P = A / T
        t_env = a_env + b_env
        p_env = np.where(t_env > 0, a_env / np.where(t_env > 0, t_env, 1.0), P[group])
        d = _group_sum(t * np.abs(p_env - P[group]), group, n_groups) / (
            2.0 * T * P * (1.0 - P))
        h = 1.0 - _group_sum(t * _binary_entropy(p_env), group, n_groups) / (
            T * _binary_entropy(P))
    defined = (A > 0) & (A < T)
    return np.where(defined, d, np.nan), np.where(defined, h, np.nan)



# --------------------------------------------------------------------------- operators


def _labels(operator: Any, n: int, group: Any) -> tuple[np.ndarray, int]:
    """Check that ``operator`` is ``(n, n)``; the area-year label of each unit and
    their number (``group`` factorised, sorted; one area without it)."""
    if operator.shape != (n, n):
        raise ValueError(f"operator must be ({n}, {n}) for {n} units, got "
                         f"{operator.shape}")
    if group is None:
        return np.zeros(n, dtype=np.intp), 1
    labels, uniques = pd.factorize(np.asarray(group), sort=True)
    if labels.shape != (n,):
        raise ValueError(f"group must have one label per unit ({n}), got {labels.size}")
    return labels, len(uniques)


def _apply(operator: Any, a: Any, b: Any, group: Any, definition: str,
           multiplicity: Any) -> tuple[np.ndarray, ...]:
    """Check the operands and apply the operator: ``(a, b, ã, b̃, labels, n_groups)``,
    with ``a`` and ``b`` the counts of the units as drawn (``m ∘ a`` with
    ``multiplicity``; see :func:`spatial_dissimilarity_theil`)."""
    a_ = np.asarray(a, dtype=np.float64)
    b_ = np.asarray(b, dtype=np.float64)
    if a_.shape != b_.shape or a_.ndim not in (1, 2):
        raise ValueError(f"a and b must have the same shape (n,) or (n, R), got "
                         f"{a_.shape} and {b_.shape}")
    n = a_.shape[0]
    labels, n_groups = _labels(operator, n, group)
    if multiplicity is None:
        a_env, b_env = np.asarray(operator @ a_), np.asarray(operator @ b_)
    else:
        m = np.asarray(multiplicity, dtype=np.float64)
        if m.shape[0] != n or m.ndim not in (1, 2):
            raise ValueError(f"multiplicity must be (n,) or (n, R) with n = {n}, got "
                             f"{m.shape}")
        if m.ndim == 2 and a_.ndim == 1:
            a_, b_ = a_[:, None], b_[:, None]
        a_, b_ = m * a_, m * b_  # the copies' pupils
        if definition == "reardon_osullivan":
            a_env, b_env = np.asarray(operator @ a_), np.asarray(operator @ b_)
        else:
            reach = np.asarray(operator.T @ m)  # (Kᵀ m)_k: copies receiving unit k
            with np.errstate(divide="ignore", invalid="ignore"):
                spread = np.where(reach > 0, 1.0 / reach, 0.0)
            if spread.ndim < a_.ndim:
                spread = spread[:, None]
            if m.ndim < a_.ndim:
                m = m[:, None]
            a_env = m * np.asarray(operator @ (spread * a_))
            b_env = m * np.asarray(operator @ (spread * b_))
    return a_, b_, a_env, b_env, labels, n_groups


def spatial_dissimilarity_theil(
    operator: Any,
    a: Any,
    b: Any,
    *,
    group: Sequence[Any] | None = None,
    definition: str = "dispersal",
    multiplicity: Any = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Spatial D and H from an environment operator, for many count vectors at once.

    Parameters
    ----------
    operator : scipy sparse matrix or array, shape (n, n)
        From :func:`environment_operator` with the same ``definition``,
        block-diagonal by ``group``.
    a, b : array_like, shape (n,) or (n, R)
        Counts of groups A and B per unit; with two dimensions, one column per count
        vector (e.g. R bootstrap replicates).
    group : sequence, optional, shape (n,)
        The area-year of each unit (default: one area); results follow the sorted
        labels.
    definition : {"dispersal", "reardon_osullivan"}
    multiplicity : array_like, shape (n,) or (n, R), optional
        How many times each unit is present (a school bootstrap replicate draws
        schools with replacement; a school drawn twice is two schools at one place).
        The operator is adjusted exactly, without rebuilding it: a copy is one more
        destination at the same place, so under the dispersal definition column k is
        renormalised over the copies, ``K'_jk = K_jk / (Kᵀ m)_k``, and applied to
        ``m ∘ a``, and environment j counts ``m_j`` times; under Reardon &
        O'Sullivan's it is ``W`` applied to ``m ∘ a`` with own weights ``m ∘ t``.
        Default: every unit once.

    Returns
    -------
    d, h : numpy.ndarray, shape (n_groups,) or (n_groups, R)
        Spatial D and H per group (and count vector); NaN where group A or B is
        absent.

    Notes
    -----
    Dispersal: ``ã = K a``, ``b̃ = K b``, ``t̃ = ã + b̃``; spatial D = ½ Σ_j |ã_j/A −
    b̃_j/B| and spatial H = 1 − Σ_j t̃_j E(ã_j/t̃_j) / (T E(P)), with E the binary
    entropy. Reardon & O'Sullivan: ``p̃ = (W a) / (W t)``, D̃ = Σ_j t_j |p̃_j − P| /
    (2 T P (1 − P)), H̃ = 1 − Σ_j t_j E(p̃_j) / (T E(P)).

    Examples
    --------
    >>> from segspatial.spatial import environment_operator
    >>> K = environment_operator([120_000, 120_100, 121_000], [480_000] * 3,
    ...                          crs="EPSG:28992", bandwidth=150, kernel="boxcar")
    >>> d, h = spatial_dissimilarity_theil(K, [10, 0, 5], [0, 10, 5])
    >>> float(d[0]), float(h[0])
    (0.0, 0.0)
    >>> a = np.array([[10, 8], [0, 2], [5, 5]])
    >>> b = np.array([[0, 0], [10, 10], [5, 5]])
    >>> spatial_dissimilarity_theil(K, a, b)[0].shape
    (1, 2)
    """
    definition = _check_definition(definition)
    a_, b_, a_env, b_env, labels, n_groups = _apply(operator, a, b, group, definition,
                                                    multiplicity)
    if definition == "reardon_osullivan":
        return _ro_dh(a_env, b_env, a_, b_, labels, n_groups)
    A, B = _group_sum(a_, labels, n_groups), _group_sum(b_, labels, n_groups)
    return _dispersal_dh(a_env, b_env, labels, A, B, n_groups)


#: Names of the spatial exposure and isolation indices (Massey & Denton's xPx, xPy).
EXPOSURE_NAMES = ("isolation_a", "exposure_ab", "isolation_b", "exposure_ba")


def _exposure(a: np.ndarray, b: np.ndarray, a_env: np.ndarray, b_env: np.ndarray,
              labels: np.ndarray, n_groups: int, definition: str) -> dict[str, np.ndarray]:
    """Exposure and isolation of the environments, per group (and count vector)."""
    from segspatial.indices import GroupedCounts, exposure_isolation

    reps = a_env.shape[1] if a_env.ndim == 2 else 0
    if reps:  # fold the count vectors into the groups: label r * n_groups + g
        labels = (np.tile(labels, reps)
                  + n_groups * np.repeat(np.arange(reps), labels.size))
        a_env, b_env = a_env.ravel(order="F"), b_env.ravel(order="F")
        a = np.broadcast_to(a, (labels.size // reps, reps)).ravel(order="F")
        b = np.broadcast_to(b, (labels.size // reps, reps)).ravel(order="F")
    folded = n_groups * max(reps, 1)
    if definition == "reardon_osullivan":  # own pupils' weights, local shares
        out = exposure_isolation(GroupedCounts(a=a, b=b, group=labels, n_groups=folded),
                                 a_env, b_env)
    else:  # the environments are the places: the aspatial formula on ã, b̃
        out = exposure_isolation(GroupedCounts(a=a_env, b=b_env, group=labels,
                                               n_groups=folded))
    return {k: (v.reshape(reps, n_groups).T if reps else v) for k, v in out.items()}


def spatial_exposure_isolation(
    operator: Any,
    a: Any,
    b: Any,
    *,
    group: Sequence[Any] | None = None,
    definition: str = "dispersal",
    multiplicity: Any = None,
) -> dict[str, np.ndarray]:
    """Spatial exposure and isolation (xPy, xPx) from an environment operator.

    Parameters
    ----------
    operator, a, b, group, definition, multiplicity
        As for :func:`spatial_dissimilarity_theil`.

    Returns
    -------
    dict
        ``isolation_a`` (aPa), ``exposure_ab`` (aPb), ``isolation_b`` (bPb) and
        ``exposure_ba`` (bPa), each ``(n_groups,)`` or ``(n_groups, R)``; NaN where
        the group is absent.

    Notes
    -----
    Dispersal environments are places that every pupil is spread over (``ã = K a``,
    ``Σ ã = A``), so the formula of Massey & Denton (1988) applies to them as to
    schools: aPb = Σ_j (ã_j/A)(b̃_j/t̃_j), aPa = Σ_j (ã_j/A)(ã_j/t̃_j): the share of B
    (of A) around the average pupil of A, within about one bandwidth. Identities:
    aPa + aPb = 1 and A·aPb = B·bPa. With self-weights only (bandwidth 0) they are
    the aspatial values. Bounds: P ≤ spatial aPa ≤ aPa (and A/T ... likewise for B),
    because the correlation ratio V = (aPa − P)/(1 − P) is a chi-square mutual
    information of group and place, which a Markov kernel cannot increase (the
    data-processing inequality for f-divergences); so spatial exposure lies between
    the aspatial exposure and the group's share of all pupils.

    Reardon & O'Sullivan (2004) weight the local shares by each unit's own pupils:
    aPb = Σ_j (a_j/A)(b̃_j/t̃_j) with ``ã = W a`` (``definition="reardon_osullivan"``;
    no such bounds).

    References
    ----------
    Massey, D. S. & Denton, N. A. (1988). The dimensions of residential segregation.
    *Social Forces* 67(2), 281-315.
    Reardon, S. F. & O'Sullivan, D. (2004). Measures of spatial segregation.
    *Sociological Methodology* 34, 121-162.

    Examples
    --------
    >>> from segspatial.spatial import environment_operator
    >>> K = environment_operator([120_000, 120_100, 121_000], [480_000] * 3,
    ...                          crs="EPSG:28992", bandwidth=150, kernel="boxcar")
    >>> v = spatial_exposure_isolation(K, [10, 0, 5], [0, 10, 5])
    >>> float(v["exposure_ab"][0]), float(v["isolation_a"][0])
    (0.5, 0.5)
    """
    definition = _check_definition(definition)
    a_, b_, a_env, b_env, labels, n_groups = _apply(operator, a, b, group, definition,
                                                    multiplicity)
    return _exposure(a_, b_, a_env, b_env, labels, n_groups, definition)


def spatial_multigroup_theil(
    operator: Any,
    counts: Any,
    *,
    group: Sequence[Any] | None = None,
    base: float = math.e,
) -> tuple[np.ndarray, np.ndarray]:
    """Spatial Theil's M and H for K >= 2 groups on dispersal environments.

    The multigroup information indices of Theil (Reardon & Firebaugh 2002) applied to
    the environments as places: ``Ñ = K N`` (``N`` the units x groups counts),
    M̃ = Σ_j (t̃_j/T) Σ_g p̃_jg log(p̃_jg / P_g) and H̃ = M̃ / E.

    Parameters
    ----------
    operator : scipy sparse matrix or array, shape (n, n)
        The dispersal operator of :func:`environment_operator` (column-stochastic on
        the units with pupils), block-diagonal by ``group``.
    counts : array_like, shape (n, K)
        Pupils of each group per unit.
    group : sequence, optional, shape (n,)
        The area-year of each unit (default: one area); results follow the sorted
        labels.
    base : float, default e
        Logarithm base of M (H does not depend on it).

    Returns
    -------
    m, h : numpy.ndarray, shape (n_groups,)
        NaN where fewer than two groups have pupils.

    Raises
    ------
    ValueError
        For counts that are not a non-negative (n, K) matrix, an operator of another
        shape, or one whose columns (of units with pupils) do not sum to 1 (not a
        dispersal operator: pupils would be lost or made up).

    Notes
    -----
    Because K is a Markov kernel and the group totals are kept, 0 <= M̃ <= M: M is the
    mutual information of group and place, and spreading pupils over nearby places
    cannot raise it (data-processing inequality). With two groups H̃ is the spatial H
    of :func:`spatial_dissimilarity_theil`; with self-weights only it is the aspatial
    multigroup H.

    References
    ----------
    Reardon, S. F. & Firebaugh, G. (2002). Measures of multigroup segregation.
    *Sociological Methodology* 32, 33-67.
    Reardon, S. F. & O'Sullivan, D. (2004). Measures of spatial segregation.
    *Sociological Methodology* 34, 121-162.

    Examples
    --------
    >>> from segspatial.spatial import environment_operator
    >>> K = environment_operator([120_000, 120_100, 121_000], [480_000] * 3,
    ...                          crs="EPSG:28992", bandwidth=150, kernel="boxcar")
    >>> m, h = spatial_multigroup_theil(K, [[10, 0, 0], [0, 10, 0], [0, 0, 10]])
    >>> round(float(h[0]), 6)   # two schools are one place: 1 - (2/3) ln 2 / ln 3
    0.57938
    """
    from segspatial.multigroup import (
        MultiGroupedCounts,
        _as_matrix,
        _multigroup_theil_h_kernel,
        _mutual_information_kernel,
        check_base,
    )

    base = check_base(base)
    n_ = _as_matrix(counts)
    n = n_.shape[0]
    labels, n_groups = _labels(operator, n, group)
    used = n_.sum(axis=1) > 0
    columns = np.asarray(operator.sum(axis=0)).ravel()
    if not np.allclose(columns[used], 1.0, rtol=1e-9, atol=0):
        raise ValueError("operator must be a dispersal operator (every column of a unit "
                         "with pupils sums to 1: environment_operator(..., "
                         "definition='dispersal'))")
    c = MultiGroupedCounts(counts=np.asarray(operator @ n_), group=labels, n_groups=n_groups)
    m = _mutual_information_kernel(c) / math.log(base)
    return m, _multigroup_theil_h_kernel(c)
