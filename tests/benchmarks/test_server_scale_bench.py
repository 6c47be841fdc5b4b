"""Figures behind decision 1703 (scale) and 1704 (live dashboard), on the test PostgreSQL:
the cost of a rater's connect (SCRAM), of one rating action through the services (a new
engine per action, as the app does), the WAL one action writes, a rater backend's memory, and
how soon a researcher's listener hears a submission. Each prints its figures and asserts a
generous bound. Run: scripts/with-test-services python -m pytest -m benchmark -s
tests/benchmarks/test_server_scale_bench.py"""

from __future__ import annotations

import queue
import statistics
import time
from pathlib import Path

import pytest
from server_study import DIMENSIONS, server_study
from sqlalchemy.engine import make_url

from rater.services import live, rating

pytestmark = pytest.mark.benchmark
N = 40


def with_password(study, who: str) -> str:
    login = study.logins[who]
    return make_url(login["url"]).set(password=login["password"]).render_as_string(
        hide_password=False)


def _score_next(study, rater: str) -> tuple[str, str]:
    """The rater, through their own login, scores their next open item: (url, code)."""
    url = with_password(study, rater)
    entry = next(e for e in rating.rater_queue(url, rater) if not e.submitted)
    for d, dimension in enumerate(DIMENSIONS):
        rating.set_score(url, entry.code, dimension, 1 + d, rater)
    return url, entry.code


@pytest.fixture(scope="module")
def shared(pg_admin_url, tmp_path_factory):
    with server_study(pg_admin_url, tmp_path_factory.mktemp("scale")) as study:
        yield study


def _ms(times: list[float]) -> str:
    return f"median {statistics.median(times) * 1000:.1f} ms, max {max(times) * 1000:.1f} ms"


def test_a_raters_connect_and_one_rating_action(shared):
    connects = []
    for _ in range(N):
        start = time.perf_counter()
        shared.connect("R1").close()  # SCRAM-SHA-256, a new backend each time
        connects.append(time.perf_counter() - start)
    url = with_password(shared, "R1")
    code = next(e for e in rating.rater_queue(url, "R1") if not e.submitted).code
    admin = shared.admin()
    lsn = admin.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
    actions = []
    for i in range(N):
        start = time.perf_counter()
        rating.set_score(url, code, "warmth", 1 + i % 5, "R1")
        actions.append(time.perf_counter() - start)
    wal = admin.execute("SELECT pg_current_wal_lsn() - %s::pg_lsn", (lsn,)).fetchone()[0]
    admin.close()
    print(f"\nconnect as a rater: {_ms(connects)}; one draft score through the services "
          f"(engine, connect, revision check, write): {_ms(actions)}; "
          f"WAL per action {int(wal) / N:.0f} bytes")
    assert statistics.median(connects) < 0.2 and statistics.median(actions) < 1.0


def _status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise KeyError(field)


def test_a_rater_backends_memory(shared):
    """Private memory of a rater's backend (the test server runs on this machine)."""
    r1 = shared.connect("R1")
    pid = r1.info.backend_pid
    idle = _status_kb(pid, "RssAnon")
    r1.execute("SELECT count(*) FROM rating").fetchone()
    r1.execute("SELECT a.code, r.score FROM assignment a LEFT JOIN rating r "
               "ON r.assignment_id = a.id").fetchall()
    used = _status_kb(pid, "RssAnon")
    r1.close()
    print(f"\nrater backend, private (RssAnon): {idle / 1024:.1f} MB just connected, "
          f"{used / 1024:.1f} MB after RLS queries")
    assert used < 64 * 1024


def test_how_soon_the_researcher_hears_a_submission(shared):
    news: queue.Queue = queue.Queue()
    listener = live.watch(with_password(shared, "researcher"), news.put)
    assert listener is not None and listener.listening.wait(5)
    delays = []
    try:
        for _ in range(2):  # each rater has items left to submit
            for rater in ("R1", "R2"):
                try:
                    url, code = _score_next(shared, rater)
                except StopIteration:
                    continue
                time.sleep(0.3)
                while not news.empty():
                    news.get()  # the scores' own notices
                start = time.perf_counter()
                rating.submit_rating(url, code, rater)
                assert news.get(timeout=2) == "rating"
                delays.append(time.perf_counter() - start)
    finally:
        listener.stop()
    print(f"\na submission (its own connection, as the app makes it) until the listener "
          f"hears it: {_ms(delays)} over {len(delays)}")
    assert delays and max(delays) < 2.0
