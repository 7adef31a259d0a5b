"""Defaults the command line shows in its help (no imports: ``--help`` stays quick)."""

from __future__ import annotations

__all__ = ["CHANGE_BOOTSTRAP", "DEFAULT_SEED", "DRAWS_SEED", "FEW_BOOTSTRAP",
           "REPORT_BOOTSTRAP"]

#: Seed of the synthetic demo data (:mod:`segspatial.demo`).
DEFAULT_SEED = 20091001

#: Seed of the random draws (bootstrap, null draws, permutations) when none is given: the
#: command line's ``--seed`` and QGIS's SEED, so the same input gives the same output.
DRAWS_SEED = 0

#: Bootstrap replicates per area-year of a change over time when none are given (the
#: command line's ``change --bootstrap`` and QGIS's change BOOTSTRAP): a change needs
#: replicates for its interval.
CHANGE_BOOTSTRAP = 1000

#: Bootstrap replicates per area-year of a report when none are given (``report
#: --bootstrap``; 0 turns the intervals off): a municipality reading its page expects
#: each index with its margin of error and a change called rising or falling only when
#: it is clear. 1,000 replicates put the 2.5% and 97.5% percentiles within about
#: 0.1 standard error of their limit (Efron & Tibshirani 1993, ch. 19).
REPORT_BOOTSTRAP = 1000

#: Below this many bootstrap replicates (but at least 2) ``report`` and ``indices`` add a
#: note: the 2.5% and 97.5% percentiles of a few hundred replicates or fewer move a lot
#: from one seed to the next, so the intervals and "rising"/"falling" (an interval of
#: the change that excludes zero) are unstable (Efron & Tibshirani 1993, ch. 19, advise
#: 1,000 or more for percentile intervals).
FEW_BOOTSTRAP = 200
