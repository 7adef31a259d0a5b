"""Pupil-level microdata: the report's themes, groups and seven comparisons.

The report works from CBS pupil microdata: one row per pupil per year with the school,
the municipality and the pupil's background. This module turns such rows into the
report's groups, aggregates them to one row per school and year (vectorised: codes,
:func:`numpy.bincount`; no Python loop over pupils) and computes the seven comparisons
with the table engine of :mod:`segspatial.compute`.

Themes and groups (see ``method.md``):

* **ethnicity** (migration background): ``dutch``, ``western``, ``nonwestern``. Other
  codes are translated with a mapping (:data:`ETHNICITY_LABELS` holds common Dutch
  labels such as ``autochtoon``, ``westers``, ``niet-westers``).
* **income** (disposable household income, a number): ranked over the *whole input* per
  year by percentile rank ``r = rank / n`` with average ranks for ties; ``low`` is
  ``r <= 0.2``, ``middle`` is ``0.4 < r <= 0.6``, ``high`` is ``r > 0.8``; pupils between
  these bands belong to no income group. Negative incomes are valid (households with a
  loss from a business exist in CBS income data) and rank at the bottom.
* **education** (parental education): ``low``, ``middle``, ``high``; ``middle`` takes
  part in no comparison. :data:`EDUCATION_LABELS` holds common Dutch labels.

In the wide counts table the groups are columns ``dutch``, ``western``, ``nonwestern``,
``low_income``, ``middle_income``, ``high_income``, ``low_education``,
``middle_education``, ``high_education`` and ``total`` (every pupil of the unit, in a
group or not).

Nothing is lost silently. Each pupil row ends up, for each theme, in exactly one of:
a group of the theme; a theme exclusion (``missing_value``, ``unknown_code``,
``invalid_value``, ``between_bands``); a key exclusion (``missing_unit``,
``missing_area``, ``missing_year``: the row cannot be placed in a school or year); or,
in :func:`pupil_segregation`, a filtered unit or area (``small_unit``,
``small_area``). Per comparison, ``not_in_comparison`` counts the pupils of the
analysed units that are in neither group, once per pupil: not in area-years whose
indices are undefined (their pupils are all counted as ``too_few_units`` or
``group_absent``; see :data:`segspatial.counts.PRECEDENCE`).

References
----------
Carrington, W. J. & Troske, K. R. (1997). On measuring segregation in samples with
    small units. *Journal of Business & Economic Statistics* 15(4), 402-409.
Duncan, O. D. & Duncan, B. (1955). A methodological analysis of segregation indexes.
    *American Sociological Review* 20(2), 210-217.
Massey, D. S. & Denton, N. A. (1988). The dimensions of residential segregation.
    *Social Forces* 67(2), 281-315.
Reardon, S. F. & Firebaugh, G. (2002). Measures of multigroup segregation.
    *Sociological Methodology* 32, 33-67.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from numbers import Integral, Real
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from segspatial.compute import SegregationResult, compute_indices
from segspatial.counts import (
    _REASONS,
    EXCLUSION_COLUMNS,
    Counts,
    _exclusion_rows,
    _object_type_problem,
    _type_problem,
    apply_filters,
    check_columns,
    count_once,
    empty_exclusions,
)
from segspatial.indices import resolve_indices
from segspatial.io import describe_rows, source_of
from segspatial.schema import conform_results, empty_results

__all__ = [
    "COMPARISONS",
    "EDUCATION_LABELS",
    "ETHNICITY_LABELS",
    "GROUPS",
    "GROUP_COLUMNS",
    "INCOME_BANDS",
    "PUPIL_EXCLUSION_COLUMNS",
    "THEMES",
    "PupilCounts",
    "PupilGroups",
    "aggregate_pupils",
    "assign_groups",
    "pupil_segregation",
    "resolve_comparisons",
]

# The themes, groups and comparisons live in a module without pandas, so that the
# command line can show them in its help without importing pandas.
from segspatial._groups import (
    _THEME_OF_COLUMN,
    COMPARISONS,
    GROUP_COLUMNS,
    GROUPS,
    THEMES,
)

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

#: Columns of a pupil exclusions table: :data:`segspatial.counts.EXCLUSION_COLUMNS`
#: plus ``theme`` and ``comparison`` (None where they do not apply).
PUPIL_EXCLUSION_COLUMNS = [*EXCLUSION_COLUMNS, "theme", "comparison"]

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
        raise ValueError("pupils is empty: at least one pupil row is needed")


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


# --------------------------------------------------------------------------- counts


@dataclass(frozen=True)
class PupilCounts:
    """What :func:`aggregate_pupils` returns.

    Attributes
    ----------
    counts : pandas.DataFrame
        One row per unit and year: ``area`` and ``year`` (when given), ``unit``, one
        int64 column per group of the themes given (see :data:`GROUP_COLUMNS`), and
        ``total`` (every pupil of the unit, in a group or not). Sorted by area, year and
        unit.
    exclusions : pandas.DataFrame
        Pupils left out, per area-year (see :data:`PUPIL_EXCLUSION_COLUMNS`): rows that
        cannot be placed (``missing_unit``, ``missing_area``, ``missing_year``; theme
        None) and, per ``theme``, pupils in no group of it (``missing_value``,
        ``unknown_code``, ``invalid_value``, ``between_bands``).
    themes : tuple of str
        The themes given.
    n_rows : int
        Pupil rows read. Per theme: ``n_rows`` = pupils in the theme's group columns +
        that theme's exclusions + the rows that cannot be placed.
    no_group : pandas.DataFrame
        Per unit-year (``area``, ``year``, ``unit`` as in ``counts``), ``theme`` and
        ``reason``: the pupils in no group of the theme (``n_pupils``).
    """

    counts: pd.DataFrame
    exclusions: pd.DataFrame
    themes: tuple[str, ...]
    n_rows: int
    no_group: pd.DataFrame = field(repr=False)

    @property
    def group_columns(self) -> list[str]:
        """The group columns of ``counts``, theme by theme."""
        return [c for t in self.themes for c in GROUP_COLUMNS[t]]


def _key_codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    return _factorize(values)


def _combine(left: np.ndarray, n_right: int, right: np.ndarray) -> np.ndarray:
    """One int64 key from two codes (both >= 0), compacted when the product is large."""
    n_left = int(left.max()) + 1 if left.size else 1
    if n_left * max(n_right, 1) >= 2**62:
        left, _ = pd.factorize(left)
        n_left = int(left.max()) + 1 if left.size else 1
        if n_left * max(n_right, 1) >= 2**62:  # pragma: no cover (needs > 2**31 rows)
            raise ValueError("too many distinct keys to combine")
    return left.astype(np.int64) * n_right + right


def _aggregate(pupils: pd.DataFrame, unit: str, area: str | None, year: str | None,
               codes: dict[str, np.ndarray], year_codes: tuple | None,
               themes: tuple[str, ...]) -> PupilCounts:
    n_rows = len(pupils)
    ucode, uniq_unit = _key_codes(pupils[unit])
    if area is not None:
        acode, uniq_area = _key_codes(pupils[area])
    else:
        acode, uniq_area = np.zeros(n_rows, dtype=np.int64), np.array([0], dtype=object)
    if year is not None:
        ycode, years = year_codes
    else:
        ycode, years = np.zeros(n_rows, dtype=np.int64), np.array([0], dtype=np.int64)
    n_unit, n_year = len(uniq_unit), len(years)

    # rows that cannot be placed, each counted once (unit, then area, then year)
    no_unit = ucode < 0
    no_area = ~no_unit & (acode < 0)
    no_year = ~no_unit & ~no_area & (ycode < 0)
    ok = ~(no_unit | no_area | no_year)
    key_parts = []
    for reason, mask in zip(_KEY_REASONS, (no_unit, no_area, no_year), strict=True):
        if mask.any():
            a = acode[mask]
            y = ycode[mask]
            part = pd.DataFrame({
                "area": pd.Series(np.where(a >= 0, uniq_area[np.maximum(a, 0)], None),
                                  dtype=object),
                "year": pd.array(np.where(y >= 0, years[np.maximum(y, 0)], 0),
                                 dtype="Int64"),
            })
            part.loc[y < 0, "year"] = pd.NA
            part = (part.groupby(["area", "year"], dropna=False, sort=True).size()
                    .rename("n_pupils").reset_index())
            part.insert(0, "reason", reason)
            key_parts.append(part)

    all_ok = bool(ok.all())
    sel = slice(None) if all_ok else ok
    u, a, y = ucode[sel], acode[sel], ycode[sel]
    ay = a * n_year + y
    key = _combine(ay, n_unit, u)
    n_possible = (int(key.max()) + 1) if key.size else 0
    if n_possible <= max(4 * key.size, 1 << 20):
        # dense keys (the usual case): a bincount finds the unit-years, no hashing
        present = np.bincount(key, minlength=n_possible) > 0
        kuniq = np.flatnonzero(present)
        kc = (np.cumsum(present) - 1)[key]
    else:
        kc, kuniq = pd.factorize(key, sort=True)
    n_keys = len(kuniq)
    k_unit = kuniq % n_unit
    k_ay = kuniq // n_unit

    # one row per unit-year: its area, year and unit
    if area is not None:
        k_area_code = k_ay // n_year
    else:
        k_area_code = np.zeros(n_keys, dtype=np.int64)
    k_year_code = k_ay % n_year
    counts = pd.DataFrame({
        "area": uniq_area[k_area_code] if area is not None else np.zeros(n_keys, np.int64),
        "year": years[k_year_code] if year is not None else np.zeros(n_keys, np.int64),
        "unit": uniq_unit[k_unit],
    })
    if area is not None and n_keys:
        yu = k_year_code * n_unit + k_unit
        dup = pd.Series(yu).duplicated(keep=False).to_numpy()
        if dup.any():
            first = int(np.flatnonzero(dup)[0])
            u0, y0 = counts["unit"].iloc[first], counts["year"].iloc[first]
            areas = sorted(map(str, counts.loc[dup & (yu == yu[first]), "area"]))
            n_split = len(np.unique(yu[dup]))
            when = f" in year {y0}" if year is not None else ""
            raise ValueError(
                f"area: {n_split} units lie in more than one area in the same year, e.g. "
                f"unit {u0!r}{when} in areas {areas!r}; the area column must be the "
                "area (municipality) of the school, not of the pupil's home"
            )
    no_group_parts = []
    for theme in themes:
        c = codes[theme] if all_ok else codes[theme][ok]
        k = len(GROUPS[theme])
        # one pass: columns 0 .. R-1 count the reasons (code -1 -> R-1 ... -R -> 0),
        # columns R .. R+k-1 the groups
        width = _N_REASONS + k
        n = np.bincount(kc * width + (c + _N_REASONS), minlength=n_keys * width)
        n = n.reshape(n_keys, width)
        for j, column in enumerate(GROUP_COLUMNS[theme]):
            counts[column] = n[:, _N_REASONS + j].astype(np.int64)
        m = n[:, _N_REASONS - 1::-1]  # reason index r = -code - 1
        if m.any():
            row, r = np.nonzero(m)
            no_group_parts.append(pd.DataFrame({
                "row": row, "theme": theme,
                "reason": np.asarray(_REASON_CODES, dtype=object)[r],
                "n_pupils": m[row, r].astype(np.int64),
            }))
    counts["total"] = np.bincount(kc, minlength=n_keys).astype(np.int64)
    counts = counts.sort_values(["area", "year", "unit"], kind="stable")
    new_row = np.empty(n_keys, dtype=np.int64)
    new_row[counts.index.to_numpy()] = np.arange(n_keys)
    counts = counts.reset_index(drop=True)

    if no_group_parts:
        no_group = pd.concat(no_group_parts, ignore_index=True)
        rows = new_row[no_group.pop("row").to_numpy()]
        no_group.insert(0, "row", rows)
        no_group = no_group.sort_values(["row", "theme", "reason"], kind="stable")
        no_group.insert(0, "unit", counts["unit"].to_numpy()[no_group["row"].to_numpy()])
        no_group.insert(0, "year", counts["year"].to_numpy()[no_group["row"].to_numpy()])
        no_group.insert(0, "area", counts["area"].to_numpy()[no_group["row"].to_numpy()])
        no_group = no_group.reset_index(drop=True)
    else:
        no_group = pd.DataFrame({"area": [], "year": pd.Series(dtype=np.int64),
                                 "unit": [], "row": pd.Series(dtype=np.int64),
                                 "theme": pd.Series(dtype=object),
                                 "reason": pd.Series(dtype=object),
                                 "n_pupils": pd.Series(dtype=np.int64)})

    theme_exc = _no_group_exclusions(no_group)
    exclusions = _finish_exclusions([*key_parts, theme_exc])
    return PupilCounts(counts=counts, exclusions=exclusions, themes=themes,
                       n_rows=n_rows, no_group=no_group)


def _no_group_exclusions(no_group: pd.DataFrame) -> pd.DataFrame:
    """Per-unit no-group counts summed to area-year rows."""
    if no_group.empty:
        return pd.DataFrame(columns=["reason", "area", "year", "n_pupils", "theme"])
    out = (no_group.groupby(["theme", "reason", "area", "year"], sort=False)["n_pupils"]
           .sum().reset_index())
    order = pd.DataFrame({"t": out["theme"].map(THEMES.index),
                          "r": out["reason"].map(_REASON_CODES.index)})
    out = out.loc[np.lexsort((out["year"].to_numpy(), order["r"].to_numpy(),
                              order["t"].to_numpy()))]
    return out.reset_index(drop=True)


def _finish_exclusions(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate exclusion parts into the :data:`PUPIL_EXCLUSION_COLUMNS` layout."""
    parts = [p for p in parts if not p.empty]
    if not parts:
        frame = empty_exclusions()
        frame["theme"] = pd.Series(dtype=object)
        frame["comparison"] = pd.Series(dtype=object)
        return frame
    frame = pd.concat(parts, ignore_index=True)
    for column, default in (("n_units", 0), ("theme", None), ("comparison", None)):
        if column not in frame.columns:
            frame[column] = default
    frame["n_units"] = frame["n_units"].fillna(0).astype(np.int64)
    for column in ("theme", "comparison"):
        values = frame[column].astype(object)
        frame[column] = values.where(values.notna(), None)
    frame["description"] = frame["reason"].map(_REASONS).astype(object)
    frame["n_pupils"] = frame["n_pupils"].astype(np.float64)
    return frame[PUPIL_EXCLUSION_COLUMNS]


