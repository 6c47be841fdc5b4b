"""Helpers for the sound tests (generated audio, capture reading, analysis)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np

SR = 44100
MIC_AMPLITUDE = 0.25  # the test microphone's 1 kHz tone
TEST_MIC = "test_mic"  # ALSA input device reading a file, paced by JACK
MIC_SECONDS = 75  # long enough for a 60 s recording after the device's start-up


def mic_signal(frames: int) -> np.ndarray:
    """The test microphone's first `frames` samples, as it writes them."""
    t = np.arange(frames) / SR
    return (MIC_AMPLITUDE * np.sin(2 * np.pi * 1000 * t)).astype("<f4")


def setup_virtual_device() -> Path:
    """Point ALSA ``default`` at a capture tee in front of the JACK dummy server; returns the
    capture file. Call before anything imports sounddevice (the engine process inherits the
    environment). Idempotent."""
    if os.environ.get("RATER_TEST_CAPTURE"):
        return Path(os.environ["RATER_TEST_CAPTURE"])
    d = Path(tempfile.mkdtemp(prefix="rater-audio-tests-"))
    capture = d / "captured.raw"
    conf = d / "asound.conf"
    mic = d / "mic.raw"  # what the test microphone "hears": 1 kHz at -12 dBFS, MIC_SECONDS
    t = np.arange(SR * MIC_SECONDS) / SR
    (MIC_AMPLITUDE * np.sin(2 * np.pi * 1000 * t)).astype("<f4").tofile(mic)
    conf.write_text(
        f"""pcm.!default {{ type plug  slave {{ pcm "tee_to_file"  channels 2 }} }}
pcm.tee_to_file {{ type file  file "{capture}"  format "raw"
    slave.pcm {{ type jack  align_psize 0
        playback_ports {{ 0 system:playback_1  1 system:playback_2 }} }} }}
pcm.test_mic {{ type plug  slave {{ pcm "test_mic_file"  channels 1 }} }}
pcm.test_mic_file {{ type file  file "/dev/null"  infile "{mic}"  format "raw"
    slave.pcm {{ type jack  align_psize 0  capture_ports {{ 0 system:capture_1 }} }} }}
"""
    )
    os.environ["ALSA_CONFIG_PATH"] = str(conf)
    os.environ["RATER_TEST_CAPTURE"] = str(capture)
    os.environ.setdefault("JACK_NO_START_SERVER", "1")  # never let libjack start a real server
    return capture


def require_jack() -> None:
    """Fail (or skip with RATER_ALLOW_MISSING_SERVICES=1) when the virtual device is not running."""
    import pytest

    if os.environ.get("RATER_TEST_JACK") != "1":
        if os.environ.get("RATER_ALLOW_MISSING_SERVICES") == "1":
            pytest.skip("virtual sound device not running (RATER_ALLOW_MISSING_SERVICES=1)")
        pytest.fail(
            "virtual sound device not running: run the tests with ./run test "
            "(scripts/with-test-services starts JACK and sets RATER_TEST_JACK=1)"
        )


def read_capture() -> np.ndarray:
    """Everything the last stream played, float32 (n, 2)."""
    raw = np.fromfile(os.environ["RATER_TEST_CAPTURE"], dtype="<f4")
    return raw[: len(raw) // 2 * 2].reshape(-1, 2)


def tone(seconds: float, freq: float = 440.0, amp: float = 0.5, sr: int = SR) -> np.ndarray:
    t = np.arange(int(seconds * sr)) / sr
    x = (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)
    return np.stack([x, -x], axis=1)


def noise16(seconds: float, sr: int = SR, seed: int = 1, channels: int = 2) -> np.ndarray:
    """Random samples on the 16-bit grid, never zero: they survive FLAC/WAV and float32 exactly."""
    rng = np.random.default_rng(seed)
    shape = (int(seconds * sr), channels)
    q = rng.integers(1, 12000, size=shape) * rng.choice([-1, 1], size=shape)
    return (q / 32768.0).astype(np.float32)


def dominant_freq(x: np.ndarray, sr: int = SR) -> float:
    x = x - x.mean()
    spec = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    k = int(np.argmax(spec))
    # parabolic interpolation for sub-bin accuracy
    if 0 < k < len(spec) - 1:
        a, b, c = np.log(spec[k - 1 : k + 2] + 1e-12)
        k = k + 0.5 * (a - c) / (a - 2 * b + c)
    return k * sr / len(x)


def first_nonzero(x: np.ndarray) -> int:
    nz = np.flatnonzero(np.abs(x).max(axis=1) > 0)
    return int(nz[0]) if len(nz) else -1


def check_recording_is_sample_exact(path: Path, seconds: float) -> None:
    """Record `seconds` from the test microphone: every sample it gave must be in the file, in
    order, none lost or repeated (equal to the source within one 16-bit step)."""
    import time

    import soundfile as sf

    from rater.audio.recorder import Recorder

    rec = Recorder(path, device=TEST_MIC, sample_rate=SR, channels=1)
    rec.start()
    while rec.elapsed_s() < seconds + 0.2:
        time.sleep(0.2)
    info = rec.stop()
    assert info.exact and info.duration_s >= seconds
    x, sr = sf.read(path, dtype="float64")
    assert sr == SR and len(x) == info.frames
    start = int(np.flatnonzero(np.abs(x) > 0)[0])
    heard = x[start:]
    source = mic_signal(int(SR * (seconds + 15))).astype("float64")
    offset = min(range(441), key=lambda k: np.abs(heard[:441] - source[k:k + 441]).max())
    # The content check is the proof: on a loaded machine PortAudio may flag one input
    # overflow (seen at load 7 on 2 cores) while not a sample is missing from the file.
    error = np.abs(heard - source[offset:offset + len(heard)])
    bad = np.flatnonzero(error > 1.01 / 32768)
    assert len(bad) == 0, f"first wrong sample at {bad[0] / SR:.3f} s of {len(heard) / SR:.1f} s"
    assert len(heard) / SR >= seconds - 0.5
