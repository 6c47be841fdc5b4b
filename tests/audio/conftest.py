"""Sound tests: a virtual sound device with exact capture, and generated test audio.

The ALSA configuration is set here (``setup_virtual_device``), at import, before anything can
import sounddevice (the player's engine process inherits it): ALSA ``default`` is a tee that
writes every sample played to ``CAPTURE`` (raw float32 stereo) and passes it on to the JACK
dummy server that ``scripts/with-test-services`` starts, which paces playback in real time.
The tee file is truncated each time a stream opens, so after ``player.close()`` it holds what
that player output. An ALSA input ``test_mic`` plays a 1 kHz tone (for the recorder).
Tests that need the device use the ``jack`` fixture: they FAIL when RATER_TEST_JACK is unset,
and skip only with RATER_ALLOW_MISSING_SERVICES=1.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from audio_helpers import SR, require_jack, setup_virtual_device

CAPTURE = setup_virtual_device()


@pytest.fixture
def jack():
    """The JACK dummy device from scripts/with-test-services (real-time, captured)."""
    require_jack()
    return CAPTURE


@pytest.fixture
def make_audio(tmp_path):
    def make(name: str, data: np.ndarray, sr: int = SR, **kw) -> Path:
        p = tmp_path / name
        sf.write(p, data, sr, **kw)
        return p

    return make
