"""Clear failure modes: no PortAudio, no output device. Neither needs the virtual device."""

import builtins

import pytest
from audio_helpers import noise16

from rater.audio import devices
from rater.audio.engine import Engine
from rater.audio.player import Player
from rater.audio.source import probe
from rater.core.errors import RaterError


def test_missing_portaudio_names_the_package(monkeypatch):
    real_import = builtins.__import__

    def fake_import(name, *a, **kw):
        if name == "sounddevice":
            raise OSError("PortAudio library not found")
        return real_import(name, *a, **kw)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    info = Engine(None).init_portaudio()
    assert info["ok"] is False
    assert "PortAudio library not found" in info["problem"]["what"]
    assert "libportaudio2" in info["problem"]["fix"]


def test_importing_the_player_does_not_initialise_portaudio():
    import subprocess
    import sys

    code = (
        "import sys, rater.audio.player, rater.audio.devices, rater.audio.waveform, "
        "rater.audio.reencode; print('sounddevice' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.fixture
def no_sound(monkeypatch, tmp_path):
    conf = tmp_path / "empty-asound.conf"
    conf.write_text("pcm.nothing { type hw card 99 }\n")  # a card that is not there
    monkeypatch.setenv("ALSA_CONFIG_PATH", str(conf))
    monkeypatch.setenv("JACK_DEFAULT_SERVER", "rater-no-such-server")
    monkeypatch.setenv("JACK_NO_START_SERVER", "1")


def test_no_output_device_explains_and_the_rest_works(no_sound, make_audio):
    path = make_audio("n.flac", noise16(1.0))
    assert devices.output_devices() == []
    assert "no sound output device" in devices.sound_problem().what
    p = Player()
    try:
        problem = p.available
        assert problem is not None and "no sound output device" in problem.what
        with pytest.raises(RaterError) as e:
            p.open(path)
        assert "no sound output device" in str(e.value) and "fix:" in str(e.value)
        assert probe(path).channels == 2  # everything but playback still works
    finally:
        p.close()


def test_a_crashing_sound_system_does_not_take_the_app_down(monkeypatch, tmp_path, make_audio):
    # PortAudio 19.6 aborts the process (assertion in BuildDeviceList) on an ALSA configuration
    # without any pcm: only the engine process dies, and the player says so.
    conf = tmp_path / "broken-asound.conf"
    conf.write_text("# nothing\n")
    monkeypatch.setenv("ALSA_CONFIG_PATH", str(conf))
    monkeypatch.setenv("JACK_DEFAULT_SERVER", "rater-no-such-server")
    with pytest.raises(RaterError, match="sound system"):
        devices.output_devices()
    p = Player()
    try:
        assert "sound system" in p.available.what
        with pytest.raises(RaterError, match="sound system"):
            p.open(make_audio("n.flac", noise16(0.5)))
    finally:
        p.close()
