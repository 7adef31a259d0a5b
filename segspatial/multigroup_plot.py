"""Figures and maps for several groups at once: the income H(p) profile and local scores.

* :func:`profile_chart` — H(p) against the income percentile threshold, with the
  polynomial fit of the rank-order index (:mod:`segspatial.rankorder`).
* :func:`local_scores_map` (matplotlib) and :func:`local_scores_webmap` (folium) —
  schools as circles sized by pupils and coloured by their local segregation score
  (:func:`segspatial.multigroup_local.local_scores`): where the schools whose
  composition is most unlike their municipality's are.

Names are data: on static figures every text from the input is drawn with mathtext
off; on web maps names are HTML-escaped (:func:`segspatial.webmap.escape`) and only
passed as GeoJSON properties shown by folium's ``GeoJsonTooltip``/``GeoJsonPopup``,
never as template or markup source. ``min_cell=N`` hides the scores of every school
with a group below N (and of a second school in an area with exactly one such school),
as on the two-group school maps (:func:`segspatial._mapdata.suppressed_schools`): a
score together with the school's pupils and the area's composition can give a small
count back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from segspatial._mapdata import (
    SUPPRESSED_COLOR,
    check_min_cell,
    disclose,
    suppressed_schools,
)
from segspatial.text import t
from segspatial.webmap import _UNSET

if TYPE_CHECKING:  # pragma: no cover
    import folium
    from matplotlib.axes import Axes

__all__ = ["LOCAL_VALUES", "local_scores_map", "local_scores_webmap", "profile_chart"]

#: What a local-scores map can show: column -> legend title (in English; the maps take
#: their words in the reader's language from the text catalogue, ``fig_local_<column>``).
LOCAL_VALUES: dict[str, str] = {
    column: t("en", f"fig_local_{column}")
    for column in ("ls", "m_contribution", "h_contribution", "entropy")
}


def _text(value: Any) -> str:
    """A name for a web map: HTML-escaped, and without braces, which branca would read
    as template delimiters when it re-renders folium's output (``{{7*7}}`` -> 49)."""
    from segspatial.webmap import escape

    return escape(value).replace("{", "&#123;").replace("}", "&#125;")


def _no_mathtext(ax: Any) -> None:
    """Every text of ``ax`` (title, labels, tick labels, legend) drawn as plain text."""
    texts = [ax.title, ax.xaxis.label, ax.yaxis.label, *ax.get_xticklabels(),
             *ax.get_yticklabels()]
    legend = ax.get_legend()
    if legend is not None:
        texts += [*legend.get_texts(), legend.get_title()]
    for text in texts:
        text.set_parse_math(False)


