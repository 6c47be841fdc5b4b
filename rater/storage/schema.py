"""The study store's tables (SQLAlchemy 2).

One database holds one study. The same schema runs on SQLite (a `.rater` file) and PostgreSQL.
Rules that protect the data live in the database itself, not only in Python:
- a score must be one of its codebook version's scale values, for the dimension it names
  (composite foreign keys into `scale_value` and `codebook_dimension`);
- one rating per assignment and dimension (a change after submission is an `amendment`);
- audit events are append-only (triggers, created by the migration).

Changing this file means writing an Alembic migration in `migrations/versions/`.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ROLES = ("primary", "second", "retest", "gold")
RATING_STATES = ("draft", "submitted")
RECORDING_KINDS = ("study", "gold")
REDACTION_MODES = ("silence", "tone")
PACK_DIRECTIONS = ("issued", "returned")
STUDY_MODES = ("research", "rater")


def utcnow() -> datetime:
    return datetime.now(UTC)


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def on_the_scale(score: str) -> ForeignKeyConstraint:
    """The database refuses a score its codebook version's scale does not have."""
    return ForeignKeyConstraint(["codebook_version_id", score],
                                ["scale_value.codebook_version_id", "scale_value.value"])


def of_the_codebook(dimension: str) -> ForeignKeyConstraint:
    """The database refuses a dimension its codebook version does not have."""
    return ForeignKeyConstraint(
        ["codebook_version_id", dimension],
        ["codebook_dimension.codebook_version_id", "codebook_dimension.dimension"])


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


Timestamp = DateTime(timezone=True)


class Study(Base):
    """The single study this database holds."""

    __tablename__ = "study"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    codebook_version_id: Mapped[int] = mapped_column(ForeignKey("codebook_version.id"))
    criterion: Mapped[str] = mapped_column(String(100), default="pearson_r:0.7")
    secret: Mapped[str] = mapped_column(String(128))  # signs rater packs; never leaves the study
    pack_id: Mapped[str] = mapped_column(String(64))  # names the study in packs, reveals nothing
    mode: Mapped[str] = mapped_column(String(10), default="research")  # or "rater" in a pack
    blind_sample_rate: Mapped[int] = mapped_column(Integer, default=16000)
    blind_channels: Mapped[int] = mapped_column(Integer, default=1)
    blind_lufs: Mapped[float | None] = mapped_column(Float)  # loudness target; None: unchanged
    ask_guess_field: Mapped[str | None] = mapped_column(String(100))  # blinding check
    guess_options: Mapped[str | None] = mapped_column(Text)  # JSON list of group labels
    unblinded_at: Mapped[datetime | None] = mapped_column(Timestamp)
    __table_args__ = (CheckConstraint(_one_of("mode", STUDY_MODES), name="mode_known"),)


class CodebookVersion(Base):
    """The exact codebook text a study was rated with; ratings point to it."""

    __tablename__ = "codebook_version"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    codebook_id: Mapped[str] = mapped_column(String(100))
    version: Mapped[str] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(String(300))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    source_text: Mapped[str] = mapped_column(Text)
    added_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)


class ScaleValue(Base):
    """An allowed score of a codebook version; ratings reference it, so others are refused."""

    __tablename__ = "scale_value"
    codebook_version_id: Mapped[int] = mapped_column(
        ForeignKey("codebook_version.id"), primary_key=True
    )
    value: Mapped[int] = mapped_column(Integer, primary_key=True)
    label: Mapped[str] = mapped_column(String(200))


class CodebookDimension(Base):
    __tablename__ = "codebook_dimension"
    codebook_version_id: Mapped[int] = mapped_column(
        ForeignKey("codebook_version.id"), primary_key=True
    )
    dimension: Mapped[str] = mapped_column(String(32), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))


