"""The table engine: every area-year at once, tidy, never rounded, nothing lost."""

from __future__ import annotations

import math
from importlib import metadata

import numpy as np
import pandas as pd
import pytest

import segspatial.indices as indices_module
from segspatial import (
    DEFAULT_INDICES,
    IndexSpec,
    available_indices,
    correlation,
    dissimilarity,
    expected_dissimilarity,
    register_index,
    segregation,
    segregation_table,
    standardised_dissimilarity,
    theil_h,
)
from segspatial.demo import demo_counts
from segspatial.schema import RESULT_COLUMNS

SCALAR = {
    "dissimilarity": dissimilarity,
    "dissimilarity_expected": expected_dissimilarity,
    "dissimilarity_standardised": standardised_dissimilarity,
    "theil_h": theil_h,
    "correlation": correlation,
}


@pytest.fixture(scope="module")
def demo():
    return demo_counts()


@pytest.fixture(scope="module")
def demo_result(demo):
    return segregation(demo, "school", "a", "b", area="municipality", year="year",
                       total="total")


def test_table_schema(demo_result):
    table = demo_result.table
    assert list(table.columns) == RESULT_COLUMNS
    assert list(table.columns) == [
        "area", "year", "comparison", "group_a", "group_b", "index", "bandwidth", "kernel",
        "value", "n_units", "n_pupils", "n_a", "n_b", "reason", "reason_code", "groups",
        "within",
        "se", "ci_low", "ci_high", "ci_level", "bias_corrected", "n_boot", "bootstrap",
        "interval", "p_value", "alternative", "null_mean", "null_se", "n_null"]
    # columns that do not apply are present and null
    assert table["comparison"].isna().all() and table["kernel"].isna().all()
    assert table[["se", "ci_low", "p_value", "n_boot", "bootstrap"]].isna().all().all()
    assert table["bandwidth"].isna().all()
    assert list(table["index"].unique()) == list(DEFAULT_INDICES)
    # 4 municipalities pass the area filter, 10 years each, 5 indices
    assert len(table) == 4 * 10 * 5
    assert table["value"].notna().all()
    assert table["reason"].isna().all()


def test_vectorised_table_equals_scalar_functions_per_area_year(demo, demo_result):
    used = demo_result.counts
    table = demo_result.table.set_index(["area", "year", "index"])["value"]
    for (area, year), unit_rows in used.groupby(["area", "year"]):
        for name, func in SCALAR.items():
            expected = func(unit_rows["a"].to_numpy(), unit_rows["b"].to_numpy())
            assert table[(area, year, name)] == pytest.approx(expected, rel=1e-12,
                                                              abs=1e-15)


def test_counts_columns_in_the_table(demo_result):
    used = demo_result.counts
    first = demo_result.table.iloc[0]
    rows = used[(used["area"] == first["area"]) & (used["year"] == first["year"])]
    assert first["n_units"] == len(rows)
    assert first["n_a"] == rows["a"].sum()
    assert first["n_b"] == rows["b"].sum()
    assert first["n_pupils"] == rows["total"].sum()


def test_exclusions_add_up(demo, demo_result):
    excl = demo_result.exclusions
    dropped = excl[excl["reason"].isin(["small_area", "small_unit"])]
    assert dropped["n_units"].sum() + len(demo_result.counts) == len(demo)
    assert dropped["n_pupils"].sum() + demo_result.counts["total"].sum() == demo["total"].sum()
    neither = excl.loc[excl["reason"] == "not_in_comparison", "n_pupils"].sum()
    used = demo_result.counts
    assert neither == (used["total"] - used["a"] - used["b"]).sum()
    assert set(excl.loc[excl["reason"] == "small_area", "area"]) == {"GM9005"}


def test_values_are_not_rounded(demo_result):
    d = demo_result.table.loc[demo_result.table["index"] == "dissimilarity", "value"]
    assert (d.round(6) != d).any()


def test_relabelling_and_reordering_units_changes_nothing(demo, demo_result):
    rng = np.random.default_rng(5)
    shuffled = demo.sample(frac=1, random_state=rng).reset_index(drop=True)
    shuffled["school"] = "x" + shuffled["school"].str[::-1]
    again = segregation(shuffled, "school", "a", "b", area="municipality", year="year",
                        total="total")
    pd.testing.assert_frame_equal(again.table, demo_result.table, rtol=1e-12)


def test_no_area_no_year():
    df = pd.DataFrame({"school": ["I", "II"], "a": [2, 13], "b": [6, 3]})
    table = segregation_table(df, "school", "a", "b", min_unit_size=0, min_area_size=0)
    assert list(table.columns) == RESULT_COLUMNS          # one schema on every path
    assert table["area"].isna().all() and table["year"].isna().all()
    assert table.set_index("index").loc["dissimilarity", "value"] == pytest.approx(8 / 15)


