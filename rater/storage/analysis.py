"""What analysis and exports read, and the researcher's actions after rating: consensus,
unblinding, importing existing ratings.

Blinding is kept here, where the data is read: hidden metadata and original file names are only
returned once the study is unblinded (`study.unblinded_at`), whatever the caller asks for.
Each function that changes data is one transaction with its audit event.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from rater.core.errors import Problem, RaterError
from rater.core.listening import ListeningRecord
from rater.core.ratings_csv import ImportPlan, KnownRecording, StudyState
from rater.storage.ratings import codebook_check
from rater.storage.repository import StudyStore, log_event
from rater.storage.schema import (
    Amendment,
    Assignment,
    AuditEvent,
    CodebookVersion,
    Consensus,
    ListeningSpan,
    MetadataField,
    MetadataValue,
    Note,
    Rater,
    Rating,
    Recording,
    Study,
    utcnow,
)
from rater.storage.verify import off_scale_scores

ANALYSED_ROLES = ("primary", "second", "retest")
UNBLIND_ACTION = "study.unblinded"


def _utc(at: datetime | None) -> datetime | None:
    """SQLite gives naive times (stored as UTC), PostgreSQL aware ones: make both aware."""
    return at.replace(tzinfo=UTC) if at is not None and at.tzinfo is None else at


def _research_study(session: Session, what: str, location: str) -> Study:
    study = session.get(Study, 1)
    if study.mode != "research":
        raise RaterError(Problem(f"{what} is done in the researcher's study, not in a rater's "
                                 "copy", location, "open the research study"))
    return study


# ---------------------------------------------------------------------------------------------
# reading for analysis and exports

@dataclass(frozen=True)
class RatingRow:
    """One submitted, independent rating: its effective score and how it was made."""

    recording_id: int
    code: str
    rater: str
    role: str
    dimension: str
    score: int
    amended: bool
    codebook: str
    codebook_version: str
    started_at: datetime
    submitted_at: datetime
    heard_share: float | None  # None: no listening recorded (e.g. imported ratings)
    speed: float | None
    notes: int


def _analysed_or_gold(gold: bool):
    """Analysed work (study recordings, primary/second/re-test), or work on gold items."""
    if gold:
        return (Assignment.role == "gold",)
    return (Recording.kind == "study", Assignment.role.in_(ANALYSED_ROLES))


def submitted_ratings(store: StudyStore, *, gold: bool = False) -> list[RatingRow]:
    """Every submitted rating of a study recording by a primary, second or re-test rater; with
    `gold`, instead every submitted rating of a gold item (never analysed, exported apart)."""
    with store.transaction() as session:
        _refuse_invalid_scores(session)
        rows = session.execute(
            select(Rating.id, Rating.assignment_id, Rating.dimension, Rating.score,
                   Rating.created_at, Rating.submitted_at, Assignment.rater_id, Assignment.role,
                   Assignment.code, Recording.id, Recording.blind_code,
                   func.coalesce(Recording.blind_duration_s, Recording.duration_s),
                   CodebookVersion.codebook_id, CodebookVersion.version)
            .join(Assignment, Assignment.id == Rating.assignment_id)
            .join(Recording, Recording.id == Assignment.recording_id)
            .join(CodebookVersion, CodebookVersion.id == Rating.codebook_version_id)
            .where(Rating.state == "submitted", *_analysed_or_gold(gold))
            .order_by(Recording.id, Assignment.role, Assignment.rater_id, Rating.dimension)).all()
        amended = dict(session.execute(select(Amendment.rating_id, Amendment.new_score)
                                       .order_by(Amendment.id)).all())
        notes = dict(session.execute(select(Note.assignment_id, func.count())
                                     .group_by(Note.assignment_id)).all())
        listening = _listening(session)
    out = []
    for (rating, assignment, dimension, score, started, submitted, rater, role, code,
         recording, blind_code, duration, codebook, version) in rows:
        record = listening.get(assignment)
        out.append(RatingRow(
            recording, blind_code or code, rater, role, dimension, amended.get(rating, score),
            rating in amended, codebook, version, _utc(started), _utc(submitted),
            record.heard_fraction(duration) if record else None,
            _mean_speed(record) if record else None, notes.get(assignment, 0)))
    return out


def _refuse_invalid_scores(session: Session) -> None:
    """A score off the scale can only come from an edit made outside Rater: analyses stop."""
    broken = off_scale_scores(session)
    if broken:
        raise RaterError(Problem(
            f"{broken} score(s) in this study are not on its codebook's scale: the study was "
            "edited outside Rater", "the study", "run 'rater study verify' to see what changed, "
            "and restore the study from a backup"))


def _listening(session: Session) -> dict[int, ListeningRecord]:
    records: dict[int, ListeningRecord] = {}
    for assignment, start, end, speed in session.execute(
            select(ListeningSpan.assignment_id, ListeningSpan.start_s, ListeningSpan.end_s,
                   ListeningSpan.speed).order_by(ListeningSpan.id)):
        records.setdefault(assignment, ListeningRecord()).add(start, end, speed)
    return records


def _mean_speed(record: ListeningRecord) -> float | None:
    """Playback speed weighted by the recording seconds played at it."""
    seconds = record.seconds_by_speed()
    total = sum(seconds.values())
    return sum(v * s for v, s in seconds.items()) / total if total else None


@dataclass(frozen=True)
class RecordingRow:
    id: int
    code: str
    metadata: dict[str, str]  # visible fields; hidden ones too once unblinded
    file_name: str | None  # the original file name, once unblinded
    raters: dict[str, str]  # role -> rater


@dataclass(frozen=True)
class RecordingTable:
    fields: list[tuple[str, bool]]  # (name, hidden) of the fields present in `metadata`
    rows: list[RecordingRow]
    unblinded: bool


def recordings_for_analysis(store: StudyStore) -> RecordingTable:
    """Study recordings with a blind code, their metadata as blinding allows, and raters."""
    with store.transaction() as session:
        unblinded = session.get(Study, 1).unblinded_at is not None
        fields = [(name, hidden) for name, hidden in session.execute(
            select(MetadataField.name, MetadataField.hidden).order_by(MetadataField.position))
            if unblinded or not hidden]
        shown = {name for name, _ in fields}
        values: dict[int, dict[str, str]] = {}
        for recording, field, value in session.execute(
                select(MetadataValue.recording_id, MetadataValue.field, MetadataValue.value)):
            if field in shown:
                values.setdefault(recording, {})[field] = value
        raters: dict[int, dict[str, str]] = {}
        for recording, role, rater in session.execute(
                select(Assignment.recording_id, Assignment.role, Assignment.rater_id)):
            raters.setdefault(recording, {})[role] = rater
        rows = [RecordingRow(r.id, r.blind_code, values.get(r.id, {}),
                             r.original_name if unblinded else None, raters.get(r.id, {}))
                for r in session.scalars(select(Recording).where(
                    Recording.kind == "study", Recording.blind_code.is_not(None))
                    .order_by(Recording.blind_code))]
        return RecordingTable(fields, rows, unblinded)


def group_values(store: StudyStore, field: str) -> dict[int, str]:
    """Recording id -> value of one metadata field; a hidden field only after unblinding."""
    with store.transaction() as session:
        fields = dict(session.execute(select(MetadataField.name, MetadataField.hidden)).all())
        if field not in fields:
            raise RaterError(Problem(f"no metadata field '{field}'", "--by",
                                     f"choose one of: {', '.join(sorted(fields)) or '(none)'}"))
        if fields[field] and session.get(Study, 1).unblinded_at is None:
            raise RaterError(Problem(
                f"'{field}' is hidden from raters and the study is still blind", "--by",
                "unblind first ('rater unblind STUDY --reason TEXT'), or compare by a visible "
                "field"))
        return dict(session.execute(select(MetadataValue.recording_id, MetadataValue.value)
                                    .where(MetadataValue.field == field)).all())


@dataclass(frozen=True)
class NoteRow:
    code: str
    rater: str
    role: str
    time_s: float
    dimension: str | None
    text: str
    created_at: datetime


def notes(store: StudyStore, *, gold: bool = False) -> list[NoteRow]:
    """Raters' notes on study recordings (with `gold`: on gold items), by recording, rater and
    time."""
    with store.transaction() as session:
        rows = session.execute(
            select(Recording.blind_code, Assignment.code, Assignment.rater_id, Assignment.role,
                   Note.time_s, Note.dimension, Note.text, Note.created_at)
            .join(Assignment, Assignment.id == Note.assignment_id)
            .join(Recording, Recording.id == Assignment.recording_id)
            .where(*_analysed_or_gold(gold))
            .order_by(Recording.blind_code, Assignment.rater_id, Note.time_s, Note.id)).all()
        return [NoteRow(blind or code, rater, role, time_s, dimension, text, _utc(at))
                for blind, code, rater, role, time_s, dimension, text, at in rows]


# ---------------------------------------------------------------------------------------------
# consensus

@dataclass(frozen=True)
class ConsensusRow:
    recording_id: int
    code: str
    dimension: str
    score: int
    reason: str
    who: str
    at: datetime


def latest_consensus(store: StudyStore) -> list[ConsensusRow]:
    """The latest consensus score of every recording and dimension that has one."""
    with store.transaction() as session:
        rows = session.execute(
            select(Consensus, Recording.blind_code)
            .join(Recording, Recording.id == Consensus.recording_id)
            .order_by(Consensus.id)).all()
    latest = {(c.recording_id, c.dimension): ConsensusRow(
        c.recording_id, code, c.dimension, c.score, c.reason, c.who, _utc(c.at))
        for c, code in rows}
    return list(latest.values())


def add_consensus(store: StudyStore, code: str, dimension: str, score: int, reason: str,
                  actor: str) -> ConsensusRow:
    """Record an agreed score for a double-coded recording; its ratings stay as they are."""
    if not reason.strip():
        raise RaterError(Problem("a consensus score needs a reason", "--reason",
                                 "say how the raters (or the adjudicator) agreed"))
    with store.transaction() as session:
        _research_study(session, "consensus", store.location)
        recording = session.scalar(select(Recording).where(Recording.blind_code == code))
        if recording is None:
            raise RaterError(Problem(f"no recording with blind code {code}", "--recording",
                                     "use a code from 'rater consensus list'"))
        version = codebook_check(session, dimension, score)
        raters = session.scalar(
            select(func.count()).select_from(Rating)
            .join(Assignment, Assignment.id == Rating.assignment_id)
            .where(Assignment.recording_id == recording.id, Rating.dimension == dimension,
                   Rating.state == "submitted", Assignment.role.in_(("primary", "second"))))
        if raters < 2:
            raise RaterError(Problem(f"{code} has {raters} submitted {dimension} rating(s); "
                                     "consensus is for double-coded recordings", code,
                                     "wait for both raters to submit"))
        row = Consensus(recording_id=recording.id, codebook_version_id=version,
                        dimension=dimension, score=score, reason=reason.strip(), who=actor)
        session.add(row)
        session.flush()
        log_event(session, actor, "consensus.set", {"code": code, "dimension": dimension,
                                               "score": score, "reason": reason.strip()})
        return ConsensusRow(recording.id, code, dimension, score, row.reason, actor,
                            _utc(row.at))


def recording_material(store: StudyStore, code: str) -> tuple[str | None, list[NoteRow]]:
    """What an adjudicator needs of one recording (by blind code): the blinded audio's path and
    the primary and second raters' notes on it."""
    with store.transaction() as session:
        recording = session.scalar(select(Recording).where(Recording.blind_code == code))
        if recording is None:
            raise RaterError(Problem(f"no recording with blind code {code}", "--recording",
                                     "use a code from 'rater consensus list'"))
        rows = session.execute(
            select(Assignment.rater_id, Assignment.role, Note.time_s, Note.dimension, Note.text,
                   Note.created_at)
            .join(Assignment, Assignment.id == Note.assignment_id)
            .where(Assignment.recording_id == recording.id,
                   Assignment.role.in_(("primary", "second")))
            .order_by(Assignment.role, Note.time_s, Note.id)).all()
        return recording.blind_path, [NoteRow(code, rater, role, time_s, dimension, text,
                                              _utc(at))
                                      for rater, role, time_s, dimension, text, at in rows]


