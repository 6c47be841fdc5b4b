"""Does a codebook's text name something raters must not know?

The codebook (its brief, rules and anchors) travels in every rater's pack. A value of a hidden
field that tells recordings apart (an authority, a worker, a time point) must not appear in it:
matched as a whole word, ignoring case. A value every recording shares predicts nothing and is
allowed (a study of one vignette may name it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence


def hidden_values_named(text: str, hidden: Mapping[str, Sequence[str]]) -> list[tuple[str, str]]:
    """(field, value) for each telling hidden value that ``text`` names, in field order.

    ``hidden`` maps each hidden field to its values, one per recording that has one."""
    found = []
    for field, values in hidden.items():
        distinct = sorted({v.strip() for v in values if v.strip()})
        if len(distinct) < 2:
            continue
        for value in distinct:
            if re.search(rf"(?<!\w){re.escape(value)}(?!\w)", text, re.IGNORECASE):
                found.append((field, value))
    return found
