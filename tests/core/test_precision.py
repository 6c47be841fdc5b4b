"""Expected CI widths for the allocation report."""

from __future__ import annotations

import pytest

from rater.core.precision import icc_consistency_ci, pearson_ci, planned_precision


def test_pearson_ci_is_the_fisher_z_interval():
    # r = 0.7 on n = 30 pairs, by hand: z = atanh(0.7) = 0.8673, half-width 1.96/sqrt(27) =
    # 0.3772, so z runs 0.4901 to 1.2445 and r from tanh(0.4901) = 0.4543 to tanh(1.2445) = 0.8467.
    low, high = pearson_ci(0.7, 30)
    assert low == pytest.approx(0.4543, abs=2e-4) and high == pytest.approx(0.8467, abs=2e-4)


def test_icc_ci_reproduces_the_f_based_interval_of_an_observed_icc():
    # With F = (1 + rho)/(1 - rho) the interval equals the McGraw & Wong (1996) Table 7 CI for
    # ICC(C,1) computed from that F; check against the same formula written out by hand.
    from scipy import stats

    rho, n = 0.8, 17
    f_obs = 9.0
    fl, fu = f_obs / stats.f.ppf(0.975, 16, 16), f_obs * stats.f.ppf(0.975, 16, 16)
    low, high = icc_consistency_ci(rho, n)
    assert low == pytest.approx((fl - 1) / (fl + 1)) and high == pytest.approx((fu - 1) / (fu + 1))
    assert low < rho < high


def test_more_units_give_narrower_intervals():
    widths = [planned_precision(n, 0.8)["icc_ci_width"] for n in (10, 17, 40, 100)]
    assert widths == sorted(widths, reverse=True)


def test_undefined_plans_give_none_not_nonsense():
    assert pearson_ci(0.7, 3) is None
    assert icc_consistency_ci(0.7, 1) is None
    assert planned_precision(2, 0.7)["pearson_r_ci_width"] is None


def test_a_plan_with_too_few_units_is_described_not_crashed():
    from rater.core.precision import describe_plan, planned_precision

    three = describe_plan(planned_precision(3, 0.7))
    assert "ICC" in three and "Pearson r" in three
    assert "too few double-coded recordings to estimate a CI width for Pearson r" in three
    assert describe_plan(planned_precision(1, 0.7)) == (
        "too few double-coded recordings to estimate a CI width (n = 1)")
    assert "too few" not in describe_plan(planned_precision(30, 0.7))


def test_units_for_the_lower_bound_by_hand():
    """r = 0.8 against 0.7 (Fisher z): the lower bound clears 0.7 when
    atanh(0.8) - 1.96/sqrt(n-3) > atanh(0.7), i.e. sqrt(n-3) > 1.96/(1.0986-0.8673) = 8.47,
    n - 3 > 71.8: n = 75 (and at n = 74 it does not)."""
    from rater.core.precision import pearson_ci, units_for_lower_bound

    assert units_for_lower_bound("pearson_r", 0.8, 0.7) == 75
    assert pearson_ci(0.8, 75)[0] > 0.7 >= pearson_ci(0.8, 74)[0]
    icc = units_for_lower_bound("icc_a1", 0.8, 0.7)
    assert icc_consistency_ci(0.8, icc)[0] > 0.7 >= icc_consistency_ci(0.8, icc - 1)[0]
    assert units_for_lower_bound("pearson_r", 0.7, 0.7) is None  # not above the threshold
    assert units_for_lower_bound("pearson_r", 0.701, 0.7) is None  # beyond any practical n
    assert units_for_lower_bound("gwet_ac1", 0.9, 0.7) is None  # no planner for it
