"""Recorded practice interviews: a student's own recording joins a workshop (the student kept
as hidden metadata), and is rated by the student (self), peers and the trainer; the comparison
uses the reliability statistics (ICC, agreement) as any reliability report does.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rater.core.codebook import parse_codebook
from rater.core.errors import Problem, RaterError
from rater.core.reliability.agreement import adjacent_agreement, exact_agreement
from rater.core.reliability.icc import icc_forms
from rater.services.session import actor_name, open_store
from rater.services.workshops import add_gold_recordings
from rater.storage import analysis as store_analysis
from rater.storage import gold as store_gold
from rater.storage import practice as store_practice
from rater.storage import workshops as store_ws


def add_practice_recording(workshop: str, recording: Path, student: str,
                           blind_peers: bool = True) -> str:
    """Add a student's practice recording (e.g. from the recorder) to the workshop: every
    participant gets it to rate. With `blind_peers` its code says nothing about whose it is
    (practice-01, …); else it is named after the student. Returns its code."""
    recording = Path(recording)
    with open_store(workshop) as store:
        store_ws.require(store)
        if student not in dict(store_ws.participants(store)):
            raise RaterError(Problem(f"no participant {student} in the workshop", student,
                                     "add the student with 'rater workshop add' first"))
        taken = len(store_practice.practice_recordings(store))
    stem = f"practice-{taken + 1:02d}" if blind_peers else f"practice-{student}"
    with tempfile.TemporaryDirectory() as scratch:
        named = Path(scratch) / f"{stem}{recording.suffix.lower()}"
        shutil.copyfile(recording, named)
        added = add_gold_recordings(workshop, [named])["added"]
    if not added:
        raise RaterError(Problem("this recording is already in the workshop", str(recording),
                                 "each practice interview is added once"))
    with open_store(workshop) as store:
        store_practice.mark_practice(store, added[0], student, blind_peers, actor_name())
    return added[0]


def practice_recordings(workshop: str) -> dict[str, tuple[str, bool]]:
    """Code -> (student, peers rate it blind) of every practice recording."""
    with open_store(workshop) as store:
        return store_practice.practice_recordings(store)


def practice_comparison(workshop: str, trainer: str) -> dict:
    """Side by side for every practice recording: per dimension the self score, the peers'
    scores and the trainer's; and for the class, self vs trainer and peers (mean) vs trainer
    by ICC(A,1) with its 95% CI and exact / within-one agreement (the reliability code)."""
    with open_store(workshop) as store:
        practice = store_practice.practice_recordings(store)
        codebook = parse_codebook(store.codebook_text(), "the workshop's codebook")
        scores = [s for s in store_ws.scores(store) if s.code in practice]
    dimensions = [d.id for d in codebook.dimensions]
    recordings = {}
    for code, (student, blind) in sorted(practice.items()):
        mine = [s for s in scores if s.code == code]
        recordings[code] = {"student": student, "blind_peers": blind, "dimensions": {
            d: {"self": _one(mine, d, student), "trainer": _one(mine, d, trainer),
                "peers": [s.score for s in mine if s.dimension == d
                          and s.participant not in (student, trainer)]}
            for d in dimensions}}
    return {"trainer": trainer, "recordings": recordings,
            "class": {"self_vs_trainer": _compare(recordings, "self"),
                      "peers_vs_trainer": _compare(recordings, "peers")}}


@dataclass(frozen=True)
class SideBySide:
    """One practice recording as its student sees it after everyone has rated: per dimension
    their own score, the peers' and the trainer's; everyone's notes and the trainer's evidence
    moments on the recording's timeline. Peers appear as Peer 1, Peer 2… (never by name)."""

    code: str
    student: str
    trainer: str
    audio: str | None
    dimensions: tuple[tuple[str, str], ...]  # (id, name) in codebook order
    scores: dict[str, dict]  # dimension -> {"self": int|None, "peers": [int], "trainer": int|None}
    notes: tuple[tuple[str, float, str], ...]  # (who, seconds, text), by time
    moments: tuple[tuple[str, float, str], ...]  # (dimension name, seconds, text), by time
    class_summary: dict  # the whole class: self and peers against the trainer


def practice_side_by_side(workshop: str, code: str, trainer: str) -> SideBySide:
    """What the student of practice recording `code` sees once it has been rated."""
    report = practice_comparison(workshop, trainer)
    if code not in report["recordings"]:
        raise RaterError(Problem(f"no practice recording {code} in the workshop", code,
                                 "choose one of the workshop's practice recordings"))
    entry = report["recordings"][code]
    student = entry["student"]
    with open_store(workshop) as store:
        codebook = parse_codebook(store.codebook_text(), "the workshop's codebook")
        notes = [n for n in store_analysis.notes(store, gold=True) if n.code == code]
        moments = store_gold.recording_moments(store, code)
        audio = next((r["audio"] for r in store_gold.gold_recordings(store)
                      if r["code"] == code), None)
    names = {d.id: d.name for d in codebook.dimensions}
    peers = sorted({n.rater for n in notes} - {student, trainer})
    who = {student: "You", trainer: "Trainer",
           **{p: f"Peer {i + 1}" for i, p in enumerate(peers)}}
    return SideBySide(
        code, student, trainer, audio, tuple(names.items()), entry["dimensions"],
        tuple(sorted(((who[n.rater], n.time_s, n.text) for n in notes), key=lambda n: n[1])),
        tuple((names.get(d, "whole recording"), m.time_s, m.text) for d, m in moments),
        report["class"])


def _one(rows, dimension: str, who: str) -> int | None:
    return next((s.score for s in rows if s.dimension == dimension and s.participant == who),
                None)


def _compare(recordings: dict, source: str) -> dict:
    """Pairs (source, trainer) over every recording and dimension both scored."""
    pairs = []
    for entry in recordings.values():
        for cell in entry["dimensions"].values():
            value = cell[source]
            if source == "peers":
                value = float(np.mean(value)) if value else None
            if value is not None and cell["trainer"] is not None:
                pairs.append((value, cell["trainer"]))
    x = np.array(pairs, dtype=float).reshape(len(pairs), 2)
    rounded = np.rint(x)
    return {"n": len(pairs), "icc_a1": icc_forms(x)["icc_a1"].to_dict(),
            "exact": exact_agreement(rounded).to_dict(),
            "within_one": adjacent_agreement(rounded).to_dict()}
