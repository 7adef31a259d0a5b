"""Collection rules for the whole repository (pytest reads this file first)."""

# segspatial/qgis/_processing.py imports QGIS, whose bindings belong to Debian's Python:
# tests/test_qgis.py runs it inside QGIS, so it is not imported here for doctests.
collect_ignore = ["segspatial/qgis/_processing.py"]
