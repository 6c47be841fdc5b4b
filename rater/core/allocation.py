"""Who rates what, in which order: seeded, reproducible, balanced.

- Every recording gets one primary rater; a share (stratified by a hidden field, so each group
  is double-coded in proportion) also gets a second, different rater.
- Loads (primary + second) differ by at most one between raters; pairs and the groups each
  rater hears are balanced by tie-breaks.
- Each rater's queue is in random order that interleaves the groups (no long runs of one group).
- A re-test share goes again to the same rater, in the second half of the queue and at least a
  third of the queue after the first time; gold recordings are spread through every queue.
- Extending an allocation keeps every existing assignment and its position.
"""

from __future__ import annotations

import math
import random
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rater.core.errors import Problem, RaterError


@dataclass(frozen=True)
class Slot:
    """One recording in one rater's queue."""

    recording: str
    rater: str
    role: str  # primary | second | retest | gold
    position: int


@dataclass(frozen=True)
class Request:
    """What to allocate. `strata` maps every research recording to its group (or '' for none)."""

    strata: Mapping[str, str]
    raters: Sequence[str]
    double: float = 0.5
    retest: float = 0.0
    gold: Sequence[str] = ()
    seed: int = 0
    # Drift checks: with a rate, each rater in `gold_raters` (None: every rater) gets that share
    # of their new queue as gold inserts drawn from `gold`, instead of every gold recording.
    gold_rate: float | None = None
    gold_raters: Sequence[str] | None = None


def allocate(request: Request, existing: Sequence[Slot] = ()) -> list[Slot]:
    """The new slots that complete `existing` for this request (all slots when it is empty)."""
    _validate(request, existing)
    rng = random.Random(request.seed)
    state = _State.from_slots(request, existing)
    new = _assign_raters(request, state, rng)
    new += _gold_slots(request, state, new, rng)
    retests = _retest_counts(request, state, new, rng)
    return _place(new, retests, state, request, rng)


def _gold_slots(request: Request, state: _State, new: list[Slot],
                rng: random.Random) -> list[Slot]:
    """Every gold recording for every rater, or with a rate a seeded sample per rater."""
    if request.gold_rate is None:
        return [Slot(g, r, "gold", 0) for r in request.raters for g in request.gold
                if (g, r) not in state.gold_done]
    slots = []
    for rater in request.raters:
        if request.gold_raters is not None and rater not in request.gold_raters:
            continue
        work = sum(s.rater == rater for s in new)
        left = [g for g in request.gold if (g, rater) not in state.gold_done]
        count = min(gold_insert_count(work, request.gold_rate), len(left))
        slots += [Slot(g, rater, "gold", 0) for g in rng.sample(left, count)]
    return slots


def gold_insert_count(study_items: int, rate: float) -> int:
    """How many gold inserts a queue of `study_items` gets at `rate` (one in 1/rate)."""
    if not 0 <= rate < 1:
        raise RaterError(Problem(f"gold rate {rate}", "--gold-rate",
                                 "give a share between 0 and 1, e.g. 0.1 for one in ten"))
    return round(study_items * rate / (1 - rate))


def double_targets(strata: Mapping[str, str], share: float) -> dict[str, int]:
    """How many recordings of each stratum to double-code: within one of share × size, and the
    total is the rounded share of all (largest-remainder apportionment)."""
    sizes = Counter(strata.values())
    exact = {s: share * n for s, n in sizes.items()}
    targets = {s: math.floor(x) for s, x in exact.items()}
    remaining = math.floor(share * len(strata) + 0.5) - sum(targets.values())
    by_remainder = sorted(exact, key=lambda s: (-(exact[s] - targets[s]), s))
    for stratum in by_remainder[:max(0, remaining)]:
        targets[stratum] += 1
    return targets


# -- state of an allocation --------------------------------------------------------------------

