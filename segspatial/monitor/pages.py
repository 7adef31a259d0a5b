"""The monitor's output folder: tables, maps and pages (nl/en, offline, autoescaped).

:func:`render_pages` turns a :class:`~segspatial.monitor.compute.MonitorResult` into
HTML pages from the Jinja2 templates shipped in ``segspatial/monitor/templates``
(``autoescape`` on, every value passed in the context: no name from the data is ever
template source): a national page (``index.html``) and one page per region of the
page levels (by default every mapped level: labour-market regions and provinces),
named after the region's code. Each page has the share of women over the years with
its range and the target line (inline SVG), the facts of the latest year, the maps
(static PNG inline and an interactive map in an ``iframe``; ``offline=True`` embeds
Leaflet), the regions' table, the programmes with the highest share of women, the
gender segregation across programmes and the method.

:func:`write_monitor` writes the folder atomically: the tables (``representation.csv``,
``segregation.csv``, ``programmes.csv``, ``exclusions.csv``, ``mapping.csv``), the
maps per level (``map_<level>.png`` and ``.html``, the level made safe for a file
name) and the pages. With ``min_cell``
everything written is disclosed first (:func:`~segspatial.monitor.disclose.
disclose_result`). The same input gives byte-identical files.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from segspatial.monitor._text import Formatter, rule_text
from segspatial.monitor.compute import MonitorResult
from segspatial.monitor.disclose import disclose_result
from segspatial.monitor.maps import share_map, share_webmap

__all__ = ["MARKER", "render_pages", "write_monitor"]

#: Marker file of a monitor folder (an existing folder is replaced only if it has it).
MARKER = ".segspatial-monitor"


def _environment():
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("segspatial.monitor", "templates"),
        autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)


def _file_names(levels: Iterable[str], regions: Iterable[tuple[str, Any]]
                ) -> tuple[dict[str, str], dict[tuple[str, Any], str]]:
    """Safe, unique file names: a map stem per level (``<stem>.png``/``.html``) and a
    page per (level, code); never ``index.html``.

    Level names and region codes are data (any text): a name is made safe for a file
    (:func:`segspatial.report.page_name`: other characters become ``_``, long ones end
    in a hash), and where it would repeat another file's name (compared without case,
    as on case-insensitive file systems) the level goes in front, then a hash.
    """
    import hashlib

    from segspatial.report import page_name

    used = {"index.html"}

    def claim(*candidates: str) -> str:
        for candidate in candidates:
            name = page_name(candidate)
            if name.lower() not in used:
                used.add(name.lower())
                return name
        n = 2
        while page_name(f"{candidates[-1]}-{n}").lower() in used:
            n += 1
        name = page_name(f"{candidates[-1]}-{n}")
        used.add(name.lower())
        return name

    def digest(*parts: Any) -> str:
        text = "\x00".join(map(str, parts)).encode("utf-8", "surrogatepass")
        return hashlib.sha256(text).hexdigest()[:12]

    maps = {level: claim(f"map_{level}", f"map_{level}-{digest(level)}")[:-len(".html")]
            for level in levels}
    pages = {(level, code): claim(str(code), f"{level}-{code}",
                                  f"{level}-{code}-{digest(level, code)}")
             for level, code in regions}
    return maps, pages


def _png(ax) -> str:
    from segspatial.plot import figure_bytes

    data = figure_bytes(ax.figure, "png", dpi=80)
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def _map_html(m) -> str:
    from segspatial.webmap import to_html

    return to_html(m)


def _chart(fmt: Formatter, rows: pd.DataFrame, national: pd.DataFrame | None = None) -> dict:
    """Coordinates of the share-over-years chart (numbers only); ``national`` adds the
    national share as a comparison line on a region's chart."""
    width, height, left, right, top, bottom = 560, 260, 52, 540, 16, 232
    years = rows["year"].tolist()
    target = float(rows["target"].iloc[0])
    values = rows[["share", "share_low", "share_high"]].to_numpy(dtype=float)
    nat = (national.set_index("year")["share"].reindex(years).to_numpy(dtype=float)
           if national is not None else np.full(len(years), np.nan))
    top_value = np.nanmax(np.r_[values.ravel(), nat, target, 0.05])
    ymax = min(1.0, np.ceil(top_value * 1.15 / 0.05) * 0.05)

    def x(i: int) -> float:
        return round(left + (right - left) * (i + 0.5) / max(len(years), 1), 1)

    def y(v: float) -> float:
        return round(bottom - (bottom - top) * v / ymax, 1)

    ok = np.isfinite(values[:, 0])
    band = ok & np.isfinite(values[:, 1]) & np.isfinite(values[:, 2])
    upper = [f"{x(i)},{y(values[i, 2])}" for i in range(len(years)) if band[i]]
    lower = [f"{x(i)},{y(values[i, 1])}" for i in range(len(years)) if band[i]][::-1]
    steps = np.arange(0, ymax + 1e-9, 0.05 if ymax <= 0.4 else 0.1)
    return {
        "width": width, "height": height, "left": left, "right": right,
        "title": fmt.t("chart_title", first=years[0], last=years[-1]),
        "yticks": [{"y": y(v), "label": fmt.pct(v, 0)} for v in steps],
        "xticks": [{"x": x(i), "label": str(yr)} for i, yr in enumerate(years)],
        "band": " ".join(upper + lower) if band.sum() > 1 else "",
        "line": " ".join(f"{x(i)},{y(values[i, 0])}" for i in range(len(years)) if ok[i]),
        "points": [{"x": x(i), "y": y(values[i, 0]),
                    "label": f"{years[i]}: {fmt.pct(values[i, 0])}"}
                   for i in range(len(years)) if ok[i]],
        "target_y": y(target), "target_label": fmt.t("chart_target", target=fmt.pct(target, 0)),
        "national": " ".join(f"{x(i)},{y(nat[i])}" for i in range(len(years))
                             if np.isfinite(nat[i])),
        "national_label": fmt.t("chart_national"),
    }


