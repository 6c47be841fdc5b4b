"""The kappa family: Cohen's (weighted) kappa, Fleiss' kappa and Gwet's AC1/AC2.

Categories are always the declared scale, never the levels that happen to occur, and weights
are computed on the scale values (irr.md section 4: scikit-learn and irr::kappa2 use the
index of the observed levels instead).

- Cohen's kappa and weighted kappa: standard error of Fleiss, Cohen & Everitt (1969), the
  large-sample (non-null) ASE that SAS PROC FREQ reports; z-based 95% CI.
- Fleiss' kappa and Gwet's AC1/AC2 for any number of raters, with units rated by varying
  numbers of raters: Gwet (2008; 2014, Handbook ch. 5-6) formulas and linearised variances as
  in Gwet's R package irrCAC (fleiss.kappa.raw, gwet.ac1.raw); t(n - 1) 95% CI. As Gwet does
  with missing ratings, observed agreement uses the units with two or more ratings, while the
  category shares (chance agreement) and the n of the variance use every rated unit, including
  units scored by one rater only: pass them all.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from scipy.special import ndtri, stdtrit

from rater.core.reliability.matrix import Scale, category_counts
from rater.core.reliability.result import Statistic

Weighting = Literal["identity", "linear", "quadratic"]
Z975 = float(ndtri(0.975))

_WEIGHT_TEXT = {
    "identity": "unweighted",
    "linear": "linear weights 1 - |i - j| / (max - min) (Cicchetti & Allison 1971)",
    "quadratic": "quadratic weights 1 - (i - j)^2 / (max - min)^2 (Fleiss & Cohen 1973)",
}


def weight_matrix(scale: Scale, weighting: Weighting) -> np.ndarray:
    """Agreement weights on the declared scale values (1 on the diagonal)."""
    v = scale.values
    diff = np.abs(v[:, None] - v[None, :]) / (scale.maximum - scale.minimum)
    if weighting == "identity":
        return np.eye(scale.q)
    if weighting == "linear":
        return 1 - diff
    return 1 - diff ** 2


def cohen_method(weighting: Weighting, scale: Scale) -> str:
    name = "Cohen's kappa" if weighting == "identity" else "Cohen's weighted kappa"
    return (f"{name}, {_WEIGHT_TEXT[weighting]}, two raters, categories = declared scale "
            f"{scale.label()}; 95% CI from the large-sample standard error "
            "(Fleiss, Cohen & Everitt 1969)")


def cohen_kappa(x: np.ndarray, scale: Scale, weighting: Weighting = "identity",
                note: str = "", key: str | None = None) -> Statistic:
    """Cohen's kappa of a units x 2 table (units missing either rating are left out)."""
    key = key or {"identity": "cohen_kappa", "linear": "weighted_kappa_linear",
                  "quadratic": "weighted_kappa_quadratic"}[weighting]
    method = cohen_method(weighting, scale)
    x = np.asarray(x, dtype=float)
    if x.shape[1] != 2:
        return Statistic.undefined(key, method, f"needs exactly two raters (or allocation roles "
                                   f"primary and second), not {x.shape[1]}", 0, x.shape[1])
    x = x[~np.isnan(x).any(axis=1)]
    n = x.shape[0]
    if n < 2:
        return Statistic.undefined(key, method, f"{n} unit(s) with both ratings", n, 2)
    if np.ptp(x[:, 0]) == 0 or np.ptp(x[:, 1]) == 0:
        return Statistic.undefined(key, method, "a rater gives the same score to every unit, so "
                                   "kappa is 0 by construction", n, 2)
    a, b = scale.codes(x[:, 0]), scale.codes(x[:, 1])
    p = np.bincount(a * scale.q + b, minlength=scale.q ** 2).reshape(scale.q, scale.q) / n
    value, se = _cohen_from_table(p, weight_matrix(scale, weighting), n)
    low, high = _clip(value - Z975 * se), _clip(value + Z975 * se)
    return Statistic(key, value, low, high, method, n, 2, note, {"se": se})


def _cohen_from_table(p: np.ndarray, w: np.ndarray, n: int) -> tuple[float, float]:
    """Weighted kappa and its ASE (Fleiss, Cohen & Everitt 1969) from cell proportions."""
    rows, cols = p.sum(axis=1), p.sum(axis=0)
    po = float((w * p).sum())
    pe = float(rows @ w @ cols)
    kappa = (po - pe) / (1 - pe)
    w_row = w @ cols  # mean weight of row category i over the column margin
    w_col = w.T @ rows
    spread = (w - (w_row[:, None] + w_col[None, :]) * (1 - kappa)) ** 2
    var = ((p * spread).sum() - (kappa - pe * (1 - kappa)) ** 2) / (n * (1 - pe) ** 2)
    return kappa, float(np.sqrt(max(var, 0.0)))


