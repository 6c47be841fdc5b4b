"""The headless commands as a user runs them: exit codes, stdout/stderr, help."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from audio_files import write_audio


def rater(*args, check_status=None):
    result = subprocess.run([sys.executable, "-m", "rater", *map(str, args)],
                            capture_output=True, text=True, timeout=120)  # the app never ends
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


def test_a_mistyped_command_is_named_not_opened_in_the_app(tmp_path):
    """Issue 14, item 14: a word that is neither a command nor a file started the GUI (and
    with no display, Qt aborted). Run with no display, so the old behaviour fails loudly."""
    result = rater("stdy", "info", tmp_path / "s.rater")
    assert result.returncode == 2
    assert result.stderr.strip() == ("rater: unknown command 'stdy', and no file of that name. "
                                     "Did you mean 'rater study'? 'rater --help' lists the "
                                     "commands.")
    assert "unknown command 'zzz'" in rater("zzz").stderr


def test_version_is_one_line_from_one_source_with_or_without_a_display(tmp_path):
    """Issue 16: `rater --version` opened the app (or, with no display, said there was none)."""
    import tomllib

    from rater import __version__

    with open(Path(__file__).resolve().parents[1] / "pyproject.toml", "rb") as handle:
        project = tomllib.load(handle)["project"]
    assert "version" in project.get("dynamic", []), "the version has one source: rater/__init__"
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    for module in ("rater", "rater.cli"):
        result = subprocess.run([sys.executable, "-m", module, "--version"], capture_output=True,
                                text=True, env=env, timeout=60)
        expected = (0, f"rater {__version__}\n", "")
        assert (result.returncode, result.stdout, result.stderr) == expected
    assert __version__[0].isdigit() and "unknown" not in __version__


def test_no_display_is_one_plain_line(tmp_path):
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["XDG_CONFIG_HOME"] = str(tmp_path)
    result = subprocess.run([sys.executable, "-m", "rater"], capture_output=True, text=True,
                            env=env, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "rater: there is no display to open the app on (no DISPLAY or WAYLAND_DISPLAY). Run "
        "it on a desktop, or use a headless command: rater --help"]


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


def test_a_pack_audio_that_is_not_offered_is_refused_before_anything(tmp_path):
    study = tmp_path / "s.rater"
    rater("study", "init", study, check_status=0)
    result = rater("pack", "export", study, "--rater", "R1", "--out", tmp_path / "R1.raterpack",
                   "--audio", "opus:8", check_status=1)
    assert "--audio" in result.stderr and "from 12 to 256" in result.stderr
    assert "fix:" in result.stderr and not (tmp_path / "R1.raterpack").exists()


def test_server_setup_invite_and_login(tmp_path, pg_admin_url):
    """`rater server …` as an administrator and a rater run it (issue 17)."""
    from server_study import empty_database

    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data")}

    def run(*args, status, stdin=None):
        result = subprocess.run([sys.executable, "-m", "rater", *map(str, args)], input=stdin,
                                capture_output=True, text=True, timeout=120, env=env)
        assert result.returncode == status, result.stderr
        return result

    with empty_database(pg_admin_url) as (url, database):
        setup = json.loads(run("server", "setup", url, "--json", status=0).stdout)
        assert setup["created"] and setup["roles"]["raters"] == f"{database}_raters"
        invitation = run("server", "add-rater", url, "--rater", "R1", status=0).stdout
        login_url = f"postgresql+psycopg://{database}_rater_r1@" + url.split("@", 1)[1]
        password = invitation.split("password: ", 1)[1].split()[0]
        assert f"study:    {login_url}\n" in invitation
        assert f"rater server login {login_url}" in invitation
        done = run("server", "login", login_url, status=0, stdin=password + "\n")
        assert "password file" in done.stderr and password not in done.stderr + done.stdout
        refused = run("study", "info", login_url, status=1)
        assert "your login may not do this" in refused.stderr
        again = run("server", "login", login_url, status=1, stdin=password + "\n")
        assert "did not accept the login" in again.stderr
    remote = run("server", "add-rater", "postgresql+psycopg://admin@db.example.org/s",
                 "--rater", "R1", status=1)
    assert "sslmode=verify-full" in remote.stderr
    not_server = run("server", "setup", tmp_path / "s.rater", status=1)
    assert "PostgreSQL server, not in a file" in not_server.stderr
