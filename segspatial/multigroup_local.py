"""Several groups at once, per cluster and per unit: the terms of the between/within
decomposition per cluster (:func:`within_components`, for reports) and the local
segregation score of every school (:func:`local_scores`, R ``segregation``'s
``mutual_local``, for maps). Same validation gate and filters as
:func:`segspatial.multigroup_table.multigroup_segregation`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from segspatial._reasons import split_reasons
from segspatial.counts import prepare_multigroup_counts
from segspatial.multigroup import MultiGroupedCounts, check_base, cluster_terms, local_kernel
from segspatial.multigroup_table import (
    _check_within,
    _cluster_codes,
    _filtered,
    _present_keys,
    _reasons,
)

__all__ = ["local_scores", "within_components"]


def within_components(
    data: pd.DataFrame,
    unit: str,
    groups: Sequence[str],
    within: str,
    *,
    area: str | None = None,
    year: str | None = None,
    total: str | None = None,
    base: float = math.e,
    min_unit_size: float = 50,
    min_area_size: float = 10000,
) -> pd.DataFrame:
    """The between/within decomposition per cluster (R ``segregation``'s
    ``mutual_within``), e.g. per denomination in every municipality.

    Parameters
    ----------
    data, unit, groups, area, year, total, base, min_unit_size, min_area_size
        As for :func:`multigroup_segregation`.
    within : str
        The column grouping the units; units without a value are left out.

    Returns
    -------
    pandas.DataFrame
        One row per area-year and cluster: ``area``, ``year`` (when given), ``within``
        (the column name), ``cluster`` (its value), ``n_units``, ``n_pupils`` (pupils in
        the groups), ``share`` (T_d / T), ``entropy`` (E_d), ``entropy_ratio``
        (E_d / E), ``mutual_information`` (M_d: segregation between the cluster's
        units), ``theil_h`` (H_d = M_d / E_d), ``within_contribution`` ((T_d/T) M_d;
        they add up to M_within) and ``between_contribution`` ((T_d/T) Σ_k P_dk
        log(P_dk/P_k); they add up to M_between). Information values in log ``base``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"school": list("PQRS"), "a": [4, 6, 0, 2], "b": [4, 2, 8, 6],
    ...                    "board": ["x", "x", "y", "y"]})
    >>> w = within_components(df, "school", ["a", "b"], "board", base=2,
    ...                       min_unit_size=0, min_area_size=0)
    >>> w[["cluster", "share", "theil_h", "within_contribution"]].round(4)
      cluster  share  theil_h  within_contribution
    0       x    0.5   0.0511               0.0244
    1       y    0.5   0.2537               0.0690
    """
    base = check_base(base)
    within = _check_within(within, list(groups) if not isinstance(groups, str) else [])
    if within is None:
        raise TypeError("within must be a column name (str), got None")
    counts = prepare_multigroup_counts(data, unit, groups, area=area, year=year,
                                       total=total, extra={"_within": within})
    kept, _ = _filtered(counts, min_unit_size, min_area_size)
    keys = _present_keys(area, year)
    columns = [*keys, "within", "cluster", "n_units", "n_pupils", "share", "entropy",
               "entropy_ratio", "mutual_information", "theil_h", "within_contribution",
               "between_contribution"]
    codes, uniques = _cluster_codes(kept["_within"])
    used = codes >= 0
    if not used.any():
        return pd.DataFrame(columns=columns)
    sub = kept.loc[used].reset_index(drop=True)
    grouped = sub.groupby(["area", "year"], sort=True)
    g = grouped.ngroup().to_numpy()
    key_frame = grouped.size().reset_index()[["area", "year"]]
    c = MultiGroupedCounts(counts=sub[list(counts.groups)].to_numpy(dtype=np.float64),
                           group=g, n_groups=len(key_frame))
    terms = cluster_terms(c, codes[used])
    scale = math.log(base)
    e = c.entropy[terms.area_year]
    with np.errstate(divide="ignore", invalid="ignore"):
        out = key_frame.loc[terms.area_year].reset_index(drop=True)
        out["within"] = within
        out["cluster"] = uniques[terms.cluster]
        out["n_units"] = terms.n_units
        out["n_pupils"] = terms.pupils
        out["share"] = terms.pupils / c.T[terms.area_year]
        out["entropy"] = terms.entropy / scale
        out["entropy_ratio"] = terms.entropy / e
        out["mutual_information"] = terms.mutual_information / scale
        out["theil_h"] = terms.mutual_information / terms.entropy
        out["within_contribution"] = out["share"] * terms.mutual_information / scale
        out["between_contribution"] = terms.between_term / scale
    return out[columns]


def local_scores(
    data: pd.DataFrame,
    unit: str,
    groups: Sequence[str],
    *,
    area: str | None = None,
    year: str | None = None,
    total: str | None = None,
    extra: Sequence[str] | None = None,
    base: float = math.e,
    min_unit_size: float = 50,
    min_area_size: float = 10000,
) -> pd.DataFrame:
    """Local segregation scores per unit (school), for maps (R ``mutual_local``).

    Parameters
    ----------
    data, unit, groups, area, year, total, base, min_unit_size, min_area_size
        As for :func:`multigroup_segregation`.
    extra : sequence of str, optional
        Columns of ``data`` to carry through (e.g. ``["x", "y", "school_name"]``).

    Returns
    -------
    pandas.DataFrame
        One row per unit kept by the filters: ``area``, ``year`` (when given), ``unit``,
        the group counts, ``pupils`` (in the groups, t_j), ``p`` (t_j / T),
        ``ls`` (Σ_k p_jk log(p_jk / P_k): how far the school's composition is from its
        area's), ``entropy`` (the school's own diversity E_j), ``m_contribution``
        (p_j ls_j; they add up to M of the area-year) and ``h_contribution``
        (p_j ls_j / E; they add up to H), ``reason`` (why the scores are NaN: the
        area-year's M is undefined, e.g. fewer than 2 units with pupils), then the
        ``extra`` columns.

    Warns
    -----
    SegregationWarning
        When the size filters leave units out (how many, with how many pupils, and
        why); with the defaults (50 pupils per unit, 10,000 per area) small test data
        is left out entirely.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"school": ["P", "Q", "R"], "a": [10, 5, 0], "b": [0, 5, 10]})
    >>> local_scores(df, "school", ["a", "b"], base=2, min_unit_size=0,
    ...              min_area_size=0)[["unit", "ls", "m_contribution"]]
      unit   ls  m_contribution
    0    P  1.0        0.333333
    1    Q  0.0        0.000000
    2    R  1.0        0.333333
    """
    base = check_base(base)
    extra = [] if extra is None else ([extra] if isinstance(extra, str) else list(extra))
    counts = prepare_multigroup_counts(data, unit, groups, area=area, year=year,
                                       total=total, extra={c: c for c in extra})
    kept, filtered = _filtered(counts, min_unit_size, min_area_size)
    _warn_filtered(filtered, min_unit_size, min_area_size)
    keys = _present_keys(area, year)
    grouped = kept.groupby(["area", "year"], sort=True)
    c = MultiGroupedCounts(counts=kept[list(counts.groups)].to_numpy(dtype=np.float64),
                           group=grouped.ngroup().to_numpy(), n_groups=grouped.ngroups)
    scores = local_kernel(c)
    reason = _reasons(c)[c.group] if len(kept) else np.empty(0, dtype=object)
    reason = split_reasons(reason)[0]  # plain text: this table is no results table
    scale = math.log(base)
    out = kept[[*keys, "unit", *counts.groups]].copy()
    out["pupils"] = c.t
    out["p"] = scores["p"]
    out["ls"] = scores["ls"] / scale
    out["entropy"] = scores["entropy"] / scale
    out["m_contribution"] = scores["m_contribution"] / scale
    out["h_contribution"] = scores["h_contribution"]
    out["reason"] = pd.Series(reason, index=out.index, dtype=object)
    for column in extra:
        out[column] = kept[column].to_numpy()
    return out.reset_index(drop=True)


def _warn_filtered(filtered: pd.DataFrame, min_unit_size: float,
                   min_area_size: float) -> None:
    """A :class:`SegregationWarning` naming what the size filters left out, if anything
    (a function that returns a frame has no exclusions table to count them in)."""
    if filtered.empty:
        return
    from segspatial._exceptions import SegregationWarning
    from segspatial._warn import Joined, Text, warn

    by = filtered.groupby("reason")[["n_units", "n_pupils"]].sum()
    parts = [Text("size_filters_part", units=Text("n_units", n=int(round(row["n_units"]))),
                  pupils=Text("n_pupils", n=int(round(row["n_pupils"]))), reason=str(reason))
             for reason, row in by.iterrows()]
    warn(SegregationWarning, "size_filters", min_unit_size=f"{min_unit_size:g}",
         min_area_size=f"{min_area_size:g}", parts=Joined(parts), stacklevel=3)
