"""Giving a codebook its scenario brief (the demo's comes from audio_samples/vignette.md)."""

from __future__ import annotations

import re


def with_brief(source_text: str, brief: str) -> str:
    """The codebook text with a top-level ``brief``, placed before the first table (TOML keys
    after a table header would belong to that table)."""
    if "'''" in brief:
        raise ValueError("a brief cannot contain three single quotes in a row")
    first_table = re.search(r"^\[", source_text, re.MULTILINE)
    at = first_table.start() if first_table else len(source_text)
    return f"{source_text[:at]}brief = '''\n{brief.strip()}\n'''\n\n{source_text[at:]}"


def brief_from_markdown(markdown: str, leave_out: tuple[str, ...] = ()) -> str:
    """A Markdown page without the ``##`` sections whose titles are in ``leave_out``."""
    kept, skipping = [], False
    for line in markdown.splitlines():
        if line.startswith("## "):
            skipping = line[3:].strip() in leave_out
        if not skipping:
            kept.append(line)
    return "\n".join(kept).strip()
