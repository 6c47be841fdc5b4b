"""Issue 12's full check: 60 s recorded from the virtual microphone, sample-exact. The suite
runs the same check over 15 s (tests/audio/test_recorder.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "audio"))
from audio_helpers import (  # noqa: E402
    check_recording_is_sample_exact,
    require_jack,
    setup_virtual_device,
)

setup_virtual_device()


@pytest.mark.benchmark
def test_sixty_seconds_play_back_sample_exact(tmp_path):
    require_jack()
    check_recording_is_sample_exact(tmp_path / "practice.flac", 60.0)
    print("\nrecorder: 60 s from the virtual microphone, every sample in the file, in order")
