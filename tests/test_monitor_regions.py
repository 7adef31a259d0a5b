"""Municipalities to regions by overlay: largest overlap, ties and misses counted, reuse."""

from __future__ import annotations

import warnings

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from segspatial.monitor.regions import (
    MAPPING_COLUMNS,
    level_name,
    read_mapping,
    region_mapping,
    write_mapping,
)

CRS = "EPSG:28992"


def grid():
    """Four municipalities of 1 km², two regions; M3 is split 50/50, M4 lies outside."""
    muni = gpd.GeoDataFrame(
        {"statcode": ["GM0001", "GM0002", "GM0003", "GM0004"],
         "statnaam": ["Een", "Twee", "Drie <b>", "Vier"]},
        geometry=[box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000),
                  box(2000, 0, 3000, 1000), box(9000, 0, 10000, 1000)], crs=CRS)
    regions = gpd.GeoDataFrame(
        {"statcode": ["PV02", "PV01"], "statnaam": ["Oost", "West"]},
        # West takes M1, 80% of M2 and half of M3; Oost the other half of M3
        geometry=[box(2500, -10, 4000, 1010), box(-10, -10, 2500, 1010)], crs=CRS)
    return muni, regions


def test_largest_overlap_wins_ties_and_misses_counted():
    muni, regions = grid()
    regions = regions.copy()
    regions.loc[1, "geometry"] = box(-10, -10, 1800, 1010).union(box(1800, -10, 2500, 1010))
    mapping = region_mapping(muni, {"provincie": regions})
    t = mapping.table.set_index("municipality")
    assert list(mapping.table.columns) == MAPPING_COLUMNS
    assert set(mapping.table["level"]) == {"province"}
    assert t.loc["GM0001", "region"] == "PV01" and t.loc["GM0001", "overlap"] == pytest.approx(1)
    assert t.loc["GM0002", "status"] == "assigned"
    assert t.loc["GM0003", "status"] == "tie"
    assert t.loc["GM0003", "region"] == "PV01"  # the smaller code wins a tie
    assert t.loc["GM0003", "runner_up"] == "PV02"
    assert t.loc["GM0004", "status"] == "no_overlap" and pd.isna(t.loc["GM0004", "region"])
    summary = mapping.summary.set_index("level").loc["province"]
    assert (summary["assigned"], summary["ties"], summary["misses"]) == (2, 1, 1)
    assert t.loc["GM0003", "municipality_name"] == "Drie <b>"  # data, kept as text


def test_partial_overlap_keeps_the_share():
    muni = gpd.GeoDataFrame({"statcode": ["GM0001"]}, geometry=[box(0, 0, 1000, 1000)],
                            crs=CRS)
    regions = gpd.GeoDataFrame({"statcode": ["A", "B"]},
                               geometry=[box(0, 0, 300, 1000), box(300, 0, 1000, 1000)],
                               crs=CRS)
    row = region_mapping(muni, {"x": regions}).table.iloc[0]
    assert (row["region"], row["runner_up"]) == ("B", "A")
    assert row["overlap"] == pytest.approx(0.7) and row["runner_up_overlap"] == \
        pytest.approx(0.3)


def test_written_mapping_reads_back(tmp_path):
    muni, regions = grid()
    mapping = region_mapping(muni, {"province": regions, "arbeidsmarktregio": regions})
    path = write_mapping(mapping, tmp_path / "mapping.csv")
    again = read_mapping(path)
    assert again.levels == ["labour_market_region", "province"]
    cols = ["level", "municipality", "region", "status"]
    assert again.table[cols].fillna("-").values.tolist() == \
        mapping.table[cols].fillna("-").values.tolist()


def test_bad_mappings_are_refused(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("level,municipality,region\nprovince,GM0001,PV01\nprovince,GM0001,PV02\n")
    with pytest.raises(ValueError, match="'GM0001' is listed 2 times in level 'province'"):
        read_mapping(path)
    path.write_text("municipality,region\nGM0001,PV01\n")
    with pytest.raises(ValueError, match=r"has no column\(s\) \['level'\]"):
        read_mapping(path)
    muni, regions = grid()
    with pytest.raises(ValueError, match="geographic|projected"):
        region_mapping(muni, {"province": regions}, crs="EPSG:4326")
    with pytest.raises(ValueError, match="at least one level"):
        region_mapping(muni, {})
    with pytest.raises(ValueError, match="not a region level to overlay"):
        region_mapping(muni, {"gemeente": regions})


def test_level_names():
    assert level_name("Arbeidsmarktregio") == "labour_market_region"
    assert level_name("provincie") == "province"
    assert level_name("my_regions") == "my_regions"
    assert level_name("COROP-gebied") == "corop_gebied"


def test_a_level_given_twice_is_refused():
    muni, regions = grid()
    # the same level under its Dutch and English name: one would silently win (or crash)
    with pytest.raises(ValueError, match="level 'labour_market_region' is given twice"):
        region_mapping(muni, {"arbeidsmarktregio": regions, "labour_market_region": regions})


def test_real_boundaries(shared_data):
    b = shared_data / "boundaries"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # TopoJSON without CRS: lon/lat assumed, noted
        mapping = region_mapping(b / "nl_maps_rd_gemeente_2019.geojson",
                                 {"arbeidsmarktregio":
                                  b / "cartomap_wgs84_arbeidsmarktregio_2018.topojson",
                                  "provincie": b / "cartomap_wgs84_provincie_2018.topojson"})
    summary = mapping.summary.set_index("level")
    assert summary.loc["labour_market_region", "municipalities"] == 355
    assert summary.loc["labour_market_region", "regions"] == 35
    assert summary.loc["province", "regions"] == 12
    assert summary["misses"].sum() == 0 and summary["ties"].sum() == 0
    t = mapping.table.set_index(["level", "municipality"])
    assert t.loc[("province", "GM0363"), "region_name"] == "Noord-Holland"
    assert t.loc[("labour_market_region", "GM0363"), "overlap"] > 0.99