# ---------------------------------------------------------------------------------------------
# unblinding

def unblinding(store: StudyStore) -> dict | None:
    """Who unblinded the study, when and why; None while it is blind."""
    with store.transaction() as session:
        if session.get(Study, 1).unblinded_at is None:
            return None
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == UNBLIND_ACTION)
                               .order_by(AuditEvent.id.desc()).limit(1))
        return {"at": _utc(event.at).isoformat(), "by": event.actor,
                "reason": json.loads(event.detail).get("reason", "")}


def unblind(store: StudyStore, reason: str, actor: str) -> dict:
    """Let hidden fields join analysis and exports from now on; logged with who, when, why.

    Refused in a rater's copy, which holds no key. Unblinding twice changes nothing.
    """
    if not reason.strip():
        raise RaterError(Problem("unblinding needs a reason", "--reason",
                                 "say why the study is unblinded now (e.g. 'all ratings in')"))
    with store.transaction() as session:
        study = session.get(Study, 1)
        if study.mode != "research" or not study.secret:
            raise RaterError(Problem(
                "this is a rater's copy: the key (hidden fields, file names) is not in it, so "
                "it cannot be unblinded", store.location,
                "the researcher unblinds the research study"))
        if study.unblinded_at is not None:
            return {"already": True}
        unfinished = session.scalar(
            select(func.count(func.distinct(Assignment.id))).select_from(Assignment)
            .outerjoin(Rating, (Rating.assignment_id == Assignment.id)
                       & (Rating.state == "submitted"))
            .where(Rating.id.is_(None), Assignment.role.in_(ANALYSED_ROLES)))
        study.unblinded_at = utcnow()
        log_event(session, actor, UNBLIND_ACTION, {"reason": reason.strip(),
                                              "unsubmitted_assignments": unfinished})
        return {"already": False, "unsubmitted_assignments": unfinished}