class Recording(Base):
    """An imported audio file. Everything but `blind_code` is private to the researcher."""

    __tablename__ = "recording"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    blind_code: Mapped[str | None] = mapped_column(String(32), unique=True)
    original_name: Mapped[str] = mapped_column(String(1000))
    source_path: Mapped[str] = mapped_column(String(4000))
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    format: Mapped[str] = mapped_column(String(20))
    subtype: Mapped[str] = mapped_column(String(40))
    sample_rate: Mapped[int] = mapped_column(Integer)
    channels: Mapped[int] = mapped_column(Integer)
    frames: Mapped[int] = mapped_column(BigInteger)
    duration_s: Mapped[float] = mapped_column(Float)
    imported_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    kind: Mapped[str] = mapped_column(String(10), default="study")
    # The raters' copy, made by blinding: its path, checksum, facts, and a digest of what it was
    # made from (original, redactions, settings) so re-blinding redoes only what changed.
    blind_path: Mapped[str | None] = mapped_column(String(4000))
    blind_sha256: Mapped[str | None] = mapped_column(String(64))
    blind_size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    blind_duration_s: Mapped[float | None] = mapped_column(Float)
    blind_inputs: Mapped[str | None] = mapped_column(String(64))
    __table_args__ = (
        CheckConstraint(_one_of("kind", RECORDING_KINDS), name="kind_known"),
        CheckConstraint("sample_rate > 0", name="sample_rate_positive"),
        CheckConstraint("channels > 0", name="channels_positive"),
        CheckConstraint("duration_s >= 0", name="duration_nonnegative"),
    )


class MetadataField(Base):
    """A metadata column from the import CSV, and whether raters may see it."""

    __tablename__ = "metadata_field"
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    hidden: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer)


class MetadataValue(Base):
    __tablename__ = "metadata_value"
    recording_id: Mapped[int] = mapped_column(
        ForeignKey("recording.id", ondelete="CASCADE"), primary_key=True
    )
    field: Mapped[str] = mapped_column(ForeignKey("metadata_field.name"), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Redaction(Base):
    """A time range of a recording silenced or replaced by a tone in the raters' copy."""

    __tablename__ = "redaction"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recording_id: Mapped[int] = mapped_column(ForeignKey("recording.id"), index=True)
    start_s: Mapped[float] = mapped_column(Float)
    end_s: Mapped[float] = mapped_column(Float)
    mode: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text, default="")
    __table_args__ = (
        CheckConstraint("start_s >= 0 AND end_s > start_s", name="range_valid"),
        CheckConstraint(_one_of("mode", REDACTION_MODES), name="mode_known"),
    )


class Rater(Base):
    __tablename__ = "rater"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    added_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    current_code: Mapped[str | None] = mapped_column(String(32))  # the item open last time


class Assignment(Base):
    """One recording in one rater's queue, in a role, at a position."""

    __tablename__ = "assignment"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recording_id: Mapped[int] = mapped_column(ForeignKey("recording.id"), index=True)
    rater_id: Mapped[str] = mapped_column(ForeignKey("rater.id"))
    role: Mapped[str] = mapped_column(String(10))
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(32))  # what the rater sees; a re-test gets a new one
    resume_s: Mapped[float | None] = mapped_column(Float)  # where listening stopped last time
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    # The rater-side time and sequence of the last change to this item's notes, listening and
    # guess, carried through packs and returns: an older state never overwrites a newer one.
    work_at: Mapped[datetime | None] = mapped_column(Timestamp)
    work_seq: Mapped[int] = mapped_column(Integer, default=0)
    __table_args__ = (
        CheckConstraint(_one_of("role", ROLES), name="role_known"),
        CheckConstraint("position >= 0", name="position_nonnegative"),
        UniqueConstraint("rater_id", "position"),
        UniqueConstraint("rater_id", "code"),
        UniqueConstraint("recording_id", "rater_id", "role"),
    )