def _status(fmt: Formatter, row) -> str:
    status = row.target_status
    if status == "on_pace" and pd.notna(row.target_year):
        return fmt.t("status_on_pace", year=int(row.target_year))
    return fmt.t(f"status_{status}")


def _range(fmt: Formatter, row) -> str:
    return fmt.share_range(row.share_low, row.share_high)


def _gap(fmt: Formatter, row) -> str:
    return fmt.gap(row.gap, row.gap_low, row.gap_high)


def _facts(fmt: Formatter, row, national=None) -> dict:
    """The latest year's facts; ``national`` (the nation's row of that year) adds the
    region's difference from the national share."""
    hidden = bool(getattr(row, "suppressed", False))
    versus = None
    if national is not None:
        versus = fmt.t("points_vs_national", diff=fmt.points(row.share - national.share),
                       share=fmt.pct(national.share))
    return {"year": int(row.year), "share": fmt.pct(row.share), "range": _range(fmt, row),
            "target": fmt.pct(row.target, 0), "gap": _gap(fmt, row),
            "change": fmt.points(row.change), "versus": versus,
            "status": fmt.t("status_hidden") if hidden else _status(fmt, row)}


def _region_rows(fmt: Formatter, rows: pd.DataFrame, files: dict | None) -> list[dict]:
    """Table rows of regions; ``files`` maps (level, code) to the region's page."""
    out = []
    for r in rows.sort_values("area").itertuples(index=False):
        hidden = bool(getattr(r, "suppressed", False))
        out.append({"name": r.area_name, "code": r.area,
                    "link": files.get((r.level, r.area)) if files else None,
                    "share": fmt.pct(r.share), "range": _range(fmt, r),
                    "women": fmt.count(r.women, hidden), "men": fmt.count(r.men, hidden),
                    "gap": _gap(fmt, r), "change": fmt.points(r.change),
                    "status": fmt.t("status_hidden") if hidden else _status(fmt, r)})
    return out


