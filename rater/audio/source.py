"""Streaming audio source over soundfile (and PyAV for M4A/AAC: `audio.aac`), and ``probe`` for
the import service.

Opening never decodes the whole file (a 2-hour recording opens in milliseconds); reads are
block by block into a reusable buffer; seeks are sample-exact.

Traps handled here (see docs/decisions/0102-audio-player.md):
- End of file is a *short read*, not the header's frame count: MP3 headers can overstate the
  length by seconds. ``SoundFile.blocks()`` trusts the header and returns stale data, so it is
  never used.
- libsndfile handles are not thread-safe: a ``StreamingSource`` belongs to the thread that
  opened it and refuses to be used from another one. Open one source per thread.
- A damaged file shows up either as an exception from libsndfile or as a read that ends long
  before the header's length; both become ``SourceError`` carrying the position.
"""

from __future__ import annotations

import contextlib
import os
import threading
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import soundfile as sf

from rater.core.errors import Problem, RaterError

from .aac import AacFile, is_aac_path
from .growing import open_arriving

# Formats whose frame count in the header is an estimate (MPEG audio without an exact index).
_INEXACT_FORMATS = {"MP3", "MPEG"}
_SUPPORTED_HINT = (
    "use WAV, FLAC, OGG (Vorbis/Opus), MP3 or M4A (AAC); convert other formats first "
    "(e.g. with ffmpeg)"
)


@dataclass(frozen=True)
class AudioInfo:
    """What ``probe`` learnt about a recording without decoding it all."""

    path: str
    format: str  # soundfile major format, e.g. "FLAC", "WAV", "OGG", "MP3"
    subtype: str  # e.g. "PCM_16", "VORBIS", "MPEG_LAYER_III"
    sample_rate: int
    channels: int
    frames: int  # from the header; an estimate when exact is False
    duration_s: float
    exact: bool  # False: frames/duration are approximate (MP3); the true end is found by reading


class SourceError(RaterError):
    """Decoding failed part-way through a file. ``position_s`` says where."""

    def __init__(self, problem: Problem, position_s: float):
        super().__init__(problem)
        self.position_s = position_s


