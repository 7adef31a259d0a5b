"""The disclosure audit: a twin for every count below N, or withhold what stops it.

See :mod:`segspatial.disclosure` for the method. :func:`audit` recomputes every
published number (the engines' own kernels, on pseudo-areas) for batches of twins.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from segspatial.disclosure._audit_spatial import _SpatialCells, _with_spatial
from segspatial.disclosure._policy import Policy, suppressed_schools

# --------------------------------------------------------------------------- the audit

#: The aspatial indices of the report's tables.
REPORT_INDICES = ("dissimilarity", "dissimilarity_expected", "dissimilarity_standardised",
                  "theil_h", "correlation")
#: How many other schools a twin may move the pupil back into (nearest first).
_PARTNERS = 8
#: Candidate twins tried per small count at each level before the area-year's
#: numbers are withheld (level 1: indices; level 2: also shares and counts).
_ROUNDS = (16, 8, 8, 4)
#: The environment indices the audit recomputes for a twin (their ``_ro`` forms
#: under the Reardon & O'Sullivan definition): spatial D and H, exposure, isolation.
ENVIRONMENT_AUDITED = ("spatial_dissimilarity", "spatial_theil_h", "spatial_isolation_a",
                       "spatial_exposure_ab", "spatial_isolation_b", "spatial_exposure_ba")


@dataclass(frozen=True)
class SpatialDesign:
    """The spatial numbers a command publishes (for each area's latest year).

    Attributes
    ----------
    crs : str or pyproj.CRS
        Projected CRS of the ``x``/``y`` columns.
    bandwidths : tuple of float
        The environment indices (``indices``) are published at these bandwidths ...
    profile : tuple of float
        ... and at these (the multi-scale profile).
    kernel : str, optional
    k : tuple of int
        Nearest-neighbour scales instead of ``bandwidths`` (weight 1 each).
    districts : GeoDataFrame, optional
        With ``district_code``: the between/within-district split of H is published.
    district_code : str, optional
    snap : float
    years : {"latest", "all"}
        The years whose spatial indices are published.
    definition : {"dispersal", "reardon_osullivan"}
        The spatial indices' definition (:func:`segspatial.spatial.spatial_segregation`).
    indices : tuple of str
        The environment indices published at every scale (names of
        :data:`ENVIRONMENT_AUDITED`, without the ``_ro`` suffix of the Reardon &
        O'Sullivan rows): by default spatial D and H; spatial exposure and isolation
        (``spatial_isolation_a``, ``spatial_exposure_ab``, ...) on request.
    """

    crs: Any
    bandwidths: tuple[float, ...] = ()
    profile: tuple[float, ...] = ()
    kernel: str | None = None
    k: tuple[int, ...] = ()
    districts: Any = None
    district_code: str | None = None
    snap: float = 5000.0
    years: str = "latest"
    definition: str = "dispersal"
    indices: tuple[str, ...] = ("spatial_dissimilarity", "spatial_theil_h")

    def __post_init__(self) -> None:
        object.__setattr__(self, "indices", tuple(self.indices))
        bad = [n for n in self.indices if n not in ENVIRONMENT_AUDITED]
        if bad:
            raise ValueError(f"SpatialDesign.indices: unknown {bad!r}; the audit "
                             f"recomputes {', '.join(ENVIRONMENT_AUDITED)}")


@dataclass(frozen=True)
class Design:
    """What a command publishes, so that the audit can recompute it for a twin.

    Attributes
    ----------
    comparisons : mapping
        Comparison name -> (group A column, group B column) of the counts.
    themes : tuple of tuple of str, optional
        The group columns of each theme (the groups of one theme plus the pupils in
        none of them make up a school). Default: the pupil themes of
        :data:`segspatial.pupils.GROUP_COLUMNS` for their columns, else one theme.
    indices : tuple of str
        Aspatial indices published for an area's latest year ...
    trend_indices : tuple of str, optional
        ... and for its other years (default: the same).
    shares : tuple of str
        What is published of each area's latest year: ``"groups"`` (each group's share
        of all pupils), ``"two_groups"`` (the pupils in the two groups, rounded),
        ``"share_a"`` (the share of A among A and B, as on a school map's legend).
    share_years : {"latest", "all"}
        The years whose ``shares`` are published.
    counts : bool
        The rounded counts of A and B are published for every area-year (data files).
    schools : {"latest", "all"}, optional
        Which schools are suppressed and the share bands of the others are published,
        for the latest year or every year: on the maps of ``maps``, and as the input
        of Moran's I for every comparison (withheld with the indices).
    maps : tuple of str
        The comparisons whose suppressed schools and bands a map shows.
    spatial : SpatialDesign, optional
        Spatial indices published for the latest year.
    """

    comparisons: Mapping[str, tuple[str, str]]
    themes: tuple[tuple[str, ...], ...] = ()
    indices: tuple[str, ...] = REPORT_INDICES
    trend_indices: tuple[str, ...] | None = None
    shares: tuple[str, ...] = ()
    share_years: str = "latest"
    counts: bool = False
    schools: str | None = None
    maps: tuple[str, ...] = ()
    spatial: SpatialDesign | None = None


@dataclass
class Audit:
    """What :func:`audit` found.

    Attributes
    ----------
    values : pandas.DataFrame
        The audited published index values: ``area``, ``year``, ``comparison``,
        ``index``, ``bandwidth`` (NaN for aspatial indices), ``value`` (rounded; NaN
        where withheld or undefined).
    shares : pandas.DataFrame
        Published shares and counts: ``area``, ``year``, ``key`` and ``value`` (NaN
        where withheld). Keys: a group column (its share of all pupils in the latest
        year, -1 for a group below N), ``share_a:<comparison>`` (the share of A among
        A and B), ``two_groups:<comparison>`` (pupils in the two groups, rounded),
        ``n_a:<comparison>`` and ``n_b:<comparison>`` (rounded counts, every year).
    levels : pandas.DataFrame
        ``area``, ``year``, ``comparison``, ``level``: 0 everything published, 1 some
        index values withheld (NaN in ``values``), 2 everything of the comparison
        withheld: indices, shares, counts and the school map.
    moran_withheld : pandas.DataFrame
        ``area``, ``year``, ``comparison`` whose Moran's I (computed from the bands)
        is withheld.
    cells, certified, twins : int
        Counts below N audited, how many a twin proved safe before any withholding,
        and the twins computed.
    certificates : pandas.DataFrame
        For every count below N (``area``, ``year``, ``unit``, or None for the
        municipality's count, and the ``count``: a group, ``"(none of <groups>)"`` or
        ``"(neither group of <comparison>)"``) the twin that proves it: one pupil of
        school ``moved_in`` moved from group ``moved_from`` to ``moved_to`` (and back
        in school ``moved_back_in``, if any) publishes exactly the same.
    """

    values: pd.DataFrame
    shares: pd.DataFrame
    levels: pd.DataFrame
    cells: int = 0
    certified: int = 0
    twins: int = 0
    notes: list[str] = field(default_factory=list)
    moran_withheld: pd.DataFrame = field(default_factory=pd.DataFrame)
    certificates: pd.DataFrame = field(default_factory=pd.DataFrame)

    def withheld(self, level: int = 1) -> pd.DataFrame:
        """The area-year-comparisons at or above ``level``."""
        return self.levels[self.levels["level"] >= level]


def _themes(design: Design, columns: list[str]) -> list[list[str]]:
    if design.themes:
        themes = [[c for c in theme if c in columns] for theme in design.themes]
        themes = [t for t in themes if t]
        rest = [c for c in columns if not any(c in t for t in themes)]
        return themes + [[c] for c in rest]
    from segspatial.pupils import GROUP_COLUMNS

    known = {c: t for t, cols in GROUP_COLUMNS.items() for c in cols}
    if all(c in known for c in columns):
        out: dict[str, list[str]] = {}
        for c in columns:
            out.setdefault(known[c], []).append(c)
        return list(out.values())
    return [list(columns)]


class _Cells:
    """The counts as the audit sees them: blocks (area-years), categories, cells."""

    def __init__(self, counts: pd.DataFrame, design: Design, policy: Policy) -> None:
        comparisons = {str(k): (str(v[0]), str(v[1])) for k, v in design.comparisons.items()}
        groups = list(dict.fromkeys(c for pair in comparisons.values() for c in pair))
        frame = counts.sort_values(["area", "year", "unit"], kind="stable").reset_index(
            drop=True)
        total = frame["total"].to_numpy(dtype=np.float64)
        names, theme_of, columns = [], [], []
        for t, theme in enumerate(_themes(design, groups)):
            values = frame[theme].to_numpy(dtype=np.float64)
            for c, column in enumerate(theme):
                names.append(column)
                theme_of.append(t)
                columns.append(values[:, c])
            rest = total - values.sum(axis=1)
            if (np.abs(rest) > 0.5).any():  # pupils in no group of the theme exist
                names.append(f"\0rest{t}")
                theme_of.append(t)
                columns.append(np.maximum(rest, 0.0))
        self.frame = frame
        self.names = names
        self.index = {n: i for i, n in enumerate(names)}
        self.theme_of = np.array(theme_of)
        self.M = np.column_stack(columns)
        self.total = total
        self.comparisons = comparisons
        self.comp_names = list(comparisons)
        self.pairs = np.array([[self.index[a], self.index[b]] for a, b in comparisons.values()],
                              dtype=np.intp).reshape(-1, 2)
        keys = frame.groupby(["area", "year"], sort=True)
        self.block = keys.ngroup().to_numpy()
        self.block_keys = keys.size().reset_index()[["area", "year"]]
        sizes = np.bincount(self.block, minlength=len(self.block_keys))
        self.start = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        self.size = sizes
        latest = frame.groupby("area")["year"].transform("max").to_numpy()
        self.latest_row = frame["year"].to_numpy() == latest
        self.latest = np.zeros(len(self.block_keys), dtype=bool)
        self.latest[self.block] = self.latest_row
        self.x = frame["x"].to_numpy(dtype=np.float64) if "x" in frame else None
        self.y = frame["y"].to_numpy(dtype=np.float64) if "y" in frame else None
        self.policy = policy

    def cells(self, M: np.ndarray, total: np.ndarray) -> np.ndarray:
        neither = total[:, None] - M[:, self.pairs[:, 0]] - M[:, self.pairs[:, 1]]
        return np.column_stack([M, neither])

    def spatial_cells(self, spatial: SpatialDesign) -> _SpatialCells:
        if getattr(self, "_spatial", None) is None:
            self._spatial = _SpatialCells(self, spatial)
        return self._spatial

    def real(self) -> np.ndarray:
        """Cells that are not zero everywhere in the input (a group that exists)."""
        v = self.cells(self.M, self.total)
        return (np.abs(v) > 0.5).any(axis=0)

    def delta(self, src: int, dst: int) -> np.ndarray:
        """Change of every cell of a school when one pupil moves from ``src`` to ``dst``."""
        d = np.zeros(self.M.shape[1])
        d[src], d[dst] = -1.0, 1.0
        neither = -(d[self.pairs[:, 0]] + d[self.pairs[:, 1]])
        return np.concatenate([d, neither])

    def touched(self, src: int, dst: int) -> np.ndarray:
        """The comparisons a move between two categories can change."""
        return ((self.pairs == src) | (self.pairs == dst)).any(axis=1)

    def moves_for(self, row: int, cell: int) -> list[tuple[int, int]]:
        """Feasible moves inside a school that change one of its cells."""
        K = self.M.shape[1]
        counts = self.M[row]
        out = []
        if cell < K:
            theme = self.theme_of[cell]
            for h in np.flatnonzero(self.theme_of == theme):
                if h == cell:
                    continue
                if counts[cell] >= 1:
                    out.append((cell, int(h)))
                if counts[h] >= 1:
                    out.append((int(h), cell))
        else:
            pair = self.pairs[cell - K]
            for g in pair:
                for h in np.flatnonzero(self.theme_of == self.theme_of[g]):
                    if h in pair:
                        continue
                    if counts[g] >= 1:
                        out.append((int(g), int(h)))
                    if counts[h] >= 1:
                        out.append((int(h), int(g)))
        return out

    def partners(self, row: int, src: int, dst: int) -> np.ndarray:
        """Other schools of the block that can take the pupil back, most alike first.

        A twin changes the published numbers least when the pupil moves between two
        schools with about the same shares (indices barely move) that lie close
        together (local environments barely move): schools are ranked by the largest
        difference in share over the comparisons the move touches, plus 0.02 per km.
        """
        b = self.block[row]
        rows = np.arange(self.start[b], self.start[b] + self.size[b])
        rows = rows[(rows != row) & (self.M[rows, dst] >= 1)]
        if not rows.size:
            return rows
        score = np.zeros(rows.size)
        for ia, ib in self.pairs[self.touched(src, dst)]:
            with np.errstate(divide="ignore", invalid="ignore"):
                p = self.M[rows, ia] / (self.M[rows, ia] + self.M[rows, ib])
                here = self.M[row, ia] / (self.M[row, ia] + self.M[row, ib])
            score = np.maximum(score, np.nan_to_num(np.abs(p - here), nan=1.0))
        if self.x is not None and np.isfinite(self.x[row]):
            d = np.hypot(self.x[rows] - self.x[row], self.y[rows] - self.y[row])
            score += 0.02 * np.nan_to_num(d / 1000.0, nan=100.0)
        return rows[np.argsort(score, kind="stable")][:_PARTNERS]


def _candidates(cells: _Cells, block: int, row: int, cell: int):
    """Twins that change one small count: (block, row, src, dst, partner or -1).

    School counts: the move inside the school, undone in another school of the area
    (nearest first, so every total stays the same), then without the partner.
    Municipality counts (``row`` -1): a move inside any of its schools.
    """
    if row >= 0:
        moves = cells.moves_for(row, cell)
        partners = [cells.partners(row, src, dst) for src, dst in moves]
        for rank in range(_PARTNERS):
            for (src, dst), rows in zip(moves, partners, strict=True):
                if rank < rows.size:
                    yield (block, row, src, dst, int(rows[rank]))
        for src, dst in moves:
            yield (block, row, src, dst, -1)
        return
    for r in range(cells.start[block], cells.start[block] + cells.size[block]):
        for src, dst in cells.moves_for(r, cell):
            yield (block, r, src, dst, -1)


def _published(cells: _Cells, design: Design, twins: np.ndarray) -> dict[str, Any]:
    """Recompute what is published for each twin (rows of ``twins``:
    block, row, src, dst, partner; row -1: the data as they are)."""
    from segspatial.compute import compute_indices
    from segspatial.indices import resolve_indices

    policy = cells.policy
    n_twins = len(twins)
    blocks = twins[:, 0]
    lengths = cells.size[blocks]
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    twin_of_row = np.repeat(np.arange(n_twins), lengths)
    rows = (np.repeat(cells.start[blocks] - offsets, lengths)
            + np.arange(lengths.sum()))
    M = cells.M[rows].copy()
    total = cells.total[rows]
    moved = twins[:, 1] >= 0
    for m in np.flatnonzero(moved):
        b, r, src, dst, k = twins[m]
        at = offsets[m] + r - cells.start[b]
        M[at, src] -= 1
        M[at, dst] += 1
        if k >= 0:
            at = offsets[m] + k - cells.start[b]
            M[at, dst] -= 1
            M[at, src] += 1
    touched = np.ones((n_twins, len(cells.comp_names)), dtype=bool)
    for m in np.flatnonzero(moved):
        touched[m] = cells.touched(twins[m, 2], twins[m, 3])
    latest = cells.latest[blocks]
    out: dict[str, Any] = {"touched": touched, "rows": rows, "twin_of_row": twin_of_row,
                           "items": {}, "schools": {}}
    wanted = list(dict.fromkeys(design.indices + (design.trend_indices or ())))
    specs = resolve_indices(wanted) if wanted else []
    names = [s.name for s in specs]
    trend = set(design.trend_indices if design.trend_indices is not None else design.indices)
    sums = np.zeros((n_twins, M.shape[1]))
    np.add.at(sums, twin_of_row, M)
    T = np.bincount(twin_of_row, weights=total, minlength=n_twins)
    for ci, (name, (ga, gb)) in enumerate(cells.comparisons.items()):
        use = touched[:, ci]
        if not use.any():
            continue
        ia, ib = cells.index[ga], cells.index[gb]
        A, B = sums[:, ia], sums[:, ib]
        small = (A < policy.min_cell) | (B < policy.min_cell)
        keep = use[twin_of_row]
        values = np.full((n_twins, len(names)), np.nan)
        if names:
            frame = pd.DataFrame({"area": twin_of_row[keep], "year": 0, "a": M[keep, ia],
                                  "b": M[keep, ib], "total": total[keep]})
            table, _ = compute_indices(frame, specs)
            grid = table.pivot(index="area", columns="index", values="value")[names]
            values[grid.index.to_numpy()] = grid.to_numpy(dtype=np.float64)
        values = policy.values(values)
        values[small] = np.nan  # a group below N: no index is published
        for j, index in enumerate(names):
            shown = np.where(latest, index in design.indices, index in trend)
            out["items"][("value", name, index, np.nan)] = np.where(shown, values[:, j],
                                                                   np.nan)
        if design.counts:
            out["items"][("count", name, "n_a", np.nan)] = policy.counts(A)
            out["items"][("count", name, "n_b", np.nan)] = policy.counts(B)
        shared = latest if design.share_years == "latest" else np.ones_like(latest)
        if "share_a" in design.shares:
            with np.errstate(divide="ignore", invalid="ignore"):
                share_a = np.where(shared & (A + B > 0), policy.shares(A / (A + B)), np.nan)
            out["items"][("share", name, "share_a", np.nan)] = share_a
        if "two_groups" in design.shares:
            out["items"][("count", name, "two_groups", np.nan)] = np.where(
                shared, policy.counts(A + B), np.nan)
        if "groups" in design.shares:
            for g, G in ((ga, A), (gb, B)):
                with np.errstate(divide="ignore", invalid="ignore"):
                    value = np.where(G < policy.min_cell, -1.0, policy.shares(G / T))
                out["items"][("share", "", g, np.nan)] = np.where(shared, value, np.nan)
        if design.schools:
            a_rows, b_rows = M[:, ia], M[:, ib]
            hidden = suppressed_schools(a_rows, b_rows, policy.min_cell, area=twin_of_row)
            with np.errstate(divide="ignore", invalid="ignore"):
                share = np.where(a_rows + b_rows > 0, a_rows / (a_rows + b_rows), np.nan)
            band = np.where(hidden, -1.0, np.nan_to_num(policy.bands(share), nan=-2.0))
            if design.schools == "latest":
                band = np.where(latest[twin_of_row], band, 0.0)
            out["schools"][name] = band
    out["M"], out["total"], out["latest"], out["twins"] = M, total, latest, twins
    return out


def _compare(cells: _Cells, design: Design, twins: np.ndarray, published: dict,
             identity: dict, levels: np.ndarray, hidden: dict
             ) -> tuple[np.ndarray, dict, np.ndarray]:
    """Which twins publish exactly what the data publish.

    ``levels[block, comparison]`` 2 withholds everything of a comparison; ``hidden``
    maps a value item (an index value; ``("bands", comparison)`` for the bands Moran's
    I is computed from) to the blocks where it is withheld. Returns ``ok`` per twin,
    the value items that differ where still published (item -> bool per twin), and
    per twin and comparison whether a share, count or map band differs.
    """
    n, n_comp = len(twins), len(cells.comp_names)
    differing: dict = {}
    other = np.zeros((n, n_comp), dtype=bool)
    blocks = twins[:, 0]
    touched = published["touched"]
    for key, column in published["items"].items():
        kind, comparison = key[0], key[1]
        base = identity["items"].get(key)
        if base is None:
            continue
        reference = base[blocks]
        differ = ~((column == reference) | (np.isnan(column) & np.isnan(reference)))
        comps = ([cells.comp_names.index(comparison)] if comparison else
                 [ci for ci, pair in enumerate(cells.comparisons.values()) if key[2] in pair])
        still = np.zeros(n, dtype=bool)
        for ci in comps:
            still |= touched[:, ci] & (levels[blocks, ci] < 2)
        if comparison and len(comps) == 1 and kind != "value":
            other[:, comps[0]] |= differ & still
        elif kind != "value":  # a group's share: all its comparisons at level 2 hide it
            for ci in comps:
                other[:, ci] |= differ & still
        else:
            if key in hidden:
                still &= ~hidden[key][blocks]
            if (differ & still).any():
                differing[key] = differ & still
    for comparison, band in published["schools"].items():
        ci = cells.comp_names.index(comparison)
        reference = identity["schools"][comparison]
        ref = reference[identity["position"][published["rows"]]]
        bad = np.zeros(n, dtype=bool)
        bad[np.unique(published["twin_of_row"][band != ref])] = True
        still = touched[:, ci] & (levels[blocks, ci] < 2)
        if comparison in design.maps:
            other[:, ci] |= bad & still
        else:  # only Moran's I is computed from these bands
            key = ("bands", comparison, "bands", np.nan)
            if key in hidden:
                still &= ~hidden[key][blocks]
            if (bad & still).any():
                differing[key] = bad & still
    ok = ~other.any(axis=1)
    for column in differing.values():
        ok &= ~column
    return ok, differing, other


def _spatial_verdict(computed: np.ndarray, differing: dict, other: np.ndarray,
                     spatial: tuple[np.ndarray, dict, np.ndarray]
                     ) -> tuple[np.ndarray, dict, np.ndarray]:
    """Combine the comparison of the aspatial numbers (``differing``, ``other``) with
    the one after the spatial numbers of the twins ``computed`` were added
    (``spatial``): a twin whose spatial numbers were not computed keeps its first
    verdict and is not valid (its spatial numbers are unknown, not different), so what
    is withheld for a count never depends on the twins of other areas in the same
    batch."""
    valid2, differing2, other2 = spatial
    keys = set(differing) | set(differing2)
    none = np.zeros(computed.size, dtype=bool)
    merged = {key: np.where(computed, differing2.get(key, none), differing.get(key, none))
              for key in keys}
    merged = {key: column for key, column in merged.items() if column.any()}
    return computed & valid2, merged, np.where(computed[:, None], other2, other)


def _certificates(cells: _Cells, found: list) -> pd.DataFrame:
    """The twins that proved each count below N safe, readable."""
    theme_groups = {t: [n for n, tt in zip(cells.names, cells.theme_of, strict=True)
                        if tt == t and not n.startswith("\0")] for t in set(cells.theme_of)}
    names = [f"(none of {', '.join(theme_groups[t])})" if n.startswith("\0") else n
             for n, t in zip(cells.names, cells.theme_of, strict=True)]
    labels = names + [f"(neither group of {c})" for c in cells.comp_names]
    units = cells.frame["unit"].to_numpy()
    areas = cells.block_keys["area"].to_numpy()
    years = cells.block_keys["year"].to_numpy()
    rows = []
    for (b, r, c), (_, row, src, dst, k) in found:
        area, year = areas[b], years[b]
        rows.append((area, year, None if r < 0 else units[r], labels[c], units[row],
                     names[src], names[dst], None if k < 0 else units[k]))
    return pd.DataFrame(rows, columns=["area", "year", "unit", "count", "moved_in",
                                       "moved_from", "moved_to", "moved_back_in"])


def audit(counts: pd.DataFrame, design: Design, policy: Policy) -> Audit:
    """Prove, for the data at hand, that no count below N can be pinned down.

    Parameters
    ----------
    counts : pandas.DataFrame
        The analysed units: ``area``, ``year``, ``unit``, the group columns of
        ``design.comparisons``, ``total`` and (with ``design.spatial``) ``x``, ``y``.
    design : Design
        What the command publishes.
    policy : Policy

    Returns
    -------
    Audit
        The published values and shares, and which area-year-comparisons are
        withheld (see the module docstring for the method).
    """
    cells = _Cells(counts, design, policy)
    n_blocks, n_comp = len(cells.block_keys), len(cells.comp_names)
    identity_twins = np.column_stack([np.arange(n_blocks), np.full((n_blocks, 4), -1)])
    identity = _with_spatial(cells, design, _published(cells, design, identity_twins))
    position = np.empty(cells.M.shape[0], dtype=np.intp)
    position[identity["rows"]] = np.arange(identity["rows"].size)
    identity["position"] = position
    for key, column in identity["items"].items():
        identity["items"][key] = column

    # the small counts: per school and per municipality (block), real cells only
    V = cells.cells(cells.M, cells.total)
    real = cells.real()
    pupils = (cells.total >= 1)[:, None]  # a school without pupils has nothing to hide
    small_rows, small_cols = np.nonzero((V < policy.min_cell) & real & pupils)
    block_sums = np.zeros((n_blocks, V.shape[1]))
    np.add.at(block_sums, cells.block, V)
    area_blocks, area_cols = np.nonzero((block_sums < policy.min_cell) & real)
    todo = ([(int(cells.block[r]), int(r), int(c)) for r, c in
             zip(small_rows, small_cols, strict=True)]
            + [(int(b), -1, int(c)) for b, c in zip(area_blocks, area_cols, strict=True)])
    levels = np.zeros((n_blocks, n_comp), dtype=np.int8)
    hidden: dict = {}
    certificates: list = []
    result = Audit(values=pd.DataFrame(), shares=pd.DataFrame(), levels=pd.DataFrame(),
                   cells=len(todo))
    pending = set(todo)
    for level_pass, rounds in enumerate(_ROUNDS):
        generators = {cell: _candidates(cells, *cell) for cell in pending}
        tried: dict[tuple, list] = {cell: [] for cell in pending}
        for _ in range(rounds):
            if not pending:
                break
            proposed: dict[tuple, list] = {}
            for cell in sorted(pending):
                twin = next(generators[cell], None)
                if twin is not None:
                    proposed.setdefault(twin, []).append(cell)
            if not proposed:
                break
            twins = np.array(list(proposed), dtype=np.intp)
            result.twins += len(twins)
            published = _published(cells, design, twins)
            valid, differing, other = _compare(cells, design, twins, published, identity,
                                               levels, hidden)
            # the spatial numbers of every twin whose shares and counts match (those
            # whose index values differ too: what stops them decides what to withhold)
            computed = ~other.any(axis=1)
            if design.spatial is not None and computed.any():
                published = _with_spatial(cells, design, published, only=computed)
                valid, differing, other = _spatial_verdict(
                    computed, differing, other,
                    _compare(cells, design, twins, published, identity, levels, hidden))
            for m, twin in enumerate(proposed):
                if not valid[m]:
                    blocked = [key for key, column in differing.items() if column[m]]
                    for cell in proposed[twin]:
                        tried[cell].append((other[m], blocked))
                    continue
                b, r, src, dst, k = twin
                for c in np.flatnonzero(cells.delta(src, dst)):
                    for cell in ((b, r, int(c)), (b, k, int(c)) if k >= 0 else
                                 (b, -1, int(c))):
                        if cell in pending:
                            pending.discard(cell)
                            certificates.append((cell, twin))
        if level_pass == 0:
            result.certified = result.cells - len(pending)
        if not pending:
            break
        result.notes.append(
            f"pass {level_pass}: {len(pending)} counts without a twin, e.g. "
            + ", ".join(f"{tuple(cells.block_keys.iloc[b])} "
                        f"{'row ' + str(r) if r >= 0 else 'area'} "
                        f"{(cells.names + cells.comp_names)[c]}"
                        for b, r, c in sorted(pending)[:4]))
        # withhold the least that lets a tried twin through: its differing values, or
        # (shares, counts or map bands differ) everything of those comparisons
        for cell in sorted(pending):
            b, _, c = cell
            if tried[cell] and level_pass < len(_ROUNDS) - 1:
                other_, blocked = min(tried[cell], key=lambda v: (int(v[0].sum()),
                                                                   len(v[1])))
                levels[b] = np.maximum(levels[b], np.where(other_, 2, 0).astype(np.int8))
                for key in blocked:
                    hidden.setdefault(key, np.zeros(n_blocks, dtype=bool))[b] = True
                continue
            themes = ([cells.theme_of[c]] if c < cells.M.shape[1] else
                      list(cells.theme_of[cells.pairs[c - cells.M.shape[1]]]))
            for ci, (ia, ib) in enumerate(cells.pairs):
                if cells.theme_of[ia] in themes or cells.theme_of[ib] in themes:
                    levels[b, ci] = 2
    if pending:
        # level 2 withholds everything a move inside the theme can change; one more
        # pass proves it
        generators = {cell: _candidates(cells, *cell) for cell in pending}
        for cell in sorted(pending):
            twin = next(generators[cell], None)
            if twin is None:
                continue
            twins = np.array([twin], dtype=np.intp)
            published = _with_spatial(cells, design, _published(cells, design, twins))
            if _compare(cells, design, twins, published, identity, levels, hidden)[0][0]:
                pending.discard(cell)
                certificates.append((cell, twin))
    if pending:  # pragma: no cover - level 2 withholds everything a move can change
        raise RuntimeError(f"disclosure audit: {len(pending)} counts below "
                           f"{policy.min_cell} could not be protected")
    # a comparison with a withheld value is at level 1
    for key, blocks_ in hidden.items():
        ci = cells.comp_names.index(key[1])
        levels[blocks_, ci] = np.maximum(levels[blocks_, ci], 1)

    keys = cells.block_keys
    rows = []
    share_rows = []
    for key, column in identity["items"].items():
        kind, comparison, index, bandwidth = key
        if kind == "value":
            ci = cells.comp_names.index(comparison)
            gone = levels[:, ci] >= 2
            if key in hidden:
                gone = gone | hidden[key]
            value = np.where(gone, np.nan, column)
            rows.append(pd.DataFrame({"area": keys["area"], "year": keys["year"],
                                      "comparison": comparison, "index": index,
                                      "bandwidth": bandwidth, "value": value}))
        else:  # shares and counts
            if comparison:
                ci = cells.comp_names.index(comparison)
                hide = levels[:, ci] >= 2
                label = f"{index}:{comparison}"
            else:
                with_group = [ci for ci, pair in enumerate(cells.comparisons.values())
                              if index in pair]
                hide = (levels[:, with_group] >= 2).any(axis=1)
                label = index
            share_rows.append(pd.DataFrame({"area": keys["area"], "year": keys["year"],
                                            "key": label,
                                            "value": np.where(hide, np.nan, column)}))
    result.values = (pd.concat(rows, ignore_index=True) if rows else
                     pd.DataFrame(columns=["area", "year", "comparison", "index",
                                           "bandwidth", "value"]))
    result.shares = (pd.concat(share_rows, ignore_index=True) if share_rows else
                     pd.DataFrame(columns=["area", "year", "key", "value"]))
    result.levels = pd.DataFrame({
        "area": np.repeat(keys["area"].to_numpy(), n_comp),
        "year": np.repeat(keys["year"].to_numpy(), n_comp),
        "comparison": np.tile(cells.comp_names, n_blocks),
        "level": levels.ravel().astype(np.int64)})
    moran = [(keys.loc[blocks_, ["area", "year"]].assign(comparison=key[1]))
             for key, blocks_ in hidden.items() if key[0] == "bands"]
    for ci, name in enumerate(cells.comp_names):
        moran.append(keys.loc[levels[:, ci] >= 2, ["area", "year"]].assign(comparison=name))
    result.certificates = _certificates(cells, certificates)
    result.moran_withheld = (pd.concat(moran, ignore_index=True).drop_duplicates()
                             if moran else pd.DataFrame(columns=["area", "year",
                                                                 "comparison"]))
    return result


def small_count_years(counts: pd.DataFrame, design: Design, policy: Policy) -> pd.DataFrame:
    """Whether each area-year holds a count below N that the audit protects.

    The same counts :func:`audit` looks for a twin of (per school: every group of
    ``design``, the pupils in no group of a theme and in neither group of a comparison,
    zero included when the group exists; per municipality: their sums). Numbers the
    audit does not recompute for its twins, such as bootstrap intervals, are published
    only for area-years without any such count: there is then nothing below N that
    they could reveal, whatever they are a function of.

    Returns
    -------
    pandas.DataFrame
        ``area``, ``year``, ``small`` (bool), one row per area-year of ``counts``.
    """
    cells = _Cells(counts, design, policy)
    V = cells.cells(cells.M, cells.total)
    real = cells.real()
    pupils = (cells.total >= 1)[:, None]
    n_blocks = len(cells.block_keys)
    small = np.zeros(n_blocks, dtype=bool)
    rows = ((V < policy.min_cell) & real & pupils).any(axis=1)
    small[cells.block[rows]] = True
    block_sums = np.zeros((n_blocks, V.shape[1]))
    np.add.at(block_sums, cells.block, V)
    small |= ((block_sums < policy.min_cell) & real).any(axis=1)
    return cells.block_keys.assign(small=small)
