"""Bootstrap intervals and randomisation tests for every row of a results table."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas as pd

from segspatial._exceptions import SegregationWarning
from segspatial._warn import warn
from segspatial.compute import SegregationResult
from segspatial.indices import IndexSpec, available_indices
from segspatial.inference._decompose import METHOD
from segspatial.inference._design import ComparisonDesign, designs
from segspatial.inference._engine import (
    DEFAULT_CHUNK_ROWS,
    EnvironmentIndex,
    IndexEvaluator,
    _EnvironmentEvaluator,
    replicate,
)
from segspatial.inference._streams import check_rng, root_seed
from segspatial.inference._summary import (
    ALTERNATIVES,
    INTERVALS,
    bootstrap_summary,
    clip_to_range,
    null_summary,
    summarise_rows,
    without_null_test,
)
from segspatial.schema import conform_results, empty_change

__all__ = ["Inference", "bootstrap", "infer", "randomisation_test"]

#: The exact E[D] cannot change under random allocation (school sizes and group totals
#: are fixed): it is computed once and given to the kernels of E[D] and D* (through
#: GroupedCounts.memo) instead of once per draw.
_NULL_INVARIANT = "dissimilarity_expected"
_USES_EXPECTED = {"dissimilarity_expected", "dissimilarity_standardised"}


@dataclass(frozen=True)
class Inference:
    """What :func:`infer` returns.

    Attributes
    ----------
    result : SegregationResult
        The input result with the inference columns of its table filled.
    change : pandas.DataFrame
        The change table (:data:`segspatial.schema.CHANGE_COLUMNS`); empty unless
        asked for.
    replicates : dict
        With ``keep_replicates=True``: ``(comparison, task)`` -> ``(rows, values)``,
        the table row labels and their replicates ``(n_rows, R)``.
    """

    result: SegregationResult
    change: pd.DataFrame
    replicates: dict[tuple[str | None, str], tuple[np.ndarray, np.ndarray]] = field(
        default_factory=dict, repr=False)


# --------------------------------------------------------------------------- checks


def _count(value: Any, argument: str, *, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{argument} must be a whole number, got {value!r}")
    if value < minimum:
        raise ValueError(f"{argument} must be at least {minimum}, got {value}")
    return int(value)


def _level(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"level must be a number between 0 and 1, got {value!r}")
    if not 0 < float(value) < 1:
        raise ValueError(f"level must be between 0 and 1 (e.g. 0.95), got {value!r}")
    return float(value)


def _choice(value: Any, argument: str, allowed: Sequence[str]) -> str:
    if value not in allowed:
        raise ValueError(f"{argument} must be one of {', '.join(map(repr, allowed))}, "
                         f"got {value!r}")
    return value


def _environments(environments: Iterable[EnvironmentIndex]) -> list[EnvironmentIndex]:
    out = list(environments)
    for e in out:
        if not isinstance(e, EnvironmentIndex):
            raise TypeError(f"environments must hold EnvironmentIndex objects, got "
                            f"{type(e).__name__}")
    return out


# --------------------------------------------------------------------------- planning


@dataclass(eq=False)
class _Plan:
    """The statistics of one comparison and the table rows each fills."""

    cd: ComparisonDesign
    evaluators: list
    names: list[tuple[str, float, str | None]]  # (index, bandwidth, kernel) per statistic
    rows: np.ndarray  # table row labels
    group: np.ndarray  # area-year per row
    stat: np.ndarray  # statistic per row
    estimate: np.ndarray  # table value per row


def _match_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``index``, ``bandwidth``, ``kernel`` with nulls made comparable (for merging)."""
    return pd.DataFrame({
        "index": frame["index"].astype(str).to_numpy(),
        "bandwidth": frame["bandwidth"].astype(np.float64).fillna(-1.0).to_numpy(),
        "kernel": frame["kernel"].astype(object).fillna("").astype(str).to_numpy(),
    })


