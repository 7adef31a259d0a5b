"""``segspatial qgis-plugin``: write the QGIS plugin zip (Plugins ▸ Install from ZIP)."""

from __future__ import annotations

import argparse

from segspatial.cli._console import console_of
from segspatial.cli._options import add_group
from segspatial.qgis import PLUGIN_FOLDER, build_plugin

__all__ = ["register", "run"]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "qgis-plugin",
        help="write the QGIS plugin zip (the segspatial Processing provider)",
        description="Write the QGIS plugin as a zip for QGIS's Plugins > Manage and "
        "Install Plugins > Install from ZIP. The plugin adds the segspatial algorithms "
        "to the Processing Toolbox; it needs this segspatial installed in the Python "
        "that QGIS runs (see the QGIS section of the README).",
    )
    add_group(p, "output", skip=("exclusions_output",),
              defaults={"output": f"{PLUGIN_FOLDER}.zip"},
              output_help=f"zip file to write (default: ./{PLUGIN_FOLDER}.zip)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    console = console_of(args)
    console.wrote(build_plugin(args.output), "the QGIS plugin")
    console.say("In QGIS: Plugins > Manage and Install Plugins > Install from ZIP")
    return 0
