"""The rater's local outbox: writes to a shared study, kept on this computer until the server
has them (decision 1702).

One SQLite file per (server, rater), WAL with synchronous=FULL: a write is committed here
before it is sent, so a crash of the program or the machine loses none that was made. Rows
leave in the order they were made; a write the server refused for good stays, marked failed.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

DDL = """CREATE TABLE IF NOT EXISTS outbox_write (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    write_key TEXT NOT NULL UNIQUE,
    action TEXT NOT NULL,
    args TEXT NOT NULL,
    made_at TEXT NOT NULL,
    failed TEXT)"""


@dataclass(frozen=True)
class Write:
    key: str
    action: str
    args: dict
    made_at: str
    failed: str | None = None


class Outbox:
    """A durable queue of writes; safe to use from the window's thread and the sender's."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        for pragma in ("journal_mode=WAL", "synchronous=FULL", "busy_timeout=5000"):
            self._db.execute(f"PRAGMA {pragma}")
        self._db.execute(DDL)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def add(self, action: str, args: dict) -> str:
        """Keep one write (committed on return); returns its idempotency key."""
        key = str(uuid.uuid4())
        with self._lock:
            self._db.execute("INSERT INTO outbox_write (write_key, action, args, made_at) "
                             "VALUES (?, ?, ?, ?)",
                             (key, action, json.dumps(args), datetime.now(UTC).isoformat()))
        return key

    def next(self) -> Write | None:
        """The oldest write not yet sent (nor set aside)."""
        with self._lock:
            row = self._db.execute("SELECT write_key, action, args, made_at FROM outbox_write "
                                   "WHERE failed IS NULL ORDER BY seq LIMIT 1").fetchone()
        return None if row is None else Write(row[0], row[1], json.loads(row[2]), row[3])

    def done(self, key: str) -> None:
        """Forget a write the server has. Not flushed to disk on its own (the next write's
        commit flushes it): a delete lost in a crash only sends the write again, and the
        server skips it by its key. One disk flush per write instead of two."""
        with self._lock:
            self._db.execute("PRAGMA synchronous=NORMAL")
            try:
                self._db.execute("DELETE FROM outbox_write WHERE write_key = ?", (key,))
            finally:
                self._db.execute("PRAGMA synchronous=FULL")

    def set_aside(self, key: str, error: str) -> None:
        """The server refused this write for good: keep it, with why, out of the queue."""
        with self._lock:
            self._db.execute("UPDATE outbox_write SET failed = ? WHERE write_key = ?",
                             (error, key))

    def waiting(self) -> int:
        with self._lock:
            return self._db.execute("SELECT count(*) FROM outbox_write "
                                    "WHERE failed IS NULL").fetchone()[0]

    def failed(self) -> list[Write]:
        with self._lock:
            rows = self._db.execute("SELECT write_key, action, args, made_at, failed "
                                    "FROM outbox_write WHERE failed IS NOT NULL "
                                    "ORDER BY seq").fetchall()
        return [Write(k, a, json.loads(g), m, f) for k, a, g, m, f in rows]
