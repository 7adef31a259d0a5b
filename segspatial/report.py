"""HTML reports: one page per municipality, and an index page with a national map.

The deliverable most users open. :func:`report_data` computes everything a report
shows from a results object (:func:`segspatial.segregation` or
:func:`segspatial.pupils.pupil_segregation`), the school locations and the area
boundaries: the aspatial indices per comparison and year, the spatial indices of
:func:`segspatial.spatial.spatial_segregation` (local environments, between/within
districts, Moran's I) and the multi-scale profile for the latest year.
:func:`render_report` turns that into HTML pages (no files written);
:func:`write_report` writes them, atomically.

Each municipality page has a header (name, code, years, pupils, schools, group
shares), the comparisons x the four indices for the latest year with the Massey &
Denton band in words, small trend charts on the report's fixed 0-0.8 scale, a static
and an interactive school map, the aspatial vs spatial comparison with a generated
interpretation in plain words, the caveat on causes, the exclusions and the method.

Pages are self-contained (images inline, the interactive map in an ``iframe``'s
``srcdoc``; with ``offline=True`` Leaflet is embedded too), every name is
HTML-escaped once (:func:`segspatial.webmap.escape`), ``min_cell`` replaces every
pupil count below it by ``"< N"`` (tables, header, exclusions, tooltips, data
attributes; school counts are public and shown as they are) and, on both school maps,
suppresses the schools with a group below it (no group counts, no share, a grey
marker: :func:`segspatial._mapdata.suppressed_schools`), and the same input gives
byte-identical pages: fixed PNG metadata, fixed permutation seed, folium's random
element ids replaced by counters (:func:`segspatial.webmap.to_html`), no time stamp
unless ``stamp`` is given.

References
----------
Duncan, O. D. & Duncan, B. (1955). A methodological analysis of segregation indexes.
    *American Sociological Review* 20(2), 210-217.
Carrington, W. J. & Troske, K. R. (1997). On measuring segregation in samples with
    small units. *Journal of Business & Economic Statistics* 15(4), 402-409.
Reardon, S. F. & Firebaugh, G. (2002). Measures of multigroup segregation.
    *Sociological Methodology* 32, 33-67.
Reardon, S. F. & O'Sullivan, D. (2004). Measures of spatial segregation.
    *Sociological Methodology* 34, 121-162.
Massey, D. S. & Denton, N. A. (1993). *American Apartheid*. Harvard University Press.
"""

from __future__ import annotations

import base64
import hashlib
import html
import math
import os
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from numbers import Real
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from segspatial._format import Formatter
from segspatial.compute import SegregationResult
from segspatial.counts import _REASONS, EXCLUSION_COLUMNS
from segspatial.schema import has_values
from segspatial.text import LANGUAGES, check_lang, lookup, markup

__all__ = [
    "LANGUAGES",
    "REPORT_INDICES",
    "ReportData",
    "band",
    "interpretation",
    "page_name",
    "demo_report_data",
    "render_report",
    "report_data",
    "write_demo_report",
    "write_report",
]

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


def band(value: float) -> str | None:
    """The Massey & Denton (1993) band of an index value: low, moderate or high.

    0-0.3 low, 0.3-0.6 moderate, 0.6 and above high; None for NaN.

    Examples
    --------
    >>> band(0.25), band(0.3), band(0.59), band(0.6), band(float("nan"))
    ('low', 'moderate', 'moderate', 'high', None)
    """
    value = float(value)
    if not math.isfinite(value):
        return None
    return "low" if value < 0.3 else "moderate" if value < 0.6 else "high"


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


def _esc(text: Any) -> str:
    from segspatial.webmap import escape

    return escape(text)


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

    @property
    def has_years(self) -> bool:
        """Whether the input had a year column."""
        return bool(self.parameters.get("year"))


def _file_info(path: Any) -> dict[str, Any]:
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"inputs: {str(path)!r} is not a file")
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return {"name": path.name, "bytes": path.stat().st_size,
            "sha256": digest.hexdigest()}


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


def _resolve_comparisons(result: SegregationResult,
                         group_labels: Mapping[str, str] | None
                         ) -> tuple[dict[str, tuple[str, str]], dict[str, str], pd.DataFrame]:
    """Comparisons over the counts' columns, caller's labels, and the table with a
    ``comparison`` column."""
    params = result.parameters or {}
    table = result.table
    labels = dict(group_labels or {})
    if "comparisons" in params and has_values(table, "comparison"):
        comparisons = {str(k): (str(v[0]), str(v[1]))
                       for k, v in dict(params["comparisons"]).items()}
        return comparisons, labels, table
    group_a, group_b = str(params.get("group_a", "a")), str(params.get("group_b", "b"))
    name = f"{group_a}_vs_{group_b}"
    # a label is the caller's noun phrase; without one the page names the group in its
    # own language from the column (``parameters["group_columns"]``)
    labels = {k: str(v) for k, v in (("a", labels.get("a", labels.get(group_a))),
                                    ("b", labels.get("b", labels.get(group_b))))
              if v is not None and str(v) != ""}
    table = table.assign(comparison=name)
    return {name: ("a", "b")}, labels, table


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
    bandwidth: float | Sequence[float] | None = None,
    kernel: str | None = None,
    districts: Any = None,
    district_code: str | None = None,
    district_size: float = 2000.0,
    permutations: int = 999,
    rng: int = 0,
    inputs: Iterable[Any] = (),
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
        Labels of group A and B (keys ``"a"``/``"b"`` or the group column names) for
        results of :func:`segspatial.segregation`.
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
        Seed of the permutations (fixed, so reruns give the same pages).
    inputs : iterable of path
        Input files, listed with their size and SHA-256 in the method section.

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
    import geopandas as gpd

    from segspatial._mapdata import (
        _require_columns,
        area_geometries,
        check_codes_match,
        check_frame,
    )
    from segspatial.geo import read_boundaries, require_projected
    from segspatial.spatial import DEFAULT_BANDWIDTHS, PROFILE_BANDWIDTHS

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
    geo = geo.to_crs(crs)

    comparisons, labels, table = _resolve_comparisons(result, group_labels)
    has_year = has_values(table, "year")
    counts = result.counts.copy()
    if not has_year:
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
    if only is not None:
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
                + f"; available e.g. {codes[:5]!r} ({len(codes)} in all)")
        codes = sorted(set(wanted))
        table = table[table["area"].isin(codes)]
        counts = counts[counts["area"].isin(codes)]

    # locations
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

    if only is not None and "area" in exclusions.columns:
        exclusions = exclusions[exclusions["area"].isna() | exclusions["area"].isin(codes)]
    latest = table.groupby("area")["year"].max()
    is_latest = counts["year"].to_numpy() == latest.reindex(counts["area"]).to_numpy()
    current = counts[is_latest & located].reset_index(drop=True)

    # spatial indices and profile, latest year, per comparison
    if districts is None:
        district_frame = (_grid_districts(current["x"].to_numpy(), current["y"].to_numpy(),
                                          float(district_size), crs)
                          if len(current) else None)
        district_col = "district"
        district_text = {"kind": "grid", "size": float(district_size)}
    else:
        district_frame = districts
        district_col = district_code
        district_text = {"kind": "file", "file": Path(str(districts)).name
                         if not isinstance(districts, gpd.GeoDataFrame) else "districts"}
    spatial_parts, profile_parts = [], []
    profile_bw = sorted({0.0, *PROFILE_BANDWIDTHS, *bandwidths})
    if len(current):
        from segspatial.spatial import multiscale_profile, spatial_segregation

        generator = np.random.default_rng(rng)
        for comp, (col_a, col_b) in comparisons.items():
            frame = current[["area", "year", "unit", col_a, col_b, "total", "x", "y"]]
            common = dict(x="x", y="y", crs=crs, area="area", year="year", total="total",
                          kernel=kernel, min_unit_size=0, min_area_size=0)
            res = spatial_segregation(
                frame, "unit", col_a, col_b, bandwidth=bandwidths, indices="dissimilarity",
                spatial_indices=list(_SPATIAL_NAMES), districts=district_frame,
                district_code=district_col, permutations=permutations, rng=generator,
                **common)
            rows = res.table[res.table["index"] != "dissimilarity"]
            spatial_parts.append(rows.assign(comparison=comp))
            outside = res.exclusions[res.exclusions["reason"].isin(
                ["outside_districts", "unit_outside_comparison"])]
            if len(outside):
                exclusions = pd.concat([exclusions, outside.assign(comparison=comp)],
                                       ignore_index=True)
            prof = multiscale_profile(frame, "unit", col_a, col_b, bandwidth=profile_bw,
                                      **common)
            profile_parts.append(prof.assign(comparison=comp))
    spatial = (pd.concat(spatial_parts, ignore_index=True) if spatial_parts
               else pd.DataFrame(columns=["area", "year", "comparison", "index", "bandwidth",
                                          "kernel", "value", "reason"]))
    profile = (pd.concat(profile_parts, ignore_index=True) if profile_parts
               else pd.DataFrame(columns=["area", "year", "comparison", "index", "bandwidth",
                                          "kernel", "value", "reason"]))
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
    parameters = {
        "unit": unit, "x": x, "y": y, "crs": crs.to_string(), "year": (
            result.parameters or {}).get("year"),
        "bandwidths": bandwidths,
        "kernel": kernel or "gaussian", "districts": district_text,
        "permutations": permutations, "seed": rng,
        "min_unit_size": (result.parameters or {}).get("min_unit_size"),
        "min_area_size": (result.parameters or {}).get("min_area_size"),
        "pupils": "comparisons" in (result.parameters or {}),
        "inputs": [_file_info(p) for p in inputs],
        "group_columns": ({} if "comparisons" in (result.parameters or {}) else {
            "a": str((result.parameters or {}).get("group_a", "a")),
            "b": str((result.parameters or {}).get("group_b", "b"))}),
        "district_code": district_col, "profile_bandwidths": profile_bw,
    }
    return ReportData(areas=areas, table=table.reset_index(drop=True), spatial=spatial,
                      profile=profile, exclusions=exclusions.reset_index(drop=True),
                      counts=counts.reset_index(drop=True), comparisons=comparisons,
                      group_labels=labels, boundaries=geo, parameters=parameters,
                      districts=district_frame)


