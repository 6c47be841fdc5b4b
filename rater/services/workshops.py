"""User actions of a trainer running a workshop: create it, add gold recordings and
participants, hand out packs, take returns, and see how the group compares with gold.

A workshop is an ordinary study store with a `workshop` row. Gold recordings are recordings of
kind 'gold' named by a readable code (the file's stem); participants are raters P01, P02, …
(with their names as display names); each has every gold recording in their own seeded order.
Room mode and turns live in services.workshop_run; the handout in services.workshop_handout.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path

from rater.audio.source import probe_exact
from rater.core.codebook import parse_codebook
from rater.core.errors import Problem, RaterError
from rater.core.files import sha256_of
from rater.core.pack_audio import FLAC, PackAudioSpec
from rater.core.workshop import (
    ParticipantScore,
    WorkshopSummary,
    check_feedback_mode,
    participant_ids,
    summarise,
)
from rater.services.blinding import blind_study
from rater.services.packs import export_pack, import_packs
from rater.services.rating import rater_queue
from rater.services.session import actor_name, open_store
from rater.services.study import init_study
from rater.services.workshop_run import clear_room_score as clear_room_score
from rater.services.workshop_run import enter_room_score as enter_room_score
from rater.services.workshop_run import feedback_for as feedback_for
from rater.services.workshop_run import feedback_ready as feedback_ready
from rater.services.workshop_run import finish_turn as finish_turn
from rater.services.workshop_run import start_turn as start_turn
from rater.storage import gold as store_gold
from rater.storage import workshops as store_ws
from rater.storage.repository import NewRecording, StudyStore

MAX_CODE = 32
AUDIO_SUFFIXES = (".wav", ".flac", ".ogg", ".opus", ".mp3", ".m4a", ".aac")


def create_workshop(location: str, codebook: Path | None = None, name: str = "",
                    feedback: str = "after_each", seed: int | None = None) -> dict:
    """A new workshop store (a .rater file or a PostgreSQL URL). `seed` makes the
    participants' orders reproducible (default: a random one, kept in the workshop)."""
    check_feedback_mode(feedback)
    seed = secrets.randbelow(2**31) if seed is None else seed
    made = init_study(str(location), codebook, name or None)
    with open_store(str(location)) as store:
        store_ws.create(store, made["name"], feedback, seed, actor_name())
    return {**made, "feedback": feedback, "seed": seed}



def add_gold_recordings(workshop: str, files: list[Path]) -> dict:
    """Add audio files (a folder: the audio files in it) as gold recordings (code: the file's
    stem). In a workshop, also make their copies for the packs and give them to every
    participant. Works in a research study too (drift checks): there the recording is named by
    its file until 'rater study blind' gives it an opaque code. A file already in the study is
    skipped. Returns the codes (file names in a research study) added."""
    files = _audio_files(files)
    with open_store(workshop) as store:
        row = store_ws.workshop(store)
        known = store.known_checksums()
        taken = store.used_codes()
        new, skipped = [], []
        for path in map(Path, files):
            info, checksum = probe_exact(path), sha256_of(path)
            if checksum in known:
                skipped.append(path.name)
                continue
            known.add(checksum)
            # A workshop hides nothing: a readable code. In a research study the blinding
            # gives it an opaque code like any other, so a drift check cannot be told apart.
            code = _code_for(path.stem, taken) if row is not None else None
            taken.add(code or "")
            new.append((NewRecording(path.name, str(path.resolve()), checksum,
                                     path.stat().st_size, info.format, info.subtype,
                                     info.sample_rate, info.channels, info.frames,
                                     info.duration_s, {}), code))
        if new:
            store_gold.add_gold_recordings(store, new, actor_name())
    if new and row is not None:  # a research study blinds its gold with 'rater study blind'
        blind_study(workshop, lufs=None)
        with open_store(workshop) as store:
            store_ws.fill_queues(store, row.seed, actor_name())
    return {"added": [code or recording.original_name for recording, code in new],
            "already_present": skipped}


