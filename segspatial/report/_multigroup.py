"""The report's "several groups at once" and income-profile sections, and their summary
on the index page (contexts of ``templates/area/multigroup.html``,
``templates/area/income.html`` and ``templates/index_multigroup.html``).

The numbers come from :mod:`._multigroup_data` (the engine's rows); this module only
chooses what to show and says it in the page's language. Group columns, cluster values
(denominations) and the grouping column's name are data: they are template variables
or catalogue fields, escaped once.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from markupsafe import Markup

from segspatial.report._charts import chart_html, iframe_document, png, svg_chart
from segspatial.report._context import _Ctx
from segspatial.report._data import ReportData
from segspatial.report._lookup import Values
from segspatial.report._lookup import sort_value as _sort_value
from segspatial.report._multigroup_data import GROUPS_BLOCK, MultigroupData
from segspatial.text import lookup

#: The indices of the per-year table, in order.
YEAR_INDICES = ("multigroup_theil_h", "mutual_information", "multigroup_dissimilarity")
#: Grouping columns with a name of their own in the catalogue (``multigroup.within_*``).
KNOWN_WITHIN = {"denomination": "denomination", "denominatie": "denomination",
                "DENOMINATIE_VESTIGING": "denomination", "board": "board",
                "bestuur": "board", "BEVOEGD_GEZAG_NUMMER": "board"}


# --------------------------------------------------------------------------- words


def group_name(ctx: _Ctx, column: str) -> str:
    """A group column as a noun phrase: the caller's label, a known group, an income
    group of the national ranks, else ``group <column>``."""
    for key in ("a", "b"):
        if ctx.columns.get(key, key) == column and ctx.labels.get(key):
            return str(ctx.labels[key])
    if ctx.labels.get(column):
        return str(ctx.labels[column])
    known = lookup(ctx.lang, f"group_noun.{column}")
    if known is not None:
        return known
    if column.startswith("income_q") and column[8:].isdigit():
        return ctx.words.text("multigroup.income_group", k=column[8:])
    return ctx.words.text("group_column", column=column)


def symbol(ctx: _Ctx, index: str) -> str:
    """The short name of a multigroup index in a table head."""
    return ctx.words.text(f"multigroup.symbol_{index}")


def _list(ctx: _Ctx, items: list[str]) -> str:
    from babel.lists import format_list

    return format_list(items, locale=ctx.words.locale) if items else ""


def groups_phrase(ctx: _Ctx, columns: Sequence[str]) -> str:
    """The groups of a block as one phrase: K income groups of the national ranks in
    one go (not K times the same long noun), else the group names in a list."""
    columns = list(columns)
    if len(columns) > 1 and all(c.startswith("income_q") and c[8:].isdigit()
                                for c in columns):
        return ctx.words.text("multigroup.income_groups", k=str(len(columns)))
    return _list(ctx, [group_name(ctx, c) for c in columns])


def block_title(ctx: _Ctx, data: MultigroupData, block: str) -> str:
    """What a block compares: the theme, or the groups in a list."""
    groups = groups_phrase(ctx, data.blocks[block])
    if block == GROUPS_BLOCK:
        return groups
    return ctx.words.text("multigroup.theme_groups", theme=ctx.theme(block), groups=groups)


def clusters_name(ctx: _Ctx, mg: MultigroupData) -> str:
    """The groups of schools of the decomposition as a plural noun phrase: the caller's
    label (``--within-label``), a known column's name (``denominations``), else
    ``groups of schools by <column>``."""
    if mg.within_label:
        return mg.within_label
    known = KNOWN_WITHIN.get(str(mg.within))
    if known is not None:
        return ctx.words.text(f"multigroup.within_{known}")
    return ctx.words.text("multigroup.within_column", column=mg.within)


def cluster_head(ctx: _Ctx, mg: MultigroupData) -> str:
    """The head of the split table's first column (one group of schools per row): the
    caller's label, a known column's name in the singular (``Denomination``), else
    ``Group of schools``; never the column's raw name."""
    if mg.within_label:
        return mg.within_label
    known = KNOWN_WITHIN.get(str(mg.within))
    return ctx.words.text(f"multigroup.head_{known}" if known is not None
                          else "multigroup.head_cluster")