# --------------------------------------------------------------------------- rendering context


@dataclass(frozen=True)
class _Ctx:
    lang: str
    min_cell: int | None
    offline: bool
    stamp: str | None
    labels: dict[str, str]
    disclosure: Any = None  # segspatial.disclosure.Protected in disclosure mode
    columns: dict[str, str] = field(default_factory=dict)  # "a" -> the input's column

    def t(self, key: str, **values: Any) -> str:
        """The catalogue's text as HTML: the pattern escaped, the values put in as they
        are (every value given here is HTML already: escaped text or markup)."""
        from markupsafe import Markup

        return str(markup(self.lang, key, **{k: Markup(v) for k, v in values.items()}))

    @property
    def words(self) -> Formatter:
        return Formatter(self.lang)

    def num(self, value: Any, digits: int = 2) -> str:
        if self.disclosure is not None:  # values are rounded: no false precision
            digits = min(digits, self.disclosure.policy.digits)
        return self.words.number(value, digits)

    def pct(self, value: Any, digits: int = 0) -> str:
        return self.words.percent(value, digits)

    def count(self, value: Any) -> str:
        """A pupil count, ``< N`` below min_cell, escaped for HTML."""
        from segspatial._mapdata import disclose

        return html.escape(disclose(float(value), self.min_cell, lang=self.lang))

    def plain_count(self, value: Any) -> str:
        """A public count (schools), never hidden."""
        return self.words.count(value)

    def count_key(self, value: Any) -> str:
        """The sort key of a pupil count: the count as published, empty when hidden."""
        if self.hidden(value):
            return ""
        if self.disclosure is not None:
            return f"{float(self.disclosure.policy.counts(value)):.0f}"
        return f"{float(value):.0f}"

    def shown(self, area: Any, key: str) -> float:
        """A share or count of an area's latest year as disclosure mode publishes it."""
        return self.disclosure.share(area, key)

    def hidden(self, value: Any) -> bool:
        return self.min_cell is not None and math.isfinite(float(value)) and \
            float(value) < self.min_cell

    def distance(self, metres: float) -> str:
        return self.words.distance(metres)

    def comparison(self, name: str, pair: tuple[str, str]) -> str:
        known = lookup(self.lang, f"comparison_name.{name}")
        if known is not None:
            return html.escape(known)
        return self.t("fig_versus", a=self.group(pair[0]), b=self.group(pair[1]))

    def group_text(self, column: str) -> str:
        """The group's name as a noun phrase, plain text (escape it before it reaches
        HTML): the user's label (``--label-a``), a known group's name (``non-western
        pupils``), else ``group <column>``."""
        label = self.labels.get(column)
        if label:
            return str(label)
        column = self.columns.get(column, column)
        known = lookup(self.lang, f"group_noun.{column}")
        return known if known is not None else self.words.text("group_column", column=column)

    def group(self, column: str) -> str:
        return _esc(self.group_text(column))

    def index(self, name: str) -> str:
        return html.escape(lookup(self.lang, f"index_symbol.{name}") or str(name))

    def kernel(self, name: Any) -> str:
        return _esc(self.words.kernel(name))

    def theme(self, name: Any) -> str:
        return _esc(lookup(self.lang, f"theme_name.{name}") or name)

    def reason(self, code: str, description: Any) -> str:
        text = lookup(self.lang, f"exclusion_reason.{code}")
        if text is None:
            text = description if isinstance(description, str) and description else code
        return _esc(text)

    def undefined(self, reason: Any, pair: tuple[str, str]) -> str:
        """Why an index is undefined, in the page's language (the results table says
        it in English: ``fewer than 2 units ... (1 of 1 units)``, ``group X is absent``)."""
        text = str(reason or "")
        few = re.search(r"fewer than 2 units .*\((\d+) of (\d+) units\)", text)
        if few:
            return self.t("undefined_few_units", k=self.plain_count(few[1]),
                          n=self.plain_count(few[2]))
        if "are both absent" in text:
            return self.t("undefined_both_absent")
        absent = re.fullmatch(r"group (.+) is absent", text)
        if absent:
            which = pair[0] if absent[1] == str(pair[0]) else pair[1]
            return self.t("undefined_absent", group=self.group(which))
        return self.t("undefined_other")

    def band(self, value: Any) -> str:
        name = band(value)
        return self.t(f"band_{name}") if name else "–"


_CSS = """
:root{--ink:#1f2933;--muted:#52606d;--line:#d9e2ec;--soft:#f5f7fa;--accent:#0b4f8a}
*{box-sizing:border-box}
body{margin:0;font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;
color:var(--ink);background:#fff}
main{max-width:1040px;margin:0 auto;padding:16px 24px 48px;container-type:inline-size}
nav.top{font-size:14px;margin-bottom:8px}
a{color:var(--accent)}
h1{font-size:30px;line-height:1.2;margin:8px 0 4px}
h1 .code{font-size:18px;color:var(--muted);font-weight:normal;margin-left:8px}
h2{font-size:22px;margin:36px 0 8px;padding-top:12px;border-top:2px solid var(--line)}
h3{font-size:17px;margin:18px 0 6px}
p.note,.note{color:var(--muted);font-size:14px;max-width:78ch}
.facts{display:flex;flex-wrap:wrap;gap:12px;margin:14px 0}
.fact{background:var(--soft);border-radius:6px;padding:10px 14px;min-width:140px}
.fact .k{display:block;font-size:13px;color:var(--muted)}
.fact .v{display:block;font-size:20px;font-weight:600}
.fact .v.small{font-size:15px;font-weight:normal}
.summary{background:#eef5fb;border-left:5px solid var(--accent);padding:12px 18px;
border-radius:4px;margin:18px 0}
.summary h2{border:0;margin-top:0;padding-top:0}
.summary p{margin:6px 0;max-width:82ch}
table{border-collapse:collapse;font-size:14px;margin:8px 0}
th,td{padding:5px 9px;border-bottom:1px solid var(--line);text-align:right;
vertical-align:top;white-space:nowrap}
td.wrap,td:first-child{white-space:normal}
th{background:var(--soft);font-weight:600;white-space:normal;vertical-align:bottom}
th:first-child,td:first-child,td.text,th.text{text-align:left}
.scroll{overflow-x:auto;width:fit-content;max-width:calc(100vw - 48px);
translate:min(0px,calc(50cqw - 50%)) 0}
.band{display:inline-block;padding:0 7px;border-radius:9px;font-size:13px}
.band-low{background:#d9f0d3}.band-moderate{background:#fdeec2}.band-high{background:#f9d0cc}
.charts{display:flex;flex-wrap:wrap;gap:10px}
.charts figure{margin:0}
figure{margin:10px 0}
figcaption{font-size:13px;color:var(--muted)}
.maps{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1.4fr);gap:18px;
align-items:start}
.maps img{width:100%;height:auto;border:1px solid var(--line)}
iframe.map{width:100%;height:520px;border:1px solid var(--line)}
.legend{font-size:13px;color:var(--muted)}
.legend .bar{height:12px;width:100%;max-width:320px;border:1px solid var(--line);
background:linear-gradient(to right,#2166ac,#f7f7f7,#b2182b)}
.legend .ends{display:flex;justify-content:space-between;max-width:320px;gap:8px}
.legend .ends span{flex:1}.legend .ends span:nth-child(2){text-align:center}
.legend .ends span:last-child{text-align:right}
.legend .swatch{display:inline-block;width:12px;height:12px;margin-right:6px;
vertical-align:middle;border:1px solid #333}
.interp p{max-width:82ch}
.caveat{background:#fff8e6;border-left:5px solid #d69e2e;padding:10px 16px;border-radius:4px}
footer{margin-top:40px;font-size:14px;color:var(--muted)}
footer ul{padding-left:20px}
table.sortable th{cursor:pointer;user-select:none;white-space:normal}
table.sortable th,table.sortable td{padding:5px 6px}
table.sortable th[aria-sort=ascending]::after{content:" \\25B2"}
table.sortable th[aria-sort=descending]::after{content:" \\25BC"}
@media (max-width:760px){.maps{grid-template-columns:1fr}}
@media print{iframe.map,nav.top,.noprint{display:none}h2{break-after:avoid}
section{break-inside:avoid-page}main{max-width:none;padding:0}
.scroll{overflow:visible;width:auto;max-width:none;translate:none}
table{width:100%;font-size:8pt}table.sortable{font-size:7pt}
th,td,table.sortable th,table.sortable td{white-space:normal;padding:2px 3px}
th{overflow-wrap:anywhere}.band{font-size:inherit;padding:0 4px}
.maps{grid-template-columns:1fr}figure:has(iframe.map){display:none}
section:has(table.sortable){page:wide}}
@page{margin:12mm}
@page wide{size:A4 landscape}
"""

