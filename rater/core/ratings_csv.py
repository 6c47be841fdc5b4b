"""Importing existing ratings from a CSV: reading the file, and planning what it adds to a study.

The format (`rater ratings import STUDY FILE.csv`): UTF-8 with or without BOM, comma-separated,
a header row, one row per score, columns

    recording   the recording's blind code, or its file name as imported (`unit` also accepted)
    rater       the rater's id
    dimension   a dimension id of the study's codebook
    score       a whole number on the codebook's scale; empty = a missing rating (row skipped)
    role        optional: primary, second or retest; empty = the rater's existing assignment,
                else primary for the first rater of a recording and second for the next
    timestamp   optional: when the score was given, ISO 8601 (no offset = UTC)

Every problem is collected with its line, and nothing is imported if there is any.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from rater.core.errors import Problem, RaterError
from rater.core.metadata_csv import decode_text, read_records

REQUIRED = ("recording", "rater", "dimension", "score")
OPTIONAL = ("role", "timestamp")
ALIASES = {"unit": "recording"}
ROLES = ("primary", "second", "retest")
INDEPENDENT = ("primary", "second")
MAX_RATER_CHARS = 64

AssignmentKey = tuple[int, str, str]  # recording id, rater, role


@dataclass(frozen=True)
class RatingRow:
    line: int
    recording: str
    rater: str
    dimension: str
    score: int | None  # None: a missing rating
    role: str  # "" = decide from the study
    at: datetime | None


# ---------------------------------------------------------------------------------------------
# reading

def parse_ratings_csv(data: bytes, source: str, dimensions: Iterable[str],
                      scale: Iterable[int]) -> tuple[list[RatingRow], list[Problem]]:
    """The rows and every problem, each with its line. A file that is not a table raises."""
    records = read_records(decode_text(data, source), source)
    if not records or not any(cell.strip() for cell in records[0]):
        raise RaterError(Problem("the file is empty: no header row", source,
                                 "add the header recording,rater,dimension,score"))
    header = [ALIASES.get(h.strip().lower(), h.strip().lower()) for h in records[0]]
    _check_header(header, source)
    dimensions, scale = list(dimensions), list(scale)
    rows, problems = [], []
    for line, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue
        where = f"{source}:{line}"
        if len(record) != len(header):
            problems.append(Problem(f"{len(record)} values for {len(header)} columns", where,
                                    "check for a missing or extra comma, or quote values that "
                                    "contain commas"))
            continue
        cells = {name: cell.strip() for name, cell in zip(header, record, strict=True)}
        row, found = _row(cells, line, where, dimensions, scale)
        problems += found
        if row is not None:
            rows.append(row)
    if not rows and not problems:
        raise RaterError(Problem("the file has a header but no ratings", source,
                                 "add one row per score"))
    return rows, problems


def _check_header(header: list[str], source: str) -> None:
    where = f"{source}:1"
    problems = [Problem(f"no '{name}' column", where,
                        "the header must name recording, rater, dimension and score")
                for name in REQUIRED if name not in header]
    for name in header:
        if name not in REQUIRED + OPTIONAL:
            close = difflib.get_close_matches(name, REQUIRED + OPTIONAL, n=1)
            problems.append(Problem(f"unknown column '{name}'", where,
                                    f"did you mean '{close[0]}'?" if close else
                                    "allowed: " + ", ".join(REQUIRED + OPTIONAL)))
    if len(set(header)) < len(header):
        problems.append(Problem("a column appears twice", where, "name every column once"))
    if problems:
        raise RaterError(problems)


def _row(cells: dict[str, str], line: int, where: str, dimensions: list[str],
         scale: list[int]) -> tuple[RatingRow | None, list[Problem]]:
    problems = [Problem(f"the {name} is empty", where, f"give every score its {name}")
                for name in ("recording", "rater", "dimension") if not cells[name]]
    if len(cells["rater"]) > MAX_RATER_CHARS:
        problems.append(Problem(f"the rater id is longer than {MAX_RATER_CHARS} characters",
                                where, "use a short rater id"))
    if cells["dimension"] and cells["dimension"] not in dimensions:
        problems.append(Problem(f"the codebook has no dimension '{cells['dimension']}'", where,
                                f"use one of: {', '.join(dimensions)}"))
    score, problem = _score(cells["score"], scale, where)
    role = cells.get("role", "").lower()
    if role and role not in ROLES:
        problems.append(Problem(f"unknown role '{cells['role']}'", where,
                                f"use {', '.join(ROLES)}, or leave it empty"))
    at, bad_time = _timestamp(cells.get("timestamp", ""), where)
    problems += [p for p in (problem, bad_time) if p]
    if problems:
        return None, problems
    return RatingRow(line, cells["recording"], cells["rater"], cells["dimension"], score, role,
                     at), []


def _score(text: str, scale: list[int], where: str) -> tuple[int | None, Problem | None]:
    if not text:
        return None, None
    fix = f"give a whole number from {min(scale)} to {max(scale)}, or leave it empty if missing"
    try:
        value = float(text)
    except ValueError:
        return None, Problem(f"the score '{text}' is not a number", where, fix)
    if not value.is_integer() or int(value) not in scale:
        return None, Problem(f"the score {text} is not on the scale", where, fix)
    return int(value), None


def _timestamp(text: str, where: str) -> tuple[datetime | None, Problem | None]:
    if not text:
        return None, None
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        return None, Problem(f"the timestamp '{text}' is not ISO 8601", where,
                             "write e.g. 2013-05-14T10:30:00+01:00 or 2013-05-14")
    # in UTC: SQLite keeps no offset, so a time stored with one would shift
    return (at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)), None


# ---------------------------------------------------------------------------------------------
# planning against the study

@dataclass(frozen=True)
class KnownRecording:
    id: int
    blind_code: str | None
    name: str


@dataclass
class StudyState:
    """What an import needs to know about the study, read in one go."""

    recordings: list[KnownRecording]
    assignments: dict[AssignmentKey, tuple[int, str]]  # -> assignment id, code
    ratings: dict[tuple[int, str], tuple[str, int]]  # (assignment id, dimension) -> state, score
    next_position: dict[str, int]  # rater -> next free queue position
    raters: set[str]
    codes: set[str]  # every blind and assignment code in use


@dataclass(frozen=True)
class NewAssignment:
    key: AssignmentKey
    position: int
    code: str


@dataclass(frozen=True)
class NewRating:
    key: AssignmentKey
    assignment_id: int | None  # None: made by this import
    dimension: str
    score: int
    at: datetime | None


@dataclass
class ImportPlan:
    raters: list[str] = field(default_factory=list)
    blind_codes: dict[int, str] = field(default_factory=dict)  # recordings that get one now
    assignments: list[NewAssignment] = field(default_factory=list)
    ratings: list[NewRating] = field(default_factory=list)
    unchanged: int = 0  # rows already in the study with the same score
    missing: int = 0  # rows with an empty score


def plan_import(rows: list[RatingRow], state: StudyState, source: str,
                new_code: Callable[[set[str]], str]) -> tuple[ImportPlan, list[Problem]]:
    """What the rows add to the study, or the problems that stop them (each with its line)."""
    planner = _Planner(state, new_code)
    problems = []
    for row in rows:
        problem = planner.add(row)
        if problem:
            problems.append(Problem(problem[0], f"{source}:{row.line}", problem[1]))
    return planner.plan, problems


class _Planner:
    def __init__(self, state: StudyState, new_code: Callable[[set[str]], str]):
        self.state, self.new_code, self.plan = state, new_code, ImportPlan()
        self.by_code = {r.blind_code: r for r in state.recordings if r.blind_code}
        self.by_name: dict[str, list[KnownRecording]] = {}
        for r in state.recordings:
            self.by_name.setdefault(r.name, []).append(r)
        self.assignments = dict(state.assignments)
        self.made: set[AssignmentKey] = set()
        self.holders = {(rec, role): rater for rec, rater, role in state.assignments}
        self.chosen = {(rec, rater): role for rec, rater, role in state.assignments
                       if role in INDEPENDENT}  # (recording, rater) -> independent role
        self.lines: dict[tuple[AssignmentKey, str], int] = {}  # planned score -> its line

    def add(self, row: RatingRow) -> tuple[str, str] | None:
        """Plan one row; a (what, fix) problem if it cannot be imported."""
        recording = self._recording(row.recording)
        if isinstance(recording, tuple):
            return recording
        if row.score is None:
            self.plan.missing += 1
            return None
        role = row.role or self._auto_role(recording.id, row.rater)
        if isinstance(role, tuple):
            return role
        clash = self._role_clash(recording, row.rater, role)
        if clash:
            return clash
        key = (recording.id, row.rater, role)
        if key not in self.assignments and key not in self.made:
            self._new_assignment(key, recording)
        return self._rating(row, key)

    def _recording(self, text: str) -> KnownRecording | tuple[str, str]:
        if text in self.by_code:
            return self.by_code[text]
        found = self.by_name.get(text, [])
        if len(found) == 1:
            return found[0]
        if found:
            return (f"{len(found)} recordings were imported as '{text}'",
                    "name the recording by its blind code")
        return (f"no recording '{text}' in the study",
                "use the recording's blind code or its file name as imported")

    def _auto_role(self, recording: int, rater: str) -> str | tuple[str, str]:
        """The rater's existing independent role, else primary, else second."""
        if (recording, rater) in self.chosen:
            return self.chosen[recording, rater]
        for role in INDEPENDENT:
            if (recording, role) not in self.holders:
                return role
        return (f"the recording already has a primary ({self.holders[recording, 'primary']}) "
                f"and a second rater ({self.holders[recording, 'second']})",
                "give a role: retest for a rater's second rating, or correct the rater")

    def _role_clash(self, recording: KnownRecording, rater: str,
                    role: str) -> tuple[str, str] | None:
        if role not in INDEPENDENT:
            return None
        holder = self.holders.get((recording.id, role))
        if holder is not None and holder != rater:
            return (f"rater {holder} is already the {role} rater of this recording",
                    "give this rater another role, or leave the role empty")
        other = self.chosen.get((recording.id, rater))
        if other is not None and other != role:
            return (f"rater {rater} is already the {other} rater of this recording",
                    "give a rater one role per recording (use retest for a repeat rating)")
        self.holders[recording.id, role] = rater
        self.chosen[recording.id, rater] = role
        return None

    def _new_assignment(self, key: AssignmentKey, recording: KnownRecording) -> None:
        recording_id, rater, role = key
        if rater not in self.state.raters and rater not in self.plan.raters:
            self.plan.raters.append(rater)
        code = self._recording_code(recording) if role != "retest" else self._fresh_code()
        position = self.state.next_position.get(rater, 0)
        self.state.next_position[rater] = position + 1
        self.plan.assignments.append(NewAssignment(key, position, code))
        self.made.add(key)

    def _recording_code(self, recording: KnownRecording) -> str:
        code = recording.blind_code or self.plan.blind_codes.get(recording.id)
        if code is None:
            code = self._fresh_code()
            self.plan.blind_codes[recording.id] = code
        return code

    def _fresh_code(self) -> str:
        code = self.new_code(self.state.codes)
        self.state.codes.add(code)
        return code

    def _rating(self, row: RatingRow, key: AssignmentKey) -> tuple[str, str] | None:
        first = self.lines.setdefault((key, row.dimension), row.line)
        if first != row.line:
            return (f"rater {row.rater} scores this recording on {row.dimension} again (first on "
                    f"line {first})",
                    "keep one score per recording, rater and dimension (a re-test has role "
                    "retest)")
        assignment = self.assignments.get(key)
        existing = self.state.ratings.get((assignment[0], row.dimension)) if assignment else None
        if existing is None:
            self.plan.ratings.append(NewRating(key, assignment[0] if assignment else None,
                                               row.dimension, row.score, row.at))
            return None
        status, score = existing
        if status != "submitted":
            return (f"rater {row.rater} has a draft {row.dimension} score for this recording",
                    "let the rater submit or clear the draft first")
        if score != row.score:
            return (f"rater {row.rater} already submitted {row.dimension} = {score} for this "
                    f"recording (the file says {row.score})",
                    "a submitted score changes only by an amendment with a reason")
        self.plan.unchanged += 1
        return None
