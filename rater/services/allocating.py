"""User action: decide who rates what, in which order (`rater study allocate`)."""

from __future__ import annotations

import secrets
from collections import Counter

from rater.core.allocation import Request, Slot, allocate
from rater.core.blind_codes import new_code
from rater.core.errors import Problem, RaterError
from rater.core.precision import planned_precision
from rater.services.certification import rater_states
from rater.services.session import actor_name, open_store
from rater.storage import certification as store_cert

ASSUMED_RELIABILITY = (0.7, 0.8)


def allocate_study(study: str, raters: list[str], *, double: float = 0.5, retest: float = 0.0,
                   stratify: str | None = None, seed: int | None = None,
                   require_certified: bool = False, gold_rate: float | None = None) -> dict:
    """Allocate every unallocated recording (and any new rater); return the allocation report.

    Existing assignments are never changed, so this also extends an allocation when
    recordings or raters are added later. `require_certified` refuses raters not certified by
    the latest certification test; with `gold_rate` each certified rater (every rater when the
    study has no test) gets that share of gold inserts as drift checks. Certification
    recordings are never given out here.
    """
    seed = secrets.randbelow(2**31) if seed is None else seed
    with open_store(study) as store:
        recordings = store.recordings("study")
        _check_blinded(recordings)
        strata = _strata(store, recordings, stratify)
        states = rater_states(store, raters)
        if require_certified:
            _check_certified(raters, states)
        kept = store_cert.certification_codes(store)
        gold = [str(r.id) for r in store.recordings("gold") if r.blind_code not in kept]
        drift = None if set(states.values()) <= {"no_test"} else [
            r for r in raters if states[r] == "certified"]
        request = Request(strata=strata, raters=raters, double=double, retest=retest,
                          gold=gold, seed=seed, gold_rate=gold_rate,
                          gold_raters=drift if gold_rate is not None else None)
        existing = store.slots()
        new = allocate(request, existing)
        codes = {str(r.id): r.blind_code for r in store.recordings(None)}
        report = allocation_report(existing + new, strata, seed, stratify)  # before storing
        store.add_assignments(_with_codes(new, codes, store.used_codes()), raters, actor_name(),
                              {"raters": raters, "double": double, "retest": retest,
                               "stratify": stratify, "seed": seed})
    report["certification"] = states
    return report


def _check_certified(raters: list[str], states: dict[str, str]) -> None:
    missing = [r for r in raters if states[r] != "certified"]
    if missing:
        listed = ", ".join(f"{r} ({states[r].replace('_', ' ')})"
                           for r in missing)
        raise RaterError(Problem(f"not certified: {listed}", "--require-certified",
                                 "certify them first ('rater certify assign', then "
                                 "'rater certify status'), or leave them out of --raters"))


def _check_blinded(recordings) -> None:
    if not recordings:
        raise RaterError(Problem("the study has no recordings", "allocate",
                                 "import recordings first with 'rater study import'"))
    unblinded = [r.original_name for r in recordings if not r.blind_code]
    if unblinded:
        raise RaterError(Problem(f"{len(unblinded)} recording(s) have no blind code yet",
                                 "allocate", "run 'rater study blind' first"))


def _strata(store, recordings, stratify: str | None) -> dict[str, str]:
    if stratify is None:
        return {str(r.id): "" for r in recordings}
    fields = store.metadata_fields()
    if stratify not in fields:
        raise RaterError(Problem(f"no metadata field '{stratify}'", "--stratify",
                                 f"choose one of: {', '.join(fields) or '(none imported)'}"))
    values = store.metadata_values(stratify)
    return {str(r.id): values.get(r.id, "") for r in recordings}


def _with_codes(slots: list[Slot], codes: dict[str, str], taken: set[str]):
    """Each slot with the code its rater sees: the recording's, or a fresh one for a re-test."""
    result = []
    for slot in slots:
        if slot.role == "retest":
            code = new_code(taken)
            taken.add(code)
        else:
            code = codes[slot.recording]
        result.append((slot, code))
    return result


def allocation_report(slots: list[Slot], strata: dict[str, str], seed: int,
                      stratify: str | None) -> dict:
    """Counts per rater × group and role, pairs, and the precision the double-coding buys."""
    per_rater: dict[str, Counter] = {}
    for slot in slots:
        counts = per_rater.setdefault(slot.rater, Counter())
        counts[slot.role] += 1
        if slot.role in ("primary", "second"):
            counts[f"group:{strata.get(slot.recording, '')}"] += 1
    primary = {s.recording: s.rater for s in slots if s.role == "primary"}
    pairs = Counter(" & ".join(sorted((primary[s.recording], s.rater)))
                    for s in slots if s.role == "second")
    double_coded = sum(pairs.values())
    return {
        "seed": seed,
        "stratified_by": stratify,
        "recordings": len(strata),
        "double_coded": double_coded,
        "double_coded_by_group": dict(Counter(strata[s.recording] for s in slots
                                              if s.role == "second")),
        "raters": {rater: dict(sorted(c.items())) for rater, c in sorted(per_rater.items())},
        "pairs": dict(sorted(pairs.items())),
        "precision": [planned_precision(double_coded, a) for a in ASSUMED_RELIABILITY],
    }


def assign_gold(study: str, rater: str, recordings: list[str]) -> int:
    """Give a rater recordings to rate as gold items (training, drift checks), in this order,
    after whatever they have already; recordings by original file name or blind code."""
    with open_store(study) as store:
        everything = store.recordings(None)
        by_name = {r.original_name: r for r in everything}
        by_name |= {r.blind_code: r for r in everything if r.blind_code}
        unknown = [name for name in recordings if name not in by_name]
        if unknown:
            raise RaterError(Problem(f"no recording {', '.join(unknown[:5])} in the study",
                                     "gold", "name recordings by file name or blind code"))
        _check_blinded([by_name[name] for name in recordings])
        existing = store.slots()
        done = {s.recording for s in existing if s.rater == rater and s.role == "gold"}
        start = 1 + max((s.position for s in existing if s.rater == rater), default=-1)
        new = [by_name[name] for name in recordings if str(by_name[name].id) not in done]
        slots = [(Slot(str(r.id), rater, "gold", start + i), r.blind_code)
                 for i, r in enumerate(new)]
        store.add_assignments(slots, [rater], actor_name(), {"gold_for": rater})
        return len(slots)
