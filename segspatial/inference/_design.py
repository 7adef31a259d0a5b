"""From a :class:`~segspatial.compute.SegregationResult` to the engine's designs.

A result holds the counts that were used (``result.counts``) and the tidy table. For each
comparison this module rebuilds the units of every area-year in the order the table
engine used (sorted by area and year), the stream key of each area-year, and the map
from table rows to (area-year, statistic).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from segspatial.compute import SegregationResult
from segspatial.inference._engine import Design
from segspatial.inference._streams import canonical_key
from segspatial.schema import join_groups

__all__ = ["ComparisonDesign", "designs"]

KEYS = ("area", "year")


@dataclass(eq=False)
class ComparisonDesign:
    """The units of one comparison and the table rows they answer for.

    Attributes
    ----------
    comparison : str or None
        The ``comparison`` value of the rows (None for plain two-column counts).
    groups : str or None
        The ``groups`` value of the rows (multigroup results), else None.
    base : float
        Logarithm base of the information indices of the rows (e unless chosen).
    design : Design
        Units sorted by area-year.
    keys : pandas.DataFrame
        One row per area-year: the key columns present (``area``, ``year``).
    order : numpy.ndarray
        Position in ``result.counts`` of each unit of the design (sorted by area-year,
        then by unit id as text); reorders spatial operators given in the counts' order.
    rows : numpy.ndarray
        Index labels of the table rows of this comparison.
    row_group : numpy.ndarray
        The area-year of each of those rows.
    """

    comparison: str | None
    groups: str | None
    base: float
    design: Design
    keys: pd.DataFrame
    order: np.ndarray
    rows: np.ndarray
    row_group: np.ndarray


def _key_columns(frame: pd.DataFrame) -> list[str]:
    return [k for k in KEYS if k in frame.columns]


def _comparison_columns(result: SegregationResult
                        ) -> list[tuple[str | None, tuple[str, ...], str | None]]:
    """(comparison, count columns, ``groups`` value) of each block of rows."""
    parameters = result.parameters
    if parameters.get("themes"):  # pupil_multigroup_segregation: one block per theme
        return [(theme, tuple(cols), join_groups(cols))
                for theme, cols in parameters["themes"].items()]
    if parameters.get("groups"):  # multigroup_segregation
        cols = tuple(parameters["groups"])
        return [(None, cols, join_groups(cols))]
    if parameters.get("comparisons"):  # pupil_segregation
        return [(name, tuple(pair), None) for name, pair in parameters["comparisons"].items()]
    return [(None, ("a", "b"), None)]


def designs(result: SegregationResult) -> list[ComparisonDesign]:
    """One design per comparison of ``result``.

    Raises
    ------
    TypeError
        If ``result`` is not a :class:`~segspatial.compute.SegregationResult`.
    ValueError
        If its counts lack the group columns, or do not match the table (a result
        edited after it was computed).
    """
    if not isinstance(result, SegregationResult):
        raise TypeError(
            "result must be a SegregationResult (from segspatial.segregation, "
            f"pupil_segregation or spatial_segregation), got {type(result).__name__}"
        )
    counts, table = result.counts, result.table
    keys = _key_columns(counts)
    if keys:
        grouped = counts.groupby(keys, sort=True, dropna=False)
        group = grouped.ngroup().to_numpy()
        key_frame = grouped.size().reset_index()[keys]
    else:
        group = np.zeros(len(counts), dtype=np.intp)
        key_frame = pd.DataFrame(index=range(1 if len(counts) else 0))
    # units within an area-year in the order of their ids as text, so the draws do not
    # depend on how the ids were read (8 < 10 as numbers, "10" < "8" as text)
    if "unit" in counts.columns:
        order = np.lexsort((counts["unit"].astype(str).to_numpy(), group))
    else:
        order = np.argsort(group, kind="stable")
    sizes = np.bincount(group, minlength=len(key_frame))
    starts = np.concatenate([[0], np.cumsum(sizes)])
    out = []
    base = float(result.parameters.get("base") or math.e)
    for comparison, columns, groups in _comparison_columns(result):
        missing = [c for c in columns if c not in counts.columns]
        if missing:
            raise ValueError(f"result.counts has no column {missing[0]!r} for "
                             f"comparison {comparison!r}; was it edited?")
        cells = counts[list(columns)].to_numpy(dtype=np.float64)[order]
        key_columns = [key_frame[k].tolist() if k in keys else [None] * len(key_frame)
                       for k in KEYS]
        stream_keys = [canonical_key((comparison or "", groups or "", *values))
                       for values in zip(*key_columns, strict=True)]
        mine = ((table["comparison"].isna() if comparison is None
                 else table["comparison"] == comparison)
                & (table["groups"].isna() if groups is None
                   else table["groups"] == groups)).to_numpy()
        sub = table.loc[mine]
        if keys:
            position = key_frame.assign(_g=np.arange(len(key_frame)))
            matched = sub[keys].merge(position, on=keys, how="left")["_g"].to_numpy()
        else:
            matched = np.zeros(len(sub))
        if np.isnan(matched.astype(np.float64)).any():
            raise ValueError("the table has area-years that are not in result.counts; "
                             "inference needs the result as computed")
        row_group = matched.astype(np.intp)
        n_units = sub["n_units"].to_numpy(dtype=np.float64)
        # (decomposition rows count only the units with a `within` value, spatial rows
        # only those with pupils in the comparison)
        defined = (np.isfinite(n_units) & sub["within"].isna().to_numpy()
                   & sub["bandwidth"].isna().to_numpy() & sub["kernel"].isna().to_numpy())
        # (the two-group tables count every unit of the area-year, the multigroup tables
        # only the units with pupils: either matches a result as computed)
        occupied = np.bincount(group[order], weights=(cells.sum(axis=1) > 0),
                               minlength=len(key_frame))
        wanted = n_units[defined]
        if ((wanted != sizes[row_group[defined]])
                & (wanted != occupied[row_group[defined]])).any():
            raise ValueError("result.counts does not match the table's n_units; "
                             "inference needs the result as computed")
        out.append(ComparisonDesign(
            comparison=comparison, groups=groups, base=base,
            design=Design(counts=cells, starts=starts, keys=stream_keys),
            keys=key_frame, order=order, rows=sub.index.to_numpy(), row_group=row_group,
        ))
    return out
