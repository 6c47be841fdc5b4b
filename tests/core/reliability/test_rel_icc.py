"""ICC: the six McGraw & Wong / Shrout & Fleiss forms against published values."""

import numpy as np
import pytest
from reliability_data import ANXIETY, SHROUT_FLEISS

from rater.core.reliability.icc import icc_forms


def test_shrout_fleiss_1979_table_2_point_estimates():
    # Shrout & Fleiss (1979), Psychological Bulletin 86(2):420-428: the estimates the paper
    # reports for its Table 2 data: ICC(1,1) .17, ICC(2,1) .29, ICC(3,1) .71, ICC(1,4) .44,
    # ICC(2,4) .62, ICC(3,4) .91.
    icc = icc_forms(SHROUT_FLEISS)
    published = {"icc1": .17, "icc_a1": .29, "icc_c1": .71, "icc1k": .44, "icc_ak": .62,
                 "icc_ck": .91}
    for key, value in published.items():
        assert icc[key].value == pytest.approx(value, abs=0.005), key
        assert icc[key].n_units == 6 and icc[key].n_raters == 4


def test_shrout_fleiss_data_confidence_intervals_as_psych_prints_them():
    # R psych::ICC on the Shrout & Fleiss data (psych's own example `ICC(sf)`), output as printed
    # in RExRepos "interRaterICC" and statology-style tutorials (3 decimals): the McGraw & Wong
    # (1996, Table 7) F-based intervals, ICC(2,k) as Spearman-Brown of the ICC(2,1) bounds.
    icc = icc_forms(SHROUT_FLEISS)
    psych = {
        "icc1": (0.166, -0.133, 0.723),
        "icc_a1": (0.290, 0.019, 0.761),
        "icc_c1": (0.715, 0.342, 0.946),
        "icc1k": (0.443, -0.884, 0.912),
        "icc_ak": (0.620, 0.071, 0.927),
        "icc_ck": (0.909, 0.676, 0.986),
    }
    for key, (value, low, high) in psych.items():
        s = icc[key]
        assert (s.value, s.ci_low, s.ci_high) == pytest.approx((value, low, high), abs=6e-4), key


def test_irr_anxiety_icc_a1_with_satterthwaite_interval():
    # R irr documentation example icc(anxiety, model="twoway", type="agreement"):
    # ICC(A,1) = 0.198, F(19, 39.7) = 1.83, 95% CI -0.039 < ICC < 0.494.
    s = icc_forms(ANXIETY)["icc_a1"]
    assert s.value == pytest.approx(0.198, abs=5e-4)
    assert s.ci_low == pytest.approx(-0.039, abs=5e-4)
    assert s.ci_high == pytest.approx(0.494, abs=5e-4)
    assert s.method.startswith("ICC(A,1): two-way random effects, absolute agreement")


@pytest.mark.filterwarnings("ignore")  # pingouin's own pandas deprecation warnings
def test_equal_to_pingouin_on_the_shrout_fleiss_data():
    pg = pytest.importorskip("pingouin")
    pd = pytest.importorskip("pandas")
    long = pd.DataFrame([(i, j, SHROUT_FLEISS[i, j]) for i in range(6) for j in range(4)],
                        columns=["target", "rater", "score"])
    theirs = pg.intraclass_corr(long, "target", "rater", "score")["ICC"].to_numpy()
    ours = icc_forms(SHROUT_FLEISS)
    # pingouin's rows: ICC1, ICC2, ICC3, ICC1k, ICC2k, ICC3k (renamed ICC(1,1) ... in 0.7)
    order = ["icc1", "icc_a1", "icc_c1", "icc1k", "icc_ak", "icc_ck"]
    assert [ours[key].value for key in order] == pytest.approx(theirs, abs=1e-12)


def test_units_missing_a_rating_are_left_out_and_counted():
    x = np.vstack([SHROUT_FLEISS, [np.nan, 3, 4, 5]])
    s = icc_forms(x, note="slots by role")["icc_a1"]
    assert s.n_units == 6
    assert s.value == pytest.approx(icc_forms(SHROUT_FLEISS)["icc_a1"].value)
    assert s.note == "slots by role"


def test_rater_offset_keeps_consistency_but_lowers_agreement():
    # irr.md section 2: rater B = A + 1 on 10 units gives ICC(C,1) = 1 and ICC(A,1) < 1.
    a = np.arange(1.0, 11.0)
    icc = icc_forms(np.column_stack([a, a + 1]))
    assert icc["icc_c1"].value == pytest.approx(1.0)
    assert (icc["icc_c1"].ci_low, icc["icc_c1"].ci_high) == (1.0, 1.0)
    assert icc["icc_a1"].value < 1


def test_perfect_agreement_gives_one_with_a_collapsed_interval():
    a = np.array([1.0, 2, 3, 4, 5])
    s = icc_forms(np.column_stack([a, a]))["icc_a1"]
    assert (s.value, s.ci_low, s.ci_high) == (1.0, 1.0, 1.0)


@pytest.mark.parametrize(("x", "reason"), [
    (np.full((5, 2), 3.0), "no variance"),
    (np.array([[1.0, 2.0]]), "1 unit"),
    (np.array([[1.0], [2.0], [3.0]]), "fewer than two raters"),
    (np.array([[1.0, np.nan], [np.nan, 2.0]]), "0 unit"),
])
def test_undefined_cases_are_null_with_a_reason(x, reason):
    for s in icc_forms(x).values():
        assert s.value is None and s.ci_low is None
        assert reason in s.note
        assert s.to_dict()["ci95"] is None


def test_no_variance_between_units_leaves_average_forms_undefined():
    # Every unit has the same mean: ICC(1) = -1/(k - 1) but ICC(k) = 1 - MSW/MSR is -infinity.
    icc = icc_forms(np.array([[1.0, 2.0], [2.0, 1.0], [1.0, 2.0]]))
    assert icc["icc1"].value == pytest.approx(-1.0)
    assert icc["icc1k"].value is None and "MSR = 0" in icc["icc1k"].note
