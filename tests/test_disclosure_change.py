"""Disclosure attacks on ``segspatial change --min-cell N``.

The attacker reads the change table and knows what anyone knows: every school's number
of pupils, which schools make up an area, and which group is the smaller one there
(public statistics; D, H and V do not change when the groups swap names). For each
area-year of two schools it tries every split of both schools' pupils between group A
and group B, recomputes D, H and V, and keeps the splits that every published number
allows (a value printed as ``0.02`` is 0.015 to 0.025; an exact value is itself, to
1e-9). A count is *recovered* when one
split is left and its count of A is below N. On the unprotected change table (exact
values and bootstrap intervals) the attack recovers the small count; on the table of
disclosure mode (differences of the published, audited values; no intervals) it
recovers nothing.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from segspatial.cli import main

N = 10
#: Area X holds a school with 4 pupils of A: D moves across a rounding boundary with
#: every one-pupil twin, so the audit withholds it. Area Y is city-sized.
SCHOOLS = {
    "X": {"p": (4, 96), "q": (52, 1004)},
    "Y": {f"u{i}": (60 + 5 * i, 300 - 3 * i) for i in range(30)},
}

#: The public school sizes of area X (school q has a pupil more in 2019).
SIZES = {("X", 2018): np.array([100, 1056]), ("X", 2019): np.array([100, 1057])}


def counts_frame() -> pd.DataFrame:
    rows = []
    for year, shift in ((2018, 0), (2019, 1)):
        for area, schools in SCHOOLS.items():
            for unit, (a, b) in schools.items():
                # a pupil more in group A in 2019 (the small count stays small)
                a_year = a + shift if unit != "p" else a
                rows.append({"area": area, "year": year, "unit": unit, "a": a_year,
                             "b": b, "total": a_year + b})
    return pd.DataFrame(rows)


def _indices(a: np.ndarray, t: np.ndarray) -> dict[str, np.ndarray]:
    """D, H and V of two-school areas: ``a`` (m, 2) candidate counts, ``t`` (2,) sizes."""
    b = t - a
    A, B = a.sum(axis=1, keepdims=True), b.sum(axis=1, keepdims=True)
    T = A + B
    with np.errstate(divide="ignore", invalid="ignore"):
        d = 0.5 * np.abs(a / A - b / B).sum(axis=1)
        p, P = a / t, A / T

        def entropy(x):
            return -(np.where(x > 0, x * np.log(x), 0) + np.where(x < 1, (1 - x)
                                                                  * np.log(1 - x), 0))
        h = 1 - (t * entropy(p)).sum(axis=1) / (T[:, 0] * entropy(P[:, 0]))
        v = ((t * (p - P) ** 2).sum(axis=1) / (T[:, 0] * P[:, 0] * (1 - P[:, 0])))
    return {"dissimilarity": d, "theil_h": h, "correlation": v}


def attack(change: pd.DataFrame, sizes: dict[tuple[str, int], np.ndarray],
           exact: bool) -> dict[tuple[str, int], list[int]]:
    """Counts of A of the first school recovered per (area, year): splits left by every
    published value of the change table (``value_from`` and ``value_to``)."""
    recovered = {}
    published = pd.concat([
        change[["area", "index", "from_year", "value_from"]].set_axis(
            ["area", "index", "year", "value"], axis=1),
        change[["area", "index", "to_year", "value_to"]].set_axis(
            ["area", "index", "year", "value"], axis=1)]).dropna(subset=["value"])
    for (area, year), t in sizes.items():
        known = published[(published["area"] == area) & (published["year"] == year)]
        if known.empty:
            continue
        grid = np.stack(np.meshgrid(np.arange(t[0] + 1), np.arange(t[1] + 1)),
                        axis=-1).reshape(-1, 2)
        values = _indices(grid, t)
        keep = 2 * grid.sum(axis=1) < t.sum()  # group A is the smaller one
        for index, value in known.groupby("index")["value"].first().items():
            if index not in values:  # E[D] and D*: D, H and V suffice
                continue
            half = 1e-9 * max(1.0, abs(value)) if exact else 0.005 + 1e-12
            keep &= np.abs(values[index] - value) <= half
        left = grid[keep]
        if len(np.unique(left[:, 0])) == 1 and left[0, 0] < N:
            recovered[(area, int(year))] = sorted(set(left[:, 0].tolist()))
    return recovered


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    path = tmp_path_factory.mktemp("change") / "counts.csv"
    counts_frame().to_csv(path, index=False)
    common = ["change", str(path), "--unit", "unit", "--group-a", "a", "--group-b", "b",
              "--area", "area", "--year", "year", "--total", "total",
              "--min-unit-size", "0", "--min-area-size", "0", "--no-trend"]
    return path, common


def _run(argv, capsys) -> tuple[pd.DataFrame, str]:
    assert main(argv) == 0
    captured = capsys.readouterr()
    return pd.read_csv(io.StringIO(captured.out)), captured.err


def test_the_attack_recovers_the_small_count_from_the_unprotected_change(written, capsys):
    _, common = written
    raw, _ = _run([*common, "--bootstrap", "50", "--seed", "1"], capsys)
    recovered = attack(raw, SIZES, exact=True)
    assert recovered == {("X", 2018): [4], ("X", 2019): [4]}  # the true count


def test_the_change_of_disclosure_mode_gives_no_count_away(written, tmp_path, capsys):
    _, common = written
    results = tmp_path / "results.csv"
    out, err = _run([*common, "--min-cell", str(N), "--results-output", str(results)],
                    capsys)
    assert attack(out, SIZES, exact=False) == {}
    # nothing from the exact counts: no interval, p-value, direction or replicates
    for column in ("se", "ci_low", "ci_high", "p_value", "n_boot", "direction"):
        assert out[column].isna().all(), column
    assert set(out["interval"].dropna()) == {"withheld"}
    # every number has the published precision, and D of area X stays withheld
    for column in ("value_from", "value_to", "change"):
        values = out[column].dropna().to_numpy()
        np.testing.assert_array_equal(values, np.round(values, 2))
    x = out[out["area"] == "X"].set_index("index")
    assert np.isnan(x.loc["dissimilarity", "change"])
    assert x.loc["dissimilarity", "reason"] == "no year with a defined value"
    y = out[out["area"] == "Y"]
    assert y["change"].notna().all()
    # the changes are the differences of the published results
    published = pd.read_csv(results)
    assert published["min_cell"].eq(N).all()
    for _, row in y.iterrows():
        by_year = published[(published["area"] == "Y")
                            & (published["index"] == row["index"])].set_index("year")
        assert row["change"] == pytest.approx(by_year.loc[2019, "value"]
                                              - by_year.loc[2018, "value"], abs=1e-12)
    assert "Disclosure control (--min-cell 10)" in err
    assert "no rising/falling without an interval" in err


@pytest.mark.parametrize("extra, message", [
    (["--decompose"], "--decompose"),
    (["--bootstrap", "99"], "--bootstrap"),
    (["--seed", "3"], "--seed"),
    (["--ci", "0.9"], "--ci"),
])
def test_change_refuses_what_the_audit_cannot_cover(written, capsys, extra, message):
    _, common = written
    assert main([*common, "--min-cell", str(N), *extra]) == 2
    err = capsys.readouterr().err
    assert "--min-cell cannot be combined with" in err and message in err
