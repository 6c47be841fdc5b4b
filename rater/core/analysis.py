"""The score analysed per recording, and group comparisons of it (pure numpy/scipy).

One score per recording and dimension is analysed (reference/domain.md §7). Which one is chosen
explicitly and named in every result and export: the primary rater's score (the reference
study's way: the second rater serves reliability only), the mean of the primary and second
raters, or the consensus score where one was recorded. Reliability is never computed on these
scores, only on the independent ratings.

The group comparison reports, per dimension, n, mean, SD and a t-based 95% CI per group; for two
groups Welch's t-test, the Mann-Whitney U test, Hedges' g and the rank-biserial correlation, each
effect size with a 95% CI; for more groups one-way ANOVA (eta squared) and Kruskal-Wallis
(epsilon squared). With 5-point ratings the t-test and Mann-Whitney have similar power (de Winter
& Dodou 2010), so both are reported. p-values are two-sided; Holm-adjusted values are given for
the number of dimensions compared.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from rater.core.errors import Problem, RaterError
from rater.core.reliability.result import json_number

SCORE_METHODS: dict[str, str] = {
    "primary": "the primary rater's score (the second rater's serves reliability only)",
    "mean": "the mean of the primary and second raters' scores (one rater's score where only "
            "one rated)",
    "consensus": "the consensus score where one was recorded, else the primary rater's score",
}
DEFAULT_METHOD = "primary"
INDEPENDENT_ROLES = ("primary", "second")
Z95 = stats.norm.ppf(0.975)

MULTIPLE_COMPARISONS_NOTE = (
    "p-values are two-sided and not adjusted; p_holm adjusts each test's p-values for the {k} "
    "dimension(s) compared (Holm 1979). Several dimensions and two tests per dimension raise "
    "the chance that one p-value falls below .05 by chance alone: report the adjusted values, "
    "or say why unadjusted ones are used.")


# ---------------------------------------------------------------------------------------------
# the score analysed

def check_method(method: str) -> str:
    if method not in SCORE_METHODS:
        raise RaterError(Problem(f"unknown score method '{method}'", "--score",
                                 f"choose one of: {', '.join(SCORE_METHODS)}"))
    return method


def analysis_scores(ratings: pd.DataFrame, consensus: pd.DataFrame, method: str) -> pd.Series:
    """One score per (recording, dimension) by `method`, indexed by those two.

    `ratings` has columns recording, role, dimension, score (independent, submitted ratings;
    roles other than primary and second are ignored); `consensus` has recording, dimension,
    score (the latest consensus per recording and dimension).
    """
    check_method(method)
    independent = ratings[ratings["role"].isin(INDEPENDENT_ROLES)]
    if independent.empty:
        index = pd.MultiIndex.from_arrays([[], []], names=["recording", "dimension"])
        return pd.Series([], index=index, dtype=float, name="score")
    by_role = independent.pivot_table(index=["recording", "dimension"], columns="role",
                                      values="score", aggfunc="first")
    by_role = by_role.reindex(columns=list(INDEPENDENT_ROLES))
    scores = by_role.mean(axis=1, skipna=True) if method == "mean" else by_role["primary"]
    if method == "consensus" and len(consensus):
        agreed = consensus.set_index(["recording", "dimension"])["score"].astype(float)
        scores = agreed.combine_first(scores)
    return scores.dropna().rename("score")


# ---------------------------------------------------------------------------------------------
# effect sizes and tests, each on plain arrays

def group_summary(x: np.ndarray) -> dict[str, Any]:
    """n, mean, SD (n - 1) and the t-based 95% CI of the mean."""
    n = len(x)
    mean = float(np.mean(x)) if n else None
    sd = float(np.std(x, ddof=1)) if n > 1 else None
    ci = None
    if sd is not None:
        half = stats.t.ppf(0.975, n - 1) * sd / math.sqrt(n)
        ci = [mean - half, mean + half]
    return {"n": n, "mean": mean, "sd": sd, "ci95": ci}


def hedges_g(mean1: float, sd1: float, n1: int, mean2: float, sd2: float,
             n2: int) -> dict[str, Any]:
    """Hedges' g of mean1 - mean2 with its 95% CI, from group summaries.

    Borenstein, Hedges, Higgins & Rothstein (2009), Introduction to Meta-Analysis, eqs. 4.18-4.24
    (after Hedges & Olkin 1985): d = (M1 - M2) / S_within with the pooled SD; V_d = (n1 + n2) /
    (n1 n2) + d^2 / (2 (n1 + n2)); J = 1 - 3 / (4 df - 1), df = n1 + n2 - 2; g = J d;
    V_g = J^2 V_d; 95% CI g +/- z sqrt(V_g) with the exact normal quantile z(.975) = 1.959964
    (Borenstein et al. round it to 1.96). J is Hedges' (1981) approximation of the exact
    correction; Lakens (2013, eq. 4) writes it as 1 - 3 / (4 (n1 + n2) - 9).
    """
    method = ("Hedges' g: pooled-SD standardised mean difference with small-sample correction "
              "J = 1 - 3/(4 df - 1); 95% CI g +/- z SE with z(.975) = 1.959964 (Borenstein et "
              "al. 2009, eqs. 4.18-4.24)")
    df = n1 + n2 - 2
    pooled = math.sqrt(((n1 - 1) * sd1**2 + (n2 - 1) * sd2**2) / df) if df > 0 else 0.0
    if pooled == 0:
        return {"value": None, "ci95": None, "se": None, "method": method,
                "note": "undefined: no spread within the groups"}
    d = (mean1 - mean2) / pooled
    v_d = (n1 + n2) / (n1 * n2) + d**2 / (2 * (n1 + n2))
    j = 1 - 3 / (4 * df - 1)
    g, se = j * d, j * math.sqrt(v_d)
    return {"value": g, "ci95": [g - Z95 * se, g + Z95 * se], "se": se, "method": method,
            "note": None}


def rank_biserial(u1: float, n1: int, n2: int) -> dict[str, Any]:
    """Glass's rank-biserial correlation from group 1's U, with a 95% CI.

    r = 2 U1 / (n1 n2) - 1: the share of pairs where group 1 scores higher minus the share where
    it scores lower (Kerby 2014). CI: tanh(atanh(r) +/- z sqrt((n1 + n2 + 1) / (3 n1 n2))) with
    z(.975) = 1.959964, the normal approximation of R's effectsize::rank_biserial (Ben-Shachar et
    al. 2020).
    """
    r = 2 * u1 / (n1 * n2) - 1
    se = math.sqrt((n1 + n2 + 1) / (3 * n1 * n2))
    z = math.atanh(max(min(r, 1 - 1e-12), -1 + 1e-12))
    return {"value": r, "ci95": [math.tanh(z - Z95 * se), math.tanh(z + Z95 * se)],
            "method": "rank-biserial r = 2 U1/(n1 n2) - 1; 95% CI tanh(atanh(r) +/- z SE) with "
                      "z(.975) = 1.959964 and SE sqrt((n1 + n2 + 1)/(3 n1 n2)) (as R "
                      "effectsize::rank_biserial)"}


def welch_t(x: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    """Welch's t-test of mean(x) - mean(y), with the Welch-Satterthwaite df and the CI."""
    method = "Welch's t-test (unequal variances), two-sided"
    if np.ptp(x) == 0 and np.ptp(y) == 0:
        return {"t": None, "df": None, "p": None, "mean_difference": float(x[0] - y[0]),
                "ci95": None, "method": method, "note": "undefined: no spread within the groups"}
    result = stats.ttest_ind(x, y, equal_var=False)
    ci = result.confidence_interval()
    return {"t": float(result.statistic), "df": float(result.df),
            "p": float(result.pvalue), "mean_difference": float(np.mean(x) - np.mean(y)),
            "ci95": [float(ci.low), float(ci.high)], "method": method}


