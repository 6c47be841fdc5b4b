"""The welcome screen by keyboard (issue 14, item 12): Enter presses the focused button, every
choice has a mnemonic, Tab reaches every control, and the focus ring is plainly visible."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QListWidget, QPushButton

from rater.ui.welcome import WelcomeWindow


def _shown(qtbot) -> WelcomeWindow:
    window = WelcomeWindow()
    qtbot.addWidget(window)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    return window


def _button(window, text: str) -> QPushButton:
    return next(b for b in window.findChildren(QPushButton) if b.text().replace("&", "") == text)


def test_enter_presses_the_focused_button(qtbot):
    window = _shown(qtbot)
    button = _button(window, "I'm running a workshop")
    button.setFocus()
    with qtbot.waitSignal(window.workshopChosen, timeout=2000):
        qtbot.keyClick(button, Qt.Key.Key_Return)
    _button(window, "Open the demo study").setFocus()
    with qtbot.waitSignal(window.demoChosen, timeout=2000):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Enter)


def test_mnemonics_and_a_tab_walk_reach_every_control(qtbot):
    window = _shown(qtbot)
    with qtbot.waitSignal(window.workshopChosen, timeout=2000):
        qtbot.keyClick(window, Qt.Key.Key_W, Qt.KeyboardModifier.AltModifier)
    buttons = {b.text() for b in window.findChildren(QPushButton)}
    assert buttons == {"I'm &rating recordings", "I'm running a &study",
                       "I'm running a &workshop", "Open the &demo study"}
    reached = set()
    window.findChildren(QPushButton)[0].setFocus()
    for _ in range(10):
        reached.add(QApplication.focusWidget())
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    wanted = set(window.findChildren(QPushButton)) | set(window.findChildren(QListWidget))
    assert wanted <= reached


def test_the_focus_ring_is_three_pixels_of_a_strong_blue(qtbot):
    window = _shown(qtbot)
    button = _button(window, "I'm rating recordings")
    button.setFocus()
    qtbot.waitUntil(button.hasFocus, timeout=2000)
    image = button.grab().toImage()
    middle = image.height() // 2
    ring = [QColor(image.pixel(x, middle)).name() for x in range(3)]
    assert ring == ["#1d5fa8"] * 3
