"""The spatial part of the disclosure audit: a twin's spatial D and H, exposure and
isolation (and the between/within-district split of H), recomputed with the spatial
engine's environment operators and formulas (see :mod:`segspatial.disclosure._audit`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from segspatial.disclosure._audit import Design, SpatialDesign, _Cells

def _with_spatial(cells: _Cells, design: Design, out: dict,
                  only: np.ndarray | None = None) -> dict:
    """Add the spatial items to ``_published``'s result (for the twins ``only``)."""
    if design.spatial is None:
        return out
    latest = (out["latest"] if design.spatial.years == "latest"
              else np.ones_like(out["latest"]))
    if only is not None:
        latest = latest & only
    if (latest & out["touched"].any(axis=1)).any():
        _published_spatial(cells, design, out, out["M"], out["total"], out["rows"],
                           out["twin_of_row"], latest, out["touched"], out["twins"])
    return out


class _SpatialCells:
    """The located schools of the published years with their environment operators,
    built once per comparison and scale by the spatial engine
    (:func:`segspatial.spatial.environment_operator`, block-diagonal by area-year, on
    the schools with pupils in A or B as the engine uses them); a twin's spatial D and
    H, exposure and isolation come from the engine's formulas on its block
    (:func:`_environment_indices`)."""

    def __init__(self, cells: _Cells, spatial: SpatialDesign) -> None:
        from segspatial.spatial._args import _resolve_scales

        located = np.isfinite(cells.x) & np.isfinite(cells.y)
        if spatial.years == "latest":
            located &= cells.latest_row
        self.located = located
        self.spatial = spatial
        bandwidths = list(dict.fromkeys(float(b) for b in (*spatial.bandwidths,
                                                          *spatial.profile)))
        if spatial.k:
            self.scales = _resolve_scales(None, None, list(spatial.k))
        else:
            self.scales = (_resolve_scales(bandwidths, spatial.kernel, None) if bandwidths
                           else [])
        self._operators: dict = {}
        self._blocks: dict = {}
        self._district = None

    def used(self, cells: _Cells, ia: int, ib: int) -> np.ndarray:
        """The rows the spatial statistics of a comparison use (located, A + B > 0)."""
        return self.located & (cells.M[:, ia] + cells.M[:, ib] > 0)

    def operator(self, cells: _Cells, rows: np.ndarray, scale: Any) -> Any:
        """The engine's environment operator of ``rows`` (block-diagonal by area-year)
        at one scale, as a CSR matrix."""
        from scipy import sparse

        from segspatial.spatial import environment_operator

        knn = scale.kernel == "knn"
        return sparse.csr_matrix(environment_operator(
            cells.x[rows], cells.y[rows], crs=self.spatial.crs,
            bandwidth=None if knn else scale.bandwidth, kernel=None if knn else scale.kernel,
            k=int(scale.bandwidth) if knn else None, block=cells.block[rows],
            definition=self.spatial.definition))

    def operators(self, cells: _Cells, comparison: int) -> list:
        """Per scale: (rows used, the block-diagonal operator on them)."""
        if comparison not in self._operators:
            ia, ib = cells.pairs[comparison]
            rows = np.flatnonzero(self.used(cells, ia, ib))
            self._operators[comparison] = [(rows, self.operator(cells, rows, scale))
                                           for scale in self.scales]
        return self._operators[comparison]

    def block(self, cells: _Cells, comparison: int, scale: int, block: int
              ) -> tuple[np.ndarray, Any]:
        """The rows a comparison's spatial statistics use in one area-year (block) and
        their environment operator at one scale (the block's part of
        :meth:`operators`, cut once)."""
        key = (comparison, scale, block)
        if key not in self._blocks:
            from scipy import sparse

            op_rows, operator = self.operators(cells, comparison)[scale]
            lo, hi = np.searchsorted(op_rows, [cells.start[block],
                                              cells.start[block] + cells.size[block]])
            # the operator is block-diagonal by area-year: rows lo:hi hold only the
            # columns lo:hi, so the block is cut from the CSR arrays directly
            first, last = operator.indptr[lo], operator.indptr[hi]
            sub = sparse.csr_matrix((operator.data[first:last],
                                     operator.indices[first:last] - lo,
                                     operator.indptr[lo:hi + 1] - first),
                                    shape=(hi - lo, hi - lo))
            if sub.indices.size and (sub.indices.min() < 0 or sub.indices.max() >= hi - lo):
                raise RuntimeError("disclosure audit: the environment operator is not "
                                   "block-diagonal by area-year")  # pragma: no cover
            self._blocks[key] = (op_rows[lo:hi], sub)
        return self._blocks[key]

    def districts(self, cells: _Cells) -> np.ndarray:
        """The district of every located row (None outside every district)."""
        if self._district is None:
            from segspatial.spatial.decomposition import _assign_districts

            district = np.full(cells.M.shape[0], None, dtype=object)
            rows = np.flatnonzero(self.located)
            if rows.size:
                district[rows] = np.asarray(_assign_districts(
                    cells.x[rows], cells.y[rows], self.spatial.crs, self.spatial.districts,
                    self.spatial.district_code, float(self.spatial.snap)), dtype=object)
            self._district = district
        return self._district


