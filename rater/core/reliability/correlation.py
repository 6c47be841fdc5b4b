"""Pearson r between raters (consistency, not agreement) with Fisher-z confidence intervals.

Fisher (1921): z = atanh(r), SE = 1/sqrt(n - 3), CI = tanh(z +/- 1.959964 SE), as R's cor.test.
With more than two raters the pairwise r are averaged on the z scale (as irr::meancor).
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
from scipy.special import ndtri

from rater.core.reliability.result import Statistic

Z975 = float(ndtri(0.975))
_CLIP = 1 - 1e-12  # keeps atanh finite when a pair agrees perfectly

METHOD_TWO = ("Pearson r (consistency, not agreement); 95% CI by Fisher's z transformation "
              "(Fisher 1921)")
METHOD_MEAN = ("Mean of the pairwise Pearson r on Fisher's z scale (consistency, not agreement), "
               "pairwise-complete units; 95% CI from the mean z with the mean pairwise standard "
               "error 1/sqrt(n - 3), conservative (treats the pairwise z as perfectly correlated)")


def pair_r(a: np.ndarray, b: np.ndarray) -> tuple[float | None, int, str]:
    """Pearson r of the units both columns have, its n, and why it is undefined (if it is)."""
    both = ~(np.isnan(a) | np.isnan(b))
    a, b = a[both], b[both]
    n = int(a.size)
    if n < 3:
        return None, n, f"{n} unit(s) with both ratings; at least 3 are needed"
    da, db = a - a.mean(), b - b.mean()
    saa, sbb = float(da @ da), float(db @ db)
    if saa == 0 or sbb == 0:
        return None, n, "a rater (or slot) gives the same score to every unit: r has no meaning"
    r = float(da @ db) / np.sqrt(saa * sbb)
    return float(np.clip(r, -1.0, 1.0)), n, ""


def fisher_ci(r: float, n: int) -> tuple[float | None, float | None]:
    """95% CI of r on n units; degenerate [r, r] when |r| = 1, none below 4 units."""
    if n < 4:
        return None, None
    if abs(r) >= 1:
        return r, r
    z, se = np.arctanh(r), 1 / np.sqrt(n - 3)
    return float(np.tanh(z - Z975 * se)), float(np.tanh(z + Z975 * se))


def pearson_r(x: np.ndarray, note: str = "") -> Statistic:
    """Pearson r of a units x 2 table, or the z-averaged pairwise r of a units x k table."""
    x = np.asarray(x, dtype=float)
    k = x.shape[1]
    if k < 2:
        return Statistic.undefined("pearson_r", METHOD_TWO,
                                   "fewer than two raters on the same units", 0, k)
    if k == 2:
        return _two(x, note)
    return _mean_of_pairs(x, note)


def _two(x: np.ndarray, note: str) -> Statistic:
    r, n, reason = pair_r(x[:, 0], x[:, 1])
    if r is None:
        return Statistic.undefined("pearson_r", METHOD_TWO, reason, n, 2)
    low, high = fisher_ci(r, n)
    notes = [note] if note else []
    if low is None:
        notes.append("no CI with fewer than 4 units")
    return Statistic("pearson_r", r, low, high, METHOD_TWO, n, 2, "; ".join(notes))


def _mean_of_pairs(x: np.ndarray, note: str) -> Statistic:
    k = x.shape[1]
    zs, ses, skipped = [], [], 0
    for i, j in combinations(range(k), 2):
        r, n, _ = pair_r(x[:, i], x[:, j])
        if r is None or n < 4:
            skipped += 1
            continue
        zs.append(np.arctanh(np.clip(r, -_CLIP, _CLIP)))
        ses.append(1 / np.sqrt(n - 3))
    n_units = int(np.count_nonzero(np.count_nonzero(~np.isnan(x), axis=1) >= 2))
    if not zs:
        return Statistic.undefined("pearson_r", METHOD_MEAN,
                                   "no rater pair has 4 or more shared units with varying scores",
                                   n_units, k)
    z, se = float(np.mean(zs)), float(np.mean(ses))
    notes = [note] if note else []
    if skipped:
        notes.append(f"{skipped} rater pair(s) left out (too few shared units or a constant rater)")
    return Statistic("pearson_r", float(np.tanh(z)), float(np.tanh(z - Z975 * se)),
                     float(np.tanh(z + Z975 * se)), METHOD_MEAN, n_units, k, "; ".join(notes),
                     {"pairs": len(zs)})
