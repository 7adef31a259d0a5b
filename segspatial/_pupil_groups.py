"""Pupils into the report's groups: themes, codes, income bands and what is left out.

Part of :mod:`segspatial.pupils` (which re-exports every public name): each pupil row
is assigned, theme by theme, to a group or to a reason for no group (vectorised codes,
no Python loop over pupils). The aggregation to school counts and the seven
comparisons are in :mod:`segspatial.pupils`; the themes, groups and comparisons
themselves in :mod:`segspatial._groups` (no pandas, for the command line's help).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from numbers import Integral, Real
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from segspatial._groups import GROUPS, THEMES
from segspatial.counts import (
    _REASONS,
    _object_type_problem,
    _type_problem,
    check_columns,
)
from segspatial.io import describe_rows, source_of

#: Income bands on the percentile rank r: (group, lower bound exclusive, upper inclusive).
INCOME_BANDS: tuple[tuple[str, float, float], ...] = (
    ("low", -np.inf, 0.2),
    ("middle", 0.4, 0.6),
    ("high", 0.8, np.inf),
)

#: Common labels of migration background (Dutch and English), matched ignoring case
#: and repeated spaces. ``None`` marks a known code for "unknown": counted as missing.
ETHNICITY_LABELS: Mapping[str, str | None] = MappingProxyType({
    "autochtoon": "dutch",
    "autochtonen": "dutch",
    "nederlands": "dutch",
    "nederlandse achtergrond": "dutch",
    "geen migratieachtergrond": "dutch",
    "westers": "western",
    "westerse allochtoon": "western",
    "westerse allochtonen": "western",
    "westerse migratieachtergrond": "western",
    "niet-westers": "nonwestern",
    "niet westers": "nonwestern",
    "niet-westerse allochtoon": "nonwestern",
    "niet-westerse allochtonen": "nonwestern",
    "niet-westerse migratieachtergrond": "nonwestern",
    "non-western": "nonwestern",
    "non western": "nonwestern",
    "onbekend": None,
    "unknown": None,
})

#: Common labels of parental education (Dutch and English); see :data:`ETHNICITY_LABELS`.
EDUCATION_LABELS: Mapping[str, str | None] = MappingProxyType({
    "laag": "low",
    "middel": "middle",
    "midden": "middle",
    "middelbaar": "middle",
    "hoog": "high",
    "onbekend": None,
    "unknown": None,
})


# Per-pupil codes of a theme (int8): 0..k-1 the group, negative the reason for no group.
_REASON_CODES = ("missing_value", "unknown_code", "invalid_value", "between_bands",
                 "missing_year")
_MISSING, _UNKNOWN, _INVALID, _BETWEEN, _NO_YEAR = -1, -2, -3, -4, -5
_N_REASONS = len(_REASON_CODES)
_KEY_REASONS = ("missing_unit", "missing_area", "missing_year")
_MAX_EXAMPLES = 5


# --------------------------------------------------------------------------- checks


def _check_frame(pupils: Any) -> None:
    if not isinstance(pupils, pd.DataFrame):
        raise TypeError(f"pupils must be a pandas DataFrame, got {type(pupils).__name__}")
    if len(pupils) == 0:
        from segspatial.counts import empty_text

        raise ValueError(f"{empty_text(pupils, 'pupils')}: at least one pupil row is "
                         "needed")


def _check_roles(pupils: pd.DataFrame, roles: dict[str, Any],
                 required: tuple[str, ...] = ()) -> dict[str, str]:
    """Check column arguments: str or None, one role per column, all present."""
    return check_columns(pupils, roles, required=required, what="the pupils")


def _themes_given(ethnicity: str | None, income: str | None,
                  education: str | None) -> tuple[str, ...]:
    given = tuple(t for t, c in zip(THEMES, (ethnicity, income, education), strict=True)
                  if c is not None)
    if not given:
        raise ValueError(
            "no theme column given: pass at least one of ethnicity=, income=, education= "
            "(the column with the pupils' migration background, household income or "
            "parental education)"
        )
    return given


def _norm_key(value: Any) -> str | None:
    """A lookup key for a code: text trimmed and case-folded, whole numbers as ints."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, str):
        text = " ".join(value.split()).casefold()
        return text or None
    if isinstance(value, bool | np.bool_):
        return str(bool(value)).casefold()
    if isinstance(value, Integral):
        return str(int(value))
    if isinstance(value, Real):
        v = float(value)
        if np.isnan(v):
            return None
        return str(int(v)) if v.is_integer() else repr(v)
    return " ".join(str(value).split()).casefold() or None