_SORT_JS = """
(function(){
  document.querySelectorAll('table.sortable').forEach(function(table){
    var heads = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads, function(th, i){
      th.setAttribute('tabindex', '0');
      function sort(){
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        var asc = th.getAttribute('aria-sort') !== 'ascending';
        Array.prototype.forEach.call(heads, function(h){h.removeAttribute('aria-sort');});
        th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
        rows.sort(function(a, b){
          var x = a.cells[i].getAttribute('data-v'), y = b.cells[i].getAttribute('data-v');
          if (x === '' && y === '') return 0;
          if (x === '') return 1;
          if (y === '') return -1;
          var nx = Number(x), ny = Number(y), c;
          if (!isNaN(nx) && !isNaN(ny)) { c = nx - ny; } else { c = x.localeCompare(y); }
          return asc ? c : -c;
        });
        rows.forEach(function(r){body.appendChild(r);});
      }
      th.addEventListener('click', sort);
      th.addEventListener('keydown', function(e){ if (e.key === 'Enter') sort(); });
    });
  });
})();
"""


def _document(ctx: _Ctx, title: str, body: str, script: str = "") -> str:
    script = f"<script>{script}</script>\n" if script else ""
    return (f'<!DOCTYPE html>\n<html lang="{ctx.lang}">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            '<meta name="generator" content="segspatial">\n'
            f"<title>{title}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n<main>\n"
            f"{body}\n</main>\n{script}</body>\n</html>\n")


def _iframe(m: Any, title: str) -> str:
    from segspatial.webmap import to_html

    document = to_html(m)
    return (f'<iframe class="map" title="{html.escape(title)}" '
            f'srcdoc="{html.escape(document, quote=True)}"></iframe>')


def _png(figure: Any, dpi: int = 90) -> str:
    from segspatial.plot import figure_bytes

    data = base64.b64encode(figure_bytes(figure, "png", dpi=dpi)).decode("ascii")
    return f"data:image/png;base64,{data}"


# --------------------------------------------------------------------------- small SVG charts


def _svg_chart(ctx: _Ctx, series: Sequence[dict], xlabels: Sequence[str], *, title: str,
               width: int = 250, height: int = 170, ymax: float = 0.8,
               bands: bool = True) -> str:
    """A small line chart as inline SVG on a fixed y scale (0 to ``ymax``).

    ``series``: dicts with ``values`` (NaN = gap), ``label``, ``color``, ``dash``.
    Values outside the scale are drawn at the edge as hollow dots, with a note under
    the chart saying so; each dot's tooltip gives the exact value.
    """
    outside_any = any(math.isfinite(float(v)) and not 0 <= float(v) <= ymax
                      for s in series for v in s["values"])
    height += 16 if outside_any else 0
    left, right, top, bottom = 34, 10, 24, 26 + (16 if outside_any else 0)
    pw, ph = width - left - right, height - top - bottom
    n = max(len(xlabels), 1)

    def px(i: int) -> float:
        return left + (pw * (i + 0.5) / n)

    def py(v: float) -> float:
        return top + ph * (1 - min(max(v, 0.0), ymax) / ymax)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="{title}">',
             f"<title>{title}</title>",
             f'<text x="{left}" y="15" font-size="12.5" font-weight="600" '
             f'fill="#1f2933">{title}</text>']
    if bands:
        for lo, hi, color in ((0.0, 0.3, "#e3f3df"), (0.3, 0.6, "#fdf2d0"),
                              (0.6, ymax, "#fadcd8")):
            if lo >= ymax:
                continue
            parts.append(f'<rect x="{left}" y="{py(hi):.1f}" width="{pw}" '
                         f'height="{py(lo) - py(hi):.1f}" fill="{color}"/>')
    step = 0.2
    for k in range(int(round(ymax / step)) + 1):
        v = k * step
        parts.append(f'<line x1="{left}" x2="{left + pw}" y1="{py(v):.1f}" y2="{py(v):.1f}" '
                     'stroke="#ffffff" stroke-width="1"/>')
        parts.append(f'<text x="{left - 4}" y="{py(v) + 4:.1f}" font-size="10" '
                     f'text-anchor="end" fill="#52606d">{ctx.num(v, 1)}</text>')
    every = max(1, math.ceil(n * 42 / pw))  # about 42 px per label
    for i, label in enumerate(xlabels):
        if (n - 1 - i) % every:
            continue
        parts.append(f'<text x="{px(i):.1f}" y="{top + ph + 18}" font-size="10" '
                     f'text-anchor="middle" fill="#52606d">{label}</text>')
    if outside_any:
        note = ctx.t("chart_outside", low=ctx.num(0, 1), high=ctx.num(ymax, 1))
        parts.append(f'<text x="{left}" y="{height - 4}" font-size="10" '
                     f'fill="#52606d">{note}</text>')
    for s in series:
        values = [float(v) for v in s["values"]]
        dash = ' stroke-dasharray="4 3"' if s.get("dash") else ""
        run: list[str] = []
        runs = []
        for i, v in enumerate(values):
            if math.isfinite(v):
                run.append(f"{px(i):.1f},{py(v):.1f}")
            elif run:
                runs.append(run)
                run = []
        if run:
            runs.append(run)
        for r in runs:
            if len(r) > 1:
                parts.append(f'<polyline points="{" ".join(r)}" fill="none" '
                             f'stroke="{s["color"]}" stroke-width="2"{dash}/>')
        for i, v in enumerate(values):
            if not math.isfinite(v):
                continue
            outside = v < 0 or v > ymax
            fill = "#ffffff" if outside else s["color"]
            parts.append(f'<circle cx="{px(i):.1f}" cy="{py(v):.1f}" r="3" fill="{fill}" '
                         f'stroke="{s["color"]}" stroke-width="1.2"><title>{s["label"]} '
                         f"{xlabels[i]}: {ctx.num(v, 3)}</title></circle>")
    parts.append("</svg>")
    return "".join(parts)


# --------------------------------------------------------------------------- interpretation


