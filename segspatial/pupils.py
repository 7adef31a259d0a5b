"""Pupil-level microdata: the report's themes, groups and seven comparisons.

The report works from CBS pupil microdata: one row per pupil per year with the school,
the municipality and the pupil's background. This module turns such rows into the
report's groups (the assignment itself is in :mod:`segspatial._pupil_groups`),
aggregates them to one row per school and year (vectorised: codes,
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
``small_area``). Per comparison, the pupils of the analysed units in a group of the
theme are counted once more only if they are not used: all of them in an area-year
whose indices are undefined (``too_few_units``, ``group_absent``), else those in
neither group (``not_in_comparison``; see :data:`segspatial.counts.PRECEDENCE`). So,
per comparison, the pupils used plus every exclusion of the comparison, of its theme
and without a theme add up to the input rows, each pupil under one reason.

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
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from segspatial.compute import SegregationResult, compute_indices, group_codes
from segspatial.counts import (
    _REASONS,
    EXCLUSION_COLUMNS,
    Counts,
    _exclusion_rows,
    apply_filters,
    count_once,
    empty_exclusions,
)
from segspatial.indices import resolve_indices
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

# Pupils into groups (theme codes, income bands) live in their own module.
from segspatial._pupil_groups import (
    _KEY_REASONS,
    _N_REASONS,
    _REASON_CODES,
    EDUCATION_LABELS,
    ETHNICITY_LABELS,
    INCOME_BANDS,
    PupilGroups,
    _assign,
    _check_frame,
    _check_income_missing,
    _check_roles,
    _factorize,
    _themes_given,
    _year_codes,
    assign_groups,
)

#: Columns of a pupil exclusions table: :data:`segspatial.counts.EXCLUSION_COLUMNS`
#: plus ``theme`` and ``comparison`` (None where they do not apply).
PUPIL_EXCLUSION_COLUMNS = [*EXCLUSION_COLUMNS, "theme", "comparison"]


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
            # (no area or no year at all: every key missing, nothing to look up)
            part = pd.DataFrame({
                "area": pd.Series(np.where(a >= 0, uniq_area[np.maximum(a, 0)], None)
                                  if len(uniq_area) else [None] * len(a), dtype=object),
                "year": pd.array(np.where(y >= 0, years[np.maximum(y, 0)], 0)
                                 if len(years) else np.zeros(len(y), np.int64),
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

            _check_engine_options(engine, engine_options)
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


def _in_theme_pupils(undefined: pd.DataFrame,
                     area_years: tuple[np.ndarray, pd.DataFrame],
                     in_theme: np.ndarray) -> pd.DataFrame:
    """``undefined`` with ``n_pupils`` of its undefined area-years (``too_few_units``,
    ``group_absent``, ``too_few_groups``) = their pupils in a group of the theme: the
    others are counted once already, under the theme's reasons (``missing_value``,
    ``between_bands``, ...). ``in_theme`` holds those pupils per row of the frame
    whose area-years ``area_years`` (:func:`segspatial.compute.group_codes`) codes."""
    whole = undefined["reason"].isin(_UNDEFINED_AREA_YEAR).to_numpy() \
        if not undefined.empty else np.zeros(0, dtype=bool)
    if not whole.any():
        return undefined
    g, key_frame = area_years
    per_area_year = np.bincount(g, weights=in_theme, minlength=len(key_frame))
    lookup = pd.Series(per_area_year, index=pd.MultiIndex.from_frame(key_frame))
    where = pd.MultiIndex.from_frame(undefined[list(key_frame.columns)])
    n_pupils = np.where(whole, lookup.reindex(where).to_numpy(),
                        undefined["n_pupils"].to_numpy(dtype=np.float64))
    return undefined.assign(n_pupils=n_pupils)


#: Exclusions that count every pupil of an area-year (its indices are undefined).
_UNDEFINED_AREA_YEAR = ("too_few_units", "group_absent", "too_few_groups")


#: The options of each file engine (``engine_options``).
_ENGINE_OPTIONS = {"duckdb": ("memory_limit", "threads", "batch_rows"),
                   "dask": ("scheduler", "blocksize")}


def _check_engine_options(engine: str, options: Mapping[str, Any] | None) -> None:
    """Names in ``engine_options`` that the engine does not take: an error listing the
    ones it does (not a TypeError about a keyword of an internal function)."""
    if options is None:
        return
    if not isinstance(options, Mapping):
        raise TypeError(f"engine_options must be a mapping (a dict), got "
                        f"{type(options).__name__}")
    unknown = [k for k in options if k not in _ENGINE_OPTIONS[engine]]
    if unknown:
        other = [f"{k!r} is for the {e} engine" for k in unknown
                 for e, names in _ENGINE_OPTIONS.items() if k in names]
        hint = f" ({'; '.join(other)})" if other else ""
        raise ValueError(f"engine_options: {unknown!r} are not options of the {engine} "
                         f"engine{hint}; it takes {', '.join(_ENGINE_OPTIONS[engine])}")


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
    analysed units in a group of the theme is counted once
    (:data:`segspatial.counts.PRECEDENCE`): all of them in an area-year whose indices
    are undefined under ``too_few_units`` or ``group_absent``, then those of the other
    area-years in neither group under ``not_in_comparison``. So ``n_a + n_b`` (defined
    area-years) + the exclusions of the comparison + those of its theme + those
    without a theme = ``len(pupils)``, and "left out" never exceeds the input.

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
    area_years = group_codes(kept, ["area", "year"]) if not kept.empty else None
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
                                           keys=("area", "year"), area_years=area_years)
        table["comparison"] = np.full(len(table), name, dtype=object)
        tables.append(table)
        # Each pupil once: those in no group of the theme are counted under the theme's
        # reasons (missing_value, between_bands, ...), so the comparison's reasons
        # (too_few_units, group_absent, not_in_comparison) count only pupils in a group
        # of the theme.
        in_theme = kept[list(GROUP_COLUMNS[theme])].to_numpy(dtype=np.float64).sum(axis=1)
        undefined = _in_theme_pupils(undefined, area_years, in_theme)
        neither = in_theme - frame["a"].to_numpy() - frame["b"].to_numpy()
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
