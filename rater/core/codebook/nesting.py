"""Refuse absurdly nested TOML before parsing it: tomllib (and the key scanner) recurse once
per level of arrays and inline tables, so thousands of levels would end in a RecursionError."""

from __future__ import annotations

from rater.core.errors import Problem, RaterError

MAX_NESTING = 32
"""A codebook nests arrays and inline tables at most a few levels deep."""

_QUOTES = ('"""', "'''", '"', "'")


def check_nesting(text: str, source: str) -> None:
    """Raise RaterError at the line where brackets and braces (outside strings and comments)
    go deeper than MAX_NESTING."""
    depth, line, pos = 0, 1, 0
    while pos < len(text):
        char = text[pos]
        if char == "\n":
            line += 1
        elif char == "#":
            end = text.find("\n", pos)
            pos = len(text) if end < 0 else end
            continue
        elif char in "\"'":
            end = _string_end(text, pos)
            line += text.count("\n", pos, end)
            pos = end
            continue
        elif char in "[{":
            depth += 1
            if depth > MAX_NESTING:
                raise RaterError(Problem(
                    f"values are nested more than {MAX_NESTING} levels deep", f"{source}:{line}",
                    "a codebook needs only a few levels of lists and tables: check the "
                    "brackets on that line"))
        elif char in "]}":
            depth = max(0, depth - 1)
        pos += 1


def _string_end(text: str, pos: int) -> int:
    """Where the string starting at `pos` ends (just after its closing quote), or the text's
    end if it is never closed (tomllib then reports the syntax error)."""
    quote = next(q for q in _QUOTES if text.startswith(q, pos))
    escapes = quote[0] == '"'
    pos += len(quote)
    while pos < len(text):
        if escapes and text[pos] == "\\":
            pos += 2
            continue
        if len(quote) == 1 and text[pos] == "\n":
            return pos  # a single-line string cannot go on
        if text.startswith(quote, pos):
            return pos + len(quote)
        pos += 1
    return len(text)
