"""Starting the desktop app: the QApplication, what to open, the first window.

    rater                         first launch: the demo study; afterwards: the welcome screen
    rater STUDY.rater             the researcher's window on a study
    rater PACK.raterpack          the rater's workstation (also a pack folder, or
    rater STUDY --rater ID        a research study in single-machine rater mode)
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QMessageBox

from rater import __version__
from rater.core.errors import Problem, RaterError
from rater.ui import workstation
from rater.ui.study_window import StudyWindow
from rater.ui.tasks import run_in_background, settle_heap
from rater.ui.welcome import WelcomeWindow, remember
from rater.ui.workstation import appearance

ORGANISATION = "Rater"
APP_ID = "org.rater.Rater"
LAUNCHED_KEY = "launched_before"


class Launcher:
    """Keeps the app's top-level windows alive and routes between them."""

    def __init__(self):
        self.windows: list = []

    def open_study(self, study: str, demo=None) -> StudyWindow:
        window = StudyWindow(on_rate=self.open_workstation, on_open=self.open_file)
        window.show()
        window.open_study(study, demo=demo)
        self.windows.append(window)
        if not study.startswith(("postgresql", "sqlite")):
            remember(study)
        return window

    def open_file(self, path: str) -> None:
        """A study or a workshop: which, is read off the UI thread; then its own window, and
        the file joins the recent files. A file that is neither gets one plain message: no
        window is left open and nothing is remembered."""
        from rater.services.workshops import is_workshop

        def opened(workshop: bool) -> None:
            if workshop:
                self.open_workshop(path)
            else:
                self.open_study(path)

        def refused(error: Exception) -> None:
            QMessageBox.warning(None, "Rater", cannot_open(path, error))

        run_in_background(lambda: is_workshop(path), opened, refused)

    def open_workshop(self, workshop: str) -> None:
        from rater.ui.workshop.window import WorkshopWindow

        window = WorkshopWindow(workshop, on_open=self.open_workshop)
        window.show()
        self.windows.append(window)
        if not workshop.startswith(("postgresql", "sqlite")):
            remember(workshop)

    def open_workstation(self, argv: list[str]) -> None:
        self.windows.append(workstation.start(argv))
        if argv and argv[0].endswith(".raterpack"):
            remember(argv[0])

    def welcome(self) -> WelcomeWindow:
        window = WelcomeWindow()
        window.packChosen.connect(lambda path: self.open_workstation([path]))
        window.studyChosen.connect(self.open_file)
        window.demoChosen.connect(self.open_demo)
        window.workshopChosen.connect(self.open_demo_workshop)
        window.show()
        self.windows.append(window)
        return window

    def open_demo(self) -> None:
        """Open the demo, building it in the background the first time (about 15 s)."""
        from rater.services.demo import default_demo_folder, open_or_build_demo

        waiting = StudyWindow(on_rate=self.open_workstation)
        waiting.status.setText("Building the demo study: 33 recordings, three raters… "
                               "(about 15 seconds, only the first time)")
        waiting.show()
        self.windows.append(waiting)

        def opened(demo) -> None:
            waiting.open_study(str(demo.study), demo=demo)
            remember(str(demo.study))

        def failed(error: Exception) -> None:
            QMessageBox.warning(waiting, "Rater", f"The demo could not be built: {error}")

        run_in_background(lambda: open_or_build_demo(default_demo_folder()), opened, failed,
                          owner=waiting)


    def open_demo_workshop(self) -> None:
        """Open the demo workshop in the trainer's window, building it the first time."""
        from rater.services.workshop_demo import default_demo_workshop_folder
        from rater.services.workshops import open_or_build_demo_workshop

        def opened(workshop) -> None:
            self.open_workshop(str(workshop))  # remembered, like any workshop opened

        def failed(error: Exception) -> None:
            QMessageBox.warning(None, "Rater", f"The demo workshop could not be built: {error}")

        run_in_background(lambda: open_or_build_demo_workshop(default_demo_workshop_folder()),
                          opened, failed)


def cannot_open(path: str, error: Exception) -> str:
    """One plain message: which file, what is wrong with it, what to do."""
    problems = error.problems if isinstance(error, RaterError) else [Problem(str(error))]
    lines = [f"{Path(path).name} could not be opened."]
    lines += [f"{p.what[:1].upper()}{p.what[1:]}." + (f" To fix: {p.fix}." if p.fix else "")
              for p in problems]
    return "\n\n".join(lines)


def prepare(app: QApplication) -> None:
    """The app's names (they place its settings) and the saved appearance, for every window
    (it was applied by the workstation only, so the study window stayed light)."""
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName("rater")
    app.setApplicationDisplayName("Rater")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_ID)
    appearance.apply(app, appearance.saved_mode())


def run_app(argv: list[str]) -> int:
    app = QApplication.instance() or QApplication([sys.argv[0]])
    prepare(app)
    launcher = Launcher()  # alive, with its windows, until exec() returns
    settings = QSettings()
    if workstation.is_rating_request(argv):
        launcher.open_workstation(argv)
    elif argv:
        launcher.open_file(argv[0])
    elif not settings.value(LAUNCHED_KEY, False, bool):
        settings.setValue(LAUNCHED_KEY, True)
        launcher.open_demo()
    else:
        launcher.welcome()
    settle_heap()
    return app.exec()
