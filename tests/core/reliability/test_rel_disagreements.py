"""The disagreement list (largest gap first, bounded) and the paired scores for the plots."""

from collections import defaultdict

import numpy as np
import pandas as pd
import pytest

from rater.core.reliability.disagreements import disagreements, paired_scores


def reference(rows):
    """The definition, spelled out: units with two or more independent scores on a dimension,
    largest gap (max - min over dimensions) first, then the sum of gaps, then the unit."""
    scores = defaultdict(lambda: defaultdict(dict))
    for row in rows:
        if row["role"] in ("retest", "consensus") or pd.isna(row["score"]):
            continue
        scores[row["unit"]][row["dimension"]][row["rater"]] = int(row["score"])
    listed = []
    for unit, by_dim in scores.items():
        gaps = {d: max(s.values()) - min(s.values()) for d, s in by_dim.items() if len(s) >= 2}
        if gaps:
            listed.append({"unit": unit, "largest_gap": max(gaps.values()),
                           "total_gap": sum(gaps.values()), "gaps": gaps,
                           "scores": {d: by_dim[d] for d in gaps}})
    return sorted(listed, key=lambda i: (-i["largest_gap"], -i["total_gap"], i["unit"]))


def random_rows(seed=1, units=60):
    rng = np.random.default_rng(seed)
    rows = []
    for u in range(units):
        for rater in ("A", "B", "C"):
            for dim in ("warmth", "clarity"):
                if rng.random() < 0.3:
                    continue
                role = rng.choice(["", "", "retest", "consensus"])
                score = None if rng.random() < 0.05 else int(rng.integers(1, 6))
                rows.append({"unit": f"u{u:02d}", "rater": rater, "dimension": dim,
                             "score": score, "role": str(role)})
    return pd.DataFrame(rows).drop_duplicates(["unit", "rater", "dimension", "role"]).to_dict(
        "records")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_same_list_as_the_definition_in_records_or_a_frame(seed):
    rows = random_rows(seed)
    expected = reference(rows)
    listed, total = disagreements(rows)
    assert listed == expected and total == len(expected)
    assert disagreements(pd.DataFrame(rows)) == (expected, len(expected))


def test_the_list_is_bounded_and_says_how_many_there_are():
    rows = random_rows()
    listed, total = disagreements(rows, limit=5)
    assert listed == reference(rows)[:5] and total == len(reference(rows)) > 5


def test_paired_scores_primary_before_second_else_order_given():
    rows = [{"unit": "a", "rater": "B", "dimension": "w", "score": 2, "role": "second"},
            {"unit": "a", "rater": "A", "dimension": "w", "score": 4, "role": "primary"},
            {"unit": "b", "rater": "C", "dimension": "w", "score": 5, "role": ""},
            {"unit": "b", "rater": "D", "dimension": "w", "score": 1, "role": ""},
            {"unit": "b", "rater": "E", "dimension": "w", "score": 3, "role": ""},
            {"unit": "c", "rater": "A", "dimension": "w", "score": 3, "role": "primary"},
            {"unit": "c", "rater": "B", "dimension": "w", "score": 1, "role": "retest"}]
    expected = {"first": [4, 5], "second": [2, 1]}
    assert paired_scores(rows, "w") == expected
    assert paired_scores(pd.DataFrame(rows), "w") == expected
