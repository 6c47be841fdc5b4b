"""Light's kappa: the mean of the unweighted Cohen's kappas of every pair of raters.

Light (1971); Conger (1980). As R irr::kappam.light, units missing any rating are left out
(listwise), so every pair's kappa is on the same units; with two raters it is Cohen's kappa,
reported as such. irr gives only a test of kappa = 0; the 95% CI here is a percentile bootstrap
over units (irr.md section 5, as psy::lkappa's documentation suggests).

All resamples at once: a resample's rater margins and each pair's count of agreeing units are
multiplicity-weighted sums of the units' indicators, so they are one matrix product.
"""

from __future__ import annotations

import numpy as np

from rater.core.reliability.alpha import bootstrap_weights
from rater.core.reliability.matrix import Scale, complete_rows
from rater.core.reliability.result import Statistic

KEY = "light_kappa"


def _method(scale: Scale, resamples: int, seed: int | None) -> str:
    ci = (f"95% CI: percentile bootstrap over units ({resamples} resamples, seed {seed})"
          if resamples else "no CI requested")
    return ("Light's kappa (Light 1971; Conger 1980): mean of the unweighted Cohen's kappas of "
            "every pair of raters, on the units rated by every rater (listwise, as R "
            f"irr::kappam.light); categories = declared scale {scale.label()}; {ci}")


def light_kappa(x: np.ndarray, scale: Scale, resamples: int = 1000, seed: int | None = 0,
                labels: tuple[str, ...] = (), note: str = "") -> Statistic:
    """Light's kappa of a units x raters table (NaN = missing), with a bootstrap 95% CI."""
    method = _method(scale, resamples, seed)
    x = complete_rows(np.asarray(x, dtype=float))
    n, k = x.shape
    if k < 3:
        return Statistic.undefined(KEY, method, "two raters (or allocation roles): Light's "
                                   "kappa is then Cohen's kappa, reported as cohen_kappa", n, k)
    if n < 2:
        return Statistic.undefined(KEY, method, f"{n} unit(s) rated by every rater", n, k)
    labels = labels or tuple(f"rater {j + 1}" for j in range(k))
    constant = [labels[j] for j in range(k) if np.ptp(x[:, j]) == 0]
    if constant:
        return Statistic.undefined(KEY, method, f"{', '.join(constant)} gave the same score to "
                                   "every unit, so kappa is 0 by construction", n, k)
    design = _design(x, scale)
    value = float(_light(design.sum(axis=0)[None, :], n, k, scale.q)[0])
    details: dict[str, float | int | None] = {"pairs": k * (k - 1) // 2}
    if not resamples:
        return Statistic(KEY, value, None, None, method, n, k, note, details)
    weights = bootstrap_weights(n, resamples, seed)
    draws = _light(weights @ design, n, k, scale.q)
    valid = draws[~np.isnan(draws)]
    notes = [note] if note else []
    if valid.size < draws.size:
        notes.append(f"{draws.size - valid.size} of {draws.size} resamples had a rater with one "
                     "score only and were skipped")
    if valid.size == 0:
        return Statistic(KEY, value, None, None, method, n, k, "; ".join(notes), details)
    low, high = np.quantile(valid, [0.025, 0.975])
    details["resamples"] = int(valid.size)
    return Statistic(KEY, value, float(low), float(high), method, n, k, "; ".join(notes),
                     details)


def _design(x: np.ndarray, scale: Scale) -> np.ndarray:
    """Units x (k q + pairs): one-hot category of each rater, then 1 where a pair agrees."""
    n, k = x.shape
    codes = scale.codes(x)
    onehot = np.zeros((n, k * scale.q))
    onehot[np.arange(n)[:, None], np.arange(k) * scale.q + codes] = 1.0
    i, j = np.triu_indices(k, 1)
    return np.hstack([onehot, (codes[:, i] == codes[:, j]).astype(float)])


def _light(sums: np.ndarray, n: int, k: int, q: int) -> np.ndarray:
    """Light's kappa of each row of summed design columns; NaN where a rater is constant."""
    margins = sums[:, :k * q].reshape(-1, k, q) / n
    i, j = np.triu_indices(k, 1)
    po = sums[:, k * q:] / n
    pe = np.einsum("bpc,bpc->bp", margins[:, i, :], margins[:, j, :])
    constant = (margins.max(axis=2) >= 1 - 1e-12).any(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        kappa = ((po - pe) / (1 - pe)).mean(axis=1)
    return np.where(constant, np.nan, kappa)
