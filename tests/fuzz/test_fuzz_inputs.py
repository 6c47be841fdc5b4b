"""Hostile metadata CSVs, ratings CSVs and codebooks (issue 13): bytes and structure mutated
(encodings, quotes, huge cells, NULs, BOMs, duplicate headers, wrong types, deep nesting,
unknown keys). The answer is a success or a RaterError, never another exception; after an error
the study file is byte-for-byte as it was (and a study that was never made is not there)."""

from __future__ import annotations

import hashlib
import shutil
import uuid
from pathlib import Path

import pytest
from audio_files import write_audio
from conftest import FUZZ
from hypothesis import given
from hypothesis import strategies as st

from rater.core.codebook import default_codebook_path
from rater.core.errors import RaterError
from rater.services.importing import import_recordings
from rater.services.ratings_import import import_ratings
from rater.services.study import init_study

NAMES = ("a.wav", "b.wav")
HUGE = "x" * (129 * 1024)
ENCODINGS = ("utf-8", "utf-8-sig", "latin-1", "utf-16", "cp1252")


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    """An empty study and one with the two recordings, both to be copied per example."""
    root = tmp_path_factory.mktemp("fuzz-inputs")
    for i, name in enumerate(NAMES):
        write_audio(root / "audio" / name, seconds=0.2, freq=300 + 200 * i)
    init_study(str(root / "empty.rater"))
    shutil.copy(root / "empty.rater", root / "full.rater")
    (root / "m.csv").write_text("file,la\na.wav,North\nb.wav,South\n")
    import_recordings(str(root / "full.rater"), root / "audio", root / "m.csv")
    return root


def scratch(base: Path, study: str) -> tuple[Path, Path]:
    folder = base / "runs" / uuid.uuid4().hex
    folder.mkdir(parents=True)
    shutil.copy(base / study, folder / "s.rater")
    return folder, folder / "s.rater"


# -- building hostile files ---------------------------------------------------------------------

cells = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", '"', '""', '"a,b"', "a\nb", '"open', "\x00", "\ufeff", "é", "-1",
                     "1e9", "NaN", " 3 ", "x" * 200, HUGE, "a.wav", "b.wav", "../a.wav",
                     "/etc/passwd", "audio", ".", "a.wav\x00"]),
)


@st.composite
def tables(draw, header_pool: list[str]) -> bytes:
    """A CSV made from a drawn header (duplicates, unknown and missing columns) and rows."""
    header = draw(st.lists(st.sampled_from(header_pool) | st.text(max_size=6), min_size=0,
                           max_size=6))
    rows = draw(st.lists(st.lists(cells, min_size=0, max_size=len(header) + 2), max_size=5))
    quote = draw(st.booleans())
    def line(values):
        return ",".join(f'"{v}"' if quote else v for v in values)
    text = "\n".join([line(header), *map(line, rows)]) + draw(st.sampled_from(["", "\n", "\r\n"]))
    try:
        return text.encode(draw(st.sampled_from(ENCODINGS)))
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass")


@st.composite
def mutated(draw, valid: bytes) -> bytes:
    """A valid file with a few bytes flipped, inserted, removed or repeated."""
    data = bytearray(valid)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["flip", "insert", "delete", "repeat"]))
        if kind == "flip" and at < len(data):
            data[at] ^= draw(st.integers(1, 255))
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8)
                               | st.sampled_from([b"\x00", b'"', b"\xef\xbb\xbf", b"\n",
                                                  b"[[", b"{", b"=", HUGE.encode()]))
        elif kind == "delete":
            del data[at:at + draw(st.integers(1, 8))]
        else:
            data[at:at] = bytes(data[at:at + 16]) * draw(st.integers(2, 50))
    return bytes(data)


METADATA = b"file,la,worker\na.wav,North,W1\nb.wav,South,W2\n"
RATINGS = (b"recording,rater,dimension,score,role,timestamp\n"
           b"a.wav,R1,warmth,3,,2024-01-02T10:00:00\nb.wav,R1,empathy,4,primary,\n"
           b"a.wav,R2,warmth,2,second,\n")


def answer_is_clean(action, study: Path | None) -> None:
    before = sha(study) if study and study.exists() else None
    try:
        action()
    except RaterError:
        after = sha(study) if study and study.exists() else None
        assert after == before, "an error changed the study"


# -- the suites ---------------------------------------------------------------------------------

@FUZZ
@given(data=st.one_of(tables(["file", "la", "File", "worker", ""]), mutated(METADATA)),
       hidden=st.sampled_from([None, ["la"], ["nope"]]))
def test_metadata_csv(base, data, hidden):
    folder, study = scratch(base, "empty.rater")
    (folder / "m.csv").write_bytes(data)
    answer_is_clean(lambda: import_recordings(str(study), base / "audio", folder / "m.csv",
                                              hidden=hidden), study)


@FUZZ
@given(data=st.one_of(tables(["recording", "rater", "dimension", "score", "role", "timestamp",
                              "unit"]), mutated(RATINGS)))
def test_ratings_csv(base, data):
    folder, study = scratch(base, "full.rater")
    (folder / "r.csv").write_bytes(data)
    answer_is_clean(lambda: import_ratings(str(study), folder / "r.csv"), study)


CODEBOOK = default_codebook_path().read_bytes()
toml_values = st.sampled_from(['"x"', "1", "-3", "1.5", "true", "[]", "{}", '["a", 2]',
                               "[" * 3000 + "]" * 3000, "{a = " * 3000 + "1" + "}" * 3000,
                               '"""a\nb"""', "'lit'", "1979-05-27", '"' + HUGE + '"'])


@st.composite
def codebooks(draw) -> bytes:
    text = CODEBOOK.decode()
    lines = text.split("\n")
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(lines)))
        key = draw(st.sampled_from(["id", "min", "max", "name", "anchors", "rules", "extra",
                                    "dimensions", "scale.labels", "a.b.c", '"q"', "1"]))
        choice = draw(st.sampled_from(["set", "table", "array-table", "drop"]))
        if choice == "set":
            lines.insert(at, f"{key} = {draw(toml_values)}")
        elif choice == "table":
            lines.insert(at, f"[{key}]")
        elif choice == "array-table":
            lines.insert(at, f"[[{key}]]")
        elif at < len(lines):
            del lines[at]
    text = "\n".join(lines)
    return text.encode(draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16"])))


@FUZZ
@given(data=st.one_of(codebooks(), mutated(CODEBOOK)))
def test_codebook(base, data):
    folder = base / "runs" / uuid.uuid4().hex
    folder.mkdir(parents=True)
    (folder / "cb.toml").write_bytes(data)
    study = folder / "s.rater"
    answer_is_clean(lambda: init_study(str(study), folder / "cb.toml"), None)
    assert study.exists() or not list(folder.glob("s.rater*")), "a refused codebook left a study"
