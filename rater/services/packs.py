"""User actions around rater packs: issue one, open one to rate, return one, import returns."""

from __future__ import annotations

import json
import os
import tempfile
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

from rater.audio.copies import draw_padding, pack_copy
from rater.audio.source import probe
from rater.core import pack_format as fmt
from rater.core.codebook.hidden_names import hidden_values_named
from rater.core.errors import Problem, RaterError
from rater.core.files import sha256_of
from rater.core.pack_audio import FLAC, PackAudioSpec
from rater.core.scratch import promote, scratch_folder
from rater.services.session import actor_name, open_store
from rater.storage.pack_check import check_rater_database
from rater.storage.rater_copy import (
    PackAudio,
    issued_to,
    next_return_sequence,
    rater_queue,
    record_issue,
    snapshot_database,
    write_rater_copy,
)
from rater.storage.returns import apply_return, read_rater_work

WORK_FILE = "study.rater"
KEY_FILE = "key"
MANIFEST_FILE = "manifest.json"


# -- the researcher issues a pack ------------------------------------------------------------

def export_pack(study: str, rater: str, out: Path, audio: PackAudioSpec = FLAC) -> dict:
    """Write one rater's pack: blinded audio, codebook, queue and their work so far.

    `audio`: FLAC carries the blinded copies as they are; Opus encodes every item of the pack
    the same way (a fifth of the size at 32 kbit/s), the blinded FLAC staying the master.

    `out` must be a file name in an existing folder: Rater does not create folders, so a
    mistyped path (a USB stick that is not mounted) is an error, not a pack written elsewhere.
    """
    _check_out(out)
    with open_store(study) as store:
        record = store.study()
        if record.mode != "research":
            raise RaterError(Problem("packs are issued from the researcher's study", study,
                                     "open the research study, not a rater's copy"))
        queue = rater_queue(store, rater)
        if not queue:
            raise RaterError(Problem(f"rater '{rater}' has nothing to rate", "--rater",
                                     "allocate work first ('rater study allocate')"))
        _refuse_hidden_names_in_codebook(store)
        missing = [q.code for q in queue if not q.blind_path or not Path(q.blind_path).is_file()]
        if missing:
            raise RaterError(Problem(f"{len(missing)} recording(s) have no raters' copy",
                                     "export", "run 'rater study blind' first"))
        pack_id = uuid.uuid4().hex
        with scratch_folder(out.parent, "export") as scratch:
            members, facts = _pack_audio(queue, scratch, audio)
            database = scratch / WORK_FILE
            write_rater_copy(store, rater, queue, facts, database)
            members[fmt.DATABASE] = database
            key = fmt.derive_key(record.secret, record.pack_id, rater, pack_id)
            manifest = fmt.Manifest(record.pack_id, rater, pack_id, "issued", 0)
            known = {item.member: item.sha256 for item in facts.values()}
            signature = fmt.write_pack(out, manifest, key, members, include_key=True,
                                       known=known)
        record_issue(store, rater, pack_id, signature, len(queue), actor_name())
        return {"pack": str(out), "rater": rater, "items": len(queue), "audio": str(audio),
                "size_bytes": out.stat().st_size}


def _refuse_hidden_names_in_codebook(store) -> None:
    """The codebook (brief, rules, anchors) goes into every pack: it must not name a hidden
    value that tells recordings apart."""
    hidden = {field: list(store.metadata_values(field).values())
              for field, is_hidden in store.metadata_fields().items() if is_hidden}
    named = hidden_values_named(store.codebook_text(), hidden)
    if named:
        listed = ", ".join(f"{value!r} ({field})" for field, value in named)
        raise RaterError(Problem(
            f"the study's codebook names hidden information: {listed}; every rater's pack "
            "carries the codebook", "codebook (brief, rules or anchors)",
            "remove those words from the codebook, then create the study again with it "
            "(rater study init --codebook FILE.toml)"))


