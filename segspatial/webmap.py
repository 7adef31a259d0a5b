"""Interactive maps (folium / Leaflet): choropleths and school maps for the web.

Every function returns a :class:`folium.Map`; nothing is written (``Map.save`` or
the command line does that). folium, branca and matplotlib are imported inside the
functions, so ``import segspatial`` stays light.

Safety and disclosure
---------------------
* **Every name is HTML-escaped once**, in Python, before it reaches the page:
  folium's GeoJSON tooltips and popups insert property values with ``innerHTML``,
  so a school called ``<script>alert(1)</script>`` would otherwise run as code. Only
  the escaped texts are put in the GeoJSON properties (no raw boundary attributes).
* ``min_cell=N`` replaces every pupil count below N (pupils, group A, group B) with
  ``"< N"`` in tooltips, popups and labels (statistical disclosure control). On
  school maps, a school with fewer than N pupils in group A or in group B is
  *suppressed*: both group counts read ``"suppressed (a group < N)"``, its share and
  local measures are not shown, and its marker is a neutral grey (no colour that
  encodes the share) with a legend entry saying why; a marker for fewer than N
  pupils is drawn at the size of N. School counts are public and are shown as they are.
* **Legends never cover the areas or schools**: the map opens fitted to the data beside
  or above its legend, whichever leaves the larger zoom (the legend is measured in the
  browser), and its scale bar is metric (folium's own scale control shows miles too).
* **Words in the reader's language** (``lang``, a language of
  :data:`segspatial.text.LANGUAGES`): legend titles and classes, tooltip and popup
  labels, "no data" and every number come from the text catalogue
  (:mod:`segspatial.text`) and :class:`segspatial._format.Formatter`.
* ``offline=True`` embeds Leaflet's JavaScript and CSS (from the installed
  ``XStatic-Leaflet`` package, the same Leaflet version as folium's) in the HTML and
  drops folium's other CDN links (jQuery, Bootstrap, Font Awesome: not used by these
  maps), so the file works without internet. Without ``tiles`` (the offline
  default) there is no basemap.
"""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from segspatial._format import Formatter
from segspatial._mapdata import (
    ABOVE_SCALE_COLOR,
    BELOW_SCALE_COLOR,
    NO_DATA_COLOR,
    SUPPRESSED_COLOR,
    area_map_frame,
    band_text,
    check_min_cell,
    disclose,
    local_measure_columns,
    school_frame,
    suppressed_text,
)
from segspatial._webmap_data import (  # the data side, split by concern
    _each_once,
    _hex,
    _lonlat_shapes,
    _points_geojson,
    _shapes_geojson,
    _wgs84,
)

if TYPE_CHECKING:  # pragma: no cover
    import folium

__all__ = ["DEFAULT_TILES", "choropleth_map", "escape", "leaflet_assets", "school_webmap",
           "to_html"]

#: Basemap used online when ``tiles`` is not given (no basemap when offline).
DEFAULT_TILES = "OpenStreetMap"
_UNSET: Any = object()


def escape(text: Any) -> str:
    """Text made safe for HTML, JavaScript template literals and branca, escaped once.

    ``& < > " '`` become entities (:func:`html.escape`), and so do the backtick, the
    dollar sign and the backslash, which folium places inside JavaScript template
    literals for tooltips and popups, and the braces ``{ }``: branca renders every
    folium element's template and then parses the *output* as a template again
    (``MacroElement.render`` wraps it in ``Element(output)``), so a name with ``{{``,
    ``{%`` or ``{#`` in it would be Jinja2 source (``{{7*7}}`` printing 49, or code
    run). Without a brace from the data, no such delimiter can form. Every text from
    input passes through here before it reaches a map; browsers turn the entities
    back into the characters, so the name is shown as it is.

    Examples
    --------
    >>> escape("<script>alert(1)</script>")
    '&lt;script&gt;alert(1)&lt;/script&gt;'
    >>> escape("De `Klimop` $1")
    'De &#96;Klimop&#96; &#36;1'
    >>> escape("De {{7*7}} School")
    'De &#123;&#123;7*7&#125;&#125; School'
    """
    return html.escape(str(text), quote=True).translate(_MORE_ENTITIES)


_MORE_ENTITIES = str.maketrans({"`": "&#96;", "$": "&#36;", "\\": "&#92;",
                                "{": "&#123;", "}": "&#125;"})


