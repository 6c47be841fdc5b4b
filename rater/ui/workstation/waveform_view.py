"""The waveform overview: the whole recording, the parts already heard shaded, note markers and
the playhead. Click or drag to seek.

The peaks are drawn once per size or data change into a pixmap; a position tick only paints
that pixmap, the shading and two markers.
"""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPixmap, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from rater.audio.waveform import Peaks
from rater.ui.workstation.timefmt import clock

_SEEK_INTERVAL_S = 0.03  # while dragging, seek at most ~30 times a second
_MARKER_HALF_WIDTH = 5


class WaveformView(QWidget):
    seek_requested = Signal(float)
    """The rater clicked or dragged to a time (seconds)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("waveform")
        self.setMinimumHeight(72)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.duration = 0.0
        self.position = 0.0
        self.peaks: Peaks | None = None
        self.loaded = 0.0  # share of the peaks computed so far
        self.heard: list[tuple[float, float]] = []
        self.notes: list[tuple[float, str]] = []
        self._pixmap: QPixmap | None = None
        self._last_seek = 0.0
        self._describe()

    # -- data ---------------------------------------------------------------------------------
    def set_duration(self, duration: float) -> None:
        self.duration = max(0.0, duration)
        self._describe()
        self.update()

    def set_peaks(self, peaks: Peaks | None, loaded: float = 1.0) -> None:
        self.peaks, self.loaded = peaks, loaded
        self._pixmap = None
        self.update()

    def set_position(self, seconds: float) -> None:
        if abs(seconds - self.position) < 1e-3:
            return
        self.position = seconds
        self._describe()
        self.update()

    def set_heard(self, spans: list[tuple[float, float]]) -> None:
        self.heard = spans
        self.update()

    def set_notes(self, notes: list[tuple[float, str]]) -> None:
        self.notes = notes
        self.update()

    def _describe(self) -> None:
        self.setAccessibleName("Waveform")
        self.setAccessibleDescription(
            f"Position {clock(self.position)} of {clock(self.duration)}. "
            "Click or drag to move the playhead.")

    # -- geometry -----------------------------------------------------------------------------
    def _x(self, seconds: float) -> float:
        return 0.0 if self.duration <= 0 else seconds / self.duration * self.width()

    def _time(self, x: float) -> float:
        return max(0.0, min(self.duration, x / max(1, self.width()) * self.duration))

    # -- painting -----------------------------------------------------------------------------
    def resizeEvent(self, event) -> None:
        self._pixmap = None
        super().resizeEvent(event)

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        palette = self.palette()
        painter.fillRect(self.rect(), palette.base())
        self._paint_heard(painter, palette.highlight().color())
        if self._pixmap is None:
            self._pixmap = self._render_peaks()
        painter.drawPixmap(0, 0, self._pixmap)
        self._paint_notes(painter)
        self._paint_playhead(painter, palette.highlight().color())
        painter.setPen(palette.mid().color())
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(self.rect().adjusted(0, 0, -1, -1))

    def _paint_heard(self, painter: QPainter, color: QColor) -> None:
        shade = QColor(color)
        shade.setAlpha(48)
        band = QColor(color)
        band.setAlpha(200)
        h = self.height()
        for a, b in self.heard:
            x0, x1 = self._x(a), self._x(b)
            painter.fillRect(QRectF(x0, 0, max(1.0, x1 - x0), h), shade)
            painter.fillRect(QRectF(x0, h - 4, max(1.0, x1 - x0), 4), band)

    def _render_peaks(self) -> QPixmap:
        ratio = self.devicePixelRatioF()
        pixmap = QPixmap(int(self.width() * ratio), int(self.height() * ratio))
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(Qt.GlobalColor.transparent)
        if self.peaks is None or self.width() <= 0:
            return pixmap
        columns = max(1, int(self.width() * ratio))
        lows, highs = self.peaks.overview(columns)
        mid, half = self.height() / 2, self.height() / 2 - 6
        xs = np.arange(len(lows)) / ratio
        painter = QPainter(pixmap)
        ink = QColor(self.palette().text().color())
        ink.setAlphaF(0.7)
        painter.setPen(ink)
        painter.drawLines([QLineF(x, mid - hi * half, x, mid - lo * half + 0.5)
                           for x, lo, hi in zip(xs.tolist(), lows.tolist(), highs.tolist(),
                                                strict=True)])
        painter.end()
        return pixmap

    def _paint_notes(self, painter: QPainter) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self.palette().link().color())
        for t, _text in self.notes:
            x = self._x(t)
            painter.drawPolygon(QPolygonF([QPointF(x - _MARKER_HALF_WIDTH, 0),
                                           QPointF(x + _MARKER_HALF_WIDTH, 0),
                                           QPointF(x, 9)]))

    def _paint_playhead(self, painter: QPainter, color: QColor) -> None:
        if self.duration <= 0:
            return
        x = self._x(self.position)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(color)
        painter.drawRect(QRectF(x - 1, 0, 2, self.height()))

    # -- mouse --------------------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.duration > 0:
            self._seek(event.position().x(), force=True)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        x = event.position().x()
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._seek(x)
        elif self.duration > 0:
            QToolTip.showText(event.globalPosition().toPoint(), self._hover_text(x), self)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.duration > 0:
            self._seek(event.position().x(), force=True)

    def _seek(self, x: float, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self._last_seek >= _SEEK_INTERVAL_S:
            self._last_seek = now
            self.set_position(self._time(x))
            self.seek_requested.emit(self._time(x))

    def _hover_text(self, x: float) -> str:
        near = [text for t, text in self.notes if abs(self._x(t) - x) <= _MARKER_HALF_WIDTH + 2]
        return "\n".join([clock(self._time(x)), *near])
