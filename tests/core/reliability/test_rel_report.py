"""The whole report: input checks, designs, roles, re-tests, JSON safety, reproducibility."""

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reliability_data import DIAGNOSES, KRIPPENDORFF_2011, SHROUT_FLEISS

from rater.core.errors import RaterError
from rater.core.reliability import STATISTIC_KEYS, Statistic, reliability_report
from rater.core.reliability.matrix import RatingMatrix, Scale
from rater.core.reliability.report import dimension_statistics


def tidy(matrix, dimension="warmth", raters=None, roles=None):
    """Records from a units x raters matrix (NaN = no row)."""
    raters = raters or [f"R{j + 1}" for j in range(matrix.shape[1])]
    rows = []
    for u, line in enumerate(matrix):
        for j, score in enumerate(line):
            if not np.isnan(score):
                row = {"unit": f"U{u + 1}", "rater": raters[j], "dimension": dimension,
                       "score": score}
                if roles is not None:
                    row["role"] = roles[u][j]
                rows.append(row)
    return rows


def rotating_pairs(n_units=40, seed=5):
    """Each unit scored by a different pair of 4 raters, with allocation roles."""
    rng = np.random.default_rng(seed)
    rows = []
    for u in range(n_units):
        truth = rng.integers(1, 6)
        a, b = rng.choice(4, size=2, replace=False)
        for rater, role in ((a, "primary"), (b, "second")):
            score = int(np.clip(truth + rng.integers(-1, 2), 1, 5))
            rows.append({"unit": f"U{u}", "rater": f"R{rater}", "dimension": "empathy",
                         "score": score, "role": role})
    return rows


def test_report_shape_has_every_statistic_and_the_verdict():
    report = reliability_report(rotating_pairs(), (1, 5), resamples=200)
    json.dumps(report, allow_nan=False)
    dim = report["dimensions"]["empathy"]
    assert dim["n_units"] == 40 and dim["n_raters"] == 4
    assert list(dim["statistics"]) == list(STATISTIC_KEYS)
    for key, s in dim["statistics"].items():
        assert set(s) >= {"value", "ci95", "method", "note"}, key
        if key != "light_kappa":  # two allocation roles: Cohen's kappa is given instead
            assert s["value"] is not None, (key, s["note"])
    assert "cohen_kappa" in dim["statistics"]["light_kappa"]["note"]
    crit = dim["criterion"]
    assert crit["statistic"] == "pearson_r" and crit["threshold"] == 0.7
    assert isinstance(crit["passed"], bool) and isinstance(crit["lower_bound_passed"], bool)
    assert crit["agreement"]["statistic"] == "icc_a1"
    assert report["criterion"] == "pearson_r:0.7"
    assert report["bootstrap"] == {"resamples": 200, "seed": 0,
                                   "kind": "percentile bootstrap over units (recordings)"}


def test_rotating_rater_pairs_are_paired_by_allocation_role():
    dim = reliability_report(rotating_pairs(), (1, 5), resamples=50)["dimensions"]["empathy"]
    assert dim["design"]["crossed"] is False and dim["design"]["allocation_roles"] is True
    for key in ("pearson_r", "icc_a1", "cohen_kappa"):
        assert "allocation role" in dim["statistics"][key]["note"]
        assert dim["statistics"][key]["n_units"] == 40
    assert "(second - primary)" in dim["statistics"]["mean_difference"]["method"]
    assert len(dim["pairs"]) == 6 and len(dim["raters"]) == 4


def test_crossed_raters_reproduce_shrout_fleiss():
    report = reliability_report(tidy(SHROUT_FLEISS), (1, 10), criterion="icc_a1:0.7",
                                resamples=100)
    dim = report["dimensions"]["warmth"]
    assert dim["design"] == {"crossed": True, "allocation_roles": False, "note": None}
    assert dim["statistics"]["icc_a1"]["value"] == pytest.approx(0.290, abs=5e-4)
    assert dim["statistics"]["icc_ck"]["value"] == pytest.approx(0.909, abs=5e-4)
    assert dim["statistics"]["cohen_kappa"]["value"] is None  # four raters
    assert dim["criterion"]["passed"] is False


