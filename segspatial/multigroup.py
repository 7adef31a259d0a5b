"""Multigroup segregation indices for K >= 2 groups, vectorised over many areas at once.

As in :mod:`segspatial.indices`, every index has a private *kernel* that takes the
counts of all units of all area-years (:class:`MultiGroupedCounts`: a units x groups
matrix and an area-year label per unit) and returns one value per area-year with
:func:`numpy.bincount`; there is no Python loop over area-years, units or groups. The
public functions validate one area's counts and call the same kernels. Replicates
(bootstrap draws, thresholds of an income profile, ...) fold into the area-year axis:
a kernel never needs to know what its "groups" are.

Notation (one area-year): unit *j* has counts ``c_jk`` of group *k* (k = 1..K),
``t_j = Σ_k c_jk``, ``T = Σ_j t_j``, unit shares ``p_jk = c_jk / t_j`` and area shares
``P_k = Σ_j c_jk / T``. Entropy ``E = -Σ_k P_k ln P_k`` (natural log; ``0 ln 0 = 0``)
and ``E_j`` the same for unit j.

* **Mutual information** ``M = Σ_j (t_j/T) Σ_k p_jk ln(p_jk / P_k) = E - Σ_j (t_j/T) E_j``
  (Theil 1971; Mora & Ruiz-Castillo 2011): the information that a pupil's school gives
  about the pupil's group, in nats (divide by ln b for base b).
* **Theil's information index** ``H = M / E`` (Theil & Finizza 1971; Reardon & Firebaugh
  2002), in [0, 1]; the same in every base.
* **Multigroup dissimilarity** ``D = Σ_j Σ_k t_j |p_jk - P_k| / (2 T I)`` with the
  interaction index ``I = Σ_k P_k (1 - P_k)`` (Reardon & Firebaugh 2002, after Sakoda
  1981).
* **Normalised exposure** ``P = Σ_j Σ_k t_j (p_jk - P_k)² / (T (1 - P_k))`` as in PySAL's
  ``MultiNormExposure`` (Reardon & Firebaugh 2002's normalised exposure; for K = 2 it is
  the correlation index V = eta²).

With two groups M, H, D and P equal the two-group mutual information, Theil's H,
dissimilarity and correlation index V. A group with no pupils in an area-year drops
out of every index (its terms are zero); the indices are undefined when fewer than two
groups, or fewer than two units, have pupils.

**Decomposition** over a grouping of units (districts, school boards, denominations):
``M = M_between + M_within`` with ``M_between = Σ_d (T_d/T) Σ_k P_dk ln(P_dk / P_k)`` (the
mutual information between cluster and group) and ``M_within = Σ_d (T_d/T) M_d``, exactly;
dividing by E gives ``H = H_between + H_within`` with ``H_within = Σ_d (T_d E_d / (T E))
H_d``. **Local scores** (Theil 1971; R ``segregation``'s ``mutual_local``): unit j's
``ls_j = Σ_k p_jk ln(p_jk / P_k)`` and weight ``p_j = t_j / T``, with ``Σ_j p_j ls_j = M``.

References
----------
Theil, H. (1971). *Principles of Econometrics*. Wiley.
Theil, H. & Finizza, A. J. (1971). A note on the measurement of racial integration of
    schools by means of informational concepts. *Journal of Mathematical Sociology* 1,
    187-194.
Sakoda, J. M. (1981). A generalized index of dissimilarity. *Demography* 18(2), 245-250.
Reardon, S. F. & Firebaugh, G. (2002). Measures of multigroup segregation.
    *Sociological Methodology* 32, 33-67.
Mora, R. & Ruiz-Castillo, J. (2011). Entropy-based segregation indices. *Sociological
    Methodology* 41, 159-194.
Elbers, B. (2023). A method for studying differences in segregation across time and
    space. *Sociological Methods & Research* 52(1), 5-42 (R package ``segregation``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from numbers import Real
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import xlogy

from segspatial._exceptions import SegregationWarning
from segspatial._warn import warn

__all__ = [
    "ClusterTerms",
    "MultiGroupedCounts",
    "check_base",
    "cluster_terms",
    "decomposition_kernel",
    "local_kernel",
    "local_segregation",
    "multigroup_dissimilarity",
    "multigroup_theil_h",
    "mutual_information",
    "mutual_information_decomposition",
    "normalised_exposure",
]


@dataclass(eq=False)
class MultiGroupedCounts:
    """Counts of K groups for the units of many areas (area-years) at once.

    Parameters
    ----------
    counts : numpy.ndarray
        Shape (n_units, K): the count of every group per unit (float64, finite, >= 0).
    group : numpy.ndarray
        Shape (n_units,): integer label ``0 .. n_groups - 1`` of each unit's area-year.
    n_groups : int
        Number of area-years (or area-year x replicate cells).

    Notes
    -----
    Per-area-year totals are computed once and cached; kernels share intermediate
    results through :meth:`memo`. To bootstrap, stack the replicate counts as more
    units with labels ``replicate * n_area_years + area_year`` and the kernels return
    every replicate's value in one pass.
    """

    counts: np.ndarray
    group: np.ndarray
    n_groups: int
    _memo: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def k(self) -> int:
        """Number of groups K."""
        return int(self.counts.shape[1])

    def sum(self, x: np.ndarray) -> np.ndarray:
        """Sum a per-unit array within each area-year: (n,) -> (n_groups,), (n, K) ->
        (n_groups, K)."""
        if x.ndim == 1:
            return np.bincount(self.group, weights=x, minlength=self.n_groups)
        k = x.shape[1]
        idx = (self.group[:, None] * k + np.arange(k)).ravel()
        return np.bincount(idx, weights=x.ravel(),
                           minlength=self.n_groups * k).reshape(self.n_groups, k)

    def memo(self, key: str, compute: Callable[[], Any]) -> Any:
        """Return a cached result, computing it on first use."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    @cached_property
    def t(self) -> np.ndarray:
        """Pupils of all groups per unit, t_j."""
        return self.counts.sum(axis=1)

    @cached_property
    def totals(self) -> np.ndarray:
        """Pupils per area-year and group, shape (n_groups, K)."""
        return self.sum(self.counts)

    @cached_property
    def T(self) -> np.ndarray:
        """Pupils per area-year."""
        return self.totals.sum(axis=1)

    @cached_property
    def P(self) -> np.ndarray:
        """Share of each group per area-year, shape (n_groups, K) (NaN when empty)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return self.totals / self.T[:, None]

    @cached_property
    def n_units(self) -> np.ndarray:
        """Number of units with pupils per area-year (an empty unit does not count, as in
        the two-group indices: it cannot change any index)."""
        return np.bincount(self.group, weights=(self.t > 0),
                           minlength=self.n_groups).astype(np.int64)

    @cached_property
    def n_present(self) -> np.ndarray:
        """Number of groups with pupils per area-year."""
        return (self.totals > 0).sum(axis=1)

    @cached_property
    def unit_shares(self) -> np.ndarray:
        """p_jk = c_jk / t_j, shape (n_units, K); 0 for units without pupils."""
        t = self.t
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(t[:, None] > 0, self.counts / np.where(t > 0, t, 1.0)[:, None],
                            0.0)

    @cached_property
    def entropy(self) -> np.ndarray:
        """E = -Σ_k P_k ln P_k per area-year (natural log)."""
        return _entropy(self.P)

    @cached_property
    def defined(self) -> np.ndarray:
        """Area-years where the indices are defined: >= 2 units and >= 2 groups present."""
        return (self.n_units >= 2) & (self.n_present >= 2)

    @classmethod
    def single(cls, counts: np.ndarray) -> MultiGroupedCounts:
        """One area: every unit in area-year 0."""
        return cls(counts=counts, group=np.zeros(counts.shape[0], dtype=np.intp), n_groups=1)

    @classmethod
    def from_two(cls, a: np.ndarray, b: np.ndarray, group: np.ndarray,
                 n_groups: int) -> MultiGroupedCounts:
        """Two groups (columns a, b) as a K = 2 count matrix."""
        return cls(counts=np.column_stack([a, b]), group=group, n_groups=n_groups)


# --------------------------------------------------------------------------- kernels


def _entropy(shares: np.ndarray) -> np.ndarray:
    """Row-wise entropy -Σ_k s_k ln s_k, with 0 ln 0 = 0."""
    return 0.0 - xlogy(shares, shares).sum(axis=1)  # 0.0 - 0.0 is 0.0, not -0.0


def _local_kl(c: MultiGroupedCounts) -> np.ndarray:
    """ls_j = Σ_k p_jk ln(p_jk / P_k) per unit (0 for units without pupils)."""

    def compute() -> np.ndarray:
        p = c.unit_shares
        big_p = c.P[c.group]
        # xlogy(0, 0) = 0: a group absent from the area is absent from its units too
        with np.errstate(divide="ignore", invalid="ignore"):
            return (xlogy(p, p) - xlogy(p, big_p)).sum(axis=1)

    return c.memo("local_kl", compute)


def _undefined_to_nan(c: MultiGroupedCounts, values: np.ndarray) -> np.ndarray:
    return np.where(c.defined, values, np.nan)


def _mutual_information_kernel(c: MultiGroupedCounts) -> np.ndarray:
    """M per area-year, in nats: Σ_j (t_j / T) ls_j."""

    def compute() -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return _undefined_to_nan(c, c.sum(c.t * _local_kl(c)) / c.T)

    return c.memo("mutual_information", compute)


def _multigroup_theil_h_kernel(c: MultiGroupedCounts) -> np.ndarray:
    """H = M / E per area-year."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return _mutual_information_kernel(c) / c.entropy


