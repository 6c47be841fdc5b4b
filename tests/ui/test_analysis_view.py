"""The analysis view, driven as a researcher would: unblind, compare, adjudicate, export."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyreadstat
import pytest

from rater.services.importing import import_recordings
from rater.services.ratings_import import import_ratings
from rater.services.study import init_study, study_info
from rater.ui.analysis_view import AnalysisView

SAMPLES = Path(__file__).resolve().parents[2] / "audio_samples"


@pytest.fixture
def view(qtbot, tmp_path):
    study = str(tmp_path / "past.rater")
    init_study(study)
    import_recordings(study, SAMPLES, SAMPLES / "manifest.csv")
    import_ratings(study, SAMPLES / "example_ratings.csv")
    widget = AnalysisView()
    qtbot.addWidget(widget)
    widget.open_study(study, study_info(study))
    return widget


def test_blind_study_refuses_to_compare_by_a_hidden_field_then_unblinds(view, qtbot,
                                                                         monkeypatch):
    assert "Blinded" in view.blinding.text() and view.unblind_button.isEnabled()
    view.field.setCurrentIndex(view.field.findData("la"))
    view._compare()
    assert "unblind" in view.comparison_note.text()
    monkeypatch.setattr("rater.ui.analysis_view.QInputDialog.getText",
                        lambda *a, **k: ("all ratings in", True))
    view.unblind_button.click()
    qtbot.waitUntil(lambda: view.comparison.rowCount() == 4, timeout=30_000)
    assert "Unblinded" in view.blinding.text() and not view.unblind_button.isEnabled()
    assert view.comparison.horizontalHeaderItem(0).text() == "Dimension"
    assert not view.figure.pixmap().isNull()


def test_consensus_is_recorded_from_the_queue(view, qtbot):
    view.threshold.setValue(1)
    qtbot.waitUntil(lambda: view.consensus.rowCount() > 0, timeout=10_000)
    before = view.consensus.rowCount()
    view.consensus.cellDoubleClicked.emit(0, 0)
    qtbot.waitUntil(lambda: view.adjudication is not None, timeout=10_000)
    dialog = view.adjudication
    assert not dialog.play.isEnabled()  # imported ratings: no blinded copy to play
    dialog.levels.button(3).setChecked(True)
    dialog.reason.setText("agreed at the meeting")
    dialog.record.click()
    qtbot.waitUntil(lambda: view.consensus.item(0, 4) is not None
                    and view.consensus.item(0, 4).text().startswith("3:"), timeout=10_000)
    assert view.consensus.rowCount() == before


def test_export_writes_a_file_spss_reads(view, qtbot, monkeypatch, tmp_path):
    """Issue 14, item 8: 'demo' typed with SPSS chosen is demo.sav, and the dialog starts
    beside the study (it started in the program's working directory)."""
    asked, shown = [], []

    def save_as(_parent, _title, start, _filters):
        asked.append(start)
        return str(tmp_path / "out"), "SPSS (*.sav)"

    monkeypatch.setattr("rater.ui.analysis_view.QFileDialog.getSaveFileName", save_as)
    monkeypatch.setattr("rater.ui.analysis_view.QMessageBox.information",
                        lambda *a, **k: shown.append(a[2]))
    view.export_button.click()
    qtbot.waitUntil(lambda: bool(shown), timeout=30_000)
    assert asked == [str(Path(view.study).parent)]
    assert not (tmp_path / "out").exists()
    frame, meta = pyreadstat.read_sav(str(tmp_path / "out.sav"))
    assert len(frame) == 8 and isinstance(frame, pd.DataFrame)
    assert "la" not in frame.columns  # still blind: hidden fields stay out


def test_notes_can_be_exported_from_the_app(view, qtbot, monkeypatch, tmp_path):
    shown = []
    monkeypatch.setattr("rater.ui.analysis_view.QFileDialog.getSaveFileName",
                        lambda *a: (str(tmp_path / "notes"), "CSV, the raters' notes (*.csv)"))
    monkeypatch.setattr("rater.ui.analysis_view.QMessageBox.information",
                        lambda *a, **k: shown.append(a[2]))
    view.export_button.click()
    qtbot.waitUntil(lambda: bool(shown), timeout=30_000)
    notes = pd.read_csv(tmp_path / "notes.csv")
    assert {"rater", "time_s", "text"} <= set(notes.columns)


def test_the_comparison_fits_a_1280_by_720_window(qtbot, tmp_path, monkeypatch):
    """Issue 14, item 4: at the default size the table showed one row of four, the note was cut
    and the empty consensus table took half the height; the table scrolled sideways."""
    from rater.ui.study_window import StudyWindow

    study = str(tmp_path / "past.rater")
    init_study(study)
    import_recordings(study, SAMPLES, SAMPLES / "manifest.csv")
    import_ratings(study, SAMPLES / "example_ratings.csv")
    window = StudyWindow()
    qtbot.addWidget(window)
    window.resize(1280, 720)
    window.show()
    window.open_study(study)
    window.tabs.setCurrentWidget(window.analysis)
    view = window.analysis
    qtbot.waitUntil(lambda: view.study is not None and view.field.count() > 0, timeout=10_000)
    monkeypatch.setattr("rater.ui.analysis_view.QInputDialog.getText",
                        lambda *a, **k: ("all ratings in", True))
    view.unblind_button.click()
    qtbot.waitUntil(lambda: view.comparison.rowCount() == 4 and bool(
        view.comparison_note.text()), timeout=30_000)
    qtbot.wait(50)
    table = view.comparison
    for row in range(table.rowCount()):
        rect = table.visualItemRect(table.item(row, 0))
        assert rect.top() >= 0 and rect.bottom() <= table.viewport().height(), row
    assert not table.horizontalScrollBar().isVisible()
    note = view.comparison_note
    assert note.height() >= note.heightForWidth(note.width())  # the whole note is shown
    assert view.parts.tabText(1).startswith("Co&nsensus queue (")
