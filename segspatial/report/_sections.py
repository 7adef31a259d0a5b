"""The sections of a municipality page: the values each section's template shows.

Each ``_name`` function returns the context of ``templates/area/name.html`` (plain
values, escaped by the template, or :class:`markupsafe.Markup` from the catalogue's
texts and from charts rendered by a template). A new section is a function here, a
template in ``templates/area/`` and a line in :func:`area_page`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from markupsafe import Markup

from segspatial.report._charts import chart_key, has_values, iframe_document, svg_chart
from segspatial.report._context import _Ctx
from segspatial.report._data import REPORT_INDICES, ReportData
from segspatial.report._interpret import _strong, change_sentence, few_schools, lead_reading
from segspatial.report._lookup import Values
from segspatial.report._multigroup import (
    income_profile,
    multigroup_definitions,
    several_groups,
)


def _header(ctx: _Ctx, data: ReportData, code: str, name: str, years: list[Any],
            current: pd.DataFrame, year: Any) -> dict[str, Any]:
    # without a year column there is one period: no tile of years (it would tell the
    # reader about the input file, not the data)
    covered = ctx.years(True, years[0], years[-1]) if data.has_years else ""
    latest = ctx.t("latest_year", year=year) if data.has_years else ""
    total = float(current["total"].sum())
    shares = []  # one line per theme (a group of no theme: a line of its own)
    for theme, line in _share_lines(ctx, data, current):
        texts = [_share(ctx, code, column, current, total) for column in line]
        shares += (texts if theme is None else [ctx.t(
            "report_fix.theme_shares", theme=ctx.theme(theme), shares=Markup(", ").join(texts))])
    facts = [
        *([{"key": ctx.t("years_covered"), "value": covered, "cls": "", "extra": ""}]
          if covered else []),
        {"key": ctx.t("pupils"), "value": ctx.count(total), "cls": " pupils",
         "extra": latest},
        {"key": ctx.t("schools"), "value": ctx.plain_count(current["unit"].nunique()),
         "cls": "", "extra": latest},
    ]
    return {"name": name, "code": code, "facts": facts, "shares": shares}


def _share_lines(ctx: _Ctx, data: ReportData, current: pd.DataFrame
                 ) -> list[tuple[str | None, list[str]]]:
    """The header's group shares, one line per theme in the theme's natural order
    (Dutch, western, non-western; low, middle, high) with every group of the theme
    that the counts hold (under disclosure control only the audited groups of the
    comparisons); groups of no theme (a two-group comparison) on one line."""
    from segspatial._groups import GROUP_COLUMNS, THEMES

    groups = list(dict.fromkeys(c for pair in data.comparisons.values() for c in pair))
    lines: list[tuple[str | None, list[str]]] = []
    for theme in THEMES:
        if not set(GROUP_COLUMNS[theme]) & set(groups):
            continue
        line = [c for c in GROUP_COLUMNS[theme] if c in groups
                or (ctx.disclosure is None and c in current.columns)]
        lines.append((theme, line))
    rest = [c for _, line in lines for c in line]
    other = [c for c in groups if c not in rest]
    if other:
        lines.append((None, other))
    return lines


def _share(ctx: _Ctx, code: str, column: str, current: pd.DataFrame, total: float
           ) -> Markup:
    """One group's share of all pupils in the header (audited under disclosure)."""
    if ctx.disclosure is not None:  # the audited share, in whole percents
        share = ctx.shown(code, column)
        if share < 0:
            return ctx.t("count_of", count=ctx.count(0), group=ctx.group(column))
        if not math.isfinite(share):
            return ctx.t("group_not_shown", group=ctx.group(column))
        return ctx.t("share_of", group=ctx.group(column), share=ctx.pct(
            share, ctx.disclosure.policy.share_digits))
    count = float(current[column].sum())
    if ctx.hidden(count):
        return ctx.t("count_of", count=ctx.count(count), group=ctx.group(column))
    share = count / total if total > 0 else float("nan")
    return ctx.t("share_of", share=ctx.pct(share, 1), group=ctx.group(column))


