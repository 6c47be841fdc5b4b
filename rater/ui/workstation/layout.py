"""The workstation's pages and splitters: the empty state and the work page
(queue | player above scores and notes), remembered between sessions."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from rater.ui.workstation.notes_panel import NotesPanel
from rater.ui.workstation.player_panel import PlayerPanel
from rater.ui.workstation.queue_panel import QueuePanel
from rater.ui.workstation.scoring import ScoringPanel

_SPLITTERS = ("main", "right", "lower")


class EmptyPage(QWidget):
    """What the window shows with no work open: what to do, and any problem opening it."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.title = QLabel("No rater pack open")
        self.title.setObjectName("emptyTitle")
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setFixedWidth(self.text.fontMetrics().averageCharWidth() * 60)
        self.text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.button = QPushButton("Open rater pack…  (Ctrl+O)")
        self.button.setAccessibleName("Open rater pack")
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        for widget in (self.title, self.text, self.button):
            layout.addWidget(widget, 0, Qt.AlignmentFlag.AlignHCenter)
            layout.addSpacing(8)
        layout.addStretch(3)
        self.show_state("empty")

    def show_state(self, state: str, detail: str = "") -> None:
        titles = {"empty": "No rater pack open", "opening": "Opening…",
                  "failed": "The pack could not be opened", "nothing": "Nothing to rate"}
        texts = {
            "empty": "Open the .raterpack file the researcher sent you. Your work is saved "
                     "as you go: there is nothing to save and nothing to lose.",
            "opening": "Reading your queue.",
            "failed": detail,
            "nothing": "This pack holds no recordings for you. Ask the researcher for your "
                       "pack.",
        }
        self.title.setText(titles[state])
        self.text.setText(texts[state])
        # a centred, word-wrapped label is laid out at its one-line height: reserve the lines
        self.text.setMinimumHeight(self.text.heightForWidth(self.text.width()))
        self.button.setVisible(state != "opening")


class WorkPage(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.queue = QueuePanel()
        self.player = PlayerPanel()
        self.scoring = ScoringPanel()
        self.notes = NotesPanel()
        self.banner = QLabel()
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(True)
        self.banner.setFrameShape(QFrame.Shape.StyledPanel)
        self.banner.setMargin(8)
        self.banner.hide()
        self.splitters = {name: QSplitter() for name in _SPLITTERS}
        self._lay_out()

    def _lay_out(self) -> None:
        main, right, lower = (self.splitters[n] for n in _SPLITTERS)
        right.setOrientation(Qt.Orientation.Vertical)
        lower.addWidget(_boxed(self.scoring, "Scores"))
        lower.addWidget(self.notes)
        lower.setStretchFactor(0, 3)
        lower.setStretchFactor(1, 2)
        right.addWidget(self.player)
        right.addWidget(lower)
        right.setStretchFactor(1, 1)
        main.addWidget(self.queue)
        main.addWidget(right)
        main.setStretchFactor(1, 1)
        for splitter in self.splitters.values():
            splitter.setChildrenCollapsible(False)
            splitter.setHandleWidth(10)
        main.setSizes([230, 1000])
        # at 1280x720 every anchor of the longest dimension fits without scrolling
        right.setSizes([140, 600])
        lower.setSizes([640, 330])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.addWidget(self.banner)
        layout.addWidget(main, 1)

    def save(self, settings: QSettings) -> None:
        for name, splitter in self.splitters.items():
            settings.setValue(f"workstation/splitter_{name}", splitter.saveState())

    def restore(self, settings: QSettings) -> None:
        for name, splitter in self.splitters.items():
            state = settings.value(f"workstation/splitter_{name}")
            if isinstance(state, QByteArray):
                splitter.restoreState(state)


def _boxed(panel: QWidget, title: str) -> QWidget:
    box = QWidget()
    label = QLabel(title)
    label.setObjectName("panelTitle")
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(label)
    layout.addWidget(panel, 1)
    return box


class Pages(QStackedWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.empty = EmptyPage()
        self.work = WorkPage()
        self.addWidget(self.empty)
        self.addWidget(self.work)

    def show_empty(self, state: str, detail: str = "") -> None:
        self.empty.show_state(state, detail)
        self.setCurrentWidget(self.empty)

    def show_work(self) -> None:
        self.setCurrentWidget(self.work)