def _environment_formulas(a: np.ndarray, b: np.ndarray, a_env: np.ndarray,
                          b_env: np.ndarray, label: np.ndarray, n_groups: int,
                          definition: str, names: tuple[str, ...]
                          ) -> dict[str, np.ndarray]:
    """The environment indices ``names`` of ``n_groups`` area-years from their units'
    counts and environments (1-D, ``label``: the area-year of each unit), with the
    spatial engine's own formulas (``segspatial.spatial.formulas``), each
    ``(n_groups,)``."""
    from segspatial.spatial.formulas import EXPOSURE_NAMES, _dispersal_dh, _exposure, _ro_dh

    out: dict[str, np.ndarray] = {}
    if {"spatial_dissimilarity", "spatial_theil_h"} & set(names):
        if definition == "reardon_osullivan":
            d, h = _ro_dh(a_env, b_env, a, b, label, n_groups)
        else:
            A = np.bincount(label, weights=a, minlength=n_groups)
            B = np.bincount(label, weights=b, minlength=n_groups)
            d, h = _dispersal_dh(a_env, b_env, label, A, B, n_groups)
        out.update(spatial_dissimilarity=d, spatial_theil_h=h)
    if {f"spatial_{n}" for n in EXPOSURE_NAMES} & set(names):
        exposure = _exposure(a, b, a_env, b_env, label, n_groups, definition)
        out.update({f"spatial_{n}": v for n, v in exposure.items()})
    return {n: np.asarray(out[n], dtype=np.float64) for n in names}


def _environment_indices(operator: Any, a: np.ndarray, b: np.ndarray, definition: str,
                         names: tuple[str, ...]) -> dict[str, np.ndarray]:
    """The environment indices ``names`` of one area-year's units under ``operator``
    for one count vector (``a``, ``b``: units x 1), each ``(1,)``."""
    a = np.asarray(a, dtype=np.float64).reshape(-1)
    b = np.asarray(b, dtype=np.float64).reshape(-1)
    label = np.zeros(a.size, dtype=np.intp)
    return _environment_formulas(a, b, np.asarray(operator @ a), np.asarray(operator @ b),
                                 label, 1, definition, names)


