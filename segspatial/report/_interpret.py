"""Interpretation rules: the plain words a page says about where segregation happens.

The thresholds are named constants, so a reader of a page can find the rule behind
each sentence; the sentences themselves are catalogue texts (``interp_*`` in
:mod:`segspatial.text`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
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
        from segspatial.text import plural_key

        out.append(ctx.t(plural_key(ctx.lang, "interp_few", n_schools),
                         n=ctx.plain_count(n_schools)))
    return out


# --------------------------------------------------------------------------- page parts


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
