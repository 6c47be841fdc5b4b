"""The gold editor: the trainer listens, gives the expert's score and reason per dimension, and
marks evidence moments at the playhead. Every change is saved off the UI thread at once and is
in the audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from rater.core.workshop import GoldScore
from rater.ui.tasks import run_in_background
from rater.ui.workstation.timefmt import clock


@dataclass(frozen=True)
class GoldData:
    recordings: tuple[dict, ...]              # code, file, audio, duration_s
    dimensions: tuple[tuple[str, str], ...]   # (id, label), codebook order
    scale: tuple[int, ...]
    gold: dict[tuple[str, str], GoldScore]    # (recording, dimension) -> agreed gold


def load_gold(study: str) -> GoldData:
    from rater.services.gold import gold_for, gold_recordings
    from rater.services.rating import codebook

    book = codebook(study)
    return GoldData(tuple(gold_recordings(study)), tuple((d.id, d.name) for d in book.dimensions),
                    tuple(book.scale.values),
                    {(g.recording, g.dimension): g for g in gold_for(study)})


class GoldEditor(QWidget):
    def __init__(self, study: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.study = study
        self.data: GoldData | None = None
        self.adapter = None  # the player, made when first needed
        self.recording, self.dimension, self.score = QComboBox(), QComboBox(), QComboBox()
        self.rationale = QPlainTextEdit()
        self.rationale.setPlaceholderText("Why this score: what the worker says or does, and "
                                          "which anchor it meets")
        self.save = QPushButton("&Save the expert's score")
        self.save.clicked.connect(self._save)
        self.play = QPushButton("&Play / pause")
        self.play.clicked.connect(self._toggle)
        self.position = QLabel("0:00")
        self.moments = QListWidget()
        self.moments.setAccessibleName("Evidence moments")
        self.moment_text = QLineEdit()
        self.moment_text.setPlaceholderText("What happens here (optional)")
        add = QPushButton("Add a &moment at the playhead")
        add.clicked.connect(self._add_moment)
        remove = QPushButton("&Remove the selected moment")
        remove.clicked.connect(self._remove_moment)
        self.status = QLabel("Reading the gold…")
        form = QFormLayout()
        form.addRow("Re&cording:", self.recording)
        transport = QHBoxLayout()
        transport.addWidget(self.play)
        transport.addWidget(self.position)
        transport.addStretch()
        form.addRow("Listen:", transport)
        form.addRow("&Dimension:", self.dimension)
        form.addRow("Expert's sc&ore:", self.score)
        form.addRow("Reason:", self.rationale)
        moment_row = QHBoxLayout()
        moment_row.addWidget(self.moment_text, 1)
        moment_row.addWidget(add)
        moment_row.addWidget(remove)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.save)
        layout.addWidget(QLabel("Evidence moments of this dimension:"))
        layout.addWidget(self.moments, 1)
        layout.addLayout(moment_row)
        layout.addWidget(self.status)
        self._timer = QTimer(self)
        self._timer.setInterval(200)
        self._timer.timeout.connect(self._follow)
        self.reload()

    def reload(self) -> None:
        run_in_background(lambda: load_gold(self.study), self._loaded, self._failed, owner=self)

    def _loaded(self, data: GoldData) -> None:
        first = self.data is None
        self.data = data
        if first:
            self.recording.addItems([r["code"] for r in data.recordings])
            for dim, label in data.dimensions:
                self.dimension.addItem(label, dim)
            self.score.addItems([str(v) for v in data.scale])
            self.recording.currentIndexChanged.connect(self._show)
            self.dimension.currentIndexChanged.connect(self._show)
        self._show()
        self.status.setText("Every change is saved at once, with who and when.")

    def _failed(self, error: Exception) -> None:
        self.status.setText(f"Not saved: {error}")

    @property
    def key(self) -> tuple[str, str]:
        return self.recording.currentText(), self.dimension.currentData()

    def _show(self) -> None:
        if self.data is None:
            return
        gold = self.data.gold.get(self.key)
        self.score.setCurrentText(str(gold.score) if gold else "")
        if not gold:
            self.score.setCurrentIndex(-1)
        self.rationale.setPlainText(gold.rationale if gold else "")
        self.moments.clear()
        for moment in gold.moments if gold else ():
            item = QListWidgetItem(f"{clock(moment.time_s)}  {moment.text}")
            item.setData(Qt.ItemDataRole.UserRole, moment.time_s)
            self.moments.addItem(item)
        if self.adapter is not None:
            self._open_audio()

    def _run(self, work, said: str) -> None:
        def done(_result) -> None:
            self.status.setText(said)
            self.reload()

        run_in_background(work, done, self._failed, owner=self)

    def _save(self) -> None:
        from rater.services.gold import set_gold

        if self.score.currentIndex() < 0:
            self.status.setText("Choose the expert's score first.")
            return
        code, dimension = self.key
        score, why = int(self.score.currentText()), self.rationale.toPlainText().strip()
        self._run(lambda: set_gold(self.study, code, dimension, score, why),
                  f"Saved: {self.dimension.currentText()} of {code} is {score}.")

    def _add_moment(self) -> None:
        from rater.services.gold import add_gold_moment

        code, dimension = self.key
        at = self.adapter.position() if self.adapter is not None else 0.0
        text = self.moment_text.text().strip()
        self.moment_text.clear()
        self._run(lambda: add_gold_moment(self.study, code, dimension, at, text),
                  f"Moment added at {clock(at)}.")

    def _remove_moment(self) -> None:
        from rater.services.gold import remove_gold_moment

        item = self.moments.currentItem()
        if item is None:
            self.status.setText("Select a moment to remove.")
            return
        code, dimension = self.key
        at = item.data(Qt.ItemDataRole.UserRole)
        self._run(lambda: remove_gold_moment(self.study, code, dimension, at),
                  f"Moment at {clock(at)} removed.")

    def _toggle(self) -> None:
        if self.adapter is None:
            from rater.ui.player_adapter import PlayerAdapter

            self.adapter = PlayerAdapter(parent=self)
            self._open_audio()
        self.adapter.toggle()
        self._timer.start()

    def _open_audio(self) -> None:
        recording = next((r for r in self.data.recordings if r["code"] == self.key[0]), {})
        audio = recording.get("audio")
        if audio and Path(audio).is_file():
            self.adapter.open(audio)

    def _follow(self) -> None:
        if self.adapter is not None:
            self.position.setText(clock(self.adapter.position()))
