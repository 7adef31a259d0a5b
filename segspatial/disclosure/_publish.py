"""Published tables: results, exclusions, school layers and reports, audited.

See :mod:`segspatial.disclosure`. Each function turns exact tables into what
disclosure mode writes, with the values :func:`segspatial.disclosure.audit` proved.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from segspatial.disclosure._audit import (
    ENVIRONMENT_AUDITED,
    REPORT_INDICES,
    Audit,
    Design,
    SpatialDesign,
    audit,
    small_count_years,
)
from segspatial.disclosure._policy import (
    GROUP_REASONS,
    HIDDEN,
    Policy,
    round_counts,
    school_publication,
)

#: Exclusion rows that say a count is zero: not published in disclosure mode.
_DROPPED_REASONS = ("group_absent", "unit_outside_comparison")


def publish_schools(frame: pd.DataFrame, policy: Policy) -> pd.DataFrame:
    """What a school map may show, audited: one row per row of ``frame``.

    ``frame`` has ``unit``, ``area``, ``a``, ``b``, ``total`` (and ``x``, ``y`` to try
    nearby schools first, ``year`` for several years). A map shows, per area, its share of A (whole
    percents, the colour scale's centre) and per school its band or that it is
    suppressed (:func:`school_publication`); :func:`audit` proves that none of it pins
    down a count below N, and where it would (tiny areas), the area's share and bands
    are withheld (every school of the area grey, ``centre`` NaN).

    Returns
    -------
    pandas.DataFrame
        :func:`school_publication`'s columns plus ``centre``, in the order of ``frame``.
    """
    data = frame.assign(year=frame["year"] if "year" in frame.columns else 0,
                        area=frame["area"].astype(str), unit=np.arange(len(frame)))
    shown = school_publication(data["a"], data["b"], data["total"], policy,
                               area=(data["area"] + "\0" + data["year"].astype(str)).to_numpy())
    design = Design(comparisons={"map": ("a", "b")}, indices=(), shares=("share_a",),
                    share_years="all", schools="all", maps=("map",))
    result = audit(data[["area", "year", "unit", "a", "b", "total"]
                        + [c for c in ("x", "y") if c in data.columns]], design, policy)
    centre = result.shares[result.shares["key"] == "share_a:map"].set_index(
        ["area", "year"])["value"]
    key = pd.MultiIndex.from_arrays([data["area"], data["year"]])
    shown["centre"] = centre.reindex(key).to_numpy(dtype=np.float64)
    withheld = result.levels.loc[result.levels["level"] >= 2].set_index(["area", "year"])
    gone = key.isin(withheld.index)
    shown.loc[gone, "suppressed"] = True
    shown.loc[gone, ["band", "band_low", "band_high", "share", "centre"]] = np.nan
    return shown


# --------------------------------------------------------------------------- tables


def protect_table(table: pd.DataFrame, policy: Policy,
                  result: Audit | None = None) -> pd.DataFrame:
    """A results table as disclosure mode publishes it.

    ``value`` is rounded to ``policy.digits`` and withheld (NaN, reason
    :data:`HIDDEN`) where group A or B has fewer than N pupils in the area-year;
    ``n_a`` and ``n_b`` are rounded to ``policy.count_base`` (NaN below N),
    ``n_pupils`` (all the area's pupils, a sum of public school sizes) is rounded.
    With the ``result`` of :func:`audit` over the same counts, the values and counts
    are the audited ones (withheld where the audit withholds them). Rows of indices
    the audit did not cover keep only the rounding. The input is not changed.
    """
    out = table.copy()
    raw = pd.to_numeric(table["value"], errors="coerce").to_numpy(dtype=np.float64) \
        if "value" in table.columns else None
    if raw is not None:
        out["value"] = policy.values(raw)
    small = np.zeros(len(out), dtype=bool)
    for column in ("n_a", "n_b"):
        if column in out.columns:
            exact = pd.to_numeric(out[column], errors="coerce").to_numpy(dtype=np.float64)
            with np.errstate(invalid="ignore"):
                small |= exact < policy.min_cell
    for column in ("n_a", "n_b"):
        if column in out.columns:
            out[column] = policy.counts(pd.to_numeric(out[column], errors="coerce"))
    if "n_pupils" in out.columns:  # all pupils of the area: rounded, never hidden
        out["n_pupils"] = round_counts(pd.to_numeric(out["n_pupils"], errors="coerce"),
                                       policy.count_base)
    if raw is not None:
        out.loc[small, "value"] = np.nan
    if result is not None and raw is not None and "comparison" in out.columns:
        keys = [k for k in ("area", "year", "comparison", "index", "bandwidth")
                if k in out.columns]
        values = result.values
        if "bandwidth" not in keys:  # an aspatial table: the audit's aspatial rows
            values = values[values["bandwidth"].isna()]
        covered = out[keys].merge(values[keys].assign(_hit=True), on=keys,
                                  how="left", validate="many_to_one")["_hit"].notna()
        audited = _merge_values(out, values, keys)
        covered = covered.to_numpy()
        out.loc[covered, "value"] = audited[covered]
        for column in ("n_a", "n_b"):
            if column in out.columns:
                key = out[["area", "year"]].assign(
                    key=column + ":" + out["comparison"].astype(str))
                counts = _merge_values(key, result.shares, ["area", "year", "key"])
                out[column] = counts
    if raw is not None and "reason" in out.columns:
        # a group below N: withheld, whatever the reason (a group that is absent is a
        # count below N too)
        withheld = (~np.isfinite(out["value"].to_numpy(dtype=np.float64))
                    & np.isfinite(raw)) | small | _names_empty_units(out)
        out["reason"] = out["reason"].astype(object)
        out.loc[withheld, "reason"] = str(HIDDEN)
        if "reason_code" in out.columns:  # the code must not say why either
            out.loc[withheld, "reason_code"] = HIDDEN.code
    return out


def _names_empty_units(table: pd.DataFrame) -> np.ndarray:
    """Rows undefined because fewer than 2 of the area's units have pupils in the
    comparison while it has more units: "(1 of 3 units)", or "(1 of 1 units)" on a
    spatial row of an area of 3 (``n_units``: spatial rows leave such units out), says
    that the other schools have no pupil of either group, counts below N (one school
    alone is public)."""
    found = table["reason"].astype(str).str.extract(
        r"fewer than 2 units with pupils in the comparison \((\d+) of (\d+) units\)")
    active = pd.to_numeric(found[0], errors="coerce").to_numpy(dtype=np.float64)
    units = pd.to_numeric(found[1], errors="coerce").to_numpy(dtype=np.float64)
    if "n_units" in table.columns:
        units = np.fmax(units, pd.to_numeric(table["n_units"], errors="coerce")
                        .to_numpy(dtype=np.float64))
    with np.errstate(invalid="ignore"):
        return active < units


def _published_rows(exclusions: pd.DataFrame) -> pd.DataFrame:
    """The exclusion rows that may be published at all (see :func:`protect_exclusions`)."""
    if "reason" not in exclusions.columns:
        return exclusions
    out = exclusions[~exclusions["reason"].isin(_DROPPED_REASONS)]
    if "n_units" in out.columns:  # too few units in the comparison of several: the
        # others have no pupil of either group (one school alone is public)
        units = pd.to_numeric(out["n_units"], errors="coerce")
        out = out[~((out["reason"] == "too_few_units") & (units >= 2)).to_numpy()]
    return out


def protect_exclusions(exclusions: pd.DataFrame, policy: Policy) -> pd.DataFrame:
    """An exclusions table as disclosure mode publishes it, row by row.

    ``n_pupils`` is rounded to ``policy.count_base`` (NaN below N). The reasons that
    count pupils by group (:data:`GROUP_REASONS`: pupils in neither group, with a
    missing or unknown group) get NaN pupils: per area they are group counts. Rows
    ``group_absent`` and ``unit_outside_comparison`` are dropped: that an area-year
    has no pupil of a group, or a school none of either group, is itself a count below
    N (the results say "not shown" for every area-year with a group below N; such a
    school is grey on the maps). So are ``too_few_units`` rows of two units or more:
    fewer than 2 of them with pupils in the comparison means the others have none.
    Sums of the published rows never include the rows below N.
    """
    out = _published_rows(exclusions).copy()
    if "n_pupils" not in out.columns:
        return out.reset_index(drop=True)
    pupils = policy.counts(pd.to_numeric(out["n_pupils"], errors="coerce"))
    if "reason" in out.columns:
        pupils = np.where(out["reason"].isin(GROUP_REASONS).to_numpy(), np.nan, pupils)
    out["n_pupils"] = pupils
    return out.reset_index(drop=True)


def band_moran(counts: pd.DataFrame, comparisons: Mapping[str, tuple[str, str]],
               policy: Policy, *, crs: Any, bandwidths: Sequence[float],
               kernel: str | None = None, permutations: int = 999,
               rng: int = 0) -> pd.DataFrame:
    """Moran's I and its p-value of the shares as a school map publishes them.

    In disclosure mode a school's share is published only as a band (and not at all
    for a suppressed school), so Moran's I is computed on the band middles of the
    schools that are not suppressed and have a location: a function of what is
    published, so it needs no audit. ``counts``: every analysed unit of one year per
    area (suppression is decided on all of them, as on the maps), with ``area``,
    ``year``, ``unit``, the group columns, ``total``, ``x`` and ``y``. Returns the
    rows of :func:`segspatial.spatial.spatial_segregation`'s table (``area``,
    ``year``, ``index``, ``bandwidth``, ``value``, ...) plus ``comparison``; values
    rounded to ``policy.digits``.
    """
    from segspatial.spatial import spatial_segregation

    parts = []
    located = (np.isfinite(pd.to_numeric(counts["x"], errors="coerce").to_numpy(float))
               & np.isfinite(pd.to_numeric(counts["y"], errors="coerce").to_numpy(float)))
    key = counts["area"].astype(str) + "\0" + counts["year"].astype(str)
    for name, (ga, gb) in comparisons.items():
        shown = school_publication(counts[ga], counts[gb], counts["total"], policy,
                                   area=key.to_numpy())
        keep = located & ~shown["suppressed"].to_numpy()
        if not keep.any():
            continue
        frame = counts.loc[keep, ["area", "year", "unit", "x", "y"]].copy()
        # areas and years as codes: the placeholders of a table without them ("")
        # are no area codes or years to the engine's checks
        area_codes, areas = pd.factorize(frame["area"])
        year_codes, years = pd.factorize(frame["year"])
        frame["area"], frame["year"] = area_codes, year_codes
        mid = shown.loc[keep, "share"].to_numpy()
        frame["a"] = 1000.0 * mid
        frame["b"] = 1000.0 * (1.0 - mid)
        res = spatial_segregation(
            frame, "unit", "a", "b", x="x", y="y", crs=crs, area="area", year="year",
            bandwidth=list(bandwidths), kernel=kernel, indices="dissimilarity",
            spatial_indices=["morans_i", "morans_i_p"], permutations=permutations,
            rng=np.random.default_rng(rng), min_unit_size=0, min_area_size=0)
        rows = res.table[res.table["index"].isin(["morans_i", "morans_i_p"])]
        rows = rows.assign(area=areas.take(rows["area"].to_numpy(dtype=np.intp)),
                           year=years.take(rows["year"].to_numpy(dtype=np.intp)))
        parts.append(rows.assign(comparison=name,
                                 value=policy.values(rows["value"].to_numpy(float))))
    if not parts:
        return pd.DataFrame(columns=["area", "year", "comparison", "index", "bandwidth",
                                     "value"])
    return pd.concat(parts, ignore_index=True)


@dataclass
class Protected:
    """A report's tables as disclosure mode publishes them (see :func:`protect_report`).

    Attributes
    ----------
    table, spatial, profile, exclusions : pandas.DataFrame
        The report's tables with published values (rounded, NaN where withheld).
    shares : pandas.DataFrame
        Published shares and counts of each area's latest year: ``area``, ``year``,
        ``key`` (a group column: its share of all pupils, -1 below N; ``share_a:<c>``:
        the share of A among A and B; ``two_groups:<c>``: the rounded pupils in the two
        groups) and ``value`` (NaN where withheld).
    dropped : list
        Areas whose latest year had to be withheld entirely (no page).
    audit : Audit
    policy : Policy
    intervals : pandas.DataFrame
        ``area``, ``year``, ``published``: whether the area-year's intervals are
        published (no count below N in it, :func:`small_count_years`).
    """

    table: pd.DataFrame
    spatial: pd.DataFrame
    profile: pd.DataFrame
    exclusions: pd.DataFrame
    shares: pd.DataFrame
    dropped: list
    audit: Audit
    policy: Policy
    intervals: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["area", "year", "published"]))

    def share(self, area: Any, key: str) -> float:
        """A published share (or count) of an area's latest year; NaN if withheld."""
        return self._latest_shares.get((area, key), float("nan"))

    @cached_property
    def _latest_shares(self) -> dict[tuple[Any, str], float]:
        """``(area, key)`` -> the value of its latest year (the first row of the
        largest year), indexed once: a report asks for thousands of them."""
        shares = self.shares[self.shares["year"].notna()]
        if shares.empty:
            return {}
        latest = shares.groupby(["area", "key"], sort=False)["year"].idxmax()
        values = shares.loc[latest.to_numpy(), "value"].to_numpy(dtype=np.float64)
        return dict(zip(latest.index.tolist(), values.tolist(), strict=True))


