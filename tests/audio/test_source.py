"""Streaming source and probe: instant open, exact seeks, short read at the end, clear errors."""

import threading
import time

import numpy as np
import pytest
import soundfile as sf
from audio_helpers import SR, noise16

from rater.audio.source import SourceError, StreamingSource, probe, to_stereo
from rater.core.errors import RaterError


@pytest.mark.parametrize(
    "fmt,ext", [("WAV", "wav"), ("FLAC", "flac"), ("OGG", "ogg"), ("MP3", "mp3")]
)
def test_probe_reports_format_and_length(make_audio, fmt, ext):
    p = make_audio(f"a.{ext}", noise16(2.0), format=fmt)
    info = probe(p)
    assert info.format == fmt
    assert info.sample_rate == SR and info.channels == 2
    assert info.exact is (fmt != "MP3")
    assert info.duration_s == pytest.approx(2.0, abs=0.1)


def test_probe_errors_say_what_where_and_how(tmp_path):
    with pytest.raises(RaterError) as e:
        probe(tmp_path / "missing.flac")
    assert "not found" in str(e.value) and "missing.flac" in str(e.value)
    (tmp_path / "empty.wav").write_bytes(b"")
    with pytest.raises(RaterError, match="empty"):
        probe(tmp_path / "empty.wav")
    (tmp_path / "text.mp3").write_text("this is not audio\n" * 100)
    with pytest.raises(RaterError) as e:
        probe(tmp_path / "text.mp3")
    assert "fix:" in str(e.value) and "text.mp3" in str(e.value)


def test_seek_is_sample_exact(make_audio):
    data = noise16(3.0)
    for ext, fmt in (("flac", "FLAC"), ("wav", "WAV")):
        p = make_audio(f"n.{ext}", data, format=fmt, subtype="PCM_16")
        with StreamingSource(p) as s:
            for frame in (0, 1, 4095, 12345, 44100 * 2 + 7, len(data) - 10):
                s.seek(frame)
                got = s.read(64).copy()
                np.testing.assert_array_equal(got, data[frame : frame + 64])


def test_end_of_file_is_a_short_read(make_audio):
    data = noise16(1.0)
    p = make_audio("n.flac", data)
    with StreamingSource(p) as s:
        total = 0
        buf = np.zeros((4096, 2), np.float32)
        while True:
            got = s.read(4096, out=buf)
            total += len(got)
            if len(got) < 4096:
                break
        assert total == len(data)
        s.check_complete()
        assert s.true_frames == len(data)


def test_damaged_file_reports_the_position(make_audio, tmp_path):
    p = make_audio("n.flac", noise16(20.0))
    raw = bytearray(p.read_bytes())
    raw[len(raw) // 2 : len(raw) // 2 + 20000] = bytes(20000)
    bad = tmp_path / "bad.flac"
    bad.write_bytes(bytes(raw))
    with StreamingSource(bad) as s, pytest.raises(SourceError) as e:
        while len(s.read(8192)) == 8192:
            pass
        s.check_complete()
    assert 3.0 < e.value.position_s < 15.0
    assert "bad.flac" in str(e.value)


def test_truncated_ogg_is_reported_not_silently_short(make_audio, tmp_path):
    p = make_audio("n.ogg", noise16(10.0), format="OGG")
    raw = bytearray(p.read_bytes())
    raw[len(raw) // 2 : len(raw) // 2 + 4000] = b"\xff" * 4000
    bad = tmp_path / "bad.ogg"
    bad.write_bytes(bytes(raw))
    with StreamingSource(bad) as s, pytest.raises(SourceError):
        while len(s.read(8192)) == 8192:
            pass
        s.check_complete()


def test_opening_a_long_file_is_instant(make_audio):
    # 10 minutes of stereo WAV: opening reads only the header
    p = make_audio("long.wav", np.zeros((SR * 600, 2), np.float32), subtype="PCM_16")
    t = time.perf_counter()
    with StreamingSource(p) as s:
        s.seek(SR * 300)
        s.read(2048)
    assert time.perf_counter() - t < 0.1


def test_a_source_belongs_to_its_thread(make_audio):
    p = make_audio("n.wav", noise16(0.5))
    s = StreamingSource(p)
    errors = []
    t = threading.Thread(target=lambda: errors.append(pytest.raises(RuntimeError, s.read, 10)))
    t.start()
    t.join()
    assert errors
    s.close()


def test_to_stereo():
    mono = np.arange(6, dtype=np.float32).reshape(-1, 1)
    np.testing.assert_array_equal(to_stereo(mono), np.repeat(mono, 2, axis=1))
    quad = np.ones((3, 4), np.float32) * np.array([1, 2, 3, 4], np.float32)
    np.testing.assert_array_equal(to_stereo(quad), np.tile([2.0, 3.0], (3, 1)))


def test_mp3_duration_is_marked_approximate(make_audio):
    p = make_audio("n.mp3", noise16(2.0), format="MP3")
    assert probe(p).exact is False
    assert sf.info(str(p)).frames > 0