def _summary(ctx: _Ctx, data: ReportData, values: Values, year: Any) -> dict[str, Any]:
    comp, (col_a, col_b) = next(iter(data.comparisons.items()))
    d, _ = values.get(comp, year, "dissimilarity")
    a, b = ctx.group(col_a), ctx.group(col_b)
    when = ctx.year_text(data.has_years, year)
    if not math.isfinite(d):
        return {"defined": False, "parts": [ctx.t(
            "lead_undefined", when=when, a=a, b=b, reason=ctx.undefined(
                *values.why(comp, year, "dissimilarity"), (col_a, col_b)))]}
    expected, _ = values.get(comp, year, "dissimilarity_expected")
    dstar, _ = values.get(comp, year, "dissimilarity_standardised")
    parts = [ctx.t("lead_sentence", when=when, a=a, b=b, value=ctx.num(d),
                   verdict=_strong(ctx.t("lead_verdict", band=ctx.band(d)["label"]))),
             ctx.t("lead_move", pct=ctx.pct(d), a=a)]
    if math.isfinite(expected) and math.isfinite(dstar):
        parts.append(ctx.t("lead_random", expected=ctx.num(expected), dstar=ctx.num(dstar)))
    return {"defined": True, "parts": parts}


def _intervals_on(data: ReportData) -> bool:
    return bool((data.parameters.get("inference") or {}).get("n_boot"))


def interval_notes(ctx: _Ctx, data: ReportData, shown: bool = True) -> list[Markup]:
    """What the brackets after the indices are (or that there are none).

    ``shown``: whether the table the notes belong to shows at least one interval.
    When none is shown, the notes say nothing about brackets: under disclosure control
    one sentence says the intervals were withheld and why; otherwise (no interval
    could be computed, e.g. every index undefined) there is no note."""
    settings = data.parameters.get("inference") or {}
    if not settings.get("n_boot"):
        return [ctx.t("report_fix.no_intervals")]
    if not shown:
        return ([ctx.t("inference.intervals_withheld_here", n=ctx.min_cell)]
                if ctx.disclosure is not None else [])
    kind = "cluster" if settings.get("cluster") else "individual"
    notes = [ctx.t("inference.latest_note", level=ctx.pct(settings["level"]),
                   n=ctx.plain_count(settings["n_boot"]),
                   kind=ctx.t(f"inference.kind_{kind}")), ctx.t("report_fix.outside_note")]
    if ctx.disclosure is not None:
        notes.append(ctx.t("inference.intervals_withheld", n=ctx.min_cell))
    return notes


def _latest_table(ctx: _Ctx, data: ReportData, values: Values, year: Any
                  ) -> dict[str, Any]:
    rows = []
    for comp, pair in data.comparisons.items():
        cells = []
        for index in REPORT_INDICES:
            value, reason = values.get(comp, year, index)
            cells.append({"value": ctx.num(value, 3),
                          "ci": (ctx.interval(*values.interval(comp, year, index), 3,
                                              value=value)
                                 if math.isfinite(value) else ""),
                          "title": (ctx.undefined(*values.why(comp, year, index), pair)
                                    if reason else ""),
                          "band": ctx.band(value) if index == "dissimilarity" else False})
        first = values.first(comp, year)
        n_units = ctx.plain_count(first["n_units"]) if first is not None else "–"
        pupils = (ctx.count(float(first["n_a"]) + float(first["n_b"]))
                  if first is not None else "–")
        if ctx.disclosure is not None and first is not None:  # audited, rounded
            both = ctx.shown(first["area"], f"two_groups:{comp}")
            pupils = ctx.count(both) if math.isfinite(both) else ctx.count(0)
        rows.append({"label": ctx.comparison(comp, pair, start=True), "cells": cells,
                     "n_units": n_units, "pupils": pupils})
    shown = any(cell["ci"] for row in rows for cell in row["cells"])
    return {"indices": [ctx.index(i) for i in REPORT_INDICES],
            "when": ctx.year_text(data.has_years, year), "rows": rows,
            "ci_notes": interval_notes(ctx, data, shown)}


