"""Screenshots of the researcher's window on the demo study, for the README.

Run under a real X server, e.g.:  xvfb-run -a -s "-screen 0 1280x900x24" \
    .venv/bin/python scripts/screenshot_study.py docs/screenshots
It builds the demo in a temporary data folder, opens it as a newcomer would, waits until the
reliability verdicts and the comparison are in, and saves each tab.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

TABS = ("overview", "reliability", "analysis")


def main(out: Path) -> int:
    scratch = Path(tempfile.mkdtemp(prefix="rater-shots-"))
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        os.environ[var] = str(scratch / var.lower())
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from rater.ui.app import Launcher

    app = QApplication(sys.argv[:1])
    app.setOrganizationName("Rater")
    app.setApplicationName("rater")
    launcher = Launcher()
    launcher.open_demo()
    window = launcher.windows[-1]
    window.resize(1180, 820)
    out.mkdir(parents=True, exist_ok=True)

    def ready() -> bool:
        return (window.reliability.verdicts.rowCount() > 0
                and window.analysis.comparison.rowCount() > 0)

    def shoot() -> None:
        if not ready():
            QTimer.singleShot(500, shoot)
            return
        for index, name in enumerate(TABS):
            window.tabs.setCurrentIndex(index)
            app.processEvents()
            window.grab().save(str(out / f"study-{name}.png"))
        app.quit()

    QTimer.singleShot(1000, shoot)
    QTimer.singleShot(180_000, app.quit)  # never hang a script
    return app.exec()


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")))
