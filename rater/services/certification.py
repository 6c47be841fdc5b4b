"""User actions on certification: define a test, give a rater an attempt, see who is certified.

An attempt is graded (once, append-only) as soon as the rater has submitted every recording of
it; `certification_status` and `start_attempt` grade finished attempts first.
"""

from __future__ import annotations

from rater.core import certification as core
from rater.core.codebook import parse_codebook
from rater.core.errors import Problem, RaterError
from rater.services.session import actor_name, open_store
from rater.storage import certification as store_cert
from rater.storage import gold as store_gold
from rater.storage.repository import StudyStore


def define_test(study: str, recordings: list[str], *, name: str = "certification",
                attempts: int = core.ATTEMPTS, within_one: float = core.WITHIN_ONE,
                icc: float = core.ICC,
                dimensions: dict[str, core.Thresholds] | None = None) -> dict:
    """Define a certification test on gold recordings nobody has rated yet, split into one set
    per attempt in the order given. `dimensions` overrides the thresholds of some dimensions."""
    limits = {"*": core.Thresholds(within_one, icc), **(dimensions or {})}
    for dimension, thresholds in limits.items():
        core.check_thresholds(thresholds, dimension)
    per_attempt = core.split_attempts(recordings, attempts)
    with open_store(study) as store:
        known = {d.id for d in _codebook(store).dimensions}
        unknown = sorted(set(limits) - known - {"*"})
        if unknown:
            raise RaterError(Problem(f"no dimension {', '.join(unknown)} in the codebook",
                                     "--dimension", f"choose from {', '.join(sorted(known))}"))
        store_cert.define(store, name, per_attempt, limits, attempts, actor_name())
    return test_info(study, name)


def test_info(study: str, name: str | None = None) -> dict:
    with open_store(study) as store:
        test = _test(store, name)
    return {"name": test.name, "attempts": test.attempts,
            "recordings": [list(codes) for codes in test.recordings],
            "thresholds": {d: vars(t) for d, t in test.thresholds.items()}}


def start_attempt(study: str, rater: str, test: str | None = None) -> dict:
    """Give a rater their next attempt (its recordings go to the end of their queue as gold
    items). Refused while an attempt is unfinished, once certified, or with no attempts left."""
    with open_store(study) as store:
        row = _test(store, test)
        _grade_finished(store, row)
        mine = [a for a in store_cert.attempts(store, row.id) if a.rater == rater]
        now = core.state([a.passed for a in mine], row.attempts)
        if now not in ("not_started", "can_retry"):
            raise RaterError(Problem(_refusal(rater, now, mine), rater, _next_step(now)))
        codes = store_cert.start_attempt(store, row, rater, len(mine) + 1, actor_name())
    return {"test": row.name, "rater": rater, "attempt": len(mine) + 1, "recordings": codes}


def _refusal(rater: str, now: str, mine: list[store_cert.AttemptRow]) -> str:
    return {"certified": f"{rater} is already certified",
            "in_progress": f"{rater} has not finished attempt {len(mine)} yet",
            "failed": f"{rater} has used all {len(mine)} attempts"}[now]


def _next_step(now: str) -> str:
    return {"certified": "nothing to do",
            "in_progress": "the rater finishes and submits every recording of the attempt first",
            "failed": "recalibrate the rater and define a new test for them"}[now]


def certification_status(study: str, test: str | None = None) -> dict:
    """Every rater's state and attempts (with each graded attempt's figures) for a test."""
    with open_store(study) as store:
        row = _test(store, test)
        _grade_finished(store, row)
        found = store_cert.attempts(store, row.id)
        raters = sorted(set(store_cert.rater_ids(store)) | {a.rater for a in found})
    report = {}
    for rater in raters:
        mine = [a for a in found if a.rater == rater]
        report[rater] = {
            "state": core.state([a.passed for a in mine], row.attempts),
            "attempts": [{"number": a.number, "passed": a.passed, "result": a.detail,
                          "recordings": list(row.recordings[a.number - 1])} for a in mine]}
    return {"test": row.name, "attempts_allowed": row.attempts,
            "thresholds": {d: vars(t) for d, t in row.thresholds.items()}, "raters": report}


def raters_standing(study: str) -> dict:
    """What the study window's Raters tab shows: the latest certification test's status (None
    when there is none), the drift checks, and the gold recordings a new test could use."""
    from rater.services.drift import drift_report

    with open_store(study) as store:
        has_test = bool(store_cert.tests(store))
        gold = [r["code"] for r in store_gold.gold_recordings(store)]
        names = {d.id: d.name for d in _codebook(store).dimensions}
    return {"certification": certification_status(study) if has_test else None,
            "drift": drift_report(study), "gold": gold, "dimensions": names}


def rater_states(store: StudyStore, raters: list[str] | None = None) -> dict[str, str]:
    """Each rater's (default: every known rater's) state in the latest test ('no_test' for
    everyone when there is none)."""
    found = store_cert.tests(store)
    raters = store_cert.rater_ids(store) if raters is None else raters
    if not found:
        return dict.fromkeys(raters, "no_test")
    row = found[-1]
    _grade_finished(store, row)
    attempts = store_cert.attempts(store, row.id)
    return {r: core.state([a.passed for a in attempts if a.rater == r], row.attempts)
            for r in raters}


def _grade_finished(store: StudyStore, test: store_cert.TestRow) -> None:
    """Grade every attempt whose recordings are all submitted and that has no result yet."""
    pending = [a for a in store_cert.attempts(store, test.id) if a.passed is None]
    if not pending:
        return
    dimensions = [d.id for d in _codebook(store).dimensions]
    gold = {(g.recording, g.dimension): g.score for g in store_gold.gold_scores(store)}
    for attempt in pending:
        codes = test.recordings[attempt.number - 1]
        scores = store_cert.submitted_gold_scores(store, attempt.rater)
        if any((c, d) not in scores for c in codes for d in dimensions):
            continue
        result = core.grade(gold, scores, codes, dimensions,
                            {d: test.limits(d) for d in dimensions})
        store_cert.record_result(store, attempt, test, result.passed, result.to_dict(),
                                 actor_name())


def _test(store: StudyStore, name: str | None) -> store_cert.TestRow:
    found = store_cert.tests(store)
    if name is not None:
        found = [t for t in found if t.name == name]
    if not found:
        raise RaterError(Problem(
            "no certification test" + (f" named '{name}'" if name else "") + " in this study",
            store.location, "define one with 'rater certify define'"))
    return found[-1]


def _codebook(store: StudyStore):
    return parse_codebook(store.codebook_text(), "the study's codebook")
