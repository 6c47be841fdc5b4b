"""The trainer's live dashboard on the demo workshop (planted: Ben lenient, Chloe severe,
empathy the hardest dimension), following room-mode entries as they are typed."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from rater.services.gold import gold_for
from rater.services.workshop_demo import build_demo_workshop
from rater.services.workshop_run import enter_room_score
from rater.services.workshops import add_participants
from rater.ui.workshop.dashboard import Dashboard
from rater.ui.workshop.window import WorkshopWindow


@pytest.fixture(scope="module")
def demo_workshop(tmp_path_factory):
    return str(build_demo_workshop(tmp_path_factory.mktemp("workshop")))


def _rows(table) -> dict[str, list[str]]:
    return {table.item(r, 0).text(): [table.item(r, c).text() for c in range(table.columnCount())]
            for r in range(table.rowCount())}


def test_the_dashboard_flags_the_planted_participants_and_hardest_dimension(qtbot,
                                                                            demo_workshop):
    board = Dashboard(demo_workshop, poll_ms=50)
    qtbot.addWidget(board)
    board.resize(1280, 720)
    board.show()
    qtbot.waitUntil(lambda: board.data is not None, timeout=10000)
    assert "hardest: Empathy" in board.headline.text()
    rows = _rows(board.table)
    assert rows["Ben"][6] == "scores higher than the expert"
    assert float(rows["Ben"][4].split()[0]) > 0.8
    assert rows["Chloe"][6] == "scores lower than the expert"
    assert sum(1 for row in rows.values() if row[6]) == 2
    board.hide_names.click()  # one click: ids instead of names
    hidden = _rows(board.table)
    assert "Ben" not in hidden and all(name.startswith("P") for name in hidden)
    board.grab()  # paints every dot without error


def test_the_dashboard_follows_room_mode_entries_live(qtbot, demo_workshop):
    window = WorkshopWindow(demo_workshop)
    qtbot.addWidget(window)
    window.dashboard.timer.setInterval(50)
    window.show()
    qtbot.waitUntil(lambda: window.dashboard.data is not None, timeout=10000)
    [newcomer] = add_participants(demo_workshop, ["Zara"])
    gold = gold_for(demo_workshop)
    for g in gold:
        enter_room_score(demo_workshop, newcomer, g.recording, g.dimension,
                         min(5, g.score + 2))  # far too lenient, on everything
    qtbot.waitUntil(lambda: "Zara" in _rows(window.dashboard.table), timeout=10000)
    assert _rows(window.dashboard.table)["Zara"][6] == "scores higher than the expert"
    assert QApplication.activeModalWidget() is None


def test_room_mode_commits_each_score_as_typed_and_the_dashboard_follows(qtbot, tmp_path):
    """Twelve participants' scores typed by keyboard into the grid, for one recording: each is
    in the study at once, a complete row is submitted, and the dashboard counts them."""
    from PySide6.QtCore import Qt

    from rater.services.demo import SAMPLES
    from rater.services.gold import import_gold
    from rater.services.rating import rater_queue
    from rater.services.workshops import (
        add_gold_recordings,
        create_workshop,
        participant_scores,
    )

    workshop = str(tmp_path / "room.rater")
    create_workshop(workshop, name="Room", seed=3)
    add_gold_recordings(workshop, sorted((SAMPLES / "audio").glob("*.ogg")))
    import_gold(workshop, SAMPLES / "expert_ratings.csv")
    people = add_participants(workshop, 12)
    window = WorkshopWindow(workshop)
    qtbot.addWidget(window)
    window.dashboard.timer.setInterval(50)
    window.show()
    window.tabs.setCurrentWidget(window.room)
    grid = window.room.grid
    qtbot.waitUntil(lambda: grid.rowCount() == 12 and bool(window.room.code), timeout=10000)
    code = window.room.code
    grid.setFocus()
    for _row in range(12):  # every participant: 4 4 3 2, typed straight through
        for digit in (Qt.Key.Key_4, Qt.Key.Key_4, Qt.Key.Key_3, Qt.Key.Key_2):
            qtbot.keyClick(grid, digit)
    qtbot.waitUntil(lambda: len(participant_scores(workshop)) == 48, timeout=20000)
    assert {s.score for s in participant_scores(workshop) if s.dimension == "clarity"} == {2}
    first = next(e for e in rater_queue(workshop, people[0]) if e.code == code)
    assert first.submitted
    # a typing error: the cell is selected again and a new digit replaces the score
    grid.setCurrentCell(0, 3)
    qtbot.keyClick(grid, Qt.Key.Key_5)
    qtbot.waitUntil(lambda: next(e for e in rater_queue(workshop, people[0])
                                 if e.code == code).scores["clarity"] == 5, timeout=10000)
    qtbot.waitUntil(lambda: window.dashboard.data is not None and len(
        window.dashboard.data.summary.differences) == 48, timeout=10000)
