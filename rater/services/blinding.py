"""User action: blind a study (`rater study blind`).

Every recording gets an opaque code, and the raters' copy of its audio is made with the
re-encoder: one format, sample rate and channel count, no tags, optional loudness
normalisation, redacted ranges replaced. Originals are never touched. Running it again keeps
the codes and re-makes only the copies whose inputs (original, redactions, settings) changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from rater.audio.copies import draw_padding, pack_copy
from rater.audio.reencode import reencode
from rater.audio.source import probe
from rater.core.blind_codes import new_code
from rater.core.errors import Problem, RaterError
from rater.core.files import sha256_of
from rater.core.redactions_csv import parse_redactions_csv
from rater.services.session import actor_name, open_store
from rater.storage.engine import describe, study_url

Progress = Callable[[int, int, str], None]
DEFAULT_SAMPLE_RATE = 24000
DEFAULT_CHANNELS = 1
DEFAULT_LUFS = -23.0  # EBU R128: evens out recorders that are louder in one group


@dataclass
class BlindReport:
    folder: str
    codes_added: int = 0
    made: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"folder": self.folder, "codes_added": self.codes_added,
                "copies_made": len(self.made), "copies_unchanged": len(self.unchanged)}


def blind_folder(study: str) -> Path:
    """Where the raters' copies go: beside a study file; for a server study, RATER_BLIND_DIR."""
    location = describe(study_url(study))
    if "://" not in location:
        path = Path(location)
        return path.with_name(path.stem + "-blinded")
    folder = os.environ.get("RATER_BLIND_DIR")
    if not folder:
        raise RaterError(Problem("a server study needs a folder for the raters' audio copies",
                                 "blind", "give --out DIR (or set RATER_BLIND_DIR)"))
    return Path(folder)


def blind_study(study: str, *, redactions_csv: Path | None = None, out: Path | None = None,
                sample_rate: int = DEFAULT_SAMPLE_RATE, channels: int = DEFAULT_CHANNELS,
                lufs: float | None = DEFAULT_LUFS, workers: int | None = None,
                progress: Progress | None = None) -> BlindReport:
    folder = out or blind_folder(study)
    _prepare_folder(folder)
    with open_store(study) as store:
        recordings = store.recordings(None)
        if not recordings:
            raise RaterError(Problem("the study has no recordings", "blind",
                                     "import recordings first with 'rater study import'"))
        if redactions_csv:
            store.replace_redactions(_read_redactions(redactions_csv, recordings), actor_name())
        store.set_blinding(sample_rate, channels, lufs)
        report = BlindReport(folder=str(folder))
        report.codes_added = store.assign_blind_codes(new_code, actor_name())
        recordings = store.recordings(None)
        settings = {"sample_rate": sample_rate, "channels": channels, "lufs": lufs}
        ranges = store.redactions()
        jobs = []
        for recording in recordings:
            inputs = _inputs_digest(recording.sha256, ranges.get(recording.id, []), settings)
            target = folder / f"{recording.blind_code}.flac"
            if (recording.blind_inputs == inputs and target.is_file()
                    and recording.blind_path == str(target)):
                report.unchanged.append(recording.blind_code)
            else:
                jobs.append((recording, target, inputs))
        _make_copies(store, jobs, ranges, settings, report, workers, progress)
        return report


# The re-encoder's temporary copy of CODE.flac: ".CODE.flac.<random>.part.flac" (and ".strip").
_STALE_COPY = re.compile(r"^\.[^/\\]+\.flac\.[A-Za-z0-9_]+\.part\.(flac|strip)$")


