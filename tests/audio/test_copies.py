"""Pack copies of blinded audio (issue 13, item 8): every item gets a little room tone at each
end, so a re-test no longer has its first presentation's frame count, and the audio between
is sample-exact."""

from __future__ import annotations

import numpy as np
import soundfile as sf

from rater.audio.copies import PAD_MS, draw_padding, pack_copy

RATE = 24000


def _interview(path, seconds: float = 4.0):
    """Speech-loud tone with a quiet pause (low noise, the room) in the middle."""
    rng = np.random.default_rng(5)
    n = int(seconds * RATE)
    t = np.arange(n) / RATE
    audio = 0.3 * np.sin(2 * np.pi * 200 * t)
    pause = slice(int(1.5 * RATE), int(2.0 * RATE))
    audio[pause] = rng.normal(0, 0.001, pause.stop - pause.start)
    sf.write(path, audio, RATE, subtype="PCM_16", format="FLAC")
    return sf.read(path, dtype="int16")[0], pause


def test_the_copy_is_padded_by_the_drawn_frames_and_exact_between(tmp_path):
    source, _pause = _interview(tmp_path / "in.flac")
    pack_copy(tmp_path / "in.flac", tmp_path / "out.flac", 700, 1300)
    out, rate = sf.read(tmp_path / "out.flac", dtype="int16")
    assert rate == RATE and len(out) == len(source) + 2000
    assert np.array_equal(out[700:700 + len(source)], source)
    with sf.SoundFile(tmp_path / "out.flac") as f:
        assert f.frames == len(source) + 2000 and f.copy_metadata() == {}


def test_the_padding_is_room_tone_not_silence_and_not_the_loud_part(tmp_path):
    source, pause = _interview(tmp_path / "in.flac")
    pack_copy(tmp_path / "in.flac", tmp_path / "out.flac", 1000, 1500)
    out = sf.read(tmp_path / "out.flac", dtype="float64")[0]
    room = np.sqrt(np.mean(np.square(source[pause] / 32768)))
    for pad in (out[:1000], out[-1500:]):
        level = np.sqrt(np.mean(np.square(pad)))
        assert np.count_nonzero(pad) > len(pad) // 2, "digital silence would be a cue"
        assert room / 2 < level < room * 2, (level, room)


def test_drawn_padding_is_in_range_and_copies_of_one_recording_differ():
    low, high = (RATE * ms // 1000 for ms in PAD_MS)
    taken: list[int] = []
    for _ in range(8):
        start, end = draw_padding(RATE, taken)
        assert low <= start <= high and low <= end <= high
    assert len(taken) == 8
    assert min(abs(a - b) for i, a in enumerate(taken) for b in taken[i + 1:]) >= RATE // 200