def _trends(ctx: _Ctx, data: ReportData, values: Values, years: list[Any],
            changes: pd.DataFrame) -> dict[str, Any]:
    if not data.has_years or len(years) < 2:
        return {"charts": [], "note": ctx.t("trend_one_year"), "changes": []}
    labels = [str(y) for y in years]
    charts = []
    bars = False  # an error bar on any chart
    for comp, pair in data.comparisons.items():
        series = []
        for index, color, dash in (("dissimilarity", "#0b4f8a", False),
                                   ("dissimilarity_standardised", "#7b8794", True)):
            bounds = [values.interval(comp, y, index) for y in years]
            series.append({"values": [values.get(comp, y, index)[0] for y in years],
                           "low": [b[0] for b in bounds], "high": [b[1] for b in bounds],
                           "label": ctx.index(index), "color": color, "dash": dash})
        if has_values(series):  # no empty chart (a one-school municipality)
            # one key above the charts: every chart draws the same two lines
            charts.append(svg_chart(ctx, series, labels,
                                    title=ctx.comparison(comp, pair, start=True),
                                    key=False))
            key = chart_key(series)
            bars = bars or _has_bars(series)
    if not charts:
        return {"charts": [], "note": ctx.t("trend_no_values"), "changes": []}
    note = _bars_note(ctx, data, ctx.t("trend_note"), bars)
    return {"charts": charts, "note": note, "key": key,
            **_change_sentences(ctx, data, changes)}


def _change_sentences(ctx: _Ctx, data: ReportData, changes: pd.DataFrame
                      ) -> dict[str, Any]:
    """Rising, falling or no clear change of D per comparison, first to latest year."""
    if changes.empty:
        return {"changes": []}
    digits = 3 if ctx.disclosure is None else ctx.disclosure.policy.digits
    by_key = {(r["comparison"], r["index"]): r for r in changes.to_dict("records")}
    sentences = []
    for comp, pair in data.comparisons.items():
        row = by_key.get((comp, "dissimilarity"))
        if row is not None:
            sentences.append(change_sentence(ctx, row, index=ctx.index("dissimilarity"),
                                             comparison=ctx.comparison(comp, pair),
                                             digits=digits))
    level = data.parameters["inference"]["level"]
    return {"changes": sentences,
            "change_rule": ctx.t("inference.change_rule", level=ctx.pct(level))}


def _maps(ctx: _Ctx, data: ReportData, code: str, current: pd.DataFrame, year: Any,
          outline: Any = None) -> dict[str, Any]:
    from segspatial._mapdata import (
        SUPPRESSED_COLOR,
        local_measure_columns,
        school_frame,
        suppressed_schools,
    )
    from segspatial.plot import school_map
    from segspatial.report._canvas import MapCanvas
    from segspatial.webmap import school_webmap

    comp, (col_a, col_b) = next(iter(data.comparisons.items()))
    if ctx.disclosure is None:
        town = current[(current[col_a] + current[col_b]) > 0]
    else:  # what a map publishes is decided on every school (drawn or not)
        town = current
    if town.empty or (ctx.disclosure is not None and not (
            town["x"].notna() & town["y"].notna()).any()):
        return {"empty": True}
    if outline is None:  # the area's rows of the boundaries
        outline = data.boundaries[data.boundaries["code"] == code]
    outline = outline if len(outline) else None
    disclosed = {}
    if ctx.disclosure is not None:  # the bands and the share the audit certified
        from segspatial.disclosure import school_publication

        shown = school_publication(town[col_a], town[col_b], town["total"],
                                   ctx.disclosure.policy, area=town["area"].to_numpy())
        shown["centre"] = ctx.shown(code, f"share_a:{comp}")
        disclosed = {"published": shown}
    # one frame of the schools for both maps (what is published, decided once)
    frame = school_frame(town, "unit", col_a, col_b, x="x", y="y", name="name",
                         area="area", total="total", min_cell=ctx.min_cell,
                         extra=local_measure_columns(town, None), **disclosed)
    canvas = ctx.canvas if ctx.canvas is not None else MapCanvas()
    ax = canvas.axes()
    school_map(town, "unit", col_a, col_b, x="x", y="y", crs=data.parameters["crs"],
               area="area", total="total", boundaries=outline, legend=False,
               min_cell=ctx.min_cell, lang=ctx.lang, label_a=ctx.group(col_a),
               ax=ax, frame=frame, **disclosed)
    image = canvas.png()
    if ctx.disclosure is None:
        a_total, b_total = float(town[col_a].sum()), float(town[col_b].sum())
        centre = a_total / (a_total + b_total)
        grey = suppressed_schools(town[col_a], town[col_b], ctx.min_cell).any()
    else:
        centre, grey = float(shown["centre"].iloc[0]), bool(shown["suppressed"].any())
    a = ctx.group(col_a)
    m = school_webmap(town, "unit", col_a, col_b, x="x", y="y", crs=data.parameters["crs"],
                      name="name", total="total", boundaries=outline, boundary_name="name",
                      group_labels={col_a: ctx.group(col_a), col_b: ctx.group(col_b)},
                      offline=ctx.offline, min_cell=ctx.min_cell, height="100%", lang=ctx.lang,
                      frame=frame, **disclosed)
    return {
        "empty": False, "image": image, "document": iframe_document(m),
        "fewer": ctx.t("map_fewer", a=a), "more": ctx.t("map_more", a=a),
        "centre": ctx.pct(centre), "suppressed_color": SUPPRESSED_COLOR,
        "suppressed": ctx.t("map_suppressed", n=ctx.min_cell) if grey else "",
        "note": ctx.t("report_fix.map_note", a=a, centre=ctx.pct(centre),
                      comparison=ctx.comparison(comp, (col_a, col_b)),
                      when=ctx.year_text(data.has_years, year)),
    }


