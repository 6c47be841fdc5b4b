"""The researcher's view of how far each rater has got."""

from __future__ import annotations

from rater.services.session import open_store
from rater.storage.progress import RaterProgress, progress_by_rater


def rater_progress(study: str) -> list[RaterProgress]:
    with open_store(study) as store:
        return progress_by_rater(store)
