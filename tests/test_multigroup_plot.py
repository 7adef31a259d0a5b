"""The H(p) profile chart and the local-score maps: plain-text names, escaping, disclosure."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from segspatial._mapdata import SUPPRESSED_COLOR
from segspatial.multigroup_local import local_scores
from segspatial.multigroup_plot import local_scores_map, local_scores_webmap, profile_chart
from segspatial.rankorder import rank_order_segregation

HOSTILE = '<script>alert("x")</script> {{7*7}} $\\alpha$'


@pytest.fixture(scope="module")
def profile():
    rng = np.random.default_rng(5)
    frame = pd.DataFrame({"school": rng.choice(list("ABCDE"), 3000),
                          "town": rng.choice(["T1", "T2"], 3000),
                          "income": rng.lognormal(10, 0.6, 3000)})
    frame["town"] = frame["school"].map({"A": "T1", "B": "T1", "C": "T1", "D": "T2",
                                         "E": "T2"})
    return rank_order_segregation(frame, "school", income="income", area="town",
                                  min_unit_size=0, min_area_size=0).profile


@pytest.fixture(scope="module")
def local():
    data = pd.DataFrame({
        "school": ["P", "Q", "R", "S", "T"],
        "name": [HOSTILE, "Q school", "R school", "S school", "T school"],
        "x": [0.0, 800.0, 1600.0, 0.0, 900.0], "y": [0.0, 0.0, 0.0, 900.0, 900.0],
        "g1": [30, 3, 12, 40, 25], "g2": [10, 30, 12, 5, 20], "g3": [0, 20, 12, 5, 30],
    })
    return local_scores(data, "school", ["g1", "g2", "g3"], extra=["x", "y", "name"],
                        min_unit_size=0, min_area_size=0)


def test_profile_chart(profile):
    ax = profile_chart(profile, area="T1", label=HOSTILE)
    lines = ax.get_lines()
    assert len(lines) == 2
    t1 = profile[profile["area"] == "T1"]
    np.testing.assert_array_equal(lines[0].get_ydata(), t1["theil_h"].to_numpy())
    (legend,) = ax.figure.legends  # under the figure, covering no line
    texts = legend.get_texts()
    assert texts[0].get_text() == HOSTILE and not texts[0].get_parse_math()
    assert ax.get_title() == f"Income profile H(p) — {HOSTILE}"
    assert not ax.title.get_parse_math()
    ax.figure.canvas.draw()  # renders without parsing "$\alpha$" as mathtext
    with pytest.raises(ValueError, match="area: the profile holds 2 values"):
        profile_chart(profile)
    with pytest.raises(ValueError, match="area: 'T9' is not in the profile"):
        profile_chart(profile, area="T9")


def test_static_local_map(local):
    ax = local_scores_map(local, value="ls", groups=["g1", "g2", "g3"], min_cell=5)
    points = ax.collections[-1]
    colors = points.get_array()
    # Q has 3 pupils of g1 (< 5) and is suppressed; P has none of g3 (0 < 5) too
    assert np.isnan(np.asarray(colors, dtype=float)).sum() == 2
    ax.figure.canvas.draw()
    assert ax.get_legend().get_texts()[0].get_text().startswith("share not shown")
    with pytest.raises(ValueError, match="min_cell needs groups"):
        local_scores_map(local, min_cell=5)
    with pytest.raises(ValueError, match="value must be one of"):
        local_scores_map(local, value="share")
    with pytest.raises(ValueError, match="missing columns \\['lon'\\]"):
        local_scores_map(local, x="lon")


def _properties(m) -> dict[str, dict]:
    import folium

    layers = [c.data for c in m._children.values() if isinstance(c, folium.GeoJson)]
    return {f["properties"]["school"]: f["properties"] for f in layers[-1]["features"]}


def test_web_local_map_escapes_names_and_hides_small_groups(local):
    m = local_scores_webmap(local, crs="EPSG:28992", name="name", groups=["g1", "g2", "g3"],
                            min_cell=5, offline=True)
    html = m.get_root().render()
    assert "<script>alert" not in html
    props = _properties(m)
    # data, never template source: branca re-renders folium's output, so braces go too
    assert props["P"]["name"] == ('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; '
                                  '&#123;&#123;7*7&#125;&#125; &#36;&#92;alpha&#36;')
    assert "7*7&#125;" in html.replace("\\u0026", "&") and " 49 " not in html
    # P has no pupils of g3 and Q three of g1 (< 5): no scores
    assert props["Q"]["ls"] == props["P"]["ls"] == "suppressed (a group < 5)"
    assert props["Q"]["fill"] == props["P"]["fill"] == SUPPRESSED_COLOR
    r = local.set_index("unit").loc["R"]
    assert props["R"]["ls"] == f"{r['ls']:.4g}" and r["ls"] > 0
    assert props["Q"]["pupils"] == "55"  # 53: counts are rounded to 5 with min_cell
    plain = _properties(local_scores_webmap(local, crs="EPSG:28992"))
    assert plain["Q"]["ls"] == f"{local.set_index('unit').loc['Q', 'ls']:.4g}"


def test_web_local_map_needs_a_crs(local):
    with pytest.raises(ValueError, match="crs is required"):
        local_scores_webmap(local)


def test_profile_chart_plots_h_against_p(profile):
    # H(p) and its polynomial fit are functions of p (the area's own share at or below
    # the threshold); drawn against the national threshold the fit is not the fitted
    # curve (T1's schools are not a random draw of the two towns' incomes)
    t1 = profile[profile["area"] == "T1"]
    assert not np.allclose(t1["p"], t1["threshold"], atol=1e-3)
    ax = profile_chart(profile, area="T1")
    for line in ax.get_lines():
        np.testing.assert_array_equal(line.get_xdata(), t1["p"].to_numpy())
    assert "p" in ax.get_xlabel() and "share" in ax.get_xlabel()