# ---------------------------------------------------------------------------------------------
# importing existing ratings

def import_state(store: StudyStore) -> StudyState:
    """What planning a ratings import needs: recordings, assignments, ratings, codes."""
    with store.transaction() as session:
        _research_study(session, "importing ratings", store.location)
        recordings = [KnownRecording(r.id, r.blind_code, r.original_name)
                      for r in session.scalars(select(Recording).order_by(Recording.id))]
        assignments = {(rec, rater, role): (a, code) for a, rec, rater, role, code in
                       session.execute(select(Assignment.id, Assignment.recording_id,
                                              Assignment.rater_id, Assignment.role,
                                              Assignment.code))}
        ratings = {}
        amended = dict(session.execute(select(Amendment.rating_id, Amendment.new_score)
                                       .order_by(Amendment.id)).all())
        for rating, assignment, dimension, state, score in session.execute(
                select(Rating.id, Rating.assignment_id, Rating.dimension, Rating.state,
                       Rating.score)):
            ratings[assignment, dimension] = (state, amended.get(rating, score))
        positions = dict(session.execute(select(Assignment.rater_id,
                                                func.max(Assignment.position) + 1)
                                         .group_by(Assignment.rater_id)).all())
        codes = {c for _, c in assignments.values()} | {r.blind_code for r in recordings
                                                         if r.blind_code}
        return StudyState(recordings, assignments, ratings, positions,
                          set(session.scalars(select(Rater.id))), codes)


