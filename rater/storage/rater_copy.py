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
from datetime import UTC, datetime
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
    CodebookVersion,
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
    member: str  # path inside the pack, e.g. audio/CODE.flac
    sha256: str
    size_bytes: int
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
            sha256=facts.sha256, size_bytes=facts.size_bytes, format="FLAC",
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


def apply_return(store: StudyStore, *, rater: str, pack: str, sequence: int, signature: str,
                 returned: dict, where: str, actor: str) -> dict:
    """Merge one returned pack in one transaction: a duplicate is a no-op, an older return or a
    pack rated with another codebook version is refused."""
    with store.transaction() as session:
        returns = list(session.scalars(select(PackEvent).where(
            PackEvent.pack_uuid == pack, PackEvent.direction == "returned")))
        if any(r.digest == signature for r in returns):
            return {"status": "already imported"}
        latest = max((r.sequence for r in returns), default=0)
        if sequence <= latest:
            raise RaterError(Problem(
                f"this is return {sequence} of rater {rater}'s pack, older than return "
                f"{latest} already imported", where,
                "import the rater's newest return; nothing was changed"))
        study = session.get(Study, 1)
        digest = session.scalar(select(CodebookVersion.digest).where(
            CodebookVersion.id == study.codebook_version_id))
        if returned["codebook_digest"] != digest:
            raise RaterError(Problem("the pack was rated with another codebook version", where,
                                     "issue a new pack from this study"))
        counts = merge_rater_work(session, rater, returned, where)
        session.add(PackEvent(rater_id=rater, direction="returned", pack_uuid=pack,
                              sequence=sequence, digest=signature))
        log_event(session, actor, "pack.returned",
             {"rater": rater, "pack": pack, "sequence": sequence, **counts})
        return {"status": "imported", **counts}


# -- bringing work back ------------------------------------------------------------------------

def read_rater_work(pack_db: Path) -> dict:
    """Everything a rater did, keyed by code, from a returned rater-mode study."""
    engine = create_engine(f"sqlite:///file:{pack_db}?mode=ro&uri=true")
    try:
        with Session(engine) as session:
            study = session.get(Study, 1)
            if study is None or study.mode != "rater":
                raise RaterError(Problem("the pack's database is not a rater's copy", str(pack_db),
                                         "ask the rater to return their pack from Rater"))
            digest = session.scalar(select(CodebookVersion.digest)
                                    .where(CodebookVersion.id == study.codebook_version_id))
            assignments = list(session.scalars(select(Assignment)))
            code_of = {a.id: a.code for a in assignments}
            work: dict[str, dict] = {a.code: {"ratings": [], "notes": [], "spans": [],
                                              "guess": None, "stamp": _stamp(a)}
                                     for a in assignments}
            for rating in session.scalars(select(Rating)):
                history = select(Amendment).where(Amendment.rating_id == rating.id)
                amendments = [(a.old_score, a.new_score, a.reason, a.who, a.at)
                              for a in session.scalars(history.order_by(Amendment.id))]
                work[code_of[rating.assignment_id]]["ratings"].append(
                    (rating.dimension, rating.score, rating.state, rating.created_at,
                     rating.updated_at, rating.submitted_at, amendments))
            for note in session.scalars(select(Note).order_by(Note.id)):
                work[code_of[note.assignment_id]]["notes"].append(
                    (note.time_s, note.text, note.dimension, note.created_at, note.seq))
            for span in session.scalars(select(ListeningSpan).order_by(ListeningSpan.id)):
                work[code_of[span.assignment_id]]["spans"].append(
                    (span.start_s, span.end_s, span.speed, span.at, span.seq))
            for guess in session.scalars(select(Guess)):
                work[code_of[guess.assignment_id]]["guess"] = (guess.field, guess.guess, guess.at)
            return {"codebook_digest": digest, "work": work}
    finally:
        engine.dispose()


