"""Random streams keyed by content: see :mod:`segspatial._streams` (shared with the
spatial module's permutations, which sits to the left of inference)."""

from segspatial._streams import (
    DEFAULT_SEED,
    TASKS,
    canonical_key,
    check_rng,
    root_seed,
    stream,
)

__all__ = ["DEFAULT_SEED", "TASKS", "canonical_key", "check_rng", "root_seed", "stream"]