#: Inference columns of a results table: the interval bounds are published (rounded)
#: where :func:`small_count_years` allows, the others never in disclosure mode.
_INTERVAL_BOUNDS = ("ci_low", "ci_high")
_INFERENCE_HIDDEN = ("se", "bias_corrected", "null_mean", "null_se", "p_value")


def _year_keys(area: pd.Series, year: pd.Series) -> pd.MultiIndex:
    """Area-year keys that match whether a year is stored as 2018, 2018.0 or "2018"."""
    numeric = pd.to_numeric(year, errors="coerce")
    text = [str(int(n)) if pd.notna(n) and float(n).is_integer() else str(y)
            for n, y in zip(numeric, year, strict=True)]
    return pd.MultiIndex.from_arrays([area.astype(str).to_numpy(), text])


def _published_keys(published: pd.DataFrame) -> pd.MultiIndex:
    allowed = published.loc[published["published"].astype(bool)]
    return _year_keys(allowed["area"], allowed["year"])


def protect_intervals(frame: pd.DataFrame, published: pd.DataFrame,
                      policy: Policy) -> pd.DataFrame:
    """The interval columns of ``frame`` as disclosure mode publishes them.

    ``ci_low`` and ``ci_high`` are rounded like the values (``policy.digits``) and kept
    only where the row's area-year is ``published`` (a row of ``published``: ``area``,
    ``year``, ``published``; see :func:`small_count_years`) and its value is shown;
    ``se``, ``bias_corrected`` and the randomisation test's columns are never
    published (NaN). Without these columns ``frame`` is returned as it is.
    """
    present = [c for c in (*_INTERVAL_BOUNDS, *_INFERENCE_HIDDEN) if c in frame.columns]
    if not present or frame.empty:
        return frame
    out = frame.copy()
    ok = _year_keys(out["area"], out["year"]).isin(_published_keys(published))
    if "value" in out.columns:
        ok &= np.isfinite(pd.to_numeric(out["value"], errors="coerce").to_numpy(
            dtype=np.float64))
    for column in present:
        if column in _INTERVAL_BOUNDS:
            raw = pd.to_numeric(out[column], errors="coerce").to_numpy(dtype=np.float64)
            out[column] = np.where(ok, policy.values(raw), np.nan)
        else:
            out[column] = np.nan
    return out


