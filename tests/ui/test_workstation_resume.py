"""Nothing lost: the workstation resumes where the rater left off (recording, position, draft
scores, notes, the half-typed note) after closing, and after kill -9 of a real process in the
middle of listening and typing.

Run as a script, this module is the process that gets killed (see ``drive``).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

if __name__ != "__main__":
    import pytest
    import test_workstation_helpers as helpers
    from PySide6.QtCore import Qt
    from test_workstation_helpers import (
        make_window,
        press,
        saved,
        type_text,
        wait_playable,
    )

    from rater.services import rating
    from rater.services.packs import unpack_for_rating
    from rater.services.workspace import default_workspace

    K = Qt.Key
    built = helpers.built  # the module's study and pack (a fixture)


def _reopened(qtbot, location):
    window = make_window(qtbot, location)
    qtbot.waitUntil(lambda: window.listening.code == window.session.code, timeout=5000)
    return window


def test_closing_and_reopening_resumes_everything(qtbot, built):
    window = make_window(qtbot, str(built.pack))
    wait_playable(qtbot, window)
    second = window.work.queue.model.entries[1].code
    press(qtbot, window, K.Key_PageDown)
    qtbot.waitUntil(lambda: window.listening.code == second and window.listening.playable,
                    timeout=5000)
    press(qtbot, window, K.Key_Space)
    qtbot.waitUntil(lambda: window.adapter.position() > 1.2, timeout=5000)
    press(qtbot, window, K.Key_Space)
    qtbot.wait(400)  # what is already in the output buffer still plays (and counts)
    where = window.adapter.position()
    for key in (K.Key_2, K.Key_Down, K.Key_4):
        press(qtbot, window, key)
    press(qtbot, window, K.Key_N, Qt.KeyboardModifier.ShiftModifier)  # tagged: empathy
    type_text(qtbot, "reflects feelings")
    press(qtbot, window, K.Key_Return)
    press(qtbot, window, K.Key_N)
    type_text(qtbot, "half a tho")
    qtbot.waitUntil(lambda: window.notes.drafts.get(second) is not None and saved(window),
                    timeout=3000)
    window.close()

    again = _reopened(qtbot, str(built.pack))
    assert again.session.code == second
    assert again.session.entry.scores == {"warmth": 2, "empathy": 4}
    assert [(n[2], n[3]) for n in again.session.notes] == [("reflects feelings", "empathy")]
    assert again.work.notes.field.text() == "half a tho"
    assert again.listening.position() == pytest.approx(where, abs=0.1)
    assert again.work.scoring.rows[0].value.text() == "2 · low"
    assert "in progress (2/4)" in again.work.queue.model.data(
        again.work.queue.model.index(1, 2))
    heard = rating.heard_spans(again.session.study, second)
    assert sum(b - a for a, b, _v in heard) == pytest.approx(where, abs=0.3)
    wait_playable(qtbot, again)
    qtbot.waitUntil(lambda: again.adapter.position() == pytest.approx(where, abs=0.1))
    again.close()


def test_every_recording_opens_where_it_was_left(qtbot, tmp_path):
    """Not only the last one open: each recording resumes at its own saved place."""
    fresh = helpers.build_study(tmp_path)
    window = make_window(qtbot, str(fresh.pack))
    wait_playable(qtbot, window)
    first, second, third = (e.code for e in window.work.queue.model.entries[:3])
    assert window.session.code == first
    window.seek(2.5)
    press(qtbot, window, K.Key_PageDown)
    qtbot.waitUntil(lambda: window.listening.code == second and window.listening.playable,
                    timeout=5000)
    assert window.adapter.position() == pytest.approx(0.0, abs=0.05)
    window.seek(1.5)
    window.close()
    places = {e.code: e.resume_s for e in rating.rater_queue(window.session.study)}
    assert places[first] == pytest.approx(2.5, abs=0.05)
    assert places[second] == pytest.approx(1.5, abs=0.05) and places[third] is None

    again = _reopened(qtbot, str(fresh.pack))
    assert again.session.code == second
    wait_playable(qtbot, again)
    qtbot.waitUntil(lambda: again.adapter.position() == pytest.approx(1.5, abs=0.05))
    press(qtbot, again, K.Key_PageUp)
    qtbot.waitUntil(lambda: again.listening.code == first and again.listening.playable,
                    timeout=5000)
    assert again.adapter.position() == pytest.approx(2.5, abs=0.05)
    assert again.listening.position() == pytest.approx(2.5, abs=0.05)
    again.open_recording(third)
    qtbot.waitUntil(lambda: again.listening.code == third and again.listening.playable,
                    timeout=5000)
    assert again.adapter.position() == pytest.approx(0.0, abs=0.05)
    again.close()


def test_kill_9_loses_at_most_the_last_second(qtbot, built, tmp_path):
    """A real process listens, scores and types; it is killed with SIGKILL mid-word."""
    folder = unpack_for_rating(built.pack, default_workspace())
    log = tmp_path / "typed.jsonl"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    driver = subprocess.Popen([sys.executable, __file__, str(folder), str(log)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ready = json.loads(driver.stdout.readline() or "{}")
    assert ready.get("ready"), driver.stderr.read()
    time.sleep(1.5)  # typing and listening go on
    driver.send_signal(signal.SIGKILL)
    killed_at = time.monotonic()
    driver.wait(10)
    _engine_gone(ready["engine_pid"])

    typed = [json.loads(line) for line in log.read_text().splitlines()]
    must_have = "".join(t["char"] for t in typed if t["at"] <= killed_at - 1.0)
    window = _reopened(qtbot, str(folder))
    assert window.session.code == ready["code"]
    assert window.session.entry.scores == {"warmth": 4, "empathy": 2}
    draft = window.work.notes.field.text()
    assert draft.startswith(must_have) and len(must_have) >= 5, (draft, must_have)
    last_position = max(t["position"] for t in typed if t["at"] <= killed_at - 1.1)
    assert window.listening.position() >= last_position - 0.05
    window.close()


def _engine_gone(pid: int) -> None:
    """The killed app's audio engine notices its parent is gone and exits by itself."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)
    raise AssertionError("the audio engine outlived the killed app")