def _audio_files(paths: list[Path]) -> list[Path]:
    """The files given, a folder standing for the audio files in it (by name)."""
    files, problems = [], []
    for path in map(Path, paths):
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix.lower() in AUDIO_SUFFIXES)
            if not found:
                problems.append(Problem("no audio files in this folder", str(path),
                                        f"give files ending {', '.join(AUDIO_SUFFIXES)}"))
            files += found
        elif path.is_file():
            files.append(path)
        else:
            problems.append(Problem("no such file", str(path), "check the path"))
    if problems:
        raise RaterError(problems)
    return files


def _code_for(stem: str, taken: set[str]) -> str:
    """A readable, unique code from a file's stem: letters, digits, '-' and '_' kept."""
    base = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-")[:MAX_CODE] or "recording"
    code, number = base, 2
    while code in taken:
        suffix = f"-{number}"
        code, number = base[:MAX_CODE - len(suffix)] + suffix, number + 1
    return code


def add_participants(workshop: str, names: list[str] | int) -> list[str]:
    """Add participants by name (each gets an id P01, P02, … and keeps the name for display)
    or by count (ids only); each gets every gold recording in their own order."""
    with open_store(workshop) as store:
        row = store_ws.require(store)
        have = store_ws.participants(store)
        given = ["" for _ in range(names)] if isinstance(names, int) else [n.strip()
                                                                           for n in names]
        if not given or (not isinstance(names, int) and not all(given)):
            raise RaterError(Problem("no participant names given", "add",
                                     "give names, or a number of participants"))
        known = {name for _, name in have if name}
        twice = sorted({n for n in given if n and (given.count(n) > 1 or n in known)})
        if twice:
            raise RaterError(Problem(f"name(s) given twice: {', '.join(twice)}", "add",
                                     "give each participant a distinct name"))
        ids = participant_ids(len(given), [pid for pid, _ in have])
        store_ws.add_participants(store, list(zip(ids, given, strict=True)), actor_name())
        store_ws.fill_queues(store, row.seed, actor_name())
    return ids


def set_workshop_options(workshop: str, feedback: str | None = None,
                         anonymise: bool | None = None) -> None:
    if feedback is not None:
        check_feedback_mode(feedback)
    with open_store(workshop) as store:
        store_ws.require(store)
        store_ws.settings(store, actor_name(), feedback=feedback, anonymise=anonymise)


def is_workshop(location: str) -> bool:
    """Does this store hold a workshop (rather than a research study)?"""
    with open_store(location) as store:
        return store_ws.workshop(store) is not None


def workshop_info(workshop: str) -> dict:
    """The workshop's settings, gold recordings (with how much gold each has) and participants
    (with their progress)."""
    with open_store(workshop) as store:
        row = store_ws.require(store)
        codebook = parse_codebook(store.codebook_text(), "the workshop's codebook")
        gold = store_gold.gold_scores(store)
        codes = store_ws.gold_codes(store)
        people = store_ws.participants(store)
        scores = store_ws.scores(store)
        location = store.location
    dims = len(codebook.dimensions)
    return {
        "workshop": location, "name": row.name, "feedback": row.feedback,
        "anonymise": row.anonymise, "dimensions": [d.id for d in codebook.dimensions],
        "recordings": [{"code": c, "gold_scores": sum(1 for g in gold if g.recording == c),
                        "moments": sum(len(g.moments) for g in gold if g.recording == c)}
                       for c in codes],
        "participants": [{
            "id": pid, "name": name,
            "scores": sum(1 for s in scores if s.participant == pid),
            "submitted": len({s.code for s in scores if s.participant == pid and s.submitted}),
            "of": len(codes), "dimensions": dims} for pid, name in people],
    }


def display_names(workshop: str) -> dict[str, str]:
    """Participant id -> what the trainer's views show (the id alone when anonymised)."""
    with open_store(workshop) as store:
        return _shown_names(store_ws.require(store), store_ws.participants(store))