def _programme_rows(fmt: Formatter, prog: pd.DataFrame, top: int, minimum: int) -> list:
    size = prog["women"].fillna(0) + prog["men"].fillna(0)
    shown = prog[(size >= minimum) & prog["share"].notna()]
    shown = shown.sort_values(["share", "unit"], ascending=[False, True]).head(top)
    return [{"name": p.unit_name, "share": fmt.pct(p.share), "range": _range(fmt, p),
             "women": fmt.count(p.women), "men": fmt.count(p.men)}
            for p in shown.itertuples(index=False)]


def _segregation_block(fmt: Formatter, seg: pd.DataFrame, scope: str) -> dict:
    indices = ["dissimilarity", "theil_h", "dissimilarity_expected",
               "dissimilarity_standardised"]
    rows = []
    methods: dict[str, set] = {index: set() for index in indices}
    for year, part in seg.groupby("year", sort=True):
        by = part.set_index("index")
        values = []
        for index in indices:
            r = by.loc[index] if index in by.index else None
            if r is None or not np.isfinite(r["value"]):
                values.append(fmt.t("no_data"))
                continue
            if isinstance(r["bounds"], str) and r["bounds"] in ("exact", "monotone",
                                                               "bound", "none"):
                methods[index].add(fmt.t(f"bounds_{r['bounds']}"))
            if np.isfinite(r["low"]) and np.isfinite(r["high"]) and r["low"] < r["high"]:
                values.append(f"{fmt.num(r['value'])} ({fmt.num(r['low'])}–"
                              f"{fmt.num(r['high'])})")
            else:
                values.append(fmt.num(r["value"]))
        rows.append({"year": int(year), "cells": values})
    # which ranges are exact and which are proven bounds, index by index
    method = "; ".join(fmt.t("bounds_index", index=fmt.t(index),
                             method=", ".join(sorted(methods[index])))
                       for index in indices if methods[index])
    return {"header": [fmt.t(i) for i in indices], "rows": rows,
            "note": fmt.t("segregation_note", scope=fmt.t(f"scope_{scope}"),
                          method=method or fmt.t("no_data"))}


def _method(fmt: Formatter, result: MonitorResult, national: pd.DataFrame) -> list[str]:
    from segspatial import __version__

    p = result.parameters
    latest = national.iloc[-1]
    interval = next(iter(result.source.get("censored", {"<5": [1, 4]}).values()))
    parts = [fmt.t("method_share", interval=f"[{interval[0]}, {interval[1]}]",
                   rule=rule_text(fmt.lang, p["point"]), year=int(latest.year),
                   uncensored=fmt.pct(latest.share_uncensored)),
             fmt.t("method_gap")]
    flags = result.source.get("flags") or {}
    if flags:
        low, high = result.source.get("flagged", [1, 4])
        parts.append(fmt.t("method_flags", columns=", ".join(sorted(set(flags.values()))),
                           interval=f"[{low}, {high}]"))
    if result.mapping is not None:
        parts.append(fmt.t("method_regions"))
    if p.get("min_cell") is not None:
        parts.append(fmt.t("method_disclosure", n=p["min_cell"]))
    if result.source.get("sha256"):
        parts.append(fmt.t("file_hash", sha=result.source["sha256"]))
    parts.append(fmt.t("generated", version=__version__))
    return parts


def _exclusion_rows(fmt: Formatter, exclusions: pd.DataFrame, level: str,
                    area: Any) -> list[dict]:
    """What the page's own region lost, per reason and year, in the page's language.

    The national page also lists what the reader left out of the file (rows without a
    level). People are the enrolments concerned in that year (``-`` where a count is
    withheld or unknown).
    """
    if exclusions.empty:
        return []
    ex = exclusions
    mine = (ex["level"] == level) & (ex["area"] == area)
    if level == "national":
        mine |= ex["level"].isna()
    ex = ex[mine.fillna(False).to_numpy(dtype=bool)].copy()
    if ex.empty:
        return []
    ex["low"] = pd.to_numeric(ex["low"], errors="coerce")
    ex["year"] = pd.to_numeric(ex["year"], errors="coerce")
    out = []
    for (reason, year), part in ex.groupby(["reason", "year"], sort=True, dropna=False):
        key = f"reason_{reason}"
        text = (fmt.t(key) if fmt.has(key)
                else f"{reason}: {part['description'].iloc[0]}")
        people = part["low"].sum(min_count=1) if part["low"].notna().all() else np.nan
        out.append({"reason": text, "year": "" if pd.isna(year) else str(int(year)),
                    "people": fmt.count(people)})
    return out