def drive(folder: str, log_path: str) -> None:
    """The process that is killed: play, score two dimensions, then type a note, one
    character every 50 ms, logging each (with the playhead) once the key is handled."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from test_workstation_helpers import setup_virtual_device

    setup_virtual_device()
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from rater.ui.workstation import WorkstationWindow

    app = QApplication([])
    app.setOrganizationName("Rater")
    app.setApplicationName("rater")
    window = WorkstationWindow()
    window.show()
    window.activateWindow()
    window.open_work(folder)
    log = open(log_path, "a", buffering=1)  # noqa: SIM115 - lives until the process is killed
    text = iter("the worker names the worry about school attendance plainly " * 20)

    def key(k, modifier=Qt.KeyboardModifier.NoModifier):
        QTest.keyClick(QApplication.focusWidget() or window, k, modifier)

    def start() -> None:
        if not (window.listening.playable and QApplication.focusWidget()):
            QTimer.singleShot(50, start)
            return
        key(Qt.Key.Key_Space)
        for k in (Qt.Key.Key_4, Qt.Key.Key_Down, Qt.Key.Key_2, Qt.Key.Key_N):
            key(k)
        print(json.dumps({"ready": True, "code": window.session.code,
                          "engine_pid": window.adapter.player.stats()["engine_pid"]}), flush=True)
        typing.start(50)

    def type_one() -> None:
        char = next(text)
        QTest.keyClicks(QApplication.focusWidget(), char)
        log.write(json.dumps({"char": char, "at": time.monotonic(),
                              "position": window.adapter.position()}) + "\n")

    typing = QTimer()
    typing.timeout.connect(type_one)
    QTimer.singleShot(0, start)
    app.exec()


if __name__ == "__main__":
    drive(sys.argv[1], sys.argv[2])
