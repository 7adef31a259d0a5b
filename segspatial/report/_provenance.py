"""The report's provenance step: the settings and input files shown in the method
section (file names, sizes and SHA-256 digests; options as computed)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from segspatial.compute import SegregationResult

__all__: list[str] = []


def _file_info(path: Any) -> dict[str, Any]:
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"inputs: {str(path)!r} is not a file")
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return {"name": path.name, "bytes": path.stat().st_size,
            "sha256": digest.hexdigest()}


def _provenance(result: SegregationResult, options: Mapping[str, Any],
                spatial: Mapping[str, Any], *, unit: str, x: str, y: str,
                kernel: str | None, inputs: Iterable[Any]) -> dict[str, Any]:
    """The settings and input files, for the method section."""
    given = result.parameters or {}
    return {
        "unit": unit, "x": x, "y": y, "crs": options["crs"].to_string(),
        "year": given.get("year"),
        "bandwidths": options["bandwidths"],
        "kernel": kernel or "gaussian", "districts": spatial["district_text"],
        "permutations": options["permutations"], "seed": options["rng"],
        "min_unit_size": given.get("min_unit_size"),
        "min_area_size": given.get("min_area_size"),
        "pupils": "comparisons" in given,
        "inputs": [_file_info(p) for p in inputs],
        "group_columns": ({} if "comparisons" in given else {
            "a": str(given.get("group_a", "a")), "b": str(given.get("group_b", "b"))}),
        "district_code": spatial["district_col"],
        "profile_bandwidths": spatial["profile_bandwidths"],
        "inference": dict(options["inference"]),
    }
