"""Reading DUO enrolment files (hbo, mbo, wo "ingeschrevenen") into tidy counts.

DUO's open education data publish enrolments on 1 October per programme ×
institution × location municipality × mode × sex, **one column per year**, as a
``;``-separated Windows-1252 CSV; republished as JSON (one object per CSV row) with
the same keys. Older files have one column per year *and sex* (``2016 MAN``,
``2016 VROUW``) instead of a ``GESLACHT`` column. Both layouts are read, from CSV or
JSON, by :func:`read_enrolments`.

DUO's quirks are kept visible, never papered over:

* **Censored cells.** Counts of 1-4 are published as the text ``"<5"``. They are kept
  as *censored*: an interval of possible counts (default ``[1, 4]``, configurable per
  token with ``censored=``), never 0 and never NaN. Every cell of the tidy output has
  ``low`` and ``high`` (equal for an exact count) and a ``censored`` flag.
* **Flagged cells.** DUO's other suppression form writes the count as ``4`` and marks
  the cell in a *suppression flag* column beside the year column (``2024`` and
  ``2024 AFGESCHERMD``, or ``AFGESCHERMD 2024``; also ``GEHEIM``, ``ONDERDRUKT``,
  ``VLAG``, ``FLAG``, ``SUPPRESSED``: :data:`FLAG_WORDS`). A flagged cell is censored
  exactly like ``"<5"``: the interval ``flagged=`` (default ``[1, 4]``), not the ``4``
  it shows. Flag columns are found by name (``flags="auto"``) or named
  (``flags={"2024": "my flag"}``); a flag is yes (``1``, ``j``, ``ja``, ``y``,
  ``true``, ``x``, ``*``) or no (``0``, ``n``, ``nee``, ``false``, empty).
* **Municipality numbers** come as zero-padded text (``"0106"``), as integers
  (``363``) or with stray spaces; all become the CBS code ``GM`` + 4 digits.
* **Sex** is ``man`` / ``vrouw`` / ``onbekend`` (``men`` / ``women`` / ``unknown``).

Bad input gets a clear error that names the file, the record (JSON, 1-based) or line
(CSV), the column, the value and what is allowed. With ``errors="exclude"`` the bad
cells and records are left out instead, each counted once in ``exclusions`` with its
reason, so nothing is lost silently.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "CELL_COLUMNS",
    "DEFAULT_CENSORED",
    "DEFAULT_FLAGGED",
    "EXCLUSION_REASONS",
    "FLAG_WORDS",
    "GROUPS",
    "Enrolments",
    "read_enrolments",
    "tidy_counts",
]

#: The groups of the ``sex`` column, in order.
GROUPS = ("women", "men", "unknown")
#: DUO's censored token and the counts it stands for.
DEFAULT_CENSORED: dict[str, tuple[int, int]] = {"<5": (1, 4)}
#: The counts a cell marked in a suppression flag column stands for (DUO writes ``4``).
DEFAULT_FLAGGED: tuple[int, int] = (1, 4)
#: Words that make a column the suppression flag of the count column they accompany
#: (``2024 AFGESCHERMD`` or ``AFGESCHERMD 2024``; matched after upper-casing).
FLAG_WORDS = ("AFGESCHERMD", "GEHEIM", "ONDERDRUKT", "VLAG", "FLAG", "SUPPRESSED",
              "CENSORED")
_FLAG_YES = {"1", "j", "ja", "y", "yes", "true", "waar", "x", "*"}
_FLAG_NO = {"0", "n", "nee", "no", "false", "onwaar", ""}

#: Column roles and the header names DUO uses for them (matched after upper-casing and
#: collapsing spaces/underscores), in order of preference.
_ROLES: dict[str, tuple[str, ...]] = {
    "municipality": ("GEMEENTENUMMER",),
    "municipality_name": ("GEMEENTENAAM",),
    "province_name": ("PROVINCIE",),
    "institution": ("INSTELLINGSCODE ACTUEEL", "BRIN NUMMER ACTUEEL", "INSTELLINGSCODE"),
    "institution_name": ("INSTELLINGSNAAM ACTUEEL", "INSTELLINGSNAAM"),
    "programme": ("OPLEIDINGSCODE ACTUEEL", "OPLEIDINGSCODE"),
    "programme_name": ("OPLEIDINGSNAAM ACTUEEL", "OPLEIDINGSNAAM"),
    "sector": ("ONDERDEEL", "CROHO ONDERDEEL"),
    "subsector": ("SUBONDERDEEL", "CROHO SUBONDERDEEL"),
    "type": ("TYPE HOGER ONDERWIJS", "ONDERWIJSTYPE"),
    "mode": ("OPLEIDINGSVORM",),
    "sex": ("GESLACHT",),
}
_REQUIRED = ("municipality", "programme")
#: Text columns of the tidy cells (None where the file has no such column).
_TEXT_ROLES = ("municipality_name", "province_name", "institution", "institution_name",
               "programme_name", "sector", "subsector", "type", "mode")
#: Columns of :attr:`Enrolments.cells`, in order.
CELL_COLUMNS = ["record", "year", "area", "area_name", "province_name", "institution",
                "institution_name", "programme", "programme_name", "sector", "subsector",
                "type", "mode", "sex", "low", "high", "censored"]

_SEX = {"vrouw": "women", "vrouwen": "women", "v": "women", "female": "women",
        "women": "women", "man": "men", "mannen": "men", "m": "men", "male": "men",
        "men": "men", "onbekend": "unknown", "unknown": "unknown", "o": "unknown",
        "u": "unknown"}
_YEAR = re.compile(r"^(\d{4})$")
_YEAR_SEX = re.compile(r"^(\d{4}) (MAN|MANNEN|VROUW|VROUWEN|ONBEKEND)$")
_DIGITS = re.compile(r"^\d+$")
_MUNICIPALITY = re.compile(r"^(?:GM)?(\d{1,4})$")

#: Why a cell or record is left out (``errors="exclude"``).
EXCLUSION_REASONS = {
    "bad_count": "count that is neither a whole number from 0 to 2**53 nor a censored token",
    "missing_count": "count cell that is empty",
    "bad_municipality": "municipality number that is not 1-4 digits (or GMdddd)",
    "bad_sex": "sex code that is not man, vrouw or onbekend",
    "missing_programme": "record without a programme code",
    "duplicate_record": "record repeating the keys of an earlier record",
    "bad_value": "a JSON object or array where text or a number belongs",
    "bad_flag": "suppression flag that is neither yes (1, j, ja, true, x) nor no (0, n, nee, "
    "false, empty)",
    "bad_flagged_count": "count marked as suppressed that is neither empty, a censored token "
    "nor a whole number inside the flagged interval",
}

_MAX_SHOWN = 5
#: The largest count read (2**53: exact in float64 and summed safely in int64).
MAX_COUNT = 2**53


@dataclass(frozen=True)
class Enrolments:
    """Enrolment counts read from a DUO file, as tidy cells with censoring kept.

    Attributes
    ----------
    cells : pandas.DataFrame
        One row per record × year (:data:`CELL_COLUMNS`): ``record`` (JSON record
        number or CSV line), ``year``, ``area`` (``GMdddd``), the text columns of the
        file (None where absent), ``sex`` (``women``/``men``/``unknown``), ``low`` and
        ``high`` (int64; equal for an exact count) and ``censored``.
    exclusions : pandas.DataFrame
        One row per left-out cell or record: ``reason`` (see
        :data:`EXCLUSION_REASONS`), ``record``, ``year`` (NA for a whole record),
        ``column``, ``value``, ``low``, ``high`` (the people concerned where the counts
        could be read, else NA), ``description``.
    source : dict
        ``path``, ``format`` (json/csv), ``sha256``, ``records``, ``years``,
        ``layout`` (``year_columns`` or ``year_sex_columns``), ``columns`` (role ->
        header), ``censored`` (token -> interval), ``flags`` (count column -> its
        suppression flag column) and ``flagged`` (the interval of a flagged cell).
    """

    cells: pd.DataFrame
    exclusions: pd.DataFrame
    source: dict[str, Any] = field(default_factory=dict)

    @property
    def years(self) -> list[int]:
        """The years of the file, ascending."""
        return sorted(int(y) for y in self.cells["year"].unique())

    def counts(self, unit: str = "programme", *,
               keys: Sequence[str] = ("area", "year")) -> pd.DataFrame:
        """Tidy counts per unit (see :func:`tidy_counts`)."""
        return tidy_counts(self.cells, unit=unit, keys=keys)

    def exclusions_summary(self) -> pd.DataFrame:
        """Left-out cells and records per reason, with the people concerned."""
        return summarise_exclusions(self.exclusions)


def summarise_exclusions(exclusions: pd.DataFrame) -> pd.DataFrame:
    """Totals per reason: rows (cells or records), people (low, high), description."""
    columns = ["reason", "rows", "low", "high", "description"]
    if exclusions.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    out = (exclusions.groupby("reason", sort=False, dropna=False)
           .agg(rows=("reason", "size"), low=("low", "sum"), high=("high", "sum"),
                description=("description", "first"))
           .reset_index())
    return out[columns]


# --------------------------------------------------------------------------- helpers


def _normalise(name: Any) -> str:
    return re.sub(r"[\s_]+", " ", str(name)).strip().upper()


def _shown(values: Sequence[Any]) -> str:
    values = list(values)
    head = ", ".join(repr(v) for v in values[:_MAX_SHOWN])
    return head + (f" and {len(values) - _MAX_SHOWN} more" if len(values) > _MAX_SHOWN else "")


def _check_censored(censored: Mapping[str, Any] | None) -> dict[str, tuple[int, int]]:
    if censored is None:
        return dict(DEFAULT_CENSORED)
    if not isinstance(censored, Mapping):
        raise TypeError("censored must be a mapping token -> (low, high), e.g. "
                        f"{{'<5': (1, 4)}}; got {type(censored).__name__}")
    out: dict[str, tuple[int, int]] = {}
    for token, interval in censored.items():
        if not isinstance(token, str) or not token.strip():
            raise ValueError(f"censored: tokens must be non-empty text, got {token!r}")
        if _DIGITS.match(token.strip()):
            raise ValueError(f"censored: token {token!r} is a number; a censored token "
                             "must not look like a count")
        try:
            low, high = interval
        except (TypeError, ValueError):
            raise ValueError(f"censored: the interval of {token!r} must be (low, high), "
                             f"got {interval!r}") from None
        for v in (low, high):
            if isinstance(v, bool) or not isinstance(v, int | np.integer):
                raise TypeError(f"censored: the interval of {token!r} must hold whole "
                                f"numbers, got {interval!r}")
        if not 0 <= low <= high:
            raise ValueError(f"censored: the interval of {token!r} must satisfy "
                             f"0 <= low <= high, got {interval!r}")
        out[token.strip()] = (int(low), int(high))
    if not out:
        raise ValueError("censored must name at least one token, e.g. {'<5': (1, 4)}")
    return out


def _check_flagged(flagged: Any) -> tuple[int, int]:
    try:
        low, high = flagged
    except (TypeError, ValueError):
        raise ValueError(f"flagged must be (low, high), e.g. (1, 4), got {flagged!r}") from None
    for v in (low, high):
        if isinstance(v, bool) or not isinstance(v, int | np.integer):
            raise TypeError(f"flagged must hold whole numbers, got {flagged!r}")
    if not 0 <= low <= high:
        raise ValueError(f"flagged must satisfy 0 <= low <= high, got {flagged!r}")
    return int(low), int(high)


def _flag_columns(frame: pd.DataFrame, path: Path, counts: list[Any],
                  flags: str | Mapping[str, str] | None) -> dict[Any, Any]:
    """Count column -> its suppression flag column (see :data:`FLAG_WORDS`)."""
    if flags is None:
        return {}
    by_norm = {_normalise(c): c for c in counts}
    if isinstance(flags, str):
        if flags != "auto":
            raise ValueError(f"flags must be 'auto', None or a mapping count column -> flag "
                             f"column, got {flags!r}")
        words = "|".join(map(re.escape, FLAG_WORDS))
        pattern = re.compile(rf"^(?:(?P<a>.+?) (?:{words})|(?:{words}) (?P<b>.+))$")
        found: dict[Any, Any] = {}
        for c in frame.columns:
            m = pattern.match(_normalise(c))
            if not m:
                continue
            target = m.group("a") or m.group("b")
            if not (_YEAR.match(target) or _YEAR_SEX.match(target)):
                continue
            if target not in by_norm:
                raise ValueError(f"{str(path)!r}: column {str(c)!r} looks like the suppression "
                                 f"flag of a count column {target!r}, which the file does not "
                                 f"have; its count columns are {list(map(str, counts))!r} "
                                 "(flags=None reads no flags)")
            if by_norm[target] in found:
                raise ValueError(f"{str(path)!r}: count column {str(by_norm[target])!r} has "
                                 f"two suppression flag columns ({str(found[by_norm[target]])!r}"
                                 f" and {str(c)!r}); name one with flags={{...}}")
            found[by_norm[target]] = c
        return found
    if not isinstance(flags, Mapping):
        raise TypeError(f"flags must be 'auto', None or a mapping count column -> flag "
                        f"column, got {type(flags).__name__}")
    out: dict[Any, Any] = {}
    names = {str(c): c for c in frame.columns}
    counts_by_name = {str(c): c for c in counts}
    for count, flag in flags.items():
        if str(count) not in counts_by_name:
            raise ValueError(f"flags: {count!r} is not a count column of {str(path)!r}; its "
                             f"count columns are {list(counts_by_name)!r}")
        if str(flag) not in names:
            raise ValueError(f"flags: {flag!r} (the flag of {count!r}) is not a column of "
                             f"{str(path)!r}; it has {list(names)!r}")
        out[counts_by_name[str(count)]] = names[str(flag)]
    return out


def _parse_flags(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(flagged, bad) arrays for one flag column."""
    def one(v: Any) -> int:
        if v is None or (isinstance(v, float) and not np.isfinite(v)):
            return 0
        if isinstance(v, bool | np.bool_):
            return int(bool(v))
        if isinstance(v, int | np.integer) or (isinstance(v, float) and v.is_integer()):
            return {0: 0, 1: 1}.get(int(v), 2)
        if isinstance(v, str):
            text = v.strip().lower()
            return 1 if text in _FLAG_YES else 0 if text in _FLAG_NO else 2
        return 2

    code = values.map(one).to_numpy(dtype=np.int64)
    return code == 1, code == 2


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _load_json(path: Path) -> pd.DataFrame:
    try:
        text = path.read_text(encoding="utf-8-sig")
        data = json.loads(text)
    except UnicodeDecodeError as exc:
        raise ValueError(f"{str(path)!r} is not UTF-8 JSON ({exc})") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"{str(path)!r} is not valid JSON: {exc.msg} at line {exc.lineno}, "
                         f"column {exc.colno}") from None
    if not isinstance(data, list):
        raise ValueError(f"{str(path)!r} must hold a JSON array of records (one object per "
                         f"row of DUO's CSV); it holds a {type(data).__name__}")
    if not data:
        raise ValueError(f"{str(path)!r} holds no records")
    bad = [i + 1 for i, r in enumerate(data) if not isinstance(r, dict)]
    if bad:
        raise ValueError(f"{str(path)!r}: record {bad[0]} is not a JSON object "
                         f"({len(bad)} such records; records {_shown(bad)}); each record "
                         "must be an object with the column names as keys")
    frame = pd.DataFrame.from_records(data)
    frame = frame.astype(object).where(frame.notna(), None)
    frame.attrs["lines"] = _record_lines(text, len(data))
    return frame


