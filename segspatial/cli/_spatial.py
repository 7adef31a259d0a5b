"""Spatial options for the sub-commands: bandwidths, kernel, context, districts.

- :func:`add_spatial_options` adds ``--bandwidth`` (repeatable), ``--kernel``, ``--k``,
  ``--context``, ``--districts/--district-code``, ``--spatial-indices``,
  ``--permutations`` (``--seed`` is the command's shared
  :func:`segspatial.cli._common.add_seed_option`);
- :func:`uses_spatial` tells whether any of them is given;
- :func:`spatial_arguments` turns them (and the located units of
  :func:`segspatial.cli._location.locate_units`) into keyword arguments of
  :func:`segspatial.spatial.spatial_segregation`.

The unit locations come from the location options (``--x/--y/--crs`` or
``--postcode``); distances are in ``--distance-crs`` (metres).
"""

from __future__ import annotations

import argparse
from typing import Any

import pandas as pd

from segspatial.cli._common import CommandError
from segspatial.cli._location import X_COLUMN, Y_COLUMN

__all__ = ["add_spatial_options", "check_spatial_mode", "spatial_arguments", "uses_spatial"]


def add_spatial_options(parser: argparse.ArgumentParser, *, diagnostics: bool = True) -> None:
    """Add the spatial options (``diagnostics``: also districts, Moran, index choice)."""
    group = parser.add_argument_group(
        "spatial indices",
        "local environments around each unit (Reardon & O'Sullivan 2004); needs unit "
        "locations (--x/--y/--crs or --postcode)")
    group.add_argument("--bandwidth", action="append", type=float, metavar="M",
                       help="kernel bandwidth in metres; repeat for several "
                       "(e.g. --bandwidth 500 --bandwidth 1000); 0 = the unit alone")
    group.add_argument("--kernel", choices=("gaussian", "biweight", "boxcar"),
                       help="distance kernel (default: gaussian, cut off at 5 bandwidths)")
    group.add_argument("--k", action="append", type=int, metavar="N",
                       help="use the N nearest units instead of a kernel; repeatable")
    group.add_argument("--context", choices=("area", "all"), default="area",
                       help="neighbours from the same area only (default) or from any "
                       "area (same year); indices stay per area")
    if not diagnostics:
        return
    group.add_argument("--districts", metavar="FILE",
                       help="district polygons (e.g. CBS wijken) for theil_h_between and "
                       "theil_h_within; units are joined by location (--snap applies)")
    group.add_argument("--district-code", metavar="COL",
                       help="district code column of --districts (e.g. statcode)")
    group.add_argument("--spatial-indices", nargs="+", metavar="NAME",
                       help="spatial indices to add (default: spatial_dissimilarity, "
                       "spatial_theil_h, morans_i, morans_i_p, morrill_d, and the "
                       "decomposition with --districts)")
    group.add_argument("--permutations", type=int, default=999, metavar="N",
                       help="permutations for Moran's I p-value (default: 999; 0: none)")


def uses_spatial(args: argparse.Namespace) -> bool:
    """True when a spatial index is asked for."""
    return any(getattr(args, k, None) for k in ("bandwidth", "k", "districts",
                                                 "spatial_indices"))


def check_spatial_mode(args: argparse.Namespace) -> None:
    """Refuse the spatial options with pupil-level input (``--pupils``)."""
    if getattr(args, "pupils", None) and uses_spatial(args):
        raise CommandError("the spatial options work on counts per unit, not with --pupils")


def spatial_arguments(args: argparse.Namespace, data: pd.DataFrame) -> dict[str, Any]:
    """Keyword arguments for :func:`segspatial.spatial.spatial_segregation`.

    ``data`` must come from :func:`segspatial.cli._location.locate_units` (it holds the
    projected unit coordinates).
    """
    check_spatial_mode(args)
    if X_COLUMN not in data.columns:
        raise CommandError("the spatial indices need unit locations: give --x/--y/--crs "
                           "or --postcode/--postcode-table")
    if bool(getattr(args, "districts", None)) != bool(getattr(args, "district_code", None)):
        raise CommandError("--districts and --district-code go together")
    if args.bandwidth and args.k:
        raise CommandError("give either --bandwidth (metres) or --k (nearest units), not both")
    options: dict[str, Any] = {
        "x": X_COLUMN, "y": Y_COLUMN, "crs": data.attrs.get("location_crs", "EPSG:28992"),
        "bandwidth": args.bandwidth, "kernel": args.kernel, "k": args.k,
        "context": args.context,
    }
    if hasattr(args, "districts"):
        options.update(
            districts=args.districts, district_code=args.district_code,
            spatial_indices=args.spatial_indices, permutations=args.permutations,
            rng=args.seed, snap=getattr(args, "snap", 5000.0),
        )
        if getattr(args, "areas_from", None):  # clip Morrill's catchments to the areas
            options.update(boundaries=args.areas_from, area_code=args.area_code)
    return options
