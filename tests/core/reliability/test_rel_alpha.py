"""Krippendorff's alpha against Krippendorff (2011) and the `krippendorff` package."""

import krippendorff
import numpy as np
import pytest
from reliability_data import KRIPPENDORFF_2011

from rater.core.reliability.alpha import (
    METRICS,
    alpha_from_coincidences,
    kripp_alphas,
    multiplicities,
    unit_coincidences,
)
from rater.core.reliability.matrix import Scale, category_counts

SCALE = Scale(1, 5)


def test_krippendorff_2011_worked_example_with_missing_values():
    # Krippendorff (2011), "Computing Krippendorff's alpha-reliability", section C (4 observers,
    # 12 units, missing values): nominal .743, ordinal .815, interval .849, ratio .797.
    # Ordinal .815 is the value one library once got wrong (.789, fast-krippendorff #4), and
    # nominal .743 caught a missing-data bug elsewhere (.7453, mReliability #6).
    alphas = kripp_alphas(KRIPPENDORFF_2011, SCALE, resamples=200, seed=1)
    published = {"nominal": .743, "ordinal": .815, "interval": .849, "ratio": .797}
    for metric, value in published.items():
        s = alphas[f"kripp_alpha_{metric}"]
        assert s.value == pytest.approx(value, abs=5e-4), metric
        assert s.n_units == 11  # unit 12 has a single value: not pairable
        assert s.n_raters == 4


@pytest.mark.parametrize("metric", METRICS)
def test_equals_the_krippendorff_package_on_random_data_with_missing_values(metric):
    rng = np.random.default_rng(7)
    x = rng.integers(1, 6, size=(60, 5)).astype(float)
    x[rng.random(x.shape) < 0.3] = np.nan
    ours = kripp_alphas(x, SCALE, resamples=0)[f"kripp_alpha_{metric}"].value
    theirs = krippendorff.alpha(x.T, level_of_measurement=metric, value_domain=[1, 2, 3, 4, 5])
    assert ours == pytest.approx(theirs, abs=1e-10)


def test_vectorised_bootstrap_equals_one_package_call_per_resample():
    rng = np.random.default_rng(11)
    x = rng.integers(1, 6, size=(30, 4)).astype(float)
    x[rng.random(x.shape) < 0.2] = np.nan
    counts = category_counts(x, SCALE)
    counts = counts[counts.sum(axis=1) >= 2]
    weights = multiplicities(counts.shape[0], 5, np.random.default_rng(0))
    boot = np.einsum("bu,uij->bij", weights, unit_coincidences(counts))
    ours = alpha_from_coincidences(boot, "ordinal", SCALE.values)
    for b in range(5):
        resample = np.repeat(counts, weights[b].astype(int), axis=0)
        theirs = krippendorff.alpha(value_counts=resample, value_domain=[1, 2, 3, 4, 5],
                                    level_of_measurement="ordinal")
        assert ours[b] == pytest.approx(theirs, abs=1e-10)


def test_bootstrap_is_seeded_and_brackets_the_estimate():
    first = kripp_alphas(KRIPPENDORFF_2011, SCALE, resamples=500, seed=42)
    again = kripp_alphas(KRIPPENDORFF_2011, SCALE, resamples=500, seed=42)
    other = kripp_alphas(KRIPPENDORFF_2011, SCALE, resamples=500, seed=43)
    s = first["kripp_alpha_interval"]
    assert (s.ci_low, s.ci_high) == (again["kripp_alpha_interval"].ci_low,
                                     again["kripp_alpha_interval"].ci_high)
    assert s.ci_low != other["kripp_alpha_interval"].ci_low
    assert s.ci_low < s.value <= s.ci_high <= 1
    assert "500 resamples, seed 42" in s.method and "bootstrap over units" in s.method


def test_all_equal_values_are_undefined_not_zero():
    # irr.md section 4: libraries disagree (error, NaN, 0, 1); we say "undefined: no variance".
    x = np.full((8, 3), 3.0)
    for s in kripp_alphas(x, SCALE, resamples=50).values():
        assert s.value is None and "no variance" in s.note


def test_no_pairable_unit_is_undefined():
    x = np.array([[1.0, np.nan], [np.nan, 2.0]])
    s = kripp_alphas(x, SCALE, resamples=10)["kripp_alpha_nominal"]
    assert s.value is None and "no unit has two" in s.note


def test_near_constant_data_legitimately_give_negative_alpha():
    # fast-krippendorff #27: two swapped labels give a negative alpha; not a bug.
    x = np.array([[1.0, 2.0], [2.0, 1.0], [1.0, 1.0], [2.0, 2.0], [1.0, 2.0]])
    assert kripp_alphas(x, SCALE, resamples=0)["kripp_alpha_nominal"].value < 0


def test_ratio_metric_needs_a_non_negative_scale():
    x = np.array([[-1.0, 0.0], [1.0, 1.0], [0.0, -1.0]])
    s = kripp_alphas(x, Scale(-1, 1), resamples=0)["kripp_alpha_ratio"]
    assert s.value is None and "negative" in s.note
