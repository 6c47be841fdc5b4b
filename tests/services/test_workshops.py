"""Gold editing (audited), room mode, feedback timing and participants, on SQLite and
PostgreSQL; and a research study's gold never leaving the study in a pack."""

from __future__ import annotations

import json
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from audio_files import write_audio
from sqlalchemy import select

from rater.core.errors import RaterError
from rater.services import rating
from rater.services.allocating import allocate_study, assign_gold
from rater.services.blinding import blind_study
from rater.services.gold import (
    add_gold_moment,
    gold_for,
    gold_recordings,
    remove_gold_moment,
    set_gold,
)
from rater.services.importing import import_recordings
from rater.services.packs import export_pack, unpack_for_rating
from rater.services.session import open_store
from rater.services.study import init_study
from rater.services.verify import verify_study
from rater.services.workshops import (
    add_gold_recordings,
    add_participants,
    clear_room_score,
    create_workshop,
    enter_room_score,
    feedback_ready,
    finish_turn,
    participant_scores,
    set_workshop_options,
    start_turn,
    workshop_changes,
    workshop_info,
)
from rater.storage.schema import AuditEvent

DIMENSIONS = ("warmth", "empathy", "strengths", "clarity")


@pytest.fixture
def workshop(study_location, tmp_path, monkeypatch):
    monkeypatch.setenv("RATER_BLIND_DIR", str(tmp_path / "copies"))
    create_workshop(study_location, name="Room test", seed=5)
    files = [write_audio(tmp_path / f"tape-{c}.wav", seconds=3, freq=300 + 50 * i)
             for i, c in enumerate("ab")]
    add_gold_recordings(study_location, files)
    return study_location


def _events(study: str, prefix: str) -> list[tuple[str, dict]]:
    with open_store(study) as store, store.transaction() as session:
        return [(e.action, json.loads(e.detail)) for e in session.scalars(
            select(AuditEvent).where(AuditEvent.action.startswith(prefix))
            .order_by(AuditEvent.id))]


def test_gold_editor_changes_are_audited_with_the_old_value(workshop):
    set_gold(workshop, "tape-a", "warmth", 4, "kind from the start")
    set_gold(workshop, "tape-a", "warmth", 4, "kind from the start")  # no change, no event
    set_gold(workshop, "tape-a", "warmth", 3, "kind, but cools")
    set_gold(workshop, "tape-a", "warmth", 2, "", expert="Dr Lee")
    add_gold_moment(workshop, "tape-a", "warmth", 1.25, "greets by name")
    add_gold_moment(workshop, "tape-a", None, 2.0, "the whole tone")
    assert remove_gold_moment(workshop, "tape-a", None, 2.0)
    assert not remove_gold_moment(workshop, "tape-a", None, 2.0)
    (gold,) = gold_for(workshop)
    assert (gold.recording, gold.score, gold.rationale) == ("tape-a", 3, "kind, but cools")
    assert gold.experts == (("Dr Lee", 2),)
    assert [(m.time_s, m.text) for m in gold.moments] == [(1.25, "greets by name")]
    events = _events(workshop, "gold.")
    assert [a for a, _ in events] == ["gold.recordings_added", "gold.set", "gold.set",
                                      "gold.set", "gold.moment_added", "gold.moment_added",
                                      "gold.moment_removed"]
    change = events[2][1]
    assert (change["old"], change["score"]) == ({"score": 4, "rationale":
                                                 "kind from the start"}, 3)


def test_gold_editor_refuses_bad_input_and_changes_nothing(workshop):
    for call, expected in (
            (lambda: set_gold(workshop, "tape-z", "warmth", 3, ""), "no recording 'tape-z'"),
            (lambda: set_gold(workshop, "tape-a", "kindness", 3, ""), "no dimension"),
            (lambda: set_gold(workshop, "tape-a", "warmth", 9, ""), "not on the scale"),
            (lambda: add_gold_moment(workshop, "tape-a", "warmth", 60.0, "late"),
             "outside the recording")):
        with pytest.raises(RaterError, match=expected):
            call()
    assert gold_for(workshop) == []
    assert [a for a, _ in _events(workshop, "gold.")] == ["gold.recordings_added"]


