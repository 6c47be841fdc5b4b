"""Gold data: expert scores, rationales and evidence moments, and the work done on gold items.

Each change is one transaction with its audit event (the old value kept in the event), so the
trail shows who set which gold score when. Gold is never read by reliability or analysis (they
read `storage.analysis.submitted_ratings`, which leaves role 'gold' out).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePosixPath

from sqlalchemy import select
from sqlalchemy.orm import Session

from rater.core.errors import Problem, RaterError
from rater.core.gold_csv import GoldRow
from rater.core.workshop import GoldScore, Moment
from rater.storage.ratings import codebook_check
from rater.storage.repository import NewRecording, StudyStore, log_event
from rater.storage.schema import CodebookDimension, GoldMoment, Recording, Study, utcnow
from rater.storage.schema import GoldScore as GoldRecord


def add_gold_recordings(store: StudyStore, recordings: list[tuple[NewRecording, str | None]],
                        actor: str) -> list[int]:
    """Store (recording, code or None) pairs as gold recordings in one transaction; returns
    their ids. A code of None is given by blinding."""
    ids = []
    with store.transaction() as session:
        for new, code in recordings:
            row = Recording(**{k: v for k, v in vars(new).items() if k != "metadata"},
                            kind="gold", blind_code=code)
            session.add(row)
            session.flush()
            ids.append(row.id)
        log_event(session, actor, "gold.recordings_added",
                  {"files": [new.original_name for new, _ in recordings]})
    return ids


def _names(recording: Recording) -> set[str]:
    """Every name a user may call a recording by: its code, file name, base name and stem."""
    path = PurePosixPath(recording.original_name.replace("\\", "/"))
    names = {recording.original_name, path.name, path.stem}
    if recording.blind_code:
        names.add(recording.blind_code)
    return names


def recording_lookup(session: Session) -> dict[str, Recording]:
    """Name -> recording; a name two recordings share is left out (ambiguous)."""
    seen: dict[str, Recording | None] = {}
    for recording in session.scalars(select(Recording).order_by(Recording.id)):
        for name in _names(recording):
            seen[name] = None if name in seen and seen[name] is not recording else recording
    return {name: r for name, r in seen.items() if r is not None}


def _find(session: Session, name: str, where: str) -> Recording:
    lookup = recording_lookup(session)
    recording = lookup.get(name) or lookup.get(PurePosixPath(name.replace("\\", "/")).name)
    if recording is None:
        raise RaterError(Problem(f"no recording '{name}' in this study", where,
                                 "name the recording by its code or file name"))
    return recording


def set_gold(store: StudyStore, code: str, dimension: str, score: int, rationale: str,
             expert: str, actor: str) -> None:
    with store.transaction() as session:
        recording = _find(session, code, code)
        version = codebook_check(session, dimension, score)
        _upsert(session, recording, version, dimension, expert, score, rationale, actor)


def _upsert(session: Session, recording: Recording, version: int, dimension: str, expert: str,
            score: int, rationale: str, actor: str) -> bool:
    """Insert or change one gold score; returns whether anything changed."""
    row = session.scalar(select(GoldRecord).where(
        GoldRecord.recording_id == recording.id, GoldRecord.dimension == dimension,
        GoldRecord.expert == expert))
    old = None if row is None else {"score": row.score, "rationale": row.rationale}
    if old == {"score": score, "rationale": rationale}:
        return False
    if row is None:
        session.add(GoldRecord(recording_id=recording.id, codebook_version_id=version,
                               dimension=dimension, expert=expert, score=score,
                               rationale=rationale))
    else:
        row.score, row.rationale, row.updated_at = score, rationale, utcnow()
    log_event(session, actor, "gold.set", {
        "recording": recording.blind_code or recording.original_name, "dimension": dimension,
        "expert": expert, "score": score, "rationale": rationale, "old": old})
    return True


def remove_gold(store: StudyStore, code: str, dimension: str, expert: str, actor: str) -> None:
    with store.transaction() as session:
        recording = _find(session, code, code)
        row = session.scalar(select(GoldRecord).where(
            GoldRecord.recording_id == recording.id, GoldRecord.dimension == dimension,
            GoldRecord.expert == expert))
        if row is None:
            return
        log_event(session, actor, "gold.removed", {
            "recording": recording.blind_code or recording.original_name,
            "dimension": dimension, "expert": expert,
            "old": {"score": row.score, "rationale": row.rationale}})
        session.delete(row)


def add_moment(store: StudyStore, code: str, dimension: str | None, time_s: float, text: str,
               actor: str) -> int:
    with store.transaction() as session:
        recording = _find(session, code, code)
        if dimension is not None:
            codebook_check(session, dimension)
        _check_time(time_s, recording)
        moment = GoldMoment(recording_id=recording.id, dimension=dimension, time_s=time_s,
                            text=text)
        session.add(moment)
        session.flush()
        log_event(session, actor, "gold.moment_added", {
            "recording": recording.blind_code or recording.original_name,
            "dimension": dimension, "time_s": time_s, "text": text})
        return moment.id


def _check_time(time_s: float, recording: Recording) -> None:
    length = recording.blind_duration_s or recording.duration_s
    if not 0 <= time_s <= length + 0.5:
        raise RaterError(Problem(f"{time_s:.1f} s is outside the recording (0 to {length:.1f} s)",
                                 recording.blind_code or recording.original_name,
                                 "give a time within the recording"))


def remove_moment(store: StudyStore, code: str, dimension: str | None, time_s: float,
                  actor: str) -> bool:
    """Remove the moment at `time_s` (within 5 ms) of a recording and dimension."""
    with store.transaction() as session:
        recording = _find(session, code, code)
        for moment in session.scalars(select(GoldMoment).where(
                GoldMoment.recording_id == recording.id).order_by(GoldMoment.id)):
            if moment.dimension == dimension and abs(moment.time_s - time_s) < 0.005:
                log_event(session, actor, "gold.moment_removed", {
                    "recording": recording.blind_code or recording.original_name,
                    "dimension": dimension, "time_s": moment.time_s, "text": moment.text})
                session.delete(moment)
                return True
        return False


def import_rows(store: StudyStore, rows: Iterable[GoldRow], source: str, actor: str) -> dict:
    """Apply a parsed gold CSV in one transaction: scores upserted; the moments of each
    recording and dimension in the file replace the stored ones (so re-importing is a no-op)."""
    rows = list(rows)
    counts = {"scores": 0, "changed": 0, "moments": 0, "recordings": 0}
    with store.transaction() as session:
        lookup = recording_lookup(session)
        problems = []
        found = {}
        for row in rows:
            recording = lookup.get(row.file) or lookup.get(
                PurePosixPath(row.file.replace("\\", "/")).name)
            if recording is None:
                problems.append(Problem(f"no recording '{row.file}' in this study",
                                        f"{source}:{row.line}",
                                        "add the recording first, or fix the file name"))
            found[id(row)] = recording
        if problems:
            raise RaterError(problems)
        version = codebook_check(session, rows[0].dimension)
        replaced: set[tuple[int, str]] = set()
        for row in rows:
            recording = found[id(row)]
            counts["scores"] += 1
            counts["changed"] += _upsert(session, recording, version, row.dimension, row.expert,
                                         row.score, row.rationale, actor)
            if (recording.id, row.dimension) not in replaced:
                replaced.add((recording.id, row.dimension))
                session.execute(GoldMoment.__table__.delete().where(
                    GoldMoment.recording_id == recording.id,
                    GoldMoment.dimension == row.dimension))
            for time_s, text in row.moments:
                _check_time(time_s, recording)
                session.add(GoldMoment(recording_id=recording.id, dimension=row.dimension,
                                       time_s=time_s, text=text))
                counts["moments"] += 1
        counts["recordings"] = len({found[id(r)].id for r in rows})
        log_event(session, actor, "gold.imported", {"file": source, **counts})
    return counts


def gold_scores(store: StudyStore) -> list[GoldScore]:
    """Every agreed gold score with its moments and the experts' own scores, by recording id
    and codebook order. The recording is named by its code (its file name before blinding)."""
    with store.transaction() as session:
        positions = _dimension_positions(session)
        recordings = {r.id: r.blind_code or r.original_name
                      for r in session.scalars(select(Recording))}
        moments: dict[tuple[int, str | None], list[Moment]] = {}
        for m in session.scalars(select(GoldMoment).order_by(GoldMoment.time_s, GoldMoment.id)):
            moments.setdefault((m.recording_id, m.dimension), []).append(Moment(m.time_s, m.text))
        rows = list(session.scalars(select(GoldRecord).order_by(GoldRecord.id)))
    experts: dict[tuple[int, str], list[tuple[str, int]]] = {}
    for row in rows:
        if row.expert:
            experts.setdefault((row.recording_id, row.dimension), []).append(
                (row.expert, row.score))
    agreed = sorted((r for r in rows if not r.expert),
                    key=lambda r: (r.recording_id, positions.get(r.dimension, 0)))
    return [GoldScore(recordings[r.recording_id], r.dimension, r.score, r.rationale,
                      tuple(moments.get((r.recording_id, r.dimension), ())),
                      tuple(experts.get((r.recording_id, r.dimension), ())))
            for r in agreed]


def general_moments(store: StudyStore) -> dict[str, list[Moment]]:
    """Recording code -> moments not tied to one dimension."""
    with store.transaction() as session:
        rows = session.execute(select(Recording.blind_code, Recording.original_name,
                                      GoldMoment.time_s, GoldMoment.text)
                               .join(Recording, Recording.id == GoldMoment.recording_id)
                               .where(GoldMoment.dimension.is_(None))
                               .order_by(GoldMoment.time_s)).all()
    found: dict[str, list[Moment]] = {}
    for code, name, time_s, text in rows:
        found.setdefault(code or name, []).append(Moment(time_s, text))
    return found


def recording_moments(store: StudyStore, code: str) -> list[tuple[str | None, Moment]]:
    """Every evidence moment on one recording, with its dimension (None: the whole
    recording), by time; whether or not the dimension has a gold score yet."""
    with store.transaction() as session:
        recording = _find(session, code, code)
        rows = session.scalars(select(GoldMoment).where(GoldMoment.recording_id == recording.id)
                               .order_by(GoldMoment.time_s, GoldMoment.id))
        return [(m.dimension, Moment(m.time_s, m.text)) for m in rows]


def _dimension_positions(session: Session) -> dict[str, int]:
    version = session.get(Study, 1).codebook_version_id
    return dict(session.execute(select(CodebookDimension.dimension, CodebookDimension.position)
                                .where(CodebookDimension.codebook_version_id == version)).all())


def gold_recordings(store: StudyStore) -> list[dict]:
    """Recordings of kind 'gold' or with gold scores, for the gold editor: code, file name, the
    audio to play (the raters' copy when made, else the original) and duration."""
    with store.transaction() as session:
        scored = set(session.scalars(select(GoldRecord.recording_id)))
        rows = session.scalars(select(Recording).order_by(Recording.id))
        return [{"code": r.blind_code or r.original_name, "file": r.original_name,
                 "audio": r.blind_path or r.source_path,
                 "duration_s": r.blind_duration_s or r.duration_s}
                for r in rows if r.kind == "gold" or r.id in scored]