class Rating(Base):
    """One rater's score of one dimension of one assignment: a draft until submitted, then fixed."""

    __tablename__ = "rating"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id"), index=True)
    codebook_version_id: Mapped[int] = mapped_column(Integer)
    dimension: Mapped[str] = mapped_column(String(32))
    score: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(10), default="draft")
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(Timestamp)
    __table_args__ = (
        CheckConstraint(_one_of("state", RATING_STATES), name="state_known"),
        CheckConstraint(
            "(state = 'submitted') = (submitted_at IS NOT NULL)", name="submitted_has_time"
        ),
        UniqueConstraint("assignment_id", "dimension"),
        on_the_scale("score"),
        of_the_codebook("dimension"),
    )


class Amendment(Base):
    """A change to a submitted rating: the rating keeps its original score, this row the new one."""

    __tablename__ = "amendment"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rating_id: Mapped[int] = mapped_column(ForeignKey("rating.id"), index=True)
    codebook_version_id: Mapped[int] = mapped_column(Integer)
    old_score: Mapped[int] = mapped_column(Integer)
    new_score: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    who: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    __table_args__ = (
        CheckConstraint("length(trim(reason)) > 0", name="reason_given"),
        on_the_scale("new_score"),
    )


class Note(Base):
    """A time-stamped note a rater makes while listening."""

    __tablename__ = "note"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id"), index=True)
    time_s: Mapped[float] = mapped_column(Float)
    text: Mapped[str] = mapped_column(Text)
    dimension: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)  # rater-side time
    seq: Mapped[int] = mapped_column(Integer, default=0)  # the item's work_seq it was made at
    __table_args__ = (CheckConstraint("time_s >= 0", name="time_nonnegative"),)


class Consensus(Base):
    """An agreed score for a double-coded recording after a disagreement; the independent
    ratings stay as they were. Append-only: the latest row per recording and dimension counts."""

    __tablename__ = "consensus"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recording_id: Mapped[int] = mapped_column(ForeignKey("recording.id"), index=True)
    codebook_version_id: Mapped[int] = mapped_column(Integer)
    dimension: Mapped[str] = mapped_column(String(32))
    score: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    who: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    __table_args__ = (
        CheckConstraint("length(trim(reason)) > 0", name="reason_given"),
        on_the_scale("score"),
        of_the_codebook("dimension"),
    )


class Guess(Base):
    """The blinding check: which group a rater thinks a recording came from ('' = don't know)."""

    __tablename__ = "guess"
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id"), primary_key=True)
    field: Mapped[str] = mapped_column(String(100))
    guess: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)


class ListeningSpan(Base):
    """A stretch of a recording a rater actually heard, and at which speed."""

    __tablename__ = "listening_span"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id"), index=True)
    start_s: Mapped[float] = mapped_column(Float)
    end_s: Mapped[float] = mapped_column(Float)
    speed: Mapped[float] = mapped_column(Float, default=1.0)
    at: Mapped[datetime | None] = mapped_column(Timestamp, default=utcnow)  # rater-side time
    seq: Mapped[int] = mapped_column(Integer, default=0)  # the item's work_seq it was made at
    __table_args__ = (
        CheckConstraint("end_s >= start_s AND start_s >= 0", name="span_valid"),
    )


class PackEvent(Base):
    """A rater pack issued to a rater or returned by one; `sequence` orders a rater's returns."""

    __tablename__ = "pack_event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rater_id: Mapped[str] = mapped_column(ForeignKey("rater.id"))
    direction: Mapped[str] = mapped_column(String(10))
    pack_uuid: Mapped[str] = mapped_column(String(64))
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    digest: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    __table_args__ = (
        CheckConstraint(_one_of("direction", PACK_DIRECTIONS), name="direction_known"),
    )


