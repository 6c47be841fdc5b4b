"""The blinded audio of a shared study on its server (issue 17, decision 1705).

The researcher uploads it once (`upload_audio`, `rater server upload-audio URL`): one copy per
blind code in any rater's queue, made as a pack makes it (`audio.copies`): a recording's own
code gets its blinded copy, a re-test's code a copy with room tone of its own at both ends, so
no two codes a rater holds are byte-identical or of equal length. A rater's computer fetches
the codes of its queue into a local cache (`services.audio_cache`).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from rater.audio.copies import draw_padding, pack_copy
from rater.audio.source import probe
from rater.core.errors import Problem, RaterError
from rater.core.files import sha256_of
from rater.core.pack_audio import FLAC, PackAudioSpec
from rater.services.session import open_store
from rater.storage.audio_store import AudioItem, CodeAudio, codes_to_store, store_item, stored_codes
from rater.storage.engine import describe, study_url
from rater.storage.server_store import require_postgres


def upload_audio(study: str, audio: PackAudioSpec = FLAC) -> dict:
    """Upload the audio of every blind code that has none on the server yet. Each code is one
    transaction, so an interrupted upload is resumed by running it again; codes already there
    are left as they are (run it again after allocating more work)."""
    url = study_url(study)
    require_postgres(url)
    with open_store(url) as store:
        plan = codes_to_store(store)
        missing = sorted({c.code for c in plan if not c.blind_path
                          or not Path(c.blind_path).is_file()})
        if missing:
            raise RaterError(Problem(f"{len(missing)} blind code(s) have no raters' copy on "
                                     "this computer", describe(url),
                                     "run 'rater study blind' here first (or upload from the "
                                     "computer that holds the blinded copies)"))
        done = stored_codes(store.engine)
        uploaded = 0
        with tempfile.TemporaryDirectory(prefix="rater-upload-") as scratch:
            for code, source, pads in _copies(plan):
                if code in done:
                    continue
                path = _made(source, Path(scratch) / f"{code}{audio.suffix}", pads, audio)
                item = AudioItem(code, path.stat().st_size, sha256_of(path), audio.codec,
                                 probe(path).duration_s)
                store_item(store.engine, item, path)
                if path != source:
                    path.unlink()
                uploaded += 1
    return {"study": describe(url), "codes": len({c.code for c in plan}), "uploaded": uploaded,
            "already_there": len(done & {c.code for c in plan}), "audio": str(audio)}


def _copies(plan: list[CodeAudio]):
    """(code, blinded copy, padding or None) per code: a recording's own code as it is, each
    re-test's with padding at least MIN_PAD_GAP_MS away from the others' (`draw_padding`)."""
    taken: dict[int, list[int]] = {}
    rates: dict[int, int] = {}
    for item in plan:
        source = Path(item.blind_path)
        if item.first:
            yield item.code, source, None
            continue
        rate = rates.setdefault(item.recording_id, probe(source).sample_rate)
        yield item.code, source, draw_padding(rate, taken.setdefault(item.recording_id, [0]))


def _made(source: Path, target: Path, pads: tuple[int, int] | None,
          audio: PackAudioSpec) -> Path:
    """The file to upload: the blinded copy itself (FLAC, a recording's own code) or a copy."""
    if pads is None and audio == FLAC:
        return source
    pack_copy(source, target, *(pads or (0, 0)), audio)
    return target
