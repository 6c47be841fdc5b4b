"""Ogg Opus copies for rater packs (libsndfile's encoder, libopus).

libsndfile sets Opus's bit rate through its compression level, which it maps linearly from
256 kbit/s per channel (level 0) down to 6 kbit/s per channel (level 1); `level_for` inverts
that. The stream carries only OpusHead and an OpusTags block with the encoder's vendor string
("libopus 1.x"): the same for every file, so nothing in it tells recordings apart.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import soundfile as sf

from rater.core.pack_audio import opus_rate

_TOP, _BOTTOM = 256_000, 6_000  # libsndfile's range, bit/s per channel


def level_for(kbps: int) -> float:
    """libsndfile's compression level for `kbps` kbit/s per channel."""
    bits = min(max(kbps * 1000, _BOTTOM), _TOP)
    return (_TOP - bits) / (_TOP - _BOTTOM)


def write_opus(blocks: Iterable[np.ndarray], dst: Path, rate: int, channels: int,
               kbps: int) -> None:
    """Encode float32 `blocks` (frames x channels, at `rate`) as Ogg Opus at `dst`, atomically.

    A rate Opus does not have (44.1 kHz) is resampled up to the next one it has (48 kHz)."""
    import soxr

    target_rate = opus_rate(rate)
    resampler = (soxr.ResampleStream(rate, target_rate, channels, dtype="float32", quality="HQ")
                 if target_rate != rate else None)
    handle, temporary = tempfile.mkstemp(prefix=f".{dst.name}.", suffix=".part", dir=dst.parent)
    os.close(handle)
    try:
        with sf.SoundFile(temporary, "w", samplerate=target_rate, channels=channels,
                          format="OGG", subtype="OPUS", compression_level=level_for(kbps)) as out:
            for block in blocks:
                if resampler is not None:
                    block = resampler.resample_chunk(np.ascontiguousarray(block))
                out.write(block)
            if resampler is not None:
                out.write(resampler.resample_chunk(np.zeros((0, channels), np.float32),
                                                   last=True))
        os.replace(temporary, dst)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