def merge_rater_work(session: Session, rater: str, returned: dict, where: str) -> dict:
    """Apply a rater's returned work inside the caller's transaction; refuse contradictions.

    Ratings: a draft is inserted, or updated when the returned one was changed later (rater-side
    time); a submitted rating is inserted once and must match afterwards (changes arrive as
    amendments, appended if new). An item's notes, listening spans and guess are replaced by the
    returned ones only when the returned state is newer than the study's (its stamp: rater-side
    time, then sequence): a return made earlier, from this pack or an older one, never
    overwrites work that arrived from a newer one. Its items are counted as "older".
    """
    assignments = {a.code: a for a in session.scalars(select(Assignment)
                                                      .where(Assignment.rater_id == rater))}
    unknown = sorted(set(returned["work"]) - set(assignments))
    if unknown:
        raise RaterError(Problem(f"the pack names {len(unknown)} item(s) this rater was never "
                                 "given", where, "this pack does not belong to this study or "
                                 "rater; ask the rater to return their own pack"))
    study = session.get(Study, 1)
    counts = {"ratings": 0, "amendments": 0, "notes": 0, "older": 0}
    for code, work in returned["work"].items():
        assignment = assignments[code]
        for rating in work["ratings"]:
            counts["ratings"] += _merge_rating(session, assignment.id, rating,
                                               study.codebook_version_id, where, counts)
        if _newer(work["stamp"], _stamp(assignment)):
            _replace_item_work(session, assignment, work)
            counts["notes"] += len(work["notes"])
        elif work["stamp"] != _stamp(assignment):
            counts["older"] += 1
    return counts


def _stamp(assignment: Assignment) -> tuple[datetime | None, int]:
    return _utc(assignment.work_at), assignment.work_seq or 0


def _utc(moment: datetime | None) -> datetime | None:
    """SQLite gives timestamps back without a zone; they were written in UTC."""
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def _newer(returned: tuple[datetime | None, int], current: tuple[datetime | None, int]) -> bool:
    """Is the returned state of an item later than the study's? Rater-side time first, then
    the sequence (two changes within one clock tick)."""
    (returned_at, returned_seq), (current_at, current_seq) = returned, current
    if returned_at is None:
        return False
    if current_at is None:
        return True
    return (_utc(returned_at), returned_seq) > (current_at, current_seq)


def _replace_item_work(session: Session, assignment: Assignment, work: dict) -> None:
    """The returned notes, listening spans and guess become the item's record, with its stamp."""
    for table in (Note, ListeningSpan, Guess):
        session.execute(table.__table__.delete().where(table.assignment_id == assignment.id))
    session.add_all(Note(assignment_id=assignment.id, time_s=t, text=text, dimension=d,
                         created_at=at, seq=seq) for t, text, d, at, seq in work["notes"])
    session.add_all(ListeningSpan(assignment_id=assignment.id, start_s=a, end_s=b, speed=v,
                                  at=at, seq=seq) for a, b, v, at, seq in work["spans"])
    if work["guess"]:
        field, guess, at = work["guess"]
        session.add(Guess(assignment_id=assignment.id, field=field, guess=guess, at=at))
    assignment.work_at, assignment.work_seq = work["stamp"]


def _merge_rating(session: Session, assignment_id: int, returned: tuple, version_id: int,
                  where: str, counts: dict) -> int:
    dimension, score, state, created, updated, submitted, amendments = returned
    current = session.scalar(select(Rating).where(Rating.assignment_id == assignment_id,
                                                  Rating.dimension == dimension))
    if current is None:
        current = Rating(assignment_id=assignment_id, codebook_version_id=version_id,
                         dimension=dimension, score=score, state=state, created_at=created,
                         updated_at=updated, submitted_at=submitted)
        session.add(current)
        session.flush()
        changed = 1
    elif current.state == "draft" and (state == "submitted"
                                       or _utc(updated) > _utc(current.updated_at)):
        current.score, current.state = score, state
        current.updated_at, current.submitted_at = updated, submitted
        session.flush()
        changed = 1
    elif current.state == "draft":
        changed = 0  # the study's draft was changed later than the returned one
    elif current.score != score:
        raise RaterError(Problem(f"a submitted {dimension} score differs from the study's "
                                 f"({score} vs {current.score})", where,
                                 "submitted scores never change; this pack was altered"))
    else:
        changed = 0
    have = session.scalar(select(func.count()).select_from(Amendment)
                          .where(Amendment.rating_id == current.id))
    for old, new, reason, who, at in amendments[have:]:
        session.add(Amendment(rating_id=current.id, codebook_version_id=version_id,
                              old_score=old, new_score=new, reason=reason, who=who, at=at))
        counts["amendments"] += 1
    return changed
