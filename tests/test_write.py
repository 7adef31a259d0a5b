"""Atomic writing (segspatial._write): files and folders, kills at every step, stale
temporaries, and every writer of the package going through it."""

from __future__ import annotations

import errno
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from segspatial import _write as w

REPO = Path(__file__).resolve().parents[1]


class Killed(BaseException):
    """Stands for SIGKILL: nothing after it runs, no clean-up either (see `kill_at`)."""


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.is_dir() \
        else {}


def _leftovers(parent: Path, name: str) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(f".{name}."))


def _fill(folder: Path, version: str, n: int = 3) -> None:
    for i in range(n):
        (folder / f"page{i}.html").write_text(f"{version} {i}")


OLD = {f"page{i}.html": f"old {i}".encode() for i in range(3)}
NEW = {f"page{i}.html": f"new {i}".encode() for i in range(3)}


@pytest.fixture
def out(tmp_path):
    out = tmp_path / "report"
    with w.atomic_folder(out) as folder:
        _fill(folder, "old")
    assert _tree(out) == OLD and _leftovers(tmp_path, "report") == []
    return out


def kill_at(monkeypatch, step: str, *, after: bool = False):
    """Make the step function ``step`` of the module 'kill' the process: before it
    runs (or right after it), and with clean-up disabled, as SIGKILL would."""
    real = getattr(w, step)

    def killed(*args, **kwargs):
        if after:
            real(*args, **kwargs)
        raise Killed(step)

    monkeypatch.setattr(w, "_discard", lambda path: None)
    monkeypatch.setattr(w, step, killed)


# --------------------------------------------------------------------------- files


def test_atomic_file_replaces_or_keeps_the_old_file(tmp_path):
    path = tmp_path / "deep" / "table.csv"
    assert w.write_text(path, "a\n1\n") == path
    assert path.read_text() == "a\n1\n"
    with pytest.raises(RuntimeError, match="disk full"), w.atomic_file(path) as tmp:
        tmp.write_text("half")
        raise RuntimeError("disk full")
    assert path.read_text() == "a\n1\n"
    assert sorted(p.name for p in path.parent.iterdir()) == ["table.csv"]
    with pytest.raises(FileNotFoundError, match="nothing was written"), \
            w.atomic_file(path):
        pass
    assert path.read_text() == "a\n1\n"


def test_a_killed_file_write_is_cleaned_up_by_the_next(tmp_path, monkeypatch):
    path = tmp_path / "m.html"
    w.write_text(path, "old")
    monkeypatch.setattr(w, "_discard", lambda p: None)
    with pytest.raises(Killed), w.atomic_file(path) as tmp:
        tmp.write_text("half")
        raise Killed
    assert path.read_text() == "old" and len(_leftovers(tmp_path, "m.html")) == 1
    monkeypatch.undo()
    w.write_text(path, "new")
    assert path.read_text() == "new" and _leftovers(tmp_path, "m.html") == []


def test_a_running_writer_s_temporary_is_left_alone(tmp_path):
    """Another process still writing holds the lock on its staging folder."""
    path = tmp_path / "m.html"
    live = tmp_path / ".m.html.tmp-live0000"  # 8 characters after the prefix, as mkdtemp
    live.mkdir()
    (live / "m.html").write_text("being written")
    stale = tmp_path / ".m.html.tmp-dead0000"
    stale.mkdir()
    fd = w._lock(live)  # a second descriptor: flock treats it like another process
    try:
        w.write_text(path, "x")
        assert live.is_dir() and not stale.exists()
    finally:
        w._unlock(fd)
    w.write_text(path, "y")
    assert _leftovers(tmp_path, "m.html") == []


def test_only_its_own_temporaries(tmp_path):
    """Output "a" never takes the leftovers of an output called "a.old-x"."""
    theirs = tmp_path / ".a.old-x.old-0123abcd"  # the old folder of output "a.old-x"
    theirs.mkdir()
    w.write_text(tmp_path / "a", "mine")
    assert theirs.is_dir() and (tmp_path / "a").read_text() == "mine"


def test_long_and_odd_names(tmp_path):
    long = tmp_path / ("L" * 250 + ".csv")
    w.write_text(long, "x")
    assert long.read_text() == "x"
    odd = tmp_path / "[*?] {{7*7}} $x$.svg"  # glob and template characters are just text
    w.write_text(odd, "y")
    w.write_text(odd, "z")
    assert odd.read_text() == "z"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([long.name, odd.name])


# --------------------------------------------------------------------------- folders


