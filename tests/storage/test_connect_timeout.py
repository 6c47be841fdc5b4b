"""A PostgreSQL server that takes the connection and never answers (a dead route, a firewall
that drops) is given up within the connect timeout, with a clear error, instead of after the
operating system's TCP timeout of minutes: a rater's window learns it is offline."""

from __future__ import annotations

import signal
import socket
import time

import pytest

from rater.core.errors import RaterError
from rater.storage import engine as engines


def _hung(_signum, _frame):
    raise AssertionError("still waiting after 30 s: no connect timeout")


def test_a_server_that_never_answers_is_given_up_within_the_timeout(monkeypatch):
    monkeypatch.setattr(engines, "CONNECT_TIMEOUT_S", 2)  # libpq's smallest
    silent = socket.create_server(("127.0.0.1", 0), backlog=8)  # accepts, never speaks
    previous = signal.signal(signal.SIGALRM, _hung)
    signal.alarm(30)  # without a timeout libpq would wait here for ever
    try:
        url = f"postgresql+psycopg://nobody@127.0.0.1:{silent.getsockname()[1]}/study"
        started = time.monotonic()
        with pytest.raises(RaterError) as caught:
            engines.open_study_database(url)
        assert time.monotonic() - started < 10  # (SSL then plain: two tries of 2 s)
        assert "timeout" in str(caught.value).lower()
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
        silent.close()