def _reason(ctx: _Ctx, code: Any, n_units: Any = None) -> Markup:
    """Why a multigroup value is undefined, by the results table's ``reason_code``
    (and the row's number of schools: "there is only one school")."""
    if code == "fewer_than_2_groups":
        return ctx.t("multigroup.undefined_groups")
    if code == "fewer_than_2_units":
        return ctx.tn("multigroup.undefined_units", n_units)
    return ctx.t("undefined_reason.other")


# --------------------------------------------------------------------------- charts


def profile_svg(ctx: _Ctx, frame: pd.DataFrame, *, title: str, width: int = 520,
                height: int = 240) -> Markup | None:
    """The income profile H(p) as an inline SVG chart (``templates/chart.svg``):
    H at each threshold against p, the area's share of pupils at or below it, and
    the polynomial fit of H^R (dashed). None when no H(p) is defined (no empty chart).
    """
    p = frame["p"].to_numpy(dtype=np.float64)
    h = frame["theil_h"].to_numpy(dtype=np.float64)
    fit = frame["fitted"].to_numpy(dtype=np.float64)
    shown = np.isfinite(p) & np.isfinite(h)
    if not shown.any():
        return None
    top = float(np.nanmax(np.where(shown, np.maximum(h, fit), np.nan)))
    steps = [0.05, 0.1, 0.2, 0.4, 0.8, 1.0]
    ymax = next((s for s in steps if top <= s), 1.0)
    step = ymax / 4
    # room at the right for half the last tick ("100%"), which is centred on the edge
    left, right, top_px, bottom = 40, 24, 10, 30
    pw, ph = width - left - right, height - top_px - bottom

    def px(v: float) -> str:
        return f"{left + pw * min(max(v, 0.0), 1.0):.1f}"

    def py(v: float) -> float:
        return top_px + ph * (1 - min(max(v, 0.0), ymax) / ymax)

    digits = 2 if step >= 0.05 else 3
    grid = [{"y": f"{py(k * step):.1f}", "ty": f"{py(k * step) + 4:.1f}",
             "label": ctx.num(k * step, digits)} for k in range(5)]
    xlabels = [{"x": px(v), "y": top_px + ph + 18, "label": ctx.pct(v)}
               for v in (0.0, 0.25, 0.5, 0.75, 1.0)]
    order = np.argsort(np.where(np.isfinite(p), p, np.inf), kind="stable")
    line = [f"{px(p[i])},{py(h[i]):.1f}" for i in order if shown[i]]
    fitted = [f"{px(p[i])},{py(fit[i]):.1f}" for i in order
              if np.isfinite(p[i]) and np.isfinite(fit[i])]
    dots = [{"x": px(p[i]), "y": f"{py(h[i]):.1f}", "fill": "#0b4f8a",
             "label": f"p = {ctx.pct(p[i])}", "value": ctx.num(h[i], 3), "ci": ""}
            for i in order if shown[i]]
    series = [{"runs": [" ".join(line)] if len(line) > 1 else [], "dots": dots,
               "bars": [], "color": "#0b4f8a", "dash": False,
               "label": ctx.words.text("fig_hp_line")}]
    if len(fitted) > 1:
        series.append({"runs": [" ".join(fitted)], "dots": [], "bars": [], "color": "#c05621",
                       "dash": True, "label": ctx.words.text("fig_hp_fit")})
    return chart_html(width=width, height=height, left=left, pw=pw, title=title,
                      bands=[], grid=grid, xlabels=xlabels, series=series)