def _prepare(pupils: pd.DataFrame | str | Path, unit: str, area: str | None,
             year: str | None, ethnicity: str | None, income: str | None,
             education: str | None, ethnicity_map: Mapping | None,
             education_map: Mapping | None, income_missing: Any,
             engine: str = "pandas", engine_options: Mapping | None = None
             ) -> PupilCounts:
    if engine not in ("pandas", "duckdb", "dask"):
        raise ValueError(f"engine must be 'pandas', 'duckdb' or 'dask', got {engine!r}")
    if isinstance(pupils, str | Path):
        if engine != "pandas":
            from segspatial.engines import aggregate_files

            return aggregate_files(
                pupils, unit, area=area, year=year, ethnicity=ethnicity, income=income,
                education=education, ethnicity_map=ethnicity_map,
                education_map=education_map, income_missing=income_missing,
                engine=engine, **dict(engine_options or {}))
        from segspatial.io import read_table

        columns = [c for c in (unit, area, year, ethnicity, income, education) if c]
        text = [c for c in (unit, area, ethnicity, education) if c]
        pupils = read_table(pupils, columns=columns, text_columns=text)
    elif engine != "pandas":
        raise TypeError(
            f"engine={engine!r} reads the pupils from a file: pass the path of a Parquet "
            "or CSV file instead of a DataFrame (a DataFrame is in memory already: "
            "engine='pandas')"
        )
    if engine_options:
        raise ValueError(f"engine options {sorted(engine_options)!r} are for the duckdb "
                         "and dask engines")
    _check_frame(pupils)
    income_missing = _check_income_missing(income_missing)
    _check_roles(pupils, {"unit": unit, "area": area, "year": year,
                          "ethnicity": ethnicity, "income": income,
                          "education": education}, required=("unit",))
    themes = _themes_given(ethnicity, income, education)
    year_codes = _year_codes(pupils[year]) if year is not None else None
    codes, _ = _assign(pupils, year=year, ethnicity=ethnicity, income=income,
                       education=education, ethnicity_map=ethnicity_map,
                       education_map=education_map, income_missing=income_missing,
                       year_codes=year_codes)
    return _aggregate(pupils, unit, area, year, codes, year_codes, themes)


