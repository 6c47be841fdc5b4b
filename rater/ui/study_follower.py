"""Telling a researcher's views that their study changed (issue 17, decision 1704).

A shared study's server sends a notice when ratings arrive (`services.live`): `changed` is
emitted at once, with `live` True, and nothing polls. A study file cannot tell: `changed` is
emitted every `POLL_MS` instead, with `live` False, and the view checks whether anything is new.
"""

from __future__ import annotations

import contextlib

from PySide6.QtCore import QObject, QTimer, Signal

from rater.ui.tasks import run_in_background

POLL_MS = 5000


class StudyFollower(QObject):
    changed = Signal()
    _noticed = Signal()  # emitted from the listener's thread; queued to this object's thread

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.live = False
        self._listener = None
        self._request = 0
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self.changed)
        self._noticed.connect(self.changed)

    def follow(self, study: str) -> None:
        """Follow this study (and no other from now on)."""
        from rater.services.live import watch

        self.stop()
        self._request += 1
        request = self._request
        noticed = self._noticed.emit

        def notice(_what: str) -> None:
            with contextlib.suppress(RuntimeError):  # the window closed meanwhile
                noticed()

        run_in_background(lambda: watch(study, notice),
                          lambda listener: self._started(listener, request),
                          lambda _error: self._started(None, request), owner=self)

    def stop(self) -> None:
        self.timer.stop()
        self.live = False
        self._stop_listener()

    def _started(self, listener, request: int) -> None:
        if request != self._request:  # another study was opened meanwhile
            if listener is not None:
                listener.stop(wait=False)
            return
        self._listener, self.live = listener, listener is not None
        if self.live:
            self.destroyed.connect(lambda *_: listener.stop(wait=False))
        else:
            self.timer.start()

    def _stop_listener(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.stop(wait=False)
