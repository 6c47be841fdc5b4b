"""What a return does to a study when it is imported: order across a rater's packs, validly
signed returns with bad databases, imports at the same time, and batch imports."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from test_packs import _rate, packs  # noqa: F401  (the fixture, used by name)

from rater.core import pack_format as fmt
from rater.core.errors import RaterError
from rater.services import rating
from rater.services.packs import (
    import_pack,
    import_packs,
    return_pack,
    unpack_for_rating,
)
from rater.services.session import open_store
from rater.services.study import study_info
from rater.storage.schema import Assignment, Guess, ListeningSpan, Note, Rating


def _work_of(study: str, rater: str = "R1") -> dict:
    """The rater's notes, spans, guesses and ratings in the study, by code."""
    from sqlalchemy import select

    with open_store(study) as store, store.transaction() as session:
        code = dict(session.execute(select(Assignment.id, Assignment.code)
                                    .where(Assignment.rater_id == rater)).all())
        return {
            "notes": sorted((code[n.assignment_id], n.text) for n in session.scalars(select(Note))
                            if n.assignment_id in code),
            "spans": sorted((code[s.assignment_id], s.start_s, s.end_s)
                            for s in session.scalars(select(ListeningSpan))
                            if s.assignment_id in code),
            "guesses": sorted((code[g.assignment_id], g.guess)
                              for g in session.scalars(select(Guess)) if g.assignment_id in code),
            "ratings": sorted((code[r.assignment_id], r.dimension, r.score, r.state)
                              for r in session.scalars(select(Rating))
                              if r.assignment_id in code),
        }


def _returned(folder: Path, out: Path) -> Path:
    return_pack(folder, out)
    return out


def test_a_newer_return_still_replaces_notes_including_deletions(packs):  # noqa: F811
    study, issued, _hidden, tmp_path = packs
    folder = unpack_for_rating(issued["R1"], tmp_path / "ws")
    work = str(folder / "study.rater")
    code = rating.rater_queue(work)[0].code
    keep = rating.add_note(work, code, 1.0, "keep")
    gone = rating.add_note(work, code, 2.0, "gone")
    import_pack(study, _returned(folder, tmp_path / "1.raterpack"))
    rating.delete_note(work, code, gone)
    assert keep
    import_pack(study, _returned(folder, tmp_path / "2.raterpack"))
    assert _work_of(study)["notes"] == [(code, "keep")]


# -- validly signed returns with a bad database ------------------------------------------------

def _resign(study: str, pack: Path, target: Path, change) -> Path:
    """A return whose database `change(connection | path)` altered, signed with the right key."""
    opened = fmt.read_pack(pack)
    database = target.with_suffix(".db")
    opened.extract(fmt.DATABASE, database)
    if callable(change):
        with sqlite3.connect(database) as connection:
            change(connection)
        connection.close()
    else:
        database.write_bytes(change)
    with open_store(study) as store:
        record = store.study()
    manifest = opened.manifest
    key = fmt.derive_key(record.secret, record.pack_id, manifest.rater, manifest.pack)
    fmt.write_pack(target, manifest, key, {fmt.DATABASE: database}, include_key=False)
    return target


