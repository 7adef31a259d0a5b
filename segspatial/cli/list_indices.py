"""``segspatial list-indices``: the registered indices, built-in and plug-in."""

from __future__ import annotations

import argparse

from segspatial.cli._options import add_group

#: Rows that other analyses add to a results table (not registry kernels): name ->
#: (option, description).
ANALYSIS_ROWS = {
    "mutual_information_between": ("--within COL", "M between clusters of units "
                                   "(e.g. denominations), nats"),
    "mutual_information_within": ("--within COL", "M within clusters of units, nats"),
    "multigroup_theil_h_between": ("--within COL", "H between clusters of units"),
    "multigroup_theil_h_within": ("--within COL", "H within clusters of units"),
    "rank_order_theil_h": ("--rank-order-income", "Rank-order information theory index "
                           "H^R, polynomial fit (Reardon 2011)"),
    "rank_order_theil_h_integral": ("--rank-order-income", "H^R by exact integration of "
                                    "the data's H(p) profile"),
}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("list-indices", help="list the indices that can be computed",
                       description="List every registered index, including those that "
                       "installed packages add through the 'segspatial.indices' entry "
                       "point group, and the rows other analyses add.")
    add_group(p, "output", only=("quiet",))
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from segspatial.indices import (  # only when the command runs
        _BUILTIN,
        DEFAULT_INDICES,
        DEFAULT_MULTIGROUP_INDICES,
        available_indices,
    )

    defaults = set(DEFAULT_INDICES) | set(DEFAULT_MULTIGROUP_INDICES)
    print(f"{'index':<30} {'origin':<9} {'groups':<9} description")
    for name, spec in available_indices().items():
        origin = ("default" if name in defaults else "built-in" if name in _BUILTIN
                  else "plug-in")
        kind = "K >= 2" if spec.multigroup else "A and B"
        print(f"{name:<30} {origin:<9} {kind:<9} {spec.description}")
    print("\nRows that analyses add (not computed by name):")
    for name, (option, description) in ANALYSIS_ROWS.items():
        print(f"{name:<30} {option:<19} {description}")
    return 0
