"""Screenshots of the real workstation window for the README (docs/screenshots/).

    scripts/with-test-services .venv/bin/python scripts/screenshots.py

Builds a study from the demo recordings in audio_samples/ (import, blind with redactions,
allocate, blinding check, R1's pack), then for each shot starts Xvfb, runs the app on the
pack under X11 (xcb) with sound through the test services' virtual device, drives it with key
presses like a rater (listen at 2x, notes, scores; the pointer moved with xdotool), and
captures the screen with ImageMagick's ``import -window root``. Needs: Xvfb, ImageMagick,
xdotool, and JACK (scripts/with-test-services).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
SAMPLES = ROOT / "audio_samples"

# name: (screen size, Qt scale factor, appearance, scene)
SHOTS = {
    "workstation": ("1280x800", 1, "light", "rating"),
    "workstation-dark": ("1280x800", 1, "dark", "rating"),
    "workstation-200": ("2560x1600", 2, "light", "rating"),
    "workstation-shortcuts": ("1280x800", 1, "light", "shortcuts"),
    "workstation-empty": ("1280x800", 1, "light", "empty"),
}


def build_pack(folder: Path) -> Path:
    from rater.services.allocating import allocate_study
    from rater.services.blinding import blind_study, set_blinding_check
    from rater.services.importing import import_recordings
    from rater.services.packs import export_pack
    from rater.services.study import init_study

    study = str(folder / "demo.rater")
    init_study(study, name="Demo")
    import_recordings(study, SAMPLES, SAMPLES / "manifest.csv")
    blind_study(study, redactions_csv=SAMPLES / "redactions.csv", workers=2)
    allocate_study(study, ["R1", "R2"], double=0.5, stratify="la", seed=7)
    set_blinding_check(study, "la")
    pack = folder / "R1.raterpack"
    export_pack(study, "R1", pack)
    return pack


def shoot(name: str, pack: Path, scratch: Path) -> Path:
    size, scale, look, scene = SHOTS[name]
    display = f":{90 + list(SHOTS).index(name)}"
    xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", f"{size}x24", "-nolisten", "tcp"],
                            stderr=subprocess.DEVNULL)
    home = scratch / name
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb",
           "QT_SCALE_FACTOR": str(scale), **{f"XDG_{v}_HOME": str(home / v.lower())
                                             for v in ("CONFIG", "DATA", "STATE", "CACHE")}}
    out = OUT / f"{name}.png"
    try:
        time.sleep(0.5)
        subprocess.run([sys.executable, __file__, "--drive", str(pack), look, scene, str(out)],
                       env=env, check=True, timeout=120)
    finally:
        xvfb.terminate()
        xvfb.wait()
    return out


# -- the app side: runs inside Xvfb -------------------------------------------------------------

def drive(pack: str, look: str, scene: str, out: str) -> None:
    sys.path.insert(0, str(ROOT / "tests" / "audio"))
    from audio_helpers import setup_virtual_device

    setup_virtual_device()
    from PySide6.QtCore import QSettings, Qt, QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from rater.ui import workstation

    app = QApplication([sys.argv[0]])
    app.setOrganizationName("Rater")
    app.setApplicationName("rater")
    QSettings().setValue("workstation/appearance", look)
    window = workstation.start([] if scene == "empty" else [pack])
    window.setGeometry(0, 0, *_logical_size())
    window.activateWindow()  # no window manager in Xvfb to do it
    steps = _scene(window, scene, Qt, QTest)

    def capture() -> None:
        subprocess.run(["import", "-window", "root", out], check=True)
        window.close()
        app.quit()

    def next_step() -> None:
        wait_ms = steps.pop(0)()
        QTimer.singleShot(wait_ms, next_step if steps else capture)

    QTimer.singleShot(1500, next_step)
    app.exec()


def _logical_size() -> tuple[int, int]:
    from PySide6.QtWidgets import QApplication

    geometry = QApplication.primaryScreen().geometry()
    return geometry.width(), geometry.height()


def _scene(window, scene: str, Qt, QTest) -> list:
    """Steps, each returning how long to wait (ms) before the next."""
    if scene == "empty":
        return [lambda: 300]

    def key(k, modifier=Qt.KeyboardModifier.NoModifier, times=1) -> None:
        for _ in range(times):
            QTest.keyClick(window.focusWidget() or window, k, modifier)

    def listen() -> int:
        key(Qt.Key.Key_BracketRight, times=4)
        key(Qt.Key.Key_Space)
        return 9000

    def note(text: str, tagged: bool = False):
        def step() -> int:
            key(Qt.Key.Key_N, Qt.KeyboardModifier.ShiftModifier if tagged else
                Qt.KeyboardModifier.NoModifier)
            QTest.keyClicks(window.focusWidget(), text)
            key(Qt.Key.Key_Return)
            return 2500
        return step

    def pause_and_score() -> int:
        key(Qt.Key.Key_Space)
        for k in (Qt.Key.Key_4, Qt.Key.Key_Down, Qt.Key.Key_3, Qt.Key.Key_Down):
            key(k)
        return 400

    def draft() -> int:
        key(Qt.Key.Key_N)
        QTest.keyClicks(window.focusWidget(), "asks what a good day looks like")
        key(Qt.Key.Key_Escape)
        key(Qt.Key.Key_Up)
        return 300

    def hover() -> int:
        """The real X pointer over a level button, as a person's mouse would be."""
        button = window.work.scoring.rows[window.work.scoring.current].buttons[4]
        point = button.mapToGlobal(button.rect().center()) * button.devicePixelRatioF()
        subprocess.run(["xdotool", "mousemove", str(point.x()), str(point.y())], check=True)
        return 600

    steps = [lambda: _wait_playable(window), listen,
             note("opens warmly, explains why she is here"),
             note("reflects the parent's worry about school", tagged=True),
             pause_and_score, draft, hover]
    if scene == "shortcuts":
        steps.append(lambda: (key(Qt.Key.Key_F1), 600)[1])
    return steps


def _wait_playable(window) -> int:
    deadline = time.monotonic() + 20
    while not window.listening.playable and time.monotonic() < deadline:
        from PySide6.QtWidgets import QApplication

        QApplication.processEvents()
        time.sleep(0.02)
    if not window.listening.playable:
        raise SystemExit("no sound: run this under scripts/with-test-services")
    return 200


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="rater-shots-") as scratch:
        pack = build_pack(Path(scratch))
        for name in sys.argv[1:] or list(SHOTS):
            print(f"{shoot(name, pack, Path(scratch))}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--drive":
        drive(*sys.argv[2:6])
    else:
        sys.exit(main())
