"""The export tables of a study: ratings (long), recordings (wide) and notes, each a frame with
its variables (names, labels, kinds, value labels, missing codes). The same names in every
layout and format of one study (`_Names`)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import pandas as pd

from rater.core.analysis import (
    SCORE_METHODS,
    analysis_scores,
)
from rater.core.codebook import Codebook
from rater.core.export_names import (
    NOT_APPLICABLE,
    NOT_RATED,
    Variable,
    label,
    suffixed,
    variable_name,
)
from rater.services.analysis import consensus_frame, ratings_frame
from rater.storage import analysis as data

ROLES = ("primary", "second", "retest")
LISTED_ROLES = (*ROLES, "gold")  # gold items: in the ratings and notes tables, never analysed
YES_NO = {0: "no", 1: "yes"}


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

# tables

LONG_NAMES = ("rater", "role", "dimension", "score", "amended", "analysis_score",
              "analysis_row", "score_method", "codebook", "codebook_version", "started_at",
              "submitted_at", "heard_share", "speed", "notes")
NOTE_NAMES = ("rater", "role", "time_s", "dimension", "text", "created_at")


def generated_names(d: StudyData) -> set[str]:
    """Every name Rater makes in any table of this study. A metadata column avoids them all,
    so it has the same name in every layout and format (it was renamed in one layout only)."""
    dims = [dim.id for dim in d.codebook.dimensions]
    return {"code", "file_name", *LONG_NAMES, *NOTE_NAMES, *dims,
            *(suffixed(x, part) for x in dims for part in (*ROLES, "consensus")),
            *(f"rater_{role}" for role in ROLES)}


class _Names:
    """Hands out valid, unique variable names in the order columns are added; metadata
    columns also keep clear of `reserved` (the names Rater makes in any table)."""

    def __init__(self, reserved: set[str] = frozenset()) -> None:
        self.taken: list[str] = []
        self.reserved = reserved

    def __call__(self, text: str) -> str:
        name = variable_name(text, self.taken)
        self.taken.append(name)
        return name

    def metadata(self, field: str) -> str:
        name = variable_name(field, [*self.taken, *self.reserved])
        self.taken.append(name)
        return name


def _recording_columns(d: StudyData, names: _Names) -> list[tuple[str, str | None, Variable]]:
    """(source field or None for the file name, variable) of the recording's identifying
    columns. Visible fields are named before hidden ones, so unblinding never renames them."""
    fields = sorted(d.recordings.fields, key=lambda f: f[1])
    out = []
    for field, hidden in fields:
        who = "hidden from raters, shown after unblinding" if hidden else "visible to raters"
        out.append((field, Variable(names.metadata(field), label(field), "text",
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


def method_text(d: StudyData) -> str:
    return f"{d.method}: {SCORE_METHODS[d.method]}"


def long_table(d: StudyData) -> Table:
    """One row per submitted rating (recording × rater × dimension)."""
    names = _Names(generated_names(d))
    code = _code_variable(names)
    fixed = {key: names(key) for key in LONG_NAMES}
    columns = _recording_columns(d, names)
    by_id = {r.id: r for r in d.recordings.rows}
    analysis = _analysis(d)
    position = {dim.id: i for i, dim in enumerate(d.codebook.dimensions)}
    records, flagged = [], set()
    for r in sorted(d.ratings + d.gold_ratings,
                    key=lambda r: (r.code, LISTED_ROLES.index(r.role), r.rater,
                                   position[r.dimension])):
        analysed = (NOT_APPLICABLE if r.role == "gold"
                    else analysis.get((r.recording_id, r.dimension), NOT_RATED))
        first = r.role != "gold" and (r.recording_id, r.dimension) not in flagged
        flagged.add((r.recording_id, r.dimension))
        records.append({
            code.name: r.code, **_recording_values(by_id.get(r.recording_id), columns),
            fixed["rater"]: r.rater, fixed["role"]: r.role, fixed["dimension"]: r.dimension,
            fixed["score"]: r.score, fixed["amended"]: int(r.amended),
            fixed["analysis_score"]: analysed, fixed["analysis_row"]: int(first),
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
                                 f"rows); {method_text(d)}", d,
                                 missing=True, integer=integer_analysis),
                 Variable(fixed["analysis_row"], "The recording's analysis row", "yes/no",
                          "1 on exactly one row per recording and dimension (the primary "
                          "rater's, else the first rater's): select analysis_row = 1 before "
                          "averaging analysis_score, or double-coded recordings count twice",
                          YES_NO),
                 Variable(fixed["score_method"], "Score analysed", "text", method_text(d)),
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
    names = _Names(generated_names(d))
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
            f"{dim.name}, the score analysed: {method_text(d)}", d, missing=True,
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
    variables.append(Variable(method_name, "Score analysed", "text", method_text(d)))
    variables[1:1] = [v for _, v in columns]
    return Table("recordings", _frame(records, variables), variables)


def notes_table(d: StudyData) -> Table:
    """One row per note a rater made while listening."""
    names = _Names(generated_names(d))
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
