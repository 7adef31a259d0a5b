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

import re
from collections.abc import Hashable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from segspatial._mapdata import (
    MASSEY_DENTON_BANDS,
    NO_DATA_COLOR,
    REPORT_CMAP,
    REPORT_VMAX,
    REPORT_VMIN,
    SUPPRESSED_COLOR,
    _pick,
    _require_columns,
    _shown,
    area_map_frame,
    check_frame,
    check_min_cell,
    school_frame,
    suppressed_legend,
)
from segspatial.schema import has_values

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = [
    "MASSEY_DENTON_BANDS",
    "MAX_LABEL",
    "REPORT_CMAP",
    "REPORT_VMAX",
    "REPORT_VMIN",
    "choropleth",
    "classify",
    "figure_bytes",
    "profile_plot",
    "report_grid",
    "report_grids",
    "school_map",
]


#: Longest text from the data (a name, code, label) drawn in a static figure, in
#: characters; longer ones are shortened with "…".
MAX_LABEL = 100
#: Keyword arguments that make a title or axis label literal (see :func:`_literal`).
_LITERAL = {"parse_math": False, "usetex": False}
_LINE_BREAKS = re.compile(r"[\t\n\r\x0b\x0c\x85\u2028\u2029]")
_UNDRAWABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")

# --------------------------------------------------------------------------- helpers


def _text(value: Any) -> str:
    """Text from the data as a static figure draws it.

    Data is never markup: each text artist holding it is made literal
    (:func:`_literal`). Here line breaks become spaces, other control characters
    (which SVG, being XML, cannot hold) and lone surrogates become U+FFFD, and text
    longer than :data:`MAX_LABEL` characters is shortened with "…".
    """
    text = _UNDRAWABLE.sub("\ufffd", _LINE_BREAKS.sub(" ", str(value)))
    return text if len(text) <= MAX_LABEL else text[:MAX_LABEL - 1] + "…"


#: Static formats :func:`figure_bytes` writes.
STATIC_FORMATS = ("png", "svg", "pdf")
#: Per format: metadata left out, so the same figure gives the same bytes.
_NO_DATES = {"png": {"Software": None}, "svg": {"Date": None},
             "pdf": {"CreationDate": None}}


def figure_bytes(figure: Any, format: str, *, dpi: float = 150) -> bytes:
    """The figure as PNG, SVG or PDF: the same bytes for the same figure.

    No creation date or software version is embedded, and SVG ids come from a fixed
    salt. SVG keeps text as text (``svg.fonttype: none``): names are searchable and
    appear literally in the file (escaped as XML by matplotlib).

    Parameters
    ----------
    figure : matplotlib.figure.Figure
    format : {"png", "svg", "pdf"}
    dpi : float
        Resolution of PNG output (and of images inside SVG and PDF).

    Returns
    -------
    bytes
    """
    import io

    import matplotlib as mpl

    if format not in STATIC_FORMATS:
        raise ValueError(f"format must be one of {', '.join(STATIC_FORMATS)}, got {format!r}")
    buffer = io.BytesIO()
    with mpl.rc_context({"svg.hashsalt": "segspatial", "svg.fonttype": "none"}):
        figure.savefig(buffer, format=format, dpi=dpi, metadata=_NO_DATES[format])
    return buffer.getvalue()


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


def _check_scale(vmin: float, vmax: float) -> None:
    if not (np.isfinite(vmin) and np.isfinite(vmax) and vmin < vmax):
        raise ValueError(f"vmin and vmax must be finite with vmin < vmax, got vmin={vmin!r}, "
                         f"vmax={vmax!r}")


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
    raise ValueError(f"scheme={scheme!r} is not known; use None (a continuous scale), "
                     f"'massey_denton' or a mapclassify scheme: "
                     f"{_shown(list(mapclassify.CLASSIFIERS))}")


