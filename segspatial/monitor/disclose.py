"""Disclosure control for the monitor's output (``min_cell``).

:func:`disclose_result` returns a copy of a :class:`~segspatial.monitor.compute.
MonitorResult` in which no count below ``min_cell`` is left and nothing that gives
one back:

* *Primary suppression*: a region-year (or a programme in a region-year) with fewer
  than N women or men (lower bound or point count) is suppressed: its counts, bounds,
  share, gap and change are NaN and ``suppressed`` is True. A count of unknown sex
  below N is withheld on its own (``unknown``, ``unknown_low``, ``unknown_high``).
* *Complementary suppression by audit*: every published count is a sum over
  municipalities (and programmes), so an attacker knows every linear combination of
  the published counts: the nation minus the shown regions, a region minus its shown
  municipalities, a labour-market region minus a province, a region minus its shown
  programmes. Per year, the representation and programme tables form one linear
  system over (municipality, programme) counts; a withheld count is *determined*
  when its row lies in the span of the published rows (computed with an SVD). While
  one is, the published row with the smallest group among those that determine it is
  suppressed too (Hundepool et al. 2012, *Statistical Disclosure Control*, ch. 5:
  each hidden count is left a range, never a value). The counts of unknown sex, and
  the segregation table's counts (``n_a``, ``n_b``, and ``n_pupils``, whose difference
  is the unknown sex) are audited the same way, over municipalities.
* the change, trend and target year of a region are withheld when a share they use
  is suppressed;
* D, E[D], D* and H values are rounded to 3 decimals (as the pages show them; their
  ranges outwards, so they still contain every feasible value), and withheld
  with the counts of a suppressed region-year; the exclusions' counts follow the
  counts they repeat, and any other below N is NaN.

The audit needs the municipality rows (every count is a sum of them): with
``min_cell`` the monitor must include the municipality level (the default). With the
engine's filters (``min_unit_size``, ``min_area_size``) the segregation counts of a
region are no longer the sum of its municipalities' and the audit treats them as if
they were (the filters only remove what is published). DUO's own ``"<5"`` cells are
already intervals; with N <= 5 they are shown as such. This is the project's current
rule set; it is to be aligned with the disclosure module under design
(``segspatial.disclosure``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from segspatial._mapdata import check_min_cell
from segspatial.monitor.compute import MonitorResult

__all__ = ["audit_suppression", "disclose_result"]

_COUNTS = ["women", "men", "unknown", "women_low", "women_high", "men_low", "men_high",
           "unknown_low", "unknown_high"]
_UNKNOWN = ["unknown", "unknown_low", "unknown_high"]
_SHARES = ["share", "share_low", "share_high", "share_uncensored", "gap", "gap_low",
           "gap_high", "change", "trend"]
_TOL = 1e-9
_PRIORITY = 1e15  # added to a region total's size: programme rows are hidden first


def _relations(rows: np.ndarray, classes: np.ndarray) -> list[np.ndarray]:
    """Every published identity "row = sum of the rows of one class inside it" (a region
    and its municipalities, a region and its programmes): rows of one class are
    disjoint; the first index of each relation is the total."""
    inside = (rows @ (1.0 - rows).T) == 0  # inside[c, p]: row c lies within row p
    nonempty = rows.any(axis=1)
    members = {k: np.flatnonzero((classes == k) & nonempty) for k in np.unique(classes)}
    out = []
    for p in np.flatnonzero(nonempty):
        for k, rows_k in members.items():
            if k == classes[p]:
                continue
            parts = rows_k[inside[rows_k, p]]
            if parts.size and np.array_equal(rows[parts].sum(axis=0), rows[p]):
                out.append(np.r_[p, parts])
    return out


def _audit(rows: np.ndarray, hidden: np.ndarray, size: np.ndarray,
           classes: np.ndarray | None) -> np.ndarray:
    rows = np.asarray(rows, dtype=np.float64)
    hidden = np.asarray(hidden, dtype=bool).copy()
    size = np.asarray(size, dtype=np.float64)
    if rows.shape[0] == 0:
        return hidden
    # rows with the same vector are one count: hidden together, at the cost of the
    # largest of them (a programme that is its region's only one is the region total)
    same = np.unique(rows, axis=0, return_inverse=True)[1].ravel()
    cost = pd.Series(np.nan_to_num(size, nan=np.inf)).groupby(same).transform("max") \
        .to_numpy()
    order = np.lexsort((np.arange(len(cost)), cost))
    rank = np.empty(len(cost), dtype=np.int64)
    rank[order] = np.arange(len(cost))
    hidden |= pd.Series(hidden).groupby(same).transform("any").to_numpy(dtype=bool)
    relations = _relations(rows, np.asarray(classes)) if classes is not None else []

    def propagate(hidden: np.ndarray) -> np.ndarray:
        changed = True
        while changed:  # each change hides one more row: this ends
            changed = False
            for members in relations:
                h = hidden[members]
                if h.sum() == 1:
                    others = members[~h]
                    hidden = hidden | (same == same[others[np.argmin(rank[others])]])
                    changed = True
        return hidden

    hidden = propagate(hidden)
    nonempty = rows.sum(axis=1) > 0
    while hidden.any() and not hidden.all():
        # one row per group of equal rows: the published rows S, G = SᵀS = QΛQᵀ
        shown = np.flatnonzero(~hidden)
        shown = shown[np.unique(same[shown], return_index=True)[1]]
        a = rows[shown]
        values, vectors = np.linalg.eigh(a.T @ a)
        big = values > _TOL * max(1.0, float(values[-1]) if values.size else 1.0)
        null = vectors[:, ~big]  # directions the published rows do not see
        hid = np.flatnonzero(hidden & nonempty)
        found = hid[np.linalg.norm(rows[hid] @ null, axis=1) < 1e-7]
        if found.size == 0:
            break
        # the cheapest determined row; its least-norm combination c_r = r·G⁺h. Hiding
        # a published row r leaves h undetermined exactly when r is the only row that
        # sees some direction (leverage r·G⁺r = 1) and r takes part (c_r != 0): then
        # G⁺r is a direction no other row sees, and h has a component along it.
        h = found[np.argmin(rank[found])]
        q = vectors[:, big] / np.sqrt(values[big])  # G⁺ = q qᵀ
        aq = a @ q
        coef = aq @ (q.T @ rows[h])
        leverage = np.einsum("ij,ij->i", aq, aq)
        used = np.abs(coef) > 1e-8
        breaking = used & (leverage > 1 - 1e-8)
        pool = shown[breaking] if breaking.any() else shown[used]
        if pool.size == 0:  # cannot happen for a determined non-empty row
            break
        pick = pool[np.argmin(rank[pool])]
        hidden = propagate(hidden | (same == same[pick]))
    return hidden


def audit_suppression(rows: np.ndarray, hidden: np.ndarray, size: np.ndarray,
                      classes: np.ndarray | None = None) -> np.ndarray:
    """Complementary suppression until no hidden row follows from the published ones.

    Each row is a published sum of "atoms" (counts nobody sees): ``rows[i, j]`` is 1
    when atom j is in row i. Rows with the same vector are one count (hidden
    together). The published rows S determine a hidden row h exactly when h lies in
    their span (h is orthogonal to the null space of G = SᵀS). While one does, the
    cheapest determined row is protected by hiding one more published row: among the
    rows of its least-norm combination (coefficients r·G⁺h), the cheapest whose
    hiding breaks it (a row r with leverage r·G⁺r = 1 sees a direction no other row
    sees; with r·G⁺h != 0, h has a component along it), else the cheapest of them.
    Each round hides at least one more row, so this ends. The result is checked by
    the same linear algebra: no hidden row is determined by the published ones.

    Parameters
    ----------
    rows : numpy.ndarray
        Shape (n_rows, n_atoms), 0/1.
    hidden : numpy.ndarray
        Shape (n_rows,), bool: the rows withheld so far (primary suppression).
    size : numpy.ndarray
        Shape (n_rows,): the smaller group of each row; the smallest published row of
        a determining combination is hidden first (ties: the first row).
    classes : numpy.ndarray, optional
        Shape (n_rows,): rows of one class are disjoint (one level of one table). With
        it, a first pass hides, for every identity "total = its parts of one class"
        with exactly one member hidden, the smallest other member (the classic
        complementary suppression, which picks the rows that matter); the linear
        audit then checks everything.

    Returns
    -------
    numpy.ndarray
        The hidden rows (a superset of ``hidden``).

    Examples
    --------
    A total and its three parts, one part hidden: the total minus the two shown
    parts gives it, so the smallest shown part is hidden as well.

    >>> rows = np.array([[1, 1, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]])
    >>> audit_suppression(rows, np.array([False, True, False, False]),
    ...                   np.array([60, 3, 40, 17])).tolist()
    [False, True, False, True]
    """
    from threadpoolctl import threadpool_limits

    # small dense matrices (hundreds of rows): BLAS threads only contend on them (on a
    # busy 2-core machine one decomposition took 2 s threaded, 0.05 s on one thread)
    with threadpool_limits(limits=1, user_api="blas"):
        return _audit(rows, hidden, size, classes)


def _members(mapping: Any, frame: pd.DataFrame, municipalities: list[str]
             ) -> list[set[str]]:
    """The municipalities each row (``level``, ``area``) sums over."""
    lookups: dict[str, pd.Series] = {}
    out = []
    everyone = set(municipalities)
    for level, area in zip(frame["level"], frame["area"], strict=True):
        if level == "national":
            out.append(everyone)
        elif level == "municipality":
            out.append({area})
        else:
            if level not in lookups:
                lookups[level] = mapping.lookup(level)["region"]
            lookup = lookups[level]
            out.append(set(lookup.index[(lookup == area).to_numpy()]) & everyone)
    return out


def _system(parts: list[tuple[pd.DataFrame, str | None]], mapping: Any,
            municipalities: list[str]) -> np.ndarray:
    """0/1 rows over the atoms, for the frames stacked in order.

    With a frame keyed by unit (``by``, the programmes) the atoms are the
    (municipality, unit) pairs that have a municipality row: a pair without one holds
    nobody, and an attacker knows that. A frame with ``by`` None sums over every unit
    of its municipalities; without any unit frame the atoms are the municipalities.
    """
    unit_frames = [(f, by) for f, by in parts if by is not None]
    if unit_frames:
        atoms = sorted({(m, str(u)) for f, by in unit_frames
                        for m, u in f.loc[f["level"] == "municipality", ["area", by]]
                        .itertuples(index=False, name=None)})
    else:
        atoms = [(m, "") for m in municipalities]
    by_municipality: dict[str, list[int]] = {}
    for j, (m, _) in enumerate(atoms):
        by_municipality.setdefault(m, []).append(j)
    index = {a: j for j, a in enumerate(atoms)}
    blocks = []
    for frame, by in parts:
        members = _members(mapping, frame, municipalities)
        block = np.zeros((len(frame), len(atoms)))
        units = frame[by].astype(str).tolist() if by is not None else None
        for i, ms in enumerate(members):
            for m in ms:
                if units is None:
                    block[i, by_municipality.get(m, [])] = 1.0
                elif (m, units[i]) in index:
                    block[i, index[(m, units[i])]] = 1.0
        blocks.append(block)
    return np.vstack(blocks) if blocks else np.zeros((0, len(atoms)))


def _small(frame: pd.DataFrame, columns: list[str], min_cell: int) -> np.ndarray:
    values = frame[columns].to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        return (np.isfinite(values) & (values < min_cell)).any(axis=1)


def _already(*frames: pd.DataFrame) -> np.ndarray:
    """Rows suppressed by an earlier disclosure (their counts are NaN already)."""
    return np.concatenate([f["suppressed"].fillna(False).to_numpy(dtype=bool)
                           if "suppressed" in f.columns else np.zeros(len(f), dtype=bool)
                           for f in frames])


def _audit_tables(rep: pd.DataFrame, prog: pd.DataFrame, mapping: Any, min_cell: int,
                  extra_hidden: np.ndarray | None = None
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Hidden rows (women/men) and hidden unknown-sex counts of the representation and
    programme tables, audited together per year."""
    rep_hidden = np.zeros(len(rep), dtype=bool)
    prog_hidden = np.zeros(len(prog), dtype=bool)
    rep_unknown = np.zeros(len(rep), dtype=bool)
    prog_unknown = np.zeros(len(prog), dtype=bool)
    groups = ["women", "women_low", "men", "men_low"]
    for year in sorted(rep["year"].unique()):
        r = np.flatnonzero((rep["year"] == year).to_numpy())
        p = np.flatnonzero((prog["year"] == year).to_numpy())
        r_frame, p_frame = rep.iloc[r], prog.iloc[p]
        municipalities = sorted(r_frame.loc[r_frame["level"] == "municipality", "area"])
        rows = _system([(r_frame, None), (p_frame, "unit")], mapping, municipalities)
        frames = pd.concat([r_frame[groups + _UNKNOWN], p_frame[groups + _UNKNOWN]])
        size = np.fmin(frames[["women_low", "women"]].min(axis=1).to_numpy(dtype=float),
                       frames[["men_low", "men"]].min(axis=1).to_numpy(dtype=float))
        primary = _small(frames, groups, min_cell) | _already(r_frame, p_frame)
        if extra_hidden is not None:
            primary[: len(r)] |= extra_hidden[r]
        # the regions' totals are what the monitor is for: complements are taken from
        # the programme rows first, smallest first
        size[: len(r)] += _PRIORITY
        classes = np.r_["rep|" + r_frame["level"].to_numpy(dtype=str).astype(object),
                        "prog|" + p_frame["level"].to_numpy(dtype=str).astype(object)]
        hidden = audit_suppression(rows, primary, size, classes)
        unknown_size = frames["unknown"].to_numpy(dtype=float)
        unknown_size[: len(r)] += _PRIORITY
        unknown = hidden | _small(frames, _UNKNOWN, min_cell)
        unknown = audit_suppression(rows, unknown, unknown_size, classes)
        rep_hidden[r], prog_hidden[p] = hidden[: len(r)], hidden[len(r):]
        rep_unknown[r], prog_unknown[p] = unknown[: len(r)], unknown[len(r):]
    return rep_hidden, prog_hidden, rep_unknown, prog_unknown