def test_a_marked_folder_replaces_only_its_own_kind(tmp_path):
    out = tmp_path / "report"
    with w.atomic_folder(out, marker=".mark", what="report") as folder:
        _fill(folder, "new")
    assert (out / ".mark").read_text() == "segspatial report\n"
    with w.atomic_folder(out, marker=".mark", what="report") as folder:  # its own: fine
        _fill(folder, "newer")
    other = tmp_path / "thesis"
    other.mkdir()
    (other / "thesis.docx").write_text("precious")
    with pytest.raises(ValueError, match="non-empty folder that is not a segspatial "
                                         "report"), w.atomic_folder(other, marker=".mark",
                                                                    what="report"):
        pass
    (tmp_path / "file").write_text("x")
    with pytest.raises(ValueError, match="exists and is not a folder"), \
            w.atomic_folder(tmp_path / "file", marker=".mark"):
        pass
    assert (other / "thesis.docx").read_text() == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "report", "thesis"]


def test_folder_failure_keeps_the_old_one(out):
    with pytest.raises(RuntimeError), w.atomic_folder(out) as folder:
        _fill(folder, "new", n=1)
        raise RuntimeError("disk full")
    assert _tree(out) == OLD and _leftovers(out.parent, "report") == []


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "two-renames"])
def test_output_is_always_complete(out, monkeypatch, exchange):
    """Look at the output just before and after every step of the swap."""
    if not exchange:
        monkeypatch.setattr(w, "_exchange", lambda a, b: False)
    elif w._renameat2() is None:
        pytest.skip("renameat2 is not available here")
    seen = []

    def watched(name):
        real = getattr(w, name)

        def step(*args):
            seen.append(_tree(out))
            result = real(*args)
            seen.append(_tree(out))
            return result
        monkeypatch.setattr(w, name, step)

    for name in ("_exchange", "_rename", "_discard"):
        watched(name)
    with w.atomic_folder(out) as folder:
        _fill(folder, "new")
    assert _tree(out) == NEW
    assert all(state in (OLD, NEW) for state in seen) == exchange
    if not exchange:  # between the two renames there is no folder: repaired if killed
        assert {} in seen
    assert _leftovers(out.parent, "report") == []


# (step, after?, what is at the output after the kill)
KILLS = [
    ("_lock", False, OLD),           # staging folder made, nothing written
    ("_swap_in", False, OLD),        # all pages written, not yet swapped
    ("_exchange", True, NEW),        # swapped; the old report is left in the staging folder
]
FALLBACK_KILLS = [
    ("_rename", False, OLD),         # before the first rename
    ("_rename", True, {}),           # between the renames: no folder at the output ...
]


@pytest.mark.parametrize("step, after, state", KILLS + FALLBACK_KILLS,
                         ids=[f"{s}{'-after' if a else ''}" for s, a, _ in KILLS]
                         + ["fallback-before-first-rename", "fallback-between-renames"])
def test_kill_at_each_step_then_the_next_run_recovers(out, monkeypatch, step, after, state):
    if (step, after, state) in FALLBACK_KILLS:
        monkeypatch.setattr(w, "_exchange", lambda a, b: False)
    elif step == "_exchange" and w._renameat2() is None:
        pytest.skip("renameat2 is not available here")
    kill_at(monkeypatch, step, after=after)
    with pytest.raises(Killed), w.atomic_folder(out) as folder:
        _fill(folder, "new")
    assert _tree(out) == state
    assert _leftovers(out.parent, "report")  # what the kill left behind
    monkeypatch.undo()
    w.remove_stale(out)  # what the next run does first
    # ... which a kill between the renames left as the old report, put back
    assert _tree(out) == (OLD if state == {} else state)
    assert _leftovers(out.parent, "report") == []
    with w.atomic_folder(out) as folder:
        _fill(folder, "newer")
    assert _tree(out) == {f"page{i}.html": f"newer {i}".encode() for i in range(3)}
    assert _leftovers(out.parent, "report") == []


def test_a_kill_while_filling_leaves_partial_pages_that_the_next_run_removes(out,
                                                                           monkeypatch):
    monkeypatch.setattr(w, "_discard", lambda path: None)
    with pytest.raises(Killed), w.atomic_folder(out) as folder:
        _fill(folder, "new", n=1)
        raise Killed
    (partial,) = _leftovers(out.parent, "report")
    assert partial.startswith(".report.tmp-") and _tree(out) == OLD
    monkeypatch.undo()
    with w.atomic_folder(out) as folder:
        _fill(folder, "new")
    assert _tree(out) == NEW and _leftovers(out.parent, "report") == []


