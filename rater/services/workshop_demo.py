"""The demo workshop, so a trainer sees a workshop working in one click: the eight demo
interviews (audio_samples/) as gold with the project's expert ratings, and twelve simulated
participants part-way through.

Planted, so the dashboard has something to show: Ben is lenient (about +1.2 points on average),
Chloe is severe, empathy is the dimension the group finds hardest, and the last three
participants are still rating (some recordings not started, one half scored).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

from rater.core.bundled import samples_dir
from rater.core.errors import Problem, RaterError
from rater.services.gold import gold_for, import_gold
from rater.services.rating import rater_queue
from rater.services.session import actor_name, open_store
from rater.services.workshops import add_gold_recordings, add_participants, create_workshop
from rater.storage import workshops as store_ws

SAMPLES = samples_dir()
WORKSHOP_FILE = "workshop.rater"
SEED = 1992  # Sulsky & Day's frame-of-reference training
PARTICIPANTS = ("Amira", "Ben", "Chloe", "Dev", "Ewa", "Femi", "Grace", "Hugo", "Isla", "Jonah",
                "Kofi", "Lena")
LENIENT, SEVERE = "Ben", "Chloe"
HARDEST = "empathy"
STILL_RATING = {"Jonah": 6, "Kofi": 4, "Lena": 2}  # recordings finished so far


def default_demo_workshop_folder() -> Path:
    from platformdirs import user_data_path

    return user_data_path("rater", appauthor=False) / "demo-workshop"


def open_or_build_demo_workshop(folder: Path) -> Path:
    """The demo workshop built earlier in `folder` (with whatever was done in it), or a new one."""
    existing = Path(folder) / WORKSHOP_FILE
    return existing if existing.is_file() else build_demo_workshop(folder)


def build_demo_workshop(folder: Path) -> Path:
    """Build (or rebuild) the demo workshop in `folder`; returns the workshop file."""
    if not (SAMPLES / "expert_ratings.csv").is_file():
        raise RaterError(Problem("the demo recordings are missing", str(SAMPLES),
                                 "run Rater from a complete source checkout"))
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    workshop = folder / WORKSHOP_FILE
    for old in (workshop, Path(f"{workshop}-wal"), Path(f"{workshop}-shm")):
        old.unlink(missing_ok=True)
    shutil.rmtree(folder / "workshop-blinded", ignore_errors=True)
    create_workshop(str(workshop), name="Demo workshop: eight interviews", seed=SEED)
    add_gold_recordings(str(workshop), sorted((SAMPLES / "audio").glob("*.ogg")))
    import_gold(str(workshop), SAMPLES / "expert_ratings.csv")
    ids = add_participants(str(workshop), list(PARTICIPANTS))
    _simulate(str(workshop), dict(zip(ids, PARTICIPANTS, strict=True)))
    return workshop


def _simulate(workshop: str, names: dict[str, str]) -> None:
    """Every participant's scores: gold plus their own bias and noise, committed as room-mode
    entries (so complete recordings are submitted)."""
    rng = np.random.default_rng(SEED)
    gold = {(g.recording, g.dimension): g.score for g in gold_for(workshop)}
    dimensions = list(dict.fromkeys(d for _, d in gold))
    queues = {pid: [e.code for e in rater_queue(workshop, pid)] for pid in names}
    with open_store(workshop) as store:
        for pid, name in names.items():
            done = STILL_RATING.get(name, len(queues[pid]))
            for position, code in enumerate(queues[pid][:done + (1 if done < 8 else 0)]):
                scored = dimensions if position < done else dimensions[:2]
                for dimension in scored:
                    score = _score(rng, name, dimension, gold[code, dimension])
                    store_ws.enter_score(store, pid, code, dimension, score, actor_name())


def _score(rng: np.random.Generator, name: str, dimension: str, gold: int) -> int:
    bias = {LENIENT: 1.5, SEVERE: -1.0}.get(name, 0.0)
    spread = 1.3 if dimension == HARDEST else 0.45
    return int(np.clip(np.rint(gold + bias + rng.normal(0, spread)), 1, 5))
