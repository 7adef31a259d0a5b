"""The QGIS test environment: Debian's QGIS and a venv of its Python with segspatial.

QGIS's Python bindings (Debian's ``python3-qgis``) are built for ``/usr/bin/python3``,
not for the Python that runs pytest. So the QGIS tests run in a subprocess whose Python
comes from a venv made with ``/usr/bin/python3 -m venv --system-site-packages`` (it
sees ``qgis``) into which this checkout (editable) and its dependencies are installed
with pip.

The venv lives outside the repository, in ``$SEGSPATIAL_QGIS_VENV`` or else
``~/.cache/segspatial/qgis-venv-<hash of the checkout path>`` (one per checkout, as the
install is editable), and is reinstalled when ``pyproject.toml`` changes. ``.ci/run``
prepares it before the tests (``python tests/qgis_env.py``); otherwise the test
fixture creates it on first use (about half a minute with pip's cache).

Run as a script it prints the venv's Python (or the reason QGIS is not available, with
exit status 1).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
#: The Python that Debian's QGIS bindings are built for.
SYSTEM_PYTHON = "/usr/bin/python3"
#: Debian's packages the QGIS tests need (``qgis`` brings ``qgis_process``).
DEBIAN_PACKAGES = ("python3-qgis", "qgis-providers", "qgis", "python3-venv")


def qgis_missing() -> str | None:
    """Why QGIS cannot be used here, or None when it can."""
    if not Path(SYSTEM_PYTHON).exists():
        return f"{SYSTEM_PYTHON} not found (Debian's Python, which QGIS's bindings need)"
    done = subprocess.run([SYSTEM_PYTHON, "-c", "import qgis.core"], capture_output=True,
                          text=True, check=False)
    if done.returncode:
        return ("QGIS's Python bindings are not installed (Debian packages "
                f"{', '.join(DEBIAN_PACKAGES[:2])}): {done.stderr.strip().splitlines()[-1:]}")
    return None


def venv_path(repo: Path = REPO) -> Path:
    """Where the QGIS venv of this checkout lives."""
    if os.environ.get("SEGSPATIAL_QGIS_VENV"):
        return Path(os.environ["SEGSPATIAL_QGIS_VENV"])
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    key = hashlib.sha256(str(repo).encode()).hexdigest()[:12]
    return cache / "segspatial" / f"qgis-venv-{key}"


def _stamp(repo: Path) -> str:
    digest = hashlib.sha256((repo / "pyproject.toml").read_bytes())
    digest.update(str(repo).encode())
    return digest.hexdigest()


def site_packages(venv: Path) -> Path:
    """The venv's site-packages folder."""
    found = sorted((venv / "lib").glob("python3*/site-packages"))
    if not found:
        raise FileNotFoundError(f"no site-packages in {venv}")
    return found[0]


def ensure_venv(repo: Path = REPO) -> Path:
    """Create (or refresh) the QGIS venv and return its Python.

    Raises
    ------
    RuntimeError
        If QGIS is not available, or the venv or the install fails (with pip's output).
    """
    import fcntl

    reason = qgis_missing()
    if reason:
        raise RuntimeError(reason)
    venv = venv_path(repo)
    python = venv / "bin" / "python"
    stamp_file = venv / ".segspatial-stamp"
    venv.parent.mkdir(parents=True, exist_ok=True)
    with open(venv.parent / f".{venv.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one creator at a time (parallel sessions)
        if python.exists() and stamp_file.exists() and \
                stamp_file.read_text().strip() == _stamp(repo):
            return python
        steps = []
        if not python.exists():
            steps.append([SYSTEM_PYTHON, "-m", "venv", "--system-site-packages", str(venv)])
        steps.append([str(python), "-m", "pip", "install", "--quiet",
                      "--disable-pip-version-check", "-e", str(repo)])
        for step in steps:
            done = subprocess.run(step, capture_output=True, text=True, check=False)
            if done.returncode:
                output = (done.stdout + done.stderr).strip().splitlines()[-15:]
                raise RuntimeError(f"{' '.join(step)} failed:\n" + "\n".join(output))
        check = subprocess.run([str(python), "-c", "import qgis.core, segspatial"],
                               capture_output=True, text=True, check=False)
        if check.returncode:
            raise RuntimeError(f"the QGIS venv {venv} cannot import qgis and segspatial: "
                               f"{check.stderr.strip()}")
        stamp_file.write_text(_stamp(repo) + "\n")
    return python


def qgis_process() -> str | None:
    """The ``qgis_process`` executable (Debian's wrapper passes an option 3.22 does not
    know, so its ``.bin`` is preferred), or None."""
    for candidate in ("/usr/bin/qgis_process.bin", "/usr/bin/qgis_process"):
        if Path(candidate).exists():
            return candidate
    return None


if __name__ == "__main__":  # pragma: no cover - used by .ci/run
    try:
        print(ensure_venv())
    except RuntimeError as exc:
        print(f"QGIS tests unavailable: {exc}", file=sys.stderr)
        sys.exit(1)
