"""Validly signed returns whose database a rater (or anyone with their pack's key) edited at
random: rows changed, deleted and added, any value in any column. Importing one either
succeeds or is a RaterError; never another exception, and an error leaves the study
byte-for-byte as it was."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest
from audio_files import write_audio
from conftest import FUZZ, LONG
from hypothesis import given
from hypothesis import strategies as st

from rater.core import pack_format as fmt
from rater.core.errors import RaterError
from rater.services import rating
from rater.services.allocating import allocate_study
from rater.services.blinding import blind_study, set_blinding_check
from rater.services.importing import import_recordings
from rater.services.packs import export_pack, import_pack, return_pack, unpack_for_rating
from rater.services.session import open_store
from rater.services.study import init_study

WORK = ("rating", "amendment", "note", "listening_span", "guess", "assignment")
TABLES = (*WORK, *WORK, "rater", "study", "scale_value", "codebook_dimension", "codebook_version",
          "recording")
INT64 = 2 ** 63 - 1
VALUES = st.one_of(
    st.none(), st.integers(-INT64, INT64), st.integers(-3, 8),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
    st.binary(max_size=8), st.sampled_from(["submitted", "draft", "warmth", "2026-01-01",
                                            "1180591620717411303424", "-1", "R1", "R2"]))
EDITS = st.lists(st.tuples(st.sampled_from(("update", "delete", "insert")),
                           st.sampled_from(TABLES), st.integers(0, 4), st.integers(0, 20),
                           VALUES, st.booleans()),
                 min_size=1, max_size=6)


@pytest.fixture
def signed_return(tmp_path):
    """A study (WAL checkpointed into its one file), one rater's return with work of every kind,
    and the key that signs that rater's returns."""
    audio = tmp_path / "audio"
    rows = ["file,la"]
    for i in range(4):
        write_audio(audio / f"r{i}.wav", seconds=1.0 + i / 4, freq=300 + 50 * i)
        rows.append(f"r{i}.wav,{'AB'[i % 2]}")
    (audio / "metadata.csv").write_text("\n".join(rows) + "\n")
    study = str(tmp_path / "study.rater")
    init_study(study)
    import_recordings(study, audio, audio / "metadata.csv")
    blind_study(study, workers=1)
    allocate_study(study, ["R1", "R2"], double=0.5, seed=5)
    set_blinding_check(study, "la")
    export_pack(study, "R1", tmp_path / "R1.raterpack")
    folder = unpack_for_rating(tmp_path / "R1.raterpack", tmp_path / "ws")
    work = str(folder / "study.rater")
    first, second = [e.code for e in rating.rater_queue(work)][:2]
    for dimension in ("warmth", "empathy", "strengths", "clarity"):
        rating.set_score(work, first, dimension, 3)
    rating.submit_rating(work, first)
    rating.amend_rating(work, first, "warmth", 4, "misheard")
    rating.set_score(work, second, "clarity", 2)
    rating.add_note(work, first, 1.5, "a note", "warmth")
    rating.save_listening(work, first, [(0.0, 1.0, 1.0)])
    rating.record_guess(work, first, "A")
    pack = tmp_path / "return.raterpack"
    return_pack(folder, pack)
    with open_store(study) as store:
        record = store.study()
    opened = fmt.read_pack(pack)
    key = fmt.derive_key(record.secret, record.pack_id, "R1", opened.manifest.pack)
    _checkpoint(study)
    return study, opened, key, tmp_path


def _checkpoint(study: str) -> None:
    """Fold the WAL into the study file, so the file's bytes are the whole study."""
    connection = sqlite3.connect(study)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()


def _sha(study: str) -> str:
    _checkpoint(study)
    assert not Path(study + "-wal").exists() or Path(study + "-wal").stat().st_size == 0
    return hashlib.sha256(Path(study).read_bytes()).hexdigest()


def _edit(database: Path, edits) -> None:
    connection = sqlite3.connect(database, isolation_level=None)
    for kind, table, row, column, value, drop_triggers in edits:
        try:
            if drop_triggers:
                for (name,) in connection.execute(
                        "SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
                    connection.execute(f'DROP TRIGGER "{name}"')
            columns = [c[1] for c in connection.execute(f'PRAGMA table_info("{table}")')]
            column = columns[column % len(columns)]
            rowid = f'(SELECT rowid FROM "{table}" LIMIT 1 OFFSET {row})'
            if kind == "update":
                connection.execute(f'UPDATE "{table}" SET "{column}" = ? WHERE rowid = {rowid}',
                                   (value,))
            elif kind == "delete":
                connection.execute(f'DELETE FROM "{table}" WHERE rowid = {rowid}')
            else:
                connection.execute(f'INSERT INTO "{table}" SELECT * FROM "{table}" WHERE rowid '
                                   f'= {rowid}')
                connection.execute(f'UPDATE "{table}" SET "{column}" = ? WHERE rowid = '
                                   f'last_insert_rowid()', (value,))
        except sqlite3.Error:
            continue  # the edit broke a rule the copy enforces itself: try the next one
    connection.close()


@pytest.mark.timeout(3600 if LONG else 300)  # long mode: thousands of imports
@FUZZ
@given(edits=EDITS)
def test_an_edited_signed_return_imports_or_is_refused_and_then_changes_nothing(
        signed_return, edits):
    base, opened, key, tmp_path = signed_return
    scratch = Path(tmp_path / "example")
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir()
    study = str(scratch / "study.rater")
    shutil.copyfile(base, study)
    database = scratch / "work.rater"
    opened.extract(fmt.DATABASE, database)
    _edit(database, edits)
    pack = scratch / "edited.raterpack"
    fmt.write_pack(pack, opened.manifest, key, {fmt.DATABASE: database}, include_key=False)
    before = _sha(study)
    try:
        result = import_pack(study, pack)
    except RaterError as error:
        assert str(pack) in str(error), "the message names the pack"
        assert _sha(study) == before, "a refused return changes nothing"
    else:
        assert result["status"] == "imported"
        with sqlite3.connect(study) as connection:
            assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
            assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        connection.close()
