"""The pack container against crafted files (issue 13: items 4, 5, 6 and 12): every bad pack
gets a clear error naming the pack file, and nothing is written outside the workspace, nothing
left behind, nothing changed in the study."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import soundfile as sf
from sqlalchemy import select
from test_packs import _rate, _recordings, packs  # noqa: F401  (the fixture)

from rater.core import pack_format as fmt
from rater.core.errors import RaterError
from rater.services.allocating import allocate_study
from rater.services.blinding import blind_study
from rater.services.importing import import_recordings
from rater.services.packs import export_pack, import_pack, return_pack, unpack_for_rating
from rater.services.session import open_store
from rater.services.study import init_study
from rater.storage.schema import Assignment

KEY = bytes(range(32))


def _tree(folder: Path) -> dict[str, str]:
    """Every file under `folder` with its SHA-256 (empty if there is no folder); SQLite's
    transient -wal and -shm files (a connection of the rater's session may come and go) aside."""
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.endswith(("-wal", "-shm"))}


def _crafted(path: Path, manifest: dict, members: dict[str, bytes], key: bytes = KEY) -> Path:
    """A validly signed pack with any manifest (an issued pack carries its own key)."""
    members = {fmt.MANIFEST: json.dumps(manifest).encode(), **members}
    signature = fmt.sign(key, {n: hashlib.sha256(c).hexdigest() for n, c in members.items()})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
        archive.writestr(fmt.SIGNATURE, signature)
    return path


def _issued_manifest(**changes) -> dict:
    return {"format": fmt.FORMAT, "version": fmt.VERSION, "study": "a" * 32, "rater": "R1",
            "pack": "b" * 32, "kind": "issued", "sequence": 0, **changes}


@pytest.mark.parametrize("name", ["../../escaped", "ABSOLUTE", "..", ".", "",
                                  "x/../../escaped", "B" * 32, "b" * 31])
def test_a_pack_name_that_is_not_a_pack_id_is_refused_and_nothing_is_written(tmp_path, name):
    """A crafted issued pack verifies (it carries its own key): its name must still not lead
    the app to write anywhere but the workspace."""
    name = str(tmp_path / "escaped") if name == "ABSOLUTE" else name
    workspace = tmp_path / "deep" / "er" / "workspace"
    pack = _crafted(tmp_path / "evil.raterpack", _issued_manifest(pack=name),
                    {fmt.DATABASE: b"db", fmt.KEY: KEY.hex().encode(),
                     "audio/23456AB.flac": b"audio"})
    with pytest.raises(RaterError) as error:
        unpack_for_rating(pack, workspace)
    assert str(pack) in str(error.value)
    assert not (tmp_path / "escaped").exists()
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["evil.raterpack"]


@pytest.mark.parametrize("field,value", [("study", "../x"), ("rater", "R1\n../x"),
                                         ("rater", ""), ("rater", "x" * 65), ("kind", "other"),
                                         ("sequence", -1), ("sequence", 10 ** 30),
                                         ("sequence", True), ("sequence", "1"),
                                         ("study", None)])
def test_manifest_fields_are_checked_strictly(tmp_path, field, value):
    pack = _crafted(tmp_path / "evil.raterpack", _issued_manifest(**{field: value}),
                    {fmt.DATABASE: b"db", fmt.KEY: KEY.hex().encode()})
    with pytest.raises(RaterError, match="manifest"):
        fmt.read_pack(pack)


@pytest.mark.parametrize("member", ["audio/../../../escaped.flac", "/abs.flac",
                                    "audio/.x.flac", "audio/23456AB.wav", "other.txt",
                                    "audio/sub/23456AB.flac", "AUDIO/23456AB.flac",
                                    "audio/" + "x" * 65 + ".flac", "audio/a b.flac"])
