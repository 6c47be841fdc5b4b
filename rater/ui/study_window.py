"""The researcher's window on a study: what it holds, loaded without blocking the UI."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QFormLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from rater.core.errors import RaterError
from rater.core.reliability.wording import criterion_words
from rater.ui import appearance
from rater.ui.analysis_view import AnalysisView
from rater.ui.progress_view import ProgressView
from rater.ui.raters_view import RatersView
from rater.ui.reliability_view import ReliabilityView
from rater.ui.study_follower import StudyFollower
from rater.ui.tasks import run_in_background

FIELDS = (
    ("name", "Study"),
    ("recordings", "Recordings"),
    ("hours", "Hours of audio"),
    ("hidden", "Hidden from raters"),
    ("raters", "Raters"),
    ("assignments", "Assignments"),
    ("ratings", "Ratings"),
    ("criterion", "Reliability criterion"),
)


class StudyWindow(QMainWindow):
    """`on_rate(argv)` opens the rater's workstation (the demo's own pack, for instance);
    `on_open(path)` opens another study or workshop in its own window."""

    def __init__(self, on_rate=None, on_open=None):
        super().__init__()
        self.on_rate = on_rate
        self.on_open = on_open
        self.demo = None
        self.setWindowTitle("Rater")
        self.resize(1000, 680)
        self.study: str | None = None
        self.values: dict[str, QLabel] = {}
        self._build()

    def _build(self) -> None:
        self.status = QLabel("Opening the study…")
        self.status.setAccessibleName("Study status")
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setAccessibleName("About this demo")
        self.banner.setStyleSheet("background: palette(alternate-base); border: 1px solid "
                                  "palette(mid); border-radius: 4px; padding: 10px;")
        self.banner.hide()
        self.rate_button = QPushButton("Rate the eight interviews yourself…")
        self.rate_button.setAccessibleName("Rate the demo interviews yourself")
        self.rate_button.clicked.connect(self._rate_demo)
        self.rate_button.hide()
        self.building = QProgressBar()
        self.building.setAccessibleName("Building the demo study")
        self.building.hide()
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        for key, label in FIELDS:
            value = QLabel("—")
            value.setAccessibleName(label)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.values[key] = value
            form.addRow(f"{label}:", value)
        layout = QVBoxLayout()
        layout.addWidget(self.banner)
        layout.addWidget(self.rate_button, alignment=Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.status)
        layout.addWidget(self.building)
        layout.addLayout(form)
        self.follower = StudyFollower(self)  # one listener (or poll) for every view here
        self.progress = ProgressView(self.follower)
        self.progress.updated.connect(self._refresh_counts)
        layout.addWidget(self.progress, 1)
        overview = QWidget()
        overview.setLayout(layout)
        self.reliability = ReliabilityView(self.follower)
        self.analysis = AnalysisView()
        self.raters = RatersView()
        self.tabs = QTabWidget()
        self.tabs.addTab(overview, "&Overview")
        self.tabs.addTab(self.reliability, "&Reliability")
        self.tabs.addTab(self.analysis, "&Analysis")
        self.tabs.addTab(self.raters, "Ra&ters")
        self.setCentralWidget(self.tabs)
        menu = self.menuBar().addMenu("&File")
        menu.addAction("&Open study…", self._choose_study).setShortcut("Ctrl+O")
        menu.addAction("&Close window", self.close).setShortcut(QKeySequence("Ctrl+W"))
        menu.addAction("&Quit Rater", QApplication.closeAllWindows).setShortcut(
            QKeySequence("Ctrl+Q"))
        self._appearance_menu(self.menuBar().addMenu("&View").addMenu("&Appearance"))

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        """Stop following the study: a shared study's listeners hold server connections."""
        self.follower.stop()
        super().closeEvent(event)

    def _appearance_menu(self, menu) -> None:
        """Light, dark or the desktop's: the same choice as the workstation's, for every
        window of the app."""
        group = QActionGroup(self)
        for mode, text in (("system", "&System"), ("light", "&Light"), ("dark", "&Dark")):
            action = menu.addAction(text)
            action.setCheckable(True)
            action.setChecked(mode == appearance.saved_mode())
            action.triggered.connect(lambda _checked, m=mode: self.set_appearance(m))
            group.addAction(action)

    def set_appearance(self, mode: str) -> None:
        QSettings().setValue(appearance.SETTING, mode)
        appearance.apply(QApplication.instance(), mode)
        self.banner.setStyleSheet(self.banner.styleSheet())  # palette(...) read again

    def _choose_study(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open study", "", "Rater studies (*.rater)")
        if path and self.on_open is not None:
            self.on_open(path)
        elif path:
            self.open_study(path)

    def open_study(self, study: str, demo=None) -> None:
        from rater.services.study import study_info

        self.study, self.demo = study, demo
        self.building.hide()
        if demo is not None:
            self.banner.setText(
                "<b>This is the demo study.</b> 33 recordings of simulated interviews from two "
                "fictional local authorities, rated blind by three demo raters, half of them "
                "twice. See whether the raters agree on the <b>Reliability</b> tab, and how the "
                "authorities compare on the <b>Analysis</b> tab. Or put yourself in a rater's "
                "chair:")
            self.banner.show()
            self.rate_button.setVisible(self.on_rate is not None)
        self.status.setText("Opening the study…")
        run_in_background(lambda: study_info(study), self.show_info, self.show_error, owner=self)
        self.reliability.open_study(study)
        self.raters.open_study(study)
        self.progress.open_study(study)
        self.follower.follow(study)

    def _refresh_counts(self) -> None:
        """The overview's counts follow the progress table (which follows the study)."""
        from rater.services.study import study_info

        if self.study is not None and self.values["ratings"].text() != "—":
            study = self.study
            run_in_background(lambda: study_info(study), self._show_counts, lambda _e: None,
                              owner=self)

    def _show_counts(self, info: dict) -> None:
        ratings = info["ratings"]
        self.values["ratings"].setText(f"{ratings['submitted']} submitted, "
                                       f"{ratings['draft']} in progress")
        self.values["assignments"].setText(str(info["assignments"]))

    def show_building(self, done: int, total: int, text: str) -> None:
        """A step of building the demo study (the first time only), with what is coming."""
        self.building.setRange(0, total)
        self.building.setValue(done)
        self.building.setVisible(done < total)
        self.status.setText(f"Building the demo study, the first time only (about 20 seconds): "
                            f"{text}…")
        self.banner.setText(
            "<b>Coming up: the demo study.</b> 33 recordings of simulated interviews from two "
            "fictional local authorities, rated blind by three demo raters, half of them twice. "
            "The <b>Reliability</b> tab will show whether the raters agree, the "
            "<b>Analysis</b> tab how the authorities compare.")
        self.banner.show()
        self.reliability.status.setText("The demo study is being built: whether its raters "
                                        "agree appears here when it is ready.")

    def _rate_demo(self) -> None:
        """The demo's pack (one working copy, however it is opened; and it joins the recent
        files like any pack)."""
        if self.demo is not None and self.on_rate is not None:
            self.on_rate([str(self.demo.pack)])

    def show_info(self, info: dict) -> None:
        QSettings().setValue("last_study", self.study)
        self.setWindowTitle(f"{info['name']} — Rater")
        self.status.setText(info["study"])
        hidden = [f["name"] for f in info["metadata_fields"] if f["hidden"]]
        ratings = info["ratings"]
        on_gold_only = info["raters"] - info["raters_on_study"]
        shown = {
            "hidden": ", ".join(hidden) or "(no metadata yet)",
            "raters": f"{info['raters_on_study']}" + (
                f" (and {on_gold_only} on gold recordings only)" if on_gold_only else ""),
            "recordings": f"{info['recordings']} ({info['blinded']} blinded)",
            "ratings": f"{ratings['submitted']} submitted, {ratings['draft']} in progress",
            "criterion": criterion_words(info["criterion"]),
        }
        for key, label in self.values.items():
            label.setText(str(shown.get(key, info.get(key, "—"))))
        self.analysis.open_study(self.study, info)

    def show_error(self, error: Exception) -> None:
        self.status.setText("The study could not be opened.")
        text = str(error) if isinstance(error, RaterError) else f"{type(error).__name__}: {error}"
        QMessageBox.warning(self, "Rater", text)
