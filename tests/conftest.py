"""Shared fixtures: the real public data (skipped when absent) and plotting backend."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

os.environ.setdefault("MPLBACKEND", "Agg")

# Deterministic property tests everywhere: same examples on every run.
settings.register_profile("segspatial", derandomize=True, deadline=None,
                          print_blob=True)
settings.load_profile("segspatial")

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("SEGSPATIAL_SHARED_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The folder with the real public data, or skip the test with the reason."""
    if not (SHARED_DATA / "duo").is_dir():
        pytest.skip(f"real public data not found at {SHARED_DATA} (needs ../shared/data "
                    "beside the checkout, or $SEGSPATIAL_SHARED_DATA)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def real_2019(shared_data):
    """The real 2019 case: 6,295 schools in 355 municipalities."""
    from segspatial.datasets import real_2019_case

    return real_2019_case(shared_data)
