"""Is a database that came in a pack a sound rater's copy? Checked before it is used, so a
damaged or crafted one is an error that names the pack, not a temporary file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from rater.core.errors import Problem, RaterError


def check_rater_database(database: Path, where: str, audio: set[str] | None = None) -> None:
    """Raise a `RaterError` naming `where` unless `database` is an intact rater-mode study.

    With `audio` (the audio members of an issued pack), every recording must point at its own
    member, `audio/CODE.flac` or `audio/CODE.opus` (one codec for the whole pack), and nothing
    else: a path in the database never leads outside the pack's folder.
    """
    try:
        connection = sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True)
        try:
            why = _problem(connection, audio)
        finally:
            connection.close()
    except sqlite3.Error as exc:
        why = f"it cannot be read ({exc})"
    if why:
        raise RaterError(Problem(f"the pack's database is not a sound rater's copy: {why}",
                                 where, "ask for the pack to be sent again"))


def _problem(connection: sqlite3.Connection, audio: set[str] | None) -> str | None:
    if connection.execute("PRAGMA quick_check").fetchone() != ("ok",):
        return "it is damaged"
    if connection.execute("SELECT mode FROM study WHERE id = 1").fetchall() != [("rater",)]:
        return "it is not a rater's copy"
    if audio is None:
        return None
    rows = connection.execute("SELECT blind_code, source_path, blind_path FROM recording")
    suffixes = {Path(name).suffix for name in audio}
    if len(suffixes) > 1:
        return "its recordings are not all in one format"
    suffix = suffixes.pop() if suffixes else ".flac"
    for code, source, blind in rows:
        member = f"audio/{code}{suffix}"
        if source != member or blind != member or member not in audio:
            return f"recording {str(code)[:20]!r} does not point at its own audio in the pack"
    return None