def mann_whitney(x: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    """Mann-Whitney U of x against y; exact p when untied and small, else normal approximation
    with tie and continuity correction (scipy's 'auto' rule, made explicit to report it)."""
    tied = len(np.unique(np.concatenate([x, y]))) < len(x) + len(y)
    method = "exact" if not tied and min(len(x), len(y)) <= 8 else "asymptotic"
    result = stats.mannwhitneyu(x, y, alternative="two-sided", method=method)
    described = ("exact distribution" if method == "exact" else
                 "normal approximation with tie and continuity correction")
    return {"u": float(result.statistic), "p": float(result.pvalue),
            "method": f"Mann-Whitney U (U of the first group), two-sided, {described}",
            "rank_biserial": rank_biserial(float(result.statistic), len(x), len(y))}


def anova(samples: Sequence[np.ndarray]) -> dict[str, Any]:
    """One-way ANOVA with eta squared (SS between / SS total)."""
    result = stats.f_oneway(*samples)
    every = np.concatenate(samples)
    ss_total = float(((every - every.mean()) ** 2).sum())
    ss_between = float(sum(len(s) * (s.mean() - every.mean()) ** 2 for s in samples))
    return {"f": float(result.statistic), "df_between": len(samples) - 1,
            "df_within": len(every) - len(samples), "p": float(result.pvalue),
            "eta_squared": ss_between / ss_total if ss_total else None,
            "method": "one-way ANOVA (equal variances assumed); eta squared = SS between / SS "
                      "total"}


def kruskal_wallis(samples: Sequence[np.ndarray]) -> dict[str, Any]:
    """Kruskal-Wallis H with epsilon squared = H / ((n^2 - 1) / (n + 1)) (Tomczak & Tomczak
    2014)."""
    result = stats.kruskal(*samples)
    n = sum(len(s) for s in samples)
    h = float(result.statistic)
    return {"h": h, "df": len(samples) - 1, "p": float(result.pvalue),
            "epsilon_squared": h / ((n**2 - 1) / (n + 1)),
            "method": "Kruskal-Wallis H (tie-corrected), chi-squared approximation"}


def holm(p_values: Sequence[float | None]) -> list[float | None]:
    """Holm's step-down adjusted p-values (Holm 1979); None stays None."""
    present = [(p, i) for i, p in enumerate(p_values) if p is not None and math.isfinite(p)]
    adjusted: list[float | None] = [None] * len(p_values)
    running = 0.0
    for rank, (p, i) in enumerate(sorted(present)):
        running = max(running, min(1.0, (len(present) - rank) * p))
        adjusted[i] = running
    return adjusted


# ---------------------------------------------------------------------------------------------
# the comparison

def compare_groups(scores: pd.Series, groups: Mapping[Any, str], dimensions: Sequence[str],
                   order: Sequence[str] | None = None) -> dict[str, Any]:
    """Compare the groups on every dimension.

    `scores` is indexed by (recording, dimension) (see `analysis_scores`); `groups` maps a
    recording to its group (recordings without one are left out); `order` picks and orders the
    groups (default: sorted). Effects of two groups are first minus second.
    """
    frame = scores.reset_index()
    frame["group"] = frame["recording"].map(groups)
    left_out = int(frame.loc[frame["group"].isna(), "recording"].nunique())
    frame = frame.dropna(subset=["group"])
    labels = list(order) if order else sorted(frame["group"].unique())
    _check_groups(labels, set(frame["group"]))
    frame = frame[frame["group"].isin(labels)]
    dims = {d: _dimension(frame[frame["dimension"] == d], labels) for d in dimensions}
    _adjust(dims)
    return {"groups": labels,
            "recordings_without_group": left_out,
            "dimensions": json_safe(dims),
            "multiple_comparisons": MULTIPLE_COMPARISONS_NOTE.format(k=len(dims))}


def json_safe(value: Any) -> Any:
    """The same structure with NaN and infinities (e.g. a t-test without spread) as None."""
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_safe(v) for v in value]
    if isinstance(value, float):
        return json_number(value)
    return value


