"""The feedback view, the teaching moment of frame-of-reference training.

Per dimension: the participant's score beside the expert's, marked exact / within one / off by
two or more (in words and colour), the anchor text of both levels, the expert's rationale, the
expert's evidence moments, and the participant's own notes. The moments are marks on the
waveform and buttons: either plays the recording from there.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from rater.audio.waveform import Peaks, waveform
from rater.core.workshop import DimensionFeedback, Feedback, Moment
from rater.ui.tasks import run_in_background
from rater.ui.workshop.dashboard import BAND_COLOURS, BAND_WORDS
from rater.ui.workstation.timefmt import clock
from rater.ui.workstation.waveform_view import WaveformView

BAND_SIGNS = {"exact": "✓", "within_one": "≈", "off": "✗"}


@dataclass(frozen=True)
class FeedbackData:
    feedback: Feedback
    audio: Path | None
    duration: float
    peaks: Peaks | None = None


def load_feedback(study: str, participant: str, code: str) -> FeedbackData:
    """The feedback of one recording from the trainer's workshop (slow: SQL)."""
    from rater.services.gold import gold_recordings
    from rater.services.workshop_run import feedback_for

    found = feedback_for(study, participant, code)
    recording = next((r for r in gold_recordings(study) if r["code"] == code), {})
    audio = Path(recording["audio"]) if recording.get("audio") else None
    peaks = waveform(audio) if audio is not None and audio.is_file() else None
    return FeedbackData(found, audio, float(recording.get("duration_s") or 0.0), peaks)


class FeedbackView(QWidget):
    """One recording's feedback for one participant; `play_from(seconds)` plays from there."""

    def __init__(self, data: FeedbackData, parent: QWidget | None = None):
        super().__init__(parent)
        self.data = data
        self.adapter = None  # the player, made at the first moment played (starts the engine)
        feedback = data.feedback
        title = QLabel(f"<h2>{feedback.recording}: your scores beside the expert's</h2>")
        self.waveform = WaveformView()
        self.waveform.setMaximumHeight(90)
        self.waveform.set_duration(data.duration)
        self.waveform.set_peaks(data.peaks)
        self.waveform.set_notes(self._marks())
        self.waveform.seek_requested.connect(self._seek_to_mark)
        self.waveform.setToolTip("The expert's evidence moments: click one to hear it")
        body = QWidget()
        rows = QVBoxLayout(body)
        for row in feedback.dimensions:
            rows.addWidget(self._dimension(row))
        rows.addStretch()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.waveform)
        layout.addWidget(scroll, 1)
        self._timer = QTimer(self)
        self._timer.setInterval(100)
        self._timer.timeout.connect(self._follow)

    def _marks(self) -> list[tuple[float, str]]:
        return [(m.time_s, f"{row.name}: {m.text}") for row in self.data.feedback.dimensions
                if row.gold for m in row.gold.moments]

    def _dimension(self, row: DimensionFeedback) -> QFrame:
        frame = QFrame()
        frame.setFrameShape(QFrame.Shape.StyledPanel)
        frame.setAccessibleName(f"{row.name} feedback")
        grid = QGridLayout(frame)
        grid.setColumnStretch(1, 1)
        grid.addWidget(QLabel(f"<b>{row.name}</b>"), 0, 0)
        verdict = QLabel(_verdict(row))
        verdict.setObjectName(f"verdict-{row.dimension}")
        if row.band:
            verdict.setStyleSheet(f"color: {BAND_COLOURS[row.band].name()}; font-weight: bold")
        grid.addWidget(verdict, 0, 1)
        texts = [("Your level", row.score, row.score_anchor),
                 ("Expert's level", row.gold.score if row.gold else None, row.gold_anchor)]
        for i, (who, level, anchor) in enumerate(texts, start=1):
            label = QLabel(f"<i>{who} ({level if level is not None else '–'}):</i> {anchor}")
            label.setWordWrap(True)
            grid.addWidget(label, i, 0, 1, 2)
        if row.gold and row.gold.rationale:
            why = QLabel(f"<b>Why:</b> {row.gold.rationale}")
            why.setWordWrap(True)
            grid.addWidget(why, 3, 0, 1, 2)
        line = 4
        for moment in row.gold.moments if row.gold else ():
            grid.addWidget(self._moment_button(moment), line, 0)
            if moment.text and moment.text != row.gold.rationale:
                said = QLabel(moment.text)
                said.setWordWrap(True)
                grid.addWidget(said, line, 1)
            line += 1
        for note in row.notes:
            mine = QLabel(f"Your note at {clock(note.time_s)}: {note.text}")
            mine.setWordWrap(True)
            grid.addWidget(mine, line, 0, 1, 2)
            line += 1
        return frame

    def _moment_button(self, moment: Moment) -> QPushButton:
        button = QPushButton(f"▶ Hear it at {clock(moment.time_s)}")
        button.setAccessibleName(f"Play from {clock(moment.time_s)}")
        button.clicked.connect(lambda _=False, t=moment.time_s: self.play_from(t))
        return button

    def _seek_to_mark(self, seconds: float) -> None:
        """A click on the waveform: to the nearest moment within a second, else where clicked."""
        marks = [t for t, _text in self._marks()]
        near = min(marks, key=lambda t: abs(t - seconds), default=None)
        self.play_from(near if near is not None and abs(near - seconds) < 1.0 else seconds)

    def play_from(self, seconds: float) -> None:
        if self.data.audio is None:
            return
        if self.adapter is None:
            from rater.ui.player_adapter import PlayerAdapter

            self.adapter = PlayerAdapter(parent=self)
            self.adapter.open(self.data.audio)
        self.adapter.seek(seconds)
        self.adapter.play()
        self._timer.start()

    def close_player(self) -> None:
        if self.adapter is not None:
            self._timer.stop()
            self.adapter.close()
            self.adapter = None

    def _follow(self) -> None:
        if self.adapter is not None:
            self.waveform.set_position(self.adapter.position())


