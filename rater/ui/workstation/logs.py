"""The log file: a rotating file in the user's log folder, Qt's own messages in it too, and
uncaught exceptions logged. Every line passes the workstation's redactor (blind codes only)."""

from __future__ import annotations

import logging
import sys
from logging.handlers import RotatingFileHandler
from pathlib import Path

from PySide6.QtCore import QtMsgType, qInstallMessageHandler

from rater.ui.workstation.redact import Redactor

_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def log_folder() -> Path:
    from platformdirs import user_log_path

    return user_log_path("rater", appauthor=False)


def install(redactor: Redactor) -> Path:
    """Log to ``rater.log`` (1 MB × 3) in the user's log folder; returns the file. Each
    workstation opened in the process adds its redactor: every line passes them all."""
    folder = log_folder()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "rater.log"
    root = logging.getLogger("rater")
    for handler in root.handlers:
        if getattr(handler, "rater_log", None) == path:
            handler.addFilter(redactor)
            return path
    handler = RotatingFileHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
    handler.rater_log = path
    handler.addFilter(redactor)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    qInstallMessageHandler(_qt_message)
    sys.excepthook = _uncaught
    return path


def _qt_message(kind: QtMsgType, _context, message: str) -> None:
    logging.getLogger("rater.qt").log(_QT_LEVELS.get(kind, logging.WARNING), "%s", message)


def _uncaught(kind, value, traceback) -> None:
    logging.getLogger("rater").error("uncaught exception", exc_info=(kind, value, traceback))
    sys.__excepthook__(kind, value, traceback)
