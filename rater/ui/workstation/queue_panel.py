"""The rater's queue in its allocated order: blind code, status, and overall progress."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QProgressBar,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from rater.services.rating import QueueEntry

COLUMNS = ("#", "Recording", "Status")
_LIST_KEYS = {Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_Home, Qt.Key.Key_End}
Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()


def keeps_list_keys(event) -> bool:
    """A focused list keeps ↑/↓/Home/End for itself instead of the window's shortcuts."""
    if isinstance(event, QKeyEvent) and event.key() in _LIST_KEYS and not event.modifiers():
        event.accept()
        return True
    return False


def status_text(entry: QueueEntry, dimensions: int) -> str:
    if entry.submitted:
        return "✓ submitted"
    if entry.scores:
        return f"in progress ({len(entry.scores)}/{dimensions})"
    return "not started"


class QueueModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.entries: list[QueueEntry] = []
        self.dimensions = 0
        self.current: str | None = None

    def reset(self, entries: list[QueueEntry], dimensions: int) -> None:
        self.beginResetModel()
        self.entries, self.dimensions = list(entries), dimensions
        self.endResetModel()

    def update(self, entry: QueueEntry) -> None:
        row = self.row_of(entry.code)
        if row is not None:
            self.entries[row] = entry
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def set_current(self, code: str | None) -> None:
        old, self.current = self.current, code
        for c in (old, code):
            row = self.row_of(c) if c else None
            if row is not None:
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def row_of(self, code: str | None) -> int | None:
        return next((i for i, e in enumerate(self.entries) if e.code == code), None)

    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.entries)

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role=Qt.ItemDataRole.DisplayRole):
        entry = self.entries[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (str(index.row() + 1), entry.code,
                    status_text(entry, self.dimensions))[column]
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return (f"Recording {index.row() + 1}: {entry.code}, "
                    f"{status_text(entry, self.dimensions)}")
        if role == Qt.ItemDataRole.FontRole and entry.code == self.current:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def submitted(self) -> int:
        return sum(1 for e in self.entries if e.submitted)


class QueueView(QTableView):
    def event(self, event) -> bool:
        if event.type() == event.Type.ShortcutOverride and keeps_list_keys(event):
            return True
        return super().event(event)


class QueuePanel(QWidget):
    activated = Signal(str)
    """The rater chose a recording (its blind code)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = QueueModel(self)
        self.view = QueueView()
        self.view.setModel(self.model)
        self.view.setAccessibleName("Queue of recordings")
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().hide()
        self.view.setShowGrid(False)
        self.view.setAlternatingRowColors(True)
        header = self.view.horizontalHeader()
        header.setAccessibleName("Queue columns")
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.view.activated.connect(self._on_activated)
        self.view.clicked.connect(self._on_activated)
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Queue progress")
        self.progress.setFormat("%v of %m submitted")
        self.title = QLabel("Queue")
        self.title.setObjectName("panelTitle")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.progress)

    def reset(self, entries: list[QueueEntry], dimensions: int) -> None:
        self.model.reset(entries, dimensions)
        self._show_progress()

    def update(self, entry: QueueEntry) -> None:
        self.model.update(entry)
        self._show_progress()

    def set_current(self, code: str) -> None:
        self.model.set_current(code)
        row = self.model.row_of(code)
        if row is not None:
            self.view.selectRow(row)

    def _show_progress(self) -> None:
        self.progress.setRange(0, max(1, len(self.model.entries)))
        self.progress.setValue(self.model.submitted())
        self.progress.setAccessibleDescription(
            f"{self.model.submitted()} of {len(self.model.entries)} recordings submitted")

    def _on_activated(self, index: QModelIndex) -> None:
        self.activated.emit(self.model.entries[index.row()].code)
