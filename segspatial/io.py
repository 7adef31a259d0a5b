"""Reading tabular input (CSV and Parquet) into pandas, with clear errors."""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from segspatial._write import atomic_file

__all__ = ["read_table", "write_table"]

_CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
_PARQUET_SUFFIXES = {".parquet", ".pq"}
_SPSS_SUFFIXES = {".sav", ".zsav"}  # read only, with the optional extra 'spss'


def _kind(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    last = suffixes[-1] if suffixes else ""
    if last in _CSV_SUFFIXES:
        return "csv"
    if last in _PARQUET_SUFFIXES:
        return "parquet"
    if last in _SPSS_SUFFIXES:
        return "spss"
    raise ValueError(
        f"cannot tell the format of {str(path)!r} from its name; use a file ending in "
        f"{', '.join(sorted(_CSV_SUFFIXES | _PARQUET_SUFFIXES | _SPSS_SUFFIXES))} "
        "(optionally .gz for CSV)"
    )


def _head(path: Path, n_bytes: int = 65536) -> bytes:
    opener = gzip.open if path.suffix.lower() == ".gz" else open
    with opener(path, "rb") as fh:
        return fh.read(n_bytes)


def _sniff(path: Path, sep: str | None, encoding: str | None) -> tuple[str, str]:
    """Guess the separator and the encoding of a CSV file from its first bytes."""
    head = _head(path)
    if encoding is None:
        try:
            head.decode("utf-8")
            encoding = "utf-8-sig" if head.startswith(b"\xef\xbb\xbf") else "utf-8"
        except UnicodeDecodeError as exc:
            # a multi-byte character cut at the end of the sample is still UTF-8
            encoding = "utf-8" if exc.start >= len(head) - 3 else "cp1252"
    if sep is None:
        text = head.decode(encoding, errors="replace")
        first = text.splitlines()[0] if text else ""
        try:
            sep = csv.Sniffer().sniff(first, delimiters=",;\t|").delimiter
        except csv.Error:
            sep = ","
    return sep, encoding


def read_table(
    path: str | Path,
    *,
    columns: Sequence[str] | None = None,
    text_columns: Sequence[str] = (),
    sep: str | None = None,
    encoding: str | None = None,
) -> pd.DataFrame:
    """Read a CSV or Parquet file into a DataFrame.

    Parameters
    ----------
    path : str or pathlib.Path
        A ``.csv``/``.tsv``/``.txt`` file (optionally gzipped), a ``.parquet`` file, or
        an SPSS ``.sav``/``.zsav`` file (needs the optional extra: ``pip install
        'segspatial[spss]'``, which installs ``pyreadstat``; codes are read, not value
        labels, and blank text is read as missing).
    columns : sequence of str, optional
        Read only these columns (Parquet reads only them from disk). All must exist.
    text_columns : sequence of str
        Columns to keep as text (identifiers such as school ids or postcodes keep
        their leading zeros).
    sep : str, optional
        CSV separator; by default guessed from the header among ``, ; TAB |``.
    encoding : str, optional
        CSV encoding; by default UTF-8, falling back to Windows-1252 (the encoding of
        DUO's open data files) when the file is not valid UTF-8.

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    ValueError
        If the format is unknown, the file is empty or requested columns are missing.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"input file not found: {str(path)!r}")
    kind = _kind(path)
    wanted = list(dict.fromkeys(columns)) if columns is not None else None
    if kind == "spss":
        from segspatial._spss import read_spss

        return read_spss(path, columns=wanted, text_columns=text_columns, encoding=encoding)
    if kind == "parquet":
        import pyarrow.parquet as pq

        schema_names = pq.read_schema(path).names
        if wanted is not None:
            missing = [c for c in wanted if c not in schema_names]
            if missing:
                raise ValueError(
                    f"{str(path)!r} has no column(s) {missing!r}; it has {schema_names!r}"
                )
        frame = pd.read_parquet(path, columns=wanted)
        for col in text_columns:
            if col in frame.columns and not pd.api.types.is_string_dtype(frame[col]):
                frame[col] = frame[col].astype("string").astype(object).where(
                    frame[col].notna(), None)
        return frame

    if path.stat().st_size == 0:
        raise ValueError(f"input file {str(path)!r} is empty")
    sep, encoding = _sniff(path, sep, encoding)
    header = pd.read_csv(path, sep=sep, encoding=encoding, nrows=0)
    names = [str(c) for c in header.columns]
    if wanted is not None:
        missing = [c for c in wanted if c not in names]
        if missing:
            raise ValueError(
                f"{str(path)!r} has no column(s) {missing!r}; it has {names!r} "
                f"(read with separator {sep!r})"
            )
    dtype = {c: str for c in text_columns if c in names}
    return pd.read_csv(path, sep=sep, encoding=encoding, usecols=wanted, dtype=dtype,
                       keep_default_na=True)


def write_table(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a DataFrame to CSV or Parquet (by the file name), atomically.

    Written through :mod:`segspatial._write`: an interrupted run never leaves a
    half-written table.

    Parameters
    ----------
    frame : pandas.DataFrame
    path : str or pathlib.Path
        Destination ending in ``.csv`` or ``.parquet``.

    Returns
    -------
    pathlib.Path
        The path written.
    """
    path = Path(path)
    kind = _kind(path)
    if kind == "spss":
        raise ValueError(f"cannot write SPSS files ({str(path)!r}); use .csv or .parquet")
    with atomic_file(path) as tmp:
        if kind == "parquet":
            frame.to_parquet(tmp, index=False)
        else:
            buffer = io.StringIO()
            frame.to_csv(buffer, index=False, lineterminator="\n")
            tmp.write_text(buffer.getvalue(), encoding="utf-8")
    return path
