"""The monitor's tables: shares with bounds, targets and pace, segregation, accounting."""

from __future__ import annotations

import json
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from segspatial import segregation
from segspatial.monitor.censored import segregation_bounds
from segspatial.monitor.compute import (
    REPRESENTATION_COLUMNS,
    SEGREGATION_COLUMNS,
    Selection,
    compute_monitor,
)
from segspatial.monitor.reader import read_enrolments
from segspatial.monitor.regions import read_mapping, region_mapping

REAL = "duo/ingeschrevenen-hbo-2020-2024.json"


def rec(gm, prog, sex, y1, y2, sector="techniek", name="B Elektrotechniek", inst="21QA"):
    return {"GEMEENTENUMMER": gm, "OPLEIDINGSCODE ACTUEEL": prog, "GESLACHT": sex,
            "ONDERDEEL": sector, "OPLEIDINGSNAAM ACTUEEL": name,
            "INSTELLINGSCODE ACTUEEL": inst, "GEMEENTENAAM": f"Gemeente {gm}",
            "2023": y1, "2024": y2}


@pytest.fixture
def small(tmp_path):
    """Three municipalities, two regions; a censored cell; a non-technical programme."""
    records = [
        rec("0001", 1, "vrouw", 10, 15), rec("0001", 1, "man", 90, 85),
        rec("0001", 2, "vrouw", "<5", 6, name="B Civiele Techniek"),
        rec("0001", 2, "man", 40, 44, name="B Civiele Techniek"),
        rec("0002", 1, "vrouw", 5, 5), rec("0002", 1, "man", 45, 45),
        rec("0002", 3, "vrouw", 80, 82, sector="onderwijs", name="B Pabo"),
        rec("0002", 3, "man", 20, 18, sector="onderwijs", name="B Pabo"),
        rec("0003", 1, "vrouw", 0, "<5"), rec("0003", 1, "man", 30, 30),
        rec("0003", 1, "onbekend", 0, 1),
    ]
    path = tmp_path / "hbo.json"
    path.write_text(json.dumps(records))
    enr = read_enrolments(path)
    muni = gpd.GeoDataFrame({"statcode": ["GM0001", "GM0002", "GM0003"]},
                            geometry=[box(0, 0, 10, 10), box(10, 0, 20, 10),
                                      box(20, 0, 30, 10)], crs="EPSG:28992")
    regions = gpd.GeoDataFrame({"statcode": ["R1", "R2"], "statnaam": ["West", "Oost"]},
                               geometry=[box(0, 0, 20, 10), box(20, 0, 30, 10)],
                               crs="EPSG:28992")
    return enr, region_mapping(muni, {"province": regions})


def test_small_case_by_hand(small):
    enr, mapping = small
    result = compute_monitor(enr, mapping, targets=0.25)
    rep = result.representation
    assert list(rep.columns) == REPRESENTATION_COLUMNS
    assert result.levels == ["national", "province", "municipality"]
    r1 = rep[(rep["area"] == "R1") & (rep["year"] == 2023)].iloc[0]
    # R1 2023 techniek: women 10 + <5 + 5, men 90 + 40 + 45; "<5" counts 2 (midpoint)
    assert (r1["women"], r1["women_low"], r1["women_high"]) == (17, 16, 19)
    assert r1["men"] == 175 and r1["n_censored"] == 1
    assert r1["share"] == pytest.approx(17 / 192)
    assert r1["share_low"] == pytest.approx(16 / 191)
    assert r1["share_high"] == pytest.approx(19 / 194)
    assert r1["share_uncensored"] == pytest.approx(15 / 190)
    # 25% of women with 175 men needs 59 women (59/234 >= 0.25 > 58/233): 42 more
    assert r1["gap"] == 59 - 17 and r1["gap_low"] == 59 - 19 and r1["gap_high"] == 59 - 16
    r1b = rep[(rep["area"] == "R1") & (rep["year"] == 2024)].iloc[0]
    assert r1b["change"] == pytest.approx(r1b["share"] - r1["share"])
    assert r1b["trend"] == pytest.approx(r1b["change"])  # two years: the slope is the change
    years = int(np.ceil((0.25 - r1b["share"]) / r1b["trend"]))
    assert r1b["target_status"] == "on_pace" and r1b["target_year"] == 2024 + years
    # unknown sex is counted, not in the share
    r2 = rep[(rep["area"] == "R2") & (rep["year"] == 2024)].iloc[0]
    assert r2["unknown"] == 1 and r2["share"] == pytest.approx(2 / 32)
    # 0 -> 2/32: +0.0625 a year, 0.25 three years later
    assert r2["target_status"] == "on_pace" and r2["target_year"] == 2027
    flat = rep[(rep["area"] == "GM0002") & (rep["year"] == 2024)].iloc[0]
    assert flat["share"] == 0.1 and flat["trend"] == 0
    assert flat["target_status"] == "not_at_this_pace" and pd.isna(flat["target_year"])
    # the Pabo (onderwijs) is outside the selection
    nat = rep[(rep["level"] == "national") & (rep["year"] == 2024)].iloc[0]
    assert nat["women"] + nat["men"] == 15 + 85 + 6 + 44 + 5 + 45 + 2 + 30


