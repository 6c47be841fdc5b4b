"""Reading a redactions CSV: time ranges of recordings that name people or places.

Columns: `recording` (the file name as imported, or the blind code), `start`, `end` (seconds,
or m:ss / h:mm:ss with optional decimals), `reason`, and optionally `mode` (`tone`, the
default, or `silence`). Every problem is reported at once with its line.
"""

from __future__ import annotations

from dataclasses import dataclass

from rater.core.errors import Problem, RaterError
from rater.core.metadata_csv import read_records

MODES = ("tone", "silence")
REQUIRED = ("recording", "start", "end")


@dataclass(frozen=True)
class RedactionRow:
    line: int
    recording: str
    start_s: float
    end_s: float
    mode: str
    reason: str


def parse_time(text: str) -> float:
    """Seconds from '12.5', '1:02.5' or '0:01:02.5'; ValueError otherwise."""
    parts = text.strip().split(":")
    if not 1 <= len(parts) <= 3 or any(not p.strip() for p in parts):
        raise ValueError(text)
    *whole, last = parts
    seconds = float(last)
    for i, part in enumerate(reversed(whole), start=1):
        if not part.isdigit():
            raise ValueError(text)
        seconds += int(part) * 60**i
    if seconds < 0 or (whole and not 0 <= float(last) < 60):
        raise ValueError(text)
    return seconds


def parse_redactions_csv(data: bytes, source: str) -> list[RedactionRow]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RaterError(Problem("not UTF-8 text", source, "save the file as CSV UTF-8")) from None
    records = read_records(text, source)
    header = [h.strip().lower() for h in records[0]] if records else []
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise RaterError(Problem(f"missing column(s): {', '.join(missing)}", f"{source}:1",
                                 "the header needs recording,start,end[,reason][,mode]"))
    rows, problems = [], []
    for line, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(header):
            problems.append(Problem(f"{len(record)} values for {len(header)} columns",
                                    f"{source}:{line}", "check the commas on this line"))
            continue
        row = _row(dict(zip(header, (c.strip() for c in record), strict=True)), line, source,
                   problems)
        if row:
            rows.append(row)
    if problems:
        raise RaterError(problems)
    return rows


def _row(values: dict[str, str], line: int, source: str, problems: list[Problem]):
    where = f"{source}:{line}"
    times = {}
    for column in ("start", "end"):
        try:
            times[column] = parse_time(values[column])
        except ValueError:
            problems.append(Problem(f"{column} time '{values[column]}' is not a time", where,
                                    "write seconds (75.5) or minutes:seconds (1:15.5)"))
    mode = values.get("mode", "").lower() or "tone"
    if mode not in MODES:
        problems.append(Problem(f"mode '{mode}' is unknown", where, "use 'tone' or 'silence'"))
    if not values["recording"]:
        problems.append(Problem("the recording is empty", where,
                                "give the file name as imported, or the blind code"))
    if len(times) == 2 and times["end"] <= times["start"]:
        problems.append(Problem("the range ends before it starts", where,
                                "the end time must be after the start time"))
    if len(times) < 2 or mode not in MODES or not values["recording"] or \
            times["end"] <= times["start"]:
        return None
    return RedactionRow(line, values["recording"], times["start"], times["end"], mode,
                        values.get("reason", ""))