def protect_changes(changes: pd.DataFrame, published: pd.DataFrame,
                    policy: Policy) -> pd.DataFrame:
    """A change table (:data:`segspatial.schema.CHANGE_COLUMNS`) as disclosure mode
    publishes it: ``change``, ``ci_low``, ``ci_high``, ``value_from`` and
    ``value_to`` rounded to ``policy.digits`` where both years of the row are
    ``published`` (see :func:`protect_intervals`), else NaN with ``withheld`` True;
    ``se``, ``p_value`` and ``direction`` are never published (a page derives its
    words from the rounded interval)."""
    out = changes.copy()
    out["withheld"] = False
    if out.empty:
        return out
    allowed = _published_keys(published)
    both = (_year_keys(out["area"], out["from_year"]).isin(allowed)
            & _year_keys(out["area"], out["to_year"]).isin(allowed))
    for column in ("change", "ci_low", "ci_high", "value_from", "value_to"):
        if column in out.columns:
            raw = pd.to_numeric(out[column], errors="coerce").to_numpy(dtype=np.float64)
            out[column] = np.where(both, policy.values(raw), np.nan)
    for column in ("se", "p_value"):
        if column in out.columns:
            out[column] = np.nan
    if "direction" in out.columns:
        out["direction"] = None
    out["withheld"] = ~both
    return out


