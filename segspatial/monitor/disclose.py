"""Disclosure control for the monitor's output (``min_cell``).

:func:`disclose_result` returns a copy of a :class:`~segspatial.monitor.compute.
MonitorResult` in which no count below ``min_cell`` is left and nothing that gives
one back (as the report does for schools, see
:func:`segspatial._mapdata.suppressed_schools`):

* a region-year (or programme in a region-year) with fewer than N women or men
  (lower bound) is *suppressed*: its counts, bounds, share, gap and change are NaN and
  ``suppressed`` is True; where a level-year has exactly one suppressed region, the
  one with the next smallest group is suppressed too (complementary suppression, so
  the national total minus the other regions does not give it back);
* the change, trend and target year of a region are withheld when a share they use
  is suppressed;
* every other count below N (unknown sex, exclusions) is NaN;
* D and H values are rounded to 3 decimals (as the pages show them), and withheld
  where women or men in the region-year number fewer than N.

DUO's own ``"<5"`` cells are already intervals; with N <= 5 they are shown as such.
This is the project's current rule set; it is to be aligned with the disclosure
module under design (``segspatial.disclosure``).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from segspatial._mapdata import check_min_cell, suppressed_schools
from segspatial.monitor.compute import MonitorResult

__all__ = ["disclose_result"]

_COUNTS = ["women", "men", "unknown", "women_low", "women_high", "men_low", "men_high",
           "unknown_low", "unknown_high"]
_SHARES = ["share", "share_low", "share_high", "share_uncensored", "gap", "gap_low",
           "gap_high", "change", "trend"]


def _suppress(frame: pd.DataFrame, min_cell: int, by: list[str]) -> np.ndarray:
    """Primary (a group below N) and complementary suppression within ``by``."""
    a = frame[["women_low", "women"]].min(axis=1).to_numpy(dtype=float)
    b = frame[["men_low", "men"]].min(axis=1).to_numpy(dtype=float)
    key = frame[by].astype(str).agg("|".join, axis=1).to_numpy()
    return suppressed_schools(a, b, min_cell, area=key)


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
    """
    min_cell = check_min_cell(min_cell)
    if min_cell is None:
        return result
    rep = result.representation.copy()
    regional = rep["level"] != "national"
    hidden = np.zeros(len(rep), dtype=bool)
    hidden[regional.to_numpy()] = _suppress(rep[regional], min_cell, ["level", "year"])
    hidden[~regional.to_numpy()] = _suppress(rep[~regional], min_cell, ["year"])
    rep["suppressed"] = hidden
    rep.loc[hidden, _COUNTS + _SHARES] = np.nan
    # a change or trend that uses a suppressed share would give it back
    ever = rep.groupby(["level", "area"])["suppressed"].cummax().to_numpy()
    before = rep.groupby(["level", "area"])["suppressed"].shift(1, fill_value=False) \
        .to_numpy(dtype=bool)
    rep.loc[before, "change"] = np.nan
    rep.loc[ever, ["trend"]] = np.nan
    rep["target_year"] = rep["target_year"].mask(ever)
    rep.loc[ever, "target_status"] = "hidden"
    for col in ("unknown", "unknown_low", "unknown_high"):
        rep.loc[rep[col] < min_cell, col] = np.nan

    prog = result.programmes.copy()
    prog_hidden = _suppress(prog, min_cell, ["level", "area", "year"])
    prog["suppressed"] = prog_hidden
    cols = [c for c in prog.columns if c.startswith(("women", "men", "unknown", "share"))]
    prog.loc[prog_hidden, cols] = np.nan

    seg = result.segregation.copy()
    small = (seg["n_a"] < min_cell) | (seg["n_b"] < min_cell)
    seg["suppressed"] = small
    seg.loc[small, ["value", "low", "high", "n_a", "n_b", "n_pupils"]] = np.nan
    for col in ("value", "low", "high"):
        seg[col] = seg[col].round(3)

    ex = result.exclusions.copy()
    for col in ("low", "high"):
        values = pd.to_numeric(ex[col], errors="coerce")
        ex[col] = values.where(~(values < min_cell))
    parameters = {**result.parameters, "min_cell": min_cell}
    return replace(result, representation=rep, programmes=prog, segregation=seg,
                   exclusions=ex, parameters=parameters)
