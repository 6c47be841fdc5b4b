"""Recorded practice interviews in a workshop: whose recording it is (hidden metadata, never in
a pack) and whether peers rate it blind."""

from __future__ import annotations

from sqlalchemy import select

from rater.storage.repository import StudyStore, log_event
from rater.storage.schema import MetadataField, MetadataValue, Recording

STUDENT, BLIND = "practice_student", "practice_blind"


def mark_practice(store: StudyStore, code: str, student: str, blind: bool, actor: str) -> None:
    """Record the student behind a practice recording as hidden metadata."""
    with store.transaction() as session:
        known = set(session.scalars(select(MetadataField.name)))
        for position, name in enumerate((STUDENT, BLIND), start=len(known)):
            if name not in known:
                session.add(MetadataField(name=name, hidden=True, position=position))
        session.flush()
        recording = session.scalar(select(Recording).where(Recording.blind_code == code))
        session.add(MetadataValue(recording_id=recording.id, field=STUDENT, value=student))
        session.add(MetadataValue(recording_id=recording.id, field=BLIND, value=str(int(blind))))
        log_event(session, actor, "practice.added",
                  {"recording": code, "student": student, "blind_peers": blind})


def practice_recordings(store: StudyStore) -> dict[str, tuple[str, bool]]:
    """Code -> (student, peers rate blind) of every practice recording."""
    with store.transaction() as session:
        rows = session.execute(
            select(Recording.blind_code, MetadataValue.field, MetadataValue.value)
            .join(Recording, Recording.id == MetadataValue.recording_id)
            .where(MetadataValue.field.in_((STUDENT, BLIND)))).all()
    found: dict[str, dict[str, str]] = {}
    for code, field, value in rows:
        found.setdefault(code, {})[field] = value
    return {code: (v[STUDENT], v.get(BLIND) == "1") for code, v in found.items()}
