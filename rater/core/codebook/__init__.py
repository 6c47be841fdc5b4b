"""Codebooks: the scale, dimensions, anchor text and rating rules, loaded from TOML.

A codebook is data, not code (see codebook/README.md for the format and
docs/decisions/0201-codebook-format.md for why). Loading validates everything and reports every
problem at once, each with file, line and key path, so a team can fix its own codebook in one go.
A study keeps the exact source text; `parse_codebook` rebuilds the same codebook from it and
`Codebook.digest` identifies that version.
"""

from rater.core.codebook.model import (
    DEFAULT_CODEBOOK_NAME,
    MAX_ID_CHARS,
    MAX_LABEL_CHARS,
    MAX_LEVELS,
    RESERVED_IDS,
    Codebook,
    Dimension,
    Scale,
)
from rater.core.codebook.parsing import default_codebook_path, load_codebook, parse_codebook
from rater.core.codebook.validation import variable_name_problem

__all__ = [
    "DEFAULT_CODEBOOK_NAME", "MAX_ID_CHARS", "MAX_LABEL_CHARS", "MAX_LEVELS", "RESERVED_IDS",
    "Codebook", "Dimension", "Scale", "default_codebook_path", "load_codebook", "parse_codebook",
    "variable_name_problem",
]
