"""Library messages in the words of a front end: Python argument names become the
command line's flags or QGIS's parameter names (one translation for both)."""

from __future__ import annotations

import re
from collections.abc import Mapping

__all__ = ["in_names"]

# a quoted value ('x', "x") is data, never translated; a quote opens after a non-word
# character only, so "Moran's" is prose
_QUOTED = re.compile(r"""(?<!\w)'[^'\n]*'(?!\w)|(?<!\w)"[^"\n]*"(?!\w)""")
_NAME = re.compile(r"(?<![\w.\-/])[A-Za-z_][A-Za-z0-9_]*(?![\w\-(])")
# a plain word (no underscore) is an argument name only as the subject of a clause
_SUBJECT_AFTER = re.compile(r"(?:^|;\s|\.\s)$")
_SUBJECT_BEFORE = re.compile(r"^(?::|,| must\b| is\b| are\b| and\b| or\b| needs?\b| given\b)")


def in_names(text: str, flags: Mapping[str, str]) -> str:
    """``text`` with Python argument names replaced by a front end's names (the
    command line's flags, QGIS's parameter names).

    Replaced, outside quoted values: ``name=`` (``name=value`` reads ``--flag value``),
    names with an underscore (``min_area_size``), and a plain name as the subject of a
    clause (``bandwidth must ...``, ``unit: column ...``, ``x and y ...``).

    >>> in_names("choose one with bandwidth=; lower min_area_size", {
    ...     "bandwidth": "--bandwidth", "min_area_size": "--min-area-size"})
    'choose one with --bandwidth; lower --min-area-size'
    >>> in_names("layer='x' is not a layer of 'a_b.gpkg'", {"layer": "--boundaries-layer"})
    "--boundaries-layer 'x' is not a layer of 'a_b.gpkg'"
    """
    if not flags:
        return str(text)
    text = str(text)
    quoted = [m.span() for m in _QUOTED.finditer(text)]
    out, last, previous_flag_end = [], 0, -1
    for m in _NAME.finditer(text):
        name, start, end = m.group(), m.start(), m.end()
        flag = flags.get(name)
        if flag is None or any(a <= start < b for a, b in quoted):
            continue
        after = text[end:]
        before = "".join(out) + text[last:start]
        if after.startswith("=") and not after.startswith("=="):
            rest = after[1:]
            replacement, end = (flag if not rest or rest[0] in " ,;)" else flag + " "), end + 1
        elif "_" in name:
            replacement = flag
        elif (_SUBJECT_AFTER.search(before) and _SUBJECT_BEFORE.match(after)) or (
                previous_flag_end >= 0 and re.fullmatch(r" (?:and|or) ",
                                                        text[previous_flag_end:start])):
            replacement = flag
        else:
            continue
        out.append(text[last:start] + replacement)
        last = end
        previous_flag_end = end
    out.append(text[last:])
    result = "".join(out)
    # a message that already names the flag after the argument: "--x / --x" -> "--x"
    return re.sub(r"(--[\w-]+) / \1\b", r"\1", result)