def _merge_values(frame: pd.DataFrame, values: pd.DataFrame,
                  keys: list[str]) -> np.ndarray:
    """The audited values for the rows of ``frame`` (NaN where the audit has none)."""
    if frame.empty:
        return np.empty(0)
    left = frame[keys].copy()
    right = values[keys + ["value"]].copy()
    if "bandwidth" in keys:  # NaN bandwidths (aspatial rows) must match each other
        left["bandwidth"] = left["bandwidth"].astype(np.float64).fillna(-1.0)
        right["bandwidth"] = right["bandwidth"].astype(np.float64).fillna(-1.0)
    merged = left.merge(right, on=keys, how="left", validate="many_to_one")
    return merged["value"].to_numpy(dtype=np.float64)


def protect_report(*, table: pd.DataFrame, spatial: pd.DataFrame, profile: pd.DataFrame,
                   counts: pd.DataFrame, exclusions: pd.DataFrame,
                   comparisons: Mapping[str, tuple[str, str]], policy: Policy,
                   crs: Any, bandwidths: Sequence[float], profile_bandwidths: Sequence[float],
                   kernel: str | None = None, districts: Any = None,
                   district_code: str | None = None, permutations: int = 999,
                   seed: int = 0, every_year: bool = False) -> Protected:
    """Audit a report's numbers and return them as disclosure mode publishes them.

    The report publishes, per area: for the latest year the five aspatial indices of
    every comparison, the spatial indices at ``bandwidths`` and ``profile_bandwidths``
    and the between/within split of H, the group shares, the pupils in the two groups,
    the share of A and the school maps of the first comparison; for the other years D
    and D*. See :func:`audit` for how it is proven that none of them pins down a count
    below N; Moran's I comes from the published bands (:func:`band_moran`).

    Parameters
    ----------
    table, spatial, profile, counts, exclusions
        As in :class:`segspatial.report.ReportData` (``counts``: every analysed unit
        with ``area``, ``year``, ``unit``, the group columns, ``total``, ``x``, ``y``).
    comparisons : mapping
        Comparison -> (group A column, group B column); the first is on the maps.
    policy : Policy
    crs, bandwidths, profile_bandwidths, kernel, districts, district_code, permutations, seed
        The report's spatial settings (``districts``: the polygons it used).
    every_year : bool
        Also publish every index and the rounded counts of A and B of every year (a
        results file written with the report: one audit for both, see
        :func:`protect_table` with ``Protected.audit``).
    """
    comparisons = dict(comparisons)
    spatial_design = SpatialDesign(
        crs=crs, bandwidths=tuple(float(b) for b in bandwidths),
        profile=tuple(float(b) for b in profile_bandwidths), kernel=kernel,
        districts=districts, district_code=district_code)
    design = Design(comparisons=comparisons, indices=REPORT_INDICES,
                    trend_indices=(REPORT_INDICES if every_year else
                                   ("dissimilarity", "dissimilarity_standardised")),
                    shares=("groups", "two_groups", "share_a"), counts=every_year,
                    schools="latest", maps=(next(iter(comparisons)),),
                    spatial=spatial_design)
    result = audit(counts, design, policy)
    levels = result.levels
    latest_year = counts.groupby("area")["year"].max()
    top = levels[levels["year"].to_numpy() == latest_year.reindex(levels["area"]).to_numpy()]
    dropped = sorted(top.loc[top["level"] >= 2, "area"].unique().tolist())

    out_table = protect_table(table, policy, result)
    out_table["min_cell"] = policy.min_cell

    keys = ["area", "year", "comparison", "index", "bandwidth"]
    out_spatial = spatial.copy()
    audited = ~out_spatial["index"].isin(["morans_i", "morans_i_p"]).to_numpy()
    values = np.full(len(out_spatial), np.nan)
    if audited.any():
        values[audited] = _merge_values(out_spatial[audited], result.values, keys)
    latest = counts[counts["year"].to_numpy() == latest_year.reindex(
        counts["area"]).to_numpy()]
    moran_bw = sorted(out_spatial.loc[~audited, "bandwidth"].dropna().unique().tolist())
    if (~audited).any() and moran_bw:
        moran = band_moran(latest, comparisons, policy, crs=crs, bandwidths=moran_bw,
                           kernel=kernel, permutations=permutations, rng=seed)
        # Moran's I is withheld where the bands it comes from are
        gone = moran.set_index(["area", "year", "comparison"]).index.isin(
            result.moran_withheld.set_index(["area", "year", "comparison"]).index)
        moran.loc[gone, "value"] = np.nan
        small = result.values[(result.values["index"] == "dissimilarity")
                              & result.values["value"].isna()]
        gone = moran.set_index(["area", "year", "comparison"]).index.isin(
            small.set_index(["area", "year", "comparison"]).index)
        moran.loc[gone, "value"] = np.nan
        values[~audited] = _merge_values(out_spatial[~audited], moran, keys)
    out_spatial["value"] = values
    out_profile = profile.copy()
    out_profile["value"] = _merge_values(profile, result.values, keys)
    key = ["area", "year", "comparison"]
    with np.errstate(invalid="ignore"):
        small = table.loc[(pd.to_numeric(table["n_a"], errors="coerce") < policy.min_cell)
                          | (pd.to_numeric(table["n_b"], errors="coerce")
                             < policy.min_cell), key].drop_duplicates()
    for frame in (out_spatial, out_profile):
        frame["reason"] = frame["reason"].astype(object) if "reason" in frame else None
        tiny = frame.set_index(key).index.isin(small.set_index(key).index)
        frame.loc[tiny, "value"] = np.nan  # a group below N: nothing, not even why
        gone = ((frame["value"].isna() & frame["reason"].isna()) | tiny
                | _names_empty_units(frame))
        frame.loc[gone, "reason"] = str(HIDDEN)
        if "reason_code" in frame.columns:  # the code must not say why either
            frame.loc[gone, "reason_code"] = HIDDEN.code
    blocks = small_count_years(counts, design, policy)
    intervals = blocks.assign(published=~blocks["small"])[["area", "year", "published"]]
    out_table = protect_intervals(out_table, intervals, policy)
    out_spatial = protect_intervals(out_spatial, intervals, policy)
    out_profile = protect_intervals(out_profile, intervals, policy)
    out_exclusions = _published_rows(exclusions).copy()
    if "reason" in out_exclusions.columns:
        group = out_exclusions["reason"].isin(GROUP_REASONS).to_numpy()
        out_exclusions["n_pupils"] = np.where(
            group, np.nan, pd.to_numeric(out_exclusions["n_pupils"], errors="coerce"))
    return Protected(table=out_table, spatial=out_spatial, profile=out_profile,
                     exclusions=out_exclusions.reset_index(drop=True),
                     shares=_one_school_shares(result.shares, latest, comparisons, policy),
                     dropped=dropped, audit=result, policy=policy, intervals=intervals)


