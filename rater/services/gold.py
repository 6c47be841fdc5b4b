"""User actions on gold (expert) data: import it from CSV, edit it in the gold editor, read it.

Gold works in workshops and in research studies alike. In a research study it never leaves the
study (drift checks stay blind); in a workshop it travels in the participants' packs.
"""

from __future__ import annotations

from pathlib import Path

from rater.core.codebook import parse_codebook
from rater.core.errors import Problem, RaterError
from rater.core.gold_csv import parse_gold_csv
from rater.core.workshop import GoldScore, Moment, ParticipantScore, WorkshopSummary, summarise
from rater.services.session import actor_name, open_store
from rater.storage import gold as store_gold
from rater.storage import workshops as store_ws


def import_gold(study: str, csv: Path) -> dict:
    """Read a gold CSV (file,dimension,score,rationale,moment_s[,expert]) and store it, all or
    nothing. Re-importing the same file changes nothing."""
    try:
        data = Path(csv).read_bytes()
    except OSError as exc:
        raise RaterError(Problem(f"cannot read the gold file ({exc.strerror})", str(csv),
                                 "check the path")) from None
    with open_store(study) as store:
        codebook = parse_codebook(store.codebook_text(), "the study's codebook")
        rows = parse_gold_csv(data, str(csv), codebook)
        counts = store_gold.import_rows(store, rows, str(csv), actor_name())
    return {"file": str(csv), **counts}


def set_gold(study: str, recording_code: str, dimension: str, score: int, rationale: str,
             expert: str = "") -> None:
    """Set (or change) the agreed gold score of one recording and dimension, or with `expert`
    that expert's own score."""
    with open_store(study) as store:
        store_gold.set_gold(store, recording_code, dimension, score, rationale, expert,
                            actor_name())


def remove_gold(study: str, recording_code: str, dimension: str, expert: str = "") -> None:
    with open_store(study) as store:
        store_gold.remove_gold(store, recording_code, dimension, expert, actor_name())


def add_gold_moment(study: str, recording_code: str, dimension: str | None, time_s: float,
                    text: str) -> None:
    """Add an evidence moment (dimension None: about the whole recording)."""
    with open_store(study) as store:
        store_gold.add_moment(store, recording_code, dimension, time_s, text, actor_name())


def remove_gold_moment(study: str, recording_code: str, dimension: str | None,
                       time_s: float) -> bool:
    """Remove the evidence moment at `time_s`; returns whether there was one."""
    with open_store(study) as store:
        return store_gold.remove_moment(store, recording_code, dimension, time_s, actor_name())


def gold_for(study: str) -> list[GoldScore]:
    """Every agreed gold score, by recording and codebook order, with moments and the experts'
    own scores. Recordings are named by their code."""
    with open_store(study) as store:
        return store_gold.gold_scores(store)


def general_moments(study: str) -> dict[str, list[Moment]]:
    """Recording code -> evidence moments not tied to one dimension."""
    with open_store(study) as store:
        return store_gold.general_moments(store)


def gold_recordings(study: str) -> list[dict]:
    """The recordings with gold (or of kind gold): code, file, audio path, duration_s."""
    with open_store(study) as store:
        return store_gold.gold_recordings(store)


def gold_summary(study: str) -> tuple[WorkshopSummary, dict[str, str]]:
    """How raters' work on gold items compares with gold, in any study (in a research study:
    the drift check). Raters are named by id, or display name where one is set."""
    with open_store(study) as store:
        codebook = parse_codebook(store.codebook_text(), "the study's codebook")
        gold = store_gold.gold_scores(store)
        names = dict(store_ws.participants(store))
        scores = [ParticipantScore(r.participant, r.code, r.dimension, r.score)
                  for r in store_ws.scores(store)]
    summary = summarise(gold, scores, [d.id for d in codebook.dimensions])
    return summary, {pid: name or pid for pid, name in names.items()}