def districts_text(ctx: _Ctx, data: ReportData) -> Markup:
    """What the districts of the between/within split are, in words."""
    info = data.parameters["districts"]
    if info["kind"] == "grid":
        return ctx.t("districts_grid", size=ctx.plain_count(info["size"]))
    return ctx.t("districts_file" if info["kind"] == "file" else "wording.districts_frame")


def _spatial(ctx: _Ctx, data: ReportData, values: Values, spatial: Values,
             profile: pd.DataFrame, n_schools: int, year: Any) -> dict[str, Any]:
    bandwidths = data.parameters["bandwidths"]
    rows = []
    lead_numbers = None
    for comp, pair in data.comparisons.items():
        cells = {}
        bounds = {}
        for aspatial_name, spatial_name in (("dissimilarity", "spatial_dissimilarity"),
                                            ("theil_h", "spatial_theil_h")):
            base, _ = values.get(comp, year, aspatial_name)
            cells[aspatial_name] = (base, [spatial.get(comp, spatial_name, b)[0]
                                           for b in bandwidths])
            bounds[aspatial_name] = (values.interval(comp, year, aspatial_name),
                                     [spatial.interval(comp, spatial_name, b)
                                      for b in bandwidths])
        between, _ = spatial.get(comp, "theil_h_between")
        within, _ = spatial.get(comp, "theil_h_within")
        moran_bw = spatial.smallest("bandwidth", comp, "morans_i")
        if moran_bw is not None:
            moran, _ = spatial.get(comp, "morans_i", moran_bw)
            moran_p, _ = spatial.get(comp, "morans_i_p", moran_bw)
        else:
            moran_bw, moran, moran_p = float("nan"), float("nan"), float("nan")
        share = between / (between + within) if between + within > 0 else float("nan")
        # no-break spaces: "p = 0.003" stays on one line in a narrow (printed) column
        moran_text = (f"{ctx.num(moran, 2)} (p\u00a0=\u00a0{ctx.num(moran_p, 3)}, "
                      f"{ctx.distance(moran_bw)})" if math.isfinite(moran) else "–")
        rows.append({"label": ctx.comparison(comp, pair, start=True), "share": ctx.pct(share),
                     "moran": moran_text, "lines": [
                         {"index": ctx.index(index), "base": ctx.num(base, 3),
                          "base_ci": _ci(ctx, base, bounds[index][0]),
                          "cells": [{"value": ctx.num(v, 3), "ci": _ci(ctx, v, b)}
                                    for v, b in zip(vals, bounds[index][1], strict=True)]}
                         for index, (base, vals) in cells.items()]})
        if lead_numbers is None:
            lead_numbers = dict(comp=comp, pair=pair, h=cells["theil_h"][0],
                                spatial_h=dict(zip(bandwidths, cells["theil_h"][1],
                                                   strict=True)),
                                between=between, within=within, moran=moran,
                                moran_p=moran_p, moran_bw=moran_bw)
    # profile of the lead comparison
    comp, pair = lead_numbers["comp"], lead_numbers["pair"]
    lead_rows = profile[profile["comparison"] == comp]
    steps = sorted(lead_rows["bandwidth"].dropna().unique())
    at = _profile_points(lead_rows)
    series = []
    for index, aspatial, color, dash in (
            ("spatial_dissimilarity", "dissimilarity", "#0b4f8a", False),
            ("spatial_theil_h", "theil_h", "#c05621", True)):
        # bandwidth 0 is the aspatial index: the value and interval of its table row,
        # so the chart and the tables give one answer (the profile's own bootstrap
        # draws other replicates)
        zero = (values.get(comp, year, aspatial)[0], *values.interval(comp, year, aspatial))
        points = [zero if b == 0 else at.get((index, b), (np.nan, np.nan, np.nan))
                  for b in steps]
        series.append({"values": [p[0] for p in points], "low": [p[1] for p in points],
                       "high": [p[2] for p in points],
                       "label": ctx.index(index), "color": color, "dash": dash})
    finite = [v for s in series for v in s["values"] if math.isfinite(v)]
    ymax = 0.8 if not finite or max(finite) <= 0.8 else 1.0
    chart = (svg_chart(ctx, series, [ctx.distance(b) for b in steps],
                       title=ctx.comparison(comp, pair, start=True), width=520, height=230,
                       ymax=ymax)
             if finite else None)  # no empty chart
    sentences = lead_reading(ctx, values, spatial, lead_numbers, bandwidths, year,
                             n_schools=n_schools, districts=districts_text(ctx, data))
    return {
        "note": ctx.t("spatial_note", kernel=ctx.kernel(data.parameters["kernel"])),
        "bandwidths": [ctx.distance(b) for b in bandwidths], "rows": rows,
        "lead": ctx.t("interp_for", comparison=ctx.comparison(comp, pair),
                      when=ctx.year_text(data.has_years, year)),
        "sentences": sentences, "chart": chart,
        "chart_note": _bars_note(ctx, data, ctx.t(
            "profile_note", comparison=ctx.comparison(comp, pair)),
            chart is not None and _has_bars(series)),
        "ci_notes": interval_notes(ctx, data, any(
            line["base_ci"] or any(cell["ci"] for cell in line["cells"])
            for row in rows for line in row["lines"])),
    }