def test_member_names_outside_the_fixed_pattern_are_refused(tmp_path, member):
    pack = _crafted(tmp_path / "evil.raterpack", _issued_manifest(),
                    {fmt.DATABASE: b"db", fmt.KEY: KEY.hex().encode(), member: b"x"})
    with pytest.raises(RaterError, match="unexpected file|unsafe"):
        unpack_for_rating(pack, tmp_path / "ws")
    assert not (tmp_path / "escaped.flac").exists() and _tree(tmp_path / "ws") == {}


# -- item 6: a damaged container is a clear error, naming the pack ---------------------------

def _patched(source: Path, target: Path, change) -> Path:
    data = bytearray(source.read_bytes())
    change(data)
    target.write_bytes(bytes(data))
    return target


def _local_header(data: bytearray, name: bytes) -> int:
    return data.index(name) - 30


def _central(data: bytearray, name: bytes) -> int:
    return data.rindex(name) - 46


def _damages(pack: Path, tmp_path: Path) -> dict[str, Path]:
    """The same valid return pack, damaged in one way each."""
    db = fmt.DATABASE.encode()

    def bad_crc(data):
        at = _central(data, db) + 16
        data[at:at + 4] = (int.from_bytes(data[at:at + 4], "little") ^ 1).to_bytes(4, "little")
        local = _local_header(data, db) + 14
        data[local:local + 4] = data[at:at + 4]

    def corrupt_deflate(data):
        start = _local_header(data, db) + 30 + len(db)
        for i in range(start + 10, start + 40):
            data[i] ^= 0x5A

    def flag(bits_or_method, offset):
        def change(data):
            for at in (_central(data, db) + offset, _local_header(data, db) + offset - 2):
                data[at:at + 2] = bits_or_method.to_bytes(2, "little")
        return change

    damaged = {
        "bad CRC": _patched(pack, tmp_path / "crc.raterpack", bad_crc),
        "corrupt deflate": _patched(pack, tmp_path / "deflate.raterpack", corrupt_deflate),
        "encrypted": _patched(pack, tmp_path / "enc.raterpack", flag(1, 8)),
        "unknown method": _patched(pack, tmp_path / "method.raterpack", flag(99, 10)),
        "truncated": tmp_path / "truncated.raterpack",
        "not a zip": tmp_path / "text.raterpack",
        "empty": tmp_path / "empty.raterpack",
        "a folder": tmp_path / "folder.raterpack",
    }
    damaged["truncated"].write_bytes(pack.read_bytes()[:len(pack.read_bytes()) * 2 // 3])
    damaged["not a zip"].write_text("hello")
    damaged["empty"].write_bytes(b"")
    damaged["a folder"].mkdir()
    return damaged


def _rewritten(pack: Path, target: Path, change) -> Path:
    """Copy a pack member by member; `change(members)` edits the dict of name -> bytes."""
    with zipfile.ZipFile(pack) as source:
        members = [(i.filename, source.read(i)) for i in source.infolist()]
    members = change(members)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in members:
            out.writestr(name, data)
    return target


def _manifest_is(value):
    def change(members):
        return [(n, json.dumps(value).encode() if n == fmt.MANIFEST else d) for n, d in members]
    return change


@pytest.fixture
def returned(packs):  # noqa: F811
    study, issued, _hidden, tmp_path = packs
    folder = unpack_for_rating(issued["R1"], tmp_path / "ws")
    _rate(folder, 1)
    pack = tmp_path / "return.raterpack"
    return_pack(folder, pack)
    return study, pack, tmp_path


def test_damaged_containers_are_clear_errors_and_change_nothing(returned):
    study, pack, tmp_path = returned
    scratch = tmp_path / "damaged"
    scratch.mkdir()
    damaged = _damages(pack, scratch)
    damaged.update({
        f"manifest {value!r}": _rewritten(pack, scratch / f"m{i}.raterpack", _manifest_is(value))
        for i, value in enumerate([None, 42, "text", [], {"format": "rater-pack"}])})
    damaged["non-ASCII signature"] = _rewritten(pack, scratch / "sig.raterpack", lambda m: [
        (n, "é".encode() * 32 if n == fmt.SIGNATURE else d) for n, d in m])
    damaged["missing database"] = _rewritten(pack, scratch / "nodb.raterpack", lambda m: [
        (n, d) for n, d in m if n != fmt.DATABASE])
    damaged["duplicated database"] = _rewritten(pack, scratch / "dup.raterpack", lambda m: [
        *m, *[(n, d) for n, d in m if n == fmt.DATABASE]])
    before = _tree(tmp_path / "ws") | {"study": hashlib.sha256(Path(study).read_bytes())
                                       .hexdigest()}
    for what, bad in damaged.items():
        with pytest.raises(RaterError) as error:
            import_pack(study, bad)
        assert str(bad) in str(error.value), what
        with pytest.raises(RaterError) as error:
            unpack_for_rating(bad, tmp_path / "ws")
        assert str(bad) in str(error.value), what
    after = _tree(tmp_path / "ws") | {"study": hashlib.sha256(Path(study).read_bytes())
                                      .hexdigest()}
    assert after == before


# -- item 5: a zip bomb is refused before it is inflated, with little memory ----------------

def _bomb(path: Path, inflated: int, lie: bool) -> Path:
    """A return pack whose database member inflates to `inflated` bytes of zeros. With `lie`,
    the headers declare 1 KiB instead (the inflated stream is still the whole bomb)."""
    manifest = json.dumps({**_issued_manifest(), "kind": "return", "sequence": 1}).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(fmt.MANIFEST, manifest)
        info = zipfile.ZipInfo(fmt.DATABASE)
        info.compress_type = zipfile.ZIP_DEFLATED
        zeros = bytes(1 << 20)
        with archive.open(info, "w") as member:
            for _ in range(inflated >> 20):
                member.write(zeros)
        archive.writestr(fmt.SIGNATURE, "0" * 64)
    if lie:
        data = bytearray(path.read_bytes())
        central = data.rindex(fmt.DATABASE.encode()) - 46
        data[central + 24:central + 28] = (1024).to_bytes(4, "little")  # uncompressed size
        path.write_bytes(bytes(data))
    return path


PEAK_SCRIPT = """
import sys
from pathlib import Path
from rater.core.errors import RaterError
from rater.services.packs import import_pack
try:
    import_pack(sys.argv[1], Path(sys.argv[2]))
    print("IMPORTED")
except RaterError as error:
    print("ERROR", error)
# VmHWM, not getrusage's ru_maxrss: that one keeps the parent's peak across fork and exec,
# so a big test process made this child look big.
status = Path("/proc/self/status").read_text()
print("PEAK", int(next(l.split()[1] for l in status.splitlines() if l.startswith("VmHWM"))) // 1024)
"""


@pytest.mark.parametrize("lie", [False, True])
def test_a_zip_bomb_is_refused_with_little_memory(returned, lie):
    study, _pack, tmp_path = returned
    bomb = _bomb(tmp_path / "bomb.raterpack", 1 << 30, lie)
    assert bomb.stat().st_size < 2 << 20
    before = hashlib.sha256(Path(study).read_bytes()).hexdigest()
    run = subprocess.run([sys.executable, "-c", PEAK_SCRIPT, study, str(bomb)],
                         capture_output=True, text=True, env=os.environ, timeout=240)
    assert run.returncode == 0, run.stderr
    assert f"ERROR {bomb}" in run.stdout, run.stdout
    peak_mb = int(run.stdout.split("PEAK")[1])
    assert peak_mb < 400, f"peak memory {peak_mb} MB"
    assert hashlib.sha256(Path(study).read_bytes()).hexdigest() == before


# -- --out, leftovers after a kill, and a bad database -------------------------------------

def test_export_into_a_missing_folder_is_a_clear_error(packs):  # noqa: F811
    study, _issued, _hidden, tmp_path = packs
    with pytest.raises(RaterError, match="does not exist"):
        export_pack(study, "R1", tmp_path / "no-such-folder" / "R1.raterpack")
    assert not (tmp_path / "no-such-folder").exists()


def test_export_onto_a_folder_is_a_clear_error_and_leaves_nothing(packs):  # noqa: F811
    study, _issued, _hidden, tmp_path = packs
    (tmp_path / "out").mkdir()
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(RaterError, match="is a folder"):
        export_pack(study, "R1", tmp_path / "out")
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert list((tmp_path / "out").iterdir()) == []


KILLED = """
import os, sys
from pathlib import Path
from rater.core.scratch import scratch_folder
with scratch_folder(Path(sys.argv[1]), "test") as folder:
    (folder / "half-written").write_bytes(b"x" * 1000)
    os.kill(os.getpid(), 9)
"""


def test_leftovers_of_a_killed_run_are_cleaned_up_next_time(packs):  # noqa: F811
    study, issued, _hidden, tmp_path = packs
    workspace = tmp_path / "ws"
    workspace.mkdir()
    for parent in (workspace, tmp_path):
        run = subprocess.run([sys.executable, "-c", KILLED, str(parent)], env=os.environ)
        assert run.returncode == -9
    left = [p for p in [*workspace.iterdir(), *tmp_path.iterdir()] if p.name.startswith(".")]
    assert len(left) == 2
    unpack_for_rating(issued["R1"], workspace)
    export_pack(study, "R1", tmp_path / "again.raterpack")
    assert [p for p in [*workspace.iterdir(), *tmp_path.iterdir()]
            if p.name.startswith(".")] == []


def test_a_signed_pack_with_a_bad_database_names_the_pack(packs):  # noqa: F811
    study, issued, _hidden, tmp_path = packs
    opened = fmt.read_pack(issued["R1"])
    key = fmt.derive_key(_secret(study), opened.manifest.study, "R1", opened.manifest.pack)
    manifest = {**json.loads(opened.manifest.to_json()), "kind": "return", "sequence": 1}
    bad = _crafted(tmp_path / "bad-db.raterpack", manifest,
                   {fmt.DATABASE: b"SQLite format 3\x00" + bytes(2000)}, key=key)
    with pytest.raises(RaterError) as error:
        import_pack(study, bad)
    assert str(bad) in str(error.value) and "/tmp" not in str(error.value).replace(
        str(tmp_path), "")


def _secret(study: str) -> str:
    from rater.services.session import open_store
    with open_store(study) as store:
        return store.study().secret


# -- item 8: re-tests cannot be found by their length or size -------------------------------

def test_matching_by_frames_or_size_finds_no_retest_pairs(tmp_path):
    originals = tmp_path / "originals"
    _recordings(originals)
    study = str(tmp_path / "study.rater")
    init_study(study)
    import_recordings(study, originals, originals / "metadata.csv")
    blind_study(study, workers=1)
    allocate_study(study, ["R1"], double=0.0, retest=0.5, seed=4)
    with open_store(study) as store, store.transaction() as session:
        rows = session.execute(select(Assignment.recording_id, Assignment.code)).all()
    codes_of: dict[int, list[str]] = {}
    for recording, code in rows:
        codes_of.setdefault(recording, []).append(code)
    pairs = [set(codes) for codes in codes_of.values() if len(codes) > 1]
    assert len(pairs) >= 3, "several re-tests"
    export_pack(study, "R1", tmp_path / "R1.raterpack")
    folder = unpack_for_rating(tmp_path / "R1.raterpack", tmp_path / "ws")
    with sqlite3.connect(folder / "study.rater") as db:
        in_database = dict(db.execute("SELECT blind_code, frames FROM recording"))
    files = {p.stem: p for p in (folder / "audio").iterdir()}
    for by in ({c: sf.info(str(p)).frames for c, p in files.items()}, in_database,
               {c: p.stat().st_size for c, p in files.items()}):
        for pair in pairs:
            first, retest = sorted(pair)
            assert by[first] != by[retest], f"{pair} matched"

