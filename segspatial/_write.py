"""Atomic writing of files and folders: the one place every writer of segspatial uses.

A reader (or a later run) sees either the complete old output or the complete new
one at the destination, never a part, whatever happens to the writing process.

Design
------
Every write goes through a *staging folder* beside the destination,
``.<name>.tmp-<random>`` (same file system, so renames are atomic):

* **A file** (:func:`atomic_file`, :func:`write_text`, :func:`write_bytes`) is
  written as ``<staging>/<name>`` (same name, so libraries that look at the suffix
  behave) and moved onto the destination with :func:`os.replace`, which is atomic
  on POSIX and Windows.
* **A folder** (:func:`atomic_folder`, e.g. a report) is filled inside the staging
  folder, which then takes the destination's place. On Linux the two folders are
  swapped in one step (``renameat2(RENAME_EXCHANGE)``), so the destination always
  holds a complete report; the old one, now under the staging name, is removed.
  Where that call is missing or the file system refuses it, the old folder is
  first renamed to ``.<name>.old-<random>`` and the new one renamed into place
  (a short moment without a folder; a kill there is repaired by the next run).
* **Stale temporaries.** The writing process holds an exclusive ``flock`` on its
  staging folder for as long as it runs (POSIX). Before writing, each run looks for
  ``.<name>.tmp-*`` and ``.<name>.old-*`` beside the destination whose lock it can
  take: their writer is gone (killed, power cut). A left-over old folder while the
  destination is missing is the previous output of a run killed between its two
  renames: it is put back. Everything else stale is removed. A staging folder of a
  concurrent run is locked and left alone. Without ``fcntl`` (Windows), leftovers
  older than :data:`STALE_AFTER` seconds count as stale.

Names longer than 180 bytes are shortened in the temporaries' names (with a hash
of the full name), so they stay within the file system's limit.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import functools
import hashlib
import os
import re
import secrets
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = ["STALE_AFTER", "OutputError", "atomic_file", "atomic_folder", "ensure_folder",
           "remove_stale", "write_bytes", "write_text"]

#: Without ``fcntl`` (Windows): age in seconds after which a temporary is stale.
STALE_AFTER = 24 * 3600.0

_TMP = ".tmp-"
_OLD = ".old-"
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _prefix(path: Path, kind: str) -> str:
    """``.<name>.tmp-`` or ``.<name>.old-`` (long names shortened, with a hash)."""
    name = path.name
    if len(name.encode("utf-8", "surrogatepass")) > 180:
        digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:16]
        name = f"{name[:32]}~{digest}"
    return f".{name}{kind}"


# --------------------------------------------------------------------------- the steps
# Module-level functions, one per step, so the tests can stop a write between any two.


def _discard(path: str | os.PathLike) -> None:
    """Remove a temporary (folder or file); gone already is fine."""
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


def _rename(source: str | os.PathLike, target: str | os.PathLike) -> None:
    os.rename(source, target)


@functools.cache
def _renameat2() -> Callable | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # no glibc >= 2.28 (e.g. an old musl)
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                         ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


def _exchange(first: str | os.PathLike, second: str | os.PathLike) -> bool:
    """Swap two paths in one atomic step (Linux ``renameat2(RENAME_EXCHANGE)``).

    Returns False where the call does not exist or the file system does not support
    it (the caller then renames twice); raises OSError for other failures.
    """
    function = _renameat2()
    if function is None:
        return False
    if function(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second),
                _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), os.fspath(first), None, os.fspath(second))


# --------------------------------------------------------------------------- locks


def _lock(path: Path) -> int | None:
    """Hold an exclusive lock on a staging folder while this process writes."""
    if fcntl is None:  # pragma: no cover - Windows
        return None
    fd = os.open(path, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


def _unlock(fd: int | None) -> None:
    if fd is not None:
        os.close(fd)  # closing the descriptor releases the lock


@contextlib.contextmanager
def _claimed(path: str) -> Iterator[bool]:
    """Whether the temporary ``path`` is stale (its writer is gone), claiming it.

    The lock is held while the caller removes or restores it, so two later runs
    never work on the same leftover.
    """
    if fcntl is None:  # pragma: no cover - Windows
        try:
            yield time.time() - os.lstat(path).st_mtime > STALE_AFTER
        except FileNotFoundError:
            yield False
        return
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # vanished, or not ours to open
        yield False
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # a running writer holds it
            yield False
            return
        yield True
    finally:
        os.close(fd)


def remove_stale(path: str | os.PathLike) -> None:
    """Clean up what killed writes of ``path`` left beside it.

    A left-over old folder (``.<name>.old-*``) is put back when ``path`` is missing
    (a run killed between its two renames); every other stale temporary of ``path``
    is removed. Temporaries of a run still writing are left alone (see the module
    notes).
    """
    path = Path(path)
    # exactly <prefix><8 random characters>: not the temporaries of another output
    # whose name merely starts like this one's ("a" and "a.old-x")
    ours = re.compile(f"({re.escape(_prefix(path, _TMP))}|{re.escape(_prefix(path, _OLD))})"
                      r"[a-z0-9_]{8}")
    try:
        names = sorted(entry.name for entry in os.scandir(path.parent)
                       if ours.fullmatch(entry.name))
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in names:
        leftover = os.path.join(path.parent, name)
        with _claimed(leftover) as stale:
            if not stale:
                continue
            if name.startswith(_prefix(path, _OLD)) and not os.path.lexists(path):
                _rename(leftover, path)  # the complete previous output
            else:
                _discard(leftover)


# --------------------------------------------------------------------------- writing


class OutputError(OSError):
    """Writing an output failed: the message names the output (never a temporary's
    name) and why; ``path`` is the output."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"cannot write {str(path)!r}: {reason}")
        self.path = str(path)
        self.reason = reason


