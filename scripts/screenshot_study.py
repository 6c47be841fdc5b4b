"""Screenshots of the researcher's window on the demo study, for the README.

Run under a real X server, e.g.:  xvfb-run -a -s "-screen 0 2560x1600x24" \\
    .venv/bin/python scripts/screenshot_study.py docs/screenshots
It builds the demo in a temporary data folder, opens it as a newcomer would, waits until the
reliability verdicts and the comparison are in, and saves each tab at 1280×720; then the
reliability tab in the dark appearance, the first-launch role question, and (in a second
process with QT_SCALE_FACTOR=2) the reliability and analysis tabs at 200%.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

TABS = ("overview", "reliability", "analysis")


def main(out: Path, scaled: bool) -> int:
    scratch = Path(os.environ.get("RATER_SHOTS_DATA") or tempfile.mkdtemp(prefix="rater-shots-"))
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        os.environ[var] = str(scratch / var.lower())
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from rater.ui.app import Launcher, prepare
    from rater.ui.first_launch import FirstLaunchWindow

    app = QApplication(sys.argv[:1])
    prepare(app)
    launcher = Launcher()
    launcher.open_demo()
    window = launcher.windows[-1]
    window.resize(1280, 720)
    out.mkdir(parents=True, exist_ok=True)
    suffix = "-200" if scaled else ""

    def ready() -> bool:
        return (window.reliability.verdicts.rowCount() > 0
                and window.analysis.comparison.rowCount() > 0)

    def shoot() -> None:
        if not ready():
            QTimer.singleShot(500, shoot)
            return
        for index, name in enumerate(TABS):
            if scaled and name == "overview":
                continue
            window.tabs.setCurrentIndex(index)
            app.processEvents()
            window.grab().save(str(out / f"study-{name}{suffix}.png"))
        if not scaled:
            window.tabs.setCurrentIndex(1)
            window.set_appearance("dark")
            app.processEvents()
            window.grab().save(str(out / "study-reliability-dark.png"))
            window.set_appearance("light")
            first = FirstLaunchWindow()
            first.show()
            app.processEvents()
            first.grab().save(str(out / "first-launch.png"))
        app.quit()

    QTimer.singleShot(1000, shoot)
    QTimer.singleShot(180_000, app.quit)  # never hang a script
    code = app.exec()
    if not scaled and code == 0:  # the same at 200%, on the demo just built
        env = {**os.environ, "QT_SCALE_FACTOR": "2", "RATER_SHOTS_DATA": str(scratch)}
        code = subprocess.call([sys.executable, __file__, str(out), "--scaled"], env=env)
    return code


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if a != "--scaled"]
    sys.exit(main(Path(arguments[0] if arguments else "docs/screenshots"),
                  "--scaled" in sys.argv))
