"""The blinded audio of a shared study on its server (issue 17, decision 1705): the researcher
uploads it by blind code; a rater's computer, with the rater's URL alone, fetches the codes of
its own queue into the local cache, byte for byte, and nothing else; an interrupted or
damaged cache is completed or fetched again."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from server_study import logged_in, server_study

from rater.core.audio_cache import CHUNK_BYTES, CachedAudio, cache_home, chunk_count
from rater.core.errors import RaterError
from rater.services import audio_cache, rating, server
from rater.services.audio_cache import Fetcher
from rater.services.server_audio import upload_audio
from rater.storage.audio_store import read_chunks
from rater.storage.engine import make_engine


@pytest.fixture(scope="module")
def shared(pg_admin_url, tmp_path_factory):
    """Recordings long enough for several chunks, and re-tests."""
    with server_study(pg_admin_url, tmp_path_factory.mktemp("server"), seconds=150,
                      retest=0.5) as study:
        yield study


@pytest.fixture(scope="module")
def data_home(tmp_path_factory):
    return tmp_path_factory.mktemp("data_home")


@pytest.fixture
def r1(shared, data_home, monkeypatch):
    """R1's URL, logged in once on R1's computer."""
    yield logged_in(shared, "R1", data_home, monkeypatch)
    audio_cache.stop_fetching()


def _codes(shared, rater: str) -> list[str]:
    return [entry.code for entry in rating.rater_queue(shared.url, rater)]


def _server_bytes(shared, code: str) -> bytes:
    engine = make_engine(shared.url)
    try:
        return b"".join(read_chunks(engine, code, 0, 1 << 30))
    finally:
        engine.dispose()


def _blinded_copies(shared) -> dict[str, bytes]:
    """A recording's own blind code -> its blinded copy, as the researcher has it."""
    with shared.admin() as admin:
        rows = admin.execute("SELECT blind_code, blind_path FROM recording").fetchall()
    return {code: Path(path).read_bytes() for code, path in rows}


def test_every_code_in_a_queue_is_on_the_server_each_retest_with_bytes_of_its_own(shared):
    with shared.admin() as admin:
        codes = {c for (c,) in admin.execute("SELECT DISTINCT code FROM assignment")}
        stored = dict(admin.execute("SELECT code, total_bytes FROM server_audio_item").fetchall())
        retests = admin.execute(
            "SELECT a.code, r.blind_code FROM assignment a JOIN recording r "
            "ON r.id = a.recording_id WHERE a.code <> r.blind_code").fetchall()
    assert set(stored) == codes
    assert retests, "the study must hold re-tests"
    copies = _blinded_copies(shared)
    for code, blinded in copies.items():
        if code in codes:
            assert _server_bytes(shared, code) == blinded
    for retest, first in retests:
        again = _server_bytes(shared, retest)
        assert again != copies[first] and len(again) != len(copies[first])


def test_uploading_again_changes_nothing(shared):
    with shared.admin() as admin:
        before = admin.execute("SELECT code, sha256 FROM server_audio_item ORDER BY 1").fetchall()
    result = upload_audio(shared.url)
    assert result["uploaded"] == 0 and result["already_there"] == result["codes"] == len(before)
    with shared.admin() as admin:
        assert admin.execute("SELECT code, sha256 FROM server_audio_item "
                             "ORDER BY 1").fetchall() == before


def test_a_rater_fetches_their_own_codes_byte_for_byte_into_the_cache(shared, r1):
    codes = _codes(shared, "R1")
    audio_cache.start_fetching(r1, codes)
    fetcher = audio_cache.fetcher(r1)
    for code in codes:
        path = fetcher.wait(code)
        assert path.parent.parent == cache_home() and path.name.startswith(code)
        assert path.read_bytes() == _server_bytes(shared, code)
        assert audio_cache.audio_path(r1, code) == path
    assert not [p for p in path.parent.iterdir() if p.suffix in (".part", ".tail", ".json")]


def test_a_rater_gets_no_audio_of_anyone_elses_codes(shared, r1):
    others = set(_codes(shared, "R2")) - set(_codes(shared, "R1"))
    assert others
    fetcher = audio_cache.fetcher(r1)
    for code in others:
        assert fetcher.path(code) is None
    with shared.connect("R2") as r2:  # with plain SQL
        seen = {c for (c,) in r2.execute("SELECT DISTINCT code FROM server_audio_chunk")}
        assert seen == set(_codes(shared, "R2"))
        mine = set(_codes(shared, "R1")) - set(_codes(shared, "R2"))
        assert r2.execute("SELECT count(*) FROM server_audio_chunk WHERE code = ANY(%s)",
                          (list(mine),)).fetchone()[0] == 0


def test_no_original_file_is_on_the_server(shared, tmp_path):
    with shared.admin() as admin:
        sources = [Path(p) for (p,) in admin.execute("SELECT source_path FROM recording")]
        stored = {s.strip() for (s,) in admin.execute("SELECT sha256 FROM server_audio_item")}
        first_chunks = [bytes(d) for (d,) in admin.execute(
            "SELECT data FROM server_audio_chunk WHERE idx = 0")]
    for source in sources:
        original = source.read_bytes()
        assert hashlib.sha256(original).hexdigest() not in stored
        assert not any(original[:4096] in chunk for chunk in first_chunks)


def _fresh_fetcher(r1: str, tmp_path: Path) -> Fetcher:
    return Fetcher(r1, tmp_path / "cache")


