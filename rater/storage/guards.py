"""The rules the database enforces itself, whatever client writes to it.

Foreign keys and CHECKs are not enough: any SQLite client other than Rater runs with foreign keys
off, `INSERT OR REPLACE` deletes a row without firing delete triggers, and PostgreSQL's TRUNCATE
skips row triggers. So every rule that protects the record is also a trigger that needs neither:
- append-only tables (audit trail, amendments, consensus, pack log) refuse UPDATE, DELETE and an
  INSERT over an existing row (REPLACE);
- a submitted rating refuses UPDATE, DELETE and REPLACE; the recording or assignment it belongs
  to cannot be deleted or moved;
- every score (rating, amendment, consensus, gold) must be on its codebook version's scale, and
  its dimension one of the codebook's, checked by the trigger as well as the foreign key;
- on PostgreSQL, TRUNCATE of any table that holds the record is refused.

The migration creates them (`create_guards`); `rater study verify` checks they are all there.
"""

from __future__ import annotations

from collections.abc import Callable

APPEND_ONLY = {
    "audit_event": "audit events are append-only",
    "amendment": "amendments are append-only",
    "consensus": "consensus decisions are append-only",
    "pack_event": "the pack log is append-only",
    "certification_test": "certification records are append-only",
    "certification_attempt": "certification records are append-only",
    "certification_result": "certification records are append-only",
}

# table -> (score column, dimension column or None) whose values the scale must hold
ON_THE_SCALE = {
    "rating": ("score", "dimension"),
    "amendment": ("new_score", None),
    "consensus": ("score", "dimension"),
    "gold_score": ("score", "dimension"),
}

# Tables a TRUNCATE would empty of the record (PostgreSQL only; SQLite has no TRUNCATE).
NO_TRUNCATE = ("audit_event", "amendment", "consensus", "pack_event", "rating", "assignment",
               "recording", "note", "listening_span", "guess", "gold_score", "gold_moment",
               "scale_value", "codebook_dimension", "codebook_version", "study", "rater",
               "certification_test", "certification_attempt", "certification_result")

SUBMITTED = ("EXISTS (SELECT 1 FROM rating r JOIN assignment a ON a.id = r.assignment_id "
             "WHERE {where} AND r.state = 'submitted')")


def _raise(message: str) -> str:
    return f"SELECT RAISE(ABORT, '{message}')"


def _sqlite_trigger(name: str, when: str, table: str, condition: str | None, message: str) -> str:
    where = f"WHEN {condition}" if condition else ""
    return f"CREATE TRIGGER {name} {when} ON {table} {where} BEGIN {_raise(message)}; END"


def _scale_condition(score: str, dimension: str | None) -> str:
    off_scale = (f"NOT EXISTS (SELECT 1 FROM scale_value s WHERE s.codebook_version_id = "
                 f"NEW.codebook_version_id AND s.value = NEW.{score})")
    if dimension is None:
        return off_scale
    unknown = (f"NOT EXISTS (SELECT 1 FROM codebook_dimension d WHERE d.codebook_version_id = "
               f"NEW.codebook_version_id AND d.dimension = NEW.{dimension})")
    return f"{off_scale} OR {unknown}"


