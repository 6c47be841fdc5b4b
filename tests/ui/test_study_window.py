"""The first window, offscreen: it opens a study without blocking and shows what it holds."""

from __future__ import annotations

from rater.services.study import init_study
from rater.ui.study_window import StudyWindow


def test_window_shows_the_study_counts(qtbot, tmp_path):
    study = str(tmp_path / "s.rater")
    init_study(study, name="Pilot")
    window = StudyWindow()
    qtbot.addWidget(window)
    window.show()
    window.open_study(study)
    qtbot.waitUntil(lambda: window.windowTitle() == "Pilot — Rater", timeout=5000)
    assert window.values["recordings"].text() == "0 (0 blinded)"
    assert window.values["criterion"].text() == "Pearson r above 0.70"  # issue 14, item 5
    for label in window.values.values():
        assert label.accessibleName()


def test_raters_on_gold_only_are_counted_apart(qtbot, tmp_path, monkeypatch):
    """Issue 14, item 15: 'Raters: 4' beside 'three demo raters' (the fourth had gold only)."""
    from audio_files import write_audio

    from rater.services.allocating import allocate_study, assign_gold
    from rater.services.blinding import blind_study
    from rater.services.importing import import_recordings
    from rater.services.workshops import add_gold_recordings

    monkeypatch.setenv("RATER_BLIND_DIR", str(tmp_path / "copies"))
    study = str(tmp_path / "s.rater")
    init_study(study, name="Pilot")
    for i in range(2):
        write_audio(tmp_path / "audio" / f"r{i}.wav", seconds=0.3, freq=300 + 40 * i)
    (tmp_path / "meta.csv").write_text("file,site\nr0.wav,A\nr1.wav,B\n")
    import_recordings(study, tmp_path / "audio", tmp_path / "meta.csv")
    blind_study(study, out=tmp_path / "copies", lufs=None, workers=1)
    allocate_study(study, ["R1", "R2"], seed=1)
    gold = write_audio(tmp_path / "gold.wav", seconds=0.3, freq=900)
    add_gold_recordings(study, [gold])
    blind_study(study, out=tmp_path / "copies", lufs=None, workers=1)
    assign_gold(study, "You", ["gold.wav"])
    window = StudyWindow()
    qtbot.addWidget(window)
    window.open_study(study)
    qtbot.waitUntil(lambda: window.windowTitle() == "Pilot — Rater", timeout=5000)
    assert window.values["raters"].text() == "2 (and 1 on gold recordings only)"


def test_ctrl_q_quits_and_ctrl_w_closes_in_every_window(qtbot, tmp_path):
    """Issue 14, item 15: Ctrl+Q meant three different things in three windows."""
    from PySide6.QtGui import QAction, QKeySequence
    from PySide6.QtWidgets import QApplication

    from rater.services.workshops import create_workshop
    from rater.ui.workshop.window import WorkshopWindow
    from rater.ui.workstation import WorkstationWindow

    workshop = str(tmp_path / "w.rater")
    create_workshop(workshop)
    windows = [StudyWindow(), WorkshopWindow(workshop), WorkstationWindow()]
    for window in windows:
        qtbot.addWidget(window)
        by_key = {a.shortcut().toString(): a for a in window.findChildren(QAction)
                  if not a.shortcut().isEmpty()}
        assert by_key[QKeySequence("Ctrl+Q").toString()].text() == "&Quit Rater"
        assert by_key[QKeySequence("Ctrl+W").toString()].text() == "&Close window"
    window = windows[0]
    window.show()
    qtbot.waitUntil(window.isVisible)
    next(a for a in window.findChildren(QAction) if a.text() == "&Quit Rater").trigger()
    assert not any(w.isVisible() for w in QApplication.topLevelWidgets()
                   if isinstance(w, (StudyWindow, WorkshopWindow, WorkstationWindow)))


def test_a_bad_study_shows_a_clear_message_and_the_window_stays(qtbot, tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr("rater.ui.study_window.QMessageBox.warning",
                        lambda _parent, _title, text: shown.append(text))
    window = StudyWindow()
    qtbot.addWidget(window)
    window.open_study(str(tmp_path / "missing.rater"))
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    assert "no study file" in shown[0] and "rater study init" in shown[0]
    assert window.status.text() == "The study could not be opened."


def test_reliability_tab_shows_a_verdict_per_dimension(qtbot, tmp_path):
    """A study rated through the services: the dashboard fills in without blocking."""
    import json

    from rater.core.reliability.report import reliability_report
    from rater.ui.reliability_view import ReliabilityView

    rows = [{"unit": f"u{u}", "rater": r, "dimension": d, "score": 1 + (u + (r == "B")) % 5,
             "role": "primary" if r == "A" else "second"}
            for u in range(12) for r in "AB" for d in ("warmth", "clarity")]
    report = reliability_report(rows, (1, 5), resamples=50)
    report["disagreements"] = []
    view = ReliabilityView()
    qtbot.addWidget(view)
    view.show_report(json.loads(json.dumps(report)))
    assert view.verdicts.rowCount() == 2
    assert view.verdicts.item(0, 0).text() == "warmth"
    assert view.verdicts.item(0, 1).text() in ("passes", "does not pass",
                                               "not shown yet", "cannot be judged")
    assert view.statistics.rowCount() >= 21  # every statistic of the selected dimension
    assert view.raters.rowCount() == 4


def test_reliability_dashboard_flags_a_listwise_icc(qtbot):
    """10 raters with ratings missing at random: ICC uses few units, and the dashboard says so."""
    import numpy as np

    from rater.core.reliability.report import reliability_report
    from rater.ui.reliability_view import ReliabilityView

    rng = np.random.default_rng(8)
    rows = [{"unit": f"u{u}", "rater": f"R{r}", "dimension": "warmth",
             "score": int(rng.integers(1, 6))}
            for u in range(100) for r in range(10) if rng.random() >= 0.2]
    report = reliability_report(rows, (1, 5), resamples=0)
    report["disagreements"] = []
    [warning] = report["dimensions"]["warmth"]["warnings"]
    view = ReliabilityView()
    qtbot.addWidget(view)
    view.show_report(report)
    icc_cell = view.verdicts.item(0, 3)
    assert "⚠" in icc_cell.text() and warning["text"] in icc_cell.toolTip()
    assert warning["text"] in view.summary.text()
