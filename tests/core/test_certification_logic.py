"""Pure certification logic: grading per dimension, states, attempt sets, the drift series."""

from __future__ import annotations

import pytest

from rater.core.certification import Thresholds, drift_series, grade, split_attempts, state
from rater.core.errors import RaterError


def test_grade_needs_every_dimension_to_pass_both_thresholds():
    recordings = ["a", "b", "c", "d", "e"]
    gold = {(r, d): s for r, s in zip(recordings, [1, 2, 3, 4, 5], strict=True)
            for d in ("x", "y")}
    scores = {(r, "x"): g for (r, d), g in gold.items() if d == "x"}
    scores |= {(r, "y"): 6 - g for (r, d), g in gold.items() if d == "y"}  # mirrored
    result = grade(gold, scores, recordings, ["x", "y"], {})
    x, y = result.dimensions
    assert x.passed and x.within_one == 1.0 and x.icc == 1.0
    assert not y.passed and y.within_one == pytest.approx(0.2) and y.icc < 0
    assert not result.passed
    lenient = grade(gold, scores, recordings, ["y"], {"y": Thresholds(0.2, -5.0)})
    assert lenient.passed


def test_states():
    assert state([], 2) == "not_started"
    assert state([None], 2) == "in_progress"
    assert state([False], 2) == "can_retry"
    assert state([False, True], 2) == "certified"
    assert state([False, False], 2) == "failed"
    assert state([False, None], 2) == "in_progress"


def test_attempt_sets_are_disjoint_and_large_enough():
    assert split_attempts(list("abcdefg"), 2) == [list("abc"), list("def")]
    with pytest.raises(RaterError, match="leaves 2 per attempt"):
        split_attempts(list("abcde"), 2)


def test_drift_flags_from_the_first_full_window_below_the_threshold():
    good, bad = [(3, 3), (4, 4)], [(1, 5), (2, 5)]
    items = [(i, f"g{i}", good if i < 6 else bad) for i in range(10)]
    points = drift_series(items, threshold=0.8, window=4)
    assert [p.flagged for p in points] == [False] * 6 + [True] * 4  # 6 of 8 within one
    assert points[7].rolling == pytest.approx(0.5)
    assert not any(p.flagged for p in drift_series(items[:3], 0.8, window=4))  # window not full
