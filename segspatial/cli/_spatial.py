"""Spatial options for the sub-commands: bandwidths, kernel, context, districts.

The options are the groups ``spatial`` and ``random`` of :mod:`segspatial.cli._options`.

- :func:`uses_spatial` tells whether any of them is given;
- :func:`spatial_arguments` turns them (and the located units of
  :func:`segspatial.cli._location.locate_units`) into keyword arguments of
  :func:`segspatial.spatial.spatial_segregation`.

The unit locations come from the location options (``--x/--y/--crs`` or
``--postcode``); distances are in ``--distance-crs`` (metres).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from segspatial.cli._common import CommandError
from segspatial.cli._location import X_COLUMN, Y_COLUMN, area_code, read_area_boundaries

if TYPE_CHECKING:  # for annotations only: imported when a command runs
    import pandas as pd

__all__ = ["check_spatial_mode", "spatial_arguments", "uses_spatial"]


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
        "context": args.context, "definition": getattr(args, "definition", "dispersal"),
    }
    if hasattr(args, "districts"):
        options.update(
            districts=args.districts, district_code=args.district_code,
            spatial_indices=args.spatial_indices, permutations=args.permutations,
            rng=args.seed, snap=getattr(args, "snap", 5000.0),
        )
        if getattr(args, "morrill_clip", False):  # Morrill's catchments clipped to areas
            if not getattr(args, "areas_from", None):
                raise CommandError("--morrill-clip clips to the --areas-from polygons: give "
                                   "--areas-from/--area-code (or leave it out for the "
                                   "frame-free default)")
            options.update(boundaries=read_area_boundaries(args, args.areas_from, names=False),
                           area_code=area_code(args), morrill_contiguity="voronoi_clipped")
    return options
