"""Checking parsed codebook data: every problem at once, each with file, line and key path."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

from rater.core.codebook.model import MAX_ID_CHARS, MAX_LABEL_CHARS, MAX_LEVELS, RESERVED_IDS
from rater.core.errors import Problem

_VARIABLE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_STATA_STR_TYPE = re.compile(r"str(\d+|l)", re.IGNORECASE)
_CODEBOOK_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_LEVEL_KEY = re.compile(r"0|-?[1-9][0-9]*")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


KeyPath = tuple[str | int, ...]


@dataclass(frozen=True)
class _Key:
    kind: type
    required: bool = True
    fix: str = ""  # how to write it, when the value has the wrong type


_RULES_FIX = 'write a list of texts: rules = ["...", "..."]'
_CODEBOOK_KEYS = {
    "id": _Key(str),
    "title": _Key(str),
    "version": _Key(str),
    "description": _Key(str, required=False),
    "brief": _Key(str, required=False),
    "rules": _Key(list, required=False, fix=_RULES_FIX),
    "scale": _Key(dict, fix="write the scale as a [scale] table with min, max and [scale.labels]"),
    "dimensions": _Key(list, fix="start each dimension with its own [[dimensions]] line"),
}
_SCALE_KEYS = {
    "min": _Key(int, fix="write a whole number without quotes, e.g. min = 1"),
    "max": _Key(int, fix="write a whole number without quotes, e.g. max = 5"),
    "labels": _Key(dict, fix="write the labels as a [scale.labels] table"),
}
_DIMENSION_KEYS = {
    "id": _Key(str),
    "name": _Key(str),
    "definition": _Key(str),
    "anchors": _Key(dict, fix="write the anchors as a [dimensions.anchors] table"),
    "rules": _Key(list, required=False, fix=_RULES_FIX),
}

_KIND_NAMES = {str: "text", int: "a whole number", list: "a list", dict: "a table"}


class Checker:
    """Collects problems, each located by file, line and key path."""

    def __init__(self, source: str, lines: dict[KeyPath, int]):
        self.source = source
        self.lines = lines
        self._found: list[tuple[int, Problem]] = []

    @property
    def problems(self) -> list[Problem]:
        """Everything reported, in file order."""
        return [problem for _, problem in sorted(self._found, key=lambda found: found[0])]

    def report(self, path: KeyPath, what: str, fix: str) -> None:
        """Record a problem at `file:line key.path`.

        A missing key has no line of its own, so it takes the line of its nearest parent.
        """
        prefixes = (path[:n] for n in range(len(path), 0, -1))
        line = next((self.lines[p] for p in prefixes if p in self.lines), 1)
        where = f"{self.source}:{line} {_format_key_path(path)}".rstrip()
        self._found.append((line, Problem(what, where, fix)))


def _format_key_path(path: KeyPath) -> str:
    """`dimensions[2].anchors.4`: keys joined by dots, array positions (from 0) in brackets."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            key = part if _BARE_KEY.fullmatch(part) else f'"{part}"'
            text += f".{key}" if text else key
    return text


def check_codebook(c: Checker, data: dict[str, Any]) -> None:
    good = _check_table(c, data, (), _CODEBOOK_KEYS)
    if "id" in good:
        _check_codebook_id(c, good["id"])
    for key in ("title", "version", "description", "brief"):
        if key in good:
            _check_text(c, good[key], (key,))
    if "rules" in good:
        _check_text_list(c, good["rules"], ("rules",))
    levels = _check_scale(c, good["scale"]) if "scale" in good else None
    if "dimensions" in good:
        _check_dimensions(c, good["dimensions"], levels)


