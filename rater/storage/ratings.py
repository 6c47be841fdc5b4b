"""Reading and writing a rater's work: scores, submission, amendments, notes, listening.

Each function is one transaction, committed before it returns: a rater's work is durable the
moment it is made.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import exists, select, text
from sqlalchemy.orm import Session, load_only

from rater.core.errors import Problem, RaterError
from rater.storage.repository import StudyStore, log_event
from rater.storage.schema import (
    Amendment,
    Assignment,
    CodebookDimension,
    Guess,
    ListeningSpan,
    Note,
    Rater,
    Rating,
    Recording,
    ScaleValue,
    Study,
    utcnow,
)
from rater.storage.server_roles import LOGIN_TABLE, QUEUE_VIEW


@dataclass(frozen=True)
class QueueEntry:
    code: str
    position: int
    duration_s: float
    audio: str | None  # the raters' copy (a path, or a member path inside a rater's folder)
    scores: dict[str, int]
    submitted: bool
    resume_s: float | None = None  # where listening stopped last time (``save_place``)

    @property
    def status(self) -> str:
        if self.submitted:
            return "submitted"
        return "in progress" if self.scores else "not started"


def queue(store: StudyStore, rater: str) -> list[QueueEntry]:
    with store.transaction() as session:
        rows = _queue_rows(session, rater)
        ratings: dict[int, list[Rating]] = {}
        for rating in session.scalars(select(Rating).join(Assignment)
                                      .where(Assignment.rater_id == rater)):
            ratings.setdefault(rating.assignment_id, []).append(rating)
        amended = _latest_amendments(session, rater)
        return [QueueEntry(code, position, duration, path,
                           {r.dimension: amended.get(r.id, r.score) for r in ratings.get(a, [])},
                           any(r.state == "submitted" for r in ratings.get(a, [])), resume)
                for a, code, position, duration, path, resume in rows]


def _queue_rows(session: Session, rater: str) -> list:
    """(assignment id, code, position, duration, audio path, resume) of a rater's queue. A
    rater's login on a shared study reads it through the server's view, which ties no two
    codes to one recording (decision 1701)."""
    if _is_rater_login(session):
        return session.execute(text(
            f"SELECT assignment_id, code, position, duration_s, blind_path, resume_s "
            f"FROM {QUEUE_VIEW} WHERE rater_id = :rater ORDER BY position"),
            {"rater": rater}).all()
    return session.execute(
        select(Assignment.id, Assignment.code, Assignment.position, Recording.duration_s,
               Recording.blind_path, Assignment.resume_s)
        .join(Recording, Recording.id == Assignment.recording_id)
        .where(Assignment.rater_id == rater).order_by(Assignment.position)).all()


def _is_rater_login(session: Session) -> bool:
    if session.get_bind().dialect.name != "postgresql":
        return False
    if session.scalar(text(f"SELECT to_regclass('{QUEUE_VIEW}')")) is None:
        return False
    return bool(session.scalar(text(f"SELECT EXISTS (SELECT 1 FROM {LOGIN_TABLE} "
                                    "WHERE role_name = current_user)")))


def _latest_amendments(session: Session, rater: str) -> dict[int, int]:
    """Rating id -> its latest amended score, for one rater's ratings, in one query."""
    rows = session.execute(select(Amendment.rating_id, Amendment.new_score)
                           .join(Rating, Rating.id == Amendment.rating_id)
                           .join(Assignment, Assignment.id == Rating.assignment_id)
                           .where(Assignment.rater_id == rater).order_by(Amendment.id))
    return dict(rows.all())  # later rows overwrite earlier: the latest wins


def _effective(session: Session, rating: Rating) -> int:
    """A rating's score after its latest amendment."""
    latest = session.scalar(select(Amendment.new_score).where(Amendment.rating_id == rating.id)
                            .order_by(Amendment.id.desc()).limit(1))
    return rating.score if latest is None else latest


# What a rater's work needs of an assignment: on a shared server a rater may read no more (not
# the role or the recording, which would tell a re-test or a gold item apart).
RATER_SIDE = (Assignment.id, Assignment.rater_id, Assignment.position,
              Assignment.code, Assignment.resume_s, Assignment.work_at, Assignment.work_seq)


def _assignment(session: Session, rater: str, code: str) -> Assignment:
    assignment = session.scalar(select(Assignment).options(load_only(*RATER_SIDE))
                                .where(Assignment.rater_id == rater, Assignment.code == code))
    if assignment is None:
        raise RaterError(Problem(f"no recording {code} in rater {rater}'s queue", code,
                                 "choose a recording from the queue"))
    return assignment