def interpretation(
    h: float,
    spatial_h: Mapping[float, float],
    *,
    between: float = float("nan"),
    within: float = float("nan"),
    morans_i: float = float("nan"),
    morans_p: float = float("nan"),
    n_schools: int | None = None,
    group_a: str = "A",
    districts: str = "",
    lang: str = "en",
    digits: int = 3,
) -> list[str]:
    """Plain-words sentences (HTML) on where segregation happens, from the numbers.

    * Spatial H at the narrowest bandwidth keeps at least :data:`KEEP_HIGH` of the
      ordinary H: pooling each school with its neighbours hardly evens anything out,
      so segregation is mostly *between parts of the municipality*; it keeps less
      than :data:`KEEP_LOW`: mostly *between neighbouring schools*; otherwise partly
      both (Reardon & O'Sullivan 2004; Reardon et al. 2008).
    * The between-district share of Theil's H (an exact decomposition).
    * Moran's I of the schools' shares of group A: a pattern when its permutation
      p-value is below :data:`MORAN_ALPHA` (positive: clustered; negative: a
      checkerboard), else no clear pattern.
    * With fewer than :data:`FEW_SCHOOLS` schools the numbers are flagged as uncertain.

    Parameters
    ----------
    h : float
        Theil's H (aspatial).
    spatial_h : mapping
        Bandwidth (metres) -> spatial H.
    between, within : float
        Theil's H between and within districts.
    morans_i, morans_p : float
        Moran's I and its p-value.
    n_schools : int, optional
        Number of schools.
    group_a : str
        Label of group A (HTML-escaped already).
    districts : str
        What the districts are (HTML-escaped already).
    lang : {"en", "nl"}
    digits : int
        Decimals of the index values in the sentences (disclosure mode publishes 2).

    Returns
    -------
    list of str

    Examples
    --------
    >>> interpretation(0.2, {500: 0.19, 4000: 0.05})[0][:46]
    'Segregation is mostly <strong>between parts of'
    >>> interpretation(0.2, {500: 0.05, 4000: 0.01})[0][:46]
    'Segregation is mostly <strong>between neighbou'
    """
    check_lang(lang)
    ctx = _Ctx(lang=lang, min_cell=None, offline=False, stamp=None, labels={})
    defined = {float(b): float(v) for b, v in spatial_h.items() if math.isfinite(float(v))}
    if not (math.isfinite(h) and h > 0 and defined):
        return [ctx.t("interp_none")]
    small, large = min(defined), max(defined)
    keep_small, keep_large = defined[small] / h, defined[large] / h
    out = []
    if keep_small >= KEEP_HIGH:
        out.append(ctx.t("interp_parts", small=ctx.distance(small), keep=ctx.pct(keep_small),
                         h=ctx.num(h, digits), where=_strong(ctx.t("interp_parts_where"))))
    elif keep_small < KEEP_LOW:
        out.append(ctx.t("interp_neighbours", small=ctx.distance(small),
                         keep=ctx.pct(keep_small), h=ctx.num(h, digits),
                         where=_strong(ctx.t("interp_neighbours_where"))))
    else:
        out.append(ctx.t("interp_mixed", small=ctx.distance(small), large=ctx.distance(large),
                         keep_small=ctx.pct(keep_small), keep_large=ctx.pct(keep_large),
                         h=ctx.num(h, digits), where=_strong(ctx.t("interp_mixed_where"))))
    if math.isfinite(between) and math.isfinite(within) and between + within > 0:
        share = between / (between + within)
        out.append(ctx.t("interp_between", between=ctx.pct(share), within=ctx.pct(1 - share),
                         districts=districts))
    if math.isfinite(morans_i):
        p = ctx.num(morans_p, digits) if math.isfinite(morans_p) else "–"
        if math.isfinite(morans_p) and morans_p < MORAN_ALPHA:
            key = "interp_moran_cluster" if morans_i > 0 else "interp_moran_checker"
        else:
            key = "interp_moran_none"
        out.append(ctx.t(key, i=ctx.num(morans_i, 2), p=p, a=group_a))
    if n_schools is not None and n_schools < FEW_SCHOOLS:
        out.append(ctx.t("interp_few", n=ctx.plain_count(n_schools)))
    return out


# --------------------------------------------------------------------------- page parts


def _value(frame: pd.DataFrame, index: str, **where: Any) -> tuple[float, Any]:
    rows = frame[frame["index"] == index]
    for column, wanted in where.items():
        rows = rows[rows[column] == wanted]
    if rows.empty:
        return float("nan"), None
    row = rows.iloc[0]
    reason = row["reason"] if "reason" in rows.columns else None
    return float(row["value"]), (None if pd.isna(reason) else reason)


def _strong(text: str) -> str:
    return f"<strong>{text}</strong>"


def _year_text(ctx: _Ctx, data: ReportData, year: Any) -> str:
    """`` in 2018`` (to follow a noun), or nothing when the input has no years."""
    return ctx.t("when_year", year=html.escape(str(year))) if data.has_years else ""


def _band_html(ctx: _Ctx, value: float) -> str:
    name = band(value)
    if name is None:
        return "–"
    return f'<span class="band band-{name}">{ctx.band(value)}</span>'


def _header(ctx: _Ctx, data: ReportData, code: str, name: str, table: pd.DataFrame,
            current: pd.DataFrame, year: Any) -> str:
    years = sorted(table["year"].unique())
    if data.has_years:
        covered = (html.escape(str(years[0])) if len(years) == 1 else
                   f"{html.escape(str(years[0]))}–{html.escape(str(years[-1]))}")
        n_years = f'<span class="k">{ctx.t("latest_year", year=html.escape(str(year)))}</span>'
    else:
        covered, n_years = ctx.t("no_years"), ""
    total = float(current["total"].sum())
    shares = []
    groups = list(dict.fromkeys(c for pair in data.comparisons.values() for c in pair))
    for column in groups:
        if ctx.disclosure is not None:  # the audited share, in whole percents
            share = ctx.shown(code, column)
            if share < 0:
                shares.append(ctx.t("count_of", count=ctx.count(0), group=ctx.group(column)))
            elif not math.isfinite(share):
                shares.append(ctx.t("group_not_shown", group=ctx.group(column)))
            else:
                shares.append(ctx.t("share_of", group=ctx.group(column), share=ctx.pct(
                    share, ctx.disclosure.policy.share_digits)))
            continue
        count = float(current[column].sum())
        if ctx.hidden(count):
            shares.append(ctx.t("count_of", count=ctx.count(count), group=ctx.group(column)))
        else:
            share = count / total if total > 0 else float("nan")
            shares.append(ctx.t("share_of", share=ctx.pct(share, 1), group=ctx.group(column)))
    facts = [
        (ctx.t("years_covered"), covered, ""),
        (ctx.t("pupils"), ctx.count(total), n_years),
        (ctx.t("schools"), ctx.plain_count(current["unit"].nunique()), n_years),
    ]
    cards = "".join(f'<div class="fact"><span class="k">{k}</span><span class="v{cls}">{v}'
                    f"</span>{extra}</div>" for (k, v, extra), cls in zip(
                        facts, ("", " pupils", ""), strict=True))
    cards += (f'<div class="fact"><span class="k">{ctx.t("group_shares")}</span>'
              f'<span class="v small">{"<br>".join(shares)}</span></div>')
    return (f'<nav class="top"><a href="index.html">← {ctx.t("back_to_index")}</a></nav>\n'
            f'<header><h1>{_esc(name)}<span class="code">{_esc(code)}</span></h1>\n'
            f'<div class="facts">{cards}</div></header>')


def _summary(ctx: _Ctx, data: ReportData, table: pd.DataFrame, year: Any) -> str:
    comp, (col_a, col_b) = next(iter(data.comparisons.items()))
    rows = table[(table["comparison"] == comp) & (table["year"] == year)]
    d, reason = _value(rows, "dissimilarity")
    a, b = ctx.group(col_a), ctx.group(col_b)
    year_text = _year_text(ctx, data, year)
    if not math.isfinite(d):
        text = ctx.t("lead_undefined", when=year_text, a=a, b=b,
                     reason=ctx.undefined(reason, (col_a, col_b)))
        return f'<section class="summary"><h2>{ctx.t("in_short")}</h2><p>{text}</p></section>'
    expected, _ = _value(rows, "dissimilarity_expected")
    dstar, _ = _value(rows, "dissimilarity_standardised")
    parts = [ctx.t("lead_sentence", when=year_text, a=a, b=b, value=ctx.num(d),
                   verdict=_strong(ctx.t("lead_verdict", band=ctx.band(d)))),
             ctx.t("lead_move", pct=ctx.pct(d), a=a)]
    if math.isfinite(expected) and math.isfinite(dstar):
        parts.append(ctx.t("lead_random", expected=ctx.num(expected), dstar=ctx.num(dstar)))
    body = "".join(f"<p>{p}</p>" for p in parts)
    return (f'<section class="summary" aria-label="{ctx.t("in_short")}">'
            f'<h2>{ctx.t("in_short")}</h2>'
            f"{body}</section>")


def _latest_table(ctx: _Ctx, data: ReportData, table: pd.DataFrame, year: Any) -> str:
    head = "".join(f"<th>{ctx.index(i)}</th>" + (f"<th>{ctx.t('band')}</th>"
                                                 if i == "dissimilarity" else "")
                   for i in REPORT_INDICES)
    body = []
    for comp, pair in data.comparisons.items():
        rows = table[(table["comparison"] == comp) & (table["year"] == year)]
        cells = []
        for index in REPORT_INDICES:
            value, reason = _value(rows, index)
            title = f' title="{ctx.undefined(reason, pair)}"' if reason else ""
            cells.append(f"<td{title}>{ctx.num(value, 3)}</td>")
            if index == "dissimilarity":
                cells.append(f'<td class="text">{_band_html(ctx, value)}</td>')
        first = rows.iloc[0] if len(rows) else None
        n_units = ctx.plain_count(first["n_units"]) if first is not None else "–"
        pupils = (ctx.count(float(first["n_a"]) + float(first["n_b"]))
                  if first is not None else "–")
        if ctx.disclosure is not None and first is not None:  # audited, rounded
            both = ctx.shown(first["area"], f"two_groups:{comp}")
            pupils = ctx.count(both) if math.isfinite(both) else ctx.count(0)
        body.append(f"<tr><td>{ctx.comparison(comp, pair)}</td>{''.join(cells)}"
                    f'<td>{n_units}</td><td class="pupils">{pupils}</td></tr>')
    heading = ctx.t("latest_heading", when=_year_text(ctx, data, year))
    return (f"<section><h2>{heading}</h2>"
            f'<div class="scroll"><table><thead><tr><th>{ctx.t("comparison")}</th>{head}'
            f'<th>{ctx.t("schools")}</th><th>{ctx.t("pupils_used")}</th></tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div>'
            f'<p class="note">{ctx.t("latest_note")}</p></section>')


