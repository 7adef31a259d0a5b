"""The report's grid (areas x years), the one-year ranking and pages of both (private).

Public through :mod:`segspatial.plot`: :func:`report_grid`, :func:`report_grids`,
:func:`ranking_chart` and :func:`grid_pages`.

Layout rules (so that a grid stays readable with all 355 municipalities):

* several years: the report's grid, one panel per comparison, areas as rows (largest
  number of pupils on top), years as columns, every cell coloured and its value printed;
* one year, one comparison: a ranking, a dot per area sorted by value (not a grid of
  one column);
* one year, several comparisons: one grid with the comparisons as columns;
* more areas than ``rows_per_page`` (default 50): several pages (figures) of at most
  that many rows, each titled "(page 2 of 8)"; the command line writes them as one
  multi-page PDF, or as numbered PNG/SVG files. Every page uses the same colour scale,
  and ranks continue across pages.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from segspatial._figure import (
    _LITERAL,
    _axes_width_inches,
    _check_scale,
    _literal,
    _new_axes,
    _text,
    extend,
    formatter,
    legend_below,
    no_data_handle,
    note_no_values,
    out_of_scale,
    out_of_scale_handles,
    scale_colormap,
    set_title,
    wrap_text,
)
from segspatial._format import Formatter
from segspatial._mapdata import (
    _first,
    _pick,
    _require_columns,
    _shown,
    check_frame,
    select_values,
)
from segspatial._scales import check_given, index_scale, resolve_scale
from segspatial.schema import has_values

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["ROWS_PER_PAGE", "grid_pages", "ranking_chart", "report_grid", "report_grids"]

#: Rows (areas) per page of :func:`grid_pages`: about one A4 page.
ROWS_PER_PAGE = 50
#: Height of one row of a grid or ranking, in inches (about 16 points).
_ROW = 0.22
_BAND_SHADES = ("#e3f3df", "#fdf2d0", "#fadcd8")


def _whole_input(results: Any, words: Formatter) -> Any:
    """Results of counts without an area column (``area`` null: every unit together)
    as one row, labelled "all units", rather than none."""
    if (isinstance(results, pd.DataFrame) and "area" in results.columns
            and results["area"].isna().any()):
        area = results["area"].astype(object)
        return results.assign(area=area.where(area.notna(),
                                              words.text("figures_fix.all_units")))
    return results


def _grid_table(results: pd.DataFrame, index: str, comparison: Any,
                bandwidth: Any) -> tuple[pd.DataFrame, Any]:
    check_frame(results, "results")
    _require_columns(results, ["area", "index", "value"], "results")
    available = results["index"].dropna().unique()
    if index not in set(available):
        raise ValueError(f"index={index!r} is not in the results; available: "
                         f"{_shown(sorted(available))}")
    frame = results[results["index"] == index]
    frame, comparison = _pick(frame, "comparison", comparison, "comparison")
    if has_values(frame, "bandwidth"):
        frame, _ = _pick(frame, "bandwidth", bandwidth, "bandwidth")
    frame = frame.assign(area=frame["area"].astype(str))
    if not has_values(frame, "year"):  # results without years: one column
        frame = frame.assign(year="all")
    duplicated = frame.duplicated(["area", "year"])
    if duplicated.any():
        raise ValueError(f"the results hold several {index!r} values per area and year "
                         f"(e.g. area {frame.loc[duplicated, 'area'].iloc[0]!r}); filter the "
                         "table to one row per area and year first")
    return frame, comparison


def _pupil_order(frames: Sequence[pd.DataFrame]) -> list[str]:
    """Areas by mean pupils per year, largest first (the report's row order)."""
    both = pd.concat([f[["area", "year"] + (["n_pupils"] if "n_pupils" in f else [])]
                      for f in frames])
    if "n_pupils" not in both.columns:
        return sorted(both["area"].unique())
    per_year = both.groupby(["area", "year"])["n_pupils"].max()
    mean = per_year.groupby(level="area").mean().fillna(-1)
    return (mean.reset_index().sort_values(["n_pupils", "area"], ascending=[False, True])
            ["area"].tolist())


def _names(names: Mapping | pd.Series | None, results: pd.DataFrame) -> dict:
    if names is None and "area_name" in results.columns:
        first = results.drop_duplicates("area")
        return dict(zip(first["area"].astype(str), first["area_name"], strict=True))
    if names is None:
        return {}
    return dict(names.items()) if hasattr(names, "items") else dict(names)


def _labels(areas: Sequence[str], names: Mapping | pd.Series | None,
            results: pd.DataFrame) -> list[str]:
    lookup = _names(names, results)
    return [_text(lookup.get(a, a)) for a in areas]


def _scale_title(fmt: Formatter, index: str, frame: pd.DataFrame) -> str:
    """The index at its scale: ``Spatial D at 1 km (Gaussian kernel)``."""
    return fmt.spatial_title(index, _first(frame, "bandwidth"), _first(frame, "kernel"))


def _who(fmt: Formatter, frame: pd.DataFrame, comparison: Any, label_a: Any,
         label_b: Any, *, start: bool = False) -> str | None:
    return fmt.comparison(comparison, _first(frame, "group_a"), _first(frame, "group_b"),
                          label_a, label_b, start=start)


def report_grid(
    results: pd.DataFrame,
    *,
    index: str = "dissimilarity",
    comparison: Any = None,
    bandwidth: Any = None,
    names: Mapping[Hashable, str] | pd.Series | None = None,
    order: Sequence[Hashable] | None = None,
    vmin: float | None = None,
    vmax: float | None = None,
    cmap: Any = None,
    fmt: str | None = None,
    colorbar: bool = True,
    lang: str = "en",
    title: str | None = None,
    label_a: str | None = None,
    label_b: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """The report's figure: areas as rows, years as columns, each cell coloured.

    Rows are sorted by the mean number of pupils per year (``n_pupils``), largest on
    top, as in figures 1-7 of the Dutch school-segregation report; each cell is
    coloured on the fixed scale (0 dark green to 0.8 dark red) with its value printed
    in it. Cells without a value are grey and left blank; values below ``vmin`` or
    above ``vmax`` have their own colours (never the scale's ends), with extend arrows
    on the colour bar and legend entries. For one year use :func:`ranking_chart`, for
    many areas :func:`grid_pages`.

    Parameters
    ----------
    results : pandas.DataFrame
        A tidy results table with ``area``, ``year``, ``index``, ``value`` and
        ``n_pupils`` (and ``comparison`` for pupil data).
    index : str
        The index to show.
    comparison : optional
        The comparison to show (required when the results hold several; see
        :func:`report_grids` for several side by side).
    bandwidth : optional
        For a spatial index with several bandwidths.
    names : mapping or Series, optional
        Area code -> row label (default the ``area_name`` column, else the codes).
    order : sequence, optional
        Area codes top to bottom (overrides the pupil order; areas not listed are
        left out).
    vmin, vmax, cmap
        The colour scale (default the report's).
    fmt : str, optional
        A :meth:`str.format` pattern for the printed values (default two decimals in
        the language's way: ``0.62`` / ``0,62``).
    colorbar : bool
        Draw a colour bar (and the legend of grey / out-of-scale cells).
    lang : {"en", "nl"}
        Language of the title, labels and numbers.
    title : str, optional
        The title; default the index and the comparison in words (``""``: none).
    label_a, label_b : str, optional
        What to call the two groups, as noun phrases (e.g. ``"pupils with a
        disadvantage background"``), for the title.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    check_given(vmin, vmax)
    words = formatter(lang)
    results = _whole_input(results, words)
    frame, comparison = _grid_table(results, index, comparison, bandwidth)
    vmin, vmax, cmap, _ = resolve_scale(index, frame["value"], vmin, vmax, cmap)
    _check_scale(vmin, vmax)
    rows = _pupil_order([frame]) if order is None else [str(a) for a in order]
    created = ax is None
    ax = _new_axes(ax, (7, 1.9 + _ROW * max(1, len(rows))))
    image = _draw_grid(ax, frame, rows, _labels(rows, names, results), vmin, vmax, cmap,
                       fmt, words)
    if title is None:
        title = words.title(_scale_title(words, index, frame),
                            _who(words, frame, comparison, label_a, label_b),
                            _years_of(words, [frame]))
    set_title(ax, title, figure=created)
    if colorbar:
        _grid_legend(ax.figure, [ax], [image], vmin, vmax, words,
                     _scale_title(words, index, frame), index)
    return ax


def report_grids(
    results: pd.DataFrame,
    *,
    index: str = "dissimilarity",
    comparisons: Sequence[Any] | None = None,
    bandwidth: Any = None,
    names: Mapping[Hashable, str] | pd.Series | None = None,
    order: Sequence[Hashable] | None = None,
    vmin: float | None = None,
    vmax: float | None = None,
    cmap: Any = None,
    fmt: str | None = None,
    ncols: int = 4,
    lang: str = "en",
    title: str | None = None,
    label_a: str | None = None,
    label_b: str | None = None,
    axes: Sequence[Axes] | None = None,
) -> np.ndarray:
    """Several report grids side by side, one per comparison, rows in the same order.

    Parameters
    ----------
    results : pandas.DataFrame
        A tidy results table with a ``comparison`` column (or one comparison).
    comparisons : sequence, optional
        The comparisons, left to right (default all, in order of appearance).
    ncols : int
        Panels per row of a new figure (more comparisons wrap to further rows).
    axes : sequence of matplotlib Axes, optional
        One per comparison; default a new figure.
    title : str, optional
        The figure's title (a new figure only); default the index in words.
    index, bandwidth, names, order, vmin, vmax, cmap, fmt, lang, label_a, label_b
        As in :func:`report_grid`; rows are ordered by pupils over all comparisons.
        Each panel is titled with its comparison in words.

    Returns
    -------
    numpy.ndarray of matplotlib Axes

    Raises
    ------
    ValueError
        For ``label_a``/``label_b`` with more than one comparison (they name the groups
        of one comparison; every panel would carry the same words).
    """
    check_given(vmin, vmax)
    words = formatter(lang)
    check_frame(results, "results")
    results = _whole_input(results, words)
    if comparisons is None:
        comparisons = (list(results["comparison"].dropna().unique())
                       if has_values(results, "comparison") else [None])
    comparisons = list(comparisons)
    if not comparisons:
        raise ValueError("comparisons must name at least one comparison, got []")
    _check_labels(comparisons, label_a, label_b)
    frames = [_grid_table(results, index, c, bandwidth)[0] for c in comparisons]
    vmin, vmax, cmap, _ = resolve_scale(index, pd.concat([f["value"] for f in frames]),
                                        vmin, vmax, cmap)
    _check_scale(vmin, vmax)
    rows = _pupil_order(frames) if order is None else [str(a) for a in order]
    created = axes is None
    if created:
        from matplotlib.figure import Figure

        if isinstance(ncols, bool) or not isinstance(ncols, (int, np.integer)) or ncols < 1:
            raise ValueError(f"ncols must be a positive int, got {ncols!r}")
        ncols = min(int(ncols), len(comparisons))
        nrows = -(-len(comparisons) // ncols)
        n_years = max(f["year"].nunique() for f in frames)
        fig = Figure(figsize=(1.8 + max(3.0, 0.42 * n_years + 0.6) * ncols,
                              1.6 + nrows * (0.9 + _ROW * len(rows))), layout="constrained")
        grid = fig.subplots(nrows, ncols, squeeze=False)
        for spare in grid.ravel()[len(comparisons):]:
            spare.set_visible(False)
        axes = grid.ravel()[:len(comparisons)]
        first_column = {i for i in range(len(comparisons)) if i % ncols == 0}
    else:
        first_column = {0}
    axes = np.asarray(axes, dtype=object).ravel()
    if len(axes) != len(comparisons):
        raise ValueError(f"axes must hold one Axes per comparison ({len(comparisons)}), got "
                         f"{len(axes)}")
    labels = _labels(rows, names, results)
    images = []
    for i, (ax, frame, comparison) in enumerate(zip(axes, frames, comparisons, strict=True)):
        images.append(_draw_grid(ax, frame, rows, labels if i in first_column else None,
                                 vmin, vmax, cmap, fmt, words))
        who = _who(words, frame, comparison, label_a, label_b, start=True)
        set_title(ax, who if who is not None
                  else _scale_title(words, index, frame),
                  fontsize=10)
    scale = _scale_title(words, index, frames[0])
    figure = axes[0].figure
    if created:
        set_title(axes[0], words.title(scale, None, _years_of(words, frames)) if title is None
                  else title, figure=True)
    _grid_legend(figure, list(axes), images, vmin, vmax, words, scale, index)
    return axes


def _reasons(results: pd.DataFrame, index: str) -> list:
    if "reason" not in results.columns or "index" not in results.columns:
        return []
    rows = results[(results["index"] == index) & results["value"].isna()]
    return rows["reason"].dropna().astype(str).unique().tolist()


def _check_labels(comparisons: list, label_a: Any, label_b: Any) -> None:
    """Group labels name the groups of one comparison: refuse them over several
    (every panel would carry the same words; review2 #36)."""
    if (label_a or label_b) and len(comparisons) > 1:
        raise ValueError(f"label_a and label_b name the two groups of one comparison, but "
                         f"{len(comparisons)} are shown: {_shown(comparisons)}; choose one "
                         f"with comparison= or leave the labels out")


def _grid_legend(figure, axes: list, images: list, vmin: float, vmax: float,
                 words: Formatter, label: str, index: Any = None) -> None:
    """The colour bar (with extend arrows for out-of-scale cells) and a legend of the
    grey and out-of-scale cells drawn, under the figure."""
    values = np.concatenate([np.ma.filled(i.get_array().astype(np.float64), np.nan).ravel()
                             for i in images])
    below, above = out_of_scale(values, vmin, vmax)
    shrink = min(0.8, max(0.25, 6 / figure.get_figheight()))
    bar = figure.colorbar(images[-1], ax=axes, shrink=shrink, extend=extend(below, above))
    from matplotlib import rcParams
    from matplotlib.font_manager import FontProperties

    size = FontProperties(size=rcParams["axes.labelsize"]).get_size_in_points()
    bar.set_label(wrap_text(label, 0.9 * shrink * figure.get_figheight(), size), **_LITERAL)
    bar.ax.yaxis.set_major_formatter(words.tick_formatter())
    handles = out_of_scale_handles(words, below, above, vmin, vmax,
                                   below_random=index_scale(index).below_random)
    if np.isnan(values).any():
        handles.append(no_data_handle(words))
    legend_below(axes[-1], handles, figure=True)


def _labels_fit(ax, labels: Sequence[str]) -> bool:
    """Whether the column labels fit side by side, horizontally (review2 #40): the
    longest (about 0.6 em a character at the tick size) within its column, the axes
    taken as 60% of the width they have (row labels and colour bar take the rest)."""
    from matplotlib import rcParams
    from matplotlib.font_manager import FontProperties

    if not len(labels):
        return True
    points = FontProperties(size=rcParams["xtick.labelsize"]).get_size_in_points()
    longest = max(len(str(label)) for label in labels) * 0.6 * points / 72
    return longest <= 0.9 * 0.6 * _axes_width_inches(ax) / len(labels)


def _draw_grid(ax, frame: pd.DataFrame, rows: list[str], labels: list[str] | None,
               vmin: float, vmax: float, cmap: Any, fmt: str | None, words: Formatter, *,
               column: str = "year", columns: Sequence[Any] | None = None,
               column_labels: Sequence[str] | None = None):
    from matplotlib.colors import Normalize

    if columns is None:
        columns = sorted(frame[column].unique(), key=lambda v: (str(type(v)), v))
    grid = frame.pivot(index="area", columns=column, values="value").reindex(
        index=rows, columns=columns)
    values = grid.to_numpy(dtype=np.float64)
    cmap = scale_colormap(cmap)
    norm = Normalize(vmin=vmin, vmax=vmax)
    image = ax.imshow(np.ma.masked_invalid(values), cmap=cmap, norm=norm, aspect="auto",
                      interpolation="nearest")
    show = (lambda v: fmt.format(v)) if fmt is not None else (lambda v: words.number(v, 2))
    size = 7 if len(rows) <= 60 else 6
    for (i, j), value in np.ndenumerate(values):
        if np.isfinite(value):
            r, g, b, _ = cmap(norm(value))
            dark = 0.299 * r + 0.587 * g + 0.114 * b < 0.5
            ax.text(j, i, show(value), ha="center", va="center", fontsize=size,
                    color="white" if dark else "black", **_LITERAL)
    if column_labels is None:
        column_labels = [words.year(c) if c != "all" else "" for c in columns]
    ax.set_xticks(range(len(columns)), list(column_labels),
                  rotation=0 if _labels_fit(ax, column_labels) else 90)
    if len(rows) > 20:  # a long page: the years on top as well
        ax.tick_params(axis="x", labeltop=True)
    ax.set_yticks(range(len(rows)), labels if labels is not None else [])
    ax.tick_params(axis="y", labelsize=8 if len(rows) <= 60 else 7)
    # one fixed tick per row and column: these label texts are the ones drawn
    for tick in [*ax.xaxis.get_major_ticks(), *ax.yaxis.get_major_ticks()]:
        _literal(tick.label1, tick.label2)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    return image


# --------------------------------------------------------------------------- ranking


def ranking_chart(
    results: pd.DataFrame,
    *,
    index: str = "dissimilarity",
    comparison: Any = None,
    year: Any = None,
    bandwidth: Any = None,
    names: Mapping[Hashable, str] | pd.Series | None = None,
    order: Sequence[Hashable] | None = None,
    start: int = 1,
    vmin: float | None = None,
    vmax: float | None = None,
    cmap: Any = None,
    lang: str = "en",
    title: str | None = None,
    label_a: str | None = None,
    label_b: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """One year of one index as a ranking: a dot per area, sorted by value.

    The readable form of the report's grid when there is a single year (a grid of one
    column would be a thin strip of cells). Each dot sits at its value, coloured on
    the index's scale, with the value printed beside it; for D-like indices the
    Massey & Denton bands (low, moderate, high) shade the background. The axis
    always covers the colour scale and stretches to show values beyond it, which get
    their own colours and legend entries; areas without a value are listed at the
    bottom with a grey cross ("no data").

    Parameters
    ----------
    results : pandas.DataFrame
        A tidy results table (or a wide one with a column per index).
    index, comparison, year, bandwidth
        What to show (as in :func:`segspatial.plot.choropleth`; default the latest year).
    names : mapping or Series, optional
        Area code -> label (default the ``area_name`` column, else the codes).
    order : sequence, optional
        Area codes top to bottom (default: by value, highest first; areas not listed
        are left out: a page of a long ranking).
    start : int
        Rank of the first row (for pages of a long ranking).
    vmin, vmax, cmap
        The colour scale (default the index's own: the report's 0 to 0.8 for D, 0-1
        for exposure, -1 to 1 for Moran's I, ...; bands only where defined).
    lang, title, label_a, label_b
        As in :func:`report_grid`.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    from matplotlib.colors import Normalize
    from matplotlib.lines import Line2D

    check_given(vmin, vmax)
    words = formatter(lang)
    results = _whole_input(results, words)
    selection = select_values(results, index=index, comparison=comparison, year=year,
                              bandwidth=bandwidth)
    frame = selection.frame.set_index("area")
    vmin, vmax, cmap, own = resolve_scale(index, frame["value"], vmin, vmax, cmap)
    _check_scale(vmin, vmax)
    bands = own.bands or ()
    rows = (_value_order(frame["value"]) if order is None else [str(a) for a in order])
    values = frame["value"].reindex(rows).to_numpy(dtype=np.float64)
    created = ax is None
    ax = _new_axes(ax, (7.0, 2.1 + _ROW * max(1, len(rows))))
    lookup = _names(names, results)
    y = np.arange(len(rows))
    shown = np.isfinite(values)
    low = min(vmin, float(np.nanmin(values, initial=vmin)))
    high = max(vmax, float(np.nanmax(values, initial=vmax)))
    pad = 0.06 * (high - low)
    left, right = low - pad, high + 2.5 * pad  # the axis (room for the printed values)
    # bands in the background, on the part of the axis they cover (up to its ends)
    for (lo, hi, _), shade in zip(bands, _BAND_SHADES, strict=False):
        if max(lo, left) < min(hi, right):
            ax.axvspan(max(lo, left), min(hi, right), color=shade, zorder=0, lw=0)
    ax.hlines(y[shown], low - pad, values[shown], color="#d0d5da", lw=0.6, zorder=1)
    cmap = scale_colormap(cmap)
    norm = Normalize(vmin, vmax)
    ax.scatter(values[shown], y[shown], c=cmap(norm(values[shown])), s=36,
               edgecolors="#333333", linewidths=0.5, zorder=3)
    for i in np.flatnonzero(shown):
        ax.text(values[i] + 0.012 * (high - low + 2 * pad), y[i], words.number(values[i], 2),
                va="center", fontsize=7, zorder=4, **_LITERAL)
    missing = ~shown
    if missing.any():
        ax.scatter(np.full(missing.sum(), low - pad / 2), y[missing], marker="x", s=20,
                   color="#8c8c8c", zorder=3)
    ax.set_xlim(left, right)
    ax.set_ylim(max(len(rows), 1) - 0.5, -0.5)  # one row (or none): never a singular axis
    labels = [_text(f"{start + i}. {lookup.get(a, a)}" if shown[i] else lookup.get(a, a))
              for i, a in enumerate(rows)]
    ax.set_yticks(y, labels)
    ax.tick_params(axis="y", length=0, labelsize=8 if len(rows) <= 60 else 7)
    for tick in ax.yaxis.get_major_ticks():
        _literal(tick.label1, tick.label2)
    ax.xaxis.set_major_formatter(words.tick_formatter())
    ax.xaxis.set_ticks_position("both")
    ax.tick_params(axis="x", labeltop=True, labelsize=8)
    for spine in ("left", "right"):
        ax.spines[spine].set_visible(False)
    scale = words.spatial_title(index, selection.bandwidth, selection.kernel)
    ax.set_xlabel(words.text("fig_ranking_axis", index=scale), **_LITERAL)
    if title is None:
        who = words.comparison(selection.comparison, selection.group_a, selection.group_b,
                               label_a, label_b)
        title = words.title(scale, who, selection.year)
    set_title(ax, title, figure=created)
    below, above = out_of_scale(values, vmin, vmax)
    handles = [Line2D([], [], linestyle="", marker="o", markersize=6,
                      markerfacecolor=patch.get_facecolor(), markeredgecolor="#333333",
                      label=patch.get_label())
               for patch in out_of_scale_handles(words, below, above, vmin, vmax,
                                                 below_random=own.below_random)]
    handles += [Line2D([], [], linestyle="", marker="s", markersize=8, markerfacecolor=shade,
                       markeredgecolor="none", label=words.band(name, lo, hi))
                for (lo, hi, name), shade in zip(bands, _BAND_SHADES, strict=False)]
    if missing.any():
        handles.append(Line2D([], [], linestyle="", marker="x", color="#8c8c8c",
                              label=words.text("fig_no_data")))
    legend_below(ax, handles, ncols=3, figure=True)
    return ax


def _value_order(values: pd.Series) -> list[str]:
    """Areas by value, highest first; areas without a value last, by code."""
    frame = values.rename("value").reset_index()
    frame["missing"] = frame["value"].isna()
    return frame.sort_values(["missing", "value", "area"], ascending=[True, False, True],
                             kind="stable")["area"].astype(str).tolist()


# --------------------------------------------------------------------------- pages


def grid_pages(
    results: pd.DataFrame,
    *,
    index: str = "dissimilarity",
    comparisons: Sequence[Any] | None = None,
    bandwidth: Any = None,
    names: Mapping[Hashable, str] | pd.Series | None = None,
    rows_per_page: int | None = ROWS_PER_PAGE,
    vmin: float | None = None,
    vmax: float | None = None,
    cmap: Any = None,
    lang: str = "en",
    title: str | None = None,
    label_a: str | None = None,
    label_b: str | None = None,
) -> list[Figure]:
    """The report's grid as printable pages: the layout for the data, at most
    ``rows_per_page`` areas per page.

    * several years: :func:`report_grid` (one comparison) or :func:`report_grids`
      (several, side by side), areas by pupils;
    * one year and one comparison: :func:`ranking_chart` (areas by value, ranks
      continuing across pages);
    * one year and several comparisons: one grid with the comparisons as columns.

    Parameters
    ----------
    results : pandas.DataFrame
        A tidy results table.
    index, bandwidth, names, vmin, vmax, cmap, lang, label_a, label_b
        As in :func:`report_grid`; the labels only with one comparison (ValueError
        otherwise).
    comparisons : sequence, optional
        The comparisons to show (default all, in order of appearance).
    rows_per_page : int or None
        Areas per page (default 50, about an A4 page); None puts every area on one page.
    title : str, optional
        The title of every page (default: the index and comparison in words); with
        several pages "(page 2 of 8)" is added.

    Returns
    -------
    list of matplotlib.figure.Figure
        One figure per page, in order.
    """
    check_given(vmin, vmax)
    check_frame(results, "results")
    if rows_per_page is not None and (isinstance(rows_per_page, bool) or not isinstance(
            rows_per_page, (int, np.integer)) or rows_per_page < 1):
        raise ValueError(f"rows_per_page must be a positive int or None, got "
                         f"{rows_per_page!r}")
    words = formatter(lang)
    results = _whole_input(results, words)
    if comparisons is None:
        comparisons = (list(results["comparison"].dropna().unique())
                       if has_values(results, "comparison") else [None])
    comparisons = list(comparisons)
    if not comparisons:
        raise ValueError("comparisons must name at least one comparison, got []")
    _check_labels(comparisons, label_a, label_b)
    frames = [_grid_table(results, index, c, bandwidth)[0] for c in comparisons]
    vmin, vmax, cmap, _ = resolve_scale(index, pd.concat([f["value"] for f in frames]),
                                        vmin, vmax, cmap)
    note_no_values(words, index, pd.concat([f["value"] for f in frames]),
                   _reasons(results, index))
    one_year = len(set().union(*(set(f["year"].unique()) for f in frames))) <= 1
    if one_year and len(comparisons) == 1:
        selection = select_values(results, index=index, comparison=comparisons[0],
                                  bandwidth=bandwidth)
        rows = _value_order(selection.frame.set_index("area")["value"])
    else:
        rows = _pupil_order(frames)
    size = len(rows) if rows_per_page is None else int(rows_per_page)
    chunks = [rows[i:i + size] for i in range(0, max(1, len(rows)), max(1, size))]
    pages = []
    for number, chunk in enumerate(chunks, start=1):
        page_title = title
        if len(chunks) > 1:
            base = title if title is not None else _page_title(
                words, results, index, comparisons, frames, one_year, label_a, label_b)
            page_title = words.text("fig_page", title=base, page=number, pages=len(chunks))
        common = dict(index=index, bandwidth=bandwidth, names=names, vmin=vmin, vmax=vmax,
                      cmap=cmap, lang=lang, title=page_title, label_a=label_a,
                      label_b=label_b)
        if one_year and len(comparisons) == 1:
            start = 1 + (number - 1) * size
            ax = ranking_chart(results, comparison=comparisons[0], order=chunk, start=start,
                               **common)
            pages.append(ax.figure)
        elif one_year:
            pages.append(_comparison_grid(results, frames, comparisons, chunk, words,
                                          **common))
        elif len(comparisons) == 1:
            pages.append(report_grid(results, comparison=comparisons[0], order=chunk,
                                     **common).figure)
        else:
            pages.append(report_grids(results, comparisons=comparisons, order=chunk,
                                      **common)[0].figure)
    return pages


def _page_title(words: Formatter, results: pd.DataFrame, index: str, comparisons: list,
                frames: list[pd.DataFrame], one_year: bool, label_a: Any,
                label_b: Any) -> str:
    scale = _scale_title(words, index, frames[0])
    when = _year_of(frames[0]) if one_year else _years_of(words, frames)
    if len(comparisons) > 1:
        return words.title(scale, None, when)
    who = _who(words, frames[0], comparisons[0], label_a, label_b)
    return words.title(scale, who, when)


def _comparison_grid(results: pd.DataFrame, frames: list[pd.DataFrame], comparisons: list,
                     rows: list[str], words: Formatter, *, index: str, bandwidth: Any,
                     names: Any, vmin: float, vmax: float, cmap: Any, lang: str,
                     title: str | None, label_a: Any, label_b: Any) -> Figure:
    """One year, several comparisons: areas as rows, comparisons as columns."""
    from matplotlib.figure import Figure

    _check_scale(vmin, vmax)
    both = pd.concat([f.assign(_column=i) for i, f in enumerate(frames)])
    heads = [_who(words, f, c, label_a, label_b, start=True) or _text(c) for f, c
             in zip(frames, comparisons, strict=True)]
    figure = Figure(figsize=(3.2 + 0.55 * len(comparisons), 3.2 + _ROW * len(rows)),
                    layout="constrained")
    ax = figure.add_subplot()
    image = _draw_grid(ax, both, rows, _labels(rows, names, results), vmin, vmax, cmap, None,
                       words, column="_column", columns=list(range(len(frames))),
                       column_labels=heads)
    ax.xaxis.tick_top()
    ax.tick_params(axis="x", labelsize=8)
    scale = _scale_title(words, index, frames[0])
    if title is None:
        title = words.title(scale, None, _year_of(frames[0]))
    set_title(ax, title, figure=True)
    _grid_legend(figure, [ax], [image], vmin, vmax, words, scale, index)
    return figure


def _years_of(words: Formatter, frames: Sequence[pd.DataFrame]) -> str | None:
    """The years of a grid for its title: ``2009–2018`` (one year as it is; None for
    results without years)."""
    years = sorted({y for f in frames for y in f["year"].dropna().unique() if y != "all"})
    if not years:
        return None
    first, last = words.year(years[0]), words.year(years[-1])
    return first if first == last else f"{first}–{last}"


def _year_of(frame: pd.DataFrame) -> Any:
    """The one year of a grid table (None for results without years)."""
    year = _first(frame, "year")
    return None if year == "all" else year
