"""Benchmark of a shared study's audio (decision 1705). Run:
  scripts/with-test-services python -m pytest -m benchmark -s \
      tests/benchmarks/test_server_audio_bench.py

One 30-minute speech-like recording, blinded and uploaded as FLAC and as Opus 32 kbit/s; a
rater's login then fetches it over loopback into an empty cache. Figures: the upload, the time
until the player has decoded the first 10 seconds (from opening the `.part` path), the full
download with its checksum, and, for comparison, the first 10 seconds from the finished file.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from server_study import empty_database
from test_study_bench import thirty_minute_flacs

from rater.audio.source import StreamingSource
from rater.core.pack_audio import FLAC, parse_pack_audio
from rater.services import server
from rater.services.allocating import allocate_study
from rater.services.audio_cache import Fetcher
from rater.services.blinding import blind_study
from rater.services.importing import import_recordings
from rater.services.rating import rater_queue
from rater.services.server_audio import upload_audio
from rater.storage.engine import make_engine

FIRST_S = 10


def _first_seconds(path: Path) -> float:
    """Seconds from opening the file to having decoded its first FIRST_S seconds."""
    started = time.perf_counter()
    with StreamingSource(path) as source:
        assert len(source.read(FIRST_S * source.sample_rate)) == FIRST_S * source.sample_rate
    return time.perf_counter() - started


def _fetch(rater_url: str, code: str, cache: Path) -> dict:
    started = time.perf_counter()
    fetcher = Fetcher(rater_url, cache)
    try:
        fetcher.want([code])
        part = fetcher.path(code)
        first = time.perf_counter() - started + _first_seconds(part)
        final = fetcher.wait(code, timeout=600)
        full = time.perf_counter() - started
    finally:
        fetcher.close()
    return {"first_10s": first, "full": full, "bytes": final.stat().st_size,
            "from_file_10s": _first_seconds(final), "opened": part.suffix}


def _clear(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM server_audio_chunk")
        connection.exec_driver_sql("DELETE FROM server_audio_item")
    engine.dispose()


@pytest.mark.benchmark
def test_thirty_minutes_play_after_the_first_chunks(pg_admin_url, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    recordings = thirty_minute_flacs(1)
    with empty_database(pg_admin_url) as (url, _database):
        server.setup(url)
        import_recordings(url, recordings, recordings / "metadata.csv")
        blind_study(url, out=tmp_path / "blinded", workers=2)
        allocate_study(url, ["R1"], double=0.0, seed=1)
        login = server.add_rater(url, "R1")
        server.log_in(login["url"], login["password"])
        code = rater_queue(url, "R1")[0].code
        figures = {}
        for audio in (FLAC, parse_pack_audio("opus:32")):
            _clear(url)
            started = time.perf_counter()
            upload_audio(url, audio)
            upload = time.perf_counter() - started
            figures[str(audio)] = {"upload": upload,
                                   **_fetch(login["url"], code, tmp_path / f"cache-{audio}")}
    print()
    for audio, f in figures.items():
        print(f"{audio:8s} {f['bytes'] / 1e6:6.1f} MB  upload {f['upload']:6.2f} s  "
              f"first {FIRST_S} s playable {f['first_10s']:5.3f} s (opened {f['opened']})  "
              f"full download+sha256 {f['full']:6.2f} s  "
              f"({f['bytes'] / 1e6 / f['full']:5.1f} MB/s)  "
              f"first {FIRST_S} s from the finished file {f['from_file_10s']:5.3f} s")
    for f in figures.values():
        assert f["opened"] == ".part"  # played while still arriving
        assert f["first_10s"] < 1.0