def _drop_placeholders(frame: pd.DataFrame, area: str | None, year: str | None
                       ) -> pd.DataFrame:
    drop = [k for k, given in (("area", area), ("year", year)) if given is None]
    return frame.drop(columns=[c for c in drop if c in frame.columns])


def aggregate_pupils(
    pupils: pd.DataFrame | str | Path,
    unit: str,
    *,
    area: str | None = None,
    year: str | None = None,
    ethnicity: str | None = None,
    income: str | None = None,
    education: str | None = None,
    ethnicity_map: Mapping[Hashable, str | None] | None = None,
    education_map: Mapping[Hashable, str | None] | None = None,
    income_missing: Iterable[float] = (),
    engine: str = "pandas",
    engine_options: Mapping[str, Any] | None = None,
) -> PupilCounts:
    """Count pupils per unit, year and group: the wide table the indices start from.

    Groups are assigned as in :func:`assign_groups` (income ranked over the whole input
    per year) and counted with :func:`numpy.bincount` on integer codes, so 14 million
    pupil rows take seconds.

    Parameters
    ----------
    pupils : pandas.DataFrame
        One row per pupil (per year). It is not modified.
    unit : str
        Column identifying the unit (school).
    area : str, optional
        Column identifying the area (municipality) of the unit.
    year : str, optional
        Column with the year.
    ethnicity, income, education, ethnicity_map, education_map, income_missing
        As for :func:`assign_groups`; at least one theme column is needed.
    engine : {"pandas", "duckdb", "dask"}, default "pandas"
        Where the pupils are counted. ``"pandas"``: in memory (``pupils`` a DataFrame,
        or a file read with :func:`segspatial.read_table`). ``"duckdb"`` (out of core)
        and ``"dask"`` (distributed) read ``pupils`` as the path of a Parquet or CSV
        file themselves and give exactly the same result; see
        :mod:`segspatial.engines` (optional extras ``duckdb`` and ``dask``).
    engine_options : mapping, optional
        For the file engines: ``scheduler`` (Dask: an address such as
        ``"tcp://10.0.0.5:8786"`` or a ``distributed.Client``; default a
        LocalCluster), ``memory_limit`` (DuckDB, default ``"1GB"``), ``threads``,
        ``batch_rows``, ``blocksize``.

    Returns
    -------
    PupilCounts
        ``counts`` (area, year, unit, a column per group, total), ``exclusions``,
        ``themes``, ``n_rows`` and ``no_group``.

    Notes
    -----
    A row without a unit, area (when ``area`` is given) or year (when ``year`` is
    given) cannot be placed: it is counted as an exclusion (``missing_unit``,
    ``missing_area``, ``missing_year``) and left out of the counts, but its income
    still takes part in the ranking of its year. Blank text counts as missing.

    Raises
    ------
    TypeError, ValueError
        See :func:`assign_groups`; also if ``unit`` is not given as a string, or a unit
        lies in two areas in the same year (the area must be the school's).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"school": ["I", "I", "II", "II", "II"],
    ...                    "bg": ["dutch", "nonwestern", "dutch", "dutch", None]})
    >>> aggregate_pupils(df, "school", ethnicity="bg").counts
      unit  dutch  western  nonwestern  total
    0    I      1        0           1      2
    1   II      2        0           0      3
    """
    pc = _prepare(pupils, unit, area, year, ethnicity, income, education, ethnicity_map,
                  education_map, income_missing, engine, engine_options)
    return PupilCounts(
        counts=_drop_placeholders(pc.counts, area, year),
        exclusions=_drop_placeholders(pc.exclusions, area, year),
        themes=pc.themes, n_rows=pc.n_rows,
        no_group=_drop_placeholders(pc.no_group.drop(columns="row"), area, year),
    )