def test_missing_ratings_feed_alpha_with_every_pairable_value():
    report = reliability_report(tidy(KRIPPENDORFF_2011), (1, 5), resamples=100)
    stats = report["dimensions"]["warmth"]["statistics"]
    assert stats["kripp_alpha_nominal"]["value"] == pytest.approx(0.743, abs=5e-4)
    assert stats["kripp_alpha_ordinal"]["value"] == pytest.approx(0.815, abs=5e-4)
    # ICC is listwise: only the units rated by all four raters
    assert stats["icc_a1"]["n_units"] == 8
    assert "listwise" in stats["icc_a1"]["note"]
    assert "each rater pair" in stats["pearson_r"]["note"]


def test_gwet_and_fleiss_keep_single_rated_units_as_gwet_does():
    # Gwet (2014), Handbook of Inter-Rater Reliability, 4th ed., p. 120 (irrCAC `cac.raw4raters`):
    # unit 12 has one rating. Gwet's R package irrCAC (github.com/kgwet/irrCAC, README.md,
    # "Computing agreement coefficients from raw ratings") prints
    #   gwet.ac1.raw:      pa 0.8181818 pe 0.1903212 AC1   0.77544 SE 0.14295 CI (0.461,1)
    #   fleiss.kappa.raw:  pa 0.8181818 pe 0.2387153 kappa 0.76117 SE 0.15302 CI (0.424,1)
    # The single-rated unit counts in the chance term and the variance's n (12), not in pa (11).
    # Without it AC1 would be 0.77515 (irr.md section 4).
    stats = reliability_report(tidy(KRIPPENDORFF_2011), (1, 5), resamples=0)[
        "dimensions"]["warmth"]["statistics"]
    published = {"gwet_ac1": (0.77544, 0.14295, 0.461, 0.1903212),
                 "fleiss_kappa": (0.76117, 0.15302, 0.424, 0.2387153)}
    for key, (value, se, low, pe) in published.items():
        s = stats[key]
        assert s["value"] == pytest.approx(value, abs=5e-6), key
        assert s["se"] == pytest.approx(se, abs=5e-6), key
        assert s["ci95"] == pytest.approx([low, 1.0], abs=5e-4), key
        assert (s["pa"], s["pe"]) == pytest.approx((0.8181818, pe), abs=5e-8), key
        assert s["n_units"] == 12 and s["units_with_two_or_more"] == 11, key
        assert "every rated unit" in s["method"], key


def test_two_crossed_raters_without_roles():
    x = np.array([[1, 2], [2, 2], [3, 4], [4, 4], [5, 5], [3, 2]], dtype=float)
    dim = reliability_report(tidy(x, raters=["Bea", "Al"]), (1, 5),
                             resamples=50)["dimensions"]["warmth"]
    md = dim["statistics"]["mean_difference"]
    assert "(Bea - Al)" in md["method"] and "alphabetical" in md["note"]
    assert md["value"] == pytest.approx(np.mean(x[:, 0] - x[:, 1]))
    assert dim["statistics"]["cohen_kappa"]["value"] is not None


def test_consensus_never_counts_and_missing_scores_are_reported():
    rows = tidy(SHROUT_FLEISS)
    plain = reliability_report(rows, (1, 10), resamples=50)
    extra = rows + [{"unit": "U1", "rater": "panel", "dimension": "warmth", "score": 1,
                     "role": "consensus"},
                    {"unit": "U2", "rater": "R9", "dimension": "warmth", "score": None}]
    report = reliability_report(extra, (1, 10), resamples=50)
    assert report["left_out"] == {"consensus_ratings": 1, "missing_scores": 1}
    assert report["dimensions"] == plain["dimensions"]


def test_retest_pairs_with_the_raters_first_score():
    rows = tidy(SHROUT_FLEISS)
    retests = [{"unit": f"U{u + 1}", "rater": "R1", "dimension": "warmth",
                "score": SHROUT_FLEISS[u, 0] + (u % 2), "role": "retest"} for u in range(6)]
    retests.append({"unit": "U99", "rater": "R1", "dimension": "warmth", "score": 3,
                    "role": "retest"})
    report = reliability_report(rows + retests, (1, 10), resamples=50)
    dim = report["dimensions"]["warmth"]
    retest = dim["retest"]
    assert retest["n_pairs"] == 6 and "1 re-test score(s) had no first score" in retest["note"]
    assert retest["statistics"]["exact_agreement"]["value"] == pytest.approx(0.5)
    assert retest["statistics"]["mean_difference"]["value"] == pytest.approx(0.5)
    assert retest["raters"][0]["rater"] == "R1" and retest["raters"][0]["n_pairs"] == 6
    # re-tests do not enter the inter-rater statistics
    assert dim["statistics"]["icc_a1"]["value"] == pytest.approx(0.290, abs=5e-4)