def _audit_segregation(seg: pd.DataFrame, mapping: Any, min_cell: int,
                       forced: pd.Series | None) -> tuple[pd.Series, pd.Series]:
    """Hidden region-years of the segregation table (``n_a``/``n_b``) and of its
    unknown sex (``n_pupils`` - ``n_a`` - ``n_b``), indexed by level, area, year."""
    keys = ["level", "area", "year"]
    ay = seg.drop_duplicates(keys).reset_index(drop=True)
    hidden = np.zeros(len(ay), dtype=bool)
    unknown = np.zeros(len(ay), dtype=bool)
    ay_unknown = (ay["n_pupils"] - ay["n_a"] - ay["n_b"]).to_numpy(dtype=float)
    for year in sorted(ay["year"].unique()):
        r = np.flatnonzero((ay["year"] == year).to_numpy())
        frame = ay.iloc[r]
        municipalities = sorted(frame.loc[frame["level"] == "municipality", "area"])
        rows = _system([(frame, None)], mapping, municipalities)
        primary = _small(frame, ["n_a", "n_b"], min_cell) | _already(frame)
        if forced is not None:
            primary |= pd.MultiIndex.from_frame(frame[keys]).map(forced).fillna(False) \
                .to_numpy(dtype=bool)
        size = frame[["n_a", "n_b"]].min(axis=1).to_numpy(dtype=float)
        classes = frame["level"].to_numpy(dtype=object)
        h = audit_suppression(rows, primary, size, classes)
        u = ay_unknown[r]
        with np.errstate(invalid="ignore"):
            small_u = np.isfinite(u) & (u < min_cell)
        hidden[r] = h
        unknown[r] = audit_suppression(rows, h | small_u, u, classes)
    index = pd.MultiIndex.from_frame(ay[keys])
    return pd.Series(hidden, index=index), pd.Series(unknown, index=index)


