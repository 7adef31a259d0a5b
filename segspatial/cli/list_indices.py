"""``segspatial list-indices``: the registered indices, built-in and plug-in."""

from __future__ import annotations

import argparse

from segspatial.cli._options import add_group
from segspatial.indices import DEFAULT_INDICES, available_indices


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("list-indices", help="list the indices that can be computed",
                       description="List every registered index, including those that "
                       "installed packages add through the 'segspatial.indices' entry "
                       "point group.")
    add_group(p, "output", only=("quiet",))
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    for name, spec in available_indices().items():
        origin = "default" if name in DEFAULT_INDICES else "plug-in"
        print(f"{name:<28} {origin:<8} {spec.description}")
    return 0
