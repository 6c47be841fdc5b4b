"""Packaging tests build the real deliverables once per run (wheel, bundle, .tar.gz, .deb)
with the same script as `./run package`, into a temporary folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "audio"))
sys.path.insert(0, str(Path(__file__).parent))


class _Build:
    """The build of what `./run package` makes, started in the background as soon as the run
    knows it has packaging tests (it takes two minutes, mostly on one core; the tests before
    these use the other), at low priority. The .deb is compressed with zstd (seconds, not the
    two minutes of a release's xz); its contents are the same."""

    def __init__(self, out: Path):
        self.out = out
        self.log = open(out.parent / "build.log", "w+")  # noqa: SIM115 (read back in wait)
        env = os.environ | {"DEB_COMPRESS": "zstd", "PYTHON": sys.executable}
        self.process = subprocess.Popen(
            ["nice", "-n", "10", ROOT / "packaging" / "linux" / "build.sh", out],
            env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def wait(self) -> Path:
        code = self.process.wait(timeout=1200)
        self.log.seek(0)
        assert code == 0, self.log.read()[-4000:]
        return self.out

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.log.close()
        shutil.rmtree(self.out.parent, ignore_errors=True)


_build: _Build | None = None


def pytest_collection_finish(session) -> None:
    global _build
    here = Path(__file__).parent
    if any(here in Path(item.path).parents for item in session.items):
        _build = _Build(Path(tempfile.mkdtemp(prefix="rater-dist-")) / "dist")


def pytest_sessionfinish(session, exitstatus) -> None:
    if _build is not None:
        _build.stop()


@pytest.fixture(scope="session")
def dist() -> Path:
    """What `./run package` makes (see `_Build`)."""
    assert _build is not None, "the packaging build starts when packaging tests are collected"
    return _build.wait()


@pytest.fixture
def empty_home(tmp_path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    return home
