"""Fuzzing the pack container (issue 13): hostile bytes, zip structures, header fields and
manifests. Each import or open is a success or a RaterError, never another exception, and an
error leaves the study and the rater's workspace byte-for-byte as they were."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import struct
import tempfile
import zipfile
from pathlib import Path

import pytest
from audio_files import write_audio
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from rater.core import pack_format as fmt
from rater.core.errors import RaterError
from rater.services import rating
from rater.services.allocating import allocate_study
from rater.services.blinding import blind_study
from rater.services.importing import import_recordings
from rater.services.packs import export_pack, import_pack, return_pack, unpack_for_rating
from rater.services.study import init_study

# The profiles are registered by tests/fuzz/conftest.py (bounded in ./run test, long in bench);
# taken by name, since `conftest` is not an importable module name once several folders have one.
FUZZ = hypothesis_settings.get_profile(
    "fuzz-long" if os.environ.get("RATER_FUZZ") == "long" else "fuzz-ci")

NAMES = [fmt.MANIFEST, fmt.DATABASE, fmt.KEY, fmt.SIGNATURE, "audio/23456AB.flac",
         "../escaped", "/etc/escaped", "audio/../../escaped.flac", "audio/", "x" * 300,
         "study.rater/", "C:\\escaped", "audio/23456AB.flac\x00", "é.txt"]


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """A study with a valid return and a valid issued pack (as bytes), built once."""
    root = tmp_path_factory.mktemp("fuzz-packs")
    originals = root / "originals"
    for i in range(3):
        write_audio(originals / f"r{i}.wav", seconds=1.0 + i / 3, freq=200 + 50 * i)
    (originals / "metadata.csv").write_text("file,la\n" + "".join(
        f"r{i}.wav,LA{i % 2}\n" for i in range(3)))
    study = root / "study" / "study.rater"
    study.parent.mkdir()
    init_study(str(study))
    import_recordings(str(study), originals, originals / "metadata.csv")
    blind_study(str(study), workers=1)
    allocate_study(str(study), ["R1"], double=0.0, retest=0.34, seed=2)
    issued = root / "R1.raterpack"
    export_pack(str(study), "R1", issued)
    folder = unpack_for_rating(issued, root / "ws")
    entry = rating.rater_queue(str(folder / "study.rater"))[0]
    rating.set_score(str(folder / "study.rater"), entry.code, "warmth", 3)
    returned = root / "return.raterpack"
    return_pack(folder, returned)
    return _Base({"study": study, "issued": issued.read_bytes(),
                  "return": returned.read_bytes()})


class _Base(dict):
    """The fixture's packs, shown short in a failure report (not as 100 kB of bytes)."""

    def __repr__(self) -> str:
        return f"<study {self['study']} with its issued and returned packs>"


def _tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.endswith(("-wal", "-shm"))}


# -- mutations --------------------------------------------------------------------------------

def _members(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(info, archive.read(info)) for info in archive.infolist()]


def _zip(members: list[tuple[str, bytes, int]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content, method in members:
            info = zipfile.ZipInfo(name, date_time=fmt.FIXED_TIME)
            info.compress_type = method
            archive.writestr(info, content)
    return out.getvalue()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner,
                                                                max_size=4),
    max_leaves=12)


@st.composite
def byte_changes(draw, data: bytes) -> bytes:
    data = bytearray(data)
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, len(data) - 1))
        data[at] = draw(st.integers(0, 255))
    return bytes(data)


@st.composite
def cut(draw, data: bytes) -> bytes:
    return data[:draw(st.integers(0, len(data) - 1))]


@st.composite
def member_changes(draw, data: bytes) -> bytes:
    members = [(i.filename, content, i.compress_type) for i, content in _members(data)]
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(["remove", "duplicate", "rename", "add", "replace",
                                   "method"]))
        at = draw(st.integers(0, len(members) - 1)) if members else 0
        if op == "remove" and members:
            members.pop(at)
        elif op == "duplicate" and members:
            members.append(members[at])
        elif op == "rename" and members:
            members[at] = (draw(st.sampled_from(NAMES)), *members[at][1:])
        elif op == "add":
            members.append((draw(st.sampled_from(NAMES)), draw(st.binary(max_size=200)),
                            zipfile.ZIP_DEFLATED))
        elif op == "replace" and members:
            members[at] = (members[at][0], draw(st.binary(max_size=200)), members[at][2])
        elif op == "method" and members:
            members[at] = (*members[at][:2], draw(st.sampled_from(
                [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])))
    return _zip(members)


