"""The researcher's analysis view: consensus queue, unblinding, group comparison, exports.

Every service call runs off the UI thread; the view shows what is happening meanwhile.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from rater.ui.tables import new_table
from rater.ui.tasks import run_in_background

SCORES = (("primary", "the primary rater's score"), ("mean", "the mean of the raters"),
          ("consensus", "consensus where it exists"))
CONSENSUS_TAB = "Co&nsensus queue{}"
FORMATS = (("csv-long", "CSV, one row per rating (*.csv)"),
           ("csv-wide", "CSV, one row per recording (*.csv)"),
           ("csv-notes", "CSV, the raters' notes (*.csv)"),
           ("xlsx", "Excel workbook (*.xlsx)"), ("sav", "SPSS (*.sav)"),
           ("dta", "Stata (*.dta)"), ("parquet", "Parquet (*.parquet)"))


class ScaledImage(QLabel):
    """An image that always fits its label's width (the layout, not the image, sets the size)."""

    def __init__(self, text: str):
        super().__init__(text)
        self._original: QPixmap | None = None
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)

    def set_image(self, pixmap: QPixmap) -> None:
        self._original = pixmap
        self._fit()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        if self._original is not None and not self._original.isNull():
            self.setPixmap(self._original.scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio,
                                                 Qt.TransformationMode.SmoothTransformation))


def _beside(study: str) -> Path:
    """Where an export dialog starts: beside a study file, else in Documents."""
    if "://" not in study:
        return Path(study).parent
    return Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation))


def with_suffix(path: Path, chosen_filter: str) -> Path:
    """'demo' typed with 'SPSS (*.sav)' chosen is demo.sav (the dialog does not add it on
    every platform); a name that already ends in the format's suffix is kept."""
    suffix = chosen_filter[chosen_filter.rindex("*") + 1:].rstrip(")")
    return path if path.suffix.lower() == suffix else path.with_name(path.name + suffix)


def _cell(text: str) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
    return item


