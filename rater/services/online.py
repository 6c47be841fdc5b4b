"""A rater working on a shared study: every write goes first to a local outbox, then to the
server by a background sender, each exactly once, through outages (issue 17, decision 1702).

The window makes one `OnlineRater` per study it opens, calls its actions (they return at
once: the write is safe on disk) and shows `status()`; `on_change` is called (from the
sender's thread) whenever the status changes.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rater.core.errors import RaterError
from rater.storage import server_writes
from rater.storage.engine import describe, study_url
from rater.storage.outbox import Outbox, Write

RETRY_FIRST_S = 0.5  # after a failed contact, wait this long, doubling up to RETRY_MAX_S
RETRY_MAX_S = 8.0
HEARTBEAT_S = 10.0  # with nothing to send, check the server this often (for the status)
log = logging.getLogger("rater.online")


@dataclass(frozen=True)
class Status:
    online: bool | None  # None: not tried yet
    waiting: int  # writes kept here, not yet on the server
    failed: list[Write]  # refused by the server for good, each with its error
    last_error: str | None


def outbox_path(url: str, rater: str) -> Path:
    """~/.local/share/rater/outbox/<server>-<rater>-<hash>.sqlite (XDG_DATA_HOME respected);
    the server's URL without its password names it."""
    from platformdirs import user_data_path

    where = f"{describe(url)}|{rater}"
    slug = re.sub(r"[^A-Za-z0-9]+", "-", where)[-60:].strip("-")
    digest = hashlib.sha256(where.encode()).hexdigest()[:12]
    return user_data_path("rater", appauthor=False) / "outbox" / f"{slug}-{digest}.sqlite"


class OnlineRater:
    """The actions of one rater on one shared study, sent in the order made."""

    def __init__(self, study: str, rater: str, outbox: Path | None = None,
                 on_change: Callable[[Status], None] | None = None):
        self.url, self.rater = study_url(study), rater
        self.outbox = Outbox(outbox or outbox_path(self.url, rater))
        self.on_change = on_change
        self._engine = server_writes.open_server(self.url)
        self._online: bool | None = None
        self._last_error: str | None = None
        self._heard_at = float("-inf")  # when the server last answered (monotonic)
        self._failed = self.outbox.failed()  # read once, then kept: status() runs per write
        self._wake, self._stop = threading.Event(), threading.Event()
        self._thread: threading.Thread | None = None

    # -- the rater's actions: each is kept on disk before it returns -------------------------

    def set_score(self, code: str, dimension: str, score: int) -> str:
        return self._queue("set_score", code=code, dimension=dimension, score=score)

    def clear_score(self, code: str, dimension: str) -> str:
        return self._queue("clear_score", code=code, dimension=dimension)

    def submit_rating(self, code: str) -> str:
        return self._queue("submit_rating", code=code)

    def amend_rating(self, code: str, dimension: str, score: int, reason: str) -> str:
        return self._queue("amend_rating", code=code, dimension=dimension, score=score,
                           reason=reason)

    def add_note(self, code: str, time_s: float, text: str, dimension: str | None = None) -> str:
        return self._queue("add_note", code=code, time_s=time_s, text=text, dimension=dimension)

    def delete_note(self, code: str, note_id: int) -> str:
        """Delete a note the server has (its id as the server's notes list gives it)."""
        return self._queue("delete_note", code=code, note_id=note_id)

    def record_guess(self, code: str, guess: str) -> str:
        return self._queue("record_guess", code=code, guess=guess)

    def save_listening(self, code: str, spans: list[tuple[float, float, float]]) -> str:
        return self._queue("save_listening", code=code, spans=[list(s) for s in spans])

    def save_place(self, code: str, position_s: float) -> str:
        return self._queue("save_place", code=code, position_s=position_s)

    # -- the sender -------------------------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="rater-online-sender",
                                        daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop sending (what is left stays in the outbox for the next start) and close."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self.outbox.close()
        self._engine.dispose()

    def status(self) -> Status:
        return Status(self._online, self.outbox.waiting(), list(self._failed),
                      self._last_error)

    def send_waiting(self) -> bool:
        """Send every waiting write now, in order; False if the server could not be reached
        (the rest stays queued). The sender thread calls this; tests may too."""
        while (write := self.outbox.next()) is not None:
            try:
                server_writes.apply(self._engine, self.rater, write.key, write.action,
                                    write.args)
            except server_writes.Unreachable as exc:
                self._set(False, str(exc))
                return False
            except RaterError as exc:
                self.outbox.set_aside(write.key, str(exc))
                self._failed = self.outbox.failed()
                self._set(True, str(exc))
                continue
            except Exception as exc:  # noqa: BLE001 - the sender must live: retry, and say so
                log.exception("sending write %s failed", write.key)
                self._set(False, f"unexpected error: {exc}")
                return False
            self.outbox.done(write.key)
            self._heard_at = time.monotonic()
            self._set(True, self._last_error)
        return True

    def _queue(self, action: str, **args) -> str:
        key = self.outbox.add(action, args)
        self._wake.set()
        self._changed()
        return key

    def _run(self) -> None:
        delay = RETRY_FIRST_S
        while not self._stop.is_set():
            self._wake.clear()
            if self.send_waiting() and self._contact():
                delay = RETRY_FIRST_S
                self._wake.wait(HEARTBEAT_S)
            else:
                self._wake.wait(delay)
                delay = min(delay * 2, RETRY_MAX_S)

    def _contact(self) -> bool:
        """With nothing left to send: is the server still there (for the status)? Asked only
        when it has not answered for a heartbeat."""
        if time.monotonic() - self._heard_at < HEARTBEAT_S:
            return True
        try:
            server_writes.ping(self._engine)
        except server_writes.Unreachable as exc:
            self._set(False, str(exc))
            return False
        self._heard_at = time.monotonic()
        if not self._online:
            self._set(True, self._last_error)
        return True

    def _set(self, online: bool, error: str | None) -> None:
        self._online, self._last_error = online, error
        self._changed()

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change(self.status())
