"""The study store: the only place that reads and writes the study database.

Each public method that changes data is one transaction: it commits entirely or not at all.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from rater.core.codebook import Codebook
from rater.core.errors import Problem, RaterError
from rater.storage import engine as engines
from rater.storage.schema import (
    Assignment,
    AuditEvent,
    CodebookDimension,
    CodebookVersion,
    MetadataField,
    MetadataValue,
    Rater,
    Rating,
    Recording,
    ScaleValue,
    Study,
)


@dataclass(frozen=True)
class NewRecording:
    """What an import knows about one audio file, ready to be stored."""

    original_name: str
    source_path: str
    sha256: str
    size_bytes: int
    format: str
    subtype: str
    sample_rate: int
    channels: int
    frames: int
    duration_s: float
    metadata: dict[str, str]


class StudyStore:
    """A handle on one study database."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    # -- opening -------------------------------------------------------------------------------

    @classmethod
    def create(cls, study: str, name: str, codebook: Codebook, actor: str) -> StudyStore:
        url = engines.study_url(study)
        store = cls(engines.create_study_database(url))
        with store.transaction() as session:
            version = _add_codebook(session, codebook)
            session.add(Study(id=1, name=name, codebook_version_id=version.id,
                              secret=secrets.token_hex(32)))
            _log(session, actor, "study.init", {"name": name, "codebook": codebook.id,
                                                "codebook_version": codebook.version,
                                                "codebook_digest": codebook.digest})
        return store

    @classmethod
    def open(cls, study: str) -> StudyStore:
        return cls(engines.open_study_database(engines.study_url(study)))

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> StudyStore:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    @property
    def location(self) -> str:
        return engines.describe(self.engine.url.render_as_string(hide_password=False))

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with self._sessions.begin() as session:
            yield session

    # -- study and codebook --------------------------------------------------------------------

    def study(self) -> Study:
        with self._sessions() as session:
            return session.get(Study, 1)

    def codebook_text(self) -> str:
        """The TOML text of the codebook version the study rates with."""
        with self._sessions() as session:
            study = session.get(Study, 1)
            return session.get(CodebookVersion, study.codebook_version_id).source_text

    # -- recordings ----------------------------------------------------------------------------

    def known_checksums(self) -> set[str]:
        with self._sessions() as session:
            return set(session.scalars(select(Recording.sha256)))

    def metadata_fields(self) -> dict[str, bool]:
        """Field name -> hidden, in import order."""
        with self._sessions() as session:
            rows = session.execute(select(MetadataField.name, MetadataField.hidden)
                                   .order_by(MetadataField.position))
            return dict(rows.all())

    def add_recordings(self, recordings: Iterable[NewRecording], hidden: dict[str, bool],
                       actor: str, detail: dict) -> int:
        """Store a batch of recordings with their metadata, in one transaction."""
        recordings = list(recordings)
        with self.transaction() as session:
            _ensure_fields(session, hidden)
            for new in recordings:
                row = Recording(**{k: v for k, v in vars(new).items() if k != "metadata"})
                session.add(row)
                session.flush()
                session.add_all(MetadataValue(recording_id=row.id, field=name, value=value)
                                for name, value in new.metadata.items())
            _log(session, actor, "recordings.import", {**detail, "added": len(recordings)})
        return len(recordings)

    # -- reporting -----------------------------------------------------------------------------

    def counts(self) -> dict:
        """Counts for `rater study info`: a handful of aggregate queries, no row loading."""
        with self._sessions() as session:
            scalar = session.scalar
            ratings = dict(session.execute(
                select(Rating.state, func.count()).group_by(Rating.state)).all())
            roles = dict(session.execute(
                select(Assignment.role, func.count()).group_by(Assignment.role)).all())
            return {
                "recordings": scalar(select(func.count()).select_from(Recording)),
                "blinded": scalar(select(func.count()).select_from(Recording)
                                  .where(Recording.blind_code.is_not(None))),
                "hours": round((scalar(select(func.sum(Recording.duration_s))) or 0) / 3600, 2),
                "raters": scalar(select(func.count()).select_from(Rater)),
                "assignments": sum(roles.values()),
                "assignments_by_role": roles,
                "ratings": {"draft": ratings.get("draft", 0),
                            "submitted": ratings.get("submitted", 0)},
            }


def _add_codebook(session: Session, codebook: Codebook) -> CodebookVersion:
    version = CodebookVersion(codebook_id=codebook.id, version=codebook.version,
                              title=codebook.title, digest=codebook.digest,
                              source_text=codebook.source_text)
    session.add(version)
    session.flush()
    session.add_all(ScaleValue(codebook_version_id=version.id, value=value,
                               label=codebook.scale.labels[value])
                    for value in codebook.scale.values)
    session.add_all(CodebookDimension(codebook_version_id=version.id, dimension=d.id,
                                      position=i, name=d.name)
                    for i, d in enumerate(codebook.dimensions))
    return version


def _ensure_fields(session: Session, hidden: dict[str, bool]) -> None:
    existing = {f.name: f for f in session.scalars(select(MetadataField))}
    for name, is_hidden in hidden.items():
        if name in existing:
            if existing[name].hidden != is_hidden:
                raise RaterError(Problem(
                    f"metadata column '{name}' is already stored as "
                    f"{'hidden' if existing[name].hidden else 'visible'}",
                    "--hidden", "use the same --hidden columns as in the first import"))
            continue
        session.add(MetadataField(name=name, hidden=is_hidden, position=len(existing)))
        existing[name] = None


def _log(session: Session, actor: str, action: str, detail: dict) -> None:
    session.add(AuditEvent(actor=actor, action=action,
                           detail=json.dumps(detail, sort_keys=True, ensure_ascii=False)))
