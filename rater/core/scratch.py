"""Scratch folders that a killed process does not leave behind for good.

A scratch folder lives beside its final result (so the result can be renamed into place) and is
named `.rater-LABEL-RANDOM.part`. While in use, its owner holds an exclusive lock on the `lock`
file inside it; the kernel drops that lock when the process dies, however it dies. Every new
scratch folder first sweeps its parent: a folder whose lock can be taken is a leftover of a
killed run and is removed; one still locked belongs to a running process and is kept.
"""

from __future__ import annotations

import fcntl
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PREFIX = ".rater-"
SUFFIX = ".part"
LOCK = "lock"
UNLOCKED_GRACE_S = 60  # a folder just made, not yet locked by its owner, is left alone


@contextmanager
def scratch_folder(parent: Path, label: str) -> Iterator[Path]:
    """A fresh, locked scratch folder in `parent`, removed on exit (leftovers swept first)."""
    sweep(parent)
    folder = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{label}-", suffix=SUFFIX, dir=parent))
    lock = open(folder / LOCK, "w")  # noqa: SIM115 (held open for the folder's lifetime)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        lock.close()


def sweep(parent: Path) -> None:
    """Remove the scratch folders in `parent` left by processes that no longer run."""
    try:
        entries = list(parent.glob(f"{PREFIX}*{SUFFIX}"))
    except OSError:
        return
    for entry in entries:
        if entry.is_dir() and not entry.is_symlink() and _abandoned(entry):
            shutil.rmtree(entry, ignore_errors=True)


def _abandoned(folder: Path) -> bool:
    try:
        with open(folder / LOCK, "r+") as lock:  # never creates it: the owner does
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
    except BlockingIOError:
        return False  # its owner is running
    except OSError:
        try:
            return time.time() - folder.stat().st_mtime > UNLOCKED_GRACE_S
        except OSError:
            return False


def promote(folder: Path, target: Path) -> None:
    """Rename a finished scratch folder to `target` (its lock file left out). If another
    process got there first, theirs stays and this one is dropped on leaving the scratch."""
    (folder / LOCK).unlink(missing_ok=True)
    try:
        folder.rename(target)
    except OSError:
        if not target.is_dir():
            raise