def apply_import(store: StudyStore, plan: ImportPlan, actor: str, detail: dict) -> None:
    """Store a planned import in one transaction; if the study changed meanwhile, nothing."""
    try:
        with store.transaction() as session:
            version = session.get(Study, 1).codebook_version_id
            session.add_all(Rater(id=rater) for rater in plan.raters)
            for recording_id, code in plan.blind_codes.items():
                recording = session.get(Recording, recording_id)
                if recording.blind_code is not None:
                    raise _changed()
                recording.blind_code = code
            session.flush()
            made = {}
            for new in plan.assignments:
                recording, rater, role = new.key
                row = Assignment(recording_id=recording, rater_id=rater, role=role,
                                 position=new.position, code=new.code)
                session.add(row)
                made[new.key] = row
            session.flush()
            now = utcnow()
            for new in plan.ratings:
                at = new.at or now
                session.add(Rating(
                    assignment_id=new.assignment_id or made[new.key].id,
                    codebook_version_id=version, dimension=new.dimension, score=new.score,
                    state="submitted", created_at=at, updated_at=now, submitted_at=at))
            log_event(session, actor, "ratings.import", {
                **detail, "ratings": len(plan.ratings), "assignments": len(plan.assignments),
                "raters": plan.raters, "unchanged": plan.unchanged,
                "by_role": dict(Counter(n.key[2] for n in plan.ratings))})
    except IntegrityError:
        raise _changed() from None


def _changed() -> RaterError:
    return RaterError(Problem("the study changed while the ratings were imported; nothing was "
                              "imported", "ratings import", "run the import again"))
