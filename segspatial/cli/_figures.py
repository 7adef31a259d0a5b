"""Writing figures and web maps atomically, for the map sub-commands."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from segspatial._write import write_bytes, write_text
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


def save_figure(figure: Any, path: str | Path, *, dpi: int = 150) -> Path:
    """Save a matplotlib figure (format from the suffix), atomically; the same figure
    gives the same bytes (:func:`segspatial.plot.figure_bytes`)."""
    from segspatial.plot import figure_bytes

    path = Path(path)
    return write_bytes(path, figure_bytes(figure, path.suffix[1:].lower(), dpi=dpi))


def save_map(m: Any, path: str | Path) -> Path:
    """Render a folium map to a standalone HTML file, atomically; the same map gives
    the same bytes (:func:`segspatial.webmap.to_html`)."""
    from segspatial.webmap import to_html

    return write_text(path, to_html(m))


def save_pages(figures: list, path: str | Path, *, dpi: int = 150) -> list[Path]:
    """Save the pages of a figure: one page as ``path``; several as one multi-page PDF,
    or as numbered PNG/SVG files (``grid-1.png``, ``grid-2.png``, ...). Atomic, and
    the same figures give the same bytes."""
    from segspatial.plot import figure_bytes, pdf_pages_bytes

    path = Path(path)
    kind = path.suffix[1:].lower()
    if len(figures) == 1:
        return [write_bytes(path, figure_bytes(figures[0], kind, dpi=dpi))]
    if kind == "pdf":
        return [write_bytes(path, pdf_pages_bytes(figures))]
    width = len(str(len(figures)))
    return [write_bytes(path.with_name(f"{path.stem}-{i:0{width}d}{path.suffix}"),
                        figure_bytes(figure, kind, dpi=dpi))
            for i, figure in enumerate(figures, start=1)]


def add_figure_words(parser: argparse.ArgumentParser) -> None:
    """The groups ``figure`` (``--title``), ``labels`` (``--label-a/--label-b``) and
    ``--lang`` of ``pages``: the words of a figure or map."""
    from segspatial.cli._options import add_group

    add_group(parser, "figure")
    add_group(parser, "labels", only=("label_a", "label_b"))  # two groups on a figure
    add_group(parser, "pages", only=("lang",))


def figure_options(args: argparse.Namespace) -> dict:
    """The keyword arguments of :func:`add_figure_words` for the figure functions."""
    return {"title": args.title, "label_a": args.label_a, "label_b": args.label_b,
            "lang": args.lang}


def add_map_output(parser: argparse.ArgumentParser) -> None:
    """The groups of a map command: ``web``, ``disclosure`` and ``output`` (.html or a
    figure), then ``reading``."""
    from segspatial.cli._options import add_group

    add_group(parser, "web")
    add_group(parser, "disclosure")
    add_group(parser, "output", skip=("exclusions_output",), required=("output",),
              output_help="output: .html (interactive), .png, .svg or .pdf")
    add_group(parser, "reading")


def web_options(args: argparse.Namespace, kind: str) -> dict:
    """The keyword arguments for :mod:`segspatial.webmap` from the groups ``web`` and
    ``disclosure`` of :mod:`segspatial.cli._options`."""
    if kind != "html":
        given = [flag for flag, value in (("--tiles", args.tiles),
                                          ("--offline", args.offline)) if value]
        if given:
            raise CommandError(f"{' and '.join(given)}: only for .html output; "
                               f"--output is {args.output!r}")
        return {}
    options: dict = {"offline": args.offline, "min_cell": args.min_cell}
    if args.tiles is not None:
        options["tiles"] = tiles(args)
    return options


def tiles(args: argparse.Namespace) -> str | None:
    """``--tiles``: None for 'none' (no basemap), else the name or URL."""
    return None if args.tiles is None or args.tiles.lower() == "none" else args.tiles
