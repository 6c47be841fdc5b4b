"""Qt adapter over the audio player: widgets talk to this QObject, never to the audio side.

- Rare events (end of file, errors) arrive on the player's listener thread; they are re-emitted
  through queued connections, so every slot runs on the GUI thread.
- The position is polled with a precise ~30 Hz QTimer while a recording is open
  (``positionChanged`` only when it changed); the share heard is polled once a second.
- Calls that can fail (open, seek, speed...) emit ``errorOccurred`` with the RaterError
  instead of raising into the event loop, and return False.
- The player (and its engine process) is closed on ``QCoreApplication.aboutToQuit``.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, Signal, Slot

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
    def open(self, path) -> bool:
        try:
            info = self.player.open(path)
        except RaterError as e:
            self.errorOccurred.emit(e)
            return False
        self._last_pos = -1.0
        self._last_heard = -1.0
        self._timer.start()
        self.opened.emit(info)
        self.playingChanged.emit(False)
        self._poll()
        return True

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