def _check_groups(labels: Sequence[str], present: set[str]) -> None:
    missing = [g for g in labels if g not in present]
    if missing:
        raise RaterError(Problem(f"no scored recording in group(s) {', '.join(missing)}",
                                 "--groups", "choose from: " + ", ".join(sorted(present))))
    if len(labels) < 2:
        raise RaterError(Problem("a comparison needs at least two groups with scores",
                                 "--by", "choose a field whose values split the recordings"))


def _dimension(rows: pd.DataFrame, labels: Sequence[str]) -> dict[str, Any]:
    samples = [rows.loc[rows["group"] == g, "score"].to_numpy(dtype=float) for g in labels]
    out: dict[str, Any] = {"groups": [{"group": g, **group_summary(s)}
                                      for g, s in zip(labels, samples, strict=True)]}
    if any(len(s) < 2 for s in samples):
        out["note"] = "a group has fewer than two scores: no test"
        return out
    if len(samples) == 2:
        x, y = samples
        summary = out["groups"]
        out["welch_t"] = welch_t(x, y)
        out["mann_whitney"] = mann_whitney(x, y)
        out["hedges_g"] = hedges_g(summary[0]["mean"], summary[0]["sd"], len(x),
                                   summary[1]["mean"], summary[1]["sd"], len(y))
    else:
        out["anova"] = anova(samples)
        out["kruskal_wallis"] = kruskal_wallis(samples)
    return out


