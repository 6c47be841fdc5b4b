"""The demo workshop: the eight interviews as gold, twelve participants with what was planted."""

from __future__ import annotations

import subprocess
import sys

import pytest

from rater.core.workshop import flagged
from rater.services.rating import rater_queue
from rater.services.workshop_demo import (
    HARDEST,
    LENIENT,
    SEVERE,
    STILL_RATING,
    open_or_build_demo_workshop,
)
from rater.services.workshop_run import enter_room_score
from rater.services.workshops import workshop_info, workshop_summary


def test_demo_workshop_shows_the_planted_findings(tmp_path):
    made = subprocess.run([sys.executable, "-m", "rater", "demo", "--workshop", "--dir",
                           tmp_path], capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    workshop = made.stdout.strip()
    info = workshop_info(workshop)
    assert len(info["recordings"]) == 8
    assert all(r["gold_scores"] == 4 and r["moments"] == 4 for r in info["recordings"])
    assert len(info["participants"]) == 12
    done = {p["name"]: p["submitted"] for p in info["participants"]}
    assert {n: done[n] for n in STILL_RATING} == STILL_RATING
    assert all(v == 8 for n, v in done.items() if n not in STILL_RATING)
    summary, names = workshop_summary(workshop)
    by_name = {names[p.participant]: p for p in summary.participants}
    assert by_name[LENIENT].mean_signed == pytest.approx(1.2, abs=0.1)
    flags = {names[p]: f for p, f in flagged(summary).items()}
    assert flags == {LENIENT: "lenient", SEVERE: "severe"}
    assert summary.hardest[0] == HARDEST


def test_opening_the_demo_workshop_again_keeps_the_work(tmp_path):
    workshop = str(open_or_build_demo_workshop(tmp_path))
    people = workshop_info(workshop)["participants"]
    lena = next(p for p in people if p["name"] == "Lena")
    code = next(e.code for e in rater_queue(workshop, lena["id"]) if not e.scores)
    enter_room_score(workshop, lena["id"], code, "clarity", 3)
    assert str(open_or_build_demo_workshop(tmp_path)) == workshop
    again = next(p for p in workshop_info(workshop)["participants"] if p["name"] == "Lena")
    assert again["scores"] == lena["scores"] + 1
