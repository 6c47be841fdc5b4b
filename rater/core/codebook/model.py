"""The codebook model: scale, dimensions, anchors and rules, and the limits they obey."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property

DEFAULT_CODEBOOK_NAME = "simulated-interview.toml"

MAX_LEVELS = 11
"""Every level needs an anchor, so longer scales are impractical; 0-10 is the longest allowed."""

MAX_LABEL_CHARS = 80
"""Names and level labels become variable and value labels in exports; Stata caps labels at 80."""

MAX_ID_CHARS = 32
"""Dimension ids become variable names; Stata and haven cap them at 32 characters."""

RESERVED_IDS = frozenset(
    {
        # SPSS reserved keywords
        *("all", "and", "by", "eq", "ge", "gt", "le", "lt", "ne", "not", "or", "to", "with"),
        # Stata reserved words that would otherwise be valid names (str1..str2045 checked apart)
        *("byte", "double", "float", "if", "in", "int", "long", "pi", "strl", "using"),
        # R reserved words
        *("break", "else", "false", "for", "function", "inf", "na", "nan", "next", "null"),
        *("repeat", "true", "while"),
    }
)
"""Compared ignoring case: SPSS ignores case, and haven refuses names that differ only by case."""



@dataclass(frozen=True)
class Scale:
    """The rating scale: whole numbers from `min` to `max`, each with a short label."""

    min: int
    max: int
    labels: dict[int, str] = field(hash=False)

    @property
    def values(self) -> tuple[int, ...]:
        return tuple(range(self.min, self.max + 1))


@dataclass(frozen=True)
class Dimension:
    """One thing raters score, with an anchor text for every level of the scale."""

    id: str
    name: str
    definition: str
    anchors: dict[int, str] = field(hash=False)
    rules: tuple[str, ...] = ()


@dataclass(frozen=True)
class Codebook:
    """A validated codebook and the exact text it was read from."""

    id: str
    title: str
    version: str
    description: str
    scale: Scale
    dimensions: tuple[Dimension, ...]
    rules: tuple[str, ...]
    brief: str  # the scenario brief raters read before rating (Markdown), or ""
    source_text: str = field(repr=False)

    @cached_property
    def digest(self) -> str:
        """SHA-256 (hex) of the source text: what a study stores to name this exact version."""
        return hashlib.sha256(self.source_text.encode("utf-8")).hexdigest()

    def dimension(self, dimension_id: str) -> Dimension:
        for dimension in self.dimensions:
            if dimension.id == dimension_id:
                return dimension
        raise KeyError(f"codebook {self.id!r} has no dimension {dimension_id!r}")
