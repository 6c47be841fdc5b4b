"""A turn at rating on the trainer's own machine: one participant at a time rates in a
workstation window under their own name; closing that window (or Finish) brings the work in.

The turn's workstation is an ordinary window made here, not `workstation.start`: that one sets
up the whole program (its log file, the palette) for a rater's own app, and a second set-up
inside the trainer's app is not wanted.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QStandardPaths, Qt, QTimer, Signal

from rater.ui.tasks import run_in_background

TURNS_FOLDER = "workshop-turns"


def turns_workspace() -> Path:
    """Where turns' working folders live (kept between turns: a second turn goes on)."""
    return Path(QStandardPaths.writableLocation(
        QStandardPaths.StandardLocation.AppDataLocation)) / TURNS_FOLDER


class Turns(QObject):
    """At most one turn at a time. `said` carries a sentence for the trainer; `finished` fires
    when a turn is over (its work in the workshop, or the error said)."""

    said = Signal(str)
    started = Signal(str)
    finished = Signal(str)

    def __init__(self, workshop: str, parent: QObject | None = None):
        super().__init__(parent)
        self.workshop = workshop
        self.participant: str | None = None
        self.folder: Path | None = None
        self.window = None  # the participant's workstation while the turn runs

    @property
    def running(self) -> bool:
        return self.participant is not None

    def start(self, participant: str) -> None:
        from rater.services.workshop_run import start_turn

        if self.running:
            self.said.emit(f"{self.participant}'s turn is still open: finish it first.")
            return
        self.participant = participant
        self.said.emit(f"Preparing {participant}'s turn…")
        workspace = turns_workspace()
        run_in_background(lambda: start_turn(self.workshop, participant, workspace),
                          self._open, self._failed, owner=self)

    def _open(self, folder: Path) -> None:
        from rater.ui.workstation import WorkstationWindow

        self.folder = folder
        window = WorkstationWindow()
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        window.installEventFilter(self)
        self.window = window
        window.show()
        window.open_work(str(folder))
        self.started.emit(self.participant)
        self.said.emit(f"{self.participant}'s turn: they rate in the window that opened. "
                       "Closing it (or Finish) brings their work in.")

    def finish(self) -> None:
        """Close the participant's window; its close brings the work in."""
        if self.window is not None:
            self.window.close()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() == QEvent.Type.Close:
            # after the window's own closeEvent has saved everything
            QTimer.singleShot(0, self._bring_in)
        return False

    def _bring_in(self) -> None:
        from rater.services.workshop_run import finish_turn

        if self.window is None:
            return
        self.window.removeEventFilter(self)
        self.window = None
        participant, folder = self.participant, self.folder
        self.said.emit(f"Bringing {participant}'s work into the workshop…")

        def done(result: dict) -> None:
            self.participant = self.folder = None
            self.said.emit(f"{participant}'s turn is in the workshop "
                           f"({result.get('ratings', 0)} rating(s)).")
            self.finished.emit(participant)

        run_in_background(lambda: finish_turn(self.workshop, folder), done, self._failed,
                          owner=self)

    def _failed(self, error: Exception) -> None:
        participant = self.participant or ""
        self.participant = self.folder = None
        self.said.emit(f"{participant}'s turn did not go through: {error}. What they saved "
                       "stays on this machine; start their turn again to go on.")
        self.finished.emit(participant)
