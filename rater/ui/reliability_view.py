"""The researcher's reliability dashboard: a verdict per dimension at a glance, the CIs, and
drill-downs into the disagreement list, the raters and every statistic.

The report is computed off the UI thread. A shared study's server tells the view when ratings
arrive; a study file is asked every few seconds whether new ratings arrived (`StudyFollower`);
the view recomputes only then, so it follows a live study without freezing.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from rater.core.reliability.verdict import NAMES
from rater.core.reliability.wording import (
    COLOURS,
    STATES,
    WORDS,
    criterion_words,
    leaning,
    next_step,
    state,
)
from rater.ui.forest_plot import ForestPlot, ForestRow
from rater.ui.study_follower import StudyFollower
from rater.ui.tables import new_table
from rater.ui.tasks import run_in_background


def _interval(stat: dict) -> str:
    if stat["value"] is None:
        return "—"
    ci = f"  [{stat['ci95'][0]:.2f}, {stat['ci95'][1]:.2f}]" if stat["ci95"] else ""
    return f"{stat['value']:.2f}{ci}"


def _item(text: str, tooltip: str = "") -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
    if tooltip:
        item.setToolTip(tooltip)
    return item


def _table(headers: list[str], name: str) -> QTableWidget:
    table = new_table(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setAccessibleName(name)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    table.setWordWrap(True)
    return table


class ReliabilityView(QWidget):
    def __init__(self, follower: StudyFollower | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.study: str | None = None
        self.report: dict | None = None
        self._seen: int | None = None
        self._busy = False
        self.status = QLabel("No study open.")
        self.status.setAccessibleName("Reliability status")
        self.status.setWordWrap(True)
        self.verdicts = _table(["Dimension", "Verdict", "Criterion statistic [95% CI]",
                                "ICC(A,1) [95% CI]", "Recordings"], "Verdict per dimension")
        self.verdicts.setWordWrap(False)
        self.verdicts.itemSelectionChanged.connect(self._show_statistics)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("The verdict in plain words")
        self.summary.setStyleSheet("padding: 6px;")
        self.disagreements = _table(["Recording", "Largest gap", "Gaps"], "Disagreements")
        self.raters = _table(["Rater", "Dimension", "Recordings", "Leaning",
                              "Mean difference from the others [95% CI]"], "Raters' leaning")
        self.statistics = _table(["Statistic", "Value [95% CI]", "Method"], "All statistics")
        details = QTabWidget()
        details.addTab(self.disagreements, "Disagreements")
        details.addTab(self.raters, "Raters")
        details.addTab(self.statistics, "All statistics")
        self.forest = ForestPlot()
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(self.verdicts, 3)
        row.addWidget(self.forest, 2)
        top_layout.addLayout(row)
        top_layout.addWidget(self.summary)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top)
        split.addWidget(details)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(split)
        self._own_follower = follower is None  # a window may share one with its other views
        self.follower = follower or StudyFollower(self)
        self.follower.changed.connect(self._study_changed)
        self._again = False  # a change came while a report was being computed

    def open_study(self, study: str) -> None:
        self.study, self._seen = study, None
        self._check_for_new_ratings()
        if self._own_follower:
            self.follower.follow(study)

    def _study_changed(self) -> None:
        """A shared study's notice (something changed: amendments too) or a study file's poll
        (recompute only if the number of submitted ratings moved)."""
        if self._busy:
            self._again = True
        elif self.follower.live:
            self._seen = None
            self._check_for_new_ratings()
        else:
            self._check_for_new_ratings()

    def _finished(self) -> None:
        self._busy = False
        if self._again:
            self._again = False
            self._study_changed()

    def _check_for_new_ratings(self) -> None:
        from rater.services.study import study_info

        if self.study and not self._busy:
            self._busy = True  # one question or report at a time; changes meanwhile: _again
            study = self.study
            run_in_background(lambda: study_info(study)["ratings"]["submitted"],
                              self._maybe_recompute, self._failed, owner=self)

    def _maybe_recompute(self, submitted: int) -> None:
        if submitted == self._seen:
            self._finished()
            return
        self._seen = submitted
        if submitted == 0:
            self.status.setText("No submitted ratings yet: the report appears as they arrive.")
            self._finished()
            return
        from rater.services.reliability import study_reliability

        self.status.setText(f"Computing reliability over {submitted} scores…")
        study = self.study
        run_in_background(lambda: study_reliability(study), self.show_report, self._failed,
                          owner=self)

    def _failed(self, error: Exception) -> None:
        self.status.setText(f"The report could not be computed: {error}")
        self._finished()

    def show_report(self, report: dict) -> None:
        self.report = report
        self.status.setText(f"Criterion: {criterion_words(report['criterion'])}. 95% "
                            f"confidence intervals; {report['bootstrap']['resamples']} "
                            "bootstrap resamples.")
        self._fill_verdicts(report["dimensions"])
        self._fill_forest(report)
        self._fill_disagreements(report.get("disagreements", []))
        self._fill_raters(report["dimensions"])
        if self.verdicts.rowCount():
            self.verdicts.selectRow(0)
        self._finished()

    def _name(self, dimension: str) -> str:
        return (self.report or {}).get("dimension_names", {}).get(dimension, dimension)

    def _fill_verdicts(self, dimensions: dict) -> None:
        self.verdicts.setRowCount(len(dimensions))
        first = next(iter(dimensions.values()), None)
        if first is not None:
            self.verdicts.setHorizontalHeaderItem(2, QTableWidgetItem(
                f"{NAMES[first['criterion']['statistic']]} [95% CI]"))
        for row, (dimension, result) in enumerate(dimensions.items()):
            verdict = result["criterion"]
            now = state(verdict)
            badge = _item(WORDS[now], STATES[now])
            badge.setForeground(QColor(COLOURS[now]))
            stat = result["statistics"][verdict["statistic"]]
            icc = result["statistics"]["icc_a1"]
            warnings = [w["text"] for w in result.get("warnings", [])]
            icc_text = _interval(icc) + (f"  ⚠ {icc['n_units']} recordings" if warnings else "")
            name = _item(self._name(dimension))
            name.setData(Qt.ItemDataRole.UserRole, dimension)
            cells = [name, badge, _item(_interval(stat), stat["method"]),
                     _item(icc_text, "\n\n".join(warnings + [icc["method"]])),
                     _item(str(result["n_units"]))]
            for column, cell in enumerate(cells):
                self.verdicts.setItem(row, column, cell)

    def _fill_forest(self, report: dict) -> None:
        rows = []
        for dimension, result in report["dimensions"].items():
            verdict = result["criterion"]
            ci = verdict["ci95"] or [None, None]
            rows.append(ForestRow(self._name(dimension), verdict["value"], ci[0], ci[1],
                                  state(verdict)))
        first = next(iter(report["dimensions"].values()), None)
        if first is not None:
            verdict = first["criterion"]
            self.forest.set_rows(rows, verdict["threshold"],
                                 f"{NAMES[verdict['statistic']]}, 95% CI; dashed: the "
                                 "threshold")

    def _fill_disagreements(self, items: list[dict]) -> None:
        self.disagreements.setRowCount(len(items))
        for row, item in enumerate(items):
            order = list((self.report or {}).get("dimension_names", {})) or list(item["gaps"])
            gaps = ", ".join(f"{self._name(d)} {item['gaps'][d]}" for d in
                             sorted(item["gaps"], key=lambda d: order.index(d)
                                    if d in order else len(order)))
            for column, text in enumerate((item["unit"], str(item["largest_gap"]), gaps)):
                self.disagreements.setItem(row, column, _item(text))

    def _fill_raters(self, dimensions: dict) -> None:
        rows = [(r["rater"], name, r) for name, result in dimensions.items()
                for r in result["raters"]]
        self.raters.setRowCount(len(rows))
        for row, (rater, dimension, entry) in enumerate(rows):
            leniency = entry["leniency"]
            cells = (rater, self._name(dimension), str(entry["n_units"]), leaning(leniency),
                     _interval(leniency))
            for column, text in enumerate(cells):
                self.raters.setItem(row, column, _item(text, leniency["method"]))

    def _show_statistics(self) -> None:
        rows = self.verdicts.selectionModel().selectedRows()
        if not self.report or not rows:
            return
        dimension = self.verdicts.item(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole)
        result = self.report["dimensions"][dimension]
        warnings = "".join(f"<br><b>⚠ {html.escape(w['text'], quote=False)}</b>"
                           for w in result.get("warnings", []))
        verdict = result["criterion"]
        now = state(verdict)
        self.summary.setText(
            f"<b>{html.escape(self._name(dimension))}</b> "
            f"<span style='color:{COLOURS[now]}'><b>{WORDS[now]}</b></span>. "
            f"{html.escape(verdict['summary'], quote=False)} "
            f"{next_step(verdict, result['n_units'])}"
            f"{warnings}")
        statistics = result["statistics"]
        self.statistics.setRowCount(len(statistics))
        for row, (key, stat) in enumerate(statistics.items()):
            note = f" — {stat['note']}" if stat["note"] else ""
            for column, text in enumerate((key, _interval(stat), stat["method"] + note)):
                self.statistics.setItem(row, column, _item(text))
