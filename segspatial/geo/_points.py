"""Unit (school) points: from coordinate columns or from 4-digit postcode centroids."""

from __future__ import annotations

import os
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from segspatial._warn import Examples, warn
from segspatial.geo._common import DEFAULT_DISTANCE_CRS, GeometryWarning, _examples
from segspatial.geo._crs import _as_crs, check_area_of_use
from segspatial.io import describe_rows, row_names, source_of


def _coordinate(data: pd.DataFrame, column: str, argument: str,
                unit: str | None) -> np.ndarray:
    s = data[column]
    values = pd.to_numeric(s, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    bad = ~np.isfinite(values)
    if bad.any():
        non_numeric = bad & s.notna().to_numpy()
        what = ("non-numeric or infinite" if non_numeric.any() else "missing (NaN)")
        raise ValueError(
            f"{argument}: column {column!r} has {int(bad.sum())} {what} coordinates "
            f"({describe_rows(data, data.index[bad], unit=unit)}); every unit needs a "
            "finite coordinate; drop or geocode those units first (e.g. geocode_postcodes)"
        )
    return values


def unit_points(data: pd.DataFrame, *, x: str, y: str, crs: Any,
                unit: str | None = None, source: str | None = None,
                option: str = "crs=") -> gpd.GeoDataFrame:
    """Unit (school) points from coordinate columns.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per unit (per year). Not modified; every column is kept.
    x, y : str
        Columns with the coordinates: easting and northing in a projected CRS, or
        longitude and latitude with ``crs="EPSG:4326"``.
    crs : pyproj.CRS, str or int
        The CRS of ``x`` and ``y``.
    unit : str, optional
        The unit id column; checked to be present and complete. Messages name units
        by it.
    source : str, optional
        Where the coordinates come from (a file name), for error messages; default:
        the file :func:`segspatial.io.read_table` read ``data`` from, if it did.
        Messages name rows by their 1-based file line (CSV) or row (Parquet, SPSS)
        when ``data`` is (a subset of) a frame read by it, else by index label.
    option : str, default "crs="
        How the CRS is declared (``"--crs"`` on the command line), for error messages.

    Returns
    -------
    geopandas.GeoDataFrame
        ``data`` with a point ``geometry`` in ``crs`` (same index).

    Raises
    ------
    TypeError
        If ``data`` is not a DataFrame or a column argument is not a string.
    ValueError
        For missing columns, missing or non-numeric coordinates (units without a
        location are an error here, not a silent loss: drop or geocode them first),
        an unknown CRS, or coordinates that cannot be in ``crs``: lon/lat out of
        range for a geographic CRS, or points outside the CRS's area of use (see
        :func:`check_area_of_use`), e.g. lon/lat declared as ``EPSG:28992``.

    Examples
    --------
    >>> import pandas as pd
    >>> pts = unit_points(pd.DataFrame({"school": ["A"], "x": [121000.0],
    ...                                 "y": [487000.0]}), x="x", y="y", crs="EPSG:28992")
    >>> pts.geometry.iloc[0].wkt, pts.crs.to_epsg()
    ('POINT (121000 487000)', 28992)
    """
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    for value, argument in ((x, "x"), (y, "y")):
        if not isinstance(value, str):
            raise TypeError(f"{argument} must be a column name (str), got {value!r}")
    if unit is not None and not isinstance(unit, str):
        raise TypeError(f"unit must be a column name (str), got {unit!r}")
    given = {"x": x, "y": y, **({"unit": unit} if unit is not None else {})}
    missing = [f"{k}={v!r}" for k, v in given.items() if v not in data.columns]
    if missing:
        raise ValueError(f"missing columns: {', '.join(missing)}; the data has columns "
                         f"{list(map(str, data.columns))!r}")
    value = _as_crs(crs, "crs")
    if unit is not None and data[unit].isna().any():
        rows = data.index[data[unit].isna()]
        raise ValueError(f"unit: column {unit!r} has {len(rows)} missing ids "
                         f"({describe_rows(data, rows)})")
    xs = _coordinate(data, x, "x", unit)
    ys = _coordinate(data, y, "y", unit)
    source = source or (named.path if (named := source_of(data)) is not None else None)
    what = f"{source + ': ' if source else ''}coordinate columns x={x!r}, y={y!r}"
    check_area_of_use(xs, ys, value, what=what, option=option,
                      describe=lambda at: row_names(data, data.index[at], unit=unit))
    geometry = gpd.GeoSeries(shapely.points(xs, ys), index=data.index, crs=value)
    return gpd.GeoDataFrame(data.copy(), geometry=geometry, crs=value)


def _postcode4(values: pd.Series) -> pd.Series:
    """The 4-digit postcode of each value ("1011 AB", "1011AB", 1011, 1011.0 -> "1011")."""
    text = values.astype("string").str.strip()
    text = text.str.replace(r"\.0+$", "", regex=True)
    return text.str.extract(r"^(\d{4})(?:\s*[A-Za-z]{2})?$", expand=False)


def geocode_postcodes(
    data: pd.DataFrame,
    postcode: str,
    table: pd.DataFrame | str | os.PathLike,
    *,
    table_postcode: str = "postcode",
    x: str = "x_rd",
    y: str = "y_rd",
    crs: Any = DEFAULT_DISTANCE_CRS,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Unit points from 4-digit postcode centroids; unmatched units are left out, counted.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per unit (per year). Not modified; every column is kept.
    postcode : str
        Column with the unit's postcode: ``"1011 AB"``, ``"1011AB"`` or ``1011``; the
        first four digits are used.
    table : pandas.DataFrame or path
        The centroid table (CSV or Parquet), one row per 4-digit postcode, e.g. CBS
        postcode areas ``postcode, x_rd, y_rd, lon, lat``.
    table_postcode, x, y : str
        Columns of ``table``: the postcode and the centroid coordinates.
    crs : pyproj.CRS, str or int, default "EPSG:28992"
        The CRS of the table's ``x`` and ``y`` (``"EPSG:4326"`` with ``x="lon"``,
        ``y="lat"``).

    Returns
    -------
    points : geopandas.GeoDataFrame
        The matched units with a point geometry in ``crs`` (same index as ``data``).
    unmatched : pandas.DataFrame
        The units left out (rows of ``data``) with a ``reason`` column
        (``postcode_unmatched``); see :func:`unit_exclusions` to count them.

    Raises
    ------
    ValueError
        For missing columns, a table with repeated postcodes or missing coordinates.

    Warns
    -----
    GeometryWarning
        When some units are left out (count and examples).
    """
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    if postcode not in data.columns:
        raise ValueError(f"postcode={postcode!r} is not a column of the data; it has "
                         f"{list(map(str, data.columns))!r}")
    table_source = table
    if not isinstance(table, pd.DataFrame):
        from segspatial.io import read_table

        table = read_table(table, columns=[table_postcode, x, y],
                           text_columns=[table_postcode])
    missing = [f"{k}={v!r}" for k, v in (("table_postcode", table_postcode), ("x", x),
                                         ("y", y)) if v not in table.columns]
    if missing:
        raise ValueError(f"postcode table: missing columns {', '.join(missing)}; it has "
                         f"{list(map(str, table.columns))!r}")
    keys = _postcode4(table[table_postcode])
    bad_keys = keys.isna()
    if bad_keys.any():
        raise ValueError(f"postcode table: {int(bad_keys.sum())} values of "
                         f"{table_postcode!r} are not 4-digit postcodes, e.g. "
                         f"{_examples(list(table.loc[bad_keys, table_postcode]))}")
    if keys.duplicated().any():
        raise ValueError(f"postcode table: postcodes repeat, e.g. "
                         f"{_examples(sorted(set(keys[keys.duplicated()])))}; one centroid per "
                         "postcode is needed")
    xs = pd.to_numeric(table[x], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    ys = pd.to_numeric(table[y], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    usable = np.isfinite(xs) & np.isfinite(ys)
    if not usable.all():
        warn(GeometryWarning, "postcode_no_centroid", n=int((~usable).sum()), x=repr(x),
             y=repr(y), examples=Examples(keys[~usable]))
    centroids = pd.DataFrame({"x": xs[usable], "y": ys[usable]},
                             index=pd.Index(keys.to_numpy(dtype=object)[usable], name="pc4"))
    codes = _postcode4(data[postcode]).to_numpy(dtype=object)
    position = centroids.index.get_indexer(pd.Index(codes))
    matched = position >= 0
    if not matched.all():
        examples = list(data.loc[~matched, postcode].drop_duplicates())
        warn(GeometryWarning, "postcode_unknown", n=int((~matched).sum()),
             examples=Examples(examples))
    located = data.loc[matched].copy()
    located["_pc_x"] = centroids["x"].to_numpy()[position[matched]]
    located["_pc_y"] = centroids["y"].to_numpy()[position[matched]]
    source = "postcode table" if isinstance(table_source, pd.DataFrame) else str(table_source)
    check_area_of_use(centroids["x"], centroids["y"], crs,
                      what=f"{source}: centroid columns x={x!r}, y={y!r}",
                      option="crs= of geocode_postcodes (the table's x/y must be in it)",
                      labels=centroids.index)
    points = unit_points(located, x="_pc_x", y="_pc_y", crs=crs).drop(columns=["_pc_x",
                                                                                 "_pc_y"])
    unmatched = data.loc[~matched].copy()
    unmatched["reason"] = "postcode_unmatched"
    return points, unmatched
