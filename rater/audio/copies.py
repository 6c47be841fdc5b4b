"""Copies of blinded audio for rater packs."""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import soundfile as sf

from rater.audio.opus import write_opus
from rater.audio.reencode import _strip_flac_metadata
from rater.core.pack_audio import FLAC, PackAudioSpec

BLOCK = 65536
PAD_MS = (20, 90)  # room tone added at each end of every pack item
MIN_PAD_GAP_MS = 5  # two copies of one recording in a pack differ in length by at least this
TONE_SEARCH_S = 60  # the room tone comes from the quietest stretch of the first minute
TONE_HOP_MS = 10


def draw_padding(sample_rate: int, taken: list[int]) -> tuple[int, int]:
    """Frames of room tone for the start and the end of one pack item, from a CSPRNG.

    `taken` holds the total padding of the copies of the same recording already in the pack;
    the new total is at least MIN_PAD_GAP_MS away from each (and is added to `taken`), so a
    re-test never has the frame count of its first presentation.
    """
    low, high = (sample_rate * ms // 1000 for ms in PAD_MS)
    gap = sample_rate * MIN_PAD_GAP_MS // 1000
    while True:
        start, end = (low + secrets.randbelow(high - low + 1) for _ in range(2))
        if all(abs(start + end - other) >= gap for other in taken):
            taken.append(start + end)
            return start, end


def pack_copy(src: Path, dst: Path, start_frames: int, end_frames: int,
              audio: PackAudioSpec = FLAC) -> None:
    """The blinded audio of `src` with room tone added at both ends, as a tagless FLAC (or,
    with `audio` Opus, an Ogg Opus file: see `audio.opus`).

    Why: a re-test is the same recording under a new code. Copied as it was, it had exactly the
    frame count of its first presentation (in the pack's database and in the FLAC header) and
    nearly the same size, so matching durations found the pairs. So every item of a pack (not
    only re-tests: padding only those would itself mark them) gets 20-90 ms of room tone drawn
    at random for each end, and is re-encoded whole: the start padding shifts every FLAC frame,
    so no frame of a re-test is byte-identical to its first presentation either.

    Room tone is a copy of the quietest 90 ms of the recording's first minute: its own
    background, at its own level, not digital silence (which would itself be a cue) and
    inaudible as an addition.

    Time stamps stay honest without any mapping: the start padding is at most 90 ms, so a note
    or a listening position in the rater's copy is at most 0.09 s later than the same moment
    in the study's blinded copy (notes are shown to the second; a rater reacts in more than
    0.2 s). Nothing about the padding is stored, in the pack or in the study.
    """
    dtype = "float32" if audio.codec == "opus" else "int32"
    with sf.SoundFile(str(src)) as source:
        rate, channels = source.samplerate, source.channels
        head = source.read(int(TONE_SEARCH_S * rate), dtype=dtype, always_2d=True)
        tone = _room_tone(head, rate, max(start_frames, end_frames))
        blocks = _padded(source, head, tone[:start_frames], tone[len(tone) - end_frames:])
        if audio.codec == "opus":
            write_opus(blocks, dst, rate, channels, audio.kbps)
            return
        handle, temporary = tempfile.mkstemp(suffix=".flac", dir=dst.parent)
        os.close(handle)
        try:
            with sf.SoundFile(temporary, "w", samplerate=rate, channels=channels,
                              subtype=source.subtype, format="FLAC") as target:
                for block in blocks:
                    target.write(block)
            _strip_flac_metadata(Path(temporary), dst)
        finally:
            os.unlink(temporary)


def _padded(source: sf.SoundFile, head: np.ndarray, start: np.ndarray,
            end: np.ndarray) -> Iterator[np.ndarray]:
    """The start tone, the recording (whose first minute is `head`, already read), the end
    tone; one block at a time (a block is only valid until the next one is asked for)."""
    yield start
    yield head
    buffer = np.empty((BLOCK, source.channels), dtype=head.dtype)
    while n := len(source.read(BLOCK, dtype=str(head.dtype), always_2d=True, out=buffer)):
        yield buffer[:n]
        if n < BLOCK:
            break
    yield end


def _room_tone(head: np.ndarray, rate: int, frames: int) -> np.ndarray:
    """The quietest `frames`-long stretch of `head` (searched on a 10 ms grid)."""
    if len(head) <= frames:
        return np.resize(head, (frames, head.shape[1])) if len(head) else \
            np.zeros((frames, head.shape[1]), head.dtype)
    hop = max(1, rate * TONE_HOP_MS // 1000)
    power = np.square(head.astype(np.float64)).sum(axis=1)
    cumulative = np.concatenate([[0.0], np.cumsum(power)])
    starts = np.arange(0, len(head) - frames + 1, hop)
    quietest = int(starts[np.argmin(cumulative[starts + frames] - cumulative[starts])])
    return head[quietest:quietest + frames].copy()