def test_regions_add_up_and_every_cell_is_placed(small):
    enr, mapping = small
    rep = compute_monitor(enr, mapping).representation
    nat = rep[rep["level"] == "national"].set_index("year")
    for level in ("province", "municipality"):
        sums = rep[rep["level"] == level].groupby("year")[
            ["women", "men", "unknown", "women_low", "women_high", "men_low", "men_high"]].sum()
        pd.testing.assert_frame_equal(sums, nat[sums.columns], check_dtype=False)


def test_cells_without_region_are_counted(small, tmp_path):
    enr, mapping = small
    table = mapping.table[mapping.table["municipality"] != "GM0003"]
    path = tmp_path / "mapping.csv"
    table.to_csv(path, index=False)
    result = compute_monitor(enr, read_mapping(path), levels=["national", "province"])
    ex = result.exclusions
    left = ex[ex["reason"] == "municipality_not_in_mapping"]
    assert left["area"].unique().tolist() == ["GM0003"] and set(left["level"]) == {"province"}
    rep = result.representation.set_index(["level", "year"])
    # province totals + what was left out = national, for every year (all programmes' cells)
    for year in (2023, 2024):
        cells = enr.cells[enr.cells["year"] == year]
        assert left.loc[left["year"] == year, "low"].sum() == cells.loc[
            cells["area"] == "GM0003", "low"].sum()
    prov = rep.loc["province"].groupby(level=0)["men"].sum()
    nat = rep.loc["national"]["men"]
    assert (nat - prov).tolist() == [30, 30]  # GM0003's men, left out of the provinces


def test_segregation_is_the_engines_with_ranges(small):
    enr, mapping = small
    result = compute_monitor(enr, mapping, segregation_scope="all")
    seg = result.segregation
    assert list(seg.columns) == SEGREGATION_COLUMNS
    nat = seg[(seg["level"] == "national") & (seg["year"] == 2023)].set_index("index")
    # national 2023 point counts per programme (all sectors): women, men ("<5" = 2)
    a, b = [10 + 5 + 0, 2, 80], [90 + 45 + 30, 40, 20]
    frame = pd.DataFrame({"unit": ["1", "2", "3"], "a": a, "b": b})
    engine = segregation(frame, "unit", "a", "b", min_unit_size=0, min_area_size=0,
                         indices=["dissimilarity", "dissimilarity_expected",
                                  "dissimilarity_standardised", "theil_h"]).table
    for row in engine.itertuples():
        assert nat.loc[row.index, "value"] == row.value
    rng = segregation_bounds([15, 1, 80], [15, 4, 80], b, b).iloc[0]
    assert nat.loc["dissimilarity", "low"] == rng["dissimilarity_low"]
    assert nat.loc["dissimilarity", "high"] == rng["dissimilarity_high"]
    assert nat.loc["dissimilarity", "bounds"] == "exact"
    assert nat.loc["dissimilarity_expected", "bounds"] == "exact"
    for index in ("dissimilarity_expected", "dissimilarity_standardised", "theil_h"):
        assert nat.loc[index, "low"] == rng[f"{index}_low"]
        assert nat.loc[index, "high"] == rng[f"{index}_high"]
        assert nat.loc[index, "low"] <= nat.loc[index, "value"] <= nat.loc[index, "high"]
    assert nat.loc["dissimilarity", "low"] <= nat.loc["dissimilarity", "value"] <= \
        nat.loc["dissimilarity", "high"]


