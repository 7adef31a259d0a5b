"""File formats by name: the one place that maps a file's suffix to what is in it.

Every reader and writer of tables (:func:`segspatial.io.read_table`,
:func:`segspatial.io.write_table`, the DuckDB and Dask engines) and of geometries
(:func:`segspatial.geo.write_geo`) asks here, so a name means the same thing
everywhere: ``results.tsv`` is tab-separated when written and when read back,
``results.csv.gz`` is gzip-compressed both ways, and a suffix that cannot be written
(``.sav``) is refused before anything is written, with the list of those that can.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

__all__ = ["GEO_SUFFIXES", "GeoFormat", "TableFormat", "geo_format", "table_format",
           "writable_table_suffixes"]


@dataclass(frozen=True)
class TableFormat:
    """What a table file's name says about its content.

    ``kind`` is ``"csv"``, ``"parquet"`` or ``"spss"``; ``sep`` the separator a
    written CSV file gets (``","``; ``"\\t"`` for ``.tsv``); ``gzip`` whether the file
    is gzip-compressed (a final ``.gz``); ``writable`` whether segspatial writes it.
    """

    suffix: str
    kind: str
    sep: str | None = None
    gzip: bool = False
    writable: bool = True


_TABLES: dict[str, TableFormat] = {f.suffix: f for f in (
    TableFormat(".csv", "csv", ","),
    TableFormat(".tsv", "csv", "\t"),
    # .txt: read as CSV with the separator found in the header; not written (comma or
    # tab? the name does not say: write .csv or .tsv)
    TableFormat(".txt", "csv", None, writable=False),
    TableFormat(".parquet", "parquet"),
    TableFormat(".pq", "parquet"),
    TableFormat(".sav", "spss", writable=False),  # read with the optional extra 'spss'
    TableFormat(".zsav", "spss", writable=False),
)}


def _gz(fmt: TableFormat) -> TableFormat:
    return TableFormat(fmt.suffix + ".gz", fmt.kind, fmt.sep, True, fmt.writable)


def _all_tables() -> list[TableFormat]:
    return [*_TABLES.values(), *(_gz(f) for f in _TABLES.values() if f.kind == "csv")]


def writable_table_suffixes() -> list[str]:
    """The suffixes :func:`segspatial.io.write_table` writes, in a stable order."""
    return [f.suffix for f in _all_tables() if f.writable]


def _readable_table_suffixes() -> list[str]:
    return [f.suffix for f in _all_tables()]


def table_format(path: str | os.PathLike, *, writing: bool = False) -> TableFormat:
    """The format of the table file ``path``, from its name (case-insensitive).

    Parameters
    ----------
    path : str or os.PathLike
    writing : bool
        Whether the file is to be written: suffixes segspatial only reads (``.txt``,
        ``.sav``, ``.zsav``) are then refused.

    Raises
    ------
    ValueError
        For a name whose suffix is not a table format (or not one that is written, with
        ``writing``); the message lists the suffixes that are allowed.

    Examples
    --------
    >>> table_format("results.tsv.gz", writing=True)
    TableFormat(suffix='.tsv.gz', kind='csv', sep='\\t', gzip=True, writable=True)
    """
    suffixes = [s.lower() for s in Path(path).suffixes]
    last = suffixes[-1] if suffixes else ""
    gzipped = last == ".gz"
    inner = suffixes[-2] if gzipped and len(suffixes) > 1 else ("" if gzipped else last)
    fmt = _TABLES.get(inner)
    if fmt is not None and gzipped:
        fmt = _gz(fmt) if fmt.kind == "csv" else None
    if fmt is not None and (fmt.writable or not writing):
        return fmt
    allowed = writable_table_suffixes() if writing else _readable_table_suffixes()
    if writing:
        what = f"cannot write a table named {str(path)!r}"
        if fmt is not None:
            what += f" (segspatial reads {fmt.suffix} files but does not write them)"
        elif inner in _TABLES:  # .parquet.gz, .sav.gz
            what += f" ({inner} files are not gzipped)"
    else:
        what = f"cannot tell the format of {str(path)!r} from its name"
        if inner in _TABLES:
            what += f" ({inner} files are not gzipped)"
    return _refuse(what, allowed)


def _refuse(what: str, allowed: list[str]) -> NoReturn:
    raise ValueError(f"{what}; use a file ending in {', '.join(allowed)}")


@dataclass(frozen=True)
class GeoFormat:
    """A geometry file format: ``driver`` is ``"GPKG"``, ``"GeoJSON"`` or
    ``"parquet"`` (GeoParquet)."""

    suffix: str
    driver: str


_GEO: dict[str, GeoFormat] = {f.suffix: f for f in (
    GeoFormat(".gpkg", "GPKG"), GeoFormat(".geojson", "GeoJSON"),
    GeoFormat(".json", "GeoJSON"), GeoFormat(".parquet", "parquet"),
    GeoFormat(".geoparquet", "parquet"),
)}

#: The suffixes :func:`segspatial.geo.write_geo` writes.
GEO_SUFFIXES: tuple[str, ...] = tuple(_GEO)


def geo_format(path: str | os.PathLike) -> GeoFormat:
    """The format :func:`segspatial.geo.write_geo` writes for ``path``, from its name.

    Raises
    ------
    ValueError
        For any other suffix (the message lists the allowed ones).
    """
    fmt = _GEO.get(Path(path).suffix.lower())
    if fmt is None:
        raise ValueError(f"output {str(path)!r}: use a file ending in .gpkg, .geojson or "
                         ".parquet (GeoParquet; also .json, .geoparquet)")
    return fmt
