"""Variable names, labels and the data dictionary of exports.

Names must survive SPSS, Stata and R at once (reference/domain.md §7): ASCII, a letter first,
letters, digits and '_' only, at most 32 characters, not ending in '_', not a reserved word, and
unique ignoring case. The rules are the codebook's (dimension ids already follow them); this
module turns any other text, such as a metadata column called "Local authority (LA)", into such
a name, and describes every variable for the dictionary written beside each export.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from rater.core.codebook import MAX_ID_CHARS, MAX_LABEL_CHARS, variable_name_problem

NOT_RATED, NOT_APPLICABLE = -9, -8
MISSING_CODES: dict[int, str] = {
    NOT_RATED: "no value: not rated yet, or not recorded",
    NOT_APPLICABLE: "not applicable: no rater in this role, or no consensus recorded",
}
"""Declared missing values in SPSS (-9, -8) and Stata (.a, .b); empty cells elsewhere."""

STATA_MISSING = {NOT_RATED: "a", NOT_APPLICABLE: "b"}

_NOT_NAME = re.compile(r"[^A-Za-z0-9]+")


@dataclass(frozen=True)
class Variable:
    """One column of an export as the data dictionary describes it.

    `kind` is integer, number, text, datetime or yes/no; `value_labels` are the codebook's
    level labels for scores; `missing` says whether the variable uses the missing codes.
    """

    name: str
    label: str
    kind: str
    description: str
    value_labels: Mapping[int, str] = field(default_factory=dict)
    missing: bool = False


# Letters that do not decompose into a base letter and an accent, written out as their
# languages do (Größe -> Groesse), before accents are dropped (année -> annee).
TRANSLITERATE = str.maketrans({
    "ß": "ss", "ẞ": "SS", "ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue",
    "æ": "ae", "Æ": "Ae", "ø": "oe", "Ø": "Oe", "œ": "oe", "Œ": "Oe", "å": "aa", "Å": "Aa",
    "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "Th",
    "ı": "i"})


def variable_name(text: str, taken: Iterable[str] = ()) -> str:
    """A valid variable name for `text`, different (ignoring case) from every name in `taken`."""
    ascii_text = unicodedata.normalize("NFKD", text.translate(TRANSLITERATE)).encode(
        "ascii", "ignore").decode()
    base = _NOT_NAME.sub("_", ascii_text).strip("_") or "var"
    if not base[0].isalpha():
        base = f"v_{base}"
    base = base[:MAX_ID_CHARS].rstrip("_")
    if variable_name_problem(base):  # a reserved word
        base = f"{base[:MAX_ID_CHARS - 2]}_v"
    used = {name.lower() for name in taken}
    name, counter = base, 1
    while name.lower() in used:
        counter += 1
        suffix = f"_{counter}"
        name = base[:MAX_ID_CHARS - len(suffix)].rstrip("_") + suffix
    return name


def suffixed(stem: str, suffix: str) -> str:
    """`stem_suffix` cut to the length limit by shortening the stem, never the suffix."""
    return f"{stem[:MAX_ID_CHARS - len(suffix) - 1].rstrip('_')}_{suffix}"


def name_problems(names: Iterable[str]) -> list[str]:
    """Every way a list of names breaks the rules (empty when all are valid and unique)."""
    problems, seen = [], set()
    for name in names:
        reason = variable_name_problem(name)
        if reason:
            problems.append(f"{name!r}: {reason}")
        if name.lower() in seen:
            problems.append(f"{name!r}: used twice (ignoring case)")
        seen.add(name.lower())
    return problems


def label(text: str) -> str:
    """A variable or value label within Stata's 80-character limit."""
    text = " ".join(text.split())
    return text if len(text) <= MAX_LABEL_CHARS else text[:MAX_LABEL_CHARS - 1] + "…"


def dictionary_rows(tables: Mapping[str, list[Variable]], missing_style: str) -> list[dict]:
    """The data dictionary: one row per variable of every table in an export.

    `missing_style` says how missing values appear in this format: "codes" (SPSS), "stata"
    (.a, .b) or "empty" (CSV, Excel, Parquet).
    """
    return [{"table": table, "variable": v.name, "label": v.label, "type": v.kind,
             "values": "; ".join(f"{k} = {text}" for k, text in v.value_labels.items()),
             "missing": _missing_text(missing_style) if v.missing else "",
             "description": v.description}
            for table, variables in tables.items() for v in variables]


def _missing_text(style: str) -> str:
    if style == "codes":
        return "; ".join(f"{code} = {text}" for code, text in MISSING_CODES.items())
    if style == "stata":
        return "; ".join(f".{STATA_MISSING[code]} = {text}" for code, text in MISSING_CODES.items())
    return "empty cell = no value"
