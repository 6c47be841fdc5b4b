"""Qt adapter: events from the audio side arrive on the GUI thread; position is polled."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "audio"))
from audio_helpers import noise16, require_jack, setup_virtual_device, tone  # noqa: E402

setup_virtual_device()  # before anything imports sounddevice (the engine process inherits it)

import pytest  # noqa: E402
import soundfile as sf  # noqa: E402
from PySide6.QtCore import QThread  # noqa: E402

from rater.audio.player import PlayerError  # noqa: E402
from rater.ui.player_adapter import PlayerAdapter  # noqa: E402


@pytest.fixture
def adapter(qapp):
    require_jack()
    a = PlayerAdapter()
    yield a
    a.close()


def test_signals_arrive_on_the_gui_thread(adapter, qtbot, tmp_path):
    path = tmp_path / "t.flac"
    sf.write(path, tone(1.0), 44100)
    positions, threads = [], []

    def on_pos(p):
        positions.append(p)
        threads.append(QThread.currentThread())

    adapter.positionChanged.connect(on_pos)
    ended_in = []
    adapter.ended.connect(lambda d: ended_in.append((d, QThread.currentThread())))
    assert adapter.open(str(path))
    with qtbot.waitSignal(adapter.ended, timeout=4000):
        adapter.play()
    gui = qtbot_app_thread()
    assert ended_in and ended_in[0][0] == pytest.approx(1.0) and ended_in[0][1] is gui
    assert all(t is gui for t in threads)
    assert positions == sorted(positions) and positions[-1] == pytest.approx(1.0, abs=0.001)
    assert len(positions) > 15  # ~30 Hz polling while playing


def qtbot_app_thread():
    from PySide6.QtWidgets import QApplication

    return QApplication.instance().thread()


def test_errors_become_signals_not_exceptions(adapter, qtbot, tmp_path):
    bad = tmp_path / "x.wav"
    bad.write_text("not audio")
    with qtbot.waitSignal(adapter.errorOccurred, timeout=2000) as sig:
        assert adapter.open(str(bad)) is False
    assert "x.wav" in str(sig.args[0])

    good = tmp_path / "n.flac"
    sf.write(good, noise16(6.0) * 0.3, 44100)
    raw = bytearray(good.read_bytes())
    raw[len(raw) // 2 : len(raw) // 2 + 20000] = bytes(20000)
    good.write_bytes(bytes(raw))
    got = []
    adapter.errorOccurred.connect(lambda e: got.append((e, QThread.currentThread())))
    assert adapter.open(str(good))
    adapter.seek(2.0)
    with qtbot.waitSignal(adapter.errorOccurred, timeout=5000):
        adapter.play()
    err, thread = got[-1]
    assert isinstance(err, PlayerError) and err.position_s > 2.0
    assert thread is qtbot_app_thread()


def test_open_async_keeps_the_gui_thread_free_and_reports_only_the_latest(adapter, qtbot,
                                                                          tmp_path):
    import time

    paths = []
    for i, seconds in enumerate((2.0, 3.0, 4.0)):
        paths.append(tmp_path / f"r{i}.flac")
        sf.write(paths[-1], tone(seconds), 44100)
    opened, errors = [], []
    adapter.opened.connect(lambda info: opened.append((info, QThread.currentThread())))
    adapter.errorOccurred.connect(errors.append)

    # the engine is still starting (a fresh adapter): asking does not wait for it
    began = time.perf_counter()
    first = adapter.open_async(str(paths[0]), 1.5)
    assert time.perf_counter() - began < 0.05
    with qtbot.waitSignal(adapter.opened, timeout=15000):
        pass
    [(info, thread)] = opened
    assert thread is qtbot_app_thread() and Path(info.path).name == "r0.flac"
    assert adapter.opened_request == first and adapter.position() == pytest.approx(1.5)
    assert adapter.duration == pytest.approx(2.0) and not errors

    # a quick rater: three asked in a row, only the last one is reported (and is open)
    opened.clear()
    adapter.open_async(str(paths[1]))
    adapter.open_async(str(tmp_path / "missing.flac"))
    last = adapter.open_async(str(paths[2]), 3.0)
    assert adapter.wait_opened()
    qtbot.waitUntil(lambda: adapter.opened_request == last, timeout=5000)
    qtbot.wait(50)
    assert [Path(i.path).name for i, _t in opened] == ["r2.flac"] and not errors
    assert adapter.duration == pytest.approx(4.0) and adapter.position() == pytest.approx(3.0)
    with qtbot.waitSignal(adapter.positionChanged, timeout=3000):
        adapter.play()
    adapter.pause()

    # a file that cannot be opened: errorOccurred, on the GUI thread, nothing raised
    bad = tmp_path / "x.wav"
    bad.write_text("not audio")
    with qtbot.waitSignal(adapter.errorOccurred, timeout=5000) as sig:
        adapter.open_async(str(bad))
    assert "x.wav" in str(sig.args[0]) and len(opened) == 1


def test_closing_while_an_open_is_under_way_reports_nothing(qapp, qtbot, tmp_path):
    require_jack()
    path = tmp_path / "t.flac"
    sf.write(path, tone(1.0), 44100)
    adapter = PlayerAdapter()
    told = []
    adapter.opened.connect(told.append)
    adapter.errorOccurred.connect(told.append)
    adapter.open_async(str(path))
    adapter.close()  # the engine had no time to start
    assert adapter.wait_opened(5000)
    qtbot.wait(100)
    assert told == []
