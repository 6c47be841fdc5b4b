"""Does anything a rater can perceive about the files still predict a hidden field?

Per property: numbers (duration, size, loudness, leading silence) by a Kruskal-Wallis test
across groups, with the share of variance the groups explain (epsilon squared); categories
(format, sample rate, channels) by a chi-square test of independence. Overall: a
leave-one-out nearest-centroid classifier on all properties, its accuracy against chance (the
largest group's share), with a permutation p-value. p-values are Holm-adjusted across the
properties. A property "leaks" when its adjusted p < 0.05.

Numbers a rater perceives are compared at the resolution a listener can tell apart
(RESOLUTION): loudness normalisation leaves differences of hundredths of a LU that follow the
groups (for instance, a recording's leading silence shifts the normaliser's result slightly),
and a rank test on 16 recordings then "finds" a leak no ear can hear.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np
from scipy import stats

ALPHA = 0.05
PERMUTATIONS = 999
# The smallest difference a rater could notice, per perceived property (loudness: about 1 LU
# is the just-noticeable difference; half of it is used, to stay on the cautious side).
RESOLUTION = {"loudness_lufs": 0.5, "peak_dbfs": 0.5, "noise_floor_dbfs": 1.0,
              "leading_silence_s": 0.05, "duration_s": 0.05}

ADVICE = {
    "duration_s": "durations differ by group: rate a fixed-length segment of every recording, "
                  "or note it as a limitation",
    "size_bytes": "file sizes differ by group: usually follows duration or noise; re-blind "
                  "with the same settings for every file",
    "loudness_lufs": "loudness differs by group: blind with loudness normalisation (--loudness)",
    "peak_dbfs": "peak level differs by group: blind with loudness normalisation",
    "leading_silence_s": "leading silence differs by group: redact or trim the start",
    "noise_floor_dbfs": "background noise differs by group (recorders, rooms): consider noise "
                        "reduction before import, or note it as a limitation",
    "format": "formats differ by group: run 'rater study blind'",
    "sample_rate": "sample rates differ by group: run 'rater study blind'",
    "channels": "channel counts differ by group: run 'rater study blind'",
}


def audit(groups: Sequence[str], numeric: Mapping[str, Sequence[float]],
          categorical: Mapping[str, Sequence[str]], seed: int = 0) -> dict:
    """The audit report for one hidden field. Each property lists one value per recording."""
    labels = np.asarray(groups)
    numeric = {name: perceived(name, v) for name, v in numeric.items()}
    properties = [_numeric_test(name, v, labels) for name, v in numeric.items()]
    properties += [_categorical_test(name, list(v), labels) for name, v in categorical.items()]
    _holm(properties)
    for result in properties:
        result["leaks"] = result["p_adjusted"] is not None and result["p_adjusted"] < ALPHA
        if result["leaks"]:
            result["advice"] = ADVICE.get(result["property"], "differs by group")
    classifier = _classifier(labels, numeric, categorical, seed)
    leaking = [p["property"] for p in properties if p["leaks"]]
    verdict = ("leak" if leaking or classifier["p"] is not None and classifier["p"] < ALPHA
               else "no detectable leak")
    return {"groups": dict(Counter(groups)), "properties": properties, "classifier": classifier,
            "verdict": verdict, "fix": [ADVICE.get(p, p) for p in leaking]}


def perceived(name: str, values: Sequence[float]) -> np.ndarray:
    """The values as a listener could tell them apart: rounded to the property's RESOLUTION."""
    values = np.asarray(values, float)
    step = RESOLUTION.get(name)
    return values if step is None else np.round(values / step) * step


def _numeric_test(name: str, values: np.ndarray, labels: np.ndarray) -> dict:
    samples = [values[labels == g] for g in np.unique(labels)]
    result = {"property": name, "test": "Kruskal-Wallis", "p": None, "p_adjusted": None,
              "effect": None, "means": {str(g): float(values[labels == g].mean())
                                        for g in np.unique(labels)}}
    if len(samples) < 2 or np.ptp(values) == 0 or any(len(s) == 0 for s in samples):
        result["note"] = "the same for every recording" if np.ptp(values) == 0 else \
            "needs at least two groups"
        return result
    h, p = stats.kruskal(*samples)
    n, k = len(values), len(samples)
    result.update(p=float(p), effect=float(max(0.0, (h - k + 1) / (n - k))) if n > k else None,
                  effect_name="epsilon squared")
    return result


