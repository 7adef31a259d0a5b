"""Each index's colour scale, direction and classes: the one table every figure uses.

Static maps, grids, ranking charts, report maps and web maps colour an index by the
scale that belongs to it (private):

* D-like segregation indices (D, D*, spatial D, Morrill's D): the Dutch report's fixed
  scale, 0 (dark green) to 0.8 (dark red), with the Massey & Denton (1993) bands
  (0-0.3 low, 0.3-0.6 moderate, 0.6-1 high). D* can be negative: "below 0" means more
  even than random allocation and gets a class of its own, never the scale's end.
* Other evenness indices (Theil's H, V, spatial H, multigroup D/H, normalised exposure,
  H between/within, rank-order H): the same green-to-red scale, without bands (Massey & Denton
  defined them for D only).
* Exposure and isolation (aPb, bPa, aPa, bPb, spatial variants): a share, 0-1, on a
  neutral sequential scale and without "segregated" bands: high exposure means *less*
  segregation, high isolation more, so a green-to-red reading would mislead.
* Moran's I: a diverging scale centred on 0, from -1 to 1 (negative I is an ordinary
  value: neighbours unlike each other).
* p-values: 0-1, sequential, small (significant) values dark.
* Anything else (plug-ins, mutual information M, entropy E): a neutral sequential
  scale over the values' own range.

The Reardon-O'Sullivan variants (``*_ro``) take the scale of their base index.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from segspatial._mapdata import MASSEY_DENTON_BANDS, REPORT_CMAP, REPORT_VMAX, REPORT_VMIN


@dataclass(frozen=True)
class IndexScale:
    """How one index is coloured: range, colour map, classes and how to read it.

    ``vmin``/``vmax`` None: the values' own range. ``bands``: the Massey & Denton bands
    when the literature defines them for this index, else None. ``kind``:
    ``"segregation"``, ``"share"``, ``"diverging"``, ``"pvalue"`` or ``"other"``.
    """

    vmin: float | None
    vmax: float | None
    cmap: str
    bands: tuple | None = None
    kind: str = "segregation"
    below_random: bool = False


_SEGREGATION_BANDS = IndexScale(REPORT_VMIN, REPORT_VMAX, REPORT_CMAP, MASSEY_DENTON_BANDS)
_SEGREGATION = IndexScale(REPORT_VMIN, REPORT_VMAX, REPORT_CMAP)
_SHARE = IndexScale(0.0, 1.0, "viridis", kind="share")
_DIVERGING = IndexScale(-1.0, 1.0, "RdBu_r", kind="diverging")
_PVALUE = IndexScale(0.0, 1.0, "cividis", kind="pvalue")
_OTHER = IndexScale(None, None, "viridis", kind="other")

#: Index name -> its scale (the one place; ``*_ro`` names use their base's entry).
INDEX_SCALES: dict[str, IndexScale] = {
    "dissimilarity": _SEGREGATION_BANDS,
    "dissimilarity_standardised": IndexScale(REPORT_VMIN, REPORT_VMAX, REPORT_CMAP,
                                             MASSEY_DENTON_BANDS, below_random=True),
    "spatial_dissimilarity": _SEGREGATION_BANDS,
    "morrill_d": _SEGREGATION_BANDS,
    "dissimilarity_expected": _SEGREGATION,
    "theil_h": _SEGREGATION,
    "correlation": _SEGREGATION,
    "spatial_theil_h": _SEGREGATION,
    "theil_h_between": _SEGREGATION,
    "theil_h_within": _SEGREGATION,
    "multigroup_dissimilarity": _SEGREGATION,
    "multigroup_theil_h": _SEGREGATION,
    "normalised_exposure": _SEGREGATION,
    "rank_order_theil_h": _SEGREGATION,
    "rank_order_theil_h_integral": _SEGREGATION,
    "isolation_a": _SHARE,
    "isolation_b": _SHARE,
    "exposure_ab": _SHARE,
    "exposure_ba": _SHARE,
    "spatial_isolation_a": _SHARE,
    "spatial_isolation_b": _SHARE,
    "spatial_exposure_ab": _SHARE,
    "spatial_exposure_ba": _SHARE,
    "morans_i": _DIVERGING,
    "morans_i_p": _PVALUE,
}


def index_scale(index: Any) -> IndexScale:
    """The scale of ``index`` (a ``*_ro`` variant: its base's; unknown: neutral)."""
    name = str(index)
    if name not in INDEX_SCALES and name.endswith("_ro"):
        name = name[:-3]
    return INDEX_SCALES.get(name, _OTHER)


def is_known(index: Any) -> bool:
    """Whether ``index`` (or its ``*_ro`` base) has an entry of its own in the table
    (a plug-in's scale is not known: the caller's choice of classes stands)."""
    name = str(index)
    return name in INDEX_SCALES or (name.endswith("_ro") and name[:-3] in INDEX_SCALES)


def check_given(vmin: Any, vmax: Any) -> None:
    """Check a scale the caller gave (either end may be None: the index's own)."""
    for value in (vmin, vmax):
        if value is not None and not np.isfinite(value):
            break
    else:
        if vmin is None or vmax is None or vmin < vmax:
            return
    raise ValueError(f"vmin and vmax must be finite with vmin < vmax, got vmin={vmin!r}, "
                     f"vmax={vmax!r}")


def resolve_scale(index: Any, values: Any = None, vmin: float | None = None,
                  vmax: float | None = None, cmap: Any = None
                  ) -> tuple[float, float, Any, IndexScale]:
    """``vmin, vmax, cmap, scale`` for ``index``: what the caller gave wins, then the
    index's own scale, then (for an open-ended index) the values' finite range."""
    scale = index_scale(index)
    low = scale.vmin if vmin is None else vmin
    high = scale.vmax if vmax is None else vmax
    if low is None or high is None:
        finite = np.asarray(values if values is not None else [], dtype=np.float64)
        finite = finite[np.isfinite(finite)]
        data_low = float(finite.min()) if finite.size else 0.0
        data_high = float(finite.max()) if finite.size else 1.0
        low = min(0.0, data_low) if low is None else low
        high = data_high if high is None else high
        if not high > low:
            high = low + 1.0
    return float(low), float(high), scale.cmap if cmap is None else cmap, scale
