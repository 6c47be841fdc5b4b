"""Codebooks: the scale, dimensions, anchor text and rating rules, loaded from TOML.

A codebook is data, not code (see codebook/README.md for the format and
docs/decisions/0201-codebook-format.md for why). Loading validates everything and reports every
problem at once, each with file, line and key path, so a team can fix its own codebook in one go.
A study keeps the exact source text; `parse_codebook` rebuilds the same codebook from it and
`Codebook.digest` identifies that version.
"""

from __future__ import annotations

import difflib
import hashlib
import importlib.resources
import re
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from rater.core.errors import Problem, RaterError

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

_VARIABLE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_STATA_STR_TYPE = re.compile(r"str(\d+|l)", re.IGNORECASE)
_CODEBOOK_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_LEVEL_KEY = re.compile(r"0|-?[1-9][0-9]*")
_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_SCALAR = re.compile(r"[^,\]}\n#]*")  # numbers, booleans, dates: up to the next delimiter
_BLANK = re.compile(r"(?:[ \t]|#[^\n]*)*")
_BLANK_LINES = re.compile(r"(?:[ \t\n]|#[^\n]*)*")


# --------------------------------------------------------------------------------------------
# The model


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


# --------------------------------------------------------------------------------------------
# Loading


def default_codebook_path() -> Path:
    """The bundled default codebook.

    The canonical file is in codebook/ at the top of the source tree; an installed wheel is
    expected to carry it as package data at rater/codebook/.
    """
    in_tree = Path(__file__).resolve().parents[2] / "codebook" / DEFAULT_CODEBOOK_NAME
    if in_tree.is_file():
        return in_tree
    return Path(str(importlib.resources.files("rater") / "codebook" / DEFAULT_CODEBOOK_NAME))


def load_codebook(path: str | Path) -> Codebook:
    """Read and validate a codebook file; raise RaterError listing every problem found."""
    source = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise RaterError(
            Problem(f"cannot read the codebook: {exc.strerror}", source, "check the file path")
        ) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RaterError(
            Problem(
                f"the codebook is not UTF-8 text (bad byte at offset {exc.start})",
                source,
                "save the file as UTF-8",
            )
        ) from exc
    return parse_codebook(text, source)


def parse_codebook(text: str, source: str = "<text>") -> Codebook:
    """Validate codebook TOML text and build the codebook.

    Line endings are normalised to LF first, so a file checked out with CRLF has the same
    digest as the stored text.
    """
    text = text.replace("\r\n", "\n")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RaterError(_syntax_problem(exc, source)) from exc
    checker = _Checker(source, _KeyLines(text).lines)
    _check_codebook(checker, data)
    if checker.problems:
        raise RaterError(checker.problems)
    return _build(data, text)


def _syntax_problem(exc: tomllib.TOMLDecodeError, source: str) -> Problem:
    message = str(exc)
    position = _TOML_POSITION.search(message)
    where = f"{source}:{position[1]}:{position[2]}" if position else source
    what = message[: position.start()] if position else message
    return Problem(
        f"TOML syntax error: {what}", where, "correct the TOML at that spot; see codebook/README.md"
    )


def _build(data: dict[str, Any], text: str) -> Codebook:
    """Make the model from data that has passed every check."""
    scale = data["scale"]
    return Codebook(
        id=data["id"],
        title=data["title"].strip(),
        version=data["version"].strip(),
        description=data.get("description", "").strip(),
        scale=Scale(scale["min"], scale["max"], _levels(scale["labels"])),
        dimensions=tuple(
            Dimension(
                id=d["id"],
                name=d["name"].strip(),
                definition=d["definition"].strip(),
                anchors=_levels(d["anchors"]),
                rules=_texts(d.get("rules", [])),
            )
            for d in data["dimensions"]
        ),
        rules=_texts(data.get("rules", [])),
        source_text=text,
    )


def _levels(table: dict[str, str]) -> dict[int, str]:
    return {int(key): text.strip() for key, text in sorted(table.items(), key=lambda i: int(i[0]))}


def _texts(items: list[str]) -> tuple[str, ...]:
    return tuple(item.strip() for item in items)


# --------------------------------------------------------------------------------------------
# Validation

_KeyPath = tuple[str | int, ...]


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