def _record_lines(text: str, n: int) -> list[int] | None:
    """The line of the file on which each record of a JSON array starts (for messages:
    "record 5 (line 12)"); None when every record is on one line or the text cannot be
    walked record by record."""
    decoder = json.JSONDecoder()
    space = re.compile(r"[\s,]*")
    pos = text.find("[") + 1
    line, counted, out = 1, 0, []
    try:
        for _ in range(n):
            pos = space.match(text, pos).end()
            line += text.count("\n", counted, pos)
            counted = pos
            out.append(line)
            _, pos = decoder.raw_decode(text, pos)
    except (ValueError, AttributeError):
        return None
    return out if out and out[-1] != out[0] else None  # one line: no news


def _load_csv(path: Path, sep: str | None, encoding: str | None) -> pd.DataFrame:
    from segspatial.io import _sniff

    if path.stat().st_size == 0:
        raise ValueError(f"input file {str(path)!r} is empty")
    sep, encoding = _sniff(path, sep, encoding)
    frame = pd.read_csv(path, sep=sep, encoding=encoding, dtype=object,
                        keep_default_na=False, na_values=[])
    if frame.empty:
        raise ValueError(f"{str(path)!r} has a header but no data rows")
    return frame.astype(object)


def _find_columns(frame: pd.DataFrame, path: Path,
                  columns: Mapping[str, str] | None) -> dict[str, str]:
    by_norm: dict[str, str] = {}
    for c in frame.columns:
        by_norm.setdefault(_normalise(c), c)
    found: dict[str, str] = {}
    for role, names in _ROLES.items():
        for name in names:
            if name in by_norm:
                found[role] = by_norm[name]
                break
    for role, name in dict(columns or {}).items():
        if role not in _ROLES:
            raise ValueError(f"columns: unknown role {role!r}; roles are "
                             f"{', '.join(_ROLES)}")
        if name not in frame.columns:
            raise ValueError(f"columns: {role}={name!r} is not a column of {str(path)!r}; "
                             f"it has {list(map(str, frame.columns))!r}")
        found[role] = name
    missing = [r for r in _REQUIRED if r not in found]
    if missing:
        wanted = "; ".join(f"{r}: {' or '.join(repr(n) for n in _ROLES[r])}" for r in missing)
        raise ValueError(f"{str(path)!r} has no column for {wanted} (pass columns= to name "
                         f"them); its columns are {list(map(str, frame.columns))!r}")
    return found


