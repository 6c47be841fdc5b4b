"""Reading a ratings CSV and planning its import: every problem with its line, roles chosen
the way the study expects, nothing planned twice."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from rater.core.errors import RaterError
from rater.core.ratings_csv import (
    KnownRecording,
    StudyState,
    parse_ratings_csv,
    plan_import,
)

DIMS = ["warmth", "empathy", "strengths", "clarity"]
SCALE = [1, 2, 3, 4, 5]


def parse(text: str):
    return parse_ratings_csv(text.encode("utf-8"), "r.csv", DIMS, SCALE)


def test_a_good_file():
    rows, problems = parse("\ufeffRecording,Rater,Dimension,Score,Role,Timestamp\n"
                           "a.wav,R1,warmth,4,,2013-05-14T10:30:00+01:00\n"
                           "\n"
                           "ABCDEFG,R2,empathy,,second,2013-05-14\n"
                           "a.wav,R1,clarity,5.0,primary,\n")
    assert problems == []
    assert [(r.line, r.recording, r.rater, r.dimension, r.score, r.role) for r in rows] == [
        (2, "a.wav", "R1", "warmth", 4, ""), (4, "ABCDEFG", "R2", "empathy", None, "second"),
        (5, "a.wav", "R1", "clarity", 5, "primary")]
    assert rows[0].at == datetime(2013, 5, 14, 9, 30, tzinfo=UTC)  # stored in UTC
    assert rows[1].at == datetime(2013, 5, 14, tzinfo=UTC)  # no offset: UTC


def test_unit_is_accepted_for_recording():
    rows, problems = parse("unit,rater,dimension,score\nx,R1,warmth,3\n")
    assert not problems and rows[0].recording == "x"


def test_every_bad_row_is_reported_with_its_line():
    _rows, problems = parse("recording,rater,dimension,score,role,timestamp\n"
                            "a,R1,warmth,6,,\n"
                            "a,R1,kindness,3,,\n"
                            "a,,warmth,3,,\n"
                            "a,R1,warmth,three,,\n"
                            "a,R1,warmth,3,boss,\n"
                            "a,R1,warmth,3,,yesterday\n"
                            "a,R1,warmth\n"
                            "a,R1,warmth,2.5,,\n")
    where = [p.where for p in problems]
    assert where == [f"r.csv:{n}" for n in range(2, 10)]
    text = "\n".join(str(p) for p in problems)
    for expected in ("not on the scale", "no dimension 'kindness'", "rater is empty",
                     "'three' is not a number", "unknown role 'boss'", "not ISO 8601",
                     "3 values for 6 columns"):
        assert expected in text
    assert all(p.fix for p in problems)


@pytest.mark.parametrize("header,message", [
    ("recording,rater,dimension", "no 'score' column"),
    ("recording,rater,dimension,score,scroe", "did you mean 'score'"),
    ("recording,rater,dimension,score,score", "appears twice"),
    ("", "empty"),
])
def test_a_bad_header_stops_everything(header, message):
    with pytest.raises(RaterError, match=message):
        parse(header + "\n")


def test_not_utf8_says_where_and_how_to_fix():
    with pytest.raises(RaterError) as caught:
        parse_ratings_csv(b"recording,rater,dimension,score\nZo\xeb,R1,warmth,3\n", "r.csv",
                          DIMS, SCALE)
    assert caught.value.problems[0].where == "r.csv:2:3"


def test_a_header_without_rows_is_refused():
    with pytest.raises(RaterError, match="no ratings"):
        parse("recording,rater,dimension,score\n")


# ---------------------------------------------------------------------------------------------
# planning

def state(**changes) -> StudyState:
    recordings = [KnownRecording(1, "CODEAAA", "a.wav"), KnownRecording(2, None, "b.wav"),
                  KnownRecording(3, None, "dup.wav"), KnownRecording(4, None, "dup.wav")]
    base = dict(recordings=recordings, assignments={}, ratings={}, next_position={},
                raters=set(), codes={"CODEAAA"})
    return StudyState(**{**base, **changes})


def counter():
    made = iter(f"NEW{i:04d}" for i in range(100))
    return lambda taken: next(made)


def plan(text: str, study: StudyState | None = None):
    rows, problems = parse("recording,rater,dimension,score,role\n" + text)
    assert problems == []
    return plan_import(rows, study or state(), "r.csv", counter())


def test_first_rater_is_primary_next_is_second_and_codes_are_made():
    made, problems = plan("a.wav,R1,warmth,4,\nCODEAAA,R2,warmth,3,\nb.wav,R2,warmth,2,\n"
                          "b.wav,R2,empathy,2,\nb.wav,R2,clarity,,\n")
    assert problems == []
    assert made.raters == ["R1", "R2"]
    assert [(a.key, a.position, a.code) for a in made.assignments] == [
        ((1, "R1", "primary"), 0, "CODEAAA"), ((1, "R2", "second"), 0, "CODEAAA"),
        ((2, "R2", "primary"), 1, "NEW0000")]
    assert made.blind_codes == {2: "NEW0000"}
    assert len(made.ratings) == 4 and made.missing == 1


def test_retest_gets_its_own_code():
    made, problems = plan("a.wav,R1,warmth,4,\na.wav,R1,warmth,3,retest\n")
    assert problems == []
    assert [a.code for a in made.assignments] == ["CODEAAA", "NEW0000"]


def test_existing_assignments_and_ratings_are_respected():
    study = state(assignments={(1, "R1", "primary"): (10, "CODEAAA")},
                  ratings={(10, "warmth"): ("submitted", 4), (10, "empathy"): ("draft", 2)},
                  next_position={"R1": 5}, raters={"R1"})
    made, problems = plan("a.wav,R1,warmth,4,\na.wav,R1,clarity,3,\na.wav,R2,warmth,2,\n"
                          "b.wav,R1,warmth,1,\n", study)
    assert problems == []
    assert made.unchanged == 1 and made.raters == ["R2"]
    assert [r.assignment_id for r in made.ratings] == [10, None, None]
    assert [(a.key, a.position) for a in made.assignments] == [((1, "R2", "second"), 0),
                                                                ((2, "R1", "primary"), 5)]
    _made, problems = plan("a.wav,R1,warmth,5,\na.wav,R1,empathy,3,\n", study)
    assert ["already submitted warmth = 4" in str(p) for p in problems] == [True, False]
    assert "draft" in str(problems[1])


def test_conflicts_are_reported_with_lines():
    _made, problems = plan("a.wav,R1,warmth,4,\n"
                           "a.wav,R2,warmth,4,\n"
                           "a.wav,R3,warmth,4,\n"  # a third independent rater
                           "a.wav,R3,warmth,4,primary\n"  # primary taken by R1
                           "a.wav,R1,empathy,4,second\n"  # second taken by R2
                           "a.wav,R1,warmth,5,primary\n"  # scored twice
                           "nowhere.wav,R1,warmth,4,\n"
                           "dup.wav,R1,warmth,4,\n")
    assert [p.where for p in problems] == [f"r.csv:{n}" for n in range(4, 10)]
    text = [str(p) for p in problems]
    assert "already has a primary (R1) and a second rater (R2)" in text[0]
    assert "R1 is already the primary rater" in text[1]
    assert "R2 is already the second rater" in text[2]
    assert "again (first on line 2)" in text[3]
    assert "no recording 'nowhere.wav'" in text[4]
    assert "2 recordings were imported as 'dup.wav'" in text[5]


def test_one_role_per_rater_and_recording():
    _made, problems = plan("a.wav,R1,warmth,4,primary\na.wav,R1,empathy,4,second\n")
    assert [p.where for p in problems] == ["r.csv:3"]
    assert "R1 is already the primary rater" in str(problems[0])


def test_a_redactions_cell_over_128_kib_is_an_error_with_its_line():
    from rater.core.redactions_csv import parse_redactions_csv

    data = ("recording,start,end,reason\na.wav,1,2,name\na.wav,1,2," + "x" * 140_000 + "\n")
    with pytest.raises(RaterError) as caught:
        parse_redactions_csv(data.encode(), "red.csv")
    assert caught.value.problems[0].where == "red.csv:3"
