"""Keep locations out of what the rater sees and what the log keeps.

In single-machine rater mode the study's file name, its folder (or its database URL) can name
the groups being compared, so messages and log lines show "the study" and bare file names
(blind codes) instead. Errors that are not RaterErrors show their type and message, redacted.
"""

from __future__ import annotations

import logging
import os
import re

from rater.core.errors import RaterError

_ABSOLUTE_PATH = re.compile(r"(?:[A-Za-z]:)?[\\/](?:[^\s\\/:'\"()]+[\\/])+([^\s\\/:'\"()]*)")


class Redactor(logging.Filter):
    """Replaces known locations, then any remaining absolute path by its last part."""

    def __init__(self) -> None:
        super().__init__()
        self._hidden: list[str] = []

    def hide_location(self, location: str) -> None:
        """A study file (as given, absolute, or its bare name) or database URL: "the study"."""
        forms = {str(location)}
        if "://" not in location:
            forms |= {os.path.abspath(location), os.path.basename(location)}
        self._hidden = sorted(set(self._hidden) | {f for f in forms if f},
                              key=len, reverse=True)  # longest first

    def text(self, text: str) -> str:
        for hidden in self._hidden:
            text = text.replace(hidden, "the study")
        return _ABSOLUTE_PATH.sub(lambda m: m.group(1) or "…", text)

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