TESTS = ("welch_t", "mann_whitney", "anova", "kruskal_wallis")


def _adjust(dims: dict[str, dict[str, Any]]) -> None:
    """Holm-adjust each test's p-values across dimensions; NaN (no spread) becomes None."""
    for test in TESTS:
        having = [d for d in dims.values() if test in d]
        raw = [json_number(d[test]["p"]) for d in having]
        for d, p, adjusted in zip(having, raw, holm(raw), strict=True):
            d[test]["p"], d[test]["p_holm"] = p, adjusted


# ---------------------------------------------------------------------------------------------
# a table for a paper

def format_p(p: float | None) -> str:
    """APA style: no leading zero, '< .001' for tiny values."""
    if p is None:
        return "–"
    return "< .001" if p < 0.001 else f"{p:.3f}".lstrip("0")


def _num(x: float | None, digits: int = 2) -> str:
    return "–" if x is None or not math.isfinite(x) else f"{x:.{digits}f}"


def _p_cell(test: dict[str, Any]) -> str:
    """The raw p-value, with the Holm-adjusted one in brackets."""
    return f"{format_p(test['p'])} ({format_p(test['p_holm'])})"


def _with_ci(effect: dict[str, Any]) -> str:
    if effect.get("value") is None:
        return "–"
    low, high = effect["ci95"]
    return f"{_num(effect['value'])} [{_num(low)}, {_num(high)}]"


def paper_table(result: dict[str, Any], names: Mapping[str, str]) -> list[list[str]]:
    """The comparison as rows of cells (header first), ready for Markdown or CSV."""
    labels = result["groups"]
    header = ["Dimension"] + [f"{g} M (SD), n" for g in labels]
    two = len(labels) == 2
    header += (["Welch t (df)", "p (Holm)", "Hedges' g [95% CI]", "U", "p (Holm)",
                "r_rb [95% CI]"] if two
               else ["F (df)", "p (Holm)", "η²", "H (df)", "p (Holm)", "ε²"])
    rows = [header]
    for dim, d in result["dimensions"].items():
        cells = [names.get(dim, dim)]
        cells += [f"{_num(g['mean'])} ({_num(g['sd'])}), {g['n']}" for g in d["groups"]]
        if "welch_t" in d:
            t, u = d["welch_t"], d["mann_whitney"]
            cells += [f"{_num(t['t'])} ({_num(t['df'], 1)})", _p_cell(t),
                      _with_ci(d["hedges_g"]), _num(u["u"], 1), _p_cell(u),
                      _with_ci(u["rank_biserial"])]
        elif "anova" in d:
            f, h = d["anova"], d["kruskal_wallis"]
            cells += [f"{_num(f['f'])} ({f['df_between']}, {f['df_within']})",
                      _p_cell(f), _num(f["eta_squared"]),
                      f"{_num(h['h'])} ({h['df']})", _p_cell(h),
                      _num(h["epsilon_squared"])]
        else:
            cells += ["–"] * 6
        rows.append(cells)
    return rows


def markdown_table(rows: list[list[str]]) -> str:
    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    return "\n".join([line(rows[0]), line(["---"] * len(rows[0])), *map(line, rows[1:])])
