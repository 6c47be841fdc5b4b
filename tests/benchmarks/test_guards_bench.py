"""What the integrity rules cost (issue 13): the same work on one study with its guard triggers
and on a copy without them. Run: ./run bench -k guards_bench

- rating: 200 recordings × 4 scores set, then submitted (one transaction each, as in the app);
- export: the wide CSV of the study (the analyses' scale check included).
The audit chain's cost (one indexed read and a SHA-256 per event) is in both sides.
"""

from __future__ import annotations

import shutil
import sqlite3
import statistics
import time
from pathlib import Path

from audio_files import write_audio

from rater.services import rating
from rater.services.allocating import allocate_study
from rater.services.blinding import blind_study
from rater.services.export import export_study
from rater.services.importing import import_recordings
from rater.services.study import init_study
from rater.storage.guards import guard_names

RECORDINGS = 200
DIMENSIONS = ("warmth", "empathy", "strengths", "clarity")


def _study(folder: Path) -> str:
    audio = folder / "audio"
    for i in range(RECORDINGS):
        write_audio(audio / f"r{i:03d}.wav", seconds=1, freq=200 + i)
    lines = ["file,la"] + [f"r{i:03d}.wav,LA{i % 2}" for i in range(RECORDINGS)]
    (audio / "m.csv").write_text("\n".join(lines) + "\n")
    study = str(folder / "guarded.rater")
    init_study(study)
    import_recordings(study, audio, audio / "m.csv")
    blind_study(study, out=folder / "blinded", workers=2)
    allocate_study(study, ["R1"], double=0.0, seed=1)
    return study


def _unguarded_copy(study: str, target: Path) -> str:
    shutil.copy(study, target)
    with sqlite3.connect(target) as db:
        for name in guard_names("sqlite"):
            db.execute(f"DROP TRIGGER IF EXISTS {name}")
    return str(target)


def _rate_all(study: str) -> float:
    started = time.perf_counter()
    for n, entry in enumerate(rating.rater_queue(study, "R1")):
        for d, dimension in enumerate(DIMENSIONS):
            rating.set_score(study, entry.code, dimension, 1 + (n + d) % 5, "R1")
        rating.submit_rating(study, entry.code, "R1")
    return time.perf_counter() - started


def _export(study: str, out: Path) -> float:
    started = time.perf_counter()
    export_study(study, "csv-wide", out)
    return time.perf_counter() - started


def test_guards_cost_little(tmp_path):
    guarded = _study(tmp_path)
    bare = _unguarded_copy(guarded, tmp_path / "bare.rater")
    rate = {"guarded": _rate_all(guarded), "bare": _rate_all(bare)}
    exports = {name: statistics.median(_export(study, tmp_path / f"{name}{i}.csv")
                                       for i in range(5))
               for name, study in (("guarded", guarded), ("bare", bare))}
    per_item = {k: 1000 * v / RECORDINGS for k, v in rate.items()}
    print(f"\nrating ({RECORDINGS} recordings × 4 scores + submit): guarded "
          f"{per_item['guarded']:.1f} ms/recording, without guards {per_item['bare']:.1f} "
          f"ms/recording ({100 * (rate['guarded'] / rate['bare'] - 1):+.0f}%)")
    change = 100 * (exports["guarded"] / exports["bare"] - 1)
    print(f"export csv-wide: guarded {1000 * exports['guarded']:.0f} ms, without guards "
          f"{1000 * exports['bare']:.0f} ms ({change:+.0f}%)")
    assert rate["guarded"] < 1.5 * rate["bare"]
    assert exports["guarded"] < 1.5 * exports["bare"] + 0.05
