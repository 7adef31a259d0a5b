"""Random streams keyed by content, so results never depend on chunking or order.

Used by inference (bootstrap, randomisation tests) and by the spatial module (Moran's I
permutations). Every area-year (of every comparison) gets its own generator, derived from the root
seed and a hash of *what* it is (task, comparison, area, year), not of *where* it sits
in the table. Hence:

* the same seed gives byte-identical replicates whatever the replicate chunk size, the
  number of threads, the order of the input rows, or which other areas are in the run
  (Amsterdam 2018's interval is the same computed alone or with the whole country);
* the bootstrap and the randomisation test use different streams (``task``), and
  separate calls with the same seed reproduce the draws of a combined call.

Derivation: :class:`numpy.random.SeedSequence` with the root entropy and the key hash as
``spawn_key`` (the mechanism ``SeedSequence.spawn`` itself uses), so streams are
statistically independent.
"""

from __future__ import annotations

import hashlib
from collections.abc import Hashable, Sequence
from numbers import Integral
from typing import Any

import numpy as np
import pandas as pd

from segspatial._defaults import DRAWS_SEED

__all__ = ["DEFAULT_SEED", "TASKS", "canonical_key", "check_rng", "root_seed", "stream"]

#: The seed the front ends use when none is given (the command line's ``--seed``, QGIS's
#: SEED): the same input gives the same intervals, p-values and permutations.
DEFAULT_SEED = DRAWS_SEED

#: Task codes: one family of streams per kind of draw.
TASKS = {"bootstrap": 1, "cluster": 2, "null": 3, "moran": 4}


def check_rng(rng: Any, argument: str = "rng") -> None:
    """Refuse anything but a Generator, a non-negative int or None (TypeError/ValueError)."""
    if rng is None or isinstance(rng, np.random.Generator):
        return
    if isinstance(rng, Integral) and not isinstance(rng, bool):
        if int(rng) < 0:
            raise ValueError(f"{argument} must be a non-negative int seed, got {rng!r}")
        return
    raise TypeError(f"{argument} must be a numpy Generator, an int seed or None, got {rng!r}")


def root_seed(rng: np.random.Generator | int | None) -> np.random.SeedSequence:
    """The root :class:`~numpy.random.SeedSequence` of a run.

    An int is the entropy itself; a Generator gives 128 bits of entropy from its stream
    (advancing it once, so successive calls with one Generator differ); None takes fresh
    entropy from the operating system (recorded in the result's parameters).
    """
    check_rng(rng)
    if isinstance(rng, np.random.Generator):
        words = rng.integers(0, 2**63, size=2, dtype=np.int64)
        return np.random.SeedSequence([int(w) for w in words])
    return np.random.SeedSequence(None if rng is None else int(rng))


def _plain(value: Any) -> Any:
    """A key value in a form whose repr does not depend on numpy or on float vs int."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if value is None or (not isinstance(value, str | bytes | tuple) and pd.isna(value)):
        return None  # None, NaN, pd.NA, NaT: "no value"
    return value


def canonical_key(parts: Sequence[Hashable]) -> tuple[int, ...]:
    """A content hash of ``parts`` as four 32-bit words (for ``spawn_key``).

    ``2019``, ``np.int64(2019)`` and ``2019.0`` hash alike; ``"2019"`` does not.
    """
    text = "\x1f".join(f"{type(v).__name__}:{v!r}" for v in map(_plain, parts))
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()
    return tuple(int.from_bytes(digest[i:i + 4], "little") for i in range(0, 16, 4))


def stream(root: np.random.SeedSequence, task: str, key: tuple[int, ...]) -> np.random.Generator:
    """The generator of one area-year for one task."""
    seq = np.random.SeedSequence(root.entropy,
                                 spawn_key=(*root.spawn_key, TASKS[task], *key))
    return np.random.Generator(np.random.PCG64(seq))
