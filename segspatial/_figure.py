"""What every static figure shares (private): literal text, titles, legends, scales, bytes.

* **Data is text, never markup**: :func:`_text` cleans a name for drawing and
  :func:`_literal` turns mathtext and TeX off on the artists that hold it.
* **Human labels in the reader's language**: :func:`formatter` gives the
  :class:`~segspatial._format.Formatter` of a language, which cleans data with
  :func:`_text`.
* **Nothing covers the map**: titles are wrapped to the axes' width and legends go
  outside the axes (:func:`legend_below`), where constrained layout makes room.
* **Nothing out of scale is drawn silently as the scale's end**: values below the
  scale's minimum and above its maximum get their own colours (:data:`BELOW_COLOR`,
  :data:`ABOVE_COLOR`), extend arrows on the colour bar and legend entries
  (:func:`scale_colormap`, :func:`out_of_scale`).
* **Same figure, same bytes** (:func:`figure_bytes`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import numpy as np

from segspatial._format import Formatter
from segspatial._mapdata import (
    ABOVE_SCALE_COLOR,
    BELOW_SCALE_COLOR,
    NO_DATA_COLOR,
    REPORT_CMAP,
)

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

#: Longest text from the data (a name, code, label) drawn in a static figure, in
#: characters; longer ones are shortened with "…".
MAX_LABEL = 100
#: Keyword arguments that make a title or axis label literal (see :func:`_literal`).
_LITERAL = {"parse_math": False, "usetex": False}
_LINE_BREAKS = re.compile(r"[\t\n\r\x0b\x0c\x85\u2028\u2029]")
_UNDRAWABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
#: What :func:`_clean_texts` replaces: :data:`_UNDRAWABLE` but the line feed.
_UNDRAWN = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
#: White margin round every saved figure, in inches: nothing drawn (a title, a legend)
#: ever touches or crosses the image's edge.
PAD_INCHES = 0.1
#: Colours of values below / above a colour scale (never the scale's end colours).
BELOW_COLOR = BELOW_SCALE_COLOR
ABOVE_COLOR = ABOVE_SCALE_COLOR


def _clean(value: Any) -> str:
    """Any text as a figure can draw it (the one sanitiser of drawn text): line breaks
    become spaces; other control characters (which SVG, being XML, cannot hold and no
    font has a glyph for) and lone surrogates become U+FFFD. Titles, labels, legend
    entries and, before saving, every text of a figure pass through it."""
    return _UNDRAWABLE.sub("\ufffd", _LINE_BREAKS.sub(" ", str(value)))


def _text(value: Any) -> str:
    """Text from the data as a static figure draws it.

    Data is never markup: each text artist holding it is made literal
    (:func:`_literal`). Here it is cleaned (:func:`_clean`), and text longer than
    :data:`MAX_LABEL` characters is shortened with "…".
    """
    text = _clean(value)
    return text if len(text) <= MAX_LABEL else text[:MAX_LABEL - 1] + "…"


def _clean_texts(figure: Any) -> None:
    """Clean every text of ``figure`` before it is drawn (:func:`_clean`, keeping the
    line breaks segspatial puts into titles and legend entries), so a control
    character that reached an artist some other way is drawn as U+FFFD, never as a
    missing glyph with a font warning."""
    from matplotlib.text import Text

    for text in figure.findobj(Text):
        content = text.get_text()
        if isinstance(content, str) and _UNDRAWN.search(content):
            text.set_text(_UNDRAWN.sub("\ufffd", content))


def formatter(lang: str) -> Formatter:
    """Numbers and labels in ``lang`` for a static figure (data cleaned by :func:`_text`)."""
    return Formatter(lang, data=_text)


#: Static formats :func:`figure_bytes` writes.
STATIC_FORMATS = ("png", "svg", "pdf")
#: Per format: metadata left out, so the same figure gives the same bytes.
_NO_DATES = {"png": {"Software": None}, "svg": {"Date": None},
             "pdf": {"CreationDate": None}}


def figure_bytes(figure: Any, format: str, *, dpi: float = 150,
                 compress_level: int | None = None) -> bytes:
    """The figure as PNG, SVG or PDF: the same bytes for the same figure.

    No creation date or software version is embedded, and SVG ids come from a fixed
    salt. The image is the figure's drawn extent with a margin of :data:`PAD_INCHES`
    on every side (a title or legend is never cut at the edge), and every text is
    cleaned first (:func:`_clean_texts`). SVG keeps text as text
    (``svg.fonttype: none``): names are searchable and appear literally in the file
    (escaped as XML by matplotlib).

    Parameters
    ----------
    figure : matplotlib.figure.Figure
    format : {"png", "svg", "pdf"}
    dpi : float
        Resolution of PNG output (and of images inside SVG and PDF).
    compress_level : int, optional
        PNG only: the zlib level, 1 (fastest) to 9 (smallest); default Pillow's (6).
        The pixels are the same at every level (PNG is lossless); a report's maps use
        1, a third less time for about a quarter more bytes.

    Returns
    -------
    bytes
    """
    import io

    import matplotlib as mpl

    if format not in STATIC_FORMATS:
        raise ValueError(f"format must be one of {', '.join(STATIC_FORMATS)}, got {format!r}")
    if compress_level is not None and not (
            isinstance(compress_level, int) and 0 <= compress_level <= 9):
        raise ValueError(f"compress_level must be an integer from 0 to 9, got "
                         f"{compress_level!r}")
    options = ({"pil_kwargs": {"compress_level": compress_level}}
               if format == "png" and compress_level is not None else {})
    buffer = io.BytesIO()
    _clean_texts(figure)
    with mpl.rc_context({"svg.hashsalt": "segspatial", "svg.fonttype": "none"}):
        figure.savefig(buffer, format=format, dpi=dpi, metadata=_NO_DATES[format],
                       bbox_inches="tight", pad_inches=PAD_INCHES, **options)
    return buffer.getvalue()


def rgba_png_bytes(rgba: Any, *, dpi: float, compress_level: int | None = None) -> bytes:
    """A drawn image (an Agg canvas' ``buffer_rgba()``, rows from the top) as PNG
    bytes, written as :func:`figure_bytes` writes a figure drawn at ``dpi`` (the same
    metadata, so the same bytes for the same pixels); ``compress_level`` as there."""
    import io

    from matplotlib.image import imsave

    buffer = io.BytesIO()
    imsave(buffer, rgba, format="png", origin="upper", dpi=dpi, metadata=_NO_DATES["png"],
           pil_kwargs=None if compress_level is None else {"compress_level": compress_level})
    return buffer.getvalue()


def pdf_pages_bytes(figures: Any) -> bytes:
    """Several figures as the pages of one PDF: the same bytes for the same figures
    (no creation date)."""
    import io

    import matplotlib as mpl
    from matplotlib.backends.backend_pdf import PdfPages

    stream = io.BytesIO()
    with mpl.rc_context({"svg.hashsalt": "segspatial"}), PdfPages(
            stream, metadata=_NO_DATES["pdf"]) as buffer:  # the pages, in memory
        for figure in figures:
            _clean_texts(figure)
            figure.savefig(buffer, format="pdf", bbox_inches="tight", pad_inches=PAD_INCHES)
    return stream.getvalue()


def _literal(*artists: Any) -> None:
    """Draw the text of these artists as it is: no mathtext, no TeX.

    matplotlib reads text with two ``$`` as mathtext (``$\\foo$`` fails, ``$x^2$`` is
    typeset) and, with ``text.usetex``, hands every text to LaTeX. Names, codes and
    labels from the data are text only. Legends are given whole (their texts and
    title); ``None`` is skipped.
    """
    from matplotlib.legend import Legend

    for artist in artists:
        if artist is None:
            continue
        texts = ([*artist.get_texts(), artist.get_title()] if isinstance(artist, Legend)
                 else [artist])
        for text in texts:
            text.set_parse_math(False)
            text.set_usetex(False)


def _new_axes(ax: Any, figsize: tuple[float, float]) -> Axes:
    if ax is not None:
        from matplotlib.axes import Axes

        if not isinstance(ax, Axes):
            raise TypeError(f"ax must be a matplotlib Axes or None, got {type(ax).__name__}")
        return ax
    from matplotlib.figure import Figure

    return Figure(figsize=figsize, layout="constrained").add_subplot()


def map_figsize(bounds: Any, *, width: float = 8.0, extra: float = 1.9) -> tuple[float, float]:
    """A map's figure size: ``width`` wide, as tall as the data's shape needs (plus
    ``extra`` inches for the title, legend and colour bar), so no band of white is
    left above and below a wide area or beside a tall one."""
    minx, miny, maxx, maxy = (float(v) for v in bounds)
    ratio = (maxy - miny) / (maxx - minx) if maxx > minx and maxy > miny else 1.0
    ratio = min(max(ratio, 0.45), 1.5) if np.isfinite(ratio) else 1.0
    return width, round(0.92 * width * ratio + extra, 2)


def _colormap(cmap: Any):
    import matplotlib as mpl

    if cmap is None:
        cmap = REPORT_CMAP
    if isinstance(cmap, str):
        try:
            return mpl.colormaps[cmap]
        except KeyError:
            raise ValueError(f"cmap={cmap!r} is not a matplotlib colour map name") from None
    return cmap


def scale_colormap(cmap: Any):
    """The colour map with its own colours for values below / above the scale and
    missing values (:data:`BELOW_COLOR`, :data:`ABOVE_COLOR`, the no-data grey)."""
    return _colormap(cmap).with_extremes(under=BELOW_COLOR, over=ABOVE_COLOR,
                                         bad=NO_DATA_COLOR)


def _check_scale(vmin: float, vmax: float) -> None:
    if not (np.isfinite(vmin) and np.isfinite(vmax) and vmin < vmax):
        raise ValueError(f"vmin and vmax must be finite with vmin < vmax, got vmin={vmin!r}, "
                         f"vmax={vmax!r}")


def out_of_scale(values: Any, vmin: float, vmax: float) -> tuple[bool, bool]:
    """Whether any finite value lies below ``vmin`` and whether any lies above ``vmax``."""
    values = np.asarray(values, dtype=np.float64)
    values = values[np.isfinite(values)]
    return bool((values < vmin).any()), bool((values > vmax).any())


def extend(below: bool, above: bool) -> str:
    """The colour bar's ``extend`` for values beyond its ends."""
    return {(False, False): "neither", (True, False): "min", (False, True): "max",
            (True, True): "both"}[(below, above)]


def out_of_scale_handles(fmt: Formatter, below: bool, above: bool, vmin: float,
                         vmax: float, *, below_random: bool = False) -> list:
    """Legend entries (patches) of the values below / above the colour scale
    (``below_random``: D*, where below 0 means more even than random allocation)."""
    from matplotlib.patches import Patch

    return ([Patch(facecolor=BELOW_COLOR, edgecolor="none",
                   label=fmt.below(vmin, random=below_random))]
            if below else []) + (
        [Patch(facecolor=ABOVE_COLOR, edgecolor="none", label=fmt.above(vmax))]
        if above else [])


def note_no_values(fmt: Formatter, index: Any, values: Any, reasons: Any = ()) -> None:
    """A note (:class:`~segspatial.SegregationWarning`) when no area has a value: the
    figure is all grey "no data" (review2 #42); it says why when the results do."""
    values = np.asarray(values, dtype=np.float64)
    if not values.size or np.isfinite(values).any():
        return
    from segspatial._exceptions import SegregationWarning
    from segspatial._warn import Examples, warn

    reasons = list(dict.fromkeys(str(r) for r in reasons))
    if reasons:
        warn(SegregationWarning, "no_values_why", stacklevel=3,
             index=fmt.index_title(index), reasons=Examples(reasons, quote=False))
    else:
        warn(SegregationWarning, "no_values", stacklevel=3, index=fmt.index_title(index))


def no_data_handle(fmt: Formatter):
    from matplotlib.patches import Patch

    return Patch(facecolor=NO_DATA_COLOR, edgecolor="none", label=fmt.text("fig_no_data"))


def _axes_width_inches(ax: Any) -> float:
    spec = ax.get_subplotspec()
    columns = spec.get_gridspec().ncols if spec is not None else 1
    width = ax.figure.get_figwidth() / max(1, columns)
    if spec is not None:
        width *= spec.colspan.stop - spec.colspan.start
    return width


def set_title(ax: Any, text: str | None, *, fontsize: float = 12.0,
              figure: bool = False) -> None:
    """A title over ``ax`` (or, with ``figure``, over its whole figure), drawn literally
    and cleaned (:func:`_clean`: control characters as U+FFFD); ``""`` or None draws
    none.

    A title too long for the width it has is broken after its own separator first
    (``"Dissimilarity index D —"`` / ``"Dutch vs non-western pupils, 2018"``), then
    between words, to the width measured in the title's font (:func:`wrap_text`); the
    font shrinks (to 8 points at least) only when a single word is wider than that.
    Constrained layout reserves the lines' height.
    """
    if not text:
        return
    text = _clean(text)
    inches = ax.figure.get_figwidth() * 0.95 if figure else 0.95 * _axes_width_inches(ax)
    lines = [text]
    if _text_inches(text, fontsize) > inches and _TITLE_BREAK in text:
        head, tail = text.split(_TITLE_BREAK, 1)
        lines = [head + _TITLE_BREAK.rstrip(), tail]
    size, wrapped = _wrap_lines(lines, inches, fontsize, smallest=8.0)
    if figure:
        ax.figure.suptitle(wrapped, fontsize=size, **_LITERAL)
    else:
        ax.set_title(wrapped, fontsize=size, **_LITERAL)


_TITLE_BREAK = " — "


def _text_inches(line: str, fontsize: float) -> float:
    """The width of ``line`` drawn in the default font at ``fontsize`` (measured from
    the glyphs, no renderer needed)."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    width, _, _ = TextToPath().get_text_width_height_descent(
        line, FontProperties(size=fontsize), ismath=False)
    return width / 72


def _wrap_lines(lines: list[str], inches: float, fontsize: float,
                smallest: float) -> tuple[float, str]:
    """``lines`` each wrapped between words to ``inches`` at ``fontsize``; the font
    shrinks (to ``smallest``) while a single word is still wider. (size, text)."""
    words = [w for line in lines for w in line.split()]
    widest = max((_text_inches(w, fontsize) for w in words), default=0.0)
    size = fontsize if widest <= inches else max(smallest, fontsize * inches / widest)
    out: list[str] = []
    for line in lines:
        current = ""
        for word in line.split(" "):
            trial = f"{current} {word}" if current else word
            if current and _text_inches(trial, size) > inches:
                out.append(current)
                current = word
            else:
                current = trial
        out.append(current)
    return size, "\n".join(out)


def room_for_lines(ax: Any, created: bool, base: int = 2) -> None:
    """A figure this module made grows by the height of the lines its title and its
    colour bars' labels take beyond ``base`` in all (one each), so constrained layout
    can fit them (a wrapped long group label would otherwise push the title off the
    top); a figure the caller gave keeps its size."""
    if not created:
        return
    figure = ax.figure
    labels = [ax.get_title()] + [a.get_xlabel() for a in figure.axes if a is not ax]
    extra = sum(label.count("\n") + 1 for label in labels if label) - base
    if extra > 0:
        figure.set_figheight(figure.get_figheight() + 0.24 * extra)


def wrap_text(text: str, inches: float, fontsize: float = 10.0) -> str:
    """``text`` broken between words so no line is wider than ``inches`` at
    ``fontsize`` (measured; a word wider than that keeps a line of its own).
    Colour-bar labels use it: a long group label never runs off the figure."""
    return _wrap_lines([_clean(text)], inches, fontsize, smallest=fontsize)[1]


#: Characters per legend line, and per legend row (all columns), at the small sizes used.
_LEGEND_WRAP = 50
_LEGEND_ROW = 100


def legend_below(ax: Any, handles: list, *, title: str | None = None,
                 ncols: int | None = None, fontsize: Any = "small", x: float = 0.5,
                 loc: str = "upper center", figure: bool = False) -> Any:
    """A legend under the axes, outside them (constrained layout makes room), drawn
    literally; it never covers what the axes show. With ``figure``, under the whole
    figure instead (below the axes' tick labels too)."""
    if not handles:
        return None
    import textwrap

    # Long entries (a disclosure note, a long group name) are wrapped and the columns
    # chosen so a row stays about as wide as the figure: one row wider than the figure
    # makes constrained layout shrink the axes to a stamp.
    labels = ["\n".join(textwrap.wrap(_clean(h.get_label()), _LEGEND_WRAP))
              or _clean(h.get_label()) for h in handles]
    widest = max(len(line) for label in labels for line in label.split("\n"))
    fit = max(1, _LEGEND_ROW // max(widest, 1))
    options = dict(handles=handles, labels=labels,
                   title=_clean(title) if title is not None else None,
                   ncols=ncols or min(len(handles), 4, fit),
                   frameon=False, fontsize=fontsize, title_fontsize=fontsize)
    if figure:
        legend = ax.figure.legend(loc="outside lower center", **options)
    else:
        legend = ax.legend(loc=loc, bbox_to_anchor=(x, -0.01), **options)
    _literal(legend)
    return legend


def for_drawing(frame: Any) -> Any:
    """Geometries in a projected CRS for a static map (review2 #50).

    Longitude/latitude drawn as x/y squash the Netherlands (a degree of longitude is
    0.62 of a degree of latitude at 52° N): a geographic frame is projected to RD New
    (EPSG:28992) when it lies within RD New's area of use, else to its UTM zone; a
    projected frame, or one without a CRS, is returned as it is.
    """
    crs = getattr(frame, "crs", None)
    if crs is None or not crs.is_geographic or not len(frame):
        return frame
    from pyproj import CRS

    from segspatial.geo._common import DEFAULT_DISTANCE_CRS

    bounds = np.asarray(frame.total_bounds, dtype=np.float64)
    if not np.isfinite(bounds).all():
        return frame
    west, south, east, north = CRS(DEFAULT_DISTANCE_CRS).area_of_use.bounds
    inside = (bounds[0] >= west - 1 and bounds[1] >= south - 1 and bounds[2] <= east + 1
              and bounds[3] <= north + 1)
    return frame.to_crs(DEFAULT_DISTANCE_CRS if inside else frame.estimate_utm_crs())


def _outline(boundaries: Any, crs: Any):
    if boundaries is None:
        return None
    import geopandas as gpd
    from shapely.geometry.base import BaseGeometry

    if isinstance(boundaries, BaseGeometry):
        return gpd.GeoSeries([boundaries], crs=crs)
    if isinstance(boundaries, (gpd.GeoDataFrame, gpd.GeoSeries)):
        series = boundaries.geometry if isinstance(boundaries, gpd.GeoDataFrame) else boundaries
        if crs is not None and series.crs is not None:
            series = series.to_crs(crs)
        return series
    raise TypeError("boundaries must be a GeoDataFrame, GeoSeries or shapely geometry, got "
                    f"{type(boundaries).__name__}")


def draw_outline(ax: Any, outline: Any, *, color: str = "#444444",
                 linewidth: float = 0.8) -> Any:
    """The boundaries of the areas in ``outline`` (a GeoSeries) as one
    :class:`~matplotlib.collections.LineCollection` on ``ax``: the lines
    ``outline.boundary.plot(ax=ax, ...)`` draws (normalised, split into parts), without
    geopandas' per-call plotting machinery (most of a school map's drawing time)."""
    import shapely
    from matplotlib.collections import LineCollection

    geoms = np.asarray(outline.to_numpy() if hasattr(outline, "to_numpy") else outline,
                       dtype=object)
    lines = shapely.get_parts(shapely.normalize(shapely.boundary(geoms)))
    lines = lines[~(shapely.is_missing(lines) | shapely.is_empty(lines))]
    segments = [np.asarray(shapely.get_coordinates(line), dtype=np.float64) for line in lines]
    collection = LineCollection(segments, color=color, linewidth=linewidth)
    ax.add_collection(collection, autolim=True)
    ax.autoscale_view()
    return collection


def _rgba(color: Any) -> tuple:
    from matplotlib.colors import to_rgba

    return to_rgba(color)