def _categorical_test(name: str, values: list[str], labels: np.ndarray) -> dict:
    result = {"property": name, "test": "chi-square", "p": None, "p_adjusted": None,
              "effect": None, "values": dict(Counter(map(str, values)))}
    levels, groups = sorted(set(map(str, values))), sorted(set(labels))
    if len(levels) < 2 or len(groups) < 2:
        result["note"] = "the same for every recording" if len(levels) < 2 else \
            "needs at least two groups"
        return result
    table = np.array([[sum(1 for v, g in zip(values, labels, strict=True)
                           if str(v) == level and g == group) for level in levels]
                      for group in groups])
    chi2, p, _dof, _expected = stats.chi2_contingency(table)
    cramers_v = np.sqrt(chi2 / (table.sum() * (min(table.shape) - 1)))
    result.update(p=float(p), effect=float(cramers_v), effect_name="Cramér's V")
    return result


def _holm(properties: list[dict]) -> None:
    tested = sorted((p for p in properties if p["p"] is not None), key=lambda p: p["p"])
    running = 0.0
    for rank, result in enumerate(tested):
        running = max(running, min(1.0, (len(tested) - rank) * result["p"]))
        result["p_adjusted"] = running


def _design(numeric: Mapping[str, Sequence[float]],
            categorical: Mapping[str, Sequence[str]]) -> np.ndarray:
    """Standardised numbers and one-hot categories, one row per recording."""
    columns = []
    for values in numeric.values():
        v = np.asarray(values, float)
        if np.ptp(v) > 0:
            columns.append((v - v.mean()) / v.std())
    for values in categorical.values():
        text = np.asarray(list(map(str, values)))
        columns += [(text == level).astype(float) for level in np.unique(text)
                    if 0 < (text == level).sum() < len(text)]
    return np.column_stack(columns) if columns else np.zeros((len(next(iter(numeric.values()),
                                                                          [])), 0))


def _loo_accuracy(x: np.ndarray, labels: np.ndarray) -> float:
    """Leave-one-out accuracy of a nearest-centroid classifier."""
    groups = np.unique(labels)
    sums = np.stack([x[labels == g].sum(axis=0) for g in groups])
    counts = np.array([(labels == g).sum() for g in groups], float)
    correct = 0
    for i in range(len(x)):
        own = groups == labels[i]
        n = counts - own
        with np.errstate(invalid="ignore", divide="ignore"):
            centroids = (sums - own[:, None] * x[i]) / n[:, None]
        distance = np.where(n > 0, ((centroids - x[i]) ** 2).sum(axis=1), np.inf)
        correct += groups[np.argmin(distance)] == labels[i]
    return correct / len(x)


def _classifier(labels: np.ndarray, numeric, categorical, seed: int) -> dict:
    x = _design(numeric, categorical)
    chance = max(Counter(labels.tolist()).values()) / len(labels)
    result = {"method": "nearest centroid, leave-one-out, permutation test "
                        f"({PERMUTATIONS} permutations)", "accuracy": None, "chance": chance,
              "p": None}
    if x.shape[1] == 0 or len(np.unique(labels)) < 2 or len(labels) < 4:
        result["note"] = "nothing varies between recordings" if x.shape[1] == 0 else \
            "too few recordings or groups"
        return result
    accuracy = _loo_accuracy(x, labels)
    rng = np.random.default_rng(seed)
    as_good = sum(_loo_accuracy(x, rng.permutation(labels)) >= accuracy
                  for _ in range(PERMUTATIONS))
    result.update(accuracy=accuracy, p=(as_good + 1) / (PERMUTATIONS + 1))
    return result