def _published_spatial(cells: _Cells, design: Design, out: dict, M: np.ndarray,
                       total: np.ndarray, rows: np.ndarray, twin_of_row: np.ndarray,
                       latest: np.ndarray, touched: np.ndarray,
                       twins: np.ndarray) -> None:
    from segspatial.indices import GroupedCounts
    from segspatial.spatial.decomposition import _theil_decomposition

    geo = cells.spatial_cells(design.spatial)
    policy = cells.policy
    definition = design.spatial.definition
    suffix = "" if definition == "dispersal" else "_ro"
    wanted = tuple(dict.fromkeys(design.spatial.indices))
    n_twins = len(touched)
    starts = np.concatenate([[0], np.cumsum(cells.size[twins[:, 0]])[:-1]])
    for ci, (name, (ga, gb)) in enumerate(cells.comparisons.items()):
        use = latest & touched[:, ci]
        if not use.any():
            continue
        ia, ib = cells.index[ga], cells.index[gb]
        A = np.bincount(twin_of_row, weights=M[:, ia], minlength=n_twins)
        B = np.bincount(twin_of_row, weights=M[:, ib], minlength=n_twins)
        small = (A < policy.min_cell) | (B < policy.min_cell)
        used = geo.used(cells, ia, ib)
        # a twin whose schools with pupils in A or B are not the data's (a school with
        # none of either gets one, or loses its last) has units of its own: its
        # operator is built for them, as the engine would
        own = geo.located[rows] & (M[:, ia] + M[:, ib] > 0)
        other_units = np.zeros(n_twins, dtype=bool)
        other_units[np.unique(twin_of_row[used[rows] != own])] = True
        values: dict[tuple[str, float], np.ndarray] = {}
        blocks = np.unique(twins[use, 0]) if wanted else np.zeros(0, dtype=np.intp)
        for k, scale in enumerate(geo.scales if wanted else ()):
            # every twin's environments, block by block (one sparse product for all
            # twins of a block), then the formulas once for all twins, each twin an
            # area-year of its own (``label``), as the engine computes them
            parts: list[tuple[np.ndarray, ...]] = []
            for b in blocks:
                members = np.flatnonzero(use & (twins[:, 0] == b) & ~other_units)
                block_rows, sub = geo.block(cells, ci, k, b)
                if not members.size or block_rows.size < 2:
                    continue
                at = starts[members][None, :] + (block_rows - cells.start[b])[:, None]
                a, b_ = M[at, ia], M[at, ib]
                env = sub @ np.hstack([a, b_])
                parts.append((np.repeat(members, block_rows.size), a.ravel(order="F"),
                              b_.ravel(order="F"),
                              env[:, :members.size].ravel(order="F"),
                              env[:, members.size:].ravel(order="F")))
            found = {index: np.full(n_twins, np.nan) for index in wanted}
            if parts:
                label, a, b_, a_env, b_env = (np.concatenate(v) for v in zip(*parts,
                                                                           strict=True))
                got = _environment_formulas(a, b_, a_env, b_env, label, n_twins,
                                            definition, wanted)
                done = np.unique(label)
                for index, value in got.items():
                    found[index][done] = value[done]
            for m in np.flatnonzero(use & other_units):  # rare: one by one
                b = twins[m, 0]
                at = starts[m] + np.flatnonzero(own[starts[m]:starts[m] + cells.size[b]])
                if at.size < 2:
                    continue
                sub = geo.operator(cells, rows[at], scale)
                got = _environment_indices(sub, M[at, ia][:, None], M[at, ib][:, None],
                                           definition, wanted)
                for index, value in got.items():
                    found[index][m] = value[0]
            for index, value in found.items():
                values[(index + suffix, scale.bandwidth)] = value
        if design.spatial.districts is not None:
            keep = use[twin_of_row] & own
            twin = twin_of_row[keep]
            label, group = np.unique(twin, return_inverse=True)
            c = GroupedCounts(a=M[keep, ia], b=M[keep, ib], group=group, n_groups=label.size)
            district = geo.districts(cells)[rows[keep]]
            between, within = _theil_decomposition(c, district, ~pd.isna(district))
            for index, value in (("theil_h_between", between), ("theil_h_within", within)):
                column = np.full(n_twins, np.nan)
                column[label] = value
                values[(index, np.nan)] = column
        for (index, bw), value in values.items():
            value = np.where(small | ~np.isfinite(value), np.nan, policy.values(value))
            out["items"][("value", name, index, bw)] = np.where(use, value, np.nan)
