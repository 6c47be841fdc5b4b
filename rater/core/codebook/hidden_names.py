"""Does a codebook's text name something raters must not know?

The codebook (its brief, rules and anchors) travels in every rater's pack. A value of a hidden
field that tells recordings apart (an authority, a worker, a time point) must not appear in it:
matched as a whole word, ignoring case. A value every recording shares predicts nothing and is
allowed (a study of one vignette may name it).

Short values need care, or every codebook would name them: a one-character value (authorities
coded A and B, time points 1 and 2) is not looked for at all, since no text can avoid the
article 'a' or a score of 1; a two-character value (T1, LA) is matched with its case as given,
so "No" is found but "no" is not.
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
            if len(value) < 2:
                continue
            flags = re.IGNORECASE if len(value) > 2 else 0
            if re.search(rf"(?<!\w){re.escape(value)}(?!\w)", text, flags):
                found.append((field, value))
    return found
