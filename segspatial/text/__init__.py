"""The text catalogue: every word segspatial shows a reader, one file per language.

Pages, figure labels, map legends, popups and tooltips take their words from here,
never from code. Each language is one TOML file in this package (``en.toml``,
``nl.toml``) with a ``[language]`` table (its name and Babel locale) and tables of
plain-text patterns: ``[text]`` (keys without a prefix, ``t(lang, "in_short")``) and
named tables such as ``[index_name]``, ``[group_noun]``, ``[kernel_name]``,
``[comparison_name]``, ``[theme_name]``, ``[exclusion_reason]``,
``[undefined_reason]`` (by the results table's ``reason_code``), ``[cli]`` (the command
line's summaries and notes), ``[monitor]``/``[monitor_rule]`` (the technical-education
monitor) and ``[qgis]`` (the QGIS provider) (keys with the table's name,
``t(lang, "index_name.theil_h")``). Every catalogue has the same keys and, per key,
the same fields (a test checks this).

A pattern is plain text (no markup, no entities) with ``$name`` fields
(:class:`string.Template`; ``$$`` is a dollar sign). :func:`t` fills the fields in
literally and escapes nothing: text from the data is only ever a field's value, never
part of a pattern, and escaping for HTML belongs to the page (:func:`markup` for pages
built in Python, autoescaping templates otherwise). Numbers are formatted by
:class:`segspatial._format.Formatter`, in the language's locale.

Counts: a sentence with a count has variants that :func:`plural` picks by the count,
the way the language's locale says it (CLDR plural rules, from Babel):

* ``<key>_one``, ``<key>_two``, ``<key>_few``, ``<key>_many``, ``<key>_zero``: the
  plural categories of the locale other than "other" (English and Dutch have only
  ``one``: "$n school" beside "$n schools"; Polish has ``one``, ``few`` and ``many``);
  ``<key>`` itself is the category "other". A category variant has the same fields as
  ``<key>`` (it says the number too: in some languages "one" also covers 21);
* ``<key>_none`` and ``<key>_single``: a sentence of its own for exactly 0 and exactly
  1 (ICU's ``=0`` and ``=1``: "there is no school", "In Havenstad H is 0.254"); they
  come first, and every language has the same ones.

A key with category variants has one for every category of its language but "other"
(the catalogue check says which are missing).

Adding a language
-----------------
Copy ``en.toml`` to ``<code>.toml`` in this folder, translate the values (keep the keys
and the ``$fields``), set ``[language] name`` and ``locale`` and add the code to
:data:`BUILTIN`; give every counted sentence the plural variants of the new locale
(``_one``, ``_few``, ...: :func:`plural_categories`). The command line's ``--lang``
choices and every ``lang=`` check come from :data:`LANGUAGES`.
:func:`register_language` adds a catalogue from elsewhere at run time.

Examples
--------
>>> t("en", "fig_share_of", a="pupils with a disadvantage background")
'Share of pupils with a disadvantage background'
>>> t("nl", "index_name.theil_h")
'Theils informatie-index H'
>>> str(markup("en", "fig_share_of", a="<b>"))
'Share of &lt;b&gt;'
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from string import Template
from types import MappingProxyType
from typing import Any

__all__ = ["BUILTIN", "LANGUAGES", "Language", "catalogue", "check_lang", "fields",
           "language", "lookup", "markup", "plural", "plural_categories", "plural_key",
           "register_language", "t"]

#: The languages shipped with segspatial: one ``<code>.toml`` each in this package.
BUILTIN = ("en", "nl")
#: The first table's keys have no prefix.
_PLAIN_TABLE = "text"
#: Suffixes of the plural variants: CLDR's categories (but "other", the key itself) ...
CATEGORIES = ("zero", "one", "two", "few", "many")
#: ... and the sentences for exactly 0 and exactly 1 (ICU's ``=0``, ``=1``).
EXACT = {"none": 0, "single": 1}


@dataclass(frozen=True)
class Language:
    """One language of the catalogue: its code, name, Babel locale and file."""

    code: str
    name: str
    locale: str
    source: Any  # a Path or an importlib.resources Traversable


#: Registry of languages: code -> catalogue file. Ordered; the first is the default.
LANGUAGES: dict[str, Any] = {code: resources.files(__name__) / f"{code}.toml"
                             for code in BUILTIN}
_LOADED: dict[str, tuple[Language, Mapping[str, str]]] = {}


def register_language(code: str, source: str | Path) -> Language:
    """Add (or replace) the language ``code`` with the catalogue file ``source``.

    The file is read and checked at once: a ``[language]`` table with ``name`` and
    ``locale``, text tables of strings, and the keys and fields of the first built-in
    language (``en``), no more and no fewer.

    Raises
    ------
    ValueError
        If ``code`` is not a short lower-case tag or the file is not a complete
        catalogue (the message names the keys and fields that differ).
    """
    if not (isinstance(code, str) and code.replace("_", "").isalpha() and code.islower()
            and 2 <= len(code) <= 8):
        raise ValueError(f"a language code is a short lower-case tag such as 'fr', "
                         f"got {code!r}")
    previous = LANGUAGES.get(code)
    LANGUAGES[code] = Path(source)
    _LOADED.pop(code, None)
    try:
        _check_complete(code)
        return language(code)
    except ValueError:
        if previous is None:
            del LANGUAGES[code]
        else:
            LANGUAGES[code] = previous
        _LOADED.pop(code, None)
        raise


def _variants(table: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    """The plural variants of a catalogue: key -> (its base key, its suffix)."""
    found = {}
    for key in table:
        base, _, suffix = key.rpartition("_")
        if base in table and (suffix in CATEGORIES or suffix in EXACT):
            found[key] = (base, suffix)
    return found


def _check_complete(code: str) -> None:
    """A ValueError unless ``code`` has the keys and fields of the first language, and
    the plural variants of its own locale (:func:`plural_categories`)."""
    reference, mine = catalogue(BUILTIN[0]), catalogue(code)
    source = LANGUAGES[code]
    ref_variants, my_variants = _variants(reference), _variants(mine)
    ref_keys = {k for k, (_, s) in ref_variants.items() if s in CATEGORIES}
    my_keys = {k for k, (_, s) in my_variants.items() if s in CATEGORIES}
    missing = sorted(set(reference) - ref_keys - set(mine))
    extra = sorted(set(mine) - my_keys - set(reference))
    if missing or extra:
        raise ValueError(f"text catalogue {source}: keys missing: {missing or 'none'}; "
                         f"keys not in {BUILTIN[0]!r}: {extra or 'none'}")
    differ = [f"{key} (fields {sorted(fields(mine[key]))}, not "
              f"{sorted(fields(pattern))})" for key, pattern in reference.items()
              if key not in ref_keys and fields(mine[key]) != fields(pattern)]
    categories = plural_categories(code)
    counted = {base for base, suffix in {**ref_variants, **my_variants}.values()
               if suffix in CATEGORIES}
    for key, (base, suffix) in sorted(my_variants.items()):
        if suffix in CATEGORIES and suffix not in categories:
            differ.append(f"{key} ('{suffix}' is not a plural category of "
                          f"{language(code).locale}: {', '.join(categories)})")
        elif suffix in CATEGORIES and fields(mine[key]) != fields(mine[base]):
            differ.append(f"{key} (fields {sorted(fields(mine[key]))}, not those of "
                          f"{base}: {sorted(fields(mine[base]))})")
    for base in sorted(counted):
        lacking = [c for c in categories if c != "other" and f"{base}_{c}" not in mine]
        if lacking:
            differ.append(f"{base} (plural variants missing: "
                          f"{', '.join(f'{base}_{c}' for c in lacking)})")
    if differ:
        raise ValueError(f"text catalogue {source}: {'; '.join(differ)}")


def check_lang(lang: Any) -> str:
    """``lang`` if it is a language of the catalogue, else a ValueError naming them."""
    if not isinstance(lang, str) or lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {', '.join(map(repr, LANGUAGES))}, "
                         f"got {lang!r}")
    return lang


def _load(lang: str) -> tuple[Language, Mapping[str, str]]:
    check_lang(lang)
    if lang not in _LOADED:
        source = LANGUAGES[lang]
        try:
            data = tomllib.loads(source.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ValueError(f"text catalogue {source}: {exc}") from exc
        meta = data.pop("language", None)
        if not (isinstance(meta, dict) and isinstance(meta.get("name"), str)
                and isinstance(meta.get("locale"), str)):
            raise ValueError(f"text catalogue {source}: needs a [language] table with "
                             "name and locale (a Babel locale such as 'fr_FR')")
        flat: dict[str, str] = {}
        for table, entries in data.items():
            if not isinstance(entries, dict):
                raise ValueError(f"text catalogue {source}: {table!r} must be a table")
            for key, text in entries.items():
                name = key if table == _PLAIN_TABLE else f"{table}.{key}"
                if not isinstance(text, str) or not Template(text).is_valid():
                    raise ValueError(f"text catalogue {source}: {name} must be text with "
                                     f"$name fields ($$ for a dollar sign), got {text!r}")
                flat[name] = text
        info = Language(lang, meta["name"], meta["locale"], source)
        _LOADED[lang] = (info, MappingProxyType(flat))
    return _LOADED[lang]


def language(lang: str) -> Language:
    """The :class:`Language` ``lang`` (name, locale, file)."""
    return _load(lang)[0]


def catalogue(lang: str) -> Mapping[str, str]:
    """Every pattern of ``lang``, by key (read-only)."""
    return _load(lang)[1]


def lookup(lang: str, key: str) -> str | None:
    """The pattern ``key`` of ``lang``, or None when the catalogue has no such key (an
    index, group or comparison without a name of its own)."""
    return _load(lang)[1].get(key)


def fields(pattern: str) -> set[str]:
    """The ``$fields`` of a pattern."""
    return set(Template(pattern).get_identifiers())


def t(lang: str, key: str, **values: Any) -> str:
    """The text ``key`` in ``lang`` with its fields filled in literally (``str``).

    Nothing is escaped or read as a pattern: a value is put in as it is. A value ``n``
    (a count) picks the key's plural variant, as :func:`plural` does.

    Raises
    ------
    KeyError
        If the catalogue has no ``key`` or a field of the pattern has no value.
    """
    key = _counted(lang, key, values)
    pattern = _load(lang)[1].get(key)
    if pattern is None:
        raise KeyError(f"the {lang!r} text catalogue has no key {key!r}")
    return Template(pattern).substitute({k: str(v) for k, v in values.items()})


def _counted(lang: str, key: str, values: Mapping[str, Any]) -> str:
    """The plural variant of ``key`` for the value ``n``, when there is one: the count
    as a number, or as the language writes it (``"1.234"`` in Dutch); a text that is
    not a number (``"< 10"``) keeps ``key``."""
    if "n" not in values:
        return key
    n = values["n"]
    if isinstance(n, str):
        from babel.numbers import NumberFormatError, parse_decimal

        try:
            n = parse_decimal(n.replace("\u2212", "-").replace("\u00a0", ""),
                              locale=language(lang).locale)
        except (NumberFormatError, ValueError):
            return key
    return plural_key(lang, key, n)


@cache
def _plural_rule(locale: str) -> Any:
    from babel import Locale

    return Locale.parse(locale).plural_form


def plural_categories(lang: str) -> tuple[str, ...]:
    """The CLDR plural categories of ``lang``'s locale, "other" last (Babel).

    >>> plural_categories("nl")
    ('one', 'other')
    """
    tags = _plural_rule(language(lang).locale).tags
    return tuple(c for c in CATEGORIES if c in tags) + ("other",)


def plural_key(lang: str, key: str, n: Any) -> str:
    """The variant of ``key`` for the count ``n``: ``<key>_none`` for exactly 0 and
    ``<key>_single`` for exactly 1 where the catalogue has them, else the variant of
    ``n``'s plural category in the language's locale (``<key>_one``, ``<key>_few``,
    ...; CLDR rules through Babel) where it has one, else ``key`` itself ("other").

    >>> plural_key("en", "cli.n_units", 1), plural_key("en", "cli.n_units", 3)
    ('cli.n_units_one', 'cli.n_units')
    """
    table = _load(lang)[1]
    try:
        number = float(n)
    except (TypeError, ValueError):
        return key
    if not math.isfinite(number):
        return key
    for suffix, exact in EXACT.items():
        if number == exact and f"{key}_{suffix}" in table:
            return f"{key}_{suffix}"
    category = _plural_rule(language(lang).locale)(
        int(number) if number.is_integer() else number)
    variant = f"{key}_{category}"
    return variant if category != "other" and variant in table else key


def plural(lang: str, key: str, count: Any, /, **values: Any) -> str:
    """:func:`t` of the variant of ``key`` for ``count`` (:func:`plural_key`);
    ``values`` fill the fields (the count formatted as the caller wants it).

    >>> plural("nl", "cli.n_units", 1, n="1"), plural("nl", "cli.n_units", 2, n="2")
    ('1 school', '2 scholen')
    """
    return t(lang, plural_key(lang, key, count), **values)


def markup(lang: str, key: str, **values: Any):
    """:func:`t` for an HTML page: the pattern and every value escaped (values that are
    :class:`markupsafe.Markup` already are put in as they are); a ``Markup``."""
    from markupsafe import Markup, escape

    key = _counted(lang, key, values)
    pattern = _load(lang)[1].get(key)
    if pattern is None:
        raise KeyError(f"the {lang!r} text catalogue has no key {key!r}")
    def field(value: Any) -> str:  # braces as entities too, as in the pages and maps
        text = str(escape(value))
        return text if isinstance(value, Markup) else text.replace("{", "&#123;").replace(
            "}", "&#125;")

    # the catalogue writes superscripts as "H^R" (plain text for the terminal and the
    # figures); a page sets them as HTML (the pattern only, never a value)
    pattern = str(escape(pattern)).replace("H^R", "H<sup>R</sup>")
    return Markup(Template(pattern).substitute({k: field(v) for k, v in values.items()}))
