"""The input shape of every statistic: units x raters scores (NaN = missing) on a declared scale."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from rater.core.errors import Problem, RaterError

PRIMARY, SECOND = "primary", "second"
BY_ROLE = ("raters are not crossed with units: ratings are paired by allocation role "
           "(primary, second)")
LISTWISE = ("raters are not crossed with units and there are no allocation roles: only units "
            "rated by every rater are used (listwise)")


@dataclass(frozen=True)
class Scale:
    """A declared integer rating scale minimum..maximum (e.g. 1..5).

    Chance-corrected statistics depend on the declared categories, not on the levels that
    happen to occur (see irr.md section 4), so every statistic takes the scale explicitly.
    """

    minimum: int
    maximum: int

    def __post_init__(self) -> None:
        ok = all(isinstance(v, int | np.integer) and not isinstance(v, bool)
                 for v in (self.minimum, self.maximum))
        if not ok or self.minimum >= self.maximum:
            raise RaterError(Problem(
                f"the scale {self.minimum}..{self.maximum} is not a range of whole numbers",
                "scale", "give two integers, the lowest score first, e.g. 1-5"))

    @property
    def values(self) -> np.ndarray:
        return np.arange(self.minimum, self.maximum + 1, dtype=float)

    @property
    def q(self) -> int:
        """Number of categories."""
        return self.maximum - self.minimum + 1

    def label(self) -> str:
        return f"{self.minimum}..{self.maximum}"

    def codes(self, scores: np.ndarray) -> np.ndarray:
        """Category index 0..q-1 of each (present, in-scale) score."""
        return (np.asarray(scores) - self.minimum).astype(np.intp)

    @classmethod
    def coerce(cls, scale: Scale | Sequence[int]) -> Scale:
        """A Scale from a Scale or a (minimum, maximum) pair."""
        if isinstance(scale, Scale):
            return scale
        try:
            lo, hi = scale
            whole = int(lo) == lo and int(hi) == hi
        except (TypeError, ValueError):
            whole = False
        if not whole:
            raise RaterError(Problem(f"{scale!r} is not a (minimum, maximum) pair of whole "
                                     "numbers", "scale", "give e.g. (1, 5)"))
        return cls(int(lo), int(hi))


@dataclass(frozen=True, eq=False)
class RatingMatrix:
    """Scores of one dimension: `scores[u, r]` is rater r's score of unit u, NaN if missing.

    `slots` optionally holds the same ratings arranged by allocation role (column 0 = primary,
    1 = second), used when raters are not crossed with units.
    """

    scores: np.ndarray
    scale: Scale
    units: tuple[str, ...] = ()
    raters: tuple[str, ...] = ()
    slots: np.ndarray | None = None


def by_rows(ufunc: np.ufunc, x: np.ndarray) -> np.ndarray:
    """ufunc folded across the columns of each row: faster than ufunc.reduce(axis=1) for the
    few columns (raters) these tables have."""
    if x.shape[1] == 0:
        return np.zeros(x.shape[0], dtype=x.dtype)
    out = x[:, 0].copy()
    for j in range(1, x.shape[1]):
        ufunc(out, x[:, j], out=out)
    return out


def n_present(x: np.ndarray) -> np.ndarray:
    """Number of ratings of each unit."""
    return by_rows(np.add, (~np.isnan(x)).astype(np.intp))


def complete_rows(x: np.ndarray) -> np.ndarray:
    """Listwise deletion: the units that have every column."""
    if x.shape[1] == 0:
        return x
    complete = ~np.isnan(x @ np.ones(x.shape[1]))  # a row sum is NaN iff a rating is missing
    return x if complete.all() else x[complete]


def category_counts(x: np.ndarray, scale: Scale) -> np.ndarray:
    """Units x categories matrix: how many raters put unit u in category c."""
    n, k = x.shape
    present = ~np.isnan(x)
    rows = np.repeat(np.arange(n), k)[present.ravel()]
    cells = rows * scale.q + scale.codes(x[present])
    return np.bincount(cells, minlength=n * scale.q).reshape(n, scale.q).astype(float)


def is_crossed(x: np.ndarray) -> bool:
    """Whether every unit with two or more ratings was rated by the same set of raters."""
    present = ~np.isnan(x)
    paired = present[present.sum(axis=1) >= 2]
    return paired.shape[0] > 0 and bool((paired == paired[0]).all())


def two_way_layout(m: RatingMatrix) -> tuple[np.ndarray, tuple[str, ...], str]:
    """The units x columns array for statistics that need the same columns for every unit.

    Crossed raters: the raters themselves. Otherwise the allocation-role slots (primary,
    second) when the data have them, else the raters with listwise deletion (said in the note).
    Returns the array, its column labels and the note.
    """
    x = m.scores[n_present(m.scores) >= 2]
    used = ~np.isnan(x).all(axis=0)
    names = m.raters or tuple(f"rater {i + 1}" for i in range(x.shape[1]))
    labels = tuple(name for name, keep in zip(names, used, strict=True) if keep)
    if is_crossed(m.scores):
        return x[:, used], labels, ""
    if m.slots is not None and np.count_nonzero(~np.isnan(m.slots).any(axis=1)) > 0:
        return m.slots, (PRIMARY, SECOND), BY_ROLE
    return x[:, used], labels, LISTWISE