def codebook_version_id(session: Session) -> int:
    """The codebook version the study rates with (read alone: a rater on a shared server may
    not read the study's other settings, such as its secret)."""
    return session.scalar(select(Study.codebook_version_id).where(Study.id == 1))


def codebook_check(session: Session, dimension: str, score: int | None = None) -> int:
    """The study's codebook version, after checking the dimension (and score) against it.

    One query when both are valid (every score a rater makes passes here); the codebook's
    lists are read only to word an error."""
    version = select(Study.codebook_version_id).where(Study.id == 1).scalar_subquery()
    known_dimension = exists().where(CodebookDimension.codebook_version_id == version,
                                     CodebookDimension.dimension == dimension)
    on_scale = exists().where(ScaleValue.codebook_version_id == version,
                              ScaleValue.value == score)
    found = session.execute(select(version, known_dimension, on_scale)).one()
    if not found[1]:
        dimensions = session.scalars(select(CodebookDimension.dimension).where(
            CodebookDimension.codebook_version_id == found[0]))
        raise RaterError(Problem(f"the codebook has no dimension '{dimension}'", dimension,
                                 f"choose one of: {', '.join(sorted(dimensions))}"))
    if score is not None and not found[2]:
        values = list(session.scalars(select(ScaleValue.value)
                                      .where(ScaleValue.codebook_version_id == found[0])))
        raise RaterError(Problem(f"{score} is not on the scale", dimension,
                                 f"score from {min(values)} to {max(values)}"))
    return found[0]


def set_score(store: StudyStore, rater: str, code: str, dimension: str, score: int) -> None:
    """Save a draft score (insert or change); refused once the rating is submitted."""
    with store.transaction() as session:
        assignment = _assignment(session, rater, code)
        version = codebook_check(session, dimension, score)
        rating = session.scalar(select(Rating).where(Rating.assignment_id == assignment.id,
                                                     Rating.dimension == dimension))
        if rating is None:
            session.add(Rating(assignment_id=assignment.id, codebook_version_id=version,
                               dimension=dimension, score=score))
        elif rating.state == "submitted":
            raise RaterError(Problem(f"{code} is already submitted", code,
                                     "change a submitted score with an amendment and a reason"))
        else:
            rating.score, rating.updated_at = score, utcnow()


def clear_score(store: StudyStore, rater: str, code: str, dimension: str) -> None:
    """Take a draft score back to "not scored"; refused once the rating is submitted."""
    with store.transaction() as session:
        assignment = _assignment(session, rater, code)
        codebook_check(session, dimension)
        rating = session.scalar(select(Rating).where(Rating.assignment_id == assignment.id,
                                                     Rating.dimension == dimension))
        if rating is None:
            return
        if rating.state == "submitted":
            raise RaterError(Problem(f"{code} is already submitted", code,
                                     "change a submitted score with an amendment and a reason"))
        session.delete(rating)


def submit(store: StudyStore, rater: str, code: str) -> None:
    """Lock every dimension's score of one recording; all dimensions must be scored."""
    with store.transaction() as session:
        assignment = _assignment(session, rater, code)
        dimensions = list(session.scalars(select(CodebookDimension.dimension).where(
            CodebookDimension.codebook_version_id == codebook_version_id(session))
            .order_by(CodebookDimension.position)))
        ratings = {r.dimension: r for r in session.scalars(
            select(Rating).where(Rating.assignment_id == assignment.id))}
        if any(r.state == "submitted" for r in ratings.values()):
            raise RaterError(Problem(f"{code} is already submitted", code,
                                     "change a submitted score with an amendment"))
        missing = [d for d in dimensions if d not in ratings]
        if missing:
            raise RaterError(Problem(f"not every dimension is scored: {', '.join(missing)}",
                                     code, "score every dimension before submitting"))
        now = utcnow()
        for rating in ratings.values():
            rating.state, rating.submitted_at, rating.updated_at = "submitted", now, now
        log_event(session, rater, "rating.submitted", {"code": code})


