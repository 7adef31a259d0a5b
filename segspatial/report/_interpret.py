"""Interpretation rules: the plain words a page says about where segregation happens.

The thresholds are named constants, so a reader of a page can find the rule behind
each sentence; the sentences themselves are catalogue texts (``interp_*`` in
:mod:`segspatial.text`).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from markupsafe import Markup

from segspatial.report._context import _Ctx
from segspatial.report._env import entities
from segspatial.text import check_lang

#: Share of Theil's H that spatial H keeps at the narrowest bandwidth, at or above
#: which segregation is called "between parts of the municipality" (neighbouring
#: schools are alike) ...
KEEP_HIGH = 0.7
#: ... and below which it is called "between neighbouring schools".
KEEP_LOW = 0.4
#: Permutation p-value below which Moran's I is called a pattern.
MORAN_ALPHA = 0.05
#: Fewer schools than this: the spatial numbers are flagged as uncertain (said first).
FEW_SCHOOLS = 10
#: D* at or below this: segregation is no higher than random allocation of pupils to
#: schools would give, so there is no pattern of *where* it happens to read.
NOT_ABOVE_RANDOM = 0.05


def interpretation(
    h: float,
    spatial_h: Mapping[float, float],
    *,
    between: float = float("nan"),
    within: float = float("nan"),
    morans_i: float = float("nan"),
    morans_p: float = float("nan"),
    moran_bandwidth: float = float("nan"),
    dstar: float = float("nan"),
    lonely: Collection[float] = (),
    withheld: Sequence[str] = (),
    h_withheld: bool = False,
    n_schools: int | None = None,
    group_a: str = "A",
    districts: str = "",
    lang: str = "en",
    digits: int = 3,
) -> list[Markup]:
    """Plain-words sentences (HTML) on where segregation happens, from the numbers.

    * With fewer than :data:`FEW_SCHOOLS` schools the numbers are flagged as uncertain,
      first, before any reading.
    * When segregation is no higher than random allocation would give (D* at most
      :data:`NOT_ABOVE_RANDOM`, or H = 0 as printed) there is no pattern to locate:
      the page says so and reads nothing from the spatial indices.
    * A bandwidth at which no school has a neighbour (``lonely``) says nothing: spatial
      H equals H there trivially. The reading starts at the narrowest bandwidth at which
      schools have neighbours (and says so), or is left out when there is none.
    * Spatial H at that bandwidth keeps at least :data:`KEEP_HIGH` of the ordinary H:
      pooling each school with its neighbours hardly evens anything out, so segregation
      is mostly *between parts of the municipality*; it keeps less than
      :data:`KEEP_LOW`: mostly *between neighbouring schools*; otherwise partly both
      (Reardon & O'Sullivan 2004; Reardon et al. 2008).
    * The between-district share of Theil's H (an exact decomposition).
    * Moran's I of the schools' shares of group A, at the bandwidth it was computed at
      (named): a pattern when its permutation p-value is below :data:`MORAN_ALPHA`
      (positive: clustered; negative: a checkerboard), else no clear pattern.
    * Parts withheld under disclosure control (``withheld``: their names in words) are
      named as withheld, never as "could not be computed".

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
    moran_bandwidth : float
        The bandwidth (metres) of Moran's I (named in its sentence).
    dstar : float
        The standardised D* of the comparison (NaN: not used).
    lonely : collection of float
        Bandwidths at which no school has a neighbour.
    withheld : sequence of str
        What is not shown under disclosure control, in words (plain text).
    h_withheld : bool
        True when H itself is withheld (disclosure control).
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
    >>> str(interpretation(0.2, {500: 0.05}, dstar=0.01)[0])[:40]
    'Segregation here is no higher than rando'
    """
    check_lang(lang)
    ctx = _Ctx(lang=lang, min_cell=None, offline=False, stamp=None, labels={})
    out = []
    if n_schools is not None and n_schools < FEW_SCHOOLS:
        from segspatial.text import plural_key

        out.append(ctx.t(plural_key(lang, "interp_few", n_schools),
                         n=ctx.plain_count(n_schools)))
    parts = [str(w) for w in withheld]
    hidden = (ctx.t("report_fix.interp_withheld", parts=_words(ctx, parts))
              if parts else None)
    defined = {float(b): float(v) for b, v in spatial_h.items() if math.isfinite(float(v))}
    if not math.isfinite(h) or (not defined and h > 0):
        out.append(ctx.t("report_fix.interp_all_withheld") if h_withheld
                   else ctx.t("interp_none"))
        return out + ([hidden] if hidden is not None and not h_withheld else [])
    dstar = float(dstar)
    if h <= 0 or (math.isfinite(dstar) and dstar <= NOT_ABOVE_RANDOM):
        key = ("report_fix.interp_random" if math.isfinite(dstar)
               else "report_fix.interp_zero")
        out.append(ctx.t(key, dstar=ctx.num(dstar, 2), h=ctx.num(h, digits)))
        return out + ([hidden] if hidden is not None else [])
    lonely = {float(b) for b in lonely}
    linked = {b: v for b, v in defined.items() if b not in lonely}
    skipped = sorted(b for b in defined if b in lonely and (not linked or b < min(linked)))
    if skipped:
        key = "report_fix.interp_lonely" if linked else "report_fix.interp_lonely_all"
        out.append(ctx.t(key, bandwidths=_words(ctx, [ctx.distance(b) for b in skipped]),
                         start=ctx.distance(min(linked)) if linked else ""))
    if linked:
        out.append(_where(ctx, h, linked, digits))
    if math.isfinite(between) and math.isfinite(within) and between + within > 0:
        share = between / (between + within)
        out.append(ctx.t("interp_between", between=ctx.pct(share), within=ctx.pct(1 - share),
                         districts=districts))
    if math.isfinite(morans_i):
        p = ctx.num(morans_p, digits) if math.isfinite(morans_p) else "–"
        if math.isfinite(morans_p) and morans_p < MORAN_ALPHA:
            key = "moran_cluster" if morans_i > 0 else "moran_checker"
        else:
            key = "moran_none"
        if math.isfinite(moran_bandwidth):  # said, as the reading may use another
            out.append(ctx.t(f"report_fix.interp_{key}", i=ctx.num(morans_i, 2), p=p,
                             a=group_a, bandwidth=ctx.distance(moran_bandwidth)))
        else:
            out.append(ctx.t(f"interp_{key}", i=ctx.num(morans_i, 2), p=p, a=group_a))
    return out + ([hidden] if hidden is not None else [])


def _where(ctx: _Ctx, h: float, linked: Mapping[float, float], digits: int) -> Markup:
    """The keep rule (:data:`KEEP_HIGH`, :data:`KEEP_LOW`) at the narrowest and widest
    bandwidths at which schools have neighbours."""
    small, large = min(linked), max(linked)
    keep_small, keep_large = linked[small] / h, linked[large] / h
    if keep_small >= KEEP_HIGH:
        return ctx.t("interp_parts", small=ctx.distance(small), keep=ctx.pct(keep_small),
                     h=ctx.num(h, digits), where=_strong(ctx.t("interp_parts_where")))
    if keep_small < KEEP_LOW:
        return ctx.t("interp_neighbours", small=ctx.distance(small),
                     keep=ctx.pct(keep_small), h=ctx.num(h, digits),
                     where=_strong(ctx.t("interp_neighbours_where")))
    return ctx.t("interp_mixed", small=ctx.distance(small), large=ctx.distance(large),
                 keep_small=ctx.pct(keep_small), keep_large=ctx.pct(keep_large),
                 h=ctx.num(h, digits), where=_strong(ctx.t("interp_mixed_where")))


def _words(ctx: _Ctx, items: Sequence[Any]) -> Markup:
    """``A``, ``A and B``, ``A, B and C`` in the page language (items escaped)."""
    items = [entities(str(i)) if not isinstance(i, Markup) else i for i in items]
    if len(items) == 1:
        return items[0]
    return ctx.t("inference.list_and", first=Markup(", ").join(items[:-1]), last=items[-1])


# --------------------------------------------------------------------------- page parts


def lead_reading(ctx: _Ctx, values: Any, spatial: Any, lead: Mapping[str, Any],
                 bandwidths: Sequence[float], year: Any, *, n_schools: int,
                 districts: Markup | str) -> list[Markup]:
    """:func:`interpretation` of a page's lead comparison, with what the tables know:
    its D*, the bandwidths at which no school has a neighbour (Moran's I's reason
    ``no_neighbours``), the bandwidth of Moran's I, and the parts withheld under
    disclosure control (reason ``withheld``), named as withheld. ``values`` and
    ``spatial`` are the page's :class:`~segspatial.report._lookup.Values` of the
    aspatial and spatial rows."""
    comp, pair = lead["comp"], lead["pair"]
    hidden = "withheld"
    lonely = [b for b in bandwidths if spatial.why(comp, "morans_i", b)[0] == "no_neighbours"]
    parts = []
    if any(spatial.why(comp, name, b)[0] == hidden for b in bandwidths
           for name in ("spatial_dissimilarity", "spatial_theil_h")):
        parts.append(ctx.t("report_fix.part_spatial"))
    if spatial.why(comp, "theil_h_between")[0] == hidden:
        parts.append(ctx.t("report_fix.part_between"))
    if not math.isfinite(lead["moran"]) and any(
            spatial.why(comp, "morans_i", b)[0] == hidden for b in bandwidths):
        parts.append(ctx.t("report_fix.part_moran"))
    digits = 3 if ctx.disclosure is None else ctx.disclosure.policy.digits
    return interpretation(
        lead["h"], lead["spatial_h"], between=lead["between"], within=lead["within"],
        morans_i=lead["moran"], morans_p=lead["moran_p"],
        moran_bandwidth=lead.get("moran_bw", float("nan")),
        dstar=values.get(comp, year, "dissimilarity_standardised")[0], lonely=lonely,
        withheld=parts, h_withheld=values.why(comp, year, "theil_h")[0] == hidden,
        n_schools=n_schools, group_a=ctx.group(pair[0]), districts=districts,
        lang=ctx.lang, digits=digits)


def few_schools(ctx: _Ctx, name: str, n_schools: int) -> Markup | None:
    """The one sentence that replaces a section of a municipality with one or two
    schools: with one school segregation between schools cannot occur; with two there
    is one pair, so no spatial pattern to read. None for more schools."""
    if n_schools == 1:
        return ctx.t("report_fix.one_school", name=name)
    if n_schools == 2:
        return ctx.t("report_fix.two_schools", name=name)
    return None



def _strong(text: Markup) -> Markup:
    """Emphasis around an escaped catalogue text."""
    return Markup("<strong>{}</strong>").format(text)


# --------------------------------------------------------------------------- changes

#: The words of a change whose interval lies above zero, below zero, or holds it.
DIRECTIONS = ("rising", "falling", "no_clear_change")


def change_direction(low: float, high: float, digits: int = 3) -> str | None:
    """``rising``, ``falling`` or ``no_clear_change`` from a change's interval.

    A change is rising only when its interval lies above zero and falling only when
    it lies below; an interval that holds zero is no clear change. The rule is applied
    to the bounds as the page prints them (rounded to ``digits``), so the words never
    contradict the numbers beside them. None without an interval.

    Examples
    --------
    >>> change_direction(0.01, 0.05), change_direction(-0.05, -0.01)
    ('rising', 'falling')
    >>> change_direction(-0.01, 0.05), change_direction(0.0004, 0.05)
    ('no_clear_change', 'no_clear_change')
    >>> change_direction(float("nan"), 0.05) is None
    True
    """
    low, high = float(low), float(high)
    if not (math.isfinite(low) and math.isfinite(high)):
        return None
    low, high = round(low, digits) + 0.0, round(high, digits) + 0.0
    if low > 0:
        return "rising"
    if high < 0:
        return "falling"
    return "no_clear_change"


def change_sentence(ctx: _Ctx, change: Mapping, *, index: str, comparison: str,
                    digits: int = 3) -> Markup:
    """One sentence on a change (a row of the change table): rising, falling or no
    clear change (:func:`change_direction`), with the change and its interval; or why
    there is no interval."""
    low, high = float(change["ci_low"]), float(change["ci_high"])
    verdict = change_direction(low, high, digits)
    years = dict(from_year=_year(change["from_year"]), to_year=_year(change["to_year"]))
    if verdict is None:
        why = ("inference.why_disclosure" if bool(change.get("withheld", False))
               else "inference.why_undefined")
        return ctx.t("inference.change_no_interval", index=index, comparison=comparison,
                     why=ctx.t(why), **years)
    level = change.get("ci_level", 0.95)
    return ctx.t("inference.change_sentence", index=index, comparison=comparison,
                 verdict=_strong(ctx.t(f"inference.{verdict}")),
                 change=ctx.signed(change["change"], digits),
                 level=ctx.pct(float(level) if math.isfinite(float(level)) else 0.95),
                 low=ctx.num(low, digits), high=ctx.num(high, digits), **years)


def _year(value: object) -> str:
    number = float(value)  # type: ignore[arg-type]
    return str(int(number)) if number.is_integer() else str(value)


#: Most municipalities a list of the index page names (the largest changes first).
MAX_NAMED = 10


def national_changes(ctx: _Ctx, data: Any) -> dict[str, Any] | None:
    """The index page's lists: where D of the lead comparison rose or fell from the
    first to the latest year (its interval excludes zero, :func:`change_direction`),
    and in how many municipalities there is no clear change; None without changes."""
    changes = data.changes
    if changes.empty:
        return None
    comp, pair = next(iter(data.comparisons.items()))
    rows = changes[(changes["comparison"] == comp) & (changes["index"] == "dissimilarity")
                   & changes["area"].isin(data.areas["code"])]
    if rows.empty:
        return None
    digits = 3 if ctx.disclosure is None else ctx.disclosure.policy.digits
    names = dict(zip(data.areas["code"], data.areas["name"], strict=True))
    verdicts = [change_direction(low, high, digits)
                for low, high in zip(rows["ci_low"], rows["ci_high"], strict=True)]
    frame = rows.assign(_verdict=verdicts, _name=rows["area"].map(names))
    lines = []
    for verdict, ascending in (("rising", False), ("falling", True)):
        part = frame[frame["_verdict"] == verdict].sort_values(
            ["change", "_name"], ascending=[ascending, True], kind="stable")
        if len(part):
            lines.append(ctx.t(f"inference.national_{verdict}",
                               areas=_listed(ctx, part["_name"].astype(str).tolist())))
    n_none = int((frame["_verdict"] == "no_clear_change").sum())
    if n_none:
        lines.append(ctx.tn("inference.national_none", n_none, n=ctx.plain_count(n_none)))
    n_missing = int(frame["_verdict"].isna().sum())
    if n_missing:
        lines.append(ctx.tn("inference.national_no_interval", n_missing,
                            n=ctx.plain_count(n_missing)))
    level = data.parameters["inference"]["level"]
    return {"heading": ctx.t("inference.national_heading", index=ctx.index("dissimilarity"),
                             comparison=ctx.comparison(comp, pair)),
            "lines": lines, "rule": ctx.t("inference.change_rule", level=ctx.pct(level))}


def _listed(ctx: _Ctx, names: list[str]) -> Markup:
    """``A``, ``A and B``, ``A, B and C``, or the first :data:`MAX_NAMED` and how
    many more (names escaped)."""
    if len(names) > MAX_NAMED:
        return ctx.t("inference.list_more", names=", ".join(names[:MAX_NAMED]),
                     n=ctx.plain_count(len(names) - MAX_NAMED))
    if len(names) == 1:
        return entities(names[0])
    return ctx.t("inference.list_and", first=", ".join(names[:-1]), last=names[-1])
