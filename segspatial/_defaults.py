"""Defaults the command line shows in its help (no imports: ``--help`` stays quick)."""

from __future__ import annotations

__all__ = ["DEFAULT_SEED"]

#: Seed of the synthetic demo data (:mod:`segspatial.demo`).
DEFAULT_SEED = 20091001