def _lookup(theme: str, mapping: Mapping[Hashable, Any] | None, argument: str,
            defaults: Mapping[str, str | None]) -> dict[str, int]:
    """Normalised code -> group index (or ``_MISSING``) for one theme.

    The theme's own group names always map to themselves; then the built-in labels;
    then the user's mapping, which wins on conflicts.
    """
    groups = GROUPS[theme]
    table: dict[str, int] = {g: i for i, g in enumerate(groups)}
    for key, group in defaults.items():
        table[_norm_key(key)] = _MISSING if group is None else groups.index(group)
    if mapping is None:
        return table
    if not isinstance(mapping, Mapping):
        raise TypeError(
            f"{argument} must be a mapping {{code: group}}, got {type(mapping).__name__}"
        )
    seen: dict[str, tuple[int, Any]] = {}
    for key, group in mapping.items():
        if group is None or (isinstance(group, float) and np.isnan(group)) or group == "":
            code = _MISSING
        elif isinstance(group, str) and group.strip().casefold() in groups:
            code = groups.index(group.strip().casefold())
        else:
            raise ValueError(
                f"{argument}: code {key!r} maps to {group!r}; a code must map to one of "
                f"{list(groups)!r}, or to None for 'unknown' (counted as missing)"
            )
        norm = _norm_key(key)
        if norm is None:
            raise ValueError(
                f"{argument}: cannot map a missing code ({key!r}); missing values are "
                "always counted as missing_value"
            )
        if norm in seen and seen[norm][0] != code:
            raise ValueError(
                f"{argument}: codes {seen[norm][1]!r} and {key!r} are the same code once "
                "case and spaces are ignored, but map to different groups"
            )
        seen[norm] = (code, key)
        table[norm] = code
    return table


