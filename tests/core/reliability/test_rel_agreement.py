"""Raw agreement, mean difference with Bland-Altman limits, rater leniency."""

import numpy as np
import pytest
from reliability_data import DIAGNOSES, MINI_WRIGHT, VIDEO, WRIGHT

from rater.core.reliability.agreement import (
    adjacent_agreement,
    exact_agreement,
    leniency,
    mean_difference,
    wilson,
)


def test_irr_agree_examples():
    # R irr::agree documentation examples: agree(video) 35%, agree(video, tolerance = 1) 90%
    # (also asserted by pyirr's tests); agree(diagnoses) 16.7%.
    assert exact_agreement(VIDEO).value == pytest.approx(0.35)
    assert adjacent_agreement(VIDEO).value == pytest.approx(0.90)
    assert exact_agreement(DIAGNOSES).value == pytest.approx(0.167, abs=5e-4)
    assert exact_agreement(VIDEO).details["units_agreeing"] == 7


def test_wilson_interval_newcombe_1998():
    # Newcombe (1998), Statistics in Medicine 17:857-872, examples for method 3 (Wilson score):
    # 81/263 -> .2553 to .3662; 15/148 -> .0624 to .1605; 0/20 -> 0 to .1611; 1/29 -> .0061
    # to .1718.
    assert wilson(81, 263) == pytest.approx((.2553, .3662), abs=5e-5)
    assert wilson(15, 148) == pytest.approx((.0624, .1605), abs=5e-5)
    assert wilson(0, 20) == pytest.approx((0, .1611), abs=5e-5)
    assert wilson(1, 29) == pytest.approx((.0061, .1718), abs=5e-5)


def test_agreement_uses_units_with_two_or_more_ratings():
    x = np.array([[1.0, 1.0, np.nan], [2.0, np.nan, np.nan], [3.0, 4.0, 5.0], [2.0, 3.0, np.nan]])
    exact, adjacent = exact_agreement(x), adjacent_agreement(x)
    assert exact.n_units == 3 and exact.value == pytest.approx(1 / 3)
    assert adjacent.value == pytest.approx(2 / 3)
    assert exact.ci_low < exact.value < exact.ci_high


def test_bland_altman_1986_peak_flow_example():
    # Bland & Altman (1986), Lancet 327:307-310: Wright minus mini Wright, mean difference
    # -2.1 l/min, SD 38.8; limits -79.7 to 75.5 using 2 SD (we use 1.96 SD).
    s = mean_difference(MINI_WRIGHT, WRIGHT, "Wright - mini Wright")
    assert s.value == pytest.approx(-2.1, abs=0.05)
    assert s.details["sd"] == pytest.approx(38.8, abs=0.05)
    assert s.value - 2 * s.details["sd"] == pytest.approx(-79.7, abs=0.1)
    assert s.value + 2 * s.details["sd"] == pytest.approx(75.5, abs=0.1)
    assert s.details["loa_high"] - s.value == pytest.approx(1.959964 * s.details["sd"])
    assert s.ci_low < s.value < s.ci_high
    assert "(Wright - mini Wright)" in s.method


def test_mean_difference_undefined_with_fewer_than_two_pairs():
    s = mean_difference(np.array([1.0, np.nan]), np.array([2.0, 3.0]))
    assert s.value is None and "1 unit" in s.note


def test_leniency_signs():
    x = np.array([[3.0, 4.0, 3.0], [2.0, 3.0, 2.0], [4.0, 5.0, np.nan], [1.0, 2.0, 1.0]])
    lenient = leniency(x, 1)
    assert lenient.value == pytest.approx(1.0)
    assert leniency(x, 0).value < 0
    assert lenient.n_units == 4


def test_leniency_undefined_without_shared_units():
    x = np.array([[3.0, np.nan], [np.nan, 2.0]])
    assert leniency(x, 0).value is None
