"""The verdict in words, the same in the dashboard and the HTML report: what passed, what is
not shown yet and what to do next (with the precision planner), and a rater's leaning."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rater.core.reliability.verdict import NAMES, Criterion

STATES = {
    "passes": "passes: even the lower end of the 95% CI is above the threshold",
    "not_shown": "not shown yet: the estimate is above the threshold, the lower end of its "
                 "95% CI is not",
    "fails": "does not pass: the estimate is not above the threshold",
    "unknown": "cannot be judged: the statistic could not be computed",
}
COLOURS = {"passes": "#17633a", "not_shown": "#9a6700", "fails": "#a12020",
           "unknown": "#666666"}  # the dashboard, its forest plot and the HTML report
WORDS = {"passes": "passes", "not_shown": "not shown yet", "fails": "does not pass",
         "unknown": "cannot be judged"}
NEXT_STEP = {
    "passes": "Nothing more to show on this dimension.",
    "fails": "Next: read the largest disagreements and each rater's leaning, then go over this "
             "dimension's anchors with the raters before they rate more.",
    "unknown": "Next: more double-coded recordings with some spread of scores.",
}


def state(judged: Mapping[str, Any]) -> str:
    """'passes', 'not_shown', 'fails' or 'unknown' for a judged statistic."""
    if judged["passed"] is None:
        return "unknown"
    if not judged["passed"]:
        return "fails"
    return "passes" if judged["lower_bound_passed"] else "not_shown"


def criterion_words(criterion: str) -> str:
    """'pearson_r:0.7' as a person says it: 'Pearson r above 0.70'."""
    parsed = Criterion.parse(criterion)
    return f"{NAMES[parsed.statistic]} above {parsed.threshold:.2f}"


def next_step(verdict: Mapping[str, Any], n_units: int) -> str:
    """What to do about a dimension, from its verdict and `units_needed` (the planner)."""
    now = state(verdict)
    if now != "not_shown":
        return NEXT_STEP[now]
    needed = verdict.get("units_needed")
    if needed is None:
        return ("Next: more double-coded recordings; at this estimate no practical number "
                "would make the lower end of the CI clear the threshold.")
    return (f"Next: about {max(needed - n_units, 1)} more double-coded recordings ({needed} in "
            "all) would likely show it, if the true value is near this estimate.")


def leaning(leniency: Mapping[str, Any]) -> str:
    """A rater's leniency statistic in words: higher or lower than the others, or no clear
    lean (the 95% CI includes zero)."""
    if leniency["value"] is None:
        return "—"
    ci = leniency["ci95"]
    if ci and ci[0] > 0:
        return f"scores higher than the others, by {leniency['value']:.2f} on average"
    if ci and ci[1] < 0:
        return f"scores lower than the others, by {-leniency['value']:.2f} on average"
    return f"no clear lean (on average {leniency['value']:+.2f})"
