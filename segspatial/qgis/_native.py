"""Loading segspatial's compiled dependencies inside the QGIS programs on Linux.

The QGIS executables (``qgis``, ``qgis_process``) are linked against the system's GEOS,
PROJ, GDAL, FreeType, libpng and friends, so those libraries' symbols are global in
the process. The wheels of shapely, pyproj and pyogrio (and matplotlib's and Pillow's
extensions) bundle their own, newer copies; loaded normally, their calls are bound to
the system copies instead (ELF symbol interposition): pyproj then runs the system PROJ,
pyogrio the system GDAL, shapely's GEOS C API calls into a GEOS C++ library of another
version, giving wrong results (a Voronoi diagram with missing cells) and heap
corruption at exit. Loading these extension modules with ``RTLD_DEEPBIND`` makes each
prefer its own bundled libraries.

This is needed only when the process itself is a QGIS program: a Python process that
imports ``qgis`` loads QGIS's libraries locally and has no such conflict. Windows and
macOS resolve symbols per library and need nothing.
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

__all__ = ["NATIVE_MODULES", "inside_qgis_program", "load_native"]

#: Extension modules that bundle libraries the QGIS programs also link.
NATIVE_MODULES = ("shapely", "pyproj", "pyogrio", "matplotlib.ft2font", "PIL._imaging")


def inside_qgis_program() -> bool:
    """Whether this process is a QGIS program (Linux), not Python importing ``qgis``."""
    try:
        executable = Path(os.readlink("/proc/self/exe")).name
    except OSError:  # not Linux
        return False
    return executable.startswith("qgis")


def load_native(modules: tuple[str, ...] = NATIVE_MODULES) -> list[str]:
    """Import ``modules`` with ``RTLD_DEEPBIND`` when inside a QGIS program on Linux.

    Modules already imported are left as they are; missing ones are skipped (the
    import that needs them reports it). Returns the modules loaded here.
    """
    deepbind = getattr(os, "RTLD_DEEPBIND", None)
    if deepbind is None or not inside_qgis_program():
        return []
    loaded = []
    flags = sys.getdlopenflags()
    sys.setdlopenflags(flags | deepbind)
    try:
        for name in modules:
            if name in sys.modules:
                continue
            try:
                importlib.import_module(name)
            except ImportError:
                continue
            loaded.append(name)
    finally:
        sys.setdlopenflags(flags)
    return loaded
