"""Bringing a rater's returned work into the study: reading a returned copy (checked before
anything is touched), and merging it, newest state per item (see `merge_rater_work`)."""

from __future__ import annotations

import math
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, func, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from rater.core.errors import Problem, RaterError
from rater.storage.repository import StudyStore, log_event
from rater.storage.schema import (
    RATING_STATES,
    Amendment,
    Assignment,
    CodebookDimension,
    CodebookVersion,
    Guess,
    ListeningSpan,
    Note,
    PackEvent,
    Rater,
    Rating,
    ScaleValue,
    Study,
)

MAX_INT = 2 ** 31 - 1  # INTEGER columns (sequences, scores) are 32-bit on PostgreSQL


def apply_return(store: StudyStore, *, rater: str, pack: str, sequence: int, signature: str,
                 returned: dict, where: str, actor: str) -> dict:
    """Merge one returned pack in one transaction: a duplicate is a no-op, an older return or a
    pack rated with another codebook version is refused.

    Imports into one study are serialized: the transaction starts by locking the rater's row
    (on SQLite that statement takes the database's write lock, on PostgreSQL the row lock), so
    the same return imported twice at once is recorded exactly once and the other import sees
    it as already imported."""
    if not isinstance(sequence, int) or isinstance(sequence, bool) \
            or not 0 < sequence <= MAX_INT:
        raise RaterError(Problem(f"the pack's return sequence number ({sequence!r}) is not one "
                                 "Rater writes", where, "ask the rater to return the pack again"))
    with store.transaction() as session:
        session.execute(update(Rater).where(Rater.id == rater)
                        .values(display_name=Rater.display_name))
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
        try:
            counts = merge_rater_work(session, rater, returned, where)
            session.add(PackEvent(rater_id=rater, direction="returned", pack_uuid=pack,
                                  sequence=sequence, digest=signature))
            log_event(session, actor, "pack.returned",
                      {"rater": rater, "pack": pack, "sequence": sequence, **counts})
            session.flush()
        except (SQLAlchemyError, OverflowError, TypeError, ValueError) as exc:
            raise RaterError(Problem(f"the pack's work breaks the study's rules "
                                     f"({_first_line(exc)})", where,
                                     "ask the rater to return the pack again from Rater; "
                                     "nothing was changed")) from None
        return {"status": "imported", **counts}


def _first_line(exc: Exception) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else exc.__class__.__name__


# -- bringing work back ------------------------------------------------------------------------

def read_rater_work(pack_db: Path, where: str) -> dict:
    """Everything a rater did, keyed by code, from a returned rater-mode study, checked.

    `where` names the pack in messages (never the temporary file). A database that is not a
    rater's copy, is damaged, breaks a foreign key, or holds values Rater never writes is refused
    here, before the study is touched."""
    try:
        _check_integrity(pack_db)
        engine = create_engine(f"sqlite:///file:{pack_db}?mode=ro&uri=true")
        try:
            with Session(engine) as session:
                return _read(session, where)
        finally:
            engine.dispose()
    except (SQLAlchemyError, sqlite3.Error, KeyError, TypeError, ValueError, AttributeError,
            OverflowError) as exc:
        raise RaterError(Problem(f"the pack's database is damaged or not a rater's copy "
                                 f"({_first_line(exc)})", where,
                                 "ask the rater to return their pack again from Rater")) from None


def _check_integrity(pack_db: Path) -> None:
    """SQLite's own checks: the file is sound, and no row points to a row that is not there."""
    connection = sqlite3.connect(f"file:{pack_db}?mode=ro", uri=True)
    try:
        problems = [row[0] for row in connection.execute("PRAGMA quick_check")]
        if problems != ["ok"]:
            raise ValueError(f"integrity check: {problems[0]}")
        broken = connection.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise ValueError(f"{len(broken)} row(s) point to nothing (first in '{broken[0][0]}')")
    finally:
        connection.close()


