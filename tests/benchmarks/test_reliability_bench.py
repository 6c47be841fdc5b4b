"""Reliability benchmarks (issue 6).

Run: .venv/bin/python -m pytest -s tests/benchmarks/test_reliability_bench.py

Targets: the full JSON report for 5,000 units x 10 raters x 4 dimensions with 20% missing
ratings and 1,000-resample bootstrap CIs in <= 3 s; ICC >= 100x faster than
pingouin.intraclass_corr on the same complete data, with equal values; the vectorised alpha
bootstrap >= 10x faster than calling the `krippendorff` package once per resample.
"""

import json
import statistics
import time
import timeit
import warnings

import krippendorff
import numpy as np
import pandas as pd
import pytest

from rater.core.reliability import reliability_report
from rater.core.reliability.alpha import kripp_alphas, multiplicities
from rater.core.reliability.icc import icc_forms
from rater.core.reliability.matrix import Scale, category_counts

UNITS, RATERS, DIMENSIONS, MISSING, RESAMPLES = 5000, 10, 4, 0.2, 1000
SCALE = Scale(1, 5)


def scores(seed: int, missing: float = MISSING) -> np.ndarray:
    """Units x raters scores on 1-5: a true level per unit plus rater noise, some missing."""
    rng = np.random.default_rng(seed)
    x = np.clip(np.round(rng.normal(3, 1, UNITS)[:, None] + rng.normal(0, 0.7, (UNITS, RATERS))),
                1, 5)
    x[rng.random(x.shape) < missing] = np.nan
    return x


def tidy_table() -> pd.DataFrame:
    frames = []
    for d in range(DIMENSIONS):
        x = scores(d)
        units, raters = np.nonzero(~np.isnan(x))
        frames.append(pd.DataFrame({"unit": units.astype(str), "rater": [f"R{r}" for r in raters],
                                    "dimension": f"dimension {d + 1}", "score": x[units, raters]}))
    return pd.concat(frames, ignore_index=True)


def test_full_json_report_within_three_seconds():
    table = tidy_table()
    times = []
    for _ in range(3):
        start = time.perf_counter()
        text = json.dumps(reliability_report(table, SCALE, seed=1, resamples=RESAMPLES),
                          allow_nan=False)
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    print(f"\nfull JSON report: {len(table):,} scores ({UNITS:,} units x {RATERS} raters x "
          f"{DIMENSIONS} dimensions, {MISSING:.0%} missing), {RESAMPLES} resamples: "
          f"median {median:.2f} s of {', '.join(f'{t:.2f}' for t in times)} ({len(text):,} bytes)")
    assert median <= 3.0


def test_icc_100_times_faster_than_pingouin_with_equal_values():
    pingouin = pytest.importorskip("pingouin")
    x = scores(0, missing=0.0)
    long = pd.DataFrame({"unit": np.repeat(np.arange(UNITS), RATERS),
                         "rater": np.tile(np.arange(RATERS), UNITS), "score": x.ravel()})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pingouin's pandas deprecation warnings
        theirs = pingouin.intraclass_corr(long, "unit", "rater", "score")["ICC"].to_numpy()
        pg_time = min(timeit.repeat(lambda: pingouin.intraclass_corr(long, "unit", "rater",
                                                                     "score"),
                                    number=1, repeat=5))
    ours = icc_forms(x)
    order = ["icc1", "icc_a1", "icc_c1", "icc1k", "icc_ak", "icc_ck"]  # pingouin's row order
    assert [ours[key].value for key in order] == pytest.approx(theirs, abs=1e-10)
    our_time = min(timeit.repeat(lambda: icc_forms(x), number=20, repeat=7)) / 20
    speedup = pg_time / our_time
    print(f"\nICC, all six forms with CIs, {UNITS:,} x {RATERS} complete: ours "
          f"{our_time * 1e3:.3f} ms, pingouin.intraclass_corr {pg_time * 1e3:.1f} ms "
          f"({speedup:.0f}x faster, equal values)")
    assert speedup >= 100


def test_vectorised_alpha_bootstrap_10_times_faster_than_krippendorff_per_resample():
    x, seed = scores(0), 7

    def vectorised():
        return kripp_alphas(x, SCALE, resamples=RESAMPLES, seed=seed,
                            metrics=("ordinal",))["kripp_alpha_ordinal"]

    ours = vectorised()
    our_time = min(timeit.repeat(vectorised, number=1, repeat=5))

    counts = category_counts(x, SCALE)
    counts = counts[counts.sum(axis=1) >= 2]
    weights = multiplicities(counts.shape[0], RESAMPLES, np.random.default_rng(seed)).astype(int)
    start = time.perf_counter()
    draws = [krippendorff.alpha(value_counts=np.repeat(counts, w, axis=0),
                                value_domain=[1, 2, 3, 4, 5], level_of_measurement="ordinal")
             for w in weights]
    package_time = time.perf_counter() - start

    assert (ours.ci_low, ours.ci_high) == pytest.approx(tuple(np.quantile(draws, [.025, .975])),
                                                        abs=1e-9)
    speedup = package_time / our_time
    print(f"\nalpha (ordinal) bootstrap, {counts.shape[0]:,} units x {RATERS} raters, "
          f"{RESAMPLES} resamples: vectorised {our_time:.3f} s (best of 5), krippendorff once "
          f"per resample {package_time:.2f} s ({speedup:.0f}x faster, same interval)")
    assert speedup >= 10
