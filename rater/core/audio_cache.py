"""Where a shared study's blinded audio is kept on a rater's computer, and how it is cut into
chunks on the server (decision 1705).

One folder per server and database (`~/.cache/rater/audio/<server-key>/`), one file per blind
code. While a file is being fetched it is `<code>.<ext>.part` (the chunks so far, in order),
`<code>.<ext>.tail` (the last two chunks, fetched first: an Ogg reader looks at the end of the file
to learn its length) and `<code>.<ext>.json` (its size and checksum); when it is complete and
its checksum matches, the part file is renamed to `<code>.<ext>`.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

CHUNK_BYTES = 256 * 1024
# The last chunks are fetched first: an Ogg reader opens by reading the last 64 KiB (to learn
# the length), and the last chunk alone can be a few bytes long.
TAIL_CHUNKS = 2
SUFFIXES = {"flac": ".flac", "opus": ".opus"}


def cache_home() -> Path:
    """`$XDG_CACHE_HOME/rater/audio`, or `~/.cache/rater/audio`."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "rater" / "audio"


def server_key(host: str | None, port: int | None, database: str | None) -> str:
    """A folder name for one study database: a digest, so no server name shows in a path."""
    where = f"{host or 'localhost'}:{port or 5432}/{database or ''}"
    return hashlib.sha256(where.encode()).hexdigest()[:16]


def chunk_count(total_bytes: int) -> int:
    return max(1, -(-total_bytes // CHUNK_BYTES))


def tail_start(total_bytes: int) -> int:
    """The index of the first chunk of the tail."""
    return max(0, chunk_count(total_bytes) - TAIL_CHUNKS)


@dataclass(frozen=True)
class CachedAudio:
    """The cache files of one blind code."""

    folder: Path
    code: str
    format: str

    @property
    def final(self) -> Path:
        return self.folder / f"{self.code}{SUFFIXES.get(self.format, '.' + self.format)}"

    @property
    def part(self) -> Path:
        return self.final.with_name(self.final.name + ".part")

    @property
    def tail(self) -> Path:
        return self.final.with_name(self.final.name + ".tail")

    @property
    def meta(self) -> Path:
        return self.final.with_name(self.final.name + ".json")


def meta_of(part: Path) -> Path:
    """The size-and-checksum file of a part file."""
    return part.with_name(part.name.removesuffix(".part") + ".json")


def tail_of(part: Path) -> Path:
    return part.with_name(part.name.removesuffix(".part") + ".tail")