def profile_chart(profile: pd.DataFrame, *, area: Any = None, year: Any = None,
                  label: str | None = None, show_fit: bool = True, lang: str = "en",
                  title: str | None = None, ax: Axes | None = None) -> Axes:
    """The income profile H(p): Theil's H of the split at each percentile threshold.

    Parameters
    ----------
    profile : pandas.DataFrame
        :attr:`segspatial.rankorder.RankOrderResult.profile` (columns ``p`` (or
        ``threshold``), ``theil_h``, ``fitted``, and ``area``/``year`` when given). H
        and the fit are drawn against p, the area's own share of pupils at or below
        each threshold, the variable of the fit and of H^R.
    area, year : optional
        The area and year to draw; required when the profile holds several.
    label : str, optional
        Legend text for the profile (e.g. the municipality's name), drawn as plain
        text (never parsed as mathtext). Default ``"H(p)"``.
    show_fit : bool
        Also draw the polynomial fit of the rank-order index.
    lang : {"en", "nl"}
        Language of the title, labels and numbers.
    title : str, optional
        The title (default "Income profile H(p)" with the label and year; ``""``: none).
    ax : matplotlib Axes, optional
        Draw here; default a new figure.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If the profile holds several areas or years and none is chosen, or the choice is
        not in it.
    """
    from segspatial._figure import _new_axes, formatter, legend_below, set_title

    words = formatter(lang)
    if not isinstance(profile, pd.DataFrame):
        raise TypeError(f"profile must be a DataFrame, got {type(profile).__name__}")
    frame = profile
    for column, wanted in (("area", area), ("year", year)):
        if column not in frame.columns or not frame[column].notna().any():
            continue
        values = list(pd.unique(frame[column]))
        if wanted is None:
            if len(values) > 1:
                raise ValueError(f"{column}: the profile holds {len(values)} values; pass "
                                 f"{column}= one of {values[:5]!r}")
            continue
        frame = frame[frame[column] == wanted]
        if frame.empty:
            raise ValueError(f"{column}: {wanted!r} is not in the profile")
    created = ax is None
    ax = _new_axes(ax, (6.4, 4.6))
    # H(p) and the fit are functions of p, the area's own share at or below the
    # threshold (with national ranks it differs from the threshold)
    x = frame["p" if "p" in frame.columns else "threshold"].to_numpy(dtype=np.float64)
    line = ax.plot(x, frame["theil_h"].to_numpy(dtype=np.float64), marker="o",
                   linewidth=1.5, label=words.text("fig_hp_line") if label is None
                   else words.data(label))[0]
    if show_fit and "fitted" in frame.columns:
        ax.plot(x, frame["fitted"].to_numpy(dtype=np.float64), linestyle="--",
                color=line.get_color(), alpha=0.7, label=words.text("fig_hp_fit"))
    ax.set_xlim(0, 1)
    ax.set_ylim(bottom=0)
    ax.set_xlabel(words.text("fig_hp_x"))
    ax.set_ylabel(words.text("fig_hp_y"))
    ax.xaxis.set_major_formatter(words.tick_formatter())
    ax.yaxis.set_major_formatter(words.tick_formatter(digits=4))
    handles, _ = ax.get_legend_handles_labels()
    if created:  # under the figure: it covers no line
        legend_below(ax, handles, figure=True)
    else:
        ax.legend(frameon=False)
    if title is None:
        title = words.title(words.text("fig_hp_title"), None if label is None
                            else words.data(label), year)
    set_title(ax, title)
    _no_mathtext(ax)
    return ax


def _local_frame(local: pd.DataFrame, value: str, x: str, y: str, groups: Sequence[str] | None,
                 area: str | None, min_cell: int | None) -> pd.DataFrame:
    if not isinstance(local, pd.DataFrame):
        raise TypeError(f"local must be a DataFrame, got {type(local).__name__}")
    if value not in LOCAL_VALUES:
        raise ValueError(f"value must be one of {list(LOCAL_VALUES)!r}, got {value!r}")
    groups = [] if groups is None else [groups] if isinstance(groups, str) else list(groups)
    if min_cell is not None and not groups:
        raise ValueError("min_cell needs groups=[...]: the group count columns decide which "
                         "schools are suppressed")
    needed = [x, y, value, "pupils", *groups, *([area] if area else [])]
    missing = [c for c in needed if c not in local.columns]
    if missing:
        raise ValueError(f"local: missing columns {missing!r}; pass extra=[x, y] to "
                         "segspatial.multigroup_local.local_scores to carry coordinates")
    out = pd.DataFrame({
        "x": pd.to_numeric(local[x], errors="coerce").to_numpy(dtype=np.float64),
        "y": pd.to_numeric(local[y], errors="coerce").to_numpy(dtype=np.float64),
        "value": local[value].to_numpy(dtype=np.float64),
        "pupils": local["pupils"].to_numpy(dtype=np.float64),
    })
    smallest = (local[groups].to_numpy(dtype=np.float64).min(axis=1) if groups
                else np.full(len(local), np.inf))
    out["suppressed"] = suppressed_schools(smallest, smallest, min_cell,
                                           local[area].to_numpy() if area else None)
    out.loc[out["suppressed"], "value"] = np.nan
    out["size"] = out["pupils"] if min_cell is None else np.maximum(out["pupils"], min_cell)
    located = np.isfinite(out["x"]) & np.isfinite(out["y"])
    return out.loc[located].assign(_row=np.flatnonzero(located.to_numpy()))


