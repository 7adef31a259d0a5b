"""Maps of the share of women per region against the target (static and interactive).

The colour scale is diverging and centred on the target: red below it, blue above,
white at the target, from 0 to twice the target; shares beyond it get a colour of
their own with a legend entry (and an extend arrow on the static colour bar), never
the end of the scale; the tooltip gives the exact value. Regions without an hbo
location are light grey; suppressed regions (disclosure control) darker grey. Legends
are drawn under the static map and kept clear of the regions on the interactive one.
Region names reach the interactive map only as escaped GeoJSON properties shown by
folium's tooltip, and the static map draws no data text at all (titles and legends
come from the catalogue).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from segspatial.monitor._text import Formatter

if TYPE_CHECKING:  # pragma: no cover
    import folium
    from matplotlib.axes import Axes

__all__ = ["HIDDEN_COLOR", "share_map", "share_webmap"]

CMAP = "RdBu"
HIDDEN_COLOR = "#8c8c8c"


def _text(value: Any) -> str:
    """A name for a map property: :func:`segspatial.webmap.escape`, which also turns
    ``{``/``}`` into entities.

    folium re-renders a map's elements as Jinja2 templates (``MacroElement.render``
    wraps its output in an ``Element``), so braces in a GeoJSON property would be
    template source; as entities they show as braces and are never evaluated.
    """
    from segspatial.webmap import escape

    return escape(value)


def _frame(representation: pd.DataFrame, geometries: Any, level: str, year: Any):
    """Regions of a level with the row of ``year`` (all polygons kept)."""
    rep = representation[(representation["level"] == level)]
    if rep.empty:
        raise ValueError(f"the monitor has no level {level!r}; it has "
                         f"{sorted(representation['level'].unique())!r}")
    year = int(rep["year"].max()) if year is None else int(year)
    rep = rep[rep["year"] == year]
    if rep.empty:
        raise ValueError(f"year {year} is not in the monitor")
    frame = geometries[["code", "name", "geometry"]].merge(
        rep.drop(columns=["area_name"]), left_on="code", right_on="area", how="left")
    if "suppressed" not in frame.columns:
        frame["suppressed"] = False
    frame["suppressed"] = frame["suppressed"].fillna(False).astype(bool)
    return frame, year


def _norm(target: float):
    from matplotlib.colors import TwoSlopeNorm

    return TwoSlopeNorm(vmin=0.0, vcenter=target, vmax=min(1.0, 2 * target))


def _cmap():
    """The diverging colour map, with its own colour for shares above the scale."""
    import matplotlib

    from segspatial._mapdata import ABOVE_SCALE_COLOR

    return matplotlib.colormaps[CMAP].with_extremes(over=ABOVE_SCALE_COLOR)


def _above(frame, target: float) -> bool:
    """Whether a region's share lies above the scale (twice the target, at most 1)."""
    share = frame["share"].to_numpy(dtype=float)
    return bool((share[np.isfinite(share)] > _norm(target).vmax).any())


def _fills(frame, target: float) -> np.ndarray:
    from matplotlib.colors import to_hex

    from segspatial._mapdata import NO_DATA_COLOR

    norm = _norm(target)
    share = frame["share"].to_numpy(dtype=float)
    ok = np.isfinite(share)
    fill = np.full(len(frame), NO_DATA_COLOR, dtype=object)
    fill[ok] = [to_hex(c) for c in _cmap()(norm(np.maximum(share[ok], 0.0)))]
    fill[frame["suppressed"].to_numpy()] = HIDDEN_COLOR
    return fill


