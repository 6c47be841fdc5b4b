"""A rater's work in the store, on SQLite and PostgreSQL: clearing a draft score, and the
resume position each queue entry carries."""

from __future__ import annotations

import pytest
from audio_files import write_audio

from rater.core.errors import RaterError
from rater.services import rating
from rater.services.allocating import allocate_study
from rater.services.blinding import blind_study
from rater.services.importing import import_recordings
from rater.services.session import open_store
from rater.services.study import init_study
from rater.storage import ratings

DIMENSIONS = ("warmth", "empathy", "strengths", "clarity")


@pytest.fixture
def study(tmp_path, study_location):
    """Two recordings, blinded and allocated to R1."""
    folder = tmp_path / "audio"
    for i in range(2):
        write_audio(folder / f"r{i}.wav", seconds=1, freq=250 + 50 * i)
    (folder / "m.csv").write_text("file,la\nr0.wav,North\nr1.wav,South\n")
    init_study(study_location)
    import_recordings(study_location, folder, folder / "m.csv")
    blind_study(study_location, out=tmp_path / "blinded", workers=1)
    allocate_study(study_location, ["R1"], double=0.0, seed=1)
    return study_location


def _entry(study: str, code: str):
    return next(e for e in rating.rater_queue(study, "R1") if e.code == code)


def test_clear_score_takes_a_draft_back_to_not_scored(study):
    first, second = (e.code for e in rating.rater_queue(study, "R1"))
    with open_store(study) as store:
        ratings.set_score(store, "R1", first, "warmth", 4)
        ratings.set_score(store, "R1", first, "empathy", 2)
        ratings.clear_score(store, "R1", first, "warmth")
        ratings.clear_score(store, "R1", first, "clarity")  # not scored: nothing to do
    assert _entry(study, first).scores == {"empathy": 2}
    rating.clear_score(study, first, "empathy", rater="R1")
    entry = _entry(study, first)
    assert entry.scores == {} and entry.status == "not started"
    rating.set_score(study, first, "warmth", 3, rater="R1")  # scored again after clearing
    assert _entry(study, first).scores == {"warmth": 3}
    assert _entry(study, second).scores == {}


def test_clear_score_refuses_a_submitted_rating_and_unknown_things(study):
    code = rating.rater_queue(study, "R1")[0].code
    for dimension in DIMENSIONS:
        rating.set_score(study, code, dimension, 4, rater="R1")
    rating.submit_rating(study, code, rater="R1")
    with pytest.raises(RaterError) as refused:
        rating.clear_score(study, code, "warmth", rater="R1")
    problem = refused.value.problems[0]
    assert problem.where == code and "amendment" in problem.fix
    assert _entry(study, code).scores == dict.fromkeys(DIMENSIONS, 4)
    with pytest.raises(RaterError, match="no dimension"):
        rating.clear_score(study, code, "charm", rater="R1")
    with pytest.raises(RaterError, match="no recording"):
        rating.clear_score(study, "NOSUCH1", "warmth", rater="R1")


def test_every_queue_entry_carries_where_listening_stopped(study):
    first, second = (e.code for e in rating.rater_queue(study, "R1"))
    assert [e.resume_s for e in rating.rater_queue(study, "R1")] == [None, None]
    with open_store(study) as store:
        ratings.save_place(store, "R1", first, 0.75)
        ratings.save_place(store, "R1", second, 0.25)
        ratings.save_place(store, "R1", second, -1.0)  # clamped to the start
        ratings.save_place(store, "R1", first, 0.5)
        queue = {e.code: e for e in ratings.queue(store, "R1")}
        assert ratings.last_place(store, "R1") == (first, 0.5)
    assert queue[first].resume_s == pytest.approx(0.5)
    assert queue[second].resume_s == 0.0
