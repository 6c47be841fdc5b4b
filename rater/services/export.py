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

import csv
import dataclasses
import json
import os
import secrets
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from rater.core.analysis import (
    DEFAULT_METHOD,
    SCORE_METHODS,
    analysis_scores,
    check_method,
    markdown_table,
)
from rater.core.codebook import Codebook
from rater.core.errors import Problem, RaterError
from rater.core.export_names import (
    MISSING_CODES,
    NOT_APPLICABLE,
    NOT_RATED,
    STATA_MISSING,
    Variable,
    dictionary_rows,
    label,
    name_problems,
    suffixed,
    variable_name,
)
from rater.services.analysis import consensus_frame, ratings_frame, study_codebook
from rater.services.reliability import study_reliability
from rater.services.session import open_store
from rater.storage import analysis as data

FORMATS = ("csv-long", "csv-wide", "csv-notes", "xlsx", "sav", "dta", "parquet")
LAYOUTS = ("wide", "long")
ROLES = ("primary", "second", "retest")
LISTED_ROLES = (*ROLES, "gold")  # gold items: in the ratings and notes tables, never analysed
YES_NO = {0: "no", 1: "yes"}
DICTIONARY_SUFFIX = ".dictionary.csv"


@dataclass
class Table:
    """An export table: missing values are NOT_RATED / NOT_APPLICABLE in `missing` variables,
    text is "" when empty, times are UTC."""

    name: str
    frame: pd.DataFrame
    variables: list[Variable]


@dataclass
class StudyData:
    codebook: Codebook
    ratings: list[data.RatingRow]
    recordings: data.RecordingTable
    consensus: list[data.ConsensusRow]
    notes: list[data.NoteRow]
    method: str
    # ratings of gold items: listed in the ratings table, never analysed
    gold_ratings: list[data.RatingRow] = dataclasses.field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# the action

def dictionary_path(out: Path) -> Path:
    return out.with_name(out.name + DICTIONARY_SUFFIX)


def export_study(study: str, fmt: str, out: Path, score: str = DEFAULT_METHOD,
                 layout: str = "wide") -> dict[str, Any]:
    """Write one export and its data dictionary; return what was written."""
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
        WRITERS[fmt](tables, target, gathered, report)
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


# ---------------------------------------------------------------------------------------------
# tables

class _Names:
    """Hands out valid, unique variable names in the order columns are added."""

    def __init__(self) -> None:
        self.taken: list[str] = []

    def __call__(self, text: str) -> str:
        name = variable_name(text, self.taken)
        self.taken.append(name)
        return name


def _recording_columns(d: StudyData, names: _Names) -> list[tuple[str, str | None, Variable]]:
    """(source field or None for the file name, variable) of the recording's identifying
    columns. Visible fields are named before hidden ones, so unblinding never renames them."""
    fields = sorted(d.recordings.fields, key=lambda f: f[1])
    out = []
    for field, hidden in fields:
        who = "hidden from raters, shown after unblinding" if hidden else "visible to raters"
        out.append((field, Variable(names(field), label(field), "text",
                                    f"Metadata column '{field}' of the import ({who})")))
    if d.recordings.unblinded:
        out.append((None, Variable(names("file_name"), "Original file name", "text",
                                   "The recording's file name as imported (hidden from raters, "
                                   "shown after unblinding)")))
    return out


def _code_variable(names: _Names) -> Variable:
    return Variable(names("code"), "Blind code of the recording", "text",
                    "The opaque code raters saw; the key to everything else about the recording")


def _recording_values(row: data.RecordingRow | None, columns) -> dict[str, str]:
    if row is None:
        return {v.name: "" for _, v in columns}
    return {v.name: (row.metadata.get(field, "") if field is not None else row.file_name or "")
            for field, v in columns}


