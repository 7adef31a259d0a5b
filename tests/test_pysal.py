"""Agreement with an independent implementation: PySAL ``segregation``.

PySAL's single-group indices take a group column and a total column; with
total = A + B they compute the same D, H and V as segspatial's two-group indices.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from segspatial import segregation

pytest.importorskip("segregation", reason="PySAL segregation is a test-only dependency")


def _pysal_values(frame: pd.DataFrame) -> dict[str, float]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PySAL's own deprecation chatter only
        from segregation.singlegroup import CorrelationR, Dissim, Entropy

        df = pd.DataFrame({"a": frame["a"].to_numpy(float),
                           "t": (frame["a"] + frame["b"]).to_numpy(float)})
        return {
            "dissimilarity": Dissim(df, "a", "t").statistic,
            "theil_h": Entropy(df, "a", "t").statistic,
            "correlation": CorrelationR(df, "a", "t").statistic,
        }


def test_real_2019_case_shape(real_2019):
    assert len(real_2019) == 6295
    assert real_2019["municipality"].nunique() == 355
    assert real_2019["pupils"].sum() == 1_396_457
    assert (real_2019["a"] + real_2019["b"] == real_2019["pupils"]).all()
    assert real_2019["a"].sum() / real_2019["pupils"].sum() == pytest.approx(0.2, abs=0.002)
    assert (real_2019["location_source"] == "scholenopdekaart").mean() > 0.99


def test_reference_values(real_2019):
    table = segregation(real_2019, "school", "a", "b", area="municipality",
                        indices="dissimilarity", min_unit_size=0, min_area_size=0).table
    d = table.set_index("area")["value"]
    assert d["GM0363"] == pytest.approx(0.59, abs=0.01)  # Amsterdam
    assert d["GM0034"] == pytest.approx(0.35, abs=0.01)  # Almere


def test_all_355_municipalities_agree_with_pysal(real_2019):
    result = segregation(real_2019, "school", "a", "b", area="municipality",
                         indices=["dissimilarity", "theil_h", "correlation"],
                         min_unit_size=0, min_area_size=0)
    table = result.table.pivot(index="area", columns="index", values="value")
    assert len(table) == 355
    compared = 0
    for code, frame in real_2019.groupby("municipality"):
        if len(frame) < 2:  # one school: segspatial says undefined (NaN with a reason)
            assert table.loc[code].isna().all()
            continue
        for name, value in _pysal_values(frame).items():
            np.testing.assert_allclose(table.loc[code, name], value, rtol=1e-9, atol=1e-12,
                                       err_msg=f"{name} in {code}")
            compared += 1
    assert compared >= 3 * 350
