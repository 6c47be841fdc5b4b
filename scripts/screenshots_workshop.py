"""Screenshots of the trainer's workshop window on the demo workshop, for the README.

Run under a real X server, e.g.:  xvfb-run -a -s "-screen 0 1920x1080x24" \
    .venv/bin/python scripts/screenshots_workshop.py docs/screenshots
It builds the demo workshop in a temporary data folder, opens it from the welcome screen's
"I'm running a workshop", and saves the dashboard at 1280×720 and at 1920×1080, and room mode.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

SIZES = ((1280, 720), (1920, 1080))


def main(out: Path) -> int:
    scratch = Path(tempfile.mkdtemp(prefix="rater-shots-"))
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        os.environ[var] = str(scratch / var.lower())
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from rater.ui.app import Launcher
    from rater.ui.workshop.window import WorkshopWindow

    app = QApplication(sys.argv[:1])
    app.setOrganizationName("Rater")
    app.setApplicationName("rater")
    launcher = Launcher()
    launcher.open_demo_workshop()
    out.mkdir(parents=True, exist_ok=True)

    def window() -> WorkshopWindow | None:
        return next((w for w in launcher.windows if isinstance(w, WorkshopWindow)), None)

    def shoot() -> None:
        opened = window()
        if opened is None or opened.dashboard.data is None or opened.room.data is None:
            QTimer.singleShot(500, shoot)
            return
        for width, height in SIZES:
            opened.resize(width, height)
            app.processEvents()
            opened.grab().save(str(out / f"workshop-dashboard-{width}.png"))
        opened.resize(*SIZES[0])
        opened.tabs.setCurrentWidget(opened.room)
        opened.room.grid.setCurrentCell(2, 1)
        app.processEvents()
        opened.grab().save(str(out / "workshop-room-1280.png"))
        opened.tabs.setCurrentWidget(opened.feedback)
        opened.feedback.participant.setCurrentIndex(1)  # Ben, the lenient one
        opened.feedback.recording.setCurrentIndex(3)
        QTimer.singleShot(1500, shoot_feedback)

    def shoot_feedback() -> None:
        window().grab().save(str(out / "workshop-feedback-1280.png"))
        window().tabs.setCurrentWidget(window().gold)
        window().gold.dimension.setCurrentIndex(1)
        QTimer.singleShot(800, shoot_gold)

    def shoot_gold() -> None:
        window().grab().save(str(out / "workshop-gold-1280.png"))
        app.quit()

    QTimer.singleShot(1000, shoot)
    QTimer.singleShot(180_000, app.quit)  # never hang a script
    return app.exec()


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")))
