"""A recorded practice interview (issue 12, item 3): the student records it in the Practice
tab from the virtual microphone (meter, pause/resume, elapsed time), it joins the workshop;
the student, a peer and the trainer score it in room mode; the side-by-side view shows the
three, the trainer's moment plays from its time, and the class line compares them."""

from __future__ import annotations

from PySide6.QtCore import Qt
from test_workstation_helpers import require_jack

from rater.audio.source import probe
from rater.services.gold import add_gold_moment
from rater.services.practice import practice_recordings
from rater.services.workshops import add_participants, create_workshop, participant_scores
from rater.ui.workshop.window import WorkshopWindow

MIC_DBFS = -12.0  # the virtual microphone: a 1 kHz tone at -12 dBFS
TYPED = {0: (4, 4, 3, 3), 1: (3, 3, 3, 2), 2: (2, 3, 3, 2)}  # self, peer, trainer


def test_record_rate_and_see_it_side_by_side(qtbot, tmp_path):
    require_jack()
    workshop = str(tmp_path / "practice.rater")
    create_workshop(workshop, name="Practice", seed=1)
    add_participants(workshop, ["Sam", "Pia", "Trainer"])
    window = WorkshopWindow(workshop)
    qtbot.addWidget(window)
    window.show()
    window.tabs.setCurrentWidget(window.practice)
    box = window.practice.recorder
    qtbot.waitUntil(lambda: box.record.isEnabled(), timeout=20_000)
    box.device.setCurrentIndex(box.device.findData("test_mic"))
    assert box.student.currentData() == "P01"

    box.record.click()
    qtbot.waitUntil(lambda: box.recorder is not None and box.recorder.elapsed_s() > 1.2,
                    timeout=10_000)
    qtbot.waitUntil(lambda: abs(box.meter.value() - MIC_DBFS) <= 1, timeout=5_000)
    assert box.elapsed.text() == "0:01"
    box.pause.click()
    assert box.pause.text() == "Res&ume" and "Paused" in box.status.text()
    paused_at = box.recorder.elapsed_s()
    qtbot.wait(1000)
    assert box.recorder.elapsed_s() - paused_at < 0.2
    box.pause.click()
    qtbot.waitUntil(lambda: box.recorder.elapsed_s() > paused_at + 1.0, timeout=5_000)
    path = box.recorder.path
    box.stop.click()
    qtbot.waitUntil(lambda: "Added as practice-01" in box.status.text(), timeout=20_000)
    assert practice_recordings(workshop) == {"practice-01": ("P01", True)}
    assert 2.0 <= probe(path).duration_s <= 3.5 and not box.recorder

    # everyone scores it in room mode: the student (self), a peer, the trainer
    room = window.room
    window.tabs.setCurrentWidget(room)
    qtbot.waitUntil(lambda: room.recording.findText("practice-01") >= 0, timeout=10_000)
    room.recording.setCurrentIndex(room.recording.findText("practice-01"))
    room.grid.setCurrentCell(0, 0)
    room.grid.setFocus()
    for row in range(3):
        for digit in TYPED[row]:
            qtbot.keyClick(room.grid, getattr(Qt.Key, f"Key_{digit}"))
    qtbot.waitUntil(lambda: len(participant_scores(workshop)) == 12, timeout=20_000)
    add_gold_moment(workshop, "practice-01", "warmth", 0.5, "the greeting sounds rushed")

    view = window.practice.side_by_side
    window.tabs.setCurrentWidget(window.practice)  # showing the tab reads the scores again
    qtbot.waitUntil(lambda: view.data is not None and view.table.item(0, 4) is not None
                    and view.table.item(0, 4).text() == "2"
                    and view.table.item(3, 4).text() == "2", timeout=20_000)
    assert view.trainer.currentData() == "P03"  # the participant named Trainer
    warmth = [view.table.item(0, c).text() for c in range(view.table.columnCount())]
    assert warmth == ["Warmth", "4", "3", "3.0", "2", "+2"]
    assert "within one point" in view.class_line.text()
    [moment] = [view.timeline.item(i) for i in range(view.timeline.count())
                if "Trainer's moment" in view.timeline.item(i).text()]
    assert "the greeting sounds rushed" in moment.text()
    view.timeline.setCurrentItem(moment)
    qtbot.keyClick(view.timeline, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.adapter is not None and view.adapter.playing
                    and 0.5 <= view.adapter.position() < 2.5, timeout=15_000)
    view._stop()
