"""The dark appearance in every window (issue 14, item 9): it applied to the workstation only;
the study window (with its light-blue demo banner) and the welcome screen stayed light."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

from rater.ui import appearance
from rater.ui.app import prepare
from rater.ui.study_window import StudyWindow
from rater.ui.welcome import WelcomeWindow


def _lightness(widget) -> int:
    image = widget.grab().toImage()
    return QColor(image.pixel(image.width() // 2, image.height() - 3)).lightness()


def test_a_dark_choice_darkens_the_study_window_and_the_welcome_screen(qtbot):
    app = QApplication.instance()
    names = app.organizationName(), app.applicationName()
    QSettings().setValue(appearance.SETTING, "dark")
    try:
        prepare(app)
        study = StudyWindow()
        qtbot.addWidget(study)
        study.banner.setText("This is the demo study.")
        study.banner.show()
        study.show()
        welcome = WelcomeWindow()
        qtbot.addWidget(welcome)
        welcome.show()
        assert _lightness(study.banner) < 80 and _lightness(welcome) < 80
        study.set_appearance("light")  # the study window's own View › Appearance
        assert _lightness(study.banner) > 180
        assert QSettings().value(appearance.SETTING) == "light"
    finally:
        appearance.apply(app, "light")
        app.setOrganizationName(names[0])
        app.setApplicationName(names[1])
