"""A practice recording after everyone has rated it: the student's own scores beside the peers'
and the trainer's, everyone's notes and the trainer's evidence moments on the timeline (a
double-click plays from there), and for the trainer a line on the whole class."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from rater.ui.tables import new_table
from rater.ui.tasks import run_in_background
from rater.ui.workstation.timefmt import clock

COLUMNS = ("Dimension", "Self", "Peers", "Peers' mean", "Trainer", "Self − trainer")


def _choices(workshop: str) -> tuple[list[tuple[str, str]], dict[str, tuple[str, bool]]]:
    """Participants, and the practice recordings (code -> student, blind)."""
    from rater.services.practice import practice_recordings
    from rater.services.workshops import workshop_info

    people = [(p["id"], p["name"]) for p in workshop_info(workshop)["participants"]]
    return people, practice_recordings(workshop)


class SideBySideView(QGroupBox):
    def __init__(self, workshop: str, parent: QWidget | None = None):
        super().__init__("Side by side: self, peers, trainer", parent)
        self.workshop = workshop
        self.data = None  # the SideBySide shown
        self.adapter = None  # the player, made at the first moment played
        self._request = 0
        self.recording = QComboBox()
        self.recording.setAccessibleName("Practice recording")
        self.trainer = QComboBox()
        self.trainer.setAccessibleName("Who is the trainer")
        for combo in (self.recording, self.trainer):
            combo.currentIndexChanged.connect(self.show_current)
        self.table = new_table(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.timeline = QListWidget()
        self.timeline.setAccessibleName("Notes and moments (Enter plays from there)")
        self.timeline.itemActivated.connect(self._play_from)
        self.stop_button = QPushButton("S&top playback")
        self.stop_button.clicked.connect(self._stop)
        self.position = QLabel("")
        self.class_line = QLabel("")
        self.class_line.setWordWrap(True)
        self.class_line.setObjectName("class-summary")
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self._timer = QTimer(self)
        self._timer.setInterval(200)
        self._timer.timeout.connect(self._follow)
        self._layout()
        self.reload()

    def _layout(self) -> None:
        top = QHBoxLayout()
        for text, combo in (("Re&cording:", self.recording), ("T&rainer:", self.trainer)):
            label = QLabel(text)
            label.setBuddy(combo)
            top.addWidget(label)
            top.addWidget(combo, 1)
        play_row = QHBoxLayout()
        play_row.addWidget(QLabel("Notes and the trainer's moments:"))
        play_row.addStretch(1)
        play_row.addWidget(self.position)
        play_row.addWidget(self.stop_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 2)
        layout.addLayout(play_row)
        layout.addWidget(self.timeline, 1)
        layout.addWidget(self.class_line)
        layout.addWidget(self.status)

    def reload(self) -> None:
        run_in_background(lambda: _choices(self.workshop), self._choices, self._failed,
                          owner=self)

    def _choices(self, choices) -> None:
        people, practice = choices
        keep = self.recording.currentData(), self.trainer.currentData()
        for combo in (self.recording, self.trainer):
            combo.blockSignals(True)
            combo.clear()
        names = dict(people)
        for code, (student, _blind) in sorted(practice.items()):
            self.recording.addItem(f"{code} — {names.get(student, student)}'s interview", code)
        for pid, name in people:
            self.trainer.addItem(f"{name} ({pid})" if name != pid else pid, pid)
            if name.lower() == "trainer" and keep[1] is None:
                self.trainer.setCurrentIndex(self.trainer.count() - 1)
        for combo, value in zip((self.recording, self.trainer), keep, strict=True):
            if value is not None and combo.findData(value) >= 0:
                combo.setCurrentIndex(combo.findData(value))
            combo.blockSignals(False)
        if not practice:
            self.status.setText("No practice recording yet: record one above.")
        self.show_current()

    def show_current(self) -> None:
        from rater.services.practice import practice_side_by_side

        code, trainer = self.recording.currentData(), self.trainer.currentData()
        if code is None or trainer is None:
            return
        self._request += 1
        request = self._request
        run_in_background(lambda: practice_side_by_side(self.workshop, code, trainer),
                          lambda data: self._show(data, request), self._failed, owner=self)

    def _failed(self, error: Exception) -> None:
        self.status.setText(str(error))

    def _show(self, data, request: int) -> None:
        if request != self._request:
            return  # a later choice is on its way
        self.data = data
        self.table.setRowCount(len(data.dimensions))
        for row, (dimension, name) in enumerate(data.dimensions):
            cell = data.scores[dimension]
            peers = cell["peers"]
            mean = sum(peers) / len(peers) if peers else None
            gap = (cell["self"] - cell["trainer"]
                   if cell["self"] is not None and cell["trainer"] is not None else None)
            texts = (name, _text(cell["self"]), ", ".join(map(str, peers)) or "—",
                     "—" if mean is None else f"{mean:.1f}", _text(cell["trainer"]),
                     "—" if gap is None else f"{gap:+d}" if gap else "0")
            for column, text in enumerate(texts):
                item = QTableWidgetItem(text)
                if column:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()
        self.timeline.clear()
        marks = [(at, f"{clock(at)} · {who}: {text}") for who, at, text in data.notes]
        marks += [(at, f"{clock(at)} · Trainer's moment ({dimension}): {text}")
                  for dimension, at, text in data.moments]
        for at, text in sorted(marks):
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, at)
            self.timeline.addItem(item)
        if not marks:
            self.timeline.addItem("No notes or moments on this recording yet.")
        self.class_line.setText(_class_summary(data.class_summary))
        self.status.setText("")

    # -- listening -------------------------------------------------------------------------------

    def _play_from(self, item: QListWidgetItem) -> None:
        at = item.data(Qt.ItemDataRole.UserRole)
        if at is None or self.data is None or not self.data.audio:
            return
        if self.adapter is None:
            from rater.ui.player_adapter import PlayerAdapter

            self.adapter = PlayerAdapter(parent=self)
            self.adapter.opened.connect(lambda _info: self.adapter.play())
            self.adapter.errorOccurred.connect(lambda e: self.status.setText(str(e)))
        self.adapter.open_async(self.data.audio, float(at))
        self._timer.start()

    def _stop(self) -> None:
        if self.adapter is not None:
            self.adapter.pause()

    def _follow(self) -> None:
        if self.adapter is not None:
            self.position.setText(clock(self.adapter.position()))


def _text(score: int | None) -> str:
    return "—" if score is None else str(score)


def _class_summary(summary: dict) -> str:
    parts = []
    for key, who in (("self_vs_trainer", "Students' own scores"),
                     ("peers_vs_trainer", "Peers' mean scores")):
        part = summary[key]
        if not part["n"]:
            continue
        within, icc = part["within_one"]["value"], part["icc_a1"]
        icc_text = "ICC(A,1) not estimable yet" if icc["value"] is None else (
            f"ICC(A,1) {icc['value']:.2f}" + (f" (95% CI {icc['ci95'][0]:.2f} to "
                                              f"{icc['ci95'][1]:.2f})" if icc["ci95"] else ""))
        within_text = "" if within is None else f"{within:.0%} within one point; "
        parts.append(f"{who} against the trainer's, over the class ({part['n']} scores): "
                     f"{within_text}{icc_text}.")
    return " ".join(parts) or "The class comparison appears once the trainer has scored."
