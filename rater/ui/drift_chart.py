"""A rater's agreement with gold over time: the rolling share of scores within one point of
gold over their gold inserts, the certification threshold dashed, flagged points in red. The
same picture as the HTML report's (services/drift_html.py), drawn with QPainter."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QWidget

PAD = 22
GOOD, FLAGGED, LINE, THRESHOLD = "#17633a", "#a12020", "#335", "#888"


class DriftChart(QWidget):
    def __init__(self, points: list[dict], threshold: float, parent: QWidget | None = None):
        super().__init__(parent)
        self.values = [(p["rolling"], p["flagged"]) for p in points if p["rolling"] is not None]
        self.threshold = threshold
        latest = f"{self.values[-1][0]:.0%}" if self.values else "no gold items yet"
        self.setAccessibleName(f"Agreement with gold over time, latest {latest}")
        self.setMinimumSize(self.sizeHint())

    def sizeHint(self) -> QSize:
        return QSize(360, 110)

    def _y(self, share: float) -> float:
        return self.height() - PAD - share * (self.height() - 2 * PAD)

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(self.palette().text().color())
        painter.drawText(2, int(self._y(1)) + 4, "100%")
        painter.drawText(2, int(self._y(0)) + 4, "0%")
        if not self.values:
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "no gold items rated yet")
            return
        left, right = PAD + 16, self.width() - PAD
        painter.setPen(QPen(QColor(THRESHOLD), 1, Qt.PenStyle.DashLine))
        painter.drawLine(QPointF(left, self._y(self.threshold)),
                         QPointF(right, self._y(self.threshold)))
        step = (right - left) / max(len(self.values) - 1, 1)
        points = [QPointF(left + i * step, self._y(v)) for i, (v, _f) in enumerate(self.values)]
        painter.setPen(QPen(QColor(LINE), 1.5))
        painter.drawPolyline(QPolygonF(points))
        painter.setPen(Qt.PenStyle.NoPen)
        for point, (_v, flagged) in zip(points, self.values, strict=True):
            painter.setBrush(QColor(FLAGGED if flagged else GOOD))
            painter.drawEllipse(point, 3.5, 3.5)
