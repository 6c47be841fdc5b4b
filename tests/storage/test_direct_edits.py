"""What an ordinary database client can do to a study behind Rater's back (issue 13, items 2
and 3): the rules hold whatever the client does, and `rater study verify` reports every edit
that got past them (after a guard was dropped first)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import psycopg
import pytest
from audio_files import write_audio
from sqlalchemy.engine import make_url

from rater.core.errors import RaterError
from rater.services import rating
from rater.services.allocating import allocate_study
from rater.services.analysis import set_consensus
from rater.services.blinding import blind_study
from rater.services.export import export_study
from rater.services.importing import import_recordings
from rater.services.packs import export_pack
from rater.services.reliability import study_reliability
from rater.services.study import init_study
from rater.services.verify import verify_study

DIMENSIONS = ("warmth", "empathy", "strengths", "clarity")


@pytest.fixture
def study(tmp_path, study_location):
    """Three recordings double-coded by R1 and R2, all submitted; an amendment, a consensus
    decision, an issued pack, and a draft still open."""
    folder = tmp_path / "audio"
    for i in range(4):
        write_audio(folder / f"r{i}.wav", seconds=1, freq=250 + 50 * i)
    (folder / "m.csv").write_text("file,la\nr0.wav,N\nr1.wav,S\nr2.wav,N\nr3.wav,S\n")
    init_study(study_location)
    import_recordings(study_location, folder, folder / "m.csv")
    blind_study(study_location, out=tmp_path / "blinded", workers=1)
    allocate_study(study_location, ["R1", "R2"], double=1.0, seed=1)
    for rater in ("R1", "R2"):
        queue = rating.rater_queue(study_location, rater)
        for n, entry in enumerate(queue[:-1]):
            for d, dimension in enumerate(DIMENSIONS):
                rating.set_score(study_location, entry.code, dimension, 1 + (n + d) % 5, rater)
            rating.submit_rating(study_location, entry.code, rater)
        rating.set_score(study_location, queue[-1].code, "warmth", 3, rater)  # a draft
    first = rating.rater_queue(study_location, "R1")[0].code
    rating.amend_rating(study_location, first, "warmth", 5, "heard the end again", "R1")
    set_consensus(study_location, first, "warmth", 4, "discussed")
    export_pack(study_location, "R1", tmp_path / "R1.raterpack")
    return study_location


class Client:
    """A plain database client: sqlite3 with foreign keys off (its default), or psycopg."""

    def __init__(self, study: str):
        self.sqlite = "://" not in study
        if self.sqlite:
            self.connection = sqlite3.connect(study, isolation_level=None)
        else:
            url = make_url(study).set(drivername="postgresql")
            self.connection = psycopg.connect(url.render_as_string(hide_password=False),
                                              autocommit=True)

    def run(self, sql: str, *params) -> list:
        cursor = self.connection.execute(sql if self.sqlite else sql.replace("?", "%s"), params)
        return cursor.fetchall() if cursor.description else []

    def value(self, sql: str, *params):
        return self.run(sql, *params)[0][0]

    def refused(self, sql: str, *params) -> bool:
        """Did the database refuse the statement (and change nothing)?"""
        try:
            self.run(sql, *params)
        except (sqlite3.DatabaseError, psycopg.Error):
            return True
        return False

    def drop_guard(self, name: str, table: str) -> None:
        self.run(f"DROP TRIGGER {name}" if self.sqlite else f"DROP TRIGGER {name} ON {table}")

    def close(self) -> None:
        self.connection.close()


@pytest.fixture
def client(study):
    c = Client(study)
    yield c
    c.close()


def _submitted(client: Client) -> tuple:
    return tuple(client.run("SELECT id, assignment_id, codebook_version_id, dimension, score, "
                            "created_at, updated_at, submitted_at FROM rating "
                            "WHERE state = 'submitted' ORDER BY id LIMIT 1")[0])


def test_a_submitted_rating_cannot_be_replaced_or_rescored(client):
    rid, assignment, version, dimension, score, created, updated, submitted = _submitted(client)
    new = 1 if score != 1 else 2
    if client.sqlite:
        assert client.refused(
            "INSERT OR REPLACE INTO rating (id, assignment_id, codebook_version_id, dimension, "
            "score, state, created_at, updated_at, submitted_at) VALUES (?,?,?,?,?,?,?,?,?)",
            rid, assignment, version, dimension, new, "submitted", created, updated, submitted)
    else:
        assert client.refused(
            "INSERT INTO rating (id, assignment_id, codebook_version_id, dimension, score, state,"
            " created_at, updated_at, submitted_at) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s) "
            "ON CONFLICT (id) DO UPDATE SET score = EXCLUDED.score",
            rid, assignment, version, dimension, new, "submitted", created, updated, submitted)
    assert client.value("SELECT score FROM rating WHERE id = ?", rid) == score


def test_the_audit_trail_cannot_be_rewritten_or_emptied(client):
    before = client.run("SELECT id, action, detail FROM audit_event ORDER BY id")
    if client.sqlite:
        assert client.refused("INSERT OR REPLACE INTO audit_event (id, at, actor, action, detail)"
                              " VALUES (1, '2020-01-01 00:00:00', 'x', 'nothing', '{}')")
        assert client.refused("DELETE FROM audit_event")
    else:
        for table in ("audit_event", "rating", "amendment"):
            assert client.refused(f"TRUNCATE {table} CASCADE"), table
    assert client.run("SELECT id, action, detail FROM audit_event ORDER BY id") == before


@pytest.mark.parametrize("score", [9, -3, 42])
def test_scores_off_the_scale_are_refused_with_foreign_keys_off(client, score):
    draft = client.value("SELECT id FROM rating WHERE state = 'draft' LIMIT 1")
    assert client.refused("UPDATE rating SET score = ? WHERE id = ?", score, draft)
    assignment = client.value("SELECT assignment_id FROM rating WHERE id = ?", draft)
    version = client.value("SELECT codebook_version_id FROM rating WHERE id = ?", draft)
    assert client.refused(
        "INSERT INTO rating (assignment_id, codebook_version_id, dimension, score, state, "
        "created_at, updated_at) VALUES (?, ?, 'empathy', ?, 'draft', '2026-01-01', "
        "'2026-01-01')", assignment, version, score)
    assert client.value("SELECT count(*) FROM rating WHERE score NOT BETWEEN 1 AND 5") == 0


def test_recordings_with_submitted_ratings_cannot_be_deleted(client):
    recording = client.value(
        "SELECT a.recording_id FROM assignment a JOIN rating r ON r.assignment_id = a.id "
        "WHERE r.state = 'submitted' LIMIT 1")
    assert client.refused("DELETE FROM recording WHERE id = ?", recording)
    assert client.refused("DELETE FROM assignment WHERE recording_id = ?", recording)
    assert client.value("SELECT count(*) FROM recording WHERE id = ?", recording) == 1


def test_consensus_and_the_pack_log_are_append_only(client):
    assert client.refused("UPDATE consensus SET score = 1")
    assert client.refused("DELETE FROM consensus")
    assert client.refused("DELETE FROM pack_event")
    assert client.refused("UPDATE pack_event SET rater_id = 'R2'")
    assert client.value("SELECT count(*) FROM pack_event") == 1
    assert client.value("SELECT count(*) FROM consensus") == 1


def test_a_clean_study_verifies(study):
    result = verify_study(study)
    assert result["ok"], result["problems"]
    assert result["events"] > 5 and len(result["chain_head"]) == 64
    done = subprocess.run([sys.executable, "-m", "rater.cli", "study", "verify", study],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert result["chain_head"] in done.stdout


def _verify_cli(study: str) -> tuple[int, list[str]]:
    done = subprocess.run([sys.executable, "-m", "rater.cli", "study", "verify", study, "--json"],
                          capture_output=True, text=True)
    return done.returncode, json.loads(done.stdout)["problems"]


def test_verify_reports_every_edit_made_after_dropping_the_guards(study, client, tmp_path):
    """An attacker who knows the guards drops them first; verify then names what was done."""
    rid = _submitted(client)[0]
    if client.sqlite:
        client.drop_guard("rating_submitted_fixed", "rating")
        client.drop_guard("rating_on_scale_update", "rating")
        client.run("UPDATE rating SET score = -7 WHERE id = ?", rid)
        client.drop_guard("audit_event_no_update", "audit_event")
        client.run("UPDATE audit_event SET actor = 'someone else' WHERE id = 3")
        client.drop_guard("consensus_no_delete", "consensus")
        client.run("DELETE FROM consensus")
        client.drop_guard("recording_with_submitted_kept", "recording")
        client.drop_guard("assignment_with_submitted_kept", "assignment")
        orphaned = client.value("SELECT recording_id FROM assignment WHERE id = "
                                "(SELECT assignment_id FROM rating WHERE id = ?)", rid)
        client.run("DELETE FROM recording WHERE id = ?", orphaned)
        client.drop_guard("pack_event_no_delete", "pack_event")
        client.run("DELETE FROM pack_event")
        client.drop_guard("audit_event_no_delete", "audit_event")
        client.run("DELETE FROM audit_event WHERE id = 2")
    else:  # the owner can switch triggers off, and foreign keys with them (replication role)
        client.run("SET session_replication_role = replica")
        client.run("UPDATE rating SET score = -7 WHERE id = %s", rid)
        client.run("UPDATE audit_event SET actor = 'someone else' WHERE id = 3")
        client.run("DELETE FROM consensus")
        client.run("DELETE FROM pack_event")
        client.run("DELETE FROM audit_event WHERE id = 2")
        client.run("SET session_replication_role = origin")
        client.run("ALTER TABLE rating DISABLE TRIGGER rating_submitted_fixed")
        client.drop_guard("consensus_append_only", "consensus")
    code, problems = _verify_cli(study)
    text = "\n".join(problems)
    assert code == 1
    assert "rating: 1 score(s) not on the codebook scale" in text
    assert "audit event 3 was changed" in text
    assert "audit event numbers have gaps" in text
    assert "consensus: more decisions" not in text  # deleted, not slipped in...
    assert "guard trigger" in text  # ...which needed a guard dropped or disabled
    if client.sqlite:
        assert "recording that does not exist" in text
        assert "guard trigger rating_submitted_fixed is missing" in text
    else:
        assert "guard trigger rating_submitted_fixed is disabled" in text
        assert "guard trigger consensus_append_only is missing" in text
    # analyses refuse such a study instead of exporting a score of -7
    with pytest.raises(RaterError, match="study verify"):
        study_reliability(study)
    with pytest.raises(RaterError, match="study verify"):
        export_study(study, "csv-wide", tmp_path / "export.csv")
    assert not (tmp_path / "export.csv").exists()


def test_verify_reports_records_slipped_in_without_an_audit_event(study, client):
    if client.sqlite:
        client.drop_guard("consensus_no_replace", "consensus")
    recording, version = client.run("SELECT recording_id, codebook_version_id FROM consensus")[0]
    client.run("INSERT INTO consensus (recording_id, codebook_version_id, dimension, score, "
               "reason, who, at) VALUES (?, ?, 'empathy', 2, 'x', 'y', '2026-01-01')",
               recording, version)
    code, problems = _verify_cli(study)
    assert code == 1 and "consensus: more decisions than the audit trail records" in problems