def test_selection_options(small):
    enr, mapping = small
    by_code = compute_monitor(enr, mapping, selection=Selection.of(programmes=[2]))
    nat = by_code.representation.query("level == 'national' and year == 2024").iloc[0]
    assert (nat["women"], nat["men"]) == (6, 44)
    by_name = compute_monitor(enr, mapping, selection=Selection.of(name="civiele"))
    assert by_name.representation.equals(by_code.representation)
    with pytest.raises(ValueError, match=r"sector 'bouw' is not in the file; its sectors are "
                                         r"\['onderwijs', 'techniek'\]"):
        compute_monitor(enr, mapping, selection=Selection.of(sector="bouw"))
    with pytest.raises(ValueError, match=r"1 code\(s\) not in the file: \['99'\]"):
        compute_monitor(enr, mapping, selection=Selection.of(programmes=[99]))
    with pytest.raises(ValueError, match="matches no enrolment"):
        compute_monitor(enr, mapping, selection=Selection.of(sector="onderwijs",
                                                             programmes=[1]))


@pytest.mark.parametrize("name", ["", "   "])
def test_selection_empty_name_is_refused(small, name):
    # An empty pattern matches every programme: `--programme-name "$UNSET"` would
    # silently monitor all of hbo (53% women) instead of an error.
    enr, mapping = small
    with pytest.raises(ValueError, match=r"name: .* is empty and would match every "
                                         r"programme"):
        compute_monitor(enr, mapping, selection=Selection.of(name=name))


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"targets": 1.2}, ValueError, r"target must be a share between 0 and 1"),
    ({"targets": {"gemeente": 0}}, ValueError, r"targets\['gemeente'\] must be a share"),
    ({"targets": {"labour_market_region": 0.2}}, ValueError, "no level"),
    ({"point": "mean"}, ValueError, "point must be one of midpoint, low, high, exclude"),
    ({"unit": "school"}, ValueError, "unit must be"),
    ({"levels": ["arbeidsmarktregio"]}, ValueError, "the mapping has no level"),
    ({"pace_years": 1}, ValueError, "pace_years"),
    ({"targets": "havo"}, ValueError, r"target 'havo' is not one of the advice's targets "
                                      r"\(vmbo = 10%, mbo = 15%, hbo = 20%\)"),
])
def test_bad_options(small, kwargs, error, match):
    enr, mapping = small
    with pytest.raises(error, match=match):
        compute_monitor(enr, mapping, **kwargs)


def test_selection_by_type_needs_a_type_column(small):
    enr, mapping = small  # the small file has no TYPE HOGER ONDERWIJS column
    with pytest.raises(ValueError, match="selection by type needs a type column"):
        compute_monitor(enr, mapping, selection=Selection.of(types=["bachelor"]))


def test_change_and_pace_count_calendar_years(tmp_path):
    # a file without 2021: the change "on the year before" of 2022 does not exist, and
    # the pace over the last 2 years in 2023 uses 2022-2023 only
    shares = {"2020": (10, 90), "2022": (20, 80), "2023": (24, 76)}
    records = []
    for sex, i in (("vrouw", 0), ("man", 1)):
        record = {"GEMEENTENUMMER": "0001", "OPLEIDINGSCODE ACTUEEL": 1, "GESLACHT": sex,
                  "ONDERDEEL": "techniek"}
        record.update({year: counts[i] for year, counts in shares.items()})
        records.append(record)
    path = tmp_path / "gap.json"
    path.write_text(json.dumps(records))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no municipality names: no pandas warning either
        rep = compute_monitor(read_enrolments(path)).representation
    nat = rep[rep["level"] == "national"].set_index("year")
    assert np.isnan(nat.loc[2022, "change"])
    assert nat.loc[2023, "change"] == pytest.approx(0.04)
    # trend over all years so far: least squares on the calendar years (0.1 @ 2020,
    # 0.2 @ 2022, 0.24 @ 2023)
    x, y = np.array([2020, 2022, 2023.0]), np.array([0.1, 0.2, 0.24])
    assert nat.loc[2023, "trend"] == pytest.approx(np.polyfit(x, y, 1)[0], rel=1e-9)
    two = compute_monitor(read_enrolments(path), pace_years=2).representation
    two = two[two["level"] == "national"].set_index("year")
    assert two.loc[2023, "trend"] == pytest.approx(0.04, rel=1e-9)  # 2022-2023
    assert np.isnan(two.loc[2022, "trend"])  # 2021-2022 holds one year


