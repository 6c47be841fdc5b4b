"""How far each rater has got, on the study window's overview: it follows the study (at once
on a shared server, every few seconds for a file: `StudyFollower`)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHeaderView, QLabel, QTableWidgetItem, QVBoxLayout, QWidget

from rater.ui.study_follower import StudyFollower
from rater.ui.tables import new_table
from rater.ui.tasks import run_in_background

HEADERS = ("Rater", "Items", "Submitted", "In progress", "Last score (UTC)")


class ProgressView(QWidget):
    updated = Signal()
    """A newer answer is shown (tests and the study window's counts follow it)."""

    def __init__(self, follower: StudyFollower | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.study: str | None = None
        self._request = 0
        self.title = QLabel("Progress by rater")
        self.table = new_table(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.setAccessibleName("Progress by rater")
        self.table.setEditTriggers(self.table.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self._own_follower = follower is None  # a window may share one with its other views
        self.follower = follower or StudyFollower(self)
        self.follower.changed.connect(self.reload)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.table)

    def open_study(self, study: str) -> None:
        self.study = study
        self.reload()
        if self._own_follower:
            self.follower.follow(study)

    def reload(self) -> None:
        from rater.services.progress import rater_progress

        if self.study is None:
            return
        self._request += 1
        study, request = self.study, self._request
        run_in_background(lambda: rater_progress(study), lambda rows: self._show(rows, request),
                          self._failed, owner=self)

    def _failed(self, error: Exception) -> None:
        self.title.setText(f"Progress by rater could not be read: {error}")

    def _show(self, rows, request: int) -> None:
        if request != self._request:
            return  # overtaken by a newer reload
        live = " (live)" if self.follower.live else ""
        self.title.setText(f"Progress by rater{live}")
        self.table.setRowCount(len(rows))
        for row, p in enumerate(rows):
            when = p.last_change.strftime("%Y-%m-%d %H:%M:%S") if p.last_change else "—"
            for column, value in enumerate((p.rater, p.items, p.submitted, p.in_progress, when)):
                self.table.setItem(row, column, QTableWidgetItem(str(value)))
        self.updated.emit()
