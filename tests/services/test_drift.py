"""Issue 12 item 2: gold inserts at a rate in certified raters' queues, and the drift check
that flags a rater whose accuracy falls."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_certification import rate, research_study

from rater.cli import main
from rater.services import rating
from rater.services.allocating import allocate_study
from rater.services.certification import define_test, start_attempt
from rater.services.drift import drift_report
from rater.services.gold import gold_for
from rater.services.recalibration import recalibration_pack
from rater.services.reliability import study_reliability
from rater.services.reliability_html import write_html_report


@pytest.fixture
def drifting(tmp_path, study_location, monkeypatch):
    """Raters D and S certified; 40 study recordings; gold inserts at one in four. D's scores on
    gold fall apart after their twentieth study item, S stays accurate."""
    monkeypatch.setenv("RATER_BLIND_DIR", str(tmp_path / "blind"))
    study = study_location
    codes = research_study(tmp_path, study, gold=6, extra_gold=15, study_items=40)
    define_test(study, codes[:6])
    for rater in ("D", "S", "NEW"):
        start_attempt(study, rater)
    for rater in ("D", "S"):
        rate(study, rater, codes[:3], True)
    report = allocate_study(study, ["D", "S"], double=1.0, seed=4, gold_rate=0.25)
    drift_codes = set(codes[6:])
    after_twenty = {}
    for rater in ("D", "S"):
        seen, later = 0, []
        for entry in rating.rater_queue(study, rater):
            if entry.code in drift_codes:
                if seen >= 20:
                    later.append(entry.code)
                rate(study, rater, [entry.code], good=rater == "S" or seen < 20)
            elif entry.code not in codes:
                seen += 1
        after_twenty[rater] = later
    return study, report, after_twenty


def test_gold_inserts_go_to_certified_raters_at_the_rate(drifting):
    _, report, _ = drifting
    assert report["certification"] == {"D": "certified", "S": "certified"}
    for rater in ("D", "S"):  # 3 certification items + round(studies * 0.25 / 0.75) inserts
        counts = report["raters"][rater]
        assert counts["gold"] - 3 == round((counts["primary"] + counts["second"]) / 3) == 13
    assert report["raters"]["NEW"] == {"gold": 3}  # its certification attempt only


def test_falling_accuracy_is_flagged_within_ten_gold_inserts(drifting):
    study, _, after_twenty = drifting
    report = drift_report(study)
    assert report["threshold"] == 0.8
    steady, drifted = report["raters"]["S"], report["raters"]["D"]
    assert not steady["flagged"] and steady["latest"] == 1.0
    assert drifted["flagged"]
    flagged_at = drifted["flagged_at"]["code"]
    later = after_twenty["D"]
    assert flagged_at in later and later.index(flagged_at) < 10
    before = [p for p in drifted["points"] if p["code"] not in later]
    assert before and not any(p["flagged"] for p in before)
    assert set(drifted["missed"]) <= set(later) and drifted["missed"]



def test_drift_in_the_reliability_report_and_a_recalibration_pack(drifting, tmp_path, capsys):
    study, _, after_twenty = drifting
    shared = [e.code for e in rating.rater_queue(study, "D") if e.code not in drift_codes(study)]
    common = [c for c in shared if c in {e.code for e in rating.rater_queue(study, "S")}][:3]
    for rater in ("D", "S"):
        for code in common:
            for dimension in ("warmth", "empathy", "strengths", "clarity"):
                rating.set_score(study, code, dimension, 3 + (code < "M"), rater=rater)
            rating.submit_rating(study, code, rater=rater)
    report = study_reliability(study, resamples=20)
    assert report["drift"]["raters"]["D"]["flagged"]
    html = tmp_path / "report.html"
    write_html_report(report, html)
    text = html.read_text()
    assert "Drift checks" in text and "<svg" in text and "flagged</span> at" in text

    assert main(["certify", "drift", study]) == 0
    assert "D: 13 gold item(s), latest" in capsys.readouterr().out

    made = recalibration_pack(study, "D", tmp_path / "recal")
    missed = drift_report(study)["raters"]["D"]["missed"]
    assert sorted(made["recordings"]) == sorted(missed)
    workshop = made["workshop"]
    gold = {(g.recording, g.dimension): g.score for g in gold_for(study)}
    theirs = {(g.recording, g.dimension): (g.score, g.rationale) for g in gold_for(workshop)}
    for old, new in made["recordings"].items():
        assert theirs[(new, "warmth")] == (gold[(old, "warmth")], "planted")
    assert Path(made["pack"]).is_file()
    assert [e.code for e in rating.rater_queue(workshop, "P01")] != []


def drift_codes(study: str) -> set[str]:
    return {g.recording for g in gold_for(study)}
