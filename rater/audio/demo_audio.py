"""Extra demo recordings cut from the synthesised interviews (for the demo study only)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf


class VariantCutter:
    """Cuts variants of the source interviews, decoding each source once (decoding the Ogg
    Vorbis samples was 40% of building the demo when every variant decoded its source)."""

    def __init__(self) -> None:
        self._decoded: dict[Path, tuple[np.ndarray, int]] = {}

    def cut(self, src: Path, dst: Path, seed: int) -> None:
        """A different-sounding recording from the same voices: the interview rotated to start
        at another turn, 70-100% of its length, at a slightly different level; written as FLAC."""
        if src not in self._decoded:
            self._decoded[src] = sf.read(str(src), dtype="float32", always_2d=True)
        audio, rate = self._decoded[src]
        rng = np.random.default_rng(seed)
        start = int(rng.uniform(0.1, 0.6) * len(audio))
        rotated = np.concatenate([audio[start:], audio[:start]])
        length = int(rng.uniform(0.7, 1.0) * len(rotated))
        gain = 10 ** (rng.uniform(-3, 3) / 20)
        sf.write(str(dst), np.clip(rotated[:length] * gain, -1, 1), rate, format="FLAC")
