"""Benchmarks for blinding and packs (issue 4). Run: ./run bench -k blinding_bench

- blinding 100 recordings of 30 minutes (re-encode): throughput in × real time per core;
- pack export for a rater with 50 such recordings.
"""

from __future__ import annotations

import os
import resource
import time

import pytest
from test_study_bench import MINUTES, thirty_minute_flacs

from rater.services.allocating import allocate_study
from rater.services.blinding import blind_study
from rater.services.importing import import_recordings
from rater.services.packs import export_pack
from rater.services.study import init_study


def _cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@pytest.mark.timeout(3600)
def test_blind_100_thirty_minute_recordings_and_export_a_50_recording_pack(tmp_path):
    folder = thirty_minute_flacs(100)
    study = str(tmp_path / "bench.rater")
    init_study(study)
    import_recordings(study, folder, folder / "metadata.csv")

    cores = os.cpu_count() or 1
    wall, cpu = time.perf_counter(), _cpu_seconds()
    report = blind_study(study)
    wall, cpu = time.perf_counter() - wall, _cpu_seconds() - cpu
    assert len(report.made) == 100
    audio_s = 100 * MINUTES * 60
    print(f"\nblinding 100 x {MINUTES} min (16 kHz FLAC -> 24 kHz FLAC, loudness-normalised): "
          f"{wall:.1f} s wall on {cores} cores, {cpu:.1f} s CPU")
    print(f"  throughput: {audio_s / wall:.0f}x real time overall, "
          f"{audio_s / cpu:.0f}x real time per core (CPU time)")

    start = time.perf_counter()
    again = blind_study(study)
    print(f"  re-running blind with nothing changed: {time.perf_counter() - start:.2f} s")
    assert again.made == []

    allocate_study(study, ["R1", "R2"], double=0.0, seed=1)
    start = time.perf_counter()
    result = export_pack(study, "R1", tmp_path / "R1.raterpack")
    export_s = time.perf_counter() - start
    assert result["items"] == 50
    print(f"pack export, 50 x {MINUTES} min: {export_s:.1f} s, "
          f"{result['size_bytes'] / 1e9:.2f} GB")
    assert audio_s / cpu > 20, "re-encoding should run far faster than real time"
