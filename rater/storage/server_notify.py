"""Change notices of a shared study (issue 17, decision 1704): the server tells researchers'
windows when ratings, amendments or assignments change, with LISTEN/NOTIFY, so nothing polls.

`rater server setup` adds one statement-level trigger per watched table (`NOTIFY_DDL`); it
sends the table's name, and nothing else, on the channel `CHANNEL` when a transaction that
changed it commits. Any login of the database may LISTEN (PostgreSQL has no privilege for it),
raters too: so the notice names no rater, recording or code, only that something changed.
`Listener` keeps a connection listening in a thread of its own and comes back after the
server went away.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from sqlalchemy import Engine, text

from rater.storage.engine import make_engine

CHANNEL = "rater_changes"
WATCHED = ("rating", "amendment", "assignment")
RECONNECTED = "reconnected"  # told after a gap, in which notices may have been missed
FUNCTION = "rater_notify_change"
NOTIFY_DDL = (
    f"""CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('{CHANNEL}', TG_TABLE_NAME);
    RETURN NULL;
END $$""",
    *(statement for table in WATCHED for statement in (
        f"DROP TRIGGER IF EXISTS {FUNCTION} ON {table}",
        f"CREATE TRIGGER {FUNCTION} AFTER INSERT OR UPDATE OR DELETE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()")),
)
RETRY_S = (0.2, 0.5, 1.0, 2.0, 5.0)  # waits between attempts to reconnect, then every 5 s
log = logging.getLogger("rater.storage")


def sends_notices(engine: Engine) -> bool:
    """Was this database set up to send change notices (a shared study)?"""
    if engine.dialect.name != "postgresql":
        return False
    with engine.connect() as connection:
        return bool(connection.scalar(text(
            "SELECT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = :name)"),
            {"name": FUNCTION}))


class Listener(threading.Thread):
    """Calls `on_change(table)` from its own thread for every notice, and
    `on_change(RECONNECTED)` when it is listening again after losing the server."""

    def __init__(self, url: str, on_change: Callable[[str], None]):
        super().__init__(name="rater-listener", daemon=True)
        self.url, self.on_change = url, on_change
        self._stopping = threading.Event()
        self.listening = threading.Event()  # set while a connection listens (tests wait on it)

    def stop(self, wait: bool = True) -> None:
        """Stop listening (within half a second; `wait` for it, or not on a UI thread)."""
        self._stopping.set()
        if wait:
            self.join(timeout=5)

    def run(self) -> None:
        failures = 0
        while not self._stopping.is_set():
            try:
                self._listen(told_gap=failures > 0)
                failures = 0
            except Exception as exc:  # whatever broke the connection: keep trying
                self.listening.clear()
                log.info("change notices: lost the server (%s); trying again", exc)
                self._stopping.wait(RETRY_S[min(failures, len(RETRY_S) - 1)])
                failures += 1

    def _listen(self, told_gap: bool) -> None:
        engine = make_engine(self.url)
        try:
            raw = engine.raw_connection()
            try:
                connection = raw.driver_connection
                connection.autocommit = True
                connection.execute(f"LISTEN {CHANNEL}")
                self.listening.set()
                if told_gap:
                    self.on_change(RECONNECTED)
                while not self._stopping.is_set():
                    for notice in connection.notifies(timeout=0.5):
                        self.on_change(notice.payload)
            finally:
                raw.close()
        finally:
            engine.dispose()
