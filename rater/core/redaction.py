"""Keep known locations out of text a rater sees or a log keeps.

A folder's name can name the groups being compared ("Northwick vs Southby study"), and folder
names hold spaces, so a pattern cannot find where a path ends. Each known location is replaced
as an exact substring, longest first, in the forms it may be written in; any other absolute path
that is left keeps only its last part.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_ABSOLUTE_PATH = re.compile(r"(?<![^\s'\"(=])"  # a path starts a word
                            r"(?:[A-Za-z]:)?[\\/](?:[^\s\\/:'\"()]+[\\/])+([^\s\\/:'\"()]*)")


def known_forms(location: str) -> set[str]:
    """How a location may appear: without trailing separators, with either separator."""
    bare = location.rstrip("/\\")
    if not bare or bare.endswith(":"):  # the root of a drive names nothing
        return set()
    return {bare, bare.replace("\\", "/"), bare.replace("/", "\\")}


def redact(text: str, known: Iterable[tuple[str, str]]) -> str:
    """Replace every known location (location, what to say instead), longest first."""
    replacements = {form: name for location, name in known for form in known_forms(location)}
    for form in sorted(replacements, key=len, reverse=True):
        text = text.replace(form, replacements[form])
    return _ABSOLUTE_PATH.sub(lambda m: m.group(1) or "…", text)