def classify(values: Any, scheme: str, *, k: int = 5) -> tuple[np.ndarray, list[tuple]]:
    """Classes of ``values`` by the Massey & Denton bands or a mapclassify scheme.

    Parameters
    ----------
    values : array-like of float
        Index values; NaN stays unclassified (class -1).
    scheme : str
        ``"massey_denton"`` (0-0.3 low, 0.3-0.6 moderate, 0.6-1 high; Massey & Denton
        1993) or a mapclassify scheme (``"quantiles"``, ``"natural_breaks"``,
        ``"fisher_jenks"``, ``"equal_interval"``, ...).
    k : int
        Number of classes for mapclassify schemes that take one.

    Returns
    -------
    classes : numpy.ndarray of int
        The class of each value (-1 for NaN).
    bins : list of (lower, upper, label)
        One entry per class, in order.

    Examples
    --------
    >>> classes, bins = classify([0.1, 0.45, 0.7, float("nan")], "massey_denton")
    >>> classes.tolist()
    [0, 1, 2, -1]
    >>> [label for _, _, label in bins]
    ['low (0-0.3)', 'moderate (0.3-0.6)', 'high (0.6-1)']
    """
    values = np.asarray(values, dtype=np.float64)
    scheme = _normalise_scheme(scheme)
    classes = np.full(values.shape, -1, dtype=np.int64)
    ok = np.isfinite(values)
    if scheme == "massey_denton":
        edges = np.array([lo for lo, _, _ in MASSEY_DENTON_BANDS[1:]])
        classes[ok] = np.searchsorted(edges, values[ok], side="right")
        bins = [(lo, hi, f"{label} ({lo:g}-{hi:g})") for lo, hi, label in MASSEY_DENTON_BANDS]
        return classes, bins
    import mapclassify

    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 2:
        raise ValueError(f"k must be an int of at least 2, got {k!r}")
    if not ok.any():
        return classes, []
    klass = getattr(mapclassify, scheme)
    try:
        fitted = klass(values[ok], k=int(k))
    except TypeError:  # schemes without k (HeadTailBreaks, BoxPlot, StdMean, ...)
        fitted = klass(values[ok])
    classes[ok] = fitted.yb
    uppers = list(np.asarray(fitted.bins, dtype=np.float64))
    lowers = [float(values[ok].min())] + uppers[:-1]
    bins = [(lo, hi, f"{lo:.3f}-{hi:.3f}") for lo, hi in zip(lowers, uppers, strict=True)]
    return classes, bins