def _year_columns(frame: pd.DataFrame, path: Path, has_sex: bool) -> tuple[str, list]:
    plain, by_sex = [], []
    for c in frame.columns:
        norm = _normalise(c)
        if m := _YEAR.match(norm):
            plain.append((c, int(m.group(1)), None))
        elif m := _YEAR_SEX.match(norm):
            by_sex.append((c, int(m.group(1)), _SEX[m.group(2).lower()]))
    if plain and by_sex:
        raise ValueError(f"{str(path)!r} mixes year columns ({plain[0][0]!r}) and year-and-sex "
                         f"columns ({by_sex[0][0]!r}); use one layout")
    if by_sex:
        if has_sex:
            raise ValueError(f"{str(path)!r} has a sex column and year-and-sex columns "
                             f"({by_sex[0][0]!r}); use one layout")
        return "year_sex_columns", by_sex
    if not plain:
        raise ValueError(f"{str(path)!r} has no year columns: DUO's layout has one column per "
                         "year ('2020', '2021', ...) or per year and sex ('2020 MAN', "
                         f"'2020 VROUW'); its columns are {list(map(str, frame.columns))!r}")
    if not has_sex:
        raise ValueError(f"{str(path)!r} has year columns but no sex column ('GESLACHT'); "
                         "pass columns={'sex': ...} to name it")
    return "year_columns", plain


