"""Reading a ratings CSV for `rater reliability --ratings`: clean files column-wise, problems
with their lines."""

import numpy as np
import pytest

from rater.core.errors import RaterError
from rater.core.reliability.csv_input import read_ratings_csv


def read(text: str):
    frame = read_ratings_csv(text.encode("utf-8"), "r.csv")
    return frame.to_dict("list")


@pytest.mark.parametrize(("text", "expected"), [
    ("\ufeffunit,rater,dimension,score\nu1,A,w,3\nu1,B,w,\n\nu2,A,w,4\n",
     {"unit": ["u1", "u1", "u2"], "rater": ["A", "B", "A"], "score": [3, None, 4],
      "role": ["", "", ""]}),
    ("unit,rater,dimension,score,role\nu1,A,w,3,primary\nu1,B,w,2\n",
     {"unit": ["u1", "u1"], "rater": ["A", "B"], "score": [3, 2], "role": ["primary", ""]}),
    (" unit , rater,dimension,score\n u1 ,A,w, 3\n",
     {"unit": ["u1"], "rater": ["A"], "score": [3], "role": [""]}),
    ("unit,rater,dimension,score\nu1,A,w,3,extra\n",
     {"unit": ["u1"], "rater": ["A"], "score": [3], "role": [""]}),
    ('unit,rater,dimension,score\r\n"u,1",A,w,-2\r\n',
     {"unit": ["u,1"], "rater": ["A"], "score": [-2], "role": [""]}),
])
def test_clean_files(text, expected):
    got = read(text)
    assert got["unit"] == expected["unit"] and got["rater"] == expected["rater"]
    assert got["role"] == expected["role"] and set(got["dimension"]) == {"w"}
    score = [None if np.isnan(s) else s for s in got["score"]]
    assert score == expected["score"]


def test_every_bad_row_with_its_line():
    text = "unit,rater,dimension,score\nu1,,w,3\n\nu2,A,w,x\nu3,A,w,3.0\nu4,A,w,2\n"
    with pytest.raises(RaterError) as caught:
        read(text)
    assert [p.where for p in caught.value.problems] == ["r.csv:2", "r.csv:4", "r.csv:5"]
    assert "all needed" in str(caught.value.problems[0])
    assert "'x' is not a whole number" in str(caught.value.problems[1])


@pytest.mark.parametrize(("text", "message"), [
    ("unit,rater,dimension,score\n", "no ratings"),
    ("unit,rater,dimension\nu,A,w\n", "missing column(s): score"),
])
def test_files_without_ratings(text, message):
    with pytest.raises(RaterError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read(text)
