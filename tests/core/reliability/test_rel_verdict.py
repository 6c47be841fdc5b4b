"""Criterion parsing and the per-dimension verdict."""

import pytest

from rater.core.errors import RaterError
from rater.core.reliability.result import Statistic
from rater.core.reliability.verdict import Criterion, verdict


def stat(name, value, low=None, high=None, note=""):
    return Statistic(name, value, low, high, "m", 30, 2, note)


def test_parse_default_and_others():
    assert Criterion.parse("pearson_r:0.7") == Criterion("pearson_r", 0.7)
    assert str(Criterion.parse(" icc_a1 : .75 ")) == "icc_a1:0.75"


@pytest.mark.parametrize(("text", "message"), [
    ("pearson", "not of the form STAT:THRESHOLD"),
    ("spearman_rho:0.7", "unknown statistic 'spearman_rho'"),
    ("pearson_r:high", "is not a number from -1 to 1"),
    ("pearson_r:7", "is not a number from -1 to 1"),
    ("mean_difference:0.5", "unknown statistic"),
])
def test_bad_criteria_say_what_and_how_to_fix(text, message):
    with pytest.raises(RaterError, match=message) as err:
        Criterion.parse(text)
    assert err.value.problems[0].where == "criterion"
    assert err.value.problems[0].fix


def test_point_passes_but_lower_bound_does_not():
    stats = {"pearson_r": stat("pearson_r", 0.75, 0.53, 0.87),
             "icc_a1": stat("icc_a1", 0.40, 0.1, 0.6)}
    v = verdict(Criterion("pearson_r", 0.7), stats)
    assert (v["passed"], v["lower_bound_passed"]) == (True, False)
    assert v["agreement"]["statistic"] == "icc_a1"
    assert v["agreement"]["passed"] is False
    assert "do not show that the true value exceeds 0.7" in v["summary"]
    assert "rank the recordings alike but differ in the level" in v["summary"]


def test_threshold_is_strict_like_the_reference_studys_r_above_0_7():
    stats = {"icc_a1": stat("icc_a1", 0.8, 0.7, 0.9)}
    v = verdict(Criterion("icc_a1", 0.7), stats)
    assert (v["passed"], v["lower_bound_passed"]) == (True, False)  # 0.7 is not above 0.7
    assert v["summary"].count("ICC(A,1)") == 1
    stats = {"icc_a1": stat("icc_a1", 0.8, 0.71, 0.9)}
    assert verdict(Criterion("icc_a1", 0.7), stats)["lower_bound_passed"] is True


def test_undefined_statistic_gives_null_verdict():
    stats = {"pearson_r": Statistic.undefined("pearson_r", "m", "no variance"),
             "icc_a1": Statistic.undefined("icc_a1", "m", "no variance")}
    v = verdict(Criterion("pearson_r", 0.7), stats)
    assert v["passed"] is None and v["lower_bound_passed"] is None and v["ci95"] is None
    assert "could not be computed (no variance)" in v["summary"]
