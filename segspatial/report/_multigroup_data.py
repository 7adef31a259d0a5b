"""The numbers of the report's "several groups at once" and income-profile sections.

A step of :func:`segspatial.report.report_data` (:func:`multigroup_data`): from a
multigroup result (:func:`segspatial.multigroup_table.multigroup_segregation` on counts
with ``--groups``, or :func:`segspatial.multigroup_table.pupil_multigroup_segregation`
by theme) it keeps the rows of the report's areas, computes the decomposition per
cluster of the grouping column (``within``, e.g. the DUO denomination) and the local
scores of every school in each area's latest year (for the maps); from a rank-order
result (:func:`segspatial.rankorder.rank_order_segregation`) it keeps H^R and the H(p)
profile. Everything comes from the engine: the report only selects and shows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from segspatial.compute import SegregationResult
from segspatial.schema import has_values

#: The block name of counts input with ``--groups`` (pupil input: the theme names).
GROUPS_BLOCK = "groups"


@dataclass(frozen=True)
class MultigroupData:
    """What the multigroup and income sections show (see :func:`multigroup_data`).

    Attributes
    ----------
    table : pandas.DataFrame
        Multigroup rows of the report's areas (all years): ``area``, ``year``,
        ``comparison`` (the block: ``"groups"`` or a theme), ``index``, ``value``,
        ``reason``, ``groups``, ``within``.
    blocks : dict
        Block -> its group columns (in the order of the ``groups`` field).
    within : str or None
        The grouping column of the between/within decomposition.
    components : pandas.DataFrame
        The decomposition per cluster in each area's latest year
        (:func:`segspatial.multigroup_local.within_components` with ``comparison``).
    local : pandas.DataFrame
        Local scores per school in each area's latest year
        (:func:`segspatial.multigroup_local.local_scores` with ``comparison``, ``x``,
        ``y``, ``name``).
    rank_order : pandas.DataFrame
        H^R rows (``rank_order_theil_h`` and ``rank_order_theil_h_integral``) of the
        report's areas; empty without a rank-order result.
    profile : pandas.DataFrame
        The H(p) profile of the report's areas (all years).
    with_income : bool
        Whether a rank-order result was given (the income section is shown).
    withheld : bool
        Disclosure mode: the disclosure audit covers no multigroup number, so the
        sections say they are not shown and the frames above are empty.
    within_label : str or None
        The caller's name of the groups of schools of ``within`` (a plural noun
        phrase), or None for the default.
    """

    table: pd.DataFrame
    blocks: dict[str, tuple[str, ...]]
    within: str | None
    components: pd.DataFrame
    local: pd.DataFrame
    rank_order: pd.DataFrame = field(default_factory=pd.DataFrame)
    profile: pd.DataFrame = field(default_factory=pd.DataFrame)
    with_income: bool = False
    withheld: bool = False
    within_label: str | None = None

    @property
    def has_groups(self) -> bool:
        """Whether the report has a multigroup section."""
        return bool(self.blocks)

    @property
    def has_income(self) -> bool:
        """Whether the report has an income-profile section."""
        return self.with_income

    def withhold(self) -> MultigroupData:
        """The data as disclosure mode publishes them: nothing but the section notes."""
        return replace(self, table=self.table.iloc[:0], components=self.components.iloc[:0],
                       local=self.local.iloc[:0], rank_order=self.rank_order.iloc[:0],
                       profile=self.profile.iloc[:0], withheld=True)

    def of_area(self, code: str) -> MultigroupData:
        """The rows of one area."""
        def rows(frame: pd.DataFrame) -> pd.DataFrame:
            if frame.empty or "area" not in frame.columns:
                return frame
            return frame[frame["area"] == code]

        return replace(self, table=rows(self.table), components=rows(self.components),
                       local=rows(self.local), rank_order=rows(self.rank_order),
                       profile=rows(self.profile))


def _keyed(frame: pd.DataFrame, codes: Sequence[str]) -> pd.DataFrame:
    """Area codes as text, a year of 0 when there is none, only the report's areas."""
    frame = frame.copy()
    if "year" not in frame.columns or not has_values(frame, "year"):
        frame["year"] = 0
    frame["area"] = frame["area"].astype(str)
    return frame[frame["area"].isin(set(codes))].reset_index(drop=True)


