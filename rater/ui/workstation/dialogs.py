"""The workstation's dialogs. Each is opened with ``open()`` (window-modal, never a nested
event loop) and reports through ``accepted``/``finished``, so the keyboard drives them and
tests can too."""

from __future__ import annotations

import html
import platform
import sys

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from rater import __version__
from rater.core.codebook import Codebook, Dimension
from rater.ui.tables import new_table
from rater.ui.workstation.actions import COMMANDS, SHEET_EXTRA, key_text
from rater.ui.workstation.timefmt import heard_percent


def _buttons(dialog: QDialog, ok: str) -> QDialogButtonBox:
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                           | QDialogButtonBox.StandardButton.Cancel)
    box.button(QDialogButtonBox.StandardButton.Ok).setText(ok)
    box.accepted.connect(dialog.accept)
    box.rejected.connect(dialog.reject)
    return box


class AmendDialog(QDialog):
    """Change a submitted score: the new level and the reason (kept in the audit trail)."""

    def __init__(self, parent: QWidget, code: str, dimension: Dimension, labels: dict[int, str],
                 old: int | None, new: int | None):
        super().__init__(parent)
        self.setWindowTitle(f"Amend {code}")
        self.dimension = dimension
        intro = QLabel(f"{code} is submitted. A change to <b>{html.escape(dimension.name)}</b> "
                       "is kept as an amendment, with your reason, beside the original score.")
        intro.setWordWrap(True)
        self.score = QComboBox()
        self.score.setAccessibleName("New score")
        for value, label in sorted(labels.items()):
            self.score.addItem(f"{value} — {label}", value)
        self.score.setCurrentIndex(max(0, self.score.findData(new if new is not None else old)))
        self.reason = QLineEdit()
        self.reason.setAccessibleName("Reason for the change")
        self.reason.setPlaceholderText("Why the score changes")
        form = QFormLayout()
        form.addRow("Submitted score:", QLabel(f"{old} — {labels.get(old, '')}" if old else "—"))
        form.addRow("&New score:", self.score)
        form.addRow("&Reason:", self.reason)
        self.buttons = _buttons(self, "Amend")
        self.reason.textChanged.connect(self._check)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self._fit_title_and_placeholder()
        self._check()
        self.reason.setFocus()

    def _fit_title_and_placeholder(self) -> None:
        """Wide enough that the title bar shows the whole code (it was cut to 'Amend 2X…FK')
        and the reason field its whole placeholder."""
        metrics = self.fontMetrics()
        self.reason.setMinimumWidth(metrics.horizontalAdvance(self.reason.placeholderText()) + 40)
        self.setMinimumWidth(max(480, metrics.horizontalAdvance(self.windowTitle()) + 200))

    def _check(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(self.reason.text().strip()))

    def value(self) -> int:
        return self.score.currentData()


class GuessDialog(QDialog):
    """The blinding check after a submission: which group does the rater think it came from?"""

    def __init__(self, parent: QWidget, code: str, field: str, options: list[str]):
        super().__init__(parent)
        self.setWindowTitle(f"Blinding check — {code}")
        question = QLabel(f"Which <b>{html.escape(field)}</b> do you think recording {code} "
                          "came from? Guessing is fine; “Don't know” is a good answer too.")
        question.setWordWrap(True)
        self.group = QButtonGroup(self)
        layout = QVBoxLayout(self)
        layout.addWidget(question)
        for i, option in enumerate([*options, ""]):
            button = QRadioButton(f"&{i + 1}  {option}" if option else f"&{i + 1}  Don't know")
            button.setAccessibleName(option or "Don't know")
            button.setProperty("guess", option)
            self.group.addButton(button, i)
            layout.addWidget(button)
        self.group.buttons()[-1].setChecked(True)
        layout.addWidget(_buttons(self, "Answer"))
        self.group.buttons()[-1].setFocus()

    def guess(self) -> str:
        return self.group.checkedButton().property("guess")