def share_map(representation: pd.DataFrame, geometries: Any, *, level: str,
              year: Any = None, target: float | None = None, lang: str = "en",
              min_cell: int | None = None, ax: Axes | None = None) -> Axes:
    """A static choropleth of the share of women per region, centred on the target.

    Parameters
    ----------
    representation : pandas.DataFrame
        :attr:`MonitorResult.representation` (disclosed when publishing).
    geometries : geopandas.GeoDataFrame
        ``code, name, geometry`` of the level's regions
        (:attr:`RegionMapping.geometries`).
    level : str
        The level to draw.
    year : int, optional
        Default: the latest.
    target : float, optional
        Default: the level's target in the table.
    lang : {"en", "nl"}
    min_cell : int, optional
        Only for the legend entry of suppressed regions.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    from matplotlib.cm import ScalarMappable
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    from segspatial._figure import legend_below, set_title
    from segspatial._mapdata import ABOVE_SCALE_COLOR, NO_DATA_COLOR

    fmt = Formatter(lang, min_cell)
    frame, year = _frame(representation, geometries, level, year)
    target = float(frame["target"].dropna().iloc[0]) if target is None else float(target)
    if ax is None:
        ax = Figure(figsize=(6.2, 7.0), layout="constrained").add_subplot()
    frame = frame.to_crs("EPSG:28992") if frame.crs is not None else frame
    frame.plot(ax=ax, color=_fills(frame, target), edgecolor="#ffffff", linewidth=0.5)
    ax.set_axis_off()
    ax.set_aspect("equal")
    norm = _norm(target)
    above = _above(frame, target)
    bar = ax.figure.colorbar(ScalarMappable(norm=norm, cmap=_cmap()), ax=ax,
                             orientation="horizontal", shrink=0.7, pad=0.02,
                             extend="max" if above else "neither")
    ticks = [0.0, target / 2, target, (target + norm.vmax) / 2, norm.vmax]
    bar.set_ticks(ticks)
    bar.set_ticklabels([fmt.pct(t, 0) for t in ticks])
    bar.set_label(fmt.t("map_legend", target=fmt.pct(target, 0)))
    handles = ([Patch(facecolor=ABOVE_SCALE_COLOR, label=fmt.t("map_above",
                                                                value=fmt.pct(norm.vmax, 0)))]
               if above else [])
    handles.append(Patch(facecolor=NO_DATA_COLOR, label=fmt.t("map_no_data")))
    if frame["suppressed"].any():
        handles.append(Patch(facecolor=HIDDEN_COLOR, label=fmt.t("map_hidden", n=min_cell)))
    legend_below(ax, handles, fontsize=8)
    what = fmt.t("share_women")
    what = what[:1].upper() + what[1:]
    set_title(ax, f"{what}, {fmt.t('level_' + level)}, {year}"
              if fmt.has(f"level_{level}") else f"{what}, {year}")
    return ax


def share_webmap(representation: pd.DataFrame, geometries: Any, *, level: str,
                 year: Any = None, target: float | None = None, lang: str = "en",
                 min_cell: int | None = None, offline: bool = False, tiles: Any = None,
                 width: str | int = "100%", height: str | int = "100%") -> folium.Map:
    """An interactive choropleth (folium) of the share of women against the target.

    Each region's tooltip gives its name and code, the share with its range, the
    target and the women still needed; names are HTML-escaped GeoJSON properties.
    Parameters as for :func:`share_map`, plus ``offline`` (embed Leaflet), ``tiles``
    (a basemap; default none offline, OpenStreetMap online), ``width``/``height``.

    Returns
    -------
    folium.Map
    """
    import folium
    import geopandas as gpd

    from segspatial._mapdata import ABOVE_SCALE_COLOR, NO_DATA_COLOR
    from segspatial.webmap import (
        _UNSET,
        _gradient,
        _legend_html,
        _new_map,
        _raw_element,
        _swatch,
        escape,
    )

    fmt = Formatter(lang, min_cell)
    frame, year = _frame(representation, geometries, level, year)
    target = float(frame["target"].dropna().iloc[0]) if target is None else float(target)
    frame = frame.to_crs("EPSG:4326") if frame.crs is not None else frame
    hidden = frame["suppressed"].to_numpy()

    def share_text(row) -> str:
        if row.suppressed:
            return fmt.t("map_hidden", n=min_cell)
        if not np.isfinite(row.share):
            return fmt.t("map_no_data")
        return f"{fmt.pct(row.share)} ({fmt.share_range(row.share_low, row.share_high)})"

    rows = list(frame.itertuples(index=False))
    props = pd.DataFrame({
        "name": [_text(v) for v in frame["name"]],
        "code": [_text(v) for v in frame["code"]],
        "share": [share_text(r) for r in rows],
        "gap": [fmt.t("no_data") if h else fmt.gap(r.gap, r.gap_low, r.gap_high)
                for r, h in zip(rows, hidden, strict=True)],
        "fill": _fills(frame, target),
    })
    layer = gpd.GeoDataFrame(props, geometry=frame.geometry.to_numpy(), crs="EPSG:4326")
    norm = _norm(target)
    above = _above(frame, target)
    title = f'{fmt.t("map_legend", target=fmt.pct(target, 0))}, {year}'
    m = _new_map(layer.total_bounds, _UNSET if tiles is None else tiles, offline, width,
                 height)
    fields = [("name", fmt.t("name")), ("code", fmt.t("code")),
              ("share", fmt.t("share_women")), ("gap", fmt.t("gap"))]
    folium.GeoJson(
        layer.__geo_interface__, name="share",
        style_function=lambda f: {"fillColor": f["properties"]["fill"], "color": "#ffffff",
                                  "weight": 0.8, "fillOpacity": 0.85},
        highlight_function=lambda f: {"weight": 2.5, "color": "#333333"},
        tooltip=folium.GeoJsonTooltip(fields=[k for k, _ in fields],
                                      aliases=[escape(v) for _, v in fields], sticky=True),
    ).add_to(m)
    ticks = [(0.0, fmt.pct(0, 0)), (0.5, fmt.pct(target, 0)), (1.0, fmt.pct(norm.vmax, 0))]
    body = _gradient(_cmap(), ticks)
    if above:
        body += _swatch(ABOVE_SCALE_COLOR, fmt.t("map_above", value=fmt.pct(norm.vmax, 0)))
    body += _swatch(NO_DATA_COLOR, fmt.t("map_no_data"))
    if hidden.any():
        body += _swatch(HIDDEN_COLOR, fmt.t("map_hidden", n=min_cell))
    m.get_root().html.add_child(_raw_element(_legend_html(title, body)))
    return m
