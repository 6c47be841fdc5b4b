"""The feedback view on the demo workshop: a participant's differences from gold, per dimension,
and an evidence moment that plays the recording from there (real audio, virtual device)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel, QPushButton
from test_workstation_helpers import require_jack  # sets up the virtual sound device first

from rater.core.workshop import band
from rater.services.gold import gold_for
from rater.services.workshop_demo import build_demo_workshop
from rater.services.workshops import display_names, participant_scores
from rater.ui.workshop.feedback import FeedbackView, load_feedback
from rater.ui.workshop.window import WorkshopWindow


@pytest.fixture(scope="module")
def demo_workshop(tmp_path_factory):
    return str(build_demo_workshop(tmp_path_factory.mktemp("workshop")))


def test_feedback_shows_each_difference_from_gold(qtbot, demo_workshop):
    ben = next(pid for pid, name in display_names(demo_workshop).items() if name == "Ben")
    code = "01-strong-throughout"
    data = load_feedback(demo_workshop, ben, code)
    view = FeedbackView(data)
    qtbot.addWidget(view)
    gold = {g.dimension: g for g in gold_for(demo_workshop) if g.recording == code}
    mine = {s.dimension: s.score for s in participant_scores(demo_workshop)
            if s.participant == ben and s.recording == code}
    for row in data.feedback.dimensions:
        verdict = view.findChild(QLabel, f"verdict-{row.dimension}")
        assert verdict is not None
        expected = band(mine[row.dimension] - gold[row.dimension].score)
        assert row.band == expected and row.score == mine[row.dimension]
        words = {"exact": "exact", "within_one": "within one", "off": "off by 2+"}[expected]
        assert f"you {mine[row.dimension]} · expert {gold[row.dimension].score} · {words}" \
            in verdict.text()
        assert gold[row.dimension].rationale in _texts(view)
    assert len(view._marks()) == sum(len(g.moments) for g in gold.values()) > 0


def _texts(widget) -> str:
    return "\n".join(label.text() for label in widget.findChildren(QLabel))


@pytest.mark.sound
def test_a_click_on_an_evidence_moment_plays_from_there(qtbot, demo_workshop):
    require_jack()
    window = WorkshopWindow(demo_workshop)
    qtbot.addWidget(window)
    window.show()
    window.tabs.setCurrentWidget(window.feedback)
    qtbot.waitUntil(lambda: window.feedback.view is not None, timeout=15000)
    view = window.feedback.view
    [button, *_] = [b for b in view.findChildren(QPushButton) if b.text().startswith("▶")]
    moment = next(m.time_s for row in view.data.feedback.dimensions if row.gold
                  for m in row.gold.moments)
    button.click()
    qtbot.waitUntil(lambda: view.adapter is not None and view.adapter.playing, timeout=15000)
    qtbot.waitUntil(lambda: moment <= view.adapter.position() < moment + 3.0, timeout=10000)
    qtbot.waitUntil(lambda: abs(view.waveform.position - view.adapter.position()) < 0.5,
                    timeout=3000)  # the playhead on the waveform follows
    view.close_player()