def _entropy_kernel(c: MultiGroupedCounts) -> np.ndarray:
    """E per area-year (the diversity of the area; nats)."""
    return np.where(c.n_units > 0, c.entropy, np.nan)


def _deviations(c: MultiGroupedCounts) -> np.ndarray:
    """c_jk - t_j P_k = t_j (p_jk - P_k), shape (n_units, K)."""
    return c.memo("deviations", lambda: c.counts - c.t[:, None] * c.P[c.group])


def _multigroup_dissimilarity_kernel(c: MultiGroupedCounts) -> np.ndarray:
    """D = Σ_j Σ_k t_j |p_jk - P_k| / (2 T I), I = Σ_k P_k (1 - P_k)."""
    interaction = (c.P * (1.0 - c.P)).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        d = c.sum(np.abs(_deviations(c)).sum(axis=1)) / (2.0 * c.T * interaction)
    return _undefined_to_nan(c, d)


def _normalised_exposure_kernel(c: MultiGroupedCounts) -> np.ndarray:
    """P = Σ_j Σ_k t_j (p_jk - P_k)² / (T (1 - P_k)) (PySAL ``MultiNormExposure``)."""
    t = c.t
    with np.errstate(divide="ignore", invalid="ignore"):
        per_unit = np.where(
            t[:, None] > 0,
            _deviations(c) ** 2 / np.where(t > 0, t, 1.0)[:, None]
            / (1.0 - c.P[c.group]),
            0.0,
        )
        # a group that is the whole area (P_k = 1) has no deviations: 0/0 -> 0
        per_unit = np.where(np.isfinite(per_unit), per_unit, 0.0)
        out = c.sum(per_unit.sum(axis=1)) / c.T
    return _undefined_to_nan(c, out)