def _text(series: pd.Series) -> pd.Series:
    """Values as stripped text (ints without '.0'), None where missing."""
    def one(v: Any) -> Any:
        if v is None or (isinstance(v, float) and not np.isfinite(v)):
            return None
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        text = str(v).strip()
        return text or None

    return series.map(one).astype(object)


class _Problems:
    """Bad values found while reading: raised at once, or collected as exclusions."""

    def __init__(self, path: Path, kind: str, errors: str,
                 lines: Sequence[int] | None = None):
        self.path, self.kind, self.errors, self.lines = path, kind, errors, lines
        self.rows: list[pd.DataFrame] = []

    def where(self, record: int) -> str:
        """``record 5 (line 12)`` for JSON (the line the record starts on), ``line 7``
        for CSV."""
        if self.lines is not None and 1 <= record <= len(self.lines):
            return f"{self.kind} {record} (line {self.lines[record - 1]})"
        return f"{self.kind} {record}"

    def shown(self, value: Any) -> str:
        """A bad cell as the file writes it: JSON's ``null``, ``true``, ``[1]`` for a
        JSON file (never Python's ``None``), ``an empty cell`` for an empty one."""
        if value is None or (isinstance(value, str) and not value.strip()):
            return ("null" if value is None and self.kind == "record"
                    else "an empty cell")
        if self.kind == "record" and not isinstance(value, str):
            try:
                return json.dumps(value, ensure_ascii=False)
            except (TypeError, ValueError):
                pass
        return repr(value)

    def report(self, reason: str, mask: np.ndarray, records: np.ndarray, column: str,
               values: pd.Series, allowed: str, *, year: Any = None,
               low: np.ndarray | None = None, high: np.ndarray | None = None) -> None:
        if not mask.any():
            return
        idx = np.flatnonzero(mask)
        if self.errors == "raise":
            first = idx[0]
            more = f" ({len(idx) - 1} more such values)" if len(idx) > 1 else ""
            raise ValueError(
                f"{str(self.path)!r}: {self.where(int(records[first]))}, column {column!r}: "
                f"{self.shown(values.iloc[first])} is not allowed{more}; allowed: {allowed} "
                "(errors='exclude' leaves such cells out and counts them)")
        self.rows.append(pd.DataFrame({
            "reason": reason,
            "record": records[idx].astype(np.int64),
            "year": pd.array([year] * len(idx), dtype="Int64"),
            "column": str(column),
            "value": [self.shown(v) for v in values.iloc[idx]],
            "low": (low[idx] if low is not None else np.full(len(idx), np.nan)),
            "high": (high[idx] if high is not None else np.full(len(idx), np.nan)),
            "description": EXCLUSION_REASONS[reason],
        }))

    def frame(self) -> pd.DataFrame:
        if not self.rows:
            return pd.DataFrame({
                "reason": pd.Series(dtype=object), "record": pd.Series(dtype=np.int64),
                "year": pd.Series(dtype="Int64"), "column": pd.Series(dtype=object),
                "value": pd.Series(dtype=object), "low": pd.Series(dtype=np.float64),
                "high": pd.Series(dtype=np.float64), "description": pd.Series(dtype=object)})
        return pd.concat(self.rows, ignore_index=True)