def render_pages(
    result: MonitorResult,
    *,
    lang: str = "en",
    offline: bool = False,
    tiles: Any = None,
    min_cell: int | None = None,
    page_levels: Sequence[str] | None = None,
    top_programmes: int = 10,
    programme_min: int = 20,
) -> Iterable[tuple[str, str]]:
    """The pages as ``(file name, HTML)`` pairs, ``index.html`` first.

    Parameters
    ----------
    result : MonitorResult
        From :func:`~segspatial.monitor.compute.compute_monitor`; disclosed here when
        ``min_cell`` is given.
    lang : {"en", "nl"}
    offline : bool
        Embed Leaflet in the interactive maps (no internet needed, no basemap).
    tiles : str, optional
        A basemap for the interactive maps.
    min_cell : int, optional
        Disclosure control (see :mod:`segspatial.monitor.disclose`).
    page_levels : sequence of str, optional
        Levels with a page per region (default: every level but national and
        municipality).
    top_programmes, programme_min : int
        How many programmes to list, and the least women + men a programme needs.
    """
    fmt = Formatter(lang, min_cell)
    shown = disclose_result(result, min_cell)
    rep, seg, prog = shown.representation, shown.segregation, shown.programmes
    page_levels = _page_levels(shown.levels, page_levels)
    env = _environment()
    template = env.get_template("page.html.j2")
    latest_year = int(rep["year"].max())
    geometries = result.mapping.geometries if result.mapping is not None else {}
    scope = result.parameters["segregation_scope"]
    years = result.years
    source = fmt.t("source", years=f"{years[0]}-{years[-1]}",
                   file=result.source.get("file", ""))
    national = rep[rep["level"] == "national"].sort_values("year")
    method = _method(fmt, shown, national)

    maps = []
    for level in page_levels:
        if level not in geometries:
            continue
        from matplotlib.figure import Figure

        ax = Figure(figsize=(6.2, 6.4), layout="constrained").add_subplot()
        share_map(rep, geometries[level], level=level, year=latest_year, lang=lang,
                  min_cell=min_cell, ax=ax)
        web = share_webmap(rep, geometries[level], level=level, year=latest_year, lang=lang,
                           min_cell=min_cell, offline=offline, tiles=tiles, height=510)
        maps.append({"title": f"{fmt.t('maps', year=latest_year)} "
                              f"({fmt.t('level_' + level)})" if fmt.has(f"level_{level}")
                     else fmt.t("maps", year=latest_year),
                     "png": _png(ax), "html": _map_html(web)})

    def page(rows: pd.DataFrame, *, title: str, code: str | None, region_tables: list,
             level: str, area: str, page_maps: list, back: bool) -> str:
        rows = rows.sort_values("year")
        p = prog[(prog["level"] == level) & (prog["area"] == area)
                 & (prog["year"] == latest_year)]
        s = seg[(seg["level"] == level) & (seg["area"] == area)]
        compare = None if level == "national" else national
        nat_latest = (national[national["year"] == rows["year"].iloc[-1]]
                      if compare is not None else national.iloc[:0])
        return template.render(
            lang=lang, t=fmt.t, title=title, code=code, back=back, empty=None,
            selection=result.parameters["selection"], source=source,
            latest=_facts(fmt, rows.iloc[-1],
                          next(nat_latest.itertuples(index=False), None)),
            chart=_chart(fmt, rows, compare), maps=page_maps,
            region_tables=region_tables,
            programmes=_programme_rows(fmt, p, top_programmes, programme_min),
            programme_min=programme_min, segregation=_segregation_block(fmt, s, scope),
            method=method, exclusions=_exclusion_rows(fmt, shown.exclusions, level, area))

    def empty_page(*, title: str, code: str) -> str:
        """A region where none of the selected programmes is given: its page says so
        instead of showing a share made of nothing."""
        return template.render(
            lang=lang, t=fmt.t, title=title, code=code, back=True,
            empty=fmt.t("empty_region", years=f"{years[0]}-{years[-1]}"),
            selection=result.parameters["selection"], source=source, maps=[],
            region_tables=[], method=method, exclusions=[])

    regions = _page_regions(rep, page_levels, result.mapping)
    _, files = _file_names(page_levels, [(lv, code) for lv, code, _ in regions])
    tables = []
    for level in shown.levels:
        if level == "national":
            continue
        rows = rep[(rep["level"] == level) & (rep["year"] == latest_year)]
        extra = [{"name": name, "code": code, "link": files.get((lv, code)),
                  "share": fmt.t("map_no_data"), "range": "", "women": "", "men": "",
                  "gap": "", "change": "", "status": ""}
                 for lv, code, name in regions
                 if lv == level and code not in set(rep.loc[rep["level"] == level, "area"])]
        body = sorted(_region_rows(fmt, rows, files) + extra, key=lambda r: str(r["code"]))
        tables.append({"title": fmt.t("regions", level=fmt.t(f"level_{level}")
                                      if fmt.has(f"level_{level}") else level),
                       "rows": body})
    yield "index.html", page(national, title=fmt.t("title"), code=None, region_tables=tables,
                             level="national", area=national["area"].iloc[0],
                             page_maps=maps, back=False)
    members = None
    if result.mapping is not None:
        members = result.mapping.table
    muni = rep[(rep["level"] == "municipality") & (rep["year"] == latest_year)]
    for level, area, name in regions:
        rows = rep[(rep["level"] == level) & (rep["area"] == area)]
        if rows.empty:
            yield files[(level, area)], empty_page(title=fmt.t("title_region", name=name),
                                                   code=area)
            continue
        sub = []
        if members is not None and not muni.empty:
            inside = members[(members["level"] == level) & (members["region"] == area)]
            m_rows = muni[muni["area"].isin(inside["municipality"])]
            if not m_rows.empty:
                sub = [{"title": fmt.t("municipalities"),
                        "rows": _region_rows(fmt, m_rows, None)}]
        name = rows["area_name"].iloc[0]
        yield files[(level, area)], page(rows, title=fmt.t("title_region", name=name),
                                         code=area, region_tables=sub, level=level,
                                         area=area, page_maps=[], back=True)