_KILL_SCRIPT = """
import os, signal, sys
from pathlib import Path
from segspatial import _write as w
out, where = Path(sys.argv[1]), sys.argv[2]
if where == "before-swap":
    w._swap_in = lambda new, path: os.kill(os.getpid(), signal.SIGKILL)
with w.atomic_folder(out) as folder:
    (folder / "page0.html").write_text("new 0")
    if where == "while-writing":
        os.kill(os.getpid(), signal.SIGKILL)
    for i in (1, 2):
        (folder / f"page{i}.html").write_text(f"new {i}")
"""


@pytest.mark.parametrize("where", ["while-writing", "before-swap"])
def test_a_real_sigkill(out, where):
    """A real SIGKILL: no Python clean-up runs; the kernel drops the lock."""
    done = subprocess.run([sys.executable, "-c", _KILL_SCRIPT, str(out), where],
                          cwd=REPO, capture_output=True, text=True)
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert _tree(out) == OLD
    (left,) = _leftovers(out.parent, "report")
    assert len(os.listdir(out.parent / left)) == (1 if where == "while-writing" else 3)
    with w.atomic_folder(out) as folder:
        _fill(folder, "new")
    assert _tree(out) == NEW and _leftovers(out.parent, "report") == []


# --------------------------------------------------------------------------- every writer


def test_every_writer_uses_the_one_helper():
    """No module writes files its own way: one place for atomic writing."""
    offenders = []
    for path in sorted((REPO / "segspatial").rglob("*.py")):
        if path.name == "_write.py":
            continue
        text = "\n".join(line for line in path.read_text(encoding="utf-8").splitlines()
                         if not line.lstrip().startswith((">>>", "...")))  # not doctests
        for needle in (r"os\.replace\(", r"\.replace\(path\)",
                       r"\b(?:os|tmp|old|new|output|path)\.rename\(",
                       r"mkstemp\(", r"mkdtemp\(", r"\.savefig\((?!buffer)", r"\.save\([^)]"):
            if re.search(needle, text):
                offenders.append(f"{path.relative_to(REPO)}: {needle}")
    assert offenders == []


def test_table_and_geo_writers_leave_nothing_behind(tmp_path):
    import geopandas as gpd
    from shapely.geometry import box

    from segspatial.geo import write_geo
    from segspatial.io import write_table

    frame = pd.DataFrame({"area": ["{{7*7}}", "b"], "value": [0.5, 0.25]})
    for name in ("t.csv", "t.parquet"):
        write_table(frame, tmp_path / name)
    geo = gpd.GeoDataFrame(frame, geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)],
                           crs="EPSG:28992")
    for name in ("g.gpkg", "g.geojson", "g.parquet"):
        write_geo(geo, tmp_path / name)
        write_geo(geo, tmp_path / name)  # and again, over the first
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "g.geojson", "g.gpkg", "g.parquet", "t.csv", "t.parquet"]
    assert gpd.read_file(tmp_path / "g.gpkg")["area"].tolist() == ["{{7*7}}", "b"]


def test_a_failed_write_names_the_output_never_a_temporary(tmp_path):
    """Every failure to write says which output and why, in its own terms: never the
    staging folder's random name, never "File exists" for a file in the way."""
    blocker = tmp_path / "plain.txt"
    blocker.write_text("a file")
    (tmp_path / "folder.csv").mkdir()
    cases = [
        (blocker / "out.csv", "plain.txt' is a file, not a folder"),
        (blocker / "sub" / "out.csv", "plain.txt' is a file, not a folder"),
        (tmp_path / "folder.csv", "Is a directory"),
    ]
    for path, reason in cases:
        with pytest.raises(w.OutputError) as exc:
            w.write_text(path, "x")
        assert str(exc.value).startswith(f"cannot write {str(path)!r}: ")
        assert reason in str(exc.value) and ".tmp-" not in str(exc.value)
        assert exc.value.path == str(path)
    with pytest.raises(w.OutputError, match="plain.txt' is a file, not a folder"), \
            w.atomic_folder(blocker / "report"):
        pass
    # a failure while the caller writes (e.g. a full disk) names the output too
    with pytest.raises(w.OutputError, match=r"cannot write '.*out\.csv': No space left"):
        with w.atomic_file(tmp_path / "out.csv"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "/x/.out.csv.tmp-abcdefgh")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder.csv", "plain.txt"]
