"""Shared preparation for the static and interactive maps (private).

Both :mod:`segspatial.plot` and :mod:`segspatial.webmap` draw the same things from
the same tidy results: one value per area for one index, comparison, year (and
bandwidth for spatial indices), joined to boundary polygons with a plain merge,
every boundary feature kept; and one row per school with its share of group A,
centred on its area's share. The checks live here once.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from segspatial._exceptions import SegregationWarning
from segspatial._warn import Examples, warn
from segspatial.counts import check_counts
from segspatial.disclosure import check_min_cell
from segspatial.disclosure import suppressed_schools as suppressed_schools  # re-exported
from segspatial.geo._common import check_codes_match
from segspatial.schema import has_values

#: The report's fixed colour scale for every index map and grid.
REPORT_VMIN = 0.0
REPORT_VMAX = 0.8
#: matplotlib colour map of the report's scale: dark green (0) to dark red (0.8).
REPORT_CMAP = "RdYlGn_r"
#: Massey & Denton (1993) bands: 0-0.3 low, 0.3-0.6 moderate, 0.6-1 high.
MASSEY_DENTON_BANDS = ((0.0, 0.3, "low"), (0.3, 0.6, "moderate"), (0.6, 1.0, "high"))
#: Colour of areas (and cells) without a value.
NO_DATA_COLOR = "#c8c8c8"
#: Column names guessed for the area name in boundary files (CBS uses ``statnaam``).
NAME_CANDIDATES = ("statnaam", "name", "naam", "area_name", "municipality_name", "gemeentenaam")
#: Per-unit local measures shown on school maps when present (from the spatial module).
LOCAL_MEASURES = ("p", "p_local", "gap", "d_contribution", "spatial_d_contribution")
#: Neutral grey of schools whose share is not shown (disclosure control, ``min_cell``).
SUPPRESSED_COLOR = "#9e9e9e"
#: Colours of values below the colour scale's minimum (a negative D* or spatial H on
#: the report's 0-0.8 scale) and above its maximum: never drawn as the scale's ends.
BELOW_SCALE_COLOR = "#2c7bb6"
ABOVE_SCALE_COLOR = "#542788"

_MAX_SHOWN = 8


def _shown(values: Sequence[Any]) -> str:
    values = list(values)
    head = ", ".join(repr(v.item() if isinstance(v, np.generic) else v)
                     for v in values[:_MAX_SHOWN])
    more = f", ... ({len(values)} in all)" if len(values) > _MAX_SHOWN else ""
    return f"[{head}{more}]"


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


@dataclass(frozen=True)
class Selection:
    """One value per area: what a choropleth shows, and the labels describing it."""

    frame: pd.DataFrame  # area, value, n_units, n_pupils, n_a, n_b (counts may be NaN)
    index: str
    comparison: Any = None
    year: Any = None
    bandwidth: Any = None
    kernel: Any = None
    group_a: Any = None
    group_b: Any = None
    reasons: tuple = ()  # the distinct reasons of the rows without a value

    def describe(self) -> dict[str, Any]:
        """What was selected, as keyword arguments of
        :meth:`segspatial._format.Formatter.selection_title`."""
        return {"comparison": self.comparison, "year": self.year,
                "bandwidth": self.bandwidth, "kernel": self.kernel,
                "group_a": self.group_a, "group_b": self.group_b}


def _first(frame: pd.DataFrame, column: str) -> Any:
    """The first non-null value of ``column`` (None when absent or all null)."""
    if column not in frame.columns:
        return None
    values = frame[column].dropna()
    return _plain(values.iloc[0]) if len(values) else None


def check_frame(data: Any, argument: str) -> None:
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"{argument} must be a pandas DataFrame, got {type(data).__name__}")


def _require_columns(frame: pd.DataFrame, columns: Sequence[Hashable], argument: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{argument} has no column(s) {_shown(missing)}; it has "
                         f"{_shown(list(frame.columns))}")


def _typed(value: Any) -> Any:
    """A value as a user types it: ``1000`` for ``1000.0``, ``2018`` for ``'2018'``."""
    value = _plain(value)
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return value
        value = number if value.strip() not in ("nan", "inf", "-inf") else value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _sorted_values(values: Sequence[Any]) -> list[Any]:
    """Values for a message, as typed, in numeric order when they are numbers."""
    typed = [_typed(v) for v in values]
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in typed)
    return sorted(typed) if numbers else sorted(typed, key=str)


def _pick(frame: pd.DataFrame, column: str, wanted: Any, argument: str, *,
          default_latest: bool = False) -> tuple[pd.DataFrame, Any]:
    """Keep the rows where ``column == wanted``; choose or complain when not given."""
    if column not in frame.columns:
        if wanted is not None:
            raise ValueError(f"{argument}={_typed(wanted)!r} was given but the results "
                             f"have no {column!r} column")
        return frame, None
    present = frame[column].dropna().unique()
    if wanted is not None and len(present) == 0:
        raise ValueError(f"{argument}={_typed(wanted)!r} was given but the results have "
                         f"no {column!r} values (the column is empty)")
    if wanted is None:
        if len(present) == 0:
            return frame, None
        if len(present) == 1:
            return frame[frame[column] == present[0]], _plain(present[0])
        if default_latest:
            latest = max(present)
            return frame[frame[column] == latest], _plain(latest)
        raise ValueError(f"the results hold several values of {column!r}: "
                         f"{_shown(_sorted_values(present))}; choose one with {argument}=")
    mask = frame[column] == wanted
    if not mask.any():
        # a year given as text on the command line, or a float bandwidth as int
        try:
            mask = pd.to_numeric(frame[column], errors="coerce") == float(wanted)
        except (TypeError, ValueError):
            pass
    if not mask.any():
        raise ValueError(f"{argument}={_typed(wanted)!r} is not in the results; "
                         f"available: {_shown(_sorted_values(present))}")
    return frame[mask], _plain(frame.loc[mask, column].iloc[0])


def select_values(
    results: pd.DataFrame,
    *,
    index: str,
    comparison: Any = None,
    year: Any = None,
    bandwidth: Any = None,
    area: str = "area",
) -> Selection:
    """One row per area for one index, comparison, year and bandwidth.

    ``results`` is a tidy results table (columns ``area``, ``index``, ``value``, ...)
    or a wide table with one column per index (as joined to geometry). Without
    ``year``, the latest year is used; without ``comparison`` or ``bandwidth``, the
    only one present (an error lists them when there are several).
    """
    check_frame(results, "results")
    if not isinstance(index, str):
        raise TypeError(f"index must be a str (an index name), got {type(index).__name__}")
    _require_columns(results, [area], "results")
    if "index" in results.columns and "value" in results.columns:
        available = results["index"].dropna().unique()
        if index not in set(available):
            raise ValueError(f"index={index!r} is not in the results; available: "
                             f"{_shown(sorted(available))}")
        frame = results[results["index"] == index]
    elif index in results.columns:
        frame = results.assign(value=results[index])
    else:
        raise ValueError(f"index={index!r} is neither a value of an 'index' column nor a "
                         f"column of results; columns: {_shown(list(results.columns))}")
    frame, comparison = _pick(frame, "comparison", comparison, "comparison")
    frame, year = _pick(frame, "year", year, "year", default_latest=True)
    if has_values(frame, "bandwidth"):
        frame, bandwidth = _pick(frame, "bandwidth", bandwidth, "bandwidth")
    elif bandwidth is not None:
        raise ValueError(f"bandwidth={bandwidth!r} was given but index {index!r} has no "
                         "bandwidth (it is aspatial)")
    frame = frame[frame[area].notna()]
    duplicated = frame[area].duplicated(keep=False)
    if duplicated.any():
        differ = [c for c in frame.columns if c != area
                  and frame.loc[duplicated].groupby(area)[c].nunique(dropna=False).gt(1).any()]
        raise ValueError(f"the results hold several {index!r} values for area(s) "
                         f"{_shown(frame.loc[duplicated, area].unique())}; they differ in "
                         f"{_shown(differ)}: filter the table to one row per area first")
    out = pd.DataFrame({"area": frame[area].astype(str).to_numpy(),
                        "value": pd.to_numeric(frame["value"], errors="coerce").to_numpy(
                            dtype=np.float64)})
    for col in ("n_units", "n_pupils", "n_a", "n_b"):
        out[col] = (pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=np.float64)
                    if col in frame.columns else np.nan)
    reasons = (tuple(str(r) for r in frame.loc[out["value"].isna().to_numpy(), "reason"]
                     .dropna().unique()) if "reason" in frame.columns else ())
    return Selection(out, index, comparison, year, bandwidth, kernel=_first(frame, "kernel"),
                     group_a=_first(frame, "group_a"), group_b=_first(frame, "group_b"),
                     reasons=reasons)


def guess_name_column(frame: pd.DataFrame, name: str | None) -> str | None:
    """The column with area names: ``name`` if given (must exist), else a known one."""
    if name is not None:
        _require_columns(frame, [name], "boundaries")
        return name
    return next((c for c in NAME_CANDIDATES if c in frame.columns), None)


def area_geometries(boundaries: Any, area_code: str | None, name: str | None):
    """Boundaries as a GeoDataFrame ``code, name, geometry``, one feature per code."""
    import geopandas as gpd

    if not isinstance(boundaries, gpd.GeoDataFrame):
        raise TypeError("boundaries must be a geopandas GeoDataFrame, got "
                        f"{type(boundaries).__name__}")
    if area_code is None:
        if "statcode" not in boundaries.columns:
            raise ValueError("area_code is required: name the boundaries' column with the "
                             f"area codes; columns: {_shown(list(boundaries.columns))}")
        area_code = "statcode"
    _require_columns(boundaries, [area_code], "boundaries")
    name = guess_name_column(boundaries, name)
    geo = gpd.GeoDataFrame(
        {"code": boundaries[area_code].astype(str).to_numpy(),
         "name": (boundaries[name].astype(str).to_numpy() if name is not None
                  else boundaries[area_code].astype(str).to_numpy())},
        geometry=boundaries.geometry.to_numpy(), crs=boundaries.crs)
    geo = geo[geo["code"].notna() & ~geo.geometry.isna()]
    if geo["code"].duplicated().any():  # multi-part areas stored as several features
        geo = geo.dissolve(by="code", aggfunc="first", as_index=False)
    geo = geo.reset_index(drop=True)
    geo.attrs["area_code"] = area_code
    return geo


def join_values(selection: Selection, geo) -> Any:
    """Merge one value per area onto the boundaries; every feature is kept.

    Results for areas without a boundary feature cannot be drawn: a
    :class:`SegregationWarning` names them (never a silent loss); when no area has
    one, :func:`check_codes_match` raises.
    """
    frame = selection.frame
    check_codes_match(frame["area"], geo["code"], geo.attrs.get("area_code"))
    unmatched = frame.loc[~frame["area"].isin(set(geo["code"])), "area"]
    if len(unmatched):
        warn(SegregationWarning, "areas_not_drawn", n=len(unmatched),
             examples=Examples(unmatched.tolist()), stacklevel=3)
    joined = geo.merge(frame, left_on="code", right_on="area", how="left")
    return joined.drop(columns="area")


def area_map_frame(
    results: pd.DataFrame,
    boundaries: Any = None,
    *,
    index: str,
    area_code: str | None = None,
    name: str | None = None,
    comparison: Any = None,
    year: Any = None,
    bandwidth: Any = None,
):
    """(GeoDataFrame ``code, name, value, n_units, ..., geometry``, Selection).

    ``boundaries=None`` means ``results`` is itself a GeoDataFrame (results already
    joined to geometry, long or wide); its area codes are in ``area_code`` (default
    ``area``).
    """
    import geopandas as gpd

    if boundaries is None:
        if not isinstance(results, gpd.GeoDataFrame):
            raise TypeError("without boundaries, results must be a GeoDataFrame (results "
                            f"joined to geometry); got {type(results).__name__}")
        code = area_code or next((c for c in ("area", "statcode") if c in results.columns),
                                 "area")
        _require_columns(results, [code], "results")
        geo = area_geometries(results.drop_duplicates(code), code, name)
        selection = select_values(pd.DataFrame(results.drop(columns=results.geometry.name)),
                                  index=index, comparison=comparison, year=year,
                                  bandwidth=bandwidth, area=code)
    else:
        geo = area_geometries(boundaries, area_code, name)
        selection = select_values(results, index=index, comparison=comparison, year=year,
                                  bandwidth=bandwidth)
    return join_values(selection, geo), selection


def school_frame(
    data: pd.DataFrame,
    unit: str,
    group_a: str,
    group_b: str,
    *,
    x: str | None,
    y: str | None,
    name: str | None = None,
    area: str | None = None,
    total: str | None = None,
    extra: Sequence[str] = (),
    min_cell: int | None = None,
    published: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Schools with ``unit, name, area, x, y, a, b, pupils, share, centre, relative,
    suppressed, size``.

    ``share`` = a / (a + b); ``centre`` = the share of group A in the school's area
    (all schools when ``area`` is None); ``relative`` maps ``share`` to [0, 1] with
    the centre at 0.5 (piecewise linear), for a diverging colour scale centred on
    each area's share. Rows without coordinates or without pupils in either group are
    left out with a :class:`SegregationWarning` saying how many. The ``extra``
    columns (numeric) come along as ``_m0, _m1, ...``.

    Disclosure control (``min_cell=N``): only what
    :func:`segspatial.disclosure.publish_schools` allows is kept: ``a``, ``b`` and
    ``total`` are NaN, ``pupils`` is rounded (NaN below N), ``share`` is the middle of
    the school's band (``band_low`` to ``band_high``; NaN when ``suppressed``),
    ``centre`` the area's share in whole percents (NaN where withheld), ``size``
    the rounded pupils (at least N); local measures are NaN. Schools without pupils
    in either group are kept (suppressed) when they have coordinates.
    """
    check_frame(data, "data")
    min_cell = check_min_cell(min_cell)
    geometry = None
    if x is None or y is None:
        geometry = getattr(data, "geometry", None) if hasattr(data, "set_geometry") else None
        if geometry is None:
            raise ValueError("x and y are required (the coordinate columns) unless data is a "
                             "GeoDataFrame of points")
    needed = [unit, group_a, group_b] + [c for c in (x, y, name, area, total) if c]
    _require_columns(data, needed, "data")
    # columns as arrays, one DataFrame at the end (a report builds one per page)
    cols: dict[str, Any] = {"unit": data[unit].astype(str).to_numpy()}
    cols["name"] = data[name].astype(str).to_numpy() if name else cols["unit"]
    cols["area"] = (data[area].astype(str).to_numpy() if area
                    else np.full(len(data), "", dtype=object))
    if geometry is not None:
        cols["x"] = geometry.x.to_numpy()
        cols["y"] = geometry.y.to_numpy()
    else:
        for axis, col in (("x", x), ("y", y)):
            values = pd.to_numeric(data[col], errors="coerce")
            if values.isna().sum() > data[col].isna().sum():
                raise ValueError(f"{axis}={col!r} must be numeric coordinates; bad values: "
                                 f"{_shown(data.loc[values.isna() & data[col].notna(), col])}")
            cols[axis] = values.to_numpy(dtype=np.float64)
    # the gate's own check of the count columns: one rule for every command
    cols["a"], cols["b"], counted = check_counts(data, group_a, group_b, total,
                                                   unit=unit)
    if total:
        cols["total"] = counted
    units = pd.Series(cols["unit"])
    if units.duplicated().any():
        keys = pd.DataFrame({"area": cols["area"], "unit": cols["unit"]})[
            ["area", "unit"] if area else ["unit"]]
        if keys.duplicated().any():
            raise ValueError(f"data has several rows for unit(s) "
                             f"{_shown(units[keys.duplicated().to_numpy()].unique())}: a "
                             "school map shows one row per school (select one year first)")
    for i, col in enumerate(extra):
        cols[f"_m{i}"] = pd.to_numeric(data[col], errors="coerce").to_numpy(dtype=np.float64)
    cols["pupils"] = cols["total"] if total else cols["a"] + cols["b"]
    if min_cell is not None:
        return _published_frame(cols, min_cell, published)
    if published is not None:
        raise ValueError("published is for disclosure mode: give min_cell too")
    in_groups = cols["a"] + cols["b"]
    drop = ~np.isfinite(cols["x"]) | ~np.isfinite(cols["y"]) | (in_groups <= 0)
    if drop.any():
        warn(SegregationWarning, "schools_not_drawn", n=int(drop.sum()),
             examples=Examples(cols["unit"][drop]), stacklevel=3)
        cols = {k: v[~drop] for k, v in cols.items()}
        in_groups = in_groups[~drop]
    if not len(in_groups):
        raise ValueError("data has no school to draw (no row with coordinates and pupils)")
    cols["share"] = cols["a"] / in_groups
    a_sum, b_sum = _area_sums(cols["area"], cols["a"], cols["b"])
    cols["centre"] = a_sum / (a_sum + b_sum)
    cols["relative"] = relative_share(cols["share"], cols["centre"])
    cols["suppressed"] = np.zeros(len(in_groups), dtype=bool)
    cols["measures_hidden"] = np.zeros(len(in_groups), dtype=bool)
    cols["size"] = np.asarray(cols["pupils"], dtype=np.float64)
    return pd.DataFrame(cols)


