"""Workshop arithmetic against hand-computed examples."""

from __future__ import annotations

import math

import pytest

from rater.core.codebook import default_codebook_path, load_codebook
from rater.core.errors import RaterError
from rater.core.workshop import (
    GoldScore,
    Moment,
    ParticipantScore,
    band,
    check_feedback_mode,
    feedback,
    flagged,
    participant_ids,
    summarise,
    t_interval,
)

T_975_3 = 3.182446305284263  # qt(0.975, 3) in R
T_975_2 = 4.302652729911275  # qt(0.975, 2)

DIMS = ("warmth", "empathy")


def gold_for(recordings: list[str], scores: dict[str, int]) -> list[GoldScore]:
    return [GoldScore(r, d, scores[d], f"why {d}") for r in recordings for d in DIMS]


def test_band_by_size_of_difference():
    assert [band(d) for d in (0, 1, -1, 2, -3)] == ["exact", "within_one", "within_one", "off",
                                                     "off"]


def test_lenient_participant_by_hand():
    # Two recordings × two dimensions, gold 3 everywhere; P01 scores 4, 5, 4, 4: diffs +1 +2 +1 +1.
    gold = gold_for(["A", "B"], {"warmth": 3, "empathy": 3})
    scores = [ParticipantScore("P01", "A", "warmth", 4), ParticipantScore("P01", "A", "empathy", 5),
              ParticipantScore("P01", "B", "warmth", 4), ParticipantScore("P01", "B", "empathy", 4)]
    s = summarise(gold, scores, DIMS)
    (p,) = s.participants
    assert p.n == 4
    assert p.mean_signed == pytest.approx(1.25)
    assert p.mean_abs == pytest.approx(1.25)
    assert p.exact == 0.0
    assert p.within_one == pytest.approx(0.75)
    # sd = sqrt((0.0625 + 0.5625 + 0.0625 + 0.0625) / 3) = 0.5, se = 0.25
    assert p.ci_low == pytest.approx(1.25 - T_975_3 * 0.25)
    assert p.ci_high == pytest.approx(1.25 + T_975_3 * 0.25)
    assert flagged(s) == {"P01": "lenient"}
    assert [d.band for d in s.differences] == ["within_one", "off", "within_one", "within_one"]


def test_severe_and_accurate_participants_and_overall_shares():
    gold = gold_for(["A", "B"], {"warmth": 3, "empathy": 4})
    scores = [
        # P01 exact on all four
        ParticipantScore("P01", "A", "warmth", 3), ParticipantScore("P01", "A", "empathy", 4),
        ParticipantScore("P01", "B", "warmth", 3), ParticipantScore("P01", "B", "empathy", 4),
        # P02 severe: -1, -2, -1 (B empathy still missing)
        ParticipantScore("P02", "A", "warmth", 2), ParticipantScore("P02", "A", "empathy", 2),
        ParticipantScore("P02", "B", "warmth", 2),
    ]
    s = summarise(gold, scores, DIMS)
    p1, p2 = s.participants
    assert (p1.participant, p1.exact, p1.within_one, p1.mean_signed) == ("P01", 1.0, 1.0, 0.0)
    assert (p1.ci_low, p1.ci_high) == (0.0, 0.0)
    assert p2.n == 3
    assert p2.mean_signed == pytest.approx(-4 / 3)
    # deviations 1/3, -2/3, 1/3: sum of squares 6/9, sd = sqrt(1/3), se = 1/3
    assert p2.ci_high == pytest.approx(-4 / 3 + T_975_2 / 3)
    assert p2.ci_low == pytest.approx(-4 / 3 - T_975_2 / 3)
    assert p2.within_one == pytest.approx(2 / 3)
    assert s.exact == pytest.approx(4 / 7)
    assert s.within_one == pytest.approx(6 / 7)
    # P02's CI (-2.77, 0.10) includes 0: not flagged on three scores
    assert flagged(s) == {}


def test_dimensions_in_codebook_order_and_hardest_first():
    gold = gold_for(["A", "B"], {"warmth": 3, "empathy": 3})
    scores = [
        ParticipantScore("P01", "A", "warmth", 3), ParticipantScore("P01", "A", "empathy", 5),
        ParticipantScore("P02", "A", "warmth", 4), ParticipantScore("P02", "A", "empathy", 1),
    ]
    s = summarise(gold, scores, ("clarity",) + DIMS)
    assert [d.dimension for d in s.dimensions] == ["clarity", "warmth", "empathy"]
    clarity, warmth, empathy = s.dimensions
    assert clarity.n == 0 and math.isnan(clarity.mean_abs)
    assert (warmth.n, warmth.exact, warmth.within_one, warmth.mean_signed, warmth.mean_abs) == (
        2, 0.5, 1.0, 0.5, 0.5)
    assert (empathy.exact, empathy.within_one, empathy.mean_signed, empathy.mean_abs) == (
        0.0, 0.0, 0.0, 2.0)
    assert s.hardest == ("empathy", "warmth")


