"""Issue 11 item 2: ratings of gold items (role 'gold') show in exports with their own role and
never enter a study's reliability, group comparison or the analysis score of its exports."""

from __future__ import annotations

import csv
from pathlib import Path

from audio_files import write_audio
from test_analysis_service import DIMENSIONS, reference_like_study

from rater.services import rating
from rater.services.allocating import assign_gold
from rater.services.analysis import compare
from rater.services.blinding import blind_study
from rater.services.export import export_study
from rater.services.gold import gold_recordings, import_gold, set_gold
from rater.services.reliability import study_reliability
from rater.services.session import open_store
from rater.services.workshop_handout import summary_document
from rater.services.workshops import add_gold_recordings
from rater.storage.analysis import submitted_ratings


def _rows(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _numbers(study: str, folder: Path) -> dict:
    folder.mkdir()
    reliability = study_reliability(study, seed=0, resamples=200)
    comparison = compare(study, "cohort")
    export_study(study, "csv-wide", folder / "wide.csv")
    export_study(study, "csv-long", folder / "long.csv")
    export_study(study, "csv-notes", folder / "notes.csv")
    return {
        "reliability": {d: r["statistics"] for d, r in reliability["dimensions"].items()},
        "units": {d: r["n_units"] for d, r in reliability["dimensions"].items()},
        "comparison": comparison["dimensions"],
        "wide": _rows(folder / "wide.csv"),
        "long": _rows(folder / "long.csv"),
        "notes": _rows(folder / "notes.csv"),
    }


def test_gold_ratings_with_wild_scores_change_no_analysis_number(tmp_path, study_location):
    study = study_location
    reference_like_study(tmp_path, study)
    before = _numbers(study, tmp_path / "before")
    analysed = len(submitted_ratings(open_store(study)))

    # Plant gold: a trainer's gold recording and three study recordings given as gold items
    # to two raters, scored as far from everyone else as the scale allows.
    extra = write_audio(tmp_path / "gold" / "training-tape.wav", seconds=0.5, freq=300)
    add_gold_recordings(study, [extra])
    blind_study(study, out=tmp_path / "copies", lufs=None, workers=1)  # gives gold its code
    (code,) = [r["code"] for r in gold_recordings(study)]
    theirs = {e.code for who in ("R1", "R2") for e in rating.rater_queue(study, who)}
    codes = [r["code"] for r in before["wide"] if r["code"] not in theirs][:3]
    assert len(codes) == 3
    for who, wild in (("R1", 1), ("R2", 5)):
        assign_gold(study, who, [code, *codes])
        for item in (code, *codes):
            for dimension in DIMENSIONS:
                rating.set_score(study, item, dimension, wild, rater=who)
            rating.add_note(study, item, 0.1, f"gold note by {who}", rater=who)
            rating.submit_rating(study, item, rater=who)
    gold_csv = tmp_path / "gold.csv"
    gold_csv.write_text("file,dimension,score,rationale,moment_s\n"
                        + "".join(f"{item},{d},3,agreed,0.1\n" for item in (code, *codes)
                                  for d in DIMENSIONS))
    import_gold(study, gold_csv)
    set_gold(study, codes[0], "warmth", 5, "changed my mind")

    after = _numbers(study, tmp_path / "after")
    assert len(submitted_ratings(open_store(study))) == analysed
    assert after["reliability"] == before["reliability"]
    assert after["units"] == before["units"]
    assert after["comparison"] == before["comparison"]
    assert after["wide"] == before["wide"]
    kept = [r for r in after["long"] if r["role"] != "gold"]
    assert kept == before["long"]
    gold_rows = [r for r in after["long"] if r["role"] == "gold"]
    assert len(gold_rows) == 2 * 4 * len(DIMENSIONS)
    assert {r["rater"] for r in gold_rows} == {"R1", "R2"}
    assert {r["code"] for r in gold_rows} == {code, *codes}
    assert all(r["analysis_score"] == "" for r in gold_rows)
    assert {(r["rater"], r["score"]) for r in gold_rows} == {("R1", "1"), ("R2", "5")}
    gold_notes = [r for r in after["notes"] if r["role"] == "gold"]
    assert len(gold_notes) == 8
    assert [r for r in after["notes"] if r["role"] != "gold"] == before["notes"]

    # ... and they do show where the trainer looks: the drift check against gold.
    report = summary_document(study, any_study=True)
    by_rater = {p["id"]: p for p in report["participants"]}
    assert (by_rater["R1"]["flag"], by_rater["R2"]["flag"]) == ("severe", "lenient")
    assert by_rater["R1"]["n"] == by_rater["R2"]["n"] == 4 * len(DIMENSIONS)
    assert by_rater["R2"]["mean_signed"] == (15 * 2 + 0) / 16  # gold 5 on one: exact there
    assert {r["code"] for r in gold_recordings(study)} == {code, *codes}
    assert len(code) == 7
