"""User action: a recalibration pack for a rater the drift check flagged.

The gold items the rater missed (a score two or more points off) become a small workshop of
their own, made with the workshop machinery: the same recordings with their gold scores,
rationales and moments, and the rater as its one participant, whose pack shows the gold after
each rating. The study's own store is not changed, and its other gold never leaves it.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from rater.core.errors import Problem, RaterError
from rater.services.drift import drift_report
from rater.services.gold import add_gold_moment, gold_for, gold_recordings, set_gold
from rater.services.session import open_store
from rater.services.workshops import (
    add_gold_recordings,
    add_participants,
    create_workshop,
    export_participant_packs,
)


def recalibration_pack(study: str, rater: str, out_dir: Path) -> dict:
    """Make out_dir/recalibration-RATER.rater (a workshop) and its pack for the rater in
    out_dir/packs; returns the workshop, the pack and the recordings (study code -> code)."""
    missed = drift_report(study)["raters"].get(rater, {}).get("missed", [])
    if not missed:
        raise RaterError(Problem(f"{rater} missed no gold item", rater,
                                 "a recalibration pack needs gold items the rater missed"))
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    workshop = str(out_dir / f"recalibration-{rater}.rater")
    if Path(workshop).exists():
        raise RaterError(Problem("a recalibration workshop is already there", workshop,
                                 "choose another folder, or move the old one away"))
    with open_store(study) as store, tempfile.TemporaryDirectory() as scratch:
        codebook = Path(scratch) / "codebook.toml"
        codebook.write_text(store.codebook_text(), encoding="utf-8")
        create_workshop(workshop, codebook, name=f"Recalibration for {rater}")
    audio = {r["code"]: Path(r["audio"]) for r in gold_recordings(study)}
    codes = {}
    for code in missed:
        added = add_gold_recordings(workshop, [audio[code]])["added"]
        codes[code] = added[0]
    for gold in gold_for(study):
        if gold.recording in codes:
            new = codes[gold.recording]
            set_gold(workshop, new, gold.dimension, gold.score, gold.rationale)
            for expert, score in gold.experts:
                set_gold(workshop, new, gold.dimension, score, "", expert)
            for moment in gold.moments:
                add_gold_moment(workshop, new, gold.dimension, moment.time_s, moment.text)
    add_participants(workshop, [rater])
    (pack,) = export_participant_packs(workshop, out_dir / "packs")
    return {"workshop": workshop, "pack": pack["pack"], "recordings": codes}
