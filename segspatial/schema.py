"""The schemas of segspatial's tables: the one results table and the change table.

Every function that returns segregation results (:func:`segspatial.segregation`,
:func:`segspatial.pupil_segregation`, :func:`segspatial.spatial.spatial_segregation`,
:func:`segspatial.inference.infer`, ...) returns a table with exactly the columns of
:data:`RESULT_COLUMNS`, in this order. A column that does not apply to a row is null
(``None`` for text, NaN for numbers), never absent, so downstream code (joins, maps,
reports) never has to inspect provenance to learn what a table holds. The inference
columns (``se`` ... ``n_null``) are null until :mod:`segspatial.inference` fills them.

Multigroup rows (:func:`segspatial.multigroup_segregation`: K >= 2 groups at once) have
``group_a``, ``group_b``, ``n_a`` and ``n_b`` null and name their groups in ``groups``:
the group names in order, joined by :data:`GROUPS_SEPARATOR` (``"dutch|western|
nonwestern"``). A plain string survives CSV, Parquet and spreadsheets unchanged (a list
column would not survive CSV); :func:`split_groups` turns it back into a list, and group
names containing the separator are refused when the rows are made. Rows of a
between/within decomposition name the grouping of units (a column such as
``denomination``) in ``within``.

Changes over time (:func:`segspatial.inference.change`) have their own tidy table,
:data:`CHANGE_COLUMNS`: one row per area, comparison, index and kind of change.

Types in files
--------------
Every column has one type in the files segspatial writes (:data:`RESULT_DTYPES`,
:data:`CHANGE_DTYPES`): text columns (``area``, ``comparison``, ``group_a``, ...) are
strings, ``year`` (and ``from_year``, ``to_year``) whole numbers (nullable ``Int64``,
Arrow ``int64``), counts of units and replicates (``n_units``, ``n_boot``, ``n_null``)
``Int64``, pupil counts (``n_pupils``, ``n_a``, ``n_b``; fractional after weighting)
and every other number ``float64``, whatever the rows hold. A column that is null
throughout (``kernel`` of an aspatial run, ``groups`` of a two-group run) keeps its
type, so Parquet files from the two-group, multigroup, spatial and pupil-level paths
have the same Arrow schema and concatenate (``pyarrow.concat_tables``), and DuckDB and
QGIS see typed fields. :func:`typed` casts a table to these types; every writer
(:func:`segspatial.io.write_table`, :func:`segspatial.geo.write_geo`) calls it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["CHANGE_COLUMNS", "CHANGE_DESCRIPTIONS", "CHANGE_DTYPES", "FILE_DTYPES",
           "GROUPS_SEPARATOR", "RESULT_COLUMNS", "RESULT_DESCRIPTIONS", "RESULT_DTYPES",
           "arrow_schema", "conform_change", "conform_results", "empty_change",
           "empty_results", "has_values", "join_groups", "results_frame", "split_groups",
           "typed"]

#: Separator of the group names in the ``groups`` column.
GROUPS_SEPARATOR = "|"

#: Column name -> (kind, description). The order is the column order of every table.
RESULT_DESCRIPTIONS: dict[str, tuple[str, str]] = {
    "area": ("key", "area (municipality) code; null when no area column was given"),
    "year": ("key", "year; null when no year column was given"),
    "comparison": ("text", "named comparison (e.g. dutch_vs_nonwestern); null for plain "
                           "two-column counts"),
    "group_a": ("text", "group A of the comparison (its column or group name)"),
    "group_b": ("text", "group B of the comparison"),
    "index": ("text", "index name (see segspatial.available_indices())"),
    "bandwidth": ("float", "spatial bandwidth in metres (k for k-nearest-neighbour "
                           "kernels); NaN for aspatial indices"),
    "kernel": ("text", "spatial kernel (gaussian, biweight, boxcar, knn; for morrill_d the "
                       "contiguity: delaunay or voronoi_clipped); null "
                       "for aspatial indices"),
    "value": ("float", "the index value, never rounded; NaN when undefined (see reason)"),
    "n_units": ("count", "units (schools) in the area-year after the filters"),
    "n_pupils": ("float", "all pupils of those units"),
    "n_a": ("float", "pupils in group A"),
    "n_b": ("float", "pupils in group B"),
    "reason": ("text", "why the value is undefined (English); null when it is defined"),
    "reason_code": ("text", "the reason as a stable code (fewer_than_2_units, "
                            "group_a_absent, withheld, ...: segspatial._reasons."
                            "REASON_CODES), which pages and maps translate; null when "
                            "the value is defined"),
    "groups": ("text", "multigroup rows: the K group names in order, joined by '|' "
                       "(group_a, group_b, n_a, n_b are then null); null for two groups"),
    "within": ("text", "between/within decomposition rows: the column grouping the units "
                       "(e.g. denomination); null otherwise"),
    # inference (segspatial.inference); null where not computed
    "se": ("float", "bootstrap standard error of the value (standard deviation of the "
                    "replicates)"),
    "ci_low": ("float", "lower end of the bootstrap confidence interval"),
    "ci_high": ("float", "upper end of the bootstrap confidence interval"),
    "ci_level": ("float", "confidence level of the interval (e.g. 0.95)"),
    "bias_corrected": ("float", "bootstrap bias-corrected value: 2 value - mean of the "
                                "replicates"),
    "n_boot": ("count", "bootstrap replicates with a defined value"),
    "bootstrap": ("text", "what was resampled: individual (pupils within the area-year's "
                          "school x group cells) or cluster (schools)"),
    "interval": ("text", "how the interval was formed: bias_corrected (percentiles of "
                         "2 value - replicate) or percentile (percentiles of the replicates)"),
    "p_value": ("float", "randomisation-test p-value against random allocation of the pupils "
                         "to the schools, (k + 1) / (n + 1)"),
    "alternative": ("text", "alternative of the randomisation test: greater (more segregated "
                            "than random allocation), less or two-sided"),
    "null_mean": ("float", "mean of the index over the random-allocation draws"),
    "null_se": ("float", "standard deviation of the index over the random-allocation draws"),
    "n_null": ("count", "random-allocation draws with a defined value"),
}

#: Columns of every results table, in order.
RESULT_COLUMNS: list[str] = list(RESULT_DESCRIPTIONS)

#: Column name -> (kind, description) of the change table, in column order.
CHANGE_DESCRIPTIONS: dict[str, tuple[str, str]] = {
    "area": ("key", "area (municipality) code; null when no area column was given"),
    "comparison": ("text", "named comparison; null for plain two-column counts"),
    "group_a": ("text", "group A of the comparison"),
    "group_b": ("text", "group B of the comparison"),
    "index": ("text", "index name"),
    "bandwidth": ("float", "spatial bandwidth in metres (k for k-nearest-neighbour "
                           "kernels); NaN for aspatial indices"),
    "kernel": ("text", "spatial kernel; null for aspatial indices"),
    "statistic": ("text", "difference (value in to_year - value in from_year), trend "
                          "(least-squares slope per year over the years from_year..to_year) "
                          "or, when the difference of M or H was decomposed (Elbers 2021), "
                          "one of its parts: additions and removals (schools or groups in "
                          "one year only), group_marginal and unit_marginal (the changed "
                          "group composition and school sizes) and structural (the rest: "
                          "segregation with both margins fixed); the parts add up to the "
                          "difference"),
    "from_year": ("key", "first year compared"),
    "to_year": ("key", "last year compared"),
    "n_years": ("count", "years with a defined value that enter the change"),
    "value_from": ("float", "the index in from_year"),
    "value_to": ("float", "the index in to_year"),
    "change": ("float", "the difference, or the slope in index points per year"),
    "se": ("float", "standard error of the change (bootstrap, or normal from the yearly "
                    "standard errors)"),
    "ci_low": ("float", "lower end of the confidence interval of the change"),
    "ci_high": ("float", "upper end of the confidence interval of the change"),
    "ci_level": ("float", "confidence level of the interval"),
    "p_value": ("float", "two-sided p-value of no change"),
    "direction": ("text", "rising or falling when the interval excludes zero, else "
                          "no_clear_change; null when there is no interval"),
    "n_boot": ("count", "bootstrap replicates with a defined change; null for the normal "
                        "approximation"),
    "bootstrap": ("text", "individual or cluster (see the results table), or null"),
    "interval": ("text", "bias_corrected, percentile or normal; withheld in disclosure "
                 "mode (--min-cell: the interval comes from exact counts)"),
    "reason": ("text", "why the change is undefined; null when it is defined"),
    "decomposition": ("text", "shapley_ipf on a difference that was decomposed and on its "
                              "parts (the Shapley decomposition with iterative proportional "
                              "fitting of R segregation::mutual_difference); null when the "
                              "difference was not decomposed (not asked for, or not M or H)"),
}

#: Columns of every change table, in order.
CHANGE_COLUMNS: list[str] = list(CHANGE_DESCRIPTIONS)


#: pandas dtype of each kind of column in files (see "Types in files" above).
_KIND_DTYPES = {"text": "string", "float": "float64", "count": "Int64"}
#: The key columns: area codes are text (also when they look like numbers), years whole.
_KEY_DTYPES = {"area": "string", "year": "Int64", "from_year": "Int64", "to_year": "Int64"}


def _dtypes(descriptions: dict[str, tuple[str, str]]) -> dict[str, str]:
    return {name: _KEY_DTYPES[name] if kind == "key" else _KIND_DTYPES[kind]
            for name, (kind, _) in descriptions.items()}


#: Column name -> pandas dtype of the results table in files (:func:`typed`).
RESULT_DTYPES: dict[str, str] = _dtypes(RESULT_DESCRIPTIONS)
#: Column name -> pandas dtype of the change table in files.
CHANGE_DTYPES: dict[str, str] = _dtypes(CHANGE_DESCRIPTIONS)
#: Every column name of segspatial's tables -> its dtype in files; a name means one
#: thing in every table (``area``, ``year``, ``n_units`` in the exclusions table too).
FILE_DTYPES: dict[str, str] = {**RESULT_DTYPES, **CHANGE_DTYPES}
assert all(RESULT_DTYPES[k] == v for k, v in CHANGE_DTYPES.items() if k in RESULT_DTYPES)

try:  # pandas >= 2.3: the text dtype of pandas 3 (``str``; NaN for missing)
    _STRING = pd.StringDtype(na_value=np.nan)
except TypeError:  # pragma: no cover (pandas < 2.3)
    _STRING = pd.StringDtype()


def _as_dtype(column: pd.Series, dtype: str) -> pd.Series:
    if dtype == "string":
        if column.dtype == _STRING:
            return column
        values = column.astype(object)
        text = values.where(values.isna(), values.map(str, na_action="ignore"))
        return text.astype(_STRING)
    if dtype == "Int64":
        if column.dtype == "Int64":
            return column
        values = pd.to_numeric(column, errors="raise")
        return values.astype("Int64")  # raises for fractions: never rounded
    return column.astype(dtype)


def _only_text(column: pd.Series) -> bool:
    """Whether an object column holds nothing but ``str`` and nulls."""
    return pd.api.types.infer_dtype(column, skipna=True) in ("string", "empty")


def typed(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every column of the schema in its file type (:data:`FILE_DTYPES`).

    Text columns become pandas' string dtype (``str`` of pandas 3, NaN for null;
    Arrow ``string``), ``year`` and the counts of units and replicates nullable
    ``Int64``, the other numbers ``float64``. Other object columns holding only text
    and nulls (names, ``reason_<index>`` columns of a join) become strings too, so a
    column that is empty throughout is a text column in Parquet and GeoPackage, not
    Arrow's ``null`` type. A column that has a schema column's name but not its kind
    of values (a table that is not segspatial's, e.g. a ``year`` such as ``2019/20``)
    is kept as it is: it is data, never rounded or turned into null. Other columns
    and the column order are kept; the input is not modified.
    """
    result = frame.copy(deep=False)  # a GeoDataFrame stays one (geometry, CRS)
    for i, name in enumerate(frame.columns):
        column = frame.iloc[:, i]
        dtype = FILE_DTYPES.get(name) if isinstance(name, str) else None
        if dtype is not None:
            try:
                cast = _as_dtype(column, dtype)
            except (TypeError, ValueError):  # not this schema's column: keep it
                continue
        elif column.dtype == object and _only_text(column):
            cast = column.astype(_STRING)
        else:
            continue
        if cast is not column:
            result.isetitem(i, cast)
    return result


