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


@pytest.fixture(scope="session")
def boundaries(shared_data):
    """The real 2019 municipalities (CBS, EPSG:28992), for the real 2019 case."""
    from segspatial.geo import read_boundaries

    return read_boundaries(shared_data / "boundaries" / "nl_maps_rd_gemeente_2019.geojson")


CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def _unavailable(reason: str, what: str = "the browser tests"):
    """Skip on a developer's machine; fail in CI, where .ci/run installs what is needed."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason}; CI must run {what} (.ci/run installs them)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium():
    """Headless Chromium (Debian's package) driven by Playwright, shared by a session."""
    import shutil

    executable = "/usr/bin/chromium"
    if not Path(executable).exists():
        executable = shutil.which("chromium")
    if executable is None:
        _unavailable("headless Chromium not found at /usr/bin/chromium (Debian package "
                     "'chromium')")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed (it is in the test extra)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def qgis_python() -> Path:
    """The Python of the QGIS venv (Debian's QGIS, see tests/qgis_env.py), created on
    first use: skips locally without QGIS, fails under CI=true."""
    import qgis_env

    reason = qgis_env.qgis_missing()
    if reason:
        _unavailable(reason, "the QGIS tests")
    try:
        return qgis_env.ensure_venv()
    except RuntimeError as exc:
        _unavailable(f"could not prepare the QGIS venv: {exc}", "the QGIS tests")


@pytest.fixture(scope="session")
def qgis_process(qgis_python) -> str:
    """The ``qgis_process`` program (Debian package ``qgis``): skips locally without it,
    fails under CI=true."""
    import qgis_env

    executable = qgis_env.qgis_process()
    if executable is None:
        _unavailable("qgis_process not found (Debian package 'qgis')", "the QGIS tests")
    return executable
