"""What the reliability report reads besides the ratings (storage.analysis.submitted_ratings):
the scale, the blinding guesses, and the study's criterion."""

from __future__ import annotations

from sqlalchemy import func, select

from rater.storage.repository import StudyStore
from rater.storage.schema import (
    Assignment,
    Guess,
    MetadataValue,
    ScaleValue,
    Study,
)


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
