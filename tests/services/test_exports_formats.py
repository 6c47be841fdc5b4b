"""Issue 15, items 6, 8, 9 and 10: null text in Parquet, Stata 14 files by default, a CSV for
Excel, and one analysis row per recording and dimension in the long layout. The study is
test_exports' (four recordings, a second rater on three, a re-test, unicode metadata)."""

from __future__ import annotations

import pandas as pd
import pytest
from test_exports import DIMS, build

from rater.cli import main
from rater.services.export import export_study
from rater.services.export_formats import ExportOptions


@pytest.fixture
def study(tmp_path):
    location = str(tmp_path / "s.rater")
    codes = build(tmp_path, location)
    return location, codes, tmp_path


def test_parquet_has_null_not_empty_text(study):
    """Its metadata says 'null = no value'; missing text was written as ''."""
    location, codes, folder = study
    export_study(location, "parquet", folder / "wide.parquet")
    frame = pd.read_parquet(folder / "wide.parquet")
    text = frame.select_dtypes(include="object")
    assert not (text == "").any().any()
    d = frame[frame["code"] == codes["d.wav"]].iloc[0]  # no second rater on d.wav
    second = [c for c in text.columns if "second" in c]
    assert second and all(pd.isna(d[c]) for c in second)


def test_stata_files_are_release_118_unless_asked(study):
    """Release 119 needs Stata 15; 118 opens in Stata 14 and later."""
    location, _codes, folder = study
    export_study(location, "dta", folder / "default.dta")
    export_study(location, "dta", folder / "new.dta", options=ExportOptions(stata_release=119))
    assert (folder / "default.dta").read_bytes().startswith(
        b"<stata_dta><header><release>118</release>")
    assert (folder / "new.dta").read_bytes().startswith(
        b"<stata_dta><header><release>119</release>")
    assert len(pd.read_stata(folder / "default.dta")) == 4


def test_a_csv_for_excel_starts_with_a_byte_order_mark(study):
    location, _codes, folder = study
    export_study(location, "csv-wide", folder / "plain.csv")
    assert main(["export", location, "--format", "csv-wide", "--out",
                 str(folder / "excel.csv"), "--excel"]) == 0
    assert not (folder / "plain.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert (folder / "excel.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    plain = pd.read_csv(folder / "plain.csv", dtype=str)
    excel = pd.read_csv(folder / "excel.csv", dtype=str, encoding="utf-8-sig")
    pd.testing.assert_frame_equal(plain, excel)


def test_the_long_layout_marks_one_analysis_row_per_recording_and_dimension(study):
    """Averaging analysis_score over every row counted double-coded recordings twice."""
    location, codes, folder = study
    export_study(location, "csv-long", folder / "long.csv")
    export_study(location, "csv-wide", folder / "wide.csv")
    long = pd.read_csv(folder / "long.csv")
    wide = pd.read_csv(folder / "wide.csv")
    flagged = long[long["analysis_row"] == 1]
    assert len(flagged) == len(flagged.drop_duplicates(["code", "dimension"]))
    assert len(flagged) == len(codes) * len(DIMS)
    assert (flagged["role"] == "primary").all()
    for dim in DIMS:
        mean_long = flagged.loc[flagged["dimension"] == dim, "analysis_score"].mean()
        assert mean_long == pytest.approx(wide[dim].mean())
    everything = long.loc[long["dimension"] == "warmth", "analysis_score"].mean()
    assert everything != pytest.approx(wide["warmth"].mean())  # the old trap


def test_a_metadata_column_has_one_name_in_every_layout_and_format(tmp_path):
    """Issue 15, item 7: 'warmth_primary' was renamed in the wide layout only and 'notes' in
    the long one only. A metadata column now steers clear of every name Rater makes."""
    from audio_files import write_audio

    from rater.services.analysis import unblind_study
    from rater.services.importing import import_recordings
    from rater.services.ratings_import import import_ratings
    from rater.services.study import init_study

    study = str(tmp_path / "s.rater")
    for i, name in enumerate("ab"):
        write_audio(tmp_path / "audio" / f"{name}.wav", seconds=0.5, rate=8000, freq=300 + 90 * i)
    (tmp_path / "meta.csv").write_text("file,warmth_primary,notes,Größe\n"
                                       "a.wav,x,y,1\nb.wav,z,w,2\n", encoding="utf-8")
    init_study(study)
    import_recordings(study, tmp_path / "audio", tmp_path / "meta.csv")
    (tmp_path / "r.csv").write_text("recording,rater,dimension,score\n" + "".join(
        f"{n}.wav,R1,{d},3\n" for n in "ab" for d in DIMS))
    import_ratings(study, tmp_path / "r.csv")
    unblind_study(study, "the metadata columns join the exports")
    columns = {}
    for fmt, layout, suffix in (("csv-long", "long", "csv"), ("csv-wide", "wide", "csv"),
                                ("csv-notes", "wide", "csv"), ("parquet", "long", "parquet"),
                                ("parquet", "wide", "parquet"), ("dta", "wide", "dta")):
        out = tmp_path / f"{fmt}-{layout}.{suffix}"
        export_study(study, fmt, out, layout=layout)
        frame = (pd.read_csv(out) if suffix == "csv" else pd.read_parquet(out)
                 if suffix == "parquet" else pd.read_stata(out))
        columns[fmt, layout] = set(frame.columns)
    metadata = {"warmth_primary_2", "notes_2", "Groesse"}
    for key, names in columns.items():
        if key != ("csv-notes", "wide"):  # the notes table has no metadata columns
            assert metadata <= names, key
    assert "warmth_primary" in columns["csv-wide", "wide"]  # Rater's own column keeps its name
    assert "notes" in columns["csv-long", "long"]
