"""The trainer's Workshop menu: a new workshop, gold recordings, the experts' scores and the
handout, from the window; and a workshop file opens in the trainer's window."""

from __future__ import annotations

from rater.services.demo import SAMPLES
from rater.services.gold import gold_for
from rater.services.workshops import add_participants, workshop_info
from rater.ui.app import Launcher
from rater.ui.workshop.window import WorkshopWindow

DIALOGS = "rater.ui.workshop.window.QFileDialog"


def test_a_workshop_made_and_prepared_from_the_window(qtbot, tmp_path, monkeypatch):
    launcher = Launcher()
    start = str(tmp_path / "first.rater")
    from rater.services.workshops import create_workshop

    create_workshop(start)
    launcher.open_file(start)  # a workshop file opens the trainer's window, not the study's
    qtbot.waitUntil(lambda: any(isinstance(w, WorkshopWindow) for w in launcher.windows),
                    timeout=10000)
    first = next(w for w in launcher.windows if isinstance(w, WorkshopWindow))
    qtbot.addWidget(first)

    monkeypatch.setattr(f"{DIALOGS}.getSaveFileName",
                        lambda *_a, **_k: (str(tmp_path / "tuesday"), ""))
    first.new_workshop()
    qtbot.waitUntil(lambda: sum(isinstance(w, WorkshopWindow) for w in launcher.windows) == 2,
                    timeout=10000)
    window = launcher.windows[-1]
    qtbot.addWidget(window)
    assert window.workshop == str(tmp_path / "tuesday.rater")

    audio = sorted((SAMPLES / "audio").glob("*.ogg"))
    monkeypatch.setattr(f"{DIALOGS}.getOpenFileNames",
                        lambda *_a, **_k: ([str(p) for p in audio], ""))
    window.add_recordings()
    qtbot.waitUntil(lambda: len(workshop_info(window.workshop)["recordings"]) == 8,
                    timeout=30000)
    monkeypatch.setattr(f"{DIALOGS}.getOpenFileName",
                        lambda *_a, **_k: (str(SAMPLES / "expert_ratings.csv"), ""))
    window.import_gold()
    qtbot.waitUntil(lambda: len(gold_for(window.workshop)) == 32, timeout=30000)
    add_participants(window.workshop, ["Ana"])
    monkeypatch.setattr(f"{DIALOGS}.getSaveFileName",
                        lambda *_a, **_k: (str(tmp_path / "handout"), ""))
    window.write_handout()
    qtbot.waitUntil(lambda: (tmp_path / "handout.html").is_file(), timeout=30000)
    assert "Ana" in (tmp_path / "handout.html").read_text()
    assert "Handout written" in window.statusBar().currentMessage()
