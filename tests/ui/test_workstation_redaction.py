"""A study in a folder whose name has spaces (issue 13, item 9): a missing file's message, on
screen and in the log, names neither the folder nor the study."""

from __future__ import annotations

import shutil

from test_workstation_helpers import build_study, make_window

from rater.ui.workstation import logs

FOLDER = "Northwick vs Southby study"


def test_a_missing_file_names_no_folder_on_screen_or_in_the_log(qtbot, tmp_path):
    built = build_study(tmp_path / FOLDER)
    window = make_window(qtbot, built.study, "R1")
    log_file = logs.install(window.redactor)
    last = window.work.queue.model.entries[-1]
    path = window.session.audio_path(last)
    shutil.move(path, path.with_suffix(".moved"))
    window.open_recording(last.code)
    qtbot.waitUntil(lambda: window.work.player.sound.isVisible(), timeout=5000)
    shown = window.work.player.sound.text()
    qtbot.waitUntil(lambda: "no waveform" in log_file.read_text(), timeout=5000)
    logged = [line for line in log_file.read_text().splitlines() if last.code in line]
    assert last.code in shown and logged
    for text in [shown, *logged]:
        for secret in ("Northwick", "Southby", "harrowgate", str(tmp_path)):
            assert secret.lower() not in text.lower(), text
    window.close()
