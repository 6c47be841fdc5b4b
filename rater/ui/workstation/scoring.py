"""The scoring panel, generated from the codebook: one row per dimension, a button per level,
and beside them the focused dimension's definition with the anchor text of every level (the
hovered or chosen one highlighted), so the words a score means are always in view.

The rows take the keyboard focus (Tab, or ↑/↓ through the window's actions); the level buttons
do not, so digits, Space and the arrows keep their window-wide meaning.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from rater.core.codebook import Codebook, Dimension


class DimensionRow(QFrame):
    chosen = Signal(str, int)
    """A level button was clicked (dimension id, value)."""
    hovered = Signal(str, object)
    """The pointer is over a level (dimension id, value), or left the buttons (value None)."""
    focused = Signal(str)
    """This row took the keyboard focus (dimension id)."""

    def __init__(self, dimension: Dimension, codebook: Codebook, parent: QWidget | None = None):
        super().__init__(parent)
        self.dimension = dimension
        self.labels = codebook.scale.labels
        self.setObjectName("dimensionRow")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setProperty("current", False)
        self.name = QLabel(dimension.name)
        self.name.setObjectName("dimensionName")
        self.value = QLabel()
        self.value.setObjectName("dimensionValue")
        self.buttons = {v: self._button(v) for v in codebook.scale.values}
        self._lay_out()
        self.show_score(None, False)

    def _button(self, value: int) -> QPushButton:
        button = QPushButton(str(value))
        button.setCheckable(True)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        label = self.labels.get(value, "")
        button.setToolTip(f"{value} — {label}" if label else str(value))
        button.setAccessibleName(f"{self.dimension.name}: {value} {label}".strip())
        button.setObjectName("levelButton")
        button.clicked.connect(lambda _=False, v=value: self.chosen.emit(self.dimension.id, v))
        button.installEventFilter(self)
        return button

    def _lay_out(self) -> None:
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(6)
        self.name.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        layout.addWidget(self.name, 1)
        for button in self.buttons.values():
            layout.addWidget(button)
        self.value.ensurePolished()
        metrics = self.value.fontMetrics()
        widest = max((metrics.horizontalAdvance(f"{v} · {label}")
                      for v, label in self.labels.items()), default=0)
        self.value.setFixedWidth(max(widest, metrics.horizontalAdvance("not scored")) + 4)
        layout.addSpacing(8)
        layout.addWidget(self.value)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Enter:
            value = next(v for v, b in self.buttons.items() if b is watched)
            self.hovered.emit(self.dimension.id, value)
        elif event.type() == QEvent.Type.Leave:
            self.hovered.emit(self.dimension.id, None)
        return False

    def focusInEvent(self, event) -> None:
        super().focusInEvent(event)
        self.focused.emit(self.dimension.id)

    def set_current(self, current: bool) -> None:
        if self.property("current") != current:
            self.setProperty("current", current)
            self.style().unpolish(self)
            self.style().polish(self)

    def show_score(self, value: int | None, submitted: bool) -> None:
        for v, button in self.buttons.items():
            button.setChecked(v == value)
        label = self.labels.get(value, "") if value is not None else ""
        self.value.setText(f"{value} · {label}" if value is not None else "not scored")
        state = "submitted" if submitted else "draft"
        scored = f"score {value} {label}" if value is not None else "not scored"
        self.setAccessibleName(f"{self.dimension.name}: {scored} ({state})")
        self.setAccessibleDescription(self.dimension.definition)
        self.setToolTip(self.dimension.definition)


def _mix(base: QColor, over: QColor, share: float) -> QColor:
    """``over`` laid on ``base`` at ``share`` opacity (a tint that follows the palette)."""
    return QColor.fromRgbF(*(b + (o - b) * share for b, o in
                             zip(base.getRgbF()[:3], over.getRgbF()[:3], strict=True)))


class AnchorView(QLabel):
    """The focused dimension: its definition and the anchor text of every level."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("anchorView")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.setAccessibleName("Definition and anchors")
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

    def show_dimension(self, dimension: Dimension, labels: dict[int, str], score: int | None,
                       hovered: int | None) -> None:
        palette = self.palette()
        hover = (f' style="background-color:{palette.highlight().color().name()}; '
                 f'color:{palette.highlightedText().color().name()};"')
        tint = _mix(palette.window().color(), palette.highlight().color(), 0.22)
        chosen = f' style="background-color:{tint.name()};"'
        rows = []
        first = self._number_column_width(max(dimension.anchors))
        for value, anchor in sorted(dimension.anchors.items()):
            style = hover if value == hovered else chosen if value == score else ""
            mark = "✓ " if value == score else ""
            rows.append(f"<tr{style}><td style='padding:2px 8px 2px 4px;' valign='top' "
                        f"width='{first}'>"
                        f"<b>{mark}{value}</b></td><td style='padding:2px 8px 2px 0;' "
                        f"valign='top' width='90'><b>{html.escape(labels.get(value, ''))}</b>"
                        f"</td><td style='padding:2px 4px 2px 0;'>{html.escape(anchor)}</td></tr>")
        self.setText(f"<p style='margin-bottom:6px'><b>{html.escape(dimension.name)}</b> — "
                     f"{html.escape(dimension.definition)}</p>"
                     f"<table cellspacing='0' width='100%'>{''.join(rows)}</table>")
        level = hovered if hovered is not None else score
        self.setAccessibleDescription(
            f"{dimension.name}. {dimension.definition} "
            + (f"Level {level}: {dimension.anchors.get(level, '')}" if level is not None else ""))


    def _number_column_width(self, highest: int) -> int:
        """Room for the tick and the widest level number, so choosing a level (which adds the
        tick) does not push every anchor text sideways."""
        bold = QFont(self.font())
        bold.setBold(True)
        return QFontMetrics(bold).horizontalAdvance(f"✓ {highest}") + 12


