"""Attackers for the disclosure suite (``tests/test_disclosure.py``).

Each attack reads only what a command wrote (HTML pages and the data embedded in
them, CSV/JSON files) plus what anyone knows anyway: every school's number of pupils
(DUO publishes it), its location, and which schools are in which municipality. It
turns every published number into the interval of true values it allows (a count
shown as ``1,234`` is exact unless the pages say counts are rounded; ``0.386`` is
0.3855 to 0.3865; a sort key keeps all its digits; ``< 10`` is 0 to 9) and then
looks for counts below N that only one value fits.

The attackers are deliberately stronger than the issue's examples: they combine
every source, and they know that group A and group B make up a school's pupils when
the data are built that way (the real 2019 case).

A count is *recovered* when the attack leaves exactly one value for it and that
value is below N; the tests also check that it is the true value (a wrong
"recovery" would be a bug in the attacker).
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

Interval = tuple[float, float]
SRCDOC = re.compile(r'srcdoc="([^"]*)"')
_NUMBER = re.compile(r"^[−-]?\d[\d,]*(?:\.\d+)?$")
#: What the method note says when counts are rounded (machine-readable for the attacker).
ROUNDED = re.compile(r"rounded to multiples of (\d+)")
EPS = 1e-9
_KEY = 1 << 24


# --------------------------------------------------------------------------- numbers


def _clean(text: str) -> str:
    return (html.unescape(re.sub(r"<[^>]+>", "", text)).replace("\u2212", "-")
            .replace("\xa0", " ").strip())


def number_interval(text: str) -> Interval | None:
    """The true values a printed number allows: ``0.386`` -> (0.3855, 0.3865);
    ``45%`` -> (0.445, 0.455); ``10–20%`` -> (0.10, 0.20); None if not a number."""
    text = _clean(text)
    band = re.fullmatch(r"(\d+(?:\.\d+)?)\s*[–-]\s*(\d+(?:\.\d+)?)\s*%", text)
    if band:
        return float(band.group(1)) / 100 - EPS, float(band.group(2)) / 100 + EPS
    scale = 1.0
    if text.endswith("%"):
        text, scale = text[:-1].strip(), 0.01
    text = text.replace(",", "")
    if not _NUMBER.match(text.replace("-", "", 1) if text.startswith("-") else text):
        try:
            float(text)
        except ValueError:
            return None
        if "e" in text.lower():  # a sort key in scientific notation: all its digits
            value = float(text) * scale
            return value - abs(value) * 1e-12 - EPS, value + abs(value) * 1e-12 + EPS
        return None
    value = float(text)
    decimals = len(text.split(".")[1]) if "." in text else 0
    half = 0.5 * 10.0 ** (-decimals)
    return (value - half) * scale - EPS, (value + half) * scale + EPS


def count_interval(text: str, base: int, min_cell: int | None) -> tuple[int, int] | None:
    """A printed pupil count as the whole numbers it allows (None: not a count)."""
    text = _clean(text)
    m = re.fullmatch(r"<\s*([\d,]+)", text)
    if m:
        return 0, int(m.group(1).replace(",", "")) - 1
    text = text.replace(",", "")
    if not re.fullmatch(r"\d+", text):
        return None
    value = int(text)
    if base <= 1:
        return value, value
    low, high = math.ceil(value - base / 2), math.ceil(value + base / 2) - 1
    if min_cell is not None:  # a number is shown only for counts of at least N
        low = max(low, min_cell)
    return max(low, 0), high


def intersect(*intervals: Interval | None) -> Interval | None:
    given = [i for i in intervals if i is not None]
    if not given:
        return None
    return max(i[0] for i in given), min(i[1] for i in given)


# --------------------------------------------------------------------------- reading pages


def frames(page: str) -> list[str]:
    """The documents embedded in a page's iframes, unescaped."""
    return [html.unescape(m) for m in SRCDOC.findall(page)]


def features(document: str) -> list[dict]:
    """Properties of every GeoJSON feature of a folium map document."""
    return [f["properties"] for data in re.findall(r"_add\((\{.*\})\);", document)
            for f in json.loads(data)["features"]]


def _rows(table: str) -> list[list[tuple[str, str | None]]]:
    """(shown text, data-v) per cell, per body row of an HTML table."""
    body = table.split("<tbody>", 1)[-1]
    out = []
    for row in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S):
        cells = re.findall(r"<td([^>]*)>(.*?)</td>", row, flags=re.S)
        out.append([(_clean(inner), (m.group(1) if (m := re.search(r'data-v="([^"]*)"',
                                                                      attrs)) else None))
                    for attrs, inner in cells])
    return out


def _heads(table: str) -> list[str]:
    head = table.split("<tbody>", 1)[0]
    return [_clean(h) for h in re.findall(r"<th[^>]*>(.*?)</th>", head, flags=re.S)]


def _section(page: str, heading: str) -> str | None:
    start = page.find(f">{heading}")
    if start < 0:
        return None
    end = page.find("</section>", start)
    return page[start:end if end >= 0 else None]


def _table(section: str | None) -> str | None:
    if section is None:
        return None
    m = re.search(r"<table.*?</table>", section, flags=re.S)
    return m.group(0) if m else None


@dataclass
class Page:
    """What one municipality page (and its row of the index page) publishes."""

    code: str
    pupils: tuple[int, int] | None = None
    n_schools: int | None = None
    groups: dict[str, tuple[int, int]] = field(default_factory=dict)   # "< N pupils x"
    shares: dict[str, Interval] = field(default_factory=dict)          # "16.3% x"
    latest: dict[str, dict[str, Interval | None]] = field(default_factory=dict)
    in_two_groups: dict[str, tuple[int, int] | None] = field(default_factory=dict)
    schools: pd.DataFrame | None = None
    exclusions: list[tuple[str, tuple[int, int] | None]] = field(default_factory=list)
    index_row: dict[str, Interval | None] = field(default_factory=dict)


