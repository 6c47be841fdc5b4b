"""Checking a study for edits made outside Rater (`rater study verify`)."""

from __future__ import annotations

from rater.services.session import open_store
from rater.storage.verify import verify_store


def verify_study(study: str) -> dict:
    """Every check of `storage.verify`; `ok` is False when any problem was found."""
    with open_store(study) as store:
        result = verify_store(store)
    return {"study": study, "ok": not result.problems, "problems": result.problems,
            "events": result.events, "chain_head": result.head, "checks": result.checks}
