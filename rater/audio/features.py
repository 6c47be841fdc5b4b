"""What a listener can perceive about a file, measured for the leak audit."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from rater.audio.reencode import LoudnessMeter
from rater.audio.source import StreamingSource

BLOCK = 65536
SILENCE_DBFS = -40.0  # quieter than this counts as silence (a 20 ms window)
WINDOW_S = 0.02


def perceivable_features(path: Path) -> dict[str, float]:
    """Loudness (LUFS), peak level and noise floor (dBFS), and leading silence (s), in one
    streaming pass. The noise floor is the 10th percentile of 20 ms window levels: hiss or hum
    from one group's recorders shows there."""
    with StreamingSource(path) as source:
        meter = LoudnessMeter(source.sample_rate, source.channels)
        window = max(1, int(WINDOW_S * source.sample_rate))
        peak, position, levels = 0.0, 0, []
        while len(block := source.read(BLOCK)):
            meter.add(block)
            peak = max(peak, float(np.abs(block).max()))
            usable = (len(block) // window) * window
            levels.append(np.sqrt((block[:usable] ** 2).mean(axis=1)
                                  .reshape(-1, window).mean(axis=1)))
            position += len(block)
            if len(block) < BLOCK:
                break
    rms = np.concatenate(levels) if levels else np.zeros(0)
    loud = np.flatnonzero(rms > 10 ** (SILENCE_DBFS / 20))
    loudness = meter.integrated()
    return {
        "loudness_lufs": loudness if math.isfinite(loudness) else -70.0,
        "peak_dbfs": _dbfs(peak),
        "noise_floor_dbfs": _dbfs(float(np.percentile(rms, 10))) if len(rms) else -120.0,
        "leading_silence_s": (float(loud[0] * window) if len(loud) else position)
        / source.sample_rate,
    }


def _dbfs(amplitude: float) -> float:
    return 20 * math.log10(amplitude) if amplitude > 1e-6 else -120.0