def _row_names(base: float, *, multigroup_only: bool) -> dict[str, tuple[IndexSpec, float]]:
    """Registered indices by the name their rows carry, with the factor of their values.

    Information indices (M, E) computed in another logarithm base are named
    ``{name}_base{base}`` and divided by ln(base), as in
    :func:`segspatial.multigroup_segregation`.
    """
    out = {}
    for name, spec in available_indices().items():
        if multigroup_only and not spec.multigroup:
            continue
        if spec.information and base != math.e:
            out[f"{name}_base{base:g}"] = (spec, 1.0 / math.log(base))
        else:
            out[name] = (spec, 1.0)
    return out


def _plan(cd: ComparisonDesign, table: pd.DataFrame, indices: list[str] | None,
          environments: list[EnvironmentIndex]) -> _Plan:
    k = cd.design.counts.shape[1]
    by_row_name = _row_names(cd.base, multigroup_only=k > 2)
    sub = table.loc[cd.rows]
    aspatial = (sub["bandwidth"].isna() & sub["kernel"].isna()
                & sub["within"].isna()).to_numpy()
    names_present = list(dict.fromkeys(sub.loc[aspatial, "index"]))
    chosen = [n for n in names_present
              if n in by_row_name and (indices is None or n in indices)]
    specs = [by_row_name[n][0] for n in chosen]
    scales = [by_row_name[n][1] for n in chosen]
    names: list[tuple[str, float, str | None]] = [(n, np.nan, None) for n in chosen]
    evaluators: list = [IndexEvaluator(specs, scales, k)] if specs else []
    envs = [e for e in environments
            if (e.comparison is None or e.comparison == cd.comparison)
            and (indices is None or e.name in indices)]
    if envs:
        operators, row_starts = [], []
        reordered: dict[int, tuple[Any, np.ndarray | None]] = {}  # shared operators once
        for e in envs:
            if id(e.operator) not in reordered:
                reordered[id(e.operator)] = _reorder(e, cd)
            op, starts = reordered[id(e.operator)]
            operators.append(op)
            row_starts.append(starts)
        evaluators.append(_EnvironmentEvaluator(envs, operators, cd.design.starts,
                                                cd.design.counts, row_starts))
        names += [(e.name, float(e.bandwidth), e.kernel) for e in envs]
    wanted = pd.DataFrame(names, columns=["index", "bandwidth", "kernel"])
    row_stat = (_match_frame(sub).merge(_match_frame(wanted).assign(_s=np.arange(len(names))),
                                        how="left", on=["index", "bandwidth", "kernel"])
                ["_s"].fillna(-1).to_numpy(dtype=np.intp))
    keep = row_stat >= 0
    return _Plan(cd=cd, evaluators=evaluators, names=names, rows=cd.rows[keep],
                 group=cd.row_group[keep], stat=row_stat[keep],
                 estimate=sub["value"].to_numpy(dtype=np.float64)[keep])


def _reorder(e: EnvironmentIndex, cd: ComparisonDesign) -> tuple[Any, np.ndarray | None]:
    """The operator of ``e`` in the design's unit order (and, for an operator whose rows
    are environments, its rows sorted by area-year with their offsets)."""
    op = e.operator
    n = cd.order.size
    rows = n if e.row_unit is None else len(e.row_unit)
    if getattr(op, "shape", None) != (rows, n):
        raise ValueError(
            f"the operator of {e.name!r} (bandwidth {e.bandwidth}) has shape "
            f"{getattr(op, 'shape', None)}, expected ({rows}, {n}): one column per unit "
            "of result.counts and one row per unit (or per entry of row_unit)"
        )
    op = op.tocsr()
    if e.row_unit is None:
        return op[cd.order][:, cd.order].tocsr(), None
    position = np.empty(n, dtype=np.intp)
    position[cd.order] = np.arange(n)
    row_group = cd.design.group[position[np.asarray(e.row_unit, dtype=np.intp)]]
    row_order = np.argsort(row_group, kind="stable")
    starts = np.concatenate([[0], np.cumsum(np.bincount(row_group,
                                                        minlength=cd.design.n_groups))])
    return op[row_order][:, cd.order].tocsr(), starts


def _active(plan: _Plan, whole_needed: bool) -> np.ndarray:
    """Area-years with at least one defined value to infer (and whole counts if needed)."""
    n = plan.cd.design.n_groups
    defined = np.zeros(n, dtype=bool)
    defined[plan.group[np.isfinite(plan.estimate)]] = True
    if whole_needed:
        fractional = defined & ~plan.cd.design.whole
        if fractional.any():
            warn(SegregationWarning, "not_whole_for_inference", n=int(fractional.sum()),
                 stacklevel=4)
        defined &= plan.cd.design.whole
    return defined


