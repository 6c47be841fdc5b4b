"""Issue 12 item 3 (backend): a student's practice recording joins a workshop with the student
hidden; self, peer and trainer ratings side by side, compared with the reliability code."""

from __future__ import annotations

import sqlite3
import zipfile

import pytest
from audio_files import write_audio

from rater.cli import main
from rater.core.errors import RaterError
from rater.services.practice import add_practice_recording, practice_comparison
from rater.services.workshops import (
    add_participants,
    create_workshop,
    enter_room_score,
    export_participant_packs,
)

DIMENSIONS = ("warmth", "empathy", "strengths", "clarity")


def test_self_peer_and_trainer_side_by_side(tmp_path, study_location, monkeypatch, capsys):
    monkeypatch.setenv("RATER_BLIND_DIR", str(tmp_path / "copies"))
    workshop = study_location
    create_workshop(workshop, name="Practice", seed=1)
    ann, ben, trainer = add_participants(workshop, ["Ann", "Ben", "Trainer"])
    tapes = {who: write_audio(tmp_path / f"rec-{who}.flac", seconds=1, freq=300 + 40 * i)
             for i, who in enumerate((ann, ben))}
    code_ann = add_practice_recording(workshop, tapes[ann], ann)
    code_ben = add_practice_recording(workshop, tapes[ben], ben, blind_peers=False)
    assert code_ann == "practice-01" and code_ben == f"practice-{ben}"
    with pytest.raises(RaterError, match="no participant Zed"):
        add_practice_recording(workshop, tapes[ann], "Zed")

    planted = {  # (self/peer, trainer) per recording: Ann is lenient about herself
        code_ann: {ann: [5, 5, 4, 5], ben: [3, 4, 3, 4], trainer: [3, 4, 2, 4]},
        code_ben: {ben: [2, 3, 3, 3], ann: [2, 3, 4, 3], trainer: [2, 3, 3, 4]}}
    for code, by in planted.items():
        for who, values in by.items():
            for dimension, score in zip(DIMENSIONS, values, strict=True):
                enter_room_score(workshop, who, code, dimension, score)

    report = practice_comparison(workshop, trainer)
    ann_tape = report["recordings"][code_ann]
    assert ann_tape["student"] == ann and ann_tape["blind_peers"]
    assert ann_tape["dimensions"]["strengths"] == {"self": 4, "trainer": 2, "peers": [3]}
    assert report["recordings"][code_ben]["dimensions"]["clarity"] == {
        "self": 3, "trainer": 4, "peers": [3]}
    mine = report["class"]["self_vs_trainer"]
    assert mine["n"] == 8 and mine["exact"]["value"] == pytest.approx(3 / 8)
    peers = report["class"]["peers_vs_trainer"]
    assert peers["within_one"]["value"] == 1.0
    assert peers["icc_a1"]["value"] > mine["icc_a1"]["value"]
    assert peers["icc_a1"]["ci95"] is not None

    assert main(["practice", "compare", workshop, "--trainer", trainer]) == 0
    out = capsys.readouterr().out
    assert f"{code_ann} (student {ann}):" in out and "strengths: self 4, peers 3, trainer 2" in out
    assert "self vs trainer: n 8, ICC(A,1)" in out
    assert main(["practice", "add", workshop, str(tapes[ann]), "--student", ann]) == 1
    assert "already in the workshop" in capsys.readouterr().err


def test_whose_recording_it_is_never_reaches_a_pack(tmp_path, monkeypatch):
    monkeypatch.setenv("RATER_BLIND_DIR", str(tmp_path / "copies"))
    workshop = str(tmp_path / "w.rater")
    create_workshop(workshop, name="Practice", seed=1)
    ann, ben = add_participants(workshop, ["Annabel", "Ben"])
    add_practice_recording(workshop, write_audio(tmp_path / "annabel-own.flac", seconds=1), ann)
    packs = export_participant_packs(workshop, tmp_path / "packs")
    for pack in packs:
        with zipfile.ZipFile(pack["pack"]) as archive:
            for name in archive.namelist():
                data = archive.read(name)
                if name.endswith((".rater", ".db", ".sqlite")):
                    data = _sqlite_text(tmp_path, data)
                assert b"practice_student" not in data and b"annabel-own" not in data, name
        assert pack["order"] == ["practice-01"]


def _sqlite_text(folder, data: bytes) -> bytes:
    copy = folder / "inside.db"
    copy.write_bytes(data)
    with sqlite3.connect(copy) as db:
        return "\n".join(db.iterdump()).encode()
