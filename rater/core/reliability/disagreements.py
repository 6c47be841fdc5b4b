"""The disagreement list for consensus meetings: double-coded recordings, largest gap first.

Both functions take the tidy ratings (records or a DataFrame with unit, rater, dimension, score
and optionally role) and work column-wise: a study of 5,000 recordings with 10 raters has
hundreds of thousands of scores.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

LEFT_OUT_ROLES = ("retest", "consensus")
DEFAULT_LIMIT = 100


def _independent(ratings: pd.DataFrame | Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """The independent scores: no re-tests, no consensus, no missing scores."""
    frame = ratings if isinstance(ratings, pd.DataFrame) else pd.DataFrame.from_records(
        list(ratings), columns=["unit", "rater", "dimension", "score", "role"])
    role = frame["role"].fillna("") if "role" in frame.columns else pd.Series("", frame.index)
    keep = ~role.isin(LEFT_OUT_ROLES) & frame["score"].notna()
    out = frame.loc[keep, ["unit", "rater", "dimension", "score"]].copy()
    out["role"] = role[keep]
    out["score"] = out["score"].astype(int)
    return out


def disagreements(ratings: pd.DataFrame | Iterable[Mapping[str, Any]],
                  limit: int | None = DEFAULT_LIMIT) -> tuple[list[dict], int]:
    """The `limit` units (all if None or 0) with two or more independent scores on a dimension,
    ordered by their largest gap (max - min over dimensions), then by the sum of gaps, then by
    unit; and how many such units there are in all. Re-tests and consensus are left out."""
    frame = _independent(ratings)
    spread = frame.groupby(["unit", "dimension"], sort=False)["score"].agg(["max", "min", "size"])
    spread = spread[spread["size"] >= 2]
    gap = (spread["max"] - spread["min"]).rename("gap")
    per_unit = gap.groupby(level="unit", sort=False).agg(["max", "sum"])
    order = np.lexsort((per_unit.index.to_numpy(dtype=str), -per_unit["sum"].to_numpy(),
                        -per_unit["max"].to_numpy()))
    total = len(order)
    chosen = per_unit.index[order[:limit] if limit else order]
    gaps = gap[gap.index.get_level_values("unit").isin(chosen)]
    rows = frame[frame["unit"].isin(chosen)]
    by_unit: dict[str, dict[str, dict[str, int]]] = {u: {} for u in chosen}
    for unit, dim, rater, score in zip(rows["unit"], rows["dimension"], rows["rater"],
                                       rows["score"], strict=True):
        by_unit[unit].setdefault(dim, {})[rater] = int(score)
    unit_gaps: dict[str, dict[str, int]] = {u: {} for u in chosen}
    for (unit, dim), value in gaps.items():
        unit_gaps[unit][dim] = int(value)
    listed = []
    for unit in chosen:
        these = unit_gaps[unit]
        listed.append({"unit": unit, "largest_gap": max(these.values()),
                       "total_gap": sum(these.values()), "gaps": these,
                       "scores": {d: by_unit[unit][d] for d in these}})
    return listed, total


def paired_scores(ratings: pd.DataFrame | Iterable[Mapping[str, Any]], dimension: str) -> dict:
    """Per double-coded unit, the primary and second scores (or, without roles, the first two
    raters' in the order given): the points of a rater-against-rater plot."""
    frame = _independent(ratings)
    frame = frame[frame["dimension"] == dimension]
    position = np.arange(len(frame)) + 2
    order = np.where(frame["role"] == "primary", 0,
                     np.where(frame["role"] == "second", 1, position))
    unit_order, _ = pd.factorize(frame["unit"])
    ranked = frame.assign(unit_order=unit_order, order=order).sort_values(
        ["unit_order", "order"], kind="stable")
    rank = ranked.groupby("unit_order", sort=False).cumcount().to_numpy()
    first = ranked[rank == 0].set_index("unit_order")["score"]
    second = ranked[rank == 1].set_index("unit_order")["score"]
    first = first.loc[second.index]
    return {"first": [int(s) for s in first], "second": [int(s) for s in second]}
