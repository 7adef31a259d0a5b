"""Change over time: the difference between two years and the linear trend, with intervals.

Rows of a results table form *series*: one per area, comparison, index, bandwidth and
kernel, over the years. For every series:

* ``difference``: value in ``to_year`` − value in ``from_year`` (default: the first and
  the last year with a defined value);
* ``trend``: the least-squares slope of the value on the year over the years from
  ``from_year`` to ``to_year`` with a defined value (at least three), in index points
  per year: ``Σ_t w_t v_t`` with ``w_t = (t − t̄) / Σ (t − t̄)²``.

Both are linear in the yearly values, so their bootstrap replicates are the same linear
combination of the yearly replicates (the years are resampled independently: different
pupils, independent streams). From a table that only has standard errors (e.g. read
back from a file), the same combinations give normal-approximation intervals:
``se² = Σ_t c_t² se_t²``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse, stats

from segspatial.inference._decompose import COMPONENTS, METHOD, decompose_pairs, is_decomposable
from segspatial.inference._summary import bootstrap_summary, zero_p_value
from segspatial.schema import CHANGE_COLUMNS, conform_change, empty_change, has_values

__all__ = ["DecompositionRequest", "change_from_replicates", "change_from_table",
           "change_from_values"]

SERIES = ["area", "comparison", "group_a", "group_b", "index", "bandwidth", "kernel"]
_MIN_TREND_YEARS = 3
#: Units x replicates decomposed at once (the IPF's temporaries stay in the cache).
DECOMPOSE_ROWS = 1 << 17
_STATISTIC_ORDER = {name: i for i, name in enumerate(("difference", *COMPONENTS, "trend"))}


def _years(table: pd.DataFrame) -> np.ndarray:
    if table.empty:
        raise ValueError("no values to compare: the results are empty (every area-year "
                         "was left out; see the exclusions)")
    if not has_values(table, "year"):
        raise ValueError("change over time needs a year column: the results have no "
                         "years (pass year= when computing them)")
    years = pd.to_numeric(table["year"], errors="coerce")
    bad = table["year"].notna() & years.isna()
    if bad.any():
        raise ValueError(f"change over time needs numeric years; column 'year' in "
                         f"{_where(table.index[bad.to_numpy()], _label_name(table))} "
                         f"holds {_first(table['year'], bad.to_numpy())!r}")
    return years.to_numpy(dtype=np.float64)


def _bound(value: Any, argument: str) -> float | None:
    if value is None:
        return None
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{argument} must be a year (a number), got {value!r}") from None
    if not np.isfinite(out):
        raise ValueError(f"{argument} must be a finite year, got {value!r}")
    return out


def _check_bounds(from_year: Any, to_year: Any) -> tuple[float | None, float | None]:
    lo, hi = _bound(from_year, "from_year"), _bound(to_year, "to_year")
    if lo is not None and hi is not None and lo >= hi:
        raise ValueError(f"from_year must be before to_year, got {from_year!r} and "
                         f"{to_year!r}")
    return lo, hi


def _check_present(years: np.ndarray, lo: float | None, hi: float | None) -> None:
    """A bound must be a year of the results (a typo must not give an empty table)."""
    present = np.unique(years[np.isfinite(years)])
    for bound, argument in ((lo, "from_year"), (hi, "to_year")):
        if bound is not None and bound not in present:
            shown = ", ".join(_fmt(y) for y in present[:12]) + (
                f" ... ({present.size} years)" if present.size > 12 else "")
            raise ValueError(f"{argument}={_fmt(bound)} is not a year of the results; "
                             f"they have {shown or 'no year'}")


def _where(labels: Any, name: str) -> str:
    """``row 5``, ``lines 3 and 9``, ``rows 1, 2, 3, 4, 5 and 7 more``."""
    shown = [str(label) for label in list(labels)[:5]]
    n = len(labels)
    if n == 1:
        return f"{name} {shown[0]}"
    if n <= 5:
        return f"{name}s {', '.join(shown[:-1])} and {shown[-1]}"
    return f"{name}s {', '.join(shown)} and {n - 5} more"


def _first(values: Any, mask: np.ndarray) -> Any:
    """The first masked value, as plain Python (``-1.0``, not ``np.float64(-1.0)``)."""
    value = np.asarray(values, dtype=object)[mask][0]
    return value.item() if isinstance(value, np.generic) else value


def _label_name(table: pd.DataFrame) -> str:
    """What the table's row labels are (``line`` for a file read by the CLI)."""
    return str(table.index.name) if table.index.name else "row"


