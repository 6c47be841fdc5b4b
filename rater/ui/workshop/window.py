"""The trainer's workshop window: one tab per way of looking at the workshop, and a Workshop
menu for what is done once (gold recordings, expert scores, the handout, a new workshop)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QFileDialog, QMainWindow, QTabWidget

from rater.ui.tasks import run_in_background
from rater.ui.workshop.dashboard import Dashboard
from rater.ui.workshop.feedback import FeedbackPanel
from rater.ui.workshop.gold_editor import GoldEditor
from rater.ui.workshop.participants import ParticipantsPanel
from rater.ui.workshop.practice import PracticePanel
from rater.ui.workshop.room import RoomMode

AUDIO_FILTER = "Audio (*.wav *.flac *.ogg *.opus *.mp3 *.m4a *.aac)"


class WorkshopWindow(QMainWindow):
    def __init__(self, workshop: str, on_open: Callable[[str], None] | None = None):
        super().__init__()
        self.workshop = workshop
        self.on_open = on_open  # opens another workshop (a new one) in its own window
        self.setWindowTitle(f"{Path(workshop).stem} — Workshop — Rater")
        self.tabs = QTabWidget()
        self.dashboard = Dashboard(workshop)
        self.room = RoomMode(workshop)
        self.room.committed.connect(self.dashboard.poll)
        self.feedback = FeedbackPanel(workshop)
        self.gold = GoldEditor(workshop)
        self.participants = ParticipantsPanel(workshop)
        self.practice = PracticePanel(workshop)
        self.practice.added.connect(self._recording_added)
        for widget, title in ((self.dashboard, "&Dashboard"), (self.room, "R&oom mode"),
                              (self.feedback, "&Feedback"), (self.gold, "&Gold"),
                              (self.participants, "&Participants"),
                              (self.practice, "Pr&actice")):
            self.tabs.addTab(widget, title)
        self.tabs.currentChanged.connect(self._tab_shown)
        self.setCentralWidget(self.tabs)
        self._menu()
        self.resize(1280, 720)

    def _tab_shown(self, _index: int) -> None:
        """Scores come in from room mode, turns and packs while another tab is shown."""
        if self.tabs.currentWidget() is self.practice:
            self.practice.reload()

    def _recording_added(self, _code: str) -> None:
        """A practice recording joined: every view that lists recordings reads them again."""
        self.room.reload()
        self.participants.reload()
        self.dashboard.poll()

    def closeEvent(self, event) -> None:
        """A turn still open is closed too: its window saves the participant's work, which the
        next turn of the same person brings in with theirs."""
        self.participants.turns.finish()
        super().closeEvent(event)

    def _menu(self) -> None:
        menu = self.menuBar().addMenu("&Workshop")
        new = QKeySequence.StandardKey.New
        for text, slot, key in (("&New workshop…", self.new_workshop, new),
                                ("Add gold &recordings…", self.add_recordings, None),
                                ("&Import the experts' scores (CSV)…", self.import_gold, None),
                                ("Write the &handout (HTML)…", self.write_handout, None),
                                ("&Close window", self.close, QKeySequence("Ctrl+W")),
                                ("&Quit Rater", QApplication.closeAllWindows,
                                 QKeySequence("Ctrl+Q"))):
            action = menu.addAction(text)
            action.triggered.connect(slot)
            if key is not None:
                action.setShortcut(key)

    def _folder(self) -> str:
        return str(Path(self.workshop).parent) if "://" not in self.workshop else str(Path.home())

    def _run(self, work, said: Callable[[object], str]) -> None:
        def done(result) -> None:
            self.statusBar().showMessage(said(result), 10000)
            self.gold.reload()
            self.participants.reload()
            self.dashboard.poll()

        def failed(error: Exception) -> None:
            self.statusBar().showMessage(f"Nothing was changed: {error}", 20000)

        run_in_background(work, done, failed, owner=self)

    def add_recordings(self) -> None:
        from rater.services.workshops import add_gold_recordings

        files, _ = QFileDialog.getOpenFileNames(self, "Add gold recordings", self._folder(),
                                                AUDIO_FILTER)
        if files:
            self._run(lambda: add_gold_recordings(self.workshop, [Path(f) for f in files]),
                      lambda result: "Gold recordings added: "
                                     f"{', '.join(result['added']) or 'none new'}.")

    def import_gold(self) -> None:
        from rater.services.gold import import_gold

        path, _ = QFileDialog.getOpenFileName(self, "Import the experts' scores",
                                              self._folder(), "CSV (*.csv)")
        if path:
            self._run(lambda: import_gold(self.workshop, Path(path)),
                      lambda result: f"Experts' scores imported from {Path(path).name}.")

    def write_handout(self) -> None:
        from rater.services.workshops import write_handout

        suggested = str(Path(self._folder()) / f"{Path(self.workshop).stem}-handout.html")
        path, _ = QFileDialog.getSaveFileName(self, "Write the handout", suggested,
                                              "Web page (*.html)")
        if path:
            out = Path(path) if path.endswith(".html") else Path(path + ".html")
            self._run(lambda: write_handout(self.workshop, out),
                      lambda written: f"Handout written: {written} (open it in a browser and "
                                      "print to PDF).")

    def new_workshop(self) -> None:
        from rater.services.workshops import create_workshop

        path, _ = QFileDialog.getSaveFileName(self, "New workshop", self._folder(),
                                              "Workshops (*.rater)")
        if not path:
            return
        target = path if path.endswith(".rater") else path + ".rater"

        def created(_result) -> None:
            if self.on_open is not None:
                self.on_open(target)

        run_in_background(lambda: create_workshop(target, name=Path(target).stem), created,
                          lambda error: self.statusBar().showMessage(str(error), 20000),
                          owner=self)
