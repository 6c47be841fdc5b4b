"""Group-comparison statistics against published numbers and R's documented outputs, the score
analysed per recording, the paper table, and export variable names."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from rater.core.analysis import (
    analysis_scores,
    anova,
    compare_groups,
    format_p,
    hedges_g,
    holm,
    kruskal_wallis,
    mann_whitney,
    markdown_table,
    paper_table,
    rank_biserial,
    welch_t,
)
from rater.core.errors import RaterError
from rater.core.export_names import label, name_problems, suffixed, variable_name

# R's datasets::mtcars, mpg by transmission (am = 0 automatic, 1 manual).
MPG_AUTOMATIC = np.array([21.4, 18.7, 18.1, 14.3, 24.4, 22.8, 19.2, 17.8, 16.4, 17.3, 15.2, 10.4,
                          10.4, 14.7, 21.5, 15.5, 15.2, 13.3, 19.2])
MPG_MANUAL = np.array([21.0, 21.0, 22.8, 32.4, 30.4, 33.9, 27.3, 26.0, 30.4, 15.8, 19.7, 15.0,
                       21.4])
# R's datasets::PlantGrowth, weight by group.
PLANTS = [np.array([4.17, 5.58, 5.18, 6.11, 4.50, 4.61, 5.17, 4.53, 5.33, 5.14]),
          np.array([4.81, 4.17, 4.41, 3.59, 5.87, 3.83, 6.03, 4.89, 4.32, 4.69]),
          np.array([6.31, 5.12, 5.54, 5.50, 5.37, 5.29, 4.92, 6.15, 5.80, 5.26])]


def test_welch_t_matches_r_t_test_on_mtcars():
    # R: t.test(mpg ~ am, data = mtcars): t = -3.7671, df = 18.332, p-value = 0.001374,
    # 95 percent CI -11.280194 -3.209684
    result = welch_t(MPG_AUTOMATIC, MPG_MANUAL)
    assert result["t"] == pytest.approx(-3.7671, abs=1e-4)
    assert result["df"] == pytest.approx(18.332, abs=1e-3)
    assert result["p"] == pytest.approx(0.001374, abs=1e-6)
    assert result["ci95"] == pytest.approx([-11.280194, -3.209684], abs=1e-6)


def test_mann_whitney_and_rank_biserial_match_r_on_mtcars():
    # R: wilcox.test(mpg ~ am, data = mtcars): W = 42, p-value = 0.001871 (normal approximation
    # with continuity correction: there are ties); effectsize::rank_biserial(mpg ~ am, mtcars):
    # r = -0.66, 95% CI [-0.84, -0.36].
    result = mann_whitney(MPG_AUTOMATIC, MPG_MANUAL)
    assert result["u"] == 42
    assert result["p"] == pytest.approx(0.001871, abs=1e-6)
    assert "continuity" in result["method"]
    r = result["rank_biserial"]
    assert r["value"] == pytest.approx(-0.66, abs=0.005)
    assert r["ci95"] == pytest.approx([-0.84, -0.36], abs=0.005)


def test_rank_biserial_by_hand():
    # all of group 1 above all of group 2: U1 = n1 n2, r = 1; half the pairs: r = 0
    assert rank_biserial(12, 3, 4)["value"] == 1
    assert rank_biserial(6, 3, 4)["value"] == 0
    low, high = rank_biserial(6, 3, 4)["ci95"]
    se = math.sqrt((3 + 4 + 1) / (3 * 3 * 4))
    assert (low, high) == pytest.approx((math.tanh(-1.959964 * se), math.tanh(1.959964 * se)))


def test_exact_mann_whitney_when_small_and_untied():
    result = mann_whitney(np.array([1.0, 2, 3]), np.array([4.0, 5, 6, 7]))
    assert "exact" in result["method"]
    assert result["p"] == pytest.approx(2 / math.comb(7, 3))  # the most extreme of 35 splits


def test_hedges_g_worked_example_borenstein_2009():
    # Borenstein, Hedges, Higgins & Rothstein (2009), Introduction to Meta-Analysis, ch. 4:
    # means 103 and 100, SDs 5.5 and 4.5, n = 50 each: S_within = 5.0249, d = 0.5970,
    # V_d = 0.0418, J = 0.9923, g = 0.5924, V_g = 0.0411, SE_g = 0.2028.
    result = hedges_g(103.0, 5.5, 50, 100.0, 4.5, 50)
    assert result["value"] == pytest.approx(0.5924, abs=5e-5)
    assert result["se"] == pytest.approx(0.2028, abs=5e-5)
    assert result["ci95"] == pytest.approx([0.5924 - 1.959964 * 0.2028,
                                            0.5924 + 1.959964 * 0.2028], abs=5e-4)
    assert "Borenstein" in result["method"]
    # issue 15, item 3: the text states the z the interval uses (it said "+/-1.96 SE")
    assert "z(.975) = 1.959964" in result["method"] and "1.96 SE" not in result["method"]


def test_hedges_g_lakens_2013_movie_example():
    # Lakens (2013), Front. Psychol. 4:863, Table 1: two movies rated by 10 people each:
    # t(18) = 2.52, Cohen's d_s = 1.13, Hedges' g_s = 1.08.
    movie1 = np.array([9, 7, 8, 9, 8, 9, 9, 10, 9, 9.0])
    movie2 = np.array([9, 6, 7, 8, 7, 9, 8, 8, 8, 7.0])
    result = hedges_g(movie1.mean(), movie1.std(ddof=1), 10, movie2.mean(),
                      movie2.std(ddof=1), 10)
    assert result["value"] == pytest.approx(1.08, abs=0.005)


def test_hedges_g_and_rank_biserial_methods_state_the_quantile_the_code_uses():
    # The CI multiplier is z(.975) = 1.959964 (as Borenstein et al. 2009 and R compute it),
    # and the method text must say so, not "1.96" (issue 15, item 3).
    import re

    from scipy.stats import norm

    z = norm.ppf(0.975)
    g = hedges_g(103.0, 5.5, 50, 100.0, 4.5, 50)
    assert (g["ci95"][1] - g["value"]) / g["se"] == pytest.approx(z, abs=1e-12)
    for method in (g["method"], rank_biserial(6, 3, 4)["method"]):
        assert "1.96 " not in method and "1.96)" not in method, method
        stated = float(re.search(r"z\(\.975\) = (1\.\d+)", method).group(1))
        assert stated == pytest.approx(z, abs=5e-7), method


def test_hedges_g_without_spread_is_undefined():
    assert hedges_g(3.0, 0.0, 5, 2.0, 0.0, 5)["value"] is None


def test_anova_and_kruskal_wallis_match_r_on_plantgrowth():
    # R: summary(aov(weight ~ group, PlantGrowth)): F = 4.846 on 2 and 27 df, p = 0.0159;
    # kruskal.test(weight ~ group, PlantGrowth): chi-squared = 7.9882, df = 2, p = 0.01842.
    f = anova(PLANTS)
    assert f["f"] == pytest.approx(4.846, abs=5e-4)
    assert (f["df_between"], f["df_within"]) == (2, 27)
    assert f["p"] == pytest.approx(0.0159, abs=5e-5)
    assert f["eta_squared"] == pytest.approx(3.76634 / (3.76634 + 10.49209), abs=1e-4)
    h = kruskal_wallis(PLANTS)
    assert h["h"] == pytest.approx(7.9882, abs=5e-5)
    assert h["p"] == pytest.approx(0.01842, abs=5e-6)
    assert h["epsilon_squared"] == pytest.approx(7.9882 / ((30**2 - 1) / 31), abs=1e-4)


def test_holm_adjustment():
    # Holm (1979): sorted p times (m - rank), made monotone, capped at 1
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert holm([0.5, None, 0.9]) == [1.0, None, 1.0]  # R: p.adjust(c(.5, .9), "holm")


def _ratings(rows: list[tuple[int, str, str, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["recording", "role", "dimension", "score"])


def test_analysis_score_methods():
    ratings = _ratings([(1, "primary", "w", 4), (1, "second", "w", 2), (1, "retest", "w", 1),
                        (2, "primary", "w", 3), (3, "second", "w", 5)])
    consensus = pd.DataFrame([(1, "w", 3)], columns=["recording", "dimension", "score"])
    primary = analysis_scores(ratings, consensus, "primary")
    assert primary.to_dict() == {(1, "w"): 4, (2, "w"): 3}
    mean = analysis_scores(ratings, consensus, "mean")
    assert mean.to_dict() == {(1, "w"): 3.0, (2, "w"): 3.0, (3, "w"): 5.0}
    agreed = analysis_scores(ratings, consensus, "consensus")
    assert agreed.to_dict() == {(1, "w"): 3.0, (2, "w"): 3.0}
    with pytest.raises(RaterError, match="unknown score method"):
        analysis_scores(ratings, consensus, "median")
    assert analysis_scores(ratings.iloc[:0], consensus, "primary").empty


def _scores(groups: dict[str, list[float]], dimension: str = "d") -> tuple[pd.Series, dict]:
    index, values, membership, unit = [], [], {}, 0
    for group, scores in groups.items():
        for score in scores:
            index.append((unit, dimension))
            values.append(score)
            membership[unit] = group
            unit += 1
    series = pd.Series(values, index=pd.MultiIndex.from_tuples(
        index, names=["recording", "dimension"]), name="score")
    return series, membership


def test_compare_two_groups_and_the_paper_table():
    scores, groups = _scores({"B": [2, 3, 2, 3, 2], "A": [4, 5, 4, 3, 5, 4]})
    groups[99] = None  # a recording without a group value is left out
    result = compare_groups(scores, groups, ["d"])
    assert result["groups"] == ["A", "B"]
    entry = result["dimensions"]["d"]
    assert [g["n"] for g in entry["groups"]] == [6, 5]
    assert entry["welch_t"]["t"] > 0 and entry["hedges_g"]["value"] > 0
    assert entry["welch_t"]["p_holm"] == entry["welch_t"]["p"]  # one dimension
    rows = paper_table(result, {"d": "Dimension D"})
    assert rows[1][0] == "Dimension D" and rows[1][1] == "4.17 (0.75), 6"
    p = entry["welch_t"]["p"]
    assert rows[1][4] == f"{format_p(p)} ({format_p(p)})"  # raw (Holm), one dimension
    text = markdown_table(rows)
    assert text.splitlines()[1].startswith("| --- |")
    reordered = compare_groups(scores, groups, ["d"], order=["B", "A"])
    assert reordered["dimensions"]["d"]["hedges_g"]["value"] == pytest.approx(
        -entry["hedges_g"]["value"])


def test_compare_refuses_unknown_or_single_groups_and_survives_no_spread():
    scores, groups = _scores({"A": [3, 3, 3], "B": [3, 3, 3]})
    result = compare_groups(scores, groups, ["d"])
    entry = result["dimensions"]["d"]
    assert entry["welch_t"]["p"] is None and entry["hedges_g"]["value"] is None
    with pytest.raises(RaterError, match="no scored recording in group"):
        compare_groups(scores, groups, ["d"], order=["A", "C"])
    with pytest.raises(RaterError, match="at least two groups"):
        compare_groups(scores, groups, ["d"], order=["A"])
    small, membership = _scores({"A": [3], "B": [2, 4]})
    assert "no test" in compare_groups(small, membership, ["d"])["dimensions"]["d"]["note"]


def test_p_values_in_apa_style():
    assert format_p(0.0004) == "< .001"
    assert format_p(0.0123) == ".012"
    assert format_p(None) == "–"


# ---------------------------------------------------------------------------------------------
# export variable names (reference/domain.md §7)

@pytest.mark.parametrize("text,name", [
    ("Local authority (LA)", "Local_authority_LA"),
    ("année", "annee"),
    ("Größe", "Groesse"),  # issue 15, item 7: transliterated, not dropped ("Groe")
    ("Ørsted Æble", "Oersted_Aeble"),
    ("2nd visit", "v_2nd_visit"),
    ("with", "with_v"),  # SPSS reserved
    ("_n", "n"),
    ("str20", "str20_v"),  # a Stata type name
    ("🙂", "var"),
    ("x" * 40, "x" * 32),
    ("trailing_", "trailing"),
])
def test_variable_names_are_valid_everywhere(text, name):
    assert variable_name(text) == name
    assert name_problems([name]) == []


def test_variable_names_are_unique_ignoring_case():
    taken = ["la", "LA_2"]
    name = variable_name("La", taken)
    assert name.lower() not in {t.lower() for t in taken} and not name_problems([name])
    long = variable_name("y" * 40, ["y" * 32])
    assert len(long) <= 32 and long.endswith("_2")
    assert name_problems(["code", "CODE"]) == ["'CODE': used twice (ignoring case)"]
    assert name_problems(["2x"])
    assert suffixed("d" * 32, "consensus") == "d" * 22 + "_consensus"


def test_labels_fit_stata():
    assert label("short") == "short"
    long = label("word " * 40)
    assert len(long) == 80 and long.endswith("…")
