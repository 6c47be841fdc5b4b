"""Reading a ratings CSV for `rater reliability --ratings FILE.csv`.

Columns `unit,rater,dimension,score` (and optionally `role`); one row per score; an empty
score is a missing rating. Every problem is reported with its line.
"""

from __future__ import annotations

import csv
import io
import warnings

import numpy as np
import pandas as pd

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


def read_ratings_csv(data: bytes, source: str) -> pd.DataFrame:
    """The ratings as a table: unit, rater, dimension, score (NaN = missing), role.

    A file can hold hundreds of thousands of scores, so a clean file is read by pandas' C
    parser; a file with anything to report is read again row by row, and every bad row is
    reported with its line. Blank lines are skipped.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RaterError(Problem("not UTF-8 text", source, "save the file as CSV UTF-8")) from None
    fast = _read_clean(text)
    return fast if fast is not None else _read_by_row(text, source)


def _read_clean(text: str) -> pd.DataFrame | None:
    """The table if the file parses cleanly with every score a whole number or empty and every
    unit, rater and dimension given; None if anything needs the row-by-row reading."""
    try:
        with warnings.catch_warnings(action="ignore", category=pd.errors.ParserWarning):
            frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False,
                                na_filter=False, index_col=False)  # extra fields: ignored
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError):
        return None
    frame.columns = [str(c).strip() for c in frame.columns]
    names = [n for n in (*REQUIRED, "role") if n in frame.columns]
    if len(frame) == 0 or not set(REQUIRED) <= set(names) or frame.columns.duplicated().any():
        return None
    strip = any(c in text for c in " \t\f\v")
    columns = {n: frame[n].fillna("").str.strip() if strip else frame[n].fillna("")
               for n in names}
    score = columns["score"]
    if not score.str.fullmatch(r"-?[0-9]*").all():
        return None
    if any((columns[n] == "").any() for n in ("unit", "rater", "dimension")):
        return None
    numeric = pd.to_numeric(score.mask(score == ""), errors="coerce")
    if (numeric.isna() & (score != "")).any():
        return None
    return _table(columns, numeric)


def _table(columns: dict[str, pd.Series], score: pd.Series) -> pd.DataFrame:
    return pd.DataFrame({
        "unit": columns["unit"], "rater": columns["rater"], "dimension": columns["dimension"],
        "score": score.astype(float),
        "role": columns.get("role", ""),
    })


def _read_by_row(text: str, source: str) -> pd.DataFrame:
    """The csv module's reading, row by row, with every problem and its line."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip() for h in next(reader, [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise RaterError(Problem(f"missing column(s): {', '.join(missing)}", f"{source}:1",
                                 "the header needs unit,rater,dimension,score"))
    rows, lines = [], []
    for row in reader:
        if row:
            rows.append(row)
            lines.append(reader.line_num)
    if not rows:
        raise RaterError(Problem("no ratings in the file", source, "add one row per score"))
    columns = {name: _column(rows, header.index(name))
               for name in (*REQUIRED, "role") if name in header}
    _check_rows(columns, lines, source)
    score = columns["score"]
    return _table(columns, pd.to_numeric(score.mask(score == ""), errors="raise"))


def _column(rows: list[list[str]], i: int) -> pd.Series:
    """Column i of the rows, stripped ("" where a row is short)."""
    return pd.Series([row[i] if i < len(row) else "" for row in rows], dtype=object).str.strip()


def _check_rows(columns: dict[str, pd.Series], lines: list[int], source: str) -> None:
    """A problem for every row with a score that is not a whole number, or an empty id."""
    score = columns["score"]
    bad_score = ((score != "") & ~score.str.fullmatch(r"-?[0-9]+")).to_numpy()
    empty = ((columns["unit"] == "") | (columns["rater"] == "") |
             (columns["dimension"] == "")).to_numpy()
    problems = []
    for i in np.flatnonzero(bad_score | empty):
        where = f"{source}:{lines[i]}"
        if bad_score[i]:
            problems.append(Problem(f"score '{score.iloc[i]}' is not a whole number", where,
                                    "write the score as an integer, or leave it empty"))
        else:
            problems.append(Problem("unit, rater and dimension are all needed", where,
                                    "fill in the empty cell"))
    if problems:
        raise RaterError(problems)
