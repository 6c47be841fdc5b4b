"""Launching the app as a newcomer and as a returning user: `python -m rater` in a real
process (offscreen), looked at from inside by a timer, as `./run` would start it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

DRIVER = r"""
import json, sys
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication
from rater.ui.app import LAUNCHED_KEY, run_app
from rater.ui.first_launch import FirstLaunchWindow
from rater.ui.study_window import StudyWindow
from rater.ui.welcome import WelcomeWindow, recent_files
from rater.ui.workstation import WorkstationWindow

app = QApplication(sys.argv[:1])
app.setOrganizationName("Rater")
app.setApplicationName("rater")
role = sys.argv[1]
QSettings().setValue(LAUNCHED_KEY, role == "again")
seen = {"steps": []}

def look():
    for w in QApplication.topLevelWidgets():
        if isinstance(w, FirstLaunchWindow) and w.isVisible():
            if "asked" not in seen:
                seen["asked"] = [b.text() for b in w.buttons.values()]
                w.buttons[role].click()
            if w.progress.isVisible() and w.step.text() not in seen["steps"]:
                seen["steps"].append(w.step.text())
        if isinstance(w, StudyWindow) and w.isVisible():
            seen["study_window"] = True
            if w.building.isVisible() and w.status.text() not in seen["steps"]:
                seen["steps"].append(w.status.text())
        if isinstance(w, WorkstationWindow) and w.isVisible() and w.session.entry is not None:
            seen["workstation"] = w.windowTitle()
        if isinstance(w, WelcomeWindow) and w.isVisible():
            seen["welcome"] = True
        if isinstance(w, StudyWindow) and w.windowTitle().startswith("Demo") \
                and w.reliability.verdicts.rowCount() and w.analysis.comparison.rowCount() \
                and "recordings" not in seen:
            seen.update(recordings=w.values["recordings"].text(), banner=w.banner.text(),
                        verdicts=w.reliability.verdicts.rowCount(),
                        comparison=w.analysis.comparison.rowCount(),
                        figure=not w.analysis.figure.pixmap().isNull())
            w.rate_button.click()  # the demo's pack, in the workstation
    seen["recent"] = [p.rsplit("/", 1)[-1] for p in recent_files()]
    if seen.get("welcome") or len(seen["recent"]) == 2 or (
            role == "rater" and "workstation" in seen):
        QApplication.quit()
    else:
        QTimer.singleShot(250, look)

QTimer.singleShot(250, look)
QTimer.singleShot(120_000, QApplication.quit)
run_app([])
print(json.dumps(seen))
"""


def _launch(tmp_path, which: str) -> dict:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        env[var] = str(tmp_path / var.lower())
    result = subprocess.run([sys.executable, "-c", DRIVER, which], env=env,
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_first_launch_opens_the_demo_with_verdicts_and_a_comparison(tmp_path):
    """What a newcomer sees after `./run`: the demo study is built and opened; its
    reliability verdicts and group comparison fill in."""
    seen = _launch(tmp_path, "researcher")
    assert seen["asked"] == ["I &rate recordings", "I run a &study", "I run &workshops"]
    assert seen.get("recordings") == "33 (33 blinded)", seen
    assert "demo study" in seen["banner"]
    assert seen["verdicts"] == 4 and seen["comparison"] == 4 and seen["figure"]
    assert seen["steps"] and all(s.startswith("Building the demo study, the first time only")
                                 for s in seen["steps"])  # item 10: real progress
    # issue 14, item 7: the demo study and its pack are in the recent files once opened
    assert seen["recent"] == ["You.raterpack", "demo.rater"]


def test_later_launches_show_the_welcome_screen(tmp_path):
    assert _launch(tmp_path, "again") == {"welcome": True, "recent": [], "steps": []}


def test_a_rater_starting_rater_gets_the_demo_pack_and_never_the_study(tmp_path):
    """Issue 14, item 11: the researcher's demo names both authorities and shows one scoring
    higher; a blinded rater's first launch must not show it. Item 10: the build shows its
    steps with a progress bar."""
    seen = _launch(tmp_path, "rater")
    assert seen["workstation"].startswith("You · ")  # the demo pack's rater
    assert "study_window" not in seen
    assert seen["steps"] and all(s.startswith("Preparing the demo, the first time only: ")
                                 for s in seen["steps"])
