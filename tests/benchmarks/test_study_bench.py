"""Benchmarks for the study foundation (issue 2). Run: ./run bench -k study_bench

- import of 50 recordings of 30 minutes (FLAC, mono 16 kHz): seconds per recording, bounded by
  reading each file for its checksum, not by decoding it;
- `rater study info` on a study with 10,000 recordings and 100,000 ratings: < 0.5 s on SQLite
  and on PostgreSQL.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from sqlalchemy import insert

from rater.core.files import sha256_of
from rater.services.importing import import_recordings
from rater.services.study import init_study, study_info
from rater.storage.repository import StudyStore
from rater.storage.schema import Assignment, Rater, Rating, Recording, utcnow

CACHE = Path(os.environ.get("RATER_BENCH_CACHE", "/tmp/rater-bench-cache"))
RATE = 16000
MINUTES = 30


def _speechlike(seconds: int, seed: int) -> np.ndarray:
    """Amplitude-modulated tones and noise: compresses like speech does, not like silence."""
    rng = np.random.default_rng(seed)
    t = np.arange(seconds * RATE, dtype=np.float32) / RATE
    envelope = 0.5 + 0.5 * np.sin(2 * np.pi * 3.0 * t + rng.uniform(0, 6)) ** 2
    voice = np.sin(2 * np.pi * rng.uniform(110, 220) * t) * envelope * 0.3
    return (voice + rng.normal(0, 0.02, t.size)).astype(np.float32)


def thirty_minute_flacs(count: int) -> Path:
    folder = CACHE / f"flac-{MINUTES}min-{count}"
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        path = folder / f"interview-{i:03d}.flac"
        if not path.exists():
            sf.write(path.with_suffix(".tmp.flac"), _speechlike(MINUTES * 60, seed=i), RATE)
            path.with_suffix(".tmp.flac").rename(path)
    lines = ["file,la,worker"] + [f"interview-{i:03d}.flac,LA{1 + i % 2},W{i:03d}"
                                  for i in range(count)]
    (folder / "metadata.csv").write_text("\n".join(lines) + "\n")
    return folder


def test_import_50_thirty_minute_recordings(tmp_path):
    folder = thirty_minute_flacs(50)
    files = sorted(folder.glob("interview-*.flac"))
    study = str(tmp_path / "bench.rater")
    init_study(study)

    start = time.perf_counter()
    report = import_recordings(study, folder, folder / "metadata.csv")
    import_s = time.perf_counter() - start
    assert len(report.added) == 50

    start = time.perf_counter()
    for path in files:
        sha256_of(path)
    checksum_s = time.perf_counter() - start

    start = time.perf_counter()
    sf.read(files[0], dtype="float32")
    decode_one_s = time.perf_counter() - start

    per_recording = import_s / 50
    size_mb = sum(p.stat().st_size for p in files) / 1e6
    print(f"\nimport: 50 x {MINUTES} min FLAC ({size_mb:.0f} MB): {import_s:.2f} s, "
          f"{per_recording:.3f} s per recording")
    print(f"  checksum alone (one thread): {checksum_s / 50:.3f} s per recording; "
          f"full decode of one recording: {decode_one_s:.3f} s")
    assert per_recording < decode_one_s / 4, "import must not decode the audio"
    assert per_recording < 2 * checksum_s / 50 + 0.05, "import should cost about a checksum"


def _fill(store: StudyStore, recordings: int, ratings: int, raters: int = 10) -> None:
    """Bulk-load a large study directly (the import path is measured above)."""
    version = store.study().codebook_version_id
    dimensions = ("warmth", "empathy", "strengths", "clarity")
    now = utcnow()
    with store.transaction() as session:
        session.execute(insert(Rater), [{"id": f"R{r:02d}", "display_name": ""}
                                        for r in range(raters)])
        session.execute(insert(Recording), [dict(
            id=i + 1, original_name=f"r{i}.flac", source_path=f"/data/r{i}.flac",
            sha256=f"{i:064x}", size_bytes=1, format="FLAC", subtype="PCM_16",
            sample_rate=RATE, channels=1, frames=RATE * 1800, duration_s=1800.0,
            blind_code=f"B{i:06d}") for i in range(recordings)])
        assignments = ratings // len(dimensions)
        session.execute(insert(Assignment), [dict(
            id=a + 1, recording_id=a % recordings + 1,
            rater_id=f"R{(a + a // recordings) % raters:02d}",
            role=("primary", "second", "retest")[min(a // recordings, 2)], position=a,
            code=f"C{a:07d}")
            for a in range(assignments)])
        session.execute(insert(Rating), [dict(
            assignment_id=a + 1, codebook_version_id=version, dimension=d, score=1 + (a % 5),
            state="submitted", submitted_at=now, created_at=now, updated_at=now)
            for a in range(assignments) for d in dimensions])


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_info_on_10000_recordings_and_100000_ratings(tmp_path, backend, request):
    study = (str(tmp_path / "big.rater") if backend == "sqlite"
             else request.getfixturevalue("pg_database"))
    init_study(study)
    with StudyStore.open(study) as store:
        _fill(store, recordings=10_000, ratings=100_000)

    timings = []
    for _ in range(5):
        start = time.perf_counter()
        info = study_info(study)
        timings.append(time.perf_counter() - start)
    assert info["recordings"] == 10_000 and info["ratings"]["submitted"] == 100_000

    command = [sys.executable, "-m", "rater", "study", "info", study, "--json"]
    process_timings = []
    for _ in range(5):
        start = time.perf_counter()
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        process_timings.append(time.perf_counter() - start)
    assert json.loads(output)["ratings"]["submitted"] == 100_000

    print(f"\nstudy info ({backend}, 10k recordings, 100k ratings): in-process median "
          f"{sorted(timings)[2] * 1000:.0f} ms; whole command median "
          f"{sorted(process_timings)[2] * 1000:.0f} ms (max {max(process_timings) * 1000:.0f})")
    assert sorted(process_timings)[2] < 0.5
