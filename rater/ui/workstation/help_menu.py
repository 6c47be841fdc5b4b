"""The Help menu's windows: the codebook's rules, the shortcut sheet, About, the log folder."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices

from rater.ui.workstation import dialogs, logs

if TYPE_CHECKING:
    from rater.ui.workstation.window import WorkstationWindow


def show_rules(window: WorkstationWindow) -> None:
    if window.session.workspace is not None:
        dimension = window.work.scoring.dimension
        window.open_dialog(dialogs.RulesDialog(window, window.session.workspace.codebook,
                                               dimension.id if dimension else None))


def show_shortcuts(window: WorkstationWindow) -> None:
    codebook = window.session.workspace.codebook if window.session.workspace else None
    window.open_dialog(dialogs.ShortcutSheet(
        window, codebook.scale.values if codebook else (1, 2, 3, 4, 5)))


def show_about(window: WorkstationWindow) -> None:
    from platformdirs import user_data_path

    window.open_dialog(dialogs.about_box(window, str(logs.log_folder()),
                                         str(user_data_path("rater", appauthor=False))))


def show_log_folder() -> None:
    folder = logs.log_folder()
    folder.mkdir(parents=True, exist_ok=True)
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