def test_room_mode_commits_each_score_and_submits_a_complete_row(workshop):
    (p1, p2) = add_participants(workshop, ["Ann", "Bob"])
    for dimension in DIMENSIONS[:3]:
        assert enter_room_score(workshop, p1, "tape-a", dimension, 3) == "draft"
    clear_room_score(workshop, p1, "tape-a", "strengths")
    assert len(participant_scores(workshop)) == 2  # drafts count: the dashboard is live
    assert enter_room_score(workshop, p1, "tape-a", "strengths", 4) == "draft"
    assert enter_room_score(workshop, p1, "tape-a", "clarity", 5) == "submitted"
    assert enter_room_score(workshop, p1, "tape-a", "clarity", 5) == "submitted"
    assert enter_room_score(workshop, p1, "tape-a", "clarity", 2) == "amended"
    with pytest.raises(RaterError, match="type the right score over it"):
        clear_room_score(workshop, p1, "tape-a", "clarity")
    with pytest.raises(RaterError, match="not on the scale"):
        enter_room_score(workshop, p2, "tape-a", "warmth", 0)
    with pytest.raises(RaterError, match="has no recording"):
        enter_room_score(workshop, "P09", "tape-a", "warmth", 3)
    scores = {(s.participant, s.dimension): s.score for s in participant_scores(workshop)}
    assert scores == {(p1, "warmth"): 3, (p1, "empathy"): 3, (p1, "strengths"): 4,
                      (p1, "clarity"): 2}
    info = workshop_info(workshop)["participants"]
    assert [(p["id"], p["name"], p["submitted"], p["of"]) for p in info] == [
        ("P01", "Ann", 1, 2), ("P02", "Bob", 0, 2)]


def test_the_change_mark_moves_with_every_change_the_dashboard_shows(workshop):
    marks = [workshop_changes(workshop)]
    for change in (lambda: add_participants(workshop, 1),
                   lambda: enter_room_score(workshop, "P01", "tape-a", "warmth", 3),
                   lambda: enter_room_score(workshop, "P01", "tape-a", "warmth", 4),
                   lambda: set_gold(workshop, "tape-a", "warmth", 4, "why"),
                   lambda: set_gold(workshop, "tape-a", "warmth", 4, "why not"),
                   lambda: add_gold_moment(workshop, "tape-a", "warmth", 1.0, "here"),
                   lambda: set_workshop_options(workshop, anonymise=True)):
        change()
        marks.append(workshop_changes(workshop))
    assert len(set(marks)) == len(marks)
    assert workshop_changes(workshop) == marks[-1]  # and stays put when nothing changes


def test_feedback_timing_follows_the_workshop_setting(workshop):
    (pid,) = add_participants(workshop, 1)
    assert not feedback_ready(workshop, pid, "tape-a")
    for dimension in DIMENSIONS:
        enter_room_score(workshop, pid, "tape-a", dimension, 3)
    assert feedback_ready(workshop, pid, "tape-a")  # after_each
    set_workshop_options(workshop, feedback="after_set")
    assert not feedback_ready(workshop, pid, "tape-a")
    for dimension in DIMENSIONS:
        enter_room_score(workshop, pid, "tape-b", dimension, 3)
    assert feedback_ready(workshop, pid, "tape-a")
    set_workshop_options(workshop, feedback="none")
    assert not feedback_ready(workshop, pid, "tape-a")
    with pytest.raises(RaterError, match="after_each"):
        set_workshop_options(workshop, feedback="later")


