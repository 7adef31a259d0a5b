"""One matplotlib figure for every static school map of a report.

A report draws the same kind of map (5.2 x 5.2 in, one axes, its axis off, the same
title) on every page. Building a figure and its axes cost a page more than drawing
its schools; :class:`MapCanvas` keeps one figure per
:func:`~segspatial.report.render_report` call and takes the previous page's artists
off it, resetting what they changed (data limits, title, position), so a page's PNG
does not depend on the pages drawn before it (tests/test_report.py checks it).

The layout is computed once per title, not once per page: the axes take the place
that constrained layout gives an axes with that title and nothing else (the whole
figure but a band for the title; :func:`_title_layout`), and the map is fitted into
it keeping its aspect, centred. For a map taller than wide this is the place
constrained layout gives the page's own figure (the same pixels); a wider map keeps
its size and leaves the title's band free, at most 2 % of the figure (9 px) lower
than a layout of its own would put it (which lets a wide map's title sit in the
blank above it). Laying each page out again cost a page more than drawing its
schools.
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
        self._places: dict[tuple[str, float], Any] = {}  # title -> the axes' place

    def axes(self) -> Any:
        """The canvas' axes, emptied, at its position before layout (so what sizes
        itself by the axes, such as the title, sees what a fresh figure shows)."""
        from matplotlib.figure import Figure
        from matplotlib.transforms import Bbox

        ax = self._ax
        if ax is None or not self._reusable(ax):
            self._figure = Figure(figsize=self.figsize)  # laid out in png()
            ax = self._ax = self._figure.add_subplot()
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
        """The map as a PNG ``data:`` URL (:func:`segspatial.report._charts.png`)."""
        ax = self._ax
        if self._reusable(ax):
            title = (ax.get_title(), float(ax.title.get_fontsize()))
            if title not in self._places:
                self._places[title] = _title_layout(self.figsize, self.dpi, *title)
            ax.set_position(self._places[title])
        else:  # something more than a map (not drawn by a report): lay it out itself
            self._figure.set_layout_engine("constrained")
        return png(self._figure, dpi=self.dpi)


def _title_layout(figsize: tuple[float, float], dpi: float, title: str,
                  fontsize: float) -> Any:
    """The place (figure fractions) constrained layout gives the only axes of a
    figure of ``figsize`` whose axis is off and whose title is ``title``."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=figsize, dpi=dpi, layout="constrained")
    ax = figure.add_subplot()
    ax.set_axis_off()
    ax.xaxis.set_visible(False)
    ax.yaxis.set_visible(False)
    if title:
        ax.set_title(title, fontsize=fontsize, parse_math=False, usetex=False)
    figure.draw_without_rendering()
    return ax.get_position(original=True).frozen()
