"""Municipalities to regions (province, labour-market region) by polygon overlay.

Each municipality polygon is intersected with the region polygons in a projected CRS
(metres; default EPSG:28992, RD New) and assigned to the region with the **largest
overlap**. Generalised boundary files of different origins never match exactly, so
the share of the municipality's area in its region is kept (``overlap``, 0.97 means
3% of its area lies in other regions or outside every region). Two regions with the
same overlap (within ``tie_tolerance`` of the municipality's area) are a *tie*: the
smaller code wins and the row says ``tie``; a municipality that overlaps no region
is a *miss* (``no_overlap``, no region). Ties and misses are counted in
:attr:`RegionMapping.summary`.

The mapping is a plain table (``level``, ``municipality``, ``region``, ...), so it can
be written with :func:`write_mapping`, checked by eye, edited and read back with
:func:`read_mapping` instead of redoing the overlay.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "LEVELS",
    "MAPPING_COLUMNS",
    "RegionMapping",
    "level_name",
    "read_mapping",
    "region_mapping",
    "write_mapping",
]

#: Region levels the monitor knows (others may be used, by name), finest first.
LEVELS = ("municipality", "labour_market_region", "province", "national")
_ALIASES = {"gemeente": "municipality", "provincie": "province",
            "arbeidsmarktregio": "labour_market_region", "amr": "labour_market_region",
            "landelijk": "national", "nederland": "national"}
#: Columns of a mapping table, in order.
MAPPING_COLUMNS = ["level", "municipality", "municipality_name", "region", "region_name",
                   "overlap", "runner_up", "runner_up_overlap", "status"]
_STATUSES = ("assigned", "tie", "no_overlap")


def level_name(level: str) -> str:
    """The monitor's name of a region level (Dutch names accepted).

    Examples
    --------
    >>> level_name("arbeidsmarktregio"), level_name("province")
    ('labour_market_region', 'province')
    """
    if not isinstance(level, str) or not level.strip():
        raise ValueError(f"a region level must be a name such as 'province', got {level!r}")
    key = level.strip().lower().replace("-", "_").replace(" ", "_")
    return _ALIASES.get(key, key)


@dataclass(frozen=True)
class RegionMapping:
    """Which region each municipality belongs to, per level.

    Attributes
    ----------
    table : pandas.DataFrame
        :data:`MAPPING_COLUMNS`: one row per level and municipality; ``region`` is
        None for a miss.
    geometries : dict
        Level -> GeoDataFrame ``code, name, geometry`` of the regions (for maps); the
        municipalities under ``"municipality"``. Empty for a mapping read from a file.
    """

    table: pd.DataFrame
    geometries: dict[str, Any] = field(default_factory=dict)

    @property
    def levels(self) -> list[str]:
        """The region levels of the mapping, in the order of :data:`LEVELS`."""
        found = list(dict.fromkeys(self.table["level"]))
        return sorted(found, key=lambda v: (LEVELS.index(v) if v in LEVELS else 99, v))

    @property
    def summary(self) -> pd.DataFrame:
        """Per level: municipalities, regions, assigned, ties, misses, smallest overlap."""
        t = self.table
        out = t.groupby("level", sort=False).agg(
            municipalities=("municipality", "size"), regions=("region", "nunique"),
            assigned=("status", lambda s: int((s == "assigned").sum())),
            ties=("status", lambda s: int((s == "tie").sum())),
            misses=("status", lambda s: int((s == "no_overlap").sum())),
            min_overlap=("overlap", "min"))
        return out.reset_index()

    def lookup(self, level: str) -> pd.DataFrame:
        """``municipality -> region, region_name`` for one level (misses included)."""
        level = level_name(level)
        part = self.table[self.table["level"] == level]
        if part.empty:
            raise ValueError(f"the mapping has no level {level!r}; it has "
                             f"{', '.join(self.levels)}")
        return part.set_index("municipality")[["region", "region_name"]]


def _geometries(source: Any, code: str, name: str | None, what: str):
    from segspatial._mapdata import area_geometries
    from segspatial.geo import read_boundaries

    frame = source if hasattr(source, "geometry") else read_boundaries(source)
    if frame.crs is None:
        raise ValueError(f"{what} have no CRS; set one (GeoDataFrame.set_crs) or use a file "
                         "that declares it")
    return area_geometries(frame, code, name)


def region_mapping(
    municipalities: Any,
    regions: Mapping[str, Any],
    *,
    municipality_code: str = "statcode",
    municipality_name: str | None = None,
    region_code: str = "statcode",
    region_name: str | None = None,
    crs: Any = "EPSG:28992",
    tie_tolerance: float = 1e-9,
) -> RegionMapping:
    """Assign municipalities to regions by the largest overlap of their polygons.

    Parameters
    ----------
    municipalities : path or GeoDataFrame
        Municipality polygons (e.g. ``nl_maps_rd_gemeente_2019.geojson``); read with
        :func:`segspatial.geo.read_boundaries` (GeoJSON, TopoJSON, GeoPackage, ...).
    regions : mapping
        Level -> region polygons (path or GeoDataFrame), e.g.
        ``{"labour_market_region": "arbeidsmarktregio_2018.topojson",
        "province": "provincie_2018.topojson"}`` (Dutch level names are accepted).
    municipality_code, region_code : str
        Columns with the codes (default ``statcode``, as in CBS files).
    municipality_name, region_name : str, optional
        Columns with the names (default: ``statnaam`` or another known name column).
    crs : CRS
        Projected CRS in which areas are measured (default EPSG:28992, metres).
    tie_tolerance : float
        Two overlaps within this share of the municipality's area are a tie.

    Returns
    -------
    RegionMapping

    Raises
    ------
    ValueError
        For a geographic ``crs``, missing code columns, files without a CRS, or no
        region level.
    """
    import geopandas as gpd

    from segspatial.geo import require_projected

    crs = require_projected(crs, "crs")
    if not isinstance(regions, Mapping) or not regions:
        raise ValueError("regions must map at least one level name to region polygons, e.g. "
                         "{'province': 'provincie_2018.topojson'}")
    if not 0 <= tie_tolerance < 1:
        raise ValueError(f"tie_tolerance must be in [0, 1), got {tie_tolerance!r}")
    muni = _geometries(municipalities, municipality_code, municipality_name,
                       "municipality boundaries")
    muni_m = muni.to_crs(crs)
    area = muni_m.geometry.area.to_numpy()
    geometries = {"municipality": muni.to_crs("EPSG:4326")}
    rows = []
    seen: dict[str, str] = {}
    for raw_level, source in regions.items():
        level = level_name(raw_level)
        if level in seen:
            raise ValueError(f"regions: level {level!r} is given twice ({seen[level]!r} and "
                             f"{raw_level!r}); give each level once")
        seen[level] = raw_level
        if level in ("municipality", "national"):
            raise ValueError(f"regions: {raw_level!r} is not a region level to overlay "
                             "(municipalities and the nation need no polygons)")
        reg = _geometries(source, region_code, region_name, f"{level} boundaries")
        geometries[level] = reg.to_crs("EPSG:4326")
        reg_m = reg.to_crs(crs)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # geopandas' keep_geom_type note
            pieces = gpd.overlay(
                gpd.GeoDataFrame({"m": np.arange(len(muni_m))}, geometry=muni_m.geometry),
                gpd.GeoDataFrame({"r": np.arange(len(reg_m))}, geometry=reg_m.geometry),
                how="intersection", keep_geom_type=True)
        pieces["share"] = pieces.geometry.area.to_numpy() / area[pieces["m"].to_numpy()]
        pieces = pd.DataFrame(pieces.drop(columns="geometry"))
        pieces = pieces.groupby(["m", "r"], as_index=False)["share"].sum()
        pieces["code"] = reg["code"].to_numpy()[pieces["r"].to_numpy()]
        pieces = pieces.sort_values(["m", "share", "code"], ascending=[True, False, True],
                                    kind="stable")
        best = pieces.drop_duplicates("m").set_index("m")
        second = pieces[pieces.duplicated("m")].drop_duplicates("m").set_index("m")
        table = pd.DataFrame({"level": level,
                              "municipality": muni["code"].to_numpy(),
                              "municipality_name": muni["name"].to_numpy()})
        idx = np.arange(len(muni))
        table["region"] = pd.Series(idx).map(best["code"]).astype(object).to_numpy()
        names = reg.set_index("code")["name"]
        table["region_name"] = table["region"].map(names).astype(object)
        table["overlap"] = pd.Series(idx).map(best["share"]).fillna(0.0).to_numpy()
        table["runner_up"] = pd.Series(idx).map(second["code"]).astype(object).to_numpy()
        table["runner_up_overlap"] = pd.Series(idx).map(second["share"]).fillna(0.0).to_numpy()
        status = np.where(table["region"].isna(), "no_overlap",
                          np.where(table["overlap"] - table["runner_up_overlap"]
                                   <= tie_tolerance, "tie", "assigned"))
        table["status"] = status
        table.loc[table["region"].isna(), ["region", "region_name"]] = None
        rows.append(table)
    table = pd.concat(rows, ignore_index=True)[MAPPING_COLUMNS]
    return RegionMapping(table=table, geometries=geometries)


def write_mapping(mapping: RegionMapping, path: str | Path) -> Path:
    """Write the mapping table (CSV or Parquet, by the name), atomically."""
    from segspatial.io import write_table

    if not isinstance(mapping, RegionMapping):
        raise TypeError(f"mapping must be a RegionMapping, got {type(mapping).__name__}")
    return write_table(mapping.table, path)


def read_mapping(path: str | Path) -> RegionMapping:
    """Read a mapping table written by :func:`write_mapping` (or made by hand).

    Required columns: ``level``, ``municipality``, ``region``; ``region_name``,
    ``status`` and the others are filled in when absent. A municipality may appear once
    per level; an empty region is a miss.

    Raises
    ------
    ValueError
        For missing columns, a municipality listed twice in one level, or an unknown
        status.
    """
    from segspatial.io import read_table

    frame = read_table(path, text_columns=["level", "municipality", "municipality_name",
                                           "region", "region_name", "runner_up", "status"])
    missing = [c for c in ("level", "municipality", "region") if c not in frame.columns]
    if missing:
        raise ValueError(f"mapping {str(path)!r} has no column(s) {missing!r}; a mapping has "
                         f"{MAPPING_COLUMNS!r}")
    frame = frame.astype({c: object for c in frame.columns if frame[c].dtype != float})
    frame["level"] = frame["level"].map(level_name)
    frame["region"] = frame["region"].where(frame["region"].notna(), None)
    for col, default in (("municipality_name", None), ("region_name", None),
                         ("overlap", np.nan), ("runner_up", None),
                         ("runner_up_overlap", np.nan)):
        if col not in frame.columns:
            frame[col] = default
    if "status" not in frame.columns:
        frame["status"] = np.where(frame["region"].isna(), "no_overlap", "assigned")
    bad = ~frame["status"].isin(_STATUSES)
    if bad.any():
        raise ValueError(f"mapping {str(path)!r}: status must be one of {_STATUSES!r}; found "
                         f"{frame.loc[bad, 'status'].unique()[:5].tolist()!r}")
    dup = frame.duplicated(["level", "municipality"], keep=False)
    if dup.any():
        first = frame[dup].iloc[0]
        raise ValueError(f"mapping {str(path)!r}: municipality {first['municipality']!r} is "
                         f"listed {int(dup.sum())} times in level {first['level']!r}; once "
                         "per level")
    return RegionMapping(table=frame[MAPPING_COLUMNS].reset_index(drop=True))
