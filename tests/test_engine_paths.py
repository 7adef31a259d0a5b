"""The engine's fast paths give the values of the plain ones, bit for bit.

Lazy frames (the gate's counts frame and ``SegregationResult.counts``), D, H and V in
one pass, packed gathers of long tables and the shortcuts of the kernels are all
speed only (issue 17): each is checked against the path it replaces.
"""

from __future__ import annotations

import copy
import dataclasses
import pickle

import numpy as np
import pandas as pd
import pytest

from segspatial import prepare_counts, segregation
from segspatial._kernels import (
    GroupedCounts,
    _binary_entropy,
    _correlation_kernel,
    _dissimilarity_kernel,
    _theil_h_kernel,
    _unit_entropy,
)
from segspatial._lazy import is_built
from segspatial.counts import _gather_pair

DHV = ["dissimilarity", "theil_h", "correlation"]


def _panel(n_units: int = 400, years: int = 3, seed: int = 4) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    parts = []
    for year in range(2017, 2017 + years):
        size = rng.integers(0, 300, n_units)
        a = rng.binomial(size, rng.beta(1, 3, n_units))
        parts.append(pd.DataFrame({
            "school": [f"S{i:04d}" for i in range(n_units)],
            "town": [f"T{i % 23:02d}" for i in range(n_units)],
            "year": year, "a": a, "b": size - a}))
    df = pd.concat(parts, ignore_index=True)
    return df.sample(frac=1, random_state=seed).reset_index(drop=True)


def _same_bits(x: np.ndarray, y: np.ndarray) -> bool:
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    return x.shape == y.shape and np.array_equal(x.view(np.int64), y.view(np.int64))


def test_counts_frame_built_on_first_use_as_before():
    df = _panel()
    counts = prepare_counts(df, "school", "a", "b", area="town", year="year")
    assert not is_built(counts, "frame")
    frame = counts.frame
    assert is_built(counts, "frame") and counts.frame is frame
    assert list(frame.columns) == ["area", "year", "unit", "a", "b", "total"]
    expected = df.rename(columns={"town": "area", "school": "unit"}).sort_values(
        ["area", "year", "unit"]).reset_index(drop=True)
    assert frame["unit"].astype(str).tolist() == expected["unit"].tolist()
    assert frame["area"].astype(str).tolist() == expected["area"].tolist()
    np.testing.assert_array_equal(frame["a"], expected["a"].astype(float))
    np.testing.assert_array_equal(frame["total"], (expected["a"] + expected["b"]).astype(float))


def test_lazy_frame_does_not_follow_later_changes_of_the_input():
    df = _panel()
    result = segregation(df, "school", "a", "b", area="town", year="year",
                         min_unit_size=0, min_area_size=0)
    before = df.copy()
    df["a"] = 0
    df["school"] = "changed"
    fresh = segregation(before, "school", "a", "b", area="town", year="year",
                        min_unit_size=0, min_area_size=0)
    pd.testing.assert_frame_equal(result.counts, fresh.counts, check_exact=True)


def test_results_with_lazy_counts_pickle_copy_and_replace():
    df = _panel()
    result = segregation(df, "school", "a", "b", area="town", year="year",
                         min_unit_size=20, min_area_size=0)
    assert not is_built(result, "counts")
    back = pickle.loads(pickle.dumps(result))
    pd.testing.assert_frame_equal(back.counts, result.counts, check_exact=True)
    assert is_built(result, "counts")
    assert copy.deepcopy(result).counts.equals(result.counts)
    other = dataclasses.replace(result, parameters={})
    assert other.counts is result.counts
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.counts = None  # type: ignore[misc]
    assert (result.counts["total"] >= 20).all()


def test_replace_of_the_frame_drops_the_gate_arrays():
    counts = prepare_counts(_panel(), "school", "a", "b", area="town", year="year")
    assert counts.columns is not None
    other = dataclasses.replace(counts, frame=counts.frame.iloc[:10])
    assert other.columns is None
    assert len(other.count_columns().a) == 10


@pytest.mark.parametrize("zeros", [False, True])
@pytest.mark.parametrize("fractional", [False, True])
def test_one_pass_dhv_equals_the_separate_kernels(zeros, fractional):
    rng = np.random.default_rng(11)
    n, groups = 70_000, 900  # more than one block of units
    a = rng.integers(0, 60, n).astype(float)
    b = rng.integers(0, 60, n).astype(float)
    if zeros:
        a[rng.choice(n, 5000, replace=False)] = 0
        b[rng.choice(n, 5000, replace=False)] = 0
    if fractional:
        a *= 0.37
    group = np.sort(rng.integers(0, groups, n)).astype(np.intp)

    def counts(wanted):
        return GroupedCounts(a=a, b=b, group=group, n_groups=groups,
                             wanted=frozenset(wanted))

    together = counts(DHV)
    for kernel in (_dissimilarity_kernel, _theil_h_kernel, _correlation_kernel):
        with np.errstate(divide="ignore", invalid="ignore"):
            assert _same_bits(kernel(together), kernel(counts([])))


def test_unit_entropy_same_bits_as_binary_entropy():
    rng = np.random.default_rng(3)
    a = np.concatenate([rng.integers(0, 1000, 50_000).astype(float), rng.random(50_000),
                        [0, 0, 1, 2, 1e-300, 5e-324, 1e15, 3, 0.5, 0.1]])
    b = np.concatenate([rng.integers(0, 1000, 50_000).astype(float), rng.random(50_000),
                        [0, 1, 0, 2, 1, 1, 1, 1e-16, 0.5, 0.2]])
    t = a + b
    tt = np.where(t > 0, t, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        old = np.where(t > 0, _binary_entropy(a / tt, b / tt), 0.0)
        new = np.where(t > 0, _unit_entropy(a / tt, b / tt), 0.0)
    assert _same_bits(old, new)


def test_packed_gather_equals_two_gathers():
    rng = np.random.default_rng(8)
    a = rng.integers(0, 2**31 - 1, 10_000).astype(np.float64)
    b = rng.integers(0, 2**31 - 1, 10_000).astype(np.float64)
    a[:3], b[:3] = 0, [2**31 - 1, 0, 1]
    order = rng.permutation(10_000).astype(np.int32)
    got_a, got_b = _gather_pair(a, b, order)
    assert _same_bits(got_a, a[order]) and _same_bits(got_b, b[order])


def test_long_table_values_do_not_depend_on_the_fast_paths(monkeypatch):
    import segspatial.counts as counts_module

    df = _panel(n_units=3000, years=4)
    plain = segregation(df, "school", "a", "b", area="town", year="year", indices=DHV,
                        min_unit_size=0, min_area_size=0).table
    monkeypatch.setattr(counts_module, "_PACK_ROWS", 1)
    packed = segregation(df, "school", "a", "b", area="town", year="year", indices=DHV,
                         min_unit_size=0, min_area_size=0).table
    one_by_one = pd.concat([
        segregation(df, "school", "a", "b", area="town", year="year", indices=name,
                    min_unit_size=0, min_area_size=0).table for name in DHV])
    one_by_one = one_by_one.sort_values(["area", "year", "index"], kind="stable")
    pd.testing.assert_frame_equal(plain, packed, check_exact=True)
    plain = plain.sort_values(["area", "year", "index"], kind="stable")
    assert _same_bits(plain["value"].to_numpy(), one_by_one["value"].to_numpy())
