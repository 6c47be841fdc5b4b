"""A rater's copy of a study, and bringing their work back.

The copy is a study database in "rater" mode that holds only what the rater may know: blind
codes, the codebook, their queue (every role shown as a plain assignment, so a re-test or a gold
item looks like any other), visible metadata, and their own work. It holds no hidden metadata,
no original file name, path or checksum, no study name, and no timestamp from the research side
(import times could give away which group was recorded when).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from rater.core.codebook import parse_codebook
from rater.core.errors import Problem, RaterError
from rater.storage.repository import StudyStore, add_codebook, log_event
from rater.storage.schema import (
    Amendment,
    Assignment,
    AuditEvent,
    Guess,
    ListeningSpan,
    MetadataField,
    MetadataValue,
    Note,
    PackEvent,
    Rater,
    Rating,
    Recording,
    Study,
    utcnow,
)
from rater.storage.workshop_copy import copy_workshop_gold


@dataclass(frozen=True)
class QueueItem:
    """One item of a rater's queue as the researcher's study knows it."""

    assignment_id: int
    recording_id: int
    code: str
    role: str
    position: int
    blind_path: str | None
    work_at: datetime | None = None  # the stamp of the item's notes, listening and guess
    work_seq: int = 0


@dataclass(frozen=True)
class PackAudio:
    """Facts of the audio file that goes into the pack for one code."""

    code: str
    member: str  # path inside the pack, e.g. audio/CODE.flac or audio/CODE.opus
    sha256: str
    size_bytes: int
    format: str  # FLAC or OGG (Opus)
    subtype: str
    sample_rate: int
    channels: int
    frames: int


def rater_queue(store: StudyStore, rater: str) -> list[QueueItem]:
    with store.transaction() as session:
        if session.get(Rater, rater) is None:
            raise RaterError(Problem(f"no rater '{rater}' in this study", "--rater",
                                     "allocate work to the rater first ('rater study allocate')"))
        rows = session.execute(
            select(Assignment.id, Assignment.recording_id, Assignment.code, Assignment.role,
                   Assignment.position, Recording.blind_path, Assignment.work_at,
                   Assignment.work_seq)
            .join(Recording, Recording.id == Assignment.recording_id)
            .where(Assignment.rater_id == rater).order_by(Assignment.position))
        return [QueueItem(*row) for row in rows]


def write_rater_copy(store: StudyStore, rater: str, queue: list[QueueItem],
                     audio: dict[str, PackAudio], target: Path) -> None:
    """Create the rater-mode study at `target` (a new SQLite file)."""
    study = store.study()
    codebook = parse_codebook(store.codebook_text(), "study codebook")
    copy = StudyStore(_new_sqlite(target))
    now = utcnow()
    with store.transaction() as source, copy.transaction() as session:
        version = add_codebook(session, codebook)
        session.add(Study(id=1, name="Rating pack", codebook_version_id=version.id,
                          secret="", pack_id=study.pack_id, mode="rater", created_at=now,
                          criterion=study.criterion, blind_sample_rate=study.blind_sample_rate,
                          blind_channels=study.blind_channels, blind_lufs=study.blind_lufs,
                          ask_guess_field=study.ask_guess_field,
                          guess_options=study.guess_options))
        display = source.get(Rater, rater).display_name
        session.add(Rater(id=rater, display_name=display, added_at=now))
        ids = _copy_queue(session, queue, audio, rater, now)
        _copy_visible_metadata(source, session, queue, ids)
        _copy_work(source, session, {q.assignment_id: ids[q.code] for q in queue}, version.id)
        session.flush()
        copy_workshop_gold(source, session)  # a workshop's gold travels; a study's never does
        log_event(session, rater, "pack.opened", {})
    copy.close()
    _vacuum(target)


def _new_sqlite(path: Path):
    from rater.storage.engine import create_study_database

    return create_study_database(f"sqlite:///{path}")


def _vacuum(path: Path) -> None:
    """Rewrite the file so no freed page keeps anything, and leave no WAL beside it."""
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA journal_mode=DELETE")
        connection.exec_driver_sql("VACUUM")
    engine.dispose()


def snapshot_database(database: Path, target: Path) -> None:
    """A consistent, compacted copy of a live SQLite study (the backup API), for a return pack."""
    with sqlite3.connect(database) as source, sqlite3.connect(target) as copy:
        source.backup(copy)
    copy.close()
    _vacuum(target)


def _copy_queue(session: Session, queue: list[QueueItem], audio: dict[str, PackAudio],
                rater: str, now) -> dict[str, int]:
    """Recordings and assignments in queue order; returns code -> copy's assignment id."""
    ids = {}
    for item in queue:
        facts = audio[item.code]
        recording = Recording(
            blind_code=item.code, original_name=item.code, source_path=facts.member,
            sha256=facts.sha256, size_bytes=facts.size_bytes, format=facts.format,
            subtype=facts.subtype, sample_rate=facts.sample_rate, channels=facts.channels,
            frames=facts.frames, duration_s=facts.frames / facts.sample_rate, imported_at=now,
            blind_path=facts.member, blind_sha256=facts.sha256,
            blind_size_bytes=facts.size_bytes, blind_duration_s=facts.frames / facts.sample_rate)
        session.add(recording)
        session.flush()
        assignment = Assignment(recording_id=recording.id, rater_id=rater, role="primary",
                                position=item.position, code=item.code, created_at=now,
                                work_at=item.work_at, work_seq=item.work_seq or 0)
        session.add(assignment)
        session.flush()
        ids[item.code] = assignment.id
    return ids


