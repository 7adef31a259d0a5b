"""Spatial segregation indices: local environments, multi-scale profiles and the
checkerboard diagnostics.

The aspatial indices cannot tell a *checkerboard* (segregated schools side by side:
local sorting by school choice) from a city split into two *halves* (segregation that
follows where people live). This package measures where segregation happens:

* **Local environments** (:mod:`~segspatial.spatial.environments`): kernel weights
  ``w_jk = f(d_jk / h)`` between the units of an area-year (bandwidth ``h`` in metres;
  kernels in :data:`KERNELS`: ``gaussian`` exp(-z²/2) cut off at 5h, ``biweight``,
  ``boxcar``; or the ``k`` nearest neighbours), built in bounded memory.
* **Spatial D and H** (default: *dispersal* environments). The weights are normalised
  per source unit, ``K_jk = w_jk / Σ_i w_ik``: each unit's pupils are spread over
  the environments of the units around it and every pupil counts once,
  ``ã = K a``, ``b̃ = K b``. ``spatial_dissimilarity`` = ½ Σ_j |ã_j/A − b̃_j/B| and
  ``spatial_theil_h`` = 1 − Σ_j t̃_j E(ã_j/t̃_j) / (T E(P)). K is a Markov kernel, so
  0 <= spatial <= aspatial by construction (proof in :func:`spatial_segregation`):
  the spatial value is the part of the aspatial value that remains when units within
  about h count as one place. A checkerboard town's spatial indices fall quickly with
  the bandwidth; a two-halves town keeps them high. The Reardon & O'Sullivan (2004)
  form (local shares weighted by each unit's own pupils, which can be negative) is
  ``definition="reardon_osullivan"``.
* **Spatial exposure and isolation** (on request): Massey & Denton's aPb, aPa, bPb,
  bPa on the same environments (``spatial_exposure_ab``, ``spatial_isolation_a``, ...),
  between the group's overall share and the aspatial value.
* **Between / within districts**: H = ``theil_h_between`` + ``theil_h_within``.
* **Checkerboard diagnostics**: Moran's I of the units' shares of A (positive: like
  sits next to like; negative: a checkerboard), with a permutation p-value, and
  Morrill's adjusted D on frame-free (Delaunay / Voronoi) contiguity.
* **Local measures** per unit, for maps: p_j, p̃_j, the gap p_j − p̃_j and the unit's
  part in D and in the spatial D.
* **Operators for resampling**: :func:`environment_operator` builds K once (sparse, per
  area-year) and :func:`spatial_dissimilarity_theil` applies it to many count vectors
  (e.g. bootstrap replicates) at once.

Context: by default only units of the same area and year are neighbours
(``context="area"``); ``context="all"`` lets units of the same year across area borders
count (the indices are still reported per area).

References
----------
Reardon, S. F. & O'Sullivan, D. (2004). Measures of spatial segregation.
    *Sociological Methodology* 34, 121-162.
Reardon, S. F. & Firebaugh, G. (2002). Measures of multigroup segregation.
    *Sociological Methodology* 32, 33-67.
Mora, R. & Ruiz-Castillo, J. (2011). Entropy-based segregation indices.
    *Sociological Methodology* 41, 159-194.
Morrill, R. L. (1991). On the measure of geographic segregation. *Geography Research
    Forum* 11, 25-36.
Moran, P. A. P. (1950). Notes on continuous stochastic phenomena. *Biometrika* 37,
    17-23.
"""

from segspatial.spatial._args import DEFINITIONS, SPATIAL_INDICES
from segspatial.spatial._engine import spatial_segregation
from segspatial.spatial.environments import environment_operator, spatial_weights
from segspatial.spatial.formulas import (
    spatial_dissimilarity_theil,
    spatial_exposure_isolation,
    spatial_multigroup_theil,
)
from segspatial.spatial.kernels import (
    DEFAULT_BANDWIDTHS,
    GAUSSIAN_CUTOFF,
    KERNELS,
    PROFILE_BANDWIDTHS,
    register_kernel,
)
from segspatial.spatial.local import local_measures
from segspatial.spatial.multigroup import (
    SPATIAL_MULTIGROUP_INDICES,
    spatial_multigroup_segregation,
)
from segspatial.spatial.profile import multiscale_profile

__all__ = [
    "DEFAULT_BANDWIDTHS",
    "DEFINITIONS",
    "GAUSSIAN_CUTOFF",
    "KERNELS",
    "PROFILE_BANDWIDTHS",
    "SPATIAL_INDICES",
    "SPATIAL_MULTIGROUP_INDICES",
    "environment_operator",
    "local_measures",
    "multiscale_profile",
    "register_kernel",
    "spatial_dissimilarity_theil",
    "spatial_exposure_isolation",
    "spatial_multigroup_segregation",
    "spatial_multigroup_theil",
    "spatial_segregation",
    "spatial_weights",
]