def _verdict(row: DimensionFeedback) -> str:
    if row.gold is None:
        return "no expert score for this dimension"
    if row.score is None:
        return f"you did not score it · expert {row.gold.score}"
    words = BAND_WORDS[row.band]
    diff = row.score - row.gold.score
    direction = "" if diff == 0 else (" (higher)" if diff > 0 else " (lower)")
    return f"{BAND_SIGNS[row.band]} you {row.score} · expert {row.gold.score} · {words}{direction}"


class FeedbackPanel(QWidget):
    """Feedback inside the trainer's window: pick a participant and a recording."""

    def __init__(self, workshop: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.workshop = workshop
        self.participant, self.recording = QComboBox(), QComboBox()
        self.participant.setAccessibleName("Participant")
        self.recording.setAccessibleName("Recording")
        self.view: FeedbackView | None = None
        pick = QHBoxLayout()
        for label, box in (("&Participant:", self.participant), ("Re&cording:",
                                                                 self.recording)):
            text = QLabel(label)
            text.setBuddy(box)
            pick.addWidget(text)
            pick.addWidget(box, 1)
        self.layout_ = QVBoxLayout(self)
        self.layout_.addLayout(pick)
        self.message = QLabel("")
        self.layout_.addWidget(self.message)
        run_in_background(self._choices, self._show_choices, self._failed, owner=self)

    def _choices(self):
        from rater.services.gold import gold_recordings
        from rater.services.workshops import display_names

        return display_names(self.workshop), [r["code"] for r in gold_recordings(self.workshop)]

    def _show_choices(self, choices) -> None:
        names, codes = choices
        for pid, name in names.items():
            self.participant.addItem(name, pid)
        self.recording.addItems(codes)
        self.participant.currentIndexChanged.connect(self.reload)
        self.recording.currentIndexChanged.connect(self.reload)
        self.reload()

    def reload(self) -> None:
        pid, code = self.participant.currentData(), self.recording.currentText()
        if pid and code:
            run_in_background(lambda: load_feedback(self.workshop, pid, code), self._show,
                              self._failed, owner=self)

    def _show(self, data: FeedbackData) -> None:
        if self.view is not None:
            self.view.close_player()
            self.view.deleteLater()
        self.view = FeedbackView(data)
        self.layout_.addWidget(self.view, 1)
        self.message.setText("")

    def _failed(self, error: Exception) -> None:
        self.message.setText(str(error))
