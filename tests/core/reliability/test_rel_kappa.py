"""Kappa family against SAS, R irr, Fleiss (1971) and Gwet's handbook examples."""

import numpy as np
import pytest
from reliability_data import (
    ANXIETY,
    DIAGNOSES,
    GWET_5_OBSERVERS,
    KRIPPENDORFF_2011,
    table_to_pairs,
)

from rater.core.reliability.kappa import cohen_kappa, fleiss_kappa, gwet_ac
from rater.core.reliability.matrix import Scale

FIVE = Scale(1, 5)

# The 3 x 3 table of the SAS PROC FREQ agreement printout that statsmodels tests against
# (statsmodels/stats/tests/test_inter_rater.py, `table10`).
SAS_TABLE = [[0, 4, 1], [0, 8, 0], [0, 1, 5]]


def test_sas_proc_freq_simple_kappa_with_ase_and_ci():
    # SAS PROC FREQ (AGREE) printout: Kappa 0.4842, ASE 0.1380, 95% CI 0.2137 to 0.7547.
    s = cohen_kappa(table_to_pairs(SAS_TABLE), Scale(1, 3))
    assert s.value == pytest.approx(0.4842, abs=5e-5)
    assert s.details["se"] == pytest.approx(0.1380, abs=5e-5)
    assert (s.ci_low, s.ci_high) == pytest.approx((0.2137, 0.7547), abs=5e-5)


def test_sas_proc_freq_weighted_kappa_with_ase_and_ci():
    # Same printout, Cicchetti-Allison (linear) weights on scores 1, 2, 3: weighted kappa
    # 0.4701, ASE 0.1457, 95% CI 0.1845 to 0.7558.
    s = cohen_kappa(table_to_pairs(SAS_TABLE), Scale(1, 3), "linear")
    assert s.name == "weighted_kappa_linear"
    assert s.value == pytest.approx(0.4701, abs=5e-5)
    assert s.details["se"] == pytest.approx(0.1457, abs=5e-5)
    assert (s.ci_low, s.ci_high) == pytest.approx((0.1845, 0.7558), abs=5e-5)


def test_irr_kappa2_on_the_first_two_diagnoses_raters():
    # R irr::kappa2(diagnoses[, 1:2]) as printed in irr tutorials: unweighted 0.651, "equal"
    # (linear) 0.633, "squared" (quadratic) 0.655. All five levels are declared factor levels,
    # so irr's level-index weights coincide with weights on the declared 1-5 scale here.
    x = DIAGNOSES[:, :2]
    assert cohen_kappa(x, FIVE).value == pytest.approx(0.651, abs=5e-4)
    assert cohen_kappa(x, FIVE, "linear").value == pytest.approx(0.633, abs=5e-4)
    assert cohen_kappa(x, FIVE, "quadratic").value == pytest.approx(0.655, abs=5e-4)


def test_weights_are_on_the_declared_scale_not_the_observed_levels():
    # irr::kappa2(anxiety[, 2:3]) (statsmodels test_inter_rater.py): unweighted -0.006289308,
    # "equal" 0.1459075. Raters 2 and 3 never use 5, and irr weights the observed levels
    # 1, 2, 3, 4, 6 by their index; on the declared 1-6 scale the linear kappa is 0.1262
    # (irr.md section 4), checked here against statsmodels with the full 6 x 6 table.
    from statsmodels.stats.inter_rater import cohens_kappa

    x, six = ANXIETY[:, 1:], Scale(1, 6)
    assert cohen_kappa(x, six).value == pytest.approx(-0.006289308, abs=5e-10)
    linear = cohen_kappa(x, six, "linear").value
    table = np.histogram2d(x[:, 0], x[:, 1], bins=[np.arange(0.5, 7)] * 2)[0]
    assert linear == pytest.approx(cohens_kappa(table, wt="linear").kappa, abs=1e-12)
    assert linear == pytest.approx(0.1262, abs=5e-5)
    assert linear != pytest.approx(0.1459075, abs=1e-3)


def test_fleiss_1971_example():
    # Fleiss (1971), Psychological Bulletin 76:378-382: kappa = .430 for the 30 x 6 diagnoses;
    # R irr::kappam.fleiss(diagnoses) gives 0.4302445 (statsmodels' test), and
    # kappam.fleiss(diagnoses[, 1:3]) 0.534.
    assert fleiss_kappa(DIAGNOSES, FIVE).value == pytest.approx(0.4302445, abs=5e-8)
    assert fleiss_kappa(DIAGNOSES[:, :3], FIVE).value == pytest.approx(0.534, abs=5e-4)


