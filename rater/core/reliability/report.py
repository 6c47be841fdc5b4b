"""The reliability report: every statistic per dimension, the verdict, pairs, raters, re-tests.

Input is a tidy table, one row per score: unit, rater, dimension, score and optionally role
(primary, second, retest, consensus or empty). Consensus scores never count; re-test scores
are only used for intra-rater reliability, each paired with the same rater's first rating of
the unit. The output is a JSON-serialisable dict (no NaN: undefined values are null, with the
reason in `note`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd

from rater.core.errors import Problem, RaterError
from rater.core.reliability.agreement import (
    adjacent_agreement,
    exact_agreement,
    leniency,
    mean_difference,
)
from rater.core.reliability.alpha import kripp_alphas
from rater.core.reliability.blinding import blinding_indices, guess_table
from rater.core.reliability.correlation import pearson_r
from rater.core.reliability.icc import icc_forms
from rater.core.reliability.kappa import Weighting, cohen_kappa, fleiss_kappa, gwet_ac
from rater.core.reliability.light import light_kappa
from rater.core.reliability.matrix import (
    LISTWISE,
    PRIMARY,
    SECOND,
    RatingMatrix,
    Scale,
    is_crossed,
    n_present,
    two_way_layout,
)
from rater.core.reliability.result import Statistic
from rater.core.reliability.verdict import DEFAULT_CRITERION, Criterion, verdict

REQUIRED = ("unit", "rater", "dimension", "score")
RETEST, CONSENSUS = "retest", "consensus"
ROLES = ("", PRIMARY, SECOND, RETEST, CONSENSUS)
MAX_PROBLEMS = 20
COLLAPSED_SHARE = 0.7  # one score holding this share of ratings makes kappa/alpha fragile

WEIGHTINGS: tuple[Weighting, ...] = ("identity", "linear", "quadratic")

ScaleSpec = Scale | Sequence[int] | Mapping[str, Scale | Sequence[int]]


def reliability_report(ratings: pd.DataFrame | Iterable[Mapping[str, Any]], scale: ScaleSpec,
                       criterion: str = DEFAULT_CRITERION, seed: int = 0,
                       resamples: int = 1000,
                       guesses: pd.DataFrame | Iterable[Mapping[str, Any]] | None = None,
                       ) -> dict[str, Any]:
    """Inter-rater reliability of every dimension in `ratings`.

    `scale` is the declared scale, (min, max) or a Scale, or a mapping dimension -> scale.
    `criterion` is `STAT:THRESHOLD`; `seed` and `resamples` fix the bootstrap. `guesses`
    (records with `guess` and `actual` group) adds James' and Bang's blinding indices.
    Raises RaterError, listing what is wrong where, for bad input.
    """
    crit = Criterion.parse(criterion)
    table = _tidy(ratings)
    scales = _scales(scale, table["dimension"].unique())
    _check(table, scales)
    left_out = {"consensus_ratings": int((table["role"] == CONSENSUS).sum()),
                "missing_scores": int(table["score"].isna().sum())}
    table = table[(table["role"] != CONSENSUS) & table["score"].notna()]
    report: dict[str, Any] = {
        "criterion": str(crit),
        "bootstrap": {"resamples": resamples, "seed": seed,
                      "kind": "percentile bootstrap over units (recordings)"},
        "left_out": left_out,
        "dimensions": {
            dim: _dimension(group, scales[dim], crit, resamples, seed)
            for dim, group in table.groupby("dimension", sort=False)
        },
    }
    if guesses is not None:
        report["blinding"] = blinding_indices(*guess_table(guesses))
    return report


# ---------------------------------------------------------------------------------------------
# input


def _tidy(ratings: pd.DataFrame | Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    frame = (ratings if isinstance(ratings, pd.DataFrame)
             else pd.DataFrame.from_records(list(ratings)))
    if not len(frame.columns):  # no records at all
        frame = pd.DataFrame(columns=list(REQUIRED))
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise RaterError(Problem(f"missing column(s): {', '.join(missing)}", "ratings",
                                 "give columns unit, rater, dimension, score (and optional role)"))
    problems: list[Problem] = []
    out = pd.DataFrame({"row": np.arange(1, len(frame) + 1)})
    for col in ("unit", "rater", "dimension"):
        out[col] = _text(frame[col])
        empty = (out[col] == "").to_numpy()
        problems += [Problem(f"{col} is empty", f"row {i + 1}", f"give every score its {col}")
                     for i in np.flatnonzero(empty)[:MAX_PROBLEMS]]
    out["score"], bad = _numbers(frame["score"])
    problems += [Problem(f"score {frame['score'].iloc[i]!r} is not a number", _where(out, i),
                         "give a whole number on the scale, or leave it empty if missing")
                 for i in np.flatnonzero(bad)[:MAX_PROBLEMS]]
    out["role"] = _text(frame["role"], lower=True) if "role" in frame.columns else ""
    unknown = ~out["role"].isin(ROLES).to_numpy()
    problems += [Problem(f"unknown role {out['role'].iloc[i]!r}", _where(out, i),
                         "use primary, second, retest or consensus, or leave it empty")
                 for i in np.flatnonzero(unknown)[:MAX_PROBLEMS]]
    _raise(problems)
    return out


def _text(raw: pd.Series, lower: bool = False) -> np.ndarray:
    """Stripped strings ("" for missing), converting each distinct value once."""
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    texts = [str(u).strip() for u in uniques] + [""]
    stripped = np.array([t.lower() for t in texts] if lower else texts, dtype=object)
    return stripped[codes]  # code -1 (missing) picks the trailing ""


def _numbers(raw: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Scores as floats (NaN = missing) and a mask of entries that are not numbers."""
    if pd.api.types.is_numeric_dtype(raw):
        return raw.to_numpy(dtype=float, na_value=np.nan), np.zeros(len(raw), dtype=bool)
    numeric = pd.to_numeric(raw, errors="coerce")
    blank = (raw.isna() | (raw.astype(str).str.strip() == "")).to_numpy()
    return numeric.to_numpy(dtype=float), numeric.isna().to_numpy() & ~blank