class AuditEvent(Base):
    """Append-only log of what was done to the study (the migration adds the guarding triggers)."""

    __tablename__ = "audit_event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(100))
    detail: Mapped[str] = mapped_column(Text, default="{}")  # JSON
    prev_hash: Mapped[str | None] = mapped_column(String(64))  # the chain: core/audit_chain.py
    hash: Mapped[str | None] = mapped_column(String(64))


# ---------------------------------------------------------------------------------------------
# Gold data and workshops (issue 11)

class GoldScore(Base):
    """An expert's score of one dimension of a recording, with the reasons.

    `expert` '' is the agreed score; a named expert's row keeps that expert's own score beside
    it. Changes are updates in place, each with an audit event that keeps the old value."""

    __tablename__ = "gold_score"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recording_id: Mapped[int] = mapped_column(ForeignKey("recording.id"), index=True)
    codebook_version_id: Mapped[int] = mapped_column(Integer)
    dimension: Mapped[str] = mapped_column(String(32))
    expert: Mapped[str] = mapped_column(String(200), default="")
    score: Mapped[int] = mapped_column(Integer)
    rationale: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    __table_args__ = (
        UniqueConstraint("recording_id", "dimension", "expert"),
        on_the_scale("score"),
        of_the_codebook("dimension"),
    )


class GoldMoment(Base):
    """A moment of a gold recording that shows why the expert scored as they did."""

    __tablename__ = "gold_moment"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recording_id: Mapped[int] = mapped_column(ForeignKey("recording.id"), index=True)
    dimension: Mapped[str | None] = mapped_column(String(32))  # None: about the whole recording
    time_s: Mapped[float] = mapped_column(Float)
    text: Mapped[str] = mapped_column(Text, default="")
    __table_args__ = (CheckConstraint("time_s >= 0", name="time_nonnegative"),)


FEEDBACK_SETTINGS = ("after_each", "after_set", "none")


class Workshop(Base):
    """Marks the store as a trainer's workshop (one row), with its feedback setting."""

    __tablename__ = "workshop"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    feedback: Mapped[str] = mapped_column(String(20), default="after_each")
    anonymise: Mapped[bool] = mapped_column(Boolean, default=False)  # show P01… not names
    seed: Mapped[int] = mapped_column(BigInteger, default=0)  # orders participants' queues
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    __table_args__ = (
        CheckConstraint(_one_of("feedback", FEEDBACK_SETTINGS), name="feedback_known"),
        CheckConstraint("id = 1", name="single_row"),
    )


# ---------------------------------------------------------------------------------------------
# Certification of raters (issue 12)

class CertificationTest(Base):
    """A trainer's certification test: thresholds (JSON: dimension -> {within_one, icc}, with
    '*' for every dimension) and how many attempts a rater gets. Never changed once defined."""

    __tablename__ = "certification_test"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    thresholds: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    __table_args__ = (CheckConstraint("attempts >= 1", name="attempts_positive"),)


class CertificationRecording(Base):
    """A gold recording of a certification test, and the attempt that uses it."""

    __tablename__ = "certification_recording"
    test_id: Mapped[int] = mapped_column(ForeignKey("certification_test.id"), primary_key=True)
    recording_id: Mapped[int] = mapped_column(ForeignKey("recording.id"), primary_key=True)
    attempt: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)


class CertificationAttempt(Base):
    """A rater's attempt at a test (append-only: the migration adds guarding triggers)."""

    __tablename__ = "certification_attempt"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    test_id: Mapped[int] = mapped_column(ForeignKey("certification_test.id"))
    rater_id: Mapped[str] = mapped_column(ForeignKey("rater.id"))
    number: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    __table_args__ = (UniqueConstraint("test_id", "rater_id", "number"),)


class CertificationResult(Base):
    """The graded result of an attempt (append-only), with every figure in `detail` (JSON)."""

    __tablename__ = "certification_result"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("certification_attempt.id"), unique=True)
    passed: Mapped[bool] = mapped_column(Boolean)
    detail: Mapped[str] = mapped_column(Text)
    graded_by: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
