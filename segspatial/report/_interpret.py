"""Interpretation rules: the plain words a page says about where segregation happens.

The thresholds are named constants, so a reader of a page can find the rule behind
each sentence; the sentences themselves are catalogue texts (``interp_*`` in
:mod:`segspatial.text`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from markupsafe import Markup

from segspatial.report._context import _Ctx
from segspatial.text import check_lang

#: Share of Theil's H that spatial H keeps at the narrowest bandwidth, at or above
#: which segregation is called "between parts of the municipality" (neighbouring
#: schools are alike) ...
KEEP_HIGH = 0.7
#: ... and below which it is called "between neighbouring schools".
KEEP_LOW = 0.4
#: Permutation p-value below which Moran's I is called a pattern.
MORAN_ALPHA = 0.05
#: Fewer schools than this: the spatial numbers are flagged as uncertain.
FEW_SCHOOLS = 10


def interpretation(
    h: float,
    spatial_h: Mapping[float, float],
    *,
    between: float = float("nan"),
    within: float = float("nan"),
    morans_i: float = float("nan"),
    morans_p: float = float("nan"),
    n_schools: int | None = None,
    group_a: str = "A",
    districts: str = "",
    lang: str = "en",
    digits: int = 3,
) -> list[Markup]:
    """Plain-words sentences (HTML) on where segregation happens, from the numbers.

    * Spatial H at the narrowest bandwidth keeps at least :data:`KEEP_HIGH` of the
      ordinary H: pooling each school with its neighbours hardly evens anything out,
      so segregation is mostly *between parts of the municipality*; it keeps less
      than :data:`KEEP_LOW`: mostly *between neighbouring schools*; otherwise partly
      both (Reardon & O'Sullivan 2004; Reardon et al. 2008).
    * The between-district share of Theil's H (an exact decomposition).
    * Moran's I of the schools' shares of group A: a pattern when its permutation
      p-value is below :data:`MORAN_ALPHA` (positive: clustered; negative: a
      checkerboard), else no clear pattern.
    * With fewer than :data:`FEW_SCHOOLS` schools the numbers are flagged as uncertain.

    Parameters
    ----------
    h : float
        Theil's H (aspatial).
    spatial_h : mapping
        Bandwidth (metres) -> spatial H.
    between, within : float
        Theil's H between and within districts.
    morans_i, morans_p : float
        Moran's I and its p-value.
    n_schools : int, optional
        Number of schools.
    group_a : str
        Label of group A (plain text; escaped here).
    districts : str
        What the districts are (plain text, escaped here, or Markup).
    lang : {"en", "nl"}
    digits : int
        Decimals of the index values in the sentences (disclosure mode publishes 2).

    Returns
    -------
    list of markupsafe.Markup
        HTML sentences (values escaped).

    Examples
    --------
    >>> str(interpretation(0.2, {500: 0.19, 4000: 0.05})[0])[:46]
    'Segregation is mostly <strong>between parts of'
    >>> str(interpretation(0.2, {500: 0.05, 4000: 0.01})[0])[:46]
    'Segregation is mostly <strong>between neighbou'
    """
    check_lang(lang)
    ctx = _Ctx(lang=lang, min_cell=None, offline=False, stamp=None, labels={})
    defined = {float(b): float(v) for b, v in spatial_h.items() if math.isfinite(float(v))}
    if not (math.isfinite(h) and h > 0 and defined):
        return [ctx.t("interp_none")]
    small, large = min(defined), max(defined)
    keep_small, keep_large = defined[small] / h, defined[large] / h
    out = []
    if keep_small >= KEEP_HIGH:
        out.append(ctx.t("interp_parts", small=ctx.distance(small), keep=ctx.pct(keep_small),
                         h=ctx.num(h, digits), where=_strong(ctx.t("interp_parts_where"))))
    elif keep_small < KEEP_LOW:
        out.append(ctx.t("interp_neighbours", small=ctx.distance(small),
                         keep=ctx.pct(keep_small), h=ctx.num(h, digits),
                         where=_strong(ctx.t("interp_neighbours_where"))))
    else:
        out.append(ctx.t("interp_mixed", small=ctx.distance(small), large=ctx.distance(large),
                         keep_small=ctx.pct(keep_small), keep_large=ctx.pct(keep_large),
                         h=ctx.num(h, digits), where=_strong(ctx.t("interp_mixed_where"))))
    if math.isfinite(between) and math.isfinite(within) and between + within > 0:
        share = between / (between + within)
        out.append(ctx.t("interp_between", between=ctx.pct(share), within=ctx.pct(1 - share),
                         districts=districts))
    if math.isfinite(morans_i):
        p = ctx.num(morans_p, digits) if math.isfinite(morans_p) else "–"
        if math.isfinite(morans_p) and morans_p < MORAN_ALPHA:
            key = "interp_moran_cluster" if morans_i > 0 else "interp_moran_checker"
        else:
            key = "interp_moran_none"
        out.append(ctx.t(key, i=ctx.num(morans_i, 2), p=p, a=group_a))
    if n_schools is not None and n_schools < FEW_SCHOOLS:
        out.append(ctx.t("interp_few", n=ctx.plain_count(n_schools)))
    return out


# --------------------------------------------------------------------------- page parts


def _strong(text: Markup) -> Markup:
    """Emphasis around an escaped catalogue text."""
    return Markup("<strong>{}</strong>").format(text)
