"""Rendering and writing: pages from templates, written atomically.

:func:`render_report` renders ``templates/index.html`` and one
``templates/area.html`` per area, with the contexts of :mod:`._index` and
:mod:`._sections`; :func:`write_report` writes them with
:func:`segspatial._write.atomic_folder`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from segspatial.compute import SegregationResult
from segspatial.counts import EXCLUSION_COLUMNS
from segspatial.report._canvas import MapCanvas
from segspatial.report._context import _Ctx
from segspatial.report._data import MARKER, ReportData, report_data
from segspatial.report._env import render, static
from segspatial.report._index import index_page
from segspatial.report._sections import area_page
from segspatial.text import check_lang


def _page(ctx: _Ctx, template: str, page: dict[str, Any], **extra: Any) -> str:
    return render(template, lang=ctx.lang, t=ctx.t, page=page, css=static("report.css"),
                  **extra)


def _area_page(ctx: _Ctx, data: ReportData, code: str, name: str, table: pd.DataFrame,
               counts: pd.DataFrame, spatial: pd.DataFrame, profile: pd.DataFrame,
               exclusions: pd.DataFrame, changes: pd.DataFrame | None = None,
               outline: Any = None) -> str:
    return _page(ctx, "area.html", area_page(ctx, data, code, name, table, counts, spatial,
                                             profile, exclusions, changes, outline))


def _index_page(ctx: _Ctx, data: ReportData) -> str:
    return _page(ctx, "index.html", index_page(ctx, data), sort_js=static("sort.js"))


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

    from segspatial.disclosure import policy, protect_changes, protect_report
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
    # the audit covers no multigroup number (M, H, the split, local scores, H^R): the
    # sections say they are withheld and publish nothing else
    several = data.multigroup.withhold() if data.multigroup is not None else None
    return replace(data, areas=areas, table=protected.table, spatial=protected.spatial,
                   profile=protected.profile, exclusions=protected.exclusions,
                   changes=protect_changes(data.changes, protected.intervals, rules),
                   disclosure=protected, multigroup=several), protected


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
    stamp: str | datetime | None = None,
    progress: bool | Callable[[int, int], Any] = False,
    title: str | None = None,
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
    stamp : str or datetime.datetime, optional
        A time stamp (a datetime, written in the page's locale, or any text) shown in
        the method section; none by default, so reruns give byte-identical pages.
    progress : bool or callable
        Show a progress bar on standard error (tqdm when installed), or call
        ``progress(done, total)`` after each area page; an exception raised by it stops
        the report (:func:`write_report` then leaves the folder as it was).

    title : str, optional
        The report's name: the index page's heading and window title (plain text,
        escaped; default "School segregation per municipality" in ``lang``).

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
               columns=dict(data.parameters.get("group_columns") or {}),
               canvas=MapCanvas(), title=None if title is None else str(title))
    yield "index.html", _index_page(ctx, data)
    tables = {a: f for a, f in data.table.groupby("area")}
    counts = {a: f for a, f in data.counts.groupby("area")}
    spatial = {a: f for a, f in data.spatial.groupby("area")}
    profile = {a: f for a, f in data.profile.groupby("area")}
    changes = {a: f for a, f in data.changes.groupby("area")}
    outlines = {a: f for a, f in data.boundaries.groupby("code", sort=False)}
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
            per_area.get(area.code, pd.DataFrame(columns=empty)),
            changes.get(area.code, data.changes.iloc[:0]),
            outlines.get(area.code, data.boundaries.iloc[:0]))


def check_output(output: str | os.PathLike) -> None:
    """Raise now if :func:`write_report` would refuse ``output`` (a file, or a
    non-empty folder that is not a report), before anything is computed; nothing is
    written.

    Raises
    ------
    ValueError
    """
    from segspatial._write import check_folder

    check_folder(output, marker=MARKER, what="report")


def write_report(
    data: ReportData,
    output: str | os.PathLike,
    *,
    lang: str = "en",
    offline: bool = False,
    min_cell: int | None = None,
    stamp: str | datetime | None = None,
    progress: bool | Callable[[int, int], Any] = False,
    title: str | None = None,
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
    lang, offline, min_cell, stamp, progress, title
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
                                        stamp=stamp, progress=progress, title=title):
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
