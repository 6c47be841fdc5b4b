"""What the reliability report reads: submitted ratings as a tidy table, and blinding guesses."""

from __future__ import annotations

from sqlalchemy import func, select

from rater.storage.repository import StudyStore
from rater.storage.schema import (
    Amendment,
    Assignment,
    Guess,
    MetadataValue,
    Rating,
    Recording,
    ScaleValue,
    Study,
)

ROLES = ("primary", "second", "retest")


def submitted_ratings(store: StudyStore) -> list[dict]:
    """One row per submitted score (after amendments): unit = blind code, rater, dimension,
    score, role. Drafts, gold items and consensus scores are not independent ratings."""
    latest = (select(Amendment.rating_id, func.max(Amendment.id).label("id"))
              .group_by(Amendment.rating_id).subquery())
    query = (select(Recording.blind_code, Assignment.rater_id, Rating.dimension,
                    func.coalesce(Amendment.new_score, Rating.score), Assignment.role)
             .join(Assignment, Assignment.id == Rating.assignment_id)
             .join(Recording, Recording.id == Assignment.recording_id)
             .outerjoin(latest, latest.c.rating_id == Rating.id)
             .outerjoin(Amendment, Amendment.id == latest.c.id)
             .where(Rating.state == "submitted", Assignment.role.in_(ROLES))
             .order_by(Recording.id, Assignment.position))
    with store.transaction() as session:
        return [{"unit": unit, "rater": rater, "dimension": dimension, "score": score,
                 "role": role} for unit, rater, dimension, score, role in session.execute(query)]


def scale_bounds(store: StudyStore) -> tuple[int, int]:
    with store.transaction() as session:
        version = session.get(Study, 1).codebook_version_id
        low, high = session.execute(select(func.min(ScaleValue.value), func.max(ScaleValue.value))
                                    .where(ScaleValue.codebook_version_id == version)).one()
        return low, high


def guesses_with_truth(store: StudyStore) -> list[dict] | None:
    """Each blinding-check answer beside the recording's true group (researcher only)."""
    with store.transaction() as session:
        field = session.get(Study, 1).ask_guess_field
        if not field:
            return None
        rows = session.execute(
            select(Guess.guess, MetadataValue.value)
            .join(Assignment, Assignment.id == Guess.assignment_id)
            .join(MetadataValue, (MetadataValue.recording_id == Assignment.recording_id)
                  & (MetadataValue.field == field)))
        return [{"guess": guess, "actual": actual} for guess, actual in rows]


def set_criterion(store: StudyStore, criterion: str) -> None:
    with store.transaction() as session:
        session.get(Study, 1).criterion = criterion
