"""Copies of blinded audio for rater packs."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf

from rater.audio.reencode import _strip_flac_metadata

BLOCK = 65536


def _bits(subtype: str) -> int:
    return {"PCM_S8": 8, "PCM_16": 16, "PCM_24": 24}.get(subtype, 16)


def distinct_copy(src: Path, dst: Path) -> None:
    """The same audio in a FLAC file whose bytes differ from `src`, tagless like every blinded
    copy: a re-test item then shares no checksum with the first presentation.

    The lowest bit of one sample is flipped (-96 dB for 16-bit: inaudible) so the bytes always
    differ, even where the encoder would produce identical output (e.g. noise-like audio).
    Compression level 6 (0.75) instead of libsndfile's default 5 keeps the size within about
    1% (measured on the demo recordings), so size does not mark a re-test either.
    """
    with sf.SoundFile(str(src)) as source:
        handle, temporary = tempfile.mkstemp(suffix=".flac", dir=dst.parent)
        os.close(handle)
        try:
            with sf.SoundFile(temporary, "w", samplerate=source.samplerate,
                              channels=source.channels, subtype=source.subtype, format="FLAC",
                              compression_level=0.75) as target:
                buffer = np.empty((BLOCK, source.channels), dtype=np.int32)
                lowest_bit = np.int32(1 << (32 - _bits(source.subtype)))
                first = True
                while n := len(source.read(BLOCK, dtype="int32", always_2d=True, out=buffer)):
                    if first:
                        buffer[n // 2, 0] ^= lowest_bit
                        first = False
                    target.write(buffer[:n])
                    if n < BLOCK:
                        break
            _strip_flac_metadata(Path(temporary), dst)
        finally:
            os.unlink(temporary)
