"""Each test starts with empty settings (tests/conftest.py), although Qt keeps one settings
file per process: the second test does not see what the first one saved."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QSettings


def test_settings_are_the_apps_own(qapp):
    assert (QCoreApplication.organizationName(), QCoreApplication.applicationName()) == (
        "Rater", "rater")
    QSettings().setValue("workstation/volume", 0.3)
    assert QSettings("Rater", "rater").value("workstation/volume", type=float) == 0.3


def test_a_later_test_starts_with_empty_settings(qapp):
    assert QSettings().allKeys() == []