def test_gwet_handbook_ac1_ac2_and_fleiss_with_missing_ratings():
    # Gwet (2014), Handbook of Inter-Rater Reliability, 4th ed., p. 120 data (4 raters, 12 units,
    # missing ratings), results of Gwet's R package irrCAC as asserted in its Python port's
    # tests (afergadis/irrCAC test_gwet.py, test_fleiss.py), 3 decimals, t(n - 1) intervals:
    # AC1 .775 (pa .818, pe .190, SE .143, CI .461 to 1); AC2 linear .859 (SE .117, CI .600
    # to 1); AC2 quadratic .914 (SE .104, CI .685 to 1); Fleiss' kappa .761 (pa .818, pe .239,
    # CI .424 to 1). The Krippendorff 2011 data with units as rows are the same table.
    published = [
        (gwet_ac(KRIPPENDORFF_2011, FIVE), .775, .143, .461),
        (gwet_ac(KRIPPENDORFF_2011, FIVE, "linear"), .859, .117, .600),
        (gwet_ac(KRIPPENDORFF_2011, FIVE, "quadratic"), .914, .104, .685),
    ]
    for s, value, se, low in published:
        assert s.value == pytest.approx(value, abs=5e-4), s.name
        assert s.details["se"] == pytest.approx(se, abs=5e-4), s.name
        assert (s.ci_low, s.ci_high) == pytest.approx((low, 1.0), abs=5e-4), s.name
    ac1 = published[0][0]
    assert (ac1.details["pa"], ac1.details["pe"]) == pytest.approx((.818, .190), abs=5e-4)
    fleiss = fleiss_kappa(KRIPPENDORFF_2011, FIVE)
    assert fleiss.value == pytest.approx(.761, abs=5e-4)
    assert fleiss.details["pe"] == pytest.approx(.239, abs=5e-4)
    assert (fleiss.ci_low, fleiss.ci_high) == pytest.approx((.424, 1.0), abs=5e-4)


def test_gwet_handbook_five_observers():
    # Gwet (2014) 5-observer data on a 0-3 scale (irrCAC cac.raw5obser; afergadis/irrCAC tests):
    # AC1 .497, SE .122, CI .235 to .758; Fleiss' kappa .458, SE .120, CI .199 to .716.
    scale = Scale(0, 3)
    ac1, fleiss = gwet_ac(GWET_5_OBSERVERS, scale), fleiss_kappa(GWET_5_OBSERVERS, scale)
    assert (ac1.value, ac1.details["se"], ac1.ci_low, ac1.ci_high) == pytest.approx(
        (.497, .122, .235, .758), abs=5e-4)
    assert (fleiss.value, fleiss.details["se"], fleiss.ci_low, fleiss.ci_high) == pytest.approx(
        (.458, .120, .199, .716), abs=5e-4)


def test_ac1_depends_on_the_declared_categories():
    # irr.md section 4: AC1/AC2 change with q, so the declared scale is always used.
    x = np.array([[3.0, 3.0], [3.0, 3.0], [4.0, 4.0], [3.0, 4.0], [4.0, 4.0]])
    assert gwet_ac(x, FIVE).value != pytest.approx(gwet_ac(x, Scale(3, 4)).value)


def test_cohen_needs_exactly_two_columns():
    s = cohen_kappa(DIAGNOSES[:, :3], FIVE)
    assert s.value is None and "exactly two raters" in s.note


@pytest.mark.parametrize("weighting", ["identity", "linear", "quadratic"])
def test_a_constant_rater_makes_cohen_undefined(weighting):
    x = np.column_stack([np.full(6, 3.0), [1.0, 2, 3, 4, 5, 3]])
    s = cohen_kappa(x, FIVE, weighting)
    assert s.value is None and "same score to every unit" in s.note


def test_all_ratings_equal():
    x = np.full((6, 3), 4.0)
    fleiss = fleiss_kappa(x, FIVE)
    assert fleiss.value is None and "no variance" in fleiss.note
    ac1 = gwet_ac(x, FIVE)  # AC1 stays defined: pe = 0 and pa = 1
    assert ac1.value == 1.0 and "by construction" in ac1.note


def test_one_unit_gives_no_interval():
    s = gwet_ac(np.array([[2.0, 2.0, 3.0]]), FIVE)
    assert s.value is not None and s.ci_low is None and "one unit" in s.note
    assert fleiss_kappa(np.array([[1.0, np.nan]]), FIVE).value is None