def _sha(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.fixture
def one_return(packs):  # noqa: F811
    study, issued, _hidden, tmp_path = packs
    folder = unpack_for_rating(issued["R1"], tmp_path / "ws")
    _rate(folder, 1)
    rating.add_note(str(folder / "study.rater"), rating.rater_queue(
        str(folder / "study.rater"))[1].code, 1.0, "a note")
    return study, _returned(folder, tmp_path / "return.raterpack"), tmp_path


def _unguarded(sql: str):
    """An edit made after dropping the copy's guard triggers (a rater with sqlite3)."""

    def edit(db: sqlite3.Connection) -> None:
        for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")\
                .fetchall():
            db.execute(f'DROP TRIGGER "{name}"')
        db.executescript("PRAGMA foreign_keys=OFF;" + sql)

    return edit


BAD_DATABASES = {
    "dangling note": lambda db: db.executescript(
        "PRAGMA foreign_keys=OFF; INSERT INTO note (assignment_id, time_s, text, created_at, "
        "seq) VALUES (9999, 1.0, 'x', '2026-01-01 00:00:00', 1)"),
    "foreign key": lambda db: db.executescript(
        "PRAGMA foreign_keys=OFF; UPDATE listening_span SET assignment_id = 777;"
        "UPDATE note SET assignment_id = 778"),
    "huge sequence of a note": lambda db: db.execute(
        "UPDATE note SET seq = 1180591620717411303424"),
    "huge sequence of an item": lambda db: db.execute(
        "UPDATE assignment SET work_seq = 1180591620717411303424"),
    "sequence over 32 bits": lambda db: db.execute("UPDATE assignment SET work_seq = 4294967296"),
    "a time that is not one": lambda db: db.execute("UPDATE note SET created_at = 'yesterday'"),
    "text score": _unguarded("UPDATE rating SET score = 'high'"),
    "off the scale": _unguarded("UPDATE rating SET score = 42"),
    "unknown dimension": _unguarded(
        "UPDATE rating SET dimension = 'charm' WHERE dimension = 'warmth'"),
    "no note table": lambda db: db.execute("DROP TABLE note"),
    "no seq column": lambda db: db.execute("ALTER TABLE note DROP COLUMN seq"),
    "negative time": lambda db: db.executescript(
        "PRAGMA ignore_check_constraints=ON; UPDATE note SET time_s = -5"),
    "not sqlite": b"this is not a database at all" * 100,
    "empty file": b"",
}


@pytest.mark.parametrize("case", sorted(BAD_DATABASES))
def test_a_signed_return_with_a_bad_database_is_a_clear_error_naming_the_pack(one_return, case):
    study, pack, tmp_path = one_return
    bad = _resign(study, pack, tmp_path / "bad.raterpack", BAD_DATABASES[case])
    before = _sha(study)
    with pytest.raises(RaterError) as caught:
        import_pack(study, bad)
    message = str(caught.value)
    assert str(bad) in message and "/tmp/tmp" not in message.replace(str(tmp_path), "")
    assert _sha(study) == before
    assert study_info(study)["ratings"] == {"submitted": 0, "draft": 0}
    assert import_pack(study, pack)["status"] == "imported", "the good return still goes in"


def test_a_huge_sequence_number_is_a_clear_error(one_return):
    study, pack, tmp_path = one_return
    opened = fmt.read_pack(pack)
    database = tmp_path / "db.rater"
    opened.extract(fmt.DATABASE, database)
    with open_store(study) as store:
        record = store.study()
    m = opened.manifest
    key = fmt.derive_key(record.secret, record.pack_id, m.rater, m.pack)
    bad = tmp_path / "huge.raterpack"
    fmt.write_pack(bad, fmt.Manifest(m.study, m.rater, m.pack, m.kind, 2 ** 70), key,
                   {fmt.DATABASE: database}, include_key=False)
    before = _sha(study)
    with pytest.raises(RaterError, match="sequence") as caught:
        import_pack(study, bad)
    assert str(bad) in str(caught.value)
    assert _sha(study) == before


# -- batch import ------------------------------------------------------------------------------

def test_a_batch_reports_each_pack_and_goes_on_after_a_refusal(packs, capsys):  # noqa: F811
    from rater.cli import main

    study, issued, _hidden, tmp_path = packs
    good = []
    for rater in ("R1", "R2"):
        folder = unpack_for_rating(issued[rater], tmp_path / f"ws-{rater}")
        _rate(folder, 1)
        good.append(_returned(folder, tmp_path / f"{rater}-return.raterpack"))
    junk = tmp_path / "junk.raterpack"
    junk.write_text("not a pack")
    assert main(["pack", "import", study, str(good[0]), str(junk), str(good[1])]) == 1
    out, err = capsys.readouterr()
    assert "nothing was changed" not in err
    assert f"{good[0]} (rater R1): imported" in out
    assert f"{good[1]} (rater R2): imported" in out
    assert f"{junk}" in err and "not a rater pack" in err
    assert "1 of 3 pack(s) refused" in err
    assert study_info(study)["ratings"]["submitted"] == 8
    results = import_packs(study, [*good, junk])
    assert [r["status"] for r in results] == ["already imported", "already imported", "refused"]
    assert "not a rater pack" in results[2]["problem"]


def test_batch_import_json_lists_every_outcome(packs, capsys):  # noqa: F811
    import json

    from rater.cli import main

    study, issued, _hidden, tmp_path = packs
    folder = unpack_for_rating(issued["R1"], tmp_path / "ws")
    _rate(folder, 1)
    good = _returned(folder, tmp_path / "good.raterpack")
    assert main(["pack", "import", study, str(good), str(issued["R2"]), "--json"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert [d["status"] for d in document] == ["imported", "refused"]
    assert document[1]["pack"] == str(issued["R2"]) and "not a return" in document[1]["problem"]


# -- another program holds the study ------------------------------------------------------------

def test_a_study_locked_by_another_program_waits_says_so_then_a_clear_error(
        one_return, monkeypatch, caplog):
    from rater.storage import engine

    study, pack, _tmp_path = one_return
    monkeypatch.setattr(engine, "BUSY_NOTICE_S", 0.5)
    monkeypatch.setattr(engine, "BUSY_TIMEOUT_S", 3.0)
    other = sqlite3.connect(study, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another program in the middle of a change
    try:
        before = study_info(study)  # reading is never blocked
        with pytest.raises(RaterError, match="another program kept the study locked"):
            import_pack(study, pack)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert any("waiting for another program" in r.getMessage() for r in caplog.records)
    assert study_info(study) == before
    assert import_pack(study, pack)["status"] == "imported", "free again: the import goes in"
