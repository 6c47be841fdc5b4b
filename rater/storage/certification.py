"""Certification tests, attempts and results in the study store.

Tests, attempts and results are append-only (database triggers): a changed test is a new test,
and every attempt and its graded result stays in the store with an audit event.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rater.core.certification import Thresholds
from rater.core.errors import Problem, RaterError
from rater.storage.gold import recording_lookup
from rater.storage.repository import StudyStore, log_event
from rater.storage.schema import (
    Amendment,
    Assignment,
    CertificationAttempt,
    CertificationRecording,
    CertificationResult,
    CertificationTest,
    GoldScore,
    Rater,
    Rating,
    Recording,
)


@dataclass(frozen=True)
class TestRow:
    id: int
    name: str
    thresholds: dict[str, Thresholds]  # '*' for every dimension not named
    attempts: int
    recordings: tuple[tuple[str, ...], ...]  # codes, per attempt

    def limits(self, dimension: str) -> Thresholds:
        return self.thresholds.get(dimension, self.thresholds["*"])


@dataclass(frozen=True)
class AttemptRow:
    id: int
    rater: str
    number: int
    passed: bool | None  # None: not graded yet
    detail: dict | None


def define(store: StudyStore, name: str, codes: list[list[str]], thresholds: dict[str, Thresholds],
           attempts: int, actor: str) -> None:
    with store.transaction() as session:
        if session.scalar(select(CertificationTest).where(CertificationTest.name == name)):
            raise RaterError(Problem(f"a certification test '{name}' already exists", name,
                                     "tests never change: define a new one under another name"))
        lookup = recording_lookup(session)
        flat = [c for attempt in codes for c in attempt]
        recordings = [_usable(session, lookup, code) for code in flat]
        test = CertificationTest(name=name, attempts=attempts, thresholds=json.dumps(
            {d: vars(t) for d, t in thresholds.items()}))
        session.add(test)
        session.flush()
        numbers = [n for n, attempt in enumerate(codes, start=1) for _ in attempt]
        for position, (number, recording) in enumerate(zip(numbers, recordings, strict=True)):
            session.add(CertificationRecording(test_id=test.id, attempt=number,
                                               position=position, recording_id=recording.id))
        log_event(session, actor, "certification.defined", {
            "name": name, "attempts": attempts, "recordings": codes,
            "thresholds": {d: vars(t) for d, t in thresholds.items()}})


def _usable(session: Session, lookup: dict[str, Recording], code: str) -> Recording:
    recording = lookup.get(code)
    if recording is None:
        raise RaterError(Problem(f"no recording '{code}' in this study", code,
                                 "name gold recordings by their code or file name"))
    name = recording.blind_code or recording.original_name
    if recording.kind != "gold" or not recording.blind_code:
        raise RaterError(Problem(f"{name} is not a blinded gold recording", name,
                                 "add it with 'rater workshop add' / gold import, then "
                                 "'rater study blind'"))
    if not session.scalar(select(GoldScore.id).where(GoldScore.recording_id == recording.id,
                                                     GoldScore.expert == "")):
        raise RaterError(Problem(f"{name} has no gold scores", name,
                                 "import its gold with 'rater gold import'"))
    if session.scalar(select(Assignment.id).where(Assignment.recording_id == recording.id)):
        raise RaterError(Problem(f"{name} is already in a rater's queue (used in training)", name,
                                 "a certification test needs gold recordings nobody has rated"))
    if session.scalar(select(CertificationRecording.test_id).where(
            CertificationRecording.recording_id == recording.id)):
        raise RaterError(Problem(f"{name} is already in a certification test", name,
                                 "each test needs its own recordings"))
    return recording


def tests(store: StudyStore) -> list[TestRow]:
    with store.transaction() as session:
        rows = session.execute(
            select(CertificationRecording.test_id, CertificationRecording.attempt,
                   Recording.blind_code)
            .join(Recording, Recording.id == CertificationRecording.recording_id)
            .order_by(CertificationRecording.position)).all()
        found = []
        for test in session.scalars(select(CertificationTest).order_by(CertificationTest.id)):
            per = [tuple(code for tid, a, code in rows if tid == test.id and a == n)
                   for n in range(1, test.attempts + 1)]
            limits = {d: Thresholds(**t) for d, t in json.loads(test.thresholds).items()}
            found.append(TestRow(test.id, test.name, limits, test.attempts, tuple(per)))
        return found


def rater_ids(store: StudyStore) -> list[str]:
    with store.transaction() as session:
        return list(session.scalars(select(Rater.id).order_by(Rater.id)))


def certification_codes(store: StudyStore) -> set[str]:
    """Codes of every recording kept for certification (never a training or drift item)."""
    return {code for test in tests(store) for attempt in test.recordings for code in attempt}


def attempts(store: StudyStore, test_id: int) -> list[AttemptRow]:
    with store.transaction() as session:
        results = {r.attempt_id: r for r in session.scalars(select(CertificationResult))}
        rows = session.scalars(select(CertificationAttempt)
                               .where(CertificationAttempt.test_id == test_id)
                               .order_by(CertificationAttempt.rater_id,
                                         CertificationAttempt.number))
        return [AttemptRow(a.id, a.rater_id, a.number,
                           results[a.id].passed if a.id in results else None,
                           json.loads(results[a.id].detail) if a.id in results else None)
                for a in rows]


def start_attempt(store: StudyStore, test: TestRow, rater: str, number: int,
                  actor: str) -> list[str]:
    """Record attempt `number` and put its recordings at the end of the rater's queue as gold
    items; returns their codes."""
    codes = test.recordings[number - 1]
    with store.transaction() as session:
        if session.get(Rater, rater) is None:
            session.add(Rater(id=rater))
            session.flush()
        session.add(CertificationAttempt(test_id=test.id, rater_id=rater, number=number))
        start = 1 + (session.scalar(select(func.max(Assignment.position))
                                    .where(Assignment.rater_id == rater)) or -1)
        ids = dict(session.execute(select(Recording.blind_code, Recording.id)
                                   .where(Recording.blind_code.in_(codes))).all())
        for i, code in enumerate(codes):
            session.add(Assignment(recording_id=ids[code], rater_id=rater, role="gold",
                                   position=start + i, code=code))
        log_event(session, actor, "certification.attempt_started",
                  {"test": test.name, "rater": rater, "attempt": number, "recordings": codes})
    return list(codes)


def submitted_gold_scores(store: StudyStore, rater: str) -> dict[tuple[str, str], int]:
    """(code, dimension) -> the rater's submitted score (after amendments) on gold items."""
    with store.transaction() as session:
        amended = dict(session.execute(select(Amendment.rating_id, Amendment.new_score)
                                       .order_by(Amendment.id)).all())
        rows = session.execute(
            select(Rating.id, Assignment.code, Rating.dimension, Rating.score)
            .join(Assignment, Assignment.id == Rating.assignment_id)
            .where(Assignment.role == "gold", Assignment.rater_id == rater,
                   Rating.state == "submitted")).all()
    return {(code, dim): amended.get(rid, score) for rid, code, dim, score in rows}


