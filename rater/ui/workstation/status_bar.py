"""The workstation's status bar: whether every change is saved and, on a shared study, whether
the server has it yet (issue 17: "the window says so")."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QStatusBar

from rater.ui.workstation.session import RatingSession
from rater.ui.workstation.writes import ServiceQueue


def connection_words(status) -> str:
    """An `OnlineRater` status in the rater's words (`status.online` None: not tried yet)."""
    waiting = status.waiting
    refused = f"; {len(status.failed)} refused by the server (see the log)" if status.failed \
        else ""
    if status.online is False:
        kept = f"{waiting} change{'s' if waiting != 1 else ''} kept on this computer" \
            if waiting else "nothing waiting"
        return f"Server unreachable: {kept}, sent when it is back{refused}"
    if waiting:
        return f"Sending {waiting} change{'s' if waiting != 1 else ''} to the server…{refused}"
    return f"On the server: every change{refused}" if status.online else "Connecting…"


class StatusBar:
    """Two permanent labels: saving (the service queue) and, for a shared study, the server."""

    def __init__(self, bar: QStatusBar, writes: ServiceQueue, session: RatingSession):
        self.saved = QLabel()
        self.saved.setAccessibleName("Save status")
        self.connection = QLabel()
        self.connection.setAccessibleName("Connection status")
        self.connection.hide()
        bar.addPermanentWidget(self.connection)
        bar.addPermanentWidget(self.saved)
        writes.busy_changed.connect(self.show_saving)
        session.online_status.connect(self.show_connection)

    def show_saving(self, busy: bool) -> None:
        self.saved.setText("Saving…" if busy else "All changes saved")

    def show_connection(self, status) -> None:
        self.connection.setText(connection_words(status))
        self.connection.setVisible(True)
