"""The report's confidence intervals: one vectorised inference call per kind of index.

:func:`aspatial_intervals` bootstraps D, D*, H and V of every area, year and comparison
at once and takes the change from each area's first to its latest year from the same
replicates; :func:`spatial_intervals` does the spatial D and H of a spatial result (each
bandwidth's environment operator built once) and :func:`profile_with_intervals` the
multi-scale profile. Nothing here runs per page (see :mod:`segspatial.inference`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from segspatial.compute import SegregationResult
from segspatial.schema import has_values

__all__ = ["INTERVAL_COLUMNS", "aspatial_intervals", "empty_change",
           "multigroup_intervals", "profile_with_intervals", "spatial_intervals"]

#: The bootstrap columns the pages read (from :func:`segspatial.inference.infer`).
INTERVAL_COLUMNS = ("se", "ci_low", "ci_high", "ci_level")
#: The spatial indices with intervals (the environment operators of the inference).
_SPATIAL_INTERVALS = ["spatial_dissimilarity", "spatial_theil_h"]


def empty_change() -> pd.DataFrame:
    """An empty change table (:data:`segspatial.schema.CHANGE_COLUMNS`)."""
    from segspatial.schema import empty_change as empty

    return empty()


def _engine(options: Mapping[str, Any]) -> dict[str, Any]:
    """The interval kind and threads of :func:`segspatial.inference.infer`."""
    return {"interval": options["inference"].get("interval", "bias_corrected"),
            "n_jobs": options.get("n_jobs", 1)}


def aspatial_intervals(result: SegregationResult, table: pd.DataFrame, codes: Sequence[str],
                       comparisons: Mapping[str, tuple[str, str]], options: Mapping[str, Any],
                       indices: Sequence[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Bootstrap intervals of the report's aspatial indices (every area, year and
    comparison in one vectorised call) and the change of each from an area's first to
    its latest year, from the same replicates (its interval: the difference of the
    two years' replicates)."""
    settings = options["inference"]
    if not settings["n_boot"]:
        return table, empty_change()
    from dataclasses import replace

    from segspatial.inference import infer

    wanted = set(codes)
    chosen = result.table["area"].astype(str).isin(wanted).to_numpy()
    labels = result.table.index[chosen]
    # a table with its own row labels: infer's change step needs 0..n-1
    subset = replace(
        result, table=result.table[chosen].reset_index(drop=True),
        counts=result.counts[result.counts["area"].astype(str).isin(wanted)])
    years = has_values(subset.table, "year") and subset.table["year"].nunique() > 1
    inferred = infer(subset, n_boot=settings["n_boot"], level=settings["level"],
                     **_engine(options),
                     cluster=settings["cluster"], indices=list(indices),
                     change=years, trend=False, rng=options["rng"])
    got = inferred.result.table
    table = table.copy()
    for column in INTERVAL_COLUMNS:  # infer keeps the rows' order; back to their labels
        table[column] = pd.Series(got[column].to_numpy(), index=labels).reindex(
            table.index).to_numpy()
    changes = inferred.change
    if len(changes):
        changes = changes[changes["statistic"] == "difference"].copy()
        changes["area"] = changes["area"].astype(str)
        if len(comparisons) == 1:  # plain two-column counts: the one comparison's name
            changes["comparison"] = next(iter(comparisons))
    return table, changes.reset_index(drop=True)


def spatial_intervals(res: SegregationResult, options: Mapping[str, Any]
                       ) -> SegregationResult:
    """A spatial result with bootstrap intervals of its spatial D and H (all areas and
    bandwidths at once: each bandwidth's environment operator is built once)."""
    settings = options["inference"]
    if not settings["n_boot"]:
        return res
    from dataclasses import replace

    from segspatial.inference import infer

    # only the area-years with a spatial value (a one-school municipality has none):
    # the engine slices the environment operators by runs of area-years and must not
    # meet one it skips inside a run
    table, counts = res.table, res.counts
    defined = table.loc[table["index"].isin(_SPATIAL_INTERVALS) & table["value"].notna(),
                        ["area", "year"]].drop_duplicates()
    keep = pd.MultiIndex.from_frame(defined)
    rows = pd.MultiIndex.from_frame(table[["area", "year"]]).isin(keep)
    if not rows.any():
        return res
    units = pd.MultiIndex.from_frame(counts[["area", "year"]]).isin(keep)
    subset = replace(res, table=table[rows].reset_index(drop=True),
                     counts=counts[units].reset_index(drop=True))
    got = infer(subset, n_boot=settings["n_boot"], level=settings["level"],
                **_engine(options),
                cluster=settings["cluster"], indices=_SPATIAL_INTERVALS,
                rng=options["rng"]).result.table
    table = table.copy()
    for column in INTERVAL_COLUMNS:
        table[column] = pd.Series(got[column].to_numpy(), index=table.index[rows]).reindex(
            table.index).to_numpy()
    return replace(res, table=table)


def multigroup_intervals(multigroup: SegregationResult | None, options: Mapping[str, Any]
                         ) -> SegregationResult | None:
    """A multigroup result with bootstrap intervals (every area, year and block in one
    vectorised call, with the report's settings and seed). The engine gives none for
    the between/within rows; without ``n_boot`` the result is returned as it is."""
    settings = options["inference"]
    if (not isinstance(multigroup, SegregationResult) or not settings["n_boot"]
            or not has_values(multigroup.table, "area")):  # multigroup_data says why
        return multigroup
    from segspatial.inference import infer

    return infer(multigroup, n_boot=settings["n_boot"], level=settings["level"],
                 **_engine(options),
                 cluster=settings["cluster"], rng=options["rng"]).result


def profile_with_intervals(frame: pd.DataFrame, col_a: str, col_b: str, bandwidths: Sequence[float],
             common: Mapping[str, Any], options: Mapping[str, Any]) -> pd.DataFrame:
    """:func:`segspatial.spatial.multiscale_profile` with bootstrap intervals."""
    from segspatial.spatial import spatial_segregation

    res = spatial_segregation(frame, "unit", col_a, col_b, bandwidth=list(bandwidths),
                              indices="dissimilarity", spatial_indices=_SPATIAL_INTERVALS,
                              permutations=0, **common)
    table = spatial_intervals(res, options).table
    table = table.loc[table["index"] != "dissimilarity"]
    return table.sort_values(["area", "year", "index", "bandwidth"], kind="stable",
                             na_position="first").reset_index(drop=True)