def _one_school_shares(shares: pd.DataFrame, latest: pd.DataFrame,
                       comparisons: Mapping[str, tuple[str, str]],
                       policy: Policy) -> pd.DataFrame:
    """``shares`` with the area's shares withheld where they equal a withheld school
    share: an area-year with one school with pupils of a comparison, whose share the
    school map withholds (:func:`school_publication`). The area's share of A among A
    and B (the map's centre, legends, popups) is then the school's share, and the
    groups' shares of all pupils (the page header) give it too, so they are withheld
    (NaN), except a share already published as "below N" (-1)."""
    out = shares.copy()
    for name, (ga, gb) in comparisons.items():
        both = (pd.to_numeric(latest[ga], errors="coerce")
                + pd.to_numeric(latest[gb], errors="coerce"))
        present = latest[both.to_numpy() > 0]
        if present.empty:
            continue
        size = present.groupby(["area", "year"])["unit"].transform("size").to_numpy()
        one = present[size == 1]
        if one.empty:
            continue
        key = (one["area"].astype(str) + "\0" + one["year"].astype(str)).to_numpy()
        shown = school_publication(one[ga], one[gb], one["total"], policy, area=key)
        hidden = one.loc[shown["suppressed"].to_numpy(dtype=bool), ["area", "year"]]
        if hidden.empty:
            continue
        at = pd.MultiIndex.from_frame(out[["area", "year"]]).isin(
            pd.MultiIndex.from_frame(hidden))
        value = pd.to_numeric(out["value"], errors="coerce").to_numpy(dtype=np.float64)
        gone = at & out["key"].isin([f"share_a:{name}", ga, gb]).to_numpy() & ~(value < 0)
        out.loc[gone, "value"] = np.nan
    return out


