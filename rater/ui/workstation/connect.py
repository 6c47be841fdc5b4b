"""File › Connect to a server…: a rater opens their work on a shared study (issue 17). The
first time they also give their invitation's password, which Rater at once replaces by one
kept only on this computer (`rater server login`); after that the URL alone is enough."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from rater.ui.workstation.window import WorkstationWindow

SETTING = "workstation/server_url"
EXAMPLE = "postgresql+psycopg://pilot_rater_r1@db.example.org:5432/pilot?sslmode=verify-full"


class ConnectDialog(QDialog):
    def __init__(self, parent: QWidget, url: str = ""):
        super().__init__(parent)
        self.setWindowTitle("Connect to a server")
        self.url = QLineEdit(url)
        self.url.setPlaceholderText(EXAMPLE)
        self.url.setAccessibleName("Server URL")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("the first time only: your invitation's password")
        self.password.setAccessibleName("Invitation password")
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setAccessibleName("Problem")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Server &URL:", self.url)
        form.addRow("&Password:", self.password)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("The URL from your invitation (it holds no password)."))
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.resize(640, self.sizeHint().height())

    def _check(self) -> None:
        url = self.url.text().strip()
        if not url.startswith("postgresql"):
            self.problem.setText("This is not a server's URL: it starts with postgresql:// or "
                                 "postgresql+psycopg://, as in your invitation. (A pack file "
                                 "opens with File › Open rater pack.)")
            return
        if urlsplit(url).password:
            self.problem.setText("Leave the password out of the URL: type it below (the first "
                                 "time only).")
            return
        self.accept()


def ask(window: WorkstationWindow) -> None:
    """Ask for the URL (and, the first time, the invitation's password), log in if asked to,
    then open the rater's work there; every step off the UI thread."""
    dialog = ConnectDialog(window, window.settings.value(SETTING, "", str))

    def connect() -> None:
        url, password = dialog.url.text().strip(), dialog.password.text()
        window.settings.setValue(SETTING, url)
        if not password:
            window.open_work(url)
            return
        from rater.services.server import log_in

        window.writes.submit(lambda: log_in(url, password), lambda _where: window.open_work(url),
                             lambda exc: window.show_problem(window.redactor.message(exc)))

    dialog.accepted.connect(connect)
    window.open_dialog(dialog)