def _where(table: pd.DataFrame, i: int) -> str:
    row = table.iloc[i]
    return (f"row {row['row']} (unit {row['unit']}, rater {row['rater']}, "
            f"dimension {row['dimension']})")


def _raise(problems: list[Problem]) -> None:
    if problems:
        raise RaterError(problems[:MAX_PROBLEMS])


def _scales(scale: ScaleSpec, dimensions: Iterable[str]) -> dict[str, Scale]:
    if isinstance(scale, Mapping):
        missing = [d for d in dimensions if d not in scale]
        if missing:
            raise RaterError(Problem(f"no scale for dimension(s) {', '.join(missing)}", "scale",
                                     "give a scale for every dimension in the ratings"))
        return {d: Scale.coerce(scale[d]) for d in dimensions}
    one = Scale.coerce(scale)
    return {d: one for d in dimensions}


def _check(table: pd.DataFrame, scales: Mapping[str, Scale]) -> None:
    """Scores on the scale; one rating per rater, unit and dimension; one rater per role."""
    score = table["score"].to_numpy()
    codes, dims = pd.factorize(table["dimension"])
    low = np.array([scales[d].minimum for d in dims])[codes]
    high = np.array([scales[d].maximum for d in dims])[codes]
    present = ~np.isnan(score)
    off = present & ((score != np.round(score)) | (score < low) | (score > high))
    problems = [Problem(f"score {score[i]:g} is not on the scale {low[i]}..{high[i]}",
                        _where(table, i), "give a whole number on the dimension's scale")
                for i in np.flatnonzero(off)[:MAX_PROBLEMS]]
    counted = table[present & (table["role"] != CONSENSUS).to_numpy()]
    main = counted[counted["role"] != RETEST]
    problems += _repeated(main, ["unit", "rater", "dimension"],
                          "rater {rater} scored unit {unit} on {dimension} more than once",
                          "keep one score per rater, unit and dimension (an amendment replaces "
                          "the score; a re-test has role retest)")
    problems += _repeated(counted[counted["role"] == RETEST], ["unit", "rater", "dimension"],
                          "rater {rater} has more than one re-test of unit {unit} on {dimension}",
                          "keep one re-test score per rater, unit and dimension")
    problems += _repeated(main[main["role"].isin([PRIMARY, SECOND])], ["unit", "dimension", "role"],
                          "unit {unit} has more than one {role} score on {dimension}",
                          "give each unit at most one primary and one second rater")
    _raise(problems)


def _repeated(rows: pd.DataFrame, keys: list[str], what: str, fix: str) -> list[Problem]:
    """A problem for every row that repeats an earlier row's keys."""
    dup = rows.duplicated(keys, keep="first").to_numpy()
    return [Problem(what.format(**rows.iloc[i].to_dict()), _where(rows, i), fix)
            for i in np.flatnonzero(dup)[:MAX_PROBLEMS]]


# ---------------------------------------------------------------------------------------------
# one dimension


STATISTIC_KEYS = (
    "pearson_r", "icc1", "icc_a1", "icc_c1", "icc1k", "icc_ak", "icc_ck",
    "kripp_alpha_nominal", "kripp_alpha_ordinal", "kripp_alpha_interval", "kripp_alpha_ratio",
    "cohen_kappa", "light_kappa", "weighted_kappa_linear", "weighted_kappa_quadratic",
    "fleiss_kappa",
    "gwet_ac1", "gwet_ac2_linear", "gwet_ac2_quadratic",
    "exact_agreement", "adjacent_agreement", "mean_difference",
)


