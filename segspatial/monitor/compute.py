"""The monitor: representation of women per region and year, and gender segregation.

From :class:`~segspatial.monitor.reader.Enrolments` (tidy cells, censoring kept) and
a :class:`~segspatial.monitor.regions.RegionMapping`, :func:`compute_monitor` makes
three tidy tables, for every region of every level (national, municipality and the
levels of the mapping: province, labour-market region) and year:

``representation``
    the share of women in the chosen programmes (:class:`Selection`; default the
    DUO sector ``techniek``), its exact bounds over the censored cells, the target,
    the gap in people ("N more women needed"), the yearly change and, at the current
    pace, the year the target would be reached (:data:`REPRESENTATION_COLUMNS`);
``segregation``
    D, exact E[D], D* and H of women vs men across programmes, computed by
    segspatial's engine (:func:`segspatial.segregation`, with its filters and
    exclusions) on the point counts, plus the range of each over every feasible fill
    of the censored cells (:func:`~segspatial.monitor.censored.segregation_bounds`;
    ``bounds`` says whether the range is ``exact``, ``monotone`` (exact) or a proven
    ``bound``, ``none`` when nothing is censored);
``programmes``
    the share of women per programme and region-year (for "top programmes").

Every cell lands in exactly one region per level or is counted in ``exclusions``
with its reason (a municipality missing from the mapping, or overlapping no region).

Shares are women / (women + men): enrolments of unknown sex (DUO's ``onbekend``, a
few a year) are counted separately and left out of shares and indices.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from segspatial.monitor.censored import (
    DEFAULT_EXACT_LIMIT,
    POINT_RULES,
    point_counts,
    segregation_bounds,
    share_bounds,
)
from segspatial.monitor.reader import GROUPS, Enrolments
from segspatial.monitor.regions import RegionMapping, level_name

__all__ = [
    "ADVICE_TARGETS",
    "DEFAULT_TARGET",
    "EXCLUSION_COLUMNS",
    "MONITOR_INDICES",
    "REPRESENTATION_COLUMNS",
    "SEGREGATION_COLUMNS",
    "MonitorResult",
    "Selection",
    "compute_monitor",
]

#: The Techniekpact advice's target share of women for hbo techniek.
DEFAULT_TARGET = 0.20
#: The advice's targets for the share of girls and women in technical education, by
#: education level (now: vmbo 5%, mbo 8%, hbo 12%); usable by name as ``targets``.
ADVICE_TARGETS = {"vmbo": 0.10, "mbo": 0.15, "hbo": 0.20}
#: Indices of the segregation table (the engine's names).
MONITOR_INDICES = ("dissimilarity", "dissimilarity_expected", "dissimilarity_standardised",
                   "theil_h")
NATIONAL_CODE = "NL"
#: The order of levels in the tables: the nation first, municipalities last.
_ORDER = ("national", "labour_market_region", "province", "municipality")

#: Columns of the representation table, in order.
REPRESENTATION_COLUMNS = [
    "level", "area", "area_name", "year",
    "women", "men", "unknown",                      # point counts (the point rule)
    "women_low", "women_high", "men_low", "men_high", "unknown_low", "unknown_high",
    "n_censored",                                   # censored cells in the selection
    "share", "share_low", "share_high", "share_uncensored",
    "target", "gap", "gap_low", "gap_high",
    "change", "trend", "target_year", "target_status", "reason",
]
#: Columns of the segregation table: the engine's results plus level, name and ranges.
SEGREGATION_COLUMNS = [
    "level", "area", "area_name", "year", "group_a", "group_b", "index", "value", "low",
    "high", "bounds", "n_censored", "n_units", "n_pupils", "n_a", "n_b", "reason",
]

#: Columns of the monitor's exclusions table.
EXCLUSION_COLUMNS = ["reason", "level", "area", "year", "cells", "units", "low", "high",
                     "description"]
_ENGINE_REASONS = {
    "not_in_comparison": "enrolments of unknown sex: in neither group (women, men)",
    "small_unit": "programme below the minimum enrolments (min_unit_size)",
    "small_area": "region below the minimum mean enrolments a year (min_area_size)",
    "too_few_units": "region-year with fewer than 2 programmes: indices undefined",
    "group_absent": "region-year without women or without men: indices undefined",
}
_EXCLUSION_REASONS = {
    "municipality_not_in_mapping": "cells whose municipality is not in the region mapping",
    "no_region": "cells whose municipality overlaps no region of the level",
}


@dataclass(frozen=True)
class Selection:
    """Which programmes count as "technical" (criteria combine with AND).

    Parameters
    ----------
    sector : str or None, default "techniek"
        DUO's sector (``ONDERDEEL``); broader than the Techniekpact advice's
        definition, hence the other options. None: any sector.
    programmes : sequence of str, optional
        Programme codes (``OPLEIDINGSCODE ACTUEEL``); with codes and no ``sector``
        given, the sector is not used (``Selection(programmes=[...])``).
    name : str, optional
        A case-insensitive regular expression matched against the programme name.
    types : sequence of str, optional
        Levels of higher education (``bachelor``, ``master``, ``associate degree``).
    label : str, optional
        How pages call the selection (default: built from the criteria).
    """

    sector: str | None = "techniek"
    programmes: Sequence[str] | None = None
    name: str | None = None
    types: Sequence[str] | None = None
    label: str | None = None

    @classmethod
    def of(cls, *, sector: str | None = None, programmes: Sequence[Any] | None = None,
           name: str | None = None, types: Sequence[str] | None = None,
           label: str | None = None) -> Selection:
        """A selection where only the given criteria apply (default sector if none)."""
        if sector is None and programmes is None and name is None and types is None:
            sector = "techniek"
        codes = None if programmes is None else tuple(str(p).strip() for p in programmes)
        return cls(sector=sector, programmes=codes, name=name,
                   types=None if types is None else tuple(types), label=label)

    def describe(self) -> str:
        """The criteria in words (also the default label)."""
        if self.label:
            return self.label
        parts = []
        if self.sector is not None:
            parts.append(f"sector {self.sector}")
        if self.programmes is not None:
            parts.append(f"{len(self.programmes)} programme codes")
        if self.name is not None:
            parts.append(f"name matching {self.name!r}")
        if self.types is not None:
            parts.append(", ".join(self.types))
        return "; ".join(parts) or "all programmes"

    def mask(self, cells: pd.DataFrame) -> np.ndarray:
        """Which cells are selected; unknown sectors, codes or types are an error."""
        keep = np.ones(len(cells), dtype=bool)
        if self.sector is not None:
            sectors = cells["sector"].dropna().unique()
            if cells["sector"].isna().all():
                raise ValueError("selection by sector needs a sector column (ONDERDEEL) in the "
                                 "file; select by programme codes or name instead")
            if self.sector not in set(sectors):
                raise ValueError(f"sector {self.sector!r} is not in the file; its sectors are "
                                 f"{sorted(map(str, sectors))!r}")
            keep &= (cells["sector"] == self.sector).to_numpy()
        if self.programmes is not None:
            codes = {str(c).strip() for c in self.programmes}
            if not codes:
                raise ValueError("programmes: give at least one programme code")
            unknown = sorted(codes - set(cells["programme"]))
            if unknown:
                raise ValueError(f"programmes: {len(unknown)} code(s) not in the file: "
                                 f"{unknown[:10]!r}")
            keep &= cells["programme"].isin(codes).to_numpy()
        if self.name is not None:
            if not self.name.strip():
                raise ValueError(f"name: {self.name!r} is empty and would match every "
                                 "programme; give a pattern, or no name to select by "
                                 "sector")
            try:
                pattern = re.compile(self.name, re.IGNORECASE)
            except re.error as exc:
                raise ValueError(f"name: {self.name!r} is not a valid regular expression "
                                 f"({exc})") from None
            names = cells["programme_name"].fillna("")
            keep &= names.map(lambda v: bool(pattern.search(v))).to_numpy(dtype=bool)
        if self.types is not None:
            if cells["type"].isna().all():
                raise ValueError("selection by type needs a type column (TYPE HOGER ONDERWIJS) "
                                 "in the file; select by sector, programme codes or name "
                                 "instead")
            present = set(cells["type"].dropna())
            unknown = sorted(set(self.types) - present)
            if unknown:
                raise ValueError(f"types: {unknown!r} not in the file; it has "
                                 f"{sorted(present)!r}")
            keep &= cells["type"].isin(list(self.types)).to_numpy()
        if not keep.any():
            raise ValueError(f"the selection ({self.describe()}) matches no enrolment")
        return keep


@dataclass(frozen=True)
class MonitorResult:
    """What :func:`compute_monitor` returns (all tables tidy, never rounded).

    Attributes
    ----------
    representation : pandas.DataFrame
        :data:`REPRESENTATION_COLUMNS`, one row per level, area and year.
    segregation : pandas.DataFrame
        :data:`SEGREGATION_COLUMNS`, one row per level, area, year and index.
    programmes : pandas.DataFrame
        Per level, area, year and programme of the selection: ``unit``,
        ``unit_name``, women/men point and bounds, ``share``, ``share_low``,
        ``share_high``.
    exclusions : pandas.DataFrame
        Everything left out, :data:`EXCLUSION_COLUMNS`: the reader's bad cells
        (``level`` None), cells whose municipality has no region at a level
        (``municipality_not_in_mapping``, ``no_region``; ``area`` = the municipality)
        and the engine's (``not_in_comparison`` = unknown sex, ``small_unit``,
        ``too_few_units``, ``group_absent``; ``area`` = the region), with the cells,
        units and people (``low``-``high``) concerned.
    mapping : RegionMapping or None
    parameters : dict
        The settings of the run.
    source : dict
        The input file's provenance (see :attr:`Enrolments.source`).
    """

    representation: pd.DataFrame
    segregation: pd.DataFrame
    programmes: pd.DataFrame
    exclusions: pd.DataFrame
    mapping: RegionMapping | None = None
    parameters: dict[str, Any] = field(default_factory=dict)
    source: dict[str, Any] = field(default_factory=dict)

    @property
    def levels(self) -> list[str]:
        return list(dict.fromkeys(self.representation["level"]))

    @property
    def years(self) -> list[int]:
        return sorted(int(y) for y in self.representation["year"].unique())


# --------------------------------------------------------------------------- options


def _targets(targets: float | str | Mapping[str, float | str],
             levels: Iterable[str]) -> dict[str, float]:
    def check(value: Any, what: str) -> float:
        if isinstance(value, str):
            key = value.strip().lower()
            if key not in ADVICE_TARGETS:
                named = ", ".join(f"{k} = {v:.0%}" for k, v in ADVICE_TARGETS.items())
                raise ValueError(f"{what} {value!r} is not one of the advice's targets "
                                 f"({named}); give a share between 0 and 1 or one of these "
                                 "names")
            return ADVICE_TARGETS[key]
        if isinstance(value, bool) or not isinstance(value, int | float | np.number):
            raise TypeError(f"{what} must be a share between 0 and 1, got {value!r}")
        if not 0 < float(value) < 1:
            raise ValueError(f"{what} must be a share between 0 and 1 (0.20 = 20%), got "
                             f"{value!r}")
        return float(value)

    if isinstance(targets, Mapping):
        given = {level_name(k): check(v, f"targets[{k!r}]") for k, v in targets.items()}
        unknown = sorted(set(given) - set(levels))
        if unknown:
            raise ValueError(f"targets: no level {unknown!r} in this monitor; levels are "
                             f"{list(levels)!r}")
        return {lv: given.get(lv, DEFAULT_TARGET) for lv in levels}
    value = check(targets, "target")
    return dict.fromkeys(levels, value)


# --------------------------------------------------------------------------- regions


def _place(cells: pd.DataFrame, mapping: RegionMapping | None,
           levels: Sequence[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cells × levels with ``level``, ``area`` (region code), ``area_name``; exclusions."""
    muni_names = _most_frequent(cells, "area", "area_name")
    parts, left_out = [], []
    for level in levels:
        frame = cells.rename(columns={"area": "municipality", "area_name": "municipality_name"})
        if level == "national":
            code = pd.Series(NATIONAL_CODE, index=frame.index, dtype=object)
            name = pd.Series("Nederland", index=frame.index, dtype=object)
        elif level == "municipality":
            code = frame["municipality"].astype(object)
            name = code.map(muni_names).astype(object).fillna(code)
        else:
            if mapping is None:
                raise ValueError(f"level {level!r} needs a region mapping (region_mapping or "
                                 "read_mapping)")
            lookup = mapping.lookup(level)
            code = frame["municipality"].map(lookup["region"]).astype(object)
            name = frame["municipality"].map(lookup["region_name"]).astype(object)
            unmapped = ~frame["municipality"].isin(lookup.index).to_numpy()
            miss = code.isna().to_numpy() & ~unmapped
            for reason, mask in (("municipality_not_in_mapping", unmapped),
                                 ("no_region", miss)):
                if mask.any():
                    out = frame[mask].groupby(["municipality", "year"], as_index=False).agg(
                        cells=("low", "size"), low=("low", "sum"), high=("high", "sum"))
                    out = out.rename(columns={"municipality": "area"})
                    out.insert(0, "level", level)
                    out.insert(0, "reason", reason)
                    out["units"] = 0
                    out["description"] = _EXCLUSION_REASONS[reason]
                    left_out.append(out[EXCLUSION_COLUMNS])
            keep = ~(unmapped | miss)
            frame, code, name = frame[keep], code[keep], name[keep]
        frame = frame.assign(level=level, area=code.to_numpy(), area_name=name.to_numpy())
        parts.append(frame)
    placed = pd.concat(parts, ignore_index=True)
    exclusions = (pd.concat(left_out, ignore_index=True) if left_out
                  else pd.DataFrame({c: pd.Series(dtype=object) for c in EXCLUSION_COLUMNS}))
    return placed, exclusions