def amend(store: StudyStore, rater: str, code: str, dimension: str, score: int,
          reason: str) -> None:
    """Change a submitted score: the original stays, the change is appended with its reason."""
    if not reason.strip():
        raise RaterError(Problem("an amendment needs a reason", code,
                                 "say why the score changes"))
    with store.transaction() as session:
        assignment = _assignment(session, rater, code)
        codebook_check(session, dimension, score)
        rating = session.scalar(select(Rating).where(Rating.assignment_id == assignment.id,
                                                     Rating.dimension == dimension,
                                                     Rating.state == "submitted"))
        if rating is None:
            raise RaterError(Problem(f"{code} has no submitted {dimension} score", code,
                                     "drafts can simply be changed"))
        old = _effective(session, rating)
        session.add(Amendment(rating_id=rating.id, codebook_version_id=rating.codebook_version_id,
                              old_score=old, new_score=score, reason=reason.strip(), who=rater))
        log_event(session, rater, "rating.amended",
             {"code": code, "dimension": dimension, "old": old, "new": score})


def _touch(assignment: Assignment) -> int:
    """Stamp a change to an item's notes, listening or guess with the rater-side time and the
    next sequence number; returns the sequence."""
    assignment.work_seq = (assignment.work_seq or 0) + 1
    assignment.work_at = utcnow()
    return assignment.work_seq


def add_note(store: StudyStore, rater: str, code: str, time_s: float, text: str,
             dimension: str | None = None) -> int:
    with store.transaction() as session:
        assignment = _assignment(session, rater, code)
        if dimension is not None:
            codebook_check(session, dimension)
        note = Note(assignment_id=assignment.id, time_s=max(0.0, time_s), text=text,
                    dimension=dimension, seq=_touch(assignment))
        session.add(note)
        session.flush()
        return note.id


def notes(store: StudyStore, rater: str, code: str) -> list[tuple[int, float, str, str | None]]:
    with store.transaction() as session:
        assignment = _assignment(session, rater, code)
        rows = session.execute(select(Note.id, Note.time_s, Note.text, Note.dimension)
                               .where(Note.assignment_id == assignment.id).order_by(Note.time_s))
        return [tuple(row) for row in rows]


def guess_question(store: StudyStore) -> tuple[str, list[str]] | None:
    """The blinding check, if the study asks it: the field and the group labels offered."""
    with store.transaction() as session:
        field, options = session.execute(select(Study.ask_guess_field, Study.guess_options)
                                         .where(Study.id == 1)).one()
        if not field:
            return None
        return field, json.loads(options or "[]")


def record_guess(store: StudyStore, rater: str, code: str, guess: str) -> None:
    """Store (or replace) the rater's guess of a recording's group; '' means don't know."""
    question = guess_question(store)
    if question is None:
        raise RaterError(Problem("this study does not ask for guesses", code,
                                 "turn the blinding check on first"))
    field, options = question
    if guess and guess not in options:
        raise RaterError(Problem(f"'{guess}' is not one of the groups", code,
                                 f"answer one of: {', '.join(options)}, or don't know"))
    with store.transaction() as session:
        assignment = _assignment(session, rater, code)
        _touch(assignment)
        session.execute(Guess.__table__.delete().where(Guess.assignment_id == assignment.id))
        session.add(Guess(assignment_id=assignment.id, field=field, guess=guess))


def add_listening(store: StudyStore, rater: str, code: str,
                  spans: list[tuple[float, float, float]]) -> None:
    with store.transaction() as session:
        assignment = _assignment(session, rater, code)
        seq = _touch(assignment)
        session.add_all(ListeningSpan(assignment_id=assignment.id, start_s=a, end_s=b, speed=v,
                                      seq=seq) for a, b, v in spans)


def save_place(store: StudyStore, rater: str, code: str, position_s: float) -> None:
    """Remember the open recording and where listening stopped (for resuming after a restart)."""
    with store.transaction() as session:
        assignment = _assignment(session, rater, code)
        assignment.resume_s = max(0.0, position_s)
        session.get(Rater, rater).current_code = code


def last_place(store: StudyStore, rater: str) -> tuple[str, float] | None:
    """The recording open last time and its resume position, if any."""
    with store.transaction() as session:
        code = session.get(Rater, rater).current_code
        if code is None:
            return None
        return code, _assignment(session, rater, code).resume_s or 0.0


def delete_note(store: StudyStore, rater: str, code: str, note_id: int) -> None:
    with store.transaction() as session:
        assignment = _assignment(session, rater, code)
        _touch(assignment)
        session.execute(Note.__table__.delete().where(Note.id == note_id,
                                                      Note.assignment_id == assignment.id))


def heard_spans(store: StudyStore, rater: str, code: str) -> list[tuple[float, float, float]]:
    with store.transaction() as session:
        assignment = _assignment(session, rater, code)
        rows = session.execute(select(ListeningSpan.start_s, ListeningSpan.end_s,
                                      ListeningSpan.speed)
                               .where(ListeningSpan.assignment_id == assignment.id))
        return [tuple(row) for row in rows]
