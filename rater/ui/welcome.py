"""The first screen: who are you today? A rater opens a pack; a researcher opens a study.

Each choice leads to its own window; recent files are one click away.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

RECENT_KEY = "recent_files"
MAX_RECENT = 8


def remember(path: str) -> None:
    """Put a file at the top of the recent list."""
    settings = QSettings()
    recent = [p for p in settings.value(RECENT_KEY, [], list) if p != path]
    settings.setValue(RECENT_KEY, [path, *recent][:MAX_RECENT])


def recent_files() -> list[str]:
    return [p for p in QSettings().value(RECENT_KEY, [], list) if Path(p).exists()]


# A focus ring that can be seen from across a room (the platform's was a faint 1 px line).
FOCUS_STYLE = """
QPushButton { padding: 6px 14px; border: 1px solid #8a94a6; border-radius: 4px;
              background: palette(button); }
QPushButton:hover { border-color: #1d5fa8; }
QPushButton:focus { border: 3px solid #1d5fa8; padding: 4px 12px; }
QListWidget:focus { border: 3px solid #1d5fa8; }
"""


def enter_presses_focused_button(window: QWidget, event: QKeyEvent) -> bool:
    """Enter (and Return) press the focused button, as Space does: outside a dialog, Qt's
    buttons answer Space only. True when the key was used."""
    focused = window.focusWidget()
    if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and isinstance(focused, QPushButton):
        focused.click()
        return True
    return False


def choice_box(heading: str, explanation: str, action) -> QWidget:
    """A big button with its explanation under it (the welcome and first-launch screens)."""
    box = QWidget()
    button = QPushButton(heading)
    button.setMinimumHeight(48)
    button.setAccessibleName(heading.replace("&", ""))
    button.setAccessibleDescription(explanation)
    button.clicked.connect(action)
    text = QLabel(explanation)
    text.setWordWrap(True)
    column = QVBoxLayout(box)
    column.addWidget(button)
    column.addWidget(text)
    column.addStretch()
    return box


class WelcomeWindow(QWidget):
    """Signals carry a path; the app decides which window opens it."""

    packChosen = Signal(str)
    studyChosen = Signal(str)
    demoChosen = Signal()
    workshopChosen = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Welcome — Rater")
        self.setAccessibleName("Welcome")
        title = QLabel("Rater")
        title.setFont(QFont(title.font().family(), 22, QFont.Weight.Bold))
        subtitle = QLabel("Score recorded interviews blind, and show that raters agree.")
        choices = QHBoxLayout()
        choices.addWidget(choice_box(
            "I'm &rating recordings", "Open the rater pack your researcher sent you. You will "
            "hear recordings under codes only, and score them against the codebook.",
            self._choose_pack))
        choices.addWidget(choice_box(
            "I'm running a &study", "Open your study: what it holds, reliability, consensus, "
            "group comparison and exports. (Set a study up with the 'rater study' commands.)",
            self._choose_study))
        choices.addWidget(choice_box(
            "I'm running a &workshop", "Trainees rate recordings, then compare with the "
            "expert's scores and reasons. Opens a demo workshop: the eight demo interviews as "
            "gold, twelve simulated participants.", self.workshopChosen.emit))
        self.recent = QListWidget()
        self.recent.setAccessibleName("Recent files")
        self.recent.itemActivated.connect(self._open_recent)
        demo = QPushButton("Open the &demo study")
        demo.setAccessibleName("Open the demo study")
        demo.setToolTip("Eight short synthesised interviews, rated by three demo raters")
        demo.clicked.connect(self.demoChosen.emit)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 28, 32, 28)
        layout.setSpacing(14)
        layout.addWidget(title)
        layout.addWidget(subtitle)
        layout.addLayout(choices)
        recent_label = QLabel("Re&cent files:")
        recent_label.setBuddy(self.recent)
        layout.addWidget(recent_label)
        layout.addWidget(self.recent)
        layout.addWidget(demo, alignment=Qt.AlignmentFlag.AlignLeft)
        self.setStyleSheet(FOCUS_STYLE)
        self.refresh_recent()
        self.resize(900, 520)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not enter_presses_focused_button(self, event):
            super().keyPressEvent(event)

    def refresh_recent(self) -> None:
        self.recent.clear()
        for path in recent_files():
            item = QListWidgetItem(Path(path).name)
            item.setData(Qt.ItemDataRole.UserRole, path)
            item.setToolTip(path)
            self.recent.addItem(item)
        if not self.recent.count():
            self.recent.addItem(QListWidgetItem("(nothing opened yet)"))

    def _choose_pack(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a rater pack", "",
                                              "Rater packs (*.raterpack)")
        if path:
            self.packChosen.emit(path)

    def _choose_study(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a study", "", "Studies (*.rater)")
        if path:
            self.studyChosen.emit(path)

    def _open_recent(self, item: QListWidgetItem) -> None:
        path = item.data(Qt.ItemDataRole.UserRole)
        if not path:
            return
        (self.packChosen if path.endswith(".raterpack") else self.studyChosen).emit(path)
