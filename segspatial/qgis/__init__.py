"""segspatial in QGIS: a Processing provider and the plugin that loads it.

GIS analysts run segspatial's algorithms from QGIS's Processing Toolbox, the graphical
modeler, batch mode, ``qgis_process`` and PyQGIS scripts. The pieces:

- :mod:`segspatial.qgis._processing` (imports QGIS, so it loads only inside QGIS): the
  provider ``segspatial`` with the algorithms ``segspatial:indices`` (segregation
  indices per area, a styled choropleth), ``segspatial:local_measures`` (per school),
  ``segspatial:profile`` (multi-scale profile), ``segspatial:report`` (the HTML
  report), ``segspatial:multigroup`` (K >= 2 groups, between/within decomposition) and
  ``segspatial:change`` (change over time with intervals), thin wiring over the Python
  API;
- :mod:`segspatial.qgis._wiring` and :mod:`segspatial.qgis._texts` (no QGIS): the
  parameters as one table mapped onto the API's keyword arguments, and the texts (the
  ``[qgis]`` table of the text catalogue, :mod:`segspatial.text`);
- :mod:`segspatial.qgis.plugin`: the QGIS plugin itself, a few lines that register the
  provider, or say what is missing when segspatial cannot be imported.
  :func:`build_plugin` (``segspatial qgis-plugin``) zips it for QGIS's
  *Install from ZIP*.

Because the algorithms live in this package, upgrading segspatial (pip) upgrades
them; the plugin zip rarely changes.
"""

from __future__ import annotations

import io
import os
import zipfile
from importlib import resources
from pathlib import Path

__all__ = ["PLUGIN_FILES", "PLUGIN_FOLDER", "build_plugin"]

#: The plugin's folder name inside the zip (and in QGIS's plugins folder).
PLUGIN_FOLDER = "segspatial_qgis"
#: The files of :mod:`segspatial.qgis.plugin` that make up the plugin.
PLUGIN_FILES = ("__init__.py", "metadata.txt", "icon.svg")

#: A fixed time stamp for the zip entries, so the same version gives the same bytes.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _metadata(text: str, version: str) -> str:
    lines = [f"version={version}" if line.startswith("version=") else line
             for line in text.splitlines()]
    return "\n".join(lines) + "\n"


def build_plugin(output: str | os.PathLike) -> Path:
    """Write the installable QGIS plugin zip (for *Plugins ▸ Install from ZIP*).

    The zip holds one folder, :data:`PLUGIN_FOLDER`, with the plugin's files; its
    ``metadata.txt`` carries the installed segspatial's version. The same version
    gives byte-identical zips. The file is written atomically.

    Parameters
    ----------
    output : str or os.PathLike
        The zip file to write (ending in ``.zip``).

    Returns
    -------
    pathlib.Path
        ``output``.

    Raises
    ------
    ValueError
        If ``output`` does not end in ``.zip`` or is a folder.
    """
    from segspatial import __version__
    from segspatial._write import write_bytes

    path = Path(output)
    if path.suffix.lower() != ".zip" or path.is_dir():
        raise ValueError(f"output {str(path)!r}: give a file name ending in .zip, e.g. "
                         f"{PLUGIN_FOLDER}.zip")
    buffer = io.BytesIO()
    source = resources.files("segspatial.qgis.plugin")
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in PLUGIN_FILES:
            data = source.joinpath(name).read_bytes()
            if name == "metadata.txt":
                data = _metadata(data.decode("utf-8"), __version__).encode("utf-8")
            info = zipfile.ZipInfo(f"{PLUGIN_FOLDER}/{name}", date_time=_ZIP_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return write_bytes(path, buffer.getvalue())  # creates the folder, or says why not
