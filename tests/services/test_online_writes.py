"""A rater's writes to a shared study go through a local outbox and reach the server exactly
once, in order, through lost replies, restarts and outages (issue 17, decision 1702)."""

from __future__ import annotations

import time
import uuid

import psycopg
import pytest
from server_study import DIMENSIONS, server_study
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from tcp_proxy import TcpProxy

from rater.services import rating
from rater.services.online import OnlineRater, outbox_path
from rater.storage import server_writes


@pytest.fixture(scope="module")
def shared(pg_admin_url, tmp_path_factory):
    with server_study(pg_admin_url, tmp_path_factory.mktemp("server")) as study:
        yield study


def r1_url(study, **parts) -> str:
    login = study.logins["R1"]
    return make_url(login["url"]).set(password=login["password"], **parts).render_as_string(
        hide_password=False)


@pytest.fixture
def r1(shared, tmp_path):
    online = OnlineRater(r1_url(shared), "R1", outbox=tmp_path / "outbox.sqlite")
    yield online
    online.stop()


def codes(study) -> list[str]:
    return [entry.code for entry in rating.rater_queue(study.url, "R1")]


def notes_saying(study, text: str) -> int:
    with study.admin() as admin:
        return admin.execute("SELECT count(*) FROM note WHERE text = %s", (text,)).fetchone()[0]


def wait_for(condition, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_outbox_lives_under_the_data_dir_named_without_the_password(shared, tmp_path,
                                                                    monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    path = outbox_path(r1_url(shared), "R1")
    assert path.parent == tmp_path / "rater" / "outbox"
    assert shared.logins["R1"]["password"] not in str(path)
    assert path != outbox_path(r1_url(shared), "R2")


def test_writes_arrive_in_the_order_made(shared, r1):
    """Four scores, then the submit that needs them: sent out of order, the submit fails."""
    code = codes(shared)[1]
    for d, dimension in enumerate(DIMENSIONS):
        r1.set_score(code, dimension, 1 + d)
    r1.submit_rating(code)
    assert r1.status().waiting == 5
    assert r1.send_waiting()
    assert r1.status().waiting == 0 and r1.status().failed == []
    with shared.admin() as admin:
        states = admin.execute("SELECT r.dimension, r.score, r.state FROM rating r JOIN "
                               "assignment a ON a.id = r.assignment_id WHERE a.code = %s "
                               "AND a.rater_id = 'R1' ORDER BY r.dimension", (code,)).fetchall()
    assert states == sorted((d, 1 + i, "submitted") for i, d in enumerate(DIMENSIONS))


def test_a_lost_reply_never_applies_a_write_twice(shared, r1):
    text = f"note {uuid.uuid4()}"
    key = r1.add_note(codes(shared)[0], 2.0, text)
    write = r1.outbox.next()
    engine = server_writes.open_server(r1.url)
    # Applied and committed, then the process dies before the outbox forgets it.
    assert server_writes.apply(engine, "R1", write.key, write.action, write.args)
    engine.dispose()
    assert write.key == key and r1.status().waiting == 1
    assert r1.send_waiting()
    assert r1.status().waiting == 0
    assert notes_saying(shared, text) == 1


def test_a_write_left_open_by_a_vanished_connection_does_not_block_its_resend(shared, r1):
    """The network dies mid-write and the server never hears of it (a half-open connection):
    its transaction stays open, holding the write's key. The resent write must not wait for it
    forever: the sender's sessions end a transaction idle for IDLE_IN_WRITE_S."""
    text = f"half-open {uuid.uuid4()}"
    r1.add_note(codes(shared)[0], 2.0, text)
    write = r1.outbox.next()
    vanished = server_writes.open_server(r1.url).connect()
    vanished.begin()
    assert server_writes._record_key(vanished, "R1", write.key, write.action)  # then silence
    start = time.monotonic()
    assert r1.send_waiting()
    assert time.monotonic() - start < server_writes.IDLE_IN_WRITE_S + 5
    assert notes_saying(shared, text) == 1
    with pytest.raises(DBAPIError) as ended:  # the server ended the abandoned one ...
        vanished.exec_driver_sql("SELECT 1").scalar()
    assert server_writes._worth_retrying(ended.value)  # ... which, if alive, sends again
    vanished.invalidate()


def test_the_queue_survives_a_restart_of_the_program(shared, tmp_path):
    path, text = tmp_path / "outbox.sqlite", f"restart {uuid.uuid4()}"
    first = OnlineRater(r1_url(shared), "R1", outbox=path)
    for i in range(3):
        first.add_note(codes(shared)[0], float(i), f"{text} {i}")
    first.stop()  # never sent: the program closed (or crashed) first
    assert notes_saying(shared, f"{text} 0") == 0
    second = OnlineRater(r1_url(shared), "R1", outbox=path)
    second.start()
    wait_for(lambda: second.status().waiting == 0)
    second.stop()
    with shared.admin() as admin:
        rows = admin.execute("SELECT text FROM note WHERE text LIKE %s ORDER BY id",
                             (f"{text}%",)).fetchall()
    assert [t for (t,) in rows] == [f"{text} {i}" for i in range(3)]


def test_a_refused_write_is_set_aside_with_its_error_and_the_queue_goes_on(shared, r1):
    submitted, text = codes(shared)[0], f"after {uuid.uuid4()}"
    r1.set_score(submitted, "warmth", 3)  # already submitted: the rules refuse it for good
    r1.add_note(submitted, 1.0, text)
    assert r1.send_waiting()
    status = r1.status()
    assert status.waiting == 0 and status.online
    [failed] = status.failed
    assert failed.action == "set_score" and "already submitted" in failed.failed
    assert "already submitted" in status.last_error
    assert notes_saying(shared, text) == 1


def test_a_rater_cannot_record_a_write_in_another_raters_name(shared, tmp_path):
    as_r2 = OnlineRater(r1_url(shared), "R2", outbox=tmp_path / "o.sqlite")
    as_r2.add_note("anything", 1.0, "not mine")
    assert as_r2.send_waiting()
    [failed] = as_r2.status().failed
    assert "may not" in failed.failed or "row-level security" in failed.failed
    as_r2.stop()
    with shared.connect("R1") as r1, pytest.raises(psycopg.errors.InsufficientPrivilege):
        r1.execute("INSERT INTO server_applied_write (write_key, rater_code, action) "
                   "VALUES (gen_random_uuid(), 'R2', 'add_note')")


def test_writes_wait_through_a_cut_connection_and_arrive_once(shared, tmp_path):
    server = make_url(shared.url)
    proxy = TcpProxy(server.host, server.port)
    seen = []
    online = OnlineRater(r1_url(shared, host="127.0.0.1", port=proxy.port), "R1",
                         outbox=tmp_path / "o.sqlite", on_change=lambda s: seen.append(s.online))
    online.start()
    text = f"cut {uuid.uuid4()}"
    online.add_note(codes(shared)[0], 1.0, f"{text} before")
    wait_for(lambda: online.status().waiting == 0)
    proxy.cut(2.0)
    online.add_note(codes(shared)[0], 1.0, f"{text} during")
    wait_for(lambda: online.status().online is False)
    assert online.status().last_error
    wait_for(lambda: online.status().waiting == 0)
    online.stop()
    proxy.close()
    assert seen[-1] is True
    assert notes_saying(shared, f"{text} before") == notes_saying(shared, f"{text} during") == 1
