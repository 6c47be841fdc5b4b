"""Waveform peaks: one pass, progressive, cached, any zoom fast."""

import time

import numpy as np
import pytest
from audio_helpers import SR, noise16, tone

from rater.audio.waveform import FRAMES_PER_BIN, WaveformJob, load_cached, waveform
from rater.core.errors import RaterError


@pytest.mark.parametrize(
    "fmt,ext", [("FLAC", "flac"), ("WAV", "wav"), ("OGG", "ogg"), ("MP3", "mp3")]
)
def test_peaks_match_the_samples(make_audio, tmp_path, fmt, ext):
    lossy = fmt in ("OGG", "MP3")
    base = tone(3.0, 440.0, amp=0.9) if lossy else noise16(3.0)  # lossy codecs reshape noise peaks
    x = base * np.linspace(0.05, 1.0, 3 * SR, dtype=np.float32)[:, None]
    p = make_audio(f"n.{ext}", x, format=fmt)
    peaks = WaveformJob(p, cache_dir=tmp_path / "c", threads=2).run()
    assert peaks.sample_rate == SR
    n = len(x) // FRAMES_PER_BIN
    want_max = x[: n * FRAMES_PER_BIN].reshape(n, -1).max(axis=1)
    got = peaks.maxs[:n] / 32767
    tol = 0.05 if lossy else 1e-3
    np.testing.assert_allclose(got, want_max, atol=tol)
    assert peaks.frames == pytest.approx(len(x), abs=2000 if fmt == "MP3" else 0)


def test_cache_and_zoom(make_audio, tmp_path):
    p = make_audio("t.flac", tone(60.0))
    job = WaveformJob(p, checksum="abc123", cache_dir=tmp_path)
    job.run()
    assert not job.from_cache
    assert load_cached(p, "abc123", tmp_path) is not None
    t = time.perf_counter()
    job2 = WaveformJob(p, checksum="abc123", cache_dir=tmp_path)
    peaks = job2.run()
    assert job2.from_cache and time.perf_counter() - t < 0.05
    t = time.perf_counter()
    lo, hi = peaks.overview(2000)
    lo2, hi2 = peaks.overview(800, start_s=10.0, end_s=10.5)  # deeper than one bin per column
    assert time.perf_counter() - t < 0.01
    assert len(lo) == 2000 and len(hi2) == 800
    assert hi.max() == pytest.approx(0.5, abs=0.01) and lo.min() == pytest.approx(-0.5, abs=0.01)


def test_progress_is_delivered_off_the_calling_thread(make_audio, tmp_path):
    import threading

    p = make_audio("long.flac", noise16(120.0, channels=1))
    seen, threads = [], set()
    done = threading.Event()

    def on_progress(peaks, frac):
        seen.append(frac)
        threads.add(threading.get_ident())

    job = WaveformJob(p, cache_dir=tmp_path, on_progress=on_progress, on_done=lambda pk: done.set())
    job.start()
    assert done.wait(30)
    assert threading.get_ident() not in threads
    assert seen == sorted(seen) and seen[-1] == pytest.approx(1.0)


def test_a_damaged_file_reports_an_error(make_audio, tmp_path):
    p = make_audio("n.flac", noise16(20.0))
    raw = bytearray(p.read_bytes())
    raw[len(raw) // 2 : len(raw) // 2 + 20000] = bytes(20000)
    p.write_bytes(bytes(raw))
    with pytest.raises(RaterError, match="n.flac"):
        waveform(p, cache_dir=tmp_path / "c")
