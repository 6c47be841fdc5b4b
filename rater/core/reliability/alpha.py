"""Krippendorff's alpha for nominal, ordinal, interval and ratio data, with a vectorised bootstrap.

Coincidence-matrix form of Krippendorff (2011), "Computing Krippendorff's alpha-reliability":
every unit with m >= 2 values adds (N N' - diag N) / (m - 1) to the coincidence matrix o, and
    alpha = 1 - (n - 1) * sum o_ck delta_ck / sum n_c n_k delta_ck
with n_c the margins of o and n the number of pairable values. Units with one value are not
pairable and drop out; units with missing ratings contribute every pair they have.

The CI resamples units (recordings) with replacement. A resample's coincidence matrix is the
multiplicity-weighted sum of the units' own matrices, so all resamples are one matrix product.
"""

from __future__ import annotations

import functools

import numpy as np

from rater.core.reliability.matrix import Scale, category_counts
from rater.core.reliability.result import Statistic

METRICS = ("nominal", "ordinal", "interval", "ratio")


def unit_coincidences(counts: np.ndarray) -> np.ndarray:
    """Units x q x q coincidences of the pairable units (rows of `counts` with m >= 2)."""
    m = counts.sum(axis=1)
    pairs = counts[:, :, None] * counts[:, None, :]
    idx = np.arange(counts.shape[1])
    pairs[:, idx, idx] -= counts
    return pairs / (m - 1)[:, None, None]


def distances(metric: str, values: np.ndarray, margins: np.ndarray) -> np.ndarray:
    """Squared difference function delta_ck (Krippendorff 2011, section C); batched on margins."""
    c, k = np.meshgrid(values, values, indexing="ij")
    if metric == "nominal":
        return (c != k).astype(float)
    if metric == "interval":
        return (c - k) ** 2
    if metric == "ratio":
        total = c + k
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(total == 0, 0.0, ((c - k) / total) ** 2)
    if metric == "ordinal":
        q = values.size
        i, j = np.meshgrid(np.arange(q), np.arange(q), indexing="ij")
        low, high = np.minimum(i, j), np.maximum(i, j)
        cum = np.cumsum(margins, axis=-1)
        before = cum - margins
        span = cum[..., high] - before[..., low] - (margins[..., i] + margins[..., j]) / 2
        return span ** 2
    raise ValueError(f"unknown metric {metric!r}")


def alpha_from_coincidences(o: np.ndarray, metric: str, values: np.ndarray) -> np.ndarray:
    """Alpha of one (q x q) or many (B x q x q) coincidence matrices; NaN where undefined."""
    margins = o.sum(axis=-1)
    n = margins.sum(axis=-1)
    delta = distances(metric, values, margins)
    observed = (o * delta).sum(axis=(-2, -1))
    expected = np.einsum("...i,...ij,...j->...", margins, np.broadcast_to(delta, o.shape), margins)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(expected > 0, 1 - (n - 1) * observed / expected, np.nan)


def _method(metric: str, resamples: int, seed: int | None) -> str:
    ci = (f"95% CI: percentile bootstrap over units ({resamples} resamples, seed {seed})"
          if resamples else "no CI requested")
    return (f"Krippendorff's alpha, {metric} metric, coincidence matrix over all pairable values "
            f"(Krippendorff 2011); {ci}")


def bootstrap_weights(n_units: int, resamples: int, seed: int | None) -> np.ndarray:
    """The resamples x units multiplicities for a seed, read-only. Alpha and Light's kappa of
    every dimension with as many units draw the very same ones, so a seeded draw is made once
    and reused (drawing 1000 x 5000 eight times was a third of `rater reliability`'s work)."""
    if seed is None:
        return multiplicities(n_units, resamples, np.random.default_rng())
    return _seeded_weights(n_units, resamples, seed)


@functools.lru_cache(maxsize=2)  # alpha's and Light's
def _seeded_weights(n_units: int, resamples: int, seed: int) -> np.ndarray:
    weights = multiplicities(n_units, resamples, np.random.default_rng(seed))
    weights.setflags(write=False)
    return weights


def multiplicities(n_units: int, resamples: int, rng: np.random.Generator) -> np.ndarray:
    """Resamples x units matrix: how often each unit is drawn in each bootstrap resample."""
    dtype = np.int32 if resamples * n_units < 2 ** 31 else np.int64
    draws = rng.integers(0, n_units, size=(resamples, n_units), dtype=dtype)
    draws += (np.arange(resamples, dtype=dtype) * n_units)[:, None]
    return np.bincount(draws.ravel(), minlength=resamples * n_units).reshape(
        resamples, n_units).astype(float)


def kripp_alphas(x: np.ndarray, scale: Scale, resamples: int = 1000, seed: int | None = 0,
                 metrics: tuple[str, ...] = METRICS) -> dict[str, Statistic]:
    """Alpha for each metric on a units x raters table (NaN = missing), sharing one bootstrap."""
    x = np.asarray(x, dtype=float)
    counts = category_counts(x, scale)
    counts = counts[counts.sum(axis=1) >= 2]
    n_units, n_raters = counts.shape[0], int(np.count_nonzero(~np.isnan(x).all(axis=0)))
    values = scale.values
    per_unit = unit_coincidences(counts)
    point = per_unit.sum(axis=0)
    boot = None
    if resamples and n_units >= 2:
        weights = bootstrap_weights(n_units, resamples, seed)
        flat = per_unit.reshape(n_units, -1)
        boot = (weights @ flat).reshape(resamples, scale.q, scale.q)
    out = {}
    for metric in metrics:
        key, method = f"kripp_alpha_{metric}", _method(metric, resamples, seed)
        if metric == "ratio" and scale.minimum < 0:
            out[key] = Statistic.undefined(key, method, "the ratio metric needs a scale without "
                                           "negative values", n_units, n_raters)
            continue
        out[key] = _statistic(key, method, point, boot, metric, values, n_units, n_raters)
    return out


def _statistic(key: str, method: str, point: np.ndarray, boot: np.ndarray | None, metric: str,
               values: np.ndarray, n_units: int, n_raters: int) -> Statistic:
    if n_units == 0:
        return Statistic.undefined(key, method, "no unit has two or more ratings", 0, n_raters)
    value = float(alpha_from_coincidences(point, metric, values))
    if np.isnan(value):
        return Statistic.undefined(key, method, "no variance: all pairable values are equal",
                                   n_units, n_raters)
    if boot is None:
        return Statistic(key, value, None, None, method, n_units, n_raters,
                         "no CI: fewer than 2 units or no resamples")
    draws = alpha_from_coincidences(boot, metric, values)
    valid = draws[~np.isnan(draws)]
    skipped = draws.size - valid.size
    note = (f"{skipped} of {draws.size} resamples had no variance and were skipped"
            if skipped else "")
    if valid.size == 0:
        return Statistic(key, value, None, None, method, n_units, n_raters,
                         "no CI: every resample had no variance")
    low, high = np.quantile(valid, [0.025, 0.975])
    return Statistic(key, value, float(low), float(high), method, n_units, n_raters, note,
                     {"resamples": int(valid.size)})
