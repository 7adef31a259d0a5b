"""Disclosure attack: a one-school municipality under --min-cell (review of issue 11, #14).

With one school the area's share of A *is* the school's share. The school map withholds
the school's share when a group has fewer than N pupils, so every other place the
area's share appears (the header's group shares, the map's "as the municipality"
midpoint and legend, the popups' "area's share") must withhold it too: otherwise a
share times the (rounded) pupils narrows the count of A to one or two values, where the
page itself says only "< N". The attack reads every share of the area the page prints
and counts the values of A that fit all of them; it must not narrow "< N".
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
from _attacks import count_interval, features, frames, number_interval, read_report

import segspatial as ss
from segspatial import report as rp

N = 10
A_TRUE = 9


@pytest.fixture(scope="module")
def one_school():
    """Two demo towns; GM9005 keeps one school, with 9 pupils of A and 203 of B."""
    from segspatial.demo import demo_counts, demo_schools
    from segspatial.demo_maps import demo_boundaries

    counts = demo_counts(years=(2018,))
    counts = counts[counts["municipality"].isin(["GM9002", "GM9005"])].copy()
    alone = counts[counts["municipality"] == "GM9005"].index[:1]
    counts = counts[(counts["municipality"] == "GM9002") | counts.index.isin(alone)].copy()
    counts.loc[alone, ["a", "b", "total"]] = [A_TRUE, 203, 212]
    result = ss.segregation(counts, "school", "a", "b", area="municipality", year="year",
                            total="total", min_unit_size=0, min_area_size=0)
    return rp.report_data(result, counts, unit="school", x="x", y="y", crs="EPSG:28992",
                          name="school_name", boundaries=demo_boundaries(demo_schools()),
                          area_code="statcode", permutations=19, n_boot=0)


def _feasible_a(pages: dict[str, str]) -> set[int]:
    """The counts of A in GM9005 that fit every share and count the pages print."""
    report = read_report(pages)
    page = report.pages["GM9005"]
    text = next(t for name, t in pages.items() if name != "index.html" and "GM9005" in t)
    low, high = page.pupils
    rules = []  # (interval, True for A's share, False for B's) of all pupils
    for label, share in page.shares.items():
        rules.append((share, "Dutch" in label))
    for label, count in page.groups.items():
        if "Dutch" in label:
            rules.append((("count", count), True))
    shares_a = []  # A among A and B: the map's midpoint, legends and popups
    for found in re.findall(r"as the municipality \(([^)]*)\)", text):
        shares_a.append(number_interval(found))
    for document in frames(text):
        for props in features(document):
            shares_a += [number_interval(props.get(k, "")) for k in ("area_share_a",
                                                                      "share_a")]
    shares_a = [s for s in shares_a if s is not None]
    feasible = set()
    for total in range(low, high + 1):
        for a in range(total + 1):
            ok = all(iv[1][0] <= a <= iv[1][1] if iv[0] == "count" else
                     iv[0] <= (a if is_a else total - a) / total <= iv[1]
                     for iv, is_a in rules)
            ok = ok and all(s[0] <= a / total <= s[1] for s in shares_a)
            if ok:
                feasible.add(a)
    return feasible


def test_one_school_share_times_pupils_does_not_narrow_below_n(one_school):
    pages = dict(rp.render_report(one_school, min_cell=N))
    feasible = _feasible_a(pages)
    assert A_TRUE in feasible
    # the page says "< 10" and nothing sharper: every count below N still fits
    assert set(range(1, N)) <= feasible, sorted(feasible)
    text = pages[next(n for n, t in pages.items() if n != "index.html" and "GM9005" in t)]
    assert "as the municipality (4%)" not in text


def test_the_attack_narrows_the_count_when_the_area_share_is_published(one_school,
                                                                       monkeypatch):
    """Self-test: with the area's shares published as before the fix, the same attack
    narrows the count of A to a few values (so the test above can fail)."""
    from segspatial.disclosure import _publish

    monkeypatch.setattr(_publish, "_one_school_shares", lambda shares, *a, **k: shares)
    feasible = _feasible_a(dict(rp.render_report(one_school, min_cell=N)))
    assert A_TRUE in feasible and len(feasible) <= 3, sorted(feasible)


def test_count_interval_reads_below_n():
    assert count_interval("< 10", 5, 10) == (0, 9)
    assert pd.notna(number_interval("4%")[0])