@cache
def leaflet_assets() -> tuple[str, str]:
    """Leaflet's JavaScript and CSS, read from the installed ``XStatic-Leaflet``.

    The CSS's images (layer control, default marker) are inlined as ``data:`` URIs,
    so nothing is fetched. Read once per process (a report embeds them in every page).

    Returns
    -------
    (javascript, css) : tuple of str

    Raises
    ------
    ImportError
        If ``XStatic-Leaflet`` is not installed (``pip install XStatic-Leaflet``).
    """
    try:
        import xstatic.pkg.leaflet as xleaflet
    except ImportError as exc:  # pragma: no cover - it is a dependency
        raise ImportError("offline maps need the XStatic-Leaflet package, which ships "
                          "Leaflet's JavaScript and CSS: pip install XStatic-Leaflet") from exc
    base = Path(xleaflet.BASE_DIR)
    js = (base / "leaflet.js").read_text(encoding="utf-8")
    css = (base / "leaflet.css").read_text(encoding="utf-8")
    for image in sorted((base / "images").glob("*.png")):
        data = base64.b64encode(image.read_bytes()).decode("ascii")
        css = css.replace(f"url(images/{image.name})", f"url(data:image/png;base64,{data})")
    # the script is embedded in <script>; it must not close that tag early
    js = js.replace("</script", "<\\/script")
    js = re.sub(r"//# sourceMappingURL=\S+", "", js)  # no file to fetch
    css = re.sub(r"/\*# sourceMappingURL=\S+ \*/", "", css)
    return js, css


def to_html(m: folium.Map) -> str:
    """The map as a standalone HTML document: the same bytes for the same map.

    branca gives every element a random id (``geo_json_3f9c...``), so ``m.save()``
    writes a different file on every run. Here the page is rendered and each element
    id is replaced by the next number of a counter, in the order the ids first appear
    (see :func:`_stable_ids`); the elements themselves are not touched.

    Parameters
    ----------
    m : folium.Map

    Returns
    -------
    str
    """
    return _stable_ids(m.get_root().render())


#: A name that branca gives an element: its kind and 32 random hex digits, declared as a
#: JavaScript variable (``var geo_json_3f9c... =``) or as an element's ``id``.
_DECLARED_ID = re.compile(r"(?:\b(?:var|let|const)\s+[A-Za-z_$][\w$]*?|\bid=\"[A-Za-z_][\w-]*?)"
                          r"_([0-9a-f]{32})(?![0-9a-f])")
_ANY_ID = re.compile(r"(?<=_)([0-9a-f]{32})(?![0-9a-f])")


def _stable_ids(document: str) -> str:
    """``document`` with branca's random element ids replaced by ``00000001``, ``00000002``
    ... in the order they first appear.

    Only ids that the page declares as an element's variable or ``id`` are replaced
    (wherever they occur, ``map_<id>`` and ``geo_json_<id>_onEachFeature`` alike), so
    no 32-digit hex text from the data is changed. Leaflet's own JavaScript and CSS,
    embedded by offline maps (most of the page), hold no element id and are not
    searched.
    """
    parts = _outside_assets(document)
    declared = {found for text, asset in parts if not asset
                for found in _DECLARED_ID.findall(text)}
    numbers: dict[str, str] = {}

    def number(match: re.Match) -> str:
        found = match[1]
        if found not in declared:
            return found
        if found not in numbers:
            numbers[found] = f"{len(numbers) + 1:08d}"
        return numbers[found]

    return "".join(text if asset else _ANY_ID.sub(number, text) for text, asset in parts)


def _outside_assets(document: str) -> list[tuple[str, bool]]:
    """``document`` in pieces, each with whether it is an embedded Leaflet asset (the
    exact text of :func:`leaflet_assets`)."""
    try:
        assets = leaflet_assets()
    except ImportError:  # pragma: no cover - it is a dependency
        assets = ()
    parts = [(document, False)]
    for asset in assets:
        split = []
        for text, is_asset in parts:
            at = -1 if is_asset else text.find(asset)
            if at < 0:
                split.append((text, is_asset))
            else:
                split += [(text[:at], False), (asset, True), (text[at + len(asset):], False)]
        parts = split
    return parts


def _check_tiles(tiles: Any) -> None:
    if isinstance(tiles, str) and any(d in tiles for d in ("{{", "{%", "{#")):
        raise ValueError(f"tiles must be a basemap name or a tile URL such as "
                         f"'https://tile.example.org/{{z}}/{{x}}/{{y}}.png'; got {tiles!r}, "
                         "which holds template syntax ('{{', '{%' or '{#')")


def _raw_element(content: str):
    """An element that puts ``content`` into the page as it is: the template is the
    fixed ``{{ this.content }}`` and ``content`` a value, rendered once and never
    parsed as a template (added to the figure's header/html, not to a
    ``MacroElement``, whose output branca would parse again)."""
    from branca.element import Element

    element = Element()
    element._template = _compiled("{{ this.content }}")
    element.content = content
    return element


