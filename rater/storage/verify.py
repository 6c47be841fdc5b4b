"""`rater study verify`: is the study as Rater left it?

Checks what a client other than Rater could have done to the file or database: the storage's
own integrity, every foreign key and scale rule (another SQLite client runs with foreign keys
off), the guard triggers (dropped or disabled ones), the audit trail's hash chain, records that
have no audit event, the pack log, and on a shared study its grants and row-level security.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import and_, exists, func, select, text
from sqlalchemy.orm import Session

from rater.core.audit_chain import GENESIS, broken_links
from rater.storage.guards import ON_THE_SCALE, guard_names
from rater.storage.repository import StudyStore
from rater.storage.schema import AuditEvent, Base, PackEvent
from rater.storage.server_check import access_problems


@dataclass
class Verification:
    problems: list[str] = field(default_factory=list)
    events: int = 0
    head: str = GENESIS  # the chain's last hash: write it down to anchor the trail
    checks: list[str] = field(default_factory=list)


def verify_store(store: StudyStore) -> Verification:
    result = Verification()
    with store.transaction() as session:
        dialect = session.get_bind().dialect.name
        for name, check in (("storage integrity", _integrity), ("foreign keys and scales",
                                                                _dangling),
                            ("guard triggers", _guards), ("audit chain", _chain),
                            ("records with their audit events", _unlogged),
                            ("pack log", _pack_log), ("shared-server access", _access)):
            result.checks.append(name)
            result.problems += check(session, dialect, result)
    return result


def _integrity(session: Session, dialect: str, _result: Verification) -> list[str]:
    if dialect != "sqlite":
        return []  # PostgreSQL checks its own pages; nothing an ordinary client can break
    answer = [row[0] for row in session.execute(text("PRAGMA integrity_check"))]
    return [] if answer == ["ok"] else [f"the SQLite file is damaged: {line}" for line in answer]


def _dangling(session: Session, _dialect: str, _result: Verification) -> list[str]:
    """Every foreign key, checked by query (it holds even when a client switched them off);
    the composite keys into `scale_value` and `codebook_dimension` are the scale rules."""
    problems = []
    for table in Base.metadata.sorted_tables:
        for key in table.foreign_key_constraints:
            columns = list(key.columns)
            referred = [element.column for element in key.elements]
            matched = exists().where(and_(*(c == r for c, r in zip(columns, referred,
                                                                     strict=True))))
            count = session.scalar(select(func.count()).select_from(table).where(
                *(c.is_not(None) for c in columns), ~matched))
            if count:
                problems.append(_dangling_words(table.name, columns, referred[0].table.name,
                                                count))
    return problems


def _dangling_words(table: str, columns, referred: str, count: int) -> str:
    names = ", ".join(c.name for c in columns)
    if referred == "scale_value":
        return f"{table}: {count} score(s) not on the codebook scale ({names})"
    if referred == "codebook_dimension":
        return f"{table}: {count} row(s) name a dimension the codebook does not have"
    return f"{table}: {count} row(s) point to a {referred} that does not exist ({names})"


def _guards(session: Session, dialect: str, _result: Verification) -> list[str]:
    if dialect == "sqlite":
        present = {row[0] for row in session.execute(
            text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))}
        disabled: set[str] = set()
    else:
        rows = session.execute(text("SELECT tgname, tgenabled FROM pg_trigger "
                                    "WHERE NOT tgisinternal")).all()
        present = {name for name, _state in rows}
        disabled = {name for name, state in rows if state == "D"}
    missing = sorted(guard_names(dialect) - present)
    problems = [f"guard trigger {name} is missing (dropped?)" for name in missing]
    problems += [f"guard trigger {name} is disabled" for name in sorted(disabled
                                                                        & guard_names(dialect))]
    return problems


def _access(session: Session, _dialect: str, _result: Verification) -> list[str]:
    return access_problems(session.connection())


def _chain(session: Session, _dialect: str, result: Verification) -> list[str]:
    events = session.execute(select(AuditEvent.id, AuditEvent.at, AuditEvent.actor,
                                    AuditEvent.action, AuditEvent.detail, AuditEvent.prev_hash,
                                    AuditEvent.hash).order_by(AuditEvent.id)).all()
    result.events = len(events)
    result.head = events[-1].hash if events else GENESIS
    problems = broken_links([tuple(e) for e in events])
    ids = [e.id for e in events]
    if ids and ids != list(range(ids[0], ids[0] + len(ids))):
        problems.append("audit event numbers have gaps: events were deleted")
    return problems


def _unlogged(session: Session, _dialect: str, _result: Verification) -> list[str]:
    """Append-only records that the audit trail does not account for (slipped in directly)."""
    actions = dict(session.execute(select(AuditEvent.action, func.count())
                                   .group_by(AuditEvent.action)).all())
    returned_amendments = sum(
        json.loads(detail).get("amendments", 0) for detail in session.scalars(
            select(AuditEvent.detail).where(AuditEvent.action == "pack.returned")))
    counts = {table: session.scalar(text(f"SELECT count(*) FROM {table}"))
              for table in ("amendment", "consensus")}
    problems = []
    if counts["amendment"] > actions.get("rating.amended", 0) + returned_amendments:
        problems.append("amendment: more amendments than the audit trail records")
    if counts["consensus"] > actions.get("consensus.set", 0):
        problems.append("consensus: more decisions than the audit trail records")
    return problems


def _pack_log(session: Session, _dialect: str, _result: Verification) -> list[str]:
    """Every pack event is recorded in the audit trail with its pack, and every return belongs
    to a pack this study issued to that rater."""
    logged = {(event.action, json.loads(event.detail).get("pack"))
              for event in session.scalars(select(AuditEvent).where(
                  AuditEvent.action.in_(("pack.issued", "pack.returned"))))}
    issued = {}
    problems = []
    for event in session.scalars(select(PackEvent).order_by(PackEvent.id)):
        if ("pack." + event.direction, event.pack_uuid) not in logged:
            problems.append(f"pack log: the {event.direction} pack {event.pack_uuid} has no "
                            "audit event")
        if len(event.digest or "") != 64:
            problems.append(f"pack log: the {event.direction} pack {event.pack_uuid} has no "
                            "valid signature on record")
        if event.direction == "issued":
            issued[event.pack_uuid] = event.rater_id
        elif issued.get(event.pack_uuid) != event.rater_id:
            problems.append(f"pack log: pack {event.pack_uuid} came back from a rater it was "
                            "not issued to")
    return problems


def off_scale_scores(session: Session) -> int:
    """How many scores break a scale rule (cheap; analyses refuse such a study)."""
    total = 0
    for table_name, (score, dimension) in ON_THE_SCALE.items():
        table = Base.metadata.tables[table_name]
        scale = Base.metadata.tables["scale_value"]
        on_scale = exists().where(scale.c.codebook_version_id == table.c.codebook_version_id,
                                  scale.c.value == table.c[score])
        total += session.scalar(select(func.count()).select_from(table).where(~on_scale))
        if dimension:
            dimensions = Base.metadata.tables["codebook_dimension"]
            known = exists().where(
                dimensions.c.codebook_version_id == table.c.codebook_version_id,
                dimensions.c.dimension == table.c[dimension])
            total += session.scalar(select(func.count()).select_from(table).where(~known))
    return total
