"""The technical-education monitor: women in technical programmes per region and year.

Programmes instead of schools, sex instead of income, regions instead of
municipalities: the same engine answers the Techniekpact advice's question (far too
few women choose technical education; national targets, regional execution).

Usage::

    from segspatial.monitor import (read_enrolments, region_mapping, compute_monitor,
                                    write_monitor)
    enr = read_enrolments("ingeschrevenen-hbo-2020-2024.json")
    mapping = region_mapping("gemeente_2019.geojson",
                             {"arbeidsmarktregio": "arbeidsmarktregio_2018.topojson",
                              "provincie": "provincie_2018.topojson"})
    result = compute_monitor(enr, mapping, targets=0.20)
    write_monitor(result, "monitor/", lang="nl", offline=True)

Modules, data flowing one way: :mod:`~segspatial.monitor.reader` (DUO files) →
:mod:`~segspatial.monitor.censored` (intervals, bounds) →
:mod:`~segspatial.monitor.regions` (overlay) → :mod:`~segspatial.monitor.compute`
(the tables) → :mod:`~segspatial.monitor.disclose` → :mod:`~segspatial.monitor.maps`
→ :mod:`~segspatial.monitor.pages`.
"""

from __future__ import annotations

from segspatial.monitor.censored import point_counts, segregation_bounds, share_bounds
from segspatial.monitor.compute import (
    DEFAULT_TARGET,
    REPRESENTATION_COLUMNS,
    SEGREGATION_COLUMNS,
    MonitorResult,
    Selection,
    compute_monitor,
)
from segspatial.monitor.reader import Enrolments, read_enrolments, tidy_counts

__all__ = [
    "DEFAULT_TARGET",
    "REPRESENTATION_COLUMNS",
    "SEGREGATION_COLUMNS",
    "Enrolments",
    "MonitorResult",
    "Selection",
    "compute_monitor",
    "disclose_result",
    "point_counts",
    "read_enrolments",
    "read_mapping",
    "region_mapping",
    "render_pages",
    "segregation_bounds",
    "share_bounds",
    "share_map",
    "share_webmap",
    "tidy_counts",
    "write_mapping",
    "write_monitor",
]

_LAZY = {
    "region_mapping": "segspatial.monitor.regions",
    "read_mapping": "segspatial.monitor.regions",
    "write_mapping": "segspatial.monitor.regions",
    "disclose_result": "segspatial.monitor.disclose",
    "share_map": "segspatial.monitor.maps",
    "share_webmap": "segspatial.monitor.maps",
    "render_pages": "segspatial.monitor.pages",
    "write_monitor": "segspatial.monitor.pages",
}


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'segspatial.monitor' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
