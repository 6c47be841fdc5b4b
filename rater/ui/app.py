"""Starting the desktop app: the QApplication, the study to open, the first window."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from rater import __version__
from rater.ui.study_window import StudyWindow
from rater.ui.tasks import run_in_background

ORGANISATION = "Rater"
APP_ID = "org.rater.Rater"


def default_study_path() -> Path:
    """The embedded default study in the user's data folder."""
    from platformdirs import user_data_path

    return user_data_path("rater", appauthor=False) / "default.rater"


def ensure_default_study() -> str:
    """Create the embedded default study the first time the app runs."""
    from rater.services.study import init_study

    path = default_study_path()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        init_study(str(path), name="My first study")
    return str(path)


def run_app(argv: list[str]) -> int:
    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName("rater")
    app.setApplicationDisplayName("Rater")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_ID)
    window = StudyWindow()
    window.show()
    study = argv[0] if argv else QSettings().value("last_study", "", str)
    if study:
        window.open_study(study)
    else:
        run_in_background(ensure_default_study, window.open_study, window.show_error)
    return app.exec()
