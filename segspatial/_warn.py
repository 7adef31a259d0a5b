"""segspatial's warnings, in every language of the text catalogue (private).

A warning is raised with :func:`warn`: a category (:class:`SegregationWarning`,
:class:`~segspatial.geo.GeometryWarning`), the key of its sentence in the catalogue's
``[warning]`` table and the values of the sentence's fields. The values stay values
until the sentence is written in a language (:func:`render`):

- ``int`` (and numpy integers): a count, with the language's thousands separator;
- ``float``: a number with at most three decimals (``1,5`` in Dutch);
- :class:`Examples`: values from the data, quoted, at most five and "and N more";
- :class:`Features`: boundary features counted from 1, as a GIS shows them;
- :class:`Text`: another sentence of the table (a part of a sentence);
- :class:`Joined`: several sentences of the table joined with ``"; "`` or ``", "``;
- anything else (``str``): data, put in as it is.

A field ``n`` chooses the sentence's plural variant (``<key>_none``, ``<key>_single``,
``<key>_one``; :func:`segspatial.text.plural`), so a warning says "1 school" and
"3 schools". Argument names in a sentence (``snap=``, ``min_unit_size``) are the
Python API's; the command line shows its flags instead (:func:`segspatial._messages.in_names`).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["Examples", "Features", "Joined", "Text", "render", "warn"]

_TABLE = "warning"
_MAX_EXAMPLES = 5


@dataclass(frozen=True)
class Examples:
    """Values from the data as a short list: ``'a', 'b' and 3 more``."""

    values: tuple[Any, ...]
    quote: bool = True

    def __init__(self, values: Iterable[Any], quote: bool = True) -> None:
        plain = tuple(v.item() if isinstance(v, np.generic) else v for v in values)
        object.__setattr__(self, "values", plain)
        object.__setattr__(self, "quote", quote)


@dataclass(frozen=True)
class Features:
    """Boundary features by their index labels (a default integer index counts from 0,
    a GIS from 1: shown + 1; other labels as they are)."""

    labels: tuple[Any, ...]

    def __init__(self, labels: Iterable[Any]) -> None:
        shown = tuple(int(v) + 1 if isinstance(v, int | np.integer)
                      and not isinstance(v, bool)
                      else (v.item() if isinstance(v, np.generic) else v) for v in labels)
        object.__setattr__(self, "labels", shown)


@dataclass(frozen=True)
class Text:
    """Another sentence of the ``[warning]`` table, with its own fields."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __init__(self, key: str, **params: Any) -> None:
        object.__setattr__(self, "key", key)
        object.__setattr__(self, "params", params)


@dataclass(frozen=True)
class Joined:
    """Several sentences of the table (:class:`Text`) joined by ``separator``."""

    parts: tuple[Text, ...]
    separator: str = "; "

    def __init__(self, parts: Iterable[Text], separator: str = "; ") -> None:
        object.__setattr__(self, "parts", tuple(parts))
        object.__setattr__(self, "separator", separator)


def _value(lang: str, value: Any) -> str:
    from segspatial._format import Formatter
    from segspatial.text import t

    if isinstance(value, Text):
        return render(lang, value.key, value.params)
    if isinstance(value, Joined):
        return value.separator.join(render(lang, p.key, p.params) for p in value.parts)
    if isinstance(value, Examples):
        shown = [repr(v) if value.quote else str(v) for v in value.values[:_MAX_EXAMPLES]]
        more = len(value.values) - _MAX_EXAMPLES
        text = ", ".join(shown)
        return t(lang, f"{_TABLE}.examples_more", shown=text,
                 n=Formatter(lang).count(more)) if more > 0 else text
    if isinstance(value, Features):
        shown = ", ".join(str(v) for v in value.labels[:_MAX_EXAMPLES])
        more = len(value.labels) - _MAX_EXAMPLES
        if more > 0:
            shown = t(lang, f"{_TABLE}.examples_more", shown=shown,
                      n=Formatter(lang).count(more))
        from segspatial.text import plural

        return plural(lang, f"{_TABLE}.features", len(value.labels), list=shown)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | np.integer):
        return Formatter(lang).count(value)
    if isinstance(value, float | np.floating):
        return Formatter(lang).decimal(value, 3)
    return str(value)


def render(lang: str, key: str, params: Mapping[str, Any]) -> str:
    """The ``[warning]`` sentence ``key`` in ``lang``, with ``params`` written the way
    of the language (see the module docstring)."""
    from segspatial.text import plural

    values = {name: _value(lang, value) for name, value in params.items()}
    return plural(lang, f"{_TABLE}.{key}", params.get("n"), **values)


def warn(category: type[Warning], key: str, *, stacklevel: int = 2, **params: Any) -> None:
    """Raise the warning ``category`` with the catalogue sentence ``key`` and the values
    of its fields; ``stacklevel`` as for :func:`warnings.warn` from the caller."""
    warnings.warn(category(key=key, params=params), stacklevel=stacklevel + 1)