# --------------------------------------------------------------------------- real data


@pytest.fixture(scope="module")
def real(shared_data):
    b = shared_data / "boundaries"
    enr = read_enrolments(shared_data / REAL)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # TopoJSON: lon/lat assumed, one repair
        mapping = region_mapping(b / "nl_maps_rd_gemeente_2019.geojson",
                                 {"arbeidsmarktregio":
                                  b / "cartomap_wgs84_arbeidsmarktregio_2018.topojson",
                                  "provincie": b / "cartomap_wgs84_provincie_2018.topojson"})
    return enr, mapping, compute_monitor(enr, mapping)


def test_real_national_share_of_women_in_techniek(real, shared_data):
    _, _, result = real
    rep = result.representation
    nat = rep[rep["level"] == "national"].set_index("year")
    # excluding censored cells, as DUO's totals (the data README: 23.1% and 25.6%)
    assert round(nat.loc[2020, "share_uncensored"], 3) == 0.231
    assert round(nat.loc[2024, "share_uncensored"], 3) == 0.256
    # bounds including the censored cells, from the raw JSON independently
    records = json.loads((shared_data / REAL).read_text())
    for year in range(2020, 2025):
        def tot(sex, value, y=str(year)):
            return sum((r[y] if isinstance(r[y], int) else value) for r in records
                       if r["ONDERDEEL"] == "techniek" and r["GESLACHT"] == sex)
        w_lo, w_hi, m_lo, m_hi = tot("vrouw", 1), tot("vrouw", 4), tot("man", 1), tot("man", 4)
        assert nat.loc[year, "share_low"] == pytest.approx(w_lo / (w_lo + m_hi), rel=1e-12)
        assert nat.loc[year, "share_high"] == pytest.approx(w_hi / (w_hi + m_lo), rel=1e-12)
        assert nat.loc[year, "share_low"] <= nat.loc[year, "share"] <= nat.loc[year,
                                                                               "share_high"]
    assert (round(nat.loc[2024, "share_low"], 4), round(nat.loc[2024, "share_high"], 4)) == \
        (0.2565, 0.2588)
    assert (nat["target_status"] == "reached").all()  # 20% for hbo techniek


def test_real_regions_add_up_to_the_nation(real):
    enr, mapping, result = real
    rep = result.representation
    nat = rep[rep["level"] == "national"].set_index("year")
    columns = ["women", "men", "unknown", "women_low", "women_high", "men_low", "men_high"]
    for level in ("labour_market_region", "province", "municipality"):
        sums = rep[rep["level"] == level].groupby("year")[columns].sum()
        pd.testing.assert_frame_equal(sums, nat[columns], check_dtype=False)
    # every cell in exactly one region per level, nothing left out
    assert not result.exclusions["reason"].isin(["municipality_not_in_mapping",
                                                 "no_region"]).any()
    assert rep.query("level == 'labour_market_region'")["area"].nunique() == 27  # with hbo
    assert rep.query("level == 'province'")["area"].nunique() == 12
    # the overlay's provinces agree with the file's own PROVINCIE column
    prov = mapping.lookup("province")["region_name"]
    cells = enr.cells.drop_duplicates("area")
    assert (cells["area"].map(prov) == cells["province_name"]).all()


