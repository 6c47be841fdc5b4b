"""A rater's login on a shared study, tried with plain SQL (issue 17): for every table of the
schema, what it may read is only its own (or shared) rows and columns, and what it may not do
is refused: SELECT, UPDATE, DELETE, TRUNCATE, COPY and INSERT. Researchers and trainers too.

The tables come from the schema's metadata: a new table fails `test_every_table_is_classified`
until this file says what a rater may do with it."""

from __future__ import annotations

import psycopg
import pytest
from psycopg import errors
from server_study import server_study

from rater.services import server
from rater.services.verify import verify_study
from rater.storage.schema import Base
from rater.storage.server_roles import study_tables

# What a rater (R1) may see of each table, written out here apart from the policies.
NO_ACCESS = {"recording", "metadata_field", "metadata_value", "redaction", "consensus",
             "pack_event", "gold_score", "gold_moment", "workshop", "certification_test",
             "certification_recording", "certification_attempt", "certification_result"}
SHARED = {"study", "codebook_version", "scale_value", "codebook_dimension", "audit_event"}
MY_ASSIGNMENTS = "(SELECT id FROM assignment WHERE rater_id = %(me)s)"
OWN = {
    "rater": "id = %(me)s",
    "assignment": "rater_id = %(me)s",
    "rating": f"assignment_id IN {MY_ASSIGNMENTS}",
    "note": f"assignment_id IN {MY_ASSIGNMENTS}",
    "guess": f"assignment_id IN {MY_ASSIGNMENTS}",
    "listening_span": f"assignment_id IN {MY_ASSIGNMENTS}",
    "amendment": f"rating_id IN (SELECT id FROM rating WHERE assignment_id IN {MY_ASSIGNMENTS})",
    "server_login": "rater_code = %(me)s",
    "server_audio_item": "code IN (SELECT code FROM assignment WHERE rater_id = %(me)s)",
    "server_audio_chunk": "code IN (SELECT code FROM assignment WHERE rater_id = %(me)s)",
    "server_applied_write": "rater_code = %(me)s",
}
# Columns a rater must never read (hidden fields, originals, the key, the research side).
FORBIDDEN = {
    "study": ("secret", "name", "pack_id", "criterion", "unblinded_at", "created_at"),
    "assignment": ("role", "created_at", "recording_id"),
    "audit_event": ("detail", "actor", "action", "at"),
}
UPDATABLE = {"rater": "current_code", "assignment": "resume_s"}  # a column R1 may update
TABLES = sorted(study_tables())
ME = {"me": "R1"}


@pytest.fixture(scope="module")
def shared(pg_admin_url, tmp_path_factory):
    with server_study(pg_admin_url, tmp_path_factory.mktemp("server")) as study:
        admin, r1 = study.admin(), study.connect("R1")
        for rater in ("R1", "R2"):  # a write of each applied by its key (decision 1702)
            admin.execute("INSERT INTO server_applied_write (write_key, rater_code, action) "
                          "VALUES (gen_random_uuid(), %s, 'save_place')", (rater,))
        yield study, admin, r1
        r1.close()
        admin.close()


def refused(connection: psycopg.Connection, statement: str, *params) -> bool:
    """Did the server refuse the statement for want of a privilege (or row-level security)?"""
    try:
        connection.execute(statement, params or None)
    except (errors.InsufficientPrivilege, errors.FeatureNotSupported):
        return True
    return False


def count(connection: psycopg.Connection, table: str, where: str = "true") -> int:
    return connection.execute(f"SELECT count(*) FROM {table} WHERE {where}", ME).fetchone()[0]


def not_mine(table: str) -> str:
    return f"NOT ({OWN[table]})" if table in OWN else "true"


def key_column(table: str) -> str:
    if table in UPDATABLE:
        return UPDATABLE[table]
    if table == "server_login":
        return "role_name"
    if table.startswith("server_audio"):
        return "code"
    if table == "server_applied_write":
        return "write_key"
    return next(iter(Base.metadata.tables[table].primary_key.columns)).name


def test_every_table_is_classified_and_guarded_by_row_level_security(shared):
    _, admin, _ = shared
    assert set(TABLES) == NO_ACCESS | SHARED | set(OWN)
    rows = admin.execute("SELECT relname FROM pg_class WHERE relkind = 'r' AND relrowsecurity "
                         "AND relnamespace = 'public'::regnamespace").fetchall()
    assert set(TABLES) <= {name for (name,) in rows}