def _profile_points(rows: pd.DataFrame) -> dict[tuple[Any, float], tuple[float, ...]]:
    """``(index, bandwidth)`` -> ``(value, ci_low, ci_high)`` of profile rows (the
    first row of each; NaN bounds where the frame has none), from one pass."""
    columns = [rows[c].to_numpy(dtype=np.float64) if c in rows.columns
               else np.full(len(rows), np.nan) for c in ("value", "ci_low", "ci_high")]
    found: dict[tuple[Any, float], tuple[float, ...]] = {}
    for i, key in enumerate(zip(rows["index"].tolist(), rows["bandwidth"].tolist(),
                                strict=True)):
        found.setdefault(key, (columns[0][i], columns[1][i], columns[2][i]))
    return found


def _has_bars(series: list[dict[str, Any]]) -> bool:
    """True when a chart of ``series`` draws at least one error bar (both bounds and
    the value finite, as :func:`svg_chart` draws them)."""
    return any(math.isfinite(v) and math.isfinite(lo) and math.isfinite(hi)
               for s in series
               for v, lo, hi in zip(s["values"], s["low"], s["high"], strict=True))


def _bars_note(ctx: _Ctx, data: ReportData, note: Markup, bars: bool) -> Markup:
    """A chart's caption: ``note``, and what its vertical bars are when it has any
    (or, under disclosure control with intervals asked for, that they were withheld)."""
    if not _intervals_on(data):
        return note
    if bars:
        extra = ctx.t("inference.bars", level=ctx.pct(data.parameters["inference"]["level"]))
    elif ctx.disclosure is not None:
        extra = ctx.t("inference.bars_withheld", n=ctx.min_cell)
    else:
        return note
    return Markup(" ").join([note, extra])


def _ci(ctx: _Ctx, value: float, bounds: tuple[float, float]) -> Markup | str:
    """The interval printed after a value (none for a missing value)."""
    return ctx.interval(*bounds, 3, value=value) if math.isfinite(value) else ""


