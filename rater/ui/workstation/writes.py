"""The workstation's service queue: every service call, in the order the rater made it.

One worker thread runs the calls first in, first out, so a score lands before the submission
that follows it, and a read made after a write sees that write. The UI thread only enqueues;
results (or errors) come back to it through queued signals.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger("rater.workstation")

Done = Callable[[Any], None]
Failed = Callable[[Exception], None]


class _Relay(QObject):
    """Lives on the UI thread; the worker's signals are queued to it."""

    done = Signal(object)
    failed = Signal(object)


class _Call(QRunnable):
    def __init__(self, work: Callable[[], Any], relay: _Relay):
        super().__init__()
        self.work, self.relay = work, relay

    def run(self) -> None:
        try:
            result = self.work()
        except Exception as exc:  # delivered to the UI thread, which reports it
            self.relay.failed.emit(exc)
        else:
            self.relay.done.emit(result)


class ServiceQueue(QObject):
    busy_changed = Signal(bool)
    """True while calls are waiting or running; False once everything made so far is saved."""
    failed = Signal(object)
    """A call without its own error handler failed (the exception)."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._pool.setExpiryTimeout(-1)  # keep the one thread: no start-up cost per call
        self._relays: set[_Relay] = set()

    @property
    def pending(self) -> int:
        return len(self._relays)

    def submit(self, work: Callable[[], Any], done: Done | None = None,
               failed: Failed | None = None) -> None:
        relay = _Relay()
        relay.done.connect(lambda value: self._finish(relay, done, value))
        relay.failed.connect(lambda exc: self._fail(relay, failed, exc))
        self._relays.add(relay)
        if len(self._relays) == 1:
            self.busy_changed.emit(True)
        self._pool.start(_Call(work, relay))

    def wait(self, msecs: int = 10_000) -> bool:
        """Block until every call made so far has run (closing the window, tests)."""
        return self._pool.waitForDone(msecs)

    @Slot()
    def _finish(self, relay: _Relay, done: Done | None, value: Any) -> None:
        self._release(relay)
        if done is not None:
            done(value)

    @Slot()
    def _fail(self, relay: _Relay, failed: Failed | None, exc: Exception) -> None:
        self._release(relay)
        log.warning("a service call failed: %s", exc)
        if failed is not None:
            failed(exc)
        else:
            self.failed.emit(exc)

    def _release(self, relay: _Relay) -> None:
        self._relays.discard(relay)
        relay.deleteLater()
        if not self._relays:
            self.busy_changed.emit(False)
