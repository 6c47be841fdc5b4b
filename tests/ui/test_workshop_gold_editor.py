"""The gold editor: the expert's score, reason and evidence moments, saved at once (and
audited)."""

from __future__ import annotations

import sqlite3

from rater.services.demo import SAMPLES
from rater.services.gold import gold_for
from rater.services.workshops import add_gold_recordings, create_workshop
from rater.ui.workshop.gold_editor import GoldEditor


def test_the_trainer_scores_explains_and_marks_moments(qtbot, tmp_path):
    workshop = str(tmp_path / "w.rater")
    create_workshop(workshop, seed=1)
    add_gold_recordings(workshop, sorted((SAMPLES / "audio").glob("*.ogg"))[:2])
    editor = GoldEditor(workshop)
    qtbot.addWidget(editor)
    editor.show()
    qtbot.waitUntil(lambda: editor.data is not None and editor.recording.count() == 2,
                    timeout=10000)
    editor.dimension.setCurrentIndex(1)  # empathy
    code, dimension = editor.key
    editor.save.click()
    assert "Choose the expert's score" in editor.status.text()  # no score preselected
    editor.score.setCurrentText("2")
    editor.rationale.setPlainText("sympathy and reassurance, not understanding")
    editor.save.click()
    qtbot.waitUntil(lambda: any(g.recording == code and g.dimension == dimension
                                for g in gold_for(workshop)), timeout=10000)
    editor.moment_text.setText("'kids are resilient'")
    [add] = [b for b in editor.findChildren(type(editor.save)) if "moment at" in b.text()]
    add.click()
    qtbot.waitUntil(lambda: editor.moments.count() == 1, timeout=10000)
    [gold] = [g for g in gold_for(workshop) if (g.recording, g.dimension) == (code, dimension)]
    assert gold.score == 2 and gold.rationale.startswith("sympathy")
    assert [m.text for m in gold.moments] == ["'kids are resilient'"]
    editor.moments.setCurrentRow(0)
    [remove] = [b for b in editor.findChildren(type(editor.save)) if "Remove" in b.text()]
    remove.click()
    qtbot.waitUntil(lambda: editor.moments.count() == 0, timeout=10000)
    with sqlite3.connect(workshop) as db:
        actions = [r[0] for r in db.execute("SELECT action FROM audit_event")]
    assert {"gold.set", "gold.moment_added", "gold.moment_removed"} <= set(actions)