def exclusion_rows(ctx: _Ctx, data: ReportData, exclusions: pd.DataFrame, *,
                   across_areas: bool = False) -> list[dict[str, Any]]:
    """The rows of an exclusions table (``templates/exclusions.html``): what, years,
    units, pupils, grouped by reason (and comparison or theme)."""
    keys = ["reason"] + [c for c in ("comparison", "theme") if c in exclusions.columns]
    frame = exclusions.copy()
    for key in keys[1:]:
        frame[key] = frame[key].astype(object).where(frame[key].notna(), "")
    single = not across_areas and not (frame.duplicated(keys).any()
                                       or frame[keys].isna().any(axis=None))
    if single:  # one row per reason (a page of one year): the same table, unaggregated
        grouped = pd.DataFrame({
            **{k: frame[k].to_numpy() for k in keys},
            "first_year": frame["year"].to_numpy(), "last_year": frame["year"].to_numpy(),
            "n_units": frame["n_units"].fillna(0).to_numpy(),  # as a sum of NaN is 0
            "n_pupils": frame["n_pupils"].fillna(0).to_numpy(),
            "description": frame["description"].to_numpy()})
    else:
        grouped = frame.groupby(keys, sort=False).agg(
            first_year=("year", "min"), last_year=("year", "max"),
            n_units=("n_units", "sum"), n_pupils=("n_pupils", "sum"),
            description=("description", "first")).reset_index()
    if ctx.disclosure is not None:
        grouped["n_pupils"] = (
            pd.to_numeric(frame["n_pupils"], errors="coerce").to_numpy(dtype=np.float64)
            if single else _published_pupils(ctx, frame, keys, grouped, across_areas))
    rows = []
    for row in grouped.itertuples(index=False):
        what = ctx.reason(row.reason, row.description)
        comp = getattr(row, "comparison", "")
        if comp:
            pair = data.comparisons.get(comp, ("", ""))
            what += f" ({ctx.comparison(comp, pair)})"
        elif getattr(row, "theme", ""):
            what += f" ({ctx.theme(row.theme)})"
        pupils = (ctx.count(row.n_pupils) if ctx.disclosure is None
                  or math.isfinite(row.n_pupils) else ctx.t("not_shown"))
        # no "years" without a year column: the table has no Year column then
        rows.append({"what": what, "units": ctx.plain_count(row.n_units), "pupils": pupils,
                     **({"years": ctx.years(True, row.first_year, row.last_year)}
                        if data.has_years else {})})
    return rows


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


def _has_withheld(table: pd.DataFrame) -> bool:
    """Whether any index of an area's rows is withheld (disclosure control)."""
    if "reason_code" in table.columns:
        return bool((table["reason_code"] == "withheld").any())
    from segspatial._reasons import codes_of

    return "reason" in table.columns and "withheld" in set(codes_of(
        table["reason"].to_numpy(dtype=object)))


def method(ctx: _Ctx, data: ReportData) -> dict[str, Any]:
    """The method section (``templates/method.html``), on every page."""
    from segspatial import __version__

    p = data.parameters
    settings = []
    for key, size in (("unit", p.get("min_unit_size")), ("area", p.get("min_area_size"))):
        if size is None:
            continue
        # "fewer than 0 pupils are left out" says nothing: a minimum of 0 keeps everyone
        settings.append(ctx.t(f"param_min_{key}", n=ctx.plain_count(size)) if size > 0
                        else ctx.t(f"param_no_min_{key}"))
    settings.append(ctx.t("param_spatial",
                          bandwidths=", ".join(ctx.distance(b) for b in p["bandwidths"]),
                          kernel=ctx.kernel(p["kernel"]), districts=districts_text(ctx, data),
                          permutations=ctx.plain_count(p["permutations"]), seed=p["seed"],
                          crs=p["crs"]))
    settings.append(_interval_setting(ctx, p))
    settings += [ctx.t("report_fix.group_is_column", group=group, column=column)
                 for group, column in ctx.generic_groups()]
    if ctx.disclosure is not None:
        policy = ctx.disclosure.policy
        settings.append(ctx.t("disclosure", n=ctx.min_cell, base=policy.count_base,
                              digits=policy.digits, band=policy.band))
    return {
        "definitions": [ctx.t(k) for k in (
            "def_dissimilarity", "def_standardised", "def_theil", "def_correlation",
            "def_bands", "def_spatial", "def_decomposition", "def_moran")]
        + multigroup_definitions(ctx, data)
        + ([ctx.t("wording.def_intervals_cluster"
                  if (p.get("inference") or {}).get("cluster")
                  else "inference.def_intervals" if _interval_kind(data) == "bias_corrected"
                  else "report_options.def_intervals_percentile")]
           if _intervals_on(data) else []),
        "settings": settings,
        "inputs": [ctx.t("input_file", file=f["name"], bytes=ctx.plain_count(f["bytes"]),
                         sha=Markup("<code>{}…</code>").format(f["sha256"][:16]))
                   for f in p["inputs"]],
        "version": ctx.t("version", version=__version__),
        "stamp": ctx.t("generated", stamp=ctx.stamp if isinstance(ctx.stamp, str)
                       else ctx.words.datetime(ctx.stamp)) if ctx.stamp else "",
    }


