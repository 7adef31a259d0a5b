"""Charts of a page: small inline SVG line charts and the static maps as PNG data URLs."""

from __future__ import annotations

import base64
import math
from collections.abc import Sequence
from functools import cache
from typing import Any

from markupsafe import Markup

from segspatial.report._context import _Ctx
from segspatial.report._env import entities, render


def svg_chart(ctx: _Ctx, series: Sequence[dict], xlabels: Sequence[str], *, title: str,
              width: int = 250, height: int = 170, ymax: float = 0.8,
              bands: bool = True, key: bool = True, heading: str | None = None) -> Markup:
    """A small line chart as inline SVG on a fixed y scale (0 to ``ymax``), with its
    title, key and note in HTML around it (:func:`chart_html`).

    ``series``: dicts with ``values`` (NaN = gap), ``label`` (plain text), ``color``,
    ``dash`` and optionally ``low`` and ``high`` (the confidence interval of each
    value: drawn as a vertical error bar with caps, clipped to the scale; NaN = none).
    Values outside the scale are drawn at the edge as hollow dots, with a note under
    the chart saying so; each dot's tooltip gives the exact value (and its interval).
    ``title`` names the chart (shown above it and read out by screen readers);
    ``heading`` replaces the title shown (``""``: none, when the page's heading above
    says it). ``key``: a key of the lines under a chart of more than one series
    (``False`` where one key serves several charts, :func:`chart_key`).
    """
    outside_any = any(math.isfinite(float(v)) and not 0 <= float(v) <= ymax
                      for s in series for v in s["values"])
    left, right, top, bottom = 34, 10, 10, 26
    pw, ph = width - left - right, height - top - bottom
    n = max(len(xlabels), 1)

    def px(i: int) -> float:
        return left + (pw * (i + 0.5) / n)

    def py(v: float) -> float:
        return top + ph * (1 - min(max(v, 0.0), ymax) / ymax)

    band_rects = [{"y": f"{py(hi):.1f}", "h": f"{py(lo) - py(hi):.1f}", "color": color}
                  for lo, hi, color in ((0.0, 0.3, "#e3f3df"), (0.3, 0.6, "#fdf2d0"),
                                        (0.6, ymax, "#fadcd8"))
                  if bands and lo < ymax]
    step = 0.2
    grid = [{"y": f"{py(k * step):.1f}", "ty": f"{py(k * step) + 4:.1f}",
             "label": ctx.num(k * step, 1)} for k in range(int(round(ymax / step)) + 1)]
    every = max(1, math.ceil(n * 42 / pw))  # about 42 px per label
    labels = [{"x": f"{px(i):.1f}", "y": top + ph + 18, "label": label}
              for i, label in enumerate(xlabels) if not (n - 1 - i) % every]
    note = (ctx.t("chart_outside", low=ctx.num(0, 1), high=ctx.num(ymax, 1))
            if outside_any else "")
    drawn = []
    for s in series:
        values = [float(v) for v in s["values"]]
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
        low = [float(v) for v in s.get("low", [math.nan] * len(values))]
        high = [float(v) for v in s.get("high", [math.nan] * len(values))]
        has_bar = [math.isfinite(v) and math.isfinite(lo) and math.isfinite(hi)
                   for v, lo, hi in zip(values, low, high, strict=True)]
        dots = [{"x": f"{px(i):.1f}", "y": f"{py(v):.1f}",
                 "fill": "#ffffff" if v < 0 or v > ymax else s["color"],
                 "label": xlabels[i], "value": ctx.num(v, 3),
                 "ci": ctx.interval(low[i], high[i], 3, value=v) if has_bar[i] else ""}
                for i, v in enumerate(values) if math.isfinite(v)]
        bars = [{"x": f"{px(i):.1f}", "x0": f"{px(i) - 3:.1f}", "top": f"{py(high[i]):.1f}",
                 "bottom": f"{py(low[i]):.1f}"}
                for i in range(len(values)) if has_bar[i]]
        drawn.append({"runs": [" ".join(r) for r in runs if len(r) > 1], "dots": dots,
                      "bars": bars, "color": s["color"], "dash": s.get("dash"),
                      "label": s["label"]})
    return chart_html(width=width, height=height, left=left, pw=pw, title=title,
                      heading=heading, bands=band_rects, grid=grid, xlabels=labels,
                      note=note, series=drawn, key=key)


def chart_html(*, title: str, heading: str | None = None, series: Sequence[dict],
               key: bool = True, note: str = "", **drawing: Any) -> Markup:
    """A drawn chart (``templates/chart.svg``: ``width``, ``height``, ``left``, ``pw``,
    ``bands``, ``grid``, ``xlabels`` and ``series`` with ``runs``, ``dots``, ``bars``,
    ``color``, ``dash`` and ``label``) with its title above it, the key of its lines
    under it when it draws more than one (``key``) and ``note`` (templates/chart.html:
    HTML text wraps, an SVG text would be cut off at the chart's edge)."""
    lines = chart_key(series) if key and len(series) > 1 else []
    html = render("chart.html", title=title, heading=title if heading is None else heading,
                  series=series, key=lines, note=note, **drawing)
    return Markup(html)  # rendered by an autoescaping template: safe to embed


def chart_key(series: Sequence[dict]) -> list[dict[str, Any]]:
    """The key of a chart's lines (``templates/chart_key.html``): colour, dashed or
    not, and name of each series."""
    return [{"color": s["color"], "dash": bool(s.get("dash")), "label": s["label"]}
            for s in series]


def has_values(series: Sequence[dict]) -> bool:
    """Whether a chart's series hold a value to draw."""
    return any(math.isfinite(float(v)) for s in series for v in s["values"])


def png(figure: Any, dpi: int = 90) -> str:
    """A matplotlib figure as a PNG ``data:`` URL (fixed metadata: byte-identical).

    The maps' axes are off; their x and y axes are hidden too, so matplotlib does not
    lay out tick labels that are never drawn (most of a map's drawing time). The PNG
    is compressed at zlib level 1: the same pixels as the default level in a third
    less time (encoding was a third of a page's map), for about 7 kB more a map.
    """
    from segspatial.plot import figure_bytes

    for ax in figure.axes:
        if not ax.axison:
            ax.xaxis.set_visible(False)
            ax.yaxis.set_visible(False)

    data = base64.b64encode(figure_bytes(figure, "png", dpi=dpi,
                                                compress_level=1)).decode("ascii")
    return f"data:image/png;base64,{data}"


def iframe_document(m: Any) -> Markup:
    """A folium map as the HTML document of an ``iframe``'s ``srcdoc``, escaped for the
    attribute by the pages' one escape path (:func:`segspatial.report._env.entities`),
    piece by piece: Leaflet's JavaScript and CSS, embedded in every offline map and
    most of its text, are escaped once per process."""
    from segspatial.webmap import _outside_assets, to_html

    return Markup("".join(_escaped_asset(text) if asset else str(entities(text))
                          for text, asset in _outside_assets(to_html(m))))


@cache
def _escaped_asset(text: str) -> str:
    return str(entities(text))
