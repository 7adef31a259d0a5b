"""Reading tabular input (CSV and Parquet) into pandas, with clear errors."""

from __future__ import annotations

import codecs
import csv
import gzip
import re
from collections.abc import Sequence
from dataclasses import dataclass
from numbers import Integral
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from segspatial._formats import table_format
from segspatial._write import atomic_file

__all__ = ["SOURCE_ATTR", "Source", "describe_rows", "read_table", "row_names",
           "source_of", "write_table"]


def _kind(path: Path) -> str:
    """``"csv"``, ``"parquet"`` or ``"spss"``, from the name (:mod:`segspatial._formats`)."""
    return table_format(path).kind


_CHUNK = 1 << 22  # 4 MiB: the whole file is checked, in bounded memory
_NOT_UTF8 = re.compile("[\udc80-\udcff]")  # bytes that are not UTF-8 (surrogateescape)
_UTF8_TEXT = re.compile("[\u0080-\ud7ff\ue000-\U0010ffff]")  # real non-ASCII characters
#: The attribute of a frame read by :func:`read_table` that says where it came from.
SOURCE_ATTR = "segspatial_source"


@dataclass(frozen=True)
class Source:
    """Where a frame read by :func:`read_table` came from, for messages.

    ``first_line`` is the 1-based file line of the first record when every record is
    one line (the usual case), None when it is not (blank lines, quoted line breaks:
    the lines are then found by re-reading the file, only for a message).
    """

    path: str
    kind: str
    sep: str | None = None
    encoding: str | None = None
    first_line: int | None = None


def _open(path: Path):
    return gzip.open(path, "rb") if path.suffix.lower() == ".gz" else open(path, "rb")


def _head(path: Path, n_bytes: int = 65536) -> bytes:
    with _open(path) as fh:
        return fh.read(n_bytes)


def check_encoding_name(encoding: str) -> str:
    """The codec name of ``encoding``, or a ValueError naming ``--encoding``."""
    try:
        info = codecs.lookup(encoding)
    except (LookupError, TypeError, ValueError):
        info = None
    if info is None or not getattr(info, "_is_text_encoding", True):
        # base64, rot13, zlib ... are codecs but not text encodings
        raise ValueError(
            f"encoding={encoding!r} is not a known text encoding; use e.g. utf-8, "
            "cp1252 (Windows-1252, DUO's files) or latin-1"
        ) from None
    return info.name


def _show_byte(raw: bytes) -> str:
    return " ".join(f"0x{b:02x}" for b in raw[:4])


@dataclass
class _Scan:
    """What one pass over the raw bytes of a CSV file found."""

    encoding: str
    n_lines: int  # lines, counting a last line without a newline
    ends_with_newline: bool


