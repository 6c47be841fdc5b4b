"""Unsaved note text, kept on disk so a crash loses at most the last half-second of typing.

A note becomes part of the rating when the rater presses Enter (one transaction); until then
its text is a draft. The study has no place for half-written notes, so drafts live in a small
JSON file per study and rater in the user's state folder, replaced atomically on every save.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path


def drafts_file(study: str, rater: str) -> Path:
    from platformdirs import user_state_path

    key = hashlib.sha256(f"{os.path.abspath(study)}\n{rater}".encode()).hexdigest()[:24]
    return user_state_path("rater", appauthor=False) / "note-drafts" / f"{key}.json"


def read_drafts(path: Path) -> dict[str, dict]:
    """Drafts by blind code; nothing (not an error) when the file is missing or unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_drafts(path: Path, drafts: dict[str, dict]) -> None:
    """Replace the file atomically (written, flushed to disk, then renamed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, scratch = tempfile.mkstemp(dir=path.parent, suffix=".part")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(drafts, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(scratch, path)
    except BaseException:
        Path(scratch).unlink(missing_ok=True)
        raise