def _check_table(
    c: Checker, table: dict[str, Any], path: KeyPath, keys: dict[str, _Key]
) -> dict[str, Any]:
    """Report unknown, missing and mistyped keys; return the known keys whose type is right."""
    good = {}
    for key, value in table.items():
        if key not in keys:
            c.report(path + (key,), f"unknown key {key!r}", _unknown_key_fix(key, keys))
        elif _is_kind(value, keys[key].kind):
            good[key] = value
        else:
            spec = keys[key]
            what = f"{key} must be {_KIND_NAMES[spec.kind]}, not {_describe(value)}"
            c.report(path + (key,), what, spec.fix or _quote_fix(key, value))
    for key, spec in keys.items():
        if spec.required and key not in table:
            c.report(path + (key,), f"required key {key!r} is missing", f"add {key} here")
    return good


def _unknown_key_fix(key: str, keys: dict[str, _Key]) -> str:
    close = difflib.get_close_matches(key, list(keys), n=1, cutoff=0.6)
    if close:
        return f"did you mean {close[0]!r}?"
    return "remove it; allowed here: " + ", ".join(keys)


def _quote_fix(key: str, value: Any) -> str:
    if isinstance(value, list | dict):
        return f'write {key} as one text in quotes: {key} = "..."'
    return f'put it in quotes: {key} = "{value}"'


def _is_kind(value: Any, kind: type) -> bool:
    # bool is a subclass of int, but `min = true` is not a scale bound.
    return isinstance(value, kind) and not (kind is int and isinstance(value, bool))


def _describe(value: Any) -> str:
    names = {
        bool: "true/false",
        str: "text",
        int: "a whole number",
        float: "a decimal number",
        list: "a list",
        dict: "a table",
    }
    return names.get(type(value), "a date/time")


def _check_codebook_id(c: Checker, value: str) -> None:
    if not _CODEBOOK_ID.fullmatch(value):
        c.report(
            ("id",),
            f"codebook id {value!r} must start with a letter or digit and use only letters, "
            "digits, '.', '_' and '-'",
            'use a short name such as "simulated-interview"',
        )


def _check_text(c: Checker, value: str, path: KeyPath, limit: int | None = None) -> None:
    if not value.strip():
        c.report(path, "the text is empty", "write the text between the quotes")
    elif limit is not None and len(value.strip()) > limit:
        c.report(
            path,
            f"the text is {len(value.strip())} characters long (at most {limit})",
            "shorten it; exports use it as a label",
        )


def _check_text_list(c: Checker, items: list[Any], path: KeyPath) -> None:
    for index, item in enumerate(items):
        if isinstance(item, str):
            _check_text(c, item, path + (index,))
        else:
            c.report(
                path + (index,),
                f"list item must be text, not {_describe(item)}",
                "put each rule in quotes",
            )


def _check_scale(c: Checker, scale: dict[str, Any]) -> tuple[int, ...] | None:
    """Check the scale; return its levels, or None when the bounds are unusable."""
    good = _check_table(c, scale, ("scale",), _SCALE_KEYS)
    levels = _scale_levels(c, good)
    if "labels" in good:
        _check_levels(c, good["labels"], ("scale", "labels"), levels, "label", MAX_LABEL_CHARS)
    return levels


def _scale_levels(c: Checker, good: dict[str, Any]) -> tuple[int, ...] | None:
    if "min" not in good or "max" not in good:
        return None
    low, high = good["min"], good["max"]
    if low < 0:
        c.report(
            ("scale", "min"),
            f"scale min is {low}; it must be 0 or more",
            "start the scale at 0 or 1 (negative codes are kept for missing values)",
        )
    elif high <= low:
        c.report(
            ("scale", "max"),
            f"scale max ({high}) must be greater than min ({low})",
            "swap or correct the bounds",
        )
    elif high - low + 1 > MAX_LEVELS:
        c.report(
            ("scale", "max"),
            f"the scale has {high - low + 1} levels (at most {MAX_LEVELS})",
            "use a shorter scale; every level needs an anchor",
        )
    else:
        return tuple(range(low, high + 1))
    return None


