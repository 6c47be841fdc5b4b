"""Packaging tests build the real deliverables once per run (wheel, bundle, .tar.gz, .deb)
with the same script as `./run package`, into a temporary folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "audio"))
sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(scope="session")
def dist(tmp_path_factory) -> Path:
    """What `./run package` makes, built here. The .deb is compressed with zstd (seconds, not
    the two minutes of a release's xz); its contents are the same."""
    out = tmp_path_factory.mktemp("dist")
    env = os.environ | {"DEB_COMPRESS": "zstd", "PYTHON": sys.executable}
    build = subprocess.run([ROOT / "packaging" / "linux" / "build.sh", out], env=env,
                           capture_output=True, text=True, timeout=1200)
    assert build.returncode == 0, build.stderr[-4000:]
    return out


@pytest.fixture
def empty_home(tmp_path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    return home
