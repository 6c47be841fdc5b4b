"""Making small audio files for tests (numpy + soundfile; nothing committed)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf


def tone(seconds: float, rate: int = 16000, freq: float = 440.0, channels: int = 1,
         amplitude: float = 0.5) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    mono = (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.float32)
    return np.repeat(mono[:, None], channels, axis=1) if channels > 1 else mono


def write_audio(path: Path, seconds: float = 1.0, rate: int = 16000, freq: float = 440.0,
                channels: int = 1, **kwargs) -> Path:
    """Write a tone; the format follows the suffix (.wav .flac .ogg .mp3)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, tone(seconds, rate, freq, channels), rate, **kwargs)
    return path
