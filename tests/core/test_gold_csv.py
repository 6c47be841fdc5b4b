"""Reading gold scores from CSV: experts beside the agreed score, several moments, every
problem reported with its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from rater.core.codebook import default_codebook_path, load_codebook
from rater.core.errors import RaterError
from rater.core.gold_csv import parse_gold_csv

CODEBOOK = load_codebook(default_codebook_path())
SAMPLES = Path(__file__).resolve().parents[2] / "audio_samples"


def parse(text: str):
    return parse_gold_csv(text.encode(), "gold.csv", CODEBOOK)


def test_the_demo_expert_ratings_parse():
    rows = parse_gold_csv((SAMPLES / "expert_ratings.csv").read_bytes(), "x", CODEBOOK)
    assert len(rows) == 32
    first = rows[0]
    assert (first.file, first.dimension, first.expert, first.score) == (
        "audio/01-strong-throughout.ogg", "warmth", "", 5)
    assert first.moments == [(34.3, first.rationale)]


def test_experts_moments_lists_and_repeated_rows():
    rows = parse("file,dimension,score,rationale,moment_s,expert,moment_text\n"
                 "a.wav,warmth,4,kind,1.5;3,,greets\n"
                 "a.wav,warmth,4,,7,,stays calm\n"
                 "a.wav,warmth,3,,,Dr Lee,\n"
                 "a.wav,warmth,5,,,Dr Ray,\n"
                 "\n"
                 "b.wav,clarity,2,vague,,,\n")
    agreed, lee, ray, other = rows
    assert (agreed.score, agreed.rationale) == (4, "kind")
    assert agreed.moments == [(1.5, "greets"), (3.0, "greets"), (7.0, "stays calm")]
    assert (lee.expert, lee.score, ray.expert, ray.score) == ("Dr Lee", 3, "Dr Ray", 5)
    assert (other.file, other.moments) == ("b.wav", [])


def test_every_problem_with_its_line():
    with pytest.raises(RaterError) as caught:
        parse("file,dimension,score,moment_s\n"
              "a.wav,kindness,3,\n"
              "a.wav,warmth,7,\n"
              "a.wav,empathy,three,\n"
              ",clarity,2,-1\n"
              "b.wav,warmth,2,\n"
              "b.wav,warmth,3,\n")
    text = str(caught.value)
    for expected in ("gold.csv:2: unknown dimension 'kindness'", "gold.csv:3: 7 is not on",
                     "gold.csv:4: the score 'three'", "gold.csv:5: the file is empty",
                     "gold.csv:5: the moment '-1'", "gold.csv:7: b.wav warmth"):
        assert expected in text
    assert len(caught.value.problems) == 6


def test_missing_columns_and_empty_file():
    with pytest.raises(RaterError, match="missing column.*score"):
        parse("file,dimension\na.wav,warmth\n")
    with pytest.raises(RaterError, match="no gold scores"):
        parse("file,dimension,score\n")
    with pytest.raises(RaterError, match="not UTF-8"):
        parse_gold_csv(b"file,dimension,score\n\xff,warmth,3\n", "g.csv", CODEBOOK)