def _fmt_time(seconds: float) -> str:
    seconds = max(0.0, seconds)
    h, rem = divmod(int(seconds), 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def _open(path: str | os.PathLike) -> sf.SoundFile | AacFile:
    p = Path(path)
    if p.suffix == ".part":  # a shared study's audio, still arriving (decision 1705)
        arriving = open_arriving(p)
        if not isinstance(arriving, Path):
            return arriving
        p = arriving
    if not p.exists():
        raise RaterError(
            Problem("audio file not found", str(p), "check the path, or re-import the recording")
        )
    if p.is_dir():
        raise RaterError(Problem("this is a folder, not an audio file", str(p), "choose a file"))
    try:
        if p.stat().st_size == 0:
            raise RaterError(
                Problem(
                    "the audio file is empty (0 bytes)",
                    str(p),
                    "copy the recording again from its source",
                )
            )
        return AacFile(p) if is_aac_path(p) else sf.SoundFile(str(p))
    except RaterError:
        raise
    except PermissionError as e:
        raise RaterError(
            Problem(
                f"cannot read the audio file: {e.strerror}", str(p), "check the file's permissions"
            )
        ) from e
    except ValueError as e:
        if not is_aac_path(p):
            raise RaterError(Problem(f"not a readable audio file ({e})", str(p),
                                     f"the file is damaged or in an unsupported format; "
                                     f"{_SUPPORTED_HINT}")) from e
        raise RaterError(Problem(f"not a readable M4A/AAC recording: {e}", str(p),
                                 "copy the recording again from the phone or recorder it was "
                                 "made on")) from e
    except (sf.LibsndfileError, RuntimeError, TypeError) as e:
        raise RaterError(
            Problem(
                f"not a readable audio file ({e})",
                str(p),
                f"the file is damaged or in an unsupported format; {_SUPPORTED_HINT}",
            )
        ) from e


_UNKNOWN_LENGTH = 1 << 62


def _count_frames(path: str) -> int:
    """Decode to the end to find the length (only for files whose header does not say it, such
    as a FLAC recording interrupted by a crash; those cannot seek either: ``recorder.recover``
    repairs them)."""
    n = 0
    with _open(path) as f:
        buf = np.zeros((1 << 16, f.channels), np.int16)
        while True:
            try:
                got = len(f.read(len(buf), dtype="int16", always_2d=True, out=buf))
            except (sf.LibsndfileError, RuntimeError):
                break
            n += got
            if got < len(buf):
                break
    return n


def _info_of(f: sf.SoundFile | AacFile, path: str) -> AudioInfo:
    fmt = f.format or "?"
    frames = int(f.frames)
    if frames >= _UNKNOWN_LENGTH:
        frames = _count_frames(path)
    sr = int(f.samplerate)
    return AudioInfo(
        path=str(path),
        format=fmt,
        subtype=f.subtype or "?",
        sample_rate=sr,
        channels=int(f.channels),
        frames=frames,
        duration_s=frames / sr if sr else 0.0,
        exact=fmt not in _INEXACT_FORMATS,
    )


def probe(path: str | os.PathLike) -> AudioInfo:
    """Open ``path`` without decoding it all and describe it.

    Reads one short block from the start to prove that the audio data decodes. For MP3 the
    frame count is the header's estimate (``exact=False``). Raises ``RaterError`` (what, where,
    how to fix) for a missing, empty, unreadable, corrupt or unsupported file.
    """
    f = _open(path)
    try:
        info = _info_of(f, str(path))
        if info.sample_rate <= 0 or info.channels <= 0:
            raise RaterError(
                Problem(
                    "the audio header is invalid (no sample rate or channels)",
                    str(path),
                    "the file is damaged; copy it again from its source",
                )
            )
        if info.frames <= 0:
            raise RaterError(
                Problem(
                    "the recording contains no audio",
                    str(path),
                    "check that the right file was exported",
                )
            )
        try:
            got = f.read(min(4096, info.frames), dtype="float32", always_2d=True)
        except (sf.LibsndfileError, RuntimeError) as e:
            raise RaterError(
                Problem(
                    f"the audio data cannot be decoded ({e})",
                    str(path),
                    "the file is damaged; copy it again from its source",
                )
            ) from e
        if len(got) == 0:
            raise RaterError(
                Problem(
                    "the audio data cannot be decoded (nothing could be read)",
                    str(path),
                    "the file is damaged; copy it again from its source",
                )
            )
        return info
    finally:
        f.close()


TAIL_SECONDS = 1.0


def probe_exact(path: str | os.PathLike) -> AudioInfo:
    """``probe``, then the true length: seek to the header's last second and read to the real
    end (a short read). Headers can lie: an MP3 without a Xing header overstates its length by
    seconds, and a truncated file keeps the header of the whole one. Only when the header is so
    far off that the seek lands past the real end is the whole file decoded."""
    info = probe(path)
    with _open(path) as f:
        start = max(0, info.frames - int(TAIL_SECONDS * info.sample_rate))
        try:
            f.seek(start)
            tail = _read_to_end(f)
            frames = start + tail if tail or start == 0 else _count_frames(str(path))
        except (sf.LibsndfileError, RuntimeError) as e:
            raise RaterError(Problem(f"the end of the audio cannot be decoded ({e})", str(path),
                                     "the file is damaged; copy it again from its source")) from e
    return replace(info, frames=frames, duration_s=frames / info.sample_rate, exact=True)


def _read_to_end(f: sf.SoundFile | AacFile) -> int:
    buf = np.zeros((1 << 16, f.channels), np.float32)
    n = 0
    while True:
        got = len(f.read(len(buf), dtype="float32", always_2d=True, out=buf))
        n += got
        if got < len(buf):
            return n


class StreamingSource:
    """Block reader over one audio file, owned by the thread that created it.

    ``read`` returns float32 frames (shape ``(n, channels)``); ``n`` smaller than asked means
    end of file. ``seek`` is sample-exact. When the file turns out shorter than its header says,
    ``info`` keeps the header value and ``true_frames`` is set once the end has been reached.
    """

    def __init__(self, path: str | os.PathLike):
        self.path = str(path)
        self._owner = threading.get_ident()
        self._f = _open(path)
        self.info = _info_of(self._f, self.path)
        self._pos = 0
        self.true_frames: int | None = None  # known once the end has been read
        self._ended_early: SourceError | None = None
        self._buf = np.zeros((0, self.info.channels), dtype=np.float32)

    # -- properties ----------------------------------------------------------------------------
    @property
    def sample_rate(self) -> int:
        return self.info.sample_rate

    @property
    def channels(self) -> int:
        return self.info.channels

    @property
    def frames(self) -> int:
        """Best known length: the real one once the end was reached, else the header's."""
        return self.true_frames if self.true_frames is not None else self.info.frames

    def tell(self) -> int:
        return self._pos

    # -- operations ----------------------------------------------------------------------------
    def _check_thread(self) -> None:
        if threading.get_ident() != self._owner:
            raise RuntimeError(
                "StreamingSource used from a thread that did not open it; libsndfile handles are "
                "not thread-safe: open one StreamingSource per thread"
            )

    def seek(self, frame: int) -> int:
        """Move to ``frame`` (clamped to the file), sample-exact. Returns the new position."""
        self._check_thread()
        frame = int(max(0, min(frame, self.frames)))
        self._ended_early = None
        if frame == self._pos:
            return frame
        try:
            self._pos = int(self._f.seek(frame))
        except (sf.LibsndfileError, RuntimeError) as e:
            raise SourceError(
                Problem(
                    f"cannot seek to {_fmt_time(frame / self.sample_rate)} ({e})",
                    self.path,
                    "the file is damaged; copy it again from its source",
                ),
                frame / self.sample_rate,
            ) from e
        return self._pos

    def read(self, frames: int, out: np.ndarray | None = None) -> np.ndarray:
        """Read up to ``frames`` frames at the current position (float32, 2-D).

        Pass ``out`` (shape ``(>=frames, channels)``; float32, or int16/int32 for PCM data) to
        avoid allocating; the result is then a view of it. A result shorter than asked means the
        end of the audio data.
        Raises ``SourceError`` with the position when the data cannot be decoded. When the data
        ends far earlier than the header promised, the short block is returned and
        ``check_complete()`` (or any further read) raises.
        """
        self._check_thread()
        if self._ended_early is not None and self._pos >= (self.true_frames or 0):
            raise self._ended_early
        if out is None:
            if self._buf.shape[0] < frames:
                self._buf = np.zeros((frames, self.channels), dtype=np.float32)
            out = self._buf
        view = out[:frames]
        try:
            got = self._f.read(frames, dtype=view.dtype.name, always_2d=True, out=view)
        except (sf.LibsndfileError, RuntimeError) as e:
            pos = self._pos / self.sample_rate
            raise SourceError(
                Problem(
                    f"the audio data cannot be decoded at {_fmt_time(pos)} ({e})",
                    self.path,
                    "the file is damaged from this point; copy it again from its source",
                ),
                pos,
            ) from e
        n = len(got)
        self._pos += n
        if n < frames:
            self._reached_end()
        return got

    def _reached_end(self) -> None:
        self.true_frames = self._pos
        expected = self.info.frames
        shortfall = expected - self._pos
        sr = self.sample_rate
        tolerance = 1 if self.info.exact else max(5 * sr, expected // 100)
        if shortfall > tolerance:
            pos = self._pos / sr
            self._ended_early = SourceError(
                Problem(
                    f"the audio data stops at {_fmt_time(pos)} but the file says it lasts "
                    f"{_fmt_time(expected / sr)}",
                    self.path,
                    "the file is damaged or was cut short; copy it again from its source",
                ),
                pos,
            )

    def check_complete(self) -> None:
        """After a short read: raise ``SourceError`` if the data ended far earlier than the
        header said (a damaged or truncated file). The short block itself was still returned."""
        if self._ended_early is not None:
            raise self._ended_early

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._f.close()

    def __enter__(self) -> StreamingSource:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def to_stereo(block: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Map (n, channels) float32 to (n, 2): mono is duplicated, more than two are downmixed
    (even channels to the left, odd to the right)."""
    n, ch = block.shape
    if ch == 2:
        if out is None:
            return block
        out[:n] = block
        return out[:n]
    if out is None:
        out = np.empty((n, 2), dtype=np.float32)
    if ch == 1:
        out[:n, 0] = block[:, 0]
        out[:n, 1] = block[:, 0]
    else:
        out[:n, 0] = block[:, 0::2].mean(axis=1)
        out[:n, 1] = block[:, 1::2].mean(axis=1)
    return out[:n]
