"""Light's kappa (mean pairwise Cohen's kappa) against R irr::kappam.light's documented example."""

import numpy as np
import pytest
from reliability_data import DIAGNOSES, SHROUT_FLEISS

from rater.core.reliability.alpha import multiplicities
from rater.core.reliability.kappa import cohen_kappa
from rater.core.reliability.light import light_kappa
from rater.core.reliability.matrix import Scale

FIVE = Scale(1, 5)


def mean_pairwise_cohen(x: np.ndarray, scale: Scale) -> float:
    k = x.shape[1]
    return float(np.mean([cohen_kappa(x[:, [i, j]], scale).value
                          for i in range(k) for j in range(i + 1, k)]))


def test_irr_kappam_light_diagnoses_example():
    # R package irr, man/kappam.light.Rd, example `kappam.light(diagnoses)` (30 subjects x 6
    # raters), output as rendered at rdrr.io/cran/irr/man/kappam.light.html:
    # "Light's Kappa for m Raters, Subjects = 30, Raters = 6, Kappa = 0.459, z = 2.31".
    s = light_kappa(DIAGNOSES, FIVE, resamples=0)
    assert s.value == pytest.approx(0.459, abs=5e-4)
    assert s.n_units == 30 and s.n_raters == 6 and s.details["pairs"] == 15
    assert s.value == pytest.approx(mean_pairwise_cohen(DIAGNOSES, FIVE), abs=1e-14)
    assert "irr::kappam.light" in s.method


def test_three_raters_is_the_mean_of_three_cohen_kappas():
    three = DIAGNOSES[:, :3]
    assert light_kappa(three, FIVE, resamples=0).value == pytest.approx(
        mean_pairwise_cohen(three, FIVE), abs=1e-14)


def test_missing_ratings_are_omitted_listwise_as_irr_does():
    x = DIAGNOSES.copy()
    x[[0, 4, 9], [1, 3, 5]] = np.nan
    s = light_kappa(x, FIVE, resamples=0)
    complete = np.delete(DIAGNOSES, [0, 4, 9], axis=0)
    assert s.value == pytest.approx(mean_pairwise_cohen(complete, FIVE), abs=1e-14)
    assert s.n_units == 27 and "listwise" in s.method


def test_bootstrap_interval_equals_brute_force_resampling():
    resamples, seed = 300, 11
    s = light_kappa(DIAGNOSES, FIVE, resamples=resamples, seed=seed)
    weights = multiplicities(30, resamples, np.random.default_rng(seed)).astype(int)
    draws = []
    for w in weights:
        x = np.repeat(DIAGNOSES, w, axis=0)
        if all(np.ptp(x[:, j]) > 0 for j in range(6)):
            draws.append(mean_pairwise_cohen(x, FIVE))
    assert (s.ci_low, s.ci_high) == pytest.approx(tuple(np.quantile(draws, [.025, .975])),
                                                  abs=1e-12)
    assert s.ci_low < s.value < s.ci_high
    assert s.details["resamples"] == len(draws)
    assert f"{resamples} resamples, seed {seed}" in s.method


def test_two_raters_point_to_cohen_and_a_constant_rater_is_undefined():
    two = light_kappa(DIAGNOSES[:, :2], FIVE, resamples=0)
    assert two.value is None and "cohen_kappa" in two.note
    x = SHROUT_FLEISS.copy()
    x[:, 2] = 5
    constant = light_kappa(x, Scale(1, 10), resamples=0, labels=("A", "B", "C", "D"))
    assert constant.value is None and "C" in constant.note and "same score" in constant.note
