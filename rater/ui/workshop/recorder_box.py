"""Recording a student's practice interview: whose it is, the input device, a level meter,
pause/resume and the elapsed time. Stopping adds the recording to the workshop.

Crash safety is the recorder's: the file is flushed every second, so after a crash it plays up
to the last second. An interrupted recording found when this box opens is repaired and offered
to be added.
"""

from __future__ import annotations

import math
import time
from pathlib import Path

from PySide6.QtCore import QStandardPaths, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QWidget,
)

from rater.ui.tasks import run_in_background
from rater.ui.workstation.timefmt import clock

METER_FLOOR_DB = -60  # the meter's left end
PRACTICE_FOLDER = "practice-recordings"


def recordings_folder(workshop: str) -> Path:
    """Beside a workshop file; for a server workshop, in the app's data folder."""
    if "://" in workshop:
        base = Path(QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.AppDataLocation))
    else:
        base = Path(workshop).parent
    return base / PRACTICE_FOLDER


def _load(workshop: str) -> tuple[list[tuple[str, str]], list[tuple[str, bool]], list[Path]]:
    """Participants, input devices, and interrupted recordings (repaired now)."""
    from rater.audio.recorder import input_devices, recover, unfinished
    from rater.services.workshops import workshop_info

    people = [(p["id"], p["name"]) for p in workshop_info(workshop)["participants"]]
    folder = recordings_folder(workshop)
    repaired = []
    for path in unfinished(folder) if folder.is_dir() else []:
        recover(path)
        repaired.append(path)
    return people, input_devices(), repaired


def _meter_colour(peak_dbfs: float) -> str:
    """Green while the level is comfortable, amber near full scale, red at clipping."""
    if peak_dbfs >= -1:
        return "#c0392b"
    return "#d68910" if peak_dbfs >= -6 else "#1e8449"