def rating_matrix(rows: pd.DataFrame, scale: Scale) -> RatingMatrix:
    """Units x raters scores (and primary/second slots) of one dimension's non-retest rows."""
    unit_codes, units = pd.factorize(rows["unit"])
    raters = sorted(rows["rater"].unique())
    rater_codes = pd.Categorical(rows["rater"], categories=raters).codes
    score = rows["score"].to_numpy(dtype=float)
    scores = np.full((len(units), len(raters)), np.nan)
    scores[unit_codes, rater_codes] = score
    role = rows["role"].to_numpy()
    slots = None
    if np.isin(role, [PRIMARY, SECOND]).any():
        slots = np.full((len(units), 2), np.nan)
        for j, name in enumerate((PRIMARY, SECOND)):
            sel = role == name
            slots[unit_codes[sel], j] = score[sel]
    return RatingMatrix(scores, scale, tuple(units), tuple(raters), slots)


def dimension_statistics(m: RatingMatrix, resamples: int = 1000,
                         seed: int = 0) -> dict[str, Statistic]:
    """Every statistic of one dimension, keyed as in STATISTIC_KEYS."""
    paired = m.scores[n_present(m.scores) >= 2]
    layout, labels, note = two_way_layout(m)
    pairwise = "raters are not crossed with units: each rater pair uses the units both rated"
    stats = {"pearson_r": pearson_r(layout, pairwise if note == LISTWISE else note)}
    stats.update(icc_forms(layout, note))
    stats.update(kripp_alphas(paired, m.scale, resamples, seed))
    for weighting in WEIGHTINGS:
        s = cohen_kappa(layout, m.scale, weighting, note)
        stats[s.name] = s
        s = gwet_ac(m.scores, m.scale, weighting)  # single-rated units too, as Gwet (2014)
        stats[s.name] = s
    stats["light_kappa"] = light_kappa(layout, m.scale, resamples, seed, labels, note)
    stats["fleiss_kappa"] = fleiss_kappa(m.scores, m.scale)
    stats["exact_agreement"] = exact_agreement(paired)
    stats["adjacent_agreement"] = adjacent_agreement(paired)
    stats["mean_difference"] = _mean_difference(m, layout, labels)
    return {key: stats[key] for key in STATISTIC_KEYS}


def _mean_difference(m: RatingMatrix, layout: np.ndarray, labels: tuple[str, ...]) -> Statistic:
    """Second - primary by allocation role; with exactly two raters and no roles, B - A."""
    if m.slots is not None:
        return mean_difference(m.slots[:, 0], m.slots[:, 1], "second - primary")
    if layout.shape[1] == 2:
        return mean_difference(layout[:, 0], layout[:, 1], f"{labels[1]} - {labels[0]}",
                               "no allocation roles: raters in alphabetical order")
    return Statistic.undefined("mean_difference", "Mean difference (second - primary)",
                               "needs allocation roles (primary, second) or exactly two raters",
                               0, layout.shape[1])


LISTWISE_KEYS = ("icc1", "icc_a1", "icc_c1", "icc1k", "icc_ak", "icc_ck", "light_kappa")
LISTWISE_LIMIT = 0.2  # warn when listwise deletion drops more than this share of the units


def _warnings(stats: Mapping[str, Statistic], n_paired: int) -> list[dict[str, Any]]:
    """A prominent warning when the statistics that need every rater on every unit (ICC,
    Light's kappa) lose more than a fifth of the double-rated units to listwise deletion."""
    used = stats["icc_a1"].n_units
    if n_paired == 0 or n_paired - used <= LISTWISE_LIMIT * n_paired:
        return []
    keys = [k for k in LISTWISE_KEYS if stats[k].n_units == used]
    text = (f"ICC and Light's kappa use only {used} of the {n_paired} recordings with two or more "
            f"ratings, those scored by every rater (listwise deletion): "
            f"{1 - used / n_paired:.0%} are left out, so they may not represent the study. "
            "Krippendorff's alpha uses every rating (as do Gwet's AC1/AC2, Fleiss' kappa and "
            "the agreement shares): rely on Krippendorff's alpha here.")
    return [{"kind": "listwise", "statistics": keys, "units_used": used, "units": n_paired,
             "text": text}]