def _parse_counts(values: pd.Series, censored: dict[str, tuple[int, int]]):
    """(low, high, is_censored, bad, missing) arrays for one year column."""
    n = len(values)
    low = np.zeros(n, dtype=np.int64)
    high = np.zeros(n, dtype=np.int64)
    is_censored = np.zeros(n, dtype=bool)
    kinds = values.map(type)
    is_int = kinds.isin([int, np.int64, np.int32]).to_numpy()
    is_float = kinds.isin([float, np.float64]).to_numpy()
    is_str = kinds.eq(str).to_numpy()
    missing = values.isna().to_numpy() & ~is_float
    # integers (not booleans) and whole, finite floats in [0, MAX_COUNT] are exact counts
    num = np.zeros(n, dtype=np.float64)
    if (is_int | is_float).any():
        num[is_int | is_float] = [float(v) for v in values[is_int | is_float]]
    nan_float = is_float & ~np.isfinite(num)
    missing |= nan_float
    exact = ((is_int | is_float) & ~nan_float & (num >= 0) & (num <= MAX_COUNT)
             & (num == np.floor(num)))
    low[exact] = num[exact].astype(np.int64)
    high[exact] = low[exact]
    if is_str.any():
        text = values[is_str].str.strip()
        blank = (text == "").to_numpy()
        digits = text.str.fullmatch(r"\d{1,16}").to_numpy()
        pos = np.flatnonzero(is_str)
        missing[pos[blank]] = True
        d = pos[digits]
        parsed = text[digits].astype(np.int64).to_numpy()
        fits = parsed <= MAX_COUNT
        low[d[fits]] = high[d[fits]] = parsed[fits]
        exact[d[fits]] = True
        for token, (lo, hi) in censored.items():
            c = pos[(text == token).to_numpy()]
            low[c], high[c], is_censored[c] = lo, hi, True
    bad = ~(exact | is_censored | missing)
    return low, high, is_censored, bad, missing