@dataclass
class _State:
    load: Counter
    primaries: Counter
    group_load: Counter  # (rater, stratum) -> count
    pairs: Counter  # frozenset({a, b}) -> count
    primary_of: dict[str, str]
    second_of: dict[str, str]
    retested: set[str]
    gold_done: set[tuple[str, str]]
    last_position: dict[str, int]

    @classmethod
    def from_slots(cls, request: Request, slots: Sequence[Slot]) -> _State:
        state = cls(Counter({r: 0 for r in request.raters}), Counter(), Counter(), Counter(),
                    {}, {}, set(), set(), defaultdict(lambda: -1))
        for slot in slots:
            state.last_position[slot.rater] = max(state.last_position[slot.rater], slot.position)
            if slot.role == "primary":
                state.primary_of[slot.recording] = slot.rater
            elif slot.role == "second":
                state.second_of[slot.recording] = slot.rater
            elif slot.role == "retest":
                state.retested.add(slot.recording)
            elif slot.role == "gold":
                state.gold_done.add((slot.recording, slot.rater))
            if slot.role in ("primary", "second"):
                state.count(slot.recording, slot.rater, slot.role, request.strata)
        for recording, second in state.second_of.items():
            if recording in state.primary_of:
                state.pairs[frozenset((state.primary_of[recording], second))] += 1
        return state

    def count(self, recording: str, rater: str, role: str, strata: Mapping[str, str]) -> None:
        self.load[rater] += 1
        self.primaries[rater] += role == "primary"
        self.group_load[rater, strata.get(recording, "")] += 1


def _validate(request: Request, existing: Sequence[Slot]) -> None:
    problems = []
    if len(request.raters) < 1:
        problems.append(Problem("no raters given", "--raters", "name at least one rater"))
    if len(set(request.raters)) != len(request.raters):
        problems.append(Problem("a rater is named twice", "--raters", "name each rater once"))
    if not 0 <= request.double <= 1:
        problems.append(Problem(f"double-coding share {request.double} is not between 0 and 1",
                                "--double", "give a share such as 0.5"))
    if request.double > 0 and len(request.raters) < 2:
        problems.append(Problem("double-coding needs at least two raters", "--raters",
                                "add a second rater, or use --double 0"))
    if not 0 <= request.retest <= 1:
        problems.append(Problem(f"re-test share {request.retest} is not between 0 and 1",
                                "--retest", "give a share such as 0.1"))
    overlap = set(request.gold) & set(request.strata)
    if overlap:
        problems.append(Problem(f"{len(overlap)} gold recording(s) are also study recordings",
                                "--gold", "gold recordings come from a trainer's set"))
    # only study work binds a rater to the allocation (gold: training, certification)
    unknown = {s.rater for s in existing if s.role != "gold"} - set(request.raters)
    if unknown:
        problems.append(Problem(f"rater(s) {', '.join(sorted(unknown))} have work but are not "
                                "in the list", "--raters",
                                "keep every rater who already has assignments"))
    if problems:
        raise RaterError(problems)


# -- choosing raters ---------------------------------------------------------------------------

def _interleaved(items: Sequence[str], strata: Mapping[str, str], rng: random.Random) -> list[str]:
    """Items in random order within each group, the groups spread evenly (smooth round-robin)."""
    groups: dict[str, list[str]] = defaultdict(list)
    for item in items:
        groups[strata.get(item, "")].append(item)
    order = sorted(groups)
    rng.shuffle(order)
    for name in order:
        rng.shuffle(groups[name])
    total = len(items)
    credit = dict.fromkeys(order, 0.0)
    result = []
    while len(result) < total:
        for name in order:
            credit[name] += len(groups[name]) / total if groups[name] else 0
        chosen = max((n for n in order if groups[n]), key=lambda n: credit[n])
        credit[chosen] -= 1
        result.append(groups[chosen].pop())
    return result


def _assign_raters(request: Request, state: _State, rng: random.Random) -> list[Slot]:
    strata = request.strata
    targets = double_targets(strata, request.double)
    doubled = Counter(strata[r] for r in state.second_of if r in strata)
    unallocated = [r for r in sorted(strata) if r not in state.primary_of]
    candidates = _interleaved(unallocated, strata, rng)
    to_double = []
    for recording in candidates:
        stratum = strata[recording]
        if doubled[stratum] < targets.get(stratum, 0):
            doubled[stratum] += 1
            to_double.append(recording)
    singles = [r for r in candidates if r not in set(to_double)]
    slots = []
    for recording in to_double:  # the constrained ones first, while loads are still even
        first, second = _least_loaded(request.raters, state, strata[recording], rng, 2)
        if (state.primaries[first], first) > (state.primaries[second], second):
            first, second = second, first
        for rater, role in ((first, "primary"), (second, "second")):
            state.count(recording, rater, role, strata)
            slots.append(Slot(recording, rater, role, 0))
        state.pairs[frozenset((first, second))] += 1
        state.primary_of[recording], state.second_of[recording] = first, second
    for recording in singles:
        (rater,) = _least_loaded(request.raters, state, strata[recording], rng, 1)
        state.count(recording, rater, "primary", strata)
        state.primary_of[recording] = rater
        slots.append(Slot(recording, rater, "primary", 0))
    return slots


