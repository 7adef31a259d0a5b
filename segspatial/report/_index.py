"""The index page: the national map, the sortable table of every municipality and
what was left out of the whole report (context of ``templates/index.html``)."""

from __future__ import annotations

from typing import Any

import numpy as np
from markupsafe import Markup

from segspatial.report._charts import iframe_document, png
from segspatial.report._context import _Ctx
from segspatial.report._data import REPORT_INDICES, ReportData
from segspatial.report._interpret import national_changes
from segspatial.report._lookup import Values
from segspatial.report._lookup import sort_value as _sort_value
from segspatial.report._multigroup import national_summary
from segspatial.report._sections import _ci, exclusion_rows, interval_notes, method
from segspatial.text import lookup


def _national_maps(ctx: _Ctx, data: ReportData) -> dict[str, Any]:
    from matplotlib.figure import Figure

    from segspatial._figure import map_figsize
    from segspatial.plot import choropleth
    from segspatial.webmap import choropleth_map

    comp, pair = next(iter(data.comparisons.items()))
    table = data.table
    lead = table[(table["comparison"] == comp) & (table["index"] == "dissimilarity")]
    latest = lead.groupby("area")["year"].transform("max")
    lead = lead[lead["year"] == latest]
    when = ctx.year_text(data.has_years, lead["year"].max()) if len(lead) else ""
    heading = ctx.t("index_map_heading", index=ctx.index("dissimilarity"),
                    comparison=ctx.comparison(comp, pair), when=when)
    results = lead[[c for c in ("area", "comparison", "index", "value", "n_units",
                                "n_pupils", "min_cell") if c in lead.columns]]
    # a known comparison has its own name; other groups are named by their labels
    known = lookup(ctx.lang, f"comparison_name.{comp}") is not None
    label_a, label_b = ((data.group_labels.get(pair[0]), data.group_labels.get(pair[1]))
                        if known else (ctx.group(pair[0]), ctx.group(pair[1])))
    boundaries = data.boundaries[["code", "name", "geometry"]]
    # sized to the areas' shape: a fixed size left a two-line title no room at the top
    figure = Figure(figsize=map_figsize(boundaries.total_bounds, width=5.6),
                    layout="constrained")
    ax = figure.add_subplot()
    choropleth(results, boundaries, index="dissimilarity", area_code="code", name="name",
               lang=ctx.lang, label_a=label_a, label_b=label_b, ax=ax)
    image = png(figure, dpi=80)
    web = boundaries.copy()
    web["geometry"] = web.geometry.simplify(100.0)
    m = choropleth_map(results, web, index="dissimilarity", area_code="code", name="name",
                       offline=ctx.offline, min_cell=ctx.min_cell, height="100%", lang=ctx.lang,
                       label_a=label_a, label_b=label_b,
                       links=dict(zip(data.areas["code"], data.areas["file"], strict=True)))
    return {"heading": heading, "image": image, "document": iframe_document(m)}