class AnalysisView(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.study: str | None = None
        self.fields: dict[str, bool] = {}
        self.unblinded = False
        self._consensus_request = 0
        self.adjudication = None  # the consensus dialog last opened
        self._comparison_png = Path(tempfile.mkdtemp(prefix="rater-")) / "comparison.png"
        # Comparison and consensus each get the whole height (at 1280×720 they did not fit one
        # above the other: the table showed one row of four, the note was cut).
        self.parts = QTabWidget()
        self.parts.addTab(self._comparison_box(), "Group &comparison")
        self.parts.addTab(self._consensus_box(), CONSENSUS_TAB.format(""))
        layout = QVBoxLayout(self)
        layout.addWidget(self._blinding_box())
        layout.addWidget(self.parts, stretch=1)

    # -- building ----------------------------------------------------------------------------

    def _blinding_box(self) -> QGroupBox:
        box = QGroupBox("Blinding")
        self.blinding = QLabel("—")
        self.blinding.setAccessibleName("Blinding status")
        self.blinding.setWordWrap(True)
        self.unblind_button = QPushButton("Unblind…")
        self.unblind_button.setAccessibleName("Unblind the study")
        self.unblind_button.clicked.connect(self._unblind)
        self.export_button = QPushButton("Export…")
        self.export_button.setAccessibleName("Export the data")
        self.export_button.clicked.connect(self._export)
        row = QHBoxLayout(box)
        row.addWidget(self.blinding, stretch=1)
        row.addWidget(self.unblind_button)
        row.addWidget(self.export_button)
        return box

    def _comparison_box(self) -> QWidget:
        box = QWidget()
        self.field = QComboBox()
        self.field.setAccessibleName("Compare groups of")
        self.score = QComboBox()
        self.score.setAccessibleName("Score analysed")
        for key, text in SCORES:
            self.score.addItem(text, key)
        self.compare_button = QPushButton("Compare")
        self.compare_button.setAccessibleName("Compare the groups")
        self.compare_button.clicked.connect(self._compare)
        controls = QHBoxLayout()
        for text, combo in (("&Groups of:", self.field), ("&Score analysed:", self.score)):
            label = QLabel(text)
            label.setBuddy(combo)
            controls.addWidget(label)
            controls.addWidget(combo, 1)
        controls.addWidget(self.compare_button)
        self.comparison = new_table(0, 0)
        self.comparison.setAccessibleName("Comparison table")
        self.comparison.verticalHeader().setVisible(False)
        self.comparison.setSizeAdjustPolicy(QTableWidget.SizeAdjustPolicy.AdjustToContents)
        self.comparison.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.figure = ScaledImage("The figure appears here after a comparison.")
        self.figure.setAccessibleName("Comparison figure")
        self.figure.setMinimumSize(320, 200)
        self.comparison_note = QLabel()
        self.comparison_note.setWordWrap(True)
        self.comparison_note.setAlignment(Qt.AlignmentFlag.AlignTop)
        below = QHBoxLayout()
        below.addWidget(self.figure, stretch=3)
        below.addWidget(self.comparison_note, stretch=2)
        layout = QVBoxLayout(box)
        layout.addLayout(controls)
        layout.addWidget(self.comparison)
        layout.addLayout(below, stretch=1)
        return box

    def _consensus_box(self) -> QWidget:
        box = QWidget()
        self.threshold = QSpinBox()
        self.threshold.setRange(1, 10)
        self.threshold.setValue(2)
        self.threshold.setAccessibleName("Smallest difference to adjudicate")
        self.threshold.valueChanged.connect(self._load_consensus)
        self.consensus = new_table(0, 5)
        self.consensus.setHorizontalHeaderLabels(["Recording", "Dimension", "Primary",
                                                  "Second", "Consensus"])
        self.consensus.setAccessibleName("Disagreements to adjudicate")
        self.consensus.verticalHeader().setVisible(False)
        self.consensus.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.consensus.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.consensus.cellDoubleClicked.connect(self._set_consensus)
        hint = QLabel("Double-click a row to record the agreed score and the reason. The "
                      "independent ratings never change; reliability always uses them.")
        hint.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(QLabel("Scores at least this far apart:"))
        top.addWidget(self.threshold)
        top.addStretch()
        layout = QVBoxLayout(box)
        layout.addLayout(top)
        layout.addWidget(self.consensus)
        layout.addWidget(hint)
        return box

    # -- loading -----------------------------------------------------------------------------

    def open_study(self, study: str, info: dict) -> None:
        """Called with `rater.services.study.study_info` once the study is open."""
        self.study = study
        self.fields = {f["name"]: f["hidden"] for f in info["metadata_fields"]}
        self.unblinded = bool(info.get("unblinded"))
        self.field.clear()
        for name, hidden in self.fields.items():
            self.field.addItem(f"{name} (hidden)" if hidden and not self.unblinded else name,
                               name)
        self._show_blinding()
        self._load_consensus()
        if self.unblinded and self.field.count():
            self._compare()

    def _show_blinding(self) -> None:
        if self.unblinded:
            self.blinding.setText("Unblinded: hidden fields join the analysis and exports. "
                                  "The unblinding is recorded in the audit trail.")
        else:
            self.blinding.setText("Blinded: analysis and exports show blind codes only. "
                                  "Unblind when every rating is in (it is recorded, with your "
                                  "reason, and cannot be undone).")
        self.unblind_button.setEnabled(not self.unblinded)

    def _load_consensus(self) -> None:
        """Reload the queue; only the newest request's answer is shown (answers to earlier
        thresholds may arrive later and must not overwrite it)."""
        from rater.services.analysis import consensus_list

        if self.study:
            self._consensus_request += 1
            request, study, threshold = self._consensus_request, self.study, self.threshold.value()
            run_in_background(lambda: consensus_list(study, threshold),
                              lambda items: self._show_consensus(items, request),
                              lambda _error: self.consensus.setRowCount(0), owner=self)

    def _show_consensus(self, items: list[dict], request: int) -> None:
        if request != self._consensus_request:
            return
        self.consensus.setRowCount(len(items))
        self.parts.setTabText(1, CONSENSUS_TAB.format(f" ({len(items)})"))
        for row, item in enumerate(items):
            agreed = item["consensus"]
            cells = (item["recording"], item["dimension"],
                     f"{item['primary']['score']} ({item['primary']['rater']})",
                     f"{item['second']['score']} ({item['second']['rater']})",
                     f"{agreed['score']}: {agreed['reason']}" if agreed else "—")
            for column, text in enumerate(cells):
                self.consensus.setItem(row, column, _cell(text))

    # -- actions -----------------------------------------------------------------------------

    def _compare(self) -> None:
        from rater.services.analysis import compare
        from rater.services.figures import plot_comparison

        by, score = self.field.currentData(), self.score.currentData()
        if not self.study or by is None:
            return
        if self.fields.get(by) and not self.unblinded:
            self.comparison_note.setText(f"'{by}' is hidden: unblind the study to compare by it.")
            return
        study, png = self.study, self._comparison_png
        self.compare_button.setEnabled(False)
        self.comparison_note.setText("Comparing…")

        def work():
            result = compare(study, by, score)
            plot_comparison(result, png)
            return result

        run_in_background(work, self._show_comparison, self._comparison_failed, owner=self)

    def _comparison_failed(self, error: Exception) -> None:
        self.compare_button.setEnabled(True)
        self.comparison_note.setText(str(error))

    def _show_comparison(self, result: dict) -> None:
        self.compare_button.setEnabled(True)
        header, *body = result["table"]
        self.comparison.setColumnCount(len(header))
        self.comparison.setHorizontalHeaderLabels(header)
        self.comparison.setRowCount(len(body))
        for r, cells in enumerate(body):
            for c, text in enumerate(cells):
                self.comparison.setItem(r, c, _cell(text))
        self.comparison.resizeColumnsToContents()
        self.comparison.resizeRowsToContents()
        self.comparison_note.setText(f"Score analysed: {result['score_method']}. "
                                     f"{result['multiple_comparisons']}")
        self.figure.set_image(QPixmap(str(self._comparison_png)))

    def _unblind(self) -> None:
        from rater.services.analysis import unblind_study

        reason, ok = QInputDialog.getText(
            self, "Unblind the study", "Unblinding joins the hidden fields to the analysis and "
            "exports. It is recorded with your name and reason, and cannot be undone.\n\n"
            "Reason:")
        if not ok or not reason.strip() or not self.study:
            return
        study = self.study
        run_in_background(lambda: unblind_study(study, reason.strip()), self._unblinded,
                          lambda error: QMessageBox.warning(self, "Rater", str(error)), owner=self)

    def _unblinded(self, _result: dict) -> None:
        self.unblinded = True
        self._show_blinding()
        for i in range(self.field.count()):
            self.field.setItemText(i, self.field.itemData(i))
        self._compare()

    def _set_consensus(self, row: int, _column: int) -> None:
        """Open the adjudication of one disagreement (its material is read off the UI
        thread); record what the adjudicator chose."""
        from rater.services.analysis import consensus_case

        code = self.consensus.item(row, 0).text()
        dimension = self.consensus.item(row, 1).text()
        study = self.study
        run_in_background(lambda: consensus_case(study, code, dimension), self._adjudicate,
                          lambda error: QMessageBox.warning(self, "Rater", str(error)), owner=self)

    def _adjudicate(self, case) -> None:
        from rater.services.analysis import set_consensus
        from rater.ui.consensus_dialog import ConsensusDialog

        dialog = ConsensusDialog(case, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.adjudication = dialog
        study, code, dimension = self.study, case.code, case.dimension.id

        def chosen() -> None:
            score, reason = dialog.score(), dialog.reason_text()
            run_in_background(lambda: set_consensus(study, code, dimension, score, reason),
                              lambda _r: self._load_consensus(),
                              lambda error: QMessageBox.warning(self, "Rater", str(error)),
                              owner=self)

        dialog.accepted.connect(chosen)
        dialog.open()

    def _export(self) -> None:
        from rater.services.export import export_study

        if not self.study:
            return
        filters = ";;".join(text for _key, text in FORMATS)
        path, chosen = QFileDialog.getSaveFileName(self, "Export the data",
                                                   str(_beside(self.study)), filters)
        if not path:
            return
        fmt = next(key for key, text in FORMATS if text == chosen)
        path = str(with_suffix(Path(path), chosen))
        progress = QProgressDialog("Exporting…", "", 0, 0, self)
        progress.setCancelButton(None)
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.show()
        study, score = self.study, self.score.currentData()

        def done(_result) -> None:
            progress.close()
            QMessageBox.information(self, "Rater", f"Exported to {path}, with a data "
                                    "dictionary beside it.")

        def failed(error: Exception) -> None:
            progress.close()
            QMessageBox.warning(self, "Rater", str(error))

        run_in_background(lambda: export_study(study, fmt, Path(path), score), done, failed,
                          owner=self)