def _why(path: Path, exc: OSError) -> OutputError:
    """``exc`` (raised while writing ``path``) in terms of ``path``."""
    for parent in path.parents:
        if os.path.lexists(parent):
            if not parent.is_dir():
                return OutputError(path, f"{str(parent)!r} is a file, not a folder")
            break
    return OutputError(path, exc.strerror or str(exc))


def ensure_folder(path: str | os.PathLike) -> Path:
    """Create the folder ``path`` (and its parents); OutputError, naming it, if not."""
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _why(path, exc) from exc
    if not path.is_dir():
        raise OutputError(path, "it exists and is not a folder")
    return path


@contextlib.contextmanager
def _staging(path: Path) -> Iterator[Path]:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        remove_stale(path)
        staging = Path(tempfile.mkdtemp(prefix=_prefix(path, _TMP), dir=path.parent))
    except OutputError:
        raise
    except OSError as exc:
        raise _why(path, exc) from exc
    fd = _lock(staging)
    try:
        yield staging
    finally:
        _discard(staging)  # after success: an empty folder, or the old output
        _unlock(fd)


@contextlib.contextmanager
def atomic_file(path: str | os.PathLike) -> Iterator[Path]:
    """A temporary path to write ``path`` to; it replaces ``path`` when all went well.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> with atomic_file(folder / "table.csv") as tmp:
    ...     _ = tmp.write_text("a,b\\n1,2\\n")
    >>> sorted(p.name for p in folder.iterdir())
    ['table.csv']
    >>> shutil.rmtree(folder)
    """
    path = Path(path)
    with _staging(path) as staging:
        target = staging / path.name
        try:
            yield target
        except OutputError:
            raise
        except OSError as exc:  # e.g. a full disk while writing the temporary
            raise _why(path, exc) from exc
        if not target.exists():
            raise FileNotFoundError(f"nothing was written for {str(path)!r}")
        try:
            os.replace(target, path)
        except OSError as exc:  # e.g. the destination is a folder
            raise _why(path, exc) from exc


def write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically; returns the path."""
    path = Path(path)
    with atomic_file(path) as tmp:
        tmp.write_bytes(data)
    return path


def write_text(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` to ``path`` atomically, in UTF-8 with ``\\n`` line ends."""
    return write_bytes(path, text.encode("utf-8"))


@contextlib.contextmanager
def atomic_folder(path: str | os.PathLike, *, marker: str | None = None,
                  what: str = "folder") -> Iterator[Path]:
    """An empty folder to fill; it takes the place of the folder ``path`` at the end.

    If anything fails or the process is killed before the end, ``path`` keeps its
    old content; the next write of ``path`` removes the leftovers (and first puts
    back an old folder a kill left aside).

    Parameters
    ----------
    path : path
        The folder to replace as a whole.
    marker : str, optional
        Name of a file that marks the folders this kind of output writes (e.g.
        ``.segspatial-report``): an existing ``path`` is replaced only when it is
        empty or holds the marker, and the new folder gets it.
    what : str
        What the folder is, for the marker's content and the error messages.

    Raises
    ------
    ValueError
        With ``marker``: ``path`` is a file, or a non-empty folder without the marker.
    """
    path = Path(path)
    remove_stale(path)
    if marker is not None:
        check_folder(path, marker=marker, what=what)
    with _staging(path) as staging:
        staging.chmod(0o755)  # mkdtemp makes it private; an output folder is for reading
        yield staging
        if marker is not None:
            (staging / marker).write_text(f"segspatial {what}\n", encoding="utf-8")
        try:
            _swap_in(staging, path)
        except OSError as exc:
            raise _why(path, exc) from exc


def check_folder(path: str | os.PathLike, *, marker: str, what: str = "folder") -> None:
    """Raise now what :func:`atomic_folder` with ``marker`` would raise for ``path`` (a
    file, or a non-empty folder without the marker), so a command can refuse its
    output before the work; nothing is changed on disk.

    Raises
    ------
    ValueError
    """
    path = Path(path)
    if not path.exists():
        return
    if not path.is_dir():
        raise ValueError(f"output {str(path)!r} exists and is not a folder")
    if any(path.iterdir()) and not (path / marker).exists():
        raise ValueError(f"output {str(path)!r} is a non-empty folder that is not a "
                         f"segspatial {what}; choose a new or empty folder")


def _swap_in(new: Path, path: Path) -> None:
    """Put the folder ``new`` at ``path``; the old content ends up at ``new``."""
    if not os.path.lexists(path):
        _rename(new, path)
        return
    if _exchange(new, path):
        return
    old = path.with_name(_prefix(path, _OLD) + secrets.token_hex(4))
    _rename(path, old)
    try:
        _rename(new, path)
    except BaseException:
        _rename(old, path)
        raise
    _discard(old)
