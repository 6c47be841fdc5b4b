"""Researcher actions after rating: consensus, unblinding, group comparison
(`rater consensus`, `rater unblind`, `rater compare`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from rater.core.analysis import (
    DEFAULT_METHOD,
    SCORE_METHODS,
    analysis_scores,
    check_method,
    compare_groups,
    paper_table,
)
from rater.core.codebook import Codebook, Dimension, parse_codebook
from rater.core.errors import Problem, RaterError
from rater.services.reliability import study_reliability
from rater.services.session import actor_name, open_store
from rater.storage import analysis as data
from rater.storage.repository import StudyStore

DEFAULT_THRESHOLD = 2


# ---------------------------------------------------------------------------------------------
# shared with exports

def study_codebook(store: StudyStore) -> Codebook:
    return parse_codebook(store.codebook_text(), "study codebook")


def ratings_frame(rows: list[data.RatingRow]) -> pd.DataFrame:
    """The submitted ratings as a table (recording = recording id)."""
    columns = ["recording", "code", "rater", "role", "dimension", "score"]
    return pd.DataFrame([(r.recording_id, r.code, r.rater, r.role, r.dimension, r.score)
                         for r in rows], columns=columns)


def consensus_frame(rows: list[data.ConsensusRow]) -> pd.DataFrame:
    return pd.DataFrame([(c.recording_id, c.dimension, c.score) for c in rows],
                        columns=["recording", "dimension", "score"])


# ---------------------------------------------------------------------------------------------
# consensus

def consensus_list(study: str, threshold: int = DEFAULT_THRESHOLD) -> list[dict[str, Any]]:
    """Double-coded recordings and dimensions whose primary and second scores differ by at
    least `threshold`, or that already have a consensus score."""
    if threshold < 1:
        raise RaterError(Problem("the threshold must be 1 or more", "--threshold",
                                 "give the smallest difference to adjudicate, e.g. 2"))
    with open_store(study) as store:
        ratings = ratings_frame(data.submitted_ratings(store))
        agreed = {(c.code, c.dimension): c for c in data.latest_consensus(store)}
    pairs = _pairs(ratings)
    out = []
    for (code, dimension), pair in pairs.items():
        consensus = agreed.get((code, dimension))
        difference = abs(pair["primary"][1] - pair["second"][1])
        if difference >= threshold or consensus:
            out.append({"recording": code, "dimension": dimension,
                        "primary": {"rater": pair["primary"][0], "score": pair["primary"][1]},
                        "second": {"rater": pair["second"][0], "score": pair["second"][1]},
                        "difference": difference,
                        "consensus": _consensus_dict(consensus) if consensus else None})
    return out


def _pairs(ratings: pd.DataFrame) -> dict[tuple[str, str], dict[str, tuple[str, int]]]:
    pairs: dict[tuple[str, str], dict[str, tuple[str, int]]] = {}
    for row in ratings[ratings["role"].isin(("primary", "second"))].itertuples():
        pairs.setdefault((row.code, row.dimension), {})[row.role] = (row.rater, int(row.score))
    return {key: pair for key, pair in sorted(pairs.items()) if len(pair) == 2}


@dataclass(frozen=True)
class ConsensusCase:
    """Everything an adjudicator weighs for one recording and dimension."""

    code: str
    dimension: Dimension  # its name, definition and anchors
    labels: dict[int, str]  # the scale's level labels
    ratings: tuple[tuple[str, str, int], ...]  # (role, rater, score): primary, then second
    notes: tuple[data.NoteRow, ...]  # both raters' notes on the recording, by rater and time
    audio: str | None  # the blinded copy (None when it is not on this machine)
    agreed: dict[str, Any] | None  # the latest consensus, if there is one


def consensus_case(study: str, code: str, dimension: str) -> ConsensusCase:
    """The two ratings, the raters' notes, the anchors and the audio of one disagreement."""
    with open_store(study) as store:
        codebook = study_codebook(store)
        pair = _pairs(ratings_frame(data.submitted_ratings(store))).get((code, dimension))
        agreed = next((c for c in data.latest_consensus(store)
                       if (c.code, c.dimension) == (code, dimension)), None)
        audio, notes = data.recording_material(store, code)
    found = [d for d in codebook.dimensions if d.id == dimension]
    if not found:
        raise RaterError(Problem(f"the codebook has no dimension '{dimension}'", "--dimension",
                                 "use a dimension id from the codebook"))
    if pair is None:
        raise RaterError(Problem(f"{code} has no pair of submitted {dimension} ratings", code,
                                 "wait for both raters to submit"))
    ratings = tuple((role, *pair[role]) for role in ("primary", "second"))
    return ConsensusCase(code, found[0], dict(codebook.scale.labels), ratings, tuple(notes),
                         audio, _consensus_dict(agreed) if agreed else None)


def _consensus_dict(row: data.ConsensusRow) -> dict[str, Any]:
    return {"score": row.score, "reason": row.reason, "by": row.who, "at": row.at.isoformat()}


def set_consensus(study: str, code: str, dimension: str, score: int,
                  reason: str) -> dict[str, Any]:
    """Record the agreed score of one double-coded recording and dimension (the independent
    ratings stay unchanged; a later consensus replaces an earlier one, both are kept)."""
    with open_store(study) as store:
        row = data.add_consensus(store, code, dimension, score, reason, actor_name())
    return {"recording": code, "dimension": dimension, **_consensus_dict(row)}


# ---------------------------------------------------------------------------------------------
# unblinding

def unblind_study(study: str, reason: str) -> dict[str, Any]:
    """Unblind (logged: who, when, why); from now on hidden fields join analysis and exports."""
    with open_store(study) as store:
        result = data.unblind(store, reason, actor_name())
        return {**result, **data.unblinding(store)}


# ---------------------------------------------------------------------------------------------
# comparison

def compare(study: str, by: str, score: str = DEFAULT_METHOD,
            groups: list[str] | None = None) -> dict[str, Any]:
    """Compare the groups of metadata field `by` on every dimension (see core.analysis).

    A hidden field is refused until the study is unblinded: its values are the key.
    """
    check_method(score)
    with open_store(study) as store:
        values = {k: v for k, v in data.group_values(store, by).items() if v.strip()}
        codebook = study_codebook(store)
        ratings = ratings_frame(data.submitted_ratings(store))
        consensus = consensus_frame(data.latest_consensus(store))
    if ratings.empty:
        raise RaterError(Problem("the study has no submitted ratings", study,
                                 "rate, import packs or import ratings first"))
    report = study_reliability(study)  # of the independent ratings, never of consensus
    scores = analysis_scores(ratings, consensus, score)
    dimensions = [d.id for d in codebook.dimensions]
    result = compare_groups(scores, values, dimensions, groups)
    names = {d.id: d.name for d in codebook.dimensions}
    for dim, entry in result["dimensions"].items():
        entry["name"] = names[dim]
        entry["reliability"] = _verdict(report["dimensions"].get(dim))
    return {"by": by, "score": score, "score_method": SCORE_METHODS[score],
            "scale": {"min": codebook.scale.min, "max": codebook.scale.max},
            **result, "table": paper_table(result, names)}


def _verdict(dimension: dict[str, Any] | None) -> dict[str, Any] | None:
    if dimension is None:
        return None
    criterion = dimension["criterion"]
    return {"statistic": criterion["statistic"], "threshold": criterion["threshold"],
            "value": criterion["value"], "ci95": criterion["ci95"],
            "passed": criterion["passed"], "n_units": dimension["n_units"],
            "summary": criterion["summary"]}