def disclose_result(result: MonitorResult, min_cell: int | None) -> MonitorResult:
    """The result with every count below ``min_cell`` withheld (see the module notes).

    Parameters
    ----------
    result : MonitorResult
    min_cell : int or None
        The threshold; None returns ``result`` unchanged.

    Returns
    -------
    MonitorResult
        Tables with a ``suppressed`` column; ``parameters["min_cell"]`` is set.

    Raises
    ------
    ValueError
        If the result has no municipality rows (the audit sums every count over them).
    """
    min_cell = check_min_cell(min_cell)
    if min_cell is None or result.parameters.get("min_cell") == min_cell:
        return result  # nothing to do, or disclosed with this threshold already
    rep = result.representation.copy()
    if not (rep["level"] == "municipality").any():
        raise ValueError("min_cell: disclosure control needs the municipality level (every "
                         "published count is a sum of municipalities, which the check of "
                         "differences between levels uses); compute the monitor with the "
                         "default levels")
    prog = result.programmes.copy()
    seg = result.segregation.copy()
    keys = ["level", "area", "year"]
    same_counts = result.parameters.get("segregation_scope") == "selection"
    seg_hidden, seg_unknown = _audit_segregation(seg, result.mapping, min_cell, None)
    forced = None
    if same_counts:  # the segregation counts are the representation's: hide them alike
        forced = pd.MultiIndex.from_frame(rep[keys]).map(seg_hidden).fillna(False) \
            .to_numpy(dtype=bool)
    rep_hidden, prog_hidden, rep_unknown, prog_unknown = _audit_tables(
        rep, prog, result.mapping, min_cell, forced)
    if same_counts:
        seg_hidden, seg_unknown = _audit_segregation(
            seg, result.mapping, min_cell,
            pd.Series(rep_hidden, index=pd.MultiIndex.from_frame(rep[keys])))

    rep["suppressed"] = rep_hidden
    rep.loc[rep_hidden, _COUNTS + _SHARES] = np.nan
    rep.loc[rep_unknown, _UNKNOWN] = np.nan
    # a change or trend that uses a suppressed share would give it back
    ever = rep.groupby(["level", "area"])["suppressed"].cummax().to_numpy()
    before = rep.groupby(["level", "area"])["suppressed"].shift(1, fill_value=False) \
        .to_numpy(dtype=bool)
    rep.loc[before, "change"] = np.nan
    rep.loc[ever, ["trend"]] = np.nan
    rep["target_year"] = rep["target_year"].mask(ever)
    rep.loc[ever, "target_status"] = "hidden"

    prog["suppressed"] = prog_hidden
    cols = [c for c in prog.columns if c.startswith(("women", "men", "share"))]
    prog.loc[prog_hidden, cols] = np.nan
    unknown_cols = [c for c in prog.columns if c.startswith("unknown")]
    prog.loc[prog_unknown | prog_hidden, unknown_cols] = np.nan

    seg_index = pd.MultiIndex.from_frame(seg[keys])
    hidden = seg_index.map(seg_hidden).fillna(False).to_numpy(dtype=bool)
    unknown = seg_index.map(seg_unknown).fillna(False).to_numpy(dtype=bool)
    seg["suppressed"] = hidden
    seg.loc[hidden, ["value", "low", "high", "n_a", "n_b", "n_pupils"]] = np.nan
    seg.loc[unknown, "n_pupils"] = np.nan
    # 3 decimals, as the pages show them; the range rounded outwards so that it still
    # contains every feasible value
    seg["value"] = seg["value"].round(3)
    seg["low"] = np.floor(seg["low"].to_numpy(dtype=float) * 1000 + 1e-9) / 1000
    seg["high"] = np.ceil(seg["high"].to_numpy(dtype=float) * 1000 - 1e-9) / 1000

    ex = result.exclusions.copy()
    ex_index = pd.MultiIndex.from_frame(ex[keys].astype(object))
    repeats_unknown = (ex["reason"] == "not_in_comparison").to_numpy()
    repeats_total = ex["reason"].isin(["too_few_units", "group_absent"]).to_numpy()
    withheld = ((repeats_unknown & ex_index.map(seg_unknown).fillna(False)
                 .to_numpy(dtype=bool))
                | (repeats_total & ex_index.map(seg_unknown | seg_hidden).fillna(False)
                   .to_numpy(dtype=bool)))
    for col in ("low", "high"):
        values = pd.to_numeric(ex[col], errors="coerce")
        ex[col] = values.where(~((values < min_cell) | withheld))
    parameters = {**result.parameters, "min_cell": min_cell}
    return replace(result, representation=rep, programmes=prog, segregation=seg,
                   exclusions=ex, parameters=parameters)
