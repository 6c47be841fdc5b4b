"""The headless commands as a user runs them: exit codes, stdout/stderr, help."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from audio_files import write_audio


def rater(*args, check_status=None):
    result = subprocess.run([sys.executable, "-m", "rater", *map(str, args)],
                            capture_output=True, text=True)
    if check_status is not None:
        assert result.returncode == check_status, result.stderr
    return result


def test_init_import_info_round_trip(tmp_path, study_location):
    write_audio(tmp_path / "audio" / "one.flac", seconds=2)
    write_audio(tmp_path / "audio" / "two.wav", seconds=3)
    (tmp_path / "m.csv").write_text("file,la\none.flac,North\ntwo.wav,South\n")
    rater("study", "init", study_location, check_status=0)
    done = rater("study", "import", study_location, "--audio", tmp_path / "audio",
                 "--metadata", tmp_path / "m.csv", "--json", check_status=0)
    assert json.loads(done.stdout) == {"added": 2, "already_present": 0, "skipped": []}
    info = json.loads(rater("study", "info", study_location, "--json", check_status=0).stdout)
    assert info["recordings"] == 2
    assert info["hours"] == pytest.approx(5 / 3600, abs=0.01)
    assert info["ratings"] == {"draft": 0, "submitted": 0}
    text = rater("study", "info", study_location, check_status=0).stdout
    assert "Recordings:  2" in text and "Hidden:      la" in text


def test_bad_input_exits_1_with_what_where_and_fix(tmp_path):
    study = tmp_path / "s.rater"
    rater("study", "init", study, check_status=0)
    (tmp_path / "m.csv").write_text("file\nnowhere.wav\n")
    (tmp_path / "audio").mkdir()
    result = rater("study", "import", study, "--audio", tmp_path / "audio",
                   "--metadata", tmp_path / "m.csv", check_status=1)
    assert result.stdout == ""
    assert "m.csv:2" in result.stderr and "not found" in result.stderr
    assert "fix:" in result.stderr


def test_json_mode_prints_only_json_even_when_files_are_skipped(tmp_path):
    study = tmp_path / "s.rater"
    rater("study", "init", study, check_status=0)
    write_audio(tmp_path / "audio" / "ok.wav")
    (tmp_path / "m.csv").write_text("file\nok.wav\nnowhere.wav\n")
    result = rater("study", "import", study, "--audio", tmp_path / "audio", "--metadata",
                   tmp_path / "m.csv", "--skip-bad", "--json", check_status=0)
    assert json.loads(result.stdout)["added"] == 1
    assert "skipped:" in result.stderr


def test_wrong_usage_exits_2():
    assert rater("study", "import").returncode == 2
    assert rater("study").returncode == 2
    assert rater("study", "frobnicate", "x").returncode == 2


def test_init_refuses_an_existing_file(tmp_path):
    study = tmp_path / "s.rater"
    rater("study", "init", study, check_status=0)
    result = rater("study", "init", study, check_status=1)
    assert "already exists" in result.stderr


def test_info_on_a_missing_study_says_how_to_fix(tmp_path):
    result = rater("study", "info", tmp_path / "nope.rater", check_status=1)
    assert "rater study init" in result.stderr


@pytest.mark.parametrize("command", [[], ["study"], ["study", "init"], ["study", "import"],
                                     ["study", "info"]])
def test_every_help_explains_itself(command):
    result = rater(*command, "--help", check_status=0)
    assert "usage: rater" in result.stdout
    assert len(result.stdout.splitlines()) >= 5
    for line in result.stdout.splitlines():
        assert len(line) <= 100