def _pairs(m: RatingMatrix) -> list[dict[str, Any]]:
    """Agreement of every pair of raters on the units both rated."""
    out = []
    present = ~np.isnan(m.scores)
    for i, j in combinations(range(len(m.raters)), 2):
        both = present[:, i] & present[:, j]
        if not both.any():
            continue
        x = m.scores[both][:, [i, j]]
        a, b = m.raters[i], m.raters[j]
        stats = [pearson_r(x), icc_forms(x)["icc_a1"], cohen_kappa(x, m.scale, "quadratic"),
                 exact_agreement(x), adjacent_agreement(x),
                 mean_difference(x[:, 0], x[:, 1], f"{b} - {a}")]
        out.append({"raters": [a, b], "n_units": int(both.sum()),
                    "statistics": {s.name: s.to_dict() for s in stats}})
    return out


def _raters(m: RatingMatrix) -> list[dict[str, Any]]:
    """Per rater: how many units, and leniency (> 0) or severity (< 0) against the others."""
    rated = np.count_nonzero(~np.isnan(m.scores), axis=0)
    return [{"rater": name, "n_units": int(rated[r]), "leniency": leniency(m.scores, r).to_dict()}
            for r, name in enumerate(m.raters)]


def _distribution(paired: np.ndarray, scale: Scale) -> dict[str, Any]:
    """How the scores of the double-rated units spread over the scale, with a fragility note."""
    scores = paired[~np.isnan(paired)]
    counts = np.bincount(scale.codes(scores), minlength=scale.q) if scores.size else np.zeros(
        scale.q, dtype=int)
    n = int(scores.size)
    shares = counts / n if n else np.zeros(scale.q)
    note = None
    if n and shares.max() >= COLLAPSED_SHARE:
        top = int(scale.values[shares.argmax()])
        note = (f"{shares.max():.0%} of the scores are {top}: with so little spread, "
                "chance-corrected statistics (kappa, alpha, AC) are fragile")
    return {"of": "scores of the units with two or more ratings", "scale": [
        int(v) for v in scale.values], "counts": [int(c) for c in counts],
        "proportions": [float(s) for s in shares], "n_scores": n, "note": note}


def _retest(main: pd.DataFrame, retest: pd.DataFrame, scale: Scale) -> dict[str, Any] | None:
    """Intra-rater reliability: each re-test paired with the rater's first score of the unit."""
    if retest.empty:
        return None
    first = main.set_index(["unit", "rater"])["score"]
    keys = pd.MultiIndex.from_frame(retest[["unit", "rater"]])
    pairs = np.column_stack([first.reindex(keys).to_numpy(dtype=float),
                             retest["score"].to_numpy(dtype=float)])
    matched = ~np.isnan(pairs[:, 0])
    raters = retest["rater"].to_numpy()[matched]
    pairs = pairs[matched]
    what = "re-test - first score"
    stats = [icc_forms(pairs)["icc_a1"], pearson_r(pairs),
             cohen_kappa(pairs, scale, "quadratic"), exact_agreement(pairs),
             mean_difference(pairs[:, 0], pairs[:, 1], what)]
    by_rater = [{"rater": r, "n_pairs": int((raters == r).sum()),
                 "exact_agreement": exact_agreement(pairs[raters == r]).to_dict(),
                 "mean_difference": mean_difference(*pairs[raters == r].T, what).to_dict()}
                for r in sorted(set(raters))]
    unmatched = int((~matched).sum())
    return {
        "n_pairs": int(matched.sum()),
        "note": "each re-test score is paired with the same rater's first score of the unit"
                + (f"; {unmatched} re-test score(s) had no first score and were left out"
                   if unmatched else ""),
        "statistics": {s.name: s.to_dict() for s in stats},
        "raters": by_rater,
    }


def _dimension(rows: pd.DataFrame, scale: Scale, crit: Criterion, resamples: int,
               seed: int) -> dict[str, Any]:
    main = rows[rows["role"] != RETEST]
    m = rating_matrix(main, scale)
    stats = dimension_statistics(m, resamples, seed)
    paired = m.scores[n_present(m.scores) >= 2]
    _, _, design_note = two_way_layout(m)
    return {
        "scale": {"min": scale.minimum, "max": scale.maximum},
        "n_units": int(paired.shape[0]),
        "n_raters": int(np.count_nonzero(~np.isnan(paired).all(axis=0))),
        "design": {"crossed": is_crossed(m.scores), "allocation_roles": m.slots is not None,
                   "note": design_note or None},
        "warnings": _warnings(stats, int(paired.shape[0])),
        "statistics": {key: s.to_dict() for key, s in stats.items()},
        "criterion": verdict(crit, stats),
        "pairs": _pairs(m),
        "raters": _raters(m),
        "distribution": _distribution(paired, scale),
        "retest": _retest(main, rows[rows["role"] == RETEST], scale),
    }
