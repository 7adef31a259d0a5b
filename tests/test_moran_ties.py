"""Moran's I where permutations tie or units are too few (review of issue 11, #1/#1b).

With two units Moran's I is -1 whatever the shares, so every permutation ties with the
observed I; folding the tail (esda's ``sim >= I`` then ``min(larger, n - larger)``)
turned that into the smallest p possible. Ties count on both sides here, I is undefined
with fewer than 3 units with a neighbour, and an area-year with ``n! <= permutations``
gets its exact p from all ``n!`` orders.
"""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
import pandas as pd
import pytest

from segspatial.spatial import spatial_segregation, spatial_weights

CRS = "EPSG:28992"
X0, Y0 = 100_000.0, 400_000.0


def _schools(xy: list[tuple[float, float]], a: list[int], total: int = 100,
             area: str = "T") -> pd.DataFrame:
    return pd.DataFrame({
        "area": area, "school": [f"{area}s{i}" for i in range(len(xy))],
        "a": a, "b": [total - v for v in a],
        "x": [X0 + p[0] for p in xy], "y": [Y0 + p[1] for p in xy]})


def _moran(data: pd.DataFrame, permutations: int = 999, **options) -> pd.DataFrame:
    options = {"bandwidth": 1000, "kernel": "boxcar", **options}
    table = spatial_segregation(data, "school", "a", "b", x="x", y="y", crs=CRS,
                                area="area", spatial_indices=["morans_i", "morans_i_p"],
                                permutations=permutations, rng=3, min_unit_size=0,
                                min_area_size=0, **options).table
    return table[table["index"].isin(["morans_i", "morans_i_p"])].set_index("index")


def test_two_schools_have_no_morans_i_and_no_p_value():
    """The review's Renswoude: 2 schools 300 m apart, I = -1 for every order; was
    'I = -1.00, p = 0.001: a checkerboard'."""
    for a in ([10, 60], [30, 30]):  # different and identical shares
        table = _moran(_schools([(0, 0), (300, 0)], a))
        assert table["value"].isna().all(), table
        codes = set(table["reason_code"])
        assert codes <= {"too_few_linked_units", "same_share_everywhere"}, codes
    table = _moran(_schools([(0, 0), (300, 0)], [10, 60]))
    assert set(table["reason_code"]) == {"too_few_linked_units"}


def test_three_schools_with_one_linked_pair_have_no_morans_i():
    """The review's Terschelling: 3 schools, one pair within the bandwidth (S0 = 2),
    was I = -1.50 (outside [-1, 1]) with p = 0.001."""
    data = _schools([(0, 0), (800, 0), (5000, 0)], [10, 60, 30])
    table = _moran(data)
    assert table["value"].isna().all()
    assert set(table["reason_code"]) == {"too_few_linked_units"}


def test_every_draw_tied_gives_p_one():
    """All schools linked to all others with equal weights: I = -1/(n - 1) for every
    order of the shares, so every permutation ties: p = 1 (exactly enumerated for
    n = 4, drawn for n = 9). I itself agrees with esda on the same weights."""
    import esda
    from libpysal.weights import W

    for n in (4, 9):
        xy = [(10.0 * i, 5.0 * (i % 2)) for i in range(n)]
        a = [5 + 7 * i for i in range(n)]
        table = _moran(_schools(xy, a))
        assert table.loc["morans_i", "value"] == pytest.approx(-1 / (n - 1), rel=1e-12)
        assert table.loc["morans_i_p", "value"] == 1.0
        share = np.array(a) / 100
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            w = W({i: [j for j in range(n) if j != i] for i in range(n)})
            theirs = esda.Moran(share, w, transformation="r", permutations=0).I
        assert table.loc["morans_i", "value"] == pytest.approx(theirs, rel=1e-12)


def test_small_areas_get_the_exact_p_from_every_order():
    """5 schools on a line (5! = 120 <= 999 orders): p is the folded share of all
    120 orders, counted with esda's I of each order (ties on both sides)."""
    import esda
    from libpysal.weights import W

    xy = [(0, 0), (400, 0), (800, 0), (1200, 0), (1600, 0)]
    a = [80, 70, 40, 20, 10]
    table = _moran(_schools(xy, a), bandwidth=500)
    neighbours = {0: [1], 1: [0, 2], 2: [1, 3], 3: [2, 4], 4: [3]}
    share = np.array(a) / 100
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = W(neighbours)
        observed = esda.Moran(share, w, transformation="r", permutations=0).I
        every = np.array([esda.Moran(share[list(order)], w, transformation="r",
                                     permutations=0).I
                          for order in itertools.permutations(range(5))])
    assert table.loc["morans_i", "value"] == pytest.approx(observed, rel=1e-12)
    ge = int((every >= observed - 1e-10).sum())
    le = int((every <= observed + 1e-10).sum())
    expected = min(ge, le) / math.factorial(5)
    assert table.loc["morans_i_p", "value"] == pytest.approx(expected, rel=1e-12)
    assert 1 / 120 <= expected < 0.1  # a real trend along the line: small, not 1/1000


def test_p_value_never_below_one_over_the_orders():
    """Across many small random areas, p is never below 1/n! (the smallest exact p),
    and equal to the brute-force count for each."""
    rng = np.random.default_rng(7)
    frames = []
    for k in range(12):
        n = int(rng.integers(3, 7))
        xy = [(float(v), 0.0) for v in np.sort(rng.uniform(0, 2000, n))]
        frames.append(_schools(xy, list(rng.integers(0, 100, n)), area=f"A{k}"))
    data = pd.concat(frames, ignore_index=True)
    table = spatial_segregation(data, "school", "a", "b", x="x", y="y", crs=CRS,
                                area="area", spatial_indices=["morans_i_p"],
                                bandwidth=900, kernel="boxcar", permutations=999, rng=1,
                                min_unit_size=0, min_area_size=0).table
    p = table[table["index"] == "morans_i_p"].set_index("area")["value"]
    checked = 0
    for k, frame in enumerate(frames):
        value = p[f"A{k}"]
        if not np.isfinite(value):
            continue
        n = len(frame)
        assert value >= 1 / math.factorial(n) - 1e-12
        # brute force on the same kernel weights (boxcar, 900 m, no self-weights)
        g = spatial_weights(frame["x"], frame["y"], crs=CRS, bandwidth=900,
                            kernel="boxcar").sparse.toarray()
        np.fill_diagonal(g, 0.0)
        share = (frame["a"] / 100).to_numpy(float)
        rows = g.sum(axis=1)
        linked = rows > 0
        w = np.where(linked[:, None], g / np.where(linked, rows, 1.0)[:, None], 0.0)

        def moran(s, w=w, linked=linked, n=n):
            z = s - s.mean()
            return n / linked.sum() * (z @ w @ z) / (z @ z)

        obs = moran(share)
        every = np.array([moran(share[list(o)]) for o in itertools.permutations(range(n))])
        expected = min((every >= obs - 1e-10).sum(), (every <= obs + 1e-10).sum()) / len(every)
        assert value == pytest.approx(expected, rel=1e-9), (k, n)
        checked += 1
    assert checked >= 6, p
