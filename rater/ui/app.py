"""Starting the desktop app: the QApplication, what to open, the first window.

    rater                         first launch: who is starting? then the demo in that role;
                                  afterwards: the welcome screen
    rater STUDY.rater             the researcher's window on a study
    rater PACK.raterpack          the rater's workstation (also a pack folder, or
    rater STUDY --rater ID        a research study in single-machine rater mode)
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from rater import __version__
from rater.core.errors import Problem, RaterError
from rater.ui import appearance
from rater.ui.first_launch import FirstLaunchWindow
from rater.ui.tasks import run_in_background, settle_heap
from rater.ui.welcome import WelcomeWindow, remember

if TYPE_CHECKING:
    from rater.ui.study_window import StudyWindow

# The first window needs Qt only. The study window and the workstation bring pandas, SciPy and
# SQLAlchemy (over a second of imports), so they are imported when first opened, and
# warmed up in the background while the first window waits for the user (`_warm_up`).

ORGANISATION = "Rater"
APP_ID = "org.raterproject.Rater"  # the .desktop file and metainfo in packaging/linux
LAUNCHED_KEY = "launched_before"


class Launcher:
    """Keeps the app's top-level windows alive and routes between them."""

    def __init__(self):
        self.windows: list = []

    def open_study(self, study: str, demo=None) -> StudyWindow:
        from rater.ui.study_window import StudyWindow

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
        from rater.ui import workstation

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

    def first_launch(self) -> FirstLaunchWindow:
        """Ask who is starting Rater, then open the demo in that role."""
        window = FirstLaunchWindow()
        window.chosen.connect(lambda role: self._open_demo_as(role, window))
        window.show()
        self.windows.append(window)
        return window

    def _open_demo_as(self, role: str, asking: FirstLaunchWindow) -> None:
        if role == "researcher":
            asking.close()
            self.open_demo()
        elif role == "trainer":
            self.open_demo_workshop(then=asking.close)
        else:  # a rater: the demo's rater pack only, never the study and its comparison
            def opened(demo) -> None:
                self.open_workstation([str(demo.pack)])
                asking.close()

            self._build_demo(asking.show_step, opened, asking, "the demo")

    def open_demo(self) -> None:
        """Open the demo study, building it in the background the first time (about 20 s,
        each step shown)."""
        from rater.ui.study_window import StudyWindow

        waiting = StudyWindow(on_rate=self.open_workstation, on_open=self.open_file)
        waiting.show_building(0, 1, "Starting")
        waiting.show()
        self.windows.append(waiting)

        def opened(demo) -> None:
            waiting.open_study(str(demo.study), demo=demo)
            remember(str(demo.study))

        self._build_demo(waiting.show_building, opened, waiting, "the demo study")

    def _build_demo(self, show_step, opened, owner: QWidget, what: str) -> None:
        """The demo, found or built off the UI thread; each build step goes to `show_step`
        on the UI thread; `opened(demo)` at the end."""
        from rater.services.demo import default_demo_folder, open_or_build_demo

        steps = _Steps(owner)
        steps.step.connect(show_step)

        def failed(error: Exception) -> None:
            QMessageBox.warning(owner, "Rater", f"{what.capitalize()} could not be built: "
                                f"{error}")

        run_in_background(lambda: open_or_build_demo(default_demo_folder(), steps.tell),
                          opened, failed, owner=owner)

    def open_demo_workshop(self, then=None) -> None:
        """Open the demo workshop in the trainer's window, building it the first time; then
        call `then` (the first-launch window closes itself so)."""
        from rater.services.workshop_demo import default_demo_workshop_folder
        from rater.services.workshops import open_or_build_demo_workshop

        def opened(workshop) -> None:
            self.open_workshop(str(workshop))  # remembered, like any workshop opened
            if then is not None:
                then()

        def failed(error: Exception) -> None:
            QMessageBox.warning(None, "Rater", f"The demo workshop could not be built: {error}")

        run_in_background(lambda: open_or_build_demo_workshop(default_demo_workshop_folder()),
                          opened, failed)


class _Steps(QObject):
    """Carries a build's steps from the worker thread to the UI thread (queued)."""

    step = Signal(int, int, str)

    def tell(self, done: int, total: int, text: str) -> None:
        with contextlib.suppress(RuntimeError):  # the window that showed them is gone
            self.step.emit(done, total, text)


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
    if argv and _is_rating_request(argv):
        launcher.open_workstation(argv)
    elif argv:
        launcher.open_file(argv[0])
    elif not settings.value(LAUNCHED_KEY, False, bool):
        settings.setValue(LAUNCHED_KEY, True)
        launcher.first_launch()
    else:
        launcher.welcome()
    settle_heap()
    if not argv:
        run_in_background(_warm_up, lambda _none: None, lambda _error: None)
    return app.exec()


def _is_rating_request(argv: list[str]) -> bool:
    from rater.ui.workstation.target import is_rating_request

    return is_rating_request(argv)


def _warm_up() -> None:
    """Import, off the UI thread, what opening a study or a pack will need (not Qt widgets)."""
    import rater.services.rating
    import rater.services.reliability
    import rater.services.study  # noqa: F401