def _local_maps(ctx: _Ctx, data: ReportData, code: str, local: pd.DataFrame,
                columns: tuple[str, ...]) -> dict[str, Any] | None:
    """The static and the interactive map of the schools' local scores on one colour
    scale, with the static map's legend in HTML (page language, no layout cost in the
    figure, as the school maps); None when no school has a location and a score (no
    empty map)."""
    from matplotlib.colors import to_hex
    from matplotlib.figure import Figure

    from segspatial._figure import _colormap
    from segspatial.multigroup_plot import local_scores_map, local_scores_webmap

    located = local[np.isfinite(local["x"].to_numpy(dtype=np.float64))
                    & np.isfinite(local["y"].to_numpy(dtype=np.float64))]
    scores = located["ls"].to_numpy(dtype=np.float64)
    if located.empty or not np.isfinite(scores).any():
        return None
    top = float(np.nanmax(scores))
    top = top if top > 0 else 1.0
    outline = data.boundaries[data.boundaries["code"] == code]
    outline = outline if len(outline) else None
    crs = data.parameters["crs"]
    common = dict(value="ls", crs=crs, groups=list(columns), boundaries=outline,
                  cmap="viridis", vmax=top, lang=ctx.lang)
    figure = Figure(figsize=(5.2, 5.2), layout="constrained")
    ax = figure.add_subplot()
    local_scores_map(located, area="area", legend=False, title="", ax=ax, **common)
    m = local_scores_webmap(located, unit="unit", name="name", offline=ctx.offline,
                            height="100%", **common)  # as large as its frame
    cmap = _colormap("viridis")
    stops = ", ".join(to_hex(cmap(x)) for x in np.linspace(0.0, 1.0, 9))
    title = ctx.words.text("fig_local_ls")
    return {"image": png(figure), "document": iframe_document(m),
            "alt": ctx.words.text("fig_local_title", value=title), "title": title,
            "gradient": f"linear-gradient(to right, {stops})",
            "ends": [ctx.num(0.0, 1), ctx.num(top / 2, 3), ctx.num(top, 3)],
            "note": ctx.words.text("fig_local_note")}


# --------------------------------------------------------------------------- area page


def _decomposition(ctx: _Ctx, mg: MultigroupData, block: str, values: Values,
                   year: Any, when: Any) -> dict[str, Any] | None:
    """The split of M between and within the clusters of ``mg.within`` (latest year):
    a sentence, a table per cluster and the totals (between + within = total)."""
    between, _ = values.get(block, year, "mutual_information_between")
    within, _ = values.get(block, year, "mutual_information_within")
    h_between, _ = values.get(block, year, "multigroup_theil_h_between")
    h_within, _ = values.get(block, year, "multigroup_theil_h_within")
    which = clusters_name(ctx, mg)
    first = values.first(block, year, "mutual_information_between")
    all_first = values.first(block, year, "mutual_information")
    n_in = (int(first["n_units"]) if first is not None and math.isfinite(
        float(first["n_units"])) else 0)
    n_all = int(all_first["n_units"]) if all_first is not None else n_in
    if not (math.isfinite(between) and math.isfinite(within)):
        key = ("multigroup.split_undefined_missing" if n_in == 0 and n_all > 0
               else "multigroup.split_undefined")
        return {"sentence": ctx.t(key, clusters=which, column=mg.within),
                "rows": [], "total": None, "clusters": which}
    total = between + within
    share = between / total if total > 0 else float("nan")
    sentence = ctx.t("multigroup.split_sentence", when=when, clusters=which,
                     total=ctx.num(total, 3),
                     between=ctx.num(between, 3), within=ctx.num(within, 3),
                     between_pct=ctx.pct(share, 1), within_pct=ctx.pct(1 - share, 1))
    parts = [sentence]
    if n_all > n_in:
        m_all, _ = values.get(block, year, "mutual_information")
        parts.append(ctx.tn("multigroup.split_missing", n_all - n_in,
                            n=ctx.plain_count(n_all - n_in),
                           column=mg.within, m_all=ctx.num(m_all, 3)))
    comp = mg.components
    comp = comp[(comp["comparison"] == block) & (comp["year"] == year)] if len(comp) \
        else comp
    rows = [{"cluster": str(r.cluster), "schools": ctx.plain_count(r.n_units),
             "share": ctx.pct(r.share, 1), "h": ctx.num(r.theil_h, 3),
             "within": ctx.num(r.within_contribution, 4),
             "between": ctx.num(r.between_contribution, 4)}
            for r in comp.sort_values("n_pupils", ascending=False, kind="stable")
            .itertuples(index=False)]
    return {"sentence": Markup(" ").join(parts), "rows": rows, "clusters": which,
            "column": mg.within, "head": cluster_head(ctx, mg),
            "total": {"between": ctx.num(between, 4), "within": ctx.num(within, 4),
                      "total": ctx.num(total, 4), "h_between": ctx.num(h_between, 3),
                      "h_within": ctx.num(h_within, 3),
                      "h": ctx.num(h_between + h_within, 3)}}