@cache
def _compiled(source: str):
    """One of our own fixed element templates (never text from input), compiled once
    per process: jinja2 compiles a template on every ``Template(...)``, which cost a
    report a compilation per element of every page's map."""
    from jinja2 import Template

    return Template(source)


def _map_script(name: str, source: str, **values: Any):
    """A script run after its parent element (a map or a layer) is made, from one of
    our own fixed templates: ``source`` names the parent's JavaScript variable
    ``{{ parent }}`` and ``values`` (numbers and JSON we built, never text from input).

    branca's ``MacroElement`` would parse the rendered script again as a template
    (``Element(output)``: a Jinja2 compilation per element of every map); this element
    renders ``source`` (compiled once per process, :func:`_compiled`) and puts the
    output into the page's scripts as it is (:func:`_raw_element`), in the same place
    and with the same text."""
    element = _map_script_class()()
    element._name = name
    element.source, element.values = source, values
    return element


@cache
def _map_script_class():
    """The class of :func:`_map_script`'s elements (defined on first use: branca is
    imported only when a web map is made)."""
    from branca.element import Element

    class MapScript(Element):
        def render(self, **kwargs: Any) -> None:
            script = _compiled(self.source).render(parent=self._parent.get_name(),
                                                   **self.values)
            self.get_root().script.add_child(_raw_element(script), name=self.get_name())

    return MapScript


def _metric_scale():
    """Leaflet's scale control in metres and kilometres only (folium's ``control_scale``
    also shows miles). A fixed template: nothing from the data goes into it."""
    return _map_script(
        "MetricScale",
        "L.control.scale({imperial: false, metric: true, maxWidth: 150})"
        ".addTo({{ parent }});")


#: The most height a legend box takes: a taller legend (a very long title from the
#: data) scrolls inside its box rather than leaving no room for the map.
_LEGEND_MAX_PX = 180


def _fit_beside_legend(bounds: Sequence[float]):
    """Fit the map to ``bounds`` (min lon, min lat, max lon, max lat) with the legend's
    room kept free: below the data or beside it, whichever leaves the larger zoom.

    The legend's place is measured in the browser when the map opens (its size depends
    on the fonts and the title; the room kept is from its top or left edge to the map's
    far edge, so a map taller or wider than the frame showing it keeps the legend's
    room too), so the data never lies under it at the start, nor under the scale bar
    at the bottom left; a map without a legend is fitted with a small margin. A fixed
    template: only the four numbers of ``bounds`` are filled in.
    """
    minx, miny, maxx, maxy = (float(v) for v in bounds)
    return _map_script(
        "FitBesideLegend",
        "(function (map) {"
        " var bounds = L.latLngBounds({{ corners }});"
        " var box = map.getContainer().getBoundingClientRect();"
        " function room(selector, side) {"
        " var found = map.getContainer().ownerDocument.querySelector(selector);"
        " if (!found) { return 0; }"
        " var r = found.getBoundingClientRect();"
        " return Math.max(0, side === 'top' ? box.bottom - r.top : box.right - r.left) + 6; }"
        " var scale = room('.leaflet-control-scale', 'top');"
        " var edge = L.point(10, 10);"
        " var below = L.point(10, 10 + Math.max(room('.segspatial-legend', 'top'), scale));"
        " var beside = L.point(10 + room('.segspatial-legend', 'left'), 10 + scale);"
        " var room = map.getBoundsZoom(bounds, false, edge.add(below))"
        " >= map.getBoundsZoom(bounds, false, edge.add(beside)) ? below : beside;"
        " map.fitBounds(bounds, {paddingTopLeft: edge, paddingBottomRight: room});"
        "})({{ parent }});",
        corners=f"[[{miny!r}, {minx!r}], [{maxy!r}, {maxx!r}]]")


