"""Where each key of a codebook is written (tomllib gives no positions)."""

from __future__ import annotations

import re
import tomllib

from rater.core.codebook.validation import KeyPath

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_SCALAR = re.compile(r"[^,\]}\n#]*")  # numbers, booleans, dates: up to the next delimiter
_BLANK = re.compile(r"(?:[ \t]|#[^\n]*)*")
_BLANK_LINES = re.compile(r"(?:[ \t\n]|#[^\n]*)*")

# Where each key is written: tomllib gives no positions, so scan the (already valid) TOML.


class KeyLines:
    """Maps every key path in valid TOML text to the line (from 1) where it is written.

    A small scanner for what tomllib has already accepted: table headers, arrays of tables,
    dotted and quoted keys, arrays, inline tables and all four string forms (so text inside
    strings is never taken for a key). Array items are located too (`rules[2]`).
    """

    def __init__(self, text: str):
        self.text = text
        self.pos = 0
        self.line = 1
        self.lines: dict[KeyPath, int] = {}
        self._last_index: dict[KeyPath, int] = {}  # array of tables -> index of its last table
        self._scan()

    def _scan(self) -> None:
        table: KeyPath = ()
        while self._skip(newlines=True):
            if self.text.startswith("[[", self.pos):
                table = self._array_table_header()
            elif self.text.startswith("[", self.pos):
                table = self._header(1)
            else:
                self._key_value(table)

    def _array_table_header(self) -> KeyPath:
        path = self._header(2)
        index = self._last_index.get(path, -1) + 1
        self._last_index[path] = index
        self._mark(path + (index,))
        return path + (index,)

    def _header(self, brackets: int) -> KeyPath:
        """Read `[a.b]` or `[[a.b]]`; a prefix naming an array of tables means its last table."""
        self._advance(brackets)
        self._skip()
        parts = self._key()
        path: KeyPath = ()
        for position, part in enumerate(parts, start=1):
            path += (part,)
            self._mark(path)
            defines_array = brackets == 2 and position == len(parts)
            if path in self._last_index and not defines_array:
                path += (self._last_index[path],)
        self._skip()
        self._advance(brackets)
        return path

    def _key_value(self, table: KeyPath) -> None:
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

    def _value(self, path: KeyPath) -> None:
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

    def _array(self, path: KeyPath) -> None:
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

    def _inline_table(self, path: KeyPath) -> None:
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

    def _mark(self, path: KeyPath) -> None:
        self.lines.setdefault(path, self.line)