@pytest.mark.parametrize(("matrix", "reason"), [
    (np.full((6, 2), 3.0), "no variance"),
    (np.array([[2.0, 3.0]]), "unit"),
    (np.array([[2.0], [3.0], [4.0]]), "no unit has two"),
    (np.column_stack([np.full(6, 3.0), [1.0, 2, 3, 4, 5, 3]]), "same score"),
])
def test_undefined_cases_are_null_with_a_reason_and_valid_json(matrix, reason):
    report = reliability_report(tidy(matrix), (1, 5), resamples=50)
    text = json.dumps(report, allow_nan=False)
    assert "NaN" not in text and "Infinity" not in text
    dim = report["dimensions"]["warmth"]
    nulls = [s for s in dim["statistics"].values() if s["value"] is None]
    assert nulls and all(s["note"].startswith("undefined:") for s in nulls)
    assert any(reason in s["note"] for s in nulls)
    assert dim["criterion"]["passed"] is None


def test_records_and_dataframe_give_the_same_seeded_report():
    rows = rotating_pairs()
    a = reliability_report(rows, (1, 5), seed=3, resamples=300)
    b = reliability_report(pd.DataFrame(rows), (1, 5), seed=3, resamples=300)
    c = reliability_report(rows, (1, 5), seed=4, resamples=300)
    assert a == b
    alpha = a["dimensions"]["empathy"]["statistics"]["kripp_alpha_interval"]
    assert alpha["ci95"] != c["dimensions"]["empathy"]["statistics"]["kripp_alpha_interval"][
        "ci95"]


def test_collapsed_distribution_is_flagged():
    x = np.full((12, 2), 3.0)
    x[0, 0] = 4.0
    dist = reliability_report(tidy(x), (1, 5), resamples=50)["dimensions"]["warmth"][
        "distribution"]
    assert dist["counts"] == [0, 0, 23, 1, 0] and dist["scale"] == [1, 2, 3, 4, 5]
    assert "96% of the scores are 3" in dist["note"]


def test_scale_per_dimension_and_blinding():
    rows = tidy(SHROUT_FLEISS) + tidy(np.clip(SHROUT_FLEISS, 1, 7), dimension="clarity")
    guesses = [{"guess": "LA1", "actual": "LA1"}, {"guess": "", "actual": "LA2"}]
    report = reliability_report(rows, {"warmth": (1, 10), "clarity": (1, 7)}, resamples=50,
                                guesses=guesses)
    assert report["dimensions"]["clarity"]["scale"] == {"min": 1, "max": 7}
    assert report["blinding"]["arms"] == ["LA1", "LA2"]
    json.dumps(report, allow_nan=False)


def bad(rows, **changes):
    return [{**rows[0], **changes}] + rows[1:]


@pytest.mark.parametrize(("change", "message", "where"), [
    ({"score": 7}, "score 7 is not on the scale 1..5", "row 1 (unit U1, rater R1"),
    ({"score": 2.5}, "score 2.5 is not on the scale", "row 1"),
    ({"score": "high"}, "score 'high' is not a number", "row 1"),
    ({"role": "third"}, "unknown role 'third'", "row 1"),
    ({"unit": ""}, "unit is empty", "row 1"),
])
def test_bad_rows_are_reported_with_where_and_how_to_fix(change, message, where):
    rows = tidy(np.array([[1.0, 2.0], [3.0, 3.0], [4.0, 5.0]]))
    with pytest.raises(RaterError) as err:
        reliability_report(bad(rows, **change), (1, 5))
    problem = err.value.problems[0]
    assert message in problem.what and problem.where.startswith(where) and problem.fix


def test_duplicates_and_double_roles_are_refused():
    rows = tidy(np.array([[1.0, 2.0], [3.0, 3.0]]))
    with pytest.raises(RaterError, match="rater R1 scored unit U1 on warmth more than once"):
        reliability_report(rows + [rows[0]], (1, 5))
    roles = [{**r, "role": "primary"} for r in rows]
    with pytest.raises(RaterError, match="unit U1 has more than one primary score"):
        reliability_report(roles, (1, 5))