def _scan(path: Path, encoding: str | None) -> _Scan:
    """Decide (or check) the encoding on the whole file, counting its lines.

    Without ``encoding``: UTF-8 when every byte is valid UTF-8; else Windows-1252 when
    the file holds no UTF-8 text at all; a file with both (Windows-1252 first and UTF-8
    later, or the other way round) is an error naming a line of each. With
    ``encoding``: every byte must decode, else an error naming the line.
    """
    name = str(path)
    codec = check_encoding_name(encoding) if encoding is not None else "utf-8"
    wide = _wide_encoding(path, encoding, codec)
    if wide is not None:  # UTF-16 or UTF-32: decided by the byte order mark
        encoding = codec = wide
    decoder = codecs.getincrementaldecoder(codec)(
        errors="surrogateescape" if encoding is None else "strict")
    lines, bad, good, last = 0, None, None, b""
    bom = False
    with _open(path) as fh:
        first = True
        while True:
            chunk = fh.read(_CHUNK)
            final = not chunk
            if first:
                bom = chunk.startswith(codecs.BOM_UTF8)
                first = False
            try:
                text = decoder.decode(chunk, final=final)
            except UnicodeDecodeError as exc:
                at = lines + (exc.object[:max(exc.start, 0)].decode(codec, "replace")
                              .count("\n") if wide else
                              chunk.count(b"\n", 0, max(exc.start, 0))) + 1
                raise ValueError(
                    f"{name!r} line {at}: byte(s) {_show_byte(exc.object[exc.start:exc.end])} are "
                    f"not valid {encoding}; pass the file's encoding with encoding=, e.g. "
                    "utf-8 or cp1252 (Windows-1252)"
                ) from None
            except UnicodeError as exc:  # e.g. "UTF-16 stream does not start with BOM"
                raise ValueError(f"{name!r} cannot be read as {encoding}: {exc}; pass the "
                                 "file's encoding with encoding=") from None
            if encoding is None and text:
                if bad is None and (m := _NOT_UTF8.search(text)):
                    bad = (lines + text.count("\n", 0, m.start()) + 1,
                           m.group().encode("utf-8", "surrogateescape"))
                if good is None and (m := _UTF8_TEXT.search(text)):
                    good = (lines + text.count("\n", 0, m.start()) + 1, m.group())
            lines += text.count("\n") if wide else chunk.count(b"\n")
            if chunk:
                last = text[-1:].encode() if wide else chunk[-1:]
            if final:
                break
    ends = last == b"\n"
    n_lines = lines + (0 if ends or last == b"" else 1)
    if encoding is not None:
        return _Scan(codec, n_lines, ends)
    if bad is None:
        return _Scan("utf-8-sig" if bom else "utf-8", n_lines, ends)
    if good is not None:
        raise ValueError(
            f"{name!r} mixes encodings: line {bad[0]} has byte {_show_byte(bad[1])}, which "
            f"is not UTF-8 (Windows-1252?), but line {good[0]} has UTF-8 text "
            f"({good[1]!r}); convert the file to one encoding, or pass encoding= to read "
            "all of it as one, e.g. encoding='cp1252'"
        )
    return _scan(path, "cp1252")  # checks that every byte is Windows-1252 too