def _check_values(table: pd.DataFrame) -> pd.DataFrame:
    """``value`` and ``se`` as numbers (se >= 0) and a year on every row, or a
    ValueError naming the rows; the table with numeric columns."""
    name = _label_name(table)
    table = table.copy()
    for column in ("value", "se"):
        numbers = pd.to_numeric(table[column], errors="coerce")
        bad = (table[column].notna() & numbers.isna()).to_numpy()
        if bad.any():
            raise ValueError(f"column {column!r} must hold numbers; "
                             f"{_where(table.index[bad], name)} holds "
                             f"{_first(table[column], bad)!r}")
        table[column] = numbers.astype(np.float64)
    negative = (table["se"] < 0).to_numpy()
    if negative.any():
        raise ValueError(f"column 'se' must hold standard errors >= 0; "
                         f"{_where(table.index[negative], name)} holds "
                         f"{_first(table['se'], negative)!r}")
    no_year = table["year"].isna().to_numpy()
    if no_year.any():
        raise ValueError(f"column 'year' is empty in {_where(table.index[no_year], name)}; "
                         "every row needs its year")
    return table


def _series_frame(table: pd.DataFrame) -> pd.DataFrame:
    """The series keys, year, value and row position of every row of ``table``.

    Raises ValueError when rows repeat a series in one year (e.g. two results tables
    concatenated), naming them.
    """
    frame = pd.DataFrame({k: table[k].to_numpy() for k in SERIES})
    frame["year"] = _years(table)
    keys = frame[[*SERIES, "year"]].astype(object).where(
        frame[[*SERIES, "year"]].notna(), "\x00null")
    repeated = keys.duplicated(keep=False).to_numpy()
    if repeated.any():
        first = keys[repeated].iloc[0]
        same = (keys == first).all(axis=1).to_numpy()
        shown = ", ".join(f"{k} {_first(table[k], same)!r}"
                          for k in ("area", "comparison", "index", "bandwidth", "kernel")
                          if pd.notna(_first(table[k], same)))
        raise ValueError(
            f"{int(repeated.sum())} rows repeat a series in one year, e.g. {shown}, year "
            f"{_fmt(frame['year'].to_numpy()[same][0])} "
            f"({_where(table.index[same], _label_name(table))}); one row per area, "
            "comparison, index, bandwidth, kernel and year (were results concatenated?)")
    frame["value"] = table["value"].to_numpy(dtype=np.float64)
    frame["rid"] = np.arange(len(table))
    key = frame[SERIES].astype(object).where(frame[SERIES].notna(), "\x00null")
    frame["sid"] = key.groupby(SERIES, sort=True, dropna=False).ngroup().to_numpy()
    return frame


