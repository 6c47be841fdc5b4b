"""The disagreement list for consensus meetings: double-coded recordings, largest gap first."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any


def disagreements(ratings: Iterable[Mapping[str, Any]], limit: int | None = None) -> list[dict]:
    """Units with two or more independent scores on a dimension, ordered by their largest gap
    (max - min over dimensions), then by the sum of gaps. Re-tests and consensus are left out."""
    scores: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for row in ratings:
        if row.get("role", "") in ("retest", "consensus") or row.get("score") is None:
            continue
        scores[row["unit"]][row["dimension"]][row["rater"]] = int(row["score"])
    listed = []
    for unit, by_dimension in scores.items():
        gaps = {d: max(s.values()) - min(s.values()) for d, s in by_dimension.items()
                if len(s) >= 2}
        if gaps:
            listed.append({"unit": unit, "largest_gap": max(gaps.values()),
                           "total_gap": sum(gaps.values()), "gaps": gaps,
                           "scores": {d: by_dimension[d] for d in gaps}})
    listed.sort(key=lambda item: (-item["largest_gap"], -item["total_gap"], item["unit"]))
    return listed[:limit] if limit else listed


def paired_scores(ratings: Iterable[Mapping[str, Any]], dimension: str) -> dict:
    """Per double-coded unit, the primary and second scores (or, without roles, the first two
    raters' in the order given): the points of a rater-against-rater plot."""
    by_unit: dict[str, list[tuple[int, int]]] = defaultdict(list)
    order = {"primary": 0, "second": 1}
    for i, row in enumerate(ratings):
        if row["dimension"] == dimension and row.get("score") is not None and \
                row.get("role", "") not in ("retest", "consensus"):
            by_unit[row["unit"]].append((order.get(row.get("role", ""), 2 + i), int(row["score"])))
    pairs = [sorted(scores)[:2] for scores in by_unit.values() if len(scores) >= 2]
    return {"first": [p[0][1] for p in pairs], "second": [p[1][1] for p in pairs]}
