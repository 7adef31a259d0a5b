"""One matplotlib figure for every static school map of a report.

A report draws the same kind of map (5.2 x 5.2 in, one axes, its axis off, the same
title) on every page. Building a figure and its axes cost a page more than drawing
its schools; :class:`MapCanvas` keeps one figure per
:func:`~segspatial.report.render_report` call and takes the previous page's artists
off it, resetting what they changed (data limits, title, position), so each page's
PNG is the one a fresh ``Figure(layout="constrained")`` gives
(tests/test_report.py checks it).
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

    def axes(self) -> Any:
        """The canvas' axes, emptied, at its position before layout (so what sizes
        itself by the axes, such as the title, sees what a fresh figure shows)."""
        from matplotlib.figure import Figure
        from matplotlib.transforms import Bbox

        ax = self._ax
        if ax is None or not self._reusable(ax):
            self._figure = Figure(figsize=self.figsize, layout="constrained")
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
        ax.set_in_layout(True)  # set_position takes an axes out of the layout
        return ax

    def _reusable(self, ax: Any) -> bool:
        """Whether the last page left nothing but what :meth:`axes` takes off (no
        legend, colour bar or second axes)."""
        return (len(self._figure.axes) == 1 and ax.get_legend() is None
                and not self._figure.legends and not self._figure.texts)

    def png(self) -> str:
        """The map as a PNG ``data:`` URL (:func:`segspatial.report._charts.png`)."""
        return png(self._figure, dpi=self.dpi)
