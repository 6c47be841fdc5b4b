"""Pearson r with Fisher-z CI, and the z-averaged pairwise r for more than two raters."""

import numpy as np
import pytest
from reliability_data import ANXIETY, HUNTER_X, HUNTER_Y
from scipy import stats

from rater.core.reliability.correlation import pearson_r


def test_r_cor_test_documentation_example():
    # R stats::cor.test documentation example (Hollander & Wolfe 1973, p. 187):
    # cor = 0.5711816, 95% CI -0.1497426 to 0.8955795.
    s = pearson_r(np.column_stack([HUNTER_X, HUNTER_Y]))
    assert s.value == pytest.approx(0.5711816, abs=5e-8)
    assert s.ci_low == pytest.approx(-0.1497426, abs=5e-8)
    assert s.ci_high == pytest.approx(0.8955795, abs=5e-8)
    assert s.n_units == 9
    assert "Fisher" in s.method and "consistency" in s.method


def test_irr_meancor_on_anxiety():
    # R irr::meancor(anxiety): mean of the 3 pairwise r on Fisher's z scale = 0.224 (as in irr's
    # documentation example; reproduced by pyirr's test suite).
    s = pearson_r(ANXIETY)
    assert s.value == pytest.approx(0.224, abs=5e-4)
    assert s.details["pairs"] == 3
    z = np.mean([np.arctanh(stats.pearsonr(ANXIETY[:, i], ANXIETY[:, j])[0])
                 for i, j in [(0, 1), (0, 2), (1, 2)]])
    assert s.value == pytest.approx(np.tanh(z), abs=1e-12)
    assert s.ci_low < s.value < s.ci_high


def test_agrees_with_scipy_with_missing_values_dropped_pairwise():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(40, 2))
    x[[3, 9], 0] = np.nan
    s = pearson_r(x)
    keep = ~np.isnan(x).any(axis=1)
    assert s.value == pytest.approx(stats.pearsonr(x[keep, 0], x[keep, 1])[0])
    assert s.n_units == 38


def test_perfect_correlation_has_a_collapsed_interval():
    a = np.arange(10.0)
    s = pearson_r(np.column_stack([a, a + 1]))
    assert (s.value, s.ci_low, s.ci_high) == (1.0, 1.0, 1.0)


@pytest.mark.parametrize(("x", "reason"), [
    (np.column_stack([np.full(6, 3.0), np.arange(6.0)]), "same score"),
    (np.array([[1.0, 2.0], [2.0, 3.0]]), "2 unit(s)"),
    (np.arange(5.0)[:, None], "fewer than two raters"),
])
def test_undefined_cases(x, reason):
    s = pearson_r(x)
    assert s.value is None and reason in s.note


def test_three_units_give_r_without_a_ci():
    s = pearson_r(np.array([[1.0, 1.0], [2.0, 3.0], [3.0, 2.0]]))
    assert s.value == pytest.approx(0.5)
    assert s.ci_low is None and "fewer than 4" in s.note