def _new_map(bounds: np.ndarray, tiles: Any, offline: bool, width: Any, height: Any):
    """A map fitted to ``bounds``, beside or above its legend (:func:`_fit_beside_legend`),
    with a metric scale bar."""
    import folium

    if tiles is _UNSET:
        tiles = None if offline else DEFAULT_TILES
    if isinstance(tiles, str) and tiles.lower() == "none":
        tiles = None
    _check_tiles(tiles)
    minx, miny, maxx, maxy = (float(v) for v in bounds)
    if not np.all(np.isfinite([minx, miny, maxx, maxy])):
        minx, miny, maxx, maxy = 3.3, 50.7, 7.3, 53.6  # the Netherlands
    m = folium.Map(location=[(miny + maxy) / 2, (minx + maxx) / 2], tiles=tiles,
                   width=width, height=height, control_scale=False,
                   prefer_canvas=False, zoom_snap=0.25)
    m.add_child(_metric_scale())
    m.add_child(_fit_beside_legend((minx, miny, maxx, maxy)))
    if offline:
        js, css = leaflet_assets()
        m.default_js = []  # instance attributes: folium's class lists stay untouched
        m.default_css = []
        root = m.get_root()
        root.header.add_child(_raw_element(f"<style>{css}</style>"), name="leaflet_css")
        root.header.add_child(_raw_element(f"<script>{js}</script>"), name="leaflet_js")
    return m


def _legend_html(title: str, body: str) -> str:
    """A legend box at the bottom right of the map (the map opens beside or above it,
    see :func:`_fit_beside_legend`); ``title`` is escaped here, ``body`` is markup."""
    return (
        '<div class="segspatial-legend" style="position:absolute;z-index:1000;bottom:28px;'
        "right:12px;background:rgba(255,255,255,0.92);padding:8px 10px;border-radius:4px;"
        "font:12px/1.4 sans-serif;box-shadow:0 1px 4px rgba(0,0,0,0.3);max-width:260px;"
        f'max-height:{_LEGEND_MAX_PX}px;overflow:auto">'
        f'<div style="font-weight:bold;margin-bottom:4px">{escape(title)}</div>{body}</div>'
    )


def add_legend(m: Any, title: str, body: str) -> None:
    """Put the legend box (:func:`_legend_html`) on map ``m`` and its ``title`` in the
    page's ``<title>`` too (the browser's tab names the figure, not the file)."""
    m.get_root().title = escape(title)  # branca writes it as it is
    m.get_root().html.add_child(_raw_element(_legend_html(title, body)))


def _swatch(color: str, label: str) -> str:
    return (f'<div><span style="display:inline-block;width:14px;height:14px;'
            f'background:{color};margin-right:6px;vertical-align:middle"></span>'
            f"{escape(label)}</div>")


def _gradient(cmap, ticks: Sequence[tuple[float, str]]) -> str:
    stops = ", ".join(f"{c} {100 * i / 10:.0f}%"
                      for i, c in enumerate(_hex(cmap(np.linspace(0, 1, 11)))))
    # a tick is centred on its place, the end ones end there: inside the legend's box
    labels = "".join(
        f'<span style="position:absolute;left:{100 * pos:.1f}%;transform:translateX('
        f'-{0 if pos <= 0 else 100 if pos >= 1 else 50}%);white-space:nowrap">'
        f"{escape(text)}</span>" for pos, text in ticks)
    return (f'<div style="width:220px;height:12px;background:linear-gradient(to right, '
            f'{stops})"></div><div style="position:relative;width:220px;height:16px;'
            f'font-size:11px">{labels}</div>')


def _clickable(layer: Any, links: Mapping[Any, str]):
    """A click on a feature of ``layer`` opens ``links[code]`` in the top window (the
    report's index map opens a municipality's page). The links are JSON with every
    character that could end the script or form a template delimiter escaped (branca
    parses a macro's output as a template again), so they stay data."""

    def string(value: Any) -> str:  # a JavaScript string with no < > & { } % # in it
        text = json.dumps(str(value), ensure_ascii=True)
        for char in "<>&{}%#":
            text = text.replace(char, f"\\u{ord(char):04x}")
        return text

    pages = sorted((escape(code), url) for code, url in links.items())
    text = "{" + ", ".join(f"{string(c)}: {string(u)}" for c, u in pages) + "}"
    click = _map_script(
        "OpenPage",
        "(function (layer, pages) {"
        " layer.on('click', function (e) {"
        " var page = pages[e.layer.feature.properties.code];"
        " if (page) { window.top.location.href = page; } });"
        "})({{ parent }}, {{ pages }});",
        pages=text)
    layer.add_child(click)


def _tooltip_fields(fields: Sequence[tuple[str, str]]):
    keys = [k for k, _ in fields]
    aliases = [escape(label) for _, label in fields]
    return keys, aliases


