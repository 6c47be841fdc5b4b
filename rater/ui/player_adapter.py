"""Qt adapter over the audio player: widgets talk to this QObject, never to the audio side.

- Rare events (end of file, errors) arrive on the player's listener thread; they are re-emitted
  through queued connections, so every slot runs on the GUI thread.
- The position is polled with a precise ~30 Hz QTimer while a recording is open
  (``positionChanged`` only when it changed); the share heard is polled once a second.
- Calls that can fail (open, seek, speed...) emit ``errorOccurred`` with the RaterError
  instead of raising into the event loop, and return False.
- ``open_async`` opens on a worker thread of the adapter's own (the engine's start takes
  ~350 ms and a first output stream ~140 ms) and emits ``opened`` or ``errorOccurred`` on the
  GUI thread; opens run in the order asked, and only the latest one asked is reported (a
  quicker rater's earlier ones are dropped). ``open`` does the same on the calling thread.
- The player (and its engine process) is closed on ``QCoreApplication.aboutToQuit``.
"""

from __future__ import annotations

import contextlib

from PySide6.QtCore import QCoreApplication, QObject, Qt, QThreadPool, QTimer, Signal, Slot

from rater.audio.player import Player
from rater.core.errors import RaterError


class PlayerAdapter(QObject):
    opened = Signal(object)  # AudioInfo
    positionChanged = Signal(float)  # seconds
    playingChanged = Signal(bool)
    speedChanged = Signal(float)
    volumeChanged = Signal(float)
    ended = Signal(float)  # duration in seconds (exact, also for MP3)
    errorOccurred = Signal(object)  # RaterError / PlayerError (what, where, fix; position_s)
    heardChanged = Signal(float)  # share of the recording heard, 0..1

    _endFromEngine = Signal(float)
    _errorFromEngine = Signal(object)
    _openDone = Signal(int, object)  # (request, AudioInfo), from the opening thread
    _openFailed = Signal(int, object)  # (request, RaterError)

    def __init__(
        self, player: Player | None = None, parent: QObject | None = None, interval_ms: int = 33
    ):
        super().__init__(parent)
        self.player = player if player is not None else Player()
        self._last_pos = -1.0
        self._last_heard = -1.0
        self._ticks = 0
        self._endFromEngine.connect(self._on_end, Qt.ConnectionType.QueuedConnection)
        self._errorFromEngine.connect(self._on_error, Qt.ConnectionType.QueuedConnection)
        self._openDone.connect(self._on_open_done, Qt.ConnectionType.QueuedConnection)
        self._openFailed.connect(self._on_open_failed, Qt.ConnectionType.QueuedConnection)
        self._opener = QThreadPool(self)
        self._opener.setMaxThreadCount(1)  # opens reach the engine in the order asked
        self._request = 0  # the latest open asked for
        self.opened_request = 0
        """The request whose ``opened`` was emitted last (``open_async``'s return value)."""
        self.player.on_end = self._endFromEngine.emit  # called on the listener thread
        self.player.on_error = self._errorFromEngine.emit
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._poll)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.close)

    # -- properties ------------------------------------------------------------------------
    @property
    def duration(self) -> float:
        return self.player.duration

    @property
    def playing(self) -> bool:
        return self.player.playing

    @property
    def listening(self):
        return self.player.listening

    def position(self) -> float:
        return self.player.position()

    # -- actions (never raise into the event loop) ------------------------------------------------
    def _try(self, fn, *args) -> bool:
        try:
            fn(*args)
            return True
        except RaterError as e:
            self.errorOccurred.emit(e)
            return False

    @Slot(str)
    def open(self, path, position: float = 0.0) -> bool:
        """Open a recording now, on this thread (blocks while the engine starts)."""
        self._request += 1
        try:
            info = self.player.open(path, position)
        except RaterError as e:
            self.errorOccurred.emit(e)
            return False
        self._opened(self._request, info)
        return True

    def open_async(self, path, position: float = 0.0) -> int:
        """Open a recording (paused at ``position``) without blocking this thread; ``opened``
        or ``errorOccurred`` follows on the GUI thread, unless another open is asked first.
        Returns the request's number (``opened_request`` once it is open)."""
        self._request += 1
        request, player = self._request, self.player
        self._timer.stop()  # the position of what was open is no longer of interest

        def work() -> None:
            if request != self._request:
                return  # a later open was asked before this one started
            try:
                problem = player.available
                if problem is not None:
                    raise RaterError(problem)
                info = player.open(path, position)
            except RaterError as e:
                result = (self._openFailed, e)
            except Exception as e:  # noqa: BLE001 - reported, never raised in a worker
                result = (self._openFailed, RaterError(f"the recording could not be opened: {e}"))
            else:
                result = (self._openDone, info)
            with contextlib.suppress(RuntimeError):  # the adapter is gone: nobody to tell
                result[0].emit(request, result[1])

        self._opener.start(work)
        return request

    def wait_opened(self, msecs: int = 30_000) -> bool:
        """Block until every open asked so far has run (tests, closing)."""
        return self._opener.waitForDone(msecs)

    @Slot(int, object)
    def _on_open_done(self, request: int, info) -> None:
        if request == self._request:
            self._opened(request, info)

    @Slot(int, object)
    def _on_open_failed(self, request: int, error) -> None:
        if request == self._request:
            self.errorOccurred.emit(error)

    def _opened(self, request: int, info) -> None:
        self.opened_request = request
        self._last_pos = -1.0
        self._last_heard = -1.0
        self._timer.start()
        self.opened.emit(info)
        self.playingChanged.emit(False)
        self._poll()

    @Slot()
    def play(self) -> bool:
        ok = self._try(self.player.play)
        if ok:
            self.playingChanged.emit(True)
        return ok

    @Slot()
    def pause(self) -> bool:
        ok = self._try(self.player.pause)
        if ok:
            self.playingChanged.emit(False)
        return ok

    @Slot()
    def toggle(self) -> bool:
        return self.pause() if self.player.playing else self.play()

    @Slot(float)
    def seek(self, seconds: float) -> bool:
        ok = self._try(self.player.seek, seconds)
        self._poll()
        return ok

    @Slot(float)
    def skip(self, delta_s: float) -> bool:
        return self.seek(max(0.0, self.player.position() + delta_s))

    @Slot()
    def stop(self) -> bool:
        ok = self._try(self.player.stop)
        if ok:
            self.playingChanged.emit(False)
        self._poll()
        return ok

    @Slot(float)
    def set_speed(self, speed: float) -> bool:
        ok = self._try(self.player.set_speed, speed)
        if ok:
            self.speedChanged.emit(self.player.speed)
        return ok

    @Slot(float)
    def set_volume(self, volume: float) -> bool:
        ok = self._try(self.player.set_volume, volume)
        if ok:
            self.volumeChanged.emit(self.player.volume)
        return ok

    @Slot(object)
    def set_device(self, device) -> bool:
        return self._try(self.player.set_device, device)

    @Slot()
    def close(self) -> None:
        self._request += 1  # an open still under way is not reported
        self._timer.stop()
        self.player.close()

    # -- internals ------------------------------------------------------------------------------
    @Slot()
    def _poll(self) -> None:
        pos = self.player.position()
        if pos != self._last_pos:
            self._last_pos = pos
            self.positionChanged.emit(pos)
        self._ticks += 1
        if self._ticks % 30 == 0 and self.player.duration > 0:
            heard = self.player.listening.heard_fraction(self.player.duration)
            if abs(heard - self._last_heard) >= 0.001:
                self._last_heard = heard
                self.heardChanged.emit(heard)

    @Slot(float)
    def _on_end(self, duration: float) -> None:
        self._poll()
        self.playingChanged.emit(False)
        self.ended.emit(duration)
        self.heardChanged.emit(self.player.listening.heard_fraction(self.player.duration))

    @Slot(object)
    def _on_error(self, err) -> None:
        self.playingChanged.emit(self.player.playing)
        self.errorOccurred.emit(err)
