"""The study store: the only place that reads and writes the study database.

Each public method that changes data is one transaction: it commits entirely or not at all.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from rater.core.allocation import Slot
from rater.core.audit_chain import GENESIS, canonical_time, chain_hash
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
    Redaction,
    ScaleValue,
    Study,
    utcnow,
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
            version = add_codebook(session, codebook)
            session.add(Study(id=1, name=name, codebook_version_id=version.id,
                              secret=secrets.token_hex(32), pack_id=secrets.token_hex(16)))
            log_event(session, actor, "study.init", {"name": name, "codebook": codebook.id,
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
        """One change, committed entirely or not at all.

        On SQLite the transaction takes the write lock before its first read (BEGIN
        IMMEDIATE). The driver would otherwise begin only at the first write, so what a change
        read first (the row's other scores, the audit chain's last hash) could be stale by the
        time it wrote: two room-grid keystrokes saved at once each missed the other."""
        with self._sessions.begin() as session:
            if self.engine.dialect.name == "sqlite":
                session.connection().exec_driver_sql("BEGIN IMMEDIATE")
            yield session

    # -- study and codebook --------------------------------------------------------------------

    def study(self) -> Study:
        with self._sessions() as session:
            return session.get(Study, 1)

    def codebook_text(self) -> str:
        """The TOML text of the codebook version the study rates with."""
        with self._sessions() as session:
            return session.scalar(select(CodebookVersion.source_text).join(
                Study, Study.codebook_version_id == CodebookVersion.id).where(Study.id == 1))

    def only_rater(self) -> str:
        """The rater of a pack's working copy (a research study has many: name one)."""
        with self._sessions() as session:
            raters = list(session.scalars(select(Rater.id).limit(2)))
        if len(raters) != 1:
            raise RaterError(Problem("this study has several raters", self.location,
                                     "say which rater is rating"))
        return raters[0]

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
            log_event(session, actor, "recordings.import", {**detail, "added": len(recordings)})
        return len(recordings)

    def recordings(self, kind: str | None = "study") -> list[Recording]:
        """Recordings in import order (detached rows: read them, don't change them)."""
        with self._sessions() as session:
            query = select(Recording).order_by(Recording.id)
            if kind:
                query = query.where(Recording.kind == kind)
            return list(session.scalars(query))

    def metadata_values(self, field: str) -> dict[int, str]:
        """Recording id -> value of one metadata field (missing values left out)."""
        with self._sessions() as session:
            rows = session.execute(select(MetadataValue.recording_id, MetadataValue.value)
                                   .where(MetadataValue.field == field))
            return dict(rows.all())

    # -- blinding ------------------------------------------------------------------------------

    def assign_blind_codes(self, make_code, actor: str) -> int:
        """Give every recording without a blind code a new one, in one transaction."""
        with self.transaction() as session:
            taken = set(session.scalars(select(Recording.blind_code)
                                        .where(Recording.blind_code.is_not(None))))
            taken |= set(session.scalars(select(Assignment.code)))
            missing = list(session.scalars(select(Recording).where(Recording.blind_code.is_(None))
                                           .order_by(Recording.id)))
            for recording in missing:
                recording.blind_code = make_code(taken)
                taken.add(recording.blind_code)
            if missing:
                log_event(session, actor, "blind.codes", {"new_codes": len(missing)})
            return len(missing)

    def redactions(self) -> dict[int, list[tuple[float, float, str]]]:
        with self._sessions() as session:
            result: dict[int, list[tuple[float, float, str]]] = {}
            for row in session.scalars(select(Redaction).order_by(Redaction.start_s)):
                result.setdefault(row.recording_id, []).append((row.start_s, row.end_s, row.mode))
            return result

    def replace_redactions(self, ranges: dict[int, list[tuple[float, float, str, str]]],
                           actor: str) -> None:
        """Set the redactions of the recordings named (others keep theirs), in one transaction."""
        with self.transaction() as session:
            for recording_id, rows in ranges.items():
                session.execute(Redaction.__table__.delete()
                                .where(Redaction.recording_id == recording_id))
                session.add_all(Redaction(recording_id=recording_id, start_s=a, end_s=b,
                                          mode=mode, reason=reason)
                                for a, b, mode, reason in rows)
            log_event(session, actor, "blind.redactions",
                 {"recordings": len(ranges), "ranges": sum(map(len, ranges.values()))})

    def set_guess_check(self, field: str | None, options: list[str], actor: str) -> None:
        """Ask raters (or stop asking) which group of `field` each recording came from."""
        with self.transaction() as session:
            study = session.get(Study, 1)
            study.ask_guess_field = field
            study.guess_options = json.dumps(options) if field else None
            log_event(session, actor, "blinding_check", {"field": field})

    def set_blinding(self, sample_rate: int, channels: int, lufs: float | None) -> None:
        with self.transaction() as session:
            study = session.get(Study, 1)
            study.blind_sample_rate, study.blind_channels, study.blind_lufs = \
                sample_rate, channels, lufs

    def record_blind_copy(self, recording_id: int, *, path: str, sha256: str, size_bytes: int,
                          duration_s: float, inputs: str) -> None:
        """Remember the raters' copy of one recording (its own transaction: progress is kept)."""
        with self.transaction() as session:
            recording = session.get(Recording, recording_id)
            recording.blind_path, recording.blind_sha256 = path, sha256
            recording.blind_size_bytes, recording.blind_duration_s = size_bytes, duration_s
            recording.blind_inputs = inputs

    # -- allocation ----------------------------------------------------------------------------

    def slots(self) -> list[Slot]:
        """Every assignment as an allocation slot (recording ids as text)."""
        with self._sessions() as session:
            rows = session.execute(select(Assignment.recording_id, Assignment.rater_id,
                                          Assignment.role, Assignment.position))
            return [Slot(str(r), rater, role, position) for r, rater, role, position in rows]

    def add_assignments(self, slots: list[tuple[Slot, str]], raters: list[str], actor: str,
                        detail: dict) -> None:
        """Store new (slot, code) assignments and any new raters, in one transaction."""
        with self.transaction() as session:
            known = set(session.scalars(select(Rater.id)))
            session.add_all(Rater(id=r) for r in raters if r not in known)
            session.flush()
            session.add_all(Assignment(recording_id=int(slot.recording), rater_id=slot.rater,
                                       role=slot.role, position=slot.position, code=code)
                            for slot, code in slots)
            log_event(session, actor, "allocate", {**detail, "new_assignments": len(slots)})

    def used_codes(self) -> set[str]:
        with self._sessions() as session:
            codes = set(session.scalars(select(Assignment.code)))
            codes |= set(session.scalars(select(Recording.blind_code)
                                         .where(Recording.blind_code.is_not(None))))
            return codes

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
                "raters_on_study": scalar(select(func.count(Assignment.rater_id.distinct()))
                                          .where(Assignment.role != "gold")),
                "assignments": sum(roles.values()),
                "assignments_by_role": roles,
                "ratings": {"draft": ratings.get("draft", 0),
                            "submitted": ratings.get("submitted", 0)},
            }


