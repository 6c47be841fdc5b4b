"""Reading gold (expert) scores from CSV: `file,dimension,score,rationale,moment_s[,expert]`.

One row per recording × dimension (× expert). `expert` empty or absent: the agreed score; a name:
that expert's own score, kept beside the agreed one. `moment_s` holds evidence moments in seconds,
several separated by `;`, or spread over repeated rows of the same recording and dimension; an
optional `moment_text` column gives their text (else the rationale is the text). Every problem is
reported at once, with its line.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field

from rater.core.codebook import Codebook
from rater.core.errors import Problem, RaterError

REQUIRED = ("file", "dimension", "score")
OPTIONAL = ("rationale", "moment_s", "moment_text", "expert")


@dataclass
class GoldRow:
    """The gold of one recording, dimension and expert, gathered from one or more lines."""

    file: str
    dimension: str
    expert: str
    score: int
    rationale: str
    line: int
    moments: list[tuple[float, str]] = field(default_factory=list)


def parse_gold_csv(data: bytes, source: str, codebook: Codebook) -> list[GoldRow]:
    """Rows in file order; raises RaterError listing every problem."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RaterError(Problem(f"the file is not UTF-8 text (byte {exc.start})", source,
                                 "save the CSV as UTF-8")) from None
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise RaterError(Problem(f"missing column(s): {', '.join(missing)}", f"{source}:1",
                                 "the header needs file,dimension,score (and optionally "
                                 "rationale,moment_s,moment_text,expert)"))
    reader.fieldnames = header
    problems: list[Problem] = []
    rows: dict[tuple[str, str, str], GoldRow] = {}
    for number, raw in enumerate(reader, start=2):
        values = {k: (v or "").strip() for k, v in raw.items() if k}
        if not any(values.values()):
            continue
        row = _row(values, f"{source}:{number}", number, codebook, problems)
        if row is not None:
            _merge(rows, row, f"{source}:{number}", problems)
    if problems:
        raise RaterError(problems)
    if not rows:
        raise RaterError(Problem("the file has no gold scores", source,
                                 "add one line per recording and dimension"))
    return list(rows.values())


def _row(values: dict[str, str], where: str, line: int, codebook: Codebook,
         problems: list[Problem]) -> GoldRow | None:
    before = len(problems)
    if not values.get("file"):
        problems.append(Problem("the file is empty", where, "name the recording's file"))
    dimensions = [d.id for d in codebook.dimensions]
    dimension = values.get("dimension", "")
    if dimension not in dimensions:
        problems.append(Problem(f"unknown dimension '{dimension}'", where,
                                f"use one of: {', '.join(dimensions)}"))
    score = _score(values.get("score", ""), codebook, where, problems)
    moments = _moments(values.get("moment_s", ""), where, problems)
    if len(problems) > before:
        return None
    rationale = values.get("rationale", "")
    text = values.get("moment_text", "") or rationale
    return GoldRow(values["file"], dimension, values.get("expert", ""), score, rationale, line,
                   [(t, text) for t in moments])


def _score(text: str, codebook: Codebook, where: str, problems: list[Problem]) -> int:
    scale = codebook.scale
    try:
        score = int(text)
    except ValueError:
        problems.append(Problem(f"the score '{text}' is not a whole number", where,
                                f"score from {scale.min} to {scale.max}"))
        return 0
    if score not in scale.values:
        problems.append(Problem(f"{score} is not on the scale", where,
                                f"score from {scale.min} to {scale.max}"))
    return score


def _moments(text: str, where: str, problems: list[Problem]) -> list[float]:
    found = []
    for part in filter(None, (p.strip() for p in text.split(";"))):
        try:
            seconds = float(part)
        except ValueError:
            seconds = math.nan
        if not math.isfinite(seconds) or seconds < 0:
            problems.append(Problem(f"the moment '{part}' is not a time in seconds", where,
                                    "write seconds from the start, e.g. 34.3; separate "
                                    "several with ';'"))
            continue
        found.append(seconds)
    return found


def _merge(rows: dict[tuple[str, str, str], GoldRow], row: GoldRow, where: str,
           problems: list[Problem]) -> None:
    key = (row.file, row.dimension, row.expert)
    earlier = rows.get(key)
    if earlier is None:
        rows[key] = row
        return
    if earlier.score != row.score:
        who = f"expert {row.expert}" if row.expert else "the agreed score"
        problems.append(Problem(
            f"{row.file} {row.dimension}: {who} is {earlier.score} on line {earlier.line} and "
            f"{row.score} here", where, "give one score per recording, dimension and expert"))
        return
    earlier.rationale = earlier.rationale or row.rationale
    earlier.moments.extend(row.moments)
