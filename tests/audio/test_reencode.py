"""Re-encoder: uniform tagless FLAC, loudness, redaction, atomic, originals untouched."""

import hashlib

import numpy as np
import pytest
import soundfile as sf
from audio_helpers import SR, noise16, tone

from rater.audio.reencode import LoudnessMeter, reencode
from rater.core.errors import RaterError


def flac_block_types(path):
    with open(path, "rb") as f:
        b = f.read()
    assert b[:4] == b"fLaC"
    i, kinds = 4, []
    while True:
        kinds.append(b[i] & 0x7F)
        last = b[i] & 0x80
        i += 4 + int.from_bytes(b[i + 1 : i + 4], "big")
        if last:
            return kinds


def test_loudness_meter_matches_bs1770_reference_values():
    t = np.arange(48000 * 5) / 48000
    x = np.sin(2 * np.pi * 997 * t)
    m = LoudnessMeter(48000, 1)
    m.add(x[:, None])
    assert m.integrated() == pytest.approx(-3.01, abs=0.01)  # 0 dBFS sine, one channel
    m = LoudnessMeter(48000, 2)
    for i in range(0, len(x), 10000):  # streaming in odd blocks gives the same answer
        m.add(np.stack([x[i : i + 10000], x[i : i + 10000]], 1) * 0.5)
    assert m.integrated() == pytest.approx(-6.02, abs=0.01)


def test_uniform_tagless_copy(make_audio, tmp_path):
    src = make_audio("in.ogg", tone(3.0, amp=0.3, sr=48000), sr=48000, format="OGG")
    before = hashlib.sha256(src.read_bytes()).hexdigest()
    dst = tmp_path / "out.flac"
    res = reencode(src, dst, sample_rate=44100, channels=1)
    info = sf.info(str(dst))
    assert (info.format, info.samplerate, info.channels) == ("FLAC", 44100, 1)
    assert abs(info.duration - 3.0) < 0.01 and res.frames == info.frames
    assert flac_block_types(dst) == [0] or set(flac_block_types(dst)) <= {0, 3}
    assert b"libFLAC" not in dst.read_bytes()[:4096]
    assert hashlib.sha256(src.read_bytes()).hexdigest() == before
    assert not [p for p in tmp_path.iterdir() if ".part" in p.name or p.suffix == ".strip"]


def test_tags_in_the_source_do_not_survive(make_audio, tmp_path):
    src = tmp_path / "tagged.flac"
    with sf.SoundFile(src, "w", SR, 2, format="FLAC") as f:
        f.title = "LA1 worker Smith"
        f.artist = "Northshire council"
        f.write(noise16(1.0))
    dst = tmp_path / "out.flac"
    reencode(src, dst, sample_rate=SR, channels=2)
    raw = dst.read_bytes()
    assert b"Smith" not in raw and b"Northshire" not in raw
    assert 4 not in flac_block_types(dst)  # no VORBIS_COMMENT block at all


def test_loudness_normalisation_and_redaction(make_audio, tmp_path):
    x = noise16(6.0) * 0.3
    src = make_audio("in.wav", x, subtype="PCM_16")
    dst = tmp_path / "out.flac"
    res = reencode(
        src,
        dst,
        sample_rate=SR,
        channels=2,
        normalise_lufs=-23.0,
        redactions=[(1.0, 2.0, "silence"), (3.0, 3.5, "tone")],
    )
    y, sr = sf.read(dst, dtype="float32")
    assert np.all(y[SR * 1 : SR * 2] == 0.0)
    assert np.abs(y[SR * 1 - 500 : SR * 1 - 300]).max() > 0  # outside: audio (after a 5 ms fade)
    tone_part = y[int(SR * 3.1) : int(SR * 3.4), 0]
    spec = np.abs(np.fft.rfft(tone_part))
    assert abs(np.argmax(spec) * SR / len(tone_part) - 1000) < 5
    m = LoudnessMeter(SR, 2)
    z = y.copy()
    z[SR * 3 : int(SR * 3.5)] = 0
    m.add(z)
    assert m.integrated() == pytest.approx(-23.0, abs=0.2)
    assert res.gain_db != 0 and res.input_lufs is not None


def test_resampling_keeps_timing(make_audio, tmp_path):
    x = np.zeros((48000 * 3, 2), np.float32)
    x[48000 * 2] = 0.9  # a click at exactly 2 s
    src = make_audio("in.wav", x, sr=48000, subtype="FLOAT")
    dst = tmp_path / "out.flac"
    reencode(src, dst, sample_rate=44100, channels=2)
    y, _ = sf.read(dst)
    assert abs(np.argmax(np.abs(y[:, 0])) - 88200) <= 2


def test_bad_requests_change_nothing(make_audio, tmp_path):
    src = make_audio("in.wav", noise16(1.0))
    dst = tmp_path / "out.flac"
    with pytest.raises(RaterError, match="redaction 1"):
        reencode(src, dst, sample_rate=SR, channels=2, redactions=[(5.0, 6.0, "silence")])
    with pytest.raises(RaterError, match="unknown kind"):
        reencode(src, dst, sample_rate=SR, channels=2, redactions=[(0.1, 0.2, "beep")])
    with pytest.raises(RaterError, match="channels"):
        reencode(src, dst, sample_rate=SR, channels=6)
    with pytest.raises(RaterError, match="silent"):
        reencode(
            make_audio("z.wav", np.zeros((SR, 2), np.float32)),
            dst,
            sample_rate=SR,
            channels=2,
            normalise_lufs=-23,
        )
    assert not dst.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
