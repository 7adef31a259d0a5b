"""Public Dutch school data: the real 2019 reference case, built at run time.

Nothing here ships data. :func:`real_2019_case` reads the public DUO, CBS and
location files from a folder laid out like the project's ``shared/data`` (see
:func:`find_data_dir`) and builds one row per regular primary school with two groups:

1. school id = ``BRIN_NUMMER + VESTIGINGSNUMMER`` (zero-padded), municipality =
   ``"GM" + GEMEENTENUMMER`` (zero-padded), pupils = ``LEERLINGEN``
   (DUO, 1 October 2019; ``SOORT_PO == "Bo"``, regular primary schools);
2. the CBS educational-disadvantage score without threshold per school;
3. group A (pupils with an educational-disadvantage background, a proxy for the
   low-parental-education group) = ``min(pupils, round(c * score))`` with
   ``c = 0.2 * Σ pupils / Σ score`` (a 20% national share), group B = the rest;
4. the school's location from *Scholen op de kaart*, else the centroid of its
   four-digit postcode, in EPSG:28992 (RD New).

For several groups at once and decompositions it also carries the school's
denomination (``DENOMINATIE_VESTIGING``, e.g. Openbaar, Rooms-Katholiek,
Protestants-Christelijk, Islamitisch; None where DUO leaves it blank), its school board
(``BEVOEGD_GEZAG_NUMMER``) and a three-group split of group A by the CBS funding
threshold: ``a_above`` = ``min(a, round(c * achterstandsscore))`` with the *thresholded*
score of CBS table 1 (the part of the school's disadvantage above the threshold from
which it is funded) and ``a_below = a - a_above``; so ``a_above``, ``a_below`` and ``b``
are three groups that add up to the pupils.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["REAL_2019_CRS", "find_data_dir", "real_2019_case"]

REAL_2019_CRS = "EPSG:28992"
_DUO_2019 = "duo/gemiddelde-afstand-woonadres-leerling-schoolvestiging-2019-2020.csv"
_CBS_2019 = "cbs/achterstandsscores-scholen-2019_tabel2.csv"
_CBS_2019_THRESHOLD = "cbs/achterstandsscores-scholen-2019_tabel1.csv"
_SCHOOLS_GEO = "schools_geo/scholenopdekaart_schoolList_2018.json"
_PC4 = "pc4/derived_pc4_centroids_from_certegis.csv"


def find_data_dir(data_dir: str | Path | None = None) -> Path | None:
    """The folder with the public data, or None when it cannot be found.

    Looks at ``data_dir``, then ``$SEGSPATIAL_SHARED_DATA``, then ``../shared/data``
    next to the current folder and next to the source tree.
    """
    candidates: list[Path] = []
    if data_dir is not None:
        candidates.append(Path(data_dir))
    if os.environ.get("SEGSPATIAL_SHARED_DATA"):
        candidates.append(Path(os.environ["SEGSPATIAL_SHARED_DATA"]))
    candidates += [Path.cwd().parent / "shared" / "data",
                   Path(__file__).resolve().parents[2] / "shared" / "data"]
    for path in candidates:
        if (path / _DUO_2019).is_file():
            return path
    return None


def _require(data_dir: str | Path | None) -> Path:
    found = find_data_dir(data_dir)
    if found is None:
        where = (str(data_dir) if data_dir is not None
                 else "$SEGSPATIAL_SHARED_DATA or ../shared/data")
        raise FileNotFoundError(
            f"public data not found in {where}: expected {_DUO_2019} there (DUO open "
            "data) with the CBS, pc4 and schools_geo files beside it"
        )
    return found


def real_2019_case(data_dir: str | Path | None = None) -> pd.DataFrame:
    """The real 2019 case: 6,295 regular primary schools with two groups and a location.

    Parameters
    ----------
    data_dir : str or pathlib.Path, optional
        Folder laid out like ``shared/data``; default: see :func:`find_data_dir`.

    Returns
    -------
    pandas.DataFrame
        One row per school: ``school``, ``school_name``, ``municipality`` (GM code),
        ``municipality_name``, ``postcode``, ``pupils``, ``score``, ``a``, ``b``,
        ``x``, ``y`` (EPSG:28992, metres), ``location_source``
        (``"scholenopdekaart"``, ``"pc4"`` or ``"missing"``), ``denomination``,
        ``board``, ``score_threshold`` (CBS's thresholded score), ``a_above`` and
        ``a_below`` (group A split by the funding threshold, see the module docstring).

    Raises
    ------
    FileNotFoundError
        If the data folder cannot be found.
    ValueError
        If a school has no disadvantage score in either CBS table (the files do not
        match).
    """
    root = _require(data_dir)
    duo = pd.read_csv(root / _DUO_2019, sep=";", encoding="cp1252", dtype=str)
    duo = duo[duo["SOORT_PO"] == "Bo"]
    schools = pd.DataFrame({
        "school": duo["BRIN_NUMMER"].str.strip() + duo["VESTIGINGSNUMMER"].str.strip()
        .str.zfill(2),
        "school_name": duo["INSTELLINGSNAAM_VESTIGING"].str.strip(),
        "municipality": "GM" + duo["GEMEENTENUMMER"].str.strip().str.zfill(4),
        "municipality_name": duo["GEMEENTENAAM"].str.strip(),
        "postcode": duo["POSTCODE_VESTIGING"].str.strip().str.upper(),
        "pupils": pd.to_numeric(duo["LEERLINGEN"]).astype(np.int64),
        "denomination": duo["DENOMINATIE_VESTIGING"].str.strip().replace("", None),
        "board": duo["BEVOEGD_GEZAG_NUMMER"].str.strip(),
    }).reset_index(drop=True)

    cbs = pd.read_csv(root / _CBS_2019, dtype={"brin_vestiging": str})
    score = cbs.set_index(cbs["brin_vestiging"].str.strip())["achterstandsscore_zonder_drempel"]
    schools["score"] = schools["school"].map(score)
    if schools["score"].isna().any():
        missing = schools.loc[schools["score"].isna(), "school"].tolist()
        raise ValueError(f"{len(missing)} schools have no CBS score, e.g. {missing[:5]}")
    c = 0.2 * schools["pupils"].sum() / schools["score"].sum()
    schools["a"] = np.minimum(schools["pupils"], np.round(c * schools["score"])).astype(np.int64)
    schools["b"] = schools["pupils"] - schools["a"]
    funded = pd.read_csv(root / _CBS_2019_THRESHOLD, dtype={"brin_vestiging": str})
    threshold = funded.set_index(funded["brin_vestiging"].str.strip())["achterstandsscore"]
    schools["score_threshold"] = schools["school"].map(threshold)
    if schools["score_threshold"].isna().any():
        missing = schools.loc[schools["score_threshold"].isna(), "school"].tolist()
        raise ValueError(f"{len(missing)} schools have no thresholded CBS score in "
                         f"{_CBS_2019_THRESHOLD}, e.g. {missing[:5]}")
    schools["a_above"] = np.minimum(schools["a"], np.round(c * schools["score_threshold"])
                                    ).astype(np.int64)
    schools["a_below"] = schools["a"] - schools["a_above"]

    from pyproj import Transformer

    with open(root / _SCHOOLS_GEO, encoding="utf-8") as fh:
        geo = pd.DataFrame(json.load(fh))
    parts = geo["C"].astype(str).str.split("-", expand=True)
    geo["school"] = parts[1].str.strip() + parts[2].str.strip().str[-2:]
    geo = geo.dropna(subset=["Lt", "Lg"]).drop_duplicates("school").set_index("school")
    to_rd = Transformer.from_crs("EPSG:4326", REAL_2019_CRS, always_xy=True)
    gx, gy = to_rd.transform(geo["Lg"].to_numpy(float), geo["Lt"].to_numpy(float))
    geo_x = pd.Series(gx, index=geo.index)
    geo_y = pd.Series(gy, index=geo.index)

    pc4 = pd.read_csv(root / _PC4, dtype={"postcode": str}).set_index("postcode")
    pc = schools["postcode"].str[:4]
    schools["x"] = schools["school"].map(geo_x)
    schools["y"] = schools["school"].map(geo_y)
    source = np.where(schools["x"].notna(), "scholenopdekaart", "pc4")
    fallback = schools["x"].isna()
    schools.loc[fallback, "x"] = pc[fallback].map(pc4["x_rd"])
    schools.loc[fallback, "y"] = pc[fallback].map(pc4["y_rd"])
    source = np.where(schools["x"].isna(), "missing", source)
    schools["location_source"] = source
    return schools
