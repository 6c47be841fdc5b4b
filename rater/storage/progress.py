"""How far each rater has got: the researcher's progress table (issue 17: it follows a shared
study live). One aggregate query; an item counts as submitted once any of its scores is, as
started once it has any score."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import and_, case, exists, func, select

from rater.storage.repository import StudyStore
from rater.storage.schema import Assignment, Rating


@dataclass(frozen=True)
class RaterProgress:
    rater: str
    items: int
    submitted: int
    in_progress: int
    last_change: datetime | None  # of any of their scores


def progress_by_rater(store: StudyStore) -> list[RaterProgress]:
    has_score = exists().where(Rating.assignment_id == Assignment.id)
    is_submitted = exists().where(and_(Rating.assignment_id == Assignment.id,
                                       Rating.state == "submitted"))
    last = (select(func.max(Rating.updated_at)).where(Rating.assignment_id == Assignment.id)
            .correlate(Assignment).scalar_subquery())
    with store.transaction() as session:
        rows = session.execute(
            select(Assignment.rater_id, func.count(),
                   func.sum(case((is_submitted, 1), else_=0)),
                   func.sum(case((and_(has_score, ~is_submitted), 1), else_=0)),
                   func.max(last))
            .group_by(Assignment.rater_id).order_by(Assignment.rater_id)).all()
    return [RaterProgress(rater, items, int(done or 0), int(started or 0), _aware(when))
            for rater, items, done, started, when in rows]


def _aware(when: datetime | None) -> datetime | None:
    """In UTC on both engines (SQLite keeps the time stamps without their zone: UTC)."""
    if when is not None and when.tzinfo is None:
        return when.replace(tzinfo=UTC)
    return when
