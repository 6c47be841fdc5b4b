"""User action: import a batch of recordings and their private metadata into a study."""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from rater.audio.source import probe_exact
from rater.core.errors import Problem, RaterError
from rater.core.files import sha256_of
from rater.core.metadata_csv import MetadataRow, MetadataTable, parse_metadata_csv
from rater.services.session import actor_name, open_store
from rater.storage.repository import NewRecording

Progress = Callable[[int, int, str], None]


@dataclass
class ImportReport:
    added: list[str] = field(default_factory=list)
    already_present: list[str] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"added": len(self.added), "already_present": len(self.already_present),
                "skipped": [str(p) for p in self.skipped]}


def import_recordings(study: str, audio_dir: Path, metadata_csv: Path, *,
                      hidden: list[str] | None = None, skip_bad: bool = False,
                      progress: Progress | None = None) -> ImportReport:
    """Probe every listed file, then store all of them in one transaction.

    With any problem, nothing is stored and a RaterError lists every problem (file and CSV line),
    unless `skip_bad` is set: then the good files are stored and the problems reported.
    """
    table = _read_metadata(metadata_csv)
    hidden_flags = _hidden_flags(table, hidden)
    if not audio_dir.is_dir():
        raise RaterError(Problem("the audio folder does not exist", str(audio_dir),
                                 "give the folder that holds the files named in the CSV"))
    with open_store(study) as store:
        known = store.known_checksums()
        probed, problems = _probe_all(table, audio_dir, progress)
        probed, twins = _one_per_checksum(probed, table.source)
        problems = sorted([*table.problems, *problems, *twins], key=_line_of)
        if problems and not skip_bad:
            raise RaterError(problems)
        report = ImportReport(skipped=problems)
        new = []
        for recording in probed:
            if recording.sha256 in known:
                report.already_present.append(recording.original_name)
            else:
                known.add(recording.sha256)
                new.append(recording)
                report.added.append(recording.original_name)
        if new:
            store.add_recordings(new, hidden_flags, actor_name(), {
                "metadata": str(metadata_csv), "audio": str(audio_dir),
                "skipped": len(problems), "already_present": len(report.already_present)})
        return report


def _one_per_checksum(probed: list[tuple[int, NewRecording]], source: str):
    """Byte-identical files in one batch are one recording: listing it twice is a problem on
    the later line, naming the first (and the differing metadata, if any, so none is lost)."""
    first: dict[str, tuple[int, NewRecording]] = {}
    kept, problems = [], []
    for line, recording in probed:
        first_line, earlier = first.setdefault(recording.sha256, (line, recording))
        if earlier is recording:
            kept.append(recording)
            continue
        where = f"{source}:{line}"
        differ = [name for name, value in recording.metadata.items()
                  if earlier.metadata.get(name) != value]
        if differ:
            what = (f"'{recording.original_name}' is the same audio as '{earlier.original_name}' "
                    f"({source}:{first_line}) but its {', '.join(map(repr, differ))} differs")
            fix = "one recording has one set of metadata: correct the wrong line or remove it"
        else:
            what = (f"'{recording.original_name}' is the same audio as '{earlier.original_name}' "
                    f"({source}:{first_line}): the recording is listed twice")
            fix = "list each recording once"
        problems.append(Problem(what, where, fix))
    return kept, problems


def _line_of(problem: Problem) -> int:
    return int(problem.where.rsplit(":", 1)[1])


def _read_metadata(path: Path) -> MetadataTable:
    if path.is_dir():
        raise RaterError(Problem("the metadata path is a folder, not a file", str(path),
                                 "give the CSV file itself to --metadata"))
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RaterError(Problem(f"cannot read the metadata file ({exc.strerror})", str(path),
                                 "check the path given to --metadata")) from None
    return parse_metadata_csv(data, str(path))


def _hidden_flags(table: MetadataTable, hidden: list[str] | None) -> dict[str, bool]:
    """All metadata columns are hidden unless --hidden names a subset."""
    if hidden is None:
        return {name: True for name in table.fields}
    unknown = [name for name in hidden if name not in table.fields]
    if unknown:
        raise RaterError(Problem(
            f"--hidden names {', '.join(map(repr, unknown))}, which the CSV does not have",
            table.source, f"choose from: {', '.join(table.fields) or '(no metadata columns)'}"))
    return {name: name in hidden for name in table.fields}


def _probe_all(table: MetadataTable, audio_dir: Path, progress: Progress | None):
    """Checksum and probe every file, two at a time (the work is I/O and C code)."""
    done = 0
    probed, problems = [], []
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        for row, result in zip(table.rows, pool.map(lambda r: _probe_one(r, audio_dir, table),
                                                    table.rows), strict=True):
            done += 1
            if progress:
                progress(done, len(table.rows), row.file)
            if isinstance(result, Problem):
                problems.append(result)
            else:
                probed.append((row.line, result))
    return probed, problems


def _probe_one(row: MetadataRow, audio_dir: Path, table: MetadataTable):
    where = f"{table.source}:{row.line}"
    try:
        return _probe_path(row, audio_dir, where)
    except OSError as exc:  # e.g. a name too long for the file system
        return Problem(f"cannot read '{row.file[:80]}' ({exc.strerror})", where,
                       "check the name in the 'file' column")


def _probe_path(row: MetadataRow, audio_dir: Path, where: str):
    path = audio_dir / row.file
    if path.is_dir():
        return Problem(f"'{row.file}' is a folder, not a file", where,
                       "name the audio file itself in the 'file' column")
    if not path.is_file():
        return Problem(f"audio file '{row.file}' not found in {audio_dir}", where,
                       "check the name in the 'file' column, or add the file")
    size = path.stat().st_size
    if size == 0:
        return Problem(f"audio file '{row.file}' is empty (0 bytes)", where,
                       "replace it with the complete recording")
    try:
        info = probe_exact(path)
        checksum = sha256_of(path)
    except RaterError as exc:
        return Problem(f"'{row.file}': {exc.problems[0].what}", where, exc.problems[0].fix)
    except OSError as exc:
        return Problem(f"cannot read '{row.file}' ({exc.strerror})", where,
                       "check the file's permissions")
    return NewRecording(
        original_name=row.file, source_path=str(path.resolve()), sha256=checksum,
        size_bytes=size, format=info.format, subtype=info.subtype,
        sample_rate=info.sample_rate, channels=info.channels, frames=info.frames,
        duration_s=info.duration_s, metadata=row.values)
