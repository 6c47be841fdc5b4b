"""The whole `rater reliability --ratings` process against the same work in-process (issue 15).

Run: .venv/bin/python -m pytest -s tests/benchmarks/test_reliability_cli_bench.py

5,000 units x 10 raters x 4 dimensions, 20% of the ratings missing, 1,000 bootstrap resamples.
The process used to take 3-5 s while its statistics took under 1 s: it wrote a 5.9 MB JSON
(every unit's disagreements and paired scores) through a million small writes. The target is
the whole process within 1.5 s on an idle 2-core machine. Wall times depend on how busy the
machine is, so the assertion is a ratio of CPU times (user + system): the process against the
same work in a warm process (reading the CSV, the report, the disagreement list, the JSON
text). Importing numpy, pandas and scipy and the first calls cost about 0.7 s of CPU that no
in-process run pays, so the ratio is about 2 (the old command: about 4.5); both figures are
printed with the load.
"""

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from rater.services.reliability import csv_reliability

UNITS, RATERS, DIMENSIONS, MISSING = 5000, 10, 4, 0.2
RUNS = 3
MAX_RATIO = 2.5


def write_csv(path: Path) -> int:
    """The ratings as a CSV, one row per present score; returns the number of scores."""
    rng = np.random.default_rng(0)
    lines = ["unit,rater,dimension,score"]
    for d in range(DIMENSIONS):
        x = np.clip(np.round(rng.normal(3, 1, UNITS)[:, None]
                             + rng.normal(0, 0.7, (UNITS, RATERS))), 1, 5)
        x[rng.random(x.shape) < MISSING] = np.nan
        units, raters = np.nonzero(~np.isnan(x))
        lines += [f"u{u},R{r},dimension{d + 1},{int(x[u, r])}"
                  for u, r in zip(units, raters, strict=True)]
    path.write_text("\n".join(lines) + "\n")
    return len(lines) - 1


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def in_process(path: Path, out: Path) -> tuple[float, float]:
    """Wall and CPU seconds of the command's work in this (warm) process."""
    wall, cpu = time.perf_counter(), time.process_time()
    report = csv_reliability(path)
    out.write_text(json.dumps(report, ensure_ascii=False, allow_nan=False) + "\n")
    return time.perf_counter() - wall, time.process_time() - cpu


def as_process(path: Path, out: Path) -> tuple[float, float]:
    """Wall and CPU seconds of `python -m rater reliability --ratings FILE --json > out`."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    wall, cpu = time.perf_counter(), children_cpu()
    with out.open("wb") as stdout:
        subprocess.run([sys.executable, "-m", "rater", "reliability", "--ratings", str(path),
                        "--json"], stdout=stdout, check=True, env=env)
    return time.perf_counter() - wall, children_cpu() - cpu


def test_whole_process_close_to_the_in_process_work(tmp_path):
    path = tmp_path / "ratings.csv"
    scores = write_csv(path)
    in_process(path, tmp_path / "warm.json")  # imports and caches warm
    inside, outside = [], []
    for run in range(RUNS):  # interleaved, so both see the same load
        inside.append(in_process(path, tmp_path / f"in{run}.json"))
        outside.append(as_process(path, tmp_path / f"out{run}.json"))
    assert (tmp_path / "out0.json").read_bytes() == (tmp_path / "in0.json").read_bytes()
    size = (tmp_path / "out0.json").stat().st_size
    in_wall, in_cpu = (statistics.median(t) for t in zip(*inside, strict=True))
    out_wall, out_cpu = (statistics.median(t) for t in zip(*outside, strict=True))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\nrater reliability --ratings: {scores:,} scores ({UNITS:,} units x {RATERS} raters x "
          f"{DIMENSIONS} dimensions, {MISSING:.0%} missing), JSON {size:,} bytes; medians of "
          f"{RUNS}: process {out_wall:.2f} s wall / {out_cpu:.2f} s CPU, in-process "
          f"{in_wall:.2f} s wall / {in_cpu:.2f} s CPU; ratio {out_wall / in_wall:.2f} wall, "
          f"{out_cpu / in_cpu:.2f} CPU; load average {load} on {os.cpu_count()} CPUs")
    assert size < 1_000_000
    assert out_cpu <= MAX_RATIO * in_cpu
