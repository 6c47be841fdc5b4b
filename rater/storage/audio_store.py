"""The blinded audio of a shared study, in the database (decision 1705): one row per blind code
(`server_audio_item`: size, checksum, format) and its bytes in chunks (`server_audio_chunk`).

Like `server_login`, the two tables exist only in shared studies: `rater server setup` makes
them (`AUDIO_DDL`), not a migration. Row-level security (`server_roles.RATERS`) lets a rater's
login read only the chunks of the codes in their own queue. An item's row is written in the
same transaction as its chunks, after them: a code with a row is complete.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, select, text
from sqlalchemy.engine import make_url

from rater.core.audio_cache import CHUNK_BYTES
from rater.storage.repository import StudyStore
from rater.storage.schema import Assignment, Recording

ITEM_TABLE = "server_audio_item"
CHUNK_TABLE = "server_audio_chunk"
AUDIO_DDL = (
    f"""CREATE TABLE IF NOT EXISTS {ITEM_TABLE} (
    code VARCHAR(32) PRIMARY KEY,
    total_bytes BIGINT NOT NULL CHECK (total_bytes > 0),
    sha256 CHAR(64) NOT NULL,
    format VARCHAR(16) NOT NULL,
    duration_s DOUBLE PRECISION NOT NULL CHECK (duration_s > 0))""",
    f"""CREATE TABLE IF NOT EXISTS {CHUNK_TABLE} (
    code VARCHAR(32) NOT NULL,
    idx INTEGER NOT NULL CHECK (idx >= 0),
    data BYTEA NOT NULL,
    PRIMARY KEY (code, idx))""",
    # Compressed audio does not compress again: keep the chunks out of line, uncompressed.
    f"ALTER TABLE {CHUNK_TABLE} ALTER COLUMN data SET STORAGE EXTERNAL",
)


@dataclass(frozen=True)
class AudioItem:
    code: str
    total_bytes: int
    sha256: str
    format: str
    duration_s: float  # of this code's copy (a re-test's is longer by its padding)


@dataclass(frozen=True)
class CodeAudio:
    """A blind code in some rater's queue and the blinded copy it is made from."""

    code: str
    recording_id: int
    first: bool  # the recording's own blind code (not a re-test's)
    blind_path: str | None


def codes_to_store(store: StudyStore) -> list[CodeAudio]:
    """Every blind code in any rater's queue, once (two raters of one recording share its
    code), in a fixed order."""
    with store.transaction() as session:
        rows = session.execute(
            select(Assignment.code, Recording.id, Recording.blind_code, Recording.blind_path)
            .join(Recording, Recording.id == Assignment.recording_id)
            .distinct().order_by(Recording.id, Assignment.code)).all()
    return [CodeAudio(code, recording, code == blind_code, path)
            for code, recording, blind_code, path in rows]


def stored_codes(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return set(connection.scalars(text(f"SELECT code FROM {ITEM_TABLE}")))


def store_item(engine: Engine, item: AudioItem, path: Path) -> None:
    """The file's chunks, then its row, in one transaction: an interrupted upload leaves
    nothing of this code behind (and a later run does it again)."""
    with engine.begin() as connection, path.open("rb") as source:
        connection.execute(text(f"DELETE FROM {CHUNK_TABLE} WHERE code = :c"), {"c": item.code})
        index = 0
        while chunk := source.read(CHUNK_BYTES):
            connection.execute(text(f"INSERT INTO {CHUNK_TABLE} (code, idx, data) "
                                    "VALUES (:c, :i, :d)"),
                               {"c": item.code, "i": index, "d": chunk})
            index += 1
        connection.execute(text(f"INSERT INTO {ITEM_TABLE} (code, total_bytes, sha256, format, "
                                "duration_s) VALUES (:c, :t, :s, :f, :d)"),
                           {"c": item.code, "t": item.total_bytes, "s": item.sha256,
                            "f": item.format, "d": item.duration_s})


def items(engine: Engine, codes: list[str]) -> dict[str, AudioItem]:
    """The stored audio of these codes that this login may read (code -> item); none in a
    study set up before the audio store existed."""
    with engine.connect() as connection:
        if connection.scalar(text(f"SELECT to_regclass('{ITEM_TABLE}')")) is None:
            return {}
        rows = connection.execute(text(f"SELECT code, total_bytes, sha256, format, duration_s "
                                       f"FROM {ITEM_TABLE} WHERE code = ANY(:codes)"),
                                  {"codes": list(codes)}).all()
    return {row.code: AudioItem(row.code, row.total_bytes, row.sha256.strip(), row.format,
                                row.duration_s) for row in rows}


def read_chunks(engine: Engine, code: str, start: int, stop: int) -> Iterator[bytes]:
    """Chunks `start` to `stop - 1` of a code, in order, streamed (a server-side cursor: the
    first arrives before the rest are read)."""
    with engine.connect() as connection:
        result = connection.execution_options(stream_results=True, max_row_buffer=4).execute(
            text(f"SELECT data FROM {CHUNK_TABLE} WHERE code = :c AND idx >= :a AND idx < :b "
                 "ORDER BY idx"), {"c": code, "a": start, "b": stop})
        for (data,) in result:
            yield bytes(data)


def cache_key_parts(url: str) -> tuple[str | None, int | None, str | None]:
    """(host, port, database) of a study URL: what names its folder in the audio cache."""
    parsed = make_url(url)
    return parsed.host or parsed.query.get("host"), parsed.port, parsed.database