def _trends(ctx: _Ctx, data: ReportData, table: pd.DataFrame) -> str:
    years = sorted(table["year"].unique())
    if not data.has_years or len(years) < 2:
        note = ctx.t("trend_one_year")
        return f'<section><h2>{ctx.t("trend_heading")}</h2><p class="note">{note}</p></section>'
    labels = [html.escape(str(y)) for y in years]
    charts = []
    for comp, pair in data.comparisons.items():
        rows = table[table["comparison"] == comp]
        series = []
        for index, color, dash in (("dissimilarity", "#0b4f8a", False),
                                   ("dissimilarity_standardised", "#7b8794", True)):
            by_year = rows[rows["index"] == index].set_index("year")["value"]
            series.append({"values": [by_year.get(y, np.nan) for y in years],
                           "label": ctx.index(index), "color": color, "dash": dash})
        if _has_values(series):  # no empty chart (a one-school municipality)
            chart = _svg_chart(ctx, series, labels, title=ctx.comparison(comp, pair))
            charts.append(f"<figure>{chart}</figure>")
    if not charts:
        return (f'<section><h2>{ctx.t("trend_heading")}</h2>'
                f'<p class="note">{ctx.t("trend_no_values")}</p></section>')
    return (f'<section><h2>{ctx.t("trend_heading")}</h2><p class="note">{ctx.t("trend_note")}'
            f'</p><div class="charts">{"".join(charts)}</div></section>')


def _has_values(series: Sequence[dict]) -> bool:
    """Whether a chart's series hold a value to draw."""
    return any(math.isfinite(float(v)) for s in series for v in s["values"])


def _maps(ctx: _Ctx, data: ReportData, code: str, current: pd.DataFrame, year: Any) -> str:
    from matplotlib.figure import Figure

    from segspatial._mapdata import SUPPRESSED_COLOR, suppressed_schools
    from segspatial.plot import school_map
    from segspatial.webmap import school_webmap

    comp, (col_a, col_b) = next(iter(data.comparisons.items()))
    if ctx.disclosure is None:
        town = current[(current[col_a] + current[col_b]) > 0]
    else:  # what a map publishes is decided on every school (drawn or not)
        town = current
    heading = f'<section><h2>{ctx.t("map_heading")}</h2>'
    if town.empty or (ctx.disclosure is not None and not (
            town["x"].notna() & town["y"].notna()).any()):
        return heading + f'<p class="note">{ctx.t("no_data")}</p></section>'
    outline = data.boundaries[data.boundaries["code"] == code]
    outline = outline if len(outline) else None
    disclosed = {}
    if ctx.disclosure is not None:  # the bands and the share the audit certified
        from segspatial.disclosure import school_publication

        shown = school_publication(town[col_a], town[col_b], town["total"],
                                   ctx.disclosure.policy, area=town["area"].to_numpy())
        shown["centre"] = ctx.shown(code, f"share_a:{comp}")
        disclosed = {"published": shown}
    figure = Figure(figsize=(5.2, 5.2), layout="constrained")
    ax = figure.add_subplot()
    school_map(town, "unit", col_a, col_b, x="x", y="y", crs=data.parameters["crs"],
               area="area", total="total", boundaries=outline, legend=False,
               min_cell=ctx.min_cell, lang=ctx.lang, label_a=ctx.group_text(col_a),
               ax=ax, **disclosed)
    image = _png(figure)
    if ctx.disclosure is None:
        a_total, b_total = float(town[col_a].sum()), float(town[col_b].sum())
        centre = a_total / (a_total + b_total)
        grey = suppressed_schools(town[col_a], town[col_b], ctx.min_cell).any()
    else:
        centre, grey = float(shown["centre"].iloc[0]), bool(shown["suppressed"].any())
    a = ctx.group(col_a)
    legend = (f'<div class="legend"><div class="bar"></div><div class="ends">'
              f'<span>{ctx.t("map_fewer", a=a)}</span><span>{ctx.t("map_same")} '
              f'({ctx.pct(centre)})</span><span>{ctx.t("map_more", a=a)}</span></div>')
    if grey:
        legend += (f'<div><span class="swatch" style="background:{SUPPRESSED_COLOR}">'
                   f'</span>{ctx.t("map_suppressed", n=ctx.min_cell)}</div>')
    legend += "</div>"
    note = ctx.t("map_note", a=a, centre=ctx.pct(centre), comparison=ctx.comparison(
        comp, (col_a, col_b)), when=_year_text(ctx, data, year))
    m = school_webmap(town, "unit", col_a, col_b, x="x", y="y", crs=data.parameters["crs"],
                      name="name", total="total", boundaries=outline, boundary_name="name",
                      group_labels={col_a: ctx.group_text(col_a),
                                    col_b: ctx.group_text(col_b)},
                      offline=ctx.offline, min_cell=ctx.min_cell, height=510, lang=ctx.lang,
                      **disclosed)
    frame = _iframe(m, ctx.t("interactive_map"))
    return (heading + f'<p class="note">{note}</p><div class="maps">'
            f'<figure><img src="{image}" alt="{ctx.t("static_map")}">'
            f"<figcaption>{ctx.t('static_map')}</figcaption>{legend}</figure>"
            f'<figure>{frame}<figcaption>{ctx.t("interactive_map")}. '
            f'{ctx.t("map_fallback")}</figcaption></figure></div></section>')


def _districts_text(ctx: _Ctx, data: ReportData) -> str:
    info = data.parameters["districts"]
    if info["kind"] == "grid":
        return ctx.t("districts_grid", size=ctx.plain_count(info["size"]))
    return ctx.t("districts_file", file=_esc(info["file"]))


