"""The Practice tab: record a student's own practice interview, then see it rated side by side
(self, peers, trainer). The ratings themselves are made like any workshop recording's: in room
mode, in a turn on this machine, or in packs."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from rater.ui.workshop.recorder_box import RecorderBox
from rater.ui.workshop.side_by_side import SideBySideView


class PracticePanel(QWidget):
    """`added(code)` fires when a practice recording has joined the workshop."""

    added = Signal(str)

    def __init__(self, workshop: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.recorder = RecorderBox(workshop)
        self.side_by_side = SideBySideView(workshop)
        self.recorder.added.connect(self.added)
        self.recorder.added.connect(lambda _code: self.side_by_side.reload())
        layout = QVBoxLayout(self)
        layout.addWidget(self.recorder)
        layout.addWidget(self.side_by_side, 1)

    def reload(self) -> None:
        """Participants or scores changed elsewhere in the workshop."""
        self.side_by_side.reload()
