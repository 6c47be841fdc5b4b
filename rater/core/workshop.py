"""Workshops: participants' scores against gold (expert) scores, summarised for the trainer.

Frame-of-reference training: trainees rate recordings whose expert scores, rationales and evidence
moments are known (gold), then compare. This module holds the pure arithmetic of that comparison:
each score's difference from gold and its band (exact / within one / off by two or more), each
participant's leniency (mean signed difference, with a 95% t-interval) and accuracy (mean absolute
difference), each dimension's agreement, and which dimensions the group finds hardest. It also
builds the per-recording feedback a participant sees after rating.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rater.core.codebook import Codebook
from rater.core.errors import Problem, RaterError

FEEDBACK_MODES = ("after_each", "after_set", "none")
BANDS = ("exact", "within_one", "off")
FLAGS = ("lenient", "severe")


@dataclass(frozen=True)
class Moment:
    """A point in a recording and what happens there (an expert's evidence or a rater's note)."""

    time_s: float
    text: str


@dataclass(frozen=True)
class GoldScore:
    recording: str                      # the recording's code as participants see it
    dimension: str
    score: int                          # the agreed expert score
    rationale: str
    moments: tuple[Moment, ...] = ()
    experts: tuple[tuple[str, int], ...] = ()   # each expert's own score, beside the agreed one


@dataclass(frozen=True)
class ParticipantScore:
    participant: str                    # rater id
    recording: str
    dimension: str
    score: int


@dataclass(frozen=True)
class Difference:
    participant: str
    recording: str
    dimension: str
    score: int
    gold: int
    diff: int                           # score - gold
    band: str                           # "exact" | "within_one" | "off"  (|diff| 0, 1, >=2)


@dataclass(frozen=True)
class ParticipantSummary:
    participant: str
    n: int
    exact: float                        # share 0..1
    within_one: float                   # share with |diff| <= 1
    mean_signed: float                  # leniency (+) / severity (-)
    ci_low: float                       # 95% t-interval of mean_signed (nan when n < 2)
    ci_high: float
    mean_abs: float                     # accuracy (lower is better)


@dataclass(frozen=True)
class DimensionSummary:
    dimension: str
    n: int
    exact: float
    within_one: float
    mean_signed: float
    mean_abs: float


@dataclass(frozen=True)
class WorkshopSummary:
    differences: tuple[Difference, ...]
    participants: tuple[ParticipantSummary, ...]      # in participant order
    dimensions: tuple[DimensionSummary, ...]          # in codebook order
    hardest: tuple[str, ...]                          # dimensions, hardest first
    exact: float
    within_one: float


def band(diff: int) -> str:
    """'exact' for 0, 'within_one' for ±1, 'off' for two or more points away."""
    size = abs(diff)
    return "exact" if size == 0 else "within_one" if size == 1 else "off"


def differences(gold: Sequence[GoldScore], scores: Sequence[ParticipantScore]) -> list[Difference]:
    """Each participant score that has a gold score, with its difference; others are left out."""
    by_item = {(g.recording, g.dimension): g.score for g in gold}
    found = []
    for s in scores:
        expert = by_item.get((s.recording, s.dimension))
        if expert is not None:
            diff = s.score - expert
            found.append(Difference(s.participant, s.recording, s.dimension, s.score, expert,
                                    diff, band(diff)))
    return found


def summarise(gold: Sequence[GoldScore], scores: Sequence[ParticipantScore],
              dimensions: Sequence[str], participants: Sequence[str] = ()) -> WorkshopSummary:
    """Compare every participant score with gold.

    Participants appear in the order given in `participants` (those without a score yet with
    n = 0 and nan figures), then any others in the order of their first score; dimensions in
    the order given (the codebook's). A dimension without any compared score has n = 0 and
    nan figures, and is left out of `hardest`.
    """
    diffs = differences(gold, scores)
    by_person: dict[str, list[int]] = {p: [] for p in participants}
    by_person.update({s.participant: [] for s in scores if s.participant not in by_person})
    by_dimension: dict[str, list[int]] = {dim: [] for dim in dimensions}
    for d in diffs:
        by_person[d.participant].append(d.diff)
        by_dimension.setdefault(d.dimension, []).append(d.diff)
    people = tuple(_participant(p, found) for p, found in by_person.items())
    dims = tuple(_dimension(dim, by_dimension[dim]) for dim in dimensions)
    every = [d.diff for d in diffs]
    return WorkshopSummary(tuple(diffs), people, dims, hardest(dims),
                           _share(every, 0), _share(every, 1))


def hardest(dimensions: Sequence[DimensionSummary]) -> tuple[str, ...]:
    """Dimensions the group finds hardest first: largest mean absolute difference, then smallest
    share within one, then codebook order. Dimensions nobody has scored yet are left out."""
    order = {d.dimension: i for i, d in enumerate(dimensions)}
    scored = [d for d in dimensions if d.n > 0]
    scored.sort(key=lambda d: (-d.mean_abs, d.within_one, order[d.dimension]))
    return tuple(d.dimension for d in scored)


def flagged(summary: WorkshopSummary, threshold: float = 0.5) -> dict[str, str]:
    """participant -> 'lenient' | 'severe' when |mean_signed| >= threshold and the CI excludes 0."""
    flags = {}
    for p in summary.participants:
        if p.n < 2 or abs(p.mean_signed) < threshold:
            continue
        if p.mean_signed > 0 and p.ci_low > 0:
            flags[p.participant] = "lenient"
        elif p.mean_signed < 0 and p.ci_high < 0:
            flags[p.participant] = "severe"
    return flags


def t_interval(values: Sequence[float], level: float = 0.95) -> tuple[float, float]:
    """Two-sided t-interval of the mean; (nan, nan) below two values. Zero spread gives a
    zero-width interval at the mean (every difference the same is as certain as it gets)."""
    n = len(values)
    if n < 2:
        return math.nan, math.nan
    mean = sum(values) / n
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    half = _t_quantile(0.5 + level / 2, n - 1) * sd / math.sqrt(n)
    return mean - half, mean + half


@lru_cache(maxsize=256)
def _t_quantile(p: float, df: int) -> float:
    """Cached: the dashboard asks for the same few quantiles on every update. scipy is
    imported here, not at the top: the CLI imports this module for its option lists, and
    scipy.stats would add most of a second to every command's start."""
    from scipy import stats

    return float(stats.t.ppf(p, df))


def _participant(participant: str, diffs: list[int]) -> ParticipantSummary:
    low, high = t_interval(diffs)
    return ParticipantSummary(participant, len(diffs), _share(diffs, 0), _share(diffs, 1),
                              _mean(diffs), low, high, _mean([abs(d) for d in diffs]))


def _dimension(dimension: str, diffs: list[int]) -> DimensionSummary:
    return DimensionSummary(dimension, len(diffs), _share(diffs, 0), _share(diffs, 1),
                            _mean(diffs), _mean([abs(d) for d in diffs]))


def _share(diffs: Sequence[int], within: int) -> float:
    if not diffs:
        return math.nan
    return sum(1 for d in diffs if abs(d) <= within) / len(diffs)


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else math.nan


# --------------------------------------------------------------------------------------------
# Feedback: what a participant sees after rating a gold recording


@dataclass(frozen=True)
class DimensionFeedback:
    dimension: str                      # id
    name: str                           # as the codebook names it
    score: int | None                   # the participant's score; None when not scored
    gold: GoldScore | None              # None when the trainer gave no gold for it
    score_anchor: str                   # anchor text of the participant's level ('' if none)
    gold_anchor: str                    # anchor text of the gold level ('' if none)
    notes: tuple[Moment, ...]           # the participant's notes tagged with this dimension
    band: str | None                    # None unless both a score and gold exist


@dataclass(frozen=True)
class Feedback:
    participant: str
    recording: str
    dimensions: tuple[DimensionFeedback, ...]   # codebook order
    notes: tuple[Moment, ...]           # all the participant's notes on this recording, by time


def feedback(codebook: Codebook, participant: str, recording: str,
             gold: Sequence[GoldScore], scores: Mapping[str, int],
             notes: Sequence[tuple[float, str, str | None]]) -> Feedback:
    """Per dimension of the codebook: the participant's score beside gold, with anchors and notes.

    `scores` maps dimension -> score; `notes` are (time_s, text, dimension or None)."""
    by_dim = {g.dimension: g for g in gold if g.recording == recording}
    ordered = sorted(notes, key=lambda n: n[0])
    rows = []
    for dim in codebook.dimensions:
        score = scores.get(dim.id)
        expert = by_dim.get(dim.id)
        rows.append(DimensionFeedback(
            dim.id, dim.name, score, expert,
            dim.anchors.get(score, "") if score is not None else "",
            dim.anchors.get(expert.score, "") if expert else "",
            tuple(Moment(t, text) for t, text, d in ordered if d == dim.id),
            band(score - expert.score) if score is not None and expert else None))
    return Feedback(participant, recording, tuple(rows),
                    tuple(Moment(t, text) for t, text, _ in ordered))


def check_feedback_mode(mode: str) -> str:
    if mode not in FEEDBACK_MODES:
        raise RaterError(Problem(f"unknown feedback setting {mode!r}", "--feedback",
                                 f"use one of {', '.join(FEEDBACK_MODES)}"))
    return mode


def participant_ids(count: int, taken: Sequence[str] = ()) -> list[str]:
    """`count` new ids P01, P02, … skipping ids already taken (P100 and on past 99)."""
    used = set(taken)
    found: list[str] = []
    number = 1
    while len(found) < count:
        pid = f"P{number:02d}"
        if pid not in used:
            found.append(pid)
        number += 1
    return found


def participant_order(codes: Sequence[str], seed: int, participant: str) -> list[str]:
    """The recordings in this participant's own order: reproducible from the workshop's seed,
    different between participants."""
    order = list(codes)
    random.Random(f"{seed}:{participant}").shuffle(order)
    return order
