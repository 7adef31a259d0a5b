"""What every part of :mod:`segspatial.geo` shares: the default distance CRS,
the warning class and the helpers that format examples in messages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from segspatial._exceptions import CatalogueWarning

#: The projected CRS used for distances unless another is requested: RD New (metres).
DEFAULT_DISTANCE_CRS = "EPSG:28992"

_MAX_EXAMPLES = 5


class GeometryWarning(CatalogueWarning):
    """Something about geometry that the user should know: a CRS assumed, geometries
    repaired, units snapped to a polygon or left out, results without a polygon.

    The message always gives the count and what was done.
    """


def _examples(values: Sequence[Any]) -> str:
    values = list(values)
    shown = ", ".join(repr(v) for v in values[:_MAX_EXAMPLES])
    more = len(values) - _MAX_EXAMPLES
    return shown + (f" and {more} more" if more > 0 else "")


def _features(labels: Sequence[Any]) -> str:
    """``"feature 4"`` / ``"features 2, 3"``: boundary features for messages, counted
    from 1 as a GIS shows them (labels of a default integer index, which count from 0);
    other labels as they are."""
    labels = list(labels)
    shown = [int(v) + 1 if isinstance(v, int | np.integer) and not isinstance(v, bool)
             else _plain(v) for v in labels]
    word = "feature" if len(shown) == 1 else "features"
    text = ", ".join(str(v) for v in shown[:_MAX_EXAMPLES])
    more = len(shown) - _MAX_EXAMPLES
    return f"{word} {text}" + (f" and {more} more" if more > 0 else "")


def _plain(value: Any) -> Any:
    """numpy scalars as plain Python values (for messages)."""
    return value.item() if isinstance(value, np.generic) else value


def _choose_layer(names: Sequence[str], layer: str | None, path: Any, kind: str) -> str:
    """The layer (or TopoJSON object) to read: ``layer`` if the file has it, else the
    only one; an error naming the file and the choices otherwise."""
    if layer is None:
        if len(names) > 1:
            raise ValueError(f"boundaries {str(path)!r} has {len(names)} {kind}s "
                             f"{list(names)!r}; choose one with layer=")
        return names[0]
    if layer not in names:
        raise ValueError(f"layer={layer!r} is not a {kind} of {str(path)!r}; it has "
                         f"{list(names)!r}")
    return layer


def _shown_codes(values: Sequence[Any], limit: int = 8) -> str:
    """``['GM0034', 'GM0363', ... (355 in all)]``: codes for messages."""
    values = list(values)
    head = ", ".join(repr(v) for v in values[:limit])
    more = f", ... ({len(values):,} in all)" if len(values) > limit else ""
    return f"[{head}{more}]"


def check_codes_match(codes: Sequence[Any], boundary_codes: Sequence[Any],
                      area_code: str | None) -> None:
    """Refuse results none of whose area codes is a boundary feature's code.

    A map of such results would be all grey ("no data") and every page without its
    area: the codes are of another kind (``"0363"`` against ``"GM0363"``) or from
    another column. The error shows examples of both sides.
    """
    codes = [str(c) for c in dict.fromkeys(codes)]
    known = {str(c) for c in boundary_codes}
    if not codes or any(c in known for c in codes):
        return
    column = area_code or "statcode"
    raise ValueError(
        f"none of the {len(codes):,} area codes of the results is a code of the boundaries "
        f"(area_code={column!r}, {len(known):,} features): the results have e.g. "
        f"{_shown_codes(sorted(codes))}, the boundaries {_shown_codes(sorted(known))}; "
        "choose the boundaries' column with the results' codes (area_code=) or "
        "boundaries of the same kind of areas")