def arrow_schema(table: Any) -> Any:
    """The Arrow schema of a ``pyarrow.Table`` made from a :func:`typed` frame, with
    every text column ``string`` (never ``large_string``, whichever string storage
    pandas uses) and every column of Arrow's ``null`` type ``string``; metadata kept.
    """
    import pyarrow as pa

    fields = [field.with_type(pa.string())
              if pa.types.is_large_string(field.type) or pa.types.is_null(field.type)
              else field for field in table.schema]
    return pa.schema(fields, metadata=table.schema.metadata)


def _kinds(descriptions: dict[str, tuple[str, str]], *kinds: str) -> set[str]:
    return {name for name, (kind, _) in descriptions.items() if kind in kinds}


def _null_column(descriptions: dict[str, tuple[str, str]], name: str, n: int) -> pd.Series:
    if descriptions[name][0] in ("float", "count"):
        return pd.Series(np.full(n, np.nan), dtype=np.float64)
    return pd.Series(np.full(n, None, dtype=object), dtype=object)


def _block_frame(columns: dict[str, Any], n: int) -> pd.DataFrame:
    """A frame of 1-D columns in the given order, each copied once into its block.

    ``columns`` maps a name to a numpy array, a pandas extension array, or ``NaN`` /
    ``None`` for a column of that null. ``pd.DataFrame(dict)`` copies every array and
    then copies again to stack the columns of one dtype into a block; on a results
    table of 30 columns that double copy costs more than the indices themselves, so the
    blocks are filled here, once (``pandas.api.internals.create_dataframe_from_blocks``,
    pandas >= 2.3; older pandas take the plain constructor).
    """
    try:
        from pandas.api.internals import create_dataframe_from_blocks
    except ImportError:  # pragma: no cover (pandas < 2.3)
        create_dataframe_from_blocks = None
    plain = create_dataframe_from_blocks is None or any(
        isinstance(v, np.ndarray) and v.dtype.kind not in "fiubO" for v in columns.values())
    if plain:  # pragma: no cover (old pandas, or a numpy date column)
        return pd.DataFrame({k: np.full(n, v, dtype=object if v is None else np.float64)
                             if v is None or isinstance(v, float) else v
                             for k, v in columns.items()})
    by_dtype: dict[np.dtype, list[tuple[int, Any]]] = {}
    blocks: list[tuple[Any, np.ndarray]] = []
    for i, values in enumerate(columns.values()):
        if values is None:
            by_dtype.setdefault(np.dtype(object), []).append((i, None))
        elif isinstance(values, float):
            by_dtype.setdefault(np.dtype(np.float64), []).append((i, values))
        elif isinstance(values, np.ndarray):
            by_dtype.setdefault(values.dtype, []).append((i, values))
        else:  # an extension array: a block of its own
            blocks.append((values.copy(), np.array([i], dtype=np.intp)))
    for dtype, items in by_dtype.items():
        block = np.empty((len(items), n), dtype=dtype)
        for row, (_, values) in enumerate(items):
            block[row] = values  # an object block starts as None already
        blocks.append((block, np.array([i for i, _ in items], dtype=np.intp)))
    return create_dataframe_from_blocks(blocks, index=pd.RangeIndex(n),
                                        columns=pd.Index(list(columns)))


