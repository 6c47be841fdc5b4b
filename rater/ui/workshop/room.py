"""Room mode: the recording plays for the whole room, and the trainer types everyone's scores
into a grid (participants down, dimensions across).

Keyboard first: a digit scores the current cell and moves right (then on to the next
participant), arrows and Tab move, Backspace or Delete takes a score back. Each score is
committed off the UI thread the moment it is typed, so a crash loses nothing; a participant's
row is submitted once complete, and a later change is kept as an amendment.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from rater.ui.tasks import one_at_a_time, run_in_background

PENDING = "…"


@dataclass(frozen=True)
class RoomData:
    """What room mode needs, read off the UI thread."""

    participants: tuple[tuple[str, str], ...]   # (id, name to show)
    dimensions: tuple[tuple[str, str], ...]     # (id, label) in codebook order
    scale: tuple[int, ...]
    recordings: tuple[tuple[str, str | None], ...]  # (code, audio path)
    scores: dict[tuple[str, str, str], int]     # (participant, recording, dimension) -> score


def load_room(workshop: str) -> RoomData:
    from rater.services.gold import gold_recordings
    from rater.services.rating import codebook
    from rater.services.workshops import display_names, participant_scores

    book = codebook(workshop)
    names = display_names(workshop)
    recordings = tuple((r["code"], r.get("audio")) for r in gold_recordings(workshop))
    scores = {(s.participant, s.recording, s.dimension): s.score
              for s in participant_scores(workshop)}
    return RoomData(tuple(names.items()), tuple((d.id, d.name) for d in book.dimensions),
                    tuple(book.scale.values), recordings, scores)


class RoomGrid(QTableWidget):
    """The keyboard grid. It only edits cells and says what was typed; `RoomMode` commits."""

    scored = Signal(int, int, int)    # row, column, score
    cleared = Signal(int, int)        # row, column

    def __init__(self, scale: tuple[int, ...], parent: QWidget | None = None):
        super().__init__(parent)
        self.scale = scale
        self.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.setAccessibleName("Scores of every participant for this recording")
        font = QFont(self.font())
        font.setPointSizeF(self.font().pointSizeF() * 1.4)
        self.setFont(font)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        row, column = self.currentRow(), self.currentColumn()
        text = event.text()
        if text.isdigit() and int(text) in self.scale and row >= 0 and column >= 0:
            self.scored.emit(row, column, int(text))
            self._advance(row, column)
        elif event.key() in (Qt.Key.Key_Backspace, Qt.Key.Key_Delete) and row >= 0:
            self.cleared.emit(row, column)
        else:
            super().keyPressEvent(event)

    def _advance(self, row: int, column: int) -> None:
        if column + 1 < self.columnCount():
            self.setCurrentCell(row, column + 1)
        elif row + 1 < self.rowCount():
            self.setCurrentCell(row + 1, 0)


class RoomMode(QWidget):
    """A recording chooser, a play button, the grid and a line saying what was saved."""

    committed = Signal()

    def __init__(self, workshop: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.workshop = workshop
        self.data: RoomData | None = None
        self.adapter = None  # the player, made when first needed (it starts the engine)
        self.recording = QComboBox()
        self.recording.setAccessibleName("Recording")
        self.recording.currentIndexChanged.connect(self._show_recording)
        self.play = QPushButton("&Play / pause")
        self.play.clicked.connect(self._toggle)
        self.grid = RoomGrid(())
        self.grid.scored.connect(self._score)
        self.grid.cleared.connect(self._clear)
        self.saves = one_at_a_time(self)
        self.status = QLabel("Reading the workshop…")
        top = QHBoxLayout()
        top.addWidget(QLabel("&Recording:"))
        top.itemAt(0).widget().setBuddy(self.recording)
        top.addWidget(self.recording, 1)
        top.addWidget(self.play)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.grid, 1)
        layout.addWidget(self.status)
        self.reload()

    def reload(self) -> None:
        """Read participants, recordings and scores again (a recording or person was added)."""
        run_in_background(lambda: load_room(self.workshop), self._loaded, self._failed,
                          owner=self)

    def _loaded(self, data: RoomData) -> None:
        first, keep = self.data is None, self.recording.currentText()
        self.data = data
        self.grid.scale = data.scale
        self.grid.setRowCount(len(data.participants))
        self.grid.setColumnCount(len(data.dimensions))
        self.grid.setHorizontalHeaderLabels([label for _d, label in data.dimensions])
        self.grid.setVerticalHeaderLabels([name for _p, name in data.participants])
        self.recording.clear()
        self.recording.addItems([code for code, _audio in data.recordings])
        if self.recording.findText(keep) >= 0:
            self.recording.setCurrentIndex(self.recording.findText(keep))
        self.status.setText("Type each participant's scores: a digit scores and moves right; "
                            "arrows move; Backspace takes a score back. Every score is saved "
                            "at once.")
        if first:
            self.grid.setCurrentCell(0, 0)
            self.grid.setFocus()

    def _failed(self, error: Exception) -> None:
        self.status.setText(f"Not saved: {error}")

    @property
    def code(self) -> str:
        return self.recording.currentText()

    def _show_recording(self) -> None:
        if self.data is None or not self.code:
            return
        for row, (participant, _name) in enumerate(self.data.participants):
            for column, (dimension, _label) in enumerate(self.data.dimensions):
                score = self.data.scores.get((participant, self.code, dimension))
                self._set_cell(row, column, "" if score is None else str(score))
        if self.adapter is not None:
            self._open_audio()

    def _set_cell(self, row: int, column: int, text: str) -> None:
        item = QTableWidgetItem(text)
        item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
        self.grid.setItem(row, column, item)

    def _key(self, row: int, column: int) -> tuple[str, str, str]:
        return self.data.participants[row][0], self.code, self.data.dimensions[column][0]

    def _score(self, row: int, column: int, score: int) -> None:
        from rater.services.workshop_run import enter_room_score

        key = self._key(row, column)
        self._set_cell(row, column, PENDING)
        run_in_background(lambda: enter_room_score(self.workshop, *key, score),
                          lambda _state: self._saved(row, column, key, score),
                          lambda error: self._refused(row, column, key, error), owner=self,
                          pool=self.saves)

    def _clear(self, row: int, column: int) -> None:
        from rater.services.workshop_run import clear_room_score

        key = self._key(row, column)
        run_in_background(lambda: clear_room_score(self.workshop, *key),
                          lambda _none: self._saved(row, column, key, None),
                          lambda error: self._refused(row, column, key, error), owner=self,
                          pool=self.saves)

    def _saved(self, row: int, column: int, key: tuple[str, str, str], score: int | None) -> None:
        if score is None:
            self.data.scores.pop(key, None)
        else:
            self.data.scores[key] = score
        if key[1] == self.code:
            self._set_cell(row, column, "" if score is None else str(score))
        name = self.data.participants[row][1]
        self.status.setText(f"Saved: {name}, {self.data.dimensions[column][1]} "
                            f"{'cleared' if score is None else score}.")
        self.committed.emit()

    def _refused(self, row: int, column: int, key: tuple[str, str, str],
                 error: Exception) -> None:
        previous = self.data.scores.get(key)
        if key[1] == self.code:
            self._set_cell(row, column, "" if previous is None else str(previous))
        self.status.setText(f"Not saved: {error}")

    def _toggle(self) -> None:
        if self.adapter is None:
            from rater.ui.player_adapter import PlayerAdapter

            self.adapter = PlayerAdapter(parent=self)
            self._open_audio()
        self.adapter.toggle()
        self.grid.setFocus()

    def _open_audio(self) -> None:
        audio = dict(self.data.recordings).get(self.code)
        if audio and Path(audio).is_file():
            self.adapter.open(audio)