def test_an_interrupted_fetch_resumes_where_it_stopped(shared, r1, tmp_path):
    code = _codes(shared, "R1")[0]
    expected = _server_bytes(shared, code)
    chunks = chunk_count(len(expected))
    assert chunks >= 4, "the recording must span several chunks"
    cached = CachedAudio(tmp_path / "cache", code, "flac")
    cached.folder.mkdir()
    cached.meta.write_text(json.dumps({"total_bytes": len(expected),
                                       "sha256": hashlib.sha256(expected).hexdigest()}))
    cached.part.write_bytes(expected[:CHUNK_BYTES + 1000])  # killed inside the second chunk
    fetcher = _fresh_fetcher(r1, tmp_path)
    try:
        fetcher.want([code])
        assert fetcher.wait(code).read_bytes() == expected
        assert fetcher.fetched_chunks[code] == chunks - 1  # all but the first, once each
    finally:
        fetcher.close()


def test_a_damaged_cache_is_fetched_again(shared, r1, tmp_path):
    code = _codes(shared, "R1")[0]
    expected = _server_bytes(shared, code)
    cached = CachedAudio(tmp_path / "cache", code, "flac")
    cached.folder.mkdir()
    cached.final.write_bytes(expected[:100] + b"X" + expected[101:])
    fetcher = _fresh_fetcher(r1, tmp_path)
    try:
        fetcher.want([code])
        assert fetcher.wait(code).read_bytes() == expected
        assert fetcher.fetched_chunks[code] == chunk_count(len(expected))
    finally:
        fetcher.close()


def test_a_part_file_with_wrong_bytes_is_thrown_away_and_fetched_again(shared, r1, tmp_path):
    code = _codes(shared, "R1")[0]
    expected = _server_bytes(shared, code)
    cached = CachedAudio(tmp_path / "cache", code, "flac")
    cached.folder.mkdir()
    cached.meta.write_text(json.dumps({"total_bytes": len(expected),
                                       "sha256": hashlib.sha256(expected).hexdigest()}))
    cached.part.write_bytes(b"\0" * CHUNK_BYTES)
    fetcher = _fresh_fetcher(r1, tmp_path)
    try:
        fetcher.want([code])
        assert fetcher.wait(code).read_bytes() == expected
        assert fetcher.fetched_chunks[code] > chunk_count(len(expected))
    finally:
        fetcher.close()


def test_an_interrupted_upload_is_completed_by_running_it_again_from_the_cli(shared):
    """Each code is one transaction; a code without its row (chunks left or not) is done
    again, the others are left as they are."""
    with shared.admin() as admin:
        code, sha = admin.execute("SELECT code, sha256 FROM server_audio_item "
                                  "ORDER BY code LIMIT 1").fetchone()
        admin.execute("DELETE FROM server_audio_item WHERE code = %s", (code,))
        admin.execute("DELETE FROM server_audio_chunk WHERE code = %s AND idx > 0", (code,))
        admin.execute("UPDATE server_audio_chunk SET data = 'x' WHERE code = %s", (code,))
    result = subprocess.run([sys.executable, "-m", "rater", "server", "upload-audio",
                             shared.url, "--json"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["uploaded"] == 1 and report["already_there"] == report["codes"] - 1
    again = _server_bytes(shared, code)
    assert hashlib.sha256(again).hexdigest() == sha.strip() or code not in _blinded_copies(shared)
    with shared.admin() as admin:
        total = admin.execute("SELECT total_bytes FROM server_audio_item WHERE code = %s",
                              (code,)).fetchone()[0]
    assert len(again) == total


def test_a_researchers_login_uploads_and_a_raters_login_cannot(shared, r1, data_home,
                                                               monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(data_home))
    login = shared.logins["researcher"]
    server.log_in(login["url"], login["password"])
    with shared.admin() as admin:
        code = admin.execute("SELECT code FROM server_audio_item ORDER BY code DESC "
                             "LIMIT 1").fetchone()[0]
        admin.execute("DELETE FROM server_audio_item WHERE code = %s", (code,))
    with pytest.raises(RaterError, match="your login may not do this"):
        upload_audio(r1)
    assert upload_audio(login["url"])["uploaded"] == 1
    with shared.admin() as admin:
        assert admin.execute("SELECT count(*) FROM server_audio_item WHERE code = %s",
                             (code,)).fetchone()[0] == 1


def test_a_raters_queue_ties_no_retest_to_its_first_presentation(shared, r1):
    """Decision 1701's leak closed: R1's login reads no recording and no recording id; its
    queue (through the server's view) lists each code with the duration of that code's own
    copy and no path, so a re-test and its first presentation differ even in length."""
    with shared.admin() as admin:
        pairs = admin.execute(
            "SELECT a.code, first.code FROM assignment a JOIN recording r ON r.id = a.recording_id "
            "JOIN assignment first ON first.recording_id = a.recording_id "
            "AND first.rater_id = a.rater_id AND first.code = r.blind_code "
            "WHERE a.rater_id = 'R1' AND a.code <> r.blind_code").fetchall()
    assert pairs, "R1 must hold a re-test of a recording it also rates"
    queue = {entry.code: entry for entry in rating.rater_queue(r1, "R1")}
    for retest, first in pairs:
        assert queue[retest].duration_s != pytest.approx(queue[first].duration_s, abs=0.01)
        assert queue[retest].audio is None and queue[first].audio is None
    engine = make_engine(r1)  # R1's own login, as R1's computer keeps it
    try:
        plain = engine.raw_connection().driver_connection  # plain SQL, no app code between
        plain.autocommit = True
        for statement in ("SELECT id FROM recording", "SELECT recording_id FROM assignment"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                plain.execute(statement)
        columns = [c.name for c in plain.execute(
            "SELECT * FROM server_rater_queue LIMIT 0").description]
        plain.close()
    finally:
        engine.dispose()
    assert columns == ["assignment_id", "rater_id", "code", "position", "resume_s", "duration_s",
                       "blind_path"]