def _conform(table: pd.DataFrame | dict[str, Any], descriptions: dict[str, tuple[str, str]],
             what: str, n: int | None = None, text_checked: bool = False) -> pd.DataFrame:
    extra = [c for c in table if c not in descriptions]
    if extra:
        raise RuntimeError(f"{what} table has columns outside the schema: {extra}")
    if n is None:
        n = len(table)
    columns: dict[str, Any] = {}
    for name, (kind, _) in descriptions.items():
        if name not in table:
            columns[name] = np.nan if kind in ("float", "count") else None
            continue
        column = table[name]
        if kind == "float":
            columns[name] = (column.astype(np.float64).to_numpy()
                             if isinstance(column, pd.Series)
                             else np.asarray(column, dtype=np.float64))
        elif kind == "text":
            # one representation of "not applicable" in text columns: None (object)
            values = np.asarray(column, dtype=object)
            missing = None if text_checked else pd.isna(values)
            if missing is not None and missing.any():
                values = values.copy()
                values[missing] = None
            columns[name] = values
        elif isinstance(column, pd.Series):
            if isinstance(column.dtype, pd.CategoricalDtype):  # the gate's key codes
                column = pd.Series(np.asarray(column), name=name)  # (text: str dtype)
            if isinstance(column.dtype, np.dtype):
                columns[name] = column.to_numpy()
            else:
                columns[name] = column.array
        else:  # arrays from the engine
            columns[name] = column
    if "reason_code" in descriptions and columns["reason"] is not None:
        columns["reason"], columns["reason_code"] = _reason_codes(columns["reason"],
                                                                  columns["reason_code"])
    return _block_frame(columns, n)


