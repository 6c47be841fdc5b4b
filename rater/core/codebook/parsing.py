"""Loading a codebook: read, decode, parse the TOML, check it, build the model."""

from __future__ import annotations

import functools
import re
import tomllib
from pathlib import Path
from typing import Any

from rater.core.bundled import codebook_dir
from rater.core.codebook.model import DEFAULT_CODEBOOK_NAME, Codebook, Dimension, Scale
from rater.core.codebook.nesting import check_nesting
from rater.core.codebook.positions import KeyLines
from rater.core.codebook.validation import Checker, check_codebook
from rater.core.errors import Problem, RaterError

_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")



def default_codebook_path() -> Path:
    """The bundled default codebook (codebook/ at the top of the source tree)."""
    return codebook_dir() / DEFAULT_CODEBOOK_NAME


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


@functools.lru_cache(maxsize=32)
def parse_codebook(text: str, source: str = "<text>") -> Codebook:
    """Validate codebook TOML text and build the codebook.

    Line endings are normalised to LF first, so a file checked out with CRLF has the same
    digest as the stored text. Kept for the same text (a Codebook never changes): a live
    dashboard reads the study's codebook on every refresh, and checking it took ~20 ms.
    """
    text = text.replace("\r\n", "\n")
    check_nesting(text, source)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RaterError(_syntax_problem(exc, source)) from exc
    checker = Checker(source, KeyLines(text).lines)
    check_codebook(checker, data)
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
        brief=data.get("brief", "").strip(),
        source_text=text,
    )


def _levels(table: dict[str, str]) -> dict[int, str]:
    return {int(key): text.strip() for key, text in sorted(table.items(), key=lambda i: int(i[0]))}


def _texts(items: list[str]) -> tuple[str, ...]:
    return tuple(item.strip() for item in items)