# --------------------------------------------------------------------------- reader


def read_enrolments(
    path: str | Path,
    *,
    censored: Mapping[str, tuple[int, int]] | None = None,
    errors: str = "raise",
    columns: Mapping[str, str] | None = None,
    flags: str | Mapping[str, str] | None = "auto",
    flagged: tuple[int, int] = DEFAULT_FLAGGED,
    sep: str | None = None,
    encoding: str | None = None,
) -> Enrolments:
    """Read a DUO enrolment file (JSON or CSV) into tidy cells, censoring kept.

    Parameters
    ----------
    path : str or pathlib.Path
        A ``.json`` file (an array of records, one per row of DUO's CSV) or a
        ``.csv`` file in DUO's layout (``;`` or ``,`` separated, UTF-8 or
        Windows-1252, detected). Either layout: a ``GESLACHT`` column with one column
        per year (``2020``, ...), or one column per year and sex (``2016 MAN``,
        ``2016 VROUW``).
    censored : mapping, optional
        Censored tokens and the counts they stand for, default ``{"<5": (1, 4)}``
        (DUO publishes counts of 1-4 as ``"<5"``). A cell with a token gets that
        interval as ``low``/``high`` and ``censored=True``.
    flags : "auto", mapping or None
        Suppression flag columns, DUO's other form of censoring (a count of ``4``
        marked as suppressed). ``"auto"`` (default) takes a column named after a count
        column and one of :data:`FLAG_WORDS` (``2024 AFGESCHERMD``, ``AFGESCHERMD
        2024``); a mapping names them (count column -> flag column); None reads none.
    flagged : (int, int)
        The counts a flagged cell stands for (default ``(1, 4)``, as ``"<5"``). The
        cell's own number must be empty, a censored token or a whole number in this
        interval (DUO writes the upper end); anything else is a bad value.
    errors : {"raise", "exclude"}
        What to do with a value that cannot be read (a count that is neither a whole
        number >= 0 nor a token, an empty count, a bad municipality number or sex code,
        a record without programme code, a duplicate record): raise a ValueError naming
        file, record/line, column, value and what is allowed; or leave the cell (count)
        or record (keys) out and count it in ``exclusions``.
    columns : mapping, optional
        Role -> column name for files whose headers differ from DUO's; roles:
        ``municipality``, ``municipality_name``, ``province_name``, ``institution``,
        ``institution_name``, ``programme``, ``programme_name``, ``sector``,
        ``subsector``, ``type``, ``mode``, ``sex``.
    sep, encoding : str, optional
        CSV separator and encoding (default: detected).

    Returns
    -------
    Enrolments

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    ValueError
        For an unknown format, unreadable JSON/CSV, missing columns (the message lists
        the file's columns), no year columns, or (``errors="raise"``) a bad value.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "hbo.csv").write_text(
    ...     "GEMEENTENUMMER;OPLEIDINGSCODE ACTUEEL;GESLACHT;2023;2024\\n"
    ...     "0363;34267;man;12;<5\\n363;34267;vrouw;<5;0\\n")
    >>> cells = read_enrolments(folder / "hbo.csv").cells
    >>> cells[["record", "year", "area", "sex", "low", "high", "censored"]]
       record  year    area    sex  low  high  censored
    0       2  2023  GM0363    men   12    12     False
    1       2  2024  GM0363    men    1     4      True
    2       3  2023  GM0363  women    1     4      True
    3       3  2024  GM0363  women    0     0     False
    """
    path = Path(path)
    if errors not in ("raise", "exclude"):
        raise ValueError(f"errors must be 'raise' or 'exclude', got {errors!r}")
    tokens = _check_censored(censored)
    flag_interval = _check_flagged(flagged)
    if not path.is_file():
        raise FileNotFoundError(f"input file not found: {str(path)!r}")
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".json":
        kind, frame, first = "json", _load_json(path), 1
    elif suffixes and suffixes[-1] in (".csv", ".txt", ".tsv"):
        kind, frame, first = "csv", _load_csv(path, sep, encoding), 2
    else:
        raise ValueError(f"cannot tell the format of {str(path)!r} from its name; use a file "
                         "ending in .json (an array of records) or .csv (DUO's layout)")
    roles = _find_columns(frame, path, columns)
    layout, years = _year_columns(frame, path, "sex" in roles)
    flag_of = _flag_columns(frame, path, [c for c, _, _ in years], flags)
    problems = _Problems(path, "record" if kind == "json" else "line", errors,
                         frame.attrs.get("lines"))
    records = np.arange(first, first + len(frame), dtype=np.int64)
    n = len(frame)
    # the first reason a whole record is left out ("" = none), with the column and value
    why = np.full(n, "", dtype=object)
    why_column = np.full(n, "", dtype=object)

    def flag(reason: str, mask: np.ndarray, column: str, allowed: str) -> None:
        mask = mask & (why == "")
        if errors == "raise" and mask.any():
            problems.report(reason, mask, records, column, frame[column], allowed)
        why[mask] = reason
        why_column[mask] = column

    # --- no JSON object or array where a code or a name belongs
    for role in _ROLES:
        if role in roles:
            nested = frame[roles[role]].map(lambda v: isinstance(v, dict | list)).to_numpy(
                dtype=bool)
            flag("bad_value", nested, roles[role],
                 "text or a number (not a JSON object or array)")
    # --- keys: municipality, programme, sex
    muni = _text(frame[roles["municipality"]])
    code = muni.str.upper().str.extract(_MUNICIPALITY, expand=False)
    flag("bad_municipality", code.isna().to_numpy(), roles["municipality"],
         "a municipality number of 1-4 digits (e.g. 363 or '0363') or a code such as "
         "'GM0363'")
    area = ("GM" + code.fillna("0").str.zfill(4)).to_numpy(dtype=object)
    programme = _text(frame[roles["programme"]])
    flag("missing_programme", programme.isna().to_numpy(), roles["programme"],
         "a programme code (e.g. 34267)")
    sexes = None
    if layout == "year_columns":
        sex = _text(frame[roles["sex"]]).str.lower().map(_SEX).astype(object)
        flag("bad_sex", sex.isna().to_numpy(), roles["sex"], "man, vrouw or onbekend")
        sexes = sex.to_numpy(dtype=object)
    text = {role: (_text(frame[roles[role]]).to_numpy(dtype=object) if role in roles
                   else np.full(n, None, dtype=object)) for role in _TEXT_ROLES}

    # --- duplicates: the same keys as an earlier (readable) record
    key_roles = [r for r in ("institution", "type", "mode") if r in roles]
    key = pd.DataFrame({"area": area, "programme": programme.to_numpy(dtype=object),
                        **{r: text[r] for r in key_roles}})
    if sexes is not None:
        key["sex"] = sexes
    readable = np.flatnonzero(why == "")
    dup = np.zeros(n, dtype=bool)
    dup[readable[key.iloc[readable].duplicated(keep="first").to_numpy()]] = True
    if dup.any() and errors == "raise":
        first_dup = np.flatnonzero(dup)[0]
        same = np.flatnonzero((key.iloc[readable] == key.iloc[first_dup]).all(axis=1))
        raise ValueError(
            f"{str(path)!r}: {problems.where(int(records[first_dup]))} repeats "
            f"{problems.where(int(records[readable[same[0]]]))} (same municipality, "
            f"programme{', ' + ', '.join(key_roles) if key_roles else ''}"
            f"{' and sex' if sexes is not None else ''}; {int(dup.sum())} such records); "
            "each combination may appear once (errors='exclude' leaves repeats out)")
    why[dup] = "duplicate_record"
    why_column[dup] = ""

    # --- counts, one year (and sex) column at a time
    allowed = (f"a whole number from 0 to 2**53 ({MAX_COUNT}) or a censored token "
               f"({', '.join(repr(t) for t in tokens)})")
    parts = []
    for column, year, col_sex in years:
        low, high, cens, bad, missing = _parse_counts(frame[column], tokens)
        keep = why == ""
        if column in flag_of:
            fcol = flag_of[column]
            marked, bad_flag = _parse_flags(frame[fcol])
            problems.report("bad_flag", bad_flag & keep, records, fcol, frame[fcol],
                            "yes (1, j, ja, y, true, x, *) or no (0, n, nee, false, empty)",
                            year=year)
            flo, fhi = flag_interval
            inside = ~bad & ~missing & ~cens & (low >= flo) & (high <= fhi)
            fits = missing | cens | inside
            wrong = marked & ~fits & ~bad_flag & keep
            problems.report("bad_flagged_count", wrong, records, column, frame[column],
                            f"a cell flagged in {str(fcol)!r} holds nothing, a censored token "
                            f"or a whole number from {flo} to {fhi} (the flagged interval)",
                            year=year)
            use = marked & fits
            low, high = np.where(use, flo, low), np.where(use, fhi, high)
            cens = cens | use
            # a bad flag or an inconsistent flagged count leaves the cell out (counted)
            missing = missing & ~use
            gone = bad_flag | wrong
            bad = bad & ~use & ~gone
            missing = missing & ~gone
            keep = keep & ~gone
        problems.report("bad_count", bad & keep, records, column, frame[column], allowed,
                        year=year)
        problems.report("missing_count", missing & keep, records, column, frame[column],
                        allowed, year=year)
        readable_count = ~bad & ~missing
        lo = np.where(readable_count, low, np.nan)
        hi = np.where(readable_count, high, np.nan)
        for reason in ("bad_value", "bad_municipality", "missing_programme", "bad_sex",
                       "duplicate_record"):
            mask = why == reason
            if mask.any():
                col = str(why_column[mask][0]) or column
                values = frame[col] if col != column else frame[column]
                problems.report(reason, mask, records, col, values, "", year=year,
                                low=lo, high=hi)
        ok = keep & readable_count
        parts.append(pd.DataFrame({
            "record": records[ok], "year": np.int64(year), "area": area[ok],
            "area_name": text["municipality_name"][ok],
            "province_name": text["province_name"][ok],
            "institution": text["institution"][ok],
            "institution_name": text["institution_name"][ok],
            "programme": programme.to_numpy(dtype=object)[ok],
            "programme_name": text["programme_name"][ok],
            "sector": text["sector"][ok], "subsector": text["subsector"][ok],
            "type": text["type"][ok], "mode": text["mode"][ok],
            "sex": (sexes[ok] if sexes is not None else np.full(int(ok.sum()), col_sex,
                                                                dtype=object)),
            "low": low[ok], "high": high[ok], "censored": cens[ok],
        }))
    cells = pd.concat(parts, ignore_index=True)
    cells = cells.sort_values(["record", "year"], kind="stable").reset_index(drop=True)
    for column in CELL_COLUMNS:
        if cells[column].dtype != object and column not in ("record", "year", "low", "high",
                                                            "censored"):
            cells[column] = cells[column].astype(object)
    source = {
        "path": str(path), "file": path.name, "format": kind, "sha256": _sha256(path),
        "records": int(len(frame)), "years": sorted({y for _, y, _ in years}),
        "layout": layout, "columns": {r: str(c) for r, c in roles.items()},
        "censored": {t: list(v) for t, v in tokens.items()},
        "flags": {str(c): str(f) for c, f in flag_of.items()},
        "flagged": list(flag_interval),
    }
    return Enrolments(cells=cells[CELL_COLUMNS], exclusions=problems.frame(), source=source)


