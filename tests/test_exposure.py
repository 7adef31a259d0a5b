"""Exposure and isolation (Massey & Denton 1988), and their environment extension point."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from segspatial import segregation
from segspatial.indices import (
    GroupedCounts,
    correlation,
    exposure,
    exposure_isolation,
    isolation,
)

EXPOSURE = ["isolation_a", "exposure_ab", "isolation_b", "exposure_ba"]


def test_hand_computed():
    # school I: 2 A, 6 B; school II: 13 A, 3 B
    assert isolation([2, 13], [6, 3]) == pytest.approx(2 / 15 * 2 / 8 + 13 / 15 * 13 / 16,
                                                       abs=1e-15)
    assert exposure([2, 13], [6, 3]) == pytest.approx(2 / 15 * 6 / 8 + 13 / 15 * 3 / 16,
                                                      abs=1e-15)
    assert isolation([6, 3], [2, 13]) == pytest.approx(6 / 9 * 6 / 8 + 3 / 9 * 3 / 16,
                                                       abs=1e-15)
    assert isolation([5, 0], [0, 5]) == 1.0 and exposure([5, 0], [0, 5]) == 0.0


@given(arrays(np.int64, st.tuples(st.integers(2, 20), st.just(2)),
              elements=st.integers(0, 5000)))
def test_identities(counts):
    a, b = counts[:, 0].astype(float), counts[:, 1].astype(float)
    if a.sum() == 0 or b.sum() == 0:
        return
    c = GroupedCounts.single(a, b)
    v = exposure_isolation(c)
    big_a, big_b = a.sum(), b.sum()
    p = big_a / (big_a + big_b)
    assert v["isolation_a"][0] + v["exposure_ab"][0] == pytest.approx(1.0, abs=1e-12)
    assert v["isolation_b"][0] + v["exposure_ba"][0] == pytest.approx(1.0, abs=1e-12)
    assert big_a * v["exposure_ab"][0] == pytest.approx(big_b * v["exposure_ba"][0],
                                                        rel=1e-12)
    # the correlation index V = (aPa - P) / (1 - P)  (method.md)
    assert (v["isolation_a"][0] - p) / (1 - p) == pytest.approx(correlation(a, b),
                                                                rel=1e-10, abs=1e-12)
    # an identity environment operator gives the aspatial values
    eye = sp.identity(len(a), format="csr")
    same = exposure_isolation(c, eye @ a, eye @ b)
    for name in EXPOSURE:
        assert same[name][0] == pytest.approx(v[name][0], rel=1e-15)


def test_environment_extension_point_hand_computed():
    # three schools; a dispersal operator that spreads each school's pupils half to
    # itself and half to its neighbour(s) along a line: columns sum to 1
    a = np.array([10.0, 0.0, 10.0])
    b = np.array([0.0, 10.0, 0.0])
    k = np.array([[0.5, 0.25, 0.0],
                  [0.5, 0.5, 0.5],
                  [0.0, 0.25, 0.5]])
    assert np.allclose(k.sum(axis=0), 1.0)
    ea, eb = k @ a, k @ b   # (5, 10, 5), (2.5, 5, 2.5)
    v = exposure_isolation(GroupedCounts.single(a, b), ea, eb)
    # aPa = Σ (a_j/A)(ã_j/t̃_j) = 1/2 (5/7.5) + 1/2 (5/7.5)
    assert v["isolation_a"][0] == pytest.approx(2 / 3, abs=1e-15)
    assert v["exposure_ab"][0] == pytest.approx(1 / 3, abs=1e-15)
    # bPb = 1 x (5/15)
    assert v["isolation_b"][0] == pytest.approx(1 / 3, abs=1e-15)
    assert v["exposure_ba"][0] == pytest.approx(2 / 3, abs=1e-15)


def test_absent_group_is_nan():
    c = GroupedCounts.single(np.array([0.0, 0.0]), np.array([3.0, 4.0]))
    v = exposure_isolation(c)
    assert np.isnan(v["isolation_a"][0]) and np.isnan(v["exposure_ab"][0])
    assert v["isolation_b"][0] == 1.0


def test_table_rows_and_pysal(real_2019):
    pytest.importorskip("segregation")
    table = segregation(real_2019, "school", "a", "b", area="municipality",
                        indices=EXPOSURE, min_unit_size=0, min_area_size=0).table
    wide = table.pivot(index="area", columns="index", values="value")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from segregation.singlegroup import Interaction, Isolation

        compared = 0
        for code, frame in real_2019.groupby("municipality"):
            if len(frame) < 2:
                continue
            df = pd.DataFrame({"a": frame["a"].to_numpy(float),
                               "b": frame["b"].to_numpy(float),
                               "t": frame["pupils"].to_numpy(float)})
            for name, group in (("isolation_a", "a"), ("isolation_b", "b")):
                np.testing.assert_allclose(wide.loc[code, name],
                                           Isolation(df, group, "t").statistic,
                                           rtol=1e-9, atol=1e-12, err_msg=f"{name} {code}")
            for name, group in (("exposure_ab", "a"), ("exposure_ba", "b")):
                np.testing.assert_allclose(wide.loc[code, name],
                                           Interaction(df, group, "t").statistic,
                                           rtol=1e-9, atol=1e-12, err_msg=f"{name} {code}")
            compared += 1
    assert compared > 350