def _read(session: Session, where: str) -> dict:
    study = session.get(Study, 1)
    if study is None or study.mode != "rater":
        raise RaterError(Problem("the pack's database is not a rater's copy", where,
                                 "ask the rater to return their pack from Rater"))
    digest = session.scalar(select(CodebookVersion.digest)
                            .where(CodebookVersion.id == study.codebook_version_id))
    assignments = list(session.scalars(select(Assignment)))
    code_of = {a.id: _text(a.code) for a in assignments}
    work: dict[str, dict] = {code_of[a.id]: {"ratings": [], "notes": [], "spans": [],
                                             "guess": None, "stamp": _checked_stamp(a)}
                             for a in assignments}
    for rating in session.scalars(select(Rating)):
        history = select(Amendment).where(Amendment.rating_id == rating.id)
        amendments = [(_int(a.old_score), _int(a.new_score), _text(a.reason), _text(a.who),
                       _moment(a.at)) for a in session.scalars(history.order_by(Amendment.id))]
        if rating.state not in RATING_STATES:
            raise ValueError(f"a rating in state {rating.state!r}")
        work[code_of[rating.assignment_id]]["ratings"].append(
            (_text(rating.dimension), _int(rating.score), rating.state,
             _moment(rating.created_at), _moment(rating.updated_at),
             _moment(rating.submitted_at), amendments))
    for note in session.scalars(select(Note).order_by(Note.id)):
        work[code_of[note.assignment_id]]["notes"].append(
            (_seconds(note.time_s), _text(note.text), note.dimension and _text(note.dimension),
             _moment(note.created_at), _int(note.seq)))
    for span in session.scalars(select(ListeningSpan).order_by(ListeningSpan.id)):
        work[code_of[span.assignment_id]]["spans"].append(
            (_seconds(span.start_s), _seconds(span.end_s), _seconds(span.speed),
             _moment(span.at), _int(span.seq)))
    for guess in session.scalars(select(Guess)):
        work[code_of[guess.assignment_id]]["guess"] = (_text(guess.field), _text(guess.guess),
                                                       _moment(guess.at))
    return {"codebook_digest": digest, "work": work}


def _checked_stamp(assignment: Assignment) -> tuple[datetime | None, int]:
    return _moment(assignment.work_at), _int(assignment.work_seq or 0)


def _int(value) -> int:
    """A whole number Rater could have written (and every database can store)."""
    if not isinstance(value, int) or isinstance(value, bool) or abs(value) > MAX_INT:
        raise ValueError(f"{value!r} where a whole number belongs")
    return value


def _seconds(value) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool) \
            or not math.isfinite(value) or not 0 <= value < 1e9:
        raise ValueError(f"{value!r} where a time in seconds belongs")
    return float(value)


def _text(value) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{value!r} where text belongs")
    return value


def _moment(value) -> datetime | None:
    if value is not None and not isinstance(value, datetime):
        raise ValueError(f"{value!r} where a time belongs")
    return value


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
    _check_codebook(session, study.codebook_version_id, returned["work"], where)
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


def _check_codebook(session: Session, version: int, work: dict, where: str) -> None:
    """Every returned score is on the codebook's scale, every dimension one it has."""
    dimensions = set(session.scalars(select(CodebookDimension.dimension)
                                     .where(CodebookDimension.codebook_version_id == version)))
    scale = set(session.scalars(select(ScaleValue.value)
                                .where(ScaleValue.codebook_version_id == version)))
    for item in work.values():
        for dimension, score, *_times, amendments in item["ratings"]:
            scores = [score, *(a[0] for a in amendments), *(a[1] for a in amendments)]
            _on_codebook(dimension, scores, dimensions, scale, where)
        for note in item["notes"]:
            if note[2] is not None:
                _on_codebook(note[2], [], dimensions, scale, where)


def _on_codebook(dimension: str, scores: list[int], dimensions: set[str], scale: set[int],
                 where: str) -> None:
    if dimension not in dimensions:
        raise RaterError(Problem(f"the pack holds work on a dimension the codebook does not have "
                                 f"('{dimension}')", where,
                                 "ask the rater to return the pack again from Rater"))
    off = [s for s in scores if s not in scale]
    if off:
        raise RaterError(Problem(f"the pack holds a score off the codebook's scale ({off[0]})",
                                 where, "ask the rater to return the pack again from Rater"))


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