def _blocks(result: SegregationResult) -> dict[str, tuple[str, ...]]:
    params = result.parameters or {}
    if "themes" in params:  # pupil input: one block per theme
        return {str(k): tuple(map(str, v)) for k, v in dict(params["themes"]).items()}
    return {GROUPS_BLOCK: tuple(map(str, params["groups"]))}


def multigroup_data(multigroup: SegregationResult | None, rank_order: Any,
                    located: pd.DataFrame, codes: Sequence[str]) -> MultigroupData | None:
    """The multigroup step of :func:`segspatial.report.report_data`.

    Parameters
    ----------
    multigroup : SegregationResult, optional
        From :func:`~segspatial.multigroup_table.multigroup_segregation` or
        :func:`~segspatial.multigroup_table.pupil_multigroup_segregation` (with
        ``area=``; its ``counts`` are the analysed units).
    rank_order : RankOrderResult, optional
        From :func:`~segspatial.rankorder.rank_order_segregation` (with ``area=``).
    located : pandas.DataFrame
        The report's units with ``unit``, ``year``, ``x``, ``y``, ``name``.
    codes : sequence of str
        The report's areas.

    Returns
    -------
    MultigroupData or None
        None when neither result is given.
    """
    from segspatial.multigroup_local import local_scores, within_components

    if multigroup is None and rank_order is None:
        return None
    for name, res in (("multigroup", multigroup), ("rank_order", rank_order)):
        if res is not None and not isinstance(res, SegregationResult):
            raise TypeError(f"{name} must be a SegregationResult, got "
                            f"{type(res).__name__}")
        if res is not None and not has_values(res.table, "area") and len(res.table):
            raise ValueError(f"{name}: the result has no 'area' column (compute it with "
                             "area=...)")
    table = pd.DataFrame(columns=["area", "year", "comparison", "index", "value",
                                  "reason", "groups", "within"])
    blocks: dict[str, tuple[str, ...]] = {}
    within, components, local = None, pd.DataFrame(), pd.DataFrame()
    if multigroup is not None:
        blocks = _blocks(multigroup)
        within = (multigroup.parameters or {}).get("within")
        table = _keyed(multigroup.table, codes)
        if GROUPS_BLOCK in blocks:
            table["comparison"] = GROUPS_BLOCK
        counts = _keyed(multigroup.counts, codes)
        latest = table.groupby("area")["year"].max()
        counts = counts[counts["year"].to_numpy()
                        == latest.reindex(counts["area"]).to_numpy()].reset_index(drop=True)
        counts["unit"] = counts["unit"].astype(str)
        where = located[["unit", "year", "x", "y", "name"]].drop_duplicates(
            ["unit", "year"], keep="last")
        counts = counts.merge(where, on=["unit", "year"], how="left")
        base = float((multigroup.parameters or {}).get("base", math.e))
        local_parts, component_parts = [], []
        for block, columns in blocks.items():
            common = dict(area="area", year="year", base=base, min_unit_size=0,
                          min_area_size=0)
            present = counts[counts[list(columns)].sum(axis=1) > 0]
            if present.empty:
                continue
            scores = local_scores(present, "unit", list(columns),
                                  extra=["x", "y", "name"], **common)
            local_parts.append(scores.assign(comparison=block))
            if within is not None:
                component_parts.append(within_components(
                    present, "unit", list(columns), within, **common).assign(
                        comparison=block))
        local = pd.concat(local_parts, ignore_index=True) if local_parts else pd.DataFrame(
            columns=["area", "year", "unit", "comparison"])
        components = (pd.concat(component_parts, ignore_index=True) if component_parts
                      else pd.DataFrame(columns=["area", "year", "comparison", "cluster"]))
    rank_rows, profile = pd.DataFrame(), pd.DataFrame()
    if rank_order is not None:
        rank_rows = _keyed(rank_order.table, codes)
        profile = _keyed(getattr(rank_order, "profile", pd.DataFrame(columns=["area"])),
                         codes)
    return MultigroupData(table=table.reset_index(drop=True), blocks=blocks, within=within,
                          components=components, local=local, rank_order=rank_rows,
                          profile=profile, with_income=rank_order is not None)

