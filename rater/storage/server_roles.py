"""Roles, grants and row-level security of a shared PostgreSQL study (issue 17).

Three group roles per study database (``<db>_researchers``, ``<db>_trainers``, ``<db>_raters``)
and one login role per person, a member of one group. The account that runs `rater server
setup` owns the tables (and so is the only one who can change triggers or the schema); nobody
else gets TRUNCATE, and every table has row-level security on, so a group sees only the rows
its policy names: a rater's rows are found through ``server_login`` (login role -> rater id)
and ``current_user``. What a group may not read at all (hidden metadata, original files, the
study secret) it is simply not granted, by table or by column.

Decision: docs/decisions/1701-shared-server-roles.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from psycopg import sql
from sqlalchemy import Connection, Integer, text

from rater.core.errors import Problem, RaterError
from rater.core.server_access import GROUPS, group_role, login_role
from rater.storage.audio_store import AUDIO_DDL, CHUNK_TABLE, ITEM_TABLE
from rater.storage.schema import Base
from rater.storage.server_notify import NOTIFY_DDL

LOGIN_TABLE = "server_login"
LOGIN_DDL = f"""CREATE TABLE IF NOT EXISTS {LOGIN_TABLE} (
    role_name VARCHAR(63) PRIMARY KEY,
    rater_code VARCHAR(64) NOT NULL UNIQUE REFERENCES rater(id),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now())"""
# Each write of a rater applied on the server, by its idempotency key: a write sent again
# (its acknowledgement was lost) finds its key here and is not applied twice (decision 1702).
APPLIED_TABLE = "server_applied_write"
APPLIED_DDL = f"""CREATE TABLE IF NOT EXISTS {APPLIED_TABLE} (
    write_key UUID PRIMARY KEY,
    rater_code VARCHAR(64) NOT NULL REFERENCES rater(id),
    action VARCHAR(32) NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"""

ALL = ("*",)
ME = f"(SELECT l.rater_code FROM {LOGIN_TABLE} l WHERE l.role_name = current_user)"
MY_ASSIGNMENTS = f"(SELECT a.id FROM assignment a WHERE a.rater_id = {ME})"
MY_WORK = f"assignment_id IN {MY_ASSIGNMENTS}"
MY_CODES = f"code IN (SELECT a.code FROM assignment a WHERE a.rater_id = {ME})"
GOLD = "(SELECT g.id FROM recording g WHERE g.kind = 'gold')"
# A rater's queue, read through this view (it runs with its owner's rights) because a rater
# may read neither `recording` nor `assignment.recording_id`: two codes of one recording (a
# re-test) must not be tied together by any column. With the audio on the server (decision
# 1705) the duration is that of the code's own copy (a re-test's is padded) and no path is
# given; without it the raters need the blinded files' paths (a shared folder), which tell.
QUEUE_VIEW = "server_rater_queue"
QUEUE_VIEW_DDL = f"""CREATE OR REPLACE VIEW {QUEUE_VIEW} WITH (security_barrier) AS
SELECT a.id AS assignment_id, a.rater_id, a.code, a.position, a.resume_s,
       COALESCE(i.duration_s, r.duration_s) AS duration_s,
       CASE WHEN i.code IS NULL THEN r.blind_path END AS blind_path
FROM assignment a JOIN recording r ON r.id = a.recording_id
LEFT JOIN {ITEM_TABLE} i ON i.code = a.code
WHERE a.rater_id = {ME}"""
# What a rater needs of the study row: the codebook it rates with and the blinding question.
STUDY_FOR_RATING = ("id", "codebook_version_id", "mode", "ask_guess_field", "guess_options")


@dataclass(frozen=True)
class Access:
    """What one group may do to one table: the columns it reads (ALL: every column), the
    writes it may make (UPDATE limited to `update` columns when given), and which rows:
    `rows` for reading and changing, `check` (default: `rows`) for rows it writes."""

    select: tuple[str, ...] = ALL
    write: tuple[str, ...] = ()
    update: tuple[str, ...] | None = None
    rows: str = "true"
    check: str | None = None


RATERS = {
    "study": Access(select=STUDY_FOR_RATING),
    "codebook_version": Access(),
    "scale_value": Access(),
    "codebook_dimension": Access(),
    "rater": Access(write=("UPDATE",), update=("current_code",), rows=f"id = {ME}"),
    # Not the role nor the recording (a re-test or gold item must look like any other; the
    # queue comes from QUEUE_VIEW) nor the research side's time stamps.
    "assignment": Access(select=("id", "rater_id", "position", "code",
                                 "resume_s", "work_at", "work_seq"),
                         write=("UPDATE",), update=("resume_s", "work_at", "work_seq"),
                         rows=f"rater_id = {ME}"),
    "rating": Access(write=("INSERT", "UPDATE", "DELETE"), rows=MY_WORK),
    "amendment": Access(write=("INSERT",),
                        rows=f"rating_id IN (SELECT r.id FROM rating r WHERE r.{MY_WORK})",
                        check=f"rating_id IN (SELECT r.id FROM rating r WHERE r.{MY_WORK}) "
                              f"AND who = {ME}"),
    "note": Access(write=("INSERT", "UPDATE", "DELETE"), rows=MY_WORK),
    "guess": Access(write=("INSERT", "DELETE"), rows=MY_WORK),
    "listening_span": Access(write=("INSERT",), rows=MY_WORK),
    # A rater extends the audit chain (it needs the last hash) but reads nothing else of it,
    # and writes events only in their own name.
    "audit_event": Access(select=("id", "hash"), write=("INSERT",), check=f"actor = {ME}"),
    LOGIN_TABLE: Access(rows="role_name = current_user"),
    # The blinded audio of the codes in their own queue, nothing else (decision 1705).
    ITEM_TABLE: Access(rows=MY_CODES),
    CHUNK_TABLE: Access(rows=MY_CODES),
    APPLIED_TABLE: Access(write=("INSERT",), rows=f"rater_code = {ME}"),
}

TRAINERS = {
    "study": Access(select=STUDY_FOR_RATING),
    "codebook_version": Access(),
    "scale_value": Access(),
    "codebook_dimension": Access(),
    "recording": Access(select=("id", "blind_code", "duration_s", "blind_path", "kind"),
                        rows="kind = 'gold'"),
    "rater": Access(select=("id", "display_name")),
    "gold_score": Access(write=("INSERT", "UPDATE", "DELETE"), rows=f"recording_id IN {GOLD}"),
    "gold_moment": Access(write=("INSERT", "UPDATE", "DELETE"), rows=f"recording_id IN {GOLD}"),
    "certification_test": Access(),
    "certification_recording": Access(),
    "certification_attempt": Access(),
    "certification_result": Access(),
    "workshop": Access(),
    "audit_event": Access(select=("id", "hash"), write=("INSERT",)),
}


def researchers_access(tables: list[str]) -> dict[str, Access]:
    """Researchers read and change every table; the guard triggers still refuse changes to
    submitted ratings and append-only records, and nobody but the owner may TRUNCATE."""
    access = {t: Access(write=("INSERT", "UPDATE", "DELETE")) for t in tables}
    access[LOGIN_TABLE] = Access()
    return access


def study_tables() -> list[str]:
    """Every table of the study schema, and the server's own: logins, audio, applied writes."""
    return [*Base.metadata.tables, LOGIN_TABLE, ITEM_TABLE, CHUNK_TABLE, APPLIED_TABLE]


def _serial_tables() -> set[str]:
    return {name for name, table in Base.metadata.tables.items()
            if "id" in table.c and table.c.id.primary_key and isinstance(table.c.id.type, Integer)}


def _quote(connection: Connection, name: str) -> str:
    return connection.dialect.identifier_preparer.quote(name)


def _columns(connection: Connection, columns: tuple[str, ...] | None) -> str:
    if columns is None or columns == ALL:
        return ""
    return " (" + ", ".join(_quote(connection, c) for c in columns) + ")"


def role_exists(connection: Connection, role: str) -> bool:
    return bool(connection.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :r"),
                                  {"r": role}))


