"""``segspatial qgis-plugin``: write the QGIS plugin zip (Plugins ▸ Install from ZIP)."""

from __future__ import annotations

import argparse
import sys

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
    p.add_argument("--output", "-o", default=f"{PLUGIN_FOLDER}.zip", metavar="FILE",
                   help=f"zip file to write (default: ./{PLUGIN_FOLDER}.zip)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    path = build_plugin(args.output)
    print(f"wrote {path}; in QGIS: Plugins > Manage and Install Plugins > Install from "
          "ZIP", file=sys.stderr)
    return 0
