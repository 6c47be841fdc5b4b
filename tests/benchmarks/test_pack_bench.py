"""Benchmark of a whole pack round trip (issue 13). Run: ./run bench -k pack_bench

A rater's pack of 10 recordings of 5 minutes (two of them re-tests): export, open (verify and
unpack), return and import, each timed in wall-clock and CPU seconds (this process's threads
and children); best of three rounds, so that other load on the machine counts less.
"""

from __future__ import annotations

import os
import resource
import time
from pathlib import Path

import numpy as np
import soundfile as sf
from test_study_bench import CACHE, RATE, _speechlike

from rater.services.allocating import allocate_study
from rater.services.blinding import blind_study
from rater.services.importing import import_recordings
from rater.services.packs import export_pack, import_packs, return_pack, unpack_for_rating
from rater.services.rating import rater_queue, set_score
from rater.services.study import init_study

COUNT, MINUTES, ROUNDS = 8, 5, 3


def _five_minute_flacs() -> Path:
    folder = CACHE / f"flac-{MINUTES}min-{COUNT}"
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(COUNT):
        path = folder / f"interview-{i:03d}.flac"
        if not path.exists():
            sf.write(path.with_suffix(".tmp.flac"), _speechlike(MINUTES * 60, seed=100 + i),
                     RATE)
            path.with_suffix(".tmp.flac").rename(path)
    lines = ["file,la"] + [f"interview-{i:03d}.flac,LA{1 + i % 2}" for i in range(COUNT)]
    (folder / "metadata.csv").write_text("\n".join(lines) + "\n")
    return folder


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


class _Clock:
    def __init__(self):
        self.times: dict[str, float] = {}

    def time(self, step: str, action):
        wall, cpu = time.perf_counter(), _cpu()
        result = action()
        self.times[step] = time.perf_counter() - wall
        self.times[f"{step} cpu"] = _cpu() - cpu
        return result


def _round_trip(study: str, folder: Path) -> dict[str, float]:
    clock = _Clock()
    clock.time("export", lambda: export_pack(study, "R1", folder / "R1.raterpack"))
    work = clock.time("open", lambda: unpack_for_rating(folder / "R1.raterpack",
                                                        folder / "workspace"))
    entry = rater_queue(str(work / "study.rater"))[0]
    set_score(str(work / "study.rater"), entry.code, "warmth", 3)
    clock.time("return", lambda: return_pack(work, folder / "R1-return.raterpack"))
    clock.time("import", lambda: import_packs(study, [folder / "R1-return.raterpack"]))
    return clock.times


def test_pack_round_trip_of_ten_five_minute_recordings(tmp_path):
    source = _five_minute_flacs()
    study = str(tmp_path / "bench.rater")
    init_study(study)
    import_recordings(study, source, source / "metadata.csv")
    blind_study(study, workers=1)
    allocate_study(study, ["R1"], double=0.0, retest=0.25, seed=1)
    rounds = []
    for i in range(ROUNDS):
        folder = tmp_path / f"round-{i}"
        folder.mkdir()
        rounds.append(_round_trip(study, folder))
    best = {step: min(r[step] for r in rounds) for step in rounds[0]}
    size = os.path.getsize(tmp_path / "round-0" / "R1.raterpack")
    items = len(rater_queue(str(tmp_path / "round-0" / "workspace" /
                                next(iter(os.listdir(tmp_path / "round-0" / "workspace"))) /
                                "study.rater")))
    print(f"\npack round trip, {items} items of {MINUTES} min ({size / 1e6:.0f} MB), best of "
          f"{ROUNDS}: " + ", ".join(f"{step} {seconds:.2f} s" for step, seconds in best.items())
          + f"; total {sum(v for k, v in best.items() if 'cpu' not in k):.2f} s")
    assert items == 10
    assert np.isfinite(sum(best.values()))