def sqlite_guards() -> dict[str, str]:
    """Trigger name -> CREATE TRIGGER statement, for SQLite."""
    guards: dict[str, str] = {}

    def add(name: str, when: str, table: str, condition: str | None, message: str) -> None:
        guards[name] = _sqlite_trigger(name, when, table, condition, message)

    for table, message in APPEND_ONLY.items():
        add(f"{table}_no_update", "BEFORE UPDATE", table, None, message)
        add(f"{table}_no_delete", "BEFORE DELETE", table, None, message)
        add(f"{table}_no_replace", "BEFORE INSERT", table,
            f"EXISTS (SELECT 1 FROM {table} WHERE id = NEW.id)", message)
    fixed = "a submitted rating cannot change: record an amendment"
    add("rating_submitted_fixed", "BEFORE UPDATE", "rating", "OLD.state = 'submitted'", fixed)
    add("rating_submitted_kept", "BEFORE DELETE", "rating", "OLD.state = 'submitted'",
        "a submitted rating cannot be deleted")
    add("rating_submitted_no_replace", "BEFORE INSERT", "rating",
        "EXISTS (SELECT 1 FROM rating WHERE state = 'submitted' AND (id = NEW.id OR "
        "(assignment_id = NEW.assignment_id AND dimension = NEW.dimension)))", fixed)
    add("rating_assignment_exists", "BEFORE INSERT", "rating",
        "NOT EXISTS (SELECT 1 FROM assignment WHERE id = NEW.assignment_id)",
        "a rating must belong to an assignment")
    add("amendment_rating_exists", "BEFORE INSERT", "amendment",
        "NOT EXISTS (SELECT 1 FROM rating WHERE id = NEW.rating_id AND state = 'submitted')",
        "an amendment must belong to a submitted rating")
    for table, (score, dimension) in ON_THE_SCALE.items():
        condition = _scale_condition(score, dimension)
        message = f"a {table.replace('_', ' ')} score must be on the codebook scale"
        add(f"{table}_on_scale_insert", "BEFORE INSERT", table, condition, message)
        add(f"{table}_on_scale_update", "BEFORE UPDATE", table, condition, message)
    add("recording_with_submitted_kept", "BEFORE DELETE", "recording",
        SUBMITTED.format(where="a.recording_id = OLD.id"),
        "a recording with submitted ratings cannot be deleted")
    add("assignment_with_submitted_kept", "BEFORE DELETE", "assignment",
        SUBMITTED.format(where="a.id = OLD.id"),
        "an assignment with submitted ratings cannot be deleted")
    add("assignment_with_submitted_fixed", "BEFORE UPDATE OF recording_id, rater_id, role",
        "assignment", SUBMITTED.format(where="a.id = OLD.id"),
        "an assignment with submitted ratings cannot be moved")
    return guards


POSTGRES_FUNCTION = """CREATE FUNCTION rater_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION '%', TG_ARGV[0]; END $$"""


def postgres_guards() -> dict[str, str]:
    """Trigger name -> CREATE TRIGGER statement, for PostgreSQL (after POSTGRES_FUNCTION).

    Foreign keys cannot be switched off by an ordinary PostgreSQL client, so the scale and
    existence rules stay with them; the triggers cover what foreign keys do not."""
    guards: dict[str, str] = {}

    def add(name: str, timing: str, table: str, message: str, each: str = "ROW") -> None:
        guards[name] = (f"CREATE TRIGGER {name} {timing} ON {table} FOR EACH {each} "
                        f"EXECUTE FUNCTION rater_refuse('{message}')")

    for table, message in APPEND_ONLY.items():
        add(f"{table}_append_only", "BEFORE UPDATE OR DELETE", table, message)
    guards["rating_submitted_fixed"] = (
        "CREATE TRIGGER rating_submitted_fixed BEFORE UPDATE OR DELETE ON rating "
        "FOR EACH ROW WHEN (OLD.state = 'submitted') "
        "EXECUTE FUNCTION rater_refuse('a submitted rating cannot change: record an amendment')")
    for table in NO_TRUNCATE:
        add(f"{table}_no_truncate", "BEFORE TRUNCATE", table,
            f"{table} holds the study record and cannot be truncated", each="STATEMENT")
    return guards


def create_guards(dialect: str, execute: Callable[[str], object]) -> None:
    """Create every guard (called by the migration with `op.execute`)."""
    if dialect == "sqlite":
        statements = list(sqlite_guards().values())
    else:
        statements = [POSTGRES_FUNCTION, *postgres_guards().values()]
    for statement in statements:
        execute(statement)


def guard_names(dialect: str) -> set[str]:
    """The triggers a study of this dialect must have (checked by `rater study verify`)."""
    return set(sqlite_guards() if dialect == "sqlite" else postgres_guards())
