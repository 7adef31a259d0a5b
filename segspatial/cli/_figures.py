"""Writing figures and web maps atomically, for the map sub-commands."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from segspatial.cli._common import CommandError

STATIC_SUFFIXES = (".png", ".svg", ".pdf")
HTML_SUFFIXES = (".html", ".htm")


def output_kind(path: str, allowed: tuple[str, ...]) -> str:
    """``"html"`` or ``"static"`` from ``--output``'s suffix; an error names the allowed."""
    suffix = Path(path).suffix.lower()
    if suffix not in allowed:
        raise CommandError(f"--output {path!r}: the file must end in one of "
                           f"{', '.join(allowed)} (got {suffix or 'no suffix'!r})")
    return "html" if suffix in HTML_SUFFIXES else "static"


def _temporary(path: Path) -> Path:
    return path.with_name(f".{path.stem}.tmp{path.suffix}")


def save_figure(figure: Any, path: str | Path, *, dpi: int = 150) -> Path:
    """Save a matplotlib figure (format from the suffix), written next to the
    destination and renamed into place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temporary(path)
    try:
        figure.savefig(tmp, format=path.suffix[1:].lower(), dpi=dpi)
        tmp.replace(path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def save_map(m: Any, path: str | Path) -> Path:
    """Render a folium map to a standalone HTML file, atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    html = m.get_root().render()
    tmp = _temporary(path)
    try:
        tmp.write_text(html, encoding="utf-8")
        tmp.replace(path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def add_web_options(parser: argparse.ArgumentParser) -> None:
    """``--tiles`` and ``--offline`` (HTML output), and ``--min-cell``."""
    from segspatial.cli._common import add_disclosure_option

    group = parser.add_argument_group("interactive maps (.html output)")
    group.add_argument("--tiles", default=None, metavar="NAME",
                       help="basemap: a folium tile name or URL, or 'none' (default: "
                       "OpenStreetMap; none with --offline)")
    group.add_argument("--offline", action="store_true",
                       help="embed the map library (Leaflet) in the file: works without "
                       "internet")
    add_disclosure_option(parser)


def web_options(args: argparse.Namespace, kind: str) -> dict:
    """The keyword arguments for :mod:`segspatial.webmap` from the options."""
    if kind != "html":
        given = [flag for flag, value in (("--tiles", args.tiles),
                                          ("--offline", args.offline)) if value]
        if given:
            raise CommandError(f"{' and '.join(given)}: only for .html output; "
                               f"--output is {args.output!r}")
        return {}
    options: dict = {"offline": args.offline, "min_cell": args.min_cell}
    if args.tiles is not None:
        options["tiles"] = None if args.tiles.lower() == "none" else args.tiles
    return options