@dataclass(frozen=True)
class ClusterTerms:
    """Per-cluster terms of the between/within decomposition.

    Attributes
    ----------
    label : numpy.ndarray
        Per unit used, the row of its (area-year, cluster) cell in the arrays below.
    area_year, cluster : numpy.ndarray
        Per cell: its area-year label and its cluster code.
    pupils : numpy.ndarray
        T_d per cell.
    entropy : numpy.ndarray
        E_d per cell (nats).
    mutual_information : numpy.ndarray
        M_d per cell: the segregation between the units of the cluster (nats; NaN for a
        cluster without pupils).
    between_term : numpy.ndarray
        (T_d / T) Σ_k P_dk ln(P_dk / P_k): the cell's part of M_between.
    n_units : numpy.ndarray
        Units per cell.
    """

    label: np.ndarray
    area_year: np.ndarray
    cluster: np.ndarray
    pupils: np.ndarray
    entropy: np.ndarray
    mutual_information: np.ndarray
    between_term: np.ndarray
    n_units: np.ndarray


def cluster_terms(c: MultiGroupedCounts, cluster: np.ndarray) -> ClusterTerms:
    """The decomposition's per-cluster terms for every area-year at once.

    Parameters
    ----------
    c : MultiGroupedCounts
        The units (all of them are used).
    cluster : numpy.ndarray
        Shape (n_units,): a non-negative integer code of each unit's cluster
        (district, board, denomination); codes are shared across area-years.

    Returns
    -------
    ClusterTerms
    """
    cluster = np.asarray(cluster, dtype=np.int64)
    n_clusters = int(cluster.max()) + 1 if cluster.size else 1
    key = c.group.astype(np.int64) * n_clusters + cluster
    cells, label = np.unique(key, return_inverse=True)
    n_cells = len(cells)
    k = c.k
    idx = (label[:, None] * k + np.arange(k)).ravel()
    totals = np.bincount(idx, weights=c.counts.ravel(),
                         minlength=n_cells * k).reshape(n_cells, k)
    pupils = totals.sum(axis=1)
    area_year = (cells // n_clusters).astype(np.intp)
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = totals / pupils[:, None]
        shares = np.where(pupils[:, None] > 0, shares, 0.0)
        big_p = c.P[area_year]
        between_term = pupils / c.T[area_year] * (xlogy(shares, shares)
                                                   - xlogy(shares, big_p)).sum(axis=1)
        # within the cluster: KL of each unit from its cluster's composition
        p = c.unit_shares
        unit_kl = (xlogy(p, p) - xlogy(p, shares[label])).sum(axis=1)
        m_d = np.bincount(label, weights=c.t * unit_kl, minlength=n_cells) / pupils
    return ClusterTerms(
        label=label, area_year=area_year, cluster=cells % n_clusters, pupils=pupils,
        entropy=_entropy(shares), mutual_information=m_d, between_term=between_term,
        n_units=np.bincount(label, minlength=n_cells),
    )


def decomposition_kernel(c: MultiGroupedCounts, cluster: np.ndarray
                         ) -> tuple[np.ndarray, np.ndarray]:
    """M_between and M_within per area-year (nats); NaN where M is undefined.

    ``M_between + M_within = M`` exactly (to rounding) for every area-year.
    """
    terms = cluster_terms(c, cluster)
    between = np.bincount(terms.area_year, weights=terms.between_term,
                          minlength=c.n_groups)
    with np.errstate(invalid="ignore"):
        weighted = np.where(terms.pupils > 0, terms.pupils * terms.mutual_information, 0.0)
        within = np.bincount(terms.area_year, weights=weighted, minlength=c.n_groups) / c.T
    return _undefined_to_nan(c, between), _undefined_to_nan(c, within)


def local_kernel(c: MultiGroupedCounts) -> dict[str, np.ndarray]:
    """Per unit: ``p`` (t_j / T), ``ls`` (nats), ``entropy`` (E_j, nats),
    ``m_contribution`` (p_j ls_j, summing to M) and ``h_contribution`` (p_j ls_j / E,
    summing to H); NaN in area-years where the indices are undefined."""
    ok = c.defined[c.group]
    with np.errstate(divide="ignore", invalid="ignore"):
        p = c.t / c.T[c.group]
        ls = _local_kl(c)
        m = p * ls
        h = m / c.entropy[c.group]
    unit_entropy = _entropy(c.unit_shares)
    has = c.t > 0
    return {
        "p": np.where(ok, p, np.nan),
        "ls": np.where(ok & has, ls, np.nan),
        "entropy": np.where(has, unit_entropy, np.nan),
        "m_contribution": np.where(ok, m, np.nan),
        "h_contribution": np.where(ok, h, np.nan),
    }


# --------------------------------------------------------------------------- scalar API


def check_base(base: Any) -> float:
    """A logarithm base: a finite real number > 1 (``math.e`` = nats, 2 = bits).

    A base below 1 would make M and the entropy negative.

    Raises
    ------
    TypeError, ValueError
        For anything else.
    """
    if isinstance(base, bool) or not isinstance(base, Real):
        raise TypeError(f"base must be a number (e.g. math.e or 2), got {base!r}")
    if not (math.isfinite(base) and base > 1):
        raise ValueError(f"base must be a finite number > 1 (e.g. math.e for nats, 2 for "
                         f"bits), got {base!r}")
    return float(base)


def _as_matrix(counts: Any, name: str = "counts") -> np.ndarray:
    """A units x groups float64 matrix from array-like counts, validated."""
    from segspatial.counts import refuse_count_types  # the table's gate: one rule

    if isinstance(counts, pd.DataFrame):
        for col in counts.columns:
            refuse_count_types(counts[col].to_numpy(), f"{name}: column {str(col)!r}")
        bad = [str(col) for col, dt in counts.dtypes.items()
               if not (pd.api.types.is_numeric_dtype(dt) and not pd.api.types.is_bool_dtype(dt))]
        if bad:
            raise TypeError(f"{name}: columns {bad!r} must hold numeric counts")
        arr = counts.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        arr = np.asarray(counts)
        refuse_count_types(arr, name)
        if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number)
                                       or np.issubdtype(arr.dtype, np.bool_)):
            raise TypeError(f"{name} must be numeric counts, got dtype {arr.dtype}")
        arr = arr.astype(np.float64)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be two-dimensional (units x groups), got shape "
                         f"{arr.shape}")
    if arr.shape[1] < 2:
        raise ValueError(f"{name} must have at least two groups (columns), got "
                         f"{arr.shape[1]}")
    if arr.shape[0] < 2:
        raise ValueError(f"{name}: at least two units (rows) are needed, got {arr.shape[0]}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite, got {int((~np.isfinite(arr)).sum())} "
                         "NaN/inf")
    if np.any(arr < 0):
        raise ValueError(f"{name} must be non-negative, got minimum {arr.min()}")
    return arr


