"""The disclosure attack suite: ``--min-cell N`` is a guarantee.

Four attacks (issue 10) read only what the commands wrote, plus what anyone knows
anyway (each school's pupils, from DUO), and look for counts below N that only one
value fits (see ``tests/_attacks.py``):

1. index inversion: school totals, what the map shows per school, which schools are
   grey, the area's share of A and D, H, V at the precision published;
2. share x size: a share times a number of pupils (one- and few-school areas);
3. differencing: the total left out on the index page minus the municipality pages;
4. the third group: pupils minus the pupils in the two groups.

They run against the demo and the real 2019 case; none may recover a single count.
"""

from __future__ import annotations

import pytest
from _attacks import (
    attack_differencing,
    attack_inversion,
    attack_share_size,
    attack_third_group,
    read_report,
)

import segspatial as ss
from segspatial import report as rp

N = 10


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def demo():
    from segspatial.demo import demo_pupils, demo_schools
    from segspatial.demo_maps import demo_boundaries
    from segspatial.pupils import pupil_segregation

    schools = demo_schools()
    pupils = demo_pupils(years=(2017, 2018))
    result = pupil_segregation(pupils, "school", area="municipality", year="year",
                               ethnicity="ethnicity", income="income",
                               education="education", min_unit_size=0, min_area_size=0)
    data = rp.report_data(result, schools, unit="school", x="x", y="y", crs="EPSG:28992",
                          name="school_name", boundaries=demo_boundaries(schools),
                          area_code="statcode", permutations=19)
    return data


@pytest.fixture(scope="module")
def demo_pages(demo):
    return dict(rp.render_report(demo, min_cell=N))


def _latest(data, a: str, b: str):
    counts = data.counts
    latest = counts[counts["year"] == counts["year"].max()]
    return latest.rename(columns={a: "a_", b: "b_"}).rename(
        columns={"a_": "a", "b_": "b"})[["unit", "area", "a", "b", "total"]]


@pytest.fixture(scope="module")
def boundaries(shared_data):
    from segspatial.geo import read_boundaries

    return read_boundaries(shared_data / "boundaries" / "nl_maps_rd_gemeente_2019.geojson")


@pytest.fixture(scope="module")
def real(real_2019, boundaries):
    """The real 2019 case as ``report --min-unit-size 50 --min-area-size 0`` computes
    it (the issue's run), for every second municipality (by code) to keep the suite
    quick, plus the pair of the issue's differencing example."""
    result = ss.segregation(real_2019, "school", "a", "b", area="municipality",
                            total="pupils", min_unit_size=50, min_area_size=0)
    codes = sorted(result.table["area"].unique())
    only = sorted(set(codes[::2]))
    data = rp.report_data(result, real_2019, unit="school", x="x", y="y",
                          crs="EPSG:28992", name="school_name", boundaries=boundaries,
                          only=only, permutations=19)
    return data


@pytest.fixture(scope="module")
def real_pages(real):
    return dict(rp.render_report(real, min_cell=N))


@pytest.fixture(scope="module")
def real_pair(real_2019, boundaries):
    """Two municipalities whose small schools were left out: 13 pupils in one, 7 in
    the other (the issue's differencing example)."""
    result = ss.segregation(real_2019, "school", "a", "b", area="municipality",
                            total="pupils", min_unit_size=50, min_area_size=0)
    return rp.report_data(result, real_2019, unit="school", x="x", y="y",
                          crs="EPSG:28992", name="school_name", boundaries=boundaries,
                          only=["GM0050", "GM0457"], permutations=9)


def _exclusion_truth(data) -> dict[str, dict[str, int]]:
    from segspatial._report_text import REASON_TEXT
    from segspatial.counts import _REASONS

    truth: dict[str, dict[str, int]] = {}
    for (reason, area), rows in data.exclusions.groupby(["reason", "area"]):
        text = REASON_TEXT.get("en", {}).get(reason) or _REASONS.get(reason, reason)
        truth.setdefault(text, {})[area] = int(rows["n_pupils"].sum())
    return truth


# --------------------------------------------------------------------------- attack 1


def test_index_inversion_recovers_nothing_on_the_real_case(real, real_pages):
    outcome = attack_inversion(read_report(real_pages), _latest(real, "a", "b"),
                               two_groups=True)
    assert outcome.attacked > 300  # every suppressed school's small count was attacked
    assert not outcome.wrong, outcome.wrong[:5]
    assert not outcome.recovered and not outcome.unresolved, str(outcome)


def test_index_inversion_recovers_nothing_on_the_demo(demo, demo_pages):
    outcome = attack_inversion(read_report(demo_pages), _latest(demo, "dutch", "nonwestern"),
                               two_groups=False)
    assert outcome.attacked > 0
    assert not outcome.wrong, outcome.wrong[:5]
    assert not outcome.recovered and not outcome.unresolved, str(outcome)


# --------------------------------------------------------------------------- attack 2


def test_share_times_size_recovers_nothing_on_the_real_case(real, real_pages):
    outcome = attack_share_size(read_report(real_pages), _latest(real, "a", "b"),
                                two_groups=True)
    assert outcome.attacked > 300
    assert not outcome.wrong and not outcome.recovered, str(outcome)


# --------------------------------------------------------------------------- attack 3


def test_differencing_exclusions_recovers_nothing(real_pair):
    pages = dict(rp.render_report(real_pair, min_cell=N))
    outcome = attack_differencing(read_report(pages), _exclusion_truth(real_pair))
    assert outcome.attacked == 1  # GM0457's 7 pupils in a small school
    assert not outcome.wrong and not outcome.recovered, str(outcome)


# --------------------------------------------------------------------------- attack 4


def test_third_group_recovers_nothing_on_the_demo(demo, demo_pages):
    outcome = attack_third_group(read_report(demo_pages), _latest(demo, "dutch", "nonwestern"))
    assert not outcome.wrong and not outcome.recovered, str(outcome)
