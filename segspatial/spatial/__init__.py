"""Spatial segregation indices: local environments, multi-scale profiles and the
checkerboard diagnostics.

The aspatial indices cannot tell a *checkerboard* (segregated schools side by side:
local sorting by school choice) from a city split into two *halves* (segregation that
follows where people live). This module measures where segregation happens:

* **Local environments** (Reardon & O'Sullivan 2004): each unit's local environment is
  the kernel-weighted sum of the counts of the units around it, itself included with
  weight 1: ``ã_j = Σ_k w_jk a_k``. All units of all area-years are smoothed with one
  sparse product ``W @ [a, b]``; nothing is rounded. Kernels (``z = d / h``, bandwidth
  ``h`` in metres): ``gaussian`` ``exp(-z²/2)`` (cut off at ``d >= 5h``, where the
  weight is below 4e-6), ``biweight`` ``(1 - z²)²`` for ``z < 1``, ``boxcar`` 1 for
  ``z < 1``; or the ``k`` nearest neighbours (weight 1 each). Bandwidth 0 (or k = 0)
  leaves only the self-weights: the aspatial index.
* **Spatial indices** (weights = each unit's own pupils ``t_j``, ``p̃_j = ã_j / t̃_j``,
  ``P`` and ``E(P)`` of the area): ``spatial_dissimilarity`` = Σ t_j |p̃_j − P| /
  (2 T P (1 − P)) and ``spatial_theil_h`` = 1 − Σ t_j E(p̃_j) / (T E(P)). With
  self-weights only they are the aspatial D and H. A checkerboard town's local
  environments are mixed, so its spatial indices fall quickly with the bandwidth;
  a two-halves town keeps them high.
* **Between / within districts** (Theil's H is exactly decomposable):
  H = ``theil_h_between`` + ``theil_h_within``.
* **Checkerboard diagnostics**: Moran's I of the units' shares of A (positive: like
  sits next to like; negative: a checkerboard), with a permutation p-value, and
  Morrill's adjusted D on the units' Voronoi catchments.
* **Local measures** per unit, for maps: p_j, p̃_j, the gap p_j − p̃_j (how unlike its
  surroundings a school is) and the unit's contribution to D.

Context: by default only units of the same area and year are neighbours
(``context="area"``); ``context="all"`` lets units of the same year across area borders
count (the indices are still reported per area).

References
----------
Reardon, S. F. & O'Sullivan, D. (2004). Measures of spatial segregation.
    *Sociological Methodology* 34, 121-162.
Reardon, S. F. & Firebaugh, G. (2002). Measures of multigroup segregation.
    *Sociological Methodology* 32, 33-67.
Morrill, R. L. (1991). On the measure of geographic segregation. *Geography Research
    Forum* 11, 25-36.
Moran, P. A. P. (1950). Notes on continuous stochastic phenomena. *Biometrika* 37,
    17-23.
"""


from segspatial.spatial._args import SPATIAL_INDICES
from segspatial.spatial._engine import spatial_segregation
from segspatial.spatial.environments import spatial_weights
from segspatial.spatial.kernels import (
    DEFAULT_BANDWIDTHS,
    GAUSSIAN_CUTOFF,
    KERNELS,
    PROFILE_BANDWIDTHS,
)
from segspatial.spatial.local import local_measures
from segspatial.spatial.profile import multiscale_profile

__all__ = [
    "DEFAULT_BANDWIDTHS",
    "GAUSSIAN_CUTOFF",
    "KERNELS",
    "PROFILE_BANDWIDTHS",
    "SPATIAL_INDICES",
    "local_measures",
    "multiscale_profile",
    "spatial_segregation",
    "spatial_weights",
]
