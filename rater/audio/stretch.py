"""Streaming time-stretch with the pitch preserved (speed 0.5x-2.0x).

Uses the TDHS (time-domain harmonic scaling) C core of ``audiostretchy`` (BSD-3, David Bryant's
audio-stretch) through ctypes: streaming, works on int16, releases the GIL while it runs, and
costs 1-3% of one core at 2x on speech. See docs/decisions/0101-time-stretch.md for the figures
and the alternatives measured. At 1.0x the stretcher is bypassed (bit-exact output).
"""

from __future__ import annotations

import contextlib

import numpy as np

from rater.core.errors import Problem, RaterError

MIN_SPEED = 0.5
MAX_SPEED = 2.0


def check_speed(speed: float) -> float:
    speed = float(speed)
    if not (MIN_SPEED - 1e-9 <= speed <= MAX_SPEED + 1e-9):
        raise RaterError(
            Problem(
                f"speed {speed:g}x is out of range",
                "player",
                f"choose a speed from {MIN_SPEED}x to {MAX_SPEED}x",
            )
        )
    return min(MAX_SPEED, max(MIN_SPEED, speed))


def _load_tdhs():
    try:
        from audiostretchy.interface.tdhs import TDHSAudioStretch
    except (
        ImportError,
        OSError,
        NotImplementedError,
    ) as e:  # missing package or no binary for this CPU
        raise RaterError(
            Problem(
                f"changing the playback speed is not available on this computer ({e})",
                "time-stretch (audiostretchy)",
                "reinstall Rater (pip install audiostretchy); playback at 1.0x still works",
            )
        ) from e
    return TDHSAudioStretch


class TimeStretcher:
    """Feed float32 blocks (n, channels), get float32 blocks back, ``1/speed`` times as long.

    The output lags the input by a few hundred frames (the stretcher buffers); output frame k
    after a ``reset`` corresponds to input frame k * speed.
    """

    def __init__(self, sample_rate: int, channels: int, max_block: int = 8192):
        cls = _load_tdhs()
        self.channels = channels
        self.max_block = max_block
        # Pitch periods searched: 55-333 Hz fundamentals, the range of voices.
        self._s = cls(max(20, sample_rate // 333), max(40, sample_rate // 55), channels, 0)
        cap = self._s.output_capacity(max_block, 1.0 / MIN_SPEED)
        self._out = np.zeros(cap * channels + channels * 16, dtype=np.int16)
        self._in = np.zeros(max_block * channels, dtype=np.int16)

    def process(self, block: np.ndarray, speed: float) -> np.ndarray:
        """Stretch ``block`` (float32, (n, channels), n <= max_block) to play at ``speed``."""
        n = len(block)
        if n == 0:
            return np.zeros((0, self.channels), dtype=np.float32)
        if n > self.max_block:
            parts = [
                self.process(block[i : i + self.max_block], speed)
                for i in range(0, n, self.max_block)
            ]
            return np.concatenate(parts)
        ins = self._in[: n * self.channels]
        ins[:] = np.rint(np.clip(block, -1.0, 32767 / 32768) * 32768.0).astype(np.int16).reshape(-1)
        got = self._s.process_samples(ins, n, self._out, float(1.0 / speed))
        return (
            self._out[: got * self.channels].reshape(-1, self.channels).astype(np.float32)
        ) / 32768.0

    def flush(self) -> np.ndarray:
        got = self._s.flush(self._out)
        return (
            self._out[: got * self.channels].reshape(-1, self.channels).astype(np.float32)
        ) / 32768.0

    def reset(self) -> None:
        self._s.reset()

    def close(self) -> None:
        if getattr(self._s, "handle", None):
            self._s.deinit()

    def __del__(self):
        with contextlib.suppress(Exception):
            self.close()


def stretch_file(src: str, dst: str, speed: float) -> None:
    """Write ``src`` played at ``speed`` to ``dst`` (WAV/FLAC), for listening tests."""
    import soundfile as sf

    from .source import StreamingSource

    speed = check_speed(speed)
    with StreamingSource(src) as s:
        st = TimeStretcher(s.sample_rate, s.channels)
        with sf.SoundFile(dst, "w", s.sample_rate, s.channels) as out:
            while True:
                block = s.read(4096)
                out.write(st.process(block, speed) if speed != 1.0 else block)
                if len(block) < 4096:
                    if speed != 1.0:
                        out.write(st.flush())
                    break
        st.close()


if __name__ == "__main__":  # python -m rater.audio.stretch IN OUT SPEED
    import sys

    stretch_file(sys.argv[1], sys.argv[2], float(sys.argv[3]))
