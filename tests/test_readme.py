"""The README's headless walkthrough runs as written."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _walkthrough() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text[text.index("## The study workflow, headless"):]
    block = re.search(r"```\n(.*?)```", section, re.S).group(1)
    return [line for line in block.splitlines() if line.startswith("rater ")]


def test_the_readme_walkthrough_runs_as_written(tmp_path):
    (tmp_path / "audio_samples").symlink_to(ROOT / "audio_samples")
    commands = _walkthrough()
    assert len(commands) >= 6
    for command in commands:
        argv = [sys.executable, "-m", "rater", *shlex.split(command)[1:]]
        result = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True)
        assert result.returncode == 0, f"{command}\n{result.stderr}"
    assert (tmp_path / "R1.raterpack").stat().st_size > 0
