"""Warning and error types shared by every module.

segspatial's warnings speak every language of the text catalogue: each carries the key
of its sentence in the catalogue's ``[warning]`` table and the values of its fields
(:class:`CatalogueWarning`: ``key``, ``params``). ``str()`` of a warning is its English
sentence, for users of the Python API and for logs; the command line shows
``warning.text(lang)`` as a ``note:`` line in the language of ``--lang``
(:mod:`segspatial.cli._console`). Raise one with :func:`segspatial._warn.warn`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["CatalogueWarning", "SegregationWarning"]


class CatalogueWarning(UserWarning):
    """A warning whose sentence comes from the text catalogue.

    Parameters
    ----------
    message : str, optional
        The English text; by default the catalogue's sentence ``key`` in English.
    key : str, optional
        The sentence's key in the catalogue's ``[warning]`` table (without the table
        name). Without a key the warning is plain text (English in every language).
    params : mapping, optional
        The values of the sentence's fields (see :func:`segspatial._warn.render`).
    """

    def __init__(self, message: str | None = None, *, key: str | None = None,
                 params: Mapping[str, Any] | None = None) -> None:
        self.key = key
        self.params = dict(params or {})
        if message is None:
            message = self.text("en") if key is not None else ""
        super().__init__(message)

    def text(self, lang: str = "en") -> str:
        """The sentence in ``lang`` (a language of the catalogue), values filled in."""
        if self.key is None:
            return str(self.args[0]) if self.args else ""
        from segspatial._warn import render

        return render(lang, self.key, self.params)


class SegregationWarning(CatalogueWarning):
    """An index could not be computed for some input and was returned as NaN, or
    something was left out of a result or a figure.

    The message always says why (absent group, non-integer counts, ...).
    """
