"""Adjudicating a disagreement (issue 14, item 3): the dialog shows both raters' scores and
notes, the anchors and a player, and starts with no level chosen, so Enter records nothing."""

from __future__ import annotations

from PySide6.QtCore import Qt
from test_workstation_helpers import build_study, require_jack

from rater.services import rating
from rater.services.analysis import consensus_list
from rater.services.study import study_info
from rater.ui.analysis_view import AnalysisView

DIMENSIONS = ("warmth", "empathy", "strengths", "clarity")
GIVEN = {"R1": 5, "R2": 4}  # warmth; the other dimensions agree at 3


def _rate_everything(study: str) -> None:
    for rater, warmth in GIVEN.items():
        for entry in rating.rater_queue(study, rater):
            for dimension in DIMENSIONS:
                rating.set_score(study, entry.code, dimension,
                                 warmth if dimension == "warmth" else 3, rater=rater)
            rating.add_note(study, entry.code, 1.5 if rater == "R1" else 2.5,
                            f"{rater} heard this", "warmth", rater=rater)
            rating.record_guess(study, entry.code, "", rater=rater)
            rating.submit_rating(study, entry.code, rater=rater)


def test_the_adjudicator_sees_both_sides_and_must_choose(qtbot, tmp_path):
    built = build_study(tmp_path, raters=("R1", "R2"), double=1.0)
    _rate_everything(built.study)
    view = AnalysisView()
    qtbot.addWidget(view)
    view.show()
    view.open_study(built.study, study_info(built.study))
    view.threshold.setValue(1)
    qtbot.waitUntil(lambda: view.consensus.rowCount() == 4, timeout=10_000)
    code = view.consensus.item(0, 0).text()
    view.consensus.cellDoubleClicked.emit(0, 1)
    qtbot.waitUntil(lambda: view.adjudication is not None and view.adjudication.isVisible(),
                    timeout=10_000)
    dialog = view.adjudication
    assert dialog.case.code == code and dialog.case.dimension.id == "warmth"
    shown = {label.objectName(): label.text() for label in dialog.findChildren(
        type(dialog.position)) if label.objectName().startswith("rating-")}
    assert sorted(score for *_r, score in dialog.case.ratings) == [4, 5]
    assert all(f"<b>{score}</b>" in shown[f"rating-{role}"]
               for role, _rater, score in dialog.case.ratings)
    notes = [dialog.notes.item(i).text() for i in range(dialog.notes.count())]
    assert sorted(notes) == ["R1 · 0:01 [warmth] · R1 heard this",
                             "R2 · 0:02 [warmth] · R2 heard this"]
    anchors = dialog.case.dimension.anchors
    assert len(dialog.levels.buttons()) == 5 and anchors[5]
    marked = [b.text() for b in dialog.levels.buttons() if "←" in b.text()]
    assert len(marked) == 2  # the two levels the raters gave
    assert dialog.score() is None and not dialog.record.isEnabled()

    dialog.play.setFocus()  # had the focus: still not the button Enter presses
    dialog.reason.setFocus()
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
  # nothing chosen: Enter records nothing
    assert dialog.isVisible() and consensus_list(built.study, 1)[0]["consensus"] is None

    require_jack()
    dialog.notes.setCurrentRow(1)
    qtbot.keyClick(dialog.notes, Qt.Key.Key_Return)  # a note plays the recording from there
    at = dialog.notes.item(1).data(Qt.ItemDataRole.UserRole)
    qtbot.waitUntil(lambda: dialog.adapter is not None and dialog.adapter.playing
                    and at <= dialog.adapter.position() < at + 2, timeout=15_000)

    dialog.levels.button(5).setFocus()
    qtbot.keyClick(dialog.levels.button(5), Qt.Key.Key_4)  # a digit chooses the level
    assert dialog.score() == 4 and not dialog.record.isEnabled()  # a reason is still needed
    qtbot.keyClicks(dialog.reason, "R2's reading of the tone holds")
    assert dialog.record.isEnabled()
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.consensus.item(0, 4) is not None
                    and view.consensus.item(0, 4).text().startswith("4:"), timeout=10_000)
    agreed = consensus_list(built.study, 1)[0]["consensus"]
    assert agreed["score"] == 4 and agreed["reason"] == "R2's reading of the tone holds"
