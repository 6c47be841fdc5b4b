"""Probing an audio file: its format facts and exact length, without decoding all of it.

Headers can lie: an MP3 without a Xing header overstates its length by seconds, and a truncated
file keeps the header of the whole one. So the probe reads the last second after seeking there;
a short read gives the true end. Only when the header is so far off that the seek lands past the
real end does it fall back to decoding the whole file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from rater.core.errors import Problem, RaterError

TAIL_SECONDS = 1.0
BLOCK = 65536


@dataclass(frozen=True)
class AudioInfo:
    format: str  # libsndfile's major format, e.g. WAV, FLAC, OGG, MP3
    subtype: str  # e.g. PCM_16, VORBIS, OPUS, MPEG_LAYER_III
    sample_rate: int
    channels: int
    frames: int  # checked against the audio itself, not taken from the header

    @property
    def duration_s(self) -> float:
        return self.frames / self.sample_rate


def probe(path: Path) -> AudioInfo:
    """Describe an audio file; RaterError if it is unsupported, unreadable or corrupt."""
    try:
        with sf.SoundFile(str(path)) as handle:
            frames = _true_length(handle)
            return AudioInfo(format=handle.format, subtype=handle.subtype,
                             sample_rate=handle.samplerate, channels=handle.channels,
                             frames=frames)
    except sf.LibsndfileError as exc:
        raise _explain(path, exc) from None
    except (RuntimeError, ValueError) as exc:  # decoder errors surface as these too
        raise RaterError(Problem(f"corrupt audio ({exc})", str(path),
                                 "re-export or re-copy the recording from its source")) from None


def _true_length(handle: sf.SoundFile) -> int:
    claimed = handle.frames
    if claimed <= 0:
        raise RaterError(Problem("the file holds no audio", handle.name,
                                 "replace it with the complete recording"))
    start = max(0, claimed - int(TAIL_SECONDS * handle.samplerate))
    handle.seek(start)
    tail = _count_to_end(handle)
    if tail == 0 and start > 0:  # the header claims far more than there is
        handle.seek(0)
        return _count_to_end(handle)
    return start + tail


def _count_to_end(handle: sf.SoundFile) -> int:
    """Read to the real end (a short read), counting frames. Never trusts `frames`."""
    buffer = np.empty((BLOCK, handle.channels), dtype=np.float32)
    total = 0
    while True:
        n = len(handle.read(BLOCK, dtype="float32", always_2d=True, out=buffer))
        total += n
        if n < BLOCK:
            return total


def _explain(path: Path, exc: sf.LibsndfileError) -> RaterError:
    message = str(exc.error_string if hasattr(exc, "error_string") else exc)
    if "recognised" in message.lower() or "unknown format" in message.lower():
        return RaterError(Problem(
            "not a supported audio format", str(path),
            "convert it to WAV, FLAC, OGG (Vorbis/Opus) or MP3, e.g. with "
            "'ffmpeg -i INPUT OUTPUT.flac'"))
    return RaterError(Problem(f"unreadable or corrupt audio ({message})", str(path),
                              "re-export or re-copy the recording from its source"))