class ShortcutSheet(QDialog):
    """Every key of the workstation, by menu, from the same table the menus are built from."""

    def __init__(self, parent: QWidget, scale: tuple[int, ...]):
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.table = new_table(0, 2)
        self.table.setAccessibleName("Keyboard shortcuts")
        self.table.setHorizontalHeaderLabels(["Key", "Does"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        for title, rows in self._sections(scale):
            self._add(title, rows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        box.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(box)
        self.resize(640, 680)

    @staticmethod
    def _sections(scale: tuple[int, ...]) -> list[tuple[str, list[tuple[str, str]]]]:
        sections: dict[str, list[tuple[str, str]]] = {}
        for command in COMMANDS:
            if command.keys:
                sections.setdefault(command.menu.replace("&", ""), []).append(
                    (key_text(command.keys), command.text.replace("&", "")))
        digits = [v for v in scale if 0 <= v <= 9]
        if digits:
            sections["Rating"].insert(0, (f"{digits[0]}–{digits[-1]}",
                                          "Score the focused dimension (the codebook's scale)"))
        sections["In fields and lists"] = list(SHEET_EXTRA)
        return list(sections.items())

    def _add(self, title: str, rows: list[tuple[str, str]]) -> None:
        heading = QTableWidgetItem(title)
        font = heading.font()
        font.setBold(True)
        heading.setFont(font)
        at = self.table.rowCount()
        self.table.insertRow(at)
        self.table.setItem(at, 0, heading)
        self.table.setSpan(at, 0, 1, 2)
        for key, text in rows:
            at = self.table.rowCount()
            self.table.insertRow(at)
            self.table.setItem(at, 0, QTableWidgetItem(key))
            self.table.setItem(at, 1, QTableWidgetItem(text))


class RulesDialog(QDialog):
    """The scenario brief (when the codebook has one: raters read it before rating) and the
    codebook's rules: general ones, then the focused dimension's, then the others'."""

    def __init__(self, parent: QWidget, codebook: Codebook, focused: str | None):
        super().__init__(parent)
        self.setWindowTitle("Scenario brief and rules" if codebook.brief else "Codebook rules")
        view = QTextBrowser()
        view.setAccessibleName("Codebook rules")
        view.setHtml(self._html(codebook, focused))
        self.brief = QTextBrowser()
        self.brief.setAccessibleName("Scenario brief")
        self.brief.setMarkdown(codebook.brief)
        self.tabs = QTabWidget()
        if codebook.brief:
            self.tabs.addTab(self.brief, "Scenario &brief")
        self.tabs.addTab(view, "&Rules")
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        box.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(box)
        self.view = view
        self.resize(680, 640)

    @staticmethod
    def _html(codebook: Codebook, focused: str | None) -> str:
        def items(rules) -> str:
            return "<ul>" + "".join(f"<li>{html.escape(r)}</li>" for r in rules) + "</ul>"

        order = sorted(codebook.dimensions, key=lambda d: d.id != focused)
        parts = [f"<h3>{html.escape(codebook.title)}</h3>", items(codebook.rules)]
        for dimension in order:
            if dimension.rules:
                parts += [f"<h4>{html.escape(dimension.name)}</h4>", items(dimension.rules)]
        return "".join(parts)


def low_heard_question(parent: QWidget, code: str, heard: float, needed: float) -> QMessageBox:
    box = QMessageBox(QMessageBox.Icon.Warning, "Submit rating",
                      f"You have heard {heard_percent(heard)} of {code}; the study asks for at "
                      f"least {needed:.0%} before scoring.\n\nSubmit anyway?",
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, parent)
    box.setDefaultButton(QMessageBox.StandardButton.No)
    box.button(QMessageBox.StandardButton.Yes).setText("&Submit anyway")
    box.button(QMessageBox.StandardButton.No).setText("&Keep listening")
    return box


def about_box(parent: QWidget, log_folder: str, data_folder: str) -> QMessageBox:
    text = (f"<h3>Rater {html.escape(__version__)}</h3>"
            "<p>Blind rating of recorded interviews against a codebook.</p>"
            f"<p>Python {platform.python_version()} · Qt {qVersion()} · "
            f"PySide6 {pyside_version} (LGPLv3) · {html.escape(sys.platform)}</p>"
            f"<p>Rater is free software under the GPL-3.0-or-later.</p>"
            f"<p>Log folder: {html.escape(log_folder)}<br>"
            f"Data folder: {html.escape(data_folder)}</p>")
    box = QMessageBox(QMessageBox.Icon.NoIcon, "About Rater", text,
                      QMessageBox.StandardButton.Close, parent)
    box.setTextFormat(Qt.TextFormat.RichText)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return box