@dataclass
class Report:
    pages: dict[str, Page]
    base: int
    min_cell: int | None
    index_exclusions: list[tuple[str, tuple[int, int] | None]]
    without_page: list[str]


def _min_cell(page: str) -> int | None:
    m = re.search(r"counts below (\d+) are shown as", page)
    return int(m.group(1)) if m else None


def read_report(pages: dict[str, str]) -> Report:
    """Everything the report's pages say, per municipality (English pages)."""
    index = pages["index.html"]
    base = int(m.group(1)) if (m := ROUNDED.search(index)) else 1
    min_cell = _min_cell(index)
    sortable = re.search(r'<table class="sortable">.*?</table>', index, flags=re.S).group(0)
    heads = _heads(sortable)
    out: dict[str, Page] = {}
    links = dict(re.findall(r'<a href="([^"]+\.html)">[^<]*</a></td><td class="?text"? '
                            r'data-v="([^"]*)"', index))
    files = {html.unescape(code): file for file, code in links.items()}
    for cells in _rows(sortable):
        code = html.unescape(cells[1][1])
        row = {}
        for head, (shown, key) in zip(heads, cells, strict=True):
            finest = [number_interval(shown)]
            if key:
                finest.append(number_interval(key))
            row[head] = intersect(*finest)
        page = Page(code=code, index_row=row)
        page.n_schools = int(cells[2][0].replace(",", ""))
        page.pupils = count_interval(cells[3][0], base, min_cell)
        if code in files and files[code] in pages:
            _read_area(page, pages[files[code]], base, min_cell)
        out[code] = page
    left = _section(index, "Left out of the whole report")
    index_exclusions = _exclusions(_table(left), base, min_cell)
    without = re.findall(r"\((GM\d+|[A-Z]{2}\d+)\)", left.split("without a page", 1)[1]) \
        if left and "without a page" in left else []
    return Report(out, base, min_cell, index_exclusions, without)


def _exclusions(table: str | None, base: int, min_cell: int | None):
    if table is None:
        return []
    return [(cells[0][0], count_interval(cells[-1][0], base, min_cell))
            for cells in _rows(table)]


def _read_area(page: Page, text: str, base: int, min_cell: int | None) -> None:
    header = text[text.find("<header>"):text.find("</header>")]
    facts = dict(re.findall(r'<span class="k">([^<]*)</span><span class="v[^"]*">(.*?)</span>',
                            header, flags=re.S))
    if "Pupils" in facts:
        page.pupils = intersect(page.pupils, count_interval(facts["Pupils"], base, min_cell))
    shares = next((v for k, v in facts.items() if k.startswith("Group shares")), "")
    lines = [part for line in re.split(r"<br>", shares)
             for part in _clean(line).split(":", 1)[-1].split(", ")]  # "theme: x, y"
    for line in lines:
        line = line.strip()
        m = re.fullmatch(r"(.+?) pupils (.+)", line)
        if m and count_interval(m.group(1), base, min_cell):
            page.groups[m.group(2)] = count_interval(m.group(1), base, min_cell)
            continue
        m = re.fullmatch(r"([\d.,]+\s*%)\s+(.+)", line)
        if m:
            page.shares[m.group(2)] = number_interval(m.group(1))
    latest = _table(_section(text, "Segregation"))
    if latest:
        heads = _heads(latest)
        for cells in _rows(latest):
            label = cells[0][0]
            values = dict(zip(heads, [c[0] for c in cells], strict=True))
            page.latest[label] = {h: number_interval(values[h]) for h in ("D", "D*", "H", "V")
                                  if h in values}
            page.in_two_groups[label] = count_interval(values["Pupils in the two groups"],
                                                       base, min_cell)
    rows = []
    for document in frames(text):
        for props in features(document):
            if "school" not in props:
                continue
            rows.append({
                "school": html.unescape(props["school"]),
                "grey": props.get("fill") == "#9e9e9e",
                "pupils": count_interval(props.get("pupils", ""), base, min_cell),
                "a": count_interval(props.get("group_a", ""), base, min_cell),
                "b": count_interval(props.get("group_b", ""), base, min_cell),
                "share": number_interval(props.get("share_a", "")),
                "area_share": number_interval(props.get("area_share_a", "")),
            })
    page.schools = pd.DataFrame(rows) if rows else None
    page.exclusions = _exclusions(_table(_section(text, "What was left out, and why")),
                                  base, min_cell)


# --------------------------------------------------------------------------- the indices


