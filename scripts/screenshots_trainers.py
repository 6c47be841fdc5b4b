"""Screenshots of certification, drift, practice recordings and the consensus dialog, for the
README. Run under a real X server with the test services (virtual microphone and JACK):

    scripts/with-test-services xvfb-run -a -s "-screen 0 1920x1080x24" \\
        .venv/bin/python scripts/screenshots_trainers.py docs/screenshots

It builds, in a temporary folder: a research study with planted raters (one passes the
certification test, one passes at the second attempt, one fails twice; one certified rater
drifts after their twentieth study item), a practice workshop whose recording is made from the
virtual microphone and scored by the student, a peer and the trainer, and the demo study for a
consensus dialog. The planted-rater helpers are the tests' own (tests/services).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "services"),
                str(ROOT / "tests" / "audio")]


def rate_loosely(study: str, rater: str, codes: list[str], seed: int) -> None:
    """A rater far from gold: often two points off, sometimes right (a realistic fail)."""
    import numpy as np

    from rater.services import rating
    from rater.services.gold import gold_for

    rng = np.random.default_rng(seed)
    gold = {(g.recording, g.dimension): g.score for g in gold_for(study)}
    for code in codes:
        for dimension in ("warmth", "empathy", "strengths", "clarity"):
            off = int(rng.choice([-2, -2, 2, 1, 0, -1]))
            score = int(np.clip(gold[(code, dimension)] + off, 1, 5))
            rating.set_score(study, code, dimension, score, rater=rater)
        rating.submit_rating(study, code, rater=rater)


def planted_study(folder: Path) -> str:
    from test_certification import rate, research_study

    from rater.services import rating
    from rater.services.allocating import allocate_study
    from rater.services.certification import define_test, start_attempt

    study = str(folder / "certified.rater")
    codes = research_study(folder, study, gold=12, extra_gold=15, study_items=40)
    define_test(study, codes[:12], name="autumn")
    for rater, outcomes in {"Amira": [True], "Ben": [False, True], "Cleo": [False, False],
                            "Dev": [True], "Sol": [True]}.items():
        for number, good in enumerate(outcomes, start=1):
            start_attempt(study, rater)
            given = codes[6 * (number - 1):6 * number]
            if good:
                rate(study, rater, given, True)
            else:
                rate_loosely(study, rater, given, seed=len(rater) * 10 + number)
    allocate_study(study, ["Dev", "Sol"], double=1.0, seed=4, gold_rate=0.25)
    for rater in ("Dev", "Sol"):
        seen = 0
        for entry in rating.rater_queue(study, rater):
            if entry.code in codes[12:]:
                rate(study, rater, [entry.code], good=rater == "Sol" or seen < 20)
            elif entry.code not in codes:
                seen += 1
    return study


def practice_workshop(folder: Path) -> str:
    from rater.services.workshops import add_participants, create_workshop

    workshop = str(folder / "practice.rater")
    create_workshop(workshop, name="Practice interviews", seed=1)
    add_participants(workshop, ["Sam", "Pia", "Jo", "Trainer"])
    return workshop


def score_practice(workshop: str, code: str) -> None:
    from rater.services.gold import add_gold_moment
    from rater.services.workshop_run import enter_room_score

    given = {"P01": (4, 4, 3, 3), "P02": (3, 3, 3, 2), "P03": (3, 4, 2, 2),
             "P04": (2, 3, 3, 2)}
    for person, scores in given.items():
        for dimension, score in zip(("warmth", "empathy", "strengths", "clarity"), scores,
                                    strict=True):
            enter_room_score(workshop, person, code, dimension, score)
    add_gold_moment(workshop, code, "warmth", 1.0, "the greeting is hurried: no name, no "
                    "check of how the parent is")
    add_gold_moment(workshop, code, "clarity", 4.5, "the concern is named, but only as 'some "
                    "worries'")


def main(out: Path) -> int:
    scratch = Path(tempfile.mkdtemp(prefix="rater-shots-"))
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        os.environ[var] = str(scratch / var.lower())
    os.environ["RATER_BLIND_DIR"] = str(scratch / "blind")
    from audio_helpers import setup_virtual_device

    setup_virtual_device()
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from rater.services.demo import build_demo
    from rater.services.study import study_info
    from rater.ui.study_window import StudyWindow
    from rater.ui.workshop.window import WorkshopWindow

    app = QApplication(sys.argv[:1])
    out.mkdir(parents=True, exist_ok=True)
    study = planted_study(scratch / "study")
    workshop = practice_workshop(scratch)
    demo = build_demo(scratch / "demo")

    studies = StudyWindow()
    studies.resize(1280, 720)
    studies.show()
    studies.open_study(study)
    studies.tabs.setCurrentWidget(studies.raters)
    trainer = WorkshopWindow(workshop)
    trainer.resize(1280, 720)
    trainer.tabs.setCurrentWidget(trainer.practice)
    trainer.show()
    box = trainer.practice.recorder

    def later(ms: int, step) -> None:
        QTimer.singleShot(ms, step)

    def raters_ready() -> None:
        view = studies.raters
        if view.data is None or view.drift_grid.count() == 0:
            later(300, raters_ready)
            return
        view.table.selectRow(3)
        app.processEvents()
        studies.grab().save(str(out / "raters-certification-1280.png"))
        later(100, record)

    def record() -> None:
        if not box.record.isEnabled():
            later(300, record)
            return
        box.device.setCurrentIndex(max(0, box.device.findData("test_mic")))
        box.record.click()
        later(6000, recording)

    def recording() -> None:
        trainer.grab().save(str(out / "practice-recorder-1280.png"))
        box.stop.click()
        later(300, added)

    def added() -> None:
        if "Added as" not in box.status.text():
            later(300, added)
            return
        score_practice(workshop, "practice-01")
        trainer.practice.reload()
        later(1500, side_by_side)

    def side_by_side() -> None:
        trainer.grab().save(str(out / "practice-side-by-side-1280.png"))
        trainer.close()
        studies.open_study(str(demo.study))
        studies.tabs.setCurrentWidget(studies.analysis)
        studies.analysis.open_study(str(demo.study), study_info(str(demo.study)))
        studies.analysis.threshold.setValue(1)
        later(1500, consensus)

    def consensus() -> None:
        analysis = studies.analysis
        if analysis.consensus.rowCount() == 0:
            later(300, consensus)
            return
        analysis.consensus.cellDoubleClicked.emit(0, 0)
        later(1500, consensus_shot)

    def consensus_shot() -> None:
        dialog = studies.analysis.adjudication
        if dialog is None:
            later(300, consensus_shot)
            return
        dialog.grab().save(str(out / "consensus-dialog.png"))
        app.quit()

    later(500, raters_ready)
    QTimer.singleShot(240_000, app.quit)  # never hang a script
    return app.exec()


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")))
