"""The study store on SQLite and PostgreSQL: creation, migrations, the rules the database keeps."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from rater.core.codebook import default_codebook_path, load_codebook
from rater.core.errors import RaterError
from rater.storage import engine as engines
from rater.storage.repository import StudyStore
from rater.storage.schema import (
    Amendment,
    Assignment,
    AuditEvent,
    Rater,
    Rating,
    Recording,
    Study,
    utcnow,
)


@pytest.fixture
def store(study_location):
    codebook = load_codebook(default_codebook_path())
    with StudyStore.create(study_location, "test study", codebook, "tester") as store:
        yield store


@pytest.fixture
def assignment_id(store):
    """One recording assigned to one rater, ready for ratings."""
    with store.transaction() as session:
        session.add(Rater(id="R1"))
        recording = Recording(original_name="a.wav", source_path="/x/a.wav", sha256="0" * 64,
                              size_bytes=10, format="WAV", subtype="PCM_16", sample_rate=16000,
                              channels=1, frames=16000, duration_s=1.0)
        session.add(recording)
        session.flush()
        assignment = Assignment(recording_id=recording.id, rater_id="R1", role="primary",
                                position=0, code="ABCDEFG")
        session.add(assignment)
        session.flush()
        return assignment.id


def _rating(store, assignment_id, score, dimension="warmth", state="draft"):
    version = store.study().codebook_version_id
    with store.transaction() as session:
        session.add(Rating(assignment_id=assignment_id, codebook_version_id=version,
                           dimension=dimension, score=score, state=state,
                           submitted_at=utcnow() if state == "submitted" else None))


def test_new_study_is_at_the_newest_schema_and_keeps_its_codebook(store):
    assert engines.current_revision(store.engine) == engines.SCHEMA_REVISION
    assert engines.head_revision() == engines.SCHEMA_REVISION
    codebook = load_codebook(default_codebook_path())
    assert store.codebook_text() == codebook.source_text
    with store.transaction() as session:
        assert session.get(Study, 1).name == "test study"
        assert session.scalar(select(AuditEvent.action)) == "study.init"


def test_reopening_a_study_sees_the_same_data(study_location, store):
    store.close()
    with StudyStore.open(study_location) as again:
        assert again.study().name == "test study"
        assert again.counts()["recordings"] == 0


def test_creating_over_an_existing_study_is_refused(study_location, store):
    codebook = load_codebook(default_codebook_path())
    with pytest.raises(RaterError, match="already"):
        StudyStore.create(study_location, "again", codebook, "tester")


def test_opening_something_that_is_not_a_study_says_so(tmp_path):
    not_a_study = tmp_path / "notes.rater"
    not_a_study.write_text("hello")
    with pytest.raises(RaterError, match="not a Rater study"):
        StudyStore.open(str(not_a_study))
    with pytest.raises(RaterError, match="no study file"):
        StudyStore.open(str(tmp_path / "missing.rater"))


@pytest.mark.parametrize("score", [0, 6, -1])
def test_database_refuses_a_score_outside_the_codebook_scale(store, assignment_id, score):
    with pytest.raises(IntegrityError):
        _rating(store, assignment_id, score)


def test_database_refuses_a_dimension_the_codebook_does_not_have(store, assignment_id):
    with pytest.raises(IntegrityError):
        _rating(store, assignment_id, 3, dimension="charm")


def test_one_rating_per_assignment_and_dimension(store, assignment_id):
    _rating(store, assignment_id, 3, state="submitted")
    with pytest.raises(IntegrityError):
        _rating(store, assignment_id, 4, state="submitted")


def test_a_submitted_rating_cannot_be_changed_or_deleted(store, assignment_id):
    _rating(store, assignment_id, 3, state="submitted")
    with pytest.raises(DBAPIError, match="amendment"), store.transaction() as session:
        session.execute(update(Rating).values(score=4))
    with pytest.raises(DBAPIError), store.transaction() as session:
        session.execute(text("DELETE FROM rating"))
    with store.transaction() as session:
        assert session.scalar(select(Rating.score)) == 3


def test_a_draft_rating_can_change(store, assignment_id):
    _rating(store, assignment_id, 3)
    with store.transaction() as session:
        session.execute(update(Rating).values(score=5))
    with store.transaction() as session:
        assert session.scalar(select(Rating.score)) == 5


def test_audit_trail_and_amendments_are_append_only(store, assignment_id):
    _rating(store, assignment_id, 3, state="submitted")
    version = store.study().codebook_version_id
    with store.transaction() as session:
        rating_id = session.scalar(select(Rating.id))
        session.execute(insert(Amendment).values(
            rating_id=rating_id, codebook_version_id=version, old_score=3, new_score=4,
            reason="misheard the opening", who="R1", at=utcnow()))
    for statement in ("UPDATE audit_event SET actor = 'x'", "DELETE FROM audit_event",
                      "UPDATE amendment SET new_score = 5", "DELETE FROM amendment"):
        with pytest.raises(DBAPIError), store.transaction() as session:
            session.execute(text(statement))


def test_an_amendment_needs_a_reason_and_a_score_on_the_scale(store, assignment_id):
    _rating(store, assignment_id, 3, state="submitted")
    version = store.study().codebook_version_id
    for new_score, reason in ((4, "  "), (9, "typo")):
        with pytest.raises(IntegrityError), store.transaction() as session:
            session.execute(insert(Amendment).values(
                rating_id=session.scalar(select(Rating.id)), codebook_version_id=version,
                old_score=3, new_score=new_score, reason=reason, who="R1", at=utcnow()))


def test_foreign_keys_are_enforced(store):
    with pytest.raises(IntegrityError), store.transaction() as session:
        session.add(Assignment(recording_id=999, rater_id="nobody", role="primary", position=0,
                               code="ABCDEFG"))


def test_unknown_role_is_refused(store, assignment_id):
    with pytest.raises(IntegrityError), store.transaction() as session:
        session.execute(update(Assignment).values(role="boss"))


def test_migration_downgrade_and_upgrade_round_trip(study_location, store):
    from alembic import command

    with store.engine.begin() as connection:
        command.downgrade(engines._alembic_config(connection), "base")
    assert engines.current_revision(store.engine) is None
    engines.migrate(store.engine)
    assert engines.current_revision(store.engine) == engines.SCHEMA_REVISION


def test_the_migrations_build_exactly_the_schema_in_schema_py(store):
    """A change to schema.py without a migration fails here (Alembic's autogenerate diff)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from rater.storage.schema import Base

    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_writers_at_the_same_time_keep_one_unbroken_audit_chain(store):
    """Eight writers, each on its own connection, append at once; on PostgreSQL the server
    hashes each event (decision 1702's note): the chain must verify link by link in Python,
    accents and quotes included."""
    from concurrent.futures import ThreadPoolExecutor

    from rater.storage.repository import log_event
    from rater.storage.verify import verify_store

    def append(writer: int) -> None:
        for i in range(10):
            with store.transaction() as session:
                log_event(session, f"R{writer}", "test.event",
                          {"n": i, "note": "chaleur d'écoute, \"citée\" \x1f"})

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(append, range(8)))
    with store.transaction() as session:
        events = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert sum(e.action == "test.event" for e in events) == 80
    assert verify_store(store).problems == []
