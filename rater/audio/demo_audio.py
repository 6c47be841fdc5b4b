"""Extra demo recordings cut from the synthesised interviews (for the demo study only)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf


def cut_variant(src: Path, dst: Path, seed: int) -> None:
    """A different-sounding recording from the same voices: the interview rotated to start at
    another turn, 70-100% of its length, at a slightly different level; written as FLAC."""
    rng = np.random.default_rng(seed)
    audio, rate = sf.read(str(src), dtype="float32", always_2d=True)
    start = int(rng.uniform(0.1, 0.6) * len(audio))
    rotated = np.concatenate([audio[start:], audio[:start]])
    length = int(rng.uniform(0.7, 1.0) * len(rotated))
    gain = 10 ** (rng.uniform(-3, 3) / 20)
    sf.write(str(dst), np.clip(rotated[:length] * gain, -1, 1), rate, format="FLAC")
