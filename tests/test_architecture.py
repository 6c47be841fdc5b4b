"""The rooms' import rules, checked on every test run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_hold():
    """ui | cli -> services -> storage | audio -> core, and only ui imports Qt (import-linter)."""
    result = subprocess.run([str(Path(sys.executable).with_name("lint-imports"))], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def _modules_loaded_by(statement: str) -> set[str]:
    code = f"import sys; {statement}; print('\\n'.join(sys.modules))"
    output = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, check=True).stdout
    return set(output.split())


def test_headless_commands_never_load_qt():
    loaded = _modules_loaded_by("import rater.cli; rater.cli.build_parser()")
    assert not any(name.startswith("PySide6") for name in loaded)


def test_core_loads_no_qt_sql_or_sound():
    loaded = _modules_loaded_by("import rater.core.codebook, rater.core.metadata_csv")
    for forbidden in ("PySide6", "sqlalchemy", "sounddevice", "soundfile"):
        assert not any(name.startswith(forbidden) for name in loaded), forbidden
