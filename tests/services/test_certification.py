"""Issue 12 item 1: certification with planted raters (passes; fails then passes on the second
attempt; fails twice), append-only results, and `--require-certified` allocation."""

from __future__ import annotations

import json

import pytest
from audio_files import write_audio
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from rater.cli import main
from rater.core.certification import Thresholds
from rater.core.errors import RaterError
from rater.services import rating
from rater.services.allocating import allocate_study
from rater.services.blinding import blind_study
from rater.services.certification import certification_status, define_test, start_attempt
from rater.services.gold import gold_for, import_gold
from rater.services.importing import import_recordings
from rater.services.session import open_store
from rater.services.study import init_study
from rater.services.workshops import add_gold_recordings

DIMENSIONS = ("warmth", "empathy", "strengths", "clarity")
GOLD = 12  # certification recordings: two attempts of six


def gold_score(index: int, dimension: int) -> int:
    return 1 + (index + dimension) % 5


def research_study(folder, study: str, gold: int = GOLD, extra_gold: int = 0,
                   study_items: int = 10) -> list[str]:
    """A blinded research study with `study_items` study recordings and `gold + extra_gold`
    gold recordings with agreed gold scores; returns the gold codes in file order."""
    audio = folder / "audio"
    names = [f"interview_{i:02d}.wav" for i in range(study_items)]
    for i, name in enumerate(names):
        write_audio(audio / name, seconds=0.2, freq=200 + 13 * i)
    (folder / "meta.csv").write_text("file,site\n" + "".join(f"{n},A\n" for n in names))
    init_study(study, name="Certified study")
    import_recordings(study, audio, folder / "meta.csv")
    files = [write_audio(folder / "gold" / f"gold_{i:02d}.wav", seconds=0.2, freq=900 + 11 * i)
             for i in range(gold + extra_gold)]
    add_gold_recordings(study, files)
    blind_study(study, out=folder / "copies", lufs=None, workers=1)
    lines = ["file,dimension,score,rationale"]
    lines += [f"{f.name},{d},{gold_score(i, j)},planted" for i, f in enumerate(files)
              for j, d in enumerate(DIMENSIONS)]
    (folder / "gold.csv").write_text("\n".join(lines) + "\n")
    import_gold(study, folder / "gold.csv")
    return _codes_in_file_order(study, len(files))


def _codes_in_file_order(study: str, count: int) -> list[str]:
    by_score = {}
    for g in gold_for(study):
        by_score.setdefault(g.recording, []).append(g.score)
    codes = []
    for i in range(count):
        wanted = [gold_score(i, j) for j in range(len(DIMENSIONS))]
        codes += [c for c, s in by_score.items() if s == wanted and c not in codes][:1]
    return codes


def rate(study: str, rater: str, codes: list[str], good: bool) -> None:
    """Score every code: gold itself (one dimension one point off) when good, else mirrored."""
    gold = {(g.recording, g.dimension): g.score for g in gold_for(study)}
    for n, code in enumerate(codes):
        for d in DIMENSIONS:
            true = gold[(code, d)]
            score = (min(5, true + 1) if n == 0 and d == "warmth" else true) if good else 6 - true
            rating.set_score(study, code, d, score, rater=rater)
        rating.submit_rating(study, code, rater=rater)


@pytest.fixture
def certified_study(tmp_path, study_location, monkeypatch):
    monkeypatch.setenv("RATER_BLIND_DIR", str(tmp_path / "blind"))
    codes = research_study(tmp_path, study_location)
    test = define_test(study_location, codes, name="autumn")
    return study_location, codes, test