def _most_frequent(frame: pd.DataFrame, key: str, name: str) -> pd.Series:
    from segspatial.monitor.reader import _names

    return _names(frame, key, name)


# --------------------------------------------------------------------------- sums


def _by_sex(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Sum low/high/point/known/censored per keys and sex, one column per sex."""
    sums = frame.groupby([*keys, "sex"], sort=True, observed=True)[
        ["low", "high", "point", "known", "n_censored"]].sum().unstack("sex", fill_value=0)
    out = pd.DataFrame(index=sums.index)
    for g in GROUPS:
        for part, suffix in (("point", ""), ("low", "_low"), ("high", "_high"),
                             ("known", "_known"), ("n_censored", "_censored")):
            out[f"{g}{suffix}"] = (sums[(part, g)].astype(np.int64)
                                   if (part, g) in sums.columns else np.int64(0))
    return out.reset_index()


def _needed(women: np.ndarray, men: np.ndarray, target: np.ndarray) -> np.ndarray:
    """More women needed, men unchanged: smallest W* with W*/(W* + M) >= target, minus W."""
    w_star = np.ceil(target * men / (1.0 - target) - 1e-9)
    return np.maximum(0.0, w_star - women)


def _pace(rep: pd.DataFrame, pace_years: int | None) -> pd.DataFrame:
    """Yearly change, OLS trend over the years so far (or the last ``pace_years``) and
    the year the target is reached at that pace."""
    order = {lv: i for i, lv in enumerate(dict.fromkeys(rep["level"]))}
    rep = rep.assign(_order=rep["level"].map(order)).sort_values(
        ["_order", "area", "year"], kind="stable").drop(columns="_order").reset_index(drop=True)
    key = [rep["level"], rep["area"]]
    years = rep["year"].to_numpy(dtype=np.int64)
    # the change on the year before: only where the area has a row for that year
    previous = rep.groupby(key)["year"].shift(1).to_numpy(dtype=float)
    rep["change"] = rep.groupby(key)["share"].diff().where(previous == years - 1)
    ok = np.isfinite(rep["share"].to_numpy())
    # least squares over calendar years (centred on the first year, for precision):
    # all years so far, or the last ``pace_years`` calendar years
    x = np.where(ok, (years - years.min()).astype(np.float64), 0.0)
    y = np.where(ok, rep["share"].to_numpy(), 0.0)
    parts = pd.DataFrame({"n": ok.astype(float), "x": x, "y": y, "xx": x * x, "xy": x * y})
    sums = parts.groupby(key).cumsum()
    if pace_years is not None:
        # minus the sums up to the last year before the window (year - pace_years): the
        # rows are sorted by area, then year, so (area, year) keys ascend
        group = rep.groupby(key, sort=False).ngroup().to_numpy(dtype=np.int64)
        span = int(years.max() - years.min()) + pace_years + 1
        keys = group * span + (years - years.min())
        j = np.searchsorted(keys, keys - pace_years, side="right") - 1
        inside = (j >= 0) & (group[np.maximum(j, 0)] == group)
        total = sums.to_numpy()
        sums = pd.DataFrame(total - np.where(inside[:, None], total[np.maximum(j, 0)], 0.0),
                            columns=sums.columns, index=sums.index)
    with np.errstate(divide="ignore", invalid="ignore"):
        denom = sums["n"] * sums["xx"] - sums["x"] ** 2
        slope = (sums["n"] * sums["xy"] - sums["x"] * sums["y"]) / denom
    slope = np.where((sums["n"] >= 2) & (denom > 0) & ok, slope, np.nan)
    rep["trend"] = slope
    share, target = rep["share"].to_numpy(), rep["target"].to_numpy()
    status = np.full(len(rep), "unknown", dtype=object)
    year = np.full(len(rep), np.nan)
    reached = ok & (share >= target)
    status[reached] = "reached"
    rising = ok & ~reached & (slope > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        steps = np.ceil((target - share) / slope - 1e-12)
    year[rising] = rep["year"].to_numpy()[rising] + steps[rising]
    status[rising] = "on_pace"
    status[ok & ~reached & np.isfinite(slope) & (slope <= 0)] = "not_at_this_pace"
    rep["target_year"] = pd.array(np.where(np.isfinite(year), year, np.nan), dtype="Int64")
    rep["target_status"] = status
    return rep


def _representation(placed: pd.DataFrame, targets: dict[str, float],
                    pace_years: int | None) -> pd.DataFrame:
    keys = ["level", "area", "year"]
    order = {lv: i for i, lv in enumerate(dict.fromkeys(placed["level"]))}
    rep = _by_sex(placed, keys)
    rep = rep.iloc[np.argsort(rep["level"].map(order).to_numpy(), kind="stable")]
    names = placed.drop_duplicates(["level", "area"]).set_index(["level", "area"])["area_name"]
    rep.insert(2, "area_name", pd.MultiIndex.from_frame(rep[["level", "area"]]).map(names))
    rep["n_censored"] = sum(rep[f"{g}_censored"] for g in GROUPS)
    w, m = rep["women"].to_numpy(float), rep["men"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        rep["share"] = w / (w + m)
        wk, mk = rep["women_known"].to_numpy(float), rep["men_known"].to_numpy(float)
        rep["share_uncensored"] = wk / (wk + mk)
    rep["share_low"], rep["share_high"] = share_bounds(rep["women_low"], rep["women_high"],
                                                       rep["men_low"], rep["men_high"])
    target = rep["level"].map(targets).to_numpy(dtype=float)
    rep["target"] = target
    rep["gap"] = _needed(w, m, target)
    rep["gap_low"] = _needed(rep["women_high"].to_numpy(float),
                             rep["men_low"].to_numpy(float), target)
    rep["gap_high"] = _needed(rep["women_low"].to_numpy(float),
                              rep["men_high"].to_numpy(float), target)
    rep["reason"] = np.where(w + m > 0, None, "no women or men in the selection")
    rep = _pace(rep, pace_years)
    return rep[REPRESENTATION_COLUMNS]


def _unit_column(frame: pd.DataFrame, unit: str) -> pd.Series:
    if unit == "programme":
        return frame["programme"]
    if frame["institution"].isna().any():
        raise ValueError("unit='programme_institution' needs an institution code in every "
                         "record (INSTELLINGSCODE ACTUEEL)")
    return frame["programme"] + "@" + frame["institution"]


def _programmes(placed: pd.DataFrame) -> pd.DataFrame:
    keys = ["level", "area", "year", "unit"]
    prog = _by_sex(placed, keys)
    names = _most_frequent(placed, "unit", "programme_name")
    prog.insert(4, "unit_name", prog["unit"].map(names).astype(object))
    w, m = prog["women"].to_numpy(float), prog["men"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        prog["share"] = w / (w + m)
    prog["share_low"], prog["share_high"] = share_bounds(prog["women_low"], prog["women_high"],
                                                         prog["men_low"], prog["men_high"])
    drop = [c for c in prog.columns if c.endswith("_known")]
    return prog.drop(columns=drop)


def _segregation(placed: pd.DataFrame, *, min_unit_size: float, min_area_size: float,
                 exact_limit: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    from segspatial.compute import segregation

    tables, exclusions = [], []
    for level, frame in placed.groupby("level", sort=False):
        units = _by_sex(frame, ["area", "year", "unit"])
        units["total"] = units["women"] + units["men"] + units["unknown"]
        # a programme is offered in many regions: the engine's unit is the programme
        # within its region (a unit belongs to one area per year)
        units["unit_in_area"] = units["area"].astype(str) + "|" + units["unit"].astype(str)
        result = segregation(units, "unit_in_area", "women", "men", area="area", year="year",
                             total="total", indices=list(MONITOR_INDICES),
                             min_unit_size=min_unit_size, min_area_size=min_area_size)
        table = result.table
        kept = result.counts[["area", "year", "unit"]].rename(
            columns={"unit": "unit_in_area"}).merge(
            units, on=["area", "year", "unit_in_area"], how="left")
        ay = kept.groupby(["area", "year"], sort=True).ngroup().to_numpy()
        keys = kept[["area", "year"]].drop_duplicates().sort_values(["area", "year"])
        bounds = segregation_bounds(kept["women_low"], kept["women_high"], kept["men_low"],
                                    kept["men_high"], group=ay, exact_limit=exact_limit)
        bounds = pd.concat([keys.reset_index(drop=True), bounds], axis=1)
        bounds["n_censored"] = kept.groupby(ay)[["women_censored", "men_censored"]].sum() \
            .sum(axis=1).to_numpy()
        long = []
        for index in MONITOR_INDICES:
            part = bounds[["area", "year", "n_censored"]].copy()
            part["index"] = index
            part["low"] = bounds[f"{index}_low"]
            part["high"] = bounds[f"{index}_high"]
            part["bounds"] = bounds[f"{index}_method"]
            long.append(part)
        table = table.merge(pd.concat(long), on=["area", "year", "index"], how="left")
        defined = table["value"].notna()
        # with nothing censored the range is the engine's own value
        same = defined & (table["bounds"] == "none")
        table.loc[same, "low"] = table.loc[same, "value"]
        table.loc[same, "high"] = table.loc[same, "value"]
        table.loc[~defined, ["low", "high"]] = np.nan
        table["n_censored"] = table.groupby(["area", "year"])["n_censored"].transform("max")
        table.insert(0, "level", level)
        names = frame.drop_duplicates("area").set_index("area")["area_name"]
        table.insert(2, "area_name", table["area"].map(names).astype(object))
        tables.append(table)
        ex = result.exclusions
        if not ex.empty:
            ex = pd.DataFrame({
                "reason": ex["reason"], "level": level, "area": ex["area"],
                "year": ex["year"], "cells": np.nan, "units": ex["n_units"],
                "low": ex["n_pupils"], "high": ex["n_pupils"],
                "description": ex["reason"].map(_ENGINE_REASONS).fillna(ex["description"])})
            exclusions.append(ex)
    table = pd.concat(tables, ignore_index=True)
    table["n_censored"] = table["n_censored"].fillna(0).astype(np.int64)
    ex = pd.concat(exclusions, ignore_index=True) if exclusions else pd.DataFrame()
    return table[SEGREGATION_COLUMNS], ex


# --------------------------------------------------------------------------- the monitor


def compute_monitor(
    enrolments: Enrolments,
    mapping: RegionMapping | None = None,
    *,
    selection: Selection | None = None,
    levels: Sequence[str] | None = None,
    targets: float | str | Mapping[str, float | str] = DEFAULT_TARGET,
    point: str = "midpoint",
    unit: str = "programme",
    segregation_scope: str = "all",
    min_unit_size: float = 0,
    min_area_size: float = 0,
    exact_limit: int = DEFAULT_EXACT_LIMIT,
    pace_years: int | None = None,
) -> MonitorResult:
    """Representation of women and gender segregation per region and year.

    Parameters
    ----------
    enrolments : Enrolments
        From :func:`~segspatial.monitor.reader.read_enrolments`.
    mapping : RegionMapping, optional
        Municipality -> region per level (:func:`~segspatial.monitor.regions.
        region_mapping` or :func:`~segspatial.monitor.regions.read_mapping`). Without
        it only the national and municipality levels are computed.
    selection : Selection, optional
        The programmes whose share of women is monitored (default: sector
        ``techniek``).
    levels : sequence of str, optional
        Levels to compute (default: national, municipality and every level of the
        mapping). Dutch names are accepted (``arbeidsmarktregio``, ``provincie``).
    targets : float, str or mapping
        The target share of women: one for every level, or level -> share (levels not
        named get :data:`DEFAULT_TARGET`, 20%, the advice's target for hbo techniek).
        A share may be given by the advice's name for it (:data:`ADVICE_TARGETS`:
        ``"vmbo"`` 10%, ``"mbo"`` 15%, ``"hbo"`` 20%).
    point : str
        The point rule for censored cells (:data:`~segspatial.monitor.censored.
        POINT_RULES`; default ``midpoint``: ``"<5"`` counts as 2). Bounds always
        cover every feasible count; ``share_uncensored`` leaves censored cells out
        (DUO's own totals).
    unit : {"programme", "programme_institution"}
        The unit of the segregation indices and the programme table.
    segregation_scope : {"all", "selection"}
        Programmes over which D and H are computed: all (the gender segregation of
        study choice) or only the selection.
    min_unit_size, min_area_size : float
        The engine's filters (0 disables; the default for programmes): units with
        fewer enrolments, area-years with fewer mean enrolments a year, are left out
        and counted. Decided on the point counts.
    exact_limit : int
        Area-years with at most this many feasible fills get the exact range of D
        and H (see :mod:`segspatial.monitor.censored`).
    pace_years : int, optional
        The trend ("current pace") is the least-squares slope of the share over the
        last ``pace_years`` calendar years up to each year (default: all years so far).

    Returns
    -------
    MonitorResult

    Raises
    ------
    TypeError, ValueError
        For a bad option (the message names it and what is allowed), an unknown
        sector, code or type, or a level without mapping.
    """
    if not isinstance(enrolments, Enrolments):
        raise TypeError(f"enrolments must be an Enrolments (read_enrolments), got "
                        f"{type(enrolments).__name__}")
    if mapping is not None and not isinstance(mapping, RegionMapping):
        raise TypeError(f"mapping must be a RegionMapping, got {type(mapping).__name__}")
    if point not in POINT_RULES:
        raise ValueError(f"point must be one of {', '.join(POINT_RULES)}, got {point!r}")
    if unit not in ("programme", "programme_institution"):
        raise ValueError(f"unit must be 'programme' or 'programme_institution', got {unit!r}")
    if segregation_scope not in ("all", "selection"):
        raise ValueError(f"segregation_scope must be 'all' or 'selection', got "
                         f"{segregation_scope!r}")
    if pace_years is not None and (isinstance(pace_years, bool)
                                   or not isinstance(pace_years, int) or pace_years < 2):
        raise ValueError(f"pace_years must be a whole number >= 2 (or None), got "
                         f"{pace_years!r}")
    selection = selection if selection is not None else Selection()
    if levels is None:
        levels = ["national", "municipality", *(mapping.levels if mapping else [])]
    levels = sorted(dict.fromkeys(level_name(lv) for lv in levels),
                    key=lambda v: (_ORDER.index(v) if v in _ORDER else 3.5, v))
    target_of = _targets(targets, levels)

    cells = enrolments.cells
    selected = selection.mask(cells)
    cells = cells.assign(
        point=point_counts(cells["low"], cells["high"], cells["censored"], point),
        known=np.where(cells["censored"], 0, cells["low"]),
        n_censored=cells["censored"].astype(np.int64),
        selected=selected,
    )
    cells["unit"] = _unit_column(cells, unit)
    placed, exclusions = _place(cells, mapping, levels)
    chosen = placed[placed["selected"]]
    representation = _representation(chosen, target_of, pace_years)
    programmes = _programmes(chosen)
    scope = placed if segregation_scope == "all" else chosen
    segregation, engine_exclusions = _segregation(
        scope, min_unit_size=min_unit_size, min_area_size=min_area_size,
        exact_limit=exact_limit)
    reader = enrolments.exclusions
    parts = []
    if not reader.empty:
        r = reader.groupby(["reason", "year"], dropna=False, as_index=False).agg(
            cells=("reason", "size"), low=("low", "sum"), high=("high", "sum"),
            description=("description", "first"))
        parts.append(r.assign(level=None, area=None, units=np.nan)[EXCLUSION_COLUMNS])
    parts += [e for e in (exclusions, engine_exclusions) if not e.empty]
    all_exclusions = (pd.concat(parts, ignore_index=True) if parts
                      else pd.DataFrame({c: pd.Series(dtype=object)
                                         for c in EXCLUSION_COLUMNS}))
    parameters = {
        "selection": selection.describe(), "sector": selection.sector,
        "programmes": list(selection.programmes) if selection.programmes else None,
        "name": selection.name, "types": list(selection.types) if selection.types else None,
        "levels": levels, "targets": target_of, "point": point, "unit": unit,
        "segregation_scope": segregation_scope, "min_unit_size": min_unit_size,
        "min_area_size": min_area_size, "exact_limit": exact_limit, "pace_years": pace_years,
    }
    return MonitorResult(representation=representation, segregation=segregation,
                         programmes=programmes, exclusions=all_exclusions, mapping=mapping,
                         parameters=parameters, source=dict(enrolments.source))