@pytest.mark.parametrize("table", TABLES)
def test_select_sees_only_what_is_the_raters(shared, table):
    _, admin, r1 = shared
    if table in NO_ACCESS:
        assert refused(r1, f"SELECT * FROM {table}")
        assert refused(r1, f"SELECT count(*) FROM {table}")
        return
    if table in SHARED:
        assert count(r1, table) == count(admin, table) > 0
        return
    mine = count(admin, table, OWN[table])
    assert 0 < mine < count(admin, table), "the study must hold the rater's and others' rows"
    assert count(r1, table) == mine
    assert count(r1, table, not_mine(table)) == 0


@pytest.mark.parametrize("table", TABLES)
def test_update_and_delete_never_reach_others_rows(shared, table):
    _, admin, r1 = shared
    others = count(admin, table, not_mine(table))
    column = key_column(table)
    for statement in (f"UPDATE {table} SET {column} = {column} WHERE {not_mine(table)}",
                      f"DELETE FROM {table} WHERE {not_mine(table)}"):
        try:
            affected = r1.execute(statement, ME).rowcount
        except (errors.InsufficientPrivilege, errors.FeatureNotSupported):
            continue
        assert affected == 0, statement
    assert count(admin, table, not_mine(table)) == others


@pytest.mark.parametrize("table", TABLES)
def test_truncate_is_refused(shared, table):
    _, admin, r1 = shared
    before = count(admin, table)
    assert refused(r1, f"TRUNCATE {table} CASCADE")
    assert count(admin, table) == before


@pytest.mark.parametrize("table", TABLES)
def test_copy_out_gives_no_more_than_select_and_copy_in_is_refused(shared, table):
    """COPY out needs every column: refused where a rater reads none or only some."""
    _, admin, r1 = shared
    if table in NO_ACCESS | set(FORBIDDEN):
        with (pytest.raises(errors.InsufficientPrivilege),
              r1.cursor().copy(f"COPY {table} TO STDOUT") as copy):
            list(copy)
    else:
        with r1.cursor().copy(f"COPY {table} TO STDOUT") as copy:
            lines = sum(bytes(block).count(b"\n") for block in copy)
        assert lines == count(admin, table, OWN.get(table, "true")) > 0
    with (pytest.raises((errors.InsufficientPrivilege, errors.FeatureNotSupported)),
          r1.cursor().copy(f"COPY {table} FROM STDIN") as copy):
        copy.write(b"")


@pytest.mark.parametrize("table", sorted(NO_ACCESS | {"study", "codebook_version", "scale_value",
                                                       "codebook_dimension", "recording",
                                                       "rater", "assignment",
                                                       "server_login", "server_audio_item",
                                                       "server_audio_chunk"}))
def test_insert_is_refused_where_a_rater_writes_nothing(shared, table):
    _, _, r1 = shared
    with pytest.raises(errors.InsufficientPrivilege):
        r1.execute(f"INSERT INTO {table} DEFAULT VALUES")


def _others_item(admin) -> tuple[int, int]:
    """An assignment of R2's and one of its submitted ratings."""
    return admin.execute("SELECT a.id, r.id FROM assignment a JOIN rating r "
                         "ON r.assignment_id = a.id WHERE a.rater_id = 'R2' "
                         "AND r.state = 'submitted' LIMIT 1").fetchone()


@pytest.mark.parametrize("statement", [
    "INSERT INTO note (assignment_id, time_s, text, created_at, seq) "
    "VALUES (%(a)s, 1, 'x', now(), 0)",
    "INSERT INTO listening_span (assignment_id, start_s, end_s, speed, seq) "
    "VALUES (%(a)s, 0, 1, 1, 0)",
    "INSERT INTO guess (assignment_id, field, guess, at) VALUES (%(a)s, 'la', '', now())",
    "INSERT INTO rating (assignment_id, codebook_version_id, dimension, score, state, "
    "created_at, updated_at) VALUES (%(a)s, 1, 'zz', 3, 'draft', now(), now())",
    "INSERT INTO amendment (rating_id, codebook_version_id, old_score, new_score, reason, who, "
    "at) VALUES (%(r)s, 1, 1, 2, 'because', 'R1', now())",
    "INSERT INTO audit_event (at, actor, action, detail) VALUES (now(), 'R2', 'x', '{}')",
    "INSERT INTO server_applied_write (write_key, rater_code, action) "
    "VALUES (gen_random_uuid(), 'R2', 'x')",
    "UPDATE rating SET assignment_id = %(a)s WHERE state = 'draft'",
])
def test_a_rater_cannot_write_in_anothers_name(shared, statement):
    _, admin, r1 = shared
    assignment, rating = _others_item(admin)
    assert refused(r1, statement.replace("%(a)s", str(assignment)).replace("%(r)s", str(rating)))