def _fixed(plan: _Plan) -> dict[str, np.ndarray]:
    """Exact values the random allocation cannot change, per area-year."""
    if not _USES_EXPECTED & {name for name, _, _ in plan.names}:
        return {}
    with np.errstate(all="ignore"):
        expected = available_indices()[_NULL_INVARIANT].kernel(plan.cd.design.grouped())
    return {_NULL_INVARIANT: np.asarray(expected, dtype=np.float64)}


def _unit_ids(result: SegregationResult, plans: list[_Plan]) -> np.ndarray:
    """The school ids of the designs' units (to match schools across years)."""
    if not plans:
        return np.empty(0, dtype=object)
    order = plans[0].cd.order
    if "unit" not in result.counts.columns:
        raise ValueError("decomposition=True matches schools across years by their id: "
                         "result.counts has no 'unit' column")
    return result.counts["unit"].to_numpy()[order]


# --------------------------------------------------------------------------- public


def infer(
    result: SegregationResult,
    *,
    n_boot: int = 0,
    null_draws: int = 0,
    level: float = 0.95,
    cluster: bool = False,
    interval: str = "bias_corrected",
    alternative: str = "greater",
    indices: str | Iterable[str] | None = None,
    environments: Iterable[EnvironmentIndex] | None = None,
    change: bool = False,
    from_year: Any = None,
    to_year: Any = None,
    trend: bool = True,
    decomposition: bool = False,
    rng: np.random.Generator | int | None = None,
    n_jobs: int = 1,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    keep_replicates: bool = False,
) -> Inference:
    """Bootstrap intervals, randomisation tests and changes over time, all at once.

    Every row of ``result.table`` whose index is registered (D, E[D], D*, H, V and
    plug-ins; spatial indices through ``environments``) gets its inference columns,
    for all areas, years and comparisons in one vectorised pass per comparison.

    Parameters
    ----------
    result : SegregationResult
        From :func:`segspatial.segregation`, :func:`segspatial.pupil_segregation` or
        :func:`segspatial.spatial.spatial_segregation` (its ``counts`` are resampled).
    n_boot : int, default 0
        Bootstrap replicates per area-year (0: no bootstrap); 1,000 or more for
        95% intervals.
    null_draws : int, default 0
        Random-allocation draws per area-year for the randomisation test (0: none).
    level : float, default 0.95
        Confidence level of the intervals.
    cluster : bool, default False
        Resample schools (cluster bootstrap) instead of pupils (individual bootstrap).
        See :mod:`segspatial.inference` for which question each answers.
    interval : {"bias_corrected", "percentile"}, default "bias_corrected"
        How intervals are formed (see :func:`._summary.bootstrap_summary`).
    alternative : {"greater", "less", "two-sided"}, default "greater"
        Alternative of the randomisation test; "greater": more segregated than random
        allocation.
    indices : str or iterable of str, optional
        Restrict to these index names (default: every registered index in the table).
    environments : iterable of EnvironmentIndex, optional
        Spatial indices as environment operators. Default: the spatial rows of a
        spatial result (:func:`segspatial.inference.spatial_environments`: spatial D,
        H, exposure and isolation at every bandwidth, also with ``context="all"``,
        Moran's I, Morrill's D, the spatial multigroup M and H); ``()`` for none. The
        operator is fixed per area-year: the individual bootstrap and the
        randomisation test redraw the counts and apply it; the school bootstrap
        redraws schools and adjusts it to the copies (environments with
        ``multiplicity=True``). With ``cluster=True`` the default environments
        without it (Moran's I; ``context="all"``) get no interval (the summary of
        the command line says why); given ones are refused.
    change : bool, default False
        Also compute the change table (needs ``n_boot`` and a year column); see
        :func:`segspatial.inference.change` for ``from_year``, ``to_year``, ``trend``
        and ``decomposition``.
    decomposition : bool, default False
        With ``change``: decompose every difference of Theil's M or H into its
        marginal and structural parts (Elbers 2021; see :mod:`._decompose`).
    rng : numpy.random.Generator, int or None
        Seed. The same seed gives byte-identical results whatever ``n_jobs``,
        ``chunk_rows``, the order of the input or the other areas in the run.
    n_jobs : int, default 1
        Threads (area-year blocks run in parallel). The result is the same for any
        number of threads.
    chunk_rows : int
        Upper bound on units x replicates drawn at once per thread (memory of the
        draws; the replicates kept take 8 bytes x area-years x indices x replicates).
    keep_replicates : bool, default False
        Keep the replicates in :attr:`Inference.replicates`.

    Returns
    -------
    Inference
        ``result`` (a new :class:`SegregationResult`, table with ``se``, ``ci_low``,
        ``ci_high``, ``ci_level``, ``bias_corrected``, ``n_boot``, ``bootstrap``,
        ``interval``, ``p_value``, ``alternative``, ``null_mean``, ``null_se``,
        ``n_null``) and ``change``.

    Raises
    ------
    TypeError, ValueError
        For a bad argument (the message names it), or a result whose counts do not
        match its table.
    MemoryError
        When the replicates cannot be held: all replicates of a comparison are kept
        (8 bytes x area-years x indices x replicates; the message says how much), and
        a request beyond the machine's memory is refused before any drawing.

    Warns
    -----
    SegregationWarning
        When area-years have fractional counts (no pupil resampling there).

    References
    ----------
    Efron, B. & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*. Chapman &
        Hall (percentile and basic intervals, bias correction).
    Elbers, B. segregation: Entropy-based segregation indices. R package,
        https://elbersb.com/segregation (bias-corrected bootstrap estimates and intervals).
    Carrington, W. J. & Troske, K. R. (1997). On measuring segregation in samples with
        small units. *Journal of Business & Economic Statistics* 15(4), 402-409.
    """
    n_boot = _count(n_boot, "n_boot")
    null_draws = _count(null_draws, "null_draws")
    if n_boot == 1:
        raise ValueError("n_boot must be 0 (no bootstrap) or at least 2, got 1")
    if null_draws == 1:
        raise ValueError("null_draws must be 0 (no test) or at least 2, got 1")
    level = _level(level)
    interval = _choice(interval, "interval", INTERVALS)
    alternative = _choice(alternative, "alternative", ALTERNATIVES)
    if not isinstance(cluster, bool):
        raise TypeError(f"cluster must be True or False, got {cluster!r}")
    n_jobs = _count(n_jobs, "n_jobs", minimum=1)
    chunk_rows = _count(chunk_rows, "chunk_rows", minimum=1)
    check_rng(rng)
    if indices is not None:
        indices = [indices] if isinstance(indices, str) else list(indices)
    defaults = environments is None
    if defaults:  # the spatial rows of a spatial result
        from segspatial.inference._spatial import spatial_environments

        environments = spatial_environments(result)
    envs = _environments(environments)
    fixed_only = [e.name for e in envs if not e.multiplicity]
    if defaults and cluster:  # built-in rows without a school bootstrap: no interval
        envs_boot = [e for e in envs if e.multiplicity]
    else:
        envs_boot = envs
    if fixed_only and cluster and n_boot and not defaults:
        raise ValueError(f"spatial indices (environments) {sorted(set(fixed_only))!r} cannot "
                         "be bootstrapped by resampling schools (cluster=True): their "
                         "statistic takes no multiplicity=, so the neighbourhoods of the "
                         "drawn schools are unknown; use the individual bootstrap")
    if change and not n_boot:
        raise ValueError("change=True needs bootstrap replicates: give n_boot >= 2")
    if not isinstance(decomposition, bool):
        raise TypeError(f"decomposition must be True or False, got {decomposition!r}")
    if decomposition and not change:
        raise ValueError("decomposition=True decomposes the differences of the change "
                         "table: give change=True")
    root = root_seed(rng)
    comparison_designs = designs(result)
    plans = [_plan(cd, result.table, indices, envs_boot) for cd in comparison_designs]
    envs_null = [e for e in envs if e.null]
    null_plans = (plans if len(envs_null) == len(envs_boot) == len(envs)
                  else [_plan(cd, result.table, indices, envs_null)
                        for cd in comparison_designs])
    table = result.table.copy()
    columns: dict[str, np.ndarray] = {}
    n = len(table)

    def put(name: str, rows: np.ndarray, values: Any) -> None:
        if name not in columns:
            kind_text = name in ("bootstrap", "interval", "alternative")
            columns[name] = (np.full(n, None, dtype=object) if kind_text
                             else np.full(n, np.nan))
        columns[name][table.index.get_indexer(rows)] = values

    kept: dict[tuple[str | None, str], tuple[np.ndarray, np.ndarray]] = {}
    boot_reps: list[tuple[_Plan, np.ndarray]] = []
    task = "cluster" if cluster else "bootstrap"
    for plan, null_plan in zip(plans, null_plans, strict=True):
        if n_boot and plan.evaluators and plan.rows.size:
            reps = replicate(plan.cd.design, plan.evaluators, task=task, n_rep=n_boot,
                             root=root, active=_active(plan, whole_needed=not cluster),
                             chunk_rows=chunk_rows, n_jobs=n_jobs, argument="n_boot")
            summary = summarise_rows(bootstrap_summary, plan.estimate, reps, plan.group,
                                     plan.stat, level, interval)
            summary = clip_to_range(summary, plan.estimate,
                                    result.table.loc[plan.rows, "index"].to_numpy())
            for name, values in summary.items():
                put(name, plan.rows, values)
            has = np.isfinite(summary["se"])
            put("ci_level", plan.rows, np.where(has, level, np.nan))
            put("bootstrap", plan.rows, np.where(has, "cluster" if cluster else "individual",
                                                 None))
            put("interval", plan.rows, np.where(has, interval, None))
            if change:  # the change table combines the years' replicates
                boot_reps.append((plan, reps))
            if keep_replicates:
                kept[(plan.cd.comparison, task)] = (plan.rows, reps[plan.group, plan.stat, :])
            del reps
        plan = null_plan
        if null_draws and plan.evaluators and plan.rows.size:
            reps = replicate(plan.cd.design, plan.evaluators, task="null", n_rep=null_draws,
                             root=root, active=_active(plan, whole_needed=True),
                             fixed=_fixed(plan), chunk_rows=chunk_rows, n_jobs=n_jobs,
                             argument="null_draws")
            summary = summarise_rows(null_summary, plan.estimate, reps, plan.group,
                                     plan.stat, alternative)
            summary = without_null_test(summary,
                                        result.table.loc[plan.rows, "index"].to_numpy())
            for name, values in summary.items():
                put(name, plan.rows, values)
            put("alternative", plan.rows,
                np.where(np.isfinite(summary["p_value"]), alternative, None))
            if keep_replicates:
                kept[(plan.cd.comparison, "null")] = (plan.rows, reps[plan.group, plan.stat, :])
            del reps
    for name, values in columns.items():
        table[name] = values
    table = conform_results(table)
    parameters = dict(result.parameters)
    parameters["inference"] = {
        "n_boot": n_boot, "null_draws": null_draws, "level": level, "cluster": cluster,
        "interval": interval, "alternative": alternative,
        "seed_entropy": root.entropy, "indices": indices,
        "decomposition": METHOD if decomposition else None,
    }
    new = replace(result, table=table, parameters=parameters)
    change_table = empty_change()
    if change:
        from segspatial.inference._change import DecompositionRequest, change_from_replicates

        request = None
        if decomposition:
            request = DecompositionRequest(
                unit_ids=_unit_ids(result, plans), root=root, task=task, n_boot=n_boot,
                chunk_rows=chunk_rows)
        change_table = change_from_replicates(
            new.table, boot_reps, level=level, interval=interval,
            bootstrap="cluster" if cluster else "individual", from_year=from_year,
            to_year=to_year, trend=trend, decomposition=request)
    return Inference(result=new, change=change_table, replicates=kept)