def _combinations(frame: pd.DataFrame, lo: float | None, hi: float | None,
                  trend: bool) -> tuple[pd.DataFrame, sparse.csr_matrix]:
    """One row per (series, statistic) and the coefficients on the table rows.

    Returns the change rows (keys, statistic, years, values, reason) and a sparse
    ``(n_changes, n_rows)`` matrix C: change = C @ values.
    """
    n_rows = len(frame)
    _check_present(frame["year"].to_numpy(), lo, hi)
    ok = np.isfinite(frame["value"].to_numpy()) & np.isfinite(frame["year"].to_numpy())
    first = frame.drop_duplicates("sid").set_index("sid").sort_index()[SERIES]
    series = np.arange(len(first))
    defined = frame.loc[ok]
    in_range = defined
    if lo is not None:
        in_range = in_range[in_range["year"] >= lo]
    if hi is not None:
        in_range = in_range[in_range["year"] <= hi]
    out, coef_rows, coef_cols, coef_vals = [], [], [], []

    # the first and last year with a defined value within the bounds, per series
    first_year = np.full(len(series), np.nan)
    last_year = np.full(len(series), np.nan)
    if len(in_range):
        years = in_range.groupby("sid")["year"]
        first_year[years.min().index.to_numpy()] = years.min().to_numpy()
        last_year[years.max().index.to_numpy()] = years.max().to_numpy()
    lookup = defined.set_index(["sid", "year"])["rid"]
    values = frame["value"].to_numpy()

    def rid_at(year: np.ndarray) -> np.ndarray:
        return lookup.reindex(list(zip(series, year, strict=True))).to_numpy(np.float64)

    def value_at(rid: np.ndarray) -> np.ndarray:
        return np.where(np.isnan(rid), np.nan, values[np.nan_to_num(rid).astype(np.intp)])

    # differences: the bounds themselves when given, else the first and last year
    start = np.full(len(series), lo) if lo is not None else first_year
    end = np.full(len(series), hi) if hi is not None else last_year
    rid_from, rid_to = rid_at(start), rid_at(end)
    diff = first.reset_index(drop=True).copy()
    diff["statistic"] = "difference"
    diff["from_year"] = start
    diff["to_year"] = end
    reason = np.full(len(series), None, dtype=object)
    no_from, no_to = np.isnan(rid_from), np.isnan(rid_to)
    reason[no_to] = [f"no defined value in {_fmt(y)}" for y in end[no_to]]
    reason[no_from] = [f"no defined value in {_fmt(y)}" for y in start[no_from]]
    reason[~no_from & ~no_to & (start == end)] = "only one year with a defined value"
    reason[np.isnan(start) | np.isnan(end)] = "no year with a defined value"
    good = reason == None  # noqa: E711 (elementwise on an object array)
    diff["n_years"] = np.where(good, 2, 0)
    diff["reason"] = reason
    diff["value_from"] = value_at(rid_from)
    diff["value_to"] = value_at(rid_to)
    idx = np.flatnonzero(good)
    coef_rows += [idx, idx]
    coef_cols += [rid_to[idx].astype(np.intp), rid_from[idx].astype(np.intp)]
    coef_vals += [np.ones(idx.size), -np.ones(idx.size)]
    out.append(diff)

    if trend:
        g = in_range["sid"].to_numpy()
        x = in_range["year"].to_numpy()
        n = np.bincount(g, minlength=len(series))
        xbar = np.bincount(g, weights=x, minlength=len(series)) / np.maximum(n, 1)
        dev = x - xbar[g]
        sxx = np.bincount(g, weights=dev * dev, minlength=len(series))
        enough = n >= _MIN_TREND_YEARS
        use = enough[g]
        tr = first.reset_index(drop=True).copy()
        tr["statistic"] = "trend"
        tr["from_year"] = first_year
        tr["to_year"] = last_year
        tr["n_years"] = n
        tr["reason"] = np.where(
            enough, None,
            [f"fewer than {_MIN_TREND_YEARS} years with a defined value (n = {k})"
             for k in n])
        tr["value_from"] = value_at(rid_at(first_year))
        tr["value_to"] = value_at(rid_at(last_year))
        offset = len(series)
        coef_rows.append(g[use] + offset)
        coef_cols.append(in_range["rid"].to_numpy()[use])
        coef_vals.append(dev[use] / sxx[g[use]])
        out.append(tr)
    rows = pd.concat(out, ignore_index=True)
    coef = sparse.csr_matrix(
        (np.concatenate(coef_vals), (np.concatenate(coef_rows), np.concatenate(coef_cols))),
        shape=(len(rows), n_rows))
    return rows, coef


def _fmt(year: float) -> str:
    return str(int(year)) if np.isfinite(year) and float(year).is_integer() else str(year)


