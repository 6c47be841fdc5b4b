"""A shared study on the test PostgreSQL server, set up once per test module (setting one up
takes seconds): two raters with work of their own, a researcher and a trainer, each with a
login and its invitation password."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from audio_files import write_audio
from sqlalchemy.engine import make_url

from rater.services import rating, server
from rater.services.allocating import allocate_study
from rater.services.blinding import blind_study, set_blinding_check
from rater.services.importing import import_recordings
from rater.services.server_audio import upload_audio

DIMENSIONS = ("warmth", "empathy", "strengths", "clarity")


@dataclass(frozen=True)
class ServerStudy:
    url: str  # the owner's (the test server's administrator)
    database: str
    logins: dict[str, dict]  # "R1", "R2", "researcher", "trainer" -> login, url, password

    def connect(self, who: str) -> psycopg.Connection:
        """A plain psycopg connection as one login, with its invitation password."""
        login = self.logins[who]
        url = make_url(login["url"]).set(drivername="postgresql", password=login["password"])
        return psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)

    def admin(self) -> psycopg.Connection:
        url = make_url(self.url).set(drivername="postgresql")
        return psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)


def _rate(url: str, rater: str, submitted: int) -> None:
    """Some work of each kind: `submitted` items scored and submitted, one a draft, with a
    note, listening and a guess on the first."""
    queue = rating.rater_queue(url, rater)
    for entry in queue[:submitted]:
        for d, dimension in enumerate(DIMENSIONS):
            rating.set_score(url, entry.code, dimension, 1 + d, rater)
        rating.submit_rating(url, entry.code, rater)
    rating.set_score(url, queue[submitted].code, "warmth", 2, rater)
    first = queue[0].code
    rating.add_note(url, first, 3.0, f"{rater} heard warmth here", "warmth", rater)
    rating.save_listening(url, first, [(0.0, 1.0, 1.0)], rater)
    rating.record_guess(url, first, "N", rater)
    rating.save_place(url, first, 0.5, rater)
    rating.amend_rating(url, first, "warmth", 5, f"{rater} listened again", rater)


def _admin(admin_url: str) -> psycopg.Connection:
    return psycopg.connect(make_url(admin_url).set(drivername="postgresql")
                           .render_as_string(hide_password=False), autocommit=True)


@contextmanager
def empty_database(admin_url: str) -> Iterator[tuple[str, str]]:
    """A new database (its URL and name); afterwards it is dropped with every role named
    after it (roles belong to the whole server, not to the database)."""
    database = f"rs_{uuid.uuid4().hex[:10]}"
    with _admin(admin_url) as admin:
        admin.execute(f'CREATE DATABASE "{database}"')
    try:
        yield make_url(admin_url).set(database=database).render_as_string(
            hide_password=False), database
    finally:
        admin = _admin(admin_url)  # a new connection: the server may have restarted since
        admin.execute(f'DROP DATABASE "{database}" WITH (FORCE)')
        roles = admin.execute("SELECT rolname FROM pg_roles WHERE starts_with(rolname, %s)",
                              (f"{database}_",)).fetchall()
        for (role,) in roles:
            admin.execute(f'DROP ROLE "{role}"')
        admin.close()


@contextmanager
def server_study(admin_url: str, folder: Path, *, seconds: float = 1,
                 retest: float = 0.0) -> Iterator[ServerStudy]:
    """Four recordings (hidden field `la`) of `seconds` each, half double-coded (and `retest`
    of them rated again), blinded, their audio uploaded; R1 and R2 have done work of every kind
    (through the owner's connection); every login invited."""
    with empty_database(admin_url) as (url, database):
        logins: dict[str, dict] = {}
        audio = folder / "audio"
        for i in range(4):
            write_audio(audio / f"secret_name_{i}.wav", seconds=seconds, freq=250 + 50 * i)
        (audio / "m.csv").write_text("file,la\n" + "".join(
            f"secret_name_{i}.wav,{'NS'[i % 2]}\n" for i in range(4)))
        server.setup(url)
        import_recordings(url, audio, audio / "m.csv")
        blind_study(url, out=folder / "blinded", workers=1)
        set_blinding_check(url, "la")
        allocate_study(url, ["R1", "R2"], double=0.5, retest=retest, seed=1)  # each has one alone
        upload_audio(url)
        _rate(url, "R2", submitted=2)
        _rate(url, "R1", submitted=1)
        for rater in ("R1", "R2"):
            logins[rater] = server.add_rater(url, rater)
        logins["researcher"] = server.add_researcher(url, "Ann")
        logins["trainer"] = server.add_trainer(url, "Tom")
        yield ServerStudy(url, database, logins)


def logged_in(study: ServerStudy, who: str, data_home: Path, monkeypatch) -> str:
    """`who`'s URL, logged in once on their computer, whose password file lives in
    `data_home` (keep it for the module: the invitation can be used only once)."""
    from rater.storage.passwords import pgpass_path

    monkeypatch.setenv("XDG_DATA_HOME", str(data_home))
    login = study.logins[who]
    if not pgpass_path().exists():
        assert "password file" in server.log_in(login["url"], login["password"])
    return login["url"]