def _table(ctx: _Ctx, data: ReportData) -> dict[str, Any]:
    comp, _pair = next(iter(data.comparisons.items()))
    table = data.table
    # every look-up indexed once for all areas (not a frame and its masks per area)
    latest = table.groupby("area")["year"].max()
    values = Values(table, ("area", "comparison", "year", "index"))
    s = Values(data.spatial, ("area", "comparison", "index", "bandwidth"))
    counts = data.counts
    now = counts[counts["year"].to_numpy() == counts["area"].map(latest).to_numpy()]
    pupils_by = now.groupby("area")["total"].sum()
    units_by = now.groupby("area")["unit"].nunique()
    spatial = data.spatial
    moran_rows = spatial[(spatial["comparison"] == comp) & (spatial["index"] == "morans_i")
                         & np.isfinite(spatial["value"].to_numpy(dtype=np.float64))]
    moran_bw_by = moran_rows.groupby("area")["bandwidth"].min()  # the narrowest
    bw = data.parameters["bandwidths"][len(data.parameters["bandwidths"]) // 2 - 1
                                       if len(data.parameters["bandwidths"]) > 1 else 0]
    others = list(data.comparisons.items())[1:]
    head = [ctx.t("municipality"), ctx.t("code"), ctx.t("schools"), ctx.t("pupils")]
    head += [ctx.index(i) for i in REPORT_INDICES[:1]] + [ctx.t("band")] + \
        [ctx.index(i) for i in REPORT_INDICES[1:]]
    head += [ctx.words.capital(f"{ctx.index('spatial_dissimilarity')} ({ctx.distance(bw)})"),
             ctx.t("between_share"), ctx.t("morans_i")]
    # D of every comparison goes in a table of its own: in one table, seven comparisons
    # with their intervals ran past a 1,400-px window
    by_comparison = [] if not others else [
        ctx.t("municipality"), ctx.t("code"),
        *(f"{ctx.index('dissimilarity')}: {ctx.comparison(c, p)}"
          for c, p in data.comparisons.items())]
    rows, comparison_rows = [], []
    for area in data.areas.itertuples(index=False):
        code = area.code
        year = latest.get(code)
        pupils = float(pupils_by.get(code, 0.0))
        n_units = int(units_by.get(code, 0))
        cells = [{"text": area.name, "link": area.file, "key": area.name, "cls": "text"},
                 {"text": code, "key": code, "cls": "text"},
                 {"text": ctx.plain_count(n_units), "key": str(n_units)},
                 {"text": ctx.count(pupils), "key": ctx.count_key(pupils), "cls": "pupils"}]
        for index in REPORT_INDICES:
            value, _ = values.get(code, comp, year, index)
            cells.append({"text": ctx.num(value, 3), "key": _sort_value(value),
                          "ci": _ci(ctx, value, values.interval(code, comp, year, index))})
            if index == "dissimilarity":
                cells.append({"band": ctx.band(value), "key": _sort_value(value),
                              "cls": "text"})
        value, _ = s.get(code, comp, "spatial_dissimilarity", bw)
        cells.append({"text": ctx.num(value, 3), "key": _sort_value(value),
                      "ci": _ci(ctx, value, s.interval(code, comp, "spatial_dissimilarity",
                                                       bw))})
        between, _ = s.get(code, comp, "theil_h_between")
        within, _ = s.get(code, comp, "theil_h_within")
        share = between / (between + within) if between + within > 0 else float("nan")
        if ctx.disclosure is not None:  # as shown: whole percents of rounded values
            share = float(ctx.disclosure.policy.shares(share))
        cells.append({"text": ctx.pct(share), "key": _sort_value(share)})
        moran_bw = moran_bw_by.get(code)
        moran = (s.get(code, comp, "morans_i", moran_bw)[0] if moran_bw is not None
                 else float("nan"))
        cells.append({"text": ctx.num(moran, 2), "key": _sort_value(moran)})
        rows.append(cells)
        if others:
            d_cells = cells[:2]
            for c in data.comparisons:
                value, _ = values.get(code, c, year, "dissimilarity")
                d_cells.append({"text": ctx.num(value, 3), "key": _sort_value(value),
                                "ci": _ci(ctx, value,
                                          values.interval(code, c, year,
                                                          "dissimilarity"))})
            comparison_rows.append(d_cells)
    shown = any(cell.get("ci") for cells in rows + comparison_rows for cell in cells)
    comparisons = None if not others else {
        "heading": ctx.t("layout.comparisons_heading", index=ctx.index("dissimilarity")),
        "note": ctx.t("layout.comparisons_note", index=ctx.index("dissimilarity"),
                      comparison=ctx.comparison(comp, data.comparisons[comp])),
        "head": by_comparison, "rows": comparison_rows}
    return {"head": head, "rows": rows, "ci_notes": interval_notes(ctx, data, shown),
            "comparisons": comparisons}


def _left_out(ctx: _Ctx, data: ReportData) -> dict[str, Any] | None:
    exclusions = data.exclusions
    dropped = ctx.disclosure.dropped if ctx.disclosure is not None else []
    if exclusions.empty and not dropped:
        return None
    names = dict(zip(data.boundaries["code"], data.boundaries["name"], strict=True))
    without = sorted(set(exclusions["area"].dropna()) - set(data.areas["code"])
                     - set(dropped)) if "area" in exclusions.columns else []
    note = ctx.t("exclusions_note")
    if ctx.disclosure is not None:
        note = Markup(" ").join([note, ctx.t("exclusions_note_disclosure", n=ctx.min_cell)])
    return {
        "note": note,
        "rows": (exclusion_rows(ctx, data, exclusions, across_areas=True)
                 if not exclusions.empty else []),
        "without": [f"{names.get(c, c)} ({c})" for c in without],
        "dropped": [f"{names.get(c, c)} ({c})" for c in dropped],
        "dropped_heading": ctx.t("dropped_areas", n=ctx.min_cell),
    }


def index_page(ctx: _Ctx, data: ReportData) -> dict[str, Any]:
    """The context of ``templates/index.html``."""
    return {"maps": _national_maps(ctx, data), "table": _table(ctx, data),
            "changes": national_changes(ctx, data),
            "left_out": _left_out(ctx, data), "method": method(ctx, data),
            "multigroup": national_summary(ctx, data),
            "title": ctx.t("index_title") if ctx.title is None else ctx.title}
