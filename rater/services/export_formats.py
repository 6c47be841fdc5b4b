"""Writing export tables as files: CSV, Parquet, SPSS (.sav), Stata (.dta) and Excel (.xlsx).

Missing values: declared codes in SPSS (-9, -8), extended missing values in Stata (.a, .b),
empty cells (null) in CSV, Excel and Parquet."""

from __future__ import annotations

import csv
import json
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from rater.core.codebook import Codebook
from rater.core.export_names import (
    MISSING_CODES,
    STATA_MISSING,
    Variable,
    dictionary_rows,
    label,
)
from rater.services.export_tables import StudyData, Table, method_text

# ---------------------------------------------------------------------------------------------
# formats

# Stata's file release -> pyreadstat's version: 118 opens in Stata 14 and later, 119 (needed
# only beyond 32,767 variables) in Stata 15 and later.
STATA_VERSIONS = {118: 14, 119: 15}


@dataclass(frozen=True)
class ExportOptions:
    excel: bool = False  # CSV with a byte-order mark, for Excel on Windows
    stata_release: int = 118


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


def _write_csv(tables: list[Table], target: Path, _d: StudyData, _report,
               options: ExportOptions) -> None:
    [table] = tables
    frame = _empty_missing(table)
    for v in table.variables:
        if v.kind == "datetime":
            frame[v.name] = frame[v.name].map(lambda t: t.isoformat() if pd.notna(t) else "")
    # Excel on Windows reads UTF-8 only with a byte-order mark ("Ã¸" for "ø" without one)
    frame.to_csv(target, index=False, encoding="utf-8-sig" if options.excel else "utf-8",
                 lineterminator="\n", quoting=csv.QUOTE_MINIMAL)


def _write_parquet(tables: list[Table], target: Path, d: StudyData, _report, _options) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    [table] = tables
    frame = _empty_missing(table)
    for v in table.variables:  # "" is no value: null, as the file's metadata says
        if v.kind == "text":
            frame[v.name] = frame[v.name].mask(frame[v.name] == "")
    arrow = pa.Table.from_pandas(frame, preserve_index=False)
    described = {v.name: v for v in table.variables}
    fields = [f.with_metadata({"label": described[f.name].label,
                               "description": described[f.name].description,
                               "values": json.dumps(described[f.name].value_labels)})
              for f in arrow.schema]
    metadata = {**(arrow.schema.metadata or {}), b"rater.score_method": method_text(d).encode(),
                b"rater.missing": b"null = no value"}
    pq.write_table(arrow.cast(pa.schema(fields, metadata=metadata)), target)


def _spss_frame(table: Table) -> pd.DataFrame:
    frame = _naive_utc(table.frame.copy(), table.variables)
    for v in table.variables:
        if v.kind in ("integer", "yes/no", "number"):
            frame[v.name] = frame[v.name].astype("float64")
    return frame


def _write_sav(tables: list[Table], target: Path, d: StudyData, _report, _options) -> None:
    import pyreadstat

    [table] = tables
    variables = table.variables
    pyreadstat.write_sav(
        _spss_frame(table), str(target), file_label=f"Rater export; score: {d.method}",
        column_labels={v.name: v.label for v in variables},
        note=_spss_document([f"Score analysed: {method_text(d)}",
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


def _write_dta(tables: list[Table], target: Path, d: StudyData, _report,
               options: ExportOptions) -> None:
    import pyreadstat

    [table] = tables
    frame = _naive_utc(table.frame.copy(), table.variables)
    letters = {code: letter for code, letter in STATA_MISSING.items()}
    for v in table.variables:
        if v.missing:
            frame[v.name] = frame[v.name].astype(object).map(lambda x: letters.get(x, x))
    labels = {letters[k]: text for k, text in MISSING_CODES.items()}
    pyreadstat.write_dta(
        frame, str(target), file_label=label(f"Rater export; score: {method_text(d)}"),
        column_labels={v.name: v.label for v in table.variables},
        variable_value_labels={v.name: {**v.value_labels, **(labels if v.missing else {})}
                               for v in table.variables if v.value_labels or v.missing},
        missing_user_values={v.name: list(labels) for v in table.variables if v.missing},
        version=STATA_VERSIONS[options.stata_release])


def _write_xlsx(tables: list[Table], target: Path, d: StudyData,
                report: dict[str, Any] | None, _options) -> None:
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
