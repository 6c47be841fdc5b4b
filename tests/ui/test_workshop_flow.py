"""A whole workshop with real audio (issue 11): the eight demo interviews as gold, fifteen
participants, three rating in their own packs (one of them in the workstation, who gets the
expert's feedback after submitting), twelve scored by the trainer in room mode; the dashboard
flags the planted lenient participant and the planted hardest dimension; the handout has a page
for everyone."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QPushButton
from test_workstation_helpers import make_window, modal, press, require_jack, wait_playable

from rater.services import rating
from rater.services.demo import SAMPLES
from rater.services.gold import gold_for, import_gold
from rater.services.packs import return_pack, unpack_for_rating
from rater.services.workshops import (
    add_gold_recordings,
    add_participants,
    create_workshop,
    export_participant_packs,
    import_returns,
    write_handout,
)
from rater.ui.workshop.window import WorkshopWindow
from rater.ui.workstation.expert_feedback import FeedbackDialog

LENIENT, HARDEST = 4, "strengths"  # the fifth participant; the planted hardest dimension


def _planted(rng, participant: int, dimension: str, gold: int) -> int:
    """Gold, plus +1.2 on average for the lenient participant, wide noise on the hardest."""
    if participant == LENIENT:
        return int(np.clip(gold + rng.choice([1, 1, 1, 1, 2]), 1, 5))
    spread = 1.4 if dimension == HARDEST else 0.3
    return int(np.clip(np.rint(gold + rng.normal(0, spread)), 1, 5))


def test_a_whole_workshop(qtbot, tmp_path):
    require_jack()
    rng = np.random.default_rng(7)
    workshop = str(tmp_path / "tuesday.rater")
    create_workshop(workshop, name="Tuesday", feedback="after_each", seed=5)
    add_gold_recordings(workshop, sorted((SAMPLES / "audio").glob("*.ogg")))
    import_gold(workshop, SAMPLES / "expert_ratings.csv")
    people = add_participants(workshop, [f"Person {i + 1:02d}" for i in range(15)])
    gold = {(g.recording, g.dimension): g.score for g in gold_for(workshop)}
    dimensions = list(dict.fromkeys(d for _, d in gold))

    # three by packs: the same recordings, each in their own order
    packs = export_participant_packs(workshop, tmp_path / "packs")
    assert len({tuple(p["order"]) for p in packs[:3]}) == 3
    assert all(sorted(p["order"]) == sorted({r for r, _ in gold}) for p in packs)
    returns = []
    for index, pack in enumerate(packs[:3]):
        folder = unpack_for_rating(Path(pack["pack"]), tmp_path / f"ws{index}")
        copy = str(folder / "study.rater")
        for entry in rating.rater_queue(copy)[1 if index == 0 else 0:]:
            for dimension in dimensions:
                score = _planted(rng, index, dimension, gold[entry.code, dimension])
                rating.set_score(copy, entry.code, dimension, score)
            rating.submit_rating(copy, entry.code)
        returns.append((folder, tmp_path / f"return{index}.raterpack"))

    # the first of them rates their first recording in the workstation and gets feedback
    folder, _ = returns[0]
    window = make_window(qtbot, str(folder))
    wait_playable(qtbot, window)
    first = window.session.code
    mine = {}
    for dimension in dimensions:
        mine[dimension] = _planted(rng, 0, dimension, gold[first, dimension])
        press(qtbot, window, getattr(Qt.Key, f"Key_{mine[dimension]}"))
        press(qtbot, window, Qt.Key.Key_Down)
    press(qtbot, window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    press(qtbot, modal(qtbot, QMessageBox), Qt.Key.Key_S)  # not heard: submit anyway
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), FeedbackDialog),
                    timeout=15000)
    dialog = QApplication.activeModalWidget()
    for row in dialog.view.data.feedback.dimensions:  # the right differences, per dimension
        assert row.score == mine[row.dimension] and row.gold.score == gold[first, row.dimension]
        verdict = dialog.view.findChild(QLabel, f"verdict-{row.dimension}").text()
        assert f"you {mine[row.dimension]} · expert {gold[first, row.dimension]}" in verdict
    moment = next(m.time_s for row in dialog.view.data.feedback.dimensions if row.gold
                  for m in row.gold.moments)
    [button, *_] = [b for b in dialog.view.findChildren(QPushButton)
                    if b.text().startswith("▶")]
    button.click()  # an evidence moment: playback moves there
    qtbot.waitUntil(lambda: dialog.view.adapter is not None
                    and moment <= dialog.view.adapter.position() < moment + 3, timeout=15000)
    dialog.reject()
    window.close()
    for folder, out in returns:
        return_pack(folder, out)
    assert all(r["status"] == "imported" for r in import_returns(workshop, [o for _, o in returns]))

    # twelve in room mode, typed by the trainer into the grid, recording by recording
    trainer = WorkshopWindow(workshop)
    qtbot.addWidget(trainer)
    trainer.dashboard.timer.setInterval(100)
    trainer.show()
    trainer.tabs.setCurrentWidget(trainer.room)
    room = trainer.room
    qtbot.waitUntil(lambda: room.data is not None and room.grid.rowCount() == 15, timeout=10000)
    for index in range(room.recording.count()):
        room.recording.setCurrentIndex(index)
        code = room.code
        room.grid.setCurrentCell(3, 0)
        room.grid.setFocus()
        for participant in range(3, 15):
            for dimension in dimensions:
                score = _planted(rng, participant, dimension, gold[code, dimension])
                qtbot.keyClick(room.grid, getattr(Qt.Key, f"Key_{score}"))
        qtbot.waitUntil(lambda: _all_saved(room), timeout=20000)

    # the dashboard: the lenient participant and the hardest dimension, live
    board = trainer.dashboard
    qtbot.waitUntil(lambda: board.data is not None and len(board.data.summary.differences)
                    == 15 * 8 * 4, timeout=30000)
    names = board.data.names
    flags = {names[pid]: flag for pid, flag in _flags(board).items()}
    assert flags.get("Person 05") == "lenient"
    assert board.data.summary.hardest[0] == HARDEST
    lenient = next(p for p in board.data.summary.participants if names[p.participant]
                   == "Person 05")
    assert 0.9 < lenient.mean_signed < 1.6
    table = {board.table.item(r, 0).text(): board.table.item(r, 6).text()
             for r in range(board.table.rowCount())}
    assert table["Person 05"] == "scores higher than the expert"

    # the handout: one page per participant
    handout = write_handout(workshop, tmp_path / "handout.html").read_text()
    assert handout.count('<section class="page participant"') == 15
    assert all(f'id="participant-{pid}"' in handout for pid in people)




def _all_saved(room) -> bool:
    """Every typed score of the current recording is committed (no cell still saving)."""
    from rater.ui.workshop.room import PENDING

    grid = room.grid
    return all(grid.item(r, c) is not None and grid.item(r, c).text() not in ("", PENDING)
               for r in range(3, grid.rowCount()) for c in range(grid.columnCount()))


def _flags(board) -> dict[str, str]:
    from rater.core.workshop import flagged

    return flagged(board.data.summary)
