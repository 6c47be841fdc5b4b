"""Researchers live (issue 17, decision 1704): a researcher's study window on a shared server
follows a rater's work as it arrives, the progress table and the reliability dashboard alike,
from the server's notices: no polling timer runs."""

from __future__ import annotations

import time

import pytest
from server_study import DIMENSIONS, server_study

from rater.services import rating, server
from rater.ui.study_window import StudyWindow


@pytest.fixture(scope="module")
def shared(pg_admin_url, tmp_path_factory):
    with server_study(pg_admin_url, tmp_path_factory.mktemp("server")) as study:
        yield study


def _row(window: StudyWindow, rater: str) -> dict[str, str]:
    table = window.progress.table
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    for row in range(table.rowCount()):
        if table.item(row, 0).text() == rater:
            return {h: table.item(row, c).text() for c, h in enumerate(headers)}
    return {}


def test_the_researchers_window_follows_a_raters_submission_without_polling(qtbot, shared):
    for who in ("researcher", "R1"):  # each logs in once on "their" computer
        server.log_in(shared.logins[who]["url"], shared.logins[who]["password"])
    researcher, r1 = shared.logins["researcher"]["url"], shared.logins["R1"]["url"]
    window = StudyWindow()
    qtbot.addWidget(window)
    window.open_study(researcher)
    views = (window.progress.follower, window.reliability.follower)
    qtbot.waitUntil(lambda: all(f.live for f in views) and bool(_row(window, "R1")),
                    timeout=10_000)
    qtbot.waitUntil(lambda: not window.reliability._busy, timeout=10_000)
    assert not any(f.timer.isActive() for f in views)  # nothing polls
    before, seen = _row(window, "R1"), window.reliability._seen
    ratings_before = window.values["ratings"].text()

    code = next(e.code for e in rating.rater_queue(r1) if not e.submitted)
    for dimension in DIMENSIONS:
        rating.set_score(r1, code, dimension, 4)
    started = time.monotonic()
    rating.submit_rating(r1, code)

    qtbot.waitUntil(lambda: _row(window, "R1")["Submitted"]
                    == str(int(before["Submitted"]) + 1), timeout=3000)
    qtbot.waitUntil(lambda: window.reliability._seen == seen + len(DIMENSIONS), timeout=3000)
    assert time.monotonic() - started < 3.0
    qtbot.waitUntil(lambda: window.values["ratings"].text() != ratings_before, timeout=3000)
    assert not any(f.timer.isActive() for f in views)
