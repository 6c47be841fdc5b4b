"""Certification of raters against gold, and drift of certified raters (pure logic).

A certification test is a set of gold recordings kept out of training, split into one set per
allowed attempt (each attempt on different recordings). An attempt passes when, on every
dimension, the share of scores within one point of gold and ICC(A,1) against gold (the
reliability module's, with its 95% CI) both reach that dimension's thresholds.

Drift: a certified rater's gold inserts in queue order; the within-one share over a rolling
window of the latest inserts is flagged when it falls below the certification threshold.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from rater.core.errors import Problem, RaterError
from rater.core.reliability.icc import icc_forms

WITHIN_ONE = 0.8
ICC = 0.7
ATTEMPTS = 2
WINDOW = 5  # gold inserts in the drift check's rolling window

STATES = ("not_started", "in_progress", "certified", "can_retry", "failed")


@dataclass(frozen=True)
class Thresholds:
    within_one: float = WITHIN_ONE  # least share of scores within one point of gold
    icc: float = ICC  # least ICC(A,1) against gold


@dataclass(frozen=True)
class DimensionResult:
    dimension: str
    n: int
    within_one: float
    icc: float | None  # None when undefined (e.g. no variance)
    icc_low: float | None
    icc_high: float | None
    icc_note: str
    passed: bool


@dataclass(frozen=True)
class AttemptResult:
    passed: bool
    dimensions: tuple[DimensionResult, ...]

    def to_dict(self) -> dict:
        return {"passed": self.passed, "dimensions": [vars(d) for d in self.dimensions]}


def check_thresholds(thresholds: Thresholds, where: str) -> None:
    if not (0 <= thresholds.within_one <= 1 and -1 <= thresholds.icc <= 1):
        raise RaterError(Problem(
            f"thresholds within-one {thresholds.within_one} / ICC {thresholds.icc} are out of "
            "range", where, "give a within-one share between 0 and 1 and an ICC between -1 and 1"))


def split_attempts(recordings: Sequence[str], attempts: int) -> list[list[str]]:
    """The recordings of each attempt: consecutive, equal-sized sets in the order given
    (a remainder is left unused). Refused when an attempt would get fewer than 3."""
    if attempts < 1:
        raise RaterError(Problem(f"{attempts} attempts", "--attempts", "allow at least 1"))
    size = len(recordings) // attempts
    if size < 3:
        raise RaterError(Problem(
            f"{len(recordings)} recording(s) for {attempts} attempt(s) leaves {size} per attempt",
            "--recordings", "give at least 3 gold recordings per attempt (ICC needs variety)"))
    return [list(recordings[i * size:(i + 1) * size]) for i in range(attempts)]


def grade(gold: Mapping[tuple[str, str], int], scores: Mapping[tuple[str, str], int],
          recordings: Sequence[str], dimensions: Sequence[str],
          thresholds: Mapping[str, Thresholds]) -> AttemptResult:
    """Grade one attempt: per dimension, the rater's scores of `recordings` against gold."""
    results = []
    for dimension in dimensions:
        pairs = [(scores[(r, dimension)], gold[(r, dimension)]) for r in recordings
                 if (r, dimension) in scores and (r, dimension) in gold]
        results.append(_dimension(dimension, pairs, thresholds.get(dimension, Thresholds())))
    return AttemptResult(all(d.passed for d in results), tuple(results))


def _dimension(dimension: str, pairs: list[tuple[int, int]], limit: Thresholds,
               ) -> DimensionResult:
    n = len(pairs)
    within = sum(abs(s - g) <= 1 for s, g in pairs) / n if n else 0.0
    icc = icc_forms(np.array(pairs, dtype=float).reshape(n, 2))["icc_a1"] if n else None
    value = icc.value if icc is not None else None
    passed = n > 0 and within >= limit.within_one and value is not None and value >= limit.icc
    return DimensionResult(dimension, n, within, value, icc.ci_low if icc else None,
                           icc.ci_high if icc else None,
                           icc.note if icc else "no scores", passed)


def state(outcomes: Sequence[bool | None], attempts: int) -> str:
    """A rater's certification state from their attempts' outcomes in order (None: not yet
    graded)."""
    if any(o is True for o in outcomes):
        return "certified"
    if not outcomes:
        return "not_started"
    if outcomes[-1] is None:
        return "in_progress"
    return "can_retry" if len(outcomes) < attempts else "failed"


# -- drift ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DriftPoint:
    position: int  # the gold insert's place in the rater's queue
    code: str
    within_one: float  # this insert's share of dimensions within one of gold
    rolling: float  # the share over the window ending here (all its scores pooled)
    flagged: bool


def drift_series(items: Sequence[tuple[int, str, Sequence[tuple[int, int]]]],
                 threshold: float = WITHIN_ONE, window: int = WINDOW) -> list[DriftPoint]:
    """Rolling agreement with gold over a rater's gold inserts.

    `items` are (queue position, code, [(score, gold) per dimension]) of the gold inserts. A
    point is flagged once a full window's pooled within-one share falls below `threshold`."""
    ordered = sorted(items, key=lambda item: item[0])
    points = []
    for i, (position, code, pairs) in enumerate(ordered):
        recent = [p for _, _, ps in ordered[max(0, i - window + 1):i + 1] for p in ps]
        rolling = _share(recent)
        full = i + 1 >= window
        points.append(DriftPoint(position, code, _share(pairs), rolling,
                                 full and rolling < threshold))
    return points


def _share(pairs: Sequence[tuple[int, int]]) -> float:
    return sum(abs(s - g) <= 1 for s, g in pairs) / len(pairs) if pairs else math.nan

