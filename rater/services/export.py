"""User action: export a study for analysis elsewhere (`rater export`).

Tables (docs/decisions/0401-analysis-and-exports.md):
- ratings (long): one row per recording × rater × dimension, every submitted rating;
- recordings (wide): one row per recording, scores by role, the analysis score, consensus;
- notes: one row per rater's note.
Until the study is unblinded the recording is named by its blind code and only fields visible
to raters appear; afterwards the hidden fields and the original file name join (storage enforces
this). The score analysed is chosen explicitly and named in every export (`score_method`).

Missing values: declared codes in SPSS (-9, -8), extended missing values in Stata (.a, .b),
empty cells in CSV, Excel and Parquet. Every file is written to a temporary file in the same
folder and moved into place, with its data dictionary (FILE.dictionary.csv) beside it.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from rater.core.analysis import (
    DEFAULT_METHOD,
    SCORE_METHODS,
    check_method,
    markdown_table,
)
from rater.core.errors import Problem, RaterError
from rater.core.export_names import (
    dictionary_rows,
    name_problems,
)
from rater.services.analysis import study_codebook
from rater.services.export_formats import MISSING_STYLE, STATA_VERSIONS, WRITERS, ExportOptions
from rater.services.export_tables import StudyData, Table, long_table, notes_table, wide_table
from rater.services.reliability import study_reliability
from rater.services.session import open_store
from rater.storage import analysis as data

FORMATS = ("csv-long", "csv-wide", "csv-notes", "xlsx", "sav", "dta", "parquet")
LAYOUTS = ("wide", "long")

DICTIONARY_SUFFIX = ".dictionary.csv"

# ---------------------------------------------------------------------------------------------
# the action

def dictionary_path(out: Path) -> Path:
    return out.with_name(out.name + DICTIONARY_SUFFIX)


def export_study(study: str, fmt: str, out: Path, score: str = DEFAULT_METHOD,
                 layout: str = "wide", options: ExportOptions | None = None) -> dict[str, Any]:
    """Write one export and its data dictionary; return what was written."""
    options = options or ExportOptions()
    if options.stata_release not in STATA_VERSIONS:
        raise RaterError(Problem(f"Stata release {options.stata_release}", "--stata-release",
                                 "choose 118 (Stata 14 and later) or 119 (Stata 15 and later)"))
    _check_request(fmt, layout, out)
    check_method(score)
    with open_store(study) as store:
        gathered = StudyData(study_codebook(store), data.submitted_ratings(store),
                             data.recordings_for_analysis(store), data.latest_consensus(store),
                             data.notes(store) + data.notes(store, gold=True), score,
                             data.submitted_ratings(store, gold=True))
    report = study_reliability(study) if fmt == "xlsx" and gathered.ratings else None
    tables = _tables_for(fmt, layout, gathered)
    for table in tables:
        _check_names(table)
    with atomic_files(out, dictionary_path(out)) as (target, dictionary):
        WRITERS[fmt](tables, target, gathered, report, options)
        _write_dictionary(tables, dictionary, fmt)
    return {"format": fmt, "file": str(out), "dictionary": str(dictionary_path(out)),
            "score": score, "score_method": SCORE_METHODS[score],
            "unblinded": gathered.recordings.unblinded,
            "tables": {t.name: {"rows": len(t.frame), "columns": len(t.frame.columns)}
                       for t in tables}}


def _check_request(fmt: str, layout: str, out: Path) -> None:
    if fmt not in FORMATS:
        raise RaterError(Problem(f"unknown format '{fmt}'", "--format",
                                 f"choose one of: {', '.join(FORMATS)}"))
    if layout not in LAYOUTS:
        raise RaterError(Problem(f"unknown layout '{layout}'", "--layout", "use wide or long"))
    if not out.parent.is_dir():
        raise RaterError(Problem("the folder does not exist", str(out.parent),
                                 "create the folder first, or write elsewhere"))


def _tables_for(fmt: str, layout: str, d: StudyData) -> list[Table]:
    if fmt == "xlsx":
        return [long_table(d), wide_table(d), notes_table(d)]
    if fmt == "csv-notes":
        return [notes_table(d)]
    if fmt == "csv-long" or (fmt in ("sav", "dta", "parquet") and layout == "long"):
        return [long_table(d)]
    return [wide_table(d)]


def _check_names(table: Table) -> None:
    problems = name_problems(table.frame.columns)
    if problems:  # a bug, not bad input: names are made valid above
        raise AssertionError(f"invalid variable names in {table.name}: {problems}")


@contextmanager
def atomic_files(*targets: Path) -> Iterator[tuple[Path, ...]]:
    """Temporary paths beside `targets`; all moved into place together only if the block
    succeeds, so an export is never half-written."""
    temporary = []
    try:
        for target in targets:
            path = target.with_name(f".{target.name}.{secrets.token_hex(6)}{target.suffix}")
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))  # umask applies
            temporary.append(path)
        yield tuple(temporary)
        for path in temporary:
            with open(path, "rb") as written:
                os.fsync(written.fileno())
        for path, target in zip(temporary, targets, strict=True):
            os.replace(path, target)
    finally:
        for path in temporary:
            path.unlink(missing_ok=True)

def write_table(rows: list[list[str]], out: Path) -> Path:
    """A paper table (header row first) as Markdown (.md) or CSV (.csv), atomically."""
    suffix = out.suffix.lower()
    if suffix not in (".md", ".csv"):
        raise RaterError(Problem(f"cannot write a table as '{out.suffix}'", str(out),
                                 "name the table FILE.md or FILE.csv"))
    with atomic_files(out) as (target,):
        if suffix == ".md":
            target.write_text(markdown_table(rows) + "\n", encoding="utf-8")
        else:
            pd.DataFrame(rows[1:], columns=rows[0]).to_csv(target, index=False,
                                                          encoding="utf-8", lineterminator="\n")
    return out


def _write_dictionary(tables: list[Table], target: Path, fmt: str) -> None:
    rows = dictionary_rows({t.name: t.variables for t in tables}, MISSING_STYLE.get(fmt, "empty"))
    pd.DataFrame(rows).to_csv(target, index=False, encoding="utf-8", lineterminator="\n")
