"""segspatial for QGIS: the plugin that adds the ``segspatial`` Processing provider.

This file, ``metadata.txt`` and ``icon.svg`` are the whole plugin (``segspatial
qgis-plugin --output segspatial_qgis.zip`` zips them as the folder ``segspatial_qgis``).
The algorithms live in the Python package segspatial (``segspatial.qgis``), which must
be installed in the Python that QGIS runs; when it cannot be imported, the plugin says
what is missing and how to install it, instead of failing.

Nothing here imports QGIS or segspatial at import time.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

#: The module with the provider (``SegspatialProvider``).
PROVIDER_MODULE = "segspatial.qgis._processing"
#: Loads the compiled dependencies so they keep their own GEOS, PROJ and GDAL (Linux).
NATIVE_MODULE = "segspatial.qgis._native"
#: Title of the messages.
TITLE = "segspatial"

_MESSAGES = {
    "en": (
        "The segspatial plugin needs the Python package segspatial in the Python that "
        "QGIS runs (Python {version} in {prefix}), but it cannot be imported: {error}\n"
        "The segregation algorithms are not available until it is installed.\n"
        "Install it with QGIS's own Python:\n"
        "  Windows (OSGeo4W Shell) or macOS:  {python} -m pip install SEGSPATIAL\n"
        "  Linux:  /usr/bin/python3 -m venv --system-site-packages ~/.venvs/qgis && "
        "~/.venvs/qgis/bin/pip install SEGSPATIAL, then start QGIS with "
        "PYTHONPATH=<that venv>/lib/python{short}/site-packages\n"
        "where SEGSPATIAL is a segspatial wheel or source folder. Then restart QGIS "
        "(see the QGIS section of segspatial's README)."),
    "nl": (
        "De plug-in segspatial heeft het Python-pakket segspatial nodig in de Python "
        "van QGIS (Python {version} in {prefix}), maar het kan niet worden "
        "geïmporteerd: {error}\n"
        "De segregatie-algoritmen zijn pas beschikbaar als het is geïnstalleerd.\n"
        "Installeer het met de eigen Python van QGIS:\n"
        "  Windows (OSGeo4W Shell) of macOS:  {python} -m pip install SEGSPATIAL\n"
        "  Linux:  /usr/bin/python3 -m venv --system-site-packages ~/.venvs/qgis && "
        "~/.venvs/qgis/bin/pip install SEGSPATIAL, en start QGIS met "
        "PYTHONPATH=<die venv>/lib/python{short}/site-packages\n"
        "waarbij SEGSPATIAL een wheel of bronmap van segspatial is. Start QGIS daarna "
        "opnieuw (zie het onderdeel QGIS in de README van segspatial)."),
}


def _language() -> str:
    try:
        from qgis.core import QgsApplication

        locale = QgsApplication.locale() or ""
    except ImportError:  # outside QGIS (tests)
        locale = ""
    return "nl" if locale.lower().startswith("nl") else "en"


def _python_command() -> str:
    """QGIS's own Python interpreter, as a user would type it."""
    prefix = Path(sys.prefix)
    for candidate in (prefix / "python.exe", prefix / "bin" / "python3"):
        if candidate.is_file():
            return str(candidate)
    return "python3"


def missing_message(error: BaseException, lang: str | None = None) -> str:
    """What is missing and how to install it (``lang``: ``en``/``nl``, default QGIS's)."""
    version = sys.version.split()[0]
    return _MESSAGES.get(lang or _language(), _MESSAGES["en"]).format(
        version=version, prefix=sys.prefix, error=f"{type(error).__name__}: {error}",
        python=_python_command(), short=".".join(version.split(".")[:2]))


class SegspatialPlugin:
    """Registers the provider (``initProcessing`` runs in QGIS and in qgis_process)."""

    def __init__(self, iface: Any, provider_class: type) -> None:
        self.iface = iface
        self.provider_class = provider_class
        self.provider = None

    def initProcessing(self) -> None:
        from qgis.core import QgsApplication

        if self.provider is None:
            self.provider = self.provider_class()
            QgsApplication.processingRegistry().addProvider(self.provider)

    def initGui(self) -> None:
        self.initProcessing()

    def unload(self) -> None:
        from qgis.core import QgsApplication

        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None


class MissingSegspatial:
    """Stands in for the plugin when segspatial cannot be imported: it tells why."""

    def __init__(self, iface: Any, message: str) -> None:
        self.iface = iface
        self.message = message

    def _log(self) -> None:
        from qgis.core import Qgis, QgsMessageLog

        QgsMessageLog.logMessage(self.message, TITLE, Qgis.Critical)

    def initProcessing(self) -> None:
        self._log()
        print(f"{TITLE}: {self.message}", file=sys.stderr)  # qgis_process shows stderr

    def initGui(self) -> None:
        from qgis.core import Qgis

        self._log()
        if self.iface is not None:
            self.iface.messageBar().pushMessage(TITLE, self.message.splitlines()[0],
                                                Qgis.Critical, 0)

    def unload(self) -> None:
        pass


def classFactory(iface: Any) -> SegspatialPlugin | MissingSegspatial:
    """QGIS's entry point: the plugin, or a stand-in saying what is missing."""
    try:
        importlib.import_module(NATIVE_MODULE).load_native()  # before anything loads them
        module = importlib.import_module(PROVIDER_MODULE)
    except ImportError as error:  # segspatial, or one of its dependencies, is missing
        return MissingSegspatial(iface, missing_message(error))
    return SegspatialPlugin(iface, module.SegspatialProvider)