def test_real_gender_d_agrees_with_engine_and_pysal(real):
    pytest.importorskip("segregation", reason="PySAL segregation is a test-only peer")
    from segregation.singlegroup import Dissim

    enr, _, result = real
    seg = result.segregation
    cells = enr.cells[enr.cells["year"] == 2024].copy()
    cells["point"] = np.where(cells["censored"], (cells["low"] + cells["high"]) // 2,
                              cells["low"])
    counts = cells.pivot_table(index="programme", columns="sex", values="point",
                               aggfunc="sum", fill_value=0)
    d = seg.query("level == 'national' and year == 2024 and index == 'dissimilarity'").iloc[0]
    engine = segregation(counts.reset_index(), "programme", "women", "men", min_unit_size=0,
                         min_area_size=0, indices="dissimilarity").table["value"].iloc[0]
    assert d["value"] == engine
    frame = pd.DataFrame({"w": counts["women"].astype(float),
                          "t": (counts["women"] + counts["men"]).astype(float)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert d["value"] == pytest.approx(Dissim(frame, "w", "t").statistic, abs=1e-12)
    assert 0.46 < d["value"] < 0.48 and d["high"] - d["low"] < 0.005


def test_real_bounds_contain_random_fills(real):
    enr, _, result = real
    seg = result.segregation.query("level == 'national' and year == 2024").set_index("index")
    cells = enr.cells[enr.cells["year"] == 2024]
    rng = np.random.default_rng(0)
    from segspatial import (
        dissimilarity,
        expected_dissimilarity,
        standardised_dissimilarity,
        theil_h,
    )

    # nationally too many fills for enumeration: proven bounds (D and H within a few
    # thousandths; E[D] within its coupling radius)
    assert set(seg["bounds"]) == {"bound"}
    assert seg.loc["dissimilarity", "high"] - seg.loc["dissimilarity", "low"] < 0.005
    assert seg.loc["dissimilarity_expected", "high"] - \
        seg.loc["dissimilarity_expected", "low"] < 0.015
    for _ in range(20):
        fill = rng.integers(cells["low"], cells["high"] + 1)
        counts = (cells.assign(n=fill).pivot_table(index="programme", columns="sex",
                                                   values="n", aggfunc="sum", fill_value=0))
        d = dissimilarity(counts["women"], counts["men"])
        h = theil_h(counts["women"], counts["men"])
        assert seg.loc["dissimilarity", "low"] <= d <= seg.loc["dissimilarity", "high"]
        assert seg.loc["theil_h", "low"] <= h <= seg.loc["theil_h", "high"]
        e = expected_dissimilarity(counts["women"], counts["men"])
        ds = standardised_dissimilarity(counts["women"], counts["men"])
        assert seg.loc["dissimilarity_expected", "low"] <= e <= \
            seg.loc["dissimilarity_expected", "high"]
        assert seg.loc["dissimilarity_standardised", "low"] <= ds <= \
            seg.loc["dissimilarity_standardised", "high"]


def test_real_small_regions_get_exact_ranges(real):
    # region-years with few censored cells are enumerated: every index's range exact
    _, _, result = real
    seg = result.segregation
    methods = seg.groupby("index")["bounds"].value_counts().unstack(fill_value=0)
    for index in ("dissimilarity", "theil_h", "dissimilarity_expected",
                  "dissimilarity_standardised"):
        assert methods.loc[index, "exact"] > 100
    assert methods.loc["dissimilarity_expected", "monotone"] == 0  # no such shortcut
    defined = seg[seg["value"].notna()]
    assert (defined["low"] <= defined["value"] + 1e-12).all()
    assert (defined["value"] <= defined["high"] + 1e-12).all()


def test_targets_by_the_advice_s_names(small):
    enr, mapping = small
    rep = compute_monitor(enr, mapping, targets="mbo").representation
    assert (rep["target"] == 0.15).all()
    rep = compute_monitor(enr, mapping, targets={"provincie": "vmbo"}).representation
    by_level = rep.groupby("level")["target"].unique()
    assert by_level["province"].tolist() == [0.10]
    assert by_level["national"].tolist() == [0.20]  # not named: the hbo default
