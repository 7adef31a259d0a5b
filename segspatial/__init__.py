"""segspatial: school segregation indices, aspatial and spatial, with maps and reports.

The reference method is the Dutch school-segregation report (2009-2018, CBS pupil
microdata): the dissimilarity index, Carrington & Troske's standardised dissimilarity,
Theil's H and the correlation index, with small schools and small municipalities
filtered out.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from segspatial._exceptions import SegregationWarning
from segspatial.compute import SegregationResult, segregation, segregation_table
from segspatial.counts import (
    Counts,
    MultiCounts,
    apply_filters,
    exclusions_summary,
    prepare_counts,
    prepare_multigroup_counts,
)
from segspatial.indices import (
    DEFAULT_INDICES,
    DEFAULT_MULTIGROUP_INDICES,
    GroupedCounts,
    IndexSpec,
    available_indices,
    correlation,
    dissimilarity,
    expected_dissimilarity,
    exposure,
    get_index,
    isolation,
    register_index,
    standardised_dissimilarity,
    theil_h,
)
from segspatial.io import read_table
from segspatial.multigroup import (
    MultiGroupedCounts,
    local_segregation,
    multigroup_dissimilarity,
    multigroup_theil_h,
    mutual_information,
    mutual_information_decomposition,
    normalised_exposure,
)

try:
    __version__ = version("segspatial")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0+unknown"

__all__ = [
    "DEFAULT_INDICES",
    "DEFAULT_MULTIGROUP_INDICES",
    "Counts",
    "GroupedCounts",
    "IndexSpec",
    "MultiCounts",
    "MultiGroupedCounts",
    "SegregationResult",
    "SegregationWarning",
    "__version__",
    "apply_filters",
    "available_indices",
    "correlation",
    "dissimilarity",
    "exclusions_summary",
    "expected_dissimilarity",
    "exposure",
    "get_index",
    "isolation",
    "local_segregation",
    "multigroup_dissimilarity",
    "multigroup_theil_h",
    "mutual_information",
    "mutual_information_decomposition",
    "normalised_exposure",
    "prepare_counts",
    "prepare_multigroup_counts",
    "read_table",
    "register_index",
    "segregation",
    "segregation_table",
    "standardised_dissimilarity",
    "theil_h",
]

#: Public names loaded on first use (their modules import geopandas & co.).
_LAZY = {
    "read_boundaries": "segspatial.geo",
    "unit_points": "segspatial.geo",
    "geocode_postcodes": "segspatial.geo",
    "assign_areas": "segspatial.geo",
    "join_areas": "segspatial.geo",
    "require_projected": "segspatial.geo",
    "to_projected": "segspatial.geo",
    "GeometryWarning": "segspatial.geo",
    "fetch_boundaries": "segspatial.boundaries",
    "choropleth": "segspatial.plot",
    "report_grid": "segspatial.plot",
    "report_grids": "segspatial.plot",
    "school_map": "segspatial.plot",
    "profile_plot": "segspatial.plot",
    "choropleth_map": "segspatial.webmap",
    "school_webmap": "segspatial.webmap",
    "COMPARISONS": "segspatial.pupils",
    "aggregate_pupils": "segspatial.pupils",
    "assign_groups": "segspatial.pupils",
    "pupil_segregation": "segspatial.pupils",
    "spatial_segregation": "segspatial.spatial",
    "multiscale_profile": "segspatial.spatial",
    "local_measures": "segspatial.spatial",
    "spatial_weights": "segspatial.spatial",
    "multigroup_segregation": "segspatial.multigroup_table",
    "pupil_multigroup_segregation": "segspatial.multigroup_table",
    "local_scores": "segspatial.multigroup_table",
    "within_components": "segspatial.multigroup_table",
    "rank_order_segregation": "segspatial.rankorder",
    "profile_chart": "segspatial.multigroup_plot",
    "local_scores_map": "segspatial.multigroup_plot",
    "local_scores_webmap": "segspatial.multigroup_plot",
    "report_data": "segspatial.report",
    "render_report": "segspatial.report",
    "write_report": "segspatial.report",
}
__all__ += sorted(_LAZY)


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'segspatial' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
