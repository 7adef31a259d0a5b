"""The library functions the sub-commands call, imported when first called.

``segspatial --help`` builds every sub-command's parser; importing pandas (and the
modules that need it) only when a command runs keeps it quick. Each name here is the
library function itself once called (same signature, same errors).
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["apply_filters", "demo_pupils", "demo_schools", "exclusions_summary",
           "has_values", "prepare_counts", "pupil_segregation", "read_table",
           "segregation", "write_table"]


def _lazy(module: str, name: str):
    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(importlib.import_module(module), name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    call.__doc__ = f"``{module}.{name}``, imported on first call."
    return call


def read_table(path: Any, **kwargs: Any) -> Any:
    """:func:`segspatial.io.read_table`, refusing a file without data rows: every file a
    command reads is input it needs (a header-only CSV would otherwise reach pandas or
    the library and fail there with their words, or give an empty output)."""
    frame = importlib.import_module("segspatial.io").read_table(path, **kwargs)
    if len(frame) == 0:
        from pathlib import Path

        csv = Path(path).suffix.lower() not in (".parquet", ".pq", ".sav", ".zsav")
        raise ValueError(f"{str(path)!r} has " + ("a header but no data rows" if csv
                                                  else "no rows"))
    return frame


write_table = _lazy("segspatial.io", "write_table")
has_values = _lazy("segspatial.schema", "has_values")
exclusions_summary = _lazy("segspatial.counts", "exclusions_summary")
prepare_counts = _lazy("segspatial.counts", "prepare_counts")
apply_filters = _lazy("segspatial.counts", "apply_filters")
segregation = _lazy("segspatial.compute", "segregation")
pupil_segregation = _lazy("segspatial.pupils", "pupil_segregation")
demo_pupils = _lazy("segspatial.demo", "demo_pupils")
demo_schools = _lazy("segspatial.demo", "demo_schools")