def _area_sums(areas: np.ndarray, a: np.ndarray, b: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray]:
    """Each row's area totals of ``a`` and ``b``."""
    codes, inverse = np.unique(np.asarray(areas, dtype=object).astype(str),
                               return_inverse=True)
    inverse = inverse.reshape(-1)
    a_sum = np.bincount(inverse, weights=a, minlength=len(codes))
    b_sum = np.bincount(inverse, weights=b, minlength=len(codes))
    return a_sum[inverse], b_sum[inverse]


def _published_frame(cols: dict[str, Any], min_cell: int,
                     shown: pd.DataFrame | None) -> pd.DataFrame:
    """:func:`school_frame` in disclosure mode: what is published, decided on every
    school given (also those that cannot be drawn), then the drawable ones."""
    from segspatial.disclosure import Policy, publish_schools

    n = len(cols["unit"])
    if shown is None:
        shown = publish_schools(pd.DataFrame({
            "unit": cols["unit"], "area": cols["area"], "a": cols["a"], "b": cols["b"],
            "total": np.asarray(cols["pupils"], dtype=np.float64),
            "x": cols["x"], "y": cols["y"]}), Policy(min_cell))
    else:
        check_frame(shown, "published")
        _require_columns(shown, ["suppressed", "band_low", "band_high", "share",
                                 "pupils", "size", "centre"], "published")
        if len(shown) != n:
            raise ValueError(f"published must have one row per row of data ({n}), "
                             f"got {len(shown)}")
    # nothing of a school's own counts is published: only its band and rounded pupils
    out = {k: v for k, v in cols.items() if k != "pupils"}
    missing = np.full(n, np.nan)
    out["a"], out["b"], out["total"] = missing, missing.copy(), missing.copy()
    for key in ("pupils", "share", "band_low", "band_high", "centre"):
        out[key] = shown[key].to_numpy()
    out["relative"] = relative_share(out["share"], out["centre"])
    out["suppressed"] = shown["suppressed"].to_numpy()
    out["measures_hidden"] = np.ones(n, dtype=bool)  # local measures mix exact counts
    for key in out:
        if key.startswith("_m"):
            out[key] = np.full(n, np.nan)
    out["size"] = shown["size"].to_numpy()
    drop = ~np.isfinite(out["x"]) | ~np.isfinite(out["y"])
    if drop.any():
        warn(SegregationWarning, "schools_without_location", n=int(drop.sum()),
             examples=Examples(out["unit"][drop]), stacklevel=4)
        out = {k: v[~drop] for k, v in out.items()}
    if not len(out["unit"]):
        raise ValueError("data has no school to draw (no row with coordinates)")
    return pd.DataFrame(out)


