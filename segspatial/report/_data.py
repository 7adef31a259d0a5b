"""The report's data: everything its pages show, computed once (:func:`report_data`).

:func:`report_data` runs in small steps, each a function of its own: check the
options (:func:`_options`), select the areas (:func:`_select_areas`), attach the
units' locations (:func:`_attach_locations`), compute the spatial results of each
area's latest year (:func:`_spatial_results`), name the pages (:func:`_page_files`)
and record the provenance for the method section (:func:`_provenance`). A new page
section that needs new numbers gets them in a step here (or a new step) and a field
of :class:`ReportData`; its HTML lives in ``templates/``.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from numbers import Real
from typing import Any

import numpy as np
import pandas as pd

from segspatial.compute import SegregationResult
from segspatial.counts import _REASONS
from segspatial.report._intervals import (
    aspatial_intervals,
    empty_change,
    multigroup_intervals,
    profile_with_intervals,
    spatial_intervals,
)
from segspatial.report._labels import resolve_comparisons
from segspatial.report._provenance import _provenance
from segspatial.schema import has_values

#: The four indices of the report's table, in order (D is the lead index).
REPORT_INDICES = ("dissimilarity", "dissimilarity_standardised", "theil_h", "correlation")
#: File that marks a folder as a segspatial report (only such folders are replaced).
MARKER = ".segspatial-report"
#: Longest file name of a page, without ``.html`` (longer codes are cut and hashed).
MAX_PAGE_STEM = 100
#: Share of Theil's H that spatial H keeps at the narrowest bandwidth, at or above
#: which segregation is called "between parts of the municipality" (neighbouring
#: schools are alike) ...
KEEP_HIGH = 0.7
#: ... and below which it is called "between neighbouring schools".
KEEP_LOW = 0.4
#: Permutation p-value below which Moran's I is called a pattern.
MORAN_ALPHA = 0.05
#: Fewer schools than this: the spatial numbers are flagged as uncertain.
FEW_SCHOOLS = 10

_REASONS.setdefault(
    "no_location",
    "units without coordinates: left out of the maps and the spatial indices",
)
_SPATIAL_NAMES = ("spatial_dissimilarity", "spatial_theil_h", "morans_i", "morans_i_p",
                  "theil_h_between", "theil_h_within")


# --------------------------------------------------------------------------- small helpers


def page_name(code: Any) -> str:
    """The file name of an area's page: its code, made safe for a file name.

    Characters other than ASCII letters, digits, ``.``, ``_`` and ``-`` become
    ``_``; a code longer than :data:`MAX_PAGE_STEM` characters is cut and ends in a
    hash of the whole code, so every name fits any file system.

    Examples
    --------
    >>> page_name("GM0363")
    'GM0363.html'
    >>> page_name("a/b c")
    'a_b_c.html'
    >>> page_name("x" * 500)[-21:]
    'xxx-c38c2bf3055c.html'
    """
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", str(code)).lstrip(".") or "area"
    if len(safe) > MAX_PAGE_STEM:
        digest = hashlib.sha256(str(code).encode("utf-8", "surrogatepass")).hexdigest()
        safe = f"{safe[:MAX_PAGE_STEM - 13]}-{digest[:12]}"
    return f"{safe}.html"


def _check_int(value: Any, argument: str, *, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{argument} must be an int, got {value!r}")
    if value < minimum:
        raise ValueError(f"{argument} must be at least {minimum}, got {value!r}")
    return int(value)


# --------------------------------------------------------------------------- the data


@dataclass(frozen=True)
class ReportData:
    """Everything a report shows, computed once (see :func:`report_data`).

    Attributes
    ----------
    areas : pandas.DataFrame
        One row per page: ``code``, ``name``, ``file`` (sorted by code).
    table : pandas.DataFrame
        The aspatial results (all years) with a ``comparison`` column and a ``year``
        column (0 when the input has no years).
    spatial : pandas.DataFrame
        Spatial rows for each area's latest year (``comparison``, ``index``,
        ``bandwidth``, ``value``, ...).
    profile : pandas.DataFrame
        The multi-scale profile for each area's latest year.
    exclusions : pandas.DataFrame
        Everything left out, with the reason (including units without a location).
    counts : pandas.DataFrame
        The analysed units: ``area``, ``year``, ``unit``, the group columns, ``total``,
        ``name``, ``x``, ``y`` (NaN when the unit has no location).
    comparisons : dict
        Comparison name -> (group A column, group B column) of ``counts``.
    group_labels : dict
        Group column -> label given by the caller (pupil groups have built-in labels).
    boundaries : geopandas.GeoDataFrame
        ``code``, ``name`` and the polygon of every boundary feature, in ``crs``.
    parameters : dict
        The settings, for the method section.
    districts : geopandas.GeoDataFrame, optional
        The district polygons of the between/within split of H (column
        ``parameters["district_code"]``).
    disclosure : segspatial.disclosure.Protected, optional
        Set on the data :func:`render_report` renders in disclosure mode: the audited
        shares and counts of each municipality's latest year.
    multigroup : segspatial.report._multigroup_data.MultigroupData, optional
        Several groups at once and income as a continuum (``multigroup=`` and
        ``rank_order=`` of :func:`report_data`).
    changes : pandas.DataFrame
        The change of every index of ``table`` from each area's first to its latest
        year, with its bootstrap interval (:func:`segspatial.inference.change`,
        :data:`segspatial.schema.CHANGE_COLUMNS`; ``statistic`` = ``difference``);
        empty without intervals (``n_boot=0``) or with fewer than two years.

    With ``n_boot`` replicates, ``table``, ``spatial`` and ``profile`` carry the
    bootstrap columns ``ci_low``, ``ci_high``, ``ci_level`` and ``se`` of
    :func:`segspatial.inference.infer` (NaN where an index gets none; bounds within
    the index's range, :func:`segspatial.inference._summary.clip_to_range`).
    """

    areas: pd.DataFrame
    table: pd.DataFrame
    spatial: pd.DataFrame
    profile: pd.DataFrame
    exclusions: pd.DataFrame
    counts: pd.DataFrame
    comparisons: dict[str, tuple[str, str]]
    group_labels: dict[str, str]
    boundaries: Any
    parameters: dict[str, Any] = field(default_factory=dict)
    districts: Any = None
    disclosure: Any = None
    multigroup: Any = None
    changes: pd.DataFrame = field(default_factory=empty_change)

    @property
    def has_years(self) -> bool:
        """Whether the input had a year column."""
        return bool(self.parameters.get("year"))


def _grid_districts(x: np.ndarray, y: np.ndarray, size: float, crs: Any):
    """Square cells of ``size`` metres holding at least one unit: the default districts."""
    import geopandas as gpd
    import shapely

    ix = np.floor(x / size).astype(np.int64)
    iy = np.floor(y / size).astype(np.int64)
    cells = np.unique(np.column_stack([ix, iy]), axis=0)
    boxes = shapely.box(cells[:, 0] * size, cells[:, 1] * size, (cells[:, 0] + 1) * size,
                        (cells[:, 1] + 1) * size)
    codes = [f"{a}_{b}" for a, b in cells]
    return gpd.GeoDataFrame({"district": codes}, geometry=boxes, crs=crs)


def report_data(
    result: SegregationResult,
    locations: pd.DataFrame,
    *,
    unit: str,
    x: str,
    y: str,
    crs: Any,
    boundaries: Any,
    area_code: str | None = None,
    area_name: str | None = None,
    name: str | None = None,
    only: Sequence[Any] | None = None,
    group_labels: Mapping[str, str] | None = None,
    within_label: str | None = None,
    bandwidth: float | Sequence[float] | None = None,
    kernel: str | None = None,
    districts: Any = None,
    district_code: str | None = None,
    district_size: float = 2000.0,
    permutations: int = 999,
    rng: int = 0,
    inputs: Iterable[Any] = (),
    multigroup: SegregationResult | None = None,
    rank_order: SegregationResult | None = None,
    n_boot: int = 0,
    level: float = 0.95,
    cluster: bool = False,
    interval: str = "bias_corrected",
    n_jobs: int = 1,
) -> ReportData:
    """Compute everything a report shows.

    Parameters
    ----------
    result : SegregationResult
        Aspatial results with areas: from :func:`segspatial.segregation` (one
        comparison, group A vs B) or :func:`segspatial.pupils.pupil_segregation`
        (several comparisons). Its ``counts`` (the analysed units) are used for the
        maps and the spatial indices.
    locations : pandas.DataFrame
        Where the units are: columns ``unit``, ``x``, ``y`` and optionally ``name``;
        one row per unit (when a unit has several rows, its last one is used).
    unit, x, y : str
        Columns of ``locations``: unit id (the same values as the results' units) and
        coordinates.
    crs : str or pyproj.CRS
        CRS of ``x``/``y``; must be projected in metres (e.g. ``"EPSG:28992"``).
    boundaries : geopandas.GeoDataFrame or path
        Area polygons (every feature is drawn on the index map).
    area_code : str, optional
        Boundaries' column with the area codes (default ``statcode``).
    area_name : str, optional
        Boundaries' column with the area names (default ``statnaam``, ``name``, ...).
    name : str, optional
        School name column of ``locations``.
    only : sequence, optional
        Make pages for these area codes only.
    group_labels : mapping, optional
        What to call the groups, as noun phrases in the page language, used as they
        are ("pupils with a disadvantage background", "achterstandsleerlingen"): keys
        ``"a"``/``"b"`` or the group column names for results of
        :func:`segspatial.segregation`, and the K group columns of ``multigroup``
        (e.g. ``{"a_above": "pupils with a disadvantage background above the
        threshold"}``). Groups without a label get a known name or ``group <column>``.
    within_label : str, optional
        What to call the groups of schools of ``multigroup``'s ``within`` column, as a
        plural noun phrase ("denominations", "school boards"): the headings and
        sentences of the split between and within, and the head of its table. By
        default a known column (denomination, board) gets its name in the page
        language, another "groups of schools by <column>".
    bandwidth : float or sequence of float, optional
        Bandwidths (metres) of the spatial indices (default 500, 1000, 2000, 4000).
    kernel : str, optional
        Distance kernel (default gaussian); see :func:`segspatial.spatial.spatial_segregation`.
    districts : geopandas.GeoDataFrame or path, optional
        District polygons for the between/within decomposition of Theil's H (e.g. CBS
        wijken); default squares of ``district_size`` metres.
    district_code : str, optional
        Column of ``districts`` with their codes.
    district_size : float
        Side of the default square districts, in metres.
    permutations : int
        Permutations for Moran's I p-value.
    rng : int
        Seed of the permutations and of the bootstrap (fixed, so reruns give the same
        pages).
    inputs : iterable of path
        Input files, listed with their size and SHA-256 in the method section.
    multigroup : SegregationResult, optional
        Several groups at once, for the section of that name: from
        :func:`segspatial.multigroup_table.multigroup_segregation` (counts; with
        ``within=`` the split between and within, e.g. denominations) or
        :func:`segspatial.multigroup_table.pupil_multigroup_segregation` (pupils, by
        theme), computed with ``area=`` on the same units. The report adds the
        decomposition per cluster and the local scores of every school (maps).
    rank_order : RankOrderResult, optional
        Income as a continuum: :func:`segspatial.rankorder.rank_order_segregation`
        with ``area=``; the pages show H^R and the H(p) profile.
    n_boot : int, default 0
        Bootstrap replicates per area-year (0: no intervals; the command line's
        ``report --bootstrap`` defaults to :data:`REPORT_BOOTSTRAP`). Every index of
        the tables gets a confidence interval (:func:`segspatial.inference.infer`: the
        aspatial indices of every year, the spatial D and H of the latest year at
        every bandwidth and of the profile, the multigroup H, M and D of every year
        but not their between/within split), and every index its change from the
        first to the latest year (:func:`segspatial.inference.change`), which the
        pages call rising or falling only when its interval excludes zero. All areas,
        years and comparisons in one vectorised call each, never per page.
    level : float, default 0.95
        Confidence level of the intervals.
    cluster : bool, default False
        Resample schools (cluster bootstrap) instead of pupils; the spatial indices
        keep the individual bootstrap (their neighbourhoods are fixed per school).
    interval : {"bias_corrected", "percentile"}, default "bias_corrected"
        The kind of bootstrap interval (see :func:`segspatial.inference.infer`); the
        pages name it.
    n_jobs : int, default 1
        Threads drawing the replicates; the pages do not depend on it.

    Returns
    -------
    ReportData

    Raises
    ------
    TypeError, ValueError
        For a result without areas, missing columns, unknown ``only`` codes, area codes
        none of which is a boundary feature's (examples of both sides), a geographic
        CRS or bad parameters.
    """
    options = _options(result, locations, unit=unit, x=x, y=y, name=name, crs=crs,
                       boundaries=boundaries, area_code=area_code, area_name=area_name,
                       bandwidth=bandwidth, district_size=district_size,
                       permutations=permutations, rng=rng, n_boot=n_boot, level=level,
                       cluster=cluster, interval=interval, n_jobs=n_jobs)
    comparisons, labels, table = resolve_comparisons(result, group_labels)
    codes, table, counts = _select_areas(result, table, comparisons, options["geo"],
                                         area_code, only)
    table, changes = aspatial_intervals(result, table, codes, comparisons, options,
                                        REPORT_INDICES)
    counts, exclusions, located = _attach_locations(result, counts, locations, unit=unit,
                                                    x=x, y=y, name=name)
    if only is not None and "area" in exclusions.columns:
        exclusions = exclusions[exclusions["area"].isna() | exclusions["area"].isin(codes)]
    spatial = _spatial_results(table, counts, located, comparisons, options,
                               kernel=kernel, districts=districts,
                               district_code=district_code)
    exclusions = pd.concat([exclusions, *spatial["exclusions"]], ignore_index=True) \
        if spatial["exclusions"] else exclusions
    areas = _page_files(codes, options["geo"])
    parameters = _provenance(result, options, spatial, unit=unit, x=x, y=y, kernel=kernel,
                             inputs=inputs)
    from segspatial.report._labels import with_within_label
    from segspatial.report._multigroup_data import multigroup_data

    several = with_within_label(multigroup_data(multigroup_intervals(multigroup, options),
                                                rank_order, counts, codes), within_label)
    return ReportData(areas=areas, table=table.reset_index(drop=True),
                      spatial=spatial["spatial"], profile=spatial["profile"],
                      exclusions=exclusions.reset_index(drop=True),
                      counts=counts.reset_index(drop=True), comparisons=comparisons,
                      group_labels=labels, boundaries=options["geo"], parameters=parameters,
                      districts=spatial["district_frame"], multigroup=several,
                      changes=changes)


# --------------------------------------------------------------------------- the steps


def _options(result: SegregationResult, locations: pd.DataFrame, *, unit: str, x: str,
             y: str, name: str | None, crs: Any, boundaries: Any, area_code: str | None,
             area_name: str | None, bandwidth: Any, district_size: Any, permutations: Any,
             rng: Any, n_boot: Any = 0, level: Any = 0.95, cluster: Any = False,
             interval: Any = "bias_corrected", n_jobs: Any = 1) -> dict[str, Any]:
    """Check the options; the projected CRS, sorted bandwidths and boundaries in it."""
    import geopandas as gpd

    from segspatial._mapdata import _require_columns, area_geometries, check_frame
    from segspatial.geo import read_boundaries, require_projected
    from segspatial.spatial import DEFAULT_BANDWIDTHS

    if not isinstance(result, SegregationResult):
        raise TypeError(f"result must be a SegregationResult, got {type(result).__name__}")
    if not has_values(result.table, "area"):
        raise ValueError("result has no 'area' column: a report needs areas (compute with "
                         "area=...)")
    check_frame(locations, "locations")
    _require_columns(locations, [c for c in (unit, x, y, name) if c], "locations")
    crs = require_projected(crs, "crs")
    if isinstance(district_size, bool) or not isinstance(district_size, Real) or not (
            math.isfinite(district_size) and district_size > 0):
        raise ValueError(f"district_size must be a positive number of metres, got "
                         f"{district_size!r}")
    permutations = _check_int(permutations, "permutations")
    rng = _check_int(rng, "rng")
    n_boot = _check_int(n_boot, "n_boot")
    if n_boot == 1:
        raise ValueError("n_boot must be 0 (no intervals) or at least 2, got 1")
    if isinstance(level, bool) or not isinstance(level, Real) or not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1 (e.g. 0.95), got {level!r}")
    if not isinstance(cluster, bool):
        raise TypeError(f"cluster must be True or False, got {cluster!r}")
    if interval not in ("bias_corrected", "percentile"):
        raise ValueError("interval must be 'bias_corrected' or 'percentile', got "
                         f"{interval!r}")
    n_jobs = _check_int(n_jobs, "n_jobs")
    if n_jobs < 1:
        raise ValueError(f"n_jobs must be at least 1, got {n_jobs}")
    if bandwidth is None:
        bandwidths = [float(b) for b in DEFAULT_BANDWIDTHS]
    else:
        raw = [bandwidth] if isinstance(bandwidth, Real) else list(bandwidth)
        bad = [b for b in raw if isinstance(b, bool) or not isinstance(b, Real)
               or not (math.isfinite(b) and b > 0)]
        if bad or not raw:
            raise ValueError(f"bandwidth must be one or more positive distances in metres, "
                             f"got {bandwidth!r}")
        bandwidths = sorted({float(b) for b in raw})
    if not isinstance(boundaries, gpd.GeoDataFrame):
        boundaries = read_boundaries(boundaries)
    geo = area_geometries(boundaries, area_code, area_name)
    if geo.crs is None:
        raise ValueError("boundaries have no CRS; give a file that declares one")
    return {"crs": crs, "bandwidths": bandwidths, "permutations": permutations, "rng": rng,
            "district_size": float(district_size), "geo": geo.to_crs(crs),
            "inference": {"n_boot": n_boot, "level": float(level), "cluster": cluster,
                          "interval": interval},
            "n_jobs": n_jobs}  # not under "inference": the pages do not depend on it


def _select_areas(result: SegregationResult, table: pd.DataFrame,
                  comparisons: Mapping[str, tuple[str, str]], geo: Any,
                  area_code: str | None, only: Sequence[Any] | None
                  ) -> tuple[list[str], pd.DataFrame, pd.DataFrame]:
    """The areas with pages (all, or ``only``), their results and analysed units; a
    ``year`` of 0 when the input has none, codes as text."""
    from segspatial._mapdata import check_codes_match
    from segspatial.counts import left_out_of_area

    counts = result.counts.copy()
    if not has_values(table, "year"):
        table = table.assign(year=0)
        counts["year"] = 0
    table = table.assign(area=table["area"].astype(str))
    counts["area"] = counts["area"].astype(str)
    counts["unit"] = counts["unit"].astype(str)
    if "total" not in counts.columns:
        columns = sorted({c for pair in comparisons.values() for c in pair})
        counts["total"] = counts[columns].sum(axis=1)
    codes = sorted(table["area"].unique())
    check_codes_match(codes, geo["code"], area_code)
    if only is None:
        return codes, table, counts
    wanted = [str(c) for c in ([only] if isinstance(only, str) else only)]
    unknown = [c for c in wanted if c not in set(codes)]
    if unknown:
        left_out = set(result.exclusions.loc[result.exclusions["reason"] == "small_area",
                                             "area"].astype(str)) \
            if "area" in result.exclusions.columns else set()
        hint = [c for c in unknown if c in left_out]
        raise ValueError(
            f"only: area code(s) {unknown!r} have no results"
            + (f" ({hint!r} were left out as small areas: lower min_area_size)"
               if hint else "")
            + "".join(left_out_of_area(result.exclusions, c) for c in unknown
                      if c not in left_out)
            + f"; available e.g. {codes[:5]!r} ({len(codes)} in all)")
    codes = sorted(set(wanted))
    return (codes, table[table["area"].isin(codes)],
            counts[counts["area"].isin(codes)])


def _attach_locations(result: SegregationResult, counts: pd.DataFrame,
                      locations: pd.DataFrame, *, unit: str, x: str, y: str,
                      name: str | None) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    """The units' ``x``, ``y`` and ``name``; units without a location counted as left
    out (reason ``no_location``); whether each unit has a location."""
    has_year = has_values(result.table, "year")
    where = pd.DataFrame({"unit": locations[unit].astype(str).to_numpy(),
                          "x": pd.to_numeric(locations[x], errors="coerce").to_numpy(
                              dtype=np.float64),
                          "y": pd.to_numeric(locations[y], errors="coerce").to_numpy(
                              dtype=np.float64)})
    where["name"] = (locations[name].astype(str).to_numpy() if name
                     else where["unit"].to_numpy())
    where = where.drop_duplicates("unit", keep="last")
    counts = counts.drop(columns=[c for c in ("x", "y", "name") if c in counts.columns])
    counts = counts.merge(where, on="unit", how="left")
    counts["name"] = counts["name"].fillna(counts["unit"])
    located = np.isfinite(counts["x"].to_numpy()) & np.isfinite(counts["y"].to_numpy())
    exclusion_parts = [result.exclusions]
    if (~located).any():
        lost = counts.loc[~located].groupby(["area", "year"], as_index=False).agg(
            n_units=("unit", "size"), n_pupils=("total", "sum"))
        lost.insert(0, "reason", "no_location")
        lost["description"] = _REASONS["no_location"]
        if not has_year:
            lost = lost.drop(columns="year")
        exclusion_parts.append(lost)
    exclusions = pd.concat([e for e in exclusion_parts if not e.empty] or
                           [result.exclusions], ignore_index=True)
    if not has_year:
        exclusions = exclusions.assign(year=0)
    if "area" in exclusions.columns:
        exclusions["area"] = pd.Series([None if pd.isna(v) else str(v)
                                        for v in exclusions["area"]], dtype=object)
    return counts, exclusions, located


def _spatial_results(table: pd.DataFrame, counts: pd.DataFrame, located: np.ndarray,
                     comparisons: Mapping[str, tuple[str, str]], options: Mapping[str, Any],
                     *, kernel: str | None, districts: Any, district_code: str | None
                     ) -> dict[str, Any]:
    """Spatial indices and the multi-scale profile of each area's latest year, per
    comparison (located units only), with the districts of the H decomposition and
    the units each comparison leaves out."""
    import geopandas as gpd

    from segspatial.spatial import PROFILE_BANDWIDTHS

    crs, bandwidths = options["crs"], options["bandwidths"]
    latest = table.groupby("area")["year"].max()
    is_latest = counts["year"].to_numpy() == latest.reindex(counts["area"]).to_numpy()
    current = counts[is_latest & located].reset_index(drop=True)
    if districts is None:
        district_frame = (_grid_districts(current["x"].to_numpy(), current["y"].to_numpy(),
                                          options["district_size"], crs)
                          if len(current) else None)
        district_col = "district"
        district_text = {"kind": "grid", "size": options["district_size"]}
    else:
        district_frame = districts
        district_col = district_code
        district_text = {"kind": "frame" if isinstance(districts, gpd.GeoDataFrame)
                         else "file"}  # the file's name only among the input files
    spatial_parts, profile_parts, excluded = [], [], []
    profile_bw = sorted({0.0, *PROFILE_BANDWIDTHS, *bandwidths})
    if len(current):
        from segspatial.spatial import multiscale_profile, spatial_segregation

        generator = np.random.default_rng(options["rng"])
        for comp, (col_a, col_b) in comparisons.items():
            frame = current[["area", "year", "unit", col_a, col_b, "total", "x", "y"]]
            common = dict(x="x", y="y", crs=crs, area="area", year="year", total="total",
                          kernel=kernel, min_unit_size=0, min_area_size=0)
            res = spatial_segregation(
                frame, "unit", col_a, col_b, bandwidth=bandwidths, indices="dissimilarity",
                spatial_indices=list(_SPATIAL_NAMES), districts=district_frame,
                district_code=district_col, permutations=options["permutations"],
                rng=generator, **common)
            res = spatial_intervals(res, options)
            rows = res.table[res.table["index"] != "dissimilarity"]
            spatial_parts.append(rows.assign(comparison=comp))
            outside = res.exclusions[res.exclusions["reason"].isin(
                ["outside_districts", "unit_outside_comparison"])]
            if len(outside):
                excluded.append(outside.assign(comparison=comp))
            if comp == next(iter(comparisons)):  # the profile chart: the lead comparison
                prof = profile_with_intervals(frame, col_a, col_b, profile_bw, common,
                                              options)
            else:
                prof = multiscale_profile(frame, "unit", col_a, col_b, bandwidth=profile_bw,
                                          **common)
            profile_parts.append(prof.assign(comparison=comp))
    columns = ["area", "year", "comparison", "index", "bandwidth", "kernel", "value",
               "reason"]
    return {"spatial": (pd.concat(spatial_parts, ignore_index=True) if spatial_parts
                        else pd.DataFrame(columns=columns)),
            "profile": (pd.concat(profile_parts, ignore_index=True) if profile_parts
                        else pd.DataFrame(columns=columns)),
            "exclusions": excluded, "district_frame": district_frame,
            "district_col": district_col, "district_text": district_text,
            "profile_bandwidths": profile_bw}


def _page_files(codes: Sequence[str], geo: Any) -> pd.DataFrame:
    """One row per page: ``code``, ``name`` (from the boundaries) and a unique ``file``
    (:func:`page_name`, numbered when two codes give the same name; never ``index``)."""
    names = dict(zip(geo["code"], geo["name"], strict=True))
    areas = pd.DataFrame({"code": codes, "name": [names.get(c, c) for c in codes]})
    files, seen = [], set()
    for code in codes:
        file = page_name(code)
        stem, n = file[:-5], 1
        while file.lower() in seen or file.lower() == "index.html":
            n += 1
            file = f"{stem}-{n}.html"
        seen.add(file.lower())
        files.append(file)
    areas["file"] = files
    return areas