class RecorderBox(QGroupBox):
    """`added(code)` fires when a practice recording has joined the workshop."""

    added = Signal(str)

    def __init__(self, workshop: str, parent: QWidget | None = None):
        super().__init__("Record a practice interview", parent)
        self.workshop = workshop
        self.recorder = None  # while recording
        self._student: str | None = None  # whose recording is being made or added
        self._blind = True
        self.student = QComboBox()
        self.student.setAccessibleName("Whose interview")
        self.device = QComboBox()
        self.device.setAccessibleName("Input device")
        self.meter = QProgressBar()
        self.meter.setRange(METER_FLOOR_DB, 0)
        self.meter.setValue(METER_FLOOR_DB)
        self.meter.setFormat("")  # "%v dBFS" while recording
        self.meter.setAccessibleName("Input level")
        self.elapsed = QLabel("0:00")
        self.elapsed.setAccessibleName("Elapsed time")
        self.elapsed.setStyleSheet("font-size: 18px; font-weight: bold;")
        self.blind = QCheckBox("Peers rate it &blind (they do not see whose it is)")
        self.blind.setChecked(True)
        self.record = QPushButton("&Record")
        self.record.clicked.connect(self._record)
        self.pause = QPushButton("&Pause")
        self.pause.clicked.connect(self._pause)
        self.stop = QPushButton("&Stop and add to the workshop")
        self.stop.clicked.connect(self._stop)
        self.add_file = QPushButton("Add a recording &file…")
        self.add_file.clicked.connect(self._add_file)
        self.status = QLabel("Reading participants and input devices…")
        self.status.setWordWrap(True)
        self._timer = QTimer(self)
        self._timer.setInterval(50)  # the meter at 20 Hz
        self._timer.timeout.connect(self._follow)
        self._layout()
        self._recording(False)
        self.record.setEnabled(False)
        run_in_background(lambda: _load(workshop), self._loaded, self._failed, owner=self)

    def _layout(self) -> None:
        grid = QGridLayout(self)
        for row, (text, widget) in enumerate((("&Student:", self.student),
                                              ("&Input:", self.device))):
            label = QLabel(text)
            label.setBuddy(widget)
            grid.addWidget(label, row, 0)
            grid.addWidget(widget, row, 1, 1, 2)
        grid.addWidget(QLabel("Level:"), 2, 0)
        grid.addWidget(self.meter, 2, 1)
        grid.addWidget(self.elapsed, 2, 2)
        grid.addWidget(self.blind, 3, 1, 1, 2)
        buttons = QHBoxLayout()
        for button in (self.record, self.pause, self.stop, self.add_file):
            buttons.addWidget(button)
        buttons.addStretch(1)
        grid.addLayout(buttons, 4, 0, 1, 3)
        grid.addWidget(self.status, 5, 0, 1, 3)
        grid.setColumnStretch(1, 1)

    def _loaded(self, loaded) -> None:
        people, devices, repaired = loaded
        self.set_participants(people)
        self.device.clear()
        for name, is_default in devices:
            self.device.addItem(name + (" — default" if is_default else ""), name)
            if is_default:
                self.device.setCurrentIndex(self.device.count() - 1)
        self.record.setEnabled(bool(devices) and bool(people))
        if not devices:
            self.status.setText("No input device: connect a microphone, then reopen this tab.")
        elif not people:
            self.status.setText("Add the students as participants first (Participants tab).")
        else:
            self.status.setText("Choose the student and the input, then Record.")
        if repaired:
            self.status.setText(f"An interrupted recording was repaired (it plays up to the "
                                f"last second): {repaired[-1]}. Add it with 'Add a recording "
                                "file…'.")

    def set_participants(self, people: list[tuple[str, str]]) -> None:
        chosen = self.student.currentData()
        self.student.clear()
        for pid, name in people:
            self.student.addItem(f"{name} ({pid})" if name != pid else pid, pid)
        if chosen is not None and self.student.findData(chosen) >= 0:
            self.student.setCurrentIndex(self.student.findData(chosen))

    def _failed(self, error: Exception) -> None:
        self.status.setText(str(error))

    def _recording(self, on: bool) -> None:
        self.record.setEnabled(not on)
        self.pause.setEnabled(on)
        self.stop.setEnabled(on)
        self.student.setEnabled(not on)
        self.device.setEnabled(not on)
        self.add_file.setEnabled(not on)

    # -- recording --------------------------------------------------------------------------------

    def _record(self) -> None:
        from rater.audio.recorder import Recorder

        self._snapshot()
        student = self._student
        folder = recordings_folder(self.workshop)
        path = folder / f"{student}-{time.strftime('%Y%m%d-%H%M%S')}.flac"
        recorder = Recorder(path, device=self.device.currentData(), channels=1)

        def start() -> None:
            folder.mkdir(parents=True, exist_ok=True)
            recorder.start()

        self._recording(True)
        self.status.setText("Starting…")
        run_in_background(start, lambda _none: self._started(recorder), self._start_failed,
                          owner=self)

    def _started(self, recorder) -> None:
        self.recorder = recorder
        self.meter.setFormat("%v dBFS")
        self.pause.setText("&Pause")
        self._timer.start()
        self.status.setText(f"<span style='color:#a12020'>●</span> Recording "
                            f"{recorder.path.name}. Stop adds it to the workshop.")

    def _start_failed(self, error: Exception) -> None:
        self._recording(False)
        self.status.setText(str(error))

    def _pause(self) -> None:
        if self.recorder is None:
            return
        if self.recorder.paused:
            self.recorder.resume()
            self.pause.setText("&Pause")
            self.status.setText("Recording again.")
        else:
            self.recorder.pause()
            self.pause.setText("Res&ume")
            self.status.setText("Paused: nothing is recorded until you resume.")

    def _follow(self) -> None:
        if self.recorder is None:
            return
        level = self.recorder.level()
        peak = level.peak_dbfs if math.isfinite(level.peak_dbfs) else METER_FLOOR_DB
        self.meter.setValue(int(max(METER_FLOOR_DB, min(0, peak))))
        self.meter.setStyleSheet("QProgressBar { text-align: center; } QProgressBar::chunk "
                                 f"{{ background: {_meter_colour(peak)}; }}")
        self.elapsed.setText(clock(self.recorder.elapsed_s()))
        if level.clipped:
            self.status.setText("Too loud: the input clipped. Move the microphone away or turn "
                                "the input down.")
        if self.recorder.error is not None:
            self._stop()

    def _stop(self) -> None:
        recorder, self.recorder = self.recorder, None
        if recorder is None:
            return
        self._timer.stop()
        self.pause.setEnabled(False)
        self.stop.setEnabled(False)
        self.status.setText("Finishing the file and adding it to the workshop…")

        def finish() -> str:
            recorder.stop()
            return self._add(recorder.path)

        run_in_background(finish, self._added, self._add_failed, owner=self)

    # -- adding -----------------------------------------------------------------------------------

    def _add(self, path: Path) -> str:
        """Runs off the UI thread (the workshop is read and written)."""
        from rater.services.practice import add_practice_recording

        return add_practice_recording(self.workshop, path, self._student,
                                      blind_peers=self._blind)

    def _add_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Add a practice recording", str(recordings_folder(self.workshop)),
            "Audio (*.flac *.wav *.ogg *.opus *.mp3 *.m4a *.aac)")
        if not path:
            return
        self._snapshot()
        self.status.setText(f"Adding {Path(path).name}…")
        run_in_background(lambda: self._add(Path(path)), self._added, self._add_failed,
                          owner=self)

    def _snapshot(self) -> None:
        """What the worker needs, read on the UI thread before it starts."""
        self._student = self.student.currentData()
        self._blind = self.blind.isChecked()

    def _added(self, code: str) -> None:
        self._recording(False)
        self.meter.setValue(METER_FLOOR_DB)
        self.meter.setFormat("")
        self.status.setText(f"Added as {code}: everyone rates it (room mode, a turn, or their "
                            "packs). Then open 'Side by side'.")
        self.added.emit(code)

    def _add_failed(self, error: Exception) -> None:
        self._recording(False)
        self.status.setText(f"Not added: {error}")