# --------------------------------------------------------------------------- comparisons


def resolve_comparisons(
    comparisons: str | Iterable[str | tuple[str, str]] | Mapping[str, tuple[str, str]]
    | None,
    themes: Iterable[str] = THEMES,
) -> dict[str, tuple[str, str]]:
    """Turn the ``comparisons`` argument into ``{name: (group A column, group B column)}``.

    Parameters
    ----------
    comparisons : str, iterable or mapping, optional
        Names from :data:`COMPARISONS`, pairs ``(group_a, group_b)`` of group columns
        of one theme (named ``"{a}_vs_{b}"``), or a mapping ``{name: (a, b)}``. None:
        every comparison of :data:`COMPARISONS` whose theme is in ``themes``.
    themes : iterable of str
        The themes available (given as columns).

    Returns
    -------
    dict

    Raises
    ------
    TypeError, ValueError
        For an unknown name, a group column that does not exist, groups of two themes,
        a group compared with itself, a theme whose column was not given, or no
        comparison at all.
    """
    themes = tuple(themes)
    if comparisons is None:
        return {n: p for n, p in COMPARISONS.items() if _THEME_OF_COLUMN[p[0]] in themes}
    if isinstance(comparisons, str):
        comparisons = [comparisons]
    if isinstance(comparisons, Mapping):
        items = list(comparisons.items())
    elif isinstance(comparisons, Iterable):
        items = []
        for c in comparisons:
            if isinstance(c, str):
                if c not in COMPARISONS:
                    raise ValueError(
                        f"comparisons: unknown comparison {c!r}; known: "
                        f"{', '.join(COMPARISONS)}, or pass a pair (group_a, group_b) of "
                        f"group columns ({', '.join(_THEME_OF_COLUMN)})"
                    )
                items.append((c, COMPARISONS[c]))
            elif isinstance(c, tuple | list) and len(c) == 2:
                items.append((f"{c[0]}_vs_{c[1]}", tuple(c)))
            else:
                raise TypeError(
                    f"comparisons: each item must be a comparison name or a pair "
                    f"(group_a, group_b), got {c!r}"
                )
    else:
        raise TypeError(
            f"comparisons must be names, pairs or a mapping, got {type(comparisons).__name__}"
        )
    if not items:
        raise ValueError("comparisons must name at least one comparison, got none")
    out: dict[str, tuple[str, str]] = {}
    for name, pair in items:
        if not isinstance(name, str):
            raise TypeError(f"comparisons: names must be str, got {name!r}")
        if not isinstance(pair, tuple | list) or len(pair) != 2:
            raise TypeError(
                f"comparisons: {name!r} must be a pair (group_a, group_b), got {pair!r}"
            )
        a, b = pair
        for g in (a, b):
            if g not in _THEME_OF_COLUMN:
                raise ValueError(
                    f"comparisons: {name!r} has unknown group {g!r}; groups are "
                    f"{', '.join(_THEME_OF_COLUMN)}"
                )
        if a == b:
            raise ValueError(f"comparisons: {name!r} compares {a!r} with itself")
        ta, tb = _THEME_OF_COLUMN[a], _THEME_OF_COLUMN[b]
        if ta != tb:
            raise ValueError(
                f"comparisons: {name!r} compares groups of two themes ({a!r} is "
                f"{ta}, {b!r} is {tb}); a pupil can be in both, so both must be of one "
                "theme"
            )
        if ta not in themes:
            raise ValueError(
                f"comparisons: {name!r} needs the {ta} theme, but no {ta} column was "
                f"given (pass {ta}=COLUMN)"
            )
        out[name] = (a, b)
    return out


