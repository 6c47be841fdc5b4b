"""The reliability verdict as a picture: one row per dimension, the estimate as a dot, its 95%
CI as a line, the criterion's threshold as a dashed vertical line. Colours follow the verdict
(passes / not shown yet / does not pass), so the picture and the table say the same thing.
The HTML report draws the same figure as SVG (services/forest_svg.py)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QWidget

from rater.core.reliability.wording import COLOURS

LABEL_W, ROW_H, PAD = 170, 34, 14


@dataclass(frozen=True)
class ForestRow:
    name: str
    value: float | None
    low: float | None
    high: float | None
    state: str  # a key of COLOURS


class ForestPlot(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.rows: list[ForestRow] = []
        self.threshold = 0.7
        self.axis_name = ""
        self.setAccessibleName("Reliability per dimension, as a picture")
        self.setMinimumHeight(ROW_H * 2 + 2 * PAD)

    def set_rows(self, rows: list[ForestRow], threshold: float, axis_name: str) -> None:
        self.rows, self.threshold, self.axis_name = rows, threshold, axis_name
        self.setMinimumHeight(ROW_H * len(rows) + 3 * PAD + 16)
        self.setAccessibleDescription("; ".join(
            f"{r.name}: {'not computed' if r.value is None else f'{r.value:.2f}'}"
            for r in rows))
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(480, ROW_H * max(len(self.rows), 2) + 3 * PAD + 16)

    def _lowest(self) -> float:
        """The axis starts at 0, or lower when a CI reaches below it (to −1 at most)."""
        lows = [r.low for r in self.rows if r.low is not None]
        return max(-1.0, min([0.0, *lows]))

    def _x(self, value: float, left: float, right: float) -> float:
        lowest = self._lowest()
        return left + (value - lowest) / (1 - lowest) * (right - left)

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text = self.palette().text().color()
        left, right = LABEL_W, self.width() - PAD
        bottom = PAD + ROW_H * len(self.rows)
        painter.setPen(QPen(QColor("#888888"), 1, Qt.PenStyle.DashLine))
        at = self._x(self.threshold, left, right)
        painter.drawLine(QPointF(at, PAD / 2), QPointF(at, bottom))
        painter.setPen(text)
        for tick in (self._lowest(), self.threshold, 1.0):
            x = self._x(tick, left, right)
            painter.drawText(QRectF(x - 30, bottom + 2, 60, 16), Qt.AlignmentFlag.AlignCenter,
                             f"{tick:.1f}")
        painter.drawText(QRectF(left, bottom + 16, right - left, 16),
                         Qt.AlignmentFlag.AlignCenter, self.axis_name)
        for i, row in enumerate(self.rows):
            y = PAD + ROW_H * i + ROW_H / 2
            painter.setPen(text)
            painter.drawText(QRectF(4, y - ROW_H / 2, LABEL_W - 10, ROW_H),
                             Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextWordWrap, row.name)
            if row.value is None:
                continue
            colour = QColor(COLOURS[row.state])
            painter.setPen(QPen(colour, 2.5))
            if row.low is not None and row.high is not None:
                painter.drawLine(QPointF(self._x(row.low, left, right), y),
                                 QPointF(self._x(row.high, left, right), y))
            painter.setBrush(colour)
            painter.drawEllipse(QPointF(self._x(row.value, left, right), y), 5.5, 5.5)