def export_participant_packs(workshop: str, out_dir: Path, seed: int | None = None,
                             audio: PackAudioSpec = FLAC) -> list[dict]:
    """One pack per participant (out_dir/P01.raterpack, …): every gold recording, in the
    participant's own order, with the gold data inside (nothing is hidden in a workshop).
    `seed` orders recordings given to participants for the first time (default: the
    workshop's own seed)."""
    out_dir = Path(out_dir)
    if not out_dir.parent.is_dir():
        raise RaterError(Problem("the folder's parent does not exist", str(out_dir),
                                 "give a folder in an existing one"))
    with open_store(workshop) as store:
        row = store_ws.require(store)
        people = store_ws.participants(store)
        if not people:
            raise RaterError(Problem("the workshop has no participants", workshop,
                                     "add them with 'rater workshop add'"))
        if not store_ws.gold_codes(store):
            raise RaterError(Problem("the workshop has no gold recordings", workshop,
                                     "add them with 'rater workshop add --recordings'"))
        store_ws.fill_queues(store, row.seed if seed is None else seed, actor_name())
    out_dir.mkdir(exist_ok=True)
    results = []
    for pid, name in people:
        result = export_pack(workshop, pid, out_dir / f"{pid}.raterpack", audio)
        results.append({**result, "name": name, "order": _queue_codes(workshop, pid)})
    return results


def _queue_codes(workshop: str, participant: str) -> list[str]:
    return [entry.code for entry in rater_queue(workshop, participant)]


def import_returns(workshop: str, packs: list[Path]) -> list[dict]:
    """Import participants' returned packs (checked and all-or-nothing, as any pack), each on
    its own: a refused pack is an outcome with status "refused" (see `import_packs`)."""
    with open_store(workshop) as store:
        store_ws.require(store)
    return import_packs(workshop, [Path(p) for p in packs])


def workshop_changes(workshop: str) -> str:
    """A mark that moves whenever anything the dashboard shows changes (poll it, recompute
    the summary when it moves)."""
    with open_store(workshop) as store:
        return store_ws.change_mark(store)


def participant_scores(workshop: str) -> list[ParticipantScore]:
    """Every score participants gave on gold recordings (drafts too), by participant."""
    with open_store(workshop) as store:
        return _participant_scores(store, store_ws.participants(store))


def _participant_scores(store: StudyStore,
                        people: list[tuple[str, str]]) -> list[ParticipantScore]:
    order = {pid: i for i, (pid, _) in enumerate(people)}
    rows = sorted(store_ws.scores(store), key=lambda r: order.get(r.participant, len(order)))
    return [ParticipantScore(r.participant, r.code, r.dimension, r.score) for r in rows]


def workshop_summary(workshop: str) -> tuple[WorkshopSummary, dict[str, str]]:
    """The comparison with gold, and the names to show for participants (ids when the
    workshop is anonymised). One store opening: the dashboard calls this on every change."""
    with open_store(workshop) as store:
        row = store_ws.require(store)
        codebook = parse_codebook(store.codebook_text(), "the workshop's codebook")
        gold = store_gold.gold_scores(store)
        people = store_ws.participants(store)
        scores = _participant_scores(store, people)
    summary = summarise(gold, scores, [d.id for d in codebook.dimensions],
                        [pid for pid, _ in people])
    return summary, _shown_names(row, people)


def _shown_names(row: store_ws.WorkshopRow, people: list[tuple[str, str]]) -> dict[str, str]:
    return {pid: pid if row.anonymise or not name else name for pid, name in people}


def write_handout(workshop: str, html: Path) -> Path:
    """The self-contained HTML handout (services.workshop_handout, which reads this module)."""
    from rater.services.workshop_handout import write_handout as write

    return write(workshop, html)


def build_demo_workshop(folder: Path) -> Path:
    """The demo workshop (services.workshop_demo, which builds it with this module)."""
    from rater.services.workshop_demo import build_demo_workshop as build

    return build(folder)


def open_or_build_demo_workshop(folder: Path) -> Path:
    """The demo workshop built earlier in `folder` (keeping what was done in it), or a new one."""
    from rater.services.workshop_demo import open_or_build_demo_workshop as open_or_build

    return open_or_build(folder)