# --------------------------------------------------------------------------- tidy counts


def tidy_counts(cells: pd.DataFrame, *, unit: str = "programme",
                keys: Sequence[str] = ("area", "year")) -> pd.DataFrame:
    """Cells summed to one row per key × unit, a low/high pair per group.

    Sums of intervals are exact: a unit's women count lies in
    ``[women_low, women_high]`` and every whole number in between is possible.

    Parameters
    ----------
    cells : pandas.DataFrame
        :attr:`Enrolments.cells` (or a subset).
    unit : {"programme", "programme_institution"}
        The unit: the programme (code), or the programme at one institution.
    keys : sequence of str
        Further columns that define a row (default area and year).

    Returns
    -------
    pandas.DataFrame
        ``keys``, ``unit``, ``unit_name`` (the programme name, the most frequent one
        when a code has several), ``programme``, ``institution`` (for
        programme_institution), then per group in :data:`GROUPS` ``{g}_low``,
        ``{g}_high`` and ``{g}_censored`` (number of censored cells), sorted by keys
        and unit.
    """
    if unit not in ("programme", "programme_institution"):
        raise ValueError(f"unit must be 'programme' or 'programme_institution', got {unit!r}")
    keys = list(keys)
    frame = cells.copy()
    if unit == "programme":
        frame["unit"] = frame["programme"]
        extra = ["programme"]
    else:
        if frame["institution"].isna().any():
            raise ValueError("unit='programme_institution' needs an institution code in "
                             "every record; the file has none (column "
                             "'INSTELLINGSCODE ACTUEEL')")
        frame["unit"] = frame["programme"] + "@" + frame["institution"]
        extra = ["programme", "institution"]
    by = [*keys, "unit"]
    frame["n_censored"] = frame["censored"].astype(np.int64)
    sums = (frame.groupby([*by, "sex"], sort=True, observed=True)[["low", "high",
                                                                   "n_censored"]]
            .sum().unstack("sex", fill_value=0))
    out = pd.DataFrame(index=sums.index)
    for g in GROUPS:
        for part, name in (("low", "low"), ("high", "high"), ("n_censored", "censored")):
            out[f"{g}_{name}"] = (sums[(part, g)].astype(np.int64) if (part, g) in sums.columns
                                  else np.int64(0))
    out = out.reset_index()
    names = _names(frame, "unit", "programme_name")
    out.insert(len(by), "unit_name", out["unit"].map(names).astype(object))
    ids = frame.drop_duplicates("unit").set_index("unit")[extra]
    for i, col in enumerate(extra):
        out.insert(len(by) + 1 + i, col, out["unit"].map(ids[col]).astype(object))
    return out


def _names(frame: pd.DataFrame, key: str, name: str) -> pd.Series:
    """The most frequent name per key (ties: the first in sorted order)."""
    named = frame[[key, name]].dropna()
    if named.empty:
        return pd.Series(dtype=object)
    counts = named.groupby([key, name], sort=True).size().rename("n").reset_index()
    counts = counts.sort_values([key, "n", name], ascending=[True, False, True],
                                kind="stable")
    return counts.drop_duplicates(key).set_index(key)[name]