def _block(ctx: _Ctx, data: ReportData, mg: MultigroupData, block: str, code: str,
           values: Values, years: list[Any]) -> dict[str, Any]:
    year = years[-1]
    h, _ = values.get(block, year, "multigroup_theil_h")
    m, _ = values.get(block, year, "mutual_information")
    when = ctx.year_text(data.has_years, year)
    title = block_title(ctx, mg, block)
    groups = groups_phrase(ctx, mg.blocks[block])
    if math.isfinite(h):
        summary = ctx.t("multigroup.lead", when=when, groups=groups, h=ctx.num(h, 3),
                        m=ctx.num(m, 3))
    else:
        summary = ctx.t("multigroup.lead_undefined", when=when, groups=groups,
                        reason=_reason(ctx, *values.why(block, year,
                                                        "multigroup_theil_h")))
    split = mg.within is not None
    head = ([ctx.t("multigroup.year")] if data.has_years else []) + [
        symbol(ctx, i) for i in YEAR_INDICES]
    if split:
        which = clusters_name(ctx, mg)
        head += [ctx.t("multigroup.h_between", clusters=which),
                 ctx.t("multigroup.h_within", clusters=which),
                 ctx.t("multigroup.between_share")]
    rows = []
    for y in years:  # oldest first, as the chart beside the table
        cells = []
        for i in YEAR_INDICES:  # the bootstrap interval after the value (n_boot > 0)
            value, _ = values.get(block, y, i)
            cells.append({"value": ctx.num(value, 3),
                          "ci": (ctx.interval(*values.interval(block, y, i), 3,
                                              value=value)
                                 if math.isfinite(value) else "")})
        if split:  # the engine gives no interval of the decomposition
            hb, _ = values.get(block, y, "multigroup_theil_h_between")
            hw, _ = values.get(block, y, "multigroup_theil_h_within")
            share = hb / (hb + hw) if hb + hw > 0 else float("nan")
            cells += [{"value": text, "ci": ""}
                      for text in (ctx.num(hb, 3), ctx.num(hw, 3), ctx.pct(share, 1))]
        rows.append({"year": str(y) if data.has_years else "", "cells": cells})
    chart = None
    if data.has_years and len(years) > 1:
        series = [{"values": [values.get(block, y, "multigroup_theil_h")[0] for y in years],
                   "label": symbol(ctx, "multigroup_theil_h"), "color": "#0b4f8a",
                   "dash": False}]
        if split:
            series.append({"values": [values.get(block, y, "multigroup_theil_h_between")[0]
                                      for y in years],
                           "label": ctx.t("multigroup.h_between",
                                          clusters=clusters_name(ctx, mg)),
                           "color": "#c05621", "dash": True})
        finite = [v for s in series for v in s["values"] if math.isfinite(v)]
        if finite:  # no empty chart (a one-school municipality)
            ymax = 0.8 if max(finite) <= 0.8 else 1.0
            # the block's title is the heading above: the chart names its index only
            shown = ctx.words.text("layout.chart_per_year",
                                   index=symbol(ctx, "multigroup_theil_h"))
            chart = svg_chart(ctx, series, [str(y) for y in years],
                              title=f"{title}: {shown}", heading=shown,
                              width=360, height=190, ymax=ymax, bands=False)
    local = mg.local
    local = local[local["comparison"] == block] if len(local) else local
    maps = _local_maps(ctx, data, code, local, mg.blocks[block]) if len(local) else None
    return {"title": title, "summary": summary, "head": head, "rows": rows,
            "chart": chart,
            "split": _decomposition(ctx, mg, block, values, year, when) if split else None,
            "maps": maps,
            "map_note": ctx.t("multigroup.map_note", groups=groups, when=when)}