def choropleth_map(
    results: pd.DataFrame,
    boundaries: Any = None,
    *,
    index: str = "dissimilarity",
    area_code: str | None = None,
    name: str | None = None,
    comparison: Any = None,
    year: Any = None,
    bandwidth: Any = None,
    scheme: str | None = None,
    k: int = 5,
    vmin: float | None = None,
    vmax: float | None = None,
    cmap: Any = None,
    tiles: Any = _UNSET,
    offline: bool = False,
    min_cell: int | None = None,
    width: str | int = "100%",
    height: str | int = "100%",
    lang: str = "en",
    title: str | None = None,
    label_a: str | None = None,
    label_b: str | None = None,
    links: Mapping[Any, str] | None = None,
) -> folium.Map:
    """An interactive choropleth of one index per area, with tooltips.

    The colours are those of :func:`segspatial.plot.choropleth` (the index's own
    scale: the report's fixed 0 to 0.8, dark green to dark red, for D; or classes;
    values beyond the scale in colours of their own, each with a legend entry). Each
    area's tooltip shows its name, code, the value (3 decimals, 2 with ``min_cell``,
    or "no data"), the number of schools and of pupils (rounded with ``min_cell``,
    ``"< N"`` below it). All names are HTML-escaped. The legend's title names the
    index, comparison and year in words; the map opens with the legend's height kept
    free at the bottom, so it covers no area.

    Parameters
    ----------
    results, boundaries, index, area_code, name, comparison, year, bandwidth
        As in :func:`segspatial.plot.choropleth`.
    scheme, k, vmin, vmax, cmap
        As in :func:`segspatial.plot.choropleth`.
    lang, title, label_a, label_b
        As in :func:`segspatial.plot.choropleth`, for the legend.
    tiles : str or None
        A folium basemap name or URL; None (or ``"none"``) for no basemap. Default
        ``"OpenStreetMap"`` online, none when ``offline``.
    offline : bool
        Embed Leaflet's JavaScript and CSS in the page (see :func:`leaflet_assets`).
    min_cell : int, optional
        Disclosure control: ``results`` must come from
        :func:`segspatial.disclosure.protect_results` (or ``segspatial indices
        --min-cell N``) with at least this N; pupil counts are shown rounded to
        multiples of 5, below N as ``"< min_cell"``.
    width, height
        Size of the map in the page.
    links : mapping, optional
        Area code -> URL: a click on an area opens its URL in the top window (the
        report's index page links each municipality to its page).

    Returns
    -------
    folium.Map
    """
    import folium
    from matplotlib.colors import Normalize

    from segspatial._figure import _check_scale, note_no_values, out_of_scale, scale_colormap
    from segspatial._scales import check_given, resolve_scale
    from segspatial.plot import _class_colors, classify

    check_given(vmin, vmax)
    min_cell = check_min_cell(min_cell)
    digits = 3  # the value in the tooltip; published values have 2 with min_cell
    if min_cell is not None:
        from segspatial.disclosure import Policy, check_published

        check_published(results, min_cell)
        digits = Policy(min_cell).digits
    words = Formatter(lang)
    frame, selection = area_map_frame(results, boundaries, index=index, area_code=area_code,
                                      name=name, comparison=comparison, year=year,
                                      bandwidth=bandwidth)
    vmin, vmax, cmap, own = resolve_scale(index, frame["value"], vmin, vmax, cmap)
    note_no_values(words, index, frame["value"], selection.reasons)
    _check_scale(vmin, vmax)
    if frame.crs is not None:
        frame = frame.to_crs("EPSG:4326")
    cmap = scale_colormap(cmap)
    norm = Normalize(vmin, vmax)
    values = frame["value"].to_numpy(dtype=np.float64)
    missing = ~np.isfinite(values)
    fill = np.array([NO_DATA_COLOR] * len(frame), dtype=object)
    if title is None:
        title = words.selection_title(index, **selection.describe(), label_a=label_a,
                                      label_b=label_b)
    entries = []
    if scheme is None:
        fill[~missing] = _hex(cmap(norm(values[~missing])))
        ticks = [(p, words.decimal(vmin + p * (vmax - vmin), 2))
                 for p in (0, 0.25, 0.5, 0.75, 1)]
        body = _gradient(cmap, ticks)
        below, above = out_of_scale(values, vmin, vmax)
        entries += ([(BELOW_SCALE_COLOR, words.below(vmin, random=own.below_random))]
                    if below else [])
        entries += [(ABOVE_SCALE_COLOR, words.above(vmax))] if above else []
    else:
        classes, bins = classify(values, scheme, k=k, lang=lang, vmin=vmin, vmax=vmax,
                                 index=index)
        colors = _hex(np.array(_class_colors(bins, cmap, norm)))
        for i, color in enumerate(colors):
            fill[classes == i] = color
        body = ""
        entries += [(colors[i], bins[i][2])
                    for i in sorted(range(len(bins)), key=lambda i: bins[i][0])]
    if missing.any():
        entries.append((NO_DATA_COLOR, words.text("fig_no_data")))
    body += "".join(_swatch(color, label) for color, label in entries)
    properties = pd.DataFrame({
        "name": [escape(v) for v in frame["name"]],
        "code": [escape(v) for v in frame["code"]],
        "value": [words.text("fig_no_data") if not np.isfinite(v)
                  else words.number(v, digits) for v in values],
        "schools": [disclose(v, None, lang=lang) for v in frame["n_units"]],
        "pupils": [disclose(v, min_cell, lang=lang) for v in frame["n_pupils"]],
        "fill": fill,
    })
    if links:  # an area without a page was not selected (--only): not "no data"
        absent = ~frame["code"].isin(list(links)).to_numpy()
        properties.loc[absent, ["value", "schools", "pupils"]] = words.text(
            "report_fix.not_in_report")
    import geopandas as gpd

    layer = gpd.GeoDataFrame(properties, geometry=frame.geometry.to_numpy(), crs=frame.crs)
    m = _new_map(layer.total_bounds if len(layer) else np.full(4, np.nan), tiles, offline,
                 width, height)
    keys, aliases = _tooltip_fields([("name", words.text("web_name")),
                                     ("code", words.text("web_code")),
                                     ("value", words.index_symbol(selection.index)),
                                     ("schools", words.text("web_schools")),
                                     ("pupils", words.text("web_pupils"))])
    areas = folium.GeoJson(
        layer.__geo_interface__,
        name=escape(title),
        style_function=lambda f: {"fillColor": f["properties"]["fill"], "color": "#ffffff",
                                  "weight": 0.6, "fillOpacity": 0.85},
        highlight_function=lambda f: {"weight": 2.5, "color": "#333333"},
        tooltip=folium.GeoJsonTooltip(fields=keys, aliases=aliases, sticky=True),
    ).add_to(m)
    if links:
        _clickable(areas, links)
    add_legend(m, title, body)
    return m


