"""Distance kernels of the local environments."""

from __future__ import annotations

__all__ = ["DEFAULT_BANDWIDTHS", "GAUSSIAN_CUTOFF", "KERNELS", "PROFILE_BANDWIDTHS"]

#: Distance kernels for the local environments (``knn`` is chosen with ``k``).
KERNELS = ("gaussian", "biweight", "boxcar")
#: The gaussian kernel is cut off at this many bandwidths (weight exp(-12.5) < 4e-6).
GAUSSIAN_CUTOFF = 5.0
#: Bandwidths (metres) used when none are given.
DEFAULT_BANDWIDTHS = (500.0, 1000.0, 2000.0, 4000.0)
#: Bandwidths (metres) of :func:`multiscale_profile` when none are given (0 = aspatial).
PROFILE_BANDWIDTHS = (0.0, 250.0, 500.0, 1000.0, 2000.0, 4000.0, 8000.0, 16000.0)
#: Index names this module adds to results tables.
