"""Real playback through PortAudio into the JACK dummy device, checked by what came out.

Each test opens its own Player (its own engine process); the ALSA tee captures every sample the
stream played, and the capture is read after ``player.close()``.
"""

import threading
import time

import numpy as np
import pytest
from audio_helpers import SR, dominant_freq, first_nonzero, noise16, read_capture, tone

from rater.audio.player import Player, PlayerError
from rater.audio.reencode import reencode
from rater.core.errors import RaterError

BS = 512  # the player's block size: a resume ramps the gain up over the first block


def wait_for(pred, timeout=5.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.01)
    return False


@pytest.fixture
def player(jack):
    p = Player()
    yield p
    p.close()


def test_samples_equal_the_file_after_a_seek(player, make_audio):
    data = noise16(6.0)
    path = make_audio("noise.flac", data, subtype="PCM_16")
    player.open(path)
    player.seek(2.5)
    player.play()
    time.sleep(1.2)
    player.pause()
    time.sleep(0.2)
    player.close()
    cap = read_capture()
    j = first_nonzero(cap) - 1  # the ramp-up block starts with gain 0
    start = int(2.5 * SR)
    n = SR // 2
    np.testing.assert_array_equal(cap[j + BS : j + BS + n], data[start + BS : start + BS + n])
    # and the ramp block itself is the file times a 0..1 ramp
    ramp = np.linspace(0, 1, BS, dtype=np.float32)[:, None]
    np.testing.assert_allclose(cap[j : j + BS], data[start : start + BS] * ramp, atol=1e-6)


def test_playback_is_paced_in_real_time_and_position_follows(player, make_audio):
    player.open(make_audio("t.flac", tone(10.0)))
    player.play()
    t0 = time.monotonic()
    p0 = player.position()
    time.sleep(3.0)
    advanced = player.position() - p0
    wall = time.monotonic() - t0
    assert advanced == pytest.approx(wall, abs=0.08)
    player.pause()
    time.sleep(0.2)
    player.close()
    heard = np.count_nonzero(np.abs(read_capture()[:, 0]) > 0) / SR
    assert 2.8 < heard < 3.4


