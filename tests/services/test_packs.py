"""Blinding, allocation and rater packs end to end: nothing hidden in any byte of a pack, and
returned packs that are tampered, foreign, wrong-rater, replayed, partial or duplicate."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import zipfile
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from rater.core.errors import RaterError
from rater.services import rating
from rater.services.allocating import allocate_study
from rater.services.blinding import blind_study
from rater.services.importing import import_recordings
from rater.services.packs import (
    export_pack,
    import_pack,
    import_packs,
    return_pack,
    unpack_for_rating,
)
from rater.services.session import open_store
from rater.services.study import init_study, study_info

LAS = ("Kestrelford", "Brindlemoor")
STUDY_NAME = "Kestrelford versus Brindlemoor systemic units evaluation"
DIMENSIONS = ("warmth", "empathy", "strengths", "clarity")


def _recordings(folder: Path) -> tuple[list[str], list[str]]:
    """Eight recordings whose names, tags and metadata all give the group away."""
    folder.mkdir()
    rows, hidden = ["file,la,worker,timepoint"], []
    rng = np.random.default_rng(3)
    for i in range(8):
        la = LAS[i % 2]
        worker = f"worker-{la[:4]}-Pennick{i:02d}"
        timepoint = f"Baseline-{2019 + i % 2}"
        name = f"{la.lower()}_{worker}_{timepoint}.wav"
        rate = 16000 if la == LAS[0] else 44100  # a technical cue blinding must even out
        audio = (rng.normal(0, 0.1, rate * (3 + i % 3))).astype(np.float32)
        tags = {"title": f"{la} home visit {worker}", "artist": f"Social worker {worker}",
                "comment": f"Recorded for {la} children's services"}
        with sf.SoundFile(folder / name, "w", samplerate=rate, channels=1) as f:
            for tag, text in tags.items():
                setattr(f, tag, text)
            f.write(audio)
        assert sf.SoundFile(folder / name).title == tags["title"]
        rows.append(f"{name},{la},{worker},{timepoint}")
        hidden += [name, Path(name).stem, worker, timepoint, *tags.values()]
    (folder / "metadata.csv").write_text("\n".join(rows) + "\n")
    return hidden + list(LAS), rows


@pytest.fixture
def packs(tmp_path):
    """A blinded, allocated study and one issued pack per rater."""
    originals = tmp_path / "originals"
    hidden, _rows = _recordings(originals)
    study = str(tmp_path / "study.rater")
    init_study(study, name=STUDY_NAME)
    import_recordings(study, originals, originals / "metadata.csv")
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in originals.iterdir()}
    blind_study(study, workers=2)
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in originals.iterdir()}
    assert before == after, "blinding must never change an original"
    allocate_study(study, ["R1", "R2"], double=0.5, retest=0.25, stratify="la", seed=11)
    with open_store(study) as store:
        record = store.study()
        recordings = store.recordings(None)
    hidden += [r.sha256 for r in recordings] + [r.source_path for r in recordings]
    hidden += [STUDY_NAME, record.secret, str(originals), str(tmp_path)]
    issued = {}
    for rater in ("R1", "R2"):
        issued[rater] = tmp_path / f"{rater}.raterpack"
        export_pack(study, rater, issued[rater])
    return study, issued, hidden, tmp_path


def _every_view_of(pack: Path, scratch: Path) -> list[tuple[str, str]]:
    """Everything a curious rater could read in a pack: names, bytes, rows, tags."""
    views = []
    with zipfile.ZipFile(pack) as archive:
        for info in archive.infolist():
            data = archive.read(info)
            views += [(f"name {info.filename}", info.filename),
                      (f"bytes {info.filename}", data.decode("latin-1")),
                      (f"comment {info.filename}", info.comment.decode("latin-1"))]
            target = scratch / info.filename.replace("/", "_")
            target.write_bytes(data)
            if info.filename.endswith(".flac"):
                with sf.SoundFile(target) as audio:
                    views.append((f"tags {info.filename}", json.dumps(audio.copy_metadata())))
            if info.filename.endswith(".rater"):
                views += _database_rows(target)
        views.append(("zip comment", archive.comment.decode("latin-1")))
    return views


def _database_rows(path: Path) -> list[tuple[str, str]]:
    connection = sqlite3.connect(path)
    rows = []
    tables = [r[0] for r in connection.execute("SELECT name FROM sqlite_master")]
    for table in tables:
        if table.startswith("sqlite_") or table.startswith("ix_") or table.startswith("uq_"):
            continue
        try:
            for row in connection.execute(f'SELECT * FROM "{table}"'):
                rows.append((f"row {table}", repr(row)))
        except sqlite3.OperationalError:  # an index or trigger name, not a table
            continue
    connection.close()
    return rows


def test_no_hidden_value_in_any_byte_of_any_pack(packs):
    study, issued, hidden, tmp_path = packs
    hidden = [h for h in set(hidden) if len(h) >= 6]
    for rater, pack in issued.items():
        scratch = tmp_path / f"scan-{rater}"
        scratch.mkdir()
        views = _every_view_of(pack, scratch)
        assert any(v[0].startswith("row ") for v in views), "the database rows were read"
        assert any(v[0].startswith("tags ") for v in views), "the audio tags were read"
        for where, text in views:
            lowered = text.lower()
            for secret in hidden:
                assert secret.lower() not in lowered, f"{secret!r} leaked in {where} ({rater})"


def test_blinded_copies_are_uniform_and_tagless(packs):
    study, *_ = packs
    with open_store(study) as store:
        copies = [Path(r.blind_path) for r in store.recordings(None)]
    for copy in copies:
        info = sf.info(str(copy))
        assert (info.format, info.samplerate, info.channels) == ("FLAC", 24000, 1)
        with sf.SoundFile(copy) as f:
            assert f.copy_metadata() == {}
        assert len(copy.stem) == 7  # the blind code, nothing else


def test_reblinding_keeps_codes_and_remakes_nothing(packs):
    study, *_ = packs
    with open_store(study) as store:
        codes = [r.blind_code for r in store.recordings(None)]
    report = blind_study(study, workers=1)
    assert report.made == [] and report.codes_added == 0
    with open_store(study) as store:
        assert [r.blind_code for r in store.recordings(None)] == codes


def test_retest_items_look_like_any_other(packs):
    study, issued, _hidden, tmp_path = packs
    folder = unpack_for_rating(issued["R1"], tmp_path / "ws")
    checksums = [hashlib.sha256(p.read_bytes()).hexdigest() for p in (folder / "audio").iterdir()]
    assert len(checksums) == len(set(checksums)), "every item's audio differs in its bytes"
    with sqlite3.connect(folder / "study.rater") as db:
        assert {r[0] for r in db.execute("SELECT role FROM assignment")} == {"primary"}


def _rate(folder: Path, codes: int, submit: bool = True) -> list[str]:
    """The rater scores (and submits) the next `codes` unsubmitted items of their queue."""
    study = str(folder / "study.rater")
    queue = [e for e in rating.rater_queue(study) if not e.submitted]
    done = []
    for entry in queue[:codes]:
        for i, dimension in enumerate(DIMENSIONS):
            rating.set_score(study, entry.code, dimension, 1 + (i + entry.position) % 5)
        if submit:
            rating.submit_rating(study, entry.code)
        done.append(entry.code)
    return done


def test_partial_return_imports_what_was_done_and_duplicate_changes_nothing(packs):
    study, issued, _hidden, tmp_path = packs
    folder = unpack_for_rating(issued["R1"], tmp_path / "ws")
    _rate(folder, 2)
    rating.set_score(str(folder / "study.rater"), rating.rater_queue(
        str(folder / "study.rater"))[2].code, "warmth", 4)  # a draft in progress
    rating.add_note(str(folder / "study.rater"), rating.rater_queue(
        str(folder / "study.rater"))[0].code, 12.5, 'said "we\'ll see", then, laughed')
    returned = tmp_path / "R1-return.raterpack"
    return_pack(folder, returned)
    [result] = import_packs(study, [returned])
    assert result["status"] == "imported" and result["ratings"] == 9 and result["notes"] == 1
    counts = study_info(study)["ratings"]
    assert counts == {"submitted": 8, "draft": 1}
    [again] = import_packs(study, [returned])
    assert again["status"] == "already imported"
    assert study_info(study)["ratings"] == counts


def test_the_rater_sees_their_returned_work_when_a_new_pack_is_issued(packs):
    study, issued, _hidden, tmp_path = packs
    folder = unpack_for_rating(issued["R1"], tmp_path / "ws")
    codes = _rate(folder, 1)
    returned = tmp_path / "r.raterpack"
    return_pack(folder, returned)
    import_packs(study, [returned])
    reissued = tmp_path / "R1-again.raterpack"
    export_pack(study, "R1", reissued)
    again = unpack_for_rating(reissued, tmp_path / "ws2")
    entries = {e.code: e for e in rating.rater_queue(str(again / "study.rater"))}
    assert entries[codes[0]].submitted


def test_an_older_return_is_refused_after_a_newer_one(packs):
    study, issued, _hidden, tmp_path = packs
    folder = unpack_for_rating(issued["R1"], tmp_path / "ws")
    _rate(folder, 1)
    first = tmp_path / "first.raterpack"
    return_pack(folder, first)
    _rate(folder, 1)
    second = tmp_path / "second.raterpack"
    return_pack(folder, second)
    import_packs(study, [second])
    before = study_info(study)["ratings"]
    with pytest.raises(RaterError, match="older than return 2"):
        import_pack(study, first)
    assert study_info(study)["ratings"] == before


def _rewrite(pack: Path, target: Path, change) -> Path:
    """Copy a pack, letting `change(name, data)` alter members (the signature is kept)."""
    with zipfile.ZipFile(pack) as source, zipfile.ZipFile(target, "w") as out:
        for info in source.infolist():
            out.writestr(info, change(info.filename, source.read(info)))
    return target


@pytest.fixture
def returned(packs):
    study, issued, _hidden, tmp_path = packs
    folder = unpack_for_rating(issued["R1"], tmp_path / "ws")
    _rate(folder, 1)
    pack = tmp_path / "return.raterpack"
    return_pack(folder, pack)
    return study, pack, tmp_path


def test_a_tampered_pack_is_refused_and_changes_nothing(returned):
    study, pack, tmp_path = returned

    def raise_a_score(name, data):
        if name != "study.rater":
            return data
        scratch = tmp_path / "t.rater"
        scratch.write_bytes(data)
        with sqlite3.connect(scratch) as db:
            db.execute("DROP TRIGGER rating_submitted_fixed")
            db.execute("UPDATE rating SET score = 5")
        return scratch.read_bytes()

    tampered = _rewrite(pack, tmp_path / "tampered.raterpack", raise_a_score)
    with pytest.raises(RaterError, match="altered"):
        import_pack(study, tampered)
    assert study_info(study)["ratings"] == {"submitted": 0, "draft": 0}


def test_a_pack_claiming_another_rater_is_refused(returned):
    study, pack, tmp_path = returned

    def claim_r2(name, data):
        return data.replace(b'"rater": "R1"', b'"rater": "R2"') if name == "manifest.json" \
            else data

    wrong = _rewrite(pack, tmp_path / "wrong.raterpack", claim_r2)
    with pytest.raises(RaterError, match="issued to 'R1'"):
        import_pack(study, wrong)
    assert study_info(study)["ratings"] == {"submitted": 0, "draft": 0}


def test_a_pack_from_another_study_is_refused(returned, tmp_path):
    _study, pack, _ = returned
    other = str(tmp_path / "other.rater")
    init_study(other)
    with pytest.raises(RaterError, match="another study"):
        import_pack(other, pack)


def test_an_issued_pack_cannot_be_imported_as_a_return(packs):
    study, issued, *_ = packs
    with pytest.raises(RaterError, match="not a return"):
        import_pack(study, issued["R1"])


def test_something_that_is_not_a_pack_is_refused(packs):
    study, _issued, _hidden, tmp_path = packs
    junk = tmp_path / "junk.raterpack"
    junk.write_text("not a zip")
    with pytest.raises(RaterError, match="not a rater pack"):
        import_pack(study, junk)


def test_a_codebook_whose_brief_names_a_hidden_value_is_refused_before_any_pack(tmp_path):
    """Issue 14, item 13 brought the scenario brief into the codebook, so into every pack: a
    brief naming an authority would leak it to every rater."""
    from rater.core.codebook import default_codebook_path

    originals = tmp_path / "originals"
    _recordings(originals)
    codebook = tmp_path / "codebook.toml"
    codebook.write_text(default_codebook_path().read_text(encoding="utf-8").replace(
        'rules = [', 'brief = """The parent lives in brindlemoor."""\nrules = [', 1))
    study = str(tmp_path / "study.rater")
    init_study(study, codebook_path=codebook)
    import_recordings(study, originals, originals / "metadata.csv")
    blind_study(study, workers=2)
    allocate_study(study, ["R1"], double=0.0, seed=1)
    with pytest.raises(RaterError) as error:
        export_pack(study, "R1", tmp_path / "R1.raterpack")
    problem = error.value.problems[0]
    assert "'Brindlemoor' (la)" in problem.what and "rater study init" in problem.fix
    assert not (tmp_path / "R1.raterpack").exists()