def _page_regions(rep: pd.DataFrame, page_levels: Sequence[str],
                  mapping: Any = None) -> list[tuple[str, Any, Any]]:
    """(level, code, name) of every region page, in page order: every region of the
    level, those without selected enrolments too, from the mapping's polygons
    and table."""
    out = []
    for level in page_levels:
        names: dict[Any, Any] = {}
        if mapping is not None and level != "municipality":  # municipalities: with data
            geo = mapping.geometries.get(level)
            if geo is not None:
                names.update(zip(geo["code"], geo["name"], strict=True))
            table = mapping.table[(mapping.table["level"] == level)
                                  & mapping.table["region"].notna()]
            for code, name in zip(table["region"], table["region_name"], strict=True):
                names.setdefault(code, name)
        part = rep.loc[rep["level"] == level, ["area", "area_name"]].drop_duplicates("area")
        names.update(zip(part["area"], part["area_name"], strict=True))
        for code in sorted(names, key=str):
            name = names[code]
            out.append((level, code, code if name is None or name != name else name))
    return out


def _page_levels(levels: Sequence[str], page_levels: Sequence[str] | None) -> list[str]:
    """The levels with a page per region: default every level but national and
    municipality; given ones are checked (Dutch names accepted)."""
    from segspatial.monitor.regions import level_name

    if page_levels is None:
        return [lv for lv in levels if lv not in ("national", "municipality")]
    if isinstance(page_levels, str):
        page_levels = [page_levels]
    wanted = list(dict.fromkeys(level_name(lv) for lv in page_levels))
    if "national" in wanted:
        raise ValueError("page_levels: 'national' has its page already (index.html); name "
                         "the levels that get a page per region")
    unknown = [lv for lv in wanted if lv not in levels]
    if unknown:
        raise ValueError(f"page_levels: {unknown!r} are not levels of this monitor; its "
                         f"levels are {[lv for lv in levels if lv != 'national']!r}")
    return wanted


