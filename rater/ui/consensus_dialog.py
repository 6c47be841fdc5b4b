"""Adjudicating one disagreement: both raters' scores and notes, the dimension's anchors, the
recording to listen to, and no level chosen until the adjudicator chooses one.

A preselected value is what went wrong before: a spin box started at 3 while the raters gave 5
and 4, so Enter recorded 3. Here nothing can be recorded without a chosen level and a reason.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from rater.services.analysis import ConsensusCase
from rater.ui.workstation.timefmt import clock


class ConsensusDialog(QDialog):
    def __init__(self, case: ConsensusCase, parent: QWidget | None = None):
        super().__init__(parent)
        self.case = case
        self.adapter = None  # the player, made at the first Play (it starts the engine)
        self._start_at: float | None = None  # where to play once the recording is open
        name = case.dimension.name
        self.setWindowTitle(f"Consensus: {name}, {case.code}")
        layout = QVBoxLayout(self)
        about = QLabel(f"<b>{name}</b> of <b>{case.code}</b>: {case.dimension.definition}")
        about.setWordWrap(True)
        layout.addWidget(about)
        layout.addWidget(self._raters_box())
        layout.addWidget(self._listen_box())
        layout.addWidget(self._levels_box(), 1)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("How the raters (or you) agreed")
        self.reason.setAccessibleName("Reason")
        self.reason.textChanged.connect(self._ready)
        reason_row = QHBoxLayout()
        reason_label = QLabel("&Reason:")
        reason_label.setBuddy(self.reason)
        reason_row.addWidget(reason_label)
        reason_row.addWidget(self.reason, 1)
        layout.addLayout(reason_row)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.record = self.buttons.addButton("Record &consensus",
                                             QDialogButtonBox.ButtonRole.AcceptRole)
        self.record.setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.resize(760, 640)

    # -- what the dialog shows ------------------------------------------------------------------

    def _raters_box(self) -> QGroupBox:
        box = QGroupBox("What the raters gave")
        layout = QVBoxLayout(box)
        for role, rater, score in self.case.ratings:
            label = QLabel(f"{role.title()} rater <b>{rater}</b>: <b>{score}</b> "
                           f"({self.case.labels.get(score, '')})")
            label.setObjectName(f"rating-{role}")
            layout.addWidget(label)
        if self.case.agreed:
            layout.addWidget(QLabel(f"Consensus so far: {self.case.agreed['score']} "
                                    f"({self.case.agreed['reason']}). A new one replaces it; "
                                    "both are kept."))
        self.notes = QListWidget()
        self.notes.setAccessibleName("The raters' notes (Enter plays from there)")
        for note in self.case.notes:
            about = f" [{note.dimension}]" if note.dimension else ""
            item = QListWidgetItem(f"{note.rater} · {clock(note.time_s)}{about} · {note.text}")
            item.setData(Qt.ItemDataRole.UserRole, note.time_s)
            self.notes.addItem(item)
        if not self.case.notes:
            self.notes.addItem("Neither rater left a note on this recording.")
        self.notes.itemActivated.connect(self._play_note)
        self.notes.setMaximumHeight(120)
        layout.addWidget(self.notes)
        return box

    def _listen_box(self) -> QWidget:
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        self.play = QPushButton("&Play / pause")
        self.play.clicked.connect(lambda: self._listen(None))
        self.position = QLabel("0:00")
        self.position.setAccessibleName("Position")
        layout.addWidget(self.play)
        layout.addWidget(self.position)
        layout.addStretch(1)
        if not self.case.audio:
            self.play.setEnabled(False)
            self.position.setText("The blinded recording is not on this machine.")
        self._timer = QTimer(self)
        self._timer.setInterval(200)
        self._timer.timeout.connect(self._follow)
        return row

    def _levels_box(self) -> QGroupBox:
        box = QGroupBox("The agreed level (a digit chooses it)")
        grid = QGridLayout(box)
        self.levels = QButtonGroup(self)
        self.levels.setExclusive(True)
        given = {}
        for role, rater, score in self.case.ratings:
            given.setdefault(score, []).append(f"{role} {rater}")
        for row, (value, label) in enumerate(sorted(self.case.labels.items())):
            marks = f"  ← {', '.join(given[value])}" if value in given else ""
            button = QRadioButton(f"&{value} {label}{marks}")
            button.setObjectName(f"level-{value}")
            anchor = QLabel(self.case.dimension.anchors.get(value, ""))
            anchor.setWordWrap(True)
            self.levels.addButton(button, value)
            grid.addWidget(button, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(anchor, row, 1, Qt.AlignmentFlag.AlignTop)
        grid.setColumnStretch(1, 1)
        self.levels.idToggled.connect(lambda *_a: self._ready())
        return box

    # -- choosing ---------------------------------------------------------------------------------

    def score(self) -> int | None:
        chosen = self.levels.checkedId()
        return None if chosen < 0 else chosen

    def reason_text(self) -> str:
        return self.reason.text().strip()

    def _ready(self) -> None:
        self.record.setEnabled(self.score() is not None and bool(self.reason_text()))

    def showEvent(self, event) -> None:
        super().showEvent(event)
        for button in self.findChildren(QPushButton):  # the button box chose its own default
            button.setAutoDefault(False)
        self.record.setDefault(True)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter records, and only once a level and a reason are given (Qt would press
        whichever button last had the focus). A digit on the scale chooses that level."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self.record.isEnabled():
                self.record.click()
            return
        text = event.text()
        if text.isdigit() and self.levels.button(int(text)) is not None:
            self.levels.button(int(text)).setChecked(True)
            self.reason.setFocus()
            return
        super().keyPressEvent(event)

    # -- listening -------------------------------------------------------------------------------

    def _play_note(self, item: QListWidgetItem) -> None:
        at = item.data(Qt.ItemDataRole.UserRole)
        if at is not None and self.case.audio:
            self._listen(float(at))

    def _listen(self, at: float | None) -> None:
        """Play/pause, or (with `at`) play from there. The first use opens the recording off
        the UI thread and plays once it is open."""
        if self.adapter is None:
            from rater.ui.player_adapter import PlayerAdapter

            self.adapter = PlayerAdapter(parent=self)
            self.adapter.opened.connect(lambda _info: self.adapter.play())
            self.adapter.errorOccurred.connect(lambda e: self.position.setText(str(e)))
            self.adapter.open_async(self.case.audio, at or 0.0)
            self._timer.start()
            return
        if at is None:
            self.adapter.toggle()
        else:
            self.adapter.seek(at)
            self.adapter.play()

    def _follow(self) -> None:
        if self.adapter is not None:
            self.position.setText(clock(self.adapter.position()))

    def done(self, result: int) -> None:
        self._timer.stop()
        if self.adapter is not None:
            self.adapter.close()
            self.adapter = None
        super().done(result)
