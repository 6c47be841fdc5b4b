"""Intraclass correlations: the six forms of McGraw & Wong (1996) / Shrout & Fleiss (1979).

Mean squares come from the two-way ANOVA of a complete units x raters table (listwise deletion);
confidence intervals are the F-based ones of McGraw & Wong (1996, Table 7), with the
Satterthwaite degrees of freedom for the absolute-agreement forms. ICC(A,k) bounds are the
Spearman-Brown transform of the ICC(A,1) bounds (as psych and pingouin do; irr differs, see
irr.md section 4).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import fdtri

from rater.core.reliability.matrix import complete_rows
from rater.core.reliability.result import Statistic

ALPHA = 0.05
_CI = "F-based 95% CI (McGraw & Wong 1996)"

METHODS = {
    "icc1": "ICC(1): one-way random effects, absolute agreement, single rater "
            f"(Shrout & Fleiss ICC(1,1)); {_CI}",
    "icc_a1": "ICC(A,1): two-way random effects, absolute agreement, single rater "
              f"(Shrout & Fleiss ICC(2,1)); {_CI}, Satterthwaite df",
    "icc_c1": "ICC(C,1): two-way mixed effects, consistency, single rater "
              f"(Shrout & Fleiss ICC(3,1)); {_CI}",
    "icc1k": "ICC(k): one-way random effects, absolute agreement, mean of k raters "
             f"(Shrout & Fleiss ICC(1,k)); {_CI}",
    "icc_ak": "ICC(A,k): two-way random effects, absolute agreement, mean of k raters "
              f"(Shrout & Fleiss ICC(2,k)); {_CI}, Spearman-Brown of the ICC(A,1) bounds",
    "icc_ck": "ICC(C,k): two-way mixed effects, consistency, mean of k raters "
              f"(Shrout & Fleiss ICC(3,k)); {_CI}",
}


@dataclass(frozen=True)
class MeanSquares:
    n: int
    k: int
    msr: float  # between units
    msc: float  # between raters
    mse: float  # residual (two-way)
    msw: float  # within units (one-way)


def mean_squares(x: np.ndarray) -> MeanSquares:
    """ANOVA mean squares of a complete n x k table.

    Sums of squares as BLAS products (sum x^2 - N mean^2); components below the rounding
    error of that difference are set to exactly 0 so perfect agreement stays perfect.
    """
    n, k = x.shape
    row_means = x @ np.full(k, 1 / k)
    col_means = np.full(n, 1 / n) @ x
    grand = float(row_means.mean())
    flat = x.ravel()
    ss_total = max(float(flat @ flat) - n * k * grand ** 2, 0.0)
    rows, cols = row_means - grand, col_means - grand
    ss_rows, ss_cols = k * float(rows @ rows), n * float(cols @ cols)
    tiny = 1e-10 * ss_total

    def clean(ss: float) -> float:
        return ss if ss > tiny else 0.0

    return MeanSquares(
        n, k,
        msr=clean(ss_rows) / (n - 1),
        msc=clean(ss_cols) / (k - 1),
        mse=clean(ss_total - ss_rows - ss_cols) / ((n - 1) * (k - 1)),
        msw=clean(ss_total - ss_rows) / (n * (k - 1)),
    )


def _div(a: float, b: float) -> float:
    """a / b, NaN when b is 0 (the estimate is then undefined)."""
    return a / b if b else math.nan


def _f_crit(df1: float, df2: float) -> float:
    """Upper 1 - alpha/2 quantile of F(df1, df2)."""
    return float(fdtri(df1, df2, 1 - ALPHA / 2))


def _ratio_forms(num_ms: float, den_ms: float, n: int, k: int, df2: float,
                 ) -> tuple[tuple[float, float, float], tuple[float, float, float]]:
    """ICC(1) or ICC(C) single and average forms, with CIs from F0 = num_ms / den_ms and
    FL = F0 / F(n - 1, df2), FU = F0 * F(df2, n - 1) (McGraw & Wong 1996, Table 7)."""
    if den_ms <= 0:  # no error variance at all: perfect reliability
        return (1.0, 1.0, 1.0), (1.0, 1.0, 1.0)
    f0 = num_ms / den_ms
    fl, fu = f0 / _f_crit(n - 1, df2), f0 * _f_crit(df2, n - 1)

    def single(f: float) -> float:
        return (f - 1) / (f + k - 1)

    def average(f: float) -> float:
        return 1 - _div(1, f)

    return (single(f0), single(fl), single(fu)), (average(f0), average(fl), average(fu))


def _agreement_forms(ms: MeanSquares) -> tuple[tuple[float, float, float],
                                               tuple[float, float, float]]:
    """ICC(A,1) and ICC(A,k) with the McGraw & Wong (1996) CI (Satterthwaite df v)."""
    n, k, msr, msc, mse = ms.n, ms.k, ms.msr, ms.msc, ms.mse
    rho = _div(msr - mse, msr + (k - 1) * mse + k * (msc - mse) / n)
    rho_k = _div(msr - mse, msr + (msc - mse) / n)
    if rho >= 1:  # no disagreement at all: v is undefined, the interval collapses
        return (1.0, 1.0, 1.0), (1.0, 1.0, 1.0)
    a = k * rho / (n * (1 - rho))
    b = 1 + k * rho * (n - 1) / (n * (1 - rho))
    v = _div((a * msc + b * mse) ** 2,
             (a * msc) ** 2 / (k - 1) + (b * mse) ** 2 / ((n - 1) * (k - 1)))
    f_low, f_high = _f_crit(n - 1, v), _f_crit(v, n - 1)
    c = k * msc + (k * n - k - n) * mse
    low = _div(n * (msr - f_low * mse), f_low * c + n * msr)
    high = _div(n * (f_high * msr - mse), c + n * f_high * msr)

    def spearman_brown(r: float) -> float:
        return _div(k * r, 1 + (k - 1) * r)

    return (rho, low, high), (rho_k, spearman_brown(low), spearman_brown(high))


def icc_forms(x: np.ndarray, note: str = "") -> dict[str, Statistic]:
    """All six ICCs of an n x k table (NaN = missing; units with a missing rating are left out)."""
    data = complete_rows(np.asarray(x, dtype=float))
    n, k = data.shape
    reason = _undefined_reason(data)
    if reason:
        return {key: Statistic.undefined(key, method, reason, n, k)
                for key, method in METHODS.items()}
    ms = mean_squares(data)
    one = _ratio_forms(ms.msr, ms.msw, n, k, n * (k - 1))
    consistency = _ratio_forms(ms.msr, ms.mse, n, k, (n - 1) * (k - 1))
    agreement = _agreement_forms(ms)
    triples = {
        "icc1": one[0], "icc1k": one[1],
        "icc_c1": consistency[0], "icc_ck": consistency[1],
        "icc_a1": agreement[0], "icc_ak": agreement[1],
    }
    details = {"msr": ms.msr, "msc": ms.msc, "mse": ms.mse, "msw": ms.msw}
    return {key: _statistic(key, triples[key], n, k, note, details) for key in METHODS}


def _undefined_reason(data: np.ndarray) -> str:
    n, k = data.shape
    if k < 2:
        return "fewer than two raters (or rating slots) on the same units"
    if n < 2:
        return f"{n} unit(s) with all {k} ratings; at least 2 are needed"
    if np.ptp(data) == 0:
        return "no variance: every rating is the same"
    return ""


def _statistic(key: str, triple: tuple[float, float, float], n: int, k: int, note: str,
               details: dict[str, float]) -> Statistic:
    value, low, high = triple
    if not math.isfinite(value):
        return Statistic.undefined(key, METHODS[key], "zero denominator: no variance between "
                                   "units (MSR = 0) or a degenerate design", n, k)
    notes = [note] if note else []
    if not (math.isfinite(low) and math.isfinite(high)):
        notes.append("the confidence interval is unbounded on these data")
        low = high = None
    return Statistic(key, value, low, high, METHODS[key], n, k, "; ".join(notes), details)
