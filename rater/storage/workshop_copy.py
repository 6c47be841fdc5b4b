"""What a workshop adds to a participant's rater copy: the workshop row and the gold data.

In a workshop nothing is hidden: the expert scores, rationales and evidence moments of the
participant's recordings travel in the pack, so the feedback view works offline. A research
study is not a workshop, and its gold (blind drift checks) never leaves it: this copies nothing.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from rater.storage.schema import GoldMoment, GoldScore, Recording, Study, Workshop


def copy_workshop_gold(source: Session, target: Session) -> int:
    """Copy the workshop row and the gold of every recording the copy holds (matched by code);
    returns the number of gold scores copied (0 for a research study)."""
    workshop = source.get(Workshop, 1)
    if workshop is None:
        return 0
    target.add(Workshop(id=1, name=workshop.name, feedback=workshop.feedback,
                        anonymise=workshop.anonymise, seed=workshop.seed,
                        created_at=workshop.created_at))
    in_copy = dict(target.execute(select(Recording.blind_code, Recording.id)).all())
    code_of = {rid: code for rid, code in source.execute(
        select(Recording.id, Recording.blind_code)) if code in in_copy}
    version = target.get(Study, 1).codebook_version_id
    copied = 0
    for row in source.scalars(select(GoldScore).where(GoldScore.recording_id.in_(code_of))
                              .order_by(GoldScore.id)):
        target.add(GoldScore(recording_id=in_copy[code_of[row.recording_id]],
                             codebook_version_id=version, dimension=row.dimension,
                             expert=row.expert, score=row.score, rationale=row.rationale,
                             updated_at=row.updated_at))
        copied += 1
    for row in source.scalars(select(GoldMoment).where(GoldMoment.recording_id.in_(code_of))
                              .order_by(GoldMoment.id)):
        target.add(GoldMoment(recording_id=in_copy[code_of[row.recording_id]],
                              dimension=row.dimension, time_s=row.time_s, text=row.text))
    return copied