def _single(counts: Any) -> MultiGroupedCounts | None:
    c = MultiGroupedCounts.single(_as_matrix(counts))
    if c.n_units[0] < 2:
        warn(SegregationWarning, "multigroup_few_units", n=int(c.n_units[0]),
             units=int(c.counts.shape[0]), stacklevel=3)
        return None
    if c.n_present[0] < 2:
        warn(SegregationWarning, "multigroup_few_groups", n=int(c.n_present[0]),
             stacklevel=3)
        return None
    return c


def mutual_information(counts: Any, *, base: float = math.e) -> float:
    """Theil's mutual information index M of K >= 2 groups over the units of one area.

    M = Σ_j (t_j/T) Σ_k p_jk log(p_jk / P_k) = E − Σ_j (t_j/T) E_j: how much knowing a
    pupil's unit (school) tells about the pupil's group (Theil 1971; Mora &
    Ruiz-Castillo 2011). 0 = every unit has the area's composition.

    Parameters
    ----------
    counts : array_like or pandas.DataFrame
        Shape (n_units, K): counts per unit (rows) and group (columns), non-negative.
    base : float, default math.e
        Base of the logarithm: e gives nats, 2 bits.

    Returns
    -------
    float
        M in units of log ``base``, or NaN with a :class:`SegregationWarning` when fewer
        than two groups have pupils.

    Raises
    ------
    TypeError, ValueError
        For non-numeric, negative or non-finite counts, fewer than two units or groups,
        or a bad ``base``.

    Examples
    --------
    >>> round(mutual_information([[10, 0], [0, 10]], base=2), 6)  # one bit
    1.0
    >>> round(mutual_information([[2, 6], [13, 3]]), 6)
    0.1524
    """
    base = check_base(base)
    c = _single(counts)
    return float("nan") if c is None else float(_mutual_information_kernel(c)[0]
                                                 / math.log(base))


