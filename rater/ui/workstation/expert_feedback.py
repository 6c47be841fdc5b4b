"""In a workshop pack: the expert's feedback after a recording is submitted (or after the whole
set, as the trainer chose), and on demand from the Rating menu once it may be shown.

Outside a workshop (a research study's pack) nothing happens: gold never reaches a rater there.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QVBoxLayout, QWidget

from rater.ui.tasks import run_in_background

log = logging.getLogger(__name__)


def _load(study: str, participant: str, code: str, audio: Path | None):
    """The feedback to show now, or None if the workshop's setting says not yet (slow: SQL)."""
    from rater.audio.waveform import waveform
    from rater.services.workshop_run import feedback_for, feedback_ready
    from rater.ui.workshop.feedback import FeedbackData

    if not feedback_ready(study, participant, code):
        return None
    found = feedback_for(study, participant, code)
    peaks = waveform(audio) if audio is not None and audio.is_file() else None
    duration = peaks.duration_s if peaks is not None else 0.0
    return FeedbackData(found, audio, duration, peaks)


class FeedbackDialog(QDialog):
    def __init__(self, parent: QWidget, data):
        from rater.ui.workshop.feedback import FeedbackView

        super().__init__(parent)
        self.setWindowTitle(f"Feedback on {data.feedback.recording} — Rater")
        self.view = FeedbackView(data)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addWidget(buttons)
        self.finished.connect(lambda _result: self.view.close_player())
        self.resize(1000, 640)


class ExpertFeedback(QObject):
    """Watches submissions in the workstation and shows the expert's feedback when due."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.dialog: FeedbackDialog | None = None
        window.session.submitted.connect(self.show_for)
        action = window.menus["Rating"].addAction("Show the &expert's feedback")
        action.triggered.connect(lambda: self.show_for(window.session.code, ask=True))

    def show_for(self, code: str | None, ask: bool = False) -> None:
        session = self.window.session
        if code is None or session.workspace is None:
            return
        study, participant = session.study, session.workspace.rater
        audio = session.audio_path(session.entries[code])
        run_in_background(lambda: _load(study, participant, code, audio),
                          lambda data: self._show(data, ask), self._failed, owner=self.window)

    def _show(self, data, asked: bool) -> None:
        if data is None:
            if asked:
                self.window.say("The expert's feedback is not open yet: it comes as your "
                                "trainer chose (after each recording, after all, or not at all).")
            return
        self.dialog = FeedbackDialog(self.window, data)
        self.window.open_dialog(self.dialog)

    def _failed(self, error: Exception) -> None:
        log.info("no workshop feedback: %s", error)