def test_undefined_area_years_get_nan_and_reason():
    df = pd.DataFrame({
        "gm": ["A", "A", "B", "B", "C", "D", "D"],
        "school": list("1234567"),
        "a": [5, 6, 0, 0, 9, 3, 4],
        "b": [7, 2, 5, 8, 4, 2.5, 1],
    })
    result = segregation(df, "school", "a", "b", area="gm", min_unit_size=0, min_area_size=0)
    t = result.table.set_index(["area", "index"])
    assert t.loc[("A", "dissimilarity"), "reason"] is None
    assert math.isnan(t.loc[("B", "dissimilarity"), "value"])
    assert t.loc[("B", "theil_h"), "reason"] == "group A (a) is absent"
    assert t.loc[("C", "correlation"), "reason"] == (
        "fewer than 2 units with pupils in the comparison (1 of 1 units)")
    # fractional counts: D fine, the exact E[D] not
    assert not math.isnan(t.loc[("D", "dissimilarity"), "value"])
    assert math.isnan(t.loc[("D", "dissimilarity_expected"), "value"])
    assert "whole pupils" in t.loc[("D", "dissimilarity_standardised"), "reason"]
    excl = result.exclusions.set_index("area")
    assert excl.loc["B", "reason"] == "group_absent"
    assert excl.loc["C", "reason"] == "too_few_units"
    assert excl.loc["B", "n_pupils"] == 13


def test_everything_filtered_out_gives_empty_table_and_counted_exclusions():
    df = pd.DataFrame({"school": ["I", "II"], "a": [2, 13], "b": [6, 3]})
    result = segregation(df, "school", "a", "b")
    assert result.table.empty
    assert "index" in result.table.columns
    summary = result.exclusions_summary().set_index("reason")
    assert summary.loc["small_area", "n_pupils"] == 24


def test_indices_argument(demo):
    t = segregation_table(demo, "school", "a", "b", area="municipality", year="year",
                          indices=["theil_h", "dissimilarity", "theil_h"])
    assert list(t["index"].unique()) == ["theil_h", "dissimilarity"]
    with pytest.raises(ValueError, match="unknown index 'gini'; available: dissimilarity, "):
        segregation_table(demo, "school", "a", "b", indices="gini")
    with pytest.raises(ValueError, match="at least one index"):
        segregation_table(demo, "school", "a", "b", indices=[])


def test_input_not_mutated(demo):
    before = demo.copy()
    segregation(demo, "school", "a", "b", area="municipality", year="year", total="total")
    pd.testing.assert_frame_equal(demo, before)


# ------------------------------------------------------------------- registry and plug-ins


def _share_gap(a, b):
    """Largest minus smallest share of A across units."""
    t = a + b
    share = a[t > 0] / t[t > 0]
    return share.max() - share.min()


@pytest.fixture
def clean_registry(monkeypatch):
    monkeypatch.setattr(indices_module, "_registry", dict(indices_module._BUILTIN))
    monkeypatch.setattr(indices_module, "_entry_points_loaded", False)


def test_register_vectorised_index(clean_registry):
    def kernel(c):
        return c.sum(c.t) / c.n_units  # mean unit size

    register_index(IndexSpec("mean_size", kernel, "Mean unit size"))
    df = pd.DataFrame({"gm": ["A"] * 3 + ["B"] * 2, "school": list("12345"),
                       "a": [1, 2, 3, 4, 5], "b": [1, 1, 1, 1, 1]})
    t = segregation_table(df, "school", "a", "b", area="gm", indices=["mean_size"],
                          min_unit_size=0, min_area_size=0)
    np.testing.assert_allclose(t["value"], [3.0, 5.5])
    with pytest.raises(ValueError, match="already registered"):
        register_index(IndexSpec("mean_size", kernel))
    with pytest.raises(ValueError, match="built in and cannot be replaced"):
        register_index(IndexSpec("theil_h", kernel), replace=True)
    with pytest.raises(TypeError, match="spec must be an IndexSpec, got function"):
        register_index(kernel)


def test_entry_point_plugins(clean_registry, monkeypatch):
    eps = [
        metadata.EntryPoint("share_gap", f"{__name__}:_share_gap", "segspatial.indices"),
        metadata.EntryPoint("broken", "no_such_module_xyz:f", "segspatial.indices"),
    ]
    monkeypatch.setattr(indices_module.metadata, "entry_points",
                        lambda group: [e for e in eps if e.group == group])
    with pytest.warns(UserWarning, match="could not load segregation index plug-in 'broken'"):
        registry = available_indices()
    assert "share_gap" in registry and "broken" not in registry
    df = pd.DataFrame({"gm": ["A"] * 3 + ["B"] * 2, "school": list("12345"),
                       "a": [1, 2, 3, 4, 0], "b": [1, 1, 1, 1, 1]})
    t = segregation_table(df, "school", "a", "b", area="gm",
                          indices=["dissimilarity", "share_gap"], min_unit_size=0,
                          min_area_size=0)
    gap = t[t["index"] == "share_gap"]["value"].to_numpy()
    np.testing.assert_allclose(gap, [0.75 - 0.5, 0.8 - 0.0])


def test_cli_picks_up_plugins(clean_registry, monkeypatch, capsys):
    from segspatial.cli import main

    eps = [metadata.EntryPoint("share_gap", f"{__name__}:_share_gap", "segspatial.indices")]
    monkeypatch.setattr(indices_module.metadata, "entry_points",
                        lambda group: [e for e in eps if e.group == group])
    assert main(["list-indices"]) == 0
    out = capsys.readouterr().out
    assert "share_gap" in out and "plug-in" in out and "Largest minus smallest" in out
