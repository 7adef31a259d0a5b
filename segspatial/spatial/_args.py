"""Argument checks shared by the spatial functions: scales, context, coordinates."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas as pd

from segspatial.spatial.kernels import DEFAULT_BANDWIDTHS, KERNELS

_CONTEXTS = ("area", "all")
#: Index names the spatial functions add to results tables.
SPATIAL_INDICES = ("spatial_dissimilarity", "spatial_theil_h", "spatial_isolation_a",
                   "spatial_exposure_ab", "spatial_isolation_b", "spatial_exposure_ba",
                   "morans_i", "morans_i_p", "morrill_d", "theil_h_between",
                   "theil_h_within")
#: The spatial indices computed from the local environments (D, H, exposure, isolation).
ENVIRONMENT_INDICES = SPATIAL_INDICES[:6]
_DEFAULT_SPATIAL = ("spatial_dissimilarity", "spatial_theil_h", "morans_i", "morans_i_p",
                    "morrill_d")
#: Definitions of the local environments of the spatial D and H.
DEFINITIONS = ("dispersal", "reardon_osullivan")
#: Index names of the spatial D and H under the Reardon & O'Sullivan definition.
RO_NAMES = {name: f"{name}_ro" for name in ENVIRONMENT_INDICES}


@dataclass(frozen=True)
class _Scale:
    """One neighbourhood definition: a kernel and its bandwidth (or k for knn)."""

    kernel: str
    bandwidth: float

    @property
    def radius(self) -> float:
        """The largest distance with a non-zero weight (exclusive)."""
        if self.kernel == "knn":
            return np.inf
        return KERNELS[self.kernel].support * self.bandwidth


def _resolve_scales(bandwidth: Any, kernel: str | None, k: Any,
                    default: Sequence[float] = DEFAULT_BANDWIDTHS) -> list[_Scale]:
    """Validate ``bandwidth`` / ``kernel`` / ``k`` into a list of scales."""
    if kernel is not None and not isinstance(kernel, str):
        raise TypeError(f"kernel must be a string, got {kernel!r}")
    if k is not None:
        if bandwidth is not None:
            raise ValueError(
                f"give either bandwidth (metres) or k (nearest neighbours), not both; got "
                f"bandwidth={bandwidth!r} and k={k!r}"
            )
        if kernel not in (None, "knn"):
            raise ValueError(
                f"kernel={kernel!r} cannot be combined with k: the k nearest neighbours "
                "all weigh 1 (kernel 'knn'); leave kernel out"
            )
        values = [k] if isinstance(k, Integral | Real) else list(k)
        if not values:
            raise ValueError("k must name at least one number of neighbours, got []")
        for v in values:
            if isinstance(v, bool) or not isinstance(v, Integral) or v < 0:
                raise ValueError(f"k must hold whole numbers >= 0, got {v!r}")
        return [_Scale("knn", float(v)) for v in dict.fromkeys(int(v) for v in values)]
    if kernel == "knn":
        raise ValueError("kernel='knn' needs k, the number of nearest neighbours")
    kernel = "gaussian" if kernel is None else kernel
    if kernel not in KERNELS:
        raise ValueError(
            f"kernel must be one of {', '.join(KERNELS)} (or give k for nearest "
            f"neighbours), got {kernel!r}"
        )
    if bandwidth is None:
        values = list(default)
    elif isinstance(bandwidth, Real) and not isinstance(bandwidth, bool):
        values = [bandwidth]
    elif isinstance(bandwidth, str | bytes) or not isinstance(bandwidth, Iterable):
        raise TypeError(f"bandwidth must be a number of metres or a list of them, got "
                        f"{bandwidth!r}")
    else:
        values = list(bandwidth)
    if not values:
        raise ValueError("bandwidth must hold at least one number of metres, got []")
    for v in values:
        if isinstance(v, bool) or not isinstance(v, Real) or not np.isfinite(v) or v < 0:
            raise ValueError(
                f"bandwidth must hold finite numbers of metres >= 0 (0 = the unit alone), "
                f"got {v!r}"
            )
    return [_Scale(kernel, float(v)) for v in dict.fromkeys(float(v) for v in values)]


def _check_definition(definition: Any) -> str:
    if definition not in DEFINITIONS:
        raise ValueError(f"definition must be 'dispersal' (default: each unit's pupils spread "
                         f"over the environments around it) or 'reardon_osullivan' (local "
                         f"shares weighted by each unit's own pupils), got {definition!r}")
    return definition


def _check_context(context: Any) -> str:
    if context not in _CONTEXTS:
        raise ValueError(f"context must be 'area' (neighbours in the same area and year) or "
                         f"'all' (any unit of the same year), got {context!r}")
    return context


def _require_projected(crs: Any, argument: str = "crs") -> Any:
    """The CRS as a :class:`pyproj.CRS`, refusing geographic or non-metre ones."""
    from segspatial.geo import require_projected

    return require_projected(crs, argument)


def _check_contiguity(contiguity: Any, *, boundaries: Any, area_code: Any,
                      area: Any) -> bool:
    """Validate Morrill's contiguity; True when the catchments are clipped to polygons."""
    if contiguity not in ("delaunay", "voronoi_clipped"):
        raise ValueError(f"morrill_contiguity must be 'delaunay' (frame-free) or "
                         f"'voronoi_clipped' (Voronoi catchments clipped to boundaries), got "
                         f"{contiguity!r}")
    if boundaries is None and area_code is not None:
        raise ValueError("area_code was given without boundaries")
    if contiguity == "delaunay":
        if boundaries is not None:
            raise ValueError("boundaries are only used to clip Morrill's Voronoi catchments: "
                             "pass morrill_contiguity='voronoi_clipped' with them, or leave "
                             "them out (the default Delaunay contiguity needs no frame)")
        return False
    if boundaries is None:
        raise ValueError("morrill_contiguity='voronoi_clipped' needs boundaries (area "
                         "polygons) and area_code")
    if area is None:
        raise ValueError("boundaries need area: the column whose values match area_code")
    return True


