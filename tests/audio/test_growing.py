"""Playing a shared study's audio while it is still arriving (decision 1705): the decoder
opens `<code>.<ext>.part` after its first chunk and the last one (the tail) are there, and
decodes exactly what the finished file holds, waiting where the bytes have not come yet."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from rater.audio import growing
from rater.audio.opus import write_opus
from rater.audio.source import StreamingSource, probe
from rater.audio.waveform import waveform
from rater.core.audio_cache import CHUNK_BYTES, CachedAudio, tail_start

RATE = 24000


def _noise(seconds: float) -> np.ndarray:
    rng = np.random.default_rng(7)
    return (0.3 * rng.standard_normal((int(seconds * RATE), 1))).astype(np.float32)


@pytest.fixture(params=["flac", "opus"])
def finished(request, tmp_path) -> Path:
    """A finished file of several chunks, in the format of the study's audio."""
    if request.param == "flac":
        path = tmp_path / "done.flac"
        sf.write(path, _noise(20), RATE, subtype="PCM_16")
    else:
        path = tmp_path / "done.opus"
        write_opus([_noise(240)], path, RATE, 1, 32)
    assert path.stat().st_size > 3 * CHUNK_BYTES
    return path


def _start(finished: Path, folder: Path) -> tuple[CachedAudio, bytes]:
    """What the fetcher has written when the player may open the file: the size, the tail
    (the last two chunks) and the first chunk."""
    data = finished.read_bytes()
    cached = CachedAudio(folder, "ABC2345", finished.suffix[1:])
    folder.mkdir()
    cached.meta.write_text(json.dumps({"total_bytes": len(data), "sha256": ""}))
    cached.tail.write_bytes(data[tail_start(len(data)) * CHUNK_BYTES:])
    cached.part.write_bytes(data[:CHUNK_BYTES])
    return cached, data


def _arrive(cached: CachedAudio, data: bytes, pause_s: float) -> threading.Thread:
    """The rest of the chunks, one every `pause_s`; then the rename, as the fetcher does it."""
    def run() -> None:
        with cached.part.open("ab") as part:
            for at in range(CHUNK_BYTES, len(data), CHUNK_BYTES):
                time.sleep(pause_s)
                part.write(data[at:at + CHUNK_BYTES])
                part.flush()
        cached.part.replace(cached.final)
        cached.tail.unlink()
        cached.meta.unlink()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _decode(path: Path) -> np.ndarray:
    with StreamingSource(path) as source:
        blocks = []
        while len(block := source.read(8192).copy()):
            blocks.append(block)
        source.check_complete()
    return np.concatenate(blocks)


def test_a_file_still_arriving_decodes_as_the_finished_file(finished, tmp_path):
    cached, data = _start(finished, tmp_path / "cache")
    info = probe(cached.part)  # opens with one chunk and the tail there
    assert cached.part.stat().st_size < len(data)
    assert info.frames == probe(finished).frames
    arriving = _arrive(cached, data, pause_s=0.1)
    started = time.monotonic()
    decoded = _decode(cached.part)
    waited = time.monotonic() - started
    arriving.join()
    assert np.array_equal(decoded, _decode(finished))
    assert waited >= 0.09  # it waited for the second chunk (the tail was there already)


def test_the_part_path_opens_the_finished_file_once_it_is_renamed(finished, tmp_path):
    cached, data = _start(finished, tmp_path / "cache")
    _arrive(cached, data, pause_s=0).join()
    assert not cached.part.exists()
    assert np.array_equal(_decode(cached.part), _decode(finished))


def test_audio_that_stops_arriving_ends_as_a_damaged_file_does(finished, tmp_path, monkeypatch):
    monkeypatch.setattr(growing, "STALL_S", 0.2)
    cached, _ = _start(finished, tmp_path / "cache")
    with pytest.raises(Exception, match="stops at|cannot be decoded|cannot be read"):
        _decode(cached.part)


def test_the_waveform_of_a_file_still_arriving_is_drawn_in_full(finished, tmp_path):
    """Drawn while the chunks arrive and the file is renamed; nothing cached under the passing
    name."""
    cached, data = _start(finished, tmp_path / "cache")
    arriving = _arrive(cached, data, pause_s=0.05)
    peaks = waveform(cached.part, cache_dir=tmp_path / "peaks")
    arriving.join()
    expected = waveform(finished, cache_dir=tmp_path / "other")
    assert peaks.frames == expected.frames
    assert np.array_equal(peaks.mins, expected.mins) and np.array_equal(peaks.maxs, expected.maxs)
    assert not (tmp_path / "peaks").exists()


def test_the_player_seeks_ahead_into_a_file_still_arriving_and_plays_its_samples(
        jack, make_audio, tmp_path):
    """Real playback (the JACK dummy device): opened with one chunk and the tail there, a seek
    to 4 s waits for those bytes, then the samples heard are the file's."""
    from audio_helpers import SR, first_nonzero, noise16, read_capture

    from rater.audio.player import Player

    data = noise16(8.0)
    finished = make_audio("noise.flac", data, subtype="PCM_16")
    cached, raw = _start(finished, tmp_path / "cache")
    arriving = _arrive(cached, raw, pause_s=0.02)
    player = Player()
    try:
        player.open(cached.part)
        player.seek(4.0)
        player.play()
        time.sleep(1.0)
        player.pause()
        time.sleep(0.2)
    finally:
        player.close()
        arriving.join()
    cap = read_capture()
    j, start, block = first_nonzero(cap) - 1, int(4.0 * SR), 512
    n = SR // 2
    np.testing.assert_array_equal(cap[j + block:j + block + n],
                                  data[start + block:start + block + n])
