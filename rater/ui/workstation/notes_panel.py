"""Notes: time-stamped, optionally tagged with a dimension; a list that jumps the audio.

The note field takes the keyboard only when the rater asks for it (N): it then keeps Space,
digits and arrows for typing, as a text field should; Enter saves the note, Esc leaves the
field with the text kept as a draft. The draft is announced (``draft_changed``) at most half
a second after any change, even while typing goes on, so the window can save it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from rater.core.codebook import Codebook
from rater.ui.workstation.queue_panel import keeps_list_keys
from rater.ui.workstation.timefmt import clock

DRAFT_DELAY_MS = 500


class NoteField(QLineEdit):
    left = Signal()
    """Esc: the rater leaves the field (the text stays)."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.left.emit()
            return
        super().keyPressEvent(event)


class NotesList(QListWidget):
    left = Signal()
    jump = Signal(int)
    """Enter on a note (its row)."""
    delete = Signal(int)
    """Delete on a note (its row)."""

    def event(self, event) -> bool:
        if event.type() == event.Type.ShortcutOverride and keeps_list_keys(event):
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, row = event.key(), self.currentRow()
        if key == Qt.Key.Key_Escape:
            self.left.emit()
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and row >= 0:
            self.jump.emit(row)
        elif key == Qt.Key.Key_Delete and row >= 0:
            self.delete.emit(row)
        else:
            super().keyPressEvent(event)


class NotesPanel(QWidget):
    jump_requested = Signal(float)
    """Play from this note's time (seconds)."""
    delete_requested = Signal(int)
    """Delete the note with this id."""
    save_requested = Signal(float, str, object)
    """Save a note: time (s), text, dimension id or None."""
    draft_changed = Signal()
    left = Signal()
    """The rater left the field or the list (Esc)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.notes: list[tuple[int, float, str, str | None]] = []
        self.names: dict[str, str] = {}
        self.time_s: float | None = None  # time of the note being written
        self.title = QLabel("Notes")
        self.title.setObjectName("panelTitle")
        self.list = NotesList()
        self.list.setAccessibleName("Notes on this recording")
        self.list.setWordWrap(True)
        self.list.itemClicked.connect(lambda item: self._jump(self.list.row(item)))
        self.list.jump.connect(self._jump)
        self.list.delete.connect(lambda row: self.delete_requested.emit(self.notes[row][0]))
        self.list.left.connect(self.left.emit)
        self.empty = QLabel("No notes yet. Press N to note the moment you are hearing.")
        self.empty.setObjectName("emptyHint")
        self.empty.setWordWrap(True)
        self.at = QLabel()
        self.at.setObjectName("noteTime")
        self.field = NoteField()
        self.field.setAccessibleName("Note text")
        self.field.setPlaceholderText("Press N to write a note at the playhead")
        self.field.returnPressed.connect(self._save)
        self.field.left.connect(self.left.emit)
        self.field.textEdited.connect(self._typed)
        self.tag = QComboBox()
        self.tag.setAccessibleName("Dimension of the note")
        self.tag.setToolTip("Tag the note with a dimension (optional)")
        self.tag.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.tag.currentIndexChanged.connect(lambda _i: self._typed())
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DRAFT_DELAY_MS)
        self._timer.timeout.connect(self.draft_changed.emit)
        self._lay_out()
        self._show_time()

    def _lay_out(self) -> None:
        entry = QHBoxLayout()
        entry.setSpacing(6)
        entry.addWidget(self.at)
        entry.addWidget(self.field, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.empty)
        layout.addLayout(entry)
        layout.addWidget(self.tag)

    def set_codebook(self, codebook: Codebook) -> None:
        self.names = {d.id: d.name for d in codebook.dimensions}
        self.tag.blockSignals(True)
        self.tag.clear()
        self.tag.addItem("No dimension", None)
        for dimension in codebook.dimensions:
            self.tag.addItem(dimension.name, dimension.id)
        self.tag.blockSignals(False)

    def show_notes(self, notes: list[tuple[int, float, str, str | None]]) -> None:
        self.notes = list(notes)
        self.list.clear()
        for _id, time_s, text, dimension in self.notes:
            tag = f"[{self.names.get(dimension, dimension)}] " if dimension else ""
            item = QListWidgetItem(f"{clock(time_s)}  {tag}{text}")
            item.setToolTip(f"At {clock(time_s)}: {text}")
            self.list.addItem(item)
        self.empty.setVisible(not self.notes)

    # -- writing a note -----------------------------------------------------------------------
    def start(self, time_s: float, dimension: str | None) -> None:
        """Begin a note at ``time_s`` (or carry on with the draft already begun)."""
        if self.time_s is None or not self.field.text():
            self.time_s = time_s
            self.tag.setCurrentIndex(max(0, self.tag.findData(dimension)))
        self._show_time()
        self.field.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def draft(self) -> dict | None:
        if self.time_s is None or not self.field.text():
            return None
        return {"time_s": self.time_s, "text": self.field.text(),
                "dimension": self.tag.currentData()}

    def restore(self, draft: dict | None) -> None:
        """Show a saved draft (or an empty field)."""
        self._timer.stop()
        self.field.setText(draft["text"] if draft else "")
        self.time_s = draft["time_s"] if draft else None
        self.tag.setCurrentIndex(max(0, self.tag.findData(draft["dimension"] if draft else None)))
        self._show_time()

    def _typed(self, *_args) -> None:
        if not self._timer.isActive():  # at most half a second after the first unsaved key
            self._timer.start()

    def _save(self) -> None:
        text = self.field.text().strip()
        if not text or self.time_s is None:
            self.left.emit()
            return
        self._timer.stop()
        self.save_requested.emit(self.time_s, text, self.tag.currentData())

    def _show_time(self) -> None:
        self.at.setText(f"at {clock(self.time_s)}" if self.time_s is not None else "")
        self.at.setVisible(self.time_s is not None)
        self.field.setAccessibleDescription(
            f"Note at {clock(self.time_s)}" if self.time_s is not None else "Press N first")

    def _jump(self, row: int) -> None:
        if 0 <= row < len(self.notes):
            self.jump_requested.emit(self.notes[row][1])
