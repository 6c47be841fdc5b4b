"""Opus in rater packs (issue 18, item 3): a pack of a fifth of the size that plays, seeks and
comes back like a FLAC one; every item encoded the same way; re-tests still byte-distinct."""

from __future__ import annotations

import hashlib
import sqlite3
import time
import zipfile

import numpy as np
import pytest
import soundfile as sf
from audio_helpers import dominant_freq, read_capture

from rater.audio.copies import pack_copy
from rater.audio.opus import write_opus
from rater.audio.player import Player
from rater.core.errors import RaterError
from rater.core.pack_audio import PackAudioSpec
from rater.services import rating
from rater.services.allocating import allocate_study
from rater.services.blinding import blind_study
from rater.services.importing import import_recordings
from rater.services.packs import export_pack, import_packs, return_pack, unpack_for_rating
from rater.services.study import init_study, study_info
from rater.storage.pack_check import check_rater_database

OPUS = PackAudioSpec("opus", 32)
RATE = 24000
FREQS = (300.0, 500.0, 700.0, 900.0)  # each recording has its own tone, so a seek is audible


def _interview(seconds: float, freq: float, rate: int = RATE) -> np.ndarray:
    """A tone that steps up by 50 Hz every 5 s (where playback is can be heard) over a room's
    noise (which FLAC, like any lossless codec, must keep)."""
    t = np.arange(int(seconds * rate)) / rate
    step = freq + 50 * (t // 5)
    noise = np.random.default_rng(int(freq)).normal(0, 0.01, t.size)
    return (0.3 * np.sin(2 * np.pi * np.cumsum(step) / rate) + noise).astype(np.float32)


@pytest.fixture
def opus_study(tmp_path):
    folder = tmp_path / "originals"
    folder.mkdir()
    lines = ["file,la"]
    for i, freq in enumerate(FREQS):
        sf.write(folder / f"r{i}.wav", _interview(30.0, freq), RATE)
        lines.append(f"r{i}.wav,LA{i % 2 + 1}")
    (folder / "m.csv").write_text("\n".join(lines) + "\n")
    study = str(tmp_path / "study.rater")
    init_study(study)
    import_recordings(study, folder, folder / "m.csv")
    blind_study(study, workers=2)
    allocate_study(study, ["R1"], double=0.0, retest=0.5, seed=4)
    return study


def test_the_bit_rate_asked_for_is_the_bit_rate_written(tmp_path):
    noise = np.random.default_rng(1).normal(0, 0.2, (RATE * 20, 1)).astype(np.float32)
    for kbps in (24, 32, 64):
        write_opus([noise], tmp_path / "x.opus", RATE, 1, kbps)
        measured = (tmp_path / "x.opus").stat().st_size * 8 / 20 / 1000
        assert kbps * 0.8 < measured < kbps * 1.15, (kbps, measured)
        assert sf.info(tmp_path / "x.opus").frames == len(noise), "libsndfile reads it exactly"


def test_an_opus_copy_keeps_every_frame_and_only_the_encoders_name(tmp_path):
    sf.write(tmp_path / "in.flac", _interview(10.0, 400.0, 44100), 44100, subtype="PCM_16")
    pack_copy(tmp_path / "in.flac", tmp_path / "out.opus", 1000, 2000, OPUS)
    with sf.SoundFile(tmp_path / "out.opus") as out:
        assert (out.format, out.subtype, out.samplerate) == ("OGG", "OPUS", 48000)
        assert out.frames == round((10.0 * 44100 + 3000) * 48000 / 44100)
        assert out.copy_metadata() == {}
    head = (tmp_path / "out.opus").read_bytes()[:200]
    assert b"ffmpeg" in head and b"Lavf" not in head and b"encoder" not in head


def test_an_opus_pack_round_trip_plays_seeks_and_imports_back(opus_study, tmp_path, jack):
    flac_pack, opus_pack = tmp_path / "R1-flac.raterpack", tmp_path / "R1.raterpack"
    export_pack(opus_study, "R1", flac_pack)
    result = export_pack(opus_study, "R1", opus_pack, OPUS)
    assert result["audio"] == "opus:32" and result["items"] == 6
    assert opus_pack.stat().st_size < flac_pack.stat().st_size / 3

    with zipfile.ZipFile(opus_pack) as archive:
        audio = [i for i in archive.infolist() if i.filename.startswith("audio/")]
    assert len(audio) == 6 and all(i.filename.endswith(".opus") for i in audio)
    assert all(i.compress_type == zipfile.ZIP_STORED for i in audio)
    assert sum(i.file_size for i in audio) * 8 / (6 * 30) < 36_000, "about 32 kbit/s"

    folder = unpack_for_rating(opus_pack, tmp_path / "workspace")
    files = sorted((folder / "audio").iterdir())
    formats = {(sf.info(f).format, sf.info(f).subtype, sf.info(f).samplerate, sf.info(f).channels)
               for f in files}
    assert formats == {("OGG", "OPUS", RATE, 1)}, "every item encoded the same way"
    digests = [hashlib.sha256(f.read_bytes()).hexdigest() for f in files]
    assert len(set(digests)) == 6, "a re-test is not byte-identical to its first presentation"
    frames = [sf.info(f).frames for f in files]
    assert len(set(frames)) == 6, "nor of the same length"
    with sqlite3.connect(folder / "study.rater") as db:
        rows = db.execute("SELECT blind_path, format, subtype FROM recording").fetchall()
    assert {(fmt, sub) for _path, fmt, sub in rows} == {("OGG", "OPUS")}
    members = sorted(f"audio/{f.name}" for f in files)
    check_rater_database(folder / "study.rater", "R1.raterpack", set(members))
    mixed = {members[0].replace(".opus", ".flac"), *members[1:]}
    with pytest.raises(RaterError, match="not all in one format"):
        check_rater_database(folder / "study.rater", "R1.raterpack", mixed)

    entry = rating.rater_queue(str(folder / "study.rater"))[0]
    _play_and_seek(folder / "audio" / f"{entry.code}.opus")

    for dimension in ("warmth", "empathy", "strengths", "clarity"):
        rating.set_score(str(folder / "study.rater"), entry.code, dimension, 4)
    rating.submit_rating(str(folder / "study.rater"), entry.code)
    return_pack(folder, tmp_path / "R1-return.raterpack")
    [imported] = import_packs(opus_study, [tmp_path / "R1-return.raterpack"])
    assert imported["status"] == "imported" and imported["ratings"] == 4
    assert study_info(opus_study)["ratings"]["submitted"] == 4


def _play_and_seek(path) -> None:
    """Seeks in the Opus copy are exact and quick, and what is heard after a seek is the audio
    of that place. (The latency itself, beside FLAC's, is measured by
    `./run bench -k "audio_bench and seek"`; the bound here only catches a seek that decodes
    from the start.)"""
    player = Player()
    try:
        player.open(path)
        player.play()
        time.sleep(0.3)
        for second in (22.0, 7.0, 17.0):
            player.seek(second)
            assert player.position() == second
            time.sleep(0.25)
            assert second < player.position() < second + 0.35
        player.pause()
        latencies = player.stats()["seek_latencies"]
    finally:
        player.close()
    assert len(latencies) == 3 and max(latencies) < 0.15
    heard = read_capture()[:, 0]
    end = np.flatnonzero(np.abs(heard) > 0.01)[-1] - 1024  # before the pause's ramp down
    last = heard[end - 4410:end]  # the last 0.1 s heard at full level
    step = int(17.0 // 5) * 50  # the tone at 17 s is 150 Hz above the recording's own
    assert any(abs(dominant_freq(last) - (freq + step)) < 15 for freq in FREQS)