def _prepare_folder(folder: Path) -> None:
    """Make the folder, check it takes a file, and remove the half-made copies a killed run
    left (only ours, by their name); before the study is touched, so an error changes nothing."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".rater-probe-"):
            pass
    except OSError as exc:
        raise RaterError(Problem(
            f"cannot write the blinded copies here ({exc.strerror or exc})", str(folder),
            "give --out a folder you can write to (it is made if missing)")) from None
    for entry in folder.iterdir():
        if _STALE_COPY.match(entry.name) and entry.is_file():
            entry.unlink(missing_ok=True)


def _read_redactions(path: Path, recordings) -> dict[int, list[tuple[float, float, str, str]]]:
    try:
        rows = parse_redactions_csv(path.read_bytes(), str(path))
    except OSError as exc:
        raise RaterError(Problem(f"cannot read the redactions file ({exc.strerror})", str(path),
                                 "check the path given to --redactions")) from None
    by_name = {r.original_name: r for r in recordings}
    by_name |= {r.blind_code: r for r in recordings if r.blind_code}
    problems, ranges = [], {}
    for row in rows:
        recording = by_name.get(row.recording)
        where = f"{path}:{row.line}"
        if recording is None:
            problems.append(Problem(f"no recording '{row.recording}' in the study", where,
                                    "use the file name as imported, or the blind code"))
        elif row.end_s > recording.duration_s:
            problems.append(Problem(f"the range ends at {row.end_s:g} s, after the recording "
                                    f"({recording.duration_s:.1f} s)", where,
                                    "check the times against the recording"))
        else:
            ranges.setdefault(recording.id, []).append((row.start_s, row.end_s, row.mode,
                                                        row.reason))
    if problems:
        raise RaterError(problems)
    return ranges


def _inputs_digest(original_sha256: str, ranges: list, settings: dict) -> str:
    text = json.dumps([original_sha256, sorted(ranges), settings], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _copy_one(source: str, target: str, ranges: list, settings: dict) -> tuple[str, int, float]:
    """Runs in a worker process: re-encode, add room tone at both ends, checksum the copy.

    The room tone (20–90 ms at each end, drawn at random: `audio.copies.pack_copy`) is added
    here, once, to every copy, so that a pack can carry the copies as they are and re-encode
    only its re-tests, which get padding of their own (a length their first presentation
    never has), without the padding itself marking them out."""
    reencode(source, target, sample_rate=settings["sample_rate"], channels=settings["channels"],
             normalise_lufs=settings["lufs"], redactions=[(a, b, mode) for a, b, mode in ranges])
    path = Path(target)
    padded = path.with_name(f".{path.stem}.padding.part.flac")
    pack_copy(path, padded, *draw_padding(settings["sample_rate"], []))
    padded.replace(path)
    info = probe(path)
    return sha256_of(path), path.stat().st_size, info.frames / info.sample_rate


def _make_copies(store, jobs, ranges, settings, report, workers, progress) -> None:
    """Re-encode in parallel, one process per core; each finished copy is recorded at once."""
    if not jobs:
        return
    problems = []
    with ProcessPoolExecutor(max_workers=workers or os.cpu_count() or 1) as pool:
        futures = {pool.submit(_copy_one, r.source_path, str(target), ranges.get(r.id, []),
                               settings): (r, target, inputs) for r, target, inputs in jobs}
        for done, future in enumerate(as_completed(futures), start=1):
            recording, target, inputs = futures[future]
            try:
                sha, size, duration = future.result()
            except RaterError as exc:
                problems.extend(exc.problems)
                continue
            store.record_blind_copy(recording.id, path=str(target), sha256=sha,
                                    size_bytes=size, duration_s=duration, inputs=inputs)
            report.made.append(recording.blind_code)
            if progress:
                progress(done, len(jobs), recording.blind_code)
    if problems:
        raise RaterError(problems)


def set_blinding_check(study: str, field: str | None) -> list[str]:
    """Ask raters, after each submitted rating, which group of `field` they think the
    recording came from (None: stop asking). Returns the group labels they will be offered."""
    with open_store(study) as store:
        if field is None:
            store.set_guess_check(None, [], actor_name())
            return []
        fields = store.metadata_fields()
        if field not in fields:
            raise RaterError(Problem(f"no metadata field '{field}'", "--field",
                                     f"choose one of: {', '.join(fields) or '(none imported)'}"))
        labels = sorted(set(store.metadata_values(field).values()))
        if len(labels) != 2:
            raise RaterError(Problem(f"'{field}' has {len(labels)} groups; the blinding indices "
                                     "need exactly two", "--field", "choose a two-group field"))
        store.set_guess_check(field, labels, actor_name())
        return labels
