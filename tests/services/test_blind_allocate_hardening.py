"""`study blind --out` somewhere unwritable and `study allocate` with too few double-coded
recordings for a CI width (issue 13, item 6), and stale temporary copies (item 12)."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import pytest
from audio_files import write_audio

from rater.core.errors import RaterError
from rater.services.blinding import blind_study
from rater.services.importing import import_recordings
from rater.services.study import init_study


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def study(tmp_path):
    location = tmp_path / "s.rater"
    init_study(str(location))
    names = [f"r{i}.wav" for i in range(6)]
    for i, name in enumerate(names):
        write_audio(tmp_path / "audio" / name, seconds=0.3, freq=300 + 40 * i)
    (tmp_path / "m.csv").write_text("file,la\n" + "".join(f"{n},L{i % 2}\n"
                                                          for i, n in enumerate(names)))
    import_recordings(str(location), tmp_path / "audio", tmp_path / "m.csv")
    return location


@pytest.mark.parametrize("where", ["a-file", "under-a-file"])
def test_blind_out_somewhere_unwritable_is_a_clear_error_and_changes_nothing(study, where):
    (study.parent / "a-file").write_text("not a folder")
    out = study.parent / "a-file" if where == "a-file" else study.parent / "a-file" / "blind"
    before = digest(study)
    with pytest.raises(RaterError) as caught:
        blind_study(str(study), out=out, workers=1, lufs=None)
    problem = caught.value.problems[0]
    assert problem.where == str(out) and problem.fix
    assert digest(study) == before


def test_stale_temporary_copies_in_the_blind_folder_are_removed_on_the_next_run(study):
    out = study.parent / "blind"
    out.mkdir()
    stale = out / ".AB12CD.flac.x7h3k_2q.part.flac"
    stale.write_bytes(b"half a copy")
    stale.with_suffix(".strip").write_bytes(b"half a copy")
    theirs = out / "notes.part.flac"
    theirs.write_bytes(b"someone else's")
    blind_study(str(study), out=out, workers=1, lufs=None)
    assert not stale.exists() and not stale.with_suffix(".strip").exists()
    assert theirs.exists()


def test_allocate_with_three_double_coded_prints_the_plan(study):
    blind_study(str(study), workers=1, lufs=None)
    result = subprocess.run([sys.executable, "-m", "rater", "study", "allocate", str(study),
                             "--raters", "R1,R2", "--double", "0.5", "--seed", "1"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "3 double-coded" in result.stdout
    assert "too few double-coded recordings to estimate a CI width" in result.stdout
    assert "ICC" in result.stdout
