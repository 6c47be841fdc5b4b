"""Raw agreement and rater bias: exact and within-one agreement, mean difference, leniency.

Agreement shares are not chance-corrected; their 95% CI is the Wilson score interval on the
share of units (Wilson 1927; Newcombe 1998, method 3). The mean difference comes with the
Bland & Altman (1986) 95% limits of agreement, mean +/- z SD of the differences with the exact
normal quantile z(.975) = 1.959964 (Bland & Altman round it to 1.96).
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtri, stdtrit

from rater.core.reliability.matrix import by_rows, n_present
from rater.core.reliability.result import Statistic

Z975 = float(ndtri(0.975))

EXACT = "Share of units on which all ratings are equal; 95% Wilson score interval"
ADJACENT = ("Share of units whose ratings span at most one scale point (max - min <= 1); "
            "95% Wilson score interval")
MEAN_DIFFERENCE = ("Mean difference {what}; 95% CI t(n - 1); Bland-Altman 95% limits of "
                   "agreement mean +/- z SD, z(.975) = 1.959964 (Bland & Altman 1986)")
LENIENCY = ("Mean of (this rater's score - the mean of the other raters' scores) over the units "
            "this rater shares with others; > 0 lenient, < 0 severe; 95% CI t(n - 1)")


def wilson(successes: int, n: int) -> tuple[float, float]:
    """Wilson score 95% interval for a proportion."""
    p = successes / n
    z2 = Z975 ** 2
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z975 * np.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return float(max(centre - half, 0.0)), float(min(centre + half, 1.0))


def _share(key: str, method: str, x: np.ndarray, tolerance: int, note: str) -> Statistic:
    x = np.asarray(x, dtype=float)
    x = x[n_present(x) >= 2]
    n, k = x.shape[0], int(np.count_nonzero(~np.isnan(x).all(axis=0)))
    if n == 0:
        return Statistic.undefined(key, method, "no unit has two or more ratings", 0, k)
    spread = by_rows(np.fmax, x) - by_rows(np.fmin, x)  # fmax and fmin skip NaN
    hits = int(np.count_nonzero(spread <= tolerance))
    low, high = wilson(hits, n)
    return Statistic(key, hits / n, low, high, method, n, k, note, {"units_agreeing": hits})


def exact_agreement(x: np.ndarray, note: str = "") -> Statistic:
    """Share of units (with two or more ratings) on which every rating is the same."""
    return _share("exact_agreement", EXACT, x, 0, note)


def adjacent_agreement(x: np.ndarray, note: str = "") -> Statistic:
    """Share of units (with two or more ratings) whose ratings are at most one point apart."""
    return _share("adjacent_agreement", ADJACENT, x, 1, note)


def _mean_with_ci(d: np.ndarray) -> tuple[float, float, float, float]:
    """Mean, SD and t-based 95% CI of the mean."""
    n = d.size
    mean, sd = float(d.mean()), float(d.std(ddof=1))
    half = float(stdtrit(n - 1, 0.975)) * sd / np.sqrt(n)
    return mean, sd, mean - half, mean + half


def mean_difference(first: np.ndarray, second: np.ndarray, what: str = "second - primary",
                    note: str = "", key: str = "mean_difference") -> Statistic:
    """Mean of second - first over the units with both, with Bland-Altman limits of agreement."""
    method = MEAN_DIFFERENCE.format(what=f"({what})")
    a, b = np.asarray(first, dtype=float), np.asarray(second, dtype=float)
    both = ~(np.isnan(a) | np.isnan(b))
    d = b[both] - a[both]
    if d.size < 2:
        return Statistic.undefined(key, method, f"{d.size} unit(s) with both ratings; at least "
                                   "2 are needed", int(d.size), 2)
    mean, sd, low, high = _mean_with_ci(d)
    limits = {"sd": sd, "loa_low": mean - Z975 * sd, "loa_high": mean + Z975 * sd}
    return Statistic(key, mean, low, high, method, int(d.size), 2, note, limits)


def leniency(x: np.ndarray, rater: int) -> Statistic:
    """How much higher (lenient) or lower (severe) one rater scores than the others, on average."""
    x = np.asarray(x, dtype=float)
    mine = x[:, rater]
    others = np.delete(x, rater, axis=1)
    count = np.count_nonzero(~np.isnan(others), axis=1)
    shared = ~np.isnan(mine) & (count > 0)
    n = int(shared.sum())
    if n < 2:
        return Statistic.undefined("leniency", LENIENCY, f"{n} unit(s) shared with other "
                                   "raters; at least 2 are needed", n, x.shape[1])
    d = mine[shared] - np.nansum(others[shared], axis=1) / count[shared]
    mean, sd, low, high = _mean_with_ci(d)
    return Statistic("leniency", mean, low, high, LENIENCY, n, x.shape[1], "", {"sd": sd})