class ScoringPanel(QWidget):
    chosen = Signal(str, int)
    """The rater chose a level for a dimension (by click or digit)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.codebook: Codebook | None = None
        self.rows: list[DimensionRow] = []
        self.current = 0
        self._scores: dict[str, int] = {}
        self._submitted = False
        self._hovered: tuple[str, int] | None = None
        self.rows_box = QWidget()
        self.rows_box.setObjectName("scoreRows")
        self.rows_layout = QVBoxLayout(self.rows_box)
        self.rows_layout.setContentsMargins(0, 0, 0, 0)
        self.rows_layout.setSpacing(2)
        self.state = QLabel()
        self.state.setObjectName("ratingState")
        self.state.setWordWrap(True)
        self.anchors = AnchorView()
        self._lay_out()

    def _lay_out(self) -> None:
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.anchors)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        scroll.setAccessibleName("Anchors of the focused dimension")
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setVerticalSpacing(6)
        layout.addWidget(self.rows_box, 0, 0)
        layout.addWidget(self.state, 1, 0)
        layout.addWidget(scroll, 2, 0)
        layout.setRowStretch(2, 1)

    def set_codebook(self, codebook: Codebook) -> None:
        self.codebook = codebook
        for row in self.rows:
            row.deleteLater()
        self.rows = [DimensionRow(d, codebook) for d in codebook.dimensions]
        previous = None
        for row in self.rows:
            row.chosen.connect(self._on_row_chosen)
            row.hovered.connect(self._on_hovered)
            row.focused.connect(lambda dim: self.select(self._index(dim), focus=False))
            self.rows_layout.addWidget(row)
            if previous is not None:
                QWidget.setTabOrder(previous, row)
            previous = row
        self.select(0, focus=False)

    @property
    def dimension(self) -> Dimension | None:
        return self.rows[self.current].dimension if self.rows else None

    def digit_value(self, digit: int) -> int | None:
        """The scale value a digit key stands for (digits follow the codebook's scale)."""
        return digit if self.codebook and digit in self.codebook.scale.values else None

    def _index(self, dimension_id: str) -> int:
        return next(i for i, row in enumerate(self.rows) if row.dimension.id == dimension_id)

    def select(self, index: int, focus: bool = True) -> None:
        if not self.rows:
            return
        self.current = max(0, min(len(self.rows) - 1, index))
        for i, row in enumerate(self.rows):
            row.set_current(i == self.current)
        if focus:
            self.rows[self.current].setFocus(Qt.FocusReason.OtherFocusReason)
        self._show_anchors()

    def move(self, step: int) -> None:
        self.select(self.current + step)

    def focus_current(self) -> None:
        self.select(self.current)

    def start_recording(self, scores: dict[str, int]) -> None:
        """A recording was opened: the keyboard goes to its first dimension still to score (the
        first dimension when all are scored), never to where the last recording left off, so
        the next digit cannot score the wrong dimension."""
        unscored = [i for i, row in enumerate(self.rows) if row.dimension.id not in scores]
        self.select(unscored[0] if unscored else 0)

    def select_dimension(self, dimension_id: str) -> None:
        self.select(self._index(dimension_id))

    def show_scores(self, scores: dict[str, int], submitted: bool) -> None:
        self._scores, self._submitted = dict(scores), submitted
        for row in self.rows:
            row.show_score(scores.get(row.dimension.id), submitted)
        missing = len(self.rows) - sum(1 for row in self.rows if row.dimension.id in scores)
        if submitted:
            self.state.setText("Submitted and locked. A change is an amendment with a reason.")
        elif missing:
            self.state.setText(f"Draft: {missing} of {len(self.rows)} dimensions still to "
                               "score. Every click is saved.")
        else:
            self.state.setText("Every dimension is scored. Submit with Ctrl+Enter.")
        self._show_anchors()

    def _on_row_chosen(self, dimension_id: str, value: int) -> None:
        self.select(self._index(dimension_id), focus=False)
        self.chosen.emit(dimension_id, value)

    def _on_hovered(self, dimension_id: str, value: int | None) -> None:
        self._hovered = (dimension_id, value) if value is not None else None
        if value is not None:
            self.select(self._index(dimension_id), focus=False)
        else:
            self._show_anchors()

    def _show_anchors(self) -> None:
        dimension = self.dimension
        if dimension is None:
            return
        hovered = self._hovered[1] if self._hovered and self._hovered[0] == dimension.id else None
        self.anchors.show_dimension(dimension, self.codebook.scale.labels,
                                    self._scores.get(dimension.id), hovered)
