"""Ogg Opus copies for rater packs, encoded with libopus through PyAV (FFmpeg).

Why PyAV and not libsndfile, which also writes Opus: on the same speech, at the same bit rate
and libopus's own default complexity (10), libsndfile's path encoded at about 60 times real
time per core and PyAV's at about 200 times, and a fifty-interview pack is 25 hours of audio.
libsndfile still reads the result (the player and probe do), with the exact frame count.

The stream carries only OpusHead and an OpusTags block whose vendor string is "ffmpeg"
(`fflags=+bitexact` keeps FFmpeg's version and encoder tag out): the same for every file, so
nothing in it tells recordings apart.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from rater.core.pack_audio import opus_rate


def write_opus(blocks: Iterable[np.ndarray], dst: Path, rate: int, channels: int,
               kbps: int) -> None:
    """Encode float32 `blocks` (frames x channels, at `rate`) as Ogg Opus at `dst`, atomically,
    at `kbps` kbit/s per channel. A rate Opus does not have (44.1 kHz) is resampled up to the
    next one it has (48 kHz)."""
    import av
    import soxr

    target_rate = opus_rate(rate)
    resampler = (soxr.ResampleStream(rate, target_rate, channels, dtype="float32", quality="HQ")
                 if target_rate != rate else None)
    layout = "mono" if channels == 1 else "stereo"
    handle, temporary = tempfile.mkstemp(prefix=f".{dst.name}.", suffix=".part", dir=dst.parent)
    os.close(handle)
    try:
        with av.open(temporary, "w", format="ogg", options={"fflags": "+bitexact"}) as out:
            stream = out.add_stream("libopus", rate=target_rate, layout=layout)
            stream.bit_rate = kbps * 1000 * channels
            written = 0

            def encode(block: np.ndarray) -> None:
                nonlocal written
                if not len(block):
                    return
                frame = av.AudioFrame.from_ndarray(
                    np.ascontiguousarray(block, np.float32).reshape(1, -1), format="flt",
                    layout=layout)
                frame.sample_rate, frame.pts = target_rate, written
                written += len(block)
                out.mux(stream.encode(frame))

            for block in blocks:
                encode(resampler.resample_chunk(np.ascontiguousarray(block))
                       if resampler is not None else block)
            if resampler is not None:
                encode(resampler.resample_chunk(np.zeros((0, channels), np.float32), last=True))
            out.mux(stream.encode(None))
        os.replace(temporary, dst)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
