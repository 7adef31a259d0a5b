"""HTML reports: one page per municipality, and an index page with a national map.

The deliverable most users open. :func:`report_data` computes everything a report
shows from a results object (:func:`segspatial.segregation` or
:func:`segspatial.pupils.pupil_segregation`), the school locations and the area
boundaries: the aspatial indices per comparison and year, the spatial indices of
:func:`segspatial.spatial.spatial_segregation` (local environments, between/within
districts, Moran's I) and the multi-scale profile for the latest year.
:func:`render_report` turns that into HTML pages (no files written);
:func:`write_report` writes them, atomically.

Each municipality page has a header (name, code, years, pupils, schools, group
shares), the comparisons x the four indices for the latest year with the Massey &
Denton band in words (each index with its bootstrap confidence interval when
``report_data(n_boot=...)``; the command line's default is 1,000 replicates), small
trend charts on the report's fixed 0-0.8 scale with error bars, the change of D from
the first to the latest year ("rising"/"falling" only when its interval excludes zero,
:func:`segspatial.report._interpret.change_direction`), a static
and an interactive school map, the aspatial vs spatial comparison with a generated
interpretation in plain words, the caveat on causes, the exclusions and the method.
Given a multigroup result (``multigroup=``) a page also shows "several groups at
once": multigroup H and M per year, with ``within=`` the split between and within
a grouping of the schools (e.g. denominations) and a map of the schools' local
scores; given a rank-order result (``rank_order=``) it shows income as a continuum:
H^R and the H(p) profile. The disclosure audit covers no multigroup number, so under
``min_cell`` these sections say so and show none.

Pages are rendered from Jinja2 templates shipped with the package (``templates/``,
autoescaping on; every value from input is a template variable, escaped once) with
the stylesheet and script of ``static/``; they are self-contained (images inline, the
interactive map in an ``iframe``'s ``srcdoc``; with ``offline=True`` Leaflet is
embedded too). ``min_cell`` replaces every pupil count below it by ``"< N"``
(tables, header, exclusions, tooltips, data attributes; school counts are public and
shown as they are) and, on both school maps, suppresses the schools with a group
below it (no group counts, no share, a grey marker:
:func:`segspatial._mapdata.suppressed_schools`); in disclosure mode every number is
audited and rounded (:mod:`segspatial.disclosure`). The same input gives
byte-identical pages: fixed PNG metadata, fixed permutation seed, folium's random
element ids replaced by counters (:func:`segspatial.webmap.to_html`), no time stamp
unless ``stamp`` is given.

Layout (one concern a module): ``_data`` (:func:`report_data` in steps), ``_lookup``
(values by key), ``_context`` (text lookups and number formats), ``_interpret`` (the
interpretation rules), ``_charts`` (SVG charts, PNG maps), ``_sections`` and
``_index`` (what each page section shows), ``_env`` (templates and static files),
``_render`` (rendering and writing).

References
----------
Duncan, O. D. & Duncan, B. (1955). A methodological analysis of segregation indexes.
    *American Sociological Review* 20(2), 210-217.
Carrington, W. J. & Troske, K. R. (1997). On measuring segregation in samples with
    small units. *Journal of Business & Economic Statistics* 15(4), 402-409.
Reardon, S. F. & Firebaugh, G. (2002). Measures of multigroup segregation.
    *Sociological Methodology* 32, 33-67.
Reardon, S. F. & O'Sullivan, D. (2004). Measures of spatial segregation.
    *Sociological Methodology* 34, 121-162.
Massey, D. S. & Denton, N. A. (1993). *American Apartheid*. Harvard University Press.
"""

from __future__ import annotations

from segspatial.report import _render
from segspatial.report._context import band
from segspatial.report._data import (
    MARKER,
    MAX_PAGE_STEM,
    REPORT_INDICES,
    ReportData,
    page_name,
    report_data,
)
from segspatial.report._interpret import (
    FEW_SCHOOLS,
    KEEP_HIGH,
    KEEP_LOW,
    MORAN_ALPHA,
    interpretation,
)
from segspatial.report._render import (
    _area_page,
    _protected,
    demo_report_data,
    render_report,
    write_demo_report,
    write_report,
)
from segspatial.text import LANGUAGES

__all__ = [
    "FEW_SCHOOLS",
    "KEEP_HIGH",
    "KEEP_LOW",
    "LANGUAGES",
    "MARKER",
    "MAX_PAGE_STEM",
    "MORAN_ALPHA",
    "REPORT_INDICES",
    "ReportData",
    "band",
    "interpretation",
    "page_name",
    "demo_report_data",
    "render_report",
    "report_data",
    "write_demo_report",
    "write_report",
]

_ = (_render, _area_page, _protected)  # private, used by the CLI, benchmarks and tests
