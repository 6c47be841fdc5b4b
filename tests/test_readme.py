"""The README's headless walkthrough runs as written."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _walkthrough() -> list[str]:
    """Every `rater …` line of the code blocks in the headless-workflow section, in order."""
    text = (ROOT / "README.md").read_text()
    section = text[text.index("## The study workflow, headless"):]
    section = section[:section.index("\n## ", 1)]
    blocks = re.findall(r"```\n(.*?)```", section, re.S)
    return [line for block in blocks for line in block.splitlines() if line.startswith("rater ")]


def test_the_readme_walkthrough_runs_as_written(tmp_path):
    (tmp_path / "audio_samples").symlink_to(ROOT / "audio_samples")
    commands = _walkthrough()
    assert len(commands) >= 12
    for command in commands:
        argv = [sys.executable, "-m", "rater", *shlex.split(command)[1:]]
        result = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True)
        assert result.returncode == 0, f"{command}\n{result.stderr}"
    for made in ("R1.raterpack", "reliability.html", "comparison.png", "past.sav"):
        assert (tmp_path / made).stat().st_size > 0, made
