"""The rater's workstation: listen, note and score blind, keyboard first, nothing lost.

    rater R1.raterpack              open (and, the first time, unpack) a rater pack
    rater PACK_FOLDER               open a pack's working folder
    rater STUDY --rater R1          a research study in single-machine rater mode
"""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QApplication

from rater import __version__
from rater.ui import appearance
from rater.ui.workstation import logs
from rater.ui.workstation.redact import Redactor
from rater.ui.workstation.target import is_rating_request, parse_request
from rater.ui.workstation.window import WorkstationWindow

__all__ = ["WorkstationWindow", "is_rating_request", "start"]


def start(argv: list[str]) -> WorkstationWindow:
    """Show the workstation (the QApplication exists) and open what ``argv`` names."""
    redactor = Redactor()
    location, rater = parse_request(argv)
    if location:
        redactor.hide_location(location)
    logs.install(redactor)
    logging.getLogger("rater").info("Rater %s: workstation", __version__)
    appearance.apply(QApplication.instance(), appearance.saved_mode())
    window = WorkstationWindow(redactor=redactor)
    window.show()
    if location:
        window.open_work(location, rater)
    return window
