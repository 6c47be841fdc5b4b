"""User actions on a study as a whole: create it, describe it."""

from __future__ import annotations

from pathlib import Path

from rater.core.codebook import default_codebook_path, load_codebook
from rater.services.session import actor_name, open_store
from rater.storage.engine import describe, study_url
from rater.storage.repository import StudyStore


def init_study(study: str, codebook_path: Path | None = None, name: str | None = None) -> dict:
    """Create a new, empty study that rates with the given codebook (default: the bundled one)."""
    codebook = load_codebook(codebook_path or default_codebook_path())
    location = describe(study_url(study))
    name = name or Path(location).stem
    with StudyStore.create(str(study), name, codebook, actor_name()):
        pass
    return {"study": location, "name": name, "codebook": codebook.id,
            "codebook_version": codebook.version, "dimensions": len(codebook.dimensions)}


def study_info(study: str) -> dict:
    """Counts of what the study holds, for `rater study info` and the GUI's status."""
    with open_store(study) as store:
        record = store.study()
        fields = store.metadata_fields()
        return {
            "study": store.location,
            "name": record.name,
            "criterion": record.criterion,
            "mode": record.mode,
            "unblinded": record.unblinded_at is not None,
            "metadata_fields": [{"name": n, "hidden": h} for n, h in fields.items()],
            **store.counts(),
        }