def _class_colors(bins: list[tuple], cmap, norm) -> list:
    """Colour of each class: the report's scale at the class middle (so colours keep
    their meaning across maps)."""
    return [cmap(norm(0.5 * (lo + min(hi, norm.vmax)))) for lo, hi, _ in bins]


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
    vmin: float = REPORT_VMIN,
    vmax: float = REPORT_VMAX,
    cmap: Any = None,
    edgecolor: str = "white",
    linewidth: float = 0.3,
    legend: bool = True,
    ax: Axes | None = None,
) -> Axes:
    """A choropleth of one index per area, for one year and one comparison.

    Colours follow the report's fixed scale (0 dark green to 0.8 dark red) or, with
    ``scheme``, classes: the Massey & Denton (1993) bands or a mapclassify scheme,
    each class coloured by the report's scale at its middle. Areas without a value
    are grey with a "no data" legend entry; the legend (or colour bar) title says
    which index, comparison and year is shown.

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
    vmin, vmax : float
        The colour scale (default the report's 0 to 0.8).
    cmap : str or Colormap, optional
        Default the report's dark green to dark red (``RdYlGn_r``).
    edgecolor, linewidth
        Area outlines.
    legend : bool
        Draw the legend / colour bar.
    ax : matplotlib Axes, optional
        Where to draw; default a new figure.

    Returns
    -------
    matplotlib.axes.Axes
    """
    from matplotlib.colors import Normalize
    from matplotlib.patches import Patch

    _check_scale(vmin, vmax)
    frame, selection = area_map_frame(results, boundaries, index=index, area_code=area_code,
                                      name=name, comparison=comparison, year=year,
                                      bandwidth=bandwidth)
    ax = _new_axes(ax, (8, 9))
    cmap = _colormap(cmap)
    norm = Normalize(vmin=vmin, vmax=vmax)
    values = frame["value"].to_numpy(dtype=np.float64)
    missing = ~np.isfinite(values)
    colors = np.empty((len(frame), 4))
    colors[:] = _rgba(NO_DATA_COLOR)
    handles: list = []
    if scheme is None:
        colors[~missing] = cmap(norm(values[~missing]))
    else:
        classes, bins = classify(values, scheme, k=k)
        class_colors = _class_colors(bins, cmap, norm)
        for i, color in enumerate(class_colors):
            colors[classes == i] = color
        handles = [Patch(facecolor=c, edgecolor="none", label=label)
                   for c, (_, _, label) in zip(class_colors, bins, strict=True)]
    if missing.any():
        handles.append(Patch(facecolor=NO_DATA_COLOR, edgecolor="none", label="no data"))
    if len(frame):
        frame.plot(ax=ax, color=colors, edgecolor=edgecolor, linewidth=linewidth)
    ax.set_axis_off()
    ax.set_aspect("equal")
    title = _text(selection.title())
    if legend:
        if scheme is None:
            from matplotlib.cm import ScalarMappable

            above = np.nanmax(values, initial=-np.inf) > vmax
            below = np.nanmin(values, initial=np.inf) < vmin
            extend = {(False, False): "neither", (True, False): "max",
                      (False, True): "min", (True, True): "both"}[(bool(above), bool(below))]
            bar = ax.figure.colorbar(ScalarMappable(norm=norm, cmap=cmap), ax=ax,
                                     shrink=0.6, extend=extend)
            bar.set_label(title, **_LITERAL)
            if handles:
                _literal(ax.legend(handles=handles, loc="lower right", frameon=False))
        else:
            _literal(ax.legend(handles=handles, title=title, loc="lower right",
                               frameon=False))
    return ax


def _rgba(color: Any) -> tuple:
    from matplotlib.colors import to_rgba

    return to_rgba(color)


# --------------------------------------------------------------------------- the grid

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
    if "year" not in frame.columns:
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


def _labels(areas: Sequence[str], names: Mapping | pd.Series | None,
            results: pd.DataFrame) -> list[str]:
    if names is None and "area_name" in results.columns:
        names = results.drop_duplicates("area").set_index(
            results.drop_duplicates("area")["area"].astype(str))["area_name"]
    if names is None:
        return [_text(a) for a in areas]
    lookup = dict(names.items()) if hasattr(names, "items") else dict(names)
    return [_text(lookup.get(a, a)) for a in areas]


