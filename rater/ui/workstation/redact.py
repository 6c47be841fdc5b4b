"""Keep locations out of what the rater sees and what the log keeps.

In single-machine rater mode the study's file name, its folder (or its database URL) can name
the groups being compared, so messages and log lines show "the study" and bare file names
(blind codes) instead. Errors that are not RaterErrors show their type and message, redacted.
The replacing itself is `rater.core.redaction.redact`.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from rater.core.errors import RaterError
from rater.core.redaction import redact


class Redactor(logging.Filter):
    """Replaces the known locations: the study, its folder, a pack's folder, the home folder."""

    def __init__(self) -> None:
        super().__init__()
        self._known: dict[str, str] = {str(Path.home()): "~"}

    def hide_location(self, location: str) -> None:
        """A study file (as given, absolute, or its bare name) or database URL: "the study";
        a study file's folder: "the study's folder", and its blinded copies' folder."""
        self._known[str(location)] = "the study"
        if "://" not in location:
            absolute = os.path.abspath(location)
            self._known[absolute] = "the study"
            self._known[os.path.basename(location)] = "the study"
            self._known[os.path.dirname(absolute)] = "the study's folder"
            blinded = Path(absolute).with_name(Path(absolute).stem + "-blinded")
            self._known[str(blinded)] = "the recordings' folder"  # `study blind`'s default

    def hide_folder(self, folder: str | os.PathLike, name: str) -> None:
        """Any other folder the work lives in (a pack's working folder)."""
        self._known[os.path.abspath(folder)] = name

    def text(self, text: str) -> str:
        return redact(text, self._known.items())

    def message(self, exc: BaseException) -> str:
        """What to tell the rater about a failure."""
        if isinstance(exc, RaterError):
            return self.text(str(exc))
        return self.text(f"{type(exc).__name__}: {exc}")

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.text(record.getMessage())
        record.args = None
        if record.exc_info:
            record.exc_text = self.text(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True
