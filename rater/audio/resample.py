"""Streaming sample-rate conversion (FFmpeg's swresample through PyAV), for the engine's ALSA
output: ALSA's own converter cannot rewind, so a recording at a rate the device does not take
is converted before it reaches ALSA."""

from __future__ import annotations

import numpy as np


class Resampler:
    """Stereo float32 from ``src_rate`` to ``dst_rate``, block by block; make a new one after a
    seek (it keeps a few samples of history)."""

    def __init__(self, src_rate: int, dst_rate: int):
        import av

        self._av = av
        self.src_rate = src_rate
        self._resampler = av.AudioResampler(format="flt", layout="stereo", rate=dst_rate)

    def process(self, frames: np.ndarray, last: bool = False) -> np.ndarray:
        """Convert ``frames`` ((n, 2) float32); with ``last``, also what the filter still holds."""
        frame = self._av.AudioFrame.from_ndarray(
            np.ascontiguousarray(frames, dtype=np.float32).reshape(1, -1), format="flt",
            layout="stereo")
        frame.sample_rate = self.src_rate
        out = self._resampler.resample(frame)
        if last:
            out += self._resampler.resample(None)
        if not out:
            return np.zeros((0, 2), dtype=np.float32)
        return np.concatenate([f.to_ndarray().reshape(-1, 2) for f in out])
