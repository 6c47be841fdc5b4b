"""The player panel with real audio: waveform (peaks, heard shading, note markers, playhead),
click and drag to seek, speed and volume by mouse and keys, the output device menu, and
notes that jump the audio."""

from __future__ import annotations

import pytest
import test_workstation_helpers as helpers
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from test_workstation_helpers import make_window, press, type_text, wait_playable

from rater.services import rating

K = Qt.Key
built = helpers.built  # the module's study and pack (a fixture)


@pytest.fixture
def window(qtbot, built):
    window = make_window(qtbot, str(built.pack))
    wait_playable(qtbot, window)
    yield window
    window.close()


def test_waveform_shows_peaks_heard_parts_and_playhead(qtbot, window):
    view = window.work.player.waveform
    qtbot.waitUntil(lambda: view.peaks is not None and view.loaded == 1.0, timeout=10000)
    assert view.duration == pytest.approx(window.listening.duration, abs=0.05)
    assert view.peaks.maxs.max() > 3000  # the generated speech is there
    press(qtbot, window, K.Key_Space)
    qtbot.waitUntil(lambda: window.adapter.position() > 1.3, timeout=5000)
    press(qtbot, window, K.Key_Space)
    qtbot.waitUntil(lambda: window.work.player.time.text().startswith("0:01 / 0:0"))
    window.listening.checkpoint()
    [(start, end)] = view.heard
    assert start == pytest.approx(0, abs=0.05) and end > 1.0
    assert view.position == pytest.approx(window.adapter.position(), abs=0.1)
    image = view.grab().toImage()
    heard_x, unheard_x = int(view._x(end / 2)), int(view._x((end + view.duration) / 2))
    shade = view.palette().highlight().color()
    assert _closer(image.pixelColor(heard_x, 2), shade) < _closer(image.pixelColor(unheard_x, 2),
                                                                   shade)


def _closer(color, target) -> float:
    return sum(abs(a - b) for a, b in zip(color.getRgb()[:3], target.getRgb()[:3], strict=True))


def test_click_and_drag_on_the_waveform_seek(qtbot, window):
    view = window.work.player.waveform
    duration = view.duration
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=QPoint(view.width() // 2, 20))
    assert window.adapter.position() == pytest.approx(duration / 2, abs=duration / view.width() * 2)
    qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=QPoint(view.width() // 4, 20))
    qtbot.mouseMove(view, QPoint(view.width() * 3 // 4, 20))
    qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=QPoint(view.width() * 3 // 4, 20))
    assert window.adapter.position() == pytest.approx(duration * 3 / 4,
                                                      abs=duration / view.width() * 2)


def test_speed_volume_and_device(qtbot, window):
    press(qtbot, window, K.Key_BracketLeft, times=5)
    assert window.adapter.player.speed == 0.5
    assert window.work.player.speed.text() == "0.50×"
    press(qtbot, window, K.Key_Backslash)
    assert window.adapter.player.speed == 1.0
    window.work.player.speed.menu().actions()[4].trigger()
    assert window.adapter.player.speed == 1.5
    press(qtbot, window, K.Key_Down, Qt.KeyboardModifier.ControlModifier, times=3)
    assert window.adapter.player.volume == pytest.approx(0.7)
    assert window.work.player.volume.value() == 70
    window.work.player.volume.setValue(40)
    assert window.adapter.player.volume == pytest.approx(0.4)
    window.devices.refresh()
    qtbot.waitUntil(lambda: any(a.text().startswith("default") for a in
                                window.devices.actions()), timeout=10000)
    choice = next(a for a in window.devices.actions() if a.text().startswith("default"))
    choice.trigger()
    assert window.adapter.player.device == "default"
    assert "default" in window.statusBar().currentMessage()
    press(qtbot, window, K.Key_Space)
    qtbot.waitUntil(lambda: window.adapter.position() > 0.3, timeout=5000)


def test_notes_mark_the_waveform_jump_the_audio_and_can_be_deleted(qtbot, window):
    window.seek(2.0)
    press(qtbot, window, K.Key_N)
    type_text(qtbot, "names the worry")
    press(qtbot, window, K.Key_Return)
    window.seek(0.5)
    press(qtbot, window, K.Key_N, Qt.KeyboardModifier.ShiftModifier)
    type_text(qtbot, "opening")
    press(qtbot, window, K.Key_Return)
    qtbot.waitUntil(lambda: len(window.session.notes) == 2, timeout=5000)
    notes = window.work.notes
    assert [notes.list.item(i).text() for i in range(2)] == ["0:00  [Warmth] opening",
                                                            "0:02  names the worry"]
    assert [t for t, _ in window.work.player.waveform.notes] == [0.5, 2.0]
    rect = notes.list.visualItemRect(notes.list.item(1))
    qtbot.mouseClick(notes.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.adapter.position() == pytest.approx(2.0, abs=0.05)
    press(qtbot, window, K.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is notes.list
    press(qtbot, window, K.Key_Up)
    assert notes.list.currentRow() == 0
    press(qtbot, window, K.Key_Delete)
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), QMessageBox))
    QApplication.activeModalWidget().accept()
    qtbot.waitUntil(lambda: len(window.session.notes) == 1 and window.writes.pending == 0)
    code = window.session.code
    assert [n[2] for n in rating.notes(window.session.study, code)] == ["names the worry"]
