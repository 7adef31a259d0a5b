"""Statistical disclosure control: what a command may publish with ``min_cell=N``.

``min_cell=N`` (``--min-cell N``) is a guarantee: from everything a command writes
(pages, map data, sort keys, data files, figures, summaries) no count below N of any
group in any school, and no such count of a municipality, can be derived exactly:
not read off, not by differencing published totals against their parts, not by
inverting published shares and indices. The policy follows the output rules for
microdata of statistical offices (minimum cell frequency, secondary suppression,
rounding of totals and derived values; Hundepool et al. 2012, *Statistical
Disclosure Control*, ch. 4-5) and adds an audit that proves it holds for the data at
hand.

What is published in disclosure mode (:class:`Policy`, defaults for ``N``):

* **Pupil counts** are rounded to multiples of 5 (``count_base``); a count below N
  is shown as ``"< N"``. Numbers of schools are public and shown as they are.
* **Schools**: never a group count. A school with fewer than N pupils in group A or
  in group B is *suppressed* (grey, no share); where an area has exactly one such
  school a second is suppressed too (complementary suppression, so differencing the
  area against the other schools cannot isolate it). Every other school shows its
  share of A as a band of 10 percentage points (``band``); colours, marker sizes and
  Moran's I are computed from the published bands and rounded pupils only.
* **Shares** of a municipality (group shares, the area's share of A) are rounded to
  whole percents (``share_digits``).
* **Indices** (D, E[D], D*, H, V, the spatial indices, the between-district share)
  are rounded to 2 decimals (``digits``), in tables, sort keys, charts, colours and
  data files alike; the charts and colours are drawn from the rounded values.
* **Intervals** (bootstrap confidence intervals of the indices, the report's
  error bars and its "rising"/"falling" words) are rounded like the indices and
  published only for area-years without any count below N
  (:func:`small_count_years`): the audit does not recompute bootstrap replicates for
  its twins, so where there is a count to protect the interval is withheld.
* **Exclusions**: pupils left out because of a missing or unknown group are not
  counted per area (they are a group count); other exclusions are rounded.

Rounding alone is not enough: the one-pupil change behind a small count can still
move a rounded index or share across a rounding boundary, and with a municipality's
pupils known from public data the totals bound what is left. So every area-year is
**audited** (:func:`audit`): for each count below N (per school and per group,
including the pupils in neither group, and per municipality) the audit looks for a
*twin*: the same data with one pupil moved between two groups of that school (and
back in another school, so every total stays the same) for which *every* published
number (rounded indices, shares, suppressed schools, bands, spatial indices) comes
out the same. A twin proves that the count cannot be pinned down: two different
values give the same output. Where no twin is found the area-year's indices are not
shown, and if that is not enough its group shares and counts neither (its page is
then left out); the output says "not shown (disclosure control)".

The audit recomputes every published number for thousands of twins at once (each
twin is a copy of its area under a new area code, computed in one vectorised call of
the same engines that made the results), so it costs about as much as computing the
results again.

Without ``min_cell`` nothing here is used and every output is exactly as before.

References
----------
Hundepool, A., Domingo-Ferrer, J., Franconi, L., Giessing, S., Schulte Nordholt, E.,
    Spicer, K. & de Wolf, P.-P. (2012). *Statistical Disclosure Control*. Wiley.
"""

from segspatial.disclosure._audit import (
    REPORT_INDICES,
    Audit,
    Design,
    SpatialDesign,
    audit,
    small_count_years,
)
from segspatial.disclosure._policy import (
    GROUP_REASONS,
    HIDDEN,
    Policy,
    check_min_cell,
    check_published,
    policy,
    round_counts,
    school_publication,
    suppressed_schools,
)
from segspatial.disclosure._publish import (
    CHANGE_NOTE,
    Protected,
    band_moran,
    protect_change,
    protect_changes,
    protect_exclusions,
    protect_intervals,
    protect_report,
    protect_results,
    protect_table,
    publish_schools,
)

__all__ = [
    "CHANGE_NOTE",
    "GROUP_REASONS",
    "HIDDEN",
    "REPORT_INDICES",
    "audit",
    "Audit",
    "band_moran",
    "check_min_cell",
    "check_published",
    "Design",
    "Policy",
    "policy",
    "protect_change",
    "protect_changes",
    "protect_exclusions",
    "protect_intervals",
    "protect_report",
    "protect_results",
    "protect_table",
    "Protected",
    "publish_schools",
    "round_counts",
    "school_publication",
    "SpatialDesign",
    "small_count_years",
    "suppressed_schools",
]