class _Checker:
    """Collects problems, each located by file, line and key path."""

    def __init__(self, source: str, lines: dict[_KeyPath, int]):
        self.source = source
        self.lines = lines
        self._found: list[tuple[int, Problem]] = []

    @property
    def problems(self) -> list[Problem]:
        """Everything reported, in file order."""
        return [problem for _, problem in sorted(self._found, key=lambda found: found[0])]

    def report(self, path: _KeyPath, what: str, fix: str) -> None:
        """Record a problem at `file:line key.path`.

        A missing key has no line of its own, so it takes the line of its nearest parent.
        """
        prefixes = (path[:n] for n in range(len(path), 0, -1))
        line = next((self.lines[p] for p in prefixes if p in self.lines), 1)
        where = f"{self.source}:{line} {_format_key_path(path)}".rstrip()
        self._found.append((line, Problem(what, where, fix)))


def _format_key_path(path: _KeyPath) -> str:
    """`dimensions[2].anchors.4`: keys joined by dots, array positions (from 0) in brackets."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            key = part if _BARE_KEY.fullmatch(part) else f'"{part}"'
            text += f".{key}" if text else key
    return text


def _check_codebook(c: _Checker, data: dict[str, Any]) -> None:
    good = _check_table(c, data, (), _CODEBOOK_KEYS)
    if "id" in good:
        _check_codebook_id(c, good["id"])
    for key in ("title", "version", "description"):
        if key in good:
            _check_text(c, good[key], (key,))
    if "rules" in good:
        _check_text_list(c, good["rules"], ("rules",))
    levels = _check_scale(c, good["scale"]) if "scale" in good else None
    if "dimensions" in good:
        _check_dimensions(c, good["dimensions"], levels)


def _check_table(
    c: _Checker, table: dict[str, Any], path: _KeyPath, keys: dict[str, _Key]
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


def _check_codebook_id(c: _Checker, value: str) -> None:
    if not _CODEBOOK_ID.fullmatch(value):
        c.report(
            ("id",),
            f"codebook id {value!r} must start with a letter or digit and use only letters, "
            "digits, '.', '_' and '-'",
            'use a short name such as "simulated-interview"',
        )


def _check_text(c: _Checker, value: str, path: _KeyPath, limit: int | None = None) -> None:
    if not value.strip():
        c.report(path, "the text is empty", "write the text between the quotes")
    elif limit is not None and len(value.strip()) > limit:
        c.report(
            path,
            f"the text is {len(value.strip())} characters long (at most {limit})",
            "shorten it; exports use it as a label",
        )


def _check_text_list(c: _Checker, items: list[Any], path: _KeyPath) -> None:
    for index, item in enumerate(items):
        if isinstance(item, str):
            _check_text(c, item, path + (index,))
        else:
            c.report(
                path + (index,),
                f"list item must be text, not {_describe(item)}",
                "put each rule in quotes",
            )


def _check_scale(c: _Checker, scale: dict[str, Any]) -> tuple[int, ...] | None:
    """Check the scale; return its levels, or None when the bounds are unusable."""
    good = _check_table(c, scale, ("scale",), _SCALE_KEYS)
    levels = _scale_levels(c, good)
    if "labels" in good:
        _check_levels(c, good["labels"], ("scale", "labels"), levels, "label", MAX_LABEL_CHARS)
    return levels


def _scale_levels(c: _Checker, good: dict[str, Any]) -> tuple[int, ...] | None:
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
    c: _Checker,
    table: dict[str, Any],
    path: _KeyPath,
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


def _check_dimensions(c: _Checker, dimensions: list[Any], levels: tuple[int, ...] | None) -> None:
    if not dimensions:
        c.report(
            ("dimensions",),
            "the codebook has no dimensions",
            "add at least one [[dimensions]] table",
        )
    seen: dict[str, int] = {}
    for index, dimension in enumerate(dimensions):
        path: _KeyPath = ("dimensions", index)
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
    c: _Checker, dimension: dict[str, Any], path: _KeyPath, levels: tuple[int, ...] | None
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


def _check_dimension_id(c: _Checker, value: str, path: _KeyPath) -> None:
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


def _check_duplicate_id(c: _Checker, value: str, path: _KeyPath, seen: dict[str, int]) -> None:
    """Ids must differ ignoring case: SPSS ignores case and haven refuses names that clash."""
    first = seen.setdefault(value.lower(), path[-1])
    if first != path[-1]:
        c.report(
            path + ("id",),
            f"dimension id {value!r} is already used by dimensions[{first}]",
            "give every dimension its own id; ids that differ only in case count as the same",
        )


# --------------------------------------------------------------------------------------------
# Where each key is written: tomllib gives no positions, so scan the (already valid) TOML.


class _KeyLines:
    """Maps every key path in valid TOML text to the line (from 1) where it is written.

    A small scanner for what tomllib has already accepted: table headers, arrays of tables,
    dotted and quoted keys, arrays, inline tables and all four string forms (so text inside
    strings is never taken for a key). Array items are located too (`rules[2]`).
    """

    def __init__(self, text: str):
        self.text = text
        self.pos = 0
        self.line = 1
        self.lines: dict[_KeyPath, int] = {}
        self._last_index: dict[_KeyPath, int] = {}  # array of tables -> index of its last table
        self._scan()

    def _scan(self) -> None:
        table: _KeyPath = ()
        while self._skip(newlines=True):
            if self.text.startswith("[[", self.pos):
                table = self._array_table_header()
            elif self.text.startswith("[", self.pos):
                table = self._header(1)
            else:
                self._key_value(table)

    def _array_table_header(self) -> _KeyPath:
        path = self._header(2)
        index = self._last_index.get(path, -1) + 1
        self._last_index[path] = index
        self._mark(path + (index,))
        return path + (index,)

    def _header(self, brackets: int) -> _KeyPath:
        """Read `[a.b]` or `[[a.b]]`; a prefix naming an array of tables means its last table."""
        self._advance(brackets)
        self._skip()
        parts = self._key()
        path: _KeyPath = ()
        for position, part in enumerate(parts, start=1):
            path += (part,)
            self._mark(path)
            defines_array = brackets == 2 and position == len(parts)
            if path in self._last_index and not defines_array:
                path += (self._last_index[path],)
        self._skip()
        self._advance(brackets)
        return path

    def _key_value(self, table: _KeyPath) -> None:
        path = table
        for part in self._key():
            path += (part,)
            self._mark(path)
        self._skip()
        self._advance(1)  # "="
        self._skip()
        self._value(path)

    def _key(self) -> list[str]:
        parts = [self._key_part()]
        while self._skip() and self.text[self.pos] == ".":
            self._advance(1)
            self._skip()
            parts.append(self._key_part())
        return parts

    def _key_part(self) -> str:
        if self.text[self.pos] in "\"'":
            start = self.pos
            self._string()
            return tomllib.loads("k = " + self.text[start : self.pos])["k"]
        match = _BARE_KEY.match(self.text, self.pos)
        assert match, "tomllib accepted the text, so a key starts here"
        self._advance(match.end() - self.pos)
        return match[0]

    def _value(self, path: _KeyPath) -> None:
        char = self.text[self.pos]
        if char == "[":
            self._array(path)
        elif char == "{":
            self._inline_table(path)
        elif char in "\"'":
            self._string()
        else:
            end = _SCALAR.match(self.text, self.pos).end()
            self._advance(end - self.pos)

    def _array(self, path: _KeyPath) -> None:
        self._advance(1)
        index = 0
        while self._skip(newlines=True) and self.text[self.pos] != "]":
            self._mark(path + (index,))
            self._value(path + (index,))
            self._skip(newlines=True)
            if self.text[self.pos] == ",":
                self._advance(1)
            index += 1
        self._advance(1)

    def _inline_table(self, path: _KeyPath) -> None:
        self._advance(1)
        while self._skip() and self.text[self.pos] != "}":
            self._key_value(path)
            self._skip()
            if self.text[self.pos] == ",":
                self._advance(1)
        self._advance(1)

    def _string(self) -> None:
        quote = self.text[self.pos]
        delimiter = quote * 3 if self.text.startswith(quote * 3, self.pos) else quote
        self._advance(len(delimiter))
        escapes = quote == '"'
        while not self.text.startswith(delimiter, self.pos):
            self._advance(2 if escapes and self.text[self.pos] == "\\" else 1)
        self._advance(len(delimiter))
        if len(delimiter) == 3:  # up to two quotes may end the content: """a "quoted" b"""""
            while self.text.startswith(quote, self.pos):
                self._advance(1)

    def _skip(self, newlines: bool = False) -> bool:
        """Skip spaces and comments (and newlines if asked); return whether text remains."""
        blank = _BLANK_LINES if newlines else _BLANK
        self._advance(blank.match(self.text, self.pos).end() - self.pos)
        return self.pos < len(self.text)

    def _advance(self, count: int) -> None:
        self.line += self.text.count("\n", self.pos, self.pos + count)
        self.pos += count

    def _mark(self, path: _KeyPath) -> None:
        self.lines.setdefault(path, self.line)
