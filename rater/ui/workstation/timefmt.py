"""Times as raters read them."""

from __future__ import annotations


def clock(seconds: float) -> str:
    """12:34, or 1:02:03 past an hour."""
    whole = max(0, int(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