def several_groups(ctx: _Ctx, data: ReportData, code: str) -> dict[str, Any] | None:
    """The context of ``templates/area/multigroup.html`` (None: no section)."""
    mg: MultigroupData | None = data.multigroup
    if mg is None or not mg.has_groups:
        return None
    if mg.withheld:
        return {"withheld": ctx.t("multigroup.withheld", n=ctx.min_cell), "blocks": []}
    mine = mg.of_area(code)
    if mine.table.empty:
        return {"withheld": "", "blocks": [], "none": ctx.t("multigroup.no_rows")}
    values = Values(mine.table, ("comparison", "year", "index"))
    years = sorted(mine.table["year"].unique())
    blocks = [_block(ctx, data, mine, block, code, values, years)
              for block in mine.blocks if (mine.table["comparison"] == block).any()]
    return {"withheld": "", "blocks": blocks, "none": "",
            "intro": ctx.t("multigroup.intro")}


def income_profile(ctx: _Ctx, data: ReportData, code: str) -> dict[str, Any] | None:
    """The context of ``templates/area/income.html`` (None: no section)."""
    mg: MultigroupData | None = data.multigroup
    if mg is None or not mg.has_income:
        return None
    if mg.withheld:
        return {"withheld": ctx.t("multigroup.withheld", n=ctx.min_cell)}
    mine = mg.of_area(code)
    rows = mine.rank_order
    if rows.empty:
        return {"withheld": "", "none": ctx.t("multigroup.no_rows"), "rows": []}
    values = Values(rows, ("year", "index"))
    years = sorted(rows["year"].unique())
    year = years[-1]
    hr, reason = values.get(year, "rank_order_theil_h")
    exact, _ = values.get(year, "rank_order_theil_h_integral")
    when = ctx.year_text(data.has_years, year)
    if math.isfinite(hr):
        lead = ctx.t("multigroup.hr_lead", when=when, hr=ctx.num(hr, 3),
                     exact=ctx.num(exact, 3))
    elif math.isfinite(exact):
        lead = ctx.t("multigroup.hr_exact_only", when=when, exact=ctx.num(exact, 3))
    else:
        lead = ctx.t("multigroup.hr_undefined", when=when, reason=_reason(ctx, reason))
    profile = mine.profile
    profile = profile[profile["year"] == year] if len(profile) else profile
    title = ctx.words.text("fig_hp_title") + (f" {year}" if data.has_years else "")
    chart = profile_svg(ctx, profile, title=title) if len(profile) else None
    table = [{"year": str(y) if data.has_years else "",
              "hr": ctx.num(values.get(y, "rank_order_theil_h")[0], 3),
              "exact": ctx.num(values.get(y, "rank_order_theil_h_integral")[0], 3)}
             for y in reversed(years)]
    return {"withheld": "", "none": "", "lead": lead, "chart": chart, "rows": table,
            "head": ([ctx.t("multigroup.year")] if data.has_years else [])
            + [ctx.t("multigroup.hr"), ctx.t("multigroup.hr_exact")],
            "x_label": ctx.words.text("fig_hp_x"),
            "y_label": ctx.words.text("fig_hp_y"),
            "note": ctx.t("multigroup.hr_note")}


def multigroup_definitions(ctx: _Ctx, data: ReportData) -> list[Markup]:
    """The method section's definitions of what the multigroup and income sections
    show (none without them)."""
    mg: MultigroupData | None = data.multigroup
    if mg is None:
        return []
    keys = []
    if mg.has_groups:
        keys += ["def_multigroup"] + (["def_split"] if mg.within is not None else []) + [
            "def_local"]
    if mg.has_income:
        keys.append("def_rank_order")
    return [ctx.t(f"multigroup.{k}") for k in keys]


# --------------------------------------------------------------------------- index page


