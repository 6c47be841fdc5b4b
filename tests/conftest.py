"""Test set-up shared by every room: headless Qt, isolated user folders, benchmark marking."""

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

BENCHMARKS = Path(__file__).parent / "benchmarks"


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory, monkeypatch):
    """Settings, caches and logs go to a fresh folder, never the developer's own."""
    base = tmp_path_factory.mktemp("xdg")
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(var, str(base / var.lower()))


def pytest_collection_modifyitems(config, items):
    for item in items:
        if BENCHMARKS in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.benchmark)