def _reason_codes(reasons: Any, codes: Any) -> tuple[Any, Any]:
    """``(reason, reason_code)``: the reasons as plain text, and the codes given or,
    for every reason without one, the code it carries
    (:class:`segspatial._reasons.Reason`) or the code of its text."""
    from segspatial._reasons import code_of, split_reasons

    reasons = np.asarray(reasons, dtype=object)
    if reasons.ndim == 0:  # one value for every row (None: no reasons)
        item = reasons.item()
        if codes is None:
            codes = code_of(item)
        return (None if item is None else str(item)), codes
    texts, found = split_reasons(reasons)
    if codes is None:
        return texts, found
    codes = np.asarray(codes, dtype=object)
    keep = pd.notna(codes)
    return texts, np.where(keep, codes, found)


def results_frame(columns: dict[str, Any], n: int) -> pd.DataFrame:
    """A results table of :data:`RESULT_COLUMNS` from the engine's arrays (one copy).

    As :func:`conform_results` for a dict of 1-D arrays (numpy or pandas extension
    arrays) of length ``n``, whose text columns are object arrays of ``str`` and
    ``None`` already (not scanned again for NaN); absent columns are null.
    """
    return _conform(columns, RESULT_DESCRIPTIONS, "results", n, text_checked=True)


def empty_results() -> pd.DataFrame:
    """A results table with no rows (every column present, typed)."""
    return pd.DataFrame({name: _null_column(RESULT_DESCRIPTIONS, name, 0)
                         for name in RESULT_COLUMNS})


