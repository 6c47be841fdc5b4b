"""User action: check that nothing a rater can perceive predicts a hidden field
(`rater study audit-leaks`)."""

from __future__ import annotations

import os
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from rater.audio.copies import pack_copy
from rater.audio.features import perceivable_features
from rater.audio.source import probe
from rater.core.errors import Problem, RaterError
from rater.core.leak_audit import audit
from rater.core.pack_audio import FLAC, PackAudioSpec
from rater.services.session import open_store


def audit_leaks(study: str, by: str, seed: int = 0, audio: PackAudioSpec = FLAC) -> dict:
    """The raters' copies audited against the hidden field `by` (and, for comparison, the
    originals' stored facts: what blinding evened out).

    With `audio` Opus, what is audited is what a rater receives: each blinded copy encoded as
    a pack encodes it (in a temporary folder), its size and length included."""
    with open_store(study) as store:
        fields = store.metadata_fields()
        if by not in fields:
            raise RaterError(Problem(f"no metadata field '{by}'", "--by",
                                     f"choose one of: {', '.join(fields) or '(none imported)'}"))
        values = store.metadata_values(by)
        recordings = [r for r in store.recordings("study") if r.id in values]
    if len(recordings) < 2:
        raise RaterError(Problem(f"fewer than two recordings have a value for '{by}'", "--by",
                                 "import the recordings' metadata first"))
    missing = [r.original_name for r in recordings
               if not r.blind_path or not Path(r.blind_path).is_file()]
    if missing:
        raise RaterError(Problem(f"{len(missing)} recording(s) have no raters' copy", "audit",
                                 "run 'rater study blind' first"))
    groups = [values[r.id] for r in recordings]
    copies = [Path(r.blind_path) for r in recordings]
    with tempfile.TemporaryDirectory() as scratch, \
            ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        measured = list(pool.map(_measure, copies, [Path(scratch)] * len(copies),
                                 [audio] * len(copies)))
    after_numeric = {}
    for name in measured[0][0]:
        after_numeric[name] = [m[0][name] for m in measured]
    after_categorical = {name: [m[1][name] for m in measured] for name in measured[0][1]}
    before = audit(groups, {"duration_s": [r.duration_s for r in recordings],
                            "size_bytes": [r.size_bytes for r in recordings]},
                   {"format": [f"{r.format}/{r.subtype}" for r in recordings],
                    "sample_rate": [str(r.sample_rate) for r in recordings],
                    "channels": [str(r.channels) for r in recordings]}, seed)
    return {"by": by, "recordings": len(recordings), "audio": str(audio),
            "raters_copies": audit(groups, after_numeric, after_categorical, seed),
            "originals": before}


def _measure(copy: Path, scratch: Path, audio: PackAudioSpec) -> tuple[dict, dict]:
    """What a rater can perceive of one copy: its length, size, sound and format."""
    if audio != FLAC:
        encoded = scratch / f"{copy.stem}{audio.suffix}"
        pack_copy(copy, encoded, 0, 0, audio)
        copy = encoded
    info = probe(copy)
    numeric = {"duration_s": info.frames / info.sample_rate, "size_bytes": copy.stat().st_size,
               **perceivable_features(copy)}
    return numeric, {"format": f"{info.format}/{info.subtype}",
                     "sample_rate": str(info.sample_rate), "channels": str(info.channels)}
