"""How precise will reliability be? Expected 95% CI widths at a planned number of units.

Used by the allocation report so a researcher sees, before rating starts, whether the planned
double-coding can show that a dimension passes the criterion.
"""

from __future__ import annotations

import math

# scipy.special, not scipy.stats: that costs ~0.5 s to import, and this module is on the path
# of every `rater reliability` (the precision planner).
from scipy.special import fdtri, ndtri

Z95 = ndtri(0.975)


def pearson_ci(r: float, n: int) -> tuple[float, float] | None:
    """Fisher-z 95% CI for Pearson r observed on n pairs (needs n > 3)."""
    if n <= 3 or not -1 < r < 1:
        return None
    z, half = math.atanh(r), Z95 / math.sqrt(n - 3)
    return math.tanh(z - half), math.tanh(z + half)


def icc_consistency_ci(rho: float, n: int, k: int = 2) -> tuple[float, float] | None:
    """Expected F-based 95% CI for a single-rater consistency ICC, ICC(C,1) = Shrout & Fleiss
    ICC(3,1), when the true value is rho: the observed F ratio is then (1+(k-1)rho)/(1-rho)
    (Shrout & Fleiss 1979, Table 4; McGraw & Wong 1996, Table 7)."""
    if n < 2 or k < 2 or not 0 <= rho < 1:
        return None
    f_obs = (1 + (k - 1) * rho) / (1 - rho)
    df1, df2 = n - 1, (n - 1) * (k - 1)
    f_low = f_obs / fdtri(df1, df2, 0.975)
    f_high = f_obs * fdtri(df2, df1, 0.975)
    return (f_low - 1) / (f_low + k - 1), (f_high - 1) / (f_high + k - 1)


def planned_precision(n_units: int, assumed: float) -> dict:
    """Expected CIs for Pearson r and ICC at n double-coded units, if the truth is `assumed`."""
    r = pearson_ci(assumed, n_units)
    icc = icc_consistency_ci(assumed, n_units)
    return {
        "n_units": n_units,
        "assumed": assumed,
        "pearson_r_ci": list(r) if r else None,
        "pearson_r_ci_width": r[1] - r[0] if r else None,
        "icc_ci": list(icc) if icc else None,
        "icc_ci_width": icc[1] - icc[0] if icc else None,
    }


def describe_plan(plan: dict) -> str:
    """One line of the allocation report: the widths that can be computed, in words."""
    widths = [f"{plan[key]:.2f} for {name}"
              for key, name in (("pearson_r_ci_width", "Pearson r"), ("icc_ci_width", "ICC"))
              if plan[key] is not None]
    if not widths:
        return (f"too few double-coded recordings to estimate a CI width "
                f"(n = {plan['n_units']})")
    missing = " (too few double-coded recordings to estimate a CI width for Pearson r)" \
        if len(widths) == 1 and plan["pearson_r_ci_width"] is None else ""
    return (f"if the true reliability is {plan['assumed']}: 95% CI width about "
            f"{', '.join(widths)} (n = {plan['n_units']}){missing}")


MAX_PLANNED_UNITS = 5000


def units_for_lower_bound(statistic: str, estimate: float, threshold: float) -> int | None:
    """The fewest double-coded recordings at which the expected lower 95% CI bound clears the
    threshold, if the true value is `estimate` (Pearson r: Fisher z; the ICC family: the
    F-based CI of a single-rater ICC with two raters, as `icc_consistency_ci`). None when the
    estimate is not above the threshold, for other statistics, or beyond MAX_PLANNED_UNITS."""
    if estimate is None or not threshold < estimate < 1:
        return None
    if statistic == "pearson_r":
        bound = pearson_ci
    elif statistic.startswith("icc") and estimate >= 0:
        bound = icc_consistency_ci
    else:
        return None
    low, high = 4, MAX_PLANNED_UNITS
    if bound(estimate, high)[0] <= threshold:
        return None
    while low < high:  # the lower bound rises with n: the first n that clears the threshold
        middle = (low + high) // 2
        if bound(estimate, middle)[0] > threshold:
            high = middle
        else:
            low = middle + 1
    return low
