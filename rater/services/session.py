"""What every service needs: opening the study, and who is acting."""

from __future__ import annotations

import getpass
import os

from rater.storage.repository import StudyStore


def actor_name() -> str:
    """Who is acting, for the audit trail: RATER_ACTOR if set, else the login name."""
    try:
        return os.environ.get("RATER_ACTOR") or getpass.getuser()
    except (KeyError, OSError):  # no login name (some containers)
        return "unknown"


def open_store(study: str) -> StudyStore:
    return StudyStore.open(str(study))