def _score_variable(name: str, text: str, description: str, d: StudyData,
                    missing: bool, integer: bool = True) -> Variable:
    labels = d.codebook.scale.labels if integer else {}
    return Variable(name, label(text), "integer" if integer else "number", description,
                    labels, missing)


def _analysis(d: StudyData) -> pd.Series:
    return analysis_scores(ratings_frame(d.ratings), consensus_frame(d.consensus), d.method)


def _method_text(d: StudyData) -> str:
    return f"{d.method}: {SCORE_METHODS[d.method]}"


def long_table(d: StudyData) -> Table:
    """One row per submitted rating (recording × rater × dimension)."""
    names = _Names()
    code = _code_variable(names)
    fixed = {key: names(key) for key in (
        "rater", "role", "dimension", "score", "amended", "analysis_score", "score_method",
        "codebook", "codebook_version", "started_at", "submitted_at", "heard_share", "speed",
        "notes")}
    columns = _recording_columns(d, names)
    by_id = {r.id: r for r in d.recordings.rows}
    analysis = _analysis(d)
    position = {dim.id: i for i, dim in enumerate(d.codebook.dimensions)}
    records = []
    for r in sorted(d.ratings + d.gold_ratings,
                    key=lambda r: (r.code, LISTED_ROLES.index(r.role), r.rater,
                                   position[r.dimension])):
        analysed = (NOT_APPLICABLE if r.role == "gold"
                    else analysis.get((r.recording_id, r.dimension), NOT_RATED))
        records.append({
            code.name: r.code, **_recording_values(by_id.get(r.recording_id), columns),
            fixed["rater"]: r.rater, fixed["role"]: r.role, fixed["dimension"]: r.dimension,
            fixed["score"]: r.score, fixed["amended"]: int(r.amended),
            fixed["analysis_score"]: analysed,
            fixed["score_method"]: d.method, fixed["codebook"]: r.codebook,
            fixed["codebook_version"]: r.codebook_version,
            fixed["started_at"]: r.started_at, fixed["submitted_at"]: r.submitted_at,
            fixed["heard_share"]: NOT_RATED if r.heard_share is None else r.heard_share,
            fixed["speed"]: NOT_RATED if r.speed is None else r.speed,
            fixed["notes"]: r.notes})
    integer_analysis = d.method != "mean"
    dims = "; ".join(f"{x.id} = {x.name}" for x in d.codebook.dimensions)
    variables = [code, *(v for _, v in columns),
                 Variable(fixed["rater"], "Rater", "text", "The rater's id"),
                 Variable(fixed["role"], "Rater's role", "text",
                          "primary = the recording's first rater; second = the independent "
                          "second rater (double-coding, reliability); retest = the same rater "
                          "again (intra-rater reliability); gold = a gold item (training or "
                          "drift check against expert scores), never analysed"),
                 Variable(fixed["dimension"], "Dimension", "text", f"Codebook dimension: {dims}"),
                 _score_variable(fixed["score"], "Score", "The rater's submitted score (after "
                                 "any amendment)", d, missing=False),
                 Variable(fixed["amended"], "Score amended after submission", "yes/no",
                          "1 if the rater changed the submitted score by an amendment (with a "
                          "reason, kept in the audit trail)", YES_NO),
                 _score_variable(fixed["analysis_score"], f"Analysis score ({d.method})",
                                 "The score analysed for this recording and dimension, "
                                 f"repeated on each rater's row (not applicable on gold "
                                 f"rows); {_method_text(d)}", d,
                                 missing=True, integer=integer_analysis),
                 Variable(fixed["score_method"], "Score analysed", "text", _method_text(d)),
                 Variable(fixed["codebook"], "Codebook id", "text",
                          "The codebook the rating was made with"),
                 Variable(fixed["codebook_version"], "Codebook version", "text",
                          "The codebook version the rating was made with"),
                 Variable(fixed["started_at"], "Rating started (UTC)", "datetime",
                          "When the rater first scored this dimension (UTC)"),
                 Variable(fixed["submitted_at"], "Rating submitted (UTC)", "datetime",
                          "When the rating was submitted (UTC)"),
                 Variable(fixed["heard_share"], "Share of the recording heard", "number",
                          "Share (0-1) of the recording the rater played at least once "
                          "(overlapping listening merged); missing when no listening was "
                          "recorded, e.g. imported ratings", missing=True),
                 Variable(fixed["speed"], "Playback speed used", "number",
                          "Mean playback speed, weighted by the recording seconds played at "
                          "each speed; missing when no listening was recorded", missing=True),
                 Variable(fixed["notes"], "Number of notes", "integer",
                          "How many time-stamped notes the rater made on this recording")]
    return Table("ratings", _frame(records, variables), variables)


