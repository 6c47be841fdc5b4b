"""The audit trail as a hash chain: each event carries the hash of the one before it, so an
event changed, removed or slipped in afterwards breaks every hash after it.

The chain proves order and integrity against edits that do not recompute it; someone holding
the study file can always rewrite the whole chain. Writing down the head hash that
`rater study verify` prints (an ethics log, an e-mail) anchors it outside the file:
docs/decisions/0602-tamper-evidence.md.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

GENESIS = "0" * 64


def canonical_time(at: datetime) -> str:
    """One spelling of a moment, whichever database gave it back (SQLite drops the zone)."""
    if at.tzinfo is not None:
        at = at.astimezone(UTC).replace(tzinfo=None)
    return at.strftime("%Y-%m-%dT%H:%M:%S.%f")


def chain_hash(previous: str, at: datetime, actor: str, action: str, detail: str) -> str:
    """The hash of an event: SHA-256 over the previous hash and the event's own fields."""
    fields = (previous, canonical_time(at), actor, action, detail)
    return hashlib.sha256("\x1f".join(fields).encode("utf-8")).hexdigest()


def broken_links(events: list[tuple[int, datetime, str, str, str, str | None, str | None]]
                 ) -> list[str]:
    """Problems in a chain of (id, at, actor, action, detail, prev_hash, hash), in id order."""
    problems, previous = [], GENESIS
    for event_id, at, actor, action, detail, prev_hash, own_hash in events:
        if prev_hash != previous:
            problems.append(f"audit event {event_id} does not follow the event before it "
                            "(an event was removed, inserted or reordered)")
        if own_hash != chain_hash(prev_hash or "", at, actor, action, detail):
            problems.append(f"audit event {event_id} was changed after it was written "
                            f"({action})")
        previous = own_hash or ""
    return problems
