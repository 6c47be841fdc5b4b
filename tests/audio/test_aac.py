"""M4A/AAC recordings, as phones write them (issue 18, item 5): made here with PyAV's own
encoder; probed with their exact length, sample-exact seeks, imported, blinded and played;
a recording cut short is refused with a clear error and nothing imported."""

from __future__ import annotations

import time

import av
import numpy as np
import pytest
import soundfile as sf
from audio_helpers import dominant_freq, read_capture

from rater.audio.player import Player
from rater.audio.source import StreamingSource, probe_exact
from rater.core.errors import RaterError
from rater.services.blinding import blind_study
from rater.services.importing import import_recordings
from rater.services.session import open_store
from rater.services.study import init_study, study_info


def write_m4a(path, seconds: float, rate: int = 44100, channels: int = 2,
              freq: float = 440.0) -> np.ndarray:
    """An AAC-LC recording in an MP4 container, as a phone writes it; returns what went in:
    a tone that rises by 100 Hz every 2 s (where playback is can be heard)."""
    t = np.arange(int(seconds * rate)) / rate
    mono = 0.3 * np.sin(2 * np.pi * np.cumsum(freq + 100 * (t // 2)) / rate)
    audio = np.repeat(mono[:, None], channels, axis=1).astype(np.float32)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("aac", rate=rate,
                                      layout="stereo" if channels == 2 else "mono")
        for start in range(0, len(audio), 1024):
            block = audio[start:start + 1024]
            frame = av.AudioFrame.from_ndarray(block.reshape(1, -1), format="flt",
                                               layout=stream.layout.name)
            frame.sample_rate, frame.pts = rate, start
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return audio


def test_an_m4a_is_probed_with_its_exact_length_and_seeks_sample_exact(tmp_path):
    audio = write_m4a(tmp_path / "phone.m4a", 12.0)
    info = probe_exact(tmp_path / "phone.m4a")
    assert (info.format, info.subtype, info.sample_rate, info.channels) == ("M4A", "AAC", 44100, 2)
    assert info.frames == len(audio) and info.exact, "priming and padding are not counted"
    with StreamingSource(tmp_path / "phone.m4a") as source:
        whole = source.read(len(audio) + 10_000).copy()
        assert len(whole) == len(audio)
        source.check_complete()
        for frame in (0, 1, 4000, 8191, 8192, 100_000, 300_001, len(audio) - 50):
            assert source.seek(frame) == frame
            block = source.read(2048)
            np.testing.assert_allclose(block, whole[frame:frame + len(block)], atol=1e-5)
    alignment = np.corrcoef(whole[:, 0], audio[:, 0])[0, 1]
    assert alignment > 0.99, "the decoded audio lines up with what was recorded, sample for sample"
    assert abs(dominant_freq(whole[int(7.2 * 44100):int(7.7 * 44100), 0]) - 740) < 5


def test_an_m4a_imports_and_blinds_like_any_recording(tmp_path):
    folder = tmp_path / "phone"
    folder.mkdir()
    write_m4a(folder / "visit-1.m4a", 6.0, rate=48000, channels=1)
    write_m4a(folder / "visit-2.m4a", 8.0, freq=300)
    (folder / "m.csv").write_text("file,la\nvisit-1.m4a,North\nvisit-2.m4a,South\n")
    study = str(tmp_path / "s.rater")
    init_study(study)
    report = import_recordings(study, folder, folder / "m.csv")
    assert len(report.added) == 2
    blind_study(study, workers=1)
    with open_store(study) as store:
        recordings = sorted(store.recordings(None), key=lambda r: r.original_name)
    assert [(r.format, r.subtype, round(r.duration_s, 3)) for r in recordings] == \
        [("M4A", "AAC", 6.0), ("M4A", "AAC", 8.0)]
    for recording in recordings:
        copy = sf.info(recording.blind_path)
        assert (copy.format, copy.samplerate, copy.channels) == ("FLAC", 24000, 1)
        assert abs(copy.duration - recording.duration_s) < 0.2  # room tone at both ends


def test_a_phone_recording_cut_short_is_refused_and_nothing_is_imported(tmp_path):
    folder = tmp_path / "phone"
    folder.mkdir()
    write_m4a(folder / "whole.m4a", 5.0)
    data = (folder / "whole.m4a").read_bytes()
    (folder / "cut.m4a").write_bytes(data[:len(data) // 2])  # stopped before the index
    (folder / "noise.m4a").write_bytes(b"\x00\x01" * 4000)
    (folder / "m.csv").write_text("file,la\nwhole.m4a,A\ncut.m4a,B\nnoise.m4a,B\n")
    study = str(tmp_path / "s.rater")
    init_study(study)
    with pytest.raises(RaterError) as refused:
        import_recordings(study, folder, folder / "m.csv")
    problems = {p.where.split(":")[0].rsplit("/", 1)[-1]: p for p in refused.value.problems}
    text = " ".join(str(p) for p in refused.value.problems)
    assert "cut short" in text and "m.csv:3" in text and "m.csv:4" in text, text
    assert all(p.fix for p in refused.value.problems)
    assert study_info(study)["recordings"] == 0
    assert problems, "each problem names its file"


def test_an_m4a_plays_and_seeks(tmp_path, jack):
    write_m4a(tmp_path / "phone.m4a", 12.0)
    player = Player()
    try:
        player.open(tmp_path / "phone.m4a")
        player.play()
        time.sleep(0.3)
        for second in (9.0, 3.0, 7.0):
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
    assert abs(dominant_freq(heard[end - 4410:end]) - 740) < 15  # 7 s: 440 + 3 x 100 Hz
