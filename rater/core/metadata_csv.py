"""Reading the metadata CSV that comes with a batch of recordings.

The format (see CLI.md): UTF-8 with or without BOM, comma-separated, a header row, a column
`file` with each recording's path relative to the audio folder; every other column is metadata.
Every problem is collected, each with its line, so a user fixes the file in one pass.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import PurePosixPath

from rater.core.errors import Problem, RaterError

FILE_COLUMN = "file"
MAX_FIELD_NAME = 100


@dataclass(frozen=True)
class MetadataRow:
    line: int
    file: str
    values: dict[str, str]


@dataclass(frozen=True)
class MetadataTable:
    """The good rows, and a problem for each row that had to be left out."""

    source: str
    fields: tuple[str, ...]
    rows: tuple[MetadataRow, ...]
    problems: tuple[Problem, ...]


def parse_metadata_csv(data: bytes, source: str) -> MetadataTable:
    """Parse and check the whole file.

    A file that cannot be read as a table at all (encoding, header) raises RaterError listing
    every such problem; a bad row is left out and described in `problems`.
    """
    records = read_records(decode_text(data, source), source)
    if not records or not any(cell.strip() for cell in records[0]):
        raise RaterError(Problem(
            "the file is empty: no header row", source,
            "add a header row with a 'file' column, then one row per recording"))
    header = [cell.strip() for cell in records[0]]
    problems = _check_header(header, source)
    if problems:
        raise RaterError(problems)
    fields = tuple(h for h in header if h != FILE_COLUMN)
    rows, problems = _rows(records[1:], header, source)
    if not rows and not problems:
        raise RaterError(Problem("the file has a header but no recordings", source,
                                 "add one row per recording"))
    return MetadataTable(source=source, fields=fields, rows=tuple(rows),
                         problems=tuple(problems))


def read_records(text: str, source: str) -> list[list[str]]:
    """All rows of a CSV text; a row the csv module refuses (a cell over its 128 KiB limit, a
    quote left open) is a RaterError naming the line where the reader stopped."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        records = list(reader)
    except csv.Error as exc:
        raise RaterError(Problem(
            f"cannot read this row as CSV ({exc})", f"{source}:{reader.line_num}",
            "keep each value under 128 KiB and check the quotes: a value with a quote inside "
            "is written in quotes with the quote doubled, \"like \"\"this\"\"\"")) from None
    return records


def decode_text(data: bytes, source: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise RaterError(Problem(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x})", f"{source}:{line}:{column}",
            "save the file as 'CSV UTF-8' (Excel) or convert it, e.g. iconv -f latin1 -t utf-8",
        )) from None


def _check_header(header: list[str], source: str) -> list[Problem]:
    where = f"{source}:1"
    problems = []
    if FILE_COLUMN not in header:
        found = ", ".join(repr(h) for h in header)
        problems.append(Problem(f"no 'file' column (found {found})", where,
                                "name the column that holds the audio file names 'file'"))
    seen: set[str] = set()
    for position, name in enumerate(header, start=1):
        if not name:
            problems.append(Problem(f"column {position} has no name", where,
                                    "give every column a name in the header row"))
        elif name.lower() in seen:
            problems.append(Problem(f"column name '{name}' appears twice", where,
                                    "give every column a different name"))
        elif len(name) > MAX_FIELD_NAME:
            problems.append(Problem(f"column name '{name[:20]}…' is longer than "
                                    f"{MAX_FIELD_NAME} characters", where, "shorten it"))
        seen.add(name.lower())
    return problems


def _rows(records: list[list[str]], header: list[str], source: str):
    rows: list[MetadataRow] = []
    problems: list[Problem] = []
    first_line: dict[str, int] = {}
    for line, record in enumerate(records, start=2):
        if not any(cell.strip() for cell in record):
            continue  # blank lines are harmless
        where = f"{source}:{line}"
        if len(record) != len(header):
            problems.append(Problem(f"{len(record)} values for {len(header)} columns", where,
                                    "check for a missing or extra comma, or quote values "
                                    "that contain commas"))
            continue
        values = {name: cell.strip() for name, cell in zip(header, record, strict=True)}
        file = values.pop(FILE_COLUMN).replace("\\", "/")
        problem = _check_file_cell(file, where)
        if problem:
            problems.append(problem)
            continue
        key = str(PurePosixPath(file))
        if key in first_line:
            problems.append(Problem(f"'{file}' is listed twice (first on line {first_line[key]})",
                                    where, "list each recording once"))
            continue
        first_line[key] = line
        rows.append(MetadataRow(line=line, file=key, values=values))
    return rows, problems


def _check_file_cell(file: str, where: str) -> Problem | None:
    if not file:
        return Problem("the 'file' value is empty", where, "give the audio file's path")
    path = PurePosixPath(file)
    if path.is_absolute() or ".." in path.parts:
        return Problem(f"'{file}' is not a path inside the audio folder", where,
                       "give the path relative to the --audio folder, without '..'")
    return None
