"""User actions on drift checks: each rater's agreement with gold over time (rolling window
over their gold inserts), flags below the certification threshold, and a recalibration pack.
"""

from __future__ import annotations

import math

from rater.core import certification as core
from rater.services.session import open_store
from rater.storage import certification as store_cert
from rater.storage import gold as store_gold


def drift_report(study: str, window: int = core.WINDOW) -> dict:
    """Per rater: the within-one share of each gold insert and over the rolling window, in queue
    order; flagged from the first full window below the latest test's within-one threshold
    (0.8 without a test). Certification recordings are left out. `missed`: the gold items with
    a score two or more points off (what a recalibration pack holds)."""
    with open_store(study) as store:
        tests = store_cert.tests(store)
        threshold = tests[-1].limits("*").within_one if tests else core.WITHIN_ONE
        gold = {(g.recording, g.dimension): g.score for g in store_gold.gold_scores(store)}
        work = store_cert.gold_work(store, store_cert.certification_codes(store))
    raters: dict[str, dict] = {}
    for rater in sorted({w.rater for w in work}):
        mine = [w for w in work if w.rater == rater]
        items = [(w.position, w.code, [(s, gold[(w.code, d)]) for d, s in w.scores.items()
                                       if (w.code, d) in gold]) for w in mine]
        series = core.drift_series([i for i in items if i[2]], threshold, window)
        first = next((p for p in series if p.flagged), None)
        raters[rater] = {
            "flagged": first is not None,
            "flagged_at": None if first is None else {"position": first.position,
                                                      "code": first.code},
            "latest": _number(series[-1].rolling) if series else None,
            "points": [{"position": p.position, "code": p.code,
                        "within_one": _number(p.within_one), "rolling": _number(p.rolling),
                        "flagged": p.flagged} for p in series],
            "missed": [code for _, code, pairs in items
                       if any(abs(s - g) >= 2 for s, g in pairs)]}
    return {"threshold": threshold, "window": window, "raters": raters}


def _number(x: float) -> float | None:
    return x if math.isfinite(x) else None