HEADER_FIELDS = {  # (signature, offset, struct format) of fields in local and central headers
    "local flags": (b"PK\x03\x04", 6, "<H"), "local method": (b"PK\x03\x04", 8, "<H"),
    "local crc": (b"PK\x03\x04", 14, "<I"), "local compressed": (b"PK\x03\x04", 18, "<I"),
    "local size": (b"PK\x03\x04", 22, "<I"), "local name length": (b"PK\x03\x04", 26, "<H"),
    "central flags": (b"PK\x01\x02", 8, "<H"), "central method": (b"PK\x01\x02", 10, "<H"),
    "central crc": (b"PK\x01\x02", 16, "<I"), "central compressed": (b"PK\x01\x02", 20, "<I"),
    "central size": (b"PK\x01\x02", 24, "<I"), "central name length": (b"PK\x01\x02", 28, "<H"),
    "central offset": (b"PK\x01\x02", 42, "<I"), "end count": (b"PK\x05\x06", 10, "<H"),
    "end offset": (b"PK\x05\x06", 16, "<I"),
}


@st.composite
def header_changes(draw, data: bytes) -> bytes:
    data = bytearray(data)
    for _ in range(draw(st.integers(1, 3))):
        signature, offset, form = HEADER_FIELDS[draw(st.sampled_from(sorted(HEADER_FIELDS)))]
        places = [i for i in range(len(data)) if data.startswith(signature, i)]
        if not places:
            continue
        at = draw(st.sampled_from(places)) + offset
        limit = 2 ** (8 * struct.calcsize(form)) - 1
        value = draw(st.sampled_from([0, 1, 8, 99, limit, limit // 2]) | st.integers(0, limit))
        data[at:at + struct.calcsize(form)] = struct.pack(form, value)
    return bytes(data)


@st.composite
def manifest_changes(draw, data: bytes) -> bytes:
    members = [(i.filename, content, i.compress_type) for i, content in _members(data)]
    manifest = json.loads(dict((n, c) for n, c, _ in members)[fmt.MANIFEST])
    if draw(st.booleans()):
        new = draw(json_values)
    else:
        key = draw(st.sampled_from([*manifest, "extra"]))
        new = {**manifest, key: draw(json_values | st.sampled_from(
            ["../../x", "/abs", "a" * 32, "return", "issued", 10 ** 30, -1, "R2"]))}
    text = json.dumps(new).encode() if draw(st.booleans()) else draw(st.binary(max_size=100))
    return _zip([(n, text if n == fmt.MANIFEST else c, m) for n, c, m in members])


def mutations(data: bytes):
    return st.one_of(byte_changes(data), cut(data), member_changes(data),
                     header_changes(data), manifest_changes(data))


# -- properties ------------------------------------------------------------------------------

def _pack_file(data: bytes, folder: Path) -> Path:
    path = folder / "fuzzed.raterpack"
    path.write_bytes(data)
    return path


@FUZZ
@given(data=st.data())
def test_importing_a_mutated_return_is_success_or_a_clear_error(base, data):
    pack_bytes = data.draw(mutations(base["return"]), label="return")
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        study = scratch / "study" / base["study"].name
        shutil.copytree(base["study"].parent, study.parent)
        before = _tree(study.parent)
        try:
            import_pack(str(study), _pack_file(pack_bytes, scratch))
        except RaterError:
            assert _tree(study.parent) == before


@FUZZ
@given(data=st.data())
def test_opening_a_mutated_issued_pack_is_success_or_a_clear_error(base, data):
    pack_bytes = data.draw(mutations(base["issued"]), label="issued")
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        workspace = scratch / "workspace"
        (workspace / "earlier-pack").mkdir(parents=True)
        (workspace / "earlier-pack" / "study.rater").write_bytes(b"work so far")
        before = _tree(workspace)
        try:
            unpack_for_rating(_pack_file(pack_bytes, scratch), workspace)
        except RaterError:
            assert _tree(workspace) == before
            assert sorted(p.name for p in scratch.iterdir()) == ["fuzzed.raterpack",
                                                                 "workspace"]