def test_participants_named_or_counted_and_refused_twice(workshop):
    assert add_participants(workshop, ["Ann"]) == ["P01"]
    assert add_participants(workshop, 2) == ["P02", "P03"]
    with pytest.raises(RaterError, match="given twice: Ann"):
        add_participants(workshop, ["Ann"])
    with pytest.raises(RaterError, match="given twice: Cy"):
        add_participants(workshop, ["Cy", "Cy"])
    with pytest.raises(RaterError, match="no participant names"):
        add_participants(workshop, [" "])
    assert [p["id"] for p in workshop_info(workshop)["participants"]] == ["P01", "P02", "P03"]


def test_a_research_study_keeps_its_gold_out_of_packs(tmp_path):
    study = str(tmp_path / "study.rater")
    files = [write_audio(tmp_path / "audio" / f"r{i}.wav", seconds=1, freq=200 + 90 * i)
             for i in range(3)]
    (tmp_path / "m.csv").write_text("file,la\n" + "".join(f"{f.name},X\n" for f in files))
    init_study(study)
    import_recordings(study, tmp_path / "audio", tmp_path / "m.csv")
    (name,) = add_gold_recordings(study, [write_audio(tmp_path / "drift.wav", seconds=1)])[
        "added"]
    assert name == "drift.wav"  # named by file until blinding gives it a code like any other
    blind_study(study, workers=1)
    allocate_study(study, ["R1"], double=0.0, seed=1)
    set_gold(study, name, "warmth", 5, "SECRET-RATIONALE")
    add_gold_moment(study, name, "warmth", 0.5, "SECRET-MOMENT")
    assign_gold(study, "R1", [name])
    (check,) = [r["code"] for r in gold_recordings(study)]
    pack = tmp_path / "R1.raterpack"
    export_pack(study, "R1", pack)
    folder = unpack_for_rating(pack, tmp_path / "workspace")
    copy = folder / "study.rater"
    with sqlite3.connect(copy) as db:
        for table in ("gold_score", "gold_moment", "workshop"):
            assert db.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,)
    assert b"SECRET" not in copy.read_bytes()
    codes = [e.code for e in rating.rater_queue(str(copy))]
    assert check in codes and len(codes) == 4
    assert {len(c) for c in codes} == {7}, "the drift check looks like any other recording"
    assert not feedback_ready(str(copy), "R1", check)


def test_turns_on_the_trainers_machine_bring_the_work_in(workshop, tmp_path):
    (pid,) = add_participants(workshop, ["Ann"])
    folder = start_turn(workshop, pid, tmp_path / "turns")
    copy = str(folder / "study.rater")
    first = rating.rater_queue(copy)[0].code
    for dimension in DIMENSIONS:
        rating.set_score(copy, first, dimension, 2)
    rating.submit_rating(copy, first)
    rating.set_score(copy, "tape-b" if first == "tape-a" else "tape-a", "warmth", 5)
    assert finish_turn(workshop, folder)["status"] == "imported"
    scores = participant_scores(workshop)
    assert len(scores) == 5 and feedback_ready(workshop, pid, first)
    again = start_turn(workshop, pid, tmp_path / "turns")  # the next turn starts from there
    assert len([s for e in rating.rater_queue(str(again / "study.rater"))
                for s in e.scores]) == 5


def test_scores_typed_at_the_same_moment_still_submit_the_row_and_keep_the_chain(workshop):
    """Four dimensions of one row saved by four threads at once (the room grid saves each
    keystroke in the background): the last one in sees the others and submits the row, and
    the audit chain stays whole. Before, each read the row outside the write lock."""
    people = add_participants(workshop, 6)
    for participant in people:
        for code in ("tape-a", "tape-b"):
            start = threading.Barrier(len(DIMENSIONS))

            def enter(dimension, participant=participant, code=code, start=start):
                start.wait()
                return enter_room_score(workshop, participant, code, dimension, 3)

            with ThreadPoolExecutor(len(DIMENSIONS)) as pool:
                states = list(pool.map(enter, DIMENSIONS))
            assert sorted(states) == ["draft"] * 3 + ["submitted"], (participant, code)
    info = workshop_info(workshop)["participants"]
    assert {p["submitted"] for p in info} == {2}
    assert verify_study(workshop)["ok"]
