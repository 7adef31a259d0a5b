"""Reading tabular input (CSV and Parquet) into pandas, with clear errors."""

from __future__ import annotations

import codecs
import csv
import gzip
import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
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


#: What a user may type for a tab on a command line (``--sep '\\t'``, ``--sep tab``).
_TAB_SPELLINGS = ("\\t", "tab", "TAB")


def _check_sep(sep: str | None) -> str | None:
    """A CSV separator: one character (a typed ``\\t`` or ``tab`` is a tab)."""
    if sep is None:
        return None
    if sep in _TAB_SPELLINGS:
        return "\t"
    if not isinstance(sep, str) or len(sep) != 1 or sep in "\"\r\n":
        raise ValueError(f"sep={sep!r} is not a CSV separator: give one character, e.g. "
                         "',' ';' '|' or '\\t' (a tab)")
    return sep


def _check_encoding(encoding: str | None) -> str | None:
    """A known text encoding (``codecs`` name), or None to detect it."""
    if encoding is None:
        return None
    try:
        known = codecs.lookup(encoding)
    except (LookupError, TypeError, ValueError):
        known = None
    if known is None or not getattr(known, "_is_text_encoding", True):
        raise ValueError(f"encoding={encoding!r} is not a known text encoding; use e.g. "
                         "'utf-8' or 'cp1252' (Windows-1252, DUO's files)")
    return encoding


@contextmanager
def decoding(path: Path, encoding: str) -> Iterator[None]:
    """Turn a decoding failure while reading ``path`` into a ValueError naming the
    file, the line (counted from 1) and the encoding."""
    try:
        yield
    except UnicodeError as exc:
        raw = _head(path, -1)
        line, byte = None, None
        try:
            raw.decode(encoding)
        except UnicodeDecodeError as bad:
            line = raw.count(b"\n", 0, bad.start) + 1
            byte = raw[bad.start:bad.start + 1]
        except UnicodeError:
            pass
        where = (f"line {line} (byte 0x{byte.hex()}) " if line is not None else "")
        raise ValueError(
            f"{str(path)!r}: {where}is not {encoding} text ({exc}); give the file's "
            "encoding with encoding=, e.g. 'cp1252' (Windows-1252) or 'utf-8'"
        ) from None


def _sniff(path: Path, sep: str | None, encoding: str | None) -> tuple[str, str]:
    """Guess the separator and the encoding of a CSV file from its first bytes.

    A given ``sep`` or ``encoding`` is checked instead (ValueError naming it).
    """
    sep, encoding = _check_sep(sep), _check_encoding(encoding)
    head = _head(path)
    if encoding is None:
        try:
            head.decode("utf-8")
            encoding = "utf-8-sig" if head.startswith(b"\xef\xbb\xbf") else "utf-8"
        except UnicodeDecodeError as exc:
            # a multi-byte character cut at the end of the sample is still UTF-8
            encoding = "utf-8" if exc.start >= len(head) - 3 else "cp1252"
    if sep is None:
        with decoding(path, encoding):
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
        If the format is unknown, the file is empty, requested columns are missing,
        ``sep`` is not one character, ``encoding`` is unknown or the file is not text in
        its encoding (the message names the line).
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
    with decoding(path, encoding):
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
    with decoding(path, encoding):
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
