"""Two small in-code towns for the command-line tests: schools with coordinates,
postcodes (three schools have a postcode only), a postcode table and the boundaries."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

RD = "EPSG:28992"
# two towns side by side, 4 km squares in RD New
TOWNS = gpd.GeoDataFrame(
    {"statcode": ["GM0001", "GM0002"], "statnaam": ["Westdorp", "Oostdorp"]},
    geometry=[shapely.box(100_000, 400_000, 104_000, 404_000),
              shapely.box(104_000, 400_000, 108_000, 404_000)], crs=RD)
POSTCODES = pd.DataFrame({"postcode": ["1111", "1112", "2221", "2222"],
                          "x_rd": [101_000.0, 103_000.0, 105_000.0, 107_000.0],
                          "y_rd": [401_000.0, 403_000.0, 401_000.0, 403_000.0]})


def _schools() -> pd.DataFrame:
    """Ten schools per town; three have no coordinates, only a postcode."""
    rng = np.random.default_rng(7)
    rows = []
    for t, (code, pcs) in enumerate((("GM0001", ("1111", "1112")),
                                     ("GM0002", ("2221", "2222")))):
        for i in range(10):
            pc = pcs[i % 2]
            centroid = POSTCODES.set_index("postcode").loc[pc]
            rows.append({
                "school": f"{t}{i:02d}", "school_name": f"School {t}-{i}",
                "municipality": code, "postcode": f"{pc} AB",
                "x": centroid["x_rd"] + rng.uniform(-400, 400),
                "y": centroid["y_rd"] + rng.uniform(-400, 400),
                "a": int(rng.integers(5, 80)), "b": int(rng.integers(5, 80)),
            })
    frame = pd.DataFrame(rows)
    frame["pupils"] = frame["a"] + frame["b"] + 3
    return frame


SCHOOLS = _schools()
NO_XY = ["002", "105", "109"]  # these schools have a postcode only


def write_files(tmp_path: Path) -> dict[str, Path]:
    """The towns as files: schools.csv (coordinates missing for :data:`NO_XY`),
    pc4.csv and towns.geojson."""
    frame = SCHOOLS.copy()
    frame.loc[frame["school"].isin(NO_XY), ["x", "y"]] = np.nan
    paths = {"counts": tmp_path / "schools.csv", "postcodes": tmp_path / "pc4.csv",
             "towns": tmp_path / "towns.geojson", "dir": tmp_path}
    frame.to_csv(paths["counts"], index=False)
    POSTCODES.to_csv(paths["postcodes"], index=False)
    TOWNS.to_file(paths["towns"], driver="GeoJSON")
    return paths


def expected_locations() -> pd.DataFrame:
    """The recipe by hand: coordinates, else the postcode's centroid."""
    frame = SCHOOLS.copy()
    centroids = POSTCODES.set_index("postcode")
    fallback = frame["school"].isin(NO_XY)
    pc = frame.loc[fallback, "postcode"].str[:4]
    frame.loc[fallback, "x"] = pc.map(centroids["x_rd"]).to_numpy()
    frame.loc[fallback, "y"] = pc.map(centroids["y_rd"]).to_numpy()
    return frame
