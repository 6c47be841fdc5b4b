"""Scores never land on the wrong dimension: a new recording starts on the first dimension."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from test_workstation_helpers import build_study, make_window, modal, press, wait_playable

from rater.ui.workstation.dialogs import GuessDialog

K = Qt.Key


@pytest.fixture
def fresh(tmp_path):
    return build_study(tmp_path)




def test_after_a_submit_the_next_digit_scores_the_first_dimension(qtbot, fresh):
    window = make_window(qtbot, str(fresh.pack))
    wait_playable(qtbot, window)
    codes = [e.code for e in window.work.queue.model.entries]
    dimensions = [row.dimension.id for row in window.work.scoring.rows]
    for digit in (K.Key_3, K.Key_Down, K.Key_3, K.Key_Down, K.Key_4, K.Key_Down, K.Key_2):
        press(qtbot, window, digit)
    assert window.work.scoring.dimension.id == dimensions[-1]
    press(qtbot, window, K.Key_Return, Qt.KeyboardModifier.ControlModifier)
    press(qtbot, modal(qtbot, QMessageBox), K.Key_S)  # not heard: submit anyway
    press(qtbot, modal(qtbot, GuessDialog), K.Key_Escape)
    qtbot.waitUntil(lambda: window.session.code == codes[1]
                    and window.listening.code == codes[1], timeout=5000)
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None, timeout=5000)
    assert window.work.scoring.dimension.id == dimensions[0]
    press(qtbot, window, K.Key_5)
    qtbot.waitUntil(lambda: window.session.entry.scores != {}, timeout=5000)
    assert window.session.entry.scores == {dimensions[0]: 5}
    window.close()


def test_the_heard_share_reads_the_same_in_the_panel_and_the_warning(qtbot, fresh):
    """Issue 14, item 13: 'Heard 36%' in the panel, 35% in the submit warning."""
    import re

    window = make_window(qtbot, str(fresh.pack))
    wait_playable(qtbot, window)
    press(qtbot, window, K.Key_Space)
    qtbot.waitUntil(lambda: window.adapter.position() > 1.3, timeout=5000)
    press(qtbot, window, K.Key_Space)  # pause a third of the way in
    qtbot.waitUntil(lambda: not window.adapter.playing, timeout=5000)
    qtbot.wait(500)  # the engine reports where the buffered audio really stopped
    for digit in (K.Key_3, K.Key_Down, K.Key_3, K.Key_Down, K.Key_4, K.Key_Down, K.Key_2):
        press(qtbot, window, digit)
    press(qtbot, window, K.Key_Return, Qt.KeyboardModifier.ControlModifier)
    warning = modal(qtbot, QMessageBox)
    said = re.search(r"You have heard (\d+)%", warning.text()).group(1)
    panel = re.fullmatch(r"Heard (\d+)%", window.work.player.heard.text()).group(1)
    assert said == panel and 20 <= int(said) < 50
    press(qtbot, warning, K.Key_K)  # keep listening
    window.close()
