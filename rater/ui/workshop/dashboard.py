"""The trainer's workshop dashboard, made to be read on a projector.

Per recording and dimension, every participant's score is a dot against the expert's (gold)
line; beside it, the group's share exact and within one point, the dimensions it finds hardest,
and each participant's leniency or severity (mean signed difference with its 95% interval) and
accuracy. One click hides names behind P01…. It follows the workshop live: a cheap change mark
is polled off the UI thread, and the summary is recomputed (off the UI thread) only when it
moves.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from rater.core.workshop import GoldScore, WorkshopSummary, flagged
from rater.ui.tasks import run_in_background, settle_heap

BAND_COLOURS = {"exact": QColor("#1b7f3b"), "within_one": QColor("#b26a00"),
                "off": QColor("#b3261e")}
BAND_WORDS = {"exact": "exact", "within_one": "within one", "off": "off by 2+"}
POLL_MS = 1000


@dataclass(frozen=True)
class DashboardData:
    """Everything the dashboard draws, read in one go off the UI thread."""

    summary: WorkshopSummary
    names: dict[str, str]             # participant id -> name to show
    gold: tuple[GoldScore, ...]
    dimensions: tuple[tuple[str, str], ...]  # (id, label) in codebook order
    scale: tuple[int, ...]


def load_dashboard(workshop: str) -> DashboardData:
    """Read the workshop and compute its summary (slow: disk, SQL, statistics)."""
    from rater.services.gold import gold_for
    from rater.services.rating import codebook
    from rater.services.workshops import workshop_summary

    summary, names = workshop_summary(workshop)
    book = codebook(workshop)
    return DashboardData(summary, names, tuple(gold_for(workshop)),
                         tuple((d.id, d.name) for d in book.dimensions),
                         tuple(book.scale.values))


class DotPlot(QWidget):
    """Recordings down, dimensions across; in each cell the scale runs left to right, the gold
    score is a black line and each participant's score a dot (coloured and placed by band)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.data: DashboardData | None = None
        self.setMinimumHeight(240)
        self.setAccessibleName("Scores against gold, per recording and dimension")

    def show_data(self, data: DashboardData) -> None:
        self.data = data
        self.update()

    def paintEvent(self, _event) -> None:
        if self.data is None or not self.data.gold:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        data = self.data
        recordings = sorted({g.recording for g in data.gold})
        dims = [d for d, _label in data.dimensions]
        font = QFont(self.font())
        font.setPointSizeF(max(9.0, min(16.0, self.height() / (len(recordings) + 2) / 2.2)))
        painter.setFont(font)
        metrics = painter.fontMetrics()
        widest = max(metrics.horizontalAdvance(r) for r in recordings)
        label_w = min(widest, int(self.width() * 0.3)) + 12
        head_h = metrics.height() + 8
        cell_w = (self.width() - label_w) / max(1, len(dims))
        cell_h = (self.height() - head_h) / max(1, len(recordings))
        for j, (_dim, label) in enumerate(data.dimensions):
            painter.drawText(QRectF(label_w + j * cell_w, 0, cell_w, head_h),
                             Qt.AlignmentFlag.AlignCenter,
                             metrics.elidedText(label, Qt.TextElideMode.ElideRight,
                                                int(cell_w) - 8))
        gold = {(g.recording, g.dimension): g.score for g in data.gold}
        by_cell: dict[tuple[str, str], list] = {}
        for d in data.summary.differences:
            by_cell.setdefault((d.recording, d.dimension), []).append(d)
        low, high = min(data.scale), max(data.scale)
        for i, recording in enumerate(recordings):
            top = head_h + i * cell_h
            painter.setPen(self.palette().text().color())
            painter.drawText(QRectF(0, top, label_w - 6, cell_h),
                             Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                             metrics.elidedText(recording, Qt.TextElideMode.ElideMiddle,
                                                label_w - 8))
            for j, dim in enumerate(dims):
                cell = QRectF(label_w + j * cell_w, top, cell_w, cell_h).adjusted(6, 3, -6, -3)
                self._cell(painter, cell, gold.get((recording, dim)),
                           by_cell.get((recording, dim), []), low, high)
        painter.end()

    def _cell(self, painter: QPainter, cell: QRectF, gold: int | None, diffs: list,
              low: int, high: int) -> None:
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(QColor("#c8c8c8"), 1))
        painter.drawRect(cell)

        def x_of(score: float) -> float:
            return cell.left() + (score - low + 0.5) / (high - low + 1) * cell.width()

        painter.setPen(QPen(QColor("#e4e4e4"), 1, Qt.PenStyle.DotLine))
        for value in range(low, high + 1):  # where each scale point lies
            painter.drawLine(int(x_of(value)), int(cell.top()) + 1, int(x_of(value)),
                             int(cell.bottom()) - 1)

        radius = max(2.5, min(6.0, cell.height() / 8))
        stacks: dict[int, int] = {}
        painter.setPen(Qt.PenStyle.NoPen)
        for d in diffs:
            level = stacks.get(d.score, 0)
            stacks[d.score] = level + 1
            rows = max(1, int(cell.height() // (2 * radius + 1)))
            inward = 1 if d.score <= (low + high) / 2 else -1  # columns of dots stay inside
            x = x_of(d.score) + (level // rows) * (2 * radius + 1) * inward
            y = cell.bottom() - radius - 1 - (level % rows) * (2 * radius + 1)
            painter.setBrush(BAND_COLOURS[d.band])
            painter.drawEllipse(QRectF(x - radius, y - radius, 2 * radius, 2 * radius))
        if gold is not None:
            painter.setPen(QPen(self.palette().text().color(), 3))
            painter.drawLine(int(x_of(gold)), int(cell.top()), int(x_of(gold)),
                             int(cell.bottom()))


class ParticipantTable(QTableWidget):
    """One row per participant: how close to gold, and which way they lean."""

    HEADERS = ("Participant", "Scores", "Exact", "Within one", "Leaning (95% CI)",
               "Mean distance", "Note")

    def __init__(self, parent: QWidget | None = None):
        super().__init__(0, len(self.HEADERS), parent)
        self.setHorizontalHeaderLabels(self.HEADERS)
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.setTabKeyNavigation(False)  # Tab leaves the table (see ui/tables.py)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.horizontalHeader().setStretchLastSection(True)
        self.setAccessibleName("Participants against gold")
        font = QFont(self.font())
        font.setPointSizeF(self.font().pointSizeF() * 1.25)  # read from the back of a room
        self.setFont(font)

    def show_data(self, data: DashboardData, hide_names: bool) -> None:
        flags = flagged(data.summary)
        people = data.summary.participants
        self.setRowCount(len(people))
        for row, p in enumerate(people):
            shown = p.participant if hide_names else data.names.get(p.participant,
                                                                    p.participant)
            cells = (shown, str(p.n), _percent(p.exact), _percent(p.within_one),
                     _leaning(p.mean_signed, p.ci_low, p.ci_high), _number(p.mean_abs),
                     {"lenient": "scores higher than the expert",
                      "severe": "scores lower than the expert"}.get(flags.get(p.participant),
                                                                   ""))
            for column, text in enumerate(cells):
                self._set(row, column, text)
        self.resizeColumnsToContents()  # once, not at every cell (that made a redraw 160 ms)

    def _set(self, row: int, column: int, text: str) -> None:
        item = self.item(row, column)
        if item is None:
            self.setItem(row, column, QTableWidgetItem(text))
        elif item.text() != text:
            item.setText(text)


def _percent(share: float) -> str:
    return "–" if math.isnan(share) else f"{100 * share:.0f}%"


def _number(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:.2f}"


def _leaning(mean: float, low: float, high: float) -> str:
    if math.isnan(mean):
        return "–"
    interval = "" if math.isnan(low) else f" ({low:+.2f} to {high:+.2f})"
    return f"{mean:+.2f}{interval}"


class Dashboard(QWidget):
    """The whole dashboard for one workshop; `refreshed` fires after each redraw."""

    refreshed = Signal()

    def __init__(self, workshop: str, parent: QWidget | None = None, poll_ms: int = POLL_MS):
        super().__init__(parent)
        self.workshop = workshop
        self.data: DashboardData | None = None
        self._mark: str | None = None
        self._busy = False
        self.headline = QLabel("Reading the workshop…")
        self.headline.setWordWrap(True)
        big = QFont(self.font())
        big.setPointSizeF(self.font().pointSizeF() * 1.5)
        self.headline.setFont(big)
        self.hide_names = QCheckBox("&Hide names (show P01…)")
        self.hide_names.toggled.connect(self._redraw)
        self.legend = QLabel("Dots: each participant's score, placed on the scale (1 left, "
                             "highest right); black line: the expert's score. Green: exact · "
                             "amber: within one · red: off by two or more.")
        self.legend.setWordWrap(True)
        self.plot = DotPlot()
        self.table = ParticipantTable()
        top = QHBoxLayout()
        top.addWidget(self.headline, 1)
        top.addWidget(self.hide_names, 0, Qt.AlignmentFlag.AlignTop)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.plot)
        split.addWidget(self.table)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.legend)
        layout.addWidget(split, 1)
        self.timer = QTimer(self)
        self.timer.setInterval(poll_ms)
        self.timer.timeout.connect(self.poll)
        self.timer.start()
        self.poll()

    def poll(self) -> None:
        """Ask (off the UI thread) whether anything changed; reload only if it did."""
        if self._busy:
            return
        from rater.services.workshops import workshop_changes

        self._busy = True
        run_in_background(lambda: workshop_changes(self.workshop), self._on_mark,
                          self._on_failed, owner=self)

    def reload(self) -> None:
        self._busy = True
        run_in_background(lambda: load_dashboard(self.workshop), self._on_loaded,
                          self._on_failed, owner=self)

    def _on_mark(self, mark: str) -> None:
        if mark == self._mark:
            self._busy = False
            return
        self._mark = mark
        self.reload()

    def _on_loaded(self, data: DashboardData) -> None:
        self._busy = False
        if self.data is None:
            settle_heap()  # the statistics' modules are loaded now: keep them out of GC passes
        self.data = data
        self._redraw()

    def _on_failed(self, error: Exception) -> None:
        self._busy = False
        self.headline.setText(f"The workshop could not be read: {error}")

    def _redraw(self) -> None:
        data = self.data
        if data is None:
            return
        summary = data.summary
        labels = dict(data.dimensions)
        hardest = ", ".join(labels.get(d, d) for d in summary.hardest[:2]) or "–"
        self.headline.setText(f"Exact {_percent(summary.exact)} · within one point "
                              f"{_percent(summary.within_one)} · hardest: {hardest}")
        self.plot.show_data(data)
        self.table.show_data(data, self.hide_names.isChecked())
        self.refreshed.emit()
