"""Times and shares as raters read them."""

from __future__ import annotations

import math


def heard_percent(share: float) -> str:
    """'35%': the share heard, rounded down (never more than was heard), written the same way
    in the player panel and in the submit warning."""
    return f"{math.floor(max(0.0, min(share, 1.0)) * 100 + 1e-9)}%"


def clock(seconds: float) -> str:
    """12:34, or 1:02:03 past an hour."""
    whole = max(0, int(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
