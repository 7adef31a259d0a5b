"""The difference decomposition of Theil's M and H (Elbers 2021) in the change table.

Reference values: an independent implementation in R (base R's ``loglin`` for the
iterative proportional fitting, M and H by their definitions, the Shapley formulas of
R ``segregation::mutual_difference(method = "shapley")``), run at a precision of 1e-13;
the script is in the docstring of :func:`test_agrees_with_the_r_reference`. The tables
of the first case are the ``test_data1``/``test_data2`` of R ``segregation``'s own tests.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import segspatial as ss
from segspatial.cli import main
from segspatial.inference import change, infer
from segspatial.inference._decompose import COMPONENTS, decompose_pairs, decompose_tables
from segspatial.inference._engine import IndexEvaluator

M_SPEC = ss.available_indices()["mutual_information"]
H_SPEC = ss.available_indices()["multigroup_theil_h"]


def _index(k: int, starts: np.ndarray):
    """M and H (the registered kernels) of (K, R, S) tables, areas at ``starts``."""
    evaluator = IndexEvaluator([M_SPEC, H_SPEC], [1.0, 1.0], k)
    sizes = np.diff(starts)
    local = np.repeat(np.arange(sizes.size), sizes)
    return lambda x: evaluator(x, local, sizes.size, np.arange(sizes.size), {})


def _decompose(first: np.ndarray, second: np.ndarray):
    """One area: tables (schools x groups) on the same schools."""
    starts = np.array([0, first.shape[0]])
    d = decompose_tables(first.T[:, None, :], second.T[:, None, :], starts,
                         _index(first.shape[1], starts))
    return {name: d.parts[name][:, 0, 0] for name in COMPONENTS} | {
        "M1": d.value_from[:, 0, 0], "M2": d.value_to[:, 0, 0]}


def test_agrees_with_the_r_reference():
    """R reference (values printed with 17 digits)::

        M <- function(t) { p <- t / sum(t); pu <- rowSums(p); pg <- colSums(p)
          q <- p[p > 0]; e <- outer(pu, pg)[p > 0]; sum(q * log(q / e)) }
        H <- function(t) { p <- colSums(t) / sum(t); p <- p[p > 0]; M(t) / -sum(p * log(p)) }
        fit <- function(src, rows, cols) { s <- src; s[s == 0] <- 1e-10
          tgt <- outer(rows, cols); tgt <- tgt / sum(tgt) * sum(src)
          loglin(tgt, list(1, 2), start = s, fit = TRUE, eps = 1e-13, iter = 1e5,
                 print = FALSE)$fit }
        # then f(AAA), f(BBB), f(fit(A, rb, cb)) = f(BBA), ... and the Shapley formulas
    """
    # R segregation's test_data1 / test_data2: units a, b; groups 1-4
    a = np.array([[40, 30, 20, 10], [5, 10, 15, 20]], dtype=float)
    b = np.array([[20, 20, 20, 15], [5, 10, 10, 15]], dtype=float)
    d = _decompose(a, b)
    expected_m = {"M1": 0.0952604428878151555, "M2": 0.0243920172091409287,
                  "group_marginal": -0.0033887688366993698,
                  "unit_marginal": 0.0012003572422461459,
                  "structural": -0.0686800140842210027, "additions": 0.0, "removals": 0.0}
    expected_h = {"M1": 0.06927454491950396642, "M2": 0.01763231784781644010,
                  "group_marginal": -0.00271309803077993648,
                  "unit_marginal": 0.00087015829158583816,
                  "structural": -0.04979928733249343320, "additions": 0.0, "removals": 0.0}
    for name in expected_m:
        assert d[name][0] == pytest.approx(expected_m[name], abs=1e-12), name
        assert d[name][1] == pytest.approx(expected_h[name], abs=1e-12), name
    # three schools, two groups, a cell empty in the second year (filled before IPF)
    d = _decompose(np.array([[25, 25], [28, 2], [2, 18]], dtype=float),
                   np.array([[30, 10], [20, 0], [5, 40]], dtype=float))
    for name, m, h in (("group_marginal", 0.0067668415663213188, 0.0076496832379874952),
                       ("unit_marginal", 0.0095174558875640580, 0.0137964645933904978),
                       ("structural", 0.1089366647783028275, 0.1578535291242184613)):
        assert d[name][0] == pytest.approx(m, abs=1e-12), name
        assert d[name][1] == pytest.approx(h, abs=1e-12), name


def _towns_over_time() -> pd.DataFrame:
    """Area X: school s1 closes after 2016 and s5 opens in 2018; area Y: the same four
    schools, one of them with an empty cell in 2018 (the R reference's 4-school case)."""
    x16 = {"s1": (12, 30), "s2": (40, 8), "s3": (25, 25), "s4": (5, 33)}
    x18 = {"s2": (50, 5), "s3": (20, 22), "s4": (0, 31), "s5": (17, 9)}
    y16 = {"t1": (10, 10), "t2": (30, 5), "t3": (8, 22), "t4": (20, 20)}
    y17 = {"t1": (12, 9), "t2": (28, 6), "t3": (9, 20), "t4": (22, 18)}
    y18 = {"t1": (14, 9), "t2": (33, 4), "t3": (7, 25), "t4": (21, 17)}
    x17 = {"s2": (44, 7), "s3": (22, 24), "s4": (3, 30)}
    rows = [(area, year, unit, a, b)
            for area, years in (("X", {2016: x16, 2017: x17, 2018: x18}),
                                ("Y", {2016: y16, 2017: y17, 2018: y18}))
            for year, schools in years.items() for unit, (a, b) in schools.items()]
    return pd.DataFrame(rows, columns=["area", "year", "school", "a", "b"])


@pytest.fixture(scope="module")
def decomposed():
    res = ss.segregation(_towns_over_time(), "school", "a", "b", area="area", year="year",
                         indices=["dissimilarity", "theil_h"], min_unit_size=0,
                         min_area_size=0)
    return res, change(res, n_boot=200, rng=5, decomposition=True)


def test_additions_and_removals_against_the_r_reference(decomposed):
    _, ch = decomposed
    x = ch[(ch["area"] == "X") & (ch["index"] == "theil_h")].set_index("statistic")
    expected = {"additions": -0.073864183795214033, "removals": 0.028769096131581240,
                "group_marginal": 0.014871351005891056,
                "unit_marginal": -0.018881983965984048,
                "structural": 0.238774149292766469}
    for name, value in expected.items():
        assert x.loc[name, "change"] == pytest.approx(value, abs=1e-12), name
    assert x.loc["difference", "value_from"] == pytest.approx(0.216733002443029205,
                                                              abs=1e-14)
    assert x.loc["difference", "value_to"] == pytest.approx(0.406401431112069889,
                                                            abs=1e-14)


def test_parts_sum_to_the_difference_and_are_marked(decomposed):
    _, ch = decomposed
    h = ch[ch["index"] == "theil_h"]
    assert list(h[h["area"] == "Y"]["statistic"]) == ["difference", *COMPONENTS, "trend"]
    for _, rows in h.groupby("area"):
        rows = rows.set_index("statistic")
        total = sum(rows.loc[name, "change"] for name in COMPONENTS)
        assert total == pytest.approx(rows.loc["difference", "change"], abs=1e-12)
        assert (rows.loc[["difference", *COMPONENTS], "decomposition"]
                == "shapley_ipf").all()
        assert rows.loc["trend", "decomposition"] is None
    # D is not decomposed: no parts, no mark
    d = ch[ch["index"] == "dissimilarity"]
    assert set(d["statistic"]) == {"difference", "trend"}
    assert d["decomposition"].isna().all()
    # Y keeps its schools: nothing added or removed, in every replicate too
    y = h[h["area"] == "Y"].set_index("statistic")
    assert y.loc["additions", "change"] == 0 and y.loc["removals", "change"] == 0
    assert y.loc["additions", "se"] == 0 and y.loc["additions", "direction"] == \
        "no_clear_change"
    # every part has an interval around it from the individual bootstrap
    parts = h[h["statistic"].isin(COMPONENTS)]
    assert (parts["n_boot"] == 200).all() and (parts["bootstrap"] == "individual").all()
    assert (parts["ci_low"] <= parts["change"] + 1e-15).all()
    assert (parts["change"] <= parts["ci_high"] + 1e-15).all()


def test_replicates_of_the_parts_sum_to_those_of_the_difference(decomposed):
    """The parts are decomposed in the very bootstrap replicates of the two years."""
    res, _ = decomposed
    from segspatial.inference._design import designs
    from segspatial.inference._streams import root_seed

    inf = infer(res, n_boot=50, rng=9, keep_replicates=True, indices="theil_h")
    rows, reps = inf.replicates[(None, "bootstrap")]
    table = inf.result.table.loc[rows]
    cd = designs(res)[0]
    ids = res.counts["unit"].to_numpy()[cd.order]
    groups = {(a, y): g for g, (a, y) in enumerate(zip(cd.keys["area"], cd.keys["year"],
                                                       strict=True))}
    first = np.array([groups[("X", 2016)], groups[("Y", 2016)]])
    second = np.array([groups[("X", 2018)], groups[("Y", 2018)]])
    evaluator = IndexEvaluator([ss.available_indices()["theil_h"]], [1.0], 2)
    estimate, parts = decompose_pairs(cd.design, ids, first, second, evaluator,
                                      task="bootstrap", n_rep=50, root=root_seed(9),
                                      chunk_rows=7)  # chunks of one replicate
    for p, area in enumerate(("X", "Y")):
        year = table["year"].to_numpy()
        at = table["area"].to_numpy() == area
        diff = reps[at & (year == 2018)][0] - reps[at & (year == 2016)][0]
        total = sum(parts[name][0, p] for name in COMPONENTS)
        np.testing.assert_allclose(total, diff, rtol=0, atol=1e-12)
        assert estimate.value_to[0, 0, p] - estimate.value_from[0, 0, p] == \
            pytest.approx(sum(estimate.parts[n][0, 0, p] for n in COMPONENTS), abs=1e-14)


def _fitted_2x2(source: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """The 2 x 2 table with margins ``rows``, ``cols`` and the odds ratio of ``source``,
    by hand: x11 solves x (N - r1 - c1 + x) = θ (r1 - x)(c1 - x), a quadratic."""
    theta = source[0, 0] * source[1, 1] / (source[0, 1] * source[1, 0])
    n, r1, c1 = rows.sum(), rows[0], cols[0]
    # (1 - θ) x² + (N - r1 - c1 + θ (r1 + c1)) x - θ r1 c1 = 0
    roots = np.roots([1 - theta, n - r1 - c1 + theta * (r1 + c1), -theta * r1 * c1])
    x = [r.real for r in roots if max(0, r1 + c1 - n) <= r.real <= min(r1, c1)][0]
    return np.array([[x, r1 - x], [c1 - x, n - r1 - c1 + x]])


def _m(t: np.ndarray) -> float:
    p = t / t.sum()
    e = np.outer(p.sum(1), p.sum(0))
    return float((p * np.log(p / e)).sum())


def test_by_hand_for_two_schools():
    """Two schools, two groups: every counterfactual table has a closed form."""
    a = np.array([[30.0, 10.0], [15.0, 45.0]])
    b = np.array([[40.0, 30.0], [5.0, 25.0]])
    ra, ca, rb, cb = a.sum(1), a.sum(0), b.sum(1), b.sum(0)
    f = {"AAA": _m(a), "BBB": _m(b),
         "BBA": _m(_fitted_2x2(a, rb / rb.sum() * a.sum(), cb / cb.sum() * a.sum())),
         "ABA": _m(_fitted_2x2(a, rb / rb.sum() * a.sum(), ca)),
         "BAA": _m(_fitted_2x2(a, ra, cb / cb.sum() * a.sum())),
         "AAB": _m(_fitted_2x2(b, ra / ra.sum() * b.sum(), ca / ca.sum() * b.sum())),
         "BAB": _m(_fitted_2x2(b, ra / ra.sum() * b.sum(), cb)),
         "ABB": _m(_fitted_2x2(b, rb, ca / ca.sum() * b.sum()))}
    d = _decompose(a, b)
    assert d["structural"][0] == pytest.approx(
        0.5 * (f["AAB"] - f["AAA"]) + 0.5 * (f["BBB"] - f["BBA"]), abs=1e-13)
    assert d["group_marginal"][0] == pytest.approx(0.25 * (
        f["BAA"] - f["AAA"] + f["BBA"] - f["ABA"] + f["BBB"] - f["ABB"]
        + f["BAB"] - f["AAB"]), abs=1e-13)
    assert d["unit_marginal"][0] == pytest.approx(0.25 * (
        f["ABA"] - f["AAA"] + f["BBA"] - f["BAA"] + f["BBB"] - f["BAB"]
        + f["ABB"] - f["AAB"]), abs=1e-13)


def test_invariances():
    rng = np.random.default_rng(3)
    a = rng.integers(1, 80, size=(7, 3)).astype(float)
    b = rng.integers(1, 80, size=(7, 3)).astype(float)
    forward, backward = _decompose(a, b), _decompose(b, a)
    for name in COMPONENTS:  # swapping the years changes every sign
        np.testing.assert_allclose(forward[name], -backward[name], atol=1e-12)
    # swapping schools and groups (M is symmetric) swaps the marginal parts
    swapped = _decompose(a.T, b.T)
    assert swapped["structural"][0] == pytest.approx(forward["structural"][0], abs=1e-12)
    assert swapped["group_marginal"][0] == pytest.approx(forward["unit_marginal"][0],
                                                         abs=1e-12)
    assert swapped["unit_marginal"][0] == pytest.approx(forward["group_marginal"][0],
                                                        abs=1e-12)
    # only the margins change (rows and columns rescaled, odds ratios kept): no
    # structural part, the whole difference is marginal
    only_margins = a * rng.uniform(0.3, 3, size=(7, 1)) * rng.uniform(0.5, 2, size=(1, 3))
    d = _decompose(a, only_margins)
    assert np.abs(d["structural"]).max() < 1e-10
    diff = d["M2"] - d["M1"]
    np.testing.assert_allclose(d["group_marginal"] + d["unit_marginal"], diff, atol=1e-10)
    # only the school sizes change, each school's mix kept: H's group part is the
    # change of the group entropy alone, and nothing structural
    sizes = a * rng.uniform(0.3, 3, size=(7, 1))
    d = _decompose(a, sizes)
    assert np.abs(d["structural"]).max() < 1e-10
    # the same table: every part is zero
    d = _decompose(a, a.copy())
    for name in COMPONENTS:
        assert np.abs(d[name]).max() < 1e-12


def test_multigroup_results_are_decomposed():
    frame = pd.DataFrame({
        "school": ["a", "b"] * 2, "year": [2000, 2000, 2005, 2005],
        "g1": [40, 5, 20, 5], "g2": [30, 10, 20, 10], "g3": [20, 15, 20, 10],
        "g4": [10, 20, 15, 15]})
    res = ss.multigroup_segregation(frame, "school", ["g1", "g2", "g3", "g4"], year="year",
                                    min_unit_size=0, min_area_size=0)
    ch = change(res, n_boot=20, rng=1, decomposition=True, trend=False)
    m = ch[ch["index"] == "mutual_information"].set_index("statistic")["change"]
    assert m["structural"] == pytest.approx(-0.0686800140842210027, abs=1e-12)
    assert m["group_marginal"] == pytest.approx(-0.0033887688366993698, abs=1e-12)
    h = ch[ch["index"] == "multigroup_theil_h"].set_index("statistic")["change"]
    assert h["unit_marginal"] == pytest.approx(0.00087015829158583816, abs=1e-12)


def test_cluster_bootstrap_parts_have_no_interval(decomposed):
    res, _ = decomposed
    ch = change(res, n_boot=30, rng=2, cluster=True, decomposition=True, trend=False)
    parts = ch[ch["statistic"].isin(COMPONENTS)]
    assert len(parts) == 2 * len(COMPONENTS)
    assert parts["change"].notna().all() and parts["se"].isna().all()
    assert parts["direction"].isna().all()
    assert ch.loc[ch["statistic"] == "difference", "se"].notna().all()


def test_deterministic_and_independent_of_chunking(decomposed):
    res, ch = decomposed
    again = change(res, n_boot=200, rng=5, decomposition=True, chunk_rows=5, n_jobs=2)
    pd.testing.assert_frame_equal(ch, again, check_exact=True)


def test_bad_requests_are_named(decomposed):
    res, _ = decomposed
    with pytest.raises(ValueError, match="decomposition=True decomposes the differences"):
        infer(res, n_boot=10, decomposition=True)
    with pytest.raises(TypeError, match="decomposition must be True or False"):
        infer(res, n_boot=10, change=True, decomposition="yes")
    table = ss.inference.bootstrap(res, 10, rng=1).table
    with pytest.raises(ValueError, match="decomposition needs the counts"):
        change(table, decomposition=True)


def test_cli_decompose(tmp_path, capsys):
    path = tmp_path / "counts.csv"
    _towns_over_time().to_csv(path, index=False)
    out = tmp_path / "change.csv"
    args = ["--unit", "school", "--group-a", "a", "--group-b", "b", "--area", "area",
            "--year", "year", "--min-unit-size", "0", "--min-area-size", "0"]
    assert main(["change", str(path), *args, "--indices", "theil_h", "--bootstrap", "50",
                 "--decompose", "--no-trend", "-o", str(out)]) == 0
    table = pd.read_csv(out)
    assert list(table["statistic"][:6]) == ["difference", *COMPONENTS]
    assert (table["decomposition"] == "shapley_ipf").all()
    capsys.readouterr()
    results = tmp_path / "results.csv"
    assert main(["indices", str(path), *args, "--bootstrap", "20", "-o",
                 str(results)]) == 0
    capsys.readouterr()
    assert main(["change", str(results), "--decompose"]) == 2
    assert "--decompose needs --unit (counts input)" in capsys.readouterr().err


def test_areas_with_one_school_in_both_years_say_why():
    frame = pd.DataFrame({"area": "Z", "year": [2016, 2016, 2018, 2018],
                          "school": ["z1", "z2", "z1", "z3"],
                          "a": [10, 30, 20, 5], "b": [25, 5, 8, 30]})
    res = ss.segregation(frame, "school", "a", "b", area="area", year="year",
                         indices="theil_h", min_unit_size=0, min_area_size=0)
    ch = change(res, n_boot=20, rng=1, decomposition=True).set_index("statistic")
    assert np.isfinite(ch.loc["difference", "change"])
    parts = ch.loc[list(COMPONENTS)]
    assert parts["change"].isna().all() and parts["se"].isna().all()
    assert (parts["reason"]
            == "fewer than two schools with pupils in both years (n = 1)").all()
    assert (parts["decomposition"] == "shapley_ipf").all()