def _spatial(ctx: _Ctx, data: ReportData, spatial: pd.DataFrame, profile: pd.DataFrame,
             table: pd.DataFrame, current: pd.DataFrame, year: Any) -> str:
    bandwidths = data.parameters["bandwidths"]
    head = "".join(f"<th>{ctx.distance(b)}</th>" for b in bandwidths)
    body = []
    lead_numbers = None
    for comp, pair in data.comparisons.items():
        rows = spatial[spatial["comparison"] == comp]
        aspatial = table[(table["comparison"] == comp) & (table["year"] == year)]
        cells = {}
        for aspatial_name, spatial_name in (("dissimilarity", "spatial_dissimilarity"),
                                            ("theil_h", "spatial_theil_h")):
            base, _ = _value(aspatial, aspatial_name)
            values = [_value(rows, spatial_name, bandwidth=b)[0] for b in bandwidths]
            cells[aspatial_name] = (base, values)
        between, _ = _value(rows, "theil_h_between")
        within, _ = _value(rows, "theil_h_within")
        moran_rows = rows[(rows["index"] == "morans_i") & rows["value"].notna()]
        if len(moran_rows):
            moran_bw = float(moran_rows["bandwidth"].min())
            moran, _ = _value(rows, "morans_i", bandwidth=moran_bw)
            moran_p, _ = _value(rows, "morans_i_p", bandwidth=moran_bw)
        else:
            moran_bw, moran, moran_p = float("nan"), float("nan"), float("nan")
        share = between / (between + within) if between + within > 0 else float("nan")
        moran_text = (f"{ctx.num(moran, 2)} (p = {ctx.num(moran_p, 3)}, "
                      f"{ctx.distance(moran_bw)})" if math.isfinite(moran) else "–")
        for k, (index, (base, values)) in enumerate(cells.items()):
            label = f"<td rowspan=2>{ctx.comparison(comp, pair)}</td>" if k == 0 else ""
            extra = (f"<td rowspan=2>{ctx.pct(share)}</td><td rowspan=2>{moran_text}</td>"
                     if k == 0 else "")
            body.append(f"<tr>{label}<td class='text'>{ctx.index(index)}</td>"
                        f"<td>{ctx.num(base, 3)}</td>"
                        + "".join(f"<td>{ctx.num(v, 3)}</td>" for v in values)
                        + f"{extra}</tr>")
        if lead_numbers is None:
            lead_numbers = dict(comp=comp, pair=pair, h=cells["theil_h"][0],
                                spatial_h=dict(zip(bandwidths, cells["theil_h"][1],
                                                   strict=True)),
                                between=between, within=within, moran=moran,
                                moran_p=moran_p)
    kernel = ctx.kernel(data.parameters["kernel"])
    table_html = (f'<div class="scroll"><table><thead><tr><th>{ctx.t("comparison")}</th>'
                  f'<th class="text"></th><th>{ctx.t("aspatial")}</th>{head}'
                  f'<th>{ctx.t("between_share")}</th><th>{ctx.t("morans_i")}</th></tr>'
                  f'</thead><tbody>{"".join(body)}</tbody></table></div>')
    # profile of the lead comparison
    comp, pair = lead_numbers["comp"], lead_numbers["pair"]
    rows = profile[profile["comparison"] == comp]
    steps = sorted(rows["bandwidth"].dropna().unique())
    series = []
    for index, color, dash in (("spatial_dissimilarity", "#0b4f8a", False),
                               ("spatial_theil_h", "#c05621", True)):
        by_bw = rows[rows["index"] == index].set_index("bandwidth")["value"]
        series.append({"values": [by_bw.get(b, np.nan) for b in steps],
                       "label": ctx.index(index), "color": color, "dash": dash})
    values = [v for s in series for v in s["values"] if math.isfinite(v)]
    ymax = 0.8 if not values or max(values) <= 0.8 else 1.0
    chart = _svg_chart(ctx, series, [ctx.distance(b) if b else "0" for b in steps],
                       title=ctx.comparison(comp, pair), width=520, height=230, ymax=ymax)
    sentences = interpretation(
        lead_numbers["h"], lead_numbers["spatial_h"], between=lead_numbers["between"],
        within=lead_numbers["within"], morans_i=lead_numbers["moran"],
        morans_p=lead_numbers["moran_p"], n_schools=int(current["unit"].nunique()),
        group_a=ctx.group(pair[0]), districts=_districts_text(ctx, data), lang=ctx.lang,
        digits=3 if ctx.disclosure is None else ctx.disclosure.policy.digits)
    lead = ctx.t("interp_for", comparison=ctx.comparison(comp, pair),
                 when=_year_text(ctx, data, year))
    interp = "".join(f"<p>{s}</p>" for s in sentences)
    profile_html = (f'<h3>{ctx.t("profile_heading")}</h3><figure>{chart}<figcaption>'
                    f'{ctx.t("profile_note", comparison=ctx.comparison(comp, pair))}'
                    "</figcaption></figure>") if values else ""  # no empty chart
    return (f'<section><h2>{ctx.t("spatial_heading")}</h2>'
            f'<p class="note">{ctx.t("spatial_note", kernel=kernel)}</p>{table_html}'
            f'<div class="interp"><h3>{ctx.t("interpretation_heading")}</h3>'
            f"<p><em>{lead}</em></p>{interp}</div>{profile_html}</section>")


def _caveat(ctx: _Ctx) -> str:
    return (f'<section><h2>{ctx.t("caveat_heading")}</h2><div class="caveat"><p>'
            f'{ctx.t("caveat")}</p></div></section>')


def _exclusion_rows(ctx: _Ctx, data: ReportData, exclusions: pd.DataFrame, *,
                    across_areas: bool = False) -> str:
    keys = ["reason"] + [c for c in ("comparison", "theme") if c in exclusions.columns]
    frame = exclusions.copy()
    for key in keys[1:]:
        frame[key] = frame[key].astype(object).where(frame[key].notna(), "")
    grouped = frame.groupby(keys, sort=False).agg(
        years=("year", lambda s: (min(s), max(s))), n_units=("n_units", "sum"),
        n_pupils=("n_pupils", "sum"), description=("description", "first")).reset_index()
    if ctx.disclosure is not None:
        grouped["n_pupils"] = _published_pupils(ctx, frame, keys, grouped, across_areas)
    rows = []
    for row in grouped.itertuples(index=False):
        what = ctx.reason(row.reason, row.description)
        comp = getattr(row, "comparison", "")
        if comp:
            pair = data.comparisons.get(comp, ("", ""))
            what += f" ({ctx.comparison(comp, pair)})"
        elif getattr(row, "theme", ""):
            what += f" ({ctx.theme(row.theme)})"
        lo, hi = row.years
        years = "" if not data.has_years else (
            html.escape(str(lo)) if lo == hi else f"{html.escape(str(lo))}–"
            f"{html.escape(str(hi))}")
        pupils = (ctx.count(row.n_pupils) if ctx.disclosure is None
                  or math.isfinite(row.n_pupils) else ctx.t("not_shown"))
        rows.append(f"<tr><td class='text'>{what}</td><td>{years}</td>"
                    f"<td>{ctx.plain_count(row.n_units)}</td>"
                    f'<td class="pupils">{pupils}</td></tr>')
    return (f'<div class="scroll"><table><thead><tr><th>{ctx.t("what")}</th>'
            f'<th>{ctx.t("year")}</th><th>{ctx.t("units")}</th><th>{ctx.t("pupils")}</th>'
            f'</tr></thead><tbody>{"".join(rows)}</tbody></table></div>')


def _published_pupils(ctx: _Ctx, frame: pd.DataFrame, keys: list[str],
                      grouped: pd.DataFrame, across_areas: bool) -> np.ndarray:
    """Pupils left out as disclosure mode publishes them, per row of ``grouped``.

    A municipality page shows its own exact total, rounded when displayed; group
    counts (pupils without a group) are NaN ("not shown"). Across municipalities
    (the index page) a total is the sum of the municipalities' published numbers,
    leaving out those below N, so it cannot be differenced against them.
    """
    pupils = pd.to_numeric(frame["n_pupils"], errors="coerce")
    frame = frame.assign(_pupils=pupils)
    if across_areas:
        area = (frame["area"].astype(object).where(frame["area"].notna(), "\0")
                if "area" in frame.columns else "")
        part = frame.assign(_area=area).groupby(keys + ["_area"], sort=False)[
            "_pupils"].sum(min_count=1)
        part = pd.Series(ctx.disclosure.policy.counts(part.to_numpy()), index=part.index)
        total = part.groupby(level=list(range(len(keys))), sort=False).sum(min_count=1)
    else:
        total = frame.groupby(keys, sort=False)["_pupils"].sum(min_count=1)
    index = (pd.MultiIndex.from_frame(grouped[keys]) if len(keys) > 1
             else pd.Index(grouped[keys[0]]))
    return total.reindex(index).to_numpy(dtype=np.float64)


def _exclusions(ctx: _Ctx, data: ReportData, exclusions: pd.DataFrame) -> str:
    heading = f'<section><h2>{ctx.t("exclusions_heading")}</h2>'
    if exclusions.empty:
        # disclosure mode leaves out rows that are counts below N by themselves (an
        # area-year without pupils of a group or of the comparison's other schools)
        none = ("exclusions_none" if ctx.disclosure is None
                else "exclusions_none_disclosure")
        return heading + f'<p>{ctx.t(none)}</p></section>'
    return (heading + f'<p class="note">{ctx.t("exclusions_note")}</p>'
            + _exclusion_rows(ctx, data, exclusions) + "</section>")


def _method(ctx: _Ctx, data: ReportData) -> str:
    from segspatial import __version__

    p = data.parameters
    definitions = "".join(f"<li>{ctx.t(k)}</li>" for k in (
        "def_dissimilarity", "def_standardised", "def_theil", "def_correlation", "def_bands",
        "def_spatial", "def_decomposition", "def_moran"))
    settings = []
    for key, size in (("unit", p.get("min_unit_size")), ("area", p.get("min_area_size"))):
        if size is None:
            continue
        # "fewer than 0 pupils are left out" says nothing: a minimum of 0 keeps everyone
        settings.append(ctx.t(f"param_min_{key}", n=ctx.plain_count(size)) if size > 0
                        else ctx.t(f"param_no_min_{key}"))
    settings.append(ctx.t("param_spatial",
                          bandwidths=", ".join(ctx.distance(b) for b in p["bandwidths"]),
                          kernel=ctx.kernel(p["kernel"]), districts=_districts_text(ctx, data),
                          permutations=ctx.plain_count(p["permutations"]), seed=p["seed"],
                          crs=_esc(p["crs"])))
    if ctx.disclosure is not None:
        policy = ctx.disclosure.policy
        settings.append(ctx.t("disclosure", n=ctx.min_cell, base=policy.count_base,
                              digits=policy.digits, band=policy.band))
    inputs = "".join("<li>" + ctx.t("input_file", file=_esc(f["name"]),
                                    bytes=ctx.plain_count(f["bytes"]),
                                    sha=f"<code>{f['sha256'][:16]}…</code>") + "</li>"
                     for f in p["inputs"])
    stamp = f"<p>{ctx.t('generated', stamp=_esc(ctx.stamp))}</p>" if ctx.stamp else ""
    return (f'<footer><h2>{ctx.t("method_heading")}</h2><p>{ctx.t("method_intro")}</p>'
            f"<ul>{definitions}</ul><h3>{ctx.t('parameters')}</h3><ul>"
            + "".join(f"<li>{s}</li>" for s in settings) + "</ul>"
            + (f"<h3>{ctx.t('inputs')}</h3><ul>{inputs}</ul>" if inputs else "")
            + f"<p>{ctx.t('version', version=_esc(__version__))}</p>{stamp}</footer>")


