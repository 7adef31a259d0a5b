"""Defaults the command line shows in its help (no imports: ``--help`` stays quick)."""

from __future__ import annotations

__all__ = ["CHANGE_BOOTSTRAP", "DEFAULT_SEED", "DRAWS_SEED"]

#: Seed of the synthetic demo data (:mod:`segspatial.demo`).
DEFAULT_SEED = 20091001

#: Seed of the random draws (bootstrap, null draws, permutations) when none is given: the
#: command line's ``--seed`` and QGIS's SEED, so the same input gives the same output.
DRAWS_SEED = 0

#: Bootstrap replicates per area-year of a change over time when none are given (the
#: command line's ``change --bootstrap`` and QGIS's change BOOTSTRAP): a change needs
#: replicates for its interval.
CHANGE_BOOTSTRAP = 1000