def report_grid(
    results: pd.DataFrame,
    *,
    index: str = "dissimilarity",
    comparison: Any = None,
    bandwidth: Any = None,
    names: Mapping[Hashable, str] | pd.Series | None = None,
    order: Sequence[Hashable] | None = None,
    vmin: float = REPORT_VMIN,
    vmax: float = REPORT_VMAX,
    cmap: Any = None,
    fmt: str = "{:.2f}",
    colorbar: bool = True,
    ax: Axes | None = None,
) -> Axes:
    """The report's figure: areas as rows, years as columns, each cell coloured.

    Rows are sorted by the mean number of pupils per year (``n_pupils``), largest on
    top, as in figures 1-7 of the Dutch school-segregation report; each cell is
    coloured on the fixed scale (0 dark green to 0.8 dark red) with its value printed
    in it. Cells without a value are grey and left blank.

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
    fmt : str
        Format of the printed values.
    colorbar : bool
        Draw a colour bar.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    _check_scale(vmin, vmax)
    frame, comparison = _grid_table(results, index, comparison, bandwidth)
    ax = _new_axes(ax, (7, 0.6 + 0.32 * max(1, frame["area"].nunique())))
    rows = _pupil_order([frame]) if order is None else [str(a) for a in order]
    image = _draw_grid(ax, frame, rows, _labels(rows, names, results), vmin, vmax,
                       _colormap(cmap), fmt)
    ax.set_title(_text(f"{index}" + (f", {comparison}" if comparison is not None else "")),
                 **_LITERAL)
    if colorbar:
        bar = ax.figure.colorbar(image, ax=ax, shrink=0.8)
        bar.set_label(_text(index), **_LITERAL)
    return ax


def report_grids(
    results: pd.DataFrame,
    *,
    index: str = "dissimilarity",
    comparisons: Sequence[Any] | None = None,
    bandwidth: Any = None,
    names: Mapping[Hashable, str] | pd.Series | None = None,
    order: Sequence[Hashable] | None = None,
    vmin: float = REPORT_VMIN,
    vmax: float = REPORT_VMAX,
    cmap: Any = None,
    fmt: str = "{:.2f}",
    ncols: int = 4,
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
    index, bandwidth, names, order, vmin, vmax, cmap, fmt
        As in :func:`report_grid`; rows are ordered by pupils over all comparisons.

    Returns
    -------
    numpy.ndarray of matplotlib Axes
    """
    check_frame(results, "results")
    if comparisons is None:
        comparisons = (list(results["comparison"].dropna().unique())
                       if has_values(results, "comparison") else [None])
    comparisons = list(comparisons)
    if not comparisons:
        raise ValueError("comparisons must name at least one comparison, got []")
    frames = [_grid_table(results, index, c, bandwidth)[0] for c in comparisons]
    rows = _pupil_order(frames) if order is None else [str(a) for a in order]
    if axes is None:
        from matplotlib.figure import Figure

        if isinstance(ncols, bool) or not isinstance(ncols, (int, np.integer)) or ncols < 1:
            raise ValueError(f"ncols must be a positive int, got {ncols!r}")
        ncols = min(int(ncols), len(comparisons))
        nrows = -(-len(comparisons) // ncols)
        fig = Figure(figsize=(1.5 + 4.5 * ncols, nrows * (1.2 + 0.32 * len(rows))),
                     layout="constrained")
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
    image = None
    for i, (ax, frame, comparison) in enumerate(zip(axes, frames, comparisons, strict=True)):
        image = _draw_grid(ax, frame, rows, labels if i in first_column else None, vmin, vmax,
                           _colormap(cmap), fmt)
        ax.set_title(_text(comparison if comparison is not None else index), **_LITERAL)
    bar = axes[0].figure.colorbar(image, ax=list(axes), shrink=0.8)
    bar.set_label(_text(index), **_LITERAL)
    return axes


def _draw_grid(ax, frame: pd.DataFrame, rows: list[str], labels: list[str] | None,
               vmin: float, vmax: float, cmap, fmt: str):
    from matplotlib.colors import Normalize

    years = sorted(frame["year"].unique(), key=lambda v: (str(type(v)), v))
    grid = frame.pivot(index="area", columns="year", values="value").reindex(
        index=rows, columns=years)
    values = grid.to_numpy(dtype=np.float64)
    cmap = cmap.with_extremes(bad=NO_DATA_COLOR)
    norm = Normalize(vmin=vmin, vmax=vmax)
    image = ax.imshow(np.ma.masked_invalid(values), cmap=cmap, norm=norm, aspect="auto",
                      interpolation="nearest")
    for (i, j), value in np.ndenumerate(values):
        if np.isfinite(value):
            r, g, b, _ = cmap(norm(value))
            dark = 0.299 * r + 0.587 * g + 0.114 * b < 0.5
            ax.text(j, i, fmt.format(value), ha="center", va="center", fontsize=7,
                    color="white" if dark else "black")
    ax.set_xticks(range(len(years)), [_text(_year_label(y)) for y in years], rotation=90)
    ax.set_yticks(range(len(rows)), labels if labels is not None else [])
    # one fixed tick per row and column: these label texts are the ones drawn
    for tick in [*ax.xaxis.get_major_ticks(), *ax.yaxis.get_major_ticks()]:
        _literal(tick.label1, tick.label2)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    return image


def _year_label(year: Any) -> Any:
    if isinstance(year, float) and year.is_integer():
        return int(year)
    return year.item() if isinstance(year, np.generic) else year


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
    ax: Axes | None = None,
) -> Axes:
    """Schools as circles sized by pupils, coloured by their share of group A.

    The colour scale diverges at the share of group A in the school's area (white
    = as mixed as the area; red = more group A, blue = less), so local sorting shows
    whatever the area's overall composition (see the checkerboard problem,
    Massey & Denton 1988).

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
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize
    from matplotlib.lines import Line2D

    min_cell = check_min_cell(min_cell)
    schools = school_frame(data, unit, group_a, group_b, x=x, y=y, name=name, area=area,
                           total=total, min_cell=min_cell, published=published)
    if not (np.isfinite(max_size) and max_size > 0):
        raise ValueError(f"max_size must be a positive number, got {max_size!r}")
    ax = _new_axes(ax, (8, 8))
    cmap = _colormap(cmap)
    outline = _outline(boundaries, crs)
    if outline is not None:
        outline.boundary.plot(ax=ax, color="#444444", linewidth=0.8)
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
    if legend:
        centres = schools["centre"].unique()
        bar = ax.figure.colorbar(ScalarMappable(norm=Normalize(0, 1), cmap=cmap), ax=ax,
                                 shrink=0.6)
        ticks = np.array([0.0, 0.25, 0.5, 0.75, 1.0])
        if len(centres) == 1 and np.isfinite(centres[0]):
            c = float(centres[0])
            shares = np.where(ticks <= 0.5, 2 * ticks * c, c + (ticks - 0.5) * 2 * (1 - c))
            bar.set_ticks(ticks, labels=[f"{s:.0%}" for s in shares])
            centre = f"{c:.1%}" if min_cell is None else f"{c:.0%}"  # published: whole %
            bar.set_label(f"share of {_text(group_a)} (centre: the area's {centre})",
                          **_LITERAL)
        else:
            bar.set_ticks([0, 0.5, 1], labels=["0%", "area's share", "100%"])
            bar.set_label(f"share of {_text(group_a)}, centred on each area's share",
                          **_LITERAL)
        if hidden.any():
            grey = Line2D([], [], linestyle="", marker="o", markersize=8,
                          markerfacecolor=SUPPRESSED_COLOR, markeredgecolor="#333333",
                          label=suppressed_legend(min_cell))
            ax.add_artist(ax.legend(handles=[grey], loc="upper left", frameon=False,
                                    fontsize="small"))
        refs = _reference_sizes(schools["size"].to_numpy())
        handles = [Line2D([], [], linestyle="", marker="o",
                          markersize=float(np.sqrt(max_size * r / biggest)),
                          markerfacecolor="none", markeredgecolor="#333333",
                          label=f"{r:,.0f}") for r in refs]
        ax.legend(handles=handles, title="pupils", loc="lower right", frameon=False,
                  labelspacing=1.2)
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
    ax = _new_axes(ax, (7, 4.5))
    keys = [c for c in ("area", "index", "kernel") if c in frame.columns]
    varying = [c for c in keys if frame[c].nunique() > 1] or keys[:1]
    lookup = dict(names.items()) if names is not None else {}
    for key, line in frame.groupby(keys, sort=True):
        line = line.sort_values("bandwidth")
        parts = dict(zip(keys, key if isinstance(key, tuple) else (key,), strict=True))
        label = _text(", ".join(str(lookup.get(parts[c], parts[c]) if c == "area"
                                    else parts[c]) for c in varying))
        ax.plot(line["bandwidth"].to_numpy(dtype=np.float64),
                line["value"].to_numpy(dtype=np.float64), marker="o", label=label)
    ax.set_xlabel("bandwidth (m)")
    indices = frame["index"].unique()
    ax.set_ylabel(_text(indices[0]) if len(indices) == 1 else "index value", **_LITERAL)
    ax.set_ylim(bottom=min(0.0, float(np.nanmin(frame["value"]))))
    title = ", ".join(str(p) for p in (comparison, _year_label(year)) if p is not None)
    _literal(ax.legend(title=_text(" / ".join(varying) + (f" ({title})" if title else "")),
                       frameon=False, fontsize=8))
    ax.grid(alpha=0.3)
    return ax