def empty_change() -> pd.DataFrame:
    """A change table with no rows (every column present, typed)."""
    return pd.DataFrame({name: _null_column(CHANGE_DESCRIPTIONS, name, 0)
                         for name in CHANGE_COLUMNS})


def conform_results(table: pd.DataFrame) -> pd.DataFrame:
    """Return ``table`` with exactly :data:`RESULT_COLUMNS`, in order.

    Missing columns are added as nulls (NaN for numbers, ``None`` for text); present
    float columns become float64, text columns object with ``None`` for missing,
    counts keep their integer type and the keys their own type.

    Parameters
    ----------
    table : pandas.DataFrame
        A results table built by segspatial (possibly without some columns).

    Returns
    -------
    pandas.DataFrame
        A new frame; the input is not modified.

    Raises
    ------
    RuntimeError
        If ``table`` has a column outside the schema (a programming error: every new
        column belongs in :data:`RESULT_DESCRIPTIONS` first).
    """
    return _conform(table, RESULT_DESCRIPTIONS, "results")


def conform_change(table: pd.DataFrame) -> pd.DataFrame:
    """Return ``table`` with exactly :data:`CHANGE_COLUMNS`, in order.

    As :func:`conform_results`, for the change table of
    :func:`segspatial.inference.change`.

    Raises
    ------
    RuntimeError
        If ``table`` has a column outside :data:`CHANGE_DESCRIPTIONS`.
    """
    return _conform(table, CHANGE_DESCRIPTIONS, "change")


def has_values(table: pd.DataFrame, column: str) -> bool:
    """Whether ``column`` exists in ``table`` and holds at least one non-null value.

    Tables read back from files may come from older versions without some columns;
    in the schema, a column that does not apply is present but null.
    """
    return column in table.columns and bool(table[column].notna().any())


def join_groups(names: list[str] | tuple[str, ...]) -> str:
    """The ``groups`` value of K group names: joined by :data:`GROUPS_SEPARATOR`.

    Raises
    ------
    ValueError
        If a name contains the separator (it could not be split back).

    Examples
    --------
    >>> join_groups(["dutch", "western", "nonwestern"])
    'dutch|western|nonwestern'
    """
    bad = [n for n in names if GROUPS_SEPARATOR in str(n)]
    if bad:
        raise ValueError(f"groups: names {bad!r} contain {GROUPS_SEPARATOR!r}, which "
                         "separates the group names in results tables; rename them")
    return GROUPS_SEPARATOR.join(str(n) for n in names)


def split_groups(value: str | None) -> list[str]:
    """The group names of a ``groups`` value (an empty list for null).

    Examples
    --------
    >>> split_groups("dutch|western|nonwestern")
    ['dutch', 'western', 'nonwestern']
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    return str(value).split(GROUPS_SEPARATOR)
