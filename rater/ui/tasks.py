"""Running work off the UI thread and getting the result back on it.

The UI thread never waits on disk, SQL, decoding or statistics: a slot hands the work to
`run_in_background`, and `done` (or `failed`) runs on the UI thread when it finishes.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot


class _Relay(QObject):
    """Lives on the UI thread; signals emitted by the worker are queued to its slots."""

    done = Signal(object)
    failed = Signal(object)

    def __init__(self, on_done: Callable[[Any], None], on_failed: Callable[[Exception], None],
                 owner: QObject | None):
        super().__init__()
        self.on_done, self.on_failed, self.owner = on_done, on_failed, owner
        self.done.connect(self._deliver_done)
        self.failed.connect(self._deliver_failed)

    def _wanted(self) -> bool:
        """Is the widget that asked still there? (Its callbacks would touch it.)"""
        return self.owner is None or shiboken6.isValid(self.owner)

    @Slot(object)
    def _deliver_done(self, value: Any) -> None:
        _running.discard(self)
        if self._wanted():
            self.on_done(value)

    @Slot(object)
    def _deliver_failed(self, exc: Exception) -> None:
        _running.discard(self)
        if self._wanted():
            self.on_failed(exc)


class _Task(QRunnable):
    def __init__(self, work: Callable[[], Any], relay: _Relay):
        super().__init__()
        self.work = work
        self.relay = relay

    @Slot()
    def run(self) -> None:
        try:
            result = self.work()
        except Exception as exc:  # handed to the UI thread, which shows it
            self._deliver(self.relay.failed, exc)
        else:
            self._deliver(self.relay.done, result)

    @staticmethod
    def _deliver(signal, value) -> None:
        with contextlib.suppress(RuntimeError):  # the widget that asked is gone: nobody to tell
            signal.emit(value)


_running: set[_Relay] = set()  # keeps each relay alive until its result has been delivered


def run_in_background(work: Callable[[], Any], done: Callable[[Any], None],
                      failed: Callable[[Exception], None], owner: QObject | None = None,
                      pool: QThreadPool | None = None) -> None:
    """Run `work` on the thread pool (or on `pool`); `done(result)` or `failed(error)` then
    runs on the UI thread. With an `owner` (the widget asking), nothing is delivered once it
    is deleted."""
    # The relay is nobody's child and lives until it has delivered: deleting it with the owner
    # while the worker emitted through it crashed the process, and so did a connection to the
    # owner's `destroyed`. Whether the owner is still there is asked at delivery instead.
    relay = _Relay(done, failed, owner)
    _running.add(relay)
    (pool or QThreadPool.globalInstance()).start(_Task(work, relay))


def one_at_a_time(parent: QObject) -> QThreadPool:
    """A pool that runs its work in the order given, one piece at a time: saves of what a
    person typed fast (a score, then its correction) must land in typing order. Deleting the
    parent waits for the saves still queued."""
    pool = QThreadPool(parent)
    pool.setMaxThreadCount(1)
    return pool


def settle_heap() -> None:
    """Move every object alive now out of the garbage collector's reach.

    A full collection walks every object of the process (Qt wrappers, pandas, scipy...) while
    holding the interpreter lock: done by a worker thread, it stalled the UI thread 100–150 ms.
    Objects made once at start-up (modules, windows) never need collecting; call this after
    they exist. Later objects are collected as usual."""
    gc.freeze()