def _same_units(table: pd.DataFrame) -> None:
    """Every row of an area-year-comparison with the same ``n_units`` and ``n_pupils``
    (its largest: all analysed units), in place. The spatial rows count only the units
    with pupils in A or B; the difference to the aspatial rows would say how many
    schools have none of either (counts below N) and how many pupils they hold."""
    keys = [k for k in ("area", "year", "comparison", "group_a", "group_b")
            if k in table.columns]
    for column in ("n_units", "n_pupils"):
        if column in table.columns and keys:
            values = pd.to_numeric(table[column], errors="coerce")
            table[column] = values.groupby([table[k].astype(str) for k in keys],
                                           sort=False).transform("max")


#: Spatial indices whose twins the audit recomputes: the environment indices
#: (:data:`ENVIRONMENT_AUDITED`: spatial D, H, exposure and isolation, and their ``_ro``
#: forms) and the between/within split of H; Moran's I comes from the bands; Morrill's
#: D (exact shares of neighbouring schools) is not published.
_BAND_INDICES = ("morans_i", "morans_i_p")
_UNPUBLISHED = ("morrill_d",)
_ENVIRONMENT_ROWS = {f"{n}{suffix}": n for n in ENVIRONMENT_AUDITED
                     for suffix in ("", "_ro")}


