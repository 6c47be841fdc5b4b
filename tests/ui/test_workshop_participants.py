"""Running a workshop from the trainer's window: add people, hand out packs, bring returns in,
and a turn at rating on the trainer's machine (real workstation, real audio device)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from test_workstation_helpers import modal, press, require_jack, wait_playable

from rater.services import rating
from rater.services.demo import SAMPLES
from rater.services.gold import import_gold
from rater.services.packs import return_pack, unpack_for_rating
from rater.services.workshops import (
    add_gold_recordings,
    add_participants,
    create_workshop,
    participant_scores,
    workshop_info,
)
from rater.ui.workshop.participants import ParticipantsPanel
from rater.ui.workstation.expert_feedback import FeedbackDialog


def _workshop(tmp_path) -> str:
    workshop = str(tmp_path / "w.rater")
    create_workshop(workshop, seed=2)
    add_gold_recordings(workshop, sorted((SAMPLES / "audio").glob("*.ogg")))
    import_gold(workshop, SAMPLES / "expert_ratings.csv")
    return workshop


def _submitted(workshop: str) -> dict[str, int]:
    return {p["name"]: p["submitted"] for p in workshop_info(workshop)["participants"]}


def test_people_packs_and_returns(qtbot, tmp_path, monkeypatch):
    workshop = _workshop(tmp_path)
    panel = ParticipantsPanel(workshop)
    qtbot.addWidget(panel)
    panel.show()
    panel.names.setText("Ana, Bo")
    qtbot.keyClick(panel.names, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: panel.table.rowCount() == 2, timeout=10000)

    monkeypatch.setattr("rater.ui.workshop.participants.QFileDialog.getExistingDirectory",
                        lambda *_a: str(tmp_path))
    panel.buttons["export"].click()
    qtbot.waitUntil(lambda: "2 pack(s) written" in panel.status.text(), timeout=30000)
    folder = unpack_for_rating(tmp_path / "packs" / "P01.raterpack", tmp_path / "ws")
    copy = str(folder / "study.rater")
    first = rating.rater_queue(copy)[0].code
    for dimension in ("warmth", "empathy", "strengths", "clarity"):
        rating.set_score(copy, first, dimension, 3)
    rating.submit_rating(copy, first)
    return_pack(folder, tmp_path / "P01-return.raterpack")
    monkeypatch.setattr("rater.ui.workshop.participants.QFileDialog.getOpenFileNames",
                        lambda *_a, **_k: ([str(tmp_path / "P01-return.raterpack"),
                                            str(tmp_path / "not-a-pack.raterpack")], ""))
    (tmp_path / "not-a-pack.raterpack").write_text("hello")
    panel.buttons["import"].click()
    qtbot.waitUntil(lambda: "P01-return.raterpack: imported" in panel.status.text(),
                    timeout=30000)
    assert "not-a-pack.raterpack: refused" in panel.status.text()
    assert _submitted(workshop) == {"Ana": 1, "Bo": 0}


def test_a_turn_on_the_trainers_machine(qtbot, tmp_path):
    """Bo rates in a workstation window that opens on the trainer's machine, gets the expert's
    feedback, and closes the window: their work is in the workshop, and the trainer's window
    is ready for the next turn."""
    require_jack()
    workshop = _workshop(tmp_path)
    add_participants(workshop, ["Ana", "Bo"])
    panel = ParticipantsPanel(workshop)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitUntil(lambda: panel.table.rowCount() == 2, timeout=10000)
    panel.buttons["turn"].click()  # nobody selected yet
    assert "Select whose turn" in panel.status.text() and not panel.turns.running
    panel.table.selectRow(1)
    panel.buttons["turn"].click()
    qtbot.waitUntil(lambda: panel.turns.window is not None, timeout=30000)
    window = panel.turns.window
    assert not panel.buttons["turn"].isEnabled() and panel.buttons["finish"].isEnabled()
    qtbot.waitUntil(lambda: window.session.entry is not None and bool(window.work.scoring.rows),
                    timeout=15000)
    assert window.windowTitle().startswith("P02 · ")  # the workstation names whose queue it is
    wait_playable(qtbot, window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
    window.work.scoring.select(0)
    for digit in (Qt.Key.Key_4, Qt.Key.Key_3, Qt.Key.Key_3, Qt.Key.Key_2):
        press(qtbot, window, digit)
        press(qtbot, window, Qt.Key.Key_Down)
    press(qtbot, window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    press(qtbot, modal(qtbot, QMessageBox), Qt.Key.Key_S)  # not heard: submit anyway
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), FeedbackDialog),
                    timeout=15000)
    QApplication.activeModalWidget().reject()
    window.close()  # the participant is done
    qtbot.waitUntil(lambda: "P02's turn is in the workshop" in panel.status.text(),
                    timeout=30000)
    qtbot.waitUntil(lambda: _submitted(workshop) == {"Ana": 0, "Bo": 1}, timeout=10000)
    assert panel.buttons["turn"].isEnabled() and not panel.buttons["finish"].isEnabled()
    qtbot.waitUntil(lambda: panel.table.item(1, 2).text() == "1 of 8", timeout=10000)
    scores = {s.dimension: s.score for s in participant_scores(workshop) if s.participant == "P02"}
    assert scores == {"warmth": 4, "empathy": 3, "strengths": 3, "clarity": 2}