def test_hardest_ties_broken_by_within_one_then_codebook_order():
    gold = gold_for(["A", "B"], {"warmth": 3, "empathy": 3})
    # both dimensions mean |diff| 1; warmth has 0 and 2 (half within one), empathy 1 and 1
    scores = [ParticipantScore("P01", "A", "warmth", 3),
              ParticipantScore("P01", "B", "warmth", 5),
              ParticipantScore("P01", "A", "empathy", 4),
              ParticipantScore("P01", "B", "empathy", 2)]
    assert summarise(gold, scores, DIMS).hardest == ("warmth", "empathy")
    same = [ParticipantScore("P01", "A", "warmth", 4), ParticipantScore("P01", "A", "empathy", 4)]
    assert summarise(gold, same, DIMS).hardest == ("warmth", "empathy")
    assert summarise(gold, same, DIMS[::-1]).hardest == ("empathy", "warmth")


def test_scores_without_gold_are_left_out_and_single_score_has_no_interval():
    gold = [GoldScore("A", "warmth", 3, "")]
    scores = [ParticipantScore("P01", "A", "warmth", 5), ParticipantScore("P01", "Z", "warmth", 1)]
    s = summarise(gold, scores, DIMS)
    (p,) = s.participants
    assert p.n == 1 and p.mean_signed == 2
    assert math.isnan(p.ci_low) and math.isnan(p.ci_high)
    assert flagged(s) == {}


def test_flag_needs_threshold():
    gold = gold_for(["A", "B", "C", "D"], {"warmth": 3, "empathy": 3})
    # +1 on 2 of 8, 0 elsewhere: mean 0.25 below the threshold even though small spread
    plus = {("A", "warmth"), ("B", "warmth")}
    scores = [ParticipantScore("P01", r, d, 4 if (r, d) in plus else 3)
              for r in "ABCD" for d in DIMS]
    s = summarise(gold, scores, DIMS)
    assert s.participants[0].mean_signed == 0.25
    assert flagged(s) == {}
    assert flagged(s, threshold=0.2) == {}  # CI includes 0 too


def test_t_interval_by_hand():
    low, high = t_interval([1, 2, 1, 1])
    assert (low + high) / 2 == pytest.approx(1.25)
    assert high - low == pytest.approx(2 * T_975_3 * 0.25)


def test_feedback_per_dimension_in_codebook_order():
    codebook = load_codebook(default_codebook_path())
    dims = [d.id for d in codebook.dimensions]
    gold = [GoldScore("A", dims[0], 4, "kind tone", (Moment(12.5, "greets warmly"),)),
            GoldScore("A", dims[1], 2, "misses cues"), GoldScore("B", dims[0], 1, "other")]
    fb = feedback(codebook, "P01", "A", gold, {dims[0]: 4, dims[1]: 5},
                  [(30.0, "later", None), (3.0, "nice hello", dims[0])])
    assert [row.dimension for row in fb.dimensions] == dims
    first, second, third = fb.dimensions[:3]
    assert (first.score, first.gold.score, first.band) == (4, 4, "exact")
    assert first.score_anchor == codebook.dimensions[0].anchors[4] == first.gold_anchor
    assert first.notes == (Moment(3.0, "nice hello"),)
    assert first.gold.moments == (Moment(12.5, "greets warmly"),)
    assert (second.score, second.gold.score, second.band) == (5, 2, "off")
    assert second.gold_anchor == codebook.dimensions[1].anchors[2]
    assert (third.score, third.gold, third.band, third.score_anchor) == (None, None, None, "")
    assert [n.text for n in fb.notes] == ["nice hello", "later"]


def test_feedback_mode_checked():
    assert check_feedback_mode("after_set") == "after_set"
    with pytest.raises(RaterError, match="after_each"):
        check_feedback_mode("sometimes")


def test_participant_ids_skip_taken():
    assert participant_ids(3) == ["P01", "P02", "P03"]
    assert participant_ids(2, ["P01", "P03"]) == ["P02", "P04"]


def test_participants_listed_in_the_given_order_even_before_their_first_score():
    gold = gold_for(["A"], {"warmth": 3, "empathy": 3})
    scores = [ParticipantScore("P03", "A", "warmth", 4), ParticipantScore("P09", "A", "warmth", 3)]
    s = summarise(gold, scores, DIMS, participants=["P01", "P02", "P03"])
    assert [p.participant for p in s.participants] == ["P01", "P02", "P03", "P09"]
    waiting = s.participants[0]
    assert waiting.n == 0 and math.isnan(waiting.mean_signed) and math.isnan(waiting.exact)
    assert s.participants[2].mean_signed == 1
