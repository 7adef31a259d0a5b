"""One matplotlib figure for every static school map of a report.

A report draws the same kind of map (5.2 x 5.2 in, one axes, its axis off, the same
title) on every page. Building a figure and its axes cost a page more than drawing
its schools; :class:`MapCanvas` keeps one figure per
:func:`~segspatial.report.render_report` call and takes the previous page's artists
off it, resetting what they changed (data limits, title, position), so a page's PNG
does not depend on the pages drawn before it (tests/test_report.py checks it).

What is the same on every page is worked out once per title, not once per page:

* the layout: the axes take the place that constrained layout gives an axes with
  that title and nothing else (the whole figure but a band for the title,
  :func:`_title_layout`); the map is fitted into it keeping its aspect, at the top
  (anchor ``"N"``), so the title is always in the same place, just above the map. A
  map taller than wide is where constrained layout puts it on a figure of its own
  (the same pixels); a wider one sits right under the title instead of in the
  middle of the space below it;
* the title's pixels: drawing text was most of drawing a map. The title is drawn
  once, at its place (Agg's ``copy_from_bbox``), and each page draws everything
  else and puts these pixels back (``restore_region``). Nothing else is drawn
  there: the schools and the outline are clipped to the axes, below the title.
"""

from __future__ import annotations

from typing import Any

from segspatial.report._charts import png

#: The static school map's size in inches and resolution in dots per inch.
FIGSIZE = (5.2, 5.2)
DPI = 90


class MapCanvas:
    """A reusable figure for the static school maps of one report (not thread-safe:
    one per rendering)."""

    def __init__(self, figsize: tuple[float, float] = FIGSIZE, dpi: int = DPI) -> None:
        self.figsize = figsize
        self.dpi = dpi
        self._figure: Any = None
        self._ax: Any = None
        self._default: Any = None  # the axes' position before any layout
        # title -> the axes' place and the title's pixels (see _title_layout)
        self._places: dict[tuple[str, float], tuple[Any, Any]] = {}

    def axes(self) -> Any:
        """The canvas' axes, emptied, at its position before layout (so what sizes
        itself by the axes, such as the title, sees what a fresh figure shows)."""
        from matplotlib.figure import Figure
        from matplotlib.transforms import Bbox

        ax = self._ax
        if ax is None or not self._reusable(ax):
            from matplotlib.backends.backend_agg import FigureCanvasAgg

            self._figure = Figure(figsize=self.figsize, dpi=self.dpi)  # laid out in png()
            FigureCanvasAgg(self._figure)
            ax = self._ax = self._figure.add_subplot()
            ax.set_anchor("N")
            self._default = ax.get_position(original=True).frozen()
            return ax
        for artist in [*ax.collections, *ax.lines, *ax.patches, *ax.texts, *ax.images,
                       *ax.artists, *ax.tables]:
            artist.remove()
        ax.set_title("")
        ax.dataLim.set(Bbox.null())
        ax.ignore_existing_data_limits = True
        ax.set_autoscale_on(True)
        ax.set_position(self._default)
        return ax

    def _reusable(self, ax: Any) -> bool:
        """Whether the last page left nothing but what :meth:`axes` takes off (no
        legend, colour bar or second axes)."""
        return (len(self._figure.axes) == 1 and ax.get_legend() is None
                and not self._figure.legends and not self._figure.texts)

    def png(self) -> str:
        """The map as a PNG ``data:`` URL, written as
        :func:`segspatial.report._charts.png` writes a figure."""
        import base64

        from segspatial._figure import rgba_png_bytes

        ax = self._ax
        if not self._reusable(ax):  # more than a map (not drawn by a report)
            self._figure.set_layout_engine("constrained")
            return png(self._figure, dpi=self.dpi)
        if not ax.axison:  # as png() does: no tick labels laid out that are never drawn
            ax.xaxis.set_visible(False)
            ax.yaxis.set_visible(False)
        title = (ax.get_title(), float(ax.title.get_fontsize()))
        if title not in self._places:
            self._places[title] = _title_layout(self.figsize, self.dpi, *title)
        place, pixels = self._places[title]
        ax.set_position(place)
        canvas = self._figure.canvas
        if pixels is None:  # no title
            canvas.draw()
        else:
            ax.title.set_visible(False)
            try:
                canvas.draw()
            finally:
                ax.title.set_visible(True)
            canvas.restore_region(pixels)
        data = rgba_png_bytes(canvas.buffer_rgba(), dpi=self.dpi, compress_level=1)
        return f"data:image/png;base64,{base64.b64encode(data).decode('ascii')}"


def _title_layout(figsize: tuple[float, float], dpi: float, title: str,
                  fontsize: float) -> tuple[Any, Any]:
    """The place (figure fractions) constrained layout gives the only axes of a
    figure of ``figsize`` whose axis is off and whose title is ``title``, and the
    title's pixels drawn there at ``dpi`` (an Agg region; None without a title).

    The pixels come from this figure, not from a page: a page's map is narrower than
    the place when it is taller than wide, which moves its centre (and the title)
    by a fraction of a pixel, so a page's own title would depend on which page came
    first."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.transforms import Bbox

    figure = Figure(figsize=figsize, dpi=dpi, layout="constrained")
    canvas = FigureCanvasAgg(figure)
    ax = figure.add_subplot()
    ax.set_axis_off()
    ax.xaxis.set_visible(False)
    ax.yaxis.set_visible(False)
    if title:
        ax.set_title(title, fontsize=fontsize, parse_math=False, usetex=False)
    figure.draw_without_rendering()
    place = ax.get_position(original=True).frozen()
    if not title:
        return place, None
    figure.set_layout_engine("none")
    ax.set_position(place)
    canvas.draw()
    extent = ax.title.get_window_extent(canvas.get_renderer()).padded(2)
    return place, canvas.copy_from_bbox(Bbox.intersection(extent, figure.bbox))