#: Byte order marks of the encodings that are not ASCII-compatible (UTF-32 first: its
#: little-endian mark starts with UTF-16's).
_WIDE_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
              (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def _wide_encoding(path: Path, encoding: str | None, codec: str) -> str | None:
    """``"utf-16"`` or ``"utf-32"`` for a file with that byte order mark (Excel's
    "Unicode text"), else None; an error for a file that needs a declared byte order
    (NUL bytes without a mark) or whose mark contradicts ``encoding``."""
    head = _head(path, 4096)
    found = next((wide for bom, wide in _WIDE_BOMS if head.startswith(bom)), None)
    family = codec.replace("_", "-").split("-be")[0].split("-le")[0]
    if found is not None:
        if encoding is None or family == found:
            return found  # (not utf-16-le: the generic codec takes the mark off)
        raise ValueError(
            f"{str(path)!r} starts with a {found.upper()} byte order mark, but "
            f"encoding={encoding!r} was given; leave encoding= out (the mark decides) or "
            f"pass encoding={found!r}")
    if family in ("utf-16", "utf-32") and codec in ("utf-16", "utf-32"):
        raise ValueError(
            f"{str(path)!r} has no byte order mark, so encoding={encoding!r} cannot tell "
            f"the byte order: pass encoding='{codec}-le' (little-endian, as Windows "
            f"writes it) or encoding='{codec}-be'")
    if family not in ("utf-16", "utf-32") and b"\x00" in head:
        raise ValueError(
            f"{str(path)!r} holds NUL bytes: it looks like UTF-16 or UTF-32 text without a "
            "byte order mark; pass its encoding with encoding=, e.g. 'utf-16-le' (Excel's "
            "'Unicode text'), or save it as CSV UTF-8")
    return codec if family in ("utf-16", "utf-32") else None


def _sniff_sep(path: Path, encoding: str) -> str:
    text = _head(path).decode(encoding, errors="replace")
    first = text.splitlines()[0] if text else ""
    if table_format(path).sep == "\t" and "\t" in first:
        return "\t"  # a .tsv file: tab-separated, whatever else its header holds
    try:
        return csv.Sniffer().sniff(first, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


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


def _sniff(path: Path, sep: str | None, encoding: str | None) -> tuple[str, str]:
    """The separator and the encoding of a CSV file (the encoding from all of it)."""
    sep = _check_sep(sep)
    scan = _scan(path, encoding)
    return (sep if sep is not None else _sniff_sep(path, scan.encoding)), scan.encoding


# Dutch number formats: "4.000" (four thousand, or four?) and "7,6" / "1.234,5"
_DOTTED = re.compile(r"^\s*[-+]?[1-9]\d{0,2}(?:\.\d{3})+\s*$")
_COMMA_DECIMAL = re.compile(r"^\s*[-+]?(?:\d{1,3}(?:\.\d{3})+|\d+),\d+\s*$")
#: Any number written with digits, points and commas (whatever the format).
_NUMBERISH = r"\s*[-+]?[\d.,]*\d[\d.,]*(?:[eE][-+]?\d+)?\s*"
#: The separators a CSV number may use.
_SEPARATORS = (".", ",")


def _number_pattern(decimal: str, thousands: str | None) -> str:
    """A full-match regex for a number in the declared format (sign, digits grouped by
    ``thousands`` in threes or not at all, ``decimal`` and digits, an exponent)."""
    d = re.escape(decimal)
    whole = (r"\d+" if thousands is None else
             rf"(?:\d{{1,3}}(?:{re.escape(thousands)}\d{{3}})+|\d+)")
    return rf"\s*[-+]?(?:{whole}(?:{d}\d*)?|{d}\d+)(?:[eE][-+]?\d+)?\s*"


def _format_text(decimal: str, thousands: str | None) -> str:
    sep = f"thousands {thousands!r}" if thousands is not None else "no thousands separator"
    return f"decimal {decimal!r}, {sep}"


def _separators(decimal: str | None, thousands: str | None
                ) -> tuple[str | None, str | None]:
    """Check ``decimal`` and ``thousands`` ('.' or ','); the one not given follows from
    the other (thousands '.' means decimal ','; decimal ',' alone means no thousands
    separator)."""
    for value, option in ((decimal, "decimal"), (thousands, "thousands")):
        if value is not None and value not in _SEPARATORS:
            raise ValueError(f"{option}={value!r} is not a number separator: use '.' or "
                             "',' (Dutch numbers such as 1.234,5: decimal=',' and "
                             "thousands='.')")
    if decimal is not None and decimal == thousands:
        raise ValueError(f"decimal and thousands must differ, both are {decimal!r}")
    if decimal is None and thousands is not None:
        decimal = "," if thousands == "." else "."
    return decimal, thousands


_COMMA_GROUPS = re.compile(r"^\s*[-+]?[1-9]\d{0,2}(?:,\d{3})+\s*$")


def _format_problem(value: str, decimal: str, thousands: str | None,
                    declared: bool) -> str:
    """Why ``value`` is refused, and what to pass (for the messages of
    :func:`_check_number_formats`)."""
    if declared:
        return (f"{value!r} is not a number in the format given ("
                f"{_format_text(decimal, thousands)}); give the separators the file "
                "uses with decimal= and thousands= ('.' or ','), or correct the value")
    if _COMMA_GROUPS.match(value):
        grouped = value.strip().replace(",", "")
        return (f"{value!r} is ambiguous: a thousands separator ({grouped}) or a "
                f"decimal comma? pass thousands=',' ({value.strip()} = {grouped}) or "
                "decimal=','")
    if _COMMA_DECIMAL.match(value):
        return (f"{value!r} has a decimal comma; pass decimal=',' (and thousands='.' "
                "if it has thousands separators, e.g. 1.234,5) to read it as numbers")
    if _DOTTED.match(value):
        return (f"{value!r} has thousands separators; pass thousands='.' (Dutch: "
                f"{value.strip()} = {value.strip().replace('.', '')}; with decimal=',' "
                "for decimals)")
    return (f"{value!r} is not a number in the default format ("
            f"{_format_text(decimal, thousands)}); pass the separators the file uses "
            "with decimal= and thousands= ('.' or ',')")


def _text_of(values: pd.Series) -> tuple[Any, np.ndarray]:
    """The values as an Arrow string array (vectorised regular expressions) and
    whether each is present (not missing, not blank)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pa.array(values.astype(object).where(values.notna(), None).to_numpy(),
                    type=pa.string(), from_pandas=True)
    present = pc.fill_null(pc.not_equal(pc.utf8_trim_whitespace(text), ""), False)
    return text, present.to_numpy(zero_copy_only=False)


def _fullmatch(text: Any, pattern: str) -> np.ndarray:
    """Whether each value of an Arrow string array matches ``pattern`` as a whole
    (RE2 in Arrow: no Python call per value)."""
    import pyarrow.compute as pc

    found = pc.match_substring_regex(text, f"^(?:{pattern})$")
    return pc.fill_null(found, False).to_numpy(zero_copy_only=False)


def _check_number_formats(path: Path, frame: pd.DataFrame, source: Source,
                          text_columns: Sequence[str], read_kwargs: dict,
                          decimal: str | None = None, thousands: str | None = None
                          ) -> None:
    """Check every number of the non-text columns against the number format, naming
    column and line; with a declared format, read the numbers in it (in place).

    The format is ``decimal``/``thousands`` as given (``--decimal``/``--thousands``),
    or by default a decimal point and no thousands separator. A value written with
    digits, points and commas that does not fit it is refused (``4.000`` with
    ``decimal=','`` alone, ``1.234.567`` or ``4,000`` by default), never read in
    another format. By default two more cases are refused, as their meaning depends on
    the locale: a column whose numbers with a point all look like thousands groups
    ("4.000", "12.500": 4000 with a Dutch thousands separator, or 4.0?), and a column
    of decimal commas ("7,6").
    """
    declared = decimal is not None or thousands is not None
    d, t = (decimal, thousands) if declared else (".", None)
    numeric = [c for c in frame.columns if c not in text_columns]
    # the raw text of the columns pandas may have read as numbers (by default only
    # the floats can hide a thousands group; with a declared format every column)
    reread = [c for c in numeric if declared or pd.api.types.is_float_dtype(frame[c])]
    raw = (pd.read_csv(path, **{**read_kwargs, "usecols": reread,
                                "dtype": dict.fromkeys(reread, str)})
           if reread else pd.DataFrame(index=frame.index))
    fits_format = _number_pattern(d, t)
    for column in numeric:
        if declared and column in raw.columns:
            values = raw[column]
        elif frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column]):
            values = frame[column]
        else:
            continue  # numbers pandas read in the default format; integers, dates
        text, present_ = _text_of(values)
        if not present_.any():
            continue
        numberish = _fullmatch(text, _NUMBERISH)
        if not numberish[present_].all():
            continue  # text (names, codes): the gate refuses it where numbers are needed
        fits = _fullmatch(text, fits_format)
        bad = present_ & ~fits
        if bad.any():
            row = values.index[np.flatnonzero(bad)[0]]
            value = values.loc[row]
            where = describe_rows(frame, [row], source=source, of_file=False)
            raise ValueError(f"{str(path)!r} {where}, column {column!r}: "
                             + _format_problem(str(value), d, t, declared))
        if not declared:
            continue
        if fits.any():
            cleaned = pd.Series(text.to_numpy(zero_copy_only=False),
                                index=values.index, dtype=object)[fits].str.strip()
            if t is not None:
                cleaned = cleaned.str.replace(t, "", regex=False)
            numbers = pd.to_numeric(cleaned.str.replace(d, ".", regex=False)
                                    .astype(object))
            if fits.all():  # the whole column is numbers
                frame[column] = numbers.to_numpy()
            else:  # numbers and missing values
                out = np.full(len(frame), np.nan)
                out[fits] = numbers.to_numpy(dtype=np.float64)
                frame[column] = out
    if declared:
        return
    floats = [c for c in numeric if pd.api.types.is_float_dtype(frame[c])]
    for column in floats:
        values = raw[column].dropna()
        dotted = values[values.str.contains(".", regex=False)]
        if len(dotted) and _fullmatch(_text_of(dotted)[0], _DOTTED.pattern).all():
            row = dotted.index[0]
            raise ValueError(
                f"{str(path)!r} {describe_rows(frame, [row], source=source, of_file=False)}"
                f", column {column!r}: {dotted.iloc[0]!r} is ambiguous: a thousands "
                f"separator ({dotted.iloc[0].strip().replace('.', '')}) or a decimal point? "
                "Every number with a point in the column looks like thousands; pass "
                "thousands='.' (Dutch: 4.000 = 4000; with decimal=',' for decimals) or "
                "decimal='.' (4.000 = 4.0)"
            )


def source_of(data: pd.DataFrame) -> Source | None:
    """The :class:`Source` of a frame read by :func:`read_table`, if any."""
    source = getattr(data, "attrs", {}).get(SOURCE_ATTR)
    return source if isinstance(source, Source) else None


def _record_lines(source: Source, records: Sequence[int]) -> dict[int, int]:
    """1-based file lines of CSV records, by re-reading the file (messages only)."""
    wanted = set(records)
    out: dict[int, int] = {}
    path = Path(source.path)
    opener = gzip.open if path.suffix.lower() == ".gz" else open
    with opener(path, "rt", encoding=source.encoding, newline="") as fh:
        reader = csv.reader(fh, delimiter=source.sep or ",")
        next(reader, None)
        record = 0
        for row in reader:
            if not row or all(not f for f in row):
                continue  # pandas skips blank lines
            if record in wanted:
                out[record] = reader.line_num - (
                    sum(f.count("\n") for f in row))  # the record's first line
                if len(out) == len(wanted):
                    break
            record += 1
    return out


def _positions(data: pd.DataFrame, labels: Sequence[Any],
               source: Source | None) -> list[str] | None:
    """``["line 4", "line 9"]`` (CSV) or ``["row 3"]`` (Parquet, SPSS; counted from 1)
    for record-number labels of a frame read from a file; None otherwise."""
    integral = all(isinstance(v, Integral | np.integer) for v in labels)
    if source is None or not integral:
        return None
    if source.kind != "csv":
        return [f"row {int(v) + 1}" for v in labels]
    if source.first_line is not None:
        return [f"line {int(v) + source.first_line}" for v in labels]
    found = _record_lines(source, [int(v) for v in labels])
    return [f"line {found.get(int(v), int(v) + 2)}" for v in labels]


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def row_names(data: pd.DataFrame, labels: Sequence[Any], *, unit: Any = None,
              source: Source | None = None) -> list[str]:
    """One name per row, for the examples of a message.

    Parameters
    ----------
    data : pandas.DataFrame
        The frame (possibly a subset of one read by :func:`read_table`: its index
        labels are then record numbers).
    labels : sequence
        Index labels of the rows (keep them few: a CSV with blank lines or quoted
        line breaks is re-read to find them).
    unit : column name, optional
        The unit id column: its value is added, ``"line 3 (unit 's2')"``.
    source : Source, optional
        Default: the frame's own (see :func:`source_of`).

    Returns
    -------
    list of str
        ``"line 3"`` (1-based file line of a CSV), ``"row 3"`` (Parquet or SPSS row
        counted from 1) or, for a frame not read from a file, ``"row 7"`` (the index
        label); each followed by ``" (unit 's2')"`` when ``unit`` is a column of
        ``data``.
    """
    labels = list(labels)
    names = _positions(data, labels, source or source_of(data))
    if names is None:
        names = [f"row {_plain(v)!r}" for v in labels]
    if unit is None or unit not in data.columns:
        return names
    ids = data[unit]
    if not data.index.is_unique:  # the first row of each label
        ids = ids[~data.index.duplicated()]
    ids = ids.loc[labels].to_numpy()
    return [f"{name} (unit {_plain(v)!r})" for name, v in zip(names, ids, strict=True)]


def describe_rows(data: pd.DataFrame, labels: Sequence[Any], *,
                  source: Source | None = None, limit: int = 5,
                  of_file: bool = True, unit: Any = None) -> str:
    """Where rows are, for messages: file lines when ``data`` was read from a file.

    Parameters
    ----------
    data : pandas.DataFrame
        The frame (possibly a subset of one read by :func:`read_table`: its index
        labels are then record numbers).
    labels : sequence
        Index labels of the rows.
    source : Source, optional
        Default: the frame's own (see :func:`source_of`).
    limit : int
        At most this many are listed ("and N more").
    of_file : bool
        Add "of 'FILE'" (False when the message names the file already).
    unit : column name, optional
        The unit id column: each row is named with its unit (see :func:`row_names`).

    Returns
    -------
    str
        ``"line 4 of 'counts.csv'"``, ``"lines 4, 9 and 3 more of 'counts.csv'"``,
        ``"row 3 of 'p.parquet'"`` (1-based) or, for a frame not read from a file,
        ``"rows 2, 7"`` (index labels); with ``unit``, ``"line 4 (unit 's2'), line 9
        (unit 's7') of 'counts.csv'"``.
    """
    labels = list(labels)
    source = source or source_of(data)
    more = len(labels) - limit
    shown = labels[:limit]
    tail = f" and {more} more" if more > 0 else ""
    if unit is not None and unit in data.columns:
        where = f" of {source.path!r}" if of_file and source is not None else ""
        names = row_names(data, shown, unit=unit, source=source)
        return ", ".join(names) + tail + where
    names = _positions(data, shown, source)
    if names is None:
        text = ", ".join(repr(_plain(v)) for v in shown)
        return f"rows {text}{tail}"
    word, plural = names[0].split()[0], len(labels) != 1
    numbers = ", ".join(name.split()[1] for name in names)
    where = f" of {source.path!r}" if of_file else ""
    return f"{word}{'s' if plural else ''} {numbers}{tail}{where}"


def _header_names(path: Path, sep: str, encoding: str) -> list[str]:
    """The column names of a CSV file as written (pandas renames a repeated name
    'a' to 'a.1')."""
    opener = gzip.open if path.suffix.lower() == ".gz" else open
    with opener(path, "rt", encoding=encoding, newline="") as fh:
        return next(csv.reader(fh, delimiter=sep), [])


def _refuse_duplicate_names(path: Path, names: Sequence[str], where: str = "header",
                            wanted: Sequence[str] | None = None) -> None:
    """A column name given twice is an error naming both columns (1-based), when the
    column is read (``wanted``; None: every column)."""
    seen: dict[str, int] = {}
    for i, name in enumerate(names, start=1):
        if name in seen and (wanted is None or name in wanted):
            raise ValueError(
                f"{str(path)!r} has two columns named {name!r} (columns {seen[name]} and "
                f"{i} of the {where}); which one is meant is not clear: rename one of "
                "them"
            )
        seen[name] = i


def _check_path(path: Path) -> None:
    if path.is_dir():
        raise ValueError(
            f"input {str(path)!r} is a directory; give a file (.csv, .tsv, .txt, .parquet, "
            ".sav, optionally .gz for CSV)"
        )
    if not path.is_file():
        raise FileNotFoundError(f"input file not found: {str(path)!r}")
    if table_format(path).gzip:
        with open(path, "rb") as fh:
            magic = fh.read(2)
        if magic and magic != b"\x1f\x8b":
            raise ValueError(f"{str(path)!r} ends in .gz but is not gzip-compressed; "
                             "compress it (gzip) or remove .gz from its name")


def read_table(
    path: str | Path,
    *,
    columns: Sequence[str] | None = None,
    text_columns: Sequence[str] = (),
    sep: str | None = None,
    encoding: str | None = None,
    decimal: str | None = None,
    thousands: str | None = None,
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
        CSV encoding; by default decided on the whole file: UTF-8, or Windows-1252 (the
        encoding of DUO's open data files) when the file has no UTF-8 text at all. A
        file that mixes both is an error naming a line of each.
    decimal, thousands : str, optional
        CSV decimal and thousands separators (e.g. ``decimal=","``,
        ``thousands="."`` for Dutch numbers such as ``1.234,5``). By default numbers
        whose meaning depends on them are refused with a message: a column whose
        numbers with a point all look like thousands groups (``4.000``), or a column of
        decimal commas (``7,6``). Nothing is guessed.

    Returns
    -------
    pandas.DataFrame
        With ``attrs["segspatial_source"]`` (a :class:`Source`), so that messages
        about its rows name file lines (see :func:`describe_rows`).

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    ValueError
        If the path is a directory, the format is unknown, the file is empty, requested
        columns are missing, the encoding is unknown, mixed or does not fit the bytes
        (the message names the line), or numbers are ambiguous (see ``decimal``).
    """
    path = Path(path)
    _check_path(path)
    kind = _kind(path)
    wanted = list(dict.fromkeys(columns)) if columns is not None else None
    if kind == "spss":
        from segspatial._spss import read_spss

        frame = read_spss(path, columns=wanted, text_columns=text_columns,
                          encoding=encoding)
        frame.attrs[SOURCE_ATTR] = Source(str(path), "spss")
        return frame
    if kind == "parquet":
        import pyarrow.parquet as pq

        try:
            schema_names = pq.read_schema(path).names
        except Exception as exc:  # pyarrow raises several types for a broken file
            raise ValueError(f"cannot read {str(path)!r} as Parquet: {exc}") from None
        _refuse_duplicate_names(path, schema_names, "schema", wanted)
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
        frame.attrs[SOURCE_ATTR] = Source(str(path), "parquet")
        return frame

    if path.stat().st_size == 0:
        raise ValueError(f"input file {str(path)!r} is empty")
    decimal, thousands = _separators(decimal, thousands)
    sep = _check_sep(sep)
    scan = _scan(path, encoding)
    encoding = scan.encoding
    sep = sep if sep is not None else _sniff_sep(path, encoding)
    header = pd.read_csv(path, sep=sep, encoding=encoding, nrows=0)
    names = [str(c) for c in header.columns]
    _refuse_duplicate_names(path, _header_names(path, sep, encoding), wanted=wanted)
    if wanted is not None:
        missing = [c for c in wanted if c not in names]
        if missing:
            raise ValueError(
                f"{str(path)!r} has no column(s) {missing!r}; it has {names!r} "
                f"(read with separator {sep!r})"
            )
    dtype = {c: str for c in text_columns if c in names}
    kwargs = {"sep": sep, "encoding": encoding, "keep_default_na": True}
    if decimal is not None:
        kwargs["decimal"] = decimal
    if thousands is not None:
        kwargs["thousands"] = thousands
    frame = pd.read_csv(path, usecols=wanted, dtype=dtype, **kwargs)
    data_lines = scan.n_lines - 1
    source = Source(str(path), "csv", sep, encoding,
                    first_line=2 if data_lines == len(frame) else None)
    frame.attrs[SOURCE_ATTR] = source
    _check_number_formats(path, frame, source, [c for c in text_columns], {**kwargs},
                          decimal, thousands)
    return frame


def write_table(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a DataFrame to CSV, TSV or Parquet (by the file name), atomically.

    The name decides the format (:func:`segspatial._formats.table_format`): ``.csv``
    (comma-separated), ``.tsv`` (tab-separated), either with ``.gz`` (gzip-compressed),
    ``.parquet`` or ``.pq``; every reader of segspatial reads them back. Columns of
    segspatial's tables get their types of :data:`segspatial.schema.FILE_DTYPES`
    (:func:`segspatial.schema.typed`), so Parquet files of the same table from
    different paths share one Arrow schema. The same frame gives the same bytes on
    every run (no time stamps; gzip without a name or time). Written through
    :mod:`segspatial._write`: an interrupted or failed run never leaves a
    half-written table, and an existing file stays as it was.

    Parameters
    ----------
    frame : pandas.DataFrame
    path : str or pathlib.Path
        Destination ending in one of
        :func:`segspatial._formats.writable_table_suffixes`.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    ValueError
        For a name whose suffix is not written (``.sav``, ``.txt``, ``.parquet.gz``);
        the message lists the suffixes that are.
    """
    from segspatial.schema import typed

    path = Path(path)
    fmt = table_format(path, writing=True)
    frame = typed(frame)
    if fmt.kind == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        from segspatial.schema import arrow_schema

        table = pa.Table.from_pandas(frame, preserve_index=False)
        table = table.cast(arrow_schema(table))
        with atomic_file(path) as tmp:
            pq.write_table(table, tmp)
        return path
    data = frame.to_csv(index=False, sep=fmt.sep, lineterminator="\n").encode("utf-8")
    if fmt.gzip:
        data = gzip.compress(data, mtime=0)  # no time stamp: the same bytes every run
    with atomic_file(path) as tmp:
        tmp.write_bytes(data)
    return path