def bootstrap(
    result: SegregationResult,
    n_boot: int = 1000,
    *,
    level: float = 0.95,
    cluster: bool = False,
    interval: str = "bias_corrected",
    indices: str | Iterable[str] | None = None,
    environments: Iterable[EnvironmentIndex] | None = None,
    rng: np.random.Generator | int | None = None,
    n_jobs: int = 1,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
) -> SegregationResult:
    """Bootstrap standard errors and confidence intervals for every index and area-year.

    The individual bootstrap (default) resamples the pupils of each area-year: a
    multinomial draw over its school x group cells, with the number of pupils fixed.
    It answers: *how precisely do these pupils' choices measure the segregation of
    this set of schools?* The cluster bootstrap (``cluster=True``) resamples the schools
    with replacement: *how much would the index vary if the schools were a sample from
    a larger population of schools?* (usually not the case: all schools are observed).

    Parameters
    ----------
    result, n_boot, level, cluster, interval, indices, environments, rng, n_jobs, chunk_rows
        See :func:`infer`.

    Returns
    -------
    SegregationResult
        A new result whose table has ``se``, ``ci_low``, ``ci_high``, ``ci_level``,
        ``bias_corrected``, ``n_boot``, ``bootstrap`` and ``interval`` filled (null
        where the value is undefined).

    Examples
    --------
    >>> import pandas as pd, segspatial as ss
    >>> from segspatial.inference import bootstrap
    >>> df = pd.DataFrame({"school": ["I", "II", "III"], "a": [20, 130, 60],
    ...                    "b": [60, 30, 50]})
    >>> res = ss.segregation(df, "school", "a", "b", indices="dissimilarity",
    ...                      min_unit_size=0, min_area_size=0)
    >>> t = bootstrap(res, 2000, rng=1).table
    >>> bool(t["ci_low"].iloc[0] < t["value"].iloc[0] < t["ci_high"].iloc[0])
    True
    """
    if not isinstance(n_boot, bool) and n_boot in (0, 1):  # infer() allows 0
        raise ValueError(f"n_boot must be at least 2 (the bootstrap replicates), got "
                         f"{n_boot}")
    return infer(result, n_boot=n_boot, level=level, cluster=cluster, interval=interval,
                 indices=indices, environments=environments, rng=rng, n_jobs=n_jobs,
                 chunk_rows=chunk_rows).result


