"""Importing recordings: every scenario of issue 2, on SQLite and PostgreSQL."""

from __future__ import annotations

import shutil

import pytest
import soundfile as sf
from audio_files import write_audio

from rater.core.errors import RaterError
from rater.services.importing import import_recordings
from rater.services.study import init_study, study_info

FORMATS = {"a.wav": {}, "b.flac": {}, "c.ogg": {}, "d.mp3": {}, "e.opus.ogg": {"subtype": "OPUS"}}


@pytest.fixture
def study(study_location):
    init_study(study_location)
    return study_location


@pytest.fixture
def audio_dir(tmp_path):
    folder = tmp_path / "audio"
    for number, (name, options) in enumerate(FORMATS.items()):
        rate = 48000 if options.get("subtype") == "OPUS" else 16000
        write_audio(folder / name, seconds=1.0 + number, rate=rate, freq=300 + 50 * number,
                    **options)
    return folder


def write_csv(path, lines, encoding="utf-8"):
    path.write_bytes("\n".join(lines).encode(encoding) + b"\n")
    return path


@pytest.fixture
def metadata(tmp_path):
    lines = ["file,la,worker,timepoint"] + [
        f"{name},LA{1 + i % 2},W{i:02d},T1" for i, name in enumerate(FORMATS)]
    return write_csv(tmp_path / "metadata.csv", lines)


def test_import_probes_every_format_and_stores_hidden_metadata(study, audio_dir, metadata):
    report = import_recordings(study, audio_dir, metadata)
    assert sorted(report.added) == sorted(FORMATS)
    info = study_info(study)
    assert info["recordings"] == len(FORMATS)
    assert info["metadata_fields"] == [{"name": n, "hidden": True}
                                       for n in ("la", "worker", "timepoint")]
    assert info["blinded"] == 0


def test_probe_facts_are_exact(study, audio_dir, metadata):
    from sqlalchemy import select

    from rater.services.session import open_store
    from rater.storage.schema import Recording

    import_recordings(study, audio_dir, metadata)
    with open_store(study) as store, store.transaction() as session:
        rows = {r.original_name: r for r in session.scalars(select(Recording))}
    wav = rows["a.wav"]
    assert (wav.format, wav.sample_rate, wav.channels, wav.frames) == ("WAV", 16000, 1, 16000)
    assert wav.duration_s == pytest.approx(1.0)
    flac = rows["b.flac"]
    assert flac.frames == sf.info(str(audio_dir / "b.flac")).frames == 32000
    assert rows["e.opus.ogg"].subtype == "OPUS"
    mp3 = rows["d.mp3"]
    decoded = len(sf.read(str(audio_dir / "d.mp3"))[0])
    assert mp3.frames == decoded  # the exact length, not the header's estimate
    import hashlib

    assert wav.sha256 == hashlib.sha256((audio_dir / "a.wav").read_bytes()).hexdigest()


def test_reimporting_the_same_files_changes_nothing(study, audio_dir, metadata):
    import_recordings(study, audio_dir, metadata)
    again = import_recordings(study, audio_dir, metadata)
    assert again.added == []
    assert sorted(again.already_present) == sorted(FORMATS)
    assert study_info(study)["recordings"] == len(FORMATS)


def test_a_renamed_copy_is_recognised_by_its_checksum(study, audio_dir, metadata, tmp_path):
    import_recordings(study, audio_dir, metadata)
    shutil.copy(audio_dir / "a.wav", audio_dir / "copy-of-a.wav")
    csv = write_csv(tmp_path / "more.csv", ["file,la,worker,timepoint", "copy-of-a.wav,LA1,W9,T2"])
    report = import_recordings(study, audio_dir, csv)
    assert report.already_present == ["copy-of-a.wav"]


@pytest.fixture
def broken(tmp_path, audio_dir):
    """A batch with one of every problem, and one good file."""
    (audio_dir / "empty.wav").write_bytes(b"")
    (audio_dir / "corrupt.flac").write_bytes(b"fLaC" + b"\x00garbage" * 50)
    (audio_dir / "notes.txt").write_text("this is not audio")
    lines = [
        "file,la,worker",
        "a.wav,LA1,W01",          # line 2: good
        "missing.wav,LA1,W02",    # line 3: not found
        "a.wav,LA1,W03",          # line 4: listed twice
        "empty.wav,LA2,W04",      # line 5: empty file
        "corrupt.flac,LA2,W05",   # line 6: corrupt audio
        "notes.txt,LA2,W06",      # line 7: not audio at all
        ",LA2,W07",               # line 8: no file name
        "b.flac,LA2",             # line 9: a value missing
    ]
    return write_csv(tmp_path / "broken.csv", lines)


EXPECTED_PROBLEMS = {3: "not found", 4: "listed twice", 5: "empty", 6: "corrupt.flac",
                     7: "notes.txt", 8: "empty", 9: "2 values for 3 columns"}


def test_every_problem_is_reported_at_once_with_its_line_and_nothing_is_imported(
        study, audio_dir, broken):
    with pytest.raises(RaterError) as caught:
        import_recordings(study, audio_dir, broken)
    by_line = {int(p.where.rsplit(":", 1)[1]): p for p in caught.value.problems}
    assert set(by_line) == set(EXPECTED_PROBLEMS)
    for line, words in EXPECTED_PROBLEMS.items():
        assert words in by_line[line].what, by_line[line]
        assert by_line[line].fix, f"line {line} says how to fix it"
    assert study_info(study)["recordings"] == 0


def test_skip_bad_imports_the_good_files_and_lists_the_rest(study, audio_dir, broken):
    report = import_recordings(study, audio_dir, broken, skip_bad=True)
    assert report.added == ["a.wav"]
    assert [int(p.where.rsplit(":", 1)[1]) for p in report.skipped] == sorted(EXPECTED_PROBLEMS)
    assert study_info(study)["recordings"] == 1


def test_bad_encoding_names_line_and_column(study, audio_dir, tmp_path):
    csv = write_csv(tmp_path / "latin1.csv", ["file,worker", "a.wav,Zoë"], encoding="latin-1")
    with pytest.raises(RaterError) as caught:
        import_recordings(study, audio_dir, csv)
    problem = caught.value.problems[0]
    assert "UTF-8" in problem.what and problem.where.endswith(":2:9")


def test_missing_file_column_is_reported(study, audio_dir, tmp_path):
    csv = write_csv(tmp_path / "m.csv", ["path,la", "a.wav,LA1"])
    with pytest.raises(RaterError, match="no 'file' column"):
        import_recordings(study, audio_dir, csv)


def test_bom_and_windows_line_endings_are_fine(study, audio_dir, tmp_path):
    csv = tmp_path / "excel.csv"
    csv.write_bytes("\ufefffile,la\r\na.wav,LA1\r\n".encode())
    assert import_recordings(study, audio_dir, csv).added == ["a.wav"]


def test_hidden_subset_leaves_other_columns_visible(study, audio_dir, metadata):
    import_recordings(study, audio_dir, metadata, hidden=["la", "worker"])
    fields = {f["name"]: f["hidden"] for f in study_info(study)["metadata_fields"]}
    assert fields == {"la": True, "worker": True, "timepoint": False}


def test_hidden_must_name_existing_columns(study, audio_dir, metadata):
    with pytest.raises(RaterError, match="'site'"):
        import_recordings(study, audio_dir, metadata, hidden=["site"])