def spatial_design(parameters: Mapping[str, Any], *, districts: Any = None,
                   district_code: str | None = None) -> SpatialDesign | None:
    """The :class:`SpatialDesign` of a result of
    :func:`segspatial.spatial.spatial_segregation` (its ``parameters``): the same CRS,
    scales, kernel, definition and snapping, every year; None for an aspatial result.

    ``districts`` and ``district_code``: the polygons of the between/within split of H,
    if it was computed (the parameters do not hold them).

    Raises
    ------
    ValueError
        For ``context="all"`` (neighbours in other areas): the audit rebuilds the
        environments of one area-year at a time.
    """
    if "spatial_indices" not in parameters:
        return None
    if parameters.get("context", "area") != "area":
        raise ValueError(
            f"disclosure control: context={parameters.get('context')!r} is not covered by "
            "the audit (it rebuilds the environments of one area-year at a time); "
            "compute the spatial indices with context='area'")
    knn = parameters.get("kernel") == "knn"
    scales = tuple(parameters.get("bandwidth") or ())
    return SpatialDesign(
        crs=parameters["crs"],
        bandwidths=() if knn else tuple(float(b) for b in scales),
        k=tuple(int(b) for b in scales) if knn else (),
        kernel=None if knn else parameters.get("kernel"), districts=districts,
        district_code=district_code, snap=float(parameters.get("snap", 5000.0)),
        years="all", definition=parameters.get("definition", "dispersal"))


def protect_results(result: Any, policy: Policy, *, spatial: SpatialDesign | None = None,
                    permutations: int = 999, seed: int | None = 0
                    ) -> tuple[pd.DataFrame, pd.DataFrame, Audit]:
    """A result's tables as a command writes them in disclosure mode.

    The results table gets audited values (rounded to ``policy.digits``, NaN with
    the reason :data:`HIDDEN` where withheld), rounded counts and a ``min_cell``
    column (the guarantee travels with the file: ``segspatial map``, ``heatmap`` and
    ``join`` check it); the exclusions are rounded (:func:`protect_exclusions`).
    The environment indices of the table (spatial D, H, exposure and isolation, at
    every bandwidth, under ``spatial.definition``) are audited like the aspatial ones;
    Moran's I is computed from the published bands (:func:`band_moran`); Morrill's D,
    which needs every school's exact share, is not published.

    Parameters
    ----------
    result : segspatial.SegregationResult
        From :func:`segspatial.segregation`, :func:`segspatial.pupils.pupil_segregation`
        or :func:`segspatial.spatial.spatial_segregation`.
    policy : Policy
    spatial : SpatialDesign, optional
        The spatial settings of the result (``years="all"``); default:
        :func:`spatial_design` of its parameters (without districts: a split of H
        by district is then withheld). Spatial rows the audit does not recompute are
        withheld.
    permutations, seed
        Of Moran's I's p-value.

    Returns
    -------
    (table, exclusions, audit)
    """
    params = result.parameters or {}
    counts = result.counts.copy()
    original = result.table
    table = original.copy()
    # an area or year that was not given (null in the table, absent from the counts)
    # and the comparison of plain two-column counts are placeholders while auditing
    placeholders = [k for k in ("area", "year") if k not in counts.columns
                    or k not in table.columns or table[k].isna().all()]
    for key in placeholders:
        counts[key] = ""
        table[key] = ""
    if "comparisons" in params:
        comparisons = {str(k): (str(v[0]), str(v[1]))
                       for k, v in dict(params["comparisons"]).items()}
    else:
        comparisons = {"\0": ("a", "b")}
        table["comparison"] = "\0"
        placeholders.append("comparison")
    names = table["index"].astype(str)
    spatial_rows = (table["bandwidth"].notna() if "bandwidth" in table.columns
                    else pd.Series(False, index=table.index))
    spatial_rows |= names.isin(["theil_h_between", "theil_h_within", *_BAND_INDICES,
                                *_UNPUBLISHED, *_ENVIRONMENT_ROWS])
    if spatial is None:
        spatial = spatial_design(params)
    if spatial is not None:  # the audit recomputes the environment indices published
        spatial = replace(spatial, indices=tuple(dict.fromkeys(
            _ENVIRONMENT_ROWS[n] for n in names[spatial_rows] if n in _ENVIRONMENT_ROWS)))
    aspatial = tuple(dict.fromkeys(names[~spatial_rows]))
    moran = names.isin(_BAND_INDICES).any()
    design = Design(comparisons=comparisons, indices=aspatial, counts=True,
                    schools="all" if moran else None, spatial=spatial)
    result_audit = audit(counts, design, policy)
    out = protect_table(table, policy, result_audit)
    if moran and spatial is not None:
        band = band_moran(counts, comparisons, policy, crs=spatial.crs,
                          bandwidths=sorted(table.loc[names.isin(_BAND_INDICES),
                                                      "bandwidth"].dropna().unique()),
                          kernel=spatial.kernel, permutations=permutations,
                          rng=0 if seed is None else seed)
        gone = band.set_index(["area", "year", "comparison"]).index.isin(
            result_audit.moran_withheld.set_index(["area", "year", "comparison"]).index)
        band.loc[gone, "value"] = np.nan
        rows = names.isin(_BAND_INDICES).to_numpy()
        band = band.assign(area=band["area"].astype(table["area"].dtype, errors="ignore"))
        out.loc[rows, "value"] = _merge_values(
            out.loc[rows], band, ["area", "year", "comparison", "index", "bandwidth"])
    _same_units(out)
    # the spatial rows as the audit recomputed them: withheld where it did not
    audited = names.isin([*_ENVIRONMENT_ROWS, "theil_h_between", "theil_h_within"]
                         ).to_numpy()
    if audited.any() and "value" in out.columns:
        out.loc[audited, "value"] = _merge_values(
            out.loc[audited], result_audit.values,
            ["area", "year", "comparison", "index", "bandwidth"])
    hide = names.isin(_UNPUBLISHED).to_numpy()
    if "value" in out.columns:
        out.loc[hide, "value"] = np.nan
        withheld = ~np.isfinite(out["value"].to_numpy(dtype=np.float64)) & np.isfinite(
            pd.to_numeric(table["value"], errors="coerce").to_numpy(dtype=np.float64))
        if "reason" in out.columns:
            withheld |= _names_empty_units(out)  # spatial rows: with the area's units
            out["reason"] = out["reason"].astype(object)
            out.loc[withheld, "reason"] = str(HIDDEN)
            if "reason_code" in out.columns:  # the code must not say why either
                out.loc[withheld, "reason_code"] = HIDDEN.code
    for key in placeholders:  # back as they were (null) or gone
        if key in original.columns:
            out[key] = original[key].to_numpy()
        else:
            out = out.drop(columns=key)
    out["min_cell"] = policy.min_cell
    return out, protect_exclusions(result.exclusions, policy), result_audit