def _finish(rows: pd.DataFrame, change: np.ndarray, defined: np.ndarray) -> pd.DataFrame:
    rows["change"] = np.where(defined, change, np.nan)
    lo, hi = rows["ci_low"].to_numpy(), rows["ci_high"].to_numpy()
    direction = np.where(lo > 0, "rising", np.where(hi < 0, "falling", "no_clear_change"))
    rows["direction"] = np.where(np.isfinite(lo) & np.isfinite(hi), direction, None)
    # the difference, its parts (when decomposed), then the trend
    rank = rows["statistic"].map(_STATISTIC_ORDER.get).to_numpy()
    order = ["area", "comparison", "index", "bandwidth", "kernel", "_rank"]
    rows = rows.assign(_rank=rank).sort_values(order, kind="stable", na_position="first")
    return conform_change(rows[[c for c in CHANGE_COLUMNS if c in rows.columns]])


def _restore_years(rows: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """Years back in the table's own type (2018, not 2018.0)."""
    if pd.api.types.is_integer_dtype(table["year"]):
        for col in ("from_year", "to_year"):
            rows[col] = rows[col].astype("Int64")
    return rows


def _interval_columns(rows: pd.DataFrame, est: np.ndarray, reps: np.ndarray | None,
                      level: float, interval: str, bootstrap: str) -> None:
    """Fill ``se``, the interval, ``p_value`` and ``n_boot`` of ``rows`` from the
    replicates ``reps`` ``(n_rows, R)`` of the changes ``est`` (none: left null)."""
    if reps is None:
        return
    summary = bootstrap_summary(est, reps, level, interval)
    dist = reps if interval == "percentile" else 2 * est[:, None] - reps
    has = np.isfinite(summary["se"])
    rows["se"] = summary["se"]
    rows["ci_low"] = summary["ci_low"]
    rows["ci_high"] = summary["ci_high"]
    rows["ci_level"] = np.where(has, level, np.nan)
    rows["p_value"] = zero_p_value(est, dist)
    rows["n_boot"] = np.where(np.isfinite(est), summary["n_boot"], np.nan)
    rows["bootstrap"] = np.where(has, bootstrap, None)
    rows["interval"] = np.where(has, interval, None)


@dataclass(frozen=True)
class DecompositionRequest:
    """What the decomposition of the differences needs besides the replicates.

    ``unit_ids`` are the ids of the units of the designs (design order, the same for
    every comparison); ``root`` and ``task`` redraw the bootstrap replicates (only the
    individual bootstrap keeps the schools, so only it gives the parts intervals).
    """

    unit_ids: np.ndarray
    root: np.random.SeedSequence
    task: str
    n_boot: int
    chunk_rows: int


def _decomposed(plan: Any, rows: pd.DataFrame, coef: sparse.csr_matrix,
                request: DecompositionRequest, level: float, interval: str,
                bootstrap: str) -> tuple[pd.DataFrame, np.ndarray]:
    """The parts of every defined difference of M or H (Elbers 2021), as change rows.

    Returns the rows and their estimates; marks the decomposed difference rows.
    """
    from segspatial.inference._engine import IndexEvaluator

    names = [name for name, bandwidth, _ in plan.names if np.isnan(bandwidth)]
    families = [e for e in plan.evaluators if isinstance(e, IndexEvaluator)]
    if not families:
        return rows.iloc[:0], np.empty(0)
    family = families[0]
    chosen = [i for i, name in enumerate(names) if is_decomposable(name)]
    position = {names[i]: j for j, i in enumerate(chosen)}
    todo = np.flatnonzero((rows["statistic"] == "difference").to_numpy()
                          & rows["reason"].isna().to_numpy()
                          & rows["index"].isin(list(position)).to_numpy()
                          & rows["bandwidth"].isna().to_numpy())
    if todo.size == 0:
        return rows.iloc[:0], np.empty(0)
    pick = coef[todo].tocoo()
    rid_to = np.empty(todo.size, dtype=np.intp)
    rid_from = np.empty(todo.size, dtype=np.intp)
    rid_to[pick.row[pick.data > 0]] = pick.col[pick.data > 0]
    rid_from[pick.row[pick.data < 0]] = pick.col[pick.data < 0]
    pair_keys = np.stack([plan.group[rid_from], plan.group[rid_to]], axis=1)
    unique, pair = np.unique(pair_keys, axis=0, return_inverse=True)
    pair = pair.ravel()
    evaluator = IndexEvaluator([family.specs[i] for i in chosen],
                               [family.scales[i] for i in chosen], family.k)
    estimate, replicates = decompose_pairs(
        plan.cd.design, request.unit_ids, unique[:, 0], unique[:, 1], evaluator,
        task=request.task, n_rep=request.n_boot, root=request.root,
        chunk_rows=min(request.chunk_rows, DECOMPOSE_ROWS))
    which = np.array([position[name] for name in rows["index"].to_numpy()[todo]])
    parts, values = [], []
    for component in COMPONENTS:
        part = rows.iloc[todo].copy()
        part["statistic"] = component
        part[["se", "ci_low", "ci_high", "ci_level", "p_value", "n_boot"]] = np.nan
        part[["bootstrap", "interval"]] = None
        est = estimate.parts[component][which, 0, pair]
        part["reason"] = _part_reasons(est, estimate.converged[0, pair],
                                       estimate.n_common[0, pair])
        _interval_columns(part, est, None if replicates is None
                          else replicates[component][which, pair], level, interval,
                          bootstrap)
        parts.append(part)
        values.append(est)
    decomposition = np.full(len(rows), None, dtype=object)
    decomposition[todo] = METHOD
    rows["decomposition"] = decomposition
    out = pd.concat(parts, ignore_index=True)
    out["decomposition"] = METHOD
    return out, np.concatenate(values)


def _part_reasons(est: np.ndarray, converged: np.ndarray, n_common: np.ndarray
                  ) -> np.ndarray:
    """Why a part of a defined difference is undefined (None where it is defined)."""
    out = np.full(est.shape, None, dtype=object)
    bad = ~np.isfinite(est)
    out[bad] = "undefined on the schools present in both years (a group absent there)"
    out[bad & (n_common < 2)] = [f"fewer than two schools with pupils in both years "
                                 f"(n = {int(n)})" for n in n_common[bad & (n_common < 2)]]
    out[bad & ~converged] = ("the margins could not be fitted (iterative proportional "
                             "fitting did not converge)")
    return out


def change_from_replicates(table: pd.DataFrame, boot: list, *, level: float, interval: str,
                           bootstrap: str, from_year: Any = None, to_year: Any = None,
                           trend: bool = True,
                           decomposition: DecompositionRequest | None = None
                           ) -> pd.DataFrame:
    """The change table from the bootstrap replicates of :func:`._infer.infer`.

    ``boot`` holds ``(plan, reps)`` per comparison, ``reps`` ``(n_groups, n_stats, R)``.
    With ``decomposition``, every difference of M or H also gets its parts (rows with
    ``statistic`` one of :data:`._decompose.COMPONENTS`).
    """
    lo, hi = _check_bounds(from_year, to_year)
    _years(table)
    parts = []
    for plan, reps in boot:
        if plan.rows.size == 0:
            continue
        sub = table.loc[plan.rows]
        frame = _series_frame(sub)
        rows, coef = _combinations(frame, lo, hi, trend)
        row_reps = reps[plan.group, plan.stat, :]
        est = coef @ frame["value"].to_numpy()
        change_reps = np.asarray(coef @ row_reps)
        defined = rows["reason"].isna().to_numpy()
        est = np.where(defined, est, np.nan)
        _interval_columns(rows, est, change_reps, level, interval, bootstrap)
        if decomposition is not None:
            request = replace(decomposition, task=decomposition.task
                              if bootstrap == "individual" else "none")
            extra, extra_est = _decomposed(plan, rows, coef, request, level, interval,
                                           bootstrap)
            rows = pd.concat([rows, extra], ignore_index=True)
            est = np.concatenate([est, extra_est])
            defined = rows["reason"].isna().to_numpy()
        parts.append(_finish(rows, est, defined))
    if not parts:
        return empty_change()
    return _restore_years(pd.concat(parts, ignore_index=True), table)


def change_from_table(table: pd.DataFrame, *, level: float = 0.95, from_year: Any = None,
                      to_year: Any = None, trend: bool = True) -> pd.DataFrame:
    """The change table from a results table with standard errors (normal approximation).

    Parameters
    ----------
    table : pandas.DataFrame
        A results table (e.g. read back from ``segspatial indices --bootstrap``) with
        ``value`` and ``se``; the years' estimates are taken as independent.
    level, from_year, to_year, trend
        See :func:`segspatial.inference.change`.

    Returns
    -------
    pandas.DataFrame
        :data:`segspatial.schema.CHANGE_COLUMNS`, ``interval`` = ``normal``.

    Raises
    ------
    ValueError
        For a table that is not a results table with years and standard errors, with
        text or negative standard errors, rows without a year, or rows repeating a
        series in one year; the message names the rows by the table's index labels
        (the command line labels them by file line).
    """
    lo, hi = _check_bounds(from_year, to_year)
    for column in ("index", "value", "year"):
        if column not in table.columns:
            raise ValueError(f"not a results table: column {column!r} is missing")
    _years(table)  # empty results, or no years, say so first
    if not has_values(table, "se"):
        raise ValueError("the results have no standard errors (column se): compute them "
                         "with the bootstrap (segspatial indices --bootstrap N), or pass "
                         "the counts to compute the change by bootstrap")
    table = _check_values(table)
    for col in SERIES:
        if col not in table.columns:
            table[col] = np.nan if col == "bandwidth" else None
    frame = _series_frame(table)  # (names repeated rows by the table's labels)
    table = table.reset_index(drop=True)
    rows, coef = _combinations(frame, lo, hi, trend)
    est = coef @ frame["value"].to_numpy()
    se_years = table["se"].to_numpy(dtype=np.float64)
    var = coef.multiply(coef) @ np.where(np.isfinite(se_years), se_years ** 2, np.nan)
    # a change with a year without a standard error gets none
    missing = coef.multiply(coef) @ (~np.isfinite(se_years)).astype(np.float64)
    defined = rows["reason"].isna().to_numpy()
    reason = np.array(rows["reason"], dtype=object)
    no_se = defined & (missing > 0)
    reason[no_se] = "a year has no standard error"
    rows["reason"] = reason
    est = np.where(defined, est, np.nan)
    se = np.where(defined & ~no_se, np.sqrt(var), np.nan)
    z = stats.norm.ppf(0.5 + level / 2)
    rows["se"] = se
    rows["ci_low"] = est - z * se
    rows["ci_high"] = est + z * se
    has = np.isfinite(se)
    rows["ci_level"] = np.where(has, level, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        rows["p_value"] = np.where(has, 2 * stats.norm.sf(np.abs(est) / se), np.nan)
    rows["interval"] = np.where(has, "normal", None)
    if "bootstrap" in table.columns:
        kinds = table["bootstrap"].dropna().unique()
        rows["bootstrap"] = np.where(has, kinds[0] if len(kinds) == 1 else None, None)
    return _restore_years(_finish(rows, est, defined & ~no_se), table)


def change_from_values(table: pd.DataFrame, *, from_year: Any = None, to_year: Any = None,
                       trend: bool = True) -> pd.DataFrame:
    """The changes of a results table's values alone, without intervals.

    For values that stand on their own, e.g. the published (rounded, audited) values
    of disclosure mode (:func:`segspatial.disclosure.protect_change`): the difference
    and the least-squares trend of the values present; ``se``, the interval, the
    p-value and ``direction`` stay null. Years without a value are skipped as by
    :func:`change_from_table`.

    Raises
    ------
    ValueError
        As :func:`change_from_table` (but no standard errors are needed).
    """
    lo, hi = _check_bounds(from_year, to_year)
    for column in ("index", "value", "year"):
        if column not in table.columns:
            raise ValueError(f"not a results table: column {column!r} is missing")
    _years(table)
    table = _check_values(table.assign(se=np.nan))
    for col in SERIES:
        if col not in table.columns:
            table[col] = np.nan if col == "bandwidth" else None
    frame = _series_frame(table)
    table = table.reset_index(drop=True)
    rows, coef = _combinations(frame, lo, hi, trend)
    est = coef @ frame["value"].to_numpy()
    defined = rows["reason"].isna().to_numpy()
    for column in ("se", "ci_low", "ci_high", "ci_level", "p_value"):
        rows[column] = np.nan
    return _restore_years(_finish(rows, np.where(defined, est, np.nan), defined), table)
