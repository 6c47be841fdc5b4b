"""Did the raters stay blind? James' and Bang's blinding indices from the raters' guesses.

Input: the 3 x 2 table of guesses (rows: guessed arm A, guessed arm B, don't know) by actual
arm (columns A, B). Formulas and standard errors as in the R package BI (Schwartz & Mercaldo,
R/BI.r), which implements James et al. (1996, Stat Med 15:1421) and Bang, Ni & Davis (2004,
Control Clin Trials 25:143). Both CIs are two-sided 95% normal intervals.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
from scipy.special import ndtri

from rater.core.errors import Problem, RaterError
from rater.core.reliability.result import Statistic

Z975 = float(ndtri(0.975))
JAMES_WEIGHTS = np.array([[0.0, 0.5], [0.5, 0.0], [1.0, 1.0]])  # correct 0, wrong .5, unsure 1
DONT_KNOW = {"", "dont_know", "don't know", "dk", "unknown"}

JAMES = ("James blinding index (James et al. 1996): 1 = every guess wrong, 0.5 = random "
         "guessing, 0 = every guess right; unblinding if the upper CI bound < 0.5; "
         "95% normal CI")
BANG = ("Bang blinding index for arm {arm} (Bang et al. 2004): (correct - incorrect) / answers, "
        "-1..1, 0 = random guessing, |BI| <= 0.2 read as blinded; 95% two-sided normal CI")


def james_index(x: np.ndarray) -> Statistic:
    """James' BI of a 3 x 2 guess table (overall, not per arm)."""
    x = np.asarray(x, dtype=float)
    n = int(x.sum())
    if n == 0:
        return Statistic.undefined("james_bi", JAMES, "no guesses", 0, 0)
    if (x[:2] == 0).all():
        return Statistic("james_bi", 1.0, 1.0, 1.0, JAMES, n, 0, "every answer was don't know")
    p = x / n
    rows, cols = p.sum(axis=1), p.sum(axis=0)
    dk = rows[2]
    w = JAMES_WEIGHTS
    guessed = cols - p[2]  # answers other than don't know, per actual arm
    expected_raw = float((w[:2] * np.outer(rows[:2], guessed)).sum())
    if expected_raw == 0:
        return Statistic.undefined("james_bi", JAMES, "chance disagreement is 0", n, 0)
    observed = float((w[:2] * p[:2]).sum()) / (1 - dk)
    expected = expected_raw / (1 - dk) ** 2
    kd = (observed - expected) / expected
    extra = (w[:2] * rows[:2, None]).sum(axis=0)[None, :] + (w[:2] * guessed[None, :]).sum(
        axis=1)[:, None]
    num = (p[:2] * (1 - dk) ** 2 * ((1 - dk) * w[:2] - (1 + kd) * extra) ** 2).sum()
    v1 = num / (4 * expected_raw ** 2)
    v2 = dk * (1 - dk) - (1 - dk) * (1 + kd) * (dk + (1 - dk) * (1 + kd) / 4)
    se = float(np.sqrt(max((v1 + v2) / n, 0.0)))
    value = float((1 + dk + (1 - dk) * kd) / 2)
    return Statistic("james_bi", value, value - Z975 * se, value + Z975 * se, JAMES, n, 0, "",
                     {"se": se})


def bang_index(x: np.ndarray, arm: int, name: str) -> Statistic:
    """Bang's BI for one arm (column) of a 3 x 2 guess table."""
    col = np.asarray(x, dtype=float)[:, arm]
    method = BANG.format(arm=name)
    n = int(col.sum())
    correct, wrong = col[arm], col[1 - arm]
    if n == 0 or correct + wrong == 0:
        return Statistic.undefined("bang_bi", method, f"no guesses other than don't know in arm "
                                   f"{name}", n, 0)
    value = float((correct - wrong) / n)
    p1, p2 = col[0] / n, col[1] / n
    se = float(np.sqrt((p1 * (1 - p1) + p2 * (1 - p2) + 2 * p1 * p2) / n))
    return Statistic("bang_bi", value, value - Z975 * se, value + Z975 * se, method, n, 0, "",
                     {"se": se})


def guess_table(guesses: Iterable[Mapping[str, Any]] | Any,
                ) -> tuple[np.ndarray, tuple[str, str]]:
    """3 x 2 counts from records (or a DataFrame) with columns `guess` and `actual`.

    A guess is one of the two actual arms, or empty / "dont_know" for don't know.
    """
    records: Sequence[Mapping[str, Any]] = (guesses.to_dict("records")
                                            if hasattr(guesses, "to_dict") else list(guesses))
    found = sorted({str(r.get("actual")) for r in records})
    if len(found) != 2:
        raise RaterError(Problem(f"blinding guesses need exactly two actual groups, found "
                                 f"{len(found)}: {', '.join(found) or 'none'}", "guesses",
                                 "give each guess with the recording's actual group (2 groups)"))
    arms = (found[0], found[1])
    counts = np.zeros((3, 2))
    for i, record in enumerate(records, start=1):
        guess = record.get("guess")
        text = "" if guess is None or guess != guess else str(guess).strip()
        row = arms.index(text) if text in arms else 2 if text.lower() in DONT_KNOW else None
        if row is None:
            raise RaterError(Problem(f"guess {text!r} is neither group ({arms[0]}, {arms[1]}) "
                                     "nor don't know", f"guesses row {i}",
                                     "use a group name, or leave it empty for don't know"))
        counts[row, arms.index(str(record.get("actual")))] += 1
    return counts, arms


def blinding_indices(counts: np.ndarray, arms: tuple[str, str]) -> dict[str, Any]:
    """Both indices with the counts they come from, JSON-ready."""
    counts = np.asarray(counts, dtype=float)
    return {
        "arms": list(arms),
        "counts": {f"guessed {label}": [int(v) for v in counts[i]]
                   for i, label in enumerate([*arms, "don't know"])},
        "james": james_index(counts).to_dict(),
        "bang": {arm: bang_index(counts, i, arm).to_dict() for i, arm in enumerate(arms)},
    }
