"""The study window's Raters tab (issue 12): a test defined in the app, attempts given from
it, planted raters (passes; fails then passes; fails twice) shown with their figures, and the
drift chart flagging a rater whose accuracy falls, with a recalibration pack from there."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog, QLabel

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "services"))
from test_certification import rate, research_study  # noqa: E402

from rater.services import rating  # noqa: E402
from rater.services.allocating import allocate_study  # noqa: E402
from rater.services.certification import define_test, start_attempt  # noqa: E402
from rater.ui.drift_chart import DriftChart  # noqa: E402
from rater.ui.raters_view import DefineTestDialog, RatersView  # noqa: E402


@pytest.fixture
def view(qtbot):
    widget = RatersView()
    qtbot.addWidget(widget)
    widget.resize(1280, 720)
    widget.show()
    return widget


def _rows(view) -> list[list[str]]:
    return [[view.table.item(r, c).text() for c in range(view.table.columnCount())]
            for r in range(view.table.rowCount())]


def _tick_all(dialog: DefineTestDialog) -> int:
    from PySide6.QtCore import Qt

    for i in range(dialog.recordings.count()):
        dialog.recordings.item(i).setCheckState(Qt.CheckState.Checked)
    dialog.name.setText("autumn")
    return QDialog.DialogCode.Accepted


def test_certification_in_the_app(view, qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("RATER_BLIND_DIR", str(tmp_path / "blind"))
    study = str(tmp_path / "study.rater")
    codes = research_study(tmp_path, study)
    view.open_study(study)
    qtbot.waitUntil(lambda: view.data is not None, timeout=20_000)
    assert "No certification test yet" in view.test_line.text()
    assert not view.attempt_button.isEnabled()

    monkeypatch.setattr(DefineTestDialog, "exec", _tick_all)
    view.define_button.click()
    qtbot.waitUntil(lambda: "Test 'autumn' defined: 2 attempt(s) of 6" in view.status.text(),
                    timeout=20_000)
    qtbot.waitUntil(lambda: view.attempt_button.isEnabled(), timeout=20_000)
    assert "at least 80% of scores are within one point" in view.test_line.text()

    plan = {"PASS": [True], "RETRY": [False, True], "FAIL": [False, False]}
    for rater, outcomes in plan.items():
        for number, good in enumerate(outcomes, start=1):
            view.rater.setText(rater)
            view.attempt_button.click()
            qtbot.waitUntil(lambda r=rater, n=number: f"{r}'s attempt {n}:" in
                            view.status.text(), timeout=20_000)
            rate(study, rater, codes[6 * (number - 1):6 * number], good)
    view.reload()
    qtbot.waitUntil(lambda: len(_rows(view)) == 5 and _rows(view)[1][2] == "2: failed",
                    timeout=20_000)
    rows = _rows(view)
    assert view.table.horizontalHeaderItem(3).text() == "Warmth"
    assert [r[:3] for r in rows] == [
        ["FAIL", "failed every attempt", "1: failed"],
        ["FAIL", "failed every attempt", "2: failed"],
        ["PASS", "certified", "1: passed"],
        ["RETRY", "certified", "1: failed"],
        ["RETRY", "certified", "2: passed"]]
    assert rows[2][3].startswith("✓ 100% · 0.")
    assert rows[0][3].startswith("✗ ")

    view.table.selectRow(2)  # PASS: already certified, a clear refusal
    assert view.rater.text() == "PASS"
    view.attempt_button.click()
    qtbot.waitUntil(lambda: "PASS is already certified" in view.status.text(), timeout=20_000)


def test_the_drift_chart_flags_a_falling_rater(view, qtbot, tmp_path, monkeypatch):
    """D's gold scores fall apart after their twentieth study item; S stays accurate."""
    monkeypatch.setenv("RATER_BLIND_DIR", str(tmp_path / "blind"))
    study = str(tmp_path / "study.rater")
    codes = research_study(tmp_path, study, gold=6, extra_gold=15, study_items=40)
    define_test(study, codes[:6])
    for rater in ("D", "S"):
        start_attempt(study, rater)
        rate(study, rater, codes[:3], True)
    allocate_study(study, ["D", "S"], double=1.0, seed=4, gold_rate=0.25)
    for rater in ("D", "S"):
        seen = 0
        for entry in rating.rater_queue(study, rater):
            if entry.code in codes[6:]:
                rate(study, rater, [entry.code], good=rater == "S" or seen < 20)
            elif entry.code not in codes:
                seen += 1
    view.open_study(study)
    qtbot.waitUntil(lambda: view.findChild(DriftChart, "drift-D") is not None, timeout=20_000)
    drifted, steady = view.findChild(DriftChart, "drift-D"), view.findChild(DriftChart, "drift-S")
    assert any(flagged for _v, flagged in drifted.values)
    assert not any(flagged for _v, flagged in steady.values)
    assert "flagged" in view.findChild(QLabel, "flag-D").text()
    assert view.findChild(QLabel, "flag-S") is None
    drifted.grab()  # paints without error

    monkeypatch.setattr("rater.ui.raters_view.QFileDialog.getExistingDirectory",
                        lambda *_a: str(tmp_path / "recal"))
    (tmp_path / "recal").mkdir()
    from PySide6.QtWidgets import QPushButton

    view.findChild(QPushButton, "recalibrate-D").click()
    qtbot.waitUntil(lambda: "Recalibration for D:" in view.status.text(), timeout=60_000)
    assert (tmp_path / "recal" / "recalibration-D.rater").is_file()
