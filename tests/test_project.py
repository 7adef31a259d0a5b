"""The project's own promises: README commands, CI, lint, public surface."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _readme_commands() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = text.split("```bash", 1)[1].split("```", 1)[0]
    return [line.strip() for line in block.strip().splitlines()]


def test_readme_opens_with_two_setup_commands():
    commands = _readme_commands()
    assert len(commands) == 2
    assert commands[0].startswith("pip install -e . && segspatial demo")
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command_exactly():
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert _readme_commands()[1] in [line.strip() for line in ci]


def test_ruff_clean():
    ruff = shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed (it is in the test extra)")
    done = subprocess.run([ruff, "check", str(REPO)], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_import_is_light():
    code = ("import sys, segspatial; heavy = [m for m in ('matplotlib', 'folium', "
            "'geopandas', 'libpysal') if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"


def test_public_surface_is_declared():
    import segspatial

    for name in segspatial.__all__:
        assert hasattr(segspatial, name), name


#: segspatial.geo's public names before it became a package (must not change).
_GEO_PUBLIC = {
    "DEFAULT_DISTANCE_CRS", "LOCATION_REASONS", "GeometryWarning", "assign_areas",
    "check_area_of_use", "geocode_postcodes", "join_areas", "read_boundaries",
    "repair_boundaries", "require_projected", "to_projected", "unit_exclusions",
    "unit_points", "write_geo",
}


def test_geo_package_keeps_its_public_names_and_only_reexports():
    import ast

    import segspatial.geo as geo

    assert set(geo.__all__) == _GEO_PUBLIC
    for name in _GEO_PUBLIC:
        assert hasattr(geo, name), name
    # __init__ holds no code of its own, only imports (one place per idea)
    tree = ast.parse((REPO / "segspatial" / "geo" / "__init__.py").read_text("utf-8"))
    kinds = {type(node).__name__ for node in tree.body}
    assert kinds <= {"Expr", "ImportFrom", "Assign"}, kinds
    # every function and class of the package is defined in exactly one module
    defined: dict[str, str] = {}
    for path in sorted((REPO / "segspatial" / "geo").glob("*.py")):
        for node in ast.parse(path.read_text("utf-8")).body:
            if isinstance(node, ast.FunctionDef | ast.ClassDef):
                assert node.name not in defined, (node.name, path.name, defined.get(node.name))
                defined[node.name] = path.name


def test_geo_modules_stay_below_900_lines():
    for path in (REPO / "segspatial" / "geo").glob("*.py"):
        lines = path.read_text("utf-8").count("\n")
        assert lines < 900, (path.name, lines)
