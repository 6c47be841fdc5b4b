"""The study window's Raters tab: who is certified (every attempt with its figures per
dimension), giving a rater their next attempt or defining a test, and the drift checks (a
chart per rater, a recalibration pack for one who drifted)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from rater.ui.drift_chart import DriftChart
from rater.ui.tables import new_table
from rater.ui.tasks import run_in_background

STATES = {"not_started": "not started", "in_progress": "attempt in progress",
          "certified": "certified", "can_retry": "failed, may try again",
          "failed": "failed every attempt"}


def dimension_figures(result: dict) -> str:
    """'✓ 92% · 0.81 (0.60–0.93)': within one of gold, ICC(A,1) and its 95% CI, for one
    dimension of a graded attempt."""
    icc = ("ICC n/a" if result["icc"] is None else
           f"{result['icc']:.2f}" + (f" ({result['icc_low']:.2f}–{result['icc_high']:.2f})"
                                     if result["icc_low"] is not None else ""))
    mark = "✓" if result["passed"] else "✗"
    return f"{mark} {result['within_one']:.0%} · {icc}"


class RatersView(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.study: str | None = None
        self.data: dict | None = None
        self._request = 0  # only the newest reload's answer is shown
        self.test_line = QLabel("No study open.")
        self.test_line.setWordWrap(True)
        self.table = new_table(0, 0)
        self.table.setAccessibleName("Certification attempts")
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.define_button = QPushButton("&Define a certification test…")
        self.define_button.clicked.connect(self._define)
        self.rater = QLineEdit()
        self.rater.setPlaceholderText("Rater id (or select a row)")
        self.rater.setAccessibleName("Rater for the next attempt")
        self.rater.returnPressed.connect(self._attempt)
        self.table.currentCellChanged.connect(self._row_chosen)
        self.attempt_button = QPushButton("&Give them their next attempt")
        self.attempt_button.clicked.connect(self._attempt)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.drift_rows = QWidget()
        self.drift_grid = QGridLayout(self.drift_rows)
        self.drift_line = QLabel("")
        self.drift_line.setWordWrap(True)
        self._layout()

    def _layout(self) -> None:
        certification = QGroupBox("Certification against gold")
        box = QVBoxLayout(certification)
        box.addWidget(self.test_line)
        box.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.rater)
        buttons.addWidget(self.attempt_button)
        buttons.addWidget(self.define_button)
        buttons.addStretch(1)
        box.addLayout(buttons)
        drift = QGroupBox("Drift checks: agreement with gold over time")
        drift_box = QVBoxLayout(drift)
        drift_box.addWidget(self.drift_line)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.drift_rows)
        drift_box.addWidget(scroll, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(certification, 3)
        layout.addWidget(drift, 2)
        layout.addWidget(self.status)

    def open_study(self, study: str) -> None:
        self.study = study
        self.reload()

    def reload(self) -> None:
        from rater.services.certification import raters_standing

        self._request += 1
        study, request = self.study, self._request
        run_in_background(lambda: raters_standing(study), lambda data: self._show(data, request),
                          self._failed, owner=self)

    def _failed(self, error: Exception) -> None:
        self.status.setText(str(error))

    # -- showing ---------------------------------------------------------------------------------

    def _show(self, data: dict, request: int) -> None:
        if request != self._request:
            return  # an older answer, overtaken by a newer reload
        self.data = data
        self._show_certification(data["certification"])
        self._show_drift(data["drift"])

    def _show_certification(self, status: dict | None) -> None:
        self.attempt_button.setEnabled(status is not None)
        self.rater.setEnabled(status is not None)
        if status is None:
            self.test_line.setText("No certification test yet. Define one on gold recordings "
                                   "nobody has rated: raters then take it before they rate the "
                                   "study ('study allocate --require-certified' refuses the "
                                   "others).")
            self.table.setRowCount(0)
            return
        limits = status["thresholds"]["*"]
        self.test_line.setText(
            f"Test '{status['test']}': {status['attempts_allowed']} attempt(s), each on "
            f"different recordings. An attempt passes when on every dimension at least "
            f"{limits['within_one']:.0%} of scores are within one point of gold and ICC(A,1) "
            f"against gold reaches {limits['icc']:.2f}. Each cell: ✓ passed or ✗ not; the share "
            "within one point; ICC(A,1) with its 95% CI.")
        dimensions = self._dimensions(status)
        names = self.data["dimensions"]
        self.table.setColumnCount(3 + len(dimensions))
        self.table.setHorizontalHeaderLabels(["Rater", "Status", "Attempt",
                                              *(names.get(d, d) for d in dimensions)])
        rows = [(rater, entry, attempt) for rater, entry in status["raters"].items()
                for attempt in (entry["attempts"] or [None])]
        self.table.setRowCount(len(rows))
        for row, (rater, entry, attempt) in enumerate(rows):
            cells = [rater, STATES[entry["state"]], _attempt_text(attempt)]
            result = (attempt or {}).get("result") or {}
            figures = {d["dimension"]: dimension_figures(d) for d in result.get("dimensions", [])}
            cells += [figures.get(d, "") for d in dimensions]
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()

    @staticmethod
    def _dimensions(status: dict) -> list[str]:
        seen: list[str] = []
        for entry in status["raters"].values():
            for attempt in entry["attempts"]:
                for d in (attempt.get("result") or {}).get("dimensions", []):
                    if d["dimension"] not in seen:
                        seen.append(d["dimension"])
        return seen

    def _show_drift(self, drift: dict) -> None:
        while self.drift_grid.count():
            widget = self.drift_grid.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        raters = drift["raters"]
        self.drift_line.setText(
            f"Gold recordings slipped blind into raters' queues. The line is the share of "
            f"scores within one point of gold over the last {drift['window']} gold items; a "
            f"rater is flagged when it falls below {drift['threshold']:.0%} (dashed)."
            if raters else "No rater has rated a gold insert yet.")
        for row, (rater, entry) in enumerate(raters.items()):
            self.drift_grid.addWidget(QLabel(f"<b>{rater}</b>"), row, 0)
            chart = DriftChart(entry["points"], drift["threshold"])
            chart.setObjectName(f"drift-{rater}")
            self.drift_grid.addWidget(chart, row, 1)
            self.drift_grid.addWidget(self._drift_status(rater, entry), row, 2)
        self.drift_grid.setColumnStretch(1, 1)

    def _drift_status(self, rater: str, entry: dict) -> QWidget:
        holder = QWidget()
        box = QVBoxLayout(holder)
        if not entry["flagged"]:
            box.addWidget(QLabel("within the threshold"))
            return holder
        where = entry["flagged_at"]
        label = QLabel(f"<span style='color:#a12020'><b>flagged</b></span> at {where['code']} "
                       f"(queue position {where['position'] + 1}); missed: "
                       f"{', '.join(entry['missed'])}")
        label.setObjectName(f"flag-{rater}")
        label.setWordWrap(True)
        box.addWidget(label)
        button = QPushButton(f"Recalibration pack for {rater}…")
        button.setObjectName(f"recalibrate-{rater}")
        button.clicked.connect(lambda: self._recalibrate(rater))
        box.addWidget(button)
        return holder

    # -- actions ---------------------------------------------------------------------------------

    def _run(self, work, said) -> None:
        def done(result) -> None:
            self.status.setText(said(result))
            self.reload()

        run_in_background(work, done, self._failed, owner=self)

    def _row_chosen(self, row: int, *_rest) -> None:
        item = self.table.item(row, 0) if row >= 0 else None
        if item is not None:
            self.rater.setText(item.text())

    def _attempt(self) -> None:
        from rater.services.certification import start_attempt

        rater, study = self.rater.text().strip(), self.study
        if not rater:
            self.status.setText("Type the rater's id, or select their row, first.")
            return
        self._run(lambda: start_attempt(study, rater),
                  lambda r: f"{rater}'s attempt {r['attempt']}: {', '.join(r['recordings'])} "
                            "added to the end of their queue. Send them their pack.")

    def _define(self) -> None:
        from rater.services.certification import define_test

        if self.data is None:
            return
        dialog = DefineTestDialog(self.data["gold"], self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        study, chosen = self.study, dialog.values()
        self._run(lambda: define_test(study, chosen.pop("recordings"), **chosen),
                  lambda info: f"Test '{info['name']}' defined: "
                               f"{len(info['recordings'])} attempt(s) of "
                               f"{len(info['recordings'][0])} recordings.")

    def _recalibrate(self, rater: str) -> None:
        from rater.services.recalibration import recalibration_pack

        start = str(Path(self.study).parent) if "://" not in self.study else str(Path.home())
        folder = QFileDialog.getExistingDirectory(self, "Write the recalibration pack to", start)
        if not folder:
            return
        study = self.study
        self._run(lambda: recalibration_pack(study, rater, Path(folder)),
                  lambda r: f"Recalibration for {rater}: {r['pack']} (a workshop of the "
                            f"{len(r['recordings'])} item(s) they missed, with the expert's "
                            "feedback after each).")


def _attempt_text(attempt: dict | None) -> str:
    if attempt is None:
        return "—"
    outcome = {True: "passed", False: "failed", None: "in progress"}[attempt["passed"]]
    return f"{attempt['number']}: {outcome}"


class DefineTestDialog(QDialog):
    """The recordings of a new test (ticked, in order) and its thresholds."""

    def __init__(self, gold: list[str], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Define a certification test")
        self.recordings = QListWidget()
        self.recordings.setAccessibleName("Gold recordings for the test")
        for code in gold:
            item = QListWidgetItem(code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.recordings.addItem(item)
        self.name = QLineEdit("certification")
        self.attempts = QSpinBox()
        self.attempts.setRange(1, 5)
        self.attempts.setValue(2)
        self.within_one = QSpinBox()
        self.within_one.setRange(0, 100)
        self.within_one.setValue(80)
        self.within_one.setSuffix(" %")
        self.icc = QDoubleSpinBox()
        self.icc.setRange(-1.0, 1.0)
        self.icc.setSingleStep(0.05)
        self.icc.setValue(0.7)
        form = QFormLayout(self)
        form.addRow(QLabel("Tick gold recordings nobody has rated yet (at least 3 per attempt; "
                           "they are split in this order, one set per attempt):"))
        form.addRow(self.recordings)
        form.addRow("&Name:", self.name)
        form.addRow("&Attempts:", self.attempts)
        form.addRow("&Within one point of gold, at least:", self.within_one)
        form.addRow("&ICC(A,1) against gold, at least:", self.icc)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def values(self) -> dict:
        ticked = [self.recordings.item(i).text() for i in range(self.recordings.count())
                  if self.recordings.item(i).checkState() == Qt.CheckState.Checked]
        return {"recordings": ticked, "name": self.name.text().strip() or "certification",
                "attempts": self.attempts.value(), "within_one": self.within_one.value() / 100,
                "icc": self.icc.value()}