def _ensure_group(connection: Connection, role: str) -> None:
    if not role_exists(connection, role):
        connection.exec_driver_sql(f"CREATE ROLE {_quote(connection, role)} NOLOGIN")


def _grant_table(connection: Connection, table: str, group: str, access: Access) -> list[str]:
    q_table, q_group = _quote(connection, table), _quote(connection, group)
    statements = [f"GRANT SELECT{_columns(connection, access.select)} ON {q_table} TO {q_group}"]
    for write in access.write:
        columns = _columns(connection, access.update) if write == "UPDATE" else ""
        statements.append(f"GRANT {write}{columns} ON {q_table} TO {q_group}")
    check = access.check or access.rows
    statements.append(f"CREATE POLICY {_quote(connection, group)} ON {q_table} TO {q_group} "
                      f"USING ({access.rows}) WITH CHECK ({check})")
    if "INSERT" in access.write and table in _serial_tables():
        sequence = connection.scalar(text("SELECT pg_get_serial_sequence(:t, 'id')"),
                                     {"t": table})
        if sequence:  # None: the table was made with an explicit id (no serial)
            statements.append(f"GRANT USAGE ON SEQUENCE {sequence} TO {q_group}")
    return statements


def apply_roles(connection: Connection) -> dict[str, str]:
    """Create (or bring up to date) the groups, grants and policies of the study in this
    database; run by the tables' owner. Returns group -> role name."""
    database = connection.scalar(text("SELECT current_database()"))
    for statement in (LOGIN_DDL, APPLIED_DDL, *AUDIO_DDL, QUEUE_VIEW_DDL, *NOTIFY_DDL):
        connection.exec_driver_sql(statement)
    roles = {group: group_role(database, group) for group in GROUPS}
    tables = study_tables()
    plans = {roles["researchers"]: researchers_access(tables), roles["trainers"]: TRAINERS,
             roles["raters"]: RATERS}
    q_db = _quote(connection, database)
    connection.exec_driver_sql(f"REVOKE ALL ON DATABASE {q_db} FROM PUBLIC")
    connection.exec_driver_sql("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
    for role in roles.values():
        _ensure_group(connection, role)
        q_role = _quote(connection, role)
        connection.exec_driver_sql(f"GRANT CONNECT ON DATABASE {q_db} TO {q_role}")
        connection.exec_driver_sql(f"GRANT USAGE ON SCHEMA public TO {q_role}")
        connection.exec_driver_sql(f"GRANT SELECT ON alembic_version TO {q_role}")
        connection.exec_driver_sql(f"REVOKE ALL ON {QUEUE_VIEW} FROM {q_role}")
    connection.exec_driver_sql(f"GRANT SELECT ON {QUEUE_VIEW} TO "
                               f"{_quote(connection, roles['raters'])}")
    for table in tables:
        q_table = _quote(connection, table)
        connection.exec_driver_sql(f"ALTER TABLE {q_table} ENABLE ROW LEVEL SECURITY")
        for role in roles.values():
            connection.exec_driver_sql(f"REVOKE ALL ON {q_table} FROM {_quote(connection, role)}")
            connection.exec_driver_sql(f"DROP POLICY IF EXISTS {_quote(connection, role)} "
                                       f"ON {q_table}")
        for role, plan in plans.items():
            if table in plan:
                for statement in _grant_table(connection, table, role, plan[table]):
                    connection.exec_driver_sql(statement)
    return roles


def _verifier(connection: Connection, role: str, password: str) -> str:
    """The SCRAM verifier of a password, computed here: the server never sees the password
    itself, so no server log can show it."""
    pgconn = connection.connection.driver_connection.pgconn
    return pgconn.encrypt_password(password.encode(), role.encode(), b"scram-sha-256").decode()


def _set_password(connection: Connection, role_sql: str, role: str, password: str,
                  create: str = "") -> None:
    raw = connection.connection.driver_connection
    statement = sql.SQL("{} PASSWORD {}").format(
        sql.SQL(create or f"ALTER ROLE {role_sql}"),
        sql.Literal(_verifier(connection, role, password)))
    connection.exec_driver_sql(statement.as_string(raw))


def save_login(connection: Connection, kind: str, name: str, password: str) -> str:
    """Create the login role of a rater (or researcher, trainer) with this password, or give
    an existing one this new password. Returns the role name."""
    database = connection.scalar(text("SELECT current_database()"))
    role, group = login_role(database, kind, name), group_role(database, f"{kind}s")
    q_role = _quote(connection, role)
    if not role_exists(connection, group):
        raise RaterError(Problem("this database is not set up as a shared study", database,
                                 "run 'rater server setup URL' first"))
    mapped = connection.scalar(text(f"SELECT rater_code FROM {LOGIN_TABLE} "
                                    "WHERE role_name = :r"), {"r": role})
    if kind == "rater" and mapped not in (None, name):
        raise RaterError(Problem(f"the login {role} already belongs to rater {mapped}",
                                 "--rater", "give the rater an id that differs in more than "
                                            "case or punctuation"))
    member = connection.scalar(text(
        "SELECT 1 FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member "
        "JOIN pg_roles g ON g.oid = m.roleid WHERE r.rolname = :r AND g.rolname = :g"),
        {"r": role, "g": group})
    if role_exists(connection, role) and not member:
        raise RaterError(Problem(f"a role {role} already exists on this server and is not a "
                                 "login of this study", database,
                                 "ask the server's administrator to rename or drop it"))
    if role_exists(connection, role):
        _set_password(connection, q_role, role, password)
    else:
        _set_password(connection, q_role, role, password,
                      create=f"CREATE ROLE {q_role} LOGIN IN ROLE {_quote(connection, group)}")
    if kind == "rater" and mapped is None:
        connection.execute(text("INSERT INTO rater (id, display_name, added_at) "
                                "VALUES (:r, '', now()) ON CONFLICT (id) DO NOTHING"),
                           {"r": name})
        connection.execute(text(f"INSERT INTO {LOGIN_TABLE} (role_name, rater_code) "
                                "VALUES (:role, :r)"), {"role": role, "r": name})
    return role


def change_own_password(connection: Connection, password: str) -> None:
    """A login replaces its own password (any role may: no privilege needed)."""
    role = connection.scalar(text("SELECT current_user"))
    _set_password(connection, "CURRENT_USER", role, password)
