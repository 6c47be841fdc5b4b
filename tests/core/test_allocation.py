"""Allocation invariants for random studies (hypothesis), and the reference study's shape."""

from __future__ import annotations

from collections import Counter, defaultdict
from itertools import groupby

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rater.core.allocation import Request, Slot, allocate, double_targets
from rater.core.errors import RaterError


@st.composite
def requests(draw, min_raters=2):
    n_groups = draw(st.integers(1, 4))
    sizes = draw(st.lists(st.integers(0, 25), min_size=n_groups, max_size=n_groups))
    strata = {f"rec{g}-{i}": f"G{g}" for g, size in enumerate(sizes) for i in range(size)}
    raters = [f"R{i}" for i in range(draw(st.integers(min_raters, 6)))]
    return Request(strata=strata, raters=raters,
                   double=draw(st.sampled_from([0.0, 0.2, 0.5, 0.75, 1.0])),
                   retest=draw(st.sampled_from([0.0, 0.1, 0.2])),
                   seed=draw(st.integers(0, 2**31)))


def by_role(slots, role):
    return [s for s in slots if s.role == role]


@settings(max_examples=500, deadline=None)
@given(requests())
def test_allocation_invariants(request):
    slots = allocate(request)
    primaries = Counter(s.recording for s in by_role(slots, "primary"))
    assert set(primaries) == set(request.strata) and set(primaries.values()) <= {1}

    seconds = {s.recording: s.rater for s in by_role(slots, "second")}
    primary_of = {s.recording: s.rater for s in by_role(slots, "primary")}
    assert all(primary_of[r] != rater for r, rater in seconds.items())

    targets = {g: request.double * n for g, n in Counter(request.strata.values()).items()}
    doubled = Counter(request.strata[r] for r in seconds)
    for group, target in targets.items():
        assert abs(doubled[group] - target) <= 1

    loads = Counter(s.rater for s in slots if s.role in ("primary", "second"))
    counts = [loads[r] for r in request.raters]
    assert max(counts) - min(counts) <= 1

    positions = defaultdict(list)
    for slot in slots:
        positions[slot.rater].append(slot.position)
    for rater, places in positions.items():
        assert sorted(places) == list(range(len(places))), rater

    assert allocate(request) == slots  # the seed reproduces the allocation


@settings(max_examples=500, deadline=None)
@given(requests())
def test_retests_go_to_the_same_rater_later_and_far_from_the_first_time(request):
    slots = allocate(request)
    queue_length = Counter(s.rater for s in slots)
    first = {(s.recording, s.rater): s.position for s in slots if s.role == "primary"}
    retests = by_role(slots, "retest")
    for retest in retests:
        original = first[retest.recording, retest.rater]
        assert retest.position - original >= queue_length[retest.rater] / 3 - 1
    wanted = int(request.retest * len(request.strata) + 0.5)
    assert len(retests) <= wanted
    per_rater = Counter(s.rater for s in retests)
    if len(retests) == wanted and wanted >= len(request.raters):
        assert max(per_rater[r] for r in request.raters) - min(
            per_rater[r] for r in request.raters) <= 1


@settings(max_examples=500, deadline=None)
@given(requests(), st.integers(1, 12), st.integers(0, 2))
def test_extension_keeps_finished_work(request, more_recordings, more_raters):
    before = allocate(request)
    strata = dict(request.strata)
    strata.update({f"new-{i}": f"G{i % 2}" for i in range(more_recordings)})
    raters = [*request.raters, *(f"N{i}" for i in range(more_raters))]
    extended = Request(strata=strata, raters=raters, double=request.double,
                       retest=request.retest, seed=request.seed + 1)
    added = allocate(extended, existing=before)
    assert not set(added) & set(before)
    everything = before + added
    primaries = Counter(s.recording for s in by_role(everything, "primary"))
    assert set(primaries) == set(strata) and set(primaries.values()) == {1}
    for rater in raters:  # new work goes after the old in each queue, positions stay unique
        old = [s.position for s in before if s.rater == rater]
        new = [s.position for s in added if s.rater == rater]
        assert not old or not new or min(new) > max(old)
        assert len(set(old + new)) == len(old + new)
    assert allocate(extended, existing=everything) == []


def test_groups_are_interleaved_in_each_queue():
    strata = {f"la1-{i}": "LA1" for i in range(18)} | {f"la2-{i}": "LA2" for i in range(15)}
    slots = allocate(Request(strata=strata, raters=["A", "B", "C"], double=0.5, seed=4))
    for rater in "ABC":
        queue = sorted((s for s in slots if s.rater == rater), key=lambda s: s.position)
        groups = [strata[s.recording] for s in queue]
        longest = max(len(list(run)) for _, run in groupby(groups))
        assert longest <= 2, groups


def test_reference_study_shape():
    """18 + 15 recordings, half double-coded in proportion, three raters (Forrester et al. 2013)."""
    strata = {f"la1-{i}": "LA1" for i in range(18)} | {f"la2-{i}": "LA2" for i in range(15)}
    assert double_targets(strata, 0.5) == {"LA1": 9, "LA2": 8}
    slots = allocate(Request(strata=strata, raters=["A", "B", "C"], double=0.5, seed=1))
    pairs = Counter(frozenset((p.rater, s.rater)) for p in slots for s in slots
                    if p.role == "primary" and s.role == "second" and p.recording == s.recording)
    assert max(pairs.values()) - min(pairs.values()) <= 1 and len(pairs) == 3


def test_gold_recordings_reach_every_rater_spread_out():
    strata = {f"r{i}": "" for i in range(20)}
    slots = allocate(Request(strata=strata, raters=["A", "B"], double=0, gold=["g1", "g2"]))
    for rater in "AB":
        queue = sorted((s for s in slots if s.rater == rater), key=lambda s: s.position)
        places = [i for i, s in enumerate(queue) if s.role == "gold"]
        assert len(places) == 2 and places[0] > 0 and places[1] - places[0] > 3


@pytest.mark.parametrize("request_, words", [
    (Request(strata={"a": ""}, raters=[]), "no raters"),
    (Request(strata={"a": ""}, raters=["A", "A"]), "twice"),
    (Request(strata={"a": ""}, raters=["A"], double=0.5), "two raters"),
    (Request(strata={"a": ""}, raters=["A", "B"], double=1.5), "between 0 and 1"),
    (Request(strata={"a": ""}, raters=["A", "B"], gold=["a"]), "gold"),
])
def test_bad_requests_are_refused_clearly(request_, words):
    with pytest.raises(RaterError, match=words):
        allocate(request_)


def test_a_rater_with_work_cannot_be_dropped():
    with pytest.raises(RaterError, match="have work"):
        allocate(Request(strata={"a": ""}, raters=["B"], double=0),
                 existing=[Slot("a", "A", "primary", 0)])


def test_gold_rate_gives_a_share_of_gold_inserts_to_the_named_raters_only():
    strata = {str(i): "" for i in range(30)}
    gold = [f"g{i}" for i in range(20)]
    request = Request(strata=strata, raters=["A", "B"], double=0, gold=gold, seed=3,
                      gold_rate=0.1, gold_raters=["A"])
    slots = allocate(request)
    golds = {r: [s for s in slots if s.rater == r and s.role == "gold"] for r in "AB"}
    assert len(golds["A"]) == round(15 * 0.1 / 0.9) == 2 and golds["B"] == []
    assert len({s.recording for s in golds["A"]}) == 2
    with pytest.raises(RaterError, match="gold rate"):
        allocate(Request(strata=strata, raters=["A"], double=0, gold=gold, gold_rate=1.5))