def _check_locations(data: pd.DataFrame, unit: str, crs: Any, *, x: str, y: str) -> None:
    """Stop on coordinates that are missing, not numbers, or cannot be in ``crs`` (see
    :func:`segspatial.geo.check_area_of_use`), naming the rows by their file line
    (frames read by :func:`segspatial.io.read_table`) or index label, and their unit."""
    from segspatial.geo import check_area_of_use
    from segspatial.io import describe_rows, row_names

    values = []
    for argument, column in (("x", x), ("y", y)):
        v = pd.to_numeric(data[column], errors="coerce").to_numpy(dtype=np.float64,
                                                                   na_value=np.nan)
        bad = ~np.isfinite(v)
        if bad.any():
            raise ValueError(
                f"{argument}: column {column!r} has {int(bad.sum())} missing or non-numeric "
                f"coordinates ({describe_rows(data, data.index[bad], unit=unit)}); every "
                "unit needs a location (geocode it, e.g. by postcode, or drop it)")
        values.append(v)
    check_area_of_use(*values, crs, what=f"coordinate columns x={x!r}, y={y!r}",
                      option="crs=",
                      describe=lambda at: row_names(data, data.index[at], unit=unit))


def _coordinates(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The ``x`` and ``y`` columns of a counts frame whose locations were checked."""
    return tuple(pd.to_numeric(frame[c], errors="coerce").to_numpy(dtype=np.float64)
                 for c in ("x", "y"))


def _check_positive_int(value: Any, argument: str) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 0:
        raise ValueError(f"{argument} must be a whole number >= 0, got {value!r}")
    return int(value)


def _check_spatial_indices(names: Any, *, districts: bool) -> list[str]:
    if names is None:
        chosen = list(_DEFAULT_SPATIAL)
        if districts:
            chosen += ["theil_h_between", "theil_h_within"]
        return chosen
    names = [names] if isinstance(names, str) else list(names)
    bad = [n for n in names if n not in SPATIAL_INDICES]
    if bad:
        raise ValueError(f"spatial_indices: unknown {bad!r}; available: "
                         f"{', '.join(SPATIAL_INDICES)}")
    if not districts and {"theil_h_between", "theil_h_within"} & set(names):
        raise ValueError("spatial_indices: theil_h_between / theil_h_within need districts "
                         "(a GeoDataFrame or file of district polygons) and district_code")
    return list(dict.fromkeys(names))

