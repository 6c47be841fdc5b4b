"""A shared study through the app's own code (issue 17): a rater logs in once with the
invitation, then does all of their work with the URL alone, and nothing of anyone else's; the
password lives in the keyring or a 0600 password file, never in settings or logs."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

import keyring
import psycopg
import pytest
from jaraco.classes import properties
from keyring.backend import KeyringBackend
from server_study import DIMENSIONS, logged_in, server_study

from rater.core.errors import RaterError
from rater.services import rating, server
from rater.services.export import export_study
from rater.services.study import study_info
from rater.services.verify import verify_study
from rater.storage.passwords import pgpass_path


@pytest.fixture(scope="module")
def shared(pg_admin_url, tmp_path_factory):
    with server_study(pg_admin_url, tmp_path_factory.mktemp("server")) as study:
        yield study


@pytest.fixture(scope="module")
def data_home(tmp_path_factory):
    """Where R1's computer keeps its password file, for every test of the module."""
    return tmp_path_factory.mktemp("data_home")


@pytest.fixture
def r1(shared, data_home, monkeypatch):
    """R1's URL, logged in once (no keyring on this machine: the password file)."""
    return logged_in(shared, "R1", data_home, monkeypatch)


def test_logging_in_replaces_the_invitation_password_and_keeps_the_new_one_private(
        shared, r1, caplog):
    caplog.set_level(logging.DEBUG)
    settings_home, log_home = (Path(os.environ[v]) for v in ("XDG_CONFIG_HOME",
                                                              "XDG_STATE_HOME"))
    invitation = shared.logins["R1"]["password"]
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        shared.connect("R1")  # the invitation is used up
    path = pgpass_path()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    new = path.read_text().strip().rsplit(":", 1)[1]
    assert len(new) >= 32 and new != invitation
    assert rating.rater_name(r1) == "R1"  # the URL alone opens the study
    for folder in (settings_home, log_home):  # settings (Qt's and ours) and logs
        for file in (f for f in folder.rglob("*") if f.is_file()):
            text = file.read_text(errors="replace")
            assert new not in text and invitation not in text, file
    assert new not in caplog.text and invitation not in caplog.text
    with pytest.raises(RaterError, match="did not accept the login"):
        server.log_in(r1, invitation)  # a second use of the invitation


def test_a_rater_does_all_their_work_through_the_apps_own_code(shared, r1):
    assert rating.rater_name(r1) == "R1"
    assert [d.id for d in rating.codebook(r1).dimensions] == list(DIMENSIONS)
    queue = rating.rater_queue(r1)
    assert [e.code for e in queue] == [e.code for e in rating.rater_queue(shared.url, "R1")]
    # The audio is on the server (decision 1705): no path to a file, whose name would tell
    assert all(e.audio is None and e.duration_s > 0 for e in queue)
    assert rating.guess_question(r1)[0] == "la"
    code = next(e.code for e in queue if not e.submitted)
    for dimension in DIMENSIONS:
        rating.set_score(r1, code, dimension, 3)
    rating.clear_score(r1, code, "clarity")
    rating.set_score(r1, code, "clarity", 4)
    note = rating.add_note(r1, code, 1.5, "clear about next steps", "clarity")
    rating.add_note(r1, code, 0.5, "a slip", None)
    rating.delete_note(r1, code, note)
    rating.save_listening(r1, code, [(0.0, 0.8, 1.25)])
    rating.save_place(r1, code, 0.8)
    rating.record_guess(r1, code, "")
    rating.submit_rating(r1, code)
    rating.amend_rating(r1, code, "warmth", 4, "heard the end again")
    assert [n[2] for n in rating.notes(r1, code)] == ["a slip"]
    assert rating.heard_spans(r1, code) == [(0.0, 0.8, 1.25)]
    assert rating.last_place(r1) == (code, 0.8)
    entry = next(e for e in rating.rater_queue(r1) if e.code == code)
    assert entry.submitted and entry.scores == {"warmth": 4, "empathy": 3, "strengths": 3,
                                                "clarity": 4}
    verified = verify_study(shared.url)  # the rater's events extend an intact audit chain
    assert verified["ok"], verified["problems"]


def test_the_app_gives_a_rater_nothing_of_anyone_elses(shared, r1, tmp_path):
    others = rating.rater_queue(shared.url, "R2")
    assert rating.rater_queue(r1, "R2") == []
    with pytest.raises(RaterError, match="no recording"):
        rating.set_score(r1, others[0].code, "warmth", 1, "R2")
    with pytest.raises(RaterError, match="your login may not do this"):
        study_info(r1)
    with pytest.raises(RaterError, match="your login may not do this"):
        export_study(r1, "csv-long", tmp_path / "out.csv")
    assert not (tmp_path / "out.csv").exists()


def test_a_researcher_logs_in_and_reads_the_whole_study(shared, data_home, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(data_home))
    login = shared.logins["researcher"]
    server.log_in(login["url"], login["password"])
    info = study_info(login["url"])
    assert info["raters"] == 2 and info["ratings"]["submitted"] > 0
    assert [f["name"] for f in info["metadata_fields"]] == ["la"]


class MemoryKeyring(KeyringBackend):
    """A desktop keyring for the test (this machine has none). Never chosen by keyring's own
    discovery (its priority cannot be read): only where a test sets it."""

    @properties.classproperty
    def priority(cls):
        raise RuntimeError("a test's keyring: set it with keyring.set_keyring")

    def __init__(self):
        super().__init__()
        self.saved: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.saved.get((service, username))

    def set_password(self, service, username, password):
        self.saved[(service, username)] = password

    def delete_password(self, service, username):
        self.saved.pop((service, username), None)


def test_with_a_keyring_the_password_goes_there_and_the_app_finds_it(shared):
    before, memory = keyring.get_keyring(), MemoryKeyring()
    keyring.set_keyring(memory)
    try:
        login = shared.logins["R2"]
        assert "keyring" in server.log_in(login["url"], login["password"])
        assert not pgpass_path().exists()
        [(service, account)] = memory.saved
        assert service == "rater" and account.startswith(login["login"] + "@127.0.0.1:")
        assert rating.rater_name(login["url"]) == "R2"
    finally:
        keyring.set_keyring(before)


def test_a_remote_server_without_verify_full_is_refused_before_connecting():
    url = "postgresql+psycopg://s_rater_r1@db.example.org:5432/s?sslmode=require"
    with pytest.raises(RaterError, match="must be encrypted") as caught:
        rating.rater_queue(url)
    assert "sslmode=verify-full" in caught.value.problems[0].fix
