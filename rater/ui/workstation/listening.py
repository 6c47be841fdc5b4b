"""Listening to the open recording: opening it in the player where the rater left off, the
waveform, what has been heard, and saving the place and the listening record every second.

Every open runs off the UI thread (``PlayerAdapter.open_async``): the first waits for the
audio engine to start and for its output stream to open (a few hundred ms); later ones reuse
the stream and take ~1 ms. Each recording opens at the place it was left.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from rater.audio.waveform import Peaks, WaveformJob
from rater.core.errors import RaterError
from rater.core.listening import ListeningRecord, PlayedSegment
from rater.services.rating import QueueEntry
from rater.ui.player_adapter import PlayerAdapter
from rater.ui.workstation.redact import Redactor
from rater.ui.workstation.session import RatingSession

log = logging.getLogger("rater.workstation")
CHECKPOINT_MS = 1000


class _PeaksBridge(QObject):
    """Carries the waveform job's callbacks (worker threads) to the UI thread."""

    progress = Signal(str, object, float)
    failed = Signal(str, object)


class Listening(QObject):
    heard_changed = Signal(float, list)
    """Share of the open recording heard (0..1) and the heard intervals, over every session."""
    sound_problem = Signal(object)
    """Why playback does not work here (a message), or None once it does."""
    peaks_changed = Signal(object, float)
    """Waveform peaks of the open recording (possibly partial) and the share computed."""
    duration_known = Signal(float)

    def __init__(self, adapter: PlayerAdapter, session: RatingSession, redactor: Redactor,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.adapter, self.session, self.redactor = adapter, session, redactor
        self.code: str | None = None
        self.duration = 0.0
        self._path: Path | None = None
        self._start = 0.0
        self._request: int | None = None  # the adapter's open request for the open recording
        self._in_player: str | None = None  # the code the player has open
        self._before = ListeningRecord()  # heard in earlier sessions (from the study)
        self._saved_ends: list[float] = []  # what of this session's record is saved
        self._saved_place: tuple[str, float] | None = None
        self._job: WaveformJob | None = None
        self._bridge = _PeaksBridge(self)
        self._bridge.progress.connect(self._on_peaks)
        self._bridge.failed.connect(self._on_peaks_failed)
        self._timer = QTimer(self)
        self._timer.setInterval(CHECKPOINT_MS)
        self._timer.timeout.connect(self.checkpoint)
        adapter.opened.connect(self._on_opened)
        adapter.ended.connect(lambda _d: self.checkpoint())
        adapter.errorOccurred.connect(self._on_player_error)

    # -- opening ------------------------------------------------------------------------------
    def open(self, entry: QueueEntry, path: Path | None, start_s: float,
             heard_before: list[tuple[float, float, float]]) -> None:
        self.checkpoint()
        if self.adapter.playing:
            self.adapter.pause()
        self.code, self._path, self._start = entry.code, path, start_s
        self.duration = entry.duration_s
        self.duration_known.emit(self.duration)
        self._before = ListeningRecord([PlayedSegment(a, b, v) for a, b, v in heard_before])
        self._saved_ends, self._saved_place = [], (entry.code, start_s)
        self._in_player = None
        self._emit_heard()
        self._start_waveform(path)
        self._request = None
        if path is None:
            self.sound_problem.emit(f"recording {entry.code} has no audio in this pack")
        else:
            self._request = self.adapter.open_async(str(path), start_s)
        self._timer.start()

    def _on_opened(self, info) -> None:
        if self._request is None or self.adapter.opened_request != self._request:
            return  # opened by someone else, or for a recording left since
        self._in_player = self.code
        self.sound_problem.emit(None)
        self._on_duration(info.duration_s)

    def _on_duration(self, duration: float) -> None:
        self.duration = duration
        self.duration_known.emit(duration)

    def _on_player_error(self, error: RaterError) -> None:
        message = self.redactor.message(error)
        log.warning("sound problem: %s", message)
        self.sound_problem.emit(message)

    @property
    def playable(self) -> bool:
        return self._in_player is not None and self._in_player == self.code

    def position(self) -> float:
        return self.adapter.position() if self.playable else self._start

    # -- waveform -----------------------------------------------------------------------------
    def _start_waveform(self, path: Path | None) -> None:
        if self._job is not None:
            self._job.cancel()
        self.peaks_changed.emit(None, 0.0)
        if path is None:
            self._job = None
            return
        key = str(path)
        bridge = self._bridge
        self._job = WaveformJob(
            path,
            on_progress=lambda peaks, share: bridge.progress.emit(key, peaks, share),
            on_done=lambda peaks: bridge.progress.emit(key, peaks, 1.0),
            on_error=lambda error: bridge.failed.emit(key, error)).start()

    def _on_peaks(self, key: str, peaks: Peaks, share: float) -> None:
        if self._path is not None and key == str(self._path):
            self.peaks_changed.emit(peaks, share)

    def _on_peaks_failed(self, key: str, error: RaterError) -> None:
        if self._path is not None and key == str(self._path):
            log.warning("no waveform: %s", self.redactor.message(error))

    # -- what was heard, and where the rater is -----------------------------------------------
    def heard_record(self) -> ListeningRecord:
        record = ListeningRecord(self._before.segments)
        if self.playable:
            for segment in self.adapter.listening.segments:
                record.add(segment.start_s, segment.end_s, segment.speed)
        return record

    def heard_share(self) -> float:
        return self.heard_record().heard_fraction(self.duration)

    def _emit_heard(self) -> None:
        record = self.heard_record()
        self.heard_changed.emit(record.heard_fraction(self.duration), record.heard())

    def checkpoint(self) -> None:
        """Save the place and the newly heard stretches (each second, and on every change)."""
        if self.code is None or not self.playable:
            return
        spans = self._new_spans()
        if spans:
            self.session.save_listening(self.code, spans)
        place = (self.code, round(self.adapter.position(), 2))
        if place != self._saved_place:
            self._saved_place = place
            self.session.save_place(*place)
        self._emit_heard()

    def _new_spans(self) -> list[tuple[float, float, float]]:
        """Stretches heard since the last save: the player's record only grows at its end."""
        segments = self.adapter.listening.segments
        if len(segments) < len(self._saved_ends):
            self._saved_ends = []
        spans = []
        for i, segment in enumerate(segments):
            saved = self._saved_ends[i] if i < len(self._saved_ends) else segment.start_s
            if segment.end_s > saved:
                spans.append((saved, segment.end_s, segment.speed))
        self._saved_ends = [segment.end_s for segment in segments]
        return spans

    def close(self) -> None:
        """Save where the rater is and stop; a later ``open`` starts again (a new pack)."""
        self.checkpoint()
        self._timer.stop()
        if self._job is not None:
            self._job.cancel()
        if self.playable and self.adapter.playing:
            self.adapter.pause()

    def shut_down(self) -> None:
        """The window is closing: save, stop, and ignore an open still under way."""
        self.close()
        self._request = None