def _check_levels(
    c: Checker,
    table: dict[str, Any],
    path: KeyPath,
    levels: tuple[int, ...] | None,
    noun: str,
    limit: int | None = None,
) -> None:
    """Check a level -> text table: one text for every level of the scale and no others."""
    for key, value in table.items():
        key_path = path + (key,)
        if not _LEVEL_KEY.fullmatch(key):
            c.report(
                key_path,
                f"{noun} key {key!r} is not a scale level",
                'write levels as whole numbers, e.g. 3 = "..."',
            )
        elif levels is not None and int(key) not in levels:
            c.report(
                key_path,
                f"level {key} is outside the scale {levels[0]}-{levels[-1]}",
                "remove it, or change scale min/max",
            )
        if not isinstance(value, str):
            c.report(key_path, f"{noun} must be text, not {_describe(value)}", "put it in quotes")
        elif _LEVEL_KEY.fullmatch(key):
            _check_text(c, value, key_path, limit)
    for level in levels or ():
        if str(level) not in table:
            every = f"every level from {levels[0]} to {levels[-1]} needs one"
            c.report(
                path + (str(level),),
                f"level {level} has no {noun}",
                f'add {level} = "...": {every}',
            )


def _check_dimensions(c: Checker, dimensions: list[Any], levels: tuple[int, ...] | None) -> None:
    if not dimensions:
        c.report(
            ("dimensions",),
            "the codebook has no dimensions",
            "add at least one [[dimensions]] table",
        )
    seen: dict[str, int] = {}
    for index, dimension in enumerate(dimensions):
        path: KeyPath = ("dimensions", index)
        if not isinstance(dimension, dict):
            c.report(
                path,
                f"each dimension must be a table, not {_describe(dimension)}",
                "write each dimension as a [[dimensions]] table",
            )
            continue
        _check_dimension(c, dimension, path, levels)
        if isinstance(dimension.get("id"), str):
            _check_duplicate_id(c, dimension["id"], path, seen)


def _check_dimension(
    c: Checker, dimension: dict[str, Any], path: KeyPath, levels: tuple[int, ...] | None
) -> None:
    good = _check_table(c, dimension, path, _DIMENSION_KEYS)
    if "id" in good:
        _check_dimension_id(c, good["id"], path + ("id",))
    if "name" in good:
        _check_text(c, good["name"], path + ("name",), MAX_LABEL_CHARS)
    if "definition" in good:
        _check_text(c, good["definition"], path + ("definition",))
    if "anchors" in good:
        _check_levels(c, good["anchors"], path + ("anchors",), levels, "anchor")
    if "rules" in good:
        _check_text_list(c, good["rules"], path + ("rules",))


def _check_dimension_id(c: Checker, value: str, path: KeyPath) -> None:
    """Dimension ids become variable names, so they must be valid in SPSS, Stata and R."""
    reason = variable_name_problem(value)
    if reason:
        c.report(
            path,
            f"dimension id {value!r} is not a valid variable name: {reason}",
            "use ASCII letters, digits and '_', starting with a letter, e.g. \"clarity\"",
        )


def variable_name_problem(name: str) -> str:
    if not _VARIABLE_NAME.fullmatch(name):
        return "it must start with a letter and use only ASCII letters, digits and '_'"
    if len(name) > MAX_ID_CHARS:
        return f"it is {len(name)} characters long (at most {MAX_ID_CHARS})"
    if name.endswith("_"):
        return "it must not end with '_' (SPSS reserves such names)"
    if name.lower() in RESERVED_IDS or _STATA_STR_TYPE.fullmatch(name):
        return "it is a reserved word in SPSS, Stata or R"
    return ""


def _check_duplicate_id(c: Checker, value: str, path: KeyPath, seen: dict[str, int]) -> None:
    """Ids must differ ignoring case: SPSS ignores case and haven refuses names that clash."""
    first = seen.setdefault(value.lower(), path[-1])
    if first != path[-1]:
        c.report(
            path + ("id",),
            f"dimension id {value!r} is already used by dimensions[{first}]",
            "give every dimension its own id; ids that differ only in case count as the same",
        )
