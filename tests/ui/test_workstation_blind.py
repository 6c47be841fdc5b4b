"""Nothing leaked: a researcher's study opened "for rater R1" on the same machine. In every
state of the workstation, every widget's text, tooltip, accessible name and description,
every window title, action, list item, status message, file dialog and log line shows blind
codes only: no file name, worker, time point, group, study name or folder. The group labels
appear in one place: the blinding question."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QAbstractItemModel, QEvent, Qt
from PySide6.QtGui import QAccessible, QAction
from PySide6.QtWidgets import QAbstractItemView, QApplication, QComboBox, QFileDialog, QWidget
from test_workstation_helpers import build_study, make_window, press, type_text, wait_playable

from rater.ui.workstation import logs
from rater.ui.workstation.dialogs import AmendDialog, GuessDialog

K = Qt.Key
_ATTRS = ("text", "toolTip", "accessibleName", "accessibleDescription", "windowTitle",
          "placeholderText", "statusTip", "whatsThis", "informativeText", "detailedText",
          "toPlainText", "currentText", "title")
_ROLES = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
          Qt.ItemDataRole.AccessibleTextRole, Qt.ItemDataRole.AccessibleDescriptionRole)
_A11Y = (QAccessible.Text.Name, QAccessible.Text.Description, QAccessible.Text.Value,
         QAccessible.Text.Help)


def _widget_texts(widget: QWidget) -> list[str]:
    found = []
    for attr in _ATTRS:
        getter = getattr(widget, attr, None)
        try:
            value = getter() if callable(getter) else None
        except TypeError:  # a method of that name that needs arguments
            continue
        if isinstance(value, str):
            found.append(value)
    interface = QAccessible.queryAccessibleInterface(widget)
    if interface is not None:
        found += [interface.text(t) for t in _A11Y]
    if isinstance(widget, QAbstractItemView) and widget.model() is not None:
        found += _model_texts(widget.model())
    if isinstance(widget, QComboBox):
        found += [widget.itemText(i) for i in range(widget.count())]
    found += [a.text() + " " + a.toolTip() for a in widget.actions()]
    return found


def _model_texts(model: QAbstractItemModel) -> list[str]:
    cells = [model.index(r, c) for r in range(model.rowCount()) for c in range(8)]
    return [str(model.data(cell, role) or "") for cell in cells if cell.isValid()
            for role in _ROLES]


class Watch:
    """Reads everything on screen in each state and checks it against the hidden values."""

    def __init__(self, window, built):
        self.window, self.built = window, built
        self.hidden = sorted({h for h in built.hidden if len(h) >= 5} | {Path(built.study).name})
        self.states = []
        self.messages = []
        window.statusBar().messageChanged.connect(self.messages.append)

    def check(self, state: str, groups_in: type | None = None) -> None:
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # closed dialogs go
        widgets = QApplication.allWidgets()
        texts = [(w, t) for w in widgets for t in _widget_texts(w)]
        texts += [(None, a.text() + " " + a.toolTip()) for a in self.window.findChildren(QAction)]
        texts += [(None, m) for m in self.messages]
        assert len(texts) > 200, "the walk reached the widgets"
        for widget, text in texts:
            lowered = text.lower()
            for secret in self.hidden:
                assert secret.lower() not in lowered, f"{secret!r} shown in {state}: {text!r}"
            for group in self.built.groups:
                if group.lower() in lowered:
                    inside = groups_in is not None and _within(widget, groups_in)
                    assert inside, f"group {group!r} shown in {state}: {text!r}"
        self.states.append(state)


def _within(widget: QWidget | None, kind: type) -> bool:
    while widget is not None:
        if isinstance(widget, kind):
            return True
        widget = widget.parentWidget()
    return False


@pytest.fixture
def rater_mode(tmp_path):
    return build_study(tmp_path)


def test_no_hidden_value_in_any_state(qtbot, rater_mode, monkeypatch):
    built = rater_mode
    from rater.ui.workstation import WorkstationWindow

    empty = WorkstationWindow()
    qtbot.addWidget(empty)
    empty.show()
    missing = str(Path(built.study).with_name("harrowgate_vs_ellesmere_old.rater"))
    empty.open_work(missing, "R1")
    qtbot.waitUntil(lambda: empty.pages.empty.title.text() == "The pack could not be opened",
                    timeout=5000)
    assert "the study" in empty.pages.empty.text.text()
    Watch(empty, built).check("failed to open")
    empty.close()

    window = make_window(qtbot, built.study, "R1")
    log_file = logs.install(window.redactor)
    watch = Watch(window, built)
    watch.check("loaded")
    wait_playable(qtbot, window)
    press(qtbot, window, K.Key_Space)
    qtbot.waitUntil(lambda: window.adapter.position() > 0.5, timeout=5000)
    press(qtbot, window, K.Key_Space)
    watch.check("listened")

    for key in (K.Key_3, K.Key_Down, K.Key_4):
        press(qtbot, window, key)
    press(qtbot, window, K.Key_N)
    type_text(qtbot, "clear about the worry")
    press(qtbot, window, K.Key_Return)
    press(qtbot, window, K.Key_N)
    type_text(qtbot, "a draft")
    press(qtbot, window, K.Key_Escape)
    qtbot.waitUntil(lambda: len(window.session.notes) == 1)
    watch.check("scored and noted")

    for key in (K.Key_Down, K.Key_2, K.Key_Down, K.Key_2):
        press(qtbot, window, key)
    press(qtbot, window, K.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is not None, timeout=5000)
    watch.check("heard warning")
    QApplication.activeModalWidget().accept()
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), GuessDialog))
    watch.check("blinding question", groups_in=GuessDialog)
    QApplication.activeModalWidget().reject()
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None)

    first = window.work.queue.model.entries[0].code
    window.open_recording(first)
    qtbot.waitUntil(lambda: window.listening.code == first, timeout=5000)
    window.choose("warmth", 5)
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), AmendDialog))
    watch.check("amending")
    QApplication.activeModalWidget().reject()
    for command in ("shortcuts", "rules", "about"):
        qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None)
        window.commands[command].trigger()
        qtbot.waitUntil(lambda: QApplication.activeModalWidget() is not None)
        watch.check(command)
        QApplication.activeModalWidget().reject()

    _break_audio_and_open(qtbot, window, built)
    watch.check("audio missing")
    window.devices.refresh()
    qtbot.waitUntil(lambda: len(window.devices.actions()) > 2, timeout=10000)
    watch.check("device menu")
    window.close()

    logged = log_file.read_text()
    assert "submitted" in logged and len(logged.splitlines()) >= 5
    for secret in watch.hidden + list(built.groups):
        assert secret.lower() not in logged.lower(), f"{secret!r} in the log"
    assert len(watch.states) == 11


def _break_audio_and_open(qtbot, window, built) -> None:
    """The raters' copy of the last recording is missing: the error names only its code."""
    last = window.work.queue.model.entries[-1]
    path = window.session.audio_path(last)
    shutil.move(path, path.with_suffix(".moved"))
    window.open_recording(last.code)
    qtbot.waitUntil(lambda: window.work.player.sound.isVisible(), timeout=5000)
    assert last.code in window.work.player.sound.text()


def test_file_dialogs_suggest_blind_names_only(qtbot, rater_mode, monkeypatch, tmp_path):
    built = rater_mode
    asked = []

    def save_name(_parent, title, suggested, _filter):
        asked.append((title, suggested))
        return str(tmp_path / "R1-return.raterpack"), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_name)
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        lambda _p, title, folder, _f: asked.append((title, folder)) or ("", ""))
    window = make_window(qtbot, str(built.pack))
    window.commands["open"].trigger()
    window.commands["return"].trigger()
    qtbot.waitUntil(lambda: (tmp_path / "R1-return.raterpack").is_file(), timeout=5000)
    assert asked[1][1].endswith("R1-return.raterpack")
    for title, suggested in asked:
        for secret in built.hidden + list(built.groups):
            assert secret not in title + suggested
    window.close()