def pupil_segregation(
    pupils: pd.DataFrame | str | Path,
    unit: str,
    *,
    area: str | None = None,
    year: str | None = None,
    ethnicity: str | None = None,
    income: str | None = None,
    education: str | None = None,
    comparisons: str | Iterable[str | tuple[str, str]] | Mapping[str, tuple[str, str]]
    | None = None,
    ethnicity_map: Mapping[Hashable, str | None] | None = None,
    education_map: Mapping[Hashable, str | None] | None = None,
    income_missing: Iterable[float] = (),
    indices: str | Iterable[str] | None = None,
    min_unit_size: float = 50,
    min_area_size: float = 10000,
    engine: str = "pandas",
    engine_options: Mapping[str, Any] | None = None,
) -> SegregationResult:
    """The report's comparisons from pupil-level data: every index, area and year.

    The pipeline: assign groups (income ranked over the whole input per year, before
    any filter); count pupils per unit, year and group; drop areas with fewer than
    ``min_area_size`` pupils a year on average and units with fewer than
    ``min_unit_size`` pupils, counting *all* pupils of the unit or area whatever their
    group (once, for every comparison); then compute every index of every comparison
    for every area-year with :func:`segspatial.compute.compute_indices`.

    Parameters
    ----------
    pupils : pandas.DataFrame
        One row per pupil (per year). It is not modified.
    unit : str
        Column identifying the unit (school).
    area : str, optional
        Column identifying the area (municipality) of the unit.
    year : str, optional
        Column with the year.
    ethnicity, income, education : str, optional
        Theme columns (see :func:`assign_groups`); at least one.
    comparisons : str, iterable or mapping, optional
        See :func:`resolve_comparisons`; default every comparison of
        :data:`COMPARISONS` whose theme column is given (all seven with all three).
    ethnicity_map, education_map, income_missing
        See :func:`assign_groups`.
    indices : str or iterable of str, optional
        Index names; default the five built-in ones.
    min_unit_size : float, default 50
        Minimum pupils per unit (all pupils); 0 disables.
    min_area_size : float, default 10000
        Minimum mean pupils per year per area (all pupils); 0 disables.
    engine, engine_options
        Where the pupils are counted (``pupils`` a file path for ``"duckdb"`` and
        ``"dask"``); see :func:`aggregate_pupils`. The results are the same.

    Returns
    -------
    SegregationResult
        ``table``: the tidy results with a ``comparison`` column after ``year``
        (``group_a``/``group_b`` hold the group columns, e.g. ``high_income``);
        ``exclusions``: see :data:`PUPIL_EXCLUSION_COLUMNS`: rows that cannot be
        placed, pupils of the analysed units in no group of a theme (by ``theme`` and
        reason), small units and areas, and per ``comparison`` the pupils in neither
        group and the area-years where the indices are undefined; ``counts``: the wide
        unit × year × group table of the analysed units (after the filters);
        ``parameters``.

    Notes
    -----
    Per theme, every pupil row is counted once: ``len(pupils)`` = pupils of the
    analysed units in the theme's groups + their ``theme`` exclusions + ``small_unit``
    + ``small_area`` + rows that cannot be placed. Per comparison, each pupil of the
    analysed units is counted once (:data:`segspatial.counts.PRECEDENCE`): all pupils of
    an area-year whose indices are undefined under ``too_few_units`` or
    ``group_absent``, then those of the other area-years in neither group under
    ``not_in_comparison``; so ``n_a + n_b`` (defined area-years) + those = the pupils
    of the analysed units, and "left out" never exceeds the input.

    Raises
    ------
    TypeError, ValueError
        See :func:`aggregate_pupils` and :func:`resolve_comparisons`; also for an
        unknown index or a bad filter size.

    References
    ----------
    Duncan & Duncan (1955); Carrington & Troske (1997); Reardon & Firebaugh (2002);
    Massey & Denton (1988). See the module docstring.

    Examples
    --------
    >>> from segspatial.demo import demo_pupils
    >>> pupils = demo_pupils(years=(2018,))
    >>> res = pupil_segregation(pupils, "school", area="municipality", year="year",
    ...                         ethnicity="ethnicity", income="income",
    ...                         education="education", indices="dissimilarity")
    >>> sorted(res.table["comparison"].unique())[:3]
    ['dutch_vs_nonwestern', 'dutch_vs_western', 'high_vs_low_education']
    """
    specs = resolve_indices(indices)
    if not isinstance(pupils, str | Path):
        _check_frame(pupils)
    themes = _themes_given(ethnicity, income, education)
    chosen = resolve_comparisons(comparisons, themes)
    pc = _prepare(pupils, unit, area, year, ethnicity, income, education, ethnicity_map,
                  education_map, income_missing, engine, engine_options)
    wide = pc.counts
    total = wide["total"].to_numpy(dtype=np.float64)
    gate = Counts(
        frame=wide.assign(a=total, b=0.0),  # every pupil counts for the filters
        unit=unit, group_a="total", group_b="total", area=area, year=year, total="total",
    )
    kept, filtered = apply_filters(gate, min_unit_size=min_unit_size,
                                   min_area_size=min_area_size)
    filtered = filtered[filtered["reason"] != "not_in_comparison"]
    kept = kept.drop(columns=["a", "b"])
    # pupils of the analysed units in no group of a theme
    keep_key = pd.MultiIndex.from_frame(kept[["area", "year", "unit"]])
    ng = pc.no_group
    in_kept = pd.MultiIndex.from_frame(ng[["area", "year", "unit"]]).isin(keep_key)
    theme_exc = _no_group_exclusions(ng.loc[in_kept])

    keys = [k for k, given in (("area", area), ("year", year)) if given is not None]
    tables, parts = [], [pc.exclusions[pc.exclusions["theme"].isna()], filtered,
                         theme_exc]
    for name, (ga, gb) in chosen.items():
        theme = _THEME_OF_COLUMN[ga]
        if kept.empty:
            continue
        frame = pd.DataFrame({
            "area": kept["area"].to_numpy(), "year": kept["year"].to_numpy(),
            "unit": kept["unit"].to_numpy(),
            "a": kept[ga].to_numpy(dtype=np.float64),
            "b": kept[gb].to_numpy(dtype=np.float64),
            "total": kept["total"].to_numpy(dtype=np.float64),
        })
        table, undefined = compute_indices(frame, specs, group_a=ga, group_b=gb,
                                           keys=("area", "year"))
        table["comparison"] = np.full(len(table), name, dtype=object)
        tables.append(table)
        neither = frame["total"].to_numpy() - frame["a"].to_numpy() - frame["b"].to_numpy()
        outside = neither > 0
        outside_part = (count_once(_exclusion_rows(frame, outside, "not_in_comparison",
                                                   pupils=neither).assign(n_units=0),
                                   undefined) if outside.any() else None)
        for part in (outside_part, undefined):
            if part is not None and not part.empty:
                parts.append(part.assign(theme=theme, comparison=name))
    table = conform_results(pd.concat(tables, ignore_index=True)) if tables else \
        empty_results()
    exclusions = _finish_exclusions(parts)
    drop = [k for k in ("area", "year") if k not in keys]
    parameters = {
        "unit": unit, "area": area, "year": year, "ethnicity": ethnicity,
        "income": income, "education": education, "comparisons": chosen,
        "ethnicity_map": dict(ethnicity_map) if ethnicity_map is not None else None,
        "education_map": dict(education_map) if education_map is not None else None,
        "income_missing": list(_check_income_missing(income_missing)),
        "indices": [s.name for s in specs], "min_unit_size": min_unit_size,
        "min_area_size": min_area_size, "n_rows": pc.n_rows, "engine": engine,
    }
    table[drop] = None
    return SegregationResult(
        table=table,
        exclusions=exclusions.drop(columns=drop).reset_index(drop=True),
        counts=kept.drop(columns=drop).reset_index(drop=True),
        parameters=parameters,
    )