def wide_table(d: StudyData) -> Table:
    """One row per recording: analysis score, each role's score and consensus per dimension."""
    names = _Names()
    code = _code_variable(names)
    score_names = {}
    for dim in d.codebook.dimensions:
        score_names[dim.id, "analysis"] = names(dim.id)
        for part in (*ROLES, "consensus"):
            score_names[dim.id, part] = names(suffixed(dim.id, part))
    rater_names = {role: names(f"rater_{role}") for role in ROLES}
    method_name = names("score_method")
    columns = _recording_columns(d, names)
    scores = {(r.recording_id, r.role, r.dimension): r.score for r in d.ratings}
    agreed = {(c.recording_id, c.dimension): c.score for c in d.consensus}
    analysis = _analysis(d)
    records = []
    for rec in d.recordings.rows:
        row: dict[str, Any] = {code.name: rec.code, **_recording_values(rec, columns)}
        for dim in d.codebook.dimensions:
            row[score_names[dim.id, "analysis"]] = analysis.get((rec.id, dim.id), NOT_RATED)
            for role in ROLES:
                row[score_names[dim.id, role]] = (
                    scores.get((rec.id, role, dim.id), NOT_RATED) if role in rec.raters
                    else NOT_APPLICABLE)
            row[score_names[dim.id, "consensus"]] = agreed.get((rec.id, dim.id), NOT_APPLICABLE)
        row.update({rater_names[role]: rec.raters.get(role, "") for role in ROLES})
        row[method_name] = d.method
        records.append(row)
    variables = [code]
    for dim in d.codebook.dimensions:
        variables.append(_score_variable(
            score_names[dim.id, "analysis"], f"{dim.name}: analysis score ({d.method})",
            f"{dim.name}, the score analysed: {_method_text(d)}", d, missing=True,
            integer=d.method != "mean"))
        variables += [_score_variable(score_names[dim.id, role], f"{dim.name}: {role} rater",
                                      f"{dim.name} as scored by the recording's {role} rater",
                                      d, missing=True) for role in ROLES]
        variables.append(_score_variable(
            score_names[dim.id, "consensus"], f"{dim.name}: consensus",
            f"{dim.name}: the latest consensus score after a disagreement (the independent "
            "scores are unchanged)", d, missing=True))
    variables += [Variable(rater_names[role], f"{role.capitalize()} rater", "text",
                           f"The id of the recording's {role} rater (empty: none)")
                  for role in ROLES]
    variables.append(Variable(method_name, "Score analysed", "text", _method_text(d)))
    variables[1:1] = [v for _, v in columns]
    return Table("recordings", _frame(records, variables), variables)


def notes_table(d: StudyData) -> Table:
    """One row per note a rater made while listening."""
    names = _Names()
    variables = [_code_variable(names),
                 Variable(names("rater"), "Rater", "text", "The rater's id"),
                 Variable(names("role"), "Rater's role", "text",
                          "primary, second, retest, or gold (a gold item, never analysed)"),
                 Variable(names("time_s"), "Time in the recording (s)", "number",
                          "Where in the recording the note was made, in seconds"),
                 Variable(names("dimension"), "Dimension", "text",
                          "The dimension the note is about (empty: general)"),
                 Variable(names("text"), "Note", "text", "The note as the rater wrote it"),
                 Variable(names("created_at"), "Note made (UTC)", "datetime",
                          "When the note was made (UTC)")]
    records = [dict(zip((v.name for v in variables),
                        (n.code, n.rater, n.role, n.time_s, n.dimension or "", n.text,
                         n.created_at), strict=True))
               for n in d.notes]
    return Table("notes", _frame(records, variables), variables)


