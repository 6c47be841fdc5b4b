"""Running a workshop: room mode (the trainer types everyone's scores), turns on the trainer's
machine, and the feedback a participant sees (on the trainer's store or offline in their pack).
"""

from __future__ import annotations

from pathlib import Path

from rater.core.codebook import parse_codebook
from rater.core.errors import Problem, RaterError
from rater.core.workshop import Feedback, feedback
from rater.services.packs import export_pack, import_pack, return_pack, unpack_for_rating
from rater.services.session import actor_name, open_store
from rater.storage import gold as store_gold
from rater.storage import ratings as store_ratings
from rater.storage import workshops as store_ws
from rater.storage.repository import StudyStore

# -- room mode ------------------------------------------------------------------------------------

def enter_room_score(workshop: str, participant: str, recording_code: str, dimension: str,
                     score: int) -> str:
    """Commit one score at once (a crash loses nothing). The participant's rating of the
    recording is submitted when every dimension has a score; a later change is kept as an
    amendment. Returns 'draft', 'submitted' or 'amended'."""
    with open_store(workshop) as store:
        store_ws.require(store)
        return store_ws.enter_score(store, participant, recording_code, dimension, score,
                                    actor_name())


def clear_room_score(workshop: str, participant: str, recording_code: str,
                     dimension: str) -> None:
    """Take back a score typed in error (only while the participant's row is incomplete)."""
    with open_store(workshop) as store:
        store_ws.require(store)
        store_ws.clear_score(store, participant, recording_code, dimension)


# -- turns on the trainer's machine ---------------------------------------------------------------

def start_turn(workshop: str, participant: str, workspace: Path) -> Path:
    """Make the participant's pack (with their work so far) into a local working folder for
    the workstation; returns the folder. Finish with `finish_turn`."""
    workspace = Path(workspace)
    workspace.mkdir(parents=True, exist_ok=True)
    with open_store(workshop) as store:
        store_ws.require(store)
    pack = workspace / f"{participant}.raterpack"
    pack.unlink(missing_ok=True)
    export_pack(workshop, participant, pack)
    return unpack_for_rating(pack, workspace)


def finish_turn(workshop: str, folder: Path) -> dict:
    """Bring a turn's work into the workshop (a return pack, imported at once)."""
    folder = Path(folder)
    returned = folder.parent / f"{folder.name}.return.raterpack"
    return_pack(folder, returned)
    return import_pack(workshop, returned)


# -- feedback -------------------------------------------------------------------------------------

def feedback_for(study: str, participant: str, recording_code: str) -> Feedback:
    """Per dimension: the participant's score beside gold, with anchors, rationale, moments and
    the participant's notes. `study` is the trainer's workshop or a participant's working copy
    of a workshop pack (the gold travels in it)."""
    with open_store(study) as store:
        codebook = parse_codebook(store.codebook_text(), "the study's codebook")
        entry = _entry(store, participant, recording_code)
        notes = store_ratings.notes(store, participant, recording_code)
        gold = [g for g in store_gold.gold_scores(store) if g.recording == recording_code]
    return feedback(codebook, participant, recording_code, gold, entry.scores,
                    [(t, text, dim) for _id, t, text, dim in notes])


def _entry(store: StudyStore, participant: str, code: str):
    for entry in store_ratings.queue(store, participant):
        if entry.code == code:
            return entry
    raise RaterError(Problem(f"participant {participant} has no recording {code}", code,
                             "choose a recording from the participant's list"))


def feedback_ready(study: str, participant: str, recording_code: str) -> bool:
    """Whether the feedback of this recording may be shown now, by the workshop's setting:
    after_each once it is submitted, after_set once all the participant's recordings are,
    none never. Outside a workshop (gold in a research study) never."""
    with open_store(study) as store:
        row = store_ws.workshop(store)
        if row is None or row.feedback == "none":
            return False
        queue = store_ratings.queue(store, participant)
    if row.feedback == "after_set":
        return bool(queue) and all(e.submitted for e in queue)
    return any(e.code == recording_code and e.submitted for e in queue)
