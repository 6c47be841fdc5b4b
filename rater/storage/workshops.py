"""A trainer's workshop in a study store: the workshop row, participants, their gold queues,
the scores they gave, and room-mode entry (the trainer types everyone's scores).

A participant is a row of `rater`; their work is assignments with role 'gold', so the
workstation, packs and returns work on it unchanged. Every change is one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rater.core.errors import Problem, RaterError
from rater.core.workshop import participant_order
from rater.storage.ratings import codebook_check
from rater.storage.repository import StudyStore, log_event
from rater.storage.schema import (
    Amendment,
    Assignment,
    AuditEvent,
    CodebookDimension,
    GoldMoment,
    GoldScore,
    Rater,
    Rating,
    Recording,
    Study,
    Workshop,
    utcnow,
)

ROOM_REASON = "room mode: the trainer corrected the score"


@dataclass(frozen=True)
class WorkshopRow:
    name: str
    feedback: str
    anonymise: bool
    seed: int


@dataclass(frozen=True)
class ScoreRow:
    participant: str
    code: str
    dimension: str
    score: int  # after any amendment
    submitted: bool


def create(store: StudyStore, name: str, feedback: str, seed: int, actor: str) -> None:
    with store.transaction() as session:
        session.add(Workshop(id=1, name=name, feedback=feedback, seed=seed))
        log_event(session, actor, "workshop.created", {"name": name, "feedback": feedback,
                                                       "seed": seed})


def workshop(store: StudyStore) -> WorkshopRow | None:
    """The workshop this store holds, or None for an ordinary study."""
    with store.transaction() as session:
        row = session.get(Workshop, 1)
        return None if row is None else WorkshopRow(row.name, row.feedback, row.anonymise,
                                                    row.seed)


def require(store: StudyStore) -> WorkshopRow:
    """The workshop this store holds; refused for an ordinary study."""
    row = workshop(store)
    if row is None:
        raise RaterError(Problem("this study is not a workshop", store.location,
                                 "create one with 'rater workshop create'"))
    return row


def settings(store: StudyStore, actor: str, *, feedback: str | None = None,
             anonymise: bool | None = None) -> None:
    with store.transaction() as session:
        row = session.get(Workshop, 1)
        if feedback is not None:
            row.feedback = feedback
        if anonymise is not None:
            row.anonymise = anonymise
        log_event(session, actor, "workshop.settings",
                  {"feedback": feedback, "anonymise": anonymise})


def participants(store: StudyStore) -> list[tuple[str, str]]:
    """(id, display name) of every participant, in the order they were added."""
    with store.transaction() as session:
        return [tuple(row) for row in session.execute(
            select(Rater.id, Rater.display_name).order_by(Rater.added_at, Rater.id))]


def add_participants(store: StudyStore, people: list[tuple[str, str]], actor: str) -> None:
    with store.transaction() as session:
        known = set(session.scalars(select(Rater.id)))
        taken = [pid for pid, _ in people if pid in known]
        if taken:
            raise RaterError(Problem(f"already a participant: {', '.join(taken)}", "add",
                                     "give new names"))
        now = utcnow()
        for number, (pid, name) in enumerate(people):
            # a microsecond apart, so "the order they were added" is the order given
            session.add(Rater(id=pid, display_name=name,
                              added_at=now + timedelta(microseconds=number)))
        log_event(session, actor, "workshop.participants_added",
                  {"participants": [pid for pid, _ in people]})


def fill_queues(store: StudyStore, seed: int, actor: str) -> int:
    """Give every participant every gold recording they lack, appended in their own seeded
    order; returns the number of new assignments."""
    with store.transaction() as session:
        gold = dict(session.execute(select(Recording.blind_code, Recording.id).where(
            Recording.kind == "gold", Recording.blind_code.is_not(None))
            .order_by(Recording.id)).all())
        added = 0
        for pid in session.scalars(select(Rater.id).order_by(Rater.added_at, Rater.id)):
            have = set(session.scalars(select(Assignment.code).where(
                Assignment.rater_id == pid)))
            start = 1 + (session.scalar(select(func.max(Assignment.position)).where(
                Assignment.rater_id == pid)) if have else -1)
            missing = [c for c in gold if c not in have]
            for i, code in enumerate(participant_order(missing, seed, pid)):
                session.add(Assignment(recording_id=gold[code], rater_id=pid, role="gold",
                                       position=start + i, code=code))
            added += len(missing)
        if added:
            log_event(session, actor, "workshop.queues", {"new_assignments": added,
                                                          "seed": seed})
        return added


def scores(store: StudyStore) -> list[ScoreRow]:
    """Every score participants gave on gold items (drafts too: the dashboard is live)."""
    with store.transaction() as session:
        amended = dict(session.execute(select(Amendment.rating_id, Amendment.new_score)
                                       .order_by(Amendment.id)).all())
        rows = session.execute(
            select(Rating.id, Assignment.rater_id, Assignment.code, Rating.dimension,
                   Rating.score, Rating.state)
            .join(Assignment, Assignment.id == Rating.assignment_id)
            .where(Assignment.role == "gold")
            .order_by(Assignment.rater_id, Assignment.position, Rating.dimension)).all()
    return [ScoreRow(rater, code, dim, amended.get(rid, score), state == "submitted")
            for rid, rater, code, dim, score, state in rows]


def change_mark(store: StudyStore) -> str:
    """A short text that changes whenever a score, amendment, gold value, participant or
    setting changes: a live view polls it (one cheap query) and recomputes only when it moves."""
    with store.transaction() as session:
        counts = [session.scalar(select(func.count()).select_from(table))
                  for table in (Rating, Amendment, Rater, GoldMoment)]
        latest = [session.scalar(select(func.max(column))) for column in (
            Rating.updated_at, GoldScore.updated_at, AuditEvent.id)]
    return "|".join(str(v) for v in (*counts, *latest))


def gold_codes(store: StudyStore) -> list[str]:
    with store.transaction() as session:
        return list(session.scalars(select(Recording.blind_code).where(
            Recording.kind == "gold", Recording.blind_code.is_not(None))
            .order_by(Recording.id)))


# -- room mode ------------------------------------------------------------------------------------

def _gold_assignment(session: Session, participant: str, code: str) -> Assignment:
    """The participant's assignment, locked until commit: scores of one row saved at once
    (PostgreSQL) wait for each other, so the last one sees the complete row."""
    assignment = session.scalar(select(Assignment).where(
        Assignment.rater_id == participant, Assignment.code == code).with_for_update())
    if assignment is None:
        raise RaterError(Problem(f"participant {participant} has no recording {code}", code,
                                 "add the participant (and the recording) to the workshop"))
    return assignment


def enter_score(store: StudyStore, participant: str, code: str, dimension: str, score: int,
                actor: str) -> str:
    """Commit one score the trainer typed. The rating is a draft until every dimension has a
    score, then it is submitted; a later change to a submitted score is an amendment.
    Returns 'draft', 'submitted' or 'amended'."""
    with store.transaction() as session:
        assignment = _gold_assignment(session, participant, code)
        version = codebook_check(session, dimension, score)
        ratings = {r.dimension: r for r in session.scalars(
            select(Rating).where(Rating.assignment_id == assignment.id))}
        current = ratings.get(dimension)
        if current is not None and current.state == "submitted":
            return _amend(session, current, score, actor, participant, code)
        now = utcnow()
        if current is None:
            current = Rating(assignment_id=assignment.id, codebook_version_id=version,
                             dimension=dimension, score=score, created_at=now, updated_at=now)
            session.add(current)
            ratings[dimension] = current
        else:
            current.score, current.updated_at = score, now
        dimensions = set(session.scalars(select(CodebookDimension.dimension).where(
            CodebookDimension.codebook_version_id == session.get(Study, 1).codebook_version_id)))
        if dimensions <= set(ratings):
            for rating in ratings.values():
                rating.state, rating.submitted_at, rating.updated_at = "submitted", now, now
            log_event(session, actor, "rating.submitted",
                      {"code": code, "rater": participant, "room": True})
            return "submitted"
        return "draft"


def _amend(session: Session, rating: Rating, score: int, actor: str, participant: str,
           code: str) -> str:
    latest = session.scalar(select(Amendment.new_score).where(Amendment.rating_id == rating.id)
                            .order_by(Amendment.id.desc()).limit(1))
    old = rating.score if latest is None else latest
    if old == score:
        return "submitted"
    session.add(Amendment(rating_id=rating.id, codebook_version_id=rating.codebook_version_id,
                          old_score=old, new_score=score, reason=ROOM_REASON, who=actor))
    log_event(session, actor, "rating.amended", {"code": code, "rater": participant,
                                                 "dimension": rating.dimension, "old": old,
                                                 "new": score, "reason": ROOM_REASON})
    return "amended"


def clear_score(store: StudyStore, participant: str, code: str, dimension: str) -> None:
    """Take back a score typed in error; a submitted one can only be changed, not cleared."""
    with store.transaction() as session:
        assignment = _gold_assignment(session, participant, code)
        codebook_check(session, dimension)
        rating = session.scalar(select(Rating).where(Rating.assignment_id == assignment.id,
                                                     Rating.dimension == dimension))
        if rating is None:
            return
        if rating.state == "submitted":
            raise RaterError(Problem(
                f"{participant}'s scores of {code} are complete and submitted", code,
                "type the right score over it instead (kept as an amendment)"))
        session.delete(rating)
