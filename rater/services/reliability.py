"""User action: how well do the raters agree? (`rater reliability`, the dashboard)."""

from __future__ import annotations

from pathlib import Path

from rater.core.codebook import default_codebook_path, load_codebook
from rater.core.errors import Problem, RaterError
from rater.core.reliability.csv_input import parse_scale, read_ratings_csv
from rater.core.reliability.disagreements import disagreements, paired_scores
from rater.core.reliability.report import reliability_report
from rater.core.reliability.verdict import Criterion
from rater.services.drift import drift_report
from rater.services.session import open_store
from rater.storage import analysis as analysis_data
from rater.storage import reliability as queries


def study_reliability(study: str, criterion: str | None = None, seed: int = 0,
                      resamples: int = 1000) -> dict:
    """The full report for a study; a criterion given here is stored as the study's own."""
    with open_store(study) as store:
        if criterion is not None:
            criterion = str(Criterion.parse(criterion))
            queries.set_criterion(store, criterion)
        criterion = criterion or store.study().criterion
        ratings = [{"unit": r.code, "rater": r.rater, "dimension": r.dimension,
                    "score": r.score, "role": r.role}
                   for r in analysis_data.submitted_ratings(store)]
        scale = queries.scale_bounds(store)
        guesses = queries.guesses_with_truth(store)
    if not ratings:
        raise RaterError(Problem("no submitted ratings yet", study,
                                 "import returned packs or ratings first"))
    report = reliability_report(ratings, scale, criterion=criterion, seed=seed,
                                resamples=resamples, guesses=guesses or None)
    _finish(report, ratings)
    drift = drift_report(study)
    if drift["raters"]:
        report["drift"] = drift
    return report


def _finish(report: dict, ratings: list[dict]) -> None:
    """Add the disagreement list, and each dimension's paired scores for the plots."""
    report["disagreements"] = disagreements(ratings)
    for dimension, result in report["dimensions"].items():
        result["paired_scores"] = paired_scores(ratings, dimension)


def csv_reliability(path: Path, scale: str | None = None, criterion: str = "pearson_r:0.7",
                    seed: int = 0, resamples: int = 1000) -> dict:
    """The report for a ratings CSV (no study needed)."""
    try:
        ratings = read_ratings_csv(path.read_bytes(), str(path))
    except OSError as exc:
        raise RaterError(Problem(f"cannot read the ratings file ({exc.strerror})", str(path),
                                 "check the path given to --ratings")) from None
    report = reliability_report(ratings, _scale_for(ratings, scale), criterion=criterion,
                                seed=seed, resamples=resamples)
    _finish(report, ratings)
    return report


def _scale_for(ratings: list[dict], scale: str | None) -> tuple[int, int]:
    """--scale, else the default codebook's scale when its dimensions are the file's, else the
    observed range (CLI.md)."""
    if scale:
        return parse_scale(scale)
    codebook = load_codebook(default_codebook_path())
    if {r["dimension"] for r in ratings} <= {d.id for d in codebook.dimensions}:
        return codebook.scale.min, codebook.scale.max
    observed = [r["score"] for r in ratings if r["score"] is not None]
    return min(observed), max(observed)
