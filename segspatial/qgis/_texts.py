"""The QGIS provider's texts: the ``[qgis]`` table of the text catalogue.

Every label, tooltip, help text, legend and message of the provider comes from
:mod:`segspatial.text` (keys ``qgis.<key>``), one file per language, like the rest of
segspatial; a third language is one more catalogue file. Keys are the algorithm names
(``alg.<name>`` and ``help.<name>``), the parameter names (``param.<NAME>`` for the
label, ``tip.<NAME>`` for the tooltip), the choice labels (``choice.<value>``), the
legend labels (``legend.*``), the profile chart (``chart.*``) and messages (``msg.*``).

Help texts are plain text in the catalogue too (paragraphs split by a blank line,
```code```, ``*italic*`` and ``**bold**``); :func:`text` turns them into the small HTML
QGIS shows, escaping everything else. Values are filled in literally (``$name``
fields); QGIS widgets show them as plain text.
"""

from __future__ import annotations

import html
import re

from segspatial.text import LANGUAGES, lookup, t

__all__ = ["LANGUAGES", "help_html", "language", "text"]

_TABLE = "qgis."
_CODE = re.compile(r"`([^`]+)`")
_BOLD = re.compile(r"\*\*(\S(?:.*?\S)?)\*\*")
# an opening star follows no word character (so "D*" is a name, not markup)
_ITALIC = re.compile(r"(?<![\w*])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\w*])")


def language(locale: str | None) -> str:
    """The catalogue language for a QGIS locale such as ``"nl_NL"`` (default: the
    first language of the catalogue, English)."""
    code = (locale or "").replace("-", "_").split("_")[0].lower()
    return code if code in LANGUAGES else next(iter(LANGUAGES))


def help_html(plain: str) -> str:
    """A help text of the catalogue as QGIS's HTML: ``<p>`` per paragraph, ```code```,
    ``**bold**`` and ``*italic*``; everything else escaped."""
    def inline(paragraph: str) -> str:
        parts = _CODE.split(html.escape(paragraph, quote=False))
        for i in range(0, len(parts), 2):  # outside code spans
            parts[i] = _ITALIC.sub(r"<i>\1</i>", _BOLD.sub(r"<b>\1</b>", parts[i]))
        for i in range(1, len(parts), 2):
            parts[i] = f"<code>{parts[i]}</code>"
        return "".join(parts)

    return "".join(f"<p>{inline(p.strip())}</p>" for p in plain.split("\n\n") if p.strip())


def text(key: str, lang: str = "en", **values: object) -> str:
    """The text for ``key`` in ``lang`` (English when ``lang`` is not a language of the
    catalogue), with its ``$fields`` filled in; help texts as HTML (:func:`help_html`).

    Raises
    ------
    KeyError
        If ``key`` is not in the catalogue (a programming error), or a field has no
        value.
    """
    lang = lang if lang in LANGUAGES else next(iter(LANGUAGES))
    if lookup(lang, _TABLE + key) is None:
        raise KeyError(f"the text catalogue has no QGIS text {key!r}")
    filled = t(lang, _TABLE + key, **values)
    return help_html(filled) if key.startswith("help.") else filled