# --------------------------------------------------------------------------- pages


def _area_page(ctx: _Ctx, data: ReportData, code: str, name: str, table: pd.DataFrame,
               counts: pd.DataFrame, spatial: pd.DataFrame, profile: pd.DataFrame,
               exclusions: pd.DataFrame) -> str:
    year = table["year"].max()
    current = counts[(counts["year"] == year) & counts["x"].notna() & counts["y"].notna()]
    everyone = counts[counts["year"] == year]
    body = "\n".join([
        _header(ctx, data, code, name, table, everyone, year),
        _summary(ctx, data, table, year),
        _latest_table(ctx, data, table, year),
        _trends(ctx, data, table),
        _maps(ctx, data, code, current if ctx.disclosure is None else everyone, year),
        _spatial(ctx, data, spatial, profile, table, current, year),
        _caveat(ctx),
        _exclusions(ctx, data, exclusions),
        _method(ctx, data),
    ])
    title = ctx.t("page_title", name=_esc(name), code=_esc(code))
    return _document(ctx, title, body)


def _index_page(ctx: _Ctx, data: ReportData) -> str:
    from matplotlib.figure import Figure

    from segspatial.plot import choropleth
    from segspatial.webmap import choropleth_map

    comp, pair = next(iter(data.comparisons.items()))
    table = data.table
    lead = table[(table["comparison"] == comp) & (table["index"] == "dissimilarity")]
    latest = lead.groupby("area")["year"].transform("max")
    lead = lead[lead["year"] == latest]
    year_text = (_year_text(ctx, data, lead["year"].max()) if len(lead) else "")
    heading = ctx.t("index_map_heading", index=ctx.index("dissimilarity"),
                    comparison=ctx.comparison(comp, pair), when=year_text)
    results = lead[[c for c in ("area", "comparison", "index", "value", "n_units",
                                "n_pupils", "min_cell") if c in lead.columns]]
    # a known comparison has its own name; other groups are named by their labels
    known = lookup(ctx.lang, f"comparison_name.{comp}") is not None
    label_a, label_b = ((data.group_labels.get(pair[0]), data.group_labels.get(pair[1]))
                        if known else (ctx.group_text(pair[0]), ctx.group_text(pair[1])))
    boundaries = data.boundaries[["code", "name", "geometry"]]
    figure = Figure(figsize=(5.6, 6.4), layout="constrained")
    ax = figure.add_subplot()
    choropleth(results, boundaries, index="dissimilarity", area_code="code", name="name",
               lang=ctx.lang, label_a=label_a,
               label_b=label_b, ax=ax)
    image = _png(figure, dpi=80)
    web = boundaries.copy()
    web["geometry"] = web.geometry.simplify(100.0)
    links = dict(zip(data.areas["code"], data.areas["file"], strict=True))
    m = choropleth_map(results, web, index="dissimilarity", area_code="code", name="name",
                       offline=ctx.offline, min_cell=ctx.min_cell, height=600, lang=ctx.lang,
                       label_a=label_a,
                       label_b=label_b, links=links)
    frame = _iframe(m, heading)

    # the sortable table
    by_area = {a: f for a, f in table.groupby("area")}
    spatial_by = {a: f for a, f in data.spatial.groupby("area")}
    bw = data.parameters["bandwidths"][len(data.parameters["bandwidths"]) // 2 - 1
                                       if len(data.parameters["bandwidths"]) > 1 else 0]
    others = list(data.comparisons.items())[1:]
    head = [ctx.t("municipality"), ctx.t("code"), ctx.t("schools"), ctx.t("pupils")]
    head += [ctx.index(i) for i in REPORT_INDICES[:1]] + [ctx.t("band")] + \
        [ctx.index(i) for i in REPORT_INDICES[1:]]
    head += [f"{ctx.index('spatial_dissimilarity')} ({ctx.distance(bw)})",
             ctx.t("between_share"), ctx.t("morans_i")]
    head += [f"{ctx.index('dissimilarity')}: {ctx.comparison(c, p)}" for c, p in others]
    rows = []
    for area in data.areas.itertuples(index=False):
        t = by_area.get(area.code, table.iloc[:0])
        year = t["year"].max() if len(t) else None
        now = t[(t["comparison"] == comp) & (t["year"] == year)]
        cur = data.counts[(data.counts["area"] == area.code) & (data.counts["year"] == year)]
        pupils = float(cur["total"].sum())
        cells = [(f'<a href="{html.escape(area.file)}">{_esc(area.name)}</a>',
                  _esc(area.name), "text"),
                 (_esc(area.code), _esc(area.code), "text"),
                 (ctx.plain_count(cur["unit"].nunique()), str(cur["unit"].nunique()), ""),
                 (ctx.count(pupils), ctx.count_key(pupils), "pupils")]
        for index in REPORT_INDICES:
            value, _ = _value(now, index)
            cells.append((ctx.num(value, 3), _sort_value(value), ""))
            if index == "dissimilarity":
                cells.append((_band_html(ctx, value), _sort_value(value), "text"))
        s = spatial_by.get(area.code, data.spatial.iloc[:0])
        s = s[s["comparison"] == comp]
        value, _ = _value(s, "spatial_dissimilarity", bandwidth=bw)
        cells.append((ctx.num(value, 3), _sort_value(value), ""))
        between, _ = _value(s, "theil_h_between")
        within, _ = _value(s, "theil_h_within")
        share = between / (between + within) if between + within > 0 else float("nan")
        if ctx.disclosure is not None:  # as shown: whole percents of rounded values
            share = float(ctx.disclosure.policy.shares(share))
        cells.append((ctx.pct(share), _sort_value(share), ""))
        moran_rows = s[(s["index"] == "morans_i") & s["value"].notna()]
        moran = (float(moran_rows.sort_values("bandwidth")["value"].iloc[0])
                 if len(moran_rows) else float("nan"))
        cells.append((ctx.num(moran, 2), _sort_value(moran), ""))
        for c, _p in others:
            value, _ = _value(t[(t["comparison"] == c) & (t["year"] == year)], "dissimilarity")
            cells.append((ctx.num(value, 3), _sort_value(value), ""))
        rows.append("<tr>" + "".join(
            f'<td{f" class={cls}" if cls else ""} data-v="{html.escape(v)}">{shown}</td>'
            for shown, v, cls in cells) + "</tr>")
    table_html = (
        '<div class="scroll"><table class="sortable"><thead><tr>'
        + "".join(f'<th{" class=text" if i < 2 else ""} scope="col">{h}</th>'
                  for i, h in enumerate(head))
        + f'</tr></thead><tbody>{"".join(rows)}</tbody></table></div>')

    # what was left out of the whole report
    exclusions = data.exclusions
    left = ""
    dropped = ctx.disclosure.dropped if ctx.disclosure is not None else []
    if not exclusions.empty or dropped:
        names = dict(zip(data.boundaries["code"], data.boundaries["name"], strict=True))
        without = sorted(set(exclusions["area"].dropna()) - set(data.areas["code"])
                         - set(dropped)) if "area" in exclusions.columns else []
        listed = (f'<p><strong>{ctx.t("left_out_areas")}</strong> ({len(without)}): '
                  + ", ".join(f"{_esc(names.get(c, c))} ({_esc(c)})" for c in without)
                  + "</p>") if without else ""
        if dropped:
            listed += (f'<p><strong>{ctx.t("dropped_areas", n=ctx.min_cell)}</strong> '
                       f'({len(dropped)}): ' + ", ".join(
                           f"{_esc(names.get(c, c))} ({_esc(c)})" for c in dropped) + "</p>")
        note = ctx.t("exclusions_note") + (
            " " + ctx.t("exclusions_note_disclosure", n=ctx.min_cell)
            if ctx.disclosure is not None else "")
        left = (f'<section><h2>{ctx.t("index_left_out_heading")}</h2>'
                f'<p class="note">{note}</p>'
                + (_exclusion_rows(ctx, data, exclusions, across_areas=True)
                   if not exclusions.empty else "") + listed + "</section>")
    body = "\n".join([
        f'<header><h1>{ctx.t("index_title")}</h1><p>{ctx.t("index_intro")}</p></header>',
        f'<section><h2>{heading}</h2><p class="note">{ctx.t("index_map_note")}</p>'
        f'<div class="maps"><figure><img src="{image}" alt="{ctx.t("static_map")}">'
        f'<figcaption>{ctx.t("static_map")}</figcaption></figure>'
        f'<figure>{frame}<figcaption>{ctx.t("interactive_map")}. '
        f'{ctx.t("map_fallback_index")}</figcaption></figure></div></section>',
        f'<section><h2>{ctx.t("index_table_heading")}</h2>'
        f'<p class="note">{ctx.t("index_table_note")}</p>{table_html}</section>',
        left,
        _caveat(ctx),
        _method(ctx, data),
    ])
    return _document(ctx, ctx.t("index_title"), body, _SORT_JS)