def test_planted_raters_pass_retry_and_fail(certified_study):
    study, codes, test = certified_study
    assert test["recordings"] == [codes[:6], codes[6:]]
    assert test["thresholds"]["*"] == {"within_one": 0.8, "icc": 0.7}
    plan = {"PASS": [True], "RETRY": [False, True], "FAIL": [False, False]}
    for rater, outcomes in plan.items():
        for number, good in enumerate(outcomes, start=1):
            given = start_attempt(study, rater)
            assert given["attempt"] == number
            assert given["recordings"] == test["recordings"][number - 1]  # different each time
            rate(study, rater, given["recordings"], good)

    status = certification_status(study)["raters"]
    assert {r: s["state"] for r, s in status.items()} == {
        "PASS": "certified", "RETRY": "certified", "FAIL": "failed"}
    assert [a["passed"] for a in status["RETRY"]["attempts"]] == [False, True]
    assert [a["passed"] for a in status["FAIL"]["attempts"]] == [False, False]
    warmth = status["PASS"]["attempts"][0]["result"]["dimensions"][0]
    assert warmth["dimension"] == "warmth" and warmth["n"] == 6
    assert warmth["within_one"] == 1.0
    assert 0.7 <= warmth["icc"] < 1 and warmth["icc_low"] < warmth["icc"] < warmth["icc_high"]
    failed = status["FAIL"]["attempts"][0]["result"]["dimensions"][0]
    assert failed["within_one"] < 0.8 and failed["icc"] < 0.7

    with pytest.raises(RaterError, match="has used all 2 attempts"):
        start_attempt(study, "FAIL")
    with pytest.raises(RaterError, match="already certified"):
        start_attempt(study, "PASS")

    with pytest.raises(RaterError, match=r"not certified: FAIL \(failed\), NEW \(not started\)"):
        allocate_study(study, ["PASS", "FAIL", "NEW"], seed=1, require_certified=True)
    report = allocate_study(study, ["PASS", "RETRY"], seed=1, require_certified=True)
    assert report["certification"] == {"PASS": "certified", "RETRY": "certified"}


def test_unfinished_attempt_is_not_graded_and_blocks_the_next(certified_study):
    study, codes, _ = certified_study
    start_attempt(study, "SLOW")
    rate(study, "SLOW", codes[:5], True)  # one recording still to rate
    assert certification_status(study)["raters"]["SLOW"]["state"] == "in_progress"
    with pytest.raises(RaterError, match="has not finished attempt 1"):
        start_attempt(study, "SLOW")


def test_certification_recordings_are_not_training_items(certified_study, tmp_path):
    study, codes, _ = certified_study
    report = allocate_study(study, ["A", "B"], seed=2)
    assert not any(report["raters"][r].get("gold") for r in ("A", "B"))
    with pytest.raises(RaterError, match="already in a certification test"):
        define_test(study, codes[:6], name="again", attempts=1)


def test_results_are_append_only(certified_study):
    study, codes, _ = certified_study
    start_attempt(study, "PASS")
    rate(study, "PASS", codes[:6], True)
    certification_status(study)
    for statement in ("UPDATE certification_result SET passed = false",
                      "DELETE FROM certification_attempt",
                      "UPDATE certification_test SET attempts = 9"):
        with (open_store(study) as store, pytest.raises(DBAPIError, match="append-only"),
              store.transaction() as session):
            session.execute(text(statement))


def test_bad_definitions_are_refused(tmp_path, study_location, monkeypatch):
    monkeypatch.setenv("RATER_BLIND_DIR", str(tmp_path / "blind"))
    codes = research_study(tmp_path, study_location, gold=6)
    with pytest.raises(RaterError, match="leaves 2 per attempt"):
        define_test(study_location, codes[:5])
    with pytest.raises(RaterError, match="no recording 'nope'"):
        define_test(study_location, [*codes[:5], "nope"], attempts=1)
    with pytest.raises(RaterError, match="no dimension zest"):
        define_test(study_location, codes, attempts=1,
                    dimensions={"zest": Thresholds()})


def test_command_line(tmp_path, study_location, monkeypatch, capsys):
    monkeypatch.setenv("RATER_BLIND_DIR", str(tmp_path / "blind"))
    codes = research_study(tmp_path, study_location, gold=6)
    study = study_location

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    code, out, _ = run("certify", "define", study, *codes, "--name", "spring",
                       "--dimension", "empathy=0.7,0.6", "--json")
    assert code == 0 and json.loads(out)["thresholds"]["empathy"] == {"within_one": 0.7,
                                                                      "icc": 0.6}
    code, out, _ = run("certify", "assign", study, "R1", "R2")
    assert code == 0 and "R1: attempt 1 of 'spring', 3 recording(s)" in out
    rate(study, "R1", codes[:3], True)
    code, out, _ = run("certify", "status", study)
    assert "R1: certified" in out and "R2: in progress" in out
    assert "warmth 100% within one, ICC" in out
    status = json.loads(run("certify", "status", study, "--json")[1])
    assert status["raters"]["R1"]["attempts"][0]["passed"] is True
    code, _, err = run("study", "allocate", study, "--raters", "R1,R2", "--require-certified")
    assert code == 1 and "not certified: R2 (in progress)" in err
    code, out, _ = run("study", "allocate", study, "--raters", "R1", "--double", "0",
                       "--require-certified", "--gold-rate", "0.1")
    assert code == 0 and "R1 [certified]: gold 3, all: 10, primary 10" in out