def local_scores_map(
    local: pd.DataFrame,
    *,
    value: str = "ls",
    x: str = "x",
    y: str = "y",
    crs: Any = None,
    groups: Sequence[str] | None = None,
    area: str | None = None,
    boundaries: Any = None,
    cmap: Any = "viridis",
    vmax: float | None = None,
    max_size: float = 250.0,
    min_cell: int | None = None,
    legend: bool = True,
    lang: str = "en",
    title: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Schools as circles sized by pupils, coloured by a local segregation score.

    The colour bar and the note on suppressed schools are drawn under the map,
    outside the axes. A score above ``vmax`` is drawn in its own colour, with an
    extend arrow and a legend entry (never as the top of the scale).

    Parameters
    ----------
    local : pandas.DataFrame
        :func:`segspatial.multigroup_local.local_scores` for one area-year (or
        several), with coordinate columns carried through ``extra=[x, y]``.
    value : str
        The score: ``ls`` (default), ``m_contribution``, ``h_contribution`` or
        ``entropy`` (see :data:`LOCAL_VALUES`).
    x, y : str
        Coordinate columns.
    crs : optional
        CRS of the coordinates; boundaries in another CRS are reprojected to it.
    groups : sequence of str, optional
        The group count columns (needed with ``min_cell``).
    area : str, optional
        The area column, for complementary suppression per area.
    boundaries : GeoDataFrame, GeoSeries or shapely geometry, optional
        Outline(s) drawn without fill.
    cmap : str or Colormap
        A sequential colour map (0 = the area's composition).
    vmax : float, optional
        Top of the colour scale (default the largest score shown).
    max_size : float
        Marker area (points²) of the largest school.
    min_cell : int, optional
        Disclosure control: schools with a group below it are grey, without a score.
    legend : bool
        Draw the colour bar (and the suppression note).
    lang : {"en", "nl"}
        Language of the title, legend and numbers.
    title : str, optional
        The title (default "<score> per school"; ``""``: none).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    from matplotlib.colors import Normalize
    from matplotlib.lines import Line2D

    from segspatial._figure import (
        ABOVE_COLOR,
        _colormap,
        _new_axes,
        _outline,
        extend,
        formatter,
        legend_below,
        map_figsize,
        out_of_scale,
        out_of_scale_handles,
        set_title,
    )

    words = formatter(lang)
    min_cell = check_min_cell(min_cell)
    frame = _local_frame(local, value, x, y, groups, area, min_cell)
    if not (np.isfinite(max_size) and max_size > 0):
        raise ValueError(f"max_size must be a positive number, got {max_size!r}")
    outline = _outline(boundaries, crs)
    ax = _new_axes(ax, map_figsize(
        outline.total_bounds if outline is not None and len(outline) else
        [frame["x"].min(), frame["y"].min(), frame["x"].max(), frame["y"].max()]))
    if outline is not None:
        outline.boundary.plot(ax=ax, color="#444444", linewidth=0.8)
    shown = frame["value"].to_numpy()
    top = vmax if vmax is not None else (float(np.nanmax(shown)) if np.isfinite(shown).any()
                                         else 1.0)
    norm = Normalize(0.0, top if top > 0 else 1.0)
    cmap = _colormap(cmap).with_extremes(bad=SUPPRESSED_COLOR, over=ABOVE_COLOR)
    biggest = float(frame["size"].max()) if len(frame) else 1.0
    sizes = max_size * frame["size"].to_numpy() / (biggest or 1.0)
    order = np.argsort(-sizes, kind="stable")
    points = ax.scatter(frame["x"].to_numpy()[order], frame["y"].to_numpy()[order],
                        s=sizes[order], c=shown[order], cmap=cmap, norm=norm,
                        edgecolors="#333333", linewidths=0.4, plotnonfinite=True)
    ax.set_aspect("equal")
    ax.set_axis_off()
    what = words.text(f"fig_local_{value}")
    set_title(ax, words.text("fig_local_title", value=what) if title is None else title)
    if legend:
        _, above = out_of_scale(shown, 0.0, norm.vmax)
        bar = ax.figure.colorbar(points, ax=ax, location="bottom", shrink=0.7, pad=0.02,
                                 aspect=30, extend=extend(False, above))
        bar.set_label(what)
        bar.ax.xaxis.label.set_parse_math(False)
        bar.ax.xaxis.set_major_formatter(words.tick_formatter())
        handles = out_of_scale_handles(words, False, above, 0.0, norm.vmax)
        if frame["suppressed"].any():
            handles.append(Line2D([], [], linestyle="", marker="o", markersize=8,
                                  markerfacecolor=SUPPRESSED_COLOR, markeredgecolor="#333333",
                                  label=words.text("fig_suppressed", n=min_cell)))
        legend_below(ax, handles)
    _no_mathtext(ax)
    return ax


def local_scores_webmap(
    local: pd.DataFrame,
    *,
    value: str = "ls",
    x: str = "x",
    y: str = "y",
    crs: Any = None,
    unit: str = "unit",
    name: str | None = None,
    groups: Sequence[str] | None = None,
    area: str | None = None,
    boundaries: Any = None,
    cmap: Any = "viridis",
    vmax: float | None = None,
    max_radius: float = 12.0,
    tiles: Any = _UNSET,
    offline: bool = False,
    min_cell: int | None = None,
    width: str | int = "100%",
    height: str | int = "100%",
    lang: str = "en",
) -> folium.Map:
    """An interactive map of local segregation scores (folium).

    Circles sized by pupils and coloured by ``value``; each school's tooltip and popup
    show its id, name, area, pupils (``"< N"`` below ``min_cell``) and its scores. All
    texts are escaped and passed as GeoJSON properties only.

    Parameters
    ----------
    local, value, x, y, crs, groups, area, boundaries, cmap, vmax, min_cell
        As in :func:`local_scores_map`; ``crs`` is required (points are shown in WGS84).
    unit : str
        The school id column.
    name : str, optional
        A school name column.
    max_radius : float
        Radius in pixels of the largest school's circle.
    tiles : str or None
        A folium basemap name or URL; None (or ``"none"``) for no basemap. Default
        ``"OpenStreetMap"`` online, none when ``offline``.
    offline : bool
        Embed Leaflet in the page (see :func:`segspatial.webmap.leaflet_assets`).
    width, height
        Size of the map in the page.
    lang : {"en", "nl"}
        Language of the legend and of the scores' names in the popups.

    Returns
    -------
    folium.Map
    """
    import folium
    import geopandas as gpd
    from matplotlib.colors import Normalize

    from segspatial._figure import ABOVE_COLOR, _colormap, _outline, out_of_scale
    from segspatial._format import Formatter
    from segspatial._mapdata import suppressed_text
    from segspatial.webmap import (
        _gradient,
        _hex,
        _new_map,
        _swatch,
        _tooltip_fields,
        add_legend,
        escape,
    )

    words = Formatter(lang)
    min_cell = check_min_cell(min_cell)
    if crs is None:
        raise ValueError("crs is required: the coordinate reference system of x and y "
                         "(e.g. 'EPSG:28992' for Dutch RD coordinates)")
    for column in (unit, name):
        if column is not None and column not in local.columns:
            raise ValueError(f"local: missing column {column!r}")
    frame = _local_frame(local, value, x, y, groups, area, min_cell)
    rows = local.iloc[frame["_row"].to_numpy()]
    hidden = frame["suppressed"].to_numpy(dtype=bool)
    shown = frame["value"].to_numpy()
    top = vmax if vmax is not None else (float(np.nanmax(shown)) if np.isfinite(shown).any()
                                         else 1.0)
    norm = Normalize(0.0, top if top > 0 else 1.0)
    cmap = _colormap(cmap).with_extremes(over=ABOVE_COLOR)
    fill = np.array(_hex(cmap(norm(np.nan_to_num(shown)))), dtype=object)
    fill[hidden] = SUPPRESSED_COLOR
    biggest = float(frame["size"].max()) if len(frame) else 1.0
    radius = np.maximum(2.0, max_radius * np.sqrt(frame["size"].to_numpy() / (biggest or 1)))
    withheld = suppressed_text(min_cell, lang=lang) if hidden.any() else ""
    props: dict[str, Any] = {
        "school": [_text(v) for v in rows[unit]],
        "pupils": [disclose(v, min_cell, lang=lang) for v in frame["pupils"]],
    }
    fields = [("school", words.text("web_school"))]
    if name is not None:
        props["name"] = [_text(v) for v in rows[name]]
        fields.append(("name", words.text("web_name")))
    if area is not None:
        props["area"] = [_text(v) for v in rows[area]]
        fields.append(("area", words.text("web_area")))
    fields.append(("pupils", words.text("web_pupils")))
    for column in LOCAL_VALUES:
        if column in rows.columns:
            values = rows[column].to_numpy(dtype=np.float64)
            props[column] = [withheld if h else "" if not np.isfinite(v)
                             else words.significant(v, 4)
                             for v, h in zip(values, hidden, strict=True)]
            fields.append((column, words.text(f"fig_local_{column}")))
    props["fill"] = fill.tolist()
    props["radius"] = radius.round(2).tolist()
    points = gpd.GeoSeries(gpd.points_from_xy(frame["x"], frame["y"]), crs=crs
                           ).to_crs("EPSG:4326")
    layer = gpd.GeoDataFrame(props, geometry=points.to_numpy(), crs="EPSG:4326")
    outline = _outline(boundaries, None)
    if outline is not None and outline.crs is not None:
        outline = outline.to_crs("EPSG:4326")
    ticks = [(p, words.decimal(p * norm.vmax, 3)) for p in (0, 0.5, 1)]
    body = _gradient(cmap, ticks)
    body += f'<div style="font-size:11px">{escape(words.text("fig_local_note"))}</div>'
    _, above = out_of_scale(shown, 0.0, norm.vmax)
    if above:
        body += _swatch(ABOVE_COLOR, words.above(norm.vmax))
    if hidden.any():
        body += _swatch(SUPPRESSED_COLOR, words.text("fig_suppressed", n=min_cell))
    legend_title = words.text(f"fig_local_{value}")
    bounds = (outline if outline is not None else layer).total_bounds
    m = _new_map(bounds, tiles, offline, width, height)
    if outline is not None:
        folium.GeoJson(gpd.GeoDataFrame(geometry=outline.to_numpy(), crs="EPSG:4326"
                                        ).__geo_interface__, name="area",
                       style_function=lambda f: {"fill": False, "color": "#444444",
                                                 "weight": 1.5}).add_to(m)
    keys, aliases = _tooltip_fields(fields)
    folium.GeoJson(
        layer.__geo_interface__, name="schools",
        marker=folium.CircleMarker(radius=4, fill=True),
        style_function=lambda f: {"radius": f["properties"]["radius"],
                                  "fillColor": f["properties"]["fill"], "color": "#333333",
                                  "weight": 0.6, "fillOpacity": 0.85},
        tooltip=folium.GeoJsonTooltip(fields=keys[:2], aliases=aliases[:2]),
        popup=folium.GeoJsonPopup(fields=keys, aliases=aliases),
    ).add_to(m)
    add_legend(m, legend_title, body)
    return m