def band_text(low: float, high: float) -> str:
    """A share band as text: ``"20–30%"``."""
    return f"{100 * low:.0f}–{100 * high:.0f}%"


def suppressed_text(min_cell: int, lang: str = "en") -> str:
    """What a suppressed school shows instead of its group counts."""
    from segspatial.text import t

    return t(lang, "web_suppressed", n=min_cell)


def relative_share(share: np.ndarray, centre: np.ndarray) -> np.ndarray:
    """Map shares to [0, 1] with each centre at 0.5 (for a centred diverging scale)."""
    share = np.asarray(share, dtype=np.float64)
    centre = np.clip(np.asarray(centre, dtype=np.float64), 1e-9, 1 - 1e-9)
    with np.errstate(divide="ignore", invalid="ignore"):
        below = 0.5 * share / centre
        above = 0.5 + 0.5 * (share - centre) / (1 - centre)
    return np.clip(np.where(share <= centre, below, above), 0.0, 1.0)


def local_measure_columns(data: pd.DataFrame, measures: Sequence[str] | None) -> list[str]:
    """The per-unit local measures to show: those named (must exist) or the known ones."""
    if measures is None:
        return [c for c in LOCAL_MEASURES if c in data.columns]
    measures = [measures] if isinstance(measures, str) else list(measures)
    _require_columns(data, measures, "data")
    return measures


def disclose(count: float, min_cell: int | None, lang: str = "en") -> str:
    """A count as text in ``lang`` (``1,234`` / ``1.234``): exact without ``min_cell``;
    with it rounded as disclosure mode publishes counts
    (:meth:`segspatial.disclosure.Policy.counts`), ``"< N"`` below N; the catalogue's
    "no data" when missing.

    Examples
    --------
    >>> disclose(1234, None), disclose(1234, 10), disclose(7, 10), disclose(1234, 10, "nl")
    ('1,234', '1,235', '< 10', '1.235')
    """
    from segspatial._format import Formatter

    words = Formatter(lang)
    if count is None or not np.isfinite(count):
        return words.text("fig_no_data")
    if min_cell is not None:
        from segspatial.disclosure import Policy

        rounded = float(Policy(min_cell).counts(count))
        if not np.isfinite(rounded):
            return f"< {min_cell}"
        return words.count(rounded)
    return words.count(count) if float(count).is_integer() else words.number(count, 1)
