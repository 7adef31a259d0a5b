"""Static maps and figures (matplotlib): choropleths, the report's grid, school maps.

Every function takes ``ax=None`` (a new figure is made) or an existing axes, and
returns the axes it drew on; none uses pyplot's current figure and none saves a
file (the command line does that). matplotlib, geopandas and mapclassify are
imported inside the functions, so ``import segspatial`` stays light.

The colour scale follows the Dutch school-segregation report (figures 1-7): fixed
from 0 (dark green) to 0.8 (dark red) for every index, year and comparison, so maps
and grids can be compared at a glance. Optional classes follow Massey & Denton
(1993): 0-0.3 low, 0.3-0.6 moderate, 0.6-1 high, or any mapclassify scheme
(Rey, Stephens & Laura 2017).

References
----------
Massey, D. S. & Denton, N. A. (1993). *American Apartheid*. Harvard University Press.
Rey, S. J., Stephens, P. & Laura, J. (2017). An evaluation of sampling and full
enumeration strategies for Fisher Jenks classification in big data settings.
*Transactions in GIS* 21(4), 796-810 (mapclassify).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from segspatial._figure import (
    _LITERAL,
    MAX_LABEL,
    STATIC_FORMATS,
    _axes_width_inches,
    _check_scale,
    _colormap,
    _literal,
    _new_axes,
    _outline,
    _rgba,
    _text,
    draw_outline,
    extend,
    figure_bytes,
    for_drawing,
    formatter,
    legend_below,
    map_figsize,
    no_data_handle,
    note_no_values,
    out_of_scale,
    out_of_scale_handles,
    pdf_pages_bytes,
    room_for_lines,
    scale_colormap,
    set_title,
    wrap_text,
)
from segspatial._grid import ROWS_PER_PAGE, grid_pages, ranking_chart, report_grid, report_grids
from segspatial._mapdata import (
    MASSEY_DENTON_BANDS,
    NO_DATA_COLOR,
    REPORT_CMAP,
    REPORT_VMAX,
    REPORT_VMIN,
    SUPPRESSED_COLOR,
    _first,
    _pick,
    _require_columns,
    _shown,
    area_map_frame,
    check_frame,
    check_min_cell,
    school_frame,
)
from segspatial._scales import check_given, index_scale, is_known, resolve_scale

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = [
    "MASSEY_DENTON_BANDS",
    "MAX_LABEL",
    "REPORT_CMAP",
    "REPORT_VMAX",
    "REPORT_VMIN",
    "ROWS_PER_PAGE",
    "STATIC_FORMATS",
    "choropleth",
    "classify",
    "figure_bytes",
    "grid_pages",
    "pdf_pages_bytes",
    "profile_plot",
    "ranking_chart",
    "report_grid",
    "report_grids",
    "school_map",
]

# --------------------------------------------------------------------------- helpers


def _normalise_scheme(scheme: str) -> str:
    if not isinstance(scheme, str):
        raise TypeError(f"scheme must be a str or None, got {type(scheme).__name__}")
    key = scheme.replace("_", "").replace("-", "").replace(" ", "").lower()
    if key in ("masseydenton", "bands"):
        return "massey_denton"
    import mapclassify

    for name in mapclassify.CLASSIFIERS:
        if name.lower() == key:
            return name
    import re

    names = ["massey_denton"] + [re.sub(r"(?<!^)(?=[A-Z])", "_", n).lower()
                                 for n in mapclassify.CLASSIFIERS]
    raise ValueError(f"scheme={scheme!r} is not known; leave scheme= out for a continuous "
                     f"scale, or use one of {', '.join(names)}")


def classify(values: Any, scheme: str, *, k: int = 5, lang: str = "en",
             vmin: float | None = None, vmax: float | None = None,
             index: str | None = None) -> tuple[np.ndarray, list[tuple]]:
    """Classes of ``values`` by the Massey & Denton bands or a mapclassify scheme.

    Parameters
    ----------
    values : array-like of float
        Index values; NaN stays unclassified (class -1).
    scheme : str
        ``"massey_denton"`` (0-0.3 low, 0.3-0.6 moderate, 0.6-1 high; Massey & Denton
        1993) or a mapclassify scheme (``"quantiles"``, ``"natural_breaks"``,
        ``"fisher_jenks"``, ``"equal_interval"``, ...). Values outside the Massey &
        Denton bands (a negative D*) get classes of their own ("below 0", "above 1"),
        added after the bands: never the nearest band.
    k : int
        Number of classes for mapclassify schemes that take one.
    lang : {"en", "nl"}
        Language of the class labels.
    vmin, vmax : float, optional
        The colour scale the classes are drawn on (a map's, e.g. the report's 0 to
        0.8). A mapclassify class that straddles ``vmin`` or ``vmax`` is split there,
        and the values below ``vmin`` / above ``vmax`` form one class each ("below
        0", "above 0.8", lower ``-inf`` / upper ``inf``), so no value on the scale
        shares a class (and a colour) with one off it.
    index : str, optional
        The index classified: the Massey & Denton bands are refused for an index they
        are not defined for (exposure, Moran's I, ...; see
        :data:`segspatial._scales.INDEX_SCALES`), and a negative D* is labelled
        "below 0: more even than random".

    Returns
    -------
    classes : numpy.ndarray of int
        The class of each value (-1 for NaN).
    bins : list of (lower, upper, label)
        One entry per class, in order; mapclassify classes are labelled
        ``"0.175 to 0.252"`` (``"0,175 tot 0,252"``).

    Raises
    ------
    ValueError
        For an unknown scheme, ``k`` below 2, or the Massey & Denton bands on an index
        without them.

    Examples
    --------
    >>> classes, bins = classify([0.1, 0.45, 0.7, float("nan")], "massey_denton")
    >>> classes.tolist()
    [0, 1, 2, -1]
    >>> [label for _, _, label in bins]
    ['low (0–0.3)', 'moderate (0.3–0.6)', 'high (0.6–1)']
    >>> classes, bins = classify([-0.05, 0.45], "massey_denton", lang="nl")
    >>> classes.tolist(), [label for _, _, label in bins]
    ([3, 1], ['laag (0–0,3)', 'matig (0,3–0,6)', 'hoog (0,6–1)', 'onder 0'])
    >>> classes, bins = classify([-0.2, 0.1, 0.5, 0.9], "equal_interval", k=2,
    ...                          vmin=0, vmax=0.8)
    >>> classes.tolist(), [label for _, _, label in bins]
    ([0, 1, 2, 3], ['below 0', '0 to 0.35', '0.35 to 0.8', 'above 0.8'])
    """
    values = np.asarray(values, dtype=np.float64)
    scheme = _normalise_scheme(scheme)
    words = formatter(lang)
    classes = np.full(values.shape, -1, dtype=np.int64)
    ok = np.isfinite(values)
    if scheme == "massey_denton":
        scale = index_scale(index) if index is not None else None
        if scale is not None and scale.bands is None and is_known(index):
            raise ValueError(words.text("figures2.no_bands", index=words.index_title(index)))
        random = scale is not None and scale.below_random
        edges = np.array([lo for lo, _, _ in MASSEY_DENTON_BANDS[1:]])
        classes[ok] = np.searchsorted(edges, values[ok], side="right")
        bins = [(lo, hi, words.band(name, lo, hi)) for lo, hi, name in MASSEY_DENTON_BANDS]
        bottom, top = MASSEY_DENTON_BANDS[0][0], MASSEY_DENTON_BANDS[-1][1]
        for outside, entry in ((ok & (values < bottom),
                                (-np.inf, bottom, words.below(bottom, random=random))),
                               (ok & (values > top), (top, np.inf, words.above(top)))):
            if outside.any():
                bins.append(entry)
                classes[outside] = len(bins) - 1
        return classes, bins
    import mapclassify

    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 2:
        raise ValueError(f"k must be an int of at least 2, got {k!r}")
    if not ok.any():
        return classes, []
    klass = getattr(mapclassify, scheme)
    import warnings

    with warnings.catch_warnings():  # its "Setting k to 1" names its own argument
        warnings.simplefilter("ignore", UserWarning)
        try:
            fitted = klass(values[ok], k=int(k))
        except TypeError:  # schemes without k (HeadTailBreaks, BoxPlot, StdMean, ...)
            fitted = klass(values[ok])
    got = len(np.asarray(fitted.bins).ravel())
    if "k" in getattr(fitted, "__dict__", {}) and got < int(k):
        from segspatial._exceptions import SegregationWarning
        from segspatial._warn import warn

        warn(SegregationWarning, "fewer_classes", n=got, k=int(k),
             distinct=int(np.unique(values[ok]).size))
    classes[ok] = fitted.yb
    uppers = list(np.asarray(fitted.bins, dtype=np.float64))
    lowers = [float(values[ok].min())] + uppers[:-1]
    if vmin is not None or vmax is not None:
        return _split_classes(values, classes, lowers, uppers, words,
                              -np.inf if vmin is None else float(vmin),
                              np.inf if vmax is None else float(vmax),
                              random=index is not None and index_scale(index).below_random)
    bins = [(lo, hi, _class_range(words, lo, hi)) for lo, hi in zip(lowers, uppers,
                                                                      strict=True)]
    return classes, bins


def _class_range(words, low: float, high: float) -> str:
    """A class's label: ``0.175 to 0.252`` (an en dash between signed numbers reads
    as a minus)."""
    return words.text("figures_fix.class_range", low=words.decimal(low, 3),
                      high=words.decimal(high, 3))


def _split_classes(values: np.ndarray, classes: np.ndarray, lowers: list[float],
                   uppers: list[float], words, vmin: float, vmax: float, *,
                   random: bool = False) -> tuple[np.ndarray, list[tuple]]:
    """mapclassify's classes cut at the scale's ends: the part of each class on the
    scale stays a class (its bounds clipped to the scale; empty parts dropped), the
    values below ``vmin`` and above ``vmax`` become one class each."""
    ok = classes >= 0
    below, above = ok & (values < vmin), ok & (values > vmax)
    inside = ok & ~below & ~above
    out = np.full(values.shape, -1, dtype=np.int64)
    bins: list[tuple] = []
    if below.any():
        bins.append((-np.inf, vmin, words.below(vmin, random=random)))
        out[below] = 0
    for i, (lo, hi) in enumerate(zip(lowers, uppers, strict=True)):
        members = inside & (classes == i)
        if members.any():
            lo, hi = max(lo, vmin), min(hi, vmax)
            bins.append((lo, hi, _class_range(words, lo, hi)))
            out[members] = len(bins) - 1
    if above.any():
        bins.append((vmax, np.inf, words.above(vmax)))
        out[above] = len(bins) - 1
    return out, bins


def _bar_label(ax, text: str) -> str:
    """A colour bar's label under a map, wrapped to the bar's width (0.7 of the axes;
    review2 #55: a long group label ran off both edges)."""
    from matplotlib import rcParams
    from matplotlib.font_manager import FontProperties

    size = FontProperties(size=rcParams["axes.labelsize"]).get_size_in_points()
    return wrap_text(text, 0.95 * 0.7 * _axes_width_inches(ax), size)


def _class_colors(bins: list[tuple], cmap, norm) -> list:
    """Colour of each class: the report's scale at the class middle (so colours keep
    their meaning across maps, and rise with the classes); a class below / above the
    scale (lower ``-inf`` / upper ``inf``) gets its colour."""
    cmap = scale_colormap(cmap)
    return [cmap(norm(lo if not np.isfinite(lo) else hi if not np.isfinite(hi)
                      else 0.5 * (lo + min(hi, norm.vmax))))
            for lo, hi, _ in bins]


# --------------------------------------------------------------------------- choropleth

def choropleth(
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
    edgecolor: str = "white",
    linewidth: float = 0.3,
    legend: bool = True,
    lang: str = "en",
    title: str | None = None,
    label_a: str | None = None,
    label_b: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """A choropleth of one index per area, for one year and one comparison.

    Colours follow the report's fixed scale (0 dark green to 0.8 dark red) or, with
    ``scheme``, classes: the Massey & Denton (1993) bands or a mapclassify scheme,
    each class coloured by the report's scale at its middle. Areas without a value
    are grey ("no data"); values below ``vmin`` (a negative D* or spatial H) or above
    ``vmax`` have colours of their own, never the scale's ends, with extend arrows on
    the colour bar and legend entries. The title says which index (at which
    bandwidth and kernel), comparison and year is shown, in words.

    The colour bar and legend are drawn under the map, outside the axes: they never
    cover an area (a new figure uses constrained layout, which makes room; on your own
    axes use ``layout="constrained"`` too).

    Parameters
    ----------
    results : pandas.DataFrame
        A tidy results table (:func:`segspatial.segregation`), or, when
        ``boundaries`` is None, results already joined to geometry (a GeoDataFrame,
        long or with one column per index).
    boundaries : geopandas.GeoDataFrame, optional
        Area polygons; every feature is drawn, with or without a value.
    index : str
        The index to map (a value of the ``index`` column).
    area_code : str, optional
        The boundaries' column with the area codes of ``results["area"]``
        (default ``statcode``, the CBS code; for joined input the default is ``area``).
    name : str, optional
        The boundaries' column with area names (default: ``statnaam`` or ``name``).
    comparison, year, bandwidth : optional
        Which rows to map. Without ``year`` the latest year is shown; without
        ``comparison``/``bandwidth`` the only one present (an error lists them when
        there are several).
    scheme : str, optional
        None (continuous colour bar), ``"massey_denton"`` or a mapclassify scheme.
    k : int
        Number of classes for mapclassify schemes.
    vmin, vmax : float, optional
        The colour scale; default the index's own (:data:`segspatial._scales.INDEX_SCALES`:
        the report's 0 to 0.8 for D-like indices, 0-1 for exposure and isolation, -1 to
        1 for Moran's I, ...).
    cmap : str or Colormap, optional
        Default the index's own (the report's dark green to dark red for D).
    edgecolor, linewidth
        Area outlines.
    legend : bool
        Draw the legend / colour bar.
    lang : {"en", "nl"}
        Language of the title, legend and numbers (Dutch: decimal comma).
    title : str, optional
        The title (default: index, comparison and year in words; ``""``: none).
    label_a, label_b : str, optional
        What to call the two groups in the title, as noun phrases (e.g. ``"pupils
        with a disadvantage background"``); default the comparison's name in words.
    ax : matplotlib Axes, optional
        Where to draw; default a new figure.

    Returns
    -------
    matplotlib.axes.Axes
    """
    from matplotlib.colors import Normalize
    from matplotlib.patches import Patch

    check_given(vmin, vmax)
    words = formatter(lang)
    frame, selection = area_map_frame(results, boundaries, index=index, area_code=area_code,
                                      name=name, comparison=comparison, year=year,
                                      bandwidth=bandwidth)
    frame = for_drawing(frame)
    note_no_values(words, index, frame["value"], selection.reasons)
    vmin, vmax, cmap, index_scale = resolve_scale(index, frame["value"], vmin, vmax, cmap)
    _check_scale(vmin, vmax)
    created = ax is None
    ax = _new_axes(ax, map_figsize(frame.total_bounds) if len(frame) else (8, 9))
    norm = Normalize(vmin=vmin, vmax=vmax)
    values = frame["value"].to_numpy(dtype=np.float64)
    missing = ~np.isfinite(values)
    handles: list = []
    if scheme is None:
        colors = scale_colormap(cmap)(norm(values))
        below, above = out_of_scale(values, vmin, vmax)
        handles = out_of_scale_handles(words, below, above, vmin, vmax,
                                       below_random=index_scale.below_random)
    else:
        colors = np.empty((len(frame), 4))
        colors[:] = _rgba(NO_DATA_COLOR)
        classes, bins = classify(values, scheme, k=k, lang=lang, vmin=vmin, vmax=vmax,
                                 index=index)
        class_colors = _class_colors(bins, cmap, norm)
        for i, color in enumerate(class_colors):
            colors[classes == i] = color
        order = sorted(range(len(bins)), key=lambda i: bins[i][0])
        handles = [Patch(facecolor=class_colors[i], edgecolor="none", label=bins[i][2])
                   for i in order]
    if missing.any():
        handles.append(no_data_handle(words))
    if len(frame):
        frame.plot(ax=ax, color=colors, edgecolor=edgecolor, linewidth=linewidth)
    ax.set_axis_off()
    ax.set_aspect("equal")
    scale = words.spatial_title(index, selection.bandwidth, selection.kernel)
    if title is None:
        title = words.selection_title(index, **selection.describe(), label_a=label_a,
                                      label_b=label_b)
    set_title(ax, title)
    if legend:
        if scheme is None:
            from matplotlib.cm import ScalarMappable

            bar = ax.figure.colorbar(ScalarMappable(norm=norm, cmap=scale_colormap(cmap)),
                                     ax=ax, location="bottom", shrink=0.7, pad=0.02,
                                     aspect=30, extend=extend(below, above))
            bar.set_label(_bar_label(ax, scale), **_LITERAL)
            bar.ax.xaxis.set_major_formatter(words.tick_formatter())
            legend_below(ax, handles)
        else:
            legend_below(ax, handles, title=scale, ncols=min(len(handles), 3))
    room_for_lines(ax, created)
    return ax


# --------------------------------------------------------------------------- school map

def school_map(
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
    boundaries: Any = None,
    cmap: Any = "RdBu_r",
    max_size: float = 250.0,
    legend: bool = True,
    min_cell: int | None = None,
    published: pd.DataFrame | None = None,
    lang: str = "en",
    title: str | None = None,
    label_a: str | None = None,
    area_name: str | None = None,
    year: Any = None,
    ax: Axes | None = None,
    frame: pd.DataFrame | None = None,
) -> Axes:
    """Schools as circles sized by pupils, coloured by their share of group A.

    The colour scale diverges at the share of group A in the school's area (white
    = as mixed as the area; red = more group A, blue = less), so local sorting shows
    whatever the area's overall composition (see the checkerboard problem,
    Massey & Denton 1988). The colour bar, the key of circle sizes and the note on
    suppressed schools are drawn under the map, outside the axes.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per school (select one year first).
    unit, group_a, group_b : str
        Columns: school id, counts of group A and group B.
    x, y : str, optional
        Coordinate columns (not needed when ``data`` is a GeoDataFrame of points).
    crs : optional
        The CRS of the coordinates; boundaries in another CRS are reprojected to it.
    name : str, optional
        School name column (unused on a static map; kept for the same signature as
        :func:`segspatial.webmap.school_webmap`).
    area : str, optional
        Area column: each school is centred on its own area's share.
    total : str, optional
        Pupils column for the circle sizes (default ``a + b``).
    boundaries : GeoDataFrame, GeoSeries or shapely geometry, optional
        The area outline(s), drawn without fill.
    cmap : str or Colormap
        A diverging colour map.
    max_size : float
        Marker area (points²) of the largest school.
    legend : bool
        Draw the colour bar and the size legend.
    min_cell : int, optional
        Disclosure control, as in :func:`segspatial.webmap.school_webmap`: only what
        :func:`segspatial.disclosure.publish_schools` allows is drawn. A school with
        fewer than ``min_cell`` pupils in group A or in group B is a neutral grey
        (with a legend entry saying why), the others are coloured by the middle of
        their share's 10-point band, centred on the area's share in whole percents,
        and sized by their rounded pupils (at least ``min_cell``).
    published : pandas.DataFrame, optional
        With ``min_cell``: :func:`segspatial.disclosure.publish_schools` of these rows
        (one row per row of ``data``), when the caller has it (a report); computed
        otherwise.
    lang : {"en", "nl"}
        Language of the title, legends and numbers.
    title : str, optional
        The title (default "<area name>: Share of <group A> per school, <year>", the
        parts that are known; ``""``: none).
    label_a : str, optional
        What to call group A, as a noun phrase (e.g. ``"pupils with a disadvantage
        background"``); default a known group's name (``"non-western pupils"``),
        else "group A".
    area_name : str, optional
        The name of the area shown (``"Amsterdam"``), for the default title.
    year : optional
        The year of the data, for the default title.
    ax : matplotlib Axes, optional
    frame : pandas.DataFrame, optional
        The schools as :func:`segspatial._mapdata.school_frame` gives them for these
        arguments, when the caller has it (a report page draws its static and its
        interactive map from one frame).

    Returns
    -------
    matplotlib.axes.Axes
    """
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize
    from matplotlib.lines import Line2D

    min_cell = check_min_cell(min_cell)
    words = formatter(lang)
    schools = frame if frame is not None else school_frame(
        data, unit, group_a, group_b, x=x, y=y, name=name, area=area, total=total,
        min_cell=min_cell, published=published)
    if not (np.isfinite(max_size) and max_size > 0):
        raise ValueError(f"max_size must be a positive number, got {max_size!r}")
    cmap = _colormap(cmap)
    outline = _outline(boundaries, crs)
    xs, ys = schools["x"].to_numpy(), schools["y"].to_numpy()
    bounds = [xs.min(), ys.min(), xs.max(), ys.max()]
    if outline is not None and len(outline):
        ob = outline.total_bounds
        bounds = [min(bounds[0], ob[0]), min(bounds[1], ob[1]), max(bounds[2], ob[2]),
                  max(bounds[3], ob[3])]
    created = ax is None
    ax = _new_axes(ax, map_figsize(bounds, extra=2.1))
    if outline is not None:
        draw_outline(ax, outline)
    biggest = float(schools["size"].max()) or 1.0
    sizes = max_size * schools["size"].to_numpy() / biggest
    order = np.argsort(-sizes, kind="stable")  # small circles on top
    hidden = schools["suppressed"].to_numpy(dtype=bool)
    # suppressed schools have a NaN share: drawn in the colour map's "bad" colour
    ax.scatter(schools["x"].to_numpy()[order], schools["y"].to_numpy()[order],
               s=sizes[order], c=schools["relative"].to_numpy()[order],
               cmap=cmap.with_extremes(bad=SUPPRESSED_COLOR), norm=Normalize(0, 1),
               edgecolors="#333333", linewidths=0.4, plotnonfinite=True)
    ax.set_aspect("equal")
    ax.set_axis_off()
    group = words.group(group_a, label_a, which="a")
    if title is None:
        title = words.text("fig_share_per_school", a=group)
        if area_name is not None and str(area_name) != "":  # the area's name leads
            title = f"{_text(area_name)}: {title}"
        title = words.title(title, None, year)
    set_title(ax, title)
    if legend:
        centres = schools["centre"].unique()
        bar = ax.figure.colorbar(ScalarMappable(norm=Normalize(0, 1), cmap=cmap), ax=ax,
                                 location="bottom", shrink=0.7, pad=0.02, aspect=30)
        ticks = np.array([0.0, 0.25, 0.5, 0.75, 1.0])
        if len(centres) == 1 and np.isfinite(centres[0]):
            c = float(centres[0])
            shares = np.where(ticks <= 0.5, 2 * ticks * c, c + (ticks - 0.5) * 2 * (1 - c))
            bar.set_ticks(ticks, labels=[words.percent(s) for s in shares])
            shown = words.percent(c, 1 if min_cell is None else 0)  # published: whole %
            bar.set_label(_bar_label(ax, words.text("fig_share_centre", a=group,
                                                    centre=shown)), **_LITERAL)
        else:
            bar.set_ticks([0, 0.5, 1], labels=[words.percent(0), words.text("fig_area_share"),
                                               words.percent(1)])
            bar.set_label(_bar_label(ax, words.text("fig_share_centred", a=group)),
                          **_LITERAL)
        refs = _reference_sizes(schools["size"].to_numpy())
        handles = [Line2D([], [], linestyle="", marker="o",
                          markersize=float(np.sqrt(max_size * r / biggest)),
                          markerfacecolor="none", markeredgecolor="#333333",
                          label=words.count(r)) for r in refs]
        if hidden.any():  # beside the key of sizes, which stays the axes' legend
            grey = Line2D([], [], linestyle="", marker="o", markersize=8,
                          markerfacecolor=SUPPRESSED_COLOR, markeredgecolor="#333333",
                          label=words.text("fig_suppressed", n=min_cell))
            ax.add_artist(legend_below(ax, [grey], x=1.0, loc="upper right"))
        legend_below(ax, handles, title=words.text("fig_pupils_per_school"),
                     x=0.0 if hidden.any() else 0.5,
                     loc="upper left" if hidden.any() else "upper center")
    room_for_lines(ax, created)
    return ax


def _reference_sizes(pupils: np.ndarray) -> list[float]:
    """Two or three round pupil numbers spanning the data, for the size legend."""
    top = float(np.max(pupils))
    if top <= 0:
        return [0.0]
    magnitude = 10 ** np.floor(np.log10(top))
    largest = np.floor(top / magnitude) * magnitude
    refs = sorted({largest, np.round(largest / 2.5, -int(np.log10(magnitude)) + 1),
                   largest / 10})
    return [r for r in refs if r > 0]


# --------------------------------------------------------------------------- profile

def profile_plot(
    profile: pd.DataFrame,
    *,
    index: str | Sequence[str] | None = None,
    area: Hashable | Sequence[Hashable] | None = None,
    comparison: Any = None,
    year: Any = None,
    kernel: str | None = None,
    names: Mapping[Hashable, str] | pd.Series | None = None,
    lang: str = "en",
    title: str | None = None,
    label_a: str | None = None,
    label_b: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """A multi-scale profile: a spatial index against the bandwidth.

    One line per area, index and kernel (Reardon et al. 2008's segregation profile):
    a value that falls quickly with the bandwidth means segregation between
    neighbouring schools (local sorting); a flat line means segregation between
    parts of the town (residential patterns).

    Parameters
    ----------
    profile : pandas.DataFrame
        Columns ``area``, [``year``], [``comparison``], ``index``, ``bandwidth``,
        ``kernel``, ``value`` (the spatial module's profile table, or the spatial rows
        of a results table).
    index, area : optional
        One or several to draw (default all).
    comparison, year : optional
        As in :func:`choropleth` (latest year by default).
    kernel : str, optional
        Only this kernel.
    names : mapping or Series, optional
        Area code -> label.
    lang : {"en", "nl"}
        Language of the title, labels and numbers (bandwidths as ``500 m``, ``2 km``).
    title : str, optional
        The title (default: the index, comparison and year in words; ``""``: none).
    label_a, label_b : str, optional
        What to call the two groups in the title, as noun phrases.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    References
    ----------
    Reardon, S. F., Matthews, S. A., O'Sullivan, D., Lee, B. A., Firebaugh, G.,
    Farrell, C. R. & Bischoff, K. (2008). The geographic scale of metropolitan racial
    segregation. *Demography* 45(3), 489-514.
    """
    check_frame(profile, "profile")
    _require_columns(profile, ["area", "index", "bandwidth", "value"], "profile")
    frame = profile[profile["bandwidth"].notna()]
    if frame.empty:
        raise ValueError("profile has no rows with a bandwidth (no spatial index values)")
    for column, wanted in (("index", index), ("area", area), ("kernel", kernel)):
        if wanted is None:
            continue
        if column not in frame.columns:
            raise ValueError(f"{column}={wanted!r} was given but profile has no {column!r} "
                             "column")
        wanted = [wanted] if isinstance(wanted, (str, int, np.integer)) else list(wanted)
        unknown = [w for w in wanted if w not in set(frame[column])]
        if unknown:
            raise ValueError(f"{column}={_shown(unknown)} not in profile; available: "
                             f"{_shown(sorted(frame[column].dropna().unique(), key=str))}")
        frame = frame[frame[column].isin(wanted)]
    frame, comparison = _pick(frame, "comparison", comparison, "comparison")
    frame, year = _pick(frame, "year", year, "year", default_latest=True)
    ax = _new_axes(ax, (8, 4.5))
    words = formatter(lang)
    keys = [c for c in ("area", "index", "kernel") if c in frame.columns]
    varying = [c for c in keys if frame[c].nunique() > 1] or keys[:1]
    lookup = dict(names.items()) if names is not None else {}
    shown = {"area": lambda v: _text(lookup.get(v, v)), "index": words.index_title,
             "kernel": words.kernel}
    for key, line in frame.groupby(keys, sort=True):
        line = line.sort_values("bandwidth")
        parts = dict(zip(keys, key if isinstance(key, tuple) else (key,), strict=True))
        label = ", ".join(shown[c](parts[c]) for c in varying)
        ax.plot(line["bandwidth"].to_numpy(dtype=np.float64),
                line["value"].to_numpy(dtype=np.float64), marker="o", label=label)
    ax.set_xlabel(words.text("fig_bandwidth_axis"), **_LITERAL)
    ax.xaxis.set_major_formatter(_distance_ticks(words))
    ax.yaxis.set_major_formatter(words.tick_formatter())
    indices = list(frame["index"].unique())
    what = (words.index_title(indices[0]) if len(indices) == 1
            else ", ".join(words.index_symbol(i) for i in indices))
    ax.set_ylabel(words.index_title(indices[0]) if len(indices) == 1
                  else words.text("fig_index_value"), **_LITERAL)
    ax.set_ylim(bottom=min(0.0, float(np.nanmin(frame["value"]))))
    if title is None:
        who = words.comparison(comparison, _first(frame, "group_a"), _first(frame, "group_b"),
                               label_a, label_b)
        what = words.text("fig_profile_title", index=what)
        if "kernel" in frame.columns and frame["kernel"].nunique() == 1:
            what = words.text("fig_profile_kernel", title=what,
                              kernel=words.kernel(frame["kernel"].iloc[0]))
        if frame["area"].nunique() == 1:  # one area: its name leads
            what = f'{shown["area"](frame["area"].iloc[0])}: {what}'
        title = words.title(what, who, year)
    set_title(ax, title)
    heads = {"area": "fig_area", "index": "fig_index", "kernel": "fig_kernel"}
    legend = ax.legend(title=" / ".join(words.text(heads[c]) for c in varying),
                       loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False,
                       fontsize=8, title_fontsize=8)
    _literal(legend)
    ax.grid(alpha=0.3)
    return ax


def _distance_ticks(words):
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda value, _pos: words.distance(value) if value else "0")
