"""Geometry: boundaries, unit (school) locations, point-in-polygon areas and map joins.

Everything spatial that is not an index lives here: reading boundary files (GeoJSON,
TopoJSON, GeoPackage, Shapefile, GeoParquet), turning coordinate columns or 4-digit
postcodes into unit points, assigning units to the polygon that contains them (the
"harmonised geography": a whole 2009-2018 panel on one year's municipalities), and
joining the tidy results table to polygons, one column per index.

Distances are always computed in a projected coordinate reference system in metres
(EPSG:28992, RD New, for Dutch data by default); a geographic CRS (degrees) is refused
for distances with a clear error (:func:`require_projected`).

geopandas, shapely and pyproj are imported here, so this module is loaded lazily by
``import segspatial``.
"""

from __future__ import annotations

from segspatial.geo._areas import LOCATION_REASONS, assign_areas, unit_exclusions
from segspatial.geo._boundaries import read_boundaries, repair_boundaries
from segspatial.geo._common import DEFAULT_DISTANCE_CRS, GeometryWarning
from segspatial.geo._crs import check_area_of_use, require_projected, to_projected
from segspatial.geo._joins import join_areas
from segspatial.geo._output import write_geo
from segspatial.geo._points import geocode_postcodes, unit_points

__all__ = [
    "DEFAULT_DISTANCE_CRS",
    "LOCATION_REASONS",
    "GeometryWarning",
    "assign_areas",
    "check_area_of_use",
    "geocode_postcodes",
    "join_areas",
    "read_boundaries",
    "repair_boundaries",
    "require_projected",
    "to_projected",
    "unit_exclusions",
    "unit_points",
    "write_geo",
]
