"""User action: how well do the raters agree? (`rater reliability`, the dashboard)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from rater.core.codebook import default_codebook_path, load_codebook, parse_codebook
from rater.core.errors import Problem, RaterError
from rater.core.precision import units_for_lower_bound
from rater.core.reliability.csv_input import parse_scale, read_ratings_csv
from rater.core.reliability.disagreements import DEFAULT_LIMIT, disagreements, paired_scores
from rater.core.reliability.report import reliability_report
from rater.core.reliability.verdict import Criterion
from rater.core.reliability.wording import state as verdict_state


def study_reliability(study: str, criterion: str | None = None, seed: int = 0,
                      resamples: int = 1000, disagreement_limit: int | None = DEFAULT_LIMIT,
                      with_paired_scores: bool = False) -> dict:
    """The full report for a study; a criterion given here is stored as the study's own.

    The disagreement list holds the `disagreement_limit` largest (all if None or 0); each
    dimension's paired scores (the points of the plots) are added only when asked for.
    """
    from rater.services.session import open_store  # the database layer: not for CSV mode
    from rater.storage import analysis as analysis_data
    from rater.storage import reliability as queries

    with open_store(study) as store:
        if criterion is not None:
            criterion = str(Criterion.parse(criterion))
            queries.set_criterion(store, criterion)
        criterion = criterion or store.study().criterion
        ratings = pd.DataFrame.from_records(
            [(r.code, r.rater, r.dimension, r.score, r.role)
             for r in analysis_data.submitted_ratings(store)],
            columns=["unit", "rater", "dimension", "score", "role"])
        scale = queries.scale_bounds(store)
        guesses = queries.guesses_with_truth(store)
        names = {d.id: d.name for d in parse_codebook(store.codebook_text(),
                                                       "the study's codebook").dimensions}
    if ratings.empty:
        raise RaterError(Problem("no submitted ratings yet", study,
                                 "import returned packs or ratings first"))
    report = reliability_report(ratings, scale, criterion=criterion, seed=seed,
                                resamples=resamples, guesses=guesses or None)
    _finish(report, ratings, disagreement_limit, with_paired_scores)
    _in_codebook_order(report, names)
    from rater.services.drift import drift_report  # the database layer: not for CSV mode

    drift = drift_report(study)
    if drift["raters"]:
        report["drift"] = drift
    return report


def _in_codebook_order(report: dict, names: dict[str, str]) -> None:
    """Dimensions in the codebook's order, with their names (`dimension_names`)."""
    found = report["dimensions"]
    order = [d for d in names if d in found] + [d for d in found if d not in names]
    report["dimensions"] = {d: found[d] for d in order}
    report["dimension_names"] = {d: names.get(d, d) for d in order}


def _finish(report: dict, ratings: pd.DataFrame, limit: int | None, with_paired: bool) -> None:
    """Add the disagreement list, what a dimension not yet shown to pass would need, and if
    asked each dimension's paired scores for the plots."""
    report["disagreements"], report["disagreements_total"] = disagreements(ratings, limit)
    for result in report["dimensions"].values():
        judged = result["criterion"]
        result["criterion"]["units_needed"] = units_for_lower_bound(
            judged["statistic"], judged["value"], judged["threshold"]) \
            if verdict_state(judged) == "not_shown" else None
    if with_paired:
        for dimension, result in report["dimensions"].items():
            result["paired_scores"] = paired_scores(ratings, dimension)


def csv_reliability(path: Path, scale: str | None = None, criterion: str = "pearson_r:0.7",
                    seed: int = 0, resamples: int = 1000,
                    disagreement_limit: int | None = DEFAULT_LIMIT,
                    with_paired_scores: bool = False) -> dict:
    """The report for a ratings CSV (no study needed)."""
    try:
        ratings = read_ratings_csv(path.read_bytes(), str(path))
    except OSError as exc:
        raise RaterError(Problem(f"cannot read the ratings file ({exc.strerror})", str(path),
                                 "check the path given to --ratings")) from None
    report = reliability_report(ratings, _scale_for(ratings, scale), criterion=criterion,
                                seed=seed, resamples=resamples)
    _finish(report, ratings, disagreement_limit, with_paired_scores)
    return report


def _scale_for(ratings: pd.DataFrame, scale: str | None) -> tuple[int, int]:
    """--scale, else the default codebook's scale when its dimensions are the file's, else the
    observed range (CLI.md)."""
    if scale:
        return parse_scale(scale)
    codebook = load_codebook(default_codebook_path())
    if set(ratings["dimension"].unique()) <= {d.id for d in codebook.dimensions}:
        return codebook.scale.min, codebook.scale.max
    observed = ratings["score"].dropna()
    if observed.empty:
        raise RaterError(Problem("every score in the file is empty", "--ratings",
                                 "give at least one score"))
    return int(observed.min()), int(observed.max())
