"""Researchers live (issue 17, decision 1704): a shared study's server tells the researcher's
listener when a rater's login submits or amends, within a second, with a notice that names
nothing a rater may not know; the listener comes back after its connection is killed; a study
file sends no notices (its windows poll)."""

from __future__ import annotations

import contextlib
import queue
import time

import pytest
from server_study import DIMENSIONS, logged_in, server_study

from rater.services import live, rating
from rater.services.study import init_study
from rater.storage.server_notify import RECONNECTED, WATCHED


@pytest.fixture(scope="module")
def shared(pg_admin_url, tmp_path_factory):
    with server_study(pg_admin_url, tmp_path_factory.mktemp("server")) as study:
        yield study


@pytest.fixture(scope="module")
def r1_home(tmp_path_factory):
    return tmp_path_factory.mktemp("r1")


@pytest.fixture
def r1(shared, r1_home, monkeypatch):
    """R1's URL, logged in once on R1's computer (its data folder lasts the module)."""
    return logged_in(shared, "R1", r1_home, monkeypatch)


@pytest.fixture
def notices(shared):
    """The researcher's listener (the study's owner here) and what it was told."""
    told: queue.Queue[str] = queue.Queue()
    listener = live.watch(shared.url, told.put)
    assert listener is not None and listener.listening.wait(5)
    yield listener, told
    listener.stop()


def _next(told: queue.Queue, within: float = 1.0) -> str:
    return told.get(timeout=within)


def _unsubmitted(url: str) -> str:
    return next(e.code for e in rating.rater_queue(url) if not e.submitted)


def test_a_raters_submission_reaches_the_researcher_within_a_second(r1, notices):
    _, told = notices
    code = _unsubmitted(r1)
    for dimension in DIMENSIONS:
        rating.set_score(r1, code, dimension, 3)
    while not told.empty():
        told.get()
    started = time.monotonic()
    rating.submit_rating(r1, code)
    assert _next(told) == "rating"
    assert time.monotonic() - started < 1.0
    rating.amend_rating(r1, code, "warmth", 5, "heard it again")
    seen = {_next(told)}
    with contextlib.suppress(queue.Empty):  # one transaction's notices come together
        while "amendment" not in seen:
            seen.add(_next(told))
    assert "amendment" in seen
    assert seen <= set(WATCHED)  # table names only: no rater, code or recording


def test_the_listener_comes_back_after_its_connection_is_killed(shared, r1, notices):
    listener, told = notices
    with shared.admin() as admin:
        killed = admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                               "WHERE query LIKE 'LISTEN%%' AND datname = %s",
                               (shared.database,)).fetchall()
    assert killed and all(ok for (ok,) in killed)
    assert _next(told, within=5) == RECONNECTED
    rating.set_score(r1, _unsubmitted(r1), "warmth", 2)
    assert _next(told) == "rating"


def test_a_study_file_sends_no_notices(tmp_path):
    study = tmp_path / "s.rater"
    init_study(str(study), name="s")
    assert live.watch(str(study), lambda _what: None) is None