DTYPES = {"integer": "Int64", "yes/no": "Int64", "number": "float64", "text": "object"}


def _frame(records: list[dict[str, Any]], variables: list[Variable]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(records, columns=[v.name for v in variables])
    for v in variables:
        if v.kind == "datetime":
            frame[v.name] = pd.to_datetime(frame[v.name], utc=True)
        else:
            frame[v.name] = frame[v.name].astype(DTYPES[v.kind])
    return frame


# ---------------------------------------------------------------------------------------------
# formats

def _empty_missing(table: Table) -> pd.DataFrame:
    """Missing codes as empty cells (NA), for CSV, Excel and Parquet."""
    frame = table.frame.copy()
    for v in table.variables:
        if v.missing:
            frame[v.name] = frame[v.name].mask(frame[v.name] < 0)
    return frame


def _naive_utc(frame: pd.DataFrame, variables: list[Variable]) -> pd.DataFrame:
    for v in variables:
        if v.kind == "datetime":
            frame[v.name] = frame[v.name].dt.tz_convert("UTC").dt.tz_localize(None)
    return frame


def _write_csv(tables: list[Table], target: Path, *_context) -> None:
    [table] = tables
    frame = _empty_missing(table)
    for v in table.variables:
        if v.kind == "datetime":
            frame[v.name] = frame[v.name].map(lambda t: t.isoformat() if pd.notna(t) else "")
    frame.to_csv(target, index=False, encoding="utf-8", lineterminator="\n",
                 quoting=csv.QUOTE_MINIMAL)


def _write_parquet(tables: list[Table], target: Path, d: StudyData, _report) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    [table] = tables
    arrow = pa.Table.from_pandas(_empty_missing(table), preserve_index=False)
    described = {v.name: v for v in table.variables}
    fields = [f.with_metadata({"label": described[f.name].label,
                               "description": described[f.name].description,
                               "values": json.dumps(described[f.name].value_labels)})
              for f in arrow.schema]
    metadata = {**(arrow.schema.metadata or {}), b"rater.score_method": _method_text(d).encode(),
                b"rater.missing": b"null = no value"}
    pq.write_table(arrow.cast(pa.schema(fields, metadata=metadata)), target)


def _spss_frame(table: Table) -> pd.DataFrame:
    frame = _naive_utc(table.frame.copy(), table.variables)
    for v in table.variables:
        if v.kind in ("integer", "yes/no", "number"):
            frame[v.name] = frame[v.name].astype("float64")
    return frame


def _write_sav(tables: list[Table], target: Path, d: StudyData, _report) -> None:
    import pyreadstat

    [table] = tables
    variables = table.variables
    pyreadstat.write_sav(
        _spss_frame(table), str(target), file_label=f"Rater export; score: {d.method}",
        column_labels={v.name: v.label for v in variables},
        note=_spss_document([f"Score analysed: {_method_text(d)}",
                             "Missing: " + "; ".join(f"{k} = {t}"
                                                     for k, t in MISSING_CODES.items())]),
        variable_value_labels={v.name: {**v.value_labels, **(MISSING_CODES if v.missing else {})}
                               for v in variables if v.value_labels or v.missing},
        missing_ranges={v.name: list(MISSING_CODES) for v in variables if v.missing},
        variable_measure={v.name: _measure(v) for v in variables},
        variable_format={v.name: "F8.0" for v in variables if v.kind in ("integer", "yes/no")})


def _spss_document(paragraphs: list[str]) -> list[str]:
    """SPSS document lines hold at most 80 characters."""
    return [line for text in paragraphs for line in textwrap.wrap(text, 80)]


def _measure(v: Variable) -> str:
    if v.value_labels and v.kind != "yes/no":
        return "ordinal"
    return "scale" if v.kind in ("integer", "number", "datetime") else "nominal"


def _write_dta(tables: list[Table], target: Path, d: StudyData, _report) -> None:
    import pyreadstat

    [table] = tables
    frame = _naive_utc(table.frame.copy(), table.variables)
    letters = {code: letter for code, letter in STATA_MISSING.items()}
    for v in table.variables:
        if v.missing:
            frame[v.name] = frame[v.name].astype(object).map(lambda x: letters.get(x, x))
    labels = {letters[k]: text for k, text in MISSING_CODES.items()}
    pyreadstat.write_dta(
        frame, str(target), file_label=label(f"Rater export; score: {_method_text(d)}"),
        column_labels={v.name: v.label for v in table.variables},
        variable_value_labels={v.name: {**v.value_labels, **(labels if v.missing else {})}
                               for v in table.variables if v.value_labels or v.missing},
        missing_user_values={v.name: list(labels) for v in table.variables if v.missing})


def _write_xlsx(tables: list[Table], target: Path, d: StudyData,
                report: dict[str, Any] | None) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for table in tables:
        frame = _naive_utc(_empty_missing(table), table.variables)
        _sheet(book, table.name, list(frame.columns),
               frame.astype(object).where(frame.notna(), None).itertuples(index=False))
    _sheet(book, "reliability", RELIABILITY_COLUMNS, _reliability_rows(report))
    _sheet(book, "codebook", ["dimension", "name", "definition", "level", "label", "anchor"],
           _codebook_rows(d.codebook))
    rows = dictionary_rows({t.name: t.variables for t in tables}, "empty")
    _sheet(book, "dictionary", list(rows[0]), (list(r.values()) for r in rows))
    book.save(target)


def _sheet(book, title: str, header: list[str], rows) -> None:
    """A sheet with a bold, frozen header; text is stored as text even if it starts with '='
    (never as a formula), and characters XML cannot hold are dropped."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    sheet = book.create_sheet(title)
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for row in rows:
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v
                      for v in row])
        for cell in sheet[sheet.max_row]:
            if cell.data_type == "f":
                cell.data_type = "s"


RELIABILITY_COLUMNS = ["dimension", "statistic", "method", "value", "ci_low", "ci_high",
                       "n_units", "n_raters", "note"]


def _reliability_rows(report: dict[str, Any] | None) -> Iterator[list[Any]]:
    """Every statistic of every dimension, then the criterion's verdict."""
    for dim, entry in (report or {}).get("dimensions", {}).items():
        for key, stat in entry["statistics"].items():
            ci = stat["ci95"] or [None, None]
            yield [dim, key, stat["method"], stat["value"], *ci, stat["n_units"],
                   stat["n_raters"], stat["note"]]
        verdict = entry["criterion"]
        ci = verdict["ci95"] or [None, None]
        yield [dim, "criterion", f"{verdict['statistic']} > {verdict['threshold']:g}",
               verdict["value"], *ci, entry["n_units"], entry["n_raters"], verdict["summary"]]


def _codebook_rows(codebook: Codebook) -> Iterator[list[Any]]:
    for dim in codebook.dimensions:
        for level, anchor in dim.anchors.items():
            yield [dim.id, dim.name, dim.definition, level, codebook.scale.labels[level], anchor]


WRITERS = {"csv-long": _write_csv, "csv-wide": _write_csv, "csv-notes": _write_csv,
           "xlsx": _write_xlsx, "sav": _write_sav, "dta": _write_dta, "parquet": _write_parquet}
MISSING_STYLE = {"sav": "codes", "dta": "stata"}


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