def school_webmap(
    data: pd.DataFrame,
    unit: str,
    group_a: str,
    group_b: str,
    *,
    x: str | None = None,
    y: str | None = None,
    crs: Any = None,
    name: str | None = None,
    area: str | None = None,
    total: str | None = None,
    measures: Sequence[str] | None = None,
    boundaries: Any = None,
    boundary_name: str | None = None,
    boundary_code: str | None = None,
    cmap: Any = "RdBu_r",
    max_radius: float | None = None,
    group_labels: Mapping[str, str] | None = None,
    tiles: Any = _UNSET,
    offline: bool = False,
    min_cell: int | None = None,
    published: pd.DataFrame | None = None,
    width: str | int = "100%",
    height: str | int = "100%",
    lang: str = "en",
    title: str | None = None,
    frame: pd.DataFrame | None = None,
) -> folium.Map:
    """An interactive school map: circles sized by pupils, coloured by share of A.

    As :func:`segspatial.plot.school_map`: the diverging colour scale is centred on
    the share of group A in each school's area. Each school has a tooltip and a
    popup with its id, name, pupils, group counts (``"< N"`` below ``min_cell``),
    share of group A and, when present, its local measures (``p``, ``p_local``,
    ``gap``, ``d_contribution``, ``spatial_d_contribution`` from
    :func:`segspatial.spatial.local_measures`, or the ``measures`` named).

    With ``min_cell=N``, a school with fewer than N pupils in group A or in group B
    is suppressed (:func:`segspatial._mapdata.suppressed_schools`): its group
    counts read ``"suppressed (a group < N)"``, its share and every measure read
    ``"not shown"``, and its marker is grey, with a legend entry ("share not shown:
    a group has fewer than N pupils"). Otherwise a = share x pupils, a = pupils - b
    or p = a / t would give the hidden count back. Where an area has exactly one such
    school, a second one is suppressed too (complementary suppression, so the area's
    totals do not give it back), and in an area with a suppressed school no school
    shows its local measures (its neighbours' local shares would).

    Parameters
    ----------
    data, unit, group_a, group_b, x, y, name, area, total
        As in :func:`segspatial.plot.school_map`.
    crs : optional
        CRS of ``x``/``y`` (e.g. ``"EPSG:28992"``); required unless ``data`` is a
        GeoDataFrame with a CRS. Points are shown in WGS84.
    measures : sequence of str, optional
        Per-school columns to show in the popup (default the known local measures
        that are present).
    boundaries : GeoDataFrame, optional
        Area outline(s), drawn without fill.
    boundary_name : str, optional
        Column of ``boundaries`` with the area name for the outline's tooltip and,
        with ``area``, the popups' area row (default ``statnaam`` or ``name``).
    boundary_code : str, optional
        Column of ``boundaries`` with the codes of the ``area`` column (default
        ``statcode`` when present): the popups name each school's area by its name.
    cmap : str or Colormap
        A diverging colour map.
    max_radius : float, optional
        Radius in pixels of the largest school's circle; default 14 for up to 60
        schools, smaller for more (14 x sqrt(60 / n), at least 6), so that the
        circles of a large city do not cover each other.
    group_labels : mapping, optional
        Display names for the group columns, as noun phrases (e.g. ``{"a": "pupils
        with a disadvantage background"}``), used in the popups and the legend;
        default a known group's name (``"non-western pupils"``), else "group A" /
        "group B" in ``lang`` (as the static map).
    tiles, offline, width, height
        As in :func:`choropleth_map`.
    min_cell : int, optional
        Disclosure control: pupil counts below it are shown as ``"< min_cell"``,
        and schools with a group below it are suppressed (see above).
    published : pandas.DataFrame, optional
        With ``min_cell``: :func:`segspatial.disclosure.publish_schools` of these rows
        (one row per row of ``data``), when the caller has it (a report); computed
        otherwise.
    lang : str
        Language of the legend, tooltips and popups (``"en"``, ``"nl"``).
    title : str, optional
        The legend's title (default "Share of <group A>").
    frame : pandas.DataFrame, optional
        The schools as :func:`segspatial._mapdata.school_frame` gives them for these
        arguments (with ``extra`` the ``measures`` shown), when the caller has it: a
        report page draws its static and its interactive map from one frame.

    Returns
    -------
    folium.Map
    """
    import folium
    import geopandas as gpd

    from segspatial._figure import _colormap
    from segspatial._mapdata import guess_name_column

    min_cell = check_min_cell(min_cell)
    if max_radius is not None and not (np.isfinite(max_radius) and max_radius > 0):
        raise ValueError(f"max_radius must be a positive number, got {max_radius!r}")
    words = Formatter(lang)
    given = dict(group_labels or {})
    label_a = words.group(group_a, given.get(group_a), which="a")  # escaped where shown
    label_b = words.group(group_b, given.get(group_b), which="b")
    if crs is None:
        crs = getattr(data, "crs", None)
    if crs is None:
        raise ValueError("crs is required: the coordinate reference system of x and y "
                         "(e.g. 'EPSG:28992' for Dutch RD coordinates)")
    measure_columns = local_measure_columns(data, measures)
    if frame is None:
        frame = school_frame(data, unit, group_a, group_b, x=x, y=y, name=name, area=area,
                             total=total, extra=measure_columns, min_cell=min_cell,
                             published=published)
    schools = points = frame
    lon, lat = _wgs84(crs, schools["x"].to_numpy(), schools["y"].to_numpy())
    cmap = _colormap(cmap)
    biggest = float(points["size"].max()) or 1.0
    if max_radius is None:
        max_radius = float(np.clip(14.0 * np.sqrt(60 / len(points)), 6.0, 14.0))
    radius = np.maximum(2.0, max_radius * np.sqrt(points["size"].to_numpy() / biggest))
    hidden = points["suppressed"].to_numpy(dtype=bool)
    not_shown = words.text("web_not_shown")
    if min_cell is None:
        props = {
            "school": [escape(v) for v in points["unit"]],
            "name": [escape(v) for v in points["name"]],
            "pupils": [disclose(v, min_cell, lang=lang) for v in points["pupils"]],
            "group_a": [disclose(v, min_cell, lang=lang) for v in points["a"]],
            "group_b": [disclose(v, min_cell, lang=lang) for v in points["b"]],
            "share_a": [words.percent(v, 1) for v in points["share"]],
            "area_share_a": [words.percent(v, 1) for v in points["centre"]],
        }
        fields = [("school", words.text("web_school")), ("name", words.text("web_name")),
                  ("pupils", words.text("web_pupils")),
                  ("group_a", label_a), ("group_b", label_b),
                  ("share_a", words.text("web_share_of", a=label_a)),
                  ("area_share_a", words.text("web_area_share_of", a=label_a))]
    else:  # disclosure mode: no group counts; a band, or "suppressed"
        suppressed = suppressed_text(min_cell, lang=lang)
        props = {
            "school": [escape(v) for v in points["unit"]],
            "name": [escape(v) for v in points["name"]],
            "pupils": _each_once(points["pupils"], lambda v: f"< {min_cell}"
                                 if not np.isfinite(v) else disclose(v, min_cell, lang=lang)),
            "share_a": [suppressed if h else band_text(lo, hi)
                        for lo, hi, h in zip(points["band_low"], points["band_high"],
                                             hidden, strict=True)],
            "area_share_a": _each_once(points["centre"], lambda v: not_shown
                                       if not np.isfinite(v) else words.percent(v, 0)),
        }
        fields = [("school", words.text("web_school")), ("name", words.text("web_name")),
                  ("pupils", words.text("web_pupils")),
                  ("share_a", words.text("web_share_of", a=label_a)),
                  ("area_share_a", words.text("web_area_share_of", a=label_a))]
    if area is not None:
        names = _area_names(boundaries, boundary_code, boundary_name)
        props["area"] = [escape(names.get(str(v), v)) for v in points["area"]]
        fields.insert(2, ("area", words.text("web_area")))
    for i, column in enumerate(measure_columns):
        values = schools[f"_m{i}"].to_numpy(dtype=np.float64)
        props[f"m{i}"] = [not_shown if h else "" if not np.isfinite(v)
                          else words.significant(v, 4)
                          for v, h in zip(values, schools["measures_hidden"], strict=True)]
        fields.append((f"m{i}", str(column)))
    fill = np.array(_hex(cmap(np.nan_to_num(points["relative"].to_numpy(), nan=0.5))),
                    dtype=object)
    fill[hidden] = SUPPRESSED_COLOR
    props["fill"] = fill.tolist()
    props["radius"] = radius.round(2)
    layer = _points_geojson(lon, lat, props)
    outline = None
    if boundaries is not None:
        from segspatial._figure import _outline

        shapes = _outline(boundaries, None)
        label_col = (guess_name_column(boundaries, boundary_name)
                     if isinstance(boundaries, gpd.GeoDataFrame) else None)
        area_names = [escape(v) for v in (boundaries[label_col] if label_col
                                          else [""] * len(shapes))]
        outline = _shapes_geojson(_lonlat_shapes(shapes), {"area": area_names})
    centres = points["centre"].unique()
    if len(centres) == 1 and np.isfinite(centres[0]):  # NaN: withheld (disclosure)
        ticks = [(0, words.percent(0)), (0.5, words.percent(float(centres[0]))),
                 (1, words.percent(1))]
    else:
        ticks = [(0, words.percent(0)), (0.5, words.text("fig_area_share")),
                 (1, words.percent(1))]
    body = _gradient(cmap, ticks) + (f'<div style="font-size:11px">'
                                     f'{escape(words.text("fig_circle_area"))}</div>')
    if hidden.any():
        body += _swatch(SUPPRESSED_COLOR, words.text("fig_suppressed", n=min_cell))
    legend_title = title or words.text("fig_share_of", a=label_a)
    bounds = (outline if outline is not None else layer)["bbox"]
    m = _new_map(bounds, tiles, offline, width, height)
    if outline is not None:
        # one area (a report's page): its name as a plain tooltip, the same text as a
        # GeoJsonTooltip shows, which costs a map two template compilations more
        tooltip = (None if not any(area_names)
                   else folium.Tooltip(area_names[0]) if len(area_names) == 1
                   else folium.GeoJsonTooltip(fields=["area"], labels=False))
        folium.GeoJson(
            outline, name="area",
            style_function=lambda f: {"fill": False, "color": "#444444", "weight": 1.5},
            tooltip=tooltip,
        ).add_to(m)
    keys, aliases = _tooltip_fields(fields)
    folium.GeoJson(
        layer, name="schools",
        marker=folium.CircleMarker(radius=4, fill=True),
        style_function=lambda f: {"radius": f["properties"]["radius"],
                                  "fillColor": f["properties"]["fill"], "color": "#333333",
                                  "weight": 0.6, "fillOpacity": 0.85},
        tooltip=folium.GeoJsonTooltip(fields=keys[:3], aliases=aliases[:3]),
        popup=folium.GeoJsonPopup(fields=keys, aliases=aliases),
    ).add_to(m)
    add_legend(m, legend_title, body)
    return m


def _area_names(boundaries: Any, code: str | None, name: str | None) -> dict[str, Any]:
    """Area code -> name from the boundaries' code and name columns (empty when they
    have no such columns)."""
    import geopandas as gpd

    from segspatial._mapdata import guess_name_column

    if not isinstance(boundaries, gpd.GeoDataFrame):
        return {}
    code = code if code is not None else "statcode"
    name = guess_name_column(boundaries, name)
    if code not in boundaries.columns or name is None:
        return {}
    return {str(c): n for c, n in zip(boundaries[code], boundaries[name], strict=True)
            if pd.notna(n) and str(n) != ""}
