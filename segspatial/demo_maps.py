"""The demo's maps: boundaries for the fictional towns, and every kind of map drawn.

The demo towns (:mod:`segspatial.demo`) have schools but no polygons; a town's
boundary is made here, in code, as the convex hull of its schools buffered by
``margin`` metres (no data files are shipped).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from segspatial.schema import has_values

__all__ = ["demo_boundaries", "write_demo_maps"]


def demo_boundaries(schools: pd.DataFrame, *, margin: float = 800.0,
                    crs: Any = "EPSG:28992"):
    """One polygon per demo town: the buffered convex hull of its schools.

    Parameters
    ----------
    schools : pandas.DataFrame
        :func:`segspatial.demo.demo_schools` (columns ``municipality``,
        ``municipality_name``, ``x``, ``y``).
    margin : float
        Buffer around the hull, in metres.
    crs : optional
        CRS of ``x`` and ``y`` (the demo's EPSG:28992).

    Returns
    -------
    geopandas.GeoDataFrame
        ``statcode``, ``statnaam`` and the polygon, like the CBS boundary files.
    """
    import geopandas as gpd

    if not (np.isfinite(margin) and margin >= 0):
        raise ValueError(f"margin must be a non-negative number of metres, got {margin!r}")
    points = gpd.GeoDataFrame(
        schools[["municipality", "municipality_name"]].astype(str),
        geometry=gpd.points_from_xy(schools["x"], schools["y"]), crs=crs)
    towns = points.dissolve(by="municipality", aggfunc="first", as_index=False)
    return gpd.GeoDataFrame(
        {"statcode": towns["municipality"].to_numpy(),
         "statnaam": towns["municipality_name"].to_numpy()},
        geometry=towns.geometry.convex_hull.buffer(margin).to_numpy(), crs=crs)


def write_demo_maps(out: str | Path, results: pd.DataFrame, counts: pd.DataFrame,
                    schools: pd.DataFrame, *, min_cell: int | None = None,
                    lang: str = "en") -> list[Path]:
    """Write the demo's maps into ``out`` and return the paths written.

    A static and an interactive (offline, no basemap) choropleth of D for the first
    comparison in the latest year; the report's grid for every comparison; school
    maps of Havenstad (two halves) and Polderdam (checkerboard), whose aspatial D is
    about the same; a multi-scale profile when the results hold spatial rows. With
    ``min_cell`` (disclosure control) ``results`` must be as
    :func:`segspatial.disclosure.protect_results` publishes them, and the school maps
    show only what :func:`segspatial.disclosure.publish_schools` allows. Words and
    numbers in ``lang`` (a language of :data:`segspatial.text.LANGUAGES`).
    """
    from segspatial._figure import formatter
    from segspatial.cli._figures import save_figure, save_map
    from segspatial.plot import choropleth, profile_plot, report_grids, school_map
    from segspatial.webmap import choropleth_map, school_webmap

    out = Path(out)
    boundaries = demo_boundaries(schools)
    names = dict(zip(boundaries["statcode"], boundaries["statnaam"], strict=True))
    comparison = (results["comparison"].dropna().iloc[0] if has_values(results, "comparison")
                  else None)
    written = []
    ax = choropleth(results, boundaries, index="dissimilarity", area_code="statcode",
                    comparison=comparison, lang=lang)
    written.append(save_figure(ax.figure, out / "map_dissimilarity.png", dpi=110))
    m = choropleth_map(results, boundaries, index="dissimilarity", area_code="statcode",
                       comparison=comparison, offline=True, min_cell=min_cell, lang=lang)
    written.append(save_map(m, out / "map_dissimilarity.html"))
    axes = report_grids(results, index="dissimilarity", names=names, lang=lang)
    written.append(save_figure(axes[0].figure, out / "grid_dissimilarity.png", dpi=110))

    # school maps: one year, one comparison's two groups
    frame = counts
    if has_values(frame, "year"):
        frame = frame[frame["year"] == frame["year"].max()]
    rows = results if comparison is None else results[results["comparison"] == comparison]
    group_a, group_b = (rows["group_a"].iloc[0], rows["group_b"].iloc[0])
    if group_a not in frame.columns or group_b not in frame.columns:
        group_a, group_b = "a", "b"
    words = formatter(lang)  # the groups by their names in lang, not their columns
    labels = {group_a: words.group(group_a, which="a"), group_b: words.group(group_b,
                                                                             which="b")}
    for code, kind in (("GM9001", "html"), ("GM9002", "html"), ("GM9002", "png")):
        town = frame[frame["municipality"] == code]
        if town.empty:
            continue
        outline = boundaries[boundaries["statcode"] == code]
        stem = f"schools_{names[code].lower()}"
        if kind == "html":
            m = school_webmap(town, "school", group_a, group_b, x="x", y="y",
                              crs="EPSG:28992", name="school_name", area="municipality",
                              boundaries=outline, offline=True, min_cell=min_cell,
                              lang=lang, group_labels=labels)
            written.append(save_map(m, out / f"{stem}.html"))
        else:
            title = f"{names[code]}: " + words.text("fig_share_per_school",
                                                    a=labels[group_a])
            ax = school_map(town, "school", group_a, group_b, x="x", y="y",
                            area="municipality", boundaries=outline, min_cell=min_cell,
                            title=title, lang=lang, label_a=labels[group_a])
            written.append(save_figure(ax.figure, out / f"{stem}.png", dpi=110))
    if has_values(results, "bandwidth"):
        spatial = results[results["bandwidth"].notna()]
        ax = profile_plot(spatial, comparison=comparison, names=names,
                          index=spatial["index"].iloc[0], lang=lang)
        written.append(save_figure(ax.figure, out / "profile.png", dpi=110))
    return written