def _sort_value(value: float) -> str:
    value = float(value)
    return repr(round(value, 12)) if math.isfinite(value) else ""


# --------------------------------------------------------------------------- render / write


def _progress(items: Sequence[Any], enabled: bool | Callable[[int, int], Any],
              what: str) -> Iterable[Any]:
    if callable(enabled):  # e.g. QGIS: progress and cancellation (it raises) per page
        for i, item in enumerate(items, 1):
            yield item
            enabled(i, len(items))
        return
    if not enabled:
        yield from items
        return
    try:
        from tqdm import tqdm
    except ImportError:
        total = len(items)
        for i, item in enumerate(items, 1):
            yield item
            print(f"\r{what}: {i}/{total}", end="", file=sys.stderr, flush=True)
        print(file=sys.stderr)
        return
    yield from tqdm(items, desc=what, unit="page", file=sys.stderr, leave=False)


def _protected(data: ReportData, min_cell: int, *,
               every_year: bool = False) -> tuple[ReportData, Any]:
    """The report's data as disclosure mode publishes them (audited, rounded,
    withheld where needed; see :mod:`segspatial.disclosure`). ``every_year``: the
    audit also covers a results file of every year written alongside (the demo)."""
    from dataclasses import replace

    from segspatial.disclosure import policy, protect_report
    from segspatial.spatial import PROFILE_BANDWIDTHS

    rules = policy(min_cell)
    if data.disclosure is not None and data.disclosure.policy == rules:
        return data, data.disclosure
    p = data.parameters
    profile_bw = p.get("profile_bandwidths") or sorted(
        {0.0, *PROFILE_BANDWIDTHS, *p["bandwidths"]})
    protected = protect_report(
        table=data.table, spatial=data.spatial, profile=data.profile, counts=data.counts,
        exclusions=data.exclusions, comparisons=data.comparisons, policy=rules,
        crs=p["crs"], bandwidths=p["bandwidths"], profile_bandwidths=profile_bw,
        kernel=p.get("kernel"), districts=data.districts,
        district_code=p.get("district_code") if data.districts is not None else None,
        permutations=p.get("permutations", 999), seed=p.get("seed", 0),
        every_year=every_year)
    areas = data.areas[~data.areas["code"].isin(protected.dropped)].reset_index(drop=True)
    return replace(data, areas=areas, table=protected.table, spatial=protected.spatial,
                   profile=protected.profile, exclusions=protected.exclusions,
                   disclosure=protected), protected


def _check_options(lang: str, min_cell: Any) -> int | None:
    from segspatial._mapdata import check_min_cell

    check_lang(lang)
    return check_min_cell(min_cell)


def render_report(
    data: ReportData,
    *,
    lang: str = "en",
    offline: bool = False,
    min_cell: int | None = None,
    stamp: str | None = None,
    progress: bool | Callable[[int, int], Any] = False,
) -> Iterable[tuple[str, str]]:
    """The report's pages as ``(file name, HTML)`` pairs: ``index.html`` first.

    A generator, so a long report is written page by page (see :func:`write_report`).

    Parameters
    ----------
    data : ReportData
        From :func:`report_data`.
    lang : {"en", "nl"}
        Language of the labels and sentences.
    offline : bool
        Embed Leaflet in the interactive maps (no internet needed, no basemap).
    min_cell : int, optional
        Disclosure control: pupil counts below it are shown as ``"< min_cell"``; a
        school with a group below it shows neither group count nor its share and is
        grey on both school maps.
    stamp : str, optional
        A time stamp (or any text) shown in the method section; none by default, so
        reruns give byte-identical pages.
    progress : bool or callable
        Show a progress bar on standard error (tqdm when installed), or call
        ``progress(done, total)`` after each area page; an exception raised by it stops
        the report (:func:`write_report` then leaves the folder as it was).

    Yields
    ------
    (str, str)
    """
    if not isinstance(data, ReportData):
        raise TypeError(f"data must be a ReportData (see report_data), got "
                        f"{type(data).__name__}")
    min_cell = _check_options(lang, min_cell)
    protected = None
    if min_cell is not None:
        data, protected = _protected(data, min_cell)
    ctx = _Ctx(lang=lang, min_cell=min_cell, offline=bool(offline), stamp=stamp,
               labels=data.group_labels, disclosure=protected,
               columns=dict(data.parameters.get("group_columns") or {}))
    yield "index.html", _index_page(ctx, data)
    tables = {a: f for a, f in data.table.groupby("area")}
    counts = {a: f for a, f in data.counts.groupby("area")}
    spatial = {a: f for a, f in data.spatial.groupby("area")}
    profile = {a: f for a, f in data.profile.groupby("area")}
    exclusions = data.exclusions
    if "area" in exclusions.columns:
        per_area = {a: f for a, f in exclusions[exclusions["area"].notna()].groupby("area")}
    else:
        per_area = {}
    empty = EXCLUSION_COLUMNS
    rows = list(data.areas.itertuples(index=False))
    for area in _progress(rows, progress, "report"):
        yield area.file, _area_page(
            ctx, data, area.code, area.name, tables[area.code],
            counts.get(area.code, data.counts.iloc[:0]),
            spatial.get(area.code, data.spatial.iloc[:0]),
            profile.get(area.code, data.profile.iloc[:0]),
            per_area.get(area.code, pd.DataFrame(columns=empty)))


def write_report(
    data: ReportData,
    output: str | os.PathLike,
    *,
    lang: str = "en",
    offline: bool = False,
    min_cell: int | None = None,
    stamp: str | None = None,
    progress: bool | Callable[[int, int], Any] = False,
) -> Path:
    """Write the report into the folder ``output``, atomically.

    The pages are written into a temporary folder next to ``output`` which then
    takes its place in one step (:func:`segspatial._write.atomic_folder`): at every
    moment ``output`` holds the complete previous report or the complete new one,
    and a failure or a kill half-way leaves the previous report untouched; the next
    run removes what a killed run left beside ``output``. An existing ``output`` is
    replaced only when it is empty or an earlier report (it holds the marker file
    ``.segspatial-report``).

    Parameters
    ----------
    data : ReportData
        From :func:`report_data`.
    output : path
        The report folder; ``index.html`` and one page per area are written into it.
    lang, offline, min_cell, stamp, progress
        As for :func:`render_report`.

    Returns
    -------
    pathlib.Path
        The path of ``index.html``.

    Raises
    ------
    ValueError
        If ``output`` is a file, or a non-empty folder that is not a report.
    """
    from segspatial._write import atomic_folder

    output = Path(output)
    min_cell = _check_options(lang, min_cell)
    with atomic_folder(output, marker=MARKER, what="report") as folder:
        for file, page in render_report(data, lang=lang, offline=offline, min_cell=min_cell,
                                        stamp=stamp, progress=progress):
            (folder / file).write_text(page, encoding="utf-8")
    return output / "index.html"


def write_demo_report(output: str | os.PathLike, result: SegregationResult | ReportData,
                      schools: pd.DataFrame, *, lang: str = "en", progress: bool = False,
                      min_cell: int | None = None) -> Path:
    """The demo's report (offline) in ``lang`` from :func:`segspatial.demo.demo_schools`
    and a result on the demo data (or its :func:`demo_report_data`); returns the path of
    ``index.html``. ``min_cell``: as for :func:`write_report` (``segspatial demo
    --min-cell N``)."""
    data = result if isinstance(result, ReportData) else demo_report_data(result, schools)
    return write_report(data, output, lang=lang, offline=True, min_cell=min_cell,
                        progress=progress)


def demo_report_data(result: SegregationResult, schools: pd.DataFrame,
                     **options: Any) -> ReportData:
    """:func:`report_data` of the demo (its schools, towns and CRS); ``options`` go to
    :func:`report_data` (e.g. ``only``, ``permutations``)."""
    from segspatial.demo import DEMO_CRS
    from segspatial.demo_maps import demo_boundaries

    return report_data(result, schools, unit="school", x="x", y="y", crs=DEMO_CRS,
                       name="school_name", boundaries=demo_boundaries(schools),
                       area_code="statcode", **options)