def test_missing_columns_unknown_criterion_and_missing_scale():
    with pytest.raises(RaterError, match="missing column"):
        reliability_report([{"unit": "U1", "rater": "R1", "score": 3}], (1, 5))
    with pytest.raises(RaterError, match="unknown statistic"):
        reliability_report(rotating_pairs(), (1, 5), criterion="kappa:0.6")
    with pytest.raises(RaterError, match="no scale for dimension"):
        reliability_report(rotating_pairs(), {"warmth": (1, 5)})
    with pytest.raises(RaterError, match="not a range of whole numbers"):
        reliability_report(rotating_pairs(), (5, 1))


def test_statistic_json_never_carries_nan_or_infinity():
    s = Statistic("x", float("nan"), float("-inf"), 1.0, "m", 3, 2, "", {"se": float("inf")})
    assert s.to_dict()["value"] is None and s.to_dict()["ci95"] is None
    assert s.to_dict()["se"] is None


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from([1.0, 2.0, 3.0, np.nan]), min_size=1, max_size=4),
                min_size=1, max_size=8).filter(lambda rows: len({len(r) for r in rows}) == 1))
def test_any_small_table_gives_valid_json_without_crashing(rows):
    m = RatingMatrix(np.array(rows), Scale(1, 3))
    stats = dimension_statistics(m, resamples=20)
    text = json.dumps({k: s.to_dict() for k, s in stats.items()}, allow_nan=False)
    assert "NaN" not in text
    for s in stats.values():
        assert (s.value is None) == s.note.startswith("undefined:")


def test_light_kappa_stands_in_where_cohen_kappa_is_null():
    # More than two raters: Cohen's kappa is null and Light's kappa, R irr::kappam.light, is
    # given (irr's documented example kappam.light(diagnoses): Kappa = 0.459).
    stats = reliability_report(tidy(DIAGNOSES), (1, 5), resamples=100)["dimensions"]["warmth"][
        "statistics"]
    assert stats["cohen_kappa"]["value"] is None
    assert stats["light_kappa"]["value"] == pytest.approx(0.459, abs=5e-4)
    assert stats["light_kappa"]["ci95"] is not None
    two = reliability_report(tidy(DIAGNOSES[:, :2]), (1, 5), resamples=50)["dimensions"][
        "warmth"]["statistics"]
    assert two["cohen_kappa"]["value"] is not None and two["light_kappa"]["value"] is None


def incomplete_ten_raters(n_units=300, missing=0.2, seed=8):
    """Ten raters, each rating missing at random with probability `missing` (not crossed, no
    allocation roles): ICC can only use the units every rater scored."""
    rng = np.random.default_rng(seed)
    x = np.clip(np.round(rng.normal(3, 1, n_units)[:, None] + rng.normal(0, .7, (n_units, 10))),
                1, 5)
    x[rng.random(x.shape) < missing] = np.nan
    return x


def test_listwise_icc_that_drops_over_a_fifth_of_the_units_is_flagged():
    x = incomplete_ten_raters()
    dim = reliability_report(tidy(x), (1, 5), resamples=50)["dimensions"]["warmth"]
    paired = int((np.count_nonzero(~np.isnan(x), axis=1) >= 2).sum())
    complete = int((~np.isnan(x)).all(axis=1).sum())
    assert dim["n_units"] == paired and dim["statistics"]["icc_a1"]["n_units"] == complete
    [warning] = dim["warnings"]
    assert warning["kind"] == "listwise"
    assert (warning["units_used"], warning["units"]) == (complete, paired)
    assert {"icc_a1", "icc1", "icc_ck", "light_kappa"} <= set(warning["statistics"])
    assert f"only {complete} of the {paired} recordings" in warning["text"]
    assert "Krippendorff's alpha" in warning["text"]
    # alpha uses every pairable rating
    assert dim["statistics"]["kripp_alpha_interval"]["n_units"] == paired


def test_no_listwise_warning_when_few_units_are_dropped():
    x = incomplete_ten_raters(missing=0.0)
    x[0, 3] = np.nan  # 1 of 300 units incomplete
    assert reliability_report(tidy(x), (1, 5), resamples=0)["dimensions"]["warmth"][
        "warnings"] == []
    assert reliability_report(tidy(SHROUT_FLEISS), (1, 10), resamples=0)["dimensions"][
        "warmth"]["warnings"] == []
