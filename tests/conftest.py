"""Test set-up shared by every room: headless Qt, isolated user folders, benchmark marking."""

import os
import sys
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


@pytest.fixture(autouse=True)
def _fresh_qt_settings():
    """Every test starts with empty settings, named as the app names them ("Rater"/"rater";
    pytest-qt names the QApplication from ``qt_qapp_name`` in pyproject.toml).

    Qt fixes the settings file's path at its first use in a process, so the fresh XDG folders
    above do not separate the tests' settings: they are cleared instead. Only where Qt is
    already loaded: a test that does not use Qt does not load it."""
    if "PySide6.QtCore" in sys.modules:
        from PySide6.QtCore import QCoreApplication, QSettings

        QCoreApplication.setOrganizationName("Rater")
        settings = QSettings("Rater", "rater")
        settings.clear()
        settings.sync()


def pytest_collection_modifyitems(config, items):
    for item in items:
        if BENCHMARKS in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.benchmark)


def _service_missing(what: str, variable: str):
    """A test service that ./run test should have started is missing: fail, or skip if allowed."""
    message = f"{what} is not running ({variable} unset); run the tests with ./run test"
    if os.environ.get("RATER_ALLOW_MISSING_SERVICES") == "1":
        pytest.skip(message)
    pytest.fail(message)


@pytest.fixture(scope="session")
def pg_admin_url():
    url = os.environ.get("RATER_TEST_PG_URL")
    if not url:
        _service_missing("the test PostgreSQL server", "RATER_TEST_PG_URL")
    return url


@pytest.fixture
def pg_database(pg_admin_url):
    """A fresh, empty PostgreSQL database for one test; dropped afterwards."""
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"rater_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(pg_admin_url).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def study_location(request, tmp_path):
    """Where a new study goes: a .rater file, or an empty PostgreSQL database (same tests)."""
    if request.param == "sqlite":
        return str(tmp_path / "study.rater")
    return request.getfixturevalue("pg_database")
