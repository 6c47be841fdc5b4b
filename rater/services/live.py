"""Following a study as it changes (issue 17, decision 1704): a shared study's server tells
the researcher's windows when ratings arrive; a study file cannot, and is asked again now and
then by the window instead."""

from __future__ import annotations

from collections.abc import Callable

from rater.storage.engine import make_engine, study_url
from rater.storage.server_notify import Listener, sends_notices


def watch(study: str, on_change: Callable[[str], None]) -> Listener | None:
    """Call `on_change(what)` from a background thread whenever the study changes; returns the
    listener (`.stop()` it), or None when the study sends no notices (then poll)."""
    url = study_url(study)
    engine = make_engine(url)
    try:
        if not sends_notices(engine):
            return None
    finally:
        engine.dispose()
    listener = Listener(url, on_change)
    listener.start()
    return listener
