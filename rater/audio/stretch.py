"""Streaming time-stretch with the pitch preserved (speed 0.5x-2.0x).

Rubber Band's R3 engine in real-time mode, through pylibrb (a PyPI wheel with Rubber Band 3
inside; GPL-2.0-or-later). Chosen by figures over audiostretchy's TDHS, which the player used
before: on speech it keeps intelligibility clearly better at 1.25x and 1.5x (ESTOI of a round
trip, docs/decisions/1803-stretch-quality.md) for 1.2-2% of one core. At 1.0x the stretcher is
bypassed (bit-exact output).
"""

from __future__ import annotations

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


def load_stretcher():
    """pylibrb, or a clear error (playback at 1.0x works without it)."""
    try:
        import pylibrb
    except (ImportError, OSError) as e:  # missing package or no binary for this CPU
        raise RaterError(
            Problem(
                f"changing the playback speed is not available on this computer ({e})",
                "time-stretch (pylibrb)",
                "reinstall Rater (pip install pylibrb); playback at 1.0x still works",
            )
        ) from e
    return pylibrb


class TimeStretcher:
    """Feed float32 blocks (n, channels), get float32 blocks back, ``1/speed`` times as long.

    After a ``reset``, output frame k corresponds to input frame k * speed: Rubber Band's start
    delay is fed as silence first and its output dropped.
    """

    def __init__(self, sample_rate: int, channels: int, max_block: int = 8192):
        rb = load_stretcher()
        options = rb.Option.PROCESS_REALTIME | rb.Option.ENGINE_FINER
        self.channels = channels
        self._rb = rb.RubberBandStretcher(sample_rate, channels, options, 1.0, 1.0)
        self._rb.set_max_process_size(max_block)
        self.max_block = max_block
        self.reset()

    def reset(self) -> None:
        self._rb.reset()
        self._started = False
        self._drop = 0
        self._fed = self._given = 0  # frames in, frames out since the reset
        self._speed = 1.0

    def _start(self, speed: float) -> None:
        self._rb.time_ratio = 1.0 / speed
        pad = self._rb.get_preferred_start_pad()
        if pad:
            self._rb.process(np.zeros((self.channels, pad), dtype=np.float32), False)
        self._drop = self._rb.get_start_delay()
        self._started = True

    def process(self, block: np.ndarray, speed: float) -> np.ndarray:
        """Stretch ``block`` (float32, (n, channels)) to play at ``speed``."""
        if not self._started:
            self._start(speed)
        else:
            self._rb.time_ratio = 1.0 / speed
        self._speed = speed
        self._fed += len(block)
        for i in range(0, len(block), self.max_block):
            part = block[i:i + self.max_block]
            self._rb.process(np.ascontiguousarray(part.T, dtype=np.float32), False)
        return self._take()

    def flush(self) -> np.ndarray:
        """The rest of the audio, at the end of the input: no more than makes the whole output
        1/speed times the input (Rubber Band's last window would add a tail of silence)."""
        if not self._started:
            return np.zeros((0, self.channels), dtype=np.float32)
        self._rb.process(np.zeros((self.channels, 0), dtype=np.float32), True)
        rest = self._take()
        return rest[: max(0, int(round(self._fed / self._speed)) - (self._given - len(rest)))]

    def _take(self) -> np.ndarray:
        parts = []
        while self._rb.available() > 0:
            parts.append(self._rb.retrieve_available())
        if not parts:
            return np.zeros((0, self.channels), dtype=np.float32)
        out = np.concatenate(parts, axis=1).T
        if self._drop:
            cut = min(self._drop, len(out))
            self._drop -= cut
            out = out[cut:]
        self._given += len(out)
        return np.ascontiguousarray(out, dtype=np.float32)

    def close(self) -> None:
        self._rb = None


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
