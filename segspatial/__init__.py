"""segspatial: school segregation indices, aspatial and spatial, with maps and reports.

The reference method is the Dutch school-segregation report (2009-2018, CBS pupil
microdata): the dissimilarity index, Carrington & Troske's standardised dissimilarity,
Theil's H and the correlation index, with small schools and small municipalities
filtered out.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from segspatial._exceptions import SegregationWarning

try:
    __version__ = version("segspatial")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0+unknown"

__all__ = ["SegregationWarning", "__version__"]

#: Public names, loaded on first use: ``import segspatial`` (and ``segspatial --help``)
#: imports neither pandas nor scipy; the first call imports what it needs.
_LAZY = {
    "Counts": "segspatial.counts",
    "apply_filters": "segspatial.counts",
    "exclusions_summary": "segspatial.counts",
    "prepare_counts": "segspatial.counts",
    "SegregationResult": "segspatial.compute",
    "segregation": "segspatial.compute",
    "segregation_table": "segspatial.compute",
    "DEFAULT_INDICES": "segspatial.indices",
    "GroupedCounts": "segspatial.indices",
    "IndexSpec": "segspatial.indices",
    "available_indices": "segspatial.indices",
    "correlation": "segspatial.indices",
    "dissimilarity": "segspatial.indices",
    "expected_dissimilarity": "segspatial.indices",
    "get_index": "segspatial.indices",
    "register_index": "segspatial.indices",
    "standardised_dissimilarity": "segspatial.indices",
    "theil_h": "segspatial.indices",
    "read_table": "segspatial.io",
    "MultiCounts": "segspatial.counts",
    "prepare_multigroup_counts": "segspatial.counts",
    "DEFAULT_MULTIGROUP_INDICES": "segspatial.indices",
    "exposure": "segspatial.indices",
    "isolation": "segspatial.indices",
    "MultiGroupedCounts": "segspatial.multigroup",
    "local_segregation": "segspatial.multigroup",
    "multigroup_dissimilarity": "segspatial.multigroup",
    "multigroup_theil_h": "segspatial.multigroup",
    "mutual_information": "segspatial.multigroup",
    "mutual_information_decomposition": "segspatial.multigroup",
    "normalised_exposure": "segspatial.multigroup",
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
    "local_scores": "segspatial.multigroup_local",
    "within_components": "segspatial.multigroup_local",
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


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