def _check_out(out: Path) -> None:
    """Where a pack is to be written: a file name (not a folder) in a folder that exists."""
    if out.is_dir():
        raise RaterError(Problem(f"'{out}' is a folder", str(out),
                                 f"give a file name for the pack, e.g. {out / 'R1.raterpack'}"))
    if not out.parent.is_dir():
        raise RaterError(Problem(f"the folder '{out.parent}' does not exist", str(out),
                                 "create the folder first, or choose an existing one"))
    if not os.access(out.parent, os.W_OK):
        raise RaterError(Problem(f"the folder '{out.parent}' cannot be written to", str(out),
                                 "choose a folder you can write to"))


def _pack_audio(queue, scratch: Path, audio: PackAudioSpec):
    """The audio members. In FLAC, each recording's blinded copy as it is (blinding padded it
    with room tone), and for each further presentation of it (a re-test) a copy with padding
    of its own, so its length differs from the first (`audio.copies.pack_copy` says why). In
    Opus, every item is encoded, re-tests with padding of their own. Encoded in parallel."""
    taken: dict[int, list[int]] = {}
    jobs = []
    for item in queue:
        source = Path(item.blind_path)
        copies = taken.setdefault(item.recording_id, [])
        target = scratch / f"{item.code}{audio.suffix}"
        if not copies:
            copies.append(0)  # the blinded copy itself: no padding beyond blinding's
            copy_as_is = audio == FLAC
            jobs.append((item.code, source, source if copy_as_is else target,
                         None if copy_as_is else (0, 0), audio))
            continue
        pads = draw_padding(probe(source).sample_rate, copies)
        jobs.append((item.code, source, target, pads, audio))
    workers = max(1, min(len(jobs), os.cpu_count() or 1))
    with ThreadPoolExecutor(workers) as pool:
        facts = list(pool.map(lambda job: _member(*job), jobs))
    return {f.member: path for f, path in facts}, {f.code: f for f, _path in facts}


def _member(code: str, source: Path, target: Path, pads: tuple[int, int] | None,
            audio: PackAudioSpec) -> tuple[PackAudio, Path]:
    if pads is not None:
        pack_copy(source, target, *pads, audio)
    info = probe(target)
    facts = PackAudio(code, f"audio/{code}{audio.suffix}", sha256_of(target),
                      target.stat().st_size, info.format, info.subtype, info.sample_rate,
                      info.channels, info.frames)
    return facts, target


# -- the rater opens a pack and returns their work ----------------------------------------------

def unpack_for_rating(pack: Path, workspace: Path) -> Path:
    """Unpack an issued pack into the rater's workspace (once); return its working folder.

    Opening the same pack again returns the same folder with the work already done in it. The
    folder is named by the pack id, which must be 32 hexadecimal digits: nothing from a pack
    becomes a path unchecked. The pack is unpacked into a locked scratch folder (leftovers of a
    killed run are swept), verified there, and only then renamed into place.
    """
    where = str(pack)
    manifest = fmt.peek_manifest(pack)
    if manifest.kind != "issued":
        raise RaterError(Problem("this is a returned pack, not one to rate", where,
                                 "open the pack the researcher sent you"))
    folder = workspace / manifest.pack
    if (folder / WORK_FILE).is_file():
        return folder
    workspace.mkdir(parents=True, exist_ok=True)
    with scratch_folder(workspace, "open") as partial:
        opened = fmt.read_pack(pack, into=partial)
        if opened.manifest != manifest or not opened.verify(opened.key):
            raise RaterError(Problem("the pack is damaged (its contents do not match its "
                                     "signature)", where,
                                     "ask the researcher to send the pack again"))
        audio = {name for name in opened.hashes if fmt.AUDIO_MEMBER.fullmatch(name)}
        check_rater_database(partial / WORK_FILE, where, audio)
        (partial / KEY_FILE).write_bytes(opened.members[fmt.KEY])
        (partial / MANIFEST_FILE).write_bytes(opened.members[fmt.MANIFEST])
        promote(partial, folder)
    if not (folder / WORK_FILE).is_file():
        raise RaterError(Problem(f"a folder '{folder.name}' without a rater's work is in the way",
                                 str(workspace), "move that folder away and open the pack again"))
    return folder