def write_monitor(
    result: MonitorResult,
    output: str | os.PathLike,
    *,
    lang: str = "en",
    offline: bool = False,
    tiles: Any = None,
    min_cell: int | None = None,
    page_levels: Sequence[str] | None = None,
    pages: bool = True,
    maps: bool = True,
) -> Path:
    """Write tables, maps and pages into ``output``, atomically.

    The files are written into a temporary folder next to ``output`` that then takes
    its place in one step (:func:`segspatial._write.atomic_folder`: at every moment
    ``output`` holds the complete old or the complete new folder; leftovers of a
    killed run are removed by the next); an existing ``output`` is replaced only when
    it is empty or an earlier monitor folder (it has the marker file :data:`MARKER`).

    Parameters
    ----------
    result : MonitorResult
    output : path
    lang, offline, tiles, min_cell, page_levels
        As for :func:`render_pages`; ``min_cell`` applies to every file written.
    pages, maps : bool
        Write the pages, the map files.

    Returns
    -------
    pathlib.Path
        The folder.

    Raises
    ------
    ValueError
        If ``output`` is a file or a non-empty folder that is not a monitor folder.
    """
    from segspatial._write import atomic_folder
    from segspatial.plot import figure_bytes

    output = Path(output)
    Formatter(lang, min_cell)  # checks lang
    page_levels = _page_levels(result.levels, page_levels)
    shown = disclose_result(result, min_cell)
    with atomic_folder(output, marker=MARKER, what="monitor") as tmp:
        for name, frame in (("representation", shown.representation),
                            ("segregation", shown.segregation),
                            ("programmes", shown.programmes),
                            ("exclusions", shown.exclusions)):
            frame.to_csv(tmp / f"{name}.csv", index=False, lineterminator="\n")
        if result.mapping is not None:
            result.mapping.table.to_csv(tmp / "mapping.csv", index=False, lineterminator="\n")
        meta = {"parameters": shown.parameters,
                "source": {k: v for k, v in result.source.items() if k != "path"}}
        (tmp / "monitor.json").write_text(json.dumps(meta, indent=1, default=str) + "\n",
                                          encoding="utf-8")
        map_files, _ = _file_names(page_levels, [
            (lv, code) for lv, code, _ in _page_regions(shown.representation, page_levels,
                                                        result.mapping)])
        if maps and result.mapping is not None:
            for level in page_levels:
                geo = result.mapping.geometries.get(level)
                if geo is None:
                    continue
                ax = share_map(shown.representation, geo, level=level, lang=lang,
                               min_cell=min_cell)
                (tmp / f"{map_files[level]}.png").write_bytes(
                    figure_bytes(ax.figure, "png", dpi=120))
                web = share_webmap(shown.representation, geo, level=level, lang=lang,
                                   min_cell=min_cell, offline=offline, tiles=tiles)
                (tmp / f"{map_files[level]}.html").write_text(_map_html(web),
                                                              encoding="utf-8")
        if pages:
            for file, html in render_pages(shown, lang=lang, offline=offline, tiles=tiles,
                                           min_cell=min_cell, page_levels=page_levels):
                (tmp / file).write_text(html, encoding="utf-8")
    return output