def national_summary(ctx: _Ctx, data: ReportData) -> dict[str, Any] | None:
    """The index page's summary of the multigroup and income sections: a sentence per
    block and a sortable table of every municipality's latest year."""
    mg: MultigroupData | None = data.multigroup
    if mg is None or not (mg.has_groups or mg.has_income):
        return None
    if mg.withheld:
        return {"withheld": ctx.t("multigroup.withheld", n=ctx.min_cell)}
    table = mg.table
    latest = table.groupby("area")["year"].transform("max") if len(table) else None
    current = table[table["year"] == latest] if len(table) else table
    values = Values(current, ("area", "comparison", "index"))
    ranked = mg.rank_order
    if len(ranked):
        ranked = ranked[ranked["year"] == ranked.groupby("area")["year"].transform("max")]
    hr_values = Values(ranked, ("area", "index")) if len(ranked) else None
    names = dict(zip(data.areas["code"], data.areas["name"], strict=True))

    def only_name(frame: pd.DataFrame) -> str:  # the one municipality of a sentence
        return str(names.get(frame["area"].iloc[0], frame["area"].iloc[0])) \
            if len(frame) else ""

    sentences = []
    for block in mg.blocks:
        rows = current[(current["comparison"] == block)
                       & (current["index"] == "multigroup_theil_h")]
        rows = rows[np.isfinite(rows["value"].to_numpy(dtype=np.float64))]
        h = rows["value"].to_numpy(dtype=np.float64)
        if not h.size:
            continue
        sentences.append(ctx.tn("multigroup.national", h.size,
                                groups=block_title(ctx, mg, block), name=only_name(rows),
                               n=ctx.plain_count(h.size), median=ctx.num(np.median(h), 3),
                               low=ctx.num(h.min(), 3), high=ctx.num(h.max(), 3)))
        if mg.within is not None:
            parts = current[current["comparison"] == block].pivot_table(
                index="area", columns="index", values="value", aggfunc="first")
            if {"mutual_information_between", "mutual_information_within"} <= set(
                    parts.columns):
                b = parts["mutual_information_between"].to_numpy(dtype=np.float64)
                w = parts["mutual_information_within"].to_numpy(dtype=np.float64)
                ok = np.isfinite(b) & np.isfinite(w) & (b + w > 0)
                if ok.any():
                    share = b[ok] / (b[ok] + w[ok])
                    sentences.append(ctx.tn(
                        "multigroup.national_split", int(ok.sum()),
                        clusters=clusters_name(ctx, mg),
                        name=only_name(parts.index[ok].to_frame(name="area")),
                        median=ctx.pct(float(np.median(share))), n=ctx.plain_count(ok.sum())))
    if len(ranked):
        hr_rows = ranked[ranked["index"] == "rank_order_theil_h"]
        hr_rows = hr_rows[np.isfinite(hr_rows["value"].to_numpy(dtype=np.float64))]
        hr = hr_rows["value"].to_numpy(dtype=np.float64)
        if hr.size:
            sentences.append(ctx.tn("multigroup.national_hr", hr.size,
                                    n=ctx.plain_count(hr.size), name=only_name(hr_rows),
                                   median=ctx.num(np.median(hr), 3)))
    head = [ctx.t("municipality"), ctx.t("code")]
    for block in mg.blocks:
        label = symbol(ctx, "multigroup_theil_h") + (
            f": {ctx.theme(block)}" if block != GROUPS_BLOCK else "")
        head.append(label)
        if mg.within is not None:
            head.append(ctx.t("multigroup.between_share_of",
                              clusters=clusters_name(ctx, mg))
                        + (f": {ctx.theme(block)}" if block != GROUPS_BLOCK else ""))
    if hr_values is not None:
        head.append(ctx.t("multigroup.hr"))
    rows = []
    for area in data.areas.itertuples(index=False):
        cells = [{"text": area.name, "link": area.file, "key": area.name, "cls": "text"},
                 {"text": area.code, "key": area.code, "cls": "text"}]
        for block in mg.blocks:
            h, _ = values.get(area.code, block, "multigroup_theil_h")
            cells.append({"text": ctx.num(h, 3), "key": _sort_value(h)})
            if mg.within is not None:
                b, _ = values.get(area.code, block, "mutual_information_between")
                w, _ = values.get(area.code, block, "mutual_information_within")
                share = b / (b + w) if b + w > 0 else float("nan")
                cells.append({"text": ctx.pct(share), "key": _sort_value(share)})
        if hr_values is not None:
            hr, _ = hr_values.get(area.code, "rank_order_theil_h")
            cells.append({"text": ctx.num(hr, 3), "key": _sort_value(hr)})
        rows.append(cells)
    return {"withheld": "", "sentences": sentences, "head": head, "rows": rows}