def multigroup_theil_h(counts: Any) -> float:
    """Theil's information index H = M / E for K >= 2 groups (Reardon & Firebaugh 2002).

    Parameters
    ----------
    counts : array_like or pandas.DataFrame
        Shape (n_units, K), see :func:`mutual_information`.

    Returns
    -------
    float
        H in [0, 1], or NaN with a :class:`SegregationWarning` when fewer than two
        groups have pupils. With two groups it equals :func:`segspatial.theil_h`.

    Examples
    --------
    >>> round(multigroup_theil_h([[2, 6], [13, 3]]), 6)   # the two-group H
    0.230363
    >>> round(multigroup_theil_h([[10, 0, 0], [0, 10, 0], [0, 0, 10]]), 6)
    1.0
    """
    c = _single(counts)
    return float("nan") if c is None else float(_multigroup_theil_h_kernel(c)[0])


def multigroup_dissimilarity(counts: Any) -> float:
    """Multigroup dissimilarity D (Reardon & Firebaugh 2002; Sakoda 1981).

    D = Σ_j Σ_k t_j |p_jk − P_k| / (2 T I) with I = Σ_k P_k (1 − P_k).

    Parameters
    ----------
    counts : array_like or pandas.DataFrame
        Shape (n_units, K).

    Returns
    -------
    float
        D in [0, 1] (NaN with a warning when fewer than two groups have pupils). With
        two groups it equals :func:`segspatial.dissimilarity`.

    Examples
    --------
    >>> round(multigroup_dissimilarity([[2, 6], [13, 3]]), 6)
    0.533333
    """
    c = _single(counts)
    return float("nan") if c is None else float(_multigroup_dissimilarity_kernel(c)[0])


def normalised_exposure(counts: Any) -> float:
    """Normalised exposure P of K >= 2 groups (PySAL ``MultiNormExposure``).

    P = Σ_j Σ_k t_j (p_jk − P_k)² / (T (1 − P_k)): the variance of the units'
    compositions relative to the area's, after Reardon & Firebaugh (2002).

    Parameters
    ----------
    counts : array_like or pandas.DataFrame
        Shape (n_units, K).

    Returns
    -------
    float
        P in [0, 1] (NaN with a warning when fewer than two groups have pupils). With
        two groups it equals the correlation index V (:func:`segspatial.correlation`).

    Examples
    --------
    >>> round(normalised_exposure([[2, 6], [13, 3]]), 6)
    0.3
    """
    c = _single(counts)
    return float("nan") if c is None else float(_normalised_exposure_kernel(c)[0])