#: The ``interval`` of a change in disclosure mode: none is published.
CHANGE_NOTE = "withheld"


def protect_change(published: pd.DataFrame, policy: Policy, *, from_year: Any = None,
                   to_year: Any = None, trend: bool = True) -> pd.DataFrame:
    """The change table of disclosure mode, derived from published values only.

    ``published`` is a results table as disclosure mode publishes it
    (:func:`protect_results`: rounded, audited values; withheld ones NaN). The
    differences and trends are computed from those values alone, so they tell
    nothing the published table does not: ``value_from``, ``value_to`` and the
    difference have ``policy.digits`` decimals (a difference of two such values), the
    trend (a least-squares slope of published values) ``policy.digits + 2``. A year
    whose value is withheld is skipped (as a year without a value; with explicit
    years the series gets a reason). Bootstrap intervals, p-values and ``direction``
    are not published: they are functions of the exact counts (a known seed makes
    them reproducible, so an attacker could test candidate counts against them) that
    the audit does not recompute; ``interval`` says so (:data:`CHANGE_NOTE`,
    ``"withheld"``). The
    Elbers decomposition is not published either (its parts come from the exact
    counts of every school).

    Returns
    -------
    pandas.DataFrame
        :data:`segspatial.schema.CHANGE_COLUMNS`.
    """
    from segspatial.inference._change import change_from_values

    out = change_from_values(published, from_year=from_year, to_year=to_year, trend=trend)
    difference = (out["statistic"] == "difference").to_numpy()
    for column in ("value_from", "value_to"):
        out[column] = policy.values(out[column].to_numpy(dtype=np.float64))
    change = out["change"].to_numpy(dtype=np.float64)
    out["change"] = np.where(difference, policy.values(change),
                             np.round(change, policy.digits + 2) + 0.0)
    out["interval"] = np.where(np.isfinite(change), CHANGE_NOTE, None)
    out["n_boot"] = np.nan
    out["bootstrap"] = None
    return out
