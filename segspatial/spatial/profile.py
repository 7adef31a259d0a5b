"""Multi-scale segregation profiles: the spatial D and H over many bandwidths."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from segspatial.spatial._engine import spatial_segregation
from segspatial.spatial.kernels import PROFILE_BANDWIDTHS

__all__ = ["multiscale_profile"]


def multiscale_profile(
    data: pd.DataFrame,
    unit: str,
    group_a: str,
    group_b: str,
    *,
    x: str,
    y: str,
    crs: Any,
    area: str | None = None,
    year: str | None = None,
    total: str | None = None,
    bandwidth: Sequence[float] | None = None,
    kernel: str | None = None,
    k: Sequence[int] | None = None,
    context: str = "area",
    definition: str = "dispersal",
    min_unit_size: float = 50,
    min_area_size: float = 10000,
) -> pd.DataFrame:
    """The spatial indices over a range of bandwidths, per area (and year).

    A segregation profile (Reardon et al. 2008): how D and H fall as the local
    environments widen. A two-halves town keeps its segregation up to the scale of
    its halves; a checkerboard town loses it within a few school spacings.

    Parameters
    ----------
    data, unit, group_a, group_b, x, y, crs, area, year, total, kernel, k, context
        As for :func:`spatial_segregation`.
    definition : {"dispersal", "reardon_osullivan"}
        As for :func:`spatial_segregation`; the dispersal profile starts at the
        aspatial D and H (bandwidth 0) and never exceeds them.
    bandwidth : sequence of float, optional
        Bandwidths in metres (default :data:`PROFILE_BANDWIDTHS`; 0 = aspatial).
    min_unit_size, min_area_size : float
        The report's filters (0 disables).

    Returns
    -------
    pandas.DataFrame
        A results table (:data:`segspatial.schema.RESULT_COLUMNS`) with the rows of
        ``spatial_dissimilarity`` and ``spatial_theil_h``, sorted by area, year, index
        and bandwidth.

    References
    ----------
    Reardon, S. F., Matthews, S. A., O'Sullivan, D., Lee, B. A., Firebaugh, G.,
    Farrell, C. R. & Bischoff, K. (2008). The geographic scale of metropolitan racial
    segregation. *Demography* 45(3), 489-514.
    """
    if bandwidth is None and k is None:
        bandwidth = PROFILE_BANDWIDTHS
    result = spatial_segregation(
        data, unit, group_a, group_b, x=x, y=y, crs=crs, area=area, year=year,
        total=total, bandwidth=bandwidth, kernel=kernel, k=k, context=context,
        definition=definition,
        indices="dissimilarity",
        spatial_indices=["spatial_dissimilarity", "spatial_theil_h"], permutations=0,
        min_unit_size=min_unit_size, min_area_size=min_area_size,
    )
    table = result.table
    table = table.loc[table["index"] != "dissimilarity"]
    return table.sort_values(["area", "year", "index", "bandwidth"], kind="stable",
                             na_position="first").reset_index(drop=True)