def _interval_kind(data: ReportData | None, p: dict[str, Any] | None = None) -> str:
    """``bias_corrected`` or ``percentile``: the kind of the report's intervals."""
    settings = ((p if p is not None else data.parameters).get("inference") or {})
    return settings.get("interval", "bias_corrected")


def _interval_setting(ctx: _Ctx, p: dict[str, Any]) -> Markup:
    settings = p.get("inference") or {}
    if not settings.get("n_boot"):
        return ctx.t("inference.param_no_intervals")
    kind = "cluster" if settings.get("cluster") else "individual"
    return ctx.t("inference.param_intervals", level=ctx.pct(settings["level"]),
                 interval=ctx.t(f"inference.interval_{_interval_kind(None, p)}"),
                 n=ctx.plain_count(settings["n_boot"]),
                 kind=ctx.t(f"inference.kind_short_{kind}"), seed=p["seed"])


def area_page(ctx: _Ctx, data: ReportData, code: str, name: str, table: pd.DataFrame,
              counts: pd.DataFrame, spatial: pd.DataFrame, profile: pd.DataFrame,
              exclusions: pd.DataFrame, changes: pd.DataFrame | None = None,
              outline: Any = None) -> dict[str, Any]:
    """The context of ``templates/area.html``: one area's rows of each frame
    (``outline``: of ``data.boundaries``; looked up when not given)."""
    year = table["year"].max()
    years = sorted(table["year"].unique())
    everyone = counts[counts["year"] == year]
    current = everyone[everyone["x"].notna() & everyone["y"].notna()]
    values = Values(table, ("comparison", "year", "index"))
    spatial_values = Values(spatial, ("comparison", "index", "bandwidth"))
    # one school: no index can exist; one or two: no spatial pattern (one sentence each)
    few = few_schools(ctx, name, int(everyone["unit"].nunique()))
    one = few is not None and everyone["unit"].nunique() == 1
    return {
        "header": _header(ctx, data, code, name, years, everyone, year),
        "summary": ({"defined": False, "parts": [few]} if one
                    else _summary(ctx, data, values, year)),
        "latest": ({"single": few, "when": ctx.year_text(data.has_years, year)} if one
                   else _latest_table(ctx, data, values, year)),
        "trends": _trends(ctx, data, values, years,
                          data.changes.iloc[:0] if changes is None else changes),
        "maps": _maps(ctx, data, code, current if ctx.disclosure is None else everyone,
                      year, outline),
        "spatial": ({"single": few} if few is not None else
                    _spatial(ctx, data, values, spatial_values, profile,
                             int(current["unit"].nunique()), year)),
        "multigroup": several_groups(ctx, data, code),
        "income": income_profile(ctx, data, code),
        "exclusions": exclusion_rows(ctx, data, exclusions) if len(exclusions) else [],
        # disclosure mode leaves out rows that are counts below N by themselves (an
        # area-year without pupils of a group or of the comparison's other schools)
        "exclusions_none": ("exclusions_none" if ctx.disclosure is None
                            else "exclusions_none_disclosure" if _has_withheld(table)
                            else "report_fix.exclusions_none_small"),
        "method": method(ctx, data),
        "title": ctx.t("page_title", name=name, code=code),
    }