def record_result(store: StudyStore, attempt: AttemptRow, test: TestRow, passed: bool,
                  detail: dict, actor: str) -> None:
    with store.transaction() as session:
        session.add(CertificationResult(attempt_id=attempt.id, passed=passed,
                                        detail=json.dumps(detail), graded_by=actor))
        log_event(session, actor, "certification.graded",
                  {"test": test.name, "rater": attempt.rater, "attempt": attempt.number,
                   "passed": passed})


@dataclass(frozen=True)
class GoldWork:
    rater: str
    position: int
    code: str
    scores: dict[str, int]  # dimension -> submitted score (after amendments)


def gold_work(store: StudyStore, leave_out: set[str]) -> list[GoldWork]:
    """Every submitted gold item (drift checks, training) but the codes in `leave_out`, by
    rater and queue position."""
    with store.transaction() as session:
        amended = dict(session.execute(select(Amendment.rating_id, Amendment.new_score)
                                       .order_by(Amendment.id)).all())
        rows = session.execute(
            select(Assignment.rater_id, Assignment.position, Assignment.code, Rating.id,
                   Rating.dimension, Rating.score)
            .join(Assignment, Assignment.id == Rating.assignment_id)
            .where(Assignment.role == "gold", Rating.state == "submitted")
            .order_by(Assignment.rater_id, Assignment.position)).all()
    found: dict[tuple[str, int], GoldWork] = {}
    for rater, position, code, rid, dimension, score in rows:
        if code in leave_out:
            continue
        item = found.setdefault((rater, position), GoldWork(rater, position, code, {}))
        item.scores[dimension] = amended.get(rid, score)
    return list(found.values())