def randomisation_test(
    result: SegregationResult,
    null_draws: int = 1000,
    *,
    alternative: str = "greater",
    indices: str | Iterable[str] | None = None,
    environments: Iterable[EnvironmentIndex] | None = None,
    rng: np.random.Generator | int | None = None,
    n_jobs: int = 1,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
) -> SegregationResult:
    """Test every index against random allocation of the pupils to the schools.

    Each draw deals the area-year's pupils to its schools at random, keeping every
    school's size and both group totals fixed (exact: a multivariate hypergeometric
    draw, no per-pupil permutation). ``p_value`` = (k + 1) / (n + 1) with k the draws
    at least as extreme as the observed value; ``null_mean`` and ``null_se`` describe
    the index under random allocation (for D: the simulated E[D], which the exact
    ``dissimilarity_expected`` gives without noise, and the simulated SD of D, so D*
    carries a standard error under the null: ``null_se`` of
    ``dissimilarity_standardised``).

    Parameters
    ----------
    result, null_draws, alternative, indices, environments, rng, n_jobs, chunk_rows
        See :func:`infer`.

    Returns
    -------
    SegregationResult
        A new result whose table has ``p_value``, ``alternative``, ``null_mean``,
        ``null_se`` and ``n_null`` filled. ``p_value`` is null where the index
        cannot vary under random allocation (the expected D itself).

    Examples
    --------
    >>> import pandas as pd, segspatial as ss
    >>> from segspatial.inference import randomisation_test
    >>> df = pd.DataFrame({"school": ["I", "II", "III"], "a": [20, 130, 60],
    ...                    "b": [60, 30, 50]})
    >>> res = ss.segregation(df, "school", "a", "b", indices="dissimilarity",
    ...                      min_unit_size=0, min_area_size=0)
    >>> float(randomisation_test(res, 999, rng=1).table["p_value"].iloc[0])
    0.001
    """
    if not isinstance(null_draws, bool) and null_draws in (0, 1):  # infer() allows 0
        raise ValueError(f"null_draws must be at least 2 (the draws of the null "
                         f"distribution), got {null_draws}")
    return infer(result, null_draws=null_draws, alternative=alternative, indices=indices,
                 environments=environments, rng=rng, n_jobs=n_jobs,
                 chunk_rows=chunk_rows).result
