"""The Jinja2 environment of the report's pages and its static files.

Templates live in ``templates/`` and the stylesheet and script in ``static/``, all
package files (see ``pyproject.toml``). Autoescaping is on and undefined names are
errors; values reach a page only as template variables, never as template source.
"""

from __future__ import annotations

from functools import cache, lru_cache
from importlib import resources
from typing import Any

from markupsafe import Markup, escape


@lru_cache(maxsize=1)
def environment() -> Any:
    """The report's Jinja2 environment (package loader, autoescape on)."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("segspatial.report", "templates"),
        autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
        trim_blocks=True, lstrip_blocks=True, finalize=entities)


def entities(value: Any) -> Any:
    """A plain-text value escaped for the page, its braces as entities too.

    Autoescaping makes ``& < > " '`` entities; the braces become ``&#123;``/``&#125;``
    as in the web maps (:func:`segspatial.webmap.escape`), so no ``{{``, ``{%`` or
    ``{#`` from input stands in any page, whatever reads it next (browsers show the
    characters). :class:`~markupsafe.Markup` (our own escaped HTML) passes as it is.
    """
    if isinstance(value, str) and not isinstance(value, Markup):
        return Markup(str(escape(value)).replace("{", "&#123;").replace("}", "&#125;"))
    return value


@cache
def static(name: str) -> Markup:
    """A static file of the package (``report.css``, ``sort.js``) for a ``<style>`` or
    ``<script>`` element, where entities are not decoded: it is our own file, never
    input, so it is marked safe as it is."""
    text = resources.files("segspatial.report").joinpath("static", name).read_text(
        encoding="utf-8")
    return Markup(text)  # our package file, not input


def render(template: str, **context: Any) -> str:
    """A template of ``templates/`` rendered with ``context``."""
    return environment().get_template(template).render(**context)
