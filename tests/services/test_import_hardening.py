"""Hostile or careless import inputs (issue 13, items 6, 11, 12): a clear error naming the line,
never a traceback, and nothing stored."""

from __future__ import annotations

import shutil

import pytest
from audio_files import write_audio

from rater.core.errors import RaterError
from rater.services.importing import import_recordings
from rater.services.ratings_import import import_ratings
from rater.services.study import init_study, study_info

HUGE = "x" * (129 * 1024)


@pytest.fixture
def study(study_location, tmp_path):
    init_study(study_location)
    write_audio(tmp_path / "audio" / "a.wav", seconds=0.3, freq=300)
    write_audio(tmp_path / "audio" / "b.wav", seconds=0.3, freq=500)
    return study_location, tmp_path


def test_a_metadata_cell_over_128_kib_is_an_error_with_its_line(study):
    location, folder = study
    csv = folder / "m.csv"
    csv.write_text(f"file,note\na.wav,short\nb.wav,{HUGE}\n")
    with pytest.raises(RaterError) as caught:
        import_recordings(location, folder / "audio", csv)
    problem = caught.value.problems[0]
    assert problem.where == f"{csv}:3"
    assert "larger than" in problem.what and problem.fix
    assert study_info(location)["recordings"] == 0


def test_a_ratings_cell_over_128_kib_is_an_error_with_its_line(study):
    location, folder = study
    (folder / "m.csv").write_text("file,la\na.wav,North\n")
    import_recordings(location, folder / "audio", folder / "m.csv")
    csv = folder / "r.csv"
    csv.write_text(f"recording,rater,dimension,score\na.wav,R1,warmth,3\na.wav,{HUGE},warmth,3\n")
    with pytest.raises(RaterError) as caught:
        import_ratings(location, csv)
    assert caught.value.problems[0].where == f"{csv}:3"


def test_identical_files_with_conflicting_metadata_name_both_lines(study):
    location, folder = study
    shutil.copy(folder / "audio" / "a.wav", folder / "audio" / "copy.wav")
    csv = folder / "m.csv"
    csv.write_text("file,la\na.wav,A\ncopy.wav,B\n")
    with pytest.raises(RaterError) as caught:
        import_recordings(location, folder / "audio", csv)
    problem = caught.value.problems[0]
    assert problem.where == f"{csv}:3"
    assert f"{csv}:2" in problem.what and "la" in problem.what
    assert study_info(location)["recordings"] == 0


def test_identical_files_with_the_same_metadata_are_listed_twice(study):
    location, folder = study
    shutil.copy(folder / "audio" / "a.wav", folder / "audio" / "copy.wav")
    csv = folder / "m.csv"
    csv.write_text("file,la\na.wav,A\ncopy.wav,A\nb.wav,B\n")
    with pytest.raises(RaterError) as caught:
        import_recordings(location, folder / "audio", csv)
    [problem] = caught.value.problems
    assert problem.where == f"{csv}:3"
    assert "twice" in problem.what and f"{csv}:2" in problem.what
    report = import_recordings(location, folder / "audio", csv, skip_bad=True)
    assert sorted(report.added) == ["a.wav", "b.wav"]


def test_a_folder_named_like_audio_is_a_folder_not_a_file(study):
    location, folder = study
    (folder / "audio" / "x.wav").mkdir()
    csv = folder / "m.csv"
    csv.write_text("file,la\na.wav,A\nx.wav,B\n")
    with pytest.raises(RaterError) as caught:
        import_recordings(location, folder / "audio", csv)
    [problem] = caught.value.problems
    assert problem.where == f"{csv}:3"
    assert "a folder, not a file" in problem.what


def test_a_metadata_path_that_is_a_folder_is_a_clear_error(study):
    location, folder = study
    (folder / "x.csv").mkdir()
    with pytest.raises(RaterError) as caught:
        import_recordings(location, folder / "audio", folder / "x.csv")
    assert "a folder, not a file" in caught.value.problems[0].what


def test_a_file_name_too_long_for_the_system_is_a_problem_on_its_line(study):
    """Found by tests/fuzz/test_fuzz_inputs.py."""
    location, folder = study
    csv = folder / "m.csv"
    csv.write_text(f"file,la\na.wav,A\n{'x' * 300}.wav,B\n")
    with pytest.raises(RaterError) as caught:
        import_recordings(location, folder / "audio", csv)
    [problem] = caught.value.problems
    assert problem.where == f"{csv}:3" and "cannot read" in problem.what
