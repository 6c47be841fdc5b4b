"""The researcher's progress table: per rater, items, submitted, in progress and the time of
their last score, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from audio_files import write_audio

from rater.services import rating
from rater.services.allocating import allocate_study
from rater.services.blinding import blind_study
from rater.services.importing import import_recordings
from rater.services.progress import rater_progress
from rater.services.study import init_study

DIMENSIONS = ("warmth", "empathy", "strengths", "clarity")


def test_progress_counts_each_raters_items_by_state(study_location, tmp_path):
    audio = tmp_path / "audio"
    for i in range(4):
        write_audio(audio / f"r{i}.wav", seconds=1, freq=300 + 40 * i)
    (audio / "m.csv").write_text("file,la\n" + "".join(f"r{i}.wav,{'NS'[i % 2]}\n"
                                                       for i in range(4)))
    init_study(study_location)
    import_recordings(study_location, audio, audio / "m.csv")
    blind_study(study_location, out=tmp_path / "blinded", workers=1)
    allocate_study(study_location, ["R1", "R2"], double=1.0, seed=1)
    assert [(p.rater, p.items, p.submitted, p.in_progress, p.last_change)
            for p in rater_progress(study_location)] == [("R1", 4, 0, 0, None),
                                                         ("R2", 4, 0, 0, None)]
    before = datetime.now(UTC)
    queue = rating.rater_queue(study_location, "R1")
    for entry in queue[:2]:
        for dimension in DIMENSIONS:
            rating.set_score(study_location, entry.code, dimension, 3, "R1")
        rating.submit_rating(study_location, entry.code, "R1")
    rating.set_score(study_location, queue[2].code, "warmth", 2, "R1")
    r1, r2 = rater_progress(study_location)
    assert (r1.rater, r1.items, r1.submitted, r1.in_progress) == ("R1", 4, 2, 1)
    assert r1.last_change is not None and r1.last_change >= before.replace(microsecond=0)
    assert (r2.submitted, r2.in_progress, r2.last_change) == (0, 0, None)