def _least_loaded(raters: Sequence[str], state: _State, stratum: str, rng: random.Random,
                  how_many: int) -> list[str]:
    """The raters with the least work; ties go to who has heard least of this group, then to
    the pair used least, then by chance."""
    noise = {r: rng.random() for r in raters}
    ranked = sorted(raters, key=lambda r: (state.load[r], state.group_load[r, stratum], noise[r]))
    if how_many == 1:
        return ranked[:1]
    first = ranked[0]
    lowest = state.load[ranked[1]]
    partners = [r for r in ranked[1:] if state.load[r] == lowest]
    second = min(partners, key=lambda r: (state.pairs[frozenset((first, r))],
                                          state.group_load[r, stratum], noise[r]))
    return [first, second]


def _retest_counts(request: Request, state: _State, new: Sequence[Slot],
                   rng: random.Random) -> Counter:
    """How many re-test items each rater gets: the share of all recordings, spread evenly."""
    wanted = math.floor(request.retest * len(request.strata) + 0.5) - len(state.retested)
    room = Counter(s.rater for s in new if s.role == "primary")
    raters = list(request.raters)
    rng.shuffle(raters)
    counts: Counter = Counter()
    while wanted > 0 and any(room[r] > 2 * counts[r] for r in raters):
        for rater in raters:  # at most half of a rater's new primaries, so each comes early
            if wanted > 0 and room[rater] > 2 * counts[rater]:
                counts[rater] += 1
                wanted -= 1
    return counts


# -- ordering each queue -----------------------------------------------------------------------

def _place(new: Sequence[Slot], retests: Counter, state: _State, request: Request,
           rng: random.Random) -> list[Slot]:
    by_rater: dict[str, list[Slot]] = defaultdict(list)
    for slot in new:
        by_rater[slot.rater].append(slot)
    placed = []
    for rater in request.raters:
        queue = _queue(by_rater[rater], retests[rater], request.strata, rng)
        start = state.last_position[rater] + 1
        placed += [Slot(s.recording, s.rater, s.role, start + i) for i, s in enumerate(queue)]
    return placed


def _queue(slots: Sequence[Slot], retests: int, strata: Mapping[str, str],
           rng: random.Random) -> list[Slot]:
    """One rater's new work in order: interleaved groups, then re-tests and gold slipped in."""
    by_recording = {s.recording: s for s in slots if s.role in ("primary", "second")}
    order = [by_recording[r] for r in _interleaved(list(by_recording), strata, rng)]
    golds = [s for s in slots if s.role == "gold"]
    final = len(order) + retests + len(golds)
    gap = math.ceil(final / 3)  # of the finished queue: later insertions only widen it
    early = [s for s in order[: max(0, len(order) - gap + 1)] if s.role == "primary"]
    for first in sorted(rng.sample(early, min(retests, len(early))),
                        key=order.index, reverse=True):
        order.insert(_retest_position(order, order.index(first), gap, rng),
                     Slot(first.recording, first.rater, "retest", 0))
    rng.shuffle(golds)
    spacing = len(order) / (len(golds) + 1)
    for i, gold in enumerate(golds):  # evenly spread: the i earlier golds shift each place by i
        order.insert(round((i + 1) * spacing) + i, gold)
    return order


def _retest_position(order: list[Slot], first: int, gap: int, rng: random.Random) -> int:
    """Somewhere in the second half, at least `gap` places after the first time."""
    earliest = max(first + gap, (len(order) + 1) // 2)
    return rng.randint(min(earliest, len(order)), len(order))