def _clip(v: float) -> float:
    return float(np.clip(v, -1.0, 1.0))


def _gwet_method(kind: str, weighting: Weighting, scale: Scale) -> str:
    if kind == "fleiss":
        head = ("Fleiss' kappa (Fleiss 1971), generalised to units rated by varying numbers of "
                "raters (Gwet 2014); 95% CI from Gwet's linearised variance, t(n - 1) (not the "
                "Fleiss 1971 standard error, which holds only when kappa = 0)")
    else:
        name = "Gwet's AC1" if weighting == "identity" else "Gwet's AC2"
        head = (f"{name}, {_WEIGHT_TEXT[weighting]} (Gwet 2008, 2014); 95% CI from Gwet's "
                "linearised variance, t(n - 1)")
    return (f"{head}; categories = declared scale {scale.label()}; observed agreement over the "
            "units with two or more ratings, chance agreement and variance over every rated "
            "unit (Gwet 2014, missing ratings)")


def fleiss_kappa(x: np.ndarray, scale: Scale, note: str = "") -> Statistic:
    """Fleiss' kappa of a units x raters table (NaN = missing)."""
    return _gwet_family(x, scale, "fleiss", "identity", "fleiss_kappa", note)


def gwet_ac(x: np.ndarray, scale: Scale, weighting: Weighting = "identity",
            note: str = "") -> Statistic:
    """Gwet's AC1 (unweighted) or AC2 (weighted) of a units x raters table."""
    key = {"identity": "gwet_ac1", "linear": "gwet_ac2_linear",
           "quadratic": "gwet_ac2_quadratic"}[weighting]
    return _gwet_family(x, scale, "gwet", weighting, key, note)


def _gwet_family(x: np.ndarray, scale: Scale, kind: str, weighting: Weighting, key: str,
                 note: str) -> Statistic:
    method = _gwet_method(kind, weighting, scale)
    x = np.asarray(x, dtype=float)
    counts = category_counts(x, scale)
    counts = counts[counts.sum(axis=1) >= 1]
    n_raters = int(np.count_nonzero(~np.isnan(x).all(axis=0)))
    paired = counts.sum(axis=1) >= 2
    n2 = int(paired.sum())
    if n2 == 0:
        return Statistic.undefined(key, method, "no unit has two or more ratings", 0, n_raters)
    w = weight_matrix(scale, weighting)
    value, se, pa, pe = _gwet_estimate(counts, w, kind)
    if value is None:
        return Statistic.undefined(key, method, "no variance: every rating is in the same "
                                   "category", n2, n_raters)
    notes = [note] if note else []
    if kind == "gwet" and pe == 0 and value == 1:
        notes.append("every rating is in the same category: AC is 1 by construction here, "
                     "while kappa and alpha are undefined")
    n = counts.shape[0]
    details = {"se": se, "pa": pa, "pe": pe, "units_with_two_or_more": n2}
    if n < 2:
        return Statistic(key, value, None, None, method, n, n_raters,
                         "; ".join(notes + ["no CI with one unit"]), details)
    t = float(stdtrit(n - 1, 0.975))
    return Statistic(key, value, _clip(value - t * se), _clip(value + t * se), method, n,
                     n_raters, "; ".join(notes), details)


def _gwet_estimate(counts: np.ndarray, w: np.ndarray, kind: str,
                   ) -> tuple[float | None, float, float, float]:
    """Coefficient, SE, observed and chance agreement, as irrCAC's raw-data functions.

    counts: units x q rater counts per category (every unit has at least one rating).
    """
    n, q = counts.shape
    r = counts.sum(axis=1)
    paired = r >= 2
    n2 = int(paired.sum())
    sum_q = (counts * (counts @ w.T - 1)).sum(axis=1)
    den = np.where(paired, r * (r - 1), 1.0)
    pa_i = np.where(paired, sum_q / den, 0.0)
    pa = float(pa_i[paired].mean())
    pi = (counts / r[:, None]).mean(axis=0)
    if kind == "fleiss":
        pe = float(pi @ w @ pi)
        if pe >= 1 - 1e-12:
            return None, 0.0, pa, pe
        pi_w = (w @ pi + w.T @ pi) / 2
        pe_i = counts @ pi_w / r
    else:
        scale_w = w.sum() / (q * (q - 1))
        pe = float(scale_w * (pi * (1 - pi)).sum())
        pe_i = scale_w * (counts @ (1 - pi)) / r
    value = (pa - pe) / (1 - pe)
    coef_i = (n / n2) * (pa_i - pe * paired) / (1 - pe)
    coef_i = coef_i - 2 * (1 - value) * (pe_i - pe) / (1 - pe)
    var = float(((coef_i - value) ** 2).sum() / (n * (n - 1))) if n >= 2 else 0.0
    return float(value), float(np.sqrt(var)), pa, pe
