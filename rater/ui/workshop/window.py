"""The trainer's workshop window: one tab per way of looking at the workshop."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMainWindow, QTabWidget

from rater.ui.workshop.dashboard import Dashboard
from rater.ui.workshop.feedback import FeedbackPanel
from rater.ui.workshop.gold_editor import GoldEditor
from rater.ui.workshop.participants import ParticipantsPanel
from rater.ui.workshop.room import RoomMode


class WorkshopWindow(QMainWindow):
    def __init__(self, workshop: str):
        super().__init__()
        self.workshop = workshop
        self.setWindowTitle(f"{Path(workshop).stem} — Workshop — Rater")
        self.tabs = QTabWidget()
        self.dashboard = Dashboard(workshop)
        self.tabs.addTab(self.dashboard, "&Dashboard")
        self.room = RoomMode(workshop)
        self.room.committed.connect(self.dashboard.poll)
        self.tabs.addTab(self.room, "R&oom mode")
        self.feedback = FeedbackPanel(workshop)
        self.tabs.addTab(self.feedback, "&Feedback")
        self.gold = GoldEditor(workshop)
        self.tabs.addTab(self.gold, "&Gold")
        self.participants = ParticipantsPanel(workshop)
        self.tabs.addTab(self.participants, "&Participants")
        self.setCentralWidget(self.tabs)
        close = self.menuBar().addMenu("&Workshop").addAction("&Close window")
        close.setShortcut(QKeySequence.StandardKey.Close)
        close.triggered.connect(self.close)
        self.resize(1280, 720)