def _copy_visible_metadata(source: Session, session: Session, queue: list[QueueItem],
                           ids: dict[str, int]) -> None:
    visible = list(source.scalars(select(MetadataField).where(MetadataField.hidden.is_(False))))
    for field in visible:
        session.add(MetadataField(name=field.name, hidden=False, position=field.position))
    session.flush()
    names = [f.name for f in visible]
    if not names:
        return
    values = source.execute(select(MetadataValue.recording_id, MetadataValue.field,
                                   MetadataValue.value).where(MetadataValue.field.in_(names)))
    by_recording: dict[int, list[tuple[str, str]]] = {}
    for recording_id, name, value in values:
        by_recording.setdefault(recording_id, []).append((name, value))
    copy_recording = {a.code: a.recording_id
                      for a in session.scalars(select(Assignment))}
    for item in queue:
        for name, value in by_recording.get(item.recording_id, []):
            session.add(MetadataValue(recording_id=copy_recording[item.code], field=name,
                                      value=value))


def _copy_work(source: Session, target: Session, assignment_map: dict[int, int],
               version_id: int) -> None:
    """The rater's ratings, amendments, notes, listening and guesses, into the copy."""
    for rating in source.scalars(select(Rating).where(Rating.assignment_id.in_(assignment_map))):
        copied = Rating(assignment_id=assignment_map[rating.assignment_id],
                        codebook_version_id=version_id, dimension=rating.dimension,
                        score=rating.score, state=rating.state, created_at=rating.created_at,
                        updated_at=rating.updated_at, submitted_at=rating.submitted_at)
        target.add(copied)
        target.flush()
        for amendment in source.scalars(select(Amendment)
                                        .where(Amendment.rating_id == rating.id)):
            target.add(Amendment(rating_id=copied.id, codebook_version_id=version_id,
                                 old_score=amendment.old_score, new_score=amendment.new_score,
                                 reason=amendment.reason, who=amendment.who, at=amendment.at))
    for table in (Note, ListeningSpan, Guess):
        for row in source.scalars(select(table).where(table.assignment_id.in_(assignment_map))):
            values = {c.key: getattr(row, c.key) for c in table.__table__.columns if c.key != "id"}
            values["assignment_id"] = assignment_map[row.assignment_id]
            target.add(table(**values))


# -- the pack log ------------------------------------------------------------------------------

def record_issue(store: StudyStore, rater: str, pack: str, signature: str, items: int,
                 actor: str) -> None:
    with store.transaction() as session:
        session.add(PackEvent(rater_id=rater, direction="issued", pack_uuid=pack, sequence=0,
                              digest=signature))
        log_event(session, actor, "pack.issued", {"rater": rater, "pack": pack, "items": items})


def issued_to(store: StudyStore, pack: str) -> str | None:
    """The rater a pack was issued to, or None if this study never issued it."""
    with store.transaction() as session:
        return session.scalar(select(PackEvent.rater_id).where(
            PackEvent.pack_uuid == pack, PackEvent.direction == "issued"))


def next_return_sequence(store: StudyStore, rater: str) -> int:
    """In a rater's copy: count this return, and give its number (1, 2, ...)."""
    with store.transaction() as session:
        sequence = 1 + session.scalar(select(func.count()).select_from(AuditEvent)
                                      .where(AuditEvent.action == "pack.returned"))
        log_event(session, rater, "pack.returned", {"sequence": sequence})
        return sequence