def add_codebook(session: Session, codebook: Codebook) -> CodebookVersion:
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


# The chain extended on PostgreSQL in one statement, after the lock: the server hashes the
# last event it has with the new one's fields, the same SHA-256 over the same text as
# `chain_hash` (`rater study verify` recomputes every hash in Python). One round trip fewer
# while every other writer waits.
_APPEND_ON_SERVER = text(
    "INSERT INTO audit_event (at, actor, action, detail, prev_hash, hash) "
    "SELECT e.at, e.actor, e.action, e.detail, last.hash, encode(sha256(convert_to(concat_ws("
    "chr(31), last.hash, e.at_text, e.actor, e.action, e.detail), 'UTF8')), 'hex') "
    "FROM (SELECT CAST(:at AS timestamptz) AS at, CAST(:at_text AS text) AS at_text, "
    "CAST(:actor AS text) AS actor, CAST(:action AS text) AS action, "
    "CAST(:detail AS text) AS detail) AS e, "
    "(SELECT coalesce((SELECT hash FROM audit_event ORDER BY id DESC LIMIT 1), "
    "CAST(:genesis AS text)) AS hash) AS last")


def log_event(session: Session, actor: str, action: str, detail: dict) -> None:
    """Append an event to the audit trail, chained to the one before it.

    On PostgreSQL one writer at a time extends the chain (an advisory lock held to commit).
    The transaction's own changes are sent first, so that every other writer waits only for
    the append and the commit."""
    at, text_ = utcnow(), json.dumps(detail, sort_keys=True, ensure_ascii=False)
    if session.get_bind().dialect.name == "postgresql":
        session.flush()
        session.execute(text("SELECT pg_advisory_xact_lock(7301)"))
        session.execute(_APPEND_ON_SERVER, {"at": at, "at_text": canonical_time(at),
                                            "actor": actor, "action": action,
                                            "detail": text_, "genesis": GENESIS})
        return
    previous = session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
    previous = previous or GENESIS
    session.add(AuditEvent(at=at, actor=actor, action=action, detail=text_, prev_hash=previous,
                           hash=chain_hash(previous, at, actor, action, text_)))
