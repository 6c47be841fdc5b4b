"""Reading a ratings CSV for `rater reliability --ratings FILE.csv`.

Columns `unit,rater,dimension,score` (and optionally `role`); one row per score; an empty
score is a missing rating. Every problem is reported with its line.
"""

from __future__ import annotations

import csv
import io

from rater.core.errors import Problem, RaterError

REQUIRED = ("unit", "rater", "dimension", "score")


def parse_scale(text: str) -> tuple[int, int]:
    """'1-5' -> (1, 5)."""
    try:
        low, high = (int(part) for part in text.split("-", 1))
    except ValueError:
        raise RaterError(Problem(f"scale '{text}' is not MIN-MAX", "--scale",
                                 "write the scale as e.g. 1-5")) from None
    if low >= high:
        raise RaterError(Problem(f"scale '{text}' is empty", "--scale", "MIN must be below MAX"))
    return low, high


def read_ratings_csv(data: bytes, source: str) -> list[dict]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RaterError(Problem("not UTF-8 text", source, "save the file as CSV UTF-8")) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise RaterError(Problem(f"missing column(s): {', '.join(missing)}", f"{source}:1",
                                 "the header needs unit,rater,dimension,score"))
    reader.fieldnames = header
    rows, problems = [], []
    for line, row in enumerate(reader, start=2):
        values = {k: (v or "").strip() for k, v in row.items() if k}
        score = values["score"]
        if score and not score.lstrip("-").isdigit():
            problems.append(Problem(f"score '{score}' is not a whole number", f"{source}:{line}",
                                    "write the score as an integer, or leave it empty"))
            continue
        if not values["unit"] or not values["rater"] or not values["dimension"]:
            problems.append(Problem("unit, rater and dimension are all needed",
                                    f"{source}:{line}", "fill in the empty cell"))
            continue
        rows.append({"unit": values["unit"], "rater": values["rater"],
                     "dimension": values["dimension"], "score": int(score) if score else None,
                     "role": values.get("role", "")})
    if problems:
        raise RaterError(problems)
    if not rows:
        raise RaterError(Problem("no ratings in the file", source, "add one row per score"))
    return rows
