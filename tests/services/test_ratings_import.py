"""Importing existing ratings into a study, end to end on SQLite and PostgreSQL: raters,
assignments and blind codes created, every problem listed with its line, all or nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from audio_files import write_audio

from rater.core.blind_codes import is_valid, new_code
from rater.core.errors import RaterError
from rater.core.ratings_csv import parse_ratings_csv, plan_import
from rater.services.importing import import_recordings
from rater.services.ratings_import import import_ratings
from rater.services.session import open_store
from rater.services.study import init_study, study_info
from rater.storage.analysis import apply_import, import_state, submitted_ratings
from rater.storage.rater_copy import rater_queue

HEADER = "recording,rater,dimension,score,role,timestamp\n"


@pytest.fixture
def study(tmp_path, study_location):
    for i, name in enumerate(("one.wav", "two.wav", "three.wav")):
        write_audio(tmp_path / "audio" / name, seconds=0.3, freq=300 + 40 * i)
    (tmp_path / "m.csv").write_text("file,la\none.wav,North\ntwo.wav,South\nthree.wav,North\n")
    init_study(study_location)
    import_recordings(study_location, tmp_path / "audio", tmp_path / "m.csv")
    return study_location, tmp_path


def write(folder: Path, text: str, name: str = "ratings.csv") -> Path:
    path = folder / name
    path.write_text(HEADER + text, encoding="utf-8")
    return path


def every_dimension(recording: str, rater: str, score: int, role: str = "",
                    stamp: str = "") -> str:
    return "".join(f"{recording},{rater},{d},{score},{role},{stamp}\n"
                   for d in ("warmth", "empathy", "strengths", "clarity"))


def test_import_by_file_name_creates_raters_assignments_and_codes(study):
    location, folder = study
    csv = write(folder, every_dimension("one.wav", "R1", 4, stamp="2013-05-14T10:30:00+01:00")
                + every_dimension("one.wav", "R2", 3) + every_dimension("two.wav", "R2", 2)
                + every_dimension("one.wav", "R1", 5, role="retest"))
    result = import_ratings(location, csv)
    assert result == {"ratings": 16, "unchanged": 0, "missing": 0, "new_raters": ["R1", "R2"],
                      "new_assignments": 4, "new_blind_codes": 2}
    with open_store(location) as store:
        codes = {r.original_name: r.blind_code for r in store.recordings()}
        rows = submitted_ratings(store)
        r1 = rater_queue(store, "R1")
        r2 = rater_queue(store, "R2")
    assert is_valid(codes["one.wav"]) and is_valid(codes["two.wav"])
    assert codes["three.wav"] is None  # nothing rated, nothing made
    assert [(q.code, q.role, q.position) for q in r1] == [
        (codes["one.wav"], "primary", 0), (r1[1].code, "retest", 1)]
    assert r1[1].code != codes["one.wav"] and is_valid(r1[1].code)
    assert [(q.code, q.role, q.position) for q in r2] == [
        (codes["one.wav"], "second", 0), (codes["two.wav"], "primary", 1)]
    first = next(r for r in rows if r.rater == "R1" and r.role == "primary")
    assert first.submitted_at == datetime(2013, 5, 14, 9, 30, tzinfo=UTC)
    assert study_info(location)["ratings"] == {"draft": 0, "submitted": 16}


def test_importing_twice_changes_nothing_and_codes_work_as_names(study):
    location, folder = study
    import_ratings(location, write(folder, every_dimension("one.wav", "R1", 4)))
    with open_store(location) as store:
        code = {r.original_name: r.blind_code for r in store.recordings()}["one.wav"]
    again = import_ratings(location, write(folder, every_dimension(code, "R1", 4), "b.csv"))
    assert again["ratings"] == 0 and again["unchanged"] == 4
    second = import_ratings(location, write(folder, every_dimension(code, "R2", 2), "c.csv"))
    assert second["ratings"] == 4 and second["new_assignments"] == 1
    with open_store(location) as store:
        roles = {(r.rater, r.role) for r in submitted_ratings(store)}
    assert roles == {("R1", "primary"), ("R2", "second")}


def test_one_bad_row_imports_nothing_and_every_problem_is_listed(study):
    location, folder = study
    import_ratings(location, write(folder, every_dimension("one.wav", "R1", 4)))
    before = study_info(location)
    csv = write(folder, every_dimension("two.wav", "R3", 3)
                + "nowhere.wav,R3,warmth,3,,\n"      # line 6
                + "two.wav,R3,kindness,3,,\n"        # line 7
                + "one.wav,R1,warmth,2,,\n"          # line 8: submitted as 4 already
                + "three.wav,R3,warmth,9,,\n", "bad.csv")  # line 9
    with pytest.raises(RaterError) as caught:
        import_ratings(location, csv)
    assert [p.where for p in caught.value.problems] == [f"{csv}:{n}" for n in (6, 7, 8, 9)]
    assert all(p.fix for p in caught.value.problems)
    after = study_info(location)
    assert (after["ratings"], after["raters"], after["assignments"]) == (
        before["ratings"], before["raters"], before["assignments"])


def test_a_study_changed_meanwhile_imports_nothing(study):
    location, folder = study
    text = (HEADER + every_dimension("one.wav", "R1", 4)).encode()
    with open_store(location) as store:
        rows, _ = parse_ratings_csv(text, "r.csv", ["warmth", "empathy", "strengths",
                                                    "clarity"], range(1, 6))
        stale, problems = plan_import(rows, import_state(store), "r.csv", new_code)
        assert problems == []
        import_ratings(location, write(folder, every_dimension("one.wav", "R1", 4)))
        with pytest.raises(RaterError, match="changed while"):
            apply_import(store, stale, "test", {})
    assert study_info(location)["ratings"]["submitted"] == 4


def test_cli_ratings_import(tmp_path):
    write_audio(tmp_path / "audio" / "one.wav", seconds=0.3)
    (tmp_path / "m.csv").write_text("file,la\none.wav,North\n")
    location = str(tmp_path / "s.rater")
    init_study(location)
    import_recordings(location, tmp_path / "audio", tmp_path / "m.csv")

    def rater(*args):
        return subprocess.run([sys.executable, "-m", "rater", *map(str, args)],
                              capture_output=True, text=True)

    good = write(tmp_path, every_dimension("one.wav", "R1", 4))
    done = rater("ratings", "import", location, good, "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["ratings"] == 4
    bad = write(tmp_path, "one.wav,R2,warmth,0,,\n", "bad.csv")
    refused = rater("ratings", "import", location, bad)
    assert refused.returncode == 1 and refused.stdout == ""
    assert f"{bad}:2" in refused.stderr and "fix:" in refused.stderr
    assert rater("ratings", "import", location).returncode == 2