def _cluster_codes(within: Any, n: int) -> np.ndarray:
    values = pd.Series(np.asarray(within, dtype=object) if not isinstance(within, pd.Series)
                       else within.to_numpy(dtype=object))
    if len(values) != n:
        raise ValueError(f"within must have one value per unit ({n}), got {len(values)}")
    if values.isna().any():
        raise ValueError(f"within has {int(values.isna().sum())} missing values; every unit "
                         "needs a cluster")
    codes, _ = pd.factorize(values)
    return codes.astype(np.int64)


def mutual_information_decomposition(counts: Any, within: Any, *, base: float = math.e
                                     ) -> dict[str, float]:
    """Split M and H of one area into between and within clusters of units.

    ``M = M_between + M_within`` exactly: M_between is the mutual information between a
    pupil's cluster (district, school board, denomination) and group, M_within the
    pupil-weighted mean of the segregation between the units of each cluster.

    Parameters
    ----------
    counts : array_like or pandas.DataFrame
        Shape (n_units, K).
    within : array_like
        The cluster of each unit (any hashable values, none missing).
    base : float, default math.e
        Logarithm base of the M values (H does not depend on it).

    Returns
    -------
    dict
        ``mutual_information``, ``mutual_information_between``,
        ``mutual_information_within``, ``theil_h``, ``theil_h_between``,
        ``theil_h_within``.

    Examples
    --------
    Two clusters that differ completely, with mixed units inside:

    >>> d = mutual_information_decomposition([[4, 4], [6, 2], [0, 8], [2, 6]],
    ...                                      ["x", "x", "y", "y"], base=2)
    >>> round(d["mutual_information_between"] + d["mutual_information_within"]
    ...       - d["mutual_information"], 12)
    0.0
    """
    base = check_base(base)
    arr = _as_matrix(counts)
    c = _single(arr)
    if c is None:
        keys = ("mutual_information", "theil_h")
        return {f"{k}{s}": float("nan") for k in keys for s in ("", "_between", "_within")}
    between, within_m = decomposition_kernel(c, _cluster_codes(within, arr.shape[0]))
    m = _mutual_information_kernel(c)
    e = c.entropy
    scale = math.log(base)
    return {
        "mutual_information": float(m[0] / scale),
        "mutual_information_between": float(between[0] / scale),
        "mutual_information_within": float(within_m[0] / scale),
        "theil_h": float(m[0] / e[0]),
        "theil_h_between": float(between[0] / e[0]),
        "theil_h_within": float(within_m[0] / e[0]),
    }


def local_segregation(counts: Any, *, base: float = math.e) -> pd.DataFrame:
    """Local segregation scores of the units of one area (R ``segregation``'s
    ``mutual_local``).

    Parameters
    ----------
    counts : array_like or pandas.DataFrame
        Shape (n_units, K); a DataFrame's index labels the rows of the result.
    base : float, default math.e
        Logarithm base of ``ls``, ``entropy`` and ``m_contribution``.

    Returns
    -------
    pandas.DataFrame
        One row per unit: ``p`` (t_j / T), ``ls`` (Σ_k p_jk log(p_jk / P_k): how unlike
        the area the unit is), ``entropy`` (E_j, the unit's own diversity),
        ``m_contribution`` (p_j ls_j; they add up to M) and ``h_contribution``
        (p_j ls_j / E; they add up to H).

    Examples
    --------
    >>> local_segregation([[10, 0], [5, 5], [0, 10]], base=2).round(4)
            p   ls  entropy  m_contribution  h_contribution
    0  0.3333  1.0      0.0          0.3333          0.3333
    1  0.3333  0.0      1.0          0.0000          0.0000
    2  0.3333  1.0      0.0          0.3333          0.3333
    """
    base = check_base(base)
    arr = _as_matrix(counts)
    c = MultiGroupedCounts.single(arr)
    out = local_kernel(c)
    scale = math.log(base)
    for key in ("ls", "entropy", "m_contribution"):
        out[key] = out[key] / scale
    index = counts.index if isinstance(counts, pd.DataFrame) else None
    return pd.DataFrame(out, index=index)
