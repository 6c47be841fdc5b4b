"""The very first launch: who is starting Rater? The demo then opens in that person's role.

A blinded rater must not start on the researcher's demo: its Analysis tab names both demo
authorities and shows one scoring higher, which primes the very hypothesis raters are kept
blind to. So the first question is the role; a rater gets the demo's rater pack only.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from rater.ui.welcome import FOCUS_STYLE, choice_box, enter_presses_focused_button

ROLES = (
    ("rater", "I &rate recordings",
     "You score recordings blind, against the codebook. The demo opens the rater's window on "
     "eight short interviews, under codes only."),
    ("researcher", "I run a &study",
     "You set up studies, check that raters agree and compare groups. The demo opens a study "
     "of 33 recordings from two fictional authorities, rated by three demo raters."),
    ("trainer", "I run &workshops",
     "You train raters against expert scores. The demo opens a workshop: the eight demo "
     "interviews as gold, twelve simulated participants."),
)


class FirstLaunchWindow(QWidget):
    """`chosen(role)` carries 'rater', 'researcher' or 'trainer'."""

    chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Welcome — Rater")
        title = QLabel("Welcome to Rater")
        title.setFont(QFont(title.font().family(), 22, QFont.Weight.Bold))
        question = QLabel("Who is starting Rater? The demo opens in your role; you can open "
                          "your own files from the welcome screen afterwards.")
        question.setWordWrap(True)
        row = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for role, heading, explanation in ROLES:
            row.addWidget(self._choice(role, heading, explanation))
        self.step = QLabel("")
        self.step.setWordWrap(True)
        self.step.setAccessibleName("What is being prepared")
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Preparing the demo")
        self.progress.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 28, 32, 28)
        layout.setSpacing(14)
        layout.addWidget(title)
        layout.addWidget(question)
        layout.addLayout(row)
        layout.addStretch(1)
        layout.addWidget(self.step)
        layout.addWidget(self.progress)
        self.setStyleSheet(FOCUS_STYLE)
        self.resize(900, 460)

    def _choice(self, role: str, heading: str, explanation: str) -> QWidget:
        box = choice_box(heading, explanation, lambda: self._choose(role))
        self.buttons[role] = box.findChild(QPushButton)
        return box

    def _choose(self, role: str) -> None:
        for button in self.buttons.values():
            button.setEnabled(False)
        self.step.setText("Preparing the demo…")
        self.chosen.emit(role)

    def show_step(self, done: int, total: int, text: str) -> None:
        """A step of building the demo (the first time only; about 20 seconds)."""
        self.progress.show()
        self.progress.setRange(0, total)
        self.progress.setValue(done)
        self.step.setText(f"Preparing the demo, the first time only: {text}…")

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not enter_presses_focused_button(self, event):
            super().keyPressEvent(event)
