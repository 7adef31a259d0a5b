"""Collection rules for the whole repository (pytest reads this file first)."""

# These modules import QGIS, whose bindings belong to Debian's Python: tests/test_qgis.py
# runs them inside QGIS, so they are not imported here for doctests.
collect_ignore = [f"segspatial/qgis/{name}.py" for name in ("_layers", "_processing",
                                                             "_styles")]
