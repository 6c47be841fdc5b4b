"""The amend dialog shows its whole title and placeholder (issue 14, item 13: the title bar
read 'Amend 2X…FK' and the reason's placeholder was cut)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from rater.core.codebook import default_codebook_path, load_codebook
from rater.ui.workstation.dialogs import AmendDialog


def test_the_amend_dialog_shows_its_whole_title_and_placeholder(qtbot):
    codebook = load_codebook(default_codebook_path())
    parent = QWidget()
    qtbot.addWidget(parent)
    clarity = codebook.dimension("clarity")
    dialog = AmendDialog(parent, "2X7KQ9FK", clarity, codebook.scale.labels, 3, None)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    title = dialog.fontMetrics().horizontalAdvance(dialog.windowTitle())
    assert dialog.width() >= title + 200  # room for the window manager's buttons and margins
    reason = dialog.reason
    shown = reason.width() - reason.textMargins().left() - reason.textMargins().right() - 8
    assert shown >= reason.fontMetrics().horizontalAdvance(reason.placeholderText())
