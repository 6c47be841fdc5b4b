"""Issue 14: a keyboard-only walk of the study window and its export dialog reaches every
control (Ctrl+Tab between the tabs, Tab within one, Enter and Escape in the dialog)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QFileDialog,
    QHeaderView,
    QLineEdit,
    QTabBar,
    QWidget,
)

from rater.services.importing import import_recordings
from rater.services.ratings_import import import_ratings
from rater.services.study import init_study
from rater.ui.study_window import StudyWindow

SAMPLES = Path(__file__).resolve().parents[2] / "audio_samples"
CONTROLS = (QAbstractButton, QAbstractItemView, QAbstractSpinBox, QComboBox, QLineEdit)


def _study(tmp_path) -> str:
    study = str(tmp_path / "past.rater")
    init_study(study, name="Past study")
    import_recordings(study, SAMPLES, SAMPLES / "manifest.csv")
    import_ratings(study, SAMPLES / "example_ratings.csv")
    return study


def _controls(page: QWidget) -> set[QWidget]:
    """What a mouse user can operate on the page now: shown, enabled controls."""
    found = set()
    for kind in CONTROLS:
        for widget in page.findChildren(kind):
            inner_tab_bar = isinstance(widget.parentWidget(), QTabBar)  # its scroll arrows
            header = isinstance(widget, QHeaderView)  # a table's: sorting is by mouse or menu
            if widget.isVisible() and widget.isEnabled() and not (inner_tab_bar or header):
                found.add(widget)
    return found


def _tab_walk(qtbot, steps: int) -> set[QWidget]:
    reached = set()
    for _ in range(steps):
        focus = QApplication.focusWidget()
        reached.add(focus)
        qtbot.keyClick(focus, Qt.Key.Key_Tab)
    return reached


def _reached(reached: set[QWidget], control: QWidget) -> bool:
    """Focus on the control itself or on its focus proxy (an editable combo's line edit)."""
    return any(w is control or (w is not None and control.isAncestorOf(w)) for w in reached)


def test_every_tab_of_the_study_window_by_keyboard_alone(qtbot, tmp_path):
    window = StudyWindow()
    qtbot.addWidget(window)
    window.resize(1280, 720)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    window.open_study(_study(tmp_path))
    qtbot.waitUntil(lambda: window.windowTitle() == "Past study — Rater", timeout=10_000)
    qtbot.waitUntil(lambda: window.reliability.verdicts.rowCount() > 0, timeout=30_000)
    window.tabs.tabBar().setFocus()
    missed = {}
    for index in range(window.tabs.count()):
        name = window.tabs.tabText(index).replace("&", "")
        assert window.tabs.currentIndex() == index, f"Ctrl+Tab did not reach {name}"
        page = window.tabs.currentWidget()
        controls = _controls(page)
        reached = _tab_walk(qtbot, 3 * len(controls) + 6)
        missed[name] = sorted(f"{type(c).__name__} {getattr(c, 'text', lambda: '')()!r}"
                              for c in controls if not _reached(reached, c))
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab,
                       Qt.KeyboardModifier.ControlModifier)
    assert missed == {name: [] for name in missed}


def test_the_export_dialog_opens_works_and_closes_by_keyboard(qtbot, tmp_path, monkeypatch):
    window = StudyWindow()
    qtbot.addWidget(window)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    window.open_study(_study(tmp_path))
    qtbot.waitUntil(lambda: window.windowTitle() == "Past study — Rater", timeout=10_000)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", _keyboard_save_dialog(qtbot, tmp_path))
    told = []
    monkeypatch.setattr("rater.ui.analysis_view.QMessageBox.information",
                        lambda *args, **kwargs: told.append(args[2]))
    qtbot.keyClick(window, Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)  # the Analysis tab
    button = window.analysis.export_button
    assert window.tabs.currentWidget() is window.analysis
    button.setFocus()
    qtbot.keyClick(button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: bool(told), timeout=30_000)
    assert told == [f"Exported to {tmp_path / 'typed.csv'}, with a data dictionary beside it."]
    assert (tmp_path / "typed.csv").is_file()


def _keyboard_save_dialog(qtbot, tmp_path):
    """Qt's own save dialog (the same widgets everywhere), driven by keys only: every control
    reached by Tab, the file name typed, the format chosen with the arrow keys, Enter."""
    def run(parent, title, start, filters):
        dialog = QFileDialog(parent, title, str(tmp_path), filters)
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.show()
        qtbot.waitUntil(lambda: QApplication.focusWidget() is not None
                        and dialog.isAncestorOf(QApplication.focusWidget()), timeout=5000)
        controls = _controls(dialog)
        reached = _tab_walk(qtbot, 3 * len(controls) + 6)
        assert [c for c in controls if not _reached(reached, c)] == []
        kinds = dialog.findChild(QComboBox, "fileTypeCombo")
        kinds.setFocus()
        qtbot.keyClick(kinds, Qt.Key.Key_Home)
        assert kinds.currentText().startswith("CSV")
        name = dialog.findChild(QLineEdit, "fileNameEdit")
        name.setFocus()
        qtbot.keyClicks(name, "typed")
        qtbot.keyClick(name, Qt.Key.Key_Return)
        assert dialog.result() == QFileDialog.DialogCode.Accepted
        return dialog.selectedFiles()[0], dialog.selectedNameFilter()
    return run