def test_a_rater_appends_to_the_audit_trail_in_their_own_name(shared):
    _, admin, r1 = shared
    before = count(admin, "audit_event")
    r1.execute("INSERT INTO audit_event (at, actor, action, detail) "
               "VALUES (now(), 'R1', 'test.event', '{}')")
    assert count(admin, "audit_event") == before + 1
    # ... and deletes it? The append-only guard refuses, for the owner too.
    with pytest.raises(psycopg.Error):
        admin.execute("DELETE FROM audit_event WHERE action = 'test.event'")


@pytest.mark.parametrize(("table", "column"),
                         [(t, c) for t, columns in FORBIDDEN.items() for c in columns])
def test_hidden_fields_originals_and_the_key_are_out_of_reach(shared, table, column):
    _, _, r1 = shared
    assert refused(r1, f"SELECT {column} FROM {table}")


def test_statistics_do_not_leak_values_of_hidden_or_others_rows(shared):
    _, admin, r1 = shared
    admin.execute("ANALYZE")
    rows = r1.execute("SELECT DISTINCT tablename FROM pg_stats WHERE schemaname = 'public'")
    assert {name for (name,) in rows} == {"alembic_version"}  # the schema's revision only


def test_a_login_of_one_study_cannot_connect_to_its_database_as_another_group(shared):
    study, admin, r1 = shared
    assert refused(r1, f'SET ROLE "{study.database}_researchers"')
    assert r1.execute("SELECT current_user").fetchone()[0] == study.logins["R1"]["login"]


def test_researchers_read_everything_but_cannot_rewrite_the_record(shared):
    study, admin, _ = shared
    researcher = study.connect("researcher")
    assert researcher.execute("SELECT secret FROM study").fetchone()[0]
    assert count(researcher, "metadata_value") == count(admin, "metadata_value") > 0
    assert count(researcher, "rating") == count(admin, "rating")
    _, submitted = _others_item(admin)
    for statement in (f"UPDATE rating SET score = 1 WHERE id = {submitted}",
                      f"DELETE FROM rating WHERE id = {submitted}",
                      "UPDATE audit_event SET actor = 'x'", "DELETE FROM amendment"):
        with pytest.raises(errors.RaiseException, match="cannot|append-only"):
            researcher.execute(statement)
    for statement in ("TRUNCATE rating CASCADE", "ALTER TABLE rating DISABLE TRIGGER ALL",
                      "DROP TRIGGER rating_submitted_fixed ON rating",
                      "ALTER TABLE rating DISABLE ROW LEVEL SECURITY"):
        with pytest.raises(errors.InsufficientPrivilege):
            researcher.execute(statement)
    researcher.close()


def test_trainers_see_neither_the_key_nor_hidden_fields_nor_ratings(shared):
    study, _, _ = shared
    trainer = study.connect("trainer")
    for statement in ("SELECT secret FROM study", "SELECT * FROM metadata_value",
                      "SELECT * FROM rating", "SELECT original_name FROM recording"):
        assert refused(trainer, statement)
    assert count(trainer, "recording") == 0  # the study has no gold recordings
    trainer.close()


def _access_problems(url: str) -> list[str]:
    """What `rater study verify` says of the grants (the module's other tests leave records
    that its other checks report)."""
    return [p for p in verify_study(url)["problems"] if "rater server setup" in p]


@pytest.mark.parametrize("widening", [
    "GRANT SELECT ON recording TO {raters}",
    "GRANT SELECT (secret) ON study TO {raters}",
    "GRANT DELETE ON amendment TO {raters}",
    "GRANT SELECT ON metadata_value TO {trainers}",
    "ALTER TABLE note DISABLE ROW LEVEL SECURITY",
])
def test_study_verify_finds_a_grant_or_policy_rater_never_made(shared, widening):
    """An administrator's stray GRANT (or row-level security switched off) opens a login to
    what it must not see: `rater study verify` says so, and setup puts it back."""
    study, admin, _ = shared
    assert _access_problems(study.url) == []
    admin.execute(widening.format(raters=f'"{study.database}_raters"',
                                  trainers=f'"{study.database}_trainers"'))
    try:
        assert len(_access_problems(study.url)) == 1
    finally:
        server.setup(study.url)
    assert _access_problems(study.url) == []