def return_pack(folder: Path, out: Path) -> dict:
    """Write the rater's return pack from their working folder: their work, signed, no audio."""
    _check_out(out)
    manifest = json.loads((folder / MANIFEST_FILE).read_bytes())
    key = bytes.fromhex((folder / KEY_FILE).read_text())
    with open_store(str(folder / WORK_FILE)) as store:
        sequence = next_return_sequence(store, manifest["rater"])
    with scratch_folder(out.parent, "return") as scratch:
        snapshot = scratch / WORK_FILE
        snapshot_database(folder / WORK_FILE, snapshot)
        returned = fmt.Manifest(manifest["study"], manifest["rater"], manifest["pack"],
                                "return", sequence)
        fmt.write_pack(out, returned, key, {fmt.DATABASE: snapshot}, include_key=False)
    return {"pack": str(out), "sequence": sequence}


# -- the researcher imports returns -------------------------------------------------------------

def import_packs(study: str, packs: list[Path]) -> list[dict]:
    """Import returned packs, each on its own and all-or-nothing; one pack's refusal does not
    stop the others. Each outcome is a dict with `status` "imported" (with counts), "already
    imported", or "refused" (with `problem`: what is wrong, and how to fix it)."""
    results = []
    for pack in packs:
        try:
            results.append(import_pack(study, pack))
        except RaterError as exc:
            results.append({"pack": str(pack), "status": "refused",
                            "problem": "; ".join(str(p) for p in exc.problems)})
    return results


def import_pack(study: str, pack: Path) -> dict:
    """Import one returned pack, all or nothing; refuse tampered, foreign, wrong-rater and older
    packs with a clear message (RaterError). Importing the same pack twice changes nothing."""
    where = str(pack)
    opened = fmt.read_pack(pack)
    manifest = opened.manifest
    with open_store(study) as store:
        _check_origin(store, opened, where)
        result = apply_return(store, rater=manifest.rater, pack=manifest.pack,
                              sequence=manifest.sequence, signature=opened.signature,
                              returned=_read_work(opened, where), where=where,
                              actor=actor_name())
        return {"pack": where, "rater": manifest.rater, **result}


def _check_origin(store, opened: fmt.OpenedPack, where: str) -> None:
    manifest, record = opened.manifest, store.study()
    if manifest.study != record.pack_id:
        raise RaterError(Problem("this pack belongs to another study", where,
                                 "import it into the study that issued it"))
    if manifest.kind != "return":
        raise RaterError(Problem("this is the pack as issued, not a return", where,
                                 "import the pack the rater sent back ('Return ratings…')"))
    issued = issued_to(store, manifest.pack)
    if issued is None:
        raise RaterError(Problem("this study never issued this pack", where,
                                 "import returns of packs exported from this study"))
    if issued != manifest.rater:
        raise RaterError(Problem(f"the pack claims rater '{manifest.rater}' but was issued to "
                                 f"'{issued}'", where,
                                 "ask the rater to return their own pack; nothing was changed"))
    key = fmt.derive_key(record.secret, record.pack_id, manifest.rater, manifest.pack)
    if not opened.verify(key):
        raise RaterError(Problem("the pack was altered after the rater returned it (signature "
                                 "does not match)", where,
                                 "ask the rater to return the pack again; nothing was changed"))


def _read_work(opened: fmt.OpenedPack, where: str) -> dict:
    """The returned work, from the database streamed out of the (verified) pack; any problem
    with it names the pack, not the temporary file."""
    with tempfile.TemporaryDirectory() as scratch:
        database = Path(scratch) / WORK_FILE
        opened.extract(fmt.DATABASE, database)
        check_rater_database(database, where)
        try:
            return read_rater_work(database, where)
        except RaterError as error:
            raise RaterError([replace(p, where=where) if p.where == str(database) else p
                              for p in error.problems]) from None
