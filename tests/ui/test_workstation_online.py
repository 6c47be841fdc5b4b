"""A rater online (issue 17): the workstation on a shared study writes every change to the
server as it is made; when the connection drops mid-recording the rater keeps scoring and
submits, the window says the changes are kept on this computer, and when the connection comes
back they reach the server once each and the researcher's dashboard shows them."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication
from server_study import DIMENSIONS, server_study
from sqlalchemy.engine import make_url
from tcp_proxy import TcpProxy
from test_workstation_helpers import make_window

from rater.services import server
from rater.ui.study_window import StudyWindow


@pytest.fixture(scope="module")
def shared(pg_admin_url, tmp_path_factory):
    with server_study(pg_admin_url, tmp_path_factory.mktemp("server")) as study:
        yield study


@pytest.fixture
def proxy(shared):
    """The rater reaches the server through this (it can cut the connection)."""
    target = make_url(shared.url)
    proxy = TcpProxy(target.host, target.port)
    yield proxy
    proxy.close()


def _submitted(window: StudyWindow, rater: str) -> int | None:
    table = window.progress.table
    for row in range(table.rowCount()):
        if table.item(row, 0).text() == rater:
            return int(table.item(row, 2).text())
    return None


def _counts(shared, code: str) -> tuple[int, int]:
    """(scores, submitted scores) of R1's item `code` on the server."""
    with shared.admin() as admin:
        return admin.execute(
            "SELECT count(*), count(*) FILTER (WHERE r.state = 'submitted') FROM rating r "
            "JOIN assignment a ON a.id = r.assignment_id "
            "WHERE a.rater_id = 'R1' AND a.code = %s", (code,)).fetchone()


def test_scoring_goes_on_through_a_dropped_connection_and_arrives_once(qtbot, shared, proxy):
    login = shared.logins["R1"]
    url = make_url(login["url"]).set(host="127.0.0.1", port=proxy.port).render_as_string()
    server.log_in(url, login["password"])
    dashboard = StudyWindow()
    qtbot.addWidget(dashboard)
    dashboard.open_study(shared.url)  # the researcher's window, straight to the server
    qtbot.waitUntil(lambda: dashboard.progress.follower.live
                    and _submitted(dashboard, "R1") is not None, timeout=10_000)
    before = _submitted(dashboard, "R1")

    window = make_window(qtbot, url, "R1")
    code = next(e.code for e in window.session.entries.values() if not e.submitted)
    window.open_recording(code)
    qtbot.waitUntil(lambda: window.session.code == code and window.writes.pending == 0,
                    timeout=5000)
    first, *rest = DIMENSIONS
    window.choose(first, 2)
    connection = window.status_bar.connection
    qtbot.waitUntil(lambda: connection.text() == "On the server: every change", timeout=5000)
    assert _counts(shared, code) == (1, 0)

    proxy.cut(8.0)  # the network goes away mid-recording
    for value, dimension in enumerate(rest, start=3):
        window.choose(dimension, value)
    window.session.submit(code)
    qtbot.waitUntil(lambda: connection.text().startswith("Server unreachable: "), timeout=8000)
    assert "kept on this computer" in connection.text()
    # The window goes on as if nothing happened: the submit is kept here (its disk write done
    # on the window's write thread, which may finish after the status line has changed).
    qtbot.waitUntil(lambda: window.session.entries[code].submitted, timeout=3000)
    assert _counts(shared, code) == (1, 0)  # none of it reached the server yet

    qtbot.waitUntil(lambda: connection.text() == "On the server: every change", timeout=30_000)
    assert _counts(shared, code) == (len(DIMENSIONS), len(DIMENSIONS))  # each write once
    qtbot.waitUntil(lambda: _submitted(dashboard, "R1") == before + 1, timeout=5000)
    window.close()
    dashboard.close()


def test_file_connect_logs_in_once_and_opens_the_raters_work(qtbot, shared):
    """File › Connect to a server…: a URL that is not a server's, or holds the password, is
    refused in the dialog with what to do; the invitation's URL and password log in and open
    the rater's queue from the server."""
    from rater.ui.workstation import WorkstationWindow
    from rater.ui.workstation.connect import ConnectDialog

    window = WorkstationWindow()
    qtbot.addWidget(window)
    window.show()
    window.commands["connect"].trigger()
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), ConnectDialog),
                    timeout=5000)
    dialog = QApplication.activeModalWidget()
    login = shared.logins["R2"]
    for bad, said in (("R2.raterpack", "not a server's URL"),
                      (make_url(login["url"]).set(password="x").render_as_string(False),
                       "Leave the password out")):
        dialog.url.setText(bad)
        dialog._check()
        assert said in dialog.problem.text() and dialog.isVisible()
    dialog.url.setText(login["url"])
    dialog.password.setText(login["password"])
    dialog._check()
    qtbot.waitUntil(lambda: window.session.workspace is not None, timeout=15_000)
    assert window.session.workspace.rater == "R2"
    assert [e.code for e in window.session.workspace.queue]
    assert window.settings.value("workstation/server_url") == login["url"]
    window.close()