def test_one_and_a_half_speed_keeps_pitch_and_takes_two_thirds_the_time(player, make_audio):
    ended = threading.Event()
    player.on_end = lambda d: ended.set()
    player.open(make_audio("t3.flac", tone(3.0, 440.0)))
    player.set_speed(1.5)
    t0 = time.monotonic()
    player.play()
    assert ended.wait(6)
    wall = time.monotonic() - t0
    assert wall == pytest.approx(2.0, abs=0.15)
    time.sleep(0.1)
    player.close()
    cap = read_capture()[:, 0]
    nz = np.flatnonzero(np.abs(cap) > 1e-4)
    played = cap[nz[0] : nz[-1]]
    assert len(played) / SR == pytest.approx(2.0, abs=0.06)
    assert dominant_freq(played[SR // 4 : SR // 4 + SR]) == pytest.approx(440.0, abs=2.0)


def test_half_speed_position_is_exact(player, make_audio):
    player.open(make_audio("t.flac", tone(10.0)))
    player.set_speed(0.5)
    player.play()
    time.sleep(0.3)
    p0, t0 = player.position(), time.monotonic()
    time.sleep(2.0)
    assert player.position() - p0 == pytest.approx((time.monotonic() - t0) * 0.5, abs=0.05)


def test_pause_stops_output_and_position(player, make_audio):
    player.open(make_audio("t.flac", tone(10.0)))
    player.play()
    time.sleep(1.0)
    player.pause()
    time.sleep(0.1)
    p_paused = player.position()
    time.sleep(1.0)
    assert player.position() == pytest.approx(p_paused, abs=1e-6)
    player.close()
    cap = read_capture()
    last_sound = np.flatnonzero(np.abs(cap[:, 0]) > 0)[-1]
    # after the pause nothing but zeros came out, for the whole second
    assert len(cap) - last_sound > 0.9 * SR
    assert np.count_nonzero(cap[:, 0]) / SR == pytest.approx(1.0, abs=0.1)


def test_redacted_ranges_are_silent_when_played(player, make_audio, tmp_path):
    src = make_audio("in.wav", noise16(4.0) * 0.5, subtype="PCM_16")
    red = tmp_path / "red.flac"
    reencode(src, red, sample_rate=SR, channels=2, redactions=[(1.0, 2.0, "silence")])
    player.open(red)
    player.play()
    done = threading.Event()
    player.on_end = lambda d: done.set()
    assert done.wait(7)
    player.close()
    cap = read_capture()
    j = first_nonzero(cap) - 1
    played = cap[j : j + 4 * SR]
    assert np.all(played[SR + 10 : 2 * SR - 10] == 0.0)
    assert np.count_nonzero(played[int(0.2 * SR) : int(0.9 * SR), 0]) > 0.99 * 0.7 * SR
    assert np.count_nonzero(played[int(2.1 * SR) : int(3.9 * SR), 0]) > 0.99 * 1.8 * SR


def test_volume_is_ramped_without_clicks(player, make_audio):
    player.open(make_audio("t.flac", tone(5.0, 440.0, amp=0.8)))
    player.play()
    time.sleep(0.5)
    player.set_volume(0.25)
    time.sleep(0.5)
    player.close()
    cap = read_capture()[:, 0]
    steps = np.abs(np.diff(cap))
    max_step_tone = 2 * np.pi * 440 / SR * 0.8  # largest sample-to-sample change of the tone
    assert steps.max() <= max_step_tone * 1.05
    assert np.abs(cap[-SR // 4 :]).max() == pytest.approx(0.2, abs=0.01)


def test_end_event_and_play_again_restarts(player, make_audio):
    ends = []
    player.on_end = ends.append
    player.open(make_audio("t.flac", tone(1.0)))
    player.play()
    assert wait_for(lambda: ends, 3)
    assert ends[0] == pytest.approx(1.0, abs=0.001)
    assert player.position() == pytest.approx(1.0, abs=0.001)
    assert not player.playing
    player.play()
    time.sleep(0.4)
    assert 0.1 < player.position() < 0.5


def test_listening_record_reports_what_was_heard(player, make_audio):
    player.open(make_audio("t.flac", tone(20.0)))
    player.play()
    time.sleep(1.0)
    player.seek(10.0)
    time.sleep(1.0)
    player.pause()
    time.sleep(0.2)
    heard = player.listening.heard()
    assert len(heard) == 2
    assert heard[0][0] == 0.0 and heard[0][1] == pytest.approx(1.0, abs=0.1)
    assert heard[1][0] == 10.0 and heard[1][1] == pytest.approx(11.0, abs=0.1)
    assert player.listening.heard_fraction(player.duration) == pytest.approx(0.1, abs=0.01)


def test_seek_is_heard_quickly(player, make_audio):
    player.open(make_audio("t.flac", tone(30.0)))
    player.play()
    time.sleep(0.3)
    for s in (5.0, 20.0, 1.0, 12.5, 25.0):
        player.seek(s)
        assert player.position() == s
        time.sleep(0.2)
        assert s < player.position() < s + 0.3
    lat = player.stats()["seek_latencies"]
    assert len(lat) == 5 and max(lat) < 0.08


def test_a_seek_cross_fades_with_no_click_and_no_gap(player, make_audio):
    """Seeks while playing a tone land on other phases of it: cut abruptly, the wave would jump
    (a click); the old audio fades out while the new fades in, over one block."""
    amp = 0.8
    player.open(make_audio("t.flac", tone(30.0, 440.0, amp=amp)))
    player.play()
    time.sleep(0.4)
    for target in (12.0005, 3.0011, 25.0017, 7.0009, 18.0013):
        player.seek(target)
        time.sleep(0.3)
    player.pause()
    time.sleep(0.2)
    player.close()
    cap = read_capture()
    heard = cap[first_nonzero(cap):, 0]
    heard = heard[: np.flatnonzero(heard)[-1]]
    steps = np.abs(np.diff(heard))
    slope = 2 * np.pi * 440 / SR * amp  # the tone's largest change from one sample to the next
    fade = 2 * amp / BS  # what a cross-fade of two tones over one block can add to it
    assert steps.max() <= (slope + fade) * 1.02
    silent = np.abs(heard) < 1e-4
    assert not np.convolve(silent, np.ones(64), "valid").max() >= 64, "a silent gap"


def test_corrupt_audio_mid_stream_gives_an_error_with_position(player, make_audio, tmp_path):
    p = make_audio("n.flac", noise16(6.0) * 0.3)
    raw = bytearray(p.read_bytes())
    raw[len(raw) // 2 : len(raw) // 2 + 20000] = bytes(20000)
    bad = tmp_path / "bad.flac"
    bad.write_bytes(bytes(raw))
    errors = []
    player.on_error = errors.append
    player.open(bad)
    player.seek(2.0)
    player.play()
    assert wait_for(lambda: errors, 5), "no error event"
    err = errors[0]
    assert isinstance(err, PlayerError) and 2.0 < err.position_s < 4.5
    assert "bad.flac" in str(err)
    assert not player.playing


def test_bad_files_and_bad_calls_raise_clear_errors(player, tmp_path, make_audio):
    (tmp_path / "x.wav").write_text("not audio")
    with pytest.raises(RaterError, match="x.wav"):
        player.open(tmp_path / "x.wav")
    with pytest.raises(RaterError, match="no recording"):
        player.play()
    player.open(make_audio("t.flac", tone(1.0)))
    with pytest.raises(RaterError, match="speed"):
        player.set_speed(3.0)


def test_output_devices_and_switching(player, make_audio):
    devs = player.output_devices()
    assert any(d.is_default for d in devs)
    player.open(make_audio("t.flac", tone(5.0)))
    player.play()
    time.sleep(0.3)
    player.set_device("default")
    time.sleep(0.5)
    assert 0.6 < player.position() < 1.1
    assert player.refresh_devices()
    with pytest.raises(RaterError, match="not found"):
        player.set_device("no such device")


def test_engine_crash_becomes_an_error_event(player, make_audio):
    import os
    import signal

    errors = []
    player.on_error = errors.append
    player.open(make_audio("t.flac", tone(5.0)))
    player.play()
    os.kill(player.stats()["engine_pid"], signal.SIGKILL)
    assert wait_for(lambda: errors, 5)
    assert "stopped unexpectedly" in str(errors[0])
    player.open(make_audio("t2.flac", tone(1.0)))  # a new engine starts
    player.play()
    time.sleep(0.3)
    assert player.position() > 0.1


def test_at_the_end_the_playhead_stands_on_the_last_sample(player, make_audio):
    """The end is reported while the last block is still on its way to the device; from then
    on the playhead must show the end, not a point a few milliseconds short of it (a seek
    slider left at 0.999 s and a 'heard to the end' check that failed now and then)."""
    at_end = []
    ended = threading.Event()

    def on_end(duration):
        at_end.append((duration, player.position()))
        ended.set()

    player.on_end = on_end
    player.open(make_audio("short.flac", tone(0.5)))
    player.play()
    assert ended.wait(4)
    duration, position = at_end[0]
    assert position == duration == pytest.approx(0.5)
    assert player.position() == duration