def _entropy(p: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        q = 1.0 - p
        return -(np.where(p > 0, p * np.log(np.where(p > 0, p, 1)), 0.0)
                 + np.where(q > 0, q * np.log(np.where(q > 0, q, 1)), 0.0))


def indices(a: np.ndarray, b: np.ndarray) -> dict[str, np.ndarray]:
    """D, H, V, exposure and isolation (aPa, aPb, bPb, bPa) of many candidate count
    vectors at once (rows: candidates)."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    A, B = a.sum(axis=-1, keepdims=True), b.sum(axis=-1, keepdims=True)
    t = a + b
    T = A + B
    P = A / T
    with np.errstate(divide="ignore", invalid="ignore"):
        d = 0.5 * np.abs(a / A - b / B).sum(axis=-1)
        p = np.where(t > 0, a / np.where(t > 0, t, 1), 0.0)
        h = 1.0 - (t * _entropy(p)).sum(axis=-1) / (T[..., 0] * _entropy(P[..., 0]))
        xpx = (np.where(t > 0, a / A * p, 0.0)).sum(axis=-1)
        v = (xpx - P[..., 0]) / (1.0 - P[..., 0])
        q = np.where(t > 0, b / np.where(t > 0, t, 1), 0.0)
        exposure = {"aPa": xpx, "aPb": (np.where(t > 0, a / A * q, 0.0)).sum(axis=-1),
                    "bPb": (np.where(t > 0, b / B * q, 0.0)).sum(axis=-1),
                    "bPa": (np.where(t > 0, b / B * p, 0.0)).sum(axis=-1)}
    return {"D": d, "H": h, "V": v, **exposure}


def _fits(values: dict[str, np.ndarray], bounds: dict[str, Interval]) -> np.ndarray:
    ok = np.ones(next(iter(values.values())).shape, dtype=bool)
    for name, (lo, hi) in bounds.items():
        ok &= (values[name] >= lo) & (values[name] <= hi)
    return ok


# --------------------------------------------------------------------------- attack 1


@dataclass
class AreaProblem:
    """One municipality as the attacker sees it: candidate (a, b) per school and the
    published constraints on the totals and on D, H and V."""

    code: str
    schools: list[str]
    candidates: list[np.ndarray]       # per school: (k, 2) array of (a, b) pairs
    grey: np.ndarray
    A: tuple[int, int] | None          # the area's count of A
    B: tuple[int, int] | None
    AB: tuple[int, int] | None         # A + B
    bounds: dict[str, Interval]        # D, H, V (keys of indices())
    #: the other published numbers: (a, b) of candidates (rows) -> which fit them all
    check: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None
    #: the (a, b) a school may hold (default: its row of ``candidates``)
    allows: Callable[[int, tuple[int, int]], bool] | None = None


def _school_candidates(t: int, row: pd.Series, min_cell: int | None, two_groups: bool,
                       ) -> np.ndarray:
    """Every (a, b) the published facts allow for one school with t pupils."""
    a_all = np.arange(t + 1)
    if two_groups:
        pairs = np.column_stack([a_all, t - a_all])
    else:
        a, b = np.meshgrid(a_all, a_all, indexing="ij")
        keep = a + b <= t
        pairs = np.column_stack([a[keep], b[keep]])
    keep = np.ones(len(pairs), dtype=bool)
    for col, k in (("a", 0), ("b", 1)):
        iv = row.get(col)
        if isinstance(iv, tuple):
            keep &= (pairs[:, k] >= iv[0]) & (pairs[:, k] <= iv[1])
    share = row.get("share")
    if isinstance(share, tuple):
        n = pairs.sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            s = np.where(n > 0, pairs[:, 0] / np.where(n > 0, n, 1), -1.0)
        keep &= (s >= share[0]) & (s <= share[1])
        if min_cell is not None:  # a share is shown only when both groups reach N
            keep &= (pairs[:, 0] >= min_cell) & (pairs[:, 1] >= min_cell)
    return pairs[keep]


def area_problem(page: Page, pupils: dict[str, int], min_cell: int | None, *,
                 two_groups: bool, label: str | None = None) -> AreaProblem | None:
    """Build the attacker's problem for one page's lead comparison."""
    if page.schools is None or page.schools.empty:
        return None
    frame = page.schools
    names = frame["school"].tolist()
    cands = [_school_candidates(int(pupils[s]), row, min_cell, two_groups)
             for s, (_, row) in zip(names, frame.iterrows(), strict=True)]
    T = sum(int(pupils[s]) for s in names)
    label = label or next(iter(page.latest), None)
    AB = page.in_two_groups.get(label) if label else None
    if two_groups:
        AB = intersect(AB, (T, T))
    A_share = intersect(*[iv for iv in frame["area_share"] if isinstance(iv, tuple)])
    A = None
    if A_share is not None and AB is not None:
        A = (math.ceil(A_share[0] * AB[0] - EPS), math.floor(A_share[1] * AB[1] + EPS))
    for group, iv in page.groups.items():  # "< N pupils a" in the header
        if group in ("a", "A") or (label and label.split(" vs ")[0] == group):
            A = intersect(A, iv)
    for group, share in page.shares.items():
        if label and label.split(" vs ")[0] == group and page.pupils and two_groups:
            A = intersect(A, (math.ceil(share[0] * T - EPS), math.floor(share[1] * T + EPS)))
    bounds = {}
    for name in ("D", "H", "V"):
        iv = intersect((page.latest.get(label) or {}).get(name), page.index_row.get(name))
        if iv is not None:
            bounds[name] = iv
    B = None
    if A is not None and AB is not None:
        B = (AB[0] - A[1], AB[1] - A[0])
    return AreaProblem(page.code, names, cands, frame["grey"].to_numpy(dtype=bool), A, B,
                       AB, bounds)


def enumerate_feasible(problem: AreaProblem, limit: float = 3e6) -> list[set] | None:
    """Every school's feasible (a, b) values given all constraints, by exhaustive
    enumeration; None when there are more than ``limit`` combinations to try."""
    sizes = np.array([len(c) for c in problem.candidates])
    if (sizes == 0).any():
        return [set() for _ in sizes]
    variable = np.flatnonzero(sizes > 1)
    fixed = np.flatnonzero(sizes == 1)
    fixed_ab = (np.vstack([problem.candidates[i][0] for i in fixed]).sum(axis=0)
                if len(fixed) else np.zeros(2, dtype=np.int64))
    if len(variable) == 0:
        return [{tuple(c[0])} for c in problem.candidates]
    last, free = variable[-1], variable[:-1]
    totals = None
    if problem.A is not None and problem.B is not None:
        a_vals = np.arange(max(problem.A[0], 0), problem.A[1] + 1)
        ab_lo, ab_hi = problem.AB if problem.AB is not None else (0, 10**9)
        totals = [(A, B) for A in a_vals for B in range(max(ab_lo - A, 0), ab_hi - A + 1)
                  if problem.B is None or problem.B[0] <= B <= problem.B[1]]
        if not totals:
            return [set() for _ in sizes]
    log_work = (np.log(sizes[free].astype(np.float64)).sum()
                + np.log(len(totals) if totals is not None else sizes[last]))
    if log_work > np.log(limit):
        return None
    grids = ([problem.candidates[i] for i in free])
    if grids:
        idx = np.stack(np.meshgrid(*[np.arange(len(g)) for g in grids], indexing="ij"),
                       -1).reshape(-1, len(grids))
        free_pairs = np.stack([grids[k][idx[:, k]] for k in range(len(grids))], axis=1)
    else:
        free_pairs = np.zeros((1, 0, 2), dtype=np.int64)
    free_sum = free_pairs.sum(axis=1) + fixed_ab
    rows_list, last_list = [], []
    if totals is not None:
        pairs = problem.candidates[last]
        codes = pairs[:, 0] * _KEY + pairs[:, 1]
        order = np.argsort(codes)
        codes = codes[order]
        for A, B in totals:
            need = (A - free_sum[:, 0]) * _KEY + (B - free_sum[:, 1])
            pos = np.clip(np.searchsorted(codes, need), 0, len(codes) - 1)
            ok = (codes[pos] == need) & (A - free_sum[:, 0] >= 0) & (B - free_sum[:, 1] >= 0)
            rows_list.append(np.flatnonzero(ok))
            last_list.append(order[pos[ok]])
    else:
        for i in range(len(problem.candidates[last])):
            rows_list.append(np.arange(len(free_pairs)))
            last_list.append(np.full(len(free_pairs), i))
    rows = np.concatenate(rows_list)
    lasts = np.concatenate(last_list)
    if rows.size == 0:
        return [set() for _ in sizes]
    n = len(problem.candidates)
    full = np.empty((rows.size, n, 2), dtype=np.float64)
    for i in fixed:
        full[:, i] = problem.candidates[i][0]
    for k, i in enumerate(free):
        full[:, i] = free_pairs[rows, k]
    full[:, last] = problem.candidates[last][lasts]
    values = indices(full[..., 0], full[..., 1])
    ok = _fits(values, problem.bounds)
    _check(problem, full, ok)
    feasible = full[ok].astype(np.int64)
    return [set(map(tuple, feasible[:, i].tolist())) for i in range(n)]


def _check(problem: AreaProblem, full: np.ndarray, ok: np.ndarray,
           chunk: int = 100_000) -> None:
    """``ok &=`` the problem's further published numbers (in place, in chunks)."""
    if problem.check is None:
        return
    rows = np.flatnonzero(ok)
    for start in range(0, rows.size, chunk):
        at = rows[start:start + chunk]
        ok[at] = problem.check(full[at, :, 0], full[at, :, 1])


def twin_exists(problem: AreaProblem, truth: np.ndarray, school: int,
                min_cell: int) -> bool:
    """Is there a second solution, as consistent with everything published as the
    truth, in which this school's small count differs? (Proves it is not pinned.)

    ``truth``: the true (a, b) per school, shape (n, 2). Moves one or two pupils
    into or out of the school's small group, compensated in another school or not.
    """
    n = len(truth)
    small = [k for k in (0, 1) if truth[school, k] < min_cell]
    alternatives = []
    if problem.allows is None:
        allowed = [set(map(tuple, c.tolist())) for c in problem.candidates]

        def allows(i: int, pair: tuple[int, int]) -> bool:
            return pair in allowed[i]
    else:
        allows = problem.allows
    for k in small:
        for step in (-2, -1, 1, 2):
            for other_k in (0, 1):  # move within the school between a and b, or out
                new = truth.copy()
                new[school, k] += step
                if other_k != k:
                    new[school, other_k] -= step
                if not allows(school, tuple(new[school])):
                    continue
                alternatives.append(new)
                delta = new.sum(axis=0) - truth.sum(axis=0)
                for j in range(n):  # compensate the area totals in one other school
                    if j == school:
                        continue
                    comp = new.copy()
                    comp[j] -= delta
                    if allows(j, tuple(comp[j])):
                        alternatives.append(comp)
    if not alternatives:
        return False
    cand = np.stack(alternatives).astype(np.float64)
    A, B = cand[..., 0].sum(axis=1), cand[..., 1].sum(axis=1)
    ok = np.ones(len(cand), dtype=bool)
    if problem.A is not None:
        ok &= (A >= problem.A[0]) & (A <= problem.A[1])
    if problem.B is not None:
        ok &= (B >= problem.B[0]) & (B <= problem.B[1])
    if problem.AB is not None:
        ok &= (A + B >= problem.AB[0]) & (A + B <= problem.AB[1])
    ok &= _fits(indices(cand[..., 0], cand[..., 1]), problem.bounds)
    if problem.check is None:
        return bool(ok.any())
    rows = np.flatnonzero(ok)
    for start in range(0, rows.size, 64):  # one twin is enough
        at = rows[start:start + 64]
        if problem.check(cand[at, :, 0], cand[at, :, 1]).any():
            return True
    return False


@dataclass
class Outcome:
    """What an attack got: counts below N pinned (right or wrong) and what it tried."""

    attacked: int = 0          # small counts the attack looked at
    recovered: list = field(default_factory=list)   # (where, true value) pinned right
    wrong: list = field(default_factory=list)       # pinned to a wrong value
    unresolved: int = 0        # neither enumerated nor shown safe by a twin

    def __str__(self) -> str:
        return (f"{len(self.recovered)} of {self.attacked} small counts recovered, "
                f"{len(self.wrong)} wrong, {self.unresolved} unresolved")


def _problems(report: Report, truth: pd.DataFrame, two_groups: bool):
    """(code, true counts of its schools, the attacker's problem) per municipality."""
    by_area = {a: f.set_index("unit") for a, f in truth.groupby("area")}
    for code, page in report.pages.items():
        if page.schools is None or code not in by_area:
            continue
        true = by_area[code].loc[page.schools["school"]]
        problem = area_problem(page, true["total"].astype(int).to_dict(), report.min_cell,
                               two_groups=two_groups)
        if problem is not None:
            yield code, true, problem


def attack_inversion(report: Report, truth: pd.DataFrame, *, two_groups: bool,
                     limit: float = 3e6, twins: bool = True) -> Outcome:
    """Attack 1: index inversion, per municipality.

    ``truth``: one row per school (latest year) with ``unit``, ``area``, ``a``, ``b``
    and ``total`` (the attacker uses only ``total``, the public school size; ``a`` and
    ``b`` check what it finds). Municipalities with few enough combinations are solved
    exhaustively; for the others (``twins``), every small count is shown not pinned
    by a second solution that fits everything published, else it counts as unresolved.
    """
    min_cell = report.min_cell or 10
    outcome = Outcome()
    for code, true, problem in _problems(report, truth, two_groups):
        ab = true[["a", "b"]].to_numpy(dtype=np.int64)
        _solve(outcome, code, problem, ab, min_cell, limit=limit, twins=twins)
    return outcome


def _solve(outcome: Outcome, code, problem: AreaProblem, ab: np.ndarray, min_cell: int,
           *, limit: float, twins: bool, exhaustive: bool = True) -> None:
    """Attack one area's small counts: exhaustively where the combinations are few
    enough (``exhaustive``), else each must have a twin (``twins``) or is unresolved."""
    small = [(i, k) for i in range(len(ab)) for k in (0, 1) if ab[i, k] < min_cell]
    if not small:
        return
    outcome.attacked += len(small)
    feasible = enumerate_feasible(problem, limit) if exhaustive else None
    for i, k in small:
        where = (code, problem.schools[i], "ab"[k])
        if feasible is not None:
            values = {p[k] for p in feasible[i]}
            if len(values) == 1:
                (value,) = values
                (outcome.recovered if value == ab[i, k] else outcome.wrong).append(
                    (where, int(ab[i, k])))
        elif not twins:
            outcome.unresolved += 1
        elif not twin_exists(problem, ab, i, min_cell):
            outcome.unresolved += 1


# --------------------------------------------------------------------------- attack 2


def attack_share_size(report: Report, truth: pd.DataFrame, *, two_groups: bool) -> Outcome:
    """Attack 2: share x size. A school's count of A from its share and its pupils, or
    from its municipality's share of A times the municipality's pupils minus what the
    other schools are known to hold (one- and few-school municipalities)."""
    min_cell = report.min_cell or 10
    outcome = Outcome()
    for code, true, problem in _problems(report, truth, two_groups):
        ab_true = true[["a", "b"]].to_numpy(dtype=np.int64)
        for k, total in ((0, problem.A), (1, problem.B)):
            lo = np.array([c[:, k].min() if len(c) else 0 for c in problem.candidates])
            hi = np.array([c[:, k].max() if len(c) else -1 for c in problem.candidates])
            for i in np.flatnonzero(ab_true[:, k] < min_cell):
                outcome.attacked += 1
                low, high = lo[i], hi[i]
                if total is not None:  # the area's count minus the others' ranges
                    low = max(low, total[0] - (hi.sum() - hi[i]))
                    high = min(high, total[1] - (lo.sum() - lo[i]))
                if low == high:
                    where = (code, problem.schools[i], "ab"[k])
                    (outcome.recovered if low == ab_true[i, k] else outcome.wrong).append(
                        (where, int(ab_true[i, k])))
    return outcome


def attack_share_size_map(props: list[dict], truth: pd.DataFrame, *, base: int = 1,
                          min_cell: int = 10) -> Outcome:
    """Attack 2 on a standalone school map: share x pupils per school, and the area's
    share x the area's pupils where the area has one school."""
    outcome = Outcome()
    truth = truth.set_index("unit")
    schools = [p for p in props if "school" in p]
    per_area: dict[str, list[dict]] = {}
    for p in schools:
        per_area.setdefault(html.unescape(p.get("area", "")), []).append(p)
    for area, rows in per_area.items():
        for p in rows:
            unit = html.unescape(p["school"])
            a, t = int(truth.loc[unit, "a"]), int(truth.loc[unit, "total"])
            b = t - a  # the two groups make up the school (as in the real 2019 case)
            if min(a, b) >= min_cell:
                continue
            outcome.attacked += 1
            share = number_interval(p.get("share_a", ""))
            if share is None and len(rows) == 1:
                share = number_interval(p.get("area_share_a", ""))
            if share is None:
                continue
            values = [x for x in range(t + 1) if share[0] <= x / t <= share[1]]
            if len(values) == 1:
                (outcome.recovered if values[0] == a else outcome.wrong).append(
                    ((area, unit, "a" if a < min_cell else "b"), min(a, b)))
    return outcome


# --------------------------------------------------------------------------- attack 3


def attack_differencing(report: Report, truth: dict[str, dict[str, int]]) -> Outcome:
    """Attack 3: the index page's total left out per reason minus what the municipality
    pages show. ``truth``: reason text -> area code -> true pupils (to check)."""
    min_cell = report.min_cell or 10
    outcome = Outcome()
    unknown_parts = bool(report.without_page)
    totals = dict(report.index_exclusions)
    parts: dict[str, dict[str, tuple[int, int] | None]] = {}
    for code, page in report.pages.items():
        for what, iv in page.exclusions:
            parts.setdefault(what, {})[code] = iv
    for what, total in totals.items():
        shown = parts.get(what, {})
        hidden = [c for c, iv in shown.items() if iv is not None and iv[1] < min_cell]
        for code in hidden:
            outcome.attacked += 1
            if total is None:
                continue
            others = [iv for c, iv in shown.items() if c != code]
            if any(iv is None for iv in others):
                continue
            low = total[0] - sum(iv[1] for iv in others)
            high = total[1] - sum(iv[0] for iv in others)
            if unknown_parts:
                low = 0  # municipalities without a page may hold some of the total
            low, high = max(low, shown[code][0]), min(high, shown[code][1])
            if low == high:
                value = truth.get(what, {}).get(code)
                (outcome.recovered if value == low else outcome.wrong).append(
                    ((what, code), value))
    return outcome


# --------------------------------------------------------------------------- attack 4


def attack_third_group(report: Report, truth: pd.DataFrame | None = None) -> Outcome:
    """Attack 4: pupils in neither group = pupils - (pupils in the two groups), per
    municipality (header and table) and per school (popups: pupils - A - B).

    ``truth`` (optional): per school ``unit``, ``area``, ``a``, ``b``, ``total`` to
    check school-level recoveries; municipality-level ones are checked by the caller.
    """
    min_cell = report.min_cell or 10
    outcome = Outcome()
    true = truth.set_index("unit") if truth is not None else None
    for code, page in report.pages.items():
        for label, ab in page.in_two_groups.items():
            if page.pupils is None or ab is None:
                continue
            low, high = page.pupils[0] - ab[1], page.pupils[1] - ab[0]
            if high < min_cell:
                outcome.attacked += 1
                if low == high:
                    outcome.recovered.append(((code, label), low))
        if page.schools is None:
            continue
        for row in page.schools.itertuples(index=False):
            if not all(isinstance(v, tuple) for v in (row.pupils, row.a, row.b)):
                continue
            low, high = row.pupils[0] - row.a[1] - row.b[1], row.pupils[1] - row.a[0] - row.b[0]
            if high < min_cell:
                outcome.attacked += 1
                if low == high:
                    value = (int(true.loc[row.school, "total"] - true.loc[row.school, "a"]
                                 - true.loc[row.school, "b"]) if true is not None else low)
                    (outcome.recovered if value == low else outcome.wrong).append(
                        ((code, row.school), value))
    return outcome


def attack_third_group_table(table: pd.DataFrame, *, base: int = 1,
                             min_cell: int = 10) -> Outcome:
    """Attack 4 on a results file: ``n_pupils - n_a - n_b`` per area-year-comparison."""
    outcome = Outcome()
    for row in table.drop_duplicates([c for c in ("area", "year", "comparison", "group_a",
                                                   "group_b") if c in table.columns]
                                     ).itertuples(index=False):
        values = [getattr(row, c, float("nan")) for c in ("n_pupils", "n_a", "n_b")]
        if not all(isinstance(v, (int, float)) and math.isfinite(v) for v in values):
            continue
        iv = [count_interval(str(int(v)), base, None) for v in values]
        low, high = iv[0][0] - iv[1][1] - iv[2][1], iv[0][1] - iv[1][0] - iv[2][0]
        if high < min_cell:
            outcome.attacked += 1
            if low == high:
                outcome.recovered.append(((row.area, getattr(row, "comparison", None)), low))
    return outcome


# --------------------------------------------------------------------------- results files


#: Index rows of a results table the attacker recomputes itself (-> key of indices()).
ASPATIAL = {"dissimilarity": "D", "theil_h": "H", "correlation": "V", "isolation_a": "aPa",
            "exposure_ab": "aPb", "isolation_b": "bPb", "exposure_ba": "bPa"}
#: The environment indices (their ``_ro`` forms alike) the attacker recomputes.
ENVIRONMENT = ("spatial_dissimilarity", "spatial_theil_h", "spatial_isolation_a",
               "spatial_exposure_ab", "spatial_isolation_b", "spatial_exposure_ba")
EXPOSURE = ENVIRONMENT[2:]


class Environments:
    """The spatial indices of candidate count vectors of one area-year, as anyone can
    compute them: segspatial's public functions on the schools' public locations with
    the settings a results table states (bandwidths, kernel, the ``_ro`` suffix of the
    Reardon & O'Sullivan rows). As the engine does, only schools with pupils in A or B
    are environments (candidates are grouped by which schools those are)."""

    def __init__(self, x: np.ndarray, y: np.ndarray, *, crs: str,
                 scales: list[tuple[float, str]], definition: str) -> None:
        self.x, self.y, self.crs = np.asarray(x, float), np.asarray(y, float), crs
        self.located = np.isfinite(self.x) & np.isfinite(self.y)
        self.scales, self.definition = scales, definition
        self._operators: dict = {}

    def _operator(self, used: np.ndarray, bandwidth: float, kernel: str):
        from segspatial.spatial import environment_operator

        key = (used.tobytes(), bandwidth, kernel)
        if key not in self._operators:
            knn = kernel == "knn"
            self._operators[key] = environment_operator(
                self.x[used], self.y[used], crs=self.crs,
                bandwidth=None if knn else bandwidth, kernel=None if knn else kernel,
                k=int(bandwidth) if knn else None, definition=self.definition)
        return self._operators[key]

    def __call__(self, a: np.ndarray, b: np.ndarray) -> dict[tuple[str, float], np.ndarray]:
        """(index row name, bandwidth) -> value per candidate (rows of ``a``, ``b``)."""
        from segspatial.spatial import spatial_dissimilarity_theil, spatial_exposure_isolation

        suffix = "" if self.definition == "dispersal" else "_ro"
        out = {(f"{n}{suffix}", bw): np.full(len(a), np.nan)
               for n in ENVIRONMENT for bw, _ in self.scales}
        used = ((a + b) > 0) & self.located[None, :]
        if (used == used[:1]).all():  # the usual case: the same schools throughout
            patterns, which = used[:1], np.zeros(len(a), dtype=np.intp)
        else:
            patterns, which = np.unique(used, axis=0, return_inverse=True)
        for p, pattern in enumerate(patterns):
            rows = np.flatnonzero(which.reshape(-1) == p)
            if pattern.sum() < 2:
                continue  # fewer than 2 units: undefined, as the engine says
            a_, b_ = a[np.ix_(rows, pattern)].T, b[np.ix_(rows, pattern)].T
            for bw, kernel in self.scales:
                K = self._operator(pattern, bw, kernel)
                d, h = spatial_dissimilarity_theil(K, a_, b_, definition=self.definition)
                values = {"spatial_dissimilarity": d, "spatial_theil_h": h}
                values.update({f"spatial_{n}": v for n, v in spatial_exposure_isolation(
                    K, a_, b_, definition=self.definition).items()})
                for n, v in values.items():
                    out[(f"{n}{suffix}", bw)][rows] = np.asarray(v).reshape(-1)
        return out


def _published_count(value: float, base: int, min_cell: int | None) -> tuple[int, int] | None:
    """A count column of a results table as the whole numbers it allows; None for an
    empty one (below N, or withheld with everything of its area-year: either)."""
    if value is None or not np.isfinite(value):
        return None
    return count_interval(str(int(round(value))), base, min_cell)


def _value_interval(value: float) -> Interval | None:
    """A value of a results table: the digits it was written with (CSV text)."""
    if value is None or not np.isfinite(value):
        return None
    return number_interval(repr(float(value)))


def results_problem(rows: pd.DataFrame, schools: pd.DataFrame, *, crs: str,
                    min_cell: int | None, base: int, two_groups: bool,
                    use: tuple[str, ...] | None = None) -> AreaProblem:
    """The attacker's problem for one area-year of a results table.

    ``rows``: the table's rows of the area-year (one comparison); ``schools``: the
    area's schools as anyone knows them (``unit``, ``total``, ``x``, ``y``). Every
    published value constrains the candidates: the counts ``n_a``, ``n_b`` and
    ``n_pupils``, the aspatial indices of :data:`ASPATIAL` and the environment indices
    at every bandwidth (``use``: only these index rows, e.g. to show what the spatial
    exposure alone gives away)."""
    first = rows.iloc[0]
    A = _published_count(first.get("n_a"), base, min_cell)
    B = _published_count(first.get("n_b"), base, min_cell)
    totals = schools["total"].to_numpy(dtype=np.int64)
    AB = (int(totals.sum()),) * 2 if two_groups else None
    if A is not None and B is not None:
        AB = intersect(AB, (A[0] + B[0], A[1] + B[1]))
    wanted = rows if use is None else rows[rows["index"].str.removesuffix("_ro").isin(use)]
    bounds, spatial, kernels = {}, {}, {}
    for index, bandwidth, kernel, value in zip(
            wanted["index"].astype(str).tolist(), wanted["bandwidth"].tolist(),
            wanted["kernel"].tolist(), wanted["value"].tolist(), strict=True):
        iv = _value_interval(value)
        if iv is None:
            continue
        if index in ASPATIAL and not np.isfinite(bandwidth):
            bounds[ASPATIAL[index]] = iv
        elif index.removesuffix("_ro") in ENVIRONMENT and np.isfinite(bandwidth):
            spatial[(index, float(bandwidth))] = iv
            kernels[float(bandwidth)] = str(kernel)
    check = None
    if spatial:
        scales = sorted(kernels.items())
        definition = ("reardon_osullivan" if any(i.endswith("_ro") for i, _ in spatial)
                      else "dispersal")
        env = Environments(schools["x"].to_numpy(), schools["y"].to_numpy(), crs=crs,
                           scales=scales, definition=definition)

        def check(a: np.ndarray, b: np.ndarray) -> np.ndarray:
            got = env(np.asarray(a, float), np.asarray(b, float))
            ok = np.ones(len(a), dtype=bool)
            for key, (lo, hi) in spatial.items():
                ok &= (got[key] >= lo) & (got[key] <= hi)
            return ok

    def allows(i: int, pair: tuple[int, int]) -> bool:
        a, b = pair
        t = totals[i]
        return a >= 0 and b >= 0 and (a + b == t if two_groups else a + b <= t)

    names = schools["unit"].tolist()
    return AreaProblem(str(first["area"]), names, [], np.zeros(len(names), dtype=bool), A,
                       B, AB, bounds, check=check, allows=allows)


def _all_candidates(totals: np.ndarray, two_groups: bool) -> list[np.ndarray]:
    out = []
    for t in totals:
        a_all = np.arange(t + 1)
        if two_groups:
            out.append(np.column_stack([a_all, t - a_all]))
        else:
            a, b = np.meshgrid(a_all, a_all, indexing="ij")
            keep = a + b <= t
            out.append(np.column_stack([a[keep], b[keep]]))
    return out


def _keyed(frame: pd.DataFrame) -> pd.DataFrame:
    """Areas as text, years as numbers (-1 without a year), bandwidths as numbers."""
    year = (pd.to_numeric(frame["year"], errors="coerce").fillna(-1).astype(int)
            if "year" in frame.columns else -1)
    out = frame.assign(area=frame["area"].astype(str), year=year)
    if "bandwidth" in out.columns:
        out["bandwidth"] = pd.to_numeric(out["bandwidth"], errors="coerce")
    return out


def attack_results(table: pd.DataFrame, truth: pd.DataFrame, *, crs: str,
                   min_cell: int | None, base: int, two_groups: bool, limit: float = 3e6,
                   use: tuple[str, ...] | None = None, twins: bool = True) -> Outcome:
    """Index inversion on a results file (the index and spatial rows of ``indices``,
    spatial exposure and isolation included): per area-year, every count vector of
    its schools that gives every published number; solved exhaustively where the
    combinations are few enough, elsewhere each small count must have a second
    solution (a twin) that fits everything published, else it is unresolved.

    ``truth``: one row per school and year with ``unit``, ``area``, ``year``, ``a``,
    ``b``, ``total``, ``x``, ``y`` (the attacker uses ``total``, ``x`` and ``y``, public;
    ``a`` and ``b`` check what it finds). ``min_cell`` None: the table is read as
    written without disclosure control (exact counts, all digits)."""
    n = min_cell or 10
    outcome = Outcome()
    keys = ["area", "year"]
    table, truth = _keyed(table), _keyed(truth)
    by_key = {k: f for k, f in truth.groupby(keys)}
    for key, rows in table.groupby(keys):
        schools = by_key.get(key)
        if schools is None:
            continue
        ab = schools[["a", "b"]].to_numpy(dtype=np.int64)
        if not (ab < n).any():
            continue
        problem = results_problem(rows, schools, crs=crs, min_cell=min_cell, base=base,
                                  two_groups=two_groups, use=use)
        totals = schools["total"].to_numpy(dtype=np.int64)
        sizes = totals + 1.0 if two_groups else (totals + 1.0) * (totals + 2.0) / 2
        exhaustive = np.log(sizes[:-1]).sum() + np.log(25) <= np.log(limit)
        if exhaustive:
            problem.candidates = _all_candidates(totals, two_groups)
        _solve(outcome, key, problem, ab, n, limit=limit, twins=twins,
               exhaustive=exhaustive)
    return outcome


def attack_unit_differencing(table: pd.DataFrame, truth: pd.DataFrame, *, base: int = 1,
                             min_cell: int | None = None, largest: int = 3) -> Outcome:
    """Differencing the rows of one area-year: the spatial rows count only the schools
    with pupils in A or B (``n_units``, ``n_pupils``), the aspatial rows all of them;
    with the schools' public sizes, the schools left out (up to ``largest`` of them)
    are found when one set of schools fits the difference: their counts of A and B
    are 0."""
    from itertools import combinations

    outcome = Outcome()
    table, truth = _keyed(table), _keyed(truth)
    by_key = {k: f for k, f in truth.groupby(["area", "year"])}
    for key, rows in table.groupby(["area", "year"]):
        spatial = rows[rows["bandwidth"].notna()]
        aspatial = rows[rows["bandwidth"].isna()]
        schools = by_key.get(key)
        if spatial.empty or aspatial.empty or schools is None:
            continue
        units = int(aspatial["n_units"].max()) - int(spatial["n_units"].min())
        empty = schools[(schools["a"] == 0) & (schools["b"] == 0)]
        outcome.attacked += 2 * len(empty)
        if not 0 < units <= largest:
            continue
        low = (count_interval(str(int(aspatial["n_pupils"].max())), base, None)[0]
               - count_interval(str(int(spatial["n_pupils"].min())), base, None)[1])
        high = (count_interval(str(int(aspatial["n_pupils"].max())), base, None)[1]
                - count_interval(str(int(spatial["n_pupils"].min())), base, None)[0])
        sizes = schools.set_index("unit")["total"].astype(int)
        fits = [c for c in combinations(sizes.index, units)
                if low <= sizes[list(c)].sum() <= high]
        if len(fits) == 1:
            for unit in fits[0]:
                true = schools.set_index("unit").loc[unit]
                for group in ("a", "b"):
                    (outcome.recovered if true[group] == 0 else outcome.wrong).append(
                        ((key, unit, group), int(true[group])))
    return outcome


__all__ = [name for name in dir() if not name.startswith("_")
           and name not in {"annotations", "html", "itertools", "json", "math", "re", "np",
                            "pd", "dataclass", "field", "Callable"}]


# --------------------------------------------------------------------------- self-tests


def weak_report(truth: pd.DataFrame, min_cell: int, *, table: pd.DataFrame,
                digits: int = 12, share_digits: int = 3) -> Report:
    """What today's code published, built from the truth, for the attackers'
    self-tests: exact counts of the schools that are not suppressed, 0.1% shares,
    exact totals, D, H and V with ``digits`` decimals (the sort keys had 12)."""
    from segspatial.disclosure import suppressed_schools

    half = 0.5 * 10.0 ** (-digits) + EPS  # as number_interval reads a printed number
    share_half = 0.5 * 10.0 ** (-share_digits) + EPS
    pages = {}
    truth = truth.reset_index(drop=True)
    grey = suppressed_schools(truth["a"], truth["b"], min_cell, area=truth["area"])
    for code, rows in truth.assign(grey=grey).groupby("area"):
        A, B = int(rows["a"].sum()), int(rows["b"].sum())
        share = A / (A + B)
        schools = pd.DataFrame({
            "school": rows["unit"].to_numpy(), "grey": rows["grey"].to_numpy(),
            "pupils": [(int(t), int(t)) for t in rows["total"]],
            "a": [None if g else (int(a), int(a)) for a, g in zip(rows["a"], rows["grey"],
                                                                  strict=True)],
            "b": [None if g else (int(b), int(b)) for b, g in zip(rows["b"], rows["grey"],
                                                                  strict=True)],
            "share": [None] * len(rows),
            "area_share": [(share - share_half, share + share_half)] * len(rows)})
        rows_t = table[table["area"] == code]
        if "comparison" in rows_t.columns and rows_t["comparison"].notna().any():
            rows_t = rows_t[rows_t["comparison"] == rows_t["comparison"].dropna().iloc[0]]
        if "year" in rows_t.columns and rows_t["year"].notna().any():
            rows_t = rows_t[rows_t["year"] == rows_t["year"].max()]
        values = rows_t.set_index("index")["value"]
        latest = {name: (float(values[index]) - half, float(values[index]) + half)
                  for name, index in (("D", "dissimilarity"), ("H", "theil_h"),
                                      ("V", "correlation"))
                  if index in values and np.isfinite(values[index])}
        page = Page(code=code, pupils=(int(rows["total"].sum()),) * 2, schools=schools,
                    latest={"a vs b": latest}, in_two_groups={"a vs b": (A + B, A + B)})
        pages[code] = page
    return Report(pages, 1, min_cell, [], [])
