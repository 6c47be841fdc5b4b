"""Every export read back (pandas, pyreadstat, openpyxl via pandas) and compared with the study:
values, labels, missing values, Unicode, commas, quotes and newlines; blind before unblinding,
the hidden columns joining after; atomic writes; on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pyreadstat
import pytest
from audio_files import write_audio

from rater.core.errors import RaterError
from rater.core.export_names import name_problems
from rater.services import export as export_service
from rater.services import rating
from rater.services.analysis import set_consensus, unblind_study
from rater.services.export import export_study
from rater.services.importing import import_recordings
from rater.services.ratings_import import import_ratings
from rater.services.session import open_store
from rater.services.study import init_study
from rater.storage.ratings import add_listening

DIMS = ("warmth", "empathy", "strengths", "clarity")
LABELS = {1: "very low", 2: "low", 3: "moderate", 4: "high", 5: "very high"}
WORKER_A = 'Zoë "Z" O’Neill, Jr.'
WORKER_B = "Line one\nline two, with a comma"
METADATA = ('file,la,worker,Vignette (A/B),année\n'
            'a.wav,Kestrelford,"Zoë ""Z"" O’Neill, Jr.",A,2012\n'
            'b.wav,Brindlemoor,"Line one\nline two, with a comma",B,2013\n'
            'c.wav,Kestrelford,Ümit,A,2012\n'
            'd.wav,Brindlemoor,Ana,B,2013\n')
HIDDEN = ("la", "worker", "annee", "file_name")
PRIMARY = {"a.wav": (4, 3, 5, 2), "b.wav": (1, 2, 3, 4), "c.wav": (5, 5, 4, 3),
           "d.wav": (2, 3, 2, 1)}
SECOND = {"a.wav": (4, 1, 5, 3), "b.wav": (2, 2, 3, 4), "c.wav": (2, None, None, None)}
RETEST = {"a.wav": (3, 3, 5, 2)}
AMENDED = ("b.wav", "warmth", 2)  # R1 changes b.wav's warmth from 1 to 2
CONSENSUS = ("a.wav", "empathy", 2)
STAMP = "2013-05-14T10:30:00+01:00"
NOTE = 'She said "we\'ll see", then laughed,\nand left — “Zoë” 👍'
FORMULA_NOTE = "=1+1 is not a formula"


def _ratings_csv() -> str:
    lines = ["recording,rater,dimension,score,role,timestamp"]
    for role, rater_id, table in (("", "R1", PRIMARY), ("", "R2", SECOND),
                                  ("retest", "R1", RETEST)):
        for name, scores in table.items():
            for dim, score in zip(DIMS, scores, strict=True):
                if score is not None:
                    stamp = STAMP if rater_id == "R1" and not role else ""
                    lines.append(f"{name},{rater_id},{dim},{score},{role},{stamp}")
    return "\n".join(lines) + "\n"


def build(folder: Path, study: str) -> dict[str, str]:
    """The study; returns file name -> blind code."""
    for i, name in enumerate("abcd"):
        write_audio(folder / "audio" / f"{name}.wav", seconds=2.0, rate=8000, freq=300 + 50 * i)
    (folder / "metadata.csv").write_text(METADATA, encoding="utf-8")
    (folder / "ratings.csv").write_text(_ratings_csv(), encoding="utf-8")
    init_study(study)
    import_recordings(study, folder / "audio", folder / "metadata.csv",
                      hidden=["la", "worker", "année"])
    import_ratings(study, folder / "ratings.csv")
    with open_store(study) as store:
        codes = {r.original_name: r.blind_code for r in store.recordings()}
        add_listening(store, "R1", codes["a.wav"], [(0.0, 0.5, 1.0), (0.25, 1.0, 1.5)])
    name, dim, score = AMENDED
    rating.amend_rating(study, codes[name], dim, score, "misread my own notes", rater="R1")
    name, dim, score = CONSENSUS
    set_consensus(study, codes[name], dim, score, "agreed, with a comma, and “quotes”")
    rating.add_note(study, codes["a.wav"], 12.5, NOTE, "empathy", rater="R1")
    rating.add_note(study, codes["a.wav"], 30.0, FORMULA_NOTE, rater="R2")
    return codes


@pytest.fixture
def study(tmp_path, study_location):
    codes = build(tmp_path, study_location)
    return study_location, codes, tmp_path


def primary(name: str, dim: str) -> int:
    if (name, dim) == AMENDED[:2]:
        return AMENDED[2]
    return PRIMARY[name][DIMS.index(dim)]


def expected_long(codes: dict[str, str]) -> set[tuple[str, str, str, str, int]]:
    rows = set()
    for role, rater_id, table in (("primary", "R1", PRIMARY), ("second", "R2", SECOND),
                                  ("retest", "R1", RETEST)):
        for name, scores in table.items():
            for dim, score in zip(DIMS, scores, strict=True):
                if score is not None:
                    score = primary(name, dim) if role == "primary" else score
                    rows.add((codes[name], rater_id, role, dim, score))
    return rows


def read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


# ---------------------------------------------------------------------------------------------

def test_csv_long_matches_the_study(study):
    location, codes, folder = study
    out = folder / "ratings.csv"
    result = export_study(location, "csv-long", out)
    assert result["unblinded"] is False and result["tables"]["ratings"]["rows"] == 29
    frame = read_csv(out)
    assert {(r.code, r.rater, r.role, r.dimension, int(r.score))
            for r in frame.itertuples()} == expected_long(codes)
    assert set(frame.columns).isdisjoint(HIDDEN)
    assert "Vignette_A_B" in frame.columns  # visible to raters, so present while blind
    row = frame[(frame.code == codes["b.wav"]) & (frame.role == "primary")
                & (frame.dimension == "warmth")].iloc[0]
    assert (row.score, row.amended, row.analysis_score) == ("2", "1", "2")
    assert row.score_method == "primary" and row.codebook == "simulated-interview"
    assert datetime.fromisoformat(row.submitted_at) == datetime(2013, 5, 14, 9, 30, tzinfo=UTC)
    heard = frame[(frame.code == codes["a.wav"]) & (frame.rater == "R1")
                  & (frame.role == "primary")].iloc[0]
    assert float(heard.heard_share) == pytest.approx(0.5)
    assert float(heard.speed) == pytest.approx((0.5 * 1.0 + 0.75 * 1.5) / 1.25)
    assert heard.notes == "1"
    imported = frame[frame.rater == "R2"].iloc[0]
    assert imported.heard_share == "" and imported.speed == ""  # no listening recorded
    dictionary = read_csv(Path(result["dictionary"]))
    assert list(dictionary.variable) == list(frame.columns)
    assert dictionary.loc[dictionary.variable == "score", "values"].iloc[0].startswith(
        "1 = very low; 2 = low")


def test_csv_wide_scores_by_role_with_missing_values(study):
    location, codes, folder = study
    out = folder / "wide.csv"
    export_study(location, "csv-wide", out, score="consensus")
    frame = read_csv(out).set_index("code")
    assert len(frame) == 4 and frame.score_method.eq("consensus").all()
    a, c, d = frame.loc[codes["a.wav"]], frame.loc[codes["c.wav"]], frame.loc[codes["d.wav"]]
    assert (a.warmth_primary, a.warmth_second, a.warmth_retest) == ("4", "4", "3")
    assert (a.empathy_primary, a.empathy_second, a.empathy_consensus) == ("3", "1", "2")
    assert a.empathy == "2"  # consensus where recorded
    assert a.warmth == "4"  # else the primary rater's
    assert (c.warmth_second, c.empathy_second) == ("2", "")  # rated / not rated yet
    assert (d.warmth_second, d.warmth_retest, d.rater_second) == ("", "", "")
    assert (a.rater_primary, a.rater_second, a.rater_retest) == ("R1", "R2", "R1")


def test_mean_score_is_a_number_without_value_labels(study):
    location, codes, folder = study
    out = folder / "wide.sav"
    export_study(location, "sav", out, score="mean")
    frame, meta = pyreadstat.read_sav(out)
    a = frame.set_index("code").loc[codes["a.wav"]]
    assert a.empathy == pytest.approx(2.0) and a.clarity == pytest.approx(2.5)
    assert frame.set_index("code").loc[codes["c.wav"]].warmth == pytest.approx(3.5)
    assert set(meta.variable_value_labels["empathy"]) == {-9, -8}  # only the missing codes
    assert meta.variable_value_labels["empathy_primary"][5] == "very high"


def test_sav_has_labels_and_declared_missing_values(study):
    location, codes, folder = study
    out = folder / "study.sav"
    export_study(location, "sav", out)
    frame, meta = pyreadstat.read_sav(out, user_missing=True)
    assert not name_problems(frame.columns)
    rows = frame.set_index("code")
    assert rows.loc[codes["c.wav"], "empathy_second"] == -9
    assert rows.loc[codes["d.wav"], "empathy_second"] == -8
    assert rows.loc[codes["a.wav"], "empathy_consensus"] == 2
    assert meta.missing_ranges["empathy_second"] == [{"lo": -9.0, "hi": -9.0},
                                                     {"lo": -8.0, "hi": -8.0}]
    labels = meta.variable_value_labels["warmth_primary"]
    assert {k: labels[k] for k in LABELS} == LABELS and labels[-9].startswith("no value")
    assert meta.column_names_to_labels["clarity_second"] == "Clarity about concerns: second rater"
    assert meta.variable_measure["warmth_primary"] == "ordinal"
    plain, _ = pyreadstat.read_sav(out)  # without user missing: declared codes become NaN
    assert plain.set_index("code").loc[codes["d.wav"], "empathy_second"] != \
        plain.set_index("code").loc[codes["d.wav"], "empathy_second"]
    assert "primary rater" in " ".join(meta.notes)  # the score method, in the file itself


def test_sav_long_keeps_unicode_metadata_after_unblinding(study):
    location, codes, folder = study
    unblind_study(location, "ratings complete")
    out = folder / "long.sav"
    export_study(location, "sav", out, layout="long")
    frame, meta = pyreadstat.read_sav(out)
    workers = dict(zip(frame.code, frame.worker, strict=True))
    assert workers[codes["a.wav"]] == WORKER_A and workers[codes["b.wav"]] == WORKER_B
    assert set(frame.annee) == {"2012", "2013"}
    assert meta.column_names_to_labels["annee"] == "année"
    assert set(frame.file_name) == {"a.wav", "b.wav", "c.wav", "d.wav"}


def test_dta_has_labels_and_extended_missing_values(study):
    location, codes, folder = study
    out = folder / "study.dta"
    result = export_study(location, "dta", out)
    frame, meta = pyreadstat.read_dta(out, user_missing=True)
    rows = frame.set_index("code")
    assert rows.loc[codes["c.wav"], "empathy_second"] == "a"
    assert rows.loc[codes["d.wav"], "empathy_second"] == "b"
    assert rows.loc[codes["b.wav"], "warmth_primary"] == 2
    assert meta.missing_user_values["empathy_second"] == ["a", "b"]
    labels = meta.variable_value_labels["warmth_primary"]
    assert labels[3] == "moderate" and labels["b"].startswith("not applicable")
    assert all(len(text) <= 80 for text in meta.column_names_to_labels.values() if text)
    # a second reader: pandas' own Stata reader sees the extended missing values as missing
    other = pd.read_stata(out, convert_categoricals=False).set_index("code")
    assert pd.isna(other.loc[codes["d.wav"], "empathy_second"])
    assert other.loc[codes["a.wav"], "empathy_consensus"] == 2
    dictionary = read_csv(Path(result["dictionary"]))
    assert ".a = no value" in dictionary.loc[dictionary.variable == "empathy_second",
                                             "missing"].iloc[0]


def test_xlsx_sheets_notes_and_formula_like_text(study):
    location, codes, folder = study
    out = folder / "study.xlsx"
    export_study(location, "xlsx", out)
    sheets = pd.read_excel(out, sheet_name=None, dtype=str, keep_default_na=False)
    assert list(sheets) == ["ratings", "recordings", "notes", "reliability", "codebook",
                            "dictionary"]
    ratings = sheets["ratings"]
    assert {(r.code, r.rater, r.role, r.dimension, int(r.score))
            for r in ratings.itertuples()} == expected_long(codes)
    notes = sheets["notes"].set_index("rater")
    assert notes.loc["R1", "text"] == NOTE and notes.loc["R1", "dimension"] == "empathy"
    assert notes.loc["R2", "text"] == FORMULA_NOTE and notes.loc["R2", "dimension"] == ""
    reliability = sheets["reliability"]
    assert set(reliability.dimension) == set(DIMS)
    assert "criterion" in set(reliability.statistic)
    assert len(sheets["codebook"]) == 4 * 5
    assert set(sheets["dictionary"].table) == {"ratings", "recordings", "notes"}
    assert sheets["recordings"].set_index("code").loc[codes["c.wav"], "empathy_second"] == ""


def test_csv_notes_round_trip(study):
    location, codes, folder = study
    out = folder / "notes.csv"
    export_study(location, "csv-notes", out)
    frame = read_csv(out)
    assert list(frame.text) == [NOTE, FORMULA_NOTE]
    assert list(frame.code) == [codes["a.wav"]] * 2
    assert [float(t) for t in frame.time_s] == [12.5, 30.0]


def test_parquet_round_trip_with_labels(study):
    location, codes, folder = study
    out = folder / "long.parquet"
    export_study(location, "parquet", out, layout="long")
    frame = pd.read_parquet(out)
    assert {(r.code, r.rater, r.role, r.dimension, int(r.score))
            for r in frame.itertuples()} == expected_long(codes)
    assert frame.loc[frame.rater == "R2", "heard_share"].isna().all()
    schema = pq.read_schema(out)
    assert schema.field("score").metadata[b"label"] == b"Score"
    assert json.loads(schema.field("score").metadata[b"values"])["5"] == "very high"
    assert b"primary" in schema.metadata[b"rater.score_method"]


@pytest.mark.parametrize("fmt,suffix", [("csv-long", ".csv"), ("csv-wide", ".csv"),
                                        ("sav", ".sav"), ("dta", ".dta"),
                                        ("parquet", ".parquet")])
def test_unblinding_adds_exactly_the_hidden_columns(study, fmt, suffix):
    location, _codes, folder = study
    before, after = folder / f"before{suffix}", folder / f"after{suffix}"
    export_study(location, fmt, before)
    unblind_study(location, "all ratings submitted")
    export_study(location, fmt, after)
    old, new = _read(before), _read(after)
    assert set(new.columns) - set(old.columns) == set(HIDDEN)
    assert set(old.columns) <= set(new.columns)
    pd.testing.assert_frame_equal(new[list(old.columns)], old)
    assert (new.la == "").sum() == 0  # every recording's hidden value is there
    old_dictionary = read_csv(export_service.dictionary_path(before))
    new_dictionary = read_csv(export_service.dictionary_path(after))
    assert set(new_dictionary.variable) - set(old_dictionary.variable) == set(HIDDEN)


def _read(path: Path) -> pd.DataFrame:
    if path.suffix == ".csv":
        return read_csv(path)
    if path.suffix == ".sav":
        return pyreadstat.read_sav(path)[0]
    if path.suffix == ".dta":
        return pyreadstat.read_dta(path)[0]
    return pd.read_parquet(path)


def test_a_failed_export_leaves_the_old_file_and_no_temporary(study, monkeypatch):
    location, _codes, folder = study
    out = folder / "study.sav"
    out.write_bytes(b"the previous export")

    def broken(tables, target, *_):
        target.write_bytes(b"half")
        raise OSError("disk full")

    monkeypatch.setitem(export_service.WRITERS, "sav", broken)
    with pytest.raises(OSError):
        export_study(location, "sav", out)
    assert out.read_bytes() == b"the previous export"
    assert not export_service.dictionary_path(out).exists()
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith(".")) == []


def test_bad_requests_are_refused(study):
    location, _codes, folder = study
    with pytest.raises(RaterError, match="folder does not exist"):
        export_study(location, "csv-long", folder / "nowhere" / "x.csv")
    with pytest.raises(RaterError, match="unknown score method"):
        export_study(location, "csv-long", folder / "x.csv", score="median")
    with pytest.raises(RaterError, match="unknown format"):
        export_study(location, "sas", folder / "x.sas")


def test_cli_export(tmp_path):
    location = str(tmp_path / "s.rater")
    build(tmp_path, location)
    out = tmp_path / "out.dta"
    done = subprocess.run([sys.executable, "-m", "rater", "export", location, "--format", "dta",
                           "--out", str(out), "--score", "mean", "--json"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["score"] == "mean" and Path(result["dictionary"]).is_file()
    bad = subprocess.run([sys.executable, "-m", "rater", "export", location, "--format", "dta",
                          "--out", str(tmp_path / "no" / "x.dta")], capture_output=True,
                         text=True)
    assert bad.returncode == 1 and "fix:" in bad.stderr and bad.stdout == ""
    usage = subprocess.run([sys.executable, "-m", "rater", "export", location, "--format",
                            "sas", "--out", "x"], capture_output=True, text=True)
    assert usage.returncode == 2
