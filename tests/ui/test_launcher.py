"""Opening files from the app (issue 14, item 6): a file that is not a study or workshop gets
one plain message; no window is left open and it does not join the recent files."""

from __future__ import annotations

from rater.services.study import init_study
from rater.ui.app import Launcher
from rater.ui.study_window import StudyWindow
from rater.ui.welcome import recent_files


def test_a_wrong_file_is_one_plain_message_and_nothing_else(qtbot, tmp_path, monkeypatch):
    said = []
    monkeypatch.setattr("rater.ui.app.QMessageBox.warning", lambda *a: said.append(a[2]))
    wrong = tmp_path / "ratings.csv"
    wrong.write_text("recording,rater,dimension,score\n")
    launcher = Launcher()
    launcher.open_file(str(wrong))
    qtbot.waitUntil(lambda: bool(said), timeout=10_000)
    [message] = said
    assert message.startswith("ratings.csv could not be opened.\n\nNot a Rater study or "
                              "workshop (file is not a database).")
    assert "To fix: choose a .rater file made by Rater" in message
    for noise in ("sqlalche.me", "DatabaseError", "rater study init"):
        assert noise not in message
    assert launcher.windows == [] and recent_files() == []

    study = str(tmp_path / "fine.rater")
    init_study(study)
    launcher.open_file(study)
    qtbot.waitUntil(lambda: bool(launcher.windows), timeout=10_000)
    [window] = launcher.windows
    qtbot.addWidget(window)
    assert isinstance(window, StudyWindow) and recent_files() == [study]
