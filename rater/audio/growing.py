"""Reading an audio file while it is still being fetched (a shared study's cache, decision
1705): the decoder sees the whole file, and a read of bytes not yet there waits for them.

The fetcher (`services.audio_cache`) writes `<name>.json` (the final size) first, then the last
chunk to `<name>.tail`, then the chunks in order to `<name>.part`, which it renames to `<name>`
when the checksum matches. An open file keeps reading the same bytes across that rename. A
read that waits longer than `STALL_S` without the file growing comes back short (libsndfile
calls this file from C, where an exception could not pass): the decoder then reports the
recording as ending early, as for a damaged file.
"""

from __future__ import annotations

import io
import json
import os
import time
from pathlib import Path

import soundfile as sf

from rater.core.audio_cache import meta_of, tail_of
from rater.core.errors import Problem, RaterError

POLL_S = 0.01
STALL_S = 30.0


class GrowingFile(io.RawIOBase):
    """A read-only, seekable file over `<name>.part` that is `total` bytes long when done."""

    def __init__(self, part: Path, total: int):
        super().__init__()
        self._body = part.open("rb")
        self._tail_path = tail_of(part)
        self._tail: bytes | None = None
        self.total = total
        self._pos = 0

    @classmethod
    def open(cls, part: Path) -> GrowingFile:
        meta = json.loads(meta_of(part).read_text())
        return cls(part, int(meta["total_bytes"]))

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self.total}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def readinto(self, buffer) -> int:
        view = memoryview(buffer).cast("B")
        wanted = max(0, min(len(view), self.total - self._pos))
        done = 0
        waited_since = time.monotonic()
        while done < wanted:
            got = self._read_available(view[done:wanted], self._pos + done)
            if got:
                done += got
                waited_since = time.monotonic()
            elif time.monotonic() - waited_since > STALL_S:
                break  # a short read: the decoder reports the file as ending early
            else:
                time.sleep(POLL_S)
        self._pos += done
        return done

    def _read_available(self, view: memoryview, at: int) -> int:
        """Bytes from `at` that are already here: from the part file, or from the tail."""
        size = os.fstat(self._body.fileno()).st_size
        if at < size:
            self._body.seek(at)
            return self._body.readinto(view[:size - at]) or 0
        tail = self._tail_bytes()
        if tail is not None and at >= self.total - len(tail):
            start = at - (self.total - len(tail))
            piece = tail[start:start + len(view)]
            view[:len(piece)] = piece
            return len(piece)
        return 0

    def _tail_bytes(self) -> bytes | None:
        if self._tail is None:
            try:
                self._tail = self._tail_path.read_bytes()
            except FileNotFoundError:
                return None  # not yet fetched, or the file is complete and it is gone
        return self._tail

    def close(self) -> None:
        self._body.close()
        super().close()


class _ArrivingSoundFile(sf.SoundFile):
    """A SoundFile over a file still arriving, which it closes too."""

    def __init__(self, growing: GrowingFile):
        super().__init__(growing)
        self._growing = growing

    def close(self) -> None:
        super().close()
        self._growing.close()


def open_arriving(part: Path) -> sf.SoundFile | Path:
    """A `.part` file opened for decoding while it arrives; the finished file's path if it is
    done already; the path itself for any other `.part` file (one without a `.json`)."""
    try:
        growing = GrowingFile.open(part)
    except FileNotFoundError:
        if part.exists() and not meta_of(part).exists():
            return part
        return part.with_name(part.name.removesuffix(".part"))
    try:
        return _ArrivingSoundFile(growing)
    except (sf.LibsndfileError, RuntimeError, TypeError, OSError) as e:
        growing.close()
        raise RaterError(Problem(f"the audio cannot be read while it arrives ({e})", str(part),
                                 "check the connection to the study's server; Rater fetches "
                                 "the recording again when it is opened again")) from e