def _factorize(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Codes (int64, -1 for missing) and uniques; blank text counts as missing."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    uniques = np.asarray(uniques, dtype=object)
    blank = np.fromiter((isinstance(u, str) and not u.strip() for u in uniques),
                        dtype=bool, count=len(uniques))
    codes = codes.astype(np.int64, copy=False)
    if blank.any():
        remap = np.where(blank, -1, np.arange(len(uniques)))
        remap = np.append(remap, -1)  # code -1 stays -1
        codes = remap[codes]
    return codes, uniques


def _coded_theme(values: pd.Series, lookup: dict[str, int]) -> np.ndarray:
    """Per-pupil int8 group codes of a categorical theme (ethnicity, education)."""
    codes, uniques = _factorize(values)
    table = np.array([lookup.get(_norm_key(u), _UNKNOWN) if _norm_key(u) is not None
                      else _MISSING for u in uniques] + [_MISSING], dtype=np.int8)
    return table[codes]


def _year_codes(values: pd.Series, argument: str = "year") -> tuple[np.ndarray, np.ndarray]:
    """Per-row year index (-1 missing) and the sorted whole years it points to."""
    problem = _type_problem(values)
    if problem is None:
        mixed = _object_type_problem(values.dropna().drop_duplicates())
        problem = mixed[0] if mixed is not None else None
    if problem is not None:
        shown = [str(v) for v in values.dropna().unique()[:3]]
        raise TypeError(
            f"{argument}: column {values.name!r} holds {problem}, e.g. {shown!r}; a year "
            "must be a whole number such as 2019"
        )
    codes, uniques = _factorize(values)
    numeric = pd.to_numeric(pd.Series(uniques, dtype=object), errors="coerce")
    as_float = numeric.to_numpy(dtype=np.float64, na_value=np.nan)
    bad = ~np.isfinite(as_float) | (as_float != np.round(as_float))
    if bad.any():
        shown = [str(u) for u in uniques[bad][:_MAX_EXAMPLES]]
        rows = values.index[np.isin(codes, np.flatnonzero(bad))]
        source = source_of(values)
        where = f" of {source.path!r}" if source is not None else ""
        raise ValueError(
            f"{argument}: column {values.name!r}{where} must hold whole years; found "
            f"{shown!r} ({describe_rows(values, rows, of_file=False)})"
        )
    years_of_unique = as_float.astype(np.int64)
    years = np.unique(years_of_unique)
    remap = np.append(np.searchsorted(years, years_of_unique), -1)
    return remap[codes], years


def _income_status(values: pd.Series, income_missing: Iterable[float],
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Income as float64 and per-pupil status: 0 valid, else a negative reason code."""
    s = values
    problem = _type_problem(s)
    if problem is not None:
        raise TypeError(
            f"income: column {s.name!r} holds {problem}; it must hold household incomes "
            "(real numbers, negative allowed)"
        )
    status = np.zeros(len(s), dtype=np.int8)
    if pd.api.types.is_numeric_dtype(s):
        x = s.to_numpy(dtype=np.float64, na_value=np.nan)
        status[np.isnan(x)] = _MISSING
    else:
        missing = s.isna().to_numpy(dtype=bool, copy=True)
        if pd.api.types.is_string_dtype(s) or s.dtype == object:
            blank = s.astype("string").str.strip() == ""
            missing |= blank.fillna(True).to_numpy(dtype=bool)
        x = pd.to_numeric(s.where(~missing), errors="coerce").to_numpy(
            dtype=np.float64, na_value=np.nan)
        status[missing] = _MISSING
        status[~missing & np.isnan(x)] = _INVALID
    status[np.isinf(x)] = _INVALID
    sentinels = [float(v) for v in income_missing]
    if sentinels:
        status[(status == 0) & np.isin(x, sentinels)] = _MISSING
    return x, status


def _check_income_missing(income_missing: Any) -> tuple[float, ...]:
    if isinstance(income_missing, str | bytes) or not isinstance(income_missing, Iterable):
        raise TypeError(
            f"income_missing must be a list of numbers (codes meaning 'unknown income', "
            f"e.g. [9999999999]), got {income_missing!r}"
        )
    out = []
    for v in income_missing:
        if isinstance(v, bool) or not isinstance(v, Real):
            raise TypeError(f"income_missing must hold numbers, got {v!r}")
        out.append(float(v))
    return tuple(out)


def _income_groups(x: np.ndarray, status: np.ndarray, ycode: np.ndarray, n_years: int,
                   *, want_rank: bool = False) -> tuple[np.ndarray, np.ndarray | None]:
    """Income group codes from percentile ranks r = rank / n per year (average ranks).

    The comparisons with the band limits are done in exact integer arithmetic on
    twice the average rank, so a pupil exactly at r = 0.2 is always ``low``.
    """
    codes = status.copy()
    codes[(codes == 0) & (ycode < 0)] = _NO_YEAR
    valid = np.flatnonzero(codes == 0)
    rank = np.full(len(x), np.nan) if want_rank else None
    if valid.size == 0:
        return codes, rank
    # rows grouped by year (a radix sort of small integers), then one sort per year:
    # a loop over the years, never over pupils
    y = ycode[valid]
    by_year = valid[np.argsort(y, kind="stable")]
    bounds = np.concatenate(([0], np.cumsum(np.bincount(y, minlength=n_years))))
    for k in range(n_years):
        rows = by_year[bounds[k]:bounds[k + 1]]
        n = rows.size
        if n == 0:
            continue
        v = x[rows]
        order = np.argsort(v)  # the order within ties does not matter
        vs = v[order]
        new_run = np.ones(n, dtype=bool)
        new_run[1:] = vs[1:] != vs[:-1]
        run_start = np.flatnonzero(new_run)
        run_end = np.append(run_start[1:], n) - 1
        twice = run_start + run_end + 2  # twice the 1-based average rank of the run
        group = np.full(run_start.size, _BETWEEN, dtype=np.int8)
        group[5 * twice <= 2 * n] = 0
        group[(5 * twice > 4 * n) & (5 * twice <= 6 * n)] = 1
        group[5 * twice > 8 * n] = 2
        length = run_end - run_start + 1
        target = rows[order]
        codes[target] = np.repeat(group, length)
        if rank is not None:
            rank[target] = np.repeat(twice / (2.0 * n), length)
    return codes, rank


def _assign(pupils: pd.DataFrame, *, year: str | None, ethnicity: str | None,
            income: str | None, education: str | None,
            ethnicity_map: Mapping | None, education_map: Mapping | None,
            income_missing: tuple[float, ...], year_codes: tuple | None = None,
            want_rank: bool = False) -> tuple[dict[str, np.ndarray], np.ndarray | None]:
    """Per-theme int8 code arrays (see ``_REASON_CODES``) and the income ranks."""
    codes: dict[str, np.ndarray] = {}
    rank = None
    if ethnicity is not None:
        lookup = _lookup("ethnicity", ethnicity_map, "ethnicity_map", ETHNICITY_LABELS)
        codes["ethnicity"] = _coded_theme(pupils[ethnicity], lookup)
    elif ethnicity_map is not None:
        raise ValueError("ethnicity_map is given but ethnicity (the column) is not")
    if income is not None:
        if year_codes is None:
            year_codes = (_year_codes(pupils[year]) if year is not None
                          else (np.zeros(len(pupils), dtype=np.int64), np.zeros(1)))
        ycode, years = year_codes
        x, status = _income_status(pupils[income], income_missing)
        codes["income"], rank = _income_groups(x, status, ycode, len(years),
                                               want_rank=want_rank)
    if education is not None:
        lookup = _lookup("education", education_map, "education_map", EDUCATION_LABELS)
        codes["education"] = _coded_theme(pupils[education], lookup)
    elif education_map is not None:
        raise ValueError("education_map is given but education (the column) is not")
    return codes, rank


# --------------------------------------------------------------------------- groups


@dataclass(frozen=True)
class PupilGroups:
    """What :func:`assign_groups` returns.

    Attributes
    ----------
    groups : pandas.DataFrame
        Indexed like the pupils; one categorical column per theme given (categories
        from :data:`GROUPS`), missing where the pupil is in no group of the theme.
    reasons : pandas.DataFrame
        Same shape: why the pupil is in no group (``missing_value``, ``unknown_code``,
        ``invalid_value``, ``between_bands``, ``missing_year``), missing where the
        pupil is in a group.
    income_rank : pandas.Series or None
        The percentile rank r = rank / n (average ranks for ties, per year) of every
        pupil with a valid income, NaN otherwise; None without an income column.
    exclusions : pandas.DataFrame
        Pupils in no group, per ``theme``, ``reason`` (and ``year`` when given):
        ``n_pupils`` and ``description``.
    """

    groups: pd.DataFrame
    reasons: pd.DataFrame
    income_rank: pd.Series | None
    exclusions: pd.DataFrame


def _theme_exclusions(codes: dict[str, np.ndarray], group: np.ndarray,
                      n_groups: int) -> pd.DataFrame:
    """Long counts of the pupils in no group: (group label, theme, reason, n_pupils)."""
    parts = []
    for theme, c in codes.items():
        bad = c < 0
        if not bad.any():
            continue
        idx = group[bad] * _N_REASONS + (-c[bad].astype(np.int64) - 1)
        n = np.bincount(idx, minlength=n_groups * _N_REASONS).reshape(n_groups,
                                                                      _N_REASONS)
        g, r = np.nonzero(n)
        parts.append(pd.DataFrame({"group": g, "theme": theme,
                                   "reason": np.asarray(_REASON_CODES, dtype=object)[r],
                                   "n_pupils": n[g, r].astype(np.int64)}))
    if not parts:
        return pd.DataFrame({"group": pd.Series(dtype=np.int64),
                             "theme": pd.Series(dtype=object),
                             "reason": pd.Series(dtype=object),
                             "n_pupils": pd.Series(dtype=np.int64)})
    return pd.concat(parts, ignore_index=True)


def assign_groups(
    pupils: pd.DataFrame,
    *,
    year: str | None = None,
    ethnicity: str | None = None,
    income: str | None = None,
    education: str | None = None,
    ethnicity_map: Mapping[Hashable, str | None] | None = None,
    education_map: Mapping[Hashable, str | None] | None = None,
    income_missing: Iterable[float] = (),
) -> PupilGroups:
    """Each pupil's group per theme (ethnicity, income, education), with exclusions.

    Parameters
    ----------
    pupils : pandas.DataFrame
        One row per pupil (per year). It is not modified.
    year : str, optional
        Column with the year. Incomes are ranked within each year; without it all rows
        are ranked together. Rows without a year get no income group
        (``missing_year``).
    ethnicity : str, optional
        Column with the migration background: ``dutch``, ``western``, ``nonwestern``,
        a label of :data:`ETHNICITY_LABELS`, or a code of ``ethnicity_map``.
    income : str, optional
        Column with the disposable household income (a number). Ranked over *all* rows
        of the year (the whole input, before any filter) by r = rank / n with average
        ranks for ties: ``low`` r <= 0.2, ``middle`` 0.4 < r <= 0.6, ``high`` r > 0.8,
        no group in between (``between_bands``). Negative incomes are valid; missing
        values are ``missing_value``; non-numeric or infinite values ``invalid_value``.
    education : str, optional
        Column with the parental education: ``low``, ``middle``, ``high``, a label of
        :data:`EDUCATION_LABELS`, or a code of ``education_map``.
    ethnicity_map, education_map : mapping, optional
        ``{code: group}`` for other codes (CBS codes, labels); a group of None marks a
        code meaning "unknown" (counted as ``missing_value``). Codes are matched
        ignoring case and repeated spaces, whole numbers whatever their type (``1``,
        ``1.0`` and ``"1"`` are one code). The built-in labels still apply; the mapping
        wins on conflicts. Codes found in neither are ``unknown_code``.
    income_missing : iterable of float
        Income values that mean "unknown" (e.g. CBS's ``9999999999``): counted as
        ``missing_value`` and left out of the ranking.

    Returns
    -------
    PupilGroups
        ``groups``, ``reasons``, ``income_rank`` and ``exclusions``. For every theme,
        pupils in groups + pupils in ``exclusions`` = all rows.

    Raises
    ------
    TypeError
        If ``pupils`` is not a DataFrame, a column argument is not a string, a mapping
        is not a mapping, or the income column holds booleans.
    ValueError
        If a column is missing (all are listed), no theme is given, a column plays two
        roles, a mapping maps to an unknown group, or a year is not a whole number.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"bg": ["autochtoon", "westers", "niet-westers", "?"],
    ...                    "inc": [10.0, 20.0, 30.0, 40.0]})
    >>> g = assign_groups(df, ethnicity="bg", income="inc")
    >>> g.groups["ethnicity"].tolist()
    ['dutch', 'western', 'nonwestern', nan]
    >>> g.income_rank.tolist()
    [0.25, 0.5, 0.75, 1.0]
    >>> g.groups["income"].tolist()
    [nan, 'middle', nan, 'high']
    """
    _check_frame(pupils)
    income_missing = _check_income_missing(income_missing)
    _check_roles(pupils, {"year": year, "ethnicity": ethnicity, "income": income,
                          "education": education})
    themes = _themes_given(ethnicity, income, education)
    year_codes = _year_codes(pupils[year]) if year is not None else None
    codes, rank = _assign(pupils, year=year, ethnicity=ethnicity, income=income,
                          education=education, ethnicity_map=ethnicity_map,
                          education_map=education_map, income_missing=income_missing,
                          year_codes=year_codes, want_rank=True)
    groups = pd.DataFrame(index=pupils.index)
    reasons = pd.DataFrame(index=pupils.index)
    for theme in themes:
        c = codes[theme]
        groups[theme] = pd.Categorical.from_codes(np.where(c >= 0, c, -1),
                                                  categories=list(GROUPS[theme]))
        reasons[theme] = pd.Categorical.from_codes(
            np.where(c < 0, -c.astype(np.int64) - 1, -1), categories=list(_REASON_CODES))
    if year_codes is not None:
        ycode, years = year_codes
        label = ycode + 1  # 0 = no year
        long = _theme_exclusions(codes, label, len(years) + 1)
        year_values = pd.array(np.append([0], years), dtype="Int64")
        year_values[0] = pd.NA
        long.insert(2, "year", year_values[long.pop("group").to_numpy()])
    else:
        long = _theme_exclusions(codes, np.zeros(len(pupils), dtype=np.int64), 1)
        long = long.drop(columns="group")
    long["description"] = long["reason"].map(_REASONS).astype(object)
    rank_series = (pd.Series(rank, index=pupils.index, name="income_rank")
                   if rank is not None else None)
    return PupilGroups(groups=groups, reasons=reasons, income_rank=rank_series,
                       exclusions=long.reset_index(drop=True))
