"""A study's reliability criterion (`STAT:THRESHOLD`) and the verdict per dimension.

A dimension passes when the point estimate exceeds the threshold (value > threshold, as the
reference study's "r > 0.7"); the
verdict also says whether the lower 95% CI bound does, and always shows ICC(A,1) against the
same threshold as the agreement statement (Pearson r measures consistency, not agreement).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rater.core.errors import Problem, RaterError
from rater.core.reliability.result import Statistic, json_number

DEFAULT_CRITERION = "pearson_r:0.7"
AGREEMENT_STATISTIC = "icc_a1"

NAMES = {
    "pearson_r": "Pearson r",
    "icc1": "ICC(1)", "icc_a1": "ICC(A,1)", "icc_c1": "ICC(C,1)",
    "icc1k": "ICC(k)", "icc_ak": "ICC(A,k)", "icc_ck": "ICC(C,k)",
    "kripp_alpha_nominal": "Krippendorff's alpha (nominal)",
    "kripp_alpha_ordinal": "Krippendorff's alpha (ordinal)",
    "kripp_alpha_interval": "Krippendorff's alpha (interval)",
    "kripp_alpha_ratio": "Krippendorff's alpha (ratio)",
    "cohen_kappa": "Cohen's kappa", "light_kappa": "Light's kappa",
    "weighted_kappa_linear": "linear weighted kappa",
    "weighted_kappa_quadratic": "quadratic weighted kappa",
    "fleiss_kappa": "Fleiss' kappa",
    "gwet_ac1": "Gwet's AC1", "gwet_ac2_linear": "Gwet's AC2 (linear)",
    "gwet_ac2_quadratic": "Gwet's AC2 (quadratic)",
    "exact_agreement": "exact agreement", "adjacent_agreement": "agreement within one point",
}
CONSISTENCY_ONLY = {"pearson_r", "icc_c1", "icc_ck"}


@dataclass(frozen=True)
class Criterion:
    statistic: str
    threshold: float

    def __str__(self) -> str:
        return f"{self.statistic}:{self.threshold:g}"

    @classmethod
    def parse(cls, text: str) -> Criterion:
        """Parse `STAT:THRESHOLD`, e.g. `pearson_r:0.7` or `icc_a1:0.75`."""
        where, choices = "criterion", ", ".join(NAMES)
        stat, sep, number = str(text).strip().partition(":")
        if not sep:
            raise RaterError(Problem(f"{text!r} is not of the form STAT:THRESHOLD", where,
                                     f"write e.g. {DEFAULT_CRITERION}"))
        stat = stat.strip()
        if stat not in NAMES:
            raise RaterError(Problem(f"unknown statistic {stat!r}", where,
                                     f"use one of {choices}"))
        try:
            threshold = float(number)
        except ValueError:
            threshold = math.nan
        if not -1 <= threshold <= 1:
            raise RaterError(Problem(f"threshold {number.strip()!r} is not a number from -1 to 1",
                                     where, f"write e.g. {stat}:0.7"))
        return cls(stat, threshold)


def _passes(x: float | None, threshold: float) -> bool | None:
    return None if x is None else bool(x > threshold)


def _judge(stat: Statistic, threshold: float) -> dict[str, Any]:
    value = json_number(stat.value)
    low = json_number(stat.ci_low) if value is not None else None
    return {
        "statistic": stat.name,
        "threshold": threshold,
        "value": value,
        "ci95": stat.to_dict()["ci95"],
        "passed": _passes(value, threshold),
        "lower_bound_passed": _passes(low, threshold),
    }


def verdict(criterion: Criterion, statistics: Mapping[str, Statistic]) -> dict[str, Any]:
    """Whether the criterion statistic (and its lower CI bound) exceeds the threshold."""
    main = _judge(statistics[criterion.statistic], criterion.threshold)
    agreement = _judge(statistics[AGREEMENT_STATISTIC], criterion.threshold)
    return {**main, "agreement": agreement,
            "summary": _summary(criterion, statistics, main, agreement)}


def _sentence(stat: Statistic, judged: dict[str, Any], threshold: float) -> str:
    name = NAMES[stat.name]
    if judged["value"] is None:
        return f"{name} could not be computed ({stat.note.removeprefix('undefined: ')})."
    text = f"{name} = {judged['value']:.2f}"
    if judged["ci95"]:
        text += f" (95% CI {judged['ci95'][0]:.2f} to {judged['ci95'][1]:.2f})"
    if not judged["passed"]:
        return f"{text} does not exceed {threshold:g}."
    if judged["lower_bound_passed"]:
        return f"{text} exceeds {threshold:g}, and so does the lower end of its CI."
    return (f"{text} exceeds {threshold:g}, but the lower end of its CI does not: these data "
            f"do not show that the true value exceeds {threshold:g}.")


def _summary(criterion: Criterion, statistics: Mapping[str, Statistic], main: dict[str, Any],
             agreement: dict[str, Any]) -> str:
    """Plain-language verdict: the criterion, then ICC(A,1) as the agreement statement."""
    threshold = criterion.threshold
    parts = [_sentence(statistics[criterion.statistic], main, threshold)]
    if criterion.statistic != AGREEMENT_STATISTIC:
        parts.append("Agreement: " + _sentence(statistics[AGREEMENT_STATISTIC], agreement,
                                               threshold))
    if criterion.statistic in CONSISTENCY_ONLY and main["passed"] and agreement["passed"] is False:
        parts.append("Raters rank the recordings alike but differ in the level of their scores.")
    return " ".join(parts)
